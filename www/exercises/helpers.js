// TinyTorch Lab exercises: the small helpers a student's module may import
// (`import { tensor, zeros, offsetOf } from './helpers.js'`). None of them is a lesson: they
// are the index arithmetic and shape checks every exercise would otherwise rewrite.
//
// A tensor, everywhere in the exercises, is plain data: `{ data: Float32Array, shape: number[] }`
// with `data` in row-major order (the last axis varies fastest) and
// `data.length === numel(shape)`.

/** Thrown by a function that is still a stub: the checks report it as "not written yet". */
export class NotImplemented extends Error {
  constructor(what) {
    super(`not written yet: ${what}`);
    this.name = 'NotImplemented';
  }
}

/** Marks a stub: `todo('return max(0, v) for every value')` throws NotImplemented. */
export function todo(what) {
  throw new NotImplemented(what);
}

/** Number of elements of a shape: numel([2, 3]) → 6; numel([]) → 1 (a scalar). */
export function numel(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides: stridesOf([2, 3, 4]) → [12, 4, 1]. */
export function stridesOf(shape) {
  const strides = new Array(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Flat offset of a multi-index: offsetOf([1, 2], [2, 3]) → 5. */
export function offsetOf(index, shape) {
  let off = 0;
  const strides = stridesOf(shape);
  for (let i = 0; i < shape.length; i++) off += index[i] * strides[i];
  return off;
}

/** Multi-index of a flat offset: indexOf(5, [2, 3]) → [1, 2]. */
export function indexOf(offset, shape) {
  const index = new Array(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = offset % shape[i];
    offset = Math.floor(offset / shape[i]);
  }
  return index;
}

/** "[2, 3]" for [2, 3]: shapes in error messages. */
export function shapeStr(shape) {
  return `[${shape.join(', ')}]`;
}

/** A tensor from data and a shape; throws if the lengths disagree. */
export function tensor(data, shape) {
  const n = numel(shape);
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  if (values.length !== n) {
    throw new Error(`tensor: ${values.length} values cannot fill shape ${shapeStr(shape)}, which holds ${n}`);
  }
  return { data: values, shape: [...shape] };
}

/** A tensor of zeros of the given shape. */
export function zeros(shape) {
  return { data: new Float32Array(numel(shape)), shape: [...shape] };
}

/** Whether two shapes are equal. */
export function sameShape(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws `what: expected shape [..], got [..]` unless `x.shape` equals `shape`. */
export function assertShape(x, shape, what = 'tensor') {
  if (!sameShape(x.shape, shape)) {
    throw new Error(`${what}: expected shape ${shapeStr(shape)}, got ${shapeStr(x.shape)}`);
  }
}
