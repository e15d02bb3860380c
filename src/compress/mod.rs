//! Compression (course module 16): magnitude pruning (global or per layer) with masks that
//! stay applied while training continues, structured pruning that really shrinks layers,
//! low-rank factorisation of a Linear into two, knowledge distillation (its loss with gradients
//! and its training loop), and sparsity measurement.

mod distill;
mod lowrank;
mod structured;

pub use distill::{distill, distillation_loss, DistillConfig};
pub use lowrank::{low_rank_linear, svd};
pub use structured::prune_neurons;

use crate::error::{Error, Result};
use crate::optim::Optimizer;
use crate::tensor::{Array, Tensor};

/// Fraction of exactly-zero values among `params`.
///
/// # Example
/// ```
/// use tinytorch::{compress::sparsity, Tensor};
/// let w = Tensor::from_vec(vec![0.0, 1.0, 0.0, 2.0], &[2, 2]).unwrap();
/// assert_eq!(sparsity(&[w]), 0.5);
/// ```
pub fn sparsity(params: &[Tensor]) -> f64 {
    let (zeros, total) = params.iter().fold((0usize, 0usize), |(z, t), p| {
        (
            z + p.data().iter().filter(|&&v| v == 0.0).count(),
            t + p.numel(),
        )
    });
    if total == 0 {
        0.0
    } else {
        zeros as f64 / total as f64
    }
}

/// Pruning masks: 1 keeps a weight, 0 removes it. Apply after every optimizer step (or use
/// [`MaskedOptimizer`]) so pruned weights stay exactly zero while the model keeps training.
/// Cloning shares the weights and copies the masks.
#[derive(Clone)]
pub struct Masks {
    entries: Vec<(Tensor, Array)>,
}

impl Masks {
    /// Sets every pruned weight to zero.
    pub fn apply(&self) {
        for (t, m) in &self.entries {
            let mut d = t.data_mut();
            d.zip_mut_with(m, |w, &k| *w *= k);
        }
    }
    /// Fraction of the masked tensors' values that are pruned.
    pub fn sparsity(&self) -> f64 {
        let (z, n) = self
            .entries
            .iter()
            .fold((0usize, 0usize), |(z, n), (_, m)| {
                (z + m.iter().filter(|&&k| k == 0.0).count(), n + m.len())
            });
        if n == 0 {
            0.0
        } else {
            z as f64 / n as f64
        }
    }
    /// Whether every pruned weight is exactly zero now.
    pub fn holds(&self) -> bool {
        self.entries.iter().all(|(t, m)| {
            t.data()
                .iter()
                .zip(m.iter())
                .all(|(&w, &k)| k != 0.0 || w == 0.0)
        })
    }
}

/// Prunes the `sparsity` fraction of smallest-magnitude values of `weights` (pass weight
/// matrices, not biases): with `global` one threshold over all of them, otherwise each tensor
/// pruned to `sparsity` on its own. Ties at the threshold are broken by position, so exactly
/// `round(sparsity · n)` values go.
///
/// # Errors
/// If `sparsity` is outside `[0, 1]`.
///
/// # Example
/// ```
/// use tinytorch::{compress::{magnitude_prune, sparsity}, Tensor};
/// let w = Tensor::randn(&[10, 10]);
/// let masks = magnitude_prune(&[w.clone()], 0.5, true).unwrap();
/// assert_eq!(sparsity(&[w]), 0.5);
/// assert!(masks.holds());
/// ```
pub fn magnitude_prune(weights: &[Tensor], sparsity: f64, global: bool) -> Result<Masks> {
    if !(0.0..=1.0).contains(&sparsity) {
        return Err(Error::Arg {
            op: "magnitude_prune",
            msg: format!("sparsity must be in [0, 1], got {sparsity}"),
        });
    }
    let mut masks: Vec<Array> = weights
        .iter()
        .map(|w| Array::ones(w.data().raw_dim()))
        .collect();
    let groups: Vec<Vec<usize>> = if global {
        vec![(0..weights.len()).collect()]
    } else {
        (0..weights.len()).map(|i| vec![i]).collect()
    };
    for g in groups {
        // (|w|, tensor, index) for every value of the group, smallest first.
        let mut all: Vec<(f32, usize, usize)> = g
            .iter()
            .flat_map(|&t| {
                weights[t]
                    .data()
                    .iter()
                    .enumerate()
                    .map(move |(i, &v)| (v.abs(), t, i))
                    .collect::<Vec<_>>()
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let cut = (sparsity * all.len() as f64).round() as usize;
        for &(_, t, i) in &all[..cut] {
            masks[t].as_slice_mut().expect("standard")[i] = 0.0;
        }
    }
    let m = Masks {
        entries: weights.iter().cloned().zip(masks).collect(),
    };
    m.apply();
    Ok(m)
}

/// An optimizer that re-applies pruning masks after every step (momentum and Adam would
/// otherwise move pruned weights off zero).
pub struct MaskedOptimizer {
    inner: Box<dyn Optimizer>,
    masks: Masks,
}

impl MaskedOptimizer {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn Optimizer>, masks: Masks) -> MaskedOptimizer {
        MaskedOptimizer { inner, masks }
    }
}

impl Optimizer for MaskedOptimizer {
    fn step(&mut self) -> Result<()> {
        self.inner.step()?;
        self.masks.apply();
        Ok(())
    }
    fn params(&self) -> &[Tensor] {
        self.inner.params()
    }
    fn lr(&self) -> f32 {
        self.inner.lr()
    }
    fn set_lr(&mut self, lr: f32) {
        self.inner.set_lr(lr)
    }
    fn state(&self) -> Vec<Array> {
        self.inner.state()
    }
    fn load_state(&mut self, state: Vec<Array>) -> Result<()> {
        self.inner.load_state(state)
    }
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
}
