"""The demo tour's content: one JSON file per demo in ``resources/demos/``.

A demo file holds an id, a title, its place in the tour, the narration (HTML
with Unicode formulas), a "try this" prompt, the scene (any SceneState fields;
the rest keep their defaults), the panels to emphasise and the live read-outs
to show. Adding a demo needs no code: drop a file in the folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .state import PANELS, SceneState, StateError

REQUIRED = ("id", "title", "order", "narration", "try", "scene")


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

    @property
    def state(self) -> SceneState:
        """The demo's scene as a validated state (a fresh copy every time)."""
        return SceneState.from_dict({**json.loads(json.dumps(self.scene)), "demo": self.id})


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
