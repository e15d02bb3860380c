//! Matrix multiply, 2-D and batched (leading axes broadcast), and its backward.

use crate::autograd::{GradSink, Op};
use crate::error::{shape_err, Result};
use crate::kernels::{gemm, MatRef};
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{broadcast_shapes, Array, Tensor};
use ndarray::IxDyn;

/// Which operand is read transposed.
#[derive(Clone, Copy)]
enum Side {
    Plain,
    Transposed,
}

/// For every index of `batch` (the broadcast of both operands' leading axes), computes
/// `out[i] = op(a[i]) · op(b[i])` into an `m × n` block. `a`/`b` hold their own leading axes,
/// which are size-1 where broadcast.
#[allow(clippy::too_many_arguments)]
fn batched(
    batch: &[usize],
    a: &Array,
    sa: Side,
    b: &Array,
    sb: Side,
    m: usize,
    n: usize,
    k: usize,
) -> Array {
    let nb: usize = batch.iter().product();
    let mut out = vec![0.0f32; nb * m * n];
    let (ad, bd) = (
        a.as_slice().expect("standard"),
        b.as_slice().expect("standard"),
    );
    let a_batch = &a.shape()[..a.ndim() - 2];
    let b_batch = &b.shape()[..b.ndim() - 2];
    let offset = |own: &[usize], i: usize, block: usize| -> usize {
        // Unravel i over `batch`, then ravel over `own` (right-aligned, size-1 broadcast).
        let mut rem = i;
        let mut off = 0;
        let mut stride = block;
        for d in (0..batch.len()).rev() {
            let idx = rem % batch[d];
            rem /= batch[d];
            let od = d as isize - (batch.len() as isize - own.len() as isize);
            if od >= 0 {
                let size = own[od as usize];
                if size != 1 {
                    off += idx * stride;
                }
                stride *= size;
            }
        }
        off
    };
    let (a_rows, a_cols) = match sa {
        Side::Plain => (m, k),
        Side::Transposed => (k, m),
    };
    let (b_rows, b_cols) = match sb {
        Side::Plain => (k, n),
        Side::Transposed => (n, k),
    };
    let _ = (a_rows, b_rows);
    // NOTE: an empty output block (a (0, k) batch through Linear, or its backward) has
    // nothing to compute, and `chunks_mut(0)` would panic.
    let block = (m * n).max(1);
    for (i, c) in out.chunks_mut(block).enumerate() {
        let ao = offset(a_batch, i, m * k);
        let bo = offset(b_batch, i, k * n);
        let a_block = &ad[ao..ao + m * k];
        let b_block = &bd[bo..bo + k * n];
        let am = match sa {
            Side::Plain => MatRef::rows(a_block, a_cols),
            Side::Transposed => MatRef::transposed(a_block, a_cols),
        };
        let bm = match sb {
            Side::Plain => MatRef::rows(b_block, b_cols),
            Side::Transposed => MatRef::transposed(b_block, b_cols),
        };
        gemm(m, n, k, am, bm, c, true); // `out` starts zeroed: accumulate, skip a second fill
    }
    let mut shape = batch.to_vec();
    shape.extend([m, n]);
    Array::from_shape_vec(IxDyn(&shape), out).expect("sizes agree")
}

