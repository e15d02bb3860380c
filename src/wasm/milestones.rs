//! The milestones for JavaScript: the bundled digits (`digitsDataset`) and the digits trainer
//! (`trainDigits`, module 09's CNN or an MLP), the generated text corpus (`textCorpus`) and the
//! TinyGPT trainer (`trainGpt`, module 13's GPT; the model class is in `transformer.rs`).

use super::args::{self, opt_fn, opt_num, opt_str};
use super::js_err;
use super::tensor::JsTensor;
use super::text::JsCharTokenizer;
use super::transformer::JsGPT;
use crate::milestones::digits::{train_digits, DigitsConfig, DigitsModel};
use crate::milestones::tinygpt::{train_gpt, GptTrainConfig};
use crate::text::corpus;
use js_sys::{Object, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

fn set(obj: &Object, key: &str, v: JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &key.into(), &v)
        .map(|_| ())
        .map_err(|_| js_err("internal: could not build a result object"))
}

/// The bundled UCI handwritten digits (1,797 8×8 images, as scikit-learn ships them), split
/// stratified and seeded: `digitsDataset({ seed = 0, testFraction = 0.2 })` returns
/// `{ trainImages, trainLabels, testImages, testLabels }` with images (N, 1, 8, 8) in [0, 1]
/// and labels as class ids 0-9.
#[wasm_bindgen(js_name = digitsDataset)]
pub fn digits_dataset(options: JsValue) -> Result<JsValue, JsError> {
    let op = "digitsDataset";
    args::options(op, &options)?;
    let seed = args::seed(&options, op)?;
    let frac = args::opt_finite(&options, op, "testFraction", 0.2)?;
    let d = crate::data::digits(seed, frac).map_err(js_err)?;
    let obj = Object::new();
    set(&obj, "trainImages", JsTensor::new(d.train_images).into())?;
    set(&obj, "trainLabels", JsTensor::new(d.train_labels).into())?;
    set(&obj, "testImages", JsTensor::new(d.test_images).into())?;
    set(&obj, "testLabels", JsTensor::new(d.test_labels).into())?;
    Ok(obj.into())
}

/// Trains the digits milestone model: `trainDigits({ model = "cnn" | "mlp", seed = 0,
/// epochs, lr, batchSize, onEpoch({ epoch, trainLoss, trainAccuracy, testLoss, testAccuracy }) })`.
/// Returns `{ config, trainLoss[], trainAccuracy[], testLoss[], testAccuracy[], confusion[10][10],
/// misclassified: [{ label, predicted, pixels[64] }], trainMs, parameters, model }`, where
/// `model` is the trained `Sequential` (free it when done).
#[wasm_bindgen(js_name = trainDigits)]
pub fn js_train_digits(
    #[wasm_bindgen(unchecked_optional_param_type = "TrainDigitsOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "trainDigits";
    args::options(op, &options)?;
    let model = match opt_str(&options, op, "model")?.as_deref().unwrap_or("cnn") {
        "cnn" => DigitsModel::Cnn,
        "mlp" => DigitsModel::Mlp,
        other => {
            return Err(js_err(format!(
                "{op}: model must be \"cnn\" or \"mlp\", got \"{other}\""
            )))
        }
    };
    let seed = args::seed(&options, op)?;
    let mut cfg = DigitsConfig::standard(model, seed);
    if let Some(e) = opt_num(&options, op, "epochs")? {
        cfg.epochs = args::positive(op, "epochs", e, 1000.0)?;
    }
    if let Some(b) = opt_num(&options, op, "batchSize")? {
        cfg.batch_size = args::positive(op, "batchSize", b, 4096.0)?;
    }
    if let Some(lr) = opt_num(&options, op, "lr")? {
        cfg.lr = args::finite(op, "lr", lr)?;
    }
    let on_epoch = opt_fn(&options, op, "onEpoch")?;
    let mut thrown = None;
    let (model, run) = train_digits(&cfg, &mut |_| {}, &mut |e, tr, te| {
        let Some(f) = &on_epoch else { return true };
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
    Reflect::set(
        &obj,
        &"model".into(),
        &super::nn::JsSequential::from_layer(model).into(),
    )
    .map_err(|_| js_err("internal: result object"))?;
    Ok(obj)
}

/// The project's generated corpus for `seed`: `{ train, val, test }`, each a list of
/// `{ task, prompt, answer }` (tasks: reverse, sort, add, copy, dialogue).
#[wasm_bindgen(js_name = textCorpus)]
pub fn text_corpus(seed: Option<f64>) -> Result<JsValue, JsError> {
    let s = args::seed_value("textCorpus", seed)?;
    args::to_js(&corpus::generate(s))
}

/// Trains TinyGPT on the corpus: `{ seed = 0, steps, dim, layers, heads, lr, batchSize,
/// every = 25, onProgress({ step, steps, loss }) }`. Returns `{ model: GPT, tokenizer:
/// CharTokenizer, run: { lossCurve, scores, samples, trainMs, tokensPerSec, … } }`.
#[wasm_bindgen(js_name = trainGpt)]
pub fn js_train_gpt(
    #[wasm_bindgen(unchecked_optional_param_type = "TrainGptOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let op = "trainGpt";
    args::options(op, &options)?;
    let seed = args::seed(&options, op)?;
    let mut cfg = GptTrainConfig::standard(seed);
    // Each option defaults to the standard configuration's value.
    let set = |k: &str, dst: &mut usize, max: f64| -> Result<(), JsError> {
        *dst = args::opt_positive(&options, op, k, *dst as f64, max)?;
        Ok(())
    };
    set("steps", &mut cfg.steps, 1e6)?;
    set("dim", &mut cfg.dim, 1024.0)?;
    set("layers", &mut cfg.layers, 24.0)?;
    set("heads", &mut cfg.heads, 64.0)?;
    set("batchSize", &mut cfg.batch_size, 1024.0)?;
    if let Some(lr) = opt_num(&options, op, "lr")? {
        cfg.lr = args::finite(op, "lr", lr)?;
    }
    let every = args::opt_positive(&options, op, "every", 25.0, 1e6)?;
    let on_progress = opt_fn(&options, op, "onProgress")?;
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
    let put = |k: &str, v: JsValue| {
        Reflect::set(&obj, &k.into(), &v)
            .map(|_| ())
            .map_err(|_| js_err("internal: result object"))
    };
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
