//! The integration suites and the JS API in a real browser (`wasm-pack test --headless --chrome`):
//! the same Rust suites as natively, each a named test, plus fault naming and bad input.
#![cfg(target_arch = "wasm32")]

mod common;

use tinytorch::nn::FaultKind;
use tinytorch::suites::{list_suites, run_suite, FaultSpec, SuiteOptions, SuiteReport};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Lets the page's event loop turn (a `setTimeout(0)` macrotask). The test harness runs tests
/// back to back in one task, and chromedriver gives up on a page busy longer than its script
/// timeout (30 s by default; `webdriver.json` raises it), so every suite run starts with a turn:
/// no stretch without one lasts longer than a single suite.
async fn yield_to_browser() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function =
            js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into())
                .expect("setTimeout exists")
                .into();
        set_timeout
            .call2(&wasm_bindgen::JsValue::NULL, &resolve, &0.into())
            .expect("setTimeout accepts a function");
    });
    wasm_bindgen_futures::JsFuture::from(p)
        .await
        .expect("the timer resolves");
}

/// [`run_suite`] after a turn of the event loop.
async fn run(name: &str, opts: &SuiteOptions) -> tinytorch::Result<SuiteReport> {
    yield_to_browser().await;
    run_suite(name, opts)
}

/// Plants `kind` in layer `layer` of every model suite `name` builds (seed 0) and checks the
/// report fails and blames exactly that layer.
async fn fault_is_named(name: &str, layer: usize, kind: FaultKind, quick: bool) {
    let fault = Some(FaultSpec { layer, kind });
    let mut opts = SuiteOptions::new(0, fault);
    opts.quick = quick;
    let r = run(name, &opts).await.unwrap();
    assert!(
        !r.passed && r.blamed_layers() == vec![layer],
        "{name} {kind:?}@{layer}{}:\n{}",
        if quick { " (quick)" } else { "" },
        r.summary()
    );
}

/// Suite `name` passes for every seed in `seeds`.
async fn passes(name: &str, seeds: std::ops::Range<u64>) {
    for seed in seeds {
        let r = run(name, &SuiteOptions::new(seed, None)).await.unwrap();
        assert!(r.passed, "{}", r.summary());
    }
}

// The suites come from the catalogue, as natively: a new suite is tested here by its entry.

#[wasm_bindgen_test]
async fn fast_suites_pass_in_browser_at_three_seeds() {
    for s in list_suites().into_iter().filter(|s| s.fast) {
        passes(s.name, 0..3).await;
    }
}

/// The training scenarios take seconds each: one seed.
#[wasm_bindgen_test]
async fn slow_suites_pass_in_browser() {
    for s in list_suites().into_iter().filter(|s| !s.fast) {
        passes(s.name, 0..1).await;
    }
}

#[wasm_bindgen_test]
async fn every_suite_passes_quick_mode_in_browser() {
    for s in list_suites() {
        let r = run(s.name, &SuiteOptions::new(0, None).quick())
            .await
            .unwrap();
        assert!(r.passed && r.quick, "{}", r.summary());
    }
}

/// Every fault kind in every layer the catalogue lists, every suite: the fast suites as they
/// run, the training scenarios in quick mode (the same gradient checks, fewer steps after).
#[wasm_bindgen_test]
async fn planted_faults_are_named_in_browser() {
    for s in list_suites() {
        for &layer in &s.fault_layers {
            for kind in FaultKind::ALL {
                fault_is_named(s.name, layer, kind, !s.fast).await;
            }
        }
    }
}

#[wasm_bindgen_test]
async fn simd128_is_compiled_in() {
    assert!(tinytorch::wasm::simd_enabled());
}

#[wasm_bindgen_test]
async fn bad_input_is_an_error_and_the_instance_keeps_working() {
    use tinytorch::wasm::{JsLinear, JsTensor};
    use wasm_bindgen::JsValue;
    let shape = |v: &[f64]| {
        JsValue::from(
            v.iter()
                .map(|&x| JsValue::from(x))
                .collect::<js_sys::Array>(),
        )
    };
    assert!(JsLinear::new(-1.0, 2.0, None).is_err());
    assert!(JsLinear::new(2.5, 2.0, None).is_err());
    assert!(JsTensor::zeros(shape(&[1e9, 1e9])).is_err());
    let a = JsTensor::zeros(shape(&[2.0, 3.0])).unwrap();
    let b = JsTensor::zeros(shape(&[4.0, 5.0])).unwrap();
    assert!(a.matmul(&b).is_err());
    assert!(tinytorch::wasm::run_suite("nope".into(), JsValue::UNDEFINED).is_err());
    // A number where a string belongs is an error, not a corrupted allocator.
    assert!(tinytorch::wasm::run_suite(JsValue::from(3), JsValue::UNDEFINED).is_err());
    // Still working afterwards.
    let c = JsTensor::ones(shape(&[2.0, 2.0])).unwrap();
    assert_eq!(c.add(&c).unwrap().to_array().to_vec(), vec![2.0; 4]);
}

