//! Unit checks of module 07 (Training): clipGradNorm on known gradients, and trainEpoch run by
//! the lab's Trainer beside the lab's own loop on the same model, data and optimizer.

use super::check::{compare, randn, rng_for, t, Check, Fail, Outcome};
use crate::data::{DataLoader, TensorDataset};
use crate::nn::loss::Loss;
use crate::nn::{Layer, Linear, Sequential, Tanh};
use crate::optim::Sgd;
use crate::slots::{self, Slot, Value};
use crate::tensor::{Array, Tensor};
use crate::train::Trainer;
use std::rc::Rc;

fn clip(grads: &[Array], max: f64) -> Result<(f64, Vec<Array>), Fail> {
    let mut args = [
        Value::List(grads.iter().map(Value::tensor).collect()),
        Value::Num(max),
    ];
    let out = slots::call(Slot::ClipGradNorm, &mut args)?;
    let Value::Num(norm) = out else {
        return Err(Fail::msg(format!(
            "should return the norm (a number), but it returned {}",
            out.describe()
        )));
    };
    let Value::List(back) = &args[0] else {
        unreachable!("the list stays a list")
    };
    let back = back
        .iter()
        .map(|v| match v {
            Value::Tensor(a) => Ok(a.clone()),
            other => Err(Fail::msg(format!("a gradient became {}", other.describe()))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((norm, back))
}

fn expect_clip(grads: &[Array], max: f64, norm: f64, after: &[Array]) -> Outcome {
    let (got, back) = clip(grads, max)?;
    if (got - norm).abs() > 1e-4 * norm.max(1.0) {
        return Err(Fail::msg(format!(
            "returned {got}, expected the norm before clipping, {norm}"
        )));
    }
    for (i, (w, g)) in after.iter().zip(&back).enumerate() {
        compare(
            &format!("gradient {i} after clipping (scaled in place)"),
            w,
            g,
            1e-6,
            1e-5,
        )?;
    }
    Ok(())
}

/// One epoch of a fresh seeded MLP, through the Trainer (the student's trainEpoch when
/// `theirs`, else the lab's loop with every slot suspended): (mean loss, parameters, steps).
fn epoch(
    seed: u64,
    batches: usize,
    accumulation: usize,
    clip_norm: Option<f32>,
    theirs: bool,
) -> crate::error::Result<(f32, Vec<Array>, usize)> {
    // The model and data are the lab's in both runs (built with every slot suspended): only the
    // loop differs.
    let (model, dl) = slots::suspended(|| -> crate::error::Result<(Layer, DataLoader)> {
        let saved = crate::rng::snapshot();
        crate::manual_seed(seed);
        let model: Layer = Rc::new(Sequential::new(vec![
            Linear::new(3, 4, true).into_layer(),
            Tanh::new().into_layer(),
            Linear::new(4, 2, true).into_layer(),
        ]));
        let x = Tensor::randn(&[batches * 2, 3]);
        let y = Tensor::randn(&[batches * 2, 2]) * 3.0;
        crate::rng::restore(saved);
        Ok((
            model,
            DataLoader::new(Rc::new(TensorDataset::new(x, y)?), 2)?,
        ))
    })?;
    let run = || -> crate::error::Result<(f32, Vec<Array>, usize)> {
        let opt = Sgd::new(model.parameters(), 0.1, 0.0, 0.0)?;
        let mut tr = Trainer::new(model.clone(), Box::new(opt), Loss::Mse);
        if let Some(c) = clip_norm {
            tr = tr.with_grad_clip(c);
        }
        let stats = tr.train_epoch(&dl, accumulation)?;
        let params = model
            .parameters()
            .iter()
            .map(|p| p.data().clone())
            .collect();
        Ok((stats.loss, params, tr.step))
    };
    if theirs {
        run()
    } else {
        slots::suspended(run)
    }
}

fn compare_epoch(
    seed: u64,
    batches: usize,
    accumulation: usize,
    clip_norm: Option<f32>,
) -> Outcome {
    let (wl, wp, ws) = epoch(seed, batches, accumulation, clip_norm, false)
        .map_err(|e| Fail::msg(format!("the lab's reference failed: {e}")))?;
    let (gl, gp, gs) = epoch(seed, batches, accumulation, clip_norm, true)?;
    if gs != ws {
        return Err(Fail::msg(format!("your loop took {gs} optimizer steps; with {batches} batches and accumulationSteps {accumulation} it should take {ws}")));
    }
    if (gl - wl).abs() > 1e-4 * wl.abs().max(1.0) {
        return Err(Fail::msg(format!("returned a mean loss of {gl}, expected {wl} (the mean of the batches' losses, unscaled)")));
    }
    for (i, (w, g)) in wp.iter().zip(&gp).enumerate() {
        compare(&format!("parameter {i} after the epoch"), w, g, 1e-5, 1e-4)?;
    }
    Ok(())
}

/// Every check of module 07.
pub(super) fn checks(seed: u64) -> Vec<Check> {
    let mut v = Vec::new();
    v.push(Check::new(Slot::ClipGradNorm, "scales_to_max_norm", "Gradients [3] and [4] (global norm 5) with maxNorm 1: returns 5 and scales them in place to [0.6] and [0.8].", || {
        expect_clip(&[t(&[1], &[3.]), t(&[1], &[4.])], 1.0, 5.0, &[t(&[1], &[0.6]), t(&[1], &[0.8])])
    }));
    v.push(Check::new(
        Slot::ClipGradNorm,
        "below_max_is_unchanged",
        "Gradients [3] and [4] with maxNorm 10: returns 5 and leaves them as they are.",
        || {
            expect_clip(
                &[t(&[1], &[3.]), t(&[1], &[4.])],
                10.0,
                5.0,
                &[t(&[1], &[3.]), t(&[1], &[4.])],
            )
        },
    ));
    let mut rng = rng_for(seed, 90);
    let gs: Vec<Array> = vec![
        randn(&mut rng, &[2, 3], 2.0),
        randn(&mut rng, &[3], 2.0),
        randn(&mut rng, &[4, 1], 2.0),
    ];
    v.push(Check::new(Slot::ClipGradNorm, "one_global_norm", "Three random gradients clipped to a quarter of their global norm: one norm over all of them (not one per tensor), the same factor for each.", move || {
        let norm = gs.iter().flat_map(|g| g.iter()).map(|&x| (x as f64).powi(2)).sum::<f64>().sqrt();
        let after: Vec<Array> = gs.iter().map(|g| g * 0.25).collect();
        expect_clip(&gs, norm / 4.0, norm, &after)
    }));
    let s = seed;
    v.push(Check::new(Slot::TrainEpoch, "plain_epoch", "An MLP 3-4-2 on 4 batches of 2 (MSE, SGD lr 0.1, accumulationSteps 1): your loop's mean loss, step count and final parameters equal the lab's.", move || compare_epoch(s, 4, 1, None)));
    v.push(Check::new(Slot::TrainEpoch, "accumulation_with_a_partial_group", "5 batches with accumulationSteps 2: 3 optimizer steps (the last group has one batch, its loss scaled by 1/1), same parameters as the lab's.", move || compare_epoch(s + 1, 5, 2, None)));
    v.push(Check::new(Slot::TrainEpoch, "clipping_before_each_step", "4 batches with clipNorm 0.1: gradients are clipped (api.clipGradNorm) before every step, same parameters as the lab's.", move || compare_epoch(s + 2, 4, 1, Some(0.1))));
    v
}
