"""Wrong answers for notebook 01's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb01_bias_gradient": [
        "z = x * w + b\nreturn 2 * (max(z, 0.0) - y)",                      # forgot the ReLU's gate 1[z > 0]
        "z = x * w + b\nreturn 2 * (max(z, 0.0) - y) * (z > 0) * x",        # ∂z/∂b taken as x (that is ∂z/∂w)
        "z = x * w + b\nreturn (max(z, 0.0) - y) * (z > 0)",                # lost the factor 2 of the square
        "z = x * w + b\nreturn 2 * (y - max(z, 0.0)) * (z > 0)",            # sign slip in ∂L/∂ŷ
    ],
    "nb01_mul_backward": [
        "a.grad = out.grad * b.data\nb.grad = out.grad * a.data",          # overwrites instead of accumulating
        "a.grad += out.grad * a.data\nb.grad += out.grad * b.data",        # local derivatives swapped
        "a.grad += b.data\nb.grad += a.data",                               # forgot the upstream gradient
        "a.grad += out.grad * b.data",                                      # forgot the second input
    ],
    "nb01_sigmoid_prime": [
        "s = 1 / (1 + np.exp(-a))\nreturn s * (1 + s)",          # sign slip in (1 − σ)
        "return np.exp(-a) / (1 + np.exp(a)) ** 2",               # a mixed-up exponent
        "s = 1 / (1 + np.exp(-a))\nreturn s",                      # σ instead of σ′
    ],
    "nb01_relu_backward": [
        "return dH * (Z >= 0)",                                    # local derivative 1 at the kink z = 0
        "return (Z > 0).astype(float)",                            # forgot the upstream gradient
        "return np.maximum(dH, 0.0)",                              # applied the ReLU to the gradient
        "return dH * np.maximum(Z, 0.0)",                          # multiplied by the output, not the gate
    ],
    "nb01_affine_backward": [
        "return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)",              # mean instead of sum for db
        "return dZ @ W.T, X.T @ dZ / X.shape[0], dZ.sum(axis=0)",  # averaged dW
        "return dZ @ W, X.T @ dZ, dZ.sum(axis=0)",                 # forgot the transpose in dX
        "return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)",               # summed over the wrong axis
    ],
    "nb01_n_params": [
        "return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))",             # forgot the biases
        "return sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes)",  # a bias for the inputs too
        "return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])) + 1",     # off by one
    ],
}
