//! Modules 10–13 of `api_compatibility`: the character and BPE tokenizers, `Embedding` and
//! the sinusoidal table, scaled dot-product and multi-head attention, and the transformer
//! pieces up to `GPT`, checked against their documented values.

use super::docs::{doc, wide, Docs, Documented, Value::*};
use super::ApiCase;
use crate::nn::{causal_mask, scaled_dot_product_attention, sinusoidal_positions, Embedding};
use crate::nn::{GenerateOptions, LayerNorm, Module, MultiHeadAttention, TransformerBlock};
use crate::suites::ctx::{check, grad_vec, CaseResult};
use crate::tensor::Tensor;
use crate::text::{BpeTokenizer, CharTokenizer};

/// What modules 10–13 document.
pub fn table() -> Vec<Documented> {
    vec![
        doc("CharTokenizer::UNK", "id of an unknown character", Int(0), "src/text/char.rs (UNK; curriculum 10: unk_id = 0)"),
        doc("CharTokenizer::UNK_TEXT", "how the unknown id decodes", Text("<UNK>".into()), "src/text/char.rs (UNK_TEXT)"),
        doc("CharTokenizer::from_corpus", "vocab_size of \"hello world\" (8 characters + <UNK>)", Int(9), "src/text/char.rs (from_corpus: sorted distinct characters plus <UNK> at id 0)"),
        doc("BpeTokenizer::train", "token 0", Text("<UNK>".into()), "src/text/bpe.rs (BpeTokenizer: id 0 is <UNK>)"),
        doc("BpeTokenizer::tokenize", "end-of-word marker on a word's last token", Text("</w>".into()), "src/text/bpe.rs (EOW: appended to a word's last symbol; curriculum 10)"),
        doc("Embedding::forward", "output shape of Embedding(100, 32) on ids (3,)", Dims(vec![3, 32]), "src/nn/embedding.rs (Embedding example: input shape + [dim])"),
        doc("Embedding::backward", "gradient row sums of ids [5, 2, 5] for rows 5 and 2 (Σ over dim 4)", List(vec![8.0, 4.0]), "src/nn/embedding.rs (its backward scatter-adds: repeated ids accumulate)"),
        doc("sinusoidal_positions", "PE[0, 1] (cos 0) and PE[1, 0] (sin 1)", List(vec![1.0, 0.841_470_985]), "src/nn/embedding.rs (sinusoidal_positions example)"),
        doc("scaled_dot_product_attention", "weights of q = ones(4) on keys ones(4), zeros(4) (scores 4/√4, 0)", List(vec![0.880_797_078, 0.119_202_922]), "src/nn/attention.rs (softmax(Q·Kᵀ/√d_k))"),
        doc("causal_mask", "causal_mask(3)", List(vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0]), "src/nn/attention.rs (causal_mask: lower-triangular ones; 1 = may attend)"),
        doc("MultiHeadAttention::new", "parameter values of MultiHeadAttention(32, 4)", Int(4192), "src/nn/attention.rs (four Linear(D, D), the key projection without bias: 4·32² + 3·32)"),
        doc("LayerNorm::new", "γ and β at start", List(vec![1.0, 0.0]), "src/nn/transformer.rs (LayerNorm: γ = 1, β = 0 at start)"),
        doc("GPT::forward", "logits shape of the example GPT on (1, 4) ids", Dims(vec![1, 4, 20]), "src/nn/gpt.rs (GPT example: (B, S) → (B, S, vocab))"),
        doc("GPT::new", "parameter values of the example GPT (vocab 20, dim 16, 2 layers, 2 heads, max_len 8)", Int(7328), "src/nn/gpt.rs (token and position tables, 2 blocks, ln_f, a head without bias)"),
    ]
}

