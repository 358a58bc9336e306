"""Accessible to every student (issue 23): WCAG 2.1 AA on the static site and in JupyterLab.

axe-core (from the npm registry, pinned and sha512-checked: ``build_site.TEST_VENDOR``) runs its
WCAG 2.0/2.1 A + AA rules; a serious or critical violation the course causes fails.

Static site (the one small site a test run builds, ``site_tools.fixture_site``, shared with
test_static_site.py):

- ``test_axe_every_page_of_the_static_site``: every page, with its live explorers rendered and
  MathJax done; the counts per page are printed.
- ``test_axe_finds_what_it_must``: the check can fail (an unnamed slider, grey text, a link told
  apart by colour only on a page of our own are caught); ``test_axe_in_jupyterlab_scope_fails_on_ours_only``:
  the JupyterLab scope catches a fault in an output area and leaves one in JupyterLab's interface out.
- ``test_every_control_is_named_and_spoken_as_shown``: each slider's accessible name is its label
  (computed by Chromium's accessibility tree) and its value text the readout a sighted reader sees;
  dropdowns and text boxes are labelled; no formula is a tab stop.
- ``test_the_text_alternative_follows_the_state``: the figure's alt text is the Python explorer's
  ``alt_text`` for the values the frame shows, before and after a slider moves (and differs).
- ``test_the_live_region_holds_the_final_status``: after a burst of key presses the explorer's
  polite live region says the status line of the final state, and took few updates on the way.
- ``test_keyboard_only_reaches_what_the_mouse_does``: Tab reaches every movable slider of every
  explorer and the click-to-start plot; for every slider, a mouse click on its track and arrow keys
  reach the same state (values, status, alt text); on the contour plot, arrows and Enter set the
  same start as a click at the cross.

JupyterLab (``test_jupyterlab_explorers_by_keyboard``, one generated notebook with two explorers): axe
on the outputs, every slider by keys against a click on its track and the keyboard path of the contour
plot against a click (the kernel's state compared), JupyterLab leaving the keys to the plot, and the
live region. ``pagetools.assert_outputs_accessible`` is also
called by test_jupyterlab.py for every notebook after Run All.

What is left out in JupyterLab, and why: see ``pagetools.JUPYTERLAB_SCOPE``. axe fails on the output
areas only; JupyterLab's own interface has violations that are upstream (axe-core 4.14.1, JupyterLab
4): aria-allowed-attr (critical; ``aria-pressed`` on the toolbar's ``jp-button``s, JupyterLab's and its
extensions' - file browser, Voilà, nbgrader, debugger), aria-input-field-name (serious; the CodeMirror
editors' ``.cm-content`` textboxes have no name) and aria-required-children (critical; the cell list's
``role="feed"`` holds cells that are not articles). The JupyterLab test also runs axe on the whole page,
prints these, and fails if any serious or critical node of that run lies inside an output area (ours).
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from site_tools import fixture_site, load_build_site

from .conftest import serve_folder
from .pagetools import (ExplorerView, assert_outputs_accessible, axe_counts, axe_violations, describe_violations, failing,
                        leave_lab)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: the explorers of the site fixture, by a snippet of the cell that shows each (page order)
EXPLORERS = ["GradientDescent1D(", "GradientDescent2D(", "MomentumExplorer(", "OptimizerRace(",
             "ChordExplorer(", "DifferenceQuotient(", "BasinExplorer("]
CALLS = {"GradientDescent1D(": "GradientDescent1D('quadratic', lr=0.3, x0=2.5, steps=20)",
         "GradientDescent2D(": "GradientDescent2D()", "MomentumExplorer(": "MomentumExplorer()",
         "OptimizerRace(": "OptimizerRace()", "ChordExplorer(": "ChordExplorer()",
         "DifferenceQuotient(": "DifferenceQuotient()", "BasinExplorer(": "BasinExplorer(n=200)"}
#: the live region takes a new text at most this often (a11y.js, LIVE_MS)
LIVE_MS = 400

_READY_JS = "n => document.querySelectorAll('.i2dl-figure[data-kernel=\"none\"]').length >= n"
_MATHJAX_DONE_JS = "() => !window.MathJax || (MathJax.Hub && MathJax.Hub.queue.pending === 0)"


# -- the static site -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(browser_tools) -> Path:
    try:
        out, _ = fixture_site()
    except load_build_site().VendorUnavailable as error:
        pytest.skip(f"the npm registry is out of reach and the vendor cache is empty: {error}")
    return out


@pytest.fixture(scope="module")
def server(site: Path, tmp_path_factory):
    with serve_folder(site, tmp_path_factory.mktemp("a11y-server") / "http.server.log") as url:
        yield url


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    explorers = page.locator("img.i2dl-static-figure").count()
    if explorers:
        page.wait_for_function(_READY_JS, arg=explorers, timeout=60_000)
    page.wait_for_function(_MATHJAX_DONE_JS)
    page.wait_for_timeout(300)
    return context, page, errors


@pytest.fixture(scope="module")
def live(browser, server):
    """The explorers' page, every explorer rendered with no kernel."""
    context, page, errors = _open(browser, f"{server}/explorers.html")
    try:
        yield page
        assert not errors, f"script errors: {errors[:3]}"
    finally:
        context.close()


