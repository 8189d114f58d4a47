//! Test support: upstream servers in the test process (HTTP/1.1 + h2c echo, TCP and UDP
//! echo, a TLS echo for passthrough), a proxy started on free ports, and clients.
#![allow(dead_code)]

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use trieway_proxy::backends::BackendOverride;
use trieway_proxy::{Proxy, ProxyOptions, RunningProxy};

/// A response body of chunks, then optionally trailers or an error (a reset mid-response).
pub struct TestBody {
    chunks: Vec<Bytes>,
    trailers: Option<http::HeaderMap>,
    fail: bool,
    /// A wait before the first chunk (`/slowbody`: the head goes out at once, the body late).
    stall: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(stall) = self.stall.as_mut() {
            if std::future::Future::poll(stall.as_mut(), cx).is_pending() {
                return Poll::Pending;
            }
            self.stall = None;
        }
        if !self.chunks.is_empty() {
            let c = self.chunks.remove(0);
            return Poll::Ready(Some(Ok(Frame::data(c))));
        }
        if self.fail {
            self.fail = false;
            return Poll::Ready(Some(Err(std::io::Error::other("reset mid-response"))));
        }
        match self.trailers.take() {
            Some(t) => Poll::Ready(Some(Ok(Frame::trailers(t)))),
            None => Poll::Ready(None),
        }
    }
    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

/// An upstream: its address and how many requests it answered.
#[derive(Clone)]
pub struct Upstream {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    pub name: String,
}

impl Upstream {
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn echo(
    name: Arc<str>,
    hits: Arc<AtomicUsize>,
    req: Request<Incoming>,
) -> Result<Response<TestBody>, Infallible> {
    let n = hits.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path().to_string();
    let grpc = req
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    let headers: serde_json::Map<String, serde_json::Value> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                serde_json::Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    let method = req.method().to_string();
    let uri = req.uri().to_string();
    let version = format!("{:?}", req.version());
    let body = req
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    if path.starts_with("/slow") {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    if path.contains("/hang") {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    let json = serde_json::json!({
        "upstream": &*name,
        "method": method,
        "uri": uri,
        "version": version,
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    });
    let mut status = StatusCode::OK;
    if let Some(code) = path.strip_prefix("/status/") {
        status = code
            .parse::<u16>()
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::OK);
    }
    // `/flaky`: the first request of this upstream fails with 503.
    if path.starts_with("/flaky") && n == 0 {
        status = StatusCode::SERVICE_UNAVAILABLE;
    }
    let mut body = TestBody {
        chunks: vec![Bytes::from(json.to_string())],
        trailers: None,
        fail: path.starts_with("/reset"),
        stall: path
            .contains("/slowbody")
            .then(|| Box::pin(tokio::time::sleep(Duration::from_secs(5)))),
    };
    if grpc {
        // A gRPC message frame (uncompressed, the JSON as payload) and a grpc-status trailer.
        let payload = json.to_string();
        let mut frame = vec![0u8];
        frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        frame.extend_from_slice(payload.as_bytes());
        body.chunks = vec![Bytes::from(frame)];
        let mut t = http::HeaderMap::new();
        t.insert("grpc-status", http::HeaderValue::from_static("0"));
        body.trailers = Some(t);
    }
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert("x-upstream", name.parse().unwrap());
    if grpc {
        r.headers_mut().insert(
            "content-type",
            http::HeaderValue::from_static("application/grpc"),
        );
    }
    Ok(r)
}

/// An HTTP/1.1 + h2c echo server on 127.0.0.1.
pub async fn upstream(name: &str) -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let (n, h) = (Arc::<str>::from(name), Arc::clone(&hits));
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = listener.accept().await else {
                continue;
            };
            let (n, h) = (Arc::clone(&n), Arc::clone(&h));
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    echo(Arc::clone(&n), Arc::clone(&h), req)
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(s), svc)
                    .await;
            });
        }
    });
    Upstream {
        addr,
        hits,
        name: name.to_string(),
    }
}

