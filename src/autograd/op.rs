//! `enum Op`: one variant per recorded operation, with its parents inside (candle's design).
//!
//! Adding a variant makes the compiler list every place that needs it: `parents`,
//! `name` here and the dispatch in `backward.rs`.

use crate::error::Result;
use crate::tensor::{Array, Tensor};
use std::rc::Rc;

/// Element-wise functions of one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Exp,
    Log,
    Sqrt,
    Tanh,
    Sigmoid,
    Relu,
    Gelu,
    Abs,
}

impl UnaryOp {
    /// The op's name as shown in graphs and reports.
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Sigmoid => "sigmoid",
            UnaryOp::Relu => "relu",
            UnaryOp::Gelu => "gelu",
            UnaryOp::Abs => "abs",
        }
    }
}

/// An operation whose backward is supplied from outside the core (a fault-injection wrapper
/// today; a student's JavaScript layer later).
pub trait CustomOp {
    /// Name shown in graphs and reports.
    fn name(&self) -> &str;
    /// One gradient per input (`None` when that input gets none), given the output and its
    /// gradient. Shapes must match the inputs'.
    fn backward(
        &self,
        inputs: &[Tensor],
        output: &Array,
        grad: &Array,
    ) -> Result<Vec<Option<Array>>>;
}

/// A recorded operation and the tensors it was computed from.
pub enum Op {
    Add(Tensor, Tensor),
    Sub(Tensor, Tensor),
    Mul(Tensor, Tensor),
    Div(Tensor, Tensor),
    /// `x + c`: the constant does not matter to backward.
    AddScalar(Tensor),
    MulScalar(Tensor, f32),
    PowScalar(Tensor, f32),
    Unary(Tensor, UnaryOp),
    /// Sum over `axes` (all when empty), times `scale` (`1/n` makes it a mean).
    Sum {
        arg: Tensor,
        axes: Vec<usize>,
        keepdim: bool,
        scale: f32,
    },
    /// Max over one axis or all; `argmax` holds flat indices into `arg` (first maximum wins).
    Max {
        arg: Tensor,
        argmax: Vec<usize>,
    },
    MatMul(Tensor, Tensor),
    Reshape(Tensor),
    Permute(Tensor, Vec<usize>),
    Slice(Tensor, Vec<ndarray::Slice>),
    Cat(Vec<Tensor>, usize),
    Softmax {
        arg: Tensor,
        axis: usize,
    },
    LogSoftmax {
        arg: Tensor,
        axis: usize,
    },
    /// Mean cross-entropy of (N, C) logits against class ids; `probs` is softmax(logits).
    CrossEntropy {
        logits: Tensor,
        targets: Rc<[usize]>,
        probs: Array,
    },
    /// Mean binary cross-entropy of probabilities `p` (clipped) against targets `y`.
    Bce {
        p: Tensor,
        y: Array,
    },
    /// Mean binary cross-entropy on logits, computed stably.
    BceWithLogits {
        z: Tensor,
        y: Array,
    },
    /// Convolution as im2col + GEMM; `cols` holds the `K × P` patch matrix of each sample of `input`.
    Conv2d {
        input: Tensor,
        weight: Tensor,
        bias: Option<Tensor>,
        geom: crate::ops::conv::Conv2dGeom,
        cols: Vec<f32>,
    },
    /// Max pooling; `argmax` holds the flat input index each output came from.
    MaxPool2d {
        input: Tensor,
        argmax: Vec<u32>,
        geom: crate::ops::conv::Conv2dGeom,
    },
    AvgPool2d {
        input: Tensor,
        geom: crate::ops::conv::Conv2dGeom,
    },
    /// Batch norm; `xhat` is the normalised input, `batch` whether batch statistics were used.
    BatchNorm2d {
        input: Tensor,
        gamma: Tensor,
        beta: Tensor,
        xhat: Array,
        inv_std: Vec<f32>,
        batch: bool,
    },
    /// Rows of a `(V, D)` table; backward scatter-adds into the looked-up rows.
    Embedding {
        weight: Tensor,
        ids: Rc<[usize]>,
    },
    /// Layer norm over the last axis; `xhat` is the normalised input.
    LayerNorm {
        input: Tensor,
        gamma: Tensor,
        beta: Tensor,
        xhat: Array,
        inv_std: Vec<f32>,
    },
    /// Masked fill; `mask` (0/1, full shape) marks the positions that kept their value.
    MaskedFill {
        arg: Tensor,
        mask: Array,
    },
    /// Fused `gelu(x + bias)` (module 18).
    BiasGelu {
        x: Tensor,
        bias: Tensor,
    },
    Custom {
        args: Vec<Tensor>,
        op: Rc<dyn CustomOp>,
    },
}