def test_axe_every_page_of_the_static_site(browser, server, site, capsys):
    """axe on every page (the fixture has formulas, code, a link in running text and a check that
    fails on purpose); no page shows the failing check."""
    pages = ["index.html"] + sorted(p.name for p in site.glob("*.html") if p.name != "index.html")
    counts, problems = {}, []
    for name in pages:
        context, page, errors = _open(browser, f"{server}/{name}")
        try:
            found = axe_violations(page)
            # the exercises' checks fail until answered: their error outputs are left out of the pages
            shown = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output')]"
                                  ".filter(o => /ValueError|Traceback/.test(o.innerText)).length")
            if shown:
                problems.append(f"{name}: shows {shown} error outputs of cells meant to raise")
        finally:
            context.close()
        counts[name] = axe_counts(found)
        if failing(found):
            problems.append(f"{name}:\n{describe_violations(failing(found))}")
        assert not errors, f"{name}: script errors {errors[:3]}"
    with capsys.disabled():
        print("\naxe-core (WCAG 2.0/2.1 A + AA) violations per page of the static site:")
        for name, found in counts.items():
            print(f"  {name:20s} {found or 'none'}")
    assert len(pages) >= 2
    assert not problems, "\n".join(problems)


def test_axe_finds_what_it_must(browser):
    """The check can fail: a page with the faults issue 23 found is caught, rule by rule."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><html><body><main><h1>t</h1>"
                         "<p style='color:#212121'>Text with <a href='#x' style='color:#0d47a1;"
                         "text-decoration:none'>a link</a> in it.</p>"
                         "<div role='slider' tabindex='0' aria-valuenow='1' aria-valuemin='0' aria-valuemax='2'></div>"
                         "<p style='color:#b0b0b0'>In [1]:</p></main></body></html>")
        found = {v["id"] for v in failing(axe_violations(page))}
    finally:
        context.close()
    assert {"html-has-lang", "link-in-text-block", "aria-input-field-name", "color-contrast"} <= found, found


def test_axe_in_jupyterlab_scope_fails_on_ours_only(browser):
    """The JupyterLab checks can fail: an unnamed slider inside an output area is found by the scoped
    run and marked ``in_output`` in the whole page's run; one in JupyterLab's own interface is not ours."""
    from .pagetools import JUPYTERLAB_EXCLUDED, JUPYTERLAB_SCOPE

    slider = "<div role='slider' tabindex='0' aria-valuenow='1' aria-valuemin='0' aria-valuemax='2' class='{}'></div>"
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><html lang='en'><title>t</title><body><main><h1>t</h1>"
                         f"<div class='jp-Toolbar'>{slider.format('theirs')}</div>"
                         "<div class='jp-Notebook'><div class='jp-OutputArea-output'>"
                         f"{slider.format('ours')}</div></div></main></body></html>")
        scoped = failing(axe_violations(page, include=JUPYTERLAB_SCOPE, exclude=list(JUPYTERLAB_EXCLUDED)))
        everything = failing(axe_violations(page))
    finally:
        context.close()
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in scoped] == [("aria-input-field-name", [".ours"])]
    marks = {n["target"]: n["in_output"] for v in everything for n in v["nodes"]}
    assert marks == {".theirs": False, ".ours": True}, marks


def _figures(page) -> list:
    return [page.locator(".i2dl-figure").nth(i) for i in range(page.locator(".i2dl-figure").count())]


def test_every_control_is_named_and_spoken_as_shown(live):
    page = live
    problems = []
    for view_index, snippet in enumerate(EXPLORERS):
        view = ExplorerView.in_cell(page, snippet)
        sliders = view.root.locator(".widget-slider:visible")  # (those on hidden tab pages are not in the tree)
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            label = slider.locator(".widget-label").inner_text().strip()
            tab = slider.evaluate("s => { const p = s.closest('.widget-tab-contents > *'); if (!p) return '';"
                                  " const i = [...p.parentElement.children].indexOf(p);"
                                  " return p.parentElement.closest('.widget-tab')"
                                  "   .querySelectorAll('.lm-TabBar-tab')[i].innerText.trim(); }")
            label = f"{tab} {label}" if tab else label  # a slider on a tab page: "Adam α"
            shown = slider.locator(".widget-readout").inner_text().strip()
            handle = slider.locator(".noUi-handle")
            # Chromium's accessibility tree: a slider with this name exists, and it is this handle
            named = view.root.get_by_role("slider", name=label, exact=True)
            if not label or named.count() < 1 or not any(
                    named.nth(i).evaluate("(a, b) => a === b", handle.element_handle()) for i in range(named.count())):
                problems.append(f"{snippet} slider {k}: accessible name is not its label {label!r}")
            text = handle.get_attribute("aria-valuetext")
            if text != shown:
                problems.append(f"{snippet} {label!r}: aria-valuetext {text!r}, the readout shows {shown!r}")
        for kind in ("combobox", "textbox"):
            for element in view.root.get_by_role(kind).all():
                name = element.evaluate("e => e.labels && e.labels.length ? e.labels[0].innerText.trim() : "
                                        "(e.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)"
                                        ".map(id => document.getElementById(id).innerText.trim()).join(' ')")
                if not name:
                    problems.append(f"{snippet}: a {kind} without a label")
    # a log slider speaks α, not its exponent: the handle's position is log10(α), the text is α
    lr = ExplorerView.in_cell(page, "GradientDescent1D(").slider("learning rate").locator(".noUi-handle")
    exponent, spoken = float(lr.get_attribute("aria-valuenow")), lr.get_attribute("aria-valuetext")
    assert float(spoken) == pytest.approx(10 ** exponent, rel=1e-3) and float(spoken) != exponent
    # formulas are read, not tab stops
    stops = page.evaluate("() => [...document.querySelectorAll('.MathJax_CHTML, mjx-container, .MathJax')]"
                          ".filter(e => e.tabIndex >= 0).length")
    assert page.locator(".MathJax_CHTML").count() >= 2 and stops == 0, f"{stops} formulas are tab stops"
    assert not problems, "\n".join(problems)


def _python_twin(call: str):
    from i2dl_helpers import widgets as explorers

    scope = {name: getattr(explorers, name) for name in explorers.__all__}
    return eval(call[:-1] + ("" if call.endswith("()") else ", ") + "renderer='image')", scope)


def _twin_at(twin, values: dict):
    for name, value in values.items():
        if name in twin.controls and getattr(twin.controls[name], "value", None) != value:
            twin.controls[name].value = value
    assert not twin.error_text, twin.error_text
    return twin


def _state(page, figure) -> dict:
    """What a frame shows: the controls' values, the status line and the figure's alt text."""
    return figure.evaluate("""el => {
        const box = el.closest('.widget-vbox');
        return {values: JSON.parse(el.dataset.values || '{}'), frame: Number(el.dataset.frame),
                status: (box.querySelector('.i2dl-status') || {}).innerText || '',
                alt: el.querySelector('img').alt, kernel: el.dataset.kernel || '',
                kernel_values: JSON.parse(el.dataset.kernelValues || '{}')}; }""")


def _press(page, figure, handle, key: str, times: int = 1) -> None:
    """Focus ``handle`` and press ``key``; wait until the frame shows the new values."""
    before = _state(page, figure)
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)
    page.wait_for_function("([el, v]) => el.dataset.values !== v",
                           arg=[figure.element_handle(), json.dumps(before["values"], separators=(",", ":"))],
                           timeout=5000)
    _settle(page, figure)


#: how long a frame and its status line must stand still to count as settled (ms); with a kernel the
#: status line is the kernel's, which arrives later (test_jupyterlab_explorers_by_keyboard sets more)
QUIET_MS = {"value": 150}


def _kernel_caught_up(state: dict) -> bool:
    """With a kernel: its last frame shows the values the page shows (a control that needs the kernel,
    e.g. κ's new contours, is answered after the page's frame, and a burst of moves queues up)."""
    if state["kernel"] != "yes":
        return True
    shown = state["values"]
    return all(name in shown and isinstance(shown[name], (int, float))
               and math.isclose(shown[name], v, rel_tol=1e-9, abs_tol=1e-12)
               for name, v in state["kernel_values"].items())


def _settle(page, figure) -> None:
    """Until the frame and the status line have stood still for ``QUIET_MS`` (the frame and the status line
    are written, by the page or by the kernel) and a kernel has caught up with the values shown. Looked at
    every 100 ms: it returns ``QUIET_MS`` after the last change, not up to twice that."""
    quiet = QUIET_MS["value"] / 1000
    last, since = None, time.monotonic()
    bound = since + 200 * quiet  # a bound, not a timing: a figure that never stands still fails here
    while time.monotonic() < bound:
        state = _state(page, figure)
        now = (state["frame"], state["status"], state["alt"])
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet and _kernel_caught_up(state):
            return
        page.wait_for_timeout(min(100, QUIET_MS["value"]))
    raise AssertionError(f"the figure never stood still: {last}")


def test_the_text_alternative_follows_the_state(live):
    page = live
    problems = []
    for index, snippet in enumerate(EXPLORERS):
        figure = page.locator(".i2dl-figure").nth(index)
        twin = _python_twin(CALLS[snippet])
        try:
            before = _state(page, figure)
            fallback = ExplorerView.in_cell(page, snippet).root.locator("img.i2dl-static-figure").get_attribute("alt")
            if fallback != twin.alt_text:  # the picture for readers without JavaScript, at the start
                problems.append(f"{snippet}: the static picture's alt is not the explorer's alt_text")
            if before["alt"] != _twin_at(twin, before["values"]).alt_text:
                problems.append(f"{snippet}: alt {before['alt']!r}\n  != alt_text {twin.alt_text!r}")
            view = ExplorerView.in_cell(page, snippet)
            handle = view.root.locator(".widget-slider:not(:has(.slider[disabled])) .noUi-handle").first
            _press(page, figure, handle, "ArrowRight", 2)
            after = _state(page, figure)
            if after["alt"] == before["alt"]:
                problems.append(f"{snippet}: the alt text did not change with the state")
            if after["alt"] != _twin_at(twin, after["values"]).alt_text:
                problems.append(f"{snippet}: alt {after['alt']!r}\n  != alt_text {twin.alt_text!r}")
            _press(page, figure, handle, "ArrowLeft", 2)  # leave the page as it was
        finally:
            twin.close()
    assert not problems, "\n".join(problems)


_LIVE_LOG_JS = """el => {
  const region = el.closest('.widget-vbox').querySelector('.i2dl-live');
  window.__i2dlLive = [];
  new MutationObserver(() => window.__i2dlLive.push([performance.now(), region.textContent]))
    .observe(region, {childList: true, characterData: true, subtree: true});
  return region.textContent;
}"""


def test_the_live_region_holds_the_final_status(live):
    page = live
    view = ExplorerView.in_cell(page, "GradientDescent1D(")
    figure = page.locator(".i2dl-figure").nth(0)
    figure.evaluate(_LIVE_LOG_JS)
    handle = view.slider("learning rate").locator(".noUi-handle")
    handle.focus()
    start = page.evaluate("() => performance.now()")
    for _ in range(16):  # a burst: as fast as the keyboard repeats
        page.keyboard.press("ArrowRight")
    end = page.evaluate("() => performance.now()")
    page.wait_for_timeout(LIVE_MS + 600)
    log = page.evaluate("() => window.__i2dlLive")
    text = figure.evaluate("el => el.closest('.widget-vbox').querySelector('.i2dl-live').textContent")
    status = view.status()
    twin = _twin_at(_python_twin(CALLS["GradientDescent1D("]), _state(page, figure)["values"])
    try:
        assert text == status == twin.status_text, (text, status, twin.status_text)
    finally:
        twin.close()
    updates = [t for t, _ in log]
    assert log and log[-1][1] == status
    assert len(updates) <= 2 + (max(updates) - start) / LIVE_MS, \
        f"{len(updates)} announcements in {max(updates) - start:.0f} ms ({end - start:.0f} ms of key presses)"
    assert all(b - a >= LIVE_MS - 20 for a, b in zip(updates, updates[1:])), np.diff(updates)
    # leave the page as it was
    for _ in range(16):
        page.keyboard.press("ArrowLeft")
    _settle(page, figure)


# -- keyboard only -----------------------------------------------------------------------------------
def _same_state(a: dict, b: dict) -> bool:
    """Equal status line and alt text, and the same values (to 1e-9: a click lands on a data point
    through the pixel transform and back)."""
    if a["status"] != b["status"] or a["alt"] != b["alt"] or set(a["values"]) != set(b["values"]):
        return False
    for name, x in a["values"].items():
        y = b["values"][name]
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


def _tab_walk(page, limit: int = 400) -> list[str]:
    """Press Tab from the top of the page until focus has gone through it; the marks (data-a11y) of
    the sliders' handles and figure overlays focused on the way, in order. Each of them must show
    that it has the focus (an outline or a shadow)."""
    page.evaluate("""() => {
        let n = 0;
        for (const el of document.querySelectorAll('.noUi-handle, .i2dl-figure-overlay'))
            el.dataset.a11y = el.dataset.a11y || `a11y-${n++}`;
        const top = document.createElement('span');  // Tab starts here (not where focus was last)
        top.id = 'a11y-top'; top.tabIndex = -1;
        document.body.prepend(top);
        top.focus();
    }""")
    seen, unseen_focus = [], []
    for _ in range(limit):
        page.keyboard.press("Tab")
        mark, at_end, ring = page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body) return ['', true, true];
            const s = getComputedStyle(e);
            const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
            return [e.dataset.a11y || '', false, ring]; }""")
        if mark:
            seen.append(mark)
            if not ring:
                unseen_focus.append(mark)
        if at_end and seen:
            break
    page.evaluate("() => document.getElementById('a11y-top').remove()")
    assert not unseen_focus, f"{len(unseen_focus)} controls show no focus when Tab reaches them (WCAG 2.4.7)"
    return seen


