//! Zero allocation per lookup is a tested property: a counting global allocator (per thread)
//! sees no allocation while routing hits of every kind and misses.

mod common;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;
use trieway::{Headers, Outcome, Request, Target};

const ROUTES: &str = r#"
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [exact.example.com, '*.wild.example.com']
  rules:
  - matches: [{path: {type: Exact, value: /exact}}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /prefix}}]
    backendRefs: [{name: svc-a, port: 80, weight: 3}, {name: svc-b, port: 80, weight: 1}]
  - matches: [{path: {type: RegularExpression, value: '/re/[0-9]+'}}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /hdr}, headers: [{name: x-exact, value: 'yes'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /hdr}, headers: [{name: x-re, type: RegularExpression, value: 'v[0-9]'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /q}, queryParams: [{name: a, value: '1'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /q}, queryParams: [{name: b, type: RegularExpression, value: '[0-9]+'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /m}, method: POST}]
    backendRefs: [{name: missing, port: 80}]
"#;

#[test]
fn lookups_do_not_allocate() {
    lookups_do_not_allocate_with(false);
}

/// With `Options::counters` on, counting hits and misses allocates nothing either (after the
/// warm-up run, which also picks this thread's counter shard).
#[test]
fn lookups_with_counters_do_not_allocate() {
    let router = lookups_do_not_allocate_with(true);
    let stats = router.stats().expect("counters on");
    let hits: u64 = stats.rules.iter().map(|r| r.matches).sum();
    let misses: u64 = stats.listeners.iter().map(|l| l.not_found).sum();
    // Two runs (warm-up and counted) of the 8 hits and 4 misses of the case table.
    assert_eq!((hits, misses), (16, 8), "{stats:#?}");
}

fn lookups_do_not_allocate_with(counters: bool) -> trieway::Router {
    let options = trieway::Options {
        counters,
        ..trieway::Options::default()
    };
    let router = common::router_with(ROUTES, options);
    type Case<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], bool);
    let cases: &[Case<'_>] = &[
        ("GET", "exact.example.com", "/exact", &[], true),
        ("GET", "EXACT.example.com:80", "/prefix/a/b", &[], true),
        ("GET", "a.b.wild.example.com", "/re/123", &[], true),
        (
            "GET",
            "exact.example.com",
            "/hdr",
            &[("X-Exact", "yes")],
            true,
        ),
        ("GET", "exact.example.com", "/hdr", &[("x-re", "v1")], true),
        (
            "GET",
            "exact.example.com",
            "/hdr",
            &[("x-re", "v"), ("x-re", "1")],
            false,
        ),
        ("GET", "exact.example.com", "/q?a=1", &[], true),
        ("GET", "exact.example.com", "/q?c=2&b=42", &[], true),
        ("POST", "exact.example.com", "/m", &[], true),
        ("GET", "exact.example.com", "/nothing", &[], false),
        ("GET", "other.org", "/exact", &[], false),
        ("GET", "", "/", &[], false),
    ];
    let run = || {
        let mut hits = 0;
        for &(method, host, target, headers, _) in cases {
            let req = Request::new(method, host, target).headers(Headers::Pairs(headers));
            if let Outcome::Matched(m) = router.route(&req) {
                hits += 1;
                // OpenTelemetry attributes are borrowed: no allocation.
                assert!(m.attributes().count() >= 8);
                assert!(!m.http_route().is_empty());
                // A match id turns back into the same match without allocating.
                let again = router.match_by_id(m.id()).expect("own id resolves");
                assert_eq!(again.id(), m.id());
                assert_eq!(
                    (again.route(), again.rule_index(), again.match_index()),
                    (m.route(), m.rule_index(), m.match_index())
                );
                assert_eq!(
                    (
                        again.listener(),
                        again.hostname(),
                        again.port(),
                        again.is_tls()
                    ),
                    (m.listener(), m.hostname(), m.port(), m.is_tls())
                );
                // Weighted picks, valid and invalid, allocate nothing either.
                for r in [0u64, u64::MAX / 2, u64::MAX] {
                    match m.pick(r) {
                        Target::Backend(b) => assert!(!b.name().is_empty()),
                        Target::Status(s) => assert_eq!(s, 500),
                        _ => unreachable!(),
                    }
                }
            }
        }
        hits
    };
    // Warm up: the regex engine's per-thread cache and the header-join scratch buffer are
    // created on first use and reused afterwards.
    let expected_hits = cases.iter().filter(|c| c.4).count();
    assert_eq!(run(), expected_hits);
    let (hits, n) = allocations(run);
    assert_eq!(hits, expected_hits);
    assert_eq!(n, 0, "lookups allocated {n} times");
    router
}

