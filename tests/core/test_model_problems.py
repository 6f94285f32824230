"""Gradients, preconditioner and losses against direct, finite-difference computations (MATH.md §1, §3, §9)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import overparam_core as oc

RNG = np.random.default_rng(1234)


def _data(n=7, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, rng.standard_normal(n), np.where(rng.standard_normal(n) > 0, 1.0, -1.0)


def _problems():
    X, y, lab = _data()
    return [oc.Regression(X, y), oc.Logistic(X, lab), oc.LpRegression(X, y, 4), oc.LpRegression(X, y, 2.5)]


def _fd_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        g[idx] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def test_canonical_is_sum_of_unit_vectors():
    U = RNG.standard_normal((4, 5, 3))
    v = RNG.standard_normal((4, 5))
    w = oc.canonical(U, v)
    direct = np.array([sum(v[b, i] * U[b, i] for i in range(5)) for b in range(4)])
    np.testing.assert_allclose(w, direct, rtol=1e-13, atol=1e-14)


def test_canonical_broadcasts_batch_axes():
    U = RNG.standard_normal((2, 1, 3, 2))
    v = RNG.standard_normal((4, 3))
    w = oc.canonical(U, v)
    assert w.shape == (2, 4, 2)
    np.testing.assert_allclose(w[1, 2], U[1, 0].T @ v[2], rtol=1e-14)


def test_preconditioner_formula_and_kernel():
    U = RNG.standard_normal((3, 2))
    v = RNG.standard_normal(3)
    P = oc.preconditioner(U, v)
    np.testing.assert_allclose(P, U.T @ U + (v @ v) * np.eye(2), rtol=1e-14)
    # P is the NTK: ‖∂f/∂θ‖² at x equals xᵀPx (∂f/∂U = v xᵀ, ∂f/∂v = U x)
    x = RNG.standard_normal(2)
    jac2 = np.sum(np.outer(v, x) ** 2) + np.sum((U @ x) ** 2)
    assert jac2 == pytest.approx(x @ P @ x, rel=1e-13)


@pytest.mark.parametrize("prob", _problems(), ids=lambda p: type(p).__name__)
def test_param_grad_matches_finite_differences_and_aPa(prob):
    U = RNG.standard_normal((4, prob.d)) * 0.5
    v = RNG.standard_normal(4) * 0.5
    dU, dv = oc.linear_grads(prob, U, v)
    fdU = _fd_grad(lambda UU: prob.loss(oc.canonical(UU, v)), U)
    fdv = _fd_grad(lambda vv: prob.loss(oc.canonical(U, vv)), v)
    np.testing.assert_allclose(dU, fdU, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dv, fdv, rtol=1e-6, atol=1e-8)
    a = prob.grad(oc.canonical(U, v))
    P = oc.preconditioner(U, v)
    sq = np.sum(dU**2) + np.sum(dv**2)
    assert sq == pytest.approx(a @ P @ a, rel=1e-12)
    assert oc.param_grad_norm(U, v, a) == pytest.approx(np.sqrt(sq), rel=1e-12)


@pytest.mark.parametrize("prob", _problems(), ids=lambda p: type(p).__name__)
def test_loss_grad_hessian_consistent(prob):
    w = RNG.standard_normal(prob.d) * 0.3
    np.testing.assert_allclose(prob.grad(w), _fd_grad(prob.loss, w), rtol=1e-6, atol=1e-9)
    eps = 1e-6
    jac = np.stack([(prob.grad(w + eps * e) - prob.grad(w - eps * e)) / (2 * eps) for e in np.eye(prob.d)], axis=1)
    np.testing.assert_allclose(prob.hessian(w), jac, rtol=1e-5, atol=1e-8)
    f = w @ prob.X.T
    assert prob.loss_from_outputs(f) == pytest.approx(prob.loss(w), rel=1e-13)
    np.testing.assert_allclose(prob.dloss_doutputs(f) @ prob.X, prob.grad(w), rtol=1e-12, atol=1e-15)


def test_loss_definitions_direct():
    X, y, lab = _data()
    w = RNG.standard_normal(3)
    assert oc.Regression(X, y).loss(w) == pytest.approx(0.5 * np.mean((X @ w - y) ** 2), rel=1e-13)
    assert oc.Logistic(X, lab).loss(w) == pytest.approx(np.mean(np.log1p(np.exp(-lab * (X @ w)))), rel=1e-13)
    assert oc.LpRegression(X, y, 4).loss(w) == pytest.approx(np.mean((X @ w - y) ** 4) / 4, rel=1e-13)


def test_problems_batched():
    for prob in _problems():
        W = RNG.standard_normal((3, 2, prob.d))
        L, G, H = prob.loss(W), prob.grad(W), prob.hessian(W)
        assert L.shape == (3, 2) and G.shape == (3, 2, prob.d) and H.shape == (3, 2, prob.d, prob.d)
        np.testing.assert_allclose(G[2, 1], prob.grad(W[2, 1]), rtol=1e-14)
        np.testing.assert_allclose(H[0, 1], prob.hessian(W[0, 1]), rtol=1e-14)


def test_logistic_is_stable_for_huge_margins():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    prob = oc.Logistic(X, [1.0, -1.0])
    w = np.array([1e4, 1e4])  # margins +1e4 and -1e4
    L = prob.loss(w)
    assert L == pytest.approx(0.5 * 1e4, rel=1e-12)
    g = prob.grad(w)
    assert np.all(np.isfinite(g)) and np.all(np.isfinite(prob.hessian(w)))
    np.testing.assert_allclose(g, [0.0, 0.5], atol=1e-12)


def test_whitened_regression_is_half_squared_distance():
    ws = np.array([1.5, -0.5, 2.0])
    prob = oc.whitened_regression(ws)
    W = RNG.standard_normal((5, 3))
    np.testing.assert_allclose(prob.loss(W), 0.5 * np.sum((W - ws) ** 2, axis=-1), rtol=1e-14)
    np.testing.assert_allclose(prob.grad(W), W - ws, rtol=1e-15, atol=1e-15)


def test_single_example():
    prob = oc.single_example([2.0, -1.0], 3.0)
    assert (prob.n, prob.d) == (1, 2)
    assert prob.loss([1.0, 1.0]) == pytest.approx(0.5 * (1.0 - 3.0) ** 2)


def test_relu_outputs_and_grads():
    X, y, _ = _data(n=9, d=2, seed=3)
    prob = oc.Regression(X, y)
    U = RNG.standard_normal((3, 2))
    v = RNG.standard_normal(3)
    f = oc.relu_outputs(U, v, X)
    np.testing.assert_allclose(f, [v @ np.maximum(U @ x, 0) for x in X], rtol=1e-13)
    dU, dv = oc.relu_grads(prob, U, v)

    def L(UU, vv):
        return prob.loss_from_outputs(oc.relu_outputs(UU, vv, X))

    np.testing.assert_allclose(dU, _fd_grad(lambda UU: L(UU, v), U), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dv, _fd_grad(lambda vv: L(U, vv), v), rtol=1e-6, atol=1e-8)


def test_relu_derivative_at_zero_is_zero():
    prob = oc.single_example([1.0, 0.0], 1.0)
    U = np.array([[0.0, 1.0]])  # pre-activation exactly 0
    dU, dv = oc.relu_grads(prob, U, np.array([1.0]))
    assert np.all(dU == 0.0) and np.all(dv == 0.0)


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 4), d=st.integers(1, 4), seed=st.integers(0, 10_000), s=st.floats(0.01, 100))
def test_scaling_weights_scales_P_by_s2(k, d, seed, s):
    rng = np.random.default_rng(seed)
    U, v = rng.standard_normal((k, d)), rng.standard_normal(k)
    np.testing.assert_allclose(oc.preconditioner(s * U, s * v), s * s * oc.preconditioner(U, v), rtol=1e-12)
    # global rescale by c: P_c = c² UᵀU + c⁻² ‖v‖² I
    Uc, vc = oc.rescale(U, v, s)
    np.testing.assert_allclose(
        oc.preconditioner(Uc, vc), s * s * U.T @ U + (v @ v) / (s * s) * np.eye(d), rtol=1e-11, atol=1e-13
    )
