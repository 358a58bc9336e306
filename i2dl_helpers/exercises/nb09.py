"""Checks for the exercises of notebook 09 (data-parallel SGD with Dask, stale gradients)."""
from __future__ import annotations

import numpy as np

from . import attempt, expect, expect_close, passed

__all__ = ["check_combine_parts", "check_delayed_gd", "check_stability_bound"]


def check_combine_parts(combine_parts, seed: int = 0) -> None:
    """Σ_s (b_s/B) g_s against the gradient of the combined batch, computed by the
    LeastSquares objective over all of the batch's rows at once (an independent route)."""
    from ..data import linear_regression
    from ..objectives import LeastSquares

    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 6))
    X, y, _ = linear_regression(300, d, noise=0.5, seed=seed, correlation=0.5)
    problem = LeastSquares(X, y)
    hint = ("a worker's g_s is the mean over its b_s rows; the batch gradient is the mean over all B rows, "
            "so weigh each g_s by its share b_s / B of the batch")
    for k in (1, 2, int(rng.integers(3, 6))):
        w = rng.standard_normal(d)
        sizes = rng.integers(1, 30, size=k)
        if k > 1:  # uneven on purpose: the first part is the largest (sum <= 175 of 300 rows)
            sizes[0] = 2 * sizes[1:].max() + 1
        rows = rng.choice(300, int(sizes.sum()), replace=False)
        parts = np.split(rows, np.cumsum(sizes)[:-1])
        grads = np.array([problem.grad(w, idx=p) for p in parts])
        got = attempt(combine_parts, grads.copy(), sizes.copy())
        expect_close(got, problem.grad(w, idx=rows), f"combine_parts for {k} worker(s) with parts {sizes.tolist()}",
                     hint)
    passed("combine_parts")


def check_delayed_gd(delayed_gd, seed: int = 0) -> None:
    """θ_0 … θ_steps of θ_{k+1} = θ_k − q θ_{k−τ} against ``optim.run(..., delay=τ)`` of
    gradient descent with α = q on L(θ) = θ²/2 (curvature λ = 1)."""
    from ..objectives import get
    from ..optim import GD, run

    rng = np.random.default_rng(seed)
    objective = get("quadratic", curvature=1.0)
    cases = [(0.5, 0, 12), (0.3, 1, 15), (0.2, 3, 20), (float(rng.uniform(0.05, 0.9)), int(rng.integers(2, 7)), 30)]
    for q, tau, steps in cases:
        got = attempt(delayed_gd, q, tau, steps)
        ref = run(objective, GD(q), 1.0, steps, delay=tau).points[:, 0]
        if got is not None and np.shape(got) != ref.shape:
            expect(False, f"delayed_gd({q:.3g}, {tau}, {steps}) returned shape {np.shape(got)}, expected "
                          f"{ref.shape}: θ_0 and every one of the {steps} steps",
                   "start the list with θ_0 = 1.0 and append one value per step")
        expect_close(got, ref, f"delayed_gd(q={q:.3g}, tau={tau}, steps={steps})",
                     "step k uses θ_{k−τ}, the value τ steps back (θ_0 while k − τ < 0), and subtracts q times it",
                     rtol=1e-9, atol=1e-12)
    passed("delayed_gd")


def check_stability_bound(stability_bound, seed: int = 0) -> None:
    """The largest stable q for each τ against a numerical scan of the roots of
    z^{τ+1} − z^τ + q (``distributed.delay_bound_scan``, grid spacing 5.5e-4)."""
    from ..distributed import delay_bound_scan

    rng = np.random.default_rng(seed)
    taus = [0, 1, 2, 5] + sorted(int(t) for t in rng.choice(np.arange(3, 30), 2, replace=False))
    for tau in taus:
        got = attempt(stability_bound, tau)
        expect_close(got, delay_bound_scan(tau), f"stability_bound({tau})",
                     "at the edge a root is z = e^{iω}: |z − 1| = 2 sin(ω/2) = q, and the angles of "
                     "z^τ (z − 1) = −q must add up to π; solve for the smallest ω > 0",
                     rtol=0, atol=1.2e-3)
    passed("stability_bound")
