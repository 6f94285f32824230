import numpy as np
import pyqtgraph as pg
import pytest

import overparam_core as core
from dataclasses import replace

from app import edits

from .helpers import drag


def test_dragging_w0_moves_the_start_and_redraws_both_paths(window, qtbot):
    scene = window.scene_
    old_w0 = np.array(scene.state.w0)
    old_path = window.wplane.run_curves[0].getData()[0].copy()
    seen = []
    drag(window.wplane, old_w0, (-1.0, 1.5), on_move=lambda i: seen.append(np.array(scene.state.w0)))
    new_w0 = np.array(scene.state.w0)
    assert np.allclose(new_w0, (-1.0, 1.5), atol=0.05)
    # the path was redrawn during the drag, not only on release
    assert len({tuple(np.round(w, 6)) for w in seen}) >= 4
    x, y = window.wplane.run_curves[0].getData()
    assert (x[0], y[0]) == pytest.approx(tuple(new_w0))
    assert not np.allclose(x[: len(old_path)], old_path)
    # the canonical (dashed) path starts from the same w0
    cx, cy = window.wplane.run_curves[1].getData()
    assert (cx[0], cy[0]) == pytest.approx(tuple(new_w0))
    # the weights are still a factorization of the new w0
    assert np.allclose(core.canonical(np.array(scene.state.U0), np.array(scene.state.v0)), new_w0, atol=1e-12)
    # one drag is one undo step
    scene.undo_stack.undo()
    assert np.allclose(scene.state.w0, old_w0)


def test_dragging_the_target_moves_the_minimiser_and_the_paths(window):
    scene = window.scene_
    drag(window.wplane, scene.state.target, (1.0, -1.0))
    assert np.allclose(scene.state.target, (1.0, -1.0), atol=0.05)
    w_end = scene.runs.primary.traj.w[-1, 0]
    assert np.allclose(w_end, scene.state.target, atol=1e-3)  # the run now converges to the new target


def test_state_change_redraws_handle_and_paths(window):
    scene = window.scene_
    scene.apply(edits.move_w0(scene.state, (1.5, -0.5)))
    pos = window.wplane.w0.pos()
    assert (pos.x(), pos.y()) == pytest.approx((1.5, -0.5))
    x, y = window.wplane.run_curves[0].getData()
    np.testing.assert_allclose(np.column_stack([x, y]), scene.runs.primary.traj.w[:, 0])


def test_overlays_follow_the_state(window):
    scene = window.scene_
    scene.apply(replace(scene.state, overlays=frozenset({"contributions", "ellipse"})))
    assert not window.wplane.arrows.isVisible()
    assert window.wplane.contributions.isVisible() and window.wplane.ellipse.isVisible()
    # the contributions v_i u_i, tip to tail, end at w
    x, y = window.wplane.contributions.getData()
    assert (x[-1], y[-1]) == pytest.approx(tuple(scene.runs.primary.traj.w[0, 0]))
    scene.apply(replace(scene.state, overlays=frozenset({"arrows"})))
    assert window.wplane.arrows.isVisible() and not window.wplane.ellipse.isVisible()


def test_legend_names_every_run_and_follows_changes(window):
    scene = window.scene_
    labels = [label.text for _, label in window.wplane.legend.items]
    assert labels == ["parametric gd on (U, v)", "canonical GD on w"]
    scene.apply(replace(scene.state, optimizers=("gd", "path-sgd"), overlays=frozenset({"theory"})))
    labels = [label.text for _, label in window.wplane.legend.items]
    assert labels[:2] == ["init · gd", "init · path-sgd"] and labels[-1].startswith("closed form")


def test_relu_model_shows_the_function_over_the_input_plane(window, qtbot):
    import overparam_core as core

    window.open_demo("relu")
    scene = window.scene_
    assert scene.state.model == "relu"
    assert window.wplane.function.image.isVisible() and not window.wplane.w0.isVisible()
    assert "relu" in window.wplane.getPlotItem().titleLabel.text
    # the shading is f at the playhead: its sign pattern matches the engine's outputs
    g = scene.runs.primary
    r = g.record_index(scene.playhead)
    qtbot.waitUntil(lambda: not window.wplane._contour_timer.isActive())  # the shading follows the view
    item = window.wplane.function.image
    img = item.image  # rows are x₂ (bottom up), columns x₁
    rect = item.mapRectToView(item.boundingRect())
    x0, x1, y0, y1 = rect.left(), rect.right(), rect.top(), rect.bottom()
    probe = np.array([[x0 + 0.2 * (x1 - x0), y0 + 0.5 * (y1 - y0)], [x0 + 0.8 * (x1 - x0), y0 + 0.5 * (y1 - y0)]])
    f = core.relu_outputs(g.traj.U[r, 0], g.traj.v[r, 0], probe)
    pos = np.array(pg.mkColor(window.theme.positive).getRgb()[:3], float)
    neg = np.array(pg.mkColor(window.theme.negative).getRgb()[:3], float)

    def cos(a, b):
        return np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12)

    for (x, y), fx in zip(probe, f):
        j = int((x - x0) / (x1 - x0) * (img.shape[1] - 1))
        i = int((y - y0) / (y1 - y0) * (img.shape[0] - 1))
        pixel = img[i, j].astype(float)
        bg = np.array(pg.mkColor(window.theme.background).getRgb()[:3], float)
        towards_positive = cos(pixel - bg, pos - bg) > cos(pixel - bg, neg - bg)  # blue tint, not orange
        assert towards_positive == (fx > 0) or abs(fx) < 1e-9
    # back to the linear model: the w-plane is the w-plane again
    scene.apply(replace(scene.state, model="linear"))
    assert window.wplane.w0.isVisible() and not window.wplane.function.image.isVisible()
