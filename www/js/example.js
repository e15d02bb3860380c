// TinyTorch Lab: the live example panel. The code sits in an editable <textarea>; Run
// (or Ctrl+Enter) executes it in a worker with the whole API in scope plus print() and plot(),
// streams the printed lines into an output box and draws plotted series on a chart. A time
// limit stops runaway code without freezing the page.

import { h, setChildren, fmtMs, fmtBytes, announce } from './dom.js';
import { WorkerClient } from './jobs.js';
import { LineChart } from './chart.js';

const TIME_LIMIT_MS = 20000;
const runner = new WorkerClient(); // its own worker: a stopped example never kills the checks

/** Mounts the example editor for `mod` into `root`. */
export function mountExample(root, mod) {
  const storeKey = `tinytorch-lab/example/${mod.number}`;
  const saved = readSaved(storeKey);
  const editor = h('textarea', {
    id: 'example-code', class: 'code-editor', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off',
    'aria-label': 'Example code (editable)', rows: Math.min(28, mod.example.split('\n').length + 1),
  });
  editor.value = saved ?? mod.example;
  const runBtn = h('button', { class: 'btn btn-primary', id: 'run-example', type: 'button' }, 'Run example');
  const resetBtn = h('button', { class: 'btn', type: 'button', title: 'Restore the original example' }, 'Reset code');
  const status = h('span', { class: 'progress-text', role: 'status' });
  const output = h('pre', { class: 'output', id: 'example-output', tabindex: 0, 'aria-label': 'Example output' }, 'Press Run to see the output.');
  const chartBox = h('figure', { class: 'example-chart', hidden: true });
  setChildren(root,
    h('h2', { id: 'example-title' }, 'Live example'),
    h('p', {}, 'Edit the code and run it: everything the API exports is in scope, plus ',
      h('code', {}, 'print(...)'), ' and ', h('code', {}, 'plot(name, values)'), '. It runs in a background worker. ',
      h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'), ' runs it from the editor.'),
    editor,
    h('div', { class: 'actions' }, runBtn, resetBtn, status),
    output, chartBox);

  let chart = null;
  async function run() {
    runBtn.disabled = true;
    status.textContent = 'Running…';
    output.textContent = '';
    output.classList.remove('output-error');
    chartBox.hidden = true;
    const series = [];
    const lines = [];
    saveCode(storeKey, editor.value, mod.example);
    try {
      const result = await runner.run('runExample', { code: editor.value }, {
        timeoutMs: TIME_LIMIT_MS,
        onProgress(msg) {
          if (msg.kind === 'print') {
            lines.push(msg.text);
            output.textContent = lines.join('\n');
          } else if (msg.kind === 'plot') {
            series.push({ name: msg.name, values: msg.values });
            chartBox.hidden = false;
            chart ??= new LineChart(chartBox, { xLabel: msg.xLabel ?? 'step', yLabel: msg.yLabel ?? 'value', height: 240 });
            chart.set(series);
          }
        },
      });
      if (!lines.length) output.textContent = '(nothing printed: use print(...) to show values)';
      status.textContent = `Done in ${fmtMs(result.ms)} · wasm memory ${fmtBytes(result.memoryAfter)}`;
      root.dataset.state = 'done';
    } catch (err) {
      lines.push(`${lines.length ? '\n' : ''}Error: ${err.message}`);
      output.textContent = lines.join('\n');
      output.classList.add('output-error');
      status.textContent = 'The example stopped with an error.';
      root.dataset.state = 'error';
    } finally {
      runBtn.disabled = false;
      announce(status.textContent);
    }
  }
  runBtn.addEventListener('click', run);
  resetBtn.addEventListener('click', () => {
    editor.value = mod.example;
    saveCode(storeKey, mod.example, mod.example);
    editor.focus();
  });
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
}

function readSaved(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

function saveCode(key, code, original) {
  try {
    if (code === original) localStorage.removeItem(key);
    else localStorage.setItem(key, code);
  } catch { /* storage unavailable: edits are just not kept */ }
}
