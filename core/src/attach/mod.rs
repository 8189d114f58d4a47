//! Attachment and status: parentRefs → listeners, allowedRoutes, hostname
//! intersection, ReferenceGrant, conflicts. Produces the effective routes per listener that
//! `compile` consumes, and a [`Report`] with the conditions a conformant controller would write.
//!
//! Decisions where the Gateway API leaves the choice to the implementation:
//!
//! - **Listener conflicts.** Listeners are grouped by port. HTTP, HTTPS/TLS (one family: both
//!   select by SNI, and Terminate and Passthrough may share a port) and TCP cannot share a port
//!   (`ProtocolConflict`). UDP is another transport and never conflicts with them. Within a
//!   family, two HTTP (or two HTTPS/TLS) listeners with the same hostname (both absent
//!   included), or two TCP (two UDP) listeners, conflict (`HostnameConflict`). Within one
//!   list (the Gateway's own listeners, or one ListenerSet's) every party is refused; across
//!   lists, in merge order (the Gateway's own, then ListenerSets oldest first, then `ns/name`),
//!   only the later listener is refused: a ListenerSet can never disable the
//!   Gateway's listeners or an older ListenerSet's. A refused listener has `Accepted=False`
//!   and `Conflicted=True` with the conflict reason (the message names the earlier listener),
//!   `Programmed=False/Invalid`, `usable=false`.
//! - **GatewayClass, Gateway and ListenerSet conditions**: see the `status` module (the
//!   reasons each can get and why).
//! - **Certificates.** A Terminate listener (HTTPS, TLS Terminate) reports
//!   `ResolvedRefs=False` with `InvalidCertificateRef` (unsupported kind, missing Secret, no
//!   certificateRef at all) or `RefNotPermitted` (cross-namespace without a ReferenceGrant from
//!   the Gateway / ListenerSet; checked before existence, as upstream requires). It stays
//!   `Accepted` and routes still attach (they are counted), but with no valid certificate it
//!   is `Programmed=False` and not `usable`. With at least one valid certificate it serves.
//! - **Route conditions.** When every rule is invalid, `Accepted=False` with the first invalid
//!   rule's reason (`UnsupportedValue` or `IncompatibleFilters`) takes precedence over the
//!   listener-based reasons. Backends of dropped rules do not affect `ResolvedRefs`.
//! - **HTTPRoute vs GRPCRoute** (only one may serve a hostname of a listener). Per listener, routes are taken oldest first
//!   (`created`, then `ns/name` as one byte string, then HTTPRoute before GRPCRoute); a route
//!   whose effective hostnames overlap those of an already accepted route of the other kind
//!   is not attached to that listener. A parentRef left with no listener reports
//!   `Accepted=False/NotAllowedByListeners` (upstream defines no dedicated route reason; the
//!   listener refuses the route, which is what that reason documents).
//! - **TCP/UDP routes** are attached with the effective hostname `*`; several on one listener
//!   are all attached and counted, the compiler picks the oldest.

mod backend;
mod hostname;
mod listeners;
mod policy;
pub(crate) mod report;
mod routes;
pub(crate) use routes::{l4_routes_touching, route_targets, RouteRecord};
mod status;
#[cfg(test)]
mod status_tests;
#[cfg(test)]
mod tests;
mod traffic;

pub(crate) use backend::{
    resolver, resolver_at, BackendProblem, ResolvedBackend, Resolver, ServicePositions,
};
#[cfg(feature = "convert")]
pub(crate) use hostname::hostname_matches;
pub(crate) use policy::BackendTls;
pub(crate) use report::{Condition, ObjectStatus, Report, RouteParentStatus};
pub(crate) use traffic::BackendTraffic;

use crate::config::Config;
use crate::model::{
    GatewaySpec, LabelSelector, ListenerSetSpec, Object, ProtocolType, RouteKind, TlsMode,
};
use backend::NsMap;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// The label every Namespace carries with its own name.
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The outcome of attaching a [`Config`]'s routes to its Gateways' listeners.
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    /// Every Gateway this controller serves (its class names our controller), in input order.
    pub gateways: Vec<AttachedGateway>,
    /// Conditions per route parentRef and per listener.
    pub report: Report,
    /// With [`attach_recorded`]: the record of every HTTPRoute, then every GRPCRoute, in
    /// config order.
    pub(crate) records: Vec<routes::RouteRecord>,
    /// Per listener of `report.listeners` (flat ids): its Gateway's index in `gateways` and
    /// its position in that Gateway's `listeners`.
    pub(crate) positions: Vec<(u32, u32)>,
    /// The index in `gateways` of the Gateway a Router compiled.
    pub(crate) chosen: usize,
}

