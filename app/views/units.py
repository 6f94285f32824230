"""The units panel: each hidden unit's input weights u_i in the input plane, its v_i on a bar.

The input plane is also where the data live, so data points are drawn, dragged,
added (click on empty space; Shift-click for a −1 label) and deleted
(right-click) here. For the ReLU model the function f(x) is shaded under it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from .. import edits
from ..scene import Scene
from ..theme import Theme
from .common import Handle, apply_plot_theme, emphasise, fmt, make_plot, pen, redraw_lazily
from .function_layer import FunctionLayer

DATA_PROBLEMS = ("anisotropic", "logistic", "l4")


class UnitsView(QWidget):
    """Input plane (u_i, data) and a strip of v_i handles, linked to the scene."""

    def __init__(self, scene: Scene, theme: Theme, parent=None):
        super().__init__(parent)
        self.scene_ = scene
        self.theme = theme
        self.setObjectName("units")
        self.plane = make_plot(theme, equal=True)
        self.plane.setObjectName("units-plane")
        self.vbar = make_plot(theme)
        self.vbar.setObjectName("units-v")
        self.vbar.setMouseEnabled(x=False, y=False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plane, 4)
        layout.addWidget(self.vbar, 1)

        self.function = FunctionLayer(self.plane)
        self.spokes = pg.PlotCurveItem(connect="pairs")
        self.plane.addItem(self.spokes)
        self.v_stems = pg.PlotCurveItem(connect="pairs")
        self.vbar.addItem(self.v_stems)
        self.unit_handles: list[Handle] = []
        self.unit_labels: list[pg.TextItem] = []
        self.v_handles: list[Handle] = []
        self.point_handles: list[Handle] = []
        self.x_handle = Handle(theme.orbit, "the example x (drag it): ∂f/∂w = x")
        self.x_handle.dragged.connect(self._x_dragged)
        self.x_handle.released.connect(scene.end_gesture)
        self.plane.addItem(self.x_handle)
        self.plane.scene().sigMouseClicked.connect(self._clicked)

        self.apply_theme(theme)
        self.plane.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
        self.vbar.setRange(xRange=(-0.5, 1.5), yRange=(-2.5, 2.5), padding=0)
        self._lazy = redraw_lazily(self, scene, self.redraw)
        scene.playheadChanged.connect(lambda *_: self._draw_now())
        self.redraw()

    def set_emphasis(self, on: bool) -> None:
        emphasise((self.plane, self.vbar), self.theme, on)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        apply_plot_theme(self.plane, theme, "Units u_i (input plane)", "x₁", "x₂")
        apply_plot_theme(self.vbar, theme, "v_i", "unit", "")
        for h in getattr(self, "unit_handles", []) + getattr(self, "v_handles", []):
            h.set_color(theme.run_color(0))
        if hasattr(self, "x_handle"):
            self.x_handle.set_color(theme.orbit)  # not a unit: its own colour
        self.redraw() if hasattr(self, "unit_handles") else None

    # -- view → scene ------------------------------------------------------------
    def _unit_dragged(self, i: int, xy) -> None:
        self.scene_.edit(edits.move_unit, i, xy, text=f"drag u{i + 1}", merge_key=f"u{i}")

    def _v_dragged(self, i: int, xy) -> None:
        self.scene_.edit(edits.set_unit_output, i, xy[1], text=f"drag v{i + 1}", merge_key=f"v{i}")

    def _point_dragged(self, j: int, xy) -> None:
        self.scene_.edit(edits.move_point, j, xy, text="drag data point", merge_key=f"x{j}")

    def _x_dragged(self, xy) -> None:
        self.scene_.edit(edits.set_single_x, xy, text="drag x", merge_key="x")

    def _clicked(self, ev) -> None:
        """Click on empty input plane adds a data point; right-click on a point deletes it."""
        s = self.scene_.state
        if ev.isAccepted() or s.problem not in DATA_PROBLEMS or "units" in s.locked:
            return
        vb = self.plane.getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        xy = vb.mapSceneToView(ev.scenePos())
        hit = self._point_at(ev.scenePos())
        if ev.button() == Qt.RightButton and hit is not None:
            self.scene_.edit(edits.remove_point, hit, text="delete data point")
            ev.accept()
        elif ev.button() == Qt.LeftButton and hit is None:
            label = -1.0 if ev.modifiers() & Qt.ShiftModifier else 1.0
            self.scene_.edit(edits.add_point, (xy.x(), xy.y()), label, text="add data point")
            ev.accept()

    def _point_at(self, scene_pos) -> int | None:
        for j, h in enumerate(self.point_handles[: len(self.scene_.state.points)]):
            if h.isVisible() and h.mapToScene(h.shape()).contains(scene_pos):
                return j
        return None

    # -- scene → view ------------------------------------------------------------
    def _handles(self, pool: list[Handle], n: int, color: str, plot, on_drag, tooltip: str) -> list[Handle]:
        """Grow ``pool`` to ``n`` handles wired to ``on_drag(i, xy)``; hide the rest."""
        while len(pool) < n:
            i = len(pool)
            h = Handle(color, tooltip)
            h.dragged.connect(lambda xy, i=i: on_drag(i, xy))
            h.released.connect(self.scene_.end_gesture)
            plot.addItem(h)
            pool.append(h)
        for i, h in enumerate(pool):
            h.setVisible(i < n)
        return pool[:n]

    def _now(self):
        """The primary run's units at the playhead (the init for canonical GD)."""
        s, g = self.scene_.state, self.scene_.runs.primary
        r = g.record_index(self.scene_.playhead)
        if g.traj.U is None:
            return np.array(s.U0), np.array(s.v0)
        return g.traj.U[r, 0], g.traj.v[r, 0]

    def _draw_now(self) -> None:
        """What moves while playing: the dashed spokes (units now) and the ReLU function."""
        s, th = self.scene_.state, self.theme
        Ut, vt = self._now()
        spokes = np.stack([np.zeros_like(Ut), Ut], axis=1).reshape(-1, 2) if np.all(np.isfinite(Ut)) else np.zeros((0, 2))
        self.spokes.setData(spokes[:, 0], spokes[:, 1], pen=pen(th.run_color(0), th.pen * 0.6, Qt.DashLine, alpha=160))
        for i, h in enumerate(self.v_handles[: s.k]):
            h.setToolTip(f"v{i + 1} = {fmt(s.v0[i])} at the start (drag up or down)\nnow: {fmt(vt[i])}")
        self._draw_relu(s, th, Ut, vt)

    def redraw(self) -> None:
        s, th = self.scene_.state, self.theme
        # The handles show the init (what the user edits); the dashed spokes show where training has taken the units.
        U0, v0 = np.array(s.U0), np.array(s.v0)
        color = th.run_color(0)
        for i, h in enumerate(self._handles(self.unit_handles, s.k, color, self.plane, self._unit_dragged, "")):
            h.place(U0[i])
            h.setToolTip(f"u{i + 1} = ({fmt(U0[i, 0])}, {fmt(U0[i, 1])}), ‖u{i + 1}‖ = {fmt(np.linalg.norm(U0[i]))}\n"
                         f"unit {i + 1} computes v{i + 1}·u{i + 1}ᵀx; drag to change its input weights")
        while len(self.unit_labels) < s.k:
            label = pg.TextItem(anchor=(-0.3, 1.2))
            self.plane.addItem(label)
            self.unit_labels.append(label)
        for i, label in enumerate(self.unit_labels):
            label.setVisible(i < s.k)
            if i < s.k:
                label.setText(f"u{i + 1}", color=th.foreground)
                label.setPos(*U0[i])
        self.spokes.setToolTip("dashed: the units now, at the playhead")
        for i, h in enumerate(self._handles(self.v_handles, s.k, color, self.vbar, self._v_dragged, "")):
            h.place((i, v0[i]))
        stems = np.array([[(i, 0), (i, v0[i])] for i in range(s.k)], float).reshape(-1, 2)
        self.v_stems.setData(stems[:, 0], stems[:, 1], pen=pen(color, th.pen * 1.5))
        vmax = max(2.5, float(np.max(np.abs(v0))) * 1.3)
        self.vbar.setRange(xRange=(-0.7, s.k - 0.3), yRange=(-vmax, vmax), padding=0)
        self._frame(U0, s)
        self._draw_data(s, th)
        self._draw_now()

    def _frame(self, U0: np.ndarray, s) -> None:
        """Keep every unit and data point in view; never rescale under a dragging hand."""
        if any(getattr(h, "moving", False) for h in self.unit_handles + self.point_handles + [self.x_handle]):
            return
        pts = np.vstack([U0, np.array(s.points).reshape(-1, 2), np.array(s.single_x)[None]])
        need = max(1.5, 1.3 * float(np.max(np.abs(pts))))
        (x0, x1), (y0, y1) = self.plane.getViewBox().viewRange()
        have = min(x1 - x0, y1 - y0) / 2
        if need > have or need < 0.4 * have:
            self.plane.setRange(xRange=(-need, need), yRange=(-need, need), padding=0)

    def _draw_data(self, s, th) -> None:
        data = s.problem in DATA_PROBLEMS
        n = len(s.points) if data else 0
        handles = self._handles(self.point_handles, n, th.foreground, self.plane, self._point_dragged, "")
        for j, h in enumerate(handles):
            label = s.labels[j] if s.problem == "logistic" else None
            c = th.foreground if label is None else (th.positive if label > 0 else th.negative)
            h.setPen(pen(c, 3))
            h.place(s.points[j])
            tip = f"data x{j + 1} = ({fmt(s.points[j][0])}, {fmt(s.points[j][1])})"
            tip += f", label y = {label:+g}" if label is not None else f", y = w*ᵀx = {fmt(np.dot(s.points[j], s.target))}"
            h.setToolTip(tip + "\nDrag to move; right-click to delete; click empty space to add (Shift: label −1)")
        self.x_handle.setVisible(s.problem == "single")
        if s.problem == "single":
            self.x_handle.place(s.single_x)
            self.x_handle.setToolTip(f"x = ({fmt(s.single_x[0])}, {fmt(s.single_x[1])}), y = {fmt(s.single_y)}\n∂f/∂w = x,  ∂f/∂v = Ux,  ∂f/∂U = v xᵀ")

    def _draw_relu(self, s, th, U, v) -> None:
        self.function.set_visible(s.model == "relu")
        if s.model == "relu":
            self.function.draw(U, v, th)
