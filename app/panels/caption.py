"""The presentation caption: the demo's title, its prompt and live numbers, large, under the plots.

In presentation mode the side panel gives its room to the plots; the class
reads the demo from this strip while the lecturer clicks through with PageDown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .tour import TourPanel


class CaptionBar(QWidget):
    def __init__(self, tour: TourPanel, parent=None):
        super().__init__(parent)
        self.tour = tour
        self.setObjectName("caption")
        self.title = QLabel()
        self.title.setObjectName("captionTitle")
        self.title.setWordWrap(True)
        self.body = QLabel()
        self.body.setObjectName("captionBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        tour.shown.connect(self.refresh)
        tour.scene_.playheadChanged.connect(lambda *_: self.refresh())
        tour.scene_.changed.connect(self.refresh)

    def refresh(self) -> None:
        if not self.isVisible():
            return
        demo = self.tour.current
        if demo is None:
            self.title.setText("Overparam Explorer · PageDown starts the tour")
            self.body.setText("")
            return
        self.title.setText(f"{self.tour.index() + 1}/{len(self.tour.demos)} · {demo.title}")
        numbers = self.tour.readouts.text()
        first = numbers.split("<br>")[0] if numbers else ""
        self.body.setText(f"{demo.try_this}" + (f"<br><b>{first}</b>" if first else ""))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh()
