"""Figures: PNG and SVG of one view or of the whole window, and copy to the clipboard.

A *figure target* is any of

- a pyqtgraph ``PlotWidget``, ``PlotItem``, ``GraphicsLayoutWidget`` or
  ``GraphicsLayout``: exported by pyqtgraph's exporters (the plot alone, at any
  resolution, as pixels or as true vectors);
- any other ``QWidget`` (a view holding several plots, the main window):
  rendered as it looks on screen, at the requested width (re-rendered at that
  resolution, not an up-scaled screenshot). For SVG, a widget that is a whole
  window (or holds no plot) is drawn through ``QSvgGenerator``; a widget
  holding plots exports its main (largest) plot.

Every file is written atomically: a failed export never leaves half a file.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pg.exporters)
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QRectF, QSize
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QMainWindow, QWidget

from .atomic import write_atomic

MAX_SIDE_PX = 10_000


# -- helpers ----------------------------------------------------------------------

def check_width(width_px) -> int:
    """``width_px`` as an int in 1..MAX_SIDE_PX, or ValueError."""
    if isinstance(width_px, bool) or not isinstance(width_px, int) or not 0 < width_px <= MAX_SIDE_PX:
        raise ValueError(f"the image width must be a whole number of pixels from 1 to {MAX_SIDE_PX}, not {width_px!r}")
    return width_px


def plot_item_of(target) -> pg.GraphicsItem | None:
    """The pyqtgraph item a figure target exports, or None for a plain QWidget."""
    if isinstance(target, pg.PlotWidget):
        return target.getPlotItem()
    if isinstance(target, pg.GraphicsLayoutWidget):
        return target.ci
    if isinstance(target, pg.GraphicsItem):
        return target
    return None


def main_plot_of(widget: QWidget) -> pg.GraphicsItem | None:
    """The plot a widget holding plots is mostly about: its largest pyqtgraph view."""
    direct = plot_item_of(widget)
    if direct is not None:
        return direct
    views = [v for v in widget.findChildren(pg.GraphicsView) if plot_item_of(v) is not None]
    if not views:
        return None
    biggest = max(views, key=lambda v: v.width() * v.height())
    return plot_item_of(biggest)


def _encode(image: QImage, fmt: str = "PNG") -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buf, fmt)
    buf.close()
    if not ok:
        raise OSError(f"could not encode the image as {fmt}")
    return bytes(data.data())


def render_widget(widget: QWidget, width_px: int | None = None) -> QImage:
    """Draw ``widget`` (and its children) into an image ``width_px`` wide.

    The widget is re-rendered at the target resolution (through the image's
    device pixel ratio), so lines and text stay crisp at any width.

    Parameters
    ----------
    widget : QWidget
        A widget with a size (shown, or at least laid out).
    width_px : int, optional
        Width of the image; default the widget's width in device pixels.

    Returns
    -------
    QImage
        ``width_px`` wide, the widget's aspect ratio.
    """
    w, h = widget.width(), widget.height()
    if w <= 0 or h <= 0:
        raise ValueError("the widget has no size yet; show it before exporting")
    if width_px is None:
        width_px = max(1, round(w * widget.devicePixelRatioF()))
    check_width(width_px)
    scale = width_px / w
    height_px = max(1, round(h * scale))
    if height_px > MAX_SIDE_PX:
        raise ValueError(f"the image would be {height_px} pixels tall; at most {MAX_SIDE_PX} are allowed")
    image = QImage(width_px, height_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    try:
        widget.render(painter, QPoint(0, 0))
    finally:
        painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def figure_image(target, width_px: int | None = None) -> QImage:
    """The figure of ``target`` as an image (see the module docstring for targets).

    Parameters
    ----------
    target : PlotWidget, PlotItem, GraphicsLayoutWidget or QWidget
    width_px : int, optional
        Image width in pixels (1 to 10000); default the on-screen size.

    Raises
    ------
    ValueError
        For a bad width or a target that cannot be drawn.
    """
    if width_px is not None:
        check_width(width_px)
    item = plot_item_of(target)
    if item is None:
        if not isinstance(target, QWidget):
            raise ValueError(f"cannot export a figure of {type(target).__name__}")
        return render_widget(target, width_px)
    exporter = pg.exporters.ImageExporter(item)
    params = exporter.parameters()
    if width_px is not None:
        params["width"] = width_px  # the exporter keeps the aspect ratio
    if int(params["height"]) > MAX_SIDE_PX:
        raise ValueError(f"the image would be {int(params['height'])} pixels tall; at most {MAX_SIDE_PX} are allowed")
    image = exporter.export(toBytes=True)
    if not isinstance(image, QImage) or image.isNull():
        raise ValueError("the plot has no size yet; show it before exporting")
    return image


# -- public exports ---------------------------------------------------------------

def export_png(target, path: str | os.PathLike, width_px: int | None = None) -> tuple[int, int]:
    """Save ``target`` as a PNG ``width_px`` wide (default: its size on screen).

    Parameters
    ----------
    target : PlotWidget, PlotItem, GraphicsLayoutWidget or QWidget
        A plot exports alone (pyqtgraph ``ImageExporter``); any other widget,
        such as the main window, is rendered as it looks.
    path : str or Path
        The file to write (replaced atomically).
    width_px : int, optional
        From 1 to 10000.

    Returns
    -------
    (int, int)
        The image's width and height in pixels.

    Raises
    ------
    ValueError
        Bad width, or nothing to draw. ``OSError`` if the file cannot be written.
    """
    image = figure_image(target, width_px)
    write_atomic(path, _encode(image, "PNG"))
    return image.width(), image.height()


def export_svg(target, path: str | os.PathLike, whole: bool | None = None) -> Path:
    """Save ``target`` as an SVG.

    Parameters
    ----------
    target : PlotWidget, PlotItem, GraphicsLayoutWidget or QWidget
    path : str or Path
        The file to write (replaced atomically).
    whole : bool, optional
        True draws the whole widget as it looks, through ``QSvgGenerator``;
        False exports one plot as vectors with pyqtgraph's ``SVGExporter``
        (the target itself, or the largest plot inside a widget). Default:
        whole for a ``QMainWindow`` or a widget holding no plot, else one plot.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        If the target has nothing to export, or ``whole`` is asked of a plot
        item, or Qt's SVG module is missing.
    """
    path = Path(path)
    if whole is None:
        whole = isinstance(target, QMainWindow) or (isinstance(target, QWidget) and main_plot_of(target) is None)
    if whole:
        if not isinstance(target, QWidget):
            raise ValueError(f"cannot draw {type(target).__name__} as a whole widget; export it as a plot")
        write_atomic(path, widget_svg(target))
        return path
    item = main_plot_of(target) if isinstance(target, QWidget) else plot_item_of(target)
    if item is None:
        raise ValueError(f"{type(target).__name__} holds no plot to export as SVG")
    write_atomic(path, plot_svg(item))
    return path


def plot_svg(item: pg.GraphicsItem) -> bytes:
    """One plot (a pyqtgraph item) as SVG vectors.

    Uses pyqtgraph's ``SVGExporter``; where that fails (pyqtgraph 0.14 cannot
    parse the closed paths Qt ≥ 6.9 writes, pyqtgraph issue #3495) the item's
    part of its scene is drawn through ``QSvgGenerator`` instead.
    """
    try:
        data = pg.exporters.SVGExporter(item).export(toBytes=True)
    except (ValueError, IndexError):
        data = None
    return data if data else item_svg(item)


def item_svg(item: pg.GraphicsItem) -> bytes:
    """The region of its scene that ``item`` covers, drawn through ``QSvgGenerator``."""
    scene = item.scene()
    if scene is None:
        raise ValueError("the plot is not in any view; show it before exporting")
    source = item.sceneBoundingRect()
    w, h = math.ceil(source.width()), math.ceil(source.height())
    if w <= 0 or h <= 0:
        raise ValueError("the plot has no size yet; show it before exporting")
    views = scene.views()
    background = views[0].backgroundBrush() if views else None

    def draw(painter: QPainter) -> None:
        target = QRectF(0, 0, w, h)
        if background is not None:
            painter.fillRect(target, background)
        scene.render(painter, target, source)

    return _svg(w, h, draw, "pyqtgraph plot")


def widget_svg(widget: QWidget, title: str = "Overparam Explorer") -> bytes:
    """The whole ``widget`` as SVG text, drawn through ``QSvgGenerator``.

    Raises
    ------
    ValueError
        If ``PySide6.QtSvg`` is not installed or the widget has no size.
    """
    w, h = widget.width(), widget.height()
    if w <= 0 or h <= 0:
        raise ValueError("the widget has no size yet; show it before exporting")
    return _svg(w, h, lambda painter: widget.render(painter, QPoint(0, 0)), title)


def _svg(w: int, h: int, draw, title: str) -> bytes:
    """SVG bytes of a ``w`` × ``h`` drawing made by ``draw(painter)``."""
    try:
        from PySide6.QtSvg import QSvgGenerator
    except ImportError:
        raise ValueError("SVG export needs Qt's SVG module (PySide6.QtSvg), which is not installed; "
                         "export a PNG instead") from None
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(QSize(w, h))
    gen.setViewBox(QRect(0, 0, w, h))
    gen.setTitle(title)
    painter = QPainter(gen)
    try:
        draw(painter)
    finally:
        painter.end()
        buf.close()
    return bytes(data.data())


def copy_figure_to_clipboard(target, width_px: int | None = None) -> QImage:
    """Put the figure of ``target`` on the system clipboard, as an image.

    A QWidget with no width given is grabbed as it is on screen
    (``widget.grab()``); otherwise as :func:`figure_image` draws it.

    Returns
    -------
    QImage
        What was copied.
    """
    clipboard = QGuiApplication.clipboard()
    if width_px is None and isinstance(target, QWidget):
        pixmap = target.grab()
        clipboard.setPixmap(pixmap)
        return pixmap.toImage()
    image = figure_image(target, width_px)
    clipboard.setPixmap(QPixmap.fromImage(image))
    return image
