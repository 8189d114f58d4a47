"""Shared configuration for the tests: one Gateway with an HTTP and two HTTPS listeners."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

import trieway

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CONFIG = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: test}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: default}
type: kubernetes.io/tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: test
  listeners:
    - {name: http, port: 80, protocol: HTTP}
    - name: https-a
      port: 443
      protocol: HTTPS
      hostname: a.example.com
      tls: {certificateRefs: [{name: tls}]}
    - name: https-b
      port: 443
      protocol: HTTPS
      hostname: b.example.com
      tls: {certificateRefs: [{name: tls}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec: {ports: [{name: http, port: 9090, appProtocol: kubernetes.io/h2c}]}
---
apiVersion: v1
kind: Service
metadata: {name: canary, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [store.example.com]
  rules:
    - name: split
      backendRefs:
        - {name: web, port: 8080, weight: 3}
        - {name: canary, port: 8080, weight: 1}
    - name: health
      matches: [{path: {type: Exact, value: /healthz}}]
      backendRefs: [{name: web, port: 8080}]
    - name: api
      matches: [{path: {type: PathPrefix, value: /api}}]
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set: [{name: x-tenant, value: store}]
            add: [{name: x-forwarded-by, value: trieway}]
            remove: [x-debug]
        - type: ResponseHeaderModifier
          responseHeaderModifier:
            set: [{name: x-served-by, value: api}]
        - type: URLRewrite
          urlRewrite:
            hostname: api.internal
            path: {type: ReplacePrefixMatch, replacePrefixMatch: /v1}
      backendRefs: [{name: api, port: 9090}]
      timeouts: {request: 10s, backendRequest: 2s}
    - name: api-v2
      matches:
        - path: {type: PathPrefix, value: /api}
          headers: [{name: X-Api-Version, value: v2}]
      backendRefs: [{name: canary, port: 8080}]
    - name: checkout
      matches: [{path: {type: Exact, value: /cart/checkout}, method: POST}]
      backendRefs: [{name: api, port: 9090}]
    - name: preview
      matches:
        - path: {type: PathPrefix, value: /}
          queryParams: [{name: preview, value: "true"}]
      backendRefs: [{name: canary, port: 8080}]
    - name: posts
      matches: [{path: {type: RegularExpression, value: "/posts/[0-9]+"}}]
      backendRefs: [{name: web, port: 8080}]
    - name: old
      matches: [{path: {type: PathPrefix, value: /old}}]
      filters:
        - type: RequestRedirect
          requestRedirect:
            path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
            statusCode: 301
    - name: broken
      matches: [{path: {type: PathPrefix, value: /broken}}]
      backendRefs: [{name: missing, port: 80}]
    - name: binary
      matches:
        - path: {type: Exact, value: /binary}
          headers: [{name: x-bin, type: RegularExpression, value: "^a.*z$"}]
      backendRefs: [{name: api, port: 9090}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: secure, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: https-a}, {name: gw, sectionName: https-b}]
  rules:
    - backendRefs: [{name: web, port: 8080}]
"""


@pytest.fixture(scope="session")
def router() -> trieway.Router:
    """The Router of CONFIG."""
    return trieway.Router.from_yaml(CONFIG)


def config_objects() -> List[Dict[str, Any]]:
    """A small configuration as Python objects (for ``Router.from_json``)."""
    gw = "gateway.networking.k8s.io/v1"
    return [
        {
            "apiVersion": gw,
            "kind": "GatewayClass",
            "metadata": {"name": "test"},
            "spec": {"controllerName": "example.com/gateway-under-test"},
        },
        {
            "apiVersion": gw,
            "kind": "Gateway",
            "metadata": {"name": "gw", "namespace": "default"},
            "spec": {
                "gatewayClassName": "test",
                "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"ports": [{"port": 8080}]},
        },
        {
            "apiVersion": gw,
            "kind": "HTTPRoute",
            "metadata": {"name": "store", "namespace": "default"},
            "spec": {
                "parentRefs": [{"name": "gw"}],
                "hostnames": ["store.example.com"],
                "rules": [
                    {
                        "name": "health",
                        "matches": [{"path": {"type": "Exact", "value": "/healthz"}}],
                        "backendRefs": [{"name": "web", "port": 8080}],
                    }
                ],
            },
        },
    ]


@pytest.fixture
def typed_router(router: trieway.Router) -> trieway.Router:
    """The same Router (tests that call it wrongly on purpose bind it to an ``Any``)."""
    return router
