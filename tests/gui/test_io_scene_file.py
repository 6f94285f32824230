"""Scene files: round trips reproduce the runs exactly; every bad file is refused cleanly."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import overparam_core as core
from app import edits
from app.io import scene_file as sf
from app.io.scene_file import SceneFileError, open_scene, read_scene_file, save_scene
from app.runs import RECORD_FIELDS
from app.scene import Scene
from app.state import OVERLAYS, PROBLEMS, SceneState, StateError, validated

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# -- helpers ------------------------------------------------------------------------

def assert_same_runs(a, b) -> None:
    """Two RunSets hold bit-identical trajectories."""
    assert a.horizon == b.horizon
    assert len(a.groups) == len(b.groups)
    for ga, gb in zip(a.groups, b.groups):
        assert (ga.role, ga.optimizer, ga.labels, ga.init_index) == (gb.role, gb.optimizer, gb.labels, gb.init_index)
        ta, tb = ga.traj, gb.traj
        for name in (*RECORD_FIELDS, "step", "time", "diverged", "diverged_at"):
            x, y = getattr(ta, name), getattr(tb, name)
            if x is None or y is None:
                assert x is None and y is None, name
                continue
            x, y = np.asarray(x), np.asarray(y)
            assert x.shape == y.shape and x.dtype == y.dtype, name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"), name


def snapshot(scene: Scene):
    return (scene.state, scene.playhead, list(scene.ghosts), scene.undo_stack.index(), scene.undo_stack.count(), scene.runs)


def assert_untouched(scene: Scene, snap) -> None:
    state, playhead, ghosts, index, count, runs = snap
    assert scene.state is state
    assert scene.playhead == playhead
    assert len(scene.ghosts) == len(ghosts) and all(a is b for a, b in zip(scene.ghosts, ghosts))
    assert scene.undo_stack.index() == index and scene.undo_stack.count() == count
    assert scene.runs is runs


@pytest.fixture
def busy_scene(qapp):
    """A scene with history: an undoable edit, a moved playhead and a pinned ghost."""
    scene = Scene()
    scene.pin_ghost()
    assert scene.apply(edits.move_w0(scene.state, (1.0, -0.5)), "move w0")
    scene.set_playhead(7)
    return scene


# -- a strategy of valid scene states, built by the app's own edits ------------------

coord = st.floats(-3, 3, allow_nan=False).filter(lambda x: abs(x) > 1e-3)
EDITS = st.one_of(
    st.tuples(st.just("move_w0"), st.tuples(coord, coord)),
    st.tuples(st.just("set_width"), st.integers(1, 8)),
    st.tuples(st.just("set_init"), st.tuples(st.sampled_from(("balanced", "random")), st.floats(0, 2), st.floats(0.1, 3))),
    st.tuples(st.just("rescale_unit"), st.tuples(st.integers(0, 7), st.sampled_from((-2.0, 0.25, 0.5, 3.0)))),
    st.tuples(st.just("move_unit"), st.tuples(st.integers(0, 7), st.tuples(coord, coord))),
    st.tuples(st.just("set_problem"), st.sampled_from(PROBLEMS)),
    st.tuples(st.just("set_optimizer"), st.sampled_from(core.OPTIMIZERS)),
    st.tuples(st.just("set_target"), st.tuples(coord, coord)),
    st.tuples(st.just("set_seed"), st.integers(0, 2**31 - 1)),
    st.tuples(st.just("toggle_overlay"), st.tuples(st.sampled_from(OVERLAYS), st.booleans())),
    st.tuples(st.just("fields"), st.fixed_dictionaries({
        "lr": st.floats(1e-3, 0.3), "steps": st.integers(0, 120), "ensemble": st.integers(0, 3),
        "show_canonical": st.booleans(), "demo": st.sampled_from(("", "fiber", "growth η")),
    })),
)


def apply_edit(s: SceneState, edit) -> SceneState:
    name, arg = edit
    if name == "move_w0":
        return edits.move_w0(s, arg)
    if name == "set_width":
        return edits.set_width(s, arg)
    if name == "set_init":
        return edits.set_init(s, arg[0], lam=arg[1], alpha=arg[2])
    if name == "rescale_unit":
        return edits.rescale_unit(s, arg[0] % s.k, arg[1])
    if name == "move_unit":
        return edits.move_unit(s, arg[0] % s.k, arg[1])
    if name == "toggle_overlay":
        return edits.toggle_overlay(s, *arg)
    if name == "fields":
        return replace(s, **arg)
    return getattr(edits, name)(s, arg)


@st.composite
def scene_states(draw) -> SceneState:
    s = SceneState(steps=60)
    for edit in draw(st.lists(EDITS, max_size=8)):
        try:
            s = validated(apply_edit(s, edit))
        except StateError:
            pass  # the app refuses this edit too; keep the last good state
    return s


# -- round trips ------------------------------------------------------------------

@FAST
@given(state=scene_states(), ghost_state=scene_states(), playhead_frac=st.floats(0, 1), pin=st.booleans())
def test_a_saved_scene_reopens_with_the_same_state_and_bit_identical_runs(qapp, tmp_path, state, ghost_state, playhead_frac, pin):
    original = Scene()
    if pin:
        original.replace_state(ghost_state)
        original.wait_for_ensemble()
        original.pin_ghost()
    ghosts = list(original.ghosts)
    original.replace_state(state, round(playhead_frac * state.steps))
    original.ghosts.extend(ghosts)
    original.wait_for_ensemble()
    path = tmp_path / "scene.overparam.json"
    save_scene(original, path)

    reopened = Scene()
    loaded = open_scene(reopened, path)
    reopened.wait_for_ensemble()
    assert reopened.state == original.state == loaded.state
    assert reopened.playhead == original.playhead
    assert_same_runs(reopened.runs, original.runs)
    assert [(g.label, g.state) for g in reopened.ghosts] == [(g.label, g.state) for g in original.ghosts]
    for g_new, g_old in zip(reopened.ghosts, original.ghosts):
        assert_same_runs(g_new.runs, g_old.runs)
    # saving the reopened scene gives the very same file
    assert sf.scene_to_json(reopened) == path.read_text(encoding="utf-8")


def test_the_file_is_versioned_utf8_json_with_the_documented_layout(qapp, tmp_path):
    scene = Scene()
    scene.pin_ghost()  # its label holds a non-ASCII η
    scene.set_playhead(12)
    path = save_scene(scene, tmp_path / "a.overparam.json")
    data = json.loads(path.read_bytes().decode("utf-8"))
    assert set(data) == {"format", "version", "state", "playhead", "ghosts"}
    assert data["format"] == "overparam-explorer-scene" and data["version"] == sf.SCENE_VERSION == 1
    assert data["state"] == scene.state.to_dict() and data["playhead"] == 12
    assert data["ghosts"] == [{"label": scene.ghosts[0].label, "state": scene.ghosts[0].state.to_dict()}]
    assert "η" in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["a.overparam.json"]  # no temp file left


def test_opening_a_file_replaces_ghosts_and_clears_the_undo_history(busy_scene, tmp_path, qtbot):
    source = Scene(SceneState(lr=0.2, steps=40))
    path = save_scene(source, tmp_path / "s.json")
    with qtbot.waitSignal(busy_scene.changed):
        open_scene(busy_scene, path)
    assert busy_scene.state == source.state and busy_scene.ghosts == [] and busy_scene.playhead == 0
    assert busy_scene.undo_stack.count() == 0
    assert_same_runs(busy_scene.runs, source.runs)


# -- bad files ------------------------------------------------------------------------

def good() -> dict:
    return {"format": "overparam-explorer-scene", "version": 1, "state": SceneState().to_dict(), "playhead": 3,
            "ghosts": [{"label": "g", "state": SceneState(lr=0.1).to_dict()}]}


def with_(path_in_doc: tuple, value) -> bytes:
    doc = good()
    node = doc
    for key in path_in_doc[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path_in_doc[-1]]
    else:
        node[path_in_doc[-1]] = value
    return json.dumps(doc).encode()


def raw_state(text: str) -> bytes:
    """A good file whose state's 'lr' is the literal ``text`` (e.g. NaN)."""
    return with_(("state", "lr"), 12345.5).replace(b"12345.5", text.encode())


