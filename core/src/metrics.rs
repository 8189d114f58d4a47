//! Opt-in lookup counters ([`Options::counters`](crate::Options::counters)): per rule, the
//! requests it won; per listener, the 404 and 421 answers. [`Router::stats`] takes a
//! snapshot, [`prometheus_text`] renders it in the Prometheus text exposition format.
//!
//! The counters cost no allocation and no shared cache line: each thread counts in its own
//! shard (one of 16, picked in turn once per thread), a shard's counters start on their own
//! 64-byte line, and a snapshot sums the shards. Beyond 16 threads, threads share shards; the
//! increments are atomic, so no count is lost, only some contention comes back.
//!
//! ```
//! # let yaml = include_str!("../examples/demo.yaml");
//! use trieway::{Options, Request, Router};
//! let router = Router::from_yaml(yaml, Options { counters: true, ..Options::default() }).unwrap();
//! router.route(&Request::new("GET", "store.example.com", "/cart").port(443));
//! let stats = router.stats().expect("counters are on");
//! let text = trieway::metrics::prometheus_text(&stats);
//! assert!(text.contains(r#"trieway_rule_matches_total{gateway="infra/edge",kind="HTTPRoute",namespace="tenant-a",route="store",rule="canary-split"} 1"#));
//! ```

use crate::compile::Compiled;
use crate::model::RouteKind;
use crate::request::{normalize_host, RequestView};
use crate::router::{Outcome, RouteMatch, Router};
use serde::Serialize;
use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Number of counter shards: threads pick one in turn, the first time they count.
const SHARDS: usize = 16;

/// Counters per 64-byte line.
const PER_LINE: usize = 8;

/// One cache line of counters.
#[derive(Debug, Default)]
#[repr(align(64))]
struct Line([AtomicU64; PER_LINE]);

/// The counters of one Router: `SHARDS` shards of `slots` counters each, every shard starting
/// on its own line.
#[derive(Debug)]
pub(crate) struct Counters {
    lines: Box<[Line]>,
    /// Lines per shard.
    stride: usize,
    slots: usize,
}

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's shard, `usize::MAX` until it first counts.
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// This thread's shard number (below `SHARDS`).
#[inline]
fn shard() -> usize {
    SHARD
        .try_with(|s| {
            let mut v = s.get();
            if v == usize::MAX {
                v = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
                s.set(v);
            }
            v
        })
        // A thread being torn down counts in shard 0.
        .unwrap_or(0)
}

impl Counters {
    /// `slots` counters per shard, all zero.
    pub(crate) fn new(slots: usize) -> Counters {
        let stride = slots.div_ceil(PER_LINE).max(1);
        let lines = (0..stride * SHARDS).map(|_| Line::default()).collect();
        Counters {
            lines,
            stride,
            slots,
        }
    }

    /// Adds one to counter `slot` (ignored when out of range) in this thread's shard.
    #[inline]
    pub(crate) fn add(&self, slot: usize) {
        if slot >= self.slots {
            return;
        }
        let line = shard() * self.stride + slot / PER_LINE;
        if let Some(l) = self.lines.get(line) {
            l.0[slot % PER_LINE].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The sum of counter `slot` over the shards.
    pub(crate) fn get(&self, slot: usize) -> u64 {
        (0..SHARDS)
            .filter_map(|s| self.lines.get(s * self.stride + slot / PER_LINE))
            .map(|l| l.0[slot % PER_LINE].load(Ordering::Relaxed))
            .sum()
    }
}

/// A snapshot of a Router's counters ([`Router::stats`](crate::Router::stats)). Each counter
/// is read once, without stopping lookups, so counters of one snapshot may be a few requests
/// apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// `namespace/name` of the Gateway (`ingress/CLASS` for an Ingress Router).
    pub gateway: String,
    /// Every compiled rule, with the requests it won.
    pub rules: Vec<RuleStats>,
    /// Every listener, with its 404 and 421 answers; a 404 no listener took (no listener
    /// serves the port, or none matches the host) counts on a row with `listener` `None`.
    pub listeners: Vec<ListenerStats>,
}

/// The requests one rule won.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RuleStats {
    /// The route's kind.
    pub kind: RouteKind,
    /// The route's namespace.
    pub namespace: String,
    /// The route's name.
    pub name: String,
    /// Index of the rule in `spec.rules`.
    pub rule_index: usize,
    /// The rule's `name`, if set.
    pub rule_name: Option<String>,
    /// Requests routed to it.
    pub matches: u64,
}

