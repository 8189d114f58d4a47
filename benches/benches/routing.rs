//! Criterion benchmarks: trieway's Router against the linear baseline (and matchit on the
//! path-only GitHub API set), in one run so that ratios are comparable on a noisy machine.
//!
//! `cargo bench -p trieway-benches` runs everything; `TRIEWAY_BENCH_QUICK=1` limits the sizes
//! and shortens measurements; `cargo bench -p trieway-benches -- --test` runs each benchmark
//! once at small sizes (the CI smoke run).

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use trieway::Router;
use trieway_benches::linear::Linear;
use trieway_benches::matchit_tenants::{MatchitTenants, Prepared};
use trieway_benches::spec::Req;
use trieway_benches::{envoy, envoy_sizes, github, quick, sizes, tenants};

/// The linear matcher is O(N) per lookup: above this size it only costs time.
const LINEAR_MAX: usize = 10_000;

fn smoke() -> bool {
    std::env::args().any(|a| a == "--test")
}

fn tenant_sizes() -> Vec<usize> {
    if smoke() {
        vec![10, 1_000]
    } else {
        sizes()
    }
}

fn route(router: &Router, req: &Req) -> bool {
    router.route(black_box(&req.view())).matched().is_some()
}

fn github_set(c: &mut Criterion) {
    let set = github::route_set();
    let router = set.router();
    let linear = Linear::new(&set);
    let mm = github::matchit_router();
    let reqs = github::requests();
    // Both get their input prepared outside the loop: trieway a request view (path and query
    // split, as a proxy has them), matchit the path.
    let views: Vec<_> = reqs.iter().map(Req::view).collect();
    let paths: Vec<&str> = reqs.iter().map(Req::path).collect();
    let mut g = c.benchmark_group("github");
    g.throughput(Throughput::Elements(reqs.len() as u64));
    g.bench_function("trieway", |b| {
        b.iter(|| {
            for r in &views {
                black_box(router.route(black_box(r)).matched().is_some());
            }
        })
    });
    g.bench_function("matchit", |b| {
        b.iter(|| {
            for p in &paths {
                black_box(mm.at(black_box(p)).is_ok());
            }
        })
    });
    g.bench_function("linear", |b| {
        b.iter(|| {
            for r in &reqs {
                black_box(linear.route(black_box(r)));
            }
        })
    });
    g.finish();
}

fn tenant_sets(c: &mut Criterion) {
    let built: Vec<_> = tenant_sizes()
        .into_iter()
        .map(|n| {
            let mut t = tenants::generate(n, n as u64);
            // Lookups never read Services; without them Router::new stays fast above 10,000
            // rules even while its backend resolution is quadratic.
            if n > LINEAR_MAX {
                t.set.services.clear();
            }
            let router = t.set.router();
            let linear = (n <= LINEAR_MAX).then(|| Linear::new(&t.set));
            let engine = MatchitTenants::new(&t.set);
            (n, t.scenarios(), router, linear, engine)
        })
        .collect();
    type Pick = fn(&tenants::Scenarios) -> &Req;
    let scenarios: [(&str, Pick); 6] = [
        ("first", |s| &s.first),
        ("last", |s| &s.last),
        ("miss_host", |s| &s.miss_host),
        ("miss_path", |s| &s.miss_path),
        ("header", |s| &s.header),
        ("query", |s| &s.query),
    ];
    for (name, pick) in scenarios {
        let mut g = c.benchmark_group(format!("tenants/{name}"));
        for (n, s, router, linear, engine) in &built {
            let req = pick(s);
            g.bench_with_input(BenchmarkId::new("trieway", n), req, |b, req| {
                b.iter(|| route(router, req))
            });
            // The target split inside the loop, as `route` builds trieway's view.
            g.bench_with_input(BenchmarkId::new("matchit-tenants", n), req, |b, req| {
                b.iter(|| engine.route(black_box(&Prepared::of(req))).is_some())
            });
            if let Some(linear) = linear {
                g.bench_with_input(BenchmarkId::new("linear", n), req, |b, req| {
                    b.iter(|| linear.route(black_box(req)))
                });
            }
        }
        g.finish();
    }
}

fn envoy_shape(c: &mut Criterion) {
    let ns = if smoke() { vec![1, 64] } else { envoy_sizes() };
    for kind in envoy::Kind::ALL {
        let mut g = c.benchmark_group(format!("envoy/{}", kind.name()));
        for &n in &ns {
            let set = envoy::route_set(kind, n);
            let router = set.router();
            let linear = Linear::new(&set);
            let req = envoy::request(n);
            g.bench_with_input(BenchmarkId::new("trieway", n), &req, |b, req| {
                b.iter(|| route(&router, req))
            });
            g.bench_with_input(BenchmarkId::new("linear", n), &req, |b, req| {
                b.iter(|| linear.route(black_box(req)))
            });
        }
        g.finish();
    }
}

fn compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10);
    let ns: &[usize] = if smoke() || quick() {
        &[100, 1_000]
    } else {
        &[100, 1_000, 10_000]
    };
    for &n in ns {
        let set = tenants::generate(n, n as u64).set;
        let config = set.config();
        g.bench_with_input(BenchmarkId::new("config", n), &set, |b, set| {
            b.iter(|| set.config())
        });
        g.bench_with_input(BenchmarkId::new("router", n), &config, |b, config| {
            b.iter(|| trieway_benches::spec::router_of(config))
        });
    }
    g.finish();
}

fn main() {
    let base = Criterion::default();
    let base = if quick() {
        base.measurement_time(Duration::from_millis(800))
            .warm_up_time(Duration::from_millis(200))
            .sample_size(20)
    } else {
        base.measurement_time(Duration::from_secs(2))
            .warm_up_time(Duration::from_millis(500))
    };
    let mut c = base.configure_from_args();
    github_set(&mut c);
    tenant_sets(&mut c);
    envoy_shape(&mut c);
    compile(&mut c);
    c.final_summary();
}
