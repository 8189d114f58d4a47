//! Request hygiene (issue #15, findings 4, 5 and 9): hostile Host and Origin values, the
//! query-length limit and the single query scan, listener selection by hostname index. See
//! SECURITY.md.

mod common;

use std::cell::Cell;
use std::ops::ControlFlow;
use trieway::{Action, ActionKind, Headers, Options, Outcome, Request, RequestView, Router};

/// Hosts that are not `host[:port]`: each matches only catch-all hostnames, and none is copied
/// into a header value.
const HOSTILE_HOSTS: &[&str] = &[
    "evil.com/.pages.example.com",
    "evil.com/.pages.example.com:80",
    "evil.com?.pages.example.com",
    "evil.com#.pages.example.com",
    "user@x.pages.example.com",
    "x.pages.example.com\r\nSet-Cookie: a=1",
    "x.pages.example.com\nX: 1",
    "x.pages.example.com\0",
    "x.pages.example.com ",
    " x.pages.example.com",
    "x.pages.example.com\t",
    ":80",
    ":",
    ".",
    "a..pages.example.com",
    "x.pages.example.com:80:80",
    "x.pages.example.com:80x",
    "x.pages.example.com:123456",
    "x.pages.example.com\\",
    "x.pages.example.com%2f",
    "[::1",
    "[x]",
    "[::1]evil",
    "x.p\u{e4}ges.example.com",
];

fn no_ctl(v: &str) -> bool {
    !v.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0))
}

/// Every header value the engine built is free of CR, LF and NUL.
fn assert_clean(action: &Action<'_>, what: &str) {
    assert!(no_ctl(&action.location), "{what}: {:?}", action.location);
    assert!(no_ctl(&action.authority), "{what}: {:?}", action.authority);
    for e in action
        .response_headers
        .iter()
        .chain(&action.request_headers)
    {
        assert!(no_ctl(&e.value), "{what}: {}: {:?}", e.name, e.value);
    }
}

const WILDCARD_AND_CATCH_ALL: &str = r"---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: pages, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: ['*.pages.example.com']
  rules: [{backendRefs: [{name: svc-a, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: any, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: svc-b, port: 80}]}]
";

#[test]
fn hostile_hosts_match_only_catch_all_hostnames() {
    let router = common::router(WILDCARD_AND_CATCH_ALL);
    for host in [
        "x.pages.example.com",
        "X.Pages.Example.COM.:8080",
        "a_b.pages.example.com",
    ] {
        assert_eq!(
            common::hit(&router, "GET", host, "/", &[]),
            "default/pages#0",
            "{host:?}"
        );
    }
    for host in HOSTILE_HOSTS {
        assert_eq!(
            common::hit(&router, "GET", host, "/", &[]),
            "default/any#0",
            "{host:?}"
        );
        // And the upstream Host is not the hostile value.
        let req = Request::new("GET", host, "/");
        let Outcome::Matched(m) = router.route(&req) else {
            panic!("{host:?}")
        };
        let mut action = Action::new();
        m.apply(&req, 0, &mut action);
        assert_eq!(action.authority, "", "{host:?}");
        assert_clean(&action, host);
    }
    // Valid hosts are forwarded as sent.
    let req = Request::new("GET", "X.pages.example.com:8080", "/");
    let Outcome::Matched(m) = router.route(&req) else {
        panic!()
    };
    let mut action = Action::new();
    m.apply(&req, 0, &mut action);
    assert_eq!(action.authority, "X.pages.example.com:8080");
}

/// With listener isolation, a hostile host selects only a listener without hostname.
#[test]
fn hostile_hosts_select_only_listeners_without_hostname() {
    let yaml = format!(
        "{}{}",
        common::CLASS,
        r"---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: trieway
  listeners:
  - {name: pages, port: 80, protocol: HTTP, hostname: '*.pages.example.com', allowedRoutes: {namespaces: {from: All}}}
  - {name: exact, port: 80, protocol: HTTP, hostname: 'x.pages.example.com', allowedRoutes: {namespaces: {from: All}}}
  - {name: rest, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: svc, port: 80}]}]
"
    );
    let router = Router::new(&trieway::Config::from_str(&yaml), Options::default()).unwrap();
    let listener = |host: &str| match router.route(&Request::new("GET", host, "/")) {
        Outcome::Matched(m) => m.listener().to_string(),
        o => panic!("{host:?}: {}", common::describe(o)),
    };
    assert_eq!(listener("x.pages.example.com"), "exact");
    assert_eq!(listener("y.pages.example.com"), "pages");
    assert_eq!(listener("a.b.pages.example.com"), "pages");
    assert_eq!(listener("pages.example.com"), "rest");
    for host in HOSTILE_HOSTS {
        assert_eq!(listener(host), "rest", "{host:?}");
    }
}