impl RuleStats {
    /// The `rule` label: the rule's name, or its index.
    pub fn rule_label(&self) -> String {
        match &self.rule_name {
            Some(n) => n.clone(),
            None => self.rule_index.to_string(),
        }
    }
}

/// The misses of one listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ListenerStats {
    /// The port (`None`: a request for a port no listener serves).
    pub port: Option<u16>,
    /// The listener (`None`: no listener of the port took the request, or listener isolation
    /// is off).
    pub listener: Option<String>,
    /// 404 answers (gRPC UNIMPLEMENTED).
    pub not_found: u64,
    /// 421 answers.
    pub misdirected: u64,
}

/// Escapes a Prometheus label value: backslash, double quote and newline.
fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// The Prometheus text exposition (format 0.0.4) of `stats`: the counter families
/// `trieway_rule_matches_total{gateway, kind, namespace, route, rule}` (rule: the rule's name,
/// or its index) and `trieway_listener_misses_total{gateway, port, listener, status}` (status
/// `404` or `421`; `port` and `listener` empty when unknown). Serve it on `/metrics` with
/// content type `text/plain; version=0.0.4`.
pub fn prometheus_text(stats: &Stats) -> String {
    let gw = label(&stats.gateway);
    let mut s = String::new();
    s.push_str(
        "# HELP trieway_rule_matches_total Requests routed to a route rule.\n\
         # TYPE trieway_rule_matches_total counter\n",
    );
    for r in &stats.rules {
        let _ = writeln!(
            s,
            "trieway_rule_matches_total{{gateway=\"{gw}\",kind=\"{}\",namespace=\"{}\",route=\"{}\",rule=\"{}\"}} {}",
            r.kind,
            label(&r.namespace),
            label(&r.name),
            label(&r.rule_label()),
            r.matches
        );
    }
    s.push_str(
        "# HELP trieway_listener_misses_total Requests answered 404 (no rule matches) or 421 \
         (misdirected), per listener.\n\
         # TYPE trieway_listener_misses_total counter\n",
    );
    for l in &stats.listeners {
        let port = l.port.map(|p| p.to_string()).unwrap_or_default();
        let name = label(l.listener.as_deref().unwrap_or(""));
        for (status, n) in [("404", l.not_found), ("421", l.misdirected)] {
            let _ = writeln!(
                s,
                "trieway_listener_misses_total{{gateway=\"{gw}\",port=\"{port}\",listener=\"{name}\",status=\"{status}\"}} {n}"
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shard's counters start on their own cache line, and a snapshot sums them.
    #[test]
    fn shards_on_their_own_lines_and_summed() {
        assert_eq!(std::mem::align_of::<Line>(), 64);
        let c = Counters::new(9);
        assert_eq!(c.stride, 2);
        assert_eq!(c.lines.len(), 2 * SHARDS);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        c.add(8);
                    }
                    c.add(0);
                });
            }
        });
        assert_eq!(c.get(8), 4000);
        assert_eq!(c.get(0), 4);
        assert_eq!(c.get(1), 0);
        // Out of range: ignored.
        c.add(9);
        assert_eq!(c.get(9), 0);
    }

    #[test]
    fn labels_are_escaped() {
        let stats = Stats {
            gateway: "ns/gw".into(),
            rules: vec![RuleStats {
                kind: RouteKind::Http,
                namespace: "a".into(),
                name: "r".into(),
                rule_index: 2,
                rule_name: Some("x\"y\\z\n".into()),
                matches: 7,
            }],
            listeners: vec![ListenerStats {
                port: None,
                listener: None,
                not_found: 3,
                misdirected: 0,
            }],
        };
        let text = prometheus_text(&stats);
        assert!(text.contains(
            "trieway_rule_matches_total{gateway=\"ns/gw\",kind=\"HTTPRoute\",namespace=\"a\",route=\"r\",rule=\"x\\\"y\\\\z\\n\"} 7\n"
        ), "{text}");
        assert!(text.contains(
            "trieway_listener_misses_total{gateway=\"ns/gw\",port=\"\",listener=\"\",status=\"404\"} 3\n"
        ), "{text}");
    }
}

