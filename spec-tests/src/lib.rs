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

/// The directory of the project's own cases (`spec-tests/own-cases`), written from SPEC.md for
/// rules the upstream cases do not reach.
pub fn own_cases_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("own-cases")
}

/// Categories whose requests the engine may skip, with the reason (see README.md).
pub const UNSUPPORTED: &[(&str, &str)] = &[
    ("grpc", "GRPCRoute routing is not implemented yet"),
    (
        "tls",
        "frontend client-certificate validation needs the CLI's tls-check feature",
    ),
    (
        "l4",
        "TCPRoute and UDPRoute routing are not implemented yet",
    ),
];

/// Runs `trieway eval` (as a library call) on every case file in `dir` and judges the
/// decisions.
pub fn run_dir(dir: &std::path::Path) -> Result<Vec<CaseResult>, String> {
    let files = judge::collect_case_files(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut results = Vec::new();
    for path in files {
        let case = judge::load_case(&path)?;
        let decisions = trieway_cli::eval::evaluate(&case);
        let mut result = judge_case(&case, &decisions);
        result.file = path.file_name().map(|f| f.to_string_lossy().into_owned());
        results.push(result);
    }
    Ok(results)
}

/// The repository README's examples, compiled and run as doctests. They live here, in a crate
/// that is never published, because the README is outside core/ and the published `trieway`
/// crate must carry every file its doctests read (see the comment at the end of
/// core/src/lib.rs).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RepositoryReadmeDoctests;
