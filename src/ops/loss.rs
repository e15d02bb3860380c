//! Fused loss ops whose derived forms would be slow or unstable: cross-entropy on logits,
//! binary cross-entropy on probabilities, and binary cross-entropy on logits.

use super::softmax::softmax_lane;
use crate::autograd::{GradSink, Op};
use crate::error::{shape_err, Error, Result};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{Array, Tensor};
use ndarray::{IxDyn, Zip};
use std::rc::Rc;

/// Probabilities are clipped to `[EPS, 1 − EPS]` before the log (TinyTorch's EPSILON).
pub const BCE_EPS: f32 = 1e-7;

/// A cross-entropy target equal to this is ignored: it adds nothing to the loss or the mean's
/// count (PyTorch's `ignore_index`; from a float label tensor it is written −1).
pub const IGNORE: usize = usize::MAX;

impl Tensor {
    /// Mean cross-entropy of `(N, C)` logits against integer class ids (`targets.len() == N`),
    /// computed from a stable log-softmax.
    ///
    /// # Errors
    /// If the logits are not 2-D, N is 0, the counts differ, or a class id is ≥ C.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let logits = Tensor::zeros(&[2, 3]);
    /// let loss = logits.try_cross_entropy(&[0, 2]).unwrap().item().unwrap();
    /// assert!((loss - 3f32.ln()).abs() < 1e-6); // uniform over 3 classes
    /// ```
    pub fn try_cross_entropy(&self, targets: &[usize]) -> Result<Tensor> {
        let shape = self.shape();
        if shape.len() != 2 {
            return Err(Error::Arg {
                op: "cross_entropy",
                msg: format!("logits must be (N, C), got shape {shape:?}"),
            });
        }
        let (n, c) = (shape[0], shape[1]);
        if n == 0 {
            return Err(Error::Arg {
                op: "cross_entropy",
                msg: "empty batch (N = 0)".into(),
            });
        }
        if targets.len() != n {
            return Err(shape_err(
                "cross_entropy",
                &shape,
                &[targets.len()],
                "one target per row of logits",
            ));
        }
        if let Some((i, &t)) = targets
            .iter()
            .enumerate()
            .find(|(_, &t)| t >= c && t != IGNORE)
        {
            return Err(Error::Arg {
                op: "cross_entropy",
                msg: format!("target {t} at position {i} is out of range for {c} classes"),
            });
        }
        let counted = targets.iter().filter(|&&t| t != IGNORE).count();
        if counted == 0 {
            return Err(Error::Arg {
                op: "cross_entropy",
                msg: "every target is ignored (−1): nothing to average".into(),
            });
        }
        let mut probs = self.data().clone();
        let mut loss = 0.0f64;
        for (row, &t) in probs
            .as_slice_mut()
            .expect("standard")
            .chunks_mut(c)
            .zip(targets)
        {
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let lse = m + libm::logf(row.iter().map(|&x| libm::expf(x - m)).sum::<f32>());
            if t != IGNORE {
                loss += (lse - row[t]) as f64;
            }
            softmax_lane(row);
        }
        let mut value = Array::from_elem(IxDyn(&[]), (loss / counted as f64) as f32);
        // A student's crossEntropyLoss (module 04) computes the value; its backward needs the
        // lab's probabilities either way (or module 05's crossEntropyBackward).
        if counted == n {
            slots::note_if_installed(Slot::CrossEntropyBackward);
            let theirs = slots::checked_result(
                Slot::CrossEntropyLoss,
                || vec![Value::tensor(&self.data()), Value::Labels(targets.to_vec())],
                |v, _| {
                    value::expect_number(
                        Slot::CrossEntropyLoss.js_name(),
                        &v,
                        &format!("its result for logits of shape {shape:?}"),
                    )
                },
            );
            if let Some(l) = theirs {
                value.fill(l as f32);
            }
        }
        let op = Op::CrossEntropy {
            logits: self.clone(),
            targets: Rc::from(targets),
            probs,
        };
        Ok(Tensor::from_op(value, op))
    }

    /// Mean binary cross-entropy of probabilities `self` in (0, 1) against targets in [0, 1]
    /// of the same shape. Probabilities are clipped to `[1e-7, 1 − 1e-7]`.
    ///
    /// # Errors
    /// If the shapes differ or the tensor is empty.
    pub fn try_bce(&self, target: &Tensor) -> Result<Tensor> {
        check_same("bce", self, target)?;
        let y = target.data().clone();
        let mut total = 0.0f64;
        Zip::from(&*self.data()).and(&y).for_each(|&p, &y| {
            let p = p.clamp(BCE_EPS, 1.0 - BCE_EPS);
            total -= (y * libm::logf(p) + (1.0 - y) * libm::logf(1.0 - p)) as f64;
        });
        let mut value = Array::from_elem(IxDyn(&[]), (total / y.len() as f64) as f32);
        let shape = self.shape();
        let theirs = slots::checked_result(
            Slot::BceLoss,
            || vec![Value::tensor(&self.data()), Value::tensor(&y)],
            |v, _| {
                value::expect_number(
                    Slot::BceLoss.js_name(),
                    &v,
                    &format!("its result for probabilities of shape {shape:?}"),
                )
            },
        );
        if let Some(l) = theirs {
            value.fill(l as f32);
        }
        Ok(Tensor::from_op(value, Op::Bce { p: self.clone(), y }))
    }

