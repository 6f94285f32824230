"""The canonical w-plane: loss contours, the draggable w₀ and target, both trajectories."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer

import overparam_core as core

from .. import edits
from ..runs import minimiser
from ..theory_overlay import end_to_end_path, one_step_points
from ..scene import Scene
from ..theme import Theme
from .common import Handle, apply_plot_theme, cached, emphasise, fmt, legend_below, nan_joined, pen, thin
from .function_layer import FunctionLayer

GRID = 360  # loss image resolution (pixels per side)
BANDS = 14  # contour bands of log L
ENSEMBLE_POINTS = 120  # records drawn per ensemble path
ARROW_FRACTION = 0.22  # the longer step arrow spans this much of the view


class WPlaneView(pg.PlotWidget):
    """Draws the scene in w-space; its handlers only write to the scene."""

    def __init__(self, scene: Scene, theme: Theme, parent=None):
        super().__init__(parent=parent, background=theme.background)
        self.scene_ = scene
        self.theme = theme
        self.setObjectName("wplane")
        self.setAspectLocked(True)
        self.setMenuEnabled(False)
        self.getPlotItem().hideButtons()

        self.image = cached(pg.ImageItem(axisOrder="row-major"))
        self.image.setZValue(-20)
        self.addItem(self.image)
        self.solution_line = pg.InfiniteLine(movable=False)
        self.addItem(self.solution_line)
        self.ghost_curves = cached(pg.PlotCurveItem(connect="finite"))
        self.ensemble_curves = cached(pg.PlotCurveItem(connect="finite"))
        for item in (self.ghost_curves, self.ensemble_curves):
            self.addItem(item)
        self.run_curves: list[pg.PlotCurveItem] = []
        self.current = pg.ScatterPlotItem(size=16, pxMode=True)
        self.current.setZValue(40)
        self.addItem(self.current)
        self.arrows = pg.PlotCurveItem(connect="pairs")
        self.arrow_p = pg.PlotCurveItem(connect="pairs")  # −ηPa; self.arrows is −ηa
        self.ellipse = pg.PlotCurveItem()
        self.contributions = pg.PlotCurveItem(connect="pairs")
        self.contribution_heads = pg.ScatterPlotItem(pxMode=True, size=13, symbol="o")
        for item in (self.arrows, self.arrow_p, self.ellipse, self.contributions, self.contribution_heads):
            item.setZValue(30)
            self.addItem(item)
        self.function = FunctionLayer(self, z=-19)  # the ReLU model: f(x) instead of a canonical w
        self.data = pg.ScatterPlotItem(pxMode=True, size=14)
        self.data.setZValue(35)
        self.addItem(self.data)
        self.arrow_label = pg.TextItem(anchor=(0, 1))
        self.addItem(self.arrow_label)
        self.theory_curve = cached(pg.PlotCurveItem())
        self.theory_curve.setZValue(12)
        self.addItem(self.theory_curve)
        self.one_step = pg.ScatterPlotItem(pxMode=True, size=15)
        self.one_step.setZValue(45)
        self.addItem(self.one_step)
        self.one_step_labels = [pg.TextItem(anchor=(-0.15, 0.5)) for _ in range(3)]
        for label in self.one_step_labels:
            label.setZValue(46)
            self.addItem(label)
        self.legend = legend_below(self)  # over the plot, many runs would hide their own paths

        self.target = Handle(theme.target, "Target w* (drag it): the minimiser of L")
        self.w0 = Handle(theme.foreground, "Start w₀ = Uᵀv (drag it)")
        self.addItem(self.target)
        self.addItem(self.w0)
        self.target.dragged.connect(self._target_dragged)
        self.w0.dragged.connect(self._w0_dragged)
        for h in (self.target, self.w0):
            h.released.connect(scene.end_gesture)

        self._contour_timer = QTimer(self, singleShot=True, interval=25)
        self._contour_timer.timeout.connect(self._draw_contours)
        self.getViewBox().sigRangeChanged.connect(lambda *_: self._contour_timer.start())
        self._problem_key = None
        self.apply_theme(theme)
        scene.changed.connect(self.redraw)
        scene.playheadChanged.connect(self._draw_playhead)
        self.fit()
        self.redraw()

    # -- view → scene ------------------------------------------------------------
    def _w0_dragged(self, xy) -> None:
        self.scene_.edit(edits.move_w0, xy, text="drag w₀", merge_key="w0")

    def _target_dragged(self, xy) -> None:
        s = self.scene_.state
        if s.problem == "single":
            return
        self.scene_.edit(edits.set_target, xy, text="drag target", merge_key="target")

    # -- scene → view ------------------------------------------------------------
    def set_emphasis(self, on: bool) -> None:
        emphasise((self,), self.theme, on)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._legend_key = None
        self._relu = None
        apply_plot_theme(self, theme, "w-plane: w = Uᵀv", "w₁", "w₂")
        if hasattr(self, "w0"):
            self.w0.set_color(theme.foreground)
            self.target.set_color(theme.target)
        self._problem_key = None
        self.redraw()

    def fit(self) -> None:
        """Frame the origin, w₀, the target and the primary paths."""
        s = self.scene_.state
        pts = [np.zeros(2), np.array(s.w0), np.array(s.target)]
        if s.model == "relu":  # the plot is the input plane: frame the data and the units
            pts = [np.zeros(2), np.array(s.points).reshape(-1, 2), np.array(s.U0), np.full((1, 2), 2.5), np.full((1, 2), -2.5)]
        for g in self.scene_.runs.groups:
            if g.role != "ensemble" and s.model != "relu":
                w = g.traj.w.reshape(-1, 2)
                pts.append(w[np.all(np.isfinite(w), axis=1)])
        pts = np.vstack([np.atleast_2d(p) for p in pts])
        pts = pts[np.all(np.abs(pts) < 1e3, axis=1)]
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.2 * max(float(np.max(hi - lo)), 1.0)
        self.setRange(xRange=(lo[0] - pad, hi[0] + pad), yRange=(lo[1] - pad, hi[1] + pad), padding=0)
        self._contour_timer.stop()
        self._draw_contours()  # now, not after the debounce: a screenshot may come next

    def _relu_mode(self, on: bool) -> None:
        """The ReLU network has no canonical w: show its function over the input plane instead."""
        if on == getattr(self, "_relu", None):
            return
        self._relu = on
        for item in (self.image, self.w0, self.ghost_curves, self.ensemble_curves, self.current, *self.run_curves):
            item.setVisible(not on)
        self.function.set_visible(on)
        self.data.setVisible(on)
        if on:
            self.target.setVisible(False)
            self.solution_line.setVisible(False)
            self.legend.clear()
            self._legend_key = None
        apply_plot_theme(self, self.theme, *(("f(x) = vᵀ relu(Ux) over the input plane", "x₁", "x₂") if on else
                                             ("w-plane: w = Uᵀv", "w₁", "w₂")))

    def _draw_function(self) -> None:
        s, th, g = self.scene_.state, self.theme, self.scene_.runs.primary
        r = g.record_index(self.scene_.playhead)
        self.function.draw(g.traj.U[r, 0], g.traj.v[r, 0], th)
        pts = np.array(s.points, dtype=float).reshape(-1, 2) if s.problem in ("anisotropic", "logistic", "l4") else \
            np.array(s.single_x)[None] if s.problem == "single" else np.sqrt(2) * np.eye(2)
        self.data.setData(pos=pts, brush=pg.mkBrush(th.foreground), pen=pen(th.background, 1.5))
        self.data.setToolTip("the training inputs x_j")
        self.getPlotItem().setTitle(f"f(x) = vᵀ relu(Ux) at step {int(g.traj.step[r])}", color=th.foreground,
                                    size=f"{round(th.plot_px * 1.15)}px")

    def redraw(self) -> None:
        s, th = self.scene_.state, self.theme
        self._relu_mode(s.model == "relu")
        if s.model == "relu":
            self._draw_function()
            for item in (self.arrows, self.arrow_p, self.arrow_label, self.ellipse, self.contributions,
                         self.contribution_heads, self.theory_curve, self.one_step, *self.one_step_labels):
                item.setVisible(False)
            return
        key = (s.problem, s.target, s.points, s.labels, s.single_x, s.single_y)
        if key != self._problem_key:
            self._problem_key = key
            self._draw_contours()
        self.w0.place(s.w0)
        self.w0.setToolTip(f"w₀ = Uᵀv = ({fmt(s.w0[0])}, {fmt(s.w0[1])})\nDrag to move the start; the factorization follows the init rule.")
        star = minimiser(s)
        draggable_target = s.problem in ("whitened", "anisotropic", "l4")
        self.target.setVisible(draggable_target)
        if draggable_target:
            self.target.place(s.target)
            self.target.setToolTip(f"target w* = ({fmt(s.target[0])}, {fmt(s.target[1])}): L(w*) is the minimum")
        self.solution_line.setVisible(s.problem == "single" and star is not None)
        if s.problem == "single" and star is not None:
            x = np.array(s.single_x)
            self.solution_line.setPos(star)
            self.solution_line.setAngle(np.degrees(np.arctan2(x[0], -x[1])))
            self.solution_line.setPen(pen(th.target, th.pen, Qt.DashLine))
        self._draw_runs()
        self._draw_playhead()

    def _draw_contours(self) -> None:
        """Banded log-loss shading over the visible range: contours without marching squares."""
        if self.scene_.state.model == "relu":
            self._draw_function()  # the function image follows the view instead
            return
        (x0, x1), (y0, y1) = self.getViewBox().viewRange()
        xs, ys = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        W = np.stack(np.meshgrid(xs, ys), axis=-1)
        with np.errstate(all="ignore"):
            L = self.scene_.runs.problem.loss(W)
            logL = np.log10(np.maximum(L - np.nanmin(L), 0) + 1e-3 * (np.nanmax(L) - np.nanmin(L) + 1e-12))
        finite = np.isfinite(logL)
        if not finite.any():
            return
        lo, hi = np.min(logL[finite]), np.max(logL[finite])
        band = np.floor((logL - lo) / max(hi - lo, 1e-12) * BANDS).clip(0, BANDS - 1)
        edge = np.zeros_like(band, dtype=bool)
        edge[1:, :] |= band[1:, :] != band[:-1, :]
        edge[:, 1:] |= band[:, 1:] != band[:, :-1]
        c0, c1, _ = (np.array(pg.mkColor(c).getRgb()[:3], float) for c in self.theme.loss_cmap)
        line = np.array(pg.mkColor(self.theme.contours).getRgb()[:3], float)
        t = (band / (BANDS - 1))[..., None]
        rgb = (1 - t) * c1 + t * c0  # darker tint near the minimum
        rgb = np.where(edge[..., None], 0.55 * line + 0.45 * rgb, rgb)
        self.image.setImage(rgb.astype(np.uint8), levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))

    def _draw_runs(self) -> None:
        s, runs, th = self.scene_.state, self.scene_.runs, self.theme
        main = [(g, i) for g in runs.groups if g.role in ("main", "canonical") for i in range(g.size)]
        while len(self.run_curves) < len(main):
            curve = cached(pg.PlotCurveItem(connect="finite"))
            curve.setZValue(10)
            self.addItem(curve)
            self.run_curves.append(curve)
        entries = []
        color_index = 0
        # a path that changes on every mouse move is drawn directly; one that stays while
        # the playhead moves is cached (re-rendering a cache per drag event costs double)
        mode = pg.QtWidgets.QGraphicsItem.CacheMode
        for curve in self.run_curves:
            curve.setCacheMode(mode.NoCache if self.scene_.in_gesture else mode.DeviceCoordinateCache)
        for curve, (g, i) in zip(self.run_curves, main):
            if g.role == "canonical":
                color = th.canonical if g.size == 1 else th.run_color(i)
                p = pen(color, th.pen, Qt.DashLine)
                name = "canonical GD on w" + (f" ({s.variant_labels[i - 1] if 0 < i <= len(s.variant_labels) else g.labels[i]})" if g.size > 1 and i else "")
            else:
                color = th.run_color(color_index)
                color_index += 1
                p = pen(color, th.pen)
                name = f"{g.labels[i]} · {g.optimizer}" if len(runs.main) > 1 or g.size > 1 else f"parametric {g.optimizer} on (U, v)"
            w = g.traj.w[:, i]
            curve.setData(w[:, 0], w[:, 1], pen=p)
            curve.setVisible(True)
            if g.role == "main" or g.size == 1 or i == 0:
                entries.append((curve, name))
        for curve in self.run_curves[len(main):]:
            curve.setVisible(False)
        path = end_to_end_path(s, runs) if "theory" in s.overlays else None
        self.theory_curve.setVisible(path is not None)
        if path is not None:
            self.theory_curve.setData(path[:, 0], path[:, 1], pen=pen(th.foreground, th.pen * 1.6, Qt.DotLine))
            entries.append((self.theory_curve, "closed form: dw/dt = −(sI + wwᵀ/s)a"))
        self._set_legend(entries)
        ens = [g for g in runs.groups if g.role == "ensemble"]
        if ens:
            w = np.concatenate([g.traj.w for g in ens], axis=1)
            w = w[thin(len(w), ENSEMBLE_POINTS)]
            x, y = nan_joined(w)
            self.ensemble_curves.setData(x, y, pen=pen(th.ensemble, 1.0, alpha=60 if w.shape[1] > 50 else 120))
        self.ensemble_curves.setVisible(bool(ens))
        ghosts = [g.runs.primary.traj.w[:, 0] for g in self.scene_.ghosts]
        if ghosts:
            x, y = _joined_ragged(ghosts)
            self.ghost_curves.setData(x, y, pen=pen(th.muted, th.pen, alpha=90))
        self.ghost_curves.setVisible(bool(ghosts))

    def _set_legend(self, entries) -> None:
        """Rebuild the legend only when its lines change (rebuilding costs more than the paths)."""
        key = tuple((id(c), name, c.opts["pen"].color().name(), int(c.opts["pen"].style().value)) for c, name in entries)
        if key == getattr(self, "_legend_key", None):
            return
        self._legend_key = key
        self.legend.clear()
        for curve, name in entries:
            self.legend.addItem(curve, name)
        self.legend.setColumnCount(2 if len(entries) > 2 else len(entries) or 1)

    def _draw_playhead(self, *_):
        s, runs, th = self.scene_.state, self.scene_.runs, self.theme
        if s.model == "relu":
            self._draw_function()
            return
        spots, color_index = [], 0
        for g in runs.groups:
            if g.role == "ensemble":
                continue
            r = g.record_index(self.scene_.playhead)
            for i in range(g.size):
                w = g.traj.w[r, i]
                if g.role == "canonical":
                    color = th.canonical if g.size == 1 else th.run_color(i)
                    brush = pg.mkBrush(th.background)
                else:
                    color = th.run_color(color_index)
                    color_index += 1
                    brush = pg.mkBrush(color)
                if np.all(np.isfinite(w)):
                    spots.append({"pos": (w[0], w[1]), "brush": brush, "pen": pen(color, 2.5)})
        self.current.setData(spots)
        g = runs.primary
        r = g.record_index(self.scene_.playhead)
        w = g.traj.w[r, 0]
        self.current.setToolTip(
            f"w at step {int(g.traj.step[r])} = ({fmt(w[0])}, {fmt(w[1])})\n"
            f"L(w) = {fmt(g.traj.loss[r, 0])}\n‖∇θL‖ = √(aᵀPa) = {fmt(g.traj.grad_norm[r, 0])}"
        )
        self._draw_overlays(g, r)
        self._draw_one_step(g, r)

    def _draw_one_step(self, g, r: int) -> None:
        """The seed's formula at the current point: w − ηa, w − ηPa and the exact gd step."""
        s, th = self.scene_.state, self.theme
        show = "one_step" in s.overlays and g.traj.U is not None and bool(np.all(np.isfinite(g.traj.w[r, 0])))
        self.one_step.setVisible(show)
        for label in self.one_step_labels:
            label.setVisible(show)
        if not show:
            return
        p = one_step_points(s, g.traj.U[r, 0], g.traj.v[r, 0], self.scene_.runs.problem)
        marks = (("canonical", "w − ηa", "s", th.canonical), ("first_order", "w − ηPa", "t", th.run_color(1)),
                 ("exact", "w − ηPa + η²(wᵀa)a", "o", th.run_color(0)))
        self.one_step.setData([{"pos": tuple(p[key]), "symbol": sym, "brush": pg.mkBrush(c), "pen": pen(th.background, 1.5)}
                               for key, _, sym, c in marks])
        for label, (key, text, _, c) in zip(self.one_step_labels, marks):
            label.setText(text, color=c)
            label.setPos(*p[key])
        self.one_step.setToolTip(
            f"one gd step from w = ({fmt(p['w'][0])}, {fmt(p['w'][1])}):\n"
            f"canonical w − ηa = ({fmt(p['canonical'][0])}, {fmt(p['canonical'][1])})\n"
            f"first order w − ηPa = ({fmt(p['first_order'][0])}, {fmt(p['first_order'][1])})\n"
            f"exact w − ηPa + η²(wᵀa)a = ({fmt(p['exact'][0])}, {fmt(p['exact'][1])})"
        )

    def _draw_overlays(self, g, r: int) -> None:
        """−ηa, −ηPa, the ellipse of P and the unit contributions, at the primary run's current point."""
        s, th = self.scene_.state, self.theme
        show_arrows, show_ellipse = "arrows" in s.overlays, "ellipse" in s.overlays
        show_contrib = "contributions" in s.overlays
        ok = g.traj.U is not None and bool(np.all(np.isfinite(g.traj.w[r, 0]))) and s.model == "linear"
        for item in (self.arrows, self.arrow_p, self.arrow_label):
            item.setVisible(ok and show_arrows)
        self.ellipse.setVisible(ok and show_ellipse)
        self.contributions.setVisible(ok and show_contrib)
        self.contribution_heads.setVisible(ok and show_contrib)
        if not ok:
            return
        U, v, w = g.traj.U[r, 0], g.traj.v[r, 0], g.traj.w[r, 0]
        a = self.scene_.runs.problem.grad(w)
        P = core.preconditioner(U, v)
        step_c, step_p = -s.lr * a, -s.lr * (P @ a)
        (x0, x1), _ = self.getViewBox().viewRange()
        longest = max(np.linalg.norm(step_c), np.linalg.norm(step_p), 1e-300)
        scale = ARROW_FRACTION * (x1 - x0) / longest
        if show_arrows:
            px = np.abs(np.array(self.getViewBox().viewPixelSize()))
            for item, step, colour in ((self.arrows, step_c, th.canonical), (self.arrow_p, step_p, th.run_color(0))):
                xy = arrow_segments(w, w + scale * step, px)
                item.setData(xy[:, 0], xy[:, 1], pen=pen(colour, th.pen))
            self.arrows.setToolTip(
                f"−ηa = ({fmt(step_c[0])}, {fmt(step_c[1])}): canonical step\n"
                f"−ηPa = ({fmt(step_p[0])}, {fmt(step_p[1])}): parametric step, P = UᵀU + ‖v‖²I"
            )
            self.arrow_label.setText(f"−ηa, −ηPa  (×{scale:.3g})", color=th.foreground)
            self.arrow_label.setPos(*(w + scale * step_p))
        if show_ellipse:
            t = np.linspace(0, 2 * np.pi, 97)
            circle = np.stack([np.cos(t), np.sin(t)], axis=1) * np.linalg.norm(step_c) * scale
            ell = w + circle @ P.T
            self.ellipse.setData(ell[:, 0], ell[:, 1], pen=pen(th.orbit, th.pen * 0.8, Qt.DotLine))
            self.ellipse.setToolTip("{P z : ‖z‖ = η‖a‖}: how P stretches the canonical step; −ηPa lies on it")
        if show_contrib:
            parts = v[:, None] * U  # v_i u_i, tip to tail from the origin
            tails = np.vstack([np.zeros(2), np.cumsum(parts, axis=0)[:-1]])
            heads = np.cumsum(parts, axis=0)
            xy = np.stack([tails, heads], axis=1).reshape(-1, 2)
            self.contributions.setData(xy[:, 0], xy[:, 1], pen=pen(th.orbit, th.pen))
            self.contribution_heads.setData(pos=heads, brush=pg.mkBrush(th.orbit), pen=pen(th.orbit, 1))
            self.contributions.setToolTip("unit contributions v_i u_i, tip to tail: their sum is w = Σ v_i u_i")


def arrow_segments(start: np.ndarray, tip: np.ndarray, pixel: np.ndarray, head_px: float = 14.0) -> np.ndarray:
    """Shaft and two barbs of an arrow as point pairs (for ``connect="pairs"``).

    The barbs are ``head_px`` pixels long at ±25°, worked out in pixels so that
    they look the same on an aspect-locked or stretched plot.
    """
    d = (tip - start) / pixel
    n = float(np.hypot(*d))
    if not np.isfinite(n) or n == 0:
        return np.array([start, tip])
    d /= n
    barbs = []
    for a in (np.radians(155), np.radians(-155)):
        r = np.array([d[0] * np.cos(a) - d[1] * np.sin(a), d[0] * np.sin(a) + d[1] * np.cos(a)])
        barbs += [tip, tip + min(head_px, n / 2) * r * pixel]
    return np.array([start, tip, *barbs])


def _joined_ragged(paths: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    parts = []
    for p in paths:
        p = np.asarray(p)[thin(len(p), 400)]
        parts += [p, np.full((1, 2), np.nan)]
    xy = np.vstack(parts)
    return xy[:, 0], xy[:, 1]
