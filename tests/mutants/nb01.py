"""Wrong answers for notebook 01's exercises (see tests/mutants/__init__.py), and right ones in other styles."""
MUTANTS = {
    "nb01_bias_gradient": [
        "z = x * w + b\nreturn 2 * (max(z, 0.0) - y)",                      # forgot the ReLU's gate 1[z > 0]
        "z = x * w + b\nreturn 2 * (max(z, 0.0) - y) * (z > 0) * x",        # ∂z/∂b taken as x (that is ∂z/∂w)
        "z = x * w + b\nreturn (max(z, 0.0) - y) * (z > 0)",                # lost the factor 2 of the square
        "z = x * w + b\nreturn 2 * (y - max(z, 0.0)) * (z > 0)",            # sign slip in ∂L/∂ŷ
        "z = x * w + b\nreturn 2 * (max(z, 0.0) - y) * (z >= 0)",           # local derivative 1 at the kink z = 0
        "z = x * w + b\nreturn 2 * (max(z, 0.0) - y) if z >= 0 else 0.0",  # the same, written as a branch
        "z = x * w + b\nreturn 2 * (max(z, 0.0) - y) * (z > 0) * w",        # ∂z/∂b taken as w (that is ∂z/∂x)
    ],
    "nb01_mul_backward": [
        "a.grad = out.grad * b.data\nb.grad = out.grad * a.data",          # overwrites instead of accumulating
        "a.grad += out.grad * a.data\nb.grad += out.grad * b.data",        # local derivatives swapped
        "a.grad += b.data\nb.grad += a.data",                               # forgot the upstream gradient
        "a.grad += out.grad * b.data",                                      # forgot the second input
        # both new gradients computed first, then assigned: for a · a one term is lost
        "a.grad, b.grad = a.grad + out.grad * b.data, b.grad + out.grad * a.data",
        # a · a counted once
        "a.grad = a.grad + out.grad * b.data\nif b is not a:\n    b.grad = b.grad + out.grad * a.data",
        "a.grad = a.grad + out.grad * b.data\nb.grad = a.grad + out.grad * a.data",   # b.grad from a.grad
    ],
    "nb01_sigmoid_prime": [
        "s = 1 / (1 + np.exp(-a))\nreturn s * (1 + s)",          # sign slip in (1 − σ)
        "return np.exp(-a) / (1 + np.exp(a)) ** 2",               # a mixed-up exponent
        "s = 1 / (1 + np.exp(-a))\nreturn s",                      # σ instead of σ′
        "import math\ns = 1 / (1 + math.exp(-a))\nreturn s * (1 - s)",   # math.exp: numbers only, no arrays
        "return np.exp(-a) / (1 + np.exp(-a))",                   # 1 − σ: the square of the denominator lost
        "s = 1 / (1 + np.exp(-a))\nreturn -s * (1 - s)",         # the sign of the chain rule's inner derivative
    ],
    "nb01_relu_backward": [
        "return dH * (Z >= 0)",                                    # local derivative 1 at the kink z = 0
        "return (Z > 0).astype(float)",                            # forgot the upstream gradient
        "return np.maximum(dH, 0.0)",                              # applied the ReLU to the gradient
        "return dH * np.maximum(Z, 0.0)",                          # multiplied by the output, not the gate
        "return dH * (np.abs(Z) > 0)",                             # passes the gradient where z < 0 too
        "return dH * np.sign(Z)",                                  # the sign, not the gate
        "return np.where(Z > 0, dH, Z)",                           # keeps Z where the gate is closed
    ],
    "nb01_affine_backward": [
        "return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)",              # mean instead of sum for db
        "return dZ @ W.T, X.T @ dZ / X.shape[0], dZ.sum(axis=0)",  # averaged dW
        "return dZ @ W, X.T @ dZ, dZ.sum(axis=0)",                 # forgot the transpose in dX
        "return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)",               # summed over the wrong axis
        "return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)",               # dW transposed (right shape when d = m)
        "return dZ @ W.T, X.T @ dZ, dZ.sum()",                     # db summed over everything
        "return dZ @ W.T, X.T @ dZ, dZ[0]",                        # db from the first sample only (right for n = 1)
        "return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)",   # db of shape (1, m), not (m,)
        "return (W @ dZ.T).T.T, X.T @ dZ, dZ.sum(axis=0)",         # dX transposed
    ],
    "nb01_n_params": [
        "return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))",             # forgot the biases
        "return sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes)",  # a bias for the inputs too
        "return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])) + 1",     # off by one
        "n0, n1, n2 = sizes\nreturn n0 * n1 + n1 + n1 * n2 + n2",                 # three sizes only
        "return sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes[1:-1])",  # no bias on the outputs
        "return sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:]))",           # a bias per input unit
        "return sum(a * b + b for a, b in zip(sizes[:-2], sizes[1:-1]))",         # forgot the last layer
    ],
}

