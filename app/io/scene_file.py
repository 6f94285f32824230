"""Scene files: the scene state, playhead and ghosts as versioned JSON.

A scene file holds only the inputs (states), never trajectories: the runs are
a pure function of the state, so reopening a file recomputes exactly the same
runs. The layout (version 1)::

    {"format": "overparam-explorer-scene", "version": 1,
     "state": {...SceneState.to_dict()...}, "playhead": 120,
     "ghosts": [{"label": "ghost 1: η=0.05, gd", "state": {...}}]}

Reading is strict and total: :func:`read_scene_file` either returns a fully
validated :class:`LoadedScene` or raises :class:`SceneFileError` with one
sentence naming the file and the problem; it raises nothing else. Opening
(:func:`open_scene`) reads everything first, so a bad file leaves the scene
exactly as it was.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import runs as runs_mod
from ..prefs import config_dir
from ..scene import Ghost, Scene
from ..state import SceneState, StateError
from .atomic import write_atomic

FORMAT = "overparam-explorer-scene"
SCENE_VERSION = 1
SCENE_SUFFIX = ".overparam.json"
FILE_FILTER = "Overparam Explorer scenes (*.overparam.json *.json);;All files (*)"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PLAYHEAD = 1_000_000  # reopening extends the runs to the playhead; keep that to seconds
MAX_GHOSTS = 32
MAX_LABEL_CHARS = 200
AUTOSAVE_NAME = "autosave" + SCENE_SUFFIX
TOP_LEVEL_KEYS = ("format", "version", "state", "playhead", "ghosts")


class SceneFileError(ValueError):
    """A scene file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class LoadedScene:
    """The validated content of a scene file.

    Attributes
    ----------
    state : SceneState
        The scene to show.
    playhead : int
        The step shown when the file was saved.
    ghosts : list of (str, SceneState)
        The pinned runs, as (label, state), oldest first.
    """

    state: SceneState
    playhead: int = 0
    ghosts: list[tuple[str, SceneState]] = field(default_factory=list)


# -- writing ----------------------------------------------------------------------

def scene_to_dict(scene: Scene) -> dict[str, Any]:
    """The scene file content of ``scene`` as plain JSON-ready data.

    The playhead is clamped to ``MAX_PLAYHEAD`` so that every saved file reads back.
    """
    return {
        "format": FORMAT,
        "version": SCENE_VERSION,
        "state": scene.state.to_dict(),
        "playhead": min(max(int(scene.playhead), 0), MAX_PLAYHEAD),
        "ghosts": [{"label": str(g.label)[:MAX_LABEL_CHARS], "state": g.state.to_dict()} for g in scene.ghosts[:MAX_GHOSTS]],
    }


