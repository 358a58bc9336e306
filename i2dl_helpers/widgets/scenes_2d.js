// The 2D explorers' updates in the browser: GradientDescent2D (gd2d.py), MomentumExplorer
// (momentum.py) and OptimizerRace (race.py). See scenes.js for the protocol; this module uses
// its helpers (trajectory, column, range, clip) and flatprog.js's (evaluate, pyfmt) and registers
// SCENES.gd2d, .momentum and .race when it runs (figure_canvas.js imports it for that).

// ---- GradientDescent2D (gd2d.py) ------------------------------------------------------------------
import { evaluate, pyfmt } from './flatprog.js';
import { SCENES, clip, column, range, trajectory } from './scenes.js';

function minEigenvalue(program, theta) {
  // λ_min(∇²L(θ)): the Hessian by central differences of the gradient (numdiff.numerical_hessian,
  // h = 1e-5, symmetrised), then convexity.min_eigenvalue_2x2. The kernel uses the catalogue's exact
  // Hessian where it has one; the status shows λ_min to 3 digits only.
  const h = 1e-5, H = [[0, 0], [0, 0]];
  for (let i = 0; i < 2; i++) {
    const up = theta.slice(), down = theta.slice();
    up[i] += h;
    down[i] -= h;
    const gu = evaluate(program, up).grad, gd = evaluate(program, down).grad;
    for (let r = 0; r < 2; r++) H[r][i] = (gu[r] - gd[r]) / (2 * h);
  }
  const a = H[0][0], c = H[1][1], b = 0.5 * (H[0][1] + H[1][0]);
  return 0.5 * (a + c) - Math.hypot(0.5 * (a - c), b);
}

function gd2dMessage(p, program, r, lr) {
  // GradientDescent2D._message
  const n = r.points.length - 1, theta = r.points[n];
  let text = r.message;
  if (r.status !== 'diverged') {
    text += ` · θ = (${pyfmt(theta[0], '.4g')}, ${pyfmt(theta[1], '.4g')})`;
    if (r.status === 'converged') text += `, L = ${pyfmt(r.values[n], '.4g')}`;
    else if (r.values[n] > r.values[0]) text += ' · L grows: α is too large';
    // Trajectory.grad_norms[-1]: a run that converged keeps the gradient of the step before
    const where = r.status === 'converged' && n > 0 ? r.points[n - 1] : theta;
    const grad = evaluate(program, where).grad, g = Math.sqrt(grad[0] * grad[0] + grad[1] * grad[1]);
    const nearMin = p.minima.length > 0 &&
      Math.min(...p.minima.map((m) => Math.hypot(m[0] - theta[0], m[1] - theta[1]))) < 1e-3;
    if (g < 1e-3 && !nearMin) {
      const lam = minEigenvalue(program, theta);
      if (lam < 0) text += ` · stuck near a saddle point (‖∇L‖ = ${pyfmt(g, '.1e')}, λ_min(∇²L) = ${pyfmt(lam, '.3g')} < 0)`;
    }
  }
  if (p.kappa !== null) {
    text += ` · κ = ${pyfmt(p.kappa, '.3g')}: curvatures 1 and κ, stable only for α < 2/κ = ` +
      `${pyfmt(2 / p.smoothness, '.4g')} (α·κ = ${pyfmt(lr * p.smoothness, '.3g')})`;
  } else if (p.smoothness !== null) {
    text += ` · stable for α < 2/λ_max = ${pyfmt(2 / p.smoothness, '.4g')} (λ_max: the largest curvature)`;
  }
  return text;
}

