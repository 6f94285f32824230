"""Closed forms drawn over the runs (no Qt): what theory says the primary run should do."""

from __future__ import annotations

import numpy as np

import overparam_core as core

from .runs import RunSet
from .state import SceneState


def balanced_lambda(s: SceneState, tol: float = 1e-9) -> float | None:
    """λ if the primary init is λ-balanced (UUᵀ − vvᵀ = λI), else None."""
    U, v = np.array(s.U0), np.array(s.v0)
    D = core.conserved(U, v)
    lam = float(np.trace(D)) / s.k
    if lam < -tol or (lam > tol and s.k > s.d):
        return None
    scale = max(1.0, float(np.max(np.abs(D))))
    return max(lam, 0.0) if np.max(np.abs(D - lam * np.eye(s.k))) <= tol * scale else None


def end_to_end_path(s: SceneState, runs: RunSet) -> np.ndarray | None:
    """Arora et al.'s end-to-end flow from w0 at the primary's record steps, ``(T, d)``.

    Only defined when the primary init is λ-balanced and the model linear; it
    predicts gradient flow (and gd to first order in η).
    """
    lam = balanced_lambda(s)
    if lam is None or s.model != "linear":
        return None
    t = runs.primary.traj
    T = len(t.step)
    if T < 2:
        return np.array(s.w0)[None]
    try:
        with np.errstate(all="ignore"):
            path = core.balanced_flow(runs.problem, np.array(s.w0), lam, float(t.step[-1]) * s.lr, int(t.step[-1]))
    except ValueError:
        return None
    return path[t.step]


def path_loss(problem, path: np.ndarray) -> np.ndarray:
    """L along a closed-form path; NaN where the path has left the finite range."""
    finite = np.all(np.isfinite(path), axis=-1)
    out = np.full(len(path), np.nan)
    if finite.any():
        out[finite] = problem.loss(path[finite])
    return out


def one_step_points(s: SceneState, U: np.ndarray, v: np.ndarray, problem) -> dict[str, np.ndarray]:
    """The seed's formula for one gd step from (U, v): canonical, first-order and exact points."""
    w = core.canonical(U, v)
    a = problem.grad(w)
    return {
        "w": w,
        "canonical": w - s.lr * a,
        "first_order": core.one_step_first_order(U, v, a, s.lr),
        "exact": core.one_step_exact(U, v, a, s.lr),
    }
