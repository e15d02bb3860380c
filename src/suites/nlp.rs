//! `nlp_pipeline_flow` (modules 10-13): tokenize → embed → attention → transformer → logits →
//! loss, with gradients reaching every parameter (both embedding tables included); sparse,
//! accumulating embedding gradients; attention weights as probabilities; masking and causal
//! attention checked by hand; and a per-layer gradient check through a two-block GPT.

use super::ctx::{check, grad_vec, Ctx};
use super::gradient_flow::require_grads;
use crate::error::Result;
use crate::nn::loss::{cross_entropy, Loss};
use crate::nn::{
    call, causal_mask, scaled_dot_product_attention, Embedding, GptConfig, LayerNorm,
    MultiHeadAttention, GPT,
};
use crate::tensor::Tensor;
use crate::text::corpus::generate;
use crate::text::{BpeTokenizer, CharTokenizer};

/// The two-block GPT the gradient and fault checks run on (28 layers in check order:
/// 0 tok, 1 pos, 2 blocks.0, 3 blocks.0.ln1, 4 blocks.0.attn, 5-8 its q/k/v/out, 9 ln2,
/// 10 mlp, 11-13 fc1/act/fc2, 14-25 the same for blocks.1, 26 ln_f, 27 head).
pub(crate) fn check_gpt(vocab: usize) -> Result<GPT> {
    GPT::new(GptConfig {
        vocab,
        dim: 16,
        layers: 2,
        heads: 2,
        max_len: 16,
        mlp_ratio: 2,
    })
}

