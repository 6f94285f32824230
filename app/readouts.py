"""Live numbers for the tour panel: each a value at the playhead with its formula."""

from __future__ import annotations

import numpy as np

from . import series
from .views.common import fmt


def _primary(scene):
    g = scene.runs.primary
    return g, g.record_index(scene.playhead)


def _grad_norm(scene):
    g, r = _primary(scene)
    return f"‖∇θL‖ = √(aᵀPa) = {fmt(g.traj.grad_norm[r, 0])}"


def _canonical_grad(scene):
    g, r = _primary(scene)
    return f"‖∇wL‖ = ‖a‖ = {fmt(g.traj.canonical_grad_norm[r, 0])}"


def _amplification(scene):
    g, r = _primary(scene)
    return f"√(âᵀPâ) = {fmt(series.amplification(g.traj)[r, 0])}"


def _loss(scene):
    g, r = _primary(scene)
    return f"L(w) = {fmt(g.traj.loss[r, 0])}"


def _weights(scene):
    g, r = _primary(scene)
    return f"‖θ‖² = ‖U‖² + ‖v‖² = {fmt(series.weight_norm_sq(g.traj)[r, 0])}"


def _drift(scene):
    g, r = _primary(scene)
    d = series.conserved_drift(g.traj)
    return "‖ΔD‖: —" if d is None else f"‖D(t) − D(0)‖ = {fmt(d[r, 0])}  (D = UUᵀ − vvᵀ)"


def _spread(scene):
    """How far apart the main runs' w are at the playhead, per optimizer."""
    parts = []
    for g in scene.runs.main:
        r = g.record_index(scene.playhead)
        w = g.traj.w[r]
        gap = float(np.nanmax(np.linalg.norm(w - w[:1], axis=-1))) if g.size > 1 else 0.0
        parts.append(f"{g.optimizer}: max ‖w − w_init‖ = {fmt(gap, 2)}")
    return " · ".join(parts)


READOUTS = {
    "grad_norm": _grad_norm,
    "canonical_grad_norm": _canonical_grad,
    "amplification": _amplification,
    "loss": _loss,
    "weights": _weights,
    "drift": _drift,
    "spread": _spread,
}


def readout(name: str, scene) -> str:
    return READOUTS[name](scene)
