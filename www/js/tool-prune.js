// TinyTorch Lab, module 16: pruning a trained digits MLP in the tools worker. The chart shows
// held-out accuracy against sparsity for global magnitude pruning (measured at each point,
// no fine-tuning) and, for each sparsity picked on the slider, the accuracy after 3 epochs of
// fine-tuning with the mask attached to the optimizer (pruned weights stay exactly zero).
// Below: structured pruning, low-rank factorisation and distillation on the same model.

import { h, setChildren, stat, pct, int, ms, statusLine, runTool, done } from './systems-kit.js';
import { XYChart } from './xychart.js';

export function mount(root) {
  const slider = h('input', { type: 'range', id: 'prune-sparsity', min: 0, max: 95, step: 5, value: 50 });
  const out = h('output', { for: 'prune-sparsity', id: 'prune-sparsity-out' }, '50 %');
  const runBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'prune-run' }, 'Prune and fine-tune');
  const status = statusLine('prune-status');
  const stats = h('div', { class: 'stats', id: 'prune-stats' });
  const chartBox = h('figure', { class: 'chart-box', id: 'prune-chart' });
  const chart = new XYChart(chartBox, { xLabel: 'sparsity (% of weights pruned)', yLabel: 'held-out accuracy (%)', height: 260, yMax: 100, legend: 'bottom-left' });
  chartBox.append(h('figcaption', {}, 'Each point is measured on the 359 held-out digits. Without fine-tuning, accuracy holds until most weights are gone; fine-tuning with the mask recovers much of the loss.'));
  const extrasNote = h('p', { class: 'progress-text', role: 'status' }, 'Structured pruning, low rank and distillation follow once the curve is measured…');
  const extras = h('div', { class: 'tool-extras', id: 'prune-extras' }, extrasNote);
  let curve = [];
  const tuned = new Map();

  setChildren(root,
    h('h2', { id: 'prune-title' }, 'Prune a trained digits model'),
    h('p', {}, 'The digits MLP 64-128-10 (20 epochs of Adam, seed 0) is pruned by global weight magnitude: one threshold across both weight matrices, biases never pruned. ',
      'Pick a sparsity: a copy of the trained model is pruned, measured, then fine-tuned for 3 epochs with the pruning mask attached to its optimizer, so every step re-zeroes the pruned weights.'),
    h('div', { class: 'fields prune-fields' },
      h('label', { class: 'field prune-slider' }, h('span', { class: 'field-label' }, 'Sparsity'), h('div', { class: 'range-row' }, slider, out)),
      h('div', { class: 'field field-button' }, runBtn)),
    status, stats, chartBox, extras);

  function drawChart() {
    const t = [...tuned.values()].sort((a, b) => a.sparsity - b.sparsity);
    chart.set([
      { name: 'pruned, no fine-tuning', points: curve.map((p) => [100 * p.sparsity, 100 * p.accuracy]) },
      { name: 'pruned + 3 epochs with the mask', points: t.map((p) => [100 * p.sparsity, 100 * p.after.accuracy]), line: t.length > 1 },
    ]);
    chartBox.dataset.points = String(curve.length);
  }

  function renderPrune(r) {
    tuned.set(r.sparsity, r);
    drawChart();
    const kept = r.after.sparsity >= r.before.sparsity - 1e-9;
    setChildren(stats,
      stat('sparsity (measured)', `${(100 * r.before.sparsity).toFixed(1)} %`, { note: `after fine-tuning: ${(100 * r.after.sparsity).toFixed(1)} % ${kept ? '— the pruned weights stayed exactly 0' : '— weights grew back!'}`, id: 'prune-measured', tone: kept ? 'pass' : 'warn' }),
      stat('dense model', pct(r.dense, 2), { note: `${int(r.params)} parameters (storage stays dense)` }),
      stat('pruned', pct(r.before.accuracy, 2), { note: 'held out, before fine-tuning', id: 'prune-before' }),
      stat('pruned + fine-tuned', pct(r.after.accuracy, 2), { note: `3 epochs with the mask in ${ms(r.after.ms)}; loss ${r.after.losses.map((l) => l.toFixed(3)).join(' → ')}`, id: 'prune-after', tone: r.after.accuracy >= r.dense - 0.02 ? 'pass' : '' }));
    stats.dataset.sparsity = String(r.sparsity);
    stats.dataset.accuracy = String(r.after.accuracy);
  }

  function renderExtras(x) {
    const row = (label, params, acc, extra = '') => h('tr', {},
      h('th', { scope: 'row' }, label), h('td', { class: 'num' }, int(params)), h('td', { class: 'num' }, `${(100 * params / x.dense.params).toFixed(0)} %`),
      h('td', { class: 'num' }, pct(acc, 2)), h('td', {}, extra));
    setChildren(extras,
      h('h3', {}, 'Other ways to shrink the same model'),
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'structured pruning, low rank and distillation' },
        h('table', { class: 'runs', id: 'compress-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col', class: 'num' }, 'Params'), h('th', { scope: 'col', class: 'num' }, 'of dense'),
            h('th', { scope: 'col', class: 'num' }, 'Accuracy'), h('th', { scope: 'col' }, 'How'))),
          h('tbody', {},
            row('Dense 64-128-10', x.dense.params, x.dense.accuracy, 'trained baseline'),
            x.structured.map((s) => row(`Structured: keep ${s.keep} neurons`, s.params, s.accuracy, 'pruneNeurons: the layers really shrink (no fine-tuning)')),
            x.lowRank.map((s) => row(`Low rank ${s.rank}: Linear(64, ${s.rank}) → Linear(${s.rank}, 128)`, s.params, s.accuracy, 'lowRankLinear: truncated SVD of layer 1')),
            row('Student 64-16-10, hard labels', x.students.hard.params, x.students.hard.accuracy, `${x.students.epochs} epochs of cross-entropy`),
            row('Student 64-16-10, distilled', x.students.distilled.params, x.students.distilled.accuracy, `α·T²·KL + (1 − α)·CE, T = ${x.students.temperature}, α = ${x.students.alpha}`)))),
      h('p', { class: 'muted small' }, 'Magnitude pruning zeroes weights but storage stays dense, so by itself it saves no bytes (that needs a sparse format); ',
        'structured pruning and low rank make the matrices smaller right away. The distilled student learns from the teacher\'s softened probabilities (temperature 3, scaled by T² so its gradients keep their size).'));
  }

  async function pruneNow() {
    const s = Number(slider.value) / 100;
    runBtn.disabled = true;
    const r = await runTool(root, status, 'pruneAt', { sparsity: s, epochs: 3 }, { key: 'prune', working: `Pruning ${slider.value} % and fine-tuning in the background worker…` });
    runBtn.disabled = false;
    if (!r) return;
    renderPrune(r);
    done(root, status, `At ${(100 * r.before.sparsity).toFixed(0)} % sparsity: ${pct(r.before.accuracy, 1)} pruned, ${pct(r.after.accuracy, 1)} after fine-tuning with the mask (dense ${pct(r.dense, 1)}).`);
  }

  async function start() {
    const c = await runTool(root, status, 'pruneCurve', {}, { key: 'curve', working: 'Training the digits MLP and measuring accuracy at 10 sparsities…' });
    if (!c) return;
    curve = c.points;
    drawChart();
    await pruneNow();
    const x = await runTool(extras, extrasNote, 'compressExtras', {}, { key: 'extras', working: 'Structured pruning, low rank, and training two small students…' });
    if (x) { renderExtras(x); extras.dataset.state = 'done'; }
  }
  slider.addEventListener('input', () => { out.textContent = `${slider.value} %`; });
  slider.addEventListener('change', pruneNow);
  runBtn.addEventListener('click', pruneNow);
  start();
}
