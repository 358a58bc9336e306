// Accessibility of an explorer in the browser (used by figure_canvas.js's render).
//
// - Every control named and spoken as it is shown: ipywidgets' sliders (noUiSlider) have no
//   accessible name and announce the raw track position (the exponent of a log slider, with float
//   noise). labelControls gives each slider handle its label (aria-labelledby) and the readout a
//   sighted reader sees as its aria-valuetext (α: "0.001000", not "-3"), names the editable readout,
//   and marks disabled handles. watchPage does it for every slider of a page that shows an explorer,
//   again whenever a slider changes.
// - The status line announced: a LiveRegion (role="status", polite) receives the status text at
//   most every LIVE_MS, and always the last one.
// - The figure's text alternative written from the explorer's state (altText, the browser's copy of
//   Explorer.alt_text in base.py; numbers through flatprog.js's pyfmt, Python's format()).
// - Click-to-start by keyboard: a cross on the overlay moved with the arrow keys, Enter starts there
//   (KeyboardCursor; figure_canvas.js sets the start as a click at that point does).

import { pyfmt } from './flatprog.js';

export const LIVE_MS = 400;

let uidCounter = 0;
export function uid(prefix) {
  uidCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${uidCounter}`;
}

// ---- the text alternative ------------------------------------------------------------------------
export function altValue(m, value) {
  // a control's value as Explorer.alt_text names it (base.alt_value)
  const labels = m.get('_options_labels');
  if (Array.isArray(labels)) {
    const index = m.get('index');
    if (Array.isArray(index)) return index.map((i) => labels[i]).join(', ');
    return index === null || index === undefined ? '' : String(labels[index]);
  }
  const v = value === undefined ? m.get('value') : value;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') {
    return /^(Int|BoundedInt)/.test(String(m.get('_model_name') || '')) ? String(v) : pyfmt(v, '.4g');
  }
  return v === null || v === undefined ? '' : String(v);
}

export function htmlText(html) {
  // the text of an HTML string (the status line's HTML widget)
  const box = document.createElement('div');
  box.innerHTML = html || '';
  return (box.textContent || '').trim();
}

export function altText(spec, controls, values, status) {
  // "<subject>; <label> = <value>, ...: <status>" (Explorer.alt_text)
  const parts = [];
  for (const [name, label] of spec.controls || []) {
    const m = controls[name];
    if (m) parts.push(`${label} = ${altValue(m, values[name])}`);
  }
  return spec.subject + (parts.length ? `; ${parts.join(', ')}` : '') + (status ? `: ${status}` : '');
}

// ---- named controls --------------------------------------------------------------------------------
function tabTitleId(slider) {
  // the id of the title of the ipywidgets Tab page that holds `slider` (null outside tabs)
  const page = slider.closest('.widget-tab-contents > *');
  if (!page) return null;
  const tab = page.parentElement.closest('.widget-tab');
  const index = [...page.parentElement.children].indexOf(page);
  const title = tab && tab.querySelectorAll(':scope > .widget-tab-bar .lm-TabBar-tab')[index];
  return title && title.id ? title.id : null;
}

export function labelControls(box) {
  // give ipywidgets' sliders (and their readouts) the names and value texts they lack; idempotent
  const sliders = box.matches('.widget-slider') ? [box] : box.querySelectorAll('.widget-slider');
  for (const slider of sliders) {
    const handle = slider.querySelector('.noUi-handle');
    if (!handle) continue;
    const label = slider.querySelector(':scope > .widget-label');
    const named = label && label.textContent.trim();
    let names = '';
    if (named) {
      if (!label.id) label.id = uid('i2dl-label');
      // in a tab ("α" on the tab "Adam"), the tab's title first: "Adam α"
      names = [tabTitleId(slider), label.id].filter(Boolean).join(' ');
      if (handle.getAttribute('aria-labelledby') !== names) handle.setAttribute('aria-labelledby', names);
    }
    const readout = slider.querySelector(':scope > .widget-readout');
    const shown = readout && readout.style.display !== 'none' ? readout.textContent.trim() : '';
    if (shown && handle.getAttribute('aria-valuetext') !== shown) handle.setAttribute('aria-valuetext', shown);
    const track = slider.querySelector('.slider');
    const off = !!(track && track.hasAttribute('disabled'));
    if ((handle.getAttribute('aria-disabled') === 'true') !== off) {
      if (off) handle.setAttribute('aria-disabled', 'true'); else handle.removeAttribute('aria-disabled');
    }
    if (readout) {
      const editable = readout.getAttribute('contenteditable') === 'true';
      if (readout.getAttribute('role') !== 'textbox') readout.setAttribute('role', 'textbox');
      if (named && readout.getAttribute('aria-labelledby') !== names) readout.setAttribute('aria-labelledby', names);
      if (readout.getAttribute('aria-readonly') !== String(!editable)) readout.setAttribute('aria-readonly', String(!editable));
    }
  }
}

export function watchControls(box) {
  // labelControls now and after every change of the controls' DOM (noUiSlider rewrites
  // aria-valuetext on every move); returns the observer (disconnect() to stop)
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => { queued = false; labelControls(box); });
  });
  labelControls(box);
  observer.observe(box, { subtree: true, childList: true, characterData: true, attributes: true,
                          attributeFilter: ['aria-valuetext', 'disabled', 'contenteditable', 'style'] });
  return observer;
}

export function watchPage() {
  // every ipywidgets slider of the page named and spoken well, the explorers' and any other (a plain
  // `interactive` beside them): new sliders are found when the page's DOM grows, each then watched.
  // Once per page, whatever number of copies of this module the widgets loaded.
  if (window.__i2dlPageWatcher || typeof MutationObserver === 'undefined' || !document.body) return;
  const watched = new WeakSet();
  let queued = false;
  const adopt = () => {
    queued = false;
    for (const slider of document.querySelectorAll('.widget-slider')) {
      if (!watched.has(slider)) {
        watched.add(slider);
        watchControls(slider);
      }
    }
  };
  const watcher = new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(adopt); }
  });
  window.__i2dlPageWatcher = watcher;
  watcher.observe(document.body, { childList: true, subtree: true });
  adopt();
}

export function whenConnected(el, then, isDisposed, timeoutMs = 30000) {
  // call then() once el is in the document (a widget view renders before it is attached)
  const start = performance.now();
  const poll = () => {
    if (isDisposed()) return;
    if (el.isConnected) then();
    else if (performance.now() - start < timeoutMs) setTimeout(poll, 50);
  };
  poll();
}

// ---- the status line, announced --------------------------------------------------------------------
export class LiveRegion {
  // a polite live region that takes a new text at most every `ms`, and always the last one
  constructor(parent, ms = LIVE_MS) {
    this.el = document.createElement('div');
    this.el.className = 'i2dl-sr-only i2dl-live';
    this.el.setAttribute('role', 'status');
    this.el.setAttribute('aria-live', 'polite');
    this.el.setAttribute('aria-atomic', 'true');
    parent.append(this.el);
    this.ms = ms;
    this.last = -Infinity;
    this.pending = null;
    this.timer = null;
  }

  say(text) {
    this.pending = text;
    if (this.timer !== null) return;
    const wait = Math.max(0, this.last + this.ms - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.last = performance.now();
      if (this.pending !== null && this.el.textContent !== this.pending) this.el.textContent = this.pending;
      this.pending = null;
    }, wait);
  }

  dispose() {
    if (this.timer !== null) clearTimeout(this.timer);
  }
}

// ---- click-to-start by keyboard ----------------------------------------------------------------------
export const KEY_STEPS = 10;  // an arrow key moves the cross by this many steps of the start sliders; Shift: one

export function cursorMove(key, shift, x, y, mx, my) {
  // the cross after `key` at (x, y) with sliders mx (horizontal) and my (vertical), on their grids, clipped
  const n = shift ? 1 : KEY_STEPS;
  const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[key];
  if (!move) return null;
  const clip = (m, v) => Math.min(m.get('max'), Math.max(m.get('min'), v));
  const onGrid = (m, v, k) => {
    const lo = m.get('min'), step = m.get('step');
    return clip(m, lo + (Math.round((v - lo) / step) + k) * step);
  };
  return [onGrid(mx, x, move[0] * n), onGrid(my, y, move[1] * n)];
}

export function drawCross(ctx, px, py) {
  // a cross with a white halo: visible on light and dark contours alike
  const arm = 9;
  ctx.save();
  ctx.setLineDash([]);
  ctx.lineCap = 'butt';
  for (const [colour, width] of [['rgba(255,255,255,0.95)', 5], ['#000000', 2]]) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(px - arm, py); ctx.lineTo(px + arm, py);
    ctx.moveTo(px, py - arm); ctx.lineTo(px, py + arm);
    ctx.stroke();
  }
  ctx.restore();
}
