// Module 06 Optimizers: two hints per function (the idea, then a targeted hint). No solutions.

export const HINTS = {
  sgdStep: [
    'Everything is element by element: one loop over `param.data` computes g, the new velocity and the new θ for index i. The velocity is the state you must hand back, so the next step can build on it.',
    'Compute `g = grad[i] + weightDecay * θ[i]` (plus: decay pulls towards 0), then `v = momentum * velocity[i] + g`, then `θ[i] - lr * v`. Step with v, not g, and return v as `velocity`: returning the old buffer means momentum never builds up.',
  ],
  adamStep: [
    'Adam keeps two running means per element: m of the gradient and v of its square. Because both start at 0 they are too small early on; dividing by `1 - beta ** step` corrects that, so the first step is about `lr` in the direction of −g.',
    'Compute `1 - beta1 ** step` and `1 - beta2 ** step` once, before the loop (`step` is already 1 on the first call: do not add or subtract 1). Store the uncorrected m and v in the results; `eps` goes outside the square root: `Math.sqrt(vHat) + eps`.',
  ],
  adamwStep: [
    'AdamW is Adam on the raw gradient plus a separate shrink of θ. Adding the decay to g (as Adam does) lets √v̂ rescale it; applying it to θ directly makes every weight shrink by the same factor `1 - lr * weightDecay`.',
    'Leave `g = grad[i]` untouched, compute m, v, m̂ and v̂ exactly as in Adam, then `θ[i] - lr * weightDecay * θ[i] - lr * mHat / (Math.sqrt(vHat) + eps)` with θ[i] the value before this step. The decay is multiplied by `lr`.',
  ],
};
