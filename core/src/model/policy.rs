//! Policies attached to backends: BackendTLSPolicy (`gateway.networking.k8s.io/v1` and
//! `v1alpha3`, whose schemas are identical) and XBackendTrafficPolicy
//! (`gateway.networking.x-k8s.io/v1alpha1`).

use super::LocalObjectReference;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `BackendTLSPolicy.spec`: how a Gateway connects to the targeted Services over TLS.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendTlsPolicySpec {
    /// The Services (optionally one port each, by `sectionName`) the policy applies to
    /// (1–16, required).
    pub target_refs: Vec<PolicyTargetReference>,
    /// How the backend's certificate is verified (required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<BackendTlsValidation>,
    /// Implementation-specific TLS options (at most 16; trieway passes them on unread).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// `LocalPolicyTargetReferenceWithSectionName`: an object in the policy's namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PolicyTargetReference {
    /// Group of the target (required; `""` is the core group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the target (`Service`).
    pub kind: String,
    /// Name of the target.
    pub name: String,
    /// For a Service: the name of one of its ports; absent targets every port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

/// `BackendTLSPolicy.spec.validation`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendTlsValidation {
    /// ConfigMaps in the policy's namespace whose `ca.crt` holds the PEM CA bundle (at most
    /// 8). Exactly one of this and `well_known_ca_certificates` is set.
    pub ca_certificate_refs: Vec<LocalObjectReference>,
    /// `System` (the system's trusted roots) or an implementation-specific set name.
    #[serde(
        rename = "wellKnownCACertificates",
        skip_serializing_if = "Option::is_none"
    )]
    pub well_known_ca_certificates: Option<String>,
    /// SNI sent to the backend, and the name its certificate must carry unless
    /// `subject_alt_names` is set (required).
    pub hostname: String,
    /// Subject Alternative Names the backend's certificate must match one of (at most 5).
    pub subject_alt_names: Vec<SubjectAltName>,
}

/// `SubjectAltName`: a DNS name or a URI the backend certificate may carry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubjectAltName {
    /// `Hostname` or `URI` (required).
    #[serde(rename = "type")]
    pub kind: String,
    /// The DNS name (type `Hostname`), possibly `*.`-prefixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The URI (type `URI`), e.g. a SPIFFE ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

impl SubjectAltName {
    /// The name to verify: the hostname for type `Hostname`, the URI for type `URI`.
    pub fn value(&self) -> &str {
        match self.kind.as_str() {
            "Hostname" => self.hostname.as_deref().unwrap_or(""),
            _ => self.uri.as_deref().unwrap_or(""),
        }
    }
}

/// `XBackendTrafficPolicy.spec` (`gateway.networking.x-k8s.io/v1alpha1`, experimental): how
/// traffic to the targeted Services is retried and kept on one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct XBackendTrafficPolicySpec {
    /// The Services the policy applies to (1–16; `sectionName` is not part of this kind).
    pub target_refs: Vec<PolicyTargetReference>,
    /// How many retries the Services accept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_constraint: Option<RetryConstraint>,
    /// Session persistence towards the Services (same shape as a route rule's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_persistence: Option<super::SessionPersistence>,
}

/// `retryConstraint`: a budget of retries relative to requests, and a floor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryConstraint {
    /// Retries may be at most `percent` of the requests within `interval` (defaults 20%,
    /// 10s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<RetryBudget>,
    /// Retries always allowed: `count` per `interval` (defaults 10 per 1s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_retry_rate: Option<RetryRate>,
}

/// `retryConstraint.budget`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryBudget {
    /// Percent of active requests that may be retries (0–100, default 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<i64>,
    /// Window, a GEP-2257 duration between 1s and 1h (default 10s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// `retryConstraint.minRetryRate`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryRate {
    /// Retries allowed per interval (1–1,000,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// Window, a GEP-2257 duration above 0 and at most 1h.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}
