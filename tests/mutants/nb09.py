"""Wrong answers (MUTANTS) and right answers in another style (VARIANTS) for notebook 09's exercises
(see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb09_combine_parts": [
        "return np.mean(np.asarray(grads), axis=0)",                                   # plain mean of the workers
        "g = np.asarray(grads); b = np.asarray(counts)\nreturn (b[:, None] * g).sum(axis=0)",  # not normalised
        "g = np.asarray(grads); b = np.asarray(counts)\nreturn (b[:, None] * g).sum(axis=0) / len(b)",  # by k
        "return np.sum(np.asarray(grads), axis=0)",                                    # sum, no weights
        # weights along the wrong axis (broadcasts over the d coordinates when k == d, else crashes)
        "return (np.asarray(grads) * np.asarray(counts)).sum(axis=0) / np.sum(counts)",
        # integer division of the counts: every weight 0 unless there is one worker
        "b = np.asarray(counts)\nreturn ((b // b.sum())[:, None] * np.asarray(grads)).sum(axis=0)",
        # inverse weights: small parts count more
        "w = 1 / np.asarray(counts, dtype=float)\nreturn (w[:, None] * np.asarray(grads)).sum(axis=0) / w.sum()",
    ],
    "nb09_delayed_gd": [
        # calls the package's delayed run instead of writing the recursion (the notebook shows run(..., delay=τ))
        "from i2dl_helpers.objectives import get\nfrom i2dl_helpers.optim import GD, run\n"
        "return run(get('quadratic', curvature=1.0), GD(q), 1.0, steps, delay=tau, max_abs=1e300).points[:, 0]",
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
        # a preallocated array read at k − τ < 0: numpy's negative index reads the unfilled end (zeros)
        "theta = np.zeros(steps + 1)\ntheta[0] = 1.0\nfor k in range(steps):\n"
        "    theta[k + 1] = theta[k] - q * theta[k - tau]\nreturn theta",
        # a list read at k − τ < 0 without the max: Python's negative index
        "theta = [1.0]\nfor k in range(steps):\n    theta.append(theta[k] - q * theta[k - tau])\nreturn np.array(theta)",
        # the stale iterate in both terms
        "theta = [1.0]\nfor k in range(steps):\n    old = theta[max(k - tau, 0)]\n    theta.append(old - q * old)\n"
        "return np.array(theta)",
        # one step too many
        "theta = [1.0]\nfor k in range(steps + 1):\n    theta.append(theta[k] - q * theta[max(k - tau, 0)])\n"
        "return np.array(theta)",
    ],
    "nb09_stability_bound": [
        "return 2 / (tau + 1)",                                   # a guess that is right for τ = 0, 1 only
        "return 2 * np.sin(np.pi / (2 * tau + 1))",               # dropped a factor 2 in the angle
        "return np.pi / (2 * tau + 1)",                           # the large-τ approximation
        "return 2 * np.sin(np.pi / (2 * (tau + 1)))",             # the wrong phase condition
        "return 2 * np.sin(np.pi / (4 * tau + 1))",               # 2(2τ + 1) multiplied out wrongly
        "return np.sin(np.pi / (2 * (2 * tau + 1)))",             # |z − 1| without its factor 2
        "return 2 * np.sin(np.pi / (2 * (2 * tau + 1))) * 0.999", # "a little below the edge, to be safe"
    ],
}

VARIANTS = {
    "nb09_combine_parts": [
        "return np.average(grads, axis=0, weights=counts)",
        # a loop over the workers, a list returned
        "total, rows = 0.0, 0\nfor g, b in zip(grads, counts):\n    total = total + b * np.asarray(g)\n"
        "    rows += b\nreturn list(total / rows)",
        "return counts @ grads / counts.sum()",
        "return np.einsum('s,sd->d', counts, grads) / np.sum(counts)",
        # in place: the check passes copies, so changing grads is allowed
        "grads *= counts[:, None]\nreturn grads.sum(axis=0) / counts.sum()",
    ],
    "nb09_delayed_gd": [
        # a preallocated array
        "theta = np.empty(steps + 1)\ntheta[0] = 1.0\nfor k in range(steps):\n"
        "    theta[k + 1] = theta[k] - q * theta[max(k - tau, 0)]\nreturn theta",
        # a list, padded with τ copies of θ_0 in front
        "theta = [1.0] * (tau + 1)\nfor k in range(steps):\n    theta.append(theta[-1] - q * theta[-1 - tau])\n"
        "return theta[tau:]",
        # k − min(k, τ) is the same index; a tuple
        "theta = [1.0]\nk = 0\nwhile k < steps:\n    theta.append(theta[k] - q * theta[k - min(k, tau)])\n"
        "    k += 1\nreturn tuple(theta)",
    ],
    "nb09_stability_bound": [
        "import math\nreturn 2 * math.sin(math.pi / (4 * tau + 2))",
        "return 2 * np.cos(np.pi * tau / (2 * tau + 1))",         # the same number (sin x = cos(π/2 − x))
        "return np.array(2 * np.sin(np.pi / (2 * (2 * tau + 1))))",  # a 0-d array
        "omega = np.pi / (2 * tau + 1)\nreturn float(np.abs(np.exp(1j * omega) - 1))",  # |e^{iω} − 1| itself
    ],
}
