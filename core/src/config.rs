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
    pub gateway_classes: Vec<Object<GatewayClassSpec>>,
    /// Gateways.
    pub gateways: Vec<Object<GatewaySpec>>,
    /// ListenerSets.
    pub listener_sets: Vec<Object<ListenerSetSpec>>,
    /// HTTPRoutes.
    pub http_routes: Vec<Route<HttpRouteSpec>>,
    /// GRPCRoutes.
    pub grpc_routes: Vec<Route<GrpcRouteSpec>>,
    /// TLSRoutes.
    pub tls_routes: Vec<Route<TlsRouteSpec>>,
    /// TCPRoutes.
    pub tcp_routes: Vec<Route<L4RouteSpec>>,
    /// UDPRoutes.
    pub udp_routes: Vec<Route<L4RouteSpec>>,
    /// ReferenceGrants.
    pub reference_grants: Vec<Object<ReferenceGrantSpec>>,
    /// Namespaces.
    pub namespaces: Vec<Object<NamespaceSpec>>,
    /// Services.
    pub services: Vec<Object<ServiceSpec>>,
    /// EndpointSlices.
    pub endpoint_slices: Vec<Object<EndpointSliceSpec>>,
    /// Secrets (type only).
    pub secrets: Vec<Object<SecretSpec>>,
    /// ConfigMaps (existence only).
    pub config_maps: Vec<Object<ConfigMapSpec>>,
    /// Ingresses.
    pub ingresses: Vec<Object<IngressSpec>>,
    /// IngressClasses.
    pub ingress_classes: Vec<Object<IngressClassSpec>>,
    /// Problems that dropped a document, an object or a rule.
    pub errors: Vec<ConfigError>,
    /// Things skipped without harm (unknown kinds, ignored documents).
    pub warnings: Vec<ConfigError>,
}

impl Config {
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
