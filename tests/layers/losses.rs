//! Losses (cross-entropy, BCE, BCE with logits, MSE): known values, finite results at extreme
//! inputs, and an error that names the loss for a target out of range.

use super::*;

#[test]
fn cross_entropy_of_uniform_logits_is_ln_of_class_count() {
    let loss = cross_entropy(&Tensor::zeros(&[4, 3]), &t(&[0.0, 1.0, 2.0, 1.0], &[4]))
        .unwrap()
        .item()
        .unwrap();
    assert!((loss - 3f32.ln()).abs() <= 1e-6, "{loss}");
}

#[test]
fn cross_entropy_of_confident_correct_predictions_is_near_zero() {
    let logits = t(&[100.0, 0.0, 0.0, 0.0, 100.0, 0.0], &[2, 3]);
    let loss = cross_entropy(&logits, &t(&[0.0, 1.0], &[2]))
        .unwrap()
        .item()
        .unwrap();
    assert!((0.0..1e-6).contains(&loss), "{loss}");
}

#[test]
fn cross_entropy_with_logits_of_100_stays_finite() {
    // Wrong class with a margin of 100 ⇒ loss = 100 − 0 + ln(1 + 2e^−100) ≈ 100.
    let logits = t(&[100.0, 0.0, 0.0], &[1, 3]).requires_grad_(true);
    let loss = cross_entropy(&logits, &t(&[1.0], &[1])).unwrap();
    assert!((loss.item().unwrap() - 100.0).abs() < 1e-3);
    loss.backward().unwrap();
    let g = logits.grad().unwrap().to_vec();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    assert!((g[0] - 1.0).abs() < 1e-6 && (g[1] + 1.0).abs() < 1e-6 && g[2].abs() < 1e-6);
}

#[test]
fn cross_entropy_target_out_of_range_is_an_error_naming_cross_entropy() {
    let err = Tensor::zeros(&[2, 3])
        .try_cross_entropy(&[0, 3])
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("cross_entropy"), "{msg}");
    assert!(msg.contains('3'), "{msg}");
}

#[test]
fn bce_clipping_keeps_the_loss_finite_at_zero_and_one() {
    // p = 0, y = 1: p is clipped to 1e−7 ⇒ L = −ln(1e−7) ≈ 16.118.
    let p = t(&[0.0], &[1]).requires_grad_(true);
    let l = p.try_bce(&t(&[1.0], &[1])).unwrap();
    assert!(
        (l.item().unwrap() as f64 - 1e7f64.ln()).abs() < 1e-3,
        "{l:?}"
    );
    l.backward().unwrap();
    assert!(p.grad().unwrap().to_vec()[0].is_finite());
    // p = 1, y = 0: 1 − 1e−7 rounds to 1 − 2⁻²³ in f32, so 1 − p = 2⁻²³ and
    // L = 23·ln 2 ≈ 15.942 (finite, not +inf).
    let p = t(&[1.0], &[1]).requires_grad_(true);
    let l = p.try_bce(&t(&[0.0], &[1])).unwrap();
    assert!(
        (l.item().unwrap() as f64 - 23.0 * 2f64.ln()).abs() < 1e-3,
        "{l:?}"
    );
    l.backward().unwrap();
    assert!(p.grad().unwrap().to_vec()[0].is_finite());
    // The correct extremes cost (almost) nothing.
    let l = t(&[1.0, 0.0], &[2]).try_bce(&t(&[1.0, 0.0], &[2])).unwrap();
    assert!(l.item().unwrap() < 1e-6);
}

#[test]
fn bce_with_logits_equals_bce_of_sigmoid_for_moderate_logits() {
    let zs = [-3.0, -1.0, 0.0, 0.5, 2.0, 4.0];
    let y = t(&[0.0, 1.0, 1.0, 0.0, 1.0, 0.3], &[6]);
    let z1 = t(&zs, &[6]).requires_grad_(true);
    let z2 = t(&zs, &[6]).requires_grad_(true);
    let a = z1.try_bce_with_logits(&y).unwrap();
    let b = z2.sigmoid().try_bce(&y).unwrap();
    assert!((a.item().unwrap() - b.item().unwrap()).abs() < 1e-5);
    a.backward().unwrap();
    b.backward().unwrap();
    let (ga, gb) = (z1.grad().unwrap().to_vec(), z2.grad().unwrap().to_vec());
    for (ga, gb) in ga.iter().zip(&gb) {
        assert!((ga - gb).abs() < 1e-5, "{ga} vs {gb}");
    }
}

#[test]
fn bce_with_logits_stays_finite_for_logits_of_100() {
    // Confidently wrong: z = 100, y = 0 and z = −100, y = 1 each cost 100.
    let z = t(&[100.0, -100.0], &[2]).requires_grad_(true);
    let wrong = z.try_bce_with_logits(&t(&[0.0, 1.0], &[2])).unwrap();
    assert!((wrong.item().unwrap() - 100.0).abs() < 1e-3, "{wrong:?}");
    wrong.backward().unwrap();
    // dL/dz = (σ(z) − y)/N = [½, −½].
    assert_eq!(z.grad().unwrap().to_vec(), vec![0.5, -0.5]);
    // Confidently right costs ≈ 0.
    let right = t(&[100.0, -100.0], &[2])
        .try_bce_with_logits(&t(&[1.0, 0.0], &[2]))
        .unwrap();
    assert!((0.0..1e-6).contains(&right.item().unwrap()));
}

#[test]
fn mse_loss_is_the_mean_over_all_elements() {
    let p = t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let l = mse_loss(&p, &Tensor::zeros(&[2, 2])).unwrap();
    assert_eq!(l.item().unwrap(), 7.5); // (1 + 4 + 9 + 16) / 4
}
