// Module 07 Training: two hints per function (the idea, then a targeted hint). No solutions.

export const HINTS = {
  clipGradNorm: [
    'Treat all the gradients as one long vector: measure its length once, and if it is too long shrink every piece by the same factor. That keeps the direction of the update and only limits its size.',
    'Sum `value * value` over every tensor before taking `Math.sqrt`, not one norm per tensor. Scale with `maxNorm / norm` (not `norm / maxNorm`), only when `norm > maxNorm`, by writing into `g.data[i]`; and return the norm you measured before scaling.',
  ],
  trainEpoch: [
    'Backward adds into the gradients until someone calls `zeroGrad()`. Accumulation uses that: run backward on several batches, then step once. Dividing each loss by the group size makes the sum of gradients the gradient of the group\'s mean loss, as if it were one big batch.',
    'Batch i belongs to the group starting at `i - (i % accumulationSteps)`; its size is `accumulationSteps` or, for the last group, the batches that are left. Step (after clipping) and then `zeroGrad()` only after a group\'s last batch. Add the unscaled `loss.item()` to the total: the scaled one is only for backward.',
  ],
};
