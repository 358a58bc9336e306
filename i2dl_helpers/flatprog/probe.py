"""Bit-for-bit checks of a program against the objective it was compiled from.

``probe_points(objective)`` are the points a check uses (a grid over the domain, seeded random
points, the start and the minima); ``probe(objective, program)`` compares the program's value and
gradient with the objective's there: to 1e-9 (is this the formula?) or, with ``exact=True``, bit
for bit, as IEEE doubles.
"""
from __future__ import annotations

import numpy as np

from .catalogue import formula
from .format import NotCompilable
from .interpret import evaluate

__all__ = ["NotExact", "probe", "probe_points"]


class NotExact(NotCompilable):
    """The restated numpy program is close to the objective but not equal to the last bit."""


def probe_points(objective, n: int = 101, n_random: int = 256) -> np.ndarray:
    """The points a bit-for-bit check uses: an n×n grid over the domain (n² points on the line in
    1D), ``n_random`` seeded uniform points in it, the start and the known minima; shape (m, d)."""
    box = np.asarray(objective.domain, dtype=float)
    if objective.dim == 1:
        grid = np.linspace(box[0, 0], box[0, 1], n * n)[:, None]
    else:
        grid = np.stack(np.meshgrid(*(np.linspace(lo, hi, n) for lo, hi in box)), -1).reshape(-1, 2)
    rng = np.random.default_rng(20261201)
    rand = box[:, 0] + rng.random((n_random, objective.dim)) * (box[:, 1] - box[:, 0])
    return np.concatenate([grid, rand, objective.start[None], objective.minima])


def _same_bits(a, b) -> np.ndarray:
    """Per entry: equal as IEEE doubles bit for bit (so -0.0 differs from 0.0; NaN equals NaN)."""
    a, b = np.ascontiguousarray(a, dtype=float), np.ascontiguousarray(b, dtype=float)
    return (a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))


def probe(objective, program: dict, *, exact: bool = False) -> None:
    """Compare the program with the objective at points of its domain; refuse on a mismatch.

    exact=False: four points, to 1e-9 of the largest value/gradient (is this the formula?).
    exact=True: every point of :func:`probe_points`, value and gradient bit for bit.
    """
    if exact:
        pts = probe_points(objective)
    else:
        box = np.asarray(objective.domain, dtype=float)
        fractions = np.array([0.13, 0.37, 0.61, 0.89])[:, None] + np.arange(objective.dim) * 0.07
        pts = box[:, 0] + (fractions % 1.0) * (box[:, 1] - box[:, 0])
    value, grad = evaluate(program, pts)
    with np.errstate(all="ignore"):
        ref_v, ref_g = objective(pts), np.reshape(objective.grad(pts), grad.shape)
    if exact:
        bad = ~(_same_bits(value, ref_v) & np.all(_same_bits(grad, ref_g), axis=-1))
        if bad.any():
            raise NotExact(f"objective {objective.name!r}: the restated numpy program differs from the "
                           f"objective in the last bits at {int(bad.sum())} of {len(pts)} points, "
                           f"e.g. {pts[np.argmax(bad)].tolist()}")
        return
    scale = 1e-9 * (1.0 + np.abs(ref_v).max() + np.abs(ref_g).max())
    if not (np.all(np.abs(value - ref_v) <= scale) and np.all(np.abs(grad - ref_g) <= scale)):
        raise NotCompilable(f"objective {objective.name!r} does not match the catalogue formula "
                            f"{formula(objective)!r}; it needs a Python kernel")

