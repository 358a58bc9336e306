"""Driving JupyterLab notebooks and explorer widgets in a Playwright page."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

#: What counts as an error shown by a cell (a traceback, a warning that the standards forbid,
#: an explorer's error box, a widget the front end could not render).
_ERRORS_JS = r"""
(expected = []) => {
  const found = [];
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const skip = new Set(expected.map(i => cells[i]).filter(Boolean));
  for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
    if ([...skip].some(cell => cell.contains(el))) continue;  // tagged raises-exception
    const mime = el.getAttribute('data-mime-type') || '';
    const text = el.innerText || '';
    if (mime === 'application/vnd.jupyter.stderr'
        && /Traceback|Error:|RuntimeWarning|More than 20 figures/.test(text)) found.push(text.slice(0, 1500));
    if (/Error displaying widget|Failed to load model class|model not found/i.test(text))
      found.push('widget: ' + text.slice(0, 300));
  }
  for (const el of document.querySelectorAll('.i2dl-error'))
    if ((el.innerText || '').trim()) found.push('explorer: ' + el.innerText.trim());
  return found;
}
"""

_PROMPTS_JS = r"""
() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(e => e.innerText.trim())
"""

_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"

#: Outputs wider than the notebook column: content cut off at the right or pushed past it. For every
#: output area: its own scroll width against its visible width, and every image, canvas, svg and widget
#: inside it against the column's right edge.
_OVERFLOW_JS = r"""
() => {
  const found = [];
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  for (const out of document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')) {
    const cell = cells.findIndex(c => c.contains(out));
    const column = out.getBoundingClientRect();
    if (column.width === 0) continue;  // hidden
    if (out.scrollWidth > out.clientWidth + 2)
      found.push({cell, what: 'output', width: out.scrollWidth, column: out.clientWidth});
    for (const el of out.querySelectorAll('img, canvas, svg, .jupyter-widgets, .widget-box, .i2dl-figure')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > column.right + 2)
        found.push({cell, what: el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
                    ? '.' + String(el.className).split(' ')[0] : ''),
                    width: Math.round(r.width), column: Math.round(column.width)});
    }
  }
  return found;
}
"""

#: an explorer's figure: the canvas view (PNG background + browser-drawn overlay) or a plain image
FIGURE = ".i2dl-figure, .widget-image"


#: close every document of the JupyterLab in the page (tests save nothing: a notebook Run All changed is closed
#: without asking); false when the page holds no JupyterLab that exposes its app
_CLOSE_ALL_JS = """() => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return false;
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.context && w.context.model) w.context.model.dirty = false;
    w.dispose();
  }
  return true;
}"""


def open_notebook(page, base_url: str, name: str) -> None:
    """Open ``name`` with no other document open and wait until its kernel is idle. A page already showing
    this server's JupyterLab opens it there (``leave_lab`` closed the last notebook): loading JupyterLab again
    costs the browser seconds of CPU per notebook; otherwise in a fresh workspace."""
    if page.url.startswith(f"{base_url}/lab") and page.evaluate(_CLOSE_ALL_JS):
        page.evaluate("(path) => window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'})",
                      name)
    else:
        page.goto(f"{base_url}/lab/tree/{name}?reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_selector(_IDLE, timeout=90_000)
    # the status bar says "Python 3 (ipykernel) | Idle" once the kernel is connected
    page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=90_000)


def leave_lab(page, server) -> None:
    """After a test in ``server``'s JupyterLab: close its documents (or leave the page) and stop its kernels."""
    try:
        closed = page.url.startswith(server.url) and page.evaluate(_CLOSE_ALL_JS)
    except Exception:  # a page that failed mid-test
        closed = False
    if not closed:
        page.goto("about:blank")
    server.shutdown_kernels()


