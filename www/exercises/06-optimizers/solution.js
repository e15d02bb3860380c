// Module 06 Optimizers: the reference solution (SGD with momentum and weight decay, Adam, AdamW).
//
// Each function updates ONE parameter tensor. The lab keeps the optimizer state (velocity, or
// m and v) between steps and hands it back on the next call, so every function returns the new
// state next to the new parameter and never modifies its arguments.
//
// These run once per parameter per training step inside the integration suites, so they are
// single passes over Float32Arrays with no per-element allocation.

import { assertShape } from './helpers.js';

/** A tensor of `shape` around freshly computed `data` (the shape is copied, never shared). */
function like(shape, data) {
  return { data, shape: [...shape] };
}

/**
 * One SGD step with momentum and L2 weight decay.
 * g = grad + weightDecay·θ;  v = momentum·velocity + g;  θ ← θ − lr·v.
 */
export function sgdStep(param, grad, velocity, { lr, momentum = 0, weightDecay = 0 }) {
  assertShape(grad, param.shape, 'sgdStep: grad');
  assertShape(velocity, param.shape, 'sgdStep: velocity');
  const theta = param.data;
  const gIn = grad.data;
  const vIn = velocity.data;
  const n = theta.length;
  const next = new Float32Array(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Weight decay is folded into the gradient: it pulls θ towards 0.
    const g = gIn[i] + weightDecay * theta[i];
    // The velocity is a running sum of past gradients, shrunk by `momentum` each step.
    const vi = momentum * vIn[i] + g;
    v[i] = vi;
    next[i] = theta[i] - lr * vi;
  }
  return { param: like(param.shape, next), velocity: like(param.shape, v) };
}

/**
 * The moment updates shared by Adam and AdamW. `decayInGrad` is the weight decay added to the
 * gradient (Adam's L2 penalty) and `decoupled` the one applied straight to θ (AdamW).
 */
function adamUpdate(param, grad, m, v, opts, decayInGrad, decoupled, name) {
  assertShape(grad, param.shape, `${name}: grad`);
  assertShape(m, param.shape, `${name}: m`);
  assertShape(v, param.shape, `${name}: v`);
  const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, step } = opts;
  if (!(step >= 1)) throw new Error(`${name}: step counts from 1, got ${step}`);
  // The moments start at 0, so early on they are biased towards 0; dividing by 1 − βᵗ undoes it.
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  const theta = param.data;
  const gIn = grad.data;
  const mIn = m.data;
  const vIn = v.data;
  const n = theta.length;
  const next = new Float32Array(n);
  const mOut = new Float32Array(n);
  const vOut = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = gIn[i] + decayInGrad * theta[i];
    const mi = beta1 * mIn[i] + (1 - beta1) * g;
    const vi = beta2 * vIn[i] + (1 - beta2) * g * g;
    mOut[i] = mi;
    vOut[i] = vi;
    const mHat = mi / bc1;
    const vHat = vi / bc2;
    // Decoupled decay shrinks θ itself, independently of the gradient's scale.
    const shrunk = theta[i] - lr * decoupled * theta[i];
    next[i] = shrunk - (lr * mHat) / (Math.sqrt(vHat) + eps);
  }
  return { param: like(param.shape, next), m: like(param.shape, mOut), v: like(param.shape, vOut) };
}

/**
 * One Adam step. Weight decay (if any) is the classic L2 penalty added to the gradient, so it is
 * rescaled by Adam's per-element step size like the rest of g.
 */
export function adamStep(param, grad, m, v, opts) {
  const weightDecay = opts.weightDecay ?? 0;
  return adamUpdate(param, grad, m, v, opts, weightDecay, 0, 'adamStep');
}

/**
 * One AdamW step: the Adam update on the raw gradient, plus θ ← θ − lr·weightDecay·θ applied
 * directly to the parameter (decoupled from the adaptive scaling).
 */
export function adamwStep(param, grad, m, v, opts) {
  const weightDecay = opts.weightDecay ?? 0;
  return adamUpdate(param, grad, m, v, opts, 0, weightDecay, 'adamwStep');
}
