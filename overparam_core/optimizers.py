"""One step of each optimizer of MATH.md §4.

Internally the parameters are packed as one array ``A = [U | v] (..., k, d+1)`` (column ``d``
holds ``v``) so that a step is a handful of NumPy calls. For the linear model the full
parameter gradient is ``[v aᵀ | U a] = A · B(a)`` with the symmetric "arrow" matrix
``B(a) = [[0, a], [aᵀ, 0]]``, hence a GD step is the single product ``A (I − η B(a))``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._validate import as_float, check_choice, check_last_dim, check_lr, check_params
from .model import _canonical, _check_problem, _preconditioner, _relu_grads
from .problems import Problem, Regression

__all__ = [
    "OPTIMIZERS",
    "MODELS",
    "gd_step",
    "flow_step",
    "canonical_step",
    "path_sgd_step",
    "natural_step",
    "step",
]

OPTIMIZERS: tuple[str, ...] = ("gd", "flow", "canonical", "path-sgd", "natural")
"""Names accepted by :func:`step` and :func:`overparam_core.simulate`."""

MODELS: tuple[str, ...] = ("linear", "relu")
"""Model names: ``f(x) = vᵀUx`` and ``f(x) = vᵀ relu(Ux)``."""

RELU_OPTIMIZERS: tuple[str, ...] = ("gd", "flow", "path-sgd")

Stepper = Callable[[np.ndarray, np.ndarray], None]


# --------------------------------------------------------------------------- packing
def _pack(U: np.ndarray, v: np.ndarray) -> np.ndarray:
    batch = np.broadcast_shapes(U.shape[:-2], v.shape[:-1])
    k, d = U.shape[-2:]
    A = np.empty(batch + (k, d + 1))
    A[..., :d] = U
    A[..., d] = v
    return A


def _unpack(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = A.shape[-1] - 1
    return A[..., :d].copy(), A[..., d].copy()


# --------------------------------------------------------------------------- directions
def _arrow(A: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``[v aᵀ | U a]`` for a packed state ``A`` and a vector ``a (..., d)``."""
    d = A.shape[-1] - 1
    G = np.empty(np.broadcast_shapes(A.shape[:-2], a.shape[:-1]) + A.shape[-2:])
    G[..., :d] = A[..., d:] * a[..., None, :]
    G[..., d:] = A[..., :d] @ a[..., :, None]
    return G


def _linear_direction(problem: Problem, A: np.ndarray) -> np.ndarray:
    d = A.shape[-1] - 1
    w = (A[..., d:].mT @ A[..., :d])[..., 0, :]
    return _arrow(A, problem._grad(w))


def _relu_direction(problem: Problem, A: np.ndarray) -> np.ndarray:
    d = A.shape[-1] - 1
    dU, dv = _relu_grads(problem, A[..., :d], A[..., d])
    G = np.empty(A.shape)
    G[..., :d] = dU
    G[..., d] = dv
    return G


def path_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where a dead unit's ``0 / 0`` is 0 (it stays dead); ``x / 0`` stays infinite."""
    return np.where((num == 0) & (den == 0), 0.0, num / np.where((num == 0) & (den == 0), 1.0, den))


