"""What a student sees: every notebook run in JupyterLab in a real Chromium.

For every notebook in ``notebooks/`` (``test_notebook_runs_in_jupyterlab``, its only execution in a test
run): in the JupyterLab of a fresh clone set up by ``python3 course.py lab --setup-only`` (the ``fresh_clone``
and ``student_lab`` fixtures, tests/browser/fresh_clone.py: the clone's .venv with the run-time dependencies
only, its kernels, ``course.py``'s kernel environment; set up once per test run even on two workers), open
it, Run All Cells, and check that no cell shows an error (traceback, forbidden warning, explorer error box,
widget that failed to render) except those tagged ``raises-exception`` (the unanswered exercises' checks),
that every cell ran, that outputs fit the column and pass axe, and that every figure a cell draws passes the
figure lint (tests/figure_lint.py, installed in each kernel by an IPython start-up file: text under 8 pt at the
column width, markers hidden under another artist's, axes with fewer than two labelled ticks), findings listed
in ``fresh_clone.ALLOWED`` excepted (an entry that no longer matches is printed). For the gradient-descent
explorers (notebooks 02 and 04): move the learning-rate and start sliders with the keyboard and by typing
into their readouts, and check that the image changed and that the status
line is the one the explorer computes for the values now on the sliders. Timings (set-up, each notebook's
Run All, its slowest cells) go to test-artifacts/fresh-clone.json. The clone is of HEAD:
``I2DL_FRESH_CLONE=worktree`` runs the working tree's tracked files, uncommitted edits included.

The other tests write notebooks of their own into ``lab_server``, a JupyterLab of this environment serving a
copy of ``notebooks/``.

``test_every_kind_of_view_shows_an_image_per_press`` presses the sliders of each kind of view (the timings
against a plain ``interact`` are benchmarks/slider_latency.py's).
``test_voila`` opens notebook 02 as a Voilà dashboard.

Needs Debian's chromium and Playwright; skips with instructions otherwise.
Screenshots are saved in test-artifacts/.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from . import fresh_clone as fc
from .conftest import NOTEBOOKS, Server, _clean_env, free_port, stop_process_group
from .pagetools import (FIGURE, VIEW_CELLS, ExplorerView, assert_outputs_accessible, cells_meant_to_raise,
                        leave_lab, measure_slider_latency, open_and_run_cells, open_notebook, overflowing_outputs, rerun_cell,
                        run_all, shown_errors)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK_NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
LOG_STEP = 0.05  # exponent step of the explorers' learning-rate sliders (widgets.base.log_slider)
RUN_ALL_TIMEOUT = 600.0  # seconds for Run All of a student notebook (a minute or two on a busy machine)


# -- explorers checked by moving their sliders ------------------------------------------------
def check_gd1d(page, artifacts: Path) -> None:
    """GradientDescent1D in notebook 02 (quadratic L = x²/2, L = 1)."""
    from i2dl_helpers.widgets import GradientDescent1D

    view = ExplorerView.in_cell(page, "GradientDescent1D(")
    view.root.scroll_into_view_if_needed()
    # The browser snaps values set from code (0.5, 2.5 are off the log grid) and sends them back late, so
    # notebook 02 sets its resting value (α = 0.5) last: the last echo (0.5012) then agrees with it.
    # Recorded, and a warning if the explorer shows anything else after Run All.
    drift = {"lr readout after Run All": view.readout("learning rate"), "status": view.status()}
    (artifacts / "gd1d-state-after-run-all.json").write_text(json.dumps(drift, ensure_ascii=False, indent=1))
    if abs(view.value("learning rate") - 0.5) > 0.01 or not view.status().startswith("converged"):
        warnings.warn(f"notebook 02 leaves α = 0.5, the explorer in the browser shows {drift}", UserWarning)

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
    assert "αλ = 0.1 " in view.status() and f"L = {(1.8 * 0.9**50) ** 2 / 2:.4g}" in view.status()
    before_src, before_px = view.frame_id(), view.image_pixels()
    view.image.screenshot(path=str(artifacts / "gd1d-before.png"))

    # keyboard: each ArrowRight multiplies α by 10**0.05
    view.press("learning rate", "ArrowRight", 4)
    lr = 10 ** (-1 + 4 * LOG_STEP)
    view.wait_until(lambda v: v.value("learning rate") == float(f"{lr:.4g}"), f"the α readout to show {lr:.4g}")
    view.wait_until(lambda v: v.status() == expected(lr, -1.8), f"the status for α = {lr:.4g}")
    assert f"αλ = {lr:.3g} < 1" in view.status()
    view.wait_until(lambda v: v.frame_id() != before_src, "a new image after the α change")
    assert view.image_pixels() != before_px, "the plot did not change when α moved"

    # the start slider: three steps to the left
    step = 6.0 / 400
    view.press("start", "ArrowLeft", 3)
    x0 = -1.8 - 3 * step
    view.wait_until(lambda v: v.value("start") == round(x0, 3), f"the x₀ readout to show {x0:.3f}")
    mid_px = view.image_pixels()
    view.wait_until(lambda v: v.status() == expected(lr, x0), f"the status for x₀ = {x0:.3f}")

    # past the critical α = 2/λ the status says it diverges
    view.press("learning rate", "ArrowRight", 23)
    lr_big = 10 ** (-1 + 27 * LOG_STEP)
    view.wait_until(lambda v: v.status() == expected(lr_big, x0), f"the status for α = {lr_big:.4g}")
    assert "diverge" in view.status() and f"αλ = {lr_big:.3g} > 2" in view.status()
    assert view.image_pixels() != mid_px, "the plot did not change when α moved past 2/λ"
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
    before_src, before_px = view.frame_id(), view.image_pixels()
    view.image.screenshot(path=str(artifacts / "gd2d-before.png"))
    view.press("learning rate", "ArrowRight", 3)
    lr = 10 ** (-1 + 3 * LOG_STEP)
    view.wait_until(lambda v: v.value("learning rate") == float(f"{lr:.4g}"), f"the α readout to show {lr:.4g}")
    view.wait_until(lambda v: v.status() == expected(lr, 2.25, -1.2), f"the status for α = {lr:.4g}")
    view.press("start θ₁", "ArrowLeft", 5)
    x0 = 2.25 - 5 * (6.0 / 400)
    view.wait_until(lambda v: v.status() == expected(lr, x0, -1.2), f"the status for θ₁ = {x0:.3f}")
    assert view.frame_id() != before_src and view.image_pixels() != before_px, "the plot did not change"
    view.image.screenshot(path=str(artifacts / "gd2d-after.png"))
    assert view.error() == ""


SLIDER_CHECKS = {"02_gradient_descent_1d.ipynb": check_gd1d, "04_gradient_descent_nd.ipynb": check_gd2d}

#: errors a notebook leaves in an explorer's error box on purpose (notebook 11 types a wrong
#: function into the text box to show how the explorer reports it and keeps working)
ERRORS_SHOWN_ON_PURPOSE = {
    "11_your_own_function.ipynb": ("explorer: ExpressionError: unknown name 'y' at column 10",
                                   "explorer: ExpressionError: unknown name 'z'"),
}


def unexpected_errors(page, name: str, meant_to_raise) -> list[str]:
    allowed = ERRORS_SHOWN_ON_PURPOSE.get(name, ())
    return [e for e in shown_errors(page, meant_to_raise) if not any(e.startswith(a) for a in allowed)]


def _kernel_record(fresh_clone, name: str, run: dict, opened_s: float, student_lab) -> tuple[str, list[str]]:
    """The kernel's record of the run (tests/browser/fresh_clone.py's start-up file), also written to
    test-artifacts/fresh-clone.json. Returns what is wrong with the record (not every code cell ran once with
    the figure lint installed) and the figure problems (findings not in ``ALLOWED``), after printing the
    ALLOWED entries that no longer match."""
    report = fc.notebook_report(student_lab.checks, student_lab.root / name)
    problems, stale = fc.figure_problems(name, report["findings"])
    fc.record(fresh_clone, name, {
        "run_all_s": round(run["seconds"], 1), "open_s": round(opened_s, 1),
        "slowest_cells": fc.slowest(report["cells"]), "findings": report["findings"], "stale_allowed": stale,
        "errors": {c["index"]: [c["error"]] for c in report["cells"] if c["error"]}})
    counts = [c["execution_count"] for c in report["cells"]]
    wrong = "" if counts == list(range(1, report["code_cells"] + 1)) else (
        f"{name}: the kernel recorded cells {counts} of {report['code_cells']} code cells: the figure lint was "
        f"not installed in this notebook's kernel, or Run All did not run each cell once "
        f"(tests/browser/fresh_clone.py)")
    if stale:
        print(f"\n{name}: allowed figure findings no longer found (remove them from ALLOWED in "
              f"tests/browser/fresh_clone.py): {stale}")
    return wrong, problems


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_runs_in_jupyterlab(student_lab, fresh_clone, page, artifacts, name, capsys):
    """The only run of a student notebook in a test run: Run All in the fresh clone's JupyterLab (set up as
    ``python3 course.py lab`` does: run-time dependencies only). Errors only in cells tagged
    ``raises-exception``, every cell ran, outputs fit the column and pass axe; the explorers of 02 and 04 are
    driven; every figure a cell draws passes the figure lint (tests/figure_lint.py) unless listed in
    ``fresh_clone.ALLOWED``."""
    server = student_lab
    stem = Path(name).stem
    try:
        meant_to_raise = cells_meant_to_raise(server.root / name)
        start = time.monotonic()
        open_notebook(page, server.url, name)
        opened_s = time.monotonic() - start
        run = run_all(page, timeout=RUN_ALL_TIMEOUT, expected_errors=meant_to_raise)
        page.screenshot(path=str(artifacts / f"{stem}.png"))
        with capsys.disabled():
            print(f"\nfresh clone of {fresh_clone['made_from']}: {name}: Run All {run['seconds']:.1f} s "
                  f"(`course.py lab --setup-only` took {fresh_clone['setup_s']:.0f} s"
                  f"{'' if fresh_clone['built_here'] else ', in another worker'})")
            not_recorded, figure_problems = _kernel_record(fresh_clone, name, run, opened_s, server)
        errors = unexpected_errors(page, name, meant_to_raise)
        assert not errors, f"{name} shows errors after Run All:\n" + "\n---\n".join(errors)
        assert all(p != "[ ]:" for p in run["prompts"]), f"{name}: some cells did not run: {run['prompts']}"
        assert not not_recorded, not_recorded
        too_wide = overflowing_outputs(page)
        assert not too_wide, f"{name}: outputs wider than the notebook column (1400 px window): {too_wide}"
        assert_outputs_accessible(page, name)  # axe-core, WCAG 2.1 AA (issue 23, test_accessibility.py)
        if name in SLIDER_CHECKS:
            SLIDER_CHECKS[name](page, artifacts)
            assert not unexpected_errors(page, name, meant_to_raise), f"{name}: moving the sliders produced errors"
        assert not figure_problems, (f"{name}: figures a student cannot read well (tests/figure_lint.py explains "
                                     f"the checks):\n" + "\n".join(figure_problems))
    finally:
        try:
            page.screenshot(path=str(artifacts / f"{stem}-final.png"))
        finally:
            leave_lab(page, server)


LINT_CELLS = [
    """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4, 2.5))
