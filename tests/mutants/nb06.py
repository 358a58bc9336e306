"""Wrong answers for notebook 06's exercises (see tests/mutants/__init__.py), and right ones in other styles."""
MUTANTS = {
    "nb06_minibatch_gradient": [
        "Xb, yb = X[idx], y[idx]\nreturn 2.0 / len(y) * Xb.T @ (Xb @ w - yb)",    # divides by n: biased
        "Xb, yb = X[idx], y[idx]\nreturn 1.0 / len(idx) * Xb.T @ (Xb @ w - yb)",  # lost the 2 of the square
        "Xb, yb = X[idx], y[idx]\nreturn 2.0 * Xb.T @ (Xb @ w - yb)",             # the sum, not the mean
        "Xb, yb = X[idx], y[idx]\nreturn 2.0 / len(idx) * Xb.T @ (yb - Xb @ w)",  # residual upside down
        "return 2.0 / len(y) * X.T @ (X @ w - y)",                                 # the full gradient
        # right, but with the Python loop over the rows the exercise rules out
        "g = np.zeros_like(w, dtype=float)\nfor i in idx:\n    g = g + 2 * X[i] * (X[i] @ w - y[i])\nreturn g / len(idx)",
        "return np.mean([2 * X[i] * (X[i] @ w - y[i]) for i in idx], axis=0)",
    ],
    "nb06_batch_for_variance": [
        "import math\nreturn math.ceil(r)",                                # ignores the (n − B)/(n − 1) correction
        "return r * n / (n - 1 + r)",                                       # not rounded up to a whole batch
        "import math\nreturn math.floor(r * n / (n - 1 + r))",             # rounded down: variance too large
        "return int(r * n / (n - 1 + r)) + 1",                              # int(x) + 1 is not ceil for a whole x
        "return round(r * n / (n - 1 + r))",                                # rounded to the nearest
        "import math\nreturn max(1, math.ceil(r * n / (n + r)))",          # n in place of n − 1
        "import math\nreturn math.ceil(r * (n - 1) / (n - 1 + r))",        # solved the inequality wrongly
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
        # ⌈n/B⌉ batches of nearly equal size, not batches of B
        "import math\norder = rng.permutation(len(y))\n"
        "for idx in np.array_split(order, math.ceil(len(y) / batch_size)):\n"
        "    theta = theta - lr * grad(theta, X[idx], y[idx])\nreturn theta",
        # n // B batches: none at all when B > n, and the rest dropped
        "order = rng.permutation(len(y))\nfor k in range(len(y) // batch_size):\n"
        "    idx = order[k * batch_size:(k + 1) * batch_size]\n    theta = theta - lr * grad(theta, X[idx], y[idx])\n"
        "return theta",
    ],
    "nb06_work_to_target": [
        "hit = np.flatnonzero(np.asarray(gaps) <= target)\nreturn None if hit.size == 0 else int(hit[0] + 1) * samples_per_step",
        "hit = np.flatnonzero(np.asarray(gaps) <= target)\nreturn None if hit.size == 0 else int(hit[0])",
        "hit = np.flatnonzero(np.asarray(gaps) <= target)\nreturn 0 if hit.size == 0 else int(hit[0]) * samples_per_step",
        "return int(np.argmax(np.asarray(gaps) <= target)) * samples_per_step",
        # counts the entries above the target (right only for runs that fall monotonically)
        "gaps = np.asarray(gaps)\nif not np.any(gaps <= target):\n    return None\n"
        "return int(np.sum(gaps > target)) * samples_per_step",
        "gaps = np.asarray(gaps)\nif not np.any(gaps <= target):\n    return None\n"
        "return (len(gaps) - int(np.sum(gaps <= target))) * samples_per_step",
        # < where the text says <=
        "hit = np.flatnonzero(np.asarray(gaps) < target)\nreturn None if hit.size == 0 else int(hit[0]) * samples_per_step",
        # the last step below the target
        "hit = np.flatnonzero(np.asarray(gaps) <= target)\nreturn None if hit.size == 0 else int(hit[-1]) * samples_per_step",
        # a start already at the target is taken for 'never'
        "k = int(np.argmax(np.asarray(gaps) <= target))\nreturn None if k == 0 else k * samples_per_step",
    ],
}

VARIANTS = {
    "nb06_minibatch_gradient": [
        "Xb = X[idx]\nreturn 2 * Xb.T.dot(Xb.dot(w) - y[idx]) / idx.size",
        "r = X[idx] @ w - y[idx]\nreturn np.mean(2 * X[idx] * r[:, None], axis=0)",
        "return 2 * np.einsum('bi,b->i', X[idx], X[idx] @ w - y[idx]) / len(idx)",
        "Xb, yb = np.take(X, idx, axis=0), np.take(y, idx)\nreturn (2.0 / Xb.shape[0] * (Xb @ w - yb) @ Xb).tolist()",
    ],
    "nb06_batch_for_variance": [
        "import math\nreturn math.ceil(r * n / (n - 1 + r))",
        "import numpy as np\nreturn int(np.ceil(r / (1 + (r - 1) / n)))",
        "import math\nreturn float(math.ceil(n / ((n - 1) / r + 1)))",                     # a whole float
        # a search over B with the inequality itself
        "B = 1\nwhile (n - B) / (B * (n - 1)) > 1 / r:\n    B += 1\nreturn B",
        "import numpy as np\nB = np.arange(1, n + 1)\nreturn B[np.argmax((n - B) / (B * (n - 1)) <= 1 / r)]",  # np.int64
    ],
    "nb06_sgd_epoch": [
        "order = np.arange(len(y))\nrng.shuffle(order)\nstart = 0\nwhile start < len(order):\n"
        "    idx = order[start:start + batch_size]\n    theta = theta - lr * grad(theta, X[idx], y[idx])\n"
        "    start += batch_size\nreturn theta",
        "order = rng.permutation(X.shape[0])\nfor idx in np.array_split(order, range(batch_size, len(order), batch_size)):\n"
        "    theta -= lr * grad(theta, X[idx], y[idx])\nreturn theta",              # in place (the check passes a copy)
        "order = rng.permutation(len(y))\nbatches = [order[i:i + batch_size] for i in range(0, len(y), batch_size)]\n"
        "for idx in batches:\n    theta = theta - lr * np.asarray(grad(theta, X[idx], y[idx]))\nreturn list(theta)",
    ],
    "nb06_work_to_target": [
        "for k, gap in enumerate(gaps):\n    if gap <= target:\n        return k * samples_per_step\nreturn None",
        "return next((k * samples_per_step for k, g in enumerate(gaps) if g <= target), None)",
        "below = np.asarray(gaps) <= target\nreturn float(np.argmax(below) * samples_per_step) if below.any() else None",
        "hit = np.nonzero(np.asarray(gaps) <= target)[0]\nreturn np.int64(hit[0]) * samples_per_step if len(hit) else None",
    ],
}
