//! Routes → listeners (SPEC §2.1), route conditions (§2.3) and HTTPRoute/GRPCRoute
//! conflicts (§2.4).

use super::hostname::{intersect_all, HostIndex};
use super::listeners::{admits_namespace, ListenerInfo, X_GATEWAY_GROUP};
use super::report::{Condition, RouteParentStatus, RouteStatus};
use super::{ns_name, AttachedRoute, BackendProblem, Ctx, Parents};
use crate::config::Config;
use crate::model::{
    BackendObjectReference, FilterType, FromNamespaces, HttpBackendRef, HttpRouteFilter,
    InvalidRule, ParentReference, Route, RouteKind, GATEWAY_GROUP,
};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::sync::Arc;

/// What attachment needs from a route of any kind.
struct RouteView<'a> {
    kind: RouteKind,
    index: usize,
    namespace: &'a str,
    name: &'a str,
    created: i64,
    parent_refs: &'a [ParentReference],
    /// `None` for TCP/UDP routes, which have no hostnames.
    hostnames: Option<&'a [String]>,
    rule_count: usize,
    invalid: &'a [InvalidRule],
    /// The rules, whose valid ones' backend and mirror targets
    /// [`RouteView::for_each_backend`] walks (not collected: one allocation per route less).
    rules: Rules<'a>,
}

/// The rules of a route of any kind.
#[derive(Clone, Copy)]
enum Rules<'a> {
    Http(&'a [crate::model::HttpRouteRule]),
    Grpc(&'a [crate::model::GrpcRouteRule]),
    L4(&'a [crate::model::L4RouteRule]),
}

impl<'a> RouteView<'a> {
    /// Calls `f` with the backend and mirror targets of the valid rules, in rule order.
    fn for_each_backend(&self, mut f: impl FnMut(&'a BackendObjectReference)) {
        let valid = |ri: usize| !is_invalid(self.invalid, ri);
        match self.rules {
            Rules::Http(rules) => {
                for (_, rule) in rules.iter().enumerate().filter(|(ri, _)| valid(*ri)) {
                    http_targets(&rule.backend_refs, &rule.filters, &mut f);
                }
            }
            Rules::Grpc(rules) => {
                for (_, rule) in rules.iter().enumerate().filter(|(ri, _)| valid(*ri)) {
                    http_targets(&rule.backend_refs, &rule.filters, &mut f);
                }
            }
            Rules::L4(rules) => {
                for (_, rule) in rules.iter().enumerate().filter(|(ri, _)| valid(*ri)) {
                    rule.backend_refs.iter().for_each(|b| f(&b.target));
                }
            }
        }
    }
}

fn is_invalid(invalid: &[InvalidRule], rule: usize) -> bool {
    invalid.iter().any(|r| r.index == rule)
}

/// Backend targets of an HTTP/GRPC rule: each backendRef followed by its filters' mirror
/// targets, then the rule filters' mirror targets.
fn http_targets<'a>(
    backend_refs: &'a [HttpBackendRef],
    filters: &'a [HttpRouteFilter],
    out: &mut impl FnMut(&'a BackendObjectReference),
) {
    let mirror = |f: &'a HttpRouteFilter| match (&f.kind, &f.request_mirror) {
        (FilterType::RequestMirror, Some(m)) => Some(&m.backend_ref),
        _ => None,
    };
    for b in backend_refs {
        out(&b.target);
        b.filters.iter().filter_map(mirror).for_each(&mut *out);
    }
    filters.iter().filter_map(mirror).for_each(out);
}

fn view<'a, S>(
    kind: RouteKind,
    index: usize,
    r: &'a Route<S>,
    parent_refs: &'a [ParentReference],
    hostnames: Option<&'a [String]>,
    rule_count: usize,
    rules: Rules<'a>,
) -> RouteView<'a> {
    RouteView {
        kind,
        index,
        namespace: &r.meta.namespace,
        name: &r.meta.name,
        created: r.created,
        parent_refs,
        hostnames,
        rule_count,
        invalid: &r.invalid_rules,
        rules,
    }
}

