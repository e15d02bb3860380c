// Module 05 Autograd: the reference solution (unbroadcast and the backward rule of each op).
//
// A backward rule gets `grad` = ∂loss/∂output (the op's output shape) and returns ∂loss/∂input
// for each input: the chain rule, one op at a time. The framework walks the graph in reverse
// topological order and calls these rules. They run for every op of every training step, so
// they loop over typed arrays with precomputed offsets.

import { numel, stridesOf, sameShape, shapeStr } from './helpers.js';

// For every element of `outShape` (row-major), the flat offset it reads in a tensor of `shape`
// broadcast to `outShape` (right-aligned; a missing or size-1 axis has stride 0). An odometer
// walks the output index, so nothing is allocated per element.
function broadcastOffsets(shape, outShape) {
  const nd = outShape.length;
  const lead = nd - shape.length;
  const inStrides = stridesOf(shape);
  const strides = new Array(nd).fill(0);
  for (let d = 0; d < shape.length; d++) strides[lead + d] = shape[d] === 1 ? 0 : inStrides[d];
  const offsets = new Int32Array(numel(outShape));
  const index = new Array(nd).fill(0);
  let off = 0;
  for (let i = 0; i < offsets.length; i++) {
    offsets[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      index[d]++;
      off += strides[d];
      if (index[d] < outShape[d]) break;
      off -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return offsets;
}

const copy = (t) => ({ data: Float32Array.from(t.data), shape: [...t.shape] });

/**
 * unbroadcast(grad, shape): sum grad down to `shape`, the shape of an input that was broadcast.
 * Extra leading axes are summed away; axes where `shape` has 1 and grad does not are summed
 * and kept as 1. grad [[1, 2, 3], [4, 5, 6]] to [3] → [5, 7, 9]; to [2, 1] → [[6], [15]].
 */
export function unbroadcast(grad, shape) {
  if (sameShape(grad.shape, shape)) return copy(grad);
  const lead = grad.shape.length - shape.length;
  if (lead < 0 || shape.some((d, i) => d !== 1 && d !== grad.shape[lead + i])) {
    throw new Error(`unbroadcast: gradient ${shapeStr(grad.shape)} cannot come from an input of shape ${shapeStr(shape)}`);
  }
  // Broadcasting read input element off[i] into output element i, so output element i's
  // gradient flows back to (and adds up in) input element off[i].
  const off = broadcastOffsets(shape, grad.shape);
  const g = grad.data;
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < off.length; i++) out[off[i]] += g[i];
  return { data: out, shape: [...shape] };
}

/** addBackward: y = a + b, so ∂y/∂a = ∂y/∂b = 1 → [grad, grad] (output shape; the framework un-broadcasts). */
export function addBackward(grad, a, b) {
  return [copy(grad), copy(grad)];
}

// grad · x, where x is broadcast to grad's shape (the output's shape).
function mulBroadcast(grad, x) {
  const g = grad.data, xd = x.data;
  const out = new Float32Array(g.length);
  if (sameShape(grad.shape, x.shape)) {
    for (let i = 0; i < out.length; i++) out[i] = g[i] * xd[i];
  } else {
    const off = broadcastOffsets(x.shape, grad.shape);
    for (let i = 0; i < out.length; i++) out[i] = g[i] * xd[off[i]];
  }
  return { data: out, shape: [...grad.shape] };
}

/** mulBackward: y = a · b → [grad · b, grad · a], in the output's shape. */
export function mulBackward(grad, a, b) {
  return [mulBroadcast(grad, b), mulBroadcast(grad, a)];
}

/**
 * matmulBackward: y = a (…, n, k) · b (…, k, m), grad (…, n, m) → [grad · bᵀ (…, n, k), aᵀ · grad (…, k, m)]
 * per batch entry. The batch axes are grad's; the framework un-broadcasts to a's and b's.
 */
export function matmulBackward(grad, a, b) {
  const [n, k] = a.shape.slice(-2);
  const m = b.shape[b.shape.length - 1];
  const batch = grad.shape.slice(0, -2);
  if (grad.shape[grad.shape.length - 2] !== n || grad.shape[grad.shape.length - 1] !== m) {
    throw new Error(`matmulBackward: gradient ${shapeStr(grad.shape)} does not fit ${shapeStr(a.shape)} · ${shapeStr(b.shape)}`);
  }
  const aMat = broadcastOffsets(a.shape.slice(0, -2), batch); // which matrix of a each entry used
  const bMat = broadcastOffsets(b.shape.slice(0, -2), batch);
  const G = grad.data, A = a.data, B = b.data;
  const count = aMat.length;
  const ga = new Float64Array(count * n * k);
  const gb = new Float64Array(count * k * m);
  for (let t = 0; t < count; t++) {
    const gBase = t * n * m, aBase = aMat[t] * n * k, bBase = bMat[t] * k * m;
    const gaBase = t * n * k, gbBase = t * k * m;
    // ga[i][p] = Σ_j grad[i][j] · b[p][j]: a dot product of two contiguous rows.
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < k; p++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += G[gBase + i * m + j] * B[bBase + p * m + j];
        ga[gaBase + i * k + p] = s;
      }
    }
    // gb[p][j] = Σ_i a[i][p] · grad[i][j]: i-p-j order keeps the inner loop on rows.
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < k; p++) {
        const av = A[aBase + i * k + p];
        for (let j = 0; j < m; j++) gb[gbBase + p * m + j] += av * G[gBase + i * m + j];
      }
    }
  }
  return [{ data: ga, shape: [...batch, n, k] }, { data: gb, shape: [...batch, k, m] }];
}

