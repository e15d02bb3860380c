//! The milestones for JavaScript: the bundled digits (`digitsDataset`), the digits models
//! (`digitsModel`) and their trainer (`trainDigits`, module 09's CNN or an MLP), the generated text corpus (`textCorpus`) and the
//! TinyGPT trainer (`trainGpt`, module 13's GPT; the model class is in `transformer.rs`).

use super::args::{self, set_field as set};
use super::options::{self, callback};
use super::tensor::JsTensor;
use super::text::JsCharTokenizer;
use super::transformer::JsGPT;
use super::{js_err, js_err_in};
use crate::milestones::digits::{
    digits_mlp, digits_model as core_digits_model, train_digits, DigitsConfig, DigitsModel,
};
use crate::milestones::tinygpt::{train_gpt, GptTrainConfig};
use crate::text::corpus;
use js_sys::{Function, Object};
use serde::Deserialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// Options of `digitsDataset(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DigitsDatasetOptions {
    /// Seed of the stratified split (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// Share of each class held out for testing (default 0.2).
    #[tsify(optional)]
    pub test_fraction: Option<f64>,
}

/// The bundled UCI handwritten digits (1,797 8×8 images, as scikit-learn ships them), split
/// stratified and seeded: returns `{ trainImages, trainLabels, testImages, testLabels }` with
/// images (N, 1, 8, 8) in [0, 1] and labels as class ids 0-9.
///
/// ```js
/// const d = digitsDataset({ seed: 0 });
/// d.trainImages.shape;   // [1438, 1, 8, 8]
/// ```
#[wasm_bindgen(js_name = digitsDataset)]
pub fn digits_dataset(
    #[wasm_bindgen(unchecked_optional_param_type = "DigitsDatasetOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "digitsDataset";
    let o: DigitsDatasetOptions = options::parse(op, &options)?;
    let seed = args::seed_value(op, o.seed)?;
    let frac = args::finite(op, "testFraction", o.test_fraction.unwrap_or(0.2))?;
    let d = crate::data::digits(seed, frac).map_err(js_err)?;
    let obj = Object::new();
    set(&obj, "trainImages", JsTensor::new(d.train_images).into())?;
    set(&obj, "trainLabels", JsTensor::new(d.train_labels).into())?;
    set(&obj, "testImages", JsTensor::new(d.test_images).into())?;
    set(&obj, "testLabels", JsTensor::new(d.test_labels).into())?;
    Ok(obj.into())
}

/// Options of `digitsModel(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DigitsModelOptions {
    /// "cnn" (module 09's CNN, the default) or "mlp".
    #[tsify(optional)]
    pub model: Option<DigitsModel>,
    /// Hidden units of the MLP (default 128; the MLP only).
    #[tsify(optional)]
    pub hidden: Option<f64>,
    /// Reseeds the global generator first, like `manualSeed(seed)`; without it the weights are
    /// the generator's next draws.
    #[tsify(optional)]
    pub seed: Option<f64>,
}

/// A fresh, untrained digits model, the one the milestone and the suites train: the CNN
/// Conv(1→16, 3, p1) → ReLU → MaxPool 2 → Conv(16→32, 3, p1) → ReLU → MaxPool 2 → Flatten →
/// Linear(128, 10), or the MLP Flatten → Linear(64, hidden) → ReLU → Linear(hidden, 10). Both
/// take (N, 1, 8, 8) images and give (N, 10) logits.
///
/// ```js
/// const mlp = digitsModel({ model: 'mlp', hidden: 32, seed: 0 });
/// mlp.at(1).weight.shape;   // [64, 32]
/// ```
#[wasm_bindgen(js_name = digitsModel)]
pub fn digits_model(
    #[wasm_bindgen(unchecked_optional_param_type = "DigitsModelOptions")] options: JsValue,
) -> Result<super::nn::JsSequential, JsError> {
    let op = "digitsModel";
    let o: DigitsModelOptions = options::parse(op, &options)?;
    let kind = o.model.unwrap_or(DigitsModel::Cnn);
    if let Some(seed) = o.seed {
        crate::manual_seed(args::seed_value(op, Some(seed))?);
    }
    let model = match (kind, o.hidden) {
        (DigitsModel::Mlp, h) => {
            digits_mlp(args::positive(op, "hidden", h.unwrap_or(128.0), 65_536.0)?)
        }
        (DigitsModel::Cnn, None) => core_digits_model(kind).map_err(|e| js_err_in(op, e))?,
        (DigitsModel::Cnn, Some(_)) => {
            return Err(js_err(format!(
                "{op}: hidden is an option of the mlp, not the cnn"
            )))
        }
    };
    Ok(super::nn::JsSequential::from_layer(Rc::new(model)))
}

