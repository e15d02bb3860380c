//! The values that cross a slot: plain data in (copies of the framework's tensors, shapes,
//! numbers, pre-drawn random numbers), and whatever the implementation returned, which is
//! checked here before the framework uses it.

use crate::error::{Error, Result};
use crate::tensor::Array;
use ndarray::Dimension;
use std::any::Any;
use std::fmt;
use std::rc::Rc;

/// Which random generator a [`Value::Draws`] stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draw {
    /// `randn()`: standard normal draws.
    Normal,
    /// `random()`: uniform draws in [0, 1).
    Uniform,
}

/// A value passed to or returned by a slot implementation.
#[derive(Clone)]
pub enum Value {
    /// `null` (also what `undefined` becomes).
    Null,
    Bool(bool),
    Num(f64),
    /// Sizes or axes (a JavaScript array of numbers).
    Shape(Vec<usize>),
    /// Class ids (a JavaScript `Int32Array`).
    Labels(Vec<usize>),
    /// A typed array returned by an implementation.
    Numbers(Vec<f64>),
    /// A tensor as plain data (`{ data: Float32Array, shape }` in JavaScript).
    Tensor(Array),
    List(Vec<Value>),
    /// An object with named fields.
    Record(Vec<(String, Value)>),
    /// A generator function over numbers the lab drew from its seeded generator beforehand, so
    /// the framework's random stream does not depend on how the implementation uses it.
    Draws(Draw, Vec<f32>),
    /// A framework object (a model, an optimizer, a JS API tensor) for slots that compose the
    /// framework's own API (module 07); the JavaScript side wraps it as an API object.
    Object(Rc<dyn Any>),
    /// A value of another kind, described (a string, a function, …).
    Other(String),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Value {
    /// A tensor value holding a copy of `a`.
    pub fn tensor(a: &Array) -> Value {
        Value::Tensor(a.clone())
    }

    /// A record from `(name, value)` pairs.
    pub fn record(fields: Vec<(&str, Value)>) -> Value {
        Value::Record(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// What the value is, in words: "a tensor of shape [2, 3]", "the number 4", "a string".
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Num(n) => format!("the number {n}"),
            Value::Shape(s) => format!("the array {s:?}"),
            Value::Labels(l) => format!("an Int32Array of {} labels", l.len()),
            Value::Numbers(v) => format!("a typed array of {} numbers", v.len()),
            Value::Tensor(a) => format!("a tensor of shape {:?}", a.shape()),
            Value::List(v) => format!("an array of {} items", v.len()),
            Value::Record(fields) => {
                let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                if keys.is_empty() {
                    "an empty object".into()
                } else {
                    format!("an object with keys {}", keys.join(", "))
                }
            }
            Value::Draws(..) => "a generator function".into(),
            Value::Object(_) => "a framework object".into(),
            Value::Other(s) => s.clone(),
        }
    }

    /// The value as a number, if it is one.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// The numbers of an array-like value (an array of numbers, a typed array, a shape).
    pub fn numbers(&self) -> Option<Vec<f64>> {
        match self {
            Value::Shape(s) | Value::Labels(s) => Some(s.iter().map(|&v| v as f64).collect()),
            Value::Numbers(v) => Some(v.clone()),
            Value::List(items) => items.iter().map(Value::as_num).collect(),
            _ => None,
        }
    }

    /// Field `key` of a record.
    pub fn field(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Record(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

fn slot_err(slot: &'static str, msg: String) -> Error {
    Error::Slot { slot, msg }
}

/// The first non-finite value of `a` with its index, if any.
fn first_non_finite(a: &Array) -> Option<(Vec<usize>, f32)> {
    a.indexed_iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(i, v)| (i.slice().to_vec(), *v))
}

/// Checks that `v` is a tensor of exactly `shape` with finite values and returns its data.
/// `what` names the result in the message ("its result for inputs [2, 3] and [3]").
///
/// # Errors
/// [`Error::Slot`] naming `slot`, what was expected and what came back.
pub fn expect_tensor(slot: &'static str, v: Value, shape: &[usize], what: &str) -> Result<Array> {
    let Value::Tensor(a) = v else {
        return Err(slot_err(
            slot,
            format!(
                "{what} should be a tensor {{ data, shape }} of shape {shape:?}, but it returned {}",
                v.describe()
            ),
        ));
    };
    if a.shape() != shape {
        return Err(slot_err(
            slot,
            format!("{what} has shape {:?}, expected {shape:?}", a.shape()),
        ));
    }
    if let Some((i, bad)) = first_non_finite(&a) {
        return Err(slot_err(
            slot,
            format!(
                "{what} holds {} at index {i:?} (every value should be finite)",
                js_number(bad)
            ),
        ));
    }
    Ok(a)
}

/// How JavaScript prints a non-finite number.
fn js_number(v: f32) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

/// Checks that `v` is a finite number.
///
/// # Errors
/// [`Error::Slot`] when it is not.
pub fn expect_number(slot: &'static str, v: &Value, what: &str) -> Result<f64> {
    match v {
        Value::Num(n) if n.is_finite() => Ok(*n),
        Value::Num(n) => Err(slot_err(
            slot,
            format!(
                "{what} is {} (it should be a finite number)",
                js_number(*n as f32)
            ),
        )),
        other => Err(slot_err(
            slot,
            format!(
                "{what} should be a number, but it returned {}",
                other.describe()
            ),
        )),
    }
}

/// Checks that `v` is an array of non-negative whole numbers (a shape or a list of indices).
///
/// # Errors
/// [`Error::Slot`] when it is not.
pub fn expect_shape(slot: &'static str, v: &Value, what: &str) -> Result<Vec<usize>> {
    let bad = || {
        slot_err(
            slot,
            format!(
                "{what} should be an array of whole numbers ≥ 0, but it returned {}",
                v.describe()
            ),
        )
    };
    let nums = v.numbers().ok_or_else(bad)?;
    nums.iter()
        .map(|&n| {
            if n >= 0.0 && n.fract() == 0.0 && n < 1e9 {
                Ok(n as usize)
            } else {
                Err(bad())
            }
        })
        .collect()
}

/// Checks that `v` is an array of exactly `len` items and returns them.
///
/// # Errors
/// [`Error::Slot`] when it is not.
pub fn expect_list(slot: &'static str, v: Value, len: usize, what: &str) -> Result<Vec<Value>> {
    match v {
        Value::List(items) if items.len() == len => Ok(items),
        other => Err(slot_err(
            slot,
            format!(
                "{what} should be an array of {len} items, but it returned {}",
                other.describe()
            ),
        )),
    }
}

/// Field `key` of a returned record.
///
/// # Errors
/// [`Error::Slot`] when `v` is not an object or has no such field.
pub fn expect_field(slot: &'static str, v: &Value, key: &str, what: &str) -> Result<Value> {
    match v {
        Value::Record(_) => v.field(key).cloned().ok_or_else(|| {
            slot_err(
                slot,
                format!("{what} has no field `{key}` (it returned {})", v.describe()),
            )
        }),
        other => Err(slot_err(
            slot,
            format!(
                "{what} should be an object with a field `{key}`, but it returned {}",
                other.describe()
            ),
        )),
    }
}

/// An error about `slot`'s result in words (for checks the helpers above do not cover).
pub fn bad_result(slot: &'static str, msg: impl Into<String>) -> Error {
    slot_err(slot, msg.into())
}