/// The view of HTTPRoute `i`.
fn http_view(i: usize, r: &Route<crate::model::HttpRouteSpec>) -> RouteView<'_> {
    let rules = r.spec.rules.as_deref();
    let count = rules.map_or(1, <[_]>::len);
    let b = Rules::Http(rules.unwrap_or(&[]));
    let (p, h) = (&r.spec.parent_refs, &r.spec.hostnames);
    view(RouteKind::Http, i, r, p, Some(h), count, b)
}

/// The view of GRPCRoute `i`.
fn grpc_view(i: usize, r: &Route<crate::model::GrpcRouteSpec>) -> RouteView<'_> {
    let b = Rules::Grpc(&r.spec.rules);
    let (p, h) = (&r.spec.parent_refs, &r.spec.hostnames);
    view(RouteKind::Grpc, i, r, p, Some(h), r.spec.rules.len(), b)
}

/// Every route of `config`, in kind order (HTTP, GRPC, TLS, TCP, UDP) then input order.
fn views(config: &Config) -> Vec<RouteView<'_>> {
    let n = config.http_routes.len()
        + config.grpc_routes.len()
        + config.tls_routes.len()
        + config.tcp_routes.len()
        + config.udp_routes.len();
    let mut out = Vec::with_capacity(n);
    for (i, r) in config.http_routes.iter().enumerate() {
        out.push(http_view(i, r));
    }
    for (i, r) in config.grpc_routes.iter().enumerate() {
        out.push(grpc_view(i, r));
    }
    out.extend(l4_views(config));
    out
}

/// Every TLS, TCP and UDP route of `config`, in kind order then input order.
fn l4_views(config: &Config) -> Vec<RouteView<'_>> {
    let mut out = Vec::new();
    for (i, r) in config.tls_routes.iter().enumerate() {
        let b = Rules::L4(&r.spec.rules);
        let (p, h) = (&r.spec.parent_refs, &r.spec.hostnames);
        out.push(view(
            RouteKind::Tls,
            i,
            r,
            p,
            Some(h),
            r.spec.rules.len(),
            b,
        ));
    }
    for (kind, list) in [
        (RouteKind::Tcp, &config.tcp_routes),
        (RouteKind::Udp, &config.udp_routes),
    ] {
        for (i, r) in list.iter().enumerate() {
            let b = Rules::L4(&r.spec.rules);
            out.push(view(
                kind,
                i,
                r,
                &r.spec.parent_refs,
                None,
                r.spec.rules.len(),
                b,
            ));
        }
    }
    out
}

/// Calls `f(route namespace, target namespace, target name)` for every backend HTTPRoute or
/// GRPCRoute `index`
/// of `config` references (backendRefs and mirrors of its valid rules); returns the route's
/// namespace (`None` when there is no such route).
pub(crate) fn route_targets(
    config: &Config,
    kind: RouteKind,
    index: usize,
    mut f: impl FnMut(&str, &str, &str),
) -> Option<&str> {
    let v = match kind {
        RouteKind::Http => http_view(index, config.http_routes.get(index)?),
        RouteKind::Grpc => grpc_view(index, config.grpc_routes.get(index)?),
        _ => return None,
    };
    let ns = v.namespace;
    v.for_each_backend(|t| f(ns, t.namespace(ns), &t.name));
    Some(ns)
}

/// The TLS, TCP and UDP routes of `config` (kind and index) whose namespace `in_ns` accepts,
/// or that reference a backend `target(route namespace, target namespace, target name)`
/// accepts.
pub(crate) fn l4_routes_touching(
    config: &Config,
    in_ns: impl Fn(&str) -> bool,
    target: impl Fn(&str, &str, &str) -> bool,
) -> Vec<(RouteKind, usize)> {
    l4_views(config)
        .into_iter()
        .filter(|v| {
            let mut hit = in_ns(v.namespace);
            v.for_each_backend(|t| {
                hit = hit || target(v.namespace, t.namespace(v.namespace), &t.name);
            });
            hit
        })
        .map(|v| (v.kind, v.index))
        .collect()
}

