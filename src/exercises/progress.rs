//! A student's saved progress, as exported to a file and imported back: one schema, checked
//! strictly, so a damaged or hostile file is refused with a message and changes nothing.
//!
//! ```
//! use tinytorch::exercises::progress::parse_progress;
//! let ok = r#"{"format":"tinytorch-lab-progress","version":2,"exercises":{"2":{"code":"export function relu(x) {}","status":"failing"}}}"#;
//! assert_eq!(parse_progress(ok).unwrap().exercises.len(), 1);
//! assert!(parse_progress(r#"{"format":"x"}"#).unwrap_err().to_string().contains("format"));
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` every progress file carries.
pub const FORMAT: &str = "tinytorch-lab-progress";
/// The schema version this build writes (version 1 files are read and upgraded).
pub const VERSION: u32 = 2;
/// The longest exercise source accepted, in characters.
pub const MAX_CODE: usize = 200_000;

/// Where an exercise stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseStatus {
    NotStarted,
    Failing,
    Passing,
    /// Passing, after the student opened the solution.
    PassingAfterSolution,
}

/// One function's unit checks in a run summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FunctionResult {
    pub name: String,
    pub status: String,
    pub passed: u32,
    pub total: u32,
}

/// One suite in a run summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SuiteResult {
    pub suite: String,
    pub passed: bool,
    #[serde(default)]
    pub failed: Vec<String>,
}

/// The last run of an exercise, summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RunSummary {
    pub at: String,
    pub passed: bool,
    #[serde(default)]
    pub functions: Vec<FunctionResult>,
    #[serde(default)]
    pub suites: Vec<SuiteResult>,
    #[serde(default)]
    pub duration_ms: f64,
    #[serde(default)]
    pub seed: u64,
}

/// One module's exercise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExerciseState {
    pub code: String,
    pub status: ExerciseStatus,
    #[serde(default)]
    pub solution_viewed: bool,
    /// Hints shown per function (0, 1 or 2).
    #[serde(default)]
    pub hints: BTreeMap<String, u8>,
    #[serde(default)]
    pub last_run: Option<RunSummary>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// Settings that travel with the progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Settings {
    /// Later modules and milestones use the exercises that passed.
    pub use_my_code: bool,
    /// A run's time limit in seconds.
    pub time_limit_s: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            use_my_code: true,
            time_limit_s: 10,
        }
    }
}

/// A progress file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Progress {
    pub format: String,
    pub version: u32,
    #[serde(default)]
    pub exported_at: Option<String>,
    /// By course module number ("1" … "9").
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseState>,
    #[serde(default)]
    pub settings: Settings,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Arg {
        op: "importProgress",
        msg: msg.into(),
    }
}

fn short(s: &str, what: &str, max: usize) -> Result<()> {
    if s.chars().count() > max {
        return Err(bad(format!("{what} is longer than {max} characters")));
    }
    Ok(())
}

/// Reads a progress file and checks every field; version 1 files (status only) are upgraded.
///
/// # Errors
/// If the text is not JSON, not a progress file, of an unknown version, or any field is out of
/// range (a module that has no exercise, a status that does not exist, code over 200,000
/// characters, an unknown key).
pub fn parse_progress(text: &str) -> Result<Progress> {
    if text.len() > 4 * MAX_CODE * 9 {
        return Err(bad(format!(
            "the file is {} bytes, more than a progress file can be",
            text.len()
        )));
    }
    let raw: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let format = raw.get("format").and_then(|f| f.as_str());
    if format != Some(FORMAT) {
        return Err(bad(format!(
            "not a TinyTorch Lab progress file: its format is {}, expected \"{FORMAT}\"",
            format.map_or("missing".to_string(), |f| format!("\"{f}\""))
        )));
    }
    match raw.get("version").and_then(|v| v.as_u64()) {
        Some(1) | Some(2) => {}
        Some(v) => {
            return Err(bad(format!(
                "version {v} is newer than this lab reads (up to {VERSION})"
            )))
        }
        None => return Err(bad("the version is missing")),
    }
    let mut p: Progress = serde_json::from_value(raw).map_err(|e| bad(format!("{e}")))?;
    p.version = VERSION;
    if let Some(at) = &p.exported_at {
        short(at, "exportedAt", 40)?;
    }
    if !(1..=600).contains(&p.settings.time_limit_s) {
        return Err(bad(format!(
            "settings.timeLimitS must be between 1 and 600 seconds, got {}",
            p.settings.time_limit_s
        )));
    }
    for (m, e) in &p.exercises {
        let n: u32 = m
            .parse()
            .map_err(|_| bad(format!("exercise key '{m}' is not a module number")))?;
        if !super::MODULES.contains(&n) || m != &n.to_string() {
            return Err(bad(format!(
                "module {m} has no exercise (modules 1 to 9 do)"
            )));
        }
        if e.code.chars().count() > MAX_CODE {
            return Err(bad(format!(
                "the code of module {m} is longer than {MAX_CODE} characters"
            )));
        }
        for (f, shown) in &e.hints {
            short(f, "a hint's function name", 64)?;
            if *shown > 2 {
                return Err(bad(format!(
                    "module {m}: hints shown for {f} must be 0, 1 or 2, got {shown}"
                )));
            }
        }
        if let Some(r) = &e.last_run {
            short(&r.at, "lastRun.at", 40)?;
            if r.functions.len() > 64 || r.suites.len() > 64 {
                return Err(bad(format!(
                    "module {m}: the last run lists too many functions or suites"
                )));
            }
            for f in &r.functions {
                short(&f.name, "a function name", 64)?;
                short(&f.status, "a function status", 16)?;
            }
            for s in &r.suites {
                short(&s.suite, "a suite name", 64)?;
                if s.failed.len() > 64 || s.failed.iter().any(|c| c.chars().count() > 64) {
                    return Err(bad(format!(
                        "module {m}: suite {} lists too many or too long failed cases",
                        s.suite
                    )));
                }
            }
        }
        if let Some(at) = &e.updated_at {
            short(at, "updatedAt", 40)?;
        }
    }
    Ok(p)
}
