"""Argument checks shared by the engine; every failure is a ``ValueError`` naming the argument."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "as_float",
    "check_params",
    "check_lr",
    "check_int",
    "check_choice",
    "check_last_dim",
    "check_magnitude",
]

# Squares of larger numbers overflow float64: factorizations refuse them up front.
MAX_MAGNITUDE = 1e150


def check_magnitude(x: np.ndarray, name: str, limit: float = MAX_MAGNITUDE) -> None:
    """ValueError if any entry of ``x`` exceeds ``limit`` in absolute value."""
    if x.size and float(np.max(np.abs(x))) > limit:
        raise ValueError(f"{name} is too large (entries above {limit:g} overflow float64)")


def as_float(x: Any, name: str, min_ndim: int = 0, finite: bool = True) -> np.ndarray:
    """Convert ``x`` to a float64 array and check it.

    Parameters
    ----------
    x : array_like
        The value to convert.
    name : str
        Argument name used in error messages.
    min_ndim : int, optional
        Minimum number of dimensions.
    finite : bool, optional
        Require every entry to be finite.

    Returns
    -------
    numpy.ndarray
        ``x`` as float64 (no copy when it already is one).

    Raises
    ------
    ValueError
        If ``x`` is not numeric, has too few dimensions or non-finite entries.
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real numeric array, got {type(x).__name__}") from exc
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if finite and not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def check_params(U: Any, v: Any, Uname: str = "U", vname: str = "v") -> tuple[np.ndarray, np.ndarray]:
    """Validate a parameter pair ``U (..., k, d)``, ``v (..., k)``.

    Parameters
    ----------
    U, v : array_like
        Input weights (rows are units) and output weights.
    Uname, vname : str, optional
        Names used in error messages.

    Returns
    -------
    tuple of numpy.ndarray
        ``(U, v)`` as float64 arrays.

    Raises
    ------
    ValueError
        On wrong dimensions, mismatched ``k`` or non-finite entries.
    """
    U = as_float(U, Uname, min_ndim=2)
    v = as_float(v, vname, min_ndim=1)
    if U.shape[-2] != v.shape[-1]:
        raise ValueError(
            f"{vname} has {v.shape[-1]} units but {Uname} has {U.shape[-2]} rows "
            f"(shapes {v.shape} and {U.shape})"
        )
    if U.shape[-1] < 1 or U.shape[-2] < 1:
        raise ValueError(f"{Uname} must have k >= 1 rows and d >= 1 columns, got shape {U.shape}")
    try:
        np.broadcast_shapes(U.shape[:-2], v.shape[:-1])
    except ValueError as exc:
        raise ValueError(
            f"batch axes of {Uname} {U.shape[:-2]} and {vname} {v.shape[:-1]} do not broadcast"
        ) from exc
    return U, v


def check_last_dim(x: np.ndarray, d: int, name: str) -> None:
    """Raise ``ValueError`` unless ``x.shape[-1] == d``.

    Parameters
    ----------
    x : numpy.ndarray
        Array to check (at least 1-D).
    d : int
        Expected size of the last axis.
    name : str
        Argument name used in the message.
    """
    if x.ndim < 1 or x.shape[-1] != d:
        raise ValueError(f"{name} must have last axis of size {d}, got shape {x.shape}")


def check_lr(lr: Any, name: str = "lr") -> float:
    """Return ``lr`` as a float, requiring it finite and strictly positive.

    Parameters
    ----------
    lr : float
        Step size (or time step).
    name : str, optional
        Argument name used in the message.

    Returns
    -------
    float
    """
    if isinstance(lr, bool) or not isinstance(lr, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a positive finite number, got {lr!r}")
    val = float(lr)
    if not np.isfinite(val) or val <= 0.0:
        raise ValueError(f"{name} must be a positive finite number, got {lr!r}")
    return val


def check_int(value: Any, name: str, minimum: int) -> int:
    """Return ``value`` as an int, requiring ``value >= minimum``.

    Parameters
    ----------
    value : int
        Value to check (bools are rejected).
    name : str
        Argument name used in the message.
    minimum : int
        Smallest accepted value.

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    ival = int(value)
    if ival < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return ival


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``.

    Parameters
    ----------
    value : str
        Value to check.
    name : str
        Argument name used in the message.
    choices : tuple of str
        Accepted values.

    Returns
    -------
    str
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {choices}")
    return value
