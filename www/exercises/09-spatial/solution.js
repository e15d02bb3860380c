// Module 09 Spatial: the reference solution (im2col, convolution forward and backward as matrix
// multiplies, and max pooling forward and backward).
//
// Layouts: images NCHW, conv weights OIHW, everything row-major. A digits CNN trains with these
// functions in the integration suites, so they are tight loops over Float32Arrays: offsets are
// computed once per row, the bounds tests of the padding are hoisted out of the inner loops, and
// the matrix products run in i-k-j order so the innermost loop walks memory contiguously.

import { shapeStr } from './helpers.js';

/** ⌊(size + 2p − k)/s⌋ + 1: how many window positions fit along one axis. */
function outSize(size, k, stride, padding) {
  return Math.floor((size + 2 * padding - k) / stride) + 1;
}

/** Checks an NCHW input against a kernel and returns the sizes every function needs. */
function geometry(x, kh, kw, stride, padding, name) {
  if (x.shape.length !== 4) throw new Error(`${name}: expected an (N, C, H, W) input, got ${shapeStr(x.shape)}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`${name}: stride must be a positive integer, got ${stride}`);
  const [N, C, H, W] = x.shape;
  const OH = outSize(H, kh, stride, padding);
  const OW = outSize(W, kw, stride, padding);
  if (OH < 1 || OW < 1) {
    throw new Error(`${name}: a ${kh}×${kw} kernel does not fit input ${shapeStr(x.shape)} with padding ${padding}`);
  }
  return { N, C, H, W, OH, OW, K: C * kh * kw, P: OH * OW };
}

// For kernel offset t, the output positions o whose tap o·s + t − p lies inside [0, size):
// the range [firstInside, endInside). Outside it the tap reads padding.
function firstInside(t, stride, padding) {
  return Math.max(0, Math.ceil((padding - t) / stride));
}
function endInside(t, stride, padding, size, out) {
  return Math.min(out, Math.floor((size - 1 + padding - t) / stride) + 1);
}

/** Checks a conv weight against x and returns [O, kh, kw]. */
function convWeight(x, weight, name) {
  if (weight.shape.length !== 4 || x.shape.length !== 4 || weight.shape[1] !== x.shape[1]) {
    throw new Error(`${name}: weight ${shapeStr(weight.shape)} does not match input ${shapeStr(x.shape)} (want (O, C, kh, kw) with the input's C)`);
  }
  const [O, , kh, kw] = weight.shape;
  return [O, kh, kw];
}

/**
 * x (N, C, H, W) → cols (N, C·kh·kw, OH·OW): row (c·kh + i)·kw + j, column oy·OW + ox holds
 * x[n, c, oy·s + i − p, ox·s + j − p], or 0 where that falls in the padding.
 */
export function im2col(x, kh, kw, stride, padding) {
  const { N, C, H, W, OH, OW, K, P } = geometry(x, kh, kw, stride, padding, 'im2col');
  const xd = x.data;
  const cols = new Float32Array(N * K * P); // padded taps are never written: they stay 0
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W; // x[n, c, 0, 0]
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const row = (c * kh + i) * kw + j;
          const dst0 = (n * K + row) * P; // cols[n, row, 0]
          const ox0 = firstInside(j, stride, padding);
          const ox1 = endInside(j, stride, padding, W, OW);
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy * stride + i - padding;
            if (iy < 0 || iy >= H) continue; // a padding row
            const src = plane + iy * W + j - padding; // + ox·s gives x[n, c, iy, ox·s + j − p]
            const dst = dst0 + oy * OW;
            for (let ox = ox0; ox < ox1; ox++) cols[dst + ox] = xd[src + ox * stride];
          }
        }
      }
    }
  }
  return { data: cols, shape: [N, K, P] };
}

/**
 * Scatter-adds one sample's patch gradients dcols (K, P) onto dx[n] (the adjoint of im2col).
 * Overlapping windows read the same pixel several times, so their gradients add up.
 */