VARIANTS = {
    "nb01_bias_gradient": [
        "z = x * w + b\nreturn 2 * (z - y) * (z > 0)",                      # ŷ = z wherever the gate is open
        "z = b + w * x\nreturn 2.0 * (max(0, z) - y) if z > 0 else 0.0",
        "z = x * w + b\ny_hat = np.maximum(z, 0)\nreturn np.float64(2 * (y_hat - y) * float(y_hat > 0))",
        "z = np.array(x * w + b)\nreturn np.where(z > 0, 2 * (z - y), 0.0)",   # a 0-d array
        "if x * w + b <= 0:\n    return 0\nreturn 2 * (x * w + b - y)",        # a whole-number 0
    ],
    "nb01_mul_backward": [
        "a.grad += out.grad * b.data\nb.grad += out.grad * a.data",
        "ga = out.grad * b.data\ngb = out.grad * a.data\na.grad = a.grad + ga\nb.grad = b.grad + gb",
        "a.grad = np.add(a.grad, np.multiply(out.grad, b.data))\nb.grad = np.add(b.grad, np.multiply(out.grad, a.data))",
        "for node, other in ((a, b), (b, a)):\n    node.grad = node.grad + out.grad * other.data",
    ],
    "nb01_sigmoid_prime": [
        "return np.exp(-a) / (1 + np.exp(-a)) ** 2",
        "s = 1 / (1 + np.exp(a))\nreturn s * (1 - s)",                     # σ(−a)(1 − σ(−a)) = σ′(a)
        "return 0.25 / np.cosh(a / 2) ** 2",
        "return 1 / (2 + np.exp(a) + np.exp(-a))",
        "s = 1 / (1 + np.exp(-np.asarray(a, dtype=float)))\nreturn s - s * s",
    ],
    "nb01_relu_backward": [
        "return np.where(Z > 0, dH, 0.0)",
        "dH[Z <= 0] = 0\nreturn dH",                                       # changes its own copy in place
        "return dH * (Z > 0).astype(float)",
        "out = np.zeros_like(dH)\nfor i in range(Z.shape[0]):\n    for j in range(Z.shape[1]):\n"
        "        if Z[i, j] > 0:\n            out[i, j] = dH[i, j]\nreturn out",
        "return (dH * (Z > 0)).tolist()",
        "return np.multiply(dH, np.heaviside(Z, 0.0))",
    ],
    "nb01_affine_backward": [
        "return [dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)]",
        "return np.dot(dZ, W.T), np.dot(X.T, dZ), np.sum(dZ, 0)",
        "return np.einsum('nm,dm->nd', dZ, W), np.einsum('nd,nm->dm', X, dZ), np.einsum('nm->m', dZ)",
        "dW = sum(np.outer(X[i], dZ[i]) for i in range(len(X)))\nreturn dZ @ W.T, dW, np.ones(len(dZ)) @ dZ",
        "return (W @ dZ.T).T, (dZ.T @ X).T, dZ.T.sum(axis=1)",
    ],
    "nb01_n_params": [
        "return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))",
        "total = 0\nfor i in range(len(sizes) - 1):\n    total += sizes[i] * sizes[i + 1] + sizes[i + 1]\nreturn total",
        "return np.dot(sizes[:-1], sizes[1:]) + np.sum(sizes[1:])",        # a numpy integer
        "return float(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))",   # a whole float
    ],
}
