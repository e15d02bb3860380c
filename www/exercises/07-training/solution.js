// Module 07 Training: the reference solution (global gradient-norm clipping and the training
// loop with gradient accumulation).
//
// clipGradNorm works on plain tensors `{ data, shape }` and, by contract, scales them IN PLACE:
// the lab copies the scaled data back into the parameters' gradients. trainEpoch composes the
// lab's JS API objects (model, optimizer, loss tensors); it never touches tensor data itself.

/**
 * Clips the global L2 norm of a list of gradients to `maxNorm`, in place.
 * Returns the norm measured before clipping.
 */
export function clipGradNorm(grads, maxNorm) {
  // One norm over ALL gradients together: clipping keeps the direction of the whole update.
  let sumSq = 0;
  for (const g of grads) {
    if (!g) continue; // a parameter that received no gradient contributes nothing
    for (const value of g.data) sumSq += value * value;
  }
  const norm = Math.sqrt(sumSq);
  if (norm > maxNorm) {
    // The same factor for every tensor, so the relative sizes (the direction) stay as they were.
    const scale = maxNorm / norm;
    for (const g of grads) {
      if (!g) continue;
      const d = g.data;
      for (let i = 0; i < d.length; i++) d[i] *= scale;
    }
  }
  return norm;
}

/**
 * One epoch of training. Backward passes of `accumulationSteps` consecutive batches add up in
 * the gradients before one optimizer step, which equals one step on a batch that many times
 * bigger, provided each loss is divided by the group's size first.
 * Returns the mean of the batches' unscaled losses.
 */
export function trainEpoch({ model, batches, lossFn, optimizer, accumulationSteps = 1, clipNorm = null, api }) {
  // The last group's size depends on how many batches there are, so take them all first
  // (`batches` may be any iterable, e.g. a generator).
  const list = Array.isArray(batches) ? batches : Array.from(batches);
  const n = list.length;
  const steps = Math.max(1, Math.floor(accumulationSteps));

  model.train(); // dropout on, batch statistics: an earlier evaluation may have switched them off
  optimizer.zeroGrad(); // start from clean gradients, whatever happened before this epoch

  let total = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = list[i];
    // This batch's group starts at a multiple of `steps`; the last group may be shorter.
    const groupStart = i - (i % steps);
    const g = Math.min(steps, n - groupStart);

    const out = model.forward(x);
    const loss = lossFn(out, y);
    total += loss.item();
    // Each loss counts 1/g, so the summed gradients are the gradient of the group's mean loss.
    loss.mulScalar(1 / g).backward();

    const endOfGroup = i === groupStart + g - 1;
    if (endOfGroup) {
      if (typeof clipNorm === 'number') api.clipGradNorm(model.parameters(), clipNorm);
      optimizer.step();
      optimizer.zeroGrad();
    }
  }
  return total / n;
}
