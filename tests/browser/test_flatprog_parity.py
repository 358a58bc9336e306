"""The browser runs the course's maths as Python does: flat programs and optimiser steps in Chromium.

``i2dl_helpers/widgets/flatprog.js`` is loaded into one blank page (no JupyterLab); one
``page.evaluate`` call runs every case and the results are compared here with Python:

* iterates: every catalogue objective of dimension 1 and 2 × GD, Momentum, Nesterov, AdaGrad,
  RMSProp, Adam × 200 steps from the objective's ``start`` with its ``lr`` (where that diverges, the
  race's tuned lr of ``optim.racing.PRESETS`` if the surface has one, else the divergence itself is
  compared), plus the race presets (their starts and tuned lrs) and typed functions: the browser's
  points equal ``optim.run``'s on the catalogue objective to 1e-12 relative, and they stop alike.
  They also equal ``optim.run`` on the same program evaluated by numpy (``flatprog.to_objective``),
  always. No catalogue run is excused: a catalogue objective is declared once, as a formula, and its
  value and gradient *are* its program run by numpy. Typed functions (V8's and numpy's exp,
  log, pow ... may differ in the last bit, which some runs amplify) are held to 1e-9;
* values and gradients of every program on a grid equal ``flatprog.evaluate``'s to 1e-12 relative,
  both as the generated function (``evaluate``) and op by op (``interpret``, also the fallback of a
  page whose security policy forbids ``new Function``, checked too);
* runs on a catalogue program whose gradient has IEEE-exact ops only equal ``optim.run`` on the
  catalogue objective bit for bit;
* bit for bit: on a 61×61 grid over the domain plus random points (``flatprog.probe_points``),
  Chromium's value and gradient of each catalogue program equal numpy's to the last bit wherever
  the program uses only IEEE-exact operations (+ − × ÷, sqrt, neg, abs, square: correctly rounded
  in both); programs with exp, sin, cos or pow (V8's own Math library) are reported, not held;
* the comparison can fail: wrong update rules (mutants of the rules' one declaration,
  ``optim.rules``, shipped to the browser as the widgets ship it) are caught.
"""
from __future__ import annotations

import dataclasses
import json
import time

import numpy as np
import pytest

from i2dl_helpers import expressions, flatprog, objectives, optim
from i2dl_helpers.optim import rules as optim_rules
from i2dl_helpers.flatprog.browser import browser_source
from i2dl_helpers.optim.racing import PRESETS, RACERS

from .jsengine import PackedPage
from .pagetools import run_without_eval

# The parity holds Chromium's V8 (the students' browser) to Python; whether a wrong rule is caught
# does not depend on the engine, so that check runs in Node.js too when the run starts no browser.

STEPS = 200
RTOL = 1e-12
#: typed functions call exp, log, pow, cos ... whose last bit may differ between V8 and numpy (the grid
#: check holds them to 1e-12, in practice 1 ulp); RMSProp and momentum near a minimum amplify that
#: bit over 200 steps (to ~2e-11 here), so their runs are held to this
TYPED_RTOL = 1e-9
#: typed functions that use every kind of op (transcendentals, kinks, non-integer powers)
TYPED = {
    "sqrt(x**2 + 1) + 0.3*sin(2*x) + 0.1*softplus(x) + 0.05*abs(x - 0.5)": ("x",),
    "(x**2 + y**2)**0.75 + 0.2*tanh(x*y) + 0.1*relu(y - 1) + 0.05*exp(-x**2)": ("x", "y"),
    "log(1 + x**2 + 3*y**2) - 0.1*cos(x + y)/(2 + sigmoid(y)) + x**-2*0": ("x", "y"),
}

#: wrong update rules the parity check must catch: (rule, text in its declaration, replacement)
MUTANTS = {
    "Adam without bias correction": ("Adam", "lr / (1 - beta1 ** k)", "lr"),
    "momentum with a sign error": ("SGD", "buf * momentum + g", "buf * momentum - g"),
    "Nesterov as heavy ball": ("SGD", "g + momentum * buf if nesterov", "buf if nesterov"),
    "RMSProp without the square root": ("RMSProp", "else sqrt(square_avg) + eps", "else square_avg + eps"),
    "AdaGrad that forgets": ("AdaGrad", "sum + g * g", "g * g"),
}