SCENES.gd2d = ({ params: p, program, values: v }) => {
  const r = trajectory(program, 'GD', { lr: v.lr }, [v.x0, v.y0], v.steps, p.tol);
  const pts = r.points, vals = r.values, n = pts.length - 1;
  const box = p.domain, span = box.map(([lo, hi]) => hi - lo);
  const outerLo = box.map(([lo], i) => lo - span[i]), outerHi = box.map(([, hi], i) => hi + span[i]);
  // _draw_path: the drawn path ends at the first point beyond one domain width around the plot
  const far = pts.findIndex((q) => q.some((c, i) => c < outerLo[i] || c > outerHi[i]));
  const shown = (far >= 0 ? pts.slice(0, far + 1) : pts).map((q) => q.map((c, i) => clip(c, outerLo[i], outerHi[i])));
  const off = pts.findIndex((q) => q.some((c, i) => c < box[i][0] || c > box[i][1]));
  let note = '';
  if (r.status === 'diverged') note = `diverged: the path leaves the plot at step ${off >= 0 ? off : r.stop}`;
  else if (off >= 0) note = `the path leaves the plot at step ${off}`;
  const [lo, hi] = p.loss_ylim;
  const gap = vals.map((val) => val - p.best);
  return {
    artists: {
      path: { x: column(shown, 0), y: column(shown, 1) },
      start: { x: [pts[0][0]], y: [pts[0][1]] },
      end: { x: [pts[n][0]], y: [pts[n][1]] },
      note: { text: note },
      loss: { x: range(gap.length), y: gap.map((g) => clip(Number.isFinite(g) ? g : hi, lo, hi)) },
      loss_note: { text: gap.some((g) => g > hi) ? 'values above the top are drawn at the top' : '' },
    },
    status: { text: gd2dMessage(p, program, r, v.lr), kind: r.kind },
  };
};

// ---- MomentumExplorer (momentum.py) ---------------------------------------------------------------
function momentumRate(q, beta, nesterov) {
  // optim.first_order.momentum_rate: ρ = max |z| over the roots of z² − tr z + det = 0
  let tr, det;
  if (nesterov) {
    tr = 1 - q * (1 + beta) + beta;
    det = (1 - q * (1 + beta)) * beta + beta * beta * q;
  } else {
    tr = 1 + beta - q;
    det = beta;
  }
  const disc = tr * tr - 4 * det;
  if (disc >= 0) {
    const root = Math.sqrt(disc);
    return Math.max(Math.abs((tr + root) / 2), Math.abs((tr - root) / 2));
  }
  return Math.hypot(tr / 2, Math.sqrt(-disc) / 2);  // a complex pair: both roots have this modulus
}

function momentumMessage(qs, beta, rates, r, nesterov) {
  // MomentumExplorer._message
  const rho = Math.max(...rates), edge = 2 + 2 * beta, parts = [];
  if (rho < 1) {
    const perDecade = rho > 0 ? Math.log(10) / -Math.log(rho) / 2 : 0.0;  // L ~ ρ^{2k}
    parts.push(`converges: ρ = ${pyfmt(rho, '.4g')} per step (L falls ×10 every ${pyfmt(perDecade, '.3g')} steps)`);
  } else {
    parts.push(`diverges: ρ = ${pyfmt(rho, '.4g')} ≥ 1`);
  }
  if (!nesterov) parts.push(`αλ_max = ${pyfmt(qs[1], '.3g')} ${qs[1] < edge ? '<' : '≥'} 2 + 2β = ${pyfmt(edge, '.3g')}`);
  const slow = rates[1] > rates[0] ? 1 : 0;  // np.argmax: the first of equal rates
  const s = 1 - Math.sqrt(qs[slow]), crit = s * s;
  if (!nesterov && qs[slow] < 4) {
    const damping = Math.abs(beta - crit) < 0.01 ? 'critically damped'
      : beta > crit ? 'under-damped (oscillates)' : 'over-damped (no oscillation)';
    parts.push(`slowest curvature ${slow ? 'κ' : '1'}: ${damping}, critical β = ${pyfmt(crit, '.3g')}`);
  }
  parts.push(`run: ${r.message}`);
  return parts.join(' · ');
}

SCENES.momentum = ({ params: p, program, values: v }) => {
  const lr = v.lr, beta = v.beta, nesterov = !!v.nesterov, steps = v.steps, qmax = p.q_max;
  const qs = [lr * 1.0, lr * v.condition];
  const rates = qs.map((q) => momentumRate(q, beta, nesterov));
  const edgeQ = qmax * 0.99;
  const labels = {};
  ['λ=1', 'λ=κ'].forEach((name, i) => {
    labels[`mark_label_${i}`] = { text: name + (qs[i] > qmax ? ' →' : ''), at: [Math.min(qs[i], edgeQ) + 0.06, beta + 0.03] };
  });
  const momentum = beta > 0 ? beta : 0.0;
  const r = trajectory(program, 'SGD', { lr, momentum, nesterov: nesterov && momentum > 0 }, p.start, steps);
  const pts = r.points.map((q) => q.map((c) => clip(c, -6, 6)));
  const values = r.values.map((val) => clip(val, 1e-14, 1e3));
  const rho = Math.max(...rates), k = range(steps + 1);
  const env = k.map((j) => clip(r.values[0] * Math.pow(rho, 2.0 * j), 1e-14, 1e3));
  const off = r.points.findIndex((q) => q.some((c) => Math.abs(c) > 3));
  return {
    artists: {
      marks: { x: qs.map((q) => Math.min(q, edgeQ)), y: [beta, beta] },
      ...labels,
      path: { x: column(pts, 0), y: column(pts, 1) },
      start: { x: [pts[0][0]], y: [pts[0][1]] },
      note: { text: off >= 0 ? `the path leaves the plot at step ${off}` : '' },
      loss: { x: range(values.length), y: values },
      envelope: { x: k, y: env },
    },
    status: {
      text: momentumMessage(qs, beta, rates, r, nesterov),
      kind: rho < 1 && r.status !== 'diverged' ? 'ok' : 'error',
    },
  };
};

