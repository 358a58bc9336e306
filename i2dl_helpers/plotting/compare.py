"""Figures that compare optimisers: paths and losses side by side, and momentum's stability diagram."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ..style import PALETTE
from .views2d import contour_background

__all__ = ["paths_and_losses", "stability_plot"]

_COLOURS = [PALETTE[c] for c in ("black", "blue", "green", "vermillion", "orange", "purple", "sky")]


def paths_and_losses(objective, runs: dict, *, optimum: float | None = None, figsize=(11.0, 4.2)):
    """Left: contours of a 2D objective with every run's path; right: L(θ_k) − L* per step (log axis).

    runs    : name -> Trajectory (or a RaceResult, whose trajectory is used).
    optimum : L*; by default the lowest value at ``objective.minima`` (else the lowest value seen).
    Returns the Figure.
    """
    trajs = {name: getattr(r, "trajectory", r) for name, r in runs.items()}
    if optimum is None:
        if len(objective.minima):
            optimum = float(np.min(objective(objective.minima)))
        else:
            optimum = min(float(np.nanmin(t.values)) for t in trajs.values())
    fig = plt.figure(figsize=figsize, layout="constrained")
    ax, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1])
    contour_background(ax, objective, levels=22, line_colour="0.5")
    box = objective.domain
    for (name, traj), col in zip(trajs.items(), _COLOURS * 3):
        pts = np.clip(traj.points, box[:, 0] - (box[:, 1] - box[:, 0]), box[:, 1] + (box[:, 1] - box[:, 0]))
        ax.plot(pts[:, 0], pts[:, 1], "-o", ms=2.5, lw=1.3, color=col, label=name, zorder=4)
        gap = np.maximum(np.asarray(traj.values, dtype=float) - optimum, 1e-16)
        ax_loss.plot(np.arange(len(gap)), gap, "-", lw=1.5, color=col, label=name)
    first = next(iter(trajs.values()))
    ax.plot(*first.points[0], "o", color="w", mec="k", ms=8, zorder=7)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.legend(loc="best", fontsize="small")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step k")
    ax_loss.set_ylabel("L(θ_k) − L*")
    return fig


def stability_plot(q, betas, converged, *, rates=None, ax=None, steps: int = 300):
    """Momentum's stability diagram: which (q = αλ, β) converged in an experiment.

    q (m,), betas (b,), converged (b, m) booleans (e.g. from ``momentum_converges``
    with ``steps`` steps). Every cell is one run at the cell's centre: blue where
    |θ| shrank, orange where it did not; the legend says so. Along the edge the
    cells form a staircase because a cell is coloured by its centre's run while
    the edge crosses it. Draws the heavy-ball edge q = 2 + 2β and the critical-damping
    curve β = (1 − √q)²; with ``rates`` (b, m) also the contour ρ = 1 of the
    predicted spectral radius. Returns the Axes.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if ax is None:
        ax = plt.figure(figsize=(6.4, 4.2), layout="constrained").add_subplot()
    q, betas = np.asarray(q, dtype=float), np.asarray(betas, dtype=float)
    shrank, grew = PALETTE["sky"], "#f5c28a"
    ax.pcolormesh(q, betas, np.asarray(converged, dtype=float), cmap=ListedColormap([grew, shrank]),
                  vmin=0, vmax=1, shading="nearest", edgecolors="face")
    ax.plot(2 + 2 * betas, betas, "--", color=PALETTE["black"], lw=1.5)
    qq = np.linspace(0, 4, 200)
    ax.plot(qq, (1 - np.sqrt(qq)) ** 2, ":", color=PALETTE["purple"], lw=2)
    handles = [Patch(fc=shrank, label=f"|θ| shrank in {steps} steps (one run per cell)"),
               Patch(fc=grew, label=f"|θ| did not shrink in {steps} steps"),
               Line2D([], [], ls="--", color=PALETTE["black"], lw=1.5, label="edge q = 2 + 2β (theory)"),
               Line2D([], [], ls=":", color=PALETTE["purple"], lw=2, label="critical damping β = (1 − √q)²")]
    if rates is not None:
        ax.contour(q, betas, rates, levels=[1.0], colors=[PALETTE["vermillion"]], linewidths=1)
        handles.append(Line2D([], [], color=PALETTE["vermillion"], lw=1, label="predicted ρ = 1"))
    ax.set_xlim(q.min(), q.max())
    ax.set_ylim(betas.min(), betas.max())
    ax.set_xlabel("q = αλ")
    ax.set_ylabel("β")
    ax.set_title("momentum on a 1D quadratic: which (q, β) converge")
    ax.legend(handles=handles, loc="upper left", fontsize="x-small", framealpha=0.95)
    return ax
