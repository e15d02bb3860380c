//! `acceleration_integration` (module 18): every matrix-multiply kernel equals the naive
//! baseline within 1e-5 relative on random shapes (odd and tiny included, transposed operands
//! too), the fused bias+GELU equals the unfused chain, and the model-level results do not
//! depend on the kernel.

use super::ctx::{check, grad_vec, Ctx};
use crate::error::Result;
use crate::kernels::{gemm_naive, gemm_with, kernels, set_kernels, KernelKind, MatRef};
use crate::nn::loss::{mse_loss, Loss};
use crate::nn::{call, Linear, Module, Sequential, Tanh};
use crate::rng::Rng;
use crate::tensor::Tensor;

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    // Quick mode draws 15 random shapes instead of 60 (the fixed edge shapes stay).
    let random = if ctx.quick { 15 } else { 60 };
    let desc = format!("Naive, scalar (blocked), SIMD and relaxed-SIMD (when built) matrix multiplies agree with the naive triple loop within 1e-5 relative on {random} random shapes from 1×1×1 to 300 wide, odd sizes and transposed operands included, and on fixed shapes that reach every tile edge and the in-place B path, written and accumulated.");
    ctx.case("kernels_match_naive", &desc, |ctx, c| {
        let mut rng = Rng::new(ctx.seed ^ 0xacce1);
        let (mut worst, mut worst_at) = (0.0f64, String::new());
        let kinds = [KernelKind::Scalar, KernelKind::Simd, KernelKind::Relaxed];
        // Row and column edges of the 4×8 and 3×12 tiles, small B read in place (64³, 33×16×70,
        // 7×96×40), a column edge inside a vector (101) and one on a vector boundary (100), and
        // 3-row A panels packed four steps at a time across two k blocks (301 = 256 + 45).
        let fixed = [(64, 64, 64), (33, 16, 70), (7, 96, 40), (67, 101, 70), (5, 100, 40), (13, 8, 300), (10, 120, 301)];
        for case in 0..random + fixed.len() {
            let dim = |r: &mut Rng| if case < random / 3 { 1 + r.below(9) } else { 1 + r.below(300) };
            let (m, n, k) = match fixed.get(case.wrapping_sub(random)) {
                Some(&shape) => shape,
                None => (dim(&mut rng), dim(&mut rng), dim(&mut rng)),
            };
            let (ta, tb) = (rng.below(2) == 1, rng.below(2) == 1);
            let a: Vec<f32> = (0..m * k).map(|_| rng.normal()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.normal()).collect();
            let am = if ta { MatRef::transposed(&a, m) } else { MatRef::rows(&a, k) };
            let bm = if tb { MatRef::transposed(&b, k) } else { MatRef::rows(&b, n) };
            let mut want = vec![0.0; m * n];
            gemm_naive(m, n, k, am, bm, &mut want, false);
            // |C| can cancel to near 0: measure against the size of the products summed.
            let mut mag = vec![0.0f32; m * n];
            let (aa, ba): (Vec<f32>, Vec<f32>) = (a.iter().map(|v| v.abs()).collect(), b.iter().map(|v| v.abs()).collect());
            let (aam, bam) = (MatRef { data: &aa, ..am }, MatRef { data: &ba, ..bm });
            gemm_naive(m, n, k, aam, bam, &mut mag, false);
            for kind in kinds {
                // Accumulating onto 1s must add exactly the same products; writing must
                // overwrite whatever C held (7s).
                for acc in [false, true] {
                    let mut got = vec![if acc { 1.0 } else { 7.0 }; m * n];
                    gemm_with(kind, m, n, k, am, bm, &mut got, acc);
                    for (idx, ((g, w), s)) in got.iter().zip(&want).zip(&mag).enumerate() {
                        // Accumulated, the 1 is one more term of the sum.
                        let (w, s) = if acc { (w + 1.0, s + 1.0) } else { (*w, s.max(1e-30)) };
                        // A NaN compares false: count it as the worst error, not as none.
                        let err = ((g - w).abs() / s) as f64;
                        let err = if err.is_nan() { f64::INFINITY } else { err };
                        if err > worst {
                            let how = if acc { "accumulated" } else { "written" };
                            let t = |x| if x { "ᵀ" } else { "" };
                            worst_at = format!("the {} kernel on A{}·B{} ({m}×{k} · {k}×{n}, {how}) gives C[{}, {}] = {g} where naive gives {w}", kind.name(), t(ta), t(tb), idx / n, idx % n);
                            worst = err;
                        }
                    }
                }
            }
        }
        c.metrics.insert("max_relative_error".into(), worst);
        check!(worst <= 1e-5, "{worst_at}: off by {worst:e} relative to Σ|a||b|");
        Ok(())
    });

    ctx.case("fused_equals_unfused", "gelu(x + b) fused into one pass equals (x + b).gelu() within 1e-6, and so do its gradients for x and b.", |ctx, c| {
        ctx.reseed(1);
        let x = Tensor::randn(&[33, 17]).requires_grad_(true);
        let b = Tensor::randn(&[17]).requires_grad_(true);
        let w = Tensor::randn(&[33, 17]);
        x.try_bias_gelu(&b)?.try_mul(&w)?.sum().backward()?;
        let (gx, gb) = (grad_vec(&x, "x")?, grad_vec(&b, "b")?);
        let fused = x.try_bias_gelu(&b)?.to_vec();
        x.zero_grad();
        b.zero_grad();
        let plain_t = x.try_add(&b)?.gelu();
        plain_t.try_mul(&w)?.sum().backward()?;
        let plain = plain_t.to_vec();
        let diff = |p: &[f32], q: &[f32]| p.iter().zip(q).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        let (dv, dx, db) = (diff(&fused, &plain), diff(&gx, &grad_vec(&x, "x")?), diff(&gb, &grad_vec(&b, "b")?));
        c.metrics.insert("max_value_difference".into(), dv as f64);
        check!(dv < 1e-6 && dx < 1e-5 && db < 1e-4, "fused vs unfused differ: values {dv:e}, dx {dx:e}, db {db:e}");
        Ok(())
    });

    ctx.case("training_independent_of_kernel", "Ten SGD steps of an MLP give the same losses (within 1e-5 relative) whichever kernel runs, and the scalar twin and SIMD kernels give identical bits.", |ctx, c| {
        let before = kernels();
        let mut runs = Vec::new();
        for kind in KernelKind::available() {
            set_kernels(kind);
            ctx.reseed(2);
            let model = Sequential::new(vec![Linear::new(12, 40, true).into_layer(), Tanh::new().into_layer(), Linear::new(40, 3, true).into_layer()]);
            ctx.prepare(&model);
            let (x, y) = (Tensor::randn(&[64, 12]), Tensor::randn(&[64, 3]));
            if kind == KernelKind::Naive {
                ctx.check_layers(c, &model, &x, &y, Loss::Mse)?;
            }
            let mut opt = crate::optim::Sgd::new(model.parameters(), 0.1, 0.0, 0.0)?;
            let mut losses = Vec::new();
            for _ in 0..10 {
                let loss = mse_loss(&call(&model, &x)?, &y)?;
                losses.push(loss.item()?);
                crate::optim::Optimizer::zero_grad(&opt);
                loss.backward()?;
                crate::optim::Optimizer::step(&mut opt)?;
            }
            runs.push((kind, losses));
        }
        set_kernels(before);
        let base = &runs[0].1;
        for (kind, l) in &runs {
            let worst = l.iter().zip(base).map(|(a, b)| ((a - b) / b).abs()).fold(0.0f32, f32::max);
            check!(worst <= 1e-5, "{kind:?} training differs from naive by {worst:e}");
        }
        let by = |k: KernelKind| runs.iter().find(|(x, _)| *x == k).map(|(_, l)| l.clone());
        check!(by(KernelKind::Scalar) == by(KernelKind::Simd), "the scalar twin and the SIMD kernel must agree bit for bit");
        c.message = format!("{} kernels agree", runs.len());
        Ok(())
    });
    Ok(())
}
