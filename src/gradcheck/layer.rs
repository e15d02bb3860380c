//! One layer's local check: replay the layer on its recorded inputs, nudge its parameters and
//! its input, and compare `s = Σ g ⊙ layer(x)` with what backward produced; when no usable
//! gradient arrived, probe whether the loss depends on the layer at all. The reference
//! gradients say where to look (where the true gradient is non-zero).

use super::compare::{compare, contribution, na, Arrived, Cmp};
use super::reference::Reference;
use super::sample::sample_guided;
use super::{GradcheckOptions, Status};
use crate::autograd::no_grad;
use crate::error::Result;
use crate::nn::trace::{Probe, Record};
use crate::nn::{call, LayerInfo};
use crate::rng::{self, Rng};
use crate::tensor::{Array, Tensor};

/// What one layer's check found.
pub(super) struct Checked {
    /// Its rows: tensor name and comparison.
    pub(super) own: Vec<(String, Cmp)>,
    /// Whether the gradient arriving at its output is right.
    pub(super) receives: Status,
    /// Its output was cut from the graph.
    pub(super) cut: bool,
    /// Nothing usable arrived although the loss depends on its output and the reference
    /// gradient arriving there is not zero: a layer above lost it (this batch's mathematics
    /// would have zeroed the reference too).
    pub(super) lost: bool,
}

/// Checks one layer: its parameters and the gradient it passes to its input.
pub(super) fn check_layer(
    info: &LayerInfo<'_>,
    recs: &[&Record],
    l0: f32,
    opts: &GradcheckOptions,
    srng: &mut Rng,
    reference: Option<&Reference>,
    probe_loss: &dyn Fn(Probe) -> Result<f32>,
) -> Result<Checked> {
    let m = info.module;
    let site = m.site().id();
    let params = m.own_parameters();
    if recs.is_empty() {
        // Never ran: its parameters cannot get a gradient, and none is expected.
        let own = params
            .iter()
            .map(|(n, _)| (n.to_string(), na(Status::Ok)))
            .collect();
        return Ok(Checked {
            own,
            receives: Status::Ok,
            cut: false,
            lost: false,
        });
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
        // Nothing usable arrived. Does the loss depend on this layer at all? Nudge outputs drawn
        // by the size of the reference gradient arriving there (the largest most likely):
        // elsewhere (a max-pool's non-maxima, a dead ReLU's inputs) the loss does not move, and
        // a zeroed gradient would look like the truth.
        let r = recs[0];
        let n = r.output.numel();
        let guide = reference.and_then(|rf| rf.arriving(site, 0));
        let idx = sample_guided(n, 4, 4, guide, srng);
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
        let expected = guide.is_some_and(|g| g.iter().any(|&v| v != 0.0));
        return Ok(Checked {
            own,
            receives: status,
            cut,
            lost: status != Status::Ok && expected,
        });
    }
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
        let guide = reference.and_then(|rf| rf.param(p));
        let cmp = compare(grad.as_ref(), p.numel(), s0, opts, srng, guide, |i, d| {
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
        let guide = reference.and_then(|rf| rf.input(site, 0));
        let cmp = compare(
            g.as_ref(),
            r0.input.numel(),
            s0,
            opts,
            srng,
            guide,
            |i, d| {
                let mut xs2 = xs.clone();
                xs2[0].as_slice_mut().expect("standard")[i] += d;
                eval(&xs2)
            },
        )?;
        own.push(("input".to_string(), cmp));
    }
    Ok(Checked {
        own,
        receives: Status::Ok,
        cut,
        lost: false,
    })
}
