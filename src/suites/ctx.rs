//! The context a suite runs in: seeds, the planted fault (and whether it took effect), case
//! bookkeeping, and the shared per-layer gradient check every model-building case ends with.

use super::report::{CaseReport, FaultSpec};
use super::SuiteOptions;
use crate::error::Error;
use crate::gradcheck::{gradcheck, GradcheckOptions};
use crate::nn::loss::Loss;
use crate::nn::{flatten_layers, inject_fault, FaultKind, Module};
use crate::tensor::Tensor;
use std::cell::Cell;
use std::rc::Rc;

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

/// One layer the suite's fault was planted in: its type and the counter of the times the
/// fault took effect (kept after the model is gone).
struct Planted {
    layer_name: &'static str,
    /// A `zero_grad` fault then acts on the parameters' gradients, not on what flows down.
    has_params: bool,
    hits: Rc<Cell<u64>>,
}

/// A running suite.
pub struct Ctx<'a> {
    pub seed: u64,
    pub fault: Option<FaultSpec>,
    /// Quick mode: cases run their cheap form (see [`super::SuiteOptions::quick`]).
    pub quick: bool,
    planted: Vec<Planted>,
    cases: Vec<CaseReport>,
    /// A listing run: cases are recorded by name and their bodies skipped.
    listing: bool,
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
            quick: opts.quick,
            planted: Vec::new(),
            cases: Vec::new(),
            listing: false,
            progress,
        }
    }

    /// A context that records each case's name and description without running it.
    pub(crate) fn listing(
        opts: SuiteOptions,
        progress: &'a mut dyn FnMut(usize, &CaseReport),
    ) -> Ctx<'a> {
        Ctx {
            listing: true,
            ..Ctx::new(opts, progress)
        }
    }

    /// Seeds the global generator for one case, so cases do not depend on each other.
    pub fn reseed(&self, case: u64) {
        crate::manual_seed(self.seed.wrapping_mul(1_000_003).wrapping_add(case));
    }

    /// Plants the suite's fault in `model` when it has that layer.
    pub fn prepare(&mut self, model: &dyn Module) {
        let Some(f) = self.fault else { return };
        let layers = flatten_layers(model);
        let Some(info) = layers.get(f.layer) else {
            return;
        };
        // The index was just found, so injecting cannot fail; were it to, the fault is simply
        // not planted here and `finish` says so.
        if inject_fault(model, f.layer, f.kind).is_ok() {
            self.planted.push(Planted {
                layer_name: info.module.kind(),
                has_params: !info.module.own_parameters().is_empty(),
                hits: info.module.site().fault_hits(),
            });
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
        if self.listing {
            self.cases.push(c);
            return;
        }
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
        if !r.passed {
            c.detail = Some(super::detail::Detail::from_gradcheck(model, x, y, &r));
        }
        let (passed, summary, layers) = (r.passed, r.summary.clone(), r.model_layers().count());
        c.gradcheck = Some(r);
        check!(passed, "{summary}");
        Ok(layers)
    }

    /// The recorded cases, plus a failing one when the requested fault was never planted
    /// (no model has that layer) or never took effect in any model it was planted in: a
    /// suite that passes with such a fault proves nothing about it.
    pub(crate) fn finish(self) -> Vec<CaseReport> {
        let mut cases = self.cases;
        let Some(f) = self.fault else {
            return cases;
        };
        if self.planted.is_empty() {
            cases.push(CaseReport {
                name: "fault_planted".into(),
                description: "The requested fault was planted in some model of this suite.".into(),
                passed: false,
                message: format!("no model in this suite has a layer {}", f.layer),
                ..Default::default()
            });
        } else if self.planted.iter().all(|p| p.hits.get() == 0) {
            cases.push(CaseReport {
                name: "fault_applied".into(),
                description: "The planted fault took effect in some model of this suite.".into(),
                passed: false,
                message: not_applied(f, &self.planted),
                ..Default::default()
            });
        }
        cases
    }
}