BAD_CONTENT = {
    "empty": (b"", "is empty"),
    "blank": (b"  \n\t ", "is empty"),
    "not utf-8": (b'{"format": "\xff\xfe"}', "not UTF-8"),
    "not json": (b'{"format": ', "not valid JSON"),
    "json array": (b"[1, 2]", "does not hold a JSON object but a list"),
    "json string": (b'"scene"', "does not hold a JSON object but a string"),
    "missing format": (with_(("format",), KeyError), "not an Overparam Explorer scene"),
    "wrong format": (with_(("format",), "something-else"), "not an Overparam Explorer scene"),
    "missing version": (with_(("version",), KeyError), "no version"),
    "text version": (with_(("version",), "1"), "version that is not a whole number"),
    "float version": (with_(("version",), 1.5), "version that is not a whole number"),
    "bool version": (with_(("version",), True), "version that is not a whole number"),
    "zero version": (with_(("version",), 0), "invalid version"),
    "future version": (with_(("version",), 7), r"newer version \(7\).*reads up to 1"),
    "unknown field": (with_(("extra",), 1), "unknown field"),
    "missing state": (with_(("state",), KeyError), 'no "state"'),
    "state not object": (with_(("state",), [1, 2]), "must be a JSON object"),
    "state unknown key": (with_(("state", "colour"), "red"), "unknown scene field"),
    "state out of range": (with_(("state", "lr"), 100.0), "learning rate"),
    "state wrong type": (with_(("state", "steps"), "many"), "steps must be a whole number"),
    "state wrong shape": (with_(("state", "U0"), [[1.0, 2.0, 3.0]]), "U0"),
    "state ragged": (with_(("state", "target"), [[1.0], 2.0]), "target"),
    "state bad problem": (with_(("state", "problem"), "chess"), "problem must be one of"),
    "state bad variant": (with_(("state", "variants"), [{"permute": [0, "a"]}]), "invalid scene state"),
    "state unhashable overlay": (with_(("state", "overlays"), [[1]]), "invalid scene state"),
    "NaN": (raw_state("NaN"), "non-finite number NaN"),
    "Infinity": (raw_state("Infinity"), "non-finite number Infinity"),
    "-Infinity": (raw_state("-Infinity"), "non-finite number -Infinity"),
    "overflowing float": (raw_state("1e999"), "non-finite number 1e999"),
    "huge integer": (raw_state("9" * 5000), "not valid JSON"),
    "negative playhead": (with_(("playhead",), -1), "playhead outside"),
    "huge playhead": (with_(("playhead",), 10**9), "playhead outside"),
    "float playhead": (with_(("playhead",), 2.5), "playhead that is not a whole number"),
    "text playhead": (with_(("playhead",), "3"), "playhead that is not a whole number"),
    "bool playhead": (with_(("playhead",), True), "playhead that is not a whole number"),
    "ghosts not list": (with_(("ghosts",), {"label": "g"}), '"ghosts" that is not a list'),
    "ghost not object": (with_(("ghosts",), [3]), "ghost 1 that is not an object"),
    "ghost missing label": (with_(("ghosts", 0, "label"), KeyError), 'ghost 1 that needs exactly "label" and "state"'),
    "ghost numeric label": (with_(("ghosts", 0, "label"), 5), "ghost 1 whose label"),
    "ghost bad state": (with_(("ghosts", 0, "state", "seed"), -4), "invalid ghost 1: seed"),
    "too many ghosts": (with_(("ghosts",), [good()["ghosts"][0]] * (sf.MAX_GHOSTS + 1)), "ghosts; at most"),
    "deeply nested": (b'{"format": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply|not an Overparam"),
    "too large": (b" " * (sf.MAX_FILE_BYTES + 1) + json.dumps(good()).encode(), "too large"),
}


def _make_bad(kind: str, tmp_path: Path) -> tuple[Path, str]:
    if kind in BAD_CONTENT:
        content, expected = BAD_CONTENT[kind]
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        return path, expected
    if kind == "missing":
        return tmp_path / "nowhere.json", "does not exist"
    if kind == "directory":
        path = tmp_path / "folder.json"
        path.mkdir()
        return path, "is a folder"
    if kind == "fifo":
        path = tmp_path / "pipe.json"
        os.mkfifo(path)  # opening it would block forever
        return path, "not a regular file"
    raise AssertionError(kind)


BAD_KINDS = ["missing", "directory", *(["fifo"] if hasattr(os, "mkfifo") else []), *BAD_CONTENT]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_a_bad_file_is_refused_with_one_clear_sentence_and_the_scene_is_untouched(kind, tmp_path, busy_scene, qtbot):
    path, expected = _make_bad(kind, tmp_path)
    with pytest.raises(SceneFileError, match=expected) as err:
        read_scene_file(path)
    message = str(err.value)
    assert str(path) in message and "\n" not in message and len(message) < 400

    snap = snapshot(busy_scene)
    with qtbot.assertNotEmitted(busy_scene.changed), qtbot.assertNotEmitted(busy_scene.playheadChanged):
        with pytest.raises(SceneFileError, match=expected):
            open_scene(busy_scene, path)
    assert_untouched(busy_scene, snap)


def test_the_good_template_of_the_bad_files_is_itself_good(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(good()), encoding="utf-8")
    loaded = read_scene_file(path)
    assert loaded.playhead == 3 and loaded.state == SceneState() and loaded.ghosts == [("g", SceneState(lr=0.1))]


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good()).encode())
    assert read_scene_file(path).playhead == 3


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


