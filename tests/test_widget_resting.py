"""The kernel rests while the page steps an explorer (``widgets/resting.py``), and is never wrong for it.

The page is simulated the way the kernel hears it: ``{"kind": "stepping"}`` / ``{"kind": "settled"}``
on the explorer's canvas widget (``_handle_custom_msg``) and the sliders' values as ipywidgets receives
them (``control.set_state({"value": v})``). The page's half (``coalesce.js``: which values it sends)
is tested in tests/browser/test_coalesce.py, the two together in JupyterLab in
tests/browser/test_jupyterlab.py (``test_the_kernel_rests_while_the_page_steps``).

After a burst the explorer must be exactly what it would be had every value arrived and been computed
(an eager twin that got each value outside a burst is the reference); a result read from code inside a
burst is the fresh one; values set from code are computed and drawn at once.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from i2dl_helpers.widgets import (BasinExplorer, ChordExplorer, DifferenceQuotient, GradientDescent1D,
                                  GradientDescent2D, MomentumExplorer, OptimizerRace)


def page_says(explorer, kind):
    explorer._view.widget._handle_custom_msg({"kind": kind}, [])


def page_sends(control, value):
    control.set_state({"value": value})


def burst(explorer, moves, *, settle=True):
    """A burst from a page that steps the explorer: ``moves`` = [(control name, value), ...]."""
    page_says(explorer, "stepping")
    for name, value in moves:
        page_sends(explorer.controls[name], value)
    if settle:
        page_says(explorer, "settled")


def counting_updates(explorer):
    calls = []
    original = explorer._update

    def update(changed):
        calls.append(changed)
        return original(changed)
    explorer._update = update
    return calls


def _plain(value):
    """A result as comparable data (trajectories, race results, basin maps, numbers)."""
    if hasattr(value, "__dataclass_fields__"):  # the function itself is the same in both, not the same object
        keys = [k for k in value.__dataclass_fields__ if not k.startswith("_") and k not in ("objective", "seconds")]
        out = {k: _plain(getattr(value, k)) for k in keys}
        if hasattr(type(value), "values"):
            out["values"] = _plain(value.values)
        return out
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return np.nan_to_num(value, nan=1e308).tolist()
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return value
    return repr(value)


def same(a, b) -> bool:
    """Equal, except that floats may differ by round-off (1e-9 relative).

    Results and status lines are compared exactly; the overlay's transform matrices are not: matplotlib
    composes them lazily, so the twin that drew every intermediate value can hold a matrix one ulp
    away from the lazy one's (52.789372810769 vs 52.789372810768974) for the same limits.
    """
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def assert_same_state(a, b):
    sa, sb = state(a), state(b)
    oa, ob = json.loads(sa.pop("overlay")), json.loads(sb.pop("overlay"))
    assert sa == sb
    assert same(oa, ob), "the overlays differ by more than round-off"


RESULTS = ("trajectory", "rates", "results", "gap", "max_gap", "quotient", "derivative", "result")


def state(explorer) -> dict:
    """Everything a reader or the page can see of the explorer."""
    out = {"values": {n: c.value for n, c in explorer.controls.items() if hasattr(c, "value")},
           "status": explorer.status_text, "status_html": explorer.status.value, "error": explorer.error_text,
           "overlay": json.dumps(explorer._view.widget.overlay, sort_keys=True),
           "kernel_values": explorer._view.widget.kernel_values}
    for name in RESULTS:
        if name in type(explorer).__dict__ or any(name in vars(k) for k in type(explorer).__mro__):
            out[name] = _plain(getattr(explorer, name))
    return out


EXPLORERS = {
    "gd1d": lambda: GradientDescent1D("double_well", lr=0.05, steps=60, renderer="canvas"),
    "gd2d": lambda: GradientDescent2D("ill_conditioned", lr=0.1, x0=-2.25, y0=1.5, steps=60, renderer="canvas"),
    "momentum": lambda: MomentumExplorer(lr=0.05, beta=0.8, steps=60, renderer="canvas"),
    "race": lambda: OptimizerRace("ravine", steps=60, renderer="canvas"),
    "chord": lambda: ChordExplorer("double_well", renderer="canvas"),
    "derivative": lambda: DifferenceQuotient("double_well", x=-0.5, h=1.0, renderer="canvas"),
    "basins": lambda: BasinExplorer("himmelblau", lr=0.01, steps=40, n=24, renderer="canvas"),
}


def stepped_sliders(explorer) -> list[str]:
    kernel_only = explorer._kernel_only_controls()
    return [n for n, c in explorer.controls.items()
            if n not in kernel_only and isinstance(getattr(c, "value", None), (int, float))
            and not isinstance(c.value, bool) and hasattr(c, "step")]


def key_presses(control, presses) -> list[float]:
    """The values a slider sends for ``presses`` (±1 per key press) from where it is."""
    values, log_scale = [], hasattr(control, "base")
    at = math.log(control.value, control.base) if log_scale else control.value
    for p in presses:
        at = min(max(at + p * control.step, control.min), control.max)
        values.append(control.base ** at if log_scale else at)
    return values


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_after_a_burst_the_state_is_the_one_every_value_would_give(name):
    lazy, eager = EXPLORERS[name](), EXPLORERS[name]()
    try:
        assert lazy._steps_in_browser(), f"{name} should step in the browser"
        moves = []
        for control in stepped_sliders(lazy):
            presses = [+1] * 4 + [-1] * 2 + [+1] * 3
            moves += [(control, v) for v in key_presses(lazy.controls[control], presses)]
        assert moves, f"{name} has no slider the page steps"
        calls = counting_updates(lazy)
        burst(lazy, moves, settle=False)
        assert calls == [], "the kernel computed while the page stepped"
        page_says(lazy, "settled")
        assert len(calls) == len({c for c, _ in moves}), "one update per control moved, at the settle"
        for control, value in moves:  # the eager twin: every value computed as it arrives
            page_sends(eager.controls[control], value)
        assert_same_state(lazy, eager)
    finally:
        lazy.close()
        eager.close()


def test_a_burst_that_ends_on_the_value_the_kernel_has_needs_no_work_and_stays_right(monkeypatch):
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    before = state(e)
    lr = e.controls["lr"]
    out_and_back = key_presses(lr, [+1] * 5 + [-1] * 5)
    assert out_and_back[-1] == pytest.approx(0.1)
    calls, resent = counting_updates(e), []
    monkeypatch.setattr(e.status, "send_state", lambda key=None: resent.append(key))
    burst(e, [("lr", v) for v in out_and_back[:-1]] + [("lr", 0.1)])
    assert calls == ["lr"] and state(e) == before
    # the status line did not change, so ipywidgets sent nothing: the page may still show the one it
    # wrote for an earlier value of the burst, so the kernel sends it again
    assert resent == ["value"]
    burst(e, [("lr", 0.3)])
    assert resent == ["value", "value"], "a changed status line is sent once, as every change"


def test_a_burst_ending_on_a_value_sent_earlier_in_it_is_computed_for_that_value():
    e, twin = (GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas") for _ in range(2))
    burst(e, [("lr", 0.2), ("lr", 0.3)], settle=False)  # the page's catch-up sent 0.3 during the burst
    burst(e, [("lr", 0.3)])  # and the final value, 0.3 again (no change for ipywidgets)
    page_sends(twin.controls["lr"], 0.3)
    assert_same_state(e, twin)
    assert "αλ = 0.3 " in e.status_text


def test_reading_a_result_inside_a_burst_computes_it_then():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    calls = counting_updates(e)
    burst(e, [("lr", 0.2), ("lr", 0.4), ("x0", -1.2)], settle=False)
    assert calls == []
    traj = e.trajectory  # read: computed now, in the order the controls changed
    assert calls == ["lr", "x0"]
    assert traj.points[0, 0] == -1.2 and e.status_text.startswith("converged")
    assert "αλ = 0.4 " in e.status_text
    page_says(e, "settled")
    assert calls == ["lr", "x0"], "nothing left to compute at the settle"


@pytest.mark.parametrize("read", ["status_text", "error_text", "snapshot", "redraw"])
def test_every_way_of_reading_catches_up(read):
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    calls = counting_updates(e)
    burst(e, [("lr", 0.7)], settle=False)
    value = getattr(e, read)
    if callable(value):
        value()
    assert calls == ["lr"]
    assert "αλ = 0.7 " in e.status_text


def test_values_set_from_code_are_computed_and_drawn_at_once_even_inside_a_burst():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    overlays = []
    e._view.widget.observe(lambda change: overlays.append(change["new"]), names="overlay")
    burst(e, [("x0", 2.0)], settle=False)
    assert overlays == []
    e.controls["lr"].value = 0.3  # from a cell: the stale start caught up, then α, drawn at once
    assert overlays and "αλ = 0.3 " in vars(e)["status_text"]
    assert e.trajectory.points[0, 0] == 2.0


def test_controls_that_need_the_kernel_are_computed_at_once_inside_a_burst():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, steps=50, renderer="canvas")
    calls = counting_updates(e)
    burst(e, [("lr", 0.2), ("steps", 20)], settle=False)
    assert calls == ["lr", "steps"]  # steps redraws the background: it cannot wait


def test_values_from_a_page_outside_a_burst_are_computed_at_once():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    calls = counting_updates(e)
    page_sends(e.controls["lr"], 0.2)  # a page that does not step this explorer (yet)
    assert calls == ["lr"]


def test_a_new_page_closes_a_burst_its_predecessor_left_open():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    calls = counting_updates(e)
    burst(e, [("lr", 0.2)], settle=False)  # the tab was closed in the middle of a burst
    page_says(e, "ping")  # a new view renders
    assert calls == ["lr"]
    page_sends(e.controls["lr"], 0.3)
    assert calls == ["lr", "lr"]


def test_switched_off_the_kernel_computes_every_value():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    e.rest_while_page_steps = False
    e.redraw()
    assert e._view.widget.scene["coalesce"] is False  # the page then sends every value
    calls = counting_updates(e)
    burst(e, [("lr", 0.2), ("lr", 0.3)], settle=False)
    assert calls == ["lr", "lr"]


def test_other_views_never_rest():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="image")
    calls = counting_updates(e)
    e.controls["lr"].set_state({"value": 0.2})
    assert calls == ["lr"] and "αλ = 0.2 " in e.status_text


def test_an_error_in_a_skipped_update_shows_when_it_is_computed():
    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")

    def broken(changed):
        raise RuntimeError("boom")
    burst(e, [("lr", 0.2)], settle=False)
    e._update = broken
    assert e.error_text == "RuntimeError: boom"  # shown in the widget, which keeps working


def test_the_explorer_is_freed_once_closed():
    import gc
    import weakref

    e = GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="canvas")
    ref = weakref.ref(e)
    e.close()
    del e
    gc.collect()
    assert ref() is None
