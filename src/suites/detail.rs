//! The long form of a failing case (the seed's `--tb=long`): the inputs' shapes and first
//! values, the expected and received values with the first differences, the numerical and
//! backward gradient of the worst element of the blamed layer, and the path of layers. The
//! JSON report carries it as `detail`; `summary()` (what `cargo test` prints) and the command
//! line's `--long` print it as text.

use crate::gradcheck::{GradReport, Status};
use crate::nn::{flatten_layers, Module};
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// A tensor in a few values: its name, shape and first values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Peek {
    pub name: String,
    pub shape: Vec<usize>,
    /// The first (at most 8) values, row-major.
    pub values: Vec<f32>,
}

impl Peek {
    /// The first values of `data` (of `shape`) under `name`.
    pub fn of(name: &str, shape: &[usize], data: &[f32]) -> Peek {
        Peek {
            name: name.into(),
            shape: shape.to_vec(),
            values: data.iter().take(8).copied().collect(),
        }
    }

    /// A tensor's peek.
    pub fn tensor(name: &str, t: &Tensor) -> Peek {
        Peek::of(name, &t.shape(), &t.to_vec())
    }
}

/// One element where the received values differ from the expected ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub index: Vec<usize>,
    pub expected: f32,
    pub received: f32,
}

/// The gradient check's worst element in the blamed layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientDetail {
    /// "layer 3, ReLU", or "the loss, CrossEntropyLoss".
    pub layer: String,
    /// The checked tensor: "weight", "bias", "input" (what the layer passes down), "output".
    pub tensor: String,
    pub index: Vec<usize>,
    pub numerical: f32,
    /// What backward produced there (`None`: no gradient at all).
    pub analytic: Option<f32>,
}

/// The long form of a failing case.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    pub inputs: Vec<Peek>,
    pub expected: Option<Peek>,
    pub received: Option<Peek>,
    /// The first (at most 5) elements that differ.
    pub differences: Vec<Difference>,
    pub gradient: Option<GradientDetail>,
    /// The layers the input went through, in order.
    pub path: Vec<String>,
}

fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (i, &d) in shape.iter().enumerate().rev() {
        if d > 0 {
            index[i] = flat % d;
            flat /= d;
        }
    }
    index
}

impl Detail {
    /// The detail of a failed gradient check of `model` at `(x, y)`.
    pub fn from_gradcheck(model: &dyn Module, x: &Tensor, y: &Tensor, r: &GradReport) -> Detail {
        let gradient = r.culprit.and_then(|c| {
            let layer = r.layer(c)?;
            let row = r
                .rows
                .iter()
                .find(|row| row.layer == c && row.status != Status::Ok)?;
            let w = row.worst.as_ref()?;
            let name = if layer.loss {
                format!("the loss, {}", layer.name)
            } else {
                format!("layer {}, {}", c, layer.name)
            };
            Some(GradientDetail {
                layer: name,
                tensor: row.param.clone(),
                index: w.index.clone(),
                numerical: w.numerical,
                analytic: w.analytic,
            })
        });
        Detail {
            inputs: vec![Peek::tensor("input", x), Peek::tensor("target", y)],
            gradient,
            path: flatten_layers(model)
                .iter()
                .take(48)
                .map(|l| format!("{} {}", l.index, l.module.describe()))
                .collect(),
            ..Detail::default()
        }
    }

    /// The detail of a failed comparison of `received` against `expected` (same shape) with
    /// tolerance `tol`: both, and the first differences.
    pub fn from_values(
        what: &str,
        shape: &[usize],
        expected: &[f32],
        received: &[f32],
        tol: f32,
    ) -> Detail {
        let differences = expected
            .iter()
            .zip(received)
            .enumerate()
            .filter(|(_, (e, r))| !((*e - *r).abs() <= tol))
            .take(5)
            .map(|(i, (e, r))| Difference {
                index: unravel(i, shape),
                expected: *e,
                received: *r,
            })
            .collect();
        Detail {
            expected: Some(Peek::of(&format!("{what} (expected)"), shape, expected)),
            received: Some(Peek::of(&format!("{what} (received)"), shape, received)),
            differences,
            ..Detail::default()
        }
    }

    /// The detail as indented text lines.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let peek = |p: &Peek| {
            format!(
                "{} {:?}: {:?}{}",
                p.name,
                p.shape,
                p.values,
                if p.shape.iter().product::<usize>() > p.values.len() {
                    " …"
                } else {
                    ""
                }
            )
        };
        for p in &self.inputs {
            let _ = writeln!(s, "    {}", peek(p));
        }
        if let Some(p) = &self.expected {
            let _ = writeln!(s, "    {}", peek(p));
        }
        if let Some(p) = &self.received {
            let _ = writeln!(s, "    {}", peek(p));
        }
        for d in &self.differences {
            let _ = writeln!(
                s,
                "    at {:?}: expected {}, received {}",
                d.index, d.expected, d.received
            );
        }
        if let Some(g) = &self.gradient {
            let an = g
                .analytic
                .map_or("no gradient".to_string(), |a| a.to_string());
            let _ = writeln!(
                s,
                "    {} {} at {:?}: numerical gradient {}, backward {an}",
                g.layer, g.tensor, g.index, g.numerical
            );
        }
        if !self.path.is_empty() {
            let _ = writeln!(s, "    layers: {}", self.path.join(" → "));
        }
        s
    }
}
