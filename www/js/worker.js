// TinyTorch Lab: the module Web Worker that runs long jobs off the page's thread, so the page
// never freezes: suites, live examples, the digits milestone (trainDigits, digitsSamples) and,
// from js/worker-language.js, the tokenizer playground, the attention heat map and TinyGPT
// (corpusInfo, trainGpt, generate), and from js/worker-systems.js and js/worker-deploy.js the
// tools of modules 14–20 (profiling, quantization, pruning, KV-cache timing, kernels, model
// comparison, capstone).
// Started by js/jobs.js.
//
// Protocol (one request in, any number of progress messages, then exactly one result or error):
//   page → worker   { id, task, args }
//   worker → page   { id, type: 'progress', ...fields }      (zero or more)
//                   { id, type: 'result', value }
//                   { id, type: 'error', message, stack }
// The worker processes one request at a time, in order. To add a task, add an entry to
// `tasks`: `async (args, progress, state) => value`, where `progress(fields)` posts a progress
// message, `value` must be structured-cloneable, and `state` is a Map that outlives the request
// (a trained model, a cached tokenizer): what one request puts there, a later one can use. The
// state lives as long as the worker; a page that terminates it (Stop, a time limit) loses it.

import * as tt from './tinytorch.js';
import { languageTasks } from './worker-language.js';
import { systemsTasks } from './worker-systems.js';
import { deployTasks } from './worker-deploy.js';
import { exerciseTasks, withStudentCode } from './worker-exercises.js';
import { checkJsApi } from './api-check.js';

/**
 * Runs every suite in `names` (or those touching `module`, or all), streaming each case. With
 * `student` ([{ module, code }], the student's passed exercises) the suites run on the
 * student's code; the result then lists which of their modules were used.
 */
async function runSuites({ names = null, module = null, seed = 0, fault = null, student = null, quick = false } = {}, progress) {
  if (student?.length) {
    const { value, usedModules } = await withStudentCode(student, () => runSuites({ names, module, seed, fault, quick }, progress));
    return { ...value, usedModules };
  }
  // The selection, the seed and fault checks and the loop are the crate's runSuites; the
  // worker only forwards its events to the page.
  const options = {
    seed, quick,
    onSuite: (e) => progress({ kind: e.kind === 'start' ? 'suite-start' : 'suite-done', suite: e.suite, index: e.index, total: e.total, passed: e.passed }),
    onCase: (done, total, report, suite) => progress({ kind: 'case', suite, done, total, report }),
  };
  if (names) options.names = names;
  else if (module !== null) options.module = module;
  if (fault) options.fault = fault;
  const reports = tt.runSuites(options);
  const api = reports.find((r) => r.suite === 'api_compatibility');
  if (api) await addJsHalf(api, progress, quick);
  return { reports, capabilities: tt.capabilities() };
}

/**
 * `api_compatibility` has a JS half (js/api-check.js): the module object against the generated
 * declarations in pkg/tinytorch.d.ts. Its cases join the Rust report (streamed like the
 * others), so the suite passes only when both halves do. Quick mode checks the names only
 * (the documented examples take most of its second).
 */
let declarations = null;
async function addJsHalf(report, progress, quick) {
  let js;
  try {
    // Read once per worker: the declarations belong to the .wasm this worker loaded.
    declarations ??= await fetch(new URL('../../pkg/tinytorch.d.ts', import.meta.url)).then((r) => {
      if (!r.ok) throw new Error(`pkg/tinytorch.d.ts: HTTP ${r.status}`);
      return r.text();
    });
    const dts = declarations;
    js = checkJsApi(tt, dts, { examples: !quick });
  } catch (err) {
    js = { cases: [{ name: 'js_exports', description: 'The JS API against its TypeScript declarations.', passed: false,
      message: `the declarations could not be read: ${err.message}`, layer: null, gradcheck: null, curve: null, metrics: {}, your_code: [], detail: null }] };
  }
  for (const c of js.cases) {
    report.cases.push(c);
    progress({ kind: 'case', suite: report.suite, done: report.cases.length, total: report.cases.length, report: c });
  }
  report.passed = report.passed && js.cases.every((c) => c.passed);
}

