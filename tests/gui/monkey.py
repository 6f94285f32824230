"""A seeded monkey that drives a real MainWindow with real user input, and a scene consistency check.

``Monkey(window, qtbot, seed, tmp_path).run(actions=2000)`` performs random user
actions (mouse drags and clicks on every draggable item, keyboard shortcuts,
sliders, typed field entries, combo choices, demo switches, undo/redo, save and
open, corrupted files, player bursts) and calls :func:`check_consistent` after
each one. A failure names the seed and the last actions, so it can be replayed.
"""

from __future__ import annotations

import collections
import json
import random
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import overparam_core as core
from app.demos import load_demos
from app.runs import RECORD_FIELDS
from app.state import validated

from .helpers import click, drag

DATA_PROBLEMS = ("anisotropic", "logistic", "l4")

# (label, key, modifiers): every shortcut the monkey presses
KEYS = (
    ("Space", Qt.Key_Space, Qt.NoModifier),
    ("Left", Qt.Key_Left, Qt.NoModifier),
    ("Right", Qt.Key_Right, Qt.NoModifier),
    ("R", Qt.Key_R, Qt.NoModifier),
    ("Home", Qt.Key_Home, Qt.NoModifier),
    ("End", Qt.Key_End, Qt.NoModifier),
    ("G", Qt.Key_G, Qt.NoModifier),
    ("Shift+G", Qt.Key_G, Qt.ShiftModifier),
    ("O", Qt.Key_O, Qt.NoModifier),
    ("Up", Qt.Key_Up, Qt.NoModifier),
    ("Down", Qt.Key_Down, Qt.NoModifier),
    ("K", Qt.Key_K, Qt.NoModifier),
    ("Shift+K", Qt.Key_K, Qt.ShiftModifier),
    ("1", Qt.Key_1, Qt.NoModifier),
    ("2", Qt.Key_2, Qt.NoModifier),
    ("3", Qt.Key_3, Qt.NoModifier),
    ("C", Qt.Key_C, Qt.NoModifier),
    ("T", Qt.Key_T, Qt.NoModifier),
    ("F", Qt.Key_F, Qt.NoModifier),
    ("PageDown", Qt.Key_PageDown, Qt.NoModifier),
    ("PageUp", Qt.Key_PageUp, Qt.NoModifier),
    ("Ctrl+Z", Qt.Key_Z, Qt.ControlModifier),
    ("Ctrl+Shift+Z", Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier),
    ("B", Qt.Key_B, Qt.NoModifier),
    ("Escape", Qt.Key_Escape, Qt.NoModifier),
    ("F5", Qt.Key_F5, Qt.NoModifier),
    ("[", Qt.Key_BracketLeft, Qt.NoModifier),
    ("]", Qt.Key_BracketRight, Qt.NoModifier),
)
# keys that are cheap and frequent; the rest (themes, demos, presentation) rebuild a lot
CHEAP_KEYS = ("Space", "Left", "Right", "R", "Home", "End", "G", "Shift+G", "O", "Up", "Down", "K", "Shift+K",
              "1", "2", "3", "C", "F", "Ctrl+Z", "Ctrl+Shift+Z", "B", "Escape", "[", "]")
COSTLY_KEYS = ("T", "PageDown", "PageUp", "F5")

BAD_TEXTS = ("nan", "NaN", "inf", "-inf", "+inf", "abc", "", "   ", "1e308", "-1e308", "-5", "1e999",
             "12345678901234567890", "0x10", "1,5", "−2", "1e-320", "٣", "1/2", "None", "--1", "1e", ".")


class MonkeyFailure(AssertionError):
    pass


# -- the consistency check ---------------------------------------------------------------

