"""i2dl_helpers: the math, plots and explorers behind the I2DL optimisation notebooks.

Layers (each imports only those before it):
    core math (numpy only): objectives, optim, numdiff, graph, nn, ...
    plotting (matplotlib):  static figures
    widgets (ipywidgets):   interactive explorers, imported on demand
"""
from . import graph, nn, numdiff, objectives, optim
from .graph import Value, grad
from .nn import TwoLayerNet, gradient_check
from .numdiff import numerical_grad, numerical_hessian
from .objectives import Objective
from .optim import GD, Trajectory, run

__version__ = "0.1.0"

__all__ = ["GD", "Objective", "Trajectory", "TwoLayerNet", "Value", "grad", "gradient_check", "graph", "nn",
           "numdiff", "numerical_grad", "numerical_hessian", "objectives", "optim", "run"]
