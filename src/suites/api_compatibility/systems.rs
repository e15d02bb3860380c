//! Modules 14–17 of `api_compatibility`: the profiler's counts, int8 quantization parameters
//! and models, pruning, low-rank layers and distillation, and the KV cache, checked against
//! their documented values.

use super::docs::{doc, wide, Docs, Documented, Value::*};
use super::ApiCase;
use crate::compress::{distillation_loss, low_rank_linear, magnitude_prune, sparsity};
use crate::nn::loss::{cross_entropy, mse_loss, Loss};
use crate::nn::{call, GenerateOptions, KvCache, Linear, Module, ReLU, Sequential};
use crate::profiler::{count_flops, profile_step};
use crate::quant::{quantize_model, QParams, QuantTensor};
use crate::suites::ctx::{check, CaseResult};
use crate::tensor::Tensor;

/// What modules 14–17 document.
pub fn table() -> Vec<Documented> {
    vec![
        doc("profile_step", "FLOPs of Linear(4, 8) on a batch of 16 (2·16·4·8 + 16·8)", Int(1152), "src/profiler.rs (profile_step example; Module::flops: a multiply-add is 2, a bias add 1 per element)"),
        doc("profile_step", "total_params of Linear(4, 8) → ReLU → Linear(8, 2)", Int(58), "src/profiler.rs (profile_step example: 4·8 + 8 + 8·2 + 2)"),
        doc("count_flops", "FLOPs of ReLU on (16, 8), one per element", Int(128), "src/nn/module.rs (Module::flops: an elementwise function is 1 FLOP per element)"),
        doc("QParams::from_range", "scale and zero point of [0, 2.55]", List(vec![0.01, -128.0]), "src/quant/mod.rs (from_range: scale (max − min)/255, zero point round(−128 − min/scale))"),
        doc("QParams::from_range", "scale and zero point of a zero-width range", List(vec![1.0, 0.0]), "src/quant/mod.rs (from_range: a zero-width range gets scale 1; curriculum 15)"),
        doc("QParams::quantize", "int8 range (INT8_MIN, INT8_MAX)", List(vec![-128.0, 127.0]), "src/quant/mod.rs (q = clamp(round(x/scale) + zero_point, −128, 127))"),
        doc("QuantTensor::per_channel", "bytes of a (64, 32) tensor per column", Int(64 * 32 + 32 * 8), "src/quant/mod.rs (QuantTensor example: one byte per value + 8 per parameter set)"),
        // int8 weights (64·128 + 128·10), a 4-byte scale per output channel, the f32 biases,
        // and each layer's input scale and zero point (8 bytes).
        doc("QuantizedLinear::bytes", "bytes of the 64-128-10 example's two layers", Int(9472 + 4 * 138 + 4 * 138 + 2 * 8), "src/quant/layers.rs (QuantizedLinear::bytes: int8 weights, per-channel scales, the f32 bias, the input's scale and zero point)"),
        doc("sparsity", "sparsity of [0, 1, 0, 2]", Num(0.5), "src/compress/mod.rs (sparsity example)"),
        doc("magnitude_prune", "sparsity of a 10×10 weight pruned at 0.5", Num(0.5), "src/compress/mod.rs (magnitude_prune example: exactly round(sparsity·n) values go)"),
        doc("low_rank_linear", "parameter values of Linear(32, 16) at rank 4", Int(32 * 4 + 4 * 16 + 16), "src/compress/lowrank.rs (low_rank_linear example)"),
        doc("distillation_loss", "T² factor at T = 3 (loss of zero student logits against a teacher, α = 1, per unit KL)", Num(9.0), "src/compress/distill.rs (α·T²·KL + (1 − α)·CE)"),
        doc("KvCache::bytes", "bytes after 5 positions of the example GPT (2 layers × K, V × 5 × 16 × 4)", Int(2 * 2 * 5 * 16 * 4), "src/nn/kv_cache.rs (bytes: the cached keys and values, f32)"),
    ]
}

