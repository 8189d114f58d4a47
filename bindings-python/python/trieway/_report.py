"""Typed shapes of the dicts returned by ``Router.report()``, ``Router.problems()`` and
``trieway.check()`` (the same keys as ``trieway check --output json``)."""

from __future__ import annotations

from typing import List, Optional, TypedDict

__all__ = [
    "Condition",
    "RouteParentStatus",
    "RouteStatus",
    "ListenerStatus",
    "Report",
    "Problems",
    "CheckResult",
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


class ListenerStatus(TypedDict):
    """Status of one listener of a served Gateway."""

    gateway: str
    name: str
    attached_routes: int
    supported_kinds: List[str]
    conditions: List[Condition]


class Report(TypedDict):
    """``Router.report()``: conditions of every route parentRef and listener."""

    routes: List[RouteStatus]
    listeners: List[ListenerStatus]
    warnings: List[str]
    """Notes that are no object's condition, e.g. a Gateway served although its GatewayClass
    is not in the configuration."""


class Problems(TypedDict):
    """``Router.problems()``: messages of dropped objects and of warnings."""

    errors: List[str]
    warnings: List[str]


class CheckResult(TypedDict):
    """``trieway.check()``: the ``trieway check --output json`` document."""

    errors: List[str]
    warnings: List[str]
    routes: List[RouteStatus]
    listeners: List[ListenerStatus]
