//! Error tests: bad input returns an `Err` whose message names the operation and the shapes or
//! values involved, nothing panics, and failed optimizer steps leave the parameters untouched.

use tinytorch::loss::{cross_entropy, mse_loss, Loss};
use tinytorch::nn::{Dropout, Layer, Linear};
use tinytorch::optim::{Adam, Optimizer, Sgd};
use tinytorch::train::{fit, FitOptions};
use tinytorch::{Error, Result, Tensor};

/// The error's message; fails the test if `r` is `Ok`.
#[track_caller]
fn err_msg<T>(r: Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error, got Ok"),
        Err(e) => e.to_string(),
    }
}

/// Asserts that `msg` contains every one of `parts`.
#[track_caller]
fn assert_mentions(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "message {msg:?} should mention {p:?}");
    }
}

fn z(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape)
}

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

#[test]
fn matmul_inner_dimension_mismatch_names_both_shapes() {
    let m = err_msg(z(&[2, 3]).try_matmul(&z(&[4, 5])));
    assert!(m.starts_with("matmul:"), "{m}");
    assert_mentions(&m, &["[2, 3]", "[4, 5]", "3 and 4"]);
    // Batched operands report their full shapes.
    let m = err_msg(z(&[2, 3, 4]).try_matmul(&z(&[2, 5, 6])));
    assert_mentions(&m, &["matmul", "[2, 3, 4]", "[2, 5, 6]"]);
    // A 0-d operand has no axis to multiply over.
    let m = err_msg(Tensor::scalar(1.0).try_matmul(&z(&[2, 2])));
    assert_mentions(&m, &["matmul", "[]", "[2, 2]"]);
}

#[test]
fn matmul_batch_mismatch_names_both_shapes() {
    let m = err_msg(z(&[2, 3, 4]).try_matmul(&z(&[5, 4, 6])));
    assert!(m.starts_with("matmul:"), "{m}");
    assert_mentions(&m, &["[2, 3, 4]", "[5, 4, 6]", "batch"]);
}

#[test]
fn broadcasting_mismatch_names_the_op_and_shapes() {
    let m = err_msg(z(&[2, 3]).try_add(&z(&[4])));
    assert!(m.starts_with("add:"), "{m}");
    assert_mentions(&m, &["[2, 3]", "[4]", "3 and 4"]);
    let m = err_msg(z(&[3, 1, 2]).try_mul(&z(&[4, 3])));
    assert!(m.starts_with("mul:"), "{m}");
    assert_mentions(&m, &["[3, 1, 2]", "[4, 3]"]);
    assert!(err_msg(z(&[2]).try_sub(&z(&[3]))).starts_with("sub:"));
    assert!(err_msg(z(&[2]).try_div(&z(&[3]))).starts_with("div:"));
}

#[test]
fn reshape_element_count_mismatch_names_the_shapes_and_counts() {
    let m = err_msg(z(&[2, 3]).try_reshape(&[4]));
    assert!(m.starts_with("reshape:"), "{m}");
    assert_mentions(&m, &["[2, 3]", "6 elements", "[4]", "4 elements"]);
    // A -1 that cannot be inferred.
    let m = err_msg(z(&[2, 3]).try_reshape(&[4, -1]));
    assert_mentions(&m, &["reshape", "-1", "[4, -1]", "6"]);
}

#[test]
fn reshape_with_two_inferred_axes_is_an_error() {
    let m = err_msg(z(&[2, 3]).try_reshape(&[-1, -1]));
    assert!(m.starts_with("reshape:"), "{m}");
    assert_mentions(&m, &["[-1, -1]", "one -1"]);
}

#[test]
fn axis_out_of_range_names_the_op_axis_and_shape() {
    let x = z(&[2, 3]);
    let cases: Vec<(&str, String)> = vec![
        ("sum", err_msg(x.try_sum_axes(&[2], false))),
        ("sum", err_msg(x.try_sum_axes(&[-3], true))),
        ("mean", err_msg(x.try_mean_axes(&[5], false))),
        ("max", err_msg(x.try_max(Some(2), false))),
        ("softmax", err_msg(x.try_softmax(2))),
        ("log_softmax", err_msg(x.try_log_softmax(-3))),
        ("transpose", err_msg(x.try_transpose(0, 2))),
        ("narrow", err_msg(x.try_narrow(2, 0, 1))),
        ("unsqueeze", err_msg(x.try_unsqueeze(3))),
        ("flatten", err_msg(x.try_flatten(2))),
    ];
    for (op, m) in cases {
        assert!(m.starts_with(&format!("{op}: axis")), "{m}");
        assert_mentions(&m, &["out of range", "[2, 3]"]);
    }
    // The axis itself is reported as given.
    assert_mentions(&err_msg(x.try_softmax(-7)), &["axis -7"]);
}

