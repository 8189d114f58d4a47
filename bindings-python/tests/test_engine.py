"""The whole engine from Python: gRPC, TLS, TCP and UDP routing, Ingress routing, the ASGI
``root_path``, and compiling off the event loop (``from_yaml_async`` / ``from_path_async``)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import trieway
from conftest import EXAMPLES

# HTTP, TLS passthrough, TCP and UDP listeners and a route of each kind (shared with the Node
# tests and core/tests/alloc.rs).
L4 = (EXAMPLES / "protocols.yaml").read_text()


@pytest.fixture(scope="module")
def l4() -> trieway.Router:
    return trieway.Router.from_yaml(L4)


def test_route_grpc(l4: trieway.Router) -> None:
    m = l4.route_grpc("grpc.example.com", "/foo.Echo/Ping", port=80)
    assert isinstance(m, trieway.Match)
    assert (m.route_kind, m.route, m.rule) == ("GRPCRoute", "default/g", 0)
    assert [b.name for b in m.backends] == ["svc-a"]
    action = m.apply(0.5)
    assert action.kind == "forward" and action.backend is not None
    assert action.backend.name == "svc-a"
    m2 = l4.route_grpc("grpc.example.com", "/foo.Other/X", {"x-a": "1"}, port=80)
    assert isinstance(m2, trieway.Match) and m2.rule == 1
    assert l4.route_grpc("grpc.example.com", "/foo.Other/X", port=80) is None
    assert l4.route_grpc("grpc.example.com", "/nope/X", port=80) is None
    # HTTP lookups do not see GRPCRoutes' gRPC-only rules as HTTP routes.
    assert l4.route_grpc("web.example.com", "/", port=443) is None


def test_route_tls(l4: trieway.Router) -> None:
    t = l4.route_tls(443, "a.tls.example.com")
    assert isinstance(t, trieway.L4Match) and t
    assert (t.route_kind, t.route, t.namespace, t.name) == ("TLSRoute", "default/t", "default", "t")
    assert (t.listener, t.hostname, t.port, t.passthrough) == ("tls", "*.tls.example.com", 443, True)
    assert [b.name for b in t.backends] == ["svc-a"]
    picked = t.pick(0.99)
    assert isinstance(picked, trieway.Backend) and picked.name == "svc-a"
    assert repr(t) == "<trieway.L4Match TLSRoute default/t port=443>"
    terminate = l4.route_tls(443, "web.example.com")
    assert terminate is trieway.TERMINATE and not terminate
    assert repr(terminate) == "trieway.TERMINATE"
    assert l4.route_tls(443, "other.example.org") is None
    assert l4.route_tls(443, None) is None
    assert l4.route_tls(444, "a.tls.example.com") is None


def test_route_tcp_and_udp(l4: trieway.Router) -> None:
    tcp = l4.route_tcp(9000)
    assert isinstance(tcp, trieway.L4Match)
    assert (tcp.route_kind, tcp.route, tcp.listener, tcp.hostname) == ("TCPRoute", "default/tcp", "tcp", "*")
    assert not tcp.passthrough
    # Weights 1:3: the draw is the same fraction of the total weight as in Match.pick.
    names = [getattr(tcp.pick((i + 0.5) / 8), "name") for i in range(8)]
    assert names == ["svc-a"] * 2 + ["svc-b"] * 6
    udp = l4.route_udp(9001)
    assert isinstance(udp, trieway.L4Match)
    assert (udp.route_kind, udp.route) == ("UDPRoute", "default/udp")
    assert l4.route_tcp(9001) is None and l4.route_udp(9000) is None
    with pytest.raises(ValueError, match=r"^random must be a number in \[0, 1\)"):
        tcp.pick(2.0)
    with pytest.raises(TypeError, match=r"^port must be an int from 1 to 65535, not None"):
        l4.route_tcp(None)  # type: ignore[arg-type]


def test_from_ingress() -> None:
    text = (EXAMPLES / "ingress.yaml").read_text()
    router = trieway.Router.from_ingress(text)
    m = router.route("GET", "shop.example.com", "/products/42")
    assert isinstance(m, trieway.Match)
    assert (m.route_kind, m.route) == ("Ingress", "shop/storefront")
    assert m.path_match == ("PathPrefix", "/products")
    assert [b.name for b in m.backends] == ["web"]
    m2 = router.route("GET", "api.shop.example.com", "/v1/status")
    assert isinstance(m2, trieway.Match) and m2.route == "shop/api"
    # The default backend serves what no rule matches, on any host.
    m3 = router.route("GET", "elsewhere.example.org", "/x")
    assert isinstance(m3, trieway.Match) and m3.route == "shop/storefront"
    # Another IngressClass: nothing of this file.
    other = trieway.Router.from_ingress(text, "nginx")
    assert other.route("GET", "shop.example.com", "/products/42") is None
    with pytest.raises(trieway.ConfigError):
        trieway.Router.from_ingress("kind: Ingress\napiVersion: networking.k8s.io/v1\nspec: 3\n")


def test_route_asgi_honours_root_path() -> None:
    """An app mounted under /gw: the routes are written relative to the mount."""
    api = """---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [web.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: svc-b, port: 80}]
