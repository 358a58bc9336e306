"""The browser steps each explorer exactly as the kernel does: scenes.js against the explorers' `_update`.

An explorer that steps in the browser (``Explorer.SCENE``) sends its canvas widget a *scene*: the
objective's flat program and the parameters its update needs. On a control change the page runs
``SCENES[name]`` (``i2dl_helpers/widgets/scenes.js``) and repaints without waiting for a kernel.
Here the widget's whole ES module (``figure_canvas._bundle()``) is loaded into a blank Chromium page
and, for every explorer and a list of control settings (each chosen to reach another branch: a
converging, an oscillating, a diverging, an off-plot run ...):

* Python sets the controls; the kernel's overlay (the drawing instructions) and status line are the
  reference;
* the browser gets the values and the overlay of the *previous* state (what a static page has when
  a slider moves) and computes the frame with ``frameOps``;
* every moved line must sit where matplotlib puts it (to 0.02 px), every text and the status line
  must read the same, character for character.

The check can fail: a scene that leaves out a step or formats a number differently is caught
(``test_a_wrong_scene_is_caught``).
"""
from __future__ import annotations

import html
import json

import numpy as np
import pytest

from i2dl_helpers.widgets import figure_canvas

from .jsengine import PackedPage
from .scene_cases import CASES, case, load_all  # noqa: F401  (the other explorers' cases register themselves there)
from .scene_cases_2d import test_click_sets_the_start_in_the_browser  # noqa: F401  (collected here)

# frames need Chromium (texts are measured on a canvas); number formats and slider values run in Node.js
# too when the run starts no browser (``scene_js``)
test_click_sets_the_start_in_the_browser = pytest.mark.browser(test_click_sets_the_start_in_the_browser)


@case("GradientDescent1D quadratic")
def _gd1d_quadratic():
    from i2dl_helpers.widgets import GradientDescent1D

    e = GradientDescent1D("quadratic", lr=0.1, x0=2.0, renderer="canvas")
    lam = e.objective.smoothness
    return e, [{"lr": 0.05}, {"lr": 1 / lam}, {"lr": 1.5 / lam}, {"lr": 2 / lam}, {"lr": 2.2 / lam},
               {"lr": 0.001, "x0": -3.0}, {"lr": 9.0}, {"x0": 0.0}]


@case("GradientDescent1D double_well")
def _gd1d_double_well():
    from i2dl_helpers.widgets import GradientDescent1D

    e = GradientDescent1D("double_well", lr=0.02, steps=120, renderer="canvas")
    return e, [{"lr": 0.2}, {"lr": 0.5}, {"x0": -1.7}, {"lr": 0.003}, {"lr": 3.0}]


def _state(e):
    view = e._view.widget
    values = {n: c.value for n, c in e.controls.items() if hasattr(c, "value")}
    state = {"scene": view.scene, "overlay": list(view.overlay), "values": values, "status": e.status.value}
    result = getattr(e, "result", None)
    if result is not None and hasattr(result, "labels"):  # BasinExplorer: the picture the kernel would draw
        colours = np.asarray(view.scene["params"]["colors"], dtype=np.uint8)  # labels −2, −1, 0 ...
        state["image"] = colours[np.asarray(result.labels)[::-1] + 2].ravel().tolist()
    return state


def collect(name):
    """[(before, after)] states of one explorer over its settings (same background only)."""
    e, settings = CASES[name]()
    pairs, before = [], _state(e)
    assert before["scene"].get("name"), f"{name} does not step in the browser"
    for setting in settings:
        for control, value in setting.items():
            e.controls[control].value = value
        after = _state(e)
        if after["scene"] == before["scene"]:
            pairs.append((setting, before, after))
        before = after
    e.close()
    assert len(pairs) >= len(settings) - 1, f"{name}: most settings should keep the background"
    return pairs


@pytest.fixture(scope="module")
def scene_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(content=figure_canvas._bundle(expose=("flatprog.js",)) + "\nwindow.i2dl = {frameOps, statusHtml, pyfmt, controlValue};\n",
                        type="module")
    page.wait_for_function("() => window.i2dl !== undefined")
    try:
        yield PackedPage(page)
    finally:
        context.close()


@pytest.fixture(scope="module")
def scene_js(blank_page):
    """The same module in a blank page of Chromium, or of Node.js when the run starts no browser
    (``blank_page``, tests/browser/conftest.py), for the functions that need no document: number
    formats and slider values (frames measure their texts on a canvas: Chromium only)."""
    with blank_page() as page:
        page.add_script_tag(content=figure_canvas._bundle(expose=("flatprog.js",)) + "\nwindow.i2dl = {pyfmt, controlValue};\n",
                            type="module")
        page.wait_for_function("() => window.i2dl !== undefined")
        yield page


def browser_frames(page, pairs):
    calls = [{"scene": b["scene"], "values": a["values"], "overlay": b["overlay"]} for _, b, a in pairs]
    return page.evaluate("""(calls) => calls.map(({scene, values, overlay}) => {
        const out = window.i2dl.frameOps(scene, values, overlay);
        for (const op of out.ops) if (op.image) op.image = {...op.image, data: Array.from(op.image.data)};
        return {ops: out.ops, status: out.status && window.i2dl.statusHtml(scene, out.status)};
    })""", calls)


