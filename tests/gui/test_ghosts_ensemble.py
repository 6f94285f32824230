"""Ghost runs stay for comparison; ensembles stream in without blocking input."""

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt

import overparam_core as core


def test_pinned_run_stays_faded_while_the_settings_change(window, qtbot):
    scene = window.scene_
    old_path = scene.runs.primary.traj.w[:, 0].copy()
    qtbot.keyClick(window, Qt.Key_G)  # pin
    assert len(scene.ghosts) == 1
    scene.apply(replace(scene.state, lr=0.01))
    ghost = window.wplane.ghost_curves
    assert ghost.isVisible()
    x, y = ghost.getData()
    finite = np.isfinite(x)
    # the ghost draws the old path (thinned), not the new one
    np.testing.assert_allclose(np.column_stack([x, y])[finite][0], old_path[0])
    assert np.allclose(np.column_stack([x, y])[finite][-1], old_path[-1])
    assert not np.allclose(scene.runs.primary.traj.w[-1, 0], old_path[-1])
    assert ghost.opts["pen"].color().alpha() < 255  # faded
    qtbot.keyClick(window, Qt.Key_G, Qt.ShiftModifier)  # clear
    assert not scene.ghosts and not ghost.isVisible()


def test_ensemble_streams_in_chunks_and_every_member_is_on_the_fiber(window, qtbot):
    scene = window.scene_
    scene.apply(replace(scene.state, ensemble=1000))
    # the apply returned before the ensemble was computed: input is never blocked by it
    assert not scene.ensemble_complete
    group = scene.runs.group("ensemble")
    assert group is None or group.size < 1000
    qtbot.waitUntil(lambda: scene.ensemble_complete, timeout=20000)
    group = scene.runs.group("ensemble")
    assert group.size == 1000
    U, v = group.traj.U[0], group.traj.v[0]
    np.testing.assert_allclose(core.canonical(U, v), np.broadcast_to(scene.state.w0, (1000, 2)), atol=1e-9)
    assert window.wplane.ensemble_curves.isVisible()
    # a drag while it streams is answered at once: the primary path moves, the ensemble restarts
    from .helpers import drag

    drag(window.wplane, scene.state.w0, (1.0, -0.5))
    assert np.allclose(scene.runs.primary.traj.w[0, 0], scene.state.w0)
    qtbot.waitUntil(lambda: scene.ensemble_complete, timeout=20000)
    U, v = scene.runs.group("ensemble").traj.U[0], scene.runs.group("ensemble").traj.v[0]
    np.testing.assert_allclose(core.canonical(U, v), np.broadcast_to(scene.state.w0, (1000, 2)), atol=1e-9)
