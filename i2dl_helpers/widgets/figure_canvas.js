// The browser side of i2dl_helpers.widgets.figure_canvas.FigureCanvasWidget.
//
// The kernel renders the figure's static part once (a PNG: axes, contours, the
// curve, the legend) and, on every slider move, sends only the moving artists
// as drawing instructions in the figure's pixel coordinates. This module shows
// the PNG in an <img> and draws the instructions on a <canvas> laid exactly over
// it, so the two read as one matplotlib figure. After each paint the container's
// data-frame attribute counts up (the browser test measures latency with it).

import { pyfmt } from './flatprog.js';
import { SCENES } from './scenes.js';
// the scenes register themselves in SCENES when they run
import './scenes_2d.js';
import './scenes_calculus.js';
import './scenes_basins.js';
import { LiveRegion, altText, cursorMove, drawCross, htmlText, uid, watchPage, whenConnected } from './a11y.js';
import { coalescerFor } from './coalesce.js';

const FONT_FALLBACK = '"DejaVu Sans", "Bitstream Vera Sans", Verdana, Arial, sans-serif';

function tracePolyline(ctx, xy) {
  // xy: flat [x0, y0, x1, y1, ...]; null coordinates break the line (NaN in matplotlib)
  let pen = false;
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i], y = xy[i + 1];
    if (x === null || y === null) { pen = false; continue; }
    if (pen) ctx.lineTo(x, y); else { ctx.moveTo(x, y); pen = true; }
  }
}

function withClip(ctx, clip, draw) {
  ctx.save();
  if (clip) { ctx.beginPath(); ctx.rect(clip[0], clip[1], clip[2], clip[3]); ctx.clip(); }
  try { draw(); } finally { ctx.restore(); }
}

function strokeStyle(ctx, op) {
  ctx.strokeStyle = op.color;
  ctx.lineWidth = op.width;
  ctx.lineCap = op.cap || 'butt';
  ctx.lineJoin = op.join || 'round';
  ctx.setLineDash(op.dash || []);
  ctx.lineDashOffset = op.dash_offset || 0;
}

function drawMarkers(ctx, xy, m) {
  const fill = m.fill, edge = m.edge;
  const shape = new Path2D();
  if (m.circle) shape.arc(0, 0, m.circle, 0, 2 * Math.PI);
  else for (const poly of m.polys) {
    for (let i = 0; i < poly.length; i += 2) {
      if (i === 0) shape.moveTo(poly[0], poly[1]); else shape.lineTo(poly[i], poly[i + 1]);
    }
    if (m.closed) shape.closePath();
  }
  ctx.setLineDash([]);
  ctx.lineWidth = m.edge_width;
  ctx.lineJoin = 'miter';
  if (fill) ctx.fillStyle = fill;
  if (edge) ctx.strokeStyle = edge;
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i], y = xy[i + 1];
    if (x === null || y === null) continue;
    ctx.translate(x, y);
    if (fill) ctx.fill(shape);
    if (edge && m.edge_width > 0) ctx.stroke(shape);
    ctx.translate(-x, -y);
  }
}

function drawText(ctx, op) {
  if (op.box) {
    const b = op.box;
    if (b.fill) { ctx.fillStyle = b.fill; ctx.fillRect(b.rect[0], b.rect[1], b.rect[2], b.rect[3]); }
    if (b.edge && b.edge_width > 0) {
      ctx.setLineDash([]);
      ctx.strokeStyle = b.edge; ctx.lineWidth = b.edge_width;
      ctx.strokeRect(b.rect[0], b.rect[1], b.rect[2], b.rect[3]);
    }
  }
  ctx.font = `${op.style} ${op.weight} ${op.size}px "${op.family}", ${FONT_FALLBACK}`;
  ctx.fillStyle = op.color;
  ctx.textAlign = op.align;
  ctx.textBaseline = 'middle';
  const lines = op.text.split('\n');
  const h = op.rect[3] / lines.length;
  lines.forEach((line, i) => ctx.fillText(line, op.x, op.rect[1] + h * (i + 0.5)));
}

