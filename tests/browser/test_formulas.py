"""The formulas declared once (``i2dl_helpers.formulas``): the browser's interpreter computes what Python does,
the maths is right, the scenes hold none of their own, and the subset refuses what it does not know.

* parity: every formula the page gets (``statuses.BROWSER`` and what it calls), on dense grids and random
  inputs with the boundary cases (αλ near 1 and 2 and at 0.1, a double root of momentum's quadratic,
  Nesterov, complex pairs, NaN and ±inf where the explorers can produce them), run by ``formulas.js`` in the
  run's JavaScript engine (``blank_page``: Node.js in the quick tier) and by Python: texts character for
  character, numbers bit for bit (except where a formula calls ``log`` or ``**``: each side's maths library);
* the maths, checked independently: momentum's rate against numpy.roots, λ_min against eigvalsh, the exact
  Hessian of the page's program against finite differences of its gradient, isclose against numpy.isclose,
  the regimes' boundaries, steps to the target against its definition;
* one source: no scene restates a formula (no Math.sqrt/hypot/log/pow, no regime or rate of its own, no
  finite differences), every formula a scene calls is shipped, and the subset's refusals name the function.
"""
from __future__ import annotations

import math
import re
import struct
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from i2dl_helpers import expressions, flatprog, formulas, objectives
from i2dl_helpers.convexity import min_eigenvalue_of
from i2dl_helpers.flatprog.browser import browser_source
from i2dl_helpers.optim import momentum_rate
from i2dl_helpers.optim.first_order import momentum_rate_of
from i2dl_helpers.optim.racing import steps_to_target
from i2dl_helpers.optim.theory import regime, regime_of
from i2dl_helpers.widgets import statuses
from i2dl_helpers.widgets.base import Explorer
from i2dl_helpers.widgets.gd2d import GradientDescent2D

WIDGETS = Path(statuses.__file__).parent
NAN, INF = float("nan"), float("inf")
RNG = np.random.default_rng(25)
#: formulas whose numbers come from each side's maths library (log, pow): compared in what they print
LIBRARY = {"momentum_envelope"}


@pytest.fixture(scope="module")
def js(blank_page):
    """call(cases): [(name, args), ...] -> each formula's result in the browser's interpreter."""
    with blank_page() as page:
        page.add_script_tag(content=browser_source(("formulas.js",), formulas=statuses.BROWSER)
                            + "\nwindow.formula = formula;\n", type="module")
        page.wait_for_function("() => window.formula !== undefined")
        yield lambda cases: page.evaluate(
            "(cases) => cases.map(([name, args]) => { try { return window.formula(name)(...args); } "
            "catch (err) { return 'JS error: ' + err.message; } })", [[n, list(a)] for n, a in cases])


