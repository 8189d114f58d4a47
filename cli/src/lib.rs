//! The library half of the `trieway` command line: the decision format shared by
//! `trieway route` and `trieway eval` (the conformance decision format of
//! `spec-tests/README.md`), and the case evaluator the spec-tests runner calls.

pub mod decision;
pub mod eval;
