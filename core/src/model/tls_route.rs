//! TLSRoute, TCPRoute and UDPRoute (SPEC §1.7, §7.2, §7.3).

use super::meta::{BackendRef, ParentReference};
use serde::{Deserialize, Serialize};

/// `TLSRoute.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TlsRouteSpec {
    /// Parents.
    pub parent_refs: Vec<ParentReference>,
    /// SNI hostnames: required (1–1024) in v1 and v1alpha3, optional in v1alpha2 (then the
    /// listener's hostname decides).
    pub hostnames: Vec<String>,
    /// Exactly one rule.
    pub rules: Vec<L4RouteRule>,
}

/// `TCPRoute.spec` and `UDPRoute.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct L4RouteSpec {
    /// Parents.
    pub parent_refs: Vec<ParentReference>,
    /// Exactly one rule.
    pub rules: Vec<L4RouteRule>,
}

/// The single rule of a TLS/TCP/UDP route.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct L4RouteRule {
    /// Optional rule name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Backends (1–16).
    pub backend_refs: Vec<BackendRef>,
}
