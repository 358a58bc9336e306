"""Wrong answers for notebook 05's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb05_gd_until_small_step": [
        # stops on a small gradient instead of a small step (off by the factor α)
        "theta = np.array(theta0, dtype=float)\nfor k in range(1, max_steps + 1):\n"
        "    g = grad(theta)\n    if np.linalg.norm(g) < eps:\n        return theta, k - 1\n"
        "    theta = theta - lr * g\nreturn theta, max_steps",
        # returns the point before the short step
        "theta = np.array(theta0, dtype=float)\nfor k in range(1, max_steps + 1):\n"
        "    new = theta - lr * grad(theta)\n    if np.linalg.norm(new - theta) < eps:\n        return theta, k\n"
        "    theta = new\nreturn theta, max_steps",
        # counts from 0: one step too few
        "theta = np.array(theta0, dtype=float)\nfor k in range(max_steps):\n"
        "    new = theta - lr * grad(theta)\n    if np.linalg.norm(new - theta) < eps:\n        return new, k\n"
        "    theta = new\nreturn theta, max_steps",
        # ignores the step budget's end: returns k = max_steps − 1
        "theta = np.array(theta0, dtype=float)\nk = 0\nwhile k < max_steps - 1:\n    k += 1\n"
        "    new = theta - lr * grad(theta)\n    if np.linalg.norm(new - theta) < eps:\n        return new, k\n"
        "    theta = new\nreturn theta, k",
    ],
    "nb05_predicted_steps": [
        "return k_ref + per_decade * np.log10(eps / eps_ref)",      # the log upside down
        "return k_ref + per_decade * np.log(eps_ref / eps)",        # natural log, not factors of 10
        "return per_decade * np.log10(eps_ref / eps)",              # forgot the steps already needed at ε_ref
    ],
    "nb05_alpha_star": [
        "return float(g @ A @ g) / float(g @ g)",                   # upside down
        "return float(g @ g) / float(g @ g)",                       # ignores the curvature
        "return 2 * float(g @ g) / float(g @ A @ g)",              # the step limit, not the best step
    ],
    "nb05_armijo": [
        # sign slip: φ(0) − cαφ'(0) accepts steps that raise the loss
        "alpha, n = alpha0, 0\nwhile True:\n    n += 1\n    if phi(alpha) <= phi0 - c * alpha * slope:\n"
        "        return alpha, n\n    alpha *= rho",
        # no sufficient decrease at all: any decrease is accepted
        "alpha, n = alpha0, 0\nwhile True:\n    n += 1\n    if phi(alpha) < phi0:\n        return alpha, n\n"
        "    alpha *= rho",
        # shrinks once too often: returns ρ × the accepted step
        "alpha, n = alpha0, 0\nwhile True:\n    n += 1\n    alpha *= rho\n    if phi(alpha) <= phi0 + c * alpha * slope:\n"
        "        return alpha, n",
        # evaluates φ twice per trial (and counts only once)
        "alpha, n = alpha0, 0\nwhile phi(alpha) > phi0 + c * alpha * slope:\n    n += 1\n    alpha *= rho\n"
        "phi(alpha)\nreturn alpha, n + 1",
        # counts φ(0) as an evaluation
        "alpha, n = alpha0, 1\nwhile True:\n    n += 1\n    if phi(alpha) <= phi0 + c * alpha * slope:\n"
        "        return alpha, n\n    alpha *= rho",
    ],
}
