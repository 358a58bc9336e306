"""Wrong answers for notebook 01's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb01_sigmoid_prime": [
        "s = 1 / (1 + np.exp(-a))\nreturn s * (1 + s)",          # sign slip in (1 − σ)
        "return np.exp(-a) / (1 + np.exp(a)) ** 2",               # a mixed-up exponent
        "s = 1 / (1 + np.exp(-a))\nreturn s",                      # σ instead of σ′
    ],
}
