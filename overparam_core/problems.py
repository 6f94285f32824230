"""Losses of a linear predictor ``f(x) = wᵀx`` on a fixed data set (MATH.md §3, §7, §9).

Every method is batched over the leading axes of its argument. The ``*_from_outputs``
methods take the model outputs on the ``n`` examples, so the ReLU model reuses the same losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_float, check_last_dim

__all__ = [
    "Problem",
    "Regression",
    "Logistic",
    "LpRegression",
    "whitened_regression",
    "single_example",
]


class Problem:
    """Base class: data ``X (n, d)``, targets ``y (n,)`` and a per-example loss.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs, one example per row.
    y : array_like, shape (n,)
        Targets.

    Attributes
    ----------
    X : numpy.ndarray, shape (n, d)
        Read-only copy of the inputs.
    y : numpy.ndarray, shape (n,)
        Read-only copy of the targets.
    n, d : int
        Number of examples and input dimension.
    """

    def __init__(self, X: Any, y: Any) -> None:
        X = np.array(as_float(X, "X"), dtype=np.float64, copy=True)
        y = np.array(as_float(y, "y"), dtype=np.float64, copy=True)
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"X must have shape (n, d) with n, d >= 1, got {X.shape}")
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
        X.flags.writeable = False
        y.flags.writeable = False
        self.X: np.ndarray = X
        self.y: np.ndarray = y
        self.n: int = int(X.shape[0])
        self.d: int = int(X.shape[1])
        self._XT = np.ascontiguousarray(X.T)

    # -- per-example loss, overridden by subclasses ---------------------------------------
    def loss_from_outputs(self, f: Any) -> np.ndarray:
        """Mean loss given the model outputs.

        Parameters
        ----------
        f : array_like, shape (..., n)
            Model outputs on the ``n`` examples.

        Returns
        -------
        numpy.ndarray, shape (...)
        """
        raise NotImplementedError

    def dloss_doutputs(self, f: Any) -> np.ndarray:
        """Gradient of the mean loss with respect to the outputs (includes the ``1/n``).

        Parameters
        ----------
        f : array_like, shape (..., n)
            Model outputs on the ``n`` examples.

        Returns
        -------
        numpy.ndarray, shape (..., n)
        """
        raise NotImplementedError

    def _d2loss_doutputs(self, f: np.ndarray) -> np.ndarray:
        """Diagonal second derivative of the mean loss w.r.t. the outputs, ``(..., n)``."""
        raise NotImplementedError

    # -- validated public API -------------------------------------------------------------
    def _check_w(self, w: Any) -> np.ndarray:
        w = as_float(w, "w", min_ndim=1)
        check_last_dim(w, self.d, "w")
        return w

    def _check_f(self, f: Any) -> np.ndarray:
        f = as_float(f, "f", min_ndim=1, finite=False)
        check_last_dim(f, self.n, "f")
        return f

    def _checked(self, fn, w: Any) -> np.ndarray:
        """``fn`` on a validated ``w``; far from the data it returns inf, never a NumPy warning."""
        w = self._check_w(w)
        with np.errstate(over="ignore", invalid="ignore"):
            return fn(w)

    def loss(self, w: Any) -> np.ndarray:
        """Loss ``L(w)``.

        Parameters
        ----------
        w : array_like, shape (..., d)
            Canonical weight vector(s).

        Returns
        -------
        numpy.ndarray, shape (...)
        """
        return self._checked(self._loss, w)

    def grad(self, w: Any) -> np.ndarray:
        """Gradient ``a = ∇_w L(w)``.

        Parameters
        ----------
        w : array_like, shape (..., d)
            Canonical weight vector(s).

        Returns
        -------
        numpy.ndarray, shape (..., d)
        """
        return self._checked(self._grad, w)

    def hessian(self, w: Any) -> np.ndarray:
        """Hessian ``∇²_w L(w) = Xᵀ diag(ℓ'') X``.

        Parameters
        ----------
        w : array_like, shape (..., d)
            Canonical weight vector(s).

        Returns
        -------
        numpy.ndarray, shape (..., d, d)
        """
        return self._checked(self._hessian, w)

    # -- unchecked internals used by the simulator -----------------------------------------
    def _outputs(self, w: np.ndarray) -> np.ndarray:
        return w @ self._XT

    def _loss(self, w: np.ndarray) -> np.ndarray:
        return self.loss_from_outputs(self._outputs(w))

    def _grad(self, w: np.ndarray) -> np.ndarray:
        return self.dloss_doutputs(self._outputs(w)) @ self.X

    def _hessian(self, w: np.ndarray) -> np.ndarray:
        c = self._d2loss_doutputs(self._outputs(w))
        return (self._XT * c[..., None, :]) @ self.X

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n}, d={self.d})"


class Regression(Problem):
    """Squared loss ``L(w) = ½ mean_j (wᵀx_j − y_j)²``.

    ``Σ = XᵀX/n`` and ``b = Xᵀy/n`` are precomputed so that ``∇L(w) = Σw − b`` costs one
    small matrix product.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs.
    y : array_like, shape (n,)
        Targets.

    Attributes
    ----------
    Sigma : numpy.ndarray, shape (d, d)
        Second-moment matrix ``XᵀX/n``.
    b : numpy.ndarray, shape (d,)
        ``Xᵀy/n``.
    """

    def __init__(self, X: Any, y: Any) -> None:
        super().__init__(X, y)
        self.Sigma: np.ndarray = (self._XT @ self.X) / self.n
        self.Sigma = 0.5 * (self.Sigma + self.Sigma.T)
        self.b: np.ndarray = (self._XT @ self.y) / self.n

    def loss_from_outputs(self, f: Any) -> np.ndarray:
        """Mean squared loss ``½ mean (f − y)²``; see :meth:`Problem.loss_from_outputs`."""
        r = self._check_f(f) - self.y
        return 0.5 * np.mean(r * r, axis=-1)

    def dloss_doutputs(self, f: Any) -> np.ndarray:
        """``(f − y)/n``; see :meth:`Problem.dloss_doutputs`."""
        return (self._check_f(f) - self.y) / self.n

    def _d2loss_doutputs(self, f: np.ndarray) -> np.ndarray:
        return np.full(f.shape, 1.0 / self.n)

    def _grad(self, w: np.ndarray) -> np.ndarray:
        return w @ self.Sigma - self.b

    def _hessian(self, w: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.Sigma, w.shape[:-1] + (self.d, self.d)).copy()


class Logistic(Problem):
    """Logistic loss ``L(w) = mean_j log(1 + exp(−y_j wᵀx_j))`` with labels in ``{−1, +1}``.

    Computed stably with ``np.logaddexp``; the gradient uses a sigmoid that never overflows.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs.
    y : array_like, shape (n,)
        Labels, each exactly ``-1`` or ``+1``.
    """

    def __init__(self, X: Any, y: Any) -> None:
        super().__init__(X, y)
        if not np.all((self.y == 1.0) | (self.y == -1.0)):
            raise ValueError("y must contain only -1 and +1 for Logistic")

    @staticmethod
    def _sigmoid(z: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def loss_from_outputs(self, f: Any) -> np.ndarray:
        """``mean log(1 + e^{−y f})``; see :meth:`Problem.loss_from_outputs`."""
        return np.mean(np.logaddexp(0.0, -self.y * self._check_f(f)), axis=-1)

    def dloss_doutputs(self, f: Any) -> np.ndarray:
        """``−y σ(−y f)/n``; see :meth:`Problem.dloss_doutputs`."""
        return -self.y * self._sigmoid(-self.y * self._check_f(f)) / self.n

    def _d2loss_doutputs(self, f: np.ndarray) -> np.ndarray:
        z = self.y * f
        return self._sigmoid(z) * self._sigmoid(-z) / self.n


class LpRegression(Problem):
    """``ℓ_p`` regression ``L(w) = mean_j |wᵀx_j − y_j|^p / p`` (MATH.md §9).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs.
    y : array_like, shape (n,)
        Targets.
    p : float, optional
        Exponent, ``p >= 2`` so the loss is twice differentiable (``p = 4`` is the case of
        Arora et al.; ``p = 2`` equals :class:`Regression`).
    """

    def __init__(self, X: Any, y: Any, p: float = 4.0) -> None:
        super().__init__(X, y)
        try:
            pf = float(p)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"p must be a finite number >= 2, got {p!r}") from exc
        if not np.isfinite(pf) or pf < 2.0:
            raise ValueError(f"p must be a finite number >= 2, got {p!r}")
        self.p: float = pf

    def loss_from_outputs(self, f: Any) -> np.ndarray:
        """``mean |f − y|^p / p``; see :meth:`Problem.loss_from_outputs`."""
        r = np.abs(self._check_f(f) - self.y)
        return np.mean(r**self.p, axis=-1) / self.p

    def dloss_doutputs(self, f: Any) -> np.ndarray:
        """``sign(r)|r|^{p−1}/n`` with ``r = f − y``; see :meth:`Problem.dloss_doutputs`."""
        r = self._check_f(f) - self.y
        return np.sign(r) * np.abs(r) ** (self.p - 1.0) / self.n

    def _d2loss_doutputs(self, f: np.ndarray) -> np.ndarray:
        r = np.abs(f - self.y)
        return (self.p - 1.0) * r ** (self.p - 2.0) / self.n


def whitened_regression(w_star: Any) -> Regression:
    """Whitened squared-loss problem with ``L(w) = ½‖w − w*‖²`` (MATH.md §7).

    Uses ``X = √d I`` and ``y = X w*``; ``Sigma`` and ``b`` are then set to ``I`` and ``w*``
    exactly, so gradients carry no rounding from the data.

    Parameters
    ----------
    w_star : array_like, shape (d,)
        The minimiser.

    Returns
    -------
    Regression
    """
    w_star = as_float(w_star, "w_star")
    if w_star.ndim != 1 or w_star.shape[0] < 1:
        raise ValueError(f"w_star must have shape (d,), got {w_star.shape}")
    d = w_star.shape[0]
    X = np.sqrt(d) * np.eye(d)
    prob = Regression(X, X @ w_star)
    prob.Sigma = np.eye(d)
    prob.b = w_star.copy()
    return prob


def single_example(x: Any, y: float) -> Regression:
    """Squared loss on one example, ``L(w) = ½ (wᵀx − y)²``.

    Parameters
    ----------
    x : array_like, shape (d,)
        The input.
    y : float
        The target.

    Returns
    -------
    Regression
    """
    x = as_float(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x must have shape (d,), got {x.shape}")
    yv = as_float(y, "y")
    if yv.ndim != 0:
        raise ValueError(f"y must be a scalar, got shape {yv.shape}")
    return Regression(x[None, :], yv[None])