function col2imAdd(dcols, dx, n, g, kh, kw, stride, padding) {
  const { C, H, W, OH, OW, P } = g;
  let src0 = 0; // start of the current dcols row; rows come in im2col's (c, i, j) order
  for (let c = 0; c < C; c++) {
    const plane = (n * C + c) * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, src0 += P) {
        const ox0 = firstInside(j, stride, padding);
        const ox1 = endInside(j, stride, padding, W, OW);
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * stride + i - padding;
          if (iy < 0 || iy >= H) continue;
          const dst = plane + iy * W + j - padding;
          const src = src0 + oy * OW;
          for (let ox = ox0; ox < ox1; ox++) dx[dst + ox * stride] += dcols[src + ox];
        }
      }
    }
  }
}

/**
 * C (m × n, at offset cOff) += A (m × k, at aOff) · B (k × n, at bOff), all row-major.
 * i-k-j order: the inner loop runs along a row of B and a row of C, contiguous in memory. It
 * takes four rows of B per pass, so C's row is loaded and stored a quarter as often (two to
 * three times faster in V8 than one row per pass).
 */
function matmulAdd(A, aOff, B, bOff, C, cOff, m, k, n) {
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * k;
    const cRow = cOff + i * n;
    let t = 0;
    for (; t + 4 <= k; t += 4) {
      const a0 = A[aRow + t], a1 = A[aRow + t + 1], a2 = A[aRow + t + 2], a3 = A[aRow + t + 3];
      const b0 = bOff + t * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        C[cRow + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
      }
    }
    for (; t < k; t++) {
      const a = A[aRow + t];
      const b = bOff + t * n;
      for (let j = 0; j < n; j++) C[cRow + j] += a * B[b + j];
    }
  }
}

/**
 * Cross-correlation: y[n, o, oy, ox] = b[o] + Σ_c,i,j W[o, c, i, j]·x[n, c, oy·s + i − p, ox·s + j − p].
 * Per sample that is one matrix product: y (O × P) = W (O × K) · cols (K × P), since the OIHW
 * weight's data already is an (O, K) matrix with im2col's tap order.
 */
export function conv2dForward(x, weight, bias, stride, padding) {
  const [O, kh, kw] = convWeight(x, weight, 'conv2dForward');
  if (bias && bias.data.length !== O) throw new Error(`conv2dForward: bias ${shapeStr(bias.shape)} does not match ${O} output channels`);
  const { N, OH, OW, K, P } = geometry(x, kh, kw, stride, padding, 'conv2dForward');
  const cols = im2col(x, kh, kw, stride, padding).data;
  const out = new Float32Array(N * O * P);
  if (bias) {
    // Start every output row from its channel's bias; the products are added on top.
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) out.fill(bias.data[o], (n * O + o) * P, (n * O + o + 1) * P);
    }
  }
  for (let n = 0; n < N; n++) matmulAdd(weight.data, 0, cols, n * K * P, out, n * O * P, O, K, P);
  return { data: out, shape: [N, O, OH, OW] };
}

/**
 * Backward of conv2dForward. With y_n = W·cols_n + b per sample:
 * dweight = Σ_n grad_n · cols_nᵀ, dbias = Σ of grad over N, OH, OW, dx = col2im(Wᵀ · grad_n).
 */