fn tokenizers(docs: &Docs) -> CaseResult {
    let tok = CharTokenizer::from_corpus("hello world");
    let d = docs.get(
        "CharTokenizer::from_corpus",
        "vocab_size of \"hello world\" (8 characters + <UNK>)",
    )?;
    d.expect_eq(
        "CharTokenizer::from_corpus(\"hello world\").vocab_size()",
        d.int()?,
        tok.vocab_size(),
    )?;
    let d = docs.get("CharTokenizer::UNK", "id of an unknown character")?;
    d.expect_eq("tok.encode(\"?\")", vec![d.int()?], tok.encode("?"))?;
    d.expect_eq("CharTokenizer::UNK", d.int()?, CharTokenizer::UNK)?;
    let d = docs.get("CharTokenizer::UNK_TEXT", "how the unknown id decodes")?;
    d.expect_eq("tok.decode(&[0])", d.text()?, tok.decode(&[0])?)?;
    check!(
        tok.decode(&tok.encode("hold"))? == "hold",
        "CharTokenizer: decode(encode(\"hold\")) must give \"hold\""
    );
    check!(
        tok.chars().windows(2).all(|w| w[0] < w[1]),
        "CharTokenizer::from_corpus: the characters must be sorted, got {:?}",
        tok.chars()
    );
    check!(
        tok.decode(&[99]).is_err(),
        "CharTokenizer::decode must reject an id outside the vocabulary"
    );

    let bpe = BpeTokenizer::train("low lower lowest low low", 30)?;
    let d = docs.get("BpeTokenizer::train", "token 0")?;
    d.expect_eq(
        "bpe.tokens()[0]",
        Some(d.text()?),
        bpe.tokens().first().cloned(),
    )?;
    let d = docs.get(
        "BpeTokenizer::tokenize",
        "end-of-word marker on a word's last token",
    )?;
    let words = bpe.tokenize("low lower");
    let marker = d.text()?;
    let ends = words
        .iter()
        .filter(|t| t.ends_with(marker.as_str()))
        .count();
    d.expect_eq("tokens of \"low lower\" ending with the marker", 2, ends)?;
    let ids = bpe.encode("lower low");
    check!(
        bpe.decode(&ids)? == "lower low",
        "BpeTokenizer: decode(encode(\"lower low\")) gave {:?}",
        bpe.decode(&ids)?
    );
    check!(
        ids.len() < "lower low".len(),
        "BpeTokenizer: {} ids for 9 characters, merges must compress",
        ids.len()
    );
    check!(
        !bpe.merges().is_empty() && bpe.vocab_size() <= 30,
        "BpeTokenizer::train: {} merges, vocab {}",
        bpe.merges().len(),
        bpe.vocab_size()
    );
    check!(
        bpe.encode("zzz").contains(&0),
        "BpeTokenizer: symbols never seen in training must get id 0"
    );
    Ok(())
}

fn embeddings(docs: &Docs) -> CaseResult {
    let emb = Embedding::new(100, 32)?;
    let ids = Tensor::from_vec(vec![5.0, 2.0, 5.0], &[3])?;
    let d = docs.get(
        "Embedding::forward",
        "output shape of Embedding(100, 32) on ids (3,)",
    )?;
    d.expect_eq(
        "emb.forward(ids).shape()",
        d.dims()?,
        emb.forward(&ids)?.shape(),
    )?;
    check!(
        emb.forward(&Tensor::from_vec(vec![100.0], &[1])?).is_err(),
        "Embedding(100, …) must reject id 100"
    );
    let limit = (6.0f32 / 132.0).sqrt();
    let w = emb.weight().to_vec();
    check!(
        w.iter().all(|v| v.abs() <= limit) && w.iter().any(|v| v.abs() > limit * 0.9),
        "Embedding: Xavier-uniform values must lie within ±√(6/(V + D)) = ±{limit}"
    );

    let small = Embedding::new(10, 4)?;
    small.forward(&ids)?.sum().backward()?;
    let g = grad_vec(small.weight(), "the embedding table")?;
    let row = |r: usize| g[r * 4..r * 4 + 4].iter().map(|&v| v as f64).sum::<f64>();
    let d = docs.get(
        "Embedding::backward",
        "gradient row sums of ids [5, 2, 5] for rows 5 and 2 (Σ over dim 4)",
    )?;
    d.expect_all(
        "Σ of rows 5 and 2 of the table's gradient",
        &d.list()?,
        &[row(5), row(2)],
        1e-6,
    )?;
    check!(
        row(0) == 0.0,
        "Embedding: a row never looked up must get zero gradient"
    );

    let pe = sinusoidal_positions(50, 8);
    check!(
        pe.shape() == vec![50, 8] && !pe.requires_grad(),
        "sinusoidal_positions(50, 8) must be a (50, 8) table without gradient"
    );
    let d = docs.get(
        "sinusoidal_positions",
        "PE[0, 1] (cos 0) and PE[1, 0] (sin 1)",
    )?;
    let v = pe.to_vec();
    d.expect_all("PE[0, 1], PE[1, 0]", &d.list()?, &wide(&[v[1], v[8]]), 1e-6)?;
    Ok(())
}

