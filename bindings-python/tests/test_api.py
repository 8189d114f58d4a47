"""The Python API: lookups, results, filters, policies, reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import trieway
from conftest import CONFIG, EXAMPLES, config_objects


def matched(result: Optional[trieway.Match]) -> trieway.Match:
    assert isinstance(result, trieway.Match), result
    return result


def test_package_exports() -> None:
    assert trieway.__version__
    assert issubclass(trieway.ConfigError, ValueError)
    assert issubclass(trieway.InternalError, RuntimeError)
    assert "Router" in trieway.__all__
    assert trieway.Router.__doc__ and trieway.Match.__doc__ and trieway.Action.__doc__


def test_gateway_and_repr(router: trieway.Router) -> None:
    assert router.gateway == "default/gw"
    assert "default/gw" in repr(router)


def test_prefix_match_properties(router: trieway.Router) -> None:
    m = matched(router.route("GET", "store.example.com", "/anything"))
    assert bool(m) is True
    assert m.route == "default/store"
    assert (m.route_kind, m.namespace, m.name) == ("HTTPRoute", "default", "store")
    assert (m.rule, m.rule_name, m.match_index) == (0, "split", 0)
    assert m.path_match == ("PathPrefix", "/")
    assert m.hostname == "store.example.com"
    assert (m.listener, m.port, m.is_tls) == ("http", 80, False)
    assert [(b.name, b.port, b.weight) for b in m.backends] == [
        ("web", 8080, 3),
        ("canary", 8080, 1),
    ]
    assert m.total_weight == 4
    assert m.filters == []
    assert m.policies.is_empty()
    assert "default/store" in repr(m)


def test_exact_beats_prefix_and_host_is_normalized(router: trieway.Router) -> None:
    m = matched(router.route("GET", "Store.Example.COM:80", "/healthz"))
    assert (m.rule_name, m.path_match) == ("health", ("Exact", "/healthz"))
    # Not /healthz/: the split catches it.
    assert matched(router.route("GET", "store.example.com", "/healthz/")).rule_name == "split"


def test_not_found(router: trieway.Router) -> None:
    assert router.route("GET", "other.example.com", "/") is None
    assert router.route("GET", None, "/") is None
    assert router.route("GET", "store.example.com", "/", port=8081) is None


def test_header_conditions_with_every_header_shape(router: trieway.Router) -> None:
    shapes: List[Any] = [
        {"X-Api-Version": "v2"},
        [("x-api-version", "v2")],
        [(b"x-api-version", b"v2")],
        [[b"X-API-VERSION", "v2"]],
        ((n, v) for n, v in [("x-api-version", "v2")]),
    ]
    for headers in shapes:
        m = matched(router.route("GET", "store.example.com", "/api/orders", headers))
        assert m.rule_name == "api-v2", headers
    plain = matched(router.route("GET", "store.example.com", "/api/orders", {"x-api-version": "v3"}))
    assert plain.rule_name == "api"
    # A header value compares case-sensitively.
    assert matched(router.route("GET", "store.example.com", "/api", {"x-api-version": "V2"})).rule_name == "api"


def test_repeated_headers_are_joined(router: trieway.Router) -> None:
    # SPEC default: repeated lines are joined with ',' before comparing.
    m = matched(
        router.route("GET", "store.example.com", "/api", [("x-api-version", "v2"), ("x-api-version", "v3")])
    )
    assert m.rule_name == "api"
    r = trieway.Router.from_yaml(CONFIG, repeated_headers="any")
    m = matched(r.route("GET", "store.example.com", "/api", [("x-api-version", "v3"), ("x-api-version", "v2")]))
    assert m.rule_name == "api-v2"


def test_method_and_query_conditions(router: trieway.Router) -> None:
    assert matched(router.route("POST", "store.example.com", "/cart/checkout")).rule_name == "checkout"
    assert matched(router.route("GET", "store.example.com", "/cart/checkout")).rule_name == "split"
    assert matched(router.route("GET", "store.example.com", "/x?preview=true")).rule_name == "preview"
    assert matched(router.route("GET", "store.example.com", "/x", query="preview=true")).rule_name == "preview"
    # With query= the path is taken verbatim: '?' is then part of the path.
    assert matched(router.route("GET", "store.example.com", "/x?preview=true", query="")).rule_name == "split"


class Text(str):
    """A str subclass: route() reads any str, not only exact str objects."""


def test_route_without_headers_agrees_with_the_general_path(router: trieway.Router) -> None:
    # route(method, host, path) with no headers, query, sni or scheme borrows the argument
    # strings; with headers (even empty) it goes through the general reader. Both must give
    # the same answer, the same parameters and the same apply() for every kind of input:
    # ASCII and non-ASCII text, a query in the path, no host, a port, str subclasses.
    requests: List[Tuple[str, Optional[str], str, Optional[int]]] = [
        ("GET", "store.example.com", "/anything", None),
        ("GET", "Store.Example.COM:80", "/healthz", None),
        ("POST", "store.example.com", "/cart/checkout", None),
        ("GET", "store.example.com", "/x?preview=true", None),
        ("GET", "store.example.com", "/api/ünïcödé/€?q=日本", None),
        ("GET", "store.example.com", "/posts/42?", 80),
        ("GET", None, "/", None),
        ("GET", "other.example.com", "/", None),
        ("GET", "a.example.com", "/", 443),
        (Text("GET"), Text("store.example.com"), Text("/posts/7"), None),
    ]
    for method, host, path, port in requests:
        fast = router.route(method, host, path, port=port)
        general = router.route(method, host, path, [], port=port)
        assert type(fast) is type(general), (method, host, path)
        if general is None:
            continue
        m, g = matched(fast), matched(general)
        assert (m.route, m.rule, m.match_index, m.path_match, m.listener) == (
            g.route,
            g.rule,
            g.match_index,
            g.path_match,
            g.listener,
        ), (method, host, path)
        assert m.params == g.params
        a, b = m.apply(0.5), g.apply(0.5)
        assert (a.kind, a.authority, a.path_and_query, a.request_headers) == (
            b.kind,
            b.authority,
            b.path_and_query,
            b.request_headers,
        ), (method, host, path)
    m = matched(router.route("GET", "store.example.com", "/api/ünïcödé/€?q=日本"))
    assert m.apply(0).path_and_query == "/v1/ünïcödé/€?q=日本"  # the /api -> /v1 rewrite
    assert matched(router.route("GET", "store.example.com", "/x?preview=true")).rule_name == "preview"
    assert matched(router.route("POST", "store.example.com", "/cart/checkout")).rule_name == "checkout"


def test_regex_path(router: trieway.Router) -> None:
    assert matched(router.route("GET", "store.example.com", "/posts/42")).path_match == (
        "RegularExpression",
        "/posts/[0-9]+",
    )
    assert matched(router.route("GET", "store.example.com", "/posts/x")).rule_name == "split"


def test_non_utf8_header_value_reaches_a_regex(router: trieway.Router) -> None:
    m = router.route("GET", "store.example.com", "/binary", [(b"x-bin", b"a\xff\xfez")])
    # Whether a regex matches invalid UTF-8 is the core's business; the call must not raise.
    assert m is None or m.rule_name in ("binary", "split")
    assert matched(router.route("GET", "store.example.com", "/binary", [(b"x-bin", b"abcz")])).rule_name == "binary"


def test_misdirected_only_with_sni(router: trieway.Router) -> None:
    ok = router.route("GET", "a.example.com", "/", port=443, sni="a.example.com")
    assert isinstance(ok, trieway.Match) and ok.listener == "https-a" and ok.is_tls
    bad = router.route("GET", "a.example.com", "/", port=443, sni="b.example.com")
    assert bad is trieway.MISDIRECTED
    assert isinstance(bad, trieway.Misdirected)
    assert not bad and bad.status == 421
    assert repr(bad) == "trieway.MISDIRECTED"
    assert matched(router.route("GET", "b.example.com", "/", port=443)).listener == "https-b"


def test_weighted_pick_is_deterministic_and_follows_weights(router: trieway.Router) -> None:
    m = matched(router.route("GET", "store.example.com", "/"))
    counts: Dict[str, int] = {}
    n = 4000
    for i in range(n):
        r = (2 * i + 1) / (2 * n)
        b = m.pick(r)
        assert isinstance(b, trieway.Backend)
        counts[b.name] = counts.get(b.name, 0) + 1
    assert counts == {"web": 3000, "canary": 1000}
    assert m.pick(0) == m.pick(0)
    random_draws = {getattr(m.pick(), "name") for _ in range(200)}
    assert random_draws == {"web", "canary"}
    assert m.status(0) == 200


def test_invalid_backend_answers_500(router: trieway.Router) -> None:
    m = matched(router.route("GET", "store.example.com", "/broken"))
    (b,) = m.backends
    assert not b.valid and b.problem is not None and b.problem[0] == "BackendNotFound"
    assert m.pick(0) == 500
    assert m.status(0) == 500
    a = m.apply(0)
    assert (a.kind, a.status, a.backend) == ("respond", 500, None)


def test_apply_rewrite_and_header_filters(router: trieway.Router) -> None:
    m = matched(router.route("GET", "store.example.com", "/api/orders?page=2", {"x-debug": "1"}))
    a = m.apply(0)
    assert a.kind == "forward" and a.status == 200
    assert a.backend is not None and (a.backend.name, a.backend.port) == ("api", 9090)
    assert a.backend.app_protocol == "kubernetes.io/h2c"
    assert a.scheme == "http"
    assert a.authority == "api.internal"
    assert a.path_and_query == "/v1/orders?page=2"
    assert a.request_headers == [
        ("set", "x-tenant", "store"),
        ("add", "x-forwarded-by", "trieway"),
        ("remove", "x-debug", ""),
    ]
    assert a.response_headers == [("set", "x-served-by", "api")]
    assert a.location is None and a.mirrors == [] and a.extensions == []
    assert "forward" in repr(a)
    # The configured filters, as written.
    kinds = [f["type"] for f in m.filters]
    assert kinds == ["RequestHeaderModifier", "ResponseHeaderModifier", "URLRewrite"]


def test_edit_headers_text_and_bytes_agree(router: trieway.Router) -> None:
    a = matched(router.route("GET", "store.example.com", "/api")).apply(0)
    text = [("Host", "store.example.com"), ("X-Debug", "1"), ("x-forwarded-by", "edge"), ("X-Tenant", "evil")]
    edited = a.edit_request_headers(text)
    assert edited == [
        ("Host", "store.example.com"),
        ("x-forwarded-by", "edge,trieway"),
        ("x-tenant", "store"),
    ]
    as_bytes = a.edit_request_headers([(n.encode(), v.encode()) for n, v in text])
    assert as_bytes == [(n.encode(), v.encode()) for n, v in edited]
    # Non-UTF-8 values survive untouched.
    assert a.edit_request_headers([(b"x-raw", b"\xff")])[0] == (b"x-raw", b"\xff")
    assert a.edit_response_headers([("x-served-by", "me")]) == [("x-served-by", "api")]
    assert text[1] == ("X-Debug", "1")  # the input is not modified


def test_redirect(router: trieway.Router) -> None:
    a = matched(router.route("GET", "store.example.com:80", "/old/page?x=1")).apply()
    assert (a.kind, a.status) == ("redirect", 301)
    assert a.location == "http://store.example.com/new/page?x=1"
    assert "redirect" in repr(a)


def test_policies(router: trieway.Router) -> None:
    m = matched(router.route("GET", "store.example.com", "/api"))
    p = m.policies
    assert not p.is_empty()
    assert p.timeouts is not None
    assert (p.timeouts.request, p.timeouts.backend_request) == (10.0, 2.0)
    assert p.retry is None and p.session is None
    assert m.apply(0).policies.timeouts is not None
    assert "timeouts=true" in repr(p)


def test_apply_reads_the_same_request_again(router: trieway.Router) -> None:
    headers = {"x-api-version": "v2"}
    m = matched(router.route("GET", "store.example.com", "/api/x", headers, query="a=b"))
    a = m.apply(0)
    assert (a.backend.name if a.backend else None) == "canary"
    assert a.path_and_query == "/api/x?a=b"


def test_route_asgi(router: trieway.Router) -> None:
    scope: Dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": "/api/caf\u00e9",
        "raw_path": b"/api/caf%C3%A9",
        "query_string": b"page=2",
        "headers": [(b"host", b"store.example.com"), (b"x-debug", b"1")],
        "server": ("127.0.0.1", 80),
    }
    m = matched(router.route_asgi(scope))
    assert m.rule_name == "api"
    a = m.apply(0)
    assert a.path_and_query == "/v1/caf%C3%A9?page=2"  # raw_path, not the decoded path
    # The server port selects the listener unless port= says otherwise.
    assert router.route_asgi({**scope, "server": ("127.0.0.1", 8000)}) is None
    assert matched(router.route_asgi({**scope, "server": ("127.0.0.1", 8000)}, port=80)).rule_name == "api"
    # No raw_path: the decoded path. No server: the lowest port.
    del scope["raw_path"], scope["server"]
    assert matched(router.route_asgi(scope)).rule_name == "api"
    # A raw_path that still holds the query.
    scope2 = {**scope, "raw_path": b"/x?preview=true", "query_string": b""}
    assert matched(router.route_asgi(scope2)).rule_name == "preview"
    ws = {"type": "websocket", "scheme": "wss", "path": "/", "headers": [(b"host", b"a.example.com")]}
    m2 = matched(router.route_asgi(ws, port=443))
    assert m2.listener == "https-a" and m2.apply(0).scheme == "https"
    assert router.route_asgi(ws, port=443, sni="b.example.com") is trieway.MISDIRECTED


def test_from_json_text_and_objects(router: trieway.Router) -> None:
    docs = config_objects()
    r1 = trieway.Router.from_json(json.dumps(docs))
    r2 = trieway.Router.from_json(docs)
    r3 = trieway.Router.from_json({"apiVersion": "v1", "kind": "List", "items": docs})
    r4 = trieway.Router.from_json(json.dumps(docs).encode())
    for r in (r1, r2, r3, r4):
        assert matched(r.route("GET", "store.example.com", "/healthz")).rule_name == "health"


def test_from_path_file_and_dir(tmp_path: Path) -> None:
    f = tmp_path / "config.yaml"
    f.write_text(CONFIG)
    assert matched(trieway.Router.from_path(f).route("GET", "store.example.com", "/")).route == "default/store"
    assert trieway.Router.from_path(str(tmp_path)).gateway == "default/gw"
    demo = trieway.Router.from_path(EXAMPLES / "demo.yaml")
    assert demo.gateway == "infra/edge"


def test_gateway_and_options() -> None:
    r = trieway.Router.from_yaml(
        CONFIG,
        "default/gw",
        controller_name="example.com/gateway-under-test",
        host_isolation=True,
        listener_isolation=True,
        regex_rank="below_prefix",
        repeated_headers="first",
        all_weights_zero_status=503,
        regex_size_limit=1 << 20,
        max_path_len=16,
    )
    assert matched(r.route("GET", "store.example.com", "/posts/1")).rule_name == "split"  # regex below prefix
    assert r.route("GET", "store.example.com", "/" + "a" * 20) is None  # max_path_len
    other = trieway.Router.from_yaml(CONFIG, listener_isolation=False)
    assert matched(other.route("GET", "store.example.com", "/")).listener == ""


def test_report_and_check(router: trieway.Router) -> None:
    report = router.report()
    assert set(report) == {
        "routes",
        "listeners",
        "warnings",
        "gateway_classes",
        "gateways",
        "listener_sets",
        "backend_tls_policies",
        "backend_traffic_policies",
    }
    assert report["backend_tls_policies"] == [] and report["backend_traffic_policies"] == []
    store = next(r for r in report["routes"] if r["name"] == "store")
    conds = {c["type"]: c for c in store["parents"][0]["conditions"]}
    assert conds["Accepted"]["status"] == "True"
    assert conds["ResolvedRefs"]["reason"] == "BackendNotFound"
    assert {lst["name"] for lst in report["listeners"]} == {"http", "https-a", "https-b"}
    checked = trieway.check(CONFIG)
    assert checked["errors"] == [] and checked["routes"] == report["routes"]
    assert trieway.check(CONFIG.encode())["listeners"] == report["listeners"]
    other = trieway.check(CONFIG, controller_name="someone/else")
    assert other["routes"] == [] and other["listeners"] == []
    assert other["gateways"] == [] and other["gateway_classes"] == []
    assert router.problems() == {"errors": [], "warnings": []}


def test_gateway_and_listener_set_status() -> None:
    config = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/x}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: c
  addresses: [{value: 10.0.0.1}]
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: a.example.com}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: tenant, namespace: other}
spec:
  parentRef: {name: gw, namespace: infra}
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: a.example.com}]
"""
    report = trieway.Router.from_yaml(config).report()

    def conds(conditions: List[trieway.Condition]) -> Dict[str, Tuple[str, str]]:
        return {c["type"]: (c["status"], c["reason"]) for c in conditions}

    (gw,) = report["gateways"]
    assert (gw["namespace"], gw["name"]) == ("infra", "gw")
    assert conds(gw["conditions"]) == {"Accepted": ("True", "Accepted"), "Programmed": ("False", "AddressNotAssigned")}
    (cls,) = report["gateway_classes"]
    assert conds(cls["conditions"]) == {
        "Accepted": ("True", "Accepted"),
        "SupportedVersion": ("True", "SupportedVersion"),
    }
    (ls,) = report["listener_sets"]
    assert ls["gateway"] == "infra/gw"
    assert conds(ls["conditions"]) == {"Accepted": ("False", "NotAllowed"), "Programmed": ("False", "NotAllowed")}
    assert trieway.check(config)["listener_sets"] == report["listener_sets"]


