//! Structured pruning: remove whole hidden neurons (Linear output columns, with the next
//! Linear's matching input rows), so the layers really shrink.

use crate::error::{Error, Result};
use crate::nn::{Layer, Linear, Sequential};
use crate::tensor::Tensor;

/// Keeps the `keep` hidden neurons with the largest weight norms between Linear layer `first`
/// of `model` and the next Linear after it, and returns a new model with both layers shrunk
/// (other layers shared). The model computes exactly what the old one did with those neurons'
/// outputs set to zero.
///
/// # Errors
/// If `first` is not a Linear followed (after activations) by another Linear, or `keep` is 0 or
/// more than the hidden size.
pub fn prune_neurons(model: &Sequential, first: usize, keep: usize) -> Result<Sequential> {
    let layers = model.layers();
    let err = |m: String| Error::Arg {
        op: "prune_neurons",
        msg: m,
    };
    let a = layers
        .get(first)
        .and_then(|l| l.as_any().downcast_ref::<Linear>())
        .ok_or_else(|| err(format!("layer {first} is not a Linear")))?;
    let next = (first + 1..layers.len())
        .find(|&i| layers[i].as_any().downcast_ref::<Linear>().is_some())
        .ok_or_else(|| err(format!("no Linear after layer {first}")))?;
    if layers[first + 1..next]
        .iter()
        .any(|l| !l.parameters().is_empty())
    {
        return Err(err(
            "only parameter-free layers may sit between the two Linears".into(),
        ));
    }
    let b = layers[next]
        .as_any()
        .downcast_ref::<Linear>()
        .expect("found above");
    let hidden = a.out_features();
    if keep == 0 || keep > hidden {
        return Err(err(format!("keep must be in 1..={hidden}, got {keep}")));
    }
    // Importance of neuron j: ‖incoming column j of A‖ · ‖outgoing row j of B‖.
    let (wa, wb) = (a.weight().to_vec(), b.weight().to_vec());
    let (inf, outf) = (a.in_features(), b.out_features());
    let mut score: Vec<(f32, usize)> = (0..hidden)
        .map(|j| {
            let cin: f32 = (0..inf)
                .map(|i| wa[i * hidden + j].powi(2))
                .sum::<f32>()
                .sqrt();
            let cout: f32 = (0..outf)
                .map(|k| wb[j * outf + k].powi(2))
                .sum::<f32>()
                .sqrt();
            (cin * cout, j)
        })
        .collect();
    score.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut kept: Vec<usize> = score[..keep].iter().map(|s| s.1).collect();
    kept.sort_unstable();
    let wa_ref = &wa;
    let na: Vec<f32> = (0..inf)
        .flat_map(|i| kept.iter().map(move |&j| wa_ref[i * hidden + j]))
        .collect();
    let ba = a
        .bias()
        .map(|b| {
            let v = b.to_vec();
            Tensor::from_vec(kept.iter().map(|&j| v[j]).collect(), &[keep])
        })
        .transpose()?;
    let nb: Vec<f32> = kept
        .iter()
        .flat_map(|&j| wb[j * outf..(j + 1) * outf].to_vec())
        .collect();
    let new_a = Linear::from_parts(
        Tensor::from_vec(na, &[inf, keep])?.requires_grad_(true),
        ba.map(|t| t.requires_grad_(true)),
    )?;
    let new_b = Linear::from_parts(
        Tensor::from_vec(nb, &[keep, outf])?.requires_grad_(true),
        b.bias().map(|t| t.detach().requires_grad_(true)),
    )?;
    let mut out: Vec<Layer> = layers.to_vec();
    out[first] = new_a.into_layer();
    out[next] = new_b.into_layer();
    Ok(Sequential::new(out))
}
