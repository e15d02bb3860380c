// TinyTorch Lab, module 19: a fair comparison of digits models, in the tools worker:
// compareModels measures each one's parameters, stored bytes, batch-1 latency (warm-up, then
// 15 timed rounds: median and 95 % CI) and held-out accuracy (measured, never invented); the
// page plots accuracy against bytes or latency and highlights the Pareto front (paretoFront).

import { h, setChildren, int, pct, bytes, statusLine, runTool, done } from './systems-kit.js';
import { XYChart } from './xychart.js';

const us = (msValue) => (1000 * msValue).toFixed(1);

export function mount(root) {
  const costSel = h('select', { id: 'pareto-cost' },
    h('option', { value: 'bytes' }, 'stored bytes'),
    h('option', { value: 'latency' }, 'latency per image'));
  const runBtn = h('button', { type: 'button', class: 'btn', id: 'pareto-run' }, 'Measure again');
  const status = statusLine('pareto-status');
  const chartBox = h('figure', { class: 'chart-box', id: 'pareto-chart' });
  const chart = new XYChart(chartBox, { xLabel: 'stored bytes', yLabel: 'held-out accuracy (%)', height: 300, logX: true, legend: 'bottom-right' });
  const caption = h('figcaption', {});
  chartBox.append(caption);
  const table = h('div', { class: 'table-scroll', id: 'pareto-table', tabindex: 0, role: 'region', 'aria-label': 'model comparison' });
  let last = null;

  setChildren(root,
    h('h2', { id: 'pareto-title' }, 'Compare models, find the Pareto front'),
    h('p', {}, 'Seven digits models, trained or derived in a background worker, measured on the same 359 held-out images: ',
      'a model is on the ', h('strong', {}, 'Pareto front'), ' when no other model is both at most as costly and at least as accurate (one of them strictly). ',
      'Every model off the front is dominated: another is at least as cheap and at least as accurate.'),
    h('div', { class: 'fields' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Cost axis'), costSel),
      h('div', { class: 'field field-button' }, runBtn)),
    status, chartBox, table);

  function render() {
    const { rows } = last;
    const latency = costSel.value === 'latency';
    const cost = (r) => (latency ? r.latency_ms.median : r.bytes);
    const front = latency ? last.frontLatency : last.frontBytes; // from paretoFront, in the worker
    chart.set([
      { name: '', points: rows.map((r) => [cost(r), 100 * r.accuracy]), line: false, labels: rows.map((r, i) => String(i + 1)), highlight: front, frontLine: true },
    ], { xLabel: latency ? 'latency per image (ms)' : 'stored bytes', logX: true });
    chartBox.dataset.front = front.join(',');
    caption.textContent = `Points are numbered as in the table; ringed points are the Pareto front (${front.length} of ${rows.length}), joined by the dashed line. Cost on a log scale.`;
    setChildren(table, h('table', { class: 'runs', id: 'compare-table' },
      h('caption', {}, `Measured on ${last.testSize} held-out digits; latency: batch of 1, ${last.runs} timed rounds after a warm-up`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col', class: 'num' }, 'Params'), h('th', { scope: 'col', class: 'num' }, 'Bytes'),
        h('th', { scope: 'col', class: 'num' }, 'Latency (median)'), h('th', { scope: 'col', class: 'num' }, '95 % CI'),
        h('th', { scope: 'col', class: 'num' }, 'Accuracy'), h('th', { scope: 'col' }, 'Pareto'))),
      h('tbody', {}, rows.map((r, i) => h('tr', { class: front.includes(i) ? 'on-front' : '', dataset: { model: r.name, accuracy: String(r.accuracy), bytes: String(r.bytes), front: String(front.includes(i)) } },
        h('th', { scope: 'row' }, h('span', { class: 'point-num', 'aria-hidden': 'true' }, String(i + 1)), r.name),
        h('td', { class: 'num' }, int(r.params)), h('td', { class: 'num' }, bytes(r.bytes)),
        h('td', { class: 'num' }, `${us(r.latency_ms.median)} µs`),
        h('td', { class: 'num' }, `${us(r.latency_ms.ci95[0])} – ${us(r.latency_ms.ci95[1])} µs`),
        h('td', { class: 'num' }, pct(r.accuracy, 2)),
        h('td', {}, front.includes(i) ? h('span', { class: 'badge badge-pass' }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, '◆'), ' on the front') : h('span', { class: 'muted' }, 'dominated')))))));
  }

  async function update() {
    runBtn.disabled = true;
    const r = await runTool(root, status, 'compareDigits', { runs: 15 }, { working: 'Training and measuring in the background worker…' });
    runBtn.disabled = false;
    if (!r) return;
    last = r;
    render();
    const pruned = r.rows.find((x) => x.name.includes('pruned'));
    const dense = r.rows[0];
    done(root, status, `Measured ${r.rows.length} models. The 80 %-pruned MLP stores ${bytes(pruned.bytes)} like the dense one (${bytes(dense.bytes)}): zeros in dense storage save nothing; int8 does.`);
  }
  costSel.addEventListener('change', () => { if (last) render(); });
  runBtn.addEventListener('click', update);
  update();
}
