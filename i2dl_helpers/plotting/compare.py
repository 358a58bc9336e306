"""Figures that compare optimisers: paths and losses side by side, and momentum's stability diagram."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .style import PALETTE, legend_size, plain_log_ticks
from .views2d import contour_background

__all__ = ["fitted_curves", "paths_and_losses", "stability_plot"]

_COLOURS = [PALETTE[c] for c in ("black", "blue", "green", "vermillion", "orange", "purple", "sky")]


def paths_and_losses(objective, runs: dict, *, optimum: float | None = None, figsize=(9.0, 3.7)):
    """Left: contours of a 2D objective with every run's path; right: L(θ_k) − L* per step (log axis).

    runs    : name -> Trajectory (or a RaceResult, whose trajectory is used).
    optimum : L*; by default the lowest value at ``objective.minima`` (else the lowest value seen).
    The axes of the left panel are named after ``objective.parameter_names`` when it has them.
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
    names = getattr(objective, "parameter_names", None) or ("θ₁", "θ₂")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.legend(loc="best", fontsize=legend_size())
    ax_loss.set_yscale("log")
    plain_log_ticks(ax_loss)
    ax_loss.set_xlabel("step k")
    ax_loss.set_ylabel(r"$L(\theta_k) - L^*$")
    return fig


def fitted_curves(fit, runs: dict, *, ax=None, n: int = 300):
    """The data of a curve fit with the curve of every run's final parameters.

    fit  : a least-squares problem with data ``fit.t``, ``fit.y`` and ``fit.model(t, θ)``
           (e.g. ``objectives.exponential_decay()``); ``fit.minima[0]`` is drawn as the best fit.
    runs : name -> Trajectory (or RaceResult). Each curve's label gives its final θ and L.
    Returns the Axes.
    """
    if ax is None:
        ax = plt.figure(figsize=(6.4, 3.8), layout="constrained").add_subplot()
    t, y = np.asarray(fit.t, dtype=float), np.asarray(fit.y, dtype=float)
    tt = np.linspace(t.min(), t.max(), n)
    names = getattr(fit, "parameter_names", None) or [f"θ{i + 1}" for i in range(fit.dim)]
    short = [name.split()[-1] for name in names]
    ax.plot(t, y, "o", color=PALETTE["black"], ms=5, label="data", zorder=5)
    if len(fit.minima):
        ax.plot(tt, fit.model(tt, fit.minima[0]), "-", color="0.75", lw=6, label="best fit", zorder=1)
    styles = ["-", "--", "-.", ":"]
    for k, ((name, r), col) in enumerate(zip(runs.items(), _COLOURS * 3)):
        traj = getattr(r, "trajectory", r)
        theta = np.asarray(traj.final, dtype=float)
        with np.errstate(all="ignore"):
            curve = fit.model(tt, theta)
        values = ", ".join(f"{s} = {v:.3g}" for s, v in zip(short, theta))
        ax.plot(tt, curve, styles[k % 4], color=col, lw=1.8, label=f"{name}: {values}, L = {float(fit(theta)):.3g}",
                zorder=3)
    pad = 0.1 * (y.max() - y.min())
    ax.set_ylim(y.min() - pad, y.max() + pad)
    ax.set_xlabel("t")
    ax.set_ylabel("y")
    ax.set_title("the data and each method's fitted curve")
    ax.legend(loc="upper right", fontsize=legend_size())
    return ax


def stability_plot(q, betas, converged, *, rates=None, ax=None, steps: int = 300, edge: bool = True):
    """Momentum's stability diagram: which (q = αλ, β) converged in an experiment.

    q (m,), betas (b,), converged (b, m) booleans (e.g. from ``momentum_converges``
    with ``steps`` steps). Every cell is one run at the cell's centre: blue where
    |θ| shrank, orange where it did not; the legend says so. Along the edge the
    cells form a staircase because a cell is coloured by its centre's run while
    the edge crosses it. Draws the critical-damping curve β = (1 − √q)², the heavy-ball
    edge q = 2 + 2β when ``edge`` (False leaves the formula off the figure, for a page that
    asks for it), and with ``rates`` (b, m) the contour ρ = 1 of the predicted spectral
    radius. Returns the Axes.
    """
    if ax is None:
        ax = plt.figure(figsize=(6.4, 4.2), layout="constrained").add_subplot()
    q, betas = np.asarray(q, dtype=float), np.asarray(betas, dtype=float)
    shrank, grew = PALETTE["sky"], "#f5c28a"
    ax.pcolormesh(q, betas, np.asarray(converged, dtype=float), cmap=ListedColormap([grew, shrank]),
                  vmin=0, vmax=1, shading="nearest", edgecolors="face")
    if edge:
        ax.plot(2 + 2 * betas, betas, "--", color=PALETTE["black"], lw=1.5)
    qq = np.linspace(0, 4, 200)
    ax.plot(qq, (1 - np.sqrt(qq)) ** 2, ":", color=PALETTE["purple"], lw=2)
    handles = [Patch(fc=shrank, label=f"|θ| shrank in {steps} steps (one run per cell)"),
               Patch(fc=grew, label=f"|θ| did not shrink in {steps} steps"),
               Line2D([], [], ls=":", color=PALETTE["purple"], lw=2, label="critical damping β = (1 − √q)²")]
    if edge:
        handles.insert(2, Line2D([], [], ls="--", color=PALETTE["black"], lw=1.5, label="edge q = 2 + 2β (theory)"))
    if rates is not None:
        ax.contour(q, betas, rates, levels=[1.0], colors=[PALETTE["vermillion"]], linewidths=1)
        handles.append(Line2D([], [], color=PALETTE["vermillion"], lw=1, label="predicted ρ = 1"))
    ax.set_xlim(q.min(), q.max())
    ax.set_ylim(betas.min(), betas.max())
    ax.set_xlabel("q = αλ")
    ax.set_ylabel("β")
    ax.set_title("momentum on a 1D quadratic: which (q, β) converge")
    ax.legend(handles=handles, loc="upper left", fontsize=legend_size(), framealpha=0.95)
    return ax