/// Match ids: equal for the same match, different for different ones (rule, listener or
/// hostname), and refused by a Router they do not come from.
#[test]
fn match_ids_identify_matches() {
    let router = common::router(ROUTES);
    let id = |host: &str, target: &str| match router.route(&Request::new("GET", host, target)) {
        Outcome::Matched(m) => m.id(),
        other => panic!("{host}{target}: {}", common::describe(other)),
    };
    assert_eq!(
        id("exact.example.com", "/exact"),
        id("EXACT.example.com", "/exact")
    );
    assert_eq!(
        id("exact.example.com", "/prefix/a"),
        id("exact.example.com", "/prefix/b")
    );
    assert_ne!(
        id("exact.example.com", "/exact"),
        id("exact.example.com", "/prefix/a")
    );
    // Same rule, other effective hostname: another match.
    let wild = id("a.wild.example.com", "/prefix/a");
    assert_ne!(wild, id("exact.example.com", "/prefix/a"));
    assert_eq!(wild, id("b.wild.example.com", "/prefix/a"));
    let m = router.match_by_id(wild).unwrap();
    assert_eq!(m.hostname(), "*.wild.example.com");
    // A Router with fewer matches does not resolve an id of this one.
    let small = common::router("");
    assert!(small
        .match_by_id(id("exact.example.com", "/q?a=1"))
        .is_none());
}

/// Positive control: the counter does see allocations.
#[test]
fn counter_sees_allocations() {
    let (_v, n) = allocations(|| vec![1u8; 64]);
    assert!(n >= 1);
}

const FILTERS: &str = r#"
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: f, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /rewrite}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: x-set, value: s}]
        add: [{name: x-add, value: a}]
        remove: [x-remove]
    - type: ResponseHeaderModifier
      responseHeaderModifier: {add: [{name: x-resp, value: r}]}
    - type: URLRewrite
      urlRewrite: {hostname: upstream.internal, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
    - type: RequestMirror
      requestMirror: {backendRef: {name: svc-b, port: 80}, percent: 10}
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /redirect}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, path: {type: ReplaceFullPath, replaceFullPath: /moved}}
"#;

/// Applying filters into a used `Action` allocates nothing for header edits, path rewrites and
/// redirects that fit its capacity (SPEC §6; issue: reusable Action).
#[test]
fn apply_reuses_action_buffers() {
    let router = common::router(FILTERS);
    let reqs = [
        Request::new("GET", "h.example.com", "/rewrite/a/b?x=1"),
        Request::new("GET", "h.example.com", "/redirect/x?y=2"),
    ];
    fn run<'r>(
        router: &'r trieway::Router,
        reqs: &[Request<'_>],
        action: &mut trieway::Action<'r>,
    ) -> usize {
        let mut seen = 0;
        for req in reqs {
            if let Outcome::Matched(m) = router.route(req) {
                m.apply(req, 7, action);
                seen += action.request_headers.len()
                    + action.location.len()
                    + action.path_and_query.len();
            }
        }
        seen
    }
    let mut action = trieway::Action::new();
    let warm = run(&router, &reqs, &mut action);
    assert!(warm > 0);
    let (again, n) = allocations(|| run(&router, &reqs, &mut action));
    assert_eq!(again, warm);
    assert_eq!(n, 0, "apply allocated {n} times");
}

/// HTTP, TLS passthrough, TCP and UDP listeners and a route of each kind (shared with the
/// bindings' tests).
const L4: &str = include_str!("../examples/protocols.yaml");

