//! Reference implementations of every slot as Rust closures backed by the lab's own code (run
//! with slots suspended): what a correct student module computes. Tests install them, check
//! they pass every unit check, and plant mistakes by wrapping them.

use std::cell::RefCell;
use std::rc::Rc;
use tinytorch::data::{DataLoader, TensorDataset};
use tinytorch::nn::loss::Loss;
use tinytorch::nn::Layer;
use tinytorch::optim::Optimizer;
use tinytorch::slots::{self, value::Draw, Slot, SlotFn, Value};
use tinytorch::tensor::{sum_to_shape, Array, Tensor};

pub type Impl = Rc<dyn SlotFn>;

pub fn arr(v: &Value) -> Array {
    match v {
        Value::Tensor(a) => a.clone(),
        other => panic!("expected a tensor, got {other:?}"),
    }
}

pub fn tensor(v: &Value) -> Tensor {
    Tensor::from_array(arr(v))
}

pub fn num(v: &Value) -> f64 {
    v.as_num()
        .unwrap_or_else(|| panic!("expected a number, got {v:?}"))
}

pub fn shape(v: &Value) -> Vec<usize> {
    v.numbers()
        .expect("a shape")
        .iter()
        .map(|&x| x as usize)
        .collect()
}

fn draws(v: &Value) -> Vec<f32> {
    match v {
        Value::Draws(_, d) => d.clone(),
        other => panic!("expected draws, got {other:?}"),
    }
}

fn t(a: Tensor) -> Value {
    Value::Tensor(a.data().clone())
}

fn lab<T>(f: impl FnOnce() -> tinytorch::Result<T>) -> Result<T, String> {
    slots::suspended(f).map_err(|e| e.to_string())
}

/// The gradients of Σ g ⊙ f(inputs) for each input, by the lab's autograd.
pub fn grads_of(
    inputs: &[Array],
    g: &Array,
    f: impl Fn(&[Tensor]) -> tinytorch::Result<Tensor>,
) -> Result<Vec<Array>, String> {
    lab(|| {
        let ts: Vec<Tensor> = inputs
            .iter()
            .map(|a| Tensor::from_array(a.clone()).requires_grad_(true))
            .collect();
        f(&ts)?.backward_with(&Tensor::from_array(g.clone()))?;
        let out = ts
            .iter()
            .map(|t| {
                t.grad_array()
                    .clone()
                    .unwrap_or_else(|| Array::zeros(t.data().raw_dim()))
            })
            .collect();
        Ok(out)
    })
}

fn hyper(v: &Value, k: &str) -> f32 {
    num(v.field(k).unwrap_or_else(|| panic!("no field {k}"))) as f32
}

/// A closure implementation.
pub fn imp(f: impl Fn(&mut [Value]) -> Result<Value, String> + 'static) -> Impl {
    Rc::new(f)
}

fn optimizer_step(kind: &str, a: &mut [Value]) -> Result<Value, String> {
    let (p, g) = (tensor(&a[0]).requires_grad_(true), arr(&a[1]));
    let h = a.last().expect("hyper").clone();
    lab(|| {
        let mut opt: Box<dyn Optimizer> = match kind {
            "sgd" => {
                let mut o = tinytorch::optim::Sgd::new(
                    vec![p.clone()],
                    hyper(&h, "lr"),
                    hyper(&h, "momentum"),
                    hyper(&h, "weightDecay"),
                )?;
                o.load_state(vec![arr(&a[2])])?;
                Box::new(o)
            }
            _ => {
                let mut o = tinytorch::optim::Adam::with_options(
                    vec![p.clone()],
                    hyper(&h, "lr"),
                    (hyper(&h, "beta1"), hyper(&h, "beta2")),
                    hyper(&h, "eps"),
                    hyper(&h, "weightDecay"),
                    kind == "adamw",
                )?;
                let step = hyper(&h, "step") - 1.0;
                o.load_state(vec![
                    Array::from_elem(ndarray::IxDyn(&[]), step),
                    arr(&a[2]),
                    arr(&a[3]),
                ])?;
                Box::new(o)
            }
        };
        p.set_grad(Some(g.clone()));
        opt.step()?;
        let st = opt.state();
        Ok(match kind {
            "sgd" => Value::record(vec![
                ("param", t(p.clone())),
                ("velocity", Value::Tensor(st[0].clone())),
            ]),
            _ => Value::record(vec![
                ("param", t(p.clone())),
                ("m", Value::Tensor(st[1].clone())),
                ("v", Value::Tensor(st[2].clone())),
            ]),
        })
    })
}

/// The student's loop of module 07, in Rust, over the lent framework objects; `zero` false
/// plants the classic mistake of never zeroing the gradients.
pub fn train_epoch_variant(zero: bool) -> Impl {
    imp(move |a| train_epoch(a, zero))
}

