//! The status report: conditions per route parentRef and per listener (SPEC §2.3).

use crate::model::{ProtocolType, RouteKind};
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

/// Status of every GatewayClass, Gateway, ListenerSet, listener and route parentRef that the
/// controller is responsible for, as a controller would write it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One entry per route that names at least one served parent.
    pub routes: Vec<RouteStatus>,
    /// One entry per listener of every served Gateway (own listeners, then those of the
    /// ListenerSets it admits, in merge order).
    pub listeners: Vec<ListenerStatus>,
    /// Things a user should know that are not conditions of an object, e.g. a Gateway served
    /// although its GatewayClass is not in the configuration.
    pub warnings: Vec<String>,
    /// One entry per GatewayClass of the controller (every GatewayClass of the configuration
    /// when no controller is named), in input order.
    pub gateway_classes: Vec<ObjectStatus>,
    /// One entry per served Gateway, in input order.
    pub gateways: Vec<ObjectStatus>,
    /// One entry per ListenerSet whose parentRef names a served Gateway (admitted or not), in
    /// merge order.
    pub listener_sets: Vec<ObjectStatus>,
    /// One entry per BackendTLSPolicy and ancestor: each served Gateway with an attached
    /// route whose backendRefs name a Service the policy targets (`gateway` is the ancestor;
    /// conditions `Accepted`, `ResolvedRefs`). Policies in input order, then Gateways.
    pub backend_tls_policies: Vec<ObjectStatus>,
    /// One entry per XBackendTrafficPolicy and ancestor, as for BackendTLSPolicies
    /// (condition `Accepted`).
    pub backend_traffic_policies: Vec<ObjectStatus>,
}

/// Status of one GatewayClass (`Accepted`, `SupportedVersion`), served Gateway (`Accepted`,
/// `Programmed`), ListenerSet whose parent is a served Gateway (`Accepted`, `Programmed`), or
/// BackendTLSPolicy (`Accepted`, `ResolvedRefs`) or XBackendTrafficPolicy (`Accepted`) for one
/// ancestor Gateway.
/// Serialized without the fields that do not apply (`namespace` of a GatewayClass, `gateway`
/// of a Gateway or GatewayClass).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ObjectStatus {
    /// Namespace; empty for a GatewayClass (cluster-scoped).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name.
    pub name: String,
    /// For a ListenerSet: the parent Gateway; for a policy: the ancestor Gateway
    /// (`namespace/name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Conditions.
    pub conditions: Vec<Condition>,
}

/// A Kubernetes-style condition.
///
/// Type, status and reason come from fixed sets and most messages are fixed texts: they are
/// [`Cow`]s, borrowed (no allocation) for a text known when trieway is compiled, owned
/// otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Condition {
    /// `Accepted`, `ResolvedRefs`, `PartiallyInvalid`, `Programmed`, `Conflicted`,
    /// `SupportedVersion`.
    #[serde(rename = "type")]
    pub kind: Cow<'static, str>,
    /// `True`, `False` or `Unknown`.
    pub status: Cow<'static, str>,
    /// Reason, e.g. `NotAllowedByListeners`.
    pub reason: Cow<'static, str>,
    /// Detail.
    pub message: Cow<'static, str>,
}

impl Condition {
    /// A condition of type `kind` with status `True` or `False`; `kind`, `reason` and
    /// `message` are a `&'static str` (borrowed) or a `String` (owned).
    pub fn new(
        kind: impl Into<Cow<'static, str>>,
        status: bool,
        reason: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Condition {
        Condition {
            kind: kind.into(),
            status: Cow::Borrowed(if status { "True" } else { "False" }),
            reason: reason.into(),
            message: message.into(),
        }
    }

    /// Whether the status is `True`.
    pub fn is_true(&self) -> bool {
        self.status == "True"
    }

    /// The condition of type `kind` in `conditions` (a status's `conditions` list), if any.
    ///
    /// ```
    /// use trieway::Condition;
    /// let list = [Condition::new("Accepted", true, "Accepted", "")];
    /// assert!(Condition::find(&list, "Accepted").is_some_and(Condition::is_true));
    /// assert!(Condition::find(&list, "Programmed").is_none());
    /// ```
    pub fn find<'c>(conditions: &'c [Condition], kind: &str) -> Option<&'c Condition> {
        conditions.iter().find(|c| c.kind == kind)
    }
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
    ///
    /// Shared: the routes of one parent usually have the same parent statuses (accepted,
    /// references resolved), and one build of the [`Report`] keeps one copy of each distinct
    /// list. To change it, build a new list (`r.parents = list.into()`).
    pub parents: Arc<[RouteParentStatus]>,
}