def _leaf_paths(node, prefix=()):
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    yield prefix
    for k, v in items:
        yield from _leaf_paths(v, prefix + (k,))


ALL_PATHS = [p for p in _leaf_paths(good()) if p]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(ALL_PATHS), value=json_values)
def test_any_corrupted_value_is_either_accepted_or_refused_with_scene_file_error(tmp_path, where, value):
    path = tmp_path / "fuzz.json"
    path.write_bytes(with_(where, value))
    try:
        loaded = read_scene_file(path)
    except SceneFileError as err:
        assert str(path) in str(err)
    else:
        assert isinstance(loaded.state, SceneState) and loaded.playhead >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_are_refused_with_scene_file_error(tmp_path, data):
    path = tmp_path / "noise.json"
    path.write_bytes(data)
    with pytest.raises(SceneFileError):
        read_scene_file(path)


# -- autosave -----------------------------------------------------------------------

def test_autosave_lives_in_the_config_dir_and_restores(qapp):
    path = sf.autosave_path()
    assert Path(os.environ["OVERPARAM_CONFIG_DIR"]) in path.parents
    scene = Scene(SceneState(lr=0.12, steps=50))
    scene.pin_ghost()
    scene.set_playhead(9)
    assert sf.autosave(scene) == path and path.is_file()

    fresh = Scene()
    assert sf.restore_autosave(fresh) is True
    assert fresh.state == scene.state and fresh.playhead == 9 and len(fresh.ghosts) == 1
    sf.remove_autosave()
    assert not path.exists()
    sf.remove_autosave()  # nothing to remove is fine


def test_no_autosave_restores_nothing(qapp):
    scene = Scene()
    snap = snapshot(scene)
    assert sf.restore_autosave(scene) is False
    assert_untouched(scene, snap)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", json.dumps({"format": "overparam-explorer-scene", "version": 99}).encode()])
def test_a_bad_autosave_is_ignored_without_an_exception(busy_scene, content, qtbot):
    path = sf.autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    snap = snapshot(busy_scene)
    with qtbot.assertNotEmitted(busy_scene.changed):
        assert sf.restore_autosave(busy_scene) is False
    assert_untouched(busy_scene, snap)
