"""Symmetries of the parameterisation, factorizations of a given ``w``, and the conserved ``D``.

See MATH.md §2, §5, §6.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_float, check_int, check_params, check_magnitude

__all__ = ["permute", "rescale", "balanced_factorization", "random_fiber", "conserved"]


def permute(U: Any, v: Any, perm: Any) -> tuple[np.ndarray, np.ndarray]:
    """Reorder the hidden units: ``U'[..., i, :] = U[..., perm[i], :]``, ``v'[..., i] = v[..., perm[i]]``.

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    perm : array_like of int, shape (k,)
        A permutation of ``range(k)``.

    Returns
    -------
    U, v : numpy.ndarray
        Permuted copies.
    """
    U, v = check_params(U, v)
    k = U.shape[-2]
    p = np.asarray(perm)
    if (
        p.ndim != 1
        or p.shape[0] != k
        or not (np.issubdtype(p.dtype, np.integer) or p.size == 0)
        or not np.array_equal(np.sort(p), np.arange(k))
    ):
        raise ValueError(f"perm must be a permutation of range({k}), got {perm!r}")
    return U[..., p, :].copy(), v[..., p].copy()


def rescale(U: Any, v: Any, c: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rescale unit ``i`` by ``c_i``: ``u_i → c_i u_i``, ``v_i → v_i / c_i``; ``w`` is unchanged.

    For the ReLU model only ``c_i > 0`` preserves the function (MATH.md §2); that is the
    caller's choice, any nonzero ``c_i`` is accepted here.

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    c : float or array_like, shape (..., k)
        Nonzero finite factors (a scalar rescales every unit).

    Returns
    -------
    U, v : numpy.ndarray
        Rescaled parameters.
    """
    U, v = check_params(U, v)
    c = as_float(c, "c")
    if c.ndim > 0 and c.shape[-1] not in (1, U.shape[-2]):
        raise ValueError(f"c must be a scalar or have shape (..., {U.shape[-2]}), got {c.shape}")
    if np.any(c == 0.0):
        raise ValueError("c must be nonzero for every unit")
    return U * c[..., None], v / c


def conserved(U: Any, v: Any) -> np.ndarray:
    """The gradient-flow invariant ``D = UUᵀ − vvᵀ`` (Du, Hu & Lee 2018).

    Parameters
    ----------
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.

    Returns
    -------
    numpy.ndarray, shape (..., k, k)
    """
    U, v = check_params(U, v)
    return U @ U.mT - v[..., :, None] * v[..., None, :]


