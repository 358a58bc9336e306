"""The points a bit-for-bit check of a program uses (the tests, the browser's parity tests)."""
from __future__ import annotations

import numpy as np

__all__ = ["probe_points"]


def probe_points(objective, n: int = 101, n_random: int = 256) -> np.ndarray:
    """An n×n grid over the domain (n² points on the line in 1D), ``n_random`` seeded uniform points
    in it, the start and the known minima; shape (m, d)."""
    box = np.asarray(objective.domain, dtype=float)
    if objective.dim == 1:
        grid = np.linspace(box[0, 0], box[0, 1], n * n)[:, None]
    else:
        grid = np.stack(np.meshgrid(*(np.linspace(lo, hi, n) for lo, hi in box)), -1).reshape(-1, 2)
    rng = np.random.default_rng(20261201)
    rand = box[:, 0] + rng.random((n_random, objective.dim)) * (box[:, 1] - box[:, 0])
    return np.concatenate([grid, rand, objective.start[None], objective.minima])
