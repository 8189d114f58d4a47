//! Filters (SPEC §6): every example as a test, the redirect default-port table, the
//! ReplacePrefixMatch table, and header edits on the exact resulting header list.

mod common;
use common::*;
use trieway::{Action, ActionKind, Headers, Options, Outcome, Request, Router};

/// A Gateway `infra/gw` with HTTP listeners on 80 and 8080 and an HTTPS listener on 443.
const PORTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
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
  - {name: http-8080, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: cert}]}
    allowedRoutes: {namespaces: {from: All}}
---
apiVersion: v1
kind: Service
metadata: {name: svc-a, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: svc-b, namespace: default}
spec: {ports: [{port: 80}]}
"#;

fn router_ports(routes: &str) -> Router {
    let config = trieway::Config::from_str(&format!("{PORTS}{routes}"));
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    Router::new(&config, Options::default()).expect("router")
}

/// Applies the filters of whatever matches and returns the action's summary.
fn act(router: &Router, req: &Request<'_>) -> (ActionKind, u16, String, String, String) {
    let out = router.route(req);
    let Outcome::Matched(m) = out else {
        panic!("no match for {req:?}")
    };
    let mut a = Action::new();
    m.apply(req, 0, &mut a);
    (
        a.kind,
        a.status,
        a.location.clone(),
        a.authority.clone(),
        a.path_and_query.clone(),
    )
}

fn redirect_route(filter: &str) -> String {
    route(
        "default",
        "r",
        &format!(
            "  rules:\n  - filters:\n    - type: RequestRedirect\n      requestRedirect: {filter}"
        ),
    )
}

/// SPEC §6.3 table: scheme, host and port of the Location, with default ports omitted and
/// the listener's port (not the Host's) used when nothing else says.
#[test]
fn redirect_default_port_table() {
    let rows: &[(u16, &str, &str)] = &[
        (80, "{hostname: example.org}", "http://example.org/p?q=1"),
        (
            80,
            "{hostname: example.org, port: 8080}",
            "http://example.org:8080/p?q=1",
        ),
        (
            80,
            "{hostname: example.org, scheme: https}",
            "https://example.org/p?q=1",
        ),
        (
            8080,
            "{hostname: example.org}",
            "http://example.org:8080/p?q=1",
        ),
        (
            8080,
            "{hostname: example.org, scheme: https}",
            "https://example.org/p?q=1",
        ),
        // More corners: explicit default ports are omitted, non-default kept.
        (
            80,
            "{hostname: example.org, scheme: https, port: 443}",
            "https://example.org/p?q=1",
        ),
        (
            80,
            "{hostname: example.org, scheme: https, port: 8443}",
            "https://example.org:8443/p?q=1",
        ),
        (
            8080,
            "{hostname: example.org, scheme: http}",
            "http://example.org/p?q=1",
        ),
        (443, "{hostname: example.org}", "https://example.org/p?q=1"),
        (
            443,
            "{hostname: example.org, scheme: http}",
            "http://example.org/p?q=1",
        ),
    ];
    for (port, filter, want) in rows {
        let r = router_ports(&redirect_route(filter));
        let scheme = if *port == 443 { "https" } else { "http" };
        let req = Request::new("GET", "client.example.com:9999", "/p?q=1")
            .port(*port)
            .scheme(scheme);
        let (kind, status, location, ..) = act(&r, &req);
        assert_eq!(
            (kind, status, location.as_str()),
            (ActionKind::Redirect, 302, *want),
            "listener {port} {filter}"
        );
    }
}

/// Without a hostname the redirect keeps the request's host (without its port); the status
/// code is configurable.
#[test]
fn redirect_host_and_status() {
    for code in [301, 302, 303, 307, 308] {
        let r = router_ports(&redirect_route(&format!(
            "{{statusCode: {code}, scheme: https}}"
        )));
        let req = Request::new("GET", "Shop.Example.com:80", "/cart");
        let (kind, status, location, ..) = act(&r, &req);
        assert_eq!(
            (kind, status, location.as_str()),
            (ActionKind::Redirect, code, "https://Shop.Example.com/cart")
        );
    }
}

