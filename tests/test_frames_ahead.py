"""Frames drawn ahead (``Explorer.AHEAD``, ``Explorer.draw_ahead``): for the explorers that compute in
Python, the kernel draws every frame of one integer slider when the reader reaches for it, and the page
steps that slider from them at once while the kernel rests. Where every frame is a new training (SGD,
training: ``Explorer.AHEAD_NEAR``), it draws a window, the frames one press away, and again after each move.

The frames must be the kernel's own (the browser's half, that the page shows them unchanged, is in
tests/browser/test_scenes.py's "frames drawn ahead" cases), drawing them must leave the explorer and the
page as they were, and they must be dropped whenever another control changes.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading

import ipywidgets
import pytest

from i2dl_helpers.graph import Value
from i2dl_helpers.widgets import (BackpropStepper, GradientDescent1D, LineSearchExplorer, NetworkShape,
                                  SGDExplorer, StalenessExplorer, TrainingExplorer)
from i2dl_helpers.widgets.sliders import grid_neighbours

from test_widget_resting import _plain, burst, counting_updates, key_presses, page_sends, same, state

EXPLORERS = {
    "backprop": lambda: BackpropStepper(_loss(), renderer="canvas"),
    "network_shape": lambda: NetworkShape(renderer="canvas"),
    "line_search": lambda: LineSearchExplorer(renderer="canvas"),
    "staleness": lambda: StalenessExplorer(renderer="canvas"),
}


def _loss():
    x, w, b, y = Value(1.5, name="x"), Value(-0.4, name="w"), Value(2.0, name="b"), Value(0.3, name="y")
    return ((x * w + b).relu() - y).square()


@pytest.fixture(params=sorted(EXPLORERS))
def explorer(request):
    e = EXPLORERS[request.param]()
    yield e
    e.close()


def test_the_page_is_offered_frames_ahead_until_it_asks(explorer):
    scene = explorer._view.widget.scene
    assert scene["name"] is None and scene["ahead"] == explorer.AHEAD
    assert not explorer._steps_in_browser()


def test_every_frame_drawn_ahead_is_the_one_the_kernel_draws_for_that_value(explorer):
    assert explorer.draw_ahead()
    scene = explorer._view.widget.scene
    control = explorer.controls[explorer.AHEAD]
    frames = scene["params"]["frames"]
    assert scene["name"] == "ahead" and sorted(map(int, frames)) == list(range(control.min, control.max + 1))
    others = {n: c.value for n, c in explorer.controls.items() if n != explorer.AHEAD and hasattr(c, "value")}
    assert scene["kernel_only"] == sorted(others) and scene["params"]["for"] == others
    for value in (control.max, control.min, (control.min + control.max) // 2):
        control.value = value  # from code: the kernel computes and draws it
        frame = frames[str(value)]
        assert same(json.loads(json.dumps(frame["ops"])), json.loads(json.dumps(explorer._view.widget.overlay)))
        assert frame["status"]["text"] == explorer.status_text
        assert frame["alt"] == explorer.alt_text
        assert explorer._view.widget.scene is scene, "moving the slider drawn ahead keeps its frames"


def assert_drawing_ahead_sends_only_the_frames_and_changes_nothing(explorer, monkeypatch):
    before, sent = state(explorer), []
    original = ipywidgets.Widget.send_state

    def record(self, key=None):
        sent.append((self, sorted([key] if isinstance(key, str) else key or self.keys)))
        return original(self, key)
    monkeypatch.setattr(ipywidgets.Widget, "send_state", record)
    assert explorer.draw_ahead()
    monkeypatch.undo()
    assert [(w, keys) for w, keys in sent] == [(explorer._view.widget, ["scene"])]
    after = state(explorer)
    assert same(json.loads(before.pop("overlay")), json.loads(after.pop("overlay")))
    assert before == after


def test_drawing_ahead_leaves_the_explorer_as_it_was_and_sends_only_the_frames(explorer, monkeypatch):
    control = explorer.controls[explorer.AHEAD]
    control.value = control.min + 1
    assert_drawing_ahead_sends_only_the_frames_and_changes_nothing(explorer, monkeypatch)


def test_another_control_drops_the_frames_and_the_page_may_ask_again(explorer):
    assert explorer.draw_ahead()
    sliders = [n for n in sorted(explorer._kernel_only_controls())
               if isinstance(explorer.controls[n], (ipywidgets.IntSlider, ipywidgets.FloatSlider,
                                                     ipywidgets.FloatLogSlider))]
    if not sliders:
        assert isinstance(explorer, BackpropStepper)  # its one control is the slider drawn ahead
        return
    other = sliders[0]
    c = explorer.controls[other]
    c.value = c.max if c.value != c.max else c.min
    scene = explorer._view.widget.scene
    assert scene["name"] is None and scene["ahead"] == explorer.AHEAD and not explorer._steps_in_browser()
    assert explorer.draw_ahead() and explorer._view.widget.scene["params"]["for"][other] == c.value


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_with_frames_ahead_the_kernel_rests_while_the_page_steps_and_ends_right(name):
    explorer, twin = EXPLORERS[name](), EXPLORERS[name]()  # the twin computes every value as it arrives
    try:
        assert explorer.draw_ahead()
        control = explorer.controls[explorer.AHEAD]
        values = key_presses(control, [+1] * 3 + [-1] + [+1] * 2)
        calls = counting_updates(explorer)
        burst(explorer, [(explorer.AHEAD, v) for v in values], settle=False)
        assert calls == [], "the kernel computed while the page stepped from its frames"
        burst(explorer, [])
        assert calls == [explorer.AHEAD]
        for v in values:
            twin.controls[explorer.AHEAD].set_state({"value": v})
        a, b = state(explorer), state(twin)
        assert same(json.loads(a.pop("overlay")), json.loads(b.pop("overlay"))) and a == b
    finally:
        explorer.close()
        twin.close()


def test_frames_are_drawn_one_at_a_time_on_a_running_event_loop_and_dropped_midway_by_a_change():
    e = NetworkShape(renderer="canvas")

    async def draw(interrupt: bool):
        e.draw_ahead_soon()
        assert e._view.widget.scene["name"] is None, "nothing is drawn before the loop runs"
        await asyncio.sleep(0)
        if interrupt:
            e.controls["depth"].value = e.controls["depth"].value + 1
        for _ in range(200):
            await asyncio.sleep(0)
        return e._view.widget.scene
    def run_in_a_thread(interrupt: bool):  # a thread of its own: no other event loop runs there
        out = {}
        thread = threading.Thread(target=lambda: out.update(scene=asyncio.run(draw(interrupt))))
        thread.start()
        thread.join(60)
        return out["scene"]
    try:
        assert run_in_a_thread(interrupt=True)["name"] is None, "a change midway drops what was drawn"
        assert run_in_a_thread(interrupt=False)["name"] == "ahead"
    finally:
        e.close()


def test_explorers_the_page_steps_itself_draw_nothing_ahead():
    e = GradientDescent1D("quadratic", renderer="canvas")
    try:
        assert e.AHEAD is None and not e.draw_ahead() and "ahead" not in e._view.widget.scene
    finally:
        e.close()


# -- a window around the slider's value (Explorer.AHEAD_NEAR) ---------------------------------------------
NEAR = {
    "sgd": lambda: SGDExplorer(steps=200, renderer="canvas"),
    "training": lambda: TrainingExplorer(epochs=2, renderer="canvas"),
}


@pytest.fixture(autouse=True)
def _steady_clock(monkeypatch):
    """A clock that ticks 1 ms per reading: the training explorer's time axis then does not depend on this
    machine's load (a frame whose run needs a longer time axis is a new background: not drawn ahead)."""
    ticks = iter(range(10**9))
    monkeypatch.setattr("i2dl_helpers.optim.training.time.perf_counter", lambda: next(ticks) * 1e-3)