def differences(expected_ops, got_ops, expected_status, got_status, image=None) -> list[str]:
    found = []
    if got_status != expected_status:
        found.append(f"status: browser {html.unescape(str(got_status))!r} vs kernel {html.unescape(expected_status)!r}")
    want = [op for op in expected_ops if not (op["kind"] == "text" and not op["text"])]
    got = [op for op in got_ops if not (op["kind"] == "text" and not op["text"])]
    if [op.get("gid") for op in got] != [op.get("gid") for op in want]:
        return found + [f"artists: browser {[o.get('gid') for o in got]} vs kernel {[o.get('gid') for o in want]}"]
    for w, g in zip(want, got):
        if w["kind"] == "line":
            a = np.array([np.nan if v is None else v for v in w["xy"]], dtype=float)
            b = np.array([np.nan if v is None else v for v in g["xy"]], dtype=float)
            if a.shape != b.shape:
                found.append(f"{w['gid']}: {b.size // 2} points in the browser, {a.size // 2} in the kernel")
            elif not np.array_equal(np.isnan(a), np.isnan(b)) or np.nanmax(np.abs(a - b), initial=0) > 0.02:
                found.append(f"{w['gid']}: points differ by {np.nanmax(np.abs(a - b)):.3g} px")
        elif w["kind"] == "text":
            if g["text"] != w["text"]:
                found.append(f"{w['gid']}: browser {g['text']!r} vs kernel {w['text']!r}")
            elif w.get("trans") and abs(g["x"] - w["x"]) > 0.5:
                found.append(f"{w['gid']}: anchor at x={g['x']:.1f}, kernel {w['x']:.1f}")
        elif w["kind"] == "image" and image is not None:
            data = (g.get("image") or {}).get("data")
            if data is None or len(data) != len(image):
                found.append(f"{w['gid']}: no image or one of another size")
            elif data != image:
                wrong = int(np.sum(np.any(np.asarray(data).reshape(-1, 4) != np.asarray(image).reshape(-1, 4), axis=1)))
                found.append(f"{w['gid']}: {wrong} pixels differ from the kernel's basin labels")
    return found


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(load_all()))
def test_the_browser_steps_like_the_kernel(scene_page, name):
    pairs = collect(name)
    frames = browser_frames(scene_page, pairs)
    failures = []
    for (setting, _, after), frame in zip(pairs, frames):
        diff = differences(after["overlay"], frame["ops"], after["status"], frame["status"], after.get("image"))
        failures += [f"{setting}: {d}" for d in diff]
    assert not failures, f"{name}:\n" + "\n".join(failures)


def test_python_number_formats(scene_js):
    specs = [".3g", ".4g", ".4f", ".6f", ".2e", ".3e", "g", ".0f", "+.3f", ".1%", ""]
    rng = np.random.default_rng(0)
    numbers = list(np.concatenate([10.0 ** rng.uniform(-9, 12, 150) * rng.choice([-1, 1], 150),
                                   [0.0, -0.0, 1.0, 0.125, 0.375, 2.5, 0.5, 1e16, 1e-5, 123456789.0, 9.9995,
                                    0.00012345, 1e8, 2.675, 1.5, float("inf"), -float("inf")]]))
    calls = [(float(v), s) for v in numbers for s in specs]
    got = scene_js.evaluate("(calls) => calls.map(([v, s]) => window.i2dl.pyfmt(v, s))", calls)
    wrong = [(v, s, g, format(v, s)) for (v, s), g in zip(calls, got) if g != format(v, s)]
    assert not wrong, f"{len(wrong)} of {len(calls)} differ, e.g. (value, spec, browser, Python): {wrong[:8]}"


#: faults a scene could carry, each alone (the bundle's text -> the wrong text): a status formula's step count
#: one too high (its tree in the generated module formulas_data.js) and a scene's number format
WRONG_SCENES = {
    "run_message's step + 1": ('" at step ",["field",["name","stop"],"d"]',
                               '" at step ",["field",["+",["name","stop"],["const",1]],"d"]'),
    "gd1d's off-plot note at 4 digits": ("pyfmt(xs[n], '.3g')", "pyfmt(xs[n], '.4g')"),
}


@pytest.mark.browser
@pytest.mark.parametrize("fault", WRONG_SCENES)
def test_a_wrong_scene_is_caught(browser, fault):
    source = figure_canvas._bundle(expose=("flatprog.js",))
    right, wrong_text = WRONG_SCENES[fault]
    assert source.count(right) == 1, f"the fault {fault!r} no longer applies: {right!r} is not in the bundle once"
    wrong = source.replace(right, wrong_text)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=wrong + "\nwindow.i2dl = {frameOps, statusHtml, pyfmt};\n", type="module")
        page.wait_for_function("() => window.i2dl !== undefined")
        pairs = collect("GradientDescent1D quadratic")
        frames = browser_frames(page, pairs)
        caught = sum(bool(differences(a["overlay"], f["ops"], a["status"], f["status"]))
                     for (_, _, a), f in zip(pairs, frames))
        assert caught >= 1, f"a scene with {fault} went unnoticed"
    finally:
        context.close()


def test_a_value_set_from_code_stays_exact(scene_js):
    """α = 2.3 set from code sits off the log slider's grid (exponent step 0.05): the slider shows
    10**0.35 and the frame uses 2.3, as the kernel does (widgets.sliders.EchoFilter); once the
    reader moves the slider, its value counts."""
    got = scene_js.evaluate("""() => {
      const log = (value) => ({get: (k) => ({value, base: 10, min: -3, max: 1, step: 0.05})[k]});
      const lin = (value) => ({get: (k) => ({value, min: -3, max: 3, step: 0.5})[k]});
      const f = window.i2dl.controlValue;
      return [f(log(10 ** 0.35), 2.3), f(log(10 ** 0.4), 2.3), f(log(10 ** 0.35), undefined),
              f(lin(1.5), 1.3), f(lin(1.0), 1.3), f(lin(-3), -3.2)];
    }""")
    assert got == [2.3, 10 ** 0.4, 10 ** 0.35, 1.3, 1.0, -3.2]
