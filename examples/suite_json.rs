//! Prints a suite report as JSON: `cargo run --example suite_json -- NAME [SEED] [LAYER KIND]`.
use tinytorch::{nn::FaultKind, suites::*};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let seed = a.get(2).map(|s| s.parse().expect("seed")).unwrap_or(0);
    let fault = a.get(3).map(|l| FaultSpec {
        layer: l.parse().expect("layer"),
        kind: FaultKind::parse(a.get(4).expect("fault kind")).expect("fault kind"),
    });
    let r = run_suite(&a[1], &SuiteOptions::new(seed, fault)).expect("suite");
    println!("{}", r.to_json());
}
