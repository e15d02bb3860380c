//! `BpeTokenizer`: byte-pair encoding over characters, trained on whitespace-split words.
//!
//! Fixes of the reference: training pre-splits the corpus on whitespace exactly as `encode`
//! does (the reference counted whole sentences as words), ties between equally frequent pairs
//! are broken deterministically (the lexicographically smallest pair), and merges are applied
//! in training order.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The end-of-word marker appended to a word's last symbol.
pub const EOW: &str = "</w>";

/// A trained byte-pair-encoding tokenizer. Id 0 is `<UNK>`; ids 1.. are the initial symbols
/// (sorted) followed by the merged tokens in the order they were learned.
///
/// # Example
/// ```
/// use tinytorch::text::BpeTokenizer;
/// let tok = BpeTokenizer::train("low lower lowest low low", 30).unwrap();
/// let ids = tok.encode("lower low");
/// assert_eq!(tok.decode(&ids).unwrap(), "lower low");
/// assert!(ids.len() < "lower low".len()); // merges compress
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BpeTokenizer {
    tokens: Vec<String>,
    merges: Vec<(String, String)>,
    #[serde(skip)]
    ids: HashMap<String, usize>,
    #[serde(skip)]
    ranks: HashMap<(String, String), usize>,
}

/// A word as symbols: its characters, the last carrying the end-of-word marker.
fn symbols(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i + 1 == chars.len() {
                format!("{c}{EOW}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn merge_pair(word: &mut Vec<String>, a: &str, b: &str) {
    let mut i = 0;
    while i + 1 < word.len() {
        if word[i] == a && word[i + 1] == b {
            word[i] = format!("{a}{b}");
            word.remove(i + 1);
        }
        i += 1;
    }
}

impl BpeTokenizer {
    /// Learns merges from `corpus` until the vocabulary (with `<UNK>`) has `vocab_size` tokens
    /// or no pair occurs at least twice.
    ///
    /// # Errors
    /// If the corpus has no words, or `vocab_size` is smaller than `<UNK>` plus the corpus's
    /// distinct symbols.
    pub fn train(corpus: &str, vocab_size: usize) -> Result<BpeTokenizer> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for w in corpus.split_whitespace() {
            *counts.entry(w).or_default() += 1;
        }
        if counts.is_empty() {
            return Err(Error::Arg {
                op: "BpeTokenizer.train",
                msg: "the corpus has no words".into(),
            });
        }
        let mut words: Vec<(Vec<String>, usize)> =
            counts.iter().map(|(w, &c)| (symbols(w), c)).collect();
        let mut tokens: Vec<String> = words.iter().flat_map(|(s, _)| s.iter().cloned()).collect();
        tokens.sort_unstable();
        tokens.dedup();
        if vocab_size < tokens.len() + 1 {
            return Err(Error::Arg {
                op: "BpeTokenizer.train",
                msg: format!(
                    "vocab_size {vocab_size} is below the {} initial symbols plus <UNK>",
                    tokens.len()
                ),
            });
        }
        let mut merges = Vec::new();
        while tokens.len() + 1 < vocab_size {
            let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
            for (w, c) in &words {
                for p in w.windows(2) {
                    *pairs.entry((&p[0], &p[1])).or_default() += c;
                }
            }
            // Most frequent first; among equals the BTreeMap order gives the smallest pair.
            let Some((&(a, b), &n)) = pairs.iter().max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            else {
                break;
            };
            if n < 2 {
                break;
            }
            let (a, b) = (a.to_string(), b.to_string());
            for (w, _) in &mut words {
                merge_pair(w, &a, &b);
            }
            tokens.push(format!("{a}{b}"));
            merges.push((a, b));
        }
        let mut all = vec!["<UNK>".to_string()];
        all.extend(tokens);
        Ok(BpeTokenizer::from_parts(all, merges))
    }

    fn from_parts(tokens: Vec<String>, merges: Vec<(String, String)>) -> BpeTokenizer {
        let ids = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
        let ranks = merges
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), i))
            .collect();
        BpeTokenizer {
            tokens,
            merges,
            ids,
            ranks,
        }
    }

    /// Vocabulary size including `<UNK>`.
    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The tokens in id order.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The learned merges, in order.
    pub fn merges(&self) -> &[(String, String)] {
        &self.merges
    }

    /// The token strings of `text`: whitespace-split words, merges applied in training order
    /// (always the earliest-learned pair present first).
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for w in text.split_whitespace() {
            let mut s = symbols(w);
            loop {
                let best = s
                    .windows(2)
                    .filter_map(|p| self.ranks.get(&(p[0].clone(), p[1].clone())))
                    .min();
                let Some(&r) = best else { break };
                let (a, b) = &self.merges[r];
                merge_pair(&mut s, a, b);
            }
            out.extend(s);
        }
        out
    }

    /// Ids of `text`; symbols never seen in training get id 0 (`<UNK>`).
    pub fn encode(&self, text: &str) -> Vec<usize> {
        self.tokenize(text)
            .iter()
            .map(|t| self.ids.get(t).copied().unwrap_or(0))
            .collect()
    }

    /// Text of the ids: tokens joined, each end-of-word marker becoming a space (so runs of
    /// whitespace in the original come back as single spaces).
    ///
    /// # Errors
    /// If an id is outside the vocabulary.
    pub fn decode(&self, ids: &[usize]) -> Result<String> {
        let mut s = String::new();
        for (i, &id) in ids.iter().enumerate() {
            let t = self.tokens.get(id).ok_or_else(|| Error::Arg {
                op: "BpeTokenizer.decode",
                msg: format!(
                    "id {id} at position {i} is outside the vocabulary of {}",
                    self.tokens.len()
                ),
            })?;
            s.push_str(&t.replace(EOW, " "));
        }
        Ok(s.trim_end().to_string())
    }
}
