// The browser side of i2dl_helpers.widgets.figure_canvas.FigureCanvasWidget.
//
// The kernel renders the figure's static part once (a PNG: axes, contours, the
// curve, the legend) and, on every slider move, sends only the moving artists
// as drawing instructions in the figure's pixel coordinates. This module shows
// the PNG in an <img> and draws the instructions on a <canvas> laid exactly over
// it, so the two read as one matplotlib figure. After each paint the container's
// data-frame attribute counts up (the browser test measures latency with it).

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
        drawText(ctx, op);
      }
    });
  }
}

function render({ model, el }) {
  const root = document.createElement('div');
  root.className = 'i2dl-figure';
  root.dataset.frame = '0';
  const img = document.createElement('img');
  img.className = 'i2dl-figure-background';
  img.alt = model.get('alt');
  img.draggable = false;
  const canvas = document.createElement('canvas');
  canvas.className = 'i2dl-figure-overlay';
  root.append(img, canvas);
  el.append(root);
  const ctx = canvas.getContext('2d');

  let url = null, shownBackground = null, frame = 0, scheduled = false, disposed = false;

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
    paint(ctx, model.get('overlay') || []);
    frame += 1;
    root.dataset.frame = String(frame);
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
  resize();
  update();
  return () => { disposed = true; if (url) URL.revokeObjectURL(url); };
}

export default { render };
