//! `Trainer`: epochs over a `DataLoader` with accumulation, clipping, a schedule and history.

use super::{clip_grad_norm, CosineSchedule};
use crate::autograd::no_grad;
use crate::data::DataLoader;
use crate::error::{Error, Result};
use crate::nn::loss::Loss;
use crate::nn::{call, Layer};
use crate::optim::Optimizer;
use crate::slots::{self, value, Slot, Value};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

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
/// use tinytorch::{data::*, nn::loss::Loss, nn::*, optim::Sgd, train::Trainer, Tensor};
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
        if let Some(f) = slots::get(Slot::TrainEpoch) {
            return self.theirs_epoch(&f, loader, accumulation_steps);
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
    /// One epoch through a student's `trainEpoch` (module 07), which drives the JS API: the
    /// model, the batches, the loss function and the optimizer are lent to it for the call.
    /// Training accuracy is measured after the epoch (the loop is theirs), in eval mode.
    fn theirs_epoch(
        &mut self,
        f: &Rc<dyn slots::SlotFn>,
        loader: &DataLoader,
        accumulation_steps: usize,
    ) -> Result<EpochStats> {
        let slot = Slot::TrainEpoch;
        let batches: Vec<(Tensor, Tensor)> = loader.epoch().collect::<Result<_>>()?;
        let params = self.optimizer.params().to_vec();
        let home = Rc::new(RefCell::new(std::mem::replace(
            &mut self.optimizer,
            Box::new(Lent),
        )));
        let steps = Rc::new(Cell::new(0usize));
        let counting = Counting {
            home: home.clone(),
            params,
            steps: steps.clone(),
        };
        let shared: Rc<RefCell<Box<dyn Optimizer>>> = Rc::new(RefCell::new(Box::new(counting)));
        let list: Vec<Value> = batches
            .iter()
            .map(|(x, y)| {
                Value::List(vec![
                    Value::Object(Rc::new(x.clone())),
                    Value::Object(Rc::new(y.clone())),
                ])
            })
            .collect();
        let mut args = [Value::record(vec![
            ("model", Value::Object(Rc::new(self.model.clone()))),
            ("batches", Value::List(list)),
            ("lossFn", Value::Object(Rc::new(self.loss))),
            ("optimizer", Value::Object(shared.clone())),
            ("accumulationSteps", Value::Num(accumulation_steps as f64)),
            (
                "clipNorm",
                self.grad_clip.map_or(Value::Null, |c| Value::Num(c as f64)),
            ),
        ])];
        let out = slots::invoke(slot, f, &mut args);
        drop(args);
        // Take the optimizer back, even if the student's code kept a handle to it: dropping
        // the counting wrapper releases the last other reference to `home`.
        drop(shared.replace(Box::new(Lent)));
        drop(shared);
        self.optimizer = match Rc::try_unwrap(home) {
            Ok(cell) => cell.into_inner(),
            Err(home) => home.replace(Box::new(Lent)),
        };
        self.step += steps.get();
        let loss =
            value::expect_number(slot.js_name(), &out?, "its result (the epoch's mean loss)")?;
        slots::raise_pending()?;
        let stats = evaluate_batches(&*self.model, batches.iter().cloned().map(Ok), self.loss)?;
        let stats = EpochStats {
            loss: loss as f32,
            accuracy: stats.accuracy,
        };
        self.history.train_loss.push(stats.loss);
        self.history.train_accuracy.push(stats.accuracy);
        self.history.learning_rates.push(self.optimizer.lr());
        self.epoch += 1;
        Ok(stats)
    }

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
    evaluate_batches(model, loader.epoch(), loss)
}

/// [`evaluate`] over any sequence of `(input, target)` batches.
fn evaluate_batches(
    model: &dyn crate::nn::Module,
    batches_in: impl Iterator<Item = Result<(Tensor, Tensor)>>,
    loss: Loss,
) -> Result<EpochStats> {
    model.eval();
    let result = no_grad(|| -> Result<EpochStats> {
        let (mut total, mut batches, mut correct, mut rows) = (0.0f64, 0, 0, 0);
        for batch in batches_in {
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

/// Stands in for the trainer's optimizer while a student's `trainEpoch` borrows it; a handle
/// the student kept after returning finds this one and gets a clear error.
struct Lent;

impl Lent {
    fn err() -> Error {
        Error::Arg {
            op: "optimizer",
            msg: "this optimizer was lent to trainEpoch for one epoch and is no longer usable"
                .into(),
        }
    }
}

impl Optimizer for Lent {
    fn step(&mut self) -> Result<()> {
        Err(Lent::err())
    }
    fn params(&self) -> &[Tensor] {
        &[]
    }
    fn lr(&self) -> f32 {
        0.0
    }
    fn set_lr(&mut self, _: f32) {}
    fn state(&self) -> Vec<crate::tensor::Array> {
        Vec::new()
    }
    fn load_state(&mut self, _: Vec<crate::tensor::Array>) -> Result<()> {
        Err(Lent::err())
    }
    fn kind(&self) -> &'static str {
        "lent"
    }
}

/// The trainer's optimizer, counting the steps a student's loop takes (the trainer's `step`).
struct Counting {
    home: Rc<RefCell<Box<dyn Optimizer>>>,
    params: Vec<Tensor>,
    steps: Rc<Cell<usize>>,
}

impl Optimizer for Counting {
    fn step(&mut self) -> Result<()> {
        self.home.borrow_mut().step()?;
        self.steps.set(self.steps.get() + 1);
        Ok(())
    }
    fn params(&self) -> &[Tensor] {
        &self.params
    }
    fn lr(&self) -> f32 {
        self.home.borrow().lr()
    }
    fn set_lr(&mut self, lr: f32) {
        self.home.borrow_mut().set_lr(lr)
    }
    fn state(&self) -> Vec<crate::tensor::Array> {
        self.home.borrow().state()
    }
    fn load_state(&mut self, state: Vec<crate::tensor::Array>) -> Result<()> {
        self.home.borrow_mut().load_state(state)
    }
    fn kind(&self) -> &'static str {
        self.home.borrow().kind()
    }
}
