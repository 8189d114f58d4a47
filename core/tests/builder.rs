//! Routes built in code ([`RouteSet`], [`Rule`]) route exactly as the same routes written in
//! YAML, their YAML export loads back and routes identically, and invalid input gives the
//! `ConfigError`s YAML gives.

use trieway::model::HttpRouteRule;
use trieway::{
    Action, Config, ConfigError, Error, Headers, Options, Outcome, Request, RouteSet, Router, Rule,
    Target,
};

/// Every feature of the builder: a catch-all group, named and unnamed host groups, a wildcard
/// and a multi-host group; every path kind, method, header and query conditions (exact and
/// regex), OR-ed matches, weights, a cross-namespace backend, every common filter.
fn routes() -> RouteSet {
    RouteSet::new()
        .prefix("/", "fallback:80")
        .host("api.example.com")
        .name("api")
        .prefix("/users", "users:8080")
        .exact("/health", ("health", 8080))
        .regex("/items/[0-9]+", "items:80")
        .route(
            Rule::prefix("/v2")
                .header("x-canary", "1")
                .backend("v2:80", 10)
                .backend("v1:80", 90)
                .name("canary"),
        )
        .route(
            Rule::prefix("/v2")
                .method("POST")
                .or_exact("/submit")
                .query("debug", "1")
                .to("debug:80"),
        )
        .route(
            Rule::prefix("/old")
                .rewrite_prefix("/new")
                .set_request_header("x-via", "trieway")
                .add_request_header("x-trace", "1")
                .remove_response_header("server")
                .to("users:8080"),
        )
        .route(
            Rule::regex(r"/files/.*\.png")
                .header_regex("accept", "image/.*")
                .query_regex("size", "[0-9]+")
                .rewrite_path("/img")
                .rewrite_host("cdn.internal")
                .to(("cdn", 80, "media")),
        )
        .host("*.example.com")
        .route(Rule::any().redirect_https().redirect_status(301))
        .route(Rule::exact("/moved").redirect_host("www.example.org"))
        .hosts(["a.example.org", "b.example.org"])
        .route(
            Rule::prefix("/")
                .mirror("shadow:80")
                .set_response_header("x-frame-options", "DENY")
                .to("web:80"),
        )
        // Naming a host again continues its group.
        .host("api.example.com")
        .exact("/last", "last:80")
}

/// The same routes, written by hand.
const YAML: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: trieway.dev/route-set}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway, namespace: default}
spec:
  gatewayClassName: trieway
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route-0, namespace: default}
spec:
  parentRefs: [{name: gateway}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: fallback, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: default}
spec:
  parentRefs: [{name: gateway}]
  hostnames: [api.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /users}}]
    backendRefs: [{name: users, port: 8080}]
  - matches: [{path: {type: Exact, value: /health}}]
    backendRefs: [{name: health, port: 8080}]
  - matches: [{path: {type: RegularExpression, value: "/items/[0-9]+"}}]
    backendRefs: [{name: items, port: 80}]
  - name: canary
    matches: [{path: {type: PathPrefix, value: /v2}, headers: [{name: x-canary, value: "1"}]}]
    backendRefs: [{name: v2, port: 80, weight: 10}, {name: v1, port: 80, weight: 90}]
  - matches:
    - {path: {type: PathPrefix, value: /v2}, method: POST}
    - {path: {type: Exact, value: /submit}, queryParams: [{name: debug, value: "1"}]}
    backendRefs: [{name: debug, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-via, value: trieway}], add: [{name: x-trace, value: "1"}]}
    - type: ResponseHeaderModifier
      responseHeaderModifier: {remove: [server]}
    backendRefs: [{name: users, port: 8080}]
  - matches:
    - path: {type: RegularExpression, value: '/files/.*\.png'}
      headers: [{type: RegularExpression, name: accept, value: "image/.*"}]
      queryParams: [{type: RegularExpression, name: size, value: "[0-9]+"}]
    filters:
    - type: URLRewrite
      urlRewrite: {hostname: cdn.internal, path: {type: ReplaceFullPath, replaceFullPath: /img}}
    backendRefs: [{name: cdn, namespace: media, port: 80}]
  - matches: [{path: {type: Exact, value: /last}}]
    backendRefs: [{name: last, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route-2, namespace: default}
spec:
  parentRefs: [{name: gateway}]
  hostnames: ["*.example.com"]
  rules:
  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]
  - matches: [{path: {type: Exact, value: /moved}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: www.example.org}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route-3, namespace: default}