function drawImage(ctx, op) {
  // op.image: {data: RGBA bytes, width, height} (top row first), scaled into op.rect without smoothing
  const im = op.image;
  if (!im) return;
  const off = document.createElement('canvas');
  off.width = im.width; off.height = im.height;
  off.getContext('2d').putImageData(new ImageData(im.data, im.width, im.height), 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.globalAlpha = op.alpha ?? 1;
  ctx.drawImage(off, op.rect[0], op.rect[1], op.rect[2], op.rect[3]);
  ctx.globalAlpha = 1;
}

function paint(ctx, ops) {
  for (const op of ops) {
    withClip(ctx, op.clip, () => {
      if (op.kind === 'line') {
        if (op.width > 0 && op.color) {
          strokeStyle(ctx, op);
          ctx.beginPath();
          tracePolyline(ctx, op.xy);
          ctx.stroke();
        }
        if (op.marker) drawMarkers(ctx, op.xy, op.marker);
      } else if (op.kind === 'segments') {
        op.segments.forEach((xy, i) => {
          strokeStyle(ctx, {color: op.colors[i % op.colors.length], width: op.widths[i % op.widths.length],
                            cap: op.cap, join: op.join});
          ctx.beginPath();
          tracePolyline(ctx, xy);
          ctx.stroke();
        });
      } else if (op.kind === 'text') {
        if (op.text) drawText(ctx, op);
      } else if (op.kind === 'image') {
        drawImage(ctx, op);
      }
    });
  }
}

// ---- explorers that step in the browser ----------------------------------------------------------
// A scene (scenes.js) computes, from the controls' values, the data of the artists it moves, keyed by
// their gid: {x, y} for a line, {text, at} for a text, {image} for an image; the kernel's last overlay
// gives everything else (styles, clip boxes, the data -> pixel transform of each artist's axes).
const FAR = 1e5;

function toPixels(trans, xs, ys) {
  const [a, b, c, d, e, f] = trans.m, out = new Array(2 * xs.length);
  for (let i = 0; i < xs.length; i++) {
    let X = xs[i], Y = ys[i];
    if (trans.xlog) X = X > 0 ? Math.log10(X) : NaN;
    if (trans.ylog) Y = Y > 0 ? Math.log10(Y) : NaN;
    const px = a * X + c * Y + e, py = b * X + d * Y + f;
    if (Number.isFinite(px) && Number.isFinite(py)) {
      out[2 * i] = Math.round(Math.min(FAR, Math.max(-FAR, px)) * 100) / 100;
      out[2 * i + 1] = Math.round(Math.min(FAR, Math.max(-FAR, py)) * 100) / 100;
    } else {
      out[2 * i] = out[2 * i + 1] = null;
    }
  }
  return out;
}

let measurer = null;
function textWidth(op, text) {
  measurer = measurer || document.createElement('canvas').getContext('2d');
  measurer.font = `${op.style} ${op.weight} ${op.size}px "${op.family}", ${FONT_FALLBACK}`;
  return Math.max(...text.split('\n').map((line) => measurer.measureText(line).width));
}

function patchText(op, a) {
  const text = String(a.text ?? '');
  if (text === op.text && !a.at) return op;
  const lines = text.split('\n').length, lineHeight = op.rect[3] / (op.lines || 1);
  const w = text ? textWidth(op, text) : 0, h = lineHeight * lines;
  let x = op.x, [left, top] = op.rect;
  let anchorY = op.valign === 'top' ? top : op.valign === 'center' || op.valign === 'center_baseline'
    ? top + op.rect[3] / 2 : top + op.rect[3];
  if (a.at && op.trans) {
    const p = toPixels(op.trans, [a.at[0]], [a.at[1]]);
    if (p[0] === null) return { ...op, text: '' };
    const dx = p[0] - (op.at_px ? op.at_px[0] : p[0]), dy = p[1] - (op.at_px ? op.at_px[1] : p[1]);
    x += dx; anchorY += dy;
  }
  left = op.align === 'left' ? x : op.align === 'center' ? x - w / 2 : x - w;
  top = op.valign === 'top' ? anchorY : op.valign === 'center' || op.valign === 'center_baseline'
    ? anchorY - h / 2 : anchorY - h;
  const out = { ...op, text, x, rect: [left, top, w, h], lines };
  if (op.box) {
    const pad = (op.box.rect[2] - op.rect[2]) / 2;
    out.box = { ...op.box, rect: [left - pad, top - pad, w + 2 * pad, h + 2 * pad] };
  }
  return out;
}

function patchOp(op, a) {
  if (a.visible === false) return null;
  if (op.kind === 'line' && a.x && op.trans) return { ...op, xy: toPixels(op.trans, a.x, a.y) };
  if (op.kind === 'text' && 'text' in a) return patchText(op, a);
  if (op.kind === 'image' && a.image) return { ...op, image: a.image };
  return op;
}

// ---- values set from code: the slider shows the nearest grid point, the frame the exact value -------
function sliderPosition(m, v) {
  // where v sits on the slider's track (the exponent on a log slider), as widgets.sliders._position
  const base = m.get('base');
  if (typeof base === 'number') return v > 0 ? Math.log(v) / Math.log(base) : null;
  return v;
}

function sliderGridValue(m, v) {
  // the grid point the slider snaps v to (widgets.sliders._grid_value), or null
  const step = m.get('step'), lo = m.get('min'), hi = m.get('max');
  if (typeof v !== 'number' || typeof step !== 'number' || !(step > 0)) return null;
  const at = sliderPosition(m, v);
  if (at === null) return null;
  const snapped = lo + Math.round((Math.min(Math.max(at, lo), hi) - lo) / step) * step;
  return typeof m.get('base') === 'number' ? m.get('base') ** snapped : snapped;
}

export function controlValue(m, kernelValue) {
  // the value a frame shows: the kernel's, when the slider only shows its rounded copy
  const v = m.get('value');
  if (typeof kernelValue !== 'number' || typeof v !== 'number' || v === kernelValue) return v;
  const near = sliderGridValue(m, kernelValue);
  if (near === null) return v;
  const a = sliderPosition(m, v), b = sliderPosition(m, near);
  return a !== null && b !== null && Math.abs(a - b) <= 1e-6 * m.get('step') ? kernelValue : v;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]);
}

