"""Batched training runs with recording and divergence detection.

The step loop only writes states into a small chunk buffer; every ``_CHUNK`` steps the chunk
is checked for divergence and the recorded steps are copied out. Everything derived
(``w``, loss, gradient norms) is computed after the loop, vectorised over all records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import check_int, check_last_dim, check_lr, check_params
from .model import _canonical, _check_problem, _param_grad_norm, _relu_grads, _preconditioner
from .optimizers import MODELS, OPTIMIZERS, Scheme, _check_model_optimizer, _safe_solve, make_scheme, path_ratio
from .problems import Problem, Regression

__all__ = ["Trajectory", "simulate", "DIVERGENCE_BOUND"]

DIVERGENCE_BOUND: float = 1e6
"""A run diverges when any parameter (any entry of ``U``, ``v``; of ``w`` for ``"canonical"``)
is non-finite or exceeds this bound in absolute value."""

_CHUNK = 32
_POST_ELEMS = 1 << 21  # elements per post-processing chunk (bounds temporary memory)


@dataclass
class Trajectory:
    """Recorded run(s) of :func:`simulate`. ``T = steps // every + 1`` records (step 0 included).

    Attributes
    ----------
    w : numpy.ndarray, shape (T, ..., d)
        Canonical vector ``Uᵀv`` (for ``model="relu"`` this is the linear part, equal to
        ``∇ₓf`` where every unit is active).
    U : numpy.ndarray or None, shape (T, ..., k, d)
        Input weights (``None`` for ``"canonical"``).
    v : numpy.ndarray or None, shape (T, ..., k)
        Output weights (``None`` for ``"canonical"``).
    loss : numpy.ndarray, shape (T, ...)
        Training loss.
    grad_norm : numpy.ndarray, shape (T, ...)
        Norm of the direction the optimizer follows, in its own space:
        ``gd``/``flow``: ``‖∇_θ L‖ = √(aᵀPa)``; ``natural``: ``‖(v hᵀ, U h)‖ = √(aᵀP⁻¹a)``
        with ``h = P⁻¹a``; ``path-sgd``: Frobenius norm of the scaled gradient
        ``((∂L/∂u_i)/v_i², (∂L/∂v_i)/‖u_i‖²)``; ``canonical``: ``‖a‖``.
        For ``relu``, ``∇_θ L`` is the ReLU parameter gradient.
    canonical_grad_norm : numpy.ndarray, shape (T, ...)
        ``‖a‖ = ‖∇_w L(w)‖``. For ``model="relu"``, which has no canonical ``w``, it holds the
        plain parameter-gradient norm ``‖∇_θ L‖``.
    step : numpy.ndarray of int, shape (T,)
        Step index of each record.
    time : numpy.ndarray, shape (T,)
        ``step · lr`` (the flow's time).
    diverged : numpy.ndarray of bool, shape (...)
        Whether each run diverged.
    diverged_at : numpy.ndarray of int, shape (...)
        First step whose state was non-finite or beyond :data:`DIVERGENCE_BOUND`, or whose
        loss or gradient norm was undefined (a singular ``P`` for ``"natural"``); ``-1`` if
        none. Every record with ``step >= diverged_at`` is NaN; every earlier one is finite.
    optimizer, model : str
        As passed to :func:`simulate`.
    lr : float
        Step size.
    every : int
        Recording interval in steps.
    """

    w: np.ndarray
    U: np.ndarray | None
    v: np.ndarray | None
    loss: np.ndarray
    grad_norm: np.ndarray
    canonical_grad_norm: np.ndarray
    step: np.ndarray
    time: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    optimizer: str
    lr: float
    every: int
    model: str

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Shape of the batch of runs, ``(...)``."""
        return tuple(self.diverged.shape)

    def __len__(self) -> int:
        return int(self.step.shape[0])


def _bad(x: np.ndarray, scheme: Scheme, lead: int) -> np.ndarray:
    """True where a run's state is non-finite or beyond the bound: shape ``x.shape[:lead] + batch``.

    ``x`` holds states with ``lead`` extra leading axes (0 or 1).
    """
    ok = np.abs(x) <= DIVERGENCE_BOUND
    if scheme.batch_last:
        axes = tuple(range(lead, x.ndim - 1))
        return ~np.all(ok, axis=axes).reshape(x.shape[:lead] + scheme.batch)
    nb = len(scheme.batch)
    axes = tuple(range(lead + nb, x.ndim))
    return ~np.all(ok, axis=axes)


def _park(state: np.ndarray, alive: np.ndarray, other: np.ndarray, scheme: Scheme) -> np.ndarray:
    """``state`` for live runs, ``other`` for dead ones."""
    if scheme.batch_last:
        return np.where(alive.reshape(-1), state, other)
    pnd = state.ndim - alive.ndim
    return np.where(alive.reshape(alive.shape + (1,) * pnd), state, other)


def _run(scheme: Scheme, state0: np.ndarray, steps: int, every: int) -> tuple[np.ndarray, np.ndarray]:
    """Integrate and record. Returns ``(records (T, *state.shape), diverged_at (batch))``."""
    T = steps // every + 1
    rec = np.empty((T,) + state0.shape)
    rec[0] = state0
    div_at = np.where(_bad(state0, scheme, 0), 0, -1).astype(np.int64)
    alive = div_at < 0
    buf = np.empty((_CHUNK + 1,) + state0.shape)
    buf[0] = state0
    if not alive.all():
        buf[0] = _park(state0, alive, 0.0, scheme)
        state0 = buf[0].copy()
    stepper = scheme.step
    repair = scheme.repair
    base = 0
    while base < steps:
        c = min(_CHUNK, steps - base)
        for j in range(c):
            stepper(buf[j], buf[j + 1])
        chunk = buf[1 : c + 1]
        if not np.abs(chunk).max() <= DIVERGENCE_BOUND:  # also catches NaN
            bad = _bad(chunk, scheme, 1)  # (c, *batch)
            newly = bad.any(axis=0) & alive
            if newly.any():
                first = np.argmax(bad, axis=0)
                div_at = np.where(newly, base + 1 + first, div_at)
                alive = alive & ~newly
            # park dead runs at their initial state so they stay finite and cheap
            buf[c] = _park(buf[c], alive, state0, scheme)
        if repair is not None:
            repair(buf[c])
        r0 = base // every + 1
        r1 = (base + c) // every
        if r1 >= r0:
            rec[r0 : r1 + 1] = buf[r0 * every - base : r1 * every - base + 1 : every]
        buf[0] = buf[c]
        base += c
    return rec, div_at


def _canonical_regression(problem: Regression, w0: np.ndarray, lr: float, steps: int,
                          every: int) -> tuple[np.ndarray, np.ndarray]:
    """GD on a quadratic loss in closed form: ``(records (T, *batch, d), diverged_at)``.

    ``w ← w − η(Σw − b)`` is linear, so in the eigenbasis ``Σ = QΛQᵀ`` each
    coordinate is ``z* + ρⁿ(z₀ − z*)`` with ``ρ = 1 − ηλ`` (or ``z₀ + nηc`` where
    ``λ = 0``). One vectorised evaluation replaces the step loop, which makes
    the canonical reference path free to redraw during a drag.
    """
    lam, Q = np.linalg.eigh(problem.Sigma)
    c = problem.b @ Q
    flat = lam <= 1e-14 * max(float(np.max(np.abs(lam))), 1.0)
    rho = 1.0 - lr * lam
    z_star = np.where(flat, 0.0, c / np.where(flat, 1.0, lam))
    batch, d = w0.shape[:-1], w0.shape[-1]
    z0 = w0.reshape(-1, d) @ Q  # (B, d)

    def at(n: np.ndarray, z0: np.ndarray) -> np.ndarray:  # w after n steps: (len(n), B, d)
        n = n.astype(float)[:, None, None]
        z = np.where(flat, z0 + n * lr * c, z_star + rho**n * (z0 - z_star))
        return z @ Q.T

    T = steps // every + 1
    rec = at(np.arange(T) * every, z0)
    rec[0] = w0.reshape(-1, d)
    bad = ~np.all(np.abs(rec) <= DIVERGENCE_BOUND, axis=-1)  # (T, B)
    div_at = np.full(rec.shape[1], -1, dtype=np.int64)
    for i in np.flatnonzero(bad.any(axis=0)):  # the exact first bad step lies between two records
        j = int(np.argmax(bad[:, i]))
        lo = (j - 1) * every + 1 if j > 0 else 0
        between = at(np.arange(lo, j * every + 1), z0[i : i + 1])[:, 0]
        div_at[i] = lo + int(np.argmax(~np.all(np.abs(between) <= DIVERGENCE_BOUND, axis=-1)))
    return rec.reshape((T,) + batch + (d,)), div_at.reshape(batch)


def _chunks(T: int, per_record: int) -> list[slice]:
    size = max(1, _POST_ELEMS // max(1, per_record))
    return [slice(i, min(T, i + size)) for i in range(0, T, size)]


def simulate(
    problem: Problem,
    U0: Any,
    v0: Any,
    optimizer: str = "gd",
    lr: float = 0.01,
    steps: int = 1000,
    every: int = 1,
    model: str = "linear",
) -> Trajectory:
    """Run ``optimizer`` from ``(U0, v0)`` for ``steps`` steps on every run of the batch.

    Parameters
    ----------
    problem : Problem
        The loss and its data.
    U0 : array_like, shape (..., k, d)
        Initial input weights.
    v0 : array_like, shape (..., k)
        Initial output weights. The batch shape is the broadcast of ``U0.shape[:-2]`` and
        ``v0.shape[:-1]``.
    optimizer : str, optional
        One of ``OPTIMIZERS = ("gd", "flow", "canonical", "path-sgd", "natural")``.
        ``"flow"`` integrates gradient flow with classic RK4, time step ``lr``;
        ``"canonical"`` runs GD on ``w`` from ``w0 = U0ᵀv0``.
    lr : float, optional
        Step size (time step for ``"flow"``), finite and ``> 0``.
    steps : int, optional
        Number of steps, ``>= 0``.
    every : int, optional
        Record every ``every`` steps (``>= 1``); step 0 is always recorded.
    model : str, optional
        ``"linear"`` (``f = vᵀUx``) or ``"relu"`` (``f = vᵀ relu(Ux)``; optimizers ``gd``,
        ``flow``, ``path-sgd`` only).

    Returns
    -------
    Trajectory

    Notes
    -----
    A run whose state becomes non-finite or exceeds :data:`DIVERGENCE_BOUND` is stopped:
    ``diverged`` is set, ``diverged_at`` is the first such step and its records from that
    step on are NaN. Other runs are unaffected. No exception, no NumPy warning.
    """
    _check_problem(problem)
    optimizer, model = _check_model_optimizer(optimizer, model)
    lr = check_lr(lr)
    steps = check_int(steps, "steps", 0)
    every = check_int(every, "every", 1)
    U0, v0 = check_params(U0, v0, "U0", "v0")
    check_last_dim(U0, problem.d, "U0")
    batch = np.broadcast_shapes(U0.shape[:-2], v0.shape[:-1])
    k, d = U0.shape[-2:]

    with np.errstate(all="ignore"):
        scheme = make_scheme(problem, optimizer, model, lr, batch, k, d)
        state0 = scheme.pack(np.broadcast_to(U0, batch + (k, d)), np.broadcast_to(v0, batch + (k,)))
        if optimizer == "canonical" and isinstance(problem, Regression):
            rec, div_at = _canonical_regression(problem, state0, lr, steps, every)
        else:
            rec, div_at = _run(scheme, state0, steps, every)
        T = rec.shape[0]
        step_idx = np.arange(T, dtype=np.int64) * every
        dead = (div_at[None, ...] >= 0) & (step_idx.reshape((T,) + (1,) * len(batch)) >= div_at[None, ...])

        loss = np.empty((T,) + batch)
        gnorm = np.empty((T,) + batch)
        cgnorm = np.empty((T,) + batch)
        per_record = int(np.prod(batch, dtype=np.int64)) * max(k, 1) * max(d, problem.n, 1)
        if scheme.derive is not None:
            B = int(np.prod(batch, dtype=np.int64))
            w_rec = np.empty((T,) + batch + (d,))
            wv, lv, gv, cv = (x.reshape((T, B) + x.shape[1 + len(batch) :]) for x in (w_rec, loss, gnorm, cgnorm))
            per = max(1, (1 << 16) // max(1, rec[0].size))  # records per cache-sized chunk
            for i in range(0, T, per):
                sl = slice(i, min(T, i + per))
                w_c, l_c, g_c, c_c = scheme.derive(rec[sl])
                wv[sl] = w_c.transpose(0, 2, 1)
                lv[sl] = l_c
                gv[sl] = g_c
                cv[sl] = c_c
            U_rec, v_rec = scheme.unpack(rec)
            if dead.any():
                np.copyto(U_rec, np.nan, where=dead[..., None, None])
                np.copyto(v_rec, np.nan, where=dead[..., None])
        elif optimizer == "canonical":
            w_rec = rec
            U_rec = v_rec = None
            if dead.any():
                np.copyto(w_rec, np.nan, where=dead[..., None])
            for sl in _chunks(T, per_record):
                w = w_rec[sl]
                loss[sl] = problem._loss(w)
                an = np.sqrt(np.sum(problem._grad(w) ** 2, axis=-1))
                gnorm[sl] = an
                cgnorm[sl] = an
        else:
            U_rec, v_rec = scheme.unpack(rec)
            del rec
            if dead.any():
                np.copyto(U_rec, np.nan, where=dead[..., None, None])
                np.copyto(v_rec, np.nan, where=dead[..., None])
            w_rec = _canonical(U_rec, v_rec)
            for sl in _chunks(T, per_record):
                U, v, w = U_rec[sl], v_rec[sl], w_rec[sl]
                if model == "relu":
                    f = (v[..., None, :] @ np.maximum(U @ problem._XT, 0.0))[..., 0, :]
                    loss[sl] = problem.loss_from_outputs(f)
                    dU, dv = _relu_grads(problem, U, v)
                    plain = np.sqrt(np.sum(dU * dU, axis=(-2, -1)) + np.sum(dv * dv, axis=-1))
                    cgnorm[sl] = plain
                    if optimizer == "path-sgd":
                        gnorm[sl] = _path_norm(U, v, dU, dv)
                    else:
                        gnorm[sl] = plain
                    continue
                loss[sl] = problem._loss(w)
                a = problem._grad(w)
                cgnorm[sl] = np.sqrt(np.sum(a * a, axis=-1))
                if optimizer in ("gd", "flow"):
                    gnorm[sl] = _param_grad_norm(U, v, a)
                elif optimizer == "natural":
                    h = _safe_solve(_preconditioner(U, v), a)
                    gnorm[sl] = _param_grad_norm(U, v, h)
                else:  # path-sgd
                    dU = v[..., :, None] * a[..., None, :]
                    dv = (U @ a[..., None])[..., 0]
                    gnorm[sl] = _path_norm(U, v, dU, dv)
        # A run whose loss or gradient norms leave the finite range (a singular P for
        # "natural") has diverged there too, even while its state is still finite.
        bad = ~(np.isfinite(loss) & np.isfinite(gnorm) & np.isfinite(cgnorm)) & ~dead
        if bad.any():
            first = step_idx[np.argmax(bad, axis=0)]
            div_at = np.where(bad.any(axis=0) & ((div_at < 0) | (first < div_at)), first, div_at)
            dead = (div_at[None, ...] >= 0) & (step_idx.reshape((T,) + (1,) * len(batch)) >= div_at[None, ...])
            if U_rec is not None:
                np.copyto(U_rec, np.nan, where=dead[..., None, None])
                np.copyto(v_rec, np.nan, where=dead[..., None])
        if dead.any():  # derived quantities of dead records are NaN too
            for arr in (loss, gnorm, cgnorm):
                arr[dead] = np.nan
            w_rec[dead] = np.nan

    return Trajectory(
        w=w_rec,
        U=U_rec,
        v=v_rec,
        loss=loss,
        grad_norm=gnorm,
        canonical_grad_norm=cgnorm,
        step=step_idx,
        time=step_idx * lr,
        diverged=div_at >= 0,
        diverged_at=div_at,
        optimizer=optimizer,
        lr=lr,
        every=every,
        model=model,
    )


def _path_norm(U: np.ndarray, v: np.ndarray, dU: np.ndarray, dv: np.ndarray) -> np.ndarray:
    gu = path_ratio(dU, (v * v)[..., None])
    gv = path_ratio(dv, np.sum(U * U, axis=-1))
    return np.sqrt(np.sum(gu * gu, axis=(-2, -1)) + np.sum(gv * gv, axis=-1))


__all__ += ["OPTIMIZERS", "MODELS"]
