// TinyTorch Lab, module 17: cached vs uncached generation time against sequence length,
// measured in this browser. A seeded GPT (context 160) generates greedily in the tools worker
// with and without its KV cache for 8 … 128 new tokens (medians of 3 or more runs after a warm-up);
// the chart and table fill in length by length, with the speedup and whether both runs
// produced identical tokens.

import { h, setChildren, stat, int, ms, times, statusLine, runTool, done } from './systems-kit.js';
import { XYChart } from './xychart.js';

const LENGTHS = [8, 16, 32, 64, 128];

export function mount(root) {
  const sizeSel = h('select', { id: 'kv-size' },
    h('option', { value: 'small' }, 'small: width 32, 2 blocks'),
    h('option', { value: 'medium' }, 'medium: width 64, 2 blocks'),
    h('option', { value: 'large' }, 'large: width 96, 4 blocks'));
  sizeSel.value = 'medium';
  const runBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'kv-run' }, 'Measure again');
  const status = statusLine('kv-status');
  const stats = h('div', { class: 'stats', id: 'kv-stats' });
  const chartBox = h('figure', { class: 'chart-box', id: 'kv-chart' });
  const chart = new XYChart(chartBox, {
    xLabel: 'new tokens generated', yLabel: 'time (ms)', height: 270, xTicks: LENGTHS, legend: 'top-left',
  });
  chartBox.append(h('figcaption', {}, 'Without the cache every new token re-runs the whole sequence so far (total work grows like n²); with it, each step runs one token against the stored keys and values (work grows like n).'));
  const table = h('div', { class: 'table-scroll', id: 'kv-table', tabindex: 0, role: 'region', 'aria-label': 'generation times' });

  setChildren(root,
    h('h2', { id: 'kv-title' }, 'Cached vs uncached generation, measured here'),
    h('p', {}, 'A GPT with a 160-token context (seeded weights: timing does not depend on training) generates greedily from a one-token prompt, ',
      'once by re-running the whole sequence for every new token and once with the KV cache (prompt prefilled, then one token per step). Both must produce the same tokens.'),
    h('div', { class: 'fields' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Model'), sizeSel),
      h('div', { class: 'field field-button' }, runBtn)),
    status, chartBox, table, stats);

  function render(rows, config) {
    chart.set([
      { name: 'without cache', points: rows.map((r) => [r.tokens, r.uncachedMs]) },
      { name: 'with KV cache', points: rows.map((r) => [r.tokens, r.cachedMs]) },
    ]);
    setChildren(table, h('table', { class: 'runs', id: 'kv-rows' },
      h('caption', {}, config ? `GPT width ${config.dim}, ${config.layers} blocks, ${config.heads} heads, context ${config.maxLen}; each time is the median of ${Math.min(...rows.map((x) => x.repeats))}–${Math.max(...rows.map((x) => x.repeats))} runs` : 'Measuring…'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'num' }, 'New tokens'), h('th', { scope: 'col', class: 'num' }, 'Without cache'),
        h('th', { scope: 'col', class: 'num' }, 'With KV cache'), h('th', { scope: 'col', class: 'num' }, 'Speedup'), h('th', { scope: 'col' }, 'Outputs'))),
      h('tbody', {}, rows.map((r) => h('tr', { class: 'kv-row', dataset: { tokens: r.tokens, same: String(r.same), speedup: String(r.speedup) } },
        h('td', { class: 'num' }, String(r.tokens)), h('td', { class: 'num' }, ms(r.uncachedMs)), h('td', { class: 'num' }, ms(r.cachedMs)),
        h('td', { class: 'num' }, h('strong', {}, times(r.speedup))),
        h('td', {}, r.same ? h('span', { class: 'badge badge-pass' }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, '✓'), ' outputs identical')
          : h('span', { class: 'badge badge-fail' }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, '✗'), ' outputs differ')))))));
  }

  let runSeq = 0;
  async function update() {
    const mine = ++runSeq;
    runBtn.disabled = true;
    const rows = [];
    render(rows, null);
    setChildren(stats);
    const r = await runTool(root, status, 'kvTiming', { size: sizeSel.value, lengths: LENGTHS, repeats: 3 }, {
      working: 'Generating with and without the cache in the background worker…',
      onProgress: (m) => {
        if (m.kind !== 'row' || mine !== runSeq) return; // a newer request replaced this one
        rows.push(m.row);
        render(rows, null);
        status.textContent = `Measured ${m.done} of ${m.total} lengths…`;
      },
    });
    runBtn.disabled = false;
    if (!r) return;
    render(r.rows, r.config);
    const last = r.rows.at(-1), first = r.rows[0];
    const allSame = r.rows.every((x) => x.same);
    setChildren(stats,
      stat(`speedup at ${last.tokens} tokens`, times(last.speedup), { note: `${ms(last.uncachedMs)} → ${ms(last.cachedMs)}`, tone: 'pass' }),
      stat(`speedup at ${first.tokens} tokens`, times(first.speedup), { note: 'short sequences gain little: there is little to re-run' }),
      stat('per token at the end', `${ms(last.uncachedMs / last.tokens)} → ${ms(last.cachedMs / last.tokens)}`, { note: 'average time per generated token' }),
      stat('outputs', allSame ? 'identical' : 'differ', { note: `at all ${r.rows.length} lengths; ${int(r.params)} parameters`, tone: allSame ? 'pass' : 'warn' }));
    done(root, status, `Measured in this browser: ${r.rows.map((x) => `${x.tokens} tokens ${times(x.speedup)}`).join(', ')}; outputs ${allSame ? 'identical' : 'differ'}.`);
  }
  runBtn.addEventListener('click', update);
  sizeSel.addEventListener('change', update);
  update();
}
