//! One HTTP request, end to end: **check** it (Host, percent-encoding, size), **route** it
//! through the current snapshot of the [`trieway::Live`] handle, **apply** the match's
//! filters into an [`Action`] (backend draw, header edits, redirect, rewrite, mirrors,
//! policies), **forward** it under the rule's timeouts and retry policy, and answer.
//!
//! What the proxy answers itself: 400 for a request it refuses to parse or route (no or bad
//! Host, invalid percent-encoding, a body that is not what its headers say), 404 when no
//! route matches (gRPC: status 12 UNIMPLEMENTED), 421 when the SNI selected another listener
//! than the Host, 413 for a body over the limit, 500 for an invalid backend or an unknown
//! ExtensionRef filter (the engine decides), 503 when the backend has no endpoint or refuses
//! the connection, 502 when it fails otherwise, 504 when a timeout runs out.

use crate::server::Shared;
use crate::upstream_tls::TlsDialError;
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trieway::model::RouteKind;
use trieway::{Action, ActionKind, EditOp, HeaderEdit, Outcome, RequestView};

/// A boxed error (what hyper's bodies and services take).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body type of every answer: the upstream's body streamed, or the proxy's own.
pub type Body = BoxBody<Bytes, BoxError>;

/// The error that ends a response body when `timeouts.request` runs out while it streams.
#[derive(Debug)]
pub struct RequestTimeout;

impl std::fmt::Display for RequestTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request timeout ran out while the response body was streaming")
    }
}

impl std::error::Error for RequestTimeout {}

