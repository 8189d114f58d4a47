//! Core Kubernetes objects routing reads: Namespace, Service, EndpointSlice, Secret, ConfigMap
//! (SPEC §1.9).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Namespaces carry only metadata that matters here (their labels).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct NamespaceSpec {}

/// `Service.spec`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceSpec {
    /// `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `None` for headless Services.
    #[serde(rename = "clusterIP", skip_serializing_if = "Option::is_none")]
    pub cluster_ip: Option<String>,
    /// Ports.
    pub ports: Vec<ServicePort>,
    /// Pod selector (kept for information).
    pub selector: BTreeMap<String, String>,
}

/// `Service.spec.ports[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServicePort {
    /// Port name (may be empty when the Service has one port).
    pub name: String,
    /// `TCP` (default), `UDP` or `SCTP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The Service port a backendRef names.
    pub port: i64,
    /// Target port (number or name), informational.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_port: Option<serde_json::Value>,
    /// `kubernetes.io/h2c`, `kubernetes.io/ws`, `kubernetes.io/wss`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

/// An EndpointSlice body (its fields sit at the top level, not under `spec`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointSliceSpec {
    /// `IPv4`, `IPv6` or `FQDN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
    /// Ports.
    pub ports: Vec<EndpointPort>,
    /// Endpoints.
    pub endpoints: Vec<serde_json::Value>,
}

/// `EndpointSlice.ports[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointPort {
    /// Name, matching the Service port's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Port number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// Protocol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// A Secret body: its `type`, and the key material of TLS Secrets (`tls.crt`, `tls.key`),
/// read from `data` (base64) or `stringData` (plain text). `Debug` prints the keys, never
/// the values.
#[derive(Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretSpec {
    /// Secret type, e.g. `kubernetes.io/tls`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Base64-encoded values by key.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
    /// Plain-text values by key (the API server merges them into `data`; `stringData` wins).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub string_data: BTreeMap<String, String>,
}

impl std::fmt::Debug for SecretSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretSpec")
            .field("kind", &self.kind)
            .field("data", &self.data.keys().collect::<Vec<_>>())
            .field("string_data", &self.string_data.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A ConfigMap body: its `data` (a BackendTLSPolicy's CA bundle is `data["ca.crt"]`);
/// `binaryData` is not read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConfigMapSpec {
    /// String data by key.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
}
