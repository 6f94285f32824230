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
    """How far apart the main runs' w have been so far, per optimizer."""
    parts = []
    for g in scene.runs.main:
        r = g.record_index(scene.playhead)
        w = g.traj.w[: r + 1]
        with np.errstate(all="ignore"):
            gap = float(np.nanmax(np.linalg.norm(w - w[:, :1], axis=-1))) if g.size > 1 else 0.0
        parts.append(f"{g.optimizer}: max ‖w − w_init‖ so far = {fmt(gap, 2)}")
    return " · ".join(parts)


def _w(scene):
    g, r = _primary(scene)
    w = g.traj.w[r, 0]
    return f"w = Uᵀv = ({fmt(w[0])}, {fmt(w[1])})"


def _fiber(scene):
    """All main inits share w0: the largest difference, and the parameter count."""
    import overparam_core as core
    from .runs import build_inits

    U, v, _ = build_inits(scene.state)
    w0 = core.canonical(U, v)
    gap = float(np.max(np.abs(w0 - w0[:1])))
    k, d = scene.state.k, scene.state.d
    return f"{len(w0)} factorizations, max |w₀ − w₀⁽¹⁾| = {fmt(gap, 2)} · {k * d + k} parameters → {d} numbers"


def _start_grad_norms(scene):
    g = scene.runs.primary
    return " · ".join(f"{g.labels[i]}: ‖∇θL‖₀ = {fmt(g.traj.grad_norm[0, i])}" for i in range(g.size))


def _derivatives(scene):
    s = scene.state
    x = np.array(s.single_x)
    g, r = _primary(scene)
    if g.traj.U is None:
        return f"∂f/∂w = x = ({fmt(x[0])}, {fmt(x[1])})"
    U, v = g.traj.U[r, 0], g.traj.v[r, 0]
    ux = U @ x
    vx = np.outer(v, x)
    return (f"∂f/∂w = x = ({fmt(x[0])}, {fmt(x[1])}) · ∂f/∂v = Ux = ({', '.join(fmt(z) for z in ux)}) · "
            f"‖∂f/∂U‖ = ‖v xᵀ‖ = {fmt(np.linalg.norm(vx))} · ‖∂f/∂θ‖² = xᵀPx = {fmt(ux @ ux + (v @ v) * (x @ x))}")


def _one_step(scene):
    from .theory_overlay import one_step_points

    g, r = _primary(scene)
    if g.traj.U is None:
        return "one step: —"
    p = one_step_points(scene.state, g.traj.U[r, 0], g.traj.v[r, 0], scene.runs.problem)
    gap = np.linalg.norm(p["exact"] - p["first_order"])
    return f"‖exact − first order‖ = η²|wᵀa|‖a‖ = {fmt(gap)} · ‖exact − canonical‖ = {fmt(np.linalg.norm(p['exact'] - p['canonical']))}"


def _kernel_change(scene):
    import overparam_core as core

    g, r = _primary(scene)
    if g.traj.U is None:
        return "P: —"
    P0 = core.preconditioner(g.traj.U[0, 0], g.traj.v[0, 0])
    P = core.preconditioner(g.traj.U[r, 0], g.traj.v[r, 0])
    return f"kernel change ‖P(t) − P(0)‖ / ‖P(0)‖ = {fmt(np.linalg.norm(P - P0) / np.linalg.norm(P0))}"


def _theory_gap(scene):
    from .theory_overlay import end_to_end_path

    path = end_to_end_path(scene.state, scene.runs)
    if path is None:
        return "closed form: needs a λ-balanced linear init"
    gaps = []
    for g in scene.runs.main:  # the primary init under each optimizer: the path starts from its w0
        r = g.record_index(scene.playhead)
        with np.errstate(all="ignore"):
            gap = float(np.nanmax(np.linalg.norm(g.traj.w[: r + 1, 0] - path[: r + 1], axis=-1)))
        gaps.append(f"{g.optimizer}: {fmt(gap, 2)}")
    return "max ‖w(t) − w_theory(t)‖ so far: " + " · ".join(gaps)


def _saxe_gap(scene):
    """‖w(t)‖ against Saxe et al.'s sigmoid u(t) = s e^{2st} / (e^{2st} − 1 + s/u₀), for each main run."""
    import overparam_core as core

    s = scene.state
    if s.problem != "whitened":
        return "Saxe's closed form needs whitened regression"
    star = float(np.linalg.norm(s.target))
    parts = []
    for g in scene.runs.main:
        r = g.record_index(scene.playhead)
        t = g.traj.time[: r + 1]
        for i in range(g.size):
            norms = np.linalg.norm(g.traj.w[: r + 1, i], axis=-1)
            u0 = float(norms[0])
            if u0 <= 0 or star <= 0:
                continue
            with np.errstate(all="ignore"):
                rel = float(np.nanmax(np.abs(norms - core.saxe_sigmoid(t, star, u0)) / star))
            parts.append(f"{g.labels[i]} ({g.optimizer}): {fmt(rel, 2)}")
    return "max |‖w(t)‖ − u(t)| / s so far: " + " · ".join(parts)


def _relu_gap(scene):
    """How far each variant's function is from the primary's at the init, on a grid of inputs."""
    import overparam_core as core
    from .runs import build_inits

    U, v, labels = build_inits(scene.state)
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 41), np.linspace(-3, 3, 41)), axis=-1).reshape(-1, 2)
    f = core.relu_outputs(U, v, grid)
    parts = [f"{labels[i]}: {fmt(float(np.max(np.abs(f[i] - f[0]))), 2)}" for i in range(1, len(labels))]
    return "max |f − f_init| over the plane at the start: " + " · ".join(parts)


READOUTS = {
    "loss": _loss,
    "w": _w,
    "grad_norm": _grad_norm,
    "canonical_grad_norm": _canonical_grad,
    "amplification": _amplification,
    "weights": _weights,
    "drift": _drift,
    "spread": _spread,
    "fiber": _fiber,
    "start_grad_norms": _start_grad_norms,
    "derivatives": _derivatives,
    "one_step": _one_step,
    "kernel_change": _kernel_change,
    "theory_gap": _theory_gap,
    "saxe_gap": _saxe_gap,
    "relu_gap": _relu_gap,
}


def readout(name: str, scene) -> str:
    return READOUTS[name](scene)
