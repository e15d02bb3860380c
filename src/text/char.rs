//! `CharTokenizer`: one id per character, id 0 reserved for unknown characters.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Maps each character of a vocabulary to an id; id 0 is `<UNK>` (any character not in the
/// vocabulary). `decode(encode(text)) == text` for text made of known characters.
///
/// # Example
/// ```
/// use tinytorch::text::CharTokenizer;
/// let tok = CharTokenizer::from_corpus("hello world");
/// let ids = tok.encode("hold");
/// assert_eq!(tok.decode(&ids).unwrap(), "hold");
/// assert_eq!(tok.encode("?"), vec![0]); // unknown
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CharTokenizer {
    chars: Vec<char>,
    #[serde(skip)]
    ids: HashMap<char, usize>,
}

impl CharTokenizer {
    /// The unknown token's id.
    pub const UNK: usize = 0;
    /// How the unknown id decodes.
    pub const UNK_TEXT: &'static str = "<UNK>";

    /// A vocabulary of the sorted distinct characters of `corpus` (plus `<UNK>` at id 0).
    pub fn from_corpus(corpus: &str) -> CharTokenizer {
        let mut chars: Vec<char> = corpus.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        CharTokenizer::from_chars(chars)
    }

    /// A vocabulary of exactly these characters, in this order (ids 1, 2, …).
    pub fn from_chars(chars: Vec<char>) -> CharTokenizer {
        let ids = chars.iter().enumerate().map(|(i, &c)| (c, i + 1)).collect();
        CharTokenizer { chars, ids }
    }

    /// Vocabulary size including `<UNK>`.
    pub fn vocab_size(&self) -> usize {
        self.chars.len() + 1
    }

    /// The characters, in id order (id = index + 1).
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Ids of each character; unknown characters get id 0.
    pub fn encode(&self, text: &str) -> Vec<usize> {
        text.chars()
            .map(|c| self.ids.get(&c).copied().unwrap_or(Self::UNK))
            .collect()
    }

    /// Text of the ids (id 0 decodes to `<UNK>`).
    ///
    /// # Errors
    /// If an id is outside the vocabulary.
    pub fn decode(&self, ids: &[usize]) -> Result<String> {
        let mut s = String::with_capacity(ids.len());
        for (i, &id) in ids.iter().enumerate() {
            match id {
                0 => s.push_str(Self::UNK_TEXT),
                _ => match self.chars.get(id - 1) {
                    Some(&c) => s.push(c),
                    None => {
                        return Err(Error::Arg {
                            op: "CharTokenizer.decode",
                            msg: format!(
                                "id {id} at position {i} is outside the vocabulary of {}",
                                self.vocab_size()
                            ),
                        })
                    }
                },
            }
        }
        Ok(s)
    }
}
