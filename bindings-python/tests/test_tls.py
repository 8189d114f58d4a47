"""Policy and certificate data in the Python binding: a backend's BackendTLSPolicy and
XBackendTrafficPolicy data, listener certificates by SNI, and the frontend client-certificate
decision."""

from __future__ import annotations

import json

import trieway

# A structurally valid PEM certificate and key (one empty DER SEQUENCE each): the binding is
# built without the X.509 checks of the `tls-check` feature, which would refuse them.
CERT = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n"

YAML = f"""
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {{name: c}}
spec: {{controllerName: example.com/gw}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: app}}
spec:
  gatewayClassName: c
  tls:
    frontend:
      default:
        validation: {{caCertificateRefs: [{{group: "", kind: ConfigMap, name: ca}}]}}
      perPort:
      - port: 8443
        tls:
          validation:
            mode: AllowInsecureFallback
            caCertificateRefs: [{{group: "", kind: ConfigMap, name: ca}}]
  listeners:
  - {{name: http, port: 80, protocol: HTTP}}
  - {{name: any, port: 443, protocol: HTTPS, tls: {{certificateRefs: [{{name: s}}]}}}}
  - {{name: wild, port: 443, protocol: HTTPS, hostname: "*.example.com", tls: {{certificateRefs: [{{name: s}}]}}}}
  - {{name: www, port: 443, protocol: HTTPS, hostname: www.example.com, tls: {{certificateRefs: [{{name: s}}]}}}}
  - {{name: fallback, port: 8443, protocol: HTTPS, tls: {{certificateRefs: [{{name: s}}]}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: s, namespace: app}}
type: kubernetes.io/tls
stringData: {{tls.crt: {json.dumps(CERT)}, tls.key: {json.dumps(KEY)}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: ca, namespace: app}}
data: {{ca.crt: {json.dumps(CERT)}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: r, namespace: app}}
spec:
  parentRefs: [{{name: gw, sectionName: http}}]
  rules:
  - backendRefs: [{{name: api, port: 443}}]
---
apiVersion: v1
kind: Service
metadata: {{name: api, namespace: app}}
spec: {{ports: [{{port: 443}}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {{name: api-tls, namespace: app}}
spec:
  targetRefs: [{{group: "", kind: Service, name: api}}]
  validation:
    hostname: api.example.com
    wellKnownCACertificates: System
    subjectAltNames: [{{type: URI, uri: "spiffe://example.com/api"}}]
---
apiVersion: gateway.networking.x-k8s.io/v1alpha1
kind: XBackendTrafficPolicy
metadata: {{name: api-traffic, namespace: app}}
spec:
  targetRefs: [{{group: "", kind: Service, name: api}}]
  retryConstraint:
    budget: {{percent: 35, interval: 1m}}
    minRetryRate: {{count: 3, interval: 500ms}}
  sessionPersistence: {{type: Header, header: {{name: x-session}}}}
"""


def router() -> trieway.Router:
    return trieway.Router.from_yaml(YAML)


def test_backend_policy_data() -> None:
    m = router().route("GET", "x", "/", port=80)
    assert isinstance(m, trieway.Match)
    (b,) = m.backends
    assert b.tls_policy == "app/api-tls"
    assert b.tls_hostname == "api.example.com"
    assert b.tls_system_roots and b.tls_ca_bundle is None
    assert b.tls_subject_alt_names == [("URI", "spiffe://example.com/api")]
    assert b.traffic_policy == "app/api-traffic"
    assert b.retry_budget == (35, 60.0)
    assert b.min_retry_rate == (3, 0.5)
    assert b.session_persistence == {"type": "Header", "header": {"name": "x-session"}}


def test_certificate_for_follows_sni_order() -> None:
    r = router()

    def pick(port: int, sni: str | None) -> str | None:
        found = r.certificate_for(port, sni)
        return None if found is None else found.listener

    assert pick(443, "www.example.com") == "www"
    assert pick(443, "API.example.com") == "wild"
    assert pick(443, "example.org") == "any"
    assert pick(443, None) == "any"
    assert pick(9443, "www.example.com") is None
    got = r.certificate_for(443, "www.example.com")
    assert got is not None and got.hostname == "www.example.com" and got.port == 443
    (c,) = got.certificates
    assert (c.secret, c.chain_pem, c.key_pem) == ("app/s", CERT, KEY)
    assert "MAMCAQA" not in repr(c) and "redacted" in repr(c)
    assert [l.listener for l in r.listener_certificates()] == ["www", "wild", "any", "fallback"]


def test_client_certificate_decision() -> None:
    r = router()
    v = r.frontend_validation(443)
    assert v is not None
    assert (v["mode"], v["ca_config_maps"], v["source"], v["usable"]) == (
        "AllowValidOnly",
        ["app/ca"],
        "spec.tls.frontend.default",
        True,
    )
    assert r.frontend_validation(80) is None
    assert r.client_certificate_decision(443, "valid") == "accept"
    assert r.client_certificate_decision(443, "invalid") == "reject"
    assert r.client_certificate_decision(443, "absent") == "reject"
    assert r.client_certificate_decision(8443, "absent") == "insecure_fallback"
    assert r.client_certificate_decision(8443, "valid") == "accept"
    assert r.client_certificate_decision(80, "absent") == "accept"
    try:
        r.client_certificate_decision(443, "maybe")  # type: ignore[arg-type]
    except ValueError as e:
        assert "absent" in str(e)
    else:
        raise AssertionError("ValueError expected")
