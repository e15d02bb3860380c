// Module 06 Optimizers: your exercise. Write the update rules of SGD, Adam and AdamW.
//
// What you implement: three functions that each update ONE parameter tensor by one step.
// The lab runs them for every parameter of a model at every `optimizer.step()`, and keeps the
// optimizer's state (SGD's velocity, Adam's m and v) between steps for you: you receive the old
// state as arguments and return the new one next to the new parameter.
//
// Tensors are plain data: `{ data: Float32Array, shape: number[] }`, row-major. `param`, `grad`
// and every state tensor have the same shape, and the update is element by element, so you can
// loop over `data` directly. Return NEW tensors (e.g. `{ data: new Float32Array(n), shape:
// [...param.shape] }`): never modify the arguments, the lab still owns them.
//
// Only `./helpers.js` may be imported. When you run the checks, each exported function is
// plugged into the framework: its unit checks compare one step with hand-computed numbers,
// then the integration suites (gradient_flow, training_flow, xor) train real networks with
// your optimizers. A function that still calls `todo(...)` shows as "not written yet".

import { todo, assertShape } from './helpers.js';

/**
 * One step of SGD with momentum and (L2) weight decay, for one parameter.
 *
 *   sgdStep(param, grad, velocity, { lr, momentum, weightDecay }) → { param, velocity }
 *
 * Shapes: param, grad and velocity all have the same shape; so do both results.
 * Rules, element by element:
 *   g = grad + weightDecay·θ          (weight decay pulls θ towards 0)
 *   v = momentum·velocity + g         (velocity starts at zeros; momentum 0 gives v = g)
 *   θ ← θ − lr·v
 * Return the new θ as `param` and v as `velocity`: the lab passes it back on the next step.
 *
 * Example: θ = [1], grad = [0.5], velocity = [0], lr 0.1, momentum 0.9, weightDecay 0.1
 *   g = 0.5 + 0.1·1 = 0.6;  v = 0.9·0 + 0.6 = 0.6;  θ = 1 − 0.1·0.6 = 0.94
 *   → { param: [0.94], velocity: [0.6] }
 */
export function sgdStep(param, grad, velocity, { lr, momentum = 0, weightDecay = 0 }) {
  // Given: a shape check, so a mismatch fails with a clear message.
  assertShape(grad, param.shape, 'sgdStep: grad');
  // TODO: make two new Float32Arrays of param.data.length: the new θ and the new velocity.
  // TODO: for each i: g = grad + weightDecay·θ; v = momentum·velocity + g; θ − lr·v.
  // TODO: wrap both arrays as tensors with a copy of param.shape.
  return todo('return { param, velocity }: θ − lr·v and v = momentum·velocity + (grad + weightDecay·θ)');
}

/**
 * One step of Adam, for one parameter.
 *
 *   adamStep(param, grad, m, v, { lr, beta1, beta2, eps, weightDecay, step }) → { param, m, v }
 *
 * Shapes: param, grad, m and v all have the same shape; so do the three results.
 * `step` is the number of this step, counting from 1 (the first call gets step = 1).
 * Rules, element by element:
 *   g = grad + weightDecay·θ
 *   m = β₁·m + (1 − β₁)·g             (running mean of the gradient)
 *   v = β₂·v + (1 − β₂)·g²            (running mean of its square)
 *   m̂ = m / (1 − β₁^step),  v̂ = v / (1 − β₂^step)      (bias correction: m and v start at 0)
 *   θ ← θ − lr·m̂ / (√v̂ + eps)
 * Return the new θ, m and v (m and v without the hats: the hats are recomputed every step).
 *
 * Example: θ = [1], grad = [0.5], m = v = [0], step 1, lr 0.1, β₁ 0.9, β₂ 0.999, eps 1e-8
 *   m = 0.05, v = 0.00025;  m̂ = 0.5, v̂ = 0.25;  θ = 1 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.9
 *   (Adam's first step is about lr·sign(g), whatever the gradient's size.)
 */
export function adamStep(param, grad, m, v, { lr, beta1, beta2, eps, weightDecay = 0, step }) {
  // Given: a shape check, so a mismatch fails with a clear message.
  assertShape(grad, param.shape, 'adamStep: grad');
  // TODO: compute the two bias corrections once: 1 − β₁^step and 1 − β₂^step.
  // TODO: for each i: g (with weight decay), the new m and v, then m̂, v̂ and the new θ.
  // TODO: return three new tensors with a copy of param.shape.
  return todo('return { param, m, v }: θ − lr·m̂/(√v̂ + eps) with the new m and v (not the hats)');
}

/**
 * One step of AdamW (Adam with decoupled weight decay), for one parameter.
 *
 *   adamwStep(param, grad, m, v, { lr, beta1, beta2, eps, weightDecay, step }) → { param, m, v }
 *
 * Shapes and `step` as in adamStep.
 * Rules: the Adam update with g = grad (NO weight decay in g), and the decay applied straight to
 * the parameter instead, using θ before this step:
 *   θ ← θ − lr·weightDecay·θ − lr·m̂ / (√v̂ + eps)
 * Why: in Adam the decay term is divided by √v̂ like the gradient, so weights with large
 * gradients are barely decayed. Decoupling makes every weight shrink by the same factor.
 *
 * Example: as adamStep's example with weightDecay 0.1:
 *   θ = 1 − 0.1·0.1·1 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.89 (m = 0.05 and v = 0.00025, as in Adam)
 */
export function adamwStep(param, grad, m, v, { lr, beta1, beta2, eps, weightDecay = 0, step }) {
  // Given: a shape check, so a mismatch fails with a clear message.
  assertShape(grad, param.shape, 'adamwStep: grad');
  // TODO: m and v from the raw gradient g = grad, with the same bias corrections as Adam.
  // TODO: new θ = θ − lr·weightDecay·θ − lr·m̂/(√v̂ + eps).
  return todo('return { param, m, v }: the Adam update on the raw gradient, minus lr·weightDecay·θ');
}
