//! End-to-end: TLS termination with listener certificates from Secrets (rcgen), SNI
//! selection, 421, ALPN h2; TLS passthrough by SNI; TCPRoute and UDPRoute forwarding.

use crate::support::*;
use base64::Engine as _;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn config(cert_pem: &str, key_pem: &str) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: trieway
  listeners:
    - {{name: a, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {{certificateRefs: [{{name: site}}]}}, allowedRoutes: {{namespaces: {{from: All}}}}}}
    - {{name: b, port: 443, protocol: HTTPS, hostname: b.example.com, tls: {{certificateRefs: [{{name: site}}]}}, allowedRoutes: {{namespaces: {{from: All}}}}}}
    - {{name: pass, port: 443, protocol: TLS, hostname: pass.example.com, tls: {{mode: Passthrough}}, allowedRoutes: {{namespaces: {{from: All}}}}}}
    - {{name: tcp, port: 9000, protocol: TCP, allowedRoutes: {{namespaces: {{from: All}}}}}}
    - {{name: udp, port: 9001, protocol: UDP, allowedRoutes: {{namespaces: {{from: All}}}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: site, namespace: infra}}
type: kubernetes.io/tls
data:
  tls.crt: {crt}
  tls.key: {key}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: default}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [a.example.com, b.example.com]
  rules: [{{backendRefs: [{{name: a, port: 80}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {{name: pass, namespace: default}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [pass.example.com]
  rules: [{{backendRefs: [{{name: secure, port: 443}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {{name: tcp, namespace: default}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  rules: [{{backendRefs: [{{name: tcpecho, port: 7}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: UDPRoute
metadata: {{name: udp, namespace: default}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  rules: [{{backendRefs: [{{name: udpecho, port: 7}}]}}]
"#,
        crt = b64(cert_pem),
        key = b64(key_pem),
    )
}

#[tokio::test]
async fn tls_termination_sni_421_alpn_and_passthrough() {
    let (crt, key, root) = cert(&["a.example.com", "b.example.com"]);
    let (pcrt, pkey, proot) = cert(&["pass.example.com"]);
    let a = upstream("a").await;
    let secure = tls_upstream("secure", &pcrt, &pkey).await;
    let (proxy, _dir) = proxy(
        &config(&crt, &key),
        &[("default/a", a.addr), ("default/secure", secure.addr)],
        false,
    )
    .await;
    let addr = proxy.addr(443).unwrap();
    let roots = [root.clone()];
    // Terminated with the listener's certificate, HTTP/1.1 by ALPN.
    let (r, alpn) = tls_request(addr, "a.example.com", "a.example.com", "/x", &roots, false)
        .await
        .unwrap();
    assert_eq!((r.status, r.upstream().as_str()), (200, "a"), "{}", r.body);
    assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(r.json()["headers"]["x-forwarded-proto"], "https");
    // HTTP/2 by ALPN.
    let (r, alpn) = tls_request(addr, "b.example.com", "b.example.com", "/y", &roots, true)
        .await
        .unwrap();
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!((r.status, r.upstream().as_str()), (200, "a"));
    // SNI selects listener a, Host names listener b: 421.
    let (r, _) = tls_request(addr, "a.example.com", "b.example.com", "/", &roots, false)
        .await
        .unwrap();
    assert_eq!(r.status, 421, "{}", r.body);
    // No listener for the SNI: the connection is closed during the handshake.
    assert!(
        tls_request(addr, "c.example.org", "c.example.org", "/", &roots, false)
            .await
            .is_err()
    );
    // Passthrough: the proxy has no certificate for pass.example.com; the client talks TLS
    // with the upstream itself.
    let (r, _) = tls_request(
        addr,
        "pass.example.com",
        "pass.example.com",
        "/through",
        &[proot],
        false,
    )
    .await
    .unwrap();
    assert_eq!((r.status, r.upstream().as_str()), (200, "secure"));
    assert_eq!(r.json()["uri"], "/through");
    assert_eq!(a.hits(), 2);
    proxy.shutdown().await;
}

#[tokio::test]
async fn tcp_and_udp_forwarding() {
    let (crt, key, _) = cert(&["a.example.com"]);
    let tcp = tcp_echo().await;
    let udp = udp_echo().await;
    let (proxy, _dir) = proxy(
        &config(&crt, &key),
        &[("default/tcpecho", tcp), ("default/udpecho", udp)],
        false,
    )
    .await;
    // TCP: bytes both ways.
    let mut s = tokio::net::TcpStream::connect(proxy.addr(9000).unwrap())
        .await
        .unwrap();
    for msg in [&b"hello"[..], b"world, again"] {
        s.write_all(msg).await.unwrap();
        let mut got = vec![0u8; msg.len()];
        tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut got))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, msg);
    }
    // UDP: a datagram and its answer, twice on the same flow.
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.connect(proxy.udp_addr(9001).unwrap()).await.unwrap();
    for msg in ["ping", "pong"] {
        sock.send(msg.as_bytes()).await.unwrap();
        let mut buf = [0u8; 64];
        let n = tokio::time::timeout(Duration::from_secs(10), sock.recv(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf[..n], format!("echo:{msg}").as_bytes());
    }
    proxy.shutdown().await;
}

#[tokio::test]
async fn backend_tls_policy_dials_the_backend_over_verified_tls() {
    let (crt, key, _) = cert(&["api.internal"]);
    let api = tls_upstream("api", &crt, &key).await;
    let (other_crt, _, _) = cert(&["api.internal"]);
    let yaml = format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: default}}
spec:
  gatewayClassName: trieway
  listeners: [{{name: http, port: 80, protocol: HTTP}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [x.example.com]
  rules:
    - matches: [{{path: {{type: PathPrefix, value: /good}}}}]
      backendRefs: [{{name: api, port: 443}}]
    - matches: [{{path: {{type: PathPrefix, value: /wrong-ca}}}}]
      backendRefs: [{{name: api-wrong-ca, port: 443}}]
    - matches: [{{path: {{type: PathPrefix, value: /plain}}}}]
      backendRefs: [{{name: api-plain, port: 443}}]
    - matches: [{{path: {{type: PathPrefix, value: /san}}}}]
      backendRefs: [{{name: api-san, port: 443}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: rpc, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [grpc.example.com]
  rules: [{{backendRefs: [{{name: api, port: 443}}]}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: ca, namespace: default}}
data:
  ca.crt: {crt:?}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: other-ca, namespace: default}}
data:
  ca.crt: {other_crt:?}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {{name: api-tls, namespace: default}}
spec:
  targetRefs: [{{group: "", kind: Service, name: api}}]
  validation:
    caCertificateRefs: [{{group: "", kind: ConfigMap, name: ca}}]
    hostname: api.internal
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {{name: api-wrong-ca, namespace: default}}
spec:
  targetRefs: [{{group: "", kind: Service, name: api-wrong-ca}}]
  validation:
    caCertificateRefs: [{{group: "", kind: ConfigMap, name: other-ca}}]
    hostname: api.internal
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {{name: api-san, namespace: default}}
spec:
  targetRefs: [{{group: "", kind: Service, name: api-san}}]
  validation:
    caCertificateRefs: [{{group: "", kind: ConfigMap, name: ca}}]
    hostname: api.internal
    subjectAltNames: [{{type: Hostname, hostname: other.internal}}]
"#
    );
    let (proxy, _dir) = proxy(
        &yaml,
        &[
            ("default/api", api.addr),
            ("default/api-wrong-ca", api.addr),
            ("default/api-plain", api.addr),
            ("default/api-san", api.addr),
        ],
        false,
    )
    .await;
    let c = client();
    let addr = proxy.addr(80).unwrap();
    let r = get(&c, addr, "x.example.com", "/good/1").await;
    assert_eq!(
        (r.status, r.upstream().as_str()),
        (200, "api"),
        "{}",
        r.body
    );
    assert_eq!(r.json()["uri"], "/good/1");
    assert_eq!(r.json()["headers"]["host"], "x.example.com");
    // A gRPC call goes over HTTP/2 on the verified TLS connection, with the client's
    // authority as `:authority` and no Host header.
    let r = h2_send(
        addr,
        "POST",
        "grpc.example.com",
        "/echo.Echo/Ping",
        &[("content-type", "application/grpc")],
    )
    .await
    .unwrap();
    assert_eq!(
        (r.status, r.upstream().as_str()),
        (200, "api"),
        "{}",
        r.body
    );
    let json: serde_json::Value =
        serde_json::from_str(&r.body[r.body.find('{').unwrap()..]).unwrap();
    assert_eq!(json["version"], "HTTP/2.0");
    assert_eq!(json["uri"], "https://grpc.example.com/echo.Echo/Ping");
    assert!(json["headers"].get("host").is_none(), "{json}");
    // A certificate the policy's CA did not sign: 502, nothing reaches the backend.
    let hits = api.hits();
    assert_eq!(
        get(&c, addr, "x.example.com", "/wrong-ca").await.status,
        502
    );
    // Without a policy the proxy speaks plain HTTP, which the TLS backend refuses: 502.
    assert_eq!(get(&c, addr, "x.example.com", "/plain").await.status, 502);
    // subjectAltNames the proxy cannot check: refused rather than verified by hostname.
    assert_eq!(get(&c, addr, "x.example.com", "/san").await.status, 502);
    assert_eq!(api.hits(), hits);
    proxy.shutdown().await;
}

#[tokio::test]
async fn listener_set_listeners_are_served_with_their_certificates() {
    let (crt, key, root) = cert(&["set.example.com"]);
    let a = upstream("a").await;
    let yaml = format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: trieway
  allowedListeners: {{namespaces: {{from: All}}}}
  listeners: [{{name: http, port: 80, protocol: HTTP}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {{name: team, namespace: team}}
spec:
  parentRef: {{name: gw, namespace: infra}}
  listeners:
    - {{name: https, port: 8443, protocol: HTTPS, hostname: set.example.com, tls: {{certificateRefs: [{{name: team-cert}}]}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: team-cert, namespace: team}}
type: kubernetes.io/tls
stringData:
  tls.crt: {crt:?}
  tls.key: {key:?}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: team}}
spec:
  parentRefs: [{{name: team, kind: ListenerSet, group: gateway.networking.k8s.io}}]
  rules: [{{backendRefs: [{{name: a, port: 80}}]}}]
"#
    );
    let (proxy, _dir) = proxy(&yaml, &[("team/a", a.addr)], false).await;
    // The ListenerSet's port is bound, its certificate (a Secret of its own namespace) served.
    let addr = proxy.addr(8443).expect("the ListenerSet's port is served");
    let (r, _) = tls_request(
        addr,
        "set.example.com",
        "set.example.com",
        "/team",
        &[root],
        false,
    )
    .await
    .unwrap();
    assert_eq!((r.status, r.upstream().as_str()), (200, "a"), "{}", r.body);
    proxy.shutdown().await;
}
