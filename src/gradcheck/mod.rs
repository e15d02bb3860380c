//! Per-layer numerical gradient checking that names the layer where the chain goes wrong.
//!
//! One traced forward/backward records every layer call: a private copy of its input, its
//! output, the gradient that arrived at that output (`g`), and the RNG state (so dropout
//! replays). Each layer is then checked *locally*: for sampled elements of its parameters and
//! of its input, central differences of `s = Σ g ⊙ layer(x)` are compared with what backward
//! produced. Checking locally keeps the signal proportional to the arriving gradient (deep
//! layers with small gradients are checked as precisely as shallow ones), and only the
//! layer's own kinks can disturb it. If every layer passes, the chain rule makes the whole
//! gradient right; the deepest failing layer is the culprit. A layer whose output is cut from
//! the graph (or whose arriving gradient is missing although the loss depends on it) is found
//! by the trace and by an end-to-end probe.
//!
//! Sparse gradients (max-pooling, ReLU, masks, embeddings) are non-zero at few elements, and a
//! gradient zeroed there looks right wherever it is truly zero. So one extra reference
//! forward/backward, with injected faults and student code set aside, says where the true
//! gradient is non-zero: half the compared elements are drawn there (by |reference gradient|),
//! half uniformly, and the presence probe nudges outputs drawn the same way by the reference
//! gradient arriving there. Verdicts still come from central differences only.

mod compare;
mod diagnose;
mod layer;
mod loss;
mod reference;
mod report;
mod sample;

pub use compare::numeric_gradient;
pub use report::{GradReport, GradRow, LayerVerdict, Status, WorstElement};

use crate::autograd::no_grad;
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::trace::{self, Probe, Record};
use crate::nn::{call, flatten_layers, Module};
use crate::rng::{self, Rng};
use crate::tensor::{Array, Tensor};
use diagnose::diagnose;
use layer::{check_layer, Checked};
use report::row_reason;

/// Settings for [`gradcheck`].
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckOptions {
    /// Finite-difference step.
    pub eps: f32,
    /// Largest accepted `max |backward − numerical| / max |numerical|`.
    pub tolerance: f32,
    /// At most this many elements of each tensor are compared (chosen with `seed`).
    pub max_elements: usize,
    /// Seed of the element sampling.
    pub seed: u64,
    /// Also check the gradient of the model's input (false for token ids).
    pub input_grad: bool,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 3e-4,
            tolerance: 0.05,
            max_elements: 24,
            seed: 0,
            input_grad: true,
        }
    }
}

/// Checks every layer's gradients of `model` at `(input, target)` under `loss`.
///
/// The model's gradients and buffers and the global RNG are left as they were.
///
/// # Errors
/// If the forward pass or the loss fails (wrong shapes, bad labels).
///
/// # Example
/// ```
/// use tinytorch::{gradcheck::{gradcheck, GradcheckOptions}, nn::loss::Loss, nn::*, Tensor};
/// tinytorch::manual_seed(1);
/// let m = Sequential::new(vec![Linear::new(3, 4, true).into_layer(), Tanh::new().into_layer(),
///                              Linear::new(4, 2, true).into_layer()]);
/// let (x, y) = (Tensor::randn(&[5, 3]), Tensor::randn(&[5, 2]));
/// let r = gradcheck(&m, &x, &y, Loss::Mse, &GradcheckOptions::default()).unwrap();
/// assert!(r.passed);
/// inject_fault(&m, 1, FaultKind::FlipSign).unwrap();
/// let r = gradcheck(&m, &x, &y, Loss::Mse, &GradcheckOptions::default()).unwrap();
/// assert_eq!(r.culprit, Some(1));
/// ```
pub fn gradcheck(
    model: &dyn Module,
    input: &Tensor,
    target: &Tensor,
    loss: Loss,
    opts: &GradcheckOptions,
) -> Result<GradReport> {
    let params = model.parameters();
    let saved_grads: Vec<Option<Array>> = params.iter().map(|p| p.grad_array().clone()).collect();
    let buffers = model.buffers();
    let saved_buffers: Vec<Array> = buffers.iter().map(|b| b.data().clone()).collect();
    let rng0 = rng::snapshot();
    let result = run(model, input, target, loss, opts, &rng0);
    for (p, g) in params.iter().zip(saved_grads) {
        p.set_grad(g);
    }
    for (b, d) in buffers.iter().zip(saved_buffers) {
        *b.data_mut() = d;
    }
    rng::restore(rng0);
    result
}

