//! The counting global allocator of the allocation tests, in one place: `core/tests/alloc.rs`,
//! `normalize_alloc.rs` and `regex_cost.rs` include it with
//! `#[path = "common/counting_alloc.rs"] mod counting_alloc;`, `benches/tests/alloc.rs` with
//! `#[path = "../../core/tests/common/counting_alloc.rs"]`. Including it installs it as the
//! test binary's global allocator.
//!
//! Counters are per thread, so tests running in parallel do not disturb each other's counts:
//! allocations (`alloc` and `realloc` calls) and live and peak heap bytes.
#![allow(dead_code)] // each test uses a part

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to the system allocator and counts, per thread.
pub struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn grow(by: isize) {
    let live = LIVE.with(|l| {
        l.set(l.get() + by);
        l.get()
    });
    PEAK.with(|p| p.set(p.get().max(live)));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the only addition is
// thread-local counters that never allocate (const-initialized `Cell`s).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        grow(layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        grow(-(layout.size() as isize));
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        grow(new_size as isize - layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// `f`'s result and the number of allocations (`alloc` and `realloc` calls) it made on this
/// thread.
pub fn allocations<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCS.with(Cell::get);
    let out = f();
    (out, ALLOCS.with(Cell::get) - before)
}

/// `f`'s result and the heap bytes it left live (on this thread): what the result holds when
/// `f` frees everything else it allocated.
pub fn retained<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let start = LIVE.with(Cell::get);
    let out = f();
    (out, LIVE.with(Cell::get) - start)
}

/// `f`'s result and the peak heap bytes it had live at once (on this thread).
pub fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    (out, (PEAK.with(Cell::get) - start).max(0) as usize)
}
