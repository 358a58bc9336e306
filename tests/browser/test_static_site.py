"""The static course site is live: explorers work in Chromium served by a plain file server, offline.

``scripts/build_site.py`` builds a page from ``site_fixture/explorers.ipynb`` (seven
explorers and a markdown cell with formulas); ``python -m http.server`` serves it on
127.0.0.1 (no Jupyter, no kernel). Chromium opens it with every request that does not go
to 127.0.0.1 blocked and recorded: the page must need none (widget manager, anywidget
front end, require.js and MathJax all come from the site's own ``npm/`` folder).

- ``test_the_page_renders_offline``: every explorer's canvas widget renders (its PNG
  fallback hidden), MathJax typesets the formulas, no request leaves the machine, no
  request fails, no script error.
- ``test_without_javascript_the_explorers_are_pictures``: with JavaScript off, each
  explorer shows its static PNG.
- ``test_every_slider_moves_the_picture_as_matplotlib_draws_it``: for every explorer and
  every slider the page lets the reader move (those that need a kernel are disabled), a key
  press paints a new frame (``data-frame`` counts up), the pixels change, and the picture is
  matplotlib's own rendering of the state the frame shows (``data-values``), within the
  canvas-fidelity bounds of test_canvas_view.py.
- ``test_static_page_latency``: key press -> new frame, median of 30 presses, for the 1D
  and 2D gradient-descent explorers (printed, no bound).

``page_figure_pixels`` gives an explorer's composited figure (PNG background + canvas
overlay) as an RGB array, for comparisons with matplotlib's own rendering.
"""
from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import numpy as np
import pytest
from site_tools import SITE_FIXTURE, fixture_site, load_build_site

from .conftest import ARTIFACTS, serve_folder
from .pagetools import COMPOSITE_JS, ExplorerView, measure_slider_latency

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURE = SITE_FIXTURE
#: the explorers the fixture shows, by a snippet of the code cell that shows each (in page order)
EXPLORERS = ["GradientDescent1D(", "GradientDescent2D(", "MomentumExplorer(", "OptimizerRace(",
             "ChordExplorer(", "DifferenceQuotient(", "BasinExplorer("]
PRESSES = 16
#: the explorers' constructor calls, as in the fixture notebook (the reference pictures are made from them)
CALLS = {"GradientDescent1D(": "GradientDescent1D('quadratic', lr=0.3, x0=2.5, steps=20)",
         "GradientDescent2D(": "GradientDescent2D()", "MomentumExplorer(": "MomentumExplorer()",
         "OptimizerRace(": "OptimizerRace()", "ChordExplorer(": "ChordExplorer()",
         "DifferenceQuotient(": "DifferenceQuotient()", "BasinExplorer(": "BasinExplorer(n=200)"}


@pytest.fixture(scope="module")
def site(browser_tools) -> Path:
    """The fixture notebook built into a site (after the Chromium check: skip before building); built
    once per test run and shared with test_accessibility.py (``site_tools.fixture_site``)."""
    try:
        out, reports = fixture_site()
    except load_build_site().VendorUnavailable as error:
        pytest.skip(f"the npm registry is out of reach and the vendor cache is empty: {error}")
    assert reports[0]["explorers"] == len(EXPLORERS), reports[0]
    return out


@pytest.fixture(scope="module")
def static_server(site: Path, tmp_path_factory):
    """``python -m http.server`` serving the site on 127.0.0.1, stopped whatever happens."""
    with serve_folder(site, tmp_path_factory.mktemp("static-server") / "http.server.log") as url:
        yield url


