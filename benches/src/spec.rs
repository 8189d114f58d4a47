//! The generated route sets in a plain form that both sides of a comparison read: [`RouteSet`]
//! becomes a trieway [`Config`] (as JSON values, through `ConfigBuilder::add_value`) and a
//! [`crate::linear::Linear`] matcher, so the two never share parsing or compilation code.

use serde_json::{json, Value};
use trieway::{Config, Headers, Options, Request, Router};

/// Namespace of the generated Gateway.
pub const GATEWAY_NS: &str = "infra";
/// Name of the generated Gateway.
pub const GATEWAY_NAME: &str = "gw";
/// Port of every generated backend Service.
pub const SERVICE_PORT: u16 = 8080;

/// A path condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSpec {
    /// `Exact`.
    Exact(String),
    /// `PathPrefix`.
    Prefix(String),
    /// `RegularExpression` (unanchored as written; anchored to the whole path when matched).
    Regex(String),
}

impl PathSpec {
    /// The configured value.
    pub fn value(&self) -> &str {
        match self {
            PathSpec::Exact(v) | PathSpec::Prefix(v) | PathSpec::Regex(v) => v,
        }
    }
}

/// One `matches[]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchSpec {
    /// Path condition.
    pub path: PathSpec,
    /// Method condition.
    pub method: Option<&'static str>,
    /// Exact header conditions `(name, value)` with distinct names.
    pub headers: Vec<(&'static str, &'static str)>,
    /// Exact query conditions `(name, value)` with distinct names.
    pub query: Vec<(&'static str, &'static str)>,
}

impl MatchSpec {
    /// A match on a path only.
    pub fn path(path: PathSpec) -> Self {
        MatchSpec {
            path,
            method: None,
            headers: Vec::new(),
            query: Vec::new(),
        }
    }
}

/// One rule: its matches and weighted backends `(service, weight)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// Matches (ORed).
    pub matches: Vec<MatchSpec>,
    /// BackendRefs: Service name in the route's namespace, weight.
    pub backends: Vec<(String, u32)>,
}

/// One HTTPRoute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `creationTimestamp`, seconds since the epoch (precedence K8).
    pub created: i64,
    /// Hostnames (empty: every host).
    pub hostnames: Vec<String>,
    /// Rules (1–16).
    pub rules: Vec<RuleSpec>,
}

/// A whole generated configuration: routes plus the Services they name.
#[derive(Debug, Clone, Default)]
pub struct RouteSet {
    /// Routes, in generation order.
    pub routes: Vec<RouteSpec>,
    /// Services `(namespace, name)` to create.
    pub services: Vec<(String, String)>,
}

/// RFC 3339 text for seconds since the epoch within 2024 (enough for generated stamps).
fn timestamp(secs: i64) -> String {
    // 2024-01-01T00:00:00Z = 1704067200; the generators stay within January.
    let t = secs - 1_704_067_200;
    assert!(
        (0..31 * 86_400).contains(&t),
        "timestamp outside January 2024"
    );
    let (d, rem) = (t / 86_400, t % 86_400);
    format!(
        "2024-01-{:02}T{:02}:{:02}:{:02}Z",
        d + 1,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// `creationTimestamp` of the `k`-th stamp used by generators (`k` < 31·24).
pub fn created(k: i64) -> i64 {
    1_704_067_200 + k * 3600
}

impl RouteSet {
    /// Number of rules over all routes.
    pub fn rule_count(&self) -> usize {
        self.routes.iter().map(|r| r.rules.len()).sum()
    }

    /// Number of matches over all rules.
    pub fn match_count(&self) -> usize {
        self.routes
            .iter()
            .flat_map(|r| &r.rules)
            .map(|r| r.matches.len())
            .sum()
    }

    /// The JSON objects of the configuration: GatewayClass, Gateway (one HTTP listener on port
    /// 80 without hostname, routes from every namespace), Services, HTTPRoutes.
    pub fn to_values(&self) -> Vec<Value> {
        let mut out = Vec::with_capacity(2 + self.services.len() + self.routes.len());
        out.push(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "trieway"},
            "spec": {"controllerName": "example.com/gateway-under-test"}
        }));
        out.push(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": GATEWAY_NAME, "namespace": GATEWAY_NS},
            "spec": {
                "gatewayClassName": "trieway",
                "listeners": [{
                    "name": "http", "port": 80, "protocol": "HTTP",
                    "allowedRoutes": {"namespaces": {"from": "All"}}
                }]
            }
        }));
        for (ns, name) in &self.services {
            out.push(json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"ports": [{"name": "http", "port": SERVICE_PORT}]}
            }));
        }
        for r in &self.routes {
            out.push(route_value(r));
        }
        out
    }

    /// The trieway configuration (loaded and validated).
    pub fn config(&self) -> Config {
        let mut c = Config::builder();
        for (i, v) in self.to_values().into_iter().enumerate() {
            c.add_value(v, "gen", i);
        }
        c.finish()
    }

    /// A Router with default options; panics when the generated configuration is refused.
    pub fn router(&self) -> Router {
        router_of(&self.config())
    }
}

