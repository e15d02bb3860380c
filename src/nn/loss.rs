//! Losses (course module 04): MSE, cross-entropy on integer classes, BCE and BCE-with-logits,
//! plus the `Loss` selector that training loops and gradcheck take.

use crate::autograd::CustomOp;
use crate::error::{Error, Result};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{Array, Tensor};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Mean squared error over all elements: `mean((pred − target)²)`.
///
/// # Errors
/// If the shapes differ.
///
/// # Example
/// ```
/// use tinytorch::{nn::loss::mse_loss, Tensor};
/// let p = Tensor::from_vec(vec![1.0, 2.0], &[2]).unwrap();
/// let t = Tensor::from_vec(vec![1.0, 4.0], &[2]).unwrap();
/// assert_eq!(mse_loss(&p, &t).unwrap().item().unwrap(), 2.0);
/// ```
pub fn mse_loss(pred: &Tensor, target: &Tensor) -> Result<Tensor> {
    if pred.shape() != target.shape() {
        return Err(crate::error::shape_err(
            "mse_loss",
            &pred.shape(),
            &target.shape(),
            "prediction and target shapes differ",
        ));
    }
    if pred.numel() == 0 {
        return Err(Error::Arg {
            op: "mse_loss",
            msg: "empty batch".into(),
        });
    }
    // A student's mseLoss (module 04) gives the value; the lab supplies its gradient.
    if let Some(f) = slots::get(Slot::MseLoss) {
        let mut args = [Value::tensor(&pred.data()), Value::tensor(&target.data())];
        let out = slots::invoke(Slot::MseLoss, &f, &mut args)?;
        let v = value::expect_number(
            Slot::MseLoss.js_name(),
            &out,
            &format!("its result for shape {:?}", pred.shape()),
        )?;
        let data = Array::from_elem(ndarray::IxDyn(&[]), v as f32);
        return Ok(Tensor::custom(
            &[pred.clone(), target.clone()],
            data,
            Rc::new(MseGrad),
        ));
    }
    let d = pred.try_sub(target)?;
    Ok((&d * &d).mean())
}

/// The gradient of mean((p − t)²): 2(p − t)/N for p, its negative for t.
struct MseGrad;

impl CustomOp for MseGrad {
    fn name(&self) -> &str {
        "mse_loss"
    }
    fn backward(&self, inputs: &[Tensor], _: &Array, g: &Array) -> Result<Vec<Option<Array>>> {
        let g0 = g.iter().next().copied().unwrap_or(1.0);
        let (p, t) = (inputs[0].data(), inputs[1].data());
        let d = (&*p - &*t) * (2.0 * g0 / p.len() as f32);
        let dt = -&d;
        Ok(vec![Some(d), Some(dt)])
    }
}

/// Reads class ids from a tensor of whole numbers in `[0, classes)`.
///
/// # Errors
/// If a value is not a whole number or is out of range.
pub fn class_ids(op: &'static str, target: &Tensor, classes: usize) -> Result<Vec<usize>> {
    let data = target.data();
    let mut out = Vec::with_capacity(data.len());
    for (i, &v) in data.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && (v as usize) < classes) {
            return Err(Error::Arg {
                op,
                msg: format!(
                    "label {v} at position {i} is not a class id in 0..{classes} \
                     (targets of shape {:?})",
                    data.shape()
                ),
            });
        }
        out.push(v as usize);
    }
    Ok(out)
}

/// Mean cross-entropy of logits `(N, C)` (or `(B, S, C)`, flattened) against class ids held
/// in a tensor of shape `(N,)` (or `(B, S)`). Labels of −1 are ignored (not counted in the
/// mean), as PyTorch's `ignore_index`.
///
/// # Errors
/// If the shapes disagree or a label is not a valid class id.
///
/// # Example
/// ```
/// use tinytorch::{nn::loss::cross_entropy, Tensor};
/// let logits = Tensor::from_vec(vec![100.0, 0.0, 0.0, 100.0], &[2, 2]).unwrap();
/// let y = Tensor::from_vec(vec![0.0, 1.0], &[2]).unwrap();
/// assert!(cross_entropy(&logits, &y).unwrap().item().unwrap() < 1e-6);
/// ```
pub fn cross_entropy(logits: &Tensor, target: &Tensor) -> Result<Tensor> {
    let s = logits.shape();
    if s.len() < 2 {
        return Err(Error::Arg {
            op: "cross_entropy",
            msg: format!("logits must be (N, C) or (B, S, C), got shape {s:?}"),
        });
    }
    let c = *s.last().expect("rank ≥ 2");
    let lead: Vec<usize> = s[..s.len() - 1].to_vec();
    let ts = target.shape();
    if ts != lead
        && !(ts.len() == lead.len() + 1 && ts.last() == Some(&1) && ts[..lead.len()] == lead[..])
    {
        return Err(crate::error::shape_err(
            "cross_entropy",
            &s,
            &ts,
            format!("targets must have shape {lead:?} (one class id per row of logits)"),
        ));
    }
    // A label of −1 is ignored (see `ops::loss::IGNORE`).
    let ids: Vec<usize> = if target.data().iter().any(|&v| v == -1.0) {
        let d = target.data();
        let kept: Vec<f32> = d.iter().map(|&v| if v == -1.0 { 0.0 } else { v }).collect();
        let checked = class_ids("cross_entropy", &Tensor::from_vec(kept, d.shape())?, c)?;
        checked
            .into_iter()
            .zip(d.iter())
            .map(|(id, &v)| {
                if v == -1.0 {
                    crate::ops::loss::IGNORE
                } else {
                    id
                }
            })
            .collect()
    } else {
        class_ids("cross_entropy", target, c)?
    };
    let flat = if s.len() == 2 {
        logits.clone()
    } else {
        logits.try_reshape(&[-1, c as isize])?
    };
    flat.try_cross_entropy(&ids)
}

