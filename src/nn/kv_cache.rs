//! Memoization (course module 17): a key/value cache for GPT generation. The prompt is run
//! once (prefill) and each new token then costs one position's work instead of re-running the
//! whole context: O(n) per token instead of O(n²) attention plus O(n) projections.

use super::attention::{scaled_dot_product_attention, MultiHeadAttention};
use super::gpt::{pick, GenerateOptions, GPT};
use super::module::call;
use super::transformer::TransformerBlock;
use crate::autograd::no_grad;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Cached keys and values of one attention layer, each `(B, H, T, head_dim)`.
#[derive(Default)]
pub struct LayerCache {
    k: Option<Tensor>,
    v: Option<Tensor>,
}

/// The caches of every layer of a GPT and how many positions they hold.
pub struct KvCache {
    layers: Vec<LayerCache>,
    len: usize,
}

impl KvCache {
    /// An empty cache for a model with `layers` blocks.
    pub fn new(layers: usize) -> KvCache {
        KvCache {
            layers: (0..layers).map(|_| LayerCache::default()).collect(),
            len: 0,
        }
    }
    /// Positions cached.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Drops everything cached.
    pub fn reset(&mut self) {
        self.layers
            .iter_mut()
            .for_each(|l| *l = LayerCache::default());
        self.len = 0;
    }
    /// Bytes held by the cached keys and values.
    pub fn bytes(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|l| [&l.k, &l.v])
            .flatten()
            .map(|t| t.numel() * 4)
            .sum()
    }
}

impl MultiHeadAttention {
    /// Attention of `x` `(B, T_new, D)` (positions `start..start+T_new`) over the cached keys and
    /// values plus its own, appending its own to the cache. Causal by position.
    fn forward_cached(&self, x: &Tensor, cache: &mut LayerCache, start: usize) -> Result<Tensor> {
        let [q_proj, k_proj, v_proj, out_proj] = self.projections();
        let q = self.split_heads(&call(q_proj, x)?)?;
        let k_new = self.split_heads(&call(k_proj, x)?)?;
        let v_new = self.split_heads(&call(v_proj, x)?)?;
        let k = match &cache.k {
            Some(old) => Tensor::try_cat(&[old.clone(), k_new], 2)?,
            None => k_new,
        };
        let v = match &cache.v {
            Some(old) => Tensor::try_cat(&[old.clone(), v_new], 2)?,
            None => v_new,
        };
        let (t_new, t_all) = (x.shape()[1], k.shape()[2]);
        // Query i sits at position start + i and may see keys 0..=start + i.
        let keep: Vec<f32> = (0..t_new * t_all)
            .map(|n| ((n % t_all) <= start + n / t_all) as u8 as f32)
            .collect();
        let mask = Tensor::from_vec(keep, &[t_new, t_all])?;
        let (heads, _) = scaled_dot_product_attention(&q, &k, &v, Some(&mask))?;
        cache.k = Some(k);
        cache.v = Some(v);
        call(out_proj, &self.merge_heads(&heads)?)
    }
}

impl TransformerBlock {
    fn forward_cached(&self, x: &Tensor, cache: &mut LayerCache, start: usize) -> Result<Tensor> {
        let x = x.try_add(
            &self
                .attn
                .forward_cached(&call(&self.ln1, x)?, cache, start)?,
        )?;
        x.try_add(&call(&self.mlp, &call(&self.ln2, &x)?)?)
    }
}

impl GPT {
    /// Logits `(1, T_new, vocab)` for `tokens` appended after what `cache` holds (positions
    /// `cache.len()..`), updating the cache. No graph is recorded.
    ///
    /// # Errors
    /// If the cache would exceed the context length or an id is outside the vocabulary.
    pub fn forward_cached(&self, tokens: &[usize], cache: &mut KvCache) -> Result<Tensor> {
        let cfg = self.config();
        let start = cache.len;
        if start + tokens.len() > cfg.max_len {
            return Err(Error::Arg {
                op: "forward_cached",
                msg: format!(
                    "{} cached + {} new tokens exceed the context of {}",
                    start,
                    tokens.len(),
                    cfg.max_len
                ),
            });
        }
        if let Some(&bad) = tokens.iter().find(|&&t| t >= cfg.vocab) {
            return Err(Error::Arg {
                op: "forward_cached",
                msg: format!("token {bad} is outside the vocabulary of {}", cfg.vocab),
            });
        }
        no_grad(|| {
            let n = tokens.len();
            let ids = Tensor::from_vec(tokens.iter().map(|&t| t as f32).collect(), &[1, n])?;
            let pos = Tensor::from_vec((start..start + n).map(|p| p as f32).collect(), &[1, n])?;
            let mut h = call(&self.tok, &ids)?.try_add(&call(&self.pos, &pos)?)?;
            for (b, c) in self.blocks.iter().zip(&mut cache.layers) {
                h = b.forward_cached(&h, c, start)?;
            }
            cache.len += n;
            call(&self.head, &call(&self.ln_f, &h)?)
        })
    }

    /// [`GPT::generate`] with a KV cache: the prompt is prefilled once, then each token costs
    /// one position. Once the sequence outgrows the context, the window slides exactly as
    /// uncached generation crops it (so positions are recomputed and the cache refilled).
    /// `on_step(token, logits)` sees each step's logits (return `false` to stop).
    ///
    /// # Errors
    /// As [`GPT::generate`].
    pub fn generate_cached(
        &self,
        prompt: &[usize],
        opts: &GenerateOptions,
        on_step: &mut dyn FnMut(usize, &[f32]) -> bool,
    ) -> Result<Vec<usize>> {
        self.check_prompt(prompt, opts)?;
        let (max_len, vocab) = (self.config().max_len, self.config().vocab);
        let mut rng = Rng::new(opts.seed);
        let mut cache = KvCache::new(self.blocks.len());
        let mut tokens = prompt.to_vec();
        let mut pending: Vec<usize> = tokens[tokens.len().saturating_sub(max_len)..].to_vec();
        for _ in 0..opts.max_new_tokens {
            if cache.len + pending.len() > max_len {
                // The window slides: every position changes, so start again from the window.
                cache.reset();
                pending = tokens[tokens.len() - max_len..].to_vec();
            }
            let logits = self.forward_cached(&pending, &mut cache)?.to_vec();
            let last = &logits[logits.len() - vocab..];
            let t = pick(last, opts, &mut rng);
            tokens.push(t);
            pending = vec![t];
            if !on_step(t, last) || opts.stop == Some(t) {
                break;
            }
        }
        Ok(tokens[prompt.len()..].to_vec())
    }

    /// Uncached generation that also reports each step's logits (the reference the cache is
    /// checked against).
    ///
    /// # Errors
    /// As [`GPT::generate`].
    pub fn generate_traced(
        &self,
        prompt: &[usize],
        opts: &GenerateOptions,
        on_step: &mut dyn FnMut(usize, &[f32]) -> bool,
    ) -> Result<Vec<usize>> {
        self.check_prompt(prompt, opts)?;
        let mut rng = Rng::new(opts.seed);
        let mut tokens = prompt.to_vec();
        for _ in 0..opts.max_new_tokens {
            let logits = self.next_logits(&tokens)?;
            let t = pick(&logits, opts, &mut rng);
            tokens.push(t);
            if !on_step(t, &logits) || opts.stop == Some(t) {
                break;
            }
        }
        Ok(tokens[prompt.len()..].to_vec())
    }
}
