//! Loss errors: labels out of range or not whole, mismatched shapes, and empty batches (an
//! error, not NaN), each named with the loss and the shapes or values.

use super::*;

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
