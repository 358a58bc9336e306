// Each explorer's update, in the browser: SCENES[name]({params, program, values}) -> {artists, status}.
//
// scenes_2d.js, scenes_calculus.js and scenes_basins.js import SCENES and its helpers from here and
// add their explorers' entries; figure_canvas.js imports them all (i2dl_helpers/esm.py links the modules).
//
// A scene repeats its explorer's Python `_update` (i2dl_helpers/widgets/<explorer>.py) for the
// artists that move: `values` holds the controls' values by name, `params` what the explorer's
// `_scene_params` sent (limits, tol, ...), `program` the objective's flat program. It only maps computed
// results to artists: the runs come from flatprog.js, every formula and status text from a declaration in
// Python (formula(name), formulas.js: i2dl_helpers/widgets/statuses.py and the formulas it calls). It returns
//   artists: {gid: {x: [...], y: [...]} (a line, data coordinates) | {text, at?: [x, y]} | {image}
//             | {visible: false}}
//   status:  {text, kind}  (the status line, written by the page when no kernel answers)
// The browser tests (tests/browser/test_static_site.py, test_canvas_view.py) compare the pictures
// with matplotlib's rendering of the same state, so the two halves cannot drift apart.

import { pyfmt, runOptimizer } from './flatprog.js';
import { formula } from './formulas.js';

export const SCENES = {};

export function trajectory(program, method, hyper, x0, steps, tol = null, maxAbs = 1e8) {
  // optim.run(...) for one start, with Trajectory.message
  const r = runOptimizer(program, method, hyper, x0, steps, maxAbs, tol);
  r.message = formula('run_message')(r.status, r.stop, r.reason || '', r.values[r.values.length - 1]);
  return r;
}

export const column = (points, i) => points.map((p) => p[i]);
export const range = (n) => Array.from({ length: n }, (_, i) => i);
export const clip = (v, lo, hi) => Math.min(Math.max(v, lo), hi);  // np.clip
export const status = ([text, kind]) => ({ text, kind });  // a status formula's (text, kind)

// ---- GradientDescent1D (gd1d.py) ------------------------------------------------------------------
SCENES.gd1d = ({ params: p, program, values: v }) => {
  const r = trajectory(program, 'GD', { lr: v.lr }, [v.x0], v.steps, p.tol);
  const xs = column(r.points, 0), vs = r.values, n = xs.length - 1;
  const [lo, hi] = p.domain;
  const outside = xs[n] < lo || xs[n] > hi || !(p.ylim[0] <= vs[n] && vs[n] <= p.ylim[1]);
  const shown = status(formula('gd1d_status')(r.message, r.status, v.lr, p.curvature, xs[n], vs[n]));
  return {
    artists: {
      path: { x: xs, y: vs }, start: { x: xs.slice(0, 1), y: vs.slice(0, 1) },
      end: { x: xs.slice(n), y: vs.slice(n) }, loss: { x: range(vs.length), y: vs },
      offplot: { text: outside ? `last x_k = ${pyfmt(xs[n], '.3g')} is off the plot` : '' },  // an artist's note
    },
    status: shown,
  };
};

// ---- frames drawn ahead by the kernel (Explorer.AHEAD: backprop, network shape, line search, staleness;
// a window around the value, Explorer.AHEAD_NEAR: SGD, training) ----
// No maths here: the kernel drew the frames of one slider (Explorer.draw_ahead) for the other controls'
// values (`for`); the page shows the one for the slider's value. A window (`centre`) serves one press from
// the value the kernel shows, and the browser's value of a grid point may differ from the kernel's in the
// last bits. Any other value is not in the frames, so the kernel's own overlay comes (sceneOps).
SCENES.ahead = ({ params: p, values: v, kernel: k = {} }) => {
  for (const [name, value] of Object.entries(p.for || {})) {
    if (v[name] !== value) throw new Error(`frames drawn ahead for ${name} = ${value}, not ${v[name]}`);
  }
  const x = v[p.control], frames = p.frames || {};
  if (p.centre !== undefined && k[p.control] !== p.centre) throw new Error(`a window around ${p.centre}, not ${k[p.control]}`);
  const frame = frames[String(x)] || (p.centre === undefined ? undefined
    : Object.values(frames).find((f) => Math.abs(f.value - x) <= 1e-9 * Math.abs(x)));
  if (!frame) throw new Error(`no frame drawn ahead for ${p.control} = ${x}`);
  return { ops: frame.ops, status: frame.status, alt: frame.alt, value: frame.value };
};
