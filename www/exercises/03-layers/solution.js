// Module 03 Layers: the reference solution (linearForward, linearInit, dropoutForward).
//
// Tensors are `{ data, shape }`, row-major. Random numbers come only from the lab's seeded
// `randn()` / `random()`, so a run can be replayed exactly and compared with the framework's.

import { shapeStr } from './helpers.js';

/**
 * linearForward(x, weight, bias): x (N, in) · weight (in, out) + bias (out,) → (N, out).
 * bias may be null. y[n, j] = b[j] + Σ_p x[n, p] · W[p, j].
 */
export function linearForward(x, weight, bias) {
  const [inF, outF] = weight.shape;
  if (weight.shape.length !== 2 || x.shape.length < 1 || x.shape[x.shape.length - 1] !== inF) {
    throw new Error(`linear: input ${shapeStr(x.shape)} does not match weight ${shapeStr(weight.shape)}`);
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias ${shapeStr(bias.shape)} does not match weight ${shapeStr(weight.shape)}`);
  }
  const rows = x.data.length / inF; // leading axes all count as the batch
  const X = x.data, W = weight.data;
  const out = new Float64Array(rows * outF);
  for (let n = 0; n < rows; n++) {
    const oRow = n * outF;
    if (bias) for (let j = 0; j < outF; j++) out[oRow + j] = bias.data[j]; // start from the bias
    // i-k-j order: the inner loop walks row p of W and row n of out, both contiguous.
    for (let p = 0; p < inF; p++) {
      const xv = X[n * inF + p];
      const wRow = p * outF;
      for (let j = 0; j < outF; j++) out[oRow + j] += xv * W[wRow + j];
    }
  }
  return { data: out, shape: [...x.shape.slice(0, -1), outF] };
}

/**
 * linearInit(inFeatures, outFeatures, randn) → { weight (in, out), bias (out,) }.
 * weight[i][j] = randn() · √(1/in), drawn in row-major order (i outer, j inner); bias zeros.
 * The √(1/in) scale keeps the output's variance near the input's: each output sums `in` terms.
 */
export function linearInit(inFeatures, outFeatures, randn) {
  const scale = Math.sqrt(1 / inFeatures);
  const weight = new Float32Array(inFeatures * outFeatures);
  for (let i = 0; i < weight.length; i++) weight[i] = randn() * scale; // row-major = flat order
  return {
    weight: { data: weight, shape: [inFeatures, outFeatures] },
    bias: { data: new Float32Array(outFeatures), shape: [outFeatures] },
  };
}

/**
 * dropoutForward(x, p, training, random) → a tensor of x's shape.
 * Training with p > 0: for each element in row-major order draw u = random(); keep the value,
 * scaled by 1/(1 − p), when u < 1 − p, else 0. The scaling keeps the expected value equal to
 * x, so evaluation (the identity) sees activations of the same size. p = 1 drops everything.
 */
export function dropoutForward(x, p, training, random) {
  if (!training || p === 0) return { data: Float32Array.from(x.data), shape: [...x.shape] };
  const keep = 1 - p;
  const scale = keep > 0 ? 1 / keep : 0;
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const u = random(); // one draw per element, even when p = 1, as the contract says
    out[i] = u < keep ? x.data[i] * scale : 0;
  }
  return { data: out, shape: [...x.shape] };
}