#[test]
fn redirects_never_copy_a_hostile_host_or_control_bytes() {
    let router = common::router(&common::route(
        "default",
        "r",
        r"  rules:
  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]",
    ));
    let redirect = |host: &str, target: &str| {
        let req = Request::new("GET", host, target);
        let Outcome::Matched(m) = router.route(&req) else {
            panic!("{host:?}")
        };
        let mut action = Action::new();
        m.apply(&req, 0, &mut action);
        assert_clean(&action, host);
        (action.kind, action.status, action.location.clone())
    };
    assert_eq!(
        redirect("Shop.example.com:8080", "/p?q=1"),
        (
            ActionKind::Redirect,
            302,
            "https://Shop.example.com/p?q=1".into()
        )
    );
    assert_eq!(
        redirect("[::1]:8080", "/p"),
        (ActionKind::Redirect, 302, "https://[::1]/p".into())
    );
    // No valid host: no Location can be built safely, the answer is 400.
    for host in HOSTILE_HOSTS.iter().chain(&[""]) {
        assert_eq!(
            redirect(host, "/p"),
            (ActionKind::Respond, 400, String::new()),
            "{host:?}"
        );
    }
    // Control bytes and spaces of the path and query are percent-encoded.
    assert_eq!(
        redirect("a.example", "/p\r\nSet-Cookie: a=1?q=\0\n").2,
        "https://a.example/p%0D%0ASet-Cookie:%20a=1?q=%00%0A"
    );
    // A path that does not start with `/` cannot extend the authority.
    for (target, want) in [
        ("@evil.com/x", "https://a.example/@evil.com/x"),
        ("*", "https://a.example/*"),
        ("?q", "https://a.example/?q"),
    ] {
        let req = Request::new("GET", "a.example", target);
        let mut action = Action::new();
        // The catch-all route matches only paths starting with `/`: apply directly.
        if let Outcome::Matched(m) = router.route(&Request::new("GET", "a.example", "/")) {
            m.apply(&req, 0, &mut action);
        }
        assert_eq!(action.location, want);
    }
}

const CORS: &str = r"  rules:
  - filters:
    - type: CORS
      cors:
        allowOrigins: ['https://*.example.com', 'https://app.example.org']
        allowCredentials: true
        allowMethods: ['*']
        allowHeaders: ['*']
    backendRefs: [{name: svc-a, port: 80}]";

#[test]
fn cors_never_echoes_hostile_origins() {
    let router = common::router(&common::route("default", "r", CORS));
    let run = |method: &str, headers: &[(&str, &str)]| {
        let req = Request::new(method, "api.example.com", "/").headers(Headers::Pairs(headers));
        let Outcome::Matched(m) = router.route(&req) else {
            panic!()
        };
        let mut action = Action::new();
        m.apply(&req, 0, &mut action);
        assert_clean(&action, &format!("{headers:?}"));
        action
            .response_headers
            .iter()
            .map(|e| (e.name.to_string(), e.value.to_string()))
            .collect::<Vec<_>>()
    };
    let acao = |hs: &[(String, String)]| {
        hs.iter()
            .find(|(n, _)| n == "Access-Control-Allow-Origin")
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        acao(&run("GET", &[("Origin", "https://a.example.com")])),
        Some("https://a.example.com".into())
    );
    assert_eq!(
        acao(&run("GET", &[("Origin", " https://app.example.org ")])),
        Some("https://app.example.org".into())
    );
    for origin in [
        "https://evil\r\nSet-Cookie: a=1.example.com",
        "https://evil\n.example.com",
        "https://evil\0.example.com",
        "https://evil.com/.example.com",
        "https://evil.com?.example.com",
        "https://user@a.example.com",
        "https://a.example.com:443\r\nX: 1",
        "https://a.example.com/",
        "https://",
    ] {
        assert_eq!(acao(&run("GET", &[("Origin", origin)])), None, "{origin:?}");
    }
    // A preflight echoes the requested method and headers only when they are tokens.
    let pre = run(
        "OPTIONS",
        &[
            ("Origin", "https://a.example.com"),
            ("Access-Control-Request-Method", "PUT\r\nSet-Cookie: a=1"),
            ("Access-Control-Request-Headers", "x-a\r\nSet-Cookie: a=1"),
        ],
    );
    assert!(pre
        .iter()
        .all(|(n, _)| n != "Access-Control-Allow-Methods" && n != "Access-Control-Allow-Headers"));
    let pre = run(
        "OPTIONS",
        &[
            ("Origin", "https://a.example.com"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "x-a, X-B"),
        ],
    );
    assert!(pre.contains(&("Access-Control-Allow-Methods".into(), "PUT".into())));
    assert!(pre.contains(&("Access-Control-Allow-Headers".into(), "x-a, X-B".into())));
}