/// Options of `trainDigits(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrainDigitsOptions {
    /// "cnn" (default) or "mlp".
    #[tsify(optional)]
    pub model: Option<DigitsModel>,
    /// Seed of the split, the weights and the shuffles (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// 1 to 1000 (default 20 for the CNN, 30 for the MLP).
    #[tsify(optional)]
    pub epochs: Option<f64>,
    /// Adam's learning rate (default 0.005).
    #[tsify(optional)]
    pub lr: Option<f64>,
    /// 1 to 4096 (default 32).
    #[tsify(optional)]
    pub batch_size: Option<f64>,
    /// Called after every epoch; return `false` to stop.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(
        optional,
        type = "(e: { epoch: number; epochs: number; trainLoss: number; trainAccuracy: number; testLoss: number; testAccuracy: number }) => boolean | void"
    )]
    pub on_epoch: Option<Function>,
}

/// Trains the digits milestone model. Returns `{ config, trainLoss[], trainAccuracy[],
/// testLoss[], testAccuracy[], confusion[10][10], misclassified: [{ label, predicted,
/// pixels[64] }], trainMs, parameters, trainSize, testSize, model }`, where `model` is the
/// trained `Sequential` (free it when done).
///
/// ```js
/// const run = trainDigits({ model: 'mlp', epochs: 5, onEpoch: (e) => console.log(e.testAccuracy) });
/// run.model.free();
/// ```
#[wasm_bindgen(js_name = trainDigits)]
pub fn js_train_digits(
    #[wasm_bindgen(unchecked_optional_param_type = "TrainDigitsOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "trainDigits";
    let o: TrainDigitsOptions = options::parse(op, &options)?;
    let model = o.model.unwrap_or(DigitsModel::Cnn);
    let mut cfg = DigitsConfig::standard(model, args::seed_value(op, o.seed)?);
    if let Some(e) = o.epochs {
        cfg.epochs = args::positive(op, "epochs", e, 1000.0)?;
    }
    if let Some(b) = o.batch_size {
        cfg.batch_size = args::positive(op, "batchSize", b, 4096.0)?;
    }
    if let Some(lr) = o.lr {
        cfg.lr = args::finite(op, "lr", lr)?;
    }
    let mut thrown = None;
    let (model, run) = train_digits(&cfg, &mut |_| {}, &mut |e, tr, te| {
        let Some(f) = &o.on_epoch else { return true };
        let info = serde_json::json!({ "epoch": e, "epochs": cfg.epochs, "trainLoss": tr.loss, "trainAccuracy": tr.accuracy, "testLoss": te.loss, "testAccuracy": te.accuracy });
        let arg = args::to_js(&info).unwrap_or(JsValue::UNDEFINED);
        super::call_continue(f, &arg, &mut thrown)
    })
    .map_err(|e| super::js_err_in(op, e))?;
    if let Some(e) = thrown {
        return Err(super::callback_threw(op, "onEpoch", &e));
    }
    let out = serde_json::json!({
        "config": run.config, "trainLoss": run.train_loss, "trainAccuracy": run.train_accuracy,
        "testLoss": run.test_loss, "testAccuracy": run.test_accuracy, "confusion": run.confusion,
        "misclassified": run.misclassified, "trainMs": run.train_ms, "parameters": run.parameters,
        "trainSize": run.train_size, "testSize": run.test_size,
    });
    // The trained model comes back too, so a page can keep using it (predict, quantize, prune).
    let obj = args::to_js(&out)?;
    set(
        &obj,
        "model",
        super::nn::JsSequential::from_layer(model).into(),
    )?;
    Ok(obj)
}

/// The project's generated corpus for `seed`: `{ train, val, test }`, each a list of
/// `{ task, prompt, answer }` (tasks: reverse, sort, add, copy, dialogue).
#[wasm_bindgen(js_name = textCorpus)]
pub fn text_corpus(seed: Option<f64>) -> Result<JsValue, JsError> {
    let s = args::seed_value("textCorpus", seed)?;
    args::to_js(&corpus::generate(s))
}