spec:
  parentRefs: [{name: gateway}]
  hostnames: [a.example.org, b.example.org]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: shadow, port: 80}}
    - type: ResponseHeaderModifier
      responseHeaderModifier: {set: [{name: x-frame-options, value: DENY}]}
    backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ReferenceGrant
metadata: {name: from-default, namespace: media}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
  to: [{group: "", kind: Service}]
"#;

fn yaml_router(text: &str) -> Router {
    let config = Config::from_str(text);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    assert!(config.warnings().is_empty(), "{:#?}", config.warnings());
    Router::new(&config, Options::default()).expect("one Gateway")
}

/// Everything a proxy learns from a lookup: the rule, the match, the backends, and for three
/// random draws the pick and the filters' action.
fn outcome(router: &Router, req: &Request<'_>) -> String {
    let m = match router.route(req) {
        Outcome::Matched(m) => m,
        other => return format!("{:?}", other.status(0)),
    };
    let mut out = format!(
        "{} rule {} ({:?}) match {} {:?} host {} listener {} backends {:?}",
        m.route(),
        m.rule_index(),
        m.rule_name(),
        m.match_index(),
        m.path_match(),
        m.hostname(),
        m.listener(),
        m.backends()
    );
    for random in [0, u64::MAX / 3, u64::MAX] {
        let target = match m.pick(random) {
            Target::Backend(b) => format!("{}/{}:{:?}", b.namespace(), b.name(), b.port()),
            Target::Status(s) => s.to_string(),
            _ => "?".to_string(),
        };
        let mut action = Action::new();
        m.apply(req, random, &mut action);
        out.push_str(&format!("\n  {random}: {target} {action:?}"));
    }
    out
}

/// Method, host, path and headers of a request.
type Req = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// A grid of requests touching every rule, every condition and their misses.
fn requests() -> Vec<Req> {
    let hosts = [
        "api.example.com",
        "API.example.com:80",
        "x.example.com",
        "a.example.org",
        "b.example.org",
        "other.net",
    ];
    let paths = [
        "/",
        "/users",
        "/users/7?x=1",
        "/usersx",
        "/health",
        "/health/x",
        "/items/42",
        "/items/x",
        "/v2",
        "/v2/a",
        "/submit",
        "/submit?debug=1",
        "/old/a?q=1",
        "/files/a.png?size=10",
        "/files/a.png",
        "/moved",
        "/last",
    ];
    let headers: [Vec<(&str, &str)>; 3] = [
        vec![],
        vec![("X-Canary", "1")],
        vec![("accept", "image/png"), ("x-canary", "2")],
    ];
    let mut out = Vec::new();
    for host in hosts {
        for path in paths {
            for method in ["GET", "POST"] {
                for h in &headers {
                    out.push((method, host, path, h.clone()));
                }
            }
        }
    }
    out
}

/// Compares two routers over [`requests`]; returns how many different outcomes were seen.
fn assert_same_routing(built: &Router, written: &Router) -> usize {
    let mut seen = std::collections::HashSet::new();
    for (method, host, path, headers) in requests() {
        let req = Request::new(method, host, path).headers(Headers::Pairs(&headers));
        let (a, b) = (outcome(built, &req), outcome(written, &req));
        assert_eq!(a, b, "{method} {host}{path} {headers:?}");
        seen.insert(a);
    }
    seen.len()
}

