//! Modules 18–20 of `api_compatibility`: the matmul kernels and the fused bias + GELU, the
//! benchmarking statistics, comparisons and Pareto front, and the capstone's plan and
//! submission schema, checked against their documented values.

use super::docs::{doc, wide, Docs, Documented, Value::*};
use super::ApiCase;
use crate::bench::{compare_models, pareto_front, Stats};
use crate::capstone::{schema, validate, CapstonePlan};
use crate::kernels::{gemm, gemm_naive, gemm_with, kernels, KernelKind, MatRef};
use crate::nn::{Linear, ReLU, Sequential};
use crate::suites::ctx::{check, CaseResult};
use crate::tensor::Tensor;

/// What modules 18–20 document.
pub fn table() -> Vec<Documented> {
    vec![
        doc("gemm", "[[1, 2], [3, 4]]·[[5, 6], [7, 8]]", List(vec![19.0, 22.0, 43.0, 50.0]), "src/kernels/mod.rs (gemm example)"),
        doc("KernelKind::name", "the kernel names", Text("naive scalar simd relaxed".into()), "src/kernels/mod.rs (KernelKind, snake_case)"),
        doc("Stats::of", "median of [1, 2, 3, 4, 100]", Num(3.0), "src/bench.rs (Stats::of example)"),
        doc("Stats::of", "95% interval factor z (mean ± z·std/√n)", Num(1.96), "src/bench.rs (Stats: 95% confidence interval of the mean; curriculum 19)"),
        doc("Stats::of", "std of [1, 2, 3, 4] (sample, n − 1)", Num(1.290_994_449), "src/bench.rs (Stats: sample standard deviation)"),
        doc("pareto_front", "front of (1, 0.9), (2, 0.95), (3, 0.93), (0.5, 0.5)", Dims(vec![0, 1, 3]), "src/bench.rs (pareto_front example)"),
        doc("CapstonePlan::standard", "epochs of baseline, distillation, fine-tuning", Dims(vec![25, 20, 5]), "src/capstone/mod.rs (CapstonePlan::standard)"),
        doc("CapstonePlan::quick", "epochs of baseline, distillation, fine-tuning", Dims(vec![6, 6, 2]), "src/capstone/mod.rs (CapstonePlan::quick)"),
        doc("capstone::schema", "required top-level fields", Text("schema_version tinytorch_version submission_type system dataset baseline optimized improvements".into()), "src/capstone/schema.rs (schema)"),
        doc("capstone::schema", "schema_version", Text("1.0".into()), "src/capstone/schema.rs (schema_version enum)"),
        doc("capstone::schema", "submission_type", Text("capstone_benchmark".into()), "src/capstone/schema.rs; curriculum 20 (submission_type \"capstone_benchmark\")"),
    ]
}

fn acceleration(docs: &Docs) -> CaseResult {
    let d = docs.get("gemm", "[[1, 2], [3, 4]]·[[5, 6], [7, 8]]")?;
    let (a, b) = ([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]);
    let mut c = [0.0; 4];
    gemm(
        2,
        2,
        2,
        MatRef::rows(&a, 2),
        MatRef::rows(&b, 2),
        &mut c,
        false,
    );
    d.expect_all("gemm(2, 2, 2, a, b)", &d.list()?, &wide(&c), 0.0)?;

    // Every kernel this build has equals the naive one on an odd shape, transposed rhs too.
    let (m, n, k) = (7, 13, 9);
    let a = Tensor::randn(&[m, k]).to_vec();
    let b = Tensor::randn(&[n, k]).to_vec();
    let mut want = vec![0.0; m * n];
    gemm_naive(
        m,
        n,
        k,
        MatRef::rows(&a, k),
        MatRef::transposed(&b, k),
        &mut want,
        false,
    );
    for kind in KernelKind::available() {
        let mut got = vec![0.0; m * n];
        gemm_with(
            kind,
            m,
            n,
            k,
            MatRef::rows(&a, k),
            MatRef::transposed(&b, k),
            &mut got,
            false,
        );
        let worst = got
            .iter()
            .zip(&want)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        check!(
            worst < 1e-5,
            "the {} kernel differs from the naive one by {worst} on 7×9·(13×9)ᵀ",
            kind.name()
        );
    }
    let d = docs.get("KernelKind::name", "the kernel names")?;
    let all = [
        KernelKind::Naive,
        KernelKind::Scalar,
        KernelKind::Simd,
        KernelKind::Relaxed,
    ]
    .map(|k| k.name())
    .join(" ");
    d.expect_eq("KernelKind::name of each kind", d.text()?, all)?;
    check!(
        KernelKind::available().contains(&kernels())
            && KernelKind::available().contains(&KernelKind::best()),
        "the kernel in use and the best one must be available"
    );
    check!(
        KernelKind::parse("naive").ok() == Some(KernelKind::Naive)
            && KernelKind::parse("turbo").is_err(),
        "KernelKind::parse must accept \"naive\" and reject \"turbo\""
    );

    let x = Tensor::randn(&[4, 8]);
    let bias = Tensor::randn(&[8]);
    let fused = x.try_bias_gelu(&bias)?.to_vec();
    let plain = x.try_add(&bias)?.gelu().to_vec();
    let worst = fused
        .iter()
        .zip(&plain)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    check!(
        worst < 1e-6,
        "try_bias_gelu differs from (x + b).gelu() by {worst}"
    );
    check!(
        x.try_bias_gelu(&Tensor::randn(&[7])).is_err(),
        "try_bias_gelu must reject a (7,) bias for width 8"
    );
    Ok(())
}

