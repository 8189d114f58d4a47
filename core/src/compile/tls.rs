//! The frontend TLS tables a compiled Router keeps: each usable TLS-terminating listener's
//! certificates in SNI selection order, and the per-port client-certificate validation.

use crate::tls::{FrontendValidation, ListenerCertificates};

/// What a compiled Router keeps for frontend TLS.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsTables {
    /// Usable TLS-terminating listeners, by port, then in selection order (precise hostname,
    /// longer wildcard, no hostname).
    pub listeners: Vec<ListenerCertificates>,
    /// Per port with HTTPS listeners and a validation configuration, ascending.
    pub frontend: Vec<FrontendValidation>,
}

/// The frontend TLS tables of a Gateway's usable listeners.
pub(crate) fn tables(gateway: &crate::attach::AttachedGateway) -> TlsTables {
    let mut listeners: Vec<&crate::attach::AttachedListener> = gateway
        .listeners
        .iter()
        .filter(|l| l.usable && l.tls_mode == Some(crate::model::TlsMode::Terminate))
        .collect();
    // Stable: equally specific listeners keep the Gateway's order.
    listeners.sort_by_key(|l| (l.port, super::listener_specificity(l.hostname.as_deref())));
    TlsTables {
        listeners: listeners
            .into_iter()
            .map(|l| ListenerCertificates {
                listener: l.name.clone(),
                port: l.port,
                hostname: l.hostname.clone(),
                certificates: l.certificates.clone(),
            })
            .collect(),
        frontend: gateway.frontend.clone(),
    }
}
