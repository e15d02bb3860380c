use tinytorch::{gradcheck::*, loss::Loss, manual_seed, nn::*, Tensor};
fn main() {
    manual_seed(113u64.wrapping_mul(1_000_003).wrapping_add(7));
    let model = Sequential::new(vec![
        Linear::new(4, 16, true).into_layer(),
        ReLU::new().into_layer(),
        Dropout::new(0.2).unwrap().into_layer(),
        Linear::new(16, 3, true).into_layer(),
    ]);
    let (x, y) = (Tensor::randn(&[40, 4]), Tensor::randn(&[40, 3]));
    model.eval();
    for eps in [1e-3f32, 3e-4, 1e-4] {
        let r = gradcheck(
            &model,
            &x,
            &y,
            Loss::Mse,
            &GradcheckOptions {
                eps,
                seed: 113,
                ..Default::default()
            },
        )
        .unwrap();
        for row in &r.rows {
            println!(
                "eps {eps} {} {} {:?} rel {:.4} abs {:.2e} checked {} skipped {}",
                row.layer,
                row.param,
                row.status,
                row.max_rel_error,
                row.max_abs_error,
                row.checked,
                row.skipped
            );
        }
    }
    let mut h = Linear::new(1, 1, true)
        .forward(&Tensor::zeros(&[1, 1]))
        .unwrap();
    let _ = &mut h;
}
