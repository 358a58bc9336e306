// The browser half of i2dl_helpers.flatprog: run an objective's flat program and the
// course's first-order optimisers without a Python kernel.
//
// evaluate(program, x)          -> {value, grad}: L(θ) and ∇L(θ) at one point x (an array of d numbers);
//                                  the program runs as one generated function (interpret(): op by op,
//                                  also the fallback where the page's security policy forbids that)
// runOptimizer(program, name, hyper, x0, steps, maxAbs = 1e8, tol = null)
//                               -> {points, values, status, stop, reason}: the iterates θ_0 ... θ_k
//
// The programs are made by i2dl_helpers.flatprog.compile_objective (see its docstring for the ops).
// The update rules are not written here: OPTIMIZER_RULES (put before this file by Python) holds the
// one declaration of each (i2dl_helpers/optim/rules.py, torch semantics), which numpy's step runs
// too, so both give the same iterates to round-off (the same operations in the same order).
// The loop repeats optim.run for one start without a schedule: a step that leaves ±maxAbs or
// gives a non-finite loss is not taken and the run stops as "diverged".

const LOGE2 = 0.6931471805599453;
const has = (table, key) => Object.prototype.hasOwnProperty.call(table, key);

function logaddexp(x, y) {
  // numpy's npy_logaddexp
  if (x === y) return x + LOGE2;
  const tmp = x - y;
  if (tmp > 0) return x + Math.log1p(Math.exp(-tmp));
  if (tmp <= 0) return y + Math.log1p(Math.exp(tmp));
  return tmp; // NaN
}

const UNARY = {
  neg: (a) => -a, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, sin: Math.sin, cos: Math.cos,
  tan: Math.tan, tanh: Math.tanh, abs: Math.abs, square: (a) => a * a,
  sigmoid: (a) => Math.exp(-logaddexp(0.0, -a)),
  relu: (a) => (a > 0 || a !== a ? a : 0.0), // np.maximum(a, 0.0): NaN stays NaN
  step: (a) => (a > 0 ? 1.0 : 0.0),
  sign: (a) => (a > 0 ? 1.0 : a < 0 ? -1.0 : a === 0 ? 0.0 : a), // np.sign: ±0 -> 0, NaN -> NaN
};
const BINARY = { add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b };

const decoded = new WeakMap();

function decode(program) {
  // the ops as closures over a register array, built once per program
  let code = decoded.get(program);
  if (code) return code;
  code = program.ops.map((op) => {
    const o = op.out, a = op.args ? op.args[0] : 0, b = op.args ? op.args[1] : 0;
    if (op.op === 'input') { const i = op.index; return (r, x) => { r[o] = x[i]; }; }
    if (op.op === 'const') { const v = op.value; return (r) => { r[o] = v; }; }
    if (op.op === 'pow') { const n = op.n; return (r) => { r[o] = Math.pow(r[a], n); }; }
    if (has(BINARY, op.op)) { const f = BINARY[op.op]; return (r) => { r[o] = f(r[a], r[b]); }; }
    if (has(UNARY, op.op)) { const f = UNARY[op.op]; return (r) => { r[o] = f(r[a]); }; }
    throw new Error(`flat program: unknown op ${JSON.stringify(op.op)}`);
  });
  decoded.set(program, code);
  return code;
}

export function interpret(program, x, gradient = true) {
  // the reference interpreter: one op after the other over a register array
  const code = decode(program);
  const r = new Float64Array(program.registers);
  const n = gradient ? code.length : program.value_ops;
  for (let i = 0; i < n; i++) code[i](r, x);
  const value = r[program.value];
  return gradient ? { value, grad: program.grad.map((k) => r[k]) } : { value };
}

// ---- the fast path: the program as the body of one JavaScript function ---------------------------
const INFIX = { add: '+', sub: '-', mul: '*', div: '/' };
const MATH = { exp: 'exp', log: 'log', sqrt: 'sqrt', sin: 'sin', cos: 'cos', tan: 'tan', tanh: 'tanh', abs: 'abs' };

function literal(v) {
  // the shortest text that reads back to the same double (-0 kept)
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`flat program: bad number ${v}`);
  return Object.is(v, -0) ? '(-0)' : `(${String(v)})`;
}

