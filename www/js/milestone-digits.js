// TinyTorch Lab, milestone 04 (1998): trains the digits CNN (or the 1986 MLP) in the tools
// worker with one progress message per epoch, and draws the live loss and accuracy charts,
// then the held-out accuracy, the confusion matrix and the misclassified digits. Stop
// terminates the worker (the next run starts a fresh one), so the page never waits on it.

import { h, setChildren, announce, fmtMs } from './dom.js';
import { toolsWorker } from './jobs.js';
import { passedExercises } from './progress.js';
import { LineChart } from './chart.js';
import { chrome, otherMilestones, trainingProgress, stat, pct, int, drawDigit } from './milestone-kit.js';

chrome();
const $ = (id) => document.getElementById(id);
$('main').append(otherMilestones('digits'));

const DEFAULT_EPOCHS = { cnn: 20, mlp: 30 };
const TARGET = { cnn: 0.97, mlp: 0.95 };
const NAMES = { cnn: 'CNN (1998)', mlp: 'MLP (1986)' };
const MAX_MISTAKES = 12;

// ---- the data strip ------------------------------------------------------------------------

toolsWorker.run('digitsSamples', { seed: 0 }).then(({ samples, trainSize, testSize }) => {
  setChildren($('digit-samples'),
    h('ul', { class: 'digits' }, samples.map((s) => {
      const c = h('canvas', { class: 'digit', role: 'img', 'aria-label': `a handwritten ${s.label}` });
      drawDigit(c, s.pixels, 56);
      return h('li', {}, c, h('span', { class: 'digit-label' }, String(s.label)));
    })),
    h('p', { class: 'muted small' }, `${int(trainSize)} training images and ${int(testSize)} held out; one held-out example of each digit above, drawn pixel by pixel.`));
}).catch((err) => setChildren($('digit-samples'), h('p', { class: 'error-box', role: 'alert' }, `The digits did not load: ${err.message}`)));

// ---- the form --------------------------------------------------------------------------------

const modelSel = h('select', { id: 'model' },
  h('option', { value: 'cnn' }, 'CNN (1998): 2 conv layers'),
  h('option', { value: 'mlp' }, 'MLP (1986): 1 hidden layer'));
const epochsIn = h('input', { type: 'number', id: 'epochs', min: 1, max: 200, step: 1, value: DEFAULT_EPOCHS.cnn, inputmode: 'numeric' });
const seedIn = h('input', { type: 'number', id: 'seed', min: 0, max: 1e9, step: 1, value: 0, inputmode: 'numeric' });
const trainBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'train-btn' }, 'Train');
const stopBtn = h('button', { type: 'button', class: 'btn', id: 'stop-btn', disabled: true }, 'Stop');
const formError = h('p', { class: 'field-error', id: 'form-error', role: 'alert', hidden: true });
let epochsTouched = false;
epochsIn.addEventListener('input', () => { epochsTouched = true; });
modelSel.addEventListener('change', () => { if (!epochsTouched) epochsIn.value = DEFAULT_EPOCHS[modelSel.value]; });

setChildren($('train-form'),
  h('div', { class: 'fields' },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Model'), modelSel),
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Epochs'), epochsIn),
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Seed'), seedIn)),
  formError,
  h('div', { class: 'actions' }, trainBtn, stopBtn));

const progress = trainingProgress('train-progress');
$('train-status').append(progress.el);
progress.message('Press Train: the model trains in a background worker, so this page stays responsive.');

const lossChart = new LineChart($('loss-chart'), { xLabel: 'epoch', yLabel: 'loss', height: 230, x0: 1, logY: false });
const accChart = new LineChart($('acc-chart'), { xLabel: 'epoch', yLabel: 'accuracy (%)', height: 230, x0: 1, yMax: 100, legend: 'bottom' });
$('loss-chart').prepend(lossChart.canvas);
$('acc-chart').prepend(accChart.canvas);

// ---- training --------------------------------------------------------------------------------

function readForm() {
  const epochs = Number(epochsIn.value), seed = Number(seedIn.value);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 200) return { error: 'Epochs must be a whole number from 1 to 200.' };
  if (!Number.isInteger(seed) || seed < 0) return { error: 'The seed must be a whole number ≥ 0.' };
  return { model: modelSel.value, epochs, seed };
}

