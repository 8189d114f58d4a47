//! Measures the regex cost model against issue #15's findings 1 and 2 (SECURITY.md, "Regular
//! expressions"): time per request on hard patterns, validation and compile time and peak heap
//! of the hostile configurations, heap growth after requests on two threads.
//!
//! ```text
//! cargo run --release -p trieway-benches --bin regex_cost
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::time::Instant;
use trieway::{Config, Headers, Options, Request, Router};

/// Counts live and peak heap bytes of the whole process.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grow(by: isize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call goes unchanged to the system allocator; the only addition is counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
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
        grow(new_size as isize - layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const BASE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: trieway
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{port: 80}]}
"#;

fn route(name: &str, rules: &str) -> String {
    format!(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  parentRefs: [{{name: gw, namespace: infra}}]\n  rules:\n{rules}\n"
    )
}

fn mib(b: isize) -> f64 {
    b as f64 / (1 << 20) as f64
}

/// Runs `f`, returning its result, milliseconds and the peak heap above the start (MiB).
fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let start = LIVE.load(Relaxed);
    PEAK.store(start, Relaxed);
    let t = Instant::now();
    let out = f();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    (out, ms, mib(PEAK.load(Relaxed) - start))
}

/// Loads and compiles `text`, printing validation and compile time and peak heap.
fn load(label: &str, text: &str) -> Option<Router> {
    let (config, vms, vpeak) = measure(|| Config::from_str(&format!("{BASE}{text}")));
    println!(
        "{label}: {} bytes of YAML; validation {vms:.1} ms, peak {vpeak:.1} MiB, {} errors",
        text.len(),
        config.errors().len()
    );
    if let Some(e) = config.errors().first() {
        println!("  first error: {}: {}", e.field, e.message);
    }
    let before = LIVE.load(Relaxed);
    let (router, cms, cpeak) = measure(|| Router::new(&config, Options::default()));
    let router = router.ok()?;
    println!(
        "  Router::new {cms:.1} ms, peak {cpeak:.1} MiB, Router keeps {:.1} MiB (regex DFAs {:.1} MiB)",
        mib(LIVE.load(Relaxed) - before),
        mib(router.regex_memory() as isize)
    );
    Some(router)
}

/// Median time of one lookup (µs) over `n` runs.
fn per_request(router: &Router, path: &str, headers: &[(&str, &str)], n: usize) -> f64 {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let req = Request::new("GET", "h", path).headers(Headers::Pairs(headers));
            let s = Instant::now();
            black_box(router.route(black_box(&req)));
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[n / 2]
}