function reg(k, below) {
  // a register name, only for an integer register already written (nothing else reaches the code)
  if (!Number.isInteger(k) || k < 0 || k >= below) throw new Error(`flat program: bad register ${k}`);
  return `r${k}`;
}

function line(op, i) {
  const o = reg(op.out, i + 1), [a, b] = (op.args || []).map((k) => reg(k, i));
  if (op.op === 'input') return `const ${o} = +x[${reg(op.index, Infinity).slice(1)}];`;
  if (op.op === 'const') return `const ${o} = ${literal(op.value)};`;
  if (op.op === 'pow') return `const ${o} = Math.pow(${a}, ${literal(op.n)});`;
  if (has(INFIX, op.op)) return `const ${o} = ${a} ${INFIX[op.op]} ${b};`;
  if (has(MATH, op.op)) return `const ${o} = Math.${MATH[op.op]}(${a});`;
  if (op.op === 'neg') return `const ${o} = -${a};`;
  if (has(UNARY, op.op)) return `const ${o} = U.${op.op}(${a});`;
  throw new Error(`flat program: unknown op ${JSON.stringify(op.op)}`);
}

const generated = new WeakMap();

function generate(program) {
  // {full, value}: functions x -> [L, ∂L/∂θ_0, ...] and x -> L; null where the page forbids new Function
  if (generated.has(program)) return generated.get(program);
  let fns = null;
  try {
    const lines = program.ops.map(line);
    const n = lines.length, nv = program.value_ops;
    if (!Number.isInteger(nv) || nv > n) throw new Error(`flat program: bad value_ops ${nv}`);
    const v = reg(program.value, nv);
    const grads = program.grad.map((k) => reg(k, n)).join(', ');
    const value = lines.slice(0, nv).join('\n') + `\nreturn ${v};`;
    const full = lines.join('\n') + `\nreturn [${v}, ${grads}];`;
    fns = { value: new Function('x', 'U', value), full: new Function('x', 'U', full) };
  } catch (err) {
    if (!(err instanceof EvalError)) throw err; // a Content-Security-Policy without 'unsafe-eval'
  }
  generated.set(program, fns);
  return fns;
}

export function evaluate(program, x, gradient = true) {
  // L(θ) and ∇L(θ) at one point x: {value, grad} ({value} alone with gradient = false)
  const fns = generate(program);
  if (!fns) return interpret(program, x, gradient);
  if (!gradient) return { value: fns.value(x, UNARY) };
  const out = fns.full(x, UNARY);
  return { value: out[0], grad: out.slice(1) };
}

// ---- update rules: step(x, g, state, lr, t) -> new x (arrays of d numbers) --------------------
// The rules are data: OPTIMIZER_RULES, defined before this file from the one declaration of each rule
// in Python (i2dl_helpers/optim/rules.py; i2dl_helpers.flatprog.browser_source). A rule is a list of
// assignments [target, tree] acting coordinate by coordinate; a tree is ["num", v], ["name", n] or
// [op, tree, ...] (op: + - * / ** neg not and or < <= > >= == != ? sqrt). Nothing here knows a rule.
export const OPTIMIZERS = Object.keys(OPTIMIZER_RULES.aliases);