/// gRPC, TLS, TCP and UDP lookups allocate nothing either.
#[test]
fn layer4_and_grpc_lookups_do_not_allocate() {
    let config = trieway::Config::from_str(L4);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let router = trieway::Router::new(&config, trieway::Options::default()).expect("router");
    let run = || {
        let mut hits = 0;
        let h = [("x-a", "1")];
        for (path, headers) in [
            ("/foo.Echo/Ping", &[][..]),
            ("/foo.Other/X", &h[..]),
            ("/nope/X", &[][..]),
        ] {
            let req = Request::new("POST", "grpc.example.com", path)
                .headers(Headers::Pairs(headers))
                .port(80);
            if let Outcome::Matched(m) = router.route_grpc(&req) {
                hits += usize::from(matches!(m.pick(3), Target::Backend(_)));
            }
        }
        for sni in [
            Some("a.tls.example.com"),
            Some("A.Tls.Example.com."),
            Some("other.org"),
            None,
        ] {
            if let trieway::TlsOutcome::Forward(m) = router.route_tls(443, sni) {
                hits += usize::from(m.passthrough());
            }
        }
        hits += router.route_tcp(9000).map_or(0, |m| {
            usize::from(matches!(m.pick(u64::MAX), Target::Backend(_)))
        });
        hits += router
            .route_udp(9001)
            .map_or(0, |m| usize::from(matches!(m.pick(0), Target::Backend(_))));
        hits
    };
    assert_eq!(run(), 6);
    let (hits, n) = allocations(run);
    assert_eq!(hits, 6);
    assert_eq!(n, 0, "lookups allocated {n} times");
}

/// The single query scan (128 query conditions, long queries, the query-length limit), the
/// header-length limit and hostile hosts allocate nothing either, once the per-thread scan
/// slots and the regex caches exist.
#[test]
fn query_scan_limits_and_hostile_hosts_do_not_allocate() {
    let mut routes = String::new();
    for r in 0..8 {
        let mut rules = String::from("  rules:\n");
        for k in r * 16..(r + 1) * 16 {
            let kind = if k % 2 == 0 {
                "Exact"
            } else {
                "RegularExpression"
            };
            rules.push_str(&format!(
                "  - matches: [{{path: {{value: /q}}, queryParams: [{{name: p{k}, type: {kind}, value: v}}]}}]\n    backendRefs: [{{name: svc-a, port: 80}}]\n"
            ));
        }
        routes.push_str(&common::route("default", &format!("q{r}"), &rules));
    }
    routes.push_str(&common::route(
        "default",
        "h",
        "  hostnames: ['*.example.com']\n  rules:\n  - matches: [{headers: [{name: x-re, type: RegularExpression, value: 'a+'}]}]\n    backendRefs: [{name: svc-b, port: 80}]\n  - backendRefs: [{name: svc-b, port: 80}]",
    ));
    let router = common::router_with(
        &routes,
        trieway::Options {
            max_query_len: 64 * 1024,
            max_header_value_len: 1024,
            ..trieway::Options::default()
        },
    );
    let long = format!("/q?{}p127=v&p2=v", "a&".repeat(20_000));
    let over = format!("/q?{}p2=v", "a&".repeat(40_000));
    let big_header = "a".repeat(4096);
    let joined: Vec<(&str, &str)> = vec![("x-re", "aaaaaaaaaa"); 200];
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, bool);
    let cases: Vec<Case<'_>> = vec![
        ("a.other.org", long.as_str(), vec![], true),
        ("a.other.org", over.as_str(), vec![], false),
        ("a.other.org", "/q?p5=v&p6=x", vec![], true),
        (
            "a.example.com",
            "/",
            vec![("x-re", big_header.as_str())],
            false,
        ),
        ("a.example.com", "/", joined, false),
        ("evil.com/.example.com", "/q?p1=v", vec![], true),
        ("a.example.com\r\nx: 1", "/", vec![], false),
        ("", "/q?p0=v", vec![], true),
    ];
    let run = || {
        let mut hits = 0;
        for (host, target, headers, _) in &cases {
            let req = Request::new("GET", host, target).headers(Headers::Pairs(headers));
            if let Outcome::Matched(m) = router.route(&req) {
                hits += usize::from(m.route().name.starts_with('q'));
            }
        }
        hits
    };
    let expected = cases.iter().filter(|c| c.3).count();
    assert_eq!(run(), expected);
    let (hits, n) = allocations(run);
    assert_eq!(hits, expected);
    assert_eq!(n, 0, "lookups allocated {n} times");
}