/// An address nothing listens on (bound, then closed).
pub async fn refused_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap();
    drop(l);
    a
}

/// A TCP echo server.
pub async fn tcp_echo() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

/// A UDP echo server (answers `echo:` + datagram).
pub async fn udp_echo() -> SocketAddr {
    let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = s.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = s.recv_from(&mut buf).await {
            let mut out = b"echo:".to_vec();
            out.extend_from_slice(&buf[..n]);
            let _ = s.send_to(&out, from).await;
        }
    });
    addr
}

/// A directory with the configuration, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "trieway-proxy-test-{}-{tag}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn write(&self, name: &str, text: &str) {
        // Write then rename: a reload never reads a half-written file.
        let tmp = self.0.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(tmp, self.0.join(name)).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The proxy on free ports for `yaml`, Services mapped to addresses (`NS/NAME=addr`).
pub async fn proxy(
    yaml: &str,
    backends: &[(&str, SocketAddr)],
    watch: bool,
) -> (RunningProxy, TempDir) {
    proxy_with(yaml, backends, |o| o.watch = watch).await
}

pub async fn proxy_with(
    yaml: &str,
    backends: &[(&str, SocketAddr)],
    tweak: impl FnOnce(&mut ProxyOptions),
) -> (RunningProxy, TempDir) {
    let dir = TempDir::new("cfg");
    dir.write("gateway.yaml", yaml);
    let mut o = ProxyOptions::new(&dir.0);
    o.ephemeral_ports = true;
    o.listen_ip = "127.0.0.1".parse().unwrap();
    o.admin_addr = Some("127.0.0.1:0".parse().unwrap());
    o.access_log = std::env::var_os("TRIEWAY_PROXY_TEST_LOG").is_some();
    o.debounce = Duration::from_millis(10);
    o.backends = backends
        .iter()
        .map(|(k, a)| format!("{k}={a}").parse::<BackendOverride>().unwrap())
        .collect();
    tweak(&mut o);
    let p = Proxy::start(o).await.unwrap();
    (p, dir)
}

pub type TestClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

pub fn client() -> TestClient {
    Client::builder(TokioExecutor::new()).build_http()
}

pub fn h2_client() -> TestClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http()
}

/// A finished response: status, headers, body text.
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
    pub trailers: Option<http::HeaderMap>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    pub fn upstream(&self) -> String {
        self.headers
            .get("x-upstream")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

pub async fn send(
    client: &TestClient,
    addr: SocketAddr,
    method: &str,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Result<Answer, String> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{target}"))
        .header("host", host);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::new())).unwrap();
    let resp = client.request(req).await.map_err(|e| format!("{e:?}"))?;
    read_answer(resp).await
}

/// A response read whole: status, headers, body (lossy UTF-8) and trailers.
async fn read_answer(resp: Response<Incoming>) -> Result<Answer, String> {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let collected = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e:?}"))?;
    let trailers = collected.trailers().cloned();
    let body = String::from_utf8_lossy(&collected.to_bytes()).into_owned();
    Ok(Answer {
        status,
        headers,
        body,
        trailers,
    })
}

pub async fn get(client: &TestClient, addr: SocketAddr, host: &str, target: &str) -> Answer {
    send(client, addr, "GET", host, target, &[]).await.unwrap()
}

