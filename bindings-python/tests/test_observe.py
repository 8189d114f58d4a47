"""Explain, counters (stats, Prometheus text, the prometheus_client collector),
OpenTelemetry attributes, and ``trieway.Live`` (change sets applied off the event loop)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Dict, List, Optional, Tuple

import pytest

import trieway
import trieway.metrics
from conftest import EXAMPLES

DEMO = EXAMPLES / "demo.yaml"

# (method, host, path, headers, port): hits, misses and near misses of examples/demo.yaml.
REQUESTS: List[Tuple[str, str, str, Dict[str, str], int]] = [
    ("GET", "store.example.com", "/api/orders", {"x-api-version": "v2"}, 443),
    ("GET", "store.example.com", "/api/orders", {}, 443),
    ("GET", "store.example.com", "/", {}, 443),
    ("GET", "blog.example.com", "/posts/42", {}, 443),
    ("GET", "blog.example.com", "/posts/abc", {}, 443),
    ("POST", "store.example.com", "/cart", {}, 443),
    ("GET", "nowhere.example", "/", {}, 443),
    ("GET", "store.example.com", "/", {}, 80),
]


def winner(e: Dict[str, Any]) -> Optional[Tuple[str, str, int]]:
    out = e["outcome"]
    if out["result"] != "matched":
        return None
    m = out["matched"]
    return (m["namespace"], m["name"], m["rule"])


def routed(m: Optional[trieway.Match]) -> Optional[Tuple[str, str, int]]:
    return None if m is None else (m.namespace, m.name, m.rule)


@pytest.mark.parametrize("req", REQUESTS)
def test_explain_winner_is_routes_answer(req: Tuple[str, str, str, Dict[str, str], int]) -> None:
    router = trieway.Router.from_path(DEMO)
    method, host, path, headers, port = req
    e = router.explain(method, host, path, headers, port=port)
    m = router.route(method, host, path, headers, port=port)
    assert winner(e) == routed(m)
    matched = [c for c in e["candidates"] if c["verdict"] == "matched"]
    if m is None:
        assert e["outcome"] == {"result": "not_found"}
        assert matched == []
    else:
        assert len(matched) == 1
        assert (matched[0]["namespace"], matched[0]["name"], matched[0]["rule"]) == routed(m)
        assert e["outcome"]["hostname"] == m.hostname


def test_explain_404_reason() -> None:
    router = trieway.Router.from_path(DEMO)
    e = router.explain("GET", "nowhere.example", "/", port=443)
    assert router.route("GET", "nowhere.example", "/", port=443) is None
    assert e["gateway"] == "infra/edge"
    assert e["outcome"] == {"result": "not_found"}
    assert e["listener"]["selected"] is False
    assert "nowhere.example" in e["listener"]["reason"] or e["listener"]["reason"]
    assert e["candidates"] == []


def test_explain_failed_header_condition() -> None:
    router = trieway.Router.from_path(DEMO)
    e = router.explain("GET", "store.example.com", "/api/orders", port=443)
    failed = [c for c in e["candidates"] if c["verdict"] == "failed"]
    headers = [c for c in failed if c["condition"]["kind"] == "header"]
    assert headers, e["candidates"]
    assert headers[0]["condition"]["name"].lower() == "x-api-version"
    assert headers[0]["condition"]["actual"] is None


def test_explain_grpc_matches_route_grpc() -> None:
    router = trieway.Router.from_path(DEMO)
    e = router.explain_grpc("store.example.com", "/shop.Cart/Get", port=443)
    assert router.route_grpc("store.example.com", "/shop.Cart/Get", port=443) is None
    assert e["outcome"]["result"] == "not_found"


def test_explain_argument_errors() -> None:
    router = trieway.Router.from_path(DEMO)
    with pytest.raises(ValueError, match="port"):
        router.explain("GET", "a", "/", port=70000)
    with pytest.raises(TypeError):
        router.explain(1, "a", "/")  # type: ignore[arg-type]


def test_stats_count_matches_and_misses() -> None:
    router = trieway.Router.from_path(DEMO, counters=True)
    plain = trieway.Router.from_path(DEMO)
    assert plain.stats() is None and plain.prometheus_text() is None
    for _ in range(3):
        router.route("GET", "store.example.com", "/api/orders", {"x-api-version": "v2"}, port=443)
    router.route("GET", "nowhere.example", "/", port=443)
    stats = router.stats()
    assert stats is not None
    assert stats["gateway"] == "infra/edge"
    v2 = [r for r in stats["rules"] if r["rule_name"] == "api-v2"]
    assert v2 and sum(r["matches"] for r in v2) == 3
    assert sum(r["matches"] for r in stats["rules"]) == 3
    assert sum(row["not_found"] for row in stats["listeners"]) == 1
    text = router.prometheus_text()
    assert text is not None
    assert "# TYPE trieway_rule_matches_total counter" in text
    line = [ln for ln in text.splitlines() if 'rule="api-v2"' in ln and ln.endswith(" 3")]
    assert len(line) == 1, text


def test_prometheus_collector() -> None:
    prometheus_client = pytest.importorskip("prometheus_client")
    router = trieway.Router.from_path(DEMO, counters=True)
    registry = prometheus_client.CollectorRegistry()
    collector = trieway.metrics.TriewayCollector(router)
    registry.register(collector)
    for _ in range(2):
        router.route("GET", "blog.example.com", "/posts/7", port=443)
    router.route("GET", "nowhere.example", "/", port=443)
    m = router.route("GET", "blog.example.com", "/posts/7", port=443)
    assert m is not None
    value = registry.get_sample_value(
        "trieway_rule_matches_total",
        {"gateway": "infra/edge", "kind": "HTTPRoute", "namespace": m.namespace,
         "route": m.name, "rule": m.rule_name or str(m.rule)},
    )
    assert value == 3
    misses = [
        s for metric in registry.collect() for s in metric.samples
        if s.name == "trieway_listener_misses_total" and s.labels["status"] == "404"
    ]
    assert sum(s.value for s in misses) == 1
    text = prometheus_client.generate_latest(registry).decode()
    assert "trieway_rule_matches_total{" in text
    # A Router without counters contributes nothing; a Live is read at its current version.
    empty = prometheus_client.CollectorRegistry()
    empty.register(trieway.metrics.TriewayCollector(trieway.Router.from_path(DEMO)))
    assert "trieway_rule_matches_total{" not in prometheus_client.generate_latest(empty).decode()


@pytest.mark.parametrize(
    "host,path,kind,template",
    [
        ("store.example.com", "/api/orders", "PathPrefix", "/api"),
        ("blog.example.com", "/posts/42", "RegularExpression", "/posts/[0-9]+"),
    ],
)
def test_otel_attributes(host: str, path: str, kind: str, template: str) -> None:
    router = trieway.Router.from_path(DEMO)
    m = router.route("GET", host, path, port=443)
    assert m is not None
    assert m.path_match[0] == kind
    assert m.http_route == template == m.path_match[1]
    attrs = m.attributes
    assert list(attrs)[0] == "http.route"
    assert attrs["http.route"] == template
    assert attrs["trieway.gateway"] == "infra/edge"
    assert attrs["trieway.route.namespace"] == m.namespace
    assert attrs["trieway.route.name"] == m.name
    assert attrs["trieway.route.kind"] == "HTTPRoute"
    assert attrs["trieway.rule.index"] == m.rule
    assert attrs.get("trieway.rule.name") == m.rule_name
    assert attrs["trieway.hostname"] == m.hostname


def test_otel_exact_path_attribute() -> None:
    router = trieway.Router.from_yaml(
        DEMO.read_text()
        + """
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: health, namespace: infra}
spec:
  parentRefs: [{name: edge}]
  hostnames: [health.example.com]
  rules:
  - matches: [{path: {type: Exact, value: /healthz}}]
    backendRefs: [{name: health, port: 80}]