#[test]
fn routes_in_code_route_like_the_same_routes_in_yaml() {
    let built = routes().build().expect("valid routes");
    let written = yaml_router(YAML);
    // The grid reaches every rule (and their misses), not only the catch-all.
    let different = assert_same_routing(&built, &written);
    assert!(different > 30, "{different}");

    // Spot checks that the comparison is about the intended behaviour.
    let canary = [("x-canary", "1")];
    let req = Request::new("GET", "api.example.com", "/v2/x").headers(Headers::Pairs(&canary));
    let m = *built.route(&req).matched().expect("canary rule");
    assert_eq!((m.route().name, m.rule_name()), ("api", Some("canary")));
    assert_eq!(m.total_weight(), 100);
    let req = Request::new("GET", "x.example.com", "/anything?a=1");
    let m = *built.route(&req).matched().expect("redirect rule");
    let mut action = Action::new();
    m.apply(&req, 0, &mut action);
    assert_eq!(
        (action.status, action.location.as_str()),
        (301, "https://x.example.com/anything?a=1")
    );
    // The cross-namespace backend is allowed by the generated ReferenceGrant.
    let accept = [("accept", "image/png")];
    let req = Request::new("GET", "api.example.com", "/files/a.png?size=1")
        .headers(Headers::Pairs(&accept));
    let m = *built.route(&req).matched().expect("regex rule");
    assert!(matches!(m.pick(0), Target::Backend(b) if b.namespace() == "media" && b.is_valid()));
}

#[test]
fn exported_yaml_loads_back_and_routes_identically() {
    let set = routes();
    let yaml = set.to_yaml();
    assert!(yaml.contains("kind: HTTPRoute"), "{yaml}");
    let exported = yaml_router(&yaml);
    let built = set.build().expect("valid routes");
    assert!(assert_same_routing(&built, &exported) > 30);
    // The export is the same objects: loading it gives the same configuration.
    let (a, b) = (set.config(), Config::from_str(&yaml));
    assert_eq!(a.http_routes().len(), 4);
    for (x, y) in a.http_routes().iter().zip(b.http_routes()) {
        assert_eq!((&x.meta, &x.spec), (&y.meta, &y.spec));
    }
    assert_eq!(a.reference_grants()[0].spec, b.reference_grants()[0].spec);
}

#[test]
fn call_order_breaks_ties_only() {
    let router = RouteSet::new()
        .prefix("/", "root:80")
        .prefix("/api", "first:80")
        .route(Rule::prefix("/api").to("second:80"))
        .exact("/api", "exact:80")
        .build()
        .unwrap();
    let backend = |path: &str| match router.route(&Request::new("GET", "h", path)) {
        Outcome::Matched(m) => match m.pick(0) {
            Target::Backend(b) => b.name().to_string(),
            other => format!("{other:?}"),
        },
        other => format!("{other:?}"),
    };
    // Exact beats a prefix given earlier, a longer prefix beats a shorter one given earlier…
    assert_eq!(backend("/api"), "exact");
    assert_eq!(backend("/api/x"), "first"); // …and between equals, the first given wins.
    assert_eq!(backend("/x"), "root");
}

#[test]
fn many_rules_on_one_host_are_split_in_order() {
    let mut set = RouteSet::new().host("many.example.com");
    for i in 0..40 {
        set = set.prefix(&format!("/p{i}"), format!("svc-{i}:80"));
    }
    // Ties with rule 1, given later (in a later HTTPRoute): rule 1 keeps winning.
    set = set.prefix("/p1", "late:80");
    let router = set.build().expect("split into valid routes");
    for i in 0..40 {
        let path = format!("/p{i}/x");
        let req = Request::new("GET", "many.example.com", &path);
        let Outcome::Matched(m) = router.route(&req) else {
            panic!("/p{i}")
        };
        assert!(matches!(m.pick(0), Target::Backend(b) if b.name() == format!("svc-{i}")));
        assert_eq!(m.route().name, format!("route-0-{:02}", i / 16));
    }
    let config = set.config();
    assert_eq!(config.http_routes().len(), 3);
    let exported = yaml_router(&set.to_yaml());
    assert_same_routing(&router, &exported);
}

fn errors(set: &RouteSet) -> Vec<ConfigError> {
    match set.build() {
        Err(Error::Invalid(list)) => {
            assert_eq!(list, set.config().errors());
            list
        }
        other => panic!("expected Error::Invalid, got {other:?}"),
    }
}

