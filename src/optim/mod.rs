//! Optimizers (course module 06): SGD with momentum and weight decay, Adam, and AdamW.

mod adam;
mod sgd;

pub use adam::Adam;
pub use sgd::Sgd;

use crate::error::{Error, Result};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{Array, Tensor};

/// What every optimizer offers: a step against the current gradients and the bookkeeping
/// around it.
pub trait Optimizer {
    /// Updates every parameter that has a gradient (parameters without one are skipped).
    ///
    /// # Errors
    /// If a gradient contains NaN or infinity (the parameters are left untouched).
    fn step(&mut self) -> Result<()>;
    /// The parameters being optimised.
    fn params(&self) -> &[Tensor];
    /// The learning rate.
    fn lr(&self) -> f32;
    /// Changes the learning rate (schedules call this).
    fn set_lr(&mut self, lr: f32);
    /// The optimizer's state buffers, for checkpoints.
    fn state(&self) -> Vec<Array>;
    /// Restores buffers taken by [`Optimizer::state`].
    ///
    /// # Errors
    /// If the number or shapes of buffers do not match.
    fn load_state(&mut self, state: Vec<Array>) -> Result<()>;
    /// Clears every parameter's gradient.
    fn zero_grad(&self) {
        for p in self.params() {
            p.zero_grad();
        }
    }
    /// The kind's name, e.g. `"sgd"`.
    fn kind(&self) -> &'static str;
}

/// Checks hyper-parameters shared by the optimizers.
pub(crate) fn check_common(op: &'static str, params: &[Tensor], lr: f32, wd: f32) -> Result<()> {
    if !(lr.is_finite() && lr >= 0.0) {
        return Err(Error::Arg {
            op,
            msg: format!("learning rate must be finite and ≥ 0, got {lr}"),
        });
    }
    if !(wd.is_finite() && wd >= 0.0) {
        return Err(Error::Arg {
            op,
            msg: format!("weight decay must be finite and ≥ 0, got {wd}"),
        });
    }
    if let Some(i) = params.iter().position(|p| !p.requires_grad()) {
        return Err(Error::Arg {
            op,
            msg: format!(
                "parameter {i} (shape {:?}) does not require grad",
                params[i].shape()
            ),
        });
    }
    Ok(())
}

/// Fails before any update if a gradient is not finite.
pub(crate) fn check_grads(op: &'static str, params: &[Tensor]) -> Result<()> {
    for (i, p) in params.iter().enumerate() {
        if let Some(g) = p.grad_array().as_ref() {
            if !g.iter().all(|v| v.is_finite()) {
                return Err(Error::NonFinite {
                    op,
                    what: format!("the gradient of parameter {i} (shape {:?})", p.shape()),
                });
            }
        }
    }
    Ok(())
}

pub(crate) fn check_state(op: &'static str, want: &[Array], got: &[Array]) -> Result<()> {
    let ok = want.len() == got.len() && want.iter().zip(got).all(|(a, b)| a.shape() == b.shape());
    if ok {
        Ok(())
    } else {
        Err(Error::Arg {
            op,
            msg: "optimizer state does not match its parameters".into(),
        })
    }
}

/// Calls a student's optimizer step (module 06) for parameter `i` and checks the returned
/// record: each of `fields` a finite tensor of the parameter's shape.
pub(crate) fn theirs_step<const N: usize>(
    f: &std::rc::Rc<dyn slots::SlotFn>,
    slot: Slot,
    i: usize,
    shape: &[usize],
    mut args: Vec<Value>,
    fields: [&str; N],
) -> Result<[Array; N]> {
    let out = slots::invoke(slot, f, &mut args)?;
    let what = format!("its result for parameter {i} (shape {shape:?})");
    let mut arrays = Vec::with_capacity(N);
    for field in fields {
        let v = value::expect_field(slot.js_name(), &out, field, &what)?;
        arrays.push(value::expect_tensor(
            slot.js_name(),
            v,
            shape,
            &format!("`{field}` for parameter {i}"),
        )?);
    }
    Ok(arrays.try_into().expect("N fields"))
}
