//! A unit check, its result, and the comparisons every module's checks are built from:
//! "expected vs yours" for tensors and numbers, with the differing elements and the first
//! difference in words.

use crate::error::Error;
use crate::rng::Rng;
use crate::slots::{self, Slot, Value};
use crate::tensor::Array;
use ndarray::{Dimension, IxDyn};
use serde::Serialize;

/// How a check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// The function is still a stub (it threw NotImplemented).
    Todo,
    /// The module does not export the function.
    Missing,
}

/// JSON has no NaN or Infinity: a non-finite value is written as the string JavaScript prints
/// for it ("NaN", "Infinity", "-Infinity"), so the page can show what the student's code returned.
fn js_floats<S: serde::Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        if x.is_finite() {
            seq.serialize_element(x)?;
        } else {
            seq.serialize_element(&num(*x))?;
        }
    }
    seq.end()
}

fn js_float<S: serde::Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f32(*v)
    } else {
        s.serialize_str(&num(*v))
    }
}

/// A tensor as a page shows it (at most 256 values).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shown {
    pub shape: Vec<usize>,
    #[serde(serialize_with = "js_floats")]
    pub data: Vec<f32>,
    /// True when `data` holds only the first 256 values.
    pub truncated: bool,
}

impl Shown {
    pub(crate) fn of(a: &Array) -> Shown {
        let data: Vec<f32> = a.iter().take(256).copied().collect();
        Shown {
            shape: a.shape().to_vec(),
            truncated: data.len() < a.len(),
            data,
        }
    }
}

/// Where two tensors first differ.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirstDiff {
    pub index: Vec<usize>,
    #[serde(serialize_with = "js_float")]
    pub expected: f32,
    #[serde(serialize_with = "js_float")]
    pub got: f32,
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitResult {
    /// The function checked (its slot name).
    pub function: &'static str,
    /// Short identifier, e.g. `"known_values"`.
    pub name: &'static str,
    /// What the check does, in one sentence.
    pub description: String,
    pub status: CheckStatus,
    /// What went wrong, in words ("ok" when it passed).
    pub message: String,
    /// Named inputs worth showing (small ones).
    pub inputs: Vec<(String, Shown)>,
    pub expected: Option<Shown>,
    pub got: Option<Shown>,
    /// Flat indices (into the shown data) where yours differs from the expected.
    pub differs: Vec<usize>,
    pub first: Option<FirstDiff>,
}

impl UnitResult {
    pub(crate) fn missing(c: &Check) -> UnitResult {
        UnitResult {
            function: c.slot.js_name(),
            name: c.name,
            description: c.description.clone(),
            status: CheckStatus::Missing,
            message: format!("your module does not export `{}`", c.slot.js_name()),
            inputs: Vec::new(),
            expected: None,
            got: None,
            differs: Vec::new(),
            first: None,
        }
    }
}

/// Why a check failed, with what to show.
#[derive(Debug, Default)]
pub(crate) struct Fail {
    pub message: String,
    pub expected: Option<Shown>,
    pub got: Option<Shown>,
    pub differs: Vec<usize>,
    pub first: Option<FirstDiff>,
    pub todo: bool,
}

impl Fail {
    pub(crate) fn msg(message: impl Into<String>) -> Fail {
        Fail {
            message: message.into(),
            ..Fail::default()
        }
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        let detail = match &e {
            Error::Slot { msg, .. } => msg.clone(),
            other => other.to_string(),
        };
        Fail {
            todo: detail.contains("NotImplemented"),
            message: detail,
            ..Fail::default()
        }
    }
}

/// What a check body returns.
pub(crate) type Outcome = Result<(), Fail>;

/// A unit check of one slot.
pub(crate) struct Check {
    pub slot: Slot,
    pub name: &'static str,
    pub description: String,
    pub inputs: Vec<(String, Array)>,
    pub body: Box<dyn Fn() -> Outcome>,
}

impl Check {
    /// A check of `slot` whose body is `body`.
    pub(crate) fn new(
        slot: Slot,
        name: &'static str,
        description: impl Into<String>,
        body: impl Fn() -> Outcome + 'static,
    ) -> Check {
        Check {
            slot,
            name,
            description: description.into(),
            inputs: Vec::new(),
            body: Box::new(body),
        }
    }

    /// Adds a named input to show beside the result.
    pub(crate) fn show(mut self, name: &str, a: &Array) -> Check {
        self.inputs.push((name.to_string(), a.clone()));
        self
    }

    /// Runs the check; deferred slot errors of this check never leak into the next one.
    pub(crate) fn run(&self) -> UnitResult {
        slots::clear_pending();
        let out = (self.body)();
        slots::clear_pending();
        let inputs = self
            .inputs
            .iter()
            .map(|(n, a)| (n.clone(), Shown::of(a)))
            .collect();
        let base = UnitResult {
            function: self.slot.js_name(),
            name: self.name,
            description: self.description.clone(),
            status: CheckStatus::Pass,
            message: "ok".into(),
            inputs,
            expected: None,
            got: None,
            differs: Vec::new(),
            first: None,
        };
        match out {
            Ok(()) => base,
            Err(f) => UnitResult {
                status: if f.todo {
                    CheckStatus::Todo
                } else {
                    CheckStatus::Fail
                },
                message: f.message,
                expected: f.expected,
                got: f.got,
                differs: f.differs,
                first: f.first,
                ..base
            },
        }
    }
}

/// `|e − g| ≤ atol + rtol·|e|`; NaN is never close.
pub(crate) fn close(e: f32, g: f32, atol: f32, rtol: f32) -> bool {
    (e - g).abs() <= atol + rtol * e.abs()
}

