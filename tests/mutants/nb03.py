"""Wrong answers for notebook 03's exercises (see tests/mutants/__init__.py), and right ones in other styles."""
_SAMPLE = """rng = np.random.default_rng(seed)
x = rng.uniform(lo, hi, n_samples)
y = rng.uniform(lo, hi, n_samples)
lam = rng.uniform(0, 1, n_samples)
gap = {gap}
i = int(np.argmax(gap))
{ret}"""
_GAP = "f(lam * x + (1 - lam) * y) - (lam * f(x) + (1 - lam) * f(y))"
_OK = "if gap[i] > 1e-9:\n    return float(x[i]), float(y[i]), float(lam[i])\nreturn None"

_GRID = ("(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))\n"
         "H = hessian(np.stack([X, Y], axis=-1))\n")

MUTANTS = {
    "nb03_find_counterexample": [
        # sign of the gap flipped: returns chords *above* the graph
        _SAMPLE.format(gap="(lam * f(x) + (1 - lam) * f(y)) - f(lam * x + (1 - lam) * y)", ret=_OK),
        # λ and 1 − λ swapped in the chord
        _SAMPLE.format(gap="f(lam * x + (1 - lam) * y) - ((1 - lam) * f(x) + lam * f(y))", ret=_OK),
        # returns the largest gap even when it is not positive
        _SAMPLE.format(gap=_GAP, ret="return float(x[i]), float(y[i]), float(lam[i])"),
        # counts a zero gap (a straight line) as a violation
        _SAMPLE.format(gap=_GAP, ret="if gap[i] >= 0:\n    return float(x[i]), float(y[i]), float(lam[i])\nreturn None"),
        # counts any positive gap, below the threshold too
        _SAMPLE.format(gap=_GAP, ret="if gap[i] > 0:\n    return float(x[i]), float(y[i]), float(lam[i])\nreturn None"),
        # a threshold ten times too small
        _SAMPLE.format(gap=_GAP, ret="if gap[i] > 1e-10:\n    return float(x[i]), float(y[i]), float(lam[i])\nreturn None"),
        # x and y drawn from [0, 1], not from the box
        _SAMPLE.replace("x = rng.uniform(lo, hi, n_samples)\ny = rng.uniform(lo, hi, n_samples)",
                        "x = rng.uniform(0, 1, n_samples)\ny = rng.uniform(0, 1, n_samples)").format(gap=_GAP, ret=_OK),
        # the chord with the smallest gap
        _SAMPLE.replace("np.argmax", "np.argmin").format(gap=_GAP, ret=_OK),
        # a Python loop over the samples (right result, but the exercise asks for a vectorised test)
        "rng = np.random.default_rng(seed)\nx = rng.uniform(lo, hi, n_samples)\ny = rng.uniform(lo, hi, n_samples)\n"
        "lam = rng.uniform(0, 1, n_samples)\nfor i in range(n_samples):\n"
        "    gap = f(lam[i] * x[i] + (1 - lam[i]) * y[i]) - (lam[i] * f(x[i]) + (1 - lam[i]) * f(y[i]))\n"
        "    if gap > 1e-9:\n        return float(x[i]), float(y[i]), float(lam[i])\nreturn None",
        # vectorised gaps, but a comprehension to build the answer: still a Python loop
        _SAMPLE.format(gap=_GAP, ret="if gap[i] > 1e-9:\n    return tuple(float(v[i]) for v in (x, y, lam))\nreturn None"),
    ],
    "nb03_crest_chord": [
        "return -2.1, 0.0, 0.5",                            # the answer for ω = 3 only
        "return 0.0, np.pi / omega, 0.5",                   # from a dip to a crest: the chord is above
        "return 0.0, 2 * np.pi / omega, 1.0",               # λ = 1: z = x, the gap is 0
        "return np.pi / omega, 3 * np.pi / omega, 0.5",     # x and y at the dips of cos ωθ: crests of the graph
        "return 0.0, 4 * np.pi / omega, 0.5",               # two ripples apart: z lands in a dip
        "return 0, 2 * np.pi / 3, 0.5",                     # ω = 3 written in
        "return -np.pi / omega, np.pi / omega, 0.5",        # around a dip, from crest to crest
        "return 0.0, 2 * np.pi * omega, 0.5",               # the period inverted
    ],
    "nb03_hessian_convex": [
        # the largest eigenvalue instead of the smallest
        _GRID + "return bool(np.all(np.linalg.eigvalsh(H)[..., -1] >= -1e-9))",
        # only the determinant (misses negative definite Hessians)
        _GRID + "return bool(np.all(np.linalg.det(H) >= -1e-9))",
        # only the diagonal entries
        _GRID + "return bool(np.all(H[..., 0, 0] >= 0) and np.all(H[..., 1, 1] >= 0))",
        # somewhere instead of everywhere
        _GRID + "return bool(np.any(np.linalg.eigvalsh(H)[..., 0] >= -1e-9))",
        # only the diagonal of the grid: n points (x_k, y_k) instead of n × n
        "(x0, x1), (y0, y1) = box\nP = np.stack([np.linspace(x0, x1, n), np.linspace(y0, y1, n)], axis=-1)\n"
        "return bool(np.all(np.linalg.eigvalsh(hessian(P))[..., 0] >= -1e-9))",
        # a grid of its own size, not n
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, 50), np.linspace(y0, y1, 50))\n"
        "return bool(np.all(np.linalg.eigvalsh(hessian(np.stack([X, Y], -1)))[..., 0] >= -1e-9))",
        # the high end of each axis left out
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n, endpoint=False), "
        "np.linspace(y0, y1, n, endpoint=False))\n"
        "return bool(np.all(np.linalg.eigvalsh(hessian(np.stack([X, Y], -1)))[..., 0] >= -1e-9))",
        # the coordinates swapped: the Hessian at (θ₂, θ₁)
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))\n"
        "return bool(np.all(np.linalg.eigvalsh(hessian(np.stack([Y, X], -1)))[..., 0] >= -1e-9))",
        # the first range of the box for both axes
        "(x0, x1), _ = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(x0, x1, n))\n"
        "return bool(np.all(np.linalg.eigvalsh(hessian(np.stack([X, Y], -1)))[..., 0] >= -1e-9))",
        # positive definite instead of semi-definite
        _GRID + "return bool(np.all(np.linalg.eigvalsh(H)[..., 0] > 0))",
        # no tolerance
        _GRID + "return bool(np.all(np.linalg.eigvalsh(H)[..., 0] >= 0))",
        # a tolerance ten times too loose
        _GRID + "return bool(np.all(np.linalg.eigvalsh(H)[..., 0] >= -1e-8))",
        # the four corners only
        "(x0, x1), (y0, y1) = box\nP = np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1]])\n"
        "return bool(np.all(np.linalg.eigvalsh(hessian(P))[..., 0] >= -1e-9))",
    ],
    "nb03_quartic_is_convex": [
        "return c < 0",              # c = 0 gives L'' = 12θ² ≥ 0: convex
        "return c >= 0",             # the sign the wrong way round
        "return False",              # the answer for c = 1 only
        # L'' on a grid without θ = 0: a small positive c slips through
        "t = np.linspace(-2, 2, 1000)\nreturn bool(np.all(12 * t**2 - 2 * c >= 0))",
        "return bool(12 * 2**2 - 2 * c >= 0)",     # L'' at the edge θ = 2, where it is largest
        "return not c",              # convex only for c = 0
    ],
}

