//! Property tests: the compiled [`Router`] and the linear [`reference`](crate::reference)
//! matcher agree on every outcome, for random route sets and random requests.
//!
//! `PROPTEST_CASES` scales the number of configurations (default 2,000); each configuration
//! is asked 24 random requests.

use crate::attach::{AttachedGateway, AttachedListener, AttachedRoute};
use crate::config::Config;
use crate::model::{ProtocolType, RouteKind};
use crate::options::{Options, RegexRank, RepeatedHeaders};
use crate::reference::{self, RefOutcome};
use crate::request::{Headers, Request};
use crate::router::{Outcome, Router};
use proptest::prelude::*;
use serde_json::{json, Value};

const HOSTNAMES: &[&str] = &[
    "foo.example.com",
    "bar.example.com",
    "*.example.com",
    "*.com",
    "a.b.example.com",
    "*.b.example.com",
    "*",
];
const PATHS: &[&str] = &["/", "/a", "/a/", "/a/b", "/ab", "/a/b/c", "/b", "/a/b/"];
const REGEXES: &[&str] = &[
    "/a/[^/]+",
    "/a.*",
    "/[ab]/b",
    "/a/b/c",
    "(",
    "/.*",
    "/[^/]+/b(/.*)?",
    "/a/[^/]+(/.*)?",
    "/[^/]+/[^/]+",
    "/a/[^/]+/",
    "/a//b",
    "/[^/]+/",
    "(?x) /a .* # a comment swallows a textual `)$`",
    "(?i)/A/B",
    "(?s)/a.",
    "(?m)/a$",
    "/a|/b",
    // Leading literals of 9 and 17 bytes (checked before the DFA runs).
    "/a/b/c/d/.*",
    "/a/b/c/d/e/f/g/h/.+",
    "/a/b/c/d/e/f/x/h/.+",
    // Named groups (path parameters): templates, one-pass regexes, and one that is not
    // one-pass (no parameters).
    "/a/(?P<x>[^/]+)",
    "/(?P<first>[^/]+)/b(/.*)?",
    "/(?<seg>[^/]+)/(?P<two>[^/]+)/",
    "/(?P<p>[ab])/(?<q>[^/]*)",
    "/a(?P<rest>/.*)?",
    "(?i)/(?P<up>A)/(b)(?P<tail>/c)?",
    "/(?P<all>.*)/(?P<last>[^/]*)",
];
const NAMES: &[(&str, &str)] = &[
    ("a", "x"),
    ("a-b", "x"),
    ("a", "y"),
    ("b", "x"),
    ("b", "a"),
    ("a-b", "a"),
    ("c", "c"),
    ("a", "z"),
];

fn path_match() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        prop::sample::select(PATHS).prop_map(|v| json!({"type": "Exact", "value": v})),
        prop::sample::select(PATHS).prop_map(|v| json!({"type": "PathPrefix", "value": v})),
        prop::sample::select(PATHS).prop_map(|v| json!({"value": v})),
        prop::sample::select(REGEXES)
            .prop_map(|v| json!({"type": "RegularExpression", "value": v})),
    ]
}

fn value_match(names: &'static [&'static str]) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(names),
        prop::sample::select(&["1", "2", "[12]", "1,2", "("][..]),
        any::<bool>(),
    )
        .prop_map(|(n, v, re)| {
            if re {
                json!({"type": "RegularExpression", "name": n, "value": v})
            } else {
                json!({"name": n, "value": v})
            }
        })
}

fn route_match() -> impl Strategy<Value = Value> {
    (
        path_match(),
        prop::option::of(prop::sample::select(&["GET", "POST"][..])),
        prop::collection::vec(value_match(&["x-a", "X-A", "x-b"]), 0..3),
        prop::collection::vec(value_match(&["q", "Q"]), 0..2),
    )
        .prop_map(|(path, method, headers, query)| {
            let mut m = json!({"headers": headers, "queryParams": query});
            if !path.is_null() {
                m["path"] = path;
            }
            if let Some(method) = method {
                m["method"] = json!(method);
            }
            m
        })
}

fn rule() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(route_match(), 0..3),
        prop::collection::vec((0u32..3, 0u32..3), 0..3),
    )
        .prop_map(|(matches, backends)| {
            let refs: Vec<Value> = backends
                .iter()
                .map(|(s, w)| json!({"name": format!("svc{s}"), "port": 80, "weight": w}))
                .collect();
            json!({"matches": matches, "backendRefs": refs})
        })
}

#[derive(Debug, Clone)]
struct GenRoute {
    created: u32,
    rules: Option<Vec<Value>>,
    hostnames: Vec<&'static str>,
    listeners: Vec<usize>,
}