/// A served Gateway with its listeners (own listeners first, then ListenerSets' in merge order:
/// oldest first, then `namespace/name`).
#[derive(Debug, Clone, Default)]
pub struct AttachedGateway {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Listeners, in merge order.
    pub listeners: Vec<AttachedListener>,
    /// Client-certificate validation per port with HTTPS listeners (`spec.tls.frontend`),
    /// ascending by port.
    pub frontend: Vec<crate::tls::FrontendValidation>,
}

/// Where a listener was declared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
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
    /// Port (`0` when the declared port is out of range; such a listener is not usable).
    pub port: u16,
    /// Protocol.
    pub protocol: ProtocolType,
    /// Hostname (lowercase), `None` when absent.
    pub hostname: Option<String>,
    /// TLS mode for HTTPS/TLS listeners (`Terminate` by default for HTTPS).
    pub tls_mode: Option<TlsMode>,
    /// Gateway or ListenerSet.
    pub source: ListenerSource,
    /// Whether the listener carries traffic (accepted, not conflicted, and for Terminate
    /// listeners with at least one valid certificate).
    pub usable: bool,
    /// Attached, accepted routes (also on an unusable listener, where they are only counted).
    pub routes: Vec<AttachedRoute>,
    /// The valid certificates of a Terminate listener, in `certificateRefs` order.
    pub certificates: Vec<crate::tls::Certificate>,
}

/// A route attached to a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttachedRoute {
    /// Route kind.
    pub kind: RouteKind,
    /// Index into the matching `Config` list (`http_routes`, `grpc_routes`, …).
    pub index: usize,
    /// Effective (intersected, lowercase) hostnames on this listener; `"*"` matches every host
    /// (TCP and UDP routes always carry `["*"]`). Shared: routes with the same hostnames on the
    /// same listener (the routes of one tenant) share one list.
    pub hostnames: std::sync::Arc<[String]>,
}

/// Shared lookups for one `attach` run.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) resolver: Resolver<'a>,
    ns_labels: FxHashMap<&'a str, BTreeMap<String, String>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(config: &'a Config) -> Self {
        Ctx::with_resolver(config, resolver(config))
    }

    /// A context over `config` resolving backends with `resolver` (built over `config`).
    pub(crate) fn with_resolver(config: &'a Config, resolver: Resolver<'a>) -> Self {
        let mut ns_labels: FxHashMap<&'a str, BTreeMap<String, String>> = FxHashMap::default();
        for n in &config.namespaces {
            let mut labels = n.meta.labels.clone();
            labels.insert(NAMESPACE_NAME_LABEL.to_string(), n.meta.name.clone());
            ns_labels.entry(&n.meta.name).or_insert(labels);
        }
        // Other namespaces (those of routes and ListenerSets without a Namespace object) are
        // matched by their implicit name label in `namespace_matches`.
        Ctx {
            resolver,
            ns_labels,
        }
    }

    /// Whether the labels of namespace `ns` satisfy `selector`.
    pub(crate) fn namespace_matches(&self, selector: &LabelSelector, ns: &str) -> bool {
        match self.ns_labels.get(ns) {
            Some(labels) => selector.matches(labels),
            None => selector.matches(&BTreeMap::from([(
                NAMESPACE_NAME_LABEL.to_string(),
                ns.to_string(),
            )])),
        }
    }
}

/// Where a route parentRef can lead: served Gateways and the ListenerSets that target them.
#[derive(Debug, Default)]
pub(crate) struct Parents<'a> {
    /// Served Gateway → ids (into the flat listener list) of its own listeners.
    pub(crate) gateways: NsMap<'a, Vec<usize>>,
    /// ListenerSet targeting a served Gateway → ids of its merged listeners (empty when the
    /// Gateway does not allow it).
    pub(crate) listener_sets: NsMap<'a, Vec<usize>>,
}

/// `ns/name` as one string, the tie-breaker of SPEC §4.1 K9.
pub(crate) fn ns_name(ns: &str, name: &str) -> String {
    let mut s = String::with_capacity(ns.len() + name.len() + 1);
    s.push_str(ns);
    s.push('/');
    s.push_str(name);
    s
}

