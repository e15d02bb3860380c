//! Module 10 for JavaScript: the character and BPE tokenizers (the corpus and the TinyGPT
//! trainer are in `milestones.rs`).

use super::args;
use super::js_err;
use crate::text::{BpeTokenizer, CharTokenizer};
use js_sys::Array;
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
pub struct JsCharTokenizer(pub(super) CharTokenizer);

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
