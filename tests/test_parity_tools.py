"""tests/parity_tools.py: the horizon finds where a run amplifies round-off, and the parity check can fail."""
import sys
from pathlib import Path

import numpy as np
import pytest

from i2dl_helpers import objectives
from i2dl_helpers.optim import GD, RMSProp, run

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parity_tools import Nudged, assert_parity, horizon, nudged_runs  # noqa: E402

sys.path.pop(0)

TOL, STEPS = 1e-12, 200


def _gd_path(lr):
    return lambda obj, x0: run(obj, GD(lr), x0, steps=STEPS).points


def test_a_contracting_run_is_compared_over_every_step_against_its_closed_form():
    """GD on L = λθ²/2: θ_k = (1 − αλ)^k θ_0, an independent reference; every start's horizon is the whole run."""
    lam, lr = 2.0, 0.3
    obj = objectives.get("quadratic", curvature=lam)
    starts = np.array([[1.5], [-0.7], [2.0]])
    ours = run(obj, GD(lr), starts, steps=STEPS).points
    closed = (1 - lr * lam) ** np.arange(STEPS + 1)[:, None, None] * starts[None]
    h = horizon(ours, nudged_runs(_gd_path(lr), obj, starts), TOL)
    assert h.tolist() == [STEPS + 1] * 3
    assert "all 200 steps" in assert_parity(ours, closed, h, tol=TOL, min_steps=STEPS // 2)
    wrong = (1 - 1.0001 * lr * lam) ** np.arange(STEPS + 1)[:, None, None] * starts[None]  # α off by 0.01 %
    with pytest.raises(AssertionError, match="start 0, within its first 201 steps"):
        assert_parity(ours, wrong, h, tol=TOL, min_steps=STEPS // 2)


def test_a_run_chaotic_from_the_start_fails():
    """GD at α = 1.5 on the saddle: y ↦ 2.5y − 1.5y³ is chaotic, an ulp grows to O(1) within a few dozen steps."""
    obj = objectives.get("saddle")
    starts = np.array([[0.2, 0.3], [0.1, -0.45]])
    ours = run(obj, GD(1.5), starts, steps=STEPS).points
    h = horizon(ours, nudged_runs(_gd_path(1.5), obj, starts), TOL)
    assert np.all(h < 60), h
    with pytest.raises(AssertionError, match="amplify round-off from step"):
        assert_parity(ours, ours.copy(), h, tol=TOL, min_steps=STEPS // 2)


def test_a_run_that_amplifies_late_is_compared_up_to_its_horizon_only():
    """Centred RMSProp near the minimum hops like sign(g): the nudge departs late in the run. A reference
    that agrees until then passes whatever it does after; one that differs before the horizon fails."""
    obj = objectives.get("ill_conditioned", condition=20.0, angle=30.0)
    starts = np.array([[2.5, -1.0], [-1.0, 2.0], [0.3, 0.1]])
    make = lambda: RMSProp(0.005, alpha=0.95, centered=True, eps=1e-2)
    ours = run(obj, make(), starts, steps=STEPS).points
    h = horizon(ours, nudged_runs(lambda o, x0: run(o, make(), x0, steps=STEPS).points, obj, starts), TOL)
    late = np.flatnonzero(h <= STEPS)
    assert late.size and np.all(h[late] >= STEPS // 2), h
    i, k = late[0], h[late[0]]
    after = ours.copy()
    after[k:, i] += 1e-3                       # disagrees only from the horizon on: not a finding
    assert f"start {i} up to step {k}" in assert_parity(ours, after, h, tol=TOL, min_steps=STEPS // 2)
    before = ours.copy()
    before[k - 1, i] += 1e-9                   # disagrees one step before the horizon: caught
    with pytest.raises(AssertionError, match=f"start {i}, within its first {k} steps"):
        assert_parity(ours, before, h, tol=TOL, min_steps=STEPS // 2)


def test_the_nudge_is_an_ulp():
    obj = objectives.get("rosenbrock")
    x = np.array([[0.3, -0.2], [1.5, 2.0]])
    g, gn = obj.grad(x), Nudged(obj, seed=0).grad(x)
    assert np.all(gn != g) and np.all(np.abs(gn - g) <= 2 * np.spacing(np.abs(g)))  # one or two ulps
    assert Nudged(obj, seed=0).dim == obj.dim
