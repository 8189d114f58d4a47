//! Table-driven attachment tests (SPEC §2): each case is a small YAML configuration and the
//! conditions expected per route parentRef and per listener. Unit tests (not integration
//! tests), since some also check what the compiler consumes (effective hostnames, usable
//! listeners), which is crate-private.

use super::{attach, Attachment};

/// The controller the test configurations name.
const DEFAULT_CONTROLLER_NAME: Option<&str> = Some("example.com/gateway-under-test");
use crate::model::{InvalidRule, RouteKind};
use crate::{Condition, Config};

/// GatewayClasses (ours and a foreign one) and a Gateway `default/gw` with an HTTP listener.
const CLASSES: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: ours}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: theirs}
spec: {controllerName: example.net/other}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {ports: [{port: 80}]}
"#;

const GW_HTTP: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: http, port: 80, protocol: HTTP}
"#;

/// `(kind, "ns/name", parent index, condition type, status, reason)`.
type RouteExpect = (
    RouteKind,
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static str,
);
/// `(gateway ns/name, listener set ns/name or "", listener, attachedRoutes)`.
type ListenerExpect = (&'static str, &'static str, &'static str, u32);
/// `(gateway ns/name, listener set or "", listener, condition type, status, reason)`.
type ListenerCond = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

struct Case {
    name: &'static str,
    yaml: &'static str,
    routes: &'static [RouteExpect],
    /// Routes that must have no status entry at all.
    no_status: &'static [(RouteKind, &'static str)],
    listeners: &'static [ListenerExpect],
    listener_conds: &'static [ListenerCond],
}

const EMPTY: Case = Case {
    name: "",
    yaml: "",
    routes: &[],
    no_status: &[],
    listeners: &[],
    listener_conds: &[],
};

use RouteKind::{Grpc, Http, Tcp, Tls, Udp};

/// Loads without validation: attachment must cope with input that bypassed the API server, and
/// several cases here are deliberately outside the CRD rules.
fn load(yaml: &str) -> Config {
    let mut config = Config::builder().without_validation();
    config.add_str(&format!("{CLASSES}\n---\n{yaml}"), "<string>");
    let config = config.unvalidated();
    assert!(config.errors.is_empty(), "load errors: {:?}", config.errors);
    config
}

fn split(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("default", key))
}

fn check(case: &Case, config: &Config) -> Attachment {
    let a = attach(config, DEFAULT_CONTROLLER_NAME);
    let r = &a.report;
    for &(kind, key, parent, ty, status, reason) in case.routes {
        let (ns, name) = split(key);
        let rs = r
            .route(kind, ns, name)
            .unwrap_or_else(|| panic!("{}: no status for {kind} {key}: {r:#?}", case.name));
        let p = rs
            .parents
            .get(parent)
            .unwrap_or_else(|| panic!("{}: {kind} {key} has no parent #{parent}", case.name));
        let c = Condition::find(&p.conditions, ty)
            .unwrap_or_else(|| panic!("{}: {kind} {key}: no {ty}: {p:#?}", case.name));
        assert_eq!(
            (&*c.status, &*c.reason),
            (status, reason),
            "{}: {kind} {key} parent #{parent} {ty}: {}",
            case.name,
            c.message
        );
    }
    for &(kind, key) in case.no_status {
        let (ns, name) = split(key);
        assert!(
            r.route(kind, ns, name).is_none(),
            "{}: {kind} {key} must have no status",
            case.name
        );
    }
    for &(gw, ls, listener, count) in case.listeners {
        let l = r
            .listener(gw, (!ls.is_empty()).then_some(ls), listener)
            .unwrap_or_else(|| panic!("{}: no listener {gw} {ls} {listener}", case.name));
        assert_eq!(
            l.attached_routes, count,
            "{}: attachedRoutes of {gw} {ls} {listener}",
            case.name
        );
    }
    for &(gw, ls, listener, ty, status, reason) in case.listener_conds {
        let l = r
            .listener(gw, (!ls.is_empty()).then_some(ls), listener)
            .unwrap_or_else(|| panic!("{}: no listener {gw} {ls} {listener}", case.name));
        let c = Condition::find(&l.conditions, ty)
            .unwrap_or_else(|| panic!("{}: listener {listener}: no {ty}", case.name));
        assert_eq!(
            (&*c.status, &*c.reason),
            (status, reason),
            "{}: listener {gw} {ls} {listener} {ty}: {}",
            case.name,
            c.message
        );
    }
    a
}

fn run(case: &Case) -> Attachment {
    check(case, &load(case.yaml))
}

#[test]
fn accepted_and_resolved() {
    run(&Case {
        name: "accepted",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: no-rules, namespace: default}
spec:
  parentRefs: [{name: gw}]
"#,
        routes: &[
            (Http, "r", 0, "Accepted", "True", "Accepted"),
            (Http, "r", 0, "ResolvedRefs", "True", "ResolvedRefs"),
            (Http, "no-rules", 0, "Accepted", "True", "Accepted"),
            (Http, "no-rules", 0, "ResolvedRefs", "True", "ResolvedRefs"),
        ],
        listeners: &[("default/gw", "", "http", 2)],
        listener_conds: &[
            ("default/gw", "", "http", "Accepted", "True", "Accepted"),
            ("default/gw", "", "http", "Programmed", "True", "Programmed"),
            (
                "default/gw",
                "",
                "http",
                "ResolvedRefs",
                "True",
                "ResolvedRefs",
            ),
            (
                "default/gw",
                "",
                "http",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
        ],
        ..EMPTY
    });
}