/// The error naming `kind object field`, whose message contains `text`.
fn find<'a>(list: &'a [ConfigError], object: &str, field: &str, text: &str) -> &'a ConfigError {
    list.iter()
        .find(|e| e.object == object && e.field == field && e.message.contains(text))
        .unwrap_or_else(|| panic!("no error on {object} {field} ({text}) in {list:#?}"))
}

#[test]
fn invalid_input_gives_the_errors_yaml_gives() {
    let list = errors(&RouteSet::new().regex("/items/[0-9", "items:80"));
    let e = find(
        &list,
        "default/route-0",
        "spec.rules[0].matches[0].path.value",
        "",
    );
    assert_eq!(e.kind, "HTTPRoute");
    assert!(e.to_string().starts_with(
        "HTTPRoute default/route-0 (RouteSet#2): spec.rules[0].matches[0].path.value: "
    ));

    let set = RouteSet::new()
        .host("api.example.com")
        .name("api")
        .route(Rule::prefix("/").header("bad header", "1").to("a:80"));
    let list = errors(&set);
    find(
        &list,
        "default/api",
        "spec.rules[0].matches[0].headers[0].name",
        "",
    );

    let list = errors(&RouteSet::new().port(0).prefix("/", "a:80"));
    assert_eq!(list[0].kind, "Gateway");
    find(&list, "default/gateway", "spec.listeners[0].port", "");

    let set = RouteSet::new()
        .prefix("/a", "users:0")
        .prefix("/b", "users")
        .prefix("/c", "users:http")
        .route(Rule::prefix("/d").backend(("users", 80), 2_000_000));
    let list = errors(&set);
    find(
        &list,
        "default/route-0",
        "spec.rules[0].backendRefs[0].port",
        "",
    );
    find(
        &list,
        "default/route-0",
        "spec.rules[1].backendRefs[0].port",
        "must be set",
    );
    // A named port is not a port: the whole text is the name, and the port is missing.
    find(
        &list,
        "default/route-0",
        "spec.rules[2].backendRefs[0].port",
        "must be set",
    );
    find(
        &list,
        "default/route-0",
        "spec.rules[3].backendRefs[0].weight",
        "",
    );

    // Filters the Gateway API forbids together are refused by the same rules as in YAML.
    let set = RouteSet::new().route(Rule::prefix("/").redirect_https().rewrite_prefix("/x"));
    assert!(!errors(&set).is_empty());

    // A bad rule in a split host names the HTTPRoute and rule index it landed in.
    let mut set = RouteSet::new();
    for i in 0..17 {
        set = set.prefix(&format!("/p{i}"), "a:80");
    }
    let list = errors(&set.route(Rule::exact("no-slash").to("a:80")));
    find(
        &list,
        "default/route-0-01",
        "spec.rules[1].matches[0].path.value",
        "",
    );
}

#[test]
fn options_and_model_rules_are_honoured() {
    let rule = HttpRouteRule {
        name: Some("from-model".to_string()),
        ..Rule::exact("/m").to("m:80").into_model()
    };
    let set = RouteSet::new()
        .namespace("shop")
        .port(8080)
        .route(rule)
        .route(Rule::any().method("DELETE").to("d:80"));
    let options = Options {
        controller_name: Some("example.net/mine".to_string()),
        ..Options::default()
    };
    let router = set.build_with(options).expect("our controller's class");
    assert_eq!(router.gateway(), "shop/gateway");
    let m = *router
        .route(&Request::new("GET", "h", "/m").port(8080))
        .matched()
        .expect("match");
    assert_eq!(
        (m.route().namespace, m.rule_name()),
        ("shop", Some("from-model"))
    );
    assert_eq!(m.port(), 8080);
    let m = *router
        .route(&Request::new("DELETE", "h", "/any"))
        .matched()
        .expect("method-only match");
    assert!(matches!(m.pick(0), Target::Backend(b) if b.name() == "d"));
    assert!(router
        .route(&Request::new("GET", "h", "/any"))
        .matched()
        .is_none());
}
