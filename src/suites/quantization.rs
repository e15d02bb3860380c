//! `quantization_integration` (module 15): int8 round trips stay within half a scale step;
//! the int8 GEMM is exact; calibration is what the quantized layers use; and a quantized
//! digits CNN keeps its held-out accuracy within 1 point while being ≥ 3.5× smaller in bytes.

use super::ctx::{check, Ctx};
use crate::data::digits;
use crate::error::Result;
use crate::kernels::{dot_i8_scalar, gemm_i8};
use crate::milestones::digits::{digits_model, train_digits, DigitsConfig, DigitsModel};
use crate::nn::loss::Loss;
use crate::nn::{call, Linear, Module};
use crate::quant::{quantize_model, QParams, QuantTensor, QuantizedLinear};
use crate::rng::Rng;
use crate::tensor::Tensor;

fn accuracy(model: &dyn Module, x: &Tensor, y: &Tensor) -> Result<f32> {
    let out = crate::no_grad(|| call(model, x))?;
    Ok(Loss::CrossEntropy.correct(&out, y)? as f32 / y.numel() as f32)
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case("round_trip_within_half_step", "Per-tensor and per-channel int8 quantization of random weights: every value comes back within half a scale step; storage is i8 (one byte per value plus 8 per parameter set); a constant tensor round-trips exactly.", |ctx, c| {
        ctx.reseed(1);
        let w = Tensor::randn(&[48, 20]) * 0.7;
        let mut worst = 0.0f32;
        for q in [QuantTensor::per_tensor(&w), QuantTensor::per_channel(&w, 1)?, QuantTensor::per_channel(&w, 0)?] {
            let step = q.params().iter().map(|p| p.scale).fold(0.0, f32::max);
            let err = w.to_vec().iter().zip(q.dequantize().to_vec()).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            worst = worst.max(err / step);
            check!(err <= step / 2.0 * (1.0 + 1e-5), "round-trip error {err} exceeds half a step {}", step / 2.0);
            check!(q.bytes() == 48 * 20 + 8 * q.params().len(), "storage is {} bytes", q.bytes());
        }
        let k = QuantTensor::per_tensor(&Tensor::full(&[5], 0.0));
        check!(k.dequantize().to_vec() == vec![0.0; 5], "a constant tensor changed");
        c.metrics.insert("max_error_in_steps".into(), worst as f64);
        Ok(())
    });

    ctx.case("int8_gemm_is_exact", "The int8 × int8 → i32 matrix multiply (SIMD in the browser) equals an i32 triple loop exactly on random shapes, odd sizes included.", |ctx, _| {
        let mut r = Rng::new(ctx.seed ^ 0x18);
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 10, 128), (5, 3, 1000)] {
            let a: Vec<i8> = (0..m * k).map(|_| (r.below(256) as i32 - 128) as i8).collect();
            let bt: Vec<i8> = (0..n * k).map(|_| (r.below(256) as i32 - 128) as i8).collect();
            let mut c = vec![0i32; m * n];
            gemm_i8(m, n, k, &a, &bt, &mut c);
            for i in 0..m {
                for j in 0..n {
                    let want = dot_i8_scalar(&a[i * k..(i + 1) * k], &bt[j * k..(j + 1) * k]);
                    check!(c[i * n + j] == want, "({i}, {j}) of {m}×{n}×{k}: {} vs {want}", c[i * n + j]);
                }
            }
        }
        Ok(())
    });

    ctx.case("calibration_is_used", "A QuantizedLinear quantizes its input with the parameters calibrated on sample data: calibrating on a range 100× too wide changes its outputs and worsens the error against the float layer.", |ctx, c| {
        ctx.reseed(2);
        let lin = Linear::new(16, 8, true);
        let x = Tensor::randn(&[64, 16]);
        let want = crate::no_grad(|| lin.forward(&x))?.to_vec();
        let err_of = |q: &QuantizedLinear| -> Result<f32> {
            let got = q.forward(&x)?.to_vec();
            Ok(got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max))
        };
        let (lo, hi) = x.data().iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        let good = QuantizedLinear::new(&lin, QParams::from_range(lo, hi))?;
        let wide = QuantizedLinear::new(&lin, QParams::from_range(lo * 100.0, hi * 100.0))?;
        check!(good.input_params() == QParams::from_range(lo, hi), "the layer does not keep its calibration");
        let (eg, ew) = (err_of(&good)?, err_of(&wide)?);
        c.metrics.insert("error_calibrated".into(), eg as f64);
        c.metrics.insert("error_miscalibrated".into(), ew as f64);
        check!(ew > 5.0 * eg, "miscalibration did not matter (errors {eg} vs {ew}): calibration is not used");
        Ok(())
    });

    // Quick mode trains the CNN 3 epochs instead of 20: int8 must still land within a point of
    // that (less trained) float model.
    let desc = format!("The digits CNN trained from the seed ({} epochs), quantized to int8 (weights per channel, activations calibrated on 128 training images): held-out accuracy within 1 point of the float model, and at least 3.5× fewer bytes.", if ctx.quick { 3 } else { 20 });
    ctx.case("quantized_digits_cnn", &desc, |ctx, c| {
        ctx.reseed(3);
        let probe = digits_model(DigitsModel::Cnn)?;
        ctx.prepare(&probe);
        let data = digits(ctx.seed, 0.2)?;
        ctx.check_layers(
            c,
            &probe,
            &data.train_images.try_narrow(0, 0, 8)?,
            &data.train_labels.try_narrow(0, 0, 8)?,
            Loss::CrossEntropy,
        )?;
        let cfg = if ctx.quick {
            DigitsConfig::quick(DigitsModel::Cnn, ctx.seed)
        } else {
            DigitsConfig::standard(DigitsModel::Cnn, ctx.seed)
        };
        let fault = ctx.fault;
        let (model, _) = train_digits(
            &cfg,
            &mut |m| {
                if let Some(f) = fault {
                    let _ = crate::nn::inject_fault(m, f.layer, f.kind);
                }
            },
            &mut |_, _, _| true,
        )?;
        let seq = model
            .as_any()
            .downcast_ref::<crate::nn::Sequential>()
            .expect("digits models are Sequential");
        model.eval();
        let float_acc = accuracy(seq, &data.test_images, &data.test_labels)?;
        let (q, report) = quantize_model(seq, &data.train_images.try_narrow(0, 0, 128)?)?;
        let quant_acc = accuracy(&q, &data.test_images, &data.test_labels)?;
        c.metrics.insert("float_accuracy".into(), float_acc as f64);
        c.metrics
            .insert("quantized_accuracy".into(), quant_acc as f64);
        c.metrics
            .insert("float_bytes".into(), report.float_bytes as f64);
        c.metrics
            .insert("quantized_bytes".into(), report.quant_bytes as f64);
        c.metrics.insert("size_ratio".into(), report.ratio);
        check!(
            float_acc - quant_acc <= 0.01,
            "int8 accuracy {:.2}% vs float {:.2}% (more than 1 point lower)",
            quant_acc * 100.0,
            float_acc * 100.0
        );
        check!(
            report.ratio >= 3.5,
            "only {:.2}× smaller ({} → {} bytes)",
            report.ratio,
            report.float_bytes,
            report.quant_bytes
        );
        c.message = format!(
            "float {:.2}% ({} B) → int8 {:.2}% ({} B), {:.2}× smaller",
            float_acc * 100.0,
            report.float_bytes,
            quant_acc * 100.0,
            report.quant_bytes,
            report.ratio
        );
        Ok(())
    });
    Ok(())
}
