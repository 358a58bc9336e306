"""Objectives: the functions gradient descent minimises (value, gradient, Hessian).

Names are imported lazily from their modules (see ``_EXPORTS``); modules that
add objectives to the catalogue with ``register`` are listed in ``_PLUGINS``.
"""
import importlib

from .._lazy import lazy_exports
from .base import Objective
from .catalogue import describe, get, names, quadratic_form, register

_EXPORTS = {
    "LeastSquares": "data",
    "LeastSquaresProblem": "curvefit", "exponential_decay": "curvefit", "linear_fit": "curvefit",
    "NetLoss": "data",
}
# Modules that register more named objectives (imported now so names() lists them).
_PLUGINS = ["surfaces"]
for _module in _PLUGINS:
    try:
        importlib.import_module(f"{__name__}.{_module}")
    except ModuleNotFoundError as _err:
        if _err.name != f"{__name__}.{_module}":
            raise
__all__ = ["Objective", "describe", "get", "names", "quadratic_form", "register", *_EXPORTS]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