impl Op {
    /// The operation's name, e.g. `"matmul"`.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Add(..) | Op::AddScalar(..) => "add",
            Op::Sub(..) => "sub",
            Op::Mul(..) | Op::MulScalar(..) => "mul",
            Op::Div(..) => "div",
            Op::PowScalar(..) => "pow",
            Op::Unary(_, u) => u.name(),
            Op::Sum { .. } => "sum",
            Op::Max { .. } => "max",
            Op::MatMul(..) => "matmul",
            Op::Reshape(..) => "reshape",
            Op::Permute(..) => "permute",
            Op::Slice(..) => "slice",
            Op::Cat(..) => "cat",
            Op::Softmax { .. } => "softmax",
            Op::LogSoftmax { .. } => "log_softmax",
            Op::CrossEntropy { .. } => "cross_entropy",
            Op::Bce { .. } => "bce",
            Op::BceWithLogits { .. } => "bce_with_logits",
            Op::Conv2d { .. } => "conv2d",
            Op::MaxPool2d { .. } => "max_pool2d",
            Op::AvgPool2d { .. } => "avg_pool2d",
            Op::BatchNorm2d { .. } => "batch_norm2d",
            Op::Embedding { .. } => "embedding",
            Op::LayerNorm { .. } => "layer_norm",
            Op::MaskedFill { .. } => "masked_fill",
            Op::BiasGelu { .. } => "bias_gelu",
            Op::Custom { .. } => "custom",
        }
    }

    /// The tensors this op read.
    pub fn parents(&self) -> Vec<&Tensor> {
        match self {
            Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) | Op::Div(a, b) | Op::MatMul(a, b) => {
                vec![a, b]
            }
            Op::AddScalar(a)
            | Op::MulScalar(a, _)
            | Op::PowScalar(a, _)
            | Op::Unary(a, _)
            | Op::Reshape(a)
            | Op::Permute(a, _)
            | Op::Slice(a, _) => vec![a],
            Op::Sum { arg, .. }
            | Op::Max { arg, .. }
            | Op::Softmax { arg, .. }
            | Op::LogSoftmax { arg, .. } => vec![arg],
            Op::CrossEntropy { logits, .. } => vec![logits],
            Op::Bce { p, .. } => vec![p],
            Op::BceWithLogits { z, .. } => vec![z],
            Op::Cat(ts, _) | Op::Custom { args: ts, .. } => ts.iter().collect(),
            Op::BiasGelu { x, bias } => vec![x, bias],
            Op::Embedding { weight, .. } => vec![weight],
            Op::LayerNorm {
                input, gamma, beta, ..
            } => vec![input, gamma, beta],
            Op::MaskedFill { arg, .. } => vec![arg],
            Op::Conv2d {
                input,
                weight,
                bias,
                ..
            } => {
                let mut v = vec![input, weight];
                v.extend(bias.iter());
                v
            }
            Op::MaxPool2d { input, .. } | Op::AvgPool2d { input, .. } => vec![input],
            Op::BatchNorm2d {
                input, gamma, beta, ..
            } => vec![input, gamma, beta],
        }
    }

    /// Consumes the op, handing back its parents (used to drop long graphs iteratively).
    /// The handles are clones (a reference-count bump each), so dropping the op here releases
    /// only its own references and never starts a recursive drop of a parent.
    pub(crate) fn into_parents(self) -> Vec<Tensor> {
        self.parents().into_iter().cloned().collect()
    }
}