def open_and_run_cells(page, base_url: str, workdir, name: str, cells: list[str]) -> dict:
    """Write a notebook ``name`` made of the code ``cells`` into the served ``workdir``,
    open it, Run All, and fail if any cell shows an error."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, workdir / name)
    open_notebook(page, base_url, name)
    run = run_all(page)
    errors = shown_errors(page)
    assert not errors, errors
    return run


def _click_run_all(page) -> None:
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")


def run_all(page, timeout: float = 240.0, expected_errors: list[int] = ()) -> dict:
    """Run > Run All Cells; wait until every code cell has run (or one failed)."""
    _click_run_all(page)
    start = time.monotonic()
    retried = False
    while True:
        prompts = page.evaluate(_PROMPTS_JS)
        busy = any("*" in p for p in prompts)
        done = prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        idle = page.locator(_IDLE).count() > 0
        if idle and not busy and (done or page.evaluate(_ERRORS_JS, list(expected_errors))):
            # let comm messages (widget views) settle
            page.wait_for_timeout(500)
            return {"seconds": time.monotonic() - start, "prompts": prompts}
        untouched = all(p == "[ ]:" for p in prompts)
        if untouched and not retried and time.monotonic() - start > 10:
            _click_run_all(page)  # the first click can land before the kernel connection is ready
            retried = True
        stalled = time.monotonic() - start > 30 and untouched
        if stalled or time.monotonic() - start > timeout:
            raise TimeoutError(f"Run All did not finish in {timeout:.0f} s; prompts: {prompts}")
        page.wait_for_timeout(250)


def shown_errors(page, expected_errors: list[int] = ()) -> list[str]:
    """Errors shown by cells, except in the cells (indices among all cells) meant to raise."""
    return page.evaluate(_ERRORS_JS, list(expected_errors))


def overflowing_outputs(page) -> list[dict]:
    """Outputs (cell index, element, widths in px) wider than the notebook column they sit in."""
    return page.evaluate(_OVERFLOW_JS)


def cells_meant_to_raise(path) -> list[int]:
    """Indices of the cells tagged ``raises-exception`` (they show a traceback on purpose)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [i for i, cell in enumerate(nb.cells) if "raises-exception" in cell.get("metadata", {}).get("tags", [])]


@dataclass
class ExplorerView:
    """An explorer as displayed in a page: the output that holds its image and status line."""

    page: object
    root: object  # a Locator around the explorer's widgets

    @classmethod
    def in_cell(cls, page, source_snippet: str) -> "ExplorerView":
        """The explorer shown by the code cell whose source contains ``source_snippet``."""
        cell = page.locator(".jp-CodeCell").filter(has=page.locator(FIGURE)).filter(has_text=source_snippet)
        count = cell.count()
        assert count == 1, f"expected one code cell with {source_snippet!r} showing an image, found {count}"
        return cls(page, cell.locator(".jp-OutputArea-output").filter(has=page.locator(FIGURE)).first)

    def slider(self, label: str):
        found = self.root.locator(".widget-slider").filter(has=self.page.locator(".widget-label", has_text=label))
        assert found.count() == 1, f"expected one slider labelled {label!r}, found {found.count()}"
        return found

    def readout(self, label: str) -> str:
        return self.slider(label).locator(".widget-readout").inner_text().strip()

    def value(self, label: str) -> float:
        """The slider's readout as a number (the front end writes minus as U+2212)."""
        return float(self.readout(label).replace("\u2212", "-"))

    def status(self) -> str:
        return self.root.locator(".i2dl-status").inner_text().strip()

    def error(self) -> str:
        box = self.root.locator(".i2dl-error")
        return box.inner_text().strip() if box.count() else ""

    @property
    def image(self):
        return self.root.locator(FIGURE).first

    def frame_id(self) -> str:
        """Changes whenever the figure shows a new frame (the canvas view counts its paints)."""
        return self.image.evaluate("el => el.dataset.frame || el.getAttribute('src') || ''")

    def image_pixels(self) -> bytes:
        return self.image.screenshot()

    def type_value(self, label: str, text: str) -> None:
        """Type ``text`` into the slider's readout and press Enter."""
        readout = self.slider(label).locator(".widget-readout")
        readout.fill(text)
        readout.press("Enter")

    def press(self, label: str, key: str, times: int = 1) -> None:
        """Focus the slider handle and press ``key`` (e.g. ArrowRight) ``times`` times."""
        handle = self.slider(label).locator(".noUi-handle")
        handle.focus()
        for _ in range(times):
            self.page.keyboard.press(key)

    def wait_until(self, predicate, what: str, timeout: float = 15.0):
        """Poll ``predicate(self)`` until it is truthy; fail naming ``what`` and the state seen."""
        start = time.monotonic()
        while True:
            value = predicate(self)
            if value:
                return value
            if time.monotonic() - start > timeout:
                readouts = self.root.locator(".widget-slider").all_inner_texts()
                raise AssertionError(f"timed out waiting for {what}; status: {self.status()!r}, "
                                     f"error: {self.error()!r}, sliders: {readouts}")
            self.page.wait_for_timeout(50)