fn gen_route() -> impl Strategy<Value = GenRoute> {
    (
        0u32..3,
        prop::option::weighted(0.9, prop::collection::vec(rule(), 1..4)),
        prop::collection::vec(prop::sample::select(HOSTNAMES), 1..3),
        prop::collection::vec(0usize..3, 1..3),
    )
        .prop_map(|(created, rules, hostnames, listeners)| GenRoute {
            created,
            rules,
            hostnames,
            listeners,
        })
}

#[derive(Debug, Clone)]
struct Setup {
    routes: Vec<GenRoute>,
    listener_hosts: Vec<Option<&'static str>>,
    https: bool,
    options: Options,
    /// No hostname anywhere (listeners without hostname, every route's effective hostname
    /// `*`): a host-blind frontend, whose lookups skip the host indexes.
    blind: bool,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec(gen_route(), 1..8),
        prop::sample::select(vec![
            vec![None],
            vec![None, Some("*.example.com")],
            vec![Some("foo.example.com"), Some("*.example.com"), None],
        ]),
        any::<bool>(),
        (any::<bool>(), any::<bool>(), any::<bool>(), 0u8..3),
        (
            prop::sample::select(vec![16 * 1024, 3]),
            prop::sample::select(vec![16 * 1024, 1]),
        ),
        prop::bool::weighted(0.25),
    )
        .prop_map(
            |(
                routes,
                listener_hosts,
                https,
                (hi, li, below, rep),
                (max_query, max_header),
                blind,
            )| {
                let options = Options {
                    host_isolation: hi,
                    listener_isolation: li,
                    regex_rank: if below {
                        RegexRank::BelowPrefix
                    } else {
                        RegexRank::BetweenExactAndPrefix
                    },
                    repeated_headers: [
                        RepeatedHeaders::Join,
                        RepeatedHeaders::First,
                        RepeatedHeaders::Any,
                    ][rep as usize],
                    max_query_len: max_query,
                    max_header_value_len: max_header,
                    ..Options::default()
                };
                Setup {
                    routes,
                    listener_hosts,
                    https,
                    options,
                    blind,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct GenRequest {
    method: &'static str,
    host: &'static str,
    path: &'static str,
    query: Option<&'static str>,
    headers: Vec<(&'static str, &'static str)>,
    sni: Option<&'static str>,
    random: u64,
}

fn request() -> impl Strategy<Value = GenRequest> {
    (
        prop::sample::select(&["GET", "POST", "HEAD"][..]),
        prop::sample::select(
            &[
                "foo.example.com",
                "FOO.example.com:80",
                "x.bar.example.com",
                "a.b.example.com",
                "bar.example.com.",
                "example.com",
                "other.org",
                "",
                "x.b.example.com",
                // Not valid hosts: they match only catch-all hostnames.
                "evil.com/.foo.example.com",
                "x.bar.example.com@evil",
                ":80",
                "a..example.com",
                "foo.example.com\r\nx: 1",
                "[::1]:80",
                // Ports: valid ones are dropped; any other tail makes the host invalid.
                "foo.example.com:8080",
                "foo.example.com:",
                "foo.example.com:123456",
                "foo.example.com:8o",
                "foo.example.com.:443",
                "Foo.Example.Com",
                "x.bar.example.com:65535",
                // A `:` before the port: the unchecked name keeps it and never hits a key.
                "foo.example.com:1:80",
                "x.bar.example.com:8:443",
            ][..],
        ),
        prop::sample::select(
            &[
                "/",
                "/a",
                "/a/",
                "/a/b",
                "/ab",
                "/a/b/c",
                "/a/b/c/d",
                "/abc",
                "/b",
                "/b/b",
                "",
                "*",
                "/a//b",
                "/A",
                "/a/b/",
                "/b/",
                "/a//b/c",
                "/a/b/c/d/e/f/g/h/i",
                "/a/b/c/d/e/f/g/h/",
                "/a/b/c/d/",
            ][..],
        ),
        prop::option::of(prop::sample::select(
            &["q=1", "q=2&q=1", "Q=1", "q", "x=2&q=2", ""][..],
        )),
        prop::collection::vec(
            (
                prop::sample::select(&["x-a", "X-A", "x-b", "set-cookie"][..]),
                prop::sample::select(&["1", "2", "1,2", ""][..]),
            ),
            0..4,
        ),
        prop::option::of(prop::sample::select(
            &["foo.example.com", "x.example.com", "other.org"][..],
        )),
        any::<u64>(),
    )
        .prop_map(
            |(method, host, path, query, headers, sni, random)| GenRequest {
                method,
                host,
                path,
                query,
                headers,
                sni,
                random,
            },
        )
}

fn build(s: &Setup) -> (Config, AttachedGateway) {
    let mut config = Config::builder().without_validation();
    let mut listeners: Vec<AttachedListener> = s
        .listener_hosts
        .iter()
        .enumerate()
        .map(|(i, h)| AttachedListener {
            name: format!("l{i}"),
            port: 80,
            protocol: if s.https {
                ProtocolType::Https
            } else {
                ProtocolType::Http
            },
            hostname: h.filter(|_| !s.blind).map(str::to_string),
            usable: true,
            ..AttachedListener::default()
        })
        .collect();
    for (i, r) in s.routes.iter().enumerate() {
        let (ns, name) = NAMES[i % NAMES.len()];
        let mut obj = json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": format!("2024-01-01T00:00:0{}Z", r.created)},
            "spec": {"parentRefs": [{"name": "gw"}]},
        });
        if let Some(rules) = &r.rules {
            obj["spec"]["rules"] = json!(rules);
        }
        config.add_value(obj, "gen", i);
        for &li in &r.listeners {
            if let Some(l) = listeners.get_mut(li) {
                l.routes.push(AttachedRoute {
                    kind: RouteKind::Http,
                    index: i,
                    hostnames: if s.blind {
                        vec!["*".to_string()]
                    } else {
                        r.hostnames.iter().map(|h| h.to_string()).collect()
                    }
                    .into(),
                });
            }
        }
    }
    let config = config.unvalidated();
    assert_eq!(
        config.http_routes.len(),
        s.routes.len(),
        "{:?}",
        config.errors
    );
    (
        config,
        AttachedGateway {
            namespace: "gw".into(),
            name: "gw".into(),
            listeners,
            frontend: Vec::new(),
        },
    )
}

fn compiled_outcome(router: &Router, req: &Request<'_>) -> RefOutcome {
    match router.route(req) {
        Outcome::Matched(m) => RefOutcome::Matched {
            namespace: m.route().namespace.to_string(),
            name: m.route().name.to_string(),
            rule: m.rule_index(),
            matched: m.match_index(),
            hostname: m.hostname().to_string(),
            listener: m.listener().to_string(),
        },
        Outcome::NotFound => RefOutcome::NotFound,
        Outcome::Misdirected => RefOutcome::Misdirected,
    }
}

/// `Router::explain` agrees with the lookup: its own winner (the candidate it marks
/// `Matched`, found by scanning every candidate in precedence order and evaluating each
/// condition separately) is the match `route()` returns, on the same hostname and listener;
/// nothing is marked `Matched` on a 404 or 421; every `Shadowed` candidate names that winner.
fn explain_agrees(router: &Router, req: &Request<'_>, grpc: bool) -> Result<(), TestCaseError> {
    use crate::explain::{ExplainedOutcome, Verdict};
    let e = if grpc {
        router.explain_grpc(req)
    } else {
        router.explain(req)
    };
    let outcome = if grpc {
        router.route_grpc(req)
    } else {
        router.route(req)
    };
    let winners: Vec<_> = e
        .candidates
        .iter()
        .filter(|c| c.verdict == Verdict::Matched)
        .collect();
    match outcome {
        Outcome::Matched(m) => {
            prop_assert_eq!(winners.len(), 1, "{:#?}", e);
            let w = winners[0];
            let r = m.route();
            prop_assert_eq!(
                (&*w.id.namespace, &*w.id.name, w.id.rule, w.id.match_index),
                (r.namespace, r.name, m.rule_index(), m.match_index()),
                "{:#?}",
                e
            );
            prop_assert_eq!(&w.hostname, m.hostname());
            prop_assert_eq!(&w.listener, m.listener());
            prop_assert_eq!(e.outcome.matched(), Some(&w.id));
            for c in &e.candidates {
                if let Verdict::Shadowed { by, .. } = &c.verdict {
                    prop_assert_eq!(by, &w.id);
                }
            }
        }
        other => {
            prop_assert!(winners.is_empty(), "{:#?}", e);
            let shadowed = e
                .candidates
                .iter()
                .any(|c| matches!(c.verdict, Verdict::Shadowed { .. }));
            prop_assert!(!shadowed, "{:#?}", e);
            let want = if matches!(other, Outcome::Misdirected) {
                ExplainedOutcome::Misdirected
            } else {
                ExplainedOutcome::NotFound
            };
            prop_assert_eq!(&e.outcome, &want);
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// The compiled router and the reference matcher pick the same route, rule, match and
    /// hostname (or both 404 / 421) for every request.
    #[test]
    fn router_equals_reference(s in setup(), reqs in prop::collection::vec(request(), 24)) {
        let (config, gw) = build(&s);
        let router = Router::from_attached(&config, &gw, s.options.clone());
        // Rules `shadowed_rules` says can never match: no request reaches them.
        let never: Vec<(String, String, usize)> = router
            .shadowed_rules()
            .into_iter()
            .map(|x| (x.rule.namespace, x.rule.name, x.rule.rule))
            .collect();
        for r in &reqs {
            let mut req = Request::new(r.method, r.host, r.path).headers(Headers::Pairs(&r.headers));
            req.query = r.query;
            req.sni = r.sni;
            crate::cost::take();
            let got = compiled_outcome(&router, &req);
            // The work bound of SECURITY.md ("Path-trie walk") on random configurations: one
            // step up per node entered at most, at most 4 bytes scanned per path byte per
            // hostname tried (generated templates are far shallower than 64 levels).
            let cost = crate::cost::take();
            prop_assert!(cost.ups <= cost.nodes, "{:?} for {:?}", cost, r);
            prop_assert!(
                cost.bytes <= 4 * r.path.len() as u64 * cost.walks,
                "{:?} for {:?}", cost, r
            );
            let want = reference::route(&config, &gw, &s.options, &req);
            prop_assert_eq!(&got, &want, "request {:?}", r);
            explain_agrees(&router, &req, false)?;
            if let RefOutcome::Matched { namespace, name, rule, .. } = &got {
                let hit = (namespace.clone(), name.clone(), *rule);
                prop_assert!(!never.contains(&hit), "{:?} is reported as never matching", hit);
            }
            if let Outcome::Matched(m) = router.route(&req) {
                // Path parameters: the compiled ones equal the reference's on the winning
                // match (none for Exact and PathPrefix paths).
                let got: Vec<(String, String)> = m
                    .params(r.path)
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect();
                let want = match m.path_match() {
                    (crate::PathKind::Regex, pattern) => reference::params(pattern, r.path),
                    _ => Vec::new(),
                };
                prop_assert_eq!(got, want, "params of {:?} for {:?}", m.path_match(), r);
                // The draw is a pure function of the split and the random number.
                let total = m.total_weight();
                let weights: Vec<u64> = m.backends().iter().map(|b| u64::from(b.weight())).collect();
                prop_assert_eq!(total, weights.iter().sum::<u64>());
                let _ = m.pick(r.random);
            }
        }
    }
}

const SERVICES: &[&str] = &["foo.Echo", "foo.Other", "bar.Echo", "foo\\..*", "[fb].*"];
const METHODS: &[&str] = &["Ping", "Pong", "P.*"];

fn grpc_match() -> impl Strategy<Value = Value> {
    (
        prop::option::of((
            any::<bool>(),
            prop::option::of(prop::sample::select(SERVICES)),
            prop::option::of(prop::sample::select(METHODS)),
        )),
        prop::collection::vec(value_match(&["x-a", "X-A", "x-b"]), 0..2),
    )
        .prop_map(|(method, headers)| {
            let mut m = json!({ "headers": headers });
            if let Some((regex, service, meth)) = method {
                let mut mm = json!({});
                if regex {
                    mm["type"] = json!("RegularExpression");
                }
                if let Some(s) = service {
                    mm["service"] = json!(s);
                }
                if let Some(x) = meth {
                    mm["method"] = json!(x);
                }
                m["method"] = mm;
            }
            m
        })
}

fn grpc_route() -> impl Strategy<Value = GenRoute> {
    (
        0u32..3,
        prop::collection::vec(
            prop::collection::vec(grpc_match(), 0..3).prop_map(
                |ms| json!({"matches": ms, "backendRefs": [{"name": "svc0", "port": 80}]}),
            ),
            1..3,
        ),
        prop::collection::vec(prop::sample::select(HOSTNAMES), 1..3),
        prop::collection::vec(0usize..3, 1..3),
    )
        .prop_map(|(created, rules, hostnames, listeners)| GenRoute {
            created,
            rules: Some(rules),
            hostnames,
            listeners,
        })
}

fn build_kind(s: &Setup, kind: RouteKind) -> (Config, AttachedGateway) {
    let (_, mut gw) = build(&Setup {
        routes: vec![],
        ..s.clone()
    });
    let mut config = Config::builder().without_validation();
    let (api_kind, list_name) = match kind {
        RouteKind::Grpc => ("GRPCRoute", "grpc"),
        _ => ("TLSRoute", "tls"),
    };
    for (i, r) in s.routes.iter().enumerate() {
        let (ns, name) = NAMES[i % NAMES.len()];
        let obj = json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": api_kind,
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": format!("2024-01-01T00:00:0{}Z", r.created)},
            "spec": {"parentRefs": [{"name": "gw"}], "rules": r.rules.clone().unwrap_or_default(), "hostnames": r.hostnames},
        });
        config.add_value(obj, "gen", i);
        for &li in &r.listeners {
            if let Some(l) = gw.listeners.get_mut(li) {
                l.routes.push(AttachedRoute {
                    kind,
                    index: i,
                    hostnames: if s.blind {
                        vec!["*".to_string()]
                    } else {
                        r.hostnames.iter().map(|h| h.to_string()).collect()
                    }
                    .into(),
                });
            }
        }
    }
    let config = config.unvalidated();
    let n = if kind == RouteKind::Grpc {
        config.grpc_routes.len()
    } else {
        config.tls_routes.len()
    };
    assert_eq!(n, s.routes.len(), "{list_name}: {:?}", config.errors);
    (config, gw)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 2, failure_persistence: None, ..ProptestConfig::default() })]

    /// GRPCRoute: the compiled router and the reference agree (SPEC §7.1, §4.3).
    #[test]
    fn grpc_router_equals_reference(
        routes in prop::collection::vec(grpc_route(), 1..6),
        base in setup(),
        reqs in prop::collection::vec((
            prop::sample::select(&["/foo.Echo/Ping", "/foo.Echo/Pong", "/bar.Echo/Ping", "/foo.Other/Px", "/malformed", "/foo.Echo/", "/a/b/Ping", ""][..]),
            prop::sample::select(&["foo.example.com", "x.bar.example.com", "a.b.example.com", "other.org", ""][..]),
            prop::collection::vec((prop::sample::select(&["x-a", "x-b"][..]), prop::sample::select(&["1", "2"][..])), 0..3),
        ), 16),
    ) {
        let s = Setup { routes, ..base };
        let (config, gw) = build_kind(&s, RouteKind::Grpc);
        let router = Router::from_attached(&config, &gw, s.options.clone());
        for (path, host, headers) in &reqs {
            let req = Request::new("POST", host, path).headers(Headers::Pairs(headers));
            let got = match router.route_grpc(&req) {
                Outcome::Matched(m) => RefOutcome::Matched {
                    namespace: m.route().namespace.to_string(),
                    name: m.route().name.to_string(),
                    rule: m.rule_index(),
                    matched: m.match_index(),
                    hostname: m.hostname().to_string(),
                    listener: m.listener().to_string(),
                },
                Outcome::NotFound => RefOutcome::NotFound,
                _ => RefOutcome::Misdirected,
            };
            let want = reference::route_grpc(&config, &gw, &s.options, &req);
            prop_assert_eq!(&got, &want, "{} {} {:?}", host, path, headers);
            explain_agrees(&router, &req, true)?;
        }
    }

    /// TLSRoute: SNI selection agrees with the reference (SPEC §7.2).
    #[test]
    fn tls_router_equals_reference(
        routes in prop::collection::vec(gen_route(), 1..6),
        hosts in prop::sample::select(vec![vec![None], vec![None, Some("*.example.com")], vec![Some("foo.example.com"), Some("*.example.com"), None]]),
        passthrough in any::<bool>(),
        snis in prop::collection::vec(prop::option::of(prop::sample::select(&["foo.example.com", "FOO.example.com.", "x.bar.example.com", "a.b.example.com", "example.com", "other.org", ""][..])), 16),
    ) {
        let routes: Vec<GenRoute> = routes.into_iter().map(|r| GenRoute { rules: Some(vec![json!({"backendRefs": [{"name": "svc0", "port": 80}]})]), ..r }).collect();
        let s = Setup { routes, listener_hosts: hosts, https: false, options: Options::default(), blind: false };
        let (config, mut gw) = build_kind(&s, RouteKind::Tls);
        for l in &mut gw.listeners {
            l.protocol = ProtocolType::Tls;
            l.port = 443;
            l.tls_mode = Some(if passthrough { crate::model::TlsMode::Passthrough } else { crate::model::TlsMode::Terminate });
        }
        let router = Router::from_attached(&config, &gw, Options::default());
        for sni in &snis {
            let got = match router.route_tls(443, *sni) {
                crate::l4::TlsOutcome::Forward(m) => Ok(Some((m.route().namespace.to_string(), m.route().name.to_string(), m.passthrough()))),
                crate::l4::TlsOutcome::Http => Err(()),
                _ => Ok(None),
            };
            let want = reference::route_tls(&config, &gw, 443, *sni);
            prop_assert_eq!(&got, &want, "sni {:?}", sni);
        }
    }
}