/// The result of evaluating one parentRef.
enum Outcome {
    /// `Accepted=False` with this reason and message.
    Refused(&'static str, String),
    /// Attached to these listeners with these effective hostnames.
    Attached(Vec<(usize, Arc<[String]>)>),
}

/// The effective hostnames of a route on a listener, by listener id and the route's hostnames
/// (`None`: a TCP/UDP route): computed once per distinct pair of one attachment run, so
/// that the routes of one tenant share one list.
type HostsCache<'a> = FxHashMap<(usize, Option<&'a [String]>), Arc<[String]>>;

/// One evaluated parentRef: the reference (its status is built from it when the route's
/// status is finished) and the outcome.
struct ParentEval<'a> {
    parent: &'a ParentReference,
    outcome: Outcome,
}

/// The evaluated parentRefs of every route with a status, in one list: route `e` (in
/// `routes`, with its view index) owns `parents[range]`. One list instead of one per route:
/// two allocations and frees per route less.
#[derive(Default)]
struct Evals<'a> {
    routes: Vec<(usize, std::ops::Range<usize>)>,
    parents: Vec<ParentEval<'a>>,
}

impl<'a> Evals<'a> {
    /// The evaluated parentRefs of route `e`.
    fn of(&self, e: usize) -> &[ParentEval<'a>] {
        &self.parents[self.routes[e].1.clone()]
    }

    /// Parent `pi` of route `e`.
    fn parent_mut(&mut self, e: usize, pi: usize) -> &mut ParentEval<'a> {
        let at = self.routes[e].1.start + pi;
        &mut self.parents[at]
    }
}

/// The listener ids a parentRef can reach, or `None` when it names no served parent.
fn relevant<'p>(
    parents: &'p Parents<'_>,
    p: &ParentReference,
    route_ns: &str,
) -> Option<&'p [usize]> {
    let ns = p.namespace(route_ns);
    match (p.group(), p.kind()) {
        (GATEWAY_GROUP, "Gateway") => parents.gateways.get(ns, &p.name),
        (GATEWAY_GROUP, "ListenerSet") | (X_GATEWAY_GROUP, "XListenerSet") => {
            parents.listener_sets.get(ns, &p.name)
        }
        _ => None,
    }
    .map(Vec::as_slice)
}

/// SPEC §2.1 steps 2–4 for one parentRef (before cross-route conflicts).
fn evaluate<'a>(
    ctx: &Ctx<'_>,
    listeners: &[ListenerInfo<'_>],
    v: &RouteView<'a>,
    p: &ParentReference,
    ids: &[usize],
    cache: &mut HostsCache<'a>,
) -> Outcome {
    if let Some(refused) = all_rules_invalid(v) {
        return refused;
    }
    let selected = || {
        ids.iter()
            .filter_map(|&id| Some((id, listeners.get(id)?)))
            .filter(|(_, l)| p.section_name.as_deref().is_none_or(|s| s == l.spec.name))
            .filter(|(_, l)| p.port.is_none_or(|port| port == l.spec.port))
    };
    if selected().next().is_none() {
        return Outcome::Refused(
            "NoMatchingParent",
            "no listener of the parent matches the parentRef's sectionName/port".to_string(),
        );
    }
    attach_to_listeners(ctx, v, selected(), cache)
}

/// The refusal of a route whose every rule is invalid, naming each rule's problem.
fn all_rules_invalid(v: &RouteView<'_>) -> Option<Outcome> {
    let mut invalid: Vec<&InvalidRule> = v
        .invalid
        .iter()
        .filter(|r| r.index < v.rule_count)
        .collect();
    invalid.sort_by_key(|r| r.index);
    invalid.dedup_by_key(|r| r.index);
    if invalid.is_empty() || invalid.len() != v.rule_count {
        return None;
    }
    let reason = match invalid[0].reason {
        "IncompatibleFilters" => "IncompatibleFilters",
        _ => "UnsupportedValue",
    };
    let msgs: Vec<String> = invalid
        .iter()
        .map(|r| format!("rule {}: {}", r.index, r.message))
        .collect();
    Some(Outcome::Refused(
        reason,
        format!("All rules are invalid: {}", msgs.join("; ")),
    ))
}

