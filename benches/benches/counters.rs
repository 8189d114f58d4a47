//! Criterion benchmark: the cost of `Options::counters` beside the plain lookup, on the
//! 10,000-rule multi-tenant set, for one thread and for two threads routing at once.
//!
//! Each iteration routes the same 256 requests (random hits of every kind and misses, from
//! `Tenants::random_requests`). `two_threads/*` runs that on two threads at the same time and
//! reports the wall time of both (so per-request time is half the figure when the cores are
//! free). Run: `cargo bench -p trieway-benches --bench counters -- --warm-up-time 1
//! --measurement-time 3`.

use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use trieway::{Options, Router};
use trieway_benches::spec::Req;
use trieway_benches::tenants;

const RULES: usize = 10_000;
const REQUESTS: usize = 256;

fn pass(router: &Router, reqs: &[Req]) -> usize {
    reqs.iter()
        .filter(|r| router.route(black_box(&r.view())).matched().is_some())
        .count()
}

/// The fastest of many rounds of `reqs` on `threads` threads at once (long-lived threads, a
/// barrier starts each round; a round lasts until the slowest thread is done), alternating
/// between the two routers: on a shared, noisy machine the minimum is the figure
/// interference disturbs least.
fn interleaved(off: &Router, on: &Router, reqs: &[Req], threads: usize) {
    const ROUNDS: usize = 400;
    let barrier = std::sync::Barrier::new(threads);
    // Per thread: the time of each (round, router) pass.
    let times: Vec<Vec<Duration>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut t = Vec::with_capacity(2 * ROUNDS);
                    for _ in 0..ROUNDS {
                        for r in [off, on] {
                            barrier.wait();
                            let start = Instant::now();
                            black_box(pass(r, reqs));
                            t.push(start.elapsed());
                        }
                    }
                    t
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .collect()
    });
    let mut best = [Duration::MAX; 2];
    for k in 0..2 * ROUNDS {
        let slowest = times.iter().map(|t| t[k]).max().unwrap_or_default();
        best[k % 2] = best[k % 2].min(slowest);
    }
    let per = |d: Duration| d.as_nanos() as f64 / reqs.len() as f64;
    eprintln!(
        "interleaved, {threads} thread(s), min of {ROUNDS} rounds of {} requests per thread: \
         off {:.1} ns/request, on {:.1} ns/request, on/off {:.3}",
        reqs.len(),
        per(best[0]),
        per(best[1]),
        per(best[1]) / per(best[0])
    );
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--test");
    let n = if smoke { 100 } else { RULES };
    let t = tenants::generate(n, n as u64);
    let config = t.set.config();
    let router = |counters| {
        Router::new(
            &config,
            Options {
                counters,
                ..Options::default()
            },
        )
        .expect("router")
    };
    let (off, on) = (router(false), router(true));
    let reqs = t.random_requests(REQUESTS, 1);
    assert_eq!(pass(&off, &reqs), pass(&on, &reqs));
    if !smoke {
        interleaved(&off, &on, &reqs, 1);
        interleaved(&off, &on, &reqs, 2);
    }
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    let mut g = c.benchmark_group(format!("counters/{n}"));
    g.throughput(Throughput::Elements(reqs.len() as u64));
    for (name, r) in [("off", &off), ("on", &on)] {
        g.bench_function(format!("one_thread/{name}"), |b| {
            b.iter(|| black_box(pass(r, &reqs)))
        });
    }
    for (name, r) in [("off", &off), ("on", &on)] {
        g.bench_function(format!("two_threads/{name}"), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..2 {
                        s.spawn(|| {
                            for _ in 0..iters {
                                black_box(pass(r, &reqs));
                            }
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    g.finish();
    if let Some(stats) = on.stats() {
        let hits: u64 = stats.rules.iter().map(|r| r.matches).sum();
        let misses: u64 = stats.listeners.iter().map(|l| l.not_found).sum();
        eprintln!("counted: {hits} hits, {misses} misses");
    }
    c.final_summary();
}