def test_non_strict_keeps_valid_objects() -> None:
    bad_route = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: no-slash}}]}]
"""
    with pytest.raises(trieway.ConfigError):
        trieway.Router.from_yaml(CONFIG + bad_route)
    r = trieway.Router.from_yaml(CONFIG + bad_route, strict=False)
    problems = r.problems()
    assert len(problems["errors"]) == 1 and "HTTPRoute default/bad" in problems["errors"][0]
    assert matched(r.route("GET", "store.example.com", "/")).route == "default/store"
    assert trieway.check(CONFIG + bad_route)["errors"] == problems["errors"]


def test_unknown_fields_raise_when_strict() -> None:
    typo = """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: typo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [typo.example.com]
  rules: [{backendRefs: [{name: web, port: 8080}], backendRef: [{name: web, port: 8080}]}]
"""
    field = "spec.rules[0].backendRef: unknown field, did you mean backendRefs?"
    with pytest.raises(trieway.ConfigError, match=r"HTTPRoute default/typo .*backendRef: unknown field"):
        trieway.Router.from_yaml(CONFIG + typo)
    with pytest.raises(trieway.ConfigError, match="did you mean backendRefs"):
        trieway.Router.from_json(json.dumps(config_objects() + [typo_object()]))
    r = trieway.Router.from_yaml(CONFIG + typo, strict=False)
    problems = r.problems()
    assert problems["errors"] == []
    warnings = [w for w in problems["warnings"] if field in w]
    assert len(warnings) == 1 and warnings[0].startswith("HTTPRoute default/typo (<string>#"), warnings
    assert matched(r.route("GET", "typo.example.com", "/")).route == "default/typo"
    checked = trieway.check(CONFIG + typo)
    assert any(field in e for e in checked["errors"]), checked["errors"]


def typo_object() -> Dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "typo", "namespace": "default"},
        "spec": {"parentRefs": [{"name": "gw"}], "rules": [{"backendRef": []}]},
    }


def test_demo_config(tmp_path: Path) -> None:
    demo = trieway.Router.from_path(EXAMPLES / "demo.yaml")
    m = demo.route("GET", "store.example.com", "/api/orders", {"x-api-version": "v2"}, port=443)
    assert isinstance(m, trieway.Match) and m.rule_name == "api-v2"
    redirect = matched(demo.route("GET", "store.example.com", "/cart", port=80)).apply()
    assert (redirect.status, redirect.location) == (301, "https://store.example.com/cart")
    blog: Tuple[str, str] = matched(demo.route("GET", "blog.example.com", "/posts/42", port=443)).path_match
    assert blog == ("RegularExpression", "/posts/[0-9]+")


LIMITS = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: any
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - name: q
    matches: [{path: {value: /q}, queryParams: [{name: q, value: "1"}]}]
    backendRefs: [{name: svc, port: 80}]
  - name: h
    matches: [{path: {value: /h}, headers: [{name: x, value: long-value}]}]
    backendRefs: [{name: svc, port: 80}]
  - name: re
    matches: [{path: {type: RegularExpression, value: "/re/[a-z]+"}}]
    backendRefs: [{name: svc, port: 80}]
"""


