//! Listener certificates: what the engine resolves for each TLS-terminating listener
//! (`Router::listener_certificates`: the valid `certificateRefs` of every usable HTTPS or
//! TLS-Terminate listener, each Secret's `tls.crt` and `tls.key` already checked), turned
//! into rustls keys, and their selection by SNI with `Router::certificate_for`.
//!
//! A Secret the engine refuses (`ResolvedRefs=False/InvalidCertificateRef`) is not in its
//! tables, so it is never served; a listener left without a usable certificate fails the
//! handshake.
//!
//! Client certificates (`spec.tls.frontend`, `Router::frontend_validation`): on a port that
//! validates them, the handshake asks for one ([`FrontendVerifier`]: any certificate is taken
//! during the handshake, whose signature still proves the client holds its key), and after
//! the handshake [`CertTable::client_decision`] classifies it against the port's CA bundle
//! (absent, valid, invalid) and asks the engine what to do (`client_certificate_decision`):
//! accept, reject (`AllowValidOnly`), or serve as unauthenticated (`AllowInsecureFallback`).

use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use std::collections::HashMap;
use std::sync::Arc;
use trieway::tls::{ClientCertificate, ClientDecision};
use trieway::Router;

/// The certificates of every TLS-terminating listener of the served Gateway, and the Router
/// whose SNI selection picks among them (the two always come from the same configuration).
#[derive(Debug, Default)]
pub struct CertTable {
    router: Option<Router>,
    /// port -> listener name -> the listener's usable keys, in `certificateRefs` order.
    by_listener: HashMap<u16, HashMap<String, Vec<Arc<CertifiedKey>>>>,
    /// port -> the client-certificate verifier of a port that validates them with at least
    /// one usable CA certificate.
    verifiers: HashMap<u16, Arc<FrontendVerifier>>,
}

/// The client-certificate verifier of a port with `spec.tls.frontend` validation.
///
/// During the handshake it asks for a certificate without requiring one and takes whatever
/// chain is presented (the handshake signature is still checked, so the client holds the
/// certificate's key); the chain is judged after the handshake by [`CertTable::client_decision`]
/// with the WebPKI verifier over the port's CA bundle, so that `AllowInsecureFallback` can serve
/// a client whose certificate does not verify.
#[derive(Debug)]
pub struct FrontendVerifier {
    webpki: Arc<dyn ClientCertVerifier>,
}

impl FrontendVerifier {
    /// The verifier for the CA certificates in `ca_bundle_pem`.
    pub fn new(ca_bundle_pem: &str) -> Result<FrontendVerifier, String> {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca_bundle_pem.as_bytes()) {
            let c = c.map_err(|e| format!("ca.crt: {e}"))?;
            roots.add(c).map_err(|e| format!("ca.crt: {e}"))?;
        }
        let webpki = WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .allow_unauthenticated()
        .build()
        .map_err(|e| format!("ca.crt: {e}"))?;
        Ok(FrontendVerifier { webpki })
    }

    /// Whether `chain` (leaf first; empty: none presented) verifies against the CA bundle.
    pub fn classify(&self, chain: &[CertificateDer<'_>]) -> ClientCertificate {
        let Some((leaf, intermediates)) = chain.split_first() else {
            return ClientCertificate::Absent;
        };
        match self
            .webpki
            .verify_client_cert(leaf, intermediates, UnixTime::now())
        {
            Ok(_) => ClientCertificate::Valid,
            Err(_) => ClientCertificate::Invalid,
        }
    }
}

impl ClientCertVerifier for FrontendVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        self.webpki.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        // Judged after the handshake (`classify`), so that a fallback mode can serve it.
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// A certificate chain and key from PEM.
pub fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("tls.crt: {e}"))?;
    if certs.is_empty() {
        return Err("tls.crt: no certificate".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("tls.key: {e}"))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| format!("tls.key: {e}"))?;
    Ok(CertifiedKey::new(certs, signing))
}

