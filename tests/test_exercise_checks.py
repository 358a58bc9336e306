"""The exercise-check framework: messages that teach and never give the answer."""
import numpy as np
import pytest

import re
import sys

from i2dl_helpers.exercises import (ForbiddenCall, NotAnswered, WrongAnswer, as_bool, as_number, as_sequence,
                                    attempt, attempt_in_place, expect, expect_close, expect_no_loop, forbid)
from i2dl_helpers.exercises._display import failure_text
from i2dl_helpers.exercises._rules import has_python_loop


def unanswered(x):
    raise NotImplementedError()


def test_unanswered_says_not_answered_yet():
    with pytest.raises(NotAnswered, match="not answered yet: `unanswered`"):
        attempt(unanswered, 1.0)


def test_a_crash_in_the_students_code_is_feedback():
    with pytest.raises(WrongAnswer, match="raised ZeroDivisionError"):
        attempt(lambda: 1 / 0)


def test_not_a_function():
    with pytest.raises(WrongAnswer, match="expected a function"):
        attempt(3.0)


@pytest.mark.parametrize("actual,kind", [
    (None, "returned None"),
    (np.zeros(2), "wrong shape"),
    (np.array([1.0, np.nan, 3.0]), "NaN"),
    (-np.array([1.0, 2.0, 3.0]), "wrong sign"),
    (np.zeros(3), "all zeros"),
    (2 * np.array([1.0, 2.0, 3.0]), "constant factor (right direction, wrong scale)"),
    (np.array([1.0, 2.0, 4.0]), "1 of 3 entries differ"),
    ("abc", "expected numbers"),
])
def test_expect_close_names_the_kind_of_error_and_hides_the_answer(actual, kind):
    expected = np.array([1.0, 2.0, 3.0])
    with pytest.raises(WrongAnswer) as info:
        expect_close(actual, expected, "the gradient", "think about the chain rule")
    message = str(info.value)
    assert kind in message
    assert "[1. 2. 3.]" not in message and "1.0, 2.0, 3.0" not in message


def test_expect_close_accepts_round_off():
    out = expect_close([1.0 + 1e-12, 2.0], np.array([1.0, 2.0]), "x")
    assert out.dtype == float


def test_expect_hint():
    expect(True, "never shown")
    with pytest.raises(WrongAnswer, match="Hint: look again"):
        expect(False, "too large", "look again")


# -- single numbers: the message says which way and how far, never by how much ------------------------

def _message(actual, expected, **kw):
    with pytest.raises(WrongAnswer) as info:
        expect_close(actual, expected, "the step", **kw)
    return str(info.value)


@pytest.mark.parametrize("actual,words", [
    (1.0, "too large, by a lot"), (0.77, "too large, by a little"), (0.70, "too small, by a little"),
    (0.1, "too small, by a lot"), (-0.75, "wrong sign"), (0.0, "too small, by a lot")])
def test_a_wrong_number_is_described_without_numbers(actual, words):
    message = _message(actual, 0.75)
    assert words in message
    assert not re.search(r"\d", message), message        # no ratio, no difference, no expected value


def test_wrong_numbers_in_the_same_range_get_the_same_message():
    assert len({_message(v, 0.75) for v in (0.9, 1.0, 1.33, 7.0, 1e6)}) == 1
    assert len({_message(v, 0.75) for v in (0.76, 0.8, 0.82)}) == 1


def test_a_known_mistake_is_named():
    assert "matches a common mistake: a factor 2" in _message(1.5, 0.75, mistakes={"a factor 2": 1.5})
    assert "common mistake" not in _message(1.4, 0.75, mistakes={"a factor 2": 1.5})


def test_an_array_off_by_a_factor_does_not_say_the_factor():
    message = _message(1.37 * np.array([1.0, -2.0, 3.0]), np.array([1.0, -2.0, 3.0]))
    assert "constant factor" in message and "1.37" not in message and "0.73" not in message


# -- right in any reasonable form --------------------------------------------------------------------

@pytest.mark.parametrize("value", [0.5, np.float64(0.5), np.float32(0.5), np.array(0.5), np.array([0.5]), 1 / 2])
def test_as_number_accepts_every_form_of_a_number(value):
    assert as_number(value, "alpha") == 0.5


@pytest.mark.parametrize("value", [25, 25.0, np.int64(25), np.array(25), np.float64(25.0)])
def test_as_number_integer_accepts_whole_numbers(value):
    got = as_number(value, "n", integer=True)
    assert got == 25 and type(got) is int


@pytest.mark.parametrize("value,words", [(None, "returned None"), (True, "should be a number"),
                                         ("0.5", "should be a number"), ([0.5, 1.0], "one number"),
                                         (np.inf, "not a finite number"), (np.nan, "not a finite number")])
def test_as_number_refuses_what_is_not_a_number(value, words):
    with pytest.raises(WrongAnswer, match=words):
        as_number(value, "alpha")


def test_as_number_integer_refuses_a_fraction():
    with pytest.raises(WrongAnswer, match="whole number"):
        as_number(24.5, "n", integer=True)


@pytest.mark.parametrize("value", [(0.1, 25), [0.1, 25], np.array([0.1, 25.0])])
def test_as_sequence_accepts_tuples_lists_and_arrays(value):
    alpha, n = as_sequence(value, 2, "best_setting", "alpha, n")
    assert float(alpha) == 0.1 and float(n) == 25


@pytest.mark.parametrize("value,words", [(None, "returned None"), ((1, 2, 3), "got 3"), (5.0, "got float"),
                                         (np.zeros((2, 2)), "shape")])