/// Redirect paths: ReplaceFullPath and ReplacePrefixMatch (SPEC §6.5) applied to Location.
#[test]
fn redirect_paths() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - matches: [{path: {type: PathPrefix, value: /old}}]\n    filters:\n    - {type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}}\n  - matches: [{path: {type: PathPrefix, value: /full}}]\n    filters:\n    - {type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /one}}}",
    ));
    let loc = |p: &str| act(&r, &Request::new("GET", "h", p)).2;
    assert_eq!(loc("/old/x?y=1"), "http://h/new/x?y=1");
    assert_eq!(loc("/old"), "http://h/new");
    assert_eq!(loc("/full/one/two"), "http://h/one");
}

/// The whole ReplacePrefixMatch table of SPEC §6.5, through URLRewrite.
#[test]
fn rewrite_replace_prefix_table() {
    let rows: &[(&str, &str, &str, &str)] = &[
        ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
        ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
        ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
        ("/foo/bar", "/foo/", "/xyz/", "/xyz/bar"),
        ("/foo", "/foo", "/xyz", "/xyz"),
        ("/foo/", "/foo", "/xyz", "/xyz/"),
        ("/foo/bar", "/foo", "''", "/bar"),
        ("/foo/", "/foo", "''", "/"),
        ("/foo/", "/foo", "/", "/"),
        ("/foo", "/foo", "''", "/"),
        ("/foo", "/foo", "/", "/"),
        ("/prefix/one/two", "/prefix/one", "/one", "/one/two"),
        ("/anything", "/", "/api", "/api/anything"),
    ];
    for (path, prefix, repl, want) in rows {
        let r = router_ports(&route(
            "default",
            "r",
            &format!("  rules:\n  - matches: [{{path: {{type: PathPrefix, value: '{prefix}'}}}}]\n    filters:\n    - {{type: URLRewrite, urlRewrite: {{path: {{type: ReplacePrefixMatch, replacePrefixMatch: {repl}}}}}}}\n    backendRefs: [{{name: svc-a, port: 80}}]"),
        ));
        let (kind, _, _, _, upstream) = act(&r, &Request::new("GET", "h", &format!("{path}?k=v")));
        assert_eq!(kind, ActionKind::Forward);
        assert_eq!(upstream, format!("{want}?k=v"), "{path} {prefix} {repl}");
    }
}

/// URLRewrite: hostname replaces the forwarded Host; ReplaceFullPath replaces the path; the
/// query string is kept (SPEC §6.4, §11).
#[test]
fn rewrite_host_and_full_path() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - filters:\n    - {type: URLRewrite, urlRewrite: {hostname: upstream.internal, path: {type: ReplaceFullPath, replaceFullPath: /one}}}\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let (kind, status, _, host, path) = act(
        &r,
        &Request::new("GET", "example.com:80", "/full/one/two?x=1"),
    );
    assert_eq!((kind, status), (ActionKind::Forward, 200));
    assert_eq!(host, "upstream.internal");
    assert_eq!(path, "/one?x=1");
    // Without a rewrite the Host is forwarded unmodified (port included).
    let r = router_ports(&route(
        "default",
        "r",
        "  rules: [{backendRefs: [{name: svc-a, port: 80}]}]",
    ));
    let (_, _, _, host, path) = act(&r, &Request::new("GET", "Example.com:80", "/a?b"));
    assert_eq!((host.as_str(), path.as_str()), ("Example.com:80", "/a?b"));
}

