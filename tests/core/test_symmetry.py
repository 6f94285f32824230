"""Symmetries, factorizations and the conserved D (MATH.md §2, §5, §6)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import overparam_core as oc


def test_permute_and_rescale_keep_w():
    rng = np.random.default_rng(0)
    U, v = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4))
    w = oc.canonical(U, v)
    Up, vp = oc.permute(U, v, [2, 0, 3, 1])
    np.testing.assert_array_equal(Up[:, 0], U[:, 2])
    np.testing.assert_array_equal(vp[:, 3], v[:, 1])
    np.testing.assert_allclose(oc.canonical(Up, vp), w, rtol=1e-14, atol=1e-15)
    c = np.array([0.1, -3.0, 7.0, 2.5])
    Ur, vr = oc.rescale(U, v, c)
    np.testing.assert_allclose(Ur[:, 1], -3.0 * U[:, 1])
    np.testing.assert_allclose(vr[:, 2], v[:, 2] / 7.0)
    np.testing.assert_allclose(oc.canonical(Ur, vr), w, rtol=1e-13, atol=1e-14)


def test_conserved_definition():
    rng = np.random.default_rng(1)
    U, v = rng.standard_normal((3, 2)), rng.standard_normal(3)
    np.testing.assert_allclose(oc.conserved(U, v), U @ U.T - np.outer(v, v), rtol=1e-14)


@settings(max_examples=60, deadline=None)
@given(
    d=st.integers(1, 4),
    k=st.integers(1, 4),
    lam=st.one_of(st.just(0.0), st.floats(1e-3, 50.0)),
    seed=st.integers(0, 2**31),
    scale=st.floats(1e-3, 1e3),
)
def test_balanced_factorization_properties(d, k, lam, seed, scale):
    assume(lam == 0.0 or k <= d)
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((2, d)) * scale
    U, v = oc.balanced_factorization(w, k, lam)
    assert U.shape == (2, k, d) and v.shape == (2, k)
    nw = np.linalg.norm(w, axis=-1)
    np.testing.assert_allclose(oc.canonical(U, v), w, rtol=1e-12, atol=1e-12 * nw.max())
    size = lam + nw.max() + 1.0
    D = oc.conserved(U, v)
    expect = lam * np.eye(k)
    if lam == 0.0 and k > d:
        pass  # extra rows are zero, still balanced
    np.testing.assert_allclose(D, np.broadcast_to(expect, D.shape), atol=1e-12 * size)
    beta2 = (-lam + np.sqrt(lam**2 + 4 * nw**2)) / 2
    np.testing.assert_allclose(v[:, 0] ** 2, beta2, rtol=1e-9, atol=1e-12 * size)
    if lam == 0.0:  # balanced: P = ‖w‖(I + ŵŵᵀ)
        what = w / nw[:, None]
        P = nw[:, None, None] * (np.eye(d) + what[:, :, None] * what[:, None, :])
        np.testing.assert_allclose(oc.preconditioner(U, v), P, rtol=1e-11, atol=1e-12 * size)


def test_balanced_factorization_zero_and_errors():
    U, v = oc.balanced_factorization(np.zeros(2), 2, 0.5)
    np.testing.assert_allclose(U, np.sqrt(0.5) * np.eye(2)[[0, 1]] * [[1], [1]], atol=1e-15)
    assert np.all(v == 0)
    with pytest.raises(ValueError, match="lam"):
        oc.balanced_factorization([1.0, 2.0], 2, -1.0)
    with pytest.raises(ValueError, match="k"):
        oc.balanced_factorization([1.0, 2.0], 3, 0.5)
    U, v = oc.balanced_factorization([1.0, 2.0], 3, 0.0)  # allowed: extra rows zero
    np.testing.assert_allclose(oc.canonical(U, v), [1.0, 2.0], rtol=1e-14)
    assert np.all(U[2] == 0)


def test_balanced_factorization_deterministic_and_basis():
    w = np.array([0.3, -1.2, 0.7])
    a = oc.balanced_factorization(w, 3, 2.0)
    b = oc.balanced_factorization(w, 3, 2.0)
    np.testing.assert_array_equal(a[0], b[0])
    Q = np.linalg.qr(np.random.default_rng(2).standard_normal((3, 3)))[0]
    Ub, vb = oc.balanced_factorization(w, 3, 2.0, basis=Q)
    np.testing.assert_allclose(oc.conserved(Ub, vb), 2.0 * np.eye(3), atol=1e-12)
    np.testing.assert_allclose(oc.canonical(Ub, vb), w, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 4), k=st.integers(1, 5), seed=st.integers(0, 2**31), scale=st.floats(0.01, 100))
def test_random_fiber_lies_on_fiber(d, k, seed, scale):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(d)
    U, v = oc.random_fiber(w, k, 5, scale=scale, rng=rng)
    assert U.shape == (5, k, d) and v.shape == (5, k)
    err = np.linalg.norm(oc.canonical(U, v) - w, axis=-1)
    bound = 1e-12 * np.maximum(np.linalg.norm(w), np.linalg.norm(U, axis=(-2, -1)) * np.linalg.norm(v, axis=-1))
    assert np.all(err <= bound)
    assert len({tuple(x) for x in v.round(12)}) == 5  # members differ


def test_random_fiber_seeded():
    a = oc.random_fiber([1.0, 2.0], 2, 3, rng=7)
    b = oc.random_fiber([1.0, 2.0], 2, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])


def test_symmetry_argument_errors():
    U, v = np.ones((2, 2)), np.ones(2)
    with pytest.raises(ValueError, match="perm"):
        oc.permute(U, v, [0, 0])
    with pytest.raises(ValueError, match="perm"):
        oc.permute(U, v, [0, 1, 2])
    with pytest.raises(ValueError, match="c"):
        oc.rescale(U, v, [1.0, 0.0])
    with pytest.raises(ValueError, match="v"):
        oc.canonical(U, np.ones(3))
    with pytest.raises(ValueError, match="U"):
        oc.canonical(np.array([[np.nan, 1.0], [1.0, 1.0]]), v)
    with pytest.raises(ValueError, match="scale"):
        oc.random_fiber([1.0], 1, 1, scale=0.0)
