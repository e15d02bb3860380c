//! `Tensor::backward`: iterative topological order, one gradient store, one dispatch `match`.
//!
//! The per-op chain rules live beside their forwards in `src/ops/`; this file only orders the
//! graph, routes gradients, and undoes broadcasting (in [`GradSink::add`], the one place).

use super::op::Op;
use crate::error::{Error, Result};
use crate::ops;
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{sum_to_shape, Array, Tensor};
use std::collections::{HashMap, HashSet};

/// Collects gradients by tensor id during one backward pass.
pub struct GradSink {
    grads: HashMap<u64, Array>,
}

impl GradSink {
    /// Adds `g` to the gradient of `t`, summing away any broadcast first. Tensors that do not
    /// require grad are skipped, so backward code may call this unconditionally.
    pub fn add(&mut self, t: &Tensor, g: Array) {
        if let Err(e) = self.try_add(t, g) {
            slots::defer(e);
        }
    }

    /// [`GradSink::add`] that reports a failing `unbroadcast` (a student's, module 05).
    ///
    /// # Errors
    /// If the student's `unbroadcast` threw or returned the wrong shape.
    pub fn try_add(&mut self, t: &Tensor, g: Array) -> Result<()> {
        if !t.requires_grad() {
            return Ok(());
        }
        let shape = t.data().shape().to_vec();
        let g = if g.shape() == shape.as_slice() {
            g
        } else {
            unbroadcast(g, &shape)?
        };
        match self.grads.get_mut(&t.id()) {
            Some(acc) => *acc += &g,
            None => {
                self.grads.insert(t.id(), g);
            }
        }
        Ok(())
    }
}

/// Sums a broadcast gradient down to `shape`: the student's `unbroadcast` when installed.
fn unbroadcast(g: Array, shape: &[usize]) -> Result<Array> {
    let Some(f) = slots::get(Slot::Unbroadcast) else {
        return Ok(sum_to_shape(g, shape));
    };
    let from = g.shape().to_vec();
    let mut args = [Value::Tensor(g), Value::Shape(shape.to_vec())];
    let out = slots::invoke(Slot::Unbroadcast, &f, &mut args)?;
    value::expect_tensor(
        Slot::Unbroadcast.js_name(),
        out,
        shape,
        &format!("its result for a gradient of shape {from:?} and shape {shape:?}"),
    )
}

/// Parents-before-children order of every tensor that requires grad and leads to `root`,
/// built with an explicit stack so a 100,000-op chain does not overflow the wasm stack.
pub(crate) fn topo_order(root: &Tensor) -> Vec<Tensor> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![(root.clone(), false)];
    while let Some((t, expanded)) = stack.pop() {
        if expanded {
            order.push(t);
            continue;
        }
        if !seen.insert(t.id()) {
            continue;
        }
        stack.push((t.clone(), true));
        if let Some(op) = t.op() {
            for p in op.parents() {
                if p.requires_grad() && !seen.contains(&p.id()) {
                    stack.push((p.clone(), false));
                }
            }
        }
    }
    order
}

/// Adds `g` to a leaf's stored gradient, through the tensor's gradient hook if it has one (a
/// planted fault; see `crate::hooks::grad`).
fn store_grad(t: &Tensor, g: &Array) {
    let hooked = crate::hooks::grad::apply(t.id(), g);
    let g = hooked.as_ref().unwrap_or(g);
    let mut slot = t.0.grad.borrow_mut();
    match slot.as_mut() {
        Some(acc) => *acc += g,
        None => *slot = Some(g.clone()),
    }
}

impl Tensor {
    /// Back-propagates from a one-element tensor (the loss), adding d(self)/d(leaf) into the
    /// `.grad` of every leaf that requires grad. Gradients accumulate across calls; clear them
    /// with `zero_grad`.
    ///
    /// # Errors
    /// If the tensor has more than one element (use [`Tensor::backward_with`]), or if nothing
    /// that requires grad fed it.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::scalar(3.0).requires_grad_(true);
    /// let y = &(&x * &x) + &x;         // y = x² + x
    /// y.backward().unwrap();
    /// assert_eq!(x.grad().unwrap().item().unwrap(), 7.0); // dy/dx = 2x + 1
    /// ```
    pub fn backward(&self) -> Result<()> {
        if self.numel() != 1 {
            return Err(Error::Grad {
                op: "backward",
                msg: format!(
                    "called on a tensor of shape {:?}; backward() without a gradient needs a \
                     one-element tensor (reduce it with sum() or mean(), or use backward_with)",
                    self.shape()
                ),
            });
        }
        let seed = Array::ones(self.data().raw_dim());
        self.run_backward(seed)
    }

    /// Back-propagates with an explicit gradient of the same shape as `self`.
    ///
    /// # Errors
    /// If `grad`'s shape differs from `self`'s, or nothing that requires grad fed `self`.
    pub fn backward_with(&self, grad: &Tensor) -> Result<()> {
        if grad.shape() != self.shape() {
            return Err(crate::error::shape_err(
                "backward_with",
                &self.shape(),
                &grad.shape(),
                "the gradient must have the tensor's shape",
            ));
        }
        let seed = grad.data().clone();
        self.run_backward(seed)
    }

