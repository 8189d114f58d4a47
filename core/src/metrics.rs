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
use crate::counters::RouterCounters;
use crate::model::RouteKind;
use crate::router::{RouteMatch, Router};
use serde::Serialize;
use std::fmt::Write as _;

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

/// The snapshot of `rc`, the counters of the Router compiled as `c`.
fn stats(rc: &RouterCounters, c: &Compiled) -> Stats {
    let rules = c
        .rules
        .iter()
        .enumerate()
        // Rules of routes a live update replaced are not in the Router any more.
        .filter(|(_, r)| !c.routes[r.route as usize].dead)
        .map(|(i, r)| {
            let route = &c.routes[r.route as usize];
            RuleStats {
                kind: route.kind,
                namespace: route.namespace.to_string(),
                name: route.name.to_string(),
                rule_index: r.index as usize,
                rule_name: r.name().map(str::to_string),
                matches: rc.counters.get(i),
            }
        })
        .collect();
    let mut listeners = Vec::with_capacity(rc.rows);
    let mut row = |port: Option<u16>, listener: Option<&str>| {
        let r = listeners.len();
        listeners.push(ListenerStats {
            port,
            listener: listener.map(str::to_string),
            not_found: rc.counters.get(rc.rules + 2 * r),
            misdirected: rc.counters.get(rc.rules + 2 * r + 1),
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

impl Router {
    /// A snapshot of the lookup counters, `None` unless the Router was built with
    /// [`Options::counters`](crate::Options::counters). Counts [`Router::route`] and
    /// [`Router::route_grpc`] lookups; render with [`prometheus_text`].
    pub fn stats(&self) -> Option<Stats> {
        self.counters().map(|k| stats(k, self.compiled()))
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
        match info.grpc() {
            Some(g) => &g.template,
            None => self.path_match().1,
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
