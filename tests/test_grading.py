"""Grading end to end with nbgrader's own commands: generate, submit, autograde, read the gradebook.

Three students submit the assignment in a temporary nbgrader course directory:

* ``solver`` hands in the solutions: full marks on every test cell;
* ``blank`` hands in the student notebooks untouched: zero on every exercise;
* ``slip`` hands in solutions with plausible mistakes (tests/mutants/) in a few exercises: exactly
  those exercises lose points, every other test cell keeps its full marks.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exercise_tools import BEGIN, END, STUB, SOURCE_NOTEBOOKS, exercises, mutants, nbgrader_meta, source_of

pytest.importorskip("nbgrader", reason="the grading test needs nbgrader (the `instructor` extra)")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "scaling_optimization"
STUDENTS = ("solver", "blank", "slip")
#: how many notebooks the ``slip`` student hands in (each with mistakes), to keep the test short
SLIP_NOTEBOOKS = 3


def _nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"], cwd=course, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


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


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "source", course / "source")
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT
    student = {p.name: json.loads((release / p.name).read_text()) for p in SOURCE_NOTEBOOKS}
    source = {p.name: json.loads(p.read_text()) for p in SOURCE_NOTEBOOKS}

    _submit(course, "solver", {n: _fill(student[n], source[n], {}) for n in student})
    _submit(course, "blank", student)
    slipped: dict[str, list[str]] = {}
    for path in SOURCE_NOTEBOOKS:
        with_mutants = [ex for ex in exercises(path) if ex.is_implementation and mutants(ex)]
        if len(slipped) < SLIP_NOTEBOOKS and with_mutants:
            slipped[path.name] = [ex.grade_id for ex in with_mutants[:2]]
    wrong = {gid: mutants(ex)[0] for path in SOURCE_NOTEBOOKS for ex in exercises(path)
             for gid in [ex.grade_id] if any(gid in ids for ids in slipped.values())}
    _submit(course, "slip", {n: _fill(student[n], source[n], wrong) for n in slipped})

    _nbgrader(course, "autograde", ASSIGNMENT, "--force")

    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, dict[str, tuple[float, float]]]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for s in STUDENTS:
            for sub_nb in gb.find_submission(ASSIGNMENT, s).notebooks:
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
    for nb, cells in scores["blank"].items():
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
