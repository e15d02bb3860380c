//! Modules 11-13 for JavaScript: `Embedding`, `LayerNorm`, `MultiHeadAttention`,
//! `TransformerBlock`, `GPT` (with streaming generation), sinusoidal positions, the causal mask
//! and scaled dot-product attention.

use super::args;
use super::js_err;
use super::options::{self, callback};
use super::tensor::JsTensor;
use super::text::{ids_from_js, ids_to_js};
use crate::nn::{self, GptConfig};
use js_sys::{Array, Function, Object};
use serde::Deserialize;
use std::rc::Rc;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

layer_struct!(
    #[doc = " A learned lookup table: `new Embedding(numEmbeddings, dim)`; input ids of any shape."]
    JsEmbedding,
    "Embedding"
);

#[wasm_bindgen(js_class = "Embedding")]
impl JsEmbedding {
    /// `new Embedding(numEmbeddings, dim)`.
    #[wasm_bindgen(constructor)]
    pub fn new(num: f64, dim: f64) -> Result<JsEmbedding, JsError> {
        let n = args::positive("Embedding", "numEmbeddings", num, 1e7)?;
        let d = args::positive("Embedding", "dim", dim, 65_536.0)?;
        args::check_size("Embedding", &[n, d])?;
        Ok(JsEmbedding::wrap(Rc::new(
            nn::Embedding::new(n, d).map_err(js_err)?,
        )))
    }
}

layer_struct!(
    #[doc = " Layer normalisation over the last axis: `new LayerNorm(dim, eps = 1e-5)`."]
    JsLayerNorm,
    "LayerNorm"
);

#[wasm_bindgen(js_class = "LayerNorm")]
impl JsLayerNorm {
    /// `new LayerNorm(dim, eps = 1e-5)`.
    #[wasm_bindgen(constructor)]
    pub fn new(dim: f64, eps: Option<f64>) -> Result<JsLayerNorm, JsError> {
        let d = args::positive("LayerNorm", "dim", dim, 65_536.0)?;
        let eps = args::finite("LayerNorm", "eps", eps.unwrap_or(1e-5))?;
        Ok(JsLayerNorm::wrap(Rc::new(
            nn::LayerNorm::new(d, eps).map_err(js_err)?,
        )))
    }
}

layer_struct!(
    #[doc = " Multi-head self-attention over (B, S, D): `new MultiHeadAttention(dim, heads, causal = false)`."]
    #[doc = " Mask convention everywhere: 1 = may attend, 0 = blocked."]
    JsMultiHeadAttention,
    "MultiHeadAttention"
);

#[wasm_bindgen(js_class = "MultiHeadAttention")]
impl JsMultiHeadAttention {
    /// `new MultiHeadAttention(dim, heads, causal = false)`; heads must divide dim.
    #[wasm_bindgen(constructor)]
    pub fn new(
        dim: f64,
        heads: f64,
        causal: Option<bool>,
    ) -> Result<JsMultiHeadAttention, JsError> {
        let d = args::positive("MultiHeadAttention", "dim", dim, 65_536.0)?;
        let h = args::positive("MultiHeadAttention", "heads", heads, 4096.0)?;
        let m = nn::MultiHeadAttention::new(d, h, causal.unwrap_or(false)).map_err(js_err)?;
        Ok(JsMultiHeadAttention::wrap(Rc::new(m)))
    }
    /// The attention weights (B, heads, S, S) for `x` (B, S, D), for heat maps.
    #[wasm_bindgen(js_name = attentionWeights)]
    pub fn attention_weights(&self, x: &JsTensor) -> Result<JsTensor, JsError> {
        let m = self
            .layer
            .as_any()
            .downcast_ref::<nn::MultiHeadAttention>()
            .expect("wraps attention");
        crate::no_grad(|| m.attention_weights(x.inner()))
            .map(JsTensor::new)
            .map_err(js_err)
    }
}

layer_struct!(
    #[doc = " A pre-norm transformer block: `new TransformerBlock(dim, heads, mlpRatio = 4, causal = true)`."]
    JsTransformerBlock,
    "TransformerBlock"
);

