//! Attention (course module 12): scaled dot-product attention with one mask convention, and
//! multi-head self-attention.
//!
//! **Mask convention: 1 (non-zero) = may attend, 0 = blocked**, for every mask in this crate
//! (the reference mixed a keep-mask with an additive one, which made its GPT attend uniformly).

use super::linear::Linear;
use super::module::{call, Layer, Module, Site};
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

/// `softmax(Q·Kᵀ/√d_k, masked) · V` for `(…, Sq, d)` queries and `(…, Sk, d)` keys/values.
/// `mask` broadcasts to `(…, Sq, Sk)`; blocked scores are replaced by −∞ (a row with every key
/// blocked attends to nothing and outputs zeros). Returns `(output, weights)`.
///
/// # Errors
/// If the shapes do not line up or the mask does not broadcast.
///
/// # Example
/// ```
/// use tinytorch::{nn::{causal_mask, scaled_dot_product_attention}, Tensor};
/// let q = Tensor::randn(&[1, 4, 8]);
/// let (out, w) = scaled_dot_product_attention(&q, &q, &q, Some(&causal_mask(4))).unwrap();
/// assert_eq!(out.shape(), vec![1, 4, 8]);
/// assert_eq!(w.to_vec()[1], 0.0); // position 0 cannot see position 1
/// ```
pub fn scaled_dot_product_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Tensor>,
) -> Result<(Tensor, Tensor)> {
    let d = *q.shape().last().ok_or(Error::Arg {
        op: "attention",
        msg: "queries need an axis".into(),
    })?;
    let scores = q
        .try_matmul(&k.try_t()?)?
        .mul_scalar(1.0 / (d as f32).sqrt());
    let scores = match mask {
        Some(m) => scores.try_masked_fill(m, f32::NEG_INFINITY)?,
        None => scores,
    };
    let weights = scores.try_softmax(-1)?;
    Ok((weights.try_matmul(v)?, weights))
}

/// Lower-triangular ones `(S, S)`: position i may attend to positions ≤ i.
pub fn causal_mask(s: usize) -> Tensor {
    let v: Vec<f32> = (0..s * s)
        .map(|i| if i % s <= i / s { 1.0 } else { 0.0 })
        .collect();
    Tensor::from_vec(v, &[s, s]).expect("sizes agree")
}

/// Multi-head self-attention over `(B, S, D)`: four `Linear(D, D)` projections (q, k, v, out;
/// the key projection has no bias, which softmax would make useless), `heads` heads of size
/// `D / heads`, optionally causal.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Module, MultiHeadAttention}, Tensor};
/// let mha = MultiHeadAttention::new(32, 4, true).unwrap();
/// assert_eq!(mha.forward(&Tensor::randn(&[2, 8, 32])).unwrap().shape(), vec![2, 8, 32]);
/// assert!(MultiHeadAttention::new(30, 4, true).is_err()); // 4 heads do not divide 30
/// ```
pub struct MultiHeadAttention {
    site: Site,
    dim: usize,
    heads: usize,
    causal: bool,
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
}

impl MultiHeadAttention {
    /// Attention of width `dim` with `heads` heads.
    ///
    /// # Errors
    /// If `heads` is 0 or does not divide `dim`.
    pub fn new(dim: usize, heads: usize, causal: bool) -> Result<MultiHeadAttention> {
        if heads == 0 || dim == 0 || !dim.is_multiple_of(heads) {
            return Err(Error::Arg {
                op: "MultiHeadAttention",
                msg: format!("{heads} heads must divide the width {dim} (try a head count that divides {dim})"),
            });
        }
        Ok(MultiHeadAttention {
            site: Site::new(),
            dim,
            heads,
            causal,
            q: Linear::new(dim, dim, true),
            // NOTE: no key bias. A bias b on the keys adds q·b to every score of a row, and
            // softmax ignores a constant shift, so such a bias never changes the output and its
            // gradient is exactly zero: a parameter that can never learn.
            k: Linear::new(dim, dim, false),
            v: Linear::new(dim, dim, true),
            out: Linear::new(dim, dim, true),
        })
    }

    /// Splits `(B, S, D)` into `(B, H, S, D/H)`.
    pub(crate) fn split_heads(&self, t: &Tensor) -> Result<Tensor> {
        let s = t.shape();
        t.try_view(&[s[0], s[1], self.heads, self.dim / self.heads])?
            .try_permute(&[0, 2, 1, 3])
    }

    /// Merges `(B, H, S, D/H)` back to `(B, S, D)`.
    pub(crate) fn merge_heads(&self, t: &Tensor) -> Result<Tensor> {
        let s = t.shape();
        t.try_permute(&[0, 2, 1, 3])?
            .try_view(&[s[0], s[2], self.dim])
    }

    /// The four projections.
    pub(crate) fn projections(&self) -> [&Linear; 4] {
        [&self.q, &self.k, &self.v, &self.out]
    }

    /// Attention weights `(B, H, S, S)` for `x`, without the output (for heat maps).
    ///
    /// # Errors
    /// If `x` is not `(B, S, D)`.
    pub fn attention_weights(&self, x: &Tensor) -> Result<Tensor> {
        self.check(x)?;
        let (q, k) = (
            self.split_heads(&call(&self.q, x)?)?,
            self.split_heads(&call(&self.k, x)?)?,
        );
        let mask = self.causal.then(|| causal_mask(x.shape()[1]));
        Ok(scaled_dot_product_attention(&q, &k, &k, mask.as_ref())?.1)
    }

    fn check(&self, x: &Tensor) -> Result<()> {
        let s = x.shape();
        if s.len() != 3 || s[2] != self.dim {
            return Err(Error::Arg {
                op: "MultiHeadAttention",
                msg: format!(
                    "{} expects (B, S, {}) input, got shape {s:?}",
                    self.describe(),
                    self.dim
                ),
            });
        }
        Ok(())
    }

    /// Number of heads.
    pub fn heads(&self) -> usize {
        self.heads
    }

    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for MultiHeadAttention {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.check(x)?;
        let q = self.split_heads(&call(&self.q, x)?)?;
        let k = self.split_heads(&call(&self.k, x)?)?;
        let v = self.split_heads(&call(&self.v, x)?)?;
        let mask = self.causal.then(|| causal_mask(x.shape()[1]));
        let (heads, _) = scaled_dot_product_attention(&q, &k, &v, mask.as_ref())?;
        call(&self.out, &self.merge_heads(&heads)?)
    }
    fn flops(&self, input: &[usize], _output: &[usize]) -> u64 {
        // Q·Kᵀ and weights·V: 2·B·S·S·D each (heads split D); scaling and softmax: one FLOP
        // per score each. The four projections are counted by their Linear children.
        let (b, s, d) = (input[0] as u64, input[1] as u64, self.dim as u64);
        4 * b * s * s * d + 2 * b * self.heads as u64 * s * s
    }
    fn kind(&self) -> &'static str {
        "MultiHeadAttention"
    }
    fn describe(&self) -> String {
        format!(
            "MultiHeadAttention(d={}, heads={}{})",
            self.dim,
            self.heads,
            if self.causal { ", causal" } else { "" }
        )
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn children(&self) -> Vec<(String, &dyn Module)> {
        vec![
            ("q".into(), &self.q),
            ("k".into(), &self.k),
            ("v".into(), &self.v),
            ("out".into(), &self.out),
        ]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
