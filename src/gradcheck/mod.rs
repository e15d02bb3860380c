//! Per-layer numerical gradient checking that names the layer where the chain goes wrong.
//!
//! One traced forward/backward records every layer call: a private copy of its input, its
//! output, the gradient that arrived at that output (`g`), and the RNG state (so dropout
//! replays). Each layer is then checked *locally*: for sampled elements of its parameters and
//! of its input, central differences of `s = Σ g ⊙ layer(x)` are compared with what backward
//! produced. Checking locally keeps the signal proportional to the arriving gradient (deep
//! layers with small gradients are checked as precisely as shallow ones), and only the
//! layer's own kinks can disturb it. If every layer passes, the chain rule makes the whole
//! gradient right; the deepest failing layer is the culprit. A layer whose output is cut from
//! the graph (or whose arriving gradient is missing although the loss depends on it) is found
//! by the trace and by an end-to-end probe.

mod report;

pub use report::{GradReport, GradRow, LayerVerdict, Status};

use crate::autograd::no_grad;
use crate::error::Result;
use crate::loss::Loss;
use crate::nn::trace::{self, Probe, Record};
use crate::nn::{call, flatten_layers, LayerInfo, Module};
use crate::rng::{self, Rng};
use crate::tensor::{Array, Tensor};
use report::row_reason;

/// Settings for [`gradcheck`].
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckOptions {
    /// Finite-difference step.
    pub eps: f32,
    /// Largest accepted `max |backward − numerical| / max |numerical|`.
    pub tolerance: f32,
    /// At most this many elements of each tensor are compared (chosen with `seed`).
    pub max_elements: usize,
    /// Seed of the element sampling.
    pub seed: u64,
    /// Also check the gradient of the model's input (false for token ids).
    pub input_grad: bool,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 3e-4,
            tolerance: 0.05,
            max_elements: 24,
            seed: 0,
            input_grad: true,
        }
    }
}

/// A tensor comparison before it becomes a row.
struct Cmp {
    status: Status,
    max_abs: f32,
    max_rel: f32,
    checked: usize,
    skipped: usize,
    scale: f32,
    max_numeric: f32,
}

/// Chooses which elements of a tensor of `len` values to compare.
fn sample(len: usize, max: usize, rng: &mut Rng) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..len).collect();
    if len > max {
        rng.shuffle(&mut idx);
        idx.truncate(max);
        idx.sort_unstable();
    }
    idx
}

/// `s = Σ_calls Σ g ⊙ y` in f64, and the rounding noise of `s − s0`: only outputs that
/// differ from the unperturbed run `y0` carry noise, a few ulps each, weighted by `|g|`.
fn contribution(arrived: &[Arrived], ys: &[Option<Array>], y0: &[Option<Array>]) -> (f64, f64) {
    let (mut s, mut noise) = (0.0f64, 0.0f64);
    for ((a, y), b) in arrived.iter().zip(ys).zip(y0) {
        let (Arrived::Grad(g), Some(y), Some(b)) = (a, y, b) else {
            continue;
        };
        for ((&gv, &yv), &bv) in g.iter().zip(y.iter()).zip(b.iter()) {
            s += gv as f64 * yv as f64;
            if yv != bv {
                noise +=
                    (gv as f64).abs() * f32::EPSILON as f64 * 4.0 * (yv.abs() + bv.abs()) as f64;
            }
        }
    }
    (s, noise)
}