/// A Router's counters and where each listener's misses go: rules first (one counter per
/// compiled rule), then one row of two counters (404, 421) per listener of each port, plus
/// one row per port for misses no listener took, plus one row for ports no listener serves.
#[derive(Debug)]
pub(crate) struct RouterCounters {
    counters: Counters,
    rules: usize,
    /// First row of each frontend.
    row_base: Box<[usize]>,
    /// Rows in all (the last one: unserved ports).
    rows: usize,
}

impl RouterCounters {
    pub(crate) fn new(c: &Compiled) -> RouterCounters {
        let mut row_base = Vec::with_capacity(c.frontends.len());
        let mut rows = 0;
        for fe in &c.frontends {
            row_base.push(rows);
            rows += fe.listeners.len() + 1;
        }
        rows += 1;
        RouterCounters {
            counters: Counters::new(c.rules.len() + 2 * rows),
            rules: c.rules.len(),
            row_base: row_base.into_boxed_slice(),
            rows,
        }
    }

    /// Counts the outcome of one lookup of `router` for `req`.
    #[inline]
    pub(crate) fn record<R: RequestView + ?Sized>(
        &self,
        router: &Router,
        outcome: &Outcome<'_>,
        req: &R,
    ) {
        match outcome {
            Outcome::Matched(m) => self.counters.add(m.rule_id() as usize),
            Outcome::Misdirected => self.miss(router.compiled(), req, 1),
            _ => self.miss(router.compiled(), req, 0),
        }
    }

    /// Counts a miss (`which`: 0 for 404, 1 for 421) on the row of the listener the request's
    /// port and host select, found again as the lookup found it.
    #[cold]
    fn miss<R: RequestView + ?Sized>(&self, c: &Compiled, req: &R, which: usize) {
        let row = self.row(c, req);
        self.counters.add(self.rules + 2 * row + which);
    }

    fn row<R: RequestView + ?Sized>(&self, c: &Compiled, req: &R) -> usize {
        let unserved = self.rows - 1;
        if c.ingress {
            return unserved;
        }
        let index = match req.port() {
            Some(p) => c.frontends.binary_search_by_key(&p, |f| f.port).ok(),
            None => (!c.frontends.is_empty()).then_some(0),
        };
        let (Some(fi), Some(fe)) = (index, index.and_then(|i| c.frontends.get(i))) else {
            return unserved;
        };
        let base = self.row_base.get(fi).copied().unwrap_or(unserved);
        let none = base + fe.listeners.len();
        if !c.options.listener_isolation {
            return none;
        }
        // One listener without hostname takes every host: no need to read the host.
        let only_any = matches!(&fe.listeners[..], [l] if l.hostname.is_none());
        if fe.host_blind || only_any {
            return base;
        }
        let mut buf = [0u8; 256];
        let host = req.authority().and_then(|a| normalize_host(a, &mut buf));
        fe.listener_index.select(host).map_or(none, |li| base + li)
    }

    /// The snapshot.
    pub(crate) fn stats(&self, c: &Compiled) -> Stats {
        let rules = c
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let route = &c.routes[r.route as usize];
                RuleStats {
                    kind: route.kind,
                    namespace: route.namespace.to_string(),
                    name: route.name.to_string(),
                    rule_index: r.index as usize,
                    rule_name: r.name.as_deref().map(str::to_string),
                    matches: self.counters.get(i),
                }
            })
            .collect();
        let mut listeners = Vec::with_capacity(self.rows);
        let mut row = |port: Option<u16>, listener: Option<&str>| {
            let r = listeners.len();
            listeners.push(ListenerStats {
                port,
                listener: listener.map(str::to_string),
                not_found: self.counters.get(self.rules + 2 * r),
                misdirected: self.counters.get(self.rules + 2 * r + 1),
            });
        };
        for fe in &c.frontends {
            for l in &fe.listeners {
                row(Some(fe.port), Some(&l.name));
            }
            row(Some(fe.port), None);
        }
        row(None, None);
        Stats {
            gateway: c.gateway.clone(),
            rules,
            listeners,
        }
    }
}