/// Why a planted fault changed nothing, in words.
fn not_applied(f: FaultSpec, planted: &[Planted]) -> String {
    let mut names: Vec<&str> = planted.iter().map(|p| p.layer_name).collect();
    names.sort_unstable();
    names.dedup();
    let models = match planted.len() {
        1 => "the model".to_string(),
        n => format!("any of the {n} models"),
    };
    let what = if f.kind == FaultKind::ZeroGrad && planted.iter().all(|p| p.has_params) {
        "no gradient was ever stored into that layer's parameters"
    } else {
        "no gradient ever flowed back through that layer"
    };
    format!(
        "the fault {} planted in layer {} ({}) never took effect: in {models} it was planted \
         in, {what} (it never ran while gradients were recorded, or nothing that reaches a loss \
         depends on it), so no check of this suite could have seen it",
        f.kind.name(),
        f.layer,
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Linear, ReLU, Sequential};
    use crate::suites::SuiteOptions;

    /// Runs one case on a Linear+ReLU model with `kind` planted in `layer`; `backward` says
    /// whether the case differentiates through the model.
    fn run(layer: usize, kind: FaultKind, backward: bool) -> Vec<CaseReport> {
        let opts = SuiteOptions::new(0, Some(FaultSpec { layer, kind }));
        let mut progress = |_: usize, _: &CaseReport| {};
        let mut ctx = Ctx::new(opts, &mut progress);
        ctx.case("forward", "", |ctx, _| {
            let m = Sequential::new(vec![
                Linear::new(3, 2, true).into_layer(),
                ReLU::new().into_layer(),
            ]);
            ctx.prepare(&m);
            let y = m.call(&Tensor::ones(&[4, 3]))?.sum();
            if backward {
                y.backward()?;
            }
            Ok(())
        });
        ctx.finish()
    }

    fn applied_case(cases: &[CaseReport]) -> Option<&CaseReport> {
        cases.iter().find(|c| c.name == "fault_applied")
    }

    #[test]
    fn a_fault_that_never_took_effect_fails_the_suite_and_says_so() {
        let cases = run(1, FaultKind::ZeroGrad, false);
        let c = applied_case(&cases).expect("a fault_applied case");
        assert!(!c.passed);
        assert!(
            c.message
                .starts_with("the fault zero_grad planted in layer 1 (ReLU) never took effect"),
            "{}",
            c.message
        );
        let cases = run(0, FaultKind::ZeroGrad, false);
        let msg = &applied_case(&cases).expect("a fault_applied case").message;
        assert!(
            msg.contains("(Linear)") && msg.contains("parameters"),
            "{msg}"
        );
    }

    #[test]
    fn every_fault_kind_that_took_effect_adds_no_case() {
        for kind in FaultKind::ALL {
            for layer in [0, 1] {
                let cases = run(layer, kind, true);
                assert!(applied_case(&cases).is_none(), "{kind:?} at {layer}");
            }
        }
    }
}

/// Compares `received` with `expected` (same shape, within `tol`); on a mismatch fails the case
/// with `what` and records the long form (both tensors, the first differences).
pub fn check_values(
    c: &mut CaseReport,
    what: &str,
    expected: &Tensor,
    received: &Tensor,
    tol: f32,
) -> CaseResult {
    let (e, r) = (expected.to_vec(), received.to_vec());
    let same_shape = expected.shape() == received.shape();
    if same_shape && e.iter().zip(&r).all(|(a, b)| (a - b).abs() <= tol) {
        return Ok(());
    }
    let shape = expected.shape();
    c.detail = Some(super::detail::Detail::from_values(
        what, &shape, &e, &r, tol,
    ));
    if !same_shape {
        return Err(CaseFail(format!(
            "{what}: received shape {:?}, expected {shape:?}",
            received.shape()
        )));
    }
    let first = c
        .detail
        .as_ref()
        .and_then(|d| d.differences.first())
        .map(|d| {
            format!(
                " (first at {:?}: expected {}, received {})",
                d.index, d.expected, d.received
            )
        })
        .unwrap_or_default();
    Err(CaseFail(format!(
        "{what}: received {r:?} where {e:?} was expected{first}"
    )))
}
