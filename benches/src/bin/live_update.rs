//! Time from `Live::apply` to visibility for one changed HTTPRoute at 1,000 / 10,000 /
//! 100,000 rules, next to a full rebuild of the same configuration (load and validate the
//! objects, attach, compile), measured in the same run:
//!
//! ```text
//! cargo run --release -p trieway-benches --bin live_update            # 1k, 10k, 100k
//! cargo run --release -p trieway-benches --bin live_update -- 100000  # one size
//! cargo run --release -p trieway-benches --features mimalloc --bin live_update -- 100000
//! ```
//!
//! With `--features mimalloc` the binary runs on mimalloc instead of the system allocator
//! (the full build allocates a lot; glibc's malloc roughly doubles its time).
//!
//! Each line gives the median of `TRIEWAY_LIVE_RUNS` (default 7) updates, each changing the
//! path of a different tenant's route and checking that the next lookup sees it; the parts
//! of a full rebuild (load + validate, attach alone via `Report::attach`, `Router::new`) show
//! what dominates. Dropping the built Router is timed apart and not counted in the rebuild:
//! building does not free a Router (a live update frees the version it replaced after
//! publishing the new one, off the path to visibility); earlier versions of this benchmark
//! counted it in `Router::new`.
//!
//! Each full-rebuild part is also given in on-CPU time of the building thread (Linux:
//! `/proc/thread-self/schedstat`; the median of the rounds, `TRIEWAY_LIVE_ROUNDS`, default
//! 3): on a shared machine it is less disturbed than the elapsed time by other processes.
//!
//! Then the resident memory before one more update and its peak during it (two versions
//! coexist while the new one is built and published; Linux only), and
//! (`TRIEWAY_LIVE_THROUGHPUT_SECS`, default 2; 0 skips it) the lookup throughput of 2
//! reader threads routing the generator's random requests through `Live::load`, idle and
//! while a third thread applies a one-route change every 10 ms (or back to back when an
//! update takes longer), in the same run.