def _mutant_source(rule: str, old: str, new: str) -> str:
    """The browser module with one rule's declaration changed (the numpy step keeps the right one)."""
    rules = dict(optim_rules.RULES)
    update = tuple((target, text.replace(old, new)) for target, text in rules[rule].update)
    assert update != rules[rule].update, old
    rules[rule] = dataclasses.replace(rules[rule], update=update)
    return browser_source(rules=rules)

#: a typed function at points where it is undefined, infinite, kinked or overflows
SPECIAL = (["relu(x) + abs(x) + sigmoid(x) + softplus(x) + tanh(x)",
            "relu(x) + abs(x) + sigmoid(x) + softplus(x) + log(x) + sqrt(x) + 1/x + tanh(x) + x**-3 + x**1.5"],
           [-1e308, -800.0, -1.0, -0.0, 0.0, 1e-300, 0.5, 1.0, 745.5, 800.0, 1e308])

_RUN_ALL = """
async ([text, runs, grids, exact]) => {
  const t0 = performance.now();
  const programs = JSON.parse(text);  // as a page or widget state would carry them
  const fp = window.flatprog;
  const iterates = runs.map(([p, name, hyper, x0, steps]) => fp.runOptimizer(programs[p], name, hyper, x0, steps));
  const t1 = performance.now();
  const evals = grids.map(([p, pts]) => pts.map((x) => fp.evaluate(programs[p], x)));
  const t2 = performance.now();
  const interpreted = grids.map(([p, pts]) => pts.map((x) => fp.interpret(programs[p], x)));
  // bit-for-bit grids: [value, ∂L/∂θ_0, ...] as the hex of each double's bits (no number formatting)
  const hex = (v) => { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, v);
                       return b.getBigUint64(0).toString(16).padStart(16, '0'); };
  const bits = exact.map(([p, pts]) => pts.map((x) => {
    const e = fp.evaluate(programs[p], x), i = fp.interpret(programs[p], x);
    return [[e.value, ...e.grad].map(hex), [i.value, ...i.grad].map(hex)];
  }));
  return {iterates, evals, interpreted, bits, ms: [t1 - t0, t2 - t1, performance.now() - t2]};
}
"""

#: program ops whose result IEEE 754 rounds correctly, so V8 and numpy agree to the last bit
#: (abs, neg: exact; square is a * a in flatprog.js); exp, log, sin, cos, tan, tanh, pow, sigmoid
#: call each side's own maths library
IEEE_EXACT = {"input", "const", "add", "sub", "mul", "div", "sqrt", "neg", "abs", "square", "relu", "step", "sign"}


def _gradient_ops(program) -> set[str]:
    """The kinds of op the gradient registers depend on (the value's own ops may differ)."""
    ops, need, kinds = program["ops"], set(program["grad"]), set()
    for op in reversed(ops):
        if op["out"] in need:
            kinds.add(op["op"])
            need.update(op.get("args", ()))
    return kinds


def _cases():
    """(programs, objectives, runs): runs are (program index, optimiser, start, label)."""
    programs, objs, runs = [], [], []
    for name in objectives.names():
        obj = objectives.get(name)
        programs.append(flatprog.compile_objective(obj))
        objs.append(obj)
        for racer, make in RACERS.items():
            opt = make(obj.lr)
            if name in PRESETS and optim.run(obj, opt, obj.start, steps=STEPS).status == "diverged":
                opt = make(PRESETS[name]["lr"][racer])
            runs.append((len(objs) - 1, opt, obj.start, f"{name}/{racer}"))
        if name in PRESETS:
            for racer, opt in optim.racing.make_racers(lr=PRESETS[name]["lr"]).items():
                runs.append((len(objs) - 1, opt, np.array(PRESETS[name]["start"]), f"{name}/{racer} (race)"))
    for text, variables in TYPED.items():
        obj = expressions.parse(text, variables, domain=[(-2, 2)] * len(variables))
        programs.append(flatprog.compile_objective(obj))
        objs.append(obj)
        for racer, make in RACERS.items():
            runs.append((len(objs) - 1, make(0.05), obj.start, f"typed {text[:20]}…/{racer}"))
    return programs, objs, runs


def _grid(obj) -> np.ndarray:
    if obj.dim == 1:
        return obj.grid(41)[:, None]
    return obj.grid(15)[2].reshape(-1, 2)


