// Module 01 Tensor: the reference solution (broadcastShape, add, mul, matmul, sum).
//
// Tensors are `{ data, shape }` in row-major order. Everything here runs inside real training
// suites, so the loops work on typed arrays with precomputed strides and never allocate per
// element.

import { numel, stridesOf, sameShape, shapeStr } from './helpers.js';

/**
 * broadcastShape(a, b) → the NumPy broadcast of two shapes.
 * Align from the right; each pair of sizes must be equal or one of them 1; a missing axis counts as 1.
 * broadcastShape([4, 1], [3]) → [4, 3]; broadcastShape([2, 3], [4]) throws.
 */
export function broadcastShape(a, b) {
  const n = Math.max(a.length, b.length);
  const out = new Array(n);
  for (let i = 1; i <= n; i++) {
    const da = i <= a.length ? a[a.length - i] : 1;
    const db = i <= b.length ? b[b.length - i] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`cannot broadcast shapes ${shapeStr(a)} and ${shapeStr(b)}: sizes ${da} and ${db} meet on axis ${-i}`);
    }
    out[n - i] = da === 1 ? db : da;
  }
  return out;
}

// For every element of `outShape` (row-major), the flat offset it reads in a tensor of `shape`
// broadcast to `outShape`. A missing or size-1 axis gets stride 0: moving along it in the
// output keeps reading the same input element. An odometer walks the output index, so each
// element costs O(1) on average and nothing is allocated inside the loop.
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
    for (let d = nd - 1; d >= 0; d--) { // bump the last axis, carry into earlier ones
      index[d]++;
      off += strides[d];
      if (index[d] < outShape[d]) break;
      off -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return offsets;
}

// One loop for every broadcasting binary op: a fast path when the shapes are equal (the common
// case), otherwise read both inputs through their broadcast offsets.
function elementwise(a, b, f) {
  if (sameShape(a.shape, b.shape)) {
    const out = new Float32Array(a.data.length);
    for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i]);
    return { data: out, shape: [...a.shape] };
  }
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastOffsets(a.shape, shape);
  const ib = broadcastOffsets(b.shape, shape);
  const out = new Float32Array(ia.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[ia[i]], b.data[ib[i]]);
  return { data: out, shape };
}

/** add(a, b) → a + b element-wise, broadcast. [[1, 2], [3, 4]] + [10, 20] → [[11, 22], [13, 24]]. */
export function add(a, b) {
  return elementwise(a, b, (x, y) => x + y);
}

/** mul(a, b) → a · b element-wise, broadcast. [[1, 2], [3, 4]] · [[10], [100]] → [[10, 20], [300, 400]]. */
export function mul(a, b) {
  return elementwise(a, b, (x, y) => x * y);
}

/**
 * matmul(a, b): a (…, n, k) · b (…, k, m) → (…, n, m); the leading (batch) axes broadcast.
 * out[t, i, j] = Σ_p a[t, i, p] · b[t, p, j]. Different k: throw naming both shapes.
 * [[1, 2], [3, 4]] · [[5], [6]] → [[17], [39]].
 */
export function matmul(a, b) {
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new Error(`matmul needs at least 2 axes on each side, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  const [n, k] = a.shape.slice(-2);
  const [k2, m] = b.shape.slice(-2);
  if (k !== k2) {
    throw new Error(`matmul: inner sizes differ (${k} vs ${k2}) for shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batch = broadcastShape(aBatch, bBatch);
  // Which matrix of a and of b each output matrix uses (batch axes broadcast like add's).
  const aMat = broadcastOffsets(aBatch, batch);
  const bMat = broadcastOffsets(bBatch, batch);

  const A = a.data, B = b.data;
  const out = new Float64Array(aMat.length * n * m); // accumulate in float64; the lab stores float32
  for (let t = 0; t < aMat.length; t++) {
    const aBase = aMat[t] * n * k, bBase = bMat[t] * k * m, oBase = t * n * m;
    // i-k-j order: the inner loop walks a row of b and a row of out, both contiguous.
    for (let i = 0; i < n; i++) {
      const oRow = oBase + i * m;
      for (let p = 0; p < k; p++) {
        const av = A[aBase + i * k + p];
        const bRow = bBase + p * m;
        for (let j = 0; j < m; j++) out[oRow + j] += av * B[bRow + j];
      }
    }
  }
  return { data: out, shape: [...batch, n, m] };
}

/**
 * sum(x, axis = null, keepdim = false).
 * axis null: every element → shape [] (keepdim: all ones). axis in [0, ndim): that axis summed
 * away (keepdim: kept as size 1). sum([[1, 2, 3], [4, 5, 6]], 1) → [6, 15], shape [2].
 */
export function sum(x, axis = null, keepdim = false) {
  const shape = x.shape;
  if (axis === null) {
    let total = 0;
    for (let i = 0; i < x.data.length; i++) total += x.data[i];
    return { data: Float64Array.of(total), shape: keepdim ? shape.map(() => 1) : [] };
  }
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new Error(`sum: axis ${axis} is out of range for shape ${shapeStr(shape)}`);
  }
  // View x as (outer, len, inner): element (o, j, i) sits at (o·len + j)·inner + i.
  const len = shape[axis];
  const outer = numel(shape.slice(0, axis));
  const inner = numel(shape.slice(axis + 1));
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < len; j++) {
      const src = (o * len + j) * inner;
      const dst = o * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += x.data[src + i];
    }
  }
  const outShape = keepdim ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
  return { data: out, shape: outShape };
}
