//! Work counters of path lookups, for tests and fuzzing that bound *work* instead of time.
//!
//! With the cargo feature `cost-counters` (off by default) or in the crate's own tests, every
//! path-trie walk adds to per-thread counters that `take` reads and resets. Without them the
//! counting calls are empty inline functions: no field, no branch, no cost.
//!
//! The guarantee they check is stated in SECURITY.md ("Path-trie walk"): one lookup visits
//! each trie node consistent with the request at most once, makes at most one upward step
//! per visit, and reads each request byte a bounded number of times. The fuzz target `route`
//! (fuzz/) enables the feature and checks, for every request, `ups <= nodes` and
//! `bytes <= 4 x path length x walks`.

/// What one or more lookups did since the last `take` on this thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// Path-index walks (one per hostname whose paths a lookup tries).
    pub walks: u64,
    /// Trie nodes entered going down (a node consistent with the path prefix).
    pub nodes: u64,
    /// Steps back up from a node to its parent.
    pub ups: u64,
    /// Candidates looked at (position compared, conditions possibly asked).
    pub terms: u64,
    /// Request-path bytes scanned (segment ends, backward scans, newline checks).
    pub bytes: u64,
}

#[cfg(any(test, feature = "cost-counters"))]
mod imp {
    use super::Cost;
    use std::cell::Cell;

    thread_local! {
        static COST: Cell<Cost> = const {
            Cell::new(Cost { walks: 0, nodes: 0, ups: 0, terms: 0, bytes: 0 })
        };
    }

    #[inline]
    fn add(f: impl FnOnce(&mut Cost)) {
        COST.with(|c| {
            let mut v = c.get();
            f(&mut v);
            c.set(v);
        });
    }

    /// The counters of this thread since the last call; resets them.
    pub fn take() -> Cost {
        COST.with(|c| c.replace(Cost::default()))
    }

    #[inline]
    pub(crate) fn walk() {
        add(|c| c.walks += 1);
    }

    #[inline]
    pub(crate) fn node() {
        add(|c| c.nodes += 1);
    }

    #[inline]
    pub(crate) fn up() {
        add(|c| c.ups += 1);
    }

    #[inline]
    pub(crate) fn term() {
        add(|c| c.terms += 1);
    }

    #[inline]
    pub(crate) fn bytes(n: usize) {
        add(|c| c.bytes += n as u64);
    }
}

#[cfg(any(test, feature = "cost-counters"))]
pub use imp::take;
#[cfg(any(test, feature = "cost-counters"))]
pub(crate) use imp::{bytes, node, term, up, walk};

#[cfg(not(any(test, feature = "cost-counters")))]
mod off {
    #[inline(always)]
    pub(crate) fn walk() {}
    #[inline(always)]
    pub(crate) fn node() {}
    #[inline(always)]
    pub(crate) fn up() {}
    #[inline(always)]
    pub(crate) fn term() {}
    #[inline(always)]
    pub(crate) fn bytes(_: usize) {}
}

#[cfg(not(any(test, feature = "cost-counters")))]
pub(crate) use off::{bytes, node, term, up, walk};