impl Tensor {
    /// Matrix product. 2-D `(m, k)·(k, n) → (m, n)`; with more axes the last two are
    /// multiplied and the leading ones broadcast (`(B, m, k)·(k, n) → (B, m, n)`). A 1-D
    /// operand is treated as a row (left) or column (right) vector and that axis is dropped.
    ///
    /// # Errors
    /// If the inner sizes differ, the batch axes do not broadcast, or an operand is 0-d.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    /// let b = Tensor::from_vec(vec![5.0, 6.0, 7.0, 8.0], &[2, 2]).unwrap();
    /// assert_eq!(a.try_matmul(&b).unwrap().to_vec(), vec![19.0, 22.0, 43.0, 50.0]);
    /// ```
    pub fn try_matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (sa, sb) = (self.shape(), other.shape());
        if sa.is_empty() || sb.is_empty() {
            return Err(shape_err(
                "matmul",
                &sa,
                &sb,
                "operands need at least one axis",
            ));
        }
        if sa.len() == 1 {
            let r = self.try_view(&[1, sa[0]])?.try_matmul(other)?;
            let mut s = r.shape();
            // NOTE: when `other` is 1-D too, the inner call already dropped its column axis,
            // so the row axis is the last one (vector·vector gives a 0-d result, as in NumPy);
            // `s.len() - 2` would underflow there.
            let row_axis = if sb.len() == 1 {
                s.len() - 1
            } else {
                s.len() - 2
            };
            s.remove(row_axis);
            return r.try_view(&s);
        }
        if sb.len() == 1 {
            let r = self.try_matmul(&other.try_view(&[sb[0], 1])?)?;
            let mut s = r.shape();
            s.pop();
            return r.try_view(&s);
        }
        let (m, k) = (sa[sa.len() - 2], sa[sa.len() - 1]);
        let (k2, n) = (sb[sb.len() - 2], sb[sb.len() - 1]);
        if k != k2 {
            return Err(shape_err(
                "matmul",
                &sa,
                &sb,
                format!("inner dimensions {k} and {k2} differ"),
            ));
        }
        let batch = broadcast_shapes("matmul", &sa[..sa.len() - 2], &sb[..sb.len() - 2])
            .map_err(|_| shape_err("matmul", &sa, &sb, "batch axes do not broadcast"))?;
        let mut out_shape = batch.clone();
        out_shape.extend([m, n]);
        // Module 01's matmul and module 05's backward rule, when a student wrote them.
        slots::note_if_installed(Slot::MatmulBackward);
        if sa[..sa.len() - 2] != sb[..sb.len() - 2] {
            slots::note_if_installed(Slot::Unbroadcast);
        }
        let theirs = slots::tensor_result(
            Slot::Matmul,
            || vec![Value::tensor(&self.data()), Value::tensor(&other.data())],
            &out_shape,
            || format!("its result for a {sa:?} and a {sb:?}"),
        );
        let data = theirs.unwrap_or_else(|| {
            batched(
                &batch,
                &self.data(),
                Side::Plain,
                &other.data(),
                Side::Plain,
                m,
                n,
                k,
            )
        });
        Ok(Tensor::from_op(
            data,
            Op::MatMul(self.clone(), other.clone()),
        ))
    }
}

// C = A·B  ⇒  dA = dC·Bᵀ, dB = Aᵀ·dC (per batch; the sink sums broadcast batch axes).
pub(crate) fn matmul_backward(a: &Tensor, b: &Tensor, g: Array, sink: &mut GradSink) -> Result<()> {
    let (sa, sb) = (a.shape(), b.shape());
    let (m, k, n) = (sa[sa.len() - 2], sa[sa.len() - 1], sb[sb.len() - 1]);
    let batch = g.shape()[..g.ndim() - 2].to_vec();
    let g = g.as_standard_layout().into_owned();
    if let Some(f) = slots::get(Slot::MatmulBackward) {
        return theirs_backward(&f, a, b, &g, &batch, sink);
    }
    if a.requires_grad() {
        let ga = batched(
            &batch,
            &g,
            Side::Plain,
            &b.data(),
            Side::Transposed,
            m,
            k,
            n,
        );
        sink.add(a, ga);
    }
    if b.requires_grad() {
        let gb = batched(
            &batch,
            &a.data(),
            Side::Transposed,
            &g,
            Side::Plain,
            k,
            n,
            m,
        );
        sink.add(b, gb);
    }
    Ok(())
}

/// A student's `matmulBackward` (module 05): each gradient may have its input's shape or the
/// batch-broadcast one (`batch + [n, k]`, `batch + [k, m]`), which the sink un-broadcasts.
fn theirs_backward(
    f: &std::rc::Rc<dyn slots::SlotFn>,
    a: &Tensor,
    b: &Tensor,
    g: &Array,
    batch: &[usize],
    sink: &mut GradSink,
) -> Result<()> {
    let slot = Slot::MatmulBackward;
    let mut args = [
        Value::tensor(g),
        Value::tensor(&a.data()),
        Value::tensor(&b.data()),
    ];
    let out = slots::invoke(slot, f, &mut args)?;
    let items = value::expect_list(
        slot.js_name(),
        out,
        2,
        "its result ([gradient of a, gradient of b])",
    )?;
    for (v, (t, name)) in items.into_iter().zip([(a, "a"), (b, "b")]) {
        let own = t.shape();
        let mut wide = batch.to_vec();
        wide.extend_from_slice(&own[own.len() - 2..]);
        let shape = match &v {
            Value::Tensor(x) if x.shape() == wide.as_slice() => wide.clone(),
            _ => own.clone(),
        };
        let ga = value::expect_tensor(
            slot.js_name(),
            v,
            &shape,
            &format!(
                "the gradient of {name} (a {:?}, b {:?}, grad {:?})",
                a.shape(),
                b.shape(),
                g.shape()
            ),
        )?;
        sink.try_add(t, ga)?;
    }
    Ok(())
}
