//! Profiling (course module 14): parameters, FLOPs per layer, memory of parameters,
//! gradients, optimizer state and activations measured from the real tensors, and measured
//! forward and backward time per layer — through hooks that change no result.

use crate::autograd::backward::topo_order;
use crate::error::Result;
use crate::hooks::profile::{self, SiteTimes};
use crate::nn::loss::Loss;
use crate::nn::{call, flatten_layers, Module};
use crate::optim::Optimizer;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The cost of one layer in a profiled step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerCost {
    pub index: usize,
    pub path: String,
    pub kind: String,
    pub describe: String,
    pub depth: usize,
    /// Parameters owned by this layer and its children.
    pub params: usize,
    /// FLOPs of this layer's own computation, and including its children.
    pub flops: u64,
    pub flops_total: u64,
    /// Measured time including children.
    pub forward_ms: f64,
    pub backward_ms: f64,
    pub calls: usize,
    pub output_shape: Vec<usize>,
    /// Bytes of the outputs this layer produced.
    pub activation_bytes: usize,
}

/// A profiled training step (or forward pass).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileReport {
    pub layers: Vec<LayerCost>,
    pub total_params: usize,
    pub total_flops: u64,
    pub param_bytes: usize,
    pub grad_bytes: usize,
    pub optimizer_bytes: usize,
    /// Bytes held by every intermediate tensor of the autograd graph (what backward needs).
    pub activation_bytes: usize,
    pub forward_ms: f64,
    pub backward_ms: f64,
    pub loss: f32,
}

/// Bytes of every non-leaf tensor in the graph of `root`.
fn graph_bytes(root: &Tensor) -> usize {
    if !root.requires_grad() {
        return 0;
    }
    topo_order(root)
        .iter()
        .filter(|t| !t.is_leaf())
        .map(|t| t.numel() * 4)
        .sum()
}

fn build(model: &dyn Module, sites: &HashMap<u64, SiteTimes>) -> Vec<LayerCost> {
    let infos = flatten_layers(model);
    let mut rows: Vec<LayerCost> = infos
        .iter()
        .map(|l| {
            let t = sites
                .get(&l.module.site().id())
                .cloned()
                .unwrap_or_default();
            let flops = if t.calls > 0 {
                l.module.flops(&t.input_shape, &t.output_shape) * t.calls as u64
            } else {
                0
            };
            LayerCost {
                index: l.index,
                path: l.path.clone(),
                kind: l.module.kind().to_string(),
                describe: l.module.describe(),
                depth: l.depth,
                params: l.module.num_parameters(),
                flops,
                flops_total: flops,
                forward_ms: t.forward_ms,
                backward_ms: t.backward_ms,
                calls: t.calls,
                output_shape: t.output_shape,
                activation_bytes: t.output_bytes,
            }
        })
        .collect();
    // Containers include their descendants' FLOPs and (exclusive) backward time.
    for i in 0..rows.len() {
        let prefix = format!("{}.", rows[i].path);
        let (f, b): (u64, f64) = rows
            .iter()
            .filter(|r| r.path.starts_with(&prefix))
            .map(|r| (r.flops, r.backward_ms))
            .fold((0, 0.0), |a, x| (a.0 + x.0, a.1 + x.1));
        rows[i].flops_total += f;
        rows[i].backward_ms += b;
    }
    rows
}

/// Profiles one training step of `model` on `(x, y)`: forward, loss, backward, and the
/// optimizer's step when given. Values are exactly those of an unprofiled step.
///
/// # Errors
/// If the forward pass, the loss, backward or the step fails.
///
/// # Example
/// ```
/// use tinytorch::{nn::loss::Loss, nn::*, profiler::profile_step, Tensor};
/// let m = Sequential::new(vec![Linear::new(4, 8, true).into_layer(), ReLU::new().into_layer(), Linear::new(8, 2, true).into_layer()]);
/// let r = profile_step(&m, &Tensor::randn(&[16, 4]), &Tensor::randn(&[16, 2]), Loss::Mse, None).unwrap();
/// assert_eq!(r.layers[0].flops, 2 * 16 * 4 * 8 + 16 * 8);
/// assert_eq!(r.total_params, 4 * 8 + 8 + 8 * 2 + 2);
/// ```
pub fn profile_step(
    model: &dyn Module,
    x: &Tensor,
    y: &Tensor,
    loss: Loss,
    optimizer: Option<&mut (dyn Optimizer + 'static)>,
) -> Result<ProfileReport> {
    let (result, sites) = profile::profiling(|| -> Result<(f32, usize, f64, f64)> {
        let t0 = crate::clock::now_ms();
        let l = loss.compute(&call(model, x)?, y)?;
        let t1 = crate::clock::now_ms();
        let held = graph_bytes(&l);
        l.backward()?;
        let t2 = crate::clock::now_ms();
        Ok((l.item()?, held, t1 - t0, t2 - t1))
    });
    let (value, held, fwd, bwd) = result?;
    let params = model.parameters();
    let grad_bytes = params
        .iter()
        .filter_map(|p| p.grad_array().as_ref().map(|g| g.len() * 4))
        .sum();
    let mut optimizer_bytes = 0;
    if let Some(opt) = optimizer {
        opt.step()?;
        optimizer_bytes = opt.state().iter().map(|a| a.len() * 4).sum();
    }
    let layers = build(model, &sites);
    let top: u64 = layers.iter().map(|l| l.flops).sum::<u64>() + model.flops(&x.shape(), &[]);
    Ok(ProfileReport {
        total_params: model.num_parameters(),
        total_flops: top,
        param_bytes: params.iter().map(|p| p.numel() * 4).sum(),
        grad_bytes,
        optimizer_bytes,
        activation_bytes: held,
        forward_ms: fwd,
        backward_ms: bwd,
        loss: value,
        layers,
    })
}

/// FLOPs per layer of a forward pass on `x` (no timing, no graph).
///
/// # Errors
/// If the forward pass fails.
pub fn count_flops(model: &dyn Module, x: &Tensor) -> Result<Vec<LayerCost>> {
    let (r, sites) = profile::profiling(|| crate::no_grad(|| call(model, x)));
    r?;
    Ok(build(model, &sites))
}
