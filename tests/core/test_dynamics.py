"""Optimizer dynamics against the closed forms of MATH.md §4–§7."""

import numpy as np
import pytest

import overparam_core as oc

WSTAR = np.array([1.0, 0.5])


def _init(seed=0, k=2, d=2, scale=0.7):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((k, d)) * scale, rng.standard_normal(k) * scale


def _regression(seed=5, n=6, d=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return oc.Regression(X, X @ WSTAR[:d] + 0.1 * rng.standard_normal(n))


@pytest.mark.parametrize("prob", [_regression(), oc.Logistic(np.eye(2), [1.0, -1.0])], ids=["reg", "logistic"])
def test_one_step_exact_identity(prob):
    U, v = _init(1)
    lr = 0.3
    a = prob.grad(oc.canonical(U, v))
    U1, v1 = oc.gd_step(prob, U, v, lr)
    np.testing.assert_allclose(oc.canonical(U1, v1), oc.one_step_exact(U, v, a, lr), rtol=1e-12, atol=1e-13)
    # the η² term is really there: the first-order prediction misses by η²(wᵀa)a
    w = oc.canonical(U, v)
    gap = oc.one_step_exact(U, v, a, lr) - oc.one_step_first_order(U, v, a, lr)
    np.testing.assert_allclose(gap, lr**2 * (w @ a) * a, rtol=1e-12, atol=1e-15)
    assert np.linalg.norm(gap) > 1e-4


def test_gd_drift_of_D_per_step():
    prob = _regression()
    U, v = _init(2, k=3)
    lr = 0.2
    for _ in range(5):
        a = prob.grad(oc.canonical(U, v))
        U1, v1 = oc.gd_step(prob, U, v, lr)
        drift = oc.conserved(U1, v1) - oc.conserved(U, v)
        np.testing.assert_allclose(drift, oc.gd_drift(U, v, a, lr), rtol=1e-10, atol=1e-13)
        assert np.abs(drift).max() > 1e-6
        U, v = U1, v1


def test_simulated_gd_matches_exact_one_step_each_record():
    prob = _regression()
    U0, v0 = _init(3)
    lr = 0.1
    tr = oc.simulate(prob, U0, v0, "gd", lr=lr, steps=50)
    for t in range(0, 50, 7):
        U, v = tr.U[t], tr.v[t]
        a = prob.grad(oc.canonical(U, v))
        np.testing.assert_allclose(tr.w[t + 1], oc.one_step_exact(U, v, a, lr), rtol=1e-12, atol=1e-13)


def test_D_constant_under_flow_and_drifts_under_gd():
    prob = _regression()
    U0, v0 = _init(4, k=3)
    D0 = oc.conserved(U0, v0)
    flow = oc.simulate(prob, U0, v0, "flow", lr=0.01, steps=500)
    assert flow.time[-1] == pytest.approx(5.0)
    Dflow = oc.conserved(flow.U, flow.v)
    assert np.abs(Dflow - D0).max() < 1e-8
    gd = oc.simulate(prob, U0, v0, "gd", lr=0.05, steps=100)
    assert np.abs(oc.conserved(gd.U[-1], gd.v[-1]) - D0).max() > 1e-4
    assert flow.loss[-1] < 0.5 * flow.loss[0]


def test_relu_flow_conserves_per_unit_balance():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((20, 2))
    prob = oc.Regression(X, np.maximum(X @ [1.0, -0.5], 0.0))
    U0, v0 = rng.standard_normal((3, 2)), rng.standard_normal(3)
    tr = oc.simulate(prob, U0, v0, "flow", lr=0.01, steps=300, model="relu")
    bal = np.sum(tr.U**2, axis=-1) - tr.v**2
    assert np.abs(bal - bal[0]).max() < 1e-6
    assert tr.loss[-1] < tr.loss[0]
    gd = oc.simulate(prob, U0, v0, "gd", lr=0.2, steps=100, model="relu")
    bal_gd = np.sum(gd.U**2, axis=-1) - gd.v**2
    assert np.abs(bal_gd - bal_gd[0]).max() > 1e-4


@pytest.mark.parametrize("optimizer", oc.OPTIMIZERS)
def test_permutation_leaves_w_trajectory_unchanged(optimizer):
    prob = _regression()
    U0, v0 = _init(8, k=3)
    perm = [2, 0, 1]
    Up, vp = oc.permute(U0, v0, perm)
    a = oc.simulate(prob, U0, v0, optimizer, lr=0.05, steps=200)
    b = oc.simulate(prob, Up, vp, optimizer, lr=0.05, steps=200)
    np.testing.assert_allclose(a.w, b.w, rtol=0, atol=1e-12)
    if a.U is not None:
        np.testing.assert_allclose(a.U[:, perm], b.U, rtol=0, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["gd", "flow", "path-sgd"])
def test_relu_permutation_invariance(optimizer):
    rng = np.random.default_rng(9)
    X = rng.standard_normal((15, 2))
    prob = oc.Regression(X, np.abs(X[:, 0]))
    U0, v0 = rng.standard_normal((3, 2)), rng.standard_normal(3)
    a = oc.simulate(prob, U0, v0, optimizer, lr=0.02, steps=100, model="relu")
    b = oc.simulate(prob, *oc.permute(U0, v0, [1, 2, 0]), optimizer, lr=0.02, steps=100, model="relu")
    np.testing.assert_allclose(a.loss, b.loss, rtol=1e-12, atol=1e-14)


def test_path_sgd_rescaling_invariance_and_gd_is_not():
    prob = _regression()
    U0, v0 = np.array([[0.8, -0.3], [0.2, 0.9]]), np.array([0.6, -0.7])
    c = np.array([4.0, 0.25])
    Ur, vr = oc.rescale(U0, v0, c)
    np.testing.assert_allclose(oc.canonical(Ur, vr), oc.canonical(U0, v0), rtol=1e-14)
    a = oc.simulate(prob, U0, v0, "path-sgd", lr=0.01, steps=2000)
    b = oc.simulate(prob, Ur, vr, "path-sgd", lr=0.01, steps=2000)
    assert not a.diverged and not b.diverged
    assert np.abs(a.w - b.w).max() < 1e-10
    ga = oc.simulate(prob, U0, v0, "gd", lr=0.01, steps=2000)
    gb = oc.simulate(prob, Ur, vr, "gd", lr=0.01, steps=2000)
    assert np.nanmax(np.abs(ga.w - gb.w)) > 0.1 or gb.diverged


def test_natural_step_moves_w_like_canonical_to_first_order():
    prob = _regression()
    U, v = _init(10)
    w = oc.canonical(U, v)
    a = prob.grad(w)
    for lr in (1e-3, 1e-4):
        U1, v1 = oc.natural_step(prob, U, v, lr)
        err = np.linalg.norm(oc.canonical(U1, v1) - (w - lr * a))
        assert err < 50 * lr**2 * np.linalg.norm(a) ** 2 * (1 + np.linalg.norm(w))
    # and a plain GD step does not (it moves by Pa)
    U1, v1 = oc.gd_step(prob, U, v, 1e-3)
    assert np.linalg.norm(oc.canonical(U1, v1) - (w - 1e-3 * a)) > 1e-5


def test_natural_singular_P_diverges_without_exception():
    prob = _regression()
    tr = oc.simulate(prob, np.zeros((2, 2)), np.zeros(2), "natural", lr=0.1, steps=5)
    # P = 0 at the start: the natural direction is undefined there, so the run stops at step 0
    assert tr.diverged and tr.diverged_at == 0
    assert np.all(np.isnan(tr.grad_norm)) and np.all(np.isnan(tr.w))


def test_canonical_is_gd_on_w():
    prob = _regression()
    U0, v0 = _init(11)
    tr = oc.simulate(prob, U0, v0, "canonical", lr=0.1, steps=20)
    assert tr.U is None and tr.v is None
    w = oc.canonical(U0, v0)
    for t in range(21):
        np.testing.assert_allclose(tr.w[t], w, rtol=1e-12, atol=1e-14)
        w = w - 0.1 * prob.grad(w)
    np.testing.assert_allclose(oc.canonical_step(prob, tr.w[3], 0.1), tr.w[4], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("lam", [0.0, 0.5, 3.0])
def test_balanced_init_follows_end_to_end_rule(lam):
    prob = _regression()
    w0 = np.array([0.4, -0.6])
    U0, v0 = oc.balanced_factorization(w0, 2, lam)
    flow = oc.simulate(prob, U0, v0, "flow", lr=0.01, steps=300)
    ref = oc.balanced_flow(prob, w0, lam, 3.0, 300)
    assert np.abs(flow.w - ref).max() < 1e-6
    # the same w0 from an unbalanced factorization does not follow the rule
    Uu, vu = oc.rescale(U0, v0, [3.0, 1.0]) if lam > 0 else (np.array([[0.1, 0.0], [0.0, 3.0]]), None)
    if vu is None:
        Uu = np.array([[4.0, 0.0], [0.0, 4.0]])
        vu = np.array([0.1, -0.15])
    np.testing.assert_allclose(oc.canonical(Uu, vu), w0, rtol=1e-13)
    other = oc.simulate(prob, Uu, vu, "flow", lr=0.01, steps=300)
    assert np.abs(other.w - ref).max() > 0.1


def test_saxe_plateau_then_sigmoid():
    prob = oc.whitened_regression(WSTAR)
    s = np.linalg.norm(WSTAR)
    u0 = 1e-3
    U0, v0 = oc.balanced_factorization(u0 * WSTAR / s, 2, 0.0)
    t_end = 2.5 * oc.plateau_time(s, u0)
    steps = int(round(t_end / 0.01))
    flow = oc.simulate(prob, U0, v0, "flow", lr=0.01, steps=steps)
    u = np.linalg.norm(flow.w, axis=-1)
    ref = oc.saxe_sigmoid(flow.time, s, u0)
    assert np.abs(u - ref).max() < 1e-6
    # w stays on the line of w*
    cross = flow.w[:, 0] * WSTAR[1] - flow.w[:, 1] * WSTAR[0]
    assert np.abs(cross).max() < 1e-12
    lr = 0.01
    gd = oc.simulate(prob, U0, v0, "gd", lr=lr, steps=steps)
    gap = np.abs(np.linalg.norm(gd.w, axis=-1) - ref).max()
    assert gap < 10 * s * lr
    assert gap > 1e-5  # GD really is a discretisation, not the flow
    # plateau: almost nothing happens for half the plateau time, then it converges
    half = np.searchsorted(flow.time, 0.5 * oc.plateau_time(s, u0))
    assert u[half] < 0.1 * s and u[-1] > 0.99 * s
    # canonical GD from the same w(0) has no plateau: ‖w − w*‖ shrinks like e^{−t}
    can = oc.simulate(prob, U0, v0, "canonical", lr=lr, steps=steps)
    dist = np.linalg.norm(can.w - WSTAR, axis=-1)
    np.testing.assert_allclose(dist, dist[0] * (1 - lr) ** can.step, rtol=1e-9)
    assert dist[half] < 0.3 * dist[0]  # vs u[half] < 0.1 s for the parametric flow


def test_saxe_sigmoid_closed_form():
    t = np.linspace(0, 20, 11)
    s, u0 = 2.0, 1e-4
    u = oc.saxe_sigmoid(t, s, u0)
    direct = s * np.exp(2 * s * t) / (np.exp(2 * s * t) - 1 + s / u0)
    np.testing.assert_allclose(u, direct, rtol=1e-12)
    assert u[0] == pytest.approx(u0)
    assert oc.saxe_sigmoid(1e6, s, u0) == pytest.approx(s)
    assert oc.plateau_time(s, u0) == pytest.approx(np.log(s / u0) / (2 * s))


def test_stable_lr_threshold():
    prob = _regression()
    eta = float(oc.stable_lr(prob))
    lmax = np.linalg.eigvalsh(prob.Sigma).max()
    assert eta == pytest.approx(2 / lmax, rel=1e-12)
    w0 = np.array([3.0, -2.0])
    U0, v0 = w0[None, :], np.array([1.0])
    fast = oc.simulate(prob, U0, v0, "canonical", lr=1.05 * eta, steps=400)
    slow = oc.simulate(prob, U0, v0, "canonical", lr=0.95 * eta, steps=400)
    assert fast.diverged and not slow.diverged
    U, v = _init(12)
    P = oc.preconditioner(U, v)
    expect = 2 / np.max(np.linalg.eigvals(P @ prob.Sigma).real)
    assert float(oc.stable_lr(prob, U=U, v=v)) == pytest.approx(expect, rel=1e-12)
    assert float(oc.stable_lr(prob, U=3 * U, v=3 * v)) == pytest.approx(expect / 9, rel=1e-12)
