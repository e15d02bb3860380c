//! The exercise engine natively: slots filled with Rust closures stand in for a student's
//! JavaScript. Correct implementations pass every unit check and every suite of their module
//! with the student's layers marked; planted mistakes fail and are named at the right function
//! or layer; bad results (a throw, a wrong shape, NaN, a non-tensor) are errors naming the slot.

mod engine;
mod mistakes;
mod reference;
mod units;
