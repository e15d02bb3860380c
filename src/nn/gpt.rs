//! `GPT` (course module 13, milestone 05): token and learned position embeddings, pre-norm
//! causal transformer blocks, a final LayerNorm and a linear head; with generation.

use super::embedding::Embedding;
use super::linear::Linear;
use super::module::{call, Layer, Module, Site};
use super::transformer::{LayerNorm, TransformerBlock};
use crate::autograd::no_grad;
use crate::error::{Error, Result};
use crate::ops::embedding::ids_of;
use crate::rng::Rng;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::any::Any;
use std::rc::Rc;

/// The shape of a GPT.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GptConfig {
    pub vocab: usize,
    pub dim: usize,
    pub layers: usize,
    pub heads: usize,
    /// Context length: the longest sequence the model reads.
    pub max_len: usize,
    pub mlp_ratio: usize,
}

/// How [`GPT::generate`] picks tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerateOptions {
    pub max_new_tokens: usize,
    /// Softmax temperature; **0 means greedy** (always the most likely token); negative is an
    /// error.
    pub temperature: f32,
    /// Sample only among the `k` most likely tokens (`None`: all).
    pub top_k: Option<usize>,
    /// Seed of the sampling generator (a local one: generation never disturbs training).
    pub seed: u64,
    /// Stop after emitting this token (e.g. the newline id).
    pub stop: Option<usize>,
}

/// A decoder-only transformer language model: `(B, S)` token ids → `(B, S, vocab)` logits.
///
/// # Example
/// ```
/// use tinytorch::{nn::{GptConfig, Module, GPT}, Tensor};
/// let cfg = GptConfig { vocab: 20, dim: 16, layers: 2, heads: 2, max_len: 8, mlp_ratio: 4 };
/// let gpt = GPT::new(cfg).unwrap();
/// let ids = Tensor::from_vec(vec![1., 2., 3., 4.], &[1, 4]).unwrap();
/// assert_eq!(gpt.forward(&ids).unwrap().shape(), vec![1, 4, 20]);
/// ```
pub struct GPT {
    site: Site,
    cfg: GptConfig,
    pub(crate) tok: Embedding,
    pub(crate) pos: Embedding,
    pub(crate) blocks: Vec<TransformerBlock>,
    pub(crate) ln_f: LayerNorm,
    pub(crate) head: Linear,
}

impl GPT {
    /// A freshly initialised model.
    ///
    /// # Errors
    /// If a size is 0 or `heads` does not divide `dim`.
    pub fn new(cfg: GptConfig) -> Result<GPT> {
        if cfg.vocab == 0 || cfg.layers == 0 || cfg.max_len == 0 {
            return Err(Error::Arg {
                op: "GPT",
                msg: format!("vocab, layers and max_len must be ≥ 1, got {cfg:?}"),
            });
        }
        let blocks = (0..cfg.layers)
            .map(|_| TransformerBlock::new(cfg.dim, cfg.heads, cfg.mlp_ratio, true))
            .collect::<Result<_>>()?;
        Ok(GPT {
            site: Site::new(),
            cfg,
            tok: Embedding::new(cfg.vocab, cfg.dim)?,
            pos: Embedding::new(cfg.max_len, cfg.dim)?,
            blocks,
            ln_f: LayerNorm::new(cfg.dim, 1e-5)?,
            head: Linear::new(cfg.dim, cfg.vocab, false),
        })
    }

    /// The configuration.
    pub fn config(&self) -> GptConfig {
        self.cfg
    }

    /// Wraps the model in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }

    /// Logits of the next token after `context` (the last `max_len` ids are used).
    pub(crate) fn next_logits(&self, context: &[usize]) -> Result<Vec<f32>> {
        let start = context.len().saturating_sub(self.cfg.max_len);
        let ctx: Vec<f32> = context[start..].iter().map(|&t| t as f32).collect();
        let n = ctx.len();
        let logits = no_grad(|| call(self, &Tensor::from_vec(ctx, &[1, n])?))?;
        let v = self.cfg.vocab;
        Ok(logits.to_vec()[(n - 1) * v..n * v].to_vec())
    }

