//! Softmax, log-softmax and the losses (cross-entropy, BCE, BCE with logits, MSE), then a
//! composite expression and a two-layer network: by hand and against central differences.

use super::*;

#[test]
fn softmax_grad_by_hand() {
    // p = softmax([0, 0]) = [½, ½]; y = p₀ ⇒ dy/dx_j = p₀(δ₀ⱼ − p_j) = [¼, −¼].
    let x = leaf(&[0.0, 0.0], &[1, 2]);
    let p = x.try_softmax(-1).unwrap();
    assert_eq!(p.to_vec(), vec![0.5, 0.5]);
    p.backward_with(&t(&[1.0, 0.0], &[1, 2])).unwrap();
    assert_close(&grad(&x), &[0.25, -0.25], 1e-7);

    // Along axis 0 of a (2,1) column: same numbers, transposed layout.
    let x = leaf(&[0.0, 0.0], &[2, 1]);
    let p = x.try_softmax(0).unwrap();
    p.backward_with(&t(&[1.0, 0.0], &[2, 1])).unwrap();
    assert_close(&grad(&x), &[0.25, -0.25], 1e-7);
}

#[test]
fn softmax_grad_matches_finite_differences_along_each_axis() {
    manual_seed(35);
    let x = Tensor::randn(&[2, 3, 4]);
    for axis in [0isize, 1, 2, -1, -3] {
        gradcheck(|v| v[0].try_softmax(axis), std::slice::from_ref(&x));
    }
}

#[test]
fn log_softmax_grad_by_hand() {
    // y = log_softmax(x)₀ at x = [0, 0] ⇒ dy/dx_j = δ₀ⱼ − softmax(x)_j = [½, −½].
    let x = leaf(&[0.0, 0.0], &[2]);
    let y = x.try_log_softmax(0).unwrap();
    assert_close(&y.to_vec(), &[-std::f32::consts::LN_2; 2], 1e-7);
    y.backward_with(&t(&[1.0, 0.0], &[2])).unwrap();
    assert_close(&grad(&x), &[0.5, -0.5], 1e-7);
}

#[test]
fn log_softmax_grad_matches_finite_differences_along_each_axis() {
    manual_seed(36);
    let x = Tensor::randn(&[2, 3, 4]);
    for axis in [0isize, 1, 2, -1, -2] {
        gradcheck(|v| v[0].try_log_softmax(axis), std::slice::from_ref(&x));
    }
}

#[test]
fn cross_entropy_grad_by_hand() {
    // L = −(1/N) Σ_i log softmax(z_i)[t_i] ⇒ dL/dz_i = (softmax(z_i) − onehot(t_i)) / N.
    // Uniform logits over 3 classes, N = 2: rows are ([⅓, ⅓, ⅓] − onehot) / 2.
    let z = leaf(&[0.0; 6], &[2, 3]);
    let loss = z.try_cross_entropy(&[0, 2]).unwrap();
    assert!((loss.item().unwrap() - 3f32.ln()).abs() < 1e-6);
    loss.backward().unwrap();
    let (a, b) = (1.0 / 6.0, (1.0 / 3.0 - 1.0) / 2.0);
    assert_close(&grad(&z), &[b, a, a, a, a, b], 1e-6);
}

#[test]
fn cross_entropy_grad_matches_finite_differences() {
    manual_seed(37);
    gradcheck(
        |x| x[0].try_cross_entropy(&[0, 3, 1, 4]),
        &[Tensor::randn(&[4, 5]).mul_scalar(2.0)],
    );
    // Through the loss module with float labels and (B, S, C) logits.
    let labels = t(&[1.0, 0.0, 2.0, 2.0], &[2, 2]);
    gradcheck(
        |x| tinytorch::nn::loss::cross_entropy(&x[0], &labels),
        &[Tensor::randn(&[2, 2, 3])],
    );
}

