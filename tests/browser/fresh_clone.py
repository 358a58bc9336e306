"""The fresh clone the student notebooks run in (issue 22), set up once per test run, and the checks of their runs.

``build_shared(base)`` clones the repository (``git clone`` of HEAD; ``I2DL_FRESH_CLONE=worktree`` copies the
tracked files as they are in the working tree instead, uncommitted edits included) into ``base/fresh-clone`` and
runs ``python3 course.py lab --setup-only`` there — exactly the set-up of ``python3 course.py lab``: a new .venv
with the run-time dependencies only (pip's cache makes it quick). ``base`` is shared by the two workers of a full
run (the parent of their temporary folders): the first one to ask builds the clone under a file lock, the other
waits and reuses it; the last one to leave removes it (``I2DL_KEEP_FRESH_CLONE=1`` keeps it).

tests/browser/test_jupyterlab.py then runs every student notebook in that clone's JupyterLab (the clone's
.venv, its notebooks/, the kernels' environment of ``course.py lab``: ``kernel_env()``) in Chromium: Run All is
the only execution of a student notebook in a test run. An IPython start-up file (``startup_file``) installs the
figure lint (tests/figure_lint.py) in each student notebook's kernel before the first cell and records, per cell,
its run time and the exception it raised; ``notebook_report`` reads them, ``figure_problems`` applies ``ALLOWED``.

Timings (set-up, each notebook, its slowest cells) go to test-artifacts/fresh-clone.json (``write_artifact``).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402

sys.path.pop(0)

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts"
SETUP_TIMEOUT = 1800      # seconds for course.py lab --setup-only

#: Figure findings tolerated for now: (notebook, cell, kind, words of the finding, reason). Each is a figure that
#: issue 22 part 3 (or its follow-up) asks to fix; remove the entry when the fix lands (the test prints the entries
#: that no longer match, and writes them to test-artifacts/fresh-clone.json). All six below: fontsize="x-small"
#: (6.9 pt) in a package helper that the legend fixes of issue 22 (style.legend_size, at least 9 pt) have not
#: reached yet; not in the issue's list, reported to the lead.
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


# -- the clone --------------------------------------------------------------------------------------------------
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


def kernel_env() -> dict[str, str]:
    """course.py's kernel environment, without what pytest added (conftest's MPLBACKEND=Agg would hide figures,
    PYTHONPATH would import this checkout instead of the clone)."""
    env = course._course_env()
    for name in ("MPLBACKEND", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS", "VIRTUAL_ENV", "PYTHONPATH",
                 "PYTHONHOME", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        env.pop(name, None)
    return env


def _set_up(dest: Path) -> dict:
    """Clone into ``dest`` and run ``python3 course.py lab --setup-only`` there; the facts of the set-up."""
    dest.mkdir(parents=True)
    made_from = _clone(dest, os.environ.get("I2DL_FRESH_CLONE", "head"))
    python = shutil.which("python3") or sys.executable  # the README's `python3`
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    start = time.perf_counter()
    done = subprocess.run([python, "course.py", "lab", "--setup-only"], cwd=dest, env=env, capture_output=True,
                          text=True, timeout=SETUP_TIMEOUT)
    setup_s = time.perf_counter() - start
    if done.returncode != 0:
        noise = ("WARNING: Location",)
        log = "\n".join(line for line in (done.stdout + done.stderr).splitlines() if not line.startswith(noise))
        raise SetUpFailed(f"python3 course.py lab --setup-only failed in a fresh clone ({done.returncode}):\n"
                          f"{log[-4000:]}")
    return {"made_from": made_from, "setup_s": round(setup_s, 1)}


class SetUpFailed(RuntimeError):
    pass


def _build(root: Path) -> dict:
    """Set up the clone in ``root``; check that its .venv has what a student's JupyterLab needs."""
    facts = _set_up(root)
    check = subprocess.run([str(venv_python(root)), "-c", "import ipykernel, jupyterlab, i2dl_helpers, "
                            "i2dl_helpers_server; print(i2dl_helpers.__file__)"],
                           capture_output=True, text=True, env=kernel_env(), cwd=root / "notebooks")
    if check.returncode != 0 or not Path(check.stdout.strip()).resolve().is_relative_to(root.resolve()):
        raise SetUpFailed(f"the fresh clone's .venv lacks ipykernel, JupyterLab or the course's package "
                          f"(from the clone):\n{check.stdout}{check.stderr}")
    return facts


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` between the processes of a run (filelock, else fcntl)."""
    try:
        from filelock import FileLock
    except ImportError:
        import fcntl

        with open(path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    with FileLock(str(path), timeout=SETUP_TIMEOUT + 300):
        yield


def venv_python(root: Path) -> Path:
    return root / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@contextlib.contextmanager
def shared_clone(base: Path, user: str):
    """The fresh clone in ``base/fresh-clone`` (built by the first process to ask, under a lock; reused by the
    others): yields {"root", "python", "made_from", "setup_s", "built_here", "shared"}. The last process to
    leave removes it (unless ``I2DL_KEEP_FRESH_CLONE`` is set)."""
    shared = base / "fresh-clone"
    lock = base / "fresh-clone.lock"
    root = shared / "course"
    with _locked(lock):
        ready = shared / "ready.json"
        failed = base / "fresh-clone.failed"
        if failed.exists():  # the other worker tried: one report of it is enough
            raise SetUpFailed(failed.read_text())
        built_here = not ready.exists()
        if built_here:
            shutil.rmtree(shared, ignore_errors=True)  # a build that failed half-way
            shared.mkdir(parents=True)
            try:
                facts = _build(root)
            except BaseException as exc:
                failed.write_text(f"(set up by another worker) {exc}")
                raise
            (shared / "results").mkdir()
            ready.write_text(json.dumps(dict(facts, set_up_by=user)))
        facts = json.loads(ready.read_text())
        users = shared / "users"
        users.write_text(users.read_text() + f"{user}\n" if users.exists() else f"{user}\n")
    try:
        yield dict(facts, root=root, python=venv_python(root), user=user, built_here=built_here, shared=shared)
    finally:
        with _locked(lock):
            left = [u for u in users.read_text().splitlines() if u != user] if users.exists() else []
            if left:
                users.write_text("".join(f"{u}\n" for u in left))
            elif not os.environ.get("I2DL_KEEP_FRESH_CLONE"):
                shutil.rmtree(shared, ignore_errors=True)


# -- inside each student notebook's kernel ----------------------------------------------------------------------
_STARTUP = r'''"""Written by tests/browser/fresh_clone.py: in the kernel of each notebook of the fresh clone's JupyterLab
(JPY_SESSION_NAME, set by jupyter_server, names it), the figure lint of tests/figure_lint.py and, per cell, its
run time and exception, in files named after the notebook."""


def _i2dl_checks(lint, out):
    import importlib.util
    import json
    import os
    import sys
    import time

    name = os.path.basename(os.environ.get("JPY_SESSION_NAME", "")) or f"no-session-name-{os.getpid()}"
    shell = get_ipython()  # noqa: F821
    spec = importlib.util.spec_from_file_location("_i2dl_figure_lint", lint)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_i2dl_figure_lint"] = module
    spec.loader.exec_module(module)
    module.install(shell, os.path.join(out, name + ".figures.jsonl"))
    started = {}

    def before(info):
        started["t"] = time.perf_counter()

    def after(result):
        error = result.error_in_exec or result.error_before_exec
        record = {"execution_count": result.execution_count,
                  "seconds": round(time.perf_counter() - started.pop("t", time.perf_counter()), 3),
                  "error": type(error).__name__ if error is not None else None}
        with open(os.path.join(out, name + ".cells.jsonl"), "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")

    shell.events.register("pre_run_cell", before)
    shell.events.register("post_run_cell", after)


_i2dl_checks(__LINT__, __OUT__)
del _i2dl_checks
'''


def startup_file(ipython_dir: Path, clone: Path, out: Path) -> Path:
    """Write the start-up file of the lab's IPython profile (the lab's IPYTHONDIR is ``ipython_dir``) that
    installs the figure lint of the clone's tests/figure_lint.py in each notebook's kernel and records into
    ``out`` (``notebook_report`` reads it)."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    path = startup / "00-i2dl-student-notebook-checks.py"
    text = _STARTUP.replace("__LINT__", repr(str(clone / "tests" / "figure_lint.py"))).replace("__OUT__", repr(str(out)))
    path.write_text(text, encoding="utf-8")
    return path


def write_kernelspec(data_dir: Path, python: Path) -> Path:
    """The lab's ``python3`` kernel (its isolated JUPYTER_DATA_DIR): the fresh clone's .venv Python."""
    spec = data_dir / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python", "metadata": {"debugger": True}}, indent=1))
    return spec / "kernel.json"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def notebook_report(out: Path, notebook: Path) -> dict:
    """What the kernel of ``notebook`` recorded in ``out``: its cells ({index, tags, seconds, error}) and the
    figure findings ({cell, kind, figure, detail}), cells by index among all cells (execution count k is the
    k-th code cell: Run All in a new kernel)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    cell_of = {k + 1: index for k, index in enumerate(code)}
    cells = [{"index": cell_of.get(r["execution_count"]), "execution_count": r["execution_count"],
              "tags": list(nb.cells[cell_of[r["execution_count"]]].metadata.get("tags", []))
              if r["execution_count"] in cell_of else [], "seconds": r["seconds"], "error": r["error"]}
             for r in _jsonl(out / f"{notebook.name}.cells.jsonl")]
    findings = [dict({k: v for k, v in r.items() if k != "execution_count"}, cell=cell_of.get(r.get("execution_count")))
                for r in _jsonl(out / f"{notebook.name}.figures.jsonl")]
    return {"code_cells": len(code), "cells": cells, "findings": findings}


def _allowed(name: str, finding: dict):
    for entry in ALLOWED:
        nb, cell, kind, words, _reason = entry
        if nb == name and cell == finding["cell"] and kind == finding["kind"] and words in finding["detail"]:
            return entry
    return None


def figure_problems(name: str, findings: list[dict]) -> tuple[list[str], list[tuple]]:
    """(problems, stale ALLOWED entries of ``name``): a failure of the lint itself, or a finding not in ALLOWED."""
    errors = [f for f in findings if f["kind"] == "lint-error"]
    if errors:
        return [f"the figure lint itself failed: {errors}"], []
    used = {_allowed(name, f) for f in findings} - {None}
    stale = [e for e in ALLOWED if e[0] == name and e not in used]
    bad = [f for f in findings if _allowed(name, f) is None]
    return [f"  cell {f['cell']}: {f['kind']}: {f['figure']}\n      {f['detail']}" for f in bad], stale


def slowest(cells: list[dict], n: int = 3) -> dict:
    return {f"c{c['index']}": c["seconds"] for c in sorted(cells, key=lambda c: -c["seconds"])[:n]}


def record(clone: dict, name: str, result: dict) -> None:
    """Add one notebook's run to the clone's results (shared by the workers) and rewrite
    test-artifacts/fresh-clone.json from them."""
    results = clone["shared"] / "results"
    with _locked(clone["shared"].parent / "fresh-clone.lock"):
        result = dict(result, run_by=clone["user"])
        (results / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        summary = {"made_from": clone["made_from"], "setup_s": clone["setup_s"], "set_up_by": clone["set_up_by"],
                   "executed_by": "Run All in the fresh clone's JupyterLab (tests/browser/test_jupyterlab.py)",
                   "notebooks": {p.stem: json.loads(p.read_text(encoding="utf-8"))
                                 for p in sorted(results.glob("*.json"))}}
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "fresh-clone.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False),
                                                    encoding="utf-8")