let running = false;
// Which code trains the model: the student's passed exercises, or the lab's.
const yours = h('p', { class: 'muted small', id: 'ms-yours', 'aria-live': 'polite' });
$('train').append(yours);

async function train() {
  const form = readForm();
  formError.hidden = !form.error;
  formError.textContent = form.error ?? '';
  if (form.error) return;
  running = true;
  trainBtn.disabled = true; stopBtn.disabled = false;
  modelSel.disabled = epochsIn.disabled = seedIn.disabled = true;
  $('train').dataset.state = 'running';
  $('results').hidden = true;
  const series = { trainLoss: [], testLoss: [], trainAcc: [], testAcc: [] };
  const drawCharts = () => {
    lossChart.set([{ name: 'train', values: series.trainLoss }, { name: 'held out', values: series.testLoss }]);
    accChart.set([{ name: 'train', values: series.trainAcc }, { name: 'held out', values: series.testAcc }]);
  };
  drawCharts();
  progress.set(0, `Training the ${NAMES[form.model]} for ${form.epochs} epochs…`);
  const started = performance.now();
  try {
    // The student's passed exercises train this model wherever they fill a part of it.
    const student = passedExercises();
    yours.textContent = student.length ? `Training with your code from module${student.length === 1 ? '' : 's'} ${student.map((x) => String(x.module).padStart(2, '0')).join(', ')}…` : 'Training with the lab\'s code (no passed exercise, or "use my code" is off).';
    const run = await toolsWorker.run('trainDigits', { ...form, student }, {
      onProgress(msg) {
        if (msg.kind !== 'epoch') return;
        series.trainLoss.push(msg.trainLoss); series.testLoss.push(msg.testLoss);
        series.trainAcc.push(100 * msg.trainAccuracy); series.testAcc.push(100 * msg.testAccuracy);
        drawCharts();
        progress.set(msg.epoch / msg.epochs, `Epoch ${msg.epoch} of ${msg.epochs} · train loss ${msg.trainLoss.toFixed(4)} · held-out accuracy ${pct(msg.testAccuracy)} · ${fmtMs(performance.now() - started)}`);
      },
    });
    yours.textContent = run.usedModules?.length
      ? `Your code ran in this training: ${run.usedModules.map((u) => `module ${String(u.module).padStart(2, '0')} (${u.functions.join(', ')})`).join('; ')}.`
      : 'This training ran the lab\'s code only.';
    const acc = run.testAccuracy.at(-1);
    progress.set(1, `Done: ${run.testAccuracy.length} epochs in ${fmtMs(run.trainMs)}; held-out accuracy ${pct(acc)}.`);
    showResults(form, run);
    $('train').dataset.state = 'done';
    announce(`Training finished. Held-out accuracy ${pct(acc)}.`);
  } catch (err) {
    const stopped = err.message.startsWith('stopped by you');
    progress.message(stopped ? 'Stopped. The worker was shut down; Train starts afresh.' : `Training failed: ${err.message}`);
    $('train').dataset.state = stopped ? 'stopped' : 'error';
  } finally {
    running = false;
    trainBtn.disabled = false; stopBtn.disabled = true;
    modelSel.disabled = epochsIn.disabled = seedIn.disabled = false;
  }
}

trainBtn.addEventListener('click', train);
stopBtn.addEventListener('click', () => { if (running) toolsWorker.stop(new Error('stopped by you')); });

// ---- results ---------------------------------------------------------------------------------

