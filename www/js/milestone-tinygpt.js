// TinyTorch Lab, milestone 05 (2017): trains TinyGPT in the tools worker (task trainGpt, a
// progress message every few steps), draws the live loss curve, then the per-task held-out
// accuracy and sample answers. The worker keeps the trained model; the prompt box asks it to
// generate (task generate), and each token arrives as its own progress message and is shown
// at once. Stop terminates the worker, which discards the model.

import { h, setChildren, announce, fmtMs } from './dom.js';
import { toolsWorker } from './jobs.js';
import { LineChart } from './chart.js';
import { chrome, otherMilestones, trainingProgress, stat, pct, int } from './milestone-kit.js';

chrome();
const $ = (id) => document.getElementById(id);
$('main').append(otherMilestones('tinygpt'));

const DEFAULT_STEPS = 700;
const TASK_WORDS = {
  reverse: ['Reverse', 'rev:'], sort: ['Sort digits', 'srt:'], copy: ['Copy', 'cpy:'], add: ['Add', 'add:'], dialogue: ['Dialogue', 'q:'],
};
const SUGGESTIONS = ['rev:abcd=', 'srt:3142=', 'cpy:bead=', 'add:3+4=', 'rev:fedcba=', 'q: what is a tensor?'];
// The configuration trainGpt uses by default; replaced by the run's own once trained.
let config = { dim: 32, layers: 2, heads: 4, max_len: 48, batch_size: 32, lr: 0.008, steps: DEFAULT_STEPS };
let alphabet = null; // the trained tokenizer's characters

const visible = (s) => s.replaceAll('\n', '↵');

// ---- corpus and model --------------------------------------------------------------------------

toolsWorker.run('corpusInfo', { seed: 0 }).then(({ tasks, sizes }) => {
  const order = ['reverse', 'sort', 'copy', 'add', 'dialogue'];
  tasks.sort((a, b) => order.indexOf(a.task) - order.indexOf(b.task));
  setChildren($('corpus'), h('table', { class: 'corpus-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Task'), h('th', { scope: 'col' }, 'A training line'),
      h('th', { scope: 'col', class: 'num' }, 'Train'), h('th', { scope: 'col', class: 'num' }, 'Validation'), h('th', { scope: 'col', class: 'num' }, 'Test'))),
    h('tbody', {}, tasks.map((t) => h('tr', {},
      h('th', { scope: 'row' }, TASK_WORDS[t.task]?.[0] ?? t.task),
      h('td', {}, t.example ? h('code', { class: 'line-example' }, h('span', { class: 'ex-prompt' }, visible(t.example.prompt)), h('span', { class: 'ex-answer' }, visible(t.example.answer))) : '—'),
      h('td', { class: 'num' }, int(t.train)), h('td', { class: 'num' }, int(t.val)), h('td', { class: 'num' }, int(t.test))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'All'), h('td', { class: 'muted small' }, 'prompt in grey, answer in colour; ↵ is a newline'),
      h('td', { class: 'num' }, int(sizes.train)), h('td', { class: 'num' }, int(sizes.val)), h('td', { class: 'num' }, int(sizes.test))))));
}).catch((err) => setChildren($('corpus'), h('p', { class: 'error-box', role: 'alert' }, `The corpus did not load: ${err.message}`)));

function renderModel(vocab = 42, parameters = null) {
  const c = config;
  setChildren($('model'),
    h('ol', { class: 'gpt-diagram', 'aria-label': 'TinyGPT, from characters to next-character logits' },
      h('li', { class: 'gpt-step' }, 'characters', h('small', {}, `CharTokenizer: ${vocab} ids, 0 = <UNK>`)),
      h('li', { class: 'gpt-step' }, 'token + position', h('small', {}, `Embedding(${vocab}, ${c.dim}) + Embedding(${c.max_len}, ${c.dim})`)),
      h('li', { class: 'gpt-step gpt-block' }, `${c.layers} × pre-norm block`, h('small', {}, `x + Attention(LN(x)), ${c.heads} causal heads · x + MLP(LN(x)), ${c.dim} → ${4 * c.dim} → ${c.dim}`)),
      h('li', { class: 'gpt-step' }, 'LayerNorm → Linear', h('small', {}, `logits over the next character${parameters ? ` · ${int(parameters)} parameters in all` : ''}`))),
    h('p', { class: 'muted small' }, `Adam with a learning rate of ${+c.lr.toPrecision(3)} and cosine decay to a tenth, batches of ${c.batch_size} lines, a context of ${c.max_len} characters. `
      + 'Half of the task batches are reversals, the task this milestone is judged on.'));
}
renderModel();

