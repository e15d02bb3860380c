// Module 02 Activations: two hints per function (the idea, then a targeted hint).

export const HINTS = {
  relu: [
    'ReLU lets positive values through and replaces everything else by 0.',
    'Pass the given `map` a function of one value that keeps it when it is positive and gives 0 otherwise. Return the new tensor `map` builds; never write into `x.data`.',
  ],
  sigmoid: [
    'Sigmoid has two algebraically equal forms, `1 / (1 + e^−v)` and `e^v / (1 + e^v)`. Pick, for each value, the form whose exponent is not positive.',
    'Branch on the sign of v: the first form when `v >= 0`, the second when `v < 0`. Check the sign inside `Math.exp`: sigmoid(2) is about 0.88, not 0.12. At ±1000 the answers must be exactly 1 and 0, not NaN.',
  ],
  tanh: [
    'Tanh is already in the standard library, and it is stable there.',
    'Map every value through `Math.tanh`. If you write `(e^v − e^−v) / (e^v + e^−v)` yourself, v = 1000 gives `Infinity / Infinity`, which is NaN.',
  ],
  gelu: [
    'GELU weights each value by a smooth 0-to-1 gate: `½·(1 + tanh(…))`, computed from the value itself.',
    'Compute `Math.sqrt(2 / Math.PI)` once, outside `map`. Common slips: dropping the leading `0.5`, writing `v * v` where the formula has `v³`, or `Math.sqrt(2 * Math.PI)`. Check your numbers: gelu(1) ≈ 0.8412 and gelu(-1) ≈ -0.1588.',
  ],
  softmax: [
    'Softmax works row by row along the last axis: exponentiate, then divide by the row\'s total. Shifting a row by a constant does not change the result, so shift by the row\'s max and no exponent is positive.',
    'For a row starting at `base = r * cols`: find `max`, then `e_j = Math.exp(v_j - max)` and `total = Σ e_j` (reset `total` to 0 for every row), then `e_j / total`. Test `[1000, 999, 0]`: without the shift `Math.exp(1000)` is Infinity and the row becomes NaN.',
  ],
};