#[wasm_bindgen(js_class = "TransformerBlock")]
impl JsTransformerBlock {
    /// `new TransformerBlock(dim, heads, mlpRatio = 4, causal = true)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        dim: f64,
        heads: f64,
        mlp_ratio: Option<f64>,
        causal: Option<bool>,
    ) -> Result<JsTransformerBlock, JsError> {
        let d = args::positive("TransformerBlock", "dim", dim, 65_536.0)?;
        let h = args::positive("TransformerBlock", "heads", heads, 4096.0)?;
        let r = args::positive(
            "TransformerBlock",
            "mlpRatio",
            mlp_ratio.unwrap_or(4.0),
            64.0,
        )?;
        args::check_size("TransformerBlock", &[d, d, 4 + 2 * r])?;
        let b = nn::TransformerBlock::new(d, h, r, causal.unwrap_or(true)).map_err(js_err)?;
        Ok(JsTransformerBlock::wrap(Rc::new(b)))
    }
}

layer_struct!(
    #[doc = " A decoder-only transformer: `new GPT({ vocab, dim, layers, heads, maxLen, mlpRatio = 4 })`;"]
    #[doc = " forward((B, S) ids) gives (B, S, vocab) logits."]
    JsGPT,
    "GPT"
);

/// `new GPT(config)`: the model's sizes.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GPTConfig {
    /// Token ids 0 … vocab − 1.
    pub vocab: f64,
    /// Model width (a multiple of `heads`).
    pub dim: f64,
    /// Transformer blocks.
    pub layers: f64,
    /// Attention heads.
    pub heads: f64,
    /// Longest context, in tokens.
    pub max_len: f64,
    /// Hidden width of each block's MLP, as a multiple of `dim` (default 4).
    #[tsify(optional)]
    pub mlp_ratio: Option<f64>,
}

/// Options of `GPT.generate(prompt, options)`.
#[derive(Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GenerateOptions {
    /// Tokens to add, 0 to 10^5 (default 32).
    #[tsify(optional)]
    pub max_new_tokens: Option<f64>,
    /// Sampling temperature (default 1); 0 is greedy, negative is an error.
    #[tsify(optional)]
    pub temperature: Option<f64>,
    /// Sample among the k likeliest tokens only.
    #[tsify(optional)]
    pub top_k: Option<f64>,
    /// Seed of the sampling (default 0).
    #[tsify(optional)]
    pub seed: Option<f64>,
    /// An id that ends the generation (it is not returned).
    #[tsify(optional)]
    pub stop: Option<f64>,
    /// Called with each new id; return `false` to stop.
    #[serde(default, deserialize_with = "callback")]
    #[tsify(optional, type = "(id: number) => boolean | void")]
    pub on_token: Option<Function>,
}

impl GenerateOptions {
    /// The core's settings, checked.
    fn resolve(&self, op: &str) -> Result<nn::GenerateOptions, JsError> {
        Ok(nn::GenerateOptions {
            max_new_tokens: args::count(
                op,
                "maxNewTokens",
                self.max_new_tokens.unwrap_or(32.0),
                1e5,
            )?,
            temperature: args::finite(op, "temperature", self.temperature.unwrap_or(1.0))?,
            top_k: self
                .top_k
                .map(|k| args::positive(op, "topK", k, 1e7))
                .transpose()?,
            seed: args::seed_value(op, self.seed)?,
            stop: self
                .stop
                .map(|s| args::count(op, "stop", s, 1e7))
                .transpose()?,
        })
    }
}

impl JsGPT {
    pub(crate) fn model(&self) -> &nn::GPT {
        self.layer
            .as_any()
            .downcast_ref::<nn::GPT>()
            .expect("JsGPT wraps a GPT")
    }
}

