//! `cnn_integration` (module 09 with 01-08): gradients reach every conv, pool, norm and linear
//! parameter through Flatten and match the numerical ones; convolution is a cross-correlation;
//! max-pool routes gradient only to maxima; BatchNorm's train/eval behaviour; shapes, parameter
//! counts; and training lowers the loss.

use super::ctx::{check, check_values, grad_vec, Ctx};
use super::gradient_flow::require_grads;
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::{
    call, AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential,
};
use crate::optim::{Adam, Optimizer};
use crate::tensor::Tensor;

/// The conv net every gradient and fault check runs on: stride, padding, norm, both pools.
/// The first conv has no bias: BatchNorm removes any per-channel shift, so a bias there gets
/// an exactly-zero gradient by mathematics. Layer indices: 0 Conv2d, 1 BatchNorm2d, 2 ReLU, 3 MaxPool2d, 4 Conv2d(stride 2),
/// 5 ReLU, 6 AvgPool2d, 7 Flatten, 8 Linear.
pub(crate) fn check_net() -> Result<Sequential> {
    Ok(Sequential::new(vec![
        Conv2d::new(2, 4, 3, 1, 1, false)?.into_layer(),
        BatchNorm2d::new(4, 1e-5, 0.1)?.into_layer(),
        ReLU::new().into_layer(),
        MaxPool2d::new(2, None, 0)?.into_layer(),
        Conv2d::new(4, 6, 3, 2, 1, true)?.into_layer(),
        ReLU::new().into_layer(),
        AvgPool2d::new(2, None, 0)?.into_layer(),
        Flatten::new().into_layer(),
        Linear::new(6, 3, true).into_layer(),
    ]))
}

