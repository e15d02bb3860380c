//! `benchmarking_integration` (module 19): statistics are computed correctly, timing runs the
//! warm-up and repetitions it says, model comparisons measure accuracy (never invent it), and
//! the Pareto front keeps exactly the non-dominated models.

use super::ctx::{check, Ctx};
use crate::bench::{compare_models, pareto_front, time_ms, Stats};
use crate::error::Result;
use crate::nn::loss::Loss;
use crate::nn::{call, Linear, Module, ReLU, Sequential};
use crate::tensor::Tensor;

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("statistics", "Stats of [2, 4, 4, 4, 5, 5, 7, 9]: median 4.5, mean 5, sample std √(32/7), 95% CI mean ± 1.96·std/√8; empty or NaN input is an error.", |_, c| {
        let s = Stats::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])?;
        let std = (32.0f64 / 7.0).sqrt();
        let half = 1.96 * std / 8f64.sqrt();
        check!(s.median == 4.5 && s.mean == 5.0 && s.min == 2.0 && s.max == 9.0, "{s:?}");
        check!((s.std - std).abs() < 1e-12 && (s.ci95.0 - (5.0 - half)).abs() < 1e-12 && (s.ci95.1 - (5.0 + half)).abs() < 1e-12, "std/ci wrong: {s:?}");
        check!(Stats::of(&[]).is_err() && Stats::of(&[1.0, f64::NAN]).is_err(), "bad input accepted");
        c.metrics.insert("ci95_half_width".into(), half);
        Ok(())
    });

    ctx.case("timing_runs_what_it_says", "time_ms runs the warm-up calls untimed, then each of the repetitions for at least the minimum time: the call count adds up and every figure is positive.", |_, _| {
        let mut calls = 0usize;
        let s = time_ms(3, 5, 1.0, &mut || {
            calls += 1;
            std::hint::black_box((0..2000).map(|i| i as f64).sum::<f64>());
            Ok(())
        })?;
        check!(s.runs == 5 && calls >= 3 + 5, "{} runs, {calls} calls", s.runs);
        check!(s.min > 0.0 && s.min <= s.median && s.median <= s.max, "bad timing stats {s:?}");
        Ok(())
    });

    ctx.case("accuracy_is_measured_not_invented", "Comparing two models on labelled data reports exactly the accuracy an independent evaluation gives; without labels the accuracy is absent (the reference invented 0.85 + noise); bytes and parameters come from the models.", |ctx, c| {
        ctx.reseed(1);
        let a = Sequential::new(vec![Linear::new(6, 16, true).into_layer(), ReLU::new().into_layer(), Linear::new(16, 3, true).into_layer()]);
        let b = Sequential::new(vec![Linear::new(6, 3, true).into_layer()]);
        ctx.prepare(&a);
        let x = Tensor::randn(&[60, 6]);
        let y = Tensor::from_vec((0..60).map(|i| (i % 3) as f32).collect(), &[60])?;
        ctx.check_layers(c, &a, &x, &y, Loss::CrossEntropy)?;
        let rows = compare_models(&[("a", &a), ("b", &b)], &x, Some(&y), 3)?;
        for (row, m) in rows.iter().zip([&a as &dyn Module, &b]) {
            let out = crate::no_grad(|| call(m, &x))?;
            let want = Loss::CrossEntropy.correct(&out, &y)? as f32 / 60.0;
            check!(row.accuracy == Some(want), "{} reports {:?}, evaluation gives {want}", row.name, row.accuracy);
            check!(row.bytes == m.num_parameters() * 4 && row.params == m.num_parameters(), "{} size wrong", row.name);
            check!(row.latency_ms.median > 0.0, "{} has no latency", row.name);
        }
        let unlabelled = compare_models(&[("a", &a)], &x, None, 2)?;
        check!(unlabelled[0].accuracy.is_none(), "accuracy reported without labels");
        Ok(())
    });

    ctx.case("pareto_front", "Among (size, accuracy) points, the Pareto front keeps exactly the models no other is at least as small and as accurate as (with one strictly better).", |_, _| {
        let pts = [(40.0, 0.97), (10.0, 0.96), (10.0, 0.90), (6.0, 0.95), (12.0, 0.95), (50.0, 0.97)];
        let f = pareto_front(&pts);
        check!(f == vec![0, 1, 3], "front {f:?}, expected [0, 1, 3]");
        check!(pareto_front(&[]).is_empty() && pareto_front(&[(1.0, 1.0)]) == vec![0], "degenerate fronts wrong");
        Ok(())
    });
    Ok(())
}