/// Default tolerances: float32 results computed in float64 JavaScript differ by rounding.
pub(crate) const ATOL: f32 = 1e-5;
pub(crate) const RTOL: f32 = 1e-4;

/// Compares yours with the expected tensor; the failure names the first difference.
pub(crate) fn compare(what: &str, want: &Array, got: &Array, atol: f32, rtol: f32) -> Outcome {
    if want.shape() != got.shape() {
        return Err(Fail {
            message: format!(
                "{what}: your result has shape {:?}, expected {:?}",
                got.shape(),
                want.shape()
            ),
            expected: Some(Shown::of(want)),
            got: Some(Shown::of(got)),
            ..Fail::default()
        });
    }
    let mut differs = Vec::new();
    let mut first = None;
    for (i, ((idx, &e), &g)) in want.indexed_iter().zip(got.iter()).enumerate() {
        if !close(e, g, atol, rtol) {
            if first.is_none() {
                first = Some(FirstDiff {
                    index: idx.slice().to_vec(),
                    expected: e,
                    got: g,
                });
            }
            if i < 256 {
                differs.push(i);
            }
        }
    }
    let Some(f) = first else { return Ok(()) };
    let count = want
        .iter()
        .zip(got.iter())
        .filter(|(e, g)| !close(**e, **g, atol, rtol))
        .count();
    Err(Fail {
        message: format!(
            "{what}: {count} of {} values differ; the first at index {:?}: expected {}, yours {}",
            want.len(),
            f.index,
            num(f.expected),
            num(f.got)
        ),
        expected: Some(Shown::of(want)),
        got: Some(Shown::of(got)),
        differs,
        first: Some(f),
        todo: false,
    })
}

/// A number as JavaScript would print it, short.
pub(crate) fn num(v: f32) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".into()
        } else {
            s.to_string()
        }
    }
}

/// Calls `slot` and returns its result as a tensor of `shape`; NaNs are kept (the comparison
/// shows them), anything else wrong fails the check with what came back.
pub(crate) fn call_tensor(slot: Slot, args: &mut [Value], shape: &[usize]) -> Result<Array, Fail> {
    match slots::call(slot, args)? {
        Value::Tensor(a) if a.shape() == shape => Ok(a),
        Value::Tensor(a) => Err(Fail {
            message: format!("your result has shape {:?}, expected {shape:?}", a.shape()),
            got: Some(Shown::of(&a)),
            ..Fail::default()
        }),
        other => Err(Fail::msg(format!(
            "expected a tensor {{ data, shape }} of shape {shape:?}, but it returned {}",
            other.describe()
        ))),
    }
}

/// Calls `slot` and checks its tensor result against `want`.
pub(crate) fn expect_tensor(slot: Slot, mut args: Vec<Value>, want: &Array) -> Outcome {
    let got = call_tensor(slot, &mut args, want.shape())?;
    compare("values", want, &got, ATOL, RTOL)
}

/// Calls `slot` and checks its number result against `want` (relative tolerance `rtol`).
pub(crate) fn expect_number(slot: Slot, mut args: Vec<Value>, want: f64, rtol: f64) -> Outcome {
    match slots::call(slot, &mut args)? {
        Value::Num(v) if (v - want).abs() <= 1e-6 + rtol * want.abs() => Ok(()),
        Value::Num(v) => Err(Fail::msg(format!(
            "expected {}, yours {}",
            num(want as f32),
            num(v as f32)
        ))),
        other => Err(Fail::msg(format!(
            "expected a number, but it returned {}",
            other.describe()
        ))),
    }
}

/// A tensor from row-major values.
pub(crate) fn t(shape: &[usize], data: &[f32]) -> Array {
    Array::from_shape_vec(IxDyn(shape), data.to_vec()).expect("check data fits its shape")
}

/// Standard-normal values of `shape` times `scale`, from `rng`.
pub(crate) fn randn(rng: &mut Rng, shape: &[usize], scale: f32) -> Array {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| rng.normal() * scale).collect();
    Array::from_shape_vec(IxDyn(shape), v).expect("n values")
}

/// A generator for check `k` of a module, from the run's seed.
pub(crate) fn rng_for(seed: u64, k: u64) -> Rng {
    Rng::new(seed.wrapping_mul(0x9E37_79B9).wrapping_add(k))
}

/// The lab's own result: every slot suspended.
pub(crate) fn lab<T>(f: impl FnOnce() -> crate::error::Result<T>) -> Result<T, Fail> {
    slots::suspended(f).map_err(|e| Fail::msg(format!("the lab's reference failed: {e}")))
}

/// Checks that `slot` throws for `args` with a message that contains every string of `names`
/// (whitespace ignored).
pub(crate) fn expect_throw(slot: Slot, mut args: Vec<Value>, names: &[&str]) -> Outcome {
    match slots::call(slot, &mut args) {
        Ok(v) => Err(Fail::msg(format!(
            "should throw an Error, but it returned {}",
            v.describe()
        ))),
        Err(Error::Slot { msg, .. }) => {
            if msg.contains("NotImplemented") {
                return Err(Fail {
                    todo: true,
                    ..Fail::msg(msg)
                });
            }
            let flat: String = msg.chars().filter(|c| !c.is_whitespace()).collect();
            let missing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !flat.contains(&n.replace(' ', "")))
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(Fail::msg(format!(
                    "it threw, but the message should name both shapes ({}); it says: {msg}",
                    names.join(" and ")
                )))
            }
        }
        Err(e) => Err(e.into()),
    }
}
