"""Closed forms and reference solutions from MATH.md (§4–§7, §10)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_float, check_int, check_last_dim, check_lr, check_params
from .model import _canonical, _check_problem, _preconditioner
from .problems import Problem

__all__ = [
    "saxe_sigmoid",
    "plateau_time",
    "balanced_flow",
    "one_step_exact",
    "one_step_first_order",
    "gd_drift",
    "stable_lr",
]


def _positive(x: Any, name: str) -> np.ndarray:
    arr = as_float(x, name)
    if np.any(arr <= 0.0):
        raise ValueError(f"{name} must be > 0")
    return arr


def saxe_sigmoid(t: Any, s: Any, u0: Any) -> np.ndarray:
    """Saxe et al. (2014) eq. 12: ``u(t) = s e^{2st} / (e^{2st} − 1 + s/u₀)``.

    Evaluated as ``s / (1 + (s/u₀ − 1) e^{−2st})``, which cannot overflow for large ``t``.
    It solves ``du/dt = 2u(s − u)``, ``u(0) = u₀``.

    Parameters
    ----------
    t : array_like
        Times (broadcast with ``s`` and ``u0``).
    s : array_like
        ``‖w*‖ > 0``.
    u0 : array_like
        Initial ``‖w‖ > 0``.

    Returns
    -------
    numpy.ndarray
    """
    t = as_float(t, "t")
    s = _positive(s, "s")
    u0 = _positive(u0, "u0")
    with np.errstate(all="ignore"):
        return s / (1.0 + (s / u0 - 1.0) * np.exp(-2.0 * s * t))


def plateau_time(s: Any, u0: Any) -> np.ndarray:
    """Time to leave the plateau, ``ln(s/u₀) / (2s)`` (MATH.md §7).

    Parameters
    ----------
    s : array_like
        ``‖w*‖ > 0``.
    u0 : array_like
        Initial ``‖w‖ > 0``.

    Returns
    -------
    numpy.ndarray
    """
    s = _positive(s, "s")
    u0 = _positive(u0, "u0")
    return np.log(s / u0) / (2.0 * s)


def _balanced_rhs(problem: Problem, w: np.ndarray, lam: float) -> np.ndarray:
    a = problem._grad(w)
    nw2 = np.sum(w * w, axis=-1)
    s = 0.5 * (lam + np.sqrt(lam * lam + 4.0 * nw2))
    wa = np.sum(w * a, axis=-1)
    coef = np.where(s > 0.0, wa / np.where(s > 0.0, s, 1.0), 0.0)
    return -(s[..., None] * a + coef[..., None] * w)


def balanced_flow(problem: Problem, w0: Any, lam: float, t_end: float, steps: int) -> np.ndarray:
    """Path of the λ-balanced end-to-end flow ``dw/dt = −(sI + wwᵀ/s) a`` (MATH.md §6).

    ``s = (λ + √(λ² + 4‖w‖²))/2``, ``a = ∇L(w)``; classic RK4 with ``steps`` equal steps of
    ``t_end/steps`` (at ``s = 0`` the ``wwᵀ/s`` term is taken as its limit 0).

    Parameters
    ----------
    problem : Problem
        The loss.
    w0 : array_like, shape (..., d)
        Initial canonical vector(s).
    lam : float
        Balance ``λ >= 0``.
    t_end : float
        Final time, ``> 0``.
    steps : int
        Number of RK4 steps, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (steps + 1, ..., d)
        ``w`` at times ``linspace(0, t_end, steps + 1)``.
    """
    _check_problem(problem)
    w0 = as_float(w0, "w0", min_ndim=1)
    check_last_dim(w0, problem.d, "w0")
    lam_a = as_float(lam, "lam")
    if lam_a.ndim != 0 or float(lam_a) < 0.0:
        raise ValueError(f"lam must be a scalar >= 0, got {lam!r}")
    lam_f = float(lam_a)
    t_end = check_lr(t_end, "t_end")
    steps = check_int(steps, "steps", 1)
    h = t_end / steps
    out = np.empty((steps + 1,) + w0.shape)
    out[0] = w0
    w = w0.copy()
    with np.errstate(all="ignore"):
        for i in range(steps):
            k1 = _balanced_rhs(problem, w, lam_f)
            k2 = _balanced_rhs(problem, w + 0.5 * h * k1, lam_f)
            k3 = _balanced_rhs(problem, w + 0.5 * h * k2, lam_f)
            k4 = _balanced_rhs(problem, w + h * k3, lam_f)
            w = w + (h / 6.0) * (k1 + 2.0 * (k2 + k3) + k4)
            out[i + 1] = w
    return out


def _uva(U: Any, v: Any, a: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    U, v = check_params(U, v)
    a = as_float(a, "a", min_ndim=1)
    check_last_dim(a, U.shape[-1], "a")
    return U, v, a


def one_step_first_order(U: Any, v: Any, a: Any, lr: float) -> np.ndarray:
    """First-order prediction of one GD step in ``w``: ``w − ηPa``.

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    a : array_like, shape (..., d)
        Canonical gradient at ``w = Uᵀv``.
    lr : float
        Step size.

    Returns
    -------
    numpy.ndarray, shape (..., d)
    """
    U, v, a = _uva(U, v, a)
    return _first_order(U, v, a, check_lr(lr))


def _first_order(U: np.ndarray, v: np.ndarray, a: np.ndarray, lr: float) -> np.ndarray:
    return _canonical(U, v) - lr * (_preconditioner(U, v) @ a[..., None])[..., 0]


def one_step_exact(U: Any, v: Any, a: Any, lr: float) -> np.ndarray:
    """Exact ``w`` after one parametric GD step: ``w − ηPa + η²(wᵀa)a`` (MATH.md §4).

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    a : array_like, shape (..., d)
        Canonical gradient at ``w = Uᵀv``.
    lr : float
        Step size.

    Returns
    -------
    numpy.ndarray, shape (..., d)
    """
    U, v, a = _uva(U, v, a)
    lr = check_lr(lr)
    wa = np.sum(_canonical(U, v) * a, axis=-1)
    return _first_order(U, v, a, lr) + (lr * lr) * wa[..., None] * a


def gd_drift(U: Any, v: Any, a: Any, lr: float) -> np.ndarray:
    """Change of ``D = UUᵀ − vvᵀ`` in one GD step: ``η²(‖a‖² vvᵀ − (Ua)(Ua)ᵀ)`` (MATH.md §5).

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    a : array_like, shape (..., d)
        Canonical gradient at ``w = Uᵀv``.
    lr : float
        Step size.

    Returns
    -------
    numpy.ndarray, shape (..., k, k)
    """
    U, v, a = _uva(U, v, a)
    lr = check_lr(lr)
    Ua = (U @ a[..., None])[..., 0]
    aa = np.sum(a * a, axis=-1)
    outer_v = v[..., :, None] * v[..., None, :]
    outer_ua = Ua[..., :, None] * Ua[..., None, :]
    return (lr * lr) * (aa[..., None, None] * outer_v - outer_ua)


def stable_lr(problem: Problem, w: Any = None, U: Any = None, v: Any = None) -> np.ndarray:
    """Step-size stability bound (MATH.md §10).

    Canonical: ``2/λ_max(H)``, ``H = problem.hessian(w)`` (``w = 0`` if omitted).
    Parametric (``U`` and ``v`` given): ``2/λ_max(PH)`` with ``P = UᵀU + ‖v‖²I`` and ``H``
    at ``w = Uᵀv``; ``PH`` is similar to ``P^{1/2} H P^{1/2}`` so its eigenvalues are real,
    the largest real part of ``eigvals(PH)`` is used. A non-positive ``λ_max`` gives ``inf``.

    Parameters
    ----------
    problem : Problem
        The loss.
    w : array_like, shape (..., d), optional
        Canonical point (ignored when ``U``, ``v`` are given).
    U : array_like, shape (..., k, d), optional
        Input weights.
    v : array_like, shape (..., k), optional
        Output weights.

    Returns
    -------
    numpy.ndarray, shape (...)
    """
    _check_problem(problem)
    if (U is None) != (v is None):
        raise ValueError("U and v must be given together")
    if U is not None:
        U, v = check_params(U, v)
        check_last_dim(U, problem.d, "U")
        wv = _canonical(U, v)
        M = _preconditioner(U, v) @ problem._hessian(wv)
    else:
        wv = np.zeros(problem.d) if w is None else as_float(w, "w", min_ndim=1)
        check_last_dim(wv, problem.d, "w")
        M = problem._hessian(wv)
    lmax = np.max(np.linalg.eigvals(M).real, axis=-1)
    with np.errstate(all="ignore"):
        return np.where(lmax > 0.0, 2.0 / np.where(lmax > 0.0, lmax, 1.0), np.inf)
