//! Measures the request-hygiene findings of issue #15 (4: listener selection, 5: query strings)
//! on configurations built in memory. Prints one line per scenario: build time and ns per
//! lookup (median of 7 batches).
//!
//! ```text
//! cargo run --release -p trieway-benches --bin hygiene              # every scenario
//! cargo run --release -p trieway-benches --bin hygiene -- listeners # finding 4 only
//! cargo run --release -p trieway-benches --bin hygiene -- query     # finding 5 only
//! ```
//!
//! - `listeners`: 1,000 ListenerSets × 64 listeners (exact and wildcard hostnames) on port 80
//!   of one Gateway, whose own hostname-less listener carries a catch-all route; requests to
//!   an unknown host (the Gateway's listener), to an exact and to a wildcard hostname.
//! - `query`: 128 rules on `/q`, each with one query condition that the request does not
//!   satisfy, and a fallback rule; queries of 64 KB and 1 MB of `a&a&…`, with the default
//!   options and with `max_query_len` raised above the query's length (the single-pass scan).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};
use trieway::{Options, Outcome, Request, Router};

const GATEWAY: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gc}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gc
  allowedListeners: {namespaces: {from: All}}
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
"#;

fn listener_config(sets: usize, per_set: usize) -> String {
    let mut y = String::from(GATEWAY);
    for s in 0..sets {
        let _ = write!(
            y,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n\
             metadata: {{name: ls{s}, namespace: infra}}\nspec:\n  parentRef: {{name: gw}}\n  listeners:\n"
        );
        for l in 0..per_set {
            let host = if l % 2 == 0 {
                format!("l{l}.s{s}.example.com")
            } else {
                format!("'*.w{l}.s{s}.example.com'")
            };
            let _ = writeln!(
                y,
                "  - {{name: l{l}, port: 80, protocol: HTTP, hostname: {host}}}"
            );
        }
    }
    y.push_str(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
         metadata: {name: all, namespace: infra}\nspec:\n  parentRefs: [{name: gw}]\n  \
         rules: [{backendRefs: [{name: svc, port: 80}]}]\n",
    );
    y
}

fn query_config(rules: usize) -> String {
    let mut y = String::from(GATEWAY);
    // Gateway API allows 16 rules per route: 128 conditions are 8 routes of 16 rules.
    for r in 0..rules.div_ceil(16) {
        let _ = write!(
            y,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
             metadata: {{name: q{r}, namespace: infra}}\nspec:\n  parentRefs: [{{name: gw}}]\n  rules:\n"
        );
        for k in r * 16..((r + 1) * 16).min(rules) {
            let _ = writeln!(
                y,
                "  - matches: [{{path: {{value: /q}}, queryParams: [{{name: p{k}, value: v}}]}}]\n    \
                 backendRefs: [{{name: svc, port: 80}}]"
            );
        }
    }
    y.push_str(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
         metadata: {name: fallback, namespace: infra}\nspec:\n  parentRefs: [{name: gw}]\n  \
         rules: [{backendRefs: [{name: svc, port: 80}]}]\n",
    );
    y
}

fn build(yaml: &str, options: Options) -> (Router, Duration) {
    let t = Instant::now();
    let config = trieway::Config::from_str(yaml);
    assert!(config.errors().is_empty(), "{:?}", config.errors().first());
    let router = Router::new(&config, options).expect("router");
    (router, t.elapsed())
}

/// Median ns per lookup of 7 batches of `iters` lookups; checks the route that wins (`None`:
/// no route).
fn per_lookup(router: &Router, req: &Request<'_>, want: Option<&str>, iters: u32) -> f64 {
    match router.route(req) {
        Outcome::Matched(m) => assert_eq!(Some(m.route().name), want),
        _ => assert_eq!(want, None, "no match"),
    }
    let mut batches: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(router.route(black_box(req)));
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[3]
}

fn listeners() {
    let yaml = listener_config(1_000, 64);
    let (router, took) = build(&yaml, Options::default());
    println!(
        "listeners: 1,000 ListenerSets x 64 listeners on port 80 ({:.1} MB YAML): build {:.2} s",
        yaml.len() as f64 / 1e6,
        took.as_secs_f64()
    );
    // The ListenerSet listeners have no routes: a request they select is a 404, after the
    // same selection work.
    for (what, host, want) in [
        (
            "unknown host (Gateway listener)",
            "unknown.example.org",
            Some("all"),
        ),
        ("exact listener hostname", "l0.s999.example.com", None),
        ("wildcard listener hostname", "a.w63.s999.example.com", None),
    ] {
        let req = Request::new("GET", host, "/x").port(80);
        let ns = per_lookup(&router, &req, want, 200);
        println!("listeners: {what:<32} {ns:>12.0} ns/lookup");
    }
}

fn query() {
    let yaml = query_config(128);
    let (router, took) = build(&yaml, Options::default());
    println!(
        "query: 128 query conditions on /q: build {:.3} s",
        took.as_secs_f64()
    );
    // The query read once per lookup, not once per condition.
    let raised = Options {
        max_query_len: 2 << 20,
        ..Options::default()
    };
    let (unlimited, _) = build(&yaml, raised);
    for size in [64 * 1024, 1024 * 1024] {
        let target = format!("/q?{}", "a&".repeat(size / 2));
        let req = Request::new("GET", "h.example.com", &target);
        for (what, router) in [
            ("default options", &router),
            ("max_query_len = 2 MiB", &unlimited),
        ] {
            let iters = if size > 100_000 { 20 } else { 100 };
            let ns = per_lookup(router, &req, Some("fallback"), iters);
            println!(
                "query: {:>4} KB query, {what:<24} {ns:>14.0} ns/lookup",
                size / 1024
            );
        }
    }
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    if which.is_empty() || which == "listeners" {
        listeners();
    }
    if which.is_empty() || which == "query" {
        query();
    }
}
