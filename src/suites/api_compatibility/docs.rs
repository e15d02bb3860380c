//! The documented values the `api_compatibility` suite holds the code to: one entry per value
//! (the API item, what about it, the value, where it is documented), and the comparisons that
//! fail with a message naming the item, the documented value and what the code gave.
//!
//! Every check that compares the code with a documented value reads that value from here,
//! never from a literal in the check, so the comparison is explicit and a test can plant a
//! changed value (as if the documentation had drifted from the code) and see the suite fail.

use crate::suites::ctx::{CaseFail, CaseResult};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

/// A documented value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number (a default, an anchor such as ln 3).
    Num(f64),
    /// Several numbers (a pair of betas, expected outputs).
    List(Vec<f64>),
    /// A count.
    Int(usize),
    /// A shape.
    Dims(Vec<usize>),
    /// A yes/no default (shuffle off).
    Flag(bool),
    /// A name or a token (`"<UNK>"`, `"cross_entropy"`).
    Text(String),
}

/// Numbers as the documentation writes them: `1e-8`, `0.055`, `1.0986`.
fn num(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) {
        format!("{x:e}")
    } else {
        format!("{}", (x * 1e9).round() / 1e9)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(x) => write!(f, "{}", num(*x)),
            Value::List(v) => {
                let parts: Vec<String> = v.iter().map(|x| num(*x)).collect();
                write!(f, "({})", parts.join(", "))
            }
            Value::Int(n) => write!(f, "{n}"),
            Value::Dims(d) => write!(f, "{d:?}"),
            Value::Flag(b) => write!(f, "{b}"),
            Value::Text(s) => write!(f, "\"{s}\""),
        }
    }
}

impl Value {
    /// A different value of the same kind, far enough from this one that every check reading
    /// it must notice (the planted-change tests use it).
    pub fn changed(&self) -> Value {
        let other = |x: f64| if x == 0.0 { 0.5 } else { x * 0.5 };
        match self {
            Value::Num(x) => Value::Num(other(*x)),
            Value::List(v) => {
                let mut v = v.clone();
                if let Some(first) = v.first_mut() {
                    *first = other(*first);
                }
                Value::List(v)
            }
            Value::Int(n) => Value::Int(n + 1),
            Value::Dims(d) => {
                let mut d = d.clone();
                match d.first_mut() {
                    Some(first) => *first += 1,
                    None => d.push(1),
                }
                Value::Dims(d)
            }
            Value::Flag(b) => Value::Flag(!b),
            Value::Text(s) => Value::Text(format!("{s}?")),
        }
    }
}

/// One documented value of the public API.
#[derive(Clone, Debug, PartialEq)]
pub struct Documented {
    /// The API item as the documentation names it, e.g. `Adam::new`.
    pub item: &'static str,
    /// What about it, e.g. `eps`.
    pub what: &'static str,
    pub value: Value,
    /// Where it is documented, e.g. `src/optim/adam.rs (Adam::new)`.
    pub source: &'static str,
}

/// Shorthand for a table entry.
pub fn doc(
    item: &'static str,
    what: &'static str,
    value: Value,
    source: &'static str,
) -> Documented {
    Documented {
        item,
        what,
        value,
        source,
    }
}

impl Documented {
    /// `Adam::new: eps is documented as 1e-8 (src/optim/adam.rs)`.
    fn says(&self) -> String {
        format!(
            "{}: {} is documented as {} ({})",
            self.item, self.what, self.value, self.source
        )
    }

    fn wrong_kind(&self, want: &str) -> CaseFail {
        CaseFail(format!(
            "{}: the table holds {} where {want} was expected",
            self.says(),
            self.value
        ))
    }

    /// The value as a number.
    pub fn num(&self) -> Result<f64, CaseFail> {
        match self.value {
            Value::Num(x) => Ok(x),
            _ => Err(self.wrong_kind("a number")),
        }
    }

    /// The value as a list of numbers.
    pub fn list(&self) -> Result<Vec<f64>, CaseFail> {
        match &self.value {
            Value::List(v) => Ok(v.clone()),
            _ => Err(self.wrong_kind("a list of numbers")),
        }
    }

