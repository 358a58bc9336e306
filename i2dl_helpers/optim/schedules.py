"""Learning-rate schedules: callables t -> factor, so step t uses α_t = α · factor(t).

Pass one to ``run(..., schedule=...)``; every optimiser accepts it. Each schedule
says whether it meets the Robbins–Monro conditions under which SGD converges to
the minimiser of a convex objective (instead of wandering in a "noise ball"):

    Σ_t α_t = ∞   (the steps can travel any distance)
    Σ_t α_t² < ∞  (the gradient noise they add up stays finite)
"""
from __future__ import annotations

import numpy as np

from .._validate import check_int, check_real

__all__ = ["Schedule", "Constant", "InverseTime", "StepDecay", "ExponentialDecay"]


class Schedule:
    """Base class: ``factor = schedule(t)`` for an int t >= 0 or an array of them."""

    formula = ""

    def __call__(self, t):
        t = np.asarray(t)
        if t.dtype.kind not in "iuf" or np.any(t < 0):
            raise ValueError(f"t must be a step index >= 0, got {t!r}")
        out = self._factor(t.astype(float))
        return float(out) if out.ndim == 0 else out

    def _factor(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @property
    def sum_diverges(self) -> bool:
        """Σ_t α_t = ∞ ?"""
        raise NotImplementedError

    @property
    def sum_of_squares_converges(self) -> bool:
        """Σ_t α_t² < ∞ ?"""
        raise NotImplementedError

    @property
    def robbins_monro(self) -> bool:
        """Both conditions: Σ α_t = ∞ and Σ α_t² < ∞."""
        return self.sum_diverges and self.sum_of_squares_converges

    def partial_sums(self, steps: int) -> tuple[float, float]:
        """(Σ_{t<steps} factor(t), Σ_{t<steps} factor(t)²): watch one grow and the other level off."""
        steps = check_int("steps", steps, low=1)
        f = self(np.arange(steps))
        return float(np.sum(f)), float(np.sum(f * f))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """α_t = α. Σα_t = ∞ but Σα_t² = ∞ too: SGD ends in a noise ball whose size grows with α."""

    formula = "α_t = α"

    def _factor(self, t):
        return np.ones_like(t)

    sum_diverges = True
    sum_of_squares_converges = False


class InverseTime(Schedule):
    """α_t = α / (1 + k t)^p.

    k > 0 : decay rate (k = 0 is a constant step).
    p     : power in (0, 1]; Robbins–Monro holds exactly when k > 0 and 1/2 < p <= 1
            (Σ 1/t^p diverges for p <= 1, Σ 1/t^{2p} converges for p > 1/2).
    """

    def __init__(self, k: float = 0.1, power: float = 1.0):
        self.k = check_real("k", k, low=0)
        self.power = check_real("power", power, low=0, high=1, low_open=True)
        self.formula = "α_t = α / (1 + k t)" if self.power == 1 else f"α_t = α / (1 + k t)^{self.power:g}"

    def _factor(self, t):
        return (1.0 + self.k * t) ** -self.power

    @property
    def sum_diverges(self) -> bool:
        return True

    @property
    def sum_of_squares_converges(self) -> bool:
        return self.k > 0 and self.power > 0.5


class _GeometricDecay(Schedule):
    """Shared by the decays whose factor is a power of γ in (0, 1]: γ < 1 makes
    Σα_t finite (and Σα_t² too); γ = 1 is a constant step."""

    @property
    def sum_diverges(self) -> bool:
        return self.gamma == 1.0

    @property
    def sum_of_squares_converges(self) -> bool:
        return self.gamma < 1.0


class StepDecay(_GeometricDecay):
    """α_t = α · γ^⌊t / every⌋: multiply by γ every ``every`` steps.

    every : an integer >= 1; gamma : in (0, 1]. For γ < 1 the steps shrink
    geometrically, so Σα_t = α · every / (1 − γ) < ∞: SGD may stop short of the
    minimum (not Robbins–Monro). γ = 1 is a constant step.
    """

    formula = "α_t = α γ^⌊t/every⌋"

    def __init__(self, every: int = 100, gamma: float = 0.5):
        self.every = check_int("every", every, low=1)
        self.gamma = check_real("gamma", gamma, low=0, high=1, low_open=True)

    def _factor(self, t):
        return self.gamma ** np.floor(t / self.every)


class ExponentialDecay(_GeometricDecay):
    """α_t = α · γ^t with γ in (0, 1].

    For γ < 1, Σα_t = α / (1 − γ) < ∞: the total distance is bounded, so a start
    far from the minimum may never reach it (not Robbins–Monro). γ = 1 is constant.
    """

    formula = "α_t = α γ^t"

    def __init__(self, gamma: float = 0.99):
        self.gamma = check_real("gamma", gamma, low=0, high=1, low_open=True)

    def _factor(self, t):
        return self.gamma ** t