#[test]
fn parents_not_served_get_no_status() {
    let a = run(&Case {
        name: "not served",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: foreign, namespace: default}
spec:
  gatewayClassName: theirs
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: classless, namespace: default}
spec:
  gatewayClassName: missing
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: foreign}, {name: classless}, {name: nowhere}, {group: "", kind: Service, name: web}]
"#,
        no_status: &[(Http, "r")],
        ..EMPTY
    });
    assert!(a.gateways.is_empty());
    assert!(a.report.listeners.is_empty());
}

#[test]
fn section_name_and_port_filtering() {
    run(&Case {
        name: "sectionName/port",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: a, port: 80, protocol: HTTP, hostname: a.example.com}
  - {name: b, port: 8080, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: by-section, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: b}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: by-port, namespace: default}
spec:
  parentRefs: [{name: gw, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both-mismatch, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: a, port: 8080}, {name: gw, sectionName: zzz}, {name: gw, port: 9}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both-match, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: b, port: 8080}]
"#,
        routes: &[
            (Http, "by-section", 0, "Accepted", "True", "Accepted"),
            (Http, "by-port", 0, "Accepted", "True", "Accepted"),
            (
                Http,
                "both-mismatch",
                0,
                "Accepted",
                "False",
                "NoMatchingParent",
            ),
            (
                Http,
                "both-mismatch",
                1,
                "Accepted",
                "False",
                "NoMatchingParent",
            ),
            (
                Http,
                "both-mismatch",
                2,
                "Accepted",
                "False",
                "NoMatchingParent",
            ),
            (Http, "both-match", 0, "Accepted", "True", "Accepted"),
        ],
        listeners: &[("default/gw", "", "a", 1), ("default/gw", "", "b", 2)],
        ..EMPTY
    });
}

#[test]
fn kinds_and_protocols() {
    run(&Case {
        name: "kinds",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - name: grpc-only
    port: 81
    protocol: HTTP
    allowedRoutes: {kinds: [{kind: GRPCRoute}]}
  - name: bad-kinds
    port: 82
    protocol: HTTP
    allowedRoutes: {kinds: [{kind: TCPRoute}, {group: example.com, kind: HTTPRoute}]}
  - name: some-bad
    port: 83
    protocol: HTTP
    allowedRoutes: {kinds: [{kind: HTTPRoute}, {kind: TLSRoute}]}
  - {name: tcp, port: 9000, protocol: TCP}
  - {name: udp, port: 9000, protocol: UDP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: tls-to-http, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: h, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: grpc-only}, {name: gw, sectionName: bad-kinds}, {name: gw, sectionName: some-bad}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: grpc-only}]
  hostnames: [grpc.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: t, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}, {name: gw, port: 9000}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: {name: u, namespace: default}
spec:
  parentRefs: [{name: gw, port: 9000}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"#,
        routes: &[
            (
                Tls,
                "tls-to-http",
                0,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (Http, "h", 0, "Accepted", "False", "NotAllowedByListeners"),
            (Http, "h", 1, "Accepted", "False", "NotAllowedByListeners"),
            (Http, "h", 2, "Accepted", "True", "Accepted"),
            (Grpc, "g", 0, "Accepted", "True", "Accepted"),
            (Tcp, "t", 0, "Accepted", "False", "NotAllowedByListeners"),
            (Tcp, "t", 1, "Accepted", "True", "Accepted"),
            (Udp, "u", 0, "Accepted", "True", "Accepted"),
        ],
        listeners: &[
            ("default/gw", "", "http", 0),
            ("default/gw", "", "grpc-only", 1),
            ("default/gw", "", "bad-kinds", 0),
            ("default/gw", "", "some-bad", 1),
            ("default/gw", "", "tcp", 1),
            ("default/gw", "", "udp", 1),
        ],
        listener_conds: &[
            (
                "default/gw",
                "",
                "bad-kinds",
                "ResolvedRefs",
                "False",
                "InvalidRouteKinds",
            ),
            (
                "default/gw",
                "",
                "some-bad",
                "ResolvedRefs",
                "False",
                "InvalidRouteKinds",
            ),
            (
                "default/gw",
                "",
                "grpc-only",
                "ResolvedRefs",
                "True",
                "ResolvedRefs",
            ),
            // TCP and UDP on one port are different transports: no conflict.
            (
                "default/gw",
                "",
                "tcp",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
            (
                "default/gw",
                "",
                "udp",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
        ],
        ..EMPTY
    });
    let config = load(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - name: bad-kinds
    port: 82
    protocol: HTTP
    allowedRoutes: {kinds: [{kind: TCPRoute}]}
  - name: some-bad
    port: 83
    protocol: HTTP
    allowedRoutes: {kinds: [{kind: HTTPRoute}, {kind: TLSRoute}]}
"#,
    );
    let a = attach(&config, DEFAULT_CONTROLLER_NAME);
    let kinds = |n: &str| {
        a.report
            .listener("default/gw", None, n)
            .unwrap()
            .supported_kinds
            .clone()
    };
    assert!(kinds("bad-kinds").is_empty());
    assert_eq!(kinds("some-bad"), vec!["HTTPRoute".to_string()]);
}

#[test]
fn namespaces_same_all_selector() {
    run(&Case {
        name: "namespaces",
        yaml: r#"
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod, tier: web}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: ours
  listeners:
  - {name: same, port: 80, protocol: HTTP, hostname: same.example.com}
  - name: all
    port: 80
    protocol: HTTP
    hostname: all.example.com
    allowedRoutes: {namespaces: {from: All}}
  - name: labels
    port: 80
    protocol: HTTP
    hostname: labels.example.com
    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {env: prod}}}}
  - name: in
    port: 80
    protocol: HTTP
    hostname: in.example.com
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchExpressions: [{key: env, operator: In, values: [dev, test]}]}
  - name: notin
    port: 80
    protocol: HTTP
    hostname: notin.example.com
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}
  - name: exists
    port: 80
    protocol: HTTP
    hostname: exists.example.com
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchExpressions: [{key: tier, operator: Exists}]}
  - name: doesnotexist
    port: 80
    protocol: HTTP
    hostname: dne.example.com
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchExpressions: [{key: env, operator: DoesNotExist}]}
  - name: empty-selector
    port: 80
    protocol: HTTP
    hostname: empty.example.com
    allowedRoutes: {namespaces: {from: Selector, selector: {}}}
  - name: no-selector
    port: 80
    protocol: HTTP
    hostname: none.example.com
    allowedRoutes: {namespaces: {from: Selector}}
  - name: implicit
    port: 80
    protocol: HTTP
    hostname: implicit.example.com
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {kubernetes.io/metadata.name: ghost}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: prod}
spec:
  parentRefs:
  - {name: gw, namespace: infra, sectionName: same}
  - {name: gw, namespace: infra, sectionName: all}
  - {name: gw, namespace: infra, sectionName: labels}
  - {name: gw, namespace: infra, sectionName: in}
  - {name: gw, namespace: infra, sectionName: notin}
  - {name: gw, namespace: infra, sectionName: exists}
  - {name: gw, namespace: infra, sectionName: doesnotexist}
  - {name: gw, namespace: infra, sectionName: empty-selector}
  - {name: gw, namespace: infra, sectionName: no-selector}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: dev}