fn attention(docs: &Docs) -> CaseResult {
    let q = Tensor::ones(&[1, 1, 4]);
    let k = Tensor::from_vec(vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0], &[1, 2, 4])?;
    let (out, w) = scaled_dot_product_attention(&q, &k, &k, None)?;
    let d = docs.get(
        "scaled_dot_product_attention",
        "weights of q = ones(4) on keys ones(4), zeros(4) (scores 4/√4, 0)",
    )?;
    d.expect_all(
        "the attention weights",
        &d.list()?,
        &wide(&w.to_vec()),
        1e-6,
    )?;
    check!(
        out.shape() == vec![1, 1, 4],
        "the attention output has shape {:?}, expected [1, 1, 4]",
        out.shape()
    );

    let d = docs.get("causal_mask", "causal_mask(3)")?;
    d.expect_all(
        "causal_mask(3)",
        &d.list()?,
        &wide(&causal_mask(3).to_vec()),
        0.0,
    )?;
    let x = Tensor::randn(&[1, 4, 8]);
    let (_, w) = scaled_dot_product_attention(&x, &x, &x, Some(&causal_mask(4)))?;
    let w = w.to_vec();
    check!(
        w[1] == 0.0 && w[2] == 0.0 && w[3] == 0.0,
        "with a causal mask position 0 must not see later positions: {:?}",
        &w[..4]
    );
    check!(
        w.chunks(4)
            .all(|r| (r.iter().sum::<f32>() - 1.0).abs() < 1e-5),
        "attention weights rows must sum to 1"
    );

    let mha = MultiHeadAttention::new(32, 4, true)?;
    let d = docs.get(
        "MultiHeadAttention::new",
        "parameter values of MultiHeadAttention(32, 4)",
    )?;
    d.expect_eq(
        "MultiHeadAttention::new(32, 4, true).num_parameters()",
        d.int()?,
        mha.num_parameters(),
    )?;
    check!(
        mha.heads() == 4 && MultiHeadAttention::new(30, 4, true).is_err(),
        "MultiHeadAttention: heads() must be 4 and 4 heads must not divide 30"
    );
    check!(
        mha.forward(&Tensor::randn(&[2, 8, 32]))?.shape() == vec![2, 8, 32],
        "MultiHeadAttention must keep (B, S, D)"
    );
    check!(
        mha.attention_weights(&Tensor::randn(&[2, 8, 32]))?.shape() == vec![2, 4, 8, 8],
        "attention_weights must be (B, H, S, S)"
    );
    Ok(())
}

