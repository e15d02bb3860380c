//! Modules 03–04 of `api_compatibility`: `Linear`, `Dropout` and `Sequential` (an MLP built the
//! way the course builds it, with the per-layer gradient check), and every loss, checked
//! against their documented values.

use super::docs::{doc, wide, Docs, Documented, Value::*};
use super::{ApiCase, Step};
use crate::nn::loss::{cross_entropy, mse_loss, Loss};
use crate::nn::{call, Dropout, Linear, Module, ReLU, Sequential};
use crate::suites::ctx::{check, CaseResult};
use crate::tensor::Tensor;

/// What modules 03–04 document.
pub fn table() -> Vec<Documented> {
    vec![
        doc(
            "Linear::new",
            "weight shape of Linear(4, 3)",
            Dims(vec![4, 3]),
            "src/nn/linear.rs (Linear example: weights are (in, out))",
        ),
        // √(1/784): TinyTorch's unit test of Linear(784, 256), LeCun normal.
        doc(
            "Linear::new",
            "weight std of Linear(784, 256)",
            Num(0.035_714_286),
            "src/nn/linear.rs (Linear: drawn from N(0, 1/in))",
        ),
        doc(
            "Linear::new",
            "bias at start",
            Num(0.0),
            "src/nn/linear.rs (Linear: the bias starts at zero)",
        ),
        doc(
            "Module::parameters",
            "parameters of Linear(3, 2) with bias",
            Int(2),
            "src/nn/module.rs (Module example)",
        ),
        doc(
            "Module::describe",
            "describe() of Linear(3, 2)",
            Text("Linear(3 → 2)".into()),
            "src/nn/module.rs (Module example)",
        ),
        doc(
            "Module::train",
            "training mode of a new layer",
            Flag(true),
            "src/nn/module.rs (Site::new: a fresh site in training mode)",
        ),
        doc(
            "Dropout::new",
            "survivor scale at p = 0.5 in training",
            Num(2.0),
            "src/nn/dropout.rs (Dropout: survivors scaled by 1/(1−p))",
        ),
        doc(
            "Dropout::new",
            "evaluation output of ones",
            Num(1.0),
            "src/nn/dropout.rs (Dropout example: eval is the identity)",
        ),
        doc(
            "Sequential::new",
            "parameter tensors of Linear(4, 8) → ReLU → Linear(8, 3)",
            Int(4),
            "src/nn/module.rs (parameters: every parameter of the layer and its descendants)",
        ),
        doc(
            "Sequential::new",
            "parameter values of Linear(4, 8) → ReLU → Linear(8, 3)",
            Int(67),
            "src/nn/module.rs (num_parameters: 4·8 + 8 + 8·3 + 3)",
        ),
        doc(
            "mse_loss",
            "MSE of [1, 2] against [1, 4]",
            Num(2.0),
            "src/nn/loss.rs (mse_loss example)",
        ),
        doc(
            "cross_entropy",
            "uniform logits over 3 classes (ln 3)",
            Num(1.098_612_289),
            "src/ops/loss.rs (try_cross_entropy example; curriculum 04 anchor)",
        ),
        doc(
            "Tensor::try_bce",
            "probability clip EPSILON",
            Num(1e-7),
            "src/ops/loss.rs (try_bce: clipped to [1e-7, 1 − 1e-7]; TinyTorch's EPSILON)",
        ),
        doc(
            "Tensor::try_bce_with_logits",
            "BCE-with-logits at z = 0, y = 1 (ln 2)",
            Num(std::f64::consts::LN_2),
            "src/ops/loss.rs (try_bce_with_logits: max(z, 0) − z·y + ln(1 + e^−|z|))",
        ),
        doc(
            "Loss::name",
            "names of Mse, CrossEntropy, Bce, BceWithLogits",
            Text("mse cross_entropy bce bce_with_logits".into()),
            "src/nn/loss.rs (Loss::name: the name as used in JSON)",
        ),
    ]
}

/// The course's first MLP: `Linear(4, 8) → ReLU → Linear(8, 3)` (layers 0, 1, 2).
fn mlp() -> Sequential {
    Sequential::new(vec![
        Linear::new(4, 8, true).into_layer(),
        ReLU::new().into_layer(),
        Linear::new(8, 3, true).into_layer(),
    ])
}