/// The f32x4 2×2 max-pool path against a by-hand loop: same maxima, and the gradient lands on
/// the first maximum of each window, on odd sizes, with many ties (values rounded to halves).
#[wasm_bindgen_test]
async fn simd_max_pool_matches_the_definition_with_ties_and_odd_sizes() {
    use tinytorch::Tensor;
    tinytorch::manual_seed(5);
    for (h, w) in [(2, 2), (5, 7), (8, 8), (9, 18), (4, 10)] {
        let v: Vec<f32> = Tensor::randn(&[2, 3, h, w])
            .to_vec()
            .iter()
            .map(|v| (v * 2.0).round() / 2.0)
            .collect();
        let x = Tensor::from_vec(v.clone(), &[2, 3, h, w])
            .unwrap()
            .requires_grad_(true);
        let y = x.try_max_pool2d(2, 2, 0).unwrap();
        y.sum().backward().unwrap();
        let (oh, ow) = (h / 2, w / 2);
        let (mut want, mut grad) = (Vec::new(), vec![0.0f32; v.len()]);
        for nc in 0..6 {
            for oy in 0..oh {
                for ox in 0..ow {
                    let taps = [(0, 0), (0, 1), (1, 0), (1, 1)]
                        .map(|(dy, dx)| nc * h * w + (2 * oy + dy) * w + 2 * ox + dx);
                    let first = taps
                        .into_iter()
                        .fold(taps[0], |b, i| if v[i] > v[b] { i } else { b });
                    want.push(v[first]);
                    grad[first] += 1.0;
                }
            }
        }
        assert_eq!(y.to_vec(), want, "values for {h}×{w}");
        assert_eq!(x.grad().unwrap().to_vec(), grad, "first maxima for {h}×{w}");
    }
}

/// A 100,000-op chain on the wasm stack (1 MiB, where a recursive walk or Drop dies near 10⁴
/// nodes): backward and teardown both finish and the gradient is exact.
#[wasm_bindgen_test]
async fn a_100k_node_chain_runs_backward_and_drops_in_browser() {
    common::hundred_thousand_op_chain();
}

/// A student's JavaScript in the framework, through the JS API the pages use: a correct relu
/// and reluBackward pass their unit checks and gradient_flow with the ReLU layers marked; a
/// relu backward with its sign flipped is named at a ReLU layer as "your code"; a throwing or
/// wrong-shaped function is an error naming the slot, and the instance keeps working.
#[wasm_bindgen_test]
async fn javascript_slots_run_in_the_suites_and_are_named_in_browser() {
    use js_sys::{Function, Reflect};
    use tinytorch::wasm::{clear_implementations, run_unit_checks, use_implementation};
    use wasm_bindgen::JsValue;
    let f = |args: &str, body: &str| JsValue::from(Function::new_with_args(args, body));
    let relu = f(
        "x",
        "return { data: x.data.map((v) => (v > 0 ? v : 0)), shape: x.shape };",
    );
    let back = |sign: &str| {
        f("g, x, y", &format!("return {{ data: g.data.map((v, i) => (x.data[i] > 0 ? {sign}v : 0)), shape: g.shape }};"))
    };
    use_implementation("relu".into(), relu).unwrap();
    use_implementation("reluBackward".into(), back("")).unwrap();
    let units = run_unit_checks(2.0, JsValue::UNDEFINED).unwrap();
    let checks = js_sys::Array::from(&Reflect::get(&units, &"checks".into()).unwrap());
    let relu_pass = checks
        .iter()
        .filter(|c| {
            Reflect::get(c, &"function".into())
                .unwrap()
                .as_string()
                .as_deref()
                == Some("relu")
        })
        .all(|c| {
            Reflect::get(&c, &"status".into())
                .unwrap()
                .as_string()
                .as_deref()
                == Some("pass")
        });
    assert!(relu_pass, "relu's unit checks should pass");
    yield_to_browser().await;
    let r = run_suite("gradient_flow", &SuiteOptions::new(0, None)).unwrap();
    assert!(r.passed, "{}", r.summary());
    let c = r
        .cases
        .iter()
        .find(|c| c.name == "five_linear_relu")
        .unwrap();
    let gc = c.gradcheck.as_ref().unwrap();
    assert!(gc
        .layers
        .iter()
        .filter(|l| l.name == "ReLU")
        .all(|l| l.your_code == ["relu", "reluBackward"]));
    use_implementation("reluBackward".into(), back("-")).unwrap();
    let r = run_suite("gradient_flow", &SuiteOptions::new(0, None)).unwrap();
    let c = r
        .cases
        .iter()
        .find(|c| c.name == "five_linear_relu")
        .unwrap();
    let culprit = c
        .gradcheck
        .as_ref()
        .and_then(|g| g.culprit.and_then(|i| g.layer(i)))
        .expect("a culprit");
    assert_eq!(culprit.name, "ReLU");
    assert!(c.message.contains("(your code)"), "{}", c.message);
    use_implementation("relu".into(), f("x", "throw new TypeError('boom');")).unwrap();
    let r = run_suite("gradient_flow", &SuiteOptions::new(0, None)).unwrap();
    assert!(
        r.failures().any(|c| c
            .message
            .contains("relu (your code): threw: TypeError: boom")),
        "{}",
        r.summary()
    );
    use_implementation(
        "relu".into(),
        f("x", "return { data: [1, 2], shape: [2] };"),
    )
    .unwrap();
    let r = run_suite("gradient_flow", &SuiteOptions::new(0, None)).unwrap();
    assert!(
        r.failures()
            .any(|c| c.message.contains("relu (your code)")
                && c.message.contains("expected [16, 4]")),
        "{}",
        r.summary()
    );
    assert!(use_implementation("nope".into(), f("x", "return x;")).is_err());
    assert!(use_implementation("relu".into(), JsValue::from(3)).is_err());
    clear_implementations(JsValue::UNDEFINED).unwrap();
    assert!(
        run_suite("gradient_flow", &SuiteOptions::new(0, None))
            .unwrap()
            .passed
    );
}
