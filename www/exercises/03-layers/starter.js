// Module 03 Layers: your exercise. Write linearForward, linearInit and dropoutForward.
//
// A tensor is plain data: `{ data: Float32Array, shape: number[] }`, row-major (the last axis
// varies fastest): element [n, j] of an (N, out) tensor sits at data[n * out + j].
//
// How your code is checked: the lab loads this file in a Web Worker and plugs each exported
// function into the framework's slot of the same name. Every Linear and Dropout layer of the
// framework then calls your code. The slot's unit checks compare small cases by hand; then
// the module's integration suites build networks (five Linear → ReLU blocks, XOR, …) and
// check that their gradients and training still work.
//
// Randomness: never use Math.random(). The lab passes you `randn()` (its next seeded
// standard-normal number) and `random()` (its next seeded uniform number in [0, 1)), so a run
// replays exactly and can be compared with the framework's own layers.
//
// Rules: import only from './helpers.js'. Return NEW tensors; never modify your arguments.
// A stub calls todo('…') and shows as "not written yet".

import { todo, shapeStr } from './helpers.js';

/**
 * linearForward(x, weight, bias) → y = x·W + b.
 *
 *   x      (N, in)    a batch of N input rows
 *   weight (in, out)  column j holds the weights of output j
 *   bias   (out,)     or null (a Linear without bias)
 *   y      (N, out)   y[n][j] = b[j] + Σ_p x[n][p] · W[p][j]
 *
 * Example: x = [[1, 2]] (1, 2), W = [[1, 0, 2], [0, 1, 3]] (2, 3), b = [10, 20, 30]
 *   y = [[1 + 10, 2 + 20, 1·2 + 2·3 + 30]] = [[11, 22, 38]]
 * Throw an Error naming both shapes if x's last size differs from W's first.
 */
export function linearForward(x, weight, bias) {
  // TODO:
  //  1. [inF, outF] = weight.shape; check x.shape[last] === inF (throw with shapeStr(...) if not).
  //  2. rows = x.data.length / inF; out = new Float32Array(rows * outF).
  //  3. For each row n: start out[n][j] at bias[j] (or 0 when bias is null), then add
  //     x[n][p] · W[p][j] for every p. W[p][j] is weight.data[p * outF + j].
  //  4. The output shape is x's shape with the last size replaced by outF.
  return todo('return { data, shape: [N, out] } holding x·W + b (no bias term when bias is null)');
}

/**
 * linearInit(inFeatures, outFeatures, randn) → { weight, bias }.
 *
 *   weight: shape [in, out], weight[i][j] = randn() · √(1/in), drawn in row-major order
 *           (all of row 0 first, then row 1, …), i.e. data[0], data[1], … in turn.
 *   bias:   shape [out], all zeros.
 *
 * Why √(1/in): each output adds up `in` products, so the weights' variance 1/in keeps the
 * output's variance near the input's, layer after layer (no explosion, no vanishing).
 * Example: linearInit(784, 256, randn) → weights with std ≈ √(1/784) ≈ 0.0357.
 */
export function linearInit(inFeatures, outFeatures, randn) {
  // TODO:
  //  1. scale = Math.sqrt(1 / inFeatures).
  //  2. weight data: in·out numbers, each randn() · scale, filled in flat order.
  //  3. bias data: outFeatures zeros.
  return todo('return { weight: { data, shape: [in, out] }, bias: { data: zeros, shape: [out] } } with weight = randn()·√(1/in)');
}

/**
 * dropoutForward(x, p, training, random) → a tensor of x's shape.
 *
 * Dropout zeroes a random fraction p of the values while training, so the network cannot
 * rely on any single unit. Survivors are scaled by 1/(1 − p) ("inverted dropout"), which keeps
 * the expected value of every element equal to x: then evaluation needs no change at all.
 *
 *   training and p > 0: for each element, in row-major order, draw u = random();
 *                       u < 1 − p → keep it as v / (1 − p);  otherwise → 0.
 *                       (p = 1 gives all zeros.)
 *   not training, or p = 0: a copy of x, unchanged (and no draws).
 *
 * Example: x = [1, 2, 3, 4], p = 0.5, draws u = [0.1, 0.7, 0.3, 0.9] → [2, 0, 6, 0]
 */
export function dropoutForward(x, p, training, random) {
  // TODO:
  //  1. Not training, or p === 0: return a copy of x.
  //  2. Otherwise, for each i: u = random(); out[i] = u < 1 − p ? x.data[i] / (1 − p) : 0.
  //     Draw exactly one u per element, in order, even for elements you will zero.
  return todo('return x with each element kept as v/(1 − p) when random() < 1 − p, else 0 (x itself when not training)');
}
