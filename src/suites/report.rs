//! Suite reports: what every integration suite returns, natively and in the browser, as the
//! same JSON.

use crate::gradcheck::GradReport;
use crate::nn::FaultKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A fault to plant in every model a suite builds: layer `layer` gets `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    pub layer: usize,
    pub kind: FaultKind,
}

/// One check inside a suite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseReport {
    /// Short identifier, e.g. `"five_linear_relu"`.
    pub name: String,
    /// What the case checks, in one sentence.
    pub description: String,
    pub passed: bool,
    /// Why it failed, or what it measured when it passed.
    pub message: String,
    /// The layer blamed when a gradient check failed.
    pub layer: Option<usize>,
    /// The per-layer gradient check of the case's model, when it has one.
    pub gradcheck: Option<GradReport>,
    /// Loss per epoch, for training cases.
    pub curve: Vec<f32>,
    /// Named measurements (accuracy, loss drop, …).
    pub metrics: BTreeMap<String, f64>,
    /// The student's functions (slots) that ran in this case; empty when only the lab's code
    /// ran.
    #[serde(default)]
    pub your_code: Vec<String>,
    /// The long form of a failure (inputs, expected and received values, the worst gradient
    /// element, the layers), when the case recorded one.
    #[serde(default)]
    pub detail: Option<super::detail::Detail>,
}

/// The result of running one suite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuiteReport {
    pub suite: String,
    pub category: String,
    pub modules: Vec<u32>,
    pub seed: u64,
    pub fault: Option<FaultSpec>,
    /// Whether the run was in quick mode (cheap forms of the cases).
    #[serde(default)]
    pub quick: bool,
    pub passed: bool,
    pub cases: Vec<CaseReport>,
    /// Wall time of the run in milliseconds (not part of the verdict).
    pub duration_ms: f64,
}

impl SuiteReport {
    /// The report as JSON (the same text the JS API parses).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("reports serialise")
    }

    /// Failing cases.
    pub fn failures(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| !c.passed)
    }

    /// Every layer blamed by a failing case.
    pub fn blamed_layers(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.failures().filter_map(|c| c.layer).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// A few lines for a terminal.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} [{}]: {} ({} cases, {:.0} ms)\n",
            self.suite,
            self.category,
            if self.passed { "PASS" } else { "FAIL" },
            self.cases.len(),
            self.duration_ms
        );
        for c in &self.cases {
            s += &format!(
                "  {} {}: {}\n",
                if c.passed { "ok  " } else { "FAIL" },
                c.name,
                c.message
            );
            // The long form of a failure, so `cargo test` shows it.
            if let (false, Some(d)) = (c.passed, &c.detail) {
                s += &d.to_text();
            }
        }
        s
    }
}