#[wasm_bindgen(js_class = "GPT")]
impl JsGPT {
    /// `new GPT({ vocab, dim, layers, heads, maxLen, mlpRatio = 4 })`.
    ///
    /// ```js
    /// const gpt = new GPT({ vocab: 40, dim: 32, layers: 2, heads: 4, maxLen: 64 });
    /// gpt.forward(Tensor.fromArray([[1, 2, 3]], [1, 3])).shape;   // [1, 3, 40]
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "GPTConfig")] config: JsValue,
    ) -> Result<JsGPT, JsError> {
        let op = "GPT";
        let c: GPTConfig = options::parse_arg(op, "", &config)?;
        let req = |k: &str, v: f64| args::positive(op, k, v, 1e6);
        let cfg = GptConfig {
            vocab: req("vocab", c.vocab)?,
            dim: req("dim", c.dim)?,
            layers: req("layers", c.layers)?,
            heads: req("heads", c.heads)?,
            max_len: req("maxLen", c.max_len)?,
            mlp_ratio: args::positive(op, "mlpRatio", c.mlp_ratio.unwrap_or(4.0), 64.0)?,
        };
        args::check_size(
            op,
            &[
                cfg.vocab.max(cfg.dim * cfg.mlp_ratio.max(4)),
                cfg.dim,
                cfg.layers,
            ],
        )?;
        Ok(JsGPT::wrap(Rc::new(nn::GPT::new(cfg).map_err(js_err)?)))
    }

    /// Continues `prompt` (an array of ids) and returns the new ids. The context is cropped to
    /// the last maxLen tokens.
    ///
    /// ```js
    /// gpt.generate([1, 2, 3], { maxNewTokens: 8, temperature: 0 });   // greedy: 8 ids
    /// ```
    pub fn generate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number[]")] prompt: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "GenerateOptions")] options: JsValue,
    ) -> Result<Array, JsError> {
        let op = "GPT.generate";
        let p = ids_from_js(op, &prompt)?;
        let o: GenerateOptions = options::parse(op, &options)?;
        let opts = o.resolve(op)?;
        let mut thrown = None;
        let out = self
            .model()
            .generate(&p, &opts, &mut |t| match &o.on_token {
                Some(f) => super::call_continue(f, &JsValue::from(t as f64), &mut thrown),
                None => true,
            })
            .map_err(|e| super::js_err_in(op, e))?;
        if let Some(e) = thrown {
            return Err(super::callback_threw(op, "onToken", &e));
        }
        Ok(ids_to_js(&out))
    }
}

/// The fixed sinusoidal position table (maxLen, dim).
#[wasm_bindgen(js_name = sinusoidalPositions)]
pub fn sinusoidal_positions(max_len: f64, dim: f64) -> Result<JsTensor, JsError> {
    let s = args::positive("sinusoidalPositions", "maxLen", max_len, 1e6)?;
    let d = args::positive("sinusoidalPositions", "dim", dim, 65_536.0)?;
    args::check_size("sinusoidalPositions", &[s, d])?;
    Ok(JsTensor::new(nn::sinusoidal_positions(s, d)))
}

/// Lower-triangular ones (S, S): the causal mask (1 = may attend).
#[wasm_bindgen(js_name = causalMask)]
pub fn causal_mask(s: f64) -> Result<JsTensor, JsError> {
    let s = args::positive("causalMask", "s", s, 8192.0)?;
    Ok(JsTensor::new(nn::causal_mask(s)))
}

/// `softmax(QKᵀ/√d, mask)·V`: returns `{ output, weights }`; mask 1 = attend, 0 = blocked.
#[wasm_bindgen(js_name = scaledDotProductAttention)]
pub fn sdpa(
    q: &JsTensor,
    k: &JsTensor,
    v: &JsTensor,
    mask: Option<JsTensor>,
) -> Result<JsValue, JsError> {
    let (out, w) = nn::scaled_dot_product_attention(
        q.inner(),
        k.inner(),
        v.inner(),
        mask.as_ref().map(|m| m.inner()),
    )
    .map_err(|e| super::js_err_in("scaledDotProductAttention", e))?;
    let obj = Object::new();
    let set = |k: &str, v: JsValue| super::args::set_field(&obj, k, v);
    set("output", JsTensor::new(out).into())?;
    set("weights", JsTensor::new(w).into())?;
    Ok(obj.into())
}
