//! Gradient-check sweep of a tiny GPT over many seeds: failures and the worst relative error.
use tinytorch::{gradcheck::*, manual_seed, nn::loss::Loss, nn::*, Tensor};
fn main() {
    let cfg = GptConfig {
        vocab: 11,
        dim: 16,
        layers: 2,
        heads: 2,
        max_len: 8,
        mlp_ratio: 2,
    };
    let (mut fails, mut worst) = (0, 0f32);
    let opts = GradcheckOptions {
        input_grad: false,
        ..Default::default()
    };
    for seed in 0..60 {
        manual_seed(seed);
        let m = GPT::new(cfg).unwrap();
        let ids = Tensor::from_vec(
            (0..12)
                .map(|i| ((i * 7 + seed as usize) % 11) as f32)
                .collect(),
            &[2, 6],
        )
        .unwrap();
        let tgt = Tensor::from_vec(
            (0..12).map(|i| ((i * 3 + 1) % 11) as f32).collect(),
            &[2, 6],
        )
        .unwrap();
        let t = std::time::Instant::now();
        let r = gradcheck(&m, &ids, &tgt, Loss::CrossEntropy, &opts).unwrap();
        if seed == 0 {
            println!(
                "gradcheck of 2-block GPT: {} layers, {} rows, {:.0} ms",
                r.layers.len(),
                r.rows.len(),
                t.elapsed().as_secs_f64() * 1e3
            );
            for l in &r.layers {
                print!("{}:{} ", l.index, l.path);
            }
            println!();
        }
        for row in &r.rows {
            worst = worst.max(row.max_rel_error);
        }
        if !r.passed {
            fails += 1;
            if fails < 4 {
                println!("seed {seed}: {}", r.summary);
            }
        }
        if seed < 3 {
            let n = flatten_layers(&m).len();
            for layer in 0..n {
                for f in FaultKind::ALL {
                    inject_fault(&m, layer, f).unwrap();
                    let r = gradcheck(&m, &ids, &tgt, Loss::CrossEntropy, &opts).unwrap();
                    if r.culprit != Some(layer) {
                        println!(
                            "seed {seed} {f:?}@{layer} ({}): culprit {:?} — {}",
                            flatten_layers(&m)[layer].path,
                            r.culprit,
                            r.summary
                        );
                    }
                    clear_faults(&m);
                }
            }
        }
    }
    println!("gpt gradcheck: {fails}/60 unbroken failed, worst rel {worst:.4}");
}
