// The calculus explorers' updates in the browser: ChordExplorer (convexity.py, SCENES.chord) and
// DifferenceQuotient (derivative.py, SCENES.derivative).
//
// An ES module that imports what it uses and registers its scenes in scenes.js's SCENES when it runs
// (figure_canvas.js imports it for that); i2dl_helpers/esm.py links the modules into the widget's one module.
//
// Both evaluate the objective (no optimiser): one evaluate(program, [x]) per point, at exactly the
// points the Python `_update` uses (np.linspace repeated as numpy computes it), so the lines land on
// the same pixels and the status lines read the same, character for character.

import { evaluate, linspace } from './flatprog.js';
import { formula } from './formulas.js';
import { SCENES, status } from './scenes.js';

function valueAt(program, x) {
  // L(x) for a 1D objective (the value only: no gradient needed)
  return evaluate(program, [x], false).value;
}

// ---- ChordExplorer (convexity.py) -----------------------------------------------------------------
SCENES.chord = ({ params: p, program, values: v }) => {
  const { x, y, lam } = v, along = formula('convex_combination');
  const fx = valueAt(program, x), fy = valueAt(program, y);
  const t = Array.from(linspace(0.0, 1.0, 400));
  const zs = t.map((ti) => along(ti, x, y));
  const chord = t.map((ti) => along(ti, fx, fy));
  const graph = zs.map((z) => valueAt(program, z));
  const gaps = graph.map((g, i) => g - chord[i]);  // graph − chord, as the explorer's gaps array
  const scale = formula('chord_scale')(fx, fy);
  const z = along(lam, x, y);
  const fz = valueAt(program, z), cz = along(lam, fx, fy);
  return {
    artists: {
      chord: { x: [x, y], y: [fx, fy] },
      ends: { x: [x, y], y: [fx, fy] },
      above: { x: zs, y: gaps.map((g, i) => (g > scale ? graph[i] : NaN)) },
      gapline: { x: [z, z], y: [fz, cz] },
      on_chord: { x: [z], y: [cz] },
      on_graph: { x: [z], y: [fz] },
    },
    status: status(formula('chord_status')(lam, fz, cz, fx, fy, gaps, zs, p.name)),
  };
};

// ---- DifferenceQuotient (derivative.py) -----------------------------------------------------------
SCENES.derivative = ({ params: p, program, values: v }) => {
  const { h, x } = v;
  const at = evaluate(program, [x]);
  const fx = at.value, slope = at.grad[0], fxh = valueAt(program, x + h);
  const quotient = formula('difference_quotient')(fx, fxh, h), through = formula('line_through');
  const line = p.domain;  // [lo, hi]
  return {
    artists: {
      tangent: { x: line, y: line.map((u) => through(fx, slope, u, x)) },
      secant: { x: line, y: line.map((u) => through(fx, quotient, u, x)) },
      points: { x: [x, x + h], y: [fx, fxh] },
    },
    status: status(formula('derivative_status')(quotient, slope)),
  };
};
