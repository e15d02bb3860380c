//! `training_flow` (modules 05-07): the loss falls, accumulation equals a big batch,
//! zero_grad clears, every optimizer moves against the gradient, and the schedule, clipping
//! and checkpoints do what they say.

use super::ctx::{check, CaseFail, Ctx};
use super::gradient_flow::xor_data;
use crate::data::{DataLoader, TensorDataset};
use crate::error::Result;
use crate::nn::loss::{mse_loss, Loss};
use crate::nn::{call, Layer, Linear, Module, ReLU, Sequential, Tanh};
use crate::optim::{Adam, Optimizer, Sgd};
use crate::tensor::{Array, Tensor};
use crate::train::{clip_grad_norm, CosineSchedule, Trainer};
use std::rc::Rc;

fn mlp(sizes: &[usize]) -> Sequential {
    let mut layers: Vec<Layer> = Vec::new();
    for (i, w) in sizes.windows(2).enumerate() {
        layers.push(Linear::new(w[0], w[1], true).into_layer());
        if i + 2 < sizes.len() {
            layers.push(Tanh::new().into_layer());
        }
    }
    Sequential::new(layers)
}

fn grads(model: &dyn Module) -> std::result::Result<Vec<Array>, CaseFail> {
    model
        .parameters()
        .iter()
        .map(|p| {
            p.grad_array()
                .clone()
                .ok_or_else(|| CaseFail("a parameter has no gradient".into()))
        })
        .collect()
}

fn max_diff(a: &[Array], b: &[Array]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y.iter()).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f32::max)
}

