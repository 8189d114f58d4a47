"""The Python binding against the Rust engine on every conformance case.

For each case file of ``spec-tests/cases/`` and ``spec-tests/own-cases/``, ``trieway eval``
(the Rust CLI) prints one decision per request; this test routes the same requests through
``trieway.Router`` built from the case's ``resources`` (one Router per case and Gateway,
``strict=False`` so invalid objects are dropped as eval drops them), applies the match with
the same random value (0), and requires the same answer: whether the Gateway is served,
status, backend, route, rule (index and name), listener, hostname, redirect ``Location``,
upstream scheme/host/path/header lines, response header lines and mirrors.

The request is built exactly as ``cli/src/eval.rs`` builds it: Host ``192.0.2.10`` (with
``:port`` when the listener port is not the scheme's default) when the case names none,
method ``GET`` and path ``/`` by default, scheme ``http`` by default, ``port`` =
``listener_port``, ``sni`` only when the case gives one, and the header lines in eval's order
(sorted by name: ``serde_json`` maps are sorted).

Not compared (counted, see ``test_enough_requests_compared``):

- requests eval skips (``"skipped"``: frontend client-certificate validation in a CLI built
  without ``tls-check``), and those whose client-certificate handshake eval simulates
  (``"handshake"``: eval fills the case's CA ConfigMaps with certificates it generates);
- requests after a mutation (``phase`` > 0 in a case with ``mutations``): the Router is
  built from the case's initial ``resources`` only;
- ``grpc``, ``tls``, ``tcp`` and ``udp`` requests: eval routes them with ``route_grpc``,
  ``route_tls``, ``route_tcp`` and ``route_udp``, which the Python API does not expose;
- HTTPS requests that eval forwards through a TLS listener (decisions with a ``tls`` key,
  from ``route_tls``), for the same reason.

The eval binary is ``$TRIEWAY_BIN``, else the newest of ``target/{debug,release}/trieway``
(under ``$CARGO_TARGET_DIR`` when set), else it is built with ``cargo build -q -p
trieway-cli``.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import trieway

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec-tests"
CASE_FILES = sorted(
    p
    for folder in (SPEC / "cases", SPEC / "own-cases")
    for p in folder.glob("*.json")
    if p.name != "INDEX.json"
)

#: The controller the spec cases are written for (``trieway eval`` serves it too).
CONFORMANCE_CONTROLLER = "example.com/gateway-under-test"

#: Protocols routed by ``Router.route`` in eval (``None``: plain HTTP/1.1).
PLAIN_HTTP = {None, "h2", "h2c-prior-knowledge", "websocket"}
#: The Host eval sends when a case names none (the suite sends to the Gateway's address).
GATEWAY_ADDRESS = "192.0.2.10"
#: The random value eval passes to ``apply``.
RANDOM = 0
#: The whole run must compare at least this many requests (it cannot pass vacuously).
MIN_COMPARED = 300

def case_id(path: Path) -> str:
    """``cases/name`` or ``own-cases/name``."""
    return f"{path.parent.name}/{path.stem}"


@functools.lru_cache(maxsize=None)
def trieway_bin() -> str:
    """Path of the ``trieway`` CLI, built with cargo if no binary exists."""
    env = os.environ.get("TRIEWAY_BIN")
    if env:
        return env
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    if not target.is_absolute():
        target = REPO / target
    exe = "trieway.exe" if os.name == "nt" else "trieway"
    found = [p for p in (target / "debug" / exe, target / "release" / exe) if p.is_file()]
    if not found:
        subprocess.run(["cargo", "build", "-q", "-p", "trieway-cli"], cwd=REPO, check=True)
        found = [target / "debug" / exe]
    return str(max(found, key=lambda p: p.stat().st_mtime))


def text(obj: Dict[str, Any], key: str, default: str) -> str:
    """``obj[key]`` if it is a string (eval's ``as_str().unwrap_or``), else ``default``."""
    value = obj.get(key)
    return value if isinstance(value, str) else default


def header_lines(value: Any) -> List[Tuple[str, str]]:
    """A case's header object as lines in eval's order (sorted names; non-strings as JSON)."""
    if not isinstance(value, dict):
        return []
    return [
        (k, v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
        for k, v in sorted(value.items())
    ]


def pairs(lines: Any) -> List[List[str]]:
    """Header lines as ``[name, value]`` lists, as eval prints them."""
    return [[str(n), str(v)] for n, v in lines]


def edited(lines: List[Tuple[str, str]], result: List[Any]) -> List[List[str]]:
    """The result of ``edit_request_headers(lines)`` (or ``edit_response_headers``) as
    ``[name, value]`` lists. An empty input comes back as ``bytes`` lines (documented), so
    those are decoded; a non-empty ``str`` input must come back as ``str``."""
    if not lines:
        result = [(n.decode(), v.decode()) for n, v in result]
    assert all(isinstance(n, str) and isinstance(v, str) for n, v in result), result
    return pairs(result)


def project(d: Dict[str, Any]) -> Dict[str, Any]:
    """The compared part of an eval decision."""
    note = d.get("note")
    redirect = d.get("redirect") or {}
    upstream = d.get("upstream")
    return {
        "served": not (isinstance(note, str) and note.endswith("is not served")),
        "status": d.get("status"),
        "backend": d.get("backend"),
        "route": d.get("route"),
        "rule": d.get("rule"),
        "rule_name": d.get("rule_name"),
        "listener": d.get("listener"),
        "hostname": d.get("hostname"),
        "location": redirect.get("location"),
        "upstream": None
        if upstream is None
        else {
            "scheme": upstream["scheme"],
            "host": upstream["host"],
            "path": upstream["path"],
            "headers": pairs(upstream["headers"]),
        },
        "response_headers": pairs(d.get("response_headers", [])),
        "mirrors": [[m["backend"], m["percent"]] for m in d.get("mirrors", [])],
    }


def refusal(status: int, served: bool = True) -> Dict[str, Any]:
    return {
        "served": served,
        "status": status,
        "backend": None,
        "route": None,
        "rule": None,
        "rule_name": None,
        "listener": None,
        "hostname": None,
        "location": None,
        "upstream": None,
        "response_headers": [],
        "mirrors": [],
    }


def route_python(router: Optional[trieway.Router], req: Dict[str, Any]) -> Dict[str, Any]:
    """The same projection for the request ``req`` (a case request) routed by ``router``."""
    if router is None:
        return refusal(404, served=False)
    r = req.get("request") or {}
    port = req.get("listener_port")
    if not isinstance(port, int) or not 0 <= port < 65536:
        port = None
    scheme = text(r, "scheme", "http")
    default_port = 443 if scheme == "https" else 80
    fallback = GATEWAY_ADDRESS if port in (None, default_port) else f"{GATEWAY_ADDRESS}:{port}"
    headers = header_lines(r.get("headers"))
    response = header_lines(req.get("backend_response_headers"))
    sni = r.get("sni") if isinstance(r.get("sni"), str) else None
    result = router.route(
        text(r, "method", "GET"),
        text(r, "host", fallback),
        text(r, "path", "/"),
        headers=headers,
        port=port,
        sni=sni,
        scheme=scheme,
    )
    if result is None:
        return refusal(404)
    if isinstance(result, trieway.Misdirected):
        return refusal(result.status)
    action = result.apply(random=RANDOM)
    backend = action.backend
    forward = action.kind == "forward"
    return {
        "served": True,
        "status": action.status,
        "backend": f"{backend.namespace}/{backend.name}" if forward and backend else None,
        "route": f"{result.route_kind}/{result.route}",
        "rule": result.rule,
        "rule_name": result.rule_name,
        "listener": result.listener,
        "hostname": result.hostname,
        "location": action.location,
        "upstream": {
            "scheme": action.scheme,
            "host": action.authority,
            "path": action.path_and_query,
            "headers": edited(headers, action.edit_request_headers(headers)),
        }
        if forward
        else None,
        "response_headers": edited(response, action.edit_response_headers(response)),
        "mirrors": [[f"{b.namespace}/{b.name}", p] for b, p in action.mirrors],
    }


@dataclass
class CaseResult:
    """The comparison of one case file."""

    compared: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    #: ``(request name, eval projection, Python projection)`` of every compared request.
    rows: List[Tuple[str, Dict[str, Any], Dict[str, Any]]] = field(default_factory=list)


def exclusion(case: Dict[str, Any], req: Dict[str, Any], decision: Dict[str, Any]) -> Optional[str]:
    """Why a request is not compared, or ``None``."""
    if "skipped" in decision:
        return "skipped by eval"
    if "handshake" in decision:
        return "client-certificate handshake simulated by eval (generated certificates)"
    if case.get("mutations") and (req.get("phase") or 0) > 0:
        return "after a mutation (phase > 0)"
    protocol = (req.get("request") or {}).get("protocol")
    if protocol not in PLAIN_HTTP:
        return f"protocol {protocol} (not in the Python API)"
    if "tls" in decision:
        return "forwarded through a TLS listener (route_tls)"
    return None


@functools.lru_cache(maxsize=None)
def compare_case(path: Path) -> CaseResult:
    """Runs eval on ``path`` and routes the same requests through the binding."""
    case: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    proc = subprocess.run(
        [trieway_bin(), "eval", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert proc.returncode == 0, f"trieway eval {path} failed: {proc.stderr}"
    decisions = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    requests: List[Dict[str, Any]] = case.get("requests") or []
    assert [d.get("name") for d in decisions] == [r.get("name") for r in requests]

    result = CaseResult()
    routers: Dict[str, Optional[trieway.Router]] = {}
    resources = case.get("resources") or []
    for req, decision in zip(requests, decisions):
        why = exclusion(case, req, decision)
        if why is not None:
            result.excluded[why] += 1
            continue
        gateway: str = req.get("gateway") or ""
        if gateway not in routers:
            try:
                routers[gateway] = trieway.Router.from_json(
                    resources, gateway, strict=False, controller_name=CONFORMANCE_CONTROLLER
                )
            except trieway.ConfigError:
                routers[gateway] = None
        result.compared += 1
        result.rows.append((req["name"], project(decision), route_python(routers[gateway], req)))
    return result


def differences(want: Dict[str, Any], got: Dict[str, Any]) -> List[str]:
    return [f"{k}: eval {want[k]!r}, python {got.get(k)!r}" for k in want if want[k] != got.get(k)]


@pytest.mark.parametrize("path", CASE_FILES, ids=case_id)
def test_case(path: Path) -> None:
    result = compare_case(path)
    failures = [
        f"{name} | {diff}"
        for name, want, got in result.rows
        for diff in differences(want, got)
    ]
    assert not failures, f"{case_id(path)}: Python disagrees with trieway eval:\n" + "\n".join(
        failures
    )


def test_enough_requests_compared() -> None:
    assert len(CASE_FILES) >= 80, CASE_FILES
    results = [compare_case(p) for p in CASE_FILES]
    compared = sum(r.compared for r in results)
    excluded: Counter[str] = sum((r.excluded for r in results), Counter())
    total = sum(len(json.loads(p.read_text(encoding="utf-8"))["requests"]) for p in CASE_FILES)
    assert compared + sum(excluded.values()) == total
    assert compared >= MIN_COMPARED, (compared, dict(excluded))
