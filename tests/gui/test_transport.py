"""Keyboard transport, the scrubber, speed, and playing past the computed horizon."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.state import SceneState


def test_space_plays_and_pauses(window, qtbot):
    scene = window.scene_
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.player.playing
    qtbot.waitUntil(lambda: scene.playhead >= 10, timeout=5000)
    qtbot.keyClick(window, Qt.Key_Space)
    assert not window.player.playing
    stopped = scene.playhead
    QApplication.processEvents()
    assert scene.playhead == stopped


def test_arrow_keys_step_and_r_resets(window, qtbot):
    scene = window.scene_
    qtbot.keyClick(window, Qt.Key_Right)
    qtbot.keyClick(window, Qt.Key_Right)
    qtbot.keyClick(window, Qt.Key_Right)
    assert scene.playhead == 3
    qtbot.keyClick(window, Qt.Key_Left)
    assert scene.playhead == 2
    # the w-plane's current point is the run's w at that step
    spots = window.wplane.current.data
    assert np.allclose(spots[0]["x"], scene.runs.primary.traj.w[2, 0, 0])
    qtbot.keyClick(window, Qt.Key_R)
    assert scene.playhead == 0
    qtbot.keyClick(window, Qt.Key_Left)
    assert scene.playhead == 0  # never before step 0


def test_scrubber_reaches_any_computed_step(window):
    scene = window.scene_
    slider = window.transport.scrubber
    assert slider.maximum() == scene.horizon
    slider.setValue(237)
    assert scene.playhead == 237
    assert "237" in window.transport.step_label.text()
    assert "step 237" in window.timeseries.readout.text()
    slider.setValue(slider.maximum())
    assert scene.playhead == scene.horizon


def test_dragging_the_time_series_line_scrubs(window):
    from .helpers import drag

    scene = window.scene_
    loss_plot = window.timeseries.plots["loss"]
    y = float(np.mean(loss_plot.getViewBox().viewRange()[1]))
    drag(loss_plot, (0, y), (150, y))
    assert abs(scene.playhead - 150) <= 6


def test_playing_past_the_horizon_extends_the_runs(make_window):
    window = make_window(SceneState(steps=50))
    scene = window.scene_
    window.player.set_speed(20)
    for _ in range(10):
        window.player.advance()
    assert scene.playhead == 200 and scene.horizon >= 200
    # extending gives the same numbers as computing that far at once
    from app import runs

    direct = runs.compute(scene.state, steps=scene.horizon).primary.traj
    ext = scene.runs.primary.traj
    assert np.array_equal(ext.step, direct.step)
    np.testing.assert_allclose(ext.w, direct.w, rtol=1e-12, atol=1e-14)


def test_changing_the_learning_rate_mid_run_keeps_the_playhead(window, qtbot):
    scene = window.scene_
    scene.set_playhead(120)
    field = window.controls.lr
    field.edit.setText("0.02")
    field.edit.editingFinished.emit()
    assert scene.state.lr == 0.02
    assert scene.playhead == 120
    assert scene.runs.primary.traj.lr == 0.02


def test_speed_keys(window, qtbot):
    speed = window.player.speed
    qtbot.keyClick(window, Qt.Key_BracketRight)
    assert window.player.speed > speed
    qtbot.keyClick(window, Qt.Key_BracketLeft)
    qtbot.keyClick(window, Qt.Key_BracketLeft)
    assert window.player.speed < speed


def test_hovering_a_time_series_reads_values_and_formula(window, qtbot):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QToolTip

    scene = window.scene_
    text = window.timeseries.hover_text("grad", 40)
    g = scene.runs.primary
    assert "√(aᵀPa)" in text and f"{g.traj.grad_norm[40, 0]:.3g}" in text
    # a real mouse move over the loss plot shows it as a tooltip
    plot = window.timeseries.plots["loss"]
    vb = plot.getViewBox()
    y = float(np.mean(vb.viewRange()[1]))
    view = window.timeseries.layout_widget
    pos = view.mapFromScene(vb.mapViewToScene(QPointF(100, y)))
    ev = QMouseEvent(QEvent.MouseMove, QPointF(pos), QPointF(view.mapToGlobal(pos)), Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), ev)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    import re

    steps = [int(m) for m in re.findall(r"step (\d+)", QToolTip.text())]
    assert "L(w)" in QToolTip.text() and steps and all(abs(s - 100) <= 2 for s in steps)  # a pixel is a step or so
