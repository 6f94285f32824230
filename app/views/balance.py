"""The balance plane: each unit at (‖u_i‖, v_i) over the two families of hyperbolas.

Rescaling orbits ‖u‖·v = c (dragging a handle moves the unit along its orbit:
w₀ stays, the dynamics change) and conserved curves ‖u‖² − v² = c (gradient
flow keeps each unit on one). The two families cross at right angles.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from .. import edits
from ..scene import Scene
from ..theme import Theme
from .common import Handle, apply_plot_theme, cached, emphasise, fmt, legend_below, nan_joined, pen, redraw_lazily

LEVELS = (0.25, 0.5, 1.0, 2.0, 4.0)


def unit_coordinates(U: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(‖u_i‖, v_i) for every unit: ``(..., k, 2)``."""
    return np.stack([np.linalg.norm(U, axis=-1), v], axis=-1)


def rescale_factor(r: float, v: float, x: float, y: float) -> float:
    """The c > 0 that moves a unit at (r, v) along its orbit r·v = const towards (x, y).

    Where the orbit is flat (|v| < r) the horizontal position decides, else the
    vertical one: the handle then follows the mouse smoothly along the curve.
    """
    if abs(v) < r or y * v <= 0:
        return max(x, 1e-3 * r) / r if r > 0 else 1.0
    return v / y


class BalancePlaneView(pg.PlotWidget):
    def __init__(self, scene: Scene, theme: Theme, parent=None):
        super().__init__(parent=parent, background=theme.background)
        self.scene_ = scene
        self.theme = theme
        self.setObjectName("balance")
        self.setMenuEnabled(False)
        self.getPlotItem().hideButtons()
        self.orbits = cached(pg.PlotCurveItem(connect="finite"))
        self.conserved = cached(pg.PlotCurveItem(connect="finite"))
        self.trails = pg.PlotCurveItem(connect="finite")
        self.now = pg.ScatterPlotItem(size=14, pxMode=True)
        for item in (self.orbits, self.conserved, self.trails, self.now):
            self.addItem(item)
        self.handles: list[Handle] = []
        self._drag_origin: tuple[float, float] | None = None
        self.legend = legend_below(self, columns=1)
        self.legend.addItem(self.orbits, "rescaling orbits ‖u‖v = c")
        self.legend.addItem(self.conserved, "conserved under flow: ‖u‖² − v² = c")
        self.apply_theme(theme)
        self.setRange(xRange=(0, 2.5), yRange=(-2, 2), padding=0)
        self.getViewBox().sigRangeChanged.connect(lambda *_: self._draw_families())
        self._lazy = redraw_lazily(self, scene, self.redraw)
        scene.playheadChanged.connect(lambda *_: self._draw_now())
        self.redraw()

    def set_emphasis(self, on: bool) -> None:
        emphasise((self,), self.theme, on)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        apply_plot_theme(self, theme, "Balance plane (‖u_i‖, v_i)", "‖u_i‖", "v_i")
        if hasattr(self, "legend"):
            self.legend.setVisible(theme.font_scale <= 1)  # projected, the plot is too small to share
        for h in getattr(self, "handles", []):
            h.set_color(theme.run_color(0))
        self._draw_families()
        if self.handles:
            self.redraw()

    # -- view → scene ------------------------------------------------------------
    def _dragged(self, i: int, xy) -> None:
        s = self.scene_.state
        r = float(np.linalg.norm(s.U0[i]))
        c = rescale_factor(r, s.v0[i], *xy)
        if np.isfinite(c) and c > 0 and abs(np.log(c)) > 1e-9:
            self.scene_.edit(edits.rescale_unit, i, c, text=f"rescale unit {i + 1}", merge_key=f"rescale{i}")
        else:
            self.redraw()  # snap the handle back onto the orbit

    # -- scene → view ------------------------------------------------------------
    def _draw_families(self) -> None:
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()
        xs = np.linspace(max(x0, 1e-3), max(x1, 1e-2), 240)
        orbit_paths, cons_paths = [], []
        for c in LEVELS:
            for sign in (1, -1):
                orbit_paths.append(np.stack([xs, sign * c / xs], axis=1))
                # ‖u‖² − v² = c: v = ±√(x² − c); and = −c: v = ±√(x² + c)
                with np.errstate(invalid="ignore"):
                    cons_paths.append(np.stack([xs, sign * np.sqrt(xs**2 - c)], axis=1))
                cons_paths.append(np.stack([xs, sign * np.sqrt(xs**2 + c)], axis=1))
        cons_paths += [np.stack([xs, xs], axis=1), np.stack([xs, -xs], axis=1)]
        th = self.theme
        x, y = nan_joined(np.stack(orbit_paths, axis=1))
        self.orbits.setData(x, y, pen=pen(th.orbit, 1.6, alpha=170))
        self.orbits.setToolTip("rescaling orbits ‖u‖v = c: rescaling a unit moves it along one")
        x, y = nan_joined(np.stack(cons_paths, axis=1))
        self.conserved.setData(x, y, pen=pen(th.conserved, 1.6, Qt.DashLine, alpha=170))
        self.conserved.setToolTip("‖u‖² − v² = c (dashed): gradient flow keeps each unit on one (Du, Hu & Lee 2018)")

    def redraw(self) -> None:
        s, th = self.scene_.state, self.theme
        pts = unit_coordinates(np.array(s.U0), np.array(s.v0))
        while len(self.handles) < s.k:
            i = len(self.handles)
            h = Handle(th.run_color(0))
            h.dragged.connect(lambda xy, i=i: self._dragged(i, xy))
            h.released.connect(self.scene_.end_gesture)
            self.addItem(h)
            self.handles.append(h)
        for i, h in enumerate(self.handles):
            h.setVisible(i < s.k)
            if i < s.k:
                r, v = pts[i]
                h.place((r, v))
                h.setToolTip(
                    f"unit {i + 1}: ‖u{i + 1}‖ = {fmt(r)}, v{i + 1} = {fmt(v)}\n"
                    f"orbit ‖u‖v = {fmt(r * v)} (drag along it: rescales the unit, w₀ stays)\n"
                    f"conserved under flow: ‖u‖² − v² = {fmt(r * r - v * v)}"
                )
        self._draw_now()

    def _draw_now(self) -> None:
        """Where training has taken each unit, and the trail it left."""
        g = self.scene_.runs.primary
        th = self.theme
        if g.traj.U is None:
            self.trails.setVisible(False)
            self.now.setVisible(False)
            return
        r = g.record_index(self.scene_.playhead)
        path = unit_coordinates(g.traj.U[: r + 1, 0], g.traj.v[: r + 1, 0])  # (T, k, 2)
        x, y = nan_joined(path)
        self.trails.setData(x, y, pen=pen(th.run_color(0), th.pen))
        self.trails.setVisible(True)
        now = path[-1]
        ok = np.all(np.isfinite(now), axis=1)
        self.now.setData(pos=now[ok], brush=pg.mkBrush(th.run_color(0)), pen=pen(th.background, 1.5))
        self.now.setVisible(True)
