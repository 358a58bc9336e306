"""``linesearch.exact``'s ``tol`` is a width relative to the step α*, checked against
independent references: scipy's Brent search and the closed form gᵀg / gᵀAg on quadratics."""
import numpy as np
import pytest

from i2dl_helpers import linesearch as ls, objectives


def _ray(f, x):
    x = np.asarray(x, dtype=float)
    g = np.asarray(f.grad(x), dtype=float)
    return x, g, ls.phi(f, x, -g)


@pytest.mark.parametrize("name, x", [("rosenbrock", (-1.2, 1.0)),   # α* ≈ 7.88e-4: far below 1
                                     ("rosenbrock", (0.5, 2.5)),
                                     ("himmelblau", (0.5, -0.5)),
                                     ("saddle", (1.8, 0.6))])
def test_golden_matches_scipy_brent_to_relative_tol(name, x):
    optimize = pytest.importorskip("scipy.optimize", reason="scipy (installed with scikit-learn) is the reference")
    f = objectives.get(name)
    x, g, line = _ray(f, x)
    res = ls.exact(f, x, -g, method="golden", full=True)
    assert res.method == "golden section"
    ref = optimize.minimize_scalar(lambda a: float(line(a)), bracket=(0.0, res.alpha, 3 * res.alpha),
                                   tol=1e-12)
    assert ref.success and ref.x > 0
    # φ is flat at its minimum: its values pin α* down only to about sqrt(machine ε) relative,
    # so the requested 1e-7 is met to within that
    assert abs(res.alpha - ref.x) <= 2e-7 * ref.x, (res.alpha, ref.x)


def test_small_steps_are_found_to_relative_not_absolute_accuracy():
    """The bug this guards: on Rosenbrock from (−1.2, 1) the search stopped at an absolute width
    and returned 7.88017e-4 for a minimiser 7.880025e-4 (relative error 1.8e-5)."""
    f = objectives.get("rosenbrock")
    x, g, _ = _ray(f, (-1.2, 1.0))
    # the minimiser is where the slope along the ray vanishes: ∇L(x − αg)·g = 0, solved by bisection
    lo, hi = 0.0, 2e-3
    slope = lambda a: float(f.grad(x - a * g) @ g)
    assert slope(lo) > 0 > slope(hi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if slope(mid) > 0 else (lo, mid)
    alpha = ls.exact(f, x, -g, method="golden")
    assert abs(alpha - lo) < 1e-6 * lo
    coarse = ls.exact(f, x, -g, method="golden", tol=1e-3, full=True)
    fine = ls.exact(f, x, -g, method="golden", tol=1e-7, full=True)
    assert abs(coarse.alpha - lo) < 1e-3 * lo and coarse.n_values < fine.n_values


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e3])
def test_golden_matches_the_closed_form_on_quadratics_at_any_scale(scale):
    """α* = gᵀg / gᵀAg; scaling A by s scales α* by 1/s, and the relative accuracy must not change."""
    rng = np.random.default_rng(3)
    M = rng.normal(size=(3, 3))
    A = scale * (M @ M.T + 0.5 * np.eye(3))
    b = rng.normal(size=3)
    f = objectives.quadratic_form(A, b)
    for x in rng.normal(size=(4, 3)):
        g = A @ x - b
        expected = g @ g / (g @ A @ g)
        assert ls.exact(f, x, -g) == pytest.approx(expected, rel=1e-12)          # closed form
        assert ls.exact(f, x, -g, method="golden") == pytest.approx(expected, rel=2e-7)
