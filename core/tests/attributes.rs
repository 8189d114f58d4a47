//! OpenTelemetry attributes of a match: a low-cardinality `http.route` for each path kind
//! (the configured value or pattern, never the request's path) and the gateway, listener,
//! route and rule identifiers.

mod common;

use trieway::metrics::AttributeValue::{self, Int, Str};
use trieway::{Config, Headers, Options, Request, Router};

fn attrs(r: &Router, target: &str) -> Vec<(&'static str, String)> {
    let o = r.route(&Request::new("GET", "h.example.com", target));
    let m = o.matched().unwrap_or_else(|| panic!("{target}: no match"));
    m.attributes().map(|(k, v)| (k, show(v))).collect()
}

fn show(v: AttributeValue<'_>) -> String {
    match v {
        Str(s) => s.to_string(),
        Int(i) => format!("#{i}"),
        _ => unreachable!(),
    }
}

fn http_route(r: &Router, target: &str) -> String {
    attrs(r, target)
        .into_iter()
        .find(|(k, _)| *k == "http.route")
        .map(|(_, v)| v)
        .expect("http.route")
}

#[test]
fn http_route_per_path_kind() {
    let r = common::router(&common::route(
        "default",
        "r",
        "  rules:\n  - name: exact\n    matches: [{path: {type: Exact, value: /health}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: PathPrefix, value: /api/}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: RegularExpression, value: '/users/(?P<id>[^/]+)/repos'}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: RegularExpression, value: '/files/(?P<name>.*)\\.txt'}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - backendRefs: [{name: svc-a, port: 80}]",
    ));
    assert_eq!(http_route(&r, "/health"), "/health");
    // PathPrefix: the configured value, whatever follows in the request.
    assert_eq!(http_route(&r, "/api/orders/42?x=1"), "/api/");
    // A template regex (matched by the trie) and a general regex: the pattern, with the
    // parameter names, not the values.
    assert_eq!(
        http_route(&r, "/users/alice/repos"),
        "/users/(?P<id>[^/]+)/repos"
    );
    assert_eq!(
        http_route(&r, "/files/a/b.txt"),
        "/files/(?P<name>.*)\\.txt"
    );
    // A rule without matches: the implied PathPrefix /.
    assert_eq!(http_route(&r, "/other"), "/");
    assert_eq!(
        attrs(&r, "/health"),
        [
            ("http.route", "/health".to_string()),
            ("trieway.gateway", "infra/gw".to_string()),
            ("trieway.listener", "http".to_string()),
            ("trieway.hostname", "*".to_string()),
            ("trieway.route.kind", "HTTPRoute".to_string()),
            ("trieway.route.namespace", "default".to_string()),
            ("trieway.route.name", "r".to_string()),
            ("trieway.rule.index", "#0".to_string()),
            ("trieway.rule.name", "exact".to_string()),
        ]
    );
    // No rule name: no `trieway.rule.name`.
    let a = attrs(&r, "/api/x");
    assert!(
        a.contains(&("trieway.rule.index", "#1".to_string())),
        "{a:?}"
    );
    assert!(!a.iter().any(|(k, _)| *k == "trieway.rule.name"), "{a:?}");
}

#[test]
fn grpc_route_template() {
    let text = format!(
        "{}{}\n---\n{}",
        common::BASE,
        common::services(),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: g, namespace: default}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  rules:\n  - matches: [{method: {service: foo.Echo, method: Ping}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{method: {type: RegularExpression, service: 'bar\\..*'}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - backendRefs: [{name: svc-a, port: 80}]\n"
    );
    let config = Config::from_str(&text);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    let r = Router::new(&config, Options::default()).unwrap();
    let route = |path: &str| {
        let req = Request::new("POST", "h", path).headers(Headers::Pairs(&[]));
        let o = r.route_grpc(&req);
        let m = o.matched().expect(path);
        (
            m.http_route().to_string(),
            m.attributes().nth(4).map(|(k, v)| (k, show(v))),
        )
    };
    assert_eq!(
        route("/foo.Echo/Ping"),
        (
            "/foo.Echo/Ping".into(),
            Some(("trieway.route.kind", "GRPCRoute".into()))
        )
    );
    assert_eq!(route("/bar.Svc/Anything").0, "/bar\\..*/*");
    assert_eq!(route("/baz.Svc/X").0, "/*/*");
}

#[test]
fn ingress_path() {
    let yaml = include_str!("../examples/ingress.yaml");
    let config = Config::from_str(yaml);
    let r = Router::from_ingress(&config, None, Options::default());
    let o = r.route(&Request::new("GET", "shop.example.com", "/products/42"));
    let m = o.matched().expect("ingress match");
    assert_eq!(m.http_route(), "/products");
    // No listener for Ingress.
    assert!(!m.attributes().any(|(k, _)| k == "trieway.listener"));
}
