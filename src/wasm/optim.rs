//! Optimizers for JavaScript (course module 06): `SGD`, `Adam` and `AdamW` over a model's
//! parameters or an array of tensors, as one `Optimizer` class whose state JS keeps (`fit`
//! takes it as `options.optimizer`; pruning masks attach to it in `compress.rs`).

use super::args;
use super::handles::{params_from_js, OptimizerHandle, SharedOptimizer};
use super::js_err;
use super::options;
use crate::optim::{Adam, Optimizer, Sgd};
use serde::Deserialize;
use std::cell::RefCell;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// A learning rate from JS: finite, or an error naming `op`.
pub(super) fn lr_of(op: &str, v: f64) -> Result<f32, JsError> {
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

/// Options of `SGD(paramsOrModel, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SGDOptions {
    /// Learning rate (default 0.01).
    #[tsify(optional)]
    pub lr: Option<f64>,
    /// Momentum (default 0).
    #[tsify(optional)]
    pub momentum: Option<f64>,
    /// L2 weight decay (default 0).
    #[tsify(optional)]
    pub weight_decay: Option<f64>,
}

/// Stochastic gradient descent over a model's parameters (or an array of tensors).
///
/// ```js
/// const opt = SGD(model, { lr: 0.1, momentum: 0.9 });
/// opt.zeroGrad(); loss.backward(); opt.step();
/// ```
#[wasm_bindgen(js_name = SGD)]
pub fn sgd(
    #[wasm_bindgen(unchecked_param_type = "Tensor[] | Sequential")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SGDOptions")] options: JsValue,
) -> Result<JsOptimizer, JsError> {
    let op = "SGD";
    let o: SGDOptions = options::parse(op, &options)?;
    let lr = lr_of(op, o.lr.unwrap_or(0.01))?;
    let mu = args::finite(op, "momentum", o.momentum.unwrap_or(0.0))?;
    let wd = args::finite(op, "weightDecay", o.weight_decay.unwrap_or(0.0))?;
    let p = params_from_js(op, &params)?;
    Ok(JsOptimizer::new(Box::new(
        Sgd::new(p, lr, mu, wd).map_err(js_err)?,
    )))
}

/// Options of `Adam` and `AdamW(paramsOrModel, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AdamOptions {
    /// Learning rate (default 0.001).
    #[tsify(optional)]
    pub lr: Option<f64>,
    /// Decay of the first moment (default 0.9).
    #[tsify(optional)]
    pub beta1: Option<f64>,
    /// Decay of the second moment (default 0.999).
    #[tsify(optional)]
    pub beta2: Option<f64>,
    /// Added to the denominator (default 1e-8).
    #[tsify(optional)]
    pub eps: Option<f64>,
    /// Weight decay: L2 for Adam (default 0), decoupled for AdamW (default 0.01).
    #[tsify(optional)]
    pub weight_decay: Option<f64>,
}

/// Adam over a model's parameters (or an array of tensors).
///
/// ```js
/// const opt = Adam(model, { lr: 0.01 });
/// ```
#[wasm_bindgen(js_name = Adam)]
pub fn adam(
    #[wasm_bindgen(unchecked_param_type = "Tensor[] | Sequential")] params: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AdamOptions")] options: JsValue,
) -> Result<JsOptimizer, JsError> {
    adam_like("Adam", params, options, false)
}

/// AdamW (decoupled weight decay): the options of Adam, `weightDecay` defaults to 0.01.
///
/// ```js
/// const opt = AdamW(model, { lr: 0.001, weightDecay: 0.1 });
/// ```
#[wasm_bindgen(js_name = AdamW)]
pub fn adamw(
    #[wasm_bindgen(unchecked_param_type = "Tensor[] | Sequential")] params: JsValue,
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
    let o: AdamOptions = options::parse(op, &options)?;
    let num = |k: &str, v: Option<f64>, d: f64| args::finite(op, k, v.unwrap_or(d));
    let lr = num("lr", o.lr, 0.001)?;
    let (b1, b2) = (num("beta1", o.beta1, 0.9)?, num("beta2", o.beta2, 0.999)?);
    let eps = num("eps", o.eps, 1e-8)?;
    let wd = num(
        "weightDecay",
        o.weight_decay,
        if decoupled { 0.01 } else { 0.0 },
    )?;
    let p = params_from_js(op, &params)?;
    let a = Adam::with_options(p, lr, (b1, b2), eps, wd, decoupled).map_err(js_err)?;
    Ok(JsOptimizer::new(Box::new(a)))
}
