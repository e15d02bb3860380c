// Module 09 Spatial: your exercise. Write convolution (as im2col + a matrix multiply) and max
// pooling, forward and backward.
//
// Tensors are plain data `{ data: Float32Array, shape: number[] }`, row-major. Images are NCHW
// (batch, channels, height, width); conv weights are OIHW (out channels, in channels, kernel
// height, kernel width). So pixel x[n, c, y, x] is at data[((n·C + c)·H + y)·W + x].
// Output size along each axis: OH = ⌊(H + 2·padding − kh)/stride⌋ + 1 (pooling: padding 0).
//
// Only `./helpers.js` may be imported; you may add your own helper functions (e.g. col2im) as
// long as you do not export them. Return new tensors; never modify the arguments.
//
// When you run the checks, each exported function is plugged into the framework's Conv2d and
// MaxPool2d layers: the unit checks compare small cases with hand-computed numbers and with
// numerical gradients, then the cnn_integration suite trains CNNs with your code (the digits
// milestone runs thousands of your convolutions, so keep the inner loops simple: flat offsets
// into Float32Arrays, no arrays created per element). A function that still calls `todo(...)`
// shows as "not written yet".

import { todo, shapeStr } from './helpers.js';

/**
 * Unfolds every kernel window into a column, so a convolution becomes one matrix multiply.
 *
 *   im2col(x, kh, kw, stride, padding) → cols
 *
 * Shapes: x (N, C, H, W) → cols (N, C·kh·kw, OH·OW).
 * Rule: cols[n, (c·kh + i)·kw + j, oy·OW + ox] = x[n, c, oy·stride + i − padding, ox·stride + j − padding],
 *   or 0 when that position falls in the padding (outside 0..H−1 or 0..W−1).
 *   One ROW per kernel tap (c, i, j); one COLUMN per output position (oy, ox).
 *
 * Example: x (1, 1, 3, 3) = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kh = kw = 2, stride 1, padding 0
 *   OH = OW = 2, cols (1, 4, 4):  tap (0,0): [1, 2, 4, 5]   tap (0,1): [2, 3, 5, 6]
 *                                 tap (1,0): [4, 5, 7, 8]   tap (1,1): [5, 6, 8, 9]
 */
export function im2col(x, kh, kw, stride, padding) {
  // TODO: read N, C, H, W from x.shape; compute OH and OW with the formula above.
  // TODO: allocate a Float32Array of N·(C·kh·kw)·(OH·OW) zeros (padding taps just stay 0).
  // TODO: loop n, c, i, j, oy, ox; copy x[n, c, oy·s + i − p, ox·s + j − p] when it is inside.
  return todo('return cols of shape [N, C·kh·kw, OH·OW] (row = kernel tap, column = output position)');
}

/**
 * 2-D convolution (really a cross-correlation: the kernel is NOT flipped), plus bias.
 *
 *   conv2dForward(x, weight, bias, stride, padding) → y
 *
 * Shapes: x (N, C, H, W), weight (O, C, kh, kw), bias (O,) or null → y (N, O, OH, OW).
 * Rule: y[n, o, oy, ox] = bias[o] + Σ_c,i,j weight[o, c, i, j]·x[n, c, oy·s + i − p, ox·s + j − p]
 *   Per sample, with cols = im2col(x) (K = C·kh·kw rows, P = OH·OW columns) and weight seen as
 *   an (O, K) matrix (its data is already in that order): y_n (O × P) = W (O × K) · cols_n (K × P).
 *
 * Example: x (1, 1, 4, 4) dark left, bright right: every row [0, 0, 1, 1];
 *   weight (1, 1, 3, 3) the vertical-edge kernel: every row [−1, 0, 1]; no bias, s 1, p 0
 *   → y (1, 1, 2, 2) = [[3, 3], [3, 3]]  (a flipped kernel would give −3)
 */
export function conv2dForward(x, weight, bias, stride, padding) {
  // TODO: cols = im2col(x, kh, kw, stride, padding), with kh, kw from weight.shape.
  // TODO: for each n: y_n = W · cols_n, loops in i-k-j order (o, k, p): the inner loop adds
  //       w[o, k]·cols[k, p] along a row, so it walks memory contiguously.
  // TODO: add bias[o] to every position of output channel o (when bias is not null).
  return todo('return y of shape [N, O, OH, OW]: bias + Σ weight·x over each window, kernel not flipped');
}

