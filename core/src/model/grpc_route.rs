//! GRPCRoute (SPEC §1.6, §7.1).

use super::http_route::{
    HttpBackendRef, HttpHeaderMatch, HttpRouteFilter, MatchType, SessionPersistence,
};
use super::meta::ParentReference;
use serde::{Deserialize, Serialize};

/// `GRPCRoute.spec`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GrpcRouteSpec {
    /// Parents (≤32).
    pub parent_refs: Vec<ParentReference>,
    /// Hostnames (≤16).
    pub hostnames: Vec<String>,
    /// Rules (≤16; no default rule).
    pub rules: Vec<GrpcRouteRule>,
}

/// One rule of a GRPCRoute.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GrpcRouteRule {
    /// Optional rule name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Matches (OR); empty matches every call.
    pub matches: Vec<GrpcRouteMatch>,
    /// Filters.
    pub filters: Vec<HttpRouteFilter>,
    /// Backends.
    pub backend_refs: Vec<HttpBackendRef>,
    /// Session persistence (experimental).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_persistence: Option<SessionPersistence>,
}

/// One match of a GRPCRoute rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GrpcRouteMatch {
    /// Service/method condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<GrpcMethodMatch>,
    /// Header conditions.
    pub headers: Vec<HttpHeaderMatch>,
}

/// `matches[].method`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GrpcMethodMatch {
    /// Type; absent means `Exact`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MatchType>,
    /// Service, e.g. `foo.bar.Echo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Method, e.g. `Ping`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}
