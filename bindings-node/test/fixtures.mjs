// Shared test configuration: one Gateway (HTTP on 80, HTTPS on 443 for *.secure.test), two
// Services, and routes that exercise every kind of match and filter the tests check.
export const YAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: test}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: default}
type: kubernetes.io/tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: test
  listeners:
    - {name: http, port: 80, protocol: HTTP}
    - name: https
      port: 443
      protocol: HTTPS
      hostname: "*.secure.test"
      tls: {certificateRefs: [{name: cert}]}
    - name: other
      port: 443
      protocol: HTTPS
      hostname: www.other.test
      tls: {certificateRefs: [{name: cert}]}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [edge.test]
  rules:
    - name: api
      matches: [{path: {type: PathPrefix, value: /api}}]
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set: [{name: x-tenant, value: t1}]
            add: [{name: x-via, value: trieway}]
            remove: [x-debug]
        - type: ResponseHeaderModifier
          responseHeaderModifier:
            set: [{name: x-served-by, value: edge}]
        - type: URLRewrite
          urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v1}}
      backendRefs: [{name: a, port: 80}]
    - name: api-v2
      matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-version, value: "2"}]}]
      backendRefs: [{name: b, port: 80}]
    - name: old
      matches: [{path: {type: PathPrefix, value: /old}}]
      filters:
        - type: RequestRedirect
          requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}
    - name: split
      matches: [{path: {type: PathPrefix, value: /split}}]
      backendRefs: [{name: a, port: 80, weight: 3}, {name: b, port: 80, weight: 1}]
    - name: health
      matches: [{path: {type: Exact, value: /healthz}, method: GET}]
      backendRefs: [{name: b, port: 80}]
    - name: search
      matches: [{path: {type: PathPrefix, value: /search}, queryParams: [{name: q, value: cats}]}]
      backendRefs: [{name: b, port: 80}]
    - name: broken
      matches: [{path: {type: PathPrefix, value: /broken}}]
      backendRefs: [{name: missing, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: secure, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: https}]
  hostnames: [app.secure.test]
  rules:
    - backendRefs: [{name: a, port: 80}]
`;

/** `{host, port}` per backend, for the edge server: filled in by the tests. */
export function upstreamKey(b) {
  return `${b.namespace}/${b.name}:${b.port}`;
}