spec:
  parentRefs:
  - {name: gw, namespace: infra, sectionName: labels}
  - {name: gw, namespace: infra, sectionName: in}
  - {name: gw, namespace: infra, sectionName: notin}
  - {name: gw, namespace: infra, sectionName: exists}
  - {name: gw, namespace: infra, sectionName: doesnotexist}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ghost}
spec:
  parentRefs:
  - {name: gw, namespace: infra, sectionName: implicit}
  - {name: gw, namespace: infra, sectionName: doesnotexist}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: infra}
spec:
  parentRefs: [{name: gw, sectionName: same}, {name: gw, sectionName: implicit}]
"#,
        routes: &[
            (
                Http,
                "prod/r",
                0,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (Http, "prod/r", 1, "Accepted", "True", "Accepted"),
            (Http, "prod/r", 2, "Accepted", "True", "Accepted"),
            (
                Http,
                "prod/r",
                3,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (Http, "prod/r", 4, "Accepted", "True", "Accepted"),
            (Http, "prod/r", 5, "Accepted", "True", "Accepted"),
            (
                Http,
                "prod/r",
                6,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (Http, "prod/r", 7, "Accepted", "True", "Accepted"),
            (
                Http,
                "prod/r",
                8,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (
                Http,
                "dev/r",
                0,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (Http, "dev/r", 1, "Accepted", "True", "Accepted"),
            (
                Http,
                "dev/r",
                2,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (
                Http,
                "dev/r",
                3,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (
                Http,
                "dev/r",
                4,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            // No Namespace object: only the implicit kubernetes.io/metadata.name label.
            (Http, "ghost/r", 0, "Accepted", "True", "Accepted"),
            (Http, "ghost/r", 1, "Accepted", "True", "Accepted"),
            (Http, "infra/r", 0, "Accepted", "True", "Accepted"),
            (
                Http,
                "infra/r",
                1,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
        ],
        listeners: &[
            ("infra/gw", "", "same", 1),
            ("infra/gw", "", "all", 1),
            ("infra/gw", "", "labels", 1),
            ("infra/gw", "", "in", 1),
            ("infra/gw", "", "notin", 1),
            ("infra/gw", "", "exists", 1),
            ("infra/gw", "", "doesnotexist", 1),
            ("infra/gw", "", "empty-selector", 1),
            ("infra/gw", "", "no-selector", 0),
            ("infra/gw", "", "implicit", 1),
        ],
        ..EMPTY
    });
}

#[test]
fn hostname_intersection_and_priority() {
    let a = run(&Case {
        name: "hostnames",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: wild, port: 80, protocol: HTTP, hostname: "*.example.com"}
  - {name: exact, port: 80, protocol: HTTP, hostname: very.specific.com}
  - {name: tls, port: 443, protocol: TLS, hostname: "*.example.com", tls: {mode: Passthrough}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: some, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: wild}]
  hostnames: [test.example.com, test.example.net]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: none, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [foo.org]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wild-route, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: exact}]
  hostnames: ["*.specific.com"]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other-ns, namespace: elsewhere}
spec:
  parentRefs: [{name: gw, namespace: default}]
  hostnames: [foo.org]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: sni, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: tls}]
  hostnames: [nope.example.org]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"#,
        routes: &[
            (Http, "some", 0, "Accepted", "True", "Accepted"),
            (
                Http,
                "none",
                0,
                "Accepted",
                "False",
                "NoMatchingListenerHostname",
            ),
            (Http, "wild-route", 0, "Accepted", "True", "Accepted"),
            // Namespace refusal (a+b) wins over a hostname mismatch.
            (
                Http,
                "elsewhere/other-ns",
                0,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (
                Tls,
                "sni",
                0,
                "Accepted",
                "False",
                "NoMatchingListenerHostname",
            ),
        ],
        listeners: &[
            ("default/gw", "", "wild", 1),
            ("default/gw", "", "exact", 1),
        ],
        ..EMPTY
    });
    let ls = &a.gateways[0].listeners;
    assert_eq!(*ls[0].routes[0].hostnames, ["test.example.com"]);
    assert_eq!(*ls[1].routes[0].hostnames, ["very.specific.com"]);
}

