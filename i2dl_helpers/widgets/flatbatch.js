// requires: flatprog.js
//
// Basin maps in the browser: one optimiser run per start of a grid, all starts in one generated
// function, then the basin labels and the picture. The browser half of i2dl_helpers.basins.
//
// gridStarts(n, domain)          -> Float64Array(n*n*2): objective.grid(n, domain)'s points, row-major
//                                   (start i*n + j is (xs[j], ys[i]), xs, ys = np.linspace), bit for bit
// runBatch(program, name, hyper, starts, steps, {tol = null, maxAbs = 1e8} = {})
//                                -> {final: Float64Array(n*d), status: Uint8Array(n), stop: Int32Array(n)}
//                                   optim.run(objective, opt, starts.reshape(n, d), steps, tol=tol,
//                                   record=False) for n starts; status 0 max_steps, 1 converged, 2 diverged
// basinLabels(final, status, minima, radius) -> Int32Array(n): basins.basin_labels' labels
//                                   (index of the minimum, BASIN_DIVERGED = -1, BASIN_NOT_CONVERGED = -2)
// basinImage(labels, n, colors, out = null)  -> Uint8ClampedArray(n*n*4): RGBA in canvas row order
//                                   (top row first), as imshow(labels, origin="lower") paints them
//
// This file is not imported on its own: it is concatenated after flatprog.js into one module and
// uses flatprog.js's top-level names (line, literal, reg, UNARY, makeStep, evaluate).
//
// runBatch writes ONE JavaScript function per (program, update rule, tol or not): a loop over the
// steps and inside it a loop over the starts (each start's step is independent of its neighbour's,
// so the processor overlaps them), with the program's ops inlined as local constants and every
// start's point, gradient and optimiser state in Float64Arrays allocated once per call: nothing is
// allocated per start or per step. The numeric hyper-parameters (lr, momentum, betas, ...) are
// arguments, so moving a slider reuses the function the engine has already optimised; functions
// are cached by their source text, so a program parsed again from JSON reuses them too. Every
// update rule repeats flatprog.js's (and so Python's) arithmetic operation by operation. Where
// the page forbids `new Function`, the same loop runs on flatprog.js's makeStep and evaluate
// (slower, the same numbers).

export const BASIN_DIVERGED = -1;
export const BASIN_NOT_CONVERGED = -2;
export const BATCH_STATUS = ['max_steps', 'converged', 'diverged'];

