//! Shape movement (reshape, permute, transpose, narrow, cat, stack, unsqueeze, flatten): the
//! gradient lands on the right elements, by hand and against central differences.

use super::*;

#[test]
fn reshape_grad_by_hand_with_inferred_axis() {
    // y = Σ w ⊙ reshape(x) ⇒ dx = reshape⁻¹(w): the gradient returns in x's shape and order.
    let x = leaf(&[0.0; 6], &[2, 3]);
    let y = x.try_reshape(&[-1, 2]).unwrap();
    assert_eq!(y.shape(), vec![3, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]))
        .unwrap();
    assert_eq!(x.grad().unwrap().shape(), vec![2, 3]);
    assert_eq!(grad(&x), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
}

#[test]
fn reshape_grad_matches_finite_differences() {
    manual_seed(27);
    let x = Tensor::randn(&[2, 3, 4]);
    gradcheck(|v| v[0].try_reshape(&[4, -1]), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_reshape(&[-1]), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_view(&[6, 2, 2]), &[x]);
}

#[test]
fn permute_grad_by_hand_inverts_the_permutation() {
    // y = permute(x, [2,0,1]) so y[k,i,j] = x[i,j,k] ⇒ dx[i,j,k] = g[k,i,j].
    let x = leaf(&[0.0; 24], &[2, 3, 4]);
    let y = x.try_permute(&[2, 0, 1]).unwrap();
    assert_eq!(y.shape(), vec![4, 2, 3]);
    let g: Vec<f32> = (0..24).map(|v| v as f32).collect();
    y.backward_with(&t(&g, &[4, 2, 3])).unwrap();
    let gx = grad(&x);
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..4 {
                assert_eq!(gx[i * 12 + j * 4 + k], g[k * 6 + i * 3 + j]);
            }
        }
    }
}

#[test]
fn permute_grad_matches_finite_differences() {
    manual_seed(28);
    let x = Tensor::randn(&[2, 3, 4]);
    gradcheck(|v| v[0].try_permute(&[2, 0, 1]), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_permute(&[1, 2, 0]), &[x]);
}

#[test]
fn transpose_grad_by_hand() {
    // y = xᵀ ⇒ dx = gᵀ.
    let x = leaf(&[0.0; 6], &[2, 3]);
    let y = x.try_transpose(0, 1).unwrap();
    assert_eq!(y.shape(), vec![3, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]))
        .unwrap();
    assert_eq!(grad(&x), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    // try_t swaps the last two axes.
    let x = leaf(&[0.0; 6], &[1, 2, 3]);
    let y = x.try_t().unwrap();
    assert_eq!(y.shape(), vec![1, 3, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1, 3, 2]))
        .unwrap();
    assert_eq!(grad(&x), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
}

#[test]
fn transpose_grad_matches_finite_differences() {
    manual_seed(29);
    let x = Tensor::randn(&[2, 3, 4]);
    gradcheck(|v| v[0].try_transpose(0, 2), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_transpose(-1, -2), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_t(), &[x]);
}

#[test]
fn narrow_grad_by_hand_scatters_into_the_window() {
    // y = x[:, 1..3] ⇒ dx = g inside the window, 0 outside.
    let x = leaf(&[0.0; 8], &[2, 4]);
    let y = x.try_narrow(1, 1, 2).unwrap();
    assert_eq!(y.shape(), vec![2, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0], &[2, 2])).unwrap();
    assert_eq!(grad(&x), vec![0.0, 1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 0.0]);
}

#[test]
fn narrow_grad_matches_finite_differences() {
    manual_seed(30);
    let x = Tensor::randn(&[3, 4, 2]);
    gradcheck(|v| v[0].try_narrow(0, 1, 2), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_narrow(-2, 0, 3), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_narrow(2, 1, 1), &[x]);
}