ax.plot([0, 1, 2], [0, 1, 4], label="tiny legend")
ax.legend(fontsize=4)  # too small
ax.set_xlabel("x", fontsize=5)
plt.show()""",
    """fig, ax = plt.subplots(figsize=(4, 2.5))
ax.plot([0, 1, 2], [0, 1, 4], label="legible")  # fine
ax.legend(fontsize=10)
plt.show()""",
]


def test_the_figure_lint_in_the_fresh_clone_catches_a_tiny_font(student_lab, fresh_clone, page):
    """The figure check of the student notebooks can fail: in the fresh clone's JupyterLab the start-up file
    lints what a notebook's cells draw, and a 4-pt legend and a 5-pt axis label are reported (cell 0), a
    legible figure (cell 1) is not."""
    server, name = student_lab, "figure-lint-check.ipynb"
    try:
        open_and_run_cells(page, server.url, server.root, name, LINT_CELLS)
        report = fc.notebook_report(server.checks, server.root / name)
        assert [c["execution_count"] for c in report["cells"]] == [1, 2], report
        problems, stale = fc.figure_problems(name, report["findings"])
        assert not stale and len(problems) == 2, problems
        assert {f["cell"] for f in report["findings"]} == {0}, report["findings"]
        said = "\n".join(problems)
        assert "legend 4 pt" in said and "axis label 5 pt" in said, said
    finally:
        leave_lab(page, server)
        (server.root / name).unlink(missing_ok=True)


WIDE_CELLS = [
    """from IPython.display import HTML, display
