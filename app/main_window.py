"""The main window: assembles the views around one scene and binds every action to a key."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel, QMainWindow, QMessageBox, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget,
)

from .player import Player
from .scene import Scene
from .state import SceneState
from .theme import Theme, load_theme
from .panels.controls import ControlsPanel
from .panels.tour import TourPanel
from .panels.transport import TransportBar
from .views.balance import BalancePlaneView
from .views.timeseries import TimeSeriesView
from .views.units import UnitsView
from .views.wplane import WPlaneView

DEFAULT_SIZE = (1280, 800)


class MainWindow(QMainWindow):
    """The explorer: w-plane, parameter space, time series, transport and controls."""

    def __init__(self, scene: Scene | None = None, theme: Theme | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Overparam Explorer")
        self.scene_ = scene or Scene(SceneState())
        self.theme = theme or load_theme("light")
        self.player = Player(self.scene_, self)

        self.wplane = WPlaneView(self.scene_, self.theme)
        self.units = UnitsView(self.scene_, self.theme)
        self.balance = BalancePlaneView(self.scene_, self.theme)
        self.timeseries = TimeSeriesView(self.scene_, self.theme)
        self.transport = TransportBar(self.scene_, self.player)
        self.controls = ControlsPanel(self.scene_)
        self.tour = TourPanel(self.scene_)
        self.tour.demoRequested.connect(self.open_demo)

        params = QSplitter(Qt.Vertical)
        params.addWidget(self.units)
        params.addWidget(self.balance)
        top = QSplitter(Qt.Horizontal)
        top.addWidget(self.wplane)
        top.addWidget(params)
        top.setStretchFactor(0, 5)
        top.setStretchFactor(1, 4)
        left = QSplitter(Qt.Vertical)
        left.addWidget(top)
        left.addWidget(self.timeseries)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)
        self.side = QTabWidget()
        self.side.setObjectName("side")
        self.side.addTab(self.tour, "Tour")
        self.side.addTab(scroll, "Controls")
        main = QSplitter(Qt.Horizontal)
        main.addWidget(left)
        main.addWidget(self.side)
        main.setStretchFactor(0, 4)
        main.setStretchFactor(1, 1)
        self.splitters = (params, top, left, main)
        params.setSizes([260, 300])
        top.setSizes([520, 420])
        left.setSizes([540, 230])
        main.setSizes([950, 330])
        central = QWidget()
        col = QVBoxLayout(central)
        col.setContentsMargins(4, 4, 4, 0)
        col.addWidget(main, 1)
        col.addWidget(self.transport)
        self.setCentralWidget(central)
        self.status = QLabel()
        self.status.setObjectName("statusError")
        self.status.setWordWrap(True)
        self.statusBar().addWidget(self.status, 1)

        self.actions: dict[str, QAction] = {}
        self._build_actions()
        self.scene_.message.connect(self.show_message)
        self.scene_.changed.connect(self._state_changed)
        self.apply_theme(self.theme)
        self.resize(*DEFAULT_SIZE)
        self._state_changed()

    # -- actions -----------------------------------------------------------------
    def _action(self, key: str, text: str, shortcuts, slot, menu=None, checkable=False) -> QAction:
        act = QAction(text, self)
        act.setShortcuts([QKeySequence(s) for s in (shortcuts if isinstance(shortcuts, list | tuple) else [shortcuts])])
        act.setShortcutContext(Qt.WindowShortcut)
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.addAction(act)
        if menu is not None:
            menu.addAction(act)
        self.actions[key] = act
        return act

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        edit = bar.addMenu("&Edit")
        play = bar.addMenu("&Play")
        view = bar.addMenu("&View")
        self.menus = {"file": file_menu, "edit": edit, "play": play, "view": view}
        undo = self.scene_.undo_stack.createUndoAction(self, "Undo")
        undo.setShortcuts(QKeySequence.Undo)
        redo = self.scene_.undo_stack.createRedoAction(self, "Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for key, act in (("undo", undo), ("redo", redo)):
            edit.addAction(act)
            self.addAction(act)
            self.actions[key] = act
        self._action("pin", "Pin run as ghost", "G", self.scene_.pin_ghost, edit)
        self._action("clear_ghosts", "Clear ghosts", "Shift+G", self.scene_.clear_ghosts, edit)
        self._action("play", "Play / pause", "Space", self.player.toggle, play)
        self._action("forward", "Step forward", "Right", lambda: self.player.step(1), play)
        self._action("back", "Step back", "Left", lambda: self.player.step(-1), play)
        self._action("reset", "Reset to the same init", "R", self.player.reset, play)
        self._action("faster", "Faster", "]", lambda: self._change_speed(+1), play)
        self._action("slower", "Slower", "[", lambda: self._change_speed(-1), play)
        self._action("fit", "Fit w-plane to the runs", "F", self.wplane.fit, view)
        tour = bar.addMenu("&Tour")
        self.menus["tour"] = tour
        self._action("next_demo", "Next demo", ["PgDown", "N"], lambda: self.tour.go(+1), tour)
        self._action("prev_demo", "Previous demo", ["PgUp", "P"], lambda: self.tour.go(-1), tour)
        self._action("reset_demo", "Reset this demo", "Ctrl+R", self._reset_demo, tour)
        self._action("fullscreen", "Full screen", "F11", self._toggle_fullscreen, view, checkable=True)

    def _change_speed(self, direction: int) -> None:
        from .player import SPEEDS

        i = min(range(len(SPEEDS)), key=lambda j: abs(SPEEDS[j] - self.player.speed))
        self.player.set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))])
        self.transport.sync()

    def _toggle_fullscreen(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    def open_demo(self, demo_id: str) -> None:
        from .demos import find_demo

        demo = find_demo(demo_id)
        if demo is None:
            self.show_message(f"no demo {demo_id!r}", "error")
            return
        self.player.pause()
        self.scene_.replace_state(demo.state)
        self.player.stop_at = demo.state.steps
        self.wplane.fit()
        self.tour.show_demo(demo)
        self.side.setCurrentWidget(self.tour)
        for name, view in (("wplane", self.wplane), ("units", self.units), ("balance", self.balance), ("timeseries", self.timeseries)):
            view.setProperty("emphasised", name in demo.emphasise)
            view.setStyleSheet(f"#{view.objectName()} {{ border: 3px solid {self.theme.accent}; }}" if name in demo.emphasise else "")

    def _reset_demo(self) -> None:
        if self.tour.current is not None:
            self.open_demo(self.tour.current.id)

    # -- reactions ---------------------------------------------------------------
    def show_message(self, text: str, level: str = "info") -> None:
        self.status.setText(text)
        self.status.setProperty("level", level)

    def _state_changed(self) -> None:
        s = self.scene_.state
        if not any(g.traj.diverged.any() for g in self.scene_.runs.groups if g.role != "ensemble"):
            if self.status.property("level") == "warn":
                self.show_message("")
        self.units.setVisible("units" not in s.hidden)
        self.balance.setVisible("balance" not in s.hidden)
        self.timeseries.setVisible("timeseries" not in s.hidden)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setStyleSheet(theme.style_sheet())
        for view in (self.wplane, self.units, self.balance, self.timeseries):
            view.apply_theme(theme)
