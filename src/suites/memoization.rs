//! `memoization_integration` (module 17): KV-cached generation yields the same tokens as
//! uncached generation and logits within 1e-5 at every step (including past the context,
//! where the window slides); the cache holds what it should; the speedup is measured.

use super::ctx::{check, Ctx};
use crate::autograd::no_grad;
use crate::error::Result;
use crate::nn::{GenerateOptions, GptConfig, KvCache, Module, GPT};
use crate::tensor::Tensor;

fn model() -> Result<GPT> {
    GPT::new(GptConfig {
        vocab: 23,
        dim: 32,
        layers: 2,
        heads: 4,
        max_len: 24,
        mlp_ratio: 4,
    })
}

/// Generates with and without the cache; returns (same tokens, max logit difference, steps).
pub(crate) fn compare(
    gpt: &GPT,
    prompt: &[usize],
    opts: &GenerateOptions,
) -> Result<(bool, f32, usize)> {
    let mut plain = Vec::new();
    let a = gpt.generate_traced(prompt, opts, &mut |_, l| {
        plain.push(l.to_vec());
        true
    })?;
    let mut step = 0;
    let mut worst = 0.0f32;
    let b = gpt.generate_cached(prompt, opts, &mut |_, l| {
        if let Some(p) = plain.get(step) {
            let scale = p.iter().fold(1.0f32, |m, v| m.max(v.abs()));
            worst = worst.max(
                l.iter()
                    .zip(p)
                    .map(|(x, y)| (x - y).abs() / scale)
                    .fold(0.0, f32::max),
            );
        }
        step += 1;
        true
    })?;
    Ok((a == b, worst, step))
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case(
        "layers_check",
        "The GPT used here passes the per-layer gradient check (so a planted fault is caught).",
        |ctx, c| {
            ctx.reseed(1);
            let gpt = model()?;
            ctx.prepare(&gpt);
            let x = Tensor::from_vec((0..16).map(|i| (i * 5 % 23) as f32).collect(), &[2, 8])?;
            let y = Tensor::from_vec((0..16).map(|i| (i * 7 % 23) as f32).collect(), &[2, 8])?;
            ctx.check_token_layers(c, &gpt, &x, &y)?;
            Ok(())
        },
    );

    ctx.case("cached_equals_uncached", "Greedy and sampled generation of 40 tokens from a 5-token prompt (context 24, so the window slides): the cached run emits the same tokens, and its logits are within 1e-5 (relative to the largest logit) of the uncached ones at every step.", |ctx, c| {
        ctx.reseed(2);
        let gpt = model()?;
        let prompt = [3, 1, 4, 1, 5];
        for (name, t) in [("greedy", 0.0), ("sampled", 0.9)] {
            let opts = GenerateOptions { max_new_tokens: 40, temperature: t, top_k: Some(8), seed: ctx.seed, stop: None };
            let (same, worst, steps) = compare(&gpt, &prompt, &opts)?;
            c.metrics.insert(format!("{name}_max_logit_difference"), worst as f64);
            check!(steps == 40, "{name}: the cached run took {steps} steps");
            check!(same, "{name}: cached and uncached generation emitted different tokens");
            check!(worst <= 1e-5, "{name}: logits differ by {worst:e} (relative) at some step");
        }
        Ok(())
    });

    ctx.case("cache_contents", "After prefilling a 7-token prompt the cache holds 7 positions of (1, 4, ·, 8) keys and values per layer (2 × 2 × 7 × 32 floats); one more token adds one position; reset empties it; overflowing the context is an error.", |ctx, _| {
        ctx.reseed(3);
        let gpt = model()?;
        let mut cache = KvCache::new(2);
        gpt.forward_cached(&[1, 2, 3, 4, 5, 6, 7], &mut cache)?;
        check!(cache.len() == 7, "cache holds {} positions", cache.len());
        check!(cache.bytes() == 2 * 2 * 7 * 32 * 4, "cache holds {} bytes", cache.bytes());
        let step = gpt.forward_cached(&[8], &mut cache)?;
        check!(step.shape() == vec![1, 1, 23] && cache.len() == 8, "one decode step gave {:?} and {} positions", step.shape(), cache.len());
        // The cached step must equal the last row of a full forward over all 8 tokens.
        let full = no_grad(|| gpt.forward(&Tensor::from_vec((1..=8).map(|t| t as f32).collect(), &[1, 8])?))?.to_vec();
        let diff = step.to_vec().iter().zip(&full[7 * 23..]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        check!(diff < 1e-5, "decode step differs from the full forward by {diff:e}");
        cache.reset();
        check!(cache.is_empty() && cache.bytes() == 0, "reset left {} positions", cache.len());
        check!(gpt.forward_cached(&[1; 25], &mut cache).is_err(), "25 tokens into a context of 24 must be an error");
        Ok(())
    });

    // Quick mode measures at 16 and 32 tokens (uncached generation at 128 tokens is the
    // slowest thing in the suite).
    let lengths: &[usize] = if ctx.quick { &[16, 32] } else { &[16, 64, 128] };
    let desc = format!("Generation time with and without the cache at {} new tokens (context 160; measured, not asserted): outputs match at every length.", lengths.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "));
    ctx.case("speedup_measured", &desc, |ctx, c| {
        ctx.reseed(4);
        let gpt = GPT::new(GptConfig {
            vocab: 23,
            dim: 64,
            layers: 2,
            heads: 4,
            max_len: 160,
            mlp_ratio: 4,
        })?;
        for &n in lengths {
            let opts = GenerateOptions {
                max_new_tokens: n,
                temperature: 0.0,
                top_k: None,
                seed: 0,
                stop: None,
            };
            let t0 = crate::clock::now_ms();
            let a = gpt.generate(&[1, 2, 3, 4], &opts, &mut |_| true)?;
            let t1 = crate::clock::now_ms();
            let b = gpt.generate_cached(&[1, 2, 3, 4], &opts, &mut |_, _| true)?;
            let t2 = crate::clock::now_ms();
            check!(a == b, "at {n} tokens the cached output differs");
            c.metrics.insert(format!("uncached_ms_{n}"), t1 - t0);
            c.metrics.insert(format!("cached_ms_{n}"), t2 - t1);
            c.metrics
                .insert(format!("speedup_{n}"), (t1 - t0) / (t2 - t1).max(1e-3));
        }
        let at: Vec<String> = lengths
            .iter()
            .map(|n| format!("×{:.1} at {n}", c.metrics[&format!("speedup_{n}")]))
            .collect();
        c.message = format!("speedup {} tokens", at.join(", "));
        Ok(())
    });
    Ok(())
}
