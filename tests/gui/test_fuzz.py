"""Fuzzing with hypothesis: the scene-file loader, every numeric field, and sequences of edits.

Each input is either accepted into a valid, computable state or refused politely
(SceneFileError, a message at the field, StateError/ValueError or a refusing
``scene.apply``) with the scene exactly as it was. Nothing else may happen: no
other exception, no warning (pytest turns warnings into errors), no NaN in a run
that did not diverge. One window per test is reused across examples.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from app import edits
from app import runs as runs_mod
from app.io.scene_file import SceneFileError, open_scene, parse_scene, scene_to_json
from app.panels.fields import parse_number
from app.scene import Scene
from app.state import SceneState, StateError, validated

from .monkey import check_consistent

GUI_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SMALL = replace(SceneState(), steps=60)


@pytest.fixture(scope="module")
def valid_doc():
    """A valid saved scene with a ghost, as a JSON document."""
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    scene = Scene(replace(SMALL, problem="logistic", points=runs_mod.DEFAULT_POINTS["logistic"],
                          labels=runs_mod.DEFAULT_LABELS["logistic"], ensemble=3, optimizers=("gd", "flow")))
    scene.pin_ghost()
    scene.set_playhead(17)
    return json.loads(scene_to_json(scene))


# -- JSON values and mutations ----------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 1e308, -1e308, 5e-324, 2**31, 2**63, 1e3, 1000.0000001, 0.5, -1, 1, 8, 9]),
)
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=12),
                   st.sampled_from(["gd", "relu", "hand", "whitened", "logistic", "arrows", "theory", "NaN", "Infinity"]))
JSONISH = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                       max_leaves=12)
VECTORS = st.lists(st.one_of(st.floats(-2e3, 2e3), NUMBERS), min_size=0, max_size=4)


def _paths(doc, prefix=()):
    """Every path (tuple of keys/indices) into a JSON document."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


def _set(doc, path, value):
    *head, last = path
    for p in head:
        doc = doc[p]
    doc[last] = value


def _delete(doc, path):
    *head, last = path
    for p in head:
        doc = doc[p]
    del doc[last]


@st.composite
def mutated_docs(draw, valid):
    """A valid scene document with a few fields dropped, replaced or wrong-sized, as text or bytes."""
    doc = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(0, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "vector", "drop", "wrap", "number"]))
        try:
            if action == "drop":
                _delete(doc, path)
            elif action == "vector":
                _set(doc, path, draw(VECTORS))
            elif action == "wrap":
                _set(doc, path, [draw(JSONISH)])
            elif action == "number":
                _set(doc, path, draw(NUMBERS))
            else:
                _set(doc, path, draw(JSONISH))
        except (KeyError, IndexError, TypeError):
            pass
    text = json.dumps(doc, allow_nan=True)  # NaN / Infinity literals on purpose
    how = draw(st.sampled_from(["text", "text", "text", "truncate", "bytes", "splice", "bom"]))
    if how == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if how == "bytes":
        return draw(st.binary(max_size=200))
    if how == "splice":
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(st.text(max_size=8)) + text[i:]
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    return text


def _check_loaded(loaded) -> None:
    """An accepted document: its states validate and their runs compute, finite unless diverged."""
    for state in [loaded.state] + [s for _, s in loaded.ghosts]:
        assert validated(state) == state
        runs = runs_mod.compute(state, steps=min(state.steps, 60))
        for g in runs.groups:
            for i in range(g.size):
                if not g.traj.diverged[i]:
                    assert np.all(np.isfinite(g.traj.w[:, i]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parse_scene_accepts_or_refuses(valid_doc, data):
    content = data.draw(mutated_docs(valid_doc))
    try:
        loaded = parse_scene(content)
    except SceneFileError as err:
        assert str(err).startswith("the scene ")
        event("refused")
        return
    event("accepted")
    _check_loaded(loaded)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=60), st.binary(max_size=60), JSONISH.map(lambda x: json.dumps(x, allow_nan=True))))
def test_parse_scene_on_garbage(text):
    with pytest.raises(SceneFileError):
        parse_scene(text)


