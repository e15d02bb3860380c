//! Runs every suite over N seeds (`cargo run --release --example suite_probe -- N`): pass
//! counts, time per suite, and whether each planted fault is caught and named.
use tinytorch::nn::FaultKind;
use tinytorch::suites::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u64 = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(3);
    for s in list_suites() {
        let t = std::time::Instant::now();
        let mut fails = 0;
        for seed in 0..seeds {
            let r = run_suite(s.name, &SuiteOptions::new(seed, None)).unwrap();
            if !r.passed {
                fails += 1;
                if fails <= 2 {
                    print!("seed {seed}: {}", r.summary());
                }
            }
        }
        println!(
            "{}: {fails}/{seeds} seeds failed ({:.1}s)",
            s.name,
            t.elapsed().as_secs_f64()
        );
        for layer in [0usize, 1, 2, 3] {
            for kind in FaultKind::ALL {
                let r = run_suite(
                    s.name,
                    &SuiteOptions::new(0, Some(FaultSpec { layer, kind })),
                )
                .unwrap();
                let blamed = r.blamed_layers();
                let ok = !r.passed && blamed == vec![layer];
                if !ok {
                    println!(
                        "   fault {kind:?}@{layer}: passed={} blamed={blamed:?}",
                        r.passed
                    );
                    for c in r.failures() {
                        println!("      {} -> layer {:?}: {}", c.name, c.layer, c.message);
                    }
                }
            }
        }
    }
}