/**
 * Backward of conv2dForward.
 *
 *   conv2dBackward(grad, x, weight, stride, padding) → { dx, dweight, dbias }
 *
 * Shapes: grad (N, O, OH, OW), x (N, C, H, W), weight (O, C, kh, kw)
 *   → dx like x, dweight like weight, dbias (O,).
 * Rules, per sample n (cols_n = im2col(x)[n], grad_n seen as an (O × P) matrix):
 *   dweight += grad_n · cols_nᵀ                  (summed over the batch)
 *   dbias[o] += Σ of grad_n[o, ·]                 (summed over N, OH and OW)
 *   dcols_n = Wᵀ · grad_n  (K × P), then dx[n] = col2im(dcols_n): send each entry back to the
 *     pixel im2col copied it from and ADD (overlapping windows share pixels); padding is dropped.
 *
 * Example: x (1, 1, 3, 3) = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], weight (1, 1, 2, 2) = [[1, 2], [3, 4]],
 *   s 1, p 0, grad (1, 1, 2, 2) all ones
 *   → dbias [4]; dweight [[12, 16], [24, 28]] (each tap's sum over the windows);
 *     dx [[1, 3, 2], [4, 10, 6], [3, 7, 4]] (each pixel: the sum of the weights that touched it)
 */
export function conv2dBackward(grad, x, weight, stride, padding) {
  // TODO: recompute cols = im2col(x, ...).
  // TODO: dweight and dbias: accumulate over every sample (do not overwrite per sample).
  // TODO: dcols = Wᵀ · grad_n, then a col2im helper (yours, unexported) that scatter-ADDS into dx.
  return todo('return { dx, dweight, dbias } with the shapes of x, weight and [O]');
}

/**
 * Max pooling.
 *
 *   maxPool2dForward(x, kernel, stride) → y
 *
 * Shapes: x (N, C, H, W) → y (N, C, OH, OW), OH = ⌊(H − kernel)/stride⌋ + 1 (no padding).
 * Rule: y[n, c, oy, ox] = max over the kernel × kernel window whose top-left pixel is
 *   x[n, c, oy·stride, ox·stride].
 *
 * Example: x (1, 1, 4, 4) = [[1, 3, 2, 4], [5, 2, 6, 1], [2, 8, 1, 3], [7, 1, 9, 2]], kernel 2, stride 2
 *   → y (1, 1, 2, 2) = [[5, 6], [8, 9]];  an all-negative window [[−3, −1], [−2, −5]] gives −1.
 */
export function maxPool2dForward(x, kernel, stride) {
  // TODO: compute OH, OW; for each (n, c, oy, ox) take the max of the window.
  // TODO: start the max from a value inside the window (or −Infinity), never from 0.
  return todo('return y of shape [N, C, OH, OW]: the max of each kernel × kernel window');
}

/**
 * Backward of max pooling: only the winning pixel of each window gets its gradient.
 *
 *   maxPool2dBackward(grad, x, kernel, stride) → dx
 *
 * Shapes: grad (N, C, OH, OW), x (N, C, H, W) → dx like x.
 * Rule: for each window, find its FIRST maximum in row-major order (ties: the earliest wins)
 *   and add grad[n, c, oy, ox] to dx at that pixel; every other pixel gets 0. Add (+=) rather
 *   than assign: with stride < kernel one pixel can win several windows.
 *
 * Example: the x of maxPool2dForward's example, kernel 2, stride 2, grad all ones
 *   → dx = [[0, 0, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
 *   A window of ties [[4, 4], [4, 4]] sends its gradient to its top-left pixel only.
 */
export function maxPool2dBackward(grad, x, kernel, stride) {
  // TODO: dx = zeros of x's size; walk the windows in the same order as the forward.
  // TODO: find the index of the first maximum (compare with > so ties keep the earlier one).
  // TODO: dx[thatIndex] += the window's gradient.
  return todo('return dx of x\'s shape: each window\'s gradient at its first maximum, 0 elsewhere');
}