"""
    , strict=False)
    m = router.route("GET", "health.example.com", "/healthz", port=443)
    assert m is not None and m.path_match == ("Exact", "/healthz")
    assert m.attributes["http.route"] == "/healthz"


def test_otel_span() -> None:
    pytest.importorskip("opentelemetry")
    from opentelemetry import trace

    router = trieway.Router.from_path(DEMO)
    m = router.route("GET", "blog.example.com", "/posts/42", port=443)
    assert m is not None
    tracer = trace.get_tracer("trieway-test")
    with tracer.start_as_current_span("request") as span:
        span.set_attributes(m.attributes)  # a no-op span without an SDK: the types must fit


ROUTE = """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: added, namespace: tenant-a}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  hostnames: [added.example.com]
  rules: [{backendRefs: [{name: store, port: 8080}]}]
"""


def test_live_apply_text_and_delete() -> None:
    live = trieway.Live.from_path(DEMO)
    assert live.version == 1
    before = live.router
    assert live.route("GET", "added.example.com", "/", port=443) is None
    r = live.apply(ROUTE)
    assert r["published"] is True and r["rejected"] == [] and r["failed"] is None
    assert r["applied"] == [{"kind": "HTTPRoute", "namespace": "tenant-a", "name": "added"}]
    assert r["version"] == live.version == 2
    # A change set of routes only is applied incrementally (issue #18).
    assert r["incremental"] is True and r["full_build"] is None
    m = live.route("GET", "added.example.com", "/", port=443)
    assert m is not None and m.route == "tenant-a/added"
    # The Router taken before keeps answering with its version.
    assert before.route("GET", "added.example.com", "/", port=443) is None
    assert live.router.route("GET", "added.example.com", "/", port=443) is not None
    # Applying the same object again publishes nothing.
    again = live.apply(ROUTE)
    assert again["published"] is False and again["unchanged"] == r["applied"]
    assert live.version == 2
    gone = live.apply(("delete", "HTTPRoute", "tenant-a", "added"))
    assert gone["published"] is True and live.version == 3
    assert live.route("GET", "added.example.com", "/", port=443) is None


def test_live_apply_dicts_and_rejects() -> None:
    live = trieway.Live.from_path(DEMO)
    route: Dict[str, Any] = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "added", "namespace": "tenant-a"},
        "spec": {
            "parentRefs": [{"name": "edge", "namespace": "infra"}],
            "hostnames": ["added.example.com"],
            "rules": [{"backendRefs": [{"name": "store", "port": 8080}]}],
        },
    }
    bad = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "bad", "namespace": "tenant-a"},
        "spec": {"rules": [{"backendRef": []}]},
    }
    r = live.apply([route, bad])
    assert [a["name"] for a in r["applied"]] == ["added"]
    assert len(r["rejected"]) == 1
    rej = r["rejected"][0]
    assert rej["object"] == {"kind": "HTTPRoute", "namespace": "tenant-a", "name": "bad"}
    assert any("backendRef" in e for e in rej["errors"]), rej
    assert live.route("GET", "added.example.com", "/", port=443) is not None
    r = live.apply([{"delete": {"kind": "HTTPRoute", "namespace": "tenant-a", "name": "added"}}])
    assert r["published"] and live.route("GET", "added.example.com", "/", port=443) is None
    with pytest.raises(trieway.ConfigError):
        live.apply("kind: [unclosed")
    with pytest.raises(TypeError):
        live.apply(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        live.apply(("remove", "HTTPRoute", "a", "b"))  # type: ignore[arg-type]
    assert live.version == 3


def test_live_apply_async_keeps_loop_running() -> None:
    live = trieway.Live.from_path(DEMO)

    async def main() -> Tuple[trieway.ApplyResult, int]:
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        t = asyncio.create_task(ticker())
        result = await live.apply_async(ROUTE)
        done.set()
        await t
        return result, ticks

    result, ticks = asyncio.run(main())
    assert result["published"] and result["version"] == 2
    assert ticks >= 1  # the loop ran while the change set applied in a worker thread
    assert live.route("GET", "added.example.com", "/", port=443) is not None


def test_live_threads_see_whole_versions() -> None:
    live = trieway.Live.from_path(DEMO)
    errors: List[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            r = live.router
            v1 = r.route("GET", "added.example.com", "/", port=443)
            v2 = r.route("GET", "added.example.com", "/", port=443)
            if routed(v1) != routed(v2):
                errors.append("one Router answered differently")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for i in range(20):
        live.apply(ROUTE if i % 2 == 0 else ("delete", "HTTPRoute", "tenant-a", "added"))
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert live.version == 21


def test_live_counters_and_explain() -> None:
    live = trieway.Live.from_path(DEMO, counters=True)
    live.apply(ROUTE)
    live.route("GET", "added.example.com", "/", port=443)
    stats = live.router.stats()
    assert stats is not None
    assert [r["matches"] for r in stats["rules"] if r["name"] == "added"] == [1]
    e = live.router.explain("GET", "added.example.com", "/", port=443)
    assert winner(e) == ("tenant-a", "added", 0)
    collector = trieway.metrics.TriewayCollector(live)
    names = [m.name for m in collector.collect()]
    assert "trieway_rule_matches" in names


def test_live_errors() -> None:
    with pytest.raises(trieway.ConfigError):
        trieway.Live.from_yaml("kind: HTTPRoute\nmetadata: {name: x}\nspec: {rules: 3}\n")
    with pytest.raises(TypeError, match="unknown option"):
        trieway.Live.from_path(DEMO, max_path=3)  # type: ignore[call-arg]
    ingress = trieway.Live.from_ingress((EXAMPLES / "ingress.yaml").read_text())
    m = ingress.route("GET", "shop.example.com", "/products/42")
    assert m is not None and m.route_kind == "Ingress"
    assert "version=1" in repr(ingress)


def test_live_watch_reloads_changed_files(tmp_path: Any) -> None:
    import queue

    config = tmp_path / "config"
    config.mkdir()
    (config / "demo.yaml").write_text(DEMO.read_text())
    live = trieway.Live.from_path(config)
    reloads: "queue.Queue[trieway.Reload]" = queue.Queue()
    watcher = live.watch(config, reloads.put, debounce=0.05)
    try:
        first = reloads.get(timeout=30)  # the initial read, reported before watch() returns
        assert [p.endswith("demo.yaml") for p in first["files"]] == [True]
        assert first["result"]["rejected"] == []
        (config / "added.yaml").write_text(ROUTE)
        while True:  # bounded: each get waits at most 30 s for the watcher
            r = reloads.get(timeout=30)
            if any(a["name"] == "added" for a in r["result"]["applied"]):
                break
        assert any(f.endswith("added.yaml") for f in r["files"])
        assert r["result"]["published"] is True
        m = live.route("GET", "added.example.com", "/", port=443)
        assert m is not None and m.route == "tenant-a/added"
        (config / "added.yaml").unlink()
        while True:
            r = reloads.get(timeout=30)
            if any(a["name"] == "added" for a in r["result"]["applied"]):
                break
        assert live.route("GET", "added.example.com", "/", port=443) is None
        (config / "bad.yaml").write_text(ROUTE.replace("rules:", "rulez:").replace("added", "bad"))
        while True:
            r = reloads.get(timeout=30)
            if r["result"]["rejected"]:
                break
        assert r["result"]["rejected"][0]["object"]["name"] == "bad"
    finally:
        watcher.stop()
    assert watcher.stopped
    watcher.stop()  # idempotent
    with pytest.raises(trieway.ConfigError):
        live.watch(tmp_path / "missing", reloads.put)
    with pytest.raises(TypeError):
        live.watch(config, 42)  # type: ignore[arg-type]
