//! Modules 07–08 of `api_compatibility`: the cosine schedule, gradient clipping, `fit` with
//! its documented defaults, the `Trainer`, and the `DataLoader` (batch sizes, the partial last
//! batch, seeded shuffles), checked against their documented values.

use super::docs::{doc, Docs, Documented, Value::*};
use super::ApiCase;
use crate::data::{DataLoader, Dataset, TensorDataset};
use crate::nn::loss::Loss;
use crate::nn::{Layer, Linear, Sequential};
use crate::optim::Sgd;
use crate::suites::ctx::{check, CaseResult};
use crate::tensor::Tensor;
use crate::train::{clip_grad_norm, fit, CosineSchedule, FitOptions, OptimizerKind, Trainer};
use std::rc::Rc;

/// What modules 07–08 document.
pub fn table() -> Vec<Documented> {
    vec![
        // NOTE: the reference's schedule defaults (max 0.1, min 0.01, 100 epochs) are the
        // arguments of our documented example; ours has no defaults.
        doc(
            "CosineSchedule::lr",
            "lr at epochs 0, 50, 100 of (0.1, 0.01, 100)",
            List(vec![0.1, 0.055, 0.01]),
            "src/train/mod.rs (CosineSchedule example; curriculum 07 anchors)",
        ),
        doc(
            "clip_grad_norm",
            "norm returned for grad [3, 4] at max_norm 1",
            Num(5.0),
            "src/train/mod.rs (clip_grad_norm example: the norm before clipping)",
        ),
        doc(
            "clip_grad_norm",
            "grad [3, 4] after clipping to 1",
            List(vec![0.6, 0.8]),
            "src/train/mod.rs (clip_grad_norm example)",
        ),
        doc(
            "FitOptions::default",
            "epochs",
            Int(10),
            "src/train/fit.rs (FitOptions::default)",
        ),
        doc(
            "FitOptions::default",
            "batch_size",
            Int(32),
            "src/train/fit.rs (FitOptions::default)",
        ),
        doc(
            "FitOptions::default",
            "lr",
            Num(0.01),
            "src/train/fit.rs (FitOptions::default; curriculum 06: SGD lr 0.01)",
        ),
        doc(
            "FitOptions::default",
            "optimizer",
            Text("adam".into()),
            "src/train/fit.rs (FitOptions::default)",
        ),
        doc(
            "FitOptions::default",
            "loss",
            Text("mse".into()),
            "src/train/fit.rs (FitOptions::default)",
        ),
        doc(
            "fit",
            "stats returned with default options",
            Int(10),
            "src/train/fit.rs (fit_with example: one entry per epoch)",
        ),
        doc(
            "DataLoader::new",
            "batch sizes of 10 rows at batch_size 4",
            Dims(vec![4, 4, 2]),
            "src/data/loader.rs (DataLoader example: the partial last batch is kept)",
        ),
        doc(
            "DataLoader::drop_last",
            "batches of 10 rows at batch_size 4 with drop_last",
            Int(2),
            "src/data/loader.rs (drop_last)",
        ),
        doc(
            "DataLoader::new",
            "shuffles by default",
            Flag(false),
            "src/data/loader.rs (new: batches in order)",
        ),
        doc(
            "TensorDataset::get",
            "label of row 4 of arange(10)",
            Num(4.0),
            "src/data/mod.rs (TensorDataset example)",
        ),
    ]
}

