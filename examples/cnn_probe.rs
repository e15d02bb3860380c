//! Gradient-check sweep of a small CNN over 200 seeds: failures and the worst relative error
//! (the evidence that the checker does not flag correct conv/batch-norm/pool layers).
use tinytorch::{gradcheck::*, manual_seed, nn::loss::Loss, nn::*, Tensor};
fn main() {
    let mut fails = 0;
    let mut worst = 0f32;
    for seed in 0..200 {
        manual_seed(seed);
        let m = Sequential::new(vec![
            Conv2d::new(2, 3, 3, 2, 1, true).unwrap().into_layer(),
            BatchNorm2d::new(3, 1e-5, 0.1).unwrap().into_layer(),
            ReLU::new().into_layer(),
            MaxPool2d::new(2, None, 0).unwrap().into_layer(),
            Conv2d::new(3, 4, 2, 1, 1, true).unwrap().into_layer(),
            Tanh::new().into_layer(),
            AvgPool2d::new(2, None, 0).unwrap().into_layer(),
            Flatten::new().into_layer(),
            Linear::new(4, 3, true).into_layer(),
        ]);
        let x = Tensor::randn(&[4, 2, 9, 9]);
        let y = Tensor::from_vec(vec![0., 1., 2., 1.], &[4]).unwrap();
        let r = gradcheck(&m, &x, &y, Loss::CrossEntropy, &GradcheckOptions::default()).unwrap();
        for row in &r.rows {
            worst = worst.max(row.max_rel_error);
        }
        if !r.passed {
            fails += 1;
            if fails < 4 {
                println!("seed {seed}: {}", r.summary);
            }
        }
        if seed < 5 {
            for layer in 0..9 {
                for f in FaultKind::ALL {
                    inject_fault(&m, layer, f).unwrap();
                    let r = gradcheck(&m, &x, &y, Loss::CrossEntropy, &GradcheckOptions::default())
                        .unwrap();
                    if r.culprit != Some(layer) {
                        println!(
                            "seed {seed} {f:?}@{layer}: culprit {:?} {}",
                            r.culprit, r.summary
                        );
                    }
                    clear_faults(&m);
                }
            }
        }
    }
    println!("cnn gradcheck: {fails}/200 unbroken failed, worst rel {worst:.4}");
}
