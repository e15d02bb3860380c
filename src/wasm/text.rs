//! Module 10 and the TinyGPT milestone for JavaScript: the character and BPE tokenizers, the
//! generated corpus and the TinyGPT trainer (the model itself is in `transformer.rs`).

use super::args::{self, opt_fn, opt_num};
use super::js_err;
use super::transformer::JsGPT;
use crate::language::{train_gpt, GptTrainConfig};
use crate::text::{corpus, BpeTokenizer, CharTokenizer};
use js_sys::{Array, Object, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Token ids from a JS array of whole numbers ≥ 0, with an error naming `op` and the index.
pub(super) fn ids_from_js(op: &str, v: &JsValue) -> Result<Vec<usize>, JsError> {
    if !Array::is_array(v) && !v.is_instance_of::<js_sys::Object>() {
        return Err(js_err(format!(
            "{op}: ids must be an array of whole numbers, got {}",
            args::kind(v)
        )));
    }
    Array::from(v)
        .iter()
        .enumerate()
        .map(|(i, x)| match x.as_f64() {
            Some(f) if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 4.0e9 => Ok(f as usize),
            _ => Err(js_err(format!(
                "{op}: ids[{i}] must be a whole number ≥ 0, got {}",
                args::kind(&x)
            ))),
        })
        .collect()
}

pub(super) fn ids_to_js(ids: &[usize]) -> Array {
    ids.iter().map(|&i| JsValue::from(i as f64)).collect()
}

/// One id per character; id 0 is `<UNK>`: `new CharTokenizer(corpusText)`.
#[wasm_bindgen(js_name = CharTokenizer)]
pub struct JsCharTokenizer(CharTokenizer);

#[wasm_bindgen(js_class = CharTokenizer)]
impl JsCharTokenizer {
    /// A vocabulary of the distinct characters of `corpus` (sorted), plus `<UNK>` at id 0.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] corpus: JsValue,
    ) -> Result<JsCharTokenizer, JsError> {
        let corpus = args::string("new CharTokenizer", "corpus", &corpus)?;
        Ok(JsCharTokenizer(CharTokenizer::from_corpus(&corpus)))
    }
    /// Ids of each character (unknown characters → 0).
    pub fn encode(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Array, JsError> {
        let text = args::string("CharTokenizer.encode", "text", &text)?;
        Ok(ids_to_js(&self.0.encode(&text)))
    }
    /// Text of the ids (0 → "<UNK>"); an id outside the vocabulary is an error.
    pub fn decode(&self, ids: JsValue) -> Result<String, JsError> {
        self.0
            .decode(&ids_from_js("CharTokenizer.decode", &ids)?)
            .map_err(js_err)
    }
    /// Vocabulary size including `<UNK>`.
    #[wasm_bindgen(getter, js_name = vocabSize)]
    pub fn vocab_size(&self) -> usize {
        self.0.vocab_size()
    }
    /// The characters in id order (id = index + 1).
    #[wasm_bindgen(getter)]
    pub fn chars(&self) -> String {
        self.0.chars().iter().collect()
    }
}

/// Byte-pair encoding trained on whitespace-split words: `BPETokenizer.train(corpus, vocabSize)`.
#[wasm_bindgen(js_name = BPETokenizer)]
pub struct JsBpeTokenizer(BpeTokenizer);

#[wasm_bindgen(js_class = BPETokenizer)]
impl JsBpeTokenizer {
    /// Not a way to make one: `new BPETokenizer()` throws an `Error` that says to call
    /// `BPETokenizer.train`.
    #[wasm_bindgen(constructor)]
    pub fn new_js() -> Result<JsBpeTokenizer, JsError> {
        Err(js_err(
            "new BPETokenizer: train one with BPETokenizer.train(corpus, vocabSize)",
        ))
    }
    /// Learns merges (most frequent pair first; ties to the smallest pair) up to `vocabSize`.
    pub fn train(
        #[wasm_bindgen(unchecked_param_type = "string")] corpus: JsValue,
        vocab_size: f64,
    ) -> Result<JsBpeTokenizer, JsError> {
        let corpus = args::string("BPETokenizer.train", "corpus", &corpus)?;
        let n = args::positive("BPETokenizer.train", "vocabSize", vocab_size, 1e6)?;
        // The core names its Rust argument; say it the way the JS caller wrote it.
        BpeTokenizer::train(&corpus, n)
            .map(JsBpeTokenizer)
            .map_err(|e| {
                js_err(format!(
                    "BPETokenizer.train: {}",
                    e.detail().replace("vocab_size", "vocabSize")
                ))
            })
    }
    /// Ids of the text (unknown symbols → 0).
    pub fn encode(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Array, JsError> {
        let text = args::string("BPETokenizer.encode", "text", &text)?;
        Ok(ids_to_js(&self.0.encode(&text)))
    }
    /// The token strings of the text (e.g. ["lo", "w</w>"]).
    pub fn tokenize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Array, JsError> {
        let text = args::string("BPETokenizer.tokenize", "text", &text)?;
        Ok(self
            .0
            .tokenize(&text)
            .into_iter()
            .map(JsValue::from)
            .collect())
    }
    /// Text of the ids (each end-of-word marker becomes a space).
    pub fn decode(&self, ids: JsValue) -> Result<String, JsError> {
        self.0
            .decode(&ids_from_js("BPETokenizer.decode", &ids)?)
            .map_err(js_err)
    }
    /// Vocabulary size including `<UNK>`.
    #[wasm_bindgen(getter, js_name = vocabSize)]
    pub fn vocab_size(&self) -> usize {
        self.0.vocab_size()
    }
    /// The learned merges in order, as [left, right] pairs.
    #[wasm_bindgen(getter)]
    pub fn merges(&self) -> Array {
        self.0
            .merges()
            .iter()
            .map(|(a, b)| {
                JsValue::from(
                    [JsValue::from(a), JsValue::from(b)]
                        .into_iter()
                        .collect::<Array>(),
                )
            })
            .collect()
    }
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
