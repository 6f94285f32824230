"""Input widgets that refuse bad numbers at the field, with a message beside it."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSlider, QVBoxLayout, QWidget


INVALID_BORDER = "#D55E00"  # Okabe–Ito vermillion: visible on every theme


def parse_number(text: str, lo: float, hi: float, integer: bool = False) -> float:
    """The number in ``text``, or ValueError with a message fit for the user."""
    t = text.strip().replace("−", "-").replace(",", ".")
    if not t:
        raise ValueError("enter a number")
    try:
        x = float(t)
    except ValueError:
        raise ValueError(f"“{text.strip()[:20]}” is not a number") from None
    if math.isnan(x):
        raise ValueError("NaN is not allowed")
    if math.isinf(x):
        raise ValueError("infinity is not allowed")
    if integer and x != int(x):
        raise ValueError("enter a whole number")
    if not lo <= x <= hi:
        raise ValueError(f"must lie between {lo:g} and {hi:g}")
    return int(x) if integer else x


class NumberField(QWidget):
    """A line edit for one number in [lo, hi], optionally with a (log-)slider.

    ``committed(float)`` fires only for accepted values. A refused entry turns
    the field red, says why below it, and leaves the value (and the scene) as it was.
    """

    committed = Signal(float)
    released = Signal()  # a slider drag ended: closes its undo step

    def __init__(self, lo: float, hi: float, log: bool = False, integer: bool = False,
                 slider: bool = True, digits: int = 4, parent=None):
        super().__init__(parent)
        self.lo, self.hi, self.log, self.integer, self.digits = lo, hi, log, integer, digits
        self._value = lo
        self.edit = QLineEdit()
        self.edit.setAlignment(Qt.AlignRight)
        self.edit.setMinimumWidth(70)
        self.edit.setMaximumWidth(110)
        self.edit.editingFinished.connect(self._edited)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.slider = QSlider(Qt.Horizontal) if slider else None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if self.slider is not None:
            self.slider.setRange(0, 1000)
            self.slider.valueChanged.connect(self._slid)
            self.slider.sliderReleased.connect(self.released.emit)
            row.addWidget(self.slider, 3)
        row.addWidget(self.edit, 2)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(1)
        col.addLayout(row)
        col.addWidget(self.error)

    def value(self) -> float:
        return self._value

    def set_value(self, x: float) -> None:
        """Model → view: show ``x`` without emitting."""
        self._value = x
        self.edit.setText(self._format(x))
        self._set_error("")
        if self.slider is not None:
            self.slider.blockSignals(True)
            self.slider.setValue(self._to_slider(x))
            self.slider.blockSignals(False)

    def _format(self, x: float) -> str:
        return str(int(x)) if self.integer else f"{x:.{self.digits}g}"

    def _to_slider(self, x: float) -> int:
        if self.log:
            t = (math.log10(max(x, self.lo)) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        else:
            t = (x - self.lo) / (self.hi - self.lo)
        return round(1000 * min(max(t, 0.0), 1.0))

    def _from_slider(self, n: int) -> float:
        t = n / 1000
        if self.log:
            x = 10 ** (math.log10(self.lo) + t * (math.log10(self.hi) - math.log10(self.lo)))
            return float(f"{x:.3g}")
        x = self.lo + t * (self.hi - self.lo)
        return round(x) if self.integer else float(f"{x:.3g}")

    def _set_error(self, text: str) -> None:
        if text == self.error.text():
            return  # re-polishing a style costs a millisecond: only when it changes
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.edit.setProperty("invalid", bool(text))
        # a style sheet on this one field only while it is wrong (a window-wide one slows every paint)
        self.edit.setStyleSheet(f"border: 2px solid {INVALID_BORDER};" if text else "")

    def show_error(self, text: str) -> None:
        """Show a refusal that came from the scene (e.g. a combination it cannot run)."""
        self._set_error(text)

    def _edited(self) -> None:
        try:
            x = parse_number(self.edit.text(), self.lo, self.hi, self.integer)
        except ValueError as err:
            self._set_error(str(err))
            return
        self._set_error("")
        if x != self._value:
            self.committed.emit(x)
            self.released.emit()  # a typed value is a whole gesture, unlike a slider drag

    def _slid(self, n: int) -> None:
        x = self._from_slider(n)
        self.edit.setText(self._format(x))
        self._set_error("")
        if x != self._value:
            self._value = x
            self.committed.emit(x)
