// TinyTorch Lab: the worker tasks of modules 14–20, merged into the task table of
// js/worker.js. Everything heavy (training, profiling, benchmarks, the capstone) runs here, so
// the pages never freeze. The worker's `state` Map keeps what outlives one request:
//   'digits'     the digits split of seed 0 (tensors kept for the worker's life)
//   'mlp'        the trained digits MLP 64-128-10: { model, l1, l2, accuracy, trainMs }
//   'cnn'        the trained digits CNN: { model, accuracy, trainMs }
//
// Copying a trained MLP: the API has no tensor setter, so `copyMlp` uses pruneNeurons with
// every hidden neuron kept, which rebuilds both Linear layers with copied weights (the same
// function, computed by a new, independent model).

import * as tt from './tinytorch.js';

const HIDDEN = 128;
const BATCH = 32;

function digits(state) {
  if (!state.has('digits')) state.set('digits', tt.digitsDataset({ seed: 0 }));
  return state.get('digits');
}

/** Held-out accuracy, measured (compareModels with one timing run). */
function accuracy(state, model) {
  const d = digits(state);
  return tt.compareModels([{ name: 'model', model }], d.testImages, d.testLabels, { runs: 1 })[0].accuracy;
}

function buildMlp(hidden = HIDDEN) {
  const l1 = new tt.Linear(64, hidden), l2 = new tt.Linear(hidden, 10);
  return { model: new tt.Sequential([new tt.Flatten(), l1, new tt.ReLU(), l2]), l1, l2 };
}

function buildCnn() {
  return new tt.Sequential([
    new tt.Conv2d(1, 8, 3, 1, 1), new tt.ReLU(), new tt.MaxPool2d(2),     // 8×8 → 8×8 → 4×4
    new tt.Conv2d(8, 16, 3, 1, 1), new tt.ReLU(), new tt.MaxPool2d(2),    // 4×4 → 4×4 → 2×2
    new tt.Flatten(), new tt.Linear(64, 10),
  ]);
}

const FIT = { batchSize: BATCH, lr: 0.005, optimizer: 'adam', loss: 'cross_entropy', seed: 0 };

/** The digits MLP 64-128-10 trained from seed 0 (20 epochs of Adam), made once per worker. */
function trainedMlp(state, progress) {
  if (!state.has('mlp')) {
    progress?.({ kind: 'stage', text: 'training the digits MLP 64-128-10 (20 epochs)' });
    const d = digits(state);
    tt.manualSeed(0);
    const m = buildMlp();
    const t0 = performance.now();
    tt.fit(m.model, d.trainImages, d.trainLabels, { ...FIT, epochs: 20 });
    m.model.eval();
    state.set('mlp', { ...m, trainMs: performance.now() - t0, accuracy: accuracy(state, m.model) });
  }
  return state.get('mlp');
}

/** The digits CNN trained from seed 0 (12 epochs of Adam), made once per worker. */
function trainedCnn(state, progress) {
  if (!state.has('cnn')) {
    progress?.({ kind: 'stage', text: 'training the digits CNN (12 epochs)' });
    const d = digits(state);
    tt.manualSeed(0);
    const model = buildCnn();
    const t0 = performance.now();
    tt.fit(model, d.trainImages, d.trainLabels, { ...FIT, epochs: 12 });
    model.eval();
    state.set('cnn', { model, trainMs: performance.now() - t0, accuracy: accuracy(state, model) });
  }
  return state.get('cnn');
}

/** An independent copy of the trained MLP (see the note at the top). */
function copyMlp(state) {
  return tt.pruneNeurons(trainedMlp(state).model, 1, HIDDEN);
}

/** Trains `model` for `epochs` over the training set with Adam, pruning masks re-applied after every step. */
function fineTuneMasked(state, model, masks, { epochs = 3, lr = 0.002 } = {}) {
  const d = digits(state);
  const n = d.trainLabels.shape[0];
  const opt = tt.Adam(model, { lr });
  opt.attachMasks(masks); // the optimizer keeps a copy: every step re-zeroes the pruned weights
  const losses = [];
  model.train();
  for (let e = 0; e < epochs; e++) {
    let sum = 0, batches = 0;
    for (let b = 0; b < n; b += BATCH) {
      sum += tt.tidy(() => {
        const size = Math.min(BATCH, n - b);
        const loss = tt.crossEntropyLoss(model.forward(d.trainImages.narrow(0, b, size)), d.trainLabels.narrow(0, b, size));
        opt.zeroGrad(); loss.backward(); opt.step();
        return loss.item();
      });
      batches += 1;
    }
    losses.push(sum / batches);
  }
  model.eval();
  opt.free();
  return losses;
}

