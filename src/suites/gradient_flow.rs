//! `gradient_flow` (modules 01-08): gradients exist, are non-zero, match the numerical ones
//! and flow through every layer; a training run lowers the loss.

use super::ctx::{check, grad_vec, CaseResult, Ctx};
use crate::error::Result;
use crate::gradcheck::numeric_gradient;
use crate::nn::loss::{mse_loss, Loss};
use crate::nn::{call, Layer, Linear, Module, ReLU, Sequential, Sigmoid, Site, Tanh};
use crate::optim::{Optimizer, Sgd};
use crate::tensor::Tensor;
use std::any::Any;

/// Fails unless every parameter of `model` has a gradient with norm above `min_norm`.
pub(crate) fn require_grads(model: &dyn Module, min_norm: f32) -> CaseResult {
    for (name, p) in model.named_parameters() {
        let g = p.grad_array();
        let Some(g) = g.as_ref() else {
            return Err(super::ctx::CaseFail(format!(
                "{name}.grad is missing: the gradient chain is broken"
            )));
        };
        let norm = g.iter().map(|v| v * v).sum::<f32>().sqrt();
        check!(
            norm > min_norm,
            "{name}.grad has norm {norm:e}, not above {min_norm:e}"
        );
    }
    Ok(())
}

/// `inner(tanh(inner(x)))`: one layer, two uses in the same graph.
struct Twice {
    site: Site,
    inner: Linear,
}

