// Module 05 Autograd: your exercise. Write unbroadcast and the backward rule of each op.
//
// A tensor is plain data: `{ data: Float32Array, shape: number[] }`, row-major (the last axis
// varies fastest).
//
// What a backward rule is: during the forward pass the framework records each op and its
// inputs. backward() then walks that graph from the loss to the leaves, and at every op calls
// its rule with `grad` = ∂loss/∂(the op's output), which has the OUTPUT's shape. The rule
// returns ∂loss/∂(each input): the chain rule, one local derivative at a time. You write only
// the local rules; the framework does the walking and the adding up.
//
// How your code is checked: the lab loads this file in a Web Worker and plugs each exported
// function into the framework's slot of the same name. The unit checks compare your rules with
// central finite differences, (f(θ + ε) − f(θ − ε)) / 2ε, on small cases. Then the integration
// suites back-propagate through whole networks with your rules and check every layer's gradient.
//
// Rules: import only from './helpers.js'. Return NEW tensors; never modify your arguments.
// A stub calls todo('…') and shows as "not written yet".

import { todo, numel, indexOf, offsetOf, sameShape, shapeStr } from './helpers.js';

// Given: x broadcast to `shape` (right-aligned; a size-1 or missing axis repeats), as a new
// tensor. broadcastTo([10, 20] of shape [2], [3, 2]) → [[10, 20], [10, 20], [10, 20]].
function broadcastTo(x, shape) {
  const lead = shape.length - x.shape.length;
  const out = new Float32Array(numel(shape));
  for (let i = 0; i < out.length; i++) {
    const index = indexOf(i, shape).slice(lead).map((v, d) => (x.shape[d] === 1 ? 0 : v));
    out[i] = x.data[offsetOf(index, x.shape)];
  }
  return { data: out, shape: [...shape] };
}

// Given: x with its last two axes swapped: (…, r, c) → (…, c, r).
function transpose(x) {
  const shape = [...x.shape];
  const [r, c] = shape.slice(-2);
  shape.splice(-2, 2, c, r);
  const out = new Float32Array(x.data.length);
  for (let base = 0; base < out.length; base += r * c) {
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[base + j * r + i] = x.data[base + i * c + j];
  }
  return { data: out, shape };
}

// Given: the batched matrix product (…, n, k)·(…, k, m) → (…, n, m); the batch (leading)
// axes broadcast like module 01's matmul.
function matmul(x, y) {
  const [n, k] = x.shape.slice(-2);
  const m = y.shape[y.shape.length - 1];
  const xBatch = x.shape.slice(0, -2), yBatch = y.shape.slice(0, -2);
  const nd = Math.max(xBatch.length, yBatch.length);
  const batch = Array.from({ length: nd }, (_, i) => {
    const dx = xBatch[xBatch.length - nd + i] ?? 1, dy = yBatch[yBatch.length - nd + i] ?? 1;
    return dx === 1 ? dy : dx;
  });
  const xb = broadcastTo(x, [...batch, n, k]);
  const yb = broadcastTo(y, [...batch, k, m]);
  const out = new Float32Array(numel(batch) * n * m);
  for (let t = 0; t < numel(batch); t++) {
    for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) {
      const v = xb.data[t * n * k + i * k + p];
      for (let j = 0; j < m; j++) out[t * n * m + i * m + j] += v * yb.data[t * k * m + p * m + j];
    }
  }
  return { data: out, shape: [...batch, n, m] };
}

/**
 * unbroadcast(grad, shape): sum grad down to `shape`.
 *
 * If an input of shape [3] was broadcast to [2, 3], each of its elements was used twice, so
 * its gradient is the SUM of the two output gradients (not their mean). Rules:
 *   - grad has extra leading axes → sum them away;
 *   - `shape` has 1 where grad does not → sum that axis, keeping it as size 1.
 * grad [[1, 2, 3], [4, 5, 6]] (shape [2, 3]):  to [3] → [5, 7, 9];  to [2, 1] → [[6], [15]];
 * to [1, 3] → [[5, 7, 9]];  to [2, 3] → unchanged (a copy).
 */
export function unbroadcast(grad, shape) {
  // TODO:
  //  1. Same shape → return a copy of grad.
  //  2. out = zeros of numel(shape). lead = grad.shape.length − shape.length.
  //  3. For each grad element i: idx = indexOf(i, grad.shape); drop its first `lead` entries
  //     and set to 0 every entry where shape has size 1; add grad.data[i] into
  //     out[offsetOf(thatIndex, shape)].
  return todo('return { data, shape } with grad summed down to `shape` (leading axes and size-1 axes)');
}

/**
 * addBackward(grad, a, b) → [ga, gb].  y = a + b, so ∂y/∂a = ∂y/∂b = 1.
 * You may return them in the output's shape: the framework then calls your unbroadcast.
 *   grad [1, 2] → [[1, 2], [1, 2]]
 */
export function addBackward(grad, a, b) {
  // TODO: both gradients are grad itself; return two copies (new tensors).
  return todo('return [copy of grad, copy of grad]');
}

