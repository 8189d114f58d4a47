//! Benchmark support for trieway: deterministic route-set generators shared by the criterion
//! benches (`benches/routing.rs`), the report binary (`src/bin/report.rs`) and the smoke tests.
//!
//! - [`github`]: the GitHub REST API route set beside an equivalent `matchit` router;
//! - [`tenants`]: multi-tenant gateway sets of N rules;
//! - [`envoy`]: Envoy's route-table speed-test shape;
//! - [`linear`]: the linear baseline matcher over the same sets;
//! - [`matchit_tenants`]: a matchit-based multi-tenant engine (one matchit tree per hostname
//!   plus a short precedence list per route), the comparison for the multi-tenant sets;
//! - [`spec`]: the plain route-set form and its conversion into a trieway `Config`.

#![deny(missing_docs)]

pub mod envoy;
pub mod github;
pub mod linear;
pub mod matchit_tenants;
pub mod rng;
pub mod spec;
pub mod tenants;

/// Whether quick mode is on (`TRIEWAY_BENCH_QUICK=1`): fewer sizes, shorter measurements.
pub fn quick() -> bool {
    std::env::var("TRIEWAY_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The rule counts of the multi-tenant sets.
pub fn sizes() -> Vec<usize> {
    if quick() {
        vec![10, 1_000, 100_000]
    } else {
        vec![10, 100, 1_000, 10_000, 100_000]
    }
}

/// The route counts of the Envoy-shape sets.
pub fn envoy_sizes() -> Vec<usize> {
    if quick() {
        vec![1, 1024]
    } else {
        vec![1, 16, 256, 4096]
    }
}
