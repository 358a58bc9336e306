"""Wrong answers for notebook 06's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb06_minibatch_gradient": [
        "Xb, yb = X[idx], y[idx]\nreturn 2.0 / len(y) * Xb.T @ (Xb @ w - yb)",    # divides by n: biased
        "Xb, yb = X[idx], y[idx]\nreturn 1.0 / len(idx) * Xb.T @ (Xb @ w - yb)",  # lost the 2 of the square
        "Xb, yb = X[idx], y[idx]\nreturn 2.0 * Xb.T @ (Xb @ w - yb)",             # the sum, not the mean
        "Xb, yb = X[idx], y[idx]\nreturn 2.0 / len(idx) * Xb.T @ (yb - Xb @ w)",  # residual upside down
        "return 2.0 / len(y) * X.T @ (X @ w - y)",                                 # the full gradient
    ],
    "nb06_batch_for_variance": [
        "import math\nreturn math.ceil(r)",                                # ignores the (n − B)/(n − 1) correction
        "return r * n / (n - 1 + r)",                                       # not rounded up to a whole batch
        "import math\nreturn math.floor(r * n / (n - 1 + r))",             # rounded down: variance too large
    ],
    "nb06_sgd_epoch": [
        # no reshuffle: the samples in their stored order every epoch
        "order = np.arange(len(y))\nfor start in range(0, len(y), batch_size):\n"
        "    idx = order[start:start + batch_size]\n    theta = theta - lr * grad(theta, X[idx], y[idx])\nreturn theta",
        # batches drawn with replacement
        "for _ in range(0, len(y), batch_size):\n    idx = rng.integers(0, len(y), batch_size)\n"
        "    theta = theta - lr * grad(theta, X[idx], y[idx])\nreturn theta",
        # drops the last, incomplete batch
        "order = rng.permutation(len(y))\nfor start in range(0, len(y) - batch_size + 1, batch_size):\n"
        "    idx = order[start:start + batch_size]\n    theta = theta - lr * grad(theta, X[idx], y[idx])\nreturn theta",
        # every batch's gradient taken at the epoch's start θ (one big step, not n/B steps)
        "order = rng.permutation(len(y))\nstart_theta = theta\nfor start in range(0, len(y), batch_size):\n"
        "    idx = order[start:start + batch_size]\n    theta = theta - lr * grad(start_theta, X[idx], y[idx])\nreturn theta",
        # a fixed seed: the same order every epoch
        "order = np.random.default_rng(0).permutation(len(y))\nfor start in range(0, len(y), batch_size):\n"
        "    idx = order[start:start + batch_size]\n    theta = theta - lr * grad(theta, X[idx], y[idx])\nreturn theta",
    ],
    "nb06_work_to_target": [
        "hit = np.flatnonzero(np.asarray(gaps) <= target)\nreturn None if hit.size == 0 else int(hit[0] + 1) * samples_per_step",
        "hit = np.flatnonzero(np.asarray(gaps) <= target)\nreturn None if hit.size == 0 else int(hit[0])",
        "hit = np.flatnonzero(np.asarray(gaps) <= target)\nreturn 0 if hit.size == 0 else int(hit[0]) * samples_per_step",
        "return int(np.argmax(np.asarray(gaps) <= target)) * samples_per_step",
    ],
}
