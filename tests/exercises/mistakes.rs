//! Planted student mistakes, as data: each one fails, and the suite's per-layer report names
//! the student's layer (or the unit check names the function), with "(your code)".

use super::reference::{arr, imp, install_modules, reference, Impl};
use tinytorch::exercises::{run_unit_checks, CheckStatus};
use tinytorch::slots::{self, Slot, Value};
use tinytorch::suites::{run_suite, SuiteOptions};

/// Where a mistake must be caught.
enum Blame {
    /// This suite's case fails and blames a layer of this kind, marked as the student's.
    Layer {
        suite: &'static str,
        case: &'static str,
        kind: &'static str,
    },
    /// This suite's case fails with a message containing this text.
    Message {
        suite: &'static str,
        case: &'static str,
        text: &'static str,
    },
}

struct Mistake {
    name: &'static str,
    slot: Slot,
    wrong: Impl,
    /// The unit check of `slot` that must fail.
    unit: &'static str,
    blame: Option<Blame>,
}

fn wrap(slot: Slot, after: impl Fn(Value, &[Value]) -> Value + 'static) -> Impl {
    let right = reference(slot);
    imp(move |a| {
        let v = right.call(a)?;
        Ok(after(v, a))
    })
}

fn map_tensor(v: Value, f: impl Fn(f32) -> f32) -> Value {
    match v {
        Value::Tensor(x) => Value::Tensor(x.mapv(f)),
        other => other,
    }
}

fn mistakes() -> Vec<Mistake> {
    vec![
        Mistake {
            name: "relu backward with its sign flipped",
            slot: Slot::ReluBackward,
            wrong: wrap(Slot::ReluBackward, |v, _| map_tensor(v, |x| -x)),
            unit: "known_values",
            blame: Some(Blame::Layer {
                suite: "gradient_flow",
                case: "five_linear_relu",
                kind: "ReLU",
            }),
        },
        Mistake {
            name: "relu that forgets the clamp",
            slot: Slot::Relu,
            wrong: imp(|a| Ok(a[0].clone())),
            unit: "known_values",
            blame: Some(Blame::Layer {
                suite: "gradient_flow",
                case: "five_linear_relu",
                kind: "ReLU",
            }),
        },
        Mistake {
            name: "unbroadcast that averages instead of summing",
            slot: Slot::Unbroadcast,
            wrong: imp(|a| {
                let (g, shape) = (arr(&a[0]), super::reference::shape(&a[1]));
                let n = g.len() as f32 / shape.iter().product::<usize>().max(1) as f32;
                Ok(Value::Tensor(
                    tinytorch::tensor::sum_to_shape(g, &shape) / n,
                ))
            }),
            unit: "known_shapes",
            blame: Some(Blame::Layer {
                suite: "gradient_flow",
                case: "mlp",
                kind: "Linear",
            }),
        },
        Mistake {
            name: "matmul backward without the transpose of b",
            slot: Slot::MatmulBackward,
            wrong: imp(|a| {
                let (g, x, w) = (arr(&a[0]), arr(&a[1]), arr(&a[2]));
                let right =
                    super::reference::grads_of(&[x, w.clone()], &g, |ts| ts[0].try_matmul(&ts[1]))?;
                // g·b in place of g·bᵀ: only square weights even fit.
                let g2 = g
                    .into_dimensionality::<ndarray::Ix2>()
                    .map_err(|e| e.to_string())?;
                let w2 = w
                    .into_dimensionality::<ndarray::Ix2>()
                    .map_err(|e| e.to_string())?;
                if g2.shape()[1] != w2.shape()[0] {
                    return Err("shapes do not fit".into());
                }
                Ok(Value::List(vec![
                    Value::Tensor(g2.dot(&w2).into_dyn()),
                    Value::Tensor(right[1].clone()),
                ]))
            }),
            unit: "known_values",
            blame: Some(Blame::Layer {
                suite: "gradient_flow",
                case: "five_linear_relu",
                kind: "Linear",
            }),
        },
        Mistake {
            name: "conv backward without the bias gradient",
            slot: Slot::Conv2dBackward,
            wrong: wrap(Slot::Conv2dBackward, |v, _| match v {
                Value::Record(fields) => Value::Record(
                    fields
                        .into_iter()
                        .map(|(k, x)| {
                            if k == "dbias" {
                                (k, map_tensor(x, |_| 0.0))
                            } else {
                                (k, x)
                            }
                        })
                        .collect(),
                ),
                other => other,
            }),
            unit: "random_against_lab",
            blame: Some(Blame::Layer {
                suite: "cnn_integration",
                case: "gradients_reach_every_layer",
                kind: "Conv2d",
            }),
        },
        Mistake {
            name: "max-pool backward that spreads the gradient over the window",
            slot: Slot::MaxPool2dBackward,
            wrong: imp(|a| {
                let (g, x, k) = (
                    arr(&a[0]),
                    arr(&a[1]),
                    super::reference::num(&a[2]) as usize,
                );
                let mut dx = ndarray::ArrayD::<f32>::zeros(x.raw_dim());
                let s = x.shape().to_vec();
                for n in 0..s[0] {
                    for c in 0..s[1] {
                        for y in 0..s[2] {
                            for xx in 0..s[3] {
                                let (oy, ox) = (y / k, xx / k);
                                if oy < g.shape()[2] && ox < g.shape()[3] {
                                    dx[[n, c, y, xx]] = g[[n, c, oy, ox]] / (k * k) as f32;
                                }
                            }
                        }
                    }
                }
                Ok(Value::Tensor(dx))
            }),
            unit: "to_the_first_maximum",
            blame: Some(Blame::Layer {
                suite: "cnn_integration",
                case: "gradients_reach_every_layer",
                kind: "MaxPool2d",
            }),
        },
        Mistake {
            name: "cross-entropy backward not divided by the batch size",
            slot: Slot::CrossEntropyBackward,
            wrong: wrap(Slot::CrossEntropyBackward, |v, a| {
                let n = arr(&a[1]).shape()[0] as f32;
                map_tensor(v, move |x| x * n)
            }),
            unit: "uniform_logits",
            blame: Some(Blame::Layer {
                suite: "dataloader_integration",
                case: "training_converges",
                kind: "CrossEntropyLoss",
            }),
        },
        Mistake {
            name: "mean backward that forgets to divide",
            slot: Slot::MeanBackward,
            wrong: wrap(Slot::MeanBackward, |v, a| {
                let (shape, axes) = (
                    super::reference::shape(&a[1]),
                    super::reference::shape(&a[2]),
                );
                let n: usize = axes.iter().map(|&i| shape[i]).product();
                map_tensor(v, move |x| x * n as f32)
            }),
            unit: "every_case",
            blame: Some(Blame::Layer {
                suite: "gradient_flow",
                case: "mlp",
                kind: "MSELoss",
            }),
        },
        Mistake {
            name: "batch indices sampled with replacement",
            slot: Slot::BatchIndices,
            wrong: imp(|a| {
                let (n, bs) = (
                    super::reference::num(&a[0]) as usize,
                    super::reference::num(&a[1]) as usize,
                );
                let Value::Draws(_, d) = &a[4] else {
                    return Err("no draws".into());
                };
                let idx: Vec<usize> = d
                    .iter()
                    .map(|u| ((*u as f64) * n as f64) as usize)
                    .collect();
                Ok(Value::List(
                    idx.chunks(bs).map(|c| Value::Shape(c.to_vec())).collect(),
                ))
            }),
            unit: "each_sample_once",
            blame: Some(Blame::Message {
                suite: "dataloader_integration",
                case: "each_sample_once",
                text: "rows missing or repeated",
            }),
        },
        Mistake {
            name: "SGD that drops the momentum buffer",
            slot: Slot::SgdStep,
            wrong: wrap(Slot::SgdStep, |_, a| {
                let (p, g) = (arr(&a[0]), arr(&a[1]));
                let lr = a[3].field("lr").and_then(Value::as_num).unwrap_or(0.0) as f32;
                Value::record(vec![
                    ("param", Value::Tensor(&p - &(&g * lr))),
                    ("velocity", Value::Tensor(g)),
                ])
            }),
            unit: "momentum_builds_up",
            blame: None,
        },
        Mistake {
            name: "a training loop that never zeroes the gradients",
            slot: Slot::TrainEpoch,
            wrong: super::reference::train_epoch_variant(false),
            unit: "plain_epoch",
            blame: None,
        },
    ]
}

