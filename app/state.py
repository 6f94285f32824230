"""The scene's state: one immutable value that says everything a run depends on.

A ``SceneState`` is plain data (numbers, tuples, strings). The runs are a pure
function of it (see ``runs.py``), so undo, scene files, ghosts and demos are all
just stored states. Every change goes through :func:`validated`, which either
returns a state whose every number is finite and in range or raises
:class:`StateError` with a message fit to show the user.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, replace
from typing import Any

from overparam_core import OPTIMIZERS, balanced_factorization

PROBLEMS = ("whitened", "single", "anisotropic", "logistic", "l4")
PROBLEM_TITLES = {
    "whitened": "Whitened regression",
    "single": "Single example (x, y)",
    "anisotropic": "Anisotropic regression",
    "logistic": "Logistic, separable",
    "l4": "ℓ4 regression",
}
INITS = ("balanced", "random", "hand")
MODELS = ("linear", "relu")
OVERLAYS = ("arrows", "ellipse", "contributions", "theory", "one_step")
PANELS = ("units", "balance", "timeseries", "controls", "tour")

MAX_WIDTH = 8
MAX_ENSEMBLE = 1000
MAX_STEPS = 200_000
LR_RANGE = (1e-5, 10.0)
COORD_LIMIT = 1e3  # any coordinate a user can set: targets, points, weights


def _default_init() -> tuple[tuple, tuple]:
    """The default start: the balanced factorization of w0 = (0.25, 0.25) with k = 2."""
    U, v = balanced_factorization([0.25, 0.25], 2)
    return tuple(tuple(float(x) for x in row) for row in U), tuple(float(x) for x in v)


_DEFAULT_U0, _DEFAULT_V0 = _default_init()


class StateError(ValueError):
    """A change the scene refuses; the message is shown to the user as is."""


Vec = tuple[float, ...]
Mat = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class SceneState:
    """Everything the runs depend on, plus what the views emphasise.

    Weights are stored explicitly (``U0``, ``v0``) for the primary init; the
    ``init`` fields say how they were made, so that moving ``w0`` can make a
    new member of the same family.
    """

    problem: str = "whitened"
    target: Vec = (2.0, 1.0)
    points: Mat = ()  # data x_j in the input plane (anisotropic, logistic, l4)
    labels: Vec = ()  # y_j = ±1 for logistic
    single_x: Vec = (1.0, 0.5)
    single_y: float = 1.0
    model: str = "linear"
    U0: Mat = _DEFAULT_U0
    v0: Vec = _DEFAULT_V0
    init: str = "balanced"
    lam: float = 0.0
    alpha: float = 1.0
    variants: tuple[dict, ...] = ()  # extra inits derived from the primary (demos)
    variant_labels: tuple[str, ...] = ()
    ensemble: int = 0
    seed: int = 0
    optimizers: tuple[str, ...] = ("gd",)
    show_canonical: bool = True
    lr: float = 0.05
    steps: int = 300
    overlays: frozenset = frozenset({"arrows"})
    hidden: frozenset = frozenset()
    locked: frozenset = frozenset()
    demo: str = ""

    # -- derived ---------------------------------------------------------
    @property
    def k(self) -> int:
        return len(self.v0)

    @property
    def d(self) -> int:
        return len(self.U0[0]) if self.U0 else 2

    @property
    def w0(self) -> Vec:
        return tuple(sum(self.v0[i] * self.U0[i][j] for i in range(self.k)) for j in range(self.d))

    @property
    def optimizer(self) -> str:
        return self.optimizers[0]

    def to_dict(self) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, tuple):
                value = _listify(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SceneState":
        """Build and validate a state from plain data (a scene file or a demo)."""
        if not isinstance(data, dict):
            raise StateError("the scene must be a JSON object")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise StateError(f"unknown scene field(s): {', '.join(sorted(unknown))}")
        return validated(replace(cls(), **_coerce(data)))


def _listify(value):
    if isinstance(value, tuple):
        return [_listify(x) for x in value]
    if isinstance(value, dict):
        return {k: _listify(x) for k, x in value.items()}
    return value


def _tuplify(value):
    if isinstance(value, list):
        return tuple(_tuplify(x) for x in value)
    return value


def _coerce(data: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON lists into the tuples and frozensets the dataclass holds."""
    out = {}
    for name, value in data.items():
        if name in ("overlays", "hidden", "locked"):
            if not isinstance(value, list | tuple):
                raise StateError(f"'{name}' must be a list")
            value = frozenset(value)
        elif name == "variants":
            if not isinstance(value, list | tuple) or not all(isinstance(v, dict) for v in value):
                raise StateError("'variants' must be a list of objects")
            value = tuple(dict(v) for v in value)
        else:
            value = _tuplify(value)
        out[name] = value
    return out


# -- validation -----------------------------------------------------------------

