//! Element-wise binary ops with broadcasting, scalar ops, `pow` and `neg`: each by hand and
//! against central differences.

use super::*;

#[test]
fn add_grad_by_hand_with_broadcast_of_both_operands() {
    // (4,1,3) + (2,1) → (4,2,3). y = Σ (a + b) ⇒ dy/da = 1 per output it feeds: each a element
    // is broadcast over 2 rows ⇒ 2; each b element is broadcast over 4·3 = 12 outputs ⇒ 12.
    let a = leaf(&[0.5; 12], &[4, 1, 3]);
    let b = leaf(&[1.0, -1.0], &[2, 1]);
    let y = a.try_add(&b).unwrap();
    assert_eq!(y.shape(), vec![4, 2, 3]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&a), vec![2.0; 12]);
    assert_eq!(a.grad().unwrap().shape(), vec![4, 1, 3]);
    assert_eq!(grad(&b), vec![12.0, 12.0]);
    assert_eq!(b.grad().unwrap().shape(), vec![2, 1]);
}

#[test]
fn add_grad_matches_finite_differences() {
    manual_seed(1);
    let f = |x: &[Tensor]| x[0].try_add(&x[1]);
    gradcheck(f, &[Tensor::randn(&[4, 1, 3]), Tensor::randn(&[2, 1])]);
    gradcheck(f, &[Tensor::randn(&[2, 3]), Tensor::randn(&[3])]);
    gradcheck(f, &[Tensor::randn(&[3]), Tensor::randn(&[2, 3])]);
}

#[test]
fn sub_grad_by_hand_with_broadcast() {
    // y = Σ (a − b), a (2,3), b (3,) ⇒ dy/da = 1, dy/db_j = −(rows) = −2.
    let a = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = leaf(&[1.0, 1.0, 1.0], &[3]);
    a.try_sub(&b).unwrap().sum().backward().unwrap();
    assert_eq!(grad(&a), vec![1.0; 6]);
    assert_eq!(grad(&b), vec![-2.0; 3]);
}

#[test]
fn sub_grad_matches_finite_differences() {
    manual_seed(2);
    let f = |x: &[Tensor]| x[0].try_sub(&x[1]);
    gradcheck(f, &[Tensor::randn(&[4, 1, 3]), Tensor::randn(&[2, 1])]);
    gradcheck(f, &[Tensor::randn(&[1, 3]), Tensor::randn(&[2, 1])]);
}