fn transformers(docs: &Docs) -> CaseResult {
    let ln = LayerNorm::new(8, 1e-5)?;
    let d = docs.get("LayerNorm::new", "γ and β at start")?;
    let p = ln.parameters();
    check!(
        p.len() == 2,
        "LayerNorm must have two parameters, has {}",
        p.len()
    );
    d.expect_all(
        "γ[0], β[0]",
        &d.list()?,
        &wide(&[p[0].to_vec()[0], p[1].to_vec()[0]]),
        0.0,
    )?;
    let y = ln.forward(&Tensor::randn(&[2, 3, 8]).add_scalar(4.0))?;
    let m = y.try_mean_axes(&[-1], false)?.to_vec();
    check!(
        m.iter().all(|v| v.abs() < 1e-5),
        "LayerNorm output means {m:?}, expected 0"
    );
    let block = TransformerBlock::new(32, 4, 4, true)?;
    check!(
        block.forward(&Tensor::randn(&[2, 5, 32]))?.shape() == vec![2, 5, 32],
        "TransformerBlock must keep (B, S, D)"
    );

    let gpt = super::example_gpt()?;
    let d = docs.get(
        "GPT::forward",
        "logits shape of the example GPT on (1, 4) ids",
    )?;
    let ids = Tensor::from_vec(vec![1., 2., 3., 4.], &[1, 4])?;
    d.expect_eq(
        "gpt.forward(ids).shape()",
        d.dims()?,
        gpt.forward(&ids)?.shape(),
    )?;
    let d = docs.get(
        "GPT::new",
        "parameter values of the example GPT (vocab 20, dim 16, 2 layers, 2 heads, max_len 8)",
    )?;
    d.expect_eq("gpt.num_parameters()", d.int()?, gpt.num_parameters())?;
    let opts = GenerateOptions {
        max_new_tokens: 12,
        temperature: 0.0,
        top_k: None,
        seed: 0,
        stop: None,
    };
    let a = gpt.generate(&[1, 2, 3], &opts, &mut |_| true)?;
    let b = gpt.generate(&[1, 2, 3], &opts, &mut |_| true)?;
    check!(a.len() == 12 && a == b && a.iter().all(|&t| t < 20), "GPT::generate at temperature 0 must be greedy: 12 tokens, the same twice, got {a:?} and {b:?}");
    check!(
        gpt.generate(&[], &opts, &mut |_| true).is_err(),
        "GPT::generate must reject an empty prompt"
    );
    check!(
        gpt.generate(
            &[1],
            &GenerateOptions {
                temperature: -1.0,
                ..opts
            },
            &mut |_| true
        )
        .is_err(),
        "GPT::generate must reject a negative temperature"
    );
    Ok(())
}

pub(super) fn run(ctx: &mut ApiCase) {
    ctx.case("m10_tokenization", "Module 10: CharTokenizer has <UNK> at id 0 decoding to \"<UNK>\", a sorted vocabulary, round trips; BpeTokenizer puts <UNK> at 0, marks word ends with </w>, round trips and compresses.", |_, docs| tokenizers(docs));
    ctx.case("m11_embeddings", "Module 11: Embedding(100, 32) maps ids (3,) to (3, 32), rejects ids ≥ 100, starts Xavier-uniform, scatter-adds its gradient (repeated ids accumulate); the sinusoidal table has cos 0 = 1 and sin 1 where documented.", |_, docs| embeddings(docs));
    ctx.case("m12_attention", "Module 12: scaled dot-product attention scales by 1/√d_k (weights 0.8808, 0.1192 on the documented example), its causal mask is lower-triangular ones and blocks the future, rows sum to 1; MultiHeadAttention(32, 4) has 4192 parameter values and rejects 4 heads for width 30.", |_, docs| attention(docs));
    ctx.case("m13_transformers", "Module 13: LayerNorm starts at γ 1, β 0 and centres the last axis; a TransformerBlock keeps (B, S, D); the documented GPT maps (1, 4) ids to (1, 4, 20) logits with 7328 parameter values, generates greedily at temperature 0 and rejects an empty prompt or a negative temperature.", |_, docs| transformers(docs));
}
