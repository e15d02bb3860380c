//! The integration suites from the command line (the seed's `pytest tests/integration/ -v`):
//! `cargo run --release --bin suites -- [NAME…] [-k PATTERN] [--quick] [--long] [--seed N]
//! [--fault LAYER:KIND] [--json]`. Prints one line per case and a closing count; exits 1 when
//! a case fails, 2 on bad arguments.

use std::process::ExitCode;
use tinytorch::nn::FaultKind;
use tinytorch::suites::{list_suites, run_suite, FaultSpec, SuiteOptions, SuiteReport};

const USAGE: &str =
    "usage: suites [NAME…] [-k PATTERN] [--quick] [--long] [--seed N] [--fault LAYER:KIND] [--json]

  NAME…             suites to run (default: all); see --list
  -k PATTERN        only suites whose name contains PATTERN, or cases (suite::case) that do
  --quick           the cheap form of every case (smoke tests for CI)
  --long            for each failing case, the long form: its detail (inputs, expected and
                    received values, gradients of the worst element, the layers it went through)
  --seed N          the seed of every random draw (default 0)
  --fault L:KIND    plant KIND (detach, zero_grad, flip_sign, scale_grad) in layer L of every model
  --json            print the reports as JSON lines instead of the case lines
  --list            list the suites and exit";

struct Args {
    names: Vec<String>,
    pattern: Option<String>,
    quick: bool,
    long: bool,
    seed: u64,
    fault: Option<FaultSpec>,
    json: bool,
    list: bool,
}

fn parse(argv: &[String]) -> Result<Args, String> {
    let mut a = Args {
        names: Vec::new(),
        pattern: None,
        quick: false,
        long: false,
        seed: 0,
        fault: None,
        json: false,
        list: false,
    };
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "-k" => a.pattern = Some(value("-k")?),
            "--quick" => a.quick = true,
            "--long" | "--tb=long" => a.long = true,
            "--json" => a.json = true,
            "--list" => a.list = true,
            "--seed" => {
                let v = value("--seed")?;
                a.seed = v
                    .parse()
                    .map_err(|_| format!("--seed takes a whole number ≥ 0, got '{v}'"))?;
            }
            "--fault" => {
                let v = value("--fault")?;
                let (layer, kind) = v
                    .split_once(':')
                    .ok_or_else(|| format!("--fault takes LAYER:KIND, got '{v}'"))?;
                let layer = layer
                    .parse()
                    .map_err(|_| format!("--fault: '{layer}' is not a layer number"))?;
                let kind = FaultKind::parse(kind).map_err(|e| format!("--fault: {e}"))?;
                a.fault = Some(FaultSpec { layer, kind });
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option '{s}'")),
            s => a.names.push(s.to_string()),
        }
    }
    let known: Vec<&str> = list_suites().iter().map(|s| s.name).collect();
    if let Some(bad) = a.names.iter().find(|n| !known.contains(&n.as_str())) {
        return Err(format!(
            "no suite named '{bad}' (suites: {})",
            known.join(", ")
        ));
    }
    Ok(a)
}

fn print_long(r: &SuiteReport, case: &tinytorch::suites::CaseReport) {
    println!("---- {}::{} ----", r.suite, case.name);
    println!("{}", case.description);
    println!("why: {}", case.message);
    if !case.your_code.is_empty() {
        println!("your code in this case: {}", case.your_code.join(", "));
    }
    if let Some(d) = &case.detail {
        print!("{}", d.to_text());
    }
    if let Some(gc) = &case.gradcheck {
        for l in gc
            .layers
            .iter()
            .filter(|l| l.status != tinytorch::gradcheck::Status::Ok || l.culprit)
        {
            println!(
                "  {}{}: {}",
                if l.culprit { "◆ " } else { "  " },
                l.describe,
                l.reason
            );
        }
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("suites: {e}\n");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if e.is_empty() { 0 } else { 2 });
        }
    };
    let catalogue = list_suites();
    if args.list {
        for s in &catalogue {
            println!(
                "{:<26} {:<9} modules {:?}: {}",
                s.name, s.category, s.modules, s.description
            );
        }
        return ExitCode::SUCCESS;
    }
    let pattern = args.pattern.clone().unwrap_or_default();
    let chosen: Vec<_> = catalogue
        .iter()
        .filter(|s| args.names.is_empty() || args.names.iter().any(|n| n == s.name))
        .collect();
    let (mut passed, mut failed) = (0, 0);
    let started = std::time::Instant::now();
    for s in chosen {
        // -k matches a suite's name, or (for the cases' lines) `suite::case`.
        let suite_matches = s.name.contains(&pattern);
        let opts = SuiteOptions {
            quick: args.quick,
            ..SuiteOptions::new(args.seed, args.fault)
        };
        let r = match run_suite(s.name, &opts) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("suites: {e}");
                return ExitCode::from(2);
            }
        };
        let cases: Vec<_> = r
            .cases
            .iter()
            .filter(|c| suite_matches || format!("{}::{}", r.suite, c.name).contains(&pattern))
            .collect();
        if cases.is_empty() {
            continue;
        }
        if args.json {
            println!("{}", r.to_json());
        }
        for c in &cases {
            if c.passed {
                passed += 1
            } else {
                failed += 1
            }
            if !args.json {
                println!(
                    "{}::{} {}",
                    r.suite,
                    c.name,
                    if c.passed { "PASSED" } else { "FAILED" }
                );
            }
        }
        if args.long && !args.json {
            for c in cases.iter().filter(|c| !c.passed) {
                print_long(&r, c);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let line = format!(
        "{passed} passed, {failed} failed in {secs:.2}s{}",
        if args.quick { " (quick)" } else { "" }
    );
    if args.json {
        eprintln!("{line}")
    } else {
        println!("{line}")
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