/// Compares `analytic` with central differences of `f(index, delta)` around `s0`, where
/// `noise` is the size of f32 rounding in `f`.
fn compare(
    analytic: Option<&Array>,
    len: usize,
    s0: f64,
    opts: &GradcheckOptions,
    rng: &mut Rng,
    mut f: impl FnMut(usize, f32) -> Result<(f64, f64)>,
) -> Result<Cmp> {
    let h = opts.eps as f64;
    let idx = sample(len, opts.max_elements, rng);
    // (index, central, forward, backward, rounding noise of a slope at this point)
    let mut pts = Vec::with_capacity(idx.len());
    for &i in &idx {
        let ((fp, np), (fm, nm)) = (f(i, opts.eps)?, f(i, -opts.eps)?);
        pts.push((
            i,
            (fp - fm) / (2.0 * h),
            (fp - s0) / h,
            (s0 - fm) / h,
            (np + nm) / h,
        ));
    }
    let max_numeric = pts.iter().map(|p| p.1.abs()).fold(0.0, f64::max);
    // Below `floor` a derivative is indistinguishable from rounding noise, so it is also the
    // smallest denominator for relative errors.
    let floor = 4.0 * pts.iter().map(|p| p.4).fold(f64::MIN_POSITIVE, f64::max);
    let scale_ref = max_numeric.max(floor);
    let cmp = |status, max_abs: f64, max_rel: f64, checked, skipped, scale| Cmp {
        status,
        max_abs: max_abs as f32,
        max_rel: max_rel as f32,
        checked,
        skipped,
        scale,
        max_numeric: max_numeric as f32,
    };
    let Some(a) = analytic else {
        let status = if max_numeric > floor {
            Status::Missing
        } else {
            Status::Ok
        };
        return Ok(cmp(status, max_numeric, 1.0, idx.len(), 0, 0.0));
    };
    let a = a.as_slice().expect("standard");
    let all_zero = a.iter().all(|&v| v == 0.0);
    let (mut max_abs, mut skipped, mut an, mut nn, mut smooth_max) = (0.0f64, 0, 0.0, 0.0, 0.0f64);
    for &(i, central, fwd, bwd, noise) in &pts {
        // A kink between x−h and x+h (ReLU at 0, a max tie) makes the one-sided slopes
        // disagree; the central difference is then off by at most half of that, so a point
        // whose slopes disagree by more than the tolerance allows is skipped.
        let side = fwd.abs().max(bwd.abs());
        if (fwd - bwd).abs() > (0.5 * opts.tolerance as f64 * side).max(2.0 * noise) {
            skipped += 1;
            continue;
        }
        let av = a[i] as f64;
        max_abs = max_abs.max((av - central).abs());
        an += av * central;
        nn += central * central;
        smooth_max = smooth_max.max(central.abs());
    }
    if all_zero && smooth_max > floor {
        return Ok(cmp(
            Status::Zero,
            smooth_max,
            1.0,
            idx.len() - skipped,
            skipped,
            0.0,
        ));
    }
    let max_rel = max_abs / scale_ref;
    let scale = if nn > 0.0 { (an / nn) as f32 } else { 1.0 };
    let status = if max_rel > opts.tolerance as f64 {
        Status::Mismatch
    } else {
        Status::Ok
    };
    Ok(cmp(
        status,
        max_abs,
        max_rel,
        idx.len() - skipped,
        skipped,
        scale,
    ))
}

/// Checks every layer's gradients of `model` at `(input, target)` under `loss`.
///
/// The model's gradients and buffers and the global RNG are left as they were.
///
/// # Errors
/// If the forward pass or the loss fails (wrong shapes, bad labels).
///
/// # Example
/// ```
/// use tinytorch::{gradcheck::{gradcheck, GradcheckOptions}, loss::Loss, nn::*, Tensor};
/// tinytorch::manual_seed(1);
/// let m = Sequential::new(vec![Linear::new(3, 4, true).into_layer(), Tanh::new().into_layer(),
///                              Linear::new(4, 2, true).into_layer()]);
/// let (x, y) = (Tensor::randn(&[5, 3]), Tensor::randn(&[5, 2]));
/// let r = gradcheck(&m, &x, &y, Loss::Mse, &GradcheckOptions::default()).unwrap();
/// assert!(r.passed);
/// inject_fault(&m, 1, FaultKind::FlipSign).unwrap();
/// let r = gradcheck(&m, &x, &y, Loss::Mse, &GradcheckOptions::default()).unwrap();
/// assert_eq!(r.culprit, Some(1));
/// ```
pub fn gradcheck(
    model: &dyn Module,
    input: &Tensor,
    target: &Tensor,
    loss: Loss,
    opts: &GradcheckOptions,
) -> Result<GradReport> {
    let params = model.parameters();
    let saved_grads: Vec<Option<Array>> = params.iter().map(|p| p.grad_array().clone()).collect();
    let buffers = model.buffers();
    let saved_buffers: Vec<Array> = buffers.iter().map(|b| b.data().clone()).collect();
    let rng0 = rng::snapshot();
    let result = run(model, input, target, loss, opts, &rng0);
    for (p, g) in params.iter().zip(saved_grads) {
        p.set_grad(g);
    }
    for (b, d) in buffers.iter().zip(saved_buffers) {
        *b.data_mut() = d;
    }
    rng::restore(rng0);
    result
}

