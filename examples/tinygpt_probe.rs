//! Trains the TinyGPT milestone natively with overrides (`-- SEED STEPS DIM LR BATCH`) and
//! prints the loss curve, task scores and samples.
use tinytorch::milestones::tinygpt::*;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let mut cfg = GptTrainConfig::standard(a.get(1).map(|s| s.parse().unwrap()).unwrap_or(0));
    if let Some(s) = a.get(2) {
        cfg.steps = s.parse().unwrap();
    }
    if let Some(d) = a.get(3) {
        cfg.dim = d.parse().unwrap();
    }
    if let Some(l) = a.get(4) {
        cfg.lr = l.parse().unwrap();
    }
    if let Some(l) = a.get(5) {
        cfg.batch_size = l.parse().unwrap();
    }
    let (_gpt, _tok, run) = train_gpt(&cfg, &mut |_| {}, 100, &mut |s, l| {
        println!("step {s}: loss {l:.4}");
        true
    })
    .unwrap();
    println!(
        "params {} vocab {} time {:.1}s tokens/s {:.0} loss {:.3}→{:.3}",
        run.parameters,
        run.vocab,
        run.train_ms / 1000.0,
        run.tokens_per_sec,
        run.first_loss,
        run.final_loss
    );
    for (t, s) in &run.scores {
        println!(
            "  {t}: {}/{} = {:.1}%",
            s.correct,
            s.total,
            s.accuracy() * 100.0
        );
    }
    for (p, o, e) in &run.samples {
        println!("  {p}{o}  (want {e})");
    }
}

#[allow(dead_code)]
fn _unused() {}
