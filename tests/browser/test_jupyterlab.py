"""What a student sees: every notebook run in JupyterLab in a real Chromium.

For every notebook in ``notebooks/``: open it, Run All Cells, and check that no
cell shows an error (traceback, forbidden warning, explorer error box, widget
that failed to render). For the gradient-descent explorers (notebooks 02 and
04): move the learning-rate and start sliders with the keyboard and by typing
into their readouts, and check that the image changed and that the status
line is the one the explorer computes for the values now on the sliders.

``test_slider_latency`` measures slider → new image in the browser for the
explorers and for a baseline that redraws a comparable figure with plain
``interact`` and the inline backend; numbers go to test-artifacts/latency.json.
``test_voila`` opens notebook 02 as a Voilà dashboard.

Needs Debian's chromium and Playwright; skips with instructions otherwise.
Screenshots are saved in test-artifacts/.
"""
from __future__ import annotations

import json
import math
import sys
import subprocess
from pathlib import Path

import nbformat
import numpy as np
import pytest

from .conftest import NOTEBOOKS, Server, _clean_env, _wait_http, free_port, stop_process_group
from .pagetools import ExplorerView, open_notebook, run_all, shown_errors

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK_NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
LOG_STEP = 0.05  # exponent step of the explorers' learning-rate sliders (widgets.base.log_slider)


@pytest.fixture(scope="module")
def lab(lab_server, page):
    """The server and the shared tab; kernels are stopped after each notebook."""
    yield lab_server, page
    page.goto("about:blank")
    lab_server.shutdown_kernels()


def _finish(server: Server, page) -> None:
    page.goto("about:blank")
    server.shutdown_kernels()


# -- explorers checked by moving their sliders ------------------------------------------------
def check_gd1d(page, artifacts: Path) -> None:
    """GradientDescent1D in notebook 02 (quadratic L = x²/2, L = 1)."""
    from i2dl_helpers.widgets import GradientDescent1D

    view = ExplorerView.in_cell(page, "GradientDescent1D(")
    view.root.scroll_into_view_if_needed()

    def expected(lr, x0):
        twin = GradientDescent1D("quadratic", lr=lr, x0=x0, steps=50, renderer="image")
        text = twin.status_text
        twin.close()
        return text

    # typing into the readouts sets a known state
    view.type_value("learning rate", "0.1")
    view.type_value("start", "-1.8")  # on the slider's grid: -3 + 80 · 6/400
    view.wait_until(lambda v: v.value("start") == -1.8 and v.value("learning rate") == 0.1,
                    "the readouts to show what was typed")
    view.wait_until(lambda v: v.status() == expected(0.1, -1.8), "the status for α = 0.1, x₀ = −1.8")
    # closed form on L = x²/2: x_k = x₀(1 − α)^k, so after 50 steps L = (1.8 · 0.9^50)² / 2
    assert "αL = 0.1 " in view.status() and f"L = {(1.8 * 0.9**50) ** 2 / 2:.4g}" in view.status()
    before_src, before_px = view.image_src(), view.image_pixels()
    view.image.screenshot(path=str(artifacts / "gd1d-before.png"))

    # keyboard: each ArrowRight multiplies α by 10**0.05
    view.press("learning rate", "ArrowRight", 4)
    lr = 10 ** (-1 + 4 * LOG_STEP)
    view.wait_until(lambda v: v.value("learning rate") == float(f"{lr:.4g}"), f"the α readout to show {lr:.4g}")
    view.wait_until(lambda v: v.status() == expected(lr, -1.8), f"the status for α = {lr:.4g}")
    assert f"αL = {lr:.3g} < 1" in view.status()
    view.wait_until(lambda v: v.image_src() != before_src, "a new image after the α change")
    assert view.image_pixels() != before_px, "the plot did not change when α moved"

    # the start slider: three steps to the left
    step = 6.0 / 400
    view.press("start", "ArrowLeft", 3)
    x0 = -1.8 - 3 * step
    view.wait_until(lambda v: v.value("start") == round(x0, 3), f"the x₀ readout to show {x0:.3f}")
    mid_px = view.image_pixels()
    view.wait_until(lambda v: v.status() == expected(lr, x0), f"the status for x₀ = {x0:.3f}")

    # past the critical α = 2/L the status says it diverges
    view.press("learning rate", "ArrowRight", 23)
    lr_big = 10 ** (-1 + 27 * LOG_STEP)
    view.wait_until(lambda v: v.status() == expected(lr_big, x0), f"the status for α = {lr_big:.4g}")
    assert "diverge" in view.status() and f"αL = {lr_big:.3g} > 2" in view.status()
    assert view.image_pixels() != mid_px, "the plot did not change when α moved past 2/L"
    view.image.screenshot(path=str(artifacts / "gd1d-after.png"))
    assert view.error() == ""