/// What arrived at a layer's output.
enum Arrived {
    Grad(Array),
    Zero,
    Nothing,
}

fn run(
    model: &dyn Module,
    input: &Tensor,
    target: &Tensor,
    loss: Loss,
    opts: &GradcheckOptions,
    rng0: &Rng,
) -> Result<GradReport> {
    let x = if opts.input_grad {
        input.detach().requires_grad_(true)
    } else {
        input.clone()
    };
    for p in model.parameters() {
        p.zero_grad();
    }
    rng::restore(rng0.clone());
    let (l, records) = trace::recording(|| -> Result<Tensor> {
        let out = call(model, &x)?;
        loss.compute(&out, target)
    });
    let l = l?;
    // A model cut off from everything that needs grad has nothing to back-propagate; the
    // trace still says where it was cut.
    if l.requires_grad() {
        l.backward()?;
    }
    let l0 = l.item()?;
    // End-to-end loss with one output element of one layer nudged (presence probes only).
    let probe_loss = |p: Probe| -> Result<f32> {
        rng::restore(rng0.clone());
        no_grad(|| trace::probing(p, || loss.compute(&call(model, &x)?, target)?.item()))
    };
    let mut srng = Rng::new(opts.seed);
    let layers = flatten_layers(model);
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    let mut cuts = Vec::new();
    for info in &layers {
        let recs: Vec<&Record> = records
            .iter()
            .filter(|r| r.site == info.module.site().id())
            .collect();
        let (own, receives, cut) = check_layer(info, &recs, l0, opts, &mut srng, &probe_loss)?;
        if cut {
            cuts.push(info.index);
        }
        let status = own
            .iter()
            .map(|(_, c)| c.status)
            .find(|s| *s != Status::Ok)
            .unwrap_or(Status::Ok);
        for (param, c) in own {
            let mut row = GradRow {
                layer: info.index,
                layer_name: info.module.kind().to_string(),
                path: info.path.clone(),
                param,
                status: c.status,
                max_abs_error: c.max_abs,
                max_rel_error: c.max_rel,
                checked: c.checked,
                skipped: c.skipped,
                scale: c.scale,
                reason: String::new(),
            };
            row.reason = row_reason(&row, c.max_numeric);
            rows.push(row);
        }
        verdicts.push(LayerVerdict {
            index: info.index,
            name: info.module.kind().to_string(),
            path: info.path.clone(),
            describe: info.module.describe(),
            depth: info.depth,
            status,
            receives,
            culprit: false,
            reason: String::new(),
        });
    }
    Ok(diagnose(verdicts, rows, cuts, l0, opts, &layers))
}

type Checked = (Vec<(String, Cmp)>, Status, bool);

