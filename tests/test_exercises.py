"""The exercises: one nbgrader source, student notebooks made from it, checks that can fail.

* ``notebooks/`` is exactly what ``python3 course.py release`` makes from ``source/``;
* every notebook has at least two implementation exercises, each with visible and hidden tests;
* no answer of the instructor notebook appears anywhere in the student notebook;
* mutation: for every exercise the solution passes its checks, the unanswered stub fails them with
  "not answered yet", and every recorded wrong answer (tests/mutants/) fails at least one of them.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from exercise_tools import (BEGIN, END, HIDDEN_BEGIN, SOURCE_NOTEBOOKS, STUDENT, Exercise, all_exercises,
                            exercises, load, mutants, nbgrader_meta, region, run_exercise, source_of)

from i2dl_helpers.exercises import NotAnswered, WrongAnswer

pytest.importorskip("nbgrader", reason="the exercise tests need nbgrader (the `instructor` extra)")

EXERCISES = all_exercises()
ROOT = Path(__file__).resolve().parents[1]


def test_every_notebook_has_a_source():
    assert SOURCE_NOTEBOOKS
    assert sorted(p.name for p in STUDENT.glob("*.ipynb")) == [p.name for p in SOURCE_NOTEBOOKS]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    try:
        import course
    finally:
        sys.path.pop(0)
    out = tmp_path_factory.mktemp("release")
    return course.generate(out, python=Path(sys.executable))


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_is_the_release_of_its_source(path, released):
    made = json.loads((released / path.name).read_text(encoding="utf-8"))
    committed = load(STUDENT / path.name)
    assert committed == made, (f"notebooks/{path.name} differs from what nbgrader makes of "
                               f"source/: run `python3 course.py release` and commit notebooks/")


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.name)
def test_at_least_two_implementation_exercises(path):
    implemented = [ex.grade_id for ex in exercises(path) if ex.is_implementation]
    assert len(implemented) >= 2, f"{path.name} has {len(implemented)} implementation exercises: {implemented}"


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.name)
def test_nbgrader_cells_are_well_formed(path):
    nb = load(path)
    ids = [nbgrader_meta(c)["grade_id"] for c in nb["cells"] if nbgrader_meta(c).get("grade_id")]
    assert len(ids) == len(set(ids)), f"duplicate grade_id in {path.name}"
    prefix = path.name[:2]
    for cell in nb["cells"]:
        meta, src = nbgrader_meta(cell), source_of(cell)
        if (BEGIN in src or HIDDEN_BEGIN in src) and not meta:
            pytest.fail(f"{path.name}: a cell has nbgrader markers but no nbgrader metadata:\n{src[:200]}")
        if not meta or meta.get("task"):
            continue
        assert meta.get("schema_version") == 3
        assert meta["grade_id"].startswith(f"nb{prefix}_"), f"grade_id {meta['grade_id']} must start nb{prefix}_"
        if meta.get("grade"):
            assert meta.get("locked") and meta.get("points", 0) > 0, f"{meta['grade_id']}: locked, with points"
            assert "raises-exception" in cell["metadata"].get("tags", []), \
                f"{meta['grade_id']}: tag test cells raises-exception so Run All carries on when unanswered"
    for ex in exercises(path):
        assert ex.tests, f"{ex.grade_id} has no test cell"
        assert all(gid.startswith(ex.grade_id + "_test") for gid, _, _ in ex.tests), \
            f"test cells of {ex.grade_id} are named {ex.grade_id}_test…"
        assert any(HIDDEN_BEGIN in src for _, src, _ in ex.tests), \
            f"{ex.grade_id}: no hidden tests (other inputs, so a hard-coded answer fails)"


def _answer_lines(src: str) -> set[str]:
    lines = set()
    for line in region(src).splitlines():
        line = line.strip()
        if len(line) >= 8 and not line.startswith("#") and line not in {"return result", "pass"}:
            lines.add(line)
    return lines


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.name)
def test_answers_are_nowhere_in_the_student_notebook(path):
    nb = load(path)
    outside = set()
    for cell in nb["cells"]:
        src = source_of(cell)
        if BEGIN in src:
            lines = src.splitlines()
            b = next(i for i, x in enumerate(lines) if x.strip() == BEGIN)
            e = next(i for i, x in enumerate(lines) if x.strip() == END)
            src = "\n".join(lines[:b] + lines[e + 1:])
        outside |= {x.strip() for x in src.splitlines()}
    student = "\n".join(source_of(c) for c in load(STUDENT / path.name)["cells"])
    assert BEGIN not in student and HIDDEN_BEGIN not in student
    for ex in exercises(path):
        for line in _answer_lines(ex.solution) - outside:
            assert line not in student, f"{path.name}: the answer line {line!r} of {ex.grade_id} is in the student notebook"


def _outcomes(ex: Exercise, solution: str):
    return run_exercise(solution, [src for _, src, _ in ex.tests])


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.grade_id)
def test_solution_passes_and_stub_says_not_answered(ex):
    failures = [o for o in _outcomes(ex, ex.solution) if o is not None]
    assert not failures, f"{ex.grade_id}: the solution fails its own checks: {failures[0]!r}"
    stub = _outcomes(ex, ex.student_version())
    if ex.is_implementation:
        assert all(isinstance(o, NotAnswered) for o in stub), \
            f"{ex.grade_id}: unanswered should fail every check with NotAnswered, got {stub!r}"
        assert all("not answered yet" in str(o) for o in stub)
    else:
        assert all(o is not None for o in stub)


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.is_implementation], ids=lambda e: e.grade_id)
def test_every_wrong_answer_fails_a_check(ex):
    wrong = mutants(ex)
    assert wrong, f"no wrong answers recorded for {ex.grade_id} in tests/mutants/{ex.grade_id.split('_')[0]}.py"
    for body in wrong + ["return None", "pass"]:
        outcomes = _outcomes(ex, ex.with_region(body))
        caught = [o for o in outcomes if o is not None]
        assert caught, f"{ex.grade_id}: this wrong answer passes every check:\n{body}"
        for o in caught:
            assert isinstance(o, (WrongAnswer, NotAnswered)), \
                f"{ex.grade_id}: a wrong answer should get feedback (WrongAnswer), not {o!r}"
            assert len(str(o)) > 20, f"{ex.grade_id}: feedback too short to teach: {o}"
