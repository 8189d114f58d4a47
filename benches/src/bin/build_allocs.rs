//! Allocation counts of each full-build phase (load + validate, attach alone, `Router::new`,
//! drops) at N rules of the multi-tenant set: `build_allocs [N]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use trieway::{Config, Options, Report, Router};
use trieway_benches::tenants;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static FREES: AtomicU64 = AtomicU64::new(0);
static REALLOCS: AtomicU64 = AtomicU64::new(0);
static BIG: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        if layout.size() >= 1024 {
            BIG.fetch_add(1, Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        FREES.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCS.fetch_add(1, Relaxed);
        if new_size >= 1024 {
            BIG.fetch_add(1, Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn snap() -> [u64; 5] {
    [
        ALLOCS.load(Relaxed),
        FREES.load(Relaxed),
        REALLOCS.load(Relaxed),
        BIG.load(Relaxed),
        BYTES.load(Relaxed),
    ]
}

fn phase<T>(name: &str, n: usize, f: impl FnOnce() -> T) -> T {
    let a = snap();
    let t = std::time::Instant::now();
    let out = f();
    let el = t.elapsed();
    let b = snap();
    let per = |i: usize| (b[i] - a[i]) as f64 / n as f64;
    println!(
        "{name:<16} allocs {:>9} ({:5.2}/rule) frees {:>9} ({:5.2}/rule) reallocs {:>8} ({:4.2}/rule) >=1KiB {:>6} bytes/rule {:6.0} [{:.0} ms]",
        b[0] - a[0],
        per(0),
        b[1] - a[1],
        per(1),
        b[2] - a[2],
        per(2),
        b[3] - a[3],
        per(4),
        el.as_secs_f64() * 1e3
    );
    out
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |s| s.parse().expect("N"));
    let t = tenants::generate(n, 42);
    let values = t.set.to_values();
    let copies = values.clone();
    let config = phase("load+validate", n, || {
        let mut b = Config::builder().with_threads(load_threads());
        for (i, v) in copies.into_iter().enumerate() {
            b.add_value(v, "gen", i);
        }
        b.finish()
    });
    for _ in 0..std::env::var("ATTACH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
    {
        let report = phase("attach", n, || Report::attach(&config, None));
        phase("drop report", n, || drop(report));
    }
    let router = phase("Router::new", n, || {
        Router::new(&config, Options::default()).expect("router")
    });
    phase("drop router", n, || drop(router));
}

/// `TRIEWAY_LOAD_THREADS` (default 0: the machine's parallelism), for
/// `ConfigBuilder::with_threads`.
fn load_threads() -> usize {
    std::env::var("TRIEWAY_LOAD_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
