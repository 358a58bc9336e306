"""Grading end to end with nbgrader's own commands: generate, submit, autograde, read the gradebook;
and the one run of every instructor notebook.

Three students submit the assignment in a temporary nbgrader course directory, and ``autograde``
executes every notebook handed in (one kernel each):

* ``solver`` hands in the solutions of every notebook: full marks on every test cell. The notebooks
  autograde executes for it (the student versions with the solutions written in and the hidden tests
  put back: the instructor notebooks' code) are also the notebook check of ``source/``: no cell
  raises unless it is tagged ``raises-exception`` (nbval's criterion; nbval no longer runs
  ``source/``, so each instructor notebook is executed once per test run);
* ``blank`` hands in one student notebook untouched: zero on every exercise of it;
* ``slip`` hands in one notebook's solutions with plausible mistakes (tests/mutants/) in two exercises: exactly
  those exercises lose points, every other test cell keeps its full marks.

The pipeline needs the blank and slipped hand-ins only for one notebook each (tests/test_hub.py also grades an
unanswered hand-in through the hub's nbgrader cycle): for *every* exercise,
tests/test_exercises.py already runs its test cells (hidden tests included) in-process and checks that
the unanswered stub fails each of them with "not answered yet", that the solution passes, and that every
recorded mistake fails; the student notebooks themselves run top to bottom in the browser, in the
JupyterLab of a fresh clone (tests/browser/test_jupyterlab.py).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from exercise_tools import (BEGIN, END, STUB, SOURCE_NOTEBOOKS, STUDENT, exercises, load, mutants, nbgrader_meta,
                            source_of)

pytest.importorskip("nbgrader", reason="the grading test needs nbgrader (the `instructor` extra)")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "scaling_optimization"
STUDENTS = ("solver", "blank", "slip")
#: how many notebooks the ``slip`` student hands in (each with mistakes), to keep the test short
SLIP_NOTEBOOKS = 1
#: how many student notebooks the ``blank`` student hands in untouched (the first ones)
BLANK_NOTEBOOKS = 1


def _nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    global _running
    if _stopping.is_set():
        raise RuntimeError("the test session ended before grading")
    with subprocess.Popen([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"], cwd=course, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True) as proc:
        _running = proc
        try:
            out, err = proc.communicate()
        finally:
            _running = None
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{out}\n{err}"


def _answered(student_src: str, source_src: str, body: str | None = None) -> str:
    """The student's solution cell with the solution (or ``body``) written in place of the stub."""
    lines = source_src.splitlines()
    b = next(i for i, x in enumerate(lines) if x.strip() == BEGIN)
    e = next(i for i, x in enumerate(lines) if x.strip() == END)
    indent = lines[b][: len(lines[b]) - len(lines[b].lstrip())]
    if body is None:
        answer = lines[b + 1:e]
    else:
        import textwrap
        answer = textwrap.indent(textwrap.dedent(body).strip("\n"), indent).splitlines()
    stub = "\n".join(indent + x for x in STUB.splitlines())
    assert stub in student_src, "the student cell does not hold nbgrader's stub"
    return student_src.replace(stub, "\n".join(answer), 1)


def _submit(course: Path, student: str, notebooks: dict[str, dict]) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    for name, nb in notebooks.items():
        (folder / name).write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _fill(student_nb: dict, source_nb: dict, wrong: dict[str, str]) -> dict:
    """Answer every solution cell of ``student_nb``; ``wrong`` maps grade_id -> a wrong body."""
    nb = json.loads(json.dumps(student_nb))
    sources = {nbgrader_meta(c).get("grade_id"): source_of(c) for c in source_nb["cells"]}
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        if cell["cell_type"] == "code" and meta.get("solution"):
            gid = meta["grade_id"]
            cell["source"] = _answered(source_of(cell), sources[gid], wrong.get(gid))
    return nb


