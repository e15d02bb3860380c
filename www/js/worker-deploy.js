// TinyTorch Lab: the worker tasks of modules 17–20 (KV-cache timing, kernel benchmarks, model
// comparison and the Pareto front, the capstone), merged into the task table of js/worker.js.
// The shared digits data and trained models are in js/worker-systems.js.

import * as tt from './tinytorch.js';
import { digits, FIT, trainedMlp, trainedCnn, copyMlp, fineTuneMasked } from './worker-systems.js';

// ---- module 17: KV cache timing ----------------------------------------------------------------

const GPT_SIZES = {
  small: { vocab: 40, dim: 32, layers: 2, heads: 4, maxLen: 160 },
  medium: { vocab: 40, dim: 64, layers: 2, heads: 4, maxLen: 160 },
  large: { vocab: 40, dim: 96, layers: 4, heads: 4, maxLen: 160 },
};

/**
 * Greedy generation of each length with and without the KV cache on a seeded random GPT
 * (timing does not depend on training). Each length is one kvCacheTiming call: the crate's
 * timing (a warm-up, `repeats` rounds of at least 10 ms, medians), streamed row by row.
 */
async function kvTiming({ size = 'medium', lengths = [8, 16, 32, 64, 128], repeats = 3 } = {}, progress) {
  const config = GPT_SIZES[size];
  if (!config) throw new Error(`unknown model size '${size}' (small, medium, large)`);
  if (lengths.some((n) => !(n >= 1 && n < config.maxLen))) throw new Error(`lengths must be 1…${config.maxLen - 1}`);
  tt.manualSeed(0);
  const gpt = new tt.GPT(config);
  try {
    const rows = [];
    for (const n of lengths) {
      const r = tt.kvCacheTiming(gpt, { lengths: [n], runs: repeats })[0];
      const row = { ...r, repeats: r.runs };
      rows.push(row);
      progress({ kind: 'row', row, done: rows.length, total: lengths.length });
    }
    return { config, size, params: gpt.numParameters(), rows };
  } finally {
    gpt.free();
  }
}

// ---- module 18: kernels ------------------------------------------------------------------------

/** Square matmul GFLOP/s for every available kernel at each size, measured here. */
async function kernelBench({ sizes = [32, 64, 128, 256], runs = 5 } = {}, progress) {
  const before = tt.getKernels();
  const kernels = tt.availableKernels();
  const cells = [];
  // The f32x4 arithmetic peak of each vector flavour (multiply-add chains, no memory traffic),
  // what its kernel's GFLOP/s at the largest size is a share of: measured just before and just
  // after that cell, keeping the better (other workers on the page can only slow it down).
  const peaks = {};
  const peak = (k) => tt.benchPeakStats(k, runs).median;
  try {
    for (const n of sizes) {
      for (const k of kernels) {
        tt.setKernels(k);
        const withPeak = (k === 'simd' || k === 'relaxed') && n === sizes.at(-1);
        const peakBefore = withPeak ? peak(k) : 0;
        const s = tt.benchMatmulStats(n, runs);
        if (withPeak) peaks[k] = Math.max(peakBefore, peak(k));
        const cell = { kernel: k, n, gflops: s.median, ci95: s.ci95, runs: s.runs };
        cells.push(cell);
        progress({ kind: 'cell', cell, done: cells.length, total: sizes.length * kernels.length });
      }
    }
  } finally {
    tt.setKernels(before);
  }
  return { kernels, sizes, cells, active: before, peaks };
}

/** Switches this worker's kernel and times whole MLP training steps (64-128-64-10, batch 32, SGD). */
async function kernelTrain({ kernel, runs = 5 } = {}) {
  if (kernel) tt.setKernels(kernel);
  const s = tt.benchMlp({ sizes: [64, 128, 64, 10], batch: 32, optimizer: 'sgd', runs });
  return { kernel: tt.getKernels(), samplesPerSec: s.median, ci95: s.ci95, msPerStep: (32 / s.median) * 1000 };
}

/** Milliseconds of gelu(x + b), fused and unfused, interleaved twice; medians. */
async function biasGelu({ rows = 256, cols = 512, runs = 7 } = {}) {
  const fused = [], unfused = [];
  for (let r = 0; r < 2; r++) {
    fused.push(tt.benchBiasGelu({ rows, cols, fused: true, runs }).median);
    unfused.push(tt.benchBiasGelu({ rows, cols, fused: false, runs }).median);
  }
  const fusedMs = Math.min(...fused), unfusedMs = Math.min(...unfused);
  return { rows, cols, fusedMs, unfusedMs, speedup: unfusedMs / fusedMs, kernel: tt.getKernels() };
}

// ---- module 19: model comparison and the Pareto front --------------------------------------------

async function compareDigits({ runs = 15 } = {}, progress, state) {
  const d = digits(state);
  const mlp = trainedMlp(state, progress);
  const cnn = trainedCnn(state, progress);
  progress({ kind: 'stage', text: 'making the int8, pruned and small variants' });
  const calib = d.trainImages.narrow(0, 0, 128);
  const mlpQ = tt.quantizeModel(mlp.model, calib).model;
  const cnnQ = tt.quantizeModel(cnn.model, calib).model;
  const pruned = copyMlp(state);
  fineTuneMasked(state, pruned, tt.magnitudePrune(pruned, 0.8, { global: true }), { epochs: 3 });
  const small = tt.digitsModel({ model: 'mlp', hidden: 32, seed: 0 });
  tt.fit(small, d.trainImages, d.trainLabels, { ...FIT, epochs: 20 });
  const tiny = tt.digitsModel({ model: 'mlp', hidden: 16, seed: 0 });
  tt.fit(tiny, d.trainImages, d.trainLabels, { ...FIT, epochs: 20 });
  const tinyQ = tt.quantizeModel(tiny, calib).model;
  calib.free();
  const models = [
    { name: 'MLP 64-128-10 fp32', model: mlp.model },
    { name: 'MLP 64-128-10 int8', model: mlpQ },
    { name: 'MLP 64-128-10 80 % pruned', model: pruned },
    { name: 'MLP 64-32-10 fp32', model: small },
    { name: 'MLP 64-16-10 int8', model: tinyQ },
    { name: 'CNN fp32', model: cnn.model },
    { name: 'CNN int8', model: cnnQ },
  ];
  progress({ kind: 'stage', text: `measuring ${models.length} models (${runs} timed runs each)` });
  try {
    const rows = tt.compareModels(models, d.testImages, d.testLabels, { runs });
    for (const r of rows) r.sparsity = r.name.includes('pruned') ? tt.sparsity(pruned) : null;
    const front = (cost) => [...tt.paretoFront(rows.map((r) => [cost(r), r.accuracy]))];
    return {
      rows, testSize: d.testLabels.shape[0], runs,
      frontBytes: front((r) => r.bytes), frontLatency: front((r) => r.latency_ms.median),
    };
  } finally {
    for (const m of [mlpQ, cnnQ, pruned, small, tiny, tinyQ]) m.free();
  }
}

// ---- module 20: the capstone ---------------------------------------------------------------------

async function capstone({ seed = 0, student = '' } = {}, progress) {
  const options = { seed, onStage: (text) => progress({ kind: 'stage', text }) };
  if (student) options.student = student;
  const started = performance.now();
  const submission = tt.runCapstone(options);
  return { submission, errors: tt.validateSubmission(submission), schema: tt.capstoneSchema(), ms: performance.now() - started };
}

export const deployTasks = {
  capstoneSchema: async () => tt.capstoneSchema(),
  kvTiming, kernelBench, kernelTrain, biasGelu, compareDigits, capstone,
};
