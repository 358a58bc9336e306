"""What adaptive optimisers keep per parameter, drawn as glyphs along their paths.

AdaGrad, RMSProp and Adam divide each coordinate's step by the root of an
accumulated squared gradient, so each coordinate θ_i has its own learning rate
η_i = α / (√s_i + ε). ``adaptive_glyphs`` draws, every few steps, an
axis-aligned ellipse centred on θ_k whose half-axes are proportional to
(η_1, η_2): wide along a coordinate that takes long steps, thin along one that
takes short steps. For Adam an arrow shows the direction of −m̂ (its momentum).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse

from ..optim import run
from ..optim.first_order import Adam, Recorder
from ..style import PALETTE
from .views2d import contour_background

__all__ = ["adaptive_glyphs", "per_parameter_rates"]


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


def adaptive_glyphs(objective, optimizers, x0, steps: int = 60, every: int = 5, ax=None):
    """Contours of L with each optimiser's path and its per-parameter learning rates as ellipses.

    optimizers : a dict name -> optimiser (Adagrad, RMSProp, Adam) or a list of them.
    every      : draw a glyph at every ``every``-th iterate.
    Glyph sizes are scaled per optimiser (its largest η fills 10% of the plot), so
    compare shapes and how they change along one path, not sizes across optimisers.
    Without ``ax`` each optimiser gets its own panel (side by side) and the array
    of Axes is returned; with ``ax`` all are drawn there and that Axes is returned.
    """
    if not isinstance(optimizers, dict):
        optimizers = {o.name: o for o in optimizers}
    if ax is None:
        n = len(optimizers)
        fig = plt.figure(figsize=(4.2 * n, 4.0), layout="constrained")
        axes = fig.subplots(1, n, squeeze=False)[0]
        colours = [PALETTE[c] for c in ("green", "orange", "vermillion", "purple", "blue")]
        for a, (name, opt), col in zip(axes, optimizers.items(), colours):
            _glyph_panel(objective, {name: opt}, x0, steps, every, a, [col])
            a.set_title(name)
        return axes
    return _glyph_panel(objective, optimizers, x0, steps, every, ax)


def _glyph_panel(objective, optimizers, x0, steps, every, ax, colours=None):
    contour_background(ax, objective, levels=20, minima=False, line_colour="0.55")
    box = objective.domain
    size = 0.1 * float(np.min(box[:, 1] - box[:, 0]))
    colours = colours or [PALETTE[c] for c in ("green", "orange", "vermillion", "purple", "blue")]
    for (name, opt), col in zip(optimizers.items(), colours):
        traj, rates, rec = per_parameter_rates(objective, opt, x0, steps)
        pts = traj.points
        ax.plot(pts[:, 0], pts[:, 1], "-", color=col, lw=1.4, label=name, zorder=3)
        scale = size / max(float(np.max(rates)), 1e-300)
        for k in range(0, len(rates), every):
            w, h = 2 * scale * rates[k]
            ax.add_patch(Ellipse(pts[k], w, h, fc=col, ec="k", lw=0.4, alpha=0.45, zorder=4))
            if isinstance(opt, Adam):
                m = opt.velocity(rec.states[k])[0]
                norm = float(np.hypot(*m))
                if norm > 0:
                    d = -m / norm * size * 0.9
                    ax.annotate("", xy=pts[k] + d, xytext=pts[k], zorder=5,
                                arrowprops=dict(arrowstyle="->", color="k", lw=0.8))
    ax.plot(*np.asarray(x0, dtype=float), "o", color="w", mec="k", ms=8, zorder=6)
    ax.set_xlim(*box[0])
    ax.set_ylim(*box[1])
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.legend(loc="upper right", fontsize="small")
    return ax
