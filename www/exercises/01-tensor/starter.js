// Module 01 Tensor: your exercise. Write broadcastShape, add, mul, matmul and sum.
//
// A tensor is plain data: `{ data: Float32Array, shape: number[] }`, row-major (the last axis
// varies fastest). Shape [2, 3] holds 6 numbers; element [i, j] sits at data[i * 3 + j]. A scalar
// has shape [] and one number.
//
// How your code is checked: the lab loads this file in a Web Worker and plugs each exported
// function into the framework's slot of the same name. First that slot's unit checks run (small
// hand-computed cases), then the module's integration suites train real networks with your code
// doing the arithmetic. Every Linear layer, loss and gradient of later modules goes through
// these five functions.
//
// Rules: import only from './helpers.js'. Return a NEW tensor; never modify your arguments.
// `data` may be a Float32Array, a Float64Array or a plain array of numbers.
// A stub calls todo('…'): the checks show it as "not written yet" until you replace it.

import { todo, numel, stridesOf, offsetOf, indexOf, shapeStr, sameShape } from './helpers.js';

/**
 * broadcastShape(a, b) → number[]: the shape two tensors broadcast to (NumPy rules).
 *
 * Line the shapes up from the RIGHT. A missing axis counts as size 1. Each pair of sizes must be
 * equal, or one of them must be 1 (then it is stretched to the other).
 *   broadcastShape([2, 3], [3])       → [2, 3]
 *   broadcastShape([4, 1], [3])       → [4, 3]
 *   broadcastShape([2, 1, 4], [3, 1]) → [2, 3, 4]
 *   broadcastShape([], [5])           → [5]       (a scalar goes with anything)
 *   broadcastShape([2, 3], [4])       → throws Error('… [2, 3] … [4] …')
 *
 * @param {number[]} a
 * @param {number[]} b
 * @returns {number[]}
 */
export function broadcastShape(a, b) {
  // TODO:
  //  1. n = the longer length. Walk i = 1..n from the right end of both shapes.
  //  2. da = a[a.length - i] (or 1 when a is too short); db likewise.
  //  3. If da and db differ and neither is 1: throw an Error whose message contains
  //     shapeStr(a) and shapeStr(b).
  //  4. Otherwise the output size at position n - i is the one that is not 1.
  return todo('return the broadcast shape of a and b, or throw naming both shapes');
}

/**
 * add(a, b) → tensor of shape broadcastShape(a.shape, b.shape): a + b element-wise.
 *
 * Each output element reads one element of a and one of b. Along an axis where a has size 1
 * (or no axis at all), a's index stays 0: that is what "stretched" means.
 *   a = [[1, 2], [3, 4]] (shape [2, 2]), b = [10, 20] (shape [2])  → [[11, 22], [13, 24]]
 *   a = [[1], [2]] (shape [2, 1]),       b = [10, 20, 30] ([3])    → [[11, 21, 31], [12, 22, 32]]
 *
 * @param {{data: Float32Array, shape: number[]}} a
 * @param {{data: Float32Array, shape: number[]}} b
 */
export function add(a, b) {
  // TODO:
  //  1. shape = broadcastShape(a.shape, b.shape); out = new Float32Array(numel(shape)).
  //  2. For each output position i: idx = indexOf(i, shape) (its multi-index).
  //  3. a's index: the last a.shape.length entries of idx, with 0 wherever a's size is 1.
  //     Its offset is offsetOf(thatIndex, a.shape). The same for b.
  //  4. out[i] = a.data[offA] + b.data[offB].
  //  (Worth it: when sameShape(a.shape, b.shape), just add data[i] to data[i].)
  return todo('return { data, shape } with a + b broadcast to broadcastShape(a.shape, b.shape)');
}

/**
 * mul(a, b) → a · b element-wise with the same broadcasting as add.
 *   [[1, 2], [3, 4]] · [[10], [100]]  → [[10, 20], [300, 400]]
 *   [1, 2, 3] · scalar 2 (shape [])    → [2, 4, 6]
 */
export function mul(a, b) {
  // TODO: exactly add's walk, multiplying instead of adding. (A shared helper
  //       `elementwise(a, b, f)` that both call is a good idea.)
  return todo('return { data, shape } with a · b broadcast to broadcastShape(a.shape, b.shape)');
}

/**
 * matmul(a, b): a (…, n, k) · b (…, k, m) → (…, n, m).
 *
 * The last two axes are matrices: out[i, j] = Σ_p a[i, p] · b[p, j]. Any axes before them are
 * a batch of matrices and broadcast like add's shapes: (2, 3, 4)·(4, 5) → (2, 3, 5), and
 * (2, 1, 3, 4)·(5, 4, 6) → (2, 5, 3, 6). Both need at least 2 axes. If a's k differs from b's
 * k, throw an Error naming both shapes.
 *   [[1, 2], [3, 4]] · [[5], [6]] → [[1·5 + 2·6], [3·5 + 4·6]] = [[17], [39]]
 *
 * @returns {{data: Float32Array, shape: number[]}}
 */
export function matmul(a, b) {
  // TODO:
  //  1. Check both have ≥ 2 axes; read n, k from a's last two axes and k2, m from b's.
  //     k !== k2 → throw with shapeStr(a.shape) and shapeStr(b.shape) in the message.
  //  2. batch = broadcastShape(a's leading axes, b's leading axes).
  //  3. For each batch entry t (0 … numel(batch) − 1): find which matrix of a it uses (the
  //     broadcast reading rule of add, on the batch axes) and which of b. Matrix number q of a
  //     starts at data offset q·n·k; of b at q·k·m; of out at t·n·m.
  //  4. Multiply: out[t][i][j] = Σ_p a[i][p] · b[p][j].
  //     Loop order i, p, j (inner loop over j) reads both b and out along rows: much faster.
  return todo('return { data, shape: [...batch, n, m] } holding the batched product a·b');
}

/**
 * sum(x, axis = null, keepdim = false).
 *
 * axis null: add every element → shape [] (keepdim: every axis kept as 1, e.g. [1, 1]).
 * axis an integer in [0, ndim): add along that axis only; it disappears from the shape, or stays
 * as size 1 with keepdim. x = [[1, 2, 3], [4, 5, 6]] (shape [2, 3]):
 *   sum(x)             → 21, shape []
 *   sum(x, 0)          → [5, 7, 9], shape [3]
 *   sum(x, 1)          → [6, 15], shape [2]
 *   sum(x, 1, true)    → [[6], [15]], shape [2, 1]
 *
 * @param {{data: Float32Array, shape: number[]}} x
 * @param {number|null} axis
 * @param {boolean} keepdim
 */
export function sum(x, axis = null, keepdim = false) {
  // TODO:
  //  1. axis === null: total of all of x.data; shape [] or (keepdim) x.shape.map(() => 1).
  //  2. Otherwise check 0 ≤ axis < x.shape.length (throw if not).
  //  3. Think of x as (outer, len, inner): outer = numel of the axes before `axis`,
  //     len = x.shape[axis], inner = numel of the axes after. Element (o, j, i) sits at
  //     (o·len + j)·inner + i, and out[o·inner + i] = Σ_j of those.
  //  4. The output shape drops `axis`, or sets it to 1 when keepdim.
  return todo('return { data, shape } with x summed over `axis` (all axes when null), honouring keepdim');
}