// ---- training --------------------------------------------------------------------------------

const stepsIn = h('input', { type: 'number', id: 'steps', min: 10, max: 5000, step: 10, value: DEFAULT_STEPS, inputmode: 'numeric' });
const seedIn = h('input', { type: 'number', id: 'seed', min: 0, max: 1e9, step: 1, value: 0, inputmode: 'numeric' });
const trainBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'train-btn' }, 'Train TinyGPT');
const stopBtn = h('button', { type: 'button', class: 'btn', id: 'stop-btn', disabled: true }, 'Stop');
const formError = h('p', { class: 'field-error', role: 'alert', hidden: true });
setChildren($('train-form'),
  h('div', { class: 'fields' },
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Steps'), stepsIn),
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Seed'), seedIn)),
  formError,
  h('div', { class: 'actions' }, trainBtn, stopBtn));
const progress = trainingProgress('train-progress');
$('train-status').append(progress.el);
progress.message(`Press Train: about ten seconds for ${DEFAULT_STEPS} steps, in a background worker.`);
const lossChart = new LineChart($('loss-chart'), { xLabel: 'step', yLabel: 'loss', height: 240, x0: 1 });
$('loss-chart').prepend(lossChart.canvas);

let running = false;

async function train() {
  const steps = Number(stepsIn.value), seed = Number(seedIn.value);
  const error = !Number.isInteger(steps) || steps < 10 || steps > 5000 ? 'Steps must be a whole number from 10 to 5,000.'
    : !Number.isInteger(seed) || seed < 0 ? 'The seed must be a whole number ≥ 0.' : null;
  formError.hidden = !error;
  formError.textContent = error ?? '';
  if (error) return;
  running = true;
  trainBtn.disabled = true; stopBtn.disabled = false; stepsIn.disabled = seedIn.disabled = true;
  setPromptEnabled(false, 'Training… the prompt box opens when the model is ready.');
  $('train').dataset.state = 'running';
  $('results').hidden = true;
  const every = Math.max(1, Math.round(steps / 35));
  const curve = [];
  lossChart.opts.xStep = every;
  lossChart.set([{ name: 'train loss', values: curve }]);
  progress.set(0, `Training for ${int(steps)} steps…`);
  const started = performance.now();
  try {
    const run = await toolsWorker.run('trainGpt', { steps, seed }, {
      onProgress(msg) {
        if (msg.kind !== 'step') return;
        curve.push(msg.loss);
        lossChart.set([{ name: 'train loss', values: curve }]);
        progress.set(msg.step / msg.steps, `Step ${int(msg.step)} of ${int(msg.steps)} · loss ${msg.loss.toFixed(3)} · ${fmtMs(performance.now() - started)}`);
      },
    });
    lossChart.set([{ name: 'train loss', values: run.lossCurve }]);
    progress.set(1, `Done: ${int(run.config.steps)} steps in ${fmtMs(run.trainMs)} (${int(run.tokensPerSec)} tokens/s); loss ${run.firstLoss.toFixed(3)} → ${run.finalLoss.toFixed(3)}.`);
    config = run.config;
    alphabet = run.alphabet;
    renderModel(run.vocabSize, run.parameters);
    showResults(run);
    setPromptEnabled(true);
    $('train').dataset.state = 'done';
    announce(`TinyGPT trained. Held-out reversal accuracy ${pct(acc(run.scores.reverse))}.`);
  } catch (err) {
    const stopped = err.message.startsWith('stopped by you');
    progress.message(stopped ? 'Stopped. The worker was shut down with the model; Train starts afresh.' : `Training failed: ${err.message}`);
    $('train').dataset.state = stopped ? 'stopped' : 'error';
    alphabet = null;
    setPromptEnabled(false, 'Train the model first: the prompt box uses the model the worker keeps after training.');
  } finally {
    running = false;
    trainBtn.disabled = false; stopBtn.disabled = true; stepsIn.disabled = seedIn.disabled = false;
  }
}
trainBtn.addEventListener('click', train);
stopBtn.addEventListener('click', () => { if (running) toolsWorker.stop(new Error('stopped by you')); });

const acc = (s) => (s && s.total ? s.correct / s.total : 0);

function showResults(run) {
  const rev = run.scores.reverse;
  const drop = 1 - run.finalLoss / run.firstLoss;
  const met = acc(rev) >= 0.9;
  setChildren($('result-stats'),
    stat('held-out reversals', pct(acc(rev)), { id: 'stat-reverse', tone: met ? 'pass' : 'warn', note: `${rev?.correct ?? 0} of ${rev?.total ?? 0} exactly right · target 90 % ${met ? '✓ met' : '✗ not met'}` }),
    stat('loss drop', pct(drop, 0), { note: `${run.firstLoss.toFixed(3)} → ${run.finalLoss.toFixed(3)}` }),
    stat('training time', fmtMs(run.trainMs), { id: 'stat-time', note: `${int(run.tokensPerSec)} tokens/s` }),
    stat('parameters', int(run.parameters), { note: `${run.config.layers} blocks, ${run.config.heads} heads, d = ${run.config.dim}` }));
  $('stat-reverse').dataset.accuracy = String(acc(rev));
  $('stat-time').dataset.ms = String(run.trainMs);
  $('stat-time').dataset.tokensPerSec = String(run.tokensPerSec);
  const order = ['reverse', 'sort', 'copy', 'add'];
  const names = Object.keys(run.scores).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  setChildren($('task-table'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Task'), h('th', { scope: 'col', class: 'num' }, 'Right'), h('th', { scope: 'col' }, 'Accuracy'))),
    h('tbody', {}, names.map((t) => {
      const s = run.scores[t];
      const a = acc(s);
      return h('tr', { dataset: { task: t, accuracy: String(a), correct: String(s.correct), total: String(s.total) } },
        h('th', { scope: 'row' }, TASK_WORDS[t]?.[0] ?? t, ' ', h('code', { class: 'muted' }, TASK_WORDS[t]?.[1] ?? '')),
        h('td', { class: 'num' }, `${s.correct} / ${s.total}`),
        h('td', {}, h('div', { class: 'meter', role: 'img', 'aria-label': pct(a) }, h('span', { class: `meter-fill${a >= 0.9 ? ' good' : a < 0.5 ? ' poor' : ''}`, style: `width: ${(100 * a).toFixed(1)}%` })), ' ', h('span', { class: 'meter-text' }, pct(a, 0))));
    })));
  setChildren($('sample-table'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Prompt'), h('th', { scope: 'col' }, 'TinyGPT'), h('th', { scope: 'col' }, 'Expected'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Right?')))),
    h('tbody', {}, run.samples.map(([prompt, output, expected]) => {
      const ok = output === expected;
      return h('tr', { class: ok ? 'ok' : 'bad' },
        h('td', {}, h('button', { type: 'button', class: 'link-btn', title: 'Use this prompt below', onclick: () => usePrompt(prompt) }, h('code', {}, prompt))),
        h('td', {}, h('code', {}, output || '∅')), h('td', {}, h('code', {}, expected)),
        h('td', {}, h('span', { class: `badge ${ok ? 'badge-pass' : 'badge-fail'}` }, h('span', { class: 'badge-icon', 'aria-hidden': 'true' }, ok ? '✓' : '✗'), h('span', { class: 'visually-hidden' }, ok ? 'right' : 'wrong'))));
    })));
  $('results').hidden = false;
}