@settings(max_examples=60, **GUI_SETTINGS)
@given(data=st.data())
def test_open_scene_file_round_trips(valid_doc, tmp_path_factory, qtbot, data):
    """Real files through open_scene: accepted → the file's state; refused → the live scene untouched."""
    scene = Scene(SMALL)
    scene.apply(edits.move_w0(scene.state, (0.5, -0.3)), "move")
    scene.pin_ghost()
    scene.set_playhead(5)
    content = data.draw(mutated_docs(valid_doc))
    try:
        pre = parse_scene(content)
    except SceneFileError:
        pre = None
    if pre is not None:  # opening computes every run to the file's horizon: keep examples quick
        states = [pre.state] + [s for _, s in pre.ghosts]
        assume(pre.playhead <= 2000 and all(s.steps <= 2000 and s.ensemble <= 50 for s in states))
    path = tmp_path_factory.mktemp("fuzz") / "scene.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    before = (scene.state, scene.playhead, list(scene.ghosts), scene.undo_stack.index(), scene.runs)
    try:
        loaded = open_scene(scene, path)
    except SceneFileError:
        event("refused")
        assert scene.state is before[0] and scene.playhead == before[1] and scene.runs is before[4]
        assert len(scene.ghosts) == len(before[2]) and all(a is b for a, b in zip(scene.ghosts, before[2]))
        assert scene.undo_stack.index() == before[3]
        return
    event("accepted")
    assert scene.state == loaded.state and scene.playhead == loaded.playhead
    assert len(scene.ghosts) == len(loaded.ghosts)
    _check_loaded(loaded)


# -- numeric fields ---------------------------------------------------------------------------

FIELD_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:g}"),
    st.integers(-10**25, 10**25).map(str),
    st.floats(0, 20).map(lambda x: f"{x:.3f}".replace(".", ",")),
    st.floats(0, 20).map(lambda x: f"−{x:g}"),
    st.sampled_from(["nan", "inf", "-inf", "1e308", "-1e308", "5e-324", "1e-320", "", " ", "abc", "0x1f", "1e",
                     "٣", "１", "1_000", "--1", "+5", "−5", "2147483647", "2147483648", "0.00001", "10", "9.9"]),
    st.text(max_size=10),
)


def _number_fields(window):
    c = window.controls
    fields = {"lr": c.lr, "lam": c.lam, "alpha": c.alpha, "ensemble": c.ensemble, "seed": c.seed, "steps": c.steps}
    for box in window.tour._control_widgets:
        if box.control.kind == "slider":
            fields[f"demo:{box.control.field}"] = box.field
    return fields


@pytest.mark.parametrize("demo", ["", "one-step", "lazy-rich"])
def test_number_fields_accept_or_refuse(make_window, qtbot, demo):
    window = make_window(SMALL)
    if demo:
        window.open_demo(demo)
    start = replace(window.scene_.state, steps=60)
    names = sorted(_number_fields(window))

    @settings(max_examples=120 if not demo else 50, **GUI_SETTINGS)
    @given(name=st.sampled_from(names), text=FIELD_TEXT, init=st.sampled_from(["balanced", "random", "hand"]))
    def run(name, text, init):
        scene = window.scene_
        if scene.state != replace(start, init=init):
            scene.replace_state(replace(start, init=init))
        fields = _number_fields(window)
        f = fields[name]
        if not f.isEnabled():
            return
        f.set_value(f.value())  # clear an earlier refusal, as the scene would
        before = scene.state
        try:
            x = parse_number(text, f.lo, f.hi, f.integer)
        except ValueError:
            x = None
        if name == "steps" and x is not None and x > 2000:
            return  # valid but slow to compute; its validity is the same as any other
        if name == "ensemble" and x is not None and x > 100:
            return
        f.edit.setText(text)
        f.edit.editingFinished.emit()
        event("refused at the field" if x is None else "unchanged" if scene.state is before else "accepted")
        if x is None:
            assert scene.state is before, f"refused {text!r} in {name} changed the state"
            assert f.error.text() and f.error.isVisibleTo(f), f"refused {text!r} in {name} shows no message"
        elif scene.state is before:
            # accepted by the field, but the value equals the old one, or the scene refused it with a message
            assert x == f.value() or f.error.text() or window.controls.message.text() or window.status.text(), \
                f"{text!r} in {name}: nothing changed and nothing said"
        else:
            assert validated(scene.state) == scene.state
            assert not f.error.text(), f"accepted {text!r} in {name} still shows {f.error.text()!r}"
        check_consistent(window, check_ghosts=False)

    run()


