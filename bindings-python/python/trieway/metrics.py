"""Prometheus integration: :class:`TriewayCollector` exposes a Router's (or a Live's)
lookup counters through ``prometheus_client`` (an optional dependency: this module imports
without it, the collector needs it when it collects).

Build the Router with ``counters=True``; then::

    from prometheus_client import REGISTRY
    from trieway.metrics import TriewayCollector

    REGISTRY.register(TriewayCollector(router))

The families and labels are those of ``router.prometheus_text()`` (the Rust core's
``trieway::metrics::prometheus_text``): ``trieway_rule_matches_total{gateway, kind,
namespace, route, rule}`` (``rule``: the rule's name, or its index) and
``trieway_listener_misses_total{gateway, port, listener, status}`` (``status`` ``404`` or
``421``). Without ``prometheus_client``, serve ``router.prometheus_text()`` yourself.
"""

from __future__ import annotations

from typing import Any, Iterator, Union

from ._trieway import Live, Router

__all__ = ["TriewayCollector"]


class TriewayCollector:
    """A ``prometheus_client`` collector of the counters of ``source``: a :class:`Router`,
    or a :class:`Live`, read at its current version when scraped (each published version
    counts from zero, which Prometheus treats as a counter reset). A Router built without
    ``counters=True`` yields the families without samples."""

    def __init__(self, source: Union[Router, Live]) -> None:
        self._source = source

    def collect(self) -> Iterator[Any]:
        """The two counter families (called by the registry on each scrape)."""
        from prometheus_client.core import CounterMetricFamily

        source = self._source
        router = source.router if isinstance(source, Live) else source
        stats = router.stats()
        rules = CounterMetricFamily(
            "trieway_rule_matches",
            "Requests routed to a route rule.",
            labels=["gateway", "kind", "namespace", "route", "rule"],
        )
        misses = CounterMetricFamily(
            "trieway_listener_misses",
            "Requests answered 404 (no rule matches) or 421 (misdirected), per listener.",
            labels=["gateway", "port", "listener", "status"],
        )
        if stats is not None:
            gw = stats["gateway"]
            for r in stats["rules"]:
                rule = r["rule_name"] if r["rule_name"] is not None else str(r["rule_index"])
                rules.add_metric([gw, str(r["kind"]), r["namespace"], r["name"], rule], r["matches"])
            for row in stats["listeners"]:
                port = "" if row["port"] is None else str(row["port"])
                listener = row["listener"] or ""
                misses.add_metric([gw, port, listener, "404"], row["not_found"])
                misses.add_metric([gw, port, listener, "421"], row["misdirected"])
        yield rules
        yield misses

    def describe(self) -> Iterator[Any]:
        """No families at registration time (the rules change with the configuration)."""
        return iter(())