fn lines(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// RequestHeaderModifier (SPEC §6.2): set replaces every line, add appends to the existing
/// value with ',', remove drops every line; names compare case-insensitively. Checked on the
/// exact resulting header list, repeated headers included.
#[test]
fn request_header_modifier_exact_result() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - filters:\n    - type: RequestHeaderModifier\n      requestHeaderModifier:\n        set: [{name: X-Set, value: s}]\n        add: [{name: x-add, value: a2}, {name: X-New, value: 'n'}]\n        remove: [x-gone]\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let input = [
        ("x-set", "1"),
        ("X-SET", "2"),
        ("X-Add", "a1"),
        ("x-gone", "g"),
        ("X-Gone", "g2"),
        ("keep", "k"),
    ];
    let req = Request::new("GET", "h", "/").headers(Headers::Pairs(&input));
    let Outcome::Matched(m) = r.route(&req) else {
        panic!()
    };
    let mut a = Action::new();
    m.apply(&req, 0, &mut a);
    let out = Action::edit_headers(&a.request_headers, &lines(&input));
    assert_eq!(
        out,
        lines(&[
            ("X-Add", "a1,a2"),
            ("keep", "k"),
            ("X-Set", "s"),
            ("X-New", "n")
        ])
    );
}

/// ResponseHeaderModifier edits the backend's response the same way; rule filters then
/// backend filters, in list order (SPEC §6.1).
#[test]
fn response_and_backend_filters_in_order() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - filters:\n    - {type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: x-order, value: rule}]}}\n    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-who, value: rule}]}}\n    backendRefs:\n    - name: svc-a\n      port: 80\n      filters:\n      - {type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: x-order, value: backend}]}}\n      - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-who, value: backend}]}}",
    ));
    let req = Request::new("GET", "h", "/");
    let Outcome::Matched(m) = r.route(&req) else {
        panic!()
    };
    let mut a = Action::new();
    m.apply(&req, 0, &mut a);
    let resp = Action::edit_headers(&a.response_headers, &lines(&[("x-order", "origin")]));
    assert_eq!(resp, lines(&[("x-order", "origin,rule,backend")]));
    let reqh = Action::edit_headers(&a.request_headers, &[]);
    assert_eq!(reqh, lines(&[("x-who", "backend")]));
}

/// Backend-level filters apply only when that backend is drawn (SPEC §5.3, §6.1).
#[test]
fn backend_filters_only_when_drawn() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - backendRefs:\n    - {name: svc-a, port: 80, weight: 1}\n    - name: svc-b\n      port: 80\n      weight: 1\n      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-b, value: '1'}]}}]",
    ));
    let req = Request::new("GET", "h", "/");
    let Outcome::Matched(m) = r.route(&req) else {
        panic!()
    };
    let mut a = Action::new();
    m.apply(&req, 0, &mut a);
    assert_eq!(a.backend.map(|b| b.name()), Some("svc-a"));
    assert!(a.request_headers.is_empty());
    m.apply(&req, u64::MAX, &mut a);
    assert_eq!(a.backend.map(|b| b.name()), Some("svc-b"));
    assert_eq!(a.request_headers.len(), 1);
}

/// RequestMirror (SPEC §6.6): several mirrors, percent or fraction, invalid targets omitted.
#[test]
fn mirrors() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - filters:\n    - {type: RequestMirror, requestMirror: {backendRef: {name: svc-b, port: 80}}}\n    - {type: RequestMirror, requestMirror: {backendRef: {name: svc-b, port: 80}, percent: 25}}\n    - {type: RequestMirror, requestMirror: {backendRef: {name: svc-b, port: 80}, fraction: {numerator: 1, denominator: 8}}}\n    - {type: RequestMirror, requestMirror: {backendRef: {name: missing, port: 80}}}\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let req = Request::new("GET", "h", "/");
    let Outcome::Matched(m) = r.route(&req) else {
        panic!()
    };
    let mut a = Action::new();
    m.apply(&req, 0, &mut a);
    let got: Vec<(String, f64)> = a
        .mirrors
        .iter()
        .map(|(backend, percent)| (backend.name().to_string(), *percent))
        .collect();
    assert_eq!(
        got,
        vec![
            ("svc-b".into(), 100.0),
            ("svc-b".into(), 25.0),
            ("svc-b".into(), 12.5)
        ]
    );
    assert_eq!(a.backend.map(|b| b.name()), Some("svc-a"));
}

