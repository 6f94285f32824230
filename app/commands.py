"""Every action of the window, its menu and its keys, in one table.

Keyboard first: each command has a shortcut, and Help › Keyboard shortcuts (or
``?``) lists this same table, so the list can never go stale. Presenter clickers
send PageDown/PageUp and sometimes B or ``.``: those walk the tour and blank the
screen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from overparam_core import OPTIMIZERS

from . import edits
from .player import SPEEDS
from .state import LR_RANGE
from .theme import THEME_NAMES


@dataclass(frozen=True)
class Command:
    key: str
    menu: str
    text: str
    shortcuts: tuple[str, ...]
    run: Callable  # run(window)
    checkable: bool = False


def _scene_edit(window, make, text: str) -> None:
    """Apply ``make(state)``; a refusal is shown in the status bar, nothing changes."""
    window.scene_.edit(make, text=text)


def _allowed(window, control: str) -> bool:
    """False (and says why) when a lesson has locked ``control``."""
    if control in window.scene_.state.locked:
        window.show_message(f"{control} is locked for this lesson (Edit › Unlock all controls)", "error")
        return False
    return True


def _cycle_optimizer(window) -> None:
    if not _allowed(window, "optimizer"):
        return
    s = window.scene_.state
    allowed = ("gd", "flow", "path-sgd") if s.model == "relu" else OPTIMIZERS
    nxt = allowed[(allowed.index(s.optimizer) + 1) % len(allowed)] if s.optimizer in allowed else allowed[0]
    _scene_edit(window, lambda s: edits.set_optimizer(s, nxt), "next optimizer")


def _scale_lr(window, factor: float) -> None:
    if not _allowed(window, "lr"):
        return
    lr = min(max(window.scene_.state.lr * factor, LR_RANGE[0]), LR_RANGE[1])
    _scene_edit(window, lambda s: replace(s, lr=float(f"{lr:.3g}")), "change η")


def _width(window, delta: int) -> None:
    if not _allowed(window, "width"):
        return
    _scene_edit(window, lambda s: edits.set_width(s, min(8, max(1, s.k + delta))), "change width")


def _toggle_overlay(window, name: str) -> None:
    if not _allowed(window, "overlays"):
        return
    _scene_edit(window, lambda s: edits.toggle_overlay(s, name, name not in s.overlays), f"toggle {name}")


def _speed(window, direction: int) -> None:
    p = window.player
    i = min(range(len(SPEEDS)), key=lambda j: abs(SPEEDS[j] - p.speed))
    p.set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))])
    window.transport.sync()


def _cycle_theme(window) -> None:
    names = THEME_NAMES
    window.set_theme(names[(names.index(window.theme.name) + 1) % len(names)])


COMMANDS: tuple[Command, ...] = (
    Command("open", "File", "Open scene…", ("Ctrl+O",), lambda w: w.open_scene_dialog()),
    Command("save", "File", "Save scene…", ("Ctrl+S",), lambda w: w.save_scene_dialog()),
    Command("export_figure", "File", "Export figure (PNG or SVG)…", ("Ctrl+E",), lambda w: w.export_figure_dialog()),
    Command("export_animation", "File", "Export animation (GIF or MP4)…", ("Ctrl+Shift+E",), lambda w: w.export_animation_dialog()),
    Command("export_csv", "File", "Export trajectories as CSV…", ("Ctrl+Shift+T",), lambda w: w.export_csv_dialog()),
    Command("copy_figure", "File", "Copy figure to clipboard", ("Ctrl+Shift+C",), lambda w: w.copy_figure()),
    Command("quit", "File", "Quit", ("Ctrl+Q",), lambda w: w.close()),
    Command("undo", "Edit", "Undo", ("Ctrl+Z",), lambda w: w.scene_.undo_stack.undo()),
    Command("redo", "Edit", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), lambda w: w.scene_.undo_stack.redo()),
    Command("pin", "Edit", "Pin run as ghost", ("G",), lambda w: w.scene_.pin_ghost()),
    Command("clear_ghosts", "Edit", "Clear ghosts", ("Shift+G",), lambda w: w.scene_.clear_ghosts()),
    Command("next_optimizer", "Edit", "Next optimizer", ("O",), _cycle_optimizer),
    Command("lr_up", "Edit", "Learning rate ×1.25", ("+", "="), lambda w: _scale_lr(w, 1.25)),
    Command("lr_down", "Edit", "Learning rate ÷1.25", ("-",), lambda w: _scale_lr(w, 0.8)),
    Command("wider", "Edit", "One more unit (k + 1)", ("K",), lambda w: _width(w, +1)),
    Command("narrower", "Edit", "One unit fewer (k − 1)", ("Shift+K",), lambda w: _width(w, -1)),
    Command("lesson", "Edit", "Prepare a lesson: lock controls, hide panels…", ("Ctrl+Shift+L",), lambda w: w.prepare_lesson()),
    Command("unlock", "Edit", "Unlock all controls (teacher)", ("Ctrl+Shift+U",), lambda w: w.unlock_all()),
    Command("play", "Play", "Play / pause", ("Space",), lambda w: w.player.toggle()),
    Command("forward", "Play", "Step forward", ("Right",), lambda w: w.player.step(1)),
    Command("back", "Play", "Step back", ("Left",), lambda w: w.player.step(-1)),
    Command("reset", "Play", "Reset to the same init", ("R",), lambda w: w.player.reset()),
    Command("start", "Play", "Go to step 0", ("Home",), lambda w: w.scene_.set_playhead(0)),
    Command("end", "Play", "Go to the last computed step", ("End",), lambda w: w.scene_.set_playhead(w.scene_.horizon)),
    Command("faster", "Play", "Faster", ("]",), lambda w: _speed(w, +1)),
    Command("slower", "Play", "Slower", ("[",), lambda w: _speed(w, -1)),
    Command("arrows", "View", "Show step arrows −ηa, −ηPa", ("1",), lambda w: _toggle_overlay(w, "arrows")),
    Command("ellipse", "View", "Show the ellipse of P", ("2",), lambda w: _toggle_overlay(w, "ellipse")),
    Command("contributions", "View", "Show unit contributions v_i u_i", ("3",), lambda w: _toggle_overlay(w, "contributions")),
    Command("canonical", "View", "Show canonical GD (dashed)", ("C",),
            lambda w: _allowed(w, "overlays") and _scene_edit(w, lambda s: replace(s, show_canonical=not s.show_canonical), "toggle canonical")),
    Command("fit", "View", "Fit the w-plane to the runs", ("F",), lambda w: w.wplane.fit()),
    Command("theme", "View", "Next theme (light, dark, projector)", ("T",), _cycle_theme),
    Command("present", "View", "Presentation mode", ("F5",), lambda w: w.set_presentation(not w.presenting), checkable=True),
    Command("larger", "View", "Larger text", ("Ctrl+=", "Ctrl++"), lambda w: w.set_font_scale(w.font_scale * 1.15)),
    Command("smaller", "View", "Smaller text", ("Ctrl+-",), lambda w: w.set_font_scale(w.font_scale / 1.15)),
    Command("fullscreen", "View", "Full screen", ("F11",), lambda w: w.set_fullscreen(not w.isFullScreen()), checkable=True),
    Command("blank", "View", "Blank the screen (clicker B or .)", ("B", "."), lambda w: w.toggle_blank()),
    Command("escape", "View", "Leave blank screen or full screen", ("Escape",), lambda w: w.escape()),
    Command("next_demo", "Tour", "Next demo", ("PgDown", "N"), lambda w: w.tour.go(+1)),
    Command("prev_demo", "Tour", "Previous demo", ("PgUp", "P"), lambda w: w.tour.go(-1)),
    Command("reset_demo", "Tour", "Reset this demo", ("Ctrl+R",), lambda w: w.reset_demo()),
    Command("shortcuts", "Help", "Keyboard shortcuts", ("?", "F1"), lambda w: ShortcutsDialog(w).exec()),
)

MENUS = ("File", "Edit", "Play", "View", "Tour", "Help")


def install(window) -> dict[str, QAction]:
    """Create every command as a window-wide QAction in its menu; returns them by key."""
    menus = {name: window.menuBar().addMenu(f"&{name}") for name in MENUS}
    actions = {}
    for cmd in COMMANDS:
        act = QAction(cmd.text, window)
        act.setShortcuts([QKeySequence(s) for s in cmd.shortcuts])
        act.setShortcutContext(Qt.WindowShortcut)
        act.setCheckable(cmd.checkable)
        act.triggered.connect(lambda _=False, cmd=cmd: cmd.run(window))
        window.addAction(act)
        menus[cmd.menu].addAction(act)
        actions[cmd.key] = act
    undo_stack = window.scene_.undo_stack
    undo_stack.canUndoChanged.connect(actions["undo"].setEnabled)
    undo_stack.canRedoChanged.connect(actions["redo"].setEnabled)
    actions["undo"].setEnabled(undo_stack.canUndo())
    actions["redo"].setEnabled(undo_stack.canRedo())
    return actions


class ShortcutsDialog(QDialog):
    """Help › Keyboard shortcuts: the command table, as the window has it."""

    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(len(COMMANDS), 3)
        table.setObjectName("shortcutsTable")
        table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        for row, cmd in enumerate(COMMANDS):
            keys = ", ".join(QKeySequence(s).toString(QKeySequence.NativeText) for s in cmd.shortcuts)
            for col, text in enumerate((cmd.menu, cmd.text, keys)):
                table.setItem(row, col, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table = table
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        self.resize(620, 640)
