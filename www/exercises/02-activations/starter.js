// Module 02 Activations: your exercise. Write relu, sigmoid, tanh, gelu and softmax.
//
// A tensor is plain data: `{ data: Float32Array, shape: number[] }`, row-major (the last axis
// varies fastest). Every function here takes a tensor and returns a NEW tensor of the SAME
// shape; do not modify the input.
//
// How your code is checked: the lab loads this file in a Web Worker and plugs each exported
// function into the framework's slot of the same name. The slot's unit checks compare your
// output with the formulas, including extreme inputs such as ±1000 (where a careless e^v
// overflows to Infinity and the result turns into NaN). Then the module's integration suites
// run networks that use your activations.
//
// Rules: import only from './helpers.js'. `data` may be returned as a Float32Array, a
// Float64Array or a plain array. A stub calls todo('…') and shows as "not written yet".

import { todo, numel } from './helpers.js';

// Given: applies f to every value and returns a new tensor of the same shape. Use it for the
// element-wise activations (softmax needs whole rows, so it cannot).
function map(x, f) {
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]);
  return { data: out, shape: [...x.shape] };
}

/**
 * relu(x) = max(0, v) for every value v.
 *   [-2, 0, 3] → [0, 0, 3]
 */
export function relu(x) {
  // TODO: return map(x, v => …) with the positive part of v.
  return todo('return a tensor of x\'s shape holding max(0, v) for every value v');
}

/**
 * sigmoid(x) = 1 / (1 + e^−v), squashing any number into (0, 1).
 *
 * Stability: for very negative v, e^−v overflows (e^1000 = Infinity). Use two forms that are
 * equal mathematically:  v ≥ 0: 1 / (1 + e^−v)    v < 0: e^v / (1 + e^v)
 * Then the exponent is never positive.
 *   [0, 2, -2] → [0.5, 0.8808, 0.1192];  [1000, -1000] → [1, 0] (finite, no NaN)
 */
export function sigmoid(x) {
  // TODO: map every v through the branch that matches its sign (see above).
  return todo('return a tensor of x\'s shape holding 1/(1 + e^−v), computed stably for v < 0');
}

/**
 * tanh(x) = (e^v − e^−v) / (e^v + e^−v), squashing into (−1, 1).
 * Math.tanh is fine (and stable): its gradient is the interesting part, in module 05.
 *   [0, 1, -1000] → [0, 0.7616, -1]
 */
export function tanh(x) {
  // TODO: map every value through Math.tanh. (Writing the formula with Math.exp instead gives
  //       Infinity / Infinity = NaN at ±1000.)
  return todo('return a tensor of x\'s shape holding tanh(v) for every value v');
}

/**
 * gelu(x) = ½·v·(1 + tanh(√(2/π)·(v + 0.044715·v³))), the tanh approximation of GELU used by
 * GPT-style models: smooth, close to 0 for negative v, close to v for positive v.
 *   gelu(0) = 0, gelu(1) ≈ 0.8412, gelu(-1) ≈ -0.1588
 */
export function gelu(x) {
  // TODO: compute the constant √(2/π) once, outside the loop, then map every value through
  //       the formula. Note the leading ½ and the cube v³.
  return todo('return a tensor of x\'s shape holding ½·v·(1 + tanh(√(2/π)·(v + 0.044715·v³)))');
}

/**
 * softmax(x) over the LAST axis: each row becomes positive numbers that sum to 1.
 *   softmax(v)_j = e^(v_j − max) / Σ_i e^(v_i − max),  max = the largest value of that row.
 *
 * Subtracting the max changes nothing (it cancels between top and bottom) but keeps every
 * exponent ≤ 0, so nothing overflows. Shape [2, 3] is 2 rows of 3.
 *   [1, 2, 3]       → [0.0900, 0.2447, 0.6652]
 *   [1000, 999, 0]  → [0.7311, 0.2689, 0.0000]   (without the shift: NaN)
 */
export function softmax(x) {
  // TODO:
  //  1. cols = the last axis's size; rows = numel(x.shape) / cols. Row r is
  //     x.data[r·cols … r·cols + cols − 1].
  //  2. For each row: find its max; compute e^(v − max) for each value and their total
  //     (start the total at 0 for EVERY row); write each e^(v − max) / total.
  return todo('return a tensor of x\'s shape where each last-axis row is e^(v − max) / Σ e^(v − max)');
}