fn linear_and_dropout(docs: &Docs) -> CaseResult {
    let d = docs.get("Linear::new", "weight shape of Linear(4, 3)")?;
    d.expect_eq(
        "Linear::new(4, 3, true).weight().shape()",
        d.dims()?,
        Linear::new(4, 3, true).weight().shape(),
    )?;
    let big = Linear::new(784, 256, true);
    let w = wide(&big.weight().to_vec());
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    let std = (w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / w.len() as f64).sqrt();
    let d = docs.get("Linear::new", "weight std of Linear(784, 256)")?;
    // 200,704 draws: the sample std is within 0.5% of the true one with overwhelming odds.
    d.expect(
        "the sample std of the weights",
        d.num()?,
        std,
        d.num()? * 0.01,
    )?;
    let d = docs.get("Linear::new", "bias at start")?;
    let b = big.bias().map(|b| wide(&b.to_vec())).unwrap_or_default();
    d.expect_all(
        "Linear::new(784, 256, true).bias()",
        &vec![d.num()?; 256],
        &b,
        0.0,
    )?;
    check!(
        Linear::new(3, 2, false).parameters().len() == 1,
        "Linear::new(3, 2, false) should have only its weight as parameter"
    );
    let y = big.forward(&Tensor::zeros(&[0, 784]))?;
    check!(y.shape() == vec![0, 256], "Linear(784, 256) on a (0, 784) batch gave {:?}, expected [0, 256] (TinyTorch's empty-batch test)", y.shape());

    let lin = Linear::new(3, 2, true);
    let d = docs.get("Module::parameters", "parameters of Linear(3, 2) with bias")?;
    d.expect_eq(
        "Linear::new(3, 2, true).parameters().len()",
        d.int()?,
        lin.parameters().len(),
    )?;
    check!(
        lin.parameters().iter().all(|p| p.requires_grad()),
        "Linear's parameters must require grad"
    );
    let d = docs.get("Module::describe", "describe() of Linear(3, 2)")?;
    d.expect_eq(
        "Linear::new(3, 2, true).describe()",
        d.text()?,
        lin.describe(),
    )?;

    let drop = Dropout::new(0.5)?;
    let d = docs.get("Module::train", "training mode of a new layer")?;
    d.expect_eq(
        "Dropout::new(0.5).site().training()",
        d.flag()?,
        drop.site().training(),
    )?;
    let d = docs.get("Dropout::new", "survivor scale at p = 0.5 in training")?;
    let out = drop.forward(&Tensor::ones(&[1000]))?.to_vec();
    let kept: Vec<f64> = out
        .iter()
        .filter(|&&v| v != 0.0)
        .map(|&v| v as f64)
        .collect();
    check!(
        (300..700).contains(&kept.len()),
        "Dropout(0.5) kept {} of 1000 values in training",
        kept.len()
    );
    d.expect_all(
        "the surviving values of Dropout(0.5) on ones",
        &vec![d.num()?; kept.len()],
        &kept,
        1e-6,
    )?;
    drop.eval();
    let d = docs.get("Dropout::new", "evaluation output of ones")?;
    d.expect_all(
        "Dropout(0.5) after eval() on ones",
        &[d.num()?; 4],
        &wide(&drop.forward(&Tensor::ones(&[4]))?.to_vec()),
        0.0,
    )?;
    check!(
        Dropout::new(1.5).is_err() && Dropout::new(-0.1).is_err(),
        "Dropout::new must reject p outside [0, 1]"
    );
    check!(
        Dropout::new(0.3)?.parameters().is_empty(),
        "Dropout has no parameters"
    );
    Ok(())
}

fn sequential_mlp(step: &mut Step, docs: &Docs) -> CaseResult {
    let model = mlp();
    let d = docs.get(
        "Sequential::new",
        "parameter tensors of Linear(4, 8) → ReLU → Linear(8, 3)",
    )?;
    d.expect_eq(
        "model.parameters().len()",
        d.int()?,
        model.parameters().len(),
    )?;
    let d = docs.get(
        "Sequential::new",
        "parameter values of Linear(4, 8) → ReLU → Linear(8, 3)",
    )?;
    d.expect_eq("model.num_parameters()", d.int()?, model.num_parameters())?;
    let names: Vec<String> = model
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    check!(
        names == ["0.weight", "0.bias", "2.weight", "2.bias"],
        "Sequential::named_parameters gave {names:?}"
    );
    model.eval();
    check!(
        model.layers().iter().all(|l| !l.site().training()),
        "Sequential::eval() must reach every layer"
    );
    model.train();
    check!(
        model.layers().iter().all(|l| l.site().training()),
        "Sequential::train() must reach every layer"
    );
    let x = Tensor::randn(&[5, 4]);
    let out = call(&model, &x)?;
    check!(
        out.shape() == vec![5, 3],
        "the MLP on (5, 4) gave {:?}, expected [5, 3]",
        out.shape()
    );
    let y = Tensor::from_vec(vec![0.0, 1.0, 2.0, 1.0, 0.0], &[5])?;
    step.check_layers(&model, &x, &y, Loss::CrossEntropy)
}