/// Status of one route parentRef.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RouteParentStatus {
    /// Parent kind (`Gateway`, `ListenerSet` or `XListenerSet`).
    pub parent_kind: Cow<'static, str>,
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
    /// The ListenerSet (`namespace/name`) that declared the listener; absent for the
    /// Gateway's own listeners.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listener_set: Option<String>,
    /// Accepted routes attached to this listener.
    pub attached_routes: u32,
    /// Route kinds the listener accepts.
    pub supported_kinds: Vec<String>,
    /// Conditions (`Accepted`, `ResolvedRefs`, `Programmed`, `Conflicted`).
    pub conditions: Vec<Condition>,
    /// Protocol, as declared (not part of the serialized status, which has no such field).
    #[serde(skip)]
    pub protocol: ProtocolType,
    /// Port (`0` when the declared port is out of range; not serialized).
    #[serde(skip)]
    pub port: u16,
    /// Hostname (lowercase), `None` when absent (not serialized).
    #[serde(skip)]
    pub hostname: Option<String>,
}

impl Report {
    /// The status of GatewayClass `name`, if the controller is responsible for it.
    pub fn gateway_class(&self, name: &str) -> Option<&ObjectStatus> {
        self.gateway_classes.iter().find(|c| c.name == name)
    }

    /// The status of Gateway `namespace/name`, if it is served.
    pub fn gateway(&self, namespace: &str, name: &str) -> Option<&ObjectStatus> {
        self.gateways
            .iter()
            .find(|g| g.namespace == namespace && g.name == name)
    }

    /// The status of ListenerSet `namespace/name`, if its parent is a served Gateway.
    pub fn listener_set(&self, namespace: &str, name: &str) -> Option<&ObjectStatus> {
        self.listener_sets
            .iter()
            .find(|l| l.namespace == namespace && l.name == name)
    }

    /// The status of BackendTLSPolicy `namespace/name` for ancestor Gateway `gateway`
    /// (`namespace/name`), if a route of that Gateway uses a Service the policy targets.
    pub fn backend_tls_policy(
        &self,
        namespace: &str,
        name: &str,
        gateway: &str,
    ) -> Option<&ObjectStatus> {
        self.backend_tls_policies.iter().find(|p| {
            p.namespace == namespace && p.name == name && p.gateway.as_deref() == Some(gateway)
        })
    }

    /// The status of XBackendTrafficPolicy `namespace/name` for ancestor Gateway `gateway`.
    pub fn backend_traffic_policy(
        &self,
        namespace: &str,
        name: &str,
        gateway: &str,
    ) -> Option<&ObjectStatus> {
        self.backend_traffic_policies.iter().find(|p| {
            p.namespace == namespace && p.name == name && p.gateway.as_deref() == Some(gateway)
        })
    }

    /// The status of route `kind` `namespace/name`, if the route names a served parent.
    pub fn route(&self, kind: RouteKind, namespace: &str, name: &str) -> Option<&RouteStatus> {
        self.routes
            .iter()
            .find(|r| r.kind == kind && r.namespace == namespace && r.name == name)
    }

    /// The status of listener `name` of Gateway `gateway` (`namespace/name`); for a
    /// ListenerSet's listener pass `listener_set` (`namespace/name`).
    pub fn listener(
        &self,
        gateway: &str,
        listener_set: Option<&str>,
        name: &str,
    ) -> Option<&ListenerStatus> {
        self.listeners.iter().find(|l| {
            l.gateway == gateway && l.listener_set.as_deref() == listener_set && l.name == name
        })
    }
}

impl serde::Serialize for RouteKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