// ---- the prompt box ----------------------------------------------------------------------------

const promptIn = h('input', { type: 'text', id: 'prompt', value: 'rev:abcd=', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', 'aria-describedby': 'prompt-help prompt-warning' });
const tempIn = h('input', { type: 'number', id: 'temperature', step: 0.1, value: 0, inputmode: 'decimal', 'aria-describedby': 'temp-help' });
const topkIn = h('input', { type: 'number', id: 'topk', min: 1, step: 1, placeholder: 'all', inputmode: 'numeric', 'aria-describedby': 'topk-help' });
const maxIn = h('input', { type: 'number', id: 'max-tokens', min: 1, max: 200, step: 1, value: 40, inputmode: 'numeric' });
const genSeedIn = h('input', { type: 'number', id: 'gen-seed', min: 0, step: 1, value: 0, inputmode: 'numeric' });
const stopLine = h('input', { type: 'checkbox', id: 'stop-line', checked: true });
const genBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'generate-btn' }, 'Generate');
const promptError = h('p', { class: 'field-error', id: 'prompt-error', role: 'alert', hidden: true });
const promptWarning = h('p', { class: 'field-warning', id: 'prompt-warning', hidden: true });
const genPrompt = h('span', { class: 'gen-prompt' });
const genText = h('span', { class: 'gen-text', id: 'gen-text' });
const output = h('div', { class: 'gen-output', id: 'gen-output', 'aria-live': 'off', 'aria-label': 'Generated text' }, genPrompt, genText, h('span', { class: 'gen-caret', 'aria-hidden': 'true' }));
const genInfo = h('p', { class: 'progress-text', id: 'gen-info', role: 'status' });
const lock = h('p', { class: 'notice prompt-lock', id: 'prompt-lock' }, 'Train the model first: the prompt box uses the model the worker keeps after training.');

