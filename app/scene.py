"""The scene: the single source of truth that every view reads and every handler writes.

Data flow: a view's handler calls ``scene.apply(edits.something(scene.state, ...))``;
the scene validates the new state, pushes it on the undo stack, recomputes the
runs (the primary runs at once, an ensemble in chunks so input never blocks)
and emits ``changed``. Views redraw from ``scene.state`` and ``scene.runs``.
Playing only moves ``playhead`` and, past the horizon, extends the runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

import overparam_core as core

from . import runs as runs_mod
from .runs import RunSet
from .state import SceneState, StateError, validated

ENSEMBLE_CHUNK = 200  # fiber members simulated per event-loop turn


class _StateCommand(QUndoCommand):
    """One undoable change: the state before and after. Drags merge into one."""

    def __init__(self, scene: "Scene", old: SceneState, new: SceneState, text: str, merge_id: int):
        super().__init__(text)
        self._scene, self.old, self.new, self._merge_id = scene, old, new, merge_id

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if other.id() != self._merge_id or self._merge_id < 0:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        self._scene._set_state(self.new)

    def undo(self) -> None:
        self._scene._set_state(self.old)


@dataclass
class Ghost:
    """A pinned run: its state, its runs, and the name the legend shows."""

    state: SceneState
    runs: RunSet
    label: str


class Scene(QObject):
    """Holds the state, the runs computed from it, the playhead and the ghosts.

    Signals
    -------
    changed : the state or the runs changed; views redraw everything.
    playheadChanged(int) : the step shown changed; views move their markers.
    message(str, str) : something to tell the user (text, level "info"/"warn"/"error").
    gestureEnded : a drag finished; views that redrew lazily during it catch up.
    """

    changed = Signal()
    playheadChanged = Signal(int)
    gestureEnded = Signal()
    message = Signal(str, str)

    def __init__(self, state: SceneState | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.ghosts: list[Ghost] = []
        self.playhead = 0
        self.in_gesture = False  # a drag is under way: secondary views may redraw lazily
        self.state = validated(state or SceneState())
        self.runs: RunSet = runs_mod.compute(self.state, with_ensemble=False)
        self._ensemble_done = 0
        self._ensemble_timer = QTimer(self, singleShot=True, interval=0)
        self._ensemble_timer.timeout.connect(self._compute_ensemble_chunk)
        self._schedule_ensemble()

    # -- writing ---------------------------------------------------------------
    def apply(self, new: SceneState, text: str = "change", merge_key: str | None = None) -> bool:
        """Make ``new`` the state (undoably). Refused states leave everything as it was.

        ``merge_key`` names a continuous gesture (a drag): successive changes with
        the same key merge into one undo step until :meth:`end_gesture`.
        """
        try:
            new = validated(new)
            if new == self.state:
                return True
            self._check_computable(new)
        except StateError as err:
            self.message.emit(str(err), "error")
            return False
        merge_id = abs(hash(merge_key)) % (2**30) if merge_key else -1
        self.in_gesture = merge_key is not None
        self.undo_stack.push(_StateCommand(self, self.state, new, text, merge_id))
        return True

    def edit(self, edit, *args, text: str = "change", merge_key: str | None = None) -> bool:
        """Apply ``edit(state, *args)`` (a function of ``app.edits``).

        An edit that refuses its arguments (StateError, ValueError) is reported
        with ``message`` and changes nothing, like a refused state.
        """
        try:
            new = edit(self.state, *args)
        except ValueError as err:  # StateError is a ValueError
            self.message.emit(str(err), "error")
            return False
        return self.apply(new, text, merge_key)

    def end_gesture(self) -> None:
        """Close the current drag so the next one is a separate undo step."""
        cmd = self.undo_stack.command(self.undo_stack.index() - 1)
        if cmd is not None:
            cmd._merge_id = -1
        if self.in_gesture:
            self.in_gesture = False
            self.gestureEnded.emit()

    def replace_state(self, new: SceneState, playhead: int = 0) -> None:
        """Load a whole new scene (demo, file): not undoable into the old one."""
        new = validated(new)
        self._check_computable(new)
        self.undo_stack.clear()
        self.ghosts.clear()
        self.playhead = 0  # the new runs are computed to the new state's own horizon
        self._set_state(new)
        self.playheadChanged.emit(0)
        self.set_playhead(playhead)

    def _check_computable(self, s: SceneState) -> None:
        """Build the engine inputs once so that bad combinations fail here, politely."""
        try:
            runs_mod.build_problem(s)
            runs_mod.build_inits(s)
        except ValueError as err:
            raise StateError(str(err)) from None

    def _set_state(self, new: SceneState) -> None:
        self.state = new
        self._recompute(max(new.steps, self.playhead))
        self.changed.emit()
        self._report_divergence()

    # -- computing -------------------------------------------------------------
    def _recompute(self, steps: int) -> None:
        self.runs = runs_mod.compute(self.state, steps=steps, with_ensemble=False)
        self._schedule_ensemble()

    def _schedule_ensemble(self) -> None:
        self._ensemble_done = 0
        if self.state.ensemble > 0:
            self._ensemble_timer.start()
        else:
            self._ensemble_timer.stop()

    def _compute_ensemble_chunk(self) -> None:
        """Simulate the next chunk of fiber members and append them to the ensemble groups."""
        s = self.state
        lo, hi = self._ensemble_done, min(self._ensemble_done + ENSEMBLE_CHUNK, s.ensemble)
        t = self.runs.primary.traj
        for new in runs_mod.compute_ensemble(s, self.runs.problem, int(t.step[-1]), t.every, range(lo, hi)):
            group = self.runs.group("ensemble", new.optimizer)
            if group is None:
                self.runs.groups.append(new)
            else:
                group.traj = runs_mod.concat_runs(group.traj, new.traj)
                group.labels += new.labels
        self._ensemble_done = hi
        if hi < s.ensemble:
            self._ensemble_timer.start()
        self.changed.emit()

    @property
    def ensemble_complete(self) -> bool:
        return self._ensemble_done >= self.state.ensemble

    def wait_for_ensemble(self) -> None:
        """Finish the ensemble now (for exports and screenshots)."""
        while not self.ensemble_complete:
            self._ensemble_timer.stop()
            self._compute_ensemble_chunk()

    # -- playhead --------------------------------------------------------------
    @property
    def horizon(self) -> int:
        return self.runs.horizon

    def set_playhead(self, step: int) -> None:
        """Show ``step``; past the horizon, the runs are extended first."""
        step = max(0, int(step))
        if step > self.horizon:
            self.wait_for_ensemble()
            while step > self.horizon:
                # extend by at least half the horizon, so a long play copies the records O(log n) times
                self.runs = runs_mod.extend(self.runs, max(step - self.horizon, self.horizon // 2, 256))
            self.changed.emit()
        if step != self.playhead:
            self.playhead = step
            self.playheadChanged.emit(step)

    def record_index(self, group=None) -> int:
        return (group or self.runs.primary).record_index(self.playhead)

    # -- ghosts ----------------------------------------------------------------
    def pin_ghost(self) -> None:
        """Keep the current runs, faded, to compare with what comes next."""
        label = f"ghost {len(self.ghosts) + 1}: η={self.state.lr:g}, {self.state.optimizer}"
        self.ghosts.append(Ghost(self.state, self.runs, label))
        self.changed.emit()

    def clear_ghosts(self) -> None:
        self.ghosts.clear()
        self.changed.emit()

    # -- reporting -------------------------------------------------------------
    def _report_divergence(self) -> None:
        for g in self.runs.groups:
            if g.role == "ensemble" or not np.any(g.traj.diverged):
                continue
            i = int(np.argmax(g.traj.diverged))
            self.message.emit(divergence_message(self.state, self.runs, g, i), "warn")
            return


def divergence_message(s: SceneState, runs: RunSet, group, i: int) -> str:
    """'diverged at step 212: η = 0.9 exceeds about 2/λmax(PΣ) = 0.41' for run i of group."""
    step = int(group.traj.diverged_at[i])
    U, v, _ = runs_mod.build_inits(s)
    idx = group.init_index[i] if group.init_index else 0
    try:
        if group.optimizer == "natural" and step == 0:
            raise ValueError("singular P")
        if group.optimizer in ("path-sgd", "natural"):
            raise ValueError("no simple bound")  # their step is rescaled: the PΣ bound does not apply
        if group.optimizer == "canonical":
            bound = core.stable_lr(runs.problem, w=core.canonical(U[idx], v[idx]))
            what = "2/λmax(Σ)"
        else:
            bound = core.stable_lr(runs.problem, U=U[idx], v=v[idx])
            what = "2/λmax(PΣ)"
        hint = f"η = {s.lr:g} exceeds about {what} = {float(bound):.3g}" if np.isfinite(bound) else f"η = {s.lr:g} is too large"
    except (ValueError, np.linalg.LinAlgError):
        hint = (f"η = {s.lr:g} is too large for {group.optimizer} from this init" if step > 0 else
                "the natural step needs P = UᵀU + ‖v‖²I invertible, and at this init it is singular")
    name = group.labels[i]
    return f"{name} ({group.optimizer}) diverged at step {step}: {hint}; try a smaller η."
