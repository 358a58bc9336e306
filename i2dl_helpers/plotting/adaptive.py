"""What adaptive optimisers keep per parameter, drawn as glyphs along their paths.

AdaGrad, RMSProp and Adam divide each coordinate's step by the root of an
accumulated squared gradient, so each coordinate θ_i has its own learning rate
η_i = α / (√s_i + ε). ``adaptive_glyphs`` draws each optimiser's path on the
contours and, below it, η_1 and η_2 against the step: the coordinate with the
large gradients (the steep one) gets the small learning rate.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..optim import run
from ..optim.first_order import Recorder
from .style import PALETTE, legend_size, plain_log_ticks
from .views2d import contour_background

__all__ = ["adaptive_glyphs", "per_parameter_rates"]

_COLOURS = [PALETTE[c] for c in ("green", "orange", "vermillion", "purple", "blue")]


def per_parameter_rates(objective, optimizer, x0, steps: int = 60):
    """Run ``optimizer`` (Adagrad, RMSProp or Adam) from ``x0`` (2,) and return
    (trajectory, rates) with rates[k] = (η_1, η_2) used in step k, shape (T, 2)."""
    if not hasattr(optimizer, "step_sizes"):
        raise TypeError(f"optimizer must keep per-parameter step sizes (Adagrad, RMSProp, Adam), "
                        f"got {type(optimizer).__name__}")
    rec = Recorder(optimizer)
    traj = run(objective, rec, x0, steps=steps)
    rates = np.array([optimizer.step_sizes(s, lr, t)[0] for t, (s, lr) in enumerate(zip(rec.states, rec.lrs))])
    return traj, rates.reshape(-1, 2), rec


def adaptive_glyphs(objective, optimizers, x0, steps: int = 60, every: int = 4):
    """Each adaptive optimiser's path (top) and its per-parameter learning rates (bottom).

    optimizers : a dict name -> optimiser (Adagrad, RMSProp, Adam) or a list of them.
    every      : mark every ``every``-th iterate on the path (the steps are counted on the
                 lower panels' axis).
    Top row, one panel per optimiser: the contours of L (2D) and the path θ_0, θ_1, ...
    Bottom row: the learning rate η_i = α / (√s_i + ε) that multiplies coordinate i's
    gradient (for Adam, m̂_i) in step k, for both coordinates, on a log axis.
    Returns the (2, n) array of Axes.
    """
    if not isinstance(optimizers, dict):
        optimizers = {o.name: o for o in optimizers}
    n = len(optimizers)
    fig = plt.figure(figsize=(min(3.0 * n, 9.0), 6.2), layout="constrained")
    axes = fig.subplots(2, n, squeeze=False, height_ratios=[1.15, 1])
    box = objective.domain
    start = np.asarray(x0, dtype=float)
    for j, ((name, opt), col) in enumerate(zip(optimizers.items(), _COLOURS * 2)):
        traj, rates, _ = per_parameter_rates(objective, opt, x0, steps)
        pts = traj.points
        ax = axes[0, j]
        contour_background(ax, objective, levels=14, minima=True, line_colour="0.6")
        ax.plot(pts[:, 0], pts[:, 1], "-", color=col, lw=1.6, zorder=3)
        ax.plot(pts[::every, 0], pts[::every, 1], "o", color=col, mec="k", mew=0.4, ms=4, zorder=4,
                label=f"θ_k, every {every}th step")
        ax.plot(*start, "o", color="w", mec="k", ms=8, zorder=6)
        ax.set_xlim(*box[0])
        ax.set_ylim(*box[1])
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_title(name)
        ax.set_xlabel("θ₁ (flat direction)")
        ax.set_ylabel("θ₂ (steep direction)" if j == 0 else "")
        if j == 0:
            ax.legend(loc="lower left", fontsize=legend_size())
        low = axes[1, j]
        k = np.arange(1, len(rates) + 1)
        low.semilogy(k, rates[:, 0], "-", color=PALETTE["blue"], lw=2, label="η₁ (flat θ₁)")
        low.semilogy(k, rates[:, 1], "--", color=PALETTE["vermillion"], lw=2, label="η₂ (steep θ₂)")
        plain_log_ticks(low)
        low.set_xlabel("step k")
        low.set_ylabel("learning rate per parameter" if j == 0 else "")
        low.legend(loc="best", fontsize=legend_size())
    return axes
