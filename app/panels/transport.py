"""The transport bar: play/pause, step, reset, a scrubber over every computed step, speed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from ..player import SPEEDS, Player
from ..scene import Scene


class TransportBar(QWidget):
    def __init__(self, scene: Scene, player: Player, parent=None):
        super().__init__(parent)
        self.scene_, self.player = scene, player
        self.setObjectName("transport")
        self.play = QPushButton("▶ Play")
        self.play.setToolTip("play / pause (Space)")
        self.back = QPushButton("◀ Step")
        self.back.setToolTip("one step back (←)")
        self.forward = QPushButton("Step ▶")
        self.forward.setToolTip("one step forward (→)")
        self.reset = QPushButton("⟲ Reset")
        self.reset.setToolTip("back to step 0, same init (R)")
        self.scrubber = QSlider(Qt.Horizontal)
        self.scrubber.setObjectName("scrubber")
        self.scrubber.setToolTip("drag to any computed step")
        self.step_label = QLabel()
        self.step_label.setMinimumWidth(120)
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s} step{'s' if s > 1 else ''}/frame", s)
        self.speed.setToolTip("playback speed")
        for b in (self.play, self.back, self.forward, self.reset):
            b.setFocusPolicy(Qt.NoFocus)  # keys belong to the window's shortcuts
            b.setMinimumHeight(36)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for w in (self.play, self.back, self.forward, self.reset):
            layout.addWidget(w)
        layout.addWidget(self.scrubber, 1)
        layout.addWidget(self.step_label)
        layout.addWidget(self.speed)

        self.play.clicked.connect(player.toggle)
        self.back.clicked.connect(lambda: player.step(-1))
        self.forward.clicked.connect(lambda: player.step(1))
        self.reset.clicked.connect(player.reset)
        self.scrubber.valueChanged.connect(self._scrubbed)
        self.speed.activated.connect(lambda _: player.set_speed(self.speed.currentData()))
        player.playingChanged.connect(lambda on: self.play.setText("❚❚ Pause" if on else "▶ Play"))
        scene.changed.connect(self.sync)
        scene.playheadChanged.connect(lambda *_: self.sync())
        self.sync()

    def _scrubbed(self, value: int) -> None:
        self.player.pause()
        self.scene_.set_playhead(value)

    def sync(self) -> None:
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, self.scene_.horizon)
        self.scrubber.setValue(self.scene_.playhead)
        self.scrubber.blockSignals(False)
        self.step_label.setText(f"step {self.scene_.playhead} / {self.scene_.horizon}")
        i = self.speed.findData(self.player.speed)
        if i >= 0:
            self.speed.setCurrentIndex(i)
