//! Runs suites over many seeds: `cargo run --release --example seed_sweep -- SEEDS SUITE...`.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let seeds: u64 = a[1].parse().expect("seed count");
    for name in &a[2..] {
        let (mut fails, mut metrics) = (0, Vec::new());
        let t = std::time::Instant::now();
        for seed in 0..seeds {
            let r = tinytorch::suites::run_suite(
                name,
                &tinytorch::suites::SuiteOptions::new(seed, None),
            )
            .expect("suite");
            if !r.passed {
                fails += 1;
                print!("seed {seed}: {}", r.summary());
            }
            for c in &r.cases {
                if let Some(v) = c.metrics.get("test_accuracy") {
                    metrics.push(*v);
                }
            }
        }
        metrics.sort_by(|x, y| x.total_cmp(y));
        let min = metrics.first().copied().unwrap_or(f64::NAN);
        let med = metrics.get(metrics.len() / 2).copied().unwrap_or(f64::NAN);
        println!(
            "{name}: {fails}/{seeds} failed; test accuracy min {min:.4} median {med:.4} ({:.1}s)",
            t.elapsed().as_secs_f64()
        );
    }
}
