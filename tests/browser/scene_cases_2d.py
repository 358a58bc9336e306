"""Scene parity cases (test_scenes.py) for the 2D explorers in scenes_2d.js: GradientDescent2D
(SCENES.gd2d), MomentumExplorer (SCENES.momentum) and OptimizerRace (SCENES.race).

Each list of settings is applied in order; every setting keeps the background, so the browser
recomputes the frame from the previous overlay. Together they reach every branch of the updates:

* GradientDescent2D: runs that stop at the step limit, converge (the stopping rule; in one step from
  the minimum), diverge (|θ| beyond 1e8, with the "diverged: ... leaves the plot" note and loss values
  above the top drawn at the top), leave the plot without diverging ("L grows"), stall at a saddle
  point (‖∇L‖ and λ_min in the status) or at a minimum (no saddle note); the κ tail (ill-conditioned
  quadratic), the λ_max tail (other quadratics), no tail (Rosenbrock, Himmelblau, a typed function).
* MomentumExplorer: converging (over-, under- and critically damped), diverging (ρ ≥ 1, with and
  without a diverged run), ρ = 0 (one step to the minimum), the κ mark beyond the diagram ("λ=κ →"),
  the path leaving the plot, β = 0 (plain GD), Nesterov's form.
* OptimizerRace: all six racers, each hyper-parameter slider, a diverging racer, the start moved,
  nobody reaching the target, a subset of racers, no racer at all, a start at the minimum (ties).

``test_click_sets_the_start_in_the_browser`` (below) renders GradientDescent2D's canvas widget on a
blank page with stand-in models and clicks on its contours. This module is not a test module, so
``pytest tests/browser`` does not collect it: name the file to run it.
"""
from __future__ import annotations

from .scene_cases import case


# -- GradientDescent2D ------------------------------------------------------------------------------
@case("GradientDescent2D ill_conditioned")
def _gd2d_quadratic():
    from i2dl_helpers.widgets import GradientDescent2D

    e = GradientDescent2D("ill_conditioned", lr=0.1, x0=-2.5, y0=1.5, steps=40, renderer="canvas")
    return e, [{"lr": 0.15}, {"lr": 0.25}, {"lr": 0.3}, {"lr": 0.1}, {"x0": 2.9, "y0": -2.9}, {"lr": 1e-4},
               {"lr": 0.19}, {"lr": 2.0}]


@case("GradientDescent2D bowl")
def _gd2d_bowl():
    from i2dl_helpers.widgets import GradientDescent2D

    e = GradientDescent2D("bowl", lr=0.5, steps=200, renderer="canvas")
    return e, [{"lr": 1.0}, {"lr": 1.9}, {"lr": 2.1}, {"lr": 2.5}, {"lr": 0.01}, {"x0": -3.0, "y0": 3.0, "lr": 0.3}]


@case("GradientDescent2D saddle")
def _gd2d_saddle():
    from i2dl_helpers.widgets import GradientDescent2D

    e = GradientDescent2D("saddle", lr=0.1, x0=1.5, y0=0.0, steps=300, renderer="canvas")
    return e, [{"lr": 0.05}, {"lr": 0.3}, {"y0": 0.01}, {"y0": 0.0, "lr": 0.9}, {"lr": 1.5}, {"x0": 0.0}]


@case("GradientDescent2D rosenbrock")
def _gd2d_rosenbrock():
    from i2dl_helpers.widgets import GradientDescent2D

    e = GradientDescent2D("rosenbrock", steps=300, renderer="canvas")
    return e, [{"lr": 0.002}, {"lr": 0.01}, {"lr": 0.005}, {"x0": 1.0, "y0": 1.0}, {"lr": 3.0}]


@case("GradientDescent2D himmelblau")
def _gd2d_himmelblau():
    from i2dl_helpers.widgets import GradientDescent2D

    e = GradientDescent2D("himmelblau", steps=200, renderer="canvas")
    return e, [{"lr": 0.02}, {"x0": -0.27, "y0": -0.92}, {"lr": 0.05}, {"x0": 4.0, "y0": -4.0, "lr": 0.01}]


@case("GradientDescent2D typed")
def _gd2d_typed():
    from i2dl_helpers.widgets import GradientDescent2D

    e = GradientDescent2D("bowl", lr=0.05, steps=150, renderer="canvas")
    e.controls["expression"].value = "x**2 - y**2 + 0.25*y**4"  # a saddle at 0 and two minima at y = ±√2
    assert e.error_text == "", e.error_text
    return e, [{"x0": 2.0, "y0": 0.0}, {"y0": 0.5}, {"lr": 0.3}, {"lr": 1.2}]


