"""A Router is shared between threads: concurrent lookups give the same answers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional, Tuple

import trieway
from conftest import CONFIG

REQUESTS: List[Tuple[str, str, str, Optional[dict[str, str]]]] = [
    ("GET", "store.example.com", "/", None),
    ("GET", "store.example.com", "/healthz", None),
    ("GET", "store.example.com", "/api/x", {"x-api-version": "v2"}),
    ("GET", "store.example.com", "/api/x", None),
    ("POST", "store.example.com", "/cart/checkout", None),
    ("GET", "store.example.com", "/posts/7", None),
    ("GET", "nowhere.example.com", "/", None),
]


def answer(router: trieway.Router, i: int) -> Tuple[Optional[str], Optional[str], str]:
    method, host, path, headers = REQUESTS[i % len(REQUESTS)]
    m = router.route(method, host, path, headers)
    if m is None:
        return None, None, ""
    a = m.apply((i * 0x9E3779B97F4A7C15 % (1 << 64)) / 2.0**64)
    return m.rule_name, a.backend.name if a.backend else None, a.path_and_query


def test_concurrent_lookups_match_sequential_ones() -> None:
    router = trieway.Router.from_yaml(CONFIG)
    n = 20_000
    expected = [answer(router, i) for i in range(n)]
    start = threading.Barrier(4)

    def work(offset: int) -> List[Tuple[Optional[str], Optional[str], str]]:
        start.wait()
        return [answer(router, i) for i in range(offset, n, 4)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(4)))
    for offset, got in enumerate(results):
        assert got == expected[offset::4]


def test_matches_outlive_their_router_reference() -> None:
    router: Optional[trieway.Router] = trieway.Router.from_yaml(CONFIG)
    assert router is not None
    m = router.route("GET", "store.example.com", "/healthz")
    del router  # the Match keeps the Router alive
    assert isinstance(m, trieway.Match) and m.rule_name == "health"
    assert m.apply(0).backend is not None


def test_routers_are_built_concurrently() -> None:
    # Loading releases the GIL; several threads may build Routers at once.
    with ThreadPoolExecutor(max_workers=3) as pool:
        routers = list(pool.map(lambda _: trieway.Router.from_yaml(CONFIG), range(6)))
    assert {r.gateway for r in routers} == {"default/gw"}