def _path_scale(A: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Path-SGD: divide ``∂L/∂u_i`` by ``v_i²`` and ``∂L/∂v_i`` by ``‖u_i‖²`` (in place).

    A unit with ``u_i = 0`` and ``v_i = 0`` has zero gradient and no scale: it
    stays where it is. A unit with only one of them zero has an infinite step,
    which the simulation reports as divergence.
    """
    d = A.shape[-1] - 1
    G[..., :d] = path_ratio(G[..., :d], A[..., d:] * A[..., d:])
    G[..., d] = path_ratio(G[..., d], np.sum(A[..., :d] * A[..., :d], axis=-1))
    return G


def _safe_solve(P: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Batched ``P⁻¹ a``; a singular ``P`` gives NaN for that batch entry instead of raising."""
    try:
        return np.linalg.solve(P, a[..., None])[..., 0]
    except np.linalg.LinAlgError:
        Pb, ab = np.broadcast_arrays(P, a[..., None])
        shape = Pb.shape[:-2]
        out = np.empty(shape + (Pb.shape[-1],))
        for idx in np.ndindex(*shape):
            try:
                out[idx] = np.linalg.solve(Pb[idx], ab[idx][..., 0])
            except np.linalg.LinAlgError:
                out[idx] = np.nan
        return out


def _natural_h(problem: Problem, A: np.ndarray) -> np.ndarray:
    d = A.shape[-1] - 1
    U, v = A[..., :d], A[..., d]
    a = problem._grad(_canonical(U, v))
    return _safe_solve(_preconditioner(U, v), a)


# --------------------------------------------------------------------------- steppers
class Scheme:
    """How :func:`overparam_core.simulate` stores and advances a batch of runs.

    Parameters
    ----------
    pack : callable
        ``pack(U, v) -> state`` (``U``, ``v`` already broadcast to the batch).
    step : callable
        ``step(state, out) -> None`` writes the next state into ``out``.
    unpack : callable
        ``unpack(states) -> (U, v)``, or ``(w, None)`` for ``"canonical"``.
    repair : callable, optional
        ``repair(state) -> None`` re-imposes exact structural constants (called once per chunk).
    batch_last : bool, optional
        ``True`` when the state stores the (flattened) batch as its last axis, ``(..., B)``;
        otherwise the batch axes lead the state.
    batch : tuple of int, optional
        The batch shape (needed when ``batch_last``).
    derive : callable, optional
        ``derive(states) -> (w, loss, grad_norm, canonical_grad_norm)`` computed in the
        scheme's own layout (batch last: ``(t, d, B)`` and ``(t, B)``); used instead of the
        generic post-processing when given.
    """

    def __init__(
        self,
        pack: Callable[[np.ndarray, np.ndarray], np.ndarray],
        step: Stepper,
        unpack: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]],
        repair: Callable[[np.ndarray], None] | None = None,
        batch_last: bool = False,
        batch: tuple[int, ...] = (),
        derive: Callable[[np.ndarray], tuple[np.ndarray, ...]] | None = None,
    ) -> None:
        self.pack = pack
        self.step = step
        self.unpack = unpack
        self.repair = repair
        self.batch_last = batch_last
        self.batch = batch
        self.derive = derive


