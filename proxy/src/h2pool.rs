//! HTTP/2 with prior knowledge (h2c) to backends: one multiplexed connection per endpoint.
//!
//! hyper-util's pooled client keys its connections by the request URI's authority, so a
//! request sent through it must name the endpoint (`http://10.0.0.7:50051/...`) and the
//! backend sees that address as `:authority`. Over HTTP/2 the Host header may not differ from
//! `:authority` (RFC 9113 §8.3.1), so the client's authority would be lost. This pool is keyed
//! by the endpoint address instead: the request URI carries the client's authority (after any
//! `URLRewrite` hostname), which hyper sends as `:authority`, and no Host header goes along.
//!
//! A connection is reused while it is open and was used within [`IDLE`]; a closed one is
//! replaced on the next request. Connection attempts time out after [`CONNECT_TIMEOUT`].

use crate::http::UpstreamBody;
use crate::upstream_tls::TlsDialError;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// How long an unused connection is kept.
pub const IDLE: Duration = Duration::from_secs(30);
/// How long a TCP connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One HTTP/2 connection per endpoint address.
#[derive(Default)]
pub struct H2Pool {
    conns: Mutex<HashMap<SocketAddr, (SendRequest<UpstreamBody>, Instant)>>,
}

impl std::fmt::Debug for H2Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.conns.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("H2Pool").field("connections", &n).finish()
    }
}

impl H2Pool {
    /// Sends `req` (absolute-form URI naming the authority the backend should see) to `addr`
    /// over the endpoint's pooled connection, opening one when there is none.
    pub async fn send(
        &self,
        addr: SocketAddr,
        mut req: Request<UpstreamBody>,
    ) -> Result<Response<Incoming>, TlsDialError> {
        req.headers_mut().remove(http::header::HOST);
        let mut sender = match self.pooled(addr) {
            Some(s) => s,
            None => self.connect(addr).await?,
        };
        sender.ready().await.map_err(failed)?;
        sender.send_request(req).await.map_err(failed)
    }

    /// Number of pooled connections (open or not yet noticed closed).
    pub fn len(&self) -> usize {
        self.conns.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether no connection is pooled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn pooled(&self, addr: SocketAddr) -> Option<SendRequest<UpstreamBody>> {
        let mut conns = self.conns.lock().ok()?;
        let now = Instant::now();
        match conns.get_mut(&addr) {
            Some((s, used)) if !s.is_closed() && now.duration_since(*used) < IDLE => {
                *used = now;
                Some(s.clone())
            }
            Some(_) => {
                conns.remove(&addr);
                None
            }
            None => None,
        }
    }

    async fn connect(&self, addr: SocketAddr) -> Result<SendRequest<UpstreamBody>, TlsDialError> {
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| TlsDialError::Connect(format!("{addr}: connect timed out")))?
            .map_err(|e| TlsDialError::Connect(format!("{addr}: {e}")))?;
        let _ = tcp.set_nodelay(true);
        let (sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
                .await
                .map_err(failed)?;
        tokio::spawn(conn);
        if let Ok(mut conns) = self.conns.lock() {
            let now = Instant::now();
            // Forget connections that closed or went idle (endpoints gone after a reload).
            conns.retain(|_, (s, used)| !s.is_closed() && now.duration_since(*used) < IDLE);
            conns.insert(addr, (sender.clone(), now));
        }
        Ok(sender)
    }
}

fn failed(e: hyper::Error) -> TlsDialError {
    if crate::http::body_too_large(&e) {
        TlsDialError::BodyTooLarge
    } else {
        TlsDialError::Failed(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http_body_util::{BodyExt, Empty, Full};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// An h2c server on 127.0.0.1 that answers each request with the `:authority` and Host
    /// it saw, and counts connections.
    async fn server() -> (SocketAddr, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let conns = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&conns);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let svc = hyper::service::service_fn(|req: Request<Incoming>| async move {
                    let seen = format!(
                        "{} {:?}",
                        req.uri().authority().map(|a| a.as_str()).unwrap_or("-"),
                        req.headers().get("host")
                    );
                    Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from(seen))))
                });
                tokio::spawn(
                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tcp), svc),
                );
            }
        });
        (addr, conns)
    }

    fn request(authority: &str) -> Request<UpstreamBody> {
        let mut r = Request::new(Empty::new().map_err(|never| match never {}).boxed());
        *r.uri_mut() = format!("http://{authority}/x").parse().unwrap();
        *r.version_mut() = http::Version::HTTP_2;
        r.headers_mut()
            .insert(http::header::HOST, authority.parse().unwrap());
        r
    }

    async fn text(r: Response<Incoming>) -> String {
        let body = r.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn one_connection_per_endpoint_and_the_clients_authority() {
        let (a, a_conns) = server().await;
        let (b, b_conns) = server().await;
        let pool = H2Pool::default();
        for i in 0..5 {
            let host = format!("tenant-{i}.example.com");
            let r = pool.send(a, request(&host)).await.unwrap();
            // `:authority` is the client's, not the endpoint's, and no Host header differs.
            assert_eq!(text(r).await, format!("{host} None"));
        }
        let r = pool.send(b, request("api.example.com:8080")).await.unwrap();
        assert_eq!(text(r).await, "api.example.com:8080 None");
        assert_eq!(a_conns.load(Ordering::SeqCst), 1);
        assert_eq!(b_conns.load(Ordering::SeqCst), 1);
        assert_eq!(pool.len(), 2);
    }

    #[tokio::test]
    async fn refused_is_a_connect_error() {
        // Bind and drop: nothing listens on the port any more.
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let err = H2Pool::default()
            .send(addr, request("a.example.com"))
            .await
            .unwrap_err();
        assert!(matches!(err, TlsDialError::Connect(_)), "{err:?}");
    }
}