// --- Ingress -----------------------------------------------------------------------------

const INGRESS_HOSTS: &[Option<&str>] = &[
    Some("foo.example.com"),
    Some("*.example.com"),
    Some("a.b.example.com"),
    Some("*.b.example.com"),
    Some("bar.example.com"),
    None,
];

/// One generated Ingress: class, age, default backend, rules of `(host, [(path, type)])`.
type GenIngress = (
    Option<&'static str>,
    u8,
    bool,
    Vec<(Option<&'static str>, Vec<(&'static str, &'static str)>)>,
);

fn gen_ingress() -> impl Strategy<Value = GenIngress> {
    (
        prop::sample::select(&[None, Some("a"), Some("b")][..]),
        0u8..3,
        any::<bool>(),
        prop::collection::vec(
            (
                prop::sample::select(INGRESS_HOSTS),
                prop::collection::vec(
                    (
                        prop::sample::select(PATHS),
                        prop::sample::select(&["Exact", "Prefix", "ImplementationSpecific"][..]),
                    ),
                    1..4,
                ),
            ),
            0..4,
        ),
    )
        // An Ingress needs rules or a default backend.
        .prop_map(|(class, created, default, rules)| {
            let default = default || rules.is_empty();
            (class, created, default, rules)
        })
}

fn build_ingresses(ings: &[GenIngress]) -> Config {
    build_annotated_ingresses(ings, &[])
}

/// The Ingresses of `ings` with `annotations` (one bundle of ingress-nginx annotations per
/// Ingress) and, where `tls[i]`, a `tls` entry with a secret for every host of the i-th;
/// a canary Ingress's backends are `canary<n>` (told apart from the main ones).
fn build_nginx_ingresses(
    ings: &[GenIngress],
    annotations: &[&[(&str, &str)]],
    tls: &[bool],
) -> Config {
    let mut config = Config::builder();
    for (i, (class, created, default, rules)) in ings.iter().enumerate() {
        let (ns, name) = NAMES[i % NAMES.len()];
        let bundle = annotations.get(i).copied().unwrap_or(&[]);
        let canary = bundle.contains(&("canary", "true"));
        let svc = if canary { "canary" } else { "svc" };
        let backend =
            |n: usize| json!({"service": {"name": format!("{svc}{n}"), "port": {"number": 80}}});
        let mut hosts = Vec::new();
        let rules: Vec<Value> = rules
            .iter()
            .map(|(host, paths)| {
                let paths: Vec<Value> = paths
                    .iter()
                    .enumerate()
                    .map(|(pi, (p, t))| json!({"path": p, "pathType": t, "backend": backend(pi)}))
                    .collect();
                let mut r = json!({"http": {"paths": paths}});
                if let Some(h) = host {
                    r["host"] = json!(h);
                    hosts.push(*h);
                }
                r
            })
            .collect();
        let mut spec = json!({"rules": rules});
        if let Some(c) = class {
            spec["ingressClassName"] = json!(c);
        }
        if *default {
            spec["defaultBackend"] = backend(9);
        }
        if tls.get(i).copied().unwrap_or(false) {
            spec["tls"] = json!([{"hosts": hosts, "secretName": "cert"}]);
        }
        let annotations: serde_json::Map<String, Value> = bundle
            .iter()
            .map(|(k, v)| (format!("nginx.ingress.kubernetes.io/{k}"), json!(v)))
            .collect();
        let meta = json!({"name": name, "namespace": ns, "annotations": annotations,
            "creationTimestamp": format!("2024-01-01T00:00:0{created}Z")});
        config.add_value(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec}),
            "gen",
            i,
        );
    }
    config.finish()
}

