//! Module 09 of `api_compatibility`: `Conv2d` (TinyTorch's own vertical-edge test, with the
//! kernel set into the layer's weight), the pools, `BatchNorm2d`'s start values and
//! train/eval, and a CNN built the way the course builds it, with the per-layer gradient check.

use super::docs::{doc, wide, Docs, Documented, Value::*};
use super::{ApiCase, Step};
use crate::nn::loss::Loss;
use crate::nn::{
    call, AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential,
};
use crate::suites::ctx::{check, CaseResult};
use crate::tensor::Tensor;

/// What module 09 documents.
pub fn table() -> Vec<Documented> {
    vec![
        doc("Conv2d::forward", "vertical-edge response of [−1, 0, 1] on a dark-left, bright-right 4×4 image", Num(3.0), "curriculum 09 (TinyTorch's conv test: cross-correlation, no kernel flip)"),
        doc("Conv2d::new", "weight shape of Conv2d(3, 16, 3)", Dims(vec![16, 3, 3, 3]), "src/nn/conv.rs (Conv2d: weights are (C_out, C_in, k, k))"),
        doc("Conv2d::new", "parameter values of Conv2d(3, 16, 3) with bias", Int(448), "src/nn/conv.rs (Conv2d example: 16·3·3·3 + 16)"),
        // √(2/(64·3·3)): He-normal.
        doc("Conv2d::new", "weight std of Conv2d(64, 64, 3)", Num(0.058_925_565), "src/nn/conv.rs (Conv2d: He-normal std √(2/(C_in·k·k)))"),
        doc("Conv2d::forward", "output shape of Conv2d(1, 8, 3, stride 2, padding 1) on (4, 1, 28, 28)", Dims(vec![4, 8, 14, 14]), "src/nn/conv.rs (Hout = (H + 2·padding − k)/stride + 1)"),
        doc("MaxPool2d::new", "output shape of MaxPool2d(2, stride None) on (2, 16, 16, 16)", Dims(vec![2, 16, 8, 8]), "src/nn/pool.rs (MaxPool2d example: stride defaults to the kernel size)"),
        doc("AvgPool2d::forward", "AvgPool2d(2) of [[1, 3, 2, 4], [5, 7, 6, 8], [2, 4, 1, 3], [6, 8, 5, 7]]", List(vec![4.0, 5.0, 5.0, 4.0]), "src/nn/pool.rs (AvgPool2d: mean over windows)"),
        doc("BatchNorm2d::new", "γ, β, running mean, running var at start", List(vec![1.0, 0.0, 0.0, 1.0]), "src/nn/batchnorm.rs (BatchNorm2d: γ starts at 1, β at 0); curriculum 09 (running mean 0, var 1)"),
        doc("BatchNorm2d::new", "momentum of the course's BatchNorm2d(C, 1e-5, 0.1)", Num(0.1), "src/nn/batchnorm.rs (BatchNorm2d example; running = (1 − momentum)·running + momentum·batch)"),
        doc("Flatten::forward", "output shape on (2, 3, 4, 4)", Dims(vec![2, 48]), "src/nn/conv.rs (Flatten example)"),
    ]
}

/// The course's small CNN on 8×8 digits-sized inputs. Layers: 0 Conv2d (no bias: BatchNorm
/// removes any per-channel shift, so a bias would get an exactly-zero gradient), 1 BatchNorm2d,
/// 2 ReLU, 3 MaxPool2d, 4 Flatten, 5 Linear.
fn cnn() -> crate::Result<Sequential> {
    Ok(Sequential::new(vec![
        Conv2d::new(1, 4, 3, 1, 1, false)?.into_layer(),
        BatchNorm2d::new(4, 1e-5, 0.1)?.into_layer(),
        ReLU::new().into_layer(),
        MaxPool2d::new(2, None, 0)?.into_layer(),
        Flatten::new().into_layer(),
        Linear::new(64, 3, true).into_layer(),
    ]))
}