/// Marks rules invalid the way validation would.
fn with_invalid(mut config: Config, route: usize, rules: &[(usize, &'static str)]) -> Config {
    for &(index, reason) in rules {
        config.http_routes[route].invalid_rules.push(InvalidRule {
            index,
            reason,
            message: format!("spec.rules[{index}]: bad"),
        });
    }
    config
}

#[test]
fn invalid_rules() {
    let yaml = format!(
        "{GW_HTTP}---\n{}",
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: web, port: 80}]
  - backendRefs: [{name: missing, port: 80}]
"#
    );
    let case = |name| Case {
        name,
        routes: &[],
        ..EMPTY
    };
    // One of two rules invalid: PartiallyInvalid, still Accepted; its backend is ignored.
    let a = check(
        &Case {
            routes: &[
                (Http, "r", 0, "Accepted", "True", "Accepted"),
                (Http, "r", 0, "PartiallyInvalid", "True", "UnsupportedValue"),
                (Http, "r", 0, "ResolvedRefs", "True", "ResolvedRefs"),
            ],
            listeners: &[("default/gw", "", "http", 1)],
            ..case("partial")
        },
        &with_invalid(load(&yaml), 0, &[(1, "UnsupportedValue")]),
    );
    let c = &a.report.routes[0].parents[0].conditions;
    let p = Condition::find(c, "PartiallyInvalid").unwrap();
    assert!(p.message.starts_with("Dropped Rule"), "{}", p.message);
    // Every rule invalid: Accepted=False/UnsupportedValue, not attached.
    check(
        &Case {
            routes: &[(Http, "r", 0, "Accepted", "False", "UnsupportedValue")],
            listeners: &[("default/gw", "", "http", 0)],
            ..case("all invalid")
        },
        &with_invalid(
            load(&yaml),
            0,
            &[(0, "UnsupportedValue"), (1, "IncompatibleFilters")],
        ),
    );
    let a = check(
        &Case {
            routes: &[(Http, "r", 0, "Accepted", "False", "IncompatibleFilters")],
            listeners: &[("default/gw", "", "http", 0)],
            ..case("incompatible filters")
        },
        &with_invalid(
            load(&yaml),
            0,
            &[(0, "IncompatibleFilters"), (1, "IncompatibleFilters")],
        ),
    );
    assert!(Condition::find(
        &a.report.routes[0].parents[0].conditions,
        "PartiallyInvalid"
    )
    .is_none());
}

#[test]
fn backend_refs() {
    run(&Case {
        name: "backends",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: backend}
spec:
  ports:
  - {port: 80}
  - {port: 81, appProtocol: kubernetes.io/wss}
  - {port: 82, appProtocol: kubernetes.io/h2c}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: backend}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow-api, namespace: backend}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
  to: [{group: "", kind: Service, name: api}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow-tls, namespace: backend}
spec:
  from: [{group: gateway.networking.k8s.io, kind: TLSRoute, namespace: default}]
  to: [{group: "", kind: Service}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ok-cross, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: api, namespace: backend, port: 80}, {name: api, namespace: backend, port: 82}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: not-permitted, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: other, namespace: backend, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: missing-cross, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: gone, namespace: backend, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: not-found, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}, {name: nope, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad-port, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad-kind, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{group: example.com, kind: Bucket, name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: external-name, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: ext, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad-protocol, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: api, namespace: backend, port: 81}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad-mirror, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: nope, port: 80}}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad-backend-mirror, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs:
    - name: web
      port: 80
      filters: [{type: RequestMirror, requestMirror: {backendRef: {name: other, namespace: backend, port: 80}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: grpc-no-grant, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: api, namespace: backend, port: 82}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: tls-wss, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: api, namespace: backend, port: 81}, {name: other, namespace: backend, port: 80}]}]
