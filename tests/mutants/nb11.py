"""Wrong answers (MUTANTS) and right answers in another style (VARIANTS) for notebook 11's exercises
(see tests/mutants/__init__.py)."""
MUTANTS = {
    "nb11_diverging_function": [
        "return '15*x**2'",                              # hard-coded for α = 0.1
        "return f'{1 / alpha}*x**2'",                    # α·c = 2: on the edge, it oscillates
        "return f'{0.5 / alpha}*x**2'",                  # converges
        "return 'x**4'",                                 # diverges only from far out
        "return f'{4 / alpha} * x ** 2' + ')'",          # does not parse
        "return '-x**2'",                                # concave, but too slowly for a small α
        "return 'log(-1 - x**2)'",                       # undefined everywhere: "diverges" at the start
        f"return 'exp({10**6}*x**2)'",                   # overflows at the start
        "return 1000 * alpha",                           # a number, not a text
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
        # ignores the argument h (uses the default's value)
        "x = np.asarray(x, dtype=float)\ng = np.zeros_like(x)\nfor i in range(x.size):\n"
        "    e = np.zeros_like(x)\n    e[i] = 1e-5\n    g[i] = (f(x + e) - f(x - e)) / 2e-5\nreturn g",
        # h/2 to each side (a central difference with step h/2)
        "x = np.asarray(x, dtype=float)\ng = np.zeros_like(x)\nfor i in range(x.size):\n"
        "    e = np.zeros_like(x)\n    e[i] = h / 2\n    g[i] = (f(x + e) - f(x - e)) / h\nreturn g",
        # precedence: / 2 * h multiplies by h
        "x = np.asarray(x, dtype=float)\ng = np.zeros_like(x)\nfor i in range(x.size):\n"
        "    e = np.zeros_like(x)\n    e[i] = h\n    g[i] = (f(x + e) - f(x - e)) / 2 * h\nreturn g",
        # an integer array: x + e truncates the point
        "g = np.zeros(len(x))\nfor i in range(len(x)):\n    e = np.zeros(len(x), dtype=int)\n    e[i] = 1\n"
        "    p, m = np.trunc(x + h * e), np.trunc(x - h * e)\n    g[i] = (f(p) - f(m)) / (2 * h)\nreturn g",
    ],
}
MUTANTS["nb11_minimum_at"] = [
    "return f'(x + {a})**2 + (y + {b})**2'",          # signs flipped
    "return f'(x - {b})**2 + (y - {a})**2'",          # coordinates swapped
    "return f'(x - {a})**2 - (y - {b})**2'",          # a saddle
    "return f'(x - {a})**2'",                         # a valley: no strict minimum
    "return '(x - 1)**2 + (y + 2)**2'",               # hard-coded for the visible check
    "return f'((x - {a})**2 - 1)**2 + (y - {b})**2'", # two minima, neither at (a, b)
    "return f'(x - {a})**4 + (y - {b})**4'",          # a minimum, but flat: zero Hessian
    "return f'(x - {a})**2 + (y - {b})**4'",          # flat in y: singular Hessian
    "return f'((x - {a})**2 + (y - {b})**2)**2'",     # flat in every direction
    "return f'abs(x - {a}) + abs(y - {b})'",          # a kink, no curvature
    "return f'-(x - {a})**2 - (y - {b})**2'",         # a maximum
    "return f'(x - {a:.2f})**2 + (y - {b:.2f})**2'",  # rounded to two decimals
    "return f'(x - {round(a)})**2 + (y - {round(b)})**2'",  # rounded to whole numbers
    # (a, b) and its mirror image (−a, −b): two minima
    "return f'((x - {a})**2 + (y - {b})**2) * ((x + {a})**2 + (y + {b})**2)'",
    # a minimum at (a, b) and another one at (a, b ± 2) inside the box
    "c = b - 2 if b > 0 else b + 2\nreturn f'(x - {a})**2 + ((y - {b}) * (y - {c}))**2'",
]

VARIANTS = {
    "nb11_diverging_function": [
        "return f'{3 / alpha} * x^2'",
        "return f'{10 / alpha}*(x - 0.01)**2 + 1'",              # the minimum need not be at 0
        "return f'-{1.5 / alpha}*x**2'",                         # concave and steep: |1 + 3| per step
        "c = 4 / alpha\nreturn '{}*x**2 + {}'.format(c, alpha)",
        "return f'({2 / alpha})*x**2 + x**4'",                  # a quartic on top does not hurt
    ],
    "nb11_central_difference": [
        # the solution, written with a unit vector and np.eye
        "x = np.asarray(x, dtype=float)\nI = np.eye(len(x))\n"
        "return np.array([(f(x + h * I[i]) - f(x - h * I[i])) / (2 * h) for i in range(len(x))])",
        # in place, restoring the coordinate; a list
        "x = np.array(x, dtype=float)\nout = []\nfor i in range(len(x)):\n    old = x[i]\n    x[i] = old + h\n"
        "    up = f(x)\n    x[i] = old - h\n    down = f(x)\n    x[i] = old\n    out.append((up - down) / 2 / h)\n"
        "return out",
        # halves first
        "x = np.asarray(x, dtype=float)\ng = []\nfor i, _ in enumerate(x):\n    e = np.zeros_like(x)\n"
        "    e[i] = h\n    g.append(0.5 * (f(x + e) - f(x - e)) / h)\nreturn np.array(g)",
    ],
    "nb11_minimum_at": [
        "return f'(x - {a})^2 + (y - {b})^2'",
        "return f'-exp(-(x - {a})**2 - (y - {b})**2)'",          # a Gaussian well
        "return f'2*(x - ({a}))**2 + 0.5*(y - ({b}))**2 + 3'",
        "return f'(x - {a})**2 + (x - {a})*(y - {b}) + (y - {b})**2'",   # a tilted bowl
        "return f'(x - {a:.12f})**2 + (y - {b:.12f})**2'",       # 12 decimals are as good as exact
        "return '(x - {})**2 + (y - {})**2'.format(a, b)",
        "return f'log(1 + (x - {a})**2 + (y - {b})**2)'",
    ],
}
