//! Backward on a non-scalar, on a tensor that does not require grad, or with a wrongly shaped
//! gradient; Dropout's `p` and the optimizers' hyper-parameters are validated.

use super::*;

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