/// Checks one layer: its parameters and the gradient it passes to its input.
fn check_layer(
    info: &LayerInfo<'_>,
    recs: &[&Record],
    l0: f32,
    opts: &GradcheckOptions,
    srng: &mut Rng,
    probe_loss: &dyn Fn(Probe) -> Result<f32>,
) -> Result<Checked> {
    let m = info.module;
    let params = m.own_parameters();
    if recs.is_empty() {
        // Never ran: its parameters cannot get a gradient, and none is expected.
        let own = params
            .iter()
            .map(|(n, _)| (n.to_string(), na(Status::Ok)))
            .collect();
        return Ok((own, Status::Ok, false));
    }
    let cut = recs.iter().any(|r| r.cut);
    let arrived: Vec<Arrived> = recs
        .iter()
        .map(|r| match r.output.grad_array().as_ref() {
            None => Arrived::Nothing,
            Some(g) if g.iter().all(|&v| v == 0.0) => Arrived::Zero,
            Some(g) => Arrived::Grad(g.clone()),
        })
        .collect();
    if !arrived.iter().any(|a| matches!(a, Arrived::Grad(_))) {
        // Nothing usable arrived. Does the loss depend on this layer at all?
        let r = recs[0];
        let n = r.output.numel();
        let idx = sample(n, 4, srng);
        let top = r
            .output
            .data()
            .iter()
            .map(|v| v.abs())
            .fold(0.0f32, f32::max);
        let step = opts.eps * 10.0 * top.max(1.0);
        let noise = f32::EPSILON * l0.abs().max(1.0) * 16.0;
        let mut depends = false;
        for &i in &idx {
            let moved = |delta| -> Result<f32> {
                Ok(probe_loss(Probe {
                    site: r.site,
                    call: 0,
                    index: i,
                    delta,
                })? - l0)
            };
            let (up, down) = (moved(step)?, moved(-step)?);
            // A real dependence moves the loss both ways, roughly antisymmetrically; a dead
            // ReLU region moves it on one side only, and a point sitting exactly on a kink
            // moves it the same way on both sides.
            let big = up.abs().max(down.abs());
            depends |= up.abs() > noise && down.abs() > noise && (up + down).abs() <= 0.5 * big;
        }
        let status = match (&arrived[0], depends) {
            (_, false) => Status::Ok,
            (Arrived::Nothing, true) => Status::Missing,
            _ => Status::Zero,
        };
        let mut own: Vec<(String, Cmp)> = params
            .iter()
            .map(|(n, _)| (n.to_string(), na(status)))
            .collect();
        if r.input.requires_grad() {
            own.push(("input".to_string(), na(status)));
        }
        return Ok((own, status, cut));
    }
    // The layer's own contribution, replayed: s = Σ_calls Σ g ⊙ layer(x).
    // The layer's own contribution, replayed: s = Σ_calls Σ g ⊙ layer(x).
    let replay = |xs: &[Array]| -> Result<Vec<Option<Array>>> {
        let mut ys = Vec::with_capacity(xs.len());
        for ((r, a), xv) in recs.iter().zip(&arrived).zip(xs) {
            let Arrived::Grad(_) = a else {
                ys.push(None);
                continue;
            };
            rng::restore(r.rng.clone());
            let y = no_grad(|| call(m, &Tensor::from_array(xv.clone())))?;
            let y = y.data().clone();
            ys.push(Some(y));
        }
        Ok(ys)
    };
    let xs: Vec<Array> = recs.iter().map(|r| r.input.data().clone()).collect();
    let y0 = replay(&xs)?;
    let s0 = contribution(&arrived, &y0, &y0).0;
    // s and its rounding noise for a perturbed replay: only outputs that changed carry noise.
    let eval =
        |xs: &[Array]| -> Result<(f64, f64)> { Ok(contribution(&arrived, &replay(xs)?, &y0)) };
    let mut own = Vec::new();
    for (name, p) in &params {
        let grad = p.grad_array().clone();
        let cmp = compare(grad.as_ref(), p.numel(), s0, opts, srng, |i, d| {
            let old = p.data().as_slice().expect("standard")[i];
            p.data_mut().as_slice_mut().expect("standard")[i] = old + d;
            let v = eval(&xs);
            p.data_mut().as_slice_mut().expect("standard")[i] = old;
            v
        })?;
        own.push((name.to_string(), cmp));
    }
    let r0 = recs[0];
    if r0.input.requires_grad() && matches!(arrived[0], Arrived::Grad(_)) {
        let g = r0.input.grad_array().clone();
        let cmp = compare(g.as_ref(), r0.input.numel(), s0, opts, srng, |i, d| {
            let mut xs2 = xs.clone();
            xs2[0].as_slice_mut().expect("standard")[i] += d;
            eval(&xs2)
        })?;
        own.push(("input".to_string(), cmp));
    }
    Ok((own, Status::Ok, cut))
}

fn na(status: Status) -> Cmp {
    Cmp {
        status,
        max_abs: 0.0,
        max_rel: 0.0,
        checked: 0,
        skipped: 0,
        scale: 1.0,
        max_numeric: 0.0,
    }
}

