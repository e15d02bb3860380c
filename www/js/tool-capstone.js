// TinyTorch Lab, module 20: the capstone, run in the tools worker with its stages shown as
// they start: train the baseline MLP, distil it into a smaller student, prune 50 % with the
// mask attached, quantize to int8, measure both. The page shows baseline vs optimised,
// validates the submission (validateSubmission, in the worker) and offers the report and its
// JSON Schema as downloads (Blob URLs: nothing leaves the browser).

import { h, setChildren, stat, int, pct, ms, bytes, times, trainingProgress, runTool, done, jsonDownload, statusLine } from './systems-kit.js';
import { toolsWorker } from './jobs.js';

const us = (msValue) => (1000 * msValue).toFixed(2);

const STAGES = [
  ['training', 'Train the baseline MLP 64-128-10 (25 epochs of Adam)'],
  ['distilling', 'Distil it into a 64-32-10 student (T = 3, α = 0.7, 20 epochs)'],
  ['pruning', 'Prune 50 % of the student\'s weights, fine-tune 5 epochs with the mask'],
  ['quantizing', 'Quantize to int8, calibrated on 128 training images'],
  ['measuring', 'Measure both on the held-out digits: accuracy, bytes, latency'],
];

export function mount(root) {
  const nameIn = h('input', { type: 'text', id: 'cap-student', maxlength: 80, placeholder: 'optional', autocomplete: 'off', spellcheck: 'false' });
  const seedIn = h('input', { type: 'number', id: 'cap-seed', min: 0, max: 1e9, step: 1, value: 0, inputmode: 'numeric' });
  const runBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'cap-run' }, 'Run the capstone');
  const formError = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const progress = trainingProgress('cap-progress');
  const stageList = h('ol', { class: 'stage-list', id: 'cap-stages' }, STAGES.map(([key, text]) => h('li', { dataset: { stage: key, state: 'todo' } },
    h('span', { class: 'stage-mark', 'aria-hidden': 'true' }, '○'), ' ', text)));
  const status = statusLine('cap-status');
  const results = h('div', { class: 'cap-results', id: 'cap-results', hidden: true });
  const schemaSlot = h('span', { id: 'cap-schema-slot' });
  const schemaLine = h('p', { class: 'schema-line' }, 'The submission format, before you run: ', schemaSlot);

  setChildren(root,
    h('h2', { id: 'capstone-title' }, 'Run the capstone'),
    h('p', {}, 'The whole pipeline runs in a background worker from one seed: every figure in the report is measured in this browser, and the report must validate against the submission schema before you download it.'),
    h('div', { class: 'fields' },
      h('label', { class: 'field cap-name' }, h('span', { class: 'field-label' }, 'Your name in the report'), nameIn),
      h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Seed'), seedIn),
      h('div', { class: 'field field-button' }, runBtn)),
    formError,
    progress.el, stageList, status,
    results,
    schemaLine);
  progress.message('Press “Run the capstone”: it takes a few seconds.');

  // The schema is offered before any run.
  toolsWorker.run('capstoneSchema').then((schema) => {
    if (!schemaSlot.childNodes.length) setChildren(schemaSlot, jsonDownload(schema, 'tinytorch-capstone-schema.json', 'Download the JSON Schema', { id: 'cap-schema-top' }));
  }).catch(() => {});

  function markStages(current) {
    const i = STAGES.findIndex(([key]) => current.startsWith(key));
    [...stageList.children].forEach((li, k) => {
      const state = i < 0 ? li.dataset.state : k < i ? 'done' : k === i ? 'running' : 'todo';
      li.dataset.state = state;
      li.querySelector('.stage-mark').textContent = state === 'done' ? '✓' : state === 'running' ? '…' : '○';
    });
    if (i >= 0) progress.set(i / STAGES.length, `Stage ${i + 1} of ${STAGES.length}: ${current}…`);
  }

  function render(r) {
    // The previous run's download links: free their Blob URLs.
    results.querySelectorAll('a[href^="blob:"]').forEach((a) => URL.revokeObjectURL(a.href));
    const s = r.submission;
    const b = s.baseline, o = s.optimized, imp = s.improvements;
    const valid = r.errors.length === 0;
    const row = (label, f) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, f(b)), h('td', { class: 'num' }, f(o)));
    setChildren(results,
      h('div', { class: 'stats', id: 'cap-stats' },
        stat('speedup', times(imp.speedup, 2), { note: `latency ${us(b.latency_ms.median)} → ${us(o.latency_ms.median)} µs per image`, tone: imp.speedup > 1 ? 'pass' : '' }),
        stat('compression', times(imp.compression_ratio, 1), { note: `${bytes(b.bytes)} → ${bytes(o.bytes)}`, tone: 'pass' }),
        stat('accuracy change', `${imp.accuracy_delta >= 0 ? '+' : '−'}${Math.abs(100 * imp.accuracy_delta).toFixed(2)} pt`, { note: `${pct(b.accuracy, 2)} → ${pct(o.accuracy, 2)} on ${s.dataset.test_size} held-out digits`, tone: imp.accuracy_delta >= -0.03 ? 'pass' : 'warn' }),
        stat('sparsity', pct(o.sparsity, 0), { note: `of the student's weights; ${o.techniques.join(', ').replaceAll('_', ' ')}` })),
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'baseline and optimised models' },
        h('table', { class: 'runs', id: 'cap-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), h('th', { scope: 'col', class: 'num' }, 'Baseline'), h('th', { scope: 'col', class: 'num' }, 'Optimised'))),
          h('tbody', {},
            row('Model', (m) => h('code', {}, m.model)),
            row('Parameters', (m) => int(m.params)),
            row('Bytes stored', (m) => `${int(m.bytes)} B`),
            row('Held-out accuracy', (m) => pct(m.accuracy, 2)),
            row('Latency per image (median)', (m) => `${us(m.latency_ms.median)} µs`),
            row('95 % CI of the latency', (m) => `${us(m.latency_ms.ci95[0])} – ${us(m.latency_ms.ci95[1])} µs`)))),
      h('div', { class: `validation ${valid ? 'validation-ok' : 'validation-bad'}`, id: 'cap-validation', dataset: { valid: String(valid) }, role: 'status' },
        valid
          ? [h('span', { class: 'badge badge-pass' }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, '✓'), ' valid'),
            ' validateSubmission found no problem: the report follows the schema and its ratios follow from its measurements.']
          : [h('span', { class: 'badge badge-fail' }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, '✗'), ' invalid'),
            h('ul', {}, r.errors.map((e) => h('li', {}, e)))]),
      h('div', { class: 'actions' },
        jsonDownload(s, `tinytorch-capstone-seed${s.dataset.seed}.json`, 'Download report', { id: 'cap-download', primary: true }),
        jsonDownload(r.schema, 'tinytorch-capstone-schema.json', 'Download schema', { id: 'cap-schema' }),
        h('span', { class: 'progress-text' }, `System: ${s.system.build} build, ${s.system.kernels} kernel · tinytorch ${s.tinytorch_version}`)),
      h('details', { class: 'json-view' }, h('summary', {}, 'The report (JSON)'), h('pre', { class: 'output', id: 'cap-json' }, JSON.stringify(s, null, 2))));
    results.hidden = false;
    schemaLine.hidden = true;
  }

  async function run() {
    const seed = Number(seedIn.value);
    formError.hidden = Number.isInteger(seed) && seed >= 0;
    formError.textContent = formError.hidden ? '' : 'The seed must be a whole number ≥ 0.';
    if (!formError.hidden) return;
    runBtn.disabled = true;
    results.hidden = true;
    [...stageList.children].forEach((li) => { li.dataset.state = 'todo'; li.querySelector('.stage-mark').textContent = '○'; });
    progress.set(0, 'Starting the worker…');
    const r = await runTool(root, status, 'capstone', { seed, student: nameIn.value.trim() }, {
      key: 'capstone', working: '',
      onProgress: (m) => { if (m.kind === 'stage') markStages(m.text); },
    });
    runBtn.disabled = false;
    if (!r) { progress.message('The capstone stopped with an error (see below).'); return; }
    [...stageList.children].forEach((li) => { li.dataset.state = 'done'; li.querySelector('.stage-mark').textContent = '✓'; });
    progress.set(1, `Done in ${ms(r.ms)}.`);
    render(r);
    done(root, status, r.errors.length ? `The report has ${r.errors.length} problem(s).` : `Capstone done: ${times(r.submission.improvements.compression_ratio, 1)} smaller, ${times(r.submission.improvements.speedup, 2)} faster; the report is valid.`);
  }
  runBtn.addEventListener('click', run);
}