def finite_number(name: str, value: Any, lo: float | None = None, hi: float | None = None) -> float:
    """``value`` as a float, or a StateError naming ``name`` and the range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StateError(f"{name} must be a number")
    x = float(value)
    if not math.isfinite(x):
        raise StateError(f"{name} must be a finite number, not {value}")
    if lo is not None and x < lo or hi is not None and x > hi:
        raise StateError(f"{name} must lie between {lo:g} and {hi:g}, not {x:g}")
    return x


def _vector(name: str, value: Any, length: int | None = None) -> Vec:
    if not isinstance(value, tuple) or (length is not None and len(value) != length):
        want = f"{length} numbers" if length is not None else "a list of numbers"
        raise StateError(f"{name} must be {want}")
    return tuple(finite_number(f"{name}[{i}]", x, -COORD_LIMIT, COORD_LIMIT) for i, x in enumerate(value))


def _integer(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise StateError(f"{name} must be a whole number")
    if not lo <= value <= hi:
        raise StateError(f"{name} must lie between {lo} and {hi}, not {value}")
    return int(value)


def _choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise StateError(f"{name} must be one of {', '.join(options)}, not {value!r}")
    return value


def validated(s: SceneState) -> SceneState:
    """Check every field of ``s``; return it normalised or raise StateError."""
    _choice("problem", s.problem, PROBLEMS)
    _choice("model", s.model, MODELS)
    _choice("init", s.init, INITS)
    if not isinstance(s.optimizers, tuple) or not s.optimizers:
        raise StateError("optimizers must be a non-empty list")
    for opt in s.optimizers:
        _choice("optimizer", opt, OPTIMIZERS)
    if s.model == "relu":
        bad = [o for o in s.optimizers if o not in ("gd", "flow", "path-sgd")]
        if bad:
            raise StateError(f"the ReLU network trains with gd, flow or path-sgd, not {bad[0]}")
    if not isinstance(s.U0, tuple) or not s.U0:
        raise StateError("U0 must be a non-empty list of rows")
    k = len(s.U0)
    if not 1 <= k <= MAX_WIDTH:
        raise StateError(f"width k must lie between 1 and {MAX_WIDTH}, not {k}")
    U0 = tuple(_vector(f"U0[{i}]", row, 2) for i, row in enumerate(s.U0))
    v0 = _vector("v0", s.v0, k)
    points = tuple(_vector(f"points[{j}]", p, 2) for j, p in enumerate(s.points)) if isinstance(s.points, tuple) else None
    if points is None:
        raise StateError("points must be a list of [x1, x2] pairs")
    labels = tuple(float(_integer(f"labels[{j}]", y, -1, 1)) for j, y in enumerate(s.labels)) if isinstance(s.labels, tuple) else None
    if labels is None or (s.problem == "logistic" and len(labels) != len(points)):
        raise StateError("labels must give one ±1 label per data point")
    if any(y == 0 for y in labels):
        raise StateError("labels must be +1 or −1")
    if s.problem in ("anisotropic", "logistic", "l4") and not points:
        raise StateError("this problem needs at least one data point")
    if s.problem == "logistic" and len(set(labels)) < 1:
        raise StateError("logistic regression needs labelled points")
    if not isinstance(s.variants, tuple):
        raise StateError("variants must be a list")
    for v in s.variants:
        _check_variant(v, k)
    labels_v = tuple(str(x) for x in s.variant_labels) if isinstance(s.variant_labels, tuple) else ()
    for name in ("overlays", "hidden", "locked"):
        if not isinstance(getattr(s, name), frozenset) or not all(isinstance(x, str) for x in getattr(s, name)):
            raise StateError(f"{name} must be a list of names")
    unknown = s.overlays - set(OVERLAYS)
    if unknown:
        raise StateError(f"unknown overlay {sorted(unknown)[0]!r}")
    if not isinstance(s.demo, str):
        raise StateError("demo must be a demo id")
    if not isinstance(s.show_canonical, bool):
        raise StateError("show_canonical must be true or false")
    return replace(
        s,
        target=_vector("target", s.target, 2),
        points=points,
        labels=labels,
        single_x=_vector("x", s.single_x, 2),
        single_y=finite_number("y", s.single_y, -COORD_LIMIT, COORD_LIMIT),
        U0=U0,
        v0=v0,
        lam=finite_number("λ", s.lam, 0.0, 100.0),
        alpha=finite_number("α", s.alpha, 1e-4, 100.0),
        variant_labels=labels_v,
        ensemble=_integer("ensemble size", s.ensemble, 0, MAX_ENSEMBLE),
        seed=_integer("seed", s.seed, 0, 2**31 - 1),
        lr=finite_number("learning rate η", s.lr, *LR_RANGE),
        steps=_integer("steps", s.steps, 0, MAX_STEPS),
    )


VARIANT_KINDS = ("rescale", "permute", "scale", "random", "balanced")


def _check_variant(v: dict, k: int) -> None:
    """A variant is a single-key object: how to derive an init from the primary."""
    if len(v) != 1 or next(iter(v)) not in VARIANT_KINDS:
        raise StateError(f"a variant must be one of {', '.join(VARIANT_KINDS)}, not {v!r}")
    kind, arg = next(iter(v.items()))
    if kind == "rescale":
        c = _vector("rescale", _tuplify(arg) if isinstance(arg, list) else (arg,) * k, k)
        if any(x == 0 for x in c):
            raise StateError("a rescaling factor cannot be 0")
    elif kind == "permute":
        if sorted(_tuplify(arg) if isinstance(arg, list | tuple) else ()) != list(range(k)):
            raise StateError(f"permute needs a reordering of 0..{k - 1}")
    elif kind == "scale":
        finite_number("scale", arg, 1e-6, 1e3)
    elif kind == "random":
        _integer("random seed", arg, 0, 2**31 - 1)
    elif kind == "balanced":
        finite_number("λ", arg, 0.0, 100.0)