    /// Continues `prompt` by up to `max_new_tokens` tokens, cropping the context to the last
    /// `max_len` tokens, calling `on_token` with each new token (return `false` to stop).
    ///
    /// # Errors
    /// If the prompt is empty or holds ids outside the vocabulary, the temperature is negative
    /// or not finite, or `top_k` is 0.
    pub fn generate(
        &self,
        prompt: &[usize],
        opts: &GenerateOptions,
        on_token: &mut dyn FnMut(usize) -> bool,
    ) -> Result<Vec<usize>> {
        self.generate_traced(prompt, opts, &mut |t, _| on_token(t))
    }

    pub(crate) fn check_prompt(&self, prompt: &[usize], opts: &GenerateOptions) -> Result<()> {
        if prompt.is_empty() {
            return Err(Error::Arg {
                op: "generate",
                msg: "the prompt is empty; give at least one token".into(),
            });
        }
        if let Some(&bad) = prompt.iter().find(|&&t| t >= self.cfg.vocab) {
            return Err(Error::Arg {
                op: "generate",
                msg: format!(
                    "token {bad} is outside the vocabulary of {}",
                    self.cfg.vocab
                ),
            });
        }
        if !(opts.temperature.is_finite() && opts.temperature >= 0.0) {
            return Err(Error::Arg {
                op: "generate",
                msg: format!(
                    "temperature must be ≥ 0 (0 = greedy), got {}",
                    opts.temperature
                ),
            });
        }
        if opts.top_k == Some(0) {
            return Err(Error::Arg {
                op: "generate",
                msg: "top_k must be ≥ 1".into(),
            });
        }
        Ok(())
    }
}

/// Picks the next token from logits: argmax at temperature 0, else a sample from
/// softmax(logits / T) restricted to the top k.
pub(crate) fn pick(logits: &[f32], opts: &GenerateOptions, rng: &mut Rng) -> usize {
    let argmax = logits
        .iter()
        .enumerate()
        .fold(0, |b, (i, &v)| if v > logits[b] { i } else { b });
    if opts.temperature == 0.0 {
        return argmax;
    }
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
    order.truncate(opts.top_k.unwrap_or(logits.len()).min(logits.len()));
    let m = logits[order[0]];
    let weights: Vec<f64> = order
        .iter()
        .map(|&i| libm::exp(((logits[i] - m) / opts.temperature) as f64))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut u = rng.uniform() as f64 * total;
    for (&i, &w) in order.iter().zip(&weights) {
        if u < w {
            return i;
        }
        u -= w;
    }
    *order.last().expect("non-empty vocabulary")
}

impl Module for GPT {
    fn forward(&self, tokens: &Tensor) -> Result<Tensor> {
        let s = tokens.shape();
        if s.len() != 2 {
            return Err(Error::Arg {
                op: "GPT",
                msg: format!("expects (B, S) token ids, got shape {s:?}"),
            });
        }
        if s[1] > self.cfg.max_len {
            return Err(Error::Arg {
                op: "GPT",
                msg: format!("a sequence of {} tokens is longer than the context of {} (crop it, as generate does)", s[1], self.cfg.max_len),
            });
        }
        ids_of("GPT", tokens, self.cfg.vocab)?;
        let positions = Tensor::from_vec((0..s[1]).map(|p| p as f32).collect(), &[1, s[1]])?;
        let mut h = call(&self.tok, tokens)?.try_add(&call(&self.pos, &positions)?)?;
        for b in &self.blocks {
            h = call(b, &h)?;
        }
        call(&self.head, &call(&self.ln_f, &h)?)
    }
    fn flops(&self, input: &[usize], _output: &[usize]) -> u64 {
        // Adding position embeddings to token embeddings.
        input.iter().product::<usize>() as u64 * self.cfg.dim as u64
    }
    fn kind(&self) -> &'static str {
        "GPT"
    }
    fn describe(&self) -> String {
        let c = self.cfg;
        format!(
            "GPT(vocab={}, d={}, layers={}, heads={}, context={})",
            c.vocab, c.dim, c.layers, c.heads, c.max_len
        )
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn children(&self) -> Vec<(String, &dyn Module)> {
        let mut v: Vec<(String, &dyn Module)> =
            vec![("tok".into(), &self.tok), ("pos".into(), &self.pos)];
        for (i, b) in self.blocks.iter().enumerate() {
            v.push((format!("blocks.{i}"), b));
        }
        v.push(("ln_f".into(), &self.ln_f));
        v.push(("head".into(), &self.head));
        v
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