// ---- module 14: the per-layer cost table -----------------------------------------------------

/** "2·N·in·out + N·out" with the numbers, for Linear and Conv2d rows (the FLOP convention). */
function flopFormula(row) {
  const lin = /^Linear\((\d+) → (\d+)\)/.exec(row.describe);
  if (lin) {
    const rows = row.output_shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return `2·${rows}·${lin[1]}·${lin[2]} + ${rows}·${lin[2]}`;
  }
  const conv = /^Conv2d\((\d+) → (\d+), k=(\d+)/.exec(row.describe);
  if (conv) {
    const [n, o, hh, ww] = row.output_shape;
    return `2·${n}·${o}·${hh}·${ww}·${conv[1]}·${conv[3]}² + ${n}·${o}·${hh}·${ww}`;
  }
  return '';
}

/**
 * Profiles `repeats` training steps (Adam) of a fresh digits model on `batch` images, after
 * one warm-up step, and averages each layer's measured times (browsers round performance.now()
 * to 0.1 ms, so one step of a small model would read 0 or 0.1 ms per layer).
 */
async function profileModel({ model = 'cnn', batch = 64, repeats = 20 } = {}, progress, state) {
  const d = digits(state);
  tt.manualSeed(0);
  const net = model === 'mlp' ? buildMlp().model : buildCnn();
  try {
    return tt.tidy(() => {
      const x = d.trainImages.narrow(0, 0, batch), y = d.trainLabels.narrow(0, 0, batch);
      const opts = { loss: 'cross_entropy', optimizer: 'adam', lr: 0.001 };
      tt.profileStep(net, x, y, opts); // warm-up
      const runs = [];
      for (let r = 0; r < repeats; r++) {
        net.zeroGrad();
        runs.push(tt.profileStep(net, x, y, opts));
        if (r % 5 === 4) progress({ kind: 'repeat', done: r + 1, total: repeats });
      }
      const mean = (f) => runs.reduce((s, p) => s + f(p), 0) / runs.length;
      const first = runs[0];
      const layers = first.layers.map((l, i) => ({
        ...l,
        forward_ms: mean((p) => p.layers[i].forward_ms),
        backward_ms: mean((p) => p.layers[i].backward_ms),
        formula: flopFormula(l),
      }));
      return {
        model, batch, repeats, describe: net.toString(),
        layers,
        total_params: first.total_params, total_flops: first.total_flops,
        param_bytes: first.param_bytes, grad_bytes: first.grad_bytes, optimizer_bytes: first.optimizer_bytes,
        activation_bytes: first.activation_bytes,
        forward_ms: mean((p) => p.forward_ms), backward_ms: mean((p) => p.backward_ms),
        loss: first.loss,
        countFlops: tt.countFlops(net, x).map((l) => l.flops),
      };
    });
  } finally {
    net.free();
  }
}

// ---- module 15: int8 quantization -------------------------------------------------------------

/** Quantizes the trained MLP (calibrated on 128 training images) and one weight tensor. */
async function quantizeDigits({ perChannel = false } = {}, progress, state) {
  const mlp = trainedMlp(state, progress);
  const d = digits(state);
  progress({ kind: 'stage', text: 'quantizing to int8 and measuring both models' });
  const q = tt.tidy(() => tt.quantizeModel(mlp.model, d.trainImages.narrow(0, 0, 128)));
  try {
    return tt.tidy(() => quantizeReport(q, mlp, perChannel, d));
  } finally {
    q.model.free();
  }
}

/** The figures of quantizeDigits (run inside tidy, so every tensor made here is freed). */
function quantizeReport(q, mlp, perChannel, d) {
  const rows = tt.compareModels([{ name: 'MLP fp32', model: mlp.model }, { name: 'MLP int8', model: q.model }], d.testImages, d.testLabels, { runs: 15 });
  const w = mlp.l1.weight;
  const qt = tt.quantizeTensor(w, perChannel ? { perChannel: true, axis: 1 } : {});
  const values = qt.values;
  const counts = new Array(256).fill(0);
  for (const v of values) counts[v + 128] += 1;
  const orig = w.toArray(), back = qt.dequantized.toArray();
  // Per-value error against half of its own step (per channel: the scale of its column).
  const out = w.shape[1];
  let worstRatio = 0;
  for (let i = 0; i < orig.length; i++) {
    const scale = qt.params[perChannel ? i % out : 0].scale;
    worstRatio = Math.max(worstRatio, Math.abs(orig[i] - back[i]) / (scale / 2));
  }
  const samples = [0, 1, 2, 3, 4, 5].map((i) => ({ index: i, w: orig[i], q: values[i], back: back[i] }));
  const scales = qt.params.map((p) => p.scale);
  return {
    report: q.report, rows, layers: q.model.layers().map((l) => l.describe),
    tensor: {
      name: 'layer 1 (Linear 64 → 128) weight', shape: w.shape, count: values.length, bytes: qt.bytes, floatBytes: values.length * 4,
      perChannel, params: qt.params.length, scale: qt.params[0].scale, zeroPoint: qt.params[0].zero_point,
      scaleMin: Math.min(...scales), scaleMax: Math.max(...scales),
      maxError: qt.maxError, halfStep: Math.max(...scales) / 2, worstRatio, counts, samples,
      qMin: Math.min(...values), qMax: Math.max(...values),
    },
    trainMs: mlp.trainMs,
  };
}

// ---- module 16: pruning, structured pruning, low rank, distillation ---------------------------

/** Accuracy against sparsity for global magnitude pruning without fine-tuning (nested masks). */
async function pruneCurve({ sparsities = [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95] } = {}, progress, state) {
  const mlp = trainedMlp(state, progress);
  const copy = copyMlp(state);
  try {
    // Global magnitude masks are nested: pruning the already-pruned copy to a higher sparsity
    // removes exactly what pruning the dense model would (its zeros are the smallest values).
    const points = [...sparsities].sort((a, b) => a - b).map((s) => {
      const masks = tt.magnitudePrune(copy, s, { global: true });
      masks.free();
      return { sparsity: s, measured: tt.sparsity(copy), accuracy: accuracy(state, copy) };
    });
    return { points, dense: mlp.accuracy };
  } finally {
    copy.free();
  }
}

/** Prunes a copy to `sparsity`, then fine-tunes it with the masks attached. */
async function pruneAt({ sparsity = 0.5, epochs = 3, global = true } = {}, progress, state) {
  const mlp = trainedMlp(state, progress);
  const copy = copyMlp(state);
  try {
    const masks = tt.magnitudePrune(copy, sparsity, { global });
    const before = { sparsity: tt.sparsity(copy), accuracy: accuracy(state, copy) };
    progress({ kind: 'stage', text: `fine-tuning ${epochs} epochs with the mask attached` });
    const t0 = performance.now();
    const losses = fineTuneMasked(state, copy, masks, { epochs });
    const after = { sparsity: tt.sparsity(copy), accuracy: accuracy(state, copy), ms: performance.now() - t0, losses };
    masks.free();
    const perLayer = tt.tidy(() => copy.parameters().filter((p) => p.shape.length === 2).map((p) => {
      const a = p.toArray();
      return { shape: p.shape, zeros: a.reduce((z, v) => z + (v === 0), 0), total: a.length };
    }));
    return { sparsity, epochs, global, dense: mlp.accuracy, before, after, perLayer, params: copy.numParameters() };
  } finally {
    copy.free();
  }
}

/** Structured pruning, low-rank factorisation and distillation on the trained MLP. */
async function compressExtras(args, progress, state) {
  const mlp = trainedMlp(state, progress);
  const d = digits(state);
  const structured = [64, 32, 16].map((keep) => {
    const m = tt.pruneNeurons(mlp.model, 1, keep);
    const r = { keep, params: m.numParameters(), accuracy: accuracy(state, m) };
    m.free();
    return r;
  });
  const lowRank = [32, 16, 8, 4].map((rank) => {
    const f = tt.lowRankLinear(mlp.l1, rank);
    const m = new tt.Sequential([new tt.Flatten(), f, new tt.ReLU(), mlp.l2]);
    const r = { rank, params: m.numParameters(), accuracy: accuracy(state, m) };
    m.free();
    return r;
  });
  progress({ kind: 'stage', text: 'training two 64-16-10 students: hard labels, then distilled' });
  const n = d.trainLabels.shape[0];
  const student = (distil) => {
    tt.manualSeed(1);
    const { model } = buildMlp(16);
    const opt = tt.Adam(model, { lr: 0.005 });
    for (let e = 0; e < 20; e++) {
      for (let b = 0; b < n; b += BATCH) {
        tt.tidy(() => {
          const size = Math.min(BATCH, n - b);
          const x = d.trainImages.narrow(0, b, size), y = d.trainLabels.narrow(0, b, size);
          const logits = model.forward(x);
          const loss = distil ? tt.distillationLoss(logits, mlp.model.forward(x).detach(), y, 3, 0.7) : tt.crossEntropyLoss(logits, y);
          opt.zeroGrad(); loss.backward(); opt.step();
        });
      }
    }
    model.eval();
    const r = { params: model.numParameters(), accuracy: accuracy(state, model) };
    opt.free(); model.free();
    return r;
  };
  const t0 = performance.now();
  const hard = student(false);
  const distilled = student(true);
  return {
    dense: { params: mlp.model.numParameters(), accuracy: mlp.accuracy },
    structured, lowRank, students: { hard, distilled, epochs: 20, temperature: 3, alpha: 0.7, ms: performance.now() - t0 },
  };
}

// ---- module 17: KV cache timing ----------------------------------------------------------------

const GPT_SIZES = {
  small: { vocab: 40, dim: 32, layers: 2, heads: 4, maxLen: 160 },
  medium: { vocab: 40, dim: 64, layers: 2, heads: 4, maxLen: 160 },
  large: { vocab: 40, dim: 96, layers: 4, heads: 4, maxLen: 160 },
};

/**
 * Greedy generation of each length with and without the KV cache on a seeded random GPT
 * (timing does not depend on training), at least `repeats` times after a warm-up (more for
 * short lengths); medians per length.
 */
async function kvTiming({ size = 'medium', lengths = [8, 16, 32, 64, 128], repeats = 3 } = {}, progress) {
  const config = GPT_SIZES[size];
  if (!config) throw new Error(`unknown model size '${size}' (small, medium, large)`);
  if (lengths.some((n) => !(n >= 1 && n < config.maxLen))) throw new Error(`lengths must be 1…${config.maxLen - 1}`);
  tt.manualSeed(0);
  const gpt = new tt.GPT(config);
  try {
    tt.kvCacheTiming(gpt, { lengths: [8] }); // warm-up
    const rows = [];
    for (const n of lengths) {
      // At least `repeats` runs, more for short lengths (browsers round the clock to 0.1 ms):
      // until both paths have run ≥ 40 ms in total, at most 25 runs.
      const runs = [];
      let spent = 0;
      while (runs.length < repeats || (spent < 40 && runs.length < 25)) {
        const r = tt.kvCacheTiming(gpt, { lengths: [n] })[0];
        runs.push(r);
        spent += Math.min(r.uncachedMs, r.cachedMs) || 0.05;
      }
      const med = (f) => runs.map(f).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
      const row = {
        tokens: n, uncachedMs: med((r) => r.uncachedMs), cachedMs: med((r) => r.cachedMs),
        same: runs.every((r) => r.same), repeats: runs.length,
      };
      row.speedup = row.uncachedMs / Math.max(row.cachedMs, 1e-3);
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
  tt.manualSeed(0);
  const small = buildMlp(32).model;
  tt.fit(small, d.trainImages, d.trainLabels, { ...FIT, epochs: 20 });
  tt.manualSeed(0);
  const tiny = buildMlp(16).model;
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

export const systemsTasks = {
  capstoneSchema: async () => tt.capstoneSchema(),
  profileModel, quantizeDigits, pruneCurve, pruneAt, compressExtras, kvTiming,
  kernelBench, kernelTrain, biasGelu, compareDigits, capstone,
};