def _grade(course: Path) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """Generate the assignment in the empty folder ``course``, hand in the three students' notebooks and
    autograde them; returns (names of the notebooks each student handed in, slipped grade_ids)."""
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT
    student = {p.name: json.loads((release / p.name).read_text()) for p in SOURCE_NOTEBOOKS}
    source = {p.name: load(course / "source" / ASSIGNMENT / p.name) for p in SOURCE_NOTEBOOKS}

    _submit(course, "solver", {n: _fill(student[n], source[n], {}) for n in student})
    blank = {n: student[n] for n in sorted(student)[:BLANK_NOTEBOOKS]}
    _submit(course, "blank", blank)
    slipped: dict[str, list[str]] = {}
    for path in SOURCE_NOTEBOOKS:
        with_mutants = [ex for ex in exercises(path) if ex.is_implementation and mutants(ex)]
        if len(slipped) < SLIP_NOTEBOOKS and with_mutants:
            slipped[path.name] = [ex.grade_id for ex in with_mutants[:2]]
    wrong = {gid: mutants(ex)[0] for path in SOURCE_NOTEBOOKS for ex in exercises(path)
             for gid in [ex.grade_id] if any(gid in ids for ids in slipped.values())}
    _submit(course, "slip", {n: _fill(student[n], source[n], wrong) for n in slipped})

    _nbgrader(course, "autograde", ASSIGNMENT, "--force")
    handed_in = {"solver": set(student), "blank": set(blank), "slip": set(slipped)}
    return {s: {Path(n).stem for n in names} for s, names in handed_in.items()}, slipped


class _Job(threading.Thread):
    """``_grade`` in a temporary course folder, on a thread: nbgrader's kernels use the second core while
    the rest of the tests run (``start_in_background``)."""

    def __init__(self):
        super().__init__(name="autograde", daemon=True)
        self.folder = Path(tempfile.mkdtemp(prefix="i2dl-grading-"))
        self.outcome: tuple | BaseException | None = None

    def run(self):
        try:
            self.outcome = _grade(self.folder)
        except BaseException as exc:  # handed to the tests that wait for it
            self.outcome = exc

    def result(self):
        self.join()
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return (self.folder, *self.outcome)

    def remove(self):
        self.join()
        shutil.rmtree(self.folder, ignore_errors=True)


_job: _Job | None = None
#: the nbgrader command running now, and the signal to start no other
_running: subprocess.Popen | None = None
_stopping = threading.Event()


def start_in_background(items=None) -> _Job | None:
    """Start grading now (once). tests/conftest.py calls this with this module's selected tests when
    collection is done, so the notebooks run while the tests before this module do (if one needs them)."""
    global _job
    if items is not None and not any("course" in item.fixturenames for item in items):
        return None
    if _job is None:
        _job = _Job()
        _job.start()
    return _job


def stop_background() -> None:
    """At the end of the session (tests/conftest.py): stop a grading job no test waited for (a run stopped
    early) with its kernels, and remove its folder."""
    _stopping.set()
    proc = _running
    if proc is not None and proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    if _job is not None:
        _job.remove()


@pytest.fixture(scope="module")
def course():
    """The course folder after ``autograde``: (folder, {student: stems of the notebooks handed in},
    {notebook: slipped grade_ids})."""
    job = start_in_background()
    try:
        yield job.result()
    finally:
        job.remove()


@pytest.fixture(scope="module")
def graded(course):
    """(scores, slipped): scores[student][notebook][grade_id] = (score, max_score) of the notebooks the
    student handed in (nbgrader also lists the others, at zero); slipped[notebook] = the wrong grade_ids."""
    folder, handed_in, slipped = course
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, dict[str, tuple[float, float]]]] = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        for s in STUDENTS:
            for sub_nb in gb.find_submission(ASSIGNMENT, s).notebooks:
                if sub_nb.name in handed_in[s]:
                    scores.setdefault(s, {})[sub_nb.name] = {
                        g.name: (g.score, g.max_score) for g in sub_nb.grades if g.cell.cell_type == "code"}
    return scores, slipped


def test_solutions_get_full_marks(graded):
    scores, _ = graded
    assert set(scores["solver"]) == {p.stem for p in SOURCE_NOTEBOOKS}
    for nb, cells in scores["solver"].items():
        lost = {g: s for g, s in cells.items() if s[0] != s[1]}
        assert len(cells) >= 2, f"{nb}: {len(cells)} graded test cells, expected at least two exercises"
        assert not lost, f"the solutions of {nb} lose points: {lost}"


def test_unanswered_notebooks_get_zero(graded):
    scores, _ = graded
    assert len(scores["blank"]) == BLANK_NOTEBOOKS
    for nb, cells in scores["blank"].items():
        assert cells, f"{nb}: no graded cells"
        earned = {g: s for g, s in cells.items() if s[0] != 0}
        assert not earned, f"unanswered exercises of {nb} earn points: {earned}"


