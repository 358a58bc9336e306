"""The exercises: one nbgrader source, student notebooks made from it, checks that can fail.

* (``notebooks/`` is exactly what ``python3 course.py release`` makes from ``source/``: tests/test_grading.py,
  on the release its nbgrader course generates);
* every notebook has at least two implementation exercises, each with visible and hidden tests;
* no answer of the instructor notebook appears anywhere in the student notebook;
* mutation: for every exercise the solution passes its checks, the unanswered stub fails them with
  "not answered yet", and every recorded wrong answer (tests/mutants/) fails at least one of them;
* over many seeds (more than the visible and hidden tests use): the solution and every right answer
  written in another style (``VARIANTS``) pass each check, and every recorded wrong answer fails each
  check, so no seed a hidden test might use lets a known mistake through;
* feedback does not reveal: a wrong answer that is the right one scaled by a factor gets a message
  from which neither the expected value nor the factor can be read.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from exercise_tools import (BEGIN, END, HIDDEN_BEGIN, SOURCE_NOTEBOOKS, STUDENT, Exercise, all_exercises,
                            checks_of, exercises, load, load_function, mutants, nbgrader_meta, region,
                            run_exercise, source_of, variants)

from i2dl_helpers.exercises import NotAnswered, WrongAnswer

pytest.importorskip("nbgrader", reason="the exercise tests need nbgrader (the `instructor` extra)")

EXERCISES = all_exercises()


def test_every_notebook_has_a_source():
    assert SOURCE_NOTEBOOKS
    assert sorted(p.name for p in STUDENT.glob("*.ipynb")) == [p.name for p in SOURCE_NOTEBOOKS]


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


#: seeds of the property tests: more than the visible check (0) and the hidden tests use
SEEDS = range(10)
IMPLEMENTATIONS = [e for e in EXERCISES if e.is_implementation]


def _run_check(module: str, check: str, fn, seed: int) -> BaseException | None:
    import contextlib
    import importlib
    import io

    mod = importlib.import_module(f"i2dl_helpers.exercises.{module}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            getattr(mod, check)(fn, seed=seed)
    except (WrongAnswer, NotAnswered) as exc:
        return exc
    return None


@pytest.mark.parametrize("ex", IMPLEMENTATIONS, ids=lambda e: e.grade_id)
def test_right_answers_pass_and_wrong_ones_fail_for_every_seed(ex):
    calls = checks_of(ex)
    assert calls, f"{ex.grade_id}: no `nbNN.check_…(function)` call in its test cells"
    right = {"the solution": None, **{f"variant {i}": body for i, body in enumerate(variants(ex))}}
    wrong = mutants(ex)
    for module, check, name in calls:
        answers = {label: load_function(ex, body, name) for label, body in right.items()}
        wrong_fns = [load_function(ex, body, name) for body in wrong]
        for seed in SEEDS:
            for label, fn in answers.items():
                outcome = _run_check(module, check, fn, seed)
                assert outcome is None, (f"{ex.grade_id}: {label} fails {check}(seed={seed}): {outcome}\n"
                                         + (right[label] or ""))
            for body, fn in zip(wrong, wrong_fns):
                assert _run_check(module, check, fn, seed) is not None, \
                    f"{ex.grade_id}: this wrong answer passes {check}(seed={seed}):\n{body}"


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _numbers(text: str) -> list[float]:
    return [float(m) for m in _NUMBER.findall(text.replace("−", "-").replace("×10", "e"))]


def _scaled(fn, factor: float, results: list):
    """``fn`` with every numeric result multiplied by ``factor``; ``results`` records the right results
    (the last one is that of the call the message is about)."""
    def wrong(*args, **kwargs):
        result = fn(*args, **kwargs)
        results.append(result)
        if isinstance(result, (bool, np.bool_, str)) or result is None:
            return result
        try:
            return np.asarray(result, dtype=float) * factor if np.ndim(result) else float(result) * factor
        except (TypeError, ValueError):
            return result
    wrong.__name__ = fn.__name__
    return wrong


FACTORS = (1.37, 1.9, 0.61, 0.23, 1.04, 0.97)


@pytest.mark.parametrize("ex", IMPLEMENTATIONS, ids=lambda e: e.grade_id)
def test_no_message_reveals_the_answer(ex):
    """The rule of feedback: from the messages a student can get, the expected value cannot be
    reconstructed. Answers that are the right one times a factor f must get messages in which no number
    that depends on f is the expected value, f, 1/f or the difference (numbers that are the same for every
    f are the check's inputs, and the student's own value may be echoed)."""
    for module, check, name in checks_of(ex):
        solution = load_function(ex, None, name)
        messages, firsts = {}, {}
        for f in FACTORS:
            first: list = []
            outcome = _run_check(module, check, _scaled(solution, f, first), 0)
            if outcome is None or not first:
                continue
            messages[f], firsts[f] = str(outcome), first[-1]
        if not messages:
            continue
        common = set.intersection(*(set(np.round(_numbers(m), 6)) for m in messages.values()))
        for f, message in messages.items():
            try:
                right = np.asarray(firsts[f], dtype=float).ravel()
            except (TypeError, ValueError):
                right = np.array([])
            right = right[np.isfinite(right) & (right != 0)]
            secrets = [f, 1 / f, *right[:50], *(right[:50] * (f - 1))]
            for v in _numbers(message):
                if round(v, 6) in common or v == 0:
                    continue
                if any(np.isclose(abs(v), abs(s), rtol=5e-3) for s in secrets) and not any(
                        np.isclose(abs(v), abs(s * f), rtol=1e-9) for s in right[:50]):
                    pytest.fail(f"{ex.grade_id}: the message for an answer {f}× the right one shows {v}, "
                                f"from which the answer can be computed:\n{message}")
