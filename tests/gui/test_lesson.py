"""Teacher scenarios: a lesson locks controls and hides panels, survives save/open, and unlocks."""

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.panels.lesson import LessonDialog


def prepare(window, qtbot, locks=(), hides=()):
    """Open Edit › Prepare a lesson with its real shortcut, tick boxes, press OK."""
    def fill():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LessonDialog) and w.isVisible())
        for name in locks:
            dialog.locks[name].setChecked(True)
        for name in hides:
            dialog.hides[name].setChecked(True)
        dialog.accept()

    QTimer.singleShot(0, fill)
    qtbot.keyClick(window, Qt.Key_L, Qt.ControlModifier | Qt.ShiftModifier)
    window.activateWindow()  # focus comes back to the window once the dialog closes
    qtbot.waitUntil(window.isActiveWindow)


def test_locked_controls_refuse_widgets_keys_and_drags(window, qtbot, tmp_path):
    scene = window.scene_
    prepare(window, qtbot, locks=("lr", "optimizer", "w0"), hides=("balance",))
    assert scene.state.locked == {"lr", "optimizer", "w0"} and scene.state.hidden == {"balance"}
    assert not window.controls.lr.isEnabled() and not window.controls.optimizer.isEnabled()
    assert window.controls.width.isEnabled()
    assert not window.balance.isVisible()
    lr = scene.state.lr
    qtbot.keyClick(window, Qt.Key_Plus)  # η ×1.25, refused
    assert scene.state.lr == lr and "locked" in window.status.text()
    from .helpers import drag

    w0 = scene.state.w0
    drag(window.wplane, w0, (1.5, -1.0))
    assert scene.state.w0 == w0

    path = tmp_path / "lesson.json"
    assert window.save_scene_file(path)
    from app.main_window import MainWindow
    from app.scene import Scene

    other = MainWindow(Scene())
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    assert other.open_scene_file(path)
    assert other.scene_.state.locked == {"lr", "optimizer", "w0"}
    assert not other.controls.lr.isEnabled() and not other.balance.isVisible()
    np.testing.assert_array_equal(other.scene_.runs.primary.traj.w, scene.runs.primary.traj.w)

    qtbot.keyClick(other, Qt.Key_U, Qt.ControlModifier | Qt.ShiftModifier)  # Edit › Unlock all controls
    assert not other.scene_.state.locked and not other.scene_.state.hidden
    assert other.controls.lr.isEnabled() and other.balance.isVisible()
