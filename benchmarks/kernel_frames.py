"""Key press → new frame for the explorers that need the kernel: Nagle's algorithm, TCP_NODELAY, and
TCP_NODELAY with frames drawn ahead, side by side.

Issue 24, item 4. Starts three JupyterLab servers side by side (as the browser tests do: a temporary
copy of the notebooks, their own settings): "nagle" WITHOUT the course's server extension
``i2dl_helpers_server`` (``--ServerApp.jpserver_extensions=i2dl_helpers_server=False``: jupyter_server
leaves Nagle's algorithm on) and without frames drawn ahead (``I2DL_FRAMES_AHEAD=0`` in the kernels'
environment: the page asks the kernel for every frame), "nodelay" WITH the extension (TCP_NODELAY on
kernel websockets) and still no frames drawn ahead, and "ahead" with both (``Explorer.AHEAD``: when the
reader reaches for the slider, the kernel draws all its frames and the page shows them itself; the presses
start once they are in, and the time they took after the focus is printed). It drives Chromium through
Playwright. For each explorer below, and each server in turn (the same explorer in the three, one after
the other, so all see the same load), it opens a short copy of the explorer's notebook (its first code cell, the
imports, the cells the explorer needs and the explorer's cell; ``--whole`` runs the whole notebook
instead), runs it, and presses the arrow keys on the explorer's first slider ``--presses`` times (right
until the slider's end, then back: every press a new value), waiting for the new frame each time. Per
press it records keydown → the next animation frame after the new frame is painted (the canvas view's
paint, or a new <img> decoded: ``pagetools._LATENCY_JS``) and the comm bytes the kernel sent back.

Then a cell run in the same kernel times the explorer's own compute for the same values: its ``_update``
(the explorer's compute) and the whole update that a slider move triggers there (``_update`` + putting
the frame into messages), without the browser. Goal (issue 24): median ≤ 25 ms, or ≤ the explorer's own
compute (``_update``) + 10 ms where that is longer; the browser-stepped explorer (notebook 02's
``GradientDescent1D``) must not get slower.

    python benchmarks/kernel_frames.py [--presses 20] [--only 06,08] [--whole]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import (CHROMIUM_FLAGS, NODELAY_ON, chromium_path, start_jupyterlab,  # noqa: E402
                                    stop_process_group)
from tests.browser.pagetools import (_LATENCY_JS, ExplorerView, cells_meant_to_raise, open_notebook,  # noqa: E402
                                     rerun_cell, run_all)

NOTEBOOKS = ROOT / "notebooks"
WITHOUT = "--ServerApp.jpserver_extensions=i2dl_helpers_server=False"
WITH = NODELAY_ON
#: (name, server extension flag, kernels' environment)
MODES = (("nagle", WITHOUT, {"I2DL_FRAMES_AHEAD": "0"}), ("nodelay", WITH, {"I2DL_FRAMES_AHEAD": "0"}),
         ("ahead", WITH, {}))
GOAL_MS, MARGIN_MS = 25.0, 10.0


@dataclass
class Case:
    key: str          # the name in the table
    notebook: str     # its file in notebooks/
    cls: str          # the explorer's class: its cell is the one with "<var> = <cls>("
    label: str        # the first slider's label (a unique part of it)
    kernel: bool = True      # stepped by the kernel (False: by the browser, for the no-regression check)
    needs: tuple = ()        # snippets of the other cells the explorer needs (besides the first code cell)
    ahead: bool = False      # its slider's frames are drawn ahead (Explorer.AHEAD) once the reader reaches for it
    near: bool = False       # only a window one press away each side, drawn again after each move (AHEAD_NEAR)
    var: str = ""            # the explorer's variable in the notebook (found by slim_notebook)


CASES = [
    Case("01 backprop", "01_compute_graphs_backprop.ipynb", "BackpropStepper", "step", needs=("L = (y_hat",),
         ahead=True),
    Case("01 network shape", "01_compute_graphs_backprop.ipynb", "NetworkShape", "width", ahead=True),
    Case("05 line search", "05_gd_neural_networks_line_search.ipynb", "LineSearchExplorer", "step k", ahead=True),
    Case("06 SGD", "06_stochastic_gradient_descent.ipynb", "SGDExplorer", "learning rate", ahead=True, near=True),
    Case("08 training", "08_training_on_real_data.ipynb", "TrainingExplorer", "learning rate", ahead=True,
         near=True),
    Case("09 staleness", "09_data_parallel_sgd.ipynb", "StalenessExplorer", "staleness", ahead=True),
    Case("02 GD 1D (browser)", "02_gradient_descent_1d.ipynb", "GradientDescent1D", "learning rate", kernel=False),
]

#: run in the kernel after the presses: the same zigzag of values as the page's arrow keys, timing the
#: explorer's ``_update`` and the whole update (``control.value = v``: _update + the frame's messages)
COMPUTE_CELL = r'''import json as _json, time as _time, math as _math, i2dl_helpers as _pkg  # kernel compute
import ipywidgets as _w

def _zigzag(c, n):
    """the values n arrow presses give, right until the end, then back (as the benchmark presses)"""
    if isinstance(c, _w.SelectionSlider):
        i, hi, pos = c.index, len(c.options) - 1, lambda i: c.options[i]
    elif isinstance(c, _w.FloatLogSlider):
        i, hi = round((_math.log(c.value, c.base) - c.min) / c.step), round((c.max - c.min) / c.step)
        pos = lambda i: c.base ** (c.min + i * c.step)
    else:
        i, hi = round((c.value - c.min) / c.step), round((c.max - c.min) / c.step)
        pos = lambda i: type(c.value)(c.min + i * c.step)
    out, d = [], 1
    for _ in range(n):
        if (d > 0 and i >= hi) or (d < 0 and i <= 0):
            d = -d
        i += d
        out.append(pos(i))
    return out

def _time_updates(ex, name, n, first):
    c, times, orig = ex.controls[name], [], ex._update
    c.value = first  # where the page's presses started
    def timed(changed):
        t = _time.perf_counter()
        try:
            return orig(changed)
        finally:
            times.append(1e3 * (_time.perf_counter() - t))
    start, whole = c.value, []
    ex._update = timed
    try:
        for v in _zigzag(c, n) * 2:  # twice: the first pass warms caches as the page's presses did
            t = _time.perf_counter()
            c.value = v
            whole.append(1e3 * (_time.perf_counter() - t))
    finally:
        del ex._update
        c.value = start
    half = len(whole) // 2
    return {"update_ms": sorted(times[half:])[len(times[half:]) // 2], "whole_ms": sorted(whole[half:])[half // 2],
            "package": _pkg.__file__}

_runs = globals().setdefault("_frames_runs", {})
_runs.setdefault(%(key)r, %(var)s.controls[_name].value)  # Run All: the slider's first value
_count = globals().setdefault("_frames_count", {})
_count[%(key)r] = _count.get(%(key)r, 0) + 1
if _count[%(key)r] > 1:  # not during Run All: after the page's presses
    print("COMPUTE " + _json.dumps(_time_updates(%(var)s, _name, %(n)d, _runs[%(key)r])))'''


def slim_notebook(case_list: list[Case], folder: Path, whole: bool, presses: int) -> Path:
    """A copy of the cases' notebook: its first code cell, the cells they need and the explorers' cells
    (``whole``: every cell), plus one compute cell per explorer."""
    nb = nbformat.read(NOTEBOOKS / case_list[0].notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not whole:
        keep = [code[0]]
        for case in case_list:
            keep += [c for c in code if any(s in c.source for s in case.needs)]
            keep.append(explorer_cell(code, case))
        nb.cells = [c for i, c in enumerate(keep) if c not in keep[:i]]
    for case in case_list:
        var = case.var = explorer_var(explorer_cell(code, case), case)
        nb.cells.append(nbformat.v4.new_code_cell(  # the control: found by its label
            f"# compute: {case.key}\n_name = next(k for k, c in {var}.controls.items() if {case.label!r} in (getattr(c, 'description', '') or ''))\n"
            + COMPUTE_CELL % {"var": var, "n": presses, "key": case.key}))
    out = folder / f"frames_{case_list[0].notebook}"
    nbformat.write(nb, out)
    return out


def explorer_cell(code, case: Case):
    found = [c for c in code if re.search(rf"^\w+ = {case.cls}\(", c.source, re.M)]
    assert found, f"{case.notebook}: no cell creates a {case.cls}"
    return found[0]


def explorer_var(cell, case: Case) -> str:
    return re.search(rf"^(\w+) = {case.cls}\(", cell.source, re.M).group(1)


def start_lab(folder: Path, tmp: Path, extension: str, env: dict):
    """JupyterLab serving ``folder`` as the browser tests start it (tests/browser/conftest.py); (process, URL)."""
    proc, port, _ = start_jupyterlab(folder, tmp, extension, OPENBLAS_NUM_THREADS="1", **env)
    return proc, f"http://127.0.0.1:{port}"


class CommBytes:
    """Bytes of comm messages the kernel sent to the page (its websocket frames), while ``on``."""

    def __init__(self, page):
        self.bytes = self.messages = 0
        self.on = False
        page.on("websocket", lambda ws: ws.on("framereceived", self._count))

    def _count(self, payload):
        data = payload if isinstance(payload, bytes) else str(payload).encode()
        if self.on and b"comm_msg" in data:
            self.bytes += len(data)
            self.messages += 1


_ARIA = "h => [h.getAttribute('aria-valuenow'), h.getAttribute('aria-valuemin'), h.getAttribute('aria-valuemax')]"


def press_and_time(view: ExplorerView, label: str, presses: int, comms: CommBytes, ahead: bool = False,
                   near: bool = False) -> dict:
    """``presses`` arrow keys (right until the slider's end, then left), each waiting for its frame. With
    ``ahead``, the presses start once the frames drawn ahead are in (the focus asked for them; timed). With
    ``near`` (a window of frames one press away, ``Explorer.AHEAD_NEAR``), each press waits for the window
    around the value before it, as a reader who looks at each frame before the next press (the time from a
    press to its window is recorded: the pace at which every press is shown at once)."""
    page = view.page
    view.root.evaluate(_LATENCY_JS)
    handle = view.slider(label).locator(".noUi-handle")
    t0 = time.perf_counter()
    handle.focus()
    ahead_ms = None
    if ahead:
        view.image.wait_for(state="attached")
        page.wait_for_function("el => el.dataset.scene === 'ahead'", arg=view.image.element_handle(), timeout=60_000)
        ahead_ms = 1e3 * (time.perf_counter() - t0)
    page.wait_for_timeout(500)
    comms.bytes = comms.messages = 0
    comms.on, direction, windows = True, 1, []
    el = view.image.element_handle() if near else None
    for _ in range(presses):
        if near:  # the window around the value shown (it follows each press)
            page.wait_for_function("el => el.dataset.scene === 'ahead' && el.dataset.window !== ''", arg=el,
                                   timeout=15_000)
            centre = el.evaluate("el => el.dataset.window")
            t_press = time.perf_counter()
        now, lo, hi = (float(v) for v in handle.evaluate(_ARIA))
        if (direction > 0 and now >= hi - 1e-9) or (direction < 0 and now <= lo + 1e-9):
            direction = -direction
        seen = page.evaluate("() => window.__i2dlLatency.shown.length")
        page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
        page.wait_for_function("n => window.__i2dlLatency.shown.length > n", arg=seen, timeout=15_000)
        page.wait_for_timeout(80)  # late messages (the status line, echoes) before the next press
        if near:
            page.wait_for_function("([el, c]) => el.dataset.window !== c", arg=[el, centre], timeout=30_000)
            windows.append(1e3 * (time.perf_counter() - t_press))
    page.wait_for_timeout(300)
    comms.on = False
    data = page.evaluate("() => window.__i2dlLatency")
    totals = []
    for down in data["down"]:
        after = [s for s in data["shown"] if s["set"] >= down]
        if after:
            totals.append(min(after, key=lambda s: s["set"])["frame"] - down)
    return {"presses": len(data["down"]), "frames_ms": totals, "kB_per_press": comms.bytes / 1e3 / presses,
            "msgs_per_press": comms.messages / presses, "ahead_ms": ahead_ms,
            "window_ms": float(np.median(windows)) if windows else None}


def measure_notebook(page, base: str, path: Path, case_list: list[Case], presses: int, comms: CommBytes,
                     ahead: bool) -> dict:
    open_notebook(page, base, path.name)
    run_all(page, expected_errors=cells_meant_to_raise(path))
    results = {}
    for case in case_list:
        view = ExplorerView.in_cell(page, f"{case.var} = {case.cls}(")
        view.root.scroll_into_view_if_needed()
        r = press_and_time(view, case.label, presses, comms, ahead and case.ahead, ahead and case.near)
        # the compute cell: the same number of values as the page pressed
        r.update(json.loads(rerun_cell(page, f"# compute: {case.key}", "COMPUTE ", timeout=120)))
        results[case.key] = r
    page.goto("about:blank")
    for kernel in api(base + "/api/kernels"):
        api(f"{base}/api/kernels/{kernel['id']}", "DELETE")
    return results


def api(url: str, method: str = "GET"):
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def verdict(case: Case, r: dict, baseline: dict | None) -> str:
    med = float(np.median(r["frames_ms"]))
    if not case.kernel:
        if baseline is None:
            return ""
        ok = med <= 1.2 * float(np.median(baseline["frames_ms"])) + 2
        return "no regression" if ok else "SLOWER than with Nagle and no frames ahead"
    limit = max(GOAL_MS, r["update_ms"] + MARGIN_MS)
    return f"{'met' if med <= limit else 'NOT met'} (≤ {limit:.0f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--only", default="", help="notebook numbers, e.g. 06,08")
    parser.add_argument("--whole", action="store_true", help="run the whole notebooks, not their short copies")
    args = parser.parse_args()
    if chromium_path() is None:
        sys.exit("needs Chromium (apt-get install chromium) and Playwright")
    from playwright.sync_api import sync_playwright

    cases = [c for c in CASES if not args.only or c.key[:2] in args.only.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="i2dl-kernel-frames-"))
    folder = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.notebook, []).append(case)
    paths = {nb: slim_notebook(group, folder, args.whole, args.presses) for nb, group in groups.items()}
    servers = {}
    results: dict[str, dict] = {mode: {} for mode, _, _ in MODES}
    load = []
    t0 = time.monotonic()
    try:
        for mode, flag, env in MODES:
            servers[mode] = start_lab(folder, tmp / f"jupyter-{mode}", flag, env)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(60_000)
            comms = CommBytes(page)
            for nb, group in groups.items():
                for mode, _, env in MODES:  # the same notebook in each, one after the other
                    load.append(os.getloadavg()[0])
                    results[mode].update(measure_notebook(page, servers[mode][1], paths[nb], group,
                                                          args.presses, comms, ahead=not env))
            browser.close()
    finally:
        for proc, _ in servers.values():
            stop_process_group(proc)
        loaded = {mode: "kernel websockets send without delay" in (tmp / f"jupyter-{mode}" / "server.log").read_text()
                  for mode in servers}
        shutil.rmtree(tmp, ignore_errors=True)
    report(cases, results, args, load, time.monotonic() - t0)
    print("the extension loaded (its line in the server's log): " + ", ".join(f"{m}: {'yes' if v else 'no'}"
                                                                          for m, v in loaded.items()))


def report(cases, results, args, load, seconds) -> None:
    print(f"\nkey press -> new frame in JupyterLab (Chromium), {args.presses} arrow presses per explorer, "
          f"one at a time; {'whole' if args.whole else 'short copies of the'} notebooks; "
          f"load average (1 min) during the run {min(load):.2f}-{max(load):.2f} on {os.cpu_count()} cores, "
          f"{seconds:.0f} s")
    print(f"kernel imports i2dl_helpers from {next(iter(results['ahead'].values()))['package']}")
    print(f"{'explorer (first slider)':26s} {'Nagle':>15s} {'TCP_NODELAY':>15s} {'+ frames ahead':>15s} "
          f"{'_update':>8s} {'whole upd.':>10s} {'kB/press':>8s}  verdict")
    print(f"{'':26s} {'median / p90 ms':>15s} {'median / p90 ms':>15s} {'median / p90 ms':>15s} {'ms':>8s} {'ms':>10s}")
    for case in cases:
        rows = [results[mode].get(case.key) for mode, _, _ in MODES]
        if None in rows:
            continue
        nagle, _, after = rows
        cols = [f"{np.median(r['frames_ms']):.1f} / {np.percentile(r['frames_ms'], 90):.1f}" for r in rows]
        note = f"  (frames drawn ahead in {after['ahead_ms']:.0f} ms after the focus)" if after.get("ahead_ms") else ""
        if after.get("window_ms"):
            note = (f"  (first window {after['ahead_ms']:.0f} ms after the focus; each next window "
                    f"{after['window_ms']:.0f} ms after its press, median)")
        print(f"{case.key + ' (' + case.label + ')':26s} {cols[0]:>15s} {cols[1]:>15s} {cols[2]:>15s} "
              f"{after['update_ms']:8.1f} {after['whole_ms']:10.1f} {after['kB_per_press']:8.1f}  "
              f"{verdict(case, after, nagle)}{note}")
    print("_update: the explorer's own compute per value, timed in the kernel for the same values; whole upd.: "
          "a value set from code (_update + the frame's messages); kB/press: comm bytes the kernel sent per press")
    print(f"goal (issue 24): median ≤ {GOAL_MS:.0f} ms, or ≤ _update + {MARGIN_MS:.0f} ms where that is longer; "
          "the browser-stepped explorer no slower than with Nagle")


if __name__ == "__main__":
    main()