def _moved_once(name):
    """The explorer after one move of α from the page (the training explorer then shows a previous run)."""
    e = NEAR[name]()
    lr = e.controls["lr"]
    page_sends(lr, grid_neighbours(lr, lr.value, 1)[1][0])
    return e


def _without_an_event_loop(test):
    """Run ``test`` on a thread of its own, where no event loop runs, so ``draw_ahead_soon`` draws at once as in
    plain Python (in the full suite, Playwright's sync API can leave a loop running on the main thread)."""
    def wrapped(name):
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(test, name).result()
    wrapped.__name__, wrapped.__doc__ = test.__name__, test.__doc__
    return wrapped


def _trainings(explorer):
    """Count the trainings the explorer runs (SGD's runs, the training explorer's networks)."""
    calls, attribute = [], "_runs" if isinstance(explorer, SGDExplorer) else "retrain"
    original = getattr(explorer, attribute)

    def counted(*args):
        calls.append(args)
        return original(*args)
    setattr(explorer, attribute, counted)
    return calls


def _results(explorer) -> dict:
    """What a reader can read of the explorer's runs (training times excluded: they are measured)."""
    if isinstance(explorer, SGDExplorer):
        return {"trajectory": _plain(explorer.trajectory), "reference": _plain(explorer.reference),
                "noise_ball": explorer.noise_ball, "status": explorer.status_text}
    def untimed(history):
        return {k: v for k, v in (_plain(history) or {}).items() if "seconds" not in k and k != "message"}
    return {"history": untimed(explorer.history), "previous": untimed(explorer.previous)}


