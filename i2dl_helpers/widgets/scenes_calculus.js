// The calculus explorers' updates in the browser: ChordExplorer (convexity.py, SCENES.chord) and
// DifferenceQuotient (derivative.py, SCENES.derivative).
//
// An ES module that imports what it uses and registers its scenes in scenes.js's SCENES when it runs
// (figure_canvas.js imports it for that); i2dl_helpers/esm.py links the modules into the widget's one module.
//
// Both evaluate the objective (no optimiser): one evaluate(program, [x]) per point, at exactly the
// points the Python `_update` uses (np.linspace repeated as numpy computes it), so the lines land on
// the same pixels and the status lines read the same, character for character.

import { evaluate, linspace, pyfmt } from './flatprog.js';
import { SCENES } from './scenes.js';

function valueAt(program, x) {
  // L(x) for a 1D objective (the value only: no gradient needed)
  return evaluate(program, [x], false).value;
}

function npMax(values) {
  // ndarray.max(): NaN if any value is NaN
  let best = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) return NaN;
    if (v > best) best = v;
  }
  return best;
}

function npArgmax(values) {
  // np.argmax: the first index of the largest value (the first NaN, if any)
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) return i;
    if (values[i] > values[k]) k = i;
  }
  return k;
}

// ---- ChordExplorer (convexity.py) -----------------------------------------------------------------
SCENES.chord = ({ params: p, program, values: v }) => {
  const { x, y, lam } = v;
  const fx = valueAt(program, x), fy = valueAt(program, y);
  const t = Array.from(linspace(0.0, 1.0, 400));
  const zs = t.map((ti) => ti * x + (1 - ti) * y);
  const chord = t.map((ti) => ti * fx + (1 - ti) * fy);
  const graph = zs.map((z) => valueAt(program, z));
  const gaps = graph.map((g, i) => g - chord[i]);
  // Python's max(1.0, abs(fx), abs(fy)): a NaN never replaces the running maximum
  let big = 1.0;
  for (const a of [Math.abs(fx), Math.abs(fy)]) if (a > big) big = a;
  const scale = 1e-9 * big;
  const z = lam * x + (1 - lam) * y;
  const fz = valueAt(program, z), cz = lam * fx + (1 - lam) * fy;
  const gap = fz - cz, maxGap = npMax(gaps);
  const here = gap < -scale ? 'chord above the graph'
    : gap > scale ? 'graph above the chord' : 'chord touches the graph';
  const head = `at λ = ${pyfmt(lam, '.2f')}: L(z) = ${pyfmt(fz, '.4g')}, chord = ${pyfmt(cz, '.4g')} (${here})`;
  let status;
  if (maxGap > scale) {
    const k = npArgmax(gaps);
    status = {
      text: `${head} · the chord dips below the graph (by up to ${pyfmt(maxGap, '.3g')} at θ = `
        + `${pyfmt(zs[k], '.3f')}): ${p.name} is not convex`,
      kind: 'error',
    };
  } else {
    status = { text: `${head} · this chord lies on or above the graph everywhere between x and y`, kind: 'ok' };
  }
  return {
    artists: {
      chord: { x: [x, y], y: [fx, fy] },
      ends: { x: [x, y], y: [fx, fy] },
      above: { x: zs, y: gaps.map((g, i) => (g > scale ? graph[i] : NaN)) },
      gapline: { x: [z, z], y: [fz, cz] },
      on_chord: { x: [z], y: [cz] },
      on_graph: { x: [z], y: [fz] },
    },
    status,
  };
};

// ---- DifferenceQuotient (derivative.py) -----------------------------------------------------------
SCENES.derivative = ({ params: p, program, values: v }) => {
  const { h, x } = v;
  const at = evaluate(program, [x]);
  const fx = at.value, slope = at.grad[0], fxh = valueAt(program, x + h);
  const quotient = (fxh - fx) / h;
  const line = p.domain;  // [lo, hi]
  return {
    artists: {
      tangent: { x: line, y: line.map((u) => fx + slope * (u - x)) },
      secant: { x: line, y: line.map((u) => fx + quotient * (u - x)) },
      points: { x: [x, x + h], y: [fx, fxh] },
    },
    status: {
      text: `(L(x+h) − L(x))/h = ${pyfmt(quotient, '.6f')}   L'(x) = ${pyfmt(slope + 0, '.6f')}   `
        + `difference = ${pyfmt(quotient - slope, '.2e')}`,
      kind: 'info',
    },
  };
};
