// Module 04 Losses: your exercise. Write mseLoss, crossEntropyLoss and bceLoss.
//
// A tensor is plain data: `{ data: Float32Array, shape: number[] }`, row-major (the last axis
// varies fastest): row n of an (N, C) tensor is data[n * C … n * C + C − 1]. Labels are an
// Int32Array of class ids. Every loss returns ONE plain number: the mean over the batch.
//
// How your code is checked: the lab loads this file in a Web Worker and plugs each exported
// function into the framework's slot of the same name. The slot's unit checks compare small
// hand-computed cases and extreme ones (logits of 1000, probabilities of exactly 0 and 1, which
// must still give finite losses). Then the module's integration suites train networks that
// minimise your losses.
//
// Rules: import only from './helpers.js'. Do not modify your arguments. A stub calls todo('…')
// and shows as "not written yet".

import { todo, shapeStr } from './helpers.js';

/**
 * mseLoss(pred, target) → number: the mean squared error over ALL elements.
 *   MSE = (1 / numel) · Σ_i (p_i − t_i)²
 *
 * pred and target have the same number of elements (throw naming both shapes if not).
 * Example: pred [[1, 2], [3, 4]], target [[1, 0], [3, 5]] → (0 + 4 + 0 + 1) / 4 = 1.25
 * (divide by all 4 elements, not by the 2 rows).
 */
export function mseLoss(pred, target) {
  // TODO: add up (p − t)² over every index of pred.data, then divide by the element count.
  return todo('return the mean over all elements of (pred − target)²');
}

/**
 * crossEntropyLoss(logits, labels) → number.
 *
 *   logits (N, C): one row of raw scores per sample;  labels Int32Array(N): the true class ids.
 *   CE = −(1/N) · Σ_n log_softmax(logits[n])[labels[n]]
 *   log_softmax(z)_c = z_c − logsumexp(z),   logsumexp(z) = max + log Σ_j e^(z_j − max)
 *
 * The max shift is the log-sum-exp trick: log Σ e^z computed directly overflows for z = 1000,
 * shifted it never does. Throw an Error if a label is outside 0..C−1 (name it and its position).
 * Examples: logits [[0, 0, 0]], labels [2] → log 3 ≈ 1.0986 (uniform over 3 classes)
 *           logits [[1000, 0]], labels [0] → 0 (finite!);  labels [1] → 1000
 */
export function crossEntropyLoss(logits, labels) {
  // TODO:
  //  1. [n, c] = logits.shape; check labels.length === n.
  //  2. For each row r (values z at r·c … r·c + c − 1): max = the row's largest value;
  //     logSumExp = max + Math.log(Σ_j Math.exp(z_j − max)).
  //  3. This row's loss is logSumExp − z[label] (that is −log_softmax at the true class).
  //  4. Return the average over the n rows.
  return todo('return −mean over rows of log_softmax(logits)[row, label], computed with log-sum-exp');
}

/**
 * bceLoss(probs, targets) → number: binary cross-entropy on probabilities in [0, 1].
 *
 *   p = clip(prob, 1e-7, 1 − 1e-7)
 *   BCE = mean over all elements of −[t·log p + (1 − t)·log(1 − p)]
 *
 * Why clip: log 0 = −Infinity, and 0 · −Infinity = NaN, so a probability of exactly 0 or 1
 * (a saturated sigmoid) would poison the loss. Clipping bounds each term by −log(1e-7) ≈ 16.1.
 * Examples: p 0.9, t 1 → −log 0.9 ≈ 0.1054;  p 0, t 1 → −log 1e-7 ≈ 16.118;  p 1, t 1 → ≈ 0
 */
export function bceLoss(probs, targets) {
  // TODO:
  //  1. For each element: clip p into [1e-7, 1 − 1e-7] (Math.min / Math.max).
  //  2. Add −(t·log p + (1 − t)·log(1 − p)).
  //  3. Divide by the element count.
  return todo('return the mean of −[t·log p + (1 − t)·log(1 − p)] with p clipped to [1e-7, 1 − 1e-7]');
}
