//! The per-layer gradient-check report: one row per layer and parameter, a verdict per layer,
//! and the diagnosis that names the layer where the chain first goes wrong.

use serde::{Deserialize, Serialize};

/// Outcome of comparing one tensor's backward gradient with the numerical one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Backward and numerical gradients agree.
    Ok,
    /// Backward produced no gradient although the loss depends on this tensor.
    Missing,
    /// Backward produced an all-zero gradient although the numerical one is not zero.
    Zero,
    /// Both exist but differ by more than the tolerance.
    Mismatch,
}

impl Status {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::Zero => "zero",
            Status::Mismatch => "mismatch",
        }
    }
}

/// One checked tensor: a parameter of a layer, or the gradient a layer passes to its input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradRow {
    /// Layer index (pre-order; for a `Sequential`, the position).
    pub layer: usize,
    /// Layer type, e.g. `"Linear"`.
    pub layer_name: String,
    /// Dotted path of the layer in the model.
    pub path: String,
    /// `"weight"`, `"bias"`, … or `"input"` for the gradient the layer passes down.
    pub param: String,
    pub status: Status,
    /// Largest |backward − numerical| over the compared elements.
    pub max_abs_error: f32,
    /// `max_abs_error / max |numerical|`.
    pub max_rel_error: f32,
    /// Elements compared.
    pub checked: usize,
    /// Elements skipped because the loss has a kink there (ReLU at 0, max ties).
    pub skipped: usize,
    /// Best-fit factor backward ≈ factor × numerical (1 when right; −1 sign flip; 2 doubled).
    pub scale: f32,
    /// What is wrong, in words (empty when ok).
    pub reason: String,
    /// The compared element where backward and the numerical gradient differ most.
    #[serde(default)]
    pub worst: Option<WorstElement>,
}

/// One element of a checked tensor: where it is, the numerical gradient there, and what
/// backward produced (`None` when backward produced no gradient at all).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorstElement {
    pub index: Vec<usize>,
    pub numerical: f32,
    pub analytic: Option<f32>,
}

impl WorstElement {
    /// From a flat index into a tensor of `shape`.
    pub(crate) fn new(
        flat: usize,
        shape: &[usize],
        numerical: f32,
        analytic: Option<f32>,
    ) -> WorstElement {
        let mut index = vec![0; shape.len()];
        let mut rest = flat;
        for (i, &d) in shape.iter().enumerate().rev() {
            if d > 0 {
                index[i] = rest % d;
                rest /= d;
            }
        }
        WorstElement {
            index,
            numerical,
            analytic,
        }
    }
}

/// The verdict for one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerVerdict {
    pub index: usize,
    /// Layer type, e.g. `"ReLU"`.
    pub name: String,
    pub path: String,
    /// Configuration, e.g. `"Linear(4 → 4)"`.
    pub describe: String,
    /// Nesting depth (0 for top-level layers).
    pub depth: usize,
    /// Worst status of this layer's rows.
    pub status: Status,
    /// Whether the gradient arriving at this layer's output is right.
    pub receives: Status,
    /// This is the layer where the chain first goes wrong.
    pub culprit: bool,
    pub reason: String,
    /// The student's functions (slots) this layer ran in its forward or will run in its
    /// backward; empty when it ran only the lab's code.
    #[serde(default)]
    pub your_code: Vec<String>,
    /// This row is the loss (after every layer, index = the number of layers), not a layer of
    /// the model: the gradient it sends to the model's output, checked like a layer's.
    #[serde(default)]
    pub loss: bool,
}

/// The whole report of [`super::gradcheck`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradReport {
    pub passed: bool,
    /// Index of the layer blamed for the failure.
    pub culprit: Option<usize>,
    /// One sentence: what failed where, or that every layer passed.
    pub summary: String,
    /// The loss value at the checked point.
    pub loss: f32,
    pub eps: f32,
    pub tolerance: f32,
    pub layers: Vec<LayerVerdict>,
    pub rows: Vec<GradRow>,
}

impl GradReport {
    /// The model's layers (every verdict but the loss's).
    pub fn model_layers(&self) -> impl Iterator<Item = &LayerVerdict> {
        self.layers.iter().filter(|l| !l.loss)
    }

    /// The verdict of layer `index`.
    pub fn layer(&self, index: usize) -> Option<&LayerVerdict> {
        self.layers.iter().find(|l| l.index == index)
    }
}

/// Describes a failing row in words, e.g. "layer 1, Linear.weight: max relative error 0.43
/// against the numerical gradient".
pub(crate) fn row_reason(r: &GradRow, max_numeric: f32) -> String {
    let what = if r.param == "input" {
        format!(
            "layer {}, {}: the gradient it passes to its input",
            r.layer, r.layer_name
        )
    } else {
        format!("layer {}, {}.{}", r.layer, r.layer_name, r.param)
    };
    match r.status {
        Status::Ok => String::new(),
        Status::Missing => format!("{what}: no gradient reaches it"),
        Status::Zero => format!(
            "{what}: the gradient is all zeros, but the numerical gradient is not (largest {max_numeric:.3e})"
        ),
        Status::Mismatch => {
            let hint = if (r.scale + 1.0).abs() < 0.15 {
                "; its sign is flipped".to_string()
            } else if r.scale.is_finite() && (r.scale - 1.0).abs() > 0.15 {
                format!("; it is about {:.2}× the numerical gradient", r.scale)
            } else {
                String::new()
            };
            format!(
                "{what}: max relative error {:.2} against the numerical gradient{hint}",
                r.max_rel_error
            )
        }
    }
}

/// Marks the layers that ran a student's code in every sentence of the report:
/// "layer 3, ReLU (your code): …", "layer 1, Linear.weight (your code): …" and "because of
/// layer 3 (ReLU, your code)".
pub(crate) fn mark_your_code(r: &mut GradReport) {
    let marks: Vec<(usize, String)> = r
        .layers
        .iter()
        .filter(|l| !l.your_code.is_empty())
        .map(|l| (l.index, l.name.clone()))
        .collect();
    if marks.is_empty() {
        return;
    }
    let fix = |text: &str| -> String {
        let mut t = text.to_string();
        for (i, name) in &marks {
            t = t
                .replace(
                    &format!("layer {i}, {name}:"),
                    &format!("layer {i}, {name} (your code):"),
                )
                .replace(
                    &format!("layer {i} ({name})"),
                    &format!("layer {i} ({name}, your code)"),
                );
            // "layer 1, Linear.weight: …" → "layer 1, Linear.weight (your code): …"
            let dotted = format!("layer {i}, {name}.");
            if let Some(at) = t.find(&dotted) {
                if let Some(colon) = t[at..].find(':') {
                    t.insert_str(at + colon, " (your code)");
                }
            }
        }
        t
    };
    r.summary = fix(&r.summary);
    for l in &mut r.layers {
        l.reason = fix(&l.reason);
    }
    for row in &mut r.rows {
        row.reason = fix(&row.reason);
    }
}
