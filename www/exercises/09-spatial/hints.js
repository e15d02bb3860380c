// Module 09 Spatial: two hints per function (the idea, then a targeted hint). No solutions.

export const HINTS = {
  im2col: [
    'Copy each kernel window of the image into one column of a matrix, so the convolution becomes a single matrix multiply. Row = which tap of the kernel (c, i, j); column = which output position (oy, ox).',
    'Row `(c * kh + i) * kw + j`, column `oy * OW + ox`, read from input row `oy * stride + i - padding` and column `ox * stride + j - padding`. Start from a zero-filled Float32Array and simply skip positions outside `0..H-1` / `0..W-1`: those taps are padding. Check `OH = Math.floor((H + 2 * padding - kh) / stride) + 1` (both the 2 and the + 1 matter).',
  ],
  conv2dForward: [
    'The weight tensor (O, C, kh, kw) is already an (O, C·kh·kw) matrix in memory, in the same tap order as im2col\'s rows. So each sample\'s output (O, OH·OW) is `W · cols`, plus the bias of each output channel.',
    'Loop `o`, then `k`, then `p`, and inside do `out[o·P + p] += w[o·K + k] * cols[k·P + p]` with `w[o·K + k]` read once per k: the inner loop then runs along contiguous memory. Deep learning\'s "convolution" does not flip the kernel: tap (i, j) multiplies pixel (oy·s + i − p, ox·s + j − p), so the edge example gives +3.',
  ],
  conv2dBackward: [
    'Differentiate `y_n = W · cols_n + b` like a Linear layer: dW collects `grad_n · cols_nᵀ` over the batch, db sums grad over everything but the channel, and the gradient of cols is `Wᵀ · grad_n`, which col2im sends back to the pixels.',
    'Accumulate dweight and dbias with `+=` across samples; in col2im use `+=` too, because with kernel > stride several windows read the same pixel. Do not forget dbias: one sum per output channel over N, OH and OW. Check each piece against central differences on a tiny case (N = 2, C = 2, 4×4, k = 3, stride 2, padding 1).',
  ],
  maxPool2dForward: [
    'Slide a kernel × kernel window with the given stride (no padding) and keep the largest value of each window.',
    'Initialise the running max with the window\'s first value (or `-Infinity`), not 0: a window of negatives must give its largest negative. The window\'s top-left pixel is at row `oy * stride`, column `ox * stride` of its (n, c) plane.',
  ],
  maxPool2dBackward: [
    'max passes its gradient to whichever input produced the output and to nothing else, so each window\'s gradient lands on exactly one pixel: its first maximum.',
    'Remember the flat index of the maximum while scanning the window, updating only on a strictly greater value (`>`, not `>=`, or ties go to the last maximum). Then `dx[index] += grad` once per window: not to every pixel equal to the max.',
  ],
};
