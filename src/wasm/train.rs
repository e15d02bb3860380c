//! Losses, optimizers and `fit` for JavaScript. `fit` runs the whole loop in Rust and calls
//! `onEpoch` once per epoch, so JS crosses the boundary per epoch, not per op.

use super::args::{self, opt_bool, opt_fn, opt_num, opt_str};
use super::handles::{
    layer_from_js, optimizer_from_js, params_from_js, tensor_from_js, OptimizerHandle,
    SharedOptimizer,
};
use super::tensor::JsTensor;
use super::{js_err, js_err_in};
use crate::nn::loss::{self, Loss};
use crate::optim::{Adam, Optimizer, Sgd};
use crate::train::{fit as core_fit, fit_with, FitOptions, OptimizerKind};
use std::cell::RefCell;
use std::rc::Rc;
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

fn lr_of(op: &str, v: f64) -> Result<f32, JsError> {
    args::finite(op, "lr", v)
}

/// An optimizer: `step()` applies the current gradients, `zeroGrad()` clears them. Pass it to
/// `fit(model, x, y, { optimizer: opt })` to keep its state (and attached pruning masks).
#[wasm_bindgen(js_name = Optimizer)]
pub struct JsOptimizer {
    inner: Rc<SharedOptimizer>,
    handle: OptimizerHandle,
}

impl JsOptimizer {
    /// A wrapper sharing an optimizer that Rust owns (a Trainer lending its optimizer to a
    /// student's trainEpoch).
    pub(crate) fn from_shared(inner: Rc<SharedOptimizer>) -> JsOptimizer {
        let handle = OptimizerHandle::new(&inner);
        JsOptimizer { inner, handle }
    }

    fn new(o: Box<dyn Optimizer>) -> JsOptimizer {
        let inner = Rc::new(RefCell::new(o));
        let handle = OptimizerHandle::new(&inner);
        JsOptimizer { inner, handle }
    }
    /// Replaces the inner optimizer by a wrapper around it (pruning masks use this).
    pub(crate) fn wrap(
        &mut self,
        op: &str,
        f: impl FnOnce(Box<dyn Optimizer>) -> Box<dyn Optimizer>,
    ) -> Result<(), JsError> {
        let mut slot = self.slot(op)?;
        // An optimizer over no parameters holds the slot for the instant of the swap.
        let empty = Sgd::new(Vec::new(), 0.0, 0.0, 0.0).expect("an empty SGD is valid");
        let old = std::mem::replace(&mut *slot, Box::new(empty));
        *slot = f(old);
        Ok(())
    }
    /// The optimizer, or an error if `fit` is using it (an `onEpoch` callback calling `step`).
    fn slot(&self, op: &str) -> Result<std::cell::RefMut<'_, Box<dyn Optimizer>>, JsError> {
        self.inner
            .try_borrow_mut()
            .map_err(|_| js_err(format!("{op}: the optimizer is in use by fit()")))
    }
}

#[wasm_bindgen(js_class = Optimizer)]
impl JsOptimizer {
    /// Not a way to make one: `new Optimizer()` throws an `Error` that says to call `SGD`,
    /// `Adam` or `AdamW` (without it, `new` made an empty object whose every method failed
    /// with "null pointer passed to rust").
    #[wasm_bindgen(constructor)]
    pub fn new_js() -> Result<JsOptimizer, JsError> {
        Err(js_err(
            "new Optimizer: make one with SGD(model, { lr }), Adam(model, { lr }) or \
             AdamW(model, { lr })",
        ))
    }
    /// Updates every parameter that has a gradient.
    pub fn step(&mut self) -> Result<(), JsError> {
        self.slot("Optimizer.step")?.step().map_err(js_err)
    }
    /// Clears every parameter's gradient.
    #[wasm_bindgen(js_name = zeroGrad)]
    pub fn zero_grad(&self) -> Result<(), JsError> {
        self.slot("Optimizer.zeroGrad")?.zero_grad();
        Ok(())
    }
    /// The learning rate (as set: 0.1 reads back as 0.1, not its float32 rounding).
    #[wasm_bindgen(getter)]
    pub fn lr(&self) -> Result<f64, JsError> {
        let lr = self.slot("Optimizer.lr")?.lr();
        Ok(format!("{lr}").parse().unwrap_or(lr as f64))
    }
    /// Changes the learning rate.
    #[wasm_bindgen(setter)]
    pub fn set_lr(&mut self, lr: f64) -> Result<(), JsError> {
        let lr = lr_of("Optimizer.lr", lr)?;
        if lr < 0.0 {
            return Err(js_err("Optimizer.lr: must be ≥ 0"));
        }
        self.slot("Optimizer.lr")?.set_lr(lr);
        Ok(())
    }
    /// "sgd", "adam" or "adamw".
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> Result<String, JsError> {
        Ok(self.slot("Optimizer.kind")?.kind().to_string())
    }
    /// Internal: resolves JS arguments back to this optimizer.
    #[wasm_bindgen(getter, js_name = __optimizerId)]
    pub fn optimizer_id(&self) -> u32 {
        self.handle.id()
    }
}