impl Router {
    /// A snapshot of the lookup counters, `None` unless the Router was built with
    /// [`Options::counters`](crate::Options::counters). Counts [`Router::route`] and
    /// [`Router::route_grpc`] lookups; render with [`prometheus_text`].
    pub fn stats(&self) -> Option<Stats> {
        self.counters().map(|k| k.stats(self.compiled()))
    }
}

/// The value of an OpenTelemetry attribute of a match ([`RouteMatch::attributes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeValue<'r> {
    /// A string, borrowed from the Router.
    Str(&'r str),
    /// An integer.
    Int(i64),
}

impl<'r> RouteMatch<'r> {
    /// The matched route template, low-cardinality, as OpenTelemetry's `http.route` wants it:
    /// the Exact or PathPrefix value as configured, the RegularExpression path as configured
    /// (with its named groups, `/users/(?P<id>[0-9]+)`, not the request's values), for a
    /// GRPCRoute `/{service}/{method}` as configured (a regex as its pattern, an absent part
    /// as `*`), for an Ingress path its value. Borrowed from the Router: no allocation.
    pub fn http_route(&self) -> &'r str {
        let info = self.info();
        match &info.grpc {
            Some(g) => &g.template,
            None => &info.path_value,
        }
    }

    /// The attributes to record on a request's span, without allocating: `http.route`
    /// ([`RouteMatch::http_route`]), then `trieway.gateway` (`namespace/name`),
    /// `trieway.listener` (absent with listener isolation off and for Ingress),
    /// `trieway.hostname` (the effective hostname that matched), `trieway.route.kind`,
    /// `trieway.route.namespace`, `trieway.route.name`, `trieway.rule.index` (an integer) and
    /// `trieway.rule.name` (when the rule has one). Every value comes from the configuration,
    /// never from the request, so the cardinality is that of the configuration.
    ///
    /// With the `opentelemetry` crate: `span.set_attribute(KeyValue::new(k, v))` with `v`
    /// converted from [`AttributeValue::Str`] or [`AttributeValue::Int`]. Here the span is a
    /// list:
    ///
    /// ```
    /// # let yaml = include_str!("../examples/demo.yaml");
    /// use trieway::metrics::AttributeValue;
    /// use trieway::{Options, Request, Router};
    /// let router = Router::from_yaml(yaml, Options::default()).unwrap();
    /// let outcome = router.route(&Request::new("GET", "blog.example.com", "/posts/42").port(443));
    /// let m = outcome.matched().unwrap();
    /// let mut span: Vec<(String, String)> = Vec::new();
    /// for (key, value) in m.attributes() {
    ///     let v = match value {
    ///         AttributeValue::Str(s) => s.to_string(),
    ///         AttributeValue::Int(i) => i.to_string(),
    ///         _ => continue,
    ///     };
    ///     span.push((key.to_string(), v));
    /// }
    /// assert_eq!(span[0], ("http.route".to_string(), "/posts/[0-9]+".to_string()));
    /// assert!(span.contains(&("trieway.route.name".to_string(), "blog".to_string())));
    /// ```
    pub fn attributes(&self) -> impl Iterator<Item = (&'static str, AttributeValue<'r>)> {
        use AttributeValue::{Int, Str};
        let route = self.route();
        let listener = Some(self.listener()).filter(|l| !l.is_empty());
        let hostname = Some(self.hostname()).filter(|h| !h.is_empty());
        [
            Some(("http.route", Str(self.http_route()))),
            Some(("trieway.gateway", Str(self.gateway()))),
            listener.map(|l| ("trieway.listener", Str(l))),
            hostname.map(|h| ("trieway.hostname", Str(h))),
            Some(("trieway.route.kind", Str(route.kind.as_str()))),
            Some(("trieway.route.namespace", Str(route.namespace))),
            Some(("trieway.route.name", Str(route.name))),
            Some((
                "trieway.rule.index",
                Int(i64::try_from(self.rule_index()).unwrap_or(i64::MAX)),
            )),
            self.rule_name().map(|n| ("trieway.rule.name", Str(n))),
        ]
        .into_iter()
        .flatten()
    }
}
