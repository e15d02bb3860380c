//! Losses and `fit` for JavaScript (the optimizers are in `optim.rs`). `fit` runs the whole
//! loop in Rust and calls `onEpoch` once per epoch, so JS crosses the boundary per epoch, not
//! per op.

use super::args;
use super::handles::{layer_from_js, optimizer_from_js, tensor_from_js};
use super::optim::lr_of;
use super::options::{self, callback};
use super::tensor::JsTensor;
use super::{js_err, js_err_in};
use crate::nn::loss::{self, Loss};
use crate::train::{fit as core_fit, fit_with, FitOptions as TrainOptions, OptimizerKind};
use js_sys::Function;
use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// Mean squared error over all elements.
#[wasm_bindgen(js_name = mseLoss)]
pub fn mse_loss(pred: &JsTensor, target: &JsTensor) -> Result<JsTensor, JsError> {
    loss::mse_loss(pred.inner(), target.inner())
        .map(JsTensor::new)
        .map_err(|e| js_err_in("mseLoss", e))
}

/// Mean cross-entropy of logits (N, C) against class ids (N) stored as numbers.
#[wasm_bindgen(js_name = crossEntropyLoss)]
pub fn cross_entropy_loss(logits: &JsTensor, labels: &JsTensor) -> Result<JsTensor, JsError> {
    loss::cross_entropy(logits.inner(), labels.inner())
        .map(JsTensor::new)
        .map_err(|e| js_err_in("crossEntropyLoss", e))
}

/// Mean binary cross-entropy of probabilities in (0, 1) against 0/1 targets.
#[wasm_bindgen(js_name = bceLoss)]
pub fn bce_loss(probs: &JsTensor, target: &JsTensor) -> Result<JsTensor, JsError> {
    probs
        .inner()
        .try_bce(target.inner())
        .map(JsTensor::new)
        .map_err(|e| js_err_in("bceLoss", e))
}

/// Mean binary cross-entropy on logits (stable; no sigmoid first).
#[wasm_bindgen(js_name = bceWithLogitsLoss)]
pub fn bce_with_logits_loss(logits: &JsTensor, target: &JsTensor) -> Result<JsTensor, JsError> {
    logits
        .inner()
        .try_bce_with_logits(target.inner())
        .map(JsTensor::new)
        .map_err(|e| js_err_in("bceWithLogitsLoss", e))
}

/// Options of `fit(model, x, y, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FitOptions {
    /// Passes over the data, 1 to 10^7 (default 10).
    #[tsify(optional)]
    pub epochs: Option<f64>,
    /// Rows per step, 1 to 10^7 (default 32; the last batch may be smaller).
    #[tsify(optional)]
    pub batch_size: Option<f64>,
    /// Learning rate of the optimizer `fit` builds (default 0.01; an error with an Optimizer).
    #[tsify(optional)]
    pub lr: Option<f64>,
    /// A name (default "adam"), or an Optimizer (e.g. one with pruning masks attached) whose
    /// state is kept and whose own settings rule.
    #[serde(default, deserialize_with = "options::js_value")]
    #[tsify(optional, type = "\"sgd\" | \"adam\" | \"adamw\" | Optimizer")]
    pub optimizer: JsValue,
    /// The loss (default "mse").
    #[tsify(optional)]
    pub loss: Option<Loss>,
    /// SGD's momentum (default 0; an error with an Optimizer).
    #[tsify(optional)]
    pub momentum: Option<f64>,
    /// Weight decay (default 0; an error with an Optimizer).
    #[tsify(optional)]
    pub weight_decay: Option<f64>,
    /// Shuffle the rows every epoch, seeded (default true).
    #[tsify(optional)]
    pub shuffle: Option<bool>,
    /// Seed of the shuffles (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// Called after every epoch; return `false` to stop early.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(
        optional,
        type = "(stats: { epoch: number; loss: number; accuracy: number }) => boolean | void"
    )]
    pub on_epoch: Option<Function>,
}

/// What `fit` returns: one entry per epoch run.
#[derive(Serialize, Tsify)]
pub struct FitResult {
    /// Mean training loss of each epoch.
    pub loss: Vec<f32>,
    /// Training accuracy of each epoch (0 when the loss has no notion of it).
    pub accuracy: Vec<f32>,
}