/// Bundles of ingress-nginx annotations whose outcome the Nginx flavor models.
const NGINX_BUNDLES: &[&[(&str, &str)]] = &[
    &[],
    &[("canary", "true"), ("canary-by-header", "X-Canary")],
    &[
        ("canary", "true"),
        ("canary-by-header", "X-Canary"),
        ("canary-by-header-value", "yes"),
        ("canary-weight", "30"),
    ],
    &[
        ("canary", "true"),
        ("canary-by-cookie", "beta"),
        ("canary-weight", "100"),
    ],
    &[
        ("canary", "true"),
        ("canary-by-cookie", "beta"),
        ("canary-by-header", "x-canary"),
    ],
    &[
        ("canary", "true"),
        ("canary-weight", "40"),
        ("canary-weight-total", "50"),
    ],
    &[
        ("canary", "true"),
        ("canary-weight", "x"),
        ("canary-weight-total", "400"),
    ],
    &[("rewrite-target", "/$2")],
    &[("rewrite-target", "/x/$1$9/$0")],
    &[("use-regex", "true"), ("rewrite-target", "/")],
    &[
        ("permanent-redirect", "https://example.org/p?q=1"),
        ("permanent-redirect-code", "308"),
    ],
    &[
        ("temporal-redirect", "http://t.example/x"),
        ("temporal-redirect-code", "399"),
    ],
    &[
        ("temporal-redirect", "ftp://t.example/x"),
        ("permanent-redirect", "/local"),
    ],
    &[("app-root", "/app")],
    &[("ssl-redirect", "false")],
    &[
        ("force-ssl-redirect", "true"),
        ("preserve-trailing-slash", "true"),
    ],
    &[("force-ssl-redirect", "True"), ("ssl-redirect", "no")],
];

