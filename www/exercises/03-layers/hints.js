// Module 03 Layers: two hints per function (the idea, then a targeted hint).

export const HINTS = {
  linearForward: [
    'A Linear layer is a matrix product plus a bias: each output j of row n is a weighted sum of that row\'s inputs, plus `b[j]`.',
    'With W of shape (in, out), the weight linking input p to output j is `weight.data[p * outF + j]` (not `j * inF + p`, which reads W transposed). Start each output at the bias (when it is not null) so it is not forgotten.',
  ],
  linearInit: [
    'The weights are random normals scaled so that a sum of `in` products keeps roughly unit variance: the standard deviation is √(1/in).',
    'Call the `randn` you are given (not `Math.random()`) once per weight, in flat row-major order, and multiply by `Math.sqrt(1 / inFeatures)`. √(2/in) is He initialisation, a different contract. The bias is a zero tensor of shape `[outFeatures]`.',
  ],
  dropoutForward: [
    'While training, each element survives with probability 1 − p and is scaled up by 1/(1 − p), so its expected value stays the same; outside training dropout does nothing.',
    'One `random()` per element, in order: keep when `u < 1 - p` (that event has probability 1 − p). Forgetting the 1/(1 − p) scale, flipping the comparison, or using `Math.random()` all break the check. With `training` false, return a copy of x.',
  ],
};