// ---- the starts -----------------------------------------------------------------------------------
export function gridStarts(n, domain) {
  // the points of Objective.grid(n, domain) (np.meshgrid of two linspaces), reshaped to (n*n, 2)
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, got ${n}`);
  if (!Array.isArray(domain) || domain.length !== 2 || !domain.every((b) => b.length === 2 && b.every(Number.isFinite))) {
    throw new Error(`domain must be [[x0, x1], [y0, y1]] of finite numbers, got ${JSON.stringify(domain)}`);
  }
  const xs = linspace(+domain[0][0], +domain[0][1], n), ys = linspace(+domain[1][0], +domain[1][1], n);
  const out = new Float64Array(n * n * 2);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < n; j++, k += 2) { out[k] = xs[j]; out[k + 1] = ys[i]; }
  }
  return out;
}

// ---- the update rules as code ---------------------------------------------------------------------
// Each rule: key (what changes the code), params (numbers passed as P), setup (once per call: reads
// P, precomputes per-step numbers), state ([name, initial value]: variables name0, name1, ... per
// start, kept in Float64Arrays between steps) and step(i) (coordinate i at step t: from x_i and the
// gradient g_i, the new coordinate const n_i). The arithmetic is flatprog.js's, in the same order.

function batchSgd(h) {
  const beta = h.momentum ?? 0.0, nesterov = !!h.nesterov, wd = h.weight_decay ?? 0.0;
  return {
    key: `sgd ${beta === 0 ? 0 : 1}${nesterov ? 1 : 0}${wd ? 1 : 0}`,
    params: [h.lr, beta, wd],
    setup: 'const lr = P[0], beta = P[1], wd = P[2];',
    state: beta === 0 ? [] : [['b', '0.0']],
    step: (i) => {
      const G = wd ? `const G${i} = g${i} + wd * x${i};` : `const G${i} = g${i};`;
      if (beta === 0) return `${G}\nconst n${i} = x${i} - lr * G${i};`;
      const dir = nesterov ? `(G${i} + beta * b${i})` : `b${i}`;
      return `${G}\nb${i} = t === 0 ? G${i} : b${i} * beta + G${i};\nconst n${i} = x${i} - lr * ${dir};`;
    },
  };
}

function batchAdagrad(h) {
  const eps = h.eps ?? 1e-10, decay = h.lr_decay ?? 0.0, init = h.initial_accumulator_value ?? 0.0;
  return {
    key: 'adagrad',
    params: [h.lr, eps, decay, init],
    setup: `const lr = P[0], eps = P[1], decay = P[2], init = P[3];
const CL = new Float64Array(steps);
for (let t = 0; t < steps; t++) CL[t] = lr / (1 + t * decay);`,
    state: [['a', 'init']],
    step: (i) => `a${i} = a${i} + g${i} * g${i};\nconst n${i} = x${i} + ((-CL[t]) * g${i}) / (Math.sqrt(a${i}) + eps);`,
  };
}

function batchRmsprop(h) {
  const a = h.alpha ?? 0.99, eps = h.eps ?? 1e-8, mom = h.momentum ?? 0.0, centered = !!h.centered;
  const small = 1 - a < 0.5;
  return {
    key: `rmsprop ${centered ? 1 : 0}${mom > 0 ? 1 : 0}${small ? 1 : 0}`,
    params: [h.lr, a, eps, mom],
    setup: 'const lr = P[0], al = P[1], eps = P[2], mom = P[3], w = 1 - al;',
    state: [['q', '0.0'], ['c', '0.0'], ['b', '0.0']],
    step: (i) => {
      const lines = [`q${i} = q${i} * al + ((1 - al) * g${i}) * g${i};`];
      if (centered) {
        lines.push(small ? `c${i} = c${i} + w * (g${i} - c${i});` : `c${i} = g${i} - (g${i} - c${i}) * (1 - w);`);
        lines.push(`const A${i} = Math.sqrt(q${i} + ((-1) * c${i}) * c${i}) + eps;`);
      } else {
        lines.push(`const A${i} = Math.sqrt(q${i}) + eps;`);
      }
      if (mom > 0) lines.push(`b${i} = b${i} * mom + g${i} / A${i};`, `const n${i} = x${i} + (-lr) * b${i};`);
      else lines.push(`const n${i} = x${i} + ((-lr) * g${i}) / A${i};`);
      return lines.join('\n');
    },
  };
}

function batchAdam(h, decoupled) {
  const [b1, b2] = h.betas ?? [0.9, 0.999], eps = h.eps ?? 1e-8;
  const wd = h.weight_decay ?? (decoupled ? 1e-2 : 0.0), small = 1 - b1 < 0.5;
  return {
    key: `adam ${decoupled ? 1 : 0}${wd ? 1 : 0}${small ? 1 : 0}`,
    params: [h.lr, b1, b2, eps, wd],
    setup: `const lr = P[0], beta1 = P[1], beta2 = P[2], eps = P[3], wd = P[4], w = 1 - beta1;
const SS = new Float64Array(steps), CR = new Float64Array(steps);
for (let t = 0; t < steps; t++) {
  SS[t] = lr / (1 - Math.pow(beta1, t + 1));
  CR[t] = Math.pow(1 - Math.pow(beta2, t + 1), 0.5);
}`,
    state: [['m', '0.0'], ['v', '0.0']],
    step: (i) => [
      decoupled && wd ? `const X${i} = x${i} * (1 - lr * wd);` : `const X${i} = x${i};`,
      wd && !decoupled ? `const G${i} = g${i} + wd * X${i};` : `const G${i} = g${i};`,
      small ? `m${i} = m${i} + w * (G${i} - m${i});` : `m${i} = G${i} - (G${i} - m${i}) * (1 - w);`,
      `v${i} = v${i} * beta2 + ((1 - beta2) * G${i}) * G${i};`,
      `const n${i} = X${i} + ((-SS[t]) * m${i}) / (Math.sqrt(v${i}) / CR[t] + eps);`,
    ].join('\n'),
  };
}

const BATCH_RULES = {
  GD: (h) => batchSgd({ ...h, momentum: 0.0 }), SGD: batchSgd,
  Momentum: (h) => batchSgd({ momentum: 0.9, ...h }), Nesterov: (h) => batchSgd({ momentum: 0.9, ...h, nesterov: true }),
  AdaGrad: batchAdagrad, Adagrad: batchAdagrad, RMSProp: batchRmsprop, RMSprop: batchRmsprop,
  Adam: (h) => batchAdam(h, false), AdamW: (h) => batchAdam(h, true),
};

// ---- the generated loop -----------------------------------------------------------------------------
function batchEval(program, inputs) {
  // the program's ops as lines of local constants; input k reads the variable inputs(k)
  return program.ops.map((op, i) => {
    if (op.op !== 'input') return line(op, i);
    const k = op.index;
    if (!Number.isInteger(k) || k < 0 || k >= program.dim) throw new Error(`flat program: bad input ${k}`);
    return `const ${reg(op.out, i + 1)} = ${inputs(k)};`;
  }).join('\n');
}

function batchSource(program, rule, withTol) {
  // the body of the generated function: steps outside, starts inside (each start's step is
  // independent of the previous start's, so the processor overlaps them), every start's state in
  // Float64Arrays indexed like X; a start that stopped is skipped
  const d = program.dim, nOps = program.ops.length;
  if (!Number.isInteger(d) || d < 1) throw new Error(`flat program: bad dim ${d}`);
  const v = reg(program.value, nOps), grads = program.grad.map((k) => reg(k, nOps));
  if (grads.length !== d) throw new Error(`flat program: needs ${d} gradient registers`);
  const all = (f, sep) => Array.from({ length: d }, (_, i) => f(i)).join(sep);
  const arrays = rule.state.map(([name, init]) =>
    `const S_${name} = new Float64Array(count * ${d})${init === '0.0' ? '' : `.fill(${init})`};`).join('\n');
  const load = rule.state.map(([name]) => `let ${all((i) => `${name}${i} = S_${name}[o + ${i}]`, ', ')};`).join('\n');
  const save = rule.state.map(([name]) => all((i) => `S_${name}[o + ${i}] = ${name}${i};`, ' ')).join('\n');
  const converged = withTol
    ? `let moved = 0;
${all((i) => `moved += (n${i} - x${i}) * (n${i} - x${i});`, '\n')}
if (Math.sqrt(moved) < tol) {
  ${all((i) => `X[o + ${i}] = n${i};`, ' ')} act[s] = 0; live--; status[s] = 1; stop[s] = t + 1; continue;
}`
    : '';
  return `${rule.setup}
${arrays}
const G = new Float64Array(count * ${d}), act = new Uint8Array(count);
let live = 0;
for (let s = 0; s < count; s++) {
  const o = s * ${d};
  const ${all((i) => `x${i} = X[o + ${i}]`, ', ')};
${batchEval(program, (k) => `x${k}`)}
  status[s] = 0; stop[s] = steps;
  if (!(Number.isFinite(${v}) && ${grads.map((r) => `Number.isFinite(${r})`).join(' && ')})) {
    status[s] = 2; stop[s] = 0; continue;
  }
  ${all((i) => `G[o + ${i}] = ${grads[i]};`, ' ')}
  act[s] = 1; live++;
}
for (let t = 0; t < steps && live > 0; t++) {
  for (let s = 0; s < count; s++) {
    if (act[s] === 0) continue;
    const o = s * ${d};
    const ${all((i) => `x${i} = X[o + ${i}], g${i} = G[o + ${i}]`, ', ')};
${load}
${all(rule.step, '\n')}
${batchEval(program, (j) => `n${j}`)}
    if (!(${all((i) => `Math.abs(n${i}) <= maxAbs`, ' && ')} && Number.isFinite(${v}))) {
      { act[s] = 0; live--; status[s] = 2; stop[s] = t + 1; continue; } // the step is not taken
    }
${converged}
    ${all((i) => `X[o + ${i}] = n${i}; G[o + ${i}] = ${grads[i]};`, ' ')}
${save}
  }
}`;
}

const batchFunctions = new Map(); // source text -> generated function (or null: new Function forbidden)

function batchFunction(program, rule, withTol) {
  // the generated loop for (program, rule's code, tol or not); null where the page forbids new Function
  const source = batchSource(program, rule, withTol);
  if (batchFunctions.has(source)) return batchFunctions.get(source);
  let fn = null;
  try {
    fn = new Function('X', 'status', 'stop', 'count', 'steps', 'P', 'maxAbs', 'tol', 'U', source);
  } catch (err) {
    if (!(err instanceof EvalError)) throw err; // a Content-Security-Policy without 'unsafe-eval'
  }
  if (batchFunctions.size >= 64) batchFunctions.clear(); // typed functions come and go
  batchFunctions.set(source, fn);
  return fn;
}

function batchSlow(program, name, hyper, X, status, stop, count, steps, maxAbs, tol) {
  // the same loop on flatprog.js's update rules and evaluate (the fallback without new Function)
  const d = program.dim, lr = hyper.lr;
  for (let s = 0; s < count; s++) {
    const step = makeStep(name, hyper), state = {};
    let x = Array.from(X.subarray(s * d, s * d + d));
    let { value, grad } = evaluate(program, x);
    if (!Number.isFinite(value) || !grad.every(Number.isFinite)) { status[s] = 2; stop[s] = 0; continue; }
    let st = 0, k = steps;
    for (let t = 0; t < steps; t++) {
      const next = step(x, grad, state, lr, t);
      const out = evaluate(program, next);
      if (!next.every((u) => Math.abs(u) <= maxAbs) || !Number.isFinite(out.value)) { st = 2; k = t + 1; break; }
      let moved = 0;
      if (tol !== null) { for (let i = 0; i < d; i++) moved += (next[i] - x[i]) * (next[i] - x[i]); }
      x = next;
      grad = out.grad;
      if (tol !== null && Math.sqrt(moved) < tol) { st = 1; k = t + 1; break; }
    }
    X.set(x, s * d);
    status[s] = st;
    stop[s] = k;
  }
}

export function runBatch(program, name, hyper, starts, steps, { tol = null, maxAbs = 1e8 } = {}) {
  // optim.run(objective, opt, starts.reshape(n, d), steps, tol=tol, record=False) for n starts:
  // each start runs on its own; a step that leaves ±maxAbs or gives a non-finite loss is not
  // taken (the start stays at its last point, status 2, stop = that step); with tol a step with
  // ‖θ_{k+1} − θ_k‖ < tol is taken and ends the start (status 1); else status 0 and stop = steps
  const make = BATCH_RULES[name];
  makeStep(name, hyper); // the same checks (and messages) as runOptimizer: optimiser name, lr > 0
  const d = program.dim;
  if (!(starts instanceof Float64Array) || starts.length % d !== 0) {
    throw new Error(`starts must be a Float64Array of n×${d} numbers, got ${starts && starts.length} numbers`);
  }
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be an integer >= 0, got ${steps}`);
  if (tol !== null && !(tol > 0)) throw new Error(`tol must be a positive number or null, got ${tol}`);
  if (!(maxAbs > 0)) throw new Error(`maxAbs must be a positive number, got ${maxAbs}`);
  const count = starts.length / d;
  const final = Float64Array.from(starts), status = new Uint8Array(count), stop = new Int32Array(count);
  const rule = make(hyper);
  const fn = batchFunction(program, rule, tol !== null);
  if (fn) fn(final, status, stop, count, steps, Float64Array.from(rule.params), maxAbs, tol, UNARY);
  else batchSlow(program, name, hyper, final, status, stop, count, steps, maxAbs, tol);
  return { final, status, stop };
}