pub(crate) fn run(ctx: &mut Ctx) -> Result<()> {
    let corpus = generate(ctx.seed);
    let text: String = corpus.train.iter().take(200).map(|e| e.line()).collect();

    ctx.case("tokenizers_round_trip", "CharTokenizer and BPETokenizer (trained on the corpus, whitespace pre-split, deterministic ties) encode and decode known text back exactly; unknown characters map to id 0.", |_, c| {
        let ch = CharTokenizer::from_corpus(&corpus.alphabet());
        let sample = &corpus.test[0].line();
        check!(ch.decode(&ch.encode(sample))? == *sample, "char round trip changed {sample:?}");
        check!(ch.encode("€") == vec![0], "an unknown character must map to id 0");
        let all = corpus.train_text();
        let bpe = BpeTokenizer::train(&all, 120)?;
        let again = BpeTokenizer::train(&all, 120)?;
        check!(bpe.merges() == again.merges(), "BPE training is not deterministic");
        check!(bpe.encode("€") == vec![0], "an unknown symbol must map to id 0");
        let words = "q: what is a tensor? a: an array of numbers.";
        check!(bpe.decode(&bpe.encode(words))? == words, "BPE round trip of {words:?} gave {:?}", bpe.decode(&bpe.encode(words))?);
        let ratio = bpe.encode(&all).len() as f64 / all.split_whitespace().map(|w| w.chars().count()).sum::<usize>() as f64;
        c.metrics.insert("bpe_tokens_per_char".into(), ratio);
        c.metrics.insert("bpe_vocab".into(), bpe.vocab_size() as f64);
        check!(ratio < 0.8, "BPE should compress the corpus, got {ratio:.2} tokens per character");
        Ok(())
    });

    ctx.case("pipeline_gradients_reach_everything", "Corpus text → char ids → a two-block GPT → logits → cross-entropy → backward: every parameter, both embedding tables included, gets a non-zero gradient.", |ctx, _| {
        ctx.reseed(1);
        let tok = CharTokenizer::from_corpus(&corpus.alphabet());
        let gpt = check_gpt(tok.vocab_size())?;
        ctx.prepare(&gpt);
        let ids: Vec<f32> = tok.encode(&text[..33]).iter().map(|&i| i as f32).collect();
        let x = Tensor::from_vec(ids[..32].to_vec(), &[2, 16])?;
        let y = Tensor::from_vec(ids[1..33].to_vec(), &[2, 16])?;
        cross_entropy(&call(&gpt, &x)?, &y)?.backward()?;
        require_grads(&gpt, 1e-8)
    });

    ctx.case("embedding_rows_sparse_and_accumulating", "Ids [5, 2, 5, 3]: only rows 2, 3 and 5 get gradient, and row 5 (looked up twice) gets exactly twice the gradient of the others.", |ctx, _| {
        ctx.reseed(2);
        let emb = Embedding::new(8, 4)?;
        ctx.prepare(&emb);
        call(&emb, &Tensor::from_vec(vec![5., 2., 5., 3.], &[4])?)?.sum().backward()?;
        let g = grad_vec(emb.weight(), "the embedding table")?;
        for row in 0..8 {
            let want = match row { 5 => 2.0, 2 | 3 => 1.0, _ => 0.0 };
            check!(g[row * 4..row * 4 + 4].iter().all(|&v| v == want), "row {row} has gradient {:?}, expected {want}", &g[row * 4..row * 4 + 4]);
        }
        Ok(())
    });

    ctx.case("attention_weights_are_probabilities", "Multi-head attention weights on random input are ≥ 0 and each row sums to 1 within 1e-5; a causal model gives exactly 0 to every future position.", |ctx, c| {
        ctx.reseed(3);
        let mha = MultiHeadAttention::new(16, 4, true)?;
        let w = mha.attention_weights(&Tensor::randn(&[2, 6, 16]))?;
        let v = w.to_vec();
        check!(v.iter().all(|&p| p >= 0.0), "a weight is negative");
        let worst = v.chunks(6).map(|r| (r.iter().sum::<f32>() - 1.0).abs()).fold(0.0f32, f32::max);
        c.metrics.insert("max_row_sum_error".into(), worst as f64);
        check!(worst < 1e-5, "a row sums to 1 ± {worst:e}");
        for (r, row) in v.chunks(6).enumerate() {
            let i = r % 6;
            check!(row[i + 1..].iter().all(|&p| p == 0.0), "row {i} attends to a future position: {row:?}");
        }
        Ok(())
    });

    ctx.case("masking_matches_a_hand_computation", "Mask convention 1 = attend, 0 = blocked: a blocked key gets weight exactly 0, and causal attention over three known vectors equals the softmax worked out by hand (f64) within 1e-6.", |_, c| {
        let q = Tensor::from_vec(vec![1., 0., 0., 1., 1., 1.], &[3, 2])?;
        let k = Tensor::from_vec(vec![1., 0., 0., 1., 1., 1.], &[3, 2])?;
        let v = Tensor::from_vec(vec![1., 2., 3., 4., 5., 6.], &[3, 2])?;
        let (out, w) = scaled_dot_product_attention(&q, &k, &v, Some(&causal_mask(3)))?;
        let (qv, kv, vv) = (q.to_vec(), k.to_vec(), v.to_vec());
        let mut worst = 0.0f64;
        for i in 0..3 {
            let scores: Vec<f64> = (0..=i).map(|j| (qv[2 * i] * kv[2 * j] + qv[2 * i + 1] * kv[2 * j + 1]) as f64 / 2f64.sqrt()).collect();
            let m = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = scores.iter().map(|s| (s - m).exp()).collect();
            let z: f64 = e.iter().sum();
            for d in 0..2 {
                let want: f64 = (0..=i).map(|j| e[j] / z * vv[2 * j + d] as f64).sum();
                worst = worst.max((out.to_vec()[2 * i + d] as f64 - want).abs());
            }
            for j in i + 1..3 {
                check!(w.to_vec()[3 * i + j] == 0.0, "masked weight ({i}, {j}) is {}", w.to_vec()[3 * i + j]);
            }
        }
        c.metrics.insert("max_error_vs_hand".into(), worst);
        check!(worst < 1e-6, "causal attention differs from the hand computation by {worst:e}");
        let block_middle = Tensor::from_vec(vec![1., 0., 1.], &[1, 3])?;
        let (_, w2) = scaled_dot_product_attention(&q, &k, &v, Some(&block_middle))?;
        check!(w2.to_vec().chunks(3).all(|r| r[1] == 0.0), "a blocked key got weight");
        check!(MultiHeadAttention::new(30, 4, false).is_err(), "4 heads must not be allowed to split a width of 30");
        Ok(())
    });

    ctx.case("layer_norm_exact_backward", "LayerNorm's input, γ and β gradients match the numerical ones (the reference's input gradient was approximate).", |ctx, c| {
        ctx.reseed(4);
        let ln = LayerNorm::new(6, 1e-5)?;
        ctx.prepare(&ln);
        let (x, y) = (Tensor::randn(&[3, 4, 6]) * 2.0, Tensor::randn(&[3, 4, 6]));
        ctx.check_layers(c, &ln, &x, &y, Loss::Mse)
    });

    ctx.case("gpt_gradcheck_every_layer", "A per-layer numerical gradient check through a two-block GPT on corpus text: every one of its 28 layers (embeddings, norms, attention and its projections, MLPs, head) is named in the report and passes.", |ctx, c| {
        ctx.reseed(5);
        let tok = CharTokenizer::from_corpus(&corpus.alphabet());
        let gpt = check_gpt(tok.vocab_size())?;
        ctx.prepare(&gpt);
        let ids: Vec<f32> = tok.encode(&text[40..73]).iter().map(|&i| i as f32).collect();
        let x = Tensor::from_vec(ids[..32].to_vec(), &[2, 16])?;
        let y = Tensor::from_vec(ids[1..33].to_vec(), &[2, 16])?;
        let layers = ctx.check_token_layers(c, &gpt, &x, &y)?;
        check!(layers == 28, "the report names {layers} layers, expected 28");
        Ok(())
    });
    Ok(())
}
