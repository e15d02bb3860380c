// TinyTorch Lab: the digits data and models the worker tasks of modules 14–20 share
// (js/worker-systems.js, js/worker-deploy.js). The worker's `state` Map keeps what outlives one
// request:
//   'digits'     the digits split of seed 0 (tensors kept for the worker's life)
//   'mlp'        the trained digits MLP 64-128-10: { model, l1, l2, accuracy, trainMs }
//   'cnn'        the trained digits CNN: { model, accuracy, trainMs }
//
// Copying a trained MLP: the API has no tensor setter, so `copyMlp` uses pruneNeurons with
// every hidden neuron kept, which rebuilds both Linear layers with copied weights (the same
// function, computed by a new, independent model).

import * as tt from './tinytorch.js';

const HIDDEN = 128;
export const BATCH = 32;

export function digits(state) {
  if (!state.has('digits')) state.set('digits', tt.digitsDataset({ seed: 0 }));
  return state.get('digits');
}

/** Held-out accuracy, measured (compareModels with one timing run). */
export function accuracy(state, model) {
  const d = digits(state);
  return tt.compareModels([{ name: 'model', model }], d.testImages, d.testLabels, { runs: 1 })[0].accuracy;
}

export function buildMlp(hidden = HIDDEN) {
  const l1 = new tt.Linear(64, hidden), l2 = new tt.Linear(hidden, 10);
  return { model: new tt.Sequential([new tt.Flatten(), l1, new tt.ReLU(), l2]), l1, l2 };
}

export function buildCnn() {
  return new tt.Sequential([
    new tt.Conv2d(1, 8, 3, 1, 1), new tt.ReLU(), new tt.MaxPool2d(2),     // 8×8 → 8×8 → 4×4
    new tt.Conv2d(8, 16, 3, 1, 1), new tt.ReLU(), new tt.MaxPool2d(2),    // 4×4 → 4×4 → 2×2
    new tt.Flatten(), new tt.Linear(64, 10),
  ]);
}

export const FIT = { batchSize: BATCH, lr: 0.005, optimizer: 'adam', loss: 'cross_entropy', seed: 0 };

/** The digits MLP 64-128-10 trained from seed 0 (20 epochs of Adam), made once per worker. */
export function trainedMlp(state, progress) {
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
export function trainedCnn(state, progress) {
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
export function copyMlp(state) {
  return tt.pruneNeurons(trainedMlp(state).model, 1, HIDDEN);
}

/** Trains `model` for `epochs` over the training set with Adam, pruning masks re-applied after every step. */
export function fineTuneMasked(state, model, masks, { epochs = 3, lr = 0.002 } = {}) {
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