/// Headers that decide for the canaries of [`NGINX_BUNDLES`].
const CANARY_HEADERS: &[&[(&str, &str)]] = &[
    &[],
    &[("x-canary", "always")],
    &[("X-Canary", "never")],
    &[("x-canary", "yes")],
    &[("cookie", "a=1; beta=always")],
    &[("cookie", "beta=never")],
    &[("x-canary", "other"), ("cookie", "beta=always ;x=y")],
    &[("x-canary", "never"), ("cookie", "beta=always")],
    &[("cookie", "a=1"), ("cookie", "beta=always")],
];

/// What the compiled router answers, in the form of `reference::route_ingress_nginx_action`.
fn compiled_nginx_action(router: &Router, req: &Request<'_>) -> Option<String> {
    let Outcome::Matched(m) = router.route(req) else {
        return None;
    };
    let mut action = crate::Action::new();
    m.apply(req, 0, &mut action);
    if action.kind == crate::ActionKind::Redirect {
        return Some(format!("redirect {} {}", action.status, action.location));
    }
    if action.kind == crate::ActionKind::Respond && action.status == 400 {
        return Some("status 400".into());
    }
    let name = |b: &crate::compile::backend::Backend| match b.port() {
        Some(p) => format!("{}/{}:{p}", b.namespace(), b.name()),
        None => format!("{}/{}", b.namespace(), b.name()),
    };
    let backends: Vec<String> = match m.backends() {
        [one] => vec![name(one)],
        many => many
            .iter()
            .map(|b| format!("{} ({})", name(b), b.weight()))
            .collect(),
    };
    let path = action.path_and_query.split('?').next().unwrap_or("");
    Some(format!("{} path={path}", backends.join(" | ")))
}