def _offline_context(browser, **options):
    """A browser context in which every request not to 127.0.0.1 is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1, **options)
    blocked: list[str] = []

    def only_local(route):
        url = route.request.url
        scheme = urlsplit(url).scheme
        if scheme in ("data", "blob") or (scheme in ("http", "https", "ws", "wss")
                                          and urlsplit(url).hostname == "127.0.0.1"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", only_local)
    return context, blocked


@pytest.fixture(scope="module")
def live(browser, static_server):
    """The fixture page open in Chromium, offline, every explorer rendered."""
    context, blocked = _offline_context(browser)
    page = context.new_page()
    page.set_default_timeout(60_000)
    failed, errors = [], []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("requestfailed", lambda r: failed.append(f"{r.failure} {r.url}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{static_server}/explorers.html")
        page.wait_for_function(
            "n => [...document.querySelectorAll('.i2dl-figure img.i2dl-figure-background')]"
            "       .filter(img => img.complete && img.naturalWidth > 0).length >= n",
            arg=len(EXPLORERS), timeout=60_000)
        yield SimpleNamespace(page=page, blocked=blocked, failed=failed, errors=errors, url=static_server)
    finally:
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "static-site.png"), full_page=True)
        except Exception:  # the screenshot is a help for debugging, never a failure
            pass
        context.close()





def page_figure_pixels(page, index: int) -> np.ndarray:
    """The ``index``-th explorer figure on ``page`` as shown: its PNG background with the
    canvas overlay on top, an (height, width, 3) uint8 RGB array of the figure's own size
    (one pixel per pixel of matplotlib's PNG of the same state, whatever the zoom or the
    column width), for comparisons with matplotlib's rendering.
    """
    from PIL import Image

    root = page.locator(".i2dl-figure").nth(index)
    url = root.evaluate(COMPOSITE_JS, True)
    png = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_the_page_renders_offline(live):
    page = live.page
    # every explorer is a live canvas widget in its own output, and its PNG fallback is hidden
    for i, snippet in enumerate(EXPLORERS):
        view = ExplorerView.in_cell(page, snippet)
        assert view.root.locator(".widget-subarea .i2dl-figure").count() == 1, snippet
        assert view.root.locator(".widget-slider").count() >= 1, f"{snippet}: no slider rendered"
        fallback = view.root.locator("img.i2dl-static-figure")
        assert fallback.count() == 1, f"{snippet}: the static PNG should stay in the page"
        assert not fallback.is_visible(), f"{snippet}: the static PNG should be hidden by the live widget"
        pixels = page_figure_pixels(page, i)
        shown = page.locator(".i2dl-figure").nth(i).evaluate("el => el.getBoundingClientRect().width")
        assert pixels.shape[0] > 200 and abs(shown - pixels.shape[1]) < 1, \
            f"{snippet}: a {pixels.shape} figure shown {shown:.1f} px wide (it should not be scaled)"
        assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50, f"{snippet}: the figure is blank"
    # MathJax (vendored) typeset the markdown's inline and display formulas
    page.wait_for_selector(".MathJax_CHTML", timeout=30_000)
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0")
    markdown = page.locator(".jp-MarkdownCell").first
    assert markdown.locator(".MathJax_CHTML").count() >= 2, "inline and display formulas should be typeset"
    assert "$" not in markdown.inner_text(), "a formula was left as TeX source"
    assert page.locator(".MathJax_CHTML mjx-mi, .MathJax_CHTML .mjx-mi").count() > 0
    # offline: nothing was asked of another host; nothing failed to load; no script error
    assert live.blocked == [], f"the page asked for resources outside the site: {live.blocked[:5]}"
    assert live.failed == [], f"requests that failed: {live.failed[:5]}"
    assert live.errors == [], f"script errors: {live.errors[:3]}"
    assert page.locator("text=/Error displaying widget|Failed to load model class/").count() == 0


def test_without_javascript_the_explorers_are_pictures(browser, static_server):
    from PIL import Image

    context, blocked = _offline_context(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{static_server}/explorers.html")
        pictures = page.locator("img.i2dl-static-figure")
        assert pictures.count() == len(EXPLORERS)
        for i in range(len(EXPLORERS)):
            picture = pictures.nth(i)
            assert picture.is_visible()
            assert picture.evaluate("img => img.complete && img.naturalWidth") > 400
            shot = np.asarray(Image.open(io.BytesIO(picture.screenshot())).convert("RGB"))
            assert len(np.unique(shot.reshape(-1, 3), axis=0)) > 50, f"picture {i} is blank"
        assert blocked == []
    finally:
        context.close()


def _python_twin(call: str):
    """The explorer made by ``call`` in this process, drawing whole PNG frames with matplotlib."""
    from i2dl_helpers import widgets as explorers

    scope = {name: getattr(explorers, name) for name in explorers.__all__}
    return eval(call[:-1] + ("" if call.endswith("()") else ", ") + "renderer='image')", scope)


def _reference(twin, values: dict) -> np.ndarray:
    """matplotlib's own rendering of ``twin`` with its controls at ``values``."""
    from PIL import Image

    for name, value in values.items():
        if twin.controls[name].value != value:
            twin.controls[name].value = value
    assert not twin.error_text, twin.error_text
    return np.asarray(Image.open(io.BytesIO(twin._view.widget.value)).convert("RGB")).astype(int)


def _press_and_wait(page, figure, slider, timeout_ms: int = 4000) -> str | None:
    """ArrowRight (ArrowLeft at the top of the range) on ``slider``; None once a new frame is
    painted, else what went wrong."""
    handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")
    before_frame = int(figure.get_attribute("data-frame") or 0)
    before_value = readout.inner_text()
    handle.focus()
    for key in ("ArrowRight", "ArrowLeft", "ArrowLeft"):  # left twice if the slider was at its maximum
        page.keyboard.press(key)
        try:
            page.wait_for_function("([el, v]) => el.innerText !== v", arg=[readout.element_handle(), before_value],
                                   timeout=1000)
            break
        except Exception:  # the readout has not moved (yet)
            continue
    try:
        page.wait_for_function("([el, n]) => Number(el.dataset.frame) > n",
                               arg=[figure.element_handle(), before_frame], timeout=timeout_ms)
    except Exception:
        return (f"no new frame within {timeout_ms} ms after the slider moved "
                f"({before_value} -> {readout.inner_text()})")
    page.wait_for_timeout(100)  # the paint after the frame count
    return None


