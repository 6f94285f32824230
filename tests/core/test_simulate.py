"""simulate(): shapes, recording, batching, divergence, argument checks, no Qt import."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

import overparam_core as oc

PROB = oc.whitened_regression([1.0, 0.5])


def _batch(n, seed=0, k=2, d=2):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, k, d)) * 0.7, rng.standard_normal((n, k)) * 0.7


@pytest.mark.parametrize("optimizer", oc.OPTIMIZERS)
def test_shapes_and_fields(optimizer):
    U0, v0 = _batch(3)
    U0 = U0.reshape(3, 1, 2, 2)
    v0 = np.stack([v0, v0 * 0.5]).transpose(1, 0, 2)  # (3, 2, 2)
    tr = oc.simulate(PROB, U0, v0, optimizer, lr=0.05, steps=10, every=3)
    T = 10 // 3 + 1
    assert tr.w.shape == (T, 3, 2, 2)
    assert tr.loss.shape == tr.grad_norm.shape == tr.canonical_grad_norm.shape == (T, 3, 2)
    np.testing.assert_array_equal(tr.step, [0, 3, 6, 9])
    np.testing.assert_allclose(tr.time, tr.step * 0.05)
    assert tr.diverged.shape == tr.diverged_at.shape == (3, 2)
    assert (tr.optimizer, tr.lr, tr.every, tr.model) == (optimizer, 0.05, 3, "linear")
    if optimizer == "canonical":
        assert tr.U is None and tr.v is None
    else:
        assert tr.U.shape == (T, 3, 2, 2, 2) and tr.v.shape == (T, 3, 2, 2)
        np.testing.assert_allclose(tr.w, oc.canonical(tr.U, tr.v), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.loss, PROB.loss(tr.w), rtol=1e-12, atol=1e-15)
    a = PROB.grad(tr.w)
    np.testing.assert_allclose(tr.canonical_grad_norm, np.linalg.norm(a, axis=-1), rtol=1e-12)
    if optimizer in ("gd", "flow"):
        Pa = np.einsum("...ij,...j->...i", oc.preconditioner(tr.U, tr.v), a)
        np.testing.assert_allclose(tr.grad_norm, np.sqrt(np.sum(a * Pa, -1)), rtol=1e-12)
    elif optimizer == "natural":
        h = np.linalg.solve(oc.preconditioner(tr.U, tr.v), a[..., None])[..., 0]
        np.testing.assert_allclose(tr.grad_norm, np.sqrt(np.sum(a * h, -1)), rtol=1e-10)
    elif optimizer == "path-sgd":
        dU, dv = oc.linear_grads(PROB, tr.U, tr.v)
        gu = dU / tr.v[..., None] ** 2
        gv = dv / np.sum(tr.U**2, -1)
        np.testing.assert_allclose(tr.grad_norm, np.sqrt(np.sum(gu**2, (-2, -1)) + np.sum(gv**2, -1)), rtol=1e-12)
    else:
        np.testing.assert_allclose(tr.grad_norm, tr.canonical_grad_norm)


def test_every_records_subsample_of_every_step():
    U0, v0 = _batch(1)
    full = oc.simulate(PROB, U0[0], v0[0], "gd", lr=0.05, steps=100)
    sub = oc.simulate(PROB, U0[0], v0[0], "gd", lr=0.05, steps=100, every=7)
    np.testing.assert_allclose(sub.U, full.U[::7], rtol=0, atol=1e-15)
    zero = oc.simulate(PROB, U0[0], v0[0], "gd", lr=0.05, steps=0)
    assert zero.w.shape == (1, 2)


@pytest.mark.parametrize("optimizer", oc.OPTIMIZERS)
@pytest.mark.parametrize("n", [3, 20])  # small batches and the batch-last layout
def test_batch_equals_single_runs(optimizer, n):
    U0, v0 = _batch(n, seed=n)
    prob = oc.Regression(np.random.default_rng(1).standard_normal((5, 2)), np.arange(5.0))
    tr = oc.simulate(prob, U0, v0, optimizer, lr=0.02, steps=150, every=2)
    for i in (0, n - 1):
        one = oc.simulate(prob, U0[i], v0[i], optimizer, lr=0.02, steps=150, every=2)
        np.testing.assert_allclose(tr.w[:, i], one.w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(tr.loss[:, i], one.loss, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(tr.grad_norm[:, i], one.grad_norm, rtol=1e-12, atol=1e-14)


def test_relu_batch_equals_single():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((10, 2))
    prob = oc.Logistic(X, np.sign(X[:, 0] + 1e-3))
    U0, v0 = _batch(4, seed=4, k=3)
    tr = oc.simulate(prob, U0, v0, "gd", lr=0.1, steps=50, model="relu")
    one = oc.simulate(prob, U0[2], v0[2], "gd", lr=0.1, steps=50, model="relu")
    np.testing.assert_allclose(tr.U[:, 2], one.U, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tr.w, oc.canonical(tr.U, tr.v), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.loss[:, 2], prob.loss_from_outputs(oc.relu_outputs(one.U, one.v, X)), rtol=1e-12)
    assert tr.model == "relu"


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize("optimizer", oc.OPTIMIZERS)
def test_divergence_is_isolated(optimizer, n):
    U0, v0 = _batch(n, seed=1)
    if optimizer == "natural":
        # immune to large weights; a zero network makes P singular
        U0[1] = 0.0
        v0[1] = 0.0
    elif optimizer == "path-sgd":
        # immune to rescaling; nearly-zero input weights make the v-step ∂L/∂v / ‖u‖² explode
        U0[1] *= 1e-9
    else:
        U0[1] *= 300.0
        v0[1] *= 300.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = oc.simulate(PROB, U0, v0, optimizer, lr=0.5 if optimizer == "canonical" else 0.05, steps=200)
        if optimizer == "canonical":
            tr = oc.simulate(PROB, U0, v0, optimizer, lr=2.5, steps=200)
    ref = oc.simulate(PROB, U0[0], v0[0], optimizer, lr=tr.lr, steps=200)
    if optimizer == "canonical":  # 2.5 > 2/λmax = 2: every run diverges
        assert tr.diverged.all()
    else:
        assert tr.diverged[1] and not tr.diverged[0] and not tr.diverged[2:].any()
        np.testing.assert_allclose(tr.w[:, 0], ref.w, rtol=1e-12, atol=1e-14)
        assert np.all(np.isfinite(tr.loss[:, 0]))
    for i in np.flatnonzero(tr.diverged):
        at = tr.diverged_at[i]
        assert at >= (0 if optimizer == "natural" else 1)  # natural: P is singular at the start itself
        assert np.all(np.isnan(tr.w[at:, i])) and np.all(np.isnan(tr.loss[at:, i]))
        assert np.all(np.isnan(tr.grad_norm[at:, i])) and np.all(np.isfinite(tr.w[:at, i]))
        assert np.all(np.abs(tr.w[:at, i]) <= 2 * oc.DIVERGENCE_BOUND**2)
        if tr.U is not None:
            assert np.all(np.isnan(tr.U[at:, i]))
            assert np.all(np.abs(tr.U[:at, i]) <= oc.DIVERGENCE_BOUND)
    assert np.all(tr.diverged_at[~tr.diverged] == -1)


def test_diverged_at_is_first_bad_step():
    # canonical GD with lr = 3 on L = ½‖w − w*‖²: w_t − w* = (−2)^t (w_0 − w*)
    w0 = np.array([2.0, 0.5])  # w_0 − w* = (1, 0)
    tr = oc.simulate(PROB, w0[None, :], np.array([1.0]), "canonical", lr=3.0, steps=40, every=3)
    first = int(np.ceil(np.log2(oc.DIVERGENCE_BOUND - 1.0)))  # first t with 2^t + 1 > bound
    assert tr.diverged and tr.diverged_at == first


def test_bad_inputs_raise_naming_argument():
    U0, v0 = np.ones((2, 2)), np.ones(2)
    cases = [
        (dict(lr=0.0), "lr"),
        (dict(lr=-1.0), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(lr=float("inf")), "lr"),
        (dict(steps=-1), "steps"),
        (dict(every=0), "every"),
        (dict(optimizer="adam"), "optimizer"),
        (dict(model="tanh"), "model"),
        (dict(model="relu", optimizer="natural"), "optimizer"),
        (dict(model="relu", optimizer="canonical"), "optimizer"),
    ]
    for kwargs, name in cases:
        with pytest.raises(ValueError, match=name):
            oc.simulate(PROB, U0, v0, **kwargs)
    with pytest.raises(ValueError, match="U0"):
        oc.simulate(PROB, np.ones((2, 3)), v0)
    with pytest.raises(ValueError, match="v0"):
        oc.simulate(PROB, U0, np.ones(3))
    with pytest.raises(ValueError, match="v0"):
        oc.simulate(PROB, U0, np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="problem"):
        oc.simulate("regression", U0, v0)
    with pytest.raises(ValueError, match="y"):
        oc.Logistic(np.eye(2), [1.0, 0.0])
    with pytest.raises(ValueError, match="p"):
        oc.LpRegression(np.eye(2), [1.0, 0.0], p=1.5)
    with pytest.raises(ValueError, match="X"):
        oc.Regression(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="w"):
        PROB.loss(np.ones(3))


def test_import_loads_no_qt():
    code = (
        "import overparam_core, sys; "
        "bad = [m for m in sys.modules if m.startswith(('PySide', 'PyQt', 'pyqtgraph', 'shiboken', 'scipy'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api():
    for name in oc.__all__:
        obj = getattr(oc, name)
        if callable(obj):
            assert obj.__doc__, name
    assert oc.OPTIMIZERS == ("gd", "flow", "canonical", "path-sgd", "natural")
    assert oc.MODELS == ("linear", "relu")


def test_path_sgd_leaves_a_dead_unit_dead():
    """A unit with u_i = 0 and v_i = 0 has zero gradient and no scale: Path-SGD keeps it at 0."""
    U0 = np.array([[0.6, 0.2], [0.0, 0.0]])
    v0 = np.array([0.8, 0.0])
    tr = oc.simulate(PROB, U0, v0, "path-sgd", lr=0.05, steps=100)
    assert not tr.diverged
    assert np.all(tr.U[:, 1] == 0.0) and np.all(tr.v[:, 1] == 0.0)
    assert np.all(np.isfinite(tr.grad_norm))
    # and it trains like the one-unit network it really is
    one = oc.simulate(PROB, U0[:1], v0[:1], "path-sgd", lr=0.05, steps=100)
    np.testing.assert_allclose(tr.w, one.w, rtol=1e-12, atol=1e-14)