// ---- labels and picture -----------------------------------------------------------------------------
export function basinLabels(final, status, minima, radius) {
  // basins.basin_labels: the index of the nearest minimum (first on ties) when closer than radius,
  // else BASIN_NOT_CONVERGED; BASIN_DIVERGED where status is 2 (diverged)
  const n = status.length, d = n ? final.length / n : 2;
  if (!Number.isInteger(d) || d < 1) throw new Error('final must hold n×d numbers for n statuses');
  if (!(radius > 0)) throw new Error(`radius must be a positive number, got ${radius}`);
  const k = minima.length, M = new Float64Array(k * d);
  minima.forEach((m, j) => {
    if (m.length !== d) throw new Error(`minima must be points of ${d} numbers, got ${JSON.stringify(m)}`);
    for (let i = 0; i < d; i++) M[j * d + i] = +m[i];
  });
  const labels = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let label = BASIN_NOT_CONVERGED;
    if (status[s] === 2) {
      label = BASIN_DIVERGED;
    } else if (k) {
      let best = Infinity, nearest = 0, nearestDist = NaN;
      for (let j = 0; j < k; j++) {
        // ((final − m)**2).sum(-1) in numpy's order: the first square + (0 + the others)
        let rest = 0;
        for (let i = 1; i < d; i++) { const diff = final[s * d + i] - M[j * d + i]; rest += diff * diff; }
        const diff0 = final[s * d] - M[j * d];
        const dist = Math.sqrt(d > 1 ? diff0 * diff0 + rest : diff0 * diff0);
        const key = Number.isFinite(dist) ? dist : Infinity; // np.where(isfinite(dist), dist, inf)
        if (j === 0 || key < best) { best = key; nearest = j; nearestDist = dist; } // argmin: first of ties
      }
      if (nearestDist < radius) label = nearest;
    }
    labels[s] = label;
  }
  return labels;
}

