// Module 05 Autograd: two hints per function (the idea, then a targeted hint).

export const HINTS = {
  unbroadcast: [
    'Broadcasting reused one input element for several output elements, so that element\'s gradient is the sum of theirs. Unbroadcasting is the same reading rule as broadcasting, run backwards: add each gradient into the element it was read from.',
    'For grad element i, take `indexOf(i, grad.shape)`, drop the extra leading entries, zero the entries where `shape` is 1, and add into that offset of the output. Sum, do not average, and still sum a size-1 axis when the ranks are equal: `[4, 3]` to `[4, 1]` must give shape `[4, 1]`.',
  ],
  addBackward: [
    'Addition passes the gradient through unchanged to both inputs: ∂(a + b)/∂a = 1.',
    'Return two new tensors with grad\'s data and shape. Broadcasting is handled afterwards by your `unbroadcast`, so there is nothing to sum here.',
  ],
  mulBackward: [
    'For y = a·b, nudging a by ε changes y by ε·b: each input\'s gradient is grad times the OTHER input.',
    'ga uses b and gb uses a (swapping them is the usual slip, and it only shows when a ≠ b). Line the other input up with grad via `broadcastTo(b, grad.shape)` before multiplying element by element.',
  ],
  matmulBackward: [
    'For y = a·b, the gradient of a is grad times b transposed, and the gradient of b is a transposed times grad. Let the shapes guide you: the result must have the input\'s shape.',
    'ga must be (…, n, k) and grad is (…, n, m): which of b (k, m) or its transpose (m, k) can follow grad to give (n, k)? Reason the same way for gb (…, k, m). A square test case can hide a missing transpose; try a (2, 3)·(3, 4) product.',
  ],
  reluBackward: [
    'ReLU has slope 1 where its input is positive and slope 0 elsewhere, so the gradient either passes or stops.',
    'The mask is `x.data[i] > 0`, the sign of the forward input, not the sign of grad. At exactly x = 0 the contract says 0.',
  ],
  sigmoidBackward: [
    'The sigmoid\'s slope can be written with its own output: σ\' = σ(1 − σ), and the output y is saved for exactly this.',
    'Use `y.data[i]`, not `x.data[i]`: `x·(1 − x)` is not the slope of the sigmoid. Check: y = 0.5 gives a slope of 0.25.',
  ],
  tanhBackward: [
    'Like the sigmoid, tanh\'s slope is a function of its output: tanh\' = 1 − tanh².',
    'y already holds tanh(x), so the slope is `1 - y * y`; applying `Math.tanh` to y again is a common slip. Check: y = 0.5 gives 0.75.',
  ],
  sumBackward: [
    'Every input element was added into one output element with weight 1, so it simply receives that output\'s gradient: copy grad back along the summed axes.',
    'First give grad the keepdim shape (inputShape with the summed axes set to 1; the data does not move), then broadcast to inputShape. Broadcasting the reduced shape directly aligns from the right: for input `[3, 3]` summed over axis 1, grad `[3]` would land on the wrong axis.',
  ],
  meanBackward: [
    'A mean is a sum divided by the count, so its gradient is the sum\'s gradient divided by the count.',
    'The count is the product of `inputShape[ax]` over the averaged axes (all of them when every axis was averaged). Forgetting the division makes the gradients count times too big.',
  ],
  crossEntropyBackward: [
    'The gradient of softmax followed by −log at the true class, with respect to the logits, is simply softmax minus the one-hot vector of the label.',
    'Compute each row\'s softmax with the max shift, subtract 1 at `labels[r]`, and multiply everything by `grad / N`: the forward loss was a mean over N rows. Watch the sign: the true class\'s entry is negative.',
  ],
};
