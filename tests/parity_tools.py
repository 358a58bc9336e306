"""Parity with a reference implementation where the arithmetic allows it, decided on the machine that runs the test.

Two implementations of one update rule round differently (torch's kernels fuse multiply-adds, numpy's do not;
BLAS builds sum in different orders), so their iterates differ by an ulp or so from the first step. Most runs
keep such differences at round-off; some amplify them (RMSProp or Adam near a minimum, where g/√v acts like
sign(g) and the iterates hop chaotically), and which runs do, and from which step, depends on the processor
and the BLAS build. A fixed list of "sensitive" cases cannot be right everywhere (issue 22, part 5).

So the test measures it: our own run is repeated with ulp-sized nudges (the start moved by ±4 ulps, every
gradient by ±1 ulp with random signs), and the **horizon** of a start is the first step at which any nudged
run departs from ours by more than ``tol / 10``. Up to the horizon, no rounding of the same arithmetic can
move the run by the tolerance, so the reference must agree to ``tol`` there; after it, a disagreement says
nothing about the update rule. The horizon must be at least ``min_steps``: a run that amplifies round-off
from the start would test nothing and fails.
"""
from __future__ import annotations

import numpy as np

ULP = 2.0 ** -52


class Nudged:
    """``objective`` whose gradients are multiplied by (1 ± ``ulps``·2⁻⁵²), signs drawn per element and call."""

    def __init__(self, objective, seed: int, ulps: float = 1.0):
        self._objective, self._rng, self._ulps = objective, np.random.default_rng(seed), ulps

    def __getattr__(self, name):
        return getattr(self._objective, name)

    def __call__(self, x):
        return self._objective(x)

    def grad(self, x):
        g = np.asarray(self._objective.grad(x), dtype=float)
        return g * (1.0 + self._ulps * ULP * self._rng.choice([-1.0, 1.0], size=g.shape))


def nudged_runs(run_path, objective, starts):
    """Our run from ulp-nudged starts and with ulp-nudged gradients: a list of (steps + 1, n, d) arrays.

    ``run_path(objective, starts)`` returns the iterates (steps + 1, n, d) of starts (n, d)."""
    starts = np.asarray(starts, dtype=float)
    runs = [run_path(Nudged(objective, seed), starts) for seed in (0, 1)]
    runs += [run_path(objective, starts * (1.0 + k * ULP) + k * ULP * (starts == 0)) for k in (4.0, -4.0)]
    return runs


def horizon(path, nudged, tol: float) -> np.ndarray:
    """Per start, the first step at which a nudged run departs from ``path`` by more than ``tol / 10``
    (``len(path)`` if none does). ``path`` and each nudged run: (steps + 1, n, d)."""
    path = np.asarray(path, dtype=float)
    apart = np.max([np.max(np.abs(np.asarray(p, dtype=float) - path), axis=-1) for p in nudged], axis=0)
    apart = np.where(np.isnan(apart), np.inf, apart)
    over = apart > tol / 10
    return np.where(over.any(axis=0), over.argmax(axis=0), path.shape[0])


def assert_parity(ours, reference, horizons, *, tol: float, min_steps: int, label: str = "") -> str:
    """``ours`` equals ``reference`` to ``tol`` up to each start's horizon, and every horizon is at least
    ``min_steps``. Returns a one-line summary (the horizons) for the test's output."""
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    assert ours.shape == reference.shape, f"{label}: shapes {ours.shape} and {reference.shape}"
    horizons = np.asarray(horizons).reshape(-1)
    chaotic = np.flatnonzero(horizons < min_steps)
    assert not chaotic.size, (
        f"{label}: start(s) {chaotic.tolist()} amplify round-off from step {horizons[chaotic].tolist()} on "
        f"(a 1-ulp nudge departs by more than {tol / 10:g}), before step {min_steps}: such a run cannot test "
        "the update rule to this tolerance; choose a run that is not chaotic from the start")
    for i, h in enumerate(horizons):
        np.testing.assert_allclose(ours[:h, i], reference[:h, i], rtol=0, atol=tol,
                                   err_msg=f"{label}, start {i}, within its first {h} steps (its horizon)")
    steps = ours.shape[0] - 1
    if np.all(horizons > steps):
        return f"{label}: all {steps} steps compared"
    short = ", ".join(f"start {i} up to step {h}" for i, h in enumerate(horizons.tolist()) if h <= steps)
    rest = f", the other starts all {steps} steps" if np.any(horizons > steps) else ""
    return f"{label}: {short} (round-off amplified after){rest}"