def _check_group(g, where: str) -> None:
    t = g.traj
    n = len(t.step)
    assert n >= 1, f"{where}: no records"
    assert np.all(np.diff(t.step) > 0), f"{where}: record steps not increasing"
    diverged = np.asarray(t.diverged)
    div_at = np.asarray(t.diverged_at)
    assert diverged.shape == (g.size,) == div_at.shape, f"{where}: {g.size} labels but diverged {diverged.shape}"
    assert np.array_equal(diverged, div_at >= 0), f"{where}: diverged {diverged} disagrees with diverged_at {div_at}"
    for name in RECORD_FIELDS:
        x = getattr(t, name)
        if x is None:
            continue
        assert x.shape[0] == n and x.shape[1] == g.size, f"{where}: {name} has shape {x.shape}, {n} records of {g.size} runs"
    for i in range(g.size):
        if diverged[i]:
            before = t.step < div_at[i]
        else:
            before = np.ones(n, bool)
        for name in RECORD_FIELDS:
            x = getattr(t, name)
            if x is None:
                continue
            xi = x[:, i].reshape(n, -1)
            assert np.all(np.isfinite(xi[before])), (
                f"{where} run {i} ({g.labels[i]}): non-finite {name} at step(s) "
                f"{t.step[before & ~np.all(np.isfinite(xi), axis=1)][:5]} (diverged_at={div_at[i]})")
            if diverged[i] and name in ("w", "U", "v", "loss"):
                assert np.all(np.isnan(xi[~before])), (
                    f"{where} run {i} ({g.labels[i]}): {name} not NaN from diverged_at={div_at[i]} on")
        if t.U is not None:
            U, v, w = t.U[before, i], t.v[before, i], t.w[before, i]
            if len(w):
                expect = np.einsum("tkd,tk->td", U, v)
                scale = 1.0 + float(np.max(np.sum(np.abs(v) * np.linalg.norm(U, axis=-1), axis=-1)))
                if not np.allclose(w, expect, rtol=1e-9, atol=1e-9 * scale):
                    bad = int(np.argmax(np.max(np.abs(w - expect), axis=-1)))
                    raise AssertionError(f"{where} run {i} ({g.labels[i]}): w != Uᵀv at step {t.step[before][bad]}: "
                                         f"{w[bad]} vs {expect[bad]}")


def check_consistent(window, check_ghosts: bool = True) -> None:
    """Assert that the window's scene is consistent (see the module docstring of test_monkey)."""
    scene = window.scene_
    s = scene.state
    assert validated(s) == s, "scene.state does not validate to itself"
    assert np.allclose(s.w0, core.canonical(np.array(s.U0), np.array(s.v0)), rtol=1e-12, atol=1e-12), "w0 != canonical(U0, v0)"
    runs = scene.runs
    assert runs.main, "no main run group"
    for gi, g in enumerate(runs.groups):
        _check_group(g, f"group {gi} ({g.role}/{g.optimizer})")
    if check_ghosts:
        for k, ghost in enumerate(scene.ghosts):
            for gi, g in enumerate(ghost.runs.groups):
                _check_group(g, f"ghost {k} group {gi} ({g.role}/{g.optimizer})")
    assert scene.playhead >= 0, f"playhead {scene.playhead} < 0"
    r = scene.record_index()
    assert 0 <= r < len(runs.primary.traj.step), f"record index {r} out of range"
    assert int(runs.primary.traj.step[r]) <= max(scene.playhead, 0), "record after the playhead"
    sc = window.transport.scrubber
    assert (sc.minimum(), sc.maximum()) == (0, scene.horizon), (
        f"scrubber range {(sc.minimum(), sc.maximum())} != [0, {scene.horizon}]")
    assert sc.value() == min(scene.playhead, scene.horizon), f"scrubber at {sc.value()}, playhead {scene.playhead}"
    if not scene.undo_stack.isClean() or scene.undo_stack.count():
        assert 0 <= scene.undo_stack.index() <= scene.undo_stack.count()


# -- the monkey ------------------------------------------------------------------------------

@dataclass
class Stats:
    actions: collections.Counter = field(default_factory=collections.Counter)
    seconds: collections.Counter = field(default_factory=collections.Counter)
    divergences: int = 0
    files_opened: int = 0
    files_refused: int = 0
    fields_refused: int = 0
    max_horizon: int = 0

    def summary(self) -> str:
        kinds = ", ".join(f"{k}={n} ({self.seconds[k]:.1f} s)" for k, n in sorted(self.actions.items()))
        kinds += f"; checks {self.seconds['(checks)']:.1f} s"
        return (f"{sum(self.actions.values())} actions ({kinds}); states with a diverged run: {self.divergences}; "
                f"files opened: {self.files_opened}, corrupted files refused: {self.files_refused}; "
                f"field entries refused: {self.fields_refused}; largest horizon: {self.max_horizon}")


