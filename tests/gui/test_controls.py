"""Fields refuse bad numbers at the field; undo/redo; divergence is reported, never raised."""

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.state import SceneState


def enter(field, text):
    field.window().side.setCurrentIndex(1)  # the Controls tab, as a user would open it
    field.edit.setText(text)
    field.edit.editingFinished.emit()


@pytest.mark.parametrize("text, why", [
    ("nan", "NaN"), ("inf", "infinity"), ("-inf", "infinity"), ("abc", "not a number"),
    ("", "enter a number"), ("1e9", "between"), ("0", "between"), ("-0.1", "between"),
])
def test_learning_rate_field_refuses_bad_values(window, text, why):
    scene = window.scene_
    before = scene.state
    undo_index = scene.undo_stack.index()
    enter(window.controls.lr, text)
    assert scene.state is before
    assert scene.undo_stack.index() == undo_index
    assert window.controls.lr.error.isVisibleTo(window)
    assert why in window.controls.lr.error.text()
    assert window.controls.lr.edit.property("invalid") is True
    enter(window.controls.lr, "0.1")  # a good value clears the message
    assert scene.state.lr == 0.1
    assert not window.controls.lr.error.isVisibleTo(window)


def test_other_fields_refuse_out_of_range(window):
    scene = window.scene_
    before = scene.state
    for field, text in ((window.controls.ensemble, "5000"), (window.controls.ensemble, "2.5"),
                        (window.controls.seed, "-1"), (window.controls.steps, "1e12"), (window.controls.lam, "nan")):
        enter(field, text)
        assert field.error.text()
        assert scene.state is before


def test_undo_and_redo_every_setting(window, qtbot):
    scene = window.scene_
    s0 = scene.state
    enter(window.controls.lr, "0.2")
    window.controls.optimizer.setCurrentIndex(window.controls.optimizer.findData("flow"))
    window.controls.optimizer.activated.emit(window.controls.optimizer.currentIndex())
    window.controls.width.setValue(3)
    assert (scene.state.lr, scene.state.optimizer, scene.state.k) == (0.2, "flow", 3)
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert scene.state.k == 2 and window.controls.width.value() == 2
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert scene.state.optimizer == "gd"
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert scene.state == s0 and window.controls.lr.value() == s0.lr
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert scene.state.lr == 0.2
    # the runs follow the state
    assert scene.runs.primary.traj.lr == 0.2


def test_divergence_is_reported_with_step_and_bound(window):
    scene = window.scene_
    enter(window.controls.lr, "3")
    text = window.status.text()
    assert "diverged at step" in text and "η = 3" in text and "2/λmax(PΣ)" in text
    g = scene.runs.primary
    at = int(g.traj.diverged_at[0])
    assert at > 0 and np.all(np.isnan(g.traj.w[g.traj.step >= at, 0]))
    assert np.all(np.isfinite(g.traj.w[g.traj.step < at, 0]))
    assert "diverged" in window.timeseries.readout.text()
    enter(window.controls.lr, "0.05")  # recovering clears the warning
    assert "diverged" not in window.status.text()


def test_refused_combination_keeps_the_scene(make_window):
    window = make_window(replace(SceneState(), lam=1.0))
    scene = window.scene_
    before = scene.state
    window.controls.width.setValue(4)  # λ > 0 needs k ≤ d: the width edit lowers λ instead of failing
    assert scene.state.k == 4 and scene.state.lam == 0.0
    scene.undo_stack.undo()
    assert scene.state == before


def test_optimizer_change_needs_no_reset(window):
    scene = window.scene_
    scene.set_playhead(80)
    combo = window.controls.optimizer
    combo.setCurrentIndex(combo.findData("path-sgd"))
    combo.activated.emit(combo.currentIndex())
    assert scene.state.optimizer == "path-sgd" and scene.playhead == 80
    assert scene.runs.primary.optimizer == "path-sgd"
