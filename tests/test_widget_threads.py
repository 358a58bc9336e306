"""Explorers moved from two threads at once, as a kernel with subshells does.

JupyterLab (4.4 and later) sends widget messages over kernel subshells when the kernel has them
(ipykernel 7): a slider's move can be handled in one thread while another draws frames ahead. Found in
the browser: the training explorer kept showing B = 64 after the batch-size slider moved to 32, because
the move was handled in the middle of a frame drawn ahead (controls changed quietly, then put back) and
dropped. Here the page's messages go through the widgets' own comms (``comm.handle_msg``, the kernel's
path), one thread draws the frames ahead, and the other delivers the move while the first is inside a
frame. Each test fails without ``resting.LOCK``.
"""
from __future__ import annotations

import threading

import pytest

from i2dl_helpers.widgets import TrainingExplorer, resting

#: how long the frame drawn ahead waits for the other thread's move to be handled inside it; with the lock
#: the move waits instead, so this is what each test costs
WINDOW_S = 1.0


def _message(state: dict) -> dict:
    """A comm message from the page setting ``state`` on a widget (ipywidgets' "update")."""
    return {"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []}


def _move_inside_a_frame_drawn_ahead(explorer, control, state: dict) -> None:
    """Draw the frames ahead in this thread; while the first frame trains, another thread delivers the
    page's ``state`` for ``control`` through its comm."""
    inside, handled = threading.Event(), threading.Event()
    control.observe(lambda change: handled.set(), names="value")
    retrain = explorer.retrain

    def slow_retrain():
        history = retrain()
        if explorer._drawing_ahead and not inside.is_set():
            inside.set()
            handled.wait(WINDOW_S)  # unlocked, the move is handled here, in the middle of the frame
        return history

    explorer.retrain = slow_retrain
    page = threading.Thread(target=lambda: (inside.wait(10), control.comm.handle_msg(_message(state))))
    page.start()
    try:
        assert explorer.draw_ahead()
    finally:
        page.join(10)
        explorer.retrain = retrain
    assert inside.is_set() and handled.is_set() and not page.is_alive()


@pytest.fixture
def explorer():
    ex = TrainingExplorer(lr=0.01, batch_size=64, optimizer="Momentum", epochs=2, renderer="canvas")
    yield ex
    ex.close()


def test_a_batch_size_move_during_a_frame_drawn_ahead_is_computed(explorer):
    control = explorer.controls["batch_size"]
    _move_inside_a_frame_drawn_ahead(explorer, control, {"index": control.index - 1})  # 64 -> 32
    assert explorer.settings()["batch_size"] == 32
    assert "B = 32" in explorer.status_text and "B = 32" in explorer.status.value
    assert explorer.history.steps_per_epoch == 38  # 1,197 training digits in batches of 32
    assert explorer._ahead is None or explorer._ahead["for"]["batch_size"] == 32


def test_a_learning_rate_move_during_a_frame_drawn_ahead_is_kept(explorer):
    # the frame drawn ahead sets α to its neighbour and puts the old α back: unlocked, that put-back
    # overwrote the page's move
    control = explorer.controls["lr"]
    _move_inside_a_frame_drawn_ahead(explorer, control, {"value": 0.1})
    assert control.value == 0.1
    assert explorer.status_text.startswith("Momentum, α = 0.1, B = 64")
    assert "α = 0.1," in explorer.status.value


def test_every_control_and_the_canvas_handle_messages_under_the_lock(explorer):
    for widget in (*explorer.controls.values(), explorer._view.widget):
        callback = widget.comm._msg_callback
        assert callback is not None and callback.__qualname__.startswith("serialise."), widget


def _free_for_another_thread(wait: float = 5.0) -> bool:
    """Whether another thread can take ``resting.LOCK`` within ``wait`` seconds (the thread that holds an RLock
    always can, so asking in this one would prove nothing)."""
    got = []

    def take():
        ok = resting.LOCK.acquire(timeout=wait)
        if ok:
            resting.LOCK.release()
        got.append(ok)

    other = threading.Thread(target=take)
    other.start()
    other.join(10)
    return got == [True]


def test_the_lock_is_reentrant_and_free_after_an_error(explorer):
    # a handler runs inside a caller that holds the lock (re-entrant); an error shown in the widget releases it
    def broken():
        raise RuntimeError("a failing training")

    explorer.retrain = broken
    with resting.LOCK:
        explorer.controls["lr"].value = 0.1
        assert not _free_for_another_thread(wait=0.2)
    assert "RuntimeError: a failing training" in explorer.error_text
    assert _free_for_another_thread()
