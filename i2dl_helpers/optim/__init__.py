"""Optimisers, schedules and the loop that runs them (``run``).

Names are imported lazily from their modules (see ``_EXPORTS``).
"""
from .._lazy import lazy_exports
from .base import GD, MAX_ABS, Optimizer, Trajectory, run
from . import schedules  # noqa: E402  (optim.schedules.LinearWarmup etc.; numpy only, cheap)

_EXPORTS = {
    # first_order.py: torch.optim-compatible update rules
    "SGD": "first_order", "Adagrad": "first_order", "RMSProp": "first_order", "Adam": "first_order",
    # second_order.py
    "Newton": "second_order", "GaussNewton": "second_order", "LevenbergMarquardt": "second_order",
    "LBFGS": "second_order",
    "Levenberg": "second_order", "CurvatureWarning": "second_order", "momentum_rate": "first_order", "race": "racing",
    # schedules.py: t -> factor multiplying the learning rate
    "Constant": "schedules", "InverseTime": "schedules", "StepDecay": "schedules",
    "ExponentialDecay": "schedules",
    # issue 13: decoupled weight decay, warmup + cosine (torch's LinearLR / CosineAnnealingLR / SequentialLR), train()
    "AdamW": "first_order", "LinearWarmup": "schedules", "CosineAnnealing": "schedules", "Sequential": "schedules",
    "warmup_cosine": "schedules", "train": "training", "History": "training", "lr_range_test": "training",
}
__all__ = ["GD", "MAX_ABS", "Optimizer", "Trajectory", "run", *_EXPORTS]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