/// A response body that fails with [`RequestTimeout`] at a deadline: `timeouts.request`
/// covers the whole response, its body included.
struct Deadline {
    inner: Body,
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for Deadline {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if std::future::Future::poll(this.sleep.as_mut(), cx).is_ready() {
            return std::task::Poll::Ready(Some(Err(Box::new(RequestTimeout))));
        }
        std::pin::Pin::new(&mut this.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// Where a request arrived: what the router needs besides the request itself.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    /// The Gateway listener port (as configured, whatever socket the proxy bound).
    pub port: u16,
    /// The TLS server name, for terminated TLS connections.
    pub sni: Option<Arc<str>>,
    /// Whether the connection is TLS.
    pub tls: bool,
    /// The client's address.
    pub peer: SocketAddr,
    /// The `x-forwarded-client-cert` value for a client certificate the listener validated
    /// (`Hash=` the SHA-256 of the leaf, hex); `None` without one, or when the connection was
    /// admitted by `AllowInsecureFallback` (unauthenticated).
    pub client_cert: Option<Arc<str>>,
}

/// The request header that tells backends which client certificate the proxy validated. A
/// client's own is always removed; the proxy sets it only for a validated certificate.
pub const XFCC: &str = "x-forwarded-client-cert";

/// The `x-forwarded-client-cert` value for a validated chain's leaf (`der`):
/// `Hash=<SHA-256, lowercase hex>`, the element Envoy's header uses for the same purpose.
pub fn client_cert_header(der: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let mut out = String::with_capacity(5 + 64);
    out.push_str("Hash=");
    for b in digest.as_ref() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The request as the router sees it: the parsed head plus the listener port and SNI.
struct View<'a> {
    parts: &'a http::request::Parts,
    port: u16,
    sni: Option<&'a str>,
    scheme: &'static str,
}

impl RequestView for View<'_> {
    fn method(&self) -> &str {
        self.parts.method.as_str()
    }
    fn authority(&self) -> Option<&str> {
        RequestView::authority(self.parts)
    }
    fn path(&self) -> &str {
        self.parts.uri.path()
    }
    fn query(&self) -> Option<&str> {
        self.parts.uri.query()
    }
    fn for_each_header(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        self.parts.for_each_header(name, f)
    }
    fn port(&self) -> Option<u16> {
        Some(self.port)
    }
    fn sni(&self) -> Option<&str> {
        self.sni
    }
    fn scheme(&self) -> Option<&str> {
        Some(self.scheme)
    }
}

/// A random number for the backend draw and mirror shares: a SplitMix64 sequence over one
/// shared counter (no lock, no allocation; statistical quality is what a split needs).
pub fn random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    static SEEDED: std::sync::Once = std::sync::Once::new();
    SEEDED.call_once(|| {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5eed);
        STATE.store(seed, Ordering::Relaxed);
    });
    let mut z = STATE
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An answer of the proxy's own, with a short plain-text reason.
pub fn answer(status: u16, reason: &str) -> Response<Body> {
    let mut r = Response::new(
        Full::new(Bytes::from(format!("{status} {reason}\n")))
            .map_err(|never: Infallible| match never {})
            .boxed(),
    );
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn empty(status: u16) -> Response<Body> {
    let mut r = Response::new(
        Empty::new()
            .map_err(|never: Infallible| match never {})
            .boxed(),
    );
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

/// The gRPC answer when no GRPCRoute matches: HTTP 200 with `grpc-status: 12`
/// (UNIMPLEMENTED) in a trailers-only response.
fn grpc_unimplemented() -> Response<Body> {
    let mut r = empty(200);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    h.insert("grpc-status", HeaderValue::from_static("12"));
    h.insert(
        "grpc-message",
        HeaderValue::from_static("no GRPCRoute matches the method"),
    );
    r
}

/// `%` must start a `%XX` escape with two hex digits.
fn valid_percent_encoding(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() {
                return false;
            }
            if !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// 400 reasons for a request head, or `None` when it can be routed.
fn check_head(parts: &http::request::Parts) -> Option<&'static str> {
    let hosts = parts.headers.get_all(header::HOST).iter().count();
    if hosts > 1 {
        return Some("more than one Host header");
    }
    let authority = match parts.uri.authority() {
        Some(a) => Some(a.as_str()),
        None => match parts.headers.get(header::HOST) {
            Some(h) => match h.to_str() {
                Ok(s) => Some(s),
                Err(_) => return Some("invalid Host header"),
            },
            None => None,
        },
    };
    match authority {
        None if parts.version == Version::HTTP_11 => return Some("missing Host header"),
        None if parts.version >= Version::HTTP_2 => return Some("missing :authority"),
        None => {}
        Some(a) => {
            let ok = !a.is_empty()
                && !a.contains('@')
                && a.parse::<http::uri::Authority>().is_ok()
                && a.bytes().all(|c| c.is_ascii_graphic());
            if !ok {
                return Some("invalid Host header");
            }
        }
    }
    if !valid_percent_encoding(parts.uri.path())
        || !valid_percent_encoding(parts.uri.query().unwrap_or(""))
    {
        return Some("invalid percent-encoding in the request target");
    }
    None
}

/// Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(h: &mut HeaderMap, keep_te_trailers: bool) {
    // Headers named by `Connection` go too.
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    let te_trailers = keep_te_trailers
        && h.get_all(header::TE)
            .iter()
            .any(|v| v.as_bytes().eq_ignore_ascii_case(b"trailers"));
    for n in HOP_BY_HOP {
        h.remove(n);
    }
    if te_trailers {
        h.insert(header::TE, HeaderValue::from_static("trailers"));
    }
}

/// Applies header edits to a header map, as `HeaderEdit::edit_lines` does to lines: `Set`
/// replaces every line, `Add` appends `,value` to the last line (or adds one), `Remove` drops
/// every line. Names and values that are not valid in HTTP are skipped (validation refuses
/// them in the configuration already).
pub fn edit_headers(map: &mut HeaderMap, edits: &[HeaderEdit<'_>]) {
    for e in edits {
        let Ok(name) = HeaderName::from_bytes(e.name.as_bytes()) else {
            continue;
        };
        match e.op {
            EditOp::Remove => {
                map.remove(&name);
            }
            EditOp::Set => {
                if let Ok(v) = HeaderValue::from_str(&e.value) {
                    map.insert(name, v);
                }
            }
            EditOp::Add => {
                let mut values: Vec<HeaderValue> = map.get_all(&name).iter().cloned().collect();
                match values.last_mut() {
                    None => {
                        if let Ok(v) = HeaderValue::from_str(&e.value) {
                            map.append(name, v);
                        }
                    }
                    Some(last) => {
                        let mut joined = last.as_bytes().to_vec();
                        joined.push(b',');
                        joined.extend_from_slice(e.value.as_bytes());
                        if let Ok(v) = HeaderValue::from_bytes(&joined) {
                            *last = v;
                            map.remove(&name);
                            for v in values {
                                map.append(name.clone(), v);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// What the access log and the metrics record about one request.
struct LogLine {
    route: String,
    rule: String,
    http_route: String,
    upstream: String,
}

impl LogLine {
    fn none() -> LogLine {
        LogLine {
            route: "-".into(),
            rule: "-".into(),
            http_route: "-".into(),
            upstream: "-".into(),
        }
    }
}

/// The hyper service: answers one request, never fails (errors are answers).
pub async fn handle(
    shared: Arc<Shared>,
    conn: ConnInfo,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let start = Instant::now();
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let version = req.version();
    let mut log = LogLine::none();
    let response = route_and_forward(&shared, &conn, req, &mut log).await;
    let status = response.status().as_u16();
    let elapsed = start.elapsed();
    shared
        .metrics
        .observe(conn.port, status, log.route != "-", elapsed);
    if shared.options.access_log || shared.options.access_log_sink.is_some() {
        let line = format!(
            "{peer} port={port} \"{method} {target} {version:?}\" {status} {ms:.3}ms route={route} rule={rule} http.route={hr} upstream={up}",
            peer = conn.peer,
            port = conn.port,
            ms = elapsed.as_secs_f64() * 1000.0,
            route = log.route,
            rule = log.rule,
            hr = log.http_route,
            up = log.upstream,
        );
        match &shared.options.access_log_sink {
            Some(sink) => {
                let _ = sink.send(line);
            }
            None => eprintln!("{line}"),
        }
    }
    Ok(response)
}

fn is_grpc(parts: &http::request::Parts) -> bool {
    parts.version == Version::HTTP_2
        && parts
            .headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
}

async fn route_and_forward(
    shared: &Arc<Shared>,
    conn: &ConnInfo,
    req: Request<Incoming>,
    log: &mut LogLine,
) -> Response<Body> {
    let (mut parts, body) = req.into_parts();
    if let Some(reason) = check_head(&parts) {
        return answer(400, reason);
    }
    // An HTTP/1.1 upgrade (WebSocket): forwarded with its `Upgrade` header, and spliced both
    // ways once the backend answers 101.
    let upgrade = upgrade_requested(&parts)
        .then(|| parts.extensions.remove::<hyper::upgrade::OnUpgrade>())
        .flatten()
        .zip(parts.headers.get(header::UPGRADE).cloned());
    // Held for the whole request: a reload publishes a new snapshot without touching this one.
    let snapshot = Arc::clone(&*shared.live.load());
    let router = snapshot.router();
    let view = View {
        parts: &parts,
        port: conn.port,
        sni: conn.sni.as_deref(),
        scheme: if conn.tls { "https" } else { "http" },
    };
    let grpc = is_grpc(&parts);
    let outcome = if grpc {
        router.route_grpc(&view)
    } else {
        router.route(&view)
    };
    let m = match outcome {
        Outcome::Matched(m) => m,
        Outcome::Misdirected => {
            return answer(
                421,
                "misdirected request: the TLS server name selects another listener",
            )
        }
        _ if grpc => return grpc_unimplemented(),
        _ => return answer(404, "no route matches"),
    };
    let route = m.route();
    log.route = format!(
        "{}/{}/{}",
        kind_name(route.kind),
        route.namespace,
        route.name
    );
    log.rule = match m.rule_name() {
        Some(n) => format!("{}({n})", m.rule_index()),
        None => m.rule_index().to_string(),
    };
    log.http_route = m.http_route().to_string();
    let mut action = Action::new();
    // Session persistence: a request carrying a backend's session goes to that backend.
    let session = crate::session::Session::of(m.policies());
    let sticky = session
        .as_ref()
        .and_then(|s| s.requested(&parts.headers))
        .and_then(|t| crate::session::backend_index(&m, t))
        .and_then(|i| Some((i, crate::session::draw_for(&m, i)?)));
    let mut session_kept = false;
    if let Some((index, draw)) = sticky {
        m.apply(&view, draw, &mut action);
        session_kept = action.backend.is_some_and(|b| b.index() == index);
    }
    if !session_kept {
        m.apply(&view, random(), &mut action);
    }
    match action.kind {
        ActionKind::Redirect => {
            let mut r = empty(action.status);
            if let Ok(v) = HeaderValue::from_str(&action.location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            edit_headers(r.headers_mut(), &action.response_headers);
            return r;
        }
        ActionKind::Respond => {
            let mut r = match action.status {
                500 => answer(500, "the rule's backend is invalid"),
                503 => answer(503, "the backend has no ready endpoint"),
                s => empty(s),
            };
            edit_headers(r.headers_mut(), &action.response_headers);
            return r;
        }
        _ => {}
    }
    if !action.extensions.is_empty() {
        // This proxy implements no ExtensionRef filter: the spec says 500.
        return answer(500, "ExtensionRef filter not implemented by this proxy");
    }
    let Some(backend) = action.backend else {
        return answer(500, "no backend");
    };
    let policies = action.policies.unwrap_or(&trieway::Policies::EMPTY);
    let nonzero = |d: Option<(&str, Duration)>| d.map(|(_, d)| d).filter(|d| !d.is_zero());
    let request_timeout = nonzero(policies.request_timeout());
    let attempt_timeout = nonzero(policies.backend_request_timeout());
    let retries = if upgrade.is_some() {
        // An upgrade's body is the connection itself: never replayed.
        0
    } else if policies.has_retry() {
        policies
            .retry_attempts()
            .unwrap_or(shared.options.default_retry_attempts)
    } else {
        0
    };
    let codes = policies.retry_codes();
    let backoff = nonzero(policies.retry_backoff()).unwrap_or(shared.options.default_retry_backoff);
    // The body, bounded: over the limit is 413 when Content-Length says so up front.
    let limit = shared.options.max_body_bytes;
    if parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
    {
        return answer(413, "request body over the limit");
    }
    // Streamed to the backend (gRPC streams, uploads) unless it must be sent more than once
    // (retries, mirrors): then it is read whole first.
    let replay = retries > 0 || !action.mirrors.is_empty();
    let (body, stream) = if replay {
        match Limited::new(body, limit).collect().await {
            Ok(c) => (c.to_bytes(), None),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return answer(413, "request body over the limit")
            }
            Err(_) => return answer(400, "request body could not be read"),
        }
    } else {
        (Bytes::new(), Some(Limited::new(body, limit).boxed()))
    };
    // The upstream request head, edited.
    let mut headers = parts.headers.clone();
    strip_hop_by_hop(&mut headers, grpc);
    // Upgrades go to plain HTTP/1.1 backends (not over BackendTLSPolicy TLS, not h2c).
    let upgrade = upgrade.filter(|_| backend.tls_hostname().is_none());
    if let Some((_, protocol)) = &upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, protocol.clone());
    }
    headers.remove(header::HOST);
    edit_headers(&mut headers, &action.request_headers);
    if !action.authority.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&action.authority) {
            headers.insert(header::HOST, v);
        }
    }
    // Only the proxy vouches for a client certificate: a client's own header never passes.
    headers.remove(XFCC);
    if let Some(v) = conn
        .client_cert
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        headers.insert(HeaderName::from_static(XFCC), v);
    }
    if let Ok(v) = HeaderValue::from_str(&conn.peer.ip().to_string()) {
        headers.append(HeaderName::from_static("x-forwarded-for"), v);
    }
    headers.insert(
        HeaderName::from_static("x-forwarded-proto"),
        HeaderValue::from_static(action.scheme),
    );
    let h2 = upgrade.is_none()
        && (grpc
            || route.kind == RouteKind::Grpc
            || backend.app_protocol() == Some("kubernetes.io/h2c"));
    let up = Upstream {
        method: parts.method.clone(),
        path_and_query: action.path_and_query.clone(),
        headers,
        body,
        stream: std::sync::Mutex::new(stream),
        h2,
    };
    // Mirrors: fire and forget, bounded.
    for (mirror, percent) in &action.mirrors {
        if (random() % 10_000) as f64 >= percent * 100.0 {
            continue;
        }
        let Some(addr) =
            shared
                .endpoints
                .load()
                .pick(mirror.namespace(), mirror.name(), mirror.port())
        else {
            continue;
        };
        match Arc::clone(&shared.mirror_slots).try_acquire_owned() {
            Ok(permit) => {
                let shared2 = Arc::clone(shared);
                let mirror_h2 = up.h2 || mirror.app_protocol() == Some("kubernetes.io/h2c");
                let request = up.build(addr, mirror_h2);
                tokio::spawn(async move {
                    let _permit = permit;
                    let send = async {
                        let response = if mirror_h2 {
                            shared2.h2.send(addr, request).await.ok()
                        } else {
                            shared2.client().request(request).await.ok()
                        };
                        if let Some(r) = response {
                            let _ = r.into_body().collect().await;
                        }
                    };
                    let _ = tokio::time::timeout(Duration::from_secs(30), send).await;
                });
            }
            Err(_) => shared.metrics.upstream_error("mirror_dropped"),
        }
    }
    let (ns, name, port) = (backend.namespace(), backend.name(), backend.port());
    let forward = async {
        let mut attempt = 0u32;
        loop {
            let Some(addr) = shared.endpoints.load().pick(ns, name, port) else {
                return (answer(503, "the backend has no endpoint"), "-".to_string());
            };
            let send = async {
                match backend.tls_hostname() {
                    // BackendTLSPolicy: TLS to the backend, verified with the policy's CA.
                    Some(hostname) => {
                        let config = shared.upstream_tls.config(backend, up.h2)?;
                        let req = up.build_tls(hostname);
                        crate::upstream_tls::send(config, hostname, addr, req, up.h2).await
                    }
                    None if up.h2 => shared.h2.send(addr, up.build(addr, true)).await,
                    None => shared
                        .client()
                        .request(up.build(addr, false))
                        .await
                        .map_err(|e| {
                            if body_too_large(&e) {
                                TlsDialError::BodyTooLarge
                            } else if e.is_connect() {
                                TlsDialError::Connect(e.to_string())
                            } else {
                                TlsDialError::Failed(e.to_string())
                            }
                        }),
                }
            };
            let result = match attempt_timeout {
                Some(t) => tokio::time::timeout(t, send).await.map_err(|_| ()),
                None => Ok(send.await),
            };
            let response = match result {
                Err(()) => {
                    shared.metrics.upstream_error("timeout");
                    answer(
                        504,
                        "the backend did not answer in time (backendRequest timeout)",
                    )
                }
                Ok(Err(TlsDialError::Connect(_))) => {
                    shared.metrics.upstream_error("refused");
                    answer(503, "the backend refused the connection")
                }
                Ok(Err(TlsDialError::BodyTooLarge)) => answer(413, "request body over the limit"),
                Ok(Err(TlsDialError::Failed(e))) => {
                    shared.metrics.upstream_error("failed");
                    if shared.options.access_log {
                        eprintln!("upstream {addr}: {e}");
                    }
                    answer(
                        502,
                        "the backend failed (connection closed, TLS or protocol error)",
                    )
                }
                Ok(Ok(r)) => r.map(|b| b.map_err(BoxError::from).boxed()),
            };
            let status = response.status().as_u16();
            if attempt < retries && codes.contains(&status) {
                attempt += 1;
                drop(response);
                tokio::time::sleep(backoff).await;
                continue;
            }
            return (response, addr.to_string());
        }
    };
    let started = tokio::time::Instant::now();
    let (mut response, upstream) = match request_timeout {
        Some(t) => match tokio::time::timeout(t, forward).await {
            Ok(r) => r,
            Err(_) => {
                shared.metrics.upstream_error("timeout");
                return answer(
                    504,
                    "the request did not complete in time (request timeout)",
                );
            }
        },
        None => forward.await,
    };
    log.upstream = upstream;
    if let Some(t) = request_timeout {
        response = response.map(|inner| {
            Deadline {
                inner,
                sleep: Box::pin(tokio::time::sleep_until(started + t)),
            }
            .boxed()
        });
    }
    let switched = response.status() == StatusCode::SWITCHING_PROTOCOLS;
    let upstream_protocol = response.headers().get(header::UPGRADE).cloned();
    strip_hop_by_hop(response.headers_mut(), false);
    match (switched, upgrade, upstream_protocol) {
        (true, Some((client, _)), Some(protocol)) => {
            let backend_side = hyper::upgrade::on(&mut response);
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
            response.headers_mut().insert(header::UPGRADE, protocol);
            tokio::spawn(async move {
                let (Ok(client), Ok(backend_side)) = tokio::join!(client, backend_side) else {
                    return;
                };
                let mut client = TokioIo::new(client);
                let mut backend_side = TokioIo::new(backend_side);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut backend_side).await;
            });
        }
        (true, _, _) => {
            // A 101 for a request that asked for no upgrade the proxy can carry.
            return answer(502, "the backend switched protocols unasked");
        }
        _ => {}
    }
    // The client's connection has its own version (hyper writes the status line from it).
    *response.version_mut() = Version::HTTP_11;
    edit_headers(response.headers_mut(), &action.response_headers);
    if let (Some(session), false) = (&session, session_kept) {
        session.set(&crate::session::token(backend), response.headers_mut());
    }
    response
}

/// Whether the request asks for an HTTP/1.1 protocol upgrade (`Connection: upgrade` and an
/// `Upgrade` header).
fn upgrade_requested(parts: &http::request::Parts) -> bool {
    parts.version == Version::HTTP_11
        && parts.headers.contains_key(header::UPGRADE)
        && parts
            .headers
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
}

fn kind_name(kind: RouteKind) -> &'static str {
    match kind {
        RouteKind::Http => "HTTPRoute",
        RouteKind::Grpc => "GRPCRoute",
        RouteKind::Tls => "TLSRoute",
        RouteKind::Tcp => "TCPRoute",
        RouteKind::Udp => "UDPRoute",
        _ => "Route",
    }
}

/// The body sent upstream: the client's body streamed, or bytes read whole (replayable).
pub type UpstreamBody = BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// Whether an upstream failure is the client's body going over the limit while streamed.
pub(crate) fn body_too_large(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// An upstream request: sent once with the client's body streamed, or several times
/// (retries, mirrors) with the body read whole.
struct Upstream {
    method: Method,
    path_and_query: String,
    headers: HeaderMap,
    body: Bytes,
    /// The client's body, for the one attempt of a request that is not replayed.
    stream: std::sync::Mutex<Option<UpstreamBody>>,
    h2: bool,
}

impl Upstream {
    /// The streamed body the first time, the buffered bytes after that.
    fn body(&self) -> UpstreamBody {
        if let Some(b) = self.stream.lock().ok().and_then(|mut s| s.take()) {
            return b;
        }
        Full::new(self.body.clone())
            .map_err(|never: Infallible| match never {})
            .boxed()
    }

    /// The request for endpoint `addr`. Over HTTP/1.1 (`h2` false) the URI names the
    /// endpoint (the pooled client's key) and the Host header the authority; over HTTP/2 the
    /// URI names the authority (sent as `:authority`; [`crate::h2pool`] dials `addr`).
    fn build(&self, addr: SocketAddr, h2: bool) -> Request<UpstreamBody> {
        let endpoint = addr.to_string();
        let uri = if h2 {
            self.absolute_uri("http", &endpoint)
        } else {
            self.uri_with("http", &endpoint)
                .unwrap_or_else(|| Uri::from_static("/"))
        };
        self.request(uri, h2)
    }

    /// The request for a TLS connection made by hand: origin-form for HTTP/1.1 (the Host
    /// header names the authority), `https://authority/...` for HTTP/2 (the client's
    /// authority as `:authority`, the policy's hostname when there is none).
    fn build_tls(&self, hostname: &str) -> Request<UpstreamBody> {
        let uri = if self.h2 {
            self.absolute_uri("https", hostname)
        } else {
            self.path_and_query
                .parse()
                .unwrap_or_else(|_| Uri::from_static("/"))
        };
        self.request(uri, self.h2)
    }

    /// `scheme://authority{path_and_query}`, if it parses.
    fn uri_with(&self, scheme: &str, authority: &str) -> Option<Uri> {
        format!("{scheme}://{authority}{}", self.path_and_query)
            .parse()
            .ok()
    }

    /// The absolute URI naming the client's authority (the Host header, after any rewrite),
    /// or `fallback` when there is none or it does not parse.
    fn absolute_uri(&self, scheme: &str, fallback: &str) -> Uri {
        self.headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .and_then(|a| self.uri_with(scheme, a))
            .or_else(|| self.uri_with(scheme, fallback))
            .unwrap_or_else(|| Uri::from_static("/"))
    }

    /// The request to `uri`: HTTP/2 without a Host header (it may not differ from
    /// `:authority`, RFC 9113 §8.3.1), HTTP/1.1 with it.
    fn request(&self, uri: Uri, h2: bool) -> Request<UpstreamBody> {
        let mut r = Request::new(self.body());
        *r.method_mut() = self.method.clone();
        *r.uri_mut() = uri;
        *r.headers_mut() = self.headers.clone();
        if h2 {
            r.headers_mut().remove(header::HOST);
        }
        *r.version_mut() = if h2 {
            Version::HTTP_2
        } else {
            Version::HTTP_11
        };
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding() {
        assert!(valid_percent_encoding("/a%20b"));
        assert!(valid_percent_encoding(""));
        assert!(!valid_percent_encoding("/a%2"));
        assert!(!valid_percent_encoding("/a%"));
        assert!(!valid_percent_encoding("/a%zz"));
    }

    #[test]
    fn header_edits_follow_the_engine() {
        let mut map = HeaderMap::new();
        map.append("x-tag", HeaderValue::from_static("a"));
        map.append("x-tag", HeaderValue::from_static("b"));
        map.append("x-gone", HeaderValue::from_static("1"));
        let edits = [
            HeaderEdit {
                op: EditOp::Add,
                name: "X-Tag".into(),
                value: "c".into(),
            },
            HeaderEdit {
                op: EditOp::Set,
                name: "x-new".into(),
                value: "1".into(),
            },
            HeaderEdit {
                op: EditOp::Remove,
                name: "X-Gone".into(),
                value: "".into(),
            },
        ];
        edit_headers(&mut map, &edits);
        let tags: Vec<_> = map
            .get_all("x-tag")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(tags, ["a", "b,c"]);
        assert_eq!(map.get("x-new").unwrap(), "1");
        assert!(map.get("x-gone").is_none());
        // The same as the engine's own line editor.
        let mut lines = vec![
            ("x-tag".to_string(), "a".to_string()),
            ("x-tag".to_string(), "b".to_string()),
            ("x-gone".to_string(), "1".to_string()),
        ];
        HeaderEdit::edit_lines(&edits, &mut lines);
        assert_eq!(lines[1], ("x-tag".to_string(), "b,c".to_string()));
    }

    #[test]
    fn random_spreads() {
        let mut low = 0;
        for _ in 0..10_000 {
            if random().is_multiple_of(4) {
                low += 1;
            }
        }
        assert!((2_200..2_800).contains(&low), "{low}");
    }
}