impl CertTable {
    /// The certificates `router` resolved for its listeners, and a message for each one the
    /// proxy cannot serve (key material withheld from the configuration, or a key type rustls
    /// does not support).
    pub fn load(router: &Router) -> (CertTable, Vec<String>) {
        let mut table = CertTable {
            router: Some(router.clone()),
            by_listener: HashMap::new(),
            verifiers: HashMap::new(),
        };
        let mut problems = Vec::new();
        let gateway = router.gateway();
        for l in router.listener_certificates() {
            let keys = table
                .by_listener
                .entry(l.port)
                .or_default()
                .entry(l.listener.clone())
                .or_default();
            for c in &l.certificates {
                if !c.has_material() {
                    problems.push(format!(
                        "Gateway {gateway} listener {}: certificateRefs Secret {}: no tls.crt/tls.key in the configuration (material withheld), not served",
                        l.listener, c.secret
                    ));
                    continue;
                }
                match certified_key(c.chain_pem.as_bytes(), c.key_pem().as_bytes()) {
                    Ok(ck) => keys.push(Arc::new(ck)),
                    Err(e) => problems.push(format!(
                        "Gateway {gateway} listener {}: Secret {}: {e}",
                        l.listener, c.secret
                    )),
                }
            }
        }
        let mut ports: Vec<u16> = router
            .listener_certificates()
            .iter()
            .map(|l| l.port)
            .collect();
        ports.dedup();
        for port in ports {
            let Some(v) = router.frontend_validation(port).filter(|v| v.usable()) else {
                continue;
            };
            match FrontendVerifier::new(&v.ca_bundle_pem) {
                Ok(verifier) => {
                    table.verifiers.insert(port, Arc::new(verifier));
                }
                Err(e) => problems.push(format!(
                    "Gateway {gateway} {} (port {port}): CA certificates {}: {e}; every client certificate on the port is taken as invalid",
                    v.source,
                    v.ca_config_maps.join(", ")
                )),
            }
        }
        (table, problems)
    }

    /// The client-certificate verifier to offer in handshakes on `port` (`None`: the port
    /// asks for no client certificate).
    pub fn client_verifier(&self, port: u16) -> Option<Arc<FrontendVerifier>> {
        self.verifiers.get(&port).cloned()
    }

