// BasinExplorer (basins.py) in the browser: the n × n grid of starts runs as one batch (flatbatch.js).
//
// Registers SCENES.basins when it runs (figure_canvas.js imports it for that).

import { pyfmt } from './flatprog.js';
import { BASIN_DIVERGED, BASIN_NOT_CONVERGED, basinImage, basinLabels, gridStarts, runBatch } from './flatbatch.js';
import { SCENES } from './scenes.js';

const basinsCache = { key: null, starts: null, image: null };

SCENES.basins = ({ params: p, program, values: v }) => {
  // basins.basin_map(objective, lr, n, steps) and BasinExplorer._update
  const n = p.n, k = p.minima.length;
  const key = `${n} ${JSON.stringify(p.domain)}`;
  if (basinsCache.key !== key) {
    basinsCache.key = key;
    basinsCache.starts = gridStarts(n, p.domain);
    basinsCache.image = null;
  }
  const run = runBatch(program, 'GD', { lr: v.lr }, basinsCache.starts, v.steps);
  const labels = basinLabels(run.final, run.status, p.minima, p.radius);
  const image = basinImage(labels, n, p.colors, basinsCache.image);
  basinsCache.image = image;
  const counts = new Map();
  for (const label of labels) counts.set(label, (counts.get(label) || 0) + 1);
  const share = (label) => (counts.get(label) || 0) / labels.length;
  const parts = [];
  for (let i = 0; i < k; i++) parts.push(`min ${i} ${pyfmt(100 * share(i), '.1f')}%`);
  const diverged = share(BASIN_DIVERGED), stuck = share(BASIN_NOT_CONVERGED);
  parts.push(`diverged ${pyfmt(100 * diverged, '.1f')}%`, `not converged ${pyfmt(100 * stuck, '.1f')}%`);
  const kind = diverged > 0.5 ? 'error' : diverged + stuck > 0.05 ? 'warn' : 'ok';
  return {
    artists: { map: { image: { data: image, width: n, height: n } } },
    status: { text: `${n}×${n} starts, ${v.steps} steps · α = ${pyfmt(v.lr, '.4g')}: ${parts.join(', ')}`, kind },
  };
};