/// Sends raw bytes on a new connection and returns what comes back until close (bounded).
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// One HTTP/2 (prior knowledge) request on a new connection, with `:authority` = `authority`.
pub async fn h2_send(
    addr: SocketAddr,
    method: &str,
    authority: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Result<Answer, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .map_err(|e| format!("{e:?}"))?;
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(format!("http://{authority}{target}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::new())).unwrap();
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("{e:?}"))?;
    read_answer(resp).await
}

/// A self-signed certificate for `names`: (certificate PEM, key PEM, DER for a root store).
pub fn cert(names: &[&str]) -> (String, String, rustls_pki_types::CertificateDer<'static>) {
    let c =
        rcgen::generate_simple_self_signed(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    (
        c.cert.pem(),
        c.signing_key.serialize_pem(),
        c.cert.der().clone(),
    )
}

/// A TLS upstream (its own certificate, unknown to the proxy) serving the echo over HTTP/1.1.
pub async fn tls_upstream(name: &str, cert_pem: &str, key_pem: &str) -> Upstream {
    let key = trieway_proxy::certs::certified_key(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(key.cert.clone(), {
        use rustls_pki_types::pem::PemObject;
        rustls_pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap()
    })
    .unwrap();
    let mut config = config;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let (n, h) = (Arc::<str>::from(name), Arc::clone(&hits));
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = listener.accept().await else {
                continue;
            };
            let (n, h, acceptor) = (Arc::clone(&n), Arc::clone(&h), acceptor.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(s).await else {
                    return;
                };
                let svc = hyper::service::service_fn(move |req| {
                    echo(Arc::clone(&n), Arc::clone(&h), req)
                });
                // HTTP/1.1 or HTTP/2, as ALPN chose.
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    Upstream {
        addr,
        hits,
        name: name.to_string(),
    }
}

/// One request over TLS to `addr` with server name `sni`, trusting `roots`; HTTP/2 when the
/// server picks `h2` by ALPN (offered when `h2`), else HTTP/1.1. Returns the answer and the
/// protocol negotiated.
pub async fn tls_request(
    addr: SocketAddr,
    sni: &str,
    host: &str,
    target: &str,
    roots: &[rustls_pki_types::CertificateDer<'static>],
    h2: bool,
) -> Result<(Answer, Option<Vec<u8>>), String> {
    tls_request_as(addr, sni, host, target, roots, h2, None).await
}

/// [`tls_request`], presenting `client` (certificate PEM, key PEM) when the server asks for a
/// client certificate. Every request carries a forged `x-forwarded-client-cert`
/// ([`FORGED_XFCC`]), which the proxy must never pass on.
/// The `x-forwarded-client-cert` value [`tls_request_as`] forges on every request.
pub const FORGED_XFCC: &str = "Hash=forged-by-the-client";

pub async fn tls_request_as(
    addr: SocketAddr,
    sni: &str,
    host: &str,
    target: &str,
    roots: &[rustls_pki_types::CertificateDer<'static>],
    h2: bool,
    client: Option<(&str, &str)>,
) -> Result<(Answer, Option<Vec<u8>>), String> {
    let mut store = rustls::RootCertStore::empty();
    for r in roots {
        store.add(r.clone()).unwrap();
    }
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(store);
    let mut config = match client {
        Some((crt, key)) => {
            use rustls_pki_types::pem::PemObject;
            let chain = rustls_pki_types::CertificateDer::pem_slice_iter(crt.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = if h2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let name =
        rustls_pki_types::ServerName::try_from(sni.to_string()).map_err(|e| e.to_string())?;
    let tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let alpn = tls.get_ref().1.alpn_protocol().map(|p| p.to_vec());
    let io = TokioIo::new(tls);
    let resp = if alpn.as_deref() == Some(b"h2") {
        let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(|e| format!("{e:?}"))?;
        tokio::spawn(conn);
        let req = Request::builder()
            .uri(format!("https://{host}{target}"))
            .header("x-forwarded-client-cert", FORGED_XFCC)
            .body(Full::new(Bytes::new()))
            .unwrap();
        sender
            .send_request(req)
            .await
            .map_err(|e| format!("{e:?}"))?
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| format!("{e:?}"))?;
        tokio::spawn(conn);
        let req = Request::builder()
            .uri(target)
            .header("host", host)
            .header("x-forwarded-client-cert", FORGED_XFCC)
            .body(Full::new(Bytes::new()))
            .unwrap();
        sender
            .send_request(req)
            .await
            .map_err(|e| format!("{e:?}"))?
    };
    Ok((read_answer(resp).await?, alpn))
}

/// Polls `cond` every 5 ms until it holds, for at most 30 s (a bound for slow machines, not
/// a timing assertion); returns whether it held.
pub async fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..6000 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cond()
}
