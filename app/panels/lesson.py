"""Teacher scenarios: choose which controls a lesson locks and which panels it hides.

The choice is part of the scene (``locked``, ``hidden``), so a saved scene file
reopens as the lesson was prepared; Edit › Unlock all controls takes it back.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QGridLayout, QGroupBox, QLabel, QVBoxLayout

from ..state import PANELS, SceneState
from .controls import LOCKABLE

LOCK_TITLES = {
    "lr": "learning rate η", "optimizer": "optimizer", "problem": "problem", "model": "model", "width": "width k",
    "init": "init rule, λ, α", "ensemble": "ensemble size", "seed": "seed", "steps": "steps",
    "overlays": "overlays and canonical path", "units": "dragging units and data", "w0": "dragging w₀",
}
PANEL_TITLES = {"units": "units panel", "balance": "balance plane", "timeseries": "time series",
                "controls": "Controls tab", "tour": "Tour tab"}


class LessonDialog(QDialog):
    """Checkboxes for every lockable control and hideable panel of the current scene."""

    def __init__(self, state: SceneState, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Prepare a lesson")
        self.locks = {name: QCheckBox(LOCK_TITLES[name]) for name in LOCKABLE}
        self.hides = {name: QCheckBox(PANEL_TITLES[name]) for name in PANELS}
        for name, box in self.locks.items():
            box.setObjectName(f"lock-{name}")
            box.setChecked(name in state.locked)
        for name, box in self.hides.items():
            box.setObjectName(f"hide-{name}")
            box.setChecked(name in state.hidden)
        locks = QGroupBox("Lock these controls")
        grid = QGridLayout(locks)
        for i, box in enumerate(self.locks.values()):
            grid.addWidget(box, i // 2, i % 2)
        hides = QGroupBox("Hide these panels")
        grid = QGridLayout(hides)
        for i, box in enumerate(self.hides.values()):
            grid.addWidget(box, i // 2, i % 2)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Save the scene afterwards (Ctrl+S): the file reopens locked. "
                                "Edit › Unlock all controls (Ctrl+Shift+U) takes it back."))
        layout.addWidget(locks)
        layout.addWidget(hides)
        layout.addWidget(buttons)

    def applied_to(self, state: SceneState) -> SceneState:
        return replace(
            state,
            locked=frozenset(n for n, b in self.locks.items() if b.isChecked()),
            hidden=frozenset(n for n, b in self.hides.items() if b.isChecked()),
        )
