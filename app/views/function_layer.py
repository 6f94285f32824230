"""The ReLU network's function f(x) = vᵀ relu(Ux), shaded over a plot of the input plane.

A piecewise-linear function has no single canonical w, so for the ReLU model the
w-plane shows the function itself (and the units view shows it too, small):
blue where f > 0, orange where f < 0, dashed kink lines where u_iᵀx = 0.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

import overparam_core as core

from ..theme import Theme
from .common import pen

GRID = 140


class FunctionLayer:
    """An image and kink lines added to ``plot``; ``draw`` fills them for one network."""

    def __init__(self, plot: pg.PlotWidget, z: float = -20):
        self.plot = plot
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(z)
        self.kinks = pg.PlotCurveItem(connect="pairs")
        self.kinks.setZValue(z + 1)
        plot.addItem(self.image)
        plot.addItem(self.kinks)

    def set_visible(self, on: bool) -> None:
        self.image.setVisible(on)
        self.kinks.setVisible(on)

    def draw(self, U: np.ndarray, v: np.ndarray, theme: Theme) -> None:
        if not (np.all(np.isfinite(U)) and np.all(np.isfinite(v))):
            self.set_visible(False)
            return
        self.set_visible(True)
        (x0, x1), (y0, y1) = self.plot.getViewBox().viewRange()
        xs, ys = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        X = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        with np.errstate(all="ignore"):
            f = core.relu_outputs(U, v, X).reshape(GRID, GRID)
        m = max(float(np.max(np.abs(f))), 1e-12)
        pos, neg, bg = (np.array(pg.mkColor(c).getRgb()[:3], float) for c in (theme.positive, theme.negative, theme.background))
        t = (f / m)[..., None]
        rgb = np.where(t > 0, bg + 0.45 * t * (pos - bg), bg + 0.45 * (-t) * (neg - bg))
        self.image.setImage(rgb.astype(np.uint8), levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        self.image.setToolTip(f"f(x) = vᵀ relu(Ux): blue > 0, orange < 0 (|f| ≤ {m:.3g} here)")
        R = 2 * max(abs(x0), abs(x1), abs(y0), abs(y1))
        segs = []
        for u in U:
            n = np.linalg.norm(u)
            if n > 0:
                along = np.array([-u[1], u[0]]) / n  # the kink u_iᵀx = 0 runs across u_i
                segs += [-R * along, R * along]
        segs = np.array(segs, dtype=float).reshape(-1, 2)
        self.kinks.setData(segs[:, 0], segs[:, 1], pen=pen(theme.muted, 1.5, Qt.DashLine))
        self.kinks.setToolTip("kinks: u_iᵀx = 0, where unit i switches on")