impl Module for Twice {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        call(&self.inner, &call(&self.inner, x)?.tanh())
    }
    fn kind(&self) -> &'static str {
        "Twice"
    }
    fn site(&self) -> &Site {
        &self.site
    }
    fn children(&self) -> Vec<(String, &dyn Module)> {
        vec![("inner".into(), &self.inner)]
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn linear_near_identity(n: usize) -> Layer {
    // NOTE: a randomly initialised 5-deep, 4-wide ReLU chain is fully dead (all gradients
    // exactly zero) for about 5% of seeds (measured over 2,000). Starting near the identity
    // keeps every unit alive on the samples where its input is positive, so a correct
    // implementation never fails this case by bad luck; the seed still draws the noise.
    let w = Tensor::from_array(ndarray::Array2::<f32>::eye(n).into_dyn())
        .try_add(&(Tensor::randn(&[n, n]) * 0.1))
        .expect("same shape")
        .requires_grad_(true);
    let b = Tensor::zeros(&[n]).requires_grad_(true);
    Linear::from_parts(w, Some(b))
        .expect("valid parts")
        .into_layer()
}

pub(crate) fn xor_data() -> (Tensor, Tensor) {
    let x = Tensor::from_vec(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], &[4, 2]).expect("4x2");
    let y = Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.0], &[4, 1]).expect("4x1");
    (x, y)
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("linear_gradients", "Linear(2, 1) on x = [[1, 2]] with MSE to 3: W, b and x all get non-zero gradients that match the numerical ones.", |ctx, c| {
        ctx.reseed(1);
        let model = Sequential::new(vec![Linear::new(2, 1, true).into_layer()]);
        ctx.prepare(&model);
        let x = Tensor::from_vec(vec![1.0, 2.0], &[1, 2])?.requires_grad_(true);
        let y = Tensor::full(&[1, 1], 3.0);
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        mse_loss(&call(&model, &x)?, &y)?.backward()?;
        require_grads(&model, 1e-6)?;
        check!(x.grad().is_some(), "x.grad is missing: the input received no gradient");
        Ok(())
    });

    ctx.case("five_linear_relu", "Five Linear(4, 4) → ReLU layers with MSE: every layer's weight and bias gradient exists, is non-zero and matches the numerical gradient.", |ctx, c| {
        ctx.reseed(2);
        let layers: Vec<Layer> = (0..5).flat_map(|_| [linear_near_identity(4), ReLU::new().into_layer()]).collect();
        let model = Sequential::new(layers);
        ctx.prepare(&model);
        let (x, y) = (Tensor::randn(&[16, 4]), Tensor::randn(&[16, 4]));
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        mse_loss(&call(&model, &x)?, &y)?.backward()?;
        require_grads(&model, 1e-10)
    });

    ctx.case("mlp", "Linear(4, 8) → ReLU → Linear(8, 2) with MSE: all four parameters get non-zero, correct gradients.", |ctx, c| {
        ctx.reseed(3);
        let model = Sequential::new(vec![
            Linear::new(4, 8, true).into_layer(),
            ReLU::new().into_layer(),
            Linear::new(8, 2, true).into_layer(),
        ]);
        ctx.prepare(&model);
        let (x, y) = (Tensor::randn(&[3, 4]), Tensor::randn(&[3, 2]));
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        mse_loss(&call(&model, &x)?, &y)?.backward()?;
        require_grads(&model, 1e-6)
    });

    ctx.case("deep_chain", "Twelve Linear(6, 6) → Tanh layers and a Linear(6, 1) head: the gradient survives 25 layers and is right at every one.", |ctx, c| {
        ctx.reseed(4);
        let mut layers: Vec<Layer> = Vec::new();
        for _ in 0..12 {
            layers.push(Linear::new(6, 6, true).into_layer());
            layers.push(Tanh::new().into_layer());
        }
        layers.push(Linear::new(6, 1, true).into_layer());
        let model = Sequential::new(layers);
        ctx.prepare(&model);
        let (x, y) = (Tensor::randn(&[8, 6]), Tensor::randn(&[8, 1]));
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        mse_loss(&call(&model, &x)?, &y)?.backward()?;
        require_grads(&model, 1e-12)
    });

    ctx.case("tensor_reused", "A layer used twice in one graph (y = L(tanh(L(x)))) and x·x: gradients from both uses add up.", |ctx, c| {
        ctx.reseed(5);
        // d(x·x)/dx = 2x: the two uses of x each contribute x.
        let x = Tensor::from_vec(vec![1.5, -2.0, 0.5], &[3])?.requires_grad_(true);
        (&x * &x).sum().backward()?;
        let g = grad_vec(&x, "x")?;
        check!(g == vec![3.0, -4.0, 1.0], "d(x·x)/dx should be 2x = [3, -4, 1], got {g:?}");
        let model = Twice { site: Site::new(), inner: Linear::new(3, 3, true) };
        ctx.prepare(&model);
        let (x, y) = (Tensor::randn(&[4, 3]), Tensor::randn(&[4, 3]));
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)
    });

    ctx.case("batched_matmul", "Batched matmul (2, 3, 4)·(2, 4, 5) and broadcast (2, 3, 4)·(4, 5): both operands' gradients match central differences.", |ctx, c| {
        ctx.reseed(6);
        for b_shape in [vec![2, 4, 5], vec![4, 5]] {
            let a = Tensor::randn(&[2, 3, 4]).requires_grad_(true);
            let b = Tensor::randn(&b_shape).requires_grad_(true);
            let w = Tensor::randn(&[2, 3, 5]);
            let f = |a: &Tensor, b: &Tensor| -> Result<Tensor> { Ok(a.try_matmul(b)?.try_mul(&w)?.sum()) };
            f(&a, &b)?.backward()?;
            let na = numeric_gradient(|t| f(t, &b), &a, 1e-2)?;
            let nb = numeric_gradient(|t| f(&a, t), &b, 1e-2)?;
            let err = |g: Vec<f32>, n: &[f32]| g.iter().zip(n).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
            let (ea, eb) = (err(grad_vec(&a, "a")?, &na), err(grad_vec(&b, "b")?, &nb));
            check!(ea < 1e-2 && eb < 1e-2, "rhs {b_shape:?}: max gradient error {ea:.2e} (lhs), {eb:.2e} (rhs)");
            c.metrics.insert(format!("max_error_rhs_{}d", b_shape.len()), ea.max(eb) as f64);
        }
        let _ = ctx;
        Ok(())
    });

    ctx.case("training_lowers_loss", "XOR with Linear(2, 8) → Tanh → Linear(8, 1) → Sigmoid, MSE, SGD (lr 0.5, momentum 0.9) for 100 epochs: the loss falls by more than half, and the model's gradients check out.", |ctx, c| {
        ctx.reseed(7);
        let model = Sequential::new(vec![
            Linear::new(2, 8, true).into_layer(),
            Tanh::new().into_layer(),
            Linear::new(8, 1, true).into_layer(),
            Sigmoid::new().into_layer(),
        ]);
        ctx.prepare(&model);
        let (x, y) = xor_data();
        ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
        let mut opt = Sgd::new(model.parameters(), 0.5, 0.9, 0.0)?;
        for _ in 0..100 {
            let loss = mse_loss(&call(&model, &x)?, &y)?;
            c.curve.push(loss.item()?);
            opt.zero_grad();
            loss.backward()?;
            opt.step()?;
        }
        let (first, last) = (c.curve[0], *c.curve.last().expect("100 epochs"));
        let drop = 1.0 - last / first;
        c.metrics.insert("loss_drop".into(), drop as f64);
        check!(drop > 0.5, "loss went from {first:.4} to {last:.4} ({:.1}% drop, need > 50%)", drop * 100.0);
        c.message = format!("loss {first:.4} → {last:.4} ({:.0}% lower)", drop * 100.0);
        Ok(())
    });
    Ok(())
}
