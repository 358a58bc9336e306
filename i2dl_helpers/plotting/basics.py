"""Static 1D figures for the first notebooks: difference quotients and learning-rate regimes."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..numdiff import difference_quotient
from ..optim import GD, run
from ..style import PALETTE, context

__all__ = ["difference_error_plot", "regimes_plot"]


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


def regimes_plot(objective, lrs: Sequence[float], x0: float, steps: int = 20, titles=None):
    """One panel per learning rate: the curve and the GD iterates on it.

    Returns (Figure, list of Trajectory).
    """
    lo, hi = objective.domain[0]
    xs = np.linspace(lo, hi, 400)
    trajs = [run(objective, GD(lr), x0, steps=steps) for lr in lrs]
    with context():
        fig = Figure(figsize=(3.6 * len(lrs), 3.3), layout="constrained")
        axes = fig.subplots(1, len(lrs), sharey=True)
        for i, (ax, lr, traj) in enumerate(zip(np.atleast_1d(axes), lrs, trajs)):
            ax.plot(xs, objective(xs), color=PALETTE["black"], lw=1.5)
            ax.plot(traj.points[:, 0], traj.values, "-o", color=PALETTE["vermillion"], ms=4, lw=1)
            ax.plot(traj.points[:1, 0], traj.values[:1], "o", color=PALETTE["blue"], ms=8)
            ax.set_xlim(lo, hi)
            ax.set_ylim(objective(xs).min() - 0.3, objective(xs).max() * 1.05)
            ax.set_title((titles[i] + "\n" if titles else "") + f"α = {lr:g}: {traj.message}", fontsize="small")
            ax.set_xlabel("x")
        np.atleast_1d(axes)[0].set_ylabel("L(x)")
    return fig, trajs