fn benchmarking(docs: &Docs) -> CaseResult {
    let s = Stats::of(&[1.0, 2.0, 3.0, 4.0, 100.0])?;
    let d = docs.get("Stats::of", "median of [1, 2, 3, 4, 100]")?;
    d.expect("Stats::of(…).median", d.num()?, s.median, 0.0)?;
    let four = Stats::of(&[1.0, 2.0, 3.0, 4.0])?;
    let d = docs.get("Stats::of", "std of [1, 2, 3, 4] (sample, n − 1)")?;
    d.expect("Stats::of([1, 2, 3, 4]).std", d.num()?, four.std, 1e-9)?;
    let d = docs.get("Stats::of", "95% interval factor z (mean ± z·std/√n)")?;
    let half = d.num()? * four.std / 2.0;
    d.expect_all(
        "Stats::of([1, 2, 3, 4]).ci95",
        &[four.mean - half, four.mean + half],
        &[four.ci95.0, four.ci95.1],
        1e-9,
    )?;
    check!(
        Stats::of(&[]).is_err() && Stats::of(&[1.0, f64::NAN]).is_err(),
        "Stats::of must reject no values and NaN"
    );

    let d = docs.get(
        "pareto_front",
        "front of (1, 0.9), (2, 0.95), (3, 0.93), (0.5, 0.5)",
    )?;
    d.expect_eq(
        "pareto_front(…)",
        d.dims()?,
        pareto_front(&[(1.0, 0.9), (2.0, 0.95), (3.0, 0.93), (0.5, 0.5)]),
    )?;

    let m = Sequential::new(vec![
        Linear::new(4, 8, true).into_layer(),
        ReLU::new().into_layer(),
        Linear::new(8, 3, true).into_layer(),
    ]);
    let x = Tensor::randn(&[6, 4]);
    let y = Tensor::from_vec(vec![0.0, 1.0, 2.0, 0.0, 1.0, 2.0], &[6])?;
    let unlabelled = compare_models(&[("mlp", &m)], &x, None, 3)?;
    check!(
        unlabelled[0].accuracy.is_none(),
        "compare_models without labels must not report an accuracy (never invented), got {:?}",
        unlabelled[0].accuracy
    );
    let labelled = compare_models(&[("mlp", &m)], &x, Some(&y), 3)?;
    let acc = labelled[0].accuracy.unwrap_or(-1.0);
    check!(
        (0.0..=1.0).contains(&acc) && (acc * 6.0).fract().abs() < 1e-4,
        "compare_models with labels: accuracy {acc} is not a count out of 6"
    );
    check!(
        labelled[0].params == 67 && labelled[0].bytes == 67 * 4 && labelled[0].latency_ms.runs == 3,
        "compare_models: params {}, bytes {}, runs {}",
        labelled[0].params,
        labelled[0].bytes,
        labelled[0].latency_ms.runs
    );
    Ok(())
}

fn capstone(docs: &Docs) -> CaseResult {
    let plan = |p: CapstonePlan| vec![p.baseline_epochs, p.distill_epochs, p.finetune_epochs];
    let d = docs.get(
        "CapstonePlan::standard",
        "epochs of baseline, distillation, fine-tuning",
    )?;
    d.expect_eq(
        "CapstonePlan::standard()",
        d.dims()?,
        plan(CapstonePlan::standard()),
    )?;
    let d = docs.get(
        "CapstonePlan::quick",
        "epochs of baseline, distillation, fine-tuning",
    )?;
    d.expect_eq(
        "CapstonePlan::quick()",
        d.dims()?,
        plan(CapstonePlan::quick()),
    )?;

    let s = schema();
    let d = docs.get("capstone::schema", "required top-level fields")?;
    let required: Vec<&str> = s["required"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    d.expect_eq("schema()[\"required\"]", d.text()?, required.join(" "))?;
    let d = docs.get("capstone::schema", "schema_version")?;
    d.expect_eq(
        "schema()…schema_version.enum",
        Some(d.text()?),
        s.pointer("/properties/schema_version/enum/0")
            .and_then(|v| v.as_str())
            .map(String::from),
    )?;
    let d = docs.get("capstone::schema", "submission_type")?;
    d.expect_eq(
        "schema()…submission_type.enum",
        Some(d.text()?),
        s.pointer("/properties/submission_type/enum/0")
            .and_then(|v| v.as_str())
            .map(String::from),
    )?;

    let errors = validate(&serde_json::json!({ "schema_version": "2.0" }));
    check!(
        errors.iter().any(|e| e.contains("schema_version")),
        "validate must name schema_version for version 2.0: {errors:?}"
    );
    for field in required {
        check!(
            errors.iter().any(|e| e.contains(field)),
            "validate must name the missing field {field}: {errors:?}"
        );
    }
    Ok(())
}

pub(super) fn run(ctx: &mut ApiCase) {
    ctx.case("m18_acceleration", "Module 18: gemm gives the documented product; every kernel this build has equals the naive one on an odd shape with a transposed operand; the kernel names, the one in use and parsing; the fused bias + GELU equals the unfused chain and checks its bias.", |_, docs| acceleration(docs));
    ctx.case("m19_benchmarking", "Module 19: Stats gives the documented median, the sample std and a 95% interval of mean ± 1.96·std/√n, rejects empty or NaN data; the Pareto front of the documented points; compare_models measures accuracy only when given labels.", |_, docs| benchmarking(docs));
    ctx.case("m20_capstone", "Module 20: the capstone plans train 25, 20, 5 epochs (6, 6, 2 quick); the submission schema requires the documented fields with schema_version 1.0 and submission_type capstone_benchmark; validate names a wrong version and every missing field.", |_, docs| capstone(docs));
}
