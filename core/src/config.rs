//! The validated configuration: what loading and validation produce, and what attachment and
//! compilation read, and the loader policy that options name ([`UnknownFields`]). Its
//! constructors live with the loader (`load.rs`), which calls validation.

use crate::error::{ConfigError, Error};
use crate::model::*;

/// What the loader does with a field that the schema of the object's kind and version does
/// not list (a typo such as `backendRef` for `backendRefs`), as `kubectl apply` with strict
/// field validation does.
///
/// Every unknown field is reported with its path and, when a sibling field is close, the one
/// probably meant: `spec.rules[0].backendRef: unknown field, did you mean backendRefs?`. The
/// known fields of the Gateway API kinds are those of every served version's CRD schema;
/// Ingress `spec` is checked against the Kubernetes API; other core kinds (Service, Secret,
/// …) only at their top level and in `metadata`. Anything under `status`, and the keys of
/// free-form maps such as `labels` and `annotations`, are always accepted.
///
/// Set it with [`crate::ConfigBuilder::with_unknown_fields`] (or [`crate::Options::unknown_fields`] for
/// [`crate::Router::from_yaml`]). The policy belongs to the loader because loading happens
/// before a `Router` and its `Options` exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnknownFields {
    /// Each unknown field is a [`ConfigError`] in [`Config::errors`] and the object is not
    /// loaded, as the API server refuses it under strict validation. The CLI's default.
    Error,
    /// Each unknown field is a warning in [`Config::warnings`]; the object loads (the field is
    /// ignored). The library's default.
    #[default]
    Warn,
    /// Unknown fields are ignored silently (the check does not run).
    Ignore,
}

/// A loaded and validated set of Kubernetes objects, grouped by kind, plus everything that
/// went wrong.
///
/// Obtained from [`Config::from_str`], [`Config::from_path`] or [`Config::builder`] and
/// [`crate::ConfigBuilder::finish`], which validate what they load (the default value is the
/// empty configuration, which is valid).
///
/// Objects that failed to parse or validate are not in the lists; they are described in
/// [`Config::errors`]. Use [`Config::is_valid`] or [`Config::strict`] to refuse a configuration
/// with any invalid object, or keep serving the valid remainder as a controller would.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// GatewayClasses.
    pub(crate) gateway_classes: Vec<Object<GatewayClassSpec>>,
    /// Gateways.
    pub(crate) gateways: Vec<Object<GatewaySpec>>,
    /// ListenerSets.
    pub(crate) listener_sets: Vec<Object<ListenerSetSpec>>,
    /// HTTPRoutes.
    pub(crate) http_routes: Vec<Route<HttpRouteSpec>>,
    /// GRPCRoutes.
    pub(crate) grpc_routes: Vec<Route<GrpcRouteSpec>>,
    /// TLSRoutes.
    pub(crate) tls_routes: Vec<Route<TlsRouteSpec>>,
    /// TCPRoutes.
    pub(crate) tcp_routes: Vec<Route<L4RouteSpec>>,
    /// UDPRoutes.
    pub(crate) udp_routes: Vec<Route<L4RouteSpec>>,
    /// ReferenceGrants.
    pub(crate) reference_grants: Vec<Object<ReferenceGrantSpec>>,
    /// Namespaces.
    pub(crate) namespaces: Vec<Object<NamespaceSpec>>,
    /// Services.
    pub(crate) services: Vec<Object<ServiceSpec>>,
    /// EndpointSlices.
    pub(crate) endpoint_slices: Vec<Object<EndpointSliceSpec>>,
    /// Secrets (type only).
    pub(crate) secrets: Vec<Object<SecretSpec>>,
    /// ConfigMaps (their `data`).
    pub(crate) config_maps: Vec<Object<ConfigMapSpec>>,
    /// Ingresses.
    pub(crate) ingresses: Vec<Object<IngressSpec>>,
    /// IngressClasses.
    pub(crate) ingress_classes: Vec<Object<IngressClassSpec>>,
    /// BackendTLSPolicies.
    pub(crate) backend_tls_policies: Vec<Object<BackendTlsPolicySpec>>,
    /// XBackendTrafficPolicies.
    pub(crate) backend_traffic_policies: Vec<Object<XBackendTrafficPolicySpec>>,
    /// Problems that dropped a document, an object or a rule.
    pub(crate) errors: Vec<ConfigError>,
    /// Things skipped without harm (unknown kinds, ignored documents).
    pub(crate) warnings: Vec<ConfigError>,
}

