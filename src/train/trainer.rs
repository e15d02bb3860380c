//! `Trainer`: epochs over a `DataLoader` with accumulation, clipping, a schedule and history.

use super::{clip_grad_norm, CosineSchedule};
use crate::autograd::no_grad;
use crate::data::DataLoader;
use crate::error::{Error, Result};
use crate::loss::Loss;
use crate::nn::{call, Layer};
use crate::optim::Optimizer;
use serde::{Deserialize, Serialize};

/// Loss and accuracy of one pass over a loader.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// Mean loss per batch.
    pub loss: f32,
    /// Fraction of rows predicted correctly (see [`Loss::correct`]).
    pub accuracy: f32,
}

/// What the trainer recorded, one entry per epoch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub train_loss: Vec<f32>,
    pub train_accuracy: Vec<f32>,
    pub eval_loss: Vec<f32>,
    pub eval_accuracy: Vec<f32>,
    pub learning_rates: Vec<f32>,
}

/// Runs training epochs: forward, loss, backward, (clip), step, zero_grad.
///
/// # Example
/// ```
/// use std::rc::Rc;
/// use tinytorch::{data::*, loss::Loss, nn::*, optim::Sgd, train::Trainer, Tensor};
/// tinytorch::manual_seed(0);
/// let model: Layer = Rc::new(Sequential::new(vec![Linear::new(2, 1, true).into_layer()]));
/// let x = Tensor::randn(&[32, 2]);
/// let y = x.try_sum_axes(&[1], true).unwrap();           // learn y = x0 + x1
/// let dl = DataLoader::new(Rc::new(TensorDataset::new(x, y).unwrap()), 8).unwrap();
/// let opt = Sgd::new(model.parameters(), 0.1, 0.0, 0.0).unwrap();
/// let mut t = Trainer::new(model, Box::new(opt), Loss::Mse);
/// let first = t.train_epoch(&dl, 1).unwrap().loss;
/// for _ in 0..20 { t.train_epoch(&dl, 1).unwrap(); }
/// assert!(t.history.train_loss.last().unwrap() < &(first * 0.1));
/// ```
pub struct Trainer {
    pub model: Layer,
    pub optimizer: Box<dyn Optimizer>,
    pub loss: Loss,
    pub scheduler: Option<CosineSchedule>,
    pub grad_clip: Option<f32>,
    /// Epochs completed.
    pub epoch: usize,
    /// Optimizer steps taken.
    pub step: usize,
    pub history: History,
}

impl Trainer {
    /// A trainer without schedule or clipping.
    pub fn new(model: Layer, optimizer: Box<dyn Optimizer>, loss: Loss) -> Trainer {
        Trainer {
            model,
            optimizer,
            loss,
            scheduler: None,
            grad_clip: None,
            epoch: 0,
            step: 0,
            history: History::default(),
        }
    }

    /// Sets the learning rate from `schedule` at the start of every epoch.
    pub fn with_scheduler(mut self, schedule: CosineSchedule) -> Trainer {
        self.scheduler = Some(schedule);
        self
    }

    /// Clips the global gradient norm to `max_norm` before every step.
    pub fn with_grad_clip(mut self, max_norm: f32) -> Trainer {
        self.grad_clip = Some(max_norm);
        self
    }

    fn apply_step(&mut self) -> Result<()> {
        if let Some(c) = self.grad_clip {
            clip_grad_norm(self.optimizer.params(), c)?;
        }
        self.optimizer.step()?;
        self.optimizer.zero_grad();
        self.step += 1;
        Ok(())
    }

    /// One epoch. With `accumulation_steps = k`, gradients of k batches are averaged before
    /// each step (each loss is scaled by 1/k), so for equal batches it matches one batch k
    /// times larger; a partial group at the end is averaged over its own size.
    ///
    /// # Errors
    /// If `accumulation_steps` is 0, the loader is empty, or a forward/loss/step fails.
    pub fn train_epoch(
        &mut self,
        loader: &DataLoader,
        accumulation_steps: usize,
    ) -> Result<EpochStats> {
        if accumulation_steps == 0 {
            return Err(Error::Arg {
                op: "train_epoch",
                msg: "accumulation_steps must be ≥ 1".into(),
            });
        }
        if let Some(s) = self.scheduler {
            self.optimizer.set_lr(s.lr(self.epoch));
        }
        self.model.train();
        self.optimizer.zero_grad();
        let k = accumulation_steps;
        let (mut total, mut batches, mut correct, mut rows, mut pending) = (0.0f64, 0, 0, 0, 0);
        for batch in loader.epoch() {
            let (x, y) = batch?;
            let out = call(&*self.model, &x)?;
            let loss = self.loss.compute(&out, &y)?;
            loss.mul_scalar(1.0 / k as f32).backward()?;
            total += loss.item()? as f64;
            correct += self.loss.correct(&out, &y)?;
            rows += out.shape().first().copied().unwrap_or(1);
            batches += 1;
            pending += 1;
            if pending == k {
                self.apply_step()?;
                pending = 0;
            }
        }
        if batches == 0 {
            return Err(Error::Arg {
                op: "train_epoch",
                msg: "the loader yielded no batch".into(),
            });
        }
        if pending > 0 {
            let fix = k as f32 / pending as f32;
            for p in self.optimizer.params() {
                if let Some(g) = p.0.grad.borrow_mut().as_mut() {
                    g.mapv_inplace(|v| v * fix);
                }
            }
            self.apply_step()?;
        }
        let stats = EpochStats {
            loss: (total / batches as f64) as f32,
            accuracy: correct as f32 / rows as f32,
        };
        self.history.train_loss.push(stats.loss);
        self.history.train_accuracy.push(stats.accuracy);
        self.history.learning_rates.push(self.optimizer.lr());
        self.epoch += 1;
        Ok(stats)
    }

    /// Mean loss and accuracy over a loader in evaluation mode, without recording a graph.
    /// The model is put back in training mode afterwards.
    ///
    /// # Errors
    /// If a forward or loss fails or the loader is empty.
    pub fn evaluate(&mut self, loader: &DataLoader) -> Result<EpochStats> {
        let stats = evaluate(&*self.model, loader, self.loss)?;
        self.history.eval_loss.push(stats.loss);
        self.history.eval_accuracy.push(stats.accuracy);
        Ok(stats)
    }
}

/// Mean loss and accuracy of `model` over `loader` in eval mode (restores training mode).
///
/// # Errors
/// If a forward or loss fails or the loader is empty.
pub fn evaluate(
    model: &dyn crate::nn::Module,
    loader: &DataLoader,
    loss: Loss,
) -> Result<EpochStats> {
    model.eval();
    let result = no_grad(|| -> Result<EpochStats> {
        let (mut total, mut batches, mut correct, mut rows) = (0.0f64, 0, 0, 0);
        for batch in loader.epoch() {
            let (x, y) = batch?;
            let out = call(model, &x)?;
            total += loss.compute(&out, &y)?.item()? as f64;
            correct += loss.correct(&out, &y)?;
            rows += out.shape().first().copied().unwrap_or(1);
            batches += 1;
        }
        if batches == 0 {
            return Err(Error::Arg {
                op: "evaluate",
                msg: "the loader yielded no batch".into(),
            });
        }
        Ok(EpochStats {
            loss: (total / batches as f64) as f32,
            accuracy: correct as f32 / rows as f32,
        })
    });
    model.train();
    result
}
