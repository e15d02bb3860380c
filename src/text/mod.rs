//! Text (course module 10): a character tokenizer, a byte-pair-encoding tokenizer, and the
//! project's own generated corpus (no third-party text).

mod bpe;
mod char;
pub mod corpus;

pub use self::char::CharTokenizer;
pub use bpe::BpeTokenizer;