def _same(a, b) -> bool:
    """Equal texts, booleans and None; numbers bit for bit (NaN equal to NaN); lists/tuples item by item."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (bool, str)) or isinstance(b, (bool, str)) or a is None or b is None:
        return type(a) is type(b) and a == b
    return struct.pack("<d", float(a)) == struct.pack("<d", float(b))


def _check(js, cases, rel=0.0):
    got = js(cases)
    bad = []
    for (name, args), browser in zip(cases, got):
        python = formulas.FORMULAS[name](*args)
        if rel and isinstance(python, float):
            ok = math.isclose(python, browser, rel_tol=rel) or (math.isnan(python) and browser != browser)
        else:
            ok = _same(python, browser)
        if not ok:
            bad.append(f"{name}{tuple(args)}: Python {python!r}, browser {browser!r}")
    assert not bad, f"{len(bad)} of {len(cases)} differ, e.g.\n" + "\n".join(bad[:8])
    return got


def _floats(n, lo, hi):
    return [float(v) for v in RNG.uniform(lo, hi, n)]


# -- parity ----------------------------------------------------------------------------------------
def test_the_regimes_read_alike_on_a_dense_grid_and_at_every_boundary(js):
    qs = list(np.linspace(0.0, 3.0, 3001)) + [1e-300, 0.1, np.nextafter(0.1, 0), 1.0, 2.0, 1e6, NAN, INF]
    for edge in (1.0, 2.0):  # numpy.isclose's edge: |q − e| <= 1e-8 + 1e-5·e, on both sides
        tol = 1e-8 + 1e-5 * edge
        qs += [edge + tol, np.nextafter(edge + tol, 3), edge - tol, np.nextafter(edge - tol, 0), edge + 1e-12]
    cases = [("regime_of", [float(q)]) for q in qs]
    cases += [("gd1d_status", [m, s, lr, c, x, v]) for m, s in (("converged in 3 steps", "converged"),
                                                                  ("diverged at step 7", "diverged"),
                                                                  ("stopped after 50 steps (step limit), L = 2", "max_steps"))
              for lr, c in ((0.1, 10.0), (0.5, 4.0), (0.3, None), (1e-3, 2.0)) for x, v in ((0.5, -0.0), (NAN, INF))]
    _check(js, cases)


def test_momentums_rate_and_status_read_alike(js):
    cases = []
    for nesterov in (False, True):
        for q in list(np.linspace(0.0, 5.0, 41)) + _floats(60, 0, 6):
            for beta in list(np.linspace(0.0, 0.999, 21)) + _floats(5, 0, 1):
                cases.append(("momentum_rate_of", [float(q), float(beta), nesterov]))
    for beta in (0.0, 0.25, 0.5, 0.81, 0.9, 0.99):  # a double root: disc = (1 + β − q)² − 4β = 0 at q = (1 ± √β)²
        for q in ((1 - math.sqrt(beta)) ** 2, (1 + math.sqrt(beta)) ** 2):
            cases += [("momentum_rate_of", [q, beta, False]), ("momentum_rate_of", [np.nextafter(q, 9), beta, False])]
    for lr in list(np.geomspace(1e-4, 2.0, 23)) + [0.05]:
        for beta in (0.0, 0.5, 0.8, 0.9, 0.99):
            for kappa in (1.0, 5.0, 20.0, 100.0):
                for nesterov, (msg, status) in ((False, ("converged in 9 steps", "converged")),
                                                (True, ("diverged at step 4 (θ became inf/NaN)", "diverged"))):
                    rates = statuses.momentum_rates(float(lr), kappa, beta, nesterov)
                    cases.append(("momentum_status", [float(lr), kappa, beta, nesterov, rates, msg, status]))
                    cases.append(("momentum_rates", [float(lr), kappa, beta, nesterov]))
    _check(js, cases)
    env = [("momentum_envelope", [v, r, k]) for v in (2.5, 1e-3) for r in ([0.5, 0.9], [1.2, 0.3]) for k in range(0, 300, 7)]
    _check(js, env, rel=1e-14)


def test_the_2d_status_reads_alike(js):
    cases = []
    hessians = [[[2.0, 0.0], [0.0, -1.0]], [[1.0, 0.3], [0.3, 4.0]], [[0.0, 1.0], [1.0, 0.0]],
                [[NAN, 0.0], [0.0, 1.0]], [[1e-300, 0.0], [0.0, -1e-300]]]
    for status, msg in (("converged", "converged in 158 steps"), ("max_steps", "stopped after 9 steps (step limit), L = 3"),
                        ("diverged", "diverged at step 3 (|θ| exceeded 1e+08)")):
        for theta in ([8.8e-08, 0.0], [-1.5, 2.25], [1.0, 1.0]):
            for grad in ([1e-4, 0.0], [9.99e-4, 0.0], [1e-3, 0.0], [0.3, -0.2], [-0.0, 0.0]):
                for minima in ([], [[1.0, 1.0]], [[0.0, 0.0], [3.0, -1.0]]):
                    for h in hessians:
                        for kappa, smooth in ((None, None), (10.0, 10.0), (None, 2.0)):
                            cases.append(("gd2d_status", [msg, status, theta, 1.5, float(RNG.uniform(0, 3)), grad,
                                                          minima, h, kappa, smooth, 0.15]))
    cases += [("min_eigenvalue_of", [[[a, b], [c, d]]]) for a, b, c, d in RNG.normal(size=(200, 4)).tolist()]
    _check(js, cases)


def test_the_races_read_alike(js):
    cases = []
    for _ in range(300):
        n = int(RNG.integers(1, 40))
        gap = RNG.choice([0.0, 1e-7, 1e-6, 2e-6, 1.0, NAN, INF], size=n).tolist()
        cases.append(("steps_to_target", [gap, 1e-6]))
    cases += [("steps_to_target", [[], 1e-6]), ("steps_to_target", [[0.5], 1.0])]
    cases += [("race_gap", [v, b]) for v in (0.5, -1.0, NAN, INF, -INF, -0.0) for b in (0.0, 1.0, -2.5)]
    names = ["GD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]
    for _ in range(200):
        k = int(RNG.integers(0, 7))
        reached = [None if RNG.random() < 0.3 else int(RNG.integers(0, 5)) for _ in range(k)]
        cases.append(("race_status", [float(RNG.choice([1e-6, 1e-3, 0.5])), names[:k], reached,
                                      [bool(RNG.random() < 0.3) for _ in range(k)]]))
    _check(js, cases)


def test_the_calculus_explorers_read_alike(js):
    cases = []
    for _ in range(150):
        zs = sorted(RNG.uniform(-3, 3, 50).tolist())
        gaps = (RNG.normal(size=50) * RNG.choice([1e-12, 1e-3, 1.0])).tolist()
        fx, fy = RNG.normal(size=2) * RNG.choice([1e-3, 1.0, 1e4])
        cases.append(("chord_status", [float(RNG.uniform(0, 1)), float(RNG.normal()), float(RNG.normal()), float(fx),
                                       float(fy), gaps, zs, "double_well"]))
    cases.append(("chord_status", [0.5, 1.0, 1.0, NAN, 2.0, [0.0, -1e-20], [0.0, 1.0], "abs"]))
    cases += [("convex_combination", [t, a, b]) for t, a, b in RNG.normal(size=(100, 3)).tolist()]
    cases += [("chord_scale", [a, b]) for a in (0.0, -3.0, 1e10, NAN) for b in (0.5, -INF, NAN)]
    for fx, fxh, h in RNG.normal(size=(100, 3)).tolist() + [[1.0, 1.0, 1e-300], [0.0, 0.0, 1e-12]]:
        cases.append(("difference_quotient", [fx, fxh, h]))
    for q, s in RNG.normal(size=(100, 2)).tolist() + [[0.0, -0.0], [NAN, 1.0], [INF, -INF], [1e-9, 2e-9]]:
        cases.append(("derivative_status", [q, s]))
    cases += [("line_through", [v, s, u, x]) for v, s, u, x in RNG.normal(size=(100, 4)).tolist()]
    _check(js, cases)


def test_the_basin_and_run_statuses_read_alike(js):
    cases = []
    for _ in range(100):
        k = int(RNG.integers(0, 5))
        shares = RNG.dirichlet(np.ones(k + 2)).tolist()
        cases.append(("basin_status", [int(RNG.choice([20, 200])), int(RNG.integers(1, 500)),
                                       float(RNG.choice([1e-3, 0.01, 0.25])), shares[:k], shares[k], shares[k + 1]]))
    cases += [("basin_status", [10, 5, 0.1, [], d, s]) for d in (0.5, 0.5000001, 0.0) for s in (0.05, 0.0, 0.06)]
    for status in ("converged", "diverged", "max_steps"):
        for stop in (0, 1, 2, 200):
            cases += [("run_message", [status, stop, r, v]) for r in ("", "θ became inf/NaN") for v in (1.5e-9, NAN, INF)]
            cases.append(("run_kind", [status]))
    cases += [("path_note", [d, off, 7]) for d in (False, True) for off in (None, 0, 3)]
    _check(js, cases)


# -- the maths, independently -----------------------------------------------------------------------
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentums_rate_is_the_largest_root_modulus(nesterov):
    for q in np.linspace(0.0, 5.0, 51):
        for beta in np.linspace(0.0, 0.99, 34):
            if nesterov:
                tr, det = 1 - q * (1 + beta) + beta, (1 - q * (1 + beta)) * beta + beta**2 * q
            else:  # the heavy ball's 2×2 map (θ, v) -> ((1 − q)θ + βv, −qθ + βv): its eigenvalues
                tr, det = np.trace([[1 - q, beta], [-q, beta]]), np.linalg.det([[1 - q, beta], [-q, beta]])
            roots = np.roots([1.0, -tr, det])
            assert momentum_rate_of(q, beta, nesterov) == pytest.approx(np.max(np.abs(roots)), rel=1e-6, abs=1e-7)
    q, beta = np.meshgrid(np.linspace(0, 5, 40), np.linspace(0, 0.99, 30))  # the array form (the region's contour)
    scalar = np.vectorize(lambda a, b: momentum_rate_of(a, b, nesterov))(q, beta)
    np.testing.assert_allclose(momentum_rate(q, beta, nesterov), scalar, rtol=1e-12, atol=1e-15)


def test_the_smallest_eigenvalue_and_isclose_are_numpys():
    for h in RNG.normal(size=(300, 2, 2)) * RNG.choice([1e-6, 1.0, 1e6], size=(300, 1, 1)):
        sym = 0.5 * (h + h.T)
        assert min_eigenvalue_of(h) == pytest.approx(np.linalg.eigvalsh(sym)[0], rel=1e-12, abs=1e-12 * np.abs(h).max())
    values = [0.0, 1.0, 1.0 + 1e-5, 1.0 + 2e-5, -1.0, 1e-9, NAN, INF, -INF, 2.0, 2.00002]
    for a in values:
        for b in values:
            assert formulas.isclose(a, b) == bool(np.isclose(a, b)), (a, b)


def test_the_regimes_change_where_theory_says():
    assert regime(0.5, 2.0) == regime_of(1.0) == "one step to the minimum (αλ = 1)"
    assert regime_of(1.0 + 5e-6).startswith("one step") and regime_of(1.0 + 2e-5).startswith("overshoots, osc")
    assert regime_of(2.0 - 1e-5).startswith("bounces") and regime_of(2.0 - 1e-4).startswith("overshoots, osc")
    assert regime_of(0.0999).startswith("very small") and regime_of(0.1).startswith("monotone")
    assert regime_of(2.5).endswith("diverges (αλ = 2.5 > 2)")
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="lr"):
            regime(bad, 1.0)


def test_steps_to_target_is_where_the_gap_stays_below():
    for _ in range(500):
        gap = RNG.choice([0.0, 1e-7, 1.0, NAN], size=int(RNG.integers(1, 12))).tolist()
        settled = [k for k in range(len(gap)) if all(g <= 1e-6 for g in gap[k:])]
        assert steps_to_target(gap, 1e-6) == (settled[0] if settled else None), gap


@pytest.mark.parametrize("name", ["saddle", "rosenbrock", "himmelblau", "x**2 - y**2 + 0.25*y**4", "sin(x)*exp(y/3)"])
def test_the_pages_exact_hessian_is_the_kernels_and_the_gradients_derivative(js, blank_page, name):
    obj = objectives.get(name) if name in objectives.describe() else expressions.parse(name, ("x", "y"))
    program = flatprog.compile_objective(obj, hessian=True)
    points = RNG.uniform(-1.5, 1.5, size=(12, 2)).tolist()
    with blank_page() as page:
        page.add_script_tag(content=browser_source() + "\nwindow.fp = {evaluate, hessianAt};\n", type="module")
        page.wait_for_function("() => window.fp !== undefined")
        got = page.evaluate("""([program, points]) => points.map((x) => {
            const h = 1e-5, fd = [0, 1].map((i) => {
              const up = x.slice(), down = x.slice(); up[i] += h; down[i] -= h;
              const gu = window.fp.evaluate(program, up).grad, gd = window.fp.evaluate(program, down).grad;
              return [0, 1].map((r) => (gu[r] - gd[r]) / (2 * h));
            });
            return [window.fp.hessianAt(program, x), fd];
        })""", [program, points])
    for x, (exact, fd) in zip(points, got):
        exact, fd = np.array(exact), np.array(fd).T
        np.testing.assert_allclose(exact, fd, rtol=1e-6, atol=1e-5 * max(1.0, np.abs(exact).max()))
        kernel = obj.hessian(np.array(x))
        np.testing.assert_allclose(exact, kernel, rtol=1e-12, atol=1e-12)
        if name in ("saddle", "rosenbrock", "himmelblau"):  # the catalogue's registers, polynomials: IEEE alike
            assert np.array_equal(exact, kernel), (x, exact, kernel)
        np.testing.assert_allclose(exact, exact.T, rtol=1e-13, atol=1e-15)


def test_the_2d_explorers_page_gets_the_hessian_registers():
    """GradientDescent2D asks for them (SCENE_HESSIAN), and Explorer._scene_program compiles them in; the
    other scenes' programs stay without them."""
    assert GradientDescent2D.SCENE_HESSIAN and not Explorer.SCENE_HESSIAN
    obj = objectives.get("saddle")
    program = Explorer._scene_program(SimpleNamespace(objective=obj, SCENE_HESSIAN=True))
    assert "hessian" in program and program["gradient_ops"] < len(program["ops"])
    assert "hessian" not in Explorer._scene_program(SimpleNamespace(objective=obj, SCENE_HESSIAN=False))
    with pytest.raises(TypeError, match="hessian"):
        flatprog.compile_objective(obj, hessian="yes")


