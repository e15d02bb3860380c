// Module 04 Losses: two hints per function (the idea, then a targeted hint).

export const HINTS = {
  mseLoss: [
    'Square each difference between prediction and target, then average. Averaging (not summing) makes the loss, and its gradient, independent of the batch size.',
    'Divide by the number of elements, `pred.data.length`, not by the number of rows `pred.shape[0]`: for a (4, 2) batch that is 8, not 4.',
  ],
  crossEntropyLoss: [
    'Cross-entropy is the negative log-probability the model gives the true class, averaged over the rows. The log-probability is `z_label − logsumexp(z)`, which never needs the softmax itself.',
    'Compute logsumexp as `max + Math.log(Σ Math.exp(z_j − max))`: without the shift, `Math.exp(1000)` is Infinity. Watch the sign (the loss is never negative) and divide by N, the number of rows. Check: logits `[0, 0, 0]` with any label give `Math.log(3)`.',
  ],
  bceLoss: [
    'Binary cross-entropy scores a probability p against a 0/1 target t: `−log p` when t = 1, `−log(1 − p)` when t = 0, and the formula mixes the two.',
    'Clip p to `[1e-7, 1 − 1e-7]` before taking any log: p = 1 with t = 1 otherwise gives `0 · log 0 = 0 · −Infinity = NaN`. Mind the leading minus: the loss is positive. Average over all elements.',
  ],
};
