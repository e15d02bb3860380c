//! Per-layer forward/backward time of the bench CNN at batch 32 (native), for wasm/native comparison.
use std::rc::Rc;
use tinytorch::nn::loss::Loss;
use tinytorch::nn::*;
use tinytorch::*;

fn main() {
    gemm_parts();
    manual_seed(7);
    let model: Layer = Rc::new(Sequential::new(vec![
        Conv2d::new(1, 8, 3, 1, 0, true).unwrap().into_layer(),
        ReLU::new().into_layer(),
        MaxPool2d::new(2, None, 0).unwrap().into_layer(),
        Flatten::new().into_layer(),
        Linear::new(8 * 13 * 13, 10, true).into_layer(),
    ]));
    let x = Tensor::randn(&[32, 1, 28, 28]);
    let y = Tensor::from_vec((0..32).map(|i| (i % 10) as f32).collect(), &[32]).unwrap();
    let runs = 400;
    let mut acc: Vec<(String, f64, f64)> = Vec::new();
    let (mut f, mut b) = (0.0, 0.0);
    for r in 0..runs + 20 {
        model.zero_grad();
        let p =
            tinytorch::profiler::profile_step(&*model, &x, &y, Loss::CrossEntropy, None).unwrap();
        if r < 20 {
            continue;
        }
        f += p.forward_ms;
        b += p.backward_ms;
        if acc.is_empty() {
            acc = p
                .layers
                .iter()
                .map(|l| (l.describe.clone(), 0.0, 0.0))
                .collect();
        }
        for (a, l) in acc.iter_mut().zip(&p.layers) {
            a.1 += l.forward_ms;
            a.2 += l.backward_ms;
        }
    }
    let n = runs as f64;
    println!("total fwd {:.3} bwd {:.3} ms", f / n, b / n);
    for (d, fw, bw) in acc {
        println!("{d:40} fwd {:.4} bwd {:.4}", fw / n, bw / n);
    }
}

/// Times the conv's three GEMMs alone (fwd, dW) to split GEMM from im2col/reorder costs.
#[allow(dead_code)]
fn gemm_parts() {
    use tinytorch::kernels::{gemm, MatRef};
    let (rows, k, o) = (32 * 26 * 26, 9, 8);
    let cols = vec![0.5f32; rows * k];
    let w = vec![0.25f32; o * k];
    let mut out = vec![0.0f32; rows * o];
    let t = std::time::Instant::now();
    for _ in 0..200 {
        gemm(
            rows,
            o,
            k,
            MatRef::rows(&cols, k),
            MatRef::transposed(&w, k),
            &mut out,
            false,
        );
    }
    println!("fwd gemm {:.4} ms", t.elapsed().as_secs_f64() * 1e3 / 200.0);
    let mut dw = vec![0.0f32; o * k];
    let t = std::time::Instant::now();
    for _ in 0..200 {
        gemm(
            o,
            k,
            rows,
            MatRef::transposed(&out, o),
            MatRef::rows(&cols, k),
            &mut dw,
            false,
        );
    }
    println!("dW gemm {:.4} ms", t.elapsed().as_secs_f64() * 1e3 / 200.0);
    let p = 26 * 26;
    let t = std::time::Instant::now();
    for _ in 0..200 {
        for (cn, yn) in cols.chunks_exact(p * k).zip(out.chunks_exact_mut(o * p)) {
            gemm(
                o,
                p,
                k,
                MatRef::rows(&w, k),
                MatRef::transposed(cn, k),
                yn,
                false,
            );
        }
    }
    println!(
        "fwd per-sample gemm {:.4} ms",
        t.elapsed().as_secs_f64() * 1e3 / 200.0
    );
    let x = Tensor::randn(&[32, 1, 28, 28]);
    let wt = Tensor::randn(&[8, 1, 3, 3]);
    let t = std::time::Instant::now();
    for _ in 0..200 {
        let _ = x.try_conv2d(&wt, None, 1, 0).unwrap();
    }
    println!(
        "conv fwd op {:.4} ms",
        t.elapsed().as_secs_f64() * 1e3 / 200.0
    );
}
