//! Transformer parts (course module 13): `LayerNorm`, the `MLP` and the pre-norm
//! `TransformerBlock`.

use super::activation::GELU;
use super::attention::MultiHeadAttention;
use super::linear::Linear;
use super::module::{call, Layer, Module, Site};
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::any::Any;
use std::rc::Rc;

/// Normalises the last axis to mean 0, variance 1 (biased), then scales by γ and shifts by β
/// (γ = 1, β = 0 at start). The backward is exact for input, γ and β.
///
/// # Example
/// ```
/// use tinytorch::{nn::{LayerNorm, Module}, Tensor};
/// let ln = LayerNorm::new(8, 1e-5).unwrap();
/// let y = ln.forward(&Tensor::randn(&[2, 3, 8])).unwrap();
/// let m = y.try_mean_axes(&[-1], false).unwrap().to_vec();
/// assert!(m.iter().all(|v| v.abs() < 1e-5));
/// ```
pub struct LayerNorm {
    site: Site,
    dim: usize,
    eps: f32,
    gamma: Tensor,
    beta: Tensor,
}

impl LayerNorm {
    /// Layer norm over a last axis of size `dim`.
    ///
    /// # Errors
    /// If `dim` is 0 or `eps` ≤ 0.
    pub fn new(dim: usize, eps: f32) -> Result<LayerNorm> {
        if dim == 0 || !(eps > 0.0) {
            return Err(Error::Arg {
                op: "LayerNorm",
                msg: format!("needs dim ≥ 1 and eps > 0, got {dim}, {eps}"),
            });
        }
        Ok(LayerNorm {
            site: Site::new(),
            dim,
            eps,
            gamma: Tensor::ones(&[dim]).requires_grad_(true),
            beta: Tensor::zeros(&[dim]).requires_grad_(true),
        })
    }
    /// Wraps the layer in a shared handle.
    pub fn into_layer(self) -> Layer {
        Rc::new(self)
    }
}

impl Module for LayerNorm {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if x.shape().last() != Some(&self.dim) {
            return Err(Error::Arg {
                op: "LayerNorm",
                msg: format!(
                    "{} expects a last axis of {}, got shape {:?}",
                    self.describe(),
                    self.dim,
                    x.shape()
                ),
            });
        }
        x.try_layer_norm(&self.gamma, &self.beta, self.eps)
    }
    fn flops(&self, _input: &[usize], output: &[usize]) -> u64 {
        // mean, variance, normalise, scale, shift: 5 per element.
        5 * output.iter().product::<usize>() as u64
    }
    fn kind(&self) -> &'static str {
        "LayerNorm"
    }
    fn describe(&self) -> String {
        format!("LayerNorm({})", self.dim)
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn own_parameters(&self) -> Vec<(&'static str, Tensor)> {
        vec![("gamma", self.gamma.clone()), ("beta", self.beta.clone())]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The position-wise feed-forward network: `Linear(D, H) → GELU → Linear(H, D)`.
pub struct MLP {
    site: Site,
    fc1: Linear,
    act: GELU,
    fc2: Linear,
}

impl MLP {
    /// An MLP of width `dim` with a hidden size `hidden`.
    ///
    /// # Errors
    /// If a size is 0.
    pub fn new(dim: usize, hidden: usize) -> Result<MLP> {
        if dim == 0 || hidden == 0 {
            return Err(Error::Arg {
                op: "MLP",
                msg: format!("needs sizes ≥ 1, got {dim} and {hidden}"),
            });
        }
        Ok(MLP {
            site: Site::new(),
            fc1: Linear::new(dim, hidden, true),
            act: GELU::new(),
            fc2: Linear::new(hidden, dim, true),
        })
    }
}

impl Module for MLP {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        call(&self.fc2, &call(&self.act, &call(&self.fc1, x)?)?)
    }
    fn kind(&self) -> &'static str {
        "MLP"
    }
    fn describe(&self) -> String {
        format!(
            "MLP({} → {} → {})",
            self.fc1.in_features(),
            self.fc1.out_features(),
            self.fc2.out_features()
        )
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn children(&self) -> Vec<(String, &dyn Module)> {
        vec![
            ("fc1".into(), &self.fc1),
            ("act".into(), &self.act),
            ("fc2".into(), &self.fc2),
        ]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A pre-norm transformer block: `x = x + attn(ln1(x))`, then `x = x + mlp(ln2(x))`.
///
/// # Example
/// ```
/// use tinytorch::{nn::{Module, TransformerBlock}, Tensor};
/// let block = TransformerBlock::new(32, 4, 4, true).unwrap();
/// assert_eq!(block.forward(&Tensor::randn(&[2, 5, 32])).unwrap().shape(), vec![2, 5, 32]);
/// ```
pub struct TransformerBlock {
    site: Site,
    pub(crate) ln1: LayerNorm,
    pub(crate) attn: MultiHeadAttention,
    pub(crate) ln2: LayerNorm,
    pub(crate) mlp: MLP,
}

impl TransformerBlock {
    /// A block of width `dim`, `heads` heads, hidden size `mlp_ratio · dim`.
    ///
    /// # Errors
    /// If `heads` does not divide `dim` or a size is 0.
    pub fn new(
        dim: usize,
        heads: usize,
        mlp_ratio: usize,
        causal: bool,
    ) -> Result<TransformerBlock> {
        Ok(TransformerBlock {
            site: Site::new(),
            ln1: LayerNorm::new(dim, 1e-5)?,
            attn: MultiHeadAttention::new(dim, heads, causal)?,
            ln2: LayerNorm::new(dim, 1e-5)?,
            mlp: MLP::new(dim, dim * mlp_ratio.max(1))?,
        })
    }
}

impl Module for TransformerBlock {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = x.try_add(&call(&self.attn, &call(&self.ln1, x)?)?)?;
        x.try_add(&call(&self.mlp, &call(&self.ln2, &x)?)?)
    }
    fn flops(&self, input: &[usize], _output: &[usize]) -> u64 {
        // The two residual additions.
        2 * input.iter().product::<usize>() as u64
    }
    fn kind(&self) -> &'static str {
        "TransformerBlock"
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn children(&self) -> Vec<(String, &dyn Module)> {
        vec![
            ("ln1".into(), &self.ln1),
            ("attn".into(), &self.attn),
            ("ln2".into(), &self.ln2),
            ("mlp".into(), &self.mlp),
        ]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
