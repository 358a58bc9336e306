"""The page coalesces the values it sends while it steps an explorer itself (``widgets/coalesce.js``).

The widget's module is loaded into a blank page (Chromium, or Node.js in the quick tier:
``blank_page``) and its ``Coalescer`` is given fake control models: ``set(v)`` does what a slider
does on a key press (the model's value, then its sync), and every message that would reach the
kernel is logged in order. The kernel's half (``resting.py``) is tested in tests/test_widget_resting.py.

What must hold, whatever the timing: the kernel hears of a burst ('stepping') before any of its
values, the last value of the burst arrives exact (also when it equals a value already sent), and
'settled' comes after it; values from the kernel, other attributes and controls that need the kernel
are never held back and keep their order.
"""
from __future__ import annotations

import pytest

from i2dl_helpers.widgets import figure_canvas

HARNESS = r"""
class FakeModel {
  constructor(name, value, log) {
    Object.assign(this, {name, value, log, _state_lock: null, _msg_buffer: null, _pending_msgs: 0,
                         _expectedEchoMsgIds: new Map()});
  }
  get(key) { return key === 'value' ? this.value : undefined; }
  sync(method, model, options = {}) {  // ipywidgets' WidgetModel.sync: one message to the kernel
    this.transport(method, options.attrs);
  }
  transport(method, attrs) { this.log.push(['sync', this.name, method, attrs]); }
  set(value) {  // a key press on the slider: the model's value, then touch() -> save_changes -> sync
    this.value = value;
    this.sync('patch', this, {attrs: {value}});
  }
}
window.makeCase = (names, opts = {}) => {
  const log = [];
  const canvas = {send: (msg) => log.push(['canvas', msg.kind])};
  const c = new Coalescer(canvas, {settleMs: opts.settleMs ?? 1e6, catchUpMs: opts.catchUpMs ?? 1e6});
  const controls = Object.fromEntries(names.map((n) => [n, new FakeModel(n, 0, log)]));
  return {log, c, controls};
};
"""


@pytest.fixture(scope="module")
def js(blank_page):
    with blank_page() as page:
        page.add_script_tag(content=figure_canvas._bundle(expose=("coalesce.js",)) + HARNESS + "\nwindow.i2dl = {Coalescer};\n",
                            type="module")
        page.wait_for_function("() => window.i2dl !== undefined && window.makeCase !== undefined")
        yield page


def run(js, body: str):
    """Run ``body`` (JavaScript with ``log``, ``c``, ``controls``, ``scene`` in scope) and return the log."""
    return js.evaluate(f"""async () => {{
        const {{log, c, controls}} = makeCase(['lr', 'x0', 'steps']);
        const scene = {{name: 'gd1d', kernel_only: ['steps']}};
        const wait = (ms) => new Promise((r) => setTimeout(r, ms));
        {body}
        return log;
    }}""")


def values_sent(log, name="lr"):
    return [e[3]["value"] for e in log if e[0] == "sync" and e[1] == name]


def test_a_burst_of_key_presses_sends_its_last_value_exactly_once_settled(js):
    presses = [10 ** (-1 + 0.05 * k) for k in range(1, 61)]
    log = run(js, f"""
        c.configure(controls, scene, true);
        for (const v of {presses!r}) controls.lr.set(v);
        c.settle();""")
    assert log == [["canvas", "stepping"], ["sync", "lr", "patch", {"value": presses[-1]}], ["canvas", "settled"]]


def test_the_burst_settles_by_itself_when_the_slider_rests(js):
    log = js.evaluate("""async () => {
        const {log, c, controls} = makeCase(['lr'], {settleMs: 40});
        c.configure(controls, {name: 'gd1d', kernel_only: []}, true);
        for (let k = 1; k <= 30; k++) controls.lr.set(0.125 * k);
        await new Promise((r) => setTimeout(r, 300));
        return log;
    }""")
    assert log == [["canvas", "stepping"], ["sync", "lr", "patch", {"value": 3.75}],
                   ["canvas", "settled"]]


def test_a_burst_that_ends_on_a_value_already_sent_still_sends_it(js):
    log = run(js, """
        c.configure(controls, scene, true);
        controls.lr.set(0.2); controls.lr.set(0.3);
        c.flush();                       // the once-a-second catch-up while the reader keeps moving
        controls.lr.set(0.4); controls.lr.set(0.3);
        c.settle();""")
    assert values_sent(log) == [0.3, 0.3]
    assert log[0] == ["canvas", "stepping"] and log[-1] == ["canvas", "settled"]
    assert [e for e in log if e[0] == "canvas"] == [["canvas", "stepping"], ["canvas", "settled"]]


def test_settled_waits_for_a_value_ipywidgets_still_holds_back(js):
    # ipywidgets holds a change back while the model's previous message is unanswered (_msg_buffer)
    log = js.evaluate("""async () => {
        const {log, c, controls} = makeCase(['lr']);
        const lr = controls.lr;
        lr.transport = function (method, attrs) { this._msg_buffer = attrs; };
        c.configure(controls, {name: 'gd1d', kernel_only: []}, true);
        lr.set(0.7);
        c.settle();
        log.push(['still held', lr._msg_buffer.value]);
        await new Promise((r) => setTimeout(r, 60));
        log.push(['sent', lr._msg_buffer.value]); lr._msg_buffer = null;   // the kernel answered
        await new Promise((r) => setTimeout(r, 60));
        return log;
    }""")
    assert log == [["canvas", "stepping"], ["still held", 0.7], ["sent", 0.7], ["canvas", "settled"]]


