//! Shape arithmetic: NumPy broadcasting, axis normalisation, and undoing a broadcast.

use super::Array;
use crate::error::{shape_err, Error, Result};
use crate::slots::{self, value, Slot, Value};
use ndarray::{Axis, IxDyn};

/// The broadcast of two shapes under NumPy rules (align right; sizes equal or one of them 1).
///
/// # Example
/// ```
/// use tinytorch::tensor::broadcast_shapes;
/// assert_eq!(broadcast_shapes("add", &[4, 1, 3], &[2, 1]).unwrap(), vec![4, 2, 3]);
/// assert!(broadcast_shapes("add", &[2, 3], &[4]).is_err());
/// ```
///
/// # Errors
/// If some aligned pair of sizes differs and neither is 1.
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let lab = lab_broadcast(op, a, b);
    // A student's broadcastShape (module 01) is asked too; where it disagrees with the
    // broadcast the op really computes, the op's layer fails with the student's result.
    if let Some(f) = slots::get(Slot::BroadcastShape) {
        let name = Slot::BroadcastShape.js_name();
        let mut args = [Value::Shape(a.to_vec()), Value::Shape(b.to_vec())];
        let verdict = match (slots::invoke(Slot::BroadcastShape, &f, &mut args), &lab) {
            // Throwing is right for shapes that do not broadcast.
            (Err(_), Err(_)) => Ok(()),
            (Err(e), Ok(_)) => Err(e),
            (Ok(v), lab) => value::expect_shape(name, &v, &format!("its result for {a:?} and {b:?}"))
                .and_then(|got| match lab {
                    Ok(want) if *want == got => Ok(()),
                    Ok(want) => Err(value::bad_result(
                        name,
                        format!("returned {got:?} for {a:?} and {b:?}; they broadcast to {want:?}"),
                    )),
                    Err(_) => Err(value::bad_result(
                        name,
                        format!("returned {got:?} for {a:?} and {b:?}, which do not broadcast (it should throw)"),
                    )),
                }),
        };
        if let Err(e) = verdict {
            slots::defer(e);
        }
    }
    lab
}

/// The built-in broadcast rule.
fn lab_broadcast(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(shape_err(
                    op,
                    a,
                    b,
                    format!("cannot broadcast: dimension {i} has sizes {da} and {db}"),
                ))
            }
        };
    }
    Ok(out)
}

/// Turns a possibly negative axis into an index in `[0, rank)`.
///
/// # Errors
/// If the axis is outside `[-rank, rank)`.
pub fn normalize_axis(op: &'static str, axis: isize, shape: &[usize]) -> Result<usize> {
    let rank = shape.len() as isize;
    let a = if axis < 0 { axis + rank } else { axis };
    if a < 0 || a >= rank {
        return Err(Error::Axis {
            op,
            axis,
            shape: shape.to_vec(),
        });
    }
    Ok(a as usize)
}

/// Sums a gradient of a broadcast result back to the shape of the operand that was broadcast.
///
/// This is the one place broadcasting is undone: every backward hands its raw gradient to the
/// gradient store, which calls this (tinygrad: "a shaped edge's gradient is summed to its
/// source's shape").
///
/// # Example
/// ```
/// use tinytorch::tensor::sum_to_shape;
/// let g = ndarray::ArrayD::<f32>::ones(ndarray::IxDyn(&[4, 2, 3]));
/// let s = sum_to_shape(g, &[2, 1]);
/// assert_eq!(s.shape(), &[2, 1]);
/// assert_eq!(s[[0, 0]], 12.0);
/// ```
pub fn sum_to_shape(g: Array, shape: &[usize]) -> Array {
    if g.shape() == shape {
        return g;
    }
    let mut g = g;
    while g.ndim() > shape.len() {
        g = g.sum_axis(Axis(0));
    }
    for (i, &s) in shape.iter().enumerate() {
        if s == 1 && g.shape()[i] != 1 {
            g = g.sum_axis(Axis(i)).insert_axis(Axis(i));
        }
    }
    debug_assert_eq!(g.shape(), shape);
    g.into_shape_with_order(IxDyn(shape))
        .expect("same element count")
}
