"""Optimisers, schedules and the loop that runs them (``run``).

    base.py          the Optimizer protocol, GD, Trajectory and run() (the one loop)
    first_order.py   SGD (momentum, Nesterov, weight decay), AdaGrad, RMSProp, Adam, AdamW
    second_order.py  Newton, Gauss–Newton, Levenberg, Levenberg–Marquardt, L-BFGS
    schedules.py     t -> factor multiplying the learning rate (decays, warmup, cosine)
    theory.py        closed forms on quadratics (regimes, momentum's best parameters)
    racing.py        optimiser races on the course's surfaces
    training.py      train(): epochs of minibatches on a real network, built on run()
"""
from . import schedules, theory
from .base import GD, MAX_ABS, Optimizer, Trajectory, run
from .first_order import SGD, Adagrad, Adam, AdamW, RMSProp, momentum_rate
from .racing import race
from .schedules import (Constant, CosineAnnealing, ExponentialDecay, InverseTime, LinearWarmup, Sequential,
                        StepDecay, warmup_cosine)
from .second_order import LBFGS, CurvatureWarning, GaussNewton, Levenberg, LevenbergMarquardt, Newton
from .training import History, lr_range_test, train

__all__ = ["GD", "MAX_ABS", "Optimizer", "Trajectory", "run", "schedules", "theory",
           "SGD", "Adagrad", "Adam", "AdamW", "RMSProp", "momentum_rate", "race",
           "Constant", "CosineAnnealing", "ExponentialDecay", "InverseTime", "LinearWarmup", "Sequential",
           "StepDecay", "warmup_cosine",
           "LBFGS", "CurvatureWarning", "GaussNewton", "Levenberg", "LevenbergMarquardt", "Newton",
           "History", "lr_range_test", "train"]
