"""Pieces every view shares: themed plots, big drag handles, pens, NaN-joined paths."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QPainterPath

from ..theme import Theme

HANDLE_PX = 44  # the smallest thing a lecturer has to hit, per DESIGN.md


def _ring_path() -> QPainterPath:
    """A unit-size ring with a centre dot: TargetItem scales it to HANDLE_PX."""
    path = QPainterPath()
    path.setFillRule(Qt.WindingFill)  # the centre dot must count as inside, for hits
    path.addEllipse(QPointF(0, 0), 0.5, 0.5)
    path.addEllipse(QPointF(0, 0), 0.08, 0.08)
    return path


class Handle(pg.TargetItem):
    """A draggable point drawn as a 44-px ring, reporting drags in data coordinates.

    Signals
    -------
    dragged(object) : the new position (x, y) during a drag.
    released() : the drag ended (closes one undo step).
    """

    dragged = Signal(object)
    released = Signal()

    def __init__(self, color: str, tooltip: str = "", size: int = HANDLE_PX):
        super().__init__(pos=(0, 0), size=size, symbol=_ring_path(), movable=True)
        self.set_color(color)
        self._quiet = False
        self.setToolTip(tooltip)
        self.setZValue(50)
        self.sigPositionChanged.connect(self._moved)
        self.sigPositionChangeFinished.connect(lambda *_: self.released.emit())

    def set_color(self, color: str) -> None:
        """Ring in ``color``, a faint fill of it, stronger on hover."""
        fill, hover = pg.mkColor(color), pg.mkColor(color)
        fill.setAlpha(45)
        hover.setAlpha(110)
        self.setPen(pg.mkPen(color, width=3))
        self.setHoverPen(pg.mkPen(color, width=4))
        self.setBrush(fill)
        self.setHoverBrush(hover)

    def mouseDragEvent(self, ev):  # noqa: N802 - Qt's name
        """Drag in view coordinates; overlapping handles: the nearest centre to the press wins."""
        if not self.movable or ev.button() != Qt.LeftButton:
            return
        ev.accept()
        vb = self.getViewBox()
        if ev.isStart() and not self._nearest_handle(ev.buttonDownScenePos()).isEnabled():
            self._target = None  # a lesson locked it: the press is swallowed, nothing moves
            return
        if ev.isStart():
            self._target = self._nearest_handle(ev.buttonDownScenePos())
            self._target._grab = self._target.pos() - vb.mapSceneToView(ev.buttonDownScenePos())
            self._target.moving = True
        target = getattr(self, "_target", None)
        if target is None or not target.moving:
            return
        target.setPos(target._grab + vb.mapSceneToView(ev.scenePos()))
        if ev.isFinish():
            target.moving = False
            target.sigPositionChangeFinished.emit(target)

    def _nearest_handle(self, scene_pos) -> "Handle":
        vb = self.getViewBox()
        handles = [h for h in (vb.addedItems if vb is not None else []) if isinstance(h, Handle) and h.isVisible()]

        def dist(h):
            c = h.mapToScene(QPointF(0, 0))
            return (c.x() - scene_pos.x()) ** 2 + (c.y() - scene_pos.y()) ** 2

        return min(handles, key=dist, default=self)

    def place(self, xy) -> None:
        """Move without reporting it (model → view)."""
        self._quiet = True
        try:
            self.setPos(float(xy[0]), float(xy[1]))
        finally:
            self._quiet = False

    def _moved(self, *_):
        if not self._quiet:
            p = self.pos()
            self.dragged.emit((p.x(), p.y()))


def make_plot(theme: Theme, title: str = "", x: str = "", y: str = "", equal: bool = False) -> pg.PlotWidget:
    """A PlotWidget in the theme's colours, with large readable labels."""
    plot = pg.PlotWidget(background=theme.background)
    apply_plot_theme(plot, theme, title, x, y)
    if equal:
        plot.setAspectLocked(True)
    plot.setMenuEnabled(False)
    plot.getPlotItem().hideButtons()
    return plot