def _gd_regression_scheme(problem: Regression, lr: float, batch: tuple[int, ...], k: int, d: int) -> Scheme:
    """Fast exact GD on squared loss: three small matrix products per step.

    State ``Z (..., k+1, d+2) = [[U, 0, v], [0, 1, 1]]``. With ``x = Z[:, d+1] = [v; 1]`` and
    ``Y = Z[:, :d+1] = [[U, 0], [0, 1]]``, ``xᵀY = [w, 1]`` and ``g = −η(Σw − b) = [w, 1] S``.
    The step is ``Z ← Z M(g)`` with ``M = I + E``, ``E[:d, d+1] = g`` (``v += U g``),
    ``E[d+1, :d] = g`` (``U += v gᵀ``) and ``E[d, :d] = −g`` (keeps the last row fixed);
    ``M`` itself is the single product ``[w, 1] K`` with a precomputed ``K``.
    """
    n = d + 2
    S = np.vstack([-lr * problem.Sigma, lr * problem.b[None, :]])  # (d+1, d): [w,1] S = g
    # vec(M) = [w, 1] K
    K = np.zeros((d + 1, n, n))
    K[:, :d, d + 1] = S
    K[:, d + 1, :d] = S
    K[:, d, :d] = -S
    K[d] += np.eye(n)
    K = K.reshape(d + 1, n * n)
    mshape = batch + (n, n)

    def pack(U: np.ndarray, v: np.ndarray) -> np.ndarray:
        Z = np.zeros(batch + (k + 1, n))
        Z[..., :k, :d] = U
        Z[..., :k, d + 1] = v
        Z[..., k, d:] = 1.0
        return Z

    def step_gd_reg(Z: np.ndarray, out: np.ndarray) -> None:
        wa = Z[..., d + 1 :].mT @ Z[..., : d + 1]
        np.matmul(Z, (wa @ K).reshape(mshape), out=out)

    def unpack(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return Z[..., :k, :d].copy(), Z[..., :k, d + 1].copy()

    def repair(Z: np.ndarray) -> None:
        Z[..., k, :d] = 0.0

    return Scheme(pack, step_gd_reg, unpack, repair, batch=batch)


# Below this many runs a batch is advanced with batched matrix products (few calls per
# step); from it on with the batch as the last, contiguous axis (cheap per run).
BATCH_LAST_MIN = 8


def _gd_regression_batch_last(problem: Regression, lr: float, batch: tuple[int, ...], k: int, d: int) -> Scheme:
    """GD on squared loss for many runs: state ``(k, d+1, B)``, ``[U | v]`` with runs last.

    Every NumPy call then loops over ``B`` contiguous runs, which is what makes large
    batches cheap (batched products of tiny matrices are not).
    """
    B = int(np.prod(batch, dtype=np.int64))
    S = -lr * problem.Sigma
    c = (lr * problem.b)[:, None]
    tmp_u = np.empty((k, d, B))
    tmp_v = np.empty((k, B))

    def pack(U: np.ndarray, v: np.ndarray) -> np.ndarray:
        X = np.empty((k, d + 1, B))
        X[:, :d] = np.moveaxis(U.reshape(B, k, d), 0, -1)
        X[:, d] = v.reshape(B, k).T
        return X

    def step_gd_reg_soa(X: np.ndarray, out: np.ndarray) -> None:
        U = X[:, :d]
        v = X[:, d:]
        g = S @ np.multiply(v, U, out=tmp_u).sum(axis=0) + c  # −η a, (d, B)
        np.add(U, np.multiply(v, g, out=tmp_u), out=out[:, :d])
        np.add(v[:, 0], np.multiply(U, g, out=tmp_u).sum(axis=1, out=tmp_v), out=out[:, d])

    def unpack(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # strided views of the records (no copy): (T, *batch, k, d) and (T, *batch, k)
        T = X.shape[0]
        U = np.moveaxis(X[:, :, :d], -1, 1).reshape((T,) + batch + (k, d))
        v = np.moveaxis(X[:, :, d], -1, 1).reshape((T,) + batch + (k,))
        return U, v

    Sig = problem.Sigma
    bcol = problem.b[:, None]
    Xd = problem.X
    ycol = problem.y[:, None]
    n = problem.n

    def derive(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        U = X[:, :, :d]  # (t, k, d, B)
        v = X[:, :, d]  # (t, k, B)
        w = v[:, 0, None] * U[:, 0]
        for i in range(1, k):
            w += v[:, i, None] * U[:, i]
        r = Xd @ w - ycol  # (t, n, B)
        loss = np.einsum("tnb,tnb->tb", r, r) * (0.5 / n)
        a = Sig @ w - bcol  # (t, d, B)
        aa = np.einsum("tdb,tdb->tb", a, a)
        Ua = np.einsum("tkdb,tdb->tkb", U, a)
        gn = np.sqrt(np.einsum("tkb,tkb->tb", v, v) * aa + np.einsum("tkb,tkb->tb", Ua, Ua))
        return w, loss, gn, np.sqrt(aa)

    return Scheme(pack, step_gd_reg_soa, unpack, batch_last=True, batch=batch, derive=derive)


def make_scheme(
    problem: Problem, optimizer: str, model: str, lr: float, batch: tuple[int, ...], k: int, d: int
) -> Scheme:
    """Choose storage and step function for a batch of runs.

    Parameters
    ----------
    problem : Problem
        The loss.
    optimizer : str
        One of :data:`OPTIMIZERS`.
    model : str
        One of :data:`MODELS`.
    lr : float
        Step size (time step for ``"flow"``).
    batch : tuple of int
        Batch shape.
    k, d : int
        Hidden width and input dimension.

    Returns
    -------
    Scheme
    """
    if optimizer == "gd" and model == "linear" and isinstance(problem, Regression):
        if int(np.prod(batch, dtype=np.int64)) >= BATCH_LAST_MIN:
            return _gd_regression_batch_last(problem, lr, batch, k, d)
        return _gd_regression_scheme(problem, lr, batch, k, d)
    if optimizer == "canonical":

        def pack_w(U: np.ndarray, v: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(np.broadcast_to(_canonical(U, v), batch + (d,)))

        return Scheme(
            pack_w, make_stepper(problem, optimizer, model, lr, batch + (d,)), lambda w: (w, None), batch=batch
        )
    return Scheme(_pack, make_stepper(problem, optimizer, model, lr, batch + (k, d + 1)), _unpack, batch=batch)


def make_stepper(problem: Problem, optimizer: str, model: str, lr: float, shape: tuple[int, ...]) -> Stepper:
    """Build ``step(state, out)`` that writes the next state into ``out``.

    Parameters
    ----------
    problem : Problem
        The loss.
    optimizer : str
        One of :data:`OPTIMIZERS`.
    model : str
        One of :data:`MODELS`.
    lr : float
        Step size (time step for ``"flow"``).
    shape : tuple of int
        Shape of the state: ``(..., k, d+1)`` packed ``[U | v]``, or ``(..., d)`` for ``"canonical"``.

    Returns
    -------
    callable
        ``step(state, out) -> None``.
    """
    if optimizer == "canonical":

        def step_canonical(w: np.ndarray, out: np.ndarray) -> None:
            np.subtract(w, lr * problem._grad(w), out=out)

        return step_canonical

    direction = _relu_direction if model == "relu" else _linear_direction

    if optimizer == "gd":

        def step_gd(A: np.ndarray, out: np.ndarray) -> None:
            np.subtract(A, lr * direction(problem, A), out=out)

        return step_gd

    if optimizer == "flow":
        half = 0.5 * lr
        sixth = lr / 6.0

        def step_flow(A: np.ndarray, out: np.ndarray) -> None:
            k1 = direction(problem, A)
            k2 = direction(problem, A - half * k1)
            k3 = direction(problem, A - half * k2)
            k4 = direction(problem, A - lr * k3)
            np.subtract(A, sixth * (k1 + 2.0 * (k2 + k3) + k4), out=out)

        return step_flow

    if optimizer == "path-sgd":

        def step_path(A: np.ndarray, out: np.ndarray) -> None:
            np.subtract(A, lr * _path_scale(A, direction(problem, A)), out=out)

        return step_path

    if optimizer == "natural":

        def step_natural(A: np.ndarray, out: np.ndarray) -> None:
            np.subtract(A, lr * _arrow(A, _natural_h(problem, A)), out=out)

        return step_natural

    raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {OPTIMIZERS}")


def _check_model_optimizer(optimizer: Any, model: Any) -> tuple[str, str]:
    optimizer = check_choice(optimizer, "optimizer", OPTIMIZERS)
    model = check_choice(model, "model", MODELS)
    if model == "relu" and optimizer not in RELU_OPTIMIZERS:
        raise ValueError(f"optimizer {optimizer!r} is not available for model 'relu'; use one of {RELU_OPTIMIZERS}")
    return optimizer, model


def step(
    problem: Problem, U: Any, v: Any, optimizer: str = "gd", lr: float = 0.01, model: str = "linear"
) -> tuple[np.ndarray, np.ndarray]:
    """One step of ``optimizer`` from ``(U, v)``.

    For ``"canonical"`` the result is the factorization-free canonical step returned as
    ``(U', v')`` with ``U'`` the single row ``w − ηa`` and ``v' = [1]`` (so ``U'ᵀv'`` is the new ``w``).

    Parameters
    ----------
    problem : Problem
        The loss.
    U : array_like, shape (..., k, d)
        Input weights.
    v : array_like, shape (..., k)
        Output weights.
    optimizer : str, optional
        One of :data:`OPTIMIZERS`.
    lr : float, optional
        Step size (time step for ``"flow"``).
    model : str, optional
        One of :data:`MODELS`.

    Returns
    -------
    U, v : numpy.ndarray
        The new parameters.
    """
    _check_problem(problem)
    optimizer, model = _check_model_optimizer(optimizer, model)
    lr = check_lr(lr)
    U, v = check_params(U, v)
    check_last_dim(U, problem.d, "U")
    with np.errstate(all="ignore"):
        if optimizer == "canonical":
            w = _canonical(U, v)
            out = np.empty(w.shape)
            make_stepper(problem, optimizer, model, lr, w.shape)(w, out)
            return out[..., None, :], np.ones(w.shape[:-1] + (1,))
        batch = np.broadcast_shapes(U.shape[:-2], v.shape[:-1])
        k, d = U.shape[-2:]
        scheme = make_scheme(problem, optimizer, model, lr, batch, k, d)
        state = scheme.pack(np.broadcast_to(U, batch + (k, d)), np.broadcast_to(v, batch + (k,)))
        out = np.empty(state.shape)
        scheme.step(state, out)
    return scheme.unpack(out)


def gd_step(problem: Problem, U: Any, v: Any, lr: float, model: str = "linear") -> tuple[np.ndarray, np.ndarray]:
    """Parametric GD: ``U ← U − η ∂L/∂U``, ``v ← v − η ∂L/∂v`` (old values on the right).

    Parameters
    ----------
    problem : Problem
        The loss.
    U, v : array_like, shapes (..., k, d) and (..., k)
        Parameters.
    lr : float
        Step size.
    model : str, optional
        ``"linear"`` or ``"relu"``.

    Returns
    -------
    U, v : numpy.ndarray
    """
    return step(problem, U, v, "gd", lr, model)


def flow_step(problem: Problem, U: Any, v: Any, lr: float, model: str = "linear") -> tuple[np.ndarray, np.ndarray]:
    """One classic RK4 step of gradient flow ``dθ/dt = −∇_θ L`` over time ``lr``.

    Parameters
    ----------
    problem : Problem
        The loss.
    U, v : array_like, shapes (..., k, d) and (..., k)
        Parameters.
    lr : float
        Time step.
    model : str, optional
        ``"linear"`` or ``"relu"``.

    Returns
    -------
    U, v : numpy.ndarray
    """
    return step(problem, U, v, "flow", lr, model)


def path_sgd_step(problem: Problem, U: Any, v: Any, lr: float, model: str = "linear") -> tuple[np.ndarray, np.ndarray]:
    """Path-SGD (Neyshabur et al. 2015): ``u_i ← u_i − η (∂L/∂u_i)/v_i²``, ``v_i ← v_i − η (∂L/∂v_i)/‖u_i‖²``.

    A dead unit (``u_i = 0`` and ``v_i = 0``) stays dead: its ``0/0`` is taken as 0.

    Parameters
    ----------
    problem : Problem
        The loss.
    U, v : array_like, shapes (..., k, d) and (..., k)
        Parameters.
    lr : float
        Step size.
    model : str, optional
        ``"linear"`` or ``"relu"``.

    Returns
    -------
    U, v : numpy.ndarray
    """
    return step(problem, U, v, "path-sgd", lr, model)


def natural_step(problem: Problem, U: Any, v: Any, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """Pulled-back canonical step: ``h = P⁻¹a``, ``U ← U − η v hᵀ``, ``v ← v − η U h``.

    A singular ``P`` gives NaN parameters (no exception).

    Parameters
    ----------
    problem : Problem
        The loss.
    U, v : array_like, shapes (..., k, d) and (..., k)
        Parameters.
    lr : float
        Step size.

    Returns
    -------
    U, v : numpy.ndarray
    """
    return step(problem, U, v, "natural", lr, "linear")


def canonical_step(problem: Problem, w: Any, lr: float) -> np.ndarray:
    """Canonical GD ``w ← w − η ∇L(w)``.

    Parameters
    ----------
    problem : Problem
        The loss.
    w : array_like, shape (..., d)
        Canonical vector(s).
    lr : float
        Step size.

    Returns
    -------
    numpy.ndarray, shape (..., d)
    """
    _check_problem(problem)
    lr = check_lr(lr)
    w = as_float(w, "w", min_ndim=1)
    check_last_dim(w, problem.d, "w")
    with np.errstate(all="ignore"):
        return w - lr * problem._grad(w)
