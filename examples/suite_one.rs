fn main() {
    let a: Vec<String> = std::env::args().collect();
    let r = tinytorch::suites::run_suite(
        &a[1],
        &tinytorch::suites::SuiteOptions {
            seed: a.get(2).map(|s| s.parse().unwrap()).unwrap_or(0),
            fault: None,
        },
    )
    .unwrap();
    print!("{}", r.summary());
    if a.len() > 3 {
        println!("{}", r.to_json());
    }
}