#[test]
fn every_planted_mistake_fails_and_is_named() {
    for m in mistakes() {
        // The student's module: everything right except this one function.
        slots::clear();
        install_modules(&[m.slot.info().module]);
        slots::install(m.slot, m.wrong.clone());
        let units = run_unit_checks(m.slot.info().module, 0);
        let u = units
            .checks
            .iter()
            .find(|c| c.function == m.slot.js_name() && c.name == m.unit)
            .unwrap_or_else(|| panic!("{}: no check {}", m.name, m.unit));
        assert_eq!(
            u.status,
            CheckStatus::Fail,
            "{}: unit check {} passed",
            m.name,
            m.unit
        );
        if let Some(b) = &m.blame {
            let (suite, case) = match b {
                Blame::Layer { suite, case, .. } | Blame::Message { suite, case, .. } => {
                    (*suite, *case)
                }
            };
            let r = run_suite(suite, &SuiteOptions::new(0, None)).expect("suite");
            let c = r
                .cases
                .iter()
                .find(|c| c.name == case)
                .unwrap_or_else(|| panic!("{}: no case {case}", m.name));
            assert!(!c.passed, "{}: {suite}::{case} passed", m.name);
            match b {
                Blame::Layer { kind, .. } => {
                    let gc = c
                        .gradcheck
                        .as_ref()
                        .unwrap_or_else(|| panic!("{}: no gradcheck: {}", m.name, c.message));
                    let culprit = gc
                        .culprit
                        .and_then(|i| gc.layer(i))
                        .unwrap_or_else(|| panic!("{}: no culprit: {}", m.name, c.message));
                    assert_eq!(
                        culprit.name, *kind,
                        "{}: blamed {} ({})",
                        m.name, culprit.name, c.message
                    );
                    assert!(
                        culprit.your_code.iter().any(|s| s == m.slot.js_name()),
                        "{}: culprit not marked: {:?}",
                        m.name,
                        culprit.your_code
                    );
                    assert!(
                        c.message.contains("(your code)"),
                        "{}: {}",
                        m.name,
                        c.message
                    );
                }
                Blame::Message { text, .. } => {
                    assert!(c.message.contains(text), "{}: {}", m.name, c.message)
                }
            }
        }
    }
    slots::clear();
}
