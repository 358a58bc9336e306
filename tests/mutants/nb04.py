"""Wrong answers for notebook 04's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb04_quadratic_grad": [
        "return theta @ A.T - b",                         # Aθ − b: assumes A is symmetric
        "return theta @ (A + A.T) - b",                   # forgot the ½ of the symmetric part
        "return 0.5 * theta @ (A + A.T) + b",             # sign slip on the linear term
        "return 0.5 * (A + A.T) @ theta - b",             # only right for a single point, not for (n, d)
    ],
    "nb04_alpha_max": [
        "return 2.0 / float(np.min(curvatures))",         # the flat direction instead of the steep one
        "return 1.0 / float(np.max(curvatures))",         # the one-step-to-the-minimum rate, not the limit
        "return 2.0 / float(curvatures[-1])",             # assumes the curvatures come sorted
        "return 2.0 / float(np.mean(curvatures))",
    ],
    "nb04_gd_step_grid": [
        "return points + lr * grad(points)",              # uphill
        "return np.array([p - lr * grad(p[None])[0] for p in points])",   # a Python loop over the starts
        "points -= lr * grad(points)\nreturn points",      # overwrites the caller's array
        "return -lr * grad(points)",                       # returns the step, not the new points
    ],
}