"""
    router = trieway.Router.from_yaml(L4 + api)

    def scope(path: str, root_path: str, raw: bool = True) -> Dict[str, Any]:
        s: Dict[str, Any] = {
            "type": "http",
            "method": "GET",
            "path": path,
            "root_path": root_path,
            "query_string": b"q=1",
            "headers": [(b"host", b"web.example.com")],
        }
        if raw:
            s["raw_path"] = path.encode()
        return s

    for raw in (True, False):
        m = router.route_asgi(scope("/gw/api/x", "/gw", raw), port=443)
        assert isinstance(m, trieway.Match) and m.backends[0].name == "svc-b", raw
        assert m.apply(0).path_and_query == "/api/x?q=1"
        # Mounted at the root: /gw/api is not /api.
        m = router.route_asgi(scope("/gw/api/x", "", raw), port=443)
        assert isinstance(m, trieway.Match) and m.backends[0].name == "svc-a"
        # The prefix must end at a segment boundary: /gwx/api is not under /gw.
        m = router.route_asgi(scope("/gwx/api", "/gw", raw), port=443)
        assert isinstance(m, trieway.Match) and m.backends[0].name == "svc-a"
        # The mount point itself is "/".
        m = router.route_asgi(scope("/gw", "/gw/", raw), port=443)
        assert isinstance(m, trieway.Match) and m.apply(0).path_and_query == "/?q=1"


def test_root_path_under_starlette_mount() -> None:
    """A real Starlette Mount sets root_path; route_asgi sees the path below it."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount
    from starlette.testclient import TestClient

    router = trieway.Router.from_path(EXAMPLES / "demo.yaml")
    seen: List[Tuple[str, str]] = []

    async def gateway(scope: Any, receive: Any, send: Any) -> None:
        m = router.route_asgi(scope, port=443)
        seen.append((scope["root_path"], m.route if m else "404"))
        response = PlainTextResponse(m.route if m else "no route", status_code=200 if m else 404)
        await response(scope, receive, send)

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse("home")

    app = Starlette(routes=[Mount("/edge", app=gateway)])
    with TestClient(app, base_url="https://store.example.com") as client:
        r = client.get("/edge/api/orders", headers={"x-api-version": "v2"})
        assert r.status_code == 200 and r.text == "tenant-a/store"
    assert seen == [("/edge", "tenant-a/store")]
    direct = router.route("GET", "store.example.com", "/api/orders", {"x-api-version": "v2"}, port=443)
    assert isinstance(direct, trieway.Match) and direct.rule_name == "api-v2"