def _wait_values_change(page, figure, before: dict, timeout: int = 5000) -> bool:
    try:
        page.wait_for_function("([el, v]) => el.dataset.values !== v",
                               arg=[figure.element_handle(), json.dumps(before["values"], separators=(",", ":"))],
                               timeout=timeout)
        return True
    except Exception:
        return False


def _grid_index(control, value) -> int:
    """Which point of the slider's grid (min + k·step on its track; the exponent's track of a
    FloatLogSlider) ``value`` sits on or next to."""
    import ipywidgets as widgets

    at = math.log(value, control.base) if isinstance(control, widgets.FloatLogSlider) else value
    return round((at - control.min) / control.step)


def _on_grid(control, value) -> bool:
    """Whether ``value`` is a point of the slider's grid (not one set from code between two)."""
    import ipywidgets as widgets

    at = min(max(control.min + _grid_index(control, value) * control.step, control.min), control.max)
    point = control.base ** at if isinstance(control, widgets.FloatLogSlider) else at
    return math.isclose(point, value, rel_tol=1e-9, abs_tol=1e-12)


def _press_keys(page, figure, target, keys: list[str]) -> None:
    """Focus ``target`` and press ``keys``; then wait until the frame is written."""
    target.focus()
    for key in keys:
        page.keyboard.press(key)
    _settle(page, figure)