fn train_epoch(a: &mut [Value], zero: bool) -> Result<Value, String> {
    let r = &a[0];
    let obj = |k: &str| match r.field(k) {
        Some(Value::Object(o)) => o.clone(),
        other => panic!("{k}: {other:?}"),
    };
    let model = obj("model").downcast::<Layer>().expect("a Layer");
    let loss = *obj("lossFn").downcast::<Loss>().expect("a Loss");
    let opt = obj("optimizer")
        .downcast::<RefCell<Box<dyn Optimizer>>>()
        .expect("an optimizer");
    let k = num(r.field("accumulationSteps").expect("k")) as usize;
    let clip = r.field("clipNorm").and_then(Value::as_num);
    let Some(Value::List(batches)) = r.field("batches") else {
        panic!("batches")
    };
    let pairs: Vec<(Tensor, Tensor)> = batches
        .iter()
        .map(|b| match b {
            Value::List(xy) => match (&xy[0], &xy[1]) {
                (Value::Object(x), Value::Object(y)) => (
                    x.downcast_ref::<Tensor>().expect("x").clone(),
                    y.downcast_ref::<Tensor>().expect("y").clone(),
                ),
                _ => panic!("batch"),
            },
            _ => panic!("batch"),
        })
        .collect();
    let run = || -> tinytorch::Result<f64> {
        model.train();
        opt.borrow().zero_grad();
        let mut total = 0.0f64;
        for (gi, group) in pairs.chunks(k).enumerate() {
            let _ = gi;
            for (x, y) in group {
                let out = tinytorch::nn::call(&**model, x)?;
                let l = loss.compute(&out, y)?;
                total += l.item()? as f64;
                l.mul_scalar(1.0 / group.len() as f32).backward()?;
            }
            if let Some(c) = clip {
                tinytorch::train::clip_grad_norm(opt.borrow().params(), c as f32)?;
            }
            opt.borrow_mut().step()?;
            if zero {
                opt.borrow().zero_grad();
            }
        }
        Ok(total / pairs.len() as f64)
    };
    run().map(Value::Num).map_err(|e| e.to_string())
}