/// Attaches the route to the `selected` listeners that allow its kind and namespace and
/// whose hostname intersects its hostnames; else the reason none does.
fn attach_to_listeners<'l, 'a>(
    ctx: &Ctx<'_>,
    v: &RouteView<'a>,
    selected: impl Iterator<Item = (usize, &'l ListenerInfo<'l>)>,
    cache: &mut HostsCache<'a>,
) -> Outcome {
    let mut allowed = false;
    let mut out = Vec::new();
    for (id, l) in selected {
        if !l.kinds.contains(&v.kind) {
            continue;
        }
        let namespaces = l
            .spec
            .allowed_routes
            .as_ref()
            .and_then(|a| a.namespaces.as_ref());
        if !admits_namespace(
            ctx,
            namespaces,
            FromNamespaces::Same,
            l.owner_ns,
            v.namespace,
        ) {
            continue;
        }
        allowed = true;
        let hosts = cache
            .entry((id, v.hostnames))
            .or_insert_with(|| match v.hostnames {
                Some(h) => intersect_all(l.attached.hostname.as_deref(), h).into(),
                None => Arc::from(["*".to_string()]),
            })
            .clone();
        if !hosts.is_empty() {
            out.push((id, hosts));
        }
    }
    if !out.is_empty() {
        Outcome::Attached(out)
    } else if !allowed {
        Outcome::Refused(
            "NotAllowedByListeners",
            format!(
                "no listener of the parent allows {} from namespace {}",
                v.kind.as_str(),
                v.namespace
            ),
        )
    } else {
        Outcome::Refused(
            "NoMatchingListenerHostname",
            "no listener hostname intersects the route's hostnames".to_string(),
        )
    }
}

/// `ns/name` of a route as bytes, for byte-string ordering without allocating.
fn name_key<'v>(v: &RouteView<'v>) -> impl Iterator<Item = u8> + 'v {
    v.namespace
        .bytes()
        .chain(std::iter::once(b'/'))
        .chain(v.name.bytes())
}

/// An HTTP/GRPC candidate on a listener: (age rank, kind, view, eval, parent).
type Entry = (usize, RouteKind, usize, usize, usize);

/// A parentRef that loses a listener to an older route: (eval, parent, listener, message).
type Loser = (usize, usize, usize, String);

/// SPEC §2.4: on each listener, an HTTPRoute and a GRPCRoute with overlapping effective
/// hostnames cannot both attach; the older wins.
fn resolve_conflicts(
    views: &[RouteView<'_>],
    listeners: &[ListenerInfo<'_>],
    evals: &mut Evals<'_>,
) {
    // Only a listener with candidates of both kinds has conflicts: without routes of both
    // kinds there is nothing to rank (the age sort costs more than the rest of attachment).
    let has = |k: RouteKind| views.iter().any(|v| v.kind == k);
    if !(has(RouteKind::Http) && has(RouteKind::Grpc)) {
        return;
    }
    let rank = age_ranks(views);
    let mut per_listener = candidates_per_listener(views, evals, &rank);
    let mut losers: Vec<Loser> = Vec::new();
    let mut ids: Vec<usize> = per_listener.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(entries) = per_listener.remove(&id) else {
            continue;
        };
        listener_losers(views, listeners, evals, id, entries, &mut losers);
    }
    for (e, pi, id, msg) in losers {
        let pe = evals.parent_mut(e, pi);
        if let Outcome::Attached(list) = &mut pe.outcome {
            list.retain(|(l, _)| *l != id);
            if list.is_empty() {
                pe.outcome = Outcome::Refused("NotAllowedByListeners", msg);
            }
        }
    }
}

/// Age rank of every HTTP/GRPC route (`usize::MAX` for the others): `created`, then `ns/name`
/// as one byte string, then HTTPRoute before GRPCRoute (views are in kind order, and the
/// sort is stable).
fn age_ranks(views: &[RouteView<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..views.len())
        .filter(|&vi| matches!(views[vi].kind, RouteKind::Http | RouteKind::Grpc))
        .collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&views[a], &views[b]);
        a.created
            .cmp(&b.created)
            .then_with(|| name_key(a).cmp(name_key(b)))
    });
    let mut rank = vec![usize::MAX; views.len()];
    for (r, &vi) in order.iter().enumerate() {
        rank[vi] = r;
    }
    rank
}

