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

__all__ = ["Schedule", "Constant", "InverseTime", "StepDecay", "ExponentialDecay", "LinearWarmup",
           "CosineAnnealing", "Sequential", "warmup_cosine"]


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


# --- modern practice: warmup and cosine annealing, with torch.optim.lr_scheduler's meaning --------
class LinearWarmup(Schedule):
    """Linear warmup, as ``torch.optim.lr_scheduler.LinearLR(start_factor, end_factor=1, total_iters)``:

        factor(t) = s + (1 − s) · min(t, T) / T        (s = start_factor, T = total_iters)

    The learning rate climbs from s·α to α over the first T steps and then stays at α.
    Large batches and Adam's first steps (whose v̂ is still a poor estimate) like a gentle start.

    start_factor : s in (0, 1];  total_iters : T >= 1 steps.
    """

    def __init__(self, start_factor: float = 1.0 / 3, total_iters: int = 5):
        self.start_factor = check_real("start_factor", start_factor, low=0, high=1, low_open=True)
        self.total_iters = check_int("total_iters", total_iters, low=1)
        self.formula = f"α_t = α ({self.start_factor:.3g} + (1 − {self.start_factor:.3g}) min(t, {self.total_iters})/{self.total_iters})"

    def _factor(self, t):
        s = self.start_factor
        return s + (1.0 - s) * np.minimum(t, self.total_iters) / self.total_iters

    sum_diverges = True
    sum_of_squares_converges = False


class CosineAnnealing(Schedule):
    """Cosine annealing, as ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max, eta_min)``:

        α_t = η_min + (α − η_min) (1 + cos(π t / T_max)) / 2

    from α at t = 0 down to η_min at t = T_max (torch's closed form, which rises again after
    T_max: run exactly T_max steps). η_min is an absolute learning rate, as in torch; the factor
    α_t / α therefore needs the base α: pass ``base_lr`` or call ``bind(α)`` (``train`` does).
    With η_min = 0 (the default) no base is needed: factor(t) = (1 + cos(π t / T_max)) / 2.

    T_max : the number of steps of the half cosine, >= 1;  eta_min : η_min >= 0;
    base_lr : the optimiser's α (only needed when η_min > 0).
    """

    def __init__(self, T_max: int, eta_min: float = 0.0, base_lr: float | None = None):
        self.T_max = check_int("T_max", T_max, low=1)
        self.eta_min = check_real("eta_min", eta_min, low=0)
        self.base_lr = None if base_lr is None else check_real("base_lr", base_lr, low=0, low_open=True)
        self.formula = (f"α_t = α (1 + cos(π t/{self.T_max}))/2" if self.eta_min == 0 else
                        f"α_t = {self.eta_min:g} + (α − {self.eta_min:g})(1 + cos(π t/{self.T_max}))/2")

    def bind(self, base_lr: float) -> "CosineAnnealing":
        """The same schedule for an optimiser whose learning rate is ``base_lr`` (a new object)."""
        return CosineAnnealing(self.T_max, self.eta_min, base_lr)

    def _factor(self, t):
        cos = (1.0 + np.cos(np.pi * t / self.T_max)) / 2
        if self.eta_min == 0:
            return cos
        if self.base_lr is None:
            raise ValueError("CosineAnnealing with eta_min > 0 needs the optimiser's learning rate: "
                             "pass base_lr=... or use schedule.bind(lr) (train() does this for you)")
        # torch: η_min + (α − η_min)(1 + cos)/2, divided by α (run multiplies by α again)
        return (self.eta_min + (self.base_lr - self.eta_min) * cos) / self.base_lr

    @property
    def sum_diverges(self) -> bool:  # periodic beyond T_max in torch's closed form
        return True

    sum_of_squares_converges = False


class Sequential(Schedule):
    """Schedules one after another, as ``torch.optim.lr_scheduler.SequentialLR(schedulers, milestones)``:

        factor(t) = schedules[i](t − m_i)   for m_i <= t < m_{i+1}   (m_0 = 0, milestones = [m_1, …])

    Each schedule restarts its own clock at its milestone. Warmup then cosine over ``steps`` steps:
    ``Sequential([LinearWarmup(0.1, w), CosineAnnealing(steps − w)], milestones=[w])``.

    schedules  : a list of Schedule objects (k >= 1);  milestones : k − 1 increasing step indices >= 1.
    """

    def __init__(self, schedules, milestones):
        schedules = list(schedules)
        if not schedules or not all(isinstance(s, Schedule) for s in schedules):
            raise TypeError(f"schedules must be a non-empty list of Schedule objects, got {schedules!r}")
        milestones = [check_int(f"milestones[{i}]", m, low=1) for i, m in enumerate(milestones)]
        if len(milestones) != len(schedules) - 1:
            raise ValueError(f"milestones must hold len(schedules) − 1 = {len(schedules) - 1} step indices, "
                             f"got {len(milestones)}")
        if any(b <= a for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"milestones must increase, got {milestones}")
        self.schedules, self.milestones = schedules, milestones
        self.formula = " then ".join(getattr(s, "formula", "") or type(s).__name__ for s in schedules)

    def bind(self, base_lr: float) -> "Sequential":
        """The same composition with every part bound to the base learning rate (see CosineAnnealing)."""
        return Sequential([s.bind(base_lr) if hasattr(s, "bind") else s for s in self.schedules], self.milestones)

    def _factor(self, t):
        starts = np.array([0] + self.milestones, dtype=float)
        idx = np.searchsorted(np.array(self.milestones, dtype=float), t, side="right")  # bisect_right
        out = np.empty_like(t, dtype=float)
        for i, sched in enumerate(self.schedules):
            here = idx == i
            if np.any(here):
                out[here] = sched._factor(t[here] - starts[i])
        return out

    @property
    def sum_diverges(self) -> bool:
        return self.schedules[-1].sum_diverges

    @property
    def sum_of_squares_converges(self) -> bool:
        return self.schedules[-1].sum_of_squares_converges


def warmup_cosine(steps: int, warmup: int, start_factor: float = 0.1, eta_min: float = 0.0) -> Sequential:
    """Linear warmup over ``warmup`` steps, then cosine annealing to ``eta_min`` at step ``steps``."""
    steps = check_int("steps", steps, low=2)
    warmup = check_int("warmup", warmup, low=1, high=steps - 1)
    return Sequential([LinearWarmup(start_factor, warmup), CosineAnnealing(steps - warmup, eta_min)], [warmup])