fn the_mlp() -> Sequential {
    Sequential::new(vec![
        Linear::new(4, 8, true).into_layer(),
        ReLU::new().into_layer(),
        Linear::new(8, 2, true).into_layer(),
    ])
}

fn profiling(docs: &Docs) -> CaseResult {
    let m = the_mlp();
    let (x, y) = (Tensor::randn(&[16, 4]), Tensor::randn(&[16, 2]));
    let plain = mse_loss(&call(&m, &x)?, &y)?.item()?;
    let r = profile_step(&m, &x, &y, Loss::Mse, None)?;
    let d = docs.get(
        "profile_step",
        "FLOPs of Linear(4, 8) on a batch of 16 (2·16·4·8 + 16·8)",
    )?;
    d.expect_eq("r.layers[0].flops", d.int()? as u64, r.layers[0].flops)?;
    let d = docs.get(
        "profile_step",
        "total_params of Linear(4, 8) → ReLU → Linear(8, 2)",
    )?;
    d.expect_eq("r.total_params", d.int()?, r.total_params)?;
    check!(
        r.loss == plain,
        "profile_step's loss {} differs from the unprofiled loss {plain}",
        r.loss
    );
    check!(
        r.layers.len() == 3 && r.layers[1].kind == "ReLU",
        "profile_step must report the three layers by kind"
    );
    let d = docs.get("count_flops", "FLOPs of ReLU on (16, 8), one per element")?;
    d.expect_eq(
        "count_flops(…)[1].flops",
        d.int()? as u64,
        count_flops(&m, &x)?[1].flops,
    )?;
    Ok(())
}

fn quantization(docs: &Docs) -> CaseResult {
    let d = docs.get("QParams::from_range", "scale and zero point of [0, 2.55]")?;
    let p = QParams::from_range(0.0, 2.55);
    d.expect_all(
        "QParams::from_range(0, 2.55)",
        &d.list()?,
        &[p.scale as f64, p.zero_point as f64],
        1e-7,
    )?;
    let d = docs.get(
        "QParams::from_range",
        "scale and zero point of a zero-width range",
    )?;
    let c = QParams::from_range(0.0, 0.0);
    d.expect_all(
        "QParams::from_range(0, 0)",
        &d.list()?,
        &[c.scale as f64, c.zero_point as f64],
        0.0,
    )?;
    let d = docs.get("QParams::quantize", "int8 range (INT8_MIN, INT8_MAX)")?;
    d.expect_all(
        "p.quantize(−1000), p.quantize(1000)",
        &d.list()?,
        &[p.quantize(-1000.0) as f64, p.quantize(1000.0) as f64],
        0.0,
    )?;
    check!(
        (p.dequantize(p.quantize(1.234)) - 1.234).abs() <= p.scale / 2.0 + 1e-6,
        "QParams: a round trip must land within half a step"
    );

    let w = Tensor::randn(&[64, 32]);
    let q = QuantTensor::per_channel(&w, 1)?;
    let d = docs.get(
        "QuantTensor::per_channel",
        "bytes of a (64, 32) tensor per column",
    )?;
    d.expect_eq(
        "QuantTensor::per_channel(&w, 1)?.bytes()",
        d.int()?,
        q.bytes(),
    )?;
    let half = q.params().iter().map(|p| p.scale).fold(0.0, f32::max) / 2.0 + 1e-6;
    let worst = w
        .to_vec()
        .iter()
        .zip(q.dequantize().to_vec())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    check!(
        worst <= half,
        "QuantTensor round trip: worst error {worst}, more than half a step {half}"
    );
    check!(
        QuantTensor::per_channel(&w, 2).is_err(),
        "QuantTensor::per_channel must reject axis 2 of a 2-D tensor"
    );

    let m = Sequential::new(vec![
        Linear::new(64, 128, true).into_layer(),
        ReLU::new().into_layer(),
        Linear::new(128, 10, true).into_layer(),
    ]);
    let (qm, report) = quantize_model(&m, &Tensor::randn(&[32, 64]))?;
    let d = docs.get(
        "QuantizedLinear::bytes",
        "bytes of the 64-128-10 example's two layers",
    )?;
    d.expect_eq(
        "quantize_model(…).1.quant_bytes",
        d.int()?,
        report.quant_bytes,
    )?;
    // The example's bound: a documented inequality, not a value the table could hold.
    check!(
        report.ratio > 3.5,
        "quantize_model: the 64-128-10 example is only {:.2}× smaller, documented > 3.5×",
        report.ratio
    );
    check!(
        qm.forward(&Tensor::randn(&[2, 64]))?.shape() == vec![2, 10],
        "the quantized model must map (2, 64) to (2, 10)"
    );
    Ok(())
}

