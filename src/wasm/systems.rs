//! Modules 14 and 15 for JavaScript: profiling a training step, counting FLOPs, and int8
//! quantization (module 16's compression is in `compress.rs`).

use super::args;
use super::args::set_field as set;
use super::handles::{layer_from_js, sequential_of};
use super::nn::JsSequential;
use super::options;
use super::tensor::JsTensor;
use super::{js_err, js_err_in};
use crate::nn;
use crate::nn::loss::Loss;
use crate::optim::{Adam, Optimizer, Sgd};
use js_sys::Object;
use serde::Deserialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// The optimizer step `profileStep` includes.
#[derive(Clone, Copy, Deserialize, Tsify)]
#[serde(rename_all = "snake_case")]
pub enum StepOptimizer {
    Adam,
    Sgd,
    /// Forward and backward only.
    None,
}

/// Options of `profileStep(model, x, y, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileStepOptions {
    /// The loss (default "mse").
    #[tsify(optional)]
    pub loss: Option<Loss>,
    /// The step's optimizer (default "adam").
    #[tsify(optional)]
    pub optimizer: Option<StepOptimizer>,
    /// Its learning rate (default 0.01).
    #[tsify(optional)]
    pub lr: Option<f64>,
}

/// Profiles one training step: per layer its parameters, FLOPs (and their hand formula),
/// measured forward and backward time, output shape and activation bytes; the totals and the
/// step's memory. The step's results are exactly those of an unprofiled step.
///
/// ```js
/// const r = profileStep(model, x, y, { loss: 'cross_entropy', optimizer: 'adam', lr: 0.001 });
/// r.layers[0].formula;   // "2·256·64·128 + 256·128" for a Linear(64 → 128) on 256 rows
/// ```
#[wasm_bindgen(js_name = profileStep, unchecked_return_type = "ProfileReport")]
pub fn profile_step(
    #[wasm_bindgen(unchecked_param_type = "Sequential")] model: JsValue,
    x: &JsTensor,
    y: &JsTensor,
    #[wasm_bindgen(unchecked_optional_param_type = "ProfileStepOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "profileStep";
    let o: ProfileStepOptions = options::parse(op, &options)?;
    let m = layer_from_js(op, "model", &model)?;
    let lr = args::finite(op, "lr", o.lr.unwrap_or(0.01))?;
    let mut opt: Option<Box<dyn Optimizer>> = match o.optimizer.unwrap_or(StepOptimizer::Adam) {
        StepOptimizer::Adam => Some(Box::new(Adam::new(m.parameters(), lr).map_err(js_err)?)),
        StepOptimizer::Sgd => Some(Box::new(
            Sgd::new(m.parameters(), lr, 0.0, 0.0).map_err(js_err)?,
        )),
        StepOptimizer::None => None,
    };
    let loss = o.loss.unwrap_or(Loss::Mse);
    let r = crate::profiler::profile_step(&*m, x.inner(), y.inner(), loss, opt.as_deref_mut())
        .map_err(|e| js_err_in(op, e))?;
    args::to_js(&r)
}

/// FLOPs per layer of a forward pass on `x` (no timing): the `layers` part of `profileStep`.
#[wasm_bindgen(js_name = countFlops)]
pub fn count_flops(model: JsValue, x: &JsTensor) -> Result<JsValue, JsError> {
    let m = layer_from_js("countFlops", "model", &model)?;
    args::to_js(
        &crate::profiler::count_flops(&*m, x.inner()).map_err(|e| js_err_in("countFlops", e))?,
    )
}

/// Options of `quantizeTensor(t, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QuantizeTensorOptions {
    /// One scale and zero point per slice along `axis` instead of one for the tensor.
    #[tsify(optional)]
    pub per_channel: Option<bool>,
    /// The channel axis with `perChannel` (default 0).
    #[tsify(optional)]
    pub axis: Option<f64>,
}

/// int8-quantizes one tensor: `{ values: Int8Array, params: [{ scale, zero_point }], bytes,
/// dequantized: Tensor, maxError }`.
///
/// ```js
/// quantizeTensor(lin.weight, { perChannel: true, axis: 1 }).params.length;   // one per column
/// ```
#[wasm_bindgen(js_name = quantizeTensor)]
pub fn quantize_tensor(
    t: &JsTensor,
    #[wasm_bindgen(unchecked_optional_param_type = "QuantizeTensorOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "quantizeTensor";
    let o: QuantizeTensorOptions = options::parse(op, &options)?;
    let q = if o.per_channel.unwrap_or(false) {
        let axis = args::count(op, "axis", o.axis.unwrap_or(0.0), 64.0)?;
        crate::quant::QuantTensor::per_channel(t.inner(), axis).map_err(|e| js_err_in(op, e))?
    } else {
        crate::quant::QuantTensor::per_tensor(t.inner())
    };
    let back = q.dequantize();
    let err = t
        .inner()
        .to_vec()
        .iter()
        .zip(back.to_vec())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    let obj = Object::new();
    set(&obj, "values", js_sys::Int8Array::from(q.values()).into())?;
    set(&obj, "params", args::to_js(&q.params())?)?;
    set(&obj, "bytes", JsValue::from(q.bytes() as f64))?;
    set(&obj, "dequantized", JsTensor::new(back).into())?;
    set(&obj, "maxError", JsValue::from(err))?;
    Ok(obj.into())
}

/// Replaces every Linear/Conv2d of a Sequential by an int8 version calibrated on
/// `calibration`: returns `{ model: Sequential, report: { float_bytes, quant_bytes, ratio,
/// layers } }`.
#[wasm_bindgen(js_name = quantizeModel)]
pub fn quantize_model(model: JsValue, calibration: &JsTensor) -> Result<JsValue, JsError> {
    let op = "quantizeModel";
    let m = sequential_of(op, &model)?;
    let seq = m
        .as_any()
        .downcast_ref::<nn::Sequential>()
        .expect("checked");
    let (q, report) =
        crate::quant::quantize_model(seq, calibration.inner()).map_err(|e| js_err_in(op, e))?;
    let obj = Object::new();
    set(&obj, "model", JsSequential::from_layer(Rc::new(q)).into())?;
    set(&obj, "report", args::to_js(&report)?)?;
    Ok(obj.into())
}