/// Which loss to train or check with (`"mse"`, `"cross_entropy"`, `"bce"`,
/// `"bce_with_logits"` in JSON and the JS API; [`Loss::parse`]'s other spellings are read too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Mean squared error.
    Mse,
    /// Cross-entropy on logits against integer class ids.
    #[serde(alias = "crossEntropy", alias = "ce")]
    CrossEntropy,
    /// Binary cross-entropy on probabilities.
    Bce,
    /// Binary cross-entropy on logits (sigmoid folded in, stable).
    #[serde(alias = "bceWithLogits")]
    BceWithLogits,
}

impl Loss {
    /// Computes the loss of `pred` against `target`.
    ///
    /// # Errors
    /// If the shapes disagree or the targets are invalid for this loss.
    pub fn compute(self, pred: &Tensor, target: &Tensor) -> Result<Tensor> {
        let l = match self {
            Loss::Mse => mse_loss(pred, target),
            Loss::CrossEntropy => cross_entropy(pred, target),
            Loss::Bce => pred.try_bce(target),
            Loss::BceWithLogits => pred.try_bce_with_logits(target),
        }?;
        // A student's op that failed inside the loss fails the loss.
        slots::raise_pending()?;
        Ok(l)
    }

    /// Number of correct predictions in a batch, when "correct" means something for this loss:
    /// argmax for cross-entropy (and MSE with one-hot targets), a 0.5 threshold for one-output
    /// MSE/BCE, 0 for BCE-with-logits logits.
    ///
    /// # Errors
    /// If the shapes disagree.
    pub fn correct(self, pred: &Tensor, target: &Tensor) -> Result<usize> {
        let p = pred.data();
        let t = target.data();
        let width = *p.shape().last().unwrap_or(&1);
        let rows = p.len() / width.max(1);
        let pv = p.as_slice().expect("standard");
        let tv = t.as_slice().expect("standard");
        let argmax = |row: &[f32]| {
            row.iter()
                .enumerate()
                .fold(0, |b, (i, &v)| if v > row[b] { i } else { b })
        };
        let count = match self {
            Loss::CrossEntropy => {
                if tv.len() != rows {
                    return Err(crate::error::shape_err(
                        "accuracy",
                        p.shape(),
                        t.shape(),
                        "one label per row",
                    ));
                }
                pv.chunks(width)
                    .zip(tv)
                    .filter(|(r, &y)| argmax(r) as f32 == y)
                    .count()
            }
            _ if width > 1 && tv.len() == pv.len() => pv
                .chunks(width)
                .zip(tv.chunks(width))
                .filter(|(r, y)| argmax(r) == argmax(y))
                .count(),
            _ => {
                if tv.len() != pv.len() {
                    return Err(crate::error::shape_err(
                        "accuracy",
                        p.shape(),
                        t.shape(),
                        "shapes differ",
                    ));
                }
                let cut = if self == Loss::BceWithLogits {
                    0.0
                } else {
                    0.5
                };
                pv.iter()
                    .zip(tv)
                    .filter(|(&p, &y)| (p > cut) == (y > 0.5))
                    .count()
            }
        };
        Ok(count)
    }

    /// Parses `"mse"`, `"cross_entropy"`/`"crossEntropy"`, `"bce"`, `"bce_with_logits"`.
    ///
    /// # Errors
    /// If the name is unknown.
    pub fn parse(s: &str) -> Result<Loss> {
        match s {
            "mse" => Ok(Loss::Mse),
            "cross_entropy" | "crossEntropy" | "ce" => Ok(Loss::CrossEntropy),
            "bce" => Ok(Loss::Bce),
            "bce_with_logits" | "bceWithLogits" => Ok(Loss::BceWithLogits),
            _ => Err(Error::Arg {
                op: "loss",
                msg: format!(
                    "unknown loss '{s}' (expected mse, cross_entropy, bce or bce_with_logits)"
                ),
            }),
        }
    }

    /// The name as used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::CrossEntropy => "cross_entropy",
            Loss::Bce => "bce",
            Loss::BceWithLogits => "bce_with_logits",
        }
    }
}
