// Module 07 Training: your exercise. Write gradient clipping and the training loop.
//
// What you implement:
//   - clipGradNorm works on plain tensors `{ data: Float32Array, shape: number[] }` (row-major)
//     and is the one function of the lab that changes its arguments: it scales the gradients'
//     `data` IN PLACE, and the lab copies them back into the model.
//   - trainEpoch composes the lab's JS API instead of raw arrays: `model.forward(x)`,
//     `model.parameters()`, `model.train()`, a loss tensor's `item()`, `mulScalar(c)` and
//     `backward()`, and the optimizer's `step()` and `zeroGrad()`. `api.clipGradNorm(params,
//     maxNorm)` clips real parameters' gradients (with your clipGradNorm underneath).
//
// Only `./helpers.js` may be imported. When you run the checks, each exported function is
// plugged into the framework: clipGradNorm's unit checks use known gradients, trainEpoch's use a
// small model and record every call it makes; then the integration suites (training_flow,
// dataloader_integration) train real networks with your loop. A function that still calls
// `todo(...)` shows as "not written yet".

import { todo } from './helpers.js';

/**
 * Clips the global L2 norm of a list of gradients, in place.
 *
 *   clipGradNorm(grads, maxNorm) → number
 *
 * grads: an array of tensors of any shapes (one per parameter).
 * Rules:
 *   norm = √(Σ over every tensor, Σ over its values, value²)   (ONE norm over all of them)
 *   if norm > maxNorm: multiply every value of every tensor by maxNorm/norm, in place
 *   return norm as measured BEFORE clipping (useful to log: it says how big the step wanted to be)
 *
 * Example: grads [3] and [4] (two tensors of shape [1]), maxNorm 1
 *   norm = √(9 + 16) = 5 > 1 → scale by 1/5: the grads become [0.6] and [0.8]; returns 5.
 *   With maxNorm 10 nothing changes and it still returns 5.
 */
export function clipGradNorm(grads, maxNorm) {
  // TODO: add up value² over every tensor's data; the norm is the square root of the total.
  // TODO: if the norm exceeds maxNorm, multiply each tensor's data by maxNorm/norm (write into
  //       g.data itself: a scaled copy would leave the model's gradients unchanged).
  return todo('return the global L2 norm measured before clipping (after scaling the grads in place)');
}

/**
 * One epoch of training with gradient accumulation and optional clipping.
 *
 *   trainEpoch({ model, batches, lossFn, optimizer, accumulationSteps, clipNorm, api }) → number
 *
 * batches: an array of `[x, y]` pairs of API tensors. lossFn(out, y) → a scalar loss tensor.
 * accumulationSteps: how many consecutive batches share one optimizer step (1 = every batch).
 * clipNorm: a number (clip before each step) or null (no clipping).
 * Rules:
 *   model.train(); optimizer.zeroGrad();
 *   the batches form groups of accumulationSteps consecutive batches (the last may be shorter);
 *   for each batch: out = model.forward(x); loss = lossFn(out, y);
 *     back-propagate loss.mulScalar(1 / g), g = the size of THIS batch's group;
 *   after the last batch of each group: if clipNorm is a number,
 *     api.clipGradNorm(model.parameters(), clipNorm); then optimizer.step(); optimizer.zeroGrad();
 *   return the mean of the batches' unscaled loss.item().
 *
 * Example: 5 batches, accumulationSteps 2 → groups [b0, b1], [b2, b3], [b4]: the losses are
 * scaled by 1/2, 1/2, 1/2, 1/2 and 1; step() runs 3 times, after b1, b3 and b4.
 */
export function trainEpoch({ model, batches, lossFn, optimizer, accumulationSteps = 1, clipNorm = null, api }) {
  // TODO: switch the model to training mode and clear the gradients once before the loop.
  // TODO: for each batch i: find its group's size g (accumulationSteps, or what is left at the end).
  // TODO: forward, loss, add loss.item() to a running total, backward on loss.mulScalar(1 / g).
  // TODO: at the end of a group: clip (if clipNorm is a number), step, zeroGrad.
  return todo('return the mean of the unscaled loss.item() over all batches');
}
