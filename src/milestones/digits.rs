//! The digits milestones (1986 MLP, 1998 CNN): models and a training run that reports
//! held-out accuracy, a confusion matrix and misclassified images, for the suites and pages.

use crate::data::{digits, DataLoader, TensorDataset};
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::{call, Conv2d, Flatten, Layer, Linear, MaxPool2d, Module, ReLU, Sequential};
use crate::optim::Adam;
use crate::train::{EpochStats, Trainer};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Which digits model to build (`"mlp"` or `"cnn"` in JSON and the JS API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum DigitsModel {
    /// Flatten → Linear(64, 128) → ReLU → Linear(128, 10).
    Mlp,
    /// Conv(1→16, 3, p1) → ReLU → MaxPool 2 → Conv(16→32, 3, p1) → ReLU → MaxPool 2 →
    /// Flatten → Linear(128, 10).
    Cnn,
}

/// Builds a fresh digits model (weights from the global seeded generator).
///
/// The digits MLP with `hidden` units: Flatten → Linear(64, hidden) → ReLU → Linear(hidden, 10).
/// The milestone uses 128; the compression and capstone students use smaller ones.
///
/// # Example
/// ```
/// use tinytorch::nn::Module;
/// assert_eq!(tinytorch::milestones::digits::digits_mlp(32).children().len(), 4);
/// ```
pub fn digits_mlp(hidden: usize) -> Sequential {
    Sequential::new(vec![
        Flatten::new().into_layer(),
        Linear::new(64, hidden, true).into_layer(),
        ReLU::new().into_layer(),
        Linear::new(hidden, 10, true).into_layer(),
    ])
}

/// # Errors
/// Never in practice (fixed valid sizes); kept fallible like every constructor.
pub fn digits_model(kind: DigitsModel) -> Result<Sequential> {
    Ok(match kind {
        DigitsModel::Mlp => digits_mlp(128),
        DigitsModel::Cnn => Sequential::new(vec![
            Conv2d::new(1, 16, 3, 1, 1, true)?.into_layer(),
            ReLU::new().into_layer(),
            MaxPool2d::new(2, None, 0)?.into_layer(),
            Conv2d::new(16, 32, 3, 1, 1, true)?.into_layer(),
            ReLU::new().into_layer(),
            MaxPool2d::new(2, None, 0)?.into_layer(),
            Flatten::new().into_layer(),
            Linear::new(128, 10, true).into_layer(),
        ]),
    })
}

/// Settings of a digits training run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigitsConfig {
    pub model: DigitsModel,
    pub seed: u64,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f32,
}

impl DigitsConfig {
    /// The quick form (the suites' quick mode): 3 epochs of the CNN, 5 of the MLP.
    pub fn quick(model: DigitsModel, seed: u64) -> DigitsConfig {
        let epochs = match model {
            DigitsModel::Mlp => 5,
            DigitsModel::Cnn => 3,
        };
        DigitsConfig {
            epochs,
            ..DigitsConfig::standard(model, seed)
        }
    }

    /// The settings the scenarios use.
    pub fn standard(model: DigitsModel, seed: u64) -> DigitsConfig {
        let epochs = match model {
            DigitsModel::Mlp => 30,
            DigitsModel::Cnn => 20,
        };
        DigitsConfig {
            model,
            seed,
            epochs,
            batch_size: 32,
            lr: 0.005,
        }
    }
}

/// A test image the model got wrong.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Misclassified {
    pub label: usize,
    pub predicted: usize,
    /// 64 values in [0, 1], row-major 8×8.
    pub pixels: Vec<f32>,
}

/// What a digits run produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigitsRun {
    pub config: DigitsConfig,
    pub train_size: usize,
    pub test_size: usize,
    pub parameters: usize,
    /// Per epoch: training loss and accuracy, held-out loss and accuracy.
    pub train_loss: Vec<f32>,
    pub train_accuracy: Vec<f32>,
    pub test_loss: Vec<f32>,
    pub test_accuracy: Vec<f32>,
    /// `confusion[label][predicted]` counts on the held-out set after training.
    pub confusion: Vec<Vec<usize>>,
    pub misclassified: Vec<Misclassified>,
    pub train_ms: f64,
}

impl DigitsRun {
    /// Final held-out accuracy.
    pub fn final_accuracy(&self) -> f32 {
        self.test_accuracy.last().copied().unwrap_or(0.0)
    }
}

/// Trains a digits model, calling `on_epoch(epoch, train, test)` after each epoch (return
/// `false` to stop). Returns the trained model and the run's record.
///
/// # Errors
/// If the data cannot be loaded or a training step fails.
pub fn train_digits(
    cfg: &DigitsConfig,
    prepare: &mut dyn FnMut(&dyn Module),
    on_epoch: &mut dyn FnMut(usize, EpochStats, EpochStats) -> bool,
) -> Result<(Layer, DigitsRun)> {
    let data = digits(cfg.seed, 0.2)?;
    crate::manual_seed(cfg.seed);
    let model: Layer = Rc::new(digits_model(cfg.model)?);
    prepare(&*model);
    let (n_train, n_test) = (data.train_labels.numel(), data.test_labels.numel());
    let train = DataLoader::new(
        Rc::new(TensorDataset::new(data.train_images, data.train_labels)?),
        cfg.batch_size,
    )?
    .shuffle(cfg.seed);
    let test_x = data.test_images;
    let test_y = data.test_labels;
    let test = DataLoader::new(
        Rc::new(TensorDataset::new(test_x.clone(), test_y.clone())?),
        256,
    )?;
    let mut trainer = Trainer::new(
        model.clone(),
        Box::new(Adam::new(model.parameters(), cfg.lr)?),
        Loss::CrossEntropy,
    );
    let mut run = DigitsRun {
        config: *cfg,
        train_size: n_train,
        test_size: n_test,
        parameters: model.num_parameters(),
        train_loss: vec![],
        train_accuracy: vec![],
        test_loss: vec![],
        test_accuracy: vec![],
        confusion: vec![vec![0; 10]; 10],
        misclassified: vec![],
        train_ms: 0.0,
    };
    let t0 = crate::clock::now_ms();
    for e in 0..cfg.epochs {
        let tr = trainer.train_epoch(&train, 1)?;
        let te = trainer.evaluate(&test)?;
        run.train_loss.push(tr.loss);
        run.train_accuracy.push(tr.accuracy);
        run.test_loss.push(te.loss);
        run.test_accuracy.push(te.accuracy);
        if !on_epoch(e, tr, te) {
            break;
        }
    }
    run.train_ms = crate::clock::now_ms() - t0;
    model.eval();
    let logits = crate::no_grad(|| call(&*model, &test_x))?;
    model.train();
    let (lv, yv, xv) = (logits.to_vec(), test_y.to_vec(), test_x.to_vec());
    for (i, (row, &label)) in lv.chunks(10).zip(&yv).enumerate() {
        let pred = row
            .iter()
            .enumerate()
            .fold(0, |b, (j, &v)| if v > row[b] { j } else { b });
        run.confusion[label as usize][pred] += 1;
        if pred != label as usize {
            run.misclassified.push(Misclassified {
                label: label as usize,
                predicted: pred,
                pixels: xv[i * 64..(i + 1) * 64].to_vec(),
            });
        }
    }
    Ok((model, run))
}
