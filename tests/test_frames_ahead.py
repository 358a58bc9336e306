"""Frames drawn ahead (``Explorer.AHEAD``, ``Explorer.draw_ahead``): for the explorers that compute in
Python, the kernel draws every frame of one integer slider when the reader reaches for it, and the page
steps that slider from them at once while the kernel rests.

The frames must be the kernel's own (the browser's half, that the page shows them unchanged, is in
tests/browser/test_scenes.py's "frames drawn ahead" cases), drawing them must leave the explorer and the
page as they were, and they must be dropped whenever another control changes.
"""
from __future__ import annotations

import asyncio
import json
import threading

import ipywidgets
import pytest

from i2dl_helpers.graph import Value
from i2dl_helpers.widgets import (BackpropStepper, GradientDescent1D, LineSearchExplorer, NetworkShape,
                                  StalenessExplorer)

from test_widget_resting import burst, counting_updates, key_presses, same, state

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


def test_drawing_ahead_leaves_the_explorer_as_it_was_and_sends_only_the_frames(explorer, monkeypatch):
    control = explorer.controls[explorer.AHEAD]
    control.value = control.min + 1
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