def _moved(before: dict, after: dict) -> list[str]:
    return [n for n, v in after["values"].items() if before["values"].get(n) != v]


def _sliders_by_keys_and_mouse(page, view, figure, snippet: str, twin) -> tuple[list[str], int]:
    """For every movable slider of the explorer ``view``: a mouse click on its track, then arrow keys
    back to the start and on to where the mouse went; the states (values, status, alt text) must be
    the same. Returns (problems, arrow presses)."""
    problems, presses = [], 0
    sliders = view.root.locator(".widget-slider:not(:has(.slider[disabled])):visible")
    for k in range(sliders.count()):
        slider = sliders.nth(k)
        label = slider.locator(".widget-label").inner_text().strip()
        handle = slider.locator(".noUi-handle")
        start = _state(page, figure)
        # the mouse: a click on the track just right of the handle (left of it at the top end)
        box, track = handle.bounding_box(), slider.locator(".slider").bounding_box()
        right = box["x"] + box["width"] + 4 < track["x"] + track["width"]
        page.mouse.click(box["x"] + box["width"] + 3 if right else box["x"] - 3, track["y"] + track["height"] / 2)
        if not _wait_values_change(page, figure, start):
            problems.append(f"{snippet} {label!r}: a click on the track did not move the slider")
            continue
        _settle(page, figure)
        by_mouse = _state(page, figure)
        (name,) = _moved(start, by_mouse)
        control = twin.controls[name]
        n = _grid_index(control, by_mouse["values"][name]) - _grid_index(control, start["values"][name])
        # the keys: back to the start, then to where the mouse went
        _press_keys(page, figure, handle, ["ArrowLeft" if n > 0 else "ArrowRight"] * abs(n))
        back = _state(page, figure)
        _press_keys(page, figure, handle, ["ArrowRight" if n > 0 else "ArrowLeft"] * abs(n))
        by_keys = _state(page, figure)
        presses += 2 * abs(n)
        # back where it started: the same state (a page without a kernel shows the start again). A start
        # set from code off the slider's grid (x₀ = 2.5 on the grid −3 + 0.015 k) is reached by neither
        # mouse nor keys once a kernel has seen the slider move: there, the grid point next to it
        home = _same_state(back, start) or (
            not _on_grid(control, start["values"][name]) and _on_grid(control, back["values"][name])
            and _grid_index(control, back["values"][name]) == _grid_index(control, start["values"][name]))
        if n == 0 or not home:
            problems.append(f"{snippet} {label!r}: {abs(n)} arrow keys did not bring back the start:\n"
                            f"  {back}\n  {start}")
        if not _same_state(by_keys, by_mouse):
            problems.append(f"{snippet} {label!r}: keys reached\n  {by_keys}\n  the mouse\n  {by_mouse}")
    return problems, presses


