// Policy and certificate data in the Node binding: a backend's BackendTLSPolicy and
// XBackendTrafficPolicy data, listener certificates by SNI, and the frontend
// client-certificate decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Router } = require('../index.js');

// A structurally valid PEM certificate and key (one empty DER SEQUENCE each): the binding is
// built without the X.509 checks of the `tls-check` feature, which would refuse them.
const CERT = '-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n';

const YAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/gw}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: c
  tls:
    frontend:
      default:
        validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}]}
      perPort:
      - port: 8443
        tls:
          validation:
            mode: AllowInsecureFallback
            caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}]
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - {name: any, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: s}]}}
  - {name: wild, port: 443, protocol: HTTPS, hostname: "*.example.com", tls: {certificateRefs: [{name: s}]}}
  - {name: www, port: 443, protocol: HTTPS, hostname: www.example.com, tls: {certificateRefs: [{name: s}]}}
  - {name: fallback, port: 8443, protocol: HTTPS, tls: {certificateRefs: [{name: s}]}}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: app}
type: kubernetes.io/tls
stringData: {tls.crt: ${JSON.stringify(CERT)}, tls.key: ${JSON.stringify(KEY)}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ca, namespace: app}
data: {ca.crt: ${JSON.stringify(CERT)}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: app}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  rules:
  - backendRefs: [{name: api, port: 443}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: app}
spec: {ports: [{port: 443}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: api-tls, namespace: app}
spec:
  targetRefs: [{group: "", kind: Service, name: api}]
  validation:
    hostname: api.example.com
    wellKnownCACertificates: System
    subjectAltNames: [{type: URI, uri: "spiffe://example.com/api"}]
---
apiVersion: gateway.networking.x-k8s.io/v1alpha1
kind: XBackendTrafficPolicy
metadata: {name: api-traffic, namespace: app}
spec:
  targetRefs: [{group: "", kind: Service, name: api}]
  retryConstraint:
    budget: {percent: 35, interval: 1m}
    minRetryRate: {count: 3, interval: 500ms}
  sessionPersistence: {type: Header, header: {name: x-session}}
`;

const router = Router.fromYaml(YAML);

test('backends carry their BackendTLSPolicy and XBackendTrafficPolicy data', () => {
  const m = router.route({ method: 'GET', host: 'x', path: '/', port: 80 });
  assert.equal(m.kind, 'matched');
  const [b] = m.backends;
  assert.deepEqual(b.tls, {
    policy: 'app/api-tls',
    hostname: 'api.example.com',
    caBundle: null,
    systemRoots: true,
    subjectAltNames: [{ type: 'URI', value: 'spiffe://example.com/api' }],
  });
  assert.deepEqual(b.traffic, {
    policy: 'app/api-traffic',
    retryBudget: { percent: 35, intervalMs: 60000 },
    minRetryRate: { count: 3, intervalMs: 500 },
    sessionPersistence: { type: 'Header', header: { name: 'x-session' } },
  });
});

test('certificateFor follows the SNI order and hides the key', () => {
  const pick = (port, sni) => router.certificateFor(port, sni)?.listener ?? null;
  assert.equal(pick(443, 'www.example.com'), 'www');
  assert.equal(pick(443, 'API.example.com'), 'wild');
  assert.equal(pick(443, 'example.org'), 'any');
  assert.equal(pick(443, null), 'any');
  assert.equal(pick(9443, 'www.example.com'), null);
  const got = router.certificateFor(443, 'www.example.com');
  assert.equal(got.hostname, 'www.example.com');
  assert.equal(got.port, 443);
  const [c] = got.certificates;
  assert.deepEqual([c.secret, c.chainPem, c.keyPem], ['app/s', CERT, KEY]);
  assert.ok(!JSON.stringify(got).includes('PRIVATE KEY'));
  assert.ok(!util.inspect(got, { depth: 5 }).includes('PRIVATE KEY'));
  assert.deepEqual(
    router.listenerCertificates().map((l) => l.listener),
    ['www', 'wild', 'any', 'fallback'],
  );
});

test('clientCertificateDecision per mode and outcome', () => {
  const v = router.frontendValidation(443);
  assert.equal(v.mode, 'AllowValidOnly');
  assert.deepEqual(v.caConfigMaps, ['app/ca']);
  assert.equal(v.source, 'spec.tls.frontend.default');
  assert.equal(v.usable, true);
  assert.equal(router.frontendValidation(80), null);
  const table = [
    [443, 'valid', 'accept'],
    [443, 'invalid', 'reject'],
    [443, 'absent', 'reject'],
    [8443, 'absent', 'insecureFallback'],
    [8443, 'invalid', 'insecureFallback'],
    [8443, 'valid', 'accept'],
    [80, 'absent', 'accept'],
  ];
  for (const [port, client, want] of table) {
    assert.equal(router.clientCertificateDecision(port, client), want, `${port} ${client}`);
  }
  assert.throws(() => router.clientCertificateDecision(443, 'maybe'), /absent/);
});
