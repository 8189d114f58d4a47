"""trieway: an embeddable routing engine for the Kubernetes Gateway API.

Load Gateway API objects (Gateways, HTTPRoutes, GRPCRoutes, Services, ReferenceGrants, ...)
once, then answer "which rule, which backend, which filters?" for each request::

    import trieway

    router = trieway.Router.from_path("gateway.yaml")
    m = router.route("GET", "store.example.com", "/api/orders?page=2",
                     headers={"x-api-version": "v2"}, port=443)
    if m is None:
        ...                                     # 404: no route matches
    elif not m:
        ...                                     # trieway.MISDIRECTED: 421 (SNI != Host)
    else:
        action = m.apply()                      # filters + weighted backend draw
        action.kind                             # "forward" | "redirect" | "respond"
        action.backend, action.authority, action.path_and_query, action.request_headers

Results:

- ``Router.route()`` / ``Router.route_asgi()`` return a :class:`Match`, ``None`` (404), or the
  falsy marker :data:`MISDIRECTED` (421, possible only when an ``sni`` is given).
- :meth:`Match.apply` returns an :class:`Action`: the upstream host and path, header edits,
  the redirect ``Location``, the response header edits, mirrors and policies.
- Configuration errors raise :class:`ConfigError` (a ``ValueError``) with the Rust library's
  message and ``.problems``, a list with one message per problem.

Threads and the GIL: a :class:`Router` is immutable and safe to share between threads.
``route()`` keeps the GIL: a lookup takes tens of nanoseconds, less than releasing and
re-acquiring the GIL would cost. Loading and compiling (``from_yaml``, ``from_json``,
``from_path``, ``from_ingress``, ``check``) release the GIL; inside an event loop, await
``Router.from_yaml_async`` / ``from_json_async`` / ``from_path_async`` (the same compile in a
worker thread), so the loop keeps serving while a large configuration compiles.

Observing: ``router.explain(...)`` says why a request goes where it goes (plain data);
``counters=True`` enables ``router.stats()`` and ``router.prometheus_text()``
(:mod:`trieway.metrics` has a ``prometheus_client`` collector); ``match.http_route`` and
``match.attributes`` are the OpenTelemetry span attributes. :class:`Live` holds the current
Router of a changing configuration: ``live.apply(changes)`` / ``await live.apply_async(...)``.
"""

from __future__ import annotations

from ._report import (
    ApplyResult,
    CheckResult,
    Explanation,
    ListenerStats,
    ObjectRef,
    Rejected,
    Reload,
    RuleStats,
    Stats,
    Condition,
    GatewayClassStatus,
    GatewayStatus,
    ListenerSetStatus,
    ListenerStatus,
    PolicyStatus,
    Problems,
    Report,
    RouteParentStatus,
    RouteStatus,
)
from ._trieway import (
    MISDIRECTED,
    TERMINATE,
    Action,
    Backend,
    Certificate,
    ConfigError,
    InternalError,
    L4Match,
    ListenerCertificates,
    Live,
    Match,
    Misdirected,
    Policies,
    Retry,
    Router,
    SessionPolicy,
    Terminate,
    Timeouts,
    Watcher,
    __version__,
    check,
)

__all__ = [
    "Action",
    "ApplyResult",
    "Explanation",
    "ListenerStats",
    "Live",
    "ObjectRef",
    "Rejected",
    "Reload",
    "RuleStats",
    "Stats",
    "Backend",
    "Certificate",
    "CheckResult",
    "Condition",
    "ConfigError",
    "GatewayClassStatus",
    "GatewayStatus",
    "InternalError",
    "L4Match",
    "ListenerCertificates",
    "ListenerSetStatus",
    "PolicyStatus",
    "ListenerStatus",
    "MISDIRECTED",
    "Match",
    "Misdirected",
    "Policies",
    "Problems",
    "Report",
    "Retry",
    "RouteParentStatus",
    "RouteStatus",
    "Router",
    "SessionPolicy",
    "TERMINATE",
    "Terminate",
    "Timeouts",
    "Watcher",
    "__version__",
    "check",
]
