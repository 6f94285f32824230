"""Real mouse events for pyqtgraph views: press, moves with the button held, release."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg

# pyqtgraph drops mouse moves closer than 10 ms apart (a 100 Hz cap that helps a
# real hand); synthetic events come microseconds apart, so lift the cap in tests.
pg.setConfigOption("mouseRateLimit", -1)


def view_pos(plot, xy) -> QPoint:
    """Viewport pixel of data point ``xy`` in a PlotWidget (or a PlotItem's widget)."""
    vb = plot.getPlotItem().getViewBox() if hasattr(plot, "getPlotItem") else plot.getViewBox()
    scene_pt = vb.mapViewToScene(QPointF(float(xy[0]), float(xy[1])))
    view = vb.scene().views()[0]
    return view.mapFromScene(scene_pt)


def _send(widget, kind, pos: QPoint, button, buttons, modifiers=Qt.NoModifier):
    gpos = widget.mapToGlobal(pos)
    ev = QMouseEvent(kind, QPointF(pos), QPointF(gpos), button, buttons, modifiers)
    QApplication.sendEvent(widget, ev)


def drag(plot, start, end, steps: int = 8, button=Qt.LeftButton, modifiers=Qt.NoModifier, on_move=None):
    """Drag from data point ``start`` to ``end`` with real mouse events on the viewport."""
    view = plot.getPlotItem().getViewBox().scene().views()[0] if hasattr(plot, "getPlotItem") else plot.scene().views()[0]
    viewport = view.viewport()
    p0, p1 = view_pos(plot, start), view_pos(plot, end)
    _send(viewport, QEvent.MouseMove, p0, Qt.NoButton, Qt.NoButton)
    _send(viewport, QEvent.MouseButtonPress, p0, button, button, modifiers)
    for i in range(1, steps + 1):
        t = i / steps
        p = QPoint(round(p0.x() + t * (p1.x() - p0.x())), round(p0.y() + t * (p1.y() - p0.y())))
        _send(viewport, QEvent.MouseMove, p, Qt.NoButton, button, modifiers)
        if on_move is not None:
            on_move(i)
    _send(viewport, QEvent.MouseButtonRelease, p1, button, Qt.NoButton, modifiers)


def click(plot, xy, button=Qt.LeftButton, modifiers=Qt.NoModifier):
    view = plot.getPlotItem().getViewBox().scene().views()[0]
    viewport = view.viewport()
    p = view_pos(plot, xy)
    _send(viewport, QEvent.MouseMove, p, Qt.NoButton, Qt.NoButton)
    _send(viewport, QEvent.MouseButtonPress, p, button, button, modifiers)
    _send(viewport, QEvent.MouseButtonRelease, p, button, Qt.NoButton, modifiers)