def _relative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a − b| / max(|b|) per row (the iterate's or gradient's size), 0 where both are equal."""
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    scale = np.max(np.abs(b), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):   # inf − inf where both are inf: equal, 0
        diff = np.where((a == b) | (np.isnan(a) & np.isnan(b)), 0.0, np.abs(a - b))
        return np.max(diff / np.where(scale > 0, scale, 1.0), axis=-1)


@pytest.fixture(scope="module")
def flat_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    source = browser_source()
    page.add_script_tag(content=source + "\nwindow.flatprog = {evaluate, interpret, runOptimizer};\n", type="module")
    for i, mutant in enumerate(MUTANTS.values()):
        page.add_script_tag(content=_mutant_source(*mutant) + f"\nwindow.mutant{i} = {{runOptimizer}};\n",
                            type="module")
    page.wait_for_function(f"() => window.flatprog !== undefined && window.mutant{len(MUTANTS) - 1} !== undefined")
    try:
        yield PackedPage(page)
    finally:
        context.close()


@pytest.fixture(scope="module")
def flat_js(blank_page):
    """The mutants of the module in a blank page of Chromium, or of Node.js when the run starts no browser
    (``blank_page``, tests/browser/conftest.py): whether a wrong rule is caught does not depend on which
    V8 runs it (Node's Math.pow may differ from Chromium's in the last bit, so the parity itself is
    Chromium's)."""
    with blank_page() as page:
        for i, mutant in enumerate(MUTANTS.values()):
            page.add_script_tag(content=_mutant_source(*mutant) + f"\nwindow.mutant{i} = {{runOptimizer}};\n",
                                type="module")
        page.wait_for_function(f"() => window.mutant{len(MUTANTS) - 1} !== undefined")
        yield page


def _compare(label, got, ref, dim, failures, rtol=RTOL) -> float:
    """The largest relative difference of the browser's iterates from a Python Trajectory (inf if
    they stop differently); appends a failure message when above RTOL."""
    pts = np.array(got["points"], dtype=float).reshape(-1, dim)
    ref_pts = np.asarray(ref.points, dtype=float).reshape(-1, dim)
    if got["status"] != ref.status or got["stop"] != ref.stop_step or pts.shape != ref_pts.shape:
        failures.append(f"{label}: browser {got['status']} at {got['stop']}, Python {ref.status} at {ref.stop_step}")
        return np.inf
    err = float(_relative(pts, ref_pts).max())
    if not err <= rtol:
        failures.append(f"{label}: iterates differ by {err:.3g} (relative)")
    return err


def _check_runs(objs, programs, runs, iterates, failures) -> dict:
    """Compare every browser run with Python; returns the worst differences. No run is excused."""
    flat = [flatprog.to_objective(p) for p in programs]
    report = {"catalogue": 0.0, "program": 0.0, "typed": 0.0, "n_typed": 0,
              "exact_runs": 0, "exact_identical": 0, "exact_worst": 0.0}
    for (i, opt, x0, label), got in zip(runs, iterates):
        dim = objs[i].dim
        if label.startswith("typed"):
            ref = optim.run(objs[i], opt, x0, steps=STEPS)
            report["typed"] = max(report["typed"], _compare(label, got, ref, dim, failures, TYPED_RTOL))
            report["n_typed"] += 1
            continue
        # the same program run by numpy: the browser must repeat it to round-off, always
        ours = optim.run(flat[i], opt, x0, steps=STEPS)
        report["program"] = max(report["program"], _compare(label + " (numpy program)", got, ours, dim, failures))
        err = _compare(label, got, optim.run(objs[i], opt, x0, steps=STEPS), dim, failures)
        if err != 0.0 and _gradient_ops(programs[i]) <= IEEE_EXACT:
            failures.append(f"{label}: a gradient of IEEE-exact ops, yet the browser's iterates are not "
                            f"those of optim.run on the catalogue objective bit for bit ({err:.3g})")
        report["catalogue"] = max(report["catalogue"], err)
        report["exact_runs"] += 1
        report["exact_identical"] += err == 0.0
        report["exact_worst"] = max(report["exact_worst"], err)
    return report


def _check_grids(objs, programs, grids, evals, failures) -> float:
    """Compare the browser's values and gradients on grids with flatprog.evaluate; the worst difference."""
    worst = 0.0
    for (i, pts), got in zip(grids, evals):
        value, grad = flatprog.evaluate(programs[i], np.array(pts))
        js_v = np.array([e["value"] for e in got], dtype=float)
        js_g = np.array([e["grad"] for e in got], dtype=float)
        err = max(float(_relative(js_v[:, None], value[:, None]).max()), float(_relative(js_g, grad).max()))
        worst = max(worst, err)
        if not err <= RTOL:
            failures.append(f"{objs[i].name}: browser values/gradients differ by {err:.3g} (relative)")
    return worst


def _hex(a) -> np.ndarray:
    return np.vectorize(lambda u: f"{u:016x}")(np.ascontiguousarray(a, dtype=float).view(np.uint64))


def _check_bits(objs, programs, exact, bits, failures) -> list[str]:
    """Chromium's bits against numpy's on the exact grids: one line per program; a failure where a
    program of IEEE-exact ops alone differs."""
    lines = []
    for (i, pts), got in zip(exact, bits):
        value, grad = flatprog.evaluate(programs[i], np.array(pts))
        ref = np.concatenate([_hex(value)[:, None], _hex(grad)], axis=1)
        js_eval = np.array([e for e, _ in got])
        js_interp = np.array([k for _, k in got])
        differ = np.mean(np.any(js_eval != ref, axis=1)), np.mean(np.any(js_eval[:, 1:] != ref[:, 1:], axis=1))
        ops = sorted({op["op"] for op in programs[i]["ops"]} - IEEE_EXACT)
        lines.append(f"{objs[i].name} ({programs[i]['gradient']}; {', '.join(ops) or 'IEEE ops only'}): "
                     f"{100 * differ[1]:.1f} % of {len(pts)} points with another gradient bit"
                     + (f", {100 * differ[0]:.1f} % value or gradient" if differ[0] > differ[1] else ""))
        if not np.array_equal(js_eval, js_interp):
            failures.append(f"{objs[i].name}: evaluate and interpret give different bits")
        if not ops and differ[0] > 0:
            failures.append(f"{objs[i].name}: a program of IEEE-exact ops alone differs from numpy in the "
                            f"last bits at {100 * differ[0]:.2f} % of the grid")
    return lines


@pytest.mark.browser
def test_browser_iterates_and_gradients_equal_python(flat_page, capsys):
    tic = time.perf_counter()
    programs, objs, runs = _cases()
    payload = [(i, opt.name, opt.hyperparameters(), np.asarray(x0, float).tolist(), STEPS)
               for i, opt, x0, _ in runs]
    grids = [(i, _grid(obj).tolist()) for i, obj in enumerate(objs)]
    for text in SPECIAL[0]:
        objs.append(expressions.parse(text))
        programs.append(flatprog.compile_objective(objs[-1]))
        grids.append((len(objs) - 1, [[x] for x in SPECIAL[1]]))
    exact = [(i, flatprog.probe_points(objs[i], 61).tolist()) for i in range(len(objectives.names()))]
    out = flat_page.evaluate(_RUN_ALL, [json.dumps(programs, allow_nan=False), payload, grids, exact])
    failures: list[str] = []
    rep = _check_runs(objs, programs, runs, out["iterates"], failures)
    bit_lines = _check_bits(objs, programs, exact, out["bits"], failures)
    worst_eval = _check_grids(objs, programs, grids, out["evals"], failures)
    worst_eval = max(worst_eval, _check_grids(objs, programs, grids, out["interpreted"], failures))
    n_typed = rep["n_typed"]
    with capsys.disabled():
        print(f"\nflatprog parity: {len(runs)} runs × {STEPS} steps; max relative difference of the browser's "
              f"iterates from optim.run on the catalogue objective {rep['catalogue']:.3g} "
              f"({len(runs) - n_typed} runs, none excused), on the same program in numpy {rep['program']:.3g} "
              f"({len(runs) - n_typed} runs), on typed functions {rep['typed']:.3g} ({n_typed} runs); "
              f"{sum(len(p) for _, p in grids)} grid points, values/gradients {worst_eval:.3g}; "
              f"browser {out['ms'][0]:.0f} ms (runs) + {out['ms'][1]:.0f} ms (grids; "
              f"{out['ms'][2]:.0f} ms interpreted op by op), "
              f"test {time.perf_counter() - tic:.1f} s")
        print(f"  catalogue programs: {rep['exact_runs']} runs, "
              f"{rep['exact_identical']} bit-identical to optim.run on the catalogue objective (all "
              f"whose gradient has IEEE-exact ops only), worst {rep['exact_worst']:.3g} (no excuse)")
        print("  Chromium vs the same program in numpy (which is the catalogue's value and gradient bit for "
              "bit), on the grids:\n    " + "\n    ".join(bit_lines))
    assert not failures, "\n".join(failures)
    assert len(runs) >= len(objectives.names()) * 6
    assert rep["exact_runs"] == len(runs) - n_typed


def test_wrong_update_rules_are_caught(flat_js):
    obj = objectives.get("himmelblau")
    program = flatprog.compile_objective(obj)
    opts = {name: make(obj.lr) for name, make in RACERS.items()}
    refs = {name: np.asarray(optim.run(obj, opt, obj.start, steps=50).points) for name, opt in opts.items()}
    payload = [(name, opt.hyperparameters()) for name, opt in opts.items()]
    got = flat_js.evaluate("""([program, payload, x0, n]) => Array.from({length: n}, (_, i) =>
        payload.map(([name, hyper]) => window[`mutant${i}`].runOptimizer(program, name, hyper, x0, 50).points))""",
                             [program, payload, obj.start.tolist(), len(MUTANTS)])
    for label, runs in zip(MUTANTS, got):
        errors = [float(_relative(np.array(pts), refs[name]).max()) if np.shape(pts) == refs[name].shape else np.inf
                  for (name, _), pts in zip(payload, runs)]
        assert max(errors) > 1e-6, f"the mutant '{label}' was not caught: {errors}"


@pytest.mark.browser
def test_a_page_that_forbids_eval_falls_back_to_the_interpreter(browser):
    obj = objectives.get("rosenbrock")
    program = flatprog.compile_objective(obj)
    # the page's own script runs the optimiser (page.evaluate itself would be exempt from the policy)
    script = (browser_source()
              + "\ntry { new Function('return 1'); window.blocked = false; }"
              + " catch (err) { window.blocked = err instanceof EvalError; }"
              + f"\nwindow.result = runOptimizer({json.dumps(program)}, 'Adam', {{lr: 0.01}}, "
              + f"{json.dumps(obj.start.tolist())}, 50);\n")
    blocked, points = run_without_eval(browser, script, "window.result.points")
    assert blocked, "the page was meant to forbid new Function"
    ref = optim.run(obj, optim.Adam(0.01), obj.start, steps=50)
    assert float(_relative(np.array(points), ref.points).max()) <= RTOL


#: one optimiser per form of every rule (each branch of its declaration), as Python builds them
STEP_CASES = [optim.GD(0.1), optim.SGD(0.1, weight_decay=0.1), optim.SGD(0.1, momentum=0.5, weight_decay=0.05),
              optim.SGD(0.05, momentum=0.8, nesterov=True), optim.Adagrad(0.1, lr_decay=0.01, initial_accumulator_value=0.1),
              optim.RMSProp(0.01), optim.RMSProp(0.01, alpha=0.3, momentum=0.5, centered=True),
              optim.RMSProp(0.01, alpha=0.9, centered=True), optim.Adam(0.1),
              optim.Adam(0.1, betas=(0.3, 0.9), weight_decay=0.1), optim.AdamW(0.1), optim.AdamW(0.1, weight_decay=0.0)]


def test_every_rule_steps_as_numpy_does(blank_page):
    """makeStep (flatprog.js's interpreter of the shipped declarations) against the Optimizer classes'
    numpy step on the same points and gradients, 40 steps of 3 coordinates: the same doubles (Adam's
    bias corrections call each side's pow, whose last bit may differ in Node.js: Adam to 1e-14)."""
    rng = np.random.default_rng(5)
    x0, grads = rng.normal(size=3), rng.normal(size=(40, 3)) * np.logspace(0, -3, 40)[:, None]
    with blank_page() as page:
        page.add_script_tag(content=browser_source() + "\nwindow.fp = {makeStep};\n", type="module")
        page.wait_for_function("() => window.fp !== undefined")
        got = page.evaluate("""([cases, x0, grads]) => cases.map(([name, hyper]) => {
            const step = window.fp.makeStep(name, hyper), s = {};
            let x = x0;
            return grads.map((g, t) => (x = step(x, g, s, hyper.lr, t)));
        })""", [[(opt.name, opt.hyperparameters()) for opt in STEP_CASES], x0.tolist(), grads.tolist()])
    for opt, points in zip(STEP_CASES, got):
        x, state, ref = x0[None, :], opt.init_state(x0[None, :]), []
        for t, g in enumerate(grads):
            x = opt.step(x, g[None, :], state, lr=opt.lr, t=t, objective=None)
            ref.append(x[0])
        err = float(_relative(np.array(points), np.array(ref)).max())
        assert err <= (1e-14 if opt.name.startswith("Adam") else 0.0), f"{opt!r}: iterates differ by {err:.3g}"