/// Stochastic gradient descent: `SGD(paramsOrModel, { lr = 0.01, momentum = 0, weightDecay = 0 })`.
#[wasm_bindgen(js_name = SGD)]
pub fn sgd(
    params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SGDOptions")] options: JsValue,
) -> Result<JsOptimizer, JsError> {
    let op = "SGD";
    args::options(op, &options)?;
    let lr = lr_of(op, opt_num(&options, op, "lr")?.unwrap_or(0.01))?;
    let mu = args::opt_finite(&options, op, "momentum", 0.0)?;
    let wd = args::opt_finite(&options, op, "weightDecay", 0.0)?;
    let p = params_from_js(op, &params)?;
    Ok(JsOptimizer::new(Box::new(
        Sgd::new(p, lr, mu, wd).map_err(js_err)?,
    )))
}

/// Adam: `Adam(paramsOrModel, { lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 })`.
#[wasm_bindgen(js_name = Adam)]
pub fn adam(
    params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AdamOptions")] options: JsValue,
) -> Result<JsOptimizer, JsError> {
    adam_like("Adam", params, options, false)
}

/// AdamW (decoupled weight decay): same options as Adam, `weightDecay` defaults to 0.01.
#[wasm_bindgen(js_name = AdamW)]
pub fn adamw(
    params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AdamOptions")] options: JsValue,
) -> Result<JsOptimizer, JsError> {
    adam_like("AdamW", params, options, true)
}

fn adam_like(
    op: &str,
    params: JsValue,
    options: JsValue,
    decoupled: bool,
) -> Result<JsOptimizer, JsError> {
    args::options(op, &options)?;
    let num = |k: &str, d: f64| args::opt_finite(&options, op, k, d);
    let lr = num("lr", 0.001)?;
    let (b1, b2, eps) = (num("beta1", 0.9)?, num("beta2", 0.999)?, num("eps", 1e-8)?);
    let wd = num("weightDecay", if decoupled { 0.01 } else { 0.0 })?;
    let p = params_from_js(op, &params)?;
    let a = Adam::with_options(p, lr, (b1, b2), eps, wd, decoupled).map_err(js_err)?;
    Ok(JsOptimizer::new(Box::new(a)))
}

/// Trains `model` on `(x, y)` with the whole loop in Rust.
///
/// Options: `{ epochs = 10, batchSize = 32, lr = 0.01, optimizer = "adam" | "sgd" | "adamw"
/// | an Optimizer, loss = "mse" | "cross_entropy" | "bce" | "bce_with_logits", momentum = 0,
/// weightDecay = 0, shuffle = true, seed = 0, onEpoch({ epoch, loss, accuracy }) }`. With an
/// Optimizer object (e.g. one with pruning masks attached) its own lr and state are used and
/// passing lr/momentum/weightDecay too is an error. Returning `false` from `onEpoch` stops
/// early. Returns `{ loss: number[], accuracy: number[] }`.
///
/// ```js
/// const opt = Adam(model, { lr: 0.01 });
/// fit(model, x, y, { epochs: 5, optimizer: opt, loss: "cross_entropy" });
/// ```
#[wasm_bindgen(unchecked_return_type = "FitResult")]
pub fn fit(
    model: JsValue,
    x: JsValue,
    y: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FitOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "fit";
    args::options(op, &options)?;
    let layer = layer_from_js(op, "model", &model)?;
    let (x, y) = (tensor_from_js(op, "x", &x)?, tensor_from_js(op, "y", &y)?);
    let epochs = args::opt_positive(&options, op, "epochs", 10.0, 1e7)?;
    let batch_size = args::opt_positive(&options, op, "batchSize", 32.0, 1e7)?;
    // `optimizer` is a name (fit builds it from lr/momentum/weightDecay) or an Optimizer object
    // (used as is, keeping its state and attached masks; its own settings then rule).
    let given = optimizer_from_js(op, "options.optimizer", &args::get(&options, "optimizer"))?;
    if given.is_some() {
        for k in ["lr", "momentum", "weightDecay"] {
            if !args::get(&options, k).is_undefined() {
                return Err(js_err(format!(
                    "fit: options.{k} conflicts with the Optimizer object passed as options.optimizer (set it on the optimizer)"
                )));
            }
        }
    }
    let lr = lr_of(op, opt_num(&options, op, "lr")?.unwrap_or(0.01))?;
    let optimizer = match &given {
        Some(_) => OptimizerKind::Adam,
        None => OptimizerKind::parse(
            &opt_str(&options, op, "optimizer")?.unwrap_or_else(|| "adam".into()),
        )
        .map_err(js_err)?,
    };
    let loss = Loss::parse(&opt_str(&options, op, "loss")?.unwrap_or_else(|| "mse".into()))
        .map_err(js_err)?;
    let momentum = args::opt_finite(&options, op, "momentum", 0.0)?;
    let weight_decay = args::opt_finite(&options, op, "weightDecay", 0.0)?;
    let shuffle = opt_bool(&options, op, "shuffle")?.unwrap_or(true);
    let seed = args::seed(&options, op)?;
    let on_epoch = opt_fn(&options, op, "onEpoch")?;
    let opts = FitOptions {
        epochs,
        batch_size,
        lr,
        optimizer,
        loss,
        momentum,
        weight_decay,
        shuffle_seed: shuffle.then_some(seed),
    };
    let mut callback_error = None;
    let report = |epoch, s: crate::train::EpochStats| {
        let Some(f) = &on_epoch else { return true };
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
    let out = serde_json::json!({
        "loss": stats.iter().map(|s| s.loss).collect::<Vec<_>>(),
        "accuracy": stats.iter().map(|s| s.accuracy).collect::<Vec<_>>(),
    });
    args::to_js(&out)
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
