//! The project's own text corpus, generated from a seed (no third-party text): small
//! dialogue-like lines plus algorithmic tasks whose answers a program can check.
//!
//! Every line is `prompt + answer + "\n"`; for the tasks the prompt ends with `=`:
//! `rev:abc=cba`, `srt:3142=1234`, `add:23+45=68`, `cpy:abcd=abcd`. Each task input is
//! assigned to train, validation or test by a seeded hash, so held-out prompts never appear in
//! training.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// The checkable tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    Reverse,
    Sort,
    Add,
    Copy,
    Dialogue,
}

impl Task {
    /// The line prefix.
    pub fn tag(self) -> &'static str {
        match self {
            Task::Reverse => "rev:",
            Task::Sort => "srt:",
            Task::Add => "add:",
            Task::Copy => "cpy:",
            Task::Dialogue => "",
        }
    }
    /// The four checkable tasks.
    pub const CHECKABLE: [Task; 4] = [Task::Reverse, Task::Sort, Task::Add, Task::Copy];
}

/// One line: the prompt (up to and including `=`, or the question for dialogue) and its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub task: Task,
    pub prompt: String,
    pub answer: String,
}

impl Example {
    /// The full line including the final newline.
    pub fn line(&self) -> String {
        format!("{}{}\n", self.prompt, self.answer)
    }
}

/// Train, validation and test examples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Corpus {
    pub train: Vec<Example>,
    pub val: Vec<Example>,
    pub test: Vec<Example>,
}

impl Corpus {
    /// Every line of the training split, concatenated.
    pub fn train_text(&self) -> String {
        self.train.iter().map(Example::line).collect()
    }
    /// Every character any split uses (the tokenizer's vocabulary).
    pub fn alphabet(&self) -> String {
        let mut cs: Vec<char> = [&self.train, &self.val, &self.test]
            .iter()
            .flat_map(|s| s.iter())
            .flat_map(|e| e.line().chars().collect::<Vec<_>>())
            .collect();
        cs.sort_unstable();
        cs.dedup();
        cs.into_iter().collect()
    }
}

const LETTERS: &[u8] = b"abcdef";
const GREETINGS: [(&str, &str); 6] = [
    ("hi", "hello"),
    ("hello", "hi there"),
    ("good morning", "good morning to you"),
    ("how are you", "i am fine"),
    ("thanks", "you are welcome"),
    ("bye", "see you soon"),
];
const FACTS: [(&str, &str); 8] = [
    ("what is a tensor", "an array of numbers"),
    ("what does relu do", "it keeps positive values"),
    ("what is a gradient", "how the loss changes"),
    ("what does sgd do", "it steps downhill"),
    ("what is a layer", "a function with weights"),
    ("what is a batch", "a few samples at once"),
    ("what does softmax give", "probabilities"),
    ("what is attention", "a weighted look back"),
];

/// Which split an input goes to: ~80% train, 10% validation, 10% test, by a seeded hash.
fn split_of(seed: u64, key: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in key.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    match Rng::new(h).below(10) {
        0 => 1,
        1 => 2,
        _ => 0,
    }
}

fn all_strings(len: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for _ in 0..len {
        out = out
            .iter()
            .flat_map(|s| LETTERS.iter().map(move |&c| format!("{s}{}", c as char)))
            .collect();
    }
    out
}

/// Generates the corpus for `seed`: every reversal/copy input over `abcdef` of length 2-4,
/// sorting of 2-4 digit strings, sums of two numbers below 20, and the dialogue lines (which
/// all go to training, phrased in several ways).
pub fn generate(seed: u64) -> Corpus {
    let mut splits: [Vec<Example>; 3] = [vec![], vec![], vec![]];
    let mut push = |task: Task, input: String, answer: String| {
        let ex = Example {
            task,
            prompt: format!("{}{input}=", task.tag()),
            answer,
        };
        splits[split_of(seed, &ex.prompt)].push(ex);
    };
    for len in 2..=4 {
        for s in all_strings(len) {
            push(Task::Reverse, s.clone(), s.chars().rev().collect());
            push(Task::Copy, s.clone(), s);
        }
    }
    let mut rng = Rng::new(seed ^ 0x5eed);
    for _ in 0..1200 {
        let len = 2 + rng.below(3);
        let digits: String = (0..len)
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect();
        let mut sorted: Vec<char> = digits.chars().collect();
        sorted.sort_unstable();
        push(Task::Sort, digits, sorted.into_iter().collect());
    }
    for a in 0..20 {
        for b in 0..20 {
            push(Task::Add, format!("{a}+{b}"), (a + b).to_string());
        }
    }
    let [mut train, val, test] = splits;
    // Duplicate task prompts (the sort inputs repeat) stay in one split by construction.
    for (q, a) in GREETINGS.iter().chain(FACTS.iter()) {
        for style in ["q: {q}?\na: {a}.", "q: {q}\na: {a}"] {
            let prompt = style
                .split("\na:")
                .next()
                .unwrap_or_default()
                .replace("{q}", q);
            let answer = format!(
                "\na:{}",
                style
                    .split("\na:")
                    .nth(1)
                    .unwrap_or_default()
                    .replace("{a}", a)
            );
            train.push(Example {
                task: Task::Dialogue,
                prompt,
                answer,
            });
        }
    }
    Rng::new(seed).shuffle(&mut train);
    Corpus { train, val, test }
}

/// Whether `output` answers `ex` exactly.
pub fn is_correct(ex: &Example, output: &str) -> bool {
    output == ex.answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus_and_no_test_prompt_in_train() {
        let (a, b) = (generate(3), generate(3));
        assert_eq!(a, b);
        let train: std::collections::HashSet<&str> =
            a.train.iter().map(|e| e.prompt.as_str()).collect();
        assert!(a.test.iter().all(|e| !train.contains(e.prompt.as_str())));
        assert!(a.test.iter().any(|e| e.task == Task::Reverse));
        assert_ne!(generate(4).test, a.test);
    }

    #[test]
    fn answers_are_what_the_task_says() {
        for e in generate(0)
            .train
            .iter()
            .filter(|e| e.task != Task::Dialogue)
        {
            let input = &e.prompt[4..e.prompt.len() - 1];
            let want = match e.task {
                Task::Reverse => input.chars().rev().collect::<String>(),
                Task::Copy => input.to_string(),
                Task::Sort => {
                    let mut c: Vec<char> = input.chars().collect();
                    c.sort_unstable();
                    c.into_iter().collect()
                }
                Task::Add => {
                    let (x, y) = input.split_once('+').unwrap();
                    (x.parse::<u32>().unwrap() + y.parse::<u32>().unwrap()).to_string()
                }
                Task::Dialogue => unreachable!(),
            };
            assert_eq!(e.answer, want, "{e:?}");
        }
    }
}
