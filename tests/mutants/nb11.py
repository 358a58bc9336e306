"""Wrong answers for notebook 11's exercises (see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb11_diverging_function": [
        "return '15*x**2'",                              # hard-coded for α = 0.1
        "return f'{1 / alpha}*x**2'",                    # α·c = 2: on the edge, it oscillates
        "return f'{0.5 / alpha}*x**2'",                  # converges
        "return 'x**4'",                                 # diverges only from far out
        "return f'{4 / alpha} * x ** 2' + ')'",          # does not parse
    ],
    "nb11_central_difference": [
        # forward difference
        "x = np.asarray(x, dtype=float)\ng = np.zeros_like(x)\nfor i in range(x.size):\n"
        "    e = np.zeros_like(x)\n    e[i] = h\n    g[i] = (f(x + e) - f(x)) / h\nreturn g",
        # divides by h instead of 2h
        "x = np.asarray(x, dtype=float)\ng = np.zeros_like(x)\nfor i in range(x.size):\n"
        "    e = np.zeros_like(x)\n    e[i] = h\n    g[i] = (f(x + e) - f(x - e)) / h\nreturn g",
        # moves every coordinate at once
        "x = np.asarray(x, dtype=float)\nd = (f(x + h) - f(x - h)) / (2 * h)\nreturn np.full(x.shape, d)",
        # h too small: round-off dominates
        "x = np.asarray(x, dtype=float)\ng = np.zeros_like(x)\nfor i in range(x.size):\n"
        "    e = np.zeros_like(x)\n    e[i] = 1e-13\n    g[i] = (f(x + e) - f(x - e)) / 2e-13\nreturn g",
    ],
}
MUTANTS["nb11_minimum_at"] = [
    "return f'(x + {a})**2 + (y + {b})**2'",          # signs flipped
    "return f'(x - {b})**2 + (y - {a})**2'",          # coordinates swapped
    "return f'(x - {a})**2 - (y - {b})**2'",          # a saddle
    "return f'(x - {a})**2'",                         # a valley: no strict minimum
    "return '(x - 1)**2 + (y + 2)**2'",               # hard-coded for the visible check
    "return f'((x - {a})**2 - 1)**2 + (y - {b})**2'", # two minima, neither at (a, b)
]