fn losses(docs: &Docs) -> CaseResult {
    let d = docs.get("mse_loss", "MSE of [1, 2] against [1, 4]")?;
    let (p, t) = (
        Tensor::from_vec(vec![1.0, 2.0], &[2])?,
        Tensor::from_vec(vec![1.0, 4.0], &[2])?,
    );
    d.expect(
        "mse_loss([1, 2], [1, 4])",
        d.num()?,
        mse_loss(&p, &t)?.item()? as f64,
        1e-7,
    )?;
    check!(
        mse_loss(&p, &Tensor::zeros(&[3])).is_err(),
        "mse_loss must reject shapes [2] and [3]"
    );

    let d = docs.get("cross_entropy", "uniform logits over 3 classes (ln 3)")?;
    let y = Tensor::from_vec(vec![0.0, 2.0], &[2])?;
    d.expect(
        "cross_entropy(zeros (2, 3), [0, 2])",
        d.num()?,
        cross_entropy(&Tensor::zeros(&[2, 3]), &y)?.item()? as f64,
        1e-6,
    )?;
    let confident = Tensor::from_vec(vec![100.0, 0.0, 0.0, 0.0, 0.0, 100.0], &[2, 3])?;
    let l = cross_entropy(&confident, &y)?.item()?;
    check!(
        l.is_finite() && l < 1e-6,
        "cross_entropy of confident correct logits of 100 gave {l}, expected ≈ 0 and finite"
    );

    let d = docs.get("Tensor::try_bce", "probability clip EPSILON")?;
    let (p, t) = (
        Tensor::from_vec(vec![0.0], &[1])?,
        Tensor::from_vec(vec![1.0], &[1])?,
    );
    d.expect(
        "try_bce(p = 0, y = 1), −ln EPSILON",
        -d.num()?.ln(),
        p.try_bce(&t)?.item()? as f64,
        1e-3,
    )?;
    let d = docs.get(
        "Tensor::try_bce_with_logits",
        "BCE-with-logits at z = 0, y = 1 (ln 2)",
    )?;
    d.expect(
        "try_bce_with_logits(0, 1)",
        d.num()?,
        Tensor::zeros(&[1]).try_bce_with_logits(&t)?.item()? as f64,
        1e-6,
    )?;

    let d = docs.get(
        "Loss::name",
        "names of Mse, CrossEntropy, Bce, BceWithLogits",
    )?;
    let names = [
        Loss::Mse,
        Loss::CrossEntropy,
        Loss::Bce,
        Loss::BceWithLogits,
    ]
    .map(|l| l.name())
    .join(" ");
    d.expect_eq("Loss::name of each loss", d.text()?, names.clone())?;
    for n in names.split(' ') {
        check!(
            Loss::parse(n).map(|l| l.name()).ok() == Some(n),
            "Loss::parse(\"{n}\") does not give back {n}"
        );
    }
    Ok(())
}

pub(super) fn run(ctx: &mut ApiCase) {
    ctx.case("m03_layers", "Module 03: Linear(in, out) holds an (in, out) weight drawn with std √(1/in) and a zero bias, both requiring grad; describe(); Dropout scales survivors by 1/(1−p), is the identity after eval() and rejects p outside [0, 1]; a Sequential MLP Linear(4, 8) → ReLU → Linear(8, 3) has 4 parameter tensors and 67 values, named 0.weight…, follows train()/eval(), and passes the per-layer gradient check.", |step, docs| {
        linear_and_dropout(docs)?;
        sequential_mlp(step, docs)
    });

    ctx.case("m04_losses", "Module 04: mse_loss is the mean of squared differences; cross_entropy of uniform logits over 3 classes is ln 3 and stays finite at logits of 100; BCE clips probabilities at EPSILON = 1e-7; BCE-with-logits at 0 is ln 2; every Loss parses from its name.", |_, docs| losses(docs));
}
