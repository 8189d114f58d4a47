//! The Router's frontend TLS lookups ([`crate::tls`] holds the types): certificates by port
//! and SNI, and the client-certificate decision.

use crate::compile::hostname_matches;
use crate::request::normalize_host;
use crate::router::Router;
use crate::tls::{ClientCertificate, ClientDecision, FrontendValidation, ListenerCertificates};

impl Router {
    /// The certificates of every usable TLS-terminating listener, by port, each port's in SNI
    /// selection order.
    pub fn listener_certificates(&self) -> &[ListenerCertificates] {
        &self.compiled().tls.listeners
    }

    /// The listener whose certificates a TLS handshake on `port` with server name `sni`
    /// presents: the listener whose hostname is the SNI, else the one with the longest
    /// matching wildcard, else the one without hostname (SNI compared case-insensitively,
    /// trailing dot ignored; no SNI selects only a listener without hostname). Allocates
    /// nothing.
    pub fn certificate_for(&self, port: u16, sni: Option<&str>) -> Option<&ListenerCertificates> {
        let all = &self.compiled().tls.listeners;
        let start = all.partition_point(|l| l.port < port);
        let on_port = all[start..].iter().take_while(|l| l.port == port);
        let mut buf = [0u8; 256];
        let sni = sni
            .and_then(|s| normalize_host(s, &mut buf))
            .filter(|s| !s.is_empty());
        let mut on_port = on_port;
        match sni {
            Some(sni) => on_port.find(|l| {
                l.hostname
                    .as_deref()
                    .is_none_or(|h| hostname_matches(h, sni))
            }),
            None => on_port.find(|l| l.hostname.is_none()),
        }
    }

    /// The client-certificate validation of the HTTPS listeners on `port`, if the Gateway
    /// configures one for it (`spec.tls.frontend`).
    pub fn frontend_validation(&self, port: u16) -> Option<&FrontendValidation> {
        let f = &self.compiled().tls.frontend;
        f.binary_search_by_key(&port, |v| v.port)
            .ok()
            .map(|i| &f[i])
    }

    /// Whether to serve a connection on `port` whose handshake found `client`: `Accept` when
    /// the port validates no client certificate, else as [`FrontendValidation::decide`].
    /// Allocates nothing.
    pub fn client_certificate_decision(
        &self,
        port: u16,
        client: ClientCertificate,
    ) -> ClientDecision {
        self.frontend_validation(port)
            .map_or(ClientDecision::Accept, |v| v.decide(client))
    }
}
