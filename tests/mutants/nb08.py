"""Wrong answers (MUTANTS) and right answers in other styles (VARIANTS) for notebook 08's exercises
(see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb08_softmax_cross_entropy": [
        # the textbook formula without the max shift: exp(1e4) overflows
        "n = logits.shape[0]\n"
        "p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)\n"
        "loss = -np.mean(np.log(p[np.arange(n), y]))\n"
        "dlogits = p.copy()\n"
        "dlogits[np.arange(n), y] -= 1\n"
        "return loss, dlogits / n",
        # one global maximum instead of one per row: a row far below it underflows to log(0)
        "n = logits.shape[0]\n"
        "z = logits - logits.max()\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), y])\n"
        "dlogits = p.copy()\n"
        "dlogits[np.arange(n), y] -= 1\n"
        "return loss, dlogits / n",
        # the gradient of the sum, not of the mean (missing 1/n)
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), y])\n"
        "dlogits = p.copy()\n"
        "dlogits[np.arange(n), y] -= 1\n"
        "return loss, dlogits",
        # the sign of the gradient flipped (one-hot − p)
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), y])\n"
        "dlogits = -p\n"
        "dlogits[np.arange(n), y] += 1\n"
        "return loss, dlogits / n",
        # the sum of the losses instead of the mean
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = np.sum(np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), y])\n"
        "dlogits = p.copy()\n"
        "dlogits[np.arange(n), y] -= 1\n"
        "return loss, dlogits / n",
        # the shifted sum with the unshifted logit: the row maximum is not added back
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = np.mean(np.log(np.exp(z).sum(axis=1)) - logits[np.arange(n), y])\n"
        "dlogits = p.copy()\n"
        "dlogits[np.arange(n), y] -= 1\n"
        "return loss, dlogits / n",
        # a stable softmax, then the log of a probability that underflows to 0
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = -np.mean(np.log(p[np.arange(n), y]))\n"
        "dlogits = p.copy()\n"
        "dlogits[np.arange(n), y] -= 1\n"
        "return loss, dlogits / n",
        # the softmax as the gradient: the one-hot labels not subtracted
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), y])\n"
        "return loss, p / n",
        # one per sample, not the mean: an array of losses
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "dlogits = p.copy()\n"
        "dlogits[np.arange(n), y] -= 1\n"
        "return np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), y], dlogits / n",
        # the one-hot subtracted in whole columns: dlogits[:, y]
        "n = logits.shape[0]\n"
        "z = logits - logits.max(axis=1, keepdims=True)\n"
        "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
        "loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(n), y])\n"
        "dlogits = p.copy()\n"
        "dlogits[:, y] -= 1\n"
        "return loss, dlogits / n",
    ],
    "nb08_adamw_step": [
        # L2 regularisation inside Adam (torch's Adam(weight_decay)), not decoupled decay
        "b1, b2 = betas\n"
        "g = grad + weight_decay * theta\n"
        "m = b1 * m + (1 - b1) * g\n"
        "v = b2 * v + (1 - b2) * g * g\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        # no bias correction
        "b1, b2 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "return theta - lr * m / (np.sqrt(v) + eps), m, v",
        # decay by λ instead of α λ
        "b1, b2 = betas\n"
        "theta = theta * (1 - weight_decay)\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        # the decay applied after the Adam step, to the new θ
        "b1, b2 = betas\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)\n"
        "return theta * (1 - lr * weight_decay), m, v",
        # ε inside the square root
        "b1, b2 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v",
        # the decayed weights fed into the moment estimates
        "b1, b2 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "g = grad + weight_decay * theta\n"
        "m = b1 * m + (1 - b1) * g\n"
        "v = b2 * v + (1 - b2) * g * g\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        # no decay at all: plain Adam
        "b1, b2 = betas\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        # bias correction with k + 1
        "b1, b2 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "m_hat, v_hat = m / (1 - b1**(k + 1)), v / (1 - b2**(k + 1))\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        # the corrected moments returned as the state
        "b1, b2 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "m = (b1 * m + (1 - b1) * grad) / (1 - b1**k)\n"
        "v = (b2 * v + (1 - b2) * grad * grad) / (1 - b2**k)\n"
        "return theta - lr * m / (np.sqrt(v) + eps), m, v",
        # the two betas swapped
        "b2, b1 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        # (1 − β)ᵏ for 1 − βᵏ
        "b1, b2 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * grad * grad\n"
        "m_hat, v_hat = m / (1 - b1)**k, v / (1 - b2)**k\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
        # v from |g|
        "b1, b2 = betas\n"
        "theta = theta * (1 - lr * weight_decay)\n"
        "m = b1 * m + (1 - b1) * grad\n"
        "v = b2 * v + (1 - b2) * np.abs(grad)\n"
        "m_hat, v_hat = m / (1 - b1**k), v / (1 - b2**k)\n"
        "return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
    ],
}

VARIANTS = {
    "nb08_softmax_cross_entropy": [
        # a loop over the samples
        "n, C = logits.shape\n"
        "loss, dlogits = 0.0, np.zeros((n, C))\n"
        "for i in range(n):\n"
        "    zi = logits[i] - max(logits[i])\n"
        "    ez = np.exp(zi)\n"
        "    loss += np.log(ez.sum()) - zi[y[i]]\n"
        "    dlogits[i] = ez / ez.sum()\n"
        "    dlogits[i, y[i]] -= 1\n"
        "return [loss / n, dlogits / n]",
        # scipy's logsumexp and softmax
        "from scipy.special import logsumexp, softmax\n"
        "n, C = logits.shape\n"
        "loss = np.mean(logsumexp(logits, axis=1) - np.take_along_axis(logits, y[:, None], axis=1)[:, 0])\n"
        "return np.array(loss), (softmax(logits, axis=1) - np.eye(C)[y]) / n",
        # in place, the loss as a one-entry array
        "logits -= logits.max(axis=1, keepdims=True)\n"
        "lse = np.log(np.exp(logits).sum(axis=1, keepdims=True))\n"
        "logp = logits - lse\n"
        "n = len(y)\n"
        "onehot = np.zeros_like(logits)\n"
        "onehot[np.arange(n), y] = 1\n"
        "return -np.sum(onehot * logp, keepdims=True).reshape(1) / n, (np.exp(logp) - onehot) / n",
    ],
    "nb08_adamw_step": [
        # torch's form: the decay and the step from the same θ
        "beta1, beta2 = betas\n"
        "m = beta1 * m + (1 - beta1) * grad\n"
        "v = beta2 * v + (1 - beta2) * grad**2\n"
        "step = (m / (1 - beta1**k)) / (np.sqrt(v / (1 - beta2**k)) + eps)\n"
        "return [theta - lr * (step + weight_decay * theta), m, v]",
        # in place, one array
        "theta *= 1 - lr * weight_decay\n"
        "m *= betas[0]\n"
        "m += (1 - betas[0]) * grad\n"
        "v *= betas[1]\n"
        "v += (1 - betas[1]) * np.square(grad)\n"
        "theta -= lr * (m / (1 - betas[0]**k)) / (np.sqrt(v / (1 - betas[1]**k)) + eps)\n"
        "return np.array([theta, m, v])",
        # a loop over the entries, whatever the shape
        "new_theta, new_m, new_v = np.empty_like(theta), np.empty_like(m), np.empty_like(v)\n"
        "for i in np.ndindex(theta.shape):\n"
        "    new_m[i] = betas[0] * m[i] + (1 - betas[0]) * grad[i]\n"
        "    new_v[i] = betas[1] * v[i] + (1 - betas[1]) * grad[i] ** 2\n"
        "    m_hat = new_m[i] / (1 - betas[0] ** k)\n"
        "    v_hat = new_v[i] / (1 - betas[1] ** k)\n"
        "    new_theta[i] = theta[i] * (1 - lr * weight_decay) - lr * m_hat / (v_hat ** 0.5 + eps)\n"
        "return new_theta, new_m, new_v",
    ],
}