const form = h('form', { class: 'prompt-form', id: 'prompt-form', novalidate: true },
  h('label', { class: 'field-label', for: 'prompt' }, 'Prompt'),
  h('div', { class: 'prompt-row' }, promptIn, genBtn),
  h('div', { class: 'suggestions', role: 'group', 'aria-label': 'Example prompts' }, h('span', { class: 'muted small' }, 'Try:'),
    SUGGESTIONS.map((p) => h('button', { type: 'button', class: 'chip-btn', onclick: () => usePrompt(p, true) }, h('code', {}, p)))),
  h('p', { class: 'field-help', id: 'prompt-help' }, 'Task prompts end with “=”. Training strings have 2 to 4 letters from a to f: try a longer one, or other letters, to see where the model stops generalising. '
    + 'Dialogue lines are rare in training, so expect babble there: this is a 30,000-parameter model, not a chatbot.'),
  promptError, promptWarning,
  h('div', { class: 'fields gen-fields' },
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Temperature'), tempIn, h('span', { class: 'field-help', id: 'temp-help' }, '0 = greedy')),
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Top-k'), topkIn, h('span', { class: 'field-help', id: 'topk-help' }, 'empty = all')),
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Max tokens'), maxIn),
    h('label', { class: 'field field-narrow' }, h('span', { class: 'field-label' }, 'Seed'), genSeedIn),
    h('label', { class: 'field field-check' }, stopLine, h('span', {}, 'Stop at the end of the answer'))));
setChildren($('prompt-box'), lock, form, output, genInfo);

function setPromptEnabled(on, why) {
  for (const el of form.querySelectorAll('input, button')) el.disabled = !on;
  lock.hidden = on;
  if (why) lock.textContent = why;
  $('prompt-panel').dataset.ready = String(on);
  if (on) checkPrompt();
}
setPromptEnabled(false);

function usePrompt(p, go = false) {
  promptIn.value = p;
  checkPrompt();
  promptIn.focus();
  $('prompt-panel').scrollIntoView({ block: 'nearest' });
  if (go && !genBtn.disabled) generate();
}

