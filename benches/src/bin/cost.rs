//! Reproduces the compile and walk costs of issue #15 (findings 3, 6 and 7) with in-memory
//! configurations, and prints one line per scenario:
//!
//! ```text
//! cargo run --release -p trieway-benches --bin cost                 # every scenario
//! cargo run --release -p trieway-benches --bin cost -- binary       # one of them
//! TRIEWAY_COST_LOOPS=100 valgrind --tool=callgrind --toggle-collect='*lookup_loop*' \
//!     target/release/cost binary                                     # instructions, 100 lookups
//! ```
//!
//! Scenarios: `exact-one-node` (400,000 Exact paths under one node, `Router::new` time),
//! `exact-spread` (the same over 800 nodes), `wild-one-label` (200,000 wildcard hostnames
//! under one label), `binary*` (2^14 templates over {literal, `[^/]+`}^14, µs per lookup of
//! misses: one segment too many, or only the last segment deciding; short segments or an
//! 8,000-byte one), `diverge` (505 templates that branch off a literal
//! spine at every depth), `deep` (1,016 nested templates, looked up on threads with 192 KiB and
//! 64 KiB stacks: a recursive walk aborts the process there).
//!
//! Only the public API is used, so the same file measures older revisions too.

use std::hint::black_box;
use std::time::Instant;
use trieway::Router;
use trieway_benches::spec::{MatchSpec, PathSpec, Req, RouteSet, RouteSpec, RuleSpec};

/// Routes of 16 rules of up to 8 matches each (at most 128 per route), every match one of `paths`, hostnames `hosts`
/// (split 16 per route when there are more).
fn set(paths: Vec<PathSpec>, hosts: Vec<String>) -> RouteSet {
    let mut s = RouteSet {
        services: vec![("ns".into(), "svc".into())],
        ..RouteSet::default()
    };
    let mut rules: Vec<RuleSpec> = paths
        .chunks(8)
        .map(|c| RuleSpec {
            matches: c.iter().cloned().map(MatchSpec::path).collect(),
            backends: vec![("svc".into(), 1)],
        })
        .collect();
    if rules.is_empty() {
        rules.push(RuleSpec {
            matches: vec![MatchSpec::path(PathSpec::Prefix("/".into()))],
            backends: vec![("svc".into(), 1)],
        });
    }
    let host_chunks: Vec<Vec<String>> = if hosts.is_empty() {
        vec![Vec::new()]
    } else {
        hosts.chunks(16).map(|c| c.to_vec()).collect()
    };
    let mut i = 0;
    for hs in host_chunks {
        for chunk in rules.chunks(16) {
            s.routes.push(RouteSpec {
                namespace: "ns".into(),
                name: format!("r{i}"),
                created: trieway_benches::spec::created(0),
                hostnames: hs.clone(),
                rules: chunk.to_vec(),
            });
            i += 1;
        }
    }
    s
}

/// Loads `s` (untimed) and times `Router::new`.
fn compile(s: &RouteSet) -> (Router, f64) {
    let config = s.config();
    assert!(config.errors().is_empty(), "{:?}", &config.errors()[..1]);
    let t = Instant::now();
    let r = Router::new(&config, trieway::Options::default()).expect("router");
    (r, t.elapsed().as_secs_f64())
}

/// `n` lookups of `req`: the only function worth counting under callgrind.
#[inline(never)]
fn lookup_loop(r: &Router, req: &Req, n: u32) {
    let v = req.view();
    for _ in 0..n {
        black_box(r.route(black_box(&v)));
    }
}

/// Median µs per lookup of `req` over a few rounds; with `TRIEWAY_COST_LOOPS=n`, the time of
/// exactly `n` lookups in [`lookup_loop`] (for callgrind).
fn lookup_us(r: &Router, req: &Req) -> f64 {
    if let Some(n) = std::env::var("TRIEWAY_COST_LOOPS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        let t = Instant::now();
        lookup_loop(r, req, n);
        return t.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1));
    }
    let v = req.view();
    let mut times = Vec::new();
    for _ in 0..7 {
        let mut n = 0u32;
        let t = Instant::now();
        while t.elapsed().as_millis() < 50 || n < 3 {
            black_box(r.route(black_box(&v)));
            n += 1;
        }
        times.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(n));
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn exact_one_node() {
    let n = 400_000;
    let paths = (0..n)
        .map(|i| PathSpec::Exact(format!("/api/item-{i}")))
        .collect();
    let (r, secs) = compile(&set(paths, Vec::new()));
    let hit = lookup_us(&r, &Req::get("example.com", "/api/item-399999"));
    println!("exact-one-node: {n} Exact paths under one node: Router::new {secs:.2} s; lookup {hit:.3} µs");
}

