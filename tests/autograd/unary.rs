//! Unary functions (exp, log, sqrt, tanh, sigmoid, ReLU, GELU, abs): each by hand and against
//! central differences.

use super::*;

#[test]
fn exp_grad_by_hand() {
    // y = e^x ⇒ dy/dx = e^x: 1 at 0, 2 at ln 2.
    let x = leaf(&[0.0, std::f32::consts::LN_2], &[2]);
    x.exp().sum().backward().unwrap();
    assert_close(&grad(&x), &[1.0, 2.0], 1e-6);
}

#[test]
fn exp_grad_matches_finite_differences() {
    manual_seed(11);
    gradcheck(|x| Ok(x[0].exp()), &[Tensor::randn(&[2, 3])]);
}

#[test]
fn log_grad_by_hand() {
    // y = ln x ⇒ dy/dx = 1/x.
    let x = leaf(&[0.5, 2.0], &[2]);
    x.log().sum().backward().unwrap();
    assert_close(&grad(&x), &[2.0, 0.5], 1e-6);
}

#[test]
fn log_grad_matches_finite_differences() {
    manual_seed(12);
    gradcheck(|x| Ok(x[0].log()), &[Tensor::uniform(&[2, 3], 0.5, 3.0)]);
}

#[test]
fn sqrt_grad_by_hand() {
    // y = √x ⇒ dy/dx = 1/(2√x): 1/4 at 4, 1/6 at 9.
    let x = leaf(&[4.0, 9.0], &[2]);
    x.sqrt().sum().backward().unwrap();
    assert_close(&grad(&x), &[0.25, 1.0 / 6.0], 1e-6);
}

#[test]
fn sqrt_grad_matches_finite_differences() {
    manual_seed(13);
    gradcheck(|x| Ok(x[0].sqrt()), &[Tensor::uniform(&[2, 3], 0.5, 3.0)]);
}

#[test]
fn tanh_grad_by_hand() {
    // y = tanh x ⇒ dy/dx = 1 − tanh²x: 1 at 0, 1 − tanh²(0.5) at 0.5.
    let x = leaf(&[0.0, 0.5], &[2]);
    x.tanh().sum().backward().unwrap();
    let t5 = 0.5f64.tanh();
    assert_close(&grad(&x), &[1.0, (1.0 - t5 * t5) as f32], 1e-6);
}

#[test]
fn tanh_grad_matches_finite_differences() {
    manual_seed(14);
    gradcheck(|x| Ok(x[0].tanh()), &[Tensor::randn(&[2, 3])]);
}

#[test]
fn sigmoid_grad_by_hand() {
    // y = σ(x) ⇒ dy/dx = σ(x)(1 − σ(x)): 1/4 at 0; σ(2)(1 − σ(2)) at 2.
    let x = leaf(&[0.0, 2.0], &[2]);
    x.sigmoid().sum().backward().unwrap();
    let s2 = 1.0 / (1.0 + (-2.0f64).exp());
    assert_close(&grad(&x), &[0.25, (s2 * (1.0 - s2)) as f32], 1e-6);
}

#[test]
fn sigmoid_grad_matches_finite_differences() {
    manual_seed(15);
    gradcheck(
        |x| Ok(x[0].sigmoid()),
        &[Tensor::randn(&[2, 3]).mul_scalar(3.0)],
    );
}

#[test]
fn relu_grad_by_hand_uses_zero_subgradient_at_zero() {
    // y = max(0, x) ⇒ dy/dx = 1 for x > 0, 0 for x < 0, and 0 at exactly 0 (PyTorch's choice).
    let x = leaf(&[-1.0, 0.0, 2.0], &[3]);
    let y = x.relu();
    assert_eq!(y.to_vec(), vec![0.0, 0.0, 2.0]);
    y.sum().backward().unwrap();
    assert_eq!(grad(&x), vec![0.0, 0.0, 1.0]);
}

#[test]
fn relu_grad_matches_finite_differences() {
    manual_seed(16);
    gradcheck(|x| Ok(x[0].relu()), &[away_from_zero(&[3, 4])]);
}

/// GELU (tanh form) and its derivative, in f64, written out independently of the crate.
fn gelu64(x: f64) -> f64 {
    let c = (2.0 / std::f64::consts::PI).sqrt();
    0.5 * x * (1.0 + (c * (x + 0.044715 * x.powi(3))).tanh())
}

#[test]
fn gelu_grad_by_hand_equals_derivative_of_forward_formula() {
    // y = 0.5x(1 + tanh(u)), u = c(x + 0.044715x³)
    // ⇒ dy/dx = 0.5(1 + tanh u) + 0.5x(1 − tanh²u)·c(1 + 3·0.044715x²); at x = 0 it is 0.5.
    let xs = [0.0f32, 1.0, -1.5, 2.5];
    let x = leaf(&xs, &[4]);
    x.gelu().sum().backward().unwrap();
    let g = grad(&x);
    assert_eq!(g[0], 0.5);
    for (i, &xi) in xs.iter().enumerate() {
        // The derivative of the f64 forward formula by a tiny central difference: this is the
        // forward the crate computes, so backward must be its derivative (the reference's
        // backward differentiated a different approximation than its forward).
        let x64 = xi as f64;
        let d = (gelu64(x64 + 1e-6) - gelu64(x64 - 1e-6)) / 2e-6;
        assert!(
            (g[i] as f64 - d).abs() < 1e-6,
            "gelu'({xi}): backward {} vs derivative of the forward {d}",
            g[i]
        );
    }
}

#[test]
fn gelu_grad_matches_finite_differences() {
    manual_seed(17);
    gradcheck(
        |x| Ok(x[0].gelu()),
        &[Tensor::randn(&[3, 4]).mul_scalar(2.0)],
    );
}

#[test]
fn abs_grad_by_hand() {
    // y = |x| ⇒ dy/dx = sign(x), 0 at 0.
    let x = leaf(&[-2.0, 0.0, 3.0], &[3]);
    x.abs().sum().backward().unwrap();
    assert_eq!(grad(&x), vec![-1.0, 0.0, 1.0]);
}

#[test]
fn abs_grad_matches_finite_differences() {
    manual_seed(18);
    gradcheck(|x| Ok(x[0].abs()), &[away_from_zero(&[3, 4])]);
}
