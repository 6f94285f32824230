"""From a scene state to the runs it shows: the only place the app calls the engine.

``build_problem`` and ``build_inits`` turn a :class:`SceneState` into engine
inputs; ``compute`` runs every optimizer on every init in one batched call per
optimizer. A :class:`RunSet` is a list of :class:`RunGroup` (one batched
trajectory each) that the views draw and the exporters write.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

import overparam_core as core

from .state import SceneState

# Data a problem starts with when the user switches to it.
DEFAULT_POINTS = {
    "anisotropic": ((2.0, 0.0), (-2.0, 0.0), (0.0, 0.5), (0.0, -0.5)),
    "l4": ((1.5, 0.3), (-0.4, 1.2), (0.8, -1.0), (-1.2, -0.6)),
    "logistic": ((1.0, 1.2), (1.6, 0.4), (0.6, 1.8), (-1.0, -0.8), (-1.5, -0.2), (-0.4, -1.6)),
}
DEFAULT_LABELS = {"logistic": (1.0, 1.0, 1.0, -1.0, -1.0, -1.0)}

# Records kept per group are capped so that memory stays bounded however long
# the player runs: past a cap every other record is dropped (see extend). The
# record cap also bounds what a view draws per path.
MAX_RECORDS = 20_000
MAX_GROUP_BYTES = 160 * 2**20


def build_problem(s: SceneState):
    """The engine problem for ``s``."""
    target = np.array(s.target)
    X = np.array(s.points, dtype=float).reshape(-1, 2)
    if s.problem == "whitened":
        return core.whitened_regression(target)
    if s.problem == "single":
        return core.single_example(np.array(s.single_x), s.single_y)
    if s.problem == "anisotropic":
        return core.Regression(X, X @ target)
    if s.problem == "l4":
        return core.LpRegression(X, X @ target, 4)
    return core.Logistic(X, np.array(s.labels))


def minimiser(s: SceneState) -> np.ndarray | None:
    """Where L(w) is smallest, or None when it is not attained (logistic)."""
    if s.problem == "logistic":
        return None
    if s.problem == "single":
        x = np.array(s.single_x)
        nx = float(x @ x)
        return x * s.single_y / nx if nx > 0 else None
    return np.array(s.target)


def primary_init(s: SceneState) -> tuple[np.ndarray, np.ndarray]:
    return np.array(s.U0, dtype=float), np.array(s.v0, dtype=float)


def variant_init(s: SceneState, variant: dict) -> tuple[np.ndarray, np.ndarray]:
    """Derive one extra init from the primary, as a demo file describes it."""
    U, v = primary_init(s)
    kind, arg = next(iter(variant.items()))
    if kind == "rescale":
        c = np.array(arg, dtype=float) if isinstance(arg, list | tuple) else float(arg)
        return core.rescale(U, v, c)
    if kind == "permute":
        return core.permute(U, v, np.array(arg, dtype=int))
    if kind == "scale":
        return U * arg, v * arg
    w0 = core.canonical(U, v)
    if kind == "random":
        Ur, vr = core.random_fiber(w0, s.k, 1, scale=s.alpha, rng=int(arg))
        return Ur[0], vr[0]
    return core.balanced_factorization(w0, s.k, lam=float(arg))


def build_inits(s: SceneState) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Primary init, then the variants: stacked ``(n, k, d)``, ``(n, k)`` and labels."""
    pairs = [primary_init(s)] + [variant_init(s, v) for v in s.variants]
    labels = ["init"] + [
        s.variant_labels[i] if i < len(s.variant_labels) else _variant_label(v)
        for i, v in enumerate(s.variants)
    ]
    U = np.stack([p[0] for p in pairs])
    v = np.stack([p[1] for p in pairs])
    return U, v, labels


