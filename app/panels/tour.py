"""The tour panel: the demo list, its narration, live numbers, its controls, Previous/Next."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QListWidget, QPushButton, QTextBrowser, QVBoxLayout, QWidget,
)

from .. import edits
from ..demos import Demo, DemoControl, load_demos
from ..readouts import readout
from ..scene import Scene
from .fields import NumberField


class TourPanel(QWidget):
    """Walks a class through the demos; PageDown/PageUp (clicker keys) go next/previous.

    ``demoRequested(str)`` asks the window to open a demo (it owns the player).
    """

    demoRequested = Signal(str)
    shown = Signal()  # a demo's texts are on screen (the caption bar follows)

    def __init__(self, scene: Scene, parent=None):
        super().__init__(parent)
        self.scene_ = scene
        self.setObjectName("tour")
        self.demos = load_demos()
        self.current: Demo | None = None
        self.list = QListWidget()
        self.list.setObjectName("demoList")
        for i, d in enumerate(self.demos, 1):
            self.list.addItem(f"{i}. {d.title}")
        self.list.setMaximumHeight(150)
        self.list.setFocusPolicy(Qt.NoFocus)  # arrow keys belong to the window (step, η), PageDown to the tour
        self.title = QLabel("Choose a demo")
        self.title.setObjectName("tourTitle")
        self.title.setWordWrap(True)
        self.narration = QTextBrowser()
        self.narration.setObjectName("narration")
        self.narration.setOpenExternalLinks(False)
        self.try_this = QLabel()
        self.try_this.setObjectName("tryThis")
        self.try_this.setWordWrap(True)
        self.readouts = QLabel()
        self.readouts.setObjectName("tourReadouts")
        self.readouts.setWordWrap(True)
        self.readouts.setTextFormat(Qt.RichText)
        self.controls_box = QVBoxLayout()
        self.prev = QPushButton("◀ Previous")
        self.prev.setToolTip("previous demo (PageUp)")
        self.next = QPushButton("Next ▶")
        self.next.setToolTip("next demo (PageDown)")
        self.reset = QPushButton("Reset this demo")
        for b in (self.prev, self.next, self.reset):
            b.setFocusPolicy(Qt.NoFocus)
            b.setMinimumHeight(36)
        nav = QHBoxLayout()
        nav.addWidget(self.prev)
        nav.addWidget(self.reset)
        nav.addWidget(self.next)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.list)
        layout.addLayout(nav)
        layout.addWidget(self.title)
        layout.addWidget(self.narration, 1)
        layout.addWidget(self.try_this)
        layout.addWidget(line)
        layout.addWidget(self.readouts)
        layout.addLayout(self.controls_box)
        self._control_widgets: list[QWidget] = []

        self.list.currentRowChanged.connect(self._row_chosen)
        self.prev.clicked.connect(lambda: self.go(-1))
        self.next.clicked.connect(lambda: self.go(+1))
        self.reset.clicked.connect(lambda: self.current and self.demoRequested.emit(self.current.id))
        scene.changed.connect(self._refresh)
        scene.playheadChanged.connect(lambda *_: self._update_readouts())

    def set_fonts(self, theme) -> None:
        self.title.setFont(theme.font(1.25, bold=True))
        self.narration.setFont(theme.font(1.1))
        self.readouts.setFont(theme.font(plot=True))

    # -- navigation --------------------------------------------------------------
    def index(self) -> int:
        return self.demos.index(self.current) if self.current in self.demos else -1

    def go(self, delta: int) -> None:
        """Next (+1) or previous (−1) demo; from no demo, Next opens the first."""
        i = self.index()
        j = 0 if i < 0 and delta > 0 else max(0, min(len(self.demos) - 1, i + delta))
        if j != i:
            self.demoRequested.emit(self.demos[j].id)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.demos) and self.demos[row] is not self.current:
            self.demoRequested.emit(self.demos[row].id)

    def show_demo(self, demo: Demo | None) -> None:
        """Show ``demo``'s texts and controls (the window has already loaded its scene)."""
        self.current = demo
        self.list.blockSignals(True)
        self.list.setCurrentRow(self.index())
        self.list.blockSignals(False)
        if demo is None:
            self.title.setText("Choose a demo")
            self.narration.setHtml("")
            self.try_this.setText("")
        else:
            self.title.setText(f"{self.index() + 1} / {len(self.demos)} · {demo.title}")
            self.narration.setHtml(demo.narration)
            self.try_this.setText(f"<b>Try this:</b> {demo.try_this}")
        self.prev.setEnabled(self.index() > 0)
        self.next.setEnabled(self.index() < len(self.demos) - 1)
        self._build_controls()
        self._update_readouts()
        self.shown.emit()

    # -- demo controls -----------------------------------------------------------
    def _build_controls(self) -> None:
        for w in self._control_widgets:
            w.deleteLater()
        self._control_widgets = []
        for c in self.current.controls if self.current else ():
            w = self._make_control(c)
            self.controls_box.addWidget(w)
            self._control_widgets.append(w)
        self._refresh()

    def _make_control(self, c: DemoControl) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(c.label))
        if c.kind == "toggle":
            button = QPushButton()
            button.setObjectName(f"toggle-{c.field}")
            button.setFocusPolicy(Qt.NoFocus)
            button.setMinimumHeight(36)
            button.clicked.connect(lambda _=False, c=c: self._toggle(c))
            row.addWidget(button, 1)
            box.setProperty("control", c)
            box.button = button
        else:
            field = NumberField(c.lo, c.hi, log=c.log)
            field.setObjectName(f"slider-{c.field}")
            field.committed.connect(lambda x, c=c: self._slide(c, x))
            field.released.connect(self.scene_.end_gesture)
            row.addWidget(field, 1)
            box.field = field
        box.control = c
        return box

    def _toggle(self, c: DemoControl) -> None:
        s = self.scene_.state
        current = getattr(s, c.field) if c.field != "optimizer" else s.optimizer
        nxt = c.values[(c.values.index(current) + 1) % len(c.values)] if current in c.values else c.values[0]
        new = edits.set_optimizer(s, nxt) if c.field == "optimizer" else replace(s, **{c.field: nxt})
        self.scene_.apply(new, f"switch {c.field}")

    def _slide(self, c: DemoControl, x: float) -> None:
        edit = {"lr": lambda s, x: replace(s, lr=x), "lam": edits.set_lam, "alpha": edits.set_alpha}[c.field]
        self.scene_.edit(edit, x, text=f"set {c.field}", merge_key=f"tour:{c.field}")

    def _refresh(self) -> None:
        s = self.scene_.state
        for w in self._control_widgets:
            c = w.control
            if c.kind == "toggle":
                current = s.optimizer if c.field == "optimizer" else getattr(s, c.field)
                w.button.setText("  ↔  ".join(f"[{v}]" if v == current else str(v) for v in c.values))
            else:
                w.field.set_value(getattr(s, c.field))
        self._update_readouts()

    def _update_readouts(self) -> None:
        if self.current is None or self.scene_.state.demo != self.current.id:
            self.readouts.setText("")
            return
        lines = []
        for name in self.current.readouts:
            try:
                lines.append(readout(name, self.scene_))
            except (ValueError, IndexError, FloatingPointError) as err:
                lines.append(f"{name}: — ({err})")
        self.readouts.setText("<br>".join(lines))