/// CORS (SPEC §6.7): preflights are answered by the engine; simple requests get the headers;
/// disallowed origins get none.
#[test]
fn cors() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - filters:\n    - type: CORS\n      cors:\n        allowOrigins: ['https://*.bar.com', 'https://foo.com']\n        allowMethods: [GET, PUT]\n        allowHeaders: [x-a]\n        exposeHeaders: [x-e]\n        maxAge: 60\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let run = |method: &str, h: &[(&str, &str)]| {
        let req = Request::new(method, "h", "/").headers(Headers::Pairs(h));
        let Outcome::Matched(m) = r.route(&req) else {
            panic!()
        };
        let mut a = Action::new();
        m.apply(&req, 0, &mut a);
        let hs = Action::edit_headers(&a.response_headers, &[]);
        (a.kind, a.status, hs)
    };
    let (kind, status, hs) = run(
        "OPTIONS",
        &[
            ("Origin", "https://xpto.www.bar.com"),
            ("Access-Control-Request-Method", "PUT"),
        ],
    );
    assert_eq!((kind, status), (ActionKind::Respond, 200));
    assert_eq!(
        hs,
        lines(&[
            ("Access-Control-Allow-Origin", "https://xpto.www.bar.com"),
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", "x-a"),
            ("Access-Control-Max-Age", "60"),
            // Issue #14: the upstream CORS conformance test wants it on preflights too.
            ("Access-Control-Expose-Headers", "x-e"),
            ("Vary", "Origin"),
        ])
    );
    let (kind, _, hs) = run("GET", &[("Origin", "https://foo.com")]);
    assert_eq!(kind, ActionKind::Forward);
    assert_eq!(
        hs,
        lines(&[
            ("Access-Control-Allow-Origin", "https://foo.com"),
            ("Access-Control-Expose-Headers", "x-e"),
            ("Vary", "Origin")
        ])
    );
    let (kind, status, hs) = run(
        "OPTIONS",
        &[
            ("Origin", "https://evil.com"),
            ("Access-Control-Request-Method", "PUT"),
        ],
    );
    assert_eq!((kind, status, hs.len()), (ActionKind::Respond, 200, 0));
    let (kind, _, hs) = run("GET", &[]);
    assert_eq!((kind, hs.len()), (ActionKind::Forward, 0));
}

/// Timeouts and retry are exposed as parsed policies (SPEC §8).
#[test]
fn policies_exposed() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - timeouts: {request: 10s, backendRequest: 1s500ms}\n    retry: {attempts: 2, codes: [500, 503], backoff: 100ms}\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let req = Request::new("GET", "h", "/");
    let Outcome::Matched(m) = r.route(&req) else {
        panic!()
    };
    let p = m.policies();
    assert!(p.has_timeouts() && p.has_retry() && !p.is_empty());
    assert_eq!(
        p.request_timeout(),
        Some(("10s", std::time::Duration::from_secs(10)))
    );
    assert_eq!(
        p.backend_request_timeout(),
        Some(("1s500ms", std::time::Duration::from_millis(1500)))
    );
    assert_eq!(
        (p.retry_attempts(), p.retry_codes()),
        (Some(2), &[500u16, 503][..])
    );
    assert_eq!(
        p.retry_backoff(),
        Some(("100ms", std::time::Duration::from_millis(100)))
    );
    assert_eq!(p.session_kind(), None);
}

