//! The context a suite runs in: seeds, the planted fault, case bookkeeping, and the shared
//! per-layer gradient check every model-building case ends with.

use super::report::{CaseReport, FaultSpec};
use super::SuiteOptions;
use crate::error::Error;
use crate::gradcheck::{gradcheck, GradcheckOptions};
use crate::loss::Loss;
use crate::nn::{flatten_layers, inject_fault, Module};
use crate::tensor::Tensor;

/// Why a case failed, in words.
#[derive(Debug)]
pub struct CaseFail(pub String);

impl From<Error> for CaseFail {
    fn from(e: Error) -> Self {
        CaseFail(e.to_string())
    }
}

/// A tensor's gradient as a vector, or a case failure saying it is missing (a planted fault
/// can legitimately remove it; a suite must report that, never panic).
pub fn grad_vec(t: &crate::tensor::Tensor, what: &str) -> Result<Vec<f32>, CaseFail> {
    t.grad()
        .map(|g| g.to_vec())
        .ok_or_else(|| CaseFail(format!("{what} has no gradient: the chain is broken")))
}

/// What a case body returns.
pub type CaseResult = std::result::Result<(), CaseFail>;

/// Fails the case with a formatted message unless the condition holds.
macro_rules! check {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            return Err($crate::suites::ctx::CaseFail(format!($($arg)*)));
        }
    };
}
pub(crate) use check;

/// A running suite.
pub struct Ctx<'a> {
    pub seed: u64,
    pub fault: Option<FaultSpec>,
    planted: bool,
    cases: Vec<CaseReport>,
    progress: &'a mut dyn FnMut(usize, &CaseReport),
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        opts: SuiteOptions,
        progress: &'a mut dyn FnMut(usize, &CaseReport),
    ) -> Ctx<'a> {
        Ctx {
            seed: opts.seed,
            fault: opts.fault,
            planted: false,
            cases: Vec::new(),
            progress,
        }
    }

    /// Seeds the global generator for one case, so cases do not depend on each other.
    pub fn reseed(&self, case: u64) {
        crate::manual_seed(self.seed.wrapping_mul(1_000_003).wrapping_add(case));
    }

    /// Plants the suite's fault in `model` when it has that layer.
    pub fn prepare(&mut self, model: &dyn Module) {
        if let Some(f) = self.fault {
            if f.layer < flatten_layers(model).len() {
                inject_fault(model, f.layer, f.kind).expect("index checked");
                self.planted = true;
            }
        }
    }

    /// Runs one case and records it.
    pub fn case(
        &mut self,
        name: &str,
        description: &str,
        body: impl FnOnce(&mut Ctx<'a>, &mut CaseReport) -> CaseResult,
    ) {
        let mut c = CaseReport {
            name: name.into(),
            description: description.into(),
            ..Default::default()
        };
        crate::slots::clear_pending();
        let (outcome, used) = crate::slots::recording_usage(|| body(self, &mut c));
        // A student's op that failed where nothing checked fails the case here.
        let outcome = outcome.and_then(|()| crate::slots::raise_pending().map_err(CaseFail::from));
        crate::slots::clear_pending();
        let mut yours: Vec<crate::slots::Slot> = used.into_values().flatten().collect();
        yours.sort_unstable();
        yours.dedup();
        c.your_code = yours.into_iter().map(|s| s.js_name().to_string()).collect();
        match outcome {
            Ok(()) => {
                c.passed = true;
                if c.message.is_empty() {
                    c.message = "ok".into();
                }
            }
            Err(CaseFail(msg)) => {
                c.passed = false;
                c.message = msg;
            }
        }
        (self.progress)(self.cases.len() + 1, &c);
        self.cases.push(c);
    }

    /// The per-layer gradient check of `model` at `(x, y)`; fails the case (naming the
    /// culprit layer) unless every layer passes.
    pub fn check_layers(
        &self,
        c: &mut CaseReport,
        model: &dyn Module,
        x: &Tensor,
        y: &Tensor,
        loss: Loss,
    ) -> CaseResult {
        self.gradcheck_case(c, model, x, y, loss, true).map(|_| ())
    }

    /// [`Ctx::check_layers`] for a model whose input is token ids (an embedding first): ids
    /// have no gradient, so only the layers' parameters are checked. Returns how many layers
    /// the report names.
    pub fn check_token_layers(
        &self,
        c: &mut CaseReport,
        model: &dyn Module,
        ids: &Tensor,
        y: &Tensor,
    ) -> std::result::Result<usize, CaseFail> {
        self.gradcheck_case(c, model, ids, y, Loss::CrossEntropy, false)
    }

    /// Runs the check, records it in `c`; returns how many layers the report names.
    fn gradcheck_case(
        &self,
        c: &mut CaseReport,
        model: &dyn Module,
        x: &Tensor,
        y: &Tensor,
        loss: Loss,
        input_grad: bool,
    ) -> std::result::Result<usize, CaseFail> {
        let opts = GradcheckOptions {
            seed: self.seed,
            input_grad,
            ..GradcheckOptions::default()
        };
        let r = gradcheck(model, x, y, loss, &opts)?;
        c.layer = r.culprit;
        let (passed, summary, layers) = (r.passed, r.summary.clone(), r.layers.len());
        c.gradcheck = Some(r);
        check!(passed, "{summary}");
        Ok(layers)
    }

    pub(crate) fn finish(self) -> Vec<CaseReport> {
        let mut cases = self.cases;
        if let (Some(f), false) = (self.fault, self.planted) {
            cases.push(CaseReport {
                name: "fault_planted".into(),
                description: "The requested fault was planted in some model of this suite.".into(),
                passed: false,
                message: format!("no model in this suite has a layer {}", f.layer),
                ..Default::default()
            });
        }
        cases
    }
}
