"""Checks for the exercises of notebook 09 (data-parallel SGD with Dask, stale gradients).

References are independent of the formulas the students write: the gradient of the combined batch is
computed by ``LeastSquares`` over all its rows at once, delayed gradient descent by ``optim.run(...,
delay=τ)``, and the stability bound by bisection on the spectral radius of the recurrence's companion
matrix (``distributed.delay_rate``, eigenvalues), not by the closed form.
"""
from __future__ import annotations

import numpy as np

from ..data import linear_regression
from ..distributed import delay_rate
from ..objectives import LeastSquares, get
from ..optim import GD, run
from . import WrongAnswer, _as_numbers, as_number, attempt, expect, expect_close, forbid, passed

__all__ = ["check_combine_parts", "check_delayed_gd", "check_stability_bound"]


def check_combine_parts(combine_parts, seed: int = 0) -> None:
    """Σ_s (b_s/B) g_s against the gradient of the combined batch, computed by the LeastSquares objective
    over all of the batch's rows at once (an independent route), for 1 worker, 2 workers and 3–6 workers
    with parts of uneven sizes (one part a single row)."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 6))
    X, y, _ = linear_regression(300, d, noise=0.5, seed=seed, correlation=0.5)
    problem = LeastSquares(X, y)
    hint = ("g_s is a mean over worker s's b_s rows, and the batch gradient is the mean over all the batch's "
            "rows: a worker whose part holds more rows holds more of that mean")
    for k in (1, 2, int(rng.integers(3, 7))):
        w = rng.standard_normal(d)
        sizes = rng.integers(1, 30, size=k)
        if k > 1:  # uneven on purpose: the first part is the largest, the last a single row (sum <= 175 of 300)
            sizes[-1] = 1
            sizes[0] = 2 * sizes[1:].max() + 1
        rows = rng.choice(300, int(sizes.sum()), replace=False)
        parts = np.split(rows, np.cumsum(sizes)[:-1])
        grads = np.array([problem.grad(w, idx=p) for p in parts])
        got = attempt(combine_parts, grads, sizes)
        what = f"combine_parts for {k} worker(s) with parts of {sizes.tolist()} rows"
        expected = problem.grad(w, idx=rows)
        mistakes = {
            "is the plain mean of the workers' gradients: every worker counts the same, although their parts "
            "differ in size": grads.mean(axis=0),
            "adds the rows' gradients but does not turn the sum back into a mean over the batch":
                (sizes[:, None] * grads).sum(axis=0),
            "divides the weighted sum by the number of workers, not by the number of rows":
                (sizes[:, None] * grads).sum(axis=0) / k,
            "adds the workers' gradients without weighing them": grads.sum(axis=0),
        }
        if got is not None and np.shape(got) == expected.shape and not np.allclose(got, expected):
            for name, wrong in mistakes.items():
                if np.allclose(np.asarray(got, dtype=float), wrong, rtol=1e-9, atol=1e-12):
                    raise WrongAnswer(f"{what} {name}.\nHint: {hint}")
        expect_close(got, expected, what, hint)
    passed("combine_parts")


def check_delayed_gd(delayed_gd, seed: int = 0) -> None:
    """θ_0 … θ_steps of θ_{k+1} = θ_k − q θ_{k−τ} against ``optim.run(..., delay=τ)`` of gradient descent
    with α = q on L(θ) = θ²/2 (curvature λ = 1): no delay, delays of 1–8 steps, a delay longer than the
    whole run (every step uses θ_0), a single step, and runs that converge, oscillate and diverge."""
    rng = np.random.default_rng(seed)
    objective = get("quadratic", curvature=1.0)
    cases = [(0.5, 0, 12), (0.3, 1, 15), (0.2, 3, 20),
             (float(rng.uniform(0.05, 0.95)), int(rng.integers(2, 9)), int(rng.integers(25, 41))),
             (float(rng.uniform(0.1, 0.6)), int(rng.integers(7, 12)), int(rng.integers(3, 7))),  # τ > steps
             (float(rng.uniform(0.2, 1.2)), int(rng.integers(1, 4)), 1)]
    own_loop = "write the recursion yourself; the package's run(..., delay=τ) is what the check compares with"
    for q, tau, steps in cases:
        with forbid(delayed_gd, {"i2dl_helpers.optim.run": own_loop, "i2dl_helpers.optim.base.run": own_loop}):
            got = attempt(delayed_gd, q, tau, steps)
        what = f"delayed_gd(q={q:.3g}, tau={tau}, steps={steps})"
        ref = run(objective, GD(q), 1.0, steps, delay=tau, max_abs=1e300).points[:, 0]
        if got is None:
            expect_close(got, ref, what)
        shape = np.shape(got)
        expect(shape == ref.shape, f"{what} returned {shape[0] if len(shape) == 1 else 'shape ' + str(shape)} "
               f"values, not one for θ_0 and one for each of the {steps} step(s)",
               "the result starts with θ_0 = 1.0 and has one more entry per step")
        values = _as_numbers(got, ref, what, None)   # numbers, finite, of the right shape
        wrong = ~np.isclose(values, ref, rtol=1e-9, atol=1e-12)
        if wrong.any():
            first = int(np.argmax(wrong))
            if first == 0:
                hint = "the array starts with the start θ_0 = 1.0 itself"
            elif first <= tau:
                hint = ("in the first steps there is no iterate τ steps back yet: the recurrence uses θ_0 in "
                        "its place (θ_j = θ_0 for j < 0)")
            else:
                hint = ("check which earlier iterate step k uses (exactly τ steps back) and how the update "
                        "combines it with θ_k")
            raise WrongAnswer(f"{what} is wrong from θ_{first} on ({int(wrong.sum())} of {wrong.size} entries "
                              f"differ).\nHint: {hint}")
    passed("delayed_gd")


def _edge(tau: int) -> float:
    """The largest stable q for delay τ, by bisection on ρ(q, τ) >= 1 (the spectral radius of the
    recurrence from the eigenvalues of its companion matrix), to about 1e-12."""
    lo, hi = 1e-6, 2.5                       # stable at lo, unstable at hi, one stable interval (0, q*)
    while hi - lo > 1e-12:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if delay_rate(mid, tau) >= 1.0 else (mid, hi)
    return 0.5 * (lo + hi)


def check_stability_bound(stability_bound, seed: int = 0) -> None:
    """The largest stable q for each τ against the stability edge found numerically from the roots of
    z^{τ+1} − z^τ + q (bisection on their largest modulus), for τ = 0, 1, 2, 5 and delays from 3 to 60."""
    rng = np.random.default_rng(seed)
    taus = [0, 1, 2, 5] + sorted(int(t) for t in rng.choice(np.arange(3, 30), 2, replace=False))
    taus.append(int(rng.integers(30, 61)))
    hint = ("at the edge a root is z = e^{iω}: |z − 1| = 2 sin(ω/2) = q, and the angles of z^τ (z − 1) = −q "
            "must add up to π; solve for the smallest ω > 0 and put it into the first equation")
    for tau in taus:
        what = f"stability_bound({tau})"
        got = as_number(attempt(stability_bound, tau), what, hint=hint)
        mistakes = {"q = ω, the small-angle approximation of 2 sin(ω/2) (exact only as τ → ∞)": np.pi / (2 * tau + 1)}
        if tau > 0:  # at τ = 0 this mistake gives 0, as other mistakes do
            mistakes["|z − 1| taken as 2 sin ω instead of 2 sin(ω/2)"] = 2 * np.sin(np.pi / (2 * tau + 1))
        expect_close(got, _edge(tau), what, hint, rtol=1e-8, atol=1e-10, mistakes=mistakes)
    passed("stability_bound")