def big_config(rules: int) -> str:
    """`rules` HTTPRoute rules (16 per route) on one Gateway."""
    docs = [
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c}\n"
        "spec: {controllerName: example.com/gateway-under-test}",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\n"
        "spec:\n  gatewayClassName: c\n  listeners: [{name: http, port: 80, protocol: HTTP}]",
        "apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: default}\nspec: {ports: [{port: 80}]}",
    ]
    for r in range(rules // 16):
        lines = [
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute",
            f"metadata: {{name: r{r}, namespace: default}}",
            f"spec:\n  parentRefs: [{{name: gw}}]\n  hostnames: [h{r % 500}.example.com]\n  rules:",
        ]
        for i in range(16):
            lines.append(
                f"  - matches: [{{path: {{type: PathPrefix, value: /r{r}/p{i}}}}}, "
                f"{{headers: [{{name: x-t, value: 'v{i}'}}], path: {{type: Exact, value: /e{r}/{i}}}}}]\n"
                f"    backendRefs: [{{name: svc, port: 80}}]"
            )
        docs.append("\n".join(lines))
    return "\n---\n".join(docs) + "\n"


async def ticks_during(make: Any) -> Tuple[Any, int, float, float]:
    """Awaits `make()` while a ticker sleeps 1 ms in a loop: (result, ticks, longest gap
    between ticks in seconds, compile seconds)."""
    stop = False
    ticks = 0
    longest = 0.0

    async def ticker() -> None:
        nonlocal ticks, longest
        last = time.perf_counter()
        while not stop:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    ticks, longest = 0, 0.0
    start = time.perf_counter()
    result = await make()
    elapsed = time.perf_counter() - start
    stop = True
    await task
    return result, ticks, longest, elapsed


RULES = 10_000


@pytest.fixture(scope="module")
def big_yaml() -> str:
    return big_config(RULES)


def test_async_compile_keeps_the_event_loop_running(big_yaml: str, tmp_path: Path) -> None:
    """Compiling 10,000 rules with from_yaml_async / from_path_async leaves the loop free.

    Structural check, not a timing assertion: the ticker sleeps 1 ms per turn, so it runs at
    least once per 2 ms of compile only if the loop is not blocked. A blocking compile (the
    synchronous from_yaml, awaited in a coroutine) lets it run at most a couple of times.
    """
    path = tmp_path / "big.yaml"
    path.write_text(big_yaml)

    async def main() -> None:
        async def blocking() -> trieway.Router:
            return trieway.Router.from_yaml(big_yaml)

        _, blocked_ticks, blocked_stall, blocked_time = await ticks_during(blocking)
        router, ticks, stall, elapsed = await ticks_during(lambda: trieway.Router.from_yaml_async(big_yaml))
        by_path, path_ticks, path_stall, path_time = await ticks_during(
            lambda: trieway.Router.from_path_async(path)
        )
        print(
            f"\n10,000-rule compile: blocking from_yaml {blocked_time * 1e3:.0f} ms, "
            f"{blocked_ticks} ticks, longest stall {blocked_stall * 1e3:.1f} ms; "
            f"from_yaml_async {elapsed * 1e3:.0f} ms, {ticks} ticks, longest stall "
            f"{stall * 1e3:.1f} ms; from_path_async {path_time * 1e3:.0f} ms, {path_ticks} "
            f"ticks, longest stall {path_stall * 1e3:.1f} ms"
        )
        assert isinstance(router, trieway.Router) and isinstance(by_path, trieway.Router)
        for r in (router, by_path):
            m = r.route("GET", "h3.example.com", "/r3/p7/x")
            assert isinstance(m, trieway.Match) and m.route == "default/r3" and m.rule == 7
        # The control: a blocking compile starves the ticker.
        assert blocked_ticks <= 2
        # Off the loop: the ticker keeps running (one tick per 1 ms sleep, at least one per
        # 10 ms of compile even on a loaded machine).
        assert ticks >= max(3, int(elapsed * 100)), (ticks, elapsed)
        assert path_ticks >= max(3, int(path_time * 100)), (path_ticks, path_time)

    asyncio.run(main())


def test_async_constructors_raise_config_errors_and_take_options() -> None:
    async def main() -> None:
        with pytest.raises(trieway.ConfigError):
            await trieway.Router.from_yaml_async("kind: HTTPRoute\n")
        with pytest.raises(trieway.ConfigError):
            await trieway.Router.from_path_async("/nonexistent/trieway.yaml")
        with pytest.raises(TypeError, match="unknown option `max_path`"):
            await trieway.Router.from_yaml_async(big_config(16), max_path=3)  # type: ignore[call-arg]
        with pytest.raises(trieway.ConfigError, match="no Gateway"):
            await trieway.Router.from_json_async([], strict=False)
        r = await trieway.Router.from_json_async(big_config(16))
        assert r.route("GET", "h0.example.com", "/r0/p1") is not None

    asyncio.run(main())


FLAVOR_INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  rules:
  - host: foo.example.com
    http:
      paths:
      - {path: /a, pathType: Exact, backend: {service: {name: exact-a, port: {number: 80}}}}
      - {path: /a/, pathType: Prefix, backend: {service: {name: prefix-a, port: {number: 80}}}}
"""


def test_from_ingress_nginx_flavor() -> None:
    """The Ingress specification ranks the longer path string first (`/a/` over Exact `/a`);
    ingress-nginx ranks Exact first."""
    spec = trieway.Router.from_ingress(FLAVOR_INGRESS)
    nginx = trieway.Router.from_ingress(FLAVOR_INGRESS, ingress_nginx=True)
    m = spec.route("GET", "foo.example.com", "/a")
    n = nginx.route("GET", "foo.example.com", "/a")
    assert isinstance(m, trieway.Match) and isinstance(n, trieway.Match)
    assert [b.name for b in m.backends] == ["prefix-a"]
    assert [b.name for b in n.backends] == ["exact-a"]
