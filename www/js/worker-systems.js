// TinyTorch Lab: the worker tasks of modules 14–16 (the per-layer cost table, int8
// quantization, pruning and the other compressions), merged into the task table of
// js/worker.js. Everything heavy runs here, so the pages never freeze. The models, their
// training and distillation loops, the FLOP formulas and the weight copies are the crate's
// (digitsModel, trainDigits, fit, distill, copyWeights); this file orchestrates and keeps what
// outlives one request in the worker's `state` Map:
//   'digits'  the digits split of seed 0 (tensors kept for the worker's life)
//   'mlp'     the trained digits MLP 64-128-10: { model, accuracy, trainMs }
//   'cnn'     the trained digits CNN (module 09's): { model, accuracy, trainMs }

import * as tt from './tinytorch.js';

// ---- shared by modules 14–20: the digits data and the trained models -------------------------

/** Fit settings of every digits model trained here (the milestone's: Adam 0.005, batch 32). */
export const FIT = { batchSize: 32, lr: 0.005, optimizer: 'adam', loss: 'cross_entropy', seed: 0 };

export function digits(state) {
  if (!state.has('digits')) state.set('digits', tt.digitsDataset({ seed: 0 }));
  return state.get('digits');
}

/** Held-out accuracy, measured (compareModels with one timing run). */
export function accuracy(state, model) {
  const d = digits(state);
  return tt.compareModels([{ name: 'model', model }], d.testImages, d.testLabels, { runs: 1 })[0].accuracy;
}

/** The digits `kind` ('mlp' or 'cnn') trained by the crate's trainDigits from seed 0, made once per worker. */
function trained(state, kind, epochs, progress) {
  if (!state.has(kind)) {
    progress?.({ kind: 'stage', text: `training the digits ${kind === 'mlp' ? 'MLP 64-128-10' : 'CNN'} (${epochs} epochs)` });
    const run = tt.trainDigits({ model: kind, seed: 0, epochs });
    run.model.eval();
    state.set(kind, { model: run.model, trainMs: run.trainMs, accuracy: accuracy(state, run.model) });
  }
  return state.get(kind);
}

export const trainedMlp = (state, progress) => trained(state, 'mlp', 20, progress);
export const trainedCnn = (state, progress) => trained(state, 'cnn', 12, progress);

/** An independent copy of the trained MLP: a fresh MLP given its weights (copyWeights). */
export function copyMlp(state) {
  const copy = tt.digitsModel({ model: 'mlp' });
  tt.copyWeights(trainedMlp(state).model, copy);
  copy.eval();
  return copy;
}

/** Fine-tunes `model` for `epochs` with Adam, the pruning masks re-applied after every step. */
export function fineTuneMasked(state, model, masks, { epochs = 3, lr = 0.002 } = {}) {
  const d = digits(state);
  const opt = tt.Adam(model, { lr });
  opt.attachMasks(masks); // the optimizer keeps a copy: every step re-zeroes the pruned weights
  try {
    const { optimizer, lr: _, ...rest } = FIT;
    const { loss } = tt.fit(model, d.trainImages, d.trainLabels, { ...rest, optimizer: opt, epochs });
    model.eval();
    return loss;
  } finally {
    opt.free();
  }
}

// ---- module 14: the per-layer cost table -----------------------------------------------------

/**
 * Profiles `repeats` training steps (Adam) of a fresh digits model on `batch` images, after
 * one warm-up step, and averages each layer's measured times (browsers round performance.now()
 * to 0.1 ms, so one step of a small model would read 0 or 0.1 ms per layer).
 */
async function profileModel({ model = 'cnn', batch = 64, repeats = 20 } = {}, progress, state) {
  const d = digits(state);
  tt.manualSeed(0);
  const net = tt.digitsModel({ model: model === 'mlp' ? 'mlp' : 'cnn' });
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
  const w = mlp.model.at(1).weight;
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
    const f = tt.lowRankLinear(mlp.model.at(1), rank);
    const m = new tt.Sequential([new tt.Flatten(), f, new tt.ReLU(), mlp.model.at(3)]);
    const r = { rank, params: m.numParameters(), accuracy: accuracy(state, m) };
    m.free();
    return r;
  });
  progress({ kind: 'stage', text: 'training two 64-16-10 students: hard labels, then distilled' });
  const student = (distil) => {
    const model = tt.digitsModel({ model: 'mlp', hidden: 16, seed: 1 });
    if (distil) tt.distill(mlp.model, model, d.trainImages, d.trainLabels, { epochs: 20, lr: 0.005, temperature: 3, alpha: 0.7 });
    else tt.fit(model, d.trainImages, d.trainLabels, { ...FIT, epochs: 20 });
    model.eval();
    const r = { params: model.numParameters(), accuracy: accuracy(state, model) };
    model.free();
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

export const systemsTasks = { profileModel, quantizeDigits, pruneCurve, pruneAt, compressExtras };
