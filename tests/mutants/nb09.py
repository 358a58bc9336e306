"""Wrong answers for notebook 09's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb09_combine_parts": [
        "return np.mean(np.asarray(grads), axis=0)",                                   # plain mean of the workers
        "g = np.asarray(grads); b = np.asarray(counts)\nreturn (b[:, None] * g).sum(axis=0)",  # not normalised
        "g = np.asarray(grads); b = np.asarray(counts)\nreturn (b[:, None] * g).sum(axis=0) / len(b)",  # by k
        "return np.sum(np.asarray(grads), axis=0)",                                    # sum, no weights
    ],
    "nb09_delayed_gd": [
        # the fresh iterate: ignores the delay
        "theta = [1.0]\nfor k in range(steps):\n    theta.append(theta[k] - q * theta[k])\nreturn np.array(theta)",
        # one step too stale
        "theta = [1.0]\nfor k in range(steps):\n    theta.append(theta[k] - q * theta[max(k - tau - 1, 0)])\n"
        "return np.array(theta)",
        # θ_j = 0 before the start instead of θ_0
        "theta = [1.0]\nfor k in range(steps):\n    old = theta[k - tau] if k - tau >= 0 else 0.0\n"
        "    theta.append(theta[k] - q * old)\nreturn np.array(theta)",
        # sign error
        "theta = [1.0]\nfor k in range(steps):\n    theta.append(theta[k] + q * theta[max(k - tau, 0)])\n"
        "return np.array(theta)",
        # the start is missing
        "theta = [1.0]\nfor k in range(steps):\n    theta.append(theta[k] - q * theta[max(k - tau, 0)])\n"
        "return np.array(theta[1:])",
    ],
    "nb09_stability_bound": [
        "return 2 / (tau + 1)",                                   # a guess that is right for τ = 0, 1 only
        "return 2 * np.sin(np.pi / (2 * tau + 1))",               # dropped a factor 2 in the angle
        "return np.pi / (2 * tau + 1)",                           # the large-τ approximation
        "return 2 * np.sin(np.pi / (2 * (tau + 1)))",             # the wrong phase condition
    ],
}
