"""Canonical GD on a quadratic loss is evaluated in closed form: it must equal the step loop."""

import numpy as np
import pytest

import overparam_core as core


def loop(problem, w, lr, steps):
    out, first = [w.copy()], np.full(w.shape[:-1], -1)
    for n in range(1, steps + 1):
        w = w - lr * problem.grad(w)
        bad = ~np.all(np.abs(w) <= core.DIVERGENCE_BOUND, axis=-1)
        first = np.where((first < 0) & bad, n, first)
        out.append(w.copy())
    return np.array(out), first


@pytest.mark.parametrize("X, y", [
    (np.array([[2.0, 0.0], [0.0, 0.5], [1.0, 1.0]]), np.array([1.0, 2.0, 3.0])),
    (np.array([[1.0, 0.5]]), np.array([1.0])),  # single example: Σ is singular
])
@pytest.mark.parametrize("lr", [0.01, 0.3, 1.5])
@pytest.mark.parametrize("every", [1, 3])
def test_closed_form_matches_the_loop_and_finds_the_same_divergence_step(X, y, lr, every):
    problem = core.Regression(X, y)
    rng = np.random.default_rng(7)
    U, v = rng.standard_normal((6, 2, 2)), rng.standard_normal((6, 2))
    traj = core.simulate(problem, U, v, "canonical", lr, 120, every)
    ref, first = loop(problem, core.canonical(U, v), lr, 120)
    np.testing.assert_array_equal(traj.diverged_at, first)
    ref = ref[::every]
    alive = np.isfinite(traj.w)
    assert np.array_equal(alive, (traj.step[:, None, None] < np.where(first < 0, 10**9, first)[None, :, None]) & np.ones_like(alive))
    np.testing.assert_allclose(traj.w[alive], ref[alive], rtol=1e-12, atol=1e-12)
