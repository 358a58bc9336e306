"""The canvas view draws what matplotlib draws.

Every explorer is shown twice in one notebook state: once in JupyterLab with the
default "canvas" view (static PNG + moving artists painted by the browser), and
once rendered entirely by matplotlib in this process (the "image" view, the
reference). The browser's image and canvas are composited into one bitmap and
compared pixel by pixel with the reference: the same lines, markers and notes at
the same places, up to anti-aliasing and font hinting.
"""
from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest

from .pagetools import COMPOSITE_JS, leave_lab, open_and_run_cells

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: (name, constructor call): each state exercises different artists
CASES = {
    "gd1d": 'GradientDescent1D("double_well", lr=0.05, x0=-1.8, steps=30)',
    "gd1d diverged": 'GradientDescent1D("quadratic", lr=2.3, x0=1.0, steps=20)',  # note on a white box
    "derivative": "DifferenceQuotient()",  # dashed secant
    "backprop": "BackpropStepper()",  # LineCollection + texts
    "chord": 'ChordExplorer("double_well", x=-1.5, y=2.0, lam=0.5)',
    "gd2d": 'GradientDescent2D("ill_conditioned", lr=0.18, steps=60)',
    "gd2d diverged": 'GradientDescent2D("ill_conditioned", lr=0.25, steps=60)',
    "momentum": "MomentumExplorer()",
    "sgd": "SGDExplorer()",  # axhline with alpha and dashes
    "race": "OptimizerRace()",
    # presentation mode: big fonts, thick lines and markers must be drawn as big by the browser
    "classroom": 'with_style("classroom", lambda: GradientDescent2D("bowl", lr=0.3, steps=30))',
}

PRELUDE = """from i2dl_helpers.widgets import *
from i2dl_helpers.plotting import style


def with_style(name, make):
    getattr(style, name)()
    try:
        return make()
    finally:
        style.screen()
"""




def _reference(call: str) -> np.ndarray:
    from PIL import Image

    from i2dl_helpers import widgets as explorers

    scope = {name: getattr(explorers, name) for name in explorers.__all__}
    exec(PRELUDE, scope)
    # the same call with the image renderer: "F(args)" -> "F(args, renderer='image')"
    call = call.replace("))", ", renderer='image'))") if call.startswith("with_style") else (
        call[:-1] + ("" if call.endswith("()") else ", ") + "renderer='image')")
    explorer = eval(call, scope)
    try:
        return np.asarray(Image.open(io.BytesIO(explorer._view.widget.value)).convert("RGB")).astype(int)
    finally:
        explorer.close()


def test_canvas_view_matches_matplotlib(lab_server, page, workdir, artifacts):
    from PIL import Image

    cells = [PRELUDE] + [f"{call}  # case {name}" for name, call in CASES.items()]
    report = {}
    try:
        open_and_run_cells(page, lab_server.url, workdir, "canvas_view.ipynb", cells)
        for name, call in CASES.items():
            cell = page.locator(".jp-CodeCell").filter(has_text=f"# case {name}")
            root = cell.locator(".i2dl-figure").first
            root.scroll_into_view_if_needed()
            page.wait_for_function("el => Number(el.dataset.frame) > 0", arg=root.element_handle())
            page.wait_for_timeout(300)  # late messages
            want = _reference(call)
            row = report[name] = {}
            for overlay in (True, False):
                url = root.evaluate(COMPOSITE_JS, overlay)
                shown = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")
                got = np.asarray(shown).astype(int)
                assert got.shape == want.shape, f"{name}: browser image {got.shape} vs matplotlib {want.shape}"
                diff = np.abs(got - want).max(axis=2)
                key = "with the overlay" if overlay else "background only"
                row[key] = {"differing pixels": round(float(np.mean(diff > 64)), 5),
                            "mean difference": round(float(diff.mean()), 3)}
                if overlay:
                    shown.save(artifacts / f"canvas-{name.replace(' ', '-')}.png")
    finally:
        leave_lab(page, lab_server)
    (artifacts / "canvas-view.json").write_text(json.dumps(report, indent=1))
    for name, row in report.items():
        drawn, bare = row["with the overlay"], row["background only"]
        # what the browser drew matches matplotlib up to anti-aliasing and font hinting ...
        assert drawn["differing pixels"] < 0.015 and drawn["mean difference"] < 2.5, (name, row)
        # ... and is most of what moves: without it the picture is clearly wrong
        assert bare["differing pixels"] > 1.5 * drawn["differing pixels"], (name, row)
