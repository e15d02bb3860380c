//! Training (course module 07): the `Trainer` loop with gradient accumulation, a cosine
//! learning-rate schedule, gradient-norm clipping, evaluation, checkpoints, and `fit`.

mod checkpoint;
mod fit;
mod trainer;

pub use fit::{fit, fit_with, FitOptions, OptimizerKind};
pub use trainer::{evaluate, EpochStats, History, Trainer};

use crate::error::{Error, Result};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// Cosine annealing from `max_lr` at epoch 0 to `min_lr` at `total_epochs` (and after).
///
/// # Example
/// ```
/// use tinytorch::train::CosineSchedule;
/// let s = CosineSchedule::new(0.1, 0.01, 100).unwrap();
/// assert!((s.lr(0) - 0.1).abs() < 1e-7);
/// assert!((s.lr(50) - 0.055).abs() < 1e-7);
/// assert!((s.lr(100) - 0.01).abs() < 1e-7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CosineSchedule {
    pub max_lr: f32,
    pub min_lr: f32,
    pub total_epochs: usize,
}

impl CosineSchedule {
    /// A schedule over `total_epochs`.
    ///
    /// # Errors
    /// If `total_epochs` is 0 or not `max_lr ≥ min_lr ≥ 0` (finite).
    pub fn new(max_lr: f32, min_lr: f32, total_epochs: usize) -> Result<CosineSchedule> {
        let ok = max_lr.is_finite() && min_lr.is_finite() && max_lr >= min_lr && min_lr >= 0.0;
        if !ok || total_epochs == 0 {
            return Err(Error::Arg {
                op: "CosineSchedule",
                msg: format!(
                    "needs max_lr ≥ min_lr ≥ 0 and total_epochs > 0, got max {max_lr}, min {min_lr}, total {total_epochs}"
                ),
            });
        }
        Ok(CosineSchedule {
            max_lr,
            min_lr,
            total_epochs,
        })
    }

    /// The learning rate for `epoch`: `min + (max − min)·(1 + cos(π·epoch/total))/2`.
    pub fn lr(&self, epoch: usize) -> f32 {
        if epoch >= self.total_epochs {
            return self.min_lr;
        }
        let t = epoch as f64 / self.total_epochs as f64;
        let c = (1.0 + libm::cos(std::f64::consts::PI * t)) / 2.0;
        (self.min_lr as f64 + (self.max_lr - self.min_lr) as f64 * c) as f32
    }
}

/// Scales all gradients so their global L2 norm is at most `max_norm`; returns the norm
/// measured before clipping. Parameters without a gradient are ignored.
///
/// # Errors
/// If `max_norm` is not a positive finite number, or a gradient is not finite.
///
/// # Example
/// ```
/// use tinytorch::{train::clip_grad_norm, Tensor};
/// let w = Tensor::zeros(&[2]).requires_grad_(true);
/// w.set_grad(Some(ndarray::arr1(&[3.0f32, 4.0]).into_dyn()));
/// assert_eq!(clip_grad_norm(&[w.clone()], 1.0).unwrap(), 5.0);
/// assert_eq!(w.grad().unwrap().to_vec(), vec![0.6, 0.8]);
/// ```
pub fn clip_grad_norm(params: &[Tensor], max_norm: f32) -> Result<f32> {
    if !(max_norm.is_finite() && max_norm > 0.0) {
        return Err(Error::Arg {
            op: "clip_grad_norm",
            msg: format!("max_norm must be > 0, got {max_norm}"),
        });
    }
    if let Some(f) = slots::get(Slot::ClipGradNorm) {
        return theirs_clip(&f, params, max_norm);
    }
    let mut sq = 0.0f64;
    for p in params {
        if let Some(g) = p.grad_array().as_ref() {
            sq += g.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>();
        }
    }
    let norm = sq.sqrt() as f32;
    if !norm.is_finite() {
        return Err(Error::NonFinite {
            op: "clip_grad_norm",
            what: "the gradients".into(),
        });
    }
    if norm > max_norm {
        let scale = max_norm / norm;
        for p in params {
            if let Some(g) = p.0.grad.borrow_mut().as_mut() {
                g.mapv_inplace(|v| v * scale);
            }
        }
    }
    Ok(norm)
}

/// Clipping through a student's `clipGradNorm` (module 07): it scales the gradients it is given
/// in place and returns the norm before clipping; the scaled gradients are read back.
fn theirs_clip(
    f: &std::rc::Rc<dyn slots::SlotFn>,
    params: &[Tensor],
    max_norm: f32,
) -> Result<f32> {
    let slot = Slot::ClipGradNorm;
    let with_grad: Vec<&Tensor> = params.iter().filter(|p| p.grad_array().is_some()).collect();
    let grads: Vec<Value> = with_grad
        .iter()
        .map(|p| Value::tensor(p.grad_array().as_ref().expect("filtered")))
        .collect();
    let mut args = [Value::List(grads), Value::Num(max_norm as f64)];
    let out = slots::invoke(slot, f, &mut args)?;
    let norm = value::expect_number(
        slot.js_name(),
        &out,
        "its result (the norm before clipping)",
    )?;
    let Value::List(back) = std::mem::replace(&mut args[0], Value::Null) else {
        return Err(value::bad_result(
            slot.js_name(),
            "the list of gradients was replaced",
        ));
    };
    if back.len() != with_grad.len() {
        return Err(value::bad_result(
            slot.js_name(),
            "the list of gradients changed length",
        ));
    }
    for (i, (p, g)) in with_grad.iter().zip(back).enumerate() {
        let g = value::expect_tensor(
            slot.js_name(),
            g,
            &p.shape(),
            &format!("gradient {i} after clipping"),
        )?;
        p.set_grad(Some(g));
    }
    Ok(norm as f32)
}
