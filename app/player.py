"""The player: a timer that moves the scene's playhead; the runs extend on demand."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from .scene import Scene

SPEEDS = (1, 2, 5, 10, 20, 50, 100)  # steps per frame
FRAME_MS = 16


class Player(QObject):
    """Play/pause, step and reset over the scene's playhead.

    Playing past the computed horizon extends the runs (the scene keeps the
    records bounded), so a run can play for as long as the user likes.
    """

    playingChanged = Signal(bool)

    def __init__(self, scene: Scene, parent: QObject | None = None):
        super().__init__(parent)
        self.scene_ = scene
        self.speed = 2
        self.stop_at: int | None = None  # a demo or a recording stops here
        self._timer = QTimer(self, interval=FRAME_MS)
        self._timer.timeout.connect(self.advance)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        if not self.playing:
            if self.stop_at is not None and self.scene_.playhead >= self.stop_at:
                self.scene_.set_playhead(0)  # replay a finished run from the start
            self._timer.start()
            self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.playing:
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def advance(self) -> None:
        """One frame: move the playhead ``speed`` steps."""
        target = self.scene_.playhead + self.speed
        if self.stop_at is not None and target >= self.stop_at:
            target = self.stop_at
            self.pause()
        self.scene_.set_playhead(target)

    def step(self, delta: int) -> None:
        self.pause()
        self.scene_.set_playhead(max(0, self.scene_.playhead + delta))

    def reset(self) -> None:
        """Back to step 0 of the same init."""
        self.pause()
        self.scene_.set_playhead(0)

    def set_speed(self, speed: int) -> None:
        self.speed = max(1, int(speed))