def _orthonormal_completion(what: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Columns: ``ŵ`` then an orthonormal completion from Householder QR of ``[ŵ, basis...]``."""
    d = what.shape[-1]
    M = np.concatenate([what[..., :, None], np.broadcast_to(basis.mT, what.shape[:-1] + (d, d))], axis=-1)
    Q, _ = np.linalg.qr(M, mode="complete")  # (..., d, d); Q[:, 0] = ±ŵ
    Q = Q.copy()
    Q[..., :, 0] = what
    return Q


def balanced_factorization(
    w: Any, k: int, lam: float = 0.0, basis: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """A λ-balanced factorization of ``w``: ``Uᵀv = w`` and ``UUᵀ − vvᵀ = λI`` (MATH.md §6).

    ``β² = (−λ + √(λ² + 4‖w‖²))/2`` (computed as ``2‖w‖²/(λ + √(λ²+4‖w‖²))`` to avoid
    cancellation), ``v = β e₁``, ``u₁ = √(λ + β²) ŵ``, ``u_i = √λ q_i`` for ``i ≥ 2``, where
    ``ŵ, q₂, …`` are orthonormal: ``q`` comes from a Householder QR of ``[ŵ, b₁, …, b_d]``
    with ``b`` the rows of ``basis`` (default: the identity), so it is deterministic.
    When ``w = 0``, ``ŵ = e₁``. For ``λ = 0`` and ``k > d`` the extra rows are zero.

    Parameters
    ----------
    w : array_like, shape (..., d)
        Canonical vector(s) to factor.
    k : int
        Number of hidden units (``k >= 1``; ``k <= d`` when ``lam > 0``).
    lam : float, optional
        Balance ``λ >= 0``; 0 is the balanced (rich) end, large values the lazy end.
    basis : array_like, shape (d, d), optional
        Rows used to complete ``ŵ`` to an orthonormal basis (need not be orthonormal).

    Returns
    -------
    U : numpy.ndarray, shape (..., k, d)
    v : numpy.ndarray, shape (..., k)
    """
    w = as_float(w, "w", min_ndim=1)
    check_magnitude(w, "w")
    d = w.shape[-1]
    if d < 1:
        raise ValueError(f"w must have d >= 1 entries, got shape {w.shape}")
    k = check_int(k, "k", 1)
    lam_arr = as_float(lam, "lam")
    if lam_arr.ndim != 0:
        raise ValueError(f"lam must be a scalar, got shape {lam_arr.shape}")
    lam_f = float(lam_arr)
    if lam_f < 0.0:
        raise ValueError(f"lam must be >= 0, got {lam!r}")
    if lam_f > 0.0 and k > d:
        raise ValueError(f"lam > 0 needs k <= d (k={k}, d={d}): UUᵀ has rank at most d")
    if basis is None:
        B = np.eye(d)
    else:
        B = as_float(basis, "basis")
        if B.shape != (d, d):
            raise ValueError(f"basis must have shape ({d}, {d}), got {B.shape}")

    nw = np.sqrt(np.sum(w * w, axis=-1))
    e1 = np.zeros(d)
    e1[0] = 1.0
    safe = np.where(nw > 0.0, nw, 1.0)
    what = np.where((nw > 0.0)[..., None], w / safe[..., None], e1)
    root = np.sqrt(lam_f * lam_f + 4.0 * nw * nw)
    denom = lam_f + root
    beta2 = np.where(denom > 0.0, 2.0 * nw * nw / np.where(denom > 0.0, denom, 1.0), 0.0)
    beta = np.sqrt(beta2)
    Q = _orthonormal_completion(what, B)

    batch = w.shape[:-1]
    U = np.zeros(batch + (k, d))
    v = np.zeros(batch + (k,))
    v[..., 0] = beta
    U[..., 0, :] = np.sqrt(lam_f + beta2)[..., None] * what
    m = min(k, d)
    if m > 1 and lam_f > 0.0:
        U[..., 1:m, :] = np.sqrt(lam_f) * Q[..., :, 1:m].mT
    return U, v


def random_fiber(
    w: Any, k: int, n: int, scale: float = 1.0, rng: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random members of the fiber ``{(U, v) : Uᵀv = w}``.

    Construction (valid for every ``k``, including ``k < d``): draw ``U₀`` with entries
    ``scale·N(0,1)/√d`` and ``v`` in a uniformly random direction with norm
    ``scale·√k·e^{0.3 N(0,1)}``, then apply the smallest (Frobenius) correction to ``U``
    that lands on the fiber, ``U = U₀ + v (w − U₀ᵀv)ᵀ / ‖v‖²``, and one refinement pass
    of the same correction. Keeping ``‖v‖`` near ``scale·√k`` keeps that correction, and
    so the weights, of the order of ``scale`` (a Gaussian ``v`` is sometimes tiny, and
    then ``U`` huge: an ensemble would have wild outliers).
    The residual ``‖Uᵀv − w‖`` is at rounding level, ``≤ 1e-12·max(‖w‖, ‖U‖‖v‖)``.

    Parameters
    ----------
    w : array_like, shape (d,)
        The canonical vector.
    k : int
        Number of hidden units, ``k >= 1``.
    n : int
        Number of samples, ``n >= 1``.
    scale : float, optional
        Typical weight size, ``> 0``.
    rng : numpy.random.Generator or int, optional
        Random source or seed.

    Returns
    -------
    U : numpy.ndarray, shape (n, k, d)
    v : numpy.ndarray, shape (n, k)
    """
    w = as_float(w, "w")
    check_magnitude(w, "w")
    if w.ndim != 1 or w.shape[0] < 1:
        raise ValueError(f"w must have shape (d,), got {w.shape}")
    k = check_int(k, "k", 1)
    n = check_int(n, "n", 1)
    sc = as_float(scale, "scale")
    check_magnitude(sc, "scale", 1e100)
    if sc.ndim != 0 or not 1e-100 <= float(sc):  # smaller scales underflow ‖v‖² to 0
        raise ValueError(f"scale must be a finite number between 1e-100 and 1e100, got {scale!r}")
    sc = float(sc)
    if rng is None or isinstance(rng, (int, np.integer)):
        if isinstance(rng, bool):
            raise ValueError("rng must be a numpy Generator, an int seed or None")
        gen = np.random.default_rng(rng)
    elif isinstance(rng, np.random.Generator):
        gen = rng
    else:
        raise ValueError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")
    d = w.shape[0]
    U = gen.standard_normal((n, k, d)) * (sc / np.sqrt(d))
    v = gen.standard_normal((n, k))
    vv = np.sum(v * v, axis=-1)
    tiny = vv < 1e-300
    while np.any(tiny):  # measure-zero event; redraw to keep a direction
        v[tiny] = gen.standard_normal((int(tiny.sum()), k))
        vv = np.sum(v * v, axis=-1)
        tiny = vv < 1e-300
    norm = sc * np.sqrt(k) * np.exp(0.3 * gen.standard_normal(n))
    v = v * (norm / np.sqrt(vv))[:, None]
    vv = norm * norm
    for _ in range(2):
        r = w - (v[:, None, :] @ U)[:, 0, :]
        U = U + v[:, :, None] * (r / vv[:, None])[:, None, :]
    return U, v
