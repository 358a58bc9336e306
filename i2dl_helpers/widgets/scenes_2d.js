// The 2D explorers' updates in the browser: GradientDescent2D (gd2d.py), MomentumExplorer
// (momentum.py) and OptimizerRace (race.py). See scenes.js for the protocol; this module uses
// its helpers (trajectory, column, range, clip), flatprog.js's (evaluate, hessianAt) and the declared
// formulas (formula(name): i2dl_helpers/widgets/statuses.py), and registers SCENES.gd2d, .momentum and
// .race when it runs (figure_canvas.js imports it for that).

// ---- GradientDescent2D (gd2d.py) ------------------------------------------------------------------
import { evaluate, hessianAt } from './flatprog.js';
import { formula } from './formulas.js';
import { SCENES, clip, column, range, status, trajectory } from './scenes.js';

function gd2dStatus(p, program, r, lr) {
  // GradientDescent2D._status: the gradient of the run's last step (a run that converged keeps the one of
  // the step before, as Trajectory.grad_norms) and the exact Hessian at θ, both from the flat program
  const n = r.points.length - 1, theta = r.points[n];
  const where = r.status === 'converged' && n > 0 ? r.points[n - 1] : theta;
  return formula('gd2d_status')(r.message, r.status, theta, r.values[0], r.values[n], evaluate(program, where).grad,
    p.minima, hessianAt(program, theta), p.kappa, p.smoothness, lr);
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
  const [lo, hi] = p.loss_ylim;
  const gap = vals.map((val) => val - p.best);
  return {
    artists: {
      path: { x: column(shown, 0), y: column(shown, 1) },
      start: { x: [pts[0][0]], y: [pts[0][1]] },
      end: { x: [pts[n][0]], y: [pts[n][1]] },
      note: { text: formula('path_note')(r.status === 'diverged', off >= 0 ? off : null, r.stop) },
      loss: { x: range(gap.length), y: gap.map((g) => clip(Number.isFinite(g) ? g : hi, lo, hi)) },
      loss_note: { text: gap.some((g) => g > hi) ? 'values above the top are drawn at the top' : '' },
    },
    status: status(gd2dStatus(p, program, r, v.lr)),
  };
};

// ---- MomentumExplorer (momentum.py) ---------------------------------------------------------------
SCENES.momentum = ({ params: p, program, values: v }) => {
  const lr = v.lr, beta = v.beta, nesterov = !!v.nesterov, steps = v.steps, qmax = p.q_max;
  const qs = [lr * 1.0, lr * v.condition];
  const rates = formula('momentum_rates')(lr, v.condition, beta, nesterov);
  const edgeQ = qmax * 0.99;
  const labels = {};
  ['λ=1', 'λ=κ'].forEach((name, i) => {
    labels[`mark_label_${i}`] = { text: name + (qs[i] > qmax ? ' →' : ''), at: [Math.min(qs[i], edgeQ) + 0.06, beta + 0.03] };
  });
  const momentum = beta > 0 ? beta : 0.0;
  const r = trajectory(program, 'SGD', { lr, momentum, nesterov: nesterov && momentum > 0 }, p.start, steps);
  const pts = r.points.map((q) => q.map((c) => clip(c, -6, 6)));
  const values = r.values.map((val) => clip(val, 1e-14, 1e3));
  const k = range(steps + 1), envelope = formula('momentum_envelope');
  const env = k.map((j) => clip(envelope(r.values[0], rates, j), 1e-14, 1e3));
  const off = r.points.findIndex((q) => q.some((c) => Math.abs(c) > 3));
  return {
    artists: {
      marks: { x: qs.map((q) => Math.min(q, edgeQ)), y: [beta, beta] },
      ...labels,
      path: { x: column(pts, 0), y: column(pts, 1) },
      start: { x: [pts[0][0]], y: [pts[0][1]] },
      note: { text: formula('path_note')(false, off >= 0 ? off : null, steps) },
      loss: { x: range(values.length), y: values },
      envelope: { x: k, y: env },
    },
    status: status(formula('momentum_status')(lr, v.condition, beta, nesterov, rates, r.message, r.status)),
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

SCENES.race = ({ params: p, program, values: v }) => {
  const hyper = raceHyper(p, v), start = [v.x0, v.y0];
  const box = p.domain, span = box.map(([lo, hi]) => hi - lo);
  const lo = box.map(([l], i) => l - span[i]), hi = box.map(([, h], i) => h + span[i]);
  const results = {}, artists = {};
  for (const name of p.racers) {
    const r = trajectory(program, name, hyper[name], start, v.steps);
    const gap = r.values.map((val) => formula('race_gap')(val, p.best));
    results[name] = { diverged: r.status === 'diverged', reached: formula('steps_to_target')(gap, p.target) };
    const pts = r.points.map((q) => q.map((c, i) => clip(c, lo[i], hi[i]))), n = pts.length - 1;
    artists[`path_${name}`] = { x: column(pts, 0), y: column(pts, 1) };
    artists[`end_${name}`] = { x: [pts[n][0]], y: [pts[n][1]] };
    artists[`curve_${name}`] = { x: range(gap.length), y: gap.map((g) => clip(g, p.ylim[0], p.ylim[1])) };
  }
  for (const name of p.all) {
    if (!(name in results)) for (const kind of ['path', 'end', 'curve']) artists[`${kind}_${name}`] = { x: [], y: [] };
  }
  artists.start = { x: [start[0]], y: [start[1]] };
  const names = Object.keys(results);
  return { artists, status: status(formula('race_status')(p.target, names, names.map((n) => results[n].reached),
    names.map((n) => results[n].diverged))) };
};