/// Trains `model` on `(x, y)` with the whole loop in Rust; JS hears from it once per epoch.
///
/// ```js
/// const opt = Adam(model, { lr: 0.01 });
/// fit(model, x, y, { epochs: 5, optimizer: opt, loss: "cross_entropy" }).loss;   // 5 values
/// ```
#[wasm_bindgen(unchecked_return_type = "FitResult")]
pub fn fit(
    model: JsValue,
    x: JsValue,
    y: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FitOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "fit";
    let o: FitOptions = options::parse(op, &options)?;
    let layer = layer_from_js(op, "model", &model)?;
    let (x, y) = (tensor_from_js(op, "x", &x)?, tensor_from_js(op, "y", &y)?);
    let epochs = args::positive(op, "epochs", o.epochs.unwrap_or(10.0), 1e7)?;
    let batch_size = args::positive(op, "batchSize", o.batch_size.unwrap_or(32.0), 1e7)?;
    // `optimizer` is a name (fit builds it from lr/momentum/weightDecay) or an Optimizer object
    // (used as is, keeping its state and attached masks; its own settings then rule).
    let given = optimizer_from_js(op, "options.optimizer", &o.optimizer)?;
    if given.is_some() {
        for (k, v) in [
            ("lr", o.lr),
            ("momentum", o.momentum),
            ("weightDecay", o.weight_decay),
        ] {
            if v.is_some() {
                return Err(js_err(format!(
                    "fit: options.{k} conflicts with the Optimizer object passed as options.optimizer (set it on the optimizer)"
                )));
            }
        }
    }
    let optimizer = match (&given, &o.optimizer) {
        (Some(_), _) => OptimizerKind::Adam,
        (None, v) if v.is_undefined() || v.is_null() => OptimizerKind::Adam,
        (None, v) => match v.as_string() {
            Some(name) => OptimizerKind::parse(&name).map_err(|e| js_err_in(op, e))?,
            None => {
                return Err(js_err(format!(
                    "{op}: option 'optimizer' must be \"sgd\", \"adam\", \"adamw\" or an Optimizer, got {}",
                    args::kind(v)
                )))
            }
        },
    };
    let opts = TrainOptions {
        epochs,
        batch_size,
        lr: lr_of(op, o.lr.unwrap_or(0.01))?,
        optimizer,
        loss: o.loss.unwrap_or(Loss::Mse),
        momentum: args::finite(op, "momentum", o.momentum.unwrap_or(0.0))?,
        weight_decay: args::finite(op, "weightDecay", o.weight_decay.unwrap_or(0.0))?,
        shuffle_seed: o
            .shuffle
            .unwrap_or(true)
            .then_some(args::seed_value(op, o.seed)?),
    };
    let mut callback_error = None;
    let report = |epoch, s: crate::train::EpochStats| {
        let Some(f) = &o.on_epoch else { return true };
        let info = serde_json::json!({ "epoch": epoch, "loss": s.loss, "accuracy": s.accuracy });
        let arg = args::to_js(&info).unwrap_or(JsValue::UNDEFINED);
        super::call_continue(f, &arg, &mut callback_error)
    };
    let stats = match &given {
        Some(o) => {
            let mut slot = o
                .try_borrow_mut()
                .map_err(|_| js_err("fit: options.optimizer is already in use by another fit()"))?;
            fit_with(layer, &x, &y, &opts, &mut slot, report)
        }
        None => core_fit(layer, &x, &y, &opts, report),
    }
    .map_err(|e| js_err_in("fit", e))?;
    if let Some(e) = callback_error {
        return Err(super::callback_threw("fit", "onEpoch", &e));
    }
    args::to_js(&FitResult {
        loss: stats.iter().map(|s| s.loss).collect(),
        accuracy: stats.iter().map(|s| s.accuracy).collect(),
    })
}

/// Scales every gradient of `params` (a model, or an array of tensors) so their global L2
/// norm is at most `maxNorm`; returns the norm measured before clipping (module 07).
///
/// ```js
/// loss.backward();
/// const norm = clipGradNorm(model.parameters(), 1.0);   // grads now have norm ≤ 1
/// ```
#[wasm_bindgen(js_name = clipGradNorm)]
pub fn clip_grad_norm(
    #[wasm_bindgen(unchecked_param_type = "Tensor[] | Sequential")] params: JsValue,
    max_norm: f64,
) -> Result<f64, JsError> {
    let op = "clipGradNorm";
    let params = super::handles::params_from_js(op, &params)?;
    let max = args::finite(op, "maxNorm", max_norm)?;
    crate::train::clip_grad_norm(&params, max)
        .map(f64::from)
        .map_err(|e| super::js_err_in(op, e))
}
