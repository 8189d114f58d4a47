//! Time from `Live::apply` to visibility for one changed HTTPRoute at 1,000 / 10,000 /
//! 100,000 rules, next to a full rebuild of the same configuration (load and validate the
//! objects, attach, compile), measured in the same run:
//!
//! ```text
//! cargo run --release -p trieway-benches --bin live_update            # 1k, 10k, 100k
//! cargo run --release -p trieway-benches --bin live_update -- 100000  # one size
//! ```
//!
//! Each line gives the median of `TRIEWAY_LIVE_RUNS` (default 7) updates, each changing the
//! path of a different tenant's route and checking that the next lookup sees it; the parts
//! of a full rebuild (load + validate, attach alone via `Report::attach`, `Router::new`) show
//! what dominates.

use std::time::{Duration, Instant};
use trieway::{Change, Config, Live, Options, Outcome, Report, Request, Router};
use trieway_benches::tenants;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let sizes: Vec<usize> = match std::env::args().nth(1) {
        Some(n) => vec![n.parse().expect("a rule count")],
        None => vec![1_000, 10_000, 100_000],
    };
    let runs: usize = std::env::var("TRIEWAY_LIVE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    for n in sizes {
        let t = tenants::generate(n, 42);
        let values = t.set.to_values();
        // Full rebuild: load + validate every object, then attach + compile.
        let mut load = Vec::new();
        let mut attach = Vec::new();
        let mut build = Vec::new();
        let mut config = Config::default();
        for _ in 0..3 {
            let start = Instant::now();
            let mut b = Config::builder();
            for (i, v) in values.iter().enumerate() {
                b.add_value(v.clone(), "gen", i);
            }
            config = b.finish();
            load.push(start.elapsed());
            let start = Instant::now();
            std::hint::black_box(Report::attach(&config, None));
            attach.push(start.elapsed());
            let start = Instant::now();
            std::hint::black_box(Router::new(&config, Options::default()).expect("router"));
            build.push(start.elapsed());
        }
        let (load, attach, build) = (median(load), median(attach), median(build));
        let live = Live::new(config, Options::default()).expect("live");
        let mut updates = Vec::new();
        for k in 0..runs {
            // The route of a tenant, its first rule moved to a new path.
            let route_index = (k * 7919) % t.set.routes.len();
            let route = &t.set.routes[route_index];
            let mut value = values
                .iter()
                .find(|v| {
                    v["kind"] == "HTTPRoute"
                        && v["metadata"]["name"] == route.name.as_str()
                        && v["metadata"]["namespace"] == route.namespace.as_str()
                })
                .expect("route value")
                .clone();
            let path = format!("/moved-{k}");
            value["spec"]["rules"][0]["matches"] =
                serde_json::json!([{"path": {"type": "PathPrefix", "value": path}}]);
            let host = t.hosts[route_index.min(t.hosts.len() - 1)].clone();
            let host = match route.hostnames.first() {
                Some(h) if h.starts_with("*.") => format!("app.{}", &h[2..]),
                Some(h) => h.clone(),
                None => host,
            };
            let start = Instant::now();
            let result = live.apply([Change::upsert(value)]);
            let seen = matches!(
                live.load().route(&Request::new("GET", &host, &path)),
                Outcome::Matched(m) if m.route().name == route.name.as_str()
            );
            updates.push(start.elapsed());
            assert!(result.is_clean() && result.published, "{result}");
            assert!(seen, "update not visible: {host}{path}");
        }
        println!(
            "{n:>7} rules: apply->visible {} (median of {runs}) | full rebuild {} = load+validate {} + Router::new {} (attach alone {})",
            ms(median(updates)),
            ms(load + build),
            ms(load),
            ms(build),
            ms(attach),
        );
    }
}