export function frameOps(scene, values, overlay, kernelValues = {}) {
  // the frame of a browser-stepped explorer: the kernel's last overlay with the artists the scene
  // moves recomputed from the controls' values -> {ops, status}; a frame drawn ahead also has its value
  const step = SCENES[scene.name];
  if (!step) throw new Error(`no scene ${JSON.stringify(scene.name)} in this module`);
  const out = step({ params: scene.params || {}, program: scene.program, values, kernel: kernelValues });
  if (out.ops) return { ops: out.ops, status: out.status || null, alt: out.alt || null, value: out.value };
  const artists = out.artists || {};
  const ops = [];
  for (const op of overlay) {
    const patched = op.gid && artists[op.gid] ? patchOp(op, artists[op.gid]) : op;
    if (patched) ops.push(patched);
  }
  return { ops, status: out.status || null };
}

export function statusHtml(scene, status) {
  // Explorer.set_status's HTML
  const colour = (scene.status_colours || {})[status.kind] || '#333';
  return `<span class="i2dl-status" style="color:${colour};font-family:monospace">${escapeHtml(status.text)}</span>`;
}

export function render({ model, el }) {
  const root = document.createElement('div');
  root.className = 'i2dl-figure';
  root.dataset.frame = '0';
  const img = document.createElement('img');
  img.className = 'i2dl-figure-background';
  img.alt = model.get('alt') || '';
  img.draggable = false;
  const canvas = document.createElement('canvas');
  canvas.className = 'i2dl-figure-overlay';
  root.append(img, canvas);
  // how to work the figure by keyboard (click-to-start), and the status line announced
  const help = document.createElement('p');
  help.className = 'i2dl-keys-help';
  help.id = uid('i2dl-keys-help');
  el.append(root, help);
  const live = new LiveRegion(el);
  const ctx = canvas.getContext('2d');

  let url = null, shownBackground = null, frame = 0, scheduled = false, disposed = false;
  // the scene: its control models by name, the status line's model, whether a kernel answered
  let controls = {}, statusModel = null, errorModel = null, kernel = false, standalone = false, wroteStatus = false;
  let binding = 0, lastError = null, lastValues = null, lastAlt = null, spoken = null, cursor = null;
  let askedAhead = null;  // the scene for which the kernel was asked to draw frames ahead
  const disabledByUs = new Map();  // control name -> its placeholder before (text boxes)
  const coalescer = coalescerFor(model);  // coalesce.js: the values the page sends while it steps

  function sceneOps(base) {
    const scene = model.get('scene') || {};
    if (!scene.name) {
      if (standalone && !kernel && scene.reason && statusModel) {
        statusModel.set('value', statusHtml(scene, { text: scene.reason, kind: 'warn' }));
        wroteStatus = true;
      }
      return base;
    }
    if (!Object.keys(controls).length) return base;  // still resolving the control models
    const values = {}, known = model.get('kernel_values') || {};
    for (const [name, m] of Object.entries(controls)) values[name] = controlValue(m, known[name]);
    root.dataset.values = JSON.stringify(values);  // what this frame shows (tests rebuild it in Python)
    lastValues = values;
    let out;
    lastAlt = null;
    try {
      out = frameOps(scene, values, base, known);
      lastError = null;
      lastAlt = out.alt || null;
    } catch (err) {
      if (scene.name === 'ahead') {  // not drawn ahead: the kernel's own frame comes, the value goes now
        coalescer.settle();
        return base;
      }
      if (String(err) !== lastError) console.error(`i2dl ${scene.name}:`, err);
      lastError = String(err);
      if (standalone && !kernel && statusModel) {  // e.g. Nesterov with β = 0: say so, keep the last frame
        statusModel.set('value', statusHtml(scene, { text: String(err.message || err), kind: 'error' }));
        wroteStatus = true;
      }
      return base;
    }
    if (out.status && statusModel && ((standalone && !kernel) || coalescer.stepping())) {
      statusModel.set('value', statusHtml(scene, out.status));  // the kernel rests (coalesce.js)
      wroteStatus = true;
    }
    if (scene.name === 'ahead' && (scene.params || {}).centre !== undefined) nearFrame(scene.params.control, out.value);
    return out.ops;
  }

  function nearFrame(name, value) {
    // a frame from a window drawn ahead (Explorer.AHEAD_NEAR): the slider takes the kernel's value for it
    // (the browser's arithmetic may differ in the last bit), and the kernel hears of it at once, to draw
    // the next window
    const m = controls[name];
    if (m && typeof value === 'number' && m.get('value') !== value) {
      m.set('value', value);
      lastValues = { ...lastValues, [name]: value };
      root.dataset.values = JSON.stringify(lastValues);
    }
    coalescer.settle();
  }

  function onControl(m) {
    // a new frame only where the page computes it; otherwise the kernel's overlay brings it
    const scene = model.get('scene') || {};
    if (scene.name) schedule();
    if (scene.ahead && m === controls[scene.ahead]) askAhead();
  }

  // ---- frames drawn ahead (Explorer.AHEAD) -----------------------------------------------------------
  // When the reader reaches for the slider (focus, pointer, a first move), the page asks the kernel to
  // draw all its frames (Explorer.draw_ahead_soon); the scene 'ahead' then brings them.
  function aheadToAsk() {
    // the slider whose frames the kernel would draw if asked (not asked yet for this scene), or null
    const scene = model.get('scene') || {};
    return kernel && scene.ahead && scene.name !== 'ahead' && askedAhead !== scene ? scene : null;
  }

  function askAhead() {
    const scene = aheadToAsk();
    if (!scene) return;
    askedAhead = scene;
    try { model.send({ kind: 'ahead' }); } catch (err) { /* no kernel */ }
  }

  async function reachesAhead(event) {
    const scene = aheadToAsk(), m = scene && controls[scene.ahead];
    if (!m) return;
    for (const view of Object.values(m.views || {})) {
      const v = await view;
      if (v && v.el && v.el.contains(event.target)) { askAhead(); return; }
    }
  }
  document.addEventListener('focusin', reachesAhead, true);
  document.addEventListener('pointerover', reachesAhead, true);

  async function bindScene() {
    const ticket = ++binding;
    for (const m of Object.values(controls)) {
      m.off('change:value', onControl);
      m.off('change:index', describe);
    }
    for (const m of [statusModel, errorModel]) if (m) m.off('change:value', onStatus);
    controls = {};
    const refs = model.get('scene_widgets') || {};
    const resolve = (ref) => model.widget_manager.get_model(String(ref).replace(/^IPY_MODEL_/, ''));
    const found = {};
    for (const [name, ref] of Object.entries(refs.controls || {})) found[name] = await resolve(ref);
    const status = refs.status ? await resolve(refs.status) : null;
    const error = refs.error ? await resolve(refs.error) : null;
    if (ticket !== binding || disposed) return;
    controls = found;
    statusModel = status;
    errorModel = error;
    for (const m of Object.values(controls)) {
      m.on('change:value', onControl);
      m.on('change:index', describe);  // a choice's label (its value does not reach the page)
    }
    for (const m of [statusModel, errorModel]) if (m) m.on('change:value', onStatus);
    coalescer.configure(controls, model.get('scene') || {}, kernel);
    const scene = model.get('scene') || {}, centre = (scene.params || {}).centre;
    root.dataset.scene = scene.name || '';  // 'ahead': the page steps from frames drawn ahead
    root.dataset.window = centre === undefined ? '' : String(centre);  // a window's centre (Explorer.AHEAD_NEAR)
    spoken = spokenText();  // the state on arrival is on the page already; changes are announced
    applyStandalone();
    schedule();
  }

  // ---- accessibility (a11y.js) -------------------------------------------------------------------
  function spokenText() {
    // the status line, and the error box when it shows an error
    const status = statusModel ? htmlText(statusModel.get('value')) : '';
    const error = errorModel ? htmlText(errorModel.get('value')) : '';
    return error ? `${status} ${error}`.trim() : status;
  }

  function onStatus() {
    const text = spokenText();
    if (text !== spoken) {
      spoken = text;
      if (text) live.say(text);
    }
    describe();
  }

  function describe() {
    // the <img>'s alt: written from the values this frame shows and the status line, as
    // Explorer.alt_text writes it (the kernel's own text until the controls are resolved)
    const spec = model.get('alt_spec') || {};
    let alt = model.get('alt') || '';
    if (spec.subject && statusModel && Object.keys(controls).length) {
      const values = {};
      for (const [name, m] of Object.entries(controls)) values[name] = m.get('value');
      Object.assign(values, (model.get('scene') || {}).name && lastValues ? lastValues : {});
      alt = altText(spec, controls, values, htmlText(statusModel.get('value')));
    }
    if (lastAlt && (model.get('scene') || {}).name === 'ahead') alt = lastAlt;  // the kernel's own, drawn ahead
    if (img.alt !== alt) img.alt = alt;
  }

  function showHelp() {
    // only where the keys work: a figure with a click target
    const text = model.get('keys_help') || '';
    if (help.textContent !== text) help.textContent = text;
    help.hidden = !text || !clickTarget();
  }

  function clickTarget() {
    const target = ((model.get('scene') || {}).params || {}).click;
    return target && controls[target.x] && controls[target.y] ? target : null;
  }

  function setStart(target, X, Y) {
    // what a click at the data point (X, Y) does: the two start controls go there (clipped)
    for (const [name, v] of [[target.x, X], [target.y, Y]]) {
      const m = controls[name], lo = m.get('min'), hi = m.get('max');
      m.set('value', Math.min(hi, Math.max(lo, v)));
      try { m.save_changes(); } catch (err) { /* a static page has no kernel to tell */ }
    }
  }

  function label(name) {
    const m = controls[name];
    return (m && m.get('description')) || name;
  }

  function onKey(event) {
    // click-to-start by keyboard: arrows move a cross (Shift: finer), Enter or Space starts there, Escape hides it
    const target = clickTarget();
    if (!target || event.altKey || event.ctrlKey || event.metaKey) return;
    const mx = controls[target.x], my = controls[target.y];
    if (event.key.startsWith('Arrow')) {
      const from = cursor || [mx.get('value'), my.get('value')];
      const next = cursorMove(event.key, event.shiftKey, from[0], from[1], mx, my);
      if (!next) return;
      cursor = next;
      live.say(`cross at ${label(target.x)} = ${pyfmt(cursor[0], '.4g')}, ${label(target.y)} = ${pyfmt(cursor[1], '.4g')}; `
               + 'press Enter to start there');
      schedule();
    } else if (event.key === 'Enter' || event.key === ' ') {
      if (cursor) setStart(target, cursor[0], cursor[1]);
      cursor = null;
      schedule();
    } else if (event.key === 'Escape' && cursor) {
      cursor = null;
      schedule();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  function setupOverlay() {
    // a click target makes the overlay a keyboard control; otherwise it is decoration over the <img>
    const target = clickTarget();
    showHelp();
    const click = target ? JSON.stringify({ trans: target.trans, x: target.x, y: target.y }) : null;
    if (click !== (root.dataset.click ?? null)) {  // where a click lands, for tests (as data-values)
      if (click) root.dataset.click = click; else delete root.dataset.click;
    }
    if (target) {
      canvas.tabIndex = 0;
      canvas.setAttribute('role', 'application');
      canvas.setAttribute('aria-label', `Start point: ${label(target.x)} and ${label(target.y)}. `
                          + 'Arrow keys move a cross, Enter starts there.');
      canvas.setAttribute('data-lm-suppress-shortcuts', 'true');  // JupyterLab keeps its hands off the keys
      canvas.removeAttribute('aria-hidden');
      if (model.get('keys_help')) canvas.setAttribute('aria-describedby', help.id);
      else canvas.removeAttribute('aria-describedby');
    } else {
      canvas.removeAttribute('tabindex');
      for (const name of ['role', 'aria-label', 'aria-describedby', 'data-lm-suppress-shortcuts']) canvas.removeAttribute(name);
      canvas.setAttribute('aria-hidden', 'true');
      cursor = null;
    }
  }

  function applyStandalone() {
    // without a kernel, controls that need one (a new background) are disabled and say why
    const scene = model.get('scene') || {};
    root.dataset.kernel = kernel ? 'yes' : standalone ? 'none' : 'unknown';  // a static page: 'none'
    const kernelOnly = new Set(standalone && !kernel ? scene.kernel_only || [] : []);
    for (const [name, m] of Object.entries(controls)) {
      if (kernelOnly.has(name) && !m.get('disabled')) {
        m.set('disabled', true);
        m.set('tooltip', 'needs a running Python kernel (open the notebook in JupyterLab or Binder)');
        const placeholder = m.get('placeholder');
        if (typeof placeholder === 'string') m.set('placeholder', 'typing a function needs a running Python kernel');
        disabledByUs.set(name, placeholder);
      } else if (!kernelOnly.has(name) && disabledByUs.has(name)) {
        m.set('disabled', false);
        m.set('tooltip', null);
        if (typeof disabledByUs.get(name) === 'string') m.set('placeholder', disabledByUs.get(name));
        disabledByUs.delete(name);
      }
    }
  }

  model.on('msg:custom', (msg) => {
    if (!msg || msg.kind !== 'pong') return;
    kernel = true;
    applyStandalone();
    coalescer.configure(controls, model.get('scene') || {}, kernel);
    if (wroteStatus) model.send({ kind: 'resend-status' });
  });

  function resize() {
    const w = model.get('width'), h = model.get('height'), r = window.devicePixelRatio || 1;
    // at most w px wide, narrower with the notebook column; the image and the overlay fill the root
    root.style.width = `${w}px`;
    root.style.height = 'auto';
    root.style.aspectRatio = `${w} / ${h}`;
    canvas.width = Math.round(w * r);
    canvas.height = Math.round(h * r);
    ctx.setTransform(r, 0, 0, r, 0, 0);
  }

  async function showBackground(data) {
    const next = URL.createObjectURL(new Blob([data], { type: 'image/png' }));
    const probe = new Image();
    probe.src = next;
    try { await probe.decode(); } catch (e) { /* shown anyway below */ }
    img.src = next;
    if (url) URL.revokeObjectURL(url);
    url = next;
  }

  async function update() {
    scheduled = false;
    const data = model.get('background');
    if (data && data !== shownBackground && data.byteLength) {
      shownBackground = data;
      await showBackground(data);  // new axes first, so that the overlay never sits on old ones
    }
    if (disposed) return;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    paint(ctx, sceneOps(model.get('overlay') || []));
    const target = cursor && clickTarget();
    if (target) {
      const [px, py] = toPixels(target.trans, [cursor[0]], [cursor[1]]);
      if (px !== null) drawCross(ctx, px, py);
    }
    frame += 1;
    root.dataset.frame = String(frame);
    // the values of the kernel's last frame (tests wait until the kernel has caught up with the page)
    root.dataset.kernelValues = JSON.stringify(model.get('kernel_values') || {});
    setupOverlay();
    describe();
  }

  function schedule() {
    // one paint after all changes of one message (background + overlay arrive together)
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(update);
  }

  model.on('change:width', () => { resize(); schedule(); });
  model.on('change:height', () => { resize(); schedule(); });
  model.on('change:background', schedule);
  model.on('change:overlay', schedule);
  model.on('change:kernel_values', schedule);
  // a click inside the scene's click target (params.click) sets two controls to the point under it
  canvas.addEventListener('click', (event) => {
    const target = clickTarget();
    if (!target) return;
    const box = canvas.getBoundingClientRect(), w = model.get('width'), h = model.get('height');
    const px = (event.clientX - box.left) * (w / box.width), py = (event.clientY - box.top) * (h / box.height);
    const [l, t, rw, rh] = target.rect;
    if (px < l || px > l + rw || py < t || py > t + rh) return;
    const [a, b, c, d, e, f] = target.trans.m, det = a * d - b * c;
    let X = (d * (px - e) - c * (py - f)) / det, Y = (a * (py - f) - b * (px - e)) / det;
    if (target.trans.xlog) X = 10 ** X;
    if (target.trans.ylog) Y = 10 ** Y;
    cursor = null;
    setStart(target, X, Y);
  });
  canvas.addEventListener('keydown', onKey);
  canvas.addEventListener('blur', () => { if (cursor) { cursor = null; schedule(); } });
  model.on('change:alt', describe);
  model.on('change:alt_spec', describe);
  model.on('change:keys_help', setupOverlay);
  setupOverlay();
  // name the page's sliders (the explorer's and any beside them), once per page
  whenConnected(el, watchPage, () => disposed);
  function clickable() { root.classList.toggle('i2dl-clickable', !!((model.get('scene') || {}).params || {}).click); }
  model.on('change:scene', clickable);
  clickable();
  model.on('change:scene', bindScene);
  model.on('change:scene_widgets', bindScene);
  resize();
  update();
  bindScene();
  // Is a kernel listening? It answers at once; a static page never does.
  try { model.send({ kind: 'ping' }); } catch (err) { /* no comm: a static page */ }
  const probe = setTimeout(() => { standalone = true; applyStandalone(); schedule(); }, 1500);
  return () => {
    disposed = true;
    clearTimeout(probe);
    document.removeEventListener('focusin', reachesAhead, true);
    document.removeEventListener('pointerover', reachesAhead, true);
    live.dispose();
    coalescer.detach();
    for (const m of Object.values(controls)) m.off('change:value', onControl);
    if (url) URL.revokeObjectURL(url);
  };
}

export default { render };