fn exact_spread() {
    let n = 400_000;
    let paths = (0..n)
        .map(|i| PathSpec::Exact(format!("/api/n{}/item-{i}", i % 800)))
        .collect();
    let (_, secs) = compile(&set(paths, Vec::new()));
    println!("exact-spread: {n} Exact paths over 800 nodes: Router::new {secs:.2} s");
}

fn wild_one_label() {
    let n = 200_000;
    let hosts = (0..n).map(|i| format!("*.t{i}.example.com")).collect();
    let (r, secs) = compile(&set(Vec::new(), hosts));
    let hit = lookup_us(&r, &Req::get("a.t199999.example.com", "/"));
    println!("wild-one-label: {n} wildcard hostnames under one label: Router::new {secs:.2} s; lookup {hit:.3} µs");
}

/// 2^14 templates over {`a`, `[^/]+`}^14. `last`: the 14th segment is always `a` (2^13
/// templates) and the path has the right length but ends in `b` (a miss only the last segment
/// decides); otherwise the path has one segment too many. `long`: that segment is 8,000 bytes.
fn binary(last: bool, long: bool) {
    const D: usize = 14;
    let paths = (0..1u32 << D)
        .filter(|mask| !last || mask >> (D - 1) & 1 == 0)
        .map(|mask| {
            let segs: String = (0..D)
                .map(|i| if mask >> i & 1 == 1 { "/[^/]+" } else { "/a" })
                .collect();
            PathSpec::Regex(segs)
        })
        .collect::<Vec<_>>();
    let n = paths.len();
    let (r, secs) = compile(&set(paths, Vec::new()));
    let seg = if long { "b".repeat(8000) } else { "b".into() };
    let path = if last {
        format!("{}/{seg}", "/a".repeat(D - 1))
    } else {
        format!("{}/{seg}/x", "/a".repeat(D - 1))
    };
    let req = Req::get("example.com", &path);
    let matched = r.route(&req.view()).matched().is_some();
    let us = lookup_us(&r, &req);
    let what = match (last, long) {
        (false, false) => "one segment too many",
        (false, true) => "one segment too many, an 8,000-byte segment",
        (true, false) => "miss at the last segment",
        (true, true) => "miss at an 8,000-byte last segment",
    };
    println!("binary: {n} templates over {{a, [^/]+}}^{D} (Router::new {secs:.2} s): {what}: {us:.1} µs (matched = {matched})");
}

fn diverge() {
    const K: usize = 505;
    // Template k: `a` for k segments, `[^/]+`, then `a` up to K + 1 segments.
    let paths = (0..K)
        .map(|k| PathSpec::Regex(format!("{}/[^/]+{}", "/a".repeat(k), "/a".repeat(K - k))))
        .collect();
    let (r, secs) = compile(&set(paths, Vec::new()));
    let miss = Req::get("example.com", &format!("{}/b", "/a".repeat(K)));
    let matched = r.route(&miss.view()).matched().is_some();
    let us = lookup_us(&r, &miss);
    println!("diverge: {K} templates branching off a literal spine at every depth (Router::new {secs:.2} s): miss at the last segment {us:.1} µs (matched = {matched})");
}

fn deep() {
    const K: usize = 1016;
    // Template `/` repeated k times then `(/.*)?` (PathPrefix values may not hold `//`): k
    // empty segments, every level open.
    let paths = (1..=K)
        .map(|k| PathSpec::Regex(format!("{}(/.*)?", "/".repeat(k))))
        .collect();
    let (r, secs) = compile(&set(paths, Vec::new()));
    let req = Req::get("example.com", &format!("{}x", "/".repeat(K + 1)));
    for kib in [192, 64] {
        let ok = std::thread::scope(|sc| {
            std::thread::Builder::new()
                .stack_size(kib * 1024)
                .spawn_scoped(sc, || r.route(&req.view()).matched().is_some())
                .expect("thread")
                .join()
                .expect("join")
        });
        println!("deep: {K} nested templates (Router::new {secs:.2} s): lookup on a {kib} KiB stack: matched = {ok}");
    }
}

fn main() {
    let which = std::env::args().nth(1);
    let all: [(&str, fn()); 9] = [
        ("exact-one-node", exact_one_node),
        ("exact-spread", exact_spread),
        ("wild-one-label", wild_one_label),
        ("binary", || binary(false, false)),
        ("binary-long", || binary(false, true)),
        ("binary-last", || binary(true, false)),
        ("binary-last-long", || binary(true, true)),
        ("diverge", diverge),
        ("deep", deep),
    ];
    for (name, f) in all {
        if which.as_deref().is_none_or(|w| w == name) {
            f();
        }
    }
}
