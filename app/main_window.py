"""The main window: assembles the views around one scene; commands come from ``commands.py``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog, QInputDialog, QLabel, QMainWindow, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from . import commands
from .panels.caption import CaptionBar
from .panels.controls import ControlsPanel
from .panels.tour import TourPanel
from .panels.transport import TransportBar
from .player import Player
from .scene import Scene
from .state import SceneState
from .theme import Theme, load_theme
from .views.balance import BalancePlaneView
from .views.timeseries import TimeSeriesView
from .views.units import UnitsView
from .views.wplane import WPlaneView

DEFAULT_SIZE = (1280, 800)
PRESENT_SCALE = 1.6
SCENE_FILTER = "Overparam scene (*.json)"


class MainWindow(QMainWindow):
    """The explorer: w-plane, parameter space, time series, transport, tour and controls."""

    def __init__(self, scene: Scene | None = None, theme: Theme | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Overparam Explorer")
        self.scene_ = scene or Scene(SceneState())
        self.theme = theme or load_theme("light")
        self.base_theme = self.theme.name
        self.font_scale = self.theme.font_scale
        self.presenting = False
        self.player = Player(self.scene_, self)

        self.wplane = WPlaneView(self.scene_, self.theme)
        self.units = UnitsView(self.scene_, self.theme)
        self.balance = BalancePlaneView(self.scene_, self.theme)
        self.timeseries = TimeSeriesView(self.scene_, self.theme)
        self.transport = TransportBar(self.scene_, self.player)
        self.controls = ControlsPanel(self.scene_)
        self.tour = TourPanel(self.scene_)
        self.tour.demoRequested.connect(self.open_demo)
        self.caption = CaptionBar(self.tour)
        self.caption.hide()
        self.views = {"wplane": self.wplane, "units": self.units, "balance": self.balance, "timeseries": self.timeseries}
        self._layout()

        self.status = QLabel()
        self.status.setObjectName("statusError")
        self.status.setWordWrap(True)
        self.statusBar().addWidget(self.status, 1)
        self.blank = QLabel(self)  # the clicker's "blank screen" (B or .)
        self.blank.setObjectName("blank")
        self.blank.hide()

        self.actions = commands.install(self)
        self.scene_.message.connect(self.show_message)
        self.scene_.changed.connect(self._state_changed)
        self.apply_theme(self.theme)
        self.resize(*DEFAULT_SIZE)
        self._state_changed()

    def _layout(self) -> None:
        params = QSplitter(Qt.Vertical)
        params.addWidget(self.units)
        params.addWidget(self.balance)
        top = QSplitter(Qt.Horizontal)
        top.addWidget(self.wplane)
        top.addWidget(params)
        left = QSplitter(Qt.Vertical)
        left.addWidget(top)
        left.addWidget(self.timeseries)
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(280)
        self.side = QTabWidget()
        self.side.setObjectName("side")
        self.side.addTab(self.tour, "Tour")
        self.side.addTab(scroll, "Controls")
        main = QSplitter(Qt.Horizontal)
        main.addWidget(left)
        main.addWidget(self.side)
        params.setSizes([260, 300])
        top.setSizes([520, 420])
        left.setSizes([540, 230])
        main.setSizes([950, 330])
        self.splitters = {"params": params, "top": top, "left": left, "main": main}
        central = QWidget()
        col = QVBoxLayout(central)
        col.setContentsMargins(4, 4, 4, 0)
        col.addWidget(main, 1)
        col.addWidget(self.caption)
        col.addWidget(self.transport)
        self.setCentralWidget(central)

    # -- demos -------------------------------------------------------------------
    def open_demo(self, demo_id: str) -> None:
        from .demos import find_demo

        demo = find_demo(demo_id)
        if demo is None:
            self.show_message(f"no demo {demo_id!r}", "error")
            return
        self.player.pause()
        self.scene_.replace_state(demo.state)
        self.player.stop_at = demo.state.steps
        self.player.set_speed(demo.speed)
        self.transport.sync()
        self.wplane.fit()
        self.tour.show_demo(demo)
        self.side.setCurrentWidget(self.tour)
        self._emphasise(demo.emphasise)
        self._state_changed()
        if self.presenting:
            self.fit_panes()

    def reset_demo(self) -> None:
        if self.tour.current is not None:
            self.open_demo(self.tour.current.id)

    def _emphasise(self, names) -> None:
        for name, view in self.views.items():
            view.setProperty("emphasised", name in names)
            view.set_emphasis(name in names)

    # -- look ----------------------------------------------------------------------
    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setPalette(theme.palette())
        self.setFont(theme.font())
        error = theme.error_palette(self.palette())
        for label in (self.status, self.controls.message, *(f.error for f in self.controls.fields())):
            label.setPalette(error)
        self.tour.set_fonts(theme)
        self.caption.title.setFont(theme.font(1.15, bold=True))
        self.caption.body.setFont(theme.font(0.85))
        self.timeseries.readout.setFont(theme.font(plot=True))
        for view in self.views.values():
            view.apply_theme(theme)
        if self.tour.current is not None:
            self._emphasise(self.tour.current.emphasise)

    def set_theme(self, name: str) -> None:
        self.base_theme = name
        self.apply_theme(load_theme(name, self.font_scale))

    def set_font_scale(self, scale: float) -> None:
        self.font_scale = min(max(scale, 0.7), 3.0)
        self.apply_theme(load_theme(self.theme.name, self.font_scale))

    def set_presentation(self, on: bool) -> None:
        """Projector theme, text ×1.6, thick pens, advanced controls hidden; F5 toggles."""
        self.presenting = on
        self.actions["present"].setChecked(on)
        if on:
            self.font_scale = max(self.font_scale, PRESENT_SCALE)
            theme = load_theme("projector", self.font_scale)
        else:
            self.font_scale = 1.0
            theme = load_theme(self.base_theme, 1.0)
        for box in self.controls.advanced:
            box.setVisible(not on)
        # the plots take the whole width; the tour speaks through the caption strip
        self.side.setVisible(not on)
        self.caption.setVisible(on)
        self.apply_theme(theme)
        self._state_changed()
        self.fit_panes()

    def fit_panes(self) -> None:
        """Share the window out: the plots get most of it, the side panel about a quarter."""
        w, h = max(self.width(), 800), max(self.height(), 600)
        side = 0 if self.presenting else max(280, round(w * 0.26))
        self.splitters["main"].setSizes([w - side, side])
        series_first = self.presenting and self.tour.current is not None and "timeseries" in self.tour.current.emphasise
        share = 0.5 if series_first else 0.34  # a demo about curves over time gets half the height
        self.splitters["left"].setSizes([round(h * (1 - share)), round(h * share)])
        self.splitters["top"].setSizes([round((w - side) * 0.55), round((w - side) * 0.45)])

    def set_fullscreen(self, on: bool) -> None:
        self.actions["fullscreen"].setChecked(on)
        self.showFullScreen() if on else self.showNormal()

    def toggle_blank(self) -> None:
        if self.blank.isVisible():
            self.blank.hide()
        else:
            self.player.pause()
            self.blank.setStyleSheet(f"background: {self.theme.background};")
            self.blank.setGeometry(self.rect())
            self.blank.raise_()
            self.blank.show()

    def escape(self) -> None:
        if self.blank.isVisible():
            self.blank.hide()
        elif self.isFullScreen():
            self.set_fullscreen(False)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.blank.setGeometry(self.rect())

    # -- files ---------------------------------------------------------------------
    def _ask_path(self, title: str, filters: str, save: bool) -> str:
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self, title, "", filters)
        return path

    def open_scene_file(self, path: str | Path) -> bool:
        """Open a scene file; a bad file leaves everything as it was and says why."""
        from .io.scene_file import SceneFileError, open_scene

        try:
            open_scene(self.scene_, path)
        except SceneFileError as err:
            self.show_message(str(err), "error")
            return False
        self.player.pause()
        from .demos import find_demo

        demo = find_demo(self.scene_.state.demo)  # a saved demo reopens with its narration
        self.player.stop_at = self.scene_.state.steps if demo else None
        self.tour.show_demo(demo)
        self._emphasise(demo.emphasise if demo else ())
        self.wplane.fit()
        self.show_message(f"opened {Path(path).name}", "info")
        return True

    def save_scene_file(self, path: str | Path) -> bool:
        from .io.scene_file import save_scene

        try:
            save_scene(self.scene_, path)
        except OSError as err:
            self.show_message(f"could not save {path}: {err.strerror or err}", "error")
            return False
        self.show_message(f"saved {Path(path).name}", "info")
        return True

    def open_scene_dialog(self) -> None:
        path = self._ask_path("Open scene", SCENE_FILTER, save=False)
        if path:
            self.open_scene_file(path)

    def save_scene_dialog(self) -> None:
        path = self._ask_path("Save scene", SCENE_FILTER, save=True)
        if path:
            self.save_scene_file(path if path.endswith(".json") else path + ".json")

    def export_figure_dialog(self) -> None:
        """PNG at a chosen width, or SVG, of the whole window or of one view."""
        from .io.figure import export_png, export_svg

        names = {"Whole window": self, "w-plane": self.wplane, "Units": self.units,
                 "Balance plane": self.balance, "Time series": self.timeseries.layout_widget}
        which, ok = QInputDialog.getItem(self, "Export figure", "What to export:", list(names), 0, False)
        if not ok:
            return
        path = self._ask_path("Export figure", "PNG image (*.png);;SVG vector image (*.svg)", save=True)
        if not path:
            return
        try:
            if path.lower().endswith(".svg"):
                export_svg(names[which], path)
            else:
                width, ok = QInputDialog.getInt(self, "Export PNG", "Width in pixels:", 1920, 100, 10000)
                if not ok:
                    return
                export_png(names[which], path if path.lower().endswith(".png") else path + ".png", width)
        except (OSError, ValueError, RuntimeError) as err:
            self.show_message(f"could not export the figure: {err}", "error")
            return
        self.show_message(f"exported {Path(path).name}", "info")

    def export_animation_dialog(self) -> None:
        from .io.animation import record_with_progress_dialog

        path = self._ask_path("Export animation", "GIF animation (*.gif);;MP4 video (*.mp4)", save=True)
        if not path:
            return
        steps = max(self.scene_.horizon, 1)
        try:
            frames = record_with_progress_dialog(self, path, steps)
        except (OSError, ValueError, RuntimeError) as err:
            self.show_message(f"could not record the animation: {err}", "error")
            return
        self.show_message("recording cancelled" if frames is None else f"recorded {frames} frames to {Path(path).name}", "info")

    def export_csv_dialog(self) -> None:
        from .io.csv_export import export_csv

        path = self._ask_path("Export trajectories", "CSV (*.csv)", save=True)
        if not path:
            return
        self.scene_.wait_for_ensemble()
        try:
            export_csv(self.scene_.runs, path)
        except OSError as err:
            self.show_message(f"could not write {path}: {err.strerror or err}", "error")
            return
        self.show_message(f"exported {Path(path).name}", "info")

    def copy_figure(self) -> None:
        from .io.figure import copy_figure_to_clipboard

        copy_figure_to_clipboard(self)
        self.show_message("figure copied to the clipboard", "info")

    # -- teacher scenarios -----------------------------------------------------------
    def prepare_lesson(self) -> None:
        from .panels.lesson import LessonDialog

        dialog = LessonDialog(self.scene_.state, self)
        if dialog.exec():
            self.scene_.apply(dialog.applied_to(self.scene_.state), "prepare lesson")

    def unlock_all(self) -> None:
        """The lecturer takes back every control a scenario locked or hid (undoable)."""
        from dataclasses import replace

        self.scene_.apply(replace(self.scene_.state, locked=frozenset(), hidden=frozenset()), "unlock all")
        self.show_message("all controls unlocked", "info")

    # -- reactions -------------------------------------------------------------------
    def show_message(self, text: str, level: str = "info") -> None:
        self.status.setText(text)
        self.status.setProperty("level", level)

    def _state_changed(self) -> None:
        s = self.scene_.state
        if not any(g.traj.diverged.any() for g in self.scene_.runs.groups if g.role != "ensemble"):
            if self.status.property("level") == "warn":
                self.show_message("")
        demo = self.tour.current
        for name in ("units", "balance", "timeseries"):
            shown = name not in s.hidden
            if name == "timeseries" and self.presenting and demo is not None:
                shown = shown and "timeseries" in demo.emphasise  # on a projector, only when the demo is about it
            self.views[name].setVisible(shown)
        self.side.setTabVisible(1, "controls" not in s.hidden)
        self.side.setTabVisible(0, "tour" not in s.hidden)
        self.wplane.w0.setEnabled("w0" not in s.locked)
        self.units.setEnabled("units" not in s.locked)
        self.balance.setEnabled("units" not in s.locked)