impl Report {
    /// Attaches every route of `config` to the listeners of every Gateway served (parentRefs,
    /// allowedRoutes, hostnames: docs/semantics.md, "Attaching routes") and reports the
    /// status a controller would write, for tools such as `trieway check`. (A [`Router`]
    /// reports the same for its one Gateway in [`Router::report`].)
    ///
    /// `controller`: `Some(name)` serves the Gateways whose GatewayClass is in `config` and
    /// names `name` as its `controllerName`; `None` serves every Gateway of `config`, and
    /// reports a warning in [`Report::warnings`] for each Gateway whose GatewayClass is not in
    /// `config`.
    ///
    /// [`Router`]: crate::Router
    /// [`Router::report`]: crate::Router::report
    pub fn attach(config: &Config, controller: Option<&str>) -> Report {
        attach(config, controller).report
    }
}

/// Attaches every route of `config` to the listeners of the Gateways served: the
/// [`Report`] (see [`Report::attach`]) and what the compiler consumes.
pub(crate) fn attach(config: &Config, controller: Option<&str>) -> Attachment {
    attach_with(config, controller, false)
}

/// [`attach`], also filling [`Attachment::records`] (for [`crate::Live`]).
pub(crate) fn attach_recorded(config: &Config, controller: Option<&str>) -> Attachment {
    attach_with(config, controller, true)
}

/// The served Gateways of `config` with their listeners, and the GatewayClass warnings.
fn serve_all<'a>(
    ctx: &Ctx<'a>,
    config: &'a Config,
    controller: Option<&str>,
) -> (Served<'a>, Vec<String>) {
    let classes: FxHashMap<&str, &str> = config
        .gateway_classes
        .iter()
        .map(|c| (c.meta.name.as_str(), c.spec.controller_name.as_str()))
        .collect();
    let mut warnings = Vec::new();
    let by_parent = listener_sets_by_parent(config);
    let mut served = Served::default();
    for gw in &config.gateways {
        if !serves(controller, &classes, gw, &mut warnings) {
            continue;
        }
        let targeting = by_parent
            .get(&gw.meta.namespace, &gw.meta.name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        served.add(ctx, config, gw, targeting);
    }
    (served, warnings)
}

fn attach_with(config: &Config, controller: Option<&str>, record: bool) -> Attachment {
    let ctx = Ctx::new(config);
    let (served, mut warnings) = serve_all(&ctx, config, controller);
    let gateway_classes = config
        .gateway_classes
        .iter()
        .filter(|c| controller.is_none_or(|ours| c.spec.controller_name == ours))
        .map(|c| status::gateway_class(config, c))
        .collect();

    let mut listeners = served.listeners;
    let mut records = Vec::new();
    let routes = routes::attach_routes(
        &ctx,
        config,
        &served.parents,
        &mut listeners,
        record.then_some(&mut records),
    );
    if config.services.is_empty() && !routes.is_empty() {
        warnings.push(NO_SERVICE_WARNING.to_string());
    }

    let mut report = Report {
        routes,
        listeners: Vec::with_capacity(listeners.len()),
        warnings,
        gateway_classes,
        gateways: served.gateway_statuses,
        listener_sets: served.set_statuses,
        backend_tls_policies: Vec::new(),
        backend_traffic_policies: Vec::new(),
    };
    let mut gateways = served.gateways;
    let mut positions = Vec::with_capacity(listeners.len());
    for info in listeners {
        if let Some(g) = gateways.get_mut(info.gateway) {
            positions.push((info.gateway as u32, g.listeners.len() as u32));
            g.listeners.push(info.attached);
        } else {
            positions.push((u32::MAX, u32::MAX));
        }
        report.listeners.push(info.status);
    }
    if !config.backend_tls_policies.is_empty() || !config.backend_traffic_policies.is_empty() {
        let ancestors = policy::ancestors(config, &gateways);
        report.backend_tls_policies = policy::statuses(config, &ctx.resolver.tls, &ancestors);
        report.backend_traffic_policies = policy::per_ancestor(
            &config.backend_traffic_policies,
            &ancestors,
            traffic::service_targets,
            |i| ctx.resolver.traffic.conditions(i),
        );
    }
    Attachment {
        gateways,
        report,
        records,
        positions,
        chosen: 0,
    }
}

/// The warning of a configuration whose routes name Services it does not hold.
pub(crate) const NO_SERVICE_WARNING: &str =
    "the configuration holds no Service: backendRefs to Services are taken as written \
     (add the Services, e.g. from `kubectl get services -A -o yaml`, to check their \
     names and ports)";

/// Attaches HTTPRoutes and GRPCRoutes `routes` (kind, index) of `config` alone, against the
/// listeners of every served Gateway, as [`attach`] attaches them when no listener they reach
/// carries routes of both kinds: each route's status and record. `ctx` is built over `config`.
pub(crate) fn attach_some(
    ctx: &Ctx<'_>,
    config: &Config,
    controller: Option<&str>,
    routes: &[(RouteKind, usize)],
) -> Vec<(Option<report::RouteStatus>, RouteRecord)> {
    let (served, _) = serve_all(ctx, config, controller);
    let mut listeners = served.listeners;
    routes
        .iter()
        .map(|&(kind, index)| {
            routes::attach_one(ctx, config, &served.parents, &mut listeners, kind, index)
        })
        .collect()
}

/// The ListenerSets of `config` per parent Gateway, each list in merge order (oldest first,
/// then `ns/name`).
fn listener_sets_by_parent(config: &Config) -> NsMap<'_, Vec<&Object<ListenerSetSpec>>> {
    let mut sets: Vec<&Object<ListenerSetSpec>> = config.listener_sets.iter().collect();
    sets.sort_by_cached_key(|s| (s.created, ns_name(&s.meta.namespace, &s.meta.name)));
    let mut by_parent: NsMap<'_, Vec<&Object<ListenerSetSpec>>> = NsMap::default();
    for ls in sets {
        if let Some((ns, name)) = listeners::target(ls) {
            by_parent.get_or_default(ns, name).push(ls);
        }
    }
    by_parent
}