/// mimalloc as the global allocator, with `--features mimalloc`.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trieway::{Change, Config, Headers, Live, Options, Outcome, Report, Request, Router};
use trieway_benches::tenants;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The time this thread has run on a CPU (Linux; `None` elsewhere).
fn cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The on-CPU time `f` took on this thread (zero where unknown), with its result.
fn on_cpu<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = cpu_time();
    let out = f();
    let spent = match (start, cpu_time()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => Duration::ZERO,
    };
    (out, spent)
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
        let (mut load_cpu, mut attach_cpu, mut build_cpu) = (Vec::new(), Vec::new(), Vec::new());
        let (mut drops, mut drop_cpu) = (Vec::new(), Vec::new());
        let mut config = Config::default();
        // `TRIEWAY_LIVE_ONLY=1`: one full build only (to profile the updates).
        let rounds = if std::env::var_os("TRIEWAY_LIVE_ONLY").is_some() {
            1
        } else {
            std::env::var("TRIEWAY_LIVE_ROUNDS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(3usize)
                .max(1)
        };
        for _ in 0..rounds {
            // The loader takes the objects by value: copied before the clock starts.
            let copies = values.clone();
            let start = Instant::now();
            let (built, cpu) = on_cpu(|| {
                let mut b = Config::builder().with_threads(load_threads());
                for (i, v) in copies.into_iter().enumerate() {
                    b.add_value(v, "gen", i);
                }
                b.finish()
            });
            config = built;
            load.push(start.elapsed());
            load_cpu.push(cpu);
            let start = Instant::now();
            let ((), cpu) = on_cpu(|| {
                std::hint::black_box(Report::attach(&config, None));
            });
            attach.push(start.elapsed());
            attach_cpu.push(cpu);
            let start = Instant::now();
            let (router, cpu) = on_cpu(|| {
                std::hint::black_box(Router::new(&config, Options::default()).expect("router"))
            });
            build.push(start.elapsed());
            build_cpu.push(cpu);
            // Freeing the Router, timed on its own: not part of building one (a live update
            // frees the version it replaced after publishing the new one).
            let start = Instant::now();
            let ((), cpu) = on_cpu(|| drop(router));
            drops.push(start.elapsed());
            drop_cpu.push(cpu);
        }
        let (load, attach, build) = (median(load), median(attach), median(build));
        let (load_cpu, attach_cpu, build_cpu) =
            (median(load_cpu), median(attach_cpu), median(build_cpu));
        let (drops, drop_cpu) = (median(drops), median(drop_cpu));
        let live = Arc::new(Live::new(config, Options::default()).expect("live"));
        // Where each HTTPRoute's object is in `values` (found once, so that making a change
        // costs the writer thread little next to applying it).
        let at: std::collections::HashMap<(&str, &str), usize> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v["kind"] == "HTTPRoute")
            .filter_map(|(i, v)| {
                let m = &v["metadata"];
                Some(((m["namespace"].as_str()?, m["name"].as_str()?), i))
            })
            .collect();
        let change = |k: usize| -> (serde_json::Value, String, String, String) {
            // The route of a tenant, its first rule moved to a new path.
            let route_index = (k * 7919) % t.set.routes.len();
            let route = &t.set.routes[route_index];
            let mut value = values[at[&(route.namespace.as_str(), route.name.as_str())]].clone();
            let path = format!("/moved-{k}");
            value["spec"]["rules"][0]["matches"] =
                serde_json::json!([{"path": {"type": "PathPrefix", "value": path}}]);
            let host = match route.hostnames.first() {
                Some(h) if h.starts_with("*.") => format!("app.{}", &h[2..]),
                Some(h) => h.clone(),
                None => t.hosts[0].clone(),
            };
            (value, host, path, route.name.clone())
        };
        let mut updates = Vec::new();
        for k in 0..runs {
            let (value, host, path, name) = change(k);
            let start = Instant::now();
            let result = live.apply([Change::upsert(value)]);
            let seen = matches!(
                live.load().route(&Request::new("GET", &host, &path)),
                Outcome::Matched(m) if m.route().name == name.as_str()
            );
            updates.push(start.elapsed());
            assert!(result.is_clean() && result.published, "{result}");
            assert!(result.incremental, "{:?}", result.full_build);
            assert!(seen, "update not visible: {host}{path}");
        }
        // Memory while two versions coexist: the peak resident size during one more apply
        // (Linux: /proc/self/clear_refs resets the peak), against the resident size before.
        let rss_before = proc_status_kb("VmRSS");
        let peak = std::fs::write("/proc/self/clear_refs", "5")
            .ok()
            .and_then(|()| {
                let (value, ..) = change(runs + 1000);
                live.apply([Change::upsert(value)]);
                proc_status_kb("VmHWM")
            });
        if let (Some(before), Some(peak)) = (rss_before, peak) {
            println!(
                "{n:>7} rules: resident {} MB before an apply, peak {} MB during it (+{} MB)",
                before / 1024,
                peak / 1024,
                peak.saturating_sub(before) / 1024
            );
        }
        // One Service changed (a label): the routes that reference it are attached and
        // compiled again.
        let mut service_updates = Vec::new();
        for k in 0..runs {
            let mut value = values
                .iter()
                .filter(|v| v["kind"] == "Service")
                .nth((k * 7919) % t.set.services.len())
                .expect("a Service")
                .clone();
            value["metadata"]["labels"] = serde_json::json!({ "rev": k.to_string() });
            let start = Instant::now();
            let result = live.apply([Change::upsert(value)]);
            service_updates.push(start.elapsed());
            assert!(result.is_clean() && result.published, "{result}");
            assert!(result.incremental, "{:?}", result.full_build);
        }
        println!(
            "{n:>7} rules: one Service changed: apply->visible {} (median of {runs})",
            ms(median(service_updates)),
        );
        println!(
            "{n:>7} rules: apply->visible {} (median of {runs}) | full rebuild {} = load+validate {} + Router::new {} (attach alone {}; dropping the Router {}, not counted)",
            ms(median(updates)),
            ms(load + build),
            ms(load),
            ms(build),
            ms(attach),
            ms(drops),
        );
        if load_cpu > Duration::ZERO {
            println!(
                "{n:>7} rules: on CPU: full rebuild {} = load+validate {} + Router::new {} (attach alone {}; dropping the Router {}, not counted)",
                ms(load_cpu + build_cpu),
                ms(load_cpu),
                ms(build_cpu),
                ms(attach_cpu),
                ms(drop_cpu),
            );
        }
        let secs: u64 = std::env::var("TRIEWAY_LIVE_THROUGHPUT_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2);
        if secs > 0 {
            let requests = Arc::new(t.random_requests(1000, 7));
            let idle = throughput(&live, &requests, Duration::from_secs(secs), None);
            let mut k = runs;
            let busy = throughput(
                &live,
                &requests,
                Duration::from_secs(secs),
                Some(&mut || {
                    let (value, ..) = change(k);
                    k += 1;
                    live.apply([Change::upsert(value)]).published
                }),
            );
            println!(
                "{n:>7} rules: 2 readers {:.2} M lookups/s idle, {:.2} M/s while updating ({} updates, {:+.1} %)",
                idle.0 / 1e6,
                busy.0 / 1e6,
                busy.1,
                (busy.0 / idle.0 - 1.0) * 100.0
            );
        }
    }
}

/// A `kB` field of /proc/self/status (`None` off Linux).
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Lookups per second of 2 reader threads over `requests` for `time`, while this thread
/// calls `update` every 10 ms (or back to back when it takes longer); and the update count.
fn throughput(
    live: &Arc<Live>,
    requests: &Arc<Vec<trieway_benches::spec::Req>>,
    time: Duration,
    update: Option<&mut dyn FnMut() -> bool>,
) -> (f64, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (live, requests, stop, count) =
                (live.clone(), requests.clone(), stop.clone(), count.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    for r in requests.iter() {
                        let req = Request::new(r.method, &r.host, &r.target)
                            .headers(Headers::Pairs(&r.headers));
                        std::hint::black_box(live.load().route(&req).status(0));
                    }
                    n += requests.len() as u64;
                }
                count.fetch_add(n, Ordering::Relaxed);
            })
        })
        .collect();
    let start = Instant::now();
    let mut updates = 0;
    match update {
        Some(update) => {
            while start.elapsed() < time {
                let t = Instant::now();
                updates += usize::from(update());
                if let Some(left) = Duration::from_millis(10).checked_sub(t.elapsed()) {
                    std::thread::sleep(left);
                }
            }
        }
        None => std::thread::sleep(time),
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().expect("reader");
    }
    let elapsed = start.elapsed().as_secs_f64();
    (count.load(Ordering::Relaxed) as f64 / elapsed, updates)
}

/// `TRIEWAY_LOAD_THREADS` (default 0: the machine's parallelism), for
/// `ConfigBuilder::with_threads`.
fn load_threads() -> usize {
    std::env::var("TRIEWAY_LOAD_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