display(HTML('<div style="width:1800px;height:12px;background:#d55e00"></div>'))  # too wide""",
    """import io, ipywidgets as widgets
from matplotlib.figure import Figure
fig = Figure(figsize=(18, 1), dpi=100); fig.add_subplot().plot([0, 1])
buf = io.BytesIO(); fig.savefig(buf, format="png")
widgets.Image(value=buf.getvalue(), format="png")  # 1800 px""",
    """from IPython.display import HTML
HTML('<div style="width:300px;height:12px;background:#009e73"></div>')  # fits""",
]


def test_width_check_catches_outputs_wider_than_the_column(lab, workdir):
    """The column check can fail: a wide HTML block and a wide widget image are caught, a narrow one is not."""
    server, page = lab
    try:
        open_and_run_cells(page, server.url, workdir, "wide.ipynb", WIDE_CELLS)
        page.wait_for_timeout(500)
        cells = sorted({o["cell"] for o in overflowing_outputs(page)})
        assert cells == [0, 1], f"expected the two wide outputs (cells 0, 1) to be caught, got {cells}"
    finally:
        leave_lab(page, server)


def test_the_gd_explorers_are_driven():
    """The slider checks point at notebooks that still show those explorers."""
    snippets = {"02_gradient_descent_1d.ipynb": "GradientDescent1D(", "04_gradient_descent_nd.ipynb": "GradientDescent2D("}
    assert set(SLIDER_CHECKS) == set(snippets)
    for name, snippet in snippets.items():
        path = NOTEBOOKS / name
        assert path.exists(), f"{name} is gone: point SLIDER_CHECKS at the notebook that shows {snippet[:-1]}"
        assert snippet in path.read_text(encoding="utf-8"), f"{name} no longer shows {snippet[:-1]}"


