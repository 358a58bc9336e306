"""Every student notebook runs top to bottom in a fresh clone set up the README's way (issue 22).

The module clones the repository (``git clone`` of HEAD; ``I2DL_FRESH_CLONE=worktree`` copies the tracked files
as they are in the working tree instead, uncommitted edits included), runs ``python3 course.py lab --setup-only``
there — exactly the set-up of ``python3 course.py lab``: a new .venv with the run-time dependencies only (pip's
cache makes it quick) — and executes each notebook in notebooks/ with that .venv's Python kernel and the
kernels' environment of ``course.py lab`` (``course._course_env()``), one notebook at a time (the notebooks
measure and print timings; running two at once on a shared machine would only disturb them).

* ``test_student_notebook_runs``: errors only in cells tagged ``raises-exception`` (the unanswered exercises'
  checks), no cell over its timeout, no dead kernel. This replaces nbval's run of notebooks/ (pytest's
  testpaths list tests/ and source/ only), so each student notebook is still executed once per test run.
* ``test_student_notebook_figures``: the figure lint (tests/figure_lint.py), installed in each kernel before the
  first cell, reports every figure a cell draws whose text is under 8 pt at the column width, whose markers
  hide another artist's, or whose axes show fewer than two labelled ticks. Findings listed in ``ALLOWED``
  (cell, kind, reason) are tolerated; an entry that no longer matches is printed so it can be removed.

Timings (set-up, each notebook, its slowest cells) are printed and written to test-artifacts/fresh-clone.json.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402

sys.path.pop(0)

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts"
CELL_TIMEOUT = 600        # seconds per cell (a notebook runs in seconds to a few minutes on a busy machine)
SETUP_TIMEOUT = 1800      # seconds for course.py lab --setup-only

#: Figure findings tolerated for now: (notebook, cell, kind, words of the finding, reason). Each is a figure that
#: issue 22 part 3 (or its follow-up) asks to fix; remove the entry when the fix lands (the test prints the entries
#: that no longer match). All six below: fontsize="x-small" (6.9 pt) in a package helper that the legend fixes of
#: issue 22 (style.legend_size, at least 9 pt) have not reached yet; not in the issue's list, reported to the lead.
_NB = {n[:2]: n for n in NOTEBOOKS}
_XSMALL = "legend or ticks at fontsize='x-small' (6.9 pt) in {}: not yet fixed, reported with issue 22"
ALLOWED: list[tuple[str, int, str, str, str]] = [
    (_NB["02"], 24, "text", "legend 6.94 pt", _XSMALL.format("plotting/basics.py regimes_plot")),
    (_NB["03"], 31, "text", "tick label 6.94 pt", _XSMALL.format("plotting/basics.py convexity_gallery")),
    (_NB["06"], 28, "text", "legend 6.94 pt", _XSMALL.format("widgets/sgd.py SGDExplorer")),
    (_NB["07"], 27, "text", "legend 6.94 pt", _XSMALL.format("widgets/momentum.py MomentumExplorer")),
    (_NB["07"], 41, "text", "legend 6.94 pt", _XSMALL.format("widgets/race.py OptimizerRace")),
    (_NB["08"], 48, "text", "legend 6.94 pt", _XSMALL.format("widgets/training.py Training")),
]


def _clone(dest: Path, how: str) -> str:
    """Make ``dest`` a fresh copy of the repository; return what it is a copy of."""
    if how == "worktree":
        files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
        for name in filter(None, files.decode().split("\0")):
            source = ROOT / name
            if source.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name)
        return "the tracked files of the working tree"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest)], check=True,
                   capture_output=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=dest, check=True, capture_output=True,
                          text=True).stdout.strip()
    return f"HEAD ({head})"


def _kernel_env() -> dict[str, str]:
    """course.py's kernel environment, without what pytest added (conftest's MPLBACKEND=Agg would hide figures)."""
    env = course._course_env()
    for name in ("MPLBACKEND", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of the course (the test clones it)")
    how = os.environ.get("I2DL_FRESH_CLONE", "head")
    base = tmp_path_factory.mktemp("fresh-clone")
    dest = base / "course"
    dest.mkdir()
    made_from = _clone(dest, how)
    python = shutil.which("python3") or sys.executable  # the README's `python3`
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    start = time.perf_counter()
    done = subprocess.run([python, "course.py", "lab", "--setup-only"], cwd=dest, env=env, capture_output=True,
                          text=True, timeout=SETUP_TIMEOUT)
    setup_s = time.perf_counter() - start
    if done.returncode != 0:
        noise = ("WARNING: Location",)
        log = "\n".join(line for line in (done.stdout + done.stderr).splitlines() if not line.startswith(noise))
        pytest.fail(f"python3 course.py lab --setup-only failed in a fresh clone ({done.returncode}):\n{log[-4000:]}")
    venv_python = dest / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    assert venv_python.exists()
    state = {"root": dest, "python": venv_python, "setup_s": setup_s, "results": {}, "made_from": made_from}
    yield state
    _write_artifact(state)
    if not os.environ.get("I2DL_KEEP_FRESH_CLONE"):
        shutil.rmtree(base, ignore_errors=True)


def _write_artifact(state) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {"made_from": state["made_from"], "setup_s": round(state["setup_s"], 1), "notebooks": {
        name: {"total_s": r["total_s"], "kernel_start_s": r.get("kernel_start_s"),
               "slowest_cells": _slowest(r), "findings": r["findings"],
               "errors": {c["index"]: [e["ename"] for e in c["errors"]] for c in r["cells"] if c["errors"]}}
        for name, r in state["results"].items()}}
    (ARTIFACTS / "fresh-clone.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")


def _slowest(result, n=3):
    cells = sorted(result["cells"], key=lambda c: -c["seconds"])[:n]
    return {f"c{c['index']}": c["seconds"] for c in cells}


def _run(state, name: str) -> dict:
    """Run notebooks/NAME in the fresh clone (once per test session) and return the runner's report."""
    if name in state["results"]:
        return state["results"][name]
    if not state["results"]:
        print(f"\nfresh clone of {state['made_from']}: `python3 course.py lab --setup-only` took "
              f"{state['setup_s']:.0f} s")
    root = state["root"]
    report = root / f".report-{name}.json"
    cmd = [str(state["python"]), str(root / "tests" / "notebook_runner.py"), str(root / "notebooks" / name),
           str(report), "--lint", str(root / "tests" / "figure_lint.py"), "--timeout", str(CELL_TIMEOUT)]
    done = subprocess.run(cmd, cwd=root, env=_kernel_env(), capture_output=True, text=True,
                          timeout=CELL_TIMEOUT * 4)
    if done.returncode != 0 or not report.exists():
        pytest.fail(f"the notebook runner failed on {name}:\n{(done.stdout + done.stderr)[-4000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    state["results"][name] = result
    slow = ", ".join(f"{k} {v:.1f} s" for k, v in _slowest(result).items())
    print(f"\nfresh clone: {name} ran in {result['total_s']:.1f} s "
          f"(kernel start {result.get('kernel_start_s', 0):.1f} s; slowest cells: {slow})")
    return result


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_student_notebook_runs(fresh_clone, name, capsys):
    with capsys.disabled():
        result = _run(fresh_clone, name)
    assert result["aborted"] is None, f"{name}: {result['aborted']}"
    unexpected = [c for c in result["cells"] if c["errors"] and "raises-exception" not in c["tags"]]
    message = "\n".join(
        f"  cell {c['index']}: {e['ename']}: {e['evalue'][:300]}\n      " + "\n      ".join(e["traceback"][-3:])
        for c in unexpected for e in c["errors"])
    assert not unexpected, (f"{name}: errors in cells not tagged raises-exception, in a fresh clone set up by "
                            f"`python3 course.py lab`:\n{message}")


def _allowed(name: str, finding: dict):
    for entry in ALLOWED:
        nb, cell, kind, words, _reason = entry
        if nb == name and cell == finding["cell"] and kind == finding["kind"] and words in finding["detail"]:
            return entry
    return None


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_student_notebook_figures(fresh_clone, name, capsys):
    with capsys.disabled():
        result = _run(fresh_clone, name)
    findings = result["findings"]
    errors = [f for f in findings if f["kind"] == "lint-error"]
    assert not errors, f"{name}: the figure lint itself failed: {errors}"
    used = {_allowed(name, f) for f in findings} - {None}
    stale = [e for e in ALLOWED if e[0] == name and e not in used]
    if stale:
        with capsys.disabled():
            print(f"\n{name}: allowed figure findings no longer found (remove them from ALLOWED): {stale}")
    bad = [f for f in findings if _allowed(name, f) is None]
    message = "\n".join(f"  cell {f['cell']}: {f['kind']}: {f['figure']}\n      {f['detail']}" for f in bad)
    assert not bad, f"{name}: figures a student cannot read well (tests/figure_lint.py explains the checks):\n{message}"
