"""Slider → new image in JupyterLab (Chromium): the explorers (browser-stepped canvas, kernel-stepped, image
renderer, the basin map) against a plain ``interact`` with the inline backend that redraws a comparable figure.

Starts a JupyterLab of this environment on a free local port (as the browser tests do: a temporary folder, its
own settings), runs one notebook with the cells below, presses each first slider's arrow key ``--presses``
times, waiting for each new image, and prints median / p95 of key press → new image (and to the new ``src``,
and the decode), the same updates timed in this process (what the kernel spends before anything is sent), and
the ratios: interact / explorer, kernel-stepped / browser-stepped. The numbers also go to
``test-artifacts/latency.json``. tests/browser/test_jupyterlab.py checks that every kind of view shows one image
per press; this script measures.

    python benchmarks/slider_latency.py [--presses 30]
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path, start_jupyterlab, stop_process_group  # noqa: E402
from tests.browser.pagetools import VIEW_CELLS, ExplorerView, measure_slider_latency, open_and_run_cells  # noqa: E402

LOG_STEP = 0.05  # exponent step of the explorers' learning-rate sliders (widgets.sliders.log_slider)
#: the views of the browser test (``pagetools.VIEW_CELLS``: browser-stepped, kernel-stepped, image renderer, basin
#: map), their 2D and kernel-stepped twins, and the baseline: a plain ``interact`` with the inline backend
LATENCY_CELLS = {
    **VIEW_CELLS,
    "explorer 2D": '''from i2dl_helpers.widgets import GradientDescent2D
gd2 = GradientDescent2D("ill_conditioned", lr=0.1, x0=-2.25, y0=1.5, steps=100)  # explorer 2D
gd2''',
    "kernel 2D": '''class KernelStepped2D(GradientDescent2D):
    SCENE = None  # every frame computed by the kernel
gd2k = KernelStepped2D("ill_conditioned", lr=0.1, x0=-2.25, y0=1.5, steps=100)  # kernel 2D
gd2k''',
    "kernel basins": '''class KernelBasins(BasinExplorer):
    SCENE = None
bxk = KernelBasins("himmelblau", lr=0.01, steps=100, n=200)  # kernel basins
bxk''',
    "explorer image 2D": '''gd2i = GradientDescent2D("ill_conditioned", lr=0.1, x0=-2.25, y0=1.5, steps=100, renderer="image")  # explorer image 2D
gd2i''',
    "interact 1D": '''%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from ipywidgets import FloatLogSlider, FloatSlider, interact
from i2dl_helpers import GD, objectives, run

plt.rcParams["figure.dpi"] = 100  # the explorers' size in pixels
quad = objectives.get("quadratic")
xs = np.linspace(-3, 3, 600)

def show_1d(lr=0.1, x0=1.5):  # interact 1D
    traj = run(quad, GD(lr), x0, steps=50, tol=1e-6)
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(9.5, 3.6), width_ratios=[1.5, 1])
    ax.plot(xs, quad(xs), "k", lw=1.5)
    ax.plot(traj.points[:, 0], traj.values, "-o", ms=4, lw=1)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-0.4, 4.9)
    ax_loss.plot(traj.values, "-o", ms=3, lw=1)
    ax_loss.set_xlim(-0.5, 50.5)
    ax_loss.set_ylim(-0.4, 4.9)
    plt.show()

interact(show_1d, lr=FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.05, description="learning rate α"),
         x0=FloatSlider(value=1.5, min=-3, max=3, step=0.015, description="start x₀"));''',
    "interact 2D": '''from i2dl_helpers.plotting.views2d import contour_levels

bowl = objectives.get("ill_conditioned", condition=10.0)
X, Y, P = bowl.grid(160)
Z = bowl(P)
lev = contour_levels(Z, 25)

def show_2d(lr=0.1, x0=-2.25):  # interact 2D
    traj = run(bowl, GD(lr), [x0, 1.5], steps=100, tol=1e-8)
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(9.0, 3.8), width_ratios=[1.25, 1])
    ax.contourf(X, Y, Z, levels=lev, cmap="Blues_r", alpha=0.35, extend="both")
    ax.contour(X, Y, Z, levels=lev, colors="0.45", linewidths=0.6)
    ax.plot(*traj.points.T, "-o", ms=3, lw=1.2)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax_loss.semilogy(np.maximum(traj.values, 1e-12), "-o", ms=2.5)
    plt.show()

interact(show_2d, lr=FloatLogSlider(value=0.1, base=10, min=-4, max=0.5, step=0.05, description="learning rate α"),
         x0=FloatSlider(value=-2.25, min=-3, max=3, step=0.015, description="start θ₁"));''',
}


def _stats(values) -> dict:
    v = np.asarray(values, dtype=float)
    return {"median": round(float(np.median(v)), 1), "p95": round(float(np.percentile(v, 95)), 1),
            "n": int(v.size)}


def _kernel_side_ms(name: str) -> dict:
    """The same update in this process: what the kernel spends before anything is sent."""
    from i2dl_helpers.widgets import GradientDescent1D, GradientDescent2D
    lrs = 10 ** (-1 + LOG_STEP * np.r_[np.arange(1, 16), np.arange(14, -1, -1)])
    if "basins" in name:
        return None  # the same map in this process: benchmarks/basins.py
    if name.startswith(("explorer", "kernel")):
        renderer = "image" if "image" in name else "canvas"
        ex = (GradientDescent1D("quadratic", lr=0.1, x0=1.5, steps=50, renderer=renderer) if "1D" in name else
              GradientDescent2D("ill_conditioned", lr=0.1, x0=-2.25, y0=1.5, steps=100, renderer=renderer))
        times, sizes = [], []
        for lr in lrs:
            t = time.perf_counter()
            ex.controls["lr"].value = float(lr)
            times.append(1e3 * (time.perf_counter() - t))
            widget = ex._view.widget
            sizes.append(len(widget.value) if renderer == "image" else len(json.dumps(widget.overlay)))
        ex.close()
        return {"update_ms": _stats(times), "bytes_sent": int(np.median(sizes))}
    # the interact baselines: run the cell's function with plt.show replaced by what the inline
    # backend does on show (print_figure(..., "png", bbox_inches="tight")), in this process
    import matplotlib.pyplot as plt

    sizes = []

    def inline_show():
        fig = plt.gcf()
        with io.BytesIO() as buf:
            fig.canvas.print_figure(buf, format="png", bbox_inches="tight")
            sizes.append(buf.tell())
        plt.close(fig)

    src = LATENCY_CELLS["interact 1D"].replace("%matplotlib inline", "")
    src = src.split("interact(show_1d")[0] + ("\n" + LATENCY_CELLS["interact 2D"].split("interact(show_2d")[0]
                                              if "2D" in name else "")
    scope: dict = {}
    with plt.rc_context({"figure.dpi": 100}):
        exec(compile(src, f"<{name}>", "exec"), scope)
        show = scope["show_2d" if "2D" in name else "show_1d"]
        old_show, plt.show = plt.show, inline_show
        try:
            times = []
            for lr in lrs:
                t = time.perf_counter()
                show(lr=float(lr))
                times.append(1e3 * (time.perf_counter() - t))
        finally:
            plt.show = old_show
    return {"update_ms": _stats(times), "bytes_sent": int(np.median(sizes))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=30)
    args = parser.parse_args()
    if chromium_path() is None:
        sys.exit("needs Chromium (apt-get install chromium) and Playwright")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="i2dl-slider-latency-"))
    folder = tmp / "notebooks"
    folder.mkdir()
    proc, port, _ = start_jupyterlab(folder, tmp / "jupyter", OPENBLAS_NUM_THREADS="1")
    results = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(60_000)
            open_and_run_cells(page, f"http://127.0.0.1:{port}", folder, "latency.ipynb", list(LATENCY_CELLS.values()))
            for name in LATENCY_CELLS:
                if name.startswith(("explorer", "kernel")):
                    view = ExplorerView.in_cell(page, f"# {name}")
                else:
                    cell = page.locator(".jp-CodeCell").filter(has_text=f"# {name}")
                    view = ExplorerView(page, cell.locator(".jp-OutputArea-output").filter(
                        has=page.locator(".widget-slider")).first)
                    view.root.locator("img").first.wait_for()
                view.root.scroll_into_view_if_needed()
                m = measure_slider_latency(view, "learning rate", args.presses)
                rows = m["rows"]
                results[name] = {"presses": m["presses"], "images": m["images"],
                                 "total_ms": _stats([r["total"] for r in rows]),
                                 "to_src_ms": _stats([r["to_src"] for r in rows]),
                                 "decode_ms": _stats([r["to_decoded"] - r["to_src"] for r in rows]),
                                 "kernel": _kernel_side_ms(name)}
            browser.close()
    finally:
        stop_process_group(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    for dim in ("1D", "2D"):
        ex, base = results[f"explorer {dim}"], results[f"interact {dim}"]
        results[f"speed-up {dim}"] = round(base["total_ms"]["median"] / ex["total_ms"]["median"], 2)
        results[f"browser vs kernel {dim}"] = round(results[f"kernel {dim}"]["total_ms"]["median"]
                                                    / ex["total_ms"]["median"], 2)
    results["browser vs kernel basins"] = round(results["kernel basins"]["total_ms"]["median"]
                                                / results["explorer basins"]["total_ms"]["median"], 2)
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "latency.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print("slider -> new image in Chromium (ms; median / p95 of", args.presses, "key presses)")
    for name, r in results.items():
        if isinstance(r, dict):
            print(f"  {name:18s} total {r['total_ms']['median']:6.1f} / {r['total_ms']['p95']:6.1f}   "
                  f"to new src {r['to_src_ms']['median']:6.1f}   decode {r['decode_ms']['median']:5.1f}   "
                  f"kernel {r['kernel'] or '-'}")
        elif name.startswith("speed-up"):
            print(f"  {name}: interact median / explorer median = {r}x")
        else:
            print(f"  {name}: kernel-stepped median / browser-stepped median = {r}x")


if __name__ == "__main__":
    main()
