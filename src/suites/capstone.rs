//! `capstone` (module 20): a digits model optimised by distillation, pruning and int8
//! quantization, measured against its baseline, reported in a submission that validates
//! against the schema — and the validator rejects reports that break it.

use super::ctx::{check, Ctx};
use crate::capstone::{run_capstone_with, validate, CapstonePlan};
use crate::error::Result;
use crate::milestones::digits::{digits_model, DigitsModel};
use crate::nn::loss::Loss;
use crate::tensor::Tensor;
use std::cell::RefCell;

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case(
        "layers_check",
        "The baseline architecture passes the per-layer gradient check.",
        |ctx, c| {
            ctx.reseed(1);
            let m = digits_model(DigitsModel::Mlp)?;
            ctx.prepare(&m);
            let (x, y) = (
                Tensor::rand(&[8, 1, 8, 8]),
                Tensor::from_vec((0..8).map(|i| i as f32).collect(), &[8])?,
            );
            ctx.check_layers(c, &m, &x, &y, Loss::CrossEntropy)
        },
    );

    // One capstone run serves both cases (it trains three models); quick mode trains each stage
    // for fewer epochs (6, 6, 2 instead of 25, 20, 5) and is held to the same thresholds.
    let plan = if ctx.quick {
        CapstonePlan::quick()
    } else {
        CapstonePlan::standard()
    };
    let seed = ctx.seed;
    let made: RefCell<Option<serde_json::Value>> = RefCell::new(None);
    let report_of = || -> Result<serde_json::Value> {
        if let Some(r) = made.borrow().as_ref() {
            return Ok(r.clone());
        }
        let build = if cfg!(target_arch = "wasm32") {
            "simd"
        } else {
            "native"
        };
        let r = run_capstone_with(&plan, seed, Some("ci"), build, &mut |_| {})?;
        *made.borrow_mut() = Some(r.clone());
        Ok(r)
    };
    let desc = format!("Distil the 64-128-10 digits MLP ({} epochs) into 64-32-10 ({} epochs), prune 50% ({} epochs of fine-tuning), quantize to int8: the submission validates, the optimised model is ≥ 10× smaller and within 3 points of the baseline's held-out accuracy, and every figure is measured.", plan.baseline_epochs, plan.distill_epochs, plan.finetune_epochs);
    ctx.case("optimised_submission", &desc, |_, c| {
        let report = report_of()?;
        let errors = validate(&report);
        check!(errors.is_empty(), "the submission does not validate: {}", errors.join("; "));
        let f = |p: &str| report.pointer(p).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        let (ba, oa, ratio) = (f("/baseline/accuracy"), f("/optimized/accuracy"), f("/improvements/compression_ratio"));
        for (k, p) in [("baseline_accuracy", "/baseline/accuracy"), ("optimized_accuracy", "/optimized/accuracy"), ("baseline_bytes", "/baseline/bytes"), ("optimized_bytes", "/optimized/bytes"), ("compression_ratio", "/improvements/compression_ratio"), ("speedup", "/improvements/speedup")] {
            c.metrics.insert(k.into(), f(p));
        }
        check!(ratio >= 10.0, "only {ratio:.1}× smaller");
        check!(ba - oa <= 0.03, "optimised accuracy {:.2}% vs baseline {:.2}%", oa * 100.0, ba * 100.0);
        c.message = format!("baseline {:.2}% in {} B → optimised {:.2}% in {} B ({ratio:.1}× smaller, ×{:.2} latency)", ba * 100.0, f("/baseline/bytes"), oa * 100.0, f("/optimized/bytes"), f("/improvements/speedup"));
        Ok(())
    });

    ctx.case("validator_rejects_bad_reports", "The validator names what is wrong: a missing field, an accuracy of 1.3, an unknown technique, an extra field, and a compression ratio that does not follow from the bytes.", |_, _| {
        let good = report_of()?;
        let mut cases: Vec<(serde_json::Value, &str)> = Vec::new();
        let mut a = good.clone();
        a.as_object_mut().expect("object").remove("baseline");
        cases.push((a, "missing \"baseline\""));
        let mut b = good.clone();
        b["optimized"]["accuracy"] = serde_json::json!(1.3);
        cases.push((b, "above the maximum"));
        let mut t = good.clone();
        t["optimized"]["techniques"] = serde_json::json!(["magic"]);
        cases.push((t, "not one of"));
        let mut e = good.clone();
        e["extra"] = serde_json::json!(1);
        cases.push((e, "unexpected field"));
        let mut r = good.clone();
        r["improvements"]["compression_ratio"] = serde_json::json!(99.0);
        cases.push((r, "compression_ratio"));
        for (bad, want) in cases {
            let errs = validate(&bad);
            check!(errs.iter().any(|e| e.contains(want)), "expected an error mentioning {want:?}, got {errs:?}");
        }
        Ok(())
    });
    Ok(())
}
