"""Time series on one step axis: loss, gradient norms, weight norm, conserved drift, amplification."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from .. import series
from ..scene import Scene
from ..theory_overlay import end_to_end_path, path_loss
from ..theme import Theme
from .common import apply_plot_theme, cached, emphasise, fmt, pen, redraw_lazily

PLOTS = (
    ("loss", "Loss L", "step", ""),
    ("grad", "‖∇θL‖, ‖∇wL‖", "", ""),
    ("weights", "‖θ‖²", "", ""),
    ("drift", "Drift of UUᵀ−vvᵀ", "", ""),
    ("growth", "Gain √(âᵀPâ)", "‖θ‖²", ""),
)
LOG_PLOTS = ("loss", "grad")
FORMULAS = {
    "loss": "L(w) = mean ℓ(wᵀx_j, y_j)",
    "grad": "‖∇θL‖ = √(aᵀPa) (solid), ‖∇wL‖ = ‖a‖ (thin dashed)",
    "weights": "‖θ‖² = ‖U‖²_F + ‖v‖²",
    "drift": "‖D(t) − D(0)‖_F with D = UUᵀ − vvᵀ (constant under gradient flow)",
    "growth": "gain √(âᵀPâ) = ‖∇θL‖ / ‖∇wL‖ against ‖θ‖²",
}


class LogAxis(pg.AxisItem):
    """A log axis that labels only whole decades when it has them: minor labels collide in small plots."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        labels = super().logTickStrings(values, scale, spacing)
        whole = [abs(v - round(v)) < 1e-9 for v in values]
        if sum(whole) >= 2 or len(values) > 4:
            labels = [text if is_whole else "" for text, is_whole in zip(labels, whole)]
        return labels