def test_mistakes_lose_exactly_their_exercises(graded):
    scores, slipped = graded
    assert slipped, "no wrong answers recorded in tests/mutants/"
    for name, wrong_ids in slipped.items():
        cells = scores["slip"][Path(name).stem]
        for gid in wrong_ids:
            mine = {g: s for g, s in cells.items() if g.startswith(gid + "_test")}
            assert mine and sum(s[0] for s in mine.values()) < sum(s[1] for s in mine.values()), \
                f"{name}: the mistake in {gid} costs no points: {mine}"
        others = {g: s for g, s in cells.items() if not any(g.startswith(w + "_test") for w in wrong_ids)}
        lost = {g: s for g, s in others.items() if s[0] != s[1]}
        assert not lost, f"{name}: exercises answered correctly lose points: {lost}"


# -- the instructor notebooks, as autograde executed them ---------------------------------------------
def _traceback(output: dict) -> str:
    text = "\n".join(output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"])
    return re.sub(r"\x1b\[[0-9;]*m", "", text)[-3000:]


def unexpected_errors(ran: dict, source: dict) -> list[str]:
    """nbval's criterion on an executed notebook ``ran``: every code cell ran, and none raised unless the same
    cell (by id) of ``source`` is tagged ``raises-exception``. One message per failure."""
    if [c.get("id") for c in ran["cells"]] != [c.get("id") for c in source["cells"]]:
        return ["the executed copy does not have the notebook's cells"]
    tagged = {c.get("id") for c in source["cells"] if "raises-exception" in c.get("metadata", {}).get("tags", [])}
    found = [f"cell {i} did not run:\n{source_of(c)[:400]}" for i, c in enumerate(ran["cells"])
             if c["cell_type"] == "code" and c.get("execution_count") is None and source_of(c).strip()]
    found += [f"cell {i} raised:\n{source_of(c)[:400]}\n{_traceback(o)}" for i, c in enumerate(ran["cells"])
              if c.get("id") not in tagged for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return found


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_is_the_release_of_its_source(course, path):
    """notebooks/ holds exactly what nbgrader's generate_assignment made of source/ in the course above."""
    folder, _, _ = course
    made = json.loads((folder / "release" / ASSIGNMENT / path.name).read_text(encoding="utf-8"))
    assert load(STUDENT / path.name) == made, (f"notebooks/{path.name} differs from what nbgrader makes of "
                                               f"source/: run `python3 course.py release` and commit notebooks/")


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.name)
def test_instructor_notebook_runs_without_errors(course, path):
    """Every cell of the instructor notebook ran without raising, except cells tagged ``raises-exception``
    (nbval's criterion, on the copy autograde executed for the ``solver``: same code, solutions written
    in, hidden tests put back)."""
    folder, _, _ = course
    ran = load(folder / "autograded" / "solver" / ASSIGNMENT / path.name)
    source = load(folder / "source" / ASSIGNMENT / path.name)  # the copy the course was generated from
    errors = unexpected_errors(ran, source)
    assert not errors, f"{path.name}:\n" + "\n\n".join(errors[:3])


def test_the_notebook_check_can_fail():
    """An error in an untagged cell, a cell that did not run and a changed cell list are caught; an error in
    a cell tagged ``raises-exception`` is not."""
    import nbformat

    def notebook(*cells):
        nb = nbformat.v4.new_notebook()
        nb.cells = list(cells)
        return json.loads(nbformat.writes(nb))

    ok, bad, tagged = (nbformat.v4.new_code_cell(src) for src in ("x = 1", "1 / 0", "raise ValueError"))
    tagged.metadata["tags"] = ["raises-exception"]
    source = notebook(ok, bad, tagged)
    ran = json.loads(json.dumps(source))
    for i, cell in enumerate(ran["cells"]):
        cell["execution_count"] = i + 1
    error = {"output_type": "error", "ename": "E", "evalue": "", "traceback": ["\x1b[0;31mE\x1b[0m"]}
    ran["cells"][2]["outputs"] = [error]
    assert unexpected_errors(ran, source) == []
    ran["cells"][1]["outputs"] = [error]
    assert [e.split(":")[0] for e in unexpected_errors(ran, source)] == ["cell 1 raised"]
    ran["cells"][1]["outputs"], ran["cells"][0]["execution_count"] = [], None
    assert [e.split(":")[0] for e in unexpected_errors(ran, source)] == ["cell 0 did not run"]
    assert unexpected_errors({"cells": ran["cells"][:2]}, source) == ["the executed copy does not have the notebook's cells"]
