//! `capstone` (module 20): a digits model optimised by distillation, pruning and int8
//! quantization, measured against its baseline, reported in a submission that validates
//! against the schema — and the validator rejects reports that break it.

use super::ctx::{check, Ctx};
use crate::capstone::{run_capstone, validate};
use crate::error::Result;
use crate::loss::Loss;
use crate::tensor::Tensor;
use crate::vision::{digits_model, DigitsModel};

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

    ctx.case("optimised_submission", "Distil the 64-128-10 digits MLP into 64-32-10, prune 50%, quantize to int8: the submission validates, the optimised model is ≥ 10× smaller and within 3 points of the baseline's held-out accuracy, and every figure is measured.", |ctx, c| {
        let report = run_capstone(ctx.seed, Some("ci"), if cfg!(target_arch = "wasm32") { "simd" } else { "native" }, &mut |_| {})?;
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

    ctx.case("validator_rejects_bad_reports", "The validator names what is wrong: a missing field, an accuracy of 1.3, an unknown technique, an extra field, and a compression ratio that does not follow from the bytes.", |ctx, _| {
        let good = run_capstone(ctx.seed, None, "native", &mut |_| {});
        let good = good?;
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