VARIANTS = {
    "nb03_find_counterexample": [
        _SAMPLE.format(gap=_GAP, ret="if gap[i] > 1e-9:\n    return np.array([x[i], y[i], lam[i]])\nreturn None"),
        _SAMPLE.format(gap=_GAP, ret="if gap[i] > 1e-9:\n    return [x[i], y[i], lam[i]]\nreturn None"),
        # the first violation, not the largest
        "rng = np.random.default_rng(seed)\nx, y = rng.uniform(lo, hi, (2, n_samples))\nlam = rng.random(n_samples)\n"
        "z = lam * x + (1 - lam) * y\nbad = np.flatnonzero(f(z) - lam * f(x) - (1 - lam) * f(y) > 1e-9)\n"
        "if bad.size == 0:\n    return None\nk = bad[0]\nreturn x[k], y[k], lam[k]",
        # samples scaled by hand, the test written with np.any
        "rng = np.random.default_rng(seed)\nx = lo + (hi - lo) * rng.random(n_samples)\n"
        "y = lo + (hi - lo) * rng.random(n_samples)\nlam = rng.random(n_samples)\n"
        "gap = f(lam * x + (1 - lam) * y) - lam * f(x) - (1 - lam) * f(y)\n"
        "if not np.any(gap > 1e-9):\n    return None\ni = np.argmax(gap)\nreturn (x[i], y[i], lam[i])",
    ],
    "nb03_crest_chord": [
        "return [0, 2 * np.pi / omega, 0.5]",
        "return np.array([0.0, 2 * np.pi / omega, 0.5])",
        "return 2 * np.pi / omega, 4 * np.pi / omega, 0.5",   # the next pair of dips
        "return 0.0, 2 * np.pi / omega, 0.3",                 # z off the crest, the chord still below
        "return -2 * np.pi / omega, np.float64(0), np.float64(0.5)",
    ],
    "nb03_hessian_convex": [
        "(x0, x1), (y0, y1) = box\nA, B = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n), indexing='ij')\n"
        "return np.all(np.linalg.eigvalsh(hessian(np.stack([A, B], -1)))[..., 0] >= -1e-9)",   # a numpy bool
        "(x0, x1), (y0, y1) = box\nX, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))\n"
        "P = np.column_stack([X.ravel(), Y.ravel()])\nreturn bool(np.linalg.eigvalsh(hessian(P)).min() >= -1e-9)",
        # a loop over the grid points, one Hessian at a time
        "(x0, x1), (y0, y1) = box\nfor a in np.linspace(x0, x1, n):\n    for b in np.linspace(y0, y1, n):\n"
        "        if np.linalg.eigvalsh(hessian(np.array([a, b])))[0] < -1e-9:\n            return False\nreturn True",
        # the smallest eigenvalue of a 2 × 2 matrix in closed form
        _GRID + "a, b, c = H[..., 0, 0], H[..., 0, 1], H[..., 1, 1]\n"
        "lam_min = (a + c) / 2 - np.sqrt(((a - c) / 2) ** 2 + b ** 2)\nreturn bool(np.all(lam_min >= -1e-9))",
        _GRID + "return not np.any(np.linalg.eigvalsh(H)[..., 0] < -1e-9)",
    ],
    "nb03_quartic_is_convex": [
        "return bool(c <= 0)",
        "return np.less_equal(c, 0)",                        # a numpy bool
        "return -2 * c >= 0",                                # L''(0) ≥ 0, where L'' is smallest
        "return not c > 0",
        "t = np.linspace(-2, 2, 4001)\nreturn bool(np.all(12 * t**2 - 2 * c >= 0))",   # a grid that holds θ = 0
    ],
}