def test_request_and_regex_bounds_are_options() -> None:
    default = trieway.Router.from_yaml(LIMITS)
    assert matched(default.route("GET", "a", "/q", query="q=1")).rule_name == "q"
    assert matched(default.route("GET", "a", "/h", {"x": "long-value"})).rule_name == "h"
    assert matched(default.route("GET", "a", "/re/abc")).rule_name == "re"
    assert default.report()["routes"][0]["parents"][0]["conditions"][0]["status"] == "True"

    tight = trieway.Router.from_yaml(
        LIMITS, max_query_len=2, max_header_value_len=4, regex_route_budget=1, regex_router_budget=1
    )
    assert tight.route("GET", "a", "/q", query="q=1") is None  # the query counts as absent
    assert tight.route("GET", "a", "/h", {"x": "long-value"}) is None  # value never read
    assert tight.route("GET", "a", "/re/abc") is None  # the rule did not fit the budget
    conds = {c["type"]: c for c in tight.report()["routes"][0]["parents"][0]["conditions"]}
    assert conds["PartiallyInvalid"]["status"] == "True"
    assert "regex_route_budget" in conds["PartiallyInvalid"]["message"]


PARAMS_CONFIG = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: c
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: p, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: RegularExpression, value: '/users/(?P<id>[0-9]+)(?:-([a-z]+))?'}}]
  - matches: [{path: {type: RegularExpression, value: '/repos/(?P<owner>[^/]+)/(?<repo>[^/]+)(/.*)?'}}]
  - matches: [{path: {type: Exact, value: /exact}}]
"""


def test_match_params() -> None:
    r = trieway.Router.from_yaml(PARAMS_CONFIG)
    m = matched(r.route("GET", "h", "/users/42-x"))
    # The unnamed group is not a parameter.
    assert m.params == {"id": "42"}
    assert matched(r.route("GET", "h", "/repos/acme/wid%C3get/issues")).params == {
        "owner": "acme",
        "repo": "wid%C3get",
    }
    assert matched(r.route("GET", "h", "/repos/é/ü?x=1")).params == {"owner": "é", "repo": "ü"}
    assert matched(r.route("GET", "h", "/exact")).params == {}