def scene_to_json(scene: Scene) -> str:
    """The scene file text of ``scene`` (UTF-8 JSON, indented, ends with a newline).

    Raises
    ------
    ValueError
        If the state holds a non-finite number (a validated state never does).
    """
    return json.dumps(scene_to_dict(scene), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_scene(scene: Scene, path: str | os.PathLike) -> Path:
    """Write ``scene`` to ``path`` atomically (a crash never leaves half a file).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OSError
        If the folder does not exist or cannot be written.
    """
    path = Path(path)
    write_atomic(path, scene_to_json(scene))
    return path


# -- reading ----------------------------------------------------------------------

class _NonFinite(ValueError):
    pass


def _reject_constant(name: str) -> float:
    raise _NonFinite(name)


def _finite_float(text: str) -> float:
    x = float(text)
    if not math.isfinite(x):  # 1e999 parses to inf
        raise _NonFinite(text)
    return x


def parse_scene(text: str | bytes, source: str = "the scene") -> LoadedScene:
    """Validate scene file content; ``source`` names it in error messages.

    Parameters
    ----------
    text : str or bytes
        The file's content (bytes are decoded as UTF-8).
    source : str
        How messages refer to the content, e.g. ``"scene file 'a.json'"``.

    Returns
    -------
    LoadedScene

    Raises
    ------
    SceneFileError
        For any content that is not a valid scene of a version this app reads.
    """
    def fail(problem: str) -> SceneFileError:
        return SceneFileError(f"{source} {problem}")

    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_FILE_BYTES:
            raise fail(f"is too large ({len(text) / 2**20:.1f} MB; a scene file is at most {MAX_FILE_BYTES // 2**20} MB)")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise fail(f"is not UTF-8 text (undecodable byte at position {err.start})") from None
    if not text.strip():
        raise fail("is empty")
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except _NonFinite as err:
        raise fail(f"contains the non-finite number {err}, which a scene file may not hold") from None
    except json.JSONDecodeError as err:
        raise fail(f"is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise fail("is not a valid scene (its JSON is nested too deeply)") from None
    except ValueError as err:  # e.g. an integer with too many digits
        raise fail(f"is not valid JSON ({err})") from None

    if not isinstance(data, dict):
        raise fail(f"does not hold a JSON object but {_json_kind(data)}")
    if "format" not in data:
        raise fail(f'is not an Overparam Explorer scene (it has no "format": "{FORMAT}")')
    if data["format"] != FORMAT:
        raise fail(f"is not an Overparam Explorer scene (its format is {_short(data['format'])}, not {FORMAT!r})")
    version = data.get("version")
    if "version" not in data:
        raise fail("has no version number")
    if isinstance(version, bool) or not isinstance(version, int):
        raise fail(f"has a version that is not a whole number ({_short(version)})")
    if version > SCENE_VERSION:
        raise fail(f"was saved by a newer version ({version}) of Overparam Explorer; this app reads up to {SCENE_VERSION}")
    if version < 1:
        raise fail(f"has an invalid version number ({version})")
    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise fail(f"has unknown field(s) {', '.join(map(repr, unknown))} for version {version}")

    if "state" not in data:
        raise fail('has no "state"')
    state = _state(data["state"], lambda p: fail(f"has an invalid scene state: {p}"))

    playhead = data.get("playhead", 0)
    if isinstance(playhead, bool) or not isinstance(playhead, int):
        raise fail(f"has a playhead that is not a whole number ({_short(playhead)})")
    if not 0 <= playhead <= MAX_PLAYHEAD:
        raise fail(f"has a playhead outside 0 to {MAX_PLAYHEAD} ({playhead})")

    ghosts_data = data.get("ghosts", [])
    if not isinstance(ghosts_data, list):
        raise fail(f'has "ghosts" that is not a list but {_json_kind(ghosts_data)}')
    if len(ghosts_data) > MAX_GHOSTS:
        raise fail(f"has {len(ghosts_data)} ghosts; at most {MAX_GHOSTS} are allowed")
    ghosts = []
    for i, g in enumerate(ghosts_data):
        where = f"ghost {i + 1}"
        if not isinstance(g, dict):
            raise fail(f"has a {where} that is not an object but {_json_kind(g)}")
        if set(g) != {"label", "state"}:
            raise fail(f'has a {where} that needs exactly "label" and "state" (it has {", ".join(sorted(map(repr, g))) or "nothing"})')
        label = g["label"]
        if not isinstance(label, str) or len(label) > MAX_LABEL_CHARS:
            raise fail(f"has a {where} whose label is not a text of at most {MAX_LABEL_CHARS} characters")
        ghosts.append((label, _state(g["state"], lambda p, w=where: fail(f"has an invalid {where}: {p}"))))
    return LoadedScene(state, playhead, ghosts)


def _state(data: Any, fail) -> SceneState:
    """A validated, computable SceneState from JSON data, or ``fail(problem)`` raised."""
    if not isinstance(data, dict):
        raise fail(f"the state must be a JSON object, not {_json_kind(data)}")
    try:
        state = SceneState.from_dict(data)
        runs_mod.build_problem(state)  # the checks Scene.replace_state makes
        runs_mod.build_inits(state)
    except StateError as err:
        raise fail(str(err)) from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, np.linalg.LinAlgError) as err:
        raise fail(f"malformed values ({type(err).__name__}: {err})") from None
    return state


def _json_kind(x: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(x), type(x).__name__)


def _short(x: Any) -> str:
    text = json.dumps(x, ensure_ascii=False) if not isinstance(x, float) or math.isfinite(x) else str(x)
    return text if len(text) <= 40 else text[:37] + "..."


def read_scene_file(path: str | os.PathLike) -> LoadedScene:
    """Read and validate the scene file at ``path``.

    Returns
    -------
    LoadedScene

    Raises
    ------
    SceneFileError
        The only exception: for a missing, unreadable, empty, oversized, non-UTF-8,
        non-JSON, wrong-format, newer-version or invalid file; the message is one
        sentence naming the file and the problem.
    """
    path = Path(path)
    source = f"The scene file '{path}'"
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SceneFileError(f"{source} does not exist") from None
    except OSError as err:
        raise SceneFileError(f"{source} cannot be read ({err.strerror or err})") from None
    except ValueError as err:  # e.g. a NUL byte in the path
        raise SceneFileError(f"{source} is not a valid path ({err})") from None
    if stat.S_ISDIR(st.st_mode):
        raise SceneFileError(f"{source} is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise SceneFileError(f"{source} is not a regular file")
    if st.st_size > MAX_FILE_BYTES:
        raise SceneFileError(f"{source} is too large ({st.st_size / 2**20:.1f} MB; a scene file is at most {MAX_FILE_BYTES // 2**20} MB)")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise SceneFileError(f"{source} cannot be read ({err.strerror or err})") from None
    return parse_scene(data, source)


# -- opening ----------------------------------------------------------------------

def open_scene(scene: Scene, path: str | os.PathLike) -> LoadedScene:
    """Load the file at ``path`` into ``scene``: state, playhead and ghosts.

    Everything is read, validated and computed before the scene is touched; on
    any error the scene keeps its state, playhead, ghosts and undo stack. On
    success the undo stack is cleared (opening a file is not undoable).

    Returns
    -------
    LoadedScene
        What was loaded.

    Raises
    ------
    SceneFileError
        If the file cannot be read or its runs cannot be computed.
    """
    loaded = read_scene_file(path)
    try:
        ghosts = [Ghost(state, runs_mod.compute(state), label) for label, state in loaded.ghosts]
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as err:
        raise SceneFileError(f"The scene file '{path}' has a pinned run that cannot be computed ({err})") from None
    # Start from step 0 so the new runs are computed to the new state's horizon,
    # not to the old playhead (which would also change the runs' record stride).
    scene.set_playhead(0)
    scene.replace_state(loaded.state, loaded.playhead)
    scene.ghosts.extend(ghosts)
    scene.changed.emit()
    return loaded


# -- autosave ---------------------------------------------------------------------

def autosave_path() -> Path:
    """Where the autosave lives: ``autosave.overparam.json`` in :func:`app.prefs.config_dir`."""
    return config_dir() / AUTOSAVE_NAME


def autosave(scene: Scene) -> Path:
    """Save ``scene`` to :func:`autosave_path` (atomically; creates the folder).

    Raises
    ------
    OSError
        If the config folder cannot be written.
    """
    path = autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_scene(scene, path)


def restore_autosave(scene: Scene) -> bool:
    """Load the autosave into ``scene`` if there is a good one.

    Returns
    -------
    bool
        True if the autosave was loaded; False if there is none or it is bad
        (a bad autosave is ignored: no exception, the scene is untouched).
    """
    path = autosave_path()
    if not path.is_file():
        return False
    try:
        open_scene(scene, path)
    except SceneFileError:
        return False
    return True


def remove_autosave() -> None:
    """Delete the autosave, if any (e.g. after a clean exit)."""
    try:
        autosave_path().unlink()
    except FileNotFoundError:
        pass