    fn run_backward(&self, seed: Array) -> Result<()> {
        // A student's op that failed while this loss was computed fails here at the latest.
        slots::raise_pending()?;
        if !self.requires_grad() {
            return Err(Error::Grad {
                op: "backward",
                msg: "this tensor does not require grad: no parameter or input with \
                      requires_grad fed it, or it was computed under no_grad"
                    .into(),
            });
        }
        let order = topo_order(self);
        let mut sink = GradSink {
            grads: HashMap::new(),
        };
        sink.grads.insert(self.id(), seed);
        for node in order.iter().rev() {
            let Some(g) = sink.grads.remove(&node.id()) else {
                continue;
            };
            match node.op() {
                None => store_grad(node, &g),
                Some(op) => {
                    if node.0.retain_grad.get() {
                        store_grad(node, &g);
                    }
                    if crate::hooks::profile::active() {
                        let t0 = crate::clock::now_ms();
                        dispatch(op, node, g, &mut sink)?;
                        crate::hooks::profile::add_backward(node.id(), crate::clock::now_ms() - t0);
                    } else {
                        dispatch(op, node, g, &mut sink)?;
                    }
                }
            }
        }
        slots::raise_pending()
    }
}

/// The chain rule of every op, by variant. Each arm calls the backward that sits next to the
/// op's forward in `src/ops/`.
fn dispatch(op: &Op, out: &Tensor, g: Array, sink: &mut GradSink) -> Result<()> {
    #[rustfmt::skip]
    match op {
        Op::Add(a, b) => ops::binary::add_backward(a, b, g, sink)?,
        Op::Sub(a, b) => ops::binary::sub_backward(a, b, g, sink),
        Op::Mul(a, b) => ops::binary::mul_backward(a, b, g, sink)?,
        Op::Div(a, b) => ops::binary::div_backward(a, b, g, sink),
        Op::AddScalar(a) => sink.add(a, g),
        Op::MulScalar(a, s) => sink.add(a, g * *s),
        Op::PowScalar(a, p) => ops::binary::pow_backward(a, *p, g, sink),
        Op::Unary(a, u) => ops::unary::backward(*u, a, &out.data(), g, sink),
        Op::Sum { arg, axes, keepdim, scale } => {
            ops::reduce::sum_backward(arg, axes, *keepdim, *scale, g, sink)
        }
        Op::Max { arg, argmax } => ops::reduce::max_backward(arg, argmax, g, sink),
        Op::MatMul(a, b) => ops::matmul::matmul_backward(a, b, g, sink)?,
        Op::Reshape(a) => ops::movement::reshape_backward(a, g, sink),
        Op::Permute(a, perm) => ops::movement::permute_backward(a, perm, g, sink),
        Op::Slice(a, s) => ops::movement::slice_backward(a, s, g, sink),
        Op::Cat(ts, axis) => ops::movement::cat_backward(ts, *axis, g, sink),
        Op::Softmax { arg, axis } => ops::softmax::softmax_backward(arg, *axis, &out.data(), g, sink),
        Op::LogSoftmax { arg, axis } => {
            ops::softmax::log_softmax_backward(arg, *axis, &out.data(), g, sink)
        }
        Op::CrossEntropy { logits, targets, probs } => {
            ops::loss::cross_entropy_backward(logits, targets, probs, g, sink)
        }
        Op::Bce { p, y } => ops::loss::bce_backward(p, y, g, sink),
        Op::BceWithLogits { z, y } => ops::loss::bce_logits_backward(z, y, g, sink),
        Op::Conv2d { input, weight, bias, geom, cols } => {
            ops::conv::conv2d_backward(input, weight, bias.as_ref(), geom, cols, g, sink)?
        }
        Op::MaxPool2d { input, argmax, geom } => ops::pool::max_pool_backward(input, argmax, geom, g, sink),
        Op::AvgPool2d { input, geom } => ops::pool::avg_pool_backward(input, geom, g, sink),
        Op::BatchNorm2d { input, gamma, beta, xhat, inv_std, batch } => {
            ops::batchnorm::batch_norm_backward(input, gamma, beta, xhat, inv_std, *batch, g, sink)
        }
        Op::Embedding { weight, ids } => ops::embedding::embedding_backward(weight, ids, g, sink),
        Op::LayerNorm { input, gamma, beta, xhat, inv_std } => {
            ops::layernorm::layer_norm_backward(input, gamma, beta, xhat, inv_std, g, sink)
        }
        Op::MaskedFill { arg, mask } => ops::mask::masked_fill_backward(arg, mask, g, sink),
        Op::BiasGelu { x, bias } => ops::fused::bias_gelu_backward(x, bias, g, sink),
        Op::Custom { args, op } => {
            let grads = op.backward(args, &out.data(), &g)?;
            for (a, ga) in args.iter().zip(grads) {
                if let Some(ga) = ga {
                    if ga.shape() != a.data().shape() {
                        return Err(crate::error::shape_err(
                            "custom op backward",
                            &a.shape(),
                            ga.shape(),
                            format!("'{}' returned a gradient of the wrong shape", op.name()),
                        ));
                    }
                    sink.add(a, ga);
                }
            }
        }
    };
    Ok(())
}
