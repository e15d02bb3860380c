//! Modules 14-16 for JavaScript: profiling a training step, counting FLOPs, int8
//! quantization, pruning (magnitude and neurons), low-rank layers and distillation.

use super::args::{self, opt_bool, opt_str};
use super::handles::{layer_from_js, params_from_js};
use super::nn::JsSequential;
use super::tensor::JsTensor;
use super::train::JsOptimizer;
use super::{js_err, js_err_in};
use crate::compress::{self, Masks};
use crate::nn::loss::Loss;
use crate::nn::{self, Layer};
use crate::optim::{Adam, Optimizer, Sgd};
use js_sys::{Object, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

fn set(obj: &Object, k: &str, v: JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &k.into(), &v)
        .map(|_| ())
        .map_err(|_| js_err("internal: result object"))
}

fn sequential_of(op: &str, v: &JsValue) -> Result<Layer, JsError> {
    let layer = layer_from_js(op, "model", v)?;
    if layer.as_any().downcast_ref::<nn::Sequential>().is_none() {
        return Err(js_err(format!(
            "{op}: model must be a Sequential, got {}",
            layer.kind()
        )));
    }
    Ok(layer)
}

/// Profiles one training step: `profileStep(model, x, y, { loss = "mse", optimizer = "adam" |
/// "sgd" | "none", lr = 0.01 })` → `{ layers: [{ index, path, kind, describe, params, flops,
/// flops_total, forward_ms, backward_ms, output_shape, activation_bytes }], total_params,
/// total_flops, param_bytes, grad_bytes, optimizer_bytes, activation_bytes, forward_ms,
/// backward_ms, loss }`. The step's results are exactly those of an unprofiled step.
#[wasm_bindgen(js_name = profileStep)]
pub fn profile_step(
    model: JsValue,
    x: &JsTensor,
    y: &JsTensor,
    options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "profileStep";
    args::options(op, &options)?;
    let m = layer_from_js(op, "model", &model)?;
    let loss = Loss::parse(&opt_str(&options, op, "loss")?.unwrap_or_else(|| "mse".into()))
        .map_err(|e| js_err_in(op, e))?;
    let lr = args::opt_finite(&options, op, "lr", 0.01)?;
    let mut opt: Option<Box<dyn Optimizer>> = match opt_str(&options, op, "optimizer")?
        .as_deref()
        .unwrap_or("adam")
    {
        "adam" => Some(Box::new(Adam::new(m.parameters(), lr).map_err(js_err)?)),
        "sgd" => Some(Box::new(
            Sgd::new(m.parameters(), lr, 0.0, 0.0).map_err(js_err)?,
        )),
        "none" => None,
        other => {
            return Err(js_err(format!(
                "{op}: optimizer must be \"adam\", \"sgd\" or \"none\", got \"{other}\""
            )))
        }
    };
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

/// int8-quantizes one tensor: `quantizeTensor(t, { perChannel = false, axis = 0 })` →
/// `{ values: Int8Array, params: [{ scale, zero_point }], bytes, dequantized: Tensor, maxError }`.
#[wasm_bindgen(js_name = quantizeTensor)]
pub fn quantize_tensor(t: &JsTensor, options: JsValue) -> Result<JsValue, JsError> {
    let op = "quantizeTensor";
    args::options(op, &options)?;
    let q = if opt_bool(&options, op, "perChannel")?.unwrap_or(false) {
        let axis = args::opt_count(&options, op, "axis", 0.0, 64.0)?;
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

/// Pruning masks from `magnitudePrune`; attach them to an optimizer (`opt.attachMasks(masks)`)
/// so pruned weights stay exactly zero while training continues.
#[wasm_bindgen(js_name = PruneMasks)]
pub struct JsMasks(Masks);

#[wasm_bindgen(js_class = PruneMasks)]
impl JsMasks {
    /// Not a way to make them: `new PruneMasks()` throws an `Error` that says to call
    /// `magnitudePrune`.
    #[wasm_bindgen(constructor)]
    pub fn new_js() -> Result<JsMasks, JsError> {
        Err(js_err(
            "new PruneMasks: masks come from magnitudePrune(model, sparsity, { global })",
        ))
    }
    /// Fraction of the masked weights that are pruned.
    #[wasm_bindgen(getter)]
    pub fn sparsity(&self) -> f64 {
        self.0.sparsity()
    }
    /// Zeroes every pruned weight again.
    pub fn apply(&self) {
        self.0.apply();
    }
    /// Whether every pruned weight is exactly zero now.
    pub fn holds(&self) -> bool {
        self.0.holds()
    }
}

/// Prunes the `sparsity` fraction of smallest-magnitude weights (weight matrices only) of a
/// model: `magnitudePrune(model, sparsity, { global = true })` → `PruneMasks`.
#[wasm_bindgen(js_name = magnitudePrune)]
pub fn magnitude_prune(
    model: JsValue,
    sparsity: f64,
    #[wasm_bindgen(unchecked_optional_param_type = "MagnitudePruneOptions")] options: JsValue,
) -> Result<JsMasks, JsError> {
    let op = "magnitudePrune";
    args::options(op, &options)?;
    let m = layer_from_js(op, "model", &model)?;
    let weights: Vec<_> = m
        .named_parameters()
        .into_iter()
        .filter(|(n, _)| n.ends_with("weight"))
        .map(|(_, t)| t)
        .collect();
    let global = opt_bool(&options, op, "global")?.unwrap_or(true);
    compress::magnitude_prune(&weights, sparsity, global)
        .map(JsMasks)
        .map_err(|e| js_err_in(op, e))
}

#[wasm_bindgen(js_class = Optimizer)]
impl JsOptimizer {
    /// Re-applies `masks` after every step from now on. The optimizer keeps its own copy, so
    /// `masks.sparsity` and `masks.holds()` still answer afterwards.
    #[wasm_bindgen(js_name = attachMasks)]
    pub fn attach_masks(&mut self, masks: &JsMasks) -> Result<(), JsError> {
        let m = masks.0.clone();
        self.wrap("Optimizer.attachMasks", |inner| {
            Box::new(compress::MaskedOptimizer::new(inner, m))
        })
    }
}

/// Fraction of exactly-zero values in a model's weights (or an array of tensors).
#[wasm_bindgen]
pub fn sparsity(model_or_params: JsValue) -> Result<f64, JsError> {
    let params = if js_sys::Array::is_array(&model_or_params) {
        params_from_js("sparsity", &model_or_params)?
    } else {
        let m = layer_from_js("sparsity", "model", &model_or_params)?;
        m.named_parameters()
            .into_iter()
            .filter(|(n, _)| n.ends_with("weight"))
            .map(|(_, t)| t)
            .collect()
    };
    Ok(compress::sparsity(&params))
}

/// Structured pruning: keeps `keep` hidden neurons between Linear `layerIndex` and the next
/// Linear of a Sequential; returns the smaller Sequential.
#[wasm_bindgen(js_name = pruneNeurons)]
pub fn prune_neurons(model: JsValue, layer_index: f64, keep: f64) -> Result<JsSequential, JsError> {
    let op = "pruneNeurons";
    let m = sequential_of(op, &model)?;
    let seq = m
        .as_any()
        .downcast_ref::<nn::Sequential>()
        .expect("checked");
    let i = args::count(op, "layerIndex", layer_index, 1e6)?;
    let k = args::positive(op, "keep", keep, 1e7)?;
    compress::prune_neurons(seq, i, k)
        .map(|s| JsSequential::from_layer(Rc::new(s)))
        .map_err(|e| js_err_in(op, e))
}

/// Factorises a Linear into `Linear(in, rank) → Linear(rank, out)` by truncated SVD.
#[wasm_bindgen(js_name = lowRankLinear)]
pub fn low_rank_linear(linear: &super::nn::JsLinear, rank: f64) -> Result<JsSequential, JsError> {
    let r = args::positive("lowRankLinear", "rank", rank, 1e6)?;
    compress::low_rank_linear(linear.linear(), r)
        .map(|s| JsSequential::from_layer(Rc::new(s)))
        .map_err(|e| js_err_in("lowRankLinear", e))
}

/// `α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE(student, labels)`.
#[wasm_bindgen(js_name = distillationLoss)]
pub fn distillation_loss(
    student: &JsTensor,
    teacher: &JsTensor,
    labels: &JsTensor,
    temperature: f64,
    alpha: f64,
) -> Result<JsTensor, JsError> {
    let op = "distillationLoss";
    let t = args::finite(op, "temperature", temperature)?;
    let a = args::finite(op, "alpha", alpha)?;
    if !(t > 0.0) || !(0.0..=1.0).contains(&a) {
        return Err(js_err(format!(
            "{op}: temperature must be > 0 and alpha in [0, 1], got {t} and {a}"
        )));
    }
    compress::distillation_loss(student.inner(), teacher.inner(), labels.inner(), t, a)
        .map(JsTensor::new)
        .map_err(|e| js_err_in(op, e))
}
