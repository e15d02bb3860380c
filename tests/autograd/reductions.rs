//! Reductions (sum, mean, max) over axes, with and without `keepdim`: by hand, ties
//! included, and against central differences.

use super::*;

#[test]
fn sum_grad_by_hand_over_axes_with_and_without_keepdim() {
    // s_i = Σ_j x_ij; y = Σ_i w_i·s_i ⇒ dy/dx_ij = w_i (given through backward_with).
    let x = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let s = x.try_sum_axes(&[1], false).unwrap();
    assert_eq!(s.to_vec(), vec![6.0, 15.0]);
    s.backward_with(&t(&[1.0, 2.0], &[2])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);

    // Same with keepdim and a negative axis: shape (2, 1).
    let x = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let s = x.try_sum_axes(&[-1], true).unwrap();
    assert_eq!(s.shape(), vec![2, 1]);
    s.backward_with(&t(&[1.0, 2.0], &[2, 1])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);

    // Over axis 0 (s_j = Σ_i x_ij) ⇒ dy/dx_ij = w_j.
    let x = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let s = x.try_sum_axes(&[-2], false).unwrap();
    assert_eq!(s.to_vec(), vec![5.0, 7.0, 9.0]);
    s.backward_with(&t(&[1.0, 2.0, 3.0], &[3])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);

    // Over two axes of a (2,2,2) tensor, keepdim: s_j = Σ_{i,k} x_ijk ⇒ dy/dx_ijk = w_j.
    let x = leaf(&[1.0; 8], &[2, 2, 2]);
    let s = x.try_sum_axes(&[0, -1], true).unwrap();
    assert_eq!(s.shape(), vec![1, 2, 1]);
    assert_eq!(s.to_vec(), vec![4.0, 4.0]);
    s.backward_with(&t(&[1.0, 10.0], &[1, 2, 1])).unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0, 10.0, 10.0, 1.0, 1.0, 10.0, 10.0]);
}

#[test]
fn sum_grad_matches_finite_differences() {
    manual_seed(19);
    let x = Tensor::randn(&[2, 3, 4]);
    for (axes, keep) in [
        (vec![0isize], false),
        (vec![1], true),
        (vec![-1], false),
        (vec![-1], true),
        (vec![0, 2], false),
        (vec![-3, -2], true),
        (vec![], false),
    ] {
        gradcheck(|v| v[0].try_sum_axes(&axes, keep), std::slice::from_ref(&x));
    }
}

#[test]
fn mean_grad_by_hand_is_one_over_count() {
    // y = mean over axis 1 of a (2,4) tensor ⇒ dy_i/dx_ij = 1/4.
    let x = leaf(&[1.0; 8], &[2, 4]);
    let m = x.try_mean_axes(&[-1], true).unwrap();
    assert_eq!(m.shape(), vec![2, 1]);
    m.backward_with(&t(&[1.0, 2.0], &[2, 1])).unwrap();
    assert_eq!(grad(&x), vec![0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5]);
    // y = mean of all 8 elements ⇒ 1/8 each.
    let x = leaf(&[1.0; 8], &[2, 4]);
    x.mean().backward().unwrap();
    assert_eq!(grad(&x), vec![0.125; 8]);
}

#[test]
fn mean_grad_matches_finite_differences() {
    manual_seed(20);
    let x = Tensor::randn(&[2, 3, 4]);
    for (axes, keep) in [
        (vec![0isize], true),
        (vec![1], false),
        (vec![-1], true),
        (vec![0, 1], false),
        (vec![], true),
    ] {
        gradcheck(
            |v| v[0].try_mean_axes(&axes, keep),
            std::slice::from_ref(&x),
        );
    }
    gradcheck(|v| Ok(v[0].mean()), &[x]);
}

#[test]
fn max_grad_by_hand_goes_to_the_first_maximum_on_ties() {
    // y_i = max_j x_ij ⇒ dy_i/dx_ij = 1 at the first maximising j, 0 elsewhere.
    let x = leaf(&[1.0, 5.0, 5.0, 3.0, 2.0, 3.0], &[2, 3]);
    let m = x.try_max(Some(1), false).unwrap();
    assert_eq!(m.to_vec(), vec![5.0, 3.0]);
    m.backward_with(&t(&[1.0, 2.0], &[2])).unwrap();
    assert_eq!(grad(&x), vec![0.0, 1.0, 0.0, 2.0, 0.0, 0.0]);

    // Along axis 0 (negative), keepdim: column maxima, ties broken by the first row.
    let x = leaf(&[4.0, 1.0, 4.0, 7.0], &[2, 2]);
    let m = x.try_max(Some(-2), true).unwrap();
    assert_eq!(m.shape(), vec![1, 2]);
    assert_eq!(m.to_vec(), vec![4.0, 7.0]);
    m.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![1.0, 0.0, 0.0, 1.0]);

    // Over everything: 7 appears twice; only the first (flat index 1) gets the gradient.
    let x = leaf(&[2.0, 7.0, 7.0, 1.0], &[2, 2]);
    let m = x.try_max(None, false).unwrap();
    assert_eq!(m.item().unwrap(), 7.0);
    m.backward().unwrap();
    assert_eq!(grad(&x), vec![0.0, 1.0, 0.0, 0.0]);
}

#[test]
fn max_grad_matches_finite_differences() {
    let x = distinct(&[3, 4, 2], 21);
    manual_seed(21);
    for axis in [Some(0isize), Some(1), Some(2), Some(-1), None] {
        for keep in [false, true] {
            gradcheck(|v| v[0].try_max(axis, keep), std::slice::from_ref(&x));
        }
    }
}