#[test]
fn cat_grad_by_hand_splits_the_gradient() {
    // y = cat([a, b], axis 1) ⇒ da = g[:, ..2], db = g[:, 2..].
    let a = leaf(&[0.0; 4], &[2, 2]);
    let b = leaf(&[0.0; 2], &[2, 1]);
    let y = Tensor::try_cat(&[a.clone(), b.clone()], 1).unwrap();
    assert_eq!(y.shape(), vec![2, 3]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]))
        .unwrap();
    assert_eq!(grad(&a), vec![1.0, 2.0, 4.0, 5.0]);
    assert_eq!(grad(&b), vec![3.0, 6.0]);
}

#[test]
fn cat_grad_matches_finite_differences() {
    manual_seed(31);
    let f0 = |x: &[Tensor]| Tensor::try_cat(x, 0);
    gradcheck(f0, &[Tensor::randn(&[1, 3]), Tensor::randn(&[2, 3])]);
    let f_last = |x: &[Tensor]| Tensor::try_cat(x, -1);
    gradcheck(
        f_last,
        &[
            Tensor::randn(&[2, 2, 1]),
            Tensor::randn(&[2, 2, 3]),
            Tensor::randn(&[2, 2, 2]),
        ],
    );
}

#[test]
fn stack_grad_by_hand() {
    // y = stack([a, b], axis 1) (shape (2, 2, 2)) ⇒ da = g[:, 0], db = g[:, 1].
    let a = leaf(&[0.0; 2], &[2]);
    let b = leaf(&[0.0; 2], &[2]);
    let y = Tensor::try_stack(&[a.clone(), b.clone()], 1).unwrap();
    assert_eq!(y.shape(), vec![2, 2]);
    y.backward_with(&t(&[1.0, 2.0, 3.0, 4.0], &[2, 2])).unwrap();
    assert_eq!(grad(&a), vec![1.0, 3.0]);
    assert_eq!(grad(&b), vec![2.0, 4.0]);
}

#[test]
fn stack_grad_matches_finite_differences() {
    manual_seed(32);
    for axis in 0..3 {
        gradcheck(
            |x| Tensor::try_stack(x, axis),
            &[Tensor::randn(&[2, 3]), Tensor::randn(&[2, 3])],
        );
    }
}

#[test]
fn unsqueeze_grad_by_hand() {
    // y = unsqueeze(x, 1) only adds an axis ⇒ dx = g with the axis removed.
    let x = leaf(&[0.0; 3], &[3]);
    let y = x.try_unsqueeze(1).unwrap();
    assert_eq!(y.shape(), vec![3, 1]);
    y.backward_with(&t(&[1.0, 2.0, 3.0], &[3, 1])).unwrap();
    assert_eq!(x.grad().unwrap().shape(), vec![3]);
    assert_eq!(grad(&x), vec![1.0, 2.0, 3.0]);
}

#[test]
fn unsqueeze_grad_matches_finite_differences() {
    manual_seed(33);
    for axis in 0..3 {
        gradcheck(|x| x[0].try_unsqueeze(axis), &[Tensor::randn(&[2, 3])]);
    }
}

#[test]
fn flatten_grad_by_hand() {
    // y = flatten(x, 1): (2,2,2) → (2,4) ⇒ dx = g reshaped back.
    let x = leaf(&[0.0; 8], &[2, 2, 2]);
    let y = x.try_flatten(1).unwrap();
    assert_eq!(y.shape(), vec![2, 4]);
    let g: Vec<f32> = (1..=8).map(|v| v as f32).collect();
    y.backward_with(&t(&g, &[2, 4])).unwrap();
    assert_eq!(x.grad().unwrap().shape(), vec![2, 2, 2]);
    assert_eq!(grad(&x), g);
}

#[test]
fn flatten_grad_matches_finite_differences() {
    manual_seed(34);
    let x = Tensor::randn(&[2, 3, 2, 2]);
    gradcheck(|v| v[0].try_flatten(0), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_flatten(1), std::slice::from_ref(&x));
    gradcheck(|v| v[0].try_flatten(2), &[x]);
}