/// Trains a fresh trainer for `epochs` and returns the per-epoch losses.
fn run_epochs(t: &mut Trainer, dl: &DataLoader, epochs: usize) -> Result<Vec<f32>> {
    (0..epochs)
        .map(|_| t.train_epoch(dl, 1).map(|s| s.loss))
        .collect()
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("loss_falls", "An MLP 2-8-1 (Tanh) fitting XOR with MSE and Adam (lr 0.05, 300 epochs): the loss falls by at least 90%.", |ctx, c| {
        ctx.reseed(1);
        let model = Sequential::new(vec![
            Linear::new(2, 8, true).into_layer(),
            Tanh::new().into_layer(),
            Linear::new(8, 1, true).into_layer(),
        ]);
        ctx.prepare(&model);
        let (x, y) = xor_data();
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        let mut opt = Adam::new(model.parameters(), 0.05)?;
        for _ in 0..300 {
            let loss = mse_loss(&call(&model, &x)?, &y)?;
            c.curve.push(loss.item()?);
            opt.zero_grad();
            loss.backward()?;
            opt.step()?;
        }
        let (first, last) = (c.curve[0], *c.curve.last().expect("epochs ran"));
        let drop = 1.0 - last / first;
        c.metrics.insert("loss_drop".into(), drop as f64);
        check!(drop >= 0.9, "loss fell only {:.1}% ({first:.4} → {last:.4}); expected ≥ 90%", drop * 100.0);
        c.message = format!("loss {first:.4} → {last:.5} ({:.1}% lower)", drop * 100.0);
        Ok(())
    });

    ctx.case("accumulation_equals_big_batch", "Accumulating gradients over 4 batches of 8 (Trainer, accumulation_steps = 4) gives the same update as one batch of 32.", |ctx, c| {
        ctx.reseed(2);
        let (x, y) = (Tensor::randn(&[32, 3]), Tensor::randn(&[32, 2]));
        let a = mlp(&[3, 5, 2]);
        let b = mlp(&[3, 5, 2]);
        for (p, q) in a.parameters().iter().zip(b.parameters()) {
            q.set_data(p.data().clone())?;
        }
        ctx.prepare(&a);
        ctx.prepare(&b);
        ctx.check_layers(c, &a, &x, &y, Loss::Mse)?;
        let ds = Rc::new(TensorDataset::new(x.clone(), y.clone())?);
        let small = DataLoader::new(ds.clone(), 8)?;
        let big = DataLoader::new(ds, 32)?;
        let (la, lb): (Layer, Layer) = (Rc::new(a), Rc::new(b));
        let mut ta = Trainer::new(la.clone(), Box::new(Sgd::new(la.parameters(), 0.1, 0.0, 0.0)?), Loss::Mse);
        let mut tb = Trainer::new(lb.clone(), Box::new(Sgd::new(lb.parameters(), 0.1, 0.0, 0.0)?), Loss::Mse);
        ta.train_epoch(&small, 4)?;
        tb.train_epoch(&big, 1)?;
        check!(ta.step == 1 && tb.step == 1, "expected one optimizer step each, got {} and {}", ta.step, tb.step);
        let pa: Vec<Array> = la.parameters().iter().map(|p| p.data().clone()).collect();
        let pb: Vec<Array> = lb.parameters().iter().map(|p| p.data().clone()).collect();
        let d = max_diff(&pa, &pb);
        c.metrics.insert("max_param_difference".into(), d as f64);
        check!(d < 1e-5, "parameters differ by up to {d:e} after one accumulated vs one big step");
        Ok(())
    });

    ctx.case("zero_grad_works", "Two backward passes without zero_grad double the gradient; after zero_grad the gradient is gone and the next pass gives the single-pass gradient again.", |ctx, c| {
        ctx.reseed(3);
        let model = mlp(&[2, 4, 1]);
        ctx.prepare(&model);
        let (x, y) = (Tensor::randn(&[6, 2]), Tensor::randn(&[6, 1]));
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        let pass = || -> Result<()> { mse_loss(&call(&model, &x)?, &y)?.backward() };
        pass()?;
        let once = grads(&model)?;
        pass()?;
        let twice = grads(&model)?;
        let doubled: Vec<Array> = once.iter().map(|g| g * 2.0).collect();
        check!(max_diff(&twice, &doubled) < 1e-6, "gradients did not accumulate: two passes should give twice one pass");
        model.zero_grad();
        check!(model.parameters().iter().all(|p| p.grad_array().is_none()), "zero_grad left a gradient behind");
        pass()?;
        check!(max_diff(&grads(&model)?, &once) < 1e-7, "after zero_grad the gradient differs from a single pass");
        Ok(())
    });

    ctx.case("batch_is_mean", "The same sample repeated 4 times gives exactly the gradient of the single sample (losses are means).", |ctx, c| {
        ctx.reseed(4);
        let model = mlp(&[3, 4, 2]);
        ctx.prepare(&model);
        let (x1, y1) = (Tensor::randn(&[1, 3]), Tensor::randn(&[1, 2]));
        let x4 = Tensor::try_cat(&[x1.clone(), x1.clone(), x1.clone(), x1.clone()], 0)?;
        let y4 = Tensor::try_cat(&[y1.clone(), y1.clone(), y1.clone(), y1.clone()], 0)?;
        ctx.check_layers(c, &model, &x4, &y4, Loss::Mse)?;
        mse_loss(&call(&model, &x1)?, &y1)?.backward()?;
        let single = grads(&model)?;
        model.zero_grad();
        mse_loss(&call(&model, &x4)?, &y4)?.backward()?;
        let d = max_diff(&grads(&model)?, &single);
        c.metrics.insert("max_difference".into(), d as f64);
        check!(d < 1e-6, "batch-of-4 gradient differs from the single-sample one by {d:e}");
        Ok(())
    });

    ctx.case("optimizers_move_against_gradient", "SGD, SGD with momentum, Adam and AdamW each change every parameter, and the first step goes against the gradient (Δθ·g < 0).", |ctx, c| {
        for (i, kind) in ["sgd", "sgd_momentum", "adam", "adamw"].into_iter().enumerate() {
            ctx.reseed(10 + i as u64);
            let model = mlp(&[3, 4, 2]);
            ctx.prepare(&model);
            let (x, y) = (Tensor::randn(&[5, 3]), Tensor::randn(&[5, 2]));
            if i == 0 {
                ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
            }
            let params = model.parameters();
            let mut opt: Box<dyn Optimizer> = match kind {
                "sgd" => Box::new(Sgd::new(params.clone(), 0.05, 0.0, 0.0)?),
                "sgd_momentum" => Box::new(Sgd::new(params.clone(), 0.05, 0.9, 1e-4)?),
                "adam" => Box::new(Adam::new(params.clone(), 0.01)?),
                _ => Box::new(Adam::adamw(params.clone(), 0.01, 0.01)?),
            };
            mse_loss(&call(&model, &x)?, &y)?.backward()?;
            let before: Vec<Array> = params.iter().map(|p| p.data().clone()).collect();
            let g = grads(&model)?;
            opt.step()?;
            for (j, (p, (b, g))) in params.iter().zip(before.iter().zip(&g)).enumerate() {
                let delta = &*p.data() - b;
                check!(delta.iter().all(|&d| d != 0.0) || g.iter().any(|&v| v == 0.0),
                    "{kind}: parameter {j} did not change everywhere");
                let dot: f32 = delta.iter().zip(g.iter()).map(|(d, g)| d * g).sum();
                check!(dot < 0.0, "{kind}: parameter {j} moved along the gradient (Δθ·g = {dot:e})");
            }
        }
        Ok(())
    });

    ctx.case("cosine_schedule", "CosineSchedule(0.1, 0.01, 100) gives 0.1, 0.055 and 0.01 at epochs 0, 50 and 100, and the Trainer applies it every epoch.", |ctx, c| {
        ctx.reseed(5);
        let s = CosineSchedule::new(0.1, 0.01, 100)?;
        for (e, want) in [(0, 0.1f32), (50, 0.055), (100, 0.01), (150, 0.01)] {
            check!((s.lr(e) - want).abs() < 1e-6, "lr({e}) = {}, expected {want}", s.lr(e));
        }
        let model: Layer = Rc::new(mlp(&[2, 3, 1]));
        ctx.prepare(&*model);
        let (x, y) = (Tensor::randn(&[8, 2]), Tensor::randn(&[8, 1]));
        ctx.check_layers(c, &*model, &x, &y, Loss::Mse)?;
        let dl = DataLoader::new(Rc::new(TensorDataset::new(x, y)?), 4)?;
        let sched = CosineSchedule::new(0.1, 0.01, 4)?;
        let opt = Sgd::new(model.parameters(), 1.0, 0.0, 0.0)?;
        let mut t = Trainer::new(model, Box::new(opt), Loss::Mse).with_scheduler(sched);
        run_epochs(&mut t, &dl, 5)?;
        let want: Vec<f32> = (0..5).map(|e| sched.lr(e)).collect();
        check!(t.history.learning_rates == want, "trainer used {:?}, schedule says {want:?}", t.history.learning_rates);
        c.curve = t.history.learning_rates.clone();
        Ok(())
    });

    ctx.case("clip_grad_norm", "clip_grad_norm returns the norm before clipping, leaves the global norm at max_norm and keeps the direction.", |ctx, c| {
        ctx.reseed(6);
        let model = mlp(&[4, 6, 3]);
        ctx.prepare(&model);
        let (x, y) = (Tensor::randn(&[5, 4]), Tensor::randn(&[5, 3]) * 10.0);
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        mse_loss(&call(&model, &x)?, &y)?.backward()?;
        let before = grads(&model)?;
        let norm = |gs: &[Array]| gs.iter().flat_map(|g| g.iter()).map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt() as f32;
        let n0 = norm(&before);
        let max = n0 / 4.0;
        let reported = clip_grad_norm(&model.parameters(), max)?;
        let after = grads(&model)?;
        check!((reported - n0).abs() <= 1e-4 * n0, "returned {reported}, the norm before clipping was {n0}");
        check!((norm(&after) - max).abs() <= 1e-4 * max, "norm after clipping is {}, expected {max}", norm(&after));
        let scaled: Vec<Array> = before.iter().map(|g| g * 0.25).collect();
        check!(max_diff(&after, &scaled) <= 1e-5 * n0, "clipping changed the gradient's direction");
        Ok(())
    });

    ctx.case("checkpoint_resume", "Train 3 epochs, save a checkpoint, train 3 more; a fresh model loaded from the checkpoint trains the same 3 epochs to bit-identical losses and weights (dropout, shuffling and Adam state included).", |ctx, c| {
        ctx.reseed(7);
        let build = || -> Result<Layer> {
            Ok(Rc::new(Sequential::new(vec![
                Linear::new(4, 16, true).into_layer(),
                ReLU::new().into_layer(),
                crate::nn::Dropout::new(0.2)?.into_layer(),
                Linear::new(16, 3, true).into_layer(),
            ])))
        };
        let model = build()?;
        ctx.prepare(&*model);
        let (x, y) = (Tensor::randn(&[40, 4]), Tensor::randn(&[40, 3]));
        model.eval();
        ctx.check_layers(c, &*model, &x, &y, Loss::Mse)?;
        model.train();
        let dl = DataLoader::new(Rc::new(TensorDataset::new(x, y)?), 8)?.shuffle(99);
        let mut t = Trainer::new(model.clone(), Box::new(Adam::new(model.parameters(), 0.01)?), Loss::Mse)
            .with_scheduler(CosineSchedule::new(0.01, 0.001, 6)?);
        run_epochs(&mut t, &dl, 3)?;
        let bytes = t.save_checkpoint(Some(&dl));
        let first = run_epochs(&mut t, &dl, 3)?;
        let final_a: Vec<Vec<f32>> = model.parameters().iter().map(|p| p.to_vec()).collect();
        crate::manual_seed(12345); // disturb the global RNG: the checkpoint must restore it
        let fresh = build()?;
        ctx.prepare(&*fresh);
        let mut t2 = Trainer::new(fresh.clone(), Box::new(Adam::new(fresh.parameters(), 0.5)?), Loss::Mse);
        t2.load_checkpoint(&bytes, Some(&dl))?;
        let second = run_epochs(&mut t2, &dl, 3)?;
        let final_b: Vec<Vec<f32>> = fresh.parameters().iter().map(|p| p.to_vec()).collect();
        c.curve = t2.history.train_loss.clone();
        c.metrics.insert("checkpoint_bytes".into(), bytes.len() as f64);
        let same = first.iter().zip(&second).all(|(a, b)| a.to_bits() == b.to_bits());
        check!(same, "losses after resuming differ: {first:?} vs {second:?}");
        check!(final_a == final_b, "weights after resuming are not bit-identical");
        c.message = format!("resumed bit-identically from a {}-byte checkpoint", bytes.len());
        Ok(())
    });
    Ok(())
}