/// The lab-backed implementation of `slot`.
pub fn reference(slot: Slot) -> Impl {
    match slot {
        Slot::BroadcastShape => imp(|a| {
            lab(|| {
                tinytorch::tensor::broadcast_shapes("broadcastShape", &shape(&a[0]), &shape(&a[1]))
            })
            .map(Value::Shape)
        }),
        Slot::Add => imp(|a| lab(|| tensor(&a[0]).try_add(&tensor(&a[1]))).map(t)),
        Slot::Mul => imp(|a| lab(|| tensor(&a[0]).try_mul(&tensor(&a[1]))).map(t)),
        Slot::Matmul => imp(|a| lab(|| tensor(&a[0]).try_matmul(&tensor(&a[1]))).map(t)),
        Slot::Sum => imp(|a| {
            let axes: Vec<isize> = a[1].as_num().map(|x| vec![x as isize]).unwrap_or_default();
            let keep = matches!(a[2], Value::Bool(true));
            lab(|| tensor(&a[0]).try_sum_axes(&axes, keep)).map(t)
        }),
        Slot::Relu => imp(|a| Ok(t(slots::suspended(|| tensor(&a[0]).relu())))),
        Slot::Sigmoid => imp(|a| Ok(t(slots::suspended(|| tensor(&a[0]).sigmoid())))),
        Slot::Tanh => imp(|a| Ok(t(slots::suspended(|| tensor(&a[0]).tanh())))),
        Slot::Gelu => imp(|a| Ok(t(slots::suspended(|| tensor(&a[0]).gelu())))),
        Slot::Softmax => imp(|a| lab(|| tensor(&a[0]).try_softmax(-1)).map(t)),
        Slot::LinearForward => imp(|a| {
            lab(|| {
                let y = tensor(&a[0]).try_matmul(&tensor(&a[1]))?;
                match &a[2] {
                    Value::Tensor(b) => y.try_add(&Tensor::from_array(b.clone())),
                    _ => Ok(y),
                }
            })
            .map(t)
        }),
        Slot::LinearInit => imp(|a| {
            let (i, o) = (num(&a[0]) as usize, num(&a[1]) as usize);
            let std = (1.0 / i as f32).sqrt();
            let w: Vec<f32> = draws(&a[2]).iter().map(|d| d * std).collect();
            Ok(Value::record(vec![
                (
                    "weight",
                    Value::Tensor(Array::from_shape_vec(ndarray::IxDyn(&[i, o]), w).expect("i·o")),
                ),
                ("bias", Value::Tensor(Array::zeros(ndarray::IxDyn(&[o])))),
            ]))
        }),
        Slot::DropoutForward => imp(|a| {
            let (x, p, training) = (
                arr(&a[0]),
                num(&a[1]) as f32,
                matches!(a[2], Value::Bool(true)),
            );
            if !training || p == 0.0 {
                return Ok(Value::Tensor(x));
            }
            let d = draws(&a[3]);
            let keep = 1.0 - p;
            let mut y = x;
            for (v, u) in y.iter_mut().zip(d) {
                *v = if keep > 0.0 && u < keep {
                    *v / keep
                } else {
                    0.0
                };
            }
            Ok(Value::Tensor(y))
        }),
        Slot::MseLoss => imp(|a| {
            lab(|| tinytorch::nn::loss::mse_loss(&tensor(&a[0]), &tensor(&a[1]))?.item())
                .map(|v| Value::Num(v as f64))
        }),
        Slot::CrossEntropyLoss => imp(|a| {
            let ids = labels(&a[1]);
            lab(|| tensor(&a[0]).try_cross_entropy(&ids)?.item()).map(|v| Value::Num(v as f64))
        }),
        Slot::BceLoss => imp(|a| {
            lab(|| tensor(&a[0]).try_bce(&tensor(&a[1]))?.item()).map(|v| Value::Num(v as f64))
        }),
        Slot::Unbroadcast => imp(|a| Ok(Value::Tensor(sum_to_shape(arr(&a[0]), &shape(&a[1]))))),
        Slot::AddBackward => imp(|a| {
            let g = arr(&a[0]);
            Ok(Value::List(vec![
                Value::Tensor(g.clone()),
                Value::Tensor(g),
            ]))
        }),
        Slot::MulBackward => imp(|a| {
            let (g, x, y) = (arr(&a[0]), arr(&a[1]), arr(&a[2]));
            Ok(Value::List(vec![
                Value::Tensor(&g * &y),
                Value::Tensor(&g * &x),
            ]))
        }),
        Slot::MatmulBackward => imp(|a| {
            let (g, x, y) = (arr(&a[0]), arr(&a[1]), arr(&a[2]));
            let gs = grads_of(&[x, y], &g, |ts| ts[0].try_matmul(&ts[1]))?;
            Ok(Value::List(gs.into_iter().map(Value::Tensor).collect()))
        }),
        Slot::ReluBackward => imp(|a| {
            let (g, x) = (arr(&a[0]), arr(&a[1]));
            Ok(Value::Tensor(
                ndarray::Zip::from(&g)
                    .and(&x)
                    .map_collect(|&g, &x| if x > 0.0 { g } else { 0.0 }),
            ))
        }),
        Slot::SigmoidBackward => imp(|a| {
            Ok(Value::Tensor(
                arr(&a[0]) * arr(&a[2]).mapv(|y| y * (1.0 - y)),
            ))
        }),
        Slot::TanhBackward => {
            imp(|a| Ok(Value::Tensor(arr(&a[0]) * arr(&a[2]).mapv(|y| 1.0 - y * y))))
        }
        Slot::SumBackward | Slot::MeanBackward => {
            let mean = slot == Slot::MeanBackward;
            imp(move |a| {
                let (g, sh, axes, keep) = (
                    arr(&a[0]),
                    shape(&a[1]),
                    shape(&a[2]),
                    matches!(a[3], Value::Bool(true)),
                );
                let ax: Vec<isize> = axes.iter().map(|&x| x as isize).collect();
                let x = Array::zeros(ndarray::IxDyn(&sh));
                let gs = grads_of(&[x], &g, |ts| {
                    if mean {
                        ts[0].try_mean_axes(&ax, keep)
                    } else {
                        ts[0].try_sum_axes(&ax, keep)
                    }
                })?;
                Ok(Value::Tensor(gs[0].clone()))
            })
        }
        Slot::CrossEntropyBackward => imp(|a| {
            let (g, z, ids) = (num(&a[0]) as f32, arr(&a[1]), labels(&a[2]));
            let gs = grads_of(&[z], &Array::from_elem(ndarray::IxDyn(&[]), g), |ts| {
                ts[0].try_cross_entropy(&ids)
            })?;
            Ok(Value::Tensor(gs[0].clone()))
        }),
        Slot::SgdStep => imp(|a| optimizer_step("sgd", a)),
        Slot::AdamStep => imp(|a| optimizer_step("adam", a)),
        Slot::AdamwStep => imp(|a| optimizer_step("adamw", a)),
        Slot::ClipGradNorm => imp(|a| {
            let max = num(&a[1]) as f32;
            let Value::List(gs) = &mut a[0] else {
                panic!("list")
            };
            let ps: Vec<Tensor> = gs
                .iter()
                .map(|g| {
                    let p = Tensor::zeros(arr(g).shape()).requires_grad_(true);
                    p.set_grad(Some(arr(g)));
                    p
                })
                .collect();
            let norm = lab(|| tinytorch::train::clip_grad_norm(&ps, max))?;
            for (g, p) in gs.iter_mut().zip(&ps) {
                *g = Value::Tensor(p.grad_array().clone().expect("grad"));
            }
            Ok(Value::Num(norm as f64))
        }),
        Slot::TrainEpoch => train_epoch_variant(true),
        Slot::BatchIndices => imp(|a| {
            let (n, bs, shuffle, drop_last) = (
                num(&a[0]) as usize,
                num(&a[1]) as usize,
                matches!(a[2], Value::Bool(true)),
                matches!(a[3], Value::Bool(true)),
            );
            let d = draws(&a[4]);
            let mut order: Vec<usize> = (0..n).collect();
            if shuffle {
                for (k, i) in (1..n).rev().enumerate() {
                    let j = ((d[k] as f64) * (i as f64 + 1.0)).floor() as usize;
                    order.swap(i, j);
                }
            }
            Ok(Value::List(
                order
                    .chunks(bs)
                    .filter(|c| !drop_last || c.len() == bs)
                    .map(|c| Value::Shape(c.to_vec()))
                    .collect(),
            ))
        }),
        Slot::Im2col => imp(|a| {
            // The lab's patches, read back through a 1×1-output conv identity: use the op's geometry.
            let x = arr(&a[0]);
            let (kh, kw, s, p) = (
                num(&a[1]) as usize,
                num(&a[2]) as usize,
                num(&a[3]) as usize,
                num(&a[4]) as usize,
            );
            let g = tinytorch::ops::conv::Conv2dGeom::new("im2col", x.shape(), kh, kw, s, p)
                .map_err(|e| e.to_string())?;
            let mut out = vec![0.0f32; g.n * g.k() * g.p()];
            for n in 0..g.n {
                for c in 0..g.c {
                    for i in 0..kh {
                        for j in 0..kw {
                            let row = (c * kh + i) * kw + j;
                            for oy in 0..g.oh {
                                for ox in 0..g.ow {
                                    if let Some((y, xx)) = g.tap(oy, ox, i, j) {
                                        out[(n * g.k() + row) * g.p() + oy * g.ow + ox] =
                                            x[[n, c, y, xx]];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Ok(Value::Tensor(
                Array::from_shape_vec(ndarray::IxDyn(&[g.n, g.k(), g.p()]), out).expect("sizes"),
            ))
        }),
        Slot::Conv2dForward => imp(|a| {
            let b = match &a[2] {
                Value::Tensor(b) => Some(Tensor::from_array(b.clone())),
                _ => None,
            };
            lab(|| {
                tensor(&a[0]).try_conv2d(
                    &tensor(&a[1]),
                    b.as_ref(),
                    num(&a[3]) as usize,
                    num(&a[4]) as usize,
                )
            })
            .map(t)
        }),
        Slot::Conv2dBackward => imp(|a| {
            let (g, x, w, s, p) = (
                arr(&a[0]),
                arr(&a[1]),
                arr(&a[2]),
                num(&a[3]) as usize,
                num(&a[4]) as usize,
            );
            let o = w.shape()[0];
            let gs = grads_of(&[x, w, Array::zeros(ndarray::IxDyn(&[o]))], &g, |ts| {
                ts[0].try_conv2d(&ts[1], Some(&ts[2]), s, p)
            })?;
            Ok(Value::record(vec![
                ("dx", Value::Tensor(gs[0].clone())),
                ("dweight", Value::Tensor(gs[1].clone())),
                ("dbias", Value::Tensor(gs[2].clone())),
            ]))
        }),
        Slot::MaxPool2dForward => imp(|a| {
            lab(|| tensor(&a[0]).try_max_pool2d(num(&a[1]) as usize, num(&a[2]) as usize, 0)).map(t)
        }),
        Slot::MaxPool2dBackward => imp(|a| {
            let (g, x, k, s) = (
                arr(&a[0]),
                arr(&a[1]),
                num(&a[2]) as usize,
                num(&a[3]) as usize,
            );
            let gs = grads_of(&[x], &g, |ts| ts[0].try_max_pool2d(k, s, 0))?;
            Ok(Value::Tensor(gs[0].clone()))
        }),
    }
}

fn labels(v: &Value) -> Vec<usize> {
    v.numbers()
        .expect("labels")
        .iter()
        .map(|&x| x as usize)
        .collect()
}

/// Installs the reference implementation of every slot of `modules`.
pub fn install_modules(modules: &[u32]) {
    for &m in modules {
        for s in Slot::of_module(m) {
            slots::install(s, reference(s));
        }
    }
}

#[allow(dead_code)]
pub fn unused(_: Draw, _: DataLoader, _: TensorDataset) {}
