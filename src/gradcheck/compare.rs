//! Comparing one tensor's backward gradient with central differences: the replayed
//! contribution `s = Σ g ⊙ y` with its rounding noise, and the verdict (ok, mismatch, zero or
//! missing) that becomes a row of the report.

use super::sample::sample_guided;
use super::{GradcheckOptions, Status};
use crate::autograd::no_grad;
use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::{Array, Tensor};

/// What arrived at a layer's output during the traced backward pass.
pub(super) enum Arrived {
    /// A gradient with at least one non-zero element.
    Grad(Array),
    /// A gradient of zeros only.
    Zero,
    /// No gradient at all.
    Nothing,
}

/// A tensor comparison before it becomes a row.
pub(super) struct Cmp {
    pub(super) status: Status,
    pub(super) max_abs: f32,
    pub(super) max_rel: f32,
    pub(super) checked: usize,
    pub(super) skipped: usize,
    pub(super) scale: f32,
    pub(super) max_numeric: f32,
    /// The compared element where backward and the numerical gradient differ most: flat
    /// index, numerical value, backward's value (`None` when nothing was compared).
    pub(super) worst: Option<(usize, f32, Option<f32>)>,
}

/// `s = Σ_calls Σ g ⊙ y` in f64, and the rounding noise of `s − s0`: only outputs that
/// differ from the unperturbed run `y0` carry noise, a few ulps each, weighted by `|g|`.
pub(super) fn contribution(
    arrived: &[Arrived],
    ys: &[Option<Array>],
    y0: &[Option<Array>],
) -> (f64, f64) {
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

/// Compares `analytic` with central differences of `f(index, delta)` (which returns `s` and
/// its rounding noise) around `s0`, at elements sampled half where `guide` (the reference
/// gradient of this tensor) is large and half uniformly.
pub(super) fn compare(
    analytic: Option<&Array>,
    len: usize,
    s0: f64,
    opts: &GradcheckOptions,
    rng: &mut Rng,
    guide: Option<&Array>,
    mut f: impl FnMut(usize, f32) -> Result<(f64, f64)>,
) -> Result<Cmp> {
    let h = opts.eps as f64;
    let max = opts.max_elements;
    let idx = sample_guided(len, max, max.div_ceil(2), guide, rng);
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
    // The element of largest numerical gradient, until a comparison finds a worse one.
    let biggest = pts
        .iter()
        .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()))
        .map(|p| {
            (
                p.0,
                p.1 as f32,
                analytic.and_then(|a| a.as_slice()).map(|a| a[p.0]),
            )
        });
    let mut worst = biggest;
    let cmp = |status, max_abs: f64, max_rel: f64, checked, skipped, scale, worst| Cmp {
        status,
        max_abs: max_abs as f32,
        max_rel: max_rel as f32,
        checked,
        skipped,
        scale,
        max_numeric: max_numeric as f32,
        worst,
    };
    let Some(a) = analytic else {
        let status = if max_numeric > floor {
            Status::Missing
        } else {
            Status::Ok
        };
        return Ok(cmp(status, max_numeric, 1.0, idx.len(), 0, 0.0, worst));
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
        if (av - central).abs() > max_abs {
            worst = Some((i, central as f32, Some(a[i])));
        }
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
            biggest,
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
        worst,
    ))
}

/// A comparison that was not made (nothing to compare), with the status it stands for.
pub(super) fn na(status: Status) -> Cmp {
    Cmp {
        status,
        max_abs: 0.0,
        max_rel: 0.0,
        checked: 0,
        skipped: 0,
        scale: 1.0,
        max_numeric: 0.0,
        worst: None,
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
