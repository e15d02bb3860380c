//! Shape errors: every op that meets operands it cannot combine says which op and which
//! shapes.

use super::*;

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
