"""Wrong answers for notebook 03's exercises (see tests/mutants/__init__.py)."""
_SAMPLE = """rng = np.random.default_rng(seed)
x = rng.uniform(lo, hi, n_samples)
y = rng.uniform(lo, hi, n_samples)
lam = rng.uniform(0, 1, n_samples)
gap = {gap}
i = int(np.argmax(gap))
{ret}"""
_OK = "if gap[i] > 1e-9:\n    return float(x[i]), float(y[i]), float(lam[i])\nreturn None"

MUTANTS = {
    "nb03_find_counterexample": [
        # sign of the gap flipped: returns chords *above* the graph
        _SAMPLE.format(gap="(lam * f(x) + (1 - lam) * f(y)) - f(lam * x + (1 - lam) * y)", ret=_OK),
        # λ and 1 − λ swapped in the chord
        _SAMPLE.format(gap="f(lam * x + (1 - lam) * y) - ((1 - lam) * f(x) + lam * f(y))", ret=_OK),
        # returns the largest gap even when it is not positive
        _SAMPLE.format(gap="f(lam * x + (1 - lam) * y) - (lam * f(x) + (1 - lam) * f(y))",
                       ret="return float(x[i]), float(y[i]), float(lam[i])"),
        # counts a zero gap (a straight line) as a violation
        _SAMPLE.format(gap="f(lam * x + (1 - lam) * y) - (lam * f(x) + (1 - lam) * f(y))",
                       ret="if gap[i] >= 0:\n    return float(x[i]), float(y[i]), float(lam[i])\nreturn None"),
    ],
    "nb03_crest_chord": [
        "return -2.1, 0.0, 0.5",                            # the answer for ω = 3 only
        "return 0.0, np.pi / omega, 0.5",                   # from a dip to a crest: the chord is above
        "return 0.0, 2 * np.pi / omega, 1.0",               # λ = 1: z = x, the gap is 0
    ],
    "nb03_hessian_convex": [
        # the largest eigenvalue instead of the smallest
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))\n"
        "H = hessian(np.stack([X, Y], axis=-1))\nreturn bool(np.all(np.linalg.eigvalsh(H)[..., -1] >= -1e-9))",
        # only the determinant (misses negative definite Hessians)
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))\n"
        "H = hessian(np.stack([X, Y], axis=-1))\nreturn bool(np.all(np.linalg.det(H) >= -1e-9))",
        # only the diagonal entries
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))\n"
        "H = hessian(np.stack([X, Y], axis=-1))\nreturn bool(np.all(H[..., 0, 0] >= 0) and np.all(H[..., 1, 1] >= 0))",
        # somewhere instead of everywhere
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))\n"
        "H = hessian(np.stack([X, Y], axis=-1))\nreturn bool(np.any(np.linalg.eigvalsh(H)[..., 0] >= -1e-9))",
    ],
    "nb03_quartic_is_convex": [
        "return c < 0",              # c = 0 gives L'' = 12θ² ≥ 0: convex
        "return c >= 0",             # the sign the wrong way round
        "return False",              # the answer for c = 1 only
    ],
}