fn conv_and_pools(docs: &Docs) -> CaseResult {
    // TinyTorch's test: the kernel goes into the layer's own weight, set outside the graph.
    let conv = Conv2d::new(1, 1, 3, 1, 0, false)?;
    let edge = Tensor::from_vec(
        vec![-1.0, 0.0, 1.0, -1.0, 0.0, 1.0, -1.0, 0.0, 1.0],
        &[1, 1, 3, 3],
    )?;
    conv.weight().set_data(edge.data().clone())?;
    check!(
        conv.weight().requires_grad() && conv.weight().is_leaf(),
        "Conv2d: after set_data the weight must still be a leaf requiring grad"
    );
    let img: Vec<f32> = (0..16)
        .map(|i| if i % 4 >= 2 { 1.0 } else { 0.0 })
        .collect();
    let out = conv.forward(&Tensor::from_vec(img, &[1, 1, 4, 4])?)?;
    let d = docs.get(
        "Conv2d::forward",
        "vertical-edge response of [−1, 0, 1] on a dark-left, bright-right 4×4 image",
    )?;
    d.expect_all(
        "Conv2d with the edge kernel as weight, every output",
        &[d.num()?; 4],
        &wide(&out.to_vec()),
        1e-6,
    )?;

    let c = Conv2d::new(3, 16, 3, 1, 0, true)?;
    let d = docs.get("Conv2d::new", "weight shape of Conv2d(3, 16, 3)")?;
    d.expect_eq(
        "Conv2d::new(3, 16, 3, 1, 0, true).weight().shape()",
        d.dims()?,
        c.weight().shape(),
    )?;
    let d = docs.get(
        "Conv2d::new",
        "parameter values of Conv2d(3, 16, 3) with bias",
    )?;
    d.expect_eq("num_parameters()", d.int()?, c.num_parameters())?;
    let w = wide(&Conv2d::new(64, 64, 3, 1, 0, true)?.weight().to_vec());
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    let std = (w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / w.len() as f64).sqrt();
    let d = docs.get("Conv2d::new", "weight std of Conv2d(64, 64, 3)")?;
    // 36,864 draws: the sample std's standard error is 0.37% of the true one; 3% is eight.
    d.expect(
        "the sample std of the weights",
        d.num()?,
        std,
        d.num()? * 0.03,
    )?;
    let d = docs.get(
        "Conv2d::forward",
        "output shape of Conv2d(1, 8, 3, stride 2, padding 1) on (4, 1, 28, 28)",
    )?;
    d.expect_eq(
        "the output shape",
        d.dims()?,
        Conv2d::new(1, 8, 3, 2, 1, true)?
            .forward(&Tensor::zeros(&[4, 1, 28, 28]))?
            .shape(),
    )?;
    check!(
        c.forward(&Tensor::zeros(&[3, 8, 8])).is_err(),
        "Conv2d must reject a 3-D input"
    );

    let d = docs.get(
        "MaxPool2d::new",
        "output shape of MaxPool2d(2, stride None) on (2, 16, 16, 16)",
    )?;
    d.expect_eq(
        "the output shape",
        d.dims()?,
        MaxPool2d::new(2, None, 0)?
            .forward(&Tensor::zeros(&[2, 16, 16, 16]))?
            .shape(),
    )?;
    let d = docs.get(
        "AvgPool2d::forward",
        "AvgPool2d(2) of [[1, 3, 2, 4], [5, 7, 6, 8], [2, 4, 1, 3], [6, 8, 5, 7]]",
    )?;
    let x = Tensor::from_vec(
        vec![
            1., 3., 2., 4., 5., 7., 6., 8., 2., 4., 1., 3., 6., 8., 5., 7.,
        ],
        &[1, 1, 4, 4],
    )?;
    d.expect_all(
        "AvgPool2d::new(2, None, 0)",
        &d.list()?,
        &wide(&AvgPool2d::new(2, None, 0)?.forward(&x)?.to_vec()),
        1e-6,
    )?;
    check!(
        MaxPool2d::new(2, None, 0)?.forward(&x)?.to_vec() == vec![7., 8., 8., 7.],
        "MaxPool2d(2) of the same grid must be [7, 8, 8, 7]"
    );
    let d = docs.get("Flatten::forward", "output shape on (2, 3, 4, 4)")?;
    d.expect_eq(
        "Flatten::new().forward",
        d.dims()?,
        Flatten::new()
            .forward(&Tensor::zeros(&[2, 3, 4, 4]))?
            .shape(),
    )?;
    Ok(())
}