# -- one source -------------------------------------------------------------------------------------
SCENES = sorted(WIDGETS.glob("scenes*.js"))


def test_no_scene_restates_a_formula():
    called = set()
    for path in SCENES:
        text = path.read_text(encoding="utf-8")
        for word in ("Math.sqrt", "Math.hypot", "Math.log", "Math.pow", "isclose", "regime", "momentumRate",
                     "minEigenvalue", "stepsToTarget", "Message(", "npMax", "npArgmax", "1e-5"):
            assert word not in text, f"{path.name} holds {word}"
        defined = set(re.findall(r"(?:function|const)\s+([A-Za-z_$][\w$]*)", text))
        assert not defined & set(formulas.FORMULAS), (path.name, defined & set(formulas.FORMULAS))
        called |= set(re.findall(r"formula\('(\w+)'\)", text))
    shipped = formulas.browser_formulas(statuses.BROWSER)
    assert called <= set(shipped), called - set(shipped)
    assert {f.__name__ for f in statuses.BROWSER} <= called, "a formula shipped that no scene calls"


def test_formulas_js_knows_no_formula():
    text = (WIDGETS / "formulas.js").read_text(encoding="utf-8")
    found = sorted(n for n in formulas.FORMULAS if re.search(rf"\b{n}\b", text) and n not in ("formula",))
    assert not found, found


