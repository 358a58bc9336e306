"""The exercise-check framework: messages that teach and never give the answer."""
import numpy as np
import pytest

from i2dl_helpers.exercises import NotAnswered, WrongAnswer, attempt, expect, expect_close


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
    (2 * np.array([1.0, 2.0, 3.0]), "constant factor (about 2×)"),
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
