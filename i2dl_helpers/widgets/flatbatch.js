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
// It builds on flatprog.js's exports (line, literal, reg, has, UNARY, resolveRule, ruleClosure, makeStep,
// evaluate, linspace).
//
// runBatch writes ONE JavaScript function per (program, update rule, tol or not): a loop over the
// steps and inside it a loop over the starts (each start's step is independent of its neighbour's,
// so the processor overlaps them), with the program's ops inlined as local constants and every
// start's point, gradient and optimiser state in Float64Arrays allocated once per call: nothing is
// allocated per start or per step. The numeric hyper-parameters (the learning rate and the rule's
// own) are arguments, so moving a slider reuses the function the engine has already optimised;
// functions are cached by their source text, so a program parsed again from JSON reuses them too.
// The update rule's code is written from its one declaration (OPTIMIZER_RULES, made by Python),
// the operations in the declaration's order, as flatprog.js's makeStep and numpy run them. Where
// the page forbids `new Function`, the same loop runs on flatprog.js's makeStep and evaluate
// (slower, the same numbers).

import { UNARY, evaluate, gradientOps, has, line, linspace, literal, makeStep, reg, resolveRule, ruleClosure } from './flatprog.js';

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
// batchRule(name, hyper) writes the rule's declaration (OPTIMIZER_RULES, through flatprog.js's
// resolveRule) as code: params (numbers passed as P: lr, then the hyper-parameters), setup (reads P;
// the parts of the rule that depend on the hyper-parameters alone as constants, those that depend on
// the step t alone (k = t + 1, first = t === 0) as arrays C_j[t] filled before the loops), state
// ([name, initial value]: variables s_name0, s_name1, ... per start, kept in Float64Arrays between
// steps) and step(i) (coordinate i at step t: from x_i and the gradient g_i, the new coordinate
// const n_i). Conditions on hyper-parameters alone are decided here: the code keeps only the branch
// taken (its text, the cache key, names the form of the rule).
const JS_OPS = { '+': '+', '-': '-', '*': '*', '/': '/', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '==': '===', '!=': '!==', and: '&&', or: '||' };

function ruleCode(tree, id) {
  // a tree as JavaScript with every operation parenthesised (the declaration's rounding order)
  const [op, ...args] = tree;
  if (op === 'num') return literal(+args[0]);
  if (op === 'name') return id(args[0]);
  const [a, b, c] = args.map((arg) => ruleCode(arg, id));
  if (op === '?') return `(${a} ? ${b} : ${c})`;
  if (op === 'neg' || op === 'not') return `(${op === 'neg' ? '-' : '!'}${a})`;
  if (op === 'sqrt') return `Math.sqrt(${a})`;
  if (op === '**') return `Math.pow(${a}, ${b})`;
  if (!has(JS_OPS, op)) throw new Error(`update rule: unknown op ${JSON.stringify(op)}`);
  return `(${a} ${JS_OPS[op]} ${b})`;
}

function names(tree, out = new Set()) {
  if (tree[0] === 'name') out.add(tree[1]);
  else if (tree[0] !== 'num') tree.slice(1).forEach((t) => names(t, out));
  return out;
}

function decide(tree, values) {
  // the tree with every condition on known values alone (hyper-parameters and what depends on them
  // alone) replaced by the branch it takes
  if (tree[0] === 'num' || tree[0] === 'name') return tree;
  if (tree[0] === '?' && [...names(tree[1])].every((n) => has(values, n))) {
    return decide(ruleClosure(tree[1], (n) => n)(values) ? tree[2] : tree[3], values);
  }
  return [tree[0], ...tree.slice(1).map((t) => decide(t, values))];
}

