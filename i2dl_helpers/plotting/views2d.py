"""Static views of 2D objectives and runs (slides 16–21): contours with the path,
the surface in 3D, the gradient field, loss per step, convexity and basin maps.

Every function takes data (an Objective, a Trajectory, a map) and an optional
``ax``; without one it makes a new pyplot figure. It returns the Axes it drew on
(``three_views`` returns the Figure).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap, TwoSlopeNorm
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..convexity import hessian_map
from .style import PALETTE, hatch_nonconvex

__all__ = ["basin_colors", "basin_plot", "chord_plot", "contour_background", "contour_levels", "contour_path", "convexity_gallery",
           "convexity_map",
           "gradient_field", "loss_per_step", "replace_contours", "slice_plot", "surface_path", "three_views"]


def _axes(ax, **kw):
    if ax is not None:
        return ax
    return plt.figure(figsize=kw.pop("figsize", (5.0, 4.2)), layout="constrained").add_subplot(**kw)


def contour_levels(Z: np.ndarray, n: int = 25) -> np.ndarray:
    """Contour levels at evenly spaced quantiles of Z: every part of the plot gets
    lines, also for functions such as Rosenbrock whose values span decades."""
    finite = Z[np.isfinite(Z)]
    levels = np.unique(np.quantile(finite, np.linspace(0, 1, n + 2)[1:-1] ** 1.5))
    return levels if levels.size >= 2 else np.linspace(finite.min(), finite.max() + 1e-12, 3)


def contour_background(ax, objective, *, n: int = 160, levels: int = 22, filled: bool = True,
                       minima: bool = True, line_colour: str = "0.45", label: str | None = None) -> list:
    """The static part of every 2D view: filled contours and contour lines of L(θ)
    over the objective's domain (levels at quantiles, see ``contour_levels``), its
    known minima as stars, and axis limits fixed to the domain.

    Returns (artists, Z): the artists it made (explorers remove them when the
    function changes) and the grid values Z of shape (n, n).
    """
    X, Y, P = objective.grid(n)
    with np.errstate(all="ignore"):
        Z = np.asarray(objective(P), dtype=float)
    lev = contour_levels(Z, levels)
    artists = []
    if filled:
        artists.append(ax.contourf(X, Y, Z, levels=lev, cmap="Blues_r", alpha=0.35, extend="both"))
    artists.append(ax.contour(X, Y, Z, levels=lev, colors=line_colour, linewidths=0.6))
    if minima and len(objective.minima):
        artists += ax.plot(*objective.minima.T, "*", color=PALETTE["green"], ms=13, mec="k", mew=0.5, ls="none",
                           label=label, zorder=5)
    (x0, x1), (y0, y1) = objective.domain
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.grid(False)
    return artists, Z


def replace_contours(ax, old_artists, objective, **kw) -> tuple[list, np.ndarray]:
    """Swap an explorer's contour background for that of ``objective``: remove
    ``old_artists`` (whatever the explorer drew for the previous function; an empty
    list on the first draw) from ``ax``, then draw ``contour_background(ax, objective, **kw)``.

    Returns (artists, Z) as ``contour_background`` does; keep the artists to pass
    as ``old_artists`` on the next swap.
    """
    for artist in old_artists:
        artist.remove()
    return contour_background(ax, objective, **kw)


def _paths(traj):
    """Trajectory (or array) -> list of (T + 1, 2) paths."""
    pts = np.asarray(getattr(traj, "points", traj), dtype=float)
    return [pts] if pts.ndim == 2 else [pts[:, i] for i in range(pts.shape[1])]


def contour_path(objective, trajectory=None, *, ax=None, n: int = 200, levels: int = 25,
                 filled: bool = True, color: str = PALETTE["vermillion"]):
    """Contour lines of L(θ) over the objective's domain, its known minima (stars)
    and the iterates θ_0, θ_1, ... of a run joined in order (start: blue dot).

    trajectory : a Trajectory of one or n starts, or points (T + 1, 2) / (T + 1, n, 2).
    Axis limits are the domain, so a diverging path leaves the plot instead of
    squashing it.
    """
    ax = _axes(ax)
    contour_background(ax, objective, n=n, levels=levels, filled=filled, label="minima")
    if trajectory is not None:
        for k, path in enumerate(_paths(trajectory)):
            ax.plot(*path.T, "-o", color=color, ms=2.5, lw=1.1, label="θ_k" if k == 0 else None, zorder=4)
            ax.plot(*path[0], "o", color=PALETTE["blue"], ms=7, zorder=6, label="θ_0" if k == 0 else None)
    (x0, x1), (y0, y1) = objective.domain
    ax.set_aspect("equal" if 0.5 < (x1 - x0) / (y1 - y0) < 2 else "auto")
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.grid(False)
    ax.set_title(objective.name.replace("_", " "))
    return ax


def surface_path(objective, trajectory=None, *, ax=None, n: int = 80, clip_quantile: float = 0.98):
    """L(θ₁, θ₂) as a 3D surface with the run's points lifted to (θ_k, L(θ_k)).

    Values above the ``clip_quantile`` of the grid are cut off so that steep walls
    (Rosenbrock, Himmelblau) do not flatten the interesting part.
    """
    ax = _axes(ax, projection="3d")
    X, Y, P = objective.grid(n)
    with np.errstate(all="ignore"):
        Z = objective(P)
    top = float(np.quantile(Z[np.isfinite(Z)], clip_quantile))
    ax.plot_surface(X, Y, np.minimum(Z, top), cmap="viridis", alpha=0.75, linewidth=0, antialiased=True,
                    rcount=n, ccount=n)
    if trajectory is not None:
        for path in _paths(trajectory):
            with np.errstate(all="ignore"):
                v = objective(path)
            keep = np.all((path >= objective.domain[:, 0]) & (path <= objective.domain[:, 1]), -1) & (v <= top)
            ax.plot(path[keep, 0], path[keep, 1], v[keep], "-o", color=PALETTE["vermillion"], ms=2.5, lw=1.2,
                    zorder=10)
    # few, compact ticks and labels set off from them, so that the z-axis (whose values can reach
    # thousands) does not crowd into its label or a neighbouring panel
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(4))
    ax.tick_params(axis="both", pad=1)
    ax.tick_params(axis="z", pad=4)
    ax.set_xlabel("θ₁", labelpad=2)
    ax.set_ylabel("θ₂", labelpad=2)
    ax.set_zlabel("L", labelpad=6)
    ax.set_box_aspect(None, zoom=0.92)         # room inside the axes for the z tick labels and "L"
    return ax


def gradient_field(objective, *, ax=None, n_arrows: int = 17, n: int = 200, descent: bool = False):
    """Arrows of ∇L(θ) over the contours: the gradient points in the direction of
    steepest ascent and is perpendicular to the level line through θ.

    Arrows have unit length (the colour is ‖∇L‖ on a log scale) so that small
    gradients stay visible; ``descent=True`` draws −∇L, the direction GD steps in.
    """
    ax = contour_path(objective, ax=ax, n=n, filled=False)
    (x0, x1), (y0, y1) = objective.domain
    pad = 0.04
    gx = np.linspace(x0 + pad * (x1 - x0), x1 - pad * (x1 - x0), n_arrows)
    gy = np.linspace(y0 + pad * (y1 - y0), y1 - pad * (y1 - y0), n_arrows)
    GX, GY = np.meshgrid(gx, gy)
    with np.errstate(all="ignore"):
        G = objective.grad(np.stack([GX, GY], -1)) * (-1.0 if descent else 1.0)
        norm = np.hypot(G[..., 0], G[..., 1])
        U, V = G[..., 0] / norm, G[..., 1] / norm
    U, V = np.where(norm > 0, U, 0.0), np.where(norm > 0, V, 0.0)
    colour = np.log10(np.maximum(norm, 1e-12))
    q = ax.quiver(GX, GY, U, V, colour, cmap="viridis", angles="xy", pivot="mid", width=0.004,
                  scale=n_arrows * 1.3)
    ax.figure.colorbar(q, ax=ax, label="log₁₀ ‖∇L‖", shrink=0.8)
    ax.set_title(f"{'−' if descent else ''}∇L on {objective.name.replace('_', ' ')}")
    return ax


def loss_per_step(trajectory, *, ax=None, optimum: float | None = None, log: bool = True,
                  label: str | None = None):
    """L(θ_k) against the step k; with ``optimum`` L* the gap L(θ_k) − L* on a log axis."""
    ax = _axes(ax, figsize=(5.0, 3.2))
    v = np.asarray(trajectory.values, dtype=float)
    y = v - optimum if optimum is not None else v
    if log and optimum is not None:
        y = np.maximum(y, 1e-16)
    ax.plot(np.arange(len(y)), y, "-o", ms=2.5, lw=1.2, label=label, color=PALETTE["vermillion"])
    if log and (optimum is not None or np.all(y[np.isfinite(y)] > 0)):
        ax.set_yscale("log")
    ax.set_xlabel("step k")
    ax.set_ylabel("L(θ_k) − L*" if optimum is not None else "L(θ_k)")
    return ax


def three_views(objective, trajectory, *, figsize=(10.0, 3.4)):
    """Contour + path, surface + path and loss per step of the same run, side by side (10 inches wide:
    the notebook column, so the text is shown at its size)."""
    fig = plt.figure(figsize=figsize, layout="constrained")
    fig.get_layout_engine().set(wspace=0.1)       # the 3D panel's z labels stick out of its axes box
    contour_path(objective, trajectory, ax=fig.add_subplot(1, 3, 1))
    surface_path(objective, trajectory, ax=fig.add_subplot(1, 3, 2, projection="3d"))
    best = float(np.min(objective(objective.minima))) if len(objective.minima) else None
    loss_per_step(trajectory, ax=fig.add_subplot(1, 3, 3), optimum=best)
    return fig


def convexity_map(cmap, objective=None, *, ax=None):
    """Where L is locally convex: the smallest Hessian eigenvalue λ_min(∇²L(θ)).

    2D: blue where λ_min ≥ 0 (locally convex), red and hatched where λ_min < 0, the boundary
    λ_min = 0 in black, contours of L on top when ``objective`` is given.
    1D: the graph of L, thick where L'' ≥ 0, with the non-convex stretches shaded.
    """
    if len(cmap.grid) == 1:
        ax = _axes(ax, figsize=(5.0, 3.2))
        xs = cmap.grid[0]
        if objective is None:
            raise ValueError("a 1D convexity map needs the objective to draw its graph")
        with np.errstate(all="ignore"):
            ys = objective(xs)
        ax.plot(xs, ys, color="0.5", lw=1)
        ax.plot(xs, np.where(cmap.convex, ys, np.nan), color=PALETTE["blue"], lw=3, label="L'' ≥ 0")
        ax.fill_between(xs, np.nanmin(ys), np.nanmax(ys), where=~cmap.convex, color=PALETTE["vermillion"],
                        alpha=0.15, label="L'' < 0")
        ax.legend(fontsize="small")
        ax.set_xlabel("θ")
        ax.set_ylabel("L")
        return ax
    ax = _axes(ax)
    X, Y = cmap.grid
    lam = cmap.min_eig
    bound = float(np.nanmax(np.abs(lam))) or 1.0
    norm = TwoSlopeNorm(0.0, -bound, bound)
    mesh = ax.pcolormesh(X, Y, np.sign(lam) * np.sqrt(np.abs(lam) / bound) * bound, cmap="RdBu", norm=norm,
                         shading="auto", rasterized=True)
    ax.contour(X, Y, lam, levels=[0.0], colors="k", linewidths=1.5)
    hatch_nonconvex(ax, X, Y, cmap.convex)
    if objective is not None:
        with np.errstate(all="ignore"):
            Z = objective(np.stack([X, Y], -1))
        ax.contour(X, Y, Z, levels=contour_levels(Z, 15), colors="0.3", linewidths=0.5, alpha=0.7)
        ax.set_title(f"{objective.name.replace('_', ' ')}: locally convex on {100 * cmap.fraction:.0f}%")
    ax.figure.colorbar(mesh, ax=ax, label="λ_min(∇²L)  (√-scaled)", shrink=0.8)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.grid(False)
    return ax


def convexity_gallery(items, *, n: int = 120, ncols: int = 4):
    """Small multiples: for each (objective, convex) pair, its convexity map
    (``hessian_map``) titled with the name and the verdict. Returns the Figure."""
    items = list(items)
    nrows = -(-len(items) // ncols)
    fig = plt.figure(figsize=(3.2 * ncols, 2.7 * nrows), layout="constrained")
    for i, (obj, convex) in enumerate(items):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        cmap = hessian_map(obj, n=n)
        if obj.dim == 1:
            convexity_map(cmap, obj, ax=ax)
            ax.get_legend().remove()
            ax.set_xlabel("")
            ax.set_ylabel("")
        else:
            X, Y = cmap.grid
            ax.pcolormesh(X, Y, cmap.convex.astype(float), cmap=ListedColormap(["#f4b6a6", "#a6c8e6"]),
                          vmin=0, vmax=1, shading="auto", rasterized=True)
            hatch_nonconvex(ax, X, Y, cmap.convex)
            with np.errstate(all="ignore"):
                Z = obj(np.stack([X, Y], -1))
            ax.contour(X, Y, Z, levels=contour_levels(Z, 12), colors="0.3", linewidths=0.5)
            ax.grid(False)
        ax.set_title(f"{obj.name.replace('_', ' ')}: {'convex' if convex else 'not convex'}",
                     color=PALETTE["blue"] if convex else PALETTE["vermillion"], fontsize="medium")
        ax.tick_params(labelsize="small")
    return fig


def basin_colors(k: int) -> tuple[ListedColormap, BoundaryNorm]:
    """Colours for basin labels −2 (not converged, grey), −1 (diverged, black), 0 ... k−1."""
    base = [PALETTE[c] for c in ("blue", "orange", "green", "purple", "sky", "yellow", "vermillion")]
    colours = ["#bbbbbb", "#222222"] + [base[i % len(base)] for i in range(k)]
    return ListedColormap(colours), BoundaryNorm(np.arange(-2.5, k), k + 2)


def basin_legend_handles(k: int) -> list[Patch]:
    cmap, _ = basin_colors(k)
    names = ["not converged", "diverged"] + [f"min {i}" for i in range(k)]
    return [Patch(color=cmap.colors[i], label=names[i]) for i in range(k + 2)]


def basin_plot(bm, *, ax=None):
    """The basin map: each start coloured by the minimum GD reaches from it."""
    ax = _axes(ax)
    k = len(bm.minima)
    cmap, norm = basin_colors(k)
    extent = (bm.X[0, 0], bm.X[0, -1], bm.Y[0, 0], bm.Y[-1, 0])
    ax.imshow(bm.labels, origin="lower", extent=extent, cmap=cmap, norm=norm, interpolation="nearest")
    if k:
        ax.plot(*bm.minima.T, "*", color="w", mec="k", ms=14, ls="none")
        for i, m in enumerate(bm.minima):
            ax.annotate(str(i), m, xytext=(6, 6), textcoords="offset points", fontweight="bold")
    ax.legend(handles=basin_legend_handles(k), loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
    ax.set_title(f"basins, α = {bm.lr:.3g}, {bm.steps} steps")
    ax.set_xlabel("θ₁ at the start")
    ax.set_ylabel("θ₂ at the start")
    ax.grid(False)
    return ax


def chord_plot(f, x: float, y: float, lam: float | None = None, *, ax=None, domain=None):
    """A 1D function with the chord from (x, L(x)) to (y, L(y)); stretches where the
    graph rises above the chord (a convexity violation) are shaded red."""
    ax = _axes(ax, figsize=(5.0, 3.2))
    lo, hi = domain if domain is not None else f.domain[0]
    xs = np.linspace(lo, hi, 500)
    ax.plot(xs, f(xs), color=PALETTE["black"], lw=1.5, label="L")
    t = np.linspace(0, 1, 300)
    zs = t * x + (1 - t) * y
    chord = t * f(x) + (1 - t) * f(y)
    ax.plot(zs, chord, color=PALETTE["blue"], lw=2, label="chord")
    ax.fill_between(zs, chord, f(zs), where=f(zs) > chord, color=PALETTE["vermillion"], alpha=0.35,
                    label="graph above chord")
    if lam is not None:
        z = lam * x + (1 - lam) * y
        ax.plot([z, z], [f(z), lam * f(x) + (1 - lam) * f(y)], "o-", color=PALETTE["vermillion"], ms=5)
    ax.plot([x, y], [f(x), f(y)], "o", color=PALETTE["blue"], ms=7)
    ax.legend(fontsize="small")
    ax.set_xlabel("θ")
    return ax


def slice_plot(alphas, losses, betas=None, *, ax=None, levels: int = 25, title: str = "",
               xlabel: str | None = None, ylabel: str | None = None):
    """A loss-landscape slice: L(θ + α d) against α (1D), or contours of
    log₁₀ L(θ + α d₁ + β d₂) over (α, β) (2D, ``losses`` of shape (len(betas), len(alphas)))."""
    losses = np.asarray(losses, dtype=float)
    if betas is None:
        ax = _axes(ax, figsize=(5.0, 3.2))
        ax.plot(alphas, losses, color=PALETTE["vermillion"], lw=2)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_xlabel(xlabel or "α")
        ax.set_ylabel(ylabel or "L(θ* + α d)")
    else:
        ax = _axes(ax)
        A, B = np.meshgrid(alphas, betas)
        with np.errstate(all="ignore"):
            logl = np.log10(np.maximum(losses, 1e-300))
        lev = np.linspace(np.nanmin(logl), np.nanmax(logl), levels)
        cs = ax.contourf(A, B, logl, levels=lev, cmap="viridis")
        ax.contour(A, B, logl, levels=lev, colors="k", linewidths=0.4, alpha=0.5)
        ax.plot(0, 0, "*", color="w", mec="k", ms=14)
        ax.figure.colorbar(cs, ax=ax, label="log₁₀ L", shrink=0.8)
        ax.set_xlabel(xlabel or "α (direction d₁)")
        ax.set_ylabel(ylabel or "β (direction d₂)")
        ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