/// A Router built in code by `RouteSet` is the same engine: its lookups allocate nothing
/// either (hits with path, header and query conditions, a weighted split, and misses).
#[test]
fn route_set_lookups_do_not_allocate() {
    use trieway::{RouteSet, Rule};
    let router = RouteSet::new()
        .host("api.example.com")
        .prefix("/users", "users:8080")
        .regex("/items/[0-9]+", "items:80")
        .route(
            Rule::prefix("/v2")
                .header("x-canary", "1")
                .query("q", "1")
                .backend("v2:80", 10)
                .backend("v1:80", 90),
        )
        .build()
        .expect("valid routes");
    let headers = [("x-canary", "1")];
    let requests = [
        Request::new("GET", "api.example.com", "/users/7"),
        Request::new("GET", "API.example.com:80", "/items/42"),
        Request::new("GET", "api.example.com", "/v2/x?q=1").headers(Headers::Pairs(&headers)),
        Request::new("GET", "api.example.com", "/nowhere"),
        Request::new("GET", "other.example.com", "/users"),
    ];
    let want = [true, true, true, false, false];
    // The per-thread query slots are allocated by the first query lookup on a thread (see
    // `query_scan_limits_and_hostile_hosts_do_not_allocate`): warm this thread up once.
    for req in &requests {
        let _ = router.route(req);
    }
    for (req, want) in requests.iter().zip(want) {
        let (got, n) = allocations(|| match router.route(req) {
            Outcome::Matched(m) => matches!(m.pick(77), Target::Backend(_)),
            _ => false,
        });
        assert_eq!(got, want, "{req:?}");
        assert_eq!(n, 0, "{req:?} allocated");
    }
}

/// Path parameters (issue #16, item 4): reading them from a template's segments or a regex's
/// one-pass capture search allocates nothing (after the thread's first capture search, which
/// creates the per-thread scratch once), and neither does the lookup.
#[test]
fn params_do_not_allocate() {
    let router = common::router(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: p, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches: [{path: {type: RegularExpression, value: '/t/(?P<org>[^/]+)/r/(?P<repo>[^/]+)(/.*)?'}}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {type: RegularExpression, value: '/u/(?P<id>[0-9]+)(?:/(?<tab>[a-z]+))?'}}]
    backendRefs: [{name: svc-a, port: 80}]
"#,
    );
    let cases: &[(&str, usize)] = &[
        ("/t/acme/r/widget", 2),
        ("/t/acme/r/widget/x/y", 2),
        ("/u/42", 1),
        ("/u/42/posts", 2),
    ];
    let run = || {
        let mut seen = 0;
        for &(path, want) in cases {
            let Outcome::Matched(m) = router.route(&Request::new("GET", "h", path)) else {
                return usize::MAX;
            };
            let n = m.params(path).filter(|(_, v)| !v.is_empty()).count();
            assert_eq!(n, want, "{path}");
            seen += n;
        }
        seen
    };
    let want: usize = cases.iter().map(|c| c.1).sum();
    assert_eq!(run(), want);
    let (seen, n) = allocations(run);
    assert_eq!(seen, want);
    assert_eq!(n, 0, "params allocated {n} times");
}