fn compression(docs: &Docs) -> CaseResult {
    let d = docs.get("sparsity", "sparsity of [0, 1, 0, 2]")?;
    d.expect(
        "sparsity(&[[0, 1], [0, 2]])",
        d.num()?,
        sparsity(&[Tensor::from_vec(vec![0.0, 1.0, 0.0, 2.0], &[2, 2])?]),
        0.0,
    )?;
    let w = Tensor::randn(&[10, 10]);
    let before = w.to_vec();
    let masks = magnitude_prune(std::slice::from_ref(&w), 0.5, true)?;
    let d = docs.get(
        "magnitude_prune",
        "sparsity of a 10×10 weight pruned at 0.5",
    )?;
    d.expect(
        "sparsity after magnitude_prune(&[w], 0.5, true)",
        d.num()?,
        sparsity(std::slice::from_ref(&w)),
        0.0,
    )?;
    check!(
        masks.holds(),
        "Masks::holds must be true right after pruning"
    );
    let kept_min = w
        .to_vec()
        .iter()
        .filter(|v| **v != 0.0)
        .map(|v| v.abs())
        .fold(f32::MAX, f32::min);
    let cut_max = before
        .iter()
        .zip(w.to_vec())
        .filter(|(_, a)| *a == 0.0)
        .map(|(b, _)| b.abs())
        .fold(0.0, f32::max);
    check!(
        cut_max <= kept_min,
        "magnitude_prune removed a value of |{cut_max}| while keeping |{kept_min}|"
    );
    check!(
        magnitude_prune(&[w], 1.5, true).is_err(),
        "magnitude_prune must reject sparsity 1.5"
    );

    let d = docs.get(
        "low_rank_linear",
        "parameter values of Linear(32, 16) at rank 4",
    )?;
    d.expect_eq(
        "low_rank_linear(&Linear::new(32, 16, true), 4)?.num_parameters()",
        d.int()?,
        low_rank_linear(&Linear::new(32, 16, true), 4)?.num_parameters(),
    )?;
    check!(
        low_rank_linear(&Linear::new(32, 16, true), 17).is_err(),
        "low_rank_linear must reject rank 17 for a 32 × 16 layer"
    );

    // With α = 1 the loss is T²·KL; with α = 0 it is the cross-entropy.
    let (s, t) = (
        Tensor::zeros(&[2, 3]),
        Tensor::from_vec(vec![3.0, 0.0, 0.0, 0.0, 0.0, 3.0], &[2, 3])?,
    );
    let y = Tensor::from_vec(vec![0.0, 2.0], &[2])?;
    let kl = |temp: f32| -> crate::Result<f64> {
        Ok(distillation_loss(&s, &t, &y, temp, 1.0)?.item()? as f64)
    };
    let p: Vec<f64> = wide(&t.mul_scalar(1.0 / 3.0).try_softmax(-1)?.to_vec());
    let per_unit: f64 = p[..3].iter().map(|&pi| pi * (pi / (1.0 / 3.0)).ln()).sum();
    let d = docs.get(
        "distillation_loss",
        "T² factor at T = 3 (loss of zero student logits against a teacher, α = 1, per unit KL)",
    )?;
    d.expect(
        "distillation_loss(zeros, teacher, y, 3, 1) / KL",
        d.num()?,
        kl(3.0)? / per_unit,
        1e-4,
    )?;
    let ce = cross_entropy(&s, &y)?.item()?;
    check!(
        (distillation_loss(&s, &t, &y, 3.0, 0.0)?.item()? - ce).abs() < 1e-6,
        "distillation_loss with α = 0 must equal the cross-entropy {ce}"
    );
    Ok(())
}