/// The HTTP/GRPC candidates attached to each listener.
fn candidates_per_listener(
    views: &[RouteView<'_>],
    evals: &Evals<'_>,
    rank: &[usize],
) -> FxHashMap<usize, Vec<Entry>> {
    let mut per_listener: FxHashMap<usize, Vec<Entry>> = FxHashMap::default();
    for (e, (vi, _)) in evals.routes.iter().enumerate() {
        let parents = evals.of(e);
        let v = &views[*vi];
        if !matches!(v.kind, RouteKind::Http | RouteKind::Grpc) {
            continue;
        }
        for (pi, pe) in parents.iter().enumerate() {
            if let Outcome::Attached(list) = &pe.outcome {
                for (id, _) in list {
                    per_listener
                        .entry(*id)
                        .or_default()
                        .push((rank[*vi], v.kind, *vi, e, pi));
                }
            }
        }
    }
    per_listener
}

/// On listener `id`, oldest first, each candidate whose hostnames overlap those of an
/// accepted candidate of the other kind (HTTP vs GRPC) loses; the others are accepted.
fn listener_losers(
    views: &[RouteView<'_>],
    listeners: &[ListenerInfo<'_>],
    evals: &Evals<'_>,
    id: usize,
    mut entries: Vec<Entry>,
    losers: &mut Vec<Loser>,
) {
    let has = |k| entries.iter().any(|e| e.1 == k);
    if !(has(RouteKind::Http) && has(RouteKind::Grpc)) {
        return;
    }
    entries.sort_unstable();
    let hosts = |e: &Entry| -> &[String] {
        match &evals.of(e.3)[e.4].outcome {
            Outcome::Attached(list) => list
                .iter()
                .find(|(l, _)| *l == id)
                .map_or(&[][..], |(_, h)| &h[..]),
            Outcome::Refused(..) => &[],
        }
    };
    // Accepted routes per kind: [HTTPRoute, GRPCRoute], each id an index into `entries`.
    let mut accepted = [HostIndex::default(), HostIndex::default()];
    for (n, e) in entries.iter().enumerate() {
        let (own, other) = if e.1 == RouteKind::Http {
            (0, 1)
        } else {
            (1, 0)
        };
        let hs = hosts(e);
        match hs.iter().find_map(|h| accepted[other].find(h)) {
            Some(w) => {
                let w = &views[entries[w].2];
                losers.push((
                    e.3,
                    e.4,
                    id,
                    format!(
                        "{} {} is older and serves an overlapping hostname on listener {}",
                        w.kind.as_str(),
                        ns_name(w.namespace, w.name),
                        listeners.get(id).map_or("", |l| l.spec.name.as_str())
                    ),
                ));
            }
            None => {
                for h in hs {
                    accepted[own].insert(h, n);
                }
            }
        }
    }
}

/// What attachment decided for one HTTPRoute or GRPCRoute, kept by [`crate::Live`] to update
/// the attachment of a changed route without attaching every route again (issue #18).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RouteRecord {
    /// Whether the route has a status (some parentRef names a served parent).
    pub has_status: bool,
    /// Flat listener ids (as in `Report::listeners`) where the route is a candidate before
    /// the HTTPRoute/GRPCRoute conflicts of SPEC §2.4, ascending, each once, with its
    /// effective hostnames there.
    pub candidates: Vec<(u32, Arc<[String]>)>,
    /// Flat listener ids where the route is attached, with its effective hostnames there.
    pub accepted: Vec<(u32, Arc<[String]>)>,
}

/// Appends to `out` the parentRefs of route `v` that name a served parent, each evaluated
/// (SPEC §2.1 steps 2-4, before cross-route conflicts).
fn evaluate_parents<'a>(
    ctx: &Ctx<'_>,
    parents: &Parents<'_>,
    listeners: &[ListenerInfo<'_>],
    v: &RouteView<'a>,
    out: &mut Vec<ParentEval<'a>>,
    cache: &mut HostsCache<'a>,
) {
    for p in v.parent_refs {
        let Some(ids) = relevant(parents, p, v.namespace) else {
            continue;
        };
        let outcome = evaluate(ctx, listeners, v, p, ids, cache);
        out.push(ParentEval { parent: p, outcome });
    }
}

/// A parentRef's kind, borrowed when it is one of the kinds of served parents.
fn parent_kind(kind: &str) -> Cow<'static, str> {
    match kind {
        "Gateway" => Cow::Borrowed("Gateway"),
        "ListenerSet" => Cow::Borrowed("ListenerSet"),
        "XListenerSet" => Cow::Borrowed("XListenerSet"),
        other => Cow::Owned(other.to_string()),
    }
}

/// One copy of each distinct list of parent statuses of one build of the report: the routes
/// of one parent usually have the same statuses (issue #20, item 3: at 100,000 rules the
/// statuses were 176 bytes per rule, mostly these lists).
///
/// A route's list is built in `scratch`, whose strings and condition lists are reused from
/// route to route: a list already shared costs no allocation.
#[derive(Default)]
struct SharedParents {
    lists: FxHashSet<Arc<[RouteParentStatus]>>,
    scratch: Vec<RouteParentStatus>,
}

impl SharedParents {
    /// The shared copy of the first `n` statuses of `scratch`.
    fn get(&mut self, n: usize) -> Arc<[RouteParentStatus]> {
        self.scratch.truncate(n);
        if let Some(shared) = self.lists.get(self.scratch.as_slice()) {
            return shared.clone();
        }
        let shared: Arc<[RouteParentStatus]> = Arc::from(self.scratch.as_slice());
        self.lists.insert(shared.clone());
        shared
    }

    /// Status `pi` of `scratch` set to parentRef `p` of a route in namespace `route_ns`, with
    /// no conditions (buffers of an earlier route reused).
    fn status(&mut self, pi: usize, p: &ParentReference, route_ns: &str) -> &mut RouteParentStatus {
        if pi == self.scratch.len() {
            self.scratch.push(RouteParentStatus {
                parent_kind: Cow::Borrowed(""),
                parent: String::new(),
                section_name: None,
                port: None,
                conditions: Vec::new(),
            });
        }
        let s = &mut self.scratch[pi];
        s.parent_kind = parent_kind(p.kind());
        s.parent.clear();
        s.parent.push_str(p.namespace(route_ns));
        s.parent.push('/');
        s.parent.push_str(&p.name);
        match (&mut s.section_name, &p.section_name) {
            (Some(mine), Some(theirs)) => {
                mine.clear();
                mine.push_str(theirs);
            }
            (mine, theirs) => *mine = theirs.clone(),
        }
        s.port = p.port.and_then(|x| u16::try_from(x).ok());
        s.conditions.clear();
        s
    }
}

/// The listeners of `list`'s attached outcomes with the route's hostnames there, ascending by
/// listener id, each once.
fn candidate_ids(list: &[ParentEval<'_>]) -> Vec<(u32, Arc<[String]>)> {
    let mut out = RouteRecord::default();
    for pe in list {
        if let Outcome::Attached(l) = &pe.outcome {
            for (id, hosts) in l {
                record_accepted(&mut out, *id as u32, hosts);
            }
        }
    }
    out.accepted.sort_by_key(|(id, _)| *id);
    out.accepted
}

/// Attaches every route; fills listener `routes` and `attached_routes`; returns route status
/// and, with `records`, the record of every HTTPRoute then every GRPCRoute (config order).
pub(super) fn attach_routes(
    ctx: &Ctx<'_>,
    config: &Config,
    parents: &Parents<'_>,
    listeners: &mut [ListenerInfo<'_>],
    mut records: Option<&mut Vec<RouteRecord>>,
) -> Vec<RouteStatus> {
    let views = views(config);
    let mut evals = Evals {
        routes: Vec::with_capacity(views.len()),
        parents: Vec::with_capacity(views.len()),
    };
    if let Some(r) = records.as_deref_mut() {
        let n = config.http_routes.len() + config.grpc_routes.len();
        r.clear();
        r.resize(n, RouteRecord::default());
    }
    let mut cache = HostsCache::default();
    for (vi, v) in views.iter().enumerate() {
        let start = evals.parents.len();
        evaluate_parents(ctx, parents, listeners, v, &mut evals.parents, &mut cache);
        if evals.parents.len() > start {
            if let Some(r) = records.as_deref_mut().and_then(|r| r.get_mut(vi)) {
                r.candidates = candidate_ids(&evals.parents[start..]);
            }
            evals.routes.push((vi, start..evals.parents.len()));
        }
    }
    resolve_conflicts(&views, listeners, &mut evals);

    let mut out = Vec::with_capacity(evals.routes.len());
    let mut shared = SharedParents::default();
    let mut parents = evals.parents.into_iter();
    for (vi, range) in evals.routes {
        let v = &views[vi];
        let record = records.as_deref_mut().and_then(|r| r.get_mut(vi));
        let list = parents.by_ref().take(range.len());
        out.push(finish_route(ctx, v, list, listeners, record, &mut shared));
    }
    out
}

/// The status of route `v` from its evaluated parentRefs (its list of parent statuses shared
/// through `shared`); attaches it to the listeners that accepted it and records them in
/// `record`.
fn finish_route<'a>(
    ctx: &Ctx<'_>,
    v: &RouteView<'a>,
    list: impl ExactSizeIterator<Item = ParentEval<'a>>,
    listeners: &mut [ListenerInfo<'_>],
    mut record: Option<&mut RouteRecord>,
    shared: &mut SharedParents,
) -> RouteStatus {
    let refs = resolved_refs(ctx, v);
    let partial = partially_invalid(v);
    if let Some(r) = record.as_deref_mut() {
        r.has_status = true;
    }
    // The last parentRef takes the shared conditions, the others copies (usually there is
    // one parentRef: no copy).
    let (mut refs, mut partial) = (Some(refs), partial);
    let n = list.len();
    let last = n.saturating_sub(1);
    for (pi, pe) in list.enumerate() {
        let accepted = match pe.outcome {
            Outcome::Refused(reason, msg) => Condition::new("Accepted", false, reason, msg),
            Outcome::Attached(list) => {
                for (id, hosts) in list {
                    if let Some(r) = record.as_deref_mut() {
                        record_accepted(r, id as u32, &hosts);
                    }
                    if let Some(l) = listeners.get_mut(id) {
                        attach_to(l, v, hosts);
                    }
                }
                Condition::new("Accepted", true, "Accepted", "route is accepted")
            }
        };
        let take = pi == last;
        let conds = 2 + usize::from(partial.is_some());
        let status = shared.status(pi, pe.parent, v.namespace);
        status.conditions.reserve_exact(conds);
        status.conditions.push(accepted);
        let shared = if take { refs.take() } else { refs.clone() };
        status.conditions.extend(shared);
        let p = if take {
            partial.take()
        } else {
            partial.clone()
        };
        status.conditions.extend(p);
    }
    RouteStatus {
        kind: v.kind,
        namespace: v.namespace.to_string(),
        name: v.name.to_string(),
        parents: shared.get(n),
    }
}

/// Records that the route attached to listener `id` with `hosts` (merged as [`attach_to`]
/// merges repeated attachments).
fn record_accepted(r: &mut RouteRecord, id: u32, hosts: &Arc<[String]>) {
    match r.accepted.iter_mut().find(|(l, _)| *l == id) {
        Some((_, hs)) => merge_hosts(hs, hosts),
        None => r.accepted.push((id, hosts.clone())),
    }
}

/// Appends to `list` the hostnames of `more` it lacks, in order (a new list only when some
/// are new).
fn merge_hosts(list: &mut Arc<[String]>, more: &[String]) {
    if more.iter().all(|h| list.contains(h)) {
        return;
    }
    let mut merged = list.to_vec();
    for h in more {
        if !merged.contains(h) {
            merged.push(h.clone());
        }
    }
    *list = merged.into();
}

/// Attaches HTTPRoute or GRPCRoute `index` of `config` alone, as [`attach_routes`] would when
/// no listener it can reach carries routes of the other kind (no SPEC §2.4 conflict): its
/// status (`None` when no parentRef names a served parent) and its record.
pub(super) fn attach_one(
    ctx: &Ctx<'_>,
    config: &Config,
    parents: &Parents<'_>,
    listeners: &mut [ListenerInfo<'_>],
    kind: RouteKind,
    index: usize,
) -> (Option<RouteStatus>, RouteRecord) {
    let v = match kind {
        RouteKind::Http => config.http_routes.get(index).map(|r| http_view(index, r)),
        RouteKind::Grpc => config.grpc_routes.get(index).map(|r| grpc_view(index, r)),
        _ => None,
    };
    let mut record = RouteRecord::default();
    let Some(v) = v else {
        return (None, record);
    };
    let mut list = Vec::new();
    let mut cache = HostsCache::default();
    evaluate_parents(ctx, parents, listeners, &v, &mut list, &mut cache);
    if list.is_empty() {
        return (None, record);
    }
    record.candidates = candidate_ids(&list);
    let status = finish_route(
        ctx,
        &v,
        list.into_iter(),
        listeners,
        Some(&mut record),
        &mut SharedParents::default(),
    );
    (Some(status), record)
}

/// Adds the route to the listener once (merging hostnames of repeated attachments). Routes
/// are attached one after the other, so a repeated attachment finds the route last.
fn attach_to(l: &mut ListenerInfo<'_>, v: &RouteView<'_>, hosts: Arc<[String]>) {
    let existing = l
        .attached
        .routes
        .last_mut()
        .filter(|r| r.kind == v.kind && r.index == v.index);
    match existing {
        Some(r) => merge_hosts(&mut r.hostnames, &hosts),
        None => {
            l.attached.routes.push(AttachedRoute {
                kind: v.kind,
                index: v.index,
                hostnames: hosts,
            });
            l.status.attached_routes = l.status.attached_routes.saturating_add(1);
        }
    }
}

/// `ResolvedRefs` for a route: the first invalid backend's reason, every problem's message.
fn resolved_refs(ctx: &Ctx<'_>, v: &RouteView<'_>) -> Condition {
    let mut problems = Vec::new();
    // The rules of a route often name the same few backends: a target equal to one of the
    // last few checked takes that one's answer (the check depends on the target alone).
    let mut seen: [Option<(&BackendObjectReference, Option<BackendProblem>)>; 4] =
        Default::default();
    let mut next = 0;
    v.for_each_backend(|t| {
        let known = seen
            .iter()
            .flatten()
            .find(|(s, _)| std::ptr::eq(*s, t) || *s == t)
            .map(|(_, p)| p.clone());
        let problem = known.unwrap_or_else(|| {
            let p = ctx.resolver.problem(v.kind, v.namespace, t);
            seen[next % seen.len()] = Some((t, p.clone()));
            next += 1;
            p
        });
        problems.extend(problem);
    });
    match problems.first() {
        None => Condition::new(
            "ResolvedRefs",
            true,
            "ResolvedRefs",
            "all references resolved",
        ),
        Some(first) => Condition::new(
            "ResolvedRefs",
            false,
            first.reason,
            problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// `PartiallyInvalid=True` when some but not all rules were dropped.
fn partially_invalid(v: &RouteView<'_>) -> Option<Condition> {
    let mut invalid: Vec<&InvalidRule> = v
        .invalid
        .iter()
        .filter(|r| r.index < v.rule_count)
        .collect();
    invalid.sort_by_key(|r| r.index);
    invalid.dedup_by_key(|r| r.index);
    if invalid.is_empty() || invalid.len() >= v.rule_count {
        return None;
    }
    let msg = invalid
        .iter()
        .map(|r| format!("Dropped Rule {}: {}", r.index, r.message))
        .collect::<Vec<_>>()
        .join("; ");
    Some(Condition::new(
        "PartiallyInvalid",
        true,
        "UnsupportedValue",
        msg,
    ))
}
