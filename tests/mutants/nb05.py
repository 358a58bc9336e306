"""Wrong answers for notebook 05's exercises (see tests/mutants/__init__.py), and right ones in other styles."""
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
        # <= where the rule says <: a step exactly ε long stops the run
        "theta = np.array(theta0, dtype=float)\nfor k in range(1, max_steps + 1):\n"
        "    new = theta - lr * grad(theta)\n    if np.linalg.norm(new - theta) <= eps:\n        return new, k\n"
        "    theta = new\nreturn theta, max_steps",
        # compares the squared step length with ε
        "theta = np.array(theta0, dtype=float)\nfor k in range(1, max_steps + 1):\n"
        "    new = theta - lr * grad(theta)\n    if np.sum((new - theta) ** 2) < eps:\n        return new, k\n"
        "    theta = new\nreturn theta, max_steps",
        # the step budget counts one update too many
        "theta = np.array(theta0, dtype=float)\nfor k in range(1, max_steps + 2):\n"
        "    new = theta - lr * grad(theta)\n    if np.linalg.norm(new - theta) < eps:\n        return new, k\n"
        "    theta = new\nreturn theta, max_steps",
    ],
    "nb05_predicted_steps": [
        "return k_ref + per_decade * np.log10(eps / eps_ref)",      # the log upside down
        "return k_ref + per_decade * np.log(eps_ref / eps)",        # natural log, not factors of 10
        "return per_decade * np.log10(eps_ref / eps)",              # forgot the steps already needed at ε_ref
        # rounds up with int(x) + 1: one step too many when the prediction is a whole number
        "return int(k_ref + per_decade * np.log10(eps_ref / eps)) + 1",
        # counts whole factors of 10 only (right on a table of powers of ten, wrong between them)
        "return k_ref + per_decade * int(round(np.log10(eps_ref / eps)))",
        "return k_ref + per_decade * int(np.log10(eps_ref / eps))",
        # walks down the table one factor 10 at a time: only for ε = ε_ref / 10^j
        "k, e = k_ref, eps_ref\nwhile e > eps * 1.0000001:\n    e /= 10\n    k += per_decade\nreturn k",
        "return k_ref * per_decade * np.log10(eps_ref / eps)",
    ],
    "nb05_alpha_star": [
        "return float(g @ A @ g) / float(g @ g)",                   # upside down
        "return float(g @ g) / float(g @ g)",                       # ignores the curvature
        "return 2 * float(g @ g) / float(g @ A @ g)",              # the step limit, not the best step
        "return 1.0 / float(np.max(np.linalg.eigvalsh(A)))",       # 1/λ_max: exact only along the steepest axis
        "return float(np.linalg.norm(g)) / float(g @ A @ g)",      # ‖g‖ where gᵀg belongs
        "return 0.5 * float(g @ g) / float(g @ A @ g)",            # the ½ of ½α²gᵀAg kept after differentiating
        "return float(g @ g) / float(np.sum(A) * (g @ g))",
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
        # < where the condition says <=: a step exactly on the Armijo line is rejected
        "alpha, n = alpha0, 0\nwhile True:\n    n += 1\n    if phi(alpha) < phi0 + c * alpha * slope:\n"
        "        return alpha, n\n    alpha *= rho",
        # the Armijo line without α: φ(0) + c·φ'(0)
        "alpha, n = alpha0, 0\nwhile True:\n    n += 1\n    if phi(alpha) <= phi0 + c * slope:\n"
        "        return alpha, n\n    alpha *= rho",
        # evaluates φ(0) again instead of using phi0
        "f0, alpha, n = phi(0.0), alpha0, 1\nwhile True:\n    n += 1\n    if phi(alpha) <= f0 + c * alpha * slope:\n"
        "        return alpha, n\n    alpha *= rho",
        # counts the shrinks, not the evaluations
        "alpha, n = alpha0, 0\nwhile phi(alpha) > phi0 + c * alpha * slope:\n    alpha *= rho\n    n += 1\n"
        "return alpha, n",
    ],
}

VARIANTS = {
    "nb05_gd_until_small_step": [
        # a while loop, the pair as a list, the count as a float
        "theta, k = np.asarray(theta0, dtype=float), 0\nwhile k < max_steps:\n    step = lr * grad(theta)\n"
        "    theta = theta - step\n    k += 1\n    if np.sqrt(np.sum(step ** 2)) < eps:\n        break\n"
        "return [theta, float(k)]",
        # updates θ in place (the check passes copies)
        "theta = np.array(theta0, dtype=float)\nfor k in range(1, max_steps + 1):\n    step = lr * grad(theta)\n"
        "    theta -= step\n    if np.linalg.norm(step) < eps:\n        break\nreturn theta, np.int64(k)",
        "theta = np.asarray(theta0, dtype=float)\nk = 0\nfor k in range(1, max_steps + 1):\n"
        "    new = theta - lr * grad(theta)\n    short = np.hypot.reduce(new - theta) < eps\n    theta = new\n"
        "    if short:\n        break\nreturn theta.tolist(), k",
    ],
    "nb05_predicted_steps": [
        "import math\nreturn k_ref + per_decade * math.log10(eps_ref / eps)",
        "return k_ref + per_decade * (np.log10(eps_ref) - np.log10(eps))",
        "import math\nreturn math.ceil(k_ref + per_decade * math.log10(eps_ref / eps))",    # rounded up
        "return round(k_ref + per_decade * np.log10(eps_ref / eps))",                       # rounded
        "return int(k_ref + per_decade * np.log10(eps_ref / eps))",                         # rounded down
        "return k_ref + per_decade * np.log(eps_ref / eps) / np.log(10)",
        "return np.array(k_ref - per_decade * np.log10(eps / eps_ref))",
    ],
    "nb05_alpha_star": [
        "return np.dot(g, g) / np.dot(g, np.dot(A, g))",
        "return np.sum(g ** 2) / (g @ (A @ g))",
        "return np.linalg.norm(g) ** 2 / (g @ A @ g)",
        "return np.array((g @ g) / (g @ A @ g))",            # a 0-d array
        "num = den = 0.0\nAg = A @ g\nfor i in range(len(g)):\n    num += g[i] * g[i]\n    den += g[i] * Ag[i]\n"
        "return num / den",
        "return (g @ g) / (g @ A.T @ g)",
    ],
    "nb05_armijo": [
        "n = 0\nalpha = alpha0\nwhile True:\n    value = phi(alpha)\n    n += 1\n"
        "    if value - phi0 <= c * alpha * slope:\n        break\n    alpha = rho * alpha\nreturn [alpha, n]",
        "for n in range(1, 10_000):\n    alpha = alpha0 * rho ** (n - 1)\n"
        "    if phi(alpha) <= phi0 + c * slope * alpha:\n        return np.array([alpha, n])\n"
        "raise RuntimeError('no step found')",
        "alpha, n = np.float64(alpha0), np.int64(0)\nwhile True:\n    n += 1\n"
        "    if not phi(alpha) > phi0 + alpha * c * slope:\n        return alpha, n\n    alpha *= rho",
    ],
}