// Everything the facade exports is in scope for a live example, plus print() and plot().
const API = Object.fromEntries(Object.entries(tt).filter(([name]) => !['default', 'initSync', 'start'].includes(name)));

function show(value) {
  if (value instanceof tt.Tensor) return value.toString();
  if (ArrayBuffer.isView(value)) return `[${Array.from(value, (v) => +v.toFixed(5)).join(', ')}]`;
  if (typeof value === 'number') return String(+value.toPrecision(6));
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v instanceof tt.Tensor)) return `[${value.map(show).join(', ')}]`;
  if (value && typeof value.toString === 'function' && value.toString !== Object.prototype.toString && !Array.isArray(value)) return value.toString();
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'number' ? +v.toPrecision(6) : v));
  } catch {
    return String(value);
  }
}

/** Runs a student's (or the page's) example code with the API in scope. */
async function runExample({ code }, progress) {
  const print = (...values) => progress({ kind: 'print', text: values.map(show).join(' ') });
  const plot = (name, values, options = {}) =>
    progress({ kind: 'plot', name: String(name), values: Array.from(values, Number), ...options });
  const names = [...Object.keys(API), 'print', 'plot'];
  const body = `"use strict";\n${code}`;
  const fn = new Function(...names, body); // a SyntaxError here is reported to the page
  const started = performance.now();
  const before = tt.memoryBytes();
  tt.tidy(() => { fn(...Object.values(API), print, plot); });
  return { ms: performance.now() - started, memoryBefore: before, memoryAfter: tt.memoryBytes() };
}

/** Trains the digits milestone model (`tt.trainDigits`), one progress message per epoch. */
async function trainDigits({ model = 'cnn', seed = 0, epochs, student = null } = {}, progress) {
  if (student?.length) {
    const { value, usedModules } = await withStudentCode(student, () => trainDigits({ model, seed, epochs }, progress));
    return { ...value, usedModules };
  }
  const options = { model, seed, onEpoch: (e) => progress({ kind: 'epoch', ...e, epoch: e.epoch + 1 }) };
  if (epochs !== undefined) options.epochs = epochs;
  // The page only draws the run; the trained model stays in wasm memory unless freed here.
  const { model: trained, ...run } = tt.trainDigits(options);
  trained.free();
  return run;
}

/** One held-out image of each digit (pixels in [0, 1]) and the split sizes, to show the data. */
async function digitsSamples({ seed = 0 } = {}) {
  return tt.tidy(() => {
    const d = tt.digitsDataset({ seed });
    const images = d.testImages.toArray(), labels = d.testLabels.toArray();
    const samples = [];
    for (let digit = 0; digit < 10; digit++) {
      const i = labels.indexOf(digit);
      if (i >= 0) samples.push({ label: digit, pixels: Array.from(images.subarray(i * 64, i * 64 + 64)) });
    }
    return { samples, trainSize: d.trainLabels.shape[0], testSize: labels.length };
  });
}

const tasks = {
  capabilities: async () => ({ ...(await tt.ready()), ...tt.capabilities() }),
  listSuites: async () => tt.listSuites(),
  faultKinds: async () => tt.faultKinds(),
  runSuites,
  runExample,
  trainDigits,
  digitsSamples,
  ...languageTasks,
  ...systemsTasks,
  ...deployTasks,
  ...exerciseTasks,
};

const state = new Map();

async function handle({ id, task, args } = {}) {
  const progress = (fields) => self.postMessage({ ...fields, id, type: 'progress' });
  try {
    if (!Object.hasOwn(tasks, task)) throw new Error(`worker: unknown task '${task}' (known: ${Object.keys(tasks).join(', ')})`);
    await tt.ready();
    const value = await tasks[task](args ?? {}, progress, state);
    self.postMessage({ id, type: 'result', value });
  } catch (err) {
    const message = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
    self.postMessage({ id, type: 'error', message, stack: err?.stack ?? '' });
  }
}

// One request at a time, in arrival order.
let queue = Promise.resolve();
self.addEventListener('message', (event) => {
  queue = queue.then(() => handle(event.data ?? {}));
});
