//! Module 16 for JavaScript: pruning (magnitude, with masks an optimizer keeps applying, and
//! whole neurons), low-rank layers, and distillation (its loss, and a whole training loop).

use super::args;
use super::handles::{layer_from_js, params_from_js, sequential_of, tensor_from_js};
use super::nn::JsSequential;
use super::optim::JsOptimizer;
use super::options::{self, callback};
use super::tensor::JsTensor;
use super::{js_err, js_err_in};
use crate::compress::{self, DistillConfig, Masks};
use crate::data::{DataLoader, TensorDataset};
use crate::nn;
use crate::optim::Adam;
use js_sys::Function;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

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

/// Options of `magnitudePrune(model, sparsity, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MagnitudePruneOptions {
    /// One threshold over every weight matrix (default true), or each pruned on its own.
    #[tsify(optional)]
    pub global: Option<bool>,
}

/// Prunes the `sparsity` fraction of smallest-magnitude weights (weight matrices only) of a
/// model and returns the masks.
///
/// ```js
/// const masks = magnitudePrune(model, 0.5, { global: true });
/// sparsity(model);   // 0.5
/// ```
#[wasm_bindgen(js_name = magnitudePrune)]
pub fn magnitude_prune(
    #[wasm_bindgen(unchecked_param_type = "Sequential")] model: JsValue,
    sparsity: f64,
    #[wasm_bindgen(unchecked_optional_param_type = "MagnitudePruneOptions")] options: JsValue,
) -> Result<JsMasks, JsError> {
    let op = "magnitudePrune";
    let o: MagnitudePruneOptions = options::parse(op, &options)?;
    let m = layer_from_js(op, "model", &model)?;
    let weights: Vec<_> = m
        .named_parameters()
        .into_iter()
        .filter(|(n, _)| n.ends_with("weight"))
        .map(|(_, t)| t)
        .collect();
    compress::magnitude_prune(&weights, sparsity, o.global.unwrap_or(true))
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

/// Options of `distill(teacher, student, x, y, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DistillOptions {
    /// Passes over the data, 1 to 10^6 (default 20).
    #[tsify(optional)]
    pub epochs: Option<f64>,
    /// Rows per step, 1 to 10^6 (default 32).
    #[tsify(optional)]
    pub batch_size: Option<f64>,
    /// Learning rate of the student's Adam (default 0.005).
    #[tsify(optional)]
    pub lr: Option<f64>,
    /// Softening temperature T, > 0 (default 3).
    #[tsify(optional)]
    pub temperature: Option<f64>,
    /// Weight α of the soft loss, 0 to 1 (default 0.7); 1 − α goes to the labels.
    #[tsify(optional)]
    pub alpha: Option<f64>,
    /// Shuffle the rows every epoch, seeded (default true).
    #[tsify(optional)]
    pub shuffle: Option<bool>,
    /// Seed of the shuffles (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// Called after every epoch; return `false` to stop.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(
        optional,
        type = "(e: { epoch: number; loss: number }) => boolean | void"
    )]
    pub on_epoch: Option<Function>,
}

/// What `distill` returns.
#[derive(Serialize, Tsify)]
pub struct DistillResult {
    /// Mean distillation loss of each epoch run.
    pub loss: Vec<f32>,
}

/// Trains `student` on `(x, y)` to match `teacher` (knowledge distillation, module 16), the
/// whole loop in Rust: each batch, `distillationLoss(student(x), teacher(x), y, T, α)` and an
/// Adam step on the student. Put the teacher in eval mode first; it is not changed.
///
/// ```js
/// teacher.eval();
/// const student = digitsModel({ model: 'mlp', hidden: 16, seed: 1 });
/// distill(teacher, student, d.trainImages, d.trainLabels, { epochs: 20, temperature: 3, alpha: 0.7 }).loss;
/// ```
#[wasm_bindgen(unchecked_return_type = "DistillResult")]
pub fn distill(
    #[wasm_bindgen(unchecked_param_type = "Sequential")] teacher: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Sequential")] student: JsValue,
    x: JsValue,
    y: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "DistillOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "distill";
    let o: DistillOptions = options::parse(op, &options)?;
    let teacher = layer_from_js(op, "teacher", &teacher)?;
    let student = layer_from_js(op, "student", &student)?;
    let (x, y) = (tensor_from_js(op, "x", &x)?, tensor_from_js(op, "y", &y)?);
    let cfg = DistillConfig {
        epochs: args::positive(op, "epochs", o.epochs.unwrap_or(20.0), 1e6)?,
        temperature: args::finite(op, "temperature", o.temperature.unwrap_or(3.0))?,
        alpha: args::finite(op, "alpha", o.alpha.unwrap_or(0.7))?,
    };
    let batch = args::positive(op, "batchSize", o.batch_size.unwrap_or(32.0), 1e6)?;
    let lr = args::finite(op, "lr", o.lr.unwrap_or(0.005))?;
    let data = Rc::new(TensorDataset::new(x, y).map_err(|e| js_err_in(op, e))?);
    let mut data = DataLoader::new(data, batch).map_err(|e| js_err_in(op, e))?;
    if o.shuffle.unwrap_or(true) {
        data = data.shuffle(args::seed_value(op, o.seed)?);
    }
    let mut opt = Adam::new(student.parameters(), lr).map_err(|e| js_err_in(op, e))?;
    let mut thrown = None;
    let loss = compress::distill(
        &*teacher,
        &*student,
        &data,
        &mut opt,
        &cfg,
        &mut |epoch, loss| {
            let Some(f) = &o.on_epoch else { return true };
            let info = serde_json::json!({ "epoch": epoch, "loss": loss });
            let arg = args::to_js(&info).unwrap_or(JsValue::UNDEFINED);
            super::call_continue(f, &arg, &mut thrown)
        },
    )
    .map_err(|e| js_err_in(op, e))?;
    if let Some(e) = thrown {
        return Err(super::callback_threw(op, "onEpoch", &e));
    }
    args::to_js(&DistillResult { loss })
}