def _refused(fn, message):
    with pytest.raises(ValueError, match=message) as err:
        formulas.formula(fn)
    assert f"formula {fn.__name__} (line " in str(err.value) or f"formula {fn.__name__}:" in str(err.value)


def test_the_subset_refuses_what_it_does_not_know():
    def uses_numpy(x):
        return np.sqrt(x)

    def loops(x):
        while x > 1:
            x = x / 2
        return x

    def calls_exp(x):
        return exp(x)  # noqa: F821

    def keywords(x):
        return max(x, 1.0, key=abs)

    def slices(xs):
        return xs[1:]

    def converts(x):
        return f"{x!r}"

    def modulo(x):
        return x % 2

    def unknown(x):
        return y  # noqa: F821

    def nested(xs):
        return [a for a in xs for b in xs]

    def lambdas(x):
        return (lambda: x)()

    _refused(uses_numpy, r"call of 'np.sqrt'")
    _refused(loops, "statement While")
    _refused(calls_exp, r"call of 'exp'")
    _refused(keywords, "keyword argument")
    _refused(slices, "a slice")
    _refused(converts, r"conversion \(!r")
    _refused(modulo, "operator Mod")
    _refused(unknown, "unknown name 'y'")
    _refused(nested, "more than one 'for'")
    _refused(lambdas, "call of")
    assert "uses_numpy" not in formulas.FORMULAS


