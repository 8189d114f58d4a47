//! GRPCRoute (SPEC §7.1, §4.3), TLSRoute (§7.2), TCPRoute and UDPRoute (§7.3).

mod common;
use trieway::{Config, Headers, Options, Outcome, Request, Router, Target, TlsOutcome};

const GATEWAY: &str = r#"
---
apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: infra}
type: kubernetes.io/tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: trieway
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - {name: tls-pass, port: 443, protocol: TLS, hostname: '*.example.com', tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}
  - {name: https, port: 443, protocol: HTTPS, hostname: 'web.example.org', tls: {certificateRefs: [{name: cert}]}, allowedRoutes: {namespaces: {from: All}}}
  - {name: tls-term, port: 8443, protocol: TLS, tls: {mode: Terminate, certificateRefs: [{name: cert}]}, allowedRoutes: {namespaces: {from: All}}}
  - {name: tcp, port: 9000, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
  - {name: udp, port: 9001, protocol: UDP, allowedRoutes: {namespaces: {from: All}}}
"#;

fn router(routes: &str) -> Router {
    let config = Config::from_str(&format!(
        "{}\n{}{GATEWAY}{routes}",
        common::CLASS,
        common::services()
    ));
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    Router::new(&config, Options::default()).expect("router")
}

fn grpc(r: &Router, host: &str, path: &str, headers: &[(&str, &str)]) -> String {
    let req = Request::new("POST", host, path)
        .headers(Headers::Pairs(headers))
        .port(80);
    common::describe(r.route_grpc(&req))
}

fn route(kind: &str, name: &str, created: &str, spec: &str) -> String {
    format!("---\napiVersion: gateway.networking.k8s.io/v1\nkind: {kind}\nmetadata: {{name: {name}, namespace: default, creationTimestamp: '{created}'}}\nspec:\n  parentRefs: [{{name: gw, namespace: infra}}]\n{spec}\n")
}

const T0: &str = "2024-01-01T00:00:00Z";
const T1: &str = "2024-06-01T00:00:00Z";

/// gRPC Exact service+method compares both; service only matches any method of it; method
/// only matches any service; no match is UNIMPLEMENTED (404 here).
#[test]
fn grpc_exact_matching() {
    let r = router(&route(
        "GRPCRoute",
        "g",
        T0,
        "  rules:\n  - matches: [{method: {service: foo.Echo, method: Ping}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{method: {service: foo.Other}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{method: {method: Status}}]\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    assert_eq!(grpc(&r, "h", "/foo.Echo/Ping", &[]), "default/g#0");
    assert_eq!(grpc(&r, "h", "/foo.Echo/Pong", &[]), "404");
    assert_eq!(grpc(&r, "h", "/foo.Other/Anything", &[]), "default/g#1");
    assert_eq!(grpc(&r, "h", "/bar.Svc/Status", &[]), "default/g#2");
    assert_eq!(grpc(&r, "h", "/malformed", &[]), "404");
}

/// SPEC §4.3: more characters in the matching service beat more in the method, which beat
/// more header matches; regex components count 0.
#[test]
fn grpc_precedence() {
    let r = router(&route(
        "GRPCRoute",
        "g",
        T0,
        "  rules:\n  - matches: [{method: {method: Ping}, headers: [{name: x, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{method: {service: foo.Echo}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{method: {type: RegularExpression, service: 'foo\\.Echo.*', method: Ping}}]\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    // Rule 1's exact service (8 chars) beats rule 0's method and header, and rule 2's regex.
    assert_eq!(
        grpc(&r, "h", "/foo.Echo/Ping", &[("x", "1")]),
        "default/g#1"
    );
    // Without rule 1's service, the method (4 chars, rule 0 and 2 tie) falls to headers.
    assert_eq!(
        grpc(&r, "h", "/foo.EchoX/Ping", &[("x", "1")]),
        "default/g#0"
    );
    assert_eq!(grpc(&r, "h", "/foo.EchoX/Ping", &[]), "default/g#2");
}

/// A GRPCRoute without matches matches every call; GRPCRoutes never serve plain HTTP lookups.
#[test]
fn grpc_match_all_and_separation() {
    let r = router(&route(
        "GRPCRoute",
        "g",
        T0,
        "  hostnames: [grpc.example.com]\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]",
    ));
    assert_eq!(grpc(&r, "grpc.example.com", "/x.Y/Z", &[]), "default/g#0");
    assert_eq!(grpc(&r, "other.example.com", "/x.Y/Z", &[]), "404");
    assert_eq!(
        common::hit(&r, "GET", "grpc.example.com", "/x.Y/Z", &[]),
        "404"
    );
}

fn tls(r: &Router, port: u16, sni: Option<&str>) -> String {
    match r.route_tls(port, sni) {
        TlsOutcome::Forward(m) => format!(
            "{}/{} passthrough={}",
            m.route().namespace,
            m.route().name,
            m.passthrough()
        ),
        TlsOutcome::Http => "http".into(),
        _ => "reject".into(),
    }
}

/// TLSRoute: the SNI selects the listener, then the most specific route hostname, then the
/// oldest route; no SNI or no route rejects; an HTTPS listener's SNI goes to HTTP routing.
#[test]
fn tls_sni_routing() {
    let r = router(&[
        route("TLSRoute", "wild", T0, "  hostnames: ['*.example.com']\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
        route("TLSRoute", "exact-new", T1, "  hostnames: [abc.example.com]\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
        route("TLSRoute", "exact-old", T0, "  hostnames: [abc.example.com]\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
        route("TLSRoute", "term", T0, "  hostnames: [t.example.net]\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
    ]
    .concat());
    assert_eq!(
        tls(&r, 443, Some("abc.example.com")),
        "default/exact-old passthrough=true"
    );
    assert_eq!(
        tls(&r, 443, Some("ABC.example.com.")),
        "default/exact-old passthrough=true"
    );
    assert_eq!(
        tls(&r, 443, Some("x.y.example.com")),
        "default/wild passthrough=true"
    );
    assert_eq!(tls(&r, 443, Some("example.com")), "reject");
    assert_eq!(tls(&r, 443, None), "reject");
    assert_eq!(tls(&r, 443, Some("web.example.org")), "http");
    assert_eq!(
        tls(&r, 8443, Some("t.example.net")),
        "default/term passthrough=false"
    );
    assert_eq!(tls(&r, 8443, Some("u.example.net")), "reject");
}

/// TCPRoute/UDPRoute: the oldest route of the listener carries the traffic (SPEC §2.4) and the
/// weighted draw picks per connection.
#[test]
fn tcp_udp_oldest_route_and_weights() {
    let r = router(&[
        route("TCPRoute", "new", T1, "  rules: [{backendRefs: [{name: svc-b, port: 80}]}]"),
        route("TCPRoute", "old", T0, "  rules: [{backendRefs: [{name: svc-a, port: 80, weight: 1}, {name: svc-c, port: 80, weight: 3}]}]"),
        route("UDPRoute", "dns", T0, "  rules: [{backendRefs: [{name: missing, port: 53}]}]"),
    ]
    .concat());
    let m = r.route_tcp(9000).expect("tcp");
    assert_eq!(m.route().name, "old");
    let name = |t: Target<'_>| match t {
        Target::Backend(b) => b.name().to_string(),
        Target::Status(s) => s.to_string(),
        _ => String::new(),
    };
    assert_eq!(name(m.pick(0)), "svc-a");
    assert_eq!(name(m.pick(u64::MAX)), "svc-c");
    assert!(r.route_tcp(9999).is_none());
    let u = r.route_udp(9001).expect("udp");
    assert_eq!(
        name(u.pick(0)),
        "500",
        "an invalid backend's share is dropped"
    );
    assert!(matches!(
        r.route(&Request::new("GET", "h", "/").port(9000)),
        Outcome::NotFound
    ));
}

/// Issue #14: each served TLSRoute version keeps its own schema. v1alpha2 accepts a route
/// without hostnames (it then takes the listener's hostname, or every SNI on a listener
/// without one) and up to 16 rules (only the first is served; the others are reported);
/// v1alpha3 and v1 require hostnames and exactly one rule, and the messages name the version.
#[test]
fn tls_route_versions_follow_their_own_schema() {
    let versioned = |version: &str, name: &str, spec: &str| {
        route("TLSRoute", name, T0, spec).replace(
            "gateway.networking.k8s.io/v1\nkind: TLSRoute",
            &format!("gateway.networking.k8s.io/{version}\nkind: TLSRoute"),
        )
    };
    let one_rule = "  rules: [{backendRefs: [{name: svc-a, port: 80}]}]";
    let r = router(&versioned("v1alpha2", "any", one_rule));
    assert_eq!(
        tls(&r, 443, Some("abc.example.com")),
        "default/any passthrough=true"
    );
    assert_eq!(
        tls(&r, 8443, Some("anything.example.net")),
        "default/any passthrough=false"
    );
    assert_eq!(tls(&r, 443, Some("example.org")), "reject");

    let config = |routes: &str| {
        Config::from_str(&format!(
            "{}\n{}{GATEWAY}{routes}",
            common::CLASS,
            common::services()
        ))
    };
    let problems = |c: &Config| -> Vec<(String, String, String)> {
        c.errors()
            .iter()
            .map(|e| (e.object.clone(), e.field.clone(), e.message.clone()))
            .collect()
    };
    let two_rules = "  hostnames: [abc.example.com]\n  rules: [{name: a, backendRefs: [{name: \
                     svc-a, port: 80}]}, {name: b, backendRefs: [{name: svc-b, port: 80}]}]";
    let c = config(&versioned("v1alpha2", "two", two_rules));
    assert_eq!(c.tls_routes().len(), 1);
    assert_eq!(
        problems(&c),
        [(
            "default/two".into(),
            "spec.rules[1]".into(),
            "TLSRoute v1alpha2 allows up to 16 rules, but only the first is served (v1 allows \
             exactly 1) (rule 1 dropped: UnsupportedValue)"
                .into()
        )]
    );
    let r = Router::new(&c, Options::default()).expect("router");
    assert_eq!(
        tls(&r, 443, Some("abc.example.com")),
        "default/two passthrough=true"
    );

    for version in ["v1", "v1alpha3"] {
        let c = config(&versioned(version, "none", one_rule));
        assert!(c.tls_routes().is_empty(), "{version}");
        assert_eq!(
            problems(&c),
            [(
                "default/none".into(),
                "spec.hostnames".into(),
                format!(
                    "required in TLSRoute {version}: must have at least 1 hostname (found 0; \
                     only v1alpha2 allows a TLSRoute without hostnames)"
                )
            )]
        );
        let c = config(&versioned(version, "two", two_rules));
        assert!(c.tls_routes().is_empty(), "{version}");
        assert_eq!(
            problems(&c),
            [(
                "default/two".into(),
                "spec.rules".into(),
                format!("must have exactly 1 rule in TLSRoute {version} (found 2)")
            )]
        );
    }
}
