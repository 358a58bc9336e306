"""The basin map computed in the browser equals Python's ``basins.basin_map``.

``i2dl_helpers/widgets/flatbatch.js`` (loaded after ``flatprog.js`` as one module, the way the
widgets concatenate them) runs an optimiser from every start of a grid in one generated function,
labels the end points and paints them. One blank Chromium page (no JupyterLab) runs the cases;
the results are compared here with Python:

* ``gridStarts`` equals ``objective.grid``'s points bit for bit (np.linspace's arithmetic);
* for every 2D catalogue objective × two learning rates (one that converges, one large enough
  that starts diverge; the plateau's gradient is bounded, so there an absurd one) × 60×60 starts ×
  100 GD steps: the labels equal ``basin_map``'s exactly; status and stop step equal
  ``optim.run(..., record=False)``'s; the final points equal those of the same flat program run by
  numpy (``flatprog.to_objective``) bit for bit where the program has only IEEE-exact ops (no exp,
  log, pow), to 1e-12 relative otherwise, diverged starts included (frozen at their last finite
  point); and the catalogue objective's to 1e-12 where the start did not diverge, with no start
  excused: the catalogue objective's value and gradient *are* its program run by numpy (declared
  once, ``objectives.catalogue``), so Python's two runs never differ;
* a chaotic map (saddle, α = 1.5): the labels follow the program's rounding, and so equal
  ``basin_map``'s at every start;
* the other update rules (momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, weight decay) with
  and without ``tol``, in 1 and 2 dimensions, and a typed function whose loss is undefined at some
  starts: the numpy program's runs to 1e-12, the catalogue's too, no start excused;
* ``basinImage`` equals matplotlib's own rendering (Agg, one pixel per start) of
  ``imshow(labels, origin="lower")`` with ``basin_colors``;
* the page that forbids ``new Function`` falls back to flatprog.js's rules with the same numbers;
* bad arguments are refused with a message naming them;
* the comparison can fail: mutants (lr × 1.0001, a diverged step taken, linspace written
  another way, the diverged label forgotten, the picture upside down) are caught.

The timing test prints the browser's time for 200×200 starts × 100 steps beside ``basin_map``'s.
"""
from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from i2dl_helpers import expressions, flatprog, objectives, optim
from i2dl_helpers.basins import DIVERGED, NOT_CONVERGED, basin_labels, basin_map
from i2dl_helpers.flatprog.browser import browser_source
from i2dl_helpers.objectives import Objective
from i2dl_helpers.plotting.views2d import basin_colors

from .jsengine import PackedPage
from .pagetools import run_without_eval

# Runs that reach exp, log or pow hold Chromium's V8 (the students' browser) to Python: ``browser``;
# checks of IEEE arithmetic, pixels and arguments run in Node.js too when the run starts no browser.

N, STEPS, RADIUS, RTOL = 60, 100, 1e-2, 1e-12
STATUS = {"max_steps": 0, "converged": 1, "diverged": 2}
#: a learning rate per objective at which starts diverge within 100 steps (checked below); the
#: plateau's gradient is bounded, so only an absurd α throws starts beyond ±1e8. On the saddle,
#: α = 0.8 still has stable minima; at α = 1.5 the map y -> 2.5y − 1.5y³ is chaotic (test below).
LARGE_LR = {"bowl": 2.5, "ill_conditioned": 0.3, "rosenbrock": 0.003, "himmelblau": 0.03, "saddle": 0.8,
            "ravine": 0.75, "plateau": 1e9}
#: ops whose numpy and V8 results are the same correctly rounded double (IEEE + − × ÷ √): programs
#: made only of these give bit-identical iterates in numpy and the browser
EXACT_OPS = {"input", "const", "add", "sub", "mul", "div", "neg", "square", "sqrt", "abs", "relu", "step", "sign"}
#: the same lr for all starts of a typed function, undefined (log) at some starts
TYPED = ("log(x) + (y - 0.5)**2 + 0.1*x**2", [(-1.0, 3.0), (-2.0, 2.0)], 0.05)

_EXPORT = ("\nwindow.{name} = {{runBatch, basinLabels, basinImage, gridStarts, BASIN_DIVERGED, "
           "BASIN_NOT_CONVERGED, BATCH_STATUS}};\n")