#[test]
fn narrow_window_past_the_end_is_an_error() {
    let m = err_msg(z(&[2, 3]).try_narrow(1, 2, 2));
    assert!(m.starts_with("narrow:"), "{m}");
    assert_mentions(&m, &["2..4", "size 3", "[2, 3]"]);
}

#[test]
fn permute_that_is_not_a_permutation_is_an_error() {
    let m = err_msg(z(&[2, 3, 4]).try_permute(&[0, 0, 1]));
    assert_mentions(&m, &["permute", "[0, 0, 1]", "[2, 3, 4]"]);
    let m = err_msg(z(&[2, 3]).try_permute(&[1]));
    assert_mentions(&m, &["permute", "[1]", "[2, 3]"]);
}

#[test]
fn cat_with_mismatched_shapes_names_both_shapes() {
    let m = err_msg(Tensor::try_cat(&[z(&[2, 3]), z(&[2, 4])], 0));
    assert!(m.starts_with("cat:"), "{m}");
    assert_mentions(&m, &["[2, 3]", "[2, 4]", "axis 0"]);
    // Different ranks.
    let m = err_msg(Tensor::try_cat(&[z(&[2, 3]), z(&[2, 3, 1])], 1));
    assert_mentions(&m, &["cat", "[2, 3]", "[2, 3, 1]"]);
    // Nothing to join.
    assert_mentions(&err_msg(Tensor::try_cat(&[], 0)), &["cat", "no tensors"]);
    // stack goes through cat and reports the (unsqueezed) shapes.
    let m = err_msg(Tensor::try_stack(&[z(&[2]), z(&[3])], 0));
    assert_mentions(&m, &["cat", "[1, 2]", "[1, 3]"]);
}

#[test]
fn from_vec_length_mismatch_names_the_count_and_shape() {
    let m = err_msg(Tensor::from_vec(vec![1.0; 5], &[2, 3]));
    assert!(m.starts_with("from_vec:"), "{m}");
    assert_mentions(&m, &["5 values", "[2, 3]", "holds 6"]);
}

#[test]
fn item_of_a_multi_element_tensor_is_an_error() {
    let m = err_msg(z(&[2, 2]).item());
    assert_mentions(&m, &["item", "[2, 2]"]);
}

// ---------------------------------------------------------------------------------------------
// Losses
// ---------------------------------------------------------------------------------------------

#[test]
fn cross_entropy_label_out_of_range_names_the_label_and_classes() {
    let logits = z(&[2, 3]);
    let m = err_msg(cross_entropy(
        &logits,
        &Tensor::from_vec(vec![0.0, 3.0], &[2]).unwrap(),
    ));
    assert!(m.starts_with("cross_entropy:"), "{m}");
    assert_mentions(&m, &["label 3", "position 1", "0..3"]);
    let m = err_msg(cross_entropy(
        &logits,
        &Tensor::from_vec(vec![-2.0, 0.0], &[2]).unwrap(),
    ));
    assert_mentions(&m, &["cross_entropy", "label -2", "position 0"]);
    // −1 is the ignore label (padding), not an error: only position 1 counts, so the loss of
    // uniform logits over 3 classes is ln 3.
    let l = cross_entropy(&logits, &Tensor::from_vec(vec![-1.0, 0.0], &[2]).unwrap()).unwrap();
    assert!((l.item().unwrap() - 3f32.ln()).abs() < 1e-6);
    let m = err_msg(cross_entropy(
        &logits,
        &Tensor::from_vec(vec![-1.0, -1.0], &[2]).unwrap(),
    ));
    assert_mentions(&m, &["cross_entropy", "ignored"]);
    // The integer-id form names the target too.
    let m = err_msg(logits.try_cross_entropy(&[0, 7]));
    assert_mentions(&m, &["cross_entropy", "target 7", "3 classes"]);
}

#[test]
fn cross_entropy_non_integer_label_is_an_error() {
    let logits = z(&[2, 3]);
    let m = err_msg(cross_entropy(
        &logits,
        &Tensor::from_vec(vec![0.5, 1.0], &[2]).unwrap(),
    ));
    assert!(m.starts_with("cross_entropy:"), "{m}");
    assert_mentions(&m, &["label 0.5", "position 0", "not a class id"]);
    let m = err_msg(cross_entropy(
        &logits,
        &Tensor::from_vec(vec![1.0, f32::NAN], &[2]).unwrap(),
    ));
    assert_mentions(&m, &["cross_entropy", "NaN", "position 1"]);
}