# -- MomentumExplorer -------------------------------------------------------------------------------
@case("MomentumExplorer heavy ball")
def _momentum_heavy_ball():
    from i2dl_helpers.widgets import MomentumExplorer

    e = MomentumExplorer(renderer="canvas")
    return e, [{"beta": 0.0}, {"beta": 0.5}, {"lr": 0.1, "beta": 0.9}, {"lr": 0.15}, {"lr": 0.25}, {"beta": 0.99},
               {"lr": 0.001}, {"lr": 0.05, "beta": 0.6}, {"lr": 0.01, "beta": 0.3}, {"lr": 3.0}]


@case("MomentumExplorer kappa 1")
def _momentum_round():
    from i2dl_helpers.widgets import MomentumExplorer

    e = MomentumExplorer(lr=1.0, beta=0.0, condition=1.0, steps=60, renderer="canvas")
    return e, [{"beta": 0.2}, {"lr": 0.5}, {"lr": 2.0, "beta": 0.0}, {"lr": 1.0}]


@case("MomentumExplorer Nesterov")
def _momentum_nesterov():
    from i2dl_helpers.widgets import MomentumExplorer

    e = MomentumExplorer(nesterov=True, condition=100.0, steps=300, renderer="canvas")
    return e, [{"beta": 0.0}, {"beta": 0.9}, {"lr": 0.012}, {"lr": 0.03}, {"lr": 0.001}, {"lr": 0.05, "beta": 0.5}]


# -- OptimizerRace ----------------------------------------------------------------------------------
@case("OptimizerRace ravine")
def _race_ravine():
    from i2dl_helpers.widgets import OptimizerRace

    # the race's own setting, RMSProp's chaotic hops at the preset's α included: the ravine's gradient is
    # its program's plain products and sums, in the kernel and the browser alike (before, a BLAS product
    # with fused multiply-adds put RMSProp's path 2 px and its gap curve 0.5 px off)
    e = OptimizerRace("ravine", renderer="canvas")
    return e, [{"lr_RMSProp": 0.003}, {"lr_RMSProp": 1.0}, {"alpha_RMSProp": 0.9, "lr_RMSProp": 0.01}, {"lr_GD": 1.0}, {"x0": 3.0, "y0": 2.0}, {"beta_Momentum": 0.5}, {"beta_Momentum": 0.0},
               {"beta_Nesterov": 0.3}, {"alpha_RMSProp": 0.9}, {"beta1_Adam": 0.0}, {"beta2_Adam": 0.6},
               {"lr_Adam": 3.0}, {"lr_AdaGrad": 1e-4}]


@case("OptimizerRace rosenbrock")
def _race_rosenbrock():
    from i2dl_helpers.widgets import OptimizerRace

    e = OptimizerRace("rosenbrock", steps=30, renderer="canvas")
    return e, [{"lr_Momentum": 0.01}, {"x0": 0.9, "y0": 0.8}, {"x0": 1.0, "y0": 1.0}]


@case("OptimizerRace rosenbrock default α")
def _race_rosenbrock_default():
    from i2dl_helpers.widgets import OptimizerRace

    # the race's own setting (1000 steps, the tuned α of every racer, RMSProp's α = 0.01 on the valley
    # floor): the program is the catalogue's value and gradient bit for bit (declared once, objectives.catalogue);
    # when the kernel ran a hand-written numpy gradient and the browser the chain rule, RMSProp's gap curve
    # here was 8.5 px off, its path 6 px
    e = OptimizerRace("rosenbrock", renderer="canvas")
    return e, [{"lr_GD": 0.001}, {"x0": -1.5, "y0": 2.0}, {"lr_RMSProp": 0.003}, {"alpha_RMSProp": 0.9},
               {"lr_Adam": 0.1}, {"x0": 1.2, "y0": 0.5}]


@case("OptimizerRace two racers")
def _race_subset():
    from i2dl_helpers.widgets import OptimizerRace

    e = OptimizerRace("himmelblau", renderer="canvas")
    e.controls["racers"].value = ("Adam", "GD")
    return e, [{"lr_GD": 0.03}, {"lr_Adam": 0.1}, {"lr_Momentum": 0.1}]


@case("OptimizerRace nobody")
def _race_nobody():
    from i2dl_helpers.widgets import OptimizerRace

    e = OptimizerRace("saddle", renderer="canvas")
    e.controls["racers"].value = ()
    return e, [{"lr_GD": 0.02}, {"x0": 1.0}]


# -- GradientDescent2D: click to start, in the browser ----------------------------------------------
#: a stand-in for anywidget's model and the widget manager: enough of their API for figure_canvas.js's
#: render (get/set/on/off, save_changes, send, widget_manager.get_model)
_FAKE_MODELS = """
window.fakeModel = (state, registry = {}) => {
  const handlers = {};
  const model = {
    saved: 0,
    get: (key) => state[key],
    set: (key, value) => { state[key] = value; (handlers['change:' + key] || []).forEach((h) => h()); },
    on: (event, h) => { (handlers[event] = handlers[event] || []).push(h); },
    off: (event, h) => { handlers[event] = (handlers[event] || []).filter((x) => x !== h); },
    send: () => {},
    save_changes: () => { model.saved += 1; },
    widget_manager: { get_model: async (id) => registry[id] },
  };
  return model;
};
"""


