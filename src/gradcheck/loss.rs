//! The loss's own check: the gradient the loss sends to the model's output, against central
//! differences of the loss value. Every layer's local check takes the gradient that arrives at
//! its output as given, so a wrong loss backward (a student's cross-entropy rule, a mean that
//! forgets to divide) would pass them all; this row names it.

use super::compare::{compare, Cmp};
use super::{GradRow, GradcheckOptions, LayerVerdict, Status};
use crate::autograd::no_grad;
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// The layer name the report gives the loss, e.g. "CrossEntropyLoss".
pub(super) fn display(loss: Loss) -> &'static str {
    match loss {
        Loss::Mse => "MSELoss",
        Loss::CrossEntropy => "CrossEntropyLoss",
        Loss::Bce => "BCELoss",
        Loss::BceWithLogits => "BCEWithLogitsLoss",
    }
}

/// Checks the gradient that reached `out` (the model's output, with its gradient retained)
/// against the loss's numerical derivative. `index` is the row's index, after every layer.
/// `None` when the output does not depend on anything that needs grad.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_loss(
    out: &Tensor,
    target: &Tensor,
    loss: Loss,
    l0: f32,
    index: usize,
    your_code: Vec<String>,
    opts: &GradcheckOptions,
    srng: &mut Rng,
) -> Result<Option<(LayerVerdict, GradRow)>> {
    if !out.requires_grad() {
        return Ok(None);
    }
    let base = out.data().clone();
    let analytic = out.grad_array().clone();
    // Loss gradients are dense (p − t, softmax − onehot): uniform samples find them.
    let cmp: Cmp = compare(
        analytic.as_ref(),
        base.len(),
        l0 as f64,
        opts,
        srng,
        None,
        |i, d| {
            let mut p = base.clone();
            p.as_slice_mut().expect("standard")[i] += d;
            let v = no_grad(|| loss.compute(&Tensor::from_array(p), target))?.item()? as f64;
            // The loss is one f32 sum: its rounding is a few ulps of its size.
            Ok((v, f32::EPSILON as f64 * 8.0 * v.abs().max(l0.abs() as f64)))
        },
    )?;
    let name = display(loss);
    let yours = if your_code.is_empty() {
        ""
    } else {
        " (your code)"
    };
    let reason = match cmp.status {
        Status::Ok => String::new(),
        Status::Missing => format!("the loss, {name}{yours}: no gradient reaches the model's output"),
        Status::Zero => format!(
            "the loss, {name}{yours}: the gradient it sends to the model's output is all zeros, but the numerical gradient is not (largest {:.3e})",
            cmp.max_numeric
        ),
        Status::Mismatch => {
            let hint = if (cmp.scale + 1.0).abs() < 0.15 {
                "; its sign is flipped".to_string()
            } else if cmp.scale.is_finite() && (cmp.scale - 1.0).abs() > 0.15 {
                format!("; it is {:.3}× the right gradient", cmp.scale)
            } else {
                String::new()
            };
            format!(
                "the loss, {name}{yours}: the gradient it sends to the model's output: max relative error {:.2} against the numerical gradient{hint}",
                cmp.max_rel
            )
        }
    };
    let row = GradRow {
        layer: index,
        layer_name: name.to_string(),
        path: "loss".into(),
        param: "output".into(),
        status: cmp.status,
        max_abs_error: cmp.max_abs,
        max_rel_error: cmp.max_rel,
        checked: cmp.checked,
        skipped: cmp.skipped,
        scale: cmp.scale,
        reason: reason.clone(),
        worst: cmp
            .worst
            .map(|(i, num, an)| super::WorstElement::new(i, base.shape(), num, an)),
    };
    let verdict = LayerVerdict {
        index,
        name: name.to_string(),
        path: "loss".into(),
        describe: format!("{name} of the model's output"),
        depth: 0,
        status: cmp.status,
        receives: Status::Ok,
        culprit: false,
        reason,
        your_code,
        loss: true,
    };
    Ok(Some((verdict, row)))
}
