"""Wrong answers (MUTANTS) and right answers in other styles (VARIANTS) for notebook 07's exercises
(see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb07_momentum_step": [
        "v = beta * v + lr * grad\ntheta = theta + v\nreturn theta, v",           # sign error: uphill
        "v = beta * v - lr * grad\ntheta = theta - v\nreturn theta, v",           # sign error in θ's update
        "v = beta * v + lr * grad\ntheta = theta - v\nreturn theta, v",           # PyTorch-like sign, v flipped
        "v = v - lr * grad\ntheta = theta + v\nreturn theta, v",                  # forgot β
        "theta = theta + v\nv = beta * v - lr * grad\nreturn theta, v",           # θ moved with the old v
        "v = beta * v - lr * grad\ntheta = theta + beta * v\nreturn theta, v",    # β applied twice
        "v = beta * v + grad\ntheta = theta - lr * v\nreturn theta, v",           # PyTorch's buffer returned as v
        "v = beta * v - lr * grad\ntheta = theta + v\nreturn v, theta",           # the pair swapped
        "v = beta * (v - lr * grad)\ntheta = theta + v\nreturn theta, v",         # β on the gradient too
        "v = beta * v - (1 - beta) * lr * grad\ntheta = theta + v\nreturn theta, v",  # dampened (an average)
    ],
    "nb07_nesterov_step": [
        "v = beta * v - lr * grad_fn(theta)\ntheta = theta + v\nreturn theta, v",                   # heavy ball
        "v = beta * v - lr * grad_fn(theta - beta * v)\ntheta = theta + v\nreturn theta, v",        # looks back
        "v = beta * v - lr * grad_fn(theta + v)\ntheta = theta + v\nreturn theta, v",               # without β
        "v = beta * v + lr * grad_fn(theta + beta * v)\ntheta = theta + v\nreturn theta, v",        # sign error
        "ahead = theta + beta * v\nv = beta * v - lr * grad_fn(ahead)\ntheta = ahead + v\nreturn theta, v",  # βv twice
        # PyTorch's iterate (the next look-ahead point) returned as θ
        "v = beta * v - lr * grad_fn(theta + beta * v)\nreturn theta + v + beta * v, v",
        # two gradients per step
        "g = grad_fn(theta + beta * v)\ngrad_fn(theta)\nv = beta * v - lr * g\nreturn theta + v, v",
        "v = beta * v - lr * grad_fn(theta + beta * v)\nreturn theta + v, -v",                      # v's sign
        "v = beta * v - lr * grad_fn(theta + beta * v)\nreturn v, theta + v",                       # swapped
    ],
    "nb07_max_momentum_lr": [
        "return 2 / lam",                      # plain GD's edge: momentum ignored
        "return (2 + beta) / lam",             # half the momentum term
        "return (1 + beta) / lam",             # off by a factor 2
        "return 2 * (1 + beta) * lam",         # multiplied instead of divided
        "return 2 + 2 * beta",                 # the edge of q = αλ, not of α
        "return (1 + beta**0.5) ** 2 / lam",   # the critical-damping curve
        "return 2 / (lam * (1 - beta))",       # the velocity's gain 1/(1 − β)
        "return (2 + 2 * beta) / lam**2",      # λ twice
        "return 2 / lam + 2 * beta",           # precedence: only 2 divided by λ
        "return 2 * (1 + beta**2) / lam",      # β²
        "return 0.999 * (2 + 2 * beta) / lam",  # a safe value below the edge, not the edge itself
    ],
    "nb07_adam_step": [
        # Adam without bias correction
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "theta = theta - lr * m / (np.sqrt(v) + eps)\nreturn theta, m, v",
        # only the first moment corrected
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "theta = theta - lr * (m / (1 - beta1**k)) / (np.sqrt(v) + eps)\nreturn theta, m, v",
        # ε inside the square root
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta2**k)\n"
        "theta = theta - lr * m_hat / np.sqrt(v_hat + eps)\nreturn theta, m, v",
        # returns the corrected moments as the new state
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m, v = m / (1 - beta1**k), v / (1 - beta2**k)\n"
        "theta = theta - lr * m / (np.sqrt(v) + eps)\nreturn theta, m, v",
        # bias correction with k + 1
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m_hat, v_hat = m / (1 - beta1**(k + 1)), v / (1 - beta2**(k + 1))\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\nreturn theta, m, v",
        # bias correction with k − 1 (0 at the first step)
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m_hat, v_hat = m / (1 - beta1**(k - 1)), v / (1 - beta2**(k - 1))\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\nreturn theta, m, v",
        # v from |g| instead of g²
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * np.abs(grad)\n"
        "m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta2**k)\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\nreturn theta, m, v",
        # ε outside the division (precedence)
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta2**k)\n"
        "theta = theta - lr * m_hat / np.sqrt(v_hat) + eps\nreturn theta, m, v",
        # (1 − β)ᵏ for 1 − βᵏ
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m_hat, v_hat = m / (1 - beta1)**k, v / (1 - beta2)**k\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\nreturn theta, m, v",
        # v corrected with β₁
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta1**k)\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\nreturn theta, m, v",
    ],
    "nb07_first_to_settle": [
        "return min(steps, key=lambda n: steps[n] if steps[n] is not None else 0)",   # None counted as 0
        "done = {n: k for n, k in steps.items() if k is not None}\nreturn max(done, key=done.get) if done else None",
        "done = {n: k for n, k in steps.items() if k is not None}\nreturn min(done, key=done.get) if done else ''",
        "return min(steps, key=steps.get)",                                         # None not handled
        # a racer that settled at step 0 dropped (0 is falsy)
        "done = {n: k for n, k in steps.items() if k}\nreturn min(done, key=done.get) if done else None",
        # None as infinity, but a name even when nobody settled
        "return min(steps, key=lambda n: float('inf') if steps[n] is None else steps[n])",
        # the first racer that settled, in the dict's order
        "done = [n for n, k in steps.items() if k is not None]\nreturn done[0] if done else None",
        # the number of steps, not the name
        "done = {n: k for n, k in steps.items() if k is not None}\nreturn min(done.values()) if done else None",
        # 0 treated as "never settled" by `or`
        "done = {n: k for n, k in steps.items() if k is not None}\n"
        "return min(done, key=lambda n: done[n] or 10**9) if done else None",
    ],
}

VARIANTS = {
    "nb07_momentum_step": [
        "v_new = beta * v - lr * grad\nreturn [theta + v_new, v_new]",                       # a list
        "v *= beta\nv -= lr * grad\ntheta += v\nreturn theta, v",                              # in place
        "return np.array([theta + beta * v - lr * grad, beta * v - lr * grad])",               # one array
        "new_v = np.empty_like(v)\nfor i in range(len(v)):\n    new_v[i] = beta * v[i] - lr * grad[i]\n"
        "return theta + new_v, new_v",                                                         # a loop
        "new_theta = theta + beta * v - lr * grad\nreturn new_theta, new_theta - theta",       # v as the step
    ],
    "nb07_nesterov_step": [
        "v = beta * v - lr * np.asarray(grad_fn(list(theta + beta * v)))\nreturn [theta + v, v]",
        "v *= beta\nv -= lr * grad_fn(theta + v)\ntheta += v\nreturn np.array([theta, v])",   # in place, one array
        "ahead = theta + beta * v\nnew_theta = ahead - lr * grad_fn(ahead)\nreturn new_theta, new_theta - theta",
    ],
    "nb07_max_momentum_lr": [
        "return 2 * (1 + beta) / lam",
        "return np.float32(2 + 2 * beta) / np.float32(lam)",
        "return np.array((2 + 2 * beta) / lam)",
        "q = 2.0 * (1.0 + beta)\nalpha = q / lam\nreturn np.float64(alpha)",
        # numerically: bisection on the spectral radius of the iteration matrix
        "def rho(q):\n"
        "    return max(abs(np.linalg.eigvals(np.array([[1 + beta - q, -beta], [1.0, 0.0]]))))\n"
        "lo, hi = 0.0, 8.0\n"
        "for _ in range(100):\n"
        "    mid = (lo + hi) / 2\n"
        "    lo, hi = (mid, hi) if rho(mid) < 1 else (lo, mid)\n"
        "return (lo + hi) / 2 / lam",
    ],
    "nb07_adam_step": [
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * np.square(grad)\n"
        "step = lr * (m / (1 - beta1**k)) / (np.sqrt(v / (1 - beta2**k)) + eps)\nreturn [theta - step, m, v]",
        "m *= beta1\nm += (1 - beta1) * grad\nv *= beta2\nv += (1 - beta2) * grad * grad\n"
        "theta -= lr * (m / (1 - beta1**k)) / (np.sqrt(v / (1 - beta2**k)) + eps)\nreturn theta, m, v",
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "return np.array([theta - lr * m / (1 - beta1**k) / (np.sqrt(v / (1 - beta2**k)) + eps), m, v])",
        "new_theta, new_m, new_v = theta.copy(), m.copy(), v.copy()\n"
        "for i in range(theta.size):\n"
        "    new_m[i] = beta1 * m[i] + (1 - beta1) * grad[i]\n"
        "    new_v[i] = beta2 * v[i] + (1 - beta2) * grad[i] ** 2\n"
        "    m_hat = new_m[i] / (1 - beta1 ** k)\n"
        "    v_hat = new_v[i] / (1 - beta2 ** k)\n"
        "    new_theta[i] = theta[i] - lr * m_hat / (v_hat ** 0.5 + eps)\n"
        "return new_theta, new_m, new_v",
    ],
    "nb07_first_to_settle": [
        "best = None\nfor name, k in steps.items():\n"
        "    if k is not None and (best is None or k < steps[best]):\n        best = name\nreturn best",
        "best = None\nfor name, k in steps.items():\n"
        "    if k is not None and (best is None or k <= steps[best]):\n        best = name\nreturn best",
        "settled = [(k, name) for name, k in steps.items() if k is not None]\nreturn min(settled)[1] if settled else None",
        "return min((n for n in steps if steps[n] is not None), key=lambda n: steps[n], default=None)",
        "import math\nbest = min(steps, key=lambda n: math.inf if steps[n] is None else steps[n], default=None)\n"
        "return None if best is None or steps[best] is None else best",
        "done = {n: k for n, k in steps.items() if k is not None}\nif not done:\n    return None\n"
        "names = np.array(list(done))\nreturn names[np.argmin(list(done.values()))]",
    ],
}
