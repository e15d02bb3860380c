//! Scenario `xor` (milestone 02): the problem a single layer cannot solve, learned to 100%.

use super::ctx::{check, Ctx};
use super::gradient_flow::xor_data;
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::{call, Linear, Module, Sequential, Sigmoid, Tanh};
use crate::optim::{Optimizer, Sgd};

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("xor_learns", "Linear(2, 8) → Tanh → Linear(8, 1) → Sigmoid with BCE and SGD (lr 0.5, momentum 0.9) for 500 epochs classifies all four XOR points correctly.", |ctx, c| {
        ctx.reseed(1);
        let model = Sequential::new(vec![
            Linear::new(2, 8, true).into_layer(),
            Tanh::new().into_layer(),
            Linear::new(8, 1, true).into_layer(),
            Sigmoid::new().into_layer(),
        ]);
        ctx.prepare(&model);
        let (x, y) = xor_data();
        ctx.check_layers(c, &model, &x, &y, Loss::Bce)?;
        let mut opt = Sgd::new(model.parameters(), 0.5, 0.9, 0.0)?;
        for _ in 0..500 {
            let loss = Loss::Bce.compute(&call(&model, &x)?, &y)?;
            c.curve.push(loss.item()?);
            opt.zero_grad();
            loss.backward()?;
            opt.step()?;
        }
        let out = crate::no_grad(|| call(&model, &x))?;
        let correct = Loss::Bce.correct(&out, &y)?;
        c.metrics.insert("accuracy".into(), correct as f64 / 4.0);
        c.metrics.insert("final_loss".into(), *c.curve.last().expect("epochs") as f64);
        check!(correct == 4, "{correct}/4 XOR points right after 500 epochs (outputs {:?})", out.to_vec());
        c.message = format!("4/4 correct, final loss {:.4}", c.curve.last().expect("epochs"));
        Ok(())
    });
    Ok(())
}