"#,
        routes: &[
            (Http, "ok-cross", 0, "ResolvedRefs", "True", "ResolvedRefs"),
            (
                Http,
                "not-permitted",
                0,
                "ResolvedRefs",
                "False",
                "RefNotPermitted",
            ),
            // No grant: RefNotPermitted although the Service is missing too (a route author
            // must not learn which Services exist where they have no grant).
            (
                Http,
                "missing-cross",
                0,
                "ResolvedRefs",
                "False",
                "RefNotPermitted",
            ),
            (
                Http,
                "not-found",
                0,
                "ResolvedRefs",
                "False",
                "BackendNotFound",
            ),
            // An invalid backend does not make the route un-Accepted.
            (Http, "not-found", 0, "Accepted", "True", "Accepted"),
            (
                Http,
                "bad-port",
                0,
                "ResolvedRefs",
                "False",
                "BackendNotFound",
            ),
            (Http, "bad-kind", 0, "ResolvedRefs", "False", "InvalidKind"),
            (
                Http,
                "external-name",
                0,
                "ResolvedRefs",
                "False",
                "InvalidKind",
            ),
            (
                Http,
                "bad-protocol",
                0,
                "ResolvedRefs",
                "False",
                "UnsupportedProtocol",
            ),
            (
                Http,
                "bad-mirror",
                0,
                "ResolvedRefs",
                "False",
                "BackendNotFound",
            ),
            (
                Http,
                "bad-backend-mirror",
                0,
                "ResolvedRefs",
                "False",
                "RefNotPermitted",
            ),
            (
                Grpc,
                "grpc-no-grant",
                0,
                "ResolvedRefs",
                "False",
                "RefNotPermitted",
            ),
            (Tls, "tls-wss", 0, "ResolvedRefs", "True", "ResolvedRefs"),
            (Tls, "tls-wss", 0, "Accepted", "True", "Accepted"),
        ],
        ..EMPTY
    });
}

#[test]
fn http_grpc_conflict_oldest_wins() {
    run(&Case {
        name: "http/grpc conflict",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: old-grpc, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw}]
  hostnames: [api.example.com]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: new-http, namespace: default, creationTimestamp: "2024-06-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw}]
  hostnames: ["*.example.com"]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: disjoint-http, namespace: default, creationTimestamp: "2024-06-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw}]
  hostnames: [www.example.org]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a-tie, namespace: default, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw}]
  hostnames: [tie.example.net]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: b-tie, namespace: default, creationTimestamp: "2025-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw}]
  hostnames: [tie.example.net]
"#,
        routes: &[
            (Grpc, "old-grpc", 0, "Accepted", "True", "Accepted"),
            (
                Http,
                "new-http",
                0,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
            (Http, "disjoint-http", 0, "Accepted", "True", "Accepted"),
            (Http, "a-tie", 0, "Accepted", "True", "Accepted"),
            (
                Grpc,
                "b-tie",
                0,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
        ],
        listeners: &[("default/gw", "", "http", 3)],
        ..EMPTY
    });
}

#[test]
fn tcp_multiple_routes_all_accepted() {
    let a = run(&Case {
        name: "tcp multi",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: tcp, port: 5432, protocol: TCP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: newer, namespace: default, creationTimestamp: "2024-06-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: older, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"#,
        routes: &[
            (Tcp, "newer", 0, "Accepted", "True", "Accepted"),
            (Tcp, "older", 0, "Accepted", "True", "Accepted"),
        ],
        listeners: &[("default/gw", "", "tcp", 2)],
        ..EMPTY
    });
    let routes = &a.gateways[0].listeners[0].routes;
    assert_eq!(routes.len(), 2);
    assert_eq!(*routes[0].hostnames, ["*"]);
}

#[test]
fn listener_conflicts_and_protocols() {
    run(&Case {
        name: "listener conflicts",
        yaml: r#"
apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: default}
type: kubernetes.io/tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: http-8080, port: 8080, protocol: HTTP}
  - {name: https-8080, port: 8080, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}
  - {name: tcp-9000, port: 9000, protocol: TCP}
  - {name: http-9000, port: 9000, protocol: HTTP, hostname: a.example.com}
  - {name: tls-9000, port: 9000, protocol: TLS, hostname: b.example.com, tls: {mode: Passthrough}}
  - {name: tcp-a, port: 7000, protocol: TCP}
  - {name: tcp-b, port: 7000, protocol: TCP}
  - {name: http-a, port: 80, protocol: HTTP, hostname: a.example.com}
  - {name: http-b, port: 80, protocol: HTTP, hostname: b.example.com}
  - {name: https, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {certificateRefs: [{name: cert}]}}
  - {name: passthrough, port: 443, protocol: TLS, hostname: b.example.com, tls: {mode: Passthrough}}
  - {name: terminate, port: 443, protocol: TLS, hostname: c.example.com, tls: {mode: Terminate, certificateRefs: [{name: cert}]}}
  - {name: dup-1, port: 443, protocol: TLS, hostname: d.example.com, tls: {mode: Passthrough}}
  - {name: dup-2, port: 443, protocol: HTTPS, hostname: d.example.com, tls: {certificateRefs: [{name: cert}]}}
  - {name: custom, port: 6000, protocol: example.com/proto}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http-8080}]