function showResults(form, run) {
  const acc = run.testAccuracy.at(-1);
  const target = TARGET[form.model];
  const met = acc >= target;
  const samplesPerSec = (run.trainSize * run.testAccuracy.length) / (run.trainMs / 1000);
  const correct = run.confusion.reduce((s, row, i) => s + row[i], 0);
  setChildren($('result-stats'),
    stat('held-out accuracy', pct(acc), { id: 'stat-accuracy', tone: met ? 'pass' : 'warn',
      note: `${correct} of ${run.testSize} right · target ${pct(target, 0)} ${met ? '✓ met' : '✗ not met'}` }),
    stat('training time', fmtMs(run.trainMs), { id: 'stat-time', note: `${int(samplesPerSec)} images/s, forward and backward` }),
    stat('parameters', int(run.parameters), { note: NAMES[form.model] }),
    stat('final train loss', run.trainLoss.at(-1).toFixed(4), { note: `held out ${run.testLoss.at(-1).toFixed(4)}` }));
  $('stat-accuracy').dataset.accuracy = String(acc);
  $('stat-time').dataset.ms = String(run.trainMs);
  renderConfusion(run);
  renderMistakes(run.misclassified);
  $('results').hidden = false;
  addRun(form, run);
}

function renderConfusion({ confusion, testSize }) {
  const max = Math.max(1, ...confusion.flatMap((row, i) => row.filter((_, j) => j !== i)));
  const total = confusion.flat().reduce((a, b) => a + b, 0);
  const table = h('table', { class: 'confusion', id: 'confusion-table', dataset: { total: String(total), testSize: String(testSize) } },
    h('caption', { class: 'visually-hidden' }, 'Confusion matrix: rows are true digits, columns are predictions'),
    h('thead', {},
      h('tr', {}, h('td', { class: 'corner' }), h('th', { scope: 'colgroup', colspan: 10, class: 'axis' }, 'predicted'), h('td')),
      h('tr', {}, h('th', { scope: 'col', class: 'axis-small' }, 'true'), confusion.map((_, j) => h('th', { scope: 'col' }, String(j))), h('th', { scope: 'col', class: 'total' }, 'n'))),
    h('tbody', {}, confusion.map((row, i) => h('tr', {},
      h('th', { scope: 'row' }, String(i)),
      row.map((v, j) => {
        const diag = i === j;
        const style = v && !diag ? `--heat: ${Math.min(1, 0.25 + 0.75 * v / max)}` : null;
        return h('td', { class: `${diag ? 'diag' : v ? 'miss' : 'zero'}`, style, dataset: { count: String(v) },
          title: diag ? `${v} × ${i} read correctly` : `${v} × ${i} read as ${j}` }, v ? String(v) : '·');
      }),
      h('td', { class: 'total' }, String(row.reduce((a, b) => a + b, 0)))))));
  setChildren($('confusion'), table);
}

function renderMistakes(list) {
  const box = $('mistakes');
  if (!list.length) {
    setChildren(box, h('p', { class: 'no-mistakes', id: 'no-mistakes' }, 'No mistakes: every held-out digit was read correctly.'));
    return;
  }
  setChildren(box,
    h('p', { class: 'muted small' }, `${list.length} held-out digit${list.length === 1 ? '' : 's'} misread${list.length > MAX_MISTAKES ? `; the first ${MAX_MISTAKES} are shown` : ''}. Would you have read them right?`),
    h('ul', { class: 'digits mistakes', id: 'mistake-list' }, list.slice(0, MAX_MISTAKES).map((m) => {
      const c = h('canvas', { class: 'digit mistake', role: 'img', 'aria-label': `a ${m.label} the model read as ${m.predicted}` });
      drawDigit(c, m.pixels, 72);
      return h('li', {}, c, h('span', { class: 'digit-label' }, h('span', { class: 'true-label' }, String(m.label)), ' → ', h('span', { class: 'pred-label' }, String(m.predicted))));
    })),
    h('p', { class: 'muted small' }, 'Each caption reads true → predicted.'));
}

function addRun(form, run) {
  $('runs-panel').hidden = false;
  const acc = run.testAccuracy.at(-1);
  $('runs').tBodies[0].append(h('tr', {},
    h('td', {}, NAMES[form.model]), h('td', { class: 'num' }, String(run.testAccuracy.length)), h('td', { class: 'num' }, String(form.seed)),
    h('td', { class: 'num' }, int(run.parameters)), h('td', { class: 'num' }, pct(acc)), h('td', { class: 'num' }, fmtMs(run.trainMs))));
}
