"""Wrong answers for notebook 08's exercises (see tests/mutants/__init__.py)."""
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
    ],
}