#[test]
fn mul_grad_by_hand_with_broadcast() {
    // y = Σ_ij a_ij·b_j, a (2,3), b (3,) ⇒ dy/da_ij = b_j, dy/db_j = Σ_i a_ij.
    let a = leaf(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = leaf(&[10.0, 20.0, 30.0], &[3]);
    a.try_mul(&b).unwrap().sum().backward().unwrap();
    assert_eq!(grad(&a), vec![10.0, 20.0, 30.0, 10.0, 20.0, 30.0]);
    assert_eq!(grad(&b), vec![5.0, 7.0, 9.0]);
}

#[test]
fn mul_grad_matches_finite_differences() {
    manual_seed(3);
    let f = |x: &[Tensor]| x[0].try_mul(&x[1]);
    gradcheck(f, &[Tensor::randn(&[4, 1, 3]), Tensor::randn(&[2, 1])]);
    gradcheck(f, &[Tensor::randn(&[2, 3]), Tensor::randn(&[2, 3])]);
}

#[test]
fn div_grad_by_hand_with_broadcast() {
    // y = Σ_ij a_ij / b_j ⇒ dy/da_ij = 1/b_j, dy/db_j = −Σ_i a_ij / b_j².
    let a = leaf(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let b = leaf(&[2.0, 4.0], &[2]);
    a.try_div(&b).unwrap().sum().backward().unwrap();
    assert_eq!(grad(&a), vec![0.5, 0.25, 0.5, 0.25]);
    // b₀: −(1 + 3)/4 = −1; b₁: −(2 + 4)/16 = −0.375.
    assert_eq!(grad(&b), vec![-1.0, -0.375]);
}

#[test]
fn div_grad_matches_finite_differences() {
    manual_seed(4);
    let f = |x: &[Tensor]| x[0].try_div(&x[1]);
    // Denominators in [1, 2] keep 1/b² well conditioned.
    gradcheck(
        f,
        &[
            Tensor::randn(&[4, 1, 3]),
            Tensor::uniform(&[2, 1], 1.0, 2.0),
        ],
    );
    gradcheck(
        f,
        &[
            Tensor::randn(&[2, 1]),
            Tensor::uniform(&[4, 1, 3], -2.0, -1.0),
        ],
    );
}

// Scalar ops, pow, neg.

#[test]
fn add_scalar_grad_by_hand() {
    // y = Σ (x + 5) ⇒ dy/dx = 1.
    let x = leaf(&[1.0, -2.0], &[2]);
    let y = x.add_scalar(5.0);
    assert_eq!(y.to_vec(), vec![6.0, 3.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![1.0, 1.0]);
}

#[test]
fn add_scalar_grad_matches_finite_differences() {
    manual_seed(5);
    gradcheck(|x| Ok(x[0].add_scalar(2.5)), &[Tensor::randn(&[3, 2])]);
}

#[test]
fn mul_scalar_grad_by_hand() {
    // y = Σ 3x ⇒ dy/dx = 3.
    let x = leaf(&[1.0, -2.0], &[2]);
    x.mul_scalar(3.0).sum().backward().unwrap();
    assert_eq!(grad(&x), vec![3.0, 3.0]);
}

#[test]
fn mul_scalar_grad_matches_finite_differences() {
    manual_seed(6);
    gradcheck(|x| Ok(x[0].mul_scalar(-1.5)), &[Tensor::randn(&[3, 2])]);
}

#[test]
fn rsub_scalar_grad_by_hand() {
    // y = Σ (5 − x) ⇒ dy/dx = −1.
    let x = leaf(&[1.0, 7.0], &[2]);
    let y = x.rsub_scalar(5.0);
    assert_eq!(y.to_vec(), vec![4.0, -2.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![-1.0, -1.0]);
}

#[test]
fn rsub_scalar_grad_matches_finite_differences() {
    manual_seed(7);
    gradcheck(|x| Ok(x[0].rsub_scalar(2.0)), &[Tensor::randn(&[3, 2])]);
}

#[test]
fn rdiv_scalar_grad_by_hand() {
    // y = Σ 2/x ⇒ dy/dx = −2/x².
    let x = leaf(&[1.0, 2.0, 4.0], &[3]);
    let y = x.rdiv_scalar(2.0);
    assert_eq!(y.to_vec(), vec![2.0, 1.0, 0.5]);
    y.sum().backward().unwrap();
    assert_close(&grad(&x), &[-2.0, -0.5, -0.125], 1e-6);
}

#[test]
fn rdiv_scalar_grad_matches_finite_differences() {
    manual_seed(8);
    gradcheck(
        |x| Ok(x[0].rdiv_scalar(3.0)),
        &[Tensor::uniform(&[3, 2], 1.0, 2.0)],
    );
}

#[test]
fn pow_grad_by_hand_for_integer_fractional_and_negative_exponents() {
    // y = x³ ⇒ dy/dx = 3x² = 12 at x = 2.
    let x = leaf(&[2.0], &[1]);
    x.pow(3.0).sum().backward().unwrap();
    assert_close(&grad(&x), &[12.0], 1e-6);
    // y = x^0.5 ⇒ dy/dx = 0.5·x^(−0.5) = 0.25 at x = 4.
    let x = leaf(&[4.0], &[1]);
    x.pow(0.5).sum().backward().unwrap();
    assert_close(&grad(&x), &[0.25], 1e-6);
    // y = x^(−2) ⇒ dy/dx = −2·x^(−3) = −0.25 at x = 2.
    let x = leaf(&[2.0], &[1]);
    x.pow(-2.0).sum().backward().unwrap();
    assert_close(&grad(&x), &[-0.25], 1e-6);
}

#[test]
fn pow_grad_matches_finite_differences() {
    manual_seed(9);
    for p in [2.0, 3.0, 0.5, 1.5, -1.0, -2.5] {
        gradcheck(
            move |x| Ok(x[0].pow(p)),
            &[Tensor::uniform(&[2, 3], 0.5, 2.0)],
        );
    }
}

#[test]
fn neg_grad_by_hand() {
    // y = Σ −x ⇒ dy/dx = −1.
    let x = leaf(&[3.0, -4.0], &[2]);
    let y = -&x;
    assert_eq!(y.to_vec(), vec![-3.0, 4.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![-1.0, -1.0]);
}

#[test]
fn neg_grad_matches_finite_differences() {
    manual_seed(10);
    gradcheck(|x| Ok(x[0].neg()), &[Tensor::randn(&[2, 3])]);
}