fn schedule_clip_fit(docs: &Docs) -> CaseResult {
    let d = docs.get(
        "CosineSchedule::lr",
        "lr at epochs 0, 50, 100 of (0.1, 0.01, 100)",
    )?;
    let s = CosineSchedule::new(0.1, 0.01, 100)?;
    let got: Vec<f64> = [0, 50, 100].iter().map(|&e| s.lr(e) as f64).collect();
    d.expect_all(
        "CosineSchedule::new(0.1, 0.01, 100).lr(0, 50, 100)",
        &d.list()?,
        &got,
        1e-7,
    )?;
    check!(
        (s.lr(150) - 0.01).abs() < 1e-7,
        "CosineSchedule: past total_epochs the rate must stay at min_lr, got {}",
        s.lr(150)
    );
    check!(
        CosineSchedule::new(0.01, 0.1, 100).is_err(),
        "CosineSchedule::new must reject max_lr < min_lr"
    );

    let w = Tensor::zeros(&[2]).requires_grad_(true);
    w.set_grad(Some(ndarray::arr1(&[3.0f32, 4.0]).into_dyn()));
    let d = docs.get(
        "clip_grad_norm",
        "norm returned for grad [3, 4] at max_norm 1",
    )?;
    d.expect(
        "clip_grad_norm(&[w], 1.0)",
        d.num()?,
        clip_grad_norm(std::slice::from_ref(&w), 1.0)? as f64,
        1e-6,
    )?;
    let d = docs.get("clip_grad_norm", "grad [3, 4] after clipping to 1")?;
    let g = w.grad().map(|g| g.to_vec()).unwrap_or_default();
    d.expect_all(
        "w.grad() after clip_grad_norm",
        &d.list()?,
        &super::docs::wide(&g),
        1e-6,
    )?;

    let o = FitOptions::default();
    let d = docs.get("FitOptions::default", "epochs")?;
    d.expect_eq("FitOptions::default().epochs", d.int()?, o.epochs)?;
    let d = docs.get("FitOptions::default", "batch_size")?;
    d.expect_eq("FitOptions::default().batch_size", d.int()?, o.batch_size)?;
    let d = docs.get("FitOptions::default", "lr")?;
    d.expect("FitOptions::default().lr", d.num()?, o.lr as f64, 1e-9)?;
    let d = docs.get("FitOptions::default", "optimizer")?;
    d.expect_eq(
        "FitOptions::default().optimizer",
        OptimizerKind::parse(&d.text()?).ok(),
        Some(o.optimizer),
    )?;
    let d = docs.get("FitOptions::default", "loss")?;
    d.expect_eq(
        "FitOptions::default().loss.name()",
        d.text()?,
        o.loss.name().to_string(),
    )?;

    // fit: learn y = x0 − x1 with the default options; one entry per epoch, the loss falls.
    let x = Tensor::randn(&[64, 2]);
    let y = Tensor::from_vec(
        x.to_vec().chunks(2).map(|r| r[0] - r[1]).collect(),
        &[64, 1],
    )?;
    let model = Linear::new(2, 1, true).into_layer();
    let stats = fit(model, &x, &y, &FitOptions { lr: 0.05, ..o }, |_, _| true)?;
    let d = docs.get("fit", "stats returned with default options")?;
    d.expect_eq(
        "fit(…).len() with FitOptions::default() epochs",
        d.int()?,
        stats.len(),
    )?;
    let (first, last) = (stats[0].loss, stats[stats.len() - 1].loss);
    check!(
        last < first * 0.5,
        "fit: the loss went from {first} to {last}, expected it to halve at least"
    );
    check!(
        fit(
            Linear::new(2, 1, true).into_layer(),
            &x,
            &y,
            &FitOptions {
                epochs: 0,
                ..FitOptions::default()
            },
            |_, _| true
        )
        .is_err(),
        "fit must reject epochs = 0"
    );
    Ok(())
}

fn trainer() -> CaseResult {
    let model: Layer = Rc::new(Sequential::new(vec![Linear::new(2, 1, true).into_layer()]));
    let x = Tensor::randn(&[32, 2]);
    let y = x.try_sum_axes(&[1], true)?;
    let dl = DataLoader::new(Rc::new(TensorDataset::new(x, y)?), 8)?;
    let opt = Sgd::new(model.parameters(), 0.1, 0.0, 0.0)?;
    let sched = CosineSchedule::new(0.1, 0.01, 4)?;
    let mut t = Trainer::new(model, Box::new(opt), Loss::Mse).with_scheduler(sched);
    for _ in 0..4 {
        t.train_epoch(&dl, 1)?;
    }
    let h = &t.history;
    check!(
        t.epoch == 4 && t.step == 16,
        "Trainer: after 4 epochs of 4 batches epoch = {}, step = {} (expected 4, 16)",
        t.epoch,
        t.step
    );
    check!(
        h.train_loss.len() == 4 && h.learning_rates.len() == 4,
        "Trainer::history must hold one entry per epoch"
    );
    let want: Vec<f32> = (0..4).map(|e| sched.lr(e)).collect();
    check!(h.learning_rates.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-7), "Trainer with a schedule: learning rates {:?}, expected the schedule's {want:?} (set at the start of every epoch)", h.learning_rates);
    check!(
        h.train_loss[3] < h.train_loss[0],
        "Trainer: the loss did not fall ({:?})",
        h.train_loss
    );
    let e = t.evaluate(&dl)?;
    check!(
        e.loss.is_finite() && t.history.eval_loss.len() == 1,
        "Trainer::evaluate must record a finite loss"
    );
    check!(
        t.model.site().training(),
        "evaluate must restore training mode"
    );
    check!(
        t.train_epoch(&dl, 0).is_err(),
        "train_epoch must reject accumulation_steps = 0"
    );
    Ok(())
}

