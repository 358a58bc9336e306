"""Static figures for the first notebooks: difference quotients, learning-rate regimes, a convexity gallery."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..convexity import hessian_map
from ..numdiff import difference_quotient
from ..optim import GD, run
from .style import PALETTE, context, hatch_nonconvex

__all__ = ["convexity_gallery", "difference_error_plot", "regimes_plot"]


def difference_error_plot(f: Callable, df: Callable, x: float, hs=None, ax=None):
    """|difference quotient − f'(x)| against h on log–log axes, forward and central.

    The forward error falls like h (truncation) and the central one like h², until
    round-off, which grows like ε/h, takes over: the V shape of the plot.
    Returns the Axes.
    """
    hs = np.logspace(-16, 0, 161) if hs is None else np.asarray(hs, dtype=float)
    exact = df(x)
    with context(), np.errstate(all="ignore"):
        if ax is None:
            ax = Figure(figsize=(6.5, 4), layout="constrained").subplots()
        for kind, colour in (("forward", PALETTE["blue"]), ("central", PALETTE["vermillion"])):
            err = np.abs(difference_quotient(f, x, hs, kind=kind) - exact)
            ax.loglog(hs, np.where(err > 0, err, np.nan), color=colour, label=f"{kind} difference")
        eps = np.finfo(float).eps
        ax.loglog(hs, hs, ":", color="grey", lw=1, label="∝ h (truncation, forward)")
        ax.loglog(hs, hs**2, "--", color="grey", lw=1, label="∝ h² (truncation, central)")
        ax.loglog(hs, eps / hs, "-.", color="grey", lw=1, label="∝ ε/h (round-off)")
        ax.set_ylim(1e-17, 10)
        ax.set_xlabel("step h")
        ax.set_ylabel("|error|")
        ax.set_title(f"error of the difference quotient at x = {x:g}")
        ax.legend(fontsize="small", loc="lower left")
    return ax


def _short_outcome(traj) -> str:
    """'converged in k steps', 'diverged at step k' or 'k steps, x = …': one short line for a title."""
    k = len(traj.points) - 1
    if traj.status == "converged":
        return f"converged in {k} steps"
    if traj.status == "diverged":
        return f"diverged at step {k}"
    return f"{k} steps, last x = {traj.points[-1, 0]:.3g}"


def regimes_plot(objective, lrs: Sequence[float], x0: float, steps: int = 20, titles=None):
    """One panel per learning rate: the curve L(x) and the GD iterates on it.

    Each panel is titled on two short lines (``titles[i]``, then α and how the run
    ended), and the figure is at most 9 inches wide, so titles never run into
    each other. Returns (Figure, list of Trajectory).
    """
    lo, hi = objective.domain[0]
    xs = np.linspace(lo, hi, 400)
    trajs = [run(objective, GD(lr), x0, steps=steps) for lr in lrs]
    with context():
        fig = Figure(figsize=(min(3.0 * len(lrs), 9.0), 3.3), layout="constrained")
        axes = fig.subplots(1, len(lrs), sharey=True)
        for i, (ax, lr, traj) in enumerate(zip(np.atleast_1d(axes), lrs, trajs)):
            ax.plot(xs, objective(xs), color=PALETTE["black"], lw=1.5, label="L(x)")
            ax.plot(traj.points[:, 0], traj.values, "-o", color=PALETTE["vermillion"], ms=4, lw=1,
                    label="iterates")
            ax.plot(traj.points[:1, 0], traj.values[:1], "o", color=PALETTE["blue"], ms=8, label="start")
            ax.set_xlim(lo, hi)
            ax.set_ylim(objective(xs).min() - 0.3, objective(xs).max() * 1.05)
            head = f"{titles[i]}: " if titles else ""
            ax.set_title(f"{head}α = {lr:g}\n{_short_outcome(traj)}", fontsize="small")
            ax.set_xlabel("x")
        first = np.atleast_1d(axes)[0]
        first.set_ylabel("L(x)")
        first.legend(fontsize="small", loc="upper center")
    return fig, trajs


def convexity_gallery(items, *, n: int = 120, ncols: int = 4):
    """Small multiples of the second-order test: one panel per (objective, is_convex) pair.

    1D panels: the graph of L, thick blue where L''(θ) ≥ 0, shaded red where L''(θ) < 0
    (axes θ and L(θ)). 2D panels: the box coloured blue where the smallest eigenvalue
    λ_min(∇²L) ≥ 0 and red where it is negative, with contours of L (axes θ₁ and θ₂).
    Each title gives the name and the verdict; the figure is 9 inches wide and has
    one legend for the colours. Returns the Figure.
    """
    items = list(items)
    if not items:
        raise ValueError("items must contain at least one (objective, is_convex) pair")
    ncols = min(int(ncols), len(items))
    nrows = -(-len(items) // ncols)
    blue, red = "#a6c8e6", "#f4b6a6"
    with context():
        fig = Figure(figsize=(9.0, 2.35 * nrows + 0.5), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, (obj, convex) in zip(axes.ravel(), items):
            cmap = hessian_map(obj, n=n)
            with np.errstate(all="ignore"):
                if obj.dim == 1:
                    xs = cmap.grid[0]
                    ys = np.asarray(obj(xs), dtype=float)
                    ax.fill_between(xs, np.nanmin(ys), np.nanmax(ys), where=~cmap.convex, color=red, alpha=0.6,
                                    lw=0)
                    ax.plot(xs, ys, color="0.5", lw=1)
                    ax.plot(xs, np.where(cmap.convex, ys, np.nan), color=PALETTE["blue"], lw=2.5)
                    ax.set_xlabel("θ", labelpad=1)
                    ax.set_ylabel("L(θ)", labelpad=1)
                else:
                    X, Y = cmap.grid
                    ax.pcolormesh(X, Y, cmap.convex.astype(float), cmap=ListedColormap([red, blue]), vmin=0, vmax=1,
                                  shading="auto", rasterized=True)
                    hatch_nonconvex(ax, X, Y, cmap.convex)
                    Z = obj(np.stack([X, Y], -1))
                    finite = Z[np.isfinite(Z)]
                    levels = np.quantile(finite, np.linspace(0.02, 0.98, 10)) if finite.size else 10
                    ax.contour(X, Y, Z, levels=np.unique(levels), colors="0.3", linewidths=0.5)
                    ax.set_xlabel("θ₁", labelpad=1)
                    ax.set_ylabel("θ₂", labelpad=1)
                    ax.grid(False)
            ax.set_title(f"{obj.name.replace('_', ' ')}: {'convex' if convex else 'not convex'}",
                         color=PALETTE["blue"] if convex else PALETTE["vermillion"], fontsize="small")
            ax.tick_params(labelsize="small")
        for ax in axes.ravel()[len(items):]:
            ax.set_visible(False)
        fig.legend(handles=[Patch(color=blue, label="locally convex: L'' ≥ 0 (1D), λ_min(∇²L) ≥ 0 (2D)"),
                            Patch(color=red, label="not: L'' < 0, λ_min(∇²L) < 0")],
                   loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    return fig
