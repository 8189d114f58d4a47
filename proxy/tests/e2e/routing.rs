//! End-to-end: the proxy in front of real upstream servers, on 127.0.0.1: routing, filters,
//! redirects, rewrites, weights, mirrors, faults, limits, malformed requests, HTTP/2, gRPC,
//! admin port, graceful shutdown.

use crate::support::*;
use std::time::Duration;

const GATEWAY: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: trieway
  listeners: [{name: http, port: 80, protocol: HTTP}]
"#;

fn routes() -> String {
    format!(
        r#"{GATEWAY}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [web.example.com]
  rules:
    - name: echo
      matches: [{{path: {{type: PathPrefix, value: /echo}}}}]
      backendRefs: [{{name: a, port: 80}}]
    - name: split
      matches: [{{path: {{type: PathPrefix, value: /split}}}}]
      backendRefs: [{{name: a, port: 80, weight: 75}}, {{name: b, port: 80, weight: 25}}]
    - name: headers
      matches: [{{path: {{type: Exact, value: /headers}}}}]
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            set: [{{name: x-set, value: "1"}}]
            add: [{{name: x-add, value: "2"}}]
            remove: [x-remove]
        - type: ResponseHeaderModifier
          responseHeaderModifier:
            set: [{{name: x-resp, value: "yes"}}]
      backendRefs: [{{name: a, port: 80}}]
    - name: redirect
      matches: [{{path: {{type: PathPrefix, value: /old}}}}]
      filters:
        - type: RequestRedirect
          requestRedirect: {{scheme: https, hostname: new.example.com, statusCode: 301}}
    - name: rewrite
      matches: [{{path: {{type: PathPrefix, value: /v1}}}}]
      filters:
        - type: URLRewrite
          urlRewrite: {{hostname: internal.example.com, path: {{type: ReplacePrefixMatch, replacePrefixMatch: /api/v2}}}}
      backendRefs: [{{name: a, port: 80}}]
    - name: mirror
      matches: [{{path: {{type: PathPrefix, value: /mirror}}}}]
      filters:
        - type: RequestMirror
          requestMirror: {{backendRef: {{name: m, port: 80}}}}
      backendRefs: [{{name: a, port: 80}}]
    - name: refused
      matches: [{{path: {{type: PathPrefix, value: /refused}}}}]
      backendRefs: [{{name: dead, port: 80}}]
    - name: hang
      matches: [{{path: {{type: PathPrefix, value: /hang}}}}]
      timeouts: {{request: 2s, backendRequest: 300ms}}
      backendRefs: [{{name: a, port: 80}}]
    - name: slowbody
      matches: [{{path: {{type: PathPrefix, value: /slowbody}}}}]
      timeouts: {{request: 500ms}}
      backendRefs: [{{name: a, port: 80}}]
    - name: reset
      matches: [{{path: {{type: PathPrefix, value: /reset}}}}]
      backendRefs: [{{name: a, port: 80}}]
    - name: retry
      matches: [{{path: {{type: PathPrefix, value: /flaky}}}}]
      retry: {{attempts: 2, codes: [503], backoff: 10ms}}
      backendRefs: [{{name: flaky, port: 80}}]
    - name: noretry
      matches: [{{path: {{type: PathPrefix, value: /status}}}}]
      backendRefs: [{{name: a, port: 80}}]
    - name: cors
      matches: [{{path: {{type: PathPrefix, value: /cors}}}}]
      filters:
        - type: CORS
          cors: {{allowOrigins: ['https://app.example.org'], allowMethods: [GET, PUT], maxAge: 60}}
      backendRefs: [{{name: a, port: 80}}]
    - name: sticky
      matches: [{{path: {{type: PathPrefix, value: /sticky}}}}]
      sessionPersistence: {{sessionName: sid, type: Cookie, absoluteTimeout: 1h, cookieConfig: {{lifetimeType: Permanent}}}}
      backendRefs: [{{name: a, port: 80, weight: 30}}, {{name: b, port: 80, weight: 70}}]
    - name: sticky-header
      matches: [{{path: {{type: PathPrefix, value: /hsticky}}}}]
      sessionPersistence: {{sessionName: x-session, type: Header}}
      backendRefs: [{{name: a, port: 80, weight: 1}}, {{name: b, port: 80, weight: 1}}]
    - name: nowhere
      matches: [{{path: {{type: PathPrefix, value: /nowhere}}}}]
      backendRefs: [{{name: unmapped, port: 80}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: grpc, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [grpc.example.com]
  rules:
    - matches: [{{method: {{service: echo.Echo, method: Ping}}}}]
      backendRefs: [{{name: a, port: 80}}]
"#
    )
}

struct Fixture {
    proxy: trieway_proxy::RunningProxy,
    _dir: TempDir,
    a: Upstream,
    b: Upstream,
    m: Upstream,
    flaky: Upstream,
    addr: std::net::SocketAddr,
}

async fn fixture() -> Fixture {
    let (a, b, m, flaky) = (
        upstream("a").await,
        upstream("b").await,
        upstream("m").await,
        upstream("flaky").await,
    );
    let dead = refused_addr().await;
    let (proxy, dir) = proxy(
        &routes(),
        &[
            ("default/a", a.addr),
            ("default/b", b.addr),
            ("default/m", m.addr),
            ("default/flaky", flaky.addr),
            ("default/dead", dead),
        ],
        false,
    )
    .await;
    let addr = proxy.addr(80).unwrap();
    Fixture {
        proxy,
        _dir: dir,
        a,
        b,
        m,
        flaky,
        addr,
    }
}

#[tokio::test]
async fn routing_filters_redirects_rewrites() {
    let f = fixture().await;
    let c = client();
    // Routed, Host and path as sent, forwarded headers added.
    let r = get(&c, f.addr, "web.example.com", "/echo/x?q=1").await;
    assert_eq!((r.status, r.upstream().as_str()), (200, "a"), "{}", r.body);
    let j = r.json();
    assert_eq!(j["uri"], "/echo/x?q=1");
    assert_eq!(j["headers"]["host"], "web.example.com");
    assert_eq!(j["headers"]["x-forwarded-for"], "127.0.0.1");
    assert_eq!(j["headers"]["x-forwarded-proto"], "http");
    // A GET without a body is forwarded without one (not as an empty chunked body).
    assert!(j["headers"].get("transfer-encoding").is_none(), "{j}");
    // A client's own x-forwarded-client-cert never reaches a backend (plain HTTP: no
    // certificate to vouch for).
    let r = send(
        &c,
        f.addr,
        "GET",
        "web.example.com",
        "/echo/x",
        &[("x-forwarded-client-cert", "Hash=forged")],
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(
        r.json()["headers"].get("x-forwarded-client-cert").is_none(),
        "{}",
        r.body
    );
    // No route: 404, for another host or another path.
    assert_eq!(
        get(&c, f.addr, "other.example.com", "/echo").await.status,
        404
    );
    assert_eq!(
        get(&c, f.addr, "web.example.com", "/nothing").await.status,
        404
    );
    // Header edits, both ways.
    let r = send(
        &c,
        f.addr,
        "GET",
        "web.example.com",
        "/headers",
        &[("x-add", "1"), ("x-remove", "x"), ("x-set", "old")],
    )
    .await
    .unwrap();
    let j = r.json();
    assert_eq!(j["headers"]["x-set"], "1");
    assert_eq!(j["headers"]["x-add"], "1,2");
    assert!(j["headers"].get("x-remove").is_none());
    assert_eq!(r.headers["x-resp"], "yes");
    // Redirect, answered by the proxy.
    let r = get(&c, f.addr, "web.example.com", "/old/page?x=1").await;
    assert_eq!(r.status, 301);
    assert_eq!(
        r.headers["location"],
        "https://new.example.com/old/page?x=1"
    );
    // Rewrite of path prefix and Host.
    let r = get(&c, f.addr, "web.example.com", "/v1/users?id=7").await;
    let j = r.json();
    assert_eq!(j["uri"], "/api/v2/users?id=7");
    assert_eq!(j["headers"]["host"], "internal.example.com");
    // CORS: the preflight is answered by the proxy, the actual request gets the headers.
    let pre = [
        ("origin", "https://app.example.org"),
        ("access-control-request-method", "PUT"),
    ];
    let r = send(&c, f.addr, "OPTIONS", "web.example.com", "/cors", &pre)
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "https://app.example.org"
    );
    assert_eq!(r.upstream(), "", "a preflight is not forwarded");
    let r = send(&c, f.addr, "GET", "web.example.com", "/cors", &pre[..1])
        .await
        .unwrap();
    assert_eq!((r.status, r.upstream().as_str()), (200, "a"));
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "https://app.example.org"
    );
    // A request body goes through.
    let req = http::Request::post(format!("http://{}/echo", f.addr))
        .header("host", "web.example.com")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            b"payload",
        )))
        .unwrap();
    let resp = c.request(req).await.unwrap();
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (j["method"].as_str(), j["body"].as_str()),
        (Some("POST"), Some("payload"))
    );
    f.proxy.shutdown().await;
}