#[test]
fn cross_entropy_shape_mismatch_names_both_shapes() {
    let m = err_msg(cross_entropy(&z(&[4, 3]), &z(&[3])));
    assert_mentions(&m, &["cross_entropy", "[4, 3]", "[3]"]);
    let m = err_msg(cross_entropy(&z(&[4]), &z(&[4])));
    assert_mentions(&m, &["cross_entropy", "[4]"]);
}

#[test]
fn empty_batches_are_errors_not_nan() {
    let m = err_msg(mse_loss(&z(&[0, 3]), &z(&[0, 3])));
    assert_eq!(m, "mse_loss: empty batch");
    let m = err_msg(z(&[0, 3]).try_cross_entropy(&[]));
    assert_mentions(&m, &["cross_entropy", "empty batch", "N = 0"]);
    // The float-label form reaches the same check.
    assert_mentions(
        &err_msg(cross_entropy(&z(&[0, 3]), &z(&[0]))),
        &["cross_entropy", "N = 0"],
    );
    assert_mentions(&err_msg(z(&[0]).try_bce(&z(&[0]))), &["bce", "empty"]);
    assert_mentions(
        &err_msg(z(&[0]).try_bce_with_logits(&z(&[0]))),
        &["bce_with_logits", "empty"],
    );
    assert_mentions(&err_msg(z(&[0, 2]).try_mean_axes(&[0], false)), &["mean"]);
    assert_mentions(
        &err_msg(z(&[0, 2]).try_max(None, false)),
        &["max", "[0, 2]"],
    );
}

#[test]
fn loss_shape_mismatch_names_the_loss_and_shapes() {
    let m = err_msg(mse_loss(&z(&[2, 3]), &z(&[3, 2])));
    assert_mentions(&m, &["mse_loss", "[2, 3]", "[3, 2]"]);
    let m = err_msg(z(&[4, 1]).try_bce(&z(&[4])));
    assert_mentions(&m, &["bce", "[4, 1]", "[4]"]);
    let m = err_msg(Loss::BceWithLogits.compute(&z(&[2]), &z(&[3])));
    assert_mentions(&m, &["bce_with_logits", "[2]", "[3]"]);
}

// ---------------------------------------------------------------------------------------------
// Optimizers and training
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Backward and layers
// ---------------------------------------------------------------------------------------------

#[test]
fn backward_on_a_non_scalar_names_its_shape() {
    let x = z(&[2, 3]).requires_grad_(true);
    let y = x.mul_scalar(2.0);
    let err = y.backward().unwrap_err();
    assert!(matches!(err, Error::Grad { op: "backward", .. }), "{err:?}");
    assert_mentions(&err.to_string(), &["backward", "[2, 3]", "backward_with"]);
}

#[test]
fn backward_on_a_tensor_that_does_not_require_grad_is_an_error() {
    let err = Tensor::scalar(1.0).backward().unwrap_err();
    assert!(matches!(err, Error::Grad { .. }), "{err:?}");
    assert_mentions(&err.to_string(), &["backward", "does not require grad"]);
    // Also for a result of ops on tensors that do not require grad.
    let y = z(&[3]).exp().sum();
    assert_mentions(&err_msg(y.backward()), &["does not require grad"]);
}

#[test]
fn backward_with_a_wrongly_shaped_gradient_names_both_shapes() {
    let y = z(&[2, 3]).requires_grad_(true).mul_scalar(2.0);
    let m = err_msg(y.backward_with(&z(&[3, 2])));
    assert_mentions(&m, &["backward_with", "[2, 3]", "[3, 2]"]);
}

#[test]
fn dropout_with_p_above_one_is_an_error_naming_p() {
    let m = err_msg(Dropout::new(1.5));
    assert_eq!(m, "Dropout: p must be in [0, 1], got 1.5");
}

#[test]
fn optimizer_hyper_parameters_are_validated() {
    let p = z(&[1]).requires_grad_(true);
    assert_mentions(
        &err_msg(Sgd::new(vec![p.clone()], -0.1, 0.0, 0.0)),
        &["SGD", "learning rate", "-0.1"],
    );
    assert_mentions(
        &err_msg(Sgd::new(vec![p.clone()], 0.1, 1.0, 0.0)),
        &["SGD", "momentum", "1"],
    );
    assert_mentions(
        &err_msg(Adam::with_options(
            vec![p.clone()],
            0.1,
            (0.9, 1.0),
            1e-8,
            0.0,
            false,
        )),
        &["Adam", "betas"],
    );
    assert_mentions(
        &err_msg(Adam::adamw(vec![p], 0.1, f32::NAN)),
        &["AdamW", "weight decay"],
    );
}
