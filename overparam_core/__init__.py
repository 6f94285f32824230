"""overparam_core: pure-NumPy engine for the two-layer over-parameterization explorer.

Every formula follows ``MATH.md``. Arrays are float64 with leading batch axes ``...`` that
broadcast. This package imports NumPy only.
"""

from .model import canonical, linear_grads, param_grad_norm, preconditioner, relu_grads, relu_outputs
from .optimizers import (
    MODELS,
    OPTIMIZERS,
    canonical_step,
    flow_step,
    gd_step,
    natural_step,
    path_sgd_step,
    step,
)
from .problems import LpRegression, Logistic, Problem, Regression, single_example, whitened_regression
from .simulate import DIVERGENCE_BOUND, Trajectory, simulate
from .symmetry import balanced_factorization, conserved, permute, random_fiber, rescale
from .theory import (
    balanced_flow,
    gd_drift,
    one_step_exact,
    one_step_first_order,
    plateau_time,
    saxe_sigmoid,
    stable_lr,
)

__all__ = [
    "DIVERGENCE_BOUND",
    "LpRegression",
    "Logistic",
    "MODELS",
    "OPTIMIZERS",
    "Problem",
    "Regression",
    "Trajectory",
    "balanced_factorization",
    "balanced_flow",
    "canonical",
    "canonical_step",
    "conserved",
    "flow_step",
    "gd_drift",
    "gd_step",
    "linear_grads",
    "natural_step",
    "one_step_exact",
    "one_step_first_order",
    "param_grad_norm",
    "path_sgd_step",
    "permute",
    "plateau_time",
    "preconditioner",
    "random_fiber",
    "relu_grads",
    "relu_outputs",
    "rescale",
    "saxe_sigmoid",
    "simulate",
    "single_example",
    "stable_lr",
    "step",
    "whitened_regression",
]
