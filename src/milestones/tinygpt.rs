//! TinyGPT (milestone 05): a character-level GPT trained on the project's corpus, evaluated by
//! greedy decoding on held-out prompts of the checkable tasks.

use crate::error::Result;
use crate::nn::loss::cross_entropy;
use crate::nn::{call, GenerateOptions, GptConfig, Module, GPT};
use crate::optim::{Adam, Optimizer};
use crate::rng::Rng;
use crate::tensor::Tensor;
use crate::text::corpus::{generate, Corpus, Example, Task};
use crate::text::CharTokenizer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Settings of a TinyGPT run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GptTrainConfig {
    pub dim: usize,
    pub layers: usize,
    pub heads: usize,
    pub max_len: usize,
    pub steps: usize,
    pub batch_size: usize,
    pub lr: f32,
    pub seed: u64,
    /// Held-out prompts scored per task after training (0: all of them).
    #[serde(default)]
    pub eval_per_task: usize,
}

impl GptTrainConfig {
    /// The configuration the `tinygpt` scenario trains.
    pub fn standard(seed: u64) -> GptTrainConfig {
        GptTrainConfig {
            dim: 32,
            layers: 2,
            heads: 4,
            max_len: 48,
            steps: 700,
            batch_size: 32,
            lr: 8e-3,
            seed,
            eval_per_task: 0,
        }
    }

    /// The quick form (the suites' quick mode): 40 steps, 10 held-out prompts per task.
    pub fn quick(seed: u64) -> GptTrainConfig {
        GptTrainConfig {
            steps: 40,
            eval_per_task: 10,
            ..GptTrainConfig::standard(seed)
        }
    }
}

/// Held-out accuracy of one task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskScore {
    pub correct: usize,
    pub total: usize,
}

impl TaskScore {
    /// correct / total (0 when empty).
    pub fn accuracy(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f32 / self.total as f32
        }
    }
}

/// What a TinyGPT run produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GptRun {
    pub config: GptTrainConfig,
    pub parameters: usize,
    pub vocab: usize,
    /// Mean training loss of each block of `eval_every` steps.
    pub loss_curve: Vec<f32>,
    pub first_loss: f32,
    pub final_loss: f32,
    pub train_ms: f64,
    pub tokens_per_sec: f64,
    pub scores: BTreeMap<String, TaskScore>,
    /// A few held-out prompts with the model's answer and the expected one.
    pub samples: Vec<(String, String, String)>,
}

/// One training batch: line-aligned sequences, targets inside the prompt ignored (−1) so the
/// loss is about answering; dialogue lines are learned whole.
fn batch(
    lines: &[&Example],
    tok: &CharTokenizer,
    max_len: usize,
) -> Result<(Tensor, Tensor, usize)> {
    let seqs: Vec<(Vec<usize>, usize)> = lines
        .iter()
        .map(|e| {
            let ids = tok.encode(&e.line());
            let keep_from = if e.task == Task::Dialogue {
                0
            } else {
                e.prompt.chars().count() - 1
            };
            (ids[..ids.len().min(max_len + 1)].to_vec(), keep_from)
        })
        .collect();
    let s = seqs.iter().map(|(ids, _)| ids.len() - 1).max().unwrap_or(1);
    let pad = tok.encode("\n")[0];
    let (mut x, mut y, mut tokens) = (Vec::new(), Vec::new(), 0);
    for (ids, keep_from) in &seqs {
        for p in 0..s {
            x.push(*ids.get(p).unwrap_or(&pad) as f32);
            let t = if p + 1 < ids.len() && p >= *keep_from {
                ids[p + 1] as f32
            } else {
                -1.0
            };
            tokens += (t >= 0.0) as usize;
            y.push(t);
        }
    }
    let b = seqs.len();
    Ok((
        Tensor::from_vec(x, &[b, s])?,
        Tensor::from_vec(y, &[b, s])?,
        tokens,
    ))
}

/// Greedy answers to `examples` (decoding stops at a newline), scored per task.
///
/// # Errors
/// If generation fails (it cannot for valid prompts).
/// `limit` (0: no limit) caps the prompts scored per task.
pub fn evaluate_tasks(
    gpt: &GPT,
    tok: &CharTokenizer,
    examples: &[Example],
    limit: usize,
    samples: &mut Vec<(String, String, String)>,
) -> Result<BTreeMap<String, TaskScore>> {
    let nl = tok.encode("\n")[0];
    let opts = GenerateOptions {
        max_new_tokens: 8,
        temperature: 0.0,
        top_k: None,
        seed: 0,
        stop: Some(nl),
    };
    let mut scores: BTreeMap<String, TaskScore> = BTreeMap::new();
    for e in examples.iter().filter(|e| e.task != Task::Dialogue) {
        let task = format!("{:?}", e.task).to_lowercase();
        if limit > 0 && scores.get(&task).is_some_and(|s| s.total >= limit) {
            continue;
        }
        let out = gpt.generate(&tok.encode(&e.prompt), &opts, &mut |_| true)?;
        let text = tok.decode(&out)?;
        let answer = text.strip_suffix('\n').unwrap_or(&text).to_string();
        let s = scores
            .entry(format!("{:?}", e.task).to_lowercase())
            .or_default();
        s.total += 1;
        s.correct += (answer == e.answer) as usize;
        if samples.len() < 12 && s.total <= 3 {
            samples.push((e.prompt.clone(), answer, e.answer.clone()));
        }
    }
    Ok(scores)
}

