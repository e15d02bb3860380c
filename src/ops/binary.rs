//! Element-wise binary ops with NumPy broadcasting, scalar ops on either side, neg and pow.

use super::or_panic;
use crate::autograd::{GradSink, Op};
use crate::error::Result;
use crate::slots::{self, value, Slot, Value};
use crate::tensor::{broadcast_shapes, Array, Tensor};
use std::ops::{Add, Div, Mul, Neg, Sub};

fn binary(
    name: &'static str,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(&Array, &Array) -> Array,
    op: impl FnOnce(Tensor, Tensor) -> Op,
) -> Result<Tensor> {
    let (sa, sb) = (a.shape(), b.shape());
    let shape = broadcast_shapes(name, &sa, &sb)?;
    // Module 01's add and mul, and module 05's backward rules, when a student wrote them.
    let (forward, backward) = match name {
        "add" => (Some(Slot::Add), Some(Slot::AddBackward)),
        "mul" => (Some(Slot::Mul), Some(Slot::MulBackward)),
        _ => (None, None),
    };
    let theirs = forward.and_then(|slot| {
        slots::tensor_result(
            slot,
            || vec![Value::tensor(&a.data()), Value::tensor(&b.data())],
            &shape,
            || format!("its result for a {sa:?} and a {sb:?}"),
        )
    });
    let data = theirs.unwrap_or_else(|| f(&a.data(), &b.data()));
    if let Some(slot) = backward {
        slots::note_if_installed(slot);
    }
    if sa != sb {
        slots::note_if_installed(Slot::Unbroadcast);
    }
    Ok(Tensor::from_op(data, op(a.clone(), b.clone())))
}

impl Tensor {
    /// `self + other` with broadcasting.
    ///
    /// # Errors
    /// If the shapes do not broadcast.
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    /// let b = Tensor::from_vec(vec![10.0, 20.0], &[2]).unwrap();
    /// assert_eq!(a.try_add(&b).unwrap().to_vec(), vec![11.0, 22.0, 13.0, 24.0]);
    /// ```
    pub fn try_add(&self, other: &Tensor) -> Result<Tensor> {
        binary("add", self, other, |a, b| a + b, Op::Add)
    }

    /// `self - other` with broadcasting.
    ///
    /// # Errors
    /// If the shapes do not broadcast.
    pub fn try_sub(&self, other: &Tensor) -> Result<Tensor> {
        binary("sub", self, other, |a, b| a - b, Op::Sub)
    }

    /// `self * other` (element-wise) with broadcasting.
    ///
    /// # Errors
    /// If the shapes do not broadcast.
    pub fn try_mul(&self, other: &Tensor) -> Result<Tensor> {
        binary("mul", self, other, |a, b| a * b, Op::Mul)
    }

    /// `self / other` (element-wise) with broadcasting.
    ///
    /// # Errors
    /// If the shapes do not broadcast.
    pub fn try_div(&self, other: &Tensor) -> Result<Tensor> {
        binary("div", self, other, |a, b| a / b, Op::Div)
    }

    /// `self + c`.
    pub fn add_scalar(&self, c: f32) -> Tensor {
        Tensor::from_op(self.data().mapv(|x| x + c), Op::AddScalar(self.clone()))
    }

    /// `self * c`.
    pub fn mul_scalar(&self, c: f32) -> Tensor {
        Tensor::from_op(self.data().mapv(|x| x * c), Op::MulScalar(self.clone(), c))
    }

    /// `self ^ p` element-wise (`p` may be fractional or negative).
    ///
    /// # Example
    /// ```
    /// use tinytorch::Tensor;
    /// let x = Tensor::from_vec(vec![2.0, 3.0], &[2]).unwrap();
    /// assert_eq!(x.pow(2.0).to_vec(), vec![4.0, 9.0]);
    /// ```
    pub fn pow(&self, p: f32) -> Tensor {
        let data = self.data().mapv(|x| libm::powf(x, p));
        Tensor::from_op(data, Op::PowScalar(self.clone(), p))
    }

    /// `-self`.
    pub fn neg(&self) -> Tensor {
        self.mul_scalar(-1.0)
    }

    /// `c - self` (a scalar on the left).
    pub fn rsub_scalar(&self, c: f32) -> Tensor {
        self.neg().add_scalar(c)
    }

    /// `c / self` (a scalar on the left).
    pub fn rdiv_scalar(&self, c: f32) -> Tensor {
        self.pow(-1.0).mul_scalar(c)
    }
}

// d(a+b)/da = 1, d(a+b)/db = 1; the sink sums away broadcast axes.
pub(crate) fn add_backward(a: &Tensor, b: &Tensor, g: Array, sink: &mut GradSink) -> Result<()> {
    if let Some([ga, gb]) = theirs(Slot::AddBackward, a, b, &g)? {
        return both(a, ga, b, gb, sink);
    }
    if b.requires_grad() {
        sink.add(b, g.clone());
    }
    sink.add(a, g);
    Ok(())
}

// d(a-b)/da = 1, d(a-b)/db = -1.
pub(crate) fn sub_backward(a: &Tensor, b: &Tensor, g: Array, sink: &mut GradSink) {
    if b.requires_grad() {
        sink.add(b, -&g);
    }
    sink.add(a, g);
}

