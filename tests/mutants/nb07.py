"""Wrong answers for notebook 07's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb07_momentum_step": [
        "v = beta * v + lr * grad\ntheta = theta + v\nreturn theta, v",           # sign error: uphill
        "v = beta * v - lr * grad\ntheta = theta - v\nreturn theta, v",           # sign error in θ's update
        "v = beta * v + lr * grad\ntheta = theta - v\nreturn theta, v",           # PyTorch-like sign, v flipped
        "v = v - lr * grad\ntheta = theta + v\nreturn theta, v",                  # forgot β
        "theta = theta + v\nv = beta * v - lr * grad\nreturn theta, v",           # θ moved with the old v
        "v = beta * v - lr * grad\ntheta = theta + beta * v\nreturn theta, v",    # β applied twice
    ],
    "nb07_max_momentum_lr": [
        "return 2 / lam",                      # plain GD's edge: momentum ignored
        "return (2 + beta) / lam",             # half the momentum term
        "return (1 + beta) / lam",             # off by a factor 2
        "return 2 * (1 + beta) * lam",         # multiplied instead of divided
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
        # bias correction with k − 1 (0 at the first step)
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad**2\n"
        "m_hat, v_hat = m / (1 - beta1**(k + 1)), v / (1 - beta2**(k + 1))\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\nreturn theta, m, v",
        # v from g instead of g²
        "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * np.abs(grad)\n"
        "m_hat, v_hat = m / (1 - beta1**k), v / (1 - beta2**k)\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\nreturn theta, m, v",
    ],
    "nb07_first_to_settle": [
        "return min(steps, key=lambda n: steps[n] if steps[n] is not None else 0)",   # None counted as 0
        "done = {n: k for n, k in steps.items() if k is not None}\nreturn max(done, key=done.get) if done else None",
        "done = {n: k for n, k in steps.items() if k is not None}\nreturn min(done, key=done.get) if done else ''",
    ],
}
MUTANTS["nb07_nesterov_step"] = [
    "v = beta * v - lr * grad_fn(theta)\ntheta = theta + v\nreturn theta, v",                   # heavy ball
    "v = beta * v - lr * grad_fn(theta - beta * v)\ntheta = theta + v\nreturn theta, v",        # looks back
    "v = beta * v - lr * grad_fn(theta + v)\ntheta = theta + v\nreturn theta, v",               # without β
    "v = beta * v + lr * grad_fn(theta + beta * v)\ntheta = theta + v\nreturn theta, v",        # sign error
    "ahead = theta + beta * v\nv = beta * v - lr * grad_fn(ahead)\ntheta = ahead + v\nreturn theta, v",  # βv counted twice
]
