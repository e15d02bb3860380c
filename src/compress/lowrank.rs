//! Low-rank factorisation: replace `Linear(in, out)` by `Linear(in, r) → Linear(r, out)` from
//! a truncated SVD (one-sided Jacobi, written out: it is the lesson, not a dependency).

use crate::error::{Error, Result};
use crate::nn::{Linear, Sequential};
use crate::tensor::Tensor;

/// Thin SVD of a row-major `m × n` matrix: `(U m×k, σ k, V n×k)` with k = min(m, n) and
/// `A = U·diag(σ)·Vᵀ`, σ sorted descending. One-sided Jacobi in f64 (Hestenes).
pub fn svd(a: &[f32], m: usize, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    // Work on columns of W (m × n): rotate column pairs until mutually orthogonal; then the
    // column norms are σ, the normalised columns U, and the accumulated rotations V.
    let transpose = m < n; // Jacobi on the taller orientation
    let (rows, cols) = if transpose { (n, m) } else { (m, n) };
    let mut w: Vec<f64> = (0..rows * cols)
        .map(|i| {
            let (r, c) = (i / cols, i % cols);
            if transpose {
                a[c * n + r] as f64
            } else {
                a[r * n + c] as f64
            }
        })
        .collect();
    let mut v: Vec<f64> = (0..cols * cols)
        .map(|i| if i / cols == i % cols { 1.0 } else { 0.0 })
        .collect();
    for _sweep in 0..60 {
        let mut off = 0.0f64;
        for p in 0..cols {
            for q in p + 1..cols {
                let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
                for r in 0..rows {
                    let (x, y) = (w[r * cols + p], w[r * cols + q]);
                    alpha += x * x;
                    beta += y * y;
                    gamma += x * y;
                }
                if gamma.abs() <= 1e-15 * (alpha * beta).sqrt() {
                    continue;
                }
                off = off.max(gamma.abs() / (alpha * beta).sqrt());
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for r in 0..rows {
                    let (x, y) = (w[r * cols + p], w[r * cols + q]);
                    w[r * cols + p] = c * x - s * y;
                    w[r * cols + q] = s * x + c * y;
                }
                for r in 0..cols {
                    let (x, y) = (v[r * cols + p], v[r * cols + q]);
                    v[r * cols + p] = c * x - s * y;
                    v[r * cols + q] = s * x + c * y;
                }
            }
        }
        if off < 1e-12 {
            break;
        }
    }
    let sig: Vec<f64> = (0..cols)
        .map(|c| {
            (0..rows)
                .map(|r| w[r * cols + c].powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    let mut order: Vec<usize> = (0..cols).collect();
    order.sort_by(|&x, &y| sig[y].total_cmp(&sig[x]));
    let k = cols;
    let mut u = vec![0.0; rows * k];
    let mut vv = vec![0.0; cols * k];
    let mut s = vec![0.0; k];
    for (o, &c) in order.iter().enumerate() {
        s[o] = sig[c];
        for r in 0..rows {
            u[r * k + o] = if sig[c] > 0.0 {
                w[r * cols + c] / sig[c]
            } else {
                0.0
            };
        }
        for r in 0..cols {
            vv[r * k + o] = v[r * cols + c];
        }
    }
    // A = U Σ Vᵀ for the worked orientation; swap roles back if we transposed.
    if transpose {
        (vv, s, u)
    } else {
        (u, s, vv)
    }
}

/// `Linear(in, r, no bias) → Linear(r, out)` approximating `linear` by its best rank-`r`
/// factorisation (Eckart–Young: the squared Frobenius error is the sum of the dropped σ²).
///
/// # Errors
/// If `rank` is 0 or above min(in, out).
///
/// # Example
/// ```
/// use tinytorch::{compress::low_rank_linear, nn::{Linear, Module}};
/// let lin = Linear::new(32, 16, true);
/// let two = low_rank_linear(&lin, 4).unwrap();
/// assert_eq!(two.num_parameters(), 32 * 4 + 4 * 16 + 16);
/// ```
pub fn low_rank_linear(linear: &Linear, rank: usize) -> Result<Sequential> {
    let (inf, outf) = (linear.in_features(), linear.out_features());
    if rank == 0 || rank > inf.min(outf) {
        return Err(Error::Arg {
            op: "low_rank_linear",
            msg: format!("rank must be in 1..={}, got {rank}", inf.min(outf)),
        });
    }
    let (u, s, v) = svd(&linear.weight().to_vec(), inf, outf); // W (in × out) = U Σ Vᵀ
    let k = inf.min(outf);
    // First: in → r with U·√Σ; second: r → out with √Σ·Vᵀ.
    let first: Vec<f32> = (0..inf)
        .flat_map(|i| {
            (0..rank)
                .map(|j| (u[i * k + j] * s[j].sqrt()) as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    let second: Vec<f32> = (0..rank)
        .flat_map(|j| {
            (0..outf)
                .map(|o| (v[o * k + j] * s[j].sqrt()) as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    let a = Linear::from_parts(
        Tensor::from_vec(first, &[inf, rank])?.requires_grad_(true),
        None,
    )?;
    let b = Linear::from_parts(
        Tensor::from_vec(second, &[rank, outf])?.requires_grad_(true),
        linear.bias().map(|t| t.detach().requires_grad_(true)),
    )?;
    Ok(Sequential::new(vec![a.into_layer(), b.into_layer()]))
}