/** reluBackward: grad where the input x > 0, else 0 (the slope of max(0, x)). */
export function reluBackward(grad, x, y) {
  const out = new Float32Array(grad.data.length);
  for (let i = 0; i < out.length; i++) out[i] = x.data[i] > 0 ? grad.data[i] : 0;
  return { data: out, shape: [...grad.shape] };
}

/** sigmoidBackward: σ'(x) = σ(x)(1 − σ(x)) = y(1 − y), from the saved output y. */
export function sigmoidBackward(grad, x, y) {
  const out = new Float32Array(grad.data.length);
  for (let i = 0; i < out.length; i++) {
    const s = y.data[i];
    out[i] = grad.data[i] * s * (1 - s);
  }
  return { data: out, shape: [...grad.shape] };
}

/** tanhBackward: tanh'(x) = 1 − tanh(x)² = 1 − y², from the saved output y. */
export function tanhBackward(grad, x, y) {
  const out = new Float32Array(grad.data.length);
  for (let i = 0; i < out.length; i++) {
    const t = y.data[i];
    out[i] = grad.data[i] * (1 - t * t);
  }
  return { data: out, shape: [...grad.shape] };
}

// Every input element of a sum over `axes` received d(out)/d(in) = 1 from exactly one output
// element: put the summed axes back as size 1 (the keepdim shape, same data order either way)
// and broadcast grad to the input's shape, times `scale`.
function spread(grad, inputShape, axes, scale) {
  const summed = axes ?? inputShape.map((_, i) => i); // null: every axis
  const keepShape = inputShape.map((d, i) => (summed.includes(i) ? 1 : d));
  if (numel(keepShape) !== grad.data.length) {
    throw new Error(`sum/mean backward: gradient ${shapeStr(grad.shape)} does not fit input ${shapeStr(inputShape)} summed over ${shapeStr(summed)}`);
  }
  const off = broadcastOffsets(keepShape, inputShape);
  const out = new Float32Array(off.length);
  for (let i = 0; i < off.length; i++) out[i] = grad.data[off[i]] * scale;
  return { data: out, shape: [...inputShape] };
}

/**
 * sumBackward: grad (input shape with `axes` removed, or kept as 1 with keepdim) → inputShape.
 * Input (2, 3) summed over [1]: grad [a, b] → [[a, a, a], [b, b, b]].
 */
export function sumBackward(grad, inputShape, axes, keepdim) {
  return spread(grad, inputShape, axes, 1);
}

/** meanBackward: as sumBackward, divided by the number of elements each mean averaged. */
export function meanBackward(grad, inputShape, axes, keepdim) {
  const summed = axes ?? inputShape.map((_, i) => i);
  let count = 1;
  for (const ax of summed) count *= inputShape[ax];
  return spread(grad, inputShape, axes, 1 / count);
}

/**
 * crossEntropyBackward(grad: number, logits (N, C), labels) → (softmax(logits) − onehot(labels)) · grad / N.
 * The loss is a mean over N rows, hence the 1/N.
 */
export function crossEntropyBackward(grad, logits, labels) {
  const g = typeof grad === 'number' ? grad : grad.data[0];
  const [n, c] = logits.shape;
  const z = logits.data;
  const out = new Float32Array(n * c);
  const exps = new Float64Array(c);
  const scale = g / n;
  for (let r = 0; r < n; r++) {
    const base = r * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) if (z[base + j] > max) max = z[base + j];
    let sumExp = 0;
    for (let j = 0; j < c; j++) {
      exps[j] = Math.exp(z[base + j] - max);
      sumExp += exps[j];
    }
    const label = labels[r];
    for (let j = 0; j < c; j++) {
      const p = exps[j] / sumExp;
      out[base + j] = (j === label ? p - 1 : p) * scale; // softmax − onehot, in float64 first
    }
  }
  return { data: out, shape: [n, c] };
}
