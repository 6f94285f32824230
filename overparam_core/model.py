"""The two-layer model ``f(x) = vᵀUx`` (or ``vᵀ relu(Ux)``): canonical map, preconditioner, gradients.

See MATH.md §1 and §3. Shapes: ``U (..., k, d)``, ``v (..., k)``; leading axes broadcast.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_float, check_last_dim, check_params
from .problems import Problem

__all__ = [
    "canonical",
    "preconditioner",
    "param_grad_norm",
    "linear_grads",
    "relu_outputs",
    "relu_grads",
]


def _canonical(U: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (v[..., None, :] @ U)[..., 0, :]


def _preconditioner(U: np.ndarray, v: np.ndarray) -> np.ndarray:
    d = U.shape[-1]
    vv = np.einsum("...k,...k->...", v, v)
    return U.mT @ U + vv[..., None, None] * np.eye(d)


def canonical(U: Any, v: Any) -> np.ndarray:
    """Canonical vector ``w = Uᵀv = Σ_i v_i u_i``.

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights, row ``i`` is unit ``i``.
    v : array_like, shape (..., k)
        Output weights.

    Returns
    -------
    numpy.ndarray, shape (..., d)
    """
    U, v = check_params(U, v)
    return _canonical(U, v)


def preconditioner(U: Any, v: Any) -> np.ndarray:
    """Preconditioner / tangent kernel ``P = UᵀU + ‖v‖² I``.

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.

    Returns
    -------
    numpy.ndarray, shape (..., d, d)
    """
    U, v = check_params(U, v)
    return _preconditioner(U, v)


def _linear_grads(problem: Problem, U: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = problem._grad(_canonical(U, v))
    return v[..., :, None] * a[..., None, :], (U @ a[..., None])[..., 0]


def linear_grads(problem: Problem, U: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
    """Parameter gradients of the linear model: ``∂L/∂U = v aᵀ``, ``∂L/∂v = U a``.

    Parameters
    ----------
    problem : Problem
        The loss.
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.

    Returns
    -------
    dU : numpy.ndarray, shape (..., k, d)
    dv : numpy.ndarray, shape (..., k)
    """
    _check_problem(problem)
    U, v = check_params(U, v)
    check_last_dim(U, problem.d, "U")
    return _linear_grads(problem, U, v)


def param_grad_norm(U: Any, v: Any, a: Any) -> np.ndarray:
    """``‖∇_θ L‖ = √(‖v‖²‖a‖² + ‖Ua‖²) = √(aᵀPa)`` for the linear model.

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    a : array_like, shape (..., d)
        Canonical gradient ``∇_w L``.

    Returns
    -------
    numpy.ndarray, shape (...)
    """
    U, v = check_params(U, v)
    a = as_float(a, "a", min_ndim=1)
    check_last_dim(a, U.shape[-1], "a")
    return _param_grad_norm(U, v, a)


def _param_grad_norm(U: np.ndarray, v: np.ndarray, a: np.ndarray) -> np.ndarray:
    Ua = (U @ a[..., None])[..., 0]
    sq = np.sum(v * v, axis=-1) * np.sum(a * a, axis=-1) + np.sum(Ua * Ua, axis=-1)
    return np.sqrt(sq)


def _check_problem(problem: Any) -> None:
    if not isinstance(problem, Problem):
        raise ValueError(f"problem must be a Problem instance, got {type(problem).__name__}")


def _relu_outputs(U: np.ndarray, v: np.ndarray, XT: np.ndarray) -> np.ndarray:
    return (v[..., None, :] @ np.maximum(U @ XT, 0.0))[..., 0, :]


def relu_outputs(U: Any, v: Any, X: Any) -> np.ndarray:
    """Outputs of the ReLU model ``f(x) = vᵀ relu(Ux)`` on each row of ``X``.

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    X : array_like, shape (n, d)
        Inputs, one per row.

    Returns
    -------
    numpy.ndarray, shape (..., n)
    """
    U, v = check_params(U, v)
    X = as_float(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got {X.shape}")
    check_last_dim(X, U.shape[-1], "X")
    return _relu_outputs(U, v, X.T)


def _relu_grads(problem: Problem, U: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    Z = U @ problem._XT  # (..., k, n)
    H = np.maximum(Z, 0.0)
    f = (v[..., None, :] @ H)[..., 0, :]
    g = problem.dloss_doutputs(f)  # (..., n)
    dv = (H @ g[..., None])[..., 0]
    dU = ((Z > 0.0) * (v[..., :, None] * g[..., None, :])) @ problem.X
    return dU, dv


def relu_grads(problem: Problem, U: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
    """Parameter gradients of the ReLU model, with ``relu'(0) = 0``.

    ``∂L/∂v_i = Σ_j g_j relu(u_iᵀx_j)`` and ``∂L/∂u_i = v_i Σ_j g_j 1[u_iᵀx_j > 0] x_j``,
    where ``g = problem.dloss_doutputs(f)``.

    Parameters
    ----------
    problem : Problem
        The loss (its data ``X`` are the inputs).
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.

    Returns
    -------
    dU : numpy.ndarray, shape (..., k, d)
    dv : numpy.ndarray, shape (..., k)
    """
    _check_problem(problem)
    U, v = check_params(U, v)
    check_last_dim(U, problem.d, "U")
    return _relu_grads(problem, U, v)