/**
 * mulBackward(grad, a, b) → [ga, gb].  y = a · b, so ∂y/∂a = b and ∂y/∂b = a.
 * a or b may have been broadcast: use broadcastTo(…, grad.shape) to line its values up with
 * grad; return both in grad's (the output's) shape.
 *   a [2, 3], b [4, 5], grad [1, 1] → [[4, 5], [2, 3]]
 */
export function mulBackward(grad, a, b) {
  // TODO: ga[i] = grad[i] · (b broadcast)[i];  gb[i] = grad[i] · (a broadcast)[i].
  return todo('return [grad · b, grad · a], each in grad\'s shape');
}

/**
 * matmulBackward(grad, a, b) → [ga, gb] for y = a·b with a (…, n, k), b (…, k, m), grad (…, n, m).
 *   ga = grad · bᵀ  (…, n, k)        gb = aᵀ · grad  (…, k, m)
 * Check the shapes: (n, m)·(m, k) = (n, k) ✓ and (k, n)·(n, m) = (k, m) ✓. Keep grad's batch
 * axes; the framework un-broadcasts them to a's and b's.
 *   a [[1, 2]] (1, 2), b [[3], [4]] (2, 1), grad [[1]] → ga [[3, 4]], gb [[1], [2]]
 */
export function matmulBackward(grad, a, b) {
  // TODO: use the given matmul and transpose.
  return todo('return [grad · bᵀ, aᵀ · grad]');
}

/**
 * reluBackward(grad, x, y): relu is the identity where x > 0 and constant 0 elsewhere, so the
 * gradient passes where x > 0 and is 0 elsewhere (also at x = 0 exactly).
 *   x [-1, 0, 2], grad [5, 5, 5] → [0, 0, 5]
 */
export function reluBackward(grad, x, y) {
  // TODO: out[i] = grad[i] when x.data[i] > 0, else 0. The mask comes from x, not from grad.
  return todo('return grad where the input x > 0, 0 elsewhere');
}

/**
 * sigmoidBackward(grad, x, y): σ'(x) = σ(x)·(1 − σ(x)) = y·(1 − y), using the saved OUTPUT y.
 *   y [0.5], grad [2] → [2 · 0.5 · 0.5] = [0.5]
 */
export function sigmoidBackward(grad, x, y) {
  // TODO: out[i] = grad[i] · y[i] · (1 − y[i]).
  return todo('return grad · y · (1 − y)');
}

/**
 * tanhBackward(grad, x, y): tanh'(x) = 1 − tanh(x)² = 1 − y², using the saved OUTPUT y.
 *   y [0.5], grad [2] → [2 · (1 − 0.25)] = [1.5]
 */
export function tanhBackward(grad, x, y) {
  // TODO: out[i] = grad[i] · (1 − y[i]²). y already is tanh(x): do not apply tanh again.
  return todo('return grad · (1 − y²)');
}

/**
 * sumBackward(grad, inputShape, axes, keepdim) → a tensor of inputShape.
 * The forward summed over `axes` (sorted, non-negative). Each input element was added into
 * exactly one output element with weight 1, so it receives that element's gradient.
 * grad has inputShape with `axes` removed (or set to 1 when keepdim).
 *   inputShape [2, 3], axes [1], grad [a, b] (shape [2]) → [[a, a, a], [b, b, b]]
 *   inputShape [2, 3], axes [0], grad [a, b, c]          → [[a, b, c], [a, b, c]]
 */
export function sumBackward(grad, inputShape, axes, keepdim) {
  // TODO:
  //  1. keepShape = inputShape with every axis in `axes` set to 1. grad's data already is in
  //     that order (removing size-1 axes does not move any number).
  //  2. Broadcast { data: grad.data, shape: keepShape } to inputShape (broadcastTo).
  //  Pitfall: broadcasting grad's own shape [2] to [2, 3] aligns it from the RIGHT, against
  //  the wrong axis. Put the summed axes back first.
  return todo('return grad spread back over the summed axes, in inputShape');
}

/**
 * meanBackward(grad, inputShape, axes, keepdim): like sumBackward, then divided by the number
 * of elements each mean averaged (the product of inputShape over `axes`).
 *   inputShape [2, 3], axes [1], grad [a, b] → [[a/3, a/3, a/3], [b/3, b/3, b/3]]
 */
export function meanBackward(grad, inputShape, axes, keepdim) {
  // TODO: count = Π inputShape[ax] for ax in axes; sumBackward's result times 1/count.
  return todo('return sumBackward\'s result divided by the number of averaged elements');
}

/**
 * crossEntropyBackward(grad, logits, labels) → (N, C): (softmax(logits) − onehot(labels)) · grad / N.
 * grad is a plain number (∂final/∂loss, usually 1). The loss was a mean over N rows: the 1/N.
 *   logits [[0, 0]], labels [0], grad 1 → [[0.5 − 1, 0.5]] / 1 = [[-0.5, 0.5]]
 */
export function crossEntropyBackward(grad, logits, labels) {
  // TODO:
  //  1. [n, c] = logits.shape.
  //  2. For each row: softmax with the max shift (logits of 1000 must not give NaN).
  //  3. Subtract 1 at the label's column, multiply every entry by grad / n.
  return todo('return (softmax(logits) − onehot(labels)) · grad / N, shape (N, C)');
}
