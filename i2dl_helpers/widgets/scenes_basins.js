// BasinExplorer (basins.py) in the browser: the n × n grid of starts runs as one batch (flatbatch.js).
//
// Registers SCENES.basins when it runs (figure_canvas.js imports it for that).

import { formula } from './formulas.js';
import { BASIN_DIVERGED, BASIN_NOT_CONVERGED, basinImage, basinLabels, gridStarts, runBatch } from './flatbatch.js';
import { SCENES, status } from './scenes.js';

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
  // BasinMap.fractions: the share of the starts with each label (count / starts, as np.mean of a mask)
  const counts = new Map();
  for (const label of labels) counts.set(label, (counts.get(label) || 0) + 1);
  const share = (label) => (counts.get(label) || 0) / labels.length;
  const shares = Array.from({ length: k }, (_, i) => share(i));
  return {
    artists: { map: { image: { data: image, width: n, height: n } } },
    status: status(formula('basin_status')(n, v.steps, v.lr, shares, share(BASIN_DIVERGED), share(BASIN_NOT_CONVERGED))),
  };
};