# -- edits ------------------------------------------------------------------------------------

COORD = st.one_of(st.floats(-5, 5), st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from([0.0, -0.0, 999.9, 1000.0, 1000.1, -1e3, 1e200, 1e308, 5e-324, 1e-300]))
XY = st.tuples(COORD, COORD)
OPT = st.sampled_from(["gd", "flow", "canonical", "path-sgd", "natural", "adam", ""])

EDITS = st.one_of(
    st.tuples(st.just("move_w0"), XY),
    st.tuples(st.just("set_target"), XY),
    st.tuples(st.just("set_single_x"), XY),
    st.tuples(st.just("move_unit"), st.integers(0, 7), XY),
    st.tuples(st.just("set_unit_output"), st.integers(0, 7), COORD),
    st.tuples(st.just("rescale_unit"), st.integers(0, 7), COORD),
    st.tuples(st.just("move_point"), st.integers(0, 7), XY),
    st.tuples(st.just("add_point"), XY, st.sampled_from([1.0, -1.0, 0.0, 2.0, math.nan])),
    st.tuples(st.just("remove_point"), st.integers(0, 7)),
    st.tuples(st.just("set_problem"), st.sampled_from(["whitened", "single", "anisotropic", "logistic", "l4", "x"])),
    st.tuples(st.just("set_optimizer"), OPT),
    st.tuples(st.just("set_width"), st.integers(-1, 10)),
    st.tuples(st.just("set_init"), st.sampled_from(["balanced", "random", "hand", "nope"])),
    st.tuples(st.just("set_lam"), st.one_of(st.floats(0, 6), COORD)),
    # α below ~1e-150 hangs random_fiber (known app bug, test_set_alpha_tiny_returns below): kept out here
    st.tuples(st.just("set_alpha"), st.one_of(st.floats(0, 11), COORD).filter(lambda a: not 0 < abs(a) < 1e-140)),
    st.tuples(st.just("set_seed"), st.one_of(st.integers(-5, 2**32), st.just(2**31 - 1))),
    st.tuples(st.just("toggle_overlay"), st.sampled_from(["arrows", "ellipse", "contributions", "bogus"]), st.booleans()),
)


@settings(max_examples=150, **GUI_SETTINGS)
@given(seq=st.lists(EDITS, min_size=1, max_size=8))
def test_edit_sequences(window, qtbot, seq):
    scene = window.scene_
    scene.replace_state(SMALL)
    messages = []

    def heard(text, level):
        messages.append((text, level))

    scene.message.connect(heard)
    try:
        for name, *args in seq:
            before = scene.state
            if name in ("move_unit", "set_unit_output", "rescale_unit"):
                args[0] %= before.k  # the units a user can reach
            elif name in ("move_point", "remove_point"):
                if not before.points:
                    continue
                args[0] %= len(before.points)
            try:
                new = getattr(edits, name)(before, *args)
            except (StateError, ValueError):
                assert scene.state is before
                event("refused by the edit")
                continue
            n_before = len(messages)
            ok = scene.apply(new, name)
            event("applied" if ok else "refused by the scene")
            if ok:
                assert scene.state == validated(new)
            else:
                assert scene.state is before, f"{name}{tuple(args)}: refused but the state changed"
                assert any(level == "error" for _, level in messages[n_before:]), f"{name}{tuple(args)}: refused silently"
            check_consistent(window, check_ghosts=False)
    finally:
        scene.message.disconnect(heard)


# found by this file: move_w0 beyond ~1e154 overflowed with a RuntimeWarning; fixed in 3afece7
def test_move_w0_far_beyond_the_limit():
    with pytest.raises(StateError):
        edits.move_w0(SceneState(), (1e200, 0.0))


# found by test_edit_sequences: set_alpha(s, 1e-300) never returned (random_fiber looped while
# ‖v‖² underflowed); now α is checked at the edit and random_fiber refuses scales below 1e-100
def test_set_alpha_tiny_is_refused_at_once():
    code = "from app import edits; from app.state import SceneState; edits.set_alpha(SceneState(), 1e-300)"
    result = subprocess.run([sys.executable, "-c", code], timeout=60, check=False, capture_output=True, text=True)
    assert result.returncode != 0 and "StateError" in result.stderr and "α" in result.stderr