#: Records, for every key press and every new frame under ``root``, when it happened, when the
#: frame was decoded and the next animation frame after that (≈ on screen). A frame is a new or
#: changed <img> (image view, interact) or a paint of the canvas view (its data-frame counts up;
#: it paints after decoding any new background, so "set" and "decoded" coincide there).
_LATENCY_JS = r"""
(root) => {
  const st = window.__i2dlLatency = {down: [], shown: []};
  document.addEventListener('keydown', e => {
    if (e.key.startsWith('Arrow')) st.down.push(performance.now());
  }, true);
  const onScreen = (set, decoded) =>
    requestAnimationFrame(() => st.shown.push({set, decoded, frame: performance.now()}));
  const hook = img => {
    if (img.closest('.i2dl-figure')) return;  // the canvas view reports its own paints
    const set = performance.now();
    const done = () => onScreen(set, performance.now());
    (img.decode ? img.decode() : Promise.resolve()).then(done, done);
  };
  new MutationObserver(mutations => {
    for (const m of mutations) {
      if (m.type === 'attributes' && m.attributeName === 'data-frame') {
        const now = performance.now();
        onScreen(now, now);
      } else if (m.type === 'attributes' && m.target.tagName === 'IMG') hook(m.target);
      for (const n of m.addedNodes || []) {
        if (n.nodeType !== 1) continue;
        if (n.tagName === 'IMG') hook(n); else n.querySelectorAll('img').forEach(hook);
      }
    }
  }).observe(root, {subtree: true, childList: true, attributes: true, attributeFilter: ['src', 'data-frame']});
}
"""


#: one of each kind of view the course's explorers use, as notebook cells: the page steps it (canvas), the kernel steps it (canvas, a
#: scene switched off), the image renderer, the basin map the page computes (benchmarks/slider_latency.py times
#: these against a plain ``interact``)
VIEW_CELLS = {
    "explorer 1D": '''from i2dl_helpers.widgets import BasinExplorer, GradientDescent1D
gd1 = GradientDescent1D("quadratic", lr=0.1, x0=1.5, steps=50)  # explorer 1D
gd1''',
    "kernel 1D": '''class KernelStepped1D(GradientDescent1D):
    SCENE = None  # every frame computed by the kernel
gd1k = KernelStepped1D("quadratic", lr=0.1, x0=1.5, steps=50)  # kernel 1D
gd1k''',
    "explorer image 1D": '''gd1i = GradientDescent1D("quadratic", lr=0.1, x0=1.5, steps=50, renderer="image")  # explorer image 1D
gd1i''',
    "explorer basins": '''bx = BasinExplorer("himmelblau", lr=0.01, steps=100, n=200)  # explorer basins
bx''',
}

