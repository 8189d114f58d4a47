//! Conformance tests for trieway.
//!
//! `cases/` holds the Gateway API conformance cases (see `README.md` in this crate), and
//! [`judge`] is a Rust port of `judge.py`, which compares an engine's decisions for a case with
//! the case's expectations.

#![warn(missing_docs)]

pub mod judge;

pub use judge::{
    category, judge_case, judge_engine_error, report, table, CaseResult, Failure, RequestResult,
    Verdict,
};

/// The directory of the bundled case files (`spec-tests/cases`).
pub fn cases_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}
