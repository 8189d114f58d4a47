//! Precedence (SPEC §4): one test per rule, each stating the rule it pins.

mod common;
use common::*;
use trieway::Options;

fn two(a: &str, b: &str) -> trieway::Router {
    router(&format!(
        "{}{}",
        route("default", "a", a),
        route("default", "b", b)
    ))
}

/// K1/K2: an exact hostname beats a longer wildcard, which beats a shorter one, which beats a
/// route without hostnames.
#[test]
fn hostname_specificity() {
    let r = router(&[
        route("default", "exact", "  hostnames: [foo.bar.example.com]\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
        route("default", "long", "  hostnames: ['*.bar.example.com']\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
        route("default", "short", "  hostnames: ['*.example.com']\n  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
        route("default", "any", "  rules: [{backendRefs: [{name: svc-a, port: 80}]}]"),
    ]
    .concat());
    assert_eq!(
        hit(&r, "GET", "foo.bar.example.com", "/", &[]),
        "default/exact#0"
    );
    assert_eq!(
        hit(&r, "GET", "x.bar.example.com", "/", &[]),
        "default/long#0"
    );
    assert_eq!(
        hit(&r, "GET", "x.y.bar.example.com", "/", &[]),
        "default/long#0"
    );
    assert_eq!(
        hit(&r, "GET", "bar.example.com", "/", &[]),
        "default/short#0"
    );
    assert_eq!(hit(&r, "GET", "example.com", "/", &[]), "default/any#0");
    assert_eq!(hit(&r, "GET", "", "/", &[]), "default/any#0");
}

/// Hostname beats path: `foo.example.com` with PathPrefix `/` beats `*.example.com` with Exact
/// `/login` for `foo.example.com/login` (SPEC §4.2).
#[test]
fn hostname_beats_path() {
    let r = two(
        "  hostnames: [foo.example.com]\n  rules: [{matches: [{path: {type: PathPrefix, value: /}}]}]",
        "  hostnames: ['*.example.com']\n  rules: [{matches: [{path: {type: Exact, value: /login}}]}]",
    );
    assert_eq!(
        hit(&r, "GET", "foo.example.com", "/login", &[]),
        "default/a#0"
    );
    assert_eq!(
        hit(&r, "GET", "bar.example.com", "/login", &[]),
        "default/b#0"
    );
}

/// K3: Exact beats RegularExpression, which beats PathPrefix (the [ENGINE] regex placement).
#[test]
fn path_kind_order() {
    let r = router(
        &[
            route(
                "default",
                "prefix",
                "  rules: [{matches: [{path: {type: PathPrefix, value: /api/v1/users}}]}]",
            ),
            route(
                "default",
                "regex",
                "  rules: [{matches: [{path: {type: RegularExpression, value: '/api/.*'}}]}]",
            ),
            route(
                "default",
                "exact",
                "  rules: [{matches: [{path: {type: Exact, value: /api/v1/users}}]}]",
            ),
        ]
        .concat(),
    );
    assert_eq!(hit(&r, "GET", "h", "/api/v1/users", &[]), "default/exact#0");
    assert_eq!(
        hit(&r, "GET", "h", "/api/v1/users/7", &[]),
        "default/regex#0"
    );
    assert_eq!(hit(&r, "GET", "h", "/apix", &[]), "404");
}

/// With `RegexRank::BelowPrefix`, a PathPrefix beats a RegularExpression.
#[test]
fn regex_rank_option() {
    let routes = [
        route(
            "default",
            "prefix",
            "  rules: [{matches: [{path: {type: PathPrefix, value: /api}}]}]",
        ),
        route(
            "default",
            "regex",
            "  rules: [{matches: [{path: {type: RegularExpression, value: '/api/.*'}}]}]",
        ),
    ]
    .concat();
    let opts = Options {
        regex_rank: trieway::RegexRank::BelowPrefix,
        ..Options::default()
    };
    assert_eq!(
        hit(&router_with(&routes, opts), "GET", "h", "/api/x", &[]),
        "default/prefix#0"
    );
    assert_eq!(
        hit(&router(&routes), "GET", "h", "/api/x", &[]),
        "default/regex#0"
    );
}

/// K4: the longest prefix wins; `/foo` and `/foo/` are equally long and fall through to later keys.
#[test]
fn longest_prefix_and_trailing_slash_tie() {
    let r = router(
        &[
            route(
                "default",
                "b",
                "  rules: [{matches: [{path: {type: PathPrefix, value: /foo/}}]}]",
            ),
            route(
                "default",
                "a",
                "  rules: [{matches: [{path: {type: PathPrefix, value: /foo}}]}]",
            ),
            route(
                "default",
                "c",
                "  rules: [{matches: [{path: {type: PathPrefix, value: /foo/bar}}]}]",
            ),
        ]
        .concat(),
    );
    assert_eq!(hit(&r, "GET", "h", "/foo/bar/baz", &[]), "default/c#0");
    // a and b tie on K1..K8; K9 picks "default/a".
    assert_eq!(hit(&r, "GET", "h", "/foo/x", &[]), "default/a#0");
    assert_eq!(hit(&r, "GET", "h", "/foo", &[]), "default/a#0");
}

/// Path order example of SPEC §4.2: Exact `/match`, `/match/exact`; Prefix `/match/`,
/// `/match/prefix/`, `/match/prefix/one`.
#[test]
fn path_order_example() {
    let r = router(&route(
        "default",
        "r",
        "  rules:\n  - matches: [{path: {type: Exact, value: /match}}]\n  - matches: [{path: {type: Exact, value: /match/exact}}]\n  - matches: [{path: {type: PathPrefix, value: /match/}}]\n  - matches: [{path: {type: PathPrefix, value: /match/prefix/}}]\n  - matches: [{path: {type: PathPrefix, value: /match/prefix/one}}]",
    ));
    assert_eq!(hit(&r, "GET", "h", "/match", &[]), "default/r#0");
    assert_eq!(hit(&r, "GET", "h", "/match/exact", &[]), "default/r#1");
    assert_eq!(
        hit(&r, "GET", "h", "/match/prefix/one/x", &[]),
        "default/r#4"
    );
    assert_eq!(hit(&r, "GET", "h", "/match/prefix/x", &[]), "default/r#3");
    assert_eq!(hit(&r, "GET", "h", "/match/x", &[]), "default/r#2");
}

/// Method beats header count: `{/, method GET}` beats `{/, headers a,b,c}` for a GET carrying
/// a, b and c (SPEC §4.2).
#[test]
fn method_beats_headers() {
    let r = two(
        "  rules: [{matches: [{headers: [{name: a, value: '1'}, {name: b, value: '1'}, {name: c, value: '1'}]}]}]",
        "  rules: [{matches: [{method: GET}]}]",
    );
    let hs = [("a", "1"), ("b", "1"), ("c", "1")];
    assert_eq!(hit(&r, "GET", "h", "/", &hs), "default/b#0");
    assert_eq!(hit(&r, "POST", "h", "/", &hs), "default/a#0");
}

/// Headers beat query params: `{headers version=four}` beats `{queryParams animal=hydra}` when
/// both hold (SPEC §4.2).
#[test]
fn headers_beat_query() {
    let r = two(
        "  rules: [{matches: [{queryParams: [{name: animal, value: hydra}]}]}]",
        "  rules: [{matches: [{headers: [{name: version, value: four}]}]}]",
    );
    assert_eq!(
        hit(&r, "GET", "h", "/?animal=hydra", &[("version", "four")]),
        "default/b#0"
    );
    assert_eq!(hit(&r, "GET", "h", "/?animal=hydra", &[]), "default/a#0");
}

/// K6/K7 count distinct names: two conditions on one header name count once.
#[test]
fn duplicate_header_names_count_once() {
    let r = two(
        "  rules: [{matches: [{headers: [{name: a, value: '1'}, {name: A, value: '2'}]}]}]",
        "  rules: [{matches: [{headers: [{name: b, value: '1'}]}]}]",
    );
    // Both have one distinct header: the tie goes to K9 ("default/a" < "default/b"), and the
    // second `A` condition is ignored (first wins).
    assert_eq!(
        hit(&r, "GET", "h", "/", &[("a", "1"), ("b", "1")]),
        "default/a#0"
    );
}

/// K8: the older route wins a tie, whatever its name.
#[test]
fn older_route_wins() {
    let r = router("---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: a, namespace: default, creationTimestamp: '2024-02-01T00:00:00Z'}\nspec: {parentRefs: [{name: gw, namespace: infra}]}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: z, namespace: default, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec: {parentRefs: [{name: gw, namespace: infra}]}\n");
    assert_eq!(hit(&r, "GET", "h", "/", &[]), "default/z#0");
}

/// K9: "namespace/name" compares as one byte string, so `a-b/x` beats `a/x` (`-` < `/`).
#[test]
fn namespace_name_one_string() {
    let r = router(&[route("a", "x", ""), route("a-b", "x", "")].concat());
    assert_eq!(hit(&r, "GET", "h", "/", &[]), "a-b/x#0");
}

/// K10: the lower rule index wins among equal matches of one route.
#[test]
fn lower_rule_index_wins() {
    let r = router(&route("default", "r", "  rules:\n  - matches: [{path: {value: /x}}]\n  - matches: [{path: {value: /}}]\n  - matches: [{path: {value: /x}}]"));
    assert_eq!(hit(&r, "GET", "h", "/x", &[]), "default/r#0");
    assert_eq!(hit(&r, "GET", "h", "/y", &[]), "default/r#1");
}

/// A complete match only: a longer prefix whose header condition fails does not hide a
/// shorter prefix (SPEC §4.2).
#[test]
fn failing_deeper_node_does_not_hide_shallower() {
    let r = two(
        "  rules: [{matches: [{path: {value: /api/v2}, headers: [{name: x, value: '1'}]}]}]",
        "  rules: [{matches: [{path: {value: /api}}]}]",
    );
    assert_eq!(hit(&r, "GET", "h", "/api/v2/x", &[]), "default/b#0");
    assert_eq!(
        hit(&r, "GET", "h", "/api/v2/x", &[("x", "1")]),
        "default/a#0"
    );
}

/// Host fallback: when the exact-host route has no matching rule a wildcard route's rule
/// applies; with `host_isolation` the request gets 404 instead (SPEC §4.2).
#[test]
fn host_fallback_and_isolation() {
    let routes = [
        route(
            "default",
            "exact",
            "  hostnames: [foo.example.com]\n  rules: [{matches: [{path: {value: /only}}]}]",
        ),
        route("default", "wild", "  hostnames: ['*.example.com']"),
    ]
    .concat();
    let r = router(&routes);
    assert_eq!(
        hit(&r, "GET", "foo.example.com", "/only", &[]),
        "default/exact#0"
    );
    assert_eq!(
        hit(&r, "GET", "foo.example.com", "/other", &[]),
        "default/wild#0"
    );
    let iso = router_with(
        &routes,
        Options {
            host_isolation: true,
            ..Options::default()
        },
    );
    assert_eq!(hit(&iso, "GET", "foo.example.com", "/other", &[]), "404");
    assert_eq!(
        hit(&iso, "GET", "bar.example.com", "/other", &[]),
        "default/wild#0"
    );
}

/// Backend problems never cause fall-through: the selected rule answers 500 even though
/// another rule would match.
#[test]
fn invalid_backend_does_not_fall_through() {
    let r = two(
        "  rules: [{matches: [{path: {value: /x}}], backendRefs: [{name: missing, port: 80}]}]",
        "  rules: [{backendRefs: [{name: svc-a, port: 80}]}]",
    );
    let req = trieway::Request::new("GET", "h", "/x");
    let out = r.route(&req);
    assert_eq!(describe(out), "default/a#0");
    assert_eq!(out.status(0), 500);
    assert_eq!(
        r.route(&trieway::Request::new("GET", "h", "/y")).status(0),
        200
    );
}