/// A Router with default options over a configuration the generators made; panics on any
/// configuration error (the generators only make valid objects).
pub fn router_of(config: &Config) -> Router {
    assert!(
        config.errors().is_empty(),
        "generated config is invalid: {:?}",
        &config.errors()[..config.errors().len().min(3)]
    );
    Router::new(config, Options::default()).expect("router")
}

fn match_value(m: &MatchSpec) -> Value {
    let (kind, value) = match &m.path {
        PathSpec::Exact(v) => ("Exact", v),
        PathSpec::Prefix(v) => ("PathPrefix", v),
        PathSpec::Regex(v) => ("RegularExpression", v),
    };
    let mut v = json!({"path": {"type": kind, "value": value}});
    if let Some(method) = m.method {
        v["method"] = json!(method);
    }
    if !m.headers.is_empty() {
        v["headers"] = m
            .headers
            .iter()
            .map(|(n, val)| json!({"name": n, "value": val}))
            .collect();
    }
    if !m.query.is_empty() {
        v["queryParams"] = m
            .query
            .iter()
            .map(|(n, val)| json!({"name": n, "value": val}))
            .collect();
    }
    v
}

fn route_value(r: &RouteSpec) -> Value {
    let rules: Vec<Value> = r
        .rules
        .iter()
        .map(|rule| {
            json!({
                "matches": rule.matches.iter().map(match_value).collect::<Vec<_>>(),
                "backendRefs": rule.backends.iter().map(|(svc, w)| json!({
                    "name": svc, "port": SERVICE_PORT, "weight": w
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut spec = json!({
        "parentRefs": [{"name": GATEWAY_NAME, "namespace": GATEWAY_NS}],
        "rules": rules,
    });
    if !r.hostnames.is_empty() {
        spec["hostnames"] = json!(r.hostnames);
    }
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {
            "name": r.name,
            "namespace": r.namespace,
            "creationTimestamp": timestamp(r.created),
        },
        "spec": spec,
    })
}

/// A generated request, owned; [`Req::view`] borrows it as a trieway [`Request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Req {
    /// Method.
    pub method: &'static str,
    /// Host (already normalized: lowercase, no port).
    pub host: String,
    /// Request target: path, optionally `?query`.
    pub target: String,
    /// Header lines in order.
    pub headers: Vec<(&'static str, &'static str)>,
}

/// Headers every generated request carries besides the ones a rule asks for, so that header
/// lookups scan a realistic list.
pub const COMMON_HEADERS: &[(&str, &str)] = &[
    ("user-agent", "curl/8.5.0"),
    ("accept", "*/*"),
    ("accept-encoding", "gzip, br"),
    ("x-request-id", "8c1f0d4e-3b9a-4c2e-9f1d-2a7b6e5c4d3a"),
    ("x-forwarded-for", "203.0.113.7"),
];

impl Req {
    /// A GET with the common headers.
    pub fn get(host: &str, target: &str) -> Self {
        Req {
            method: "GET",
            host: host.to_string(),
            target: target.to_string(),
            headers: COMMON_HEADERS.to_vec(),
        }
    }

    /// The path (target up to `?`).
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The query (after the first `?`).
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// This request as trieway sees it (no copy).
    pub fn view(&self) -> Request<'_> {
        Request::new(self.method, &self.host, &self.target).headers(Headers::Pairs(&self.headers))
    }
}

/// Who won a lookup: `(namespace, name, rule index, match index)`, or `None` for 404.
pub type Winner = Option<(String, String, usize, usize)>;

/// The winner of a trieway lookup.
pub fn trieway_winner(router: &Router, req: &Req) -> Winner {
    router.route(&req.view()).matched().map(|m| {
        let r = m.route();
        (
            r.namespace.to_string(),
            r.name.to_string(),
            m.rule_index(),
            m.match_index(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(1_704_067_200), "2024-01-01T00:00:00Z");
        assert_eq!(timestamp(created(25) + 61), "2024-01-02T01:01:01Z");
    }
}