def test_kernel_values_other_attributes_and_kernel_controls_pass_at_once_in_order(js):
    log = run(js, """
        c.configure(controls, scene, true);
        controls.lr.set(0.5);
        controls.x0.set(1.25);
        controls.steps.set(80);                                   // needs the kernel: goes now, after lr and x0
        controls.lr.set(0.6);
        controls.lr._state_lock = {value: 0.7};                   // a value the kernel sent, snapped by the slider
        controls.lr.sync('patch', controls.lr, {attrs: {value: 0.7079}});
        controls.lr._state_lock = null;
        controls.lr.sync('patch', controls.lr, {attrs: {}});      // an empty patch (a slider sends one after a move)
        controls.lr.set(0.65);
        controls.x0.sync('patch', controls.x0, {attrs: {disabled: true}});  // another attribute
        c.settle();""")
    assert log == [["canvas", "stepping"],
                   ["sync", "lr", "patch", {"value": 0.5}], ["sync", "x0", "patch", {"value": 1.25}],
                   ["sync", "steps", "patch", {"value": 80}],
                   ["sync", "lr", "patch", {"value": 0.6}], ["sync", "lr", "patch", {"value": 0.7079}],
                   ["sync", "lr", "patch", {}], ["sync", "lr", "patch", {"value": 0.65}],
                   ["sync", "x0", "patch", {"disabled": True}],
                   ["canvas", "settled"]]


def test_nothing_is_held_back_without_a_kernel_a_scene_or_when_switched_off(js):
    log = run(js, """
        c.configure(controls, scene, false);                      // a static page: no kernel
        controls.lr.set(0.1);
        c.configure(controls, {name: null, kernel_only: []}, true);  // the kernel steps it
        controls.lr.set(0.2);
        c.configure(controls, {...scene, coalesce: false}, true);    // Explorer.rest_while_page_steps = False
        controls.lr.set(0.3);
        c.configure(controls, scene, true);
        controls.lr.set(0.4);
        c.configure(controls, {...scene, coalesce: false}, true);    // switching off sends what was held
        controls.lr.set(0.5);""")
    assert log == [["sync", "lr", "patch", {"value": 0.1}], ["sync", "lr", "patch", {"value": 0.2}],
                   ["sync", "lr", "patch", {"value": 0.3}], ["canvas", "stepping"],
                   ["sync", "lr", "patch", {"value": 0.4}], ["canvas", "settled"],
                   ["sync", "lr", "patch", {"value": 0.5}]]


def test_old_echoes_are_ignored_while_a_value_is_held_back(js):
    # ipywidgets applies the kernel's echo of the last value it sent; a held value is newer
    held = js.evaluate("""() => {
        const {c, controls} = makeCase(['lr']);
        c.configure(controls, {name: 'gd1d', kernel_only: []}, true);
        controls.lr._expectedEchoMsgIds.set('value', 'msg-1');
        controls.lr.set(0.9);
        return controls.lr._expectedEchoMsgIds.get('value');
    }""")
    assert held not in (None, "msg-1")


def test_a_new_burst_before_settled_keeps_the_kernels_burst_open(js):
    log = js.evaluate("""async () => {
        const {log, c, controls} = makeCase(['lr']);
        const lr = controls.lr;
        c.configure(controls, {name: 'gd1d', kernel_only: []}, true);
        lr.set(0.2);
        lr.transport = function (method, attrs) { this._msg_buffer = attrs; log.push(['held by ipywidgets']); };
        c.settle();                 // 'settled' waits for ipywidgets ...
        lr.set(0.3);                // ... and the reader moves again: the kernel's burst stays open
        lr._msg_buffer = null;
        await new Promise((r) => setTimeout(r, 60));
        delete lr.transport;
        c.settle();
        await new Promise((r) => setTimeout(r, 60));
        return log;
    }""")
    assert [e for e in log if e[0] == "canvas"] == [["canvas", "stepping"], ["canvas", "settled"]]
    assert log[-1] == ["canvas", "settled"]


def test_enter_settles_the_bursts_of_every_copy_of_the_module(blank_page, js_engine):
    """anywidget loads the widget's module again for each notebook opened in one JupyterLab page; the page's
    Enter listener (added once) must settle a burst of the second copy too, or the kernel runs the cell with
    the values before the burst (a test of two notebooks in one JupyterLab caught it)."""
    if js_engine != "chromium":
        pytest.skip("needs a page with a document (Chromium): Node has no key events")
    bundle = figure_canvas._bundle(expose=("coalesce.js",))
    with blank_page() as page:
        for copy in ("first", "second"):
            page.add_script_tag(content=bundle + f"\nwindow.{copy} = {{Coalescer}};\n", type="module")
            page.wait_for_function(f"() => window.{copy} !== undefined")
        log = page.evaluate("""async () => {
            const log = [];
            const canvas = {send: (msg) => log.push(msg.kind)};
            const model = {value: 0, _msg_buffer: null, _expectedEchoMsgIds: new Map(), get: () => model.value,
                           sync: (method, m, options = {}) => log.push(options.attrs.value)};
            const c = new window.second.Coalescer(canvas, {settleMs: 1e6, catchUpMs: 1e6});
            c.configure({lr: model}, {name: 'gd1d', kernel_only: []}, true);
            for (const v of [0.2, 0.3, 0.4]) { model.value = v; model.sync('patch', model, {attrs: {value: v}}); }
            document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));
            await new Promise((r) => setTimeout(r, 200));
            return log;
        }""")
    assert log == ["stepping", 0.4, "settled"], log
