import numpy as np
import pytest

import overparam_core as core
from app.main_window import MainWindow
from app.scene import Scene
from app.state import SceneState

from .helpers import drag


@pytest.fixture
def window(qtbot):
    w = MainWindow(Scene(SceneState()))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


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