/// Options of `trainGpt(options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrainGptOptions {
    /// Seed of the corpus, the weights and the batches (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// Training steps, 1 to 10^6 (default: the standard run's).
    #[tsify(optional)]
    pub steps: Option<f64>,
    /// Model width, 1 to 1024.
    #[tsify(optional)]
    pub dim: Option<f64>,
    /// Transformer blocks, 1 to 24.
    #[tsify(optional)]
    pub layers: Option<f64>,
    /// Attention heads (they must divide `dim`), 1 to 64.
    #[tsify(optional)]
    pub heads: Option<f64>,
    /// AdamW's learning rate.
    #[tsify(optional)]
    pub lr: Option<f64>,
    /// Sequences per step, 1 to 1024.
    #[tsify(optional)]
    pub batch_size: Option<f64>,
    /// Steps between two `onProgress` calls (default 25).
    #[tsify(optional)]
    pub every: Option<f64>,
    /// Called every `every` steps; return `false` to stop.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(
        optional,
        type = "(p: { step: number; steps: number; loss: number }) => boolean | void"
    )]
    pub on_progress: Option<Function>,
}

/// Trains TinyGPT on the corpus. Returns `{ model: GPT, tokenizer: CharTokenizer, run: {
/// lossCurve, scores, samples, trainMs, tokensPerSec, … } }`.
///
/// ```js
/// const { model, tokenizer, run } = trainGpt({ steps: 200, onProgress: (p) => console.log(p.loss) });
/// ```
#[wasm_bindgen(js_name = trainGpt)]
pub fn js_train_gpt(
    #[wasm_bindgen(unchecked_optional_param_type = "TrainGptOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "trainGpt";
    let o: TrainGptOptions = options::parse(op, &options)?;
    let mut cfg = GptTrainConfig::standard(args::seed_value(op, o.seed)?);
    // Each option defaults to the standard configuration's value.
    let set = |k: &str, v: Option<f64>, dst: &mut usize, max: f64| -> Result<(), JsError> {
        *dst = args::positive(op, k, v.unwrap_or(*dst as f64), max)?;
        Ok(())
    };
    set("steps", o.steps, &mut cfg.steps, 1e6)?;
    set("dim", o.dim, &mut cfg.dim, 1024.0)?;
    set("layers", o.layers, &mut cfg.layers, 24.0)?;
    set("heads", o.heads, &mut cfg.heads, 64.0)?;
    set("batchSize", o.batch_size, &mut cfg.batch_size, 1024.0)?;
    if let Some(lr) = o.lr {
        cfg.lr = args::finite(op, "lr", lr)?;
    }
    let every = args::positive(op, "every", o.every.unwrap_or(25.0), 1e6)?;
    let on_progress = o.on_progress;
    let steps = cfg.steps;
    let mut thrown = None;
    let (gpt, tok, run) = train_gpt(
        &cfg,
        &mut |_| {},
        every,
        &mut |step, loss| match &on_progress {
            Some(f) => {
                let info = serde_json::json!({ "step": step, "steps": steps, "loss": loss });
                let arg = args::to_js(&info).unwrap_or(JsValue::UNDEFINED);
                super::call_continue(f, &arg, &mut thrown)
            }
            None => true,
        },
    )
    .map_err(|e| super::js_err_in(op, e))?;
    if let Some(e) = thrown {
        return Err(super::callback_threw(op, "onProgress", &e));
    }
    let obj = Object::new();
    let put = |k: &str, v: JsValue| args::set_field(&obj, k, v);
    put("model", JsGPT::wrap(Rc::new(gpt)).into())?;
    put("tokenizer", JsCharTokenizer(tok).into())?;
    let r = serde_json::json!({
        "config": run.config, "parameters": run.parameters, "vocab": run.vocab, "lossCurve": run.loss_curve,
        "firstLoss": run.first_loss, "finalLoss": run.final_loss, "trainMs": run.train_ms,
        "tokensPerSec": run.tokens_per_sec, "scores": run.scores, "samples": run.samples, "every": every,
    });
    put("run", args::to_js(&r)?)?;
    Ok(obj.into())
}