# -- slider -> new image latency --------------------------------------------------------------
PRESSES = 6  # every press must show an image (benchmarks/slider_latency.py measures 30)


def test_every_kind_of_view_shows_an_image_per_press(lab, artifacts, workdir):
    """Slider → new image for each kind of view (browser-stepped, kernel-stepped, image renderer, basin map):
    every key press shows one, within seconds. The timings against a plain ``interact`` are
    benchmarks/slider_latency.py's."""
    server, page = lab
    try:
        open_and_run_cells(page, server.url, workdir, "views.ipynb", list(VIEW_CELLS.values()))
        for name in VIEW_CELLS:
            view = ExplorerView.in_cell(page, f"# {name}")
            view.root.scroll_into_view_if_needed()
            m = measure_slider_latency(view, "learning rate", PRESSES)
            view.root.screenshot(path=str(artifacts / f"views-{name.replace(' ', '-')}.png"))
            totals = [r["total"] for r in m["rows"]]
            assert m["presses"] == PRESSES and len(totals) == PRESSES, f"{name}: some presses showed no image: {m}"
            assert float(np.median(totals)) < 2000, f"{name}: a slider move took seconds: {totals}"
    finally:
        leave_lab(page, server)


# -- Voila: the notebook as a code-free dashboard -------------------------------------------
#: a dashboard hides the code, so it serves the instructor version, in which every exercise is answered
#: (the student version would show each unanswered check's "not answered yet")
VOILA_NOTEBOOK = "02_gradient_descent_1d.ipynb"
VOILA_SOURCE = Path(__file__).resolve().parents[2] / "source" / "scaling_optimization"