/// Requests of the weight test, and the tolerance on backend `a`'s count.
///
/// Each request goes to `a` with p = 0.75, so `a`'s count over N requests is binomial:
/// mean 0.75 N, sigma = sqrt(N p (1 - p)) = sqrt(N * 0.1875). With N = 8,000: mean 6,000,
/// sigma = 38.7, and the window is 4.5 sigma = 175 (2.2 % of the requests, inside the
/// issue's 3 %): a correct 75/25 split falls outside it with probability 7e-6.
/// A wrong split is still caught: 70/30 has mean 5,600 and sigma sqrt(8000 * 0.21) = 41.0,
/// so reaching 5,825 takes +5.5 sigma; 80/20 has mean 6,400 and sigma 35.8, so reaching
/// 6,175 takes -6.3 sigma (each passes with probability under 3e-8). N = 8,000 is about the
/// least N for which both margins hold: 0.05 N >= 4.5 (0.433 + 0.458) sqrt(N) needs
/// N >= 6,430.
const SPLIT_REQUESTS: usize = 8000;
const SPLIT_TOLERANCE: usize = 175;

#[tokio::test]
async fn weights_split_75_25_within_4_5_sigma() {
    let f = fixture().await;
    let c = client();
    // 8 connections in parallel, 1,000 requests each (the draw is per request).
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (c, addr) = (c.clone(), f.addr);
        tasks.push(tokio::spawn(async move {
            let mut a = 0;
            for _ in 0..SPLIT_REQUESTS / 8 {
                let r = get(&c, addr, "web.example.com", "/split").await;
                assert_eq!(r.status, 200);
                if r.upstream() == "a" {
                    a += 1;
                } else {
                    assert_eq!(r.upstream(), "b");
                }
            }
            a
        }));
    }
    let mut a: usize = 0;
    for t in tasks {
        a += t.await.unwrap();
    }
    let expected = SPLIT_REQUESTS * 3 / 4;
    assert!(
        a.abs_diff(expected) <= SPLIT_TOLERANCE,
        "a got {a} of {SPLIT_REQUESTS}, want {expected} +- {SPLIT_TOLERANCE}"
    );
    assert_eq!(f.a.hits() + f.b.hits(), SPLIT_REQUESTS);
    assert_eq!(f.a.hits(), a);
    f.proxy.shutdown().await;
}

