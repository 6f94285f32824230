"""The units panel and the balance plane, both ways: view → scene and scene → view."""


import numpy as np
import pytest
from PySide6.QtCore import Qt

import overparam_core as core
from app import edits
from app.state import SceneState

from .helpers import click, drag


def test_dragging_a_unit_moves_u_i_and_w0_follows(window):
    scene = window.scene_
    u0 = np.array(scene.state.U0[0])
    drag(window.units.plane, u0, (1.0, -0.5))
    U, v = np.array(scene.state.U0), np.array(scene.state.v0)
    assert U[0] == pytest.approx((1.0, -0.5), abs=0.05)
    assert scene.state.init == "hand"
    assert np.allclose(scene.state.w0, core.canonical(U, v), atol=1e-12)
    assert np.allclose(scene.runs.primary.traj.U[0, 0], U)


def test_dragging_v_i_changes_the_output_weight(window):
    scene = window.scene_
    v_before = scene.state.v0[0]
    drag(window.units.vbar, (0, v_before), (0, 1.5))
    assert scene.state.v0[0] == pytest.approx(1.5, abs=0.05)


def test_units_view_shows_the_state(window):
    scene = window.scene_
    scene.apply(edits.move_unit(scene.state, 1, (-1.2, 0.7)))
    pos = window.units.unit_handles[1].pos()
    assert (pos.x(), pos.y()) == pytest.approx((-1.2, 0.7))
    vpos = window.units.v_handles[0].pos()
    assert vpos.y() == pytest.approx(scene.state.v0[0])


def test_data_points_can_be_added_moved_and_deleted(window):
    scene = window.scene_
    scene.apply(edits.set_problem(scene.state, "logistic"))
    n = len(scene.state.points)
    click(window.units.plane, (-2.0, 2.0))
    assert len(scene.state.points) == n + 1 and scene.state.labels[-1] == 1.0
    click(window.units.plane, (2.0, -2.0), modifiers=Qt.ShiftModifier)
    assert len(scene.state.points) == n + 2 and scene.state.labels[-1] == -1.0
    drag(window.units.plane, scene.state.points[0], (0.5, 2.4))
    assert scene.state.points[0] == pytest.approx((0.5, 2.4), abs=0.05)
    click(window.units.plane, scene.state.points[-1], button=Qt.RightButton)
    assert len(scene.state.points) == n + 1
    assert len(scene.state.labels) == len(scene.state.points)


def test_single_example_x_is_draggable(make_window):
    window = make_window(edits.set_problem(SceneState(), "single"))
    scene = window.scene_
    drag(window.units.plane, scene.state.single_x, (-1.0, 1.0))
    assert scene.state.single_x == pytest.approx((-1.0, 1.0), abs=0.05)


def test_rescaling_on_the_balance_plane_keeps_w0_and_swings_the_path(window):
    scene = window.scene_
    w0 = np.array(scene.state.w0)
    path_before = scene.runs.primary.traj.w[:, 0].copy()
    r, v = float(np.linalg.norm(scene.state.U0[0])), scene.state.v0[0]
    drag(window.balance, (r, v), (2 * r, v / 2))
    U, vv = np.array(scene.state.U0), np.array(scene.state.v0)
    # the unit moved along its orbit ‖u‖v = const, so w0 stays put
    assert np.linalg.norm(U[0]) * vv[0] == pytest.approx(r * v, rel=1e-12)
    assert np.linalg.norm(U[0]) > 1.3 * r
    np.testing.assert_allclose(scene.state.w0, w0, atol=1e-12)
    path = scene.runs.primary.traj.w[:, 0]
    assert np.max(np.linalg.norm(path - path_before, axis=1)) > 0.05
    # one drag, one undo step
    scene.undo_stack.undo()
    assert np.linalg.norm(scene.state.U0[0]) == pytest.approx(r)


def test_balance_plane_shows_each_unit_at_norm_and_v(window):
    scene = window.scene_
    scene.apply(edits.rescale_unit(scene.state, 0, 1.7))
    pos = window.balance.handles[0].pos()
    assert (pos.x(), pos.y()) == pytest.approx((np.linalg.norm(scene.state.U0[0]), scene.state.v0[0]))