/// Eight 8×8 images of a bar: vertical bars are class 0, horizontal ones class 1.
fn bars() -> Result<(Tensor, Tensor)> {
    let mut x = vec![0.0f32; 8 * 64];
    let mut y = vec![0.0f32; 8];
    for i in 0..8 {
        let (pos, vertical) = (1 + (i % 4) * 2, i < 4);
        for t in 0..8 {
            let (r, c) = if vertical { (t, pos) } else { (pos, t) };
            x[i * 64 + r * 8 + c] = 1.0;
        }
        y[i] = if vertical { 0.0 } else { 1.0 };
    }
    Ok((
        Tensor::from_vec(x, &[8, 1, 8, 8])?,
        Tensor::from_vec(y, &[8])?,
    ))
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("gradients_reach_every_layer", "A conv net (Conv2d with padding, no bias → BatchNorm2d → ReLU → MaxPool2d → Conv2d with stride 2 and padding → ReLU → AvgPool2d → Flatten → Linear) on (4, 2, 10, 10): every parameter gets a non-zero gradient through Flatten, and every layer's gradient matches the numerical one.", |ctx, c| {
        ctx.reseed(1);
        let model = check_net()?;
        ctx.prepare(&model);
        let x = Tensor::randn(&[4, 2, 10, 10]);
        let y = Tensor::from_vec(vec![0.0, 1.0, 2.0, 1.0], &[4])?;
        ctx.check_layers(c, &model, &x, &y, Loss::CrossEntropy)?;
        Loss::CrossEntropy.compute(&call(&model, &x)?, &y)?.backward()?;
        require_grads(&model, 1e-8)
    });

    ctx.case("cross_correlation_orientation", "A 4×4 image dark on the left and bright on the right, through the vertical-edge kernel [−1, 0, 1] (three rows, no bias), gives 3.0 at the top-left output: the kernel is not flipped.", |_, c| {
        let x: Vec<f32> = (0..16).map(|i| if i % 4 >= 2 { 1.0 } else { 0.0 }).collect();
        let x = Tensor::from_vec(x, &[1, 1, 4, 4])?;
        let w = Tensor::from_vec(vec![-1.0, 0.0, 1.0, -1.0, 0.0, 1.0, -1.0, 0.0, 1.0], &[1, 1, 3, 3])?;
        let out = x.try_conv2d(&w, None, 1, 0)?;
        check_values(c, "the edge response", &Tensor::full(&[1, 1, 2, 2], 3.0), &out, 0.0)?;
        c.metrics.insert("edge_response".into(), out.to_vec()[0] as f64);
        Ok(())
    });

    ctx.case("max_pool_routes_to_maxima", "MaxPool2d(2) on the reference 4×4 grid gives [[5, 6], [8, 9]]; its gradient is 1 exactly at those maxima and 0 elsewhere; ties go to the first maximum; negatives pool to [[−1, 6], [2, 3]].", |_, c| {
        let x = Tensor::from_vec(vec![1., 3., 2., 4., 5., 2., 6., 1., 2., 8., 1., 3., 7., 1., 9., 2.], &[1, 1, 4, 4])?.requires_grad_(true);
        let y = x.try_max_pool2d(2, 2, 0)?;
        check_values(c, "the pooled values", &Tensor::from_vec(vec![5., 6., 8., 9.], &[1, 1, 2, 2])?, &y, 0.0)?;
        y.sum().backward()?;
        let g = x.grad().ok_or_else(|| super::ctx::CaseFail("x.grad is missing: the chain is broken".into()))?;
        let want = Tensor::from_vec(vec![0., 0., 0., 0., 1., 0., 1., 0., 0., 1., 0., 0., 0., 0., 1., 0.], &[1, 1, 4, 4])?;
        check_values(c, "the max-pool gradient (ones only at the maxima)", &want, &g, 0.0)?;
        let tie = Tensor::from_vec(vec![7., 7., 7., 7.], &[1, 1, 2, 2])?.requires_grad_(true);
        tie.try_max_pool2d(2, 2, 0)?.sum().backward()?;
        check!(grad_vec(&tie, "tie")? == vec![1., 0., 0., 0.], "a tie must send the gradient to the first maximum");
        let neg = Tensor::from_vec(vec![-1., -2., 5., 6., -3., -4., -1., 2., 1., 2., 3., -5., -1., 0., 1., 2.], &[1, 1, 4, 4])?;
        let pooled = neg.try_max_pool2d(2, 2, 0)?.to_vec();
        check!(pooled == vec![-1., 6., 2., 3.], "negatives pooled to {pooled:?}");
        Ok(())
    });

    ctx.case("avg_pool_averages", "AvgPool2d(2) on [[1,3,2,4],[5,7,6,8],[2,4,1,3],[6,8,5,7]] gives [[4, 5], [5, 4]], and its gradient spreads 1/4 to every input.", |_, c| {
        let x = Tensor::from_vec(vec![1., 3., 2., 4., 5., 7., 6., 8., 2., 4., 1., 3., 6., 8., 5., 7.], &[1, 1, 4, 4])?.requires_grad_(true);
        let y = x.try_avg_pool2d(2, 2, 0)?;
        check_values(c, "the averaged values", &Tensor::from_vec(vec![4., 5., 5., 4.], &[1, 1, 2, 2])?, &y, 0.0)?;
        y.sum().backward()?;
        check!(grad_vec(&x, "x")? == vec![0.25; 16], "avg-pool gradient is not 1/4 everywhere");
        Ok(())
    });

    ctx.case("batch_norm_train_eval", "BatchNorm2d in training normalises each channel to mean 0 and variance 1 and moves the running statistics by momentum; in evaluation it uses (and keeps) the running statistics.", |ctx, c| {
        ctx.reseed(2);
        let bn = BatchNorm2d::new(3, 1e-5, 0.1)?;
        ctx.prepare(&bn);
        let x = (Tensor::randn(&[6, 3, 4, 4]) * 2.0).add_scalar(5.0);
        let y = call(&bn, &x)?;
        let mean = y.try_mean_axes(&[0, 2, 3], false)?.to_vec();
        let centred = y.try_sub(&y.try_mean_axes(&[0, 2, 3], true)?)?;
        let var = (&centred * &centred).try_mean_axes(&[0, 2, 3], false)?.to_vec();
        check!(mean.iter().all(|m| m.abs() < 1e-4), "training-mode channel means {mean:?}");
        check!(var.iter().all(|v| (v - 1.0).abs() < 1e-3), "training-mode channel variances {var:?}");
        let bm = x.try_mean_axes(&[0, 2, 3], false)?.to_vec();
        let rm = bn.running_mean().to_vec();
        check!(rm.iter().zip(&bm).all(|(r, b)| (r - 0.1 * b).abs() < 1e-4), "running mean {rm:?} should be 0.1 × batch mean {bm:?}");
        bn.eval();
        let (rm, rv) = (bn.running_mean().to_vec(), bn.running_var().to_vec());
        let ye = call(&bn, &x)?.to_vec();
        let xs = x.to_vec();
        for (i, (&out, &inp)) in ye.iter().zip(&xs).enumerate() {
            let ch = (i / 16) % 3;
            let want = (inp - rm[ch]) / (rv[ch] + 1e-5).sqrt();
            check!((out - want).abs() < 1e-4, "eval output {out} at {i}, expected {want} from running statistics");
        }
        check!(bn.running_mean().to_vec() == rm, "evaluation mode changed the running statistics");
        let target = Tensor::randn(&[6, 3, 4, 4]);
        ctx.check_layers(c, &bn, &x, &target, Loss::Mse)?;
        bn.train();
        ctx.check_layers(c, &bn, &x, &target, Loss::Mse)
    });

    ctx.case("shapes_and_parameter_counts", "Output sizes follow (H + 2p − k)/s + 1 for convs and pools (the reference's table), and Conv2d(3, 16, 3) has 432 + 16 = 448 parameters.", |_, _| {
        for (cin, cout, k, s, p, input, want) in [
            (3, 16, 3, 1, 0, [1, 3, 8, 8], [1, 16, 6, 6]),
            (3, 32, 5, 1, 0, [2, 3, 10, 10], [2, 32, 6, 6]),
            (16, 32, 3, 1, 0, [1, 16, 16, 16], [1, 32, 14, 14]),
            (1, 8, 3, 2, 1, [4, 1, 28, 28], [4, 8, 14, 14]),
        ] {
            let conv = Conv2d::new(cin, cout, k, s, p, true)?;
            let got = conv.forward(&Tensor::zeros(&input))?.shape();
            check!(got == want, "Conv2d({cin}, {cout}, k={k}, s={s}, p={p}) on {input:?} gave {got:?}, expected {want:?}");
        }
        let conv = Conv2d::new(3, 16, 3, 1, 0, true)?;
        check!(conv.weight().numel() == 432 && conv.num_parameters() == 448, "Conv2d(3, 16, 3) has {} parameters", conv.num_parameters());
        for (k, input, want) in [(2, [1, 3, 8, 8], [1, 3, 4, 4]), (2, [2, 16, 16, 16], [2, 16, 8, 8]), (4, [1, 32, 32, 32], [1, 32, 8, 8])] {
            for got in [MaxPool2d::new(k, None, 0)?.forward(&Tensor::zeros(&input))?.shape(), AvgPool2d::new(k, None, 0)?.forward(&Tensor::zeros(&input))?.shape()] {
                check!(got == want, "pool k={k} on {input:?} gave {got:?}, expected {want:?}");
            }
        }
        Ok(())
    });

    ctx.case("training_lowers_loss", "A Conv2d(1, 4, 3, p=1) → ReLU → MaxPool2d(2) → Flatten → Linear(64, 2) net learns vertical vs horizontal bars (Adam, 40 steps): the loss falls by at least 90% and all 8 images are right.", |ctx, c| {
        ctx.reseed(3);
        let model = Sequential::new(vec![
            Conv2d::new(1, 4, 3, 1, 1, true)?.into_layer(),
            ReLU::new().into_layer(),
            MaxPool2d::new(2, None, 0)?.into_layer(),
            Flatten::new().into_layer(),
            Linear::new(64, 2, true).into_layer(),
        ]);
        ctx.prepare(&model);
        let (x, y) = bars()?;
        ctx.check_layers(c, &model, &x, &y, Loss::CrossEntropy)?;
        let mut opt = Adam::new(model.parameters(), 0.02)?;
        for _ in 0..40 {
            let loss = Loss::CrossEntropy.compute(&call(&model, &x)?, &y)?;
            c.curve.push(loss.item()?);
            opt.zero_grad();
            loss.backward()?;
            opt.step()?;
        }
        let out = crate::no_grad(|| call(&model, &x))?;
        let correct = Loss::CrossEntropy.correct(&out, &y)?;
        let (first, last) = (c.curve[0], *c.curve.last().expect("steps"));
        let drop = 1.0 - last / first;
        c.metrics.insert("loss_drop".into(), drop as f64);
        check!(drop >= 0.9, "loss fell {:.1}% ({first:.4} → {last:.4}); expected ≥ 90%", drop * 100.0);
        check!(correct == 8, "{correct}/8 bars classified correctly");
        c.message = format!("loss {first:.3} → {last:.4}, 8/8 correct");
        Ok(())
    });
    Ok(())
}
