//! Profiling (course module 14): parameters, FLOPs per layer (with the hand formula they come
//! from), memory of parameters, gradients, optimizer state and activations measured from the
//! real tensors, and measured forward and backward time per layer — through hooks that change
//! no result.

use crate::autograd::backward::topo_order;
use crate::error::Result;
use crate::hooks::profile::{self, SiteTimes};
use crate::nn::loss::Loss;
use crate::nn::{call, flatten_layers, Conv2d, Linear, Module};
use crate::optim::Optimizer;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The cost of one layer in a profiled step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
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
    /// How `flops` is counted, with this step's numbers, for the layers whose count is a
    /// formula worth showing (Linear, Conv2d): `"2·256·64·128 + 256·128"` is a Linear(64 → 128)
    /// on 256 rows (a multiply-add counts 2, the bias 1 per output). Empty for the others.
    #[serde(default)]
    pub formula: String,
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
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
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

/// The hand formula of `m`'s FLOPs over `calls` calls with these shapes: the terms of
/// [`Module::flops`] for Linear and Conv2d, each a product of the numbers involved, so it
/// evaluates to the count exactly. Empty for other layers (their counts are one product).
///
/// ```text
/// Linear(64 → 128) on (256, 64):            2·256·64·128 + 256·128
/// Conv2d(1 → 16, k=3) giving (64, 16, 8, 8): 2·64·16·8·8·1·3² + 64·16·8·8
/// ```
fn flop_formula(m: &dyn Module, output: &[usize], calls: usize) -> String {
    // Repeated calls multiply every term (a layer used twice counts twice).
    let times = if calls > 1 {
        format!("{calls}·")
    } else {
        String::new()
    };
    let dims = |d: &[usize]| d.iter().map(usize::to_string).collect::<Vec<_>>().join("·");
    let any = m.as_any();
    if let Some(l) = any.downcast_ref::<Linear>() {
        let rows = dims(&output[..output.len().saturating_sub(1)]);
        let rows = if rows.is_empty() {
            "1".to_string()
        } else {
            rows
        };
        let (i, o) = (l.in_features(), l.out_features());
        let bias = if l.bias().is_some() {
            format!(" + {times}{rows}·{o}")
        } else {
            String::new()
        };
        return format!("2·{times}{rows}·{i}·{o}{bias}");
    }
    if let Some(c) = any.downcast_ref::<Conv2d>() {
        let (k, _, _) = c.geometry();
        let in_channels = c.weight().shape()[1];
        let outs = dims(output);
        let bias = if c.bias().is_some() {
            format!(" + {times}{outs}")
        } else {
            String::new()
        };
        return format!("2·{times}{outs}·{in_channels}·{k}²{bias}");
    }
    String::new()
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
            let (flops, formula) = if t.calls > 0 {
                let f = l.module.flops(&t.input_shape, &t.output_shape) * t.calls as u64;
                (f, flop_formula(&*l.module, &t.output_shape, t.calls))
            } else {
                (0, String::new())
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
                formula,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Flatten, MaxPool2d, ReLU, Sequential};

    /// Evaluates "2·64·8·8·8·1·3² + 64·8·8·8" as the page's "By hand" line does.
    fn eval(formula: &str) -> u64 {
        formula
            .split(" + ")
            .map(|term| {
                term.split('·')
                    .map(|f| match f.strip_suffix('²') {
                        Some(b) => b.parse::<u64>().unwrap().pow(2),
                        None => f.parse::<u64>().unwrap(),
                    })
                    .product::<u64>()
            })
            .sum()
    }

    #[test]
    fn formulas_evaluate_to_the_counted_flops() {
        let m = Sequential::new(vec![
            Conv2d::new(1, 4, 3, 1, 1, true).unwrap().into_layer(),
            ReLU::new().into_layer(),
            MaxPool2d::new(2, None, 0).unwrap().into_layer(),
            Conv2d::new(4, 6, 3, 1, 0, false).unwrap().into_layer(),
            Flatten::new().into_layer(),
            Linear::new(24, 5, true).into_layer(),
            Linear::new(5, 3, false).into_layer(),
        ]);
        let rows = count_flops(&m, &Tensor::randn(&[7, 1, 8, 8])).unwrap();
        let with: Vec<_> = rows.iter().filter(|r| !r.formula.is_empty()).collect();
        assert_eq!(with.len(), 4, "{rows:?}");
        for r in with {
            assert_eq!(eval(&r.formula), r.flops, "{}: {}", r.describe, r.formula);
        }
        assert_eq!(rows[0].formula, "2·7·4·8·8·1·3² + 7·4·8·8");
        assert_eq!(rows[5].formula, "2·7·24·5 + 7·5");
        assert_eq!(rows[6].formula, "2·7·5·3");
    }

    #[test]
    fn a_layer_called_twice_counts_twice_in_its_formula() {
        let lin = Linear::new(4, 4, true).into_layer();
        let m = Sequential::new(vec![lin.clone(), lin]);
        let rows = count_flops(&m, &Tensor::randn(&[3, 4])).unwrap();
        assert_eq!(rows[1].formula, "2·2·3·4·4 + 2·3·4");
        assert_eq!(eval(&rows[1].formula), rows[1].flops);
    }
}