"#,
        routes: &[(Http, "r", 0, "Accepted", "True", "Accepted")],
        listeners: &[("default/gw", "", "http-8080", 1)],
        listener_conds: &[
            (
                "default/gw",
                "",
                "http-8080",
                "Conflicted",
                "True",
                "ProtocolConflict",
            ),
            (
                "default/gw",
                "",
                "http-8080",
                "Accepted",
                "False",
                "ProtocolConflict",
            ),
            (
                "default/gw",
                "",
                "http-8080",
                "Programmed",
                "False",
                "Invalid",
            ),
            (
                "default/gw",
                "",
                "https-8080",
                "Conflicted",
                "True",
                "ProtocolConflict",
            ),
            (
                "default/gw",
                "",
                "tcp-9000",
                "Conflicted",
                "True",
                "ProtocolConflict",
            ),
            (
                "default/gw",
                "",
                "http-9000",
                "Conflicted",
                "True",
                "ProtocolConflict",
            ),
            (
                "default/gw",
                "",
                "tls-9000",
                "Conflicted",
                "True",
                "ProtocolConflict",
            ),
            (
                "default/gw",
                "",
                "tcp-a",
                "Conflicted",
                "True",
                "HostnameConflict",
            ),
            (
                "default/gw",
                "",
                "tcp-b",
                "Conflicted",
                "True",
                "HostnameConflict",
            ),
            (
                "default/gw",
                "",
                "http-a",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
            ("default/gw", "", "http-b", "Accepted", "True", "Accepted"),
            (
                "default/gw",
                "",
                "https",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
            (
                "default/gw",
                "",
                "https",
                "Programmed",
                "True",
                "Programmed",
            ),
            (
                "default/gw",
                "",
                "passthrough",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
            (
                "default/gw",
                "",
                "terminate",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
            (
                "default/gw",
                "",
                "terminate",
                "Programmed",
                "True",
                "Programmed",
            ),
            (
                "default/gw",
                "",
                "dup-1",
                "Conflicted",
                "True",
                "HostnameConflict",
            ),
            (
                "default/gw",
                "",
                "dup-2",
                "Conflicted",
                "True",
                "HostnameConflict",
            ),
            (
                "default/gw",
                "",
                "custom",
                "Accepted",
                "False",
                "UnsupportedProtocol",
            ),
            ("default/gw", "", "custom", "Programmed", "False", "Invalid"),
        ],
        ..EMPTY
    });
}

#[test]
fn listener_certificates() {
    let a = run(&Case {
        name: "certificates",
        yaml: r#"
apiVersion: v1
kind: Secret
metadata: {name: local, namespace: default}
type: kubernetes.io/tls
---
apiVersion: v1
kind: Secret
metadata: {name: shared, namespace: certs}
type: kubernetes.io/tls
---
apiVersion: v1
kind: Secret
metadata: {name: private, namespace: certs}
type: kubernetes.io/tls
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: gw-certs, namespace: certs}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: default}]
  to: [{group: "", kind: Secret, name: shared}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: ok, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {certificateRefs: [{name: local}]}}
  - {name: granted, port: 443, protocol: HTTPS, hostname: b.example.com, tls: {certificateRefs: [{name: shared, namespace: certs}]}}
  - {name: missing, port: 443, protocol: HTTPS, hostname: c.example.com, tls: {certificateRefs: [{name: nope}]}}
  - {name: denied, port: 443, protocol: HTTPS, hostname: d.example.com, tls: {certificateRefs: [{name: private, namespace: certs}]}}
  - {name: wrong-kind, port: 443, protocol: HTTPS, hostname: e.example.com, tls: {certificateRefs: [{kind: ConfigMap, name: local}]}}
  - {name: one-good, port: 443, protocol: HTTPS, hostname: f.example.com, tls: {certificateRefs: [{name: nope}, {name: local}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: missing}]
"#,
        routes: &[(Http, "r", 0, "Accepted", "True", "Accepted")],
        listeners: &[("default/gw", "", "missing", 1)],
        listener_conds: &[
            (
                "default/gw",
                "",
                "ok",
                "ResolvedRefs",
                "True",
                "ResolvedRefs",
            ),
            (
                "default/gw",
                "",
                "granted",
                "ResolvedRefs",
                "True",
                "ResolvedRefs",
            ),
            (
                "default/gw",
                "",
                "missing",
                "ResolvedRefs",
                "False",
                "InvalidCertificateRef",
            ),
            (
                "default/gw",
                "",
                "missing",
                "Programmed",
                "False",
                "Invalid",
            ),
            (
                "default/gw",
                "",
                "denied",
                "ResolvedRefs",
                "False",
                "RefNotPermitted",
            ),
            (
                "default/gw",
                "",
                "wrong-kind",
                "ResolvedRefs",
                "False",
                "InvalidCertificateRef",
            ),
            (
                "default/gw",
                "",
                "one-good",
                "ResolvedRefs",
                "False",
                "InvalidCertificateRef",
            ),
            (
                "default/gw",
                "",
                "one-good",
                "Programmed",
                "True",
                "Programmed",
            ),
        ],
        ..EMPTY
    });
    let usable: Vec<bool> = a.gateways[0].listeners.iter().map(|l| l.usable).collect();
    assert_eq!(usable, vec![true, true, false, false, false, true]);
}

