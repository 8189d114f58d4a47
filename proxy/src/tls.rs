//! TLS ports (HTTPS and TLS listeners): the ClientHello is read first (bounded in size and
//! time) and its SNI routed with `Router::route_tls`:
//! - a TLSRoute of a `Passthrough` listener: the bytes read so far, then the rest of the
//!   connection, are spliced to the backend, never decrypted;
//! - a TLSRoute of a `Terminate` listener: TLS is terminated and the plaintext spliced;
//! - an HTTPS listener: TLS is terminated with the listener certificate that the SNI selects
//!   (ALPN `h2`, `http/1.1`) and the requests are routed with the SNI, so that a Host naming
//!   another listener gets 421;
//! - anything else (no SNI, no listener, no route): the connection is closed.
//!
//! The ClientHello is parsed by rustls itself (`rustls::server::Acceptor`), which only
//! reads it: the same bytes are then replayed to the backend or to the TLS acceptor.

use crate::certs::PortResolver;
use crate::http::ConnInfo;
use crate::server::Shared;
use hyper_util::server::graceful::Watcher as GracefulWatcher;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use trieway::tls::{ClientCertificate, ClientDecision};
use trieway::{Target, TlsOutcome};

/// Largest ClientHello read before routing (TLS records are at most 16 KiB plus header).
pub const MAX_CLIENT_HELLO: usize = 16 * 1024 + 5;
/// Time a client has to send its ClientHello.
pub const CLIENT_HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// A stream that first yields bytes already read from it.
#[derive(Debug)]
pub struct Prefixed<S> {
    prefix: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    /// `prefix`, then whatever `inner` yields.
    pub fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            pos: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos < this.prefix.len() {
            let n = (this.prefix.len() - this.pos).min(buf.remaining());
            buf.put_slice(&this.prefix[this.pos..this.pos + n]);
            this.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Reads until rustls has a whole ClientHello; returns the bytes read and the SNI.
/// `Err` for a connection that is not TLS, too large a hello, or a timeout.
pub async fn read_client_hello<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> Result<(Vec<u8>, Option<String>), String> {
    let mut acceptor = rustls::server::Acceptor::default();
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let read = async {
        loop {
            let n = stream
                .read(&mut chunk)
                .await
                .map_err(|e| format!("reading the ClientHello: {e}"))?;
            if n == 0 {
                return Err("connection closed before a ClientHello".to_string());
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() > MAX_CLIENT_HELLO {
                return Err(format!("ClientHello over {MAX_CLIENT_HELLO} bytes"));
            }
            let mut rd: &[u8] = &chunk[..n];
            while !rd.is_empty() {
                acceptor
                    .read_tls(&mut rd)
                    .map_err(|e| format!("not TLS: {e}"))?;
            }
            match acceptor.accept() {
                Ok(Some(accepted)) => {
                    return Ok(accepted.client_hello().server_name().map(str::to_string))
                }
                Ok(None) => continue,
                Err((e, _)) => return Err(format!("invalid ClientHello: {e}")),
            }
        }
    };
    let sni = tokio::time::timeout(CLIENT_HELLO_TIMEOUT, read)
        .await
        .map_err(|_| "no ClientHello in time".to_string())??;
    Ok((buf, sni))
}

/// The rustls configuration of a port (built once per port and ALPN choice, and again after
/// a reload; the certificates it presents follow reloads through the shared table).
fn server_config(shared: &Shared, port: u16, alpn: bool) -> Arc<rustls::ServerConfig> {
    if let Some(c) = shared
        .tls_configs
        .lock()
        .ok()
        .and_then(|m| m.get(&(port, alpn)).cloned())
    {
        return c;
    }
    // Client certificates are asked for on HTTPS (ALPN) connections of a port that validates
    // them (`spec.tls.frontend` applies to HTTPS listeners).
    let verifier = alpn
        .then(|| shared.certs.load().client_verifier(port))
        .flatten();
    let builder = rustls::ServerConfig::builder();
    let builder = match verifier {
        Some(v) => builder.with_client_cert_verifier(v),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(Arc::new(PortResolver {
        port,
        table: Arc::clone(&shared.certs),
    }));
    if alpn {
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    }
    let config = Arc::new(config);
    if let Ok(mut m) = shared.tls_configs.lock() {
        m.insert((port, alpn), Arc::clone(&config));
    }
    config
}

/// Serves one connection of a TLS port.
pub async fn serve(
    shared: Arc<Shared>,
    mut stream: TcpStream,
    port: u16,
    peer: SocketAddr,
    watcher: Option<GracefulWatcher>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let (hello, sni) = match read_client_hello(&mut stream).await {
        Ok(x) => x,
        Err(e) => {
            if shared.options.access_log {
                eprintln!("{peer} port={port} tls: {e}");
            }
            return;
        }
    };
    let snapshot = Arc::clone(&*shared.live.load());
    let router = snapshot.router();
    match router.route_tls(port, sni.as_deref()) {
        TlsOutcome::Forward(m) => {
            let Target::Backend(b) = m.pick(crate::http::random()) else {
                return;
            };
            let Some(addr) = shared
                .endpoints
                .load()
                .pick(b.namespace(), b.name(), b.port())
            else {
                return;
            };
            let route = m.route();
            if shared.options.access_log {
                eprintln!(
                    "{peer} port={port} tls sni={} route=TLSRoute/{}/{} passthrough={} upstream={addr}",
                    sni.as_deref().unwrap_or("-"),
                    route.namespace,
                    route.name,
                    m.passthrough()
                );
            }
            let passthrough = m.passthrough();
            drop(snapshot);
            // Spliced connections do not hold up a graceful shutdown: they end with it.
            drop(watcher);
            let Ok(mut upstream) = TcpStream::connect(addr).await else {
                shared.metrics.upstream_error("refused");
                return;
            };
            let _ = upstream.set_nodelay(true);
            if passthrough {
                if upstream.write_all(&hello).await.is_err() {
                    return;
                }
                crate::l4::splice(&mut stream, &mut upstream, stop).await;
            } else {
                let acceptor = tokio_rustls::TlsAcceptor::from(server_config(&shared, port, false));
                let Ok(mut tls) = acceptor.accept(Prefixed::new(hello, stream)).await else {
                    return;
                };
                crate::l4::splice(&mut tls, &mut upstream, stop).await;
            }
        }
        TlsOutcome::Http => {
            drop(snapshot);
            let acceptor = tokio_rustls::TlsAcceptor::from(server_config(&shared, port, true));
            let tls = match acceptor.accept(Prefixed::new(hello, stream)).await {
                Ok(t) => t,
                Err(e) => {
                    if shared.options.access_log {
                        eprintln!("{peer} port={port} tls handshake: {e}");
                    }
                    return;
                }
            };
            let chain = tls.get_ref().1.peer_certificates().unwrap_or(&[]);
            let mut client_cert = None;
            let (decision, class) = shared.certs.load().client_decision(port, chain);
            match decision {
                ClientDecision::Accept => {
                    // Vouched for only when the port's CA bundle validated it.
                    if class == ClientCertificate::Valid {
                        client_cert = chain
                            .first()
                            .map(|leaf| Arc::from(crate::http::client_cert_header(leaf)));
                    }
                }
                ClientDecision::Reject => {
                    shared.metrics.client_certificate("rejected");
                    if shared.options.access_log {
                        eprintln!(
                            "{peer} port={port} tls sni={}: client certificate {}: rejected (spec.tls.frontend)",
                            sni.as_deref().unwrap_or("-"),
                            if chain.is_empty() { "absent" } else { "not valid" }
                        );
                    }
                    let mut tls = tls;
                    let _ = tls.shutdown().await;
                    return;
                }
                ClientDecision::InsecureFallback => {
                    shared.metrics.client_certificate("insecure_fallback");
                    if shared.options.access_log {
                        eprintln!(
                            "{peer} port={port} tls sni={}: client certificate {}: served unauthenticated (AllowInsecureFallback)",
                            sni.as_deref().unwrap_or("-"),
                            if chain.is_empty() { "absent" } else { "not valid" }
                        );
                    }
                }
            }
            let conn = ConnInfo {
                port,
                sni: sni.map(Arc::from),
                tls: true,
                peer,
                client_cert,
            };
            crate::server::serve_http(Arc::clone(&shared), tls, conn, watcher).await;
        }
        _ => {
            if shared.options.access_log {
                eprintln!(
                    "{peer} port={port} tls sni={}: no listener or route, closed",
                    sni.as_deref().unwrap_or("-")
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn client_hello_sni_is_read_and_bounded() {
        // A real ClientHello from rustls's client.
        let roots = rustls::RootCertStore::empty();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls_pki_types::ServerName::try_from("pass.example.com").unwrap();
        let mut client = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
        let mut hello = Vec::new();
        client.write_tls(&mut hello).unwrap();
        // Delivered one byte at a time, it is still found.
        let (mut a, mut b) = tokio::io::duplex(64);
        let h = hello.clone();
        tokio::spawn(async move {
            for byte in h {
                a.write_all(&[byte]).await.unwrap();
            }
            // keep the writer open until the reader is done
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let (read, sni) = read_client_hello(&mut b).await.unwrap();
        assert_eq!(sni.as_deref(), Some("pass.example.com"));
        assert_eq!(read, hello);
        // Not TLS.
        let mut plain: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        let e = read_client_hello(&mut plain).await.unwrap_err();
        assert!(e.contains("TLS") || e.contains("ClientHello"), "{e}");
        // A record header announcing more than the bound, then junk: refused, not buffered.
        let mut big = vec![0x16, 0x03, 0x01, 0xff, 0xff];
        big.extend(std::iter::repeat_n(0u8, 70_000));
        let mut r: &[u8] = &big;
        assert!(read_client_hello(&mut r).await.is_err());
    }
}