def _variant_label(variant: dict) -> str:
    kind, arg = next(iter(variant.items()))
    if kind == "rescale":
        return "rescaled c=" + (", ".join(f"{c:g}" for c in arg) if isinstance(arg, list | tuple) else f"{arg:g}")
    if kind == "permute":
        return "permuted " + "".join(str(i + 1) for i in arg)
    if kind == "scale":
        return f"scaled ×{arg:g}"
    if kind == "random":
        return f"random fiber member #{arg}"
    return f"λ-balanced, λ={arg:g}"


def ensemble_inits(s: SceneState) -> tuple[np.ndarray, np.ndarray]:
    """``s.ensemble`` random members of the fiber of w0, reproducible from the seed."""
    U, v = primary_init(s)
    return core.random_fiber(core.canonical(U, v), s.k, s.ensemble, scale=s.alpha, rng=s.seed)


@dataclass
class RunGroup:
    """Runs that share an optimizer and a role, batched along axis 1 of ``traj``.

    role is ``"main"`` (primary init and variants), ``"canonical"`` (GD on w
    from each main run's w0) or ``"ensemble"`` (random members of the fiber).
    """

    role: str
    optimizer: str
    labels: list[str]
    traj: core.Trajectory
    init_index: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.labels)

    def record_index(self, step: int) -> int:
        """The last record at or before ``step``."""
        return int(np.clip(np.searchsorted(self.traj.step, step, side="right") - 1, 0, len(self.traj.step) - 1))


@dataclass
class RunSet:
    """Everything computed for one scene state."""

    groups: list[RunGroup]
    problem: object

    @property
    def main(self) -> list[RunGroup]:
        return [g for g in self.groups if g.role == "main"]

    @property
    def primary(self) -> RunGroup:
        return self.main[0]

    def group(self, role: str, optimizer: str | None = None) -> RunGroup | None:
        for g in self.groups:
            if g.role == role and (optimizer is None or g.optimizer == optimizer):
                return g
        return None

    @property
    def steps(self) -> np.ndarray:
        return self.primary.traj.step

    @property
    def horizon(self) -> int:
        """The last step computed."""
        return int(self.primary.traj.step[-1])


def compute(s: SceneState, steps: int | None = None, with_ensemble: bool = True) -> RunSet:
    """Run every optimizer of ``s`` on every init, to ``steps`` (default ``s.steps``)."""
    steps = s.steps if steps is None else steps
    problem = build_problem(s)
    U, v, labels = build_inits(s)
    every = _stride(steps, max(len(labels), s.ensemble), s.k)
    groups = []
    for opt in s.optimizers:
        traj = core.simulate(problem, U, v, optimizer=opt, lr=s.lr, steps=steps, every=every, model=s.model)
        groups.append(RunGroup("main", opt, list(labels), traj, list(range(len(labels)))))
    if s.show_canonical and s.model == "linear" and "canonical" not in s.optimizers:
        traj = core.simulate(problem, U, v, optimizer="canonical", lr=s.lr, steps=steps, every=every)
        groups.append(RunGroup("canonical", "canonical", [f"{l} · canonical GD" for l in labels], traj, list(range(len(labels)))))
    if with_ensemble and s.ensemble > 0:
        groups.extend(compute_ensemble(s, problem, steps, every))
    return RunSet(groups, problem)


def compute_ensemble(s: SceneState, problem, steps: int, every: int, members: range | None = None) -> list[RunGroup]:
    """Fiber members ``members`` (default: all) under each optimizer, one group per optimizer."""
    members = range(s.ensemble) if members is None else members
    Ue, ve = ensemble_inits(s)
    part = slice(members.start, members.stop)
    return [
        RunGroup("ensemble", opt, [f"fiber member {i + 1}" for i in members],
                 core.simulate(problem, Ue[part], ve[part], optimizer=opt, lr=s.lr, steps=steps, every=every, model=s.model))
        for opt in s.optimizers
    ]


def _record_bytes(batch: int, k: int, d: int = 2) -> int:
    """Bytes one record of a group of ``batch`` runs holds: w, U, v and three scalars."""
    return batch * (d + k * d + k + 3) * 8