@pytest.fixture
def voila_server(browser_tools, workdir, tmp_path):
    pytest.importorskip("voila", reason="the Voila check needs voila: pip install voila")
    import socket
    import time

    for sub in ("config", "data", "runtime", "ipython"):
        (tmp_path / sub).mkdir()
    port = free_port()
    import shutil

    dashboard = tmp_path / "dashboard"
    dashboard.mkdir()
    shutil.copy(VOILA_SOURCE / VOILA_NOTEBOOK, dashboard / VOILA_NOTEBOOK)
    cmd = [sys.executable, "-m", "voila", str(dashboard / VOILA_NOTEBOOK), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--show_tracebacks=True"]
    log = tmp_path / "voila.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=_clean_env(tmp_path), cwd=dashboard, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # the port answers before any notebook is executed
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited:\n{log.read_text()[-3000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"voila did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield Server(proc, port, dashboard, log)
    finally:
        stop_process_group(proc)
        from .conftest import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "voila.log").write_text(log.read_text())


def test_voila(voila_server, page, artifacts):
    """``voila source/scaling_optimization/02_gradient_descent_1d.ipynb``: the explorer renders without code
    and reacts, and no cell shows an error."""
    from i2dl_helpers.widgets import GradientDescent1D

    page.goto(voila_server.url + "/", timeout=120_000)
    root = page.locator(".jp-OutputArea-output").filter(has=page.locator(FIGURE)).filter(
        has_text="learning rate")
    root.first.wait_for(timeout=120_000)
    assert root.count() == 1, "one GradientDescent1D explorer in the dashboard"
    view = ExplorerView(page, root.first)
    view.root.scroll_into_view_if_needed()
    assert "GradientDescent1D(" not in page.inner_text("body"), "Voila should hide the code"

    def expected(lr, x0):
        twin = GradientDescent1D("quadratic", lr=lr, x0=x0, steps=50, renderer="image")
        text = twin.status_text
        twin.close()
        return text

    view.type_value("learning rate", "0.1")
    view.type_value("start", "1.5")
    view.wait_until(lambda v: v.status() == expected(0.1, 1.5), "the status for α = 0.1, x₀ = 1.5")
    before = view.image_pixels()
    page.screenshot(path=str(artifacts / "voila-before.png"))
    view.press("learning rate", "ArrowRight", 22)
    lr = 10 ** (-1 + 22 * LOG_STEP)  # 1.26: 1 < αλ < 2 on L = x²/2
    view.wait_until(lambda v: v.status() == expected(lr, 1.5), f"the status for α = {lr:.4g}")
    assert "overshoots" in view.status() and f"αλ = {lr:.3g}" in view.status(), view.status()
    assert view.image_pixels() != before, "the dashboard's plot did not change"
    page.screenshot(path=str(artifacts / "voila-after.png"))
    assert not shown_errors(page)


DRIFT_CELLS = [
    "from i2dl_helpers.widgets import GradientDescent1D\n"
    "a = GradientDescent1D('quadratic', lr=0.1, x0=1.5)  # ends on grid\na",
    "b = GradientDescent1D('quadratic', lr=0.1, x0=1.5)  # ends off grid\nb",
    "c = GradientDescent1D('quadratic', lr=2.3, x0=1.0)  # built off grid\nc",
    "a.controls['lr'].value = 0.5\na.controls['lr'].value = 2.5\na.controls['lr'].value = 0.1\n"
    "b.controls['lr'].value = 0.5\nb.controls['lr'].value = 2.5\nb.controls['lr'].value = 0.3",
]


def test_values_set_from_code_survive_the_browser(lab, artifacts, workdir):
    """The browser rounds values set from code to the slider's grid and sends them back late (after
    Run All). The explorers keep what the code set: α = 0.1 after 0.5, 2.5, 0.1; α = 0.3 (off the
    grid) after 0.5, 2.5, 0.3; α = 2.3 from the constructor. A person's next key press still counts."""
    from i2dl_helpers.widgets import GradientDescent1D

    def expected(lr, x0):
        twin = GradientDescent1D("quadratic", lr=lr, x0=x0, renderer="image")
        text = twin.status_text
        twin.close()
        return text

    server, page = lab
    try:
        open_and_run_cells(page, server.url, workdir, "drift.ipynb", DRIFT_CELLS)
        page.wait_for_timeout(2000)  # late echoes
        views = {tag: ExplorerView.in_cell(page, f"# {tag}") for tag in ("ends on grid", "ends off grid",
                                                                         "built off grid")}
        seen = {tag: {"readout": v.readout("learning rate"), "status": v.status()} for tag, v in views.items()}
        (artifacts / "slider-drift.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1))
        assert views["ends on grid"].status() == expected(0.1, 1.5), seen
        assert views["ends on grid"].value("learning rate") == 0.1, seen
        assert views["ends off grid"].status() == expected(0.3, 1.5), seen
        assert views["built off grid"].status() == expected(2.3, 1.0), seen
        # the off-grid 0.3 shows as the grid point 10**-0.5 = 0.3162; one step right is 10**-0.45
        view = views["ends off grid"]
        view.press("learning rate", "ArrowRight")
        view.wait_until(lambda v: v.status() == expected(10 ** -0.45, 1.5), "the status after one key press")
    finally:
        leave_lab(page, server)


# -- the kernel rests while the page steps (issue 24, item 3) ------------------------------------
def counting_cell(cls: str, name: str, args: str, tag: str) -> str:
    """A cell that shows ``name = Counting(args)``: the explorer ``cls`` counting its updates in
    ``Counting.updates``; ``# tag`` finds the cell."""
    return f"""from i2dl_helpers.widgets import {cls}

class Counting({cls}):  # counts the kernel's updates
    updates = 0

    def _update(self, changed):
        type(self).updates += 1
        return super()._update(changed)

{name} = Counting({args})  # {tag}
{name}"""


REST_CELLS = [
    counting_cell("GradientDescent1D", "rest", '"quadratic", lr=0.1, x0=1.5, steps=50', "rests"),
    """import json  # rest state
print("STATE " + json.dumps({"lr": rest.controls["lr"].value, "x0": rest.controls["x0"].value,
                             "status": rest.status_text, "last": rest.trajectory.points[-1].tolist(),
                             "updates": Counting.updates, "run": get_ipython().execution_count}))""",
]


AHEAD_CELLS = [
    counting_cell("NetworkShape", "shape", "width=4, depth=2", "drawn ahead"),
    """import json  # ahead state
print("STATE " + json.dumps({"width": shape.controls["width"].value, "depth": shape.controls["depth"].value,
                             "status": shape.status_text, "updates": Counting.updates}))""",
]


def test_frames_drawn_ahead_step_a_kernel_explorer_in_the_page(lab, workdir):
    """An explorer that computes in Python (network shape): when the reader reaches for its width slider
    the kernel draws every width's frame at once; the page then shows each press's frame itself while
    the kernel rests, and the kernel ends where the page is. Moving another control (depth) drops the
    frames; reaching for the slider again brings new ones."""
    server, page = lab

    def scene():
        return view.image.evaluate("el => el.dataset.scene || ''")
    try:
        open_and_run_cells(page, server.url, workdir, "ahead.ipynb", AHEAD_CELLS)
        view = ExplorerView.in_cell(page, "# drawn ahead")
        view.root.scroll_into_view_if_needed()
        assert scene() == "", "frames drawn before the reader reached for the slider"
        for depth_keys in ([], ["ArrowRight"]):
            if depth_keys:  # another control: the frames are dropped
                view.press("depth", depth_keys[0])
                view.wait_until(lambda v: scene() == "", "the frames dropped after depth moved")
            handle = view.slider("width").locator(".noUi-handle")
            handle.focus()
            view.wait_until(lambda v: scene() == "ahead", "the frames drawn ahead")
            before = json.loads(rerun_cell(page, "# ahead state", "STATE "))
            keys = ["ArrowRight"] * 4 + ["ArrowLeft"]
            frame, start = int(view.frame_id()), time.monotonic()
            handle.focus()
            for key in keys:
                page.keyboard.press(key)
            view.wait_until(lambda v: int(v.frame_id()) >= frame + len(keys), "a frame from the page per press")
            # while the slider moves, coalesce.js sends the latest value every 3 s (CATCH_UP_MS): one update each
            catch_ups = int((time.monotonic() - start) // 3.0)
            page.wait_for_timeout(1000)  # the slider settles: the kernel hears the final value
            state = json.loads(rerun_cell(page, "# ahead state", "STATE "))
            assert state["width"] == before["width"] + 3 == round(view.value("width")), (before, state)
            assert state["depth"] == round(view.value("depth"))
            computed = state["updates"] - before["updates"]
            assert computed <= 1 + catch_ups, f"the kernel computed {computed} times for {len(keys)} presses: {state}"
            said = " ".join(state["status"].split())  # HTML shows runs of spaces as one
            view.wait_until(lambda v: " ".join(v.status().split()) == said, "the page's status line")
        assert view.error() == ""
    finally:
        leave_lab(page, server)


NEAR_CELLS = [
    """from i2dl_helpers.widgets import SGDExplorer

class CountingRuns(SGDExplorer):  # counts the kernel's SGD runs
    runs = 0

    def _runs(self, *args):
        type(self).runs += 1
        return super()._runs(*args)

near = CountingRuns(lr=0.1, steps=200)  # a window drawn ahead (0.1: on the slider's grid)
near""",
    """import json  # near state
from i2dl_helpers.widgets.sliders import grid_neighbours
_lr = near.controls["lr"]
print("STATE " + json.dumps({"lr": _lr.value, "up": grid_neighbours(_lr, _lr.value, 1)[1][0],
                             "status": near.status_text, "runs": CountingRuns.runs,
                             "run": get_ipython().execution_count}))""",
]


def test_a_window_drawn_ahead_shows_the_next_training_at_once(lab, workdir):
    """An explorer whose every frame is a new training (SGD's α): when the reader reaches for the slider the
    kernel trains the values one press away; a press then shows that frame from the page, the slider takes
    the kernel's exact value, the kernel reuses the run it drew ahead (no training for it) and trains the
    next window: one run per press, as without."""
    server, page = lab
    try:
        open_and_run_cells(page, server.url, workdir, "near.ipynb", NEAR_CELLS)
        view = ExplorerView.in_cell(page, "# a window drawn ahead")
        view.root.scroll_into_view_if_needed()

        def window():
            return view.image.evaluate("el => el.dataset.scene === 'ahead' ? el.dataset.window : ''")
        assert window() == "", "a window drawn before the reader reached for the slider"
        handle = view.slider("learning rate").locator(".noUi-handle")
        handle.focus()
        view.wait_until(lambda v: window() != "", "the first window drawn ahead")
        for _ in range(2):
            before = json.loads(rerun_cell(page, "# near state", "STATE "))
            centre = window()
            assert float(centre) == before["lr"]
            handle.focus()
            page.keyboard.press("ArrowRight")
            view.wait_until(lambda v: window() not in ("", centre), "the next window, around the new value")
            state = json.loads(rerun_cell(page, "# near state", "STATE "))
            assert state["lr"] == before["up"], "the slider took the kernel's value of the frame drawn ahead"
            assert state["runs"] - before["runs"] == 1, f"one run per press (the next window's): {before} {state}"
            said = " ".join(state["status"].split())
            view.wait_until(lambda v: " ".join(v.status().split()) == said, "the page's status line")
        assert view.error() == ""
    finally:
        leave_lab(page, server)


def test_the_kernel_rests_while_the_page_steps(lab, workdir):
    """A burst of key presses on a browser-stepped explorer: the page draws every frame, the kernel
    computes a few times, not once per press, and ends exactly where the page is (the value the
    page's last frame shows, its status line, the trajectory), whether the cell that reads it runs
    right after the burst (Enter sends what the page held back first) or after the slider settled,
    and also when a burst ends where it began."""
    from i2dl_helpers.widgets import GradientDescent1D

    def twin(lr, x0):
        e = GradientDescent1D("quadratic", lr=lr, x0=x0, steps=50, renderer="image")
        try:
            return e.status_text, e.trajectory.points[-1].tolist()
        finally:
            e.close()

    server, page = lab
    try:
        open_and_run_cells(page, server.url, workdir, "rest.ipynb", REST_CELLS)
        view = ExplorerView.in_cell(page, "# rests")
        view.root.scroll_into_view_if_needed()
        start = json.loads(rerun_cell(page, "# rest state", "STATE "))
        bursts = [("right away", ["ArrowRight"] * 40 + ["ArrowLeft"] * 5),
                  ("settled", ["ArrowLeft"] * 20),
                  ("back where it began", ["ArrowRight"] * 6 + ["ArrowLeft"] * 6)]
        updates = start["updates"]
        for how, keys in bursts:
            handle = view.slider("learning rate").locator(".noUi-handle")
            handle.focus()
            frames = int(view.frame_id())
            for key in keys:
                page.keyboard.press(key)
            if how != "right away":
                page.wait_for_timeout(1500)
            state = json.loads(rerun_cell(page, "# rest state", "STATE "))
            shown = json.loads(view.image.get_attribute("data-values"))
            assert int(view.frame_id()) >= frames + 1, "the page drew no frame"
            assert state["lr"] == shown["lr"] and state["x0"] == shown["x0"], (how, state, shown)
            assert (state["status"], state["last"]) == twin(state["lr"], state["x0"]), (how, state)
            view.wait_until(lambda v: v.status() == state["status"], f"the page's status line ({how})")
            computed = state["updates"] - updates
            assert computed <= len(keys) // 4, f"{how}: the kernel computed {computed} times for {len(keys)} presses"
            updates = state["updates"]
        assert abs(state["lr"] - 10 ** (-1 + 0.05 * 15)) < 1e-9, state
        assert view.error() == ""
    finally:
        leave_lab(page, server)
