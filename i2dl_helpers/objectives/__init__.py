"""Objectives: the functions gradient descent minimises (value, gradient, Hessian).

``catalogue`` holds the named functions (``get("rosenbrock")``); ``surfaces``
registers more of them when imported (below); ``curvefit`` and ``empirical``
hold objectives built from data (a curve fit, a loss over a data set).
"""
from . import surfaces  # noqa: F401  (registers "ravine" and "plateau" in the catalogue)
from .base import Objective
from .catalogue import declare, describe, get, names, quadratic_form, register
from .curvefit import LeastSquaresProblem, exponential_decay, linear_fit
from .empirical import LeastSquares, NetLoss

__all__ = ["LeastSquares", "LeastSquaresProblem", "NetLoss", "Objective", "declare", "describe", "exponential_decay", "get",
           "linear_fit", "names", "quadratic_form", "register"]
