"""Static figures for training on data: loss and fit, gradient noise, schedules, the race.

Every function takes data and an optional ``ax`` (a new pyplot figure without one)
and returns the Axes it drew on (``training_plot`` returns the Figure).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import PALETTE, legend_size, plain_log_ticks

__all__ = ["training_plot", "gradient_cloud", "variance_plot", "schedule_plot", "race_plot", "cost_plot"]


def _axes(ax, figsize=(5.0, 3.4)):
    return ax if ax is not None else plt.figure(figsize=figsize, layout="constrained").add_subplot()


def training_plot(losses, predict, X, y, *, figsize=(10.0, 3.4)):
    """Left: the loss per step (log axis). Right: the data (X (n, 1), y (n, 1)) and the fitted
    curve ``predict(xs)`` for xs of shape (m, 1) spanning the data."""
    fig, (ax_l, ax_f) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    losses = np.asarray(losses, dtype=float)
    ax_l.semilogy(np.arange(len(losses)), losses, color=PALETTE["vermillion"])
    plain_log_ticks(ax_l)
    ax_l.set_xlabel("step k")
    ax_l.set_ylabel("L(θ_k)")
    ax_l.set_title("training loss")
    x = np.asarray(X, dtype=float)[:, 0]
    xs = np.linspace(x.min(), x.max(), 300)[:, None]
    ax_f.plot(x, np.asarray(y)[:, 0], "o", color=PALETTE["blue"], ms=4, label="data")
    ax_f.plot(xs[:, 0], np.asarray(predict(xs))[:, 0], color=PALETTE["vermillion"], lw=2, label="network")
    ax_f.set_xlabel("x")
    ax_f.set_ylabel("y")
    ax_f.legend(fontsize=legend_size())
    ax_f.set_title("fitted function")
    return fig


def gradient_cloud(per_sample, full, *, ax=None, max_points: int = 2000):
    """Per-sample gradients ∇L_i (n, 2) as a cloud, their mean and the full gradient ∇L (2,)."""
    ax = _axes(ax, (4.6, 4.0))
    g = np.asarray(per_sample, dtype=float)[:max_points]
    ax.scatter(g[:, 0], g[:, 1], s=6, alpha=0.35, color=PALETTE["sky"], label="∇L_i, one per sample")
    mean = np.asarray(per_sample, dtype=float).mean(axis=0)
    ax.plot(*mean, "o", color=PALETTE["orange"], ms=12, mec="k", label="mean of the ∇L_i")
    ax.plot(*np.asarray(full), "x", color=PALETTE["vermillion"], ms=12, mew=3, label="full gradient ∇L")
    ax.set_xlabel("∂L/∂w₁")
    ax.set_ylabel("∂L/∂w₂")
    ax.legend(fontsize=legend_size())
    return ax


def variance_plot(batch_sizes, measured, predicted=None, *, ax=None):
    """E‖∇L_B − ∇L‖² against the batch size B on log–log axes (a slope of −1 is 1/B)."""
    ax = _axes(ax)
    B = np.asarray(batch_sizes, dtype=float)
    ax.loglog(B, measured, "o", color=PALETTE["vermillion"], ms=7, label="measured")
    if predicted is not None:
        ax.loglog(B, predicted, "-", color=PALETTE["black"], lw=1.2, label="σ²/B · (n − B)/(n − 1)")
    plain_log_ticks(ax, "both")
    ax.set_xlabel("batch size B")
    ax.set_ylabel("E‖∇L_B − ∇L‖²")
    ax.legend(fontsize=legend_size())
    return ax


def schedule_plot(schedules: dict, steps: int = 1000, *, ax=None):
    """The factor α_t / α of each schedule ({label: schedule}) over t = 0 ... steps − 1."""
    ax = _axes(ax)
    t = np.arange(steps)
    for label, sched in schedules.items():
        ax.plot(t, sched(t), label=label)
    ax.set_yscale("log")
    plain_log_ticks(ax)
    ax.set_xlabel("step t")
    ax.set_ylabel("α_t / α")
    ax.legend(fontsize=legend_size())
    return ax


def race_plot(curves: dict, target: float | None = None, *, ax=None, xlabel: str = "wall-clock time (s)",
              xscale: str = "linear", steps: bool = False, target_label: str = "target: 1% of L(w₀) − L*"):
    """L(w) − L* against a cost axis, one curve per run ({label: (cost, gaps)}).

    cost is wall-clock seconds by default; pass e.g. the work done (per-sample gradients
    computed) with ``xlabel``. ``steps=True`` draws each value as held until the next point
    (a run's loss changes only when a step ends). On ``xscale="log"`` a cost of 0 cannot be
    drawn: it is placed at the smallest positive cost of all curves (the left edge).
    """
    ax = _axes(ax, (6.0, 3.6))
    colours = [PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"], PALETTE["orange"]]
    data = [(label, np.asarray(c, dtype=float), np.maximum(np.asarray(g, dtype=float), 1e-16))
            for label, (c, g) in curves.items()]
    if xscale == "log":
        positive = [c[c > 0].min() for _, c, _ in data if np.any(c > 0)]
        edge = min(positive) if positive else 1.0
        data = [(label, np.where(c > 0, c, edge), g) for label, c, g in data]
    for (label, cost, gap), colour in zip(data, colours):
        ax.plot(cost, gap, "-", color=colour, lw=1.5, label=label, drawstyle="steps-post" if steps else "default")
    if target is not None:
        ax.axhline(target, color="0.3", ls="--", lw=1, label=target_label)
    ax.set_xscale(xscale)
    ax.set_yscale("log")
    plain_log_ticks(ax, "both")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("L(w) − L*")
    ax.legend(fontsize=legend_size())
    return ax


def cost_plot(ns, seconds, *, ax=None, proportional: bool = True):
    """Seconds per full-batch gradient against the number of samples n (log–log).

    proportional : also draw the line ∝ n through the largest n (the work grows as n:
                   the gradient 2/n Xᵀ(Xw − y) takes 4·n·d floating-point operations).
    """
    ax = _axes(ax)
    ns, seconds = np.asarray(ns, dtype=float), np.asarray(seconds, dtype=float)
    ax.loglog(ns, seconds, "o-", color=PALETTE["vermillion"], label="measured (median of repeats)")
    if proportional:
        ax.loglog(ns, seconds[-1] * ns / ns[-1], "--", color="0.4", lw=1, label="∝ n (through the largest n)")
        ax.legend(fontsize=legend_size())
    plain_log_ticks(ax, "both")
    ax.set_xlabel("number of samples n")
    ax.set_ylabel("seconds per full-batch gradient")
    return ax