/** Warns, as the prompt is typed, about characters outside the trained vocabulary. */
function checkPrompt() {
  const unknown = alphabet ? [...new Set([...promptIn.value].filter((c) => !alphabet.includes(c)))] : [];
  promptWarning.hidden = unknown.length === 0;
  if (unknown.length) {
    setChildren(promptWarning, h('strong', {}, 'Not in the vocabulary: '),
      unknown.map((c, i) => [i ? ', ' : '', h('mark', { class: 'unk-mark' }, c === ' ' ? '␣' : c)]),
      `. ${unknown.length === 1 ? 'It becomes' : 'Each becomes'} <UNK> (id 0), a token the model never saw in training, so expect nonsense. The vocabulary is lower-case letters, digits, space and `,
      h('code', {}, '+ . : = ?'), '.');
  }
  if (!promptError.hidden && promptIn.value) promptError.hidden = true;
}
promptIn.addEventListener('input', checkPrompt);

function readGenOptions() {
  const prompt = promptIn.value;
  if (!prompt) return { error: 'The prompt is empty: type a few characters, or pick one of the examples.' };
  const temperature = Number(tempIn.value);
  if (tempIn.value === '' || !Number.isFinite(temperature)) return { error: 'Temperature must be a number: 0 for greedy, 0.5–1.5 for more varied text.' };
  if (temperature < 0) return { error: `Temperature must be 0 or more (0 = always the most likely token); ${temperature} would invert the probabilities.` };
  let topK = null;
  if (topkIn.value !== '') {
    topK = Number(topkIn.value);
    if (!Number.isInteger(topK) || topK < 1) return { error: 'Top-k must be a whole number ≥ 1, or empty to keep every token.' };
  }
  const maxNewTokens = Number(maxIn.value);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > 200) return { error: 'Max tokens must be a whole number from 1 to 200.' };
  const seed = Number(genSeedIn.value);
  if (!Number.isInteger(seed) || seed < 0) return { error: 'The seed must be a whole number ≥ 0.' };
  return { prompt, temperature, topK, maxNewTokens, seed, stopAtLineEnd: stopLine.checked };
}

let generating = false;
async function generate() {
  if (generating) return;
  const opts = readGenOptions();
  promptError.hidden = !opts.error;
  promptError.textContent = opts.error ?? '';
  if (opts.error) { promptIn.focus(); return; }
  generating = true;
  genBtn.disabled = true;
  genPrompt.textContent = opts.prompt;
  genText.textContent = '';
  output.dataset.state = 'running';
  output.dataset.tokens = '0';
  genInfo.textContent = 'Generating…';
  let streamed = 0;
  let resolved = false;
  try {
    const r = await toolsWorker.run('generate', opts, {
      onProgress(msg) {
        if (msg.kind !== 'token') return;
        streamed += 1;
        if (msg.id === 0) genText.append(h('mark', { class: 'unk-mark' }, '<UNK>'));
        else if (msg.text === '\n') genText.append(h('span', { class: 'nl', 'aria-hidden': 'true' }, '↵'), '\n');
        else genText.append(msg.text);
        output.dataset.tokens = String(streamed);
        if (!resolved) output.dataset.streamedBeforeResult = 'true';
      },
    });
    resolved = true;
    const why = r.stoppedBy === 'lineEnd' ? 'stopped at the end of the answer' : `stopped after ${r.ids.length} tokens (the maximum)`;
    const rate = r.ids.length / Math.max(r.ms, 0.1) * 1000;
    genInfo.textContent = `${r.ids.length} token${r.ids.length === 1 ? '' : 's'} in ${fmtMs(r.ms)} (${int(rate)} tokens/s), ${why}`
      + (r.cropped ? `; the prompt was longer than the ${r.maxLen}-character context, so the model saw only its last ${r.maxLen}` : '')
      + (r.unknown.length ? `; ${r.unknown.length} unknown character${r.unknown.length === 1 ? '' : 's'} became <UNK>` : '') + '.';
    output.dataset.state = 'done';
    output.dataset.text = r.text;
    announce(`TinyGPT answered: ${r.text.trim() || '(nothing)'}`);
  } catch (err) {
    output.dataset.state = 'error';
    genInfo.textContent = '';
    promptError.hidden = false;
    promptError.textContent = err.message.startsWith('stopped') ? 'The worker was stopped, and the model with it: train again.' : err.message;
  } finally {
    generating = false;
    genBtn.disabled = !alphabet;
  }
}
form.addEventListener('submit', (e) => { e.preventDefault(); generate(); });
