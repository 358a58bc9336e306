"""Basins of attraction: which minimum gradient descent reaches from each start.

GD θ_{k+1} = θ_k − α ∇L(θ_k) is run from every point of an n × n grid of starts
at once (one call of ``optim.run`` on x0 of shape (n², 2), no Python loop over
starts). Each start is labelled by the minimum of ``objective.minima`` its last
iterate lies within ``radius`` of, or

    DIVERGED = −1       the run left the finite region (|θ_i| > max_abs or inf/NaN),
    NOT_CONVERGED = −2  it stopped near no known minimum (a saddle, a slow valley,
                        a 2-cycle when α is too large, or too few steps).

An objective without known minima (a typed-in function from ``expressions.parse``)
gets them from :func:`find_minima`: many starts, a descent method with a line
search, and only the end points where ∇L ≈ 0 and the Hessian is positive definite,
clustered.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import check_int, check_positive
from .formulas import formula
from .objectives import Objective
from .optim import GD, run

__all__ = ["DIVERGED", "NOT_CONVERGED", "BasinMap", "NoMinimumFound", "basin_labels", "basin_map",
           "basin_summary", "find_minima", "minima_of"]

DIVERGED = -1
NOT_CONVERGED = -2


class NoMinimumFound(ValueError):
    """:func:`find_minima` found no point with ∇L ≈ 0 and a positive-definite Hessian."""


def find_minima(objective: Objective, n_starts: int = 400, steps: int = 200, *, domain=None, seed: int = 0,
                grad_tol: float = 1e-7, radius: float | None = None) -> np.ndarray:
    """The local minima of ``objective`` inside its domain, found numerically.

    From ``n_starts`` seeded uniform starts in the box ``domain`` (default: the
    objective's), all run together: the Newton direction p = −H⁻¹∇L where H is
    positive definite, else the gradient direction p = −∇L, and a backtracking
    line search on each start (halve the step until the Armijo condition
    L(θ + tp) ≤ L(θ) + 10⁻⁴ t ∇Lᵀp holds), for up to ``steps`` steps. An end point
    counts as a minimum when it is finite, inside the box, ‖∇L‖ ≤ grad_tol·(1 + |L|)
    and the smallest Hessian eigenvalue is > 0 (strict local minimum). End points
    closer than ``radius`` (default 10⁻³ of the box's smallest side) are one minimum.

    Returns the minima, shape (k, d), sorted by their coordinates; raises
    :class:`NoMinimumFound` (a ValueError) with the reason when there is none
    (e.g. ``x**3`` or ``-x**2 - y**2``: unbounded below in the box).
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    n_starts = check_int("n_starts", n_starts, low=1, high=100_000)
    steps = check_int("steps", steps, low=1)
    grad_tol = check_positive("grad_tol", grad_tol)
    box = objective.domain if domain is None else objective.with_domain(domain).domain
    side = float(np.min(box[:, 1] - box[:, 0]))
    radius = 1e-3 * side if radius is None else check_positive("radius", radius)
    d = objective.dim
    rng = np.random.default_rng(seed)
    x = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((n_starts, d))
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = objective.grad_raw(x) if hasattr(objective, "grad_raw") else objective.grad(x)
            g = np.asarray(g, dtype=float).reshape(n_starts, d)
            H = np.asarray(objective.hessian(x), dtype=float).reshape(n_starts, d, d)
            value = np.asarray(objective(x), dtype=float).reshape(n_starts)
            ok = np.all(np.isfinite(H), axis=(1, 2)) & np.all(np.isfinite(g), axis=1)
            eig = np.full(n_starts, -np.inf)
            eig[ok] = np.linalg.eigvalsh(H[ok])[:, 0]
            p = -g
            newton = ok & (eig > 1e-12 * (1 + np.abs(H).reshape(n_starts, -1).max(axis=1)))
            if newton.any():
                p[newton] = -np.linalg.solve(H[newton], g[newton][..., None])[..., 0]
            slope = np.sum(g * p, axis=1)
            t = np.ones(n_starts)
            todo = np.isfinite(value) & (slope < 0)
            new = x.copy()
            for _ in range(60):
                if not todo.any():
                    break
                trial = x[todo] + t[todo, None] * p[todo]
                lt = np.asarray(objective(trial), dtype=float).reshape(-1)
                good = np.isfinite(lt) & (lt <= value[todo] + 1e-4 * t[todo] * slope[todo])
                idx = np.flatnonzero(todo)
                new[idx[good]] = trial[good]
                todo[idx[good]] = False
                t[idx[~good]] *= 0.5
            if np.array_equal(new, x):
                break
            x = new
        g = np.asarray(objective.grad(x), dtype=float).reshape(n_starts, d)
        value = np.asarray(objective(x), dtype=float).reshape(n_starts)
        H = np.asarray(objective.hessian(x), dtype=float).reshape(n_starts, d, d)
        finite = np.all(np.isfinite(x), axis=1) & np.isfinite(value) & np.all(np.isfinite(g), axis=1) \
            & np.all(np.isfinite(H), axis=(1, 2))
        inside = np.all((x >= box[:, 0] - radius) & (x <= box[:, 1] + radius), axis=1)
        gnorm = np.sqrt(np.sum(np.where(finite[:, None], g, 0.0) ** 2, axis=1))
        flat = finite & (gnorm <= grad_tol * (1 + np.abs(np.where(finite, value, 0.0))))
    keep = finite & inside & flat
    if keep.any():
        keep[keep] = np.linalg.eigvalsh(H[keep])[:, 0] > 0
    if not keep.any():
        raise NoMinimumFound(
            f"found no minimum of {objective.name!r} in its domain {box.tolist()}: none of {n_starts} starts ended "
            "where the gradient vanishes and the Hessian is positive definite (is the function unbounded below "
            "there, like x**3 or -x**2 - y**2, or does its minimum lie outside the domain?)")
    points, gnorm = x[keep], gnorm[keep]
    minima: list[np.ndarray] = []
    for i in np.argsort(gnorm, kind="stable"):  # the most converged end point represents its cluster
        if all(np.linalg.norm(points[i] - m) >= radius for m in minima):
            minima.append(points[i])
    out = np.array(minima)
    return out[np.lexsort(out.T[::-1])]


def minima_of(objective: Objective) -> np.ndarray:
    """``objective.minima`` when it knows them, else :func:`find_minima` (cached on the objective)."""
    if len(objective.minima):
        return objective.minima
    found = getattr(objective, "_found_minima", None)
    if found is None:
        found = find_minima(objective)
        try:
            objective._found_minima = found
        except AttributeError:  # pragma: no cover - objectives are plain objects
            pass
    return found


def basin_labels(final: np.ndarray, diverged: np.ndarray, minima: np.ndarray, radius: float) -> np.ndarray:
    """Label end points by the nearest minimum within ``radius``.

    final    : last iterates, shape (..., d).
    diverged : bool array (...): True where the run diverged (label −1).
    minima   : (k, d) known minimisers.
    Returns int labels (...): index in ``minima``, DIVERGED or NOT_CONVERGED.
    """
    final = np.asarray(final, dtype=float)
    minima = np.asarray(minima, dtype=float).reshape(-1, final.shape[-1])
    labels = np.full(final.shape[:-1], NOT_CONVERGED, dtype=int)
    if len(minima):
        with np.errstate(all="ignore"):
            dist = np.sqrt(((final[..., None, :] - minima) ** 2).sum(-1))  # (..., k)
        nearest = np.argmin(np.where(np.isfinite(dist), dist, np.inf), axis=-1)
        close = np.take_along_axis(dist, nearest[..., None], -1)[..., 0] < radius
        labels[close] = nearest[close]
    labels[np.asarray(diverged, dtype=bool)] = DIVERGED
    return labels


@formula
def basin_summary(lr, shares, diverged, stuck):
    """"α = 0.01: min 0 26.0%, ..., diverged 0.0%, not converged 0.0%" from the shares of the starts that
    reach each minimum (a list), diverge and do not converge."""
    parts = [f"min {i:d} {100 * shares[i]:.1f}%" for i in range(len(shares))]
    return f"α = {lr:.4g}: " + ", ".join(parts + [f"diverged {100 * diverged:.1f}%", f"not converged {100 * stuck:.1f}%"])


@dataclass
class BasinMap:
    """Result of :func:`basin_map`.

    labels : (n, n) ints, rows follow y (as ``objective.grid``): the minimum's
             index, DIVERGED (−1) or NOT_CONVERGED (−2).
    X, Y   : (n, n) start coordinates.
    final  : (n, n, 2) last iterates.
    minima : (k, 2) the objective's minima, in label order.
    """

    labels: np.ndarray
    X: np.ndarray
    Y: np.ndarray
    final: np.ndarray
    minima: np.ndarray
    lr: float
    steps: int
    radius: float

    def fractions(self) -> dict[int, float]:
        """Share of starts per label, e.g. {0: 0.26, 1: 0.25, ..., -1: 0.0, -2: 0.0}."""
        out = {i: float(np.mean(self.labels == i)) for i in range(len(self.minima))}
        out[DIVERGED] = float(np.mean(self.labels == DIVERGED))
        out[NOT_CONVERGED] = float(np.mean(self.labels == NOT_CONVERGED))
        return out

    def summary(self) -> str:
        """One line: "α = 0.01: min 0 26.0%, min 1 24.5%, ..., diverged 0.0%, not converged 0.0%"."""
        fr = self.fractions()
        return basin_summary(self.lr, [fr[i] for i in range(len(self.minima))], fr[DIVERGED], fr[NOT_CONVERGED])


def basin_map(objective: Objective, lr: float, n: int = 200, steps: int = 200, *, domain=None,
              radius: float = 1e-2, tol: float | None = None) -> BasinMap:
    """Run GD from an n × n grid of starts in one vectorised pass and label each start.

    objective : a 2D Objective (e.g. ``get("himmelblau")`` or a parsed function); without
                known ``minima`` they are found numerically (:func:`minima_of`).
    lr        : the learning rate α > 0.
    n         : starts per axis (n² in all), 2 ... 1000.
    steps     : GD steps per start; tol : optional stopping rule ‖θ_{k+1} − θ_k‖ < tol.
    domain    : box of starts (default: the objective's domain).
    radius    : a start belongs to minimum i when its last iterate is closer than
                ``radius`` to minima[i].
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    if objective.dim != 2:
        raise ValueError(f"objective must be two-dimensional, got dim={objective.dim}")
    lr = check_positive("lr", lr)
    n = check_int("n", n, low=2, high=1000)
    steps = check_int("steps", steps, low=0)
    radius = check_positive("radius", radius)
    X, Y, P = objective.grid(n, domain)
    traj = run(objective, GD(lr), P.reshape(-1, 2), steps=steps, tol=tol, record=False)
    final = traj.final.reshape(n, n, 2)
    minima = minima_of(objective)
    labels = basin_labels(final, (traj.status == "diverged").reshape(n, n), minima, radius)
    return BasinMap(labels, X, Y, final, np.array(minima, dtype=float), lr, steps, radius)
