//! Layers (course modules 02, 03 and later 09-13): the `Module` trait, `Sequential`, and the
//! per-layer machinery (faults, tracing) the suites rely on.

mod activation;
mod attention;
mod batchnorm;
mod conv;
mod dropout;
mod embedding;
pub mod fault;
mod gpt;
mod kv_cache;
mod linear;
pub mod loss;
mod module;
mod pool;
mod sequential;
pub(crate) mod trace;
mod transformer;

pub use activation::{ReLU, Sigmoid, Softmax, Tanh, GELU};
pub use attention::{causal_mask, scaled_dot_product_attention, MultiHeadAttention};
pub use batchnorm::BatchNorm2d;
pub use conv::{Conv2d, Flatten};
pub use dropout::Dropout;
pub use embedding::{sinusoidal_positions, Embedding};
pub use fault::{clear_faults, inject_fault, FaultKind, FaultKindInfo};
pub use gpt::{GenerateOptions, GptConfig, GPT};
pub use kv_cache::{KvCache, LayerCache};
pub use linear::Linear;
pub use module::{call, copy_weights, Layer, Module, Site};
pub use pool::{AvgPool2d, MaxPool2d};
pub use sequential::Sequential;
pub use transformer::{LayerNorm, TransformerBlock, MLP};

/// One entry of a model's layer list.
pub struct LayerInfo<'a> {
    /// Position in pre-order (the number students see and `inject_fault` takes).
    pub index: usize,
    /// Dotted path from the root, e.g. `"3"` or `"blocks.0.attn"`.
    pub path: String,
    /// Nesting depth (0 for the root's direct children).
    pub depth: usize,
    /// The layer itself.
    pub module: &'a dyn Module,
}

/// The model's layers in pre-order: the root's descendants (or the root itself when it has
/// no children). For a `Sequential` of plain layers, index `i` is the `i`-th layer.
///
/// # Example
/// ```
/// use tinytorch::nn::{flatten_layers, Linear, ReLU, Sequential, Module};
/// let m = Sequential::new(vec![Linear::new(2, 3, true).into_layer(), ReLU::new().into_layer()]);
/// let names: Vec<String> = flatten_layers(&m).iter().map(|l| l.module.kind().to_string()).collect();
/// assert_eq!(names, ["Linear", "ReLU"]);
/// ```
pub fn flatten_layers(root: &dyn Module) -> Vec<LayerInfo<'_>> {
    let mut out = Vec::new();
    let children = root.children();
    if children.is_empty() {
        out.push(LayerInfo {
            index: 0,
            path: String::new(),
            depth: 0,
            module: root,
        });
        return out;
    }
    let mut stack: Vec<(String, usize, &dyn Module)> =
        children.into_iter().rev().map(|(n, m)| (n, 0, m)).collect();
    while let Some((path, depth, m)) = stack.pop() {
        out.push(LayerInfo {
            index: out.len(),
            path: path.clone(),
            depth,
            module: m,
        });
        for (n, c) in m.children().into_iter().rev() {
            stack.push((format!("{path}.{n}"), depth + 1, c));
        }
    }
    out
}
