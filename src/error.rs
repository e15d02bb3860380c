//! The crate's one error type: every fallible operation names itself and the shapes involved.

use std::fmt;

/// Errors returned by tensor operations, layers, losses, optimizers and the data pipeline.
///
/// Every variant carries the operation's name (`op`) so a message reads like
/// `matmul: lhs [2, 3] is incompatible with rhs [4, 5] (inner dimensions 3 and 4 differ)`.
///
/// # Example
/// ```
/// use tinytorch::Tensor;
/// let a = Tensor::zeros(&[2, 3]);
/// let b = Tensor::zeros(&[4, 5]);
/// let err = a.try_matmul(&b).unwrap_err();
/// assert!(err.to_string().starts_with("matmul:"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Two shapes that must agree do not.
    Shape {
        op: &'static str,
        lhs: Vec<usize>,
        rhs: Vec<usize>,
        why: String,
    },
    /// An axis is outside `[-rank, rank)`.
    Axis {
        op: &'static str,
        axis: isize,
        shape: Vec<usize>,
    },
    /// An argument has a value the operation cannot accept.
    Arg { op: &'static str, msg: String },
    /// A value is NaN or infinite where finite numbers are required.
    NonFinite { op: &'static str, what: String },
    /// Backward was asked for something it cannot do.
    Grad { op: &'static str, msg: String },
    /// An implementation plugged into a slot (a student's function) threw, or returned
    /// something the framework cannot use; `slot` is its JavaScript name.
    Slot { slot: &'static str, msg: String },
}

impl Error {
    /// The operation that failed, e.g. `"matmul"`.
    pub fn op(&self) -> &'static str {
        match self {
            Error::Shape { op, .. }
            | Error::Axis { op, .. }
            | Error::Arg { op, .. }
            | Error::NonFinite { op, .. }
            | Error::Grad { op, .. } => op,
            Error::Slot { slot, .. } => slot,
        }
    }

    /// The message without the leading `op: `.
    pub fn detail(&self) -> String {
        let full = self.to_string();
        full.strip_prefix(self.op())
            .and_then(|rest| rest.strip_prefix(": "))
            .map(str::to_string)
            .unwrap_or(full)
    }

    /// Re-labels an error raised inside a layer: `Conv2d: Conv2d(1 → 2, k=5, …): kernel 5×5 is
    /// larger than the padded input`, naming the layer once instead of op inside op.
    /// A slot's error keeps the slot's name first (it is the student's code that failed).
    pub fn in_layer(self, op: &'static str, describe: &str) -> Error {
        match self {
            Error::Slot { slot, msg } => Error::Slot {
                slot,
                msg: format!("{msg} (in {describe})"),
            },
            other => Error::Arg {
                op,
                msg: format!("{describe}: {}", other.detail()),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Shape { op, lhs, rhs, why } => {
                write!(f, "{op}: {lhs:?} is incompatible with {rhs:?}")?;
                if !why.is_empty() {
                    write!(f, " ({why})")?;
                }
                Ok(())
            }
            Error::Axis { op, axis, shape } => write!(
                f,
                "{op}: axis {axis} is out of range for a tensor of shape {shape:?} (rank {})",
                shape.len()
            ),
            Error::Arg { op, msg } => write!(f, "{op}: {msg}"),
            Error::NonFinite { op, what } => write!(f, "{op}: {what} contains NaN or infinity"),
            Error::Grad { op, msg } => write!(f, "{op}: {msg}"),
            Error::Slot { slot, msg } => write!(f, "{slot} (your code): {msg}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Returns early with an [`Error::Arg`]: `bail!("reshape", "only one -1 allowed, got {shape:?}")`.
#[macro_export]
macro_rules! bail {
    ($op:expr, $($arg:tt)*) => {
        return Err($crate::Error::Arg { op: $op, msg: format!($($arg)*) })
    };
}

/// Returns an [`Error::Arg`] unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $op:expr, $($arg:tt)*) => {
        if !$cond {
            $crate::bail!($op, $($arg)*);
        }
    };
}

/// Builds an [`Error::Shape`] for `op` from two shapes and a reason.
pub fn shape_err(op: &'static str, lhs: &[usize], rhs: &[usize], why: impl Into<String>) -> Error {
    Error::Shape {
        op,
        lhs: lhs.to_vec(),
        rhs: rhs.to_vec(),
        why: why.into(),
    }
}