function batchRule(name, hyper) {
  const { rule, values } = resolveRule(name, hyper);
  const hypers = Object.keys(values), states = new Map(rule.state), known = { ...values };
  const ids = new Map([...hypers.map((h) => [h, `h_${h}`]), ['lr', 'lr'], ['t', 't'], ['k', '(t + 1)'], ['first', '(t === 0)']]);
  const once = [], perStep = [], body = [], used = new Set(), stepwise = (tree) => [...names(tree)].every((r) => ids.has(r));
  const hoisted = new Set(), alias = new Map();
  const subst = (tree) => (tree[0] === 'name' ? alias.get(tree[1]) ?? tree
    : tree[0] === 'num' ? tree : [tree[0], ...tree.slice(1).map(subst)]);
  const hoist = (tree) => {
    // every part that depends on the step alone becomes a constant computed once per step
    if (tree[0] === 'num' || tree[0] === 'name') return tree;
    if (!stepwise(tree)) return [tree[0], ...tree.slice(1).map(hoist)];
    const c = `c${perStep.length + once.length}`, line = `const ${c} = ${ruleCode(tree, (r) => ids.get(r))};`;
    ids.set(c, c);
    if ([...names(tree)].some((r) => r === 't' || r === 'k' || r === 'first' || hoisted.has(r))) {
      perStep.push([c, line]);
      hoisted.add(c);
    } else {
      once.push(line);  // the same at every step
    }
    return ['name', c];
  };
  rule.update.forEach(([target, tree], n) => {
    const code = subst(decide(tree, known));
    if (states.has(target) && code[0] === 'name' && code[1] === target) return; // the state keeps its value
    delete known[target];
    if (!states.has(target) && target !== 'x' && target !== 'g' && stepwise(code)) {
      if ([...names(code)].every((r) => has(known, r))) known[target] = ruleClosure(code, (r) => r)(known); // hyper alone
      alias.set(target, hoist(code));  // later uses read the per-step number
      return;
    }
    body.push([target, hoist(code), n]);
    [...names(code), target].filter((r) => states.has(r)).forEach((r) => used.add(r));
  });
  return {
    params: [hyper.lr, ...hypers.map((h) => +values[h])],
    // the per-step numbers in arrays filled before the loops (constants declared inside the loop over
    // the steps would make V8's code for the inner loop several times slower)
    setup: [`const lr = P[0]${hypers.map((h, j) => `, h_${h} = P[${j + 1}]`).join('')};`, ...once, ...(perStep.length
      ? [`const ${perStep.map(([c]) => `C${c.slice(1)} = new Float64Array(steps)`).join(', ')};`,
        `for (let t = 0; t < steps; t++) {\n${perStep.map(([c, line]) => `${line} C${c.slice(1)}[t] = ${c};`).join('\n')}\n}`]
      : [])].join('\n'),
    state: [...used].map((n) => [`s_${n}`, typeof states.get(n) === 'string' ? `h_${states.get(n)}` : literal(states.get(n))]),
    step: (i) => {
      const local = new Map([['x', `x${i}`], ['g', `g${i}`], ...[...used].map((n) => [n, `s_${n}${i}`])]);
      const id = (r) => local.get(r) ?? (hoisted.has(r) ? `C${r.slice(1)}[t]` : ids.get(r));
      const lines = body.map(([target, code, n]) => {
        if (code[0] === 'name' && !states.has(target)) { local.set(target, id(code[1])); return ''; } // a new name only
        const value = ruleCode(code, id);
        if (states.has(target)) return `${local.get(target)} = ${value};\n`;
        local.set(target, `e${n}_${i}`);
        return `const e${n}_${i} = ${value};\n`;
      });
      return `${lines.join('')}const n${i} = ${local.get('x')};`;
    },
  };
}

// ---- the generated loop -----------------------------------------------------------------------------
function batchEval(program, inputs) {
  // the program's ops as lines of local constants; input k reads the variable inputs(k)
  return program.ops.slice(0, gradientOps(program)).map((op, i) => {
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
  const d = program.dim, nOps = gradientOps(program);
  if (!Number.isInteger(d) || d < 1) throw new Error(`flat program: bad dim ${d}`);
  const v = reg(program.value, nOps), grads = program.grad.map((k) => reg(k, nOps));
  if (grads.length !== d) throw new Error(`flat program: needs ${d} gradient registers`);
  const all = (f, sep) => Array.from({ length: d }, (_, i) => f(i)).join(sep);
  const arrays = rule.state.map(([name, init]) =>
    `const S_${name} = new Float64Array(count * ${d})${init === '(0)' ? '' : `.fill(${init})`};`).join('\n');
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
  const rule = batchRule(name, hyper); // the same checks (and messages) as runOptimizer: name, lr > 0
  const d = program.dim;
  if (!(starts instanceof Float64Array) || starts.length % d !== 0) {
    throw new Error(`starts must be a Float64Array of n×${d} numbers, got ${starts && starts.length} numbers`);
  }
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`steps must be an integer >= 0, got ${steps}`);
  if (tol !== null && !(tol > 0)) throw new Error(`tol must be a positive number or null, got ${tol}`);
  if (!(maxAbs > 0)) throw new Error(`maxAbs must be a positive number, got ${maxAbs}`);
  const count = starts.length / d;
  const final = Float64Array.from(starts), status = new Uint8Array(count), stop = new Int32Array(count);
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
