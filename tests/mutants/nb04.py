"""Wrong answers for notebook 04's exercises (see tests/mutants/__init__.py), and right ones in other styles."""
MUTANTS = {
    "nb04_quadratic_grad": [
        "return theta @ A.T - b",                         # Aθ − b: assumes A is symmetric
        "return theta @ (A + A.T) - b",                   # forgot the ½ of the symmetric part
        "return 0.5 * theta @ (A + A.T) + b",             # sign slip on the linear term
        "return 0.5 * (A + A.T) @ theta - b",             # only right for a single point, not for (n, d)
        "return A @ theta - b",                           # symmetric A assumed, and one point only
        "return theta @ A - b",                           # Aᵀθ − b: the other half only
        "return 0.5 * theta @ (A + A.T)",                 # forgot the linear term
        "return np.einsum('ij,nj->ni', 0.5 * (A + A.T), theta) - b",   # only right for a stack, not one point
        "M = 0.5 * (A + A.T)\nreturn (M @ theta.reshape(-1, 1)).ravel() - b",   # one point only, flattened
    ],
    "nb04_alpha_max": [
        "return 2.0 / float(np.min(curvatures))",         # the flat direction instead of the steep one
        "return 1.0 / float(np.max(curvatures))",         # the one-step-to-the-minimum rate, not the limit
        "return 2.0 / float(curvatures[-1])",             # assumes the curvatures come sorted
        "return 2.0 / float(curvatures[0])",              # assumes they come sorted, largest first
        "return 2.0 / float(np.mean(curvatures))",
        "return 2.0 / float(np.sum(curvatures))",         # every direction at once: too cautious
        "return 1.99 / float(np.max(curvatures))",        # a safety margin: not the largest α
        "return 2.0 / float(np.linalg.norm(curvatures))",
    ],
    "nb04_gd_step_grid": [
        "return points + lr * grad(points)",              # uphill
        "return np.array([p - lr * grad(p[None])[0] for p in points])",   # a Python loop over the starts
        "points -= lr * grad(points)\nreturn points",      # overwrites the caller's array
        "return -lr * grad(points)",                       # returns the step, not the new points
        "return points - grad(points)",                    # forgot the learning rate
        # one call of grad, but still a Python loop over the starts
        "G = grad(points)\nreturn np.array([p - lr * g for p, g in zip(points, G)])",
        "G = grad(points)\nnew = np.empty_like(points)\nfor i in range(len(points)):\n"
        "    new[i] = points[i] - lr * G[i]\nreturn new",
        "points[:] = points - lr * grad(points)\nreturn points.copy()",   # changes `points` in place
    ],
}

VARIANTS = {
    "nb04_quadratic_grad": [
        "return 0.5 * (theta @ A + theta @ A.T) - b",
        "S = 0.5 * (A + A.T)\nreturn (S @ np.asarray(theta).T).T - b",
        "return np.einsum('ij,...j->...i', 0.5 * (A + A.T), theta) - b",
        "return np.tensordot(theta, 0.5 * (A + A.T), axes=([-1], [0])) - b",
        # a loop over the rows of a stack (the exercise does not forbid loops)
        "theta = np.asarray(theta, dtype=float)\nS = 0.5 * (A + A.T)\nif theta.ndim == 1:\n"
        "    return S @ theta - b\nreturn np.array([S @ t - b for t in theta])",
        "return (0.5 * theta @ (A + A.T) - b).tolist()",  # nested lists of the right shape
        "theta = np.array(theta, dtype=float)\ntheta @= 0.5 * (A + A.T)\ntheta -= b\nreturn theta",
    ],
    "nb04_alpha_max": [
        "return 2 / max(curvatures)",
        "return 2.0 / np.sort(curvatures)[-1]",
        "return np.float64(2) / np.max(curvatures)",
        "return np.array(2.0 / np.max(curvatures))",        # a 0-d array
        "largest = 0.0\nfor lam in curvatures:\n    largest = max(largest, lam)\nreturn 2 / largest",
        "curvatures.sort()\nreturn 2.0 / curvatures[-1]",  # sorts its input in place
    ],
    "nb04_gd_step_grid": [
        "return np.subtract(points, lr * grad(points))",
        "new = points.copy()\nnew -= lr * grad(points)\nreturn new",
        "return (points - lr * grad(points)).tolist()",
        "new = np.array(points, dtype=float)\nnew -= lr * grad(new)\nreturn new",
        "return points + (-lr) * np.asarray(grad(points))",
    ],
}