def test_a_declared_formula_is_plain_python_and_its_tree_is_json():
    assert formulas.formula(regime_of) is regime_of and regime_of.__module__ == "i2dl_helpers.optim.theory"
    prelude = formulas.browser_prelude([regime_of])
    assert prelude.count('"regime_of"') == 1 and '"isclose"' in prelude and '"hypot"' not in prelude
    with pytest.raises(ValueError, match="roots must name declared formulas"):
        formulas.browser_formulas(["no_such_formula"])


def test_the_interpreter_refuses_what_javascript_would_get_wrong(blank_page):
    """What the checker cannot see (types) the interpreter refuses when it meets it, with a clear error:
    a number in an f-string without a spec (Python's int and float print differently), ``*`` of a text."""
    def field_without_spec(x):
        return f"x = {x}"

    def repeats(n):
        return "-" * n

    for fn in (field_without_spec, repeats):
        formulas.formula(fn)
    try:
        with blank_page() as page:
            page.add_script_tag(content=browser_source(("formulas.js",), formulas=[field_without_spec, repeats])
                                + "\nwindow.formula = formula;\n", type="module")
            page.wait_for_function("() => window.formula !== undefined")
            got = page.evaluate("""() => [['field_without_spec', [1.5]], ['field_without_spec', ['ok']],
                ['repeats', [3]], ['no_such', []]].map(([n, a]) => {
                  try { return window.formula(n)(...a); } catch (err) { return err.message; } })""")
    finally:
        del formulas.FORMULAS["field_without_spec"], formulas.FORMULAS["repeats"]
    assert got[0] == "formula: a number in an f-string needs a format spec" and got[1] == "x = ok"
    assert got[2].startswith("formula: * of a non-number") and got[3].startswith('formula: no formula "no_such"')
