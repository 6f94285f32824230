"""The demo tour's content: one JSON file per demo in ``resources/demos/``.

A demo file holds an id, a title, its place in the tour, the narration (HTML
with Unicode formulas), a "try this" prompt, the scene (any SceneState fields;
the rest keep their defaults), the panels to emphasise and the live read-outs
to show. Adding a demo needs no code: drop a file in the folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .state import PANELS, SceneState, StateError

REQUIRED = ("id", "title", "order", "narration", "try", "scene")
CONTROL_FIELDS = {"toggle": ("optimizer", "model"), "slider": ("lr", "lam", "alpha")}


@dataclass(frozen=True)
class DemoControl:
    """A control the tour panel shows for one demo: a toggle between values, or a slider."""

    kind: str
    field: str
    label: str
    values: tuple = ()
    lo: float = 0.0
    hi: float = 1.0
    log: bool = False


def parse_control(data: dict, source: str) -> DemoControl:
    kind, field_ = data.get("kind"), data.get("field")
    if kind not in CONTROL_FIELDS or field_ not in CONTROL_FIELDS[kind]:
        raise StateError(f"{source}: a control must be a toggle of {CONTROL_FIELDS['toggle']} "
                         f"or a slider of {CONTROL_FIELDS['slider']}, not {kind!r} of {field_!r}")
    if kind == "toggle":
        values = tuple(data.get("values", ()))
        if len(values) < 2:
            raise StateError(f"{source}: a toggle needs at least two values")
        return DemoControl(kind, field_, str(data.get("label", field_)), values=values)
    lo, hi = float(data.get("min", 0)), float(data.get("max", 1))
    if not lo < hi or (data.get("log") and lo <= 0):
        raise StateError(f"{source}: a slider needs 0 < min < max (log) or min < max")
    return DemoControl(kind, field_, str(data.get("label", field_)), lo=lo, hi=hi, log=bool(data.get("log")))


@dataclass(frozen=True)
class Demo:
    id: str
    title: str
    order: int
    narration: str
    try_this: str
    scene: dict
    emphasise: tuple[str, ...] = ()
    readouts: tuple[str, ...] = ()
    controls: tuple[DemoControl, ...] = ()
    speed: int = 2  # steps per frame when played

    @property
    def state(self) -> SceneState:
        """The demo's scene as a validated state.

        Besides SceneState's own fields a demo may give ``"w0"`` (and ``"k"``)
        instead of ``U0``/``v0``: the init is then made on the fiber of w0 by
        the demo's init rule (λ-balanced by default).
        """
        data = {**json.loads(json.dumps(self.scene)), "demo": self.id}
        w0, k = data.pop("w0", None), data.pop("k", None)
        if w0 is None and k is None:
            return SceneState.from_dict(data)
        # variants are checked against the width, so they go back on after the init is made
        variants = {name: data.pop(name) for name in ("variants", "variant_labels") if name in data}
        from . import edits

        state = SceneState.from_dict(data)
        w = np.array(state.w0 if w0 is None else w0, dtype=float)
        state = edits.factorize(state, w, k=int(k) if k is not None else state.k)
        return SceneState.from_dict({**state.to_dict(), **variants})


def parse_demo(data: dict, source: str = "demo") -> Demo:
    """Check one demo's data; StateError names the file and what is wrong."""
    if not isinstance(data, dict):
        raise StateError(f"{source}: a demo must be a JSON object")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise StateError(f"{source}: missing {', '.join(missing)}")
    from .readouts import READOUTS

    unknown = [r for r in data.get("readouts", []) if r not in READOUTS]
    if unknown:
        raise StateError(f"{source}: unknown read-out {unknown[0]!r}")
    bad_panels = [p for p in data.get("emphasise", []) if p not in PANELS + ("wplane",)]
    if bad_panels:
        raise StateError(f"{source}: unknown panel {bad_panels[0]!r}")
    demo = Demo(
        id=str(data["id"]), title=str(data["title"]), order=int(data["order"]),
        narration=str(data["narration"]), try_this=str(data["try"]), scene=dict(data["scene"]),
        emphasise=tuple(data.get("emphasise", ())), readouts=tuple(data.get("readouts", ())),
        controls=tuple(parse_control(c, source) for c in data.get("controls", ())),
        speed=int(data.get("speed", 2)),
    )
    try:
        demo.state
    except StateError as err:
        raise StateError(f"{source}: {err}") from None
    return demo


@lru_cache(maxsize=1)
def load_demos() -> tuple[Demo, ...]:
    """Every demo in ``resources/demos``, in tour order."""
    folder = resources.files("resources").joinpath("demos")
    demos = [
        parse_demo(json.loads(f.read_text(encoding="utf-8")), f.name)
        for f in folder.iterdir() if f.name.endswith(".json")
    ]
    return tuple(sorted(demos, key=lambda d: (d.order, d.id)))


def find_demo(demo_id: str) -> Demo | None:
    return next((d for d in load_demos() if d.id == demo_id), None)