#[test]
fn listener_sets() {
    let a = run(&Case {
        name: "listener sets",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: ours
  allowedListeners: {namespaces: {from: Selector, selector: {matchLabels: {team: ok}}}}
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: gw.example.com}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a, labels: {team: ok}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: newer, namespace: team-a, creationTimestamp: "2024-06-01T00:00:00Z"}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: newer.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: older, namespace: team-a, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners:
  - {name: extra, port: 80, protocol: HTTP, hostname: older.example.com}
  - {name: clash, port: 80, protocol: HTTP, hostname: gw.example.com}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: refused, namespace: team-b}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners:
  - {name: http, port: 8080, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: team-a}
spec:
  parentRefs:
  - {kind: ListenerSet, name: newer}
  - {kind: ListenerSet, name: older, sectionName: extra}
  - {name: gw, namespace: infra, sectionName: extra}
  - {kind: ListenerSet, name: refused, namespace: team-b}
  - {name: gw, namespace: infra}
"#,
        routes: &[
            (Http, "team-a/r", 0, "Accepted", "True", "Accepted"),
            (Http, "team-a/r", 1, "Accepted", "True", "Accepted"),
            // A Gateway parentRef never reaches ListenerSet listeners, even via sectionName.
            (Http, "team-a/r", 2, "Accepted", "False", "NoMatchingParent"),
            (Http, "team-a/r", 3, "Accepted", "False", "NoMatchingParent"),
            // The Gateway's own listener allows Same (infra) only.
            (
                Http,
                "team-a/r",
                4,
                "Accepted",
                "False",
                "NotAllowedByListeners",
            ),
        ],
        listeners: &[
            ("infra/gw", "", "http", 0),
            ("infra/gw", "team-a/newer", "http", 1),
            ("infra/gw", "team-a/older", "extra", 1),
        ],
        // SPEC §2.5 (correction of 2026-12-03): across the Gateway and its ListenerSets only
        // the later conflicting listener is refused; this case used to expect the Gateway's
        // own `http` Conflicted too.
        listener_conds: &[
            ("infra/gw", "", "http", "Conflicted", "False", "NoConflicts"),
            ("infra/gw", "", "http", "Accepted", "True", "Accepted"),
            ("infra/gw", "", "http", "Programmed", "True", "Programmed"),
            (
                "infra/gw",
                "team-a/older",
                "clash",
                "Conflicted",
                "True",
                "HostnameConflict",
            ),
            (
                "infra/gw",
                "team-a/older",
                "clash",
                "Accepted",
                "False",
                "HostnameConflict",
            ),
            (
                "infra/gw",
                "team-a/older",
                "clash",
                "Programmed",
                "False",
                "Invalid",
            ),
            (
                "infra/gw",
                "team-a/newer",
                "http",
                "Conflicted",
                "False",
                "NoConflicts",
            ),
        ],
        ..EMPTY
    });
    // Merge order: Gateway, then ListenerSets oldest first; refused sets are left out.
    let names: Vec<_> = a.gateways[0]
        .listeners
        .iter()
        .map(|l| l.hostname.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        vec![
            "gw.example.com",
            "older.example.com",
            "gw.example.com",
            "newer.example.com"
        ]
    );
    assert!(a
        .report
        .listener("infra/gw", Some("team-b/refused"), "http")
        .is_none());
    let clash = a
        .report
        .listener("infra/gw", Some("team-a/older"), "clash")
        .unwrap();
    let msg = &Condition::find(&clash.conditions, "Conflicted")
        .unwrap()
        .message;
    assert!(
        msg.contains("listener http of Gateway infra/gw"),
        "the message names the earlier listener: {msg}"
    );
    // Gateway, ListenerSet statuses: the refused ListenerSet is reported, not dropped.
    let cond = |c: &[Condition], ty: &str| {
        let c = Condition::find(c, ty).unwrap();
        (c.status.to_string(), c.reason.to_string())
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    let gw = a.report.gateway("infra", "gw").unwrap();
    assert_eq!(cond(&gw.conditions, "Accepted"), s("True", "Accepted"));
    assert_eq!(cond(&gw.conditions, "Programmed"), s("True", "Programmed"));
    let refused = a.report.listener_set("team-b", "refused").unwrap();
    assert_eq!(refused.gateway.as_deref(), Some("infra/gw"));
    assert_eq!(
        cond(&refused.conditions, "Accepted"),
        s("False", "NotAllowed")
    );
    assert_eq!(
        cond(&refused.conditions, "Programmed"),
        s("False", "NotAllowed")
    );
    let older = a.report.listener_set("team-a", "older").unwrap();
    assert_eq!(
        cond(&older.conditions, "Accepted"),
        s("True", "ListenersNotValid")
    );
    assert_eq!(
        cond(&older.conditions, "Programmed"),
        s("True", "Programmed")
    );
    let newer = a.report.listener_set("team-a", "newer").unwrap();
    assert_eq!(cond(&newer.conditions, "Accepted"), s("True", "Accepted"));
    let order: Vec<&str> = a
        .report
        .listener_sets
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(order, ["refused", "older", "newer"]);
}