def measure_slider_latency(view: ExplorerView, label: str, presses: int = 30) -> dict:
    """Press ArrowRight/ArrowLeft on a slider ``presses`` times (half each way), waiting for the
    new image each time. Returns per-press times in ms: keydown → new src / new <img> ("to_src"),
    → decoded ("to_decoded"), → next frame ("total")."""
    page = view.page
    view.root.evaluate(_LATENCY_JS)
    handle = view.slider(label).locator(".noUi-handle")
    handle.focus()
    page.wait_for_timeout(300)
    for i in range(presses):
        seen = page.evaluate("() => window.__i2dlLatency.shown.length")
        page.keyboard.press("ArrowRight" if i < presses // 2 else "ArrowLeft")
        page.wait_for_function("n => window.__i2dlLatency.shown.length > n", arg=seen, timeout=15_000)
        page.wait_for_timeout(60)  # let late messages (echoes) settle before the next press
    data = page.evaluate("() => window.__i2dlLatency")
    rows = []
    for down in data["down"]:
        after = [s for s in data["shown"] if s["set"] >= down]
        if after:
            first = min(after, key=lambda s: s["set"])
            rows.append({"to_src": first["set"] - down, "to_decoded": first["decoded"] - down,
                         "total": first["frame"] - down})
    return {"presses": len(data["down"]), "images": len(data["shown"]), "rows": rows}


#: an explorer's figure as the reader sees it, at its own pixel size: the background PNG with (if
#: ``withOverlay``) the overlay canvas drawn on top, scaled back from width × devicePixelRatio pixels
COMPOSITE_JS = r"""
(root, withOverlay) => {
  const img = root.querySelector('img.i2dl-figure-background');
  const overlay = root.querySelector('canvas.i2dl-figure-overlay');
  const out = document.createElement('canvas');
  out.width = img.naturalWidth; out.height = img.naturalHeight;
  const g = out.getContext('2d');
  g.drawImage(img, 0, 0);
  if (withOverlay) g.drawImage(overlay, 0, 0, out.width, out.height);
  return out.toDataURL('image/png');
}
"""


def run_without_eval(browser, script: str, result_js: str):
    """Run the module ``script`` in a blank page whose security policy forbids ``new Function``
    (``script-src 'unsafe-inline'`` only) and return ``(blocked, result)``: whether the page did
    forbid it (the script sets ``window.blocked``) and the value of ``result_js``."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<!doctype html><html><head><meta http-equiv="Content-Security-Policy" '
                         "content=\"script-src 'unsafe-inline'\"></head><body></body></html>")
        page.add_script_tag(content=script, type="module")
        page.wait_for_function("() => window.result !== undefined")
        return page.evaluate(f"() => [window.blocked, {result_js}]")
    finally:
        context.close()


# -- accessibility: axe-core ----------------------------------------------------------------------
#: the WCAG 2.0 and 2.1 success criteria of levels A and AA (axe's tags for them)
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: the impacts that fail a test (axe's "moderate" and "minor" are reported, not failed)
AXE_FAILING = ("serious", "critical")

_AXE_RUN_JS = r"""
async ([include, exclude, tags, disabled]) => {
  const context = include ? {include: include.map(s => [s]), exclude: exclude.map(s => [s])}
                          : {exclude: exclude.map(s => [s])};
  const rules = Object.fromEntries(disabled.map(id => [id, {enabled: false}]));
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations'],
                                         elementRef: true});
  // ours: the node is inside a notebook's output area (what the course puts on a JupyterLab page)
  const ours = (el) => !!(el && el.closest && el.closest('.jp-OutputArea-output'));
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 240),
                              summary: (n.failureSummary || '').slice(0, 400), in_output: ours(n.element)}))}));
}
"""


def axe_violations(page, include: list[str] | None = None, exclude: list[str] = (),
                   disabled: list[str] = ()) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A + AA violations on ``page`` (inside the CSS selectors ``include``,
    default the whole document, minus ``exclude``; rules ``disabled`` not run): a list of
    ``{id, impact, help, nodes: [{target, html, summary, in_output}]}`` (``in_output``: the node is
    inside a notebook's output area, i.e. the course's content on a JupyterLab page). axe-core comes from the npm registry
    (``site_tools.axe_source``) and is injected into the page once."""
    from site_tools import axe_source

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate(_AXE_RUN_JS, [list(include) if include else None, list(exclude), list(AXE_TAGS),
                                       list(disabled)])


