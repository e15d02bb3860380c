//! Gradient-check sweep of the MLP shapes over many seeds: failures and the worst relative
//! error per model kind (false-positive rate of the per-layer checker).
use tinytorch::{gradcheck::*, manual_seed, nn::loss::Loss, nn::*, Tensor};
fn model(kind: usize) -> Sequential {
    match kind {
        0 => Sequential::new(
            (0..5)
                .flat_map(|_| {
                    [
                        Linear::new(4, 4, true).into_layer(),
                        ReLU::new().into_layer(),
                    ]
                })
                .collect(),
        ),
        1 => Sequential::new(vec![
            Linear::new(4, 8, true).into_layer(),
            Tanh::new().into_layer(),
            Linear::new(8, 8, true).into_layer(),
            GELU::new().into_layer(),
            Linear::new(8, 3, true).into_layer(),
        ]),
        _ => Sequential::new(vec![
            Linear::new(4, 16, true).into_layer(),
            Sigmoid::new().into_layer(),
            Linear::new(16, 3, true).into_layer(),
        ]),
    }
}
fn main() {
    let opts = GradcheckOptions::default();
    for kind in 0..4 {
        let mut worst = 0.0f32;
        let mut fails = 0;
        for seed in 0..300 {
            manual_seed(seed);
            let m = model(kind);
            let x = Tensor::randn(&[8, 4]);
            let (y, loss) = if kind == 0 {
                (Tensor::randn(&[8, 4]), Loss::Mse)
            } else {
                (
                    Tensor::from_vec((0..8).map(|i| (i % 3) as f32).collect(), &[8]).unwrap(),
                    Loss::CrossEntropy,
                )
            };
            let r = gradcheck(&m, &x, &y, loss, &opts).unwrap();
            for row in &r.rows {
                worst = worst.max(row.max_rel_error);
            }
            if !r.passed {
                fails += 1;
                if fails < 3 {
                    println!("kind {kind} seed {seed} FAIL: {}", r.summary);
                    for row in r.rows.iter().filter(|r| r.status != Status::Ok) {
                        println!("   {:?}", row);
                    }
                }
            }
            // faults
            let n = flatten_layers(&m).len();
            for layer in [0, n / 2, n - 1] {
                for f in FaultKind::ALL {
                    inject_fault(&m, layer, f).unwrap();
                    let r = gradcheck(&m, &x, &y, loss, &opts).unwrap();
                    if r.culprit != Some(layer) {
                        println!("kind {kind} seed {seed} fault {f:?}@{layer}: culprit {:?} passed {} — {}", r.culprit, r.passed, r.summary);
                    }
                    clear_faults(&m);
                }
            }
        }
        println!("kind {kind}: worst rel {worst:.4}, fails {fails}/100");
    }
}
