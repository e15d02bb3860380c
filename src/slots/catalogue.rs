//! The catalogue of slots: each slot's course module, JavaScript signature, contract and the
//! places in the framework that call it (what `listSlots()` gives the pages).

use serde::Serialize;

macro_rules! slots {
    ($( $variant:ident $js:literal $module:literal $sig:literal $contract:literal $used:literal; )*) => {
        /// A named place in the framework that an outside implementation can fill.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Slot { $($variant),* }

        impl Slot {
            /// Every slot, in course order.
            pub const ALL: &'static [Slot] = &[$(Slot::$variant),*];

            /// The JavaScript function name the student exports, e.g. `"reluBackward"`.
            pub fn js_name(self) -> &'static str {
                match self { $(Slot::$variant => $js),* }
            }

            /// Everything the catalogue says about this slot.
            pub fn info(self) -> SlotInfo {
                match self {
                    $(Slot::$variant => SlotInfo {
                        name: $js, module: $module, signature: $sig, contract: $contract, used_by: $used,
                    }),*
                }
            }
        }
    };
}

slots! {
    BroadcastShape "broadcastShape" 1 "broadcastShape(a: number[], b: number[]) → number[]"
        "NumPy broadcasting: align the shapes from the right; each pair of sizes must be equal or one of them 1. Incompatible shapes: throw an Error whose message names both shapes."
        "the output shape of every element-wise op";
    Add "add" 1 "add(a: Tensor, b: Tensor) → Tensor"
        "a + b element by element, broadcasting both to broadcastShape(a.shape, b.shape)."
        "Tensor.add: Linear's bias, residual connections";
    Mul "mul" 1 "mul(a: Tensor, b: Tensor) → Tensor"
        "a · b element by element, with broadcasting."
        "Tensor.mul: squared errors, masks";
    Matmul "matmul" 1 "matmul(a: Tensor, b: Tensor) → Tensor"
        "a (…, n, k) times b (…, k, m) → (…, n, m); the leading (batch) axes broadcast. Different k: throw an Error naming both shapes."
        "every matrix product: Linear, batched matmul";
    Sum "sum" 1 "sum(x: Tensor, axis: number | null, keepdim: boolean) → Tensor"
        "Sum over one axis (0 ≤ axis < ndim), or over every element when axis is null (shape [] or all ones with keepdim); keepdim keeps the summed axis as size 1."
        "every sum and mean: losses, batch means";
    Relu "relu" 2 "relu(x: Tensor) → Tensor" "max(0, v) for every value." "ReLU layers";
    Sigmoid "sigmoid" 2 "sigmoid(x: Tensor) → Tensor"
        "1/(1 + e^−v) for v ≥ 0 and e^v/(1 + e^v) for v < 0: finite for every input, ±1000 included."
        "Sigmoid layers";
    Tanh "tanh" 2 "tanh(x: Tensor) → Tensor" "tanh(v) for every value." "Tanh layers";
    Gelu "gelu" 2 "gelu(x: Tensor) → Tensor"
        "0.5·v·(1 + tanh(√(2/π)·(v + 0.044715·v³))), the tanh form." "GELU layers";
    Softmax "softmax" 2 "softmax(x: Tensor) → Tensor"
        "Over the last axis: e^(v − max) / Σ e^(v − max) per row. Rows sum to 1 and stay finite for values like 1000."
        "Softmax over the last axis";
    LinearForward "linearForward" 3 "linearForward(x: Tensor, weight: Tensor, bias: Tensor | null) → Tensor"
        "x (N, in) · weight (in, out) + bias (out,) → (N, out); no bias when bias is null."
        "every Linear layer's forward (the lab supplies its backward)";
    LinearInit "linearInit" 3 "linearInit(inFeatures: number, outFeatures: number, randn: () => number) → { weight, bias }"
        "weight (in, out) with weight[i][j] = randn()·√(1/in), drawn in row-major order; bias (out,) of zeros. randn() is the lab's seeded normal generator."
        "every new Linear layer";
    DropoutForward "dropoutForward" 3 "dropoutForward(x: Tensor, p: number, training: boolean, random: () => number) → Tensor"
        "In training with p > 0: for each value in row-major order draw u = random(); keep it scaled by 1/(1 − p) when u < 1 − p, else 0. Not training, or p = 0: x unchanged."
        "every Dropout layer";
    MseLoss "mseLoss" 4 "mseLoss(pred: Tensor, target: Tensor) → number"
        "The mean over every element of (pred − target)²." "mse loss in training and checks";
    CrossEntropyLoss "crossEntropyLoss" 4 "crossEntropyLoss(logits: Tensor, labels: Int32Array) → number"
        "logits (N, C), labels (N,) class ids: −mean over rows of log_softmax(logits)[n, labels[n]], with the log-sum-exp trick (finite for logits of 1000)."
        "cross-entropy loss (classifiers)";
    BceLoss "bceLoss" 4 "bceLoss(probs: Tensor, targets: Tensor) → number"
        "Clip probs to [1e-7, 1 − 1e-7]; the mean of −[t·log p + (1 − t)·log(1 − p)]."
        "binary cross-entropy loss";
    Unbroadcast "unbroadcast" 5 "unbroadcast(grad: Tensor, shape: number[]) → Tensor"
        "Sum grad down to shape: sum away extra leading axes, and sum (keeping the axis) where shape has 1 and grad does not."
        "every gradient that reaches a broadcast operand (Linear's bias)";
    AddBackward "addBackward" 5 "addBackward(grad: Tensor, a: Tensor, b: Tensor) → [Tensor, Tensor]"
        "The gradients of a + b for a and b; each may keep the output's shape (unbroadcast reduces it)."
        "the backward of every add";
    MulBackward "mulBackward" 5 "mulBackward(grad: Tensor, a: Tensor, b: Tensor) → [Tensor, Tensor]"
        "[grad·b, grad·a] (with broadcast values)." "the backward of every element-wise multiply";
    MatmulBackward "matmulBackward" 5 "matmulBackward(grad: Tensor, a: Tensor, b: Tensor) → [Tensor, Tensor]"
        "a (…, n, k), b (…, k, m), grad (…, n, m): [grad·bᵀ, aᵀ·grad] for every batch entry."
        "the backward of every matmul (Linear's weight and input)";
    ReluBackward "reluBackward" 5 "reluBackward(grad: Tensor, x: Tensor, y: Tensor) → Tensor"
        "grad where the input x > 0, else 0." "the backward of ReLU layers";
    SigmoidBackward "sigmoidBackward" 5 "sigmoidBackward(grad: Tensor, x: Tensor, y: Tensor) → Tensor"
        "grad·y·(1 − y), y the output." "the backward of Sigmoid layers";
    TanhBackward "tanhBackward" 5 "tanhBackward(grad: Tensor, x: Tensor, y: Tensor) → Tensor"
        "grad·(1 − y²), y the output." "the backward of Tanh layers";
    SumBackward "sumBackward" 5 "sumBackward(grad: Tensor, inputShape: number[], axes: number[], keepdim: boolean) → Tensor"
        "axes (sorted) were summed: copy grad back along them → shape inputShape."
        "the backward of every sum";
    MeanBackward "meanBackward" 5 "meanBackward(grad: Tensor, inputShape: number[], axes: number[], keepdim: boolean) → Tensor"
        "As sumBackward, divided by the number of values averaged." "the backward of every mean (MSE)";
    CrossEntropyBackward "crossEntropyBackward" 5 "crossEntropyBackward(grad: number, logits: Tensor, labels: Int32Array) → Tensor"
        "(softmax(logits) − onehot(labels))·grad/N, shape (N, C)." "the backward of cross-entropy";
    SgdStep "sgdStep" 6 "sgdStep(param, grad, velocity, { lr, momentum, weightDecay }) → { param, velocity }"
        "g = grad + weightDecay·θ; v = momentum·velocity + g; θ − lr·v. velocity starts at zeros."
        "every SGD step";
    AdamStep "adamStep" 6 "adamStep(param, grad, m, v, { lr, beta1, beta2, eps, weightDecay, step }) → { param, m, v }"
        "g = grad + weightDecay·θ; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²; θ − lr·m̂/(√v̂ + eps) with m̂ = m/(1 − β₁^step), v̂ = v/(1 − β₂^step); step counts from 1."
        "every Adam step";
    AdamwStep "adamwStep" 6 "adamwStep(param, grad, m, v, { lr, beta1, beta2, eps, weightDecay, step }) → { param, m, v }"
        "The Adam update with g = grad (no decay in g), plus θ ← θ − lr·weightDecay·θ (decoupled)."
        "every AdamW step";
    ClipGradNorm "clipGradNorm" 7 "clipGradNorm(grads: Tensor[], maxNorm: number) → number"
        "The global L2 norm of all grads; above maxNorm, scale every grad's data in place by maxNorm/norm. Returns the norm before clipping."
        "gradient clipping in the Trainer";
    TrainEpoch "trainEpoch" 7 "trainEpoch({ model, batches, lossFn, optimizer, accumulationSteps, clipNorm, api }) → number"
        "One epoch: zeroGrad; per batch forward, loss, backward of loss/g (g the batch's accumulation group size); after each group clip (if clipNorm), step, zeroGrad. Returns the mean loss."
        "every Trainer epoch (training_flow, dataloader_integration, the digits milestone)";
    BatchIndices "batchIndices" 8 "batchIndices(n: number, batchSize: number, shuffle: boolean, dropLast: boolean, random: () => number) → number[][]"
        "One epoch's batches of row indices: 0..n−1 in order, or shuffled by Fisher–Yates with random() (for i from n − 1 down to 1, j = ⌊random()·(i + 1)⌋, swap); batches of batchSize; the last partial batch kept unless dropLast."
        "every DataLoader epoch";
    Im2col "im2col" 9 "im2col(x: Tensor, kh: number, kw: number, stride: number, padding: number) → Tensor"
        "x (N, C, H, W) → (N, C·kh·kw, OH·OW): row (c·kh + i)·kw + j, column oy·OW + ox holds x[n, c, oy·s + i − p, ox·s + j − p], 0 in the padding."
        "the patches of every Conv2d (forward and weight gradient)";
    Conv2dForward "conv2dForward" 9 "conv2dForward(x: Tensor, weight: Tensor, bias: Tensor | null, stride: number, padding: number) → Tensor"
        "Cross-correlation: x (N, C, H, W), weight (O, C, kh, kw), bias (O,) or null → (N, O, OH, OW), OH = ⌊(H + 2p − kh)/s⌋ + 1."
        "every Conv2d forward";
    Conv2dBackward "conv2dBackward" 9 "conv2dBackward(grad: Tensor, x: Tensor, weight: Tensor, stride: number, padding: number) → { dx, dweight, dbias }"
        "grad (N, O, OH, OW) → the gradients of x, weight and the bias (O,)."
        "every Conv2d backward";
    MaxPool2dForward "maxPool2dForward" 9 "maxPool2dForward(x: Tensor, kernel: number, stride: number) → Tensor"
        "(N, C, H, W) → (N, C, OH, OW): the maximum of each kernel × kernel window (no padding)."
        "every MaxPool2d forward";
    MaxPool2dBackward "maxPool2dBackward" 9 "maxPool2dBackward(grad: Tensor, x: Tensor, kernel: number, stride: number) → Tensor"
        "dx of x's shape: each window's gradient goes to its first maximum (row-major), 0 elsewhere."
        "every MaxPool2d backward";
}

/// A slot as the pages list it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SlotInfo {
    /// The JavaScript function name, e.g. `"relu"`.
    pub name: &'static str,
    /// The course module whose exercise writes it.
    pub module: u32,
    /// The function's signature in JavaScript terms.
    pub signature: &'static str,
    /// What it must compute.
    pub contract: &'static str,
    /// Where the framework calls it.
    pub used_by: &'static str,
}

impl Slot {
    /// The slot whose JavaScript name is `name`.
    pub fn parse(name: &str) -> Option<Slot> {
        Slot::ALL.iter().copied().find(|s| s.js_name() == name)
    }

    /// The slots of course module `module`, in order.
    pub fn of_module(module: u32) -> Vec<Slot> {
        Slot::ALL
            .iter()
            .copied()
            .filter(|s| s.info().module == module)
            .collect()
    }
}
