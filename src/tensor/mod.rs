//! `Tensor`: a cheap-clone handle to f32 data on ndarray, plus the autograd bookkeeping.
//!
//! Data is always kept in standard (row-major, contiguous) layout so kernels can work on
//! plain slices. Gradients are stored only on leaves (parameters, inputs that ask for them)
//! and on tensors that call [`Tensor::retain_grad`], like PyTorch.

mod create;
mod shape;

pub use shape::{broadcast_shapes, normalize_axis, sum_to_shape};

use crate::autograd::{grad_enabled, Op};
use crate::error::{Error, Result};
use ndarray::{ArrayD, IxDyn};
use std::cell::{Cell, Ref, RefCell, RefMut};
use std::fmt;
use std::rc::Rc;

/// The storage type behind every tensor: a dynamic-rank f32 ndarray.
pub type Array = ArrayD<f32>;

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

fn next_id() -> u64 {
    NEXT_ID.with(|c| {
        let id = c.get();
        c.set(id + 1);
        id
    })
}

/// An n-dimensional f32 tensor that records the operations applied to it when gradients are on.
///
/// Cloning a `Tensor` clones the handle, not the data (like `torch.Tensor` references in Python).
///
/// # Example
/// ```
/// use tinytorch::Tensor;
/// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]).unwrap().requires_grad_(true);
/// let y = (&x * &x).sum();           // y = Σ x²
/// y.backward().unwrap();
/// assert_eq!(x.grad().unwrap().to_vec(), vec![2.0, 4.0, 6.0]); // dy/dx = 2x
/// ```
#[derive(Clone)]
pub struct Tensor(pub(crate) Rc<Inner>);

pub(crate) struct Inner {
    pub(crate) id: u64,
    pub(crate) data: RefCell<Array>,
    pub(crate) op: Option<Op>,
    pub(crate) requires_grad: Cell<bool>,
    pub(crate) grad: RefCell<Option<Array>>,
    pub(crate) retain_grad: Cell<bool>,
}

impl Drop for Inner {
    // NOTE: dropping a long chain (x -> op -> x -> op ...) recursively would overflow the
    // wasm stack at ~10^4 nodes. Unlink parents iteratively: only a parent we hold the last
    // reference to is torn down here, and its own op is emptied before it drops.
    fn drop(&mut self) {
        crate::hooks::grad::forget(self.id);
        let mut stack: Vec<Tensor> = match self.op.take() {
            Some(op) => op.into_parents(),
            None => return,
        };
        while let Some(t) = stack.pop() {
            if let Ok(mut inner) = Rc::try_unwrap(t.0) {
                if let Some(op) = inner.op.take() {
                    stack.extend(op.into_parents());
                }
            }
        }
    }
}

impl Tensor {
    /// Wraps an array as a leaf tensor that does not require grad.
    pub fn from_array(data: Array) -> Tensor {
        Tensor::with_op(data, None)
    }

    /// The result of an operation: keeps `op` (and so the graph) only when gradients are on
    /// and some parent requires grad; otherwise the parents are released at once.
    pub(crate) fn from_op(data: Array, op: Op) -> Tensor {
        let track = grad_enabled() && op.parents().iter().any(|p| p.requires_grad());
        Tensor::with_op(data, if track { Some(op) } else { None })
    }

    fn with_op(data: Array, op: Option<Op>) -> Tensor {
        let data = if data.is_standard_layout() {
            data
        } else {
            data.as_standard_layout().into_owned()
        };
        let id = next_id();
        if crate::hooks::profile::active() {
            crate::hooks::profile::made(id);
        }
        Tensor(Rc::new(Inner {
            id,
            data: RefCell::new(data),
            requires_grad: Cell::new(op.is_some()),
            op,
            grad: RefCell::new(None),
            retain_grad: Cell::new(false),
        }))
    }

    /// Builds a tensor from row-major data and a shape.
    ///
    /// # Errors
    /// If `data.len()` is not the product of `shape`.
    pub fn from_vec(data: Vec<f32>, shape: &[usize]) -> Result<Tensor> {
        let n: usize = shape.iter().product();
        if data.len() != n {
            return Err(Error::Arg {
                op: "from_vec",
                msg: format!(
                    "{} values cannot fill shape {shape:?}, which holds {n}",
                    data.len()
                ),
            });
        }
        let arr = Array::from_shape_vec(IxDyn(shape), data).expect("length checked");
        Ok(Tensor::from_array(arr))
    }