fn memoization(docs: &Docs) -> CaseResult {
    let gpt = super::example_gpt()?;
    let mut cache = KvCache::new(2);
    check!(cache.is_empty(), "KvCache::new must start empty");
    let prefill = gpt.forward_cached(&[1, 2, 3, 4], &mut cache)?;
    let step = gpt.forward_cached(&[5], &mut cache)?;
    let full =
        crate::no_grad(|| call(&gpt, &Tensor::from_vec(vec![1., 2., 3., 4., 5.], &[1, 5])?))?
            .to_vec();
    let (a, b) = (prefill.to_vec(), step.to_vec());
    let worst = a
        .iter()
        .chain(&b)
        .zip(&full)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    check!(
        worst < 1e-5,
        "cached logits differ from uncached ones by up to {worst}"
    );
    check!(
        cache.len() == 5,
        "the cache holds {} positions after 4 + 1, expected 5",
        cache.len()
    );
    let d = docs.get(
        "KvCache::bytes",
        "bytes after 5 positions of the example GPT (2 layers × K, V × 5 × 16 × 4)",
    )?;
    d.expect_eq("cache.bytes()", d.int()?, cache.bytes())?;
    check!(
        gpt.forward_cached(&[1, 2, 3, 4], &mut cache).is_err(),
        "forward_cached must reject going past max_len 8"
    );
    cache.reset();
    check!(
        cache.is_empty() && cache.bytes() == 0,
        "KvCache::reset must drop everything"
    );
    let opts = GenerateOptions {
        max_new_tokens: 10,
        temperature: 0.0,
        top_k: None,
        seed: 0,
        stop: None,
    };
    let cached = gpt.generate_cached(&[1, 2, 3], &opts, &mut |_, _| true)?;
    let plain = gpt.generate(&[1, 2, 3], &opts, &mut |_| true)?;
    check!(cached == plain, "generate_cached {cached:?} differs from generate {plain:?} (the window slides past max_len)");
    Ok(())
}

pub(super) fn run(ctx: &mut ApiCase) {
    ctx.case("m14_profiling", "Module 14: profile_step counts 1152 FLOPs for Linear(4, 8) on 16 rows and 58 parameters for the documented MLP, leaves the loss unchanged, names layers by kind; count_flops charges ReLU one per element.", |_, docs| profiling(docs));
    ctx.case("m15_quantization", "Module 15: QParams::from_range gives scale (max − min)/255 and zero point round(−128 − min/scale), scale 1 for a zero-width range, clamps to [−128, 127]; per-channel QuantTensor bytes and round trips within half a step; quantize_model stores the documented bytes, is over 3.5× smaller and keeps shapes.", |_, docs| quantization(docs));
    ctx.case("m16_compression", "Module 16: sparsity counts exact zeros; magnitude_prune removes exactly the smallest half; low_rank_linear at rank 4 has 208 values; distillation_loss carries the T² factor and is the cross-entropy at α = 0.", |_, docs| compression(docs));
    ctx.case("m17_memoization", "Module 17: KvCache starts empty, cached logits equal uncached ones within 1e-5, bytes count the cached keys and values, the context length is enforced, reset empties it; cached greedy generation equals uncached generation, also past the context length.", |_, docs| memoization(docs));
}