/// Trains TinyGPT on the corpus of `cfg.seed`, calling `on_progress(step, mean_loss)` every
/// `eval_every` steps (return `false` to stop), then scores the held-out test prompts.
///
/// # Errors
/// If a training step fails.
pub fn train_gpt(
    cfg: &GptTrainConfig,
    prepare: &mut dyn FnMut(&dyn Module),
    eval_every: usize,
    on_progress: &mut dyn FnMut(usize, f32) -> bool,
) -> Result<(GPT, CharTokenizer, GptRun)> {
    let corpus: Corpus = generate(cfg.seed);
    let tok = CharTokenizer::from_corpus(&corpus.alphabet());
    crate::manual_seed(cfg.seed);
    let gcfg = GptConfig {
        vocab: tok.vocab_size(),
        dim: cfg.dim,
        layers: cfg.layers,
        heads: cfg.heads,
        max_len: cfg.max_len,
        mlp_ratio: 4,
    };
    let gpt = GPT::new(gcfg)?;
    prepare(&gpt);
    let mut opt = Adam::new(gpt.parameters(), cfg.lr)?;
    let mut rng = Rng::new(cfg.seed ^ 0xba7c4);
    // Dialogue lines are three times longer than task lines; mixing them would pad every batch
    // to their length, so each batch is drawn from one kind (dialogue in proportion to its size).
    let (dialogue, tasks): (Vec<&Example>, Vec<&Example>) =
        corpus.train.iter().partition(|e| e.task == Task::Dialogue);
    // Half of the task lines are reversals (the task the milestone is judged on); the other
    // tasks share the rest in proportion to their size.
    let (reversals, others): (Vec<&Example>, Vec<&Example>) =
        tasks.iter().partition(|e| e.task == Task::Reverse);
    let (mut curve, mut window, mut first, mut tokens) = (Vec::new(), Vec::new(), None, 0usize);
    let t0 = crate::clock::now_ms();
    for step in 0..cfg.steps {
        let lines: Vec<&Example> = if rng.below(corpus.train.len()) < dialogue.len() {
            (0..cfg.batch_size)
                .map(|_| dialogue[rng.below(dialogue.len())])
                .collect()
        } else {
            (0..cfg.batch_size)
                .map(|_| {
                    let pool = if rng.below(2) == 0 {
                        &reversals
                    } else {
                        &others
                    };
                    pool[rng.below(pool.len())]
                })
                .collect()
        };
        let (x, y, n) = batch(&lines, &tok, cfg.max_len)?;
        tokens += n;
        let loss = cross_entropy(&call(&gpt, &x)?, &y)?;
        let v = loss.item()?;
        first.get_or_insert(v);
        window.push(v);
        opt.zero_grad();
        loss.backward()?;
        // Cosine decay to a tenth of the peak: late steps refine instead of bouncing around.
        let t = step as f64 / cfg.steps.max(1) as f64;
        opt.set_lr(cfg.lr * (0.1 + 0.9 * (1.0 + libm::cos(std::f64::consts::PI * t)) / 2.0) as f32);
        opt.step()?;
        if window.len() == eval_every || step + 1 == cfg.steps {
            let m = window.iter().sum::<f32>() / window.len() as f32;
            curve.push(m);
            window.clear();
            if !on_progress(step + 1, m) {
                break;
            }
        }
    }
    let train_ms = crate::clock::now_ms() - t0;
    let mut samples = Vec::new();
    let scores = evaluate_tasks(&gpt, &tok, &corpus.test, cfg.eval_per_task, &mut samples)?;
    let run = GptRun {
        config: *cfg,
        parameters: gpt.num_parameters(),
        vocab: tok.vocab_size(),
        first_loss: first.unwrap_or(0.0),
        final_loss: *curve.last().unwrap_or(&0.0),
        loss_curve: curve,
        train_ms,
        tokens_per_sec: tokens as f64 / (train_ms / 1000.0).max(1e-9),
        scores,
        samples,
    };
    Ok((gpt, tok, run))
}
