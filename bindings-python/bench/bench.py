"""Lookups per second from Python, in one run:

1. the GitHub REST API route set (130 templates, bench/github_routes.txt): trieway's
   ``route()`` and ``route_asgi()`` against Starlette's router on the same templates and the
   same ASGI scopes (Starlette's own loop: ``route.matches(scope)`` until a full match), and
   against pymatchit (the Rust ``matchit`` router from Python: ``at(path)``, path only, so
   it does less work than ``route()``: no method, host or Gateway API precedence);
2. a 10,000-rule multi-tenant set (500 hostnames x 20 rules: PathPrefix, Exact, a header
   condition, a method condition) with hits spread over every rule, plus misses.

Each template becomes an HTTPRoute rule: a static template an ``Exact`` path, a template
with ``{pN}`` segments a ``RegularExpression`` path with ``[^/]+`` per parameter. Requests
are the templates with the braces removed (``/users/{p1}`` -> ``/users/p1``).

Usage: python bench/bench.py [--rounds N] [--quick]
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import trieway

HERE = Path(__file__).resolve().parent
GW = "gateway.networking.k8s.io/v1"
MAX_RULES = 16  # rules per HTTPRoute (CRD limit)


def base_objects(hostname: str = "") -> List[Dict[str, Any]]:
    listener: Dict[str, Any] = {"name": "http", "port": 80, "protocol": "HTTP"}
    return [
        {
            "apiVersion": GW,
            "kind": "GatewayClass",
            "metadata": {"name": "bench"},
            "spec": {"controllerName": "example.com/gateway-under-test"},
        },
        {
            "apiVersion": GW,
            "kind": "Gateway",
            "metadata": {"name": "gw", "namespace": "default"},
            "spec": {
                "gatewayClassName": "bench",
                "listeners": [{**listener, "allowedRoutes": {"namespaces": {"from": "All"}}}],
            },
        },
    ]


def service(ns: str, name: str) -> Dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"ports": [{"port": 80}]},
    }


def http_routes(
    ns: str, prefix: str, hostnames: List[str], rules: List[Dict[str, Any]]
) -> List[Dict[str, Any]]:
    """Rules split into HTTPRoutes of at most MAX_RULES rules."""
    out = []
    for i in range(0, len(rules), MAX_RULES):
        spec: Dict[str, Any] = {
            "parentRefs": [{"name": "gw", "namespace": "default"}],
            "rules": rules[i : i + MAX_RULES],
        }
        if hostnames:
            spec["hostnames"] = hostnames
        out.append(
            {
                "apiVersion": GW,
                "kind": "HTTPRoute",
                "metadata": {"name": f"{prefix}-{i // MAX_RULES}", "namespace": ns},
                "spec": spec,
            }
        )
    return out


def github_templates() -> List[str]:
    lines = (HERE / "github_routes.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def github_config(templates: List[str]) -> List[Dict[str, Any]]:
    rules = []
    for t in templates:
        if "{" in t:
            path = {"type": "RegularExpression", "value": re.sub(r"\{[^}]+\}", "[^/]+", t)}
        else:
            path = {"type": "Exact", "value": t}
        rules.append({"matches": [{"path": path}], "backendRefs": [{"name": "api", "port": 80}]})
    return base_objects() + [service("default", "api")] + http_routes("default", "github", [], rules)


def tenant_config(tenants: int, per_tenant: int) -> Tuple[List[Dict[str, Any]], List[Tuple[str, str, str, Dict[str, str]]]]:
    """`tenants` hostnames with `per_tenant` rules each, and one request per rule plus misses."""
    objects = base_objects()
    requests: List[Tuple[str, str, str, Dict[str, str]]] = []
    for t in range(tenants):
        ns = f"tenant-{t}"
        host = f"t{t}.example.com"
        objects.append(service(ns, "app"))
        rules = []
        for j in range(per_tenant):
            kind = j % 4
            match: Dict[str, Any]
            if kind == 0:
                match = {"path": {"type": "PathPrefix", "value": f"/svc{j}"}}
                requests.append(("GET", host, f"/svc{j}/items/42", {}))
            elif kind == 1:
                match = {"path": {"type": "Exact", "value": f"/api/v1/res{j}"}}
                requests.append(("GET", host, f"/api/v1/res{j}", {}))
            elif kind == 2:
                match = {
                    "path": {"type": "PathPrefix", "value": f"/svc{j - 2}"},
                    "headers": [{"name": "x-version", "value": "2"}],
                }
                requests.append(("GET", host, f"/svc{j - 2}/x", {"x-version": "2"}))
            else:
                match = {"path": {"type": "Exact", "value": f"/cart{j}"}, "method": "POST"}
                requests.append(("POST", host, f"/cart{j}", {}))
            rules.append({"matches": [match], "backendRefs": [{"name": "app", "port": 80}]})
        objects += http_routes(ns, "app", [host], rules)
        if t % 10 == 0:
            requests.append(("GET", host, "/missing/path", {}))  # 404 on a known host
            requests.append(("GET", f"unknown{t}.example.org", "/svc0", {}))  # unknown host
    return objects, requests


def scope_of(method: str, host: str, path: str) -> Dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", host.encode()), (b"user-agent", b"bench"), (b"accept", b"*/*")],
        "server": ("127.0.0.1", 80),
    }


CLOCK = time.thread_time_ns if hasattr(time, "thread_time_ns") else time.perf_counter_ns


def measure(fn: Callable[[], int], calls: int, rounds: int) -> float:
    """Median ns per call over `rounds` runs of `fn` (which makes `calls` calls).

    The clock is this thread's CPU time: on a shared machine, time spent waiting for a core
    while other processes run does not count (cache and frequency effects still do).
    """
    fn()  # warm up
    samples = []
    for _ in range(rounds):
        t0 = CLOCK()
        fn()
        samples.append((CLOCK() - t0) / calls)
    return statistics.median(samples)


def row(name: str, ns: float, base: float) -> str:
    ratio = f"{base / ns:6.1f}x" if base else "     -"
    return f"| {name:<46} | {ns:9.1f} | {1e9 / ns:13,.0f} | {ratio} |"


def main(argv: Sequence[str] = ()) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="fewer iterations (CI smoke)")
    args = p.parse_args(list(argv))
    reps = 1 if args.quick else 20

    from starlette.routing import Match, Route
    from starlette.responses import PlainTextResponse

    # --- GitHub set --------------------------------------------------------------------------
    templates = github_templates()
    t0 = time.perf_counter()
    gh = trieway.Router.from_json(github_config(templates))
    gh_compile = time.perf_counter() - t0
    paths = [re.sub(r"[{}]", "", t) for t in templates]
    host = "api.github.com"
    expected = {i for i in range(len(paths))}
    hits = 0
    for i, path in enumerate(paths):
        m = gh.route("GET", host, path)
        assert m is not None, path
        if m.path_match[1] in (templates[i], re.sub(r"\{[^}]+\}", "[^/]+", templates[i])):
            hits += 1

    async def endpoint(request: Any) -> PlainTextResponse:
        return PlainTextResponse("")

    star_routes = [Route(t, endpoint) for t in templates]
    scopes = [scope_of("GET", host, path) for path in paths]

    def starlette_match(scope: Dict[str, Any]) -> Any:
        for route in star_routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route
        return None

    star_hits = sum(1 for i, s in enumerate(scopes) if starlette_match(s) is star_routes[i])

    # The extension module itself: its stub is typed, while the package's __init__.py opens with
    # a file-wide `# type: ignore` that hides every name from mypy.
    from pymatchit.pymatchit import PyRouter

    mm: PyRouter[int] = PyRouter()
    for i, t in enumerate(templates):
        mm.insert(t, i)
    for i, path in enumerate(paths):
        found_mm = mm.at(path)
        assert found_mm is not None and found_mm[0] == i, path
    path_work = paths * reps
    mm_at = mm.at

    def pymatchit_gh() -> int:
        for path in path_work:
            mm_at(path)
        return len(path_work)
    work = [(host, path) for path in paths] * reps
    scope_work = scopes * reps
    route = gh.route
    route_asgi = gh.route_asgi

    def trieway_gh() -> int:
        for h, path in work:
            route("GET", h, path)
        return len(work)

    def trieway_gh_asgi() -> int:
        for s in scope_work:
            route_asgi(s)
        return len(scope_work)

    def trieway_gh_apply() -> int:
        for h, path in work:
            m = route("GET", h, path)
            if m is not None:
                m.apply(0)
        return len(work)

    def starlette_gh() -> int:
        for s in scope_work:
            starlette_match(s)
        return len(scope_work)

    # --- 10,000 rules ---------------------------------------------------------------------
    objects, requests = tenant_config(500, 20)
    t0 = time.perf_counter()
    big = trieway.Router.from_json(objects)
    big_compile = time.perf_counter() - t0
    rules = sum(len(o["spec"]["rules"]) for o in objects if o["kind"] == "HTTPRoute")
    found = sum(1 for m, h, path, hd in requests if big.route(m, h, path, hd or None) is not None)
    big_work = [(m, h, path, hd or None) for m, h, path, hd in requests] * max(1, reps // 10)
    big_route = big.route

    def trieway_big() -> int:
        for m, h, path, hd in big_work:
            big_route(m, h, path, hd)
        return len(big_work)

    n_gh, n_big = len(work), len(big_work)
    results = {
        "gh_route": measure(trieway_gh, n_gh, args.rounds),
        "gh_asgi": measure(trieway_gh_asgi, n_gh, args.rounds),
        "gh_apply": measure(trieway_gh_apply, n_gh, args.rounds),
        "gh_starlette": measure(starlette_gh, n_gh, args.rounds),
        "gh_pymatchit": measure(pymatchit_gh, n_gh, args.rounds),
        "big_route": measure(trieway_big, n_big, args.rounds),
    }
    star = results["gh_starlette"]
    print(f"trieway {trieway.__version__}, Python {platform.python_version()} ({sys.platform}), "
          f"median of {args.rounds} rounds, clock {CLOCK.__name__}")
    print(f"GitHub set: {len(templates)} templates ({sum('{' in t for t in templates)} regex), "
          f"compiled in {gh_compile * 1e3:.1f} ms; {len(paths)} requests; "
          f"trieway picked the request's own template for {hits}, Starlette for {star_hits}")
    print(f"Multi-tenant set: {rules} rules on 500 hostnames, compiled in {big_compile * 1e3:.0f} ms; "
          f"{len(requests)} requests ({found} hits)")
    print()
    print(f"| {'lookup':<46} | {'ns/call':>9} | {'calls/s':>13} | vs Starlette |")
    print(f"|{'-' * 48}|{'-' * 11}|{'-' * 15}|--------------|")
    print(row("GitHub: starlette Router (route.matches loop)", star, star))
    print(row("GitHub: trieway route(method, host, path)", results["gh_route"], star))
    print(row("GitHub: trieway route_asgi(scope)", results["gh_asgi"], star))
    print(row("GitHub: trieway route() + apply()", results["gh_apply"], star))
    print(row("GitHub: pymatchit at(path) (path only)", results["gh_pymatchit"], star))
    print(row("10,000 rules: trieway route(...)", results["big_route"], 0))
    print()
    pm = results["gh_pymatchit"]
    print(f"ratio trieway route() / pymatchit at() on GitHub: {results['gh_route'] / pm:.2f} "
          f"(route_asgi(): {results['gh_asgi'] / pm:.2f})")
    if not args.quick:
        assert results["gh_route"] < star, "trieway must beat Starlette on the GitHub set"


if __name__ == "__main__":
    main(sys.argv[1:])
