//! `fit`: the whole training loop in one call (what the JS API's `fit` runs), with a
//! per-epoch callback for progress bars and charts.

use super::trainer::{EpochStats, Trainer};
use crate::data::{DataLoader, TensorDataset};
use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::nn::Layer;
use crate::optim::{Adam, Optimizer, Sgd};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Which optimizer `fit` builds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    Sgd,
    Adam,
    AdamW,
}

impl OptimizerKind {
    /// Parses `"sgd"`, `"adam"` or `"adamw"` (any case).
    ///
    /// # Errors
    /// If the name is unknown.
    pub fn parse(s: &str) -> Result<OptimizerKind> {
        match s.to_ascii_lowercase().as_str() {
            "sgd" => Ok(OptimizerKind::Sgd),
            "adam" => Ok(OptimizerKind::Adam),
            "adamw" => Ok(OptimizerKind::AdamW),
            _ => Err(Error::Arg {
                op: "fit",
                msg: format!("unknown optimizer '{s}' (sgd, adam, adamw)"),
            }),
        }
    }
}

/// Settings for [`fit`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub optimizer: OptimizerKind,
    pub loss: Loss,
    pub momentum: f32,
    pub weight_decay: f32,
    /// Seed of the per-epoch shuffle; `None` keeps the data in order.
    pub shuffle_seed: Option<u64>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            epochs: 10,
            batch_size: 32,
            lr: 0.01,
            optimizer: OptimizerKind::Adam,
            loss: Loss::Mse,
            momentum: 0.0,
            weight_decay: 0.0,
            shuffle_seed: Some(0),
        }
    }
}

/// Trains `model` on `(x, y)` and calls `on_epoch(epoch, stats)` after every epoch; returning
/// `false` from it stops early. Returns the per-epoch stats.
///
/// # Errors
/// If the options are invalid, the data do not match the model, or a step fails.
pub fn fit(
    model: Layer,
    x: &Tensor,
    y: &Tensor,
    opts: &FitOptions,
    mut on_epoch: impl FnMut(usize, EpochStats) -> bool,
) -> Result<Vec<EpochStats>> {
    if opts.epochs == 0 {
        return Err(Error::Arg {
            op: "fit",
            msg: "epochs must be at least 1".into(),
        });
    }
    x.check_finite("fit", "the inputs")?;
    y.check_finite("fit", "the targets")?;
    let ds = Rc::new(TensorDataset::new(x.clone(), y.clone())?);
    let mut loader = DataLoader::new(ds, opts.batch_size)?;
    if let Some(seed) = opts.shuffle_seed {
        loader = loader.shuffle(seed);
    }
    let params = model.parameters();
    let optimizer: Box<dyn Optimizer> = match opts.optimizer {
        OptimizerKind::Sgd => {
            Box::new(Sgd::new(params, opts.lr, opts.momentum, opts.weight_decay)?)
        }
        OptimizerKind::Adam => Box::new(Adam::with_options(
            params,
            opts.lr,
            (0.9, 0.999),
            1e-8,
            opts.weight_decay,
            false,
        )?),
        OptimizerKind::AdamW => Box::new(Adam::adamw(params, opts.lr, opts.weight_decay)?),
    };
    let mut trainer = Trainer::new(model, optimizer, opts.loss);
    let mut out = Vec::with_capacity(opts.epochs);
    for e in 0..opts.epochs {
        let stats = trainer.train_epoch(&loader, 1)?;
        out.push(stats);
        if !on_epoch(e, stats) {
            break;
        }
    }
    Ok(out)
}