#[test]
fn listener_sets_need_allowed_listeners() {
    run(&Case {
        name: "no allowedListeners",
        yaml: r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: ls, namespace: default}
spec:
  parentRef: {name: gw}
  listeners: [{name: extra, port: 8080, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw2, namespace: default}
spec:
  gatewayClassName: ours
  allowedListeners: {namespaces: {from: Same}}
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: ls2, namespace: default}
spec:
  parentRef: {name: gw2}
  listeners: [{name: extra, port: 8080, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{kind: ListenerSet, name: ls}, {kind: ListenerSet, name: ls2}, {kind: ListenerSet, name: ghost}]
"#,
        routes: &[
            (Http, "r", 0, "Accepted", "False", "NoMatchingParent"),
            (Http, "r", 1, "Accepted", "True", "Accepted"),
        ],
        listeners: &[("default/gw2", "default/ls2", "extra", 1)],
        ..EMPTY
    });
}

#[test]
fn report_is_deterministic_json() {
    let yaml = format!(
        "{GW_HTTP}---\n{}",
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b, namespace: default}
spec: {parentRefs: [{name: gw}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: default}
spec: {parentRefs: [{name: gw}]}
"#
    );
    let config = load(&yaml);
    let one = serde_json::to_string(&attach(&config, DEFAULT_CONTROLLER_NAME).report).unwrap();
    let two = serde_json::to_string(&attach(&config, DEFAULT_CONTROLLER_NAME).report).unwrap();
    assert_eq!(one, two);
    let a = attach(&config, DEFAULT_CONTROLLER_NAME);
    let names: Vec<_> = a.report.routes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["b", "a"]);
    assert!(one.contains("\"type\":\"Accepted\""));
    assert!(one.contains("\"kind\":\"HTTPRoute\""));
}

#[test]
fn another_controller_name() {
    let config = load(GW_HTTP);
    assert_eq!(attach(&config, Some("example.net/other")).gateways.len(), 0);
    assert_eq!(attach(&config, DEFAULT_CONTROLLER_NAME).gateways.len(), 1);
}

#[test]
fn odd_inputs_do_not_panic() {
    let config = load(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: ours
  listeners:
  - {name: odd, port: -1, protocol: HTTP, hostname: "*."}
  - {name: huge, port: 99999999, protocol: ""}
  - {name: x, port: 1, protocol: HTTPS, tls: {mode: Passthrough}}
  - {name: why, port: 2, protocol: TLS, tls: {mode: Sideways}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: empty, namespace: default}
spec: {gatewayClassName: ours}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, port: -5}, {name: gw, sectionName: ""}, {name: empty}, {name: gw}]
  hostnames: ["*.", "", "É.COM", "*"]
  rules: [{backendRefs: [{name: web, port: -1}, {name: web}, {name: "", kind: ""}]}]
"#,
    );
    let a = attach(&config, DEFAULT_CONTROLLER_NAME);
    assert_eq!(a.gateways.len(), 2);
    assert_eq!(a.report.routes[0].parents.len(), 4);
    assert!(a.gateways[0].listeners.iter().all(|l| !l.usable));
    assert!(attach(&Config::default(), None).gateways.is_empty());
}

/// `ResolvedRefs` lists a problem per invalid backendRef, in rule order, also when rules
/// repeat targets (a route's repeated targets are checked once: issue #20, item 4) and when
/// more distinct targets than that memo holds alternate.
#[test]
fn resolved_refs_repeat_a_problem_per_reference() {
    let yaml = format!(
        "{GW_HTTP}---\n{}",
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: a, port: 80}, {name: web, port: 80}, {name: a, port: 80}]
  - backendRefs: [{name: b, port: 80}, {name: c, port: 80}, {name: d, port: 80}]
  - backendRefs: [{name: e, port: 80}, {name: a, port: 80}, {name: web, port: 81}]
  - backendRefs: [{name: web, port: 80}, {name: a, port: 80}, {name: a}]
"#
    );
    let config = load(&yaml);
    let a = attach(&config, DEFAULT_CONTROLLER_NAME);
    let route = a
        .report
        .routes
        .iter()
        .find(|r| r.name == "r")
        .expect("route r");
    let refs = Condition::find(&route.parents[0].conditions, "ResolvedRefs").expect("condition");
    assert!(!refs.is_true());
    assert_eq!(refs.reason, "BackendNotFound");
    let missing = |n: &str| format!("backendRef default/{n}: Service not found");
    let mut want: Vec<String> = ["a", "a", "b", "c", "d", "e", "a"]
        .iter()
        .map(|n| missing(n))
        .collect();
    want.push("backendRef default/web: Service has no port 81".to_string());
    want.push(missing("a"));
    want.push("backendRef default/a: port is required for a Service".to_string());
    assert_eq!(refs.message, want.join("; "));
}
