"""Per-record quantities the time series plot, derived from a trajectory (no Qt)."""

from __future__ import annotations

import numpy as np

import overparam_core as core


def _memo(fn):
    """Compute once per trajectory: views ask for the same series on every frame.

    Trajectories are never modified after they are made (extending or merging
    runs makes new ones), so the result can live on the object itself.
    """
    key = f"_series_{fn.__name__}"

    def wrapper(traj):
        cache = traj.__dict__.setdefault("_series_cache", {})
        if key not in cache:
            cache[key] = fn(traj)
        return cache[key]

    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    return wrapper


@_memo
def weight_norm_sq(traj: core.Trajectory) -> np.ndarray:
    """‖θ‖² = ‖U‖_F² + ‖v‖² per record, ``(T, n)``; for canonical GD, ‖w‖²."""
    with np.errstate(all="ignore"):
        if traj.U is None:
            return np.sum(traj.w**2, axis=-1)
        return np.sum(traj.U**2, axis=(-2, -1)) + np.sum(traj.v**2, axis=-1)


@_memo
def conserved_drift(traj: core.Trajectory) -> np.ndarray | None:
    """‖D(t) − D(0)‖_F with D = UUᵀ − vvᵀ, ``(T, n)``; None for canonical GD."""
    if traj.U is None:
        return None
    with np.errstate(all="ignore"):  # diverged runs hold NaN; core.conserved would refuse them
        D = traj.U @ np.swapaxes(traj.U, -1, -2) - traj.v[..., :, None] * traj.v[..., None, :]
        return np.sqrt(np.sum((D - D[:1]) ** 2, axis=(-2, -1)))


@_memo
def amplification(traj: core.Trajectory) -> np.ndarray:
    """‖∇θL‖ / ‖∇wL‖, which is √(âᵀPâ) for gd and flow: how much the weights amplify the gradient."""
    with np.errstate(all="ignore"):
        ratio = traj.grad_norm / traj.canonical_grad_norm
    return np.where(np.isfinite(ratio), ratio, np.nan)


def positive_log10(x: np.ndarray, floor: float = 1e-300) -> np.ndarray:
    """log₁₀ for plotting on a log axis: zeros are floored, NaN stays NaN."""
    with np.errstate(all="ignore"):
        return np.log10(np.where(x > floor, x, floor))