/// `Live::load` (the reader path of a hot-swapped router) allocates nothing: one atomic load
/// of the published snapshot, then the lookup; also after a new version was published, with
/// the old snapshot still held elsewhere.
#[test]
fn live_load_does_not_allocate() {
    use trieway::{Change, Config, Live, Options};
    let config = Config::from_str(&format!("{}\n---\n{}", common::BASE, ROUTES));
    let live = Live::new(config, Options::default()).expect("router");
    let req = Request::new("GET", "exact.example.com", "/exact");
    let run = || {
        let snapshot = live.load();
        let hit = matches!(snapshot.route(&req), Outcome::Matched(_));
        (hit, snapshot.version())
    };
    // Warm up: arc-swap registers this thread's slot for borrowed loads on first use.
    assert!(run().0);
    let ((hit, version), n) = allocations(run);
    assert!(hit);
    assert_eq!(version, 1);
    assert_eq!(n, 0, "Live::load and route allocated {n} times");
    // Publish a new version (the route moves away) while an old snapshot is held.
    let held = live.snapshot();
    let moved = ROUTES.replace("exact.example.com, ", "moved.example.com, ");
    let result = live.apply(Change::parse(&moved, "moved.yaml").expect("parses"));
    assert!(result.is_clean() && result.published, "{result}");
    let ((hit, version), n) = allocations(run);
    assert_eq!((hit, version), (false, 2));
    assert_eq!(
        n, 0,
        "Live::load and route allocated {n} times after a swap"
    );
    assert!(matches!(held.route(&req), Outcome::Matched(_)));
}

/// The ingress-nginx flavor: canary by header and cookie, regex paths with a rewrite-target
/// with capture groups, the HTTPS redirect and app-root. Lookups and applying the match
/// allocate nothing once the `Action`'s buffers have grown.
#[test]
fn ingress_nginx_lookups_and_apply_do_not_allocate() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: main
  namespace: a
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /$2
    nginx.ingress.kubernetes.io/app-root: /app
spec:
  ingressClassName: nginx
  tls: [{hosts: [h.com], secretName: cert}]
  rules:
  - host: h.com
    http: {paths: [{path: /api(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: v1, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: next
  namespace: a
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-by-header: X-Canary
    nginx.ingress.kubernetes.io/canary-by-cookie: beta
spec:
  ingressClassName: nginx
  rules:
  - host: h.com
    http: {paths: [{path: /api(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: v2, port: {number: 80}}}}]}
"#;
    let config = trieway::Config::from_str(yaml);
    let options = trieway::Options {
        ingress_nginx: true,
        ..Default::default()
    };
    let router = trieway::Router::from_ingress(&config, Some("nginx"), options);
    let canary = [("x-canary", "always")];
    let cookie = [("cookie", "a=1; beta=never")];
    let reqs = [
        Request::new("GET", "h.com", "/api/v1/users?x=1").scheme("https"),
        Request::new("GET", "h.com", "/API/x")
            .scheme("https")
            .headers(Headers::Pairs(&canary)),
        Request::new("GET", "h.com", "/api/x")
            .scheme("https")
            .headers(Headers::Pairs(&cookie)),
        Request::new("GET", "h.com", "/api/x/"),
        Request::new("GET", "h.com", "/"),
        Request::new("GET", "h.com", "/nothing"),
    ];
    fn run<'r>(
        router: &'r trieway::Router,
        reqs: &[Request<'_>],
        action: &mut trieway::Action<'r>,
    ) -> usize {
        let mut seen = 0;
        for req in reqs {
            if let Outcome::Matched(m) = router.route(req) {
                m.apply(req, 7, action);
                seen += action.location.len() + action.path_and_query.len() + m.backends().len();
            }
        }
        seen
    }
    let mut action = trieway::Action::new();
    let warm = run(&router, &reqs, &mut action);
    assert!(warm > 0);
    // What the requests got (so that the loop measures the flavor's work).
    let mut a = trieway::Action::new();
    let Outcome::Matched(m) = router.route(&reqs[0]) else {
        panic!("no match")
    };
    m.apply(&reqs[0], 0, &mut a);
    assert_eq!(a.path_and_query, "/v1/users?x=1");
    let (again, n) = allocations(|| run(&router, &reqs, &mut action));
    assert_eq!(again, warm);
    assert_eq!(n, 0, "the ingress-nginx flavor allocated {n} times");
}