class Monkey:
    """Random real user input on a MainWindow, checked after every action.

    Parameters
    ----------
    window, qtbot : the window under test and pytest-qt's bot.
    seed : int
        Seeds the monkey's own ``random.Random``; the same seed replays the same actions.
    tmp_path : Path
        Where scene files are saved, opened and corrupted.
    max_ensemble, max_steps : int
        Caps on the ensemble size and steps the monkey *accepts* into the scene
        (bad entries beyond them are still typed; they are refused).
    node : pytest item, optional
        When given, exceptions pytest-qt captured in Qt handlers fail the run at
        once, with the action log (pytest-qt still fails the test at its end anyway).
    """

    def __init__(self, window, qtbot, seed: int, tmp_path: Path, max_ensemble: int = 50,
                 max_steps: int = 400, max_horizon: int = 5000, node=None, log_size: int = 20):
        self.window, self.qtbot, self.seed = window, qtbot, seed
        self.rng = random.Random(seed)
        self.tmp = Path(tmp_path)
        self.max_ensemble, self.max_steps, self.max_horizon = max_ensemble, max_steps, max_horizon
        self.node = node
        self.log: collections.deque[str] = collections.deque(maxlen=log_size)
        self.stats = Stats()
        self.demo_ids = [d.id for d in load_demos()]
        self.n = 0
        self.weights = {
            "key": 55, "drag": 10, "click": 4, "slider": 5, "field": 10, "combo": 4, "width": 2,
            "idle": 1.5, "advance": 2.5, "demo": 1.0, "save_open": 0.8, "corrupt": 0.8, "tour_control": 2,
        }

    # -- running --------------------------------------------------------------------
    def run(self, actions: int | None = None, seconds: float | None = None) -> Stats:
        end = time.monotonic() + seconds if seconds is not None else None
        while (actions is None or self.n < actions) and (end is None or time.monotonic() < end):
            self.step()
        return self.stats

    def step(self) -> None:
        kinds, weights = zip(*self.weights.items())
        kind = self.rng.choices(kinds, weights)[0]
        self.n += 1
        t0 = time.perf_counter()
        try:
            what = getattr(self, f"_{kind}")()
            self.log.append(f"#{self.n} {kind}: {what}")
            self._after()
        except Exception as err:  # noqa: BLE001 - report with the replay information
            self.log.append(f"#{self.n} {kind}: (raised)")
            raise MonkeyFailure(self.report(f"{type(err).__name__}: {err}\n{traceback.format_exc()}")) from err
        self.stats.actions[kind] += 1
        self.stats.seconds[kind] += time.perf_counter() - t0

    def report(self, problem: str) -> str:
        return (f"monkey seed {self.seed} failed at action {self.n}: {problem}\n"
                f"last {len(self.log)} actions:\n  " + "\n  ".join(self.log))

    def _after(self) -> None:
        self._fail_on_captured_exceptions()
        t0 = time.perf_counter()
        check_consistent(self.window)
        self.stats.seconds["(checks)"] += time.perf_counter() - t0
        self._fail_on_captured_exceptions()
        scene = self.window.scene_
        if any(g.traj.diverged.any() for g in scene.runs.groups):
            self.stats.divergences += 1
        self.stats.max_horizon = max(self.stats.max_horizon, scene.horizon)
        if scene.horizon > self.max_horizon:  # keep a fast run fast: a user rewinds with Home and resets
            scene.set_playhead(0)
            self.window.player.pause()
            if scene.state.steps < scene.horizon:
                # replacing the runs at their own horizon: retype steps (a user action too)
                steps = scene.state.steps
                while steps == scene.state.steps:
                    steps = self.rng.randint(50, self.max_steps)
                self._type(self.window.controls.steps, str(steps))
                self.log.append(f"(horizon {self.stats.max_horizon} too far for this run: Home, steps = {steps})")
                check_consistent(self.window)

    def _fail_on_captured_exceptions(self) -> None:
        manager = getattr(self.node, "qt_exception_capture_manager", None) if self.node is not None else None
        if manager is not None and manager.exceptions:
            text = "".join("".join(traceback.format_exception(*e)) for e in manager.exceptions)
            raise MonkeyFailure(self.report("exception in a Qt handler:\n" + text))

    # -- helpers -------------------------------------------------------------------
    @property
    def scene(self):
        return self.window.scene_

    def _point_in(self, viewbox, spread: float = 1.1, far: float = 0.03) -> tuple[float, float]:
        """A random point in (or, rarely, far outside) the visible range of ``viewbox``."""
        (x0, x1), (y0, y1) = viewbox.viewRange()
        if self.rng.random() < far:
            return (self.rng.choice((-1, 1)) * self.rng.uniform(1.0e3, 1.6e3), self.rng.uniform(y0, y1))
        cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 * spread, (y1 - y0) / 2 * spread
        return (self.rng.uniform(cx - hx, cx + hx), self.rng.uniform(cy - hy, cy + hy))

    def _near(self, xy, viewbox, frac: float = 0.25) -> tuple[float, float]:
        (x0, x1), (y0, y1) = viewbox.viewRange()
        return (xy[0] + self.rng.uniform(-frac, frac) * (x1 - x0), xy[1] + self.rng.uniform(-frac, frac) * (y1 - y0))

    def _drag_handle(self, plot, handle, name: str, viewbox=None) -> str:
        vb = viewbox or (plot.getViewBox() if hasattr(plot, "getViewBox") else plot.getPlotItem().getViewBox())
        p = handle.pos()
        start = (p.x(), p.y())
        end = self._near(start, vb) if self.rng.random() < 0.7 else self._point_in(vb)
        steps = self.rng.randint(2, 4)
        drag(plot, start, end, steps=steps)
        return f"drag {name} from ({start[0]:.4g}, {start[1]:.4g}) to ({end[0]:.4g}, {end[1]:.4g}) in {steps} moves"

    def _type(self, f, text: str) -> None:
        f.edit.setText(text)
        f.edit.editingFinished.emit()

    # -- actions -------------------------------------------------------------------
    def _key(self) -> str:
        if self.rng.random() < 0.06:
            label = self.rng.choice(COSTLY_KEYS)
        else:
            label = self.rng.choice(CHEAP_KEYS)
        _, key, mods = next(k for k in KEYS if k[0] == label)
        w = self.window
        if QApplication.focusWidget() is not None and self.rng.random() < 0.9:
            w.setFocus()  # a real user clicks back on the plots before using shortcuts
        self.qtbot.keyClick(w, key, mods)
        return f"key {label}" + (self._maybe_shorten() if label in ("PageDown", "PageUp") else "")

    def _drag(self) -> str:
        w, s = self.window, self.scene.state
        options = [("w0", w.wplane, w.wplane.w0), ("target", w.wplane, w.wplane.target)]
        if w.units.isVisible():
            options += [(f"u{i + 1}", w.units.plane, h) for i, h in enumerate(w.units.unit_handles[: s.k])]
            options += [(f"v{i + 1}", w.units.vbar, h) for i, h in enumerate(w.units.v_handles[: s.k])]
            if s.problem in DATA_PROBLEMS:
                options += [(f"point{j + 1}", w.units.plane, h) for j, h in enumerate(w.units.point_handles[: len(s.points)])]
            if s.problem == "single":
                options.append(("x", w.units.plane, w.units.x_handle))
        if w.balance.isVisible():
            options += [(f"balance{i + 1}", w.balance, h) for i, h in enumerate(w.balance.handles[: s.k])]
        if w.timeseries.isVisible():
            options.append(("playhead", None, None))
        name, plot, handle = self.rng.choice(options)
        if name == "playhead":
            return self._drag_playhead()
        if not handle.isVisible():
            return f"skip drag {name} (hidden)"
        return self._drag_handle(plot, handle, name)

    def _drag_playhead(self) -> str:
        ts = self.window.timeseries
        key = self.rng.choice(sorted(ts.lines))
        plot, line = ts.plots[key], ts.lines[key]
        (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
        y = (y0 + y1) / 2
        start = (line.value(), y)
        end = (self.rng.uniform(x0 - 0.1 * (x1 - x0), x1 + 0.05 * (x1 - x0)), y)
        drag(plot, start, end, steps=self.rng.randint(2, 5))
        return f"drag {key} playhead line from {start[0]:.4g} to {end[0]:.4g}"

    def _click(self) -> str:
        w, s = self.window, self.scene.state
        vb = w.units.plane.getPlotItem().getViewBox()
        if s.problem in DATA_PROBLEMS and s.points and self.rng.random() < 0.4:  # the last point is refused
            j = self.rng.randrange(len(s.points))
            click(w.units.plane, s.points[j], button=Qt.RightButton)
            return f"right-click data point {j + 1} at {s.points[j]}"
        xy = self._point_in(vb, spread=0.9, far=0.0)
        shift = self.rng.random() < 0.4
        click(w.units.plane, xy, modifiers=Qt.ShiftModifier if shift else Qt.NoModifier)
        return f"{'shift-' if shift else ''}click units plane at ({xy[0]:.4g}, {xy[1]:.4g}) [{s.problem}]"

    def _fields(self):
        c = self.window.controls
        fields = {"lr": c.lr, "lam": c.lam, "alpha": c.alpha, "ensemble": c.ensemble, "seed": c.seed, "steps": c.steps}
        return {k: f for k, f in fields.items() if f.isEnabled()}

    def _slider(self) -> str:
        fields = {k: f for k, f in self._fields().items() if f.slider is not None}
        if not fields:
            return "skip slider (none enabled)"
        name = self.rng.choice(sorted(fields))
        f = fields[name]
        hi = 1000
        if name == "ensemble":
            hi = min(1000, self.max_ensemble)  # the ensemble slider is one member per tick
        moves = [self.rng.randint(0, hi) for _ in range(self.rng.randint(1, 4))]
        for n in moves:
            f.slider.setValue(n)
        f.slider.sliderReleased.emit()
        return f"slide {name} through {moves}"

    def _field_text(self, name: str, f) -> str:
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(BAD_TEXTS)
        if name == "lr" and r < 0.5:
            return self.rng.choice(("5", "9.9", "10", "2.5", "1.2", "0.9"))  # usually diverges
        if r < 0.55:
            return self.rng.choice(("1e300", "-1e300", "1e20", str(f.hi * 10), str(f.lo - 1), "2147483648"))
        hi = f.hi
        if name == "ensemble":
            hi = self.max_ensemble
        elif name == "steps":
            hi = self.max_steps
        if f.integer:
            return str(self.rng.randint(int(f.lo), int(hi)))
        if f.log:
            return f"{10 ** self.rng.uniform(np.log10(f.lo), np.log10(hi)):.4g}"
        return f"{self.rng.uniform(f.lo, hi):.4g}"

    def _field(self) -> str:
        fields = self._fields()
        if not fields:
            return "skip field (none enabled)"
        name = self.rng.choice(sorted(fields))
        f = fields[name]
        text = self._field_text(name, f)
        return self._enter(f, text, name)

    def _enter(self, f, text: str, name: str) -> str:
        from app.panels.fields import parse_number

        before = self.scene.state
        self._type(f, text)
        try:
            parse_number(text, f.lo, f.hi, f.integer)
        except ValueError:
            self.stats.fields_refused += 1
            assert self.scene.state is before, f"refused entry {text!r} in {name} changed the state"
            assert f.error.text(), f"refused entry {text!r} in {name} shows no message"
        return f"type {text!r} into {name}"

    def _combo(self) -> str:
        c = self.window.controls
        combos = {"optimizer": c.optimizer, "problem": c.problem, "model": c.model, "init": c.init}
        combos = {k: b for k, b in combos.items() if b.isEnabled()}
        if not combos:
            return "skip combo (none enabled)"
        name = self.rng.choice(sorted(combos))
        box = combos[name]
        i = self.rng.randrange(box.count())
        box.setCurrentIndex(i)
        box.activated.emit(i)
        return f"choose {name} = {box.itemData(i)!r}"

    def _width(self) -> str:
        box = self.window.controls.width
        if not box.isEnabled():
            return "skip width (locked)"
        k = self.rng.randint(1, 8)
        box.setValue(k)
        return f"width spinbox = {k}"

    def _idle(self) -> str:
        ms = self.rng.choice((0, 0, 5, 20, 40))
        self.qtbot.wait(ms)
        return f"let the event loop run {ms} ms"

    def _advance(self) -> str:
        p = self.window.player
        n = self.rng.randint(1, 12)
        if self.rng.random() < 0.3:
            p.set_speed(self.rng.choice((1, 2, 5, 10, 20, 50, 100)))
            self.window.transport.sync()
        if self.rng.random() < 0.3:
            p.stop_at = None  # as after opening a non-demo scene: play runs on past the horizon
        for _ in range(n):
            p.advance()
        return f"player.advance() ×{n} at speed {p.speed} (stop_at={p.stop_at})"

    def _demo(self) -> str:
        demo_id = self.rng.choice(self.demo_ids)
        self.window.open_demo(demo_id)
        assert self.scene.state.demo == demo_id and self.scene.playhead == 0
        return f"open demo {demo_id!r}" + self._maybe_shorten()

    def _maybe_shorten(self) -> str:
        """After a demo opens, the user often shortens its run (keeps a fast run fast)."""
        if self.scene.state.steps > self.max_steps and self.rng.random() < 0.8 and self.window.controls.steps.isEnabled():
            steps = self.rng.randint(50, self.max_steps)
            self._type(self.window.controls.steps, str(steps))
            return f", then type steps {steps}"
        return ""

    def _tour_control(self) -> str:
        boxes = list(self.window.tour._control_widgets)
        if not boxes:
            return "skip tour control (this demo has none)"
        box = self.rng.choice(boxes)
        if box.control.kind == "toggle":
            box.button.click()
            return f"click demo toggle {box.control.field}"
        f = box.field
        if self.rng.random() < 0.5:
            n = self.rng.randint(0, 1000)
            f.slider.setValue(n)
            f.slider.sliderReleased.emit()
            return f"slide demo {box.control.field} to {n}"
        return self._enter(f, self._field_text(box.control.field, f), f"demo {box.control.field}")

    def _save_open(self) -> str:
        path = self.tmp / f"monkey-{self.n}.json"
        scene = self.scene
        saved_state, saved_playhead, n_ghosts = scene.state, scene.playhead, len(scene.ghosts)
        assert self.window.save_scene_file(path), "saving failed"
        assert self.window.open_scene_file(path), f"could not reopen the scene just saved: {self.window.status.text()}"
        self.stats.files_opened += 1
        assert scene.state == saved_state, "reopened state differs from the saved one"
        assert scene.playhead == min(saved_playhead, 1_000_000), f"playhead {scene.playhead} != saved {saved_playhead}"
        assert len(scene.ghosts) == min(n_ghosts, 32)
        assert scene.undo_stack.count() == 0
        path.unlink()
        return f"save and reopen {path.name} (playhead {saved_playhead}, {n_ghosts} ghosts)"

    def corrupted_text(self, good: str) -> tuple[str, bytes]:
        data = json.loads(good)
        kind = self.rng.choice(("truncate", "bytes", "nan", "bad_lr", "version", "format", "empty", "ghost", "width"))
        if kind == "truncate":
            return kind, good[: self.rng.randint(0, len(good) // 2)].encode()
        if kind == "bytes":
            return kind, b"\xff\xfe" + bytes(self.rng.randrange(256) for _ in range(self.rng.randint(0, 200)))
        if kind == "nan":
            return kind, good.replace('"lr": ', '"lr": NaN, "x": ', 1).encode()
        if kind == "bad_lr":
            data["state"]["lr"] = self.rng.choice((-1, 0, 1e9, "fast", None, [1]))
        elif kind == "version":
            data["version"] = self.rng.choice((99, 0, "1", None))
        elif kind == "format":
            data["format"] = "something-else"
        elif kind == "empty":
            return kind, b""
        elif kind == "ghost":
            data["ghosts"] = [{"label": "g", "state": {"U0": [[1.0, 2.0, 3.0]]}}]
        else:
            data["state"]["v0"] = data["state"]["v0"] + [1.0]
        return kind, json.dumps(data).encode()

    def _corrupt(self) -> str:
        from app.io.scene_file import scene_to_json

        scene = self.scene
        kind, content = self.corrupted_text(scene_to_json(scene))
        path = self.tmp / f"corrupt-{self.n}.json"
        path.write_bytes(content)
        before = (scene.state, scene.playhead, list(scene.ghosts), scene.undo_stack.index(), scene.undo_stack.count(),
                  scene.runs)
        ok = self.window.open_scene_file(path)
        assert not ok, f"a corrupted file ({kind}) was accepted"
        after = (scene.state, scene.playhead, list(scene.ghosts), scene.undo_stack.index(), scene.undo_stack.count(),
                 scene.runs)
        assert after[0] is before[0] and after[1:5] == before[1:5] and after[5] is before[5], \
            f"refusing a corrupted file ({kind}) changed the scene"
        assert all(a is b for a, b in zip(after[2], before[2]))
        assert self.window.status.property("level") == "error" and self.window.status.text()
        self.stats.files_refused += 1
        path.unlink()
        return f"open corrupted file ({kind}): refused"