class TimeSeriesView(QWidget):
    """A row of small plots sharing the step axis, plus a read-out line at the playhead."""

    def __init__(self, scene: Scene, theme: Theme, parent=None):
        super().__init__(parent)
        self.scene_ = scene
        self.theme = theme
        self.setObjectName("timeseries")
        self.readout = QLabel()
        self.readout.setObjectName("readout")
        self.readout.setTextFormat(Qt.RichText)
        # one line whose size never depends on its text: a changing read-out must
        # not relayout the plots below it on every frame
        self.readout.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.layout_widget = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.readout)
        layout.addWidget(self.layout_widget, 1)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, list[pg.PlotCurveItem]] = {}
        self.lines: dict[str, pg.InfiniteLine] = {}
        for col, (key, *_rest) in enumerate(PLOTS):
            axes = {"left": LogAxis("left")} if key in LOG_PLOTS else None
            p = self.layout_widget.addPlot(row=0, col=col, axisItems=axes)
            p.setMenuEnabled(False)
            p.hideButtons()
            self.plots[key] = p
            self.curves[key] = []
            if key != "growth":
                line = pg.InfiniteLine(angle=90, movable=True)
                line.sigDragged.connect(self._line_dragged)
                p.addItem(line)
                self.lines[key] = line
                if key != "loss":
                    p.setXLink(self.plots["loss"])
        for col in range(len(PLOTS)):
            self.layout_widget.ci.layout.setColumnStretchFactor(col, 1)  # equal widths whatever the tick labels
        for key in LOG_PLOTS:
            self.plots[key].getAxis("left").setLogMode(False, True)
        self.layout_widget.scene().sigMouseMoved.connect(self._hover)
        self.growth_now = pg.ScatterPlotItem(size=12, pxMode=True)
        self.plots["growth"].addItem(self.growth_now, ignoreBounds=True)  # a moving marker must not re-fit the axes each frame
        self.apply_theme(theme)
        self._lazy = redraw_lazily(self, scene, self.redraw, interval_ms=80)
        scene.playheadChanged.connect(self._draw_playhead)
        self.redraw()

    def set_emphasis(self, on: bool) -> None:
        emphasise(tuple(self.plots.values()), self.theme, on)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.layout_widget.setBackground(theme.background)
        for key, title, x, y in PLOTS:
            p = self.plots[key]
            apply_plot_theme(p, theme, title, x, y)
            p.getAxis("bottom").setTickDensity(0.3)  # narrow plots: fewer, unclipped step labels
        for line in self.lines.values():
            line.setPen(pen(theme.foreground, 2, alpha=160))
            line.setHoverPen(pen(theme.accent, 4))
        if self.curves["loss"]:
            self.redraw()

    def hover_text(self, key: str, x: float) -> str:
        """What the curves of plot ``key`` read at step ``x`` (or ‖θ‖² = x for the gain plot)."""
        lines = [FORMULAS[key]]
        for label, _color, dashed, g, i in self._series():
            t = g.traj
            if key == "growth":
                if t.U is None:
                    continue
                wn = series.weight_norm_sq(t)[:, i]
                with np.errstate(all="ignore"):
                    r = int(np.nanargmin(np.abs(wn - x))) if np.any(np.isfinite(wn)) else 0
                lines.append(f"{label}: ‖θ‖² = {fmt(wn[r])}, gain = {fmt(series.amplification(t)[r, i])} (step {int(t.step[r])})")
                continue
            r = g.record_index(round(x))
            value = {
                "loss": lambda: f"L = {fmt(t.loss[r, i])}",
                "grad": lambda: f"‖∇θL‖ = {fmt(t.grad_norm[r, i])}" + ("" if dashed else f", ‖∇wL‖ = {fmt(t.canonical_grad_norm[r, i])}"),
                "weights": lambda: f"‖θ‖² = {fmt(series.weight_norm_sq(t)[r, i])}",
                "drift": lambda: "—" if t.U is None else f"‖ΔD‖ = {fmt(series.conserved_drift(t)[r, i])}",
            }[key]()
            lines.append(f"{label} at step {int(t.step[r])}: {value}")
        return "\n".join(lines)

    def _hover(self, scene_pos) -> None:
        for key, plot in self.plots.items():
            vb = plot.getViewBox()
            if vb.sceneBoundingRect().contains(scene_pos):
                x = vb.mapSceneToView(scene_pos).x()
                QToolTip.showText(QCursor.pos(), self.hover_text(key, x), self.layout_widget)
                return

    def _line_dragged(self, line) -> None:
        self.scene_.set_playhead(round(line.value()))

    # -- drawing -----------------------------------------------------------------
    def _series(self):
        """(label, color, dashed, traj, index) for every main and canonical run."""
        th, out, color_index = self.theme, [], 0
        for g in self.scene_.runs.groups:
            if g.role == "ensemble":
                continue
            for i in range(g.size):
                if g.role == "canonical":
                    color = th.canonical if g.size == 1 else th.run_color(i)
                    out.append((g.labels[i], color, True, g, i))
                else:
                    out.append((f"{g.labels[i]} · {g.optimizer}", th.run_color(color_index), False, g, i))
                    color_index += 1
        return out

    def _curve(self, key: str, n: int) -> pg.PlotCurveItem:
        pool = self.curves[key]
        if len(pool) <= n:
            c = cached(pg.PlotCurveItem(connect="finite"))
            self.plots[key].addItem(c)
            pool.append(c)
        return pool[n]

    def redraw(self) -> None:
        th = self.theme
        used = {key: 0 for key, *_ in PLOTS}

        def draw(key, x, y, color, dashed, width=None):
            c = self._curve(key, used[key])
            used[key] += 1
            c.setData(x, y, pen=pen(color, width or th.pen * 0.8, Qt.DashLine if dashed else Qt.SolidLine))
            c.setVisible(True)

        for label, color, dashed, g, i in self._series():
            t = g.traj
            steps = t.step.astype(float)
            draw("loss", steps, series.positive_log10(t.loss[:, i]), color, dashed)
            draw("grad", steps, series.positive_log10(t.grad_norm[:, i]), color, dashed)
            if not dashed:  # the canonical gradient of the same run: thin, same colour
                draw("grad", steps, series.positive_log10(t.canonical_grad_norm[:, i]), color, True, th.pen * 0.45)
            wn = series.weight_norm_sq(t)[:, i]
            draw("weights", steps, wn, color, dashed)
            drift = series.conserved_drift(t)
            if drift is not None:
                draw("drift", steps, drift[:, i], color, dashed)
                draw("growth", wn, series.amplification(t)[:, i], color, False)
        path = end_to_end_path(self.scene_.state, self.scene_.runs) if "theory" in self.scene_.state.overlays else None
        if path is not None:
            steps = self.scene_.runs.primary.traj.step.astype(float)
            draw("loss", steps, series.positive_log10(path_loss(self.scene_.runs.problem, path)), th.foreground, False, th.pen * 1.4)
            self.curves["loss"][used["loss"] - 1].setPen(pen(th.foreground, th.pen * 1.4, Qt.DotLine))
        for key, pool in self.curves.items():
            for c in pool[used[key]:]:
                c.setVisible(False)
        if self.scene_.in_gesture:
            # axes hold still under a drag (new ticks cost more than the curves); they refit when it ends
            for p in self.plots.values():
                p.disableAutoRange()
        else:
            self.plots["loss"].setXRange(0, max(self.scene_.horizon, 1), padding=0.02)
            for key in ("loss", "grad", "weights", "drift"):
                self.plots[key].enableAutoRange(axis="y")
            self.plots["growth"].enableAutoRange()
        self._draw_playhead()

    def _draw_playhead(self, *_):
        step = self.scene_.playhead
        for line in self.lines.values():
            line.blockSignals(True)
            line.setValue(step)
            line.blockSignals(False)
        g = self.scene_.runs.primary
        r = g.record_index(step)
        t = g.traj
        wn = series.weight_norm_sq(t)[r, 0]
        amp = series.amplification(t)[r, 0]
        if np.isfinite(wn) and np.isfinite(amp):
            self.growth_now.setData([wn], [amp], brush=pg.mkBrush(self.theme.run_color(0)), pen=pen(self.theme.background, 1.5))
        else:
            self.growth_now.setData([], [])
        drift = series.conserved_drift(t)
        parts = [f"<b>step {int(t.step[r])}</b>", f"L = {fmt(t.loss[r, 0])}"]
        if t.model == "relu":
            parts.append(f"‖∇<sub>θ</sub>L‖ = <b>{fmt(t.grad_norm[r, 0])}</b> (ReLU: no canonical w)")
        elif t.U is not None:
            parts += [f"‖∇<sub>θ</sub>L‖ = √(aᵀPa) = <b>{fmt(t.grad_norm[r, 0])}</b>",
                      f"‖∇<sub>w</sub>L‖ = ‖a‖ = {fmt(t.canonical_grad_norm[r, 0])}"]
        else:
            parts.append(f"‖∇<sub>w</sub>L‖ = ‖a‖ = {fmt(t.grad_norm[r, 0])}")
        parts.append(f"‖θ‖² = {fmt(wn)}")
        if drift is not None:
            parts.append(f"‖ΔD‖ = {fmt(drift[r, 0])}")
        if np.any(t.diverged):
            parts.append(f"<span style='color:{self.theme.error}'>diverged at step {int(t.diverged_at[0])}</span>")
        self.readout.setText(" · ".join(parts))
        self.readout.setToolTip(
            "Read-outs for the primary run at the playhead.\n"
            "a = ∇wL(w), P = UᵀU + ‖v‖²I; ‖∇θL‖² = ‖v‖²‖a‖² + ‖Ua‖² = aᵀPa.\n"
            "D = UUᵀ − vvᵀ is constant under gradient flow (Du, Hu & Lee 2018)."
        )