    /// The value as a count.
    pub fn int(&self) -> Result<usize, CaseFail> {
        match self.value {
            Value::Int(n) => Ok(n),
            _ => Err(self.wrong_kind("a count")),
        }
    }

    /// The value as a shape.
    pub fn dims(&self) -> Result<Vec<usize>, CaseFail> {
        match &self.value {
            Value::Dims(d) => Ok(d.clone()),
            _ => Err(self.wrong_kind("a shape")),
        }
    }

    /// The value as a flag.
    pub fn flag(&self) -> Result<bool, CaseFail> {
        match self.value {
            Value::Flag(b) => Ok(b),
            _ => Err(self.wrong_kind("a flag")),
        }
    }

    /// The value as text.
    pub fn text(&self) -> Result<String, CaseFail> {
        match &self.value {
            Value::Text(s) => Ok(s.clone()),
            _ => Err(self.wrong_kind("text")),
        }
    }

    /// Fails unless `got` is within `tol` of `expected`, the figure the documented value
    /// predicts for `how` (a NaN never passes).
    pub fn expect(&self, how: &str, expected: f64, got: f64, tol: f64) -> CaseResult {
        if (expected - got).abs() <= tol {
            return Ok(());
        }
        Err(CaseFail(format!(
            "{}; {how} should then be {} (±{}), the code gave {}",
            self.says(),
            num(expected),
            num(tol),
            num(got)
        )))
    }

    /// [`Documented::expect`] for every element of two equally long lists.
    pub fn expect_all(&self, how: &str, expected: &[f64], got: &[f64], tol: f64) -> CaseResult {
        let close = expected.len() == got.len()
            && expected.iter().zip(got).all(|(e, g)| (e - g).abs() <= tol);
        if close {
            return Ok(());
        }
        let show = |v: &[f64]| v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ");
        Err(CaseFail(format!(
            "{}; {how} should then be [{}] (±{}), the code gave [{}]",
            self.says(),
            show(expected),
            num(tol),
            show(got)
        )))
    }

    /// A failure for a call that returned an error where the documentation promises a value.
    pub fn error(&self, how: &str, e: impl fmt::Display) -> CaseFail {
        CaseFail(format!("{}; {how} failed: {e}", self.says()))
    }

    /// Fails unless `got == expected` (a shape, a count, a name, a flag).
    pub fn expect_eq<T: PartialEq + fmt::Debug>(
        &self,
        how: &str,
        expected: T,
        got: T,
    ) -> CaseResult {
        if expected == got {
            return Ok(());
        }
        Err(CaseFail(format!(
            "{}; {how} should then be {expected:?}, the code gave {got:?}",
            self.says()
        )))
    }
}

/// Every documented value the suite checks, and which of them the checks have read.
#[derive(Clone, Debug, Default)]
pub struct Docs {
    pub entries: Vec<Documented>,
    /// Indices of the entries read since [`Docs::take_consulted`] last ran.
    consulted: RefCell<BTreeSet<usize>>,
}

impl Docs {
    /// A collection of these entries.
    pub fn new(entries: Vec<Documented>) -> Docs {
        Docs {
            entries,
            consulted: RefCell::default(),
        }
    }

    /// The entry for `item`'s `what`, or a case failure saying the table lacks it.
    pub fn get(&self, item: &str, what: &str) -> Result<&Documented, CaseFail> {
        let i = self
            .entries
            .iter()
            .position(|d| d.item == item && d.what == what)
            .ok_or_else(|| {
                CaseFail(format!(
                    "{item}: no documented value for '{what}' in the table"
                ))
            })?;
        self.consulted.borrow_mut().insert(i);
        Ok(&self.entries[i])
    }

    /// The entries read since the last call, and forgets them.
    pub fn take_consulted(&self) -> BTreeSet<usize> {
        std::mem::take(&mut *self.consulted.borrow_mut())
    }
}

/// `f32` results as `f64`, for the comparisons above.
pub fn wide(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}