def check_gd2d(page, artifacts: Path) -> None:
    """GradientDescent2D in notebook 04: switch to the bowl, then move α and θ₀."""
    from i2dl_helpers.widgets import GradientDescent2D

    view = ExplorerView.in_cell(page, "GradientDescent2D(")
    view.root.scroll_into_view_if_needed()
    view.root.locator(".widget-dropdown select").first.select_option("bowl")
    view.wait_until(lambda v: v.value("start θ₁") == 2.5, "the bowl's defaults")
    steps = int(view.readout("steps"))

    def expected(lr, x0, y0):
        twin = GradientDescent2D("bowl", lr=lr, x0=x0, y0=y0, steps=steps, renderer="image")
        text = twin.status_text
        twin.close()
        return text

    view.type_value("learning rate", "0.1")
    view.type_value("start θ₁", "2.25")  # values on the sliders' grid -3 + k · 6/400
    view.type_value("start θ₂", "-1.2")
    view.wait_until(lambda v: v.status() == expected(0.1, 2.25, -1.2), "the status for α = 0.1, θ₀ = (2.25, −1.2)")
    # closed form on the bowl L = ½‖θ‖²: θ_k = (1 − α)^k θ₀
    assert f"θ = ({2.25 * 0.9**steps:.4g}, {-1.2 * 0.9**steps:.4g})" in view.status()
    before_src, before_px = view.image_src(), view.image_pixels()
    view.image.screenshot(path=str(artifacts / "gd2d-before.png"))
    view.press("learning rate", "ArrowRight", 3)
    lr = 10 ** (-1 + 3 * LOG_STEP)
    view.wait_until(lambda v: v.value("learning rate") == float(f"{lr:.4g}"), f"the α readout to show {lr:.4g}")
    view.wait_until(lambda v: v.status() == expected(lr, 2.25, -1.2), f"the status for α = {lr:.4g}")
    view.press("start θ₁", "ArrowLeft", 5)
    x0 = 2.25 - 5 * (6.0 / 400)
    view.wait_until(lambda v: v.status() == expected(lr, x0, -1.2), f"the status for θ₁ = {x0:.3f}")
    assert view.image_src() != before_src and view.image_pixels() != before_px, "the plot did not change"
    view.image.screenshot(path=str(artifacts / "gd2d-after.png"))
    assert view.error() == ""


SLIDER_CHECKS = {"02_gradient_descent_1d.ipynb": check_gd1d, "04_gradient_descent_nd.ipynb": check_gd2d}


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_runs_in_jupyterlab(lab, artifacts, name):
    server, page = lab
    stem = Path(name).stem
    try:
        open_notebook(page, server.url, name)
        run = run_all(page)
        page.screenshot(path=str(artifacts / f"{stem}.png"))
        errors = shown_errors(page)
        assert not errors, f"{name} shows errors after Run All:\n" + "\n---\n".join(errors)
        assert all(p != "[ ]:" for p in run["prompts"]), f"{name}: some cells did not run: {run['prompts']}"
        if name in SLIDER_CHECKS:
            SLIDER_CHECKS[name](page, artifacts)
            assert not shown_errors(page), f"{name}: moving the sliders produced errors"
    finally:
        try:
            page.screenshot(path=str(artifacts / f"{stem}-final.png"))
        finally:
            _finish(server, page)


def test_every_explorer_notebook_is_checked():
    """Adding a notebook with GD explorers but forgetting to drive its sliders fails loudly."""
    assert "02_gradient_descent_1d.ipynb" in NOTEBOOK_NAMES
    for name in NOTEBOOK_NAMES:
        text = (NOTEBOOKS / name).read_text(encoding="utf-8")
        if "GradientDescent1D(" in text or "GradientDescent2D(" in text:
            assert name in SLIDER_CHECKS, f"{name} shows a GD explorer: add a slider check for it"
