//! The `make bench` workloads natively (the reference for "wasm within 1.3× of native"):
//! `cargo run --release --example bench_native [-- --json]`.
use tinytorch::bench::*;
use tinytorch::kernels::{set_kernels, KernelKind};
fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let mut out = serde_json::Map::new();
    set_kernels(KernelKind::Simd);
    for n in [64, 128, 256, 512, 1024] {
        let s = matmul_gflops(n, 7).expect("bench");
        out.insert(format!("matmul_{n}_gflops"), s.median.into());
    }
    for (name, sizes, batch, opt) in [
        ("mlp_64_128_64_10_sgd", vec![64, 128, 64, 10], 32, "sgd"),
        ("mlp_64_128_64_10_adam", vec![64, 128, 64, 10], 32, "adam"),
        ("mlp_784_128_10_sgd", vec![784, 128, 10], 64, "sgd"),
    ] {
        let s = mlp_train_samples_per_sec(&sizes, batch, opt, 7).expect("bench");
        out.insert(format!("{name}_samples_per_sec"), s.median.into());
    }
    out.insert(
        "cnn_samples_per_sec".into(),
        cnn_train_samples_per_sec(32, 7)
            .expect("bench")
            .median
            .into(),
    );
    if json {
        println!("{}", serde_json::Value::Object(out));
    } else {
        for (k, v) in out {
            println!("{k:32} {:>12.1}", v.as_f64().unwrap_or(0.0));
        }
    }
}