function batchColorTable(colors) {
  // colors: a list in the colormap's order (label -2, -1, 0, 1, ...: basin_colors' cmap.colors) or
  // a dict label -> [r, g, b, a] (0..255); returns {table: Uint8Array, low: smallest label}
  const entries = Array.isArray(colors) ? colors.map((c, i) => [i + BASIN_NOT_CONVERGED, c])
    : Object.entries(colors).map(([label, c]) => [Number(label), c]);
  if (!entries.length) throw new Error('colors must give a colour for each label');
  const low = Math.min(...entries.map(([l]) => l)), high = Math.max(...entries.map(([l]) => l));
  const table = new Uint8Array((high - low + 1) * 4), known = new Uint8Array(high - low + 1);
  for (const [label, c] of entries) {
    if (!Number.isInteger(label) || !c || c.length < 3) throw new Error(`colors: bad entry ${label}: ${JSON.stringify(c)}`);
    for (let i = 0; i < 4; i++) table[(label - low) * 4 + i] = i < c.length ? c[i] : 255;
    known[label - low] = 1;
  }
  return { table, known, low };
}

export function basinImage(labels, n, colors, out = null) {
  // RGBA bytes of the n×n labels (row i of the grid = y_i) as imshow(labels, origin="lower") shows
  // them: canvas row r is grid row n−1−r. out: an optional Uint8ClampedArray(n*n*4) to reuse.
  if (labels.length !== n * n) throw new Error(`labels must hold n×n = ${n * n} labels, got ${labels.length}`);
  const { table, known, low } = batchColorTable(colors);
  const img = out || new Uint8ClampedArray(n * n * 4);
  if (img.length !== n * n * 4) throw new Error(`out must hold ${n * n * 4} bytes, got ${img.length}`);
  for (let i = 0; i < n; i++) {
    let p = (n - 1 - i) * n * 4;
    for (let j = 0; j < n; j++, p += 4) {
      const c = labels[i * n + j] - low;
      if (!(c >= 0 && c < known.length && known[c])) throw new Error(`basinImage: no colour for label ${labels[i * n + j]}`);
      const q = c * 4;
      img[p] = table[q]; img[p + 1] = table[q + 1]; img[p + 2] = table[q + 2]; img[p + 3] = table[q + 3];
    }
  }
  return img;
}