fn batch_norm(docs: &Docs) -> CaseResult {
    let d = docs.get(
        "BatchNorm2d::new",
        "momentum of the course's BatchNorm2d(C, 1e-5, 0.1)",
    )?;
    let momentum = d.num()?;
    let bn = BatchNorm2d::new(2, 1e-5, 0.1)?;
    let start = docs.get(
        "BatchNorm2d::new",
        "γ, β, running mean, running var at start",
    )?;
    let p = bn.parameters();
    check!(
        p.len() == 2,
        "BatchNorm2d must have two parameters (γ, β), has {}",
        p.len()
    );
    let got = [
        p[0].to_vec()[0],
        p[1].to_vec()[0],
        bn.running_mean().to_vec()[0],
        bn.running_var().to_vec()[0],
    ];
    start.expect_all(
        "γ, β, running mean, running var of BatchNorm2d::new(2, …)",
        &start.list()?,
        &wide(&got),
        0.0,
    )?;
    let x = Tensor::randn(&[4, 2, 3, 3]).add_scalar(2.0);
    call(&bn, &x)?;
    let batch = wide(&x.try_mean_axes(&[0, 2, 3], false)?.to_vec());
    let want: Vec<f64> = batch.iter().map(|m| momentum * m).collect();
    d.expect_all(
        "running mean after one training batch from 0 (momentum × batch mean)",
        &want,
        &wide(&bn.running_mean().to_vec()),
        1e-5,
    )?;
    bn.eval();
    let rm = bn.running_mean().to_vec();
    call(&bn, &x)?;
    check!(
        bn.running_mean().to_vec() == rm,
        "BatchNorm2d in eval() must not move its running statistics"
    );
    check!(
        call(&bn, &Tensor::zeros(&[4, 3, 3, 3])).is_err(),
        "BatchNorm2d(2) must reject 3 channels"
    );
    Ok(())
}

fn cnn_check(step: &mut Step) -> CaseResult {
    let model = cnn()?;
    check!(
        model.num_parameters() == 4 * 9 + 2 * 4 + 64 * 3 + 3,
        "the CNN has {} parameter values, expected 239",
        model.num_parameters()
    );
    model.eval();
    let eval_ok = flatten_training(&model).iter().all(|t| !t);
    model.train();
    check!(
        eval_ok && flatten_training(&model).iter().all(|&t| t),
        "Sequential::eval()/train() must reach every layer of the CNN"
    );
    let x = Tensor::randn(&[4, 1, 8, 8]);
    let y = Tensor::from_vec(vec![0.0, 1.0, 2.0, 1.0], &[4])?;
    check!(
        call(&model, &x)?.shape() == vec![4, 3],
        "the CNN must map (4, 1, 8, 8) to (4, 3)"
    );
    step.check_layers(&model, &x, &y, Loss::CrossEntropy)
}

fn flatten_training(m: &Sequential) -> Vec<bool> {
    m.layers().iter().map(|l| l.site().training()).collect()
}

pub(super) fn run(ctx: &mut ApiCase) {
    ctx.case("m09_spatial", "Module 09: the vertical-edge kernel [−1, 0, 1] set into Conv2d's weight gives 3.0 on a dark-left, bright-right image (cross-correlation); Conv2d's weight shape, parameter count (448) and He-normal std; output sizes (H + 2p − k)/s + 1; pools with stride defaulting to the kernel; BatchNorm2d starts at γ 1, β 0, mean 0, var 1, moves by momentum 0.1 and holds still in eval(); a CNN Conv2d → BatchNorm2d → ReLU → MaxPool2d → Flatten → Linear passes the per-layer gradient check.", |step, docs| {
        conv_and_pools(docs)?;
        batch_norm(docs)?;
        cnn_check(step)
    });
}