// d(ab)/da = b, d(ab)/db = a.
pub(crate) fn mul_backward(a: &Tensor, b: &Tensor, g: Array, sink: &mut GradSink) -> Result<()> {
    if let Some([ga, gb]) = theirs(Slot::MulBackward, a, b, &g)? {
        return both(a, ga, b, gb, sink);
    }
    if a.requires_grad() {
        let ga = &g * &*b.data();
        sink.add(a, ga);
    }
    if b.requires_grad() {
        let gb = &g * &*a.data();
        sink.add(b, gb);
    }
    Ok(())
}

/// A student's backward rule for a two-input op (module 05), if one is installed: the two
/// gradients, each checked to be the output's shape (the sink un-broadcasts it) or the
/// input's.
fn theirs(slot: Slot, a: &Tensor, b: &Tensor, g: &Array) -> Result<Option<[Array; 2]>> {
    let Some(f) = slots::get(slot) else {
        return Ok(None);
    };
    let mut args = [
        Value::tensor(g),
        Value::tensor(&a.data()),
        Value::tensor(&b.data()),
    ];
    let out = slots::invoke(slot, &f, &mut args)?;
    let what = "its result ([gradient of a, gradient of b])";
    let items = value::expect_list(slot.js_name(), out, 2, what)?;
    let mut grads = items
        .into_iter()
        .zip([a, b])
        .zip(["a", "b"])
        .map(|((v, t), name)| gradient_for(slot, v, t, g.shape(), name));
    let ga = grads.next().expect("two items")?;
    let gb = grads.next().expect("two items")?;
    Ok(Some([ga, gb]))
}

/// Checks one returned gradient: finite, with the input's shape or the output's.
pub(crate) fn gradient_for(
    slot: Slot,
    v: Value,
    input: &Tensor,
    out_shape: &[usize],
    name: &str,
) -> Result<Array> {
    let want = input.shape();
    let shape = match &v {
        Value::Tensor(t) if t.shape() == out_shape => out_shape.to_vec(),
        _ => want.clone(),
    };
    value::expect_tensor(
        slot.js_name(),
        v,
        &shape,
        &format!("the gradient of {name} (input {want:?}, output {out_shape:?})"),
    )
}

fn both(a: &Tensor, ga: Array, b: &Tensor, gb: Array, sink: &mut GradSink) -> Result<()> {
    sink.try_add(a, ga)?;
    sink.try_add(b, gb)
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b².
pub(crate) fn div_backward(a: &Tensor, b: &Tensor, g: Array, sink: &mut GradSink) {
    let bd = b.data();
    if a.requires_grad() {
        sink.add(a, &g / &*bd);
    }
    if b.requires_grad() {
        let gb = -(&g * &*a.data()) / &bd.mapv(|v| v * v);
        sink.add(b, gb);
    }
}

// d(x^p)/dx = p·x^(p-1).
pub(crate) fn pow_backward(a: &Tensor, p: f32, g: Array, sink: &mut GradSink) {
    let d = a.data().mapv(|x| p * libm::powf(x, p - 1.0));
    sink.add(a, g * d);
}

macro_rules! tensor_ops {
    ($Trait:ident, $method:ident, $try:ident, $scalar:expr, $rscalar:expr) => {
        impl $Trait<&Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                or_panic(self.$try(rhs))
            }
        }
        impl $Trait<Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                or_panic(self.$try(&rhs))
            }
        }
        impl $Trait<&Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                or_panic(self.$try(rhs))
            }
        }
        impl $Trait<Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                or_panic(self.$try(&rhs))
            }
        }
        impl $Trait<f32> for &Tensor {
            type Output = Tensor;
            fn $method(self, c: f32) -> Tensor {
                let f: fn(&Tensor, f32) -> Tensor = $scalar;
                f(self, c)
            }
        }
        impl $Trait<f32> for Tensor {
            type Output = Tensor;
            fn $method(self, c: f32) -> Tensor {
                let f: fn(&Tensor, f32) -> Tensor = $scalar;
                f(&self, c)
            }
        }
        impl $Trait<&Tensor> for f32 {
            type Output = Tensor;
            fn $method(self, t: &Tensor) -> Tensor {
                let f: fn(f32, &Tensor) -> Tensor = $rscalar;
                f(self, t)
            }
        }
        impl $Trait<Tensor> for f32 {
            type Output = Tensor;
            fn $method(self, t: Tensor) -> Tensor {
                let f: fn(f32, &Tensor) -> Tensor = $rscalar;
                f(self, &t)
            }
        }
    };
}

tensor_ops!(Add, add, try_add, |t, c| t.add_scalar(c), |c, t| t
    .add_scalar(c));
tensor_ops!(Sub, sub, try_sub, |t, c| t.add_scalar(-c), |c, t| t
    .rsub_scalar(c));
tensor_ops!(Mul, mul, try_mul, |t, c| t.mul_scalar(c), |c, t| t
    .mul_scalar(c));
tensor_ops!(Div, div, try_div, |t, c| t.mul_scalar(1.0 / c), |c, t| t
    .rdiv_scalar(c));

impl Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}

impl Neg for Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}
