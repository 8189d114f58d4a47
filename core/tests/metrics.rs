//! Opt-in lookup counters: per rule the requests it won, per listener the 404 and 421
//! answers, summed over the per-thread shards; and their Prometheus text.

use trieway::metrics::{prometheus_text, Stats};
use trieway::{Options, Request, Router};

const DEMO: &str = include_str!("../examples/demo.yaml");

fn demo(counters: bool) -> Router {
    Router::from_yaml(
        DEMO,
        Options {
            counters,
            ..Options::default()
        },
    )
    .unwrap()
}

fn rule(stats: &Stats, name: &str, rule: &str) -> u64 {
    stats
        .rules
        .iter()
        .find(|r| r.name == name && r.rule_label() == rule)
        .unwrap_or_else(|| panic!("no rule {name} {rule}: {stats:#?}"))
        .matches
}

fn misses(stats: &Stats, port: Option<u16>, listener: Option<&str>) -> (u64, u64) {
    let l = stats
        .listeners
        .iter()
        .find(|l| l.port == port && l.listener.as_deref() == listener)
        .unwrap_or_else(|| panic!("no row {port:?} {listener:?}: {stats:#?}"));
    (l.not_found, l.misdirected)
}

#[test]
fn off_by_default() {
    let r = demo(false);
    r.route(&Request::new("GET", "store.example.com", "/").port(443));
    assert!(r.stats().is_none());
}

#[test]
fn hits_and_misses_are_counted_where_they_happen() {
    let r = demo(true);
    let https = |host: &'static str, path: &'static str| Request::new("GET", host, path).port(443);
    for _ in 0..3 {
        r.route(&https("store.example.com", "/cart"));
    }
    r.route(&https("store.example.com", "/healthz"));
    r.route(&Request::new("GET", "store.example.com", "/").port(80));
    // 404 on the https listener: its Host selects it, no route hostname matches.
    r.route(&https("shop.example.com", "/"));
    r.route(&https("shop.example.com", "/x"));
    // 421: the Host selects https, the SNI no listener.
    r.route(&https("store.example.com", "/").sni("other.org"));
    // No listener of port 443 matches the host; no listener on port 8080.
    r.route(&https("example.org", "/"));
    r.route(&Request::new("GET", "store.example.com", "/").port(8080));
    // Explanations are not traffic: not counted.
    r.explain(&https("store.example.com", "/cart"));
    r.explain(&https("shop.example.com", "/"));
    let s = r.stats().unwrap();
    assert_eq!(s.gateway, "infra/edge");
    assert_eq!(rule(&s, "store", "canary-split"), 3);
    assert_eq!(rule(&s, "store", "health"), 1);
    assert_eq!(rule(&s, "https-redirect", "to-https"), 1);
    assert_eq!(rule(&s, "blog", "everything-else"), 0);
    assert_eq!(misses(&s, Some(443), Some("https")), (2, 1));
    assert_eq!(misses(&s, Some(443), None), (1, 0));
    assert_eq!(misses(&s, Some(80), Some("http")), (0, 0));
    assert_eq!(misses(&s, None, None), (1, 0));
    let text = prometheus_text(&s);
    assert!(
        text.contains("# TYPE trieway_rule_matches_total counter\n"),
        "{text}"
    );
    assert!(text.contains(
        "trieway_rule_matches_total{gateway=\"infra/edge\",kind=\"HTTPRoute\",namespace=\"tenant-a\",route=\"store\",rule=\"canary-split\"} 3\n"
    ), "{text}");
    assert!(text.contains(
        "trieway_listener_misses_total{gateway=\"infra/edge\",port=\"443\",listener=\"https\",status=\"421\"} 1\n"
    ), "{text}");
    // Every sample line is `name{labels} value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once("} ").expect(line);
        value.parse::<u64>().expect(line);
    }
}

/// Counts from several threads (each in its own shard) add up.
#[test]
fn threads_add_up() {
    let r = demo(true);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..500 {
                    r.route(&Request::new("GET", "store.example.com", "/cart").port(443));
                }
            });
        }
    });
    assert_eq!(rule(&r.stats().unwrap(), "store", "canary-split"), 4000);
}