@pytest.mark.parametrize("name", sorted(NEAR))
def test_a_window_holds_the_frames_one_press_away_as_the_kernel_draws_them(name):
    for side in (0, 1):
        e = _moved_once(name)
        try:
            lr = e.controls["lr"]
            centre, neighbours = lr.value, grid_neighbours(lr, lr.value, 1)
            assert e.draw_ahead()
            scene = e._view.widget.scene
            params = scene["params"]
            assert scene["name"] == "ahead" and params["centre"] == centre and params["control"] == "lr"
            assert sorted(f["value"] for f in params["frames"].values()) == neighbours[0] + neighbours[1]
            value = neighbours[side][0]
            frame = params["frames"][repr(value)]
            lr.value = value  # from code: the kernel draws it itself (one move from the centre, as the page's)
            overlay = json.loads(json.dumps(e._view.widget.overlay))
            assert same(json.loads(json.dumps(frame["ops"])), overlay)
            assert frame["status"]["text"] == e.status_text and frame["alt"] == e.alt_text
        finally:
            e.close()


@pytest.mark.parametrize("name", sorted(NEAR))
def test_drawing_a_window_leaves_the_explorer_as_it_was(name, monkeypatch):
    e = _moved_once(name)
    try:
        results, previous = _results(e), getattr(e, "previous", None)
        assert_drawing_ahead_sends_only_the_frames_and_changes_nothing(e, monkeypatch)
        assert _results(e) == results
        assert getattr(e, "previous", None) is previous, "the previous run shown in grey is the same one"
    finally:
        e.close()


@pytest.mark.parametrize("name", sorted(NEAR))
@_without_an_event_loop
def test_the_window_follows_the_slider_the_way_it_moved_first_and_reuses_runs(name):
    e = _moved_once(name)  # on the slider's grid
    try:
        lr = e.controls["lr"]
        e.draw_ahead_soon()  # no event loop here: drawn at once
        centre = lr.value
        below, above = grid_neighbours(lr, centre, 1)
        trainings = _trainings(e)
        lr.value = below[0]  # a move down: the window is drawn again, the next value down first
        scene = e._view.widget.scene
        assert scene["params"]["centre"] == below[0]
        down = grid_neighbours(lr, below[0], 1)[0][0]
        assert [f["value"] for f in scene["params"]["frames"].values()] == [down, centre]
        assert len(trainings) == 1, "the value moved to and the one moved from were trained already"
        other = "steps" if name == "sgd" else "optimizer"
        c = e.controls[other]
        c.value = c.max if name == "sgd" else "Adam"  # another control: a new window for its value
        assert e._view.widget.scene["params"]["for"][other] == c.value
    finally:
        e.close()


@pytest.mark.parametrize("name", sorted(NEAR))
@_without_an_event_loop
def test_a_press_the_page_shows_from_the_window_ends_where_every_value_computed_would(name):
    e, twin = _moved_once(name), _moved_once(name)
    try:
        lr = e.controls["lr"]
        e.draw_ahead_soon()
        value = grid_neighbours(lr, lr.value, 1)[1][0]
        calls, trainings = counting_updates(e), _trainings(e)
        burst(e, [("lr", value)], settle=False)
        assert calls == [] and trainings == [], "the kernel rests while the page shows the frame"
        burst(e, [])
        assert calls[0] == "lr" and len(trainings) == 1, "the move reused its run; the next window needed one"
        page_sends(twin.controls["lr"], value)
        assert _results(e) == _results(twin)
        if name == "sgd":
            a, b = state(e), state(twin)
            assert same(json.loads(a.pop("overlay")), json.loads(b.pop("overlay"))) and a == b
    finally:
        e.close()
        twin.close()
