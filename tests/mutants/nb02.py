"""Wrong answers for notebook 02's exercises (see tests/mutants/__init__.py)."""
_LOOP = """xs = [x0]
x = x0
for _ in range({steps}):
    x_new = {update}
    xs.append(x_new)
    if {stop}:
        break
    x = x_new
return np.array(xs)"""

MUTANTS = {
    "nb02_gradient_descent": [
        _LOOP.format(steps="max_steps", update="x + lr * dL(x)", stop="abs(x_new - x) < eps"),      # sign error
        _LOOP.format(steps="max_steps", update="x - lr * dL(x)", stop="abs(dL(x_new)) < eps"),      # stops on |L'|
        _LOOP.format(steps="max_steps - 1", update="x - lr * dL(x)", stop="abs(x_new - x) < eps"),  # off by one
        # stops before keeping the last iterate
        "xs = [x0]\nx = x0\nfor _ in range(max_steps):\n    x_new = x - lr * dL(x)\n"
        "    if abs(x_new - x) < eps:\n        break\n    xs.append(x_new)\n    x = x_new\nreturn np.array(xs)",
        # forgets the start x0
        "xs = []\nx = x0\nfor _ in range(max_steps):\n    x_new = x - lr * dL(x)\n    xs.append(x_new)\n"
        "    if abs(x_new - x) < eps:\n        break\n    x = x_new\nreturn np.array(xs)",
    ],
    "nb02_alpha_critical": [
        "return 1 / lam",            # the one-step learning rate, not the critical one
        "return 2 * lam",            # inverted
        "return 2 / lam ** 2",       # wrong power
    ],
    "nb02_regime": [
        'q = alpha * lam\nif q < 1:\n    return "monotone"\nif q < 2:\n    return "oscillating"\nreturn "diverges"',
        'q = alpha * lam\nif q <= 1:\n    return "monotone"\nif q <= 2:\n    return "oscillating"\nreturn "diverges"',
        'q = alpha * lam\nif q <= 0.5:\n    return "monotone"\nif q < 1:\n    return "oscillating"\nreturn "diverges"',
        'q = 1 - alpha * lam\nif q > 0:\n    return "oscillating"\nif q > -1:\n    return "monotone"\nreturn "diverges"',
    ],
    "nb02_basin_of": [
        "return 1.5 if x0 >= 0 else -1.0",                 # a start on the maximum does not move
        "return -1.0 if x0 > 0 else 1.5",                   # sides swapped
        "return 1.5 if x0 > -1 else -1.0",                  # the hump is at 0, not at the local minimum
    ],
}