def axe_counts(violations: list[dict]) -> dict[str, int]:
    """{"rule (impact)": nodes} of ``axe_violations``' result."""
    return {f"{v['id']} ({v['impact']})": len(v["nodes"]) for v in violations}


def failing(violations: list[dict]) -> list[dict]:
    """The serious and critical ones."""
    return [v for v in violations if v["impact"] in AXE_FAILING]


def describe_violations(violations: list[dict], nodes: int = 3) -> str:
    """A readable report: each rule with its impact, node count and the first ``nodes`` nodes."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        for n in v["nodes"][:nodes]:
            lines.append(f"    {n['target']}: {n['html'][:160]}")
            if n["summary"]:
                lines.append("      " + n["summary"].replace("\n", " ")[:300])
    return "\n".join(lines)


#: JupyterLab: axe looks inside the notebook's outputs only, what the course puts on the page.
#: JupyterLab's own interface has violations that are upstream, not the course's (axe-core 4.14.1 on
#: JupyterLab 4): aria-allowed-attr (critical: ``aria-pressed`` on the toolbars' ``jp-button``s, also
#: those of the Voilà, nbgrader and debugger extensions), aria-input-field-name (serious: the CodeMirror
#: editors' ``.cm-content`` textboxes have no name), aria-required-children (critical: the cell list,
#: ``role="feed"``, holds cells that are not articles). test_accessibility checks that none of the whole
#: page's serious or critical nodes lies inside an output area.
JUPYTERLAB_SCOPE = (".jp-Notebook .jp-OutputArea-output",)
#: elements inside the outputs left out, with the reason (none needed so far)
JUPYTERLAB_EXCLUDED: dict[str, str] = {}


def assert_outputs_accessible(page, name: str) -> dict:
    """axe-core on the outputs of the notebook open in ``page`` (JupyterLab, after Run All): fail on a
    serious or critical violation; the counts of all (by rule and impact) are returned and kept in
    test-artifacts/axe-jupyterlab.json. test_jupyterlab.py calls it for every notebook."""
    import json

    from .conftest import ARTIFACTS

    found = axe_violations(page, include=JUPYTERLAB_SCOPE, exclude=list(JUPYTERLAB_EXCLUDED))
    counts = axe_counts(found)
    ARTIFACTS.mkdir(exist_ok=True)
    record = ARTIFACTS / "axe-jupyterlab.json"
    known = json.loads(record.read_text()) if record.exists() else {}
    known[name] = counts
    record.write_text(json.dumps(known, indent=1, ensure_ascii=False))
    bad = failing(found)
    assert not bad, f"{name}: axe-core finds serious or critical violations in the outputs:\n" + \
        describe_violations(bad)
    return counts


def rerun_cell(page, snippet: str, marker: str, timeout: float = 30.0) -> str:
    """Run the code cell whose source contains ``snippet`` again (click into it, Shift+Enter) and
    return the first line of its new output that starts with ``marker`` (without the marker)."""
    cell = page.locator(".jp-CodeCell").filter(has_text=snippet).last
    out = cell.locator(".jp-OutputArea-output")
    before = out.inner_text() if out.count() else ""
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        text = out.inner_text() if out.count() else ""
        if marker in text and text != before:
            return text.split(marker, 1)[1].strip().splitlines()[0]
        page.wait_for_timeout(100)
    raise TimeoutError(f"the cell with {snippet!r} printed no new {marker!r} line; it shows {before!r}")
