//! The lookup counters of a Router ([`crate::Options::counters`]): per-thread shards of
//! atomic counters, each shard on its own cache lines, summed on read. The router counts into
//! them; `crate::metrics` reads them into `Stats` and renders them.

use crate::compile::Compiled;
use crate::request::{normalize_host, RequestView};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Number of counter shards: threads pick one in turn, the first time they count.
const SHARDS: usize = 16;

/// Counters per 64-byte line.
const PER_LINE: usize = 8;

/// One cache line of counters.
#[derive(Debug, Default)]
#[repr(align(64))]
struct Line([AtomicU64; PER_LINE]);

/// The counters of one Router: `SHARDS` shards of `slots` counters each, every shard starting
/// on its own line.
#[derive(Debug)]
pub(crate) struct Counters {
    lines: Box<[Line]>,
    /// Lines per shard.
    stride: usize,
    slots: usize,
}

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's shard, `usize::MAX` until it first counts.
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// This thread's shard number (below `SHARDS`).
#[inline]
fn shard() -> usize {
    SHARD
        .try_with(|s| {
            let mut v = s.get();
            if v == usize::MAX {
                v = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
                s.set(v);
            }
            v
        })
        // A thread being torn down counts in shard 0.
        .unwrap_or(0)
}

impl Counters {
    /// `slots` counters per shard, all zero.
    pub(crate) fn new(slots: usize) -> Counters {
        let stride = slots.div_ceil(PER_LINE).max(1);
        let lines = (0..stride * SHARDS).map(|_| Line::default()).collect();
        Counters {
            lines,
            stride,
            slots,
        }
    }

    /// Adds one to counter `slot` (ignored when out of range) in this thread's shard.
    #[inline]
    pub(crate) fn add(&self, slot: usize) {
        if slot >= self.slots {
            return;
        }
        let line = shard() * self.stride + slot / PER_LINE;
        if let Some(l) = self.lines.get(line) {
            l.0[slot % PER_LINE].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The sum of counter `slot` over the shards.
    pub(crate) fn get(&self, slot: usize) -> u64 {
        (0..SHARDS)
            .filter_map(|s| self.lines.get(s * self.stride + slot / PER_LINE))
            .map(|l| l.0[slot % PER_LINE].load(Ordering::Relaxed))
            .sum()
    }
}

/// A Router's counters and where each listener's misses go: rules first (one counter per
/// compiled rule), then one row of two counters (404, 421) per listener of each port, plus
/// one row per port for misses no listener took, plus one row for ports no listener serves.
#[derive(Debug)]
pub(crate) struct RouterCounters {
    pub(crate) counters: Counters,
    pub(crate) rules: usize,
    /// First row of each frontend.
    row_base: Box<[usize]>,
    /// Rows in all (the last one: unserved ports).
    pub(crate) rows: usize,
}

impl RouterCounters {
    pub(crate) fn new(c: &Compiled) -> RouterCounters {
        let mut row_base = Vec::with_capacity(c.frontends.len());
        let mut rows = 0;
        for fe in &c.frontends {
            row_base.push(rows);
            rows += fe.listeners.len() + 1;
        }
        rows += 1;
        RouterCounters {
            counters: Counters::new(c.rules.len() + 2 * rows),
            rules: c.rules.len(),
            row_base: row_base.into_boxed_slice(),
            rows,
        }
    }

    /// Counts a lookup that compiled rule `rule` won.
    #[inline]
    pub(crate) fn matched(&self, rule: u32) {
        self.counters.add(rule as usize);
    }

    /// Counts a miss (`which`: 0 for 404, 1 for 421) on the row of the listener the request's
    /// port and host select, found again as the lookup found it.
    #[cold]
    pub(crate) fn miss<R: RequestView + ?Sized>(&self, c: &Compiled, req: &R, which: usize) {
        let row = self.row(c, req);
        self.counters.add(self.rules + 2 * row + which);
    }

    fn row<R: RequestView + ?Sized>(&self, c: &Compiled, req: &R) -> usize {
        let unserved = self.rows - 1;
        if c.ingress {
            return unserved;
        }
        let index = match req.port() {
            Some(p) => c.frontends.binary_search_by_key(&p, |f| f.port).ok(),
            None => (!c.frontends.is_empty()).then_some(0),
        };
        let (Some(fi), Some(fe)) = (index, index.and_then(|i| c.frontends.get(i))) else {
            return unserved;
        };
        let base = self.row_base.get(fi).copied().unwrap_or(unserved);
        let none = base + fe.listeners.len();
        if !c.options.listener_isolation {
            return none;
        }
        // One listener without hostname takes every host: no need to read the host.
        let only_any = matches!(&fe.listeners[..], [l] if l.hostname.is_none());
        if fe.host_blind || only_any {
            return base;
        }
        let mut buf = [0u8; 256];
        let host = req.authority().and_then(|a| normalize_host(a, &mut buf));
        fe.listener_index.select(host).map_or(none, |li| base + li)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shard's counters start on their own cache line, and a snapshot sums them.
    #[test]
    fn shards_on_their_own_lines_and_summed() {
        assert_eq!(std::mem::align_of::<Line>(), 64);
        let c = Counters::new(9);
        assert_eq!(c.stride, 2);
        assert_eq!(c.lines.len(), 2 * SHARDS);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        c.add(8);
                    }
                    c.add(0);
                });
            }
        });
        assert_eq!(c.get(8), 4000);
        assert_eq!(c.get(0), 4);
        assert_eq!(c.get(1), 0);
        // Out of range: ignored.
        c.add(9);
        assert_eq!(c.get(9), 0);
    }
}
