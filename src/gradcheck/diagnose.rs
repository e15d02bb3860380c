//! Reading the per-layer verdicts: the culprit is the deepest layer cut from the graph, else the
//! deepest layer whose own backward is wrong while what arrived at it was usable; every other
//! failing layer is explained by the culprit, and the summary says which layer broke and why.

use super::{GradReport, GradRow, GradcheckOptions, LayerVerdict, Status};
use crate::nn::LayerInfo;

/// Picks the culprit and writes the reasons.
pub(super) fn diagnose(
    mut layers: Vec<LayerVerdict>,
    mut rows: Vec<GradRow>,
    cuts: Vec<usize>,
    lost: &[usize],
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
            let what = if l.receives == Status::Missing {
                "no gradient"
            } else {
                "only zeros"
            };
            let lost_here = lost.contains(&l.index);
            match culprit {
                Some(c) => {
                    l.reason = format!(
                        "layer {}, {}: {what} reaches this layer because of layer {c} ({})",
                        l.index,
                        l.name,
                        name_of(c)
                    );
                }
                None if lost_here => {
                    // The loss moves with this layer's output and the reference gradient
                    // arriving here is not zero, so a layer after it lost the gradient and its
                    // own check did not catch it. Never call that correct.
                    l.status = l.receives;
                    l.reason = format!(
                        "layer {}, {}: {what} reaches this layer although the loss depends on \
                         its output; a layer after it lost the gradient, but no layer's own \
                         check showed which",
                        l.index, l.name
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
                if culprit.is_none() && !lost_here {
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
        // The deepest layer the gradient was lost above is the nearest to where it was lost.
        None if failed => deepest(lost.to_vec())
            .and_then(|i| layers.iter().find(|l| l.index == i))
            .map(|l| l.reason.clone())
            .unwrap_or_else(|| {
                "some gradients are wrong, but no single layer can be blamed".to_string()
            }),
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