def test_keyboard_only_reaches_what_the_mouse_does(live, capsys):
    """Tab reaches every control; every state a mouse click reaches, the keys reach too."""
    page = live
    problems, presses = [], 0
    # Tab alone reaches every movable slider and the click-to-start plot (and gets out again: no trap)
    reached = set(_tab_walk(page))
    wanted = page.evaluate("""() => [...document.querySelectorAll('.noUi-handle, .i2dl-figure-overlay')]
        .filter(el => el.tabIndex >= 0 && !el.closest('.slider[disabled]') && el.offsetParent !== null)
        .map(el => el.dataset.a11y)""")
    missing = [w for w in wanted if w not in reached]
    assert len(wanted) > len(EXPLORERS) and not missing, f"Tab never reaches {len(missing)} of {len(wanted)} controls"
    for index, snippet in enumerate(EXPLORERS):
        view = ExplorerView.in_cell(page, snippet)
        figure = page.locator(".i2dl-figure").nth(index)
        figure.scroll_into_view_if_needed()
        twin = _python_twin(CALLS[snippet])  # the controls' grids (min, step), as on the page
        try:
            found, pressed = _sliders_by_keys_and_mouse(page, view, figure, snippet, twin)
            problems += found
            presses += pressed
            overlay = figure.locator("canvas.i2dl-figure-overlay")
            if overlay.get_attribute("role") == "application":
                problems += _click_to_start_by_keys(page, figure, overlay, snippet, twin)
        finally:
            twin.close()
    with capsys.disabled():
        print(f"\nkeyboard only: {len(wanted)} controls reached by Tab; {presses} arrow presses reached the "
              "states of mouse clicks on the sliders' tracks and the contour plot")
    assert not problems, "\n".join(problems)


