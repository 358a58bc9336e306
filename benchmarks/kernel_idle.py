"""Kernel CPU per key press while the page steps an explorer itself: before and after the kernel rests.

Starts JupyterLab (as the browser tests do: a temporary copy of the notebooks, the course's server
extension) and drives Chromium through Playwright. In notebook 02, after Run All, the learning-rate
slider of the GD explorer is set to 0.01 (typed into its readout) and then gets 60 ArrowRight key
presses at 30 a second (α from 0.01 to 10, every press a new value). The kernel's CPU time (every
thread of the kernel process, /proc/PID/task/*/schedstat, in ns; psutil's 10 ms ticks elsewhere) is
read before the first press and 1.5 s after the last, once the page has settled. Three runs, one kernel each, in this order:

* ``before``: notebook 02 with ``Explorer.rest_while_page_steps = False`` in a first cell: the page
  sends every value and the kernel computes and sends every frame, as before issue 24's item 3;
* ``after``:  notebook 02 as it is: the page coalesces the values it sends while it steps, and the
  kernel computes only when the slider settles (``widgets/coalesce.js``, ``widgets/resting.py``);
* ``bare``:   a plain ``ipywidgets.FloatLogSlider`` with no observer, for reference (what a slider
  costs the kernel per value it receives, whatever is done with it).

Each run also measures the kernel at rest over as long a window (its heartbeat and polling), counts
the comm messages the page sent and received in the window, and, for the explorers, checks the
kernel's state after the burst (a cell printing ``gd``'s α and status, run with Shift+Enter) against
the explorer's own result for α = 10. Goal (issue 24, item 3): ≤ 0.5 ms of kernel CPU per press.

    python benchmarks/kernel_idle.py [--presses 60] [--rate 30]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import (CHROMIUM_FLAGS, chromium_path, start_jupyterlab,  # noqa: E402
                                    stop_process_group)
from tests.browser.pagetools import ExplorerView, cells_meant_to_raise, open_notebook, run_all  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "02_gradient_descent_1d.ipynb"
START_LR, LOG_STEP = 0.01, 0.05
STATE_CELL = ('import json, i2dl_helpers  # kernel state\n'
              'print("STATE " + json.dumps({"lr": gd.controls["lr"].value, "status": gd.status_text, '
              '"steps": int(gd.trajectory.points.shape[0]) - 1, "x0": gd.controls["x0"].value, '
              '"n": gd.controls["steps"].value, "package": i2dl_helpers.__file__}))')
BEFORE_CELL = ("from i2dl_helpers.widgets.base import Explorer\n"
               "Explorer.rest_while_page_steps = False  # before: every value sent and computed")
BARE_CELLS = ["import ipywidgets as widgets, i2dl_helpers\nprint('PACKAGE', i2dl_helpers.__file__)",
              "slider = widgets.FloatLogSlider(value=0.5, base=10, min=-3, max=1, step=0.05, "
              "description='learning rate α')\nslider"]


def notebooks(folder: Path) -> dict[str, Path]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(STATE_CELL))
    paths = {"after": folder / "02_after.ipynb", "before": folder / "02_before.ipynb", "bare": folder / "bare.ipynb"}
    nbformat.write(nb, paths["after"])
    nb.cells.insert(0, nbformat.v4.new_code_cell(BEFORE_CELL))
    nbformat.write(nb, paths["before"])
    bare = nbformat.v4.new_notebook()
    bare.cells = [nbformat.v4.new_code_cell(src) for src in BARE_CELLS]
    bare.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(bare, paths["bare"])
    return paths


def start_lab(folder: Path, tmp: Path):
    """JupyterLab serving ``folder`` as the browser tests start it (tests/browser/conftest.py); (process, URL)."""
    proc, port, _ = start_jupyterlab(folder, tmp, OPENBLAS_NUM_THREADS="1")
    return proc, f"http://127.0.0.1:{port}"


def api(url: str, method: str = "GET"):
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def kernel_process(base: str) -> psutil.Process:
    """The process of the one running kernel (found by its connection file's name)."""
    kernels = api(base + "/api/kernels")
    assert len(kernels) == 1, f"expected one kernel, found {len(kernels)}"
    tag = f"kernel-{kernels[0]['id']}.json"
    for proc in psutil.process_iter(["cmdline"]):
        if any(tag in part for part in proc.info["cmdline"] or ()):
            return proc
    raise RuntimeError(f"no process with {tag} in its command line")


def cpu_ms(proc: psutil.Process) -> float:
    """The kernel's CPU time so far, in ms: every thread's run time from /proc/PID/task/*/schedstat
    (nanoseconds), else psutil's user + system (clock ticks: 10 ms)."""
    total, tasks = 0, Path(f"/proc/{proc.pid}/task")
    try:
        for task in tasks.iterdir():
            total += int((task / "schedstat").read_text().split()[0])
        return total / 1e6
    except (OSError, ValueError, IndexError):
        t = proc.cpu_times()
        return 1e3 * (t.user + t.system)


class Frames:
    """Comm messages on the page's kernel websockets (sent by the page / received from the kernel)."""

    def __init__(self, page):
        self.sent = self.received = self.received_bytes = 0
        self.on = False
        page.on("websocket", self._attach)

    def _attach(self, ws):
        ws.on("framesent", lambda payload: self._count(payload, True))
        ws.on("framereceived", lambda payload: self._count(payload, False))

    def _count(self, payload, sent):
        data = payload if isinstance(payload, bytes) else str(payload).encode()
        if not self.on or b"comm_msg" not in data:
            return
        if sent:
            self.sent += 1
        else:
            self.received += 1
            self.received_bytes += len(data)

    def window(self):
        self.sent = self.received = self.received_bytes = 0
        self.on = True


def burst(page, view: ExplorerView, proc: psutil.Process, frames: Frames, presses: int, rate: float) -> dict:
    """CPU at rest over the burst's window, then the burst: ``presses`` ArrowRight at ``rate``/s.
    (Waits go through Playwright, which delivers the websocket events meanwhile.)"""
    handle = view.slider("learning rate").locator(".noUi-handle")
    handle.focus()
    window = presses / rate + 1.5
    page.wait_for_timeout(1500)
    rest0 = cpu_ms(proc)
    page.wait_for_timeout(1e3 * window)
    rest = cpu_ms(proc) - rest0
    frames.window()
    c0, t0 = cpu_ms(proc), time.monotonic()
    for i in range(presses):
        delay = t0 + i / rate - time.monotonic()
        if delay > 0.001:
            page.wait_for_timeout(1e3 * delay)
        page.keyboard.press("ArrowRight")
    pressed = time.monotonic() - t0
    page.wait_for_timeout(max(0.0, 1e3 * (t0 + window - time.monotonic())))
    spent = cpu_ms(proc) - c0
    page.wait_for_timeout(300)  # events still on their way to this process
    frames.on = False
    return {"cpu_ms": spent, "rest_ms": rest, "per_press": spent / presses,
            "per_press_net": (spent - rest) / presses, "sent": frames.sent, "received": frames.received,
            "kB": frames.received_bytes / 1e3, "rate": (presses - 1) / pressed}


def kernel_state(page) -> dict:
    """Run the last cell (Shift+Enter: the page settles first) and read the state it prints."""
    cell = page.locator(".jp-CodeCell").filter(has_text="# kernel state").last
    out = cell.locator(".jp-OutputArea-output")
    before = out.inner_text() if out.count() else ""
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = out.inner_text() if out.count() else ""
        if "STATE " in text and text != before:
            return json.loads(text.split("STATE ", 1)[1].strip().splitlines()[0])
        page.wait_for_timeout(100)
    page.screenshot(path="/tmp/kernel_idle_state.png")
    raise TimeoutError(f"the state cell printed nothing new: {before!r} -> {text!r}")


def expected_status(lr: float, x0: float, steps: int) -> str:
    from i2dl_helpers.widgets import GradientDescent1D

    twin = GradientDescent1D("quadratic", lr=lr, x0=x0, steps=steps, renderer="image")
    try:
        return twin.status_text
    finally:
        twin.close()


def run_mode(page, base: str, path: Path, mode: str, presses: int, rate: float, frames: Frames) -> dict:
    open_notebook(page, base, path.name)
    run_all(page, expected_errors=cells_meant_to_raise(path) if mode != "bare" else ())
    proc = kernel_process(base)
    if mode == "bare":
        cell = page.locator(".jp-CodeCell").filter(has=page.locator(".widget-slider"))
        view = ExplorerView(page, cell.locator(".jp-OutputArea-output").first)
        package = page.locator(".jp-CodeCell").first.locator(".jp-OutputArea-output").inner_text()
    else:
        view = ExplorerView.in_cell(page, "GradientDescent1D(")
        package = None
    view.root.scroll_into_view_if_needed()
    view.type_value("learning rate", str(START_LR))
    view.wait_until(lambda v: v.value("learning rate") == START_LR, f"α = {START_LR}")
    result = burst(page, view, proc, frames, presses, rate)
    lr = START_LR * 10 ** (LOG_STEP * presses)
    if mode != "bare":
        view.wait_until(lambda v: v.value("learning rate") == float(f"{lr:.4g}"), f"the readout to show {lr:.4g}")
        result["page_status"] = view.status()
        state = kernel_state(page)
        result["kernel"] = state
        package = state["package"]
        result["ok"] = (abs(state["lr"] - lr) < 1e-9 * lr and state["status"] == result["page_status"]
                        == expected_status(state["lr"], state["x0"], state["n"]))
    result["package"] = package
    page.goto("about:blank")
    for kernel in api(base + "/api/kernels"):
        api(f"{base}/api/kernels/{kernel['id']}", "DELETE")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--rate", type=float, default=30.0)
    args = parser.parse_args()
    if chromium_path() is None:
        sys.exit("needs Chromium (apt-get install chromium) and Playwright")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="i2dl-kernel-idle-"))
    folder = tmp / "notebooks"
    shutil.copytree(NOTEBOOK.parent, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    paths = notebooks(folder)
    proc, base = start_lab(folder, tmp / "jupyter")
    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(60_000)
            frames = Frames(page)
            for mode in ("before", "after", "bare"):
                results[mode] = run_mode(page, base, paths[mode], mode, args.presses, args.rate, frames)
            browser.close()
    finally:
        stop_process_group(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nkernel CPU while the learning-rate slider of notebook 02 gets {args.presses} key presses "
          f"at {args.rate:g}/s in JupyterLab (α {START_LR} -> {START_LR * 10 ** (LOG_STEP * args.presses):g})")
    print(f"kernel imports i2dl_helpers from {results['after']['package']}")
    print(f"{'':8s} {'presses/s':>9s} {'CPU ms':>8s} {'ms/press':>9s} {'at rest':>8s} {'net/press':>10s} "
          f"{'msgs sent':>10s} {'msgs back':>10s} {'kB back':>8s}  state after the burst")
    for mode, r in results.items():
        ok = "" if "ok" not in r else ("kernel = page = expected" if r["ok"] else f"MISMATCH {r['kernel']}")
        print(f"{mode:8s} {r['rate']:9.1f} {r['cpu_ms']:8.1f} {r['per_press']:9.2f} {r['rest_ms']:8.1f} {r['per_press_net']:10.2f} "
              f"{r['sent']:10d} {r['received']:10d} {r['kB']:8.1f}  {ok}")
    b, a = results["before"], results["after"]
    print(f"before / after: {b['per_press'] / max(a['per_press'], 1e-9):.1f}x less kernel CPU per press "
          f"(goal ≤ 0.5 ms per press: {'met' if a['per_press'] <= 0.5 else 'NOT met'}, {a['per_press']:.2f} ms)")
    print("'at rest': the same kernel over as long a window without key presses; net = (CPU − at rest) / presses;")
    print("msgs: comm messages on the kernel's websocket in the window (page -> kernel, kernel -> page); "
          "CPU: the kernel's threads' run time (/proc/PID/task/*/schedstat)")


if __name__ == "__main__":
    main()
