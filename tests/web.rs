//! The integration suites and the JS API in a real browser (`wasm-pack test --headless --chrome`):
//! the same Rust suites as natively, each a named test, plus fault naming and bad input.
#![cfg(target_arch = "wasm32")]

use tinytorch::nn::FaultKind;
use tinytorch::suites::{run_suite, FaultSpec, SuiteOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn passes(name: &str) {
    for seed in 0..3 {
        let r = run_suite(name, &SuiteOptions { seed, fault: None }).unwrap();
        assert!(r.passed, "{}", r.summary());
    }
}

#[wasm_bindgen_test]
fn suite_gradient_flow_passes_in_browser() {
    passes("gradient_flow");
}

#[wasm_bindgen_test]
fn suite_training_flow_passes_in_browser() {
    passes("training_flow");
}

#[wasm_bindgen_test]
fn suite_dataloader_integration_passes_in_browser() {
    passes("dataloader_integration");
}

#[wasm_bindgen_test]
fn suite_xor_passes_in_browser() {
    passes("xor");
}

#[wasm_bindgen_test]
fn suite_cnn_integration_passes_in_browser() {
    passes("cnn_integration");
}

#[wasm_bindgen_test]
fn suite_digits_mlp_passes_in_browser() {
    let r = run_suite(
        "digits_mlp",
        &SuiteOptions {
            seed: 0,
            fault: None,
        },
    )
    .unwrap();
    assert!(r.passed, "{}", r.summary());
}

#[wasm_bindgen_test]
fn suite_digits_cnn_passes_in_browser() {
    let r = run_suite(
        "digits_cnn",
        &SuiteOptions {
            seed: 0,
            fault: None,
        },
    )
    .unwrap();
    assert!(r.passed, "{}", r.summary());
}

#[wasm_bindgen_test]
fn suite_nlp_pipeline_flow_passes_in_browser() {
    passes("nlp_pipeline_flow");
}

#[wasm_bindgen_test]
fn suite_tinygpt_passes_in_browser() {
    let r = run_suite(
        "tinygpt",
        &SuiteOptions {
            seed: 0,
            fault: None,
        },
    )
    .unwrap();
    assert!(r.passed, "{}", r.summary());
}

#[wasm_bindgen_test]
fn systems_suites_pass_in_browser() {
    for name in [
        "profiling_integration",
        "quantization_integration",
        "compression_integration",
        "memoization_integration",
        "acceleration_integration",
        "benchmarking_integration",
        "capstone",
    ] {
        let r = run_suite(
            name,
            &SuiteOptions {
                seed: 0,
                fault: None,
            },
        )
        .unwrap();
        assert!(r.passed, "{}", r.summary());
    }
}

#[wasm_bindgen_test]
fn systems_suites_name_planted_faults_in_browser() {
    for (name, layer) in [
        ("profiling_integration", 2),
        ("acceleration_integration", 1),
        ("memoization_integration", 4),
        ("benchmarking_integration", 0),
    ] {
        for kind in FaultKind::ALL {
            let r = run_suite(
                name,
                &SuiteOptions {
                    seed: 0,
                    fault: Some(FaultSpec { layer, kind }),
                },
            )
            .unwrap();
            assert!(
                !r.passed && r.blamed_layers() == vec![layer],
                "{name} {kind:?}@{layer}:\n{}",
                r.summary()
            );
        }
    }
}

#[wasm_bindgen_test]
fn planted_faults_in_attention_norm_and_mlp_layers_are_named_in_browser() {
    for kind in FaultKind::ALL {
        for layer in [3, 4, 6, 10, 12, 26] {
            let r = run_suite(
                "nlp_pipeline_flow",
                &SuiteOptions {
                    seed: 0,
                    fault: Some(FaultSpec { layer, kind }),
                },
            )
            .unwrap();
            assert!(
                !r.passed && r.blamed_layers() == vec![layer],
                "nlp {kind:?}@{layer}:\n{}",
                r.summary()
            );
        }
    }
}

#[wasm_bindgen_test]
fn planted_faults_in_conv_pool_and_norm_layers_are_named_in_browser() {
    for kind in FaultKind::ALL {
        for layer in 0..9 {
            let r = run_suite(
                "cnn_integration",
                &SuiteOptions {
                    seed: 0,
                    fault: Some(FaultSpec { layer, kind }),
                },
            )
            .unwrap();
            assert!(
                !r.passed && r.blamed_layers() == vec![layer],
                "cnn {kind:?}@{layer}:\n{}",
                r.summary()
            );
        }
    }
}

#[wasm_bindgen_test]
fn planted_faults_are_named_in_browser() {
    for name in [
        "gradient_flow",
        "training_flow",
        "dataloader_integration",
        "xor",
    ] {
        for kind in FaultKind::ALL {
            for layer in [0, 2] {
                let r = run_suite(
                    name,
                    &SuiteOptions {
                        seed: 0,
                        fault: Some(FaultSpec { layer, kind }),
                    },
                )
                .unwrap();
                assert!(
                    !r.passed && r.blamed_layers() == vec![layer],
                    "{name} {kind:?}@{layer}:\n{}",
                    r.summary()
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn simd128_is_compiled_in() {
    assert!(tinytorch::wasm::simd_enabled());
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_and_the_instance_keeps_working() {
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
    assert!(tinytorch::wasm::run_suite("nope", JsValue::UNDEFINED).is_err());
    // Still working afterwards.
    let c = JsTensor::ones(shape(&[2.0, 2.0])).unwrap();
    assert_eq!(c.add(&c).unwrap().to_array().to_vec(), vec![2.0; 4]);
}
