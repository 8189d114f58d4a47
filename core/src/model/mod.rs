//! The resource model: plain serde types for the objects the engine reads.
//!
//! There is no Kubernetes client here: objects are parsed from YAML or JSON by
//! [`crate::Config`]'s loaders. The types ignore unknown fields (the loader reports them
//! first, see [`crate::UnknownFields`]); unknown enum values are kept as
//! `Other(..)` so that validation can report them instead of failing to parse.

mod core;
mod gateway;
mod grpc_route;
mod http_route;
mod ingress;
mod meta;
mod policy;
mod reference_grant;
mod tls_route;

pub use self::core::*;
pub use gateway::*;
pub use grpc_route::*;
pub use http_route::*;
pub use ingress::*;
pub(crate) use meta::flat_refs;
#[cfg(test)]
pub(crate) use meta::reading_flat_refs as meta_reading_flat_refs_for_tests;
pub use meta::{
    BackendObjectReference, BackendRef, LabelSelector, LabelSelectorRequirement,
    LocalObjectReference, Object, ObjectMeta, Origin, ParentReference, SecretObjectReference,
    SelectorOperator, GATEWAY_GROUP,
};
pub use policy::*;
pub use reference_grant::*;
pub use tls_route::*;

/// A rule that validation found invalid: the rule is dropped and the route reports
/// `PartiallyInvalid` (or `Accepted=False` when no rule is left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRule {
    /// Index of the rule in `spec.rules`.
    pub index: usize,
    /// The condition reason to report (`UnsupportedValue`, `IncompatibleFilters`).
    pub reason: &'static str,
    /// What is wrong, with its field path.
    pub message: String,
}

/// A route object with the rules validation dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Route<S> {
    /// The object.
    pub object: Object<S>,
    /// Rules validation found invalid (dropped from routing).
    pub invalid_rules: Vec<InvalidRule>,
}

impl<S> std::ops::Deref for Route<S> {
    type Target = Object<S>;
    fn deref(&self) -> &Object<S> {
        &self.object
    }
}

/// The kinds of route the engine attaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RouteKind {
    /// `HTTPRoute`.
    Http,
    /// `GRPCRoute`.
    Grpc,
    /// `TLSRoute`.
    Tls,
    /// `TCPRoute`.
    Tcp,
    /// `UDPRoute`.
    Udp,
    /// `Ingress` (networking.k8s.io/v1), routed natively by `Router::from_ingress`.
    Ingress,
}

impl RouteKind {
    /// The Kubernetes kind name.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Grpc => "GRPCRoute",
            RouteKind::Tls => "TLSRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Udp => "UDPRoute",
            RouteKind::Ingress => "Ingress",
        }
    }
}

impl std::fmt::Display for RouteKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
