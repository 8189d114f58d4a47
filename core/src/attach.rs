//! Attachment and status (SPEC §2): parentRefs → listeners, allowedRoutes, hostname
//! intersection, ReferenceGrant, conflicts. Produces the effective routes per listener that
//! `compile` consumes, and a [`Report`] with the conditions a conformant controller would write.

use crate::load::Config;
use crate::model::{ProtocolType, RouteKind, TlsMode};
use serde::Serialize;

/// The controller name trieway acts as unless `Options` says otherwise.
pub const DEFAULT_CONTROLLER_NAME: &str = "example.com/gateway-under-test";

/// The outcome of attaching a [`Config`]'s routes to its Gateways' listeners.
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    /// Every Gateway this controller serves (its class names our controller), in input order.
    pub gateways: Vec<AttachedGateway>,
    /// Conditions per route parentRef and per listener.
    pub report: Report,
}

/// A served Gateway with its listeners (own listeners first, then ListenerSets' in SPEC order).
#[derive(Debug, Clone, Default)]
pub struct AttachedGateway {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Listeners, in merge order.
    pub listeners: Vec<AttachedListener>,
}

/// Where a listener was declared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ListenerSource {
    /// In the Gateway itself.
    #[default]
    Gateway,
    /// In a ListenerSet (`namespace`, `name`).
    ListenerSet(String, String),
}

/// One listener and the routes attached to it.
#[derive(Debug, Clone, Default)]
pub struct AttachedListener {
    /// Listener name.
    pub name: String,
    /// Port.
    pub port: u16,
    /// Protocol.
    pub protocol: ProtocolType,
    /// Hostname (lowercase), `None` when absent.
    pub hostname: Option<String>,
    /// TLS mode for HTTPS/TLS listeners (`Terminate` by default for HTTPS).
    pub tls_mode: Option<TlsMode>,
    /// Gateway or ListenerSet.
    pub source: ListenerSource,
    /// Whether the listener carries traffic (accepted and not conflicted).
    pub usable: bool,
    /// Attached, accepted routes.
    pub routes: Vec<AttachedRoute>,
}

/// A route attached to a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedRoute {
    /// Route kind.
    pub kind: RouteKind,
    /// Index into the matching `Config` list (`http_routes`, `grpc_routes`, …).
    pub index: usize,
    /// Effective (intersected, lowercase) hostnames on this listener; `"*"` matches every host.
    pub hostnames: Vec<String>,
}

/// A backendRef resolved against the Services of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedBackend {
    /// Group (`""` for core).
    pub group: String,
    /// Kind (`Service`).
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Service port.
    pub port: Option<u16>,
    /// The port's `appProtocol`, if any.
    pub app_protocol: Option<String>,
}

/// Why a backendRef is invalid: the `ResolvedRefs=False` reason and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendProblem {
    /// `InvalidKind`, `BackendNotFound`, `RefNotPermitted` or `UnsupportedProtocol`.
    pub reason: &'static str,
    /// Human-readable detail.
    pub message: String,
}

/// Resolves a backend reference made by a route of `route_kind` in `route_ns` (SPEC §5.1, §5.2).
pub fn resolve_backend(
    _config: &Config,
    _route_kind: RouteKind,
    _route_ns: &str,
    _target: &crate::model::BackendObjectReference,
) -> Result<ResolvedBackend, BackendProblem> {
    Err(BackendProblem {
        reason: "BackendNotFound",
        message: "not implemented".into(),
    })
}

/// Attaches every route of `config` (SPEC §2.1) for the Gateways whose class names
/// `controller_name`.
pub fn attach(_config: &Config, _controller_name: &str) -> Attachment {
    Attachment::default()
}

/// Status of every route parentRef and every listener, as a controller would write it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One entry per route that names at least one served parent.
    pub routes: Vec<RouteStatus>,
    /// One entry per listener of every served Gateway.
    pub listeners: Vec<ListenerStatus>,
}

/// A Kubernetes-style condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// `Accepted`, `ResolvedRefs`, `PartiallyInvalid`, `Programmed`, `Conflicted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Reason, e.g. `NotAllowedByListeners`.
    pub reason: String,
    /// Detail.
    pub message: String,
}

/// Status of one route.
#[derive(Debug, Clone, Serialize)]
pub struct RouteStatus {
    /// Route kind.
    pub kind: RouteKind,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// One entry per parentRef that resolves to a served parent.
    pub parents: Vec<RouteParentStatus>,
}

/// Status of one route parentRef.
#[derive(Debug, Clone, Serialize)]
pub struct RouteParentStatus {
    /// Parent kind (`Gateway` or `ListenerSet`).
    pub parent_kind: String,
    /// Parent `namespace/name`.
    pub parent: String,
    /// `sectionName`, if set.
    pub section_name: Option<String>,
    /// `port`, if set.
    pub port: Option<u16>,
    /// Conditions (`Accepted`, `ResolvedRefs`, maybe `PartiallyInvalid`).
    pub conditions: Vec<Condition>,
}

/// Status of one listener.
#[derive(Debug, Clone, Serialize)]
pub struct ListenerStatus {
    /// Gateway `namespace/name`.
    pub gateway: String,
    /// Listener name.
    pub name: String,
    /// Accepted routes attached to this listener.
    pub attached_routes: u32,
    /// Route kinds the listener accepts.
    pub supported_kinds: Vec<String>,
    /// Conditions (`Accepted`, `ResolvedRefs`, `Programmed`, `Conflicted`).
    pub conditions: Vec<Condition>,
}

impl serde::Serialize for RouteKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
