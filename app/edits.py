"""What each user action does to the scene state, as pure functions.

Every handler in the views ends in one of these: ``new = edits.move_w0(state, w)``.
They return a new :class:`SceneState` (validated by the scene before use), so
they are easy to test and to undo.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

import overparam_core as core

from .runs import DEFAULT_LABELS, DEFAULT_POINTS
from .state import COORD_LIMIT, SceneState, StateError, finite_number


def _xy(name: str, xy) -> np.ndarray:
    """A point a user moved, or StateError: two finite numbers within the coordinate limit."""
    try:
        p = np.asarray(xy, dtype=float).reshape(2)
    except (TypeError, ValueError):
        raise StateError(f"{name} must be two numbers") from None
    for x in p:
        finite_number(name, float(x), -COORD_LIMIT, COORD_LIMIT)
    return p


def _mat(U: np.ndarray) -> tuple:
    return tuple(tuple(float(x) for x in row) for row in U)


def _vec(v: np.ndarray) -> tuple:
    return tuple(float(x) for x in v)


def with_weights(s: SceneState, U: np.ndarray, v: np.ndarray, **changes) -> SceneState:
    if not (np.all(np.isfinite(U)) and np.all(np.isfinite(v))):
        raise StateError("the weights must be finite numbers")
    return replace(s, U0=_mat(U), v0=_vec(v), **changes)


def factorize(s: SceneState, w: np.ndarray, k: int | None = None) -> SceneState:
    """A new primary init on the fiber of ``w``, made by the state's init rule."""
    k = s.k if k is None else k
    w = np.asarray(w, dtype=float)
    if s.init == "random":
        U, v = core.random_fiber(w, k, 1, scale=s.alpha, rng=s.seed)
        return with_weights(s, U[0], v[0])
    if s.init == "hand" and k == s.k:
        # keep the hand-made units: shift U by the least change that moves w there
        U, v = np.array(s.U0), np.array(s.v0)
        nv = float(v @ v)
        if nv > 1e-12:
            return with_weights(s, U + np.outer(v, w - core.canonical(U, v)) / nv, v)
    lam = s.lam if k <= s.d else 0.0
    U, v = core.balanced_factorization(w, k, lam=lam)
    return with_weights(s, U, v, init="balanced" if s.init == "hand" else s.init)


def move_w0(s: SceneState, w) -> SceneState:
    return factorize(s, _xy("w₀", w))


def set_init(s: SceneState, init: str, lam: float | None = None, alpha: float | None = None) -> SceneState:
    """Switch the init rule (or its λ / α) and remake the init on the same fiber."""
    lam = s.lam if lam is None else finite_number("λ", lam, 0.0, 100.0)
    alpha = s.alpha if alpha is None else finite_number("α", alpha, 1e-4, 100.0)
    s2 = replace(s, init=init, lam=lam, alpha=alpha)
    if init == "balanced" and s2.lam > 0 and s.k > s.d:
        raise StateError(f"λ > 0 needs width k ≤ {s.d}; set λ = 0 or reduce k")
    if init == "hand":
        return s2
    return factorize(s2, np.array(s.w0))


def set_width(s: SceneState, k: int) -> SceneState:
    if not 1 <= k <= 8:
        raise StateError(f"width k must lie between 1 and 8, not {k}")
    s2 = replace(s, variants=(), variant_labels=())  # variants are tied to one width
    if s2.init == "balanced" and s2.lam > 0 and k > s.d:
        s2 = replace(s2, lam=0.0)
    return factorize(s2, np.array(s.w0), k=k)


def move_unit(s: SceneState, i: int, u) -> SceneState:
    """Drag unit i's input weights ``u_i`` in the input plane (w0 follows)."""
    U = np.array(s.U0)
    U[i] = _xy(f"u{i + 1}", u)
    return with_weights(s, U, np.array(s.v0), init="hand")


def set_unit_output(s: SceneState, i: int, value: float) -> SceneState:
    v = np.array(s.v0)
    v[i] = finite_number(f"v{i + 1}", value, -COORD_LIMIT, COORD_LIMIT)
    return with_weights(s, np.array(s.U0), v, init="hand")


def rescale_unit(s: SceneState, i: int, c: float) -> SceneState:
    """Move unit i along its rescaling orbit: u_i → c u_i, v_i → v_i / c. w0 stays."""
    c = finite_number("the rescaling factor c", c, -1e6, 1e6)
    if abs(c) < 1e-6:
        raise StateError("a rescaling factor must be a non-zero number (|c| ≥ 1e-6)")
    if s.model == "relu" and c < 0:
        raise StateError("a ReLU unit can only be rescaled by c > 0")
    cs = np.ones(s.k)
    cs[i] = c
    U, v = core.rescale(np.array(s.U0), np.array(s.v0), cs)
    return with_weights(s, U, v, init="hand")


def set_target(s: SceneState, w) -> SceneState:
    return replace(s, target=_vec(_xy("the target w*", w)))


def set_single_x(s: SceneState, x) -> SceneState:
    return replace(s, single_x=_vec(_xy("x", x)))


def move_point(s: SceneState, j: int, x) -> SceneState:
    points = list(s.points)
    points[j] = _vec(_xy(f"x{j + 1}", x))
    return replace(s, points=tuple(points))


def add_point(s: SceneState, x, label: float = 1.0) -> SceneState:
    labels = s.labels + (float(label),) if s.problem == "logistic" else s.labels
    return replace(s, points=s.points + (_vec(_xy("the new point", x)),), labels=labels)


def remove_point(s: SceneState, j: int) -> SceneState:
    if len(s.points) <= 1:
        raise StateError("the problem needs at least one data point")
    labels = s.labels[:j] + s.labels[j + 1:] if s.problem == "logistic" else s.labels
    return replace(s, points=s.points[:j] + s.points[j + 1:], labels=labels)


def set_problem(s: SceneState, problem: str) -> SceneState:
    """Switch the loss; a data problem starts from its own default data."""
    if problem in DEFAULT_POINTS and problem != s.problem:
        return replace(s, problem=problem, points=DEFAULT_POINTS[problem], labels=DEFAULT_LABELS.get(problem, ()))
    return replace(s, problem=problem)


def set_optimizer(s: SceneState, optimizer: str) -> SceneState:
    """Make ``optimizer`` the primary one; a demo's other optimizers stay."""
    return replace(s, optimizers=(optimizer,) + tuple(o for o in s.optimizers[1:] if o != optimizer))


def toggle_overlay(s: SceneState, name: str, on: bool) -> SceneState:
    return replace(s, overlays=s.overlays | {name} if on else s.overlays - {name})


def set_lam(s: SceneState, lam: float) -> SceneState:
    """λ of the λ-balanced init (switches the init rule to λ-balanced)."""
    return set_init(s, "balanced", lam=lam)


def set_alpha(s: SceneState, alpha: float) -> SceneState:
    """Scale α of the random init (switches the init rule to random)."""
    return set_init(s, "random", alpha=alpha)


def set_seed(s: SceneState, seed: int) -> SceneState:
    """A new seed redraws the random init and the ensemble."""
    s2 = replace(s, seed=int(seed))
    return factorize(s2, np.array(s.w0)) if s.init == "random" else s2
