//! `compression_integration` (module 16): at 50% sparsity a pruned digits model keeps
//! training with its pruned weights exactly zero and stays within 2 points; structured
//! pruning really shrinks layers; low-rank factorisation obeys Eckart–Young; a distilled
//! student under half the teacher's size learns from the teacher.

use super::ctx::{check, grad_vec, Ctx};
use crate::compress::{
    distillation_loss, low_rank_linear, magnitude_prune, prune_neurons, sparsity, svd,
    MaskedOptimizer,
};
use crate::data::{digits, DataLoader, TensorDataset};
use crate::error::Result;
use crate::gradcheck::numeric_gradient;
use crate::milestones::digits::digits_mlp;
use crate::nn::loss::Loss;
use crate::nn::{call, Layer, Linear, Module, Sequential};
use crate::optim::{Adam, Optimizer};
use crate::tensor::Tensor;
use crate::train::{evaluate, Trainer};
use std::rc::Rc;

fn weights(m: &dyn Module) -> Vec<Tensor> {
    m.named_parameters()
        .into_iter()
        .filter(|(n, _)| n.ends_with("weight"))
        .map(|(_, t)| t)
        .collect()
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    let data = digits(ctx.seed, 0.2)?;
    let train = DataLoader::new(
        Rc::new(TensorDataset::new(
            data.train_images.clone(),
            data.train_labels.clone(),
        )?),
        32,
    )?
    .shuffle(ctx.seed);
    let test = DataLoader::new(
        Rc::new(TensorDataset::new(
            data.test_images.clone(),
            data.test_labels.clone(),
        )?),
        512,
    )?;
    // Quick mode trains every model a fifth as long (at least 2 epochs); the thresholds stay.
    let quick = ctx.quick;
    let epochs = |n: usize| if quick { (n / 5).max(2) } else { n };
    let fit = |model: &Layer, opt: Box<dyn Optimizer>, epochs: usize| -> Result<Vec<f32>> {
        let mut t = Trainer::new(model.clone(), opt, Loss::CrossEntropy);
        (0..epochs)
            .map(|_| t.train_epoch(&train, 1).map(|s| s.loss))
            .collect()
    };

    ctx.case("magnitude_pruning_keeps_training", "A digits MLP (64-128-10) pruned to 50% of its weights by global magnitude keeps training for 5 epochs with the mask applied: the pruned weights stay exactly zero, sparsity stays 50%, the loss falls, and held-out accuracy is within 2 points of the dense model (90% is reported too).", |ctx, c| {
        ctx.reseed(1);
        let model: Layer = Rc::new(digits_mlp(128));
        ctx.prepare(&*model);
        ctx.check_layers(c, &*model, &data.train_images.try_narrow(0, 0, 8)?, &data.train_labels.try_narrow(0, 0, 8)?, Loss::CrossEntropy)?;
        fit(&model, Box::new(Adam::new(model.parameters(), 0.005)?), epochs(25))?;
        let dense = evaluate(&*model, &test, Loss::CrossEntropy)?.accuracy;
        let saved: Vec<_> = model.parameters().iter().map(|p| p.data().clone()).collect();
        for target in [0.5, 0.9] {
            for (p, d) in model.parameters().iter().zip(&saved) {
                *p.data_mut() = d.clone();
            }
            let masks = magnitude_prune(&weights(&*model), target, true)?;
            let opt = MaskedOptimizer::new(Box::new(Adam::new(model.parameters(), 0.002)?), masks);
            let curve = fit(&model, Box::new(opt), epochs(5))?;
            let acc = evaluate(&*model, &test, Loss::CrossEntropy)?.accuracy;
            let s = sparsity(&weights(&*model));
            c.metrics.insert(format!("accuracy_at_{}", (target * 100.0) as u32), acc as f64);
            c.metrics.insert(format!("sparsity_at_{}", (target * 100.0) as u32), s);
            if target == 0.5 {
                c.curve = curve.clone();
                check!((s - 0.5).abs() < 1e-3, "weight sparsity is {s} after training with the mask, expected 0.5");
                check!(curve.last() < curve.first(), "the pruned model did not keep training: {curve:?}");
                check!(dense - acc <= 0.02, "50%-pruned accuracy {:.2}% vs dense {:.2}%", acc * 100.0, dense * 100.0);
            }
        }
        c.metrics.insert("dense_accuracy".into(), dense as f64);
        c.message = format!("dense {:.2}%, 50% sparse {:.2}%, 90% sparse {:.2}%", dense * 100.0, c.metrics["accuracy_at_50"] * 100.0, c.metrics["accuracy_at_90"] * 100.0);
        Ok(())
    });

    ctx.case("per_layer_pruning", "Per-layer magnitude pruning to 50% leaves each weight matrix exactly half zeros and never prunes a bias.", |ctx, _| {
        ctx.reseed(2);
        let m = digits_mlp(32);
        let w = weights(&m);
        magnitude_prune(&w, 0.5, false)?;
        for t in &w {
            let s = sparsity(std::slice::from_ref(t));
            check!((s - 0.5).abs() <= 0.5 / t.numel() as f64, "a layer is {s} sparse");
        }
        check!(m.named_parameters().iter().filter(|(n, _)| n.ends_with("bias")).all(|(_, b)| sparsity(std::slice::from_ref(b)) == 1.0), "biases were changed");
        Ok(())
    });

    ctx.case("structured_pruning_shrinks", "Removing half the hidden neurons of a 64-32-10 MLP leaves a 64-16-10 MLP (fewer parameters) whose outputs equal the original's with those neurons silenced.", |ctx, c| {
        ctx.reseed(3);
        let m = digits_mlp(32);
        let small = prune_neurons(&m, 1, 16)?;
        check!(small.num_parameters() == 64 * 16 + 16 + 16 * 10 + 10, "pruned model has {} parameters", small.num_parameters());
        // Silence the dropped neurons in the original: zero their incoming weights and bias.
        let kept_w = small.layers()[1].parameters()[0].to_vec();
        let w = m.layers()[1].parameters()[0].clone();
        let wv = w.to_vec();
        let kept: Vec<usize> = (0..32).filter(|&j| (0..64).all(|i| kept_w.chunks(16).nth(i).is_some_and(|row| row.contains(&wv[i * 32 + j])))).collect();
        check!(kept.len() == 16, "could not identify the kept neurons");
        let mut silenced = wv.clone();
        let b = m.layers()[1].parameters()[1].clone();
        let mut bv = b.to_vec();
        for j in (0..32).filter(|j| !kept.contains(j)) {
            (0..64).for_each(|i| silenced[i * 32 + j] = 0.0);
            bv[j] = 0.0;
        }
        w.set_data(Tensor::from_vec(silenced, &[64, 32])?.data().clone())?;
        b.set_data(Tensor::from_vec(bv, &[32])?.data().clone())?;
        let x = data.test_images.try_narrow(0, 0, 16)?;
        let (a, s) = (crate::no_grad(|| m.forward(&x))?.to_vec(), crate::no_grad(|| small.forward(&x))?.to_vec());
        let diff = a.iter().zip(&s).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
        c.metrics.insert("max_output_difference".into(), diff as f64);
        check!(diff < 1e-5, "shrunk model differs from the silenced one by {diff:e}");
        Ok(())
    });

    ctx.case("low_rank_factorisation", "A random Linear(40, 24) factored at rank 8 into Linear(40, 8) → Linear(8, 24): fewer parameters, and ‖W − W₈‖²_F equals the sum of the dropped σ² (Eckart–Young) within 1e-4; at full rank the product reproduces W within 1e-5.", |ctx, c| {
        ctx.reseed(4);
        let lin = Linear::new(40, 24, true);
        let w = lin.weight().to_vec();
        let (_, s, _) = svd(&w, 40, 24);
        let product = |m: &Sequential| -> Result<Vec<f32>> {
            let a = m.layers()[0].parameters()[0].clone();
            let b = m.layers()[1].parameters()[0].clone();
            Ok(a.try_matmul(&b)?.to_vec())
        };
        let r8 = low_rank_linear(&lin, 8)?;
        let err: f64 = product(&r8)?.iter().zip(&w).map(|(p, q)| ((p - q) as f64).powi(2)).sum();
        let dropped: f64 = s[8..].iter().map(|v| v * v).sum();
        c.metrics.insert("frobenius_error_sq".into(), err);
        c.metrics.insert("dropped_sigma_sq".into(), dropped);
        check!((err - dropped).abs() <= 1e-4 * dropped.max(1e-12), "‖W − W₈‖² = {err}, Σ dropped σ² = {dropped}");
        check!(r8.num_parameters() < lin.num_parameters(), "rank 8 has {} parameters vs {}", r8.num_parameters(), lin.num_parameters());
        let full = low_rank_linear(&lin, 24)?;
        let e2 = product(&full)?.iter().zip(&w).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
        check!(e2 < 1e-5, "full-rank reconstruction off by {e2:e}");
        Ok(())
    });

    ctx.case("distillation_teaches_a_small_student", "A teacher MLP (64-128-10) teaches a student under half its size (64-32-10) with α·T²·KL + (1−α)·CE (T = 3, α = 0.7): the loss's gradient matches the numerical one, and the student reaches ≥ 90% held-out accuracy.", |ctx, c| {
        ctx.reseed(5);
        let teacher: Layer = Rc::new(digits_mlp(128));
        fit(&teacher, Box::new(Adam::new(teacher.parameters(), 0.005)?), epochs(20))?;
        teacher.eval();
        let student = Rc::new(digits_mlp(32));
        ctx.prepare(&*student);
        check!(student.num_parameters() * 2 < teacher.num_parameters(), "student {} is not under half of {}", student.num_parameters(), teacher.num_parameters());
        // The distillation loss's gradient, checked numerically on some student logits.
        let (s, t) = (Tensor::randn(&[4, 10]).requires_grad_(true), Tensor::randn(&[4, 10]));
        let y = Tensor::from_vec(vec![1., 7., 3., 0.], &[4])?;
        distillation_loss(&s, &t, &y, 3.0, 0.7)?.backward()?;
        let num = numeric_gradient(|z| distillation_loss(z, &t, &y, 3.0, 0.7), &s, 1e-2)?;
        let err = grad_vec(&s, "s")?.iter().zip(&num).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        check!(err < 1e-3, "distillation gradient differs from the numerical one by {err:e}");
        let mut opt = Adam::new(student.parameters(), 0.005)?;
        for _ in 0..epochs(20) {
            for batch in train.epoch() {
                let (x, yb) = batch?;
                let tl = crate::no_grad(|| call(&*teacher, &x))?;
                let loss = distillation_loss(&call(&*student, &x)?, &tl, &yb, 3.0, 0.7)?;
                c.curve.push(loss.item()?);
                opt.zero_grad();
                loss.backward()?;
                opt.step()?;
            }
        }
        let (ta, sa) = (evaluate(&*teacher, &test, Loss::CrossEntropy)?.accuracy, evaluate(&*student, &test, Loss::CrossEntropy)?.accuracy);
        c.metrics.insert("teacher_accuracy".into(), ta as f64);
        c.metrics.insert("student_accuracy".into(), sa as f64);
        c.metrics.insert("teacher_params".into(), teacher.num_parameters() as f64);
        c.metrics.insert("student_params".into(), student.num_parameters() as f64);
        check!(sa >= 0.9, "student reached {:.2}% (teacher {:.2}%)", sa * 100.0, ta * 100.0);
        c.message = format!("teacher {:.2}% ({} params) → student {:.2}% ({} params)", ta * 100.0, teacher.num_parameters(), sa * 100.0, student.num_parameters());
        Ok(())
    });
    Ok(())
}