#[tokio::test]
async fn session_persistence_by_cookie_and_header() {
    let f = fixture().await;
    let c = client();
    // Without a session, requests are drawn (both backends answer) and each answer carries
    // the session of its backend.
    let mut cookies = std::collections::HashMap::new();
    for _ in 0..60 {
        let r = get(&c, f.addr, "web.example.com", "/sticky").await;
        let set = r.headers["set-cookie"].to_str().unwrap().to_string();
        assert!(
            set.starts_with("sid=") && set.ends_with("; Path=/; HttpOnly; Max-Age=3600"),
            "{set}"
        );
        let value = set.split(';').next().unwrap().to_string();
        let prev = cookies.insert(r.upstream(), value.clone());
        assert!(
            prev.is_none_or(|p| p == value),
            "one session value per backend"
        );
    }
    assert_eq!(cookies.len(), 2, "both backends drawn: {cookies:?}");
    // With a session, every request goes to its backend, and no new session is set.
    for (upstream, cookie) in &cookies {
        for _ in 0..30 {
            let r = send(
                &c,
                f.addr,
                "GET",
                "web.example.com",
                "/sticky",
                &[("cookie", &format!("other=1; {cookie}"))],
            )
            .await
            .unwrap();
            assert_eq!(&r.upstream(), upstream);
            assert!(r.headers.get("set-cookie").is_none());
        }
    }
    // An unknown session is replaced.
    let r = send(
        &c,
        f.addr,
        "GET",
        "web.example.com",
        "/sticky",
        &[("cookie", "sid=0000")],
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.headers.get("set-cookie").is_some());
    // By header.
    let first = get(&c, f.addr, "web.example.com", "/hsticky").await;
    let session = first.headers["x-session"].to_str().unwrap().to_string();
    for _ in 0..30 {
        let r = send(
            &c,
            f.addr,
            "GET",
            "web.example.com",
            "/hsticky",
            &[("x-session", &session)],
        )
        .await
        .unwrap();
        assert_eq!(r.upstream(), first.upstream());
    }
    f.proxy.shutdown().await;
}

