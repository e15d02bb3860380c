//! Scenario `tinygpt` (milestone 05): a character GPT trained from a seed on the project's
//! corpus; the loss falls by ≥ 60% and greedy decoding answers held-out prompts (≥ 90% exact
//! match on reversal; the other tasks' accuracy reported).

use super::ctx::{check, Ctx};
use super::nlp::check_gpt;
use crate::error::Result;
use crate::milestones::tinygpt::{train_gpt, GptTrainConfig};
use crate::tensor::Tensor;
use crate::text::corpus::generate;
use crate::text::CharTokenizer;

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    ctx.case(
        "layers_check",
        "The GPT's per-layer gradients match the numerical ones on corpus text before training.",
        |ctx, c| {
            ctx.reseed(1);
            let corpus = generate(ctx.seed);
            let tok = CharTokenizer::from_corpus(&corpus.alphabet());
            let gpt = check_gpt(tok.vocab_size())?;
            ctx.prepare(&gpt);
            let line: String = corpus.train.iter().take(4).map(|e| e.line()).collect();
            let ids: Vec<f32> = tok
                .encode(&line)
                .iter()
                .take(17)
                .map(|&i| i as f32)
                .collect();
            let x = Tensor::from_vec(ids[..16].to_vec(), &[1, 16])?;
            let y = Tensor::from_vec(ids[1..17].to_vec(), &[1, 16])?;
            ctx.check_token_layers(c, &gpt, &x, &y)?;
            Ok(())
        },
    );
    // Quick mode (a smoke test) trains 40 steps and scores 10 prompts per task: over 12 seeds
    // the loss fell by at least 52 % in 40 steps, so it must fall by 40 %; answering needs the
    // full run (700 steps, reversal held to 90 %), so quick mode only reports the accuracies.
    let (cfg, need_drop, need_rev) = if ctx.quick {
        (GptTrainConfig::quick(ctx.seed), 0.4, None)
    } else {
        (GptTrainConfig::standard(ctx.seed), 0.6, Some(0.9))
    };
    let scored = match need_rev {
        Some(r) => format!("greedy decoding answers ≥ {:.0}% of held-out reversal prompts exactly (sorting, addition and copying are reported)", r * 100.0),
        None => format!("greedy decoding of {} held-out prompts per task is reported", cfg.eval_per_task),
    };
    let desc = format!(
        "TinyGPT (d={}, {} layers, {} heads, context {}) trains {} steps of {} corpus lines (Adam lr {}): the loss falls by ≥ {:.0}%, and {scored}.",
        cfg.dim, cfg.layers, cfg.heads, cfg.max_len, cfg.steps, cfg.batch_size, cfg.lr, need_drop * 100.0
    );
    let name = if ctx.quick {
        "trains_and_answers_quick"
    } else {
        "trains_and_answers"
    };
    ctx.case(name, &desc, |ctx, c| {
        let fault = ctx.fault;
        let (_, _, run) = train_gpt(
            &cfg,
            &mut |m| {
                if let Some(f) = fault {
                    let _ = crate::nn::inject_fault(m, f.layer, f.kind);
                }
            },
            50,
            &mut |_, _| true,
        )?;
        c.curve = run.loss_curve.clone();
        let drop = 1.0 - run.final_loss / run.first_loss;
        c.metrics.insert("loss_drop".into(), drop as f64);
        c.metrics.insert("train_ms".into(), run.train_ms);
        c.metrics
            .insert("tokens_per_sec".into(), run.tokens_per_sec);
        c.metrics.insert("parameters".into(), run.parameters as f64);
        for (task, s) in &run.scores {
            c.metrics
                .insert(format!("{task}_accuracy"), s.accuracy() as f64);
        }
        let rev = run
            .scores
            .get("reverse")
            .map(|s| s.accuracy())
            .unwrap_or(0.0);
        let per_task: Vec<String> = run
            .scores
            .iter()
            .map(|(t, s)| format!("{t} {}/{}", s.correct, s.total))
            .collect();
        check!(
            drop >= need_drop,
            "loss fell {:.1}% ({:.3} → {:.3}); expected ≥ {:.0}%",
            drop * 100.0,
            run.first_loss,
            run.final_loss,
            need_drop * 100.0
        );
        if let Some(need) = need_rev {
            check!(
                rev >= need,
                "held-out reversal exact match {:.1}% (need ≥ {:.0}%); {}",
                rev * 100.0,
                need * 100.0,
                per_task.join(", ")
            );
        }
        c.message = format!(
            "loss {:.3} → {:.3} ({:.0}% lower); held-out exact match: {}; {:.1} s",
            run.first_loss,
            run.final_loss,
            drop * 100.0,
            per_task.join(", "),
            run.train_ms / 1000.0
        );
        Ok(())
    });
    Ok(())
}
