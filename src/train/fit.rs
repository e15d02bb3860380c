//! `fit`: the whole training loop in one call (what the JS API's `fit` runs), with a
//! per-epoch callback for progress bars and charts.

use super::trainer::{EpochStats, Trainer};
use crate::data::{DataLoader, TensorDataset};
use crate::error::{Error, Result};
use crate::nn::loss::Loss;
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
    on_epoch: impl FnMut(usize, EpochStats) -> bool,
) -> Result<Vec<EpochStats>> {
    let params = model.parameters();
    let mut optimizer: Box<dyn Optimizer> = match opts.optimizer {
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
    fit_with(model, x, y, opts, &mut optimizer, on_epoch)
}

/// [`fit`] with an optimizer the caller built (and keeps: its state after training, such as
/// Adam's moments or attached pruning masks, stays in `optimizer`). `opts.optimizer`, `lr`,
/// `momentum` and `weight_decay` are not used: the optimizer's own settings are.
///
/// # Example
/// ```
/// use tinytorch::{nn::*, optim::{Adam, Optimizer}, train::*, Tensor};
/// let model = Linear::new(2, 1, true).into_layer();
/// let (x, y) = (Tensor::randn(&[16, 2]), Tensor::randn(&[16, 1]));
/// let mut opt: Box<dyn Optimizer> = Box::new(Adam::new(model.parameters(), 0.01).unwrap());
/// let stats = fit_with(model, &x, &y, &FitOptions::default(), &mut opt, |_, _| true).unwrap();
/// assert_eq!(stats.len(), FitOptions::default().epochs);
/// ```
pub fn fit_with(
    model: Layer,
    x: &Tensor,
    y: &Tensor,
    opts: &FitOptions,
    optimizer: &mut Box<dyn Optimizer>,
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
    // The trainer owns its optimizer; lend it ours and take it back whatever happens.
    let placeholder: Box<dyn Optimizer> = Box::new(Sgd::new(Vec::new(), 0.0, 0.0, 0.0)?);
    let mut trainer = Trainer::new(model, std::mem::replace(optimizer, placeholder), opts.loss);
    let mut out = Vec::with_capacity(opts.epochs);
    let mut result = Ok(());
    for e in 0..opts.epochs {
        match trainer.train_epoch(&loader, 1) {
            Ok(stats) => {
                out.push(stats);
                if !on_epoch(e, stats) {
                    break;
                }
            }
            Err(err) => {
                result = Err(err);
                break;
            }
        }
    }
    *optimizer = trainer.optimizer;
    result.map(|_| out)
}
