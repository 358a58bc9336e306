// While the page steps an explorer itself, it coalesces the values it sends the kernel.
//
// The kernel side is i2dl_helpers/widgets/resting.py. A page that steps an explorer (scenes*.js) has
// the new frame on screen before the kernel hears of the move, so the kernel need not hear of every
// move: the sliders' own sync (ipywidgets' WidgetModel.sync) is wrapped, and a value-only change of a
// control the page steps is held back. The first one opens a burst ({kind: 'stepping'} on the
// explorer's canvas widget); while the reader keeps moving, the latest value goes out at most once
// per CATCH_UP_MS; once the slider has rested SETTLE_MS (or before a cell can run: Enter, a click,
// the page hidden), the latest value goes out, exact (the model's own value, through the slider's
// own sync), and, once ipywidgets has really sent it, {kind: 'settled'} closes the burst: the kernel
// then computes once. Everything else (values from the kernel, controls that need the kernel, other
// attributes) goes out at once as before, after whatever was held back, so the order is kept.
//
// figure_canvas.js imports coalescerFor from here (figure_canvas._bundle links the modules into one).

const SETTLE_MS = 250;
const CATCH_UP_MS = 3000;
const HELD = 'i2dl-held';  // the echo ipywidgets waits for while a value is held back: none (old echoes are dropped)

const WRAPPED = new WeakMap();  // control model -> {original sync, coalescer}
// coalescers holding values back (settled before a cell can run): one set per page, shared by every copy of
// this module (anywidget loads the module again for each notebook's widgets, and the listeners below are
// added once per page: with a set per copy, Enter in a second notebook settled only the first one's bursts)
const BURSTS = typeof window !== 'undefined' ? (window.__i2dlBursts = window.__i2dlBursts || new Set()) : new Set();

function valueOnly(attrs) {
  return !!attrs && Object.keys(attrs).length === 1 && 'value' in attrs;
}

function whenSent(models, done, tries = 250) {
  // ipywidgets holds a change back while a message of the same model is unanswered (its throttle):
  // wait until it went out, so that {kind: 'settled'} follows the values
  if (tries <= 0 || models.every((m) => !m._msg_buffer)) { done(); return; }
  setTimeout(() => whenSent(models, done, tries - 1), 20);
}

export function settleAll() {
  for (const c of [...BURSTS]) c.settle();
}

if (typeof document !== 'undefined' && typeof window !== 'undefined' && !window.__i2dlCoalesce) {
  window.__i2dlCoalesce = true;
  // a cell can run next: the kernel gets the final values before the cell's request
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') settleAll(); }, true);
  document.addEventListener('pointerdown', settleAll, true);
  document.addEventListener('visibilitychange', settleAll);
  window.addEventListener('pagehide', settleAll);
}

export class Coalescer {
  constructor(canvas, { settleMs = SETTLE_MS, catchUpMs = CATCH_UP_MS } = {}) {
    this.canvas = canvas;  // the explorer's canvas widget model (its messages go to the kernel)
    this.settleMs = settleMs;
    this.catchUpMs = catchUpMs;
    this.controls = new Map();  // name -> control model whose sync is wrapped
    this.kernelOnly = new Set();  // wrapped (to keep the order) but never held back: they need the kernel
    this.held = new Map();  // name -> {m, callbacks}: held back, latest last
    this.sent = new Set();  // models whose values went out in this burst
    this.state = 'closed';  // 'open' (values held, the kernel told), 'closing' (waiting to say 'settled')
    this.settleTimer = null;
    this.catchUpTimer = null;
    this.views = 0;
  }

  stepping() {
    return this.state === 'open';
  }

  configure(controls, scene, kernel) {
    // hold back the controls the page steps, when a kernel listens and the explorer rests
    const on = !!(kernel && scene && scene.name && scene.coalesce !== false);
    this.kernelOnly = new Set((scene && scene.kernel_only) || []);
    const wanted = on ? Object.entries(controls) : [];
    for (const [name, m] of [...this.controls]) {
      if (!wanted.some(([n, w]) => n === name && w === m)) this.release(name);
    }
    for (const [name, m] of wanted) if (!this.controls.has(name)) this.wrap(name, m);
  }

  wrap(name, m) {
    if (WRAPPED.has(m) || typeof m.sync !== 'function') return;
    const original = m.sync, self = this;
    m.sync = function sync(method, model, options = {}) {
      if (method === 'patch' && !this._state_lock && valueOnly(options.attrs) && !self.kernelOnly.has(name)
          && self.controls.get(name) === this) {
        self.hold(name, this, options.callbacks);
        return undefined;
      }
      if (method !== 'patch' || Object.keys(options.attrs || {}).length) self.flush();  // what was held back goes first
      return original.call(this, method, model, options);  // (an empty patch, as a slider sends after a move, sends nothing)
    };
    WRAPPED.set(m, { original, coalescer: this });
    this.controls.set(name, m);
  }

  release(name) {
    const m = this.controls.get(name);
    if (this.held.has(name)) this.settle();
    const entry = WRAPPED.get(m);
    if (entry && entry.coalescer === this) {
      m.sync = entry.original;
      WRAPPED.delete(m);
    }
    this.controls.delete(name);
  }

  send(message) {
    try { this.canvas.send(message); } catch (err) { /* no kernel to tell */ }
  }

  hold(name, m, callbacks) {
    this.held.delete(name);
    this.held.set(name, { m, callbacks });
    if (m._expectedEchoMsgIds) m._expectedEchoMsgIds.set('value', HELD);
    if (this.state === 'closed') this.send({ kind: 'stepping' });
    this.state = 'open';
    BURSTS.add(this);
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.settle(), this.settleMs);
    if (this.catchUpTimer === null) {
      this.catchUpTimer = setTimeout(() => { this.catchUpTimer = null; this.flush(); }, this.catchUpMs);
    }
  }

  flush() {
    // send the latest value of every held control, exact, through the slider's own sync
    const held = [...this.held.values()];
    this.held.clear();
    for (const { m, callbacks } of held) {
      const entry = WRAPPED.get(m);
      const sync = entry ? entry.original : m.sync;
      sync.call(m, 'patch', m, { attrs: { value: m.get('value') }, callbacks });
      this.sent.add(m);
    }
  }

  settle() {
    clearTimeout(this.settleTimer);
    clearTimeout(this.catchUpTimer);
    this.settleTimer = this.catchUpTimer = null;
    this.flush();
    BURSTS.delete(this);
    if (this.state !== 'open') return;
    this.state = 'closing';
    const models = [...this.sent];
    this.sent.clear();
    whenSent(models, () => {
      if (this.state !== 'closing') return;  // a new burst began: the kernel's is still open
      this.state = 'closed';
      this.send({ kind: 'settled' });
    });
  }

  detach() {
    // a view of the explorer went away; the last one gives the controls their own sync back
    this.views -= 1;
    if (this.views > 0) return;
    this.settle();
    for (const name of [...this.controls.keys()]) this.release(name);
  }
}

const COALESCERS = new WeakMap();  // canvas model -> its Coalescer (shared by the explorer's views)

export function coalescerFor(canvas) {
  let c = COALESCERS.get(canvas);
  if (!c) { c = new Coalescer(canvas); COALESCERS.set(canvas, c); }
  c.views += 1;
  return c;
}