const QUERY_RULES: &str = r"  rules:
  - matches: [{path: {value: /q}, queryParams: [{name: a, value: '1'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - backendRefs: [{name: svc-b, port: 80}]";

#[test]
fn queries_longer_than_max_query_len_count_as_absent() {
    let router = common::router_with(
        &common::route("default", "r", QUERY_RULES),
        Options {
            max_query_len: 16,
            ..Options::default()
        },
    );
    let at_limit = format!("a=1&{}", "x".repeat(12));
    let over = format!("a=1&{}", "x".repeat(13));
    assert_eq!(
        common::hit(&router, "GET", "h", &format!("/q?{at_limit}"), &[]),
        "default/r#0"
    );
    // Over the limit the query condition fails; the rule without one still answers.
    assert_eq!(
        common::hit(&router, "GET", "h", &format!("/q?{over}"), &[]),
        "default/r#1"
    );
    // The default limit is 16 KiB.
    let router = common::router(&common::route("default", "r", QUERY_RULES));
    assert_eq!(Options::default().max_query_len, 16 * 1024);
    let big = format!("/q?a=1&{}", "x".repeat(16 * 1024));
    assert_eq!(common::hit(&router, "GET", "h", &big, &[]), "default/r#1");
}

/// A request that counts how often the router reads its query.
struct Counting<'a> {
    inner: Request<'a>,
    query_reads: Cell<u32>,
}

impl RequestView for Counting<'_> {
    fn method(&self) -> &str {
        self.inner.method
    }
    fn authority(&self) -> Option<&str> {
        self.inner.authority
    }
    fn path(&self) -> &str {
        self.inner.path
    }
    fn query(&self) -> Option<&str> {
        self.query_reads.set(self.query_reads.get() + 1);
        self.inner.query
    }
    fn for_each_header(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        self.inner.for_each_header(name, f)
    }
}

/// 128 rules with one query condition each, none satisfied: the query is read once per
/// lookup (it was read once per condition), and every condition is still answered right.
#[test]
fn the_query_is_read_once_per_lookup_whatever_the_number_of_conditions() {
    let mut routes = String::new();
    for r in 0..8 {
        let mut rules = String::from("  rules:\n");
        for k in r * 16..(r + 1) * 16 {
            rules.push_str(&format!(
                "  - matches: [{{path: {{value: /q}}, queryParams: [{{name: p{k}, value: v}}]}}]\n    backendRefs: [{{name: svc-a, port: 80}}]\n"
            ));
        }
        routes.push_str(&common::route("default", &format!("q{r}"), &rules));
    }
    routes.push_str(&common::route(
        "default",
        "fallback",
        "  rules: [{backendRefs: [{name: svc-b, port: 80}]}]",
    ));
    let router = common::router(&routes);
    let query = format!("/q?{}p127=v&p5=v", "a&".repeat(4_000));
    for (target, want) in [
        (format!("/q?{}", "a&".repeat(4_000)), "default/fallback#0"),
        (query, "default/q0#5"),
        ("/q?p127=w&p127=v".to_string(), "default/fallback#0"),
        ("/q?p127=v".to_string(), "default/q7#15"),
    ] {
        let req = Counting {
            inner: Request::new("GET", "h", &target),
            query_reads: Cell::new(0),
        };
        assert_eq!(common::describe(router.route(&req)), want);
        assert_eq!(req.query_reads.get(), 1, "{want}");
    }
}

#[test]
fn header_values_longer_than_max_header_value_len_never_match() {
    let rules = r"  rules:
  - matches: [{headers: [{name: x-re, type: RegularExpression, value: '[a-z,]+z'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{headers: [{name: x-exact, value: 'abc'}]}]
    backendRefs: [{name: svc-b, port: 80}]";
    let router = common::router_with(
        &common::route("default", "r", rules),
        Options {
            max_header_value_len: 8,
            ..Options::default()
        },
    );
    for (headers, want) in [
        (vec![("x-re", "aaaaaaaz")], "default/r#0"),
        (vec![("x-re", "aaaaaaaaz")], "404"),
        (vec![("x-re", "aaaa"), ("x-re", "aaz")], "default/r#0"),
        (vec![("x-re", "aaaa"), ("x-re", "aaaz")], "404"),
        (vec![("x-exact", "abc")], "default/r#1"),
    ] {
        assert_eq!(
            common::hit(&router, "GET", "h", "/", &headers),
            want,
            "{headers:?}"
        );
    }
    assert_eq!(Options::default().max_header_value_len, 16 * 1024);
}