#[test]
fn bce_grad_by_hand() {
    // L = −mean[y ln p + (1−y) ln(1−p)] ⇒ dL/dp = (p − y)/(p(1 − p))/N.
    // p = ¼, y = 1 ⇒ −1/p = −4; p = ½, y = 0 ⇒ 1/(1−p) = 2; N = 2 halves both.
    let p = leaf(&[0.25, 0.5], &[2]);
    let loss = p.try_bce(&t(&[1.0, 0.0], &[2])).unwrap();
    let want = (-(0.25f64.ln()) - 0.5f64.ln()) / 2.0;
    assert!((loss.item().unwrap() as f64 - want).abs() < 1e-6);
    loss.backward().unwrap();
    assert_close(&grad(&p), &[-2.0, 1.0], 1e-6);
}

#[test]
fn bce_grad_matches_finite_differences() {
    manual_seed(38);
    // Probabilities inside the clip range; soft targets exercise both log terms.
    let y = Tensor::rand(&[3, 4]);
    gradcheck(|x| x[0].try_bce(&y), &[Tensor::uniform(&[3, 4], 0.1, 0.9)]);
}

#[test]
fn bce_with_logits_grad_by_hand() {
    // L = mean[softplus(z) − z·y] ⇒ dL/dz = (σ(z) − y)/N: z = 0, y = 1 ⇒ −½, halved for N = 2;
    // z = 0, y = 0 ⇒ ½, halved.
    let z = leaf(&[0.0, 0.0], &[2]);
    let loss = z.try_bce_with_logits(&t(&[1.0, 0.0], &[2])).unwrap();
    assert!((loss.item().unwrap() - std::f32::consts::LN_2).abs() < 1e-6);
    loss.backward().unwrap();
    assert_close(&grad(&z), &[-0.25, 0.25], 1e-7);
}

#[test]
fn bce_with_logits_grad_matches_finite_differences() {
    manual_seed(39);
    let y = t(&[1.0, 0.0, 1.0, 0.0, 0.3, 0.7], &[2, 3]);
    gradcheck(
        |x| x[0].try_bce_with_logits(&y),
        &[Tensor::randn(&[2, 3]).mul_scalar(3.0)],
    );
}

#[test]
fn mse_loss_grad_by_hand() {
    // L = mean((p − t)²) ⇒ dL/dp = 2(p − t)/N: p = [1, 2], t = 0 ⇒ L = 2.5, grad [1, 2].
    let p = leaf(&[1.0, 2.0], &[2]);
    let loss = tinytorch::nn::loss::mse_loss(&p, &Tensor::zeros(&[2])).unwrap();
    assert_eq!(loss.item().unwrap(), 2.5);
    loss.backward().unwrap();
    assert_eq!(grad(&p), vec![1.0, 2.0]);
}

#[test]
fn mse_loss_grad_matches_finite_differences() {
    manual_seed(40);
    gradcheck(
        |x| tinytorch::nn::loss::mse_loss(&x[0], &x[1]),
        &[Tensor::randn(&[3, 2]), Tensor::randn(&[3, 2])],
    );
}

#[test]
fn composite_expression_grad_by_hand() {
    // y = x² + 5x + 4 ⇒ dy/dx = 2x + 5 = 11 at x = 3.
    let x = Tensor::scalar(3.0).requires_grad_(true);
    let y = (&x * &x) + x.mul_scalar(5.0) + 4.0;
    assert_eq!(y.item().unwrap(), 28.0);
    y.backward().unwrap();
    assert_eq!(x.grad().unwrap().item().unwrap(), 11.0);
}

#[test]
fn two_layer_network_grad_matches_finite_differences() {
    // A whole MLP + cross-entropy as one function of every parameter at once.
    manual_seed(41);
    let f = |v: &[Tensor]| {
        let h = v[0].try_matmul(&v[1])?.try_add(&v[2])?.tanh();
        h.try_matmul(&v[3])?.try_cross_entropy(&[0, 2, 1])
    };
    gradcheck(
        f,
        &[
            Tensor::randn(&[3, 4]),
            Tensor::randn(&[4, 5]).mul_scalar(0.5),
            Tensor::randn(&[5]),
            Tensor::randn(&[5, 3]),
        ],
    );
}
