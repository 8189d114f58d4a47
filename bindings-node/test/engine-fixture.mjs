// A Gateway with HTTP, HTTPS, TLS (passthrough), TCP and UDP listeners and a route of each
// kind (the same configuration as bindings-python/tests/test_engine.py).
export const L4 = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: infra}
type: kubernetes.io/tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: trieway
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - name: web
    port: 443
    protocol: HTTPS
    hostname: web.example.com
    tls: {certificateRefs: [{name: tls}]}
    allowedRoutes: {namespaces: {from: All}}
  - {name: tls, port: 443, protocol: TLS, hostname: '*.tls.example.com', tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}
  - {name: tcp, port: 9000, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
  - {name: udp, port: 9001, protocol: UDP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc-a, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: svc-b, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: foo.Echo, method: Ping}}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{method: {type: RegularExpression, service: 'foo\\..*'}, headers: [{name: x-a, value: '1'}]}]
    backendRefs: [{name: svc-b, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: t, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: ['*.tls.example.com']
  rules: [{backendRefs: [{name: svc-a, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: tcp, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: svc-a, port: 80, weight: 1}, {name: svc-b, port: 80, weight: 3}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: {name: udp, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: svc-b, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: svc-a, port: 80}]}]
`;