def test_as_sequence_names_what_is_wrong(value, words):
    with pytest.raises(WrongAnswer, match=words):
        as_sequence(value, 2, "best_setting", "alpha, n")


@pytest.mark.parametrize("value", [True, np.True_, np.array(True), np.array([True])])
def test_as_bool_accepts_every_form_of_true(value):
    assert as_bool(value, "is_convex") is True


@pytest.mark.parametrize("value", [1, "True", None, np.array([True, False])])
def test_as_bool_refuses_others(value):
    with pytest.raises(WrongAnswer):
        as_bool(value, "is_convex")


def test_the_students_arrays_are_copies():
    data = np.ones(3)

    def scale_in_place(a):
        a *= 2
        return a

    assert np.array_equal(attempt(scale_in_place, data), 2 * np.ones(3))
    assert np.array_equal(data, np.ones(3))
    attempt_in_place(scale_in_place, data)
    assert np.array_equal(data, 2 * np.ones(3))


# -- instructions that are graded --------------------------------------------------------------------

def _for(x):
    total = 0.0
    for v in x:
        total += v
    return total


def _while(x):
    i = 0
    while i < 3:
        i += 1
    return x * i


def _comprehension(x):
    return np.array([v * 2 for v in x])


def _nested(x):
    def inner(y):
        return sum(v for v in y)
    return inner(x)


def _vectorised(x):
    if x.ndim == 1:
        x = x[None, :]
    return np.where(x > 0, x, 0.0).sum(axis=-1) if x.size else x


@pytest.mark.parametrize("fn", [_for, _while, _comprehension, _nested])
def test_loops_are_found_in_any_form(fn):
    assert has_python_loop(fn)
    with pytest.raises(WrongAnswer, match="Python loop"):
        expect_no_loop(fn)


def test_branches_are_not_loops():
    assert not has_python_loop(_vectorised)
    assert not has_python_loop(lambda x: x ** 2)
    expect_no_loop(_vectorised)


def _inverts(H, g):
    return -np.linalg.inv(H) @ g


def _solves(H, g):
    return np.linalg.solve(H, -g)


def _inverts_and_hides_it(H, g):
    try:
        return -np.linalg.inv(H) @ g
    except Exception:
        return np.linalg.solve(H, -g)


RULE = {"numpy.linalg.inv": "do not invert H; solve the linear system"}


def test_forbid_catches_the_routine_on_its_module():
    H, g = np.diag([2.0, 4.0]), np.ones(2)
    with pytest.raises(ForbiddenCall, match="np.linalg.inv.*do not invert H"):
        with forbid(_inverts, RULE):
            attempt(_inverts, H, g)
    with forbid(_solves, RULE):
        assert np.allclose(attempt(_solves, H, g), [-0.5, -0.25])
    assert np.linalg.inv(H)[0, 0] == 0.5                  # restored


def test_forbid_catches_an_imported_name_and_a_caught_call():
    ns = {}
    exec("from numpy.linalg import inv\nimport numpy as np\ndef step(H, g):\n    return -inv(H) @ g", ns)
    with pytest.raises(ForbiddenCall):
        with forbid(ns["step"], RULE):
            attempt(ns["step"], np.eye(2), np.ones(2))
    assert ns["inv"] is np.linalg.inv
    with pytest.raises(ForbiddenCall):
        with forbid(_inverts_and_hides_it, RULE):
            attempt(_inverts_and_hides_it, np.eye(2), np.ones(2))


# -- a message, not a traceback ----------------------------------------------------------------------

def test_failure_text_has_a_heading_and_no_source():
    try:
        expect_close(1.0, 0.75, "alpha_star(…)", "think about where φ′ is zero")
    except WrongAnswer as exc:
        text = "\n".join(failure_text(exc))
    assert text.splitlines()[0].endswith("Not right yet\x1b[0m")
    assert "too large" in text and "Hint: think about where" in text and "%tb" in text
    assert "expect_close" not in text and "File" not in text


def test_failure_text_shows_only_the_students_frames():
    def student(x):
        return {"a": 1}[x]

    try:
        attempt(student, "b")
    except WrongAnswer as exc:
        text = "\n".join(failure_text(exc))
    assert "raised KeyError" in text and "Where your code raised it" in text and "student" in text
    assert "exercises/__init__.py" not in text


@pytest.mark.slow
def test_a_failed_check_in_a_kernel_shows_the_message_only():
    """Executed by a real IPython kernel (as in JupyterLab, nbval and nbgrader's autograde): the cell
    fails, its error output is the heading, message and hint, and no line of the check's source."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    import inspect

    from i2dl_helpers.exercises import nb02

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def alpha_critical(lam):\n    return 1.0 / lam"),
                nbformat.v4.new_code_cell("from i2dl_helpers.exercises import nb02\nnb02.check_alpha_critical(alpha_critical)"),
                nbformat.v4.new_code_cell("%tb")]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    errors = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "WrongAnswer"
    shown = "\n".join(errors[0].traceback)
    assert "Not right yet" in shown and "Hint:" in shown
    check_source = {line.strip() for line in inspect.getsource(nb02).splitlines() if len(line.strip()) > 12}
    assert not [line for line in shown.splitlines() if line.strip() in check_source]
    assert "File " not in shown and "Traceback" not in shown
    full = "".join(o.get("text", "") + "".join(o.get("traceback", [])) for o in nb.cells[2].outputs)
    assert "check_alpha_critical" in full                 # %tb shows the whole traceback to whoever asks