impl Config {
    /// GatewayClasses.
    pub fn gateway_classes(&self) -> &[Object<GatewayClassSpec>] {
        &self.gateway_classes
    }

    /// Gateways.
    pub fn gateways(&self) -> &[Object<GatewaySpec>] {
        &self.gateways
    }

    /// ListenerSets.
    pub fn listener_sets(&self) -> &[Object<ListenerSetSpec>] {
        &self.listener_sets
    }

    /// HTTPRoutes.
    pub fn http_routes(&self) -> &[Route<HttpRouteSpec>] {
        &self.http_routes
    }

    /// GRPCRoutes.
    pub fn grpc_routes(&self) -> &[Route<GrpcRouteSpec>] {
        &self.grpc_routes
    }

    /// TLSRoutes.
    pub fn tls_routes(&self) -> &[Route<TlsRouteSpec>] {
        &self.tls_routes
    }

    /// TCPRoutes.
    pub fn tcp_routes(&self) -> &[Route<L4RouteSpec>] {
        &self.tcp_routes
    }

    /// UDPRoutes.
    pub fn udp_routes(&self) -> &[Route<L4RouteSpec>] {
        &self.udp_routes
    }

    /// ReferenceGrants.
    pub fn reference_grants(&self) -> &[Object<ReferenceGrantSpec>] {
        &self.reference_grants
    }

    /// Namespaces.
    pub fn namespaces(&self) -> &[Object<NamespaceSpec>] {
        &self.namespaces
    }

    /// Services.
    pub fn services(&self) -> &[Object<ServiceSpec>] {
        &self.services
    }

    /// EndpointSlices.
    pub fn endpoint_slices(&self) -> &[Object<EndpointSliceSpec>] {
        &self.endpoint_slices
    }

    /// Secrets (type only).
    pub fn secrets(&self) -> &[Object<SecretSpec>] {
        &self.secrets
    }

    /// ConfigMaps (their `data`).
    pub fn config_maps(&self) -> &[Object<ConfigMapSpec>] {
        &self.config_maps
    }

    /// Ingresses.
    pub fn ingresses(&self) -> &[Object<IngressSpec>] {
        &self.ingresses
    }

    /// IngressClasses.
    pub fn ingress_classes(&self) -> &[Object<IngressClassSpec>] {
        &self.ingress_classes
    }

    /// BackendTLSPolicies.
    pub fn backend_tls_policies(&self) -> &[Object<BackendTlsPolicySpec>] {
        &self.backend_tls_policies
    }

    /// XBackendTrafficPolicies (experimental).
    pub fn backend_traffic_policies(&self) -> &[Object<XBackendTrafficPolicySpec>] {
        &self.backend_traffic_policies
    }

    /// Problems that dropped a document, an object or a rule.
    pub fn errors(&self) -> &[ConfigError] {
        &self.errors
    }

    /// Things skipped without harm (unknown kinds, ignored documents).
    pub fn warnings(&self) -> &[ConfigError] {
        &self.warnings
    }

    /// `Err` with every problem when any object or rule was invalid, else the configuration.
    pub fn strict(self) -> Result<Config, Error> {
        if self.errors.is_empty() {
            Ok(self)
        } else {
            Err(Error::Invalid(self.errors))
        }
    }

    /// Whether no document, object or rule was dropped.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}