export function resolveRule(name, hyper = {}) {
  // {rule, values}: the declaration behind a name (one of OPTIMIZERS: the Optimizer classes' names
  // and torch's spellings) and its hyper-parameters by the expressions' names: given (torch's
  // names) or the alias's or rule's defaults, fixed ones as the alias fixes them, pairs split,
  // flags as true/false
  if (!has(OPTIMIZER_RULES.aliases, name)) throw new Error(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${name}`);
  if (!(hyper.lr > 0)) throw new Error(`lr must be a positive number, got ${hyper.lr}`);
  const [ruleName, defaults, fixed] = OPTIMIZER_RULES.aliases[name];
  const rule = OPTIMIZER_RULES.rules[ruleName], values = {};
  for (const [h, d] of rule.hyper) {
    const v = has(fixed, h) ? fixed[h] : (hyper[h] ?? (has(defaults, h) ? defaults[h] : d));
    if (has(rule.pairs, h)) rule.pairs[h].forEach((part, i) => { values[part] = +v[i]; });
    else values[h] = typeof d === 'boolean' ? !!v : +v;
  }
  return { rule, values };
}

const RULE_OPS = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '**': Math.pow,
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
  '==': (a, b) => a === b, '!=': (a, b) => a !== b, neg: (a) => -a, not: (a) => !a, sqrt: Math.sqrt,
};

export function ruleClosure(tree, slot) {
  // a tree as a function of a register array r (slot(name): the name's index in r)
  const [op, ...args] = tree;
  if (op === 'num') { const v = +args[0]; return () => v; }
  if (op === 'name') { const i = slot(args[0]); return (r) => r[i]; }
  const [a, b, c] = args.map((arg) => ruleClosure(arg, slot));
  if (op === '?') return (r) => (a(r) ? b(r) : c(r));
  if (op === 'and') return (r) => a(r) && b(r);
  if (op === 'or') return (r) => a(r) || b(r);
  if (!has(RULE_OPS, op)) throw new Error(`update rule: unknown op ${JSON.stringify(op)}`);
  const f = RULE_OPS[op];
  return args.length === 1 ? (r) => f(a(r)) : (r) => f(a(r), b(r));
}

export function makeStep(name, hyper = {}) {
  // the rule behind name (see resolveRule) as step(x, g, state, lr, t) -> the new point: the state
  // (arrays per coordinate, and the step count k where the rule reads it) is kept in state
  const { rule, values } = resolveRule(name, hyper);
  const slots = new Map(), slot = (n) => { if (!slots.has(n)) slots.set(n, slots.size); return slots.get(n); };
  const [X, G, LR, T, K, FIRST] = ['x', 'g', 'lr', 't', 'k', 'first'].map(slot);
  const r0 = [];
  for (const [h, v] of Object.entries(values)) r0[slot(h)] = v;
  const state = rule.state.map(([n, init]) => [n, slot(n), typeof init === 'string' ? values[init] : init]);
  const update = rule.update.map(([target, tree]) => [slot(target), ruleClosure(tree, slot)]);
  return (x, g, s, lr, t) => {
    if (rule.counted) s.step = (s.step ?? 0) + 1;
    const r = r0.slice();
    r[LR] = lr; r[T] = t; r[K] = s.step; r[FIRST] = s.step === 1;
    for (const [n, , init] of state) if (s[n] === undefined) s[n] = x.map(() => init);
    return x.map((xi, i) => {
      r[X] = xi; r[G] = g[i];
      for (const [n, j] of state) r[j] = s[n][i];
      for (const [j, f] of update) r[j] = f(r);
      for (const [n, j] of state) s[n][i] = r[j];
      return r[X];
    });
  };
}

// ---- numpy's linspace, point for point ------------------------------------------------------------
export function linspace(lo, hi, n) {
  // np.linspace(lo, hi, n) as a Float64Array: lo + i*step with step = (hi - lo)/(n - 1), the last
  // point hi exactly (and numpy's branch for a step that underflows to 0)
  const out = new Float64Array(n), div = n - 1, delta = hi - lo;
  if (div > 0) {
    const step = delta / div;
    for (let i = 0; i < n; i++) out[i] = (step === 0 ? (i / div) * delta : i * step) + lo;
    out[n - 1] = hi;
  } else {
    for (let i = 0; i < n; i++) out[i] = i * delta + lo;
  }
  return out;
}

// ---- Python's number formatting (format(v, spec)) for the texts the browser writes ----------------
function roundDigits(v, digits, exponential) {
  // v (finite, >= 0) rounded as Python does (correctly, ties to even): digits after the point of
  // v.toFixed / of the mantissa of v.toExponential. JavaScript rounds exact ties away from zero.
  const text = exponential ? v.toExponential(digits) : v.toFixed(digits);
  const exact = exponential ? v.toExponential(Math.min(100, digits + 30)) : (v < 1e21 ? v.toFixed(Math.min(100, digits + 30)) : null);
  if (exact === null) return text;
  const [mant, exp] = exact.split('e');
  const cut = mant.indexOf('.') + 1 + digits;   // the first dropped digit
  const rest = mant.slice(cut);
  if (!/^50*$/.test(rest)) return text;          // not an exact tie: JavaScript rounded correctly
  const kept = mant.slice(0, cut).replace(/\.$/, '');
  const last = kept.replace('.', '').slice(-1);
  if (Number(last) % 2 === 0) return kept + (exponential ? 'e' + exp : ''); // ties to even: round down
  return text;
}

function pyExp(text) {
  // JavaScript's 1.5e+5 -> Python's 1.5e+05
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatE(a, p) { return pyExp(roundDigits(a, p, true)); }

function formatG(a, p, alternate = false) {
  if (p === 0) p = 1;
  if (a === 0) return '0';
  const exp = Number(roundDigits(a, p - 1, true).split('e')[1]);
  let text;
  if (exp >= -4 && exp < p) text = roundDigits(a, p - 1 - exp, false);
  else text = formatE(a, p - 1);
  if (!alternate) text = text.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
  return text;
}

export function pyfmt(v, spec = '') {
  // format(v, spec) for the specs the explorers use: [+][.precision](f|e|g|%|d) or ''
  const m = /^([+ ]?)(?:\.(\d+))?([efg%d]?)$/.exec(spec);
  if (!m) throw new Error(`pyfmt: unsupported format spec ${JSON.stringify(spec)}`);
  const [, sign, precision, type] = m;
  v = Number(v);
  if (Number.isNaN(v)) return (sign === '+' ? '+' : sign) + 'nan';
  const negative = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let body;
  if (!Number.isFinite(a)) body = 'inf';
  else if (type === 'd') body = String(Math.round(a));
  else if (type === 'f') body = roundDigits(a, precision === undefined ? 6 : Number(precision), false);
  else if (type === '%') body = roundDigits(a * 100, precision === undefined ? 6 : Number(precision), false) + '%';
  else if (type === 'e') body = formatE(a, precision === undefined ? 6 : Number(precision));
  else if (type === 'g') body = formatG(a, precision === undefined ? 6 : Number(precision));
  else if (precision !== undefined) body = formatG(a, Number(precision));
  else body = pyRepr(a);
  if (type === '%' && !Number.isFinite(a)) body += '%';
  return (negative ? '-' : sign) + body;
}

function pyRepr(a) {
  // Python's repr(float) of a >= 0: the shortest round-trip digits, like JavaScript's String,
  // but 1e-05 / 1e+16 from 1e-5 / 1e16 and a '.0' on integers below 1e16
  if (a === 0) return '0.0';
  const exp = Number(a.toExponential().split('e')[1]);
  const short = String(a);
  const digits = short.replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '') || '0';
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Number(a.toExponential().split('e')[1]);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return /[.e]/.test(short) ? short : short + '.0';
}

function reasonFor(x, maxAbs) {
  // optim.base._why_diverged: why a step was not taken
  if (!x.every(Number.isFinite)) return 'θ became inf/NaN';
  if (!x.every((v) => Math.abs(v) <= maxAbs)) return `|θ| exceeded ${pyfmt(maxAbs, 'g')}`;
  return 'the loss became inf/NaN';
}

export function runOptimizer(program, name, hyper, x0, steps, maxAbs = 1e8, tol = null) {
  // optim.run for one start (no schedule): {points, values, status, stop, reason}; with tol, the
  // stopping rule ‖θ_{k+1} − θ_k‖ < tol ends the run as "converged" (that last point is kept)
  const step = makeStep(name, hyper), lr = hyper.lr, state = {};
  let x = Array.from(x0, Number);
  let { value, grad } = evaluate(program, x);
  const points = [x], values = [value];
  if (!Number.isFinite(value) || !grad.every(Number.isFinite)) {
    return { points, values, status: 'diverged', stop: 0, reason: 'loss or gradient undefined at the start' };
  }
  for (let t = 0; t < steps; t++) {
    const next = step(x, grad, state, lr, t);
    const out = evaluate(program, next);
    if (!next.every((v) => Math.abs(v) <= maxAbs) || !Number.isFinite(out.value)) {
      return { points, values, status: 'diverged', stop: t + 1, reason: reasonFor(next, maxAbs) };
    }
    let moved = 0;
    if (tol !== null) { for (let i = 0; i < x.length; i++) moved += (next[i] - x[i]) * (next[i] - x[i]); }
    x = next;
    ({ value, grad } = out);
    points.push(x);
    values.push(value);
    if (tol !== null && Math.sqrt(moved) < tol) return { points, values, status: 'converged', stop: t + 1, reason: null };
  }
  return { points, values, status: 'max_steps', stop: steps, reason: null };
}