#[tokio::test]
async fn mirrors_are_sent_and_do_not_change_the_answer() {
    let f = fixture().await;
    let c = client();
    for _ in 0..20 {
        let r = get(&c, f.addr, "web.example.com", "/mirror/x").await;
        assert_eq!((r.status, r.upstream().as_str()), (200, "a"));
    }
    // Fire and forget: wait (bounded) until the mirror has seen all 20.
    assert!(
        wait_for(|| f.m.hits() >= 20).await,
        "mirrored: {}",
        f.m.hits()
    );
    assert_eq!(f.m.hits(), 20);
    assert_eq!(f.a.hits(), 20);
    f.proxy.shutdown().await;
}

#[tokio::test]
async fn faults_refused_hanging_reset_and_retry() {
    let f = fixture().await;
    let c = client();
    // Refused upstream: 503.
    let r = get(&c, f.addr, "web.example.com", "/refused").await;
    assert_eq!(r.status, 503, "{}", r.body);
    // No endpoint known for the Service: 503.
    assert_eq!(
        get(&c, f.addr, "web.example.com", "/nowhere").await.status,
        503
    );
    // Hanging upstream, backendRequest 300ms: 504.
    let r = get(&c, f.addr, "web.example.com", "/hang").await;
    assert_eq!(r.status, 504, "{}", r.body);
    assert!(r.body.contains("backendRequest"), "{}", r.body);
    // The request timeout covers the response body: a body still streaming when it runs
    // out is cut (the head was already sent, so the client sees the body fail).
    let r = send(&c, f.addr, "GET", "web.example.com", "/slowbody", &[]).await;
    assert!(r.is_err(), "a body past timeouts.request must not complete");
    // Reset mid-response: the client sees the body fail, the proxy keeps serving.
    let r = send(&c, f.addr, "GET", "web.example.com", "/reset", &[]).await;
    assert!(
        r.is_err() || r.as_ref().unwrap().status >= 500,
        "reset must not look like a complete answer"
    );
    assert_eq!(
        get(&c, f.addr, "web.example.com", "/echo").await.status,
        200
    );
    // Retry: the first attempt gets 503, the second succeeds.
    let r = get(&c, f.addr, "web.example.com", "/flaky").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(f.flaky.hits(), 2);
    // Without a retry policy a 503 goes back as is.
    assert_eq!(
        get(&c, f.addr, "web.example.com", "/status/503")
            .await
            .status,
        503
    );
    let metrics = get(&c, f.proxy.admin_addr().unwrap(), "admin", "/metrics")
        .await
        .body;
    assert!(
        metrics.contains(r#"trieway_proxy_upstream_errors_total{cause="refused"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"trieway_proxy_upstream_errors_total{cause="timeout"} 1"#),
        "{metrics}"
    );
    f.proxy.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_400_and_the_proxy_keeps_serving() {
    let f = fixture().await;
    let cases: [(&[u8], &str); 5] = [
        (b"GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n", "400"),
        (b"GET /echo HTTP/1.1\r\nHost: bad host\r\nConnection: close\r\n\r\n", "400"),
        (b"GET /echo HTTP/1.1\r\nHost: a.example.com\r\nHost: b.example.com\r\nConnection: close\r\n\r\n", "400"),
        (b"GET /echo/%zz HTTP/1.1\r\nHost: web.example.com\r\nConnection: close\r\n\r\n", "400"),
        (b"GET /echo/%4 HTTP/1.1\r\nHost: web.example.com\r\nConnection: close\r\n\r\n", "400"),
    ];
    for (req, want) in cases {
        let out = raw(f.addr, req).await;
        assert!(
            out.starts_with(&format!("HTTP/1.1 {want}")),
            "{:?} -> {out:?}",
            String::from_utf8_lossy(req)
        );
    }
    // Oversized head: 431 (hyper's answer to a head over the buffer limit).
    let big = format!(
        "GET /echo HTTP/1.1\r\nHost: web.example.com\r\nX-Big: {}\r\n\r\n",
        "x".repeat(20_000)
    );
    let out = raw(f.addr, big.as_bytes()).await;
    assert!(out.starts_with("HTTP/1.1 431"), "{out:?}");
    // Body over the limit: 413.
    let c = client();
    let req = http::Request::post(format!("http://{}/echo", f.addr))
        .header("host", "web.example.com")
        .body(http_body_util::Full::new(bytes::Bytes::from(
            vec![b'x'; 9 * 1024 * 1024],
        )))
        .unwrap();
    assert_eq!(c.request(req).await.unwrap().status(), 413);
    // Not HTTP at all: closed, nothing forwarded.
    let _ = raw(f.addr, b"\x00\x01\x02garbage\r\n\r\n").await;
    assert_eq!(f.a.hits(), 0);
    assert_eq!(
        get(&c, f.addr, "web.example.com", "/echo").await.status,
        200
    );
    f.proxy.shutdown().await;
}

#[tokio::test]
async fn bodies_stream_and_stay_bounded() {
    let a = upstream("a").await;
    let (proxy, _dir) = proxy_with(&routes(), &[("default/a", a.addr)], |o| {
        o.watch = false;
        o.max_body_bytes = 1000;
    })
    .await;
    let addr = proxy.addr(80).unwrap();
    let chunked = |chunks: &[usize]| {
        let mut r = b"POST /echo HTTP/1.1\r\nHost: web.example.com\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
        for n in chunks {
            r.extend_from_slice(format!("{n:x}\r\n{}\r\n", "y".repeat(*n)).as_bytes());
        }
        r.extend_from_slice(b"0\r\n\r\n");
        r
    };
    // With Content-Length over the limit: 413 before anything is sent upstream.
    let out = raw(addr, b"POST /echo HTTP/1.1\r\nHost: web.example.com\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n").await;
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
    assert_eq!(a.hits(), 0);
    // Under the limit, streamed without Content-Length: the upstream gets it all.
    let out = raw(addr, &chunked(&[300, 300])).await;
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains(&"y".repeat(600)), "{out}");
    // Over the limit while streaming: 413, although nothing said so up front.
    let out = raw(addr, &chunked(&[600, 600])).await;
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
    proxy.shutdown().await;
}

#[tokio::test]
async fn connection_limit_answers_503() {
    let a = upstream("a").await;
    let (proxy, _dir) = proxy_with(&routes(), &[("default/a", a.addr)], |o| {
        o.watch = false;
        o.max_connections = 1;
    })
    .await;
    let addr = proxy.addr(80).unwrap();
    // One connection held open...
    let held = tokio::net::TcpStream::connect(addr).await.unwrap();
    // ...wait until the proxy counts it (bounded), then the next one is refused.
    assert!(wait_for(|| proxy.shared().conn_slots.available_permits() == 0).await);
    let out = raw(addr, b"GET /echo HTTP/1.1\r\nHost: web.example.com\r\n\r\n").await;
    assert!(out.starts_with("HTTP/1.1 503"), "{out:?}");
    drop(held);
    proxy.shutdown().await;
}

#[tokio::test]
async fn http2_and_grpc() {
    let f = fixture().await;
    // h2c with prior knowledge; the upstream is reached over HTTP/1.1.
    let r = h2_send(f.addr, "GET", "web.example.com", "/echo/h2", &[])
        .await
        .unwrap();
    assert_eq!((r.status, r.upstream().as_str()), (200, "a"));
    assert_eq!(r.json()["version"], "HTTP/1.1");
    // A gRPC call: the GRPCRoute matches, the upstream is reached over h2c, trailers come back.
    let r = h2_send(
        f.addr,
        "POST",
        "grpc.example.com",
        "/echo.Echo/Ping",
        &[("content-type", "application/grpc"), ("te", "trailers")],
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.upstream(), "a");
    assert_eq!(
        r.trailers
            .as_ref()
            .and_then(|t| t.get("grpc-status"))
            .unwrap(),
        "0"
    );
    // The echo's JSON after the 5-byte gRPC frame prefix (its length byte may not be ASCII).
    let json = &r.body[r.body.find('{').unwrap()..];
    let payload: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(payload["version"], "HTTP/2.0");
    // The upstream's `:authority` is the client's, not the endpoint address, and no Host
    // header goes along (it may not differ from `:authority` over HTTP/2).
    assert_eq!(payload["uri"], "http://grpc.example.com/echo.Echo/Ping");
    assert!(payload["headers"].get("host").is_none(), "{payload}");
    // A method no GRPCRoute matches: grpc-status 12 UNIMPLEMENTED.
    let r = h2_send(
        f.addr,
        "POST",
        "grpc.example.com",
        "/echo.Echo/Other",
        &[("content-type", "application/grpc")],
    )
    .await
    .unwrap();
    assert_eq!(
        (
            r.status,
            r.headers.get("grpc-status").unwrap().to_str().unwrap()
        ),
        (200, "12")
    );
    f.proxy.shutdown().await;
}

#[tokio::test]
async fn access_log_lines_name_route_rule_and_http_route() {
    let a = upstream("a").await;
    let (tx, rx) = std::sync::mpsc::channel();
    let (proxy, _dir) = proxy_with(&routes(), &[("default/a", a.addr)], |o| {
        o.watch = false;
        o.access_log_sink = Some(tx);
    })
    .await;
    let addr = proxy.addr(80).unwrap();
    let c = client();
    get(&c, addr, "web.example.com", "/echo/7?x=1").await;
    get(&c, addr, "web.example.com", "/old/x").await;
    get(&c, addr, "nobody.example.com", "/").await;
    let lines: Vec<String> = (0..3)
        .map(|_| rx.recv_timeout(std::time::Duration::from_secs(30)).unwrap())
        .collect();
    assert!(
        lines[0].contains(r#""GET /echo/7?x=1 HTTP/1.1" 200 "#),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains(&format!(
            "route=HTTPRoute/default/web rule=0(echo) http.route=/echo upstream={}",
            a.addr
        )),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(" 301 ")
            && lines[1].contains("rule=3(redirect) http.route=/old upstream=-"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(" 404 ") && lines[2].contains("route=- rule=- http.route=-"),
        "{}",
        lines[2]
    );
    proxy.shutdown().await;
}

#[tokio::test]
async fn admin_metrics_ready_config() {
    let f = fixture().await;
    let c = client();
    for _ in 0..3 {
        get(&c, f.addr, "web.example.com", "/echo").await;
    }
    get(&c, f.addr, "nobody.example.com", "/").await;
    let admin = f.proxy.admin_addr().unwrap();
    let m = get(&c, admin, "admin", "/metrics").await;
    assert_eq!(m.status, 200);
    assert!(
        m.body.contains(r#"route="web",rule="echo"} 3"#),
        "{}",
        m.body
    );
    assert!(
        m.body.contains(r#"listener="http",status="404"} 1"#),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains("trieway_proxy_request_duration_seconds_bucket"),
        "{}",
        m.body
    );
    assert!(m.body.contains(r#"trieway_proxy_request_duration_seconds_count{port="80",status="200",matched="true"} 3"#), "{}", m.body);
    let r = get(&c, admin, "admin", "/ready").await;
    assert_eq!(r.status, 200);
    let cfg = get(&c, admin, "admin", "/config").await.json();
    assert_eq!(cfg["gateway"], "default/gw");
    assert!(
        cfg["report"]["routes"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "{cfg}"
    );
    f.proxy.shutdown().await;
}

#[tokio::test]
async fn ready_answers_503_while_draining() {
    let a = upstream("a").await;
    let (proxy, _dir) = proxy_with(&routes(), &[("default/a", a.addr)], |o| {
        o.watch = false;
        o.drain_timeout = Duration::from_secs(3);
    })
    .await;
    let (addr, admin) = (proxy.addr(80).unwrap(), proxy.admin_addr().unwrap());
    let c = client();
    assert_eq!(get(&c, admin, "admin", "/ready").await.status, 200);
    // A request that outlives the drain (the upstream answers /hang after 30 s).
    let _hanging = tokio::spawn({
        let c = c.clone();
        async move {
            send(&c, addr, "GET", "web.example.com", "/echo/hang", &[])
                .await
                .map(|r| r.status)
        }
    });
    assert!(wait_for(|| a.hits() > 0).await);
    let stopping = tokio::spawn(proxy.shutdown());
    // While it drains, the admin port says not ready (a load balancer stops sending).
    let mut statuses = Vec::new();
    let admin_client = client();
    for _ in 0..600 {
        match send(&admin_client, admin, "GET", "admin", "/ready", &[]).await {
            Ok(r) if r.status == 503 => {
                statuses.push(503);
                break;
            }
            Ok(r) => statuses.push(r.status),
            Err(e) => panic!("admin port gone while draining: {e} after {statuses:?}"),
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(statuses.last(), Some(&503));
    // The drain ends at the timeout, then the admin port closes too.
    stopping.await.unwrap();
    assert!(tokio::net::TcpStream::connect(admin).await.is_err());
}

#[tokio::test]
async fn graceful_shutdown_drains_in_flight_requests() {
    let a = upstream("a").await;
    let yaml = format!(
        r#"{GATEWAY}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
  rules: [{{backendRefs: [{{name: a, port: 80}}]}}]
"#
    );
    let (proxy, _dir) = proxy(&yaml, &[("default/a", a.addr)], false).await;
    let addr = proxy.addr(80).unwrap();
    let c = client();
    // A request in flight (the upstream answers /slow after 300 ms) while shutdown starts.
    let inflight = tokio::spawn({
        let c = c.clone();
        async move { get(&c, addr, "x", "/slow").await.status }
    });
    // Wait until the upstream has the request, then shut down.
    assert!(
        wait_for(|| a.hits() > 0).await,
        "the request never reached the upstream"
    );
    let shared = std::sync::Arc::clone(proxy.shared());
    proxy.shutdown().await;
    // Shutdown returned after the connection with the request in flight ended...
    assert_eq!(shared.metrics.connections().get(), 0);
    // ...with its answer delivered.
    assert_eq!(inflight.await.unwrap(), 200);
    // Closed for new connections.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
