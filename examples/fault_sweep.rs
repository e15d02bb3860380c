//! Plants every fault kind in every layer of every suite's models over seeds the tests never use,
//! and checks that each run fails and names the planted layer:
//! `cargo run --release --example fault_sweep -- --seeds 100 [--from 100000] [SUITE...]`.
//!
//! A suite's layers are read from its own report: one clean run (at the first seed), and every
//! layer index any case's per-layer gradient check lists. Prints one row per suite, layer and
//! kind (seeds run, named, wrong layer, not named, and how many of the misses were faults that
//! never took effect), the time per suite, and exits non-zero on any miss.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Instant;
use tinytorch::nn::FaultKind;
use tinytorch::suites::{list_suites, run_suite, FaultSpec, SuiteOptions, SuiteReport};

/// What the command line asked for.
struct Args {
    seeds: u64,
    from: u64,
    suites: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        seeds: 100,
        from: 100_000,
        suites: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(s) = it.next() {
        let mut number = |what: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{what} needs a number"))?;
            v.parse()
                .map_err(|_| format!("{what}: '{v}' is not a number"))
        };
        match s.as_str() {
            "--seeds" => a.seeds = number("--seeds")?,
            "--from" => a.from = number("--from")?,
            name if list_suites().iter().any(|i| i.name == name) => a.suites.push(s.clone()),
            other => return Err(format!("unknown argument or suite '{other}'")),
        }
    }
    if a.suites.is_empty() {
        a.suites = list_suites().iter().map(|s| s.name.to_string()).collect();
    }
    Ok(a)
}

/// Every layer index that any case's per-layer gradient check of `r` lists.
fn layers_of(r: &SuiteReport) -> Vec<usize> {
    let set: BTreeSet<usize> = r
        .cases
        .iter()
        .filter_map(|c| c.gradcheck.as_ref())
        .flat_map(|g| g.model_layers().map(|l| l.index))
        .collect();
    set.into_iter().collect()
}

/// Counts for one suite, layer and kind.
#[derive(Default)]
struct Tally {
    named: u64,
    wrong: u64,
    not_named: u64,
    not_applied: u64,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fault_sweep: {e}\nusage: fault_sweep [--seeds N] [--from SEED] [SUITE...]");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let (mut runs, mut misses) = (0u64, 0u64);
    let seeds = args.from..args.from + args.seeds;
    println!(
        "seeds {}..{} ({} each)\n{:<26} {:>5} {:<10} {:>5} {:>5} {:>11} {:>9} {:>11}",
        seeds.start,
        seeds.end,
        args.seeds,
        "suite",
        "layer",
        "kind",
        "seeds",
        "named",
        "wrong-layer",
        "not-named",
        "not-applied"
    );
    for suite in &args.suites {
        let t = Instant::now();
        let clean = match run_suite(suite, &SuiteOptions::new(args.from, None)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{suite}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if !clean.passed {
            println!(
                "{suite}: the clean run at seed {} fails:\n{}",
                args.from,
                clean.summary()
            );
            misses += 1;
        }
        let layers = layers_of(&clean);
        let mut suite_runs = 0u64;
        for &layer in &layers {
            for kind in FaultKind::ALL {
                let mut tally = Tally::default();
                for seed in seeds.clone() {
                    let fault = Some(FaultSpec { layer, kind });
                    let r = match run_suite(suite, &SuiteOptions::new(seed, fault)) {
                        Ok(r) => r,
                        Err(e) => {
                            eprintln!("{suite} seed {seed} {kind:?}@{layer}: {e}");
                            return ExitCode::FAILURE;
                        }
                    };
                    suite_runs += 1;
                    let blamed = r.blamed_layers();
                    if !r.passed && blamed == [layer] {
                        tally.named += 1;
                        continue;
                    }
                    if blamed.is_empty() {
                        tally.not_named += 1;
                    } else {
                        tally.wrong += 1;
                    }
                    if r.cases
                        .iter()
                        .any(|c| c.name == "fault_applied" && !c.passed)
                    {
                        tally.not_applied += 1;
                    }
                    if tally.wrong + tally.not_named <= 2 {
                        print!(
                            "  miss: {suite} seed {seed} {} at layer {layer}: {}",
                            kind.name(),
                            r.summary()
                        );
                    }
                }
                misses += tally.wrong + tally.not_named;
                println!(
                    "{:<26} {:>5} {:<10} {:>5} {:>5} {:>11} {:>9} {:>11}",
                    suite,
                    layer,
                    kind.name(),
                    args.seeds,
                    tally.named,
                    tally.wrong,
                    tally.not_named,
                    tally.not_applied
                );
            }
        }
        runs += suite_runs;
        println!(
            "{suite}: {} layers × {} kinds × {} seeds = {suite_runs} runs in {:.1} s",
            layers.len(),
            FaultKind::ALL.len(),
            args.seeds,
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "total: {runs} runs, {misses} misses, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if misses == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
