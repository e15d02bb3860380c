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