def test_every_slider_moves_the_picture_as_matplotlib_draws_it(live, capsys):
    """Without a kernel, every slider the page lets the reader move repaints the explorer, and the
    new picture is matplotlib's own rendering of that state (the canvas-fidelity bounds of
    test_canvas_view.py), which also shows that the picture changed where it should."""
    page = live.page
    problems, report = [], {}
    # the page has decided that no kernel listens (and disabled the controls that need one)
    page.wait_for_function("n => document.querySelectorAll('.i2dl-figure[data-kernel=\"none\"]').length >= n",
                           arg=len(EXPLORERS), timeout=20_000)
    for index, snippet in enumerate(EXPLORERS):
        call = CALLS[snippet]
        view = ExplorerView.in_cell(page, snippet)
        figure = page.locator(".i2dl-figure").nth(index)
        figure.scroll_into_view_if_needed()
        movable = view.root.locator(".widget-slider:not(:has(.slider[disabled]))")
        if movable.count() == 0:
            problems.append(f"{snippet}: every slider is disabled")
            continue
        twin = _python_twin(call)  # follows the page's sliders, one move at a time
        for k in range(movable.count()):
            slider = movable.nth(k)
            label = slider.locator(".widget-label").inner_text().strip()
            before = page_figure_pixels(page, index)
            trouble = _press_and_wait(page, figure, slider)
            if trouble:
                problems.append(f"{snippet} {label!r}: {trouble}")
                continue
            got = page_figure_pixels(page, index).astype(int)
            values = json.loads(figure.get_attribute("data-values") or "{}")
            want = _reference(twin, values)
            if got.shape != want.shape:
                problems.append(f"{snippet} {label!r}: page picture {got.shape}, matplotlib {want.shape}")
                continue
            diff = np.abs(got - want).max(axis=2)
            changed = int(np.any(got != before, axis=-1).sum())
            row = report[f"{snippet} {label}"] = {"differing": round(float(np.mean(diff > 64)), 5),
                                                  "mean": round(float(diff.mean()), 3), "changed": changed}
            stale = float(np.mean(np.abs(before.astype(int) - want).max(axis=2) > 64))
            if changed <= 20 and stale > row["differing"] + 0.0005:
                # matplotlib draws the new state unlike the old frame, but the page did not change
                problems.append(f"{snippet} {label!r}: only {changed} pixels changed")
            if row["differing"] >= 0.015 or row["mean"] >= 2.5:
                problems.append(f"{snippet} {label!r}: unlike matplotlib's rendering of {values}: {row}")
                Image_save(got, f"static-{index}-{k}-page.png")
                Image_save(want, f"static-{index}-{k}-matplotlib.png")
        twin.close()
    with capsys.disabled():
        print("\nstatic page vs matplotlib after each slider move (share of pixels off by > 64, mean diff):")
        for name, row in report.items():
            print(f"  {name:45s} {row['differing']:.4f}  {row['mean']:.2f}  ({row['changed']} pixels changed)")
    assert live.blocked == [], f"the page asked for resources outside the site: {live.blocked[:5]}"
    assert live.errors == [], f"script errors: {live.errors[:3]}"
    assert not problems, "\n".join(problems)


def Image_save(array, name: str) -> None:
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(ARTIFACTS / name)


def test_static_page_latency(live, capsys):
    """Key press -> new frame on screen, median of 30 presses, as test_jupyterlab measures it in JupyterLab."""
    page = live.page
    medians = {}
    for dim, snippet in (("1D", "GradientDescent1D("), ("2D", "GradientDescent2D("),
                         ("basin map 200x200 starts x 100 steps", "BasinExplorer(")):
        view = ExplorerView.in_cell(page, snippet)
        view.root.scroll_into_view_if_needed()
        # one probe press first: without browser-side frames, fail in seconds, not after 30 timeouts
        frame = int(view.frame_id() or 0)
        view.press("learning rate", "ArrowRight")
        start = time.monotonic()
        while int(view.frame_id() or 0) <= frame:
            if time.monotonic() - start > 4:
                pytest.fail(f"{dim}: no new frame without a kernel")
            page.wait_for_timeout(50)
        m = measure_slider_latency(view, "learning rate", PRESSES)
        totals = [r["total"] for r in m["rows"]]
        assert len(totals) >= PRESSES - 2, f"{dim}: only {len(totals)} of {PRESSES} presses gave a frame"
        medians[dim] = float(np.median(totals))
    with capsys.disabled():
        print(f"\nstatic page: key press -> new frame, median of {PRESSES}: "
              + ", ".join(f"{dim} {ms:.1f} ms" for dim, ms in medians.items()))