def test_click_sets_the_start_in_the_browser(browser):
    """A click on the contours of GradientDescent2D's canvas view sets the x0 and y0 sliders to the
    point under the mouse (clipped to their ranges), and the browser redraws the path from there.

    Not collected by ``pytest tests/browser`` (this module is a cases file): run it by naming the
    file, ``pytest tests/browser/scene_cases_2d.py``."""
    import base64

    import numpy as np

    from i2dl_helpers.widgets import GradientDescent2D, figure_canvas

    e = GradientDescent2D("bowl", steps=50, renderer="canvas")
    e.controls["objective"].value = "rosenbrock"  # other tick labels: the contour axes moved
    view = e._view.widget
    controls = {name: c for name, c in e.controls.items() if hasattr(c, "value")}
    state = {"background": base64.b64encode(view.background).decode("ascii"), "overlay": view.overlay,
             "width": view.width, "height": view.height, "alt": view.alt, "scene": view.scene,
             "scene_widgets": {"controls": {name: f"IPY_MODEL_{c.model_id}" for name, c in controls.items()},
                               "status": f"IPY_MODEL_{e.status.model_id}"}}
    sliders = {c.model_id: {"value": c.value, "min": getattr(c, "min", None),
                                           "max": getattr(c, "max", None)} for c in controls.values()}
    sliders[e.status.model_id] = {"value": e.status.value}
    ids = {name: c.model_id for name, c in controls.items()}  # the widget manager's keys
    ax = e.ax
    (xl, xh), (yl, yh) = ax.get_xlim(), ax.get_ylim()
    H = view.height
    # two whole pixels inside the contour axes (Chromium rounds a mouse event's coordinates) and
    # the data points under them
    clicks = [(float(round(x)), float(round(H - y))) for x, y in ax.transData.transform([(0.5, 1.5), (-1.9, -0.8)])]
    wanted = [tuple(ax.transData.inverted().transform((x, H - y))) for x, y in clicks]
    # a point just outside the axes' right edge: not a click target (nothing changes)
    right, _ = ax.transData.transform((xh, yl))
    clicks.append((float(right) + 6.0, clicks[0][1]))
    e.close()

    context = browser.new_context(viewport={"width": 1200, "height": 700}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.set_content("<!doctype html><html><body style='margin:0'><div id='host'></div></body></html>")
        page.add_script_tag(content=_FAKE_MODELS)
        page.add_script_tag(content=figure_canvas._bundle() + "\nwindow.i2dl = {render};\n", type="module")
        page.wait_for_function("() => window.i2dl !== undefined")
        got = page.evaluate("""async ([state, sliders, ids, clicks]) => {
            const registry = {};
            for (const [id, s] of Object.entries(sliders)) registry[id] = window.fakeModel({...s});
            const bytes = Uint8Array.from(atob(state.background), (c) => c.charCodeAt(0));
            const model = window.fakeModel({...state, background: new DataView(bytes.buffer)}, registry);
            const el = document.getElementById('host');
            window.i2dl.render({ model, el });
            const root = el.querySelector('.i2dl-figure'), canvas = el.querySelector('canvas');
            const settle = () => new Promise((done) => setTimeout(done, 100));
            await settle();
            const out = [];
            for (const [x, y] of clicks) {
              const box = canvas.getBoundingClientRect();
              const sx = box.width / state.width, sy = box.height / state.height;
              const before = Number(root.dataset.frame);
              canvas.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: box.left + x * sx,
                                                             clientY: box.top + y * sy }));
              await settle();
              out.push({ x0: registry[ids.x0].get('value'), y0: registry[ids.y0].get('value'),
                         saved: registry[ids.x0].saved, repainted: Number(root.dataset.frame) > before,
                         clickable: root.classList.contains('i2dl-clickable') });
            }
            return out;
        }""", [state, sliders, ids, clicks])
    finally:
        context.close()
    # the data point under each click, to a fraction of a pixel (a pixel is 4/412 ≈ 0.01 of θ₁ here)
    tol = 0.02 * np.array([(xh - xl), (yh - yl)]) / np.array([ax.bbox.width, ax.bbox.height])
    for (x, y), result in zip(wanted, got[:2]):
        assert result["clickable"] and result["repainted"], result
        assert np.all(np.abs(np.subtract([result["x0"], result["y0"]], [x, y])) <= tol), (result, (x, y))
    assert got[1]["saved"] == 2, "each click tells the kernel once (save_changes per slider)"
    assert (got[2]["x0"], got[2]["y0"]) == (got[1]["x0"], got[1]["y0"]), "a click beside the axes moved the start"
