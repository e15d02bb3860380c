//! `dataloader_integration` (module 08 with 03-07): every sample once per epoch, partial last
//! batch, seeded shuffles, aligned labels, and training from a DataLoader converges.

use super::ctx::{check, Ctx};
use crate::data::{DataLoader, Dataset, TensorDataset};
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::{Layer, Linear, ReLU, Sequential};
use crate::optim::Adam;
use crate::tensor::Tensor;
use crate::train::{evaluate, Trainer};
use std::rc::Rc;

fn indexed(n: usize) -> Result<Rc<TensorDataset>> {
    // Row i holds (i, 2i); its label is i, so order and alignment can be read back.
    let x: Vec<f32> = (0..n).flat_map(|i| [i as f32, 2.0 * i as f32]).collect();
    Ok(Rc::new(TensorDataset::new(
        Tensor::from_vec(x, &[n, 2])?,
        Tensor::arange(n),
    )?))
}

fn labels(dl: &DataLoader) -> Result<Vec<Vec<usize>>> {
    dl.epoch()
        .map(|b| b.map(|(_, y)| y.to_vec().iter().map(|&v| v as usize).collect()))
        .collect()
}

/// Gaussian blobs: `n` rows of `d` features around `k` seeded class centres.
pub(crate) fn blobs(n: usize, d: usize, k: usize, spread: f32) -> Result<(Tensor, Tensor)> {
    let centres = Tensor::randn(&[k, d]).data().clone();
    let noise = Tensor::randn(&[n, d]).data().clone();
    let mut x = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % k;
        for j in 0..d {
            x.push(centres[[c, j]] + spread * noise[[i, j]]);
        }
        y.push(c as f32);
    }
    Ok((Tensor::from_vec(x, &[n, d])?, Tensor::from_vec(y, &[n])?))
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("each_sample_once", "103 rows in batches of 10, shuffled: every row appears exactly once per epoch, in 11 batches whose last has 3 rows.", |ctx, _| {
        let dl = DataLoader::new(indexed(103)?, 10)?.shuffle(ctx.seed);
        for epoch in 0..3 {
            let batches = labels(&dl)?;
            let sizes: Vec<usize> = batches.iter().map(|b| b.len()).collect();
            check!(sizes.len() == 11 && sizes[..10].iter().all(|&s| s == 10) && sizes[10] == 3,
                "epoch {epoch}: batch sizes {sizes:?}, expected ten of 10 and one of 3");
            let mut seen: Vec<usize> = batches.concat();
            seen.sort_unstable();
            check!(seen == (0..103).collect::<Vec<_>>(), "epoch {epoch}: rows missing or repeated");
        }
        check!(dl.len() == 11, "len() is {}, expected ceil(103/10) = 11", dl.len());
        Ok(())
    });

    ctx.case(
        "drop_last",
        "With drop_last the partial batch is dropped: 10 full batches of 10 from 103 rows.",
        |ctx, _| {
            let dl = DataLoader::new(indexed(103)?, 10)?
                .shuffle(ctx.seed)
                .drop_last(true);
            let sizes: Vec<usize> = labels(&dl)?.iter().map(|b| b.len()).collect();
            check!(
                sizes == vec![10; 10] && dl.len() == 10,
                "batch sizes {sizes:?}"
            );
            Ok(())
        },
    );

    ctx.case("shuffle_is_seeded", "Shuffled epochs differ from each other, a loader with the same seed replays them exactly, another seed differs, and without shuffle the order is 0..n.", |ctx, _| {
        let ds = indexed(50)?;
        let a = DataLoader::new(ds.clone(), 7)?.shuffle(ctx.seed);
        let b = DataLoader::new(ds.clone(), 7)?.shuffle(ctx.seed);
        let other = DataLoader::new(ds.clone(), 7)?.shuffle(ctx.seed + 1);
        let plain = DataLoader::new(ds, 7)?;
        let (a0, a1) = (labels(&a)?.concat(), labels(&a)?.concat());
        let (b0, b1) = (labels(&b)?.concat(), labels(&b)?.concat());
        check!(a0 != a1, "two shuffled epochs came out in the same order");
        check!(a0 == b0 && a1 == b1, "the same seed did not replay the same epochs");
        check!(labels(&other)?.concat() != a0, "a different seed gave the same order");
        check!(labels(&plain)?.concat() == (0..50).collect::<Vec<_>>(), "unshuffled order is not 0..n");
        Ok(())
    });

    ctx.case(
        "labels_align",
        "Each batch's labels belong to its rows (row i is (i, 2i) with label i).",
        |ctx, _| {
            let dl = DataLoader::new(indexed(64)?, 9)?.shuffle(ctx.seed);
            for batch in dl.epoch() {
                let (x, y) = batch?;
                let (xv, yv) = (x.to_vec(), y.to_vec());
                for (r, &label) in yv.iter().enumerate() {
                    check!(
                        xv[2 * r] == label && xv[2 * r + 1] == 2.0 * label,
                        "row {r} of a batch does not match its label {label}"
                    );
                }
            }
            Ok(())
        },
    );

    ctx.case("training_converges", "1,000 samples of 20 features in 5 classes, 80/20 split, batches of 32 shuffled: an MLP 20-32-5 trained for 8 epochs from the DataLoader reaches ≥ 90% held-out accuracy.", |ctx, c| {
        ctx.reseed(1);
        let (x, y) = blobs(1000, 20, 5, 1.0)?;
        let train = TensorDataset::new(x.try_narrow(0, 0, 800)?, y.try_narrow(0, 0, 800)?)?;
        let test = TensorDataset::new(x.try_narrow(0, 800, 200)?, y.try_narrow(0, 800, 200)?)?;
        check!(train.len() == 800 && test.len() == 200, "split sizes {} / {}", train.len(), test.len());
        let model: Layer = Rc::new(Sequential::new(vec![
            Linear::new(20, 32, true).into_layer(),
            ReLU::new().into_layer(),
            Linear::new(32, 5, true).into_layer(),
        ]));
        ctx.prepare(&*model);
        let (bx, by) = train.get_batch(&(0..16).collect::<Vec<_>>())?;
        ctx.check_layers(c, &*model, &bx, &by, Loss::CrossEntropy)?;
        let train_dl = DataLoader::new(Rc::new(train), 32)?.shuffle(ctx.seed);
        let test_dl = DataLoader::new(Rc::new(test), 64)?;
        let mut t = Trainer::new(model.clone(), Box::new(Adam::new(model.parameters(), 0.01)?), Loss::CrossEntropy);
        for _ in 0..8 {
            let s = t.train_epoch(&train_dl, 1)?;
            c.curve.push(s.loss);
        }
        let held = evaluate(&*model, &test_dl, Loss::CrossEntropy)?;
        c.metrics.insert("test_accuracy".into(), held.accuracy as f64);
        check!(held.accuracy >= 0.9, "held-out accuracy {:.1}% (need ≥ 90%)", held.accuracy * 100.0);
        check!(c.curve.last() < c.curve.first(), "training loss did not fall: {:?}", c.curve);
        c.message = format!("held-out accuracy {:.1}% after 8 epochs", held.accuracy * 100.0);
        Ok(())
    });
    Ok(())
}