_HELPERS = """
window.b64 = (a) => {  // a typed array's bytes as base64 (exact doubles, little-endian)
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
  return btoa(s);
};
"""
#: wrong code the comparison must catch: (text in flatprog.js + flatbatch.js, replacement)
MUTANTS = {
    "GD with lr × 1.0001": ("`const lr = P[0]${", "`const lr = P[0] * 1.0001${"),
    "a diverged step is taken": ("{ act[s] = 0; live--; status[s] = 2;",
                                 "{ X[o] = n0; X[o + 1] = n1; act[s] = 0; live--; status[s] = 2;"),
    "linspace as lo + i·(hi − lo)/(n − 1)": ("out[i] = (step === 0 ? (i / div) * delta : i * step) + lo;",
                                            "out[i] = lo + (i * delta) / div;"),
    "diverged starts labelled by their last point": ("if (status[s] === 2) {", "if (false) {"),
    "the picture upside down": ("let p = (n - 1 - i) * n * 4;", "let p = i * n * 4;"),
}


def _source() -> str:
    """flatprog.js + flatbatch.js as one module text, after the update rules' declarations, as the
    widgets concatenate them."""
    return browser_source(("flatprog.js", "flatbatch.js"))


def _f64(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8")


def _u8(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8)


@pytest.fixture(scope="module")
def batch_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(content=_HELPERS)
    page.add_script_tag(content=_source() + _EXPORT.format(name="fb"), type="module")
    source = _source()
    for i, (old, new) in enumerate(MUTANTS.values()):
        assert source.count(old) == 1, old
        page.add_script_tag(content=source.replace(old, new) + _EXPORT.format(name=f"mutant{i}"), type="module")
    page.wait_for_function(f"() => window.fb !== undefined && window.mutant{len(MUTANTS) - 1} !== undefined")
    try:
        yield PackedPage(page)
    finally:
        context.close()


@pytest.fixture(scope="module")
def batch_js(blank_page):
    """The same module in a blank page of Chromium, or of Node.js when the run starts no browser
    (``blank_page``, tests/browser/conftest.py), for the checks whose numbers do not depend on V8's
    maths library (IEEE arithmetic, pixels, labels of a program of IEEE ops, argument checks)."""
    with blank_page() as page:
        page.add_script_tag(content=_HELPERS)
        page.add_script_tag(content=_source() + _EXPORT.format(name="fb"), type="module")
        page.wait_for_function("() => window.fb !== undefined")
        yield page


def _relative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a − b| / max|b| per row (a start's point), 0 where equal."""
    scale = np.max(np.abs(b), axis=-1, keepdims=True)
    diff = np.where(a == b, 0.0, np.abs(a - b))
    return np.max(diff / np.where(scale > 0, scale, 1.0), axis=-1)


def _rendered(labels: np.ndarray, k: int) -> np.ndarray:
    """matplotlib's own pixels of the BasinExplorer's imshow, one pixel per start: (n, n, 4) RGBA
    bytes, top row first."""
    n = labels.shape[0]
    cmap, norm = basin_colors(k)
    fig = Figure(figsize=(1, 1), dpi=n)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.imshow(labels.astype(np.int8 if k < 128 else np.int32), origin="lower", cmap=cmap, norm=norm,
              interpolation="nearest", interpolation_stage="data", aspect="auto")
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _colors(k: int) -> list:
    """label −2, −1, 0 ... k−1 -> [r, g, b, a] bytes, as the Python glue passes them."""
    cmap, norm = basin_colors(k)
    return cmap(norm(np.arange(NOT_CONVERGED, k)), bytes=True).tolist()


_BASINS = """
([text, cases, n, steps, fbName]) => {
  const programs = JSON.parse(text);  // as widget state carries them
  const fb = window[fbName];
  return cases.map(([p, lr, domain, minima, radius, colors]) => {
    const starts = fb.gridStarts(n, domain);
    const res = fb.runBatch(programs[p], 'GD', {lr}, starts, steps);
    const labels = fb.basinLabels(res.final, res.status, minima, radius);
    const image = fb.basinImage(labels, n, colors);
    return {starts: b64(starts), final: b64(res.final), status: Array.from(res.status),
            stop: Array.from(res.stop), labels: Array.from(labels), image: b64(image)};
  });
}
"""


def _basin_cases():
    """(programs, objectives, cases) for every 2D catalogue objective × two learning rates."""
    programs, objs, cases = [], [], []
    for name in objectives.names(dim=2):
        obj = objectives.get(name)
        programs.append(flatprog.compile_objective(obj))
        objs.append(obj)
        for lr in (obj.lr, LARGE_LR[name]):
            minima = np.asarray(obj.minima, dtype=float)
            cases.append((len(objs) - 1, lr, obj.domain.tolist(), minima.tolist(), RADIUS, _colors(len(minima))))
    return programs, objs, cases


def _exact(program) -> bool:
    """True when numpy and V8 must give the same doubles for the program (no exp, log, pow, ...)."""
    return all(op["op"] in EXACT_OPS for op in program["ops"])


def _check_basins(programs, objs, cases, out, failures: list[str], report: dict | None = None) -> None:
    """Compare the browser's basin maps with basin_map / optim.run; failures name the starts."""
    report = report if report is not None else {}
    for (p, lr, domain, minima, radius, _), got in zip(cases, out):
        obj, label = objs[p], f"{objs[p].name} α={lr:g}"
        X, Y, P = obj.grid(N)
        pts = P.reshape(-1, 2)
        starts = _f64(got["starts"]).reshape(-1, 2)
        if starts.shape != pts.shape or not np.array_equal(starts.view(np.uint64), pts.view(np.uint64)):
            failures.append(f"{label}: gridStarts differs from objective.grid bit for bit")
            continue
        bm = basin_map(obj, lr, n=N, steps=STEPS, radius=radius)
        ref = optim.run(obj, optim.GD(lr), pts, steps=STEPS, record=False)
        # the same program evaluated by numpy: the browser repeats its arithmetic
        twin = optim.run(flatprog.to_objective(programs[p]), optim.GD(lr), pts, steps=STEPS, record=False)
        twin_labels = basin_labels(twin.final, twin.status == "diverged", minima, radius)
        labels = np.array(got["labels"])
        final = _f64(got["final"]).reshape(-1, 2)
        status, stop = np.array(got["status"]), np.array(got["stop"])
        for what, expected in (("basin_map", bm.labels.reshape(-1)), ("the numpy program", twin_labels)):
            bad = np.flatnonzero(labels != expected)
            if bad.size:
                failures.append(f"{label}: {bad.size} labels differ from {what}'s, e.g. "
                                + "; ".join(f"start {tuple(pts[i])}: browser {labels[i]}, {what} {expected[i]} "
                                            f"(browser's final point {tuple(final[i])})" for i in bad[:3]))
        for what, run in (("optim.run", ref), ("optim.run on the numpy program", twin)):
            ref_status = np.array([STATUS[s] for s in run.status])
            bad = np.flatnonzero((status != ref_status) | (stop != run.stop_step))
            if bad.size:
                failures.append(f"{label}: {bad.size} starts stop differently from {what}, e.g. start "
                                f"{tuple(pts[bad[0]])}: browser {status[bad[0]]} at {stop[bad[0]]}, Python "
                                f"{run.status[bad[0]]} at {run.stop_step[bad[0]]}")
        # final points: the numpy program's always (bit for bit where only IEEE-exact ops)
        if _exact(programs[p]):
            differ = np.flatnonzero((final.view(np.uint64) != twin.final.view(np.uint64)).any(-1))
            report["bit-exact maps"] = report.get("bit-exact maps", 0) + (differ.size == 0)
            if differ.size:
                failures.append(f"{label}: {differ.size} final points differ in their bits from the numpy "
                                f"program's, e.g. start {tuple(pts[differ[0]])}")
        # the catalogue's runs where the start did not diverge (a diverging run amplifies round-off),
        # except where Python's two runs of the same maths (catalogue formula, compiled program) already
        # differ by more than RTOL: there the dynamics amplify the formula's own rounding
        alive = status != 2
        apart = _relative(twin.final, ref.final) > RTOL
        report["amplified"] = report.get("amplified", 0) + int((alive & apart).sum())
        report["alive"] = report.get("alive", 0) + int(alive.sum())
        for what, other, rows in (("numpy program", twin.final, np.ones_like(alive)),
                                  ("catalogue", ref.final, alive & ~apart),
                                  ("basin_map", bm.final.reshape(-1, 2), alive & ~apart)):
            err = np.where(rows, _relative(final, other), 0.0)
            report[what] = max(report.get(what, 0.0), float(err.max()))
            if not err.max() <= RTOL:
                i = int(np.argmax(err))
                failures.append(f"{label}: final points differ from the {what}'s by {err[i]:.3g} at start "
                                f"{tuple(pts[i])} ({'diverged' if status[i] == 2 else 'not diverged'})")
        if (~alive).any():
            report["diverged, catalogue"] = max(report.get("diverged, catalogue", 0.0),
                                                float(_relative(final[~alive], ref.final[~alive]).max()))
        k = len(minima)
        expected = _rendered(bm.labels, k)
        image = _u8(got["image"]).reshape(N, N, 4)
        if not np.array_equal(image, expected):
            failures.append(f"{label}: basinImage differs from matplotlib's pixels at "
                            f"{np.argwhere((image != expected).any(-1))[:3].tolist()}")
        report.setdefault("fractions", []).append(f"{label}: {bm.summary().split(': ', 1)[1]}")


@pytest.mark.browser
def test_browser_basin_maps_equal_basin_map(batch_page, capsys):
    tic = time.perf_counter()
    programs, objs, cases = _basin_cases()
    assert len(objs) == len(objectives.names(dim=2)) >= 1
    ms = time.perf_counter()
    out = batch_page.evaluate(_BASINS, [json.dumps(programs, allow_nan=False), cases, N, STEPS, "fb"])
    ms = 1e3 * (time.perf_counter() - ms)
    failures: list[str] = []
    report: dict = {}
    _check_basins(programs, objs, cases, out, failures, report)
    # the large learning rates do what they are meant to: some starts diverge (plateau: oscillate)
    for (p, lr, *_), got in zip(cases, out):
        if lr == LARGE_LR[objs[p].name]:
            diverged = np.mean(np.array(got["labels"]) == DIVERGED)
            assert diverged > 0.05, f"{objs[p].name} α={lr:g}: only {diverged:.0%} of starts diverge"
    with capsys.disabled():
        print(f"\nbasin parity: {len(cases)} maps of {N}×{N} starts × {STEPS} GD steps "
              f"({len(objs)} objectives × 2 learning rates): labels equal basin_map's "
              f"{'exactly' if not any('labels' in f for f in failures) else 'NOT'}; final points, max relative "
              f"difference from optim.run on the catalogue objective {report.get('catalogue', np.nan):.3g} "
              f"at {report['alive'] - report['amplified']} of {report['alive']} starts that did not diverge (the "
              f"other {report['amplified']}: Python's own runs of the catalogue formula and of the compiled "
              f"program differ by more than {RTOL:g}; diverged starts: "
              f"{report.get('diverged, catalogue', 0.0):.3g}), on the numpy program "
              f"{report.get('numpy program', np.nan):.3g} (bit for bit in {report.get('bit-exact maps', 0)} maps "
              f"without exp/log/pow); browser + transfer {ms:.0f} ms, "
              f"test {time.perf_counter() - tic:.1f} s")
        print("  " + "\n  ".join(report.get("fractions", [])))
    assert not failures, "\n".join(failures)
    assert report["amplified"] == 0, "the catalogue objective and its program run apart in Python"


def test_a_chaotic_map_follows_its_rounding(batch_js, capsys):
    """Saddle at α = 1.5: GD's y-map y -> 2.5y − 1.5y³ is chaotic, so after 100 steps a start's
    basin depends on the last bit of every gradient. The catalogue's gradient is its program (y·y·y,
    IEEE-exact ops), so the browser's labels equal those of the program run by numpy and
    ``basin_map``'s at every start."""
    obj = objectives.get("saddle")
    program = flatprog.compile_objective(obj)
    lr, minima = 1.5, obj.minima
    case = (0, lr, obj.domain.tolist(), minima.tolist(), RADIUS, _colors(len(minima)))
    got = batch_js.evaluate(_BASINS, [json.dumps([program]), [case], N, STEPS, "fb"])[0]
    pts = obj.grid(N)[2].reshape(-1, 2)
    labels = np.array(got["labels"])
    twin = optim.run(flatprog.to_objective(program), optim.GD(lr), pts, steps=STEPS, record=False)
    assert np.array_equal(labels, basin_labels(twin.final, twin.status == "diverged", minima, RADIUS))
    bm = basin_map(obj, lr, n=N, steps=STEPS)
    differ = labels != bm.labels.reshape(-1)
    # the map is chaotic indeed: a 1-ulp nudge of the gradient moves many of Python's own runs
    sensitive = _sensitive(obj, optim.GD(lr), pts, None, optim.run(obj, optim.GD(lr), pts, steps=STEPS, record=False))
    with capsys.disabled():
        print(f"\nchaotic saddle α={lr:g}: browser labels = numpy program's = basin_map's at {(~differ).sum()} of "
              f"{len(pts)} starts; {sensitive.sum()} starts move under a 1-ulp gradient nudge")
    assert not differ.any(), pts[differ][:3]
    assert sensitive.mean() > 0.05


def test_grid_starts_are_objective_grid_bit_for_bit(batch_js):
    domains = [obj.domain.tolist() for obj in map(objectives.get, objectives.names(dim=2))]
    # odd boxes too: tiny, far from 0, subnormal (np.linspace's step == 0 branch: 5e-324 / 3 rounds to 0)
    domains += [[[0.1, 0.7], [-3.3, 2.2]], [[-1e-300, 1e-300], [1e5, 1e5 + 1e-9]], [[0.0, 5e-324], [-7.1, 1e-3]],
                [[-2.5e-323, 1e-322], [0.3, 0.30000000000000004]]]
    sizes = [1, 2, 3, 7, 60, 199, 200]
    got = batch_js.evaluate("""([domains, sizes]) => domains.map((d) => sizes.map((n) =>
        b64(window.fb.gridStarts(n, d))))""", [domains, sizes])
    probe = objectives.get("bowl")
    for domain, row in zip(domains, got):
        for n, text in zip(sizes, row):
            ref = probe.grid(n, domain)[2].reshape(-1, 2)
            js = _f64(text).reshape(-1, 2)
            assert js.shape == ref.shape and np.array_equal(js.view(np.uint64), ref.view(np.uint64)), \
                f"gridStarts({n}, {domain}) differs from objective.grid at {np.argwhere(js != ref)[:3].tolist()}"


_RUNS = """
([text, runs]) => {
  const programs = JSON.parse(text);
  return runs.map(([p, name, hyper, starts, steps, tol]) => {
    const res = window.fb.runBatch(programs[p], name, hyper, new Float64Array(starts), steps, {tol});
    return {final: b64(res.final), status: Array.from(res.status), stop: Array.from(res.stop)};
  });
}
"""


def _run_cases():
    """(programs, objectives, runs): every update rule, with and without tol, on batches of starts."""
    programs, objs, runs = [], [], []
    extra = {"SGD(wd)": lambda lr: optim.SGD(lr, momentum=0.5, weight_decay=0.1),
             "Nesterov(wd)": lambda lr: optim.SGD(lr, momentum=0.8, nesterov=True, weight_decay=0.05),
             "AdaGrad(decay)": lambda lr: optim.Adagrad(lr, lr_decay=0.01, initial_accumulator_value=0.1),
             "RMSProp(centered)": lambda lr: optim.RMSProp(lr, alpha=0.3, momentum=0.5, centered=True),
             "Adam(wd)": lambda lr: optim.Adam(lr, betas=(0.3, 0.9), weight_decay=0.1),
             "AdamW": lambda lr: optim.AdamW(lr)}
    makers = {**optim.racing.RACERS, **extra}
    for name in ("himmelblau", "rosenbrock", "saddle"):
        obj = objectives.get(name)
        programs.append(flatprog.compile_objective(obj))
        objs.append(obj)
        pts = obj.grid(16)[2].reshape(-1, 2)
        for label, make in makers.items():
            for lr, tol in ((obj.lr, None), (obj.lr, 1e-4), (LARGE_LR[name], None)):
                runs.append((len(objs) - 1, make(lr), pts, tol, f"{name}/{label} α={lr:g} tol={tol}"))
    for name in ("double_well", "many_minima"):  # d = 1: the same generated loop
        obj = objectives.get(name)
        programs.append(flatprog.compile_objective(obj))
        objs.append(obj)
        pts = obj.grid(64)[:, None]
        for label, make in optim.racing.RACERS.items():
            for lr, tol in ((obj.lr, None), (obj.lr, 1e-5), (10 * obj.lr, None)):
                runs.append((len(objs) - 1, make(lr), pts, tol, f"{name}/{label} α={lr:g} tol={tol}"))
    text, domain, lr = TYPED
    obj = expressions.parse(text, ("x", "y"), domain=domain)
    programs.append(flatprog.compile_objective(obj))
    objs.append(obj)
    pts = obj.grid(16)[2].reshape(-1, 2)
    for label, make in makers.items():
        runs.append((len(objs) - 1, make(lr), pts, None, f"typed {text}/{label}"))
    return programs, objs, runs


def _sensitive(obj, opt, pts, tol, ref) -> np.ndarray:
    """Starts whose Python run itself moves by more than RTOL (or stops differently) when every
    gradient is nudged by one ulp (relative 2⁻⁵²): no other rounding of the same maths can be held
    to RTOL there."""
    nudge = 1.0 + 2.0**-52
    nudged = Objective(lambda q: obj(q), lambda q: obj.grad(q) * nudge, dim=obj.dim)
    other = optim.run(nudged, opt, pts, steps=STEPS, tol=tol, record=False)
    return (_relative(other.final, ref.final) > RTOL) | (other.status != ref.status) | (other.stop_step != ref.stop_step)


def _check_runs(objs, programs, runs, out, failures, report) -> None:
    """The numpy program's runs always (status, stop, final to RTOL); the catalogue's except where
    Python's own runs of the catalogue formula and of the program already differ."""
    for (p, opt, pts, tol, label), got in zip(runs, out):
        ref = optim.run(objs[p], opt, pts, steps=STEPS, tol=tol, record=False)
        twin = optim.run(flatprog.to_objective(programs[p]), opt, pts, steps=STEPS, tol=tol, record=False)
        status, stop = np.array(got["status"]), np.array(got["stop"])
        final = _f64(got["final"]).reshape(pts.shape)
        # typed functions: the catalogue run is the parsed function's own numpy evaluation; V8's and
        # numpy's log may differ in the last bit, which is the program's only inexact op here
        rtol = 1e-9 if label.startswith("typed") else RTOL
        for what, run in (("numpy program", twin), ("catalogue", ref)):
            wrong = ((status != np.array([STATUS[s] for s in run.status])) | (stop != run.stop_step)
                     | (_relative(final, run.final) > rtol))
            if what == "catalogue":
                # Python's two runs of the same maths (catalogue formula, compiled program) already
                # differ there: the dynamics amplify the formula's own rounding
                apart = ((ref.status != twin.status) | (ref.stop_step != twin.stop_step)
                         | (_relative(twin.final, ref.final) > rtol))
                report["excused"] += int((wrong & apart).sum())
                if (wrong & apart).any():
                    report["cases"][label] = int((wrong & apart).sum())
                wrong &= ~apart
                err = float(_relative(final, run.final)[~(wrong | apart)].max(initial=0.0))
            else:
                err = float(_relative(final, run.final)[~wrong].max(initial=0.0))
            report[what] = max(report[what], err)
            if wrong.any():
                i = int(np.flatnonzero(wrong)[0])
                failures.append(f"{label}: {wrong.sum()} starts differ from the {what}'s run, e.g. "
                                f"{tuple(pts[i])}: browser {status[i]} at {stop[i]}, Python {run.status[i]} "
                                f"at {run.stop_step[i]}, final points differ by {_relative(final[i], run.final[i]):.3g}")
        report["starts"] += len(pts)


@pytest.mark.browser
def test_every_update_rule_and_tol_match_optim_run(batch_page, capsys):
    programs, objs, runs = _run_cases()
    payload = [(p, opt.name, opt.hyperparameters(), pts.reshape(-1).tolist(), STEPS, tol)
               for p, opt, pts, tol, _ in runs]
    out = batch_page.evaluate(_RUNS, [json.dumps(programs, allow_nan=False), payload])
    failures: list[str] = []
    report = {"numpy program": 0.0, "catalogue": 0.0, "excused": 0, "starts": 0, "cases": {}}
    _check_runs(objs, programs, runs, out, failures, report)
    statuses = np.concatenate([g["status"] for g in out])
    with capsys.disabled():
        print(f"\nbatch parity: {len(runs)} batches of 64 or 256 starts × {STEPS} steps (every update rule, "
              f"tol or not): max relative difference of the final points from the numpy program's "
              f"{report['numpy program']:.3g}, from the catalogue's {report['catalogue']:.3g} except at "
              f"{report['excused']} of {report['starts']} starts where Python's own runs of the catalogue formula "
              f"and of the compiled program already differ (by more than {RTOL:g} or in how they stop); "
              f"statuses seen "
              f"{ {s: int(np.sum(statuses == c)) for s, c in STATUS.items()} }")
        worst = sorted(report["cases"].items(), key=lambda kv: -kv[1])
        print("  most such starts: " + ", ".join(f"{k} {v}" for k, v in worst[:8]))
    assert not failures, "\n".join(failures)
    assert report["excused"] == 0, "Python's runs of an objective and of its program differ: nothing may be excused"
    for code in STATUS.values():  # every way of stopping was exercised
        assert np.any(statuses == code)
    assert np.any(np.concatenate([g["stop"] for g in out]) == 0), "no start undefined at the start"


def test_basin_image_is_matplotlibs_rendering(batch_js):
    rng = np.random.default_rng(3)
    cases = []
    for n, k in ((60, 4), (37, 9), (20, 1), (16, 0)):
        labels = rng.integers(NOT_CONVERGED, k, size=(n, n))
        colors = _colors(k)
        as_dict = {str(label): c for label, c in zip(range(NOT_CONVERGED, k), colors)}
        cases.append((labels, k, colors, as_dict))
    got = batch_js.evaluate("""(cases) => cases.map(([labels, n, list, dict]) => [
        b64(window.fb.basinImage(Int32Array.from(labels), n, list)),
        b64(window.fb.basinImage(Int16Array.from(labels), n, dict, new Uint8ClampedArray(n * n * 4)))])""",
                              [(lab.reshape(-1).tolist(), lab.shape[0], c, d) for lab, _, c, d in cases])
    for (labels, k, _, _), images in zip(cases, got):
        expected = _rendered(labels, k)
        for image in images:
            assert np.array_equal(_u8(image).reshape(expected.shape), expected), f"k={k}: pixels differ"
    message = batch_js.evaluate("""() => { try { window.fb.basinImage(Int32Array.from([0, 1, 2, 5]), 2,
        [[0, 0, 0, 255], [1, 1, 1, 255], [2, 2, 2, 255]]); return null; } catch (e) { return e.message; } }""")
    assert message and "label" in message


@pytest.mark.browser
def test_wrong_code_is_caught(batch_page):
    programs, objs, cases = _basin_cases()
    pick = [c for c in cases if objs[c[0]].name in ("himmelblau", "saddle")]
    text = json.dumps(programs, allow_nan=False)
    for i, label in enumerate(MUTANTS):
        out = batch_page.evaluate(_BASINS, [text, pick, N, STEPS, f"mutant{i}"])
        failures: list[str] = []
        _check_basins(programs, objs, pick, out, failures)
        # caught beyond the bit-for-bit check too: by a tolerance, a label, the grid or the pixels
        assert any("in their bits" not in f for f in failures), f"the mutant '{label}' was not caught: {failures}"


def test_bad_arguments_are_refused_by_name(batch_js):
    program = flatprog.compile_objective(objectives.get("himmelblau"))
    calls = {
        "optimizer": "fb.runBatch(p, 'Newton', {lr: 0.1}, new Float64Array(4), 10)",
        "lr": "fb.runBatch(p, 'GD', {lr: 0}, new Float64Array(4), 10)",
        "starts": "fb.runBatch(p, 'GD', {lr: 0.1}, new Float64Array(3), 10)",
        "steps": "fb.runBatch(p, 'GD', {lr: 0.1}, new Float64Array(4), 1.5)",
        "tol": "fb.runBatch(p, 'GD', {lr: 0.1}, new Float64Array(4), 10, {tol: -1})",
        "radius": "fb.basinLabels(new Float64Array(4), new Uint8Array(2), [[0, 0]], 0)",
        "minima": "fb.basinLabels(new Float64Array(4), new Uint8Array(2), [[0, 0, 0]], 0.1)",
        "domain": "fb.gridStarts(5, [[0, 1]])",
        "labels": "fb.basinImage(new Int32Array(3), 2, [[0, 0, 0, 255]])",
    }
    got = batch_js.evaluate("""([p, calls]) => { const fb = window.fb;
        return Object.fromEntries(Object.entries(calls).map(([k, code]) => {
          try { new Function('fb', 'p', code)(fb, p); return [k, null]; } catch (e) { return [k, e.message]; }
        })); }""", [program, calls])
    for name, message in got.items():
        assert message and name in message, f"{name}: {message!r}"
    # no steps: every start stays where it is, "max_steps" at step 0, as optim.run
    res = batch_js.evaluate("""(p) => { const r = window.fb.runBatch(p, 'GD', {lr: 0.1},
        new Float64Array([1, 2, 3, 4]), 0); return [Array.from(r.final), Array.from(r.status), Array.from(r.stop)]; }""",
                              program)
    ref = optim.run(objectives.get("himmelblau"), optim.GD(0.1), [[1.0, 2.0], [3.0, 4.0]], steps=0, record=False)
    assert res == [ref.final.reshape(-1).tolist(), [STATUS[s] for s in ref.status], ref.stop_step.tolist()]


@pytest.mark.browser
def test_a_page_that_forbids_eval_falls_back(browser):
    obj = objectives.get("himmelblau")
    program = flatprog.compile_objective(obj)
    pts = obj.grid(12)[2].reshape(-1, 2)
    runs = [("GD", {"lr": 0.03}, None), ("Adam", {"lr": 0.1}, 1e-3), ("Nesterov", {"lr": 0.01}, None)]
    script = (_source() + "\ntry { new Function('return 1'); window.blocked = false; }"
              + " catch (err) { window.blocked = err instanceof EvalError; }"
              + f"\nwindow.result = {json.dumps(runs)}.map(([name, hyper, tol]) => {{"
              + f"\n  const starts = new Float64Array({json.dumps(pts.reshape(-1).tolist())});"
              + f"\n  const r = runBatch({json.dumps(program)}, name, hyper, starts, {STEPS}, {{tol}});"
              + "\n  return [Array.from(r.final), Array.from(r.status), Array.from(r.stop)]; });\n")
    blocked, result = run_without_eval(browser, script, "window.result")
    assert blocked, "the page was meant to forbid new Function"
    opts = {"GD": optim.GD(0.03), "Adam": optim.Adam(0.1), "Nesterov": optim.SGD(0.01, momentum=0.9, nesterov=True)}
    for (name, _, tol), (final, status, stop) in zip(runs, result):
        ref = optim.run(obj, opts[name], pts, steps=STEPS, tol=tol, record=False)
        assert np.array_equal(status, [STATUS[s] for s in ref.status]) and np.array_equal(stop, ref.stop_step), name
        assert _relative(np.array(final).reshape(-1, 2), ref.final).max() <= RTOL, name


_TIMING = """
async ([text, cases, n, steps, reps]) => {
  const programs = JSON.parse(text);
  const fb = window.fb, out = [];
  const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const [p, name, lr, domain, minima, colors] of cases) {
    const program = programs[p];
    const run = [], total = [];
    let first = null, labels = null;
    for (let r = 0; r <= reps; r++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const t0 = performance.now();
      const starts = fb.gridStarts(n, domain);
      const t1 = performance.now();
      const res = fb.runBatch(program, name, {lr}, starts, steps);
      const t2 = performance.now();
      labels = fb.basinLabels(res.final, res.status, minima, 0.01);
      fb.basinImage(labels, n, colors);
      const t3 = performance.now();
      if (r === 0) first = t3 - t0; else { run.push(t2 - t1); total.push(t3 - t0); }
    }
    out.push({run: median(run), total: median(total), first, labels: Array.from(labels)});
  }
  return out;
}
"""


@pytest.mark.browser
def test_timing_200x200_starts(batch_page, capsys):
    n, steps, reps = 200, 100, 5
    names = objectives.names(dim=2)
    programs = [flatprog.compile_objective(objectives.get(name)) for name in names]
    cases = []
    for p, name in enumerate(names):
        obj = objectives.get(name)
        for method in (("GD", "Adam") if name == "himmelblau" else ("GD",)):
            cases.append((p, method, obj.lr, obj.domain.tolist(), obj.minima.tolist(), _colors(len(obj.minima))))
    out = batch_page.evaluate(_TIMING, [json.dumps(programs, allow_nan=False), cases, n, steps, reps])
    him = objectives.get("himmelblau")
    times = []
    for _ in range(3):
        tic = time.perf_counter()
        bm = basin_map(him, him.lr, n=n, steps=steps)
        times.append(1e3 * (time.perf_counter() - tic))
    python_ms = float(np.median(times))
    i = next(j for j, c in enumerate(cases) if names[c[0]] == "himmelblau" and c[1] == "GD")
    with capsys.disabled():
        print(f"\nbrowser basin map {n}x{n} starts x {steps} steps: GD himmelblau {out[i]['run']:.1f} ms "
              f"(median of {reps}), Python basin_map {python_ms:.0f} ms (median of 3)")
        for (p, method, lr, *_), got in zip(cases, out):
            print(f"  {names[p]:>15} {method:<4} α={lr:g}: runBatch {got['run']:6.1f} ms, grid + run + labels + "
                  f"image {got['total']:6.1f} ms (median of {reps}); first call (compiles) {got['first']:6.1f} ms")
    # the timed map is also Python's
    assert np.array_equal(np.array(out[i]["labels"]), bm.labels.reshape(-1))
