// Module 04 Losses: the reference solution (mseLoss, crossEntropyLoss, bceLoss).
//
// Each loss returns a plain number: the MEAN over the batch, so the gradient does not grow
// with the batch size. Logs and exponentials are arranged so that extreme inputs (logits of
// 1000, probabilities of exactly 0 or 1) still give finite losses.

import { shapeStr } from './helpers.js';

/** mseLoss(pred, target) = mean over all elements of (p − t)². [1, 2] vs [0, 4] → (1 + 4)/2 = 2.5. */
export function mseLoss(pred, target) {
  const n = pred.data.length;
  if (target.data.length !== n) {
    throw new Error(`mseLoss: pred ${shapeStr(pred.shape)} and target ${shapeStr(target.shape)} differ in size`);
  }
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = pred.data[i] - target.data[i];
    squares += d * d;
  }
  return squares / n;
}

/**
 * crossEntropyLoss(logits (N, C), labels Int32Array(N)) = −mean_n log_softmax(logits)[n, labels[n]].
 * log_softmax(z)_c = z_c − logsumexp(z), logsumexp(z) = max + log Σ e^(z − max): the shift keeps
 * every exponent ≤ 0, so logits of 1000 give a finite loss. Uniform logits over C classes → log C.
 */
export function crossEntropyLoss(logits, labels) {
  if (logits.shape.length !== 2) throw new Error(`crossEntropyLoss: logits must be (N, C), got ${shapeStr(logits.shape)}`);
  const [n, c] = logits.shape;
  if (labels.length !== n) throw new Error(`crossEntropyLoss: ${labels.length} labels for logits ${shapeStr(logits.shape)}`);
  const z = logits.data;
  let nll = 0; // Σ of −log p(true class)
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    if (!(label >= 0 && label < c)) throw new Error(`crossEntropyLoss: label ${label} at position ${r} is outside 0..${c - 1}`);
    const base = r * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) if (z[base + j] > max) max = z[base + j];
    let sumExp = 0;
    for (let j = 0; j < c; j++) sumExp += Math.exp(z[base + j] - max);
    const logSumExp = max + Math.log(sumExp);
    nll += logSumExp - z[base + label]; // −log_softmax at the true class
  }
  return nll / n;
}

const EPS = 1e-7;

/**
 * bceLoss(probs, targets) = mean of −[t·log p + (1 − t)·log(1 − p)], p clipped to [1e-7, 1 − 1e-7].
 * Clipping keeps log away from log 0 = −Infinity (and 0·−Infinity = NaN) when a probability
 * is exactly 0 or 1. p = 0.9, t = 1 → −log 0.9 ≈ 0.1054.
 */
export function bceLoss(probs, targets) {
  const n = probs.data.length;
  if (targets.data.length !== n) {
    throw new Error(`bceLoss: probs ${shapeStr(probs.shape)} and targets ${shapeStr(targets.shape)} differ in size`);
  }
  let bce = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probs.data[i], EPS), 1 - EPS);
    const t = targets.data[i];
    bce -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
  }
  return bce / n;
}