/// Picks the culprit and writes the reasons.
fn diagnose(
    mut layers: Vec<LayerVerdict>,
    mut rows: Vec<GradRow>,
    cuts: Vec<usize>,
    l0: f32,
    opts: &GradcheckOptions,
    infos: &[LayerInfo<'_>],
) -> GradReport {
    let deepest = |c: Vec<usize>| c.into_iter().max_by_key(|&i| (infos[i].depth, i));
    let cut = deepest(cuts);
    // A layer whose own math is wrong while what arrived at it was usable.
    let local = |l: &LayerVerdict| l.receives == Status::Ok && l.status != Status::Ok;
    let culprit = cut.or_else(|| {
        deepest(
            layers
                .iter()
                .filter(|l| local(l))
                .map(|l| l.index)
                .collect(),
        )
    });
    let name_of = |i: usize| infos.get(i).map(|l| l.module.kind()).unwrap_or("?");
    for l in &mut layers {
        let first_bad = rows
            .iter()
            .find(|r| r.layer == l.index && r.status != Status::Ok);
        if Some(l.index) == culprit {
            l.culprit = true;
            l.reason = if cut == Some(l.index) {
                format!(
                    "layer {}, {}: its output is not connected to its input (detached), so no \
                     gradient reaches anything before it; the chain breaks here",
                    l.index, l.name
                )
            } else {
                first_bad.map(|r| r.reason.clone()).unwrap_or_default()
            };
        } else if l.receives != Status::Ok {
            match culprit {
                Some(c) => {
                    let what = if l.receives == Status::Missing {
                        "no gradient"
                    } else {
                        "only zeros"
                    };
                    l.reason = format!(
                        "layer {}, {}: {what} reaches this layer because of layer {c} ({})",
                        l.index,
                        l.name,
                        name_of(c)
                    );
                }
                None => {
                    // Nothing cuts the graph and every layer's own backward is right, so a
                    // zero arriving gradient is the mathematics of this batch (ReLUs after
                    // it inactive on every sample), not a bug.
                    l.status = Status::Ok;
                    l.reason = format!(
                        "layer {}, {}: no non-zero gradient arrives on this batch (the units \
                         after it are inactive for every sample); that is correct here",
                        l.index, l.name
                    );
                }
            }
            for r in rows.iter_mut().filter(|r| r.layer == l.index) {
                r.reason = l.reason.clone();
                if culprit.is_none() {
                    r.status = Status::Ok;
                }
            }
        } else if l.status != Status::Ok {
            l.reason = first_bad.map(|r| r.reason.clone()).unwrap_or_default();
        }
    }
    let failed = culprit.is_some() || layers.iter().any(|l| l.status != Status::Ok);
    let summary = match culprit {
        Some(c) => layers
            .iter()
            .find(|l| l.index == c)
            .map(|l| l.reason.clone())
            .unwrap_or_default(),
        None if failed => "some gradients are wrong, but no single layer can be blamed".to_string(),
        None => format!(
            "all {} layers pass: every gradient matches the numerical one",
            layers.len()
        ),
    };
    GradReport {
        passed: !failed,
        culprit,
        summary,
        loss: l0,
        eps: opts.eps,
        tolerance: opts.tolerance,
        layers,
        rows,
    }
}

/// Central-difference gradient of a scalar function at `x` (for checking single ops):
/// `∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h`, evaluated without recording a graph.
///
/// # Errors
/// Whatever `f` returns, or if `f` does not return a one-element tensor.
///
/// # Example
/// ```
/// use tinytorch::{gradcheck::numeric_gradient, Tensor};
/// let x = Tensor::from_vec(vec![1.0, 2.0], &[2]).unwrap();
/// let g = numeric_gradient(|t| Ok((t * t).sum()), &x, 1e-2).unwrap();
/// assert!((g[0] - 2.0).abs() < 1e-3 && (g[1] - 4.0).abs() < 1e-3);
/// ```
pub fn numeric_gradient(
    f: impl Fn(&Tensor) -> Result<Tensor>,
    x: &Tensor,
    h: f32,
) -> Result<Vec<f32>> {
    let base = x.data().clone();
    let mut out = Vec::with_capacity(base.len());
    for i in 0..base.len() {
        let eval = |d: f32| -> Result<f64> {
            let mut v = base.clone();
            v.as_slice_mut().expect("standard")[i] += d;
            Ok(no_grad(|| f(&Tensor::from_array(v)))?.item()? as f64)
        };
        out.push(((eval(h)? - eval(-h)?) / (2.0 * h as f64)) as f32);
    }
    Ok(out)
}