def _click_to_start_by_keys(page, figure, overlay, snippet: str, twin) -> list[str]:
    """A real mouse click on the contour plot against the cross moved there by the arrow keys
    (10 grid steps of the start sliders a press, one with Shift) and Enter."""
    start = _state(page, figure)
    click = json.loads(figure.get_attribute("data-click"))
    xs, ys = twin.controls[click["x"]], twin.controls[click["y"]]
    # a whole pixel (a mouse's) about a third into the axes whose data point is well inside a grid cell
    a, b, c, d, e, f = click["trans"]["m"]
    box = figure.locator("canvas").bounding_box()
    scale = box["width"] / figure.evaluate("el => el.querySelector('img').naturalWidth")
    X0, Y0 = xs.min + 0.62 * (xs.max - xs.min), ys.min + 0.7 * (ys.max - ys.min)
    best = None
    for dx in range(-12, 13):
        for dy in range(-12, 13):
            # the mouse's whole pixel on the screen, and the figure pixel (u, v) under it
            cx = round(box["x"] + (a * X0 + c * Y0 + e) * scale) + dx
            cy = round(box["y"] + (b * X0 + d * Y0 + f) * scale) + dy
            u, v = (cx - box["x"]) / scale, (cy - box["y"]) / scale
            det = a * d - b * c
            X, Y = (d * (u - e) - c * (v - f)) / det, (a * (v - f) - b * (u - e)) / det
            off = max(abs((X - xs.min) / xs.step - round((X - xs.min) / xs.step)),
                      abs((Y - ys.min) / ys.step - round((Y - ys.min) / ys.step)))
            if best is None or off < best[0]:
                best = (off, cx, cy, X, Y)
    _, cx, cy, X, Y = best
    # the keys: from the start's grid point to the clicked one
    moves = []
    for key_up, key_down, control, now, there in (("ArrowRight", "ArrowLeft", xs, start["values"][click["x"]], X),
                                                  ("ArrowUp", "ArrowDown", ys, start["values"][click["y"]], Y)):
        k = _grid_index(control, there) - _grid_index(control, now)
        key = key_up if k > 0 else key_down
        moves += [key] * (abs(k) // 10) + [f"Shift+{key}"] * (abs(k) % 10)
    _press_keys(page, figure, overlay, moves)
    page.wait_for_timeout(LIVE_MS + 100)
    said = figure.evaluate("el => el.closest('.widget-vbox').querySelector('.i2dl-live').textContent")
    page.keyboard.press("Enter")
    problems = []
    if not _wait_values_change(page, figure, start):
        return [f"{snippet}: arrows and Enter on the contour plot did not move the start"]
    _settle(page, figure)
    by_keys = _state(page, figure)
    if not said.startswith("cross at"):
        problems.append(f"{snippet}: the cross's position was not announced ({said!r})")
    # the mouse, at that pixel (after the start has gone elsewhere, so that the click changes it)
    _press_keys(page, figure, overlay, ["ArrowLeft", "ArrowLeft", "Enter"])
    page.mouse.click(cx, cy)
    _settle(page, figure)
    by_mouse = _state(page, figure)
    if not _same_state(by_keys, by_mouse):
        problems.append(f"{snippet}: {len(moves)} keys and Enter set\n  {by_keys}\n a click\n  {by_mouse}")
    return problems


# -- JupyterLab ----------------------------------------------------------------------------------------
A11Y_NOTEBOOK = "a11y_explorers.ipynb"


def test_jupyterlab_explorers_by_keyboard(lab_server, page, workdir, capsys):
    """In JupyterLab: the outputs pass axe (and no serious or critical node of the whole page is in
    them), the live region ends with the final status after a burst of key presses, every slider's
    arrow keys reach what a click on its track reaches, the contour plot's keys set the start a click
    sets (the kernel's status line the same), JupyterLab leaves the plot's keys alone, and no formula
    is a tab stop."""
    import nbformat

    from .pagetools import open_notebook, run_all, shown_errors

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Explorers by keyboard\n\nA step: $x_{k+1} = x_k - \\alpha L'(x_k)$."),
                nbformat.v4.new_code_cell("from i2dl_helpers.widgets import GradientDescent1D, GradientDescent2D"),
                nbformat.v4.new_code_cell(CALLS["GradientDescent1D("]),
                nbformat.v4.new_code_cell(CALLS["GradientDescent2D("])]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, workdir / A11Y_NOTEBOOK)
    QUIET_MS["value"] = 800  # the kernel writes the status line after the page's frame
    try:
        open_notebook(page, lab_server.url, A11Y_NOTEBOOK)
        run_all(page)
        assert not shown_errors(page)
        page.wait_for_function("n => document.querySelectorAll('.i2dl-figure[data-kernel=\"yes\"]').length >= n",
                               arg=2, timeout=30_000)
        page.wait_for_timeout(500)
        counts = assert_outputs_accessible(page, A11Y_NOTEBOOK)
        # JupyterLab's own interface, for the record (upstream: not failed, see pagetools.JUPYTERLAB_SCOPE)
        everything = axe_violations(page)
        outside = {f"{v['id']} ({v['impact']})": len(v["nodes"]) for v in everything}
        # ... and none of its serious or critical nodes is ours (inside an output area)
        ours = [f"{v['id']} ({v['impact']}): {n['target']}: {n['html'][:120]}"
                for v in failing(everything) for n in v["nodes"] if n["in_output"]]
        stops = page.evaluate("() => [...document.querySelectorAll('.jp-RenderedMarkdown mjx-container, "
                              ".jp-RenderedMarkdown .MathJax')].filter(e => e.tabIndex >= 0).length")
        maths = page.locator(".jp-RenderedMarkdown mjx-container, .jp-RenderedMarkdown .MathJax").count()
        problems = [f"the whole page's axe run finds a violation in the outputs: {o}" for o in ours]
        if stops:
            problems.append(f"{stops} of {maths} formulas are tab stops")
        # the live region after a burst, with a kernel: the kernel's own status line
        view = ExplorerView.in_cell(page, "GradientDescent1D(")
        figure = view.image
        view.root.scroll_into_view_if_needed()
        figure.evaluate(_LIVE_LOG_JS)
        view.press("learning rate", "ArrowRight", 12)
        page.wait_for_timeout(LIVE_MS + 1500)
        _settle(page, figure)
        said = figure.evaluate("el => el.closest('.widget-vbox').querySelector('.i2dl-live').textContent")
        twin = _twin_at(_python_twin(CALLS["GradientDescent1D("]), _state(page, figure)["values"])
        try:
            if not (said == view.status() == twin.status_text):
                problems.append(f"live region {said!r}, status {view.status()!r}, Python {twin.status_text!r}")
            if _state(page, figure)["alt"] != twin.alt_text:
                problems.append(f"alt {_state(page, figure)['alt']!r} != {twin.alt_text!r}")
        finally:
            twin.close()
        # every slider of both explorers: the keys reach what a click on its track reaches (with the
        # kernel's status line and the alt text)
        for snippet in ("GradientDescent1D(", "GradientDescent2D("):
            view = ExplorerView.in_cell(page, snippet)
            view.root.scroll_into_view_if_needed()
            twin = _python_twin(CALLS[snippet])
            try:
                found, _ = _sliders_by_keys_and_mouse(page, view, view.image, f"{snippet} in JupyterLab", twin)
                problems += found
            finally:
                twin.close()
        # click-to-start by keys, and JupyterLab keeps its hands off them
        view = ExplorerView.in_cell(page, "GradientDescent2D(")
        figure = view.image
        view.root.scroll_into_view_if_needed()
        figure.locator("canvas.i2dl-figure-overlay").focus()  # the plot's cell becomes the active one
        active = page.evaluate("() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                               ".findIndex(c => c.classList.contains('jp-mod-active'))")
        twin = _python_twin(CALLS["GradientDescent2D("])
        try:
            problems += _click_to_start_by_keys(page, figure, figure.locator("canvas.i2dl-figure-overlay"),
                                                "GradientDescent2D( in JupyterLab", twin)
            # the kernel agrees: its explorer, set to the values the page shows, writes the same status
            page.wait_for_timeout(1000)
            state = _state(page, figure)
            if _twin_at(twin, state["values"]).status_text != state["status"]:
                problems.append(f"kernel status {state['status']!r} != {twin.status_text!r}")
        finally:
            twin.close()
        after = page.evaluate("() => [[...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
                              ".findIndex(c => c.classList.contains('jp-mod-active')), "
                              "!!document.querySelector('.jp-Notebook.jp-mod-editMode')]")
        if after != [active, False]:
            problems.append(f"JupyterLab acted on the plot's keys: active cell {active} -> {after[0]}, "
                            f"edit mode {after[1]}")
        with capsys.disabled():
            print(f"\nJupyterLab outputs, axe-core: {counts or 'no violations'}; "
                  f"{stops} of {maths} formulas are tab stops; the whole JupyterLab page: {outside}")
            print("JupyterLab's own (outside the outputs):\n" + describe_violations(failing(everything), nodes=10))
        assert not problems, "\n".join(problems)
    finally:
        QUIET_MS["value"] = 150
        leave_lab(page, lab_server)