/// ingress-nginx annotations the Nginx flavor reads (and one it does not).
const NGINX_ANNOTATIONS: &[Option<(&str, &str)>] = &[
    None,
    Some(("use-regex", "true")),
    Some(("use-regex", "false")),
    Some(("rewrite-target", "/")),
    Some(("canary", "true")),
    Some(("ssl-redirect", "false")),
];

/// The Ingresses of `ings`, the i-th with the ingress-nginx annotation `annotations[i]`.
fn build_annotated_ingresses(ings: &[GenIngress], annotations: &[Option<(&str, &str)>]) -> Config {
    let mut config = Config::builder();
    for (i, (class, created, default, rules)) in ings.iter().enumerate() {
        let (ns, name) = NAMES[i % NAMES.len()];
        let backend =
            |n: usize| json!({"service": {"name": format!("svc{n}"), "port": {"number": 80}}});
        let rules: Vec<Value> = rules
            .iter()
            .map(|(host, paths)| {
                let paths: Vec<Value> = paths
                    .iter()
                    .enumerate()
                    .map(|(pi, (p, t))| json!({"path": p, "pathType": t, "backend": backend(pi)}))
                    .collect();
                let mut r = json!({"http": {"paths": paths}});
                if let Some(h) = host {
                    r["host"] = json!(h);
                }
                r
            })
            .collect();
        let mut spec = json!({"rules": rules});
        if let Some(c) = class {
            spec["ingressClassName"] = json!(c);
        }
        if *default {
            spec["defaultBackend"] = backend(9);
        }
        let mut meta = json!({"name": name, "namespace": ns, "creationTimestamp": format!("2024-01-01T00:00:0{created}Z")});
        if let Some(Some((k, v))) = annotations.get(i) {
            meta["annotations"] = json!({format!("nginx.ingress.kubernetes.io/{k}"): v});
        }
        config.add_value(
            json!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": meta,
                "spec": spec,
            }),
            "gen",
            i,
        );
    }
    config.finish()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 4, failure_persistence: None, ..ProptestConfig::default() })]

    /// An Ingress Router (compiled into the same host and path index as Gateway API routes)
    /// and the reference's Ingress matcher pick the same Ingress, rule, path and host.
    #[test]
    fn ingress_router_equals_reference(
        ings in prop::collection::vec(gen_ingress(), 1..6),
        class in prop::sample::select(&[None, Some("a")][..]),
        reqs in prop::collection::vec(request(), 24),
        port in prop::option::of(prop::sample::select(&[80u16, 443, 8080][..])),
    ) {
        let config = build_ingresses(&ings);
        prop_assert!(config.errors.is_empty(), "{:?}", config.errors);
        let options = Options::default();
        let router = Router::from_ingress(&config, class, options.clone());
        for r in &reqs {
            let mut req = Request::new(r.method, r.host, r.path);
            req.port = port;
            let got = compiled_outcome(&router, &req);
            let want = reference::route_ingress(&config, class, &options, &req);
            prop_assert_eq!(&got, &want, "request {:?}", r);
            // gRPC lookups find nothing in an Ingress Router.
            prop_assert!(matches!(router.route_grpc(&req), Outcome::NotFound));
            if let Outcome::Matched(m) = router.route(&req) {
                let again = router.match_by_id(m.id()).map(|m2| m2.id());
                prop_assert_eq!(again, Some(m.id()));
            }
        }
    }

    /// The same with `Options::ingress_nginx` (ingress-nginx's routing: Exact first,
    /// ImplementationSpecific as a string prefix, use-regex / rewrite-target hosts as
    /// case-insensitive regex prefixes, multi-label wildcards, canaries left out), with
    /// generated annotations and paths that are regular expressions.
    #[test]
    fn ingress_nginx_router_equals_reference(
        ings in prop::collection::vec(gen_ingress(), 1..6),
        annotations in prop::collection::vec(prop::sample::select(NGINX_ANNOTATIONS), 6),
        regex_paths in prop::collection::vec(prop::sample::select(NGINX_PATHS), 6),
        class in prop::sample::select(&[None, Some("a")][..]),
        reqs in prop::collection::vec(request(), 24),
    ) {
        // Replace the first path of each Ingress's first rule by a regex-like path.
        let mut ings = ings;
        for (ing, p) in ings.iter_mut().zip(&regex_paths) {
            if let Some(first) = ing.3.first_mut().and_then(|r| r.1.first_mut()) {
                first.0 = p;
            }
        }
        let config = build_annotated_ingresses(&ings, &annotations);
        prop_assert!(config.errors.is_empty(), "{:?}", config.errors);
        let options = Options { ingress_nginx: true, ..Options::default() };
        let router = Router::from_ingress(&config, class, options.clone());
        for r in &reqs {
            let req = Request::new(r.method, r.host, r.path);
            let got = compiled_outcome(&router, &req);
            let want = reference::route_ingress(&config, class, &options, &req);
            prop_assert_eq!(&got, &want, "request {:?}", r);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 4, failure_persistence: None, ..ProptestConfig::default() })]

    /// With `Options::ingress_nginx`, what the matched request gets (redirects, the HTTPS
    /// redirect, canary by header, cookie and weight, rewrite-target with capture groups,
    /// app-root) agrees with the reference written from the annotations.
    #[test]
    fn ingress_nginx_actions_equal_reference(
        ings in prop::collection::vec(gen_ingress(), 1..6),
        bundles in prop::collection::vec(prop::sample::select(NGINX_BUNDLES), 6),
        tls in prop::collection::vec(any::<bool>(), 6),
        regex_paths in prop::collection::vec(prop::sample::select(NGINX_PATHS), 6),
        class in prop::sample::select(&[None, Some("a")][..]),
        reqs in prop::collection::vec((request(), prop::sample::select(CANARY_HEADERS), any::<bool>()), 24),
    ) {
        let mut ings = ings;
        for (ing, p) in ings.iter_mut().zip(&regex_paths) {
            if let Some(first) = ing.3.first_mut().and_then(|r| r.1.first_mut()) {
                first.0 = p;
            }
        }
        // A canary takes traffic only on a main Ingress's host and path: copy the rules of
        // the first Ingress into the canaries.
        for i in 1..ings.len() {
            let canary = bundles.get(i).is_some_and(|b| b.contains(&("canary", "true")));
            if canary && !ings[0].3.is_empty() {
                let (rules, created) = (ings[0].3.clone(), ings[0].1);
                ings[i].3 = rules;
                ings[i].1 = created;
            }
        }
        let config = build_nginx_ingresses(&ings, &bundles, &tls);
        prop_assert!(config.errors.is_empty(), "{:?}", config.errors);
        let options = Options { ingress_nginx: true, ..Options::default() };
        let router = Router::from_ingress(&config, class, options.clone());
        for (r, headers, https) in &reqs {
            let target = match r.query {
                Some(q) => format!("{}?{q}", r.path),
                None => r.path.to_string(),
            };
            let req = Request::new(r.method, r.host, &target)
                .headers(Headers::Pairs(headers))
                .scheme(if *https { "https" } else { "http" });
            prop_assert_eq!(compiled_outcome(&router, &req), reference::route_ingress(&config, class, &options, &req));
            let got = compiled_nginx_action(&router, &req);
            let want = reference::route_ingress_nginx_action(&config, class, &options, &req);
            prop_assert_eq!(&got, &want, "request {:?} {:?} https={}", target, headers, https);
        }
    }
}

/// Paths for the Nginx flavor: literal ones and regular expressions (valid or not).
const NGINX_PATHS: &[&str] = &[
    "/a",
    "/A/b",
    "/a/",
    "/ab",
    "/a.*",
    "/a/[^/]+",
    "/(a|b)/b",
    "/$",
    "/a(/|$)(.*)",
    "/[",
    "/",
];
