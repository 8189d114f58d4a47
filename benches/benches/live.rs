//! Criterion benchmark of `Live::apply`: time from `apply` of one changed HTTPRoute to the
//! lookup that sees it, next to a full rebuild (load and validate every object, attach,
//! compile) of the same configuration, in one run.
//!
//! `cargo bench -p trieway-benches --bench live -- --warm-up-time 1 --measurement-time 3`
//! (quick); 1,000 and 10,000 rules (`TRIEWAY_LIVE_BENCH_SIZES=1000,10000,100000` adds more;
//! the 100,000 case is also measured by `cargo run --release -p trieway-benches --bin
//! live_update`, which is faster to run). `-- --test` runs each benchmark once.

use criterion::{BenchmarkId, Criterion};
use std::hint::black_box;
use trieway::{Change, Config, Live, Options, Outcome, Request, Router};
use trieway_benches::tenants;

fn sizes() -> Vec<usize> {
    match std::env::var("TRIEWAY_LIVE_BENCH_SIZES") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) if std::env::args().any(|a| a == "--test") => vec![1_000],
        Err(_) => vec![1_000, 10_000],
    }
}

fn live_apply(c: &mut Criterion) {
    let mut g = c.benchmark_group("live");
    g.sample_size(10);
    for n in sizes() {
        let t = tenants::generate(n, 42);
        let values = t.set.to_values();
        let load = || {
            let mut b = Config::builder();
            for (i, v) in values.iter().enumerate() {
                b.add_value(v.clone(), "gen", i);
            }
            b.finish()
        };
        g.bench_with_input(BenchmarkId::new("full_rebuild", n), &n, |b, _| {
            b.iter(|| black_box(Router::new(&load(), Options::default()).expect("router")))
        });
        let live = Live::new(load(), Options::default()).expect("live");
        // One route (the first tenant's first), its first rule moved to a path that changes
        // on every iteration, so that every apply publishes.
        let route = &t.set.routes[0];
        let value = values
            .iter()
            .find(|v| {
                v["kind"] == "HTTPRoute"
                    && v["metadata"]["name"] == route.name.as_str()
                    && v["metadata"]["namespace"] == route.namespace.as_str()
            })
            .expect("route value")
            .clone();
        let host = match route.hostnames.first() {
            Some(h) if h.starts_with("*.") => format!("app.{}", &h[2..]),
            Some(h) => h.clone(),
            None => t.hosts[0].clone(),
        };
        let mut k = 0u64;
        g.bench_with_input(BenchmarkId::new("apply_one_route", n), &n, |b, _| {
            b.iter(|| {
                k += 1;
                let path = format!("/moved-{k}");
                let mut v = value.clone();
                v["spec"]["rules"][0]["matches"] =
                    serde_json::json!([{"path": {"type": "PathPrefix", "value": path}}]);
                let result = live.apply([Change::upsert(v)]);
                assert!(result.published, "{result}");
                let seen = matches!(
                    live.load().route(&Request::new("GET", &host, &path)),
                    Outcome::Matched(m) if m.route().name == route.name.as_str()
                );
                assert!(seen);
            })
        });
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    live_apply(&mut c);
    c.final_summary();
}