// ---- OptimizerRace (race.py) ----------------------------------------------------------------------
function raceHyper(p, v) {
  // OptimizerRace._run + optim.racing.RACERS: each racer's keywords from its controls, in
  // flatprog's (torch's) names
  const kw = {};
  for (const [key, [racer, name]] of Object.entries(p.hyper)) (kw[racer] = kw[racer] || {})[name] = v[key];
  const out = {};
  for (const racer of p.racers) {
    const h = { lr: v[`lr_${racer}`], ...(kw[racer] || {}) };
    if ('beta1' in h || 'beta2' in h) {
      h.betas = [h.beta1 ?? 0.9, h.beta2 ?? 0.999];
      delete h.beta1;
      delete h.beta2;
    }
    if (racer === 'Nesterov' && !(h.momentum > 0)) {
      throw new Error('ValueError: nesterov=True needs a momentum in (0, 1), got momentum=0');  // as optim.SGD
    }
    out[racer] = h;
  }
  return out;
}

function stepsToTarget(gap, target) {
  // optim.racing.race: the first k from which the gap stays <= target (null if the last is above)
  let last = -1;
  for (let j = 0; j < gap.length; j++) if (!(gap[j] <= target)) last = j;
  if (last === gap.length - 1) return null;
  return last >= 0 ? last + 1 : 0;
}

function raceMessage(p, results) {
  // OptimizerRace._message
  const names = Object.keys(results);
  if (!names.length) return 'no racer selected';
  const parts = names.map((name) => {
    const res = results[name], k = res.reached;
    return `${name} ${k === null ? '—' : k}${res.status === 'diverged' ? ' (diverged)' : ''}`;
  });
  let best = null;
  for (const name of names) {
    const k = results[name].reached;
    if (k !== null && (best === null || k < results[best].reached)) best = name;
  }
  const winner = best === null ? 'nobody reached the target: more steps or other learning rates'
    : `winner: ${best} (${results[best].reached} steps)`;
  return `steps until L − L* stays < ${pyfmt(p.target, 'g')}: ` + parts.join(', ') + ' · ' + winner;
}

SCENES.race = ({ params: p, program, values: v }) => {
  const hyper = raceHyper(p, v), start = [v.x0, v.y0];
  const box = p.domain, span = box.map(([lo, hi]) => hi - lo);
  const lo = box.map(([l], i) => l - span[i]), hi = box.map(([, h], i) => h + span[i]);
  const results = {}, artists = {};
  for (const name of p.racers) {
    const r = trajectory(program, name, hyper[name], start, v.steps);
    const gap = r.values.map((val) => Math.max(val - p.best, 0.0));
    results[name] = { status: r.status, reached: stepsToTarget(gap, p.target) };
    const pts = r.points.map((q) => q.map((c, i) => clip(c, lo[i], hi[i]))), n = pts.length - 1;
    artists[`path_${name}`] = { x: column(pts, 0), y: column(pts, 1) };
    artists[`end_${name}`] = { x: [pts[n][0]], y: [pts[n][1]] };
    artists[`curve_${name}`] = { x: range(gap.length), y: gap.map((g) => clip(g, p.ylim[0], p.ylim[1])) };
  }
  for (const name of p.all) {
    if (!(name in results)) for (const kind of ['path', 'end', 'curve']) artists[`${kind}_${name}`] = { x: [], y: [] };
  }
  artists.start = { x: [start[0]], y: [start[1]] };
  return { artists, status: { text: raceMessage(p, results), kind: 'ok' } };
};
