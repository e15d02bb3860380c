//! The course's two milestones, the models students train end to end: the digits classifier
//! (module 09's CNN beside an MLP, on the bundled 8×8 digits) and TinyGPT (module 13's GPT on
//! the generated task corpus).

pub mod digits;
pub mod tinygpt;
