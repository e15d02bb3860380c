//! The `api_compatibility` suite natively: it passes at many seeds; a documented value that
//! drifts from the code (planted by changing the suite's table) fails exactly the case that
//! reads it, with a message naming the item, the documented value and what the code gave; and
//! a planted fault fails the model cases and names the layer.

use tinytorch::nn::FaultKind;
use tinytorch::suites::api_compatibility::{documented, run_with_docs, Docs, Value};
use tinytorch::suites::{list_suites, run_suite, FaultSpec, SuiteOptions, SuiteReport};

const SUITE: &str = "api_compatibility";

fn failing(r: &SuiteReport) -> Vec<&str> {
    r.failures().map(|c| c.name.as_str()).collect()
}

/// The table with the value of `item`'s `what` replaced by `value`.
fn planted(item: &str, what: &str, value: Value) -> Docs {
    let mut docs = documented();
    let e = docs
        .entries
        .iter_mut()
        .find(|e| e.item == item && e.what == what)
        .unwrap_or_else(|| panic!("no entry {item} / {what}"));
    e.value = value;
    docs
}

#[test]
fn the_catalogue_lists_one_case_per_course_module() {
    let s = list_suites().into_iter().find(|s| s.name == SUITE).unwrap();
    assert_eq!(s.category, "standard");
    assert_eq!(s.modules, (1..=20).collect::<Vec<u32>>());
    assert!(s.fast);
    assert_eq!(s.cases, 20);
    for (i, name) in s.case_names.iter().enumerate() {
        assert!(
            name.starts_with(&format!("m{:02}_", i + 1)),
            "case {i} is {name}"
        );
    }
}

#[test]
fn passes_at_many_seeds_and_in_quick_mode() {
    for seed in (0..40).chain([1000, 99_999, u64::MAX]) {
        let r = run_suite(SUITE, &SuiteOptions::new(seed, None)).unwrap();
        assert!(r.passed, "seed {seed}:\n{}", r.summary());
        let q = run_suite(SUITE, &SuiteOptions::new(seed, None).quick()).unwrap();
        assert!(
            q.passed && q.cases.len() == 20,
            "quick, seed {seed}:\n{}",
            q.summary()
        );
    }
}

#[test]
fn the_unchanged_table_passes_through_the_test_hook() {
    let r = run_with_docs(&documented(), &SuiteOptions::new(5, None)).unwrap();
    assert!(r.passed, "{}", r.summary());
    assert_eq!(r.suite, SUITE);
    let read: f64 = r.cases.iter().map(|c| c.metrics["documented_values"]).sum();
    assert_eq!(
        read as usize,
        documented().entries.len(),
        "every documented value is read once"
    );
}

#[test]
fn adam_eps_documented_as_1e_7_fails_the_optimizer_case_naming_it() {
    let docs = planted("Adam::new", "eps", Value::Num(1e-7));
    let r = run_with_docs(&docs, &SuiteOptions::new(0, None)).unwrap();
    assert_eq!(failing(&r), ["m06_optimizers"], "{}", r.summary());
    let msg = &r.failures().next().unwrap().message;
    assert!(
        msg.starts_with("Adam::new: eps is documented as 1e-7 (src/optim/adam.rs"),
        "{msg}"
    );
    assert!(msg.contains("the code gave ["), "{msg}");
}

#[test]
fn sgd_momentum_documented_as_0_9_fails_naming_it() {
    let docs = planted(
        "FitOptions::default",
        "momentum (the SGD fit builds)",
        Value::Num(0.9),
    );
    let r = run_with_docs(&docs, &SuiteOptions::new(0, None)).unwrap();
    assert_eq!(failing(&r), ["m06_optimizers"], "{}", r.summary());
    let msg = &r.failures().next().unwrap().message;
    assert!(
        msg.contains("momentum (the SGD fit builds) is documented as 0.9")
            && msg.contains("the code gave 0"),
        "{msg}"
    );
}

/// Every entry of the table, changed on its own, fails exactly one case: the one that reads
/// it, saying what the table held.
#[test]
fn every_documented_value_changed_alone_fails_exactly_one_case() {
    let all = documented();
    let mut misses = Vec::new();
    for (i, e) in all.entries.iter().enumerate() {
        let mut docs = documented();
        docs.entries[i].value = e.value.changed();
        let r = run_with_docs(&docs, &SuiteOptions::new(3, None)).unwrap();
        let failed = failing(&r);
        let says = format!(
            "{}: {} is documented as {}",
            e.item,
            e.what,
            e.value.changed()
        );
        let named = r.failures().all(|c| c.message.starts_with(&says));
        if failed.len() != 1 || !named {
            misses.push(format!(
                "{} / {}: failing {failed:?}\n{}",
                e.item,
                e.what,
                r.summary()
            ));
        }
    }
    assert!(
        misses.is_empty(),
        "{} entries:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn a_flipped_sign_fails_the_model_cases_and_names_the_layer() {
    for layer in [0, 2] {
        let fault = Some(FaultSpec {
            layer,
            kind: FaultKind::FlipSign,
        });
        let r = run_suite(SUITE, &SuiteOptions::new(0, fault)).unwrap();
        assert_eq!(
            failing(&r),
            ["m03_layers", "m09_spatial"],
            "{}",
            r.summary()
        );
        for c in r.failures() {
            assert_eq!(c.layer, Some(layer), "{}", r.summary());
            assert!(
                c.message.starts_with(&format!("layer {layer}, "))
                    && c.message.contains("sign is flipped"),
                "{}",
                c.message
            );
        }
    }
    // Layers 3-5 exist only in the CNN.
    let fault = Some(FaultSpec {
        layer: 5,
        kind: FaultKind::FlipSign,
    });
    let r = run_suite(SUITE, &SuiteOptions::new(0, fault)).unwrap();
    assert_eq!(failing(&r), ["m09_spatial"], "{}", r.summary());
    assert_eq!(r.blamed_layers(), vec![5]);
}

#[test]
fn every_fault_kind_in_every_catalogued_layer_is_named() {
    let s = list_suites().into_iter().find(|s| s.name == SUITE).unwrap();
    for &layer in &s.fault_layers {
        for kind in FaultKind::ALL {
            for seed in [0, 1, 200_000] {
                let r = run_suite(
                    SUITE,
                    &SuiteOptions::new(seed, Some(FaultSpec { layer, kind })),
                )
                .unwrap();
                assert!(!r.passed, "{kind:?} at {layer} passed");
                assert_eq!(
                    r.blamed_layers(),
                    vec![layer],
                    "{kind:?} at {layer}, seed {seed}:\n{}",
                    r.summary()
                );
            }
        }
    }
}