    /// What to do with a connection on `port` whose client presented `chain` (leaf first;
    /// empty: none): the engine's `client_certificate_decision` for the chain's
    /// classification against the port's CA bundle. A port that validates but whose CA
    /// bundle could not be loaded classifies every presented chain as invalid.
    /// Also returns the classification: only a `Valid` chain may be vouched for to backends.
    pub fn client_decision(
        &self,
        port: u16,
        chain: &[CertificateDer<'_>],
    ) -> (ClientDecision, ClientCertificate) {
        let class = match (self.verifiers.get(&port), chain.is_empty()) {
            (_, true) => ClientCertificate::Absent,
            (Some(v), false) => v.classify(chain),
            (None, false) => ClientCertificate::Invalid,
        };
        let Some(router) = &self.router else {
            return (ClientDecision::Reject, class);
        };
        (router.client_certificate_decision(port, class), class)
    }

    /// The certificate for a connection on `port` with server name `sni`: the listener that
    /// `Router::certificate_for` selects, its first certificate whose key can sign with one
    /// of `schemes` (the client's signature schemes; empty: any).
    pub fn select(
        &self,
        port: u16,
        sni: Option<&str>,
        schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let listener = self.router.as_ref()?.certificate_for(port, sni)?;
        let keys = self
            .by_listener
            .get(&port)?
            .get(listener.listener.as_str())?;
        keys.iter()
            .find(|k| schemes.is_empty() || k.key.choose_scheme(schemes).is_some())
            .or_else(|| keys.first())
            .map(Arc::clone)
    }
}

/// rustls's certificate choice for one port, over the current table.
#[derive(Debug)]
pub struct PortResolver {
    /// The Gateway listener port.
    pub port: u16,
    /// The current table (replaced on reload).
    pub table: Arc<arc_swap::ArcSwap<CertTable>>,
}

impl ResolvesServerCert for PortResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.table
            .load()
            .select(self.port, hello.server_name(), hello.signature_schemes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_certificates_are_served_by_sni_and_refused_secrets_never() {
        use base64::Engine as _;
        let mk = |name: &str| {
            let c = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
            (c.cert.pem(), c.signing_key.serialize_pem())
        };
        let (c1, k1) = mk("a.example.com");
        let (c2, k2) = mk("wild.example.com");
        let (c3, _) = mk("bad.example.com");
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let yaml = format!(
            r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: default}}
spec:
  gatewayClassName: c
  listeners:
    - {{name: a, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {{certificateRefs: [{{name: a}}]}}}}
    - {{name: w, port: 443, protocol: HTTPS, hostname: "*.example.com", tls: {{certificateRefs: [{{name: w}}]}}}}
    - {{name: bad, port: 443, protocol: HTTPS, hostname: bad.example.com, tls: {{certificateRefs: [{{name: bad}}]}}}}
    - {{name: m, port: 443, protocol: HTTPS, hostname: m.example.com, tls: {{certificateRefs: [{{name: missing}}]}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: a, namespace: default}}
type: kubernetes.io/tls
data: {{tls.crt: {}, tls.key: {}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: w, namespace: default}}
type: kubernetes.io/tls
stringData:
  tls.crt: {:?}
  tls.key: {:?}
---
apiVersion: v1
kind: Secret
metadata: {{name: bad, namespace: default}}
type: kubernetes.io/tls
stringData:
  tls.crt: {:?}
  tls.key: "not a key"
"#,
            b64(&c1),
            b64(&k1),
            c2,
            k2,
            c3
        );
        let config = trieway::Config::from_str(&yaml);
        let router = trieway::Router::new(&config, trieway::Options::default()).unwrap();
        let (table, problems) = CertTable::load(&router);
        assert!(problems.is_empty(), "{problems:?}");
        let leaf = |k: &Arc<CertifiedKey>| k.cert[0].as_ref().to_vec();
        let der = |pem: &str| {
            CertificateDer::pem_slice_iter(pem.as_bytes())
                .next()
                .unwrap()
                .unwrap()
                .as_ref()
                .to_vec()
        };
        let a = table.select(443, Some("a.example.com"), &[]).unwrap();
        assert_eq!(leaf(&a), der(&c1));
        let w = table.select(443, Some("b.example.com"), &[]).unwrap();
        assert_eq!(leaf(&w), der(&c2));
        // The Secret the engine refuses (its key is not PEM) is not served, not even through
        // the wildcard listener: its listener carries no traffic.
        let bad = table.select(443, Some("bad.example.com"), &[]);
        assert!(
            bad.as_ref().is_none_or(|k| leaf(k) != der(&c3)),
            "refused Secret served"
        );
        assert!(table.select(443, Some("other.org"), &[]).is_none());
        assert!(table.select(80, Some("a.example.com"), &[]).is_none());
        assert!(table.select(443, None, &[]).is_none());
    }

    #[test]
    fn withheld_material_is_reported_not_served() {
        let yaml = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: c
  listeners:
    - {name: a, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: a}]}}
---
apiVersion: v1
kind: Secret
metadata: {name: a, namespace: default}
type: kubernetes.io/tls
"#;
        let config = trieway::Config::from_str(yaml);
        let router = trieway::Router::new(&config, trieway::Options::default()).unwrap();
        let (table, problems) = CertTable::load(&router);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("default/a"), "{problems:?}");
        assert!(table.select(443, Some("x.example.com"), &[]).is_none());
    }
}