    /// Mean binary cross-entropy on logits: `max(z, 0) − z·y + ln(1 + e^−|z|)`, stable for
    /// any z (no sigmoid is taken first).
    ///
    /// # Errors
    /// If the shapes differ or the tensor is empty.
    pub fn try_bce_with_logits(&self, target: &Tensor) -> Result<Tensor> {
        check_same("bce_with_logits", self, target)?;
        let y = target.data().clone();
        let mut total = 0.0f64;
        Zip::from(&*self.data()).and(&y).for_each(|&z, &y| {
            total += (z.max(0.0) - z * y + libm::log1pf(libm::expf(-z.abs()))) as f64;
        });
        let value = Array::from_elem(IxDyn(&[]), (total / y.len() as f64) as f32);
        Ok(Tensor::from_op(
            value,
            Op::BceWithLogits { z: self.clone(), y },
        ))
    }
}

fn check_same(op: &'static str, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.shape() != b.shape() {
        return Err(shape_err(
            op,
            &a.shape(),
            &b.shape(),
            "prediction and target shapes differ",
        ));
    }
    if a.numel() == 0 {
        return Err(Error::Arg {
            op,
            msg: "empty batch".into(),
        });
    }
    Ok(())
}

// L = −mean_i log softmax(z_i)[t_i] ⇒ dL/dz_i = (softmax(z_i) − onehot(t_i)) / N.
pub(crate) fn cross_entropy_backward(
    logits: &Tensor,
    targets: &[usize],
    probs: &Array,
    g: Array,
    sink: &mut GradSink,
) {
    let g0 = *g.iter().next().expect("scalar gradient");
    let n = targets.len();
    let c = probs.len() / n;
    if slots::active(Slot::CrossEntropyBackward) && !targets.contains(&IGNORE) {
        let shape = logits.shape();
        let theirs = slots::tensor_result(
            Slot::CrossEntropyBackward,
            || {
                vec![
                    Value::Num(g0 as f64),
                    Value::tensor(&logits.data()),
                    Value::Labels(targets.to_vec()),
                ]
            },
            &shape,
            || format!("the gradient it returned for logits of shape {shape:?}"),
        );
        if let Some(gl) = theirs {
            sink.add(logits, gl);
        }
        return;
    }
    let counted = targets.iter().filter(|&&t| t != IGNORE).count().max(1);
    let mut d = probs.clone();
    for (row, &t) in d
        .as_slice_mut()
        .expect("standard")
        .chunks_mut(c)
        .zip(targets)
    {
        if t == IGNORE {
            row.fill(0.0); // an ignored row contributes nothing
        } else {
            row[t] -= 1.0;
        }
    }
    let scale = g0 / counted as f32;
    d.mapv_inplace(|v| v * scale);
    sink.add(logits, d);
}

// L = −mean[y ln p + (1−y) ln(1−p)] ⇒ dL/dp = (p − y) / (p(1 − p)) / N, p clipped.
pub(crate) fn bce_backward(p: &Tensor, y: &Array, g: Array, sink: &mut GradSink) {
    let scale = *g.iter().next().expect("scalar gradient") / y.len() as f32;
    let mut d = p.data().clone();
    Zip::from(&mut d).and(y).for_each(|p, &y| {
        let pc = p.clamp(BCE_EPS, 1.0 - BCE_EPS);
        *p = (pc - y) / (pc * (1.0 - pc)) * scale;
    });
    sink.add(p, d);
}

// L = mean[softplus-form] ⇒ dL/dz = (σ(z) − y) / N.
pub(crate) fn bce_logits_backward(z: &Tensor, y: &Array, g: Array, sink: &mut GradSink) {
    let scale = *g.iter().next().expect("scalar gradient") / y.len() as f32;
    let mut d = z.data().clone();
    Zip::from(&mut d).and(y).for_each(|z, &y| {
        let s = if *z >= 0.0 {
            1.0 / (1.0 + libm::expf(-*z))
        } else {
            let e = libm::expf(*z);
            e / (1.0 + e)
        };
        *z = (s - y) * scale;
    });
    sink.add(z, d);
}