def apply_plot_theme(plot: pg.PlotWidget | pg.PlotItem, theme: Theme, title: str = "", x: str = "", y: str = "") -> None:
    """Colours, fonts and labels of one plot (a PlotWidget or a PlotItem in a layout)."""
    if isinstance(plot, pg.PlotItem):
        item = plot
    else:
        item = plot.getPlotItem()
        plot.setBackground(theme.background)
    style = {"color": theme.foreground, "font-size": f"{theme.plot_px}px"}
    if title:
        item.setTitle(title, color=theme.foreground, size=f"{round(theme.plot_px * 1.15)}px")
    for name, text in (("bottom", x), ("left", y)):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(theme.muted, width=1))
        axis.setTextPen(pg.mkPen(theme.foreground))
        tick_font = pg.QtGui.QFont()
        tick_font.setPixelSize(max(9, round(theme.plot_px * 0.9)))
        axis.setStyle(tickFont=tick_font)
        # an axis changes only when its range does: cache its pixels instead of
        # replaying its tick picture on every frame (the largest cost of a frame)
        axis.setCacheMode(pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        if text:
            axis.setLabel(text, **style)
    item.showGrid(x=True, y=True, alpha=0.25)
    if item.legend is not None:
        style_legend(item.legend, theme)


def style_legend(legend: pg.LegendItem, theme: Theme) -> None:
    size = f"{max(9, round(theme.plot_px * (0.9 if theme.font_scale <= 1 else 0.75)))}px"  # projected plots are small
    legend.setLabelTextColor(theme.foreground)
    legend.setLabelTextSize(size)
    bg = pg.mkColor(theme.background)
    bg.setAlpha(215)
    legend.setBrush(pg.mkBrush(bg))
    legend.setPen(pg.mkPen(theme.grid))
    for _sample, label in legend.items:
        label.setText(label.text, color=theme.foreground, size=size)


class Coalesced(QObject):
    """Run ``fn`` after bursts of requests, at most once per ``interval_ms``.

    A drag changes the scene at mouse rate; views that are not the one being
    dragged redraw through this, so the dragged view's own repaint comes first.
    """

    def __init__(self, fn, interval_ms: int = 40, parent=None):
        super().__init__(parent)
        self._fn = fn
        self._timer = QTimer(self, singleShot=True, interval=interval_ms)
        self._timer.timeout.connect(fn)

    def request(self, urgent: bool = False) -> None:
        if urgent:
            self._timer.stop()
            self._fn()
        elif not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._fn()


def redraw_lazily(view, scene, redraw, interval_ms: int = 40) -> Coalesced:
    """Redraw ``view`` on every scene change, but at most every ``interval_ms`` during a drag."""
    lazy = Coalesced(redraw, interval_ms=interval_ms, parent=view)
    scene.changed.connect(lambda: lazy.request(urgent=not scene.in_gesture))
    scene.gestureEnded.connect(lazy.flush)
    return lazy


def cached(item):
    """Cache an item that changes with the scene but not with the playhead.

    Moving markers repaint the region under them every frame; an uncached path
    under that region would be stroked again in full each time.
    """
    item.setCacheMode(pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return item


def emphasise(plots, theme: Theme, on: bool) -> None:
    """Frame the plots' data areas in the accent colour (a demo's "look here").

    A border on the view box rather than a style sheet on the widget: a style sheet
    would cut the widget off from the window's palette (dark text on a dark theme).
    """
    for plot in plots:
        vb = plot.getViewBox() if hasattr(plot, "getViewBox") else plot.getPlotItem().getViewBox()
        vb.setBorder(pen(theme.accent, 3) if on else None)


def legend_below(plot: pg.PlotWidget, columns: int = 2) -> pg.LegendItem:
    """A legend in the plot's layout, under the axes: it never hides the data.

    Its width is 'ignored' so that long labels are clipped instead of widening the plot.
    """
    legend = pg.LegendItem(colCount=columns)
    legend.setSizePolicy(pg.QtWidgets.QSizePolicy.Policy.Ignored, pg.QtWidgets.QSizePolicy.Policy.Preferred)
    legend.setMinimumWidth(0)
    item = plot.getPlotItem()
    item.legend = legend
    item.layout.addItem(legend, 4, 1)
    return legend


def pen(color: str, width: float, style=Qt.SolidLine, alpha: int = 255) -> pg.QtGui.QPen:
    c = pg.mkColor(color)
    c.setAlpha(alpha)
    p = pg.mkPen(c, width=width, style=style)
    p.setCosmetic(True)
    return p


def nan_joined(paths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Many paths ``(T, n, 2)`` as one x, y pair split by NaN rows (one curve item)."""
    T, n = paths.shape[:2]
    buf = np.full((n, T + 1, 2), np.nan)
    buf[:, :T] = np.swapaxes(paths, 0, 1)
    flat = buf.reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


def thin(T: int, max_points: int) -> slice:
    """A stride that draws at most ``max_points`` of ``T`` records."""
    return slice(None, None, max(1, -(-T // max_points)))


def fmt(x: float, digits: int = 3) -> str:
    """A number for a read-out: 3 significant digits, or 'diverged'."""
    if not np.isfinite(x):
        return "—"
    return f"{x:.{digits}g}"
