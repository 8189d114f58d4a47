"""Typed shapes of the dicts returned by ``Router.report()``, ``Router.problems()`` and
``trieway.check()`` (the same keys as ``trieway check --output json``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

__all__ = [
    "Condition",
    "RouteParentStatus",
    "RouteStatus",
    "ListenerStatus",
    "GatewayClassStatus",
    "GatewayStatus",
    "ListenerSetStatus",
    "Report",
    "Problems",
    "CheckResult",
    "RuleStats",
    "ListenerStats",
    "Stats",
    "ObjectRef",
    "Rejected",
    "ApplyResult",
    "Explanation",
    "Reload",
]


# ``type`` is a key, so these use the functional syntax where needed.
Condition = TypedDict(
    "Condition",
    {"type": str, "status": str, "reason": str, "message": str},
)
Condition.__doc__ = """A Kubernetes-style condition: ``type`` (``Accepted``, ``ResolvedRefs``,
``PartiallyInvalid``, ``Programmed``, ``Conflicted``), ``status`` (``True``/``False``/``Unknown``),
``reason`` and ``message``."""


class RouteParentStatus(TypedDict):
    """Status of one route parentRef."""

    parent_kind: str
    parent: str
    section_name: Optional[str]
    port: Optional[int]
    conditions: List[Condition]


class RouteStatus(TypedDict):
    """Status of one route."""

    kind: str
    namespace: str
    name: str
    parents: List[RouteParentStatus]


class _ListenerStatusBase(TypedDict):
    gateway: str
    name: str
    attached_routes: int
    supported_kinds: List[str]
    conditions: List[Condition]


class ListenerStatus(_ListenerStatusBase, total=False):
    """Status of one listener of a served Gateway (``listener_set`` is present for a
    ListenerSet's listener: its ``namespace/name``)."""

    listener_set: str


class GatewayClassStatus(TypedDict):
    """Status of one GatewayClass: ``Accepted``, ``SupportedVersion``."""

    name: str
    conditions: List[Condition]


class GatewayStatus(TypedDict):
    """Status of one served Gateway: ``Accepted``, ``Programmed``."""

    namespace: str
    name: str
    conditions: List[Condition]


class ListenerSetStatus(TypedDict):
    """Status of one ListenerSet whose parent is a served Gateway (``gateway``, as
    ``namespace/name``): ``Accepted`` (``NotAllowed`` when the Gateway refuses it),
    ``Programmed``."""

    namespace: str
    name: str
    gateway: str
    conditions: List[Condition]


class PolicyStatus(TypedDict):
    """Status of one BackendTLSPolicy or XBackendTrafficPolicy for one ancestor Gateway
    (``gateway``, as ``namespace/name``): ``Accepted`` (``Conflicted``,
    ``NoValidCACertificate``, ...) and, for BackendTLSPolicy, ``ResolvedRefs``."""

    namespace: str
    name: str
    gateway: str
    conditions: List[Condition]


class Report(TypedDict):
    """``Router.report()``: the status a controller would write."""

    routes: List[RouteStatus]
    listeners: List[ListenerStatus]
    warnings: List[str]
    """Notes that are no object's condition, e.g. a Gateway served although its GatewayClass
    is not in the configuration."""
    gateway_classes: List[GatewayClassStatus]
    gateways: List[GatewayStatus]
    listener_sets: List[ListenerSetStatus]
    backend_tls_policies: List[PolicyStatus]
    backend_traffic_policies: List[PolicyStatus]


class Problems(TypedDict):
    """``Router.problems()``: messages of dropped objects and of warnings."""

    errors: List[str]
    warnings: List[str]


class CheckResult(TypedDict):
    """``trieway.check()``: the ``trieway check --output json`` report (without ``ok`` and
    ``failures``)."""

    errors: List[str]
    warnings: List[str]
    gateway_classes: List[GatewayClassStatus]
    gateways: List[GatewayStatus]
    listener_sets: List[ListenerSetStatus]
    routes: List[RouteStatus]
    listeners: List[ListenerStatus]


class RuleStats(TypedDict):
    """The requests one rule won (``Router.stats()``); ``rule_name`` is ``None`` when unset."""

    kind: str
    namespace: str
    name: str
    rule_index: int
    rule_name: Optional[str]
    matches: int


class ListenerStats(TypedDict):
    """The 404 and 421 answers of one listener; ``port`` and ``listener`` are ``None`` for
    requests no listener took."""

    port: Optional[int]
    listener: Optional[str]
    not_found: int
    misdirected: int


class Stats(TypedDict):
    """``Router.stats()``: the counters of a Router built with ``counters=True``."""

    gateway: str
    rules: List[RuleStats]
    listeners: List[ListenerStats]


class ObjectRef(TypedDict):
    """An object of a change set (``namespace`` is empty for cluster-scoped kinds)."""

    kind: str
    namespace: str
    name: str


class Rejected(TypedDict):
    """An upsert refused by ``Live.apply``, with every error (object, origin, field path)."""

    object: ObjectRef
    errors: List[str]


class ApplyResult(TypedDict):
    """What ``Live.apply`` did: the version serving after it, whether a new Router was
    published, the changes applied, the upserts of unchanged objects, the rejected upserts,
    warnings, and why the build failed (``None`` when it did not: then nothing applied);
    whether the published Router was built incrementally from the previous one (a change set
    of HTTPRoutes, GRPCRoutes, Services, ReferenceGrants to Services and Namespaces) and, for a
    full build, why (``full_build``)."""

    version: int
    published: bool
    applied: List[ObjectRef]
    unchanged: List[ObjectRef]
    rejected: List[Rejected]
    warnings: List[str]
    failed: Optional[str]
    incremental: bool
    full_build: Optional[str]


class Reload(TypedDict):
    """One reload of ``Live.watch``: the files read (or found deleted), the files that could
    not be read, and what applying them did."""

    files: List[str]
    unreadable: List[str]
    result: ApplyResult


Explanation = Dict[str, Any]
"""``Router.explain()``: the JSON of ``trieway explain -o json`` (``gateway``, ``listener``,
``hostnames``, ``candidates``, ``not_attached``, ``notes``, ``outcome``)."""
