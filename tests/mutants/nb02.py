"""Wrong answers for notebook 02's exercises (see tests/mutants/__init__.py), and right ones in other styles."""
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
        _LOOP.format(steps="max_steps", update="x - lr * dL(x)", stop="abs(x_new - x) <= eps"),     # <= for <
        _LOOP.format(steps="max_steps + 1", update="x - lr * dL(x)", stop="abs(x_new - x) < eps"),  # one too many
        _LOOP.format(steps="max_steps", update="x - lr * dL(x)", stop="False"),                     # no stopping rule
        # a relative stopping rule
        _LOOP.format(steps="max_steps", update="x - lr * dL(x)", stop="abs(x_new - x) < eps * abs(x)"),
        # stops when the step is tiny but keeps the iterate before it
        "xs = [x0]\nx = x0\nfor _ in range(max_steps):\n    x_new = x - lr * dL(x)\n    if abs(x_new - x) < eps:\n"
        "        break\n    xs.append(x_new)\n    x = x_new\nreturn np.array(xs)",
    ],
    "nb02_alpha_critical": [
        "return 1 / lam",            # the one-step learning rate, not the critical one
        "return 2 * lam",            # inverted
        "return 2 / lam ** 2",       # wrong power
        "return 1.99 / lam",         # a safety margin: not the largest α
        "return 2 // lam",           # floor division
        "return 1 / (2 * lam)",      # 2 in the wrong place
        "return 2 / round(lam)",     # a rounded curvature
    ],
    "nb02_regime": [
        'q = alpha * lam\nif q < 1:\n    return "monotone"\nif q < 2:\n    return "oscillating"\nreturn "diverges"',
        'q = alpha * lam\nif q <= 1:\n    return "monotone"\nif q <= 2:\n    return "oscillating"\nreturn "diverges"',
        'q = alpha * lam\nif q <= 0.5:\n    return "monotone"\nif q < 1:\n    return "oscillating"\nreturn "diverges"',
        'q = 1 - alpha * lam\nif q > 0:\n    return "oscillating"\nif q > -1:\n    return "monotone"\nreturn "diverges"',
        # a tolerance around the boundaries: a product a hair above 1 is already oscillating
        'q = alpha * lam\nif q < 1 or np.isclose(q, 1):\n    return "monotone"\n'
        'if q < 2 and not np.isclose(q, 2):\n    return "oscillating"\nreturn "diverges"',
        'q = lam / alpha\nif q <= 1:\n    return "monotone"\nif q < 2:\n    return "oscillating"\nreturn "diverges"',
        'q = alpha * lam\nif q <= 1:\n    return "monotone"\nif q < 2:\n    return "oscillating"\nreturn "diverge"',
    ],
    "nb02_basin_of": [
        "return 1.5 if x0 >= 0 else -1.0",                 # a start on the maximum does not move
        "return -1.0 if x0 > 0 else 1.5",                   # sides swapped
        "return 1.5 if x0 > -1 else -1.0",                  # the hump is at 0, not at the local minimum
        "return 1.5 if x0 > 0.89 else -1.0",                # the inflection point taken for the hump
        "return 0.0 if abs(x0) < 1e-6 else (1.5 if x0 > 0 else -1.0)",   # a start near the top taken as stuck
        # runs GD (with enough steps it ends in the right place, but the exercise says to predict)
        "x = x0\nfor _ in range(5000):\n    x = x - 0.05 * x * (x + 1) * (x - 1.5)\nreturn x",
        "from i2dl_helpers import GD, run\nfrom i2dl_helpers.objectives import get\n"
        "return float(run(get('double_well'), GD(0.05), x0, steps=5000).final[0])",
        "import i2dl_helpers as h\nreturn float(h.run(h.objectives.get('double_well'), h.GD(0.05), x0, steps=5000).final[0])",
    ],
}

VARIANTS = {
    "nb02_gradient_descent": [
        # a while loop, a list returned
        "xs = [x0]\nwhile len(xs) <= max_steps:\n    xs.append(xs[-1] - lr * dL(xs[-1]))\n"
        "    if abs(xs[-1] - xs[-2]) < eps:\n        break\nreturn xs",
        # the step computed first, an array filled in place
        "out = np.empty(max_steps + 1)\nout[0] = x0\nfor k in range(max_steps):\n    step = lr * dL(out[k])\n"
        "    out[k + 1] = out[k] - step\n    if abs(step) < eps:\n        return out[:k + 2]\nreturn out",
        "xs = [float(x0)]\nfor _ in range(max_steps):\n    xs.append(xs[-1] - lr * dL(xs[-1]))\n"
        "    if not abs(xs[-1] - xs[-2]) >= eps:\n        break\nreturn tuple(xs)",
        "x = x0\nxs = [x]\nk = 0\nwhile k < max_steps:\n    x, previous = x - lr * dL(x), x\n    xs.append(x)\n"
        "    k += 1\n    if abs(x - previous) < eps:\n        break\nreturn np.array(xs).reshape(-1, 1)",   # a column
    ],
    "nb02_alpha_critical": [
        "return 2 / lam",
        "return np.float64(2.0) / lam",
        "return np.array(2.0 / lam)",
        "return (1 + 1) * (1 / lam)",
    ],
    "nb02_regime": [
        'if alpha <= 1 / lam:\n    return "monotone"\nif alpha < 2 / lam:\n    return "oscillating"\nreturn "diverges"',
        'q = lam * alpha\nif q > 2 or q == 2:\n    return "diverges"\nreturn "monotone" if q <= 1 else "oscillating"',
        'factor = 1 - alpha * lam\nif abs(factor) >= 1:\n    return "diverges"\n'
        'return "oscillating" if factor < 0 else "monotone"',
        'q = alpha * lam\nreturn np.str_(["monotone", "oscillating", "diverges"][int(q > 1) + int(q >= 2)])',
        'q = 1 - alpha * lam\nif q >= 0:\n    return "Monotone"\nif q > -1:\n    return "oscillating "\nreturn "diverges"',
    ],
    "nb02_basin_of": [
        "return float(np.where(x0 > 0, 1.5, np.where(x0 < 0, -1.0, 0.0)))",
        "return 1.5 * (x0 > 0) - 1.0 * (x0 < 0)",
        "return {1: 1.5, -1: -1.0, 0: 0.0}[int(np.sign(x0))]",
        "if x0 == 0:\n    return 0\nreturn 1.5 if x0 > 0 else -1",
        "slope_right = x0 > 0\nreturn np.float64(1.5) if slope_right else (np.float64(-1) if x0 < 0 else np.float64(0))",
    ],
}