/// Session persistence through the accessors: type, name, timeouts as written and parsed,
/// lifetime; a rule without it reports none.
#[test]
fn session_policy_exposed() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules:\n  - sessionPersistence: {sessionName: sid, type: Cookie, absoluteTimeout: 1h, idleTimeout: 90s, cookieConfig: {lifetimeType: Permanent}}\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let req = Request::new("GET", "h", "/");
    let Outcome::Matched(m) = r.route(&req) else {
        panic!()
    };
    let p = m.policies();
    assert_eq!(p.session_kind(), Some("Cookie"));
    assert_eq!(p.session_name(), Some("sid"));
    assert_eq!(
        p.session_absolute_timeout(),
        Some(("1h", std::time::Duration::from_secs(3600)))
    );
    assert_eq!(
        p.session_idle_timeout(),
        Some(("90s", std::time::Duration::from_secs(90)))
    );
    assert!(p.session_permanent());
    assert!(!p.has_timeouts() && !p.has_retry() && p.retry_codes().is_empty());
}

/// A rule with no backendRefs answers 500; an invalid filter combination drops the rule
/// (SPEC §5.3, §6.1).
#[test]
fn no_backends_and_invalid_rules() {
    let r = router_ports(&route(
        "default",
        "r",
        "  rules: [{matches: [{path: {value: /x}}]}]",
    ));
    let (kind, status, ..) = act(&r, &Request::new("GET", "h", "/x"));
    assert_eq!((kind, status), (ActionKind::Respond, 500));
    let config = trieway::Config::from_str(&format!(
        "{PORTS}{}",
        route("default", "bad", "  rules:\n  - matches: [{path: {type: Exact, value: /x}}]\n    filters:\n    - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /y}}}\n  - matches: [{path: {value: /ok}}]")
    ));
    assert_eq!(config.errors().len(), 1, "{:?}", config.errors());
    assert!(
        config.errors()[0]
            .to_string()
            .contains("spec.rules[0].filters[0]"),
        "{}",
        config.errors()[0]
    );
    let r = Router::new(&config, Options::default()).unwrap();
    assert_eq!(hit(&r, "GET", "h", "/x", &[]), "404");
    assert_eq!(hit(&r, "GET", "h", "/ok", &[]), "default/bad#1");
}

/// ExtensionRef (SPEC §6.8): an ExtensionRef the embedder does not implement answers 500; one
/// it registered in `Options::extension_kinds` is handed over in `Action::extensions`.
#[test]
fn extension_refs() {
    let routes = route(
        "default",
        "r",
        "  rules:\n  - filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Auth, name: a}}]\n    backendRefs: [{name: svc-a, port: 80}]",
    );
    let config = trieway::Config::from_str(&format!("{PORTS}{routes}"));
    let run = |options: Options| {
        let r = Router::new(&config, options).unwrap();
        let req = Request::new("GET", "h", "/");
        let Outcome::Matched(m) = r.route(&req) else {
            panic!()
        };
        let mut a = Action::new();
        m.apply(&req, 0, &mut a);
        (
            a.kind,
            a.status,
            a.extensions
                .iter()
                .map(|e| e.name.clone())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(run(Options::default()), (ActionKind::Respond, 500, vec![]));
    let known = Options {
        extension_kinds: vec!["example.com/Auth".into()],
        ..Options::default()
    };
    assert_eq!(
        run(known),
        (ActionKind::Forward, 200, vec!["a".to_string()])
    );
}

/// A valid backend whose EndpointSlices list endpoints but none ready answers 503 (SPEC §5.3);
/// a Service without EndpointSlices is assumed ready.
#[test]
fn no_ready_endpoints_503() {
    let slices = r#"
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: a-1, namespace: default, labels: {kubernetes.io/service-name: svc-a}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], conditions: {ready: false}}]
"#;
    let r = router_ports(&format!(
        "{slices}{}",
        route("default", "r", "  rules:\n  - matches: [{path: {value: /a}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {value: /b}}]\n    backendRefs: [{name: svc-b, port: 80}]")
    ));
    assert_eq!(act(&r, &Request::new("GET", "h", "/a")).1, 503);
    assert_eq!(act(&r, &Request::new("GET", "h", "/b")).1, 200);
}
