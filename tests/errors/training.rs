//! Non-finite gradients, inputs and targets, and mismatched rows: optimizer steps and `fit` fail
//! with an error that names the problem, and leave every parameter untouched.

use super::*;

fn param_with_grad(v: &[f32], g: &[f32]) -> Tensor {
    let p = Tensor::from_vec(v.to_vec(), &[v.len()])
        .unwrap()
        .requires_grad_(true);
    p.set_grad(Some(ndarray::Array1::from(g.to_vec()).into_dyn()));
    p
}

#[test]
fn sgd_step_with_a_nan_gradient_is_a_non_finite_error_and_changes_nothing() {
    let a = param_with_grad(&[1.0, 2.0], &[0.5, 0.5]);
    let b = param_with_grad(&[3.0, 4.0], &[f32::NAN, 1.0]);
    let mut opt = Sgd::new(vec![a.clone(), b.clone()], 0.1, 0.9, 0.0).unwrap();
    let err = opt.step().unwrap_err();
    assert!(
        matches!(err, Error::NonFinite { op: "SGD.step", .. }),
        "{err:?}"
    );
    assert_mentions(&err.to_string(), &["SGD.step", "parameter 1", "[2]", "NaN"]);
    // Checked before any update: the healthy parameter before the bad one is untouched too,
    // and so are the momentum buffers.
    assert_eq!(a.to_vec(), vec![1.0, 2.0]);
    assert_eq!(b.to_vec(), vec![3.0, 4.0]);
    assert!(opt.state().iter().all(|s| s.iter().all(|&v| v == 0.0)));
}

#[test]
fn adam_step_with_an_infinite_gradient_is_a_non_finite_error_and_changes_nothing() {
    for decoupled in [false, true] {
        let a = param_with_grad(&[1.0, 2.0], &[0.5, 0.5]);
        let b = param_with_grad(&[3.0], &[f32::INFINITY]);
        let mut opt = Adam::with_options(
            vec![a.clone(), b.clone()],
            0.1,
            (0.9, 0.999),
            1e-8,
            0.01,
            decoupled,
        )
        .unwrap();
        let err = opt.step().unwrap_err();
        let op = if decoupled { "AdamW.step" } else { "Adam.step" };
        assert!(matches!(err, Error::NonFinite { .. }), "{err:?}");
        assert_eq!(err.op(), op);
        assert_mentions(&err.to_string(), &[op, "parameter 1", "NaN or infinity"]);
        assert_eq!(a.to_vec(), vec![1.0, 2.0]);
        assert_eq!(b.to_vec(), vec![3.0]);
        assert_eq!(
            opt.steps(),
            0,
            "a failed step does not advance the step count"
        );
        // Once the gradient is fixed, the step goes through.
        b.set_grad(Some(ndarray::arr1(&[1.0f32]).into_dyn()));
        opt.step().unwrap();
        assert!(b.to_vec()[0] < 3.0);
    }
}

fn small_model() -> Layer {
    tinytorch::manual_seed(0);
    Linear::new(2, 1, true).into_layer()
}

#[test]
fn fit_with_nan_inputs_is_a_non_finite_error_and_trains_nothing() {
    let model = small_model();
    let before: Vec<Vec<f32>> = model.parameters().iter().map(Tensor::to_vec).collect();
    let mut xv = vec![0.5f32; 8];
    xv[3] = f32::NAN;
    let x = Tensor::from_vec(xv, &[4, 2]).unwrap();
    let y = z(&[4, 1]);
    let opts = FitOptions {
        epochs: 2,
        batch_size: 2,
        ..FitOptions::default()
    };
    let mut calls = 0;
    let err = fit(model.clone(), &x, &y, &opts, |_, _| {
        calls += 1;
        true
    })
    .unwrap_err();
    assert!(matches!(err, Error::NonFinite { op: "fit", .. }), "{err:?}");
    assert_mentions(&err.to_string(), &["fit", "inputs", "NaN"]);
    assert_eq!(calls, 0);
    let after: Vec<Vec<f32>> = model.parameters().iter().map(Tensor::to_vec).collect();
    assert_eq!(before, after);
}

#[test]
fn fit_with_infinite_targets_is_a_non_finite_error() {
    let model = small_model();
    let x = Tensor::ones(&[4, 2]);
    let y = Tensor::from_vec(vec![0.0, f32::INFINITY, 0.0, 0.0], &[4, 1]).unwrap();
    let err = fit(model, &x, &y, &FitOptions::default(), |_, _| true).unwrap_err();
    assert!(matches!(err, Error::NonFinite { .. }), "{err:?}");
    assert_mentions(&err.to_string(), &["fit", "targets", "infinity"]);
}

#[test]
fn fit_with_mismatched_rows_names_the_shapes() {
    let m = err_msg(fit(
        small_model(),
        &z(&[4, 2]),
        &z(&[3, 1]),
        &FitOptions::default(),
        |_, _| true,
    ));
    assert_mentions(&m, &["TensorDataset", "[4, 2]", "[3, 1]"]);
    let m = err_msg(fit(
        small_model(),
        &z(&[4, 3]),
        &z(&[4, 1]),
        &FitOptions::default(),
        |_, _| true,
    ));
    // Four rows fit in one batch, so the layer sees the whole (4, 3) input.
    assert_mentions(&m, &["Linear", "last dimension is 2", "[4, 3]"]);
}