export function conv2dBackward(grad, x, weight, stride, padding) {
  const [O, kh, kw] = convWeight(x, weight, 'conv2dBackward');
  const g = geometry(x, kh, kw, stride, padding, 'conv2dBackward');
  const { N, OH, OW, K, P } = g;
  if (grad.shape.length !== 4 || grad.shape[0] !== N || grad.shape[1] !== O || grad.shape[2] !== OH || grad.shape[3] !== OW) {
    throw new Error(`conv2dBackward: grad must have shape ${shapeStr([N, O, OH, OW])}, got ${shapeStr(grad.shape)}`);
  }
  const cols = im2col(x, kh, kw, stride, padding).data;
  const gd = grad.data;
  const wd = weight.data;
  // Wᵀ (K × O), made once, so dcols = Wᵀ · grad_n is a plain row-major product.
  const wT = new Float32Array(K * O);
  for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) wT[k * O + o] = wd[o * K + k];

  const dw = new Float32Array(O * K);
  const db = new Float32Array(O);
  const dx = new Float32Array(x.data.length);
  const colsT = new Float32Array(P * K); // one sample's cols_nᵀ, reused
  const dcols = new Float32Array(K * P); // one sample's patch gradients, reused

  for (let n = 0; n < N; n++) {
    const gBase = n * O * P;
    const colBase = n * K * P;
    // dbias: every output position of channel o received b[o], so its gradient is their sum.
    for (let o = 0; o < O; o++) {
      const gRow = gBase + o * P;
      for (let p = 0; p < P; p++) db[o] += gd[gRow + p];
    }
    // dweight (O × K) += grad_n (O × P) · cols_nᵀ (P × K): summed over the batch.
    for (let k = 0; k < K; k++) {
      const cRow = colBase + k * P;
      for (let p = 0; p < P; p++) colsT[p * K + k] = cols[cRow + p];
    }
    matmulAdd(gd, gBase, colsT, 0, dw, 0, O, P, K);
    // dcols (K × P) = Wᵀ (K × O) · grad_n (O × P), then scatter-add onto dx[n].
    dcols.fill(0);
    matmulAdd(wT, 0, gd, gBase, dcols, 0, K, O, P);
    col2imAdd(dcols, dx, n, g, kh, kw, stride, padding);
  }
  return {
    dx: { data: dx, shape: [...x.shape] },
    dweight: { data: dw, shape: [...weight.shape] },
    dbias: { data: db, shape: [O] },
  };
}

/** (N, C, H, W) → (N, C, OH, OW): the maximum of each kernel × kernel window (no padding). */
export function maxPool2dForward(x, kernel, stride = kernel) {
  const { N, C, H, W, OH, OW } = geometry(x, kernel, kernel, stride, 0, 'maxPool2dForward');
  const xd = x.data;
  const out = new Float32Array(N * C * OH * OW);
  let q = 0;
  for (let plane = 0; plane < N * C * H * W; plane += H * W) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const first = plane + oy * stride * W + ox * stride; // the window's top-left pixel
        // Start from a value of the window, not from 0: every value may be negative.
        let m = xd[first];
        for (let ki = 0; ki < kernel; ki++) {
          const r = first + ki * W;
          for (let kj = 0; kj < kernel; kj++) {
            const v = xd[r + kj];
            if (v > m) m = v;
          }
        }
        out[q++] = m;
      }
    }
  }
  return { data: out, shape: [N, C, OH, OW] };
}

/** Routes each window's gradient to its first maximum (row-major); 0 everywhere else. */
export function maxPool2dBackward(grad, x, kernel, stride = kernel) {
  const { N, C, H, W, OH, OW } = geometry(x, kernel, kernel, stride, 0, 'maxPool2dBackward');
  if (grad.data.length !== N * C * OH * OW) {
    throw new Error(`maxPool2dBackward: grad must have shape ${shapeStr([N, C, OH, OW])}, got ${shapeStr(grad.shape)}`);
  }
  const xd = x.data;
  const gd = grad.data;
  const dx = new Float32Array(xd.length);
  let q = 0;
  for (let plane = 0; plane < N * C * H * W; plane += H * W) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const first = plane + oy * stride * W + ox * stride;
        let arg = first;
        let best = xd[first];
        for (let ki = 0; ki < kernel; ki++) {
          const r = first + ki * W;
          // Strictly greater: a later equal value does not replace the first maximum.
          for (let kj = 0; kj < kernel; kj++) if (xd[r + kj] > best) { best = xd[r + kj]; arg = r + kj; }
        }
        // += : with stride < kernel, windows overlap and one pixel can win several of them.
        dx[arg] += gd[q++];
      }
    }
  }
  return { data: dx, shape: [...x.shape] };
}