fn main() {
    println!("## Finding 1: regex CPU per request\n");
    let hostile = "(?:(?:a?){100}){100}.*b";
    load(
        "path /(?:(?:a?){100}){100}.*b",
        &route(
            "f1",
            &format!("  - matches: [{{path: {{type: RegularExpression, value: '/{hostile}'}}}}]\n    backendRefs: [{{name: svc, port: 80}}]"),
        ),
    );
    // The same shape at the largest repetition validation accepts here.
    let hard = "(?:(?:a?){10}){10}.*b";
    let router = load(
        "path and header (?:(?:a?){10}){10}.*b",
        &route(
            "f1b",
            &format!("  - matches: [{{path: {{type: RegularExpression, value: '/{hard}'}}, headers: [{{name: x, type: RegularExpression, value: '{hard}'}}]}}]\n    backendRefs: [{{name: svc, port: 80}}]"),
        ),
    )
    .expect("router");
    let long = format!("/{}", "a".repeat(16 * 1024 - 1));
    let short = format!("/{}", "a".repeat(127));
    let header = "a".repeat(100 * 1024);
    println!(
        "  16 KB path: {:.1} µs; 128-byte path: {:.2} µs; 16 KB path + 100 KB header (path matches, header not): {:.1} µs\n",
        per_request(&router, &long, &[], 201),
        per_request(&router, &short, &[], 2001),
        per_request(&router, &format!("{}b", &long[..long.len() - 1]), &[("x", &header)], 201),
    );

    println!("## Finding 2: regex memory\n");
    let rules100: String = (0..100)
        .map(|i| {
            route(
                &format!("r{i}"),
                &format!("  - matches: [{{path: {{type: RegularExpression, value: '/[a-z]{{14000}}N{i}'}}}}]\n    backendRefs: [{{name: svc, port: 80}}]"),
            )
        })
        .collect();
    load("100 rules /[a-z]{14000}N", &rules100);
    let rules: String = (0..100)
        .map(|i| {
            route(
                &format!("r{i}"),
                &format!("  - matches: [{{path: {{type: RegularExpression, value: '/[a-z]{{2000}}N{i}'}}}}]\n    backendRefs: [{{name: svc, port: 80}}]"),
            )
        })
        .collect();
    load("100 rules /[a-z]{2000}N (accepted)", &rules);
    let rules: String = (0..3000)
        .map(|i| {
            route(
                &format!("u{i}"),
                &format!("  - matches: [{{path: {{type: RegularExpression, value: '/u{i}/\\w+'}}}}]\n    backendRefs: [{{name: svc, port: 80}}]"),
            )
        })
        .collect();
    load("3,000 rules /uN/\\w+ (Unicode classes)", &rules);

    load(
        "one HTTPRoute, 128 matches x 16 header regexes [a-z]{4000}K",
        &route("big", &header_regex_rules("[a-z]{4000}K")),
    );
    // Few DFA states, each a large set of NFA states: the slowest builds per DFA byte.
    for k in [100, 150, 200, 300] {
        let rules = header_regex_rules(&format!("(?:a?){{{k}}}a*bK"));
        load(
            &format!("one HTTPRoute, 128 matches x 16 header regexes (?:a?){{{k}}}a*bK"),
            &route("big", &rules),
        );
    }

    let cache: String = (0..100)
        .map(|i| {
            route(
                &format!("c{i}"),
                &format!("  - matches: [{{path: {{type: RegularExpression, value: '/(?:a?){{1000}}a*b{i}'}}}}]\n    backendRefs: [{{name: svc, port: 80}}]"),
            )
        })
        .collect();
    load("100 rules /(?:a?){1000}a*bN", &cache);
    let cache: String = (0..100)
        .map(|i| {
            route(
                &format!("c{i}"),
                &format!("  - matches: [{{path: {{type: RegularExpression, value: '/(?:a?){{100}}a*b{i}'}}}}]\n    backendRefs: [{{name: svc, port: 80}}]"),
            )
        })
        .collect();
    let router = load("100 rules /(?:a?){100}a*bN", &cache).expect("router");
    let path = format!("/{}b99", "a".repeat(8000));
    let before = LIVE.load(Relaxed);
    black_box(router.route(&Request::new("GET", "h", &path)));
    let one = LIVE.load(Relaxed) - before;
    let r2 = router.clone();
    let p2 = path.clone();
    let spawned = std::thread::spawn(move || {
        let before = LIVE.load(Relaxed);
        black_box(r2.route(&Request::new("GET", "h", &p2)));
        LIVE.load(Relaxed) - before
    })
    .join()
    .unwrap_or(-1);
    println!(
        "  heap growth after one request: {one} bytes; after a request on a second thread: {spawned} bytes"
    );
}

/// 8 rules x 16 matches x 16 header conditions, each the RegularExpression `{prefix}{i}` with a
/// distinct `i` (so no two regexes are the same).
fn header_regex_rules(prefix: &str) -> String {
    let mut rules = String::new();
    for r in 0..8 {
        rules.push_str("  - backendRefs: [{name: svc, port: 80}]\n    matches:\n");
        for m in 0..16 {
            rules.push_str("    - headers: [");
            for h in 0..16 {
                let i = (r * 16 + m) * 16 + h;
                rules.push_str(&format!(
                    "{{name: x{h}, type: RegularExpression, value: '{prefix}{i}'}}, "
                ));
            }
            rules.push_str("]\n");
        }
    }
    rules
}
