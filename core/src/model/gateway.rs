//! GatewayClass, Gateway (with its listeners) and ListenerSet (SPEC §1.2, §1.3).

use super::meta::{string_enum, LabelSelector, SecretObjectReference};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GatewayClass.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GatewayClassSpec {
    /// The controller that manages Gateways of this class, e.g. `example.net/gateway-controller`.
    pub controller_name: String,
    /// Free text, at most 64 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Controller-specific parameters. trieway takes none: it reports a reference it cannot
    /// resolve as `Accepted=False/InvalidParameters`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters_ref: Option<ParametersReference>,
}

/// `GatewayClass.spec.parametersRef` and `Gateway.spec.infrastructure.parametersRef` (the
/// latter has no `namespace`: it is the Gateway's own).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ParametersReference {
    /// API group of the referent (`""` is the core group).
    pub group: String,
    /// Kind of the referent, e.g. `ConfigMap`.
    pub kind: String,
    /// Name of the referent.
    pub name: String,
    /// Namespace of a namespaced referent (GatewayClass references only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// One entry of `Gateway.spec.addresses`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GatewayAddress {
    /// `IPAddress` (the default), `Hostname`, `NamedAddress` or a domain-prefixed type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The requested address; empty asks the implementation to pick one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `Gateway.spec.infrastructure`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GatewayInfrastructure {
    /// Labels for the resources the implementation creates (opaque to trieway).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations for the resources the implementation creates (opaque to trieway).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Implementation-specific parameters for this Gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters_ref: Option<ParametersReference>,
}

/// `Gateway.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GatewaySpec {
    /// Name of the GatewayClass.
    pub gateway_class_name: String,
    /// Listeners (1–64, unique names).
    pub listeners: Vec<Listener>,
    /// Which ListenerSets may attach (default: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_listeners: Option<AllowedListeners>,
    /// Requested addresses. trieway assigns none (the embedding proxy owns its sockets), so a
    /// Gateway that requests any is reported `Programmed=False/AddressNotAssigned`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<GatewayAddress>,
    /// Infrastructure hints; only `parametersRef` affects the status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<GatewayInfrastructure>,
    /// Gateway-wide TLS: frontend client-certificate validation (`backend` is not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<GatewayTlsConfig>,
}

/// `Gateway.spec.tls`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GatewayTlsConfig {
    /// How clients connecting to the Gateway are validated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontend: Option<FrontendTlsConfig>,
}

/// `Gateway.spec.tls.frontend`: client-certificate validation of the HTTPS listeners, by
/// default and per port.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FrontendTlsConfig {
    /// Applies to every HTTPS listener whose port has no `perPort` entry.
    pub default: TlsConfig,
    /// Overrides for the HTTPS listeners of one port (ports unique, at most 64).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub per_port: Vec<TlsPortConfig>,
}

/// `frontend.default` and `frontend.perPort[].tls`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TlsConfig {
    /// Client-certificate validation (mutual TLS); absent: no client certificate is asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<FrontendTlsValidation>,
}

/// `frontend.perPort[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TlsPortConfig {
    /// The port (1–65535) whose HTTPS listeners this configuration applies to.
    pub port: i64,
    /// The configuration.
    pub tls: TlsConfig,
}

string_enum! {
    /// `frontend.*.validation.mode`.
    FrontendValidationModeType {
        AllowValidOnly = "AllowValidOnly",
        AllowInsecureFallback = "AllowInsecureFallback",
    }
}

/// `frontend.*.validation`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FrontendTlsValidation {
    /// ConfigMaps whose `ca.crt` holds the trusted CA bundle (1–16).
    pub ca_certificate_refs: Vec<ObjectReference>,
    /// `AllowValidOnly` (the default) or `AllowInsecureFallback`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<FrontendValidationModeType>,
}

/// A `{group, kind, name, namespace}` reference (`namespace` absent: the referrer's).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectReference {
    /// Group (`""` is the core group).
    pub group: String,
    /// Kind, e.g. `ConfigMap`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Namespace; absent means the referrer's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `Gateway.spec.allowedListeners`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AllowedListeners {
    /// Which namespaces' ListenerSets may attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<RouteNamespaces>,
}

string_enum! {
    /// A listener's protocol. Domain-prefixed values (`vendor.com/proto`) are kept as `Other`.
    ProtocolType { Http = "HTTP", Https = "HTTPS", Tls = "TLS", Tcp = "TCP", Udp = "UDP" }
}

impl Default for ProtocolType {
    fn default() -> Self {
        ProtocolType::Other(String::new())
    }
}

string_enum! {
    /// TLS mode of a listener.
    TlsMode { Terminate = "Terminate", Passthrough = "Passthrough" }
}

/// One listener of a Gateway or ListenerSet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Listener {
    /// Listener name (a SectionName), unique within its Gateway.
    pub name: String,
    /// Optional hostname, possibly a wildcard `*.example.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Port, 1–65535.
    pub port: i64,
    /// Protocol.
    pub protocol: ProtocolType,
    /// TLS settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ListenerTls>,
    /// Which routes may attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_routes: Option<AllowedRoutes>,
}

/// `listeners[].tls`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListenerTls {
    /// `Terminate` (default) or `Passthrough`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<TlsMode>,
    /// Certificates (Secrets) presented by the listener.
    pub certificate_refs: Vec<SecretObjectReference>,
    /// Implementation-specific options (≤16).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// `listeners[].allowedRoutes`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AllowedRoutes {
    /// Which namespaces' routes may attach (default `Same`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<RouteNamespaces>,
    /// Which route kinds may attach (empty: the protocol's default kinds).
    pub kinds: Vec<RouteGroupKind>,
}

string_enum! {
    /// `allowedRoutes.namespaces.from`.
    FromNamespaces { Same = "Same", All = "All", Selector = "Selector", None = "None" }
}

/// `allowedRoutes.namespaces`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RouteNamespaces {
    /// `Same` (default), `All` or `Selector`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<FromNamespaces>,
    /// Label selector over Namespace labels, for `Selector`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
}

/// `allowedRoutes.kinds[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RouteGroupKind {
    /// Group; absent means `gateway.networking.k8s.io`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind.
    pub kind: String,
}

/// `ListenerSet.spec`: listeners added to a parent Gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListenerSetSpec {
    /// The Gateway the listeners join.
    pub parent_ref: ListenerSetParent,
    /// The listeners.
    pub listeners: Vec<Listener>,
}

/// `ListenerSet.spec.parentRef`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListenerSetParent {
    /// Group; absent means `gateway.networking.k8s.io`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind; absent means `Gateway`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Gateway name.
    pub name: String,
    /// Gateway namespace; absent means the ListenerSet's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}