fn run(
    model: &dyn Module,
    input: &Tensor,
    target: &Tensor,
    loss: Loss,
    opts: &GradcheckOptions,
    rng0: &Rng,
) -> Result<GradReport> {
    // Where the true gradient is non-zero (faults and student code set aside): the samples and
    // the presence probes look there. One extra forward and backward.
    let reference = reference::reference(model, input, target, loss, opts.input_grad, rng0);
    let x = if opts.input_grad {
        input.detach().requires_grad_(true)
    } else {
        input.clone()
    };
    for p in model.parameters() {
        p.zero_grad();
    }
    rng::restore(rng0.clone());
    // Which student functions (slots) each layer runs, recorded during the traced pass.
    let ((traced, records), used) = crate::slots::recording_usage(|| {
        trace::recording(|| -> Result<(Tensor, Tensor)> {
            let out = call(model, &x)?;
            // The gradient the loss sends to the model's output is checked too (loss.rs).
            out.retain_grad();
            let l = loss.compute(&out, target)?;
            // A model cut off from everything that needs grad has nothing to back-propagate;
            // the trace still says where it was cut.
            if l.requires_grad() {
                l.backward()?;
            }
            Ok((l, out))
        })
    });
    let (l, out) = traced?;
    let l0 = l.item()?;
    // End-to-end loss with one output element of one layer nudged (presence probes only).
    let probe_loss = |p: Probe| -> Result<f32> {
        rng::restore(rng0.clone());
        no_grad(|| trace::probing(p, || loss.compute(&call(model, &x)?, target)?.item()))
    };
    let mut srng = Rng::new(opts.seed);
    let layers = flatten_layers(model);
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    let mut cuts = Vec::new();
    let mut lost = Vec::new();
    for info in &layers {
        let recs: Vec<&Record> = records
            .iter()
            .filter(|r| r.site == info.module.site().id())
            .collect();
        let Checked {
            own,
            receives,
            cut,
            lost: lost_here,
        } = check_layer(
            info,
            &recs,
            l0,
            opts,
            &mut srng,
            reference.as_ref(),
            &probe_loss,
        )?;
        if cut {
            cuts.push(info.index);
        }
        if lost_here {
            lost.push(info.index);
        }
        let status = own
            .iter()
            .map(|(_, c)| c.status)
            .find(|s| *s != Status::Ok)
            .unwrap_or(Status::Ok);
        let params = info.module.own_parameters();
        let shape_of = |name: &str| -> Vec<usize> {
            match params.iter().find(|(n, _)| *n == name) {
                Some((_, p)) => p.shape(),
                None => recs.first().map(|r| r.input.shape()).unwrap_or_default(),
            }
        };
        for (param, c) in own {
            let worst = c
                .worst
                .map(|(i, num, an)| WorstElement::new(i, &shape_of(&param), num, an));
            let mut row = GradRow {
                layer: info.index,
                layer_name: info.module.kind().to_string(),
                path: info.path.clone(),
                param,
                status: c.status,
                max_abs_error: c.max_abs,
                max_rel_error: c.max_rel,
                checked: c.checked,
                skipped: c.skipped,
                scale: c.scale,
                reason: String::new(),
                worst,
            };
            row.reason = row_reason(&row, c.max_numeric);
            rows.push(row);
        }
        verdicts.push(LayerVerdict {
            index: info.index,
            name: info.module.kind().to_string(),
            path: info.path.clone(),
            describe: info.module.describe(),
            depth: info.depth,
            status,
            receives,
            culprit: false,
            reason: String::new(),
            your_code: used
                .get(&info.module.site().id())
                .map(|s| s.iter().map(|slot| slot.js_name().to_string()).collect())
                .unwrap_or_default(),
            loss: false,
        });
    }
    let mut report = diagnose(verdicts, rows, cuts, &lost, l0, opts, &layers);
    report::mark_your_code(&mut report);
    // The loss, after every layer: the ops outside any layer ran in scope 0.
    let loss_code = used
        .get(&0)
        .map(|s| s.iter().map(|slot| slot.js_name().to_string()).collect())
        .unwrap_or_default();
    let index = layers.len();
    if let Some((mut verdict, row)) =
        loss::check_loss(&out, target, loss, l0, index, loss_code, opts, &mut srng)?
    {
        if verdict.status != Status::Ok {
            report.passed = false;
            if report.culprit.is_none() {
                report.culprit = Some(index);
                report.summary = verdict.reason.clone();
                verdict.culprit = true;
            }
        }
        report.layers.push(verdict);
        report.rows.push(row);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{inject_fault, FaultKind, Linear, ReLU, Sequential, Tanh};

    /// A gradient zeroed above a layer, where no layer's own check looks (no element compared),
    /// is still a failure: the probe sees the loss depend on the layer, and the reference says
    /// a non-zero gradient should arrive there. It used to read "correct here".
    #[test]
    fn a_lost_gradient_that_no_local_check_caught_still_fails() {
        crate::manual_seed(4);
        let m = Sequential::new(vec![
            Linear::new(3, 4, true).into_layer(),
            Tanh::new().into_layer(),
            Linear::new(4, 2, true).into_layer(),
        ]);
        let (x, y) = (Tensor::randn(&[5, 3]), Tensor::randn(&[5, 2]));
        let blind = GradcheckOptions {
            max_elements: 0,
            ..GradcheckOptions::default()
        };
        assert!(gradcheck(&m, &x, &y, Loss::Mse, &blind).unwrap().passed);
        inject_fault(&m, 1, FaultKind::ZeroGrad).unwrap();
        let r = gradcheck(&m, &x, &y, Loss::Mse, &blind).unwrap();
        assert!(!r.passed);
        assert_eq!(r.culprit, None);
        assert_eq!(r.layer(0).unwrap().receives, Status::Zero);
        assert!(
            r.summary.contains("although the loss depends"),
            "{}",
            r.summary
        );
        // Looking at the elements, the check names the layer.
        let r = gradcheck(&m, &x, &y, Loss::Mse, &GradcheckOptions::default()).unwrap();
        assert_eq!(r.culprit, Some(1), "{}", r.summary);
    }

    /// Dead units are the batch's mathematics, not a fault: nothing arrives at the layer before
    /// them, the loss does not move with it, and the check passes.
    #[test]
    fn a_gradient_that_is_truly_zero_passes() {
        crate::manual_seed(0);
        let lin = Linear::new(2, 3, true);
        for p in lin.parameters() {
            p.data_mut().fill(-1.0);
        }
        let m = Sequential::new(vec![
            lin.into_layer(),
            ReLU::new().into_layer(),
            Linear::new(3, 1, true).into_layer(),
        ]);
        let (x, y) = (Tensor::ones(&[4, 2]), Tensor::ones(&[4, 1]));
        let r = gradcheck(&m, &x, &y, Loss::Mse, &GradcheckOptions::default()).unwrap();
        assert!(r.passed, "{}", r.summary);
        assert_eq!(r.layer(0).unwrap().receives, Status::Ok);
    }
}