    /// A unique id (stable for the tensor's life).
    pub fn id(&self) -> u64 {
        self.0.id
    }

    /// The shape, e.g. `[2, 3]`.
    pub fn shape(&self) -> Vec<usize> {
        self.0.data.borrow().shape().to_vec()
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.0.data.borrow().ndim()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.0.data.borrow().len()
    }

    /// Borrows the data.
    pub fn data(&self) -> Ref<'_, Array> {
        self.0.data.borrow()
    }

    /// Mutably borrows the data (optimizers update parameters in place through this).
    /// Mutating a tensor that is part of a live graph changes what backward sees.
    pub fn data_mut(&self) -> RefMut<'_, Array> {
        self.0.data.borrow_mut()
    }

    /// Replaces the data; the shape must stay the same.
    ///
    /// # Errors
    /// If the new array's shape differs.
    pub fn set_data(&self, data: Array) -> Result<()> {
        let old = self.shape();
        if data.shape() != old.as_slice() {
            return Err(crate::error::shape_err(
                "set_data",
                &old,
                data.shape(),
                "shape must stay the same",
            ));
        }
        *self.0.data.borrow_mut() = data.as_standard_layout().into_owned();
        Ok(())
    }

    /// The data as a flat row-major vector.
    pub fn to_vec(&self) -> Vec<f32> {
        self.0.data.borrow().iter().copied().collect()
    }

    /// The single value of a one-element tensor.
    ///
    /// # Errors
    /// If the tensor has more or fewer than one element.
    pub fn item(&self) -> Result<f32> {
        let d = self.0.data.borrow();
        if d.len() != 1 {
            return Err(Error::Arg {
                op: "item",
                msg: format!("needs a one-element tensor, got shape {:?}", d.shape()),
            });
        }
        Ok(*d.iter().next().expect("one element"))
    }

    /// Whether gradients flow to this tensor.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.get()
    }

    /// Marks a leaf as needing a gradient and returns it (PyTorch's `requires_grad_`).
    /// On a non-leaf this only affects whether the flag reads true.
    pub fn requires_grad_(self, on: bool) -> Tensor {
        self.0.requires_grad.set(on);
        self
    }

    /// Sets the flag in place.
    pub fn set_requires_grad(&self, on: bool) {
        self.0.requires_grad.set(on);
    }

    /// True for tensors not produced by a recorded operation.
    pub fn is_leaf(&self) -> bool {
        self.0.op.is_none()
    }

    /// Keep the gradient on this non-leaf tensor after backward.
    pub fn retain_grad(&self) {
        self.0.retain_grad.set(true);
    }

    /// The accumulated gradient as a new tensor, if any backward reached this tensor.
    pub fn grad(&self) -> Option<Tensor> {
        self.0
            .grad
            .borrow()
            .as_ref()
            .map(|g| Tensor::from_array(g.clone()))
    }

    /// Borrows the accumulated gradient array.
    pub fn grad_array(&self) -> Ref<'_, Option<Array>> {
        self.0.grad.borrow()
    }

    /// Replaces the gradient (clipping and optimizers use this).
    pub fn set_grad(&self, g: Option<Array>) {
        *self.0.grad.borrow_mut() = g;
    }

    /// Clears the gradient (sets it to `None`, as TinyTorch and PyTorch do).
    pub fn zero_grad(&self) {
        *self.0.grad.borrow_mut() = None;
    }

    /// A new leaf with a copy of the data and no history.
    pub fn detach(&self) -> Tensor {
        Tensor::from_array(self.0.data.borrow().clone())
    }

    /// The name of the operation that produced this tensor (`None` for leaves).
    pub fn op_name(&self) -> Option<&'static str> {
        self.0.op.as_ref().map(|o| o.name())
    }

    pub(crate) fn op(&self) -> Option<&Op> {
        self.0.op.as_ref()
    }

    /// Whether two handles point at the same tensor.
    pub fn same(&self, other: &Tensor) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Fails with [`Error::NonFinite`] if any value is NaN or infinite.
    pub fn check_finite(&self, op: &'static str, what: &str) -> Result<()> {
        if self.0.data.borrow().iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(Error::NonFinite {
                op,
                what: what.to_string(),
            })
        }
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tensor(shape={:?}, op={:?}, requires_grad={}, data={})",
            self.shape(),
            self.op_name(),
            self.requires_grad(),
            self.data()
        )
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.data())
    }
}
