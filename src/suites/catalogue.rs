//! The suite catalogue: one entry per suite, with what the tests and the pages need to know
//! about it (its course modules, whether it is fast, the layers a fault sweep plants into). A
//! suite's case names and count are not typed here: [`super::list_suites`] reads them from a
//! listing run of the suite itself, so they cannot drift.

use super::ctx::Ctx;
use super::{
    acceleration, api_compatibility, benchmarking, capstone, cnn, compression, dataloader, digits,
    gradient_flow, memoization, nlp, profiling, quantization, tinygpt, training_flow, xor,
};
use crate::error::Result;

pub(super) type Runner = fn(&mut Ctx) -> Result<()>;

/// A suite as the catalogue states it.
pub(super) struct Entry {
    pub name: &'static str,
    /// `critical`, `standard`, `scenario` or `systems`.
    pub category: &'static str,
    pub modules: Vec<u32>,
    pub description: &'static str,
    /// Runs in well under a second natively (tests sweep it over many seeds; exercise pages run
    /// it by default); the others train for seconds.
    pub fast: bool,
    /// Layers of the suite's models that fault sweeps plant into (natively and in the
    /// browser): every layer for the cheap suites; for training scenarios a few chosen to
    /// cover each kind of layer the models have (a conv, a pool, the head…).
    pub fault_layers: &'static [usize],
    pub run: Runner,
}

pub(super) fn catalogue() -> Vec<Entry> {
    vec![
        Entry {
            name: "gradient_flow",
            category: "critical",
            modules: (1..=8).collect(),
            description: "Gradients exist, are non-zero, match the numerical gradient and \
                              flow through every layer; training lowers the loss.",
            fast: true,
            fault_layers: &[0, 1, 2, 3, 9],
            run: gradient_flow::run,
        },
        Entry {
            name: "training_flow",
            category: "critical",
            modules: vec![5, 6, 7],
            description: "The loss falls; accumulation equals a big batch; zero_grad, every \
                              optimizer, the schedule, clipping and checkpoints do what they say.",
            fast: true,
            fault_layers: &[0, 1, 2, 3],
            run: training_flow::run,
        },
        Entry {
            name: "dataloader_integration",
            category: "standard",
            modules: vec![3, 4, 5, 6, 7, 8],
            description: "Every sample once per epoch, partial last batch, seeded shuffles, \
                              and training from a DataLoader converges.",
            fast: true,
            fault_layers: &[0, 1, 2],
            run: dataloader::run,
        },
        Entry {
            name: "cnn_integration",
            category: "critical",
            modules: vec![9],
            description: "Gradients reach every conv, pool, norm and linear parameter through \
                              Flatten and match the numerical ones; cross-correlation, pooling, \
                              BatchNorm train/eval, shapes; training lowers the loss.",
            fast: true,
            fault_layers: &[0, 1, 2, 3, 4, 5, 6, 7, 8],
            run: cnn::run,
        },
        Entry {
            name: "api_compatibility",
            category: "standard",
            modules: (1..=20).collect(),
            description: "The public API as the course teaches it, module by module: documented \
                              names, signatures, defaults and example values hold (a table of \
                              them, each citing where it is documented); an MLP and a CNN pass \
                              the per-layer gradient check.",
            fast: true,
            fault_layers: &[0, 1, 2, 3, 4, 5],
            run: api_compatibility::run,
        },
        Entry {
            name: "xor",
            category: "scenario",
            modules: vec![2, 3, 4, 6],
            description: "The 1986 lesson: a two-layer network learns XOR to 100% accuracy.",
            fast: true,
            fault_layers: &[0, 1, 2, 3],
            run: xor::run,
        },
        Entry {
            name: "digits_mlp",
            category: "scenario",
            modules: vec![7, 8],
            description: "Milestone 1986: an MLP learns the UCI handwritten digits to ≥ 95% \
                              held-out accuracy.",
            fast: false,
            fault_layers: &[1, 3],
            run: digits::run_mlp,
        },
        Entry {
            name: "digits_cnn",
            category: "scenario",
            modules: vec![9],
            description: "Milestone 1998: a small CNN learns the UCI handwritten digits to \
                              ≥ 97% held-out accuracy.",
            fast: false,
            fault_layers: &[0, 2, 7],
            run: digits::run_cnn,
        },
        Entry {
            name: "nlp_pipeline_flow",
            category: "critical",
            modules: vec![10, 11, 12, 13],
            description: "Tokenize → embed → attention → transformer → loss: gradients reach \
                              every parameter; sparse embedding gradients; attention weights are \
                              probabilities; masking by hand; a per-layer check through a GPT.",
            fast: false,
            fault_layers: &[3, 4, 5, 6, 10, 12, 13, 26, 27],
            run: nlp::run,
        },
        Entry {
            name: "tinygpt",
            category: "scenario",
            modules: vec![10, 13],
            description: "Milestone 2017: a character GPT trains on the project's corpus and \
                              answers held-out prompts (≥ 90% exact on reversal).",
            fast: false,
            fault_layers: &[4],
            run: tinygpt::run,
        },
        Entry {
            name: "profiling_integration",
            category: "systems",
            modules: vec![14],
            description: "Profiling a training step changes no loss or gradient bit; FLOP and \
                              parameter counts equal hand counts; memory from the real tensors.",
            fast: true,
            fault_layers: &[0, 2, 4],
            run: profiling::run,
        },
        Entry {
            name: "quantization_integration",
            category: "systems",
            modules: vec![15],
            description: "int8 round trips within half a step; exact int8 GEMM; calibration \
                              is used; a quantized digits CNN within 1 point and ≥ 3.5× smaller.",
            fast: false,
            fault_layers: &[0, 7],
            run: quantization::run,
        },
        Entry {
            name: "compression_integration",
            category: "systems",
            modules: vec![16],
            description: "50%-pruned digits model keeps training with pruned weights exactly \
                              zero, within 2 points; structured and low-rank shrink layers; a \
                              distilled student under half the size learns from its teacher.",
            fast: false,
            fault_layers: &[1, 3],
            run: compression::run,
        },
        Entry {
            name: "memoization_integration",
            category: "systems",
            modules: vec![17],
            description: "KV-cached generation emits the same tokens as uncached generation, \
                              logits within 1e-5 at every step; the speedup is measured.",
            fast: false,
            fault_layers: &[3, 4, 10],
            run: memoization::run,
        },
        Entry {
            name: "acceleration_integration",
            category: "systems",
            modules: vec![18],
            description: "Every matmul kernel equals the naive one within 1e-5 on random, odd \
                              and tiny shapes; fused bias+GELU equals the unfused chain.",
            fast: true,
            fault_layers: &[0, 1, 2],
            run: acceleration::run,
        },
        Entry {
            name: "benchmarking_integration",
            category: "systems",
            modules: vec![19],
            description: "Statistics and timing are right; model comparisons measure accuracy \
                              (never invent it); the Pareto front keeps the non-dominated models.",
            fast: true,
            fault_layers: &[0, 2],
            run: benchmarking::run,
        },
        Entry {
            name: "capstone",
            category: "systems",
            modules: vec![20],
            description: "Distil, prune and quantize a digits model; the measured submission \
                              validates against its schema, and bad reports are rejected.",
            fast: false,
            fault_layers: &[1, 3],
            run: capstone::run,
        },
    ]
}
