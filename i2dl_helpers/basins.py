"""Basins of attraction: which minimum gradient descent reaches from each start.

GD θ_{k+1} = θ_k − α ∇L(θ_k) is run from every point of an n × n grid of starts
at once (one call of ``optim.run`` on x0 of shape (n², 2), no Python loop over
starts). Each start is labelled by the minimum of ``objective.minima`` its last
iterate lies within ``radius`` of, or

    DIVERGED = −1       the run left the finite region (|θ_i| > max_abs or inf/NaN),
    NOT_CONVERGED = −2  it stopped near no known minimum (a saddle, a slow valley,
                        a 2-cycle when α is too large, or too few steps).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import check_int, check_positive
from .objectives import Objective
from .optim import GD, run

__all__ = ["DIVERGED", "NOT_CONVERGED", "BasinMap", "basin_labels", "basin_map"]

DIVERGED = -1
NOT_CONVERGED = -2


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
        parts = [f"min {i} {100 * fr[i]:.1f}%" for i in range(len(self.minima))]
        parts += [f"diverged {100 * fr[DIVERGED]:.1f}%", f"not converged {100 * fr[NOT_CONVERGED]:.1f}%"]
        return f"α = {self.lr:.4g}: " + ", ".join(parts)


def basin_map(objective: Objective, lr: float, n: int = 200, steps: int = 200, *, domain=None,
              radius: float = 1e-2, tol: float | None = None) -> BasinMap:
    """Run GD from an n × n grid of starts in one vectorised pass and label each start.

    objective : a 2D Objective with known ``minima`` (e.g. ``get("himmelblau")``).
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
    labels = basin_labels(final, (traj.status == "diverged").reshape(n, n), objective.minima, radius)
    return BasinMap(labels, X, Y, final, objective.minima.copy(), lr, steps, radius)
