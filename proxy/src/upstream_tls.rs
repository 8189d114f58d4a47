//! Dialing a backend over TLS when a BackendTLSPolicy applies to its Service port
//! (`Backend::tls_policy`): SNI and verified name `Backend::tls_hostname`, trust anchors the
//! policy's CA bundle (`Backend::tls_ca_bundle`, the `ca.crt` of its ConfigMaps).
//!
//! Simplifications of this reference proxy, each refused rather than loosened: a policy that
//! asks for the system roots (`wellKnownCACertificates: System`) gets 502, as the proxy ships
//! no root store, and so does one with `subjectAltNames` (the certificate is verified against
//! the hostname only; accepting it when the policy names other identities would loosen it).
//! Connections to TLS backends are not pooled (one per request).

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::ClientConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;
use trieway::Backend;

/// Why an attempt to a TLS backend failed.
#[derive(Debug)]
pub enum TlsDialError {
    /// The TCP connection was refused or could not be made (503).
    Connect(String),
    /// The policy cannot be honoured, the handshake or the exchange failed (502).
    Failed(String),
    /// The client's streamed body went over the limit (413).
    BodyTooLarge,
}

/// Client configurations by CA bundle, built once.
#[derive(Debug, Default)]
pub struct UpstreamTls {
    configs: Mutex<HashMap<(String, bool), Arc<ClientConfig>>>,
}

impl UpstreamTls {
    /// The client configuration for the backend's policy.
    pub fn config(&self, backend: &Backend, h2: bool) -> Result<Arc<ClientConfig>, TlsDialError> {
        if !backend.tls_subject_alt_names().is_empty() {
            // Verifying the hostname instead would accept certificates the policy refuses.
            return Err(TlsDialError::Failed(format!(
                "BackendTLSPolicy {}: subjectAltNames are not supported by this proxy",
                backend.tls_policy().unwrap_or("-")
            )));
        }
        let Some(bundle) = backend.tls_ca_bundle() else {
            return Err(TlsDialError::Failed(format!(
                "BackendTLSPolicy {}: system roots are not supported by this proxy",
                backend.tls_policy().unwrap_or("-")
            )));
        };
        let key = (bundle.to_string(), h2);
        if let Some(c) = self.configs.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(c);
        }
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(bundle.as_bytes()).flatten() {
            let _ = roots.add(cert);
        }
        if roots.is_empty() {
            return Err(TlsDialError::Failed(format!(
                "BackendTLSPolicy {}: no usable CA certificate",
                backend.tls_policy().unwrap_or("-")
            )));
        }
        let mut config = ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![if h2 {
            b"h2".to_vec()
        } else {
            b"http/1.1".to_vec()
        }];
        let config = Arc::new(config);
        if let Ok(mut m) = self.configs.lock() {
            m.insert(key, Arc::clone(&config));
        }
        Ok(config)
    }
}

/// Sends one request to `addr` over a new TLS connection with server name `hostname`.
pub async fn send(
    config: Arc<ClientConfig>,
    hostname: &str,
    addr: SocketAddr,
    req: Request<crate::http::UpstreamBody>,
    h2: bool,
) -> Result<Response<Incoming>, TlsDialError> {
    let name = ServerName::try_from(hostname.to_string())
        .map_err(|e| TlsDialError::Failed(format!("hostname {hostname}: {e}")))?;
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| TlsDialError::Connect(e.to_string()))?;
    let _ = tcp.set_nodelay(true);
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| TlsDialError::Failed(format!("TLS to {addr} ({hostname}): {e}")))?;
    let io = TokioIo::new(tls);
    let failed = |e: hyper::Error| {
        if crate::http::body_too_large(&e) {
            TlsDialError::BodyTooLarge
        } else {
            TlsDialError::Failed(e.to_string())
        }
    };
    if h2 {
        let (mut sender, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io)
            .await
            .map_err(failed)?;
        tokio::spawn(conn);
        sender.send_request(req).await.map_err(failed)
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
            .await
            .map_err(failed)?;
        tokio::spawn(conn);
        sender.send_request(req).await.map_err(failed)
    }
}