fn dataloader(docs: &Docs) -> CaseResult {
    let ds = Rc::new(TensorDataset::new(
        Tensor::zeros(&[10, 2]),
        Tensor::arange(10),
    )?);
    let d = docs.get("TensorDataset::get", "label of row 4 of arange(10)")?;
    d.expect(
        "ds.get(4).1.item()",
        d.num()?,
        ds.get(4)?.1.item()? as f64,
        0.0,
    )?;
    check!(
        ds.len() == 10 && ds.get(10).is_err(),
        "TensorDataset: len {} and get(10) must be an error",
        ds.len()
    );
    check!(
        TensorDataset::new(Tensor::zeros(&[10, 2]), Tensor::arange(9)).is_err(),
        "TensorDataset::new must reject first axes 10 and 9"
    );

    let dl = DataLoader::new(ds.clone(), 4)?;
    let d = docs.get("DataLoader::new", "batch sizes of 10 rows at batch_size 4")?;
    let sizes: Vec<usize> = dl
        .epoch()
        .map(|b| b.map(|b| b.0.shape()[0]))
        .collect::<crate::Result<_>>()?;
    d.expect_eq("batch sizes of one epoch", d.dims()?, sizes)?;
    check!(
        dl.len() == 3,
        "DataLoader::len gave {}, expected ceil(10/4) = 3",
        dl.len()
    );
    let d = docs.get("DataLoader::new", "shuffles by default")?;
    d.expect_eq(
        "DataLoader::new(…).order(0) differs from 0..10",
        d.flag()?,
        dl.order(0) != (0..10).collect::<Vec<_>>(),
    )?;
    let d = docs.get(
        "DataLoader::drop_last",
        "batches of 10 rows at batch_size 4 with drop_last",
    )?;
    d.expect_eq(
        "DataLoader::new(…, 4).drop_last(true).len()",
        d.int()?,
        DataLoader::new(ds.clone(), 4)?.drop_last(true).len(),
    )?;

    let sh = DataLoader::new(ds.clone(), 4)?.shuffle(7);
    let (e0, e1) = (sh.order(0), sh.order(1));
    let mut sorted = e0.clone();
    sorted.sort_unstable();
    check!(
        sorted == (0..10).collect::<Vec<_>>(),
        "a shuffled epoch must hold every sample once, got {e0:?}"
    );
    check!(e0 != e1, "shuffled epochs 0 and 1 must differ");
    check!(
        DataLoader::new(ds.clone(), 4)?.shuffle(7).order(0) == e0,
        "the same seed must replay the same epoch"
    );
    let labels: Vec<f32> = sh
        .epoch()
        .map(|b| b.map(|b| b.1.to_vec()))
        .collect::<crate::Result<Vec<_>>>()?
        .concat();
    check!(
        labels == e0.iter().map(|&i| i as f32).collect::<Vec<_>>(),
        "the batches of epoch 0 do not follow order(0)"
    );
    check!(
        DataLoader::new(ds, 0).is_err(),
        "DataLoader::new must reject batch_size 0"
    );
    Ok(())
}

pub(super) fn run(ctx: &mut ApiCase) {
    ctx.case("m07_training", "Module 07: the cosine schedule gives 0.1, 0.055, 0.01 at epochs 0, 50, 100; clip_grad_norm returns the norm before clipping and scales [3, 4] to [0.6, 0.8]; FitOptions' documented defaults; fit returns one entry per epoch and lowers the loss; the Trainer counts epochs and steps, follows its schedule from epoch 0, and evaluate restores training mode.", |_, docs| {
        schedule_clip_fit(docs)?;
        trainer()
    });
    ctx.case("m08_dataloader", "Module 08: TensorDataset rows and errors; DataLoader keeps the partial last batch (4, 4, 2), has ceil(N/bs) batches, does not shuffle by default, drops the last with drop_last; a seeded shuffle holds every sample once, differs between epochs and replays with the same seed.", |_, docs| dataloader(docs));
}