/// Whether `gw` is served for `controller` (see [`attach`]); warns when it is served without
/// its GatewayClass in the configuration.
fn serves(
    controller: Option<&str>,
    classes: &FxHashMap<&str, &str>,
    gw: &Object<GatewaySpec>,
    warnings: &mut Vec<String>,
) -> bool {
    let class = gw.spec.gateway_class_name.as_str();
    match (controller, classes.get(class)) {
        (Some(ours), Some(theirs)) if *theirs == ours => true,
        (Some(_), _) => false,
        (None, Some(_)) => true,
        (None, None) => {
            warnings.push(format!(
                "Gateway {}/{}: GatewayClass {class} is not in the configuration; the Gateway \
                 is served anyway (name a controller to serve only its classes)",
                gw.meta.namespace, gw.meta.name
            ));
            true
        }
    }
}

/// The served Gateways with their listeners (flat, in Gateway then merge order), where route
/// parentRefs lead, and the Gateway and ListenerSet statuses.
#[derive(Default)]
struct Served<'a> {
    gateways: Vec<AttachedGateway>,
    listeners: Vec<listeners::ListenerInfo<'a>>,
    parents: Parents<'a>,
    gateway_statuses: Vec<ObjectStatus>,
    set_statuses: Vec<ObjectStatus>,
}

impl<'a> Served<'a> {
    /// Adds Gateway `gw` with its listeners and those of the ListenerSets `targeting` it,
    /// unless a Gateway of the same name was added already (a duplicate the loader let
    /// through: the first one wins).
    fn add(
        &mut self,
        ctx: &Ctx<'a>,
        config: &Config,
        gw: &'a Object<GatewaySpec>,
        targeting: &[&'a Object<ListenerSetSpec>],
    ) {
        if self
            .parents
            .gateways
            .get(&gw.meta.namespace, &gw.meta.name)
            .is_some()
        {
            return;
        }
        let index = self.gateways.len();
        let mut built = listeners::build(ctx, index, gw, targeting);
        let own = built.own.min(built.infos.len());
        let (mut gw_status, gw_accepted) = status::gateway(config, gw, &built.infos[..own]);
        if let Some(c) = built.insecure_fallback.take() {
            gw_status.conditions.push(c);
        }
        self.gateway_statuses.push(gw_status);
        let gw_key = gw.key();
        if !gw_accepted {
            for info in &mut built.infos {
                info.parent_not_accepted(&gw_key);
            }
        }
        let base = self.listeners.len();
        self.parents.gateways.insert_first(
            &gw.meta.namespace,
            &gw.meta.name,
            (base..base + own).collect(),
        );
        for (ls, range) in &built.sets {
            let infos = range.clone().and_then(|r| built.infos.get(r));
            self.set_statuses
                .push(status::listener_set(ls, &gw_key, infos, gw_accepted));
            let ids = range
                .clone()
                .map(|r| (base + r.start..base + r.end).collect())
                .unwrap_or_default();
            self.parents
                .listener_sets
                .insert_first(&ls.meta.namespace, &ls.meta.name, ids);
        }
        self.listeners.extend(built.infos);
        self.gateways.push(AttachedGateway {
            namespace: gw.meta.namespace.clone(),
            name: gw.meta.name.clone(),
            listeners: Vec::new(),
            frontend: built.frontend,
        });
    }
}
