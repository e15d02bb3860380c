// Module 01 Tensor: two hints per function (the idea, then a targeted hint).

export const HINTS = {
  broadcastShape: [
    'Compare the shapes from their last axis backwards. A shape that has run out of axes behaves as if it had size 1 there.',
    'Index with `a[a.length - i]` for i = 1, 2, …; a pair is fine when the sizes are equal or one is 1, and the output takes the size that is not 1. Aligning from the left (index i − 1) is the classic bug: `[4, 1]` and `[3]` must give `[4, 3]`. The error message must contain `shapeStr(a)` and `shapeStr(b)`.',
  ],
  add: [
    'Every output element reads one element of each input. Along an axis where an input has size 1 (or where it has no axis), its index stays at 0, so the same value is reused.',
    'Get the output multi-index with `indexOf(i, shape)`, keep its last `a.shape.length` entries, set the entries where `a.shape[d] === 1` to 0, then `offsetOf(index, a.shape)`. Do the same for b. Try it on `[4, 1] + [3]`: the result has shape `[4, 3]` and row r is `a[r] + b`.',
  ],
  mul: [
    'It is add with `*` instead of `+`: the broadcasting walk does not change.',
    'Factor the walk into a helper `elementwise(a, b, f)` and call it with `(x, y) => x * y`. Check a scalar operand: shape `[]` broadcasts with every shape.',
  ],
  matmul: [
    'The last two axes are the matrices; the axes before them are a batch that broadcasts exactly like add\'s shapes. Each output matrix is one ordinary (n, k)·(k, m) product.',
    'Compute `batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))`, then for each batch entry find the matrix of a and of b it reads. b\'s element [p, j] is at `p * m + j` (not `p * k + j`). Loop i, then p, then j, adding `a[i][p] * b[p][j]` into `out[i][j]`.',
  ],
  sum: [
    'Summing over one axis collapses that axis and keeps the others. View the tensor as three blocks: the axes before (outer), the axis itself (len), and the axes after (inner).',
    'Element (o, j, i) lives at `(o * len + j) * inner + i` and adds into `out[o * inner + i]`. axis `null` gives shape `[]`, not `[1]`; keepdim replaces the summed size by 1 instead of removing it.',
  ],
};
