//! The engine: suites run on installed implementations and mark them; whatever an
//! implementation does wrong becomes an error naming its slot, never a panic.

use super::reference::{imp, install_modules};
use tinytorch::slots::{self, Slot, Value};
use tinytorch::suites::{run_suite, SuiteOptions, SuiteReport};

fn run(name: &str, seed: u64) -> SuiteReport {
    run_suite(name, &SuiteOptions::new(seed, None)).expect("suite runs")
}

fn failing_message(r: &SuiteReport) -> String {
    r.failures()
        .map(|c| format!("{}: {}", c.name, c.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn suites_pass_with_every_reference_slot_installed_and_mark_them() {
    slots::clear();
    install_modules(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (name, seeds) in [
        ("gradient_flow", 0..2),
        ("training_flow", 0..2),
        ("dataloader_integration", 0..2),
        ("cnn_integration", 0..2),
        ("xor", 0..1),
    ] {
        for seed in seeds {
            let r = run(name, seed);
            assert!(r.passed, "{name} seed {seed}:\n{}", r.summary());
            assert!(
                r.cases.iter().any(|c| !c.your_code.is_empty()),
                "{name}: no case records the installed slots"
            );
        }
    }
    let r = run("gradient_flow", 0);
    let c = r
        .cases
        .iter()
        .find(|c| c.name == "five_linear_relu")
        .expect("case");
    for s in [
        "relu",
        "reluBackward",
        "linearForward",
        "mseLoss",
        "broadcastShape",
    ] {
        assert!(
            c.your_code.iter().any(|y| y == s),
            "{s} not in {:?}",
            c.your_code
        );
    }
    let gc = c.gradcheck.as_ref().expect("gradcheck");
    let relu = gc
        .layers
        .iter()
        .find(|l| l.name == "ReLU")
        .expect("a ReLU layer");
    assert_eq!(relu.your_code, vec!["relu", "reluBackward"]);
    let lin = gc
        .layers
        .iter()
        .find(|l| l.name == "Linear")
        .expect("a Linear layer");
    assert!(
        lin.your_code.contains(&"linearForward".to_string()),
        "{:?}",
        lin.your_code
    );
    slots::clear();
}

#[test]
fn without_slots_nothing_is_marked() {
    slots::clear();
    let r = run("gradient_flow", 0);
    assert!(r.passed);
    assert!(r.cases.iter().all(|c| c.your_code.is_empty()));
    assert!(r
        .cases
        .iter()
        .flat_map(|c| c.gradcheck.iter())
        .flat_map(|g| g.layers.iter())
        .all(|l| l.your_code.is_empty()));
}

fn with_relu(f: impl Fn(&mut [Value]) -> Result<Value, String> + 'static) -> String {
    slots::clear();
    slots::install(Slot::Relu, imp(f));
    let r = run("gradient_flow", 0);
    slots::clear();
    assert!(!r.passed, "a broken relu passed gradient_flow");
    let c = r
        .cases
        .iter()
        .find(|c| c.name == "five_linear_relu")
        .expect("case");
    assert!(!c.passed);
    c.message.clone()
}

#[test]
fn a_throwing_implementation_fails_the_case_with_its_message() {
    let m = with_relu(|_| Err("Error: boom (line 3:7)".into()));
    assert!(
        m.contains("relu (your code): threw: Error: boom (line 3:7)"),
        "{m}"
    );
}

#[test]
fn a_wrong_shape_names_the_slot_and_both_shapes() {
    let m = with_relu(|a| match &a[0] {
        Value::Tensor(x) => Ok(Value::Tensor(
            x.clone()
                .into_shape_with_order(ndarray::IxDyn(&[x.len()]))
                .expect("flat"),
        )),
        _ => unreachable!(),
    });
    assert!(
        m.contains("relu (your code)") && m.contains("[64]") && m.contains("[16, 4]"),
        "{m}"
    );
}

#[test]
fn nan_and_non_tensors_are_named() {
    let m = with_relu(|a| match &a[0] {
        Value::Tensor(x) => Ok(Value::Tensor(x.mapv(|_| f32::NAN))),
        _ => unreachable!(),
    });
    assert!(
        m.contains("relu (your code)") && m.contains("NaN at index [0, 0]"),
        "{m}"
    );
    let m = with_relu(|_| Ok(Value::Num(3.0)));
    assert!(
        m.contains("relu (your code)") && m.contains("the number 3"),
        "{m}"
    );
    let m = with_relu(|_| Ok(Value::Other("a string".into())));
    assert!(m.contains("but it returned a string"), "{m}");
}

#[test]
fn errors_inside_infallible_ops_surface_at_the_layer_not_as_panics() {
    // `&a * &b` inside the MSE loss would panic on an error; a failing mul is deferred and
    // raised by the loss instead.
    slots::clear();
    slots::install(Slot::Mul, imp(|_| Err("mul is broken".into())));
    let r = run("gradient_flow", 0);
    slots::clear();
    assert!(!r.passed);
    assert!(
        failing_message(&r).contains("mul (your code): threw: mul is broken"),
        "{}",
        failing_message(&r)
    );
}

#[test]
fn a_failing_linear_init_is_raised_by_the_layer_it_built() {
    slots::clear();
    slots::install(
        Slot::LinearInit,
        imp(|_| Ok(Value::record(vec![("weight", Value::Null)]))),
    );
    let r = run("xor", 0);
    slots::clear();
    let m = failing_message(&r);
    assert!(
        m.contains("linearInit (your code)") && m.contains("Linear(2 → 8)"),
        "{m}"
    );
}
