// Module 02 Activations: the reference solution (relu, sigmoid, tanh, gelu, softmax).
//
// Each function maps a tensor `{ data, shape }` to a new tensor of the same shape. The only
// care needed is numerical: e^v overflows to Infinity near v = 710, so sigmoid and softmax are
// written so that they never exponentiate a large positive number.

import { numel } from './helpers.js';

// Applies f to every value: the shape is unchanged and the input is not touched.
function map(x, f) {
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]);
  return { data: out, shape: [...x.shape] };
}

/** relu(x) = max(0, v). [-2, 0, 3] → [0, 0, 3]. */
export function relu(x) {
  return map(x, (v) => (v > 0 ? v : 0));
}

/**
 * sigmoid(x) = 1 / (1 + e^−v), computed as e^v / (1 + e^v) when v < 0 so that e^(…) only ever
 * sees a non-positive exponent. [0, 1000, -1000] → [0.5, 1, 0].
 */
export function sigmoid(x) {
  return map(x, (v) => {
    if (v >= 0) return 1 / (1 + Math.exp(-v));
    const e = Math.exp(v);
    return e / (1 + e);
  });
}

/** tanh(x) = tanh(v). Math.tanh is already stable: tanh(±1000) = ±1. */
export function tanh(x) {
  return map(x, Math.tanh);
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** gelu(x) = ½·v·(1 + tanh(√(2/π)·(v + 0.044715·v³))), the tanh form. gelu(1) ≈ 0.8412. */
export function gelu(x) {
  return map(x, (v) => 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v))));
}

/**
 * softmax(x) over the last axis: e^(v − max) / Σ e^(v − max) for each row.
 * Subtracting the row's max changes nothing mathematically and keeps every exponent ≤ 0, so
 * [1000, 999, 0] → [0.7311, 0.2689, 0] instead of Infinity / Infinity = NaN.
 */
export function softmax(x) {
  const cols = x.shape.length ? x.shape[x.shape.length - 1] : 1; // a scalar is one row of 1
  const rows = cols === 0 ? 0 : numel(x.shape) / cols;
  const src = x.data;
  const out = new Float32Array(src.length);
  const exps = new Float64Array(cols); // one row of e^(v − max), reused for every row
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (src[base + j] > max) max = src[base + j];
    let total = 0;
    for (let j = 0; j < cols; j++) {
      exps[j] = Math.exp(src[base + j] - max);
      total += exps[j];
    }
    for (let j = 0; j < cols; j++) out[base + j] = exps[j] / total;
  }
  return { data: out, shape: [...x.shape] };
}