def _stride(steps: int, batch: int, k: int) -> int:
    """Smallest power-of-two record stride that keeps a group of ``batch`` runs within the caps."""
    every = 1
    while (steps // every + 1) > MAX_RECORDS or (steps // every + 1) * _record_bytes(batch, k) > MAX_GROUP_BYTES:
        every *= 2
    return every


def extend(runs: RunSet, more: int) -> RunSet:
    """Continue every run at least ``more`` steps from its last record, keeping memory bounded.

    Runs continue exactly (the engine restarts from the stored state), so playing
    past the horizon gives the same records as computing further at once. When a
    group would pass the caps, every group drops every other record, so all
    groups keep one stride and memory stays bounded however long the play.
    """
    every = runs.primary.traj.every
    n_new = max(-(-more // every), 1) * every
    groups = []
    for g in runs.groups:
        t = g.traj
        if t.U is not None:
            U0, v0 = t.U[-1], t.v[-1]
        else:  # canonical: any factorization of w continues GD on w exactly
            U0, v0 = t.w[-1][..., None, :], np.ones(t.w[-1].shape[:-1] + (1,))
        alive = ~t.diverged
        U0 = np.where(alive[..., None, None], U0, 0.0)  # dead runs restart from a harmless point...
        v0 = np.where(alive[..., None], v0, 0.0)
        nxt = core.simulate(runs.problem, U0, v0, optimizer=g.optimizer, lr=t.lr, steps=n_new, every=every, model=t.model)
        nxt.diverged_at = np.where(nxt.diverged, nxt.diverged_at + int(t.step[-1]), -1)
        groups.append(RunGroup(g.role, g.optimizer, g.labels, _concat(t, nxt, alive), g.init_index))
    while _too_big(groups):
        groups = [dataclasses.replace(g, traj=_decimate(g.traj)) for g in groups]
    return RunSet(groups, runs.problem)


RECORD_FIELDS = ("w", "U", "v", "loss", "grad_norm", "canonical_grad_norm")


def _too_big(groups: list[RunGroup]) -> bool:
    return any(
        len(g.traj.step) > 3 and (
            len(g.traj.step) > MAX_RECORDS
            or len(g.traj.step) * _record_bytes(g.size, g.traj.U.shape[-2] if g.traj.U is not None else 1) > MAX_GROUP_BYTES)
        for g in groups
    )


def _decimate(t: core.Trajectory) -> core.Trajectory:
    """Keep record 0 and every other one after it: the stride doubles and stays uniform."""
    fields = {name: getattr(t, name)[::2] for name in RECORD_FIELDS if getattr(t, name) is not None}
    step = t.step[::2]
    return dataclasses.replace(t, **fields, step=step, time=step * t.lr, every=t.every * 2)


def _concat(a: core.Trajectory, b: core.Trajectory, alive: np.ndarray) -> core.Trajectory:
    """``a`` followed by ``b``, whose first record repeats a's last."""
    fields = {}
    for name in RECORD_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None:
            continue
        y = y[1:].copy()
        y[:, ~alive] = np.nan  # ...and stay NaN: a diverged run never comes back
        fields[name] = np.concatenate([x, y])
    step = np.concatenate([a.step, b.step[1:] + a.step[-1]])
    return dataclasses.replace(
        a, **fields, step=step, time=step * a.lr,
        diverged=a.diverged | b.diverged, diverged_at=np.where(a.diverged, a.diverged_at, b.diverged_at),
    )


def concat_runs(a: core.Trajectory, b: core.Trajectory) -> core.Trajectory:
    """Two batches of runs over the same steps, side by side (batch axis 1)."""
    fields = {name: np.concatenate([getattr(a, name), getattr(b, name)], axis=1)
              for name in RECORD_FIELDS if getattr(a, name) is not None}
    return dataclasses.replace(
        a, **fields, diverged=np.concatenate([a.diverged, b.diverged]),
        diverged_at=np.concatenate([a.diverged_at, b.diverged_at]),
    )
