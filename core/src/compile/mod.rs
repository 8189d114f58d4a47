//! Compilation: the attached routes of one Gateway → per port a listener table, per listener a
//! host index, per hostname a path index whose candidates are already in precedence order
//! (DESIGN §3). Everything a lookup needs is decided here: names are lowercased, regexes
//! compiled, candidates sorted, weights accumulated.

pub(crate) mod backend;
pub(crate) mod chunked;
pub(crate) mod conds;
pub(crate) mod dfa;
pub(crate) mod filter;
pub(crate) mod grpc;
pub(crate) mod host;
pub(crate) mod incremental;
pub(crate) mod ingress;
pub(crate) mod l4;
pub(crate) mod listener_index;
pub(crate) mod path;
pub(crate) mod rank;
pub(crate) mod segment;
pub(crate) mod template;
pub(crate) mod tls;

use crate::attach::{self, AttachedGateway, AttachedListener};
use crate::config::Config;
use crate::model::{
    BackendObjectReference, GrpcRouteMatch, HttpBackendRef, HttpHeaderMatch, HttpRouteFilter,
    HttpRouteMatch, HttpRouteRule, MatchType, PathMatchType, ProtocolType, RequestMirror,
    RouteKind,
};
use crate::options::Options;
use crate::policy::Policies;
use backend::{Backend, Split};
pub(crate) use chunked::Chunked;
use conds::{HeaderCond, QueryCond, ValueMatch};
use dfa::Dfa;
use filter::{compile_filters, Filter};
use host::HostIndex;
use path::{PathIndex, PathIndexBuilder, Tail};
use rank::{Bucket, Key};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;

/// The kind of a path match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathKind {
    /// `Exact`.
    Exact,
    /// `PathPrefix`.
    Prefix,
    /// `RegularExpression`.
    Regex,
}

/// A route as the router reports it.
#[derive(Debug, Clone)]
pub(crate) struct RouteInfo {
    pub kind: RouteKind,
    /// Shared by the routes of one namespace (one allocation per namespace, not per route).
    pub namespace: std::sync::Arc<str>,
    pub name: Box<str>,
    pub created: i64,
    /// Replaced or deleted by a live update (issue #18): no vhost refers to its matches any
    /// more; its rules stay in the tables until the next full build.
    pub dead: bool,
}

/// A compiled rule.
///
/// Its name, filters and policies, which most rules lack, live behind one optional box
/// ([`RuleExtra`]) (issue #20, item 3).
#[derive(Debug, Clone)]
pub(crate) struct RuleInfo {
    pub route: u32,
    pub index: u32,
    pub split: Split,
    /// `None` when the rule has no name, filters or policies.
    extra: Option<Box<RuleExtra>>,
}

/// The rarer parts of a [`RuleInfo`].
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleExtra {
    pub name: Option<Box<str>>,
    pub filters: Box<[Filter]>,
    /// `None` when nothing is configured.
    pub policies: Option<Box<Policies>>,
}

impl RuleInfo {
    /// A rule of route `route` (`index` in its `spec.rules`) with its backends, boxing
    /// `extra` only when not empty.
    pub(crate) fn new(route: u32, index: u32, split: Split, extra: RuleExtra) -> RuleInfo {
        let empty = extra.name.is_none() && extra.filters.is_empty() && extra.policies.is_none();
        RuleInfo {
            route,
            index,
            split,
            extra: (!empty).then(|| Box::new(extra)),
        }
    }

    /// The rule's `name`, if set.
    pub(crate) fn name(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.name.as_deref())
    }

    /// The rule's filters.
    pub(crate) fn filters(&self) -> &[Filter] {
        self.extra.as_ref().map_or(&[], |e| &e.filters)
    }

    /// Timeouts, retry and session persistence, when configured.
    pub(crate) fn policies(&self) -> Option<&Policies> {
        self.extra.as_ref().and_then(|e| e.policies.as_deref())
    }
}

/// A compiled match: its path and its other conditions.
///
/// 24 bytes: the path value is an index into the Router's table of distinct path values
/// ([`Compiled::paths`]), and the conditions and path parameters, which most matches lack,
/// live behind one optional box ([`MatchConds`]) (issue #20, item 3).
#[derive(Debug, Clone)]
pub(crate) struct MatchInfo {
    pub rule: u32,
    pub index: u32,
    /// The path value: index into [`Compiled::paths`] ([`Compiled::path_value`]).
    pub path: u32,
    pub path_kind: PathKind,
    /// `None` when the match has no method, header, query or gRPC condition and no path
    /// parameters.
    conds: Option<Box<MatchConds>>,
}

/// Numbers the distinct path values of a [`Compiled`]'s matches: each is stored once in
/// [`Compiled::paths`], however many matches use it (configurations repeat `/`, `/api`, …
/// over many rules; issue #20, item 3).
///
/// Keyed by the value's hash alone: of two different values with the same hash the second
/// is stored again, under a new index (a duplicate, never a wrong value).
#[derive(Debug, Clone, Default)]
pub(crate) struct PathIds(FxHashMap<u64, u32>);

impl PathIds {
    /// The index of `value` in `paths`, appended if not there yet.
    pub(crate) fn id(&mut self, paths: &mut Chunked<Box<str>>, value: &str) -> u32 {
        use std::hash::BuildHasher;
        let hash = rustc_hash::FxBuildHasher.hash_one(value);
        if let Some(&id) = self.0.get(&hash) {
            if paths.get(id as usize).is_some_and(|p| **p == *value) {
                return id;
            }
        }
        let id = paths.len() as u32;
        paths.push(value.into());
        self.0.entry(hash).or_insert(id);
        id
    }
}

/// The rarer parts of a [`MatchInfo`].
#[derive(Debug, Clone, Default)]
pub(crate) struct MatchConds {
    pub method: Option<Box<str>>,
    pub headers: Box<[HeaderCond]>,
    pub query: Box<[QueryCond]>,
    /// GRPCRoute matches only: the service/method condition.
    pub grpc: Option<Box<grpc::GrpcCond>>,
    /// How the path parameters of a RegularExpression path are found.
    pub params: template::ParamPlan,
}

impl MatchConds {
    fn is_empty(&self) -> bool {
        self.method.is_none()
            && self.headers.is_empty()
            && self.query.is_empty()
            && self.grpc.is_none()
            && matches!(self.params, template::ParamPlan::None)
    }
}

impl MatchInfo {
    /// A match of path `kind` and value `path` (its index in [`Compiled::paths`], see
    /// [`PathIds`]) with conditions `conds` (boxed only when not empty).
    pub(crate) fn new(
        rule: u32,
        index: u32,
        path_kind: PathKind,
        path: u32,
        conds: MatchConds,
    ) -> MatchInfo {
        MatchInfo {
            rule,
            index,
            path,
            path_kind,
            conds: (!conds.is_empty()).then(|| Box::new(conds)),
        }
    }

    /// The method condition.
    #[inline]
    pub(crate) fn method(&self) -> Option<&str> {
        self.conds.as_ref().and_then(|c| c.method.as_deref())
    }

    /// The header conditions.
    #[inline]
    pub(crate) fn headers(&self) -> &[HeaderCond] {
        self.conds.as_ref().map_or(&[], |c| &c.headers)
    }

    /// The query-parameter conditions.
    #[inline]
    pub(crate) fn query(&self) -> &[QueryCond] {
        self.conds.as_ref().map_or(&[], |c| &c.query)
    }

    /// GRPCRoute matches only: the service/method condition.
    #[inline]
    pub(crate) fn grpc(&self) -> Option<&grpc::GrpcCond> {
        self.conds.as_ref().and_then(|c| c.grpc.as_deref())
    }

    /// How the path parameters of a RegularExpression path are found.
    #[inline]
    pub(crate) fn params(&self) -> &template::ParamPlan {
        static NONE: template::ParamPlan = template::ParamPlan::None;
        self.conds.as_ref().map_or(&NONE, |c| &c.params)
    }

    /// The method, header and query conditions (`None` when there are none, nor a gRPC
    /// condition or path parameters): what a lookup asks about a candidate.
    #[inline]
    pub(crate) fn conds(&self) -> Option<&MatchConds> {
        self.conds.as_deref()
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// Issue #20, item 3: the per-rule and per-match entries stay small; the rare parts are
    /// boxed and absent when unused. Failed at 112 (MatchInfo) and 88 (RuleInfo) bytes, then
    /// at 40 (MatchInfo, its path value a `Box<str>` of its own).
    #[test]
    fn table_entries_are_small() {
        assert!(std::mem::size_of::<MatchInfo>() <= 24);
        assert!(std::mem::size_of::<RuleInfo>() <= 32);
        let plain = MatchInfo::new(0, 0, PathKind::Prefix, 0, MatchConds::default());
        assert!(plain.conds().is_none());
        assert_eq!((plain.method(), plain.headers().len()), (None, 0));
        let get = MatchInfo::new(
            0,
            0,
            PathKind::Prefix,
            0,
            MatchConds {
                method: Some("GET".into()),
                ..MatchConds::default()
            },
        );
        assert_eq!(get.method(), Some("GET"));
        let rule = RuleInfo::new(0, 0, Split::default(), RuleExtra::default());
        assert!(rule.extra.is_none() && rule.name().is_none() && rule.filters().is_empty());
        let named = RuleExtra {
            name: Some("n".into()),
            ..RuleExtra::default()
        };
        assert_eq!(
            RuleInfo::new(0, 0, Split::default(), named).name(),
            Some("n")
        );
    }

    /// Each distinct path value is stored once; a hash that leads to another value (a
    /// collision) stores the value again rather than answer the other one.
    #[test]
    fn path_values_are_stored_once_and_never_confused() {
        use std::hash::BuildHasher;
        let mut paths = Chunked::new();
        let mut ids = PathIds::default();
        let a = ids.id(&mut paths, "/a");
        let b = ids.id(&mut paths, "/b");
        assert_ne!(a, b);
        assert_eq!(ids.id(&mut paths, "/a"), a);
        assert_eq!(ids.id(&mut paths, "/b"), b);
        assert_eq!(paths.len(), 2);
        assert_eq!((&*paths[a as usize], &*paths[b as usize]), ("/a", "/b"));
        // A colliding entry: the hash of "/c" names "/a"'s index.
        ids.0.insert(rustc_hash::FxBuildHasher.hash_one("/c"), a);
        let c = ids.id(&mut paths, "/c");
        assert_ne!(c, a);
        assert_eq!(&*paths[c as usize], "/c");
        assert_eq!(&*paths[a as usize], "/a");
    }

    /// A Router stores a path value once however many matches (of any kind, route or rule)
    /// use it, and each match still reports its own kind and value.
    #[test]
    fn a_router_stores_each_path_value_once() {
        use crate::{Options, Request, Router};
        let route = |name: &str| {
            format!(
                "---
kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {{name: {name}, namespace: app}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [{name}.example.com]
  rules:
  - matches: [{{path: {{type: Exact, value: /api}}}}, {{path: {{value: /web}}}}]
    backendRefs: [{{name: a, port: 80}}]
  - matches: [{{path: {{value: /api}}}}, {{path: {{type: RegularExpression, value: /r/.*}}}}]
"
            )
        };
        let yaml = format!(
            "kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {{name: gw, namespace: app}}
spec:
  gatewayClassName: any
  listeners: [{{name: http, port: 80, protocol: HTTP}}]
{}{}",
            route("one"),
            route("two")
        );
        let router = Router::from_yaml(&yaml, Options::default()).unwrap();
        let c = router.compiled();
        assert_eq!(c.matches.len(), 8);
        let mut values: Vec<&str> = c.paths.iter().map(|p| &**p).collect();
        values.sort_unstable();
        assert_eq!(values, ["/api", "/r/.*", "/web"]);
        for (host, path, want) in [
            ("one.example.com", "/api", (PathKind::Exact, "/api")),
            ("two.example.com", "/api/x", (PathKind::Prefix, "/api")),
            ("two.example.com", "/web", (PathKind::Prefix, "/web")),
            ("one.example.com", "/r/x", (PathKind::Regex, "/r/.*")),
        ] {
            let out = router.route(&Request::new("GET", host, path));
            assert_eq!(out.matched().map(|m| m.path_match()), Some(want), "{path}");
        }
    }
}

/// Candidates of one effective hostname.
///
/// In declaration order (`repr(C)`), what an HTTP lookup reads first: the path index's
/// words and root lie in the record's first 20 bytes, so they share one cache line
/// whatever the record's place in its chunk (issue #20, item 3: they straddled two lines
/// for half the records).
#[derive(Debug, Default, Clone)]
#[repr(C)]
pub(crate) struct VHost {
    /// Exact, PathPrefix and template-regex candidates in one trie, by position, and the
    /// `(regex, match id, position, leading literal)` of regexes that are not templates
    /// ([`PathIndex::regex`]).
    pub paths: PathIndex,
    pub hostname: Box<str>,
    /// GRPCRoute candidates (match ids) in SPEC §4.3 order.
    pub grpc: Vec<u32>,
    /// HTTP candidates (match ids) in precedence order: read by `Router::explain` and the
    /// shadowed-rule analysis, never by a lookup.
    pub order: Box<[u32]>,
}

/// One listener of a port, with its own host index.
#[derive(Debug, Clone)]
pub(crate) struct ListenerEntry {
    pub name: Box<str>,
    pub hostname: Option<Box<str>>,
    pub hosts: HostIndex,
    /// GRPCRoutes of the listener.
    pub grpc_hosts: HostIndex,
}

/// Everything on one port.
#[derive(Debug, Clone)]
pub(crate) struct Frontend {
    pub port: u16,
    pub tls: bool,
    /// Usable listeners, most specific hostname first (SPEC §2.5 selection order).
    pub listeners: Vec<ListenerEntry>,
    /// Selects among `listeners` by the request's host without scanning them.
    pub listener_index: listener_index::ListenerIndex,
    /// All listeners' routes together, for `listener_isolation = false`.
    pub merged: HostIndex,
    /// GRPCRoutes of every listener, for `listener_isolation = false`.
    pub merged_grpc: HostIndex,
    /// No listener of the port has a hostname and every route hostname is `*`: the request's
    /// host cannot change the answer, so a lookup does not read it.
    pub host_blind: bool,
    /// Under listener isolation, when no listener of the port has a hostname: the listener
    /// every host (and SNI) selects; else `u32::MAX` (the listener index decides, or the
    /// merged indexes serve).
    pub fixed_listener: u32,
    /// With `host_blind`: the catch-all vhost of HTTPRoutes and of GRPCRoutes that every
    /// request of the port gets (through `fixed_listener`'s indexes, or the merged ones), found
    /// without a host index; `u32::MAX`: none, the lookup finds nothing.
    pub blind_vhost: [u32; 2],
}

/// The compiled form of one Gateway.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub gateway: String,
    pub frontends: Vec<Frontend>,
    pub routes: Chunked<RouteInfo>,
    pub rules: Chunked<RuleInfo>,
    pub matches: Chunked<MatchInfo>,
    /// The distinct path values of `matches` ([`MatchInfo::path`], [`PathIds`]).
    pub paths: Chunked<Box<str>>,
    pub regexes: Chunked<Dfa>,
    /// The pattern of each of `regexes` (for explanations).
    pub regex_patterns: Chunked<Box<str>>,
    /// Every parameter name a query condition uses, numbered.
    pub query_names: conds::QueryNames,
    /// The header names of the conditions laid out inline in the path indexes.
    pub header_names: conds::HeaderNames,
    /// Heap bytes of `regexes` (bounded by `Options::regex_router_budget`).
    pub regex_bytes: usize,
    /// Rules compilation dropped because of their regular expressions.
    pub dropped: Vec<DroppedRule>,
    pub vhosts: Chunked<VHost>,
    pub l4: l4::L4Tables,
    /// Listener certificates and frontend client-certificate validation.
    pub tls: tls::TlsTables,
    /// Built from Ingress objects: one frontend for every port, without listeners.
    pub ingress: bool,
    pub options: Options,
    /// Per listener of the compiled Gateway (in `AttachedGateway::listeners` order): the
    /// frontend and the entry of `Frontend::listeners` that serve it, when it is a usable
    /// HTTP/HTTPS listener.
    pub listener_slots: Vec<Option<(u32, u32)>>,
}

/// The host index a vhost belongs to: a listener's (`Some(entry)`) or a port's merged one
/// (`None`), of a frontend, for HTTPRoutes or GRPCRoutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HostSlot {
    pub frontend: u32,
    pub entry: Option<u32>,
    pub grpc: bool,
}

impl Compiled {
    /// Seals every table ([`Chunked::seal`]): done once a compilation or an incremental
    /// update has added its last element, so that lookups never read a table's tail.
    pub(crate) fn seal(&mut self) {
        self.routes.seal();
        self.rules.seal();
        self.matches.seal();
        self.paths.seal();
        self.regexes.seal();
        self.regex_patterns.seal();
        self.header_names.seal();
        self.vhosts.seal();
    }

    /// Whether every table is sealed (tests).
    #[cfg(test)]
    pub(crate) fn is_sealed(&self) -> bool {
        self.routes.is_sealed()
            && self.rules.is_sealed()
            && self.matches.is_sealed()
            && self.paths.is_sealed()
            && self.regexes.is_sealed()
            && self.regex_patterns.is_sealed()
            && self.header_names.is_sealed()
            && self.vhosts.is_sealed()
    }

    /// The path value of match `m` (of this Compiled), as configured.
    #[inline]
    pub(crate) fn path_value(&self, m: &MatchInfo) -> &str {
        self.paths.get(m.path as usize).map_or("", |p| p)
    }

    /// Tables with nothing in them yet, for Gateway `gateway` (`namespace/name`, or
    /// `ingress/class`).
    fn empty(gateway: String, tls: tls::TlsTables, ingress: bool, options: &Options) -> Compiled {
        Compiled {
            gateway,
            frontends: Vec::new(),
            routes: Chunked::new(),
            rules: Chunked::new(),
            matches: Chunked::new(),
            paths: Chunked::new(),
            regexes: Chunked::new(),
            regex_patterns: Chunked::new(),
            query_names: conds::QueryNames::default(),
            header_names: conds::HeaderNames::default(),
            regex_bytes: 0,
            dropped: Vec::new(),
            vhosts: Chunked::new(),
            l4: l4::L4Tables::default(),
            tls,
            ingress,
            options: options.clone(),
            listener_slots: Vec::new(),
        }
    }

    /// The host index of `slot` (a slot this Compiled's builder created).
    pub(crate) fn host_index_mut(&mut self, slot: HostSlot) -> Option<&mut HostIndex> {
        let f = self.frontends.get_mut(slot.frontend as usize)?;
        Some(match (slot.entry, slot.grpc) {
            (Some(e), false) => &mut f.listeners.get_mut(e as usize)?.hosts,
            (Some(e), true) => &mut f.listeners.get_mut(e as usize)?.grpc_hosts,
            (None, false) => &mut f.merged,
            (None, true) => &mut f.merged_grpc,
        })
    }

    /// Recomputes `Frontend::host_blind` and `Frontend::blind` (after the host indexes
    /// changed).
    pub(crate) fn refresh_host_blind(&mut self) {
        let isolation = self.options.listener_isolation;
        for f in &mut self.frontends {
            f.host_blind = f
                .listeners
                .iter()
                .all(|l| l.hostname.is_none() && l.hosts.any_only() && l.grpc_hosts.any_only())
                && f.merged.any_only()
                && f.merged_grpc.any_only();
            let unnamed = f
                .listeners
                .iter()
                .all(|l| l.hostname.as_deref().is_none_or(|h| h == "*"));
            f.fixed_listener = match f.listener_index.select(None) {
                Some(li) if isolation && unnamed => u32::try_from(li).unwrap_or(u32::MAX),
                _ => u32::MAX,
            };
            // As `Router::route_host` finds them: the fixed listener's indexes (under host
            // blindness every listener is unnamed), else the merged ones; then the catch-all.
            let any = |h: &HostIndex| h.any().unwrap_or(u32::MAX);
            f.blind_vhost = match f.listeners.get(f.fixed_listener as usize) {
                Some(l) => [any(&l.hosts), any(&l.grpc_hosts)],
                None => [any(&f.merged), any(&f.merged_grpc)],
            };
        }
    }
}

/// A rule that validation accepted and compilation dropped: one of its regular expressions
/// needs more than `Options::regex_size_limit`, or does not fit in the route's or the Router's
/// regex budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DroppedRule {
    pub kind: RouteKind,
    /// Index into the `Config` list of `kind`.
    pub route: usize,
    /// Index in `spec.rules`.
    pub rule: usize,
    /// What happened, starting with the field path.
    pub message: String,
}

/// Wildcard (`*.s`) or precise listener-hostname match, SPEC §2.2.
pub(crate) fn hostname_matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix("*.") {
        Some(s) => {
            host.len() > s.len() + 1
                && host.ends_with(s)
                && host.as_bytes()[host.len() - s.len() - 1] == b'.'
        }
        None => pattern == host,
    }
}

/// Orders listener hostnames for selection: precise, then wildcards with longer suffixes,
/// then absent (SPEC §2.5).
pub(crate) fn listener_specificity(hostname: Option<&str>) -> (u8, Reverse<usize>) {
    match hostname {
        Some(h) if h.starts_with("*.") => (1, Reverse(h.len())),
        Some(h) => (0, Reverse(h.len())),
        None => (2, Reverse(0)),
    }
}

pub(crate) struct Builder<'c> {
    config: &'c Config,
    options: Options,
    out: Compiled,
    route_ids: FxHashMap<(RouteKind, usize), u32>,
    /// Match ids of each compiled route.
    route_matches: Vec<Vec<u32>>,
    regex_ids: FxHashMap<String, u32>,
    /// Regexes (ids) the route being compiled uses, and their bytes.
    route_regexes: rustc_hash::FxHashSet<u32>,
    route_regex_bytes: usize,
    /// Pending candidates per vhost.
    pending: Vec<Vec<u32>>,
    /// Rule id of each compiled TLS/TCP/UDP route.
    l4_rules: FxHashMap<(RouteKind, usize), u32>,
    /// Shared backend identity strings.
    interner: backend::Interner,
    /// The index of each path value in `out.paths`.
    path_ids: PathIds,
    /// Backend references resolved through indexes built once (SPEC §5.1, §5.2).
    resolver: attach::Resolver<'c>,
    /// Services whose EndpointSlices list endpoints, none of them ready.
    not_ready: rustc_hash::FxHashSet<(String, String)>,
    /// Backends already resolved and interned, by the hash of their [`TargetKey`]: the
    /// position in `backend_memo_entries` of the last one with that hash.
    backend_memo: FxHashMap<u64, u32>,
    /// The entries of `backend_memo`, each with the position of the previous entry of the
    /// same hash (`u32::MAX`: none). One list rather than one per hash: no allocation per
    /// distinct target.
    backend_memo_entries: Vec<(TargetKey, Backend, u32)>,
    /// Vhosts of each compiled route (by route id), each once.
    route_vhosts: Vec<Vec<u32>>,
    /// The host index of each vhost.
    vhost_slots: Vec<HostSlot>,
    /// A rule was dropped for the Router's regex budget (its outcome depends on the order
    /// routes are compiled in).
    router_budget_hit: bool,
    /// Per match of the HTTPRoute rule being compiled: the parameters of its template
    /// RegularExpression path, found while listing the rule's regexes (each template is
    /// parsed once there, not again for its match).
    rule_plans: Vec<Option<template::ParamPlan>>,
}

#[cfg(test)]
thread_local! {
    /// Targets `Builder::resolved` resolved on this thread (tests bound the work with it).
    static RESOLVED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// What resolving a backendRef depends on: the route's kind and namespace and the target's
/// group, kind, namespace, name and port. Thousands of rules name the same few Services, so
/// each distinct target is resolved and interned once and then cloned (shared strings), not
/// resolved again per backendRef (issue #20, item 4).
#[derive(Debug)]
struct TargetKey {
    route_kind: RouteKind,
    route_ns: std::sync::Arc<str>,
    group: std::sync::Arc<str>,
    kind: std::sync::Arc<str>,
    namespace: std::sync::Arc<str>,
    name: std::sync::Arc<str>,
    port: Option<i64>,
}

impl TargetKey {
    /// The borrowed fields `TargetKey` holds, hashed and compared without allocating.
    fn parts<'t>(
        route_kind: RouteKind,
        route_ns: &'t str,
        t: &'t BackendObjectReference,
    ) -> (
        RouteKind,
        &'t str,
        &'t str,
        &'t str,
        &'t str,
        &'t str,
        Option<i64>,
    ) {
        (
            route_kind,
            route_ns,
            t.group(),
            t.kind(),
            t.namespace(route_ns),
            &t.name,
            t.port,
        )
    }

    fn is(&self, parts: (RouteKind, &str, &str, &str, &str, &str, Option<i64>)) -> bool {
        (
            self.route_kind,
            &*self.route_ns,
            &*self.group,
            &*self.kind,
            &*self.namespace,
            &*self.name,
            self.port,
        ) == parts
    }
}

/// Compiles one attached Gateway.
pub(crate) fn compile(config: &Config, gateway: &AttachedGateway, options: &Options) -> Compiled {
    compile_recorded(config, gateway, options).0
}

/// What a full compilation leaves for incremental updates (issue #18, [`incremental`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct CompileState {
    /// Compiled regexes by pattern.
    pub regex_ids: FxHashMap<String, u32>,
    /// The index of each path value in `Compiled::paths`.
    pub path_ids: PathIds,
    /// Per route id: its match ids and its vhosts.
    pub route_matches: Vec<Vec<u32>>,
    pub route_vhosts: Vec<Vec<u32>>,
    /// Per vhost: its host index and how many live routes add candidates to it.
    pub vhost_slots: Vec<HostSlot>,
    pub vhost_routes: Vec<u32>,
    /// Route id of each compiled HTTPRoute / GRPCRoute, by config index.
    pub route_ids: FxHashMap<(RouteKind, usize), u32>,
    /// A rule was dropped for the Router's regex budget.
    pub router_budget_hit: bool,
}

/// [`compile`], also returning the state incremental updates start from.
pub(crate) fn compile_recorded(
    config: &Config,
    gateway: &AttachedGateway,
    options: &Options,
) -> (Compiled, CompileState) {
    let out = Compiled::empty(
        format!("{}/{}", gateway.namespace, gateway.name),
        tls::tables(gateway),
        false,
        options,
    );
    let mut b = Builder::new(config, options, out);
    b.add_routes(gateway);
    b.add_l4(gateway);
    let ranks = rank::route_ranks(
        &b.out
            .routes
            .iter()
            .map(|r| (r.created, &*r.namespace, &*r.name))
            .collect::<Vec<_>>(),
    );
    b.add_frontends(gateway);
    b.finish(&ranks);
    let mut vhost_routes = vec![0u32; b.out.vhosts.len()];
    for vs in &b.route_vhosts {
        for &v in vs {
            vhost_routes[v as usize] += 1;
        }
    }
    let route_ids = std::mem::take(&mut b.route_ids);
    let state = CompileState {
        regex_ids: std::mem::take(&mut b.regex_ids),
        path_ids: std::mem::take(&mut b.path_ids),
        route_matches: std::mem::take(&mut b.route_matches),
        route_vhosts: std::mem::take(&mut b.route_vhosts),
        vhost_slots: std::mem::take(&mut b.vhost_slots),
        vhost_routes,
        route_ids,
        router_budget_hit: b.router_budget_hit,
    };
    b.out.seal();
    (b.out, state)
}

impl<'c> Builder<'c> {
    /// A builder that adds to `out`.
    fn new(config: &'c Config, options: &Options, out: Compiled) -> Builder<'c> {
        Builder::with_resolver(config, options, out, attach::resolver(config))
    }

    /// A builder that adds to `out`, resolving backends with `resolver` (built over `config`).
    fn with_resolver(
        config: &'c Config,
        options: &Options,
        out: Compiled,
        resolver: attach::Resolver<'c>,
    ) -> Builder<'c> {
        Builder {
            config,
            options: options.clone(),
            out,
            l4_rules: FxHashMap::default(),
            not_ready: not_ready_services(config),
            resolver,
            interner: backend::Interner::default(),
            path_ids: PathIds::default(),
            backend_memo: FxHashMap::default(),
            backend_memo_entries: Vec::new(),
            route_ids: FxHashMap::default(),
            route_matches: Vec::new(),
            regex_ids: FxHashMap::default(),
            route_regexes: Default::default(),
            route_regex_bytes: 0,
            pending: Vec::new(),
            route_vhosts: Vec::new(),
            vhost_slots: Vec::new(),
            router_budget_hit: false,
            rule_plans: Vec::new(),
        }
    }
}

/// Services whose EndpointSlices list at least one endpoint and no ready one (SPEC §5.3: such
/// a backend's share answers 503). A Service without EndpointSlices, or whose slices list no
/// endpoints, is assumed ready: endpoints are usually not part of the routing configuration.
fn not_ready_services(config: &Config) -> rustc_hash::FxHashSet<(String, String)> {
    let mut seen: FxHashMap<(String, String), bool> = FxHashMap::default();
    for slice in &config.endpoint_slices {
        let Some(svc) = slice.meta.labels.get("kubernetes.io/service-name") else {
            continue;
        };
        for ep in &slice.spec.endpoints {
            // `conditions.ready` absent or null means ready.
            let ready = ep
                .pointer("/conditions/ready")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(true);
            let any_ready = seen
                .entry((slice.meta.namespace.clone(), svc.clone()))
                .or_insert(false);
            *any_ready |= ready;
        }
    }
    seen.into_iter()
        .filter(|(_, ready)| !ready)
        .map(|(k, _)| k)
        .collect()
}

/// Resolves a backendRef of an HTTPRoute in namespace `ns`.
fn resolve(
    resolver: &attach::Resolver<'_>,
    kind: RouteKind,
    ns: &str,
    t: &BackendObjectReference,
    index: usize,
    weight: u32,
    intern: &mut dyn FnMut(&str) -> std::sync::Arc<str>,
) -> Backend {
    let resolved = resolver.resolve(kind, ns, t);
    let port = t.port.and_then(|p| u16::try_from(p).ok());
    let mut b = Backend::new_with(
        index as u32,
        weight,
        resolved,
        (t.group(), t.kind(), t.namespace(ns), &t.name, port),
        intern,
    );
    if let (true, Some(port)) = (b.is_valid(), b.port()) {
        let t = b.target_mut();
        let tls = resolver.backend_tls(&t.namespace, &t.name, port);
        let traffic = resolver.backend_traffic(&t.namespace, &t.name);
        t.set_policies(tls, traffic);
    }
    b
}

/// A mirror target, omitted when invalid (SPEC §6.6).
fn mirror(
    resolver: &attach::Resolver<'_>,
    kind: RouteKind,
    ns: &str,
    m: &RequestMirror,
) -> Option<Backend> {
    let own = &mut |s: &str| s.into();
    Some(resolve(resolver, kind, ns, &m.backend_ref, 0, 1, own)).filter(Backend::is_valid)
}

fn is_http(l: &AttachedListener) -> bool {
    matches!(l.protocol, ProtocolType::Http | ProtocolType::Https)
}

impl Builder<'_> {
    /// Compiles every HTTPRoute and GRPCRoute attached to a usable HTTP/HTTPS listener, once.
    fn add_routes(&mut self, gateway: &AttachedGateway) {
        for l in gateway.listeners.iter().filter(|l| l.usable && is_http(l)) {
            for ar in &l.routes {
                if self.route_ids.contains_key(&(ar.kind, ar.index)) {
                    continue;
                }
                match ar.kind {
                    RouteKind::Http => self.add_http_route(ar.index),
                    RouteKind::Grpc => self.add_grpc_route(ar.index),
                    _ => {}
                }
            }
        }
    }

    fn register_route(
        &mut self,
        kind: RouteKind,
        index: usize,
        meta: &crate::model::ObjectMeta,
        created: i64,
    ) -> u32 {
        let id = self.out.routes.len() as u32;
        self.route_ids.insert((kind, index), id);
        self.out.routes.push(RouteInfo {
            kind,
            namespace: self.interner.str(&meta.namespace),
            name: meta.name.as_str().into(),
            created,
            dead: false,
        });
        self.route_vhosts.push(Vec::new());
        id
    }

    /// Compiles a rule's backends, filters and policies; returns the rule id.
    /// The backend `target` of a `kind` route in namespace `ns` resolves to, with shared
    /// identity strings and no filters (index 0, weight 1 until the caller sets them): built
    /// once per distinct target, then cloned.
    fn resolved(&mut self, kind: RouteKind, ns: &str, target: &BackendObjectReference) -> Backend {
        use std::hash::{Hash, Hasher};
        let parts = TargetKey::parts(kind, ns, target);
        let mut h = rustc_hash::FxHasher::default();
        parts.hash(&mut h);
        let hash = h.finish();
        let mut at = self.backend_memo.get(&hash).copied().unwrap_or(u32::MAX);
        while let Some((k, b, previous)) = self.backend_memo_entries.get(at as usize) {
            if k.is(parts) {
                return b.clone();
            }
            at = *previous;
        }
        #[cfg(test)]
        RESOLVED.with(|n| n.set(n.get() + 1));
        let interner = &mut self.interner;
        let mut b = resolve(&self.resolver, kind, ns, target, 0, 1, &mut |s| {
            interner.str(s)
        });
        // (Looked up only when some Service has no ready endpoint: the key is built.)
        b.target_mut().not_ready = !self.not_ready.is_empty()
            && self
                .not_ready
                .contains(&(b.namespace().to_string(), b.name().to_string()));
        let key = TargetKey {
            route_kind: kind,
            route_ns: self.interner.str(ns),
            group: self.interner.str(parts.2),
            kind: self.interner.str(parts.3),
            namespace: self.interner.str(parts.4),
            name: self.interner.str(parts.5),
            port: parts.6,
        };
        let at = self.backend_memo_entries.len() as u32;
        let previous = self.backend_memo.insert(hash, at).unwrap_or(u32::MAX);
        self.backend_memo_entries.push((key, b.clone(), previous));
        b
    }

    #[allow(clippy::too_many_arguments)]
    fn add_rule(
        &mut self,
        route: u32,
        kind: RouteKind,
        ns: &str,
        index: usize,
        name: Option<&str>,
        backend_refs: &[HttpBackendRef],
        filters: &[HttpRouteFilter],
        policies: Policies,
    ) -> u32 {
        let mut backends = Vec::with_capacity(backend_refs.len());
        for (bi, br) in backend_refs.iter().enumerate() {
            let weight = u32::try_from(br.weight().clamp(0, 1_000_000)).unwrap_or(0);
            let mut b = self.resolved(kind, ns, &br.target);
            b.index = bi as u32;
            b.weight = weight;
            let resolver = &self.resolver;
            b.set_filters(compile_filters(
                &br.filters,
                &self.options.extension_kinds,
                |m| mirror(resolver, kind, ns, m),
            ));
            backends.push(b);
        }
        let resolver = &self.resolver;
        let id = self.out.rules.len() as u32;
        self.out.rules.push(RuleInfo::new(
            route,
            index as u32,
            Split::new(backends),
            RuleExtra {
                name: name.map(Into::into),
                filters: compile_filters(filters, &self.options.extension_kinds, |m| {
                    mirror(resolver, kind, ns, m)
                }),
                policies: (!policies.is_empty()).then(|| Box::new(policies)),
            },
        ));
        id
    }

    /// Compiles a rule's matches (absent or empty: one default match) and records their ids.
    fn add_matches<M: Default>(
        &mut self,
        rule: u32,
        matches: &[M],
        ids: &mut Vec<u32>,
        compile: fn(&mut Self, u32, u32, &M) -> Option<MatchInfo>,
    ) {
        let default = [M::default()];
        let matches = if matches.is_empty() {
            &default[..]
        } else {
            matches
        };
        for (mi, m) in matches.iter().enumerate() {
            if let Some(info) = compile(self, rule, mi as u32, m) {
                ids.push(self.out.matches.len() as u32);
                self.out.matches.push(info);
            }
        }
    }

    fn add_http_route(&mut self, index: usize) {
        let config = self.config;
        let Some(route) = config.http_routes.get(index) else {
            return;
        };
        let id = self.register_route(RouteKind::Http, index, &route.meta, route.created);
        let default_rule;
        let rules: &[HttpRouteRule] = match &route.spec.rules {
            Some(r) => r,
            None => {
                default_rule = [HttpRouteRule::default()];
                &default_rule
            }
        };
        let mut ids = Vec::new();
        self.route_regexes.clear();
        self.route_regex_bytes = 0;
        for (ri, rule) in rules.iter().enumerate() {
            if route.invalid_rules.iter().any(|r| r.index == ri) {
                continue;
            }
            let mut plans = std::mem::take(&mut self.rule_plans);
            let wanted = http_rule_regexes(ri, rule, &mut plans);
            self.rule_plans = plans;
            if let Err(message) = self.rule_regexes(&wanted) {
                self.out.dropped.push(DroppedRule {
                    kind: RouteKind::Http,
                    route: index,
                    rule: ri,
                    message,
                });
                continue;
            }
            let policies = Policies::new(
                rule.timeouts.as_ref(),
                rule.retry.as_ref(),
                rule.session_persistence.as_ref(),
            );
            let rule_id = self.add_rule(
                id,
                RouteKind::Http,
                &route.meta.namespace,
                ri,
                rule.name.as_deref(),
                &rule.backend_refs,
                &rule.filters,
                policies,
            );
            self.add_matches(rule_id, &rule.matches, &mut ids, Self::compile_match);
            self.rule_plans.clear();
        }
        self.route_matches.push(ids);
    }

    fn add_grpc_route(&mut self, index: usize) {
        let config = self.config;
        let Some(route) = config.grpc_routes.get(index) else {
            return;
        };
        let id = self.register_route(RouteKind::Grpc, index, &route.meta, route.created);
        let mut ids = Vec::new();
        self.route_regexes.clear();
        self.route_regex_bytes = 0;
        for (ri, rule) in route.spec.rules.iter().enumerate() {
            if route.invalid_rules.iter().any(|r| r.index == ri) {
                continue;
            }
            if let Err(message) = self.rule_regexes(&grpc_rule_regexes(ri, rule)) {
                self.out.dropped.push(DroppedRule {
                    kind: RouteKind::Grpc,
                    route: index,
                    rule: ri,
                    message,
                });
                continue;
            }
            let policies = Policies::new(None, None, rule.session_persistence.as_ref());
            let rule_id = self.add_rule(
                id,
                RouteKind::Grpc,
                &route.meta.namespace,
                ri,
                rule.name.as_deref(),
                &rule.backend_refs,
                &rule.filters,
                policies,
            );
            self.add_matches(rule_id, &rule.matches, &mut ids, Self::compile_grpc_match);
        }
        self.route_matches.push(ids);
    }

    fn compile_grpc_match(
        &mut self,
        rule: u32,
        index: u32,
        m: &GrpcRouteMatch,
    ) -> Option<MatchInfo> {
        let mut cond = grpc::GrpcCond::default();
        if let Some(mm) = &m.method {
            let exact = matches!(
                mm.kind.as_ref().unwrap_or(&MatchType::Exact),
                MatchType::Exact
            );
            if let Some(s) = &mm.service {
                cond.service = Some(self.value_match(mm.kind.as_ref(), s)?);
                cond.service_len = if exact { s.len() } else { 0 };
            }
            if let Some(me) = &mm.method {
                cond.method = Some(self.value_match(mm.kind.as_ref(), me)?);
                cond.method_len = if exact { me.len() } else { 0 };
            }
        }
        let part = |v: Option<&String>| v.map_or("*", String::as_str).to_string();
        let (service, method) = match &m.method {
            Some(mm) => (part(mm.service.as_ref()), part(mm.method.as_ref())),
            None => ("*".to_string(), "*".to_string()),
        };
        cond.template = format!("/{service}/{method}").into();
        let headers = self.header_conds(&m.headers)?;
        Some(MatchInfo::new(
            rule,
            index,
            PathKind::Exact,
            self.path_id(""),
            MatchConds {
                headers,
                grpc: Some(Box::new(cond)),
                ..MatchConds::default()
            },
        ))
    }

    /// The index of path value `value` in `out.paths` (stored there once).
    fn path_id(&mut self, value: &str) -> u32 {
        self.path_ids.id(&mut self.out.paths, value)
    }

    /// Header conditions; of two equivalent names only the first counts (SPEC §3.4, §11).
    fn header_conds(&mut self, hs: &[HttpHeaderMatch]) -> Option<Box<[HeaderCond]>> {
        let mut headers: Vec<HeaderCond> = Vec::new();
        for h in hs {
            let name = h.name.to_ascii_lowercase();
            if headers.iter().any(|c| *c.name == *name) {
                continue;
            }
            let value = self.value_match(h.kind.as_ref(), &h.value)?;
            headers.push(HeaderCond {
                name: name.into(),
                value,
            });
        }
        Some(headers.into())
    }

    /// The id of a regex [`Builder::rule_regexes`] built.
    fn regex(&mut self, pattern: &str) -> Option<u32> {
        self.regex_ids.get(pattern).copied()
    }

    /// Builds the regexes of one rule (`(field, pattern)`), all or none: each within
    /// `Options::regex_size_limit` and what is left of the route's and the Router's budgets.
    /// A pattern another rule already built costs the Router nothing more, and costs the route
    /// once. `Err` names the field and the limit.
    fn rule_regexes(&mut self, wanted: &[(RegexField, &str)]) -> Result<(), String> {
        let o = &self.options;
        let mut new: Vec<(&str, Dfa)> = Vec::new();
        let mut reused: Vec<u32> = Vec::new();
        let (mut route_add, mut router_add) = (0usize, 0usize);
        for (field, pattern) in wanted {
            if new.iter().any(|(p, _)| p == pattern) {
                continue;
            }
            if let Some(&id) = self.regex_ids.get(*pattern) {
                if !self.route_regexes.contains(&id) && !reused.contains(&id) {
                    let bytes = self.out.regexes[id as usize].memory_usage();
                    if self.route_regex_bytes + route_add + bytes > o.regex_route_budget {
                        return Err(route_budget(field, pattern, o, self.route_regex_bytes));
                    }
                    route_add += bytes;
                    reused.push(id);
                }
                continue;
            }
            let route_left = o
                .regex_route_budget
                .saturating_sub(self.route_regex_bytes + route_add);
            let router_left = o
                .regex_router_budget
                .saturating_sub(self.out.regex_bytes + router_add);
            // The build is capped by the per-regex limit only: what it keeps (often a sparse
            // DFA, smaller than the dense one built) is what the budgets count. The work per
            // route stays within validation's, which built the same patterns.
            let d = match dfa::build(pattern, o.regex_size_limit) {
                Ok(d) => d,
                Err(dfa::BuildError::TooBig(_)) => {
                    return Err(format!(
                        "{field}: regular expression {} needs more than {} bytes to compile \
                         to a DFA (Options::regex_size_limit)",
                        quote(pattern),
                        o.regex_size_limit
                    ))
                }
                Err(dfa::BuildError::Invalid(why)) => {
                    return Err(format!(
                        "{field}: invalid regular expression {}: {why}",
                        quote(pattern)
                    ))
                }
            };
            let bytes = d.memory_usage();
            if bytes > route_left {
                return Err(route_budget(field, pattern, o, self.route_regex_bytes));
            }
            if bytes > router_left {
                self.router_budget_hit = true;
                return Err(format!(
                    "{field}: regular expression {} does not fit in the Router's regex budget \
                     (Options::regex_router_budget = {} bytes, {} used)",
                    quote(pattern),
                    o.regex_router_budget,
                    self.out.regex_bytes
                ));
            }
            route_add += bytes;
            router_add += bytes;
            new.push((pattern, d));
        }
        self.route_regex_bytes += route_add;
        self.out.regex_bytes += router_add;
        self.route_regexes.extend(reused);
        for (pattern, d) in new {
            let id = self.out.regexes.len() as u32;
            self.out.regexes.push(d);
            self.out.regex_patterns.push(pattern.into());
            self.regex_ids.insert(pattern.to_string(), id);
            self.route_regexes.insert(id);
        }
        Ok(())
    }

    fn value_match(&mut self, kind: Option<&MatchType>, value: &str) -> Option<ValueMatch> {
        match kind.unwrap_or(&MatchType::Exact) {
            MatchType::Exact => Some(ValueMatch::Exact(value.as_bytes().into())),
            MatchType::RegularExpression => self.regex(value).map(ValueMatch::Regex),
            MatchType::Other(_) => None,
        }
    }

    /// Compiles one match; `None` when it cannot match anything (validation reports why).
    fn compile_match(&mut self, rule: u32, index: u32, m: &HttpRouteMatch) -> Option<MatchInfo> {
        let (kind, value) = match &m.path {
            None => (PathKind::Prefix, "/"),
            Some(p) => {
                let value = p.value.as_deref().unwrap_or("/");
                let kind = match p.kind.as_ref().unwrap_or(&PathMatchType::PathPrefix) {
                    PathMatchType::Exact => PathKind::Exact,
                    PathMatchType::PathPrefix => PathKind::Prefix,
                    PathMatchType::RegularExpression => PathKind::Regex,
                    PathMatchType::Other(_) => return None,
                };
                (kind, value)
            }
        };
        // Template regexes are matched by the template trie and need no compiled regex.
        let params = match kind {
            PathKind::Regex => match self
                .rule_plans
                .get_mut(index as usize)
                .and_then(Option::take)
            {
                Some(plan) => plan,
                None => self.param_plan(value)?,
            },
            _ => template::ParamPlan::None,
        };
        let headers = self.header_conds(&m.headers)?;
        let mut query: Vec<QueryCond> = Vec::new();
        for q in &m.query_params {
            if query.iter().any(|c| *c.name == *q.name) {
                continue;
            }
            let value = self.value_match(q.kind.as_ref(), &q.value)?;
            query.push(QueryCond {
                name: q.name.as_str().into(),
                slot: self.out.query_names.slot(&q.name),
                value,
            });
        }
        Some(MatchInfo::new(
            rule,
            index,
            kind,
            self.path_id(value),
            MatchConds {
                method: m.method.as_deref().map(Into::into),
                headers,
                query: query.into(),
                grpc: None,
                params,
            },
        ))
    }

    /// The path parameters of RegularExpression path `value`: named template segments, or the
    /// capture engine of its regex (`None`: the regex was not built).
    fn param_plan(&mut self, value: &str) -> Option<template::ParamPlan> {
        use template::ParamPlan;
        Some(match template::names(value) {
            Some(names) if names.is_empty() => ParamPlan::None,
            Some(names) => ParamPlan::Segments(names.into()),
            None => {
                let id = self.regex(value)?;
                match self.out.regexes[id as usize].captures() {
                    Some(_) => ParamPlan::Regex(id),
                    None => ParamPlan::None,
                }
            }
        })
    }

    /// The vhost of `hostname` in `index` (the index of `slot`), created if needed.
    fn vhost(&mut self, index: &mut HostIndex, slot: HostSlot, hostname: &str) -> u32 {
        if let Some(v) = index.get(hostname) {
            return v;
        }
        let v = self.out.vhosts.len() as u32;
        self.out.vhosts.push(VHost {
            hostname: hostname.into(),
            ..VHost::default()
        });
        self.pending.push(Vec::new());
        self.vhost_slots.push(slot);
        index.insert(hostname, v);
        v
    }

    /// Adds the candidates of route `rid` for `hostname` to the vhost of `index` (of `slot`).
    fn add_route_to(&mut self, index: &mut HostIndex, slot: HostSlot, rid: u32, hostname: &str) {
        // Effective hostnames are lowercase already: folded only if not.
        let lower;
        let hostname = if hostname.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = hostname.to_ascii_lowercase();
            lower.as_str()
        } else {
            hostname
        };
        let v = self.vhost(index, slot, hostname);
        let ms = &self.route_matches[rid as usize];
        self.pending[v as usize].extend_from_slice(ms);
        let vs = &mut self.route_vhosts[rid as usize];
        if !vs.contains(&v) {
            vs.push(v);
        }
    }

    fn add_to(
        &mut self,
        index: &mut HostIndex,
        slot: HostSlot,
        l: &AttachedListener,
        kind: RouteKind,
    ) {
        for ar in l.routes.iter().filter(|r| r.kind == kind) {
            let Some(&rid) = self.route_ids.get(&(ar.kind, ar.index)) else {
                continue;
            };
            for h in ar.hostnames.iter() {
                self.add_route_to(index, slot, rid, h);
            }
        }
    }

    fn add_frontends(&mut self, gateway: &AttachedGateway) {
        // Usable HTTP listeners grouped by port (ascending), each group in selection order;
        // the sorts are stable, so equally specific listeners keep the Gateway's order.
        let mut all: Vec<(usize, &AttachedListener)> = gateway
            .listeners
            .iter()
            .enumerate()
            .filter(|(_, l)| l.usable && is_http(l))
            .collect();
        all.sort_by_key(|(_, l)| (l.port, listener_specificity(l.hostname.as_deref())));
        self.out.listener_slots = vec![None; gateway.listeners.len()];
        for ls in all.chunk_by(|a, b| a.1.port == b.1.port) {
            let f = self.out.frontends.len() as u32;
            let port = ls[0].1.port;
            let tls = ls.iter().any(|(_, l)| l.protocol == ProtocolType::Https);
            let mut merged = HostIndex::new();
            let mut merged_grpc = HostIndex::new();
            let mut listeners = Vec::new();
            for &(at, l) in ls {
                let e = listeners.len() as u32;
                self.out.listener_slots[at] = Some((f, e));
                let slot = |entry, grpc| HostSlot {
                    frontend: f,
                    entry,
                    grpc,
                };
                let mut hosts = HostIndex::new();
                let mut grpc_hosts = HostIndex::new();
                self.add_to(&mut hosts, slot(Some(e), false), l, RouteKind::Http);
                self.add_to(&mut grpc_hosts, slot(Some(e), true), l, RouteKind::Grpc);
                if !self.options.listener_isolation {
                    self.add_to(&mut merged, slot(None, false), l, RouteKind::Http);
                    self.add_to(&mut merged_grpc, slot(None, true), l, RouteKind::Grpc);
                }
                listeners.push(ListenerEntry {
                    name: l.name.as_str().into(),
                    hostname: l.hostname.as_deref().map(|h| h.to_ascii_lowercase().into()),
                    hosts,
                    grpc_hosts,
                });
            }
            let listener_index =
                listener_index::ListenerIndex::new(listeners.iter().map(|l| l.hostname.as_deref()));
            self.out.frontends.push(Frontend {
                port,
                tls,
                listeners,
                listener_index,
                merged,
                merged_grpc,
                host_blind: false,
                fixed_listener: u32::MAX,
                blind_vhost: [u32::MAX; 2],
            });
        }
        self.out.refresh_host_blind();
    }

    fn key(&self, rank: &impl Fn(u32) -> u32, m: u32) -> (Bucket, Key) {
        let mi = &self.out.matches[m as usize];
        let rule = &self.out.rules[mi.rule as usize];
        // K3, with regexes where `Options::regex_rank` puts them.
        let below = self.options.regex_rank == crate::options::RegexRank::BelowPrefix;
        let bucket = match mi.path_kind {
            PathKind::Exact => Bucket::Exact,
            PathKind::Regex if below => Bucket::Last,
            PathKind::Regex => Bucket::Middle,
            PathKind::Prefix if below => Bucket::Middle,
            PathKind::Prefix => Bucket::Last,
        };
        let value = self.out.path_value(mi);
        let path_len = match mi.path_kind {
            PathKind::Prefix => path::prefix_of(value).len(),
            _ => value.len(),
        };
        (
            bucket,
            Key {
                path_len: Reverse(path_len),
                method: Reverse(mi.method().is_some()),
                headers: Reverse(mi.headers().len()),
                query: Reverse(mi.query().len()),
                route_rank: rank(rule.route),
                rule: rule.index,
                matched: mi.index,
            },
        )
    }

    fn grpc_key(&self, rank: &impl Fn(u32) -> u32, m: u32) -> grpc::GrpcKey {
        let mi = &self.out.matches[m as usize];
        let rule = &self.out.rules[mi.rule as usize];
        let g = mi.grpc().map_or((0, 0), |g| (g.service_len, g.method_len));
        (
            Reverse(g.0),
            Reverse(g.1),
            Reverse(mi.headers().len()),
            rank(rule.route),
            rule.index,
            mi.index,
        )
    }

    /// Sorts every vhost's candidates and lays them out.
    fn finish(&mut self, ranks: &[u32]) {
        let pending = std::mem::take(&mut self.pending);
        let rank = |r: u32| ranks[r as usize];
        for (v, cands) in pending.into_iter().enumerate() {
            self.build_vhost(v, cands, &rank);
        }
    }

    /// Sorts the candidates `cands` of vhost `v` by precedence (`rank` gives a route's K8/K9
    /// rank: any numbering in `(creationTimestamp, "namespace/name")` order) and lays them
    /// out.
    fn build_vhost(&mut self, v: usize, mut cands: Vec<u32>, rank: &impl Fn(u32) -> u32) {
        if cands
            .first()
            .is_some_and(|&m| self.out.matches[m as usize].grpc().is_some())
        {
            cands.sort_by_cached_key(|&m| self.grpc_key(rank, m));
            cands.dedup();
            let vh = &mut self.out.vhosts[v];
            vh.grpc = cands;
            vh.paths = PathIndex::default();
            vh.order = Box::default();
            return;
        }
        cands.sort_by_cached_key(|&m| self.key(rank, m));
        cands.dedup();
        let regex_ids = &self.regex_ids;
        let out = &mut self.out;
        let paths = lay_out(
            &out.matches,
            &out.paths,
            &mut out.header_names,
            &out.regexes,
            &cands,
            |v| regex_ids[v],
        );
        let vh = &mut self.out.vhosts[v];
        vh.paths = paths;
        vh.grpc = Vec::new();
        vh.order = cands.into_boxed_slice();
    }
}

/// Lays out the candidates of one hostname, `cands` in precedence order (the first wins), for
/// lookups: Exact, PathPrefix and template paths into one trie, other regular expressions
/// (`regex_id` gives their compiled regex) into a list, each with its position in `cands`;
/// method and header conditions inline next to the trie ([`conds::encode_inline`]).
/// `values` are the path values the matches refer to ([`Compiled::paths`]).
/// Gateway API routes and Ingress paths share it; only their orders differ.
pub(crate) fn lay_out(
    matches: &Chunked<MatchInfo>,
    values: &Chunked<Box<str>>,
    names: &mut conds::HeaderNames,
    regexes: &Chunked<Dfa>,
    cands: &[u32],
    regex_id: impl Fn(&str) -> u32,
) -> PathIndex {
    let mut paths = PathIndexBuilder::with_capacity(cands.len());
    // The segments of one candidate at a time, borrowed from its path (one buffer for all),
    // and its inline conditions.
    let mut segs = Vec::new();
    let mut inline = Vec::new();
    for (pos, &m) in cands.iter().enumerate() {
        let pos = pos as u32;
        let mi = &matches[m as usize];
        let free = mi.method().is_none() && mi.headers().is_empty() && mi.query().is_empty();
        inline.clear();
        let check = if free {
            path::Check::Free
        } else if conds::encode_inline(
            mi.method(),
            mi.headers(),
            mi.query(),
            mi.grpc().is_some(),
            names,
            &mut inline,
        ) {
            path::Check::Inline(&inline)
        } else {
            path::Check::Ask
        };
        let value: &str = values.get(mi.path as usize).map_or("", |v| v);
        let tail = match mi.path_kind {
            PathKind::Exact => {
                path::literal_segments_into(value, Tail::End, &mut segs);
                Tail::End
            }
            PathKind::Prefix => {
                path::literal_segments_into(value, Tail::Prefix, &mut segs);
                Tail::Prefix
            }
            PathKind::Regex => match template::parse_into(value, &mut segs) {
                Some(true) => Tail::Rest,
                Some(false) => Tail::End,
                None => {
                    let re = regex_id(value);
                    let lead = regexes.get(re as usize).map(Dfa::lead).unwrap_or_default();
                    paths.insert_regex(re, m, pos, lead);
                    continue;
                }
            },
        };
        paths.insert(&segs, tail, pos, m, check);
    }
    paths.build()
}

/// A value for a message, shortened when long.
fn quote(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let short: String = s.chars().take(MAX).collect();
        format!("{:?}... ({} bytes)", short, s.len())
    }
}

fn route_budget(field: &RegexField, pattern: &str, o: &Options, used: usize) -> String {
    format!(
        "{field}: regular expression {} does not fit in the route's regex budget \
         (Options::regex_route_budget = {} bytes, {used} used by earlier rules)",
        quote(pattern),
        o.regex_route_budget
    )
}

fn is_regex(kind: Option<&MatchType>) -> bool {
    matches!(kind, Some(MatchType::RegularExpression))
}

/// Where a regex of a rule is, rendered (`spec.rules[0].matches[1].headers[2].value`) only
/// for an error message: a rule without errors formats nothing (issue #20, item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RegexField {
    rule: usize,
    matched: usize,
    at: RegexAt,
}

/// The field of a [`RegexField`] inside its match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegexAt {
    /// `path.value`.
    Path,
    /// `headers[k].value`.
    Header(usize),
    /// `queryParams[k].value`.
    Query(usize),
    /// `method.service` or `method.method`.
    Method(&'static str),
}

impl std::fmt::Display for RegexField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "spec.rules[{}].matches[{}]", self.rule, self.matched)?;
        match self.at {
            RegexAt::Path => f.write_str(".path.value"),
            RegexAt::Header(k) => write!(f, ".headers[{k}].value"),
            RegexAt::Query(k) => write!(f, ".queryParams[{k}].value"),
            RegexAt::Method(part) => write!(f, ".method.{part}"),
        }
    }
}

/// `(field, pattern)` of the regexes an HTTPRoute rule's matches use, as `compile_match` uses
/// them (first condition of each header or query name; template paths need none: `plans`
/// gets, per match, the parameters of its template path).
fn http_rule_regexes<'r>(
    ri: usize,
    rule: &'r HttpRouteRule,
    plans: &mut Vec<Option<template::ParamPlan>>,
) -> Vec<(RegexField, &'r str)> {
    let mut out = Vec::new();
    plans.clear();
    plans.resize(rule.matches.len(), None);
    for (mi, m) in rule.matches.iter().enumerate() {
        let field = |at| RegexField {
            rule: ri,
            matched: mi,
            at,
        };
        if let Some(path) = &m.path {
            let v = path.value.as_deref().unwrap_or("/");
            if matches!(path.kind, Some(PathMatchType::RegularExpression)) {
                match template::names(v) {
                    Some(names) => {
                        plans[mi] = Some(if names.is_empty() {
                            template::ParamPlan::None
                        } else {
                            template::ParamPlan::Segments(names.into())
                        });
                    }
                    None => out.push((field(RegexAt::Path), v)),
                }
            }
        }
        header_regexes(&m.headers, field, &mut out);
        for (k, q) in m.query_params.iter().enumerate() {
            if m.query_params[..k].iter().any(|e| e.name == q.name) {
                continue;
            }
            if is_regex(q.kind.as_ref()) {
                out.push((field(RegexAt::Query(k)), q.value.as_str()));
            }
        }
    }
    out
}

/// `(field, pattern)` of the regexes a GRPCRoute rule's matches use.
fn grpc_rule_regexes(ri: usize, rule: &crate::model::GrpcRouteRule) -> Vec<(RegexField, &str)> {
    let mut out = Vec::new();
    for (mi, m) in rule.matches.iter().enumerate() {
        let field = |at| RegexField {
            rule: ri,
            matched: mi,
            at,
        };
        if let Some(mm) = &m.method {
            if is_regex(mm.kind.as_ref()) {
                for (f, v) in [("service", &mm.service), ("method", &mm.method)] {
                    if let Some(v) = v {
                        out.push((field(RegexAt::Method(f)), v.as_str()));
                    }
                }
            }
        }
        header_regexes(&m.headers, field, &mut out);
    }
    out
}

/// Regex header conditions that count (the first of each name, case-insensitively).
fn header_regexes<'a>(
    hs: &'a [HttpHeaderMatch],
    field: impl Fn(RegexAt) -> RegexField,
    out: &mut Vec<(RegexField, &'a str)>,
) {
    for (k, h) in hs.iter().enumerate() {
        if hs[..k].iter().any(|e| e.name.eq_ignore_ascii_case(&h.name)) {
            continue;
        }
        if is_regex(h.kind.as_ref()) {
            out.push((field(RegexAt::Header(k)), h.value.as_str()));
        }
    }
}

/// Compiles the Ingresses of `class` (every Ingress when `None`) with Ingress semantics.
pub(crate) fn compile_ingress(config: &Config, class: Option<&str>, options: &Options) -> Compiled {
    let mut out = Compiled::empty(
        format!("ingress/{}", class.unwrap_or("*")),
        tls::TlsTables::default(),
        true,
        options,
    );
    ingress::compile(config, class, &mut out);
    out.seal();
    out
}

/// The parents whose route statuses show the rules a compiled Gateway dropped: the Gateway
/// and its ListenerSets (`namespace/name`).
#[derive(Debug, Clone, Default)]
pub(crate) struct DroppedParents {
    pub gateway: String,
    pub sets: Vec<String>,
}

/// The [`DroppedParents`] of `gateway`.
pub(crate) fn dropped_parents(gateway: &AttachedGateway) -> DroppedParents {
    DroppedParents {
        gateway: format!("{}/{}", gateway.namespace, gateway.name),
        sets: gateway
            .listeners
            .iter()
            .filter_map(|l| match &l.source {
                attach::ListenerSource::ListenerSet(ns, n) => Some(format!("{ns}/{n}")),
                attach::ListenerSource::Gateway => None,
            })
            .collect(),
    }
}

/// Records the rules compilation dropped ([`DroppedRule`]) in their routes' status, as
/// validation's dropped rules are (SPEC §2.3, reason `UnsupportedValue`): the parents of the
/// compiled Gateway (the Gateway and its ListenerSets) that accepted the route get
/// `PartiallyInvalid=True` listing every dropped rule, or `Accepted=False` with
/// `All rules are invalid: …` when no rule is left.
pub(crate) fn report_dropped(
    report: &mut attach::Report,
    config: &Config,
    parents: &DroppedParents,
    dropped: &[DroppedRule],
) {
    let (gw, sets) = (&parents.gateway, &parents.sets);
    let mut routes: Vec<(RouteKind, usize)> = dropped.iter().map(|d| (d.kind, d.route)).collect();
    routes.dedup();
    for (kind, index) in routes {
        let Some((meta, rule_count, invalid)) = route_rules(config, kind, index) else {
            continue;
        };
        let mut all: Vec<(usize, String)> = invalid
            .iter()
            .filter(|r| r.index < rule_count)
            .map(|r| (r.index, r.message.clone()))
            .collect();
        all.extend(
            dropped
                .iter()
                .filter(|d| d.kind == kind && d.route == index)
                .map(|d| (d.rule, d.message.clone())),
        );
        all.sort_by_key(|r| r.0);
        all.dedup_by_key(|r| r.0);
        let Some(status) = report
            .routes
            .iter_mut()
            .find(|r| r.kind == kind && r.namespace == meta.namespace && r.name == meta.name)
        else {
            continue;
        };
        let mut list = status.parents.to_vec();
        for p in list.iter_mut().filter(|p| {
            (p.parent_kind == "Gateway" && p.parent == *gw)
                || (p.parent_kind.ends_with("ListenerSet") && sets.contains(&p.parent))
        }) {
            mark_dropped(p, &all, rule_count);
        }
        // A new list for this route alone: the old one may be shared with other routes.
        if *list != *status.parents {
            status.parents = list.into();
        }
    }
}

/// The metadata, rule count and validation-dropped rules of HTTP or GRPC route `index`.
fn route_rules(
    config: &Config,
    kind: RouteKind,
    index: usize,
) -> Option<(
    &crate::model::ObjectMeta,
    usize,
    &[crate::model::InvalidRule],
)> {
    match kind {
        RouteKind::Http => config.http_routes.get(index).map(|r| {
            (
                &r.meta,
                r.spec.rules.as_ref().map_or(1, Vec::len),
                r.invalid_rules.as_slice(),
            )
        }),
        RouteKind::Grpc => config
            .grpc_routes
            .get(index)
            .map(|r| (&r.meta, r.spec.rules.len(), r.invalid_rules.as_slice())),
        _ => None,
    }
}

/// On a parent that accepted the route: `Accepted=False` when the `dropped` rules are all
/// `rule_count` rules, else `PartiallyInvalid=True` listing them.
fn mark_dropped(p: &mut attach::RouteParentStatus, dropped: &[(usize, String)], rule_count: usize) {
    use attach::Condition;
    let accepted = p.conditions.iter().position(|c| c.kind == "Accepted");
    if !accepted.is_some_and(|i| p.conditions[i].is_true()) {
        return;
    }
    p.conditions.retain(|c| c.kind != "PartiallyInvalid");
    if dropped.len() >= rule_count {
        let msgs: Vec<String> = dropped
            .iter()
            .map(|(i, m)| format!("rule {i}: {m}"))
            .collect();
        let c = Condition::new(
            "Accepted",
            false,
            "UnsupportedValue",
            format!("All rules are invalid: {}", msgs.join("; ")),
        );
        if let Some(slot) = p.conditions.iter_mut().find(|c| c.kind == "Accepted") {
            *slot = c;
        }
    } else {
        let msgs: Vec<String> = dropped
            .iter()
            .map(|(i, m)| format!("Dropped Rule {i}: {m}"))
            .collect();
        p.conditions.push(Condition::new(
            "PartiallyInvalid",
            true,
            "UnsupportedValue",
            msgs.join("; "),
        ));
    }
}

#[cfg(test)]
mod build_tests {
    use super::*;

    /// Regex field paths are rendered only for an error message (issue #20, item 4): each
    /// rendering is byte for byte the string formatted eagerly before.
    #[test]
    fn regex_fields_render_as_before() {
        let field = |at| RegexField {
            rule: 3,
            matched: 12,
            at,
        };
        let p = "spec.rules[3].matches[12]";
        for (at, want) in [
            (RegexAt::Path, format!("{p}.path.value")),
            (RegexAt::Header(4), format!("{p}.headers[4].value")),
            (RegexAt::Query(0), format!("{p}.queryParams[0].value")),
            (RegexAt::Method("service"), format!("{p}.method.service")),
            (RegexAt::Method("method"), format!("{p}.method.method")),
        ] {
            assert_eq!(field(at).to_string(), want);
        }
    }

    /// The regexes of a rule: the first condition of each header name (ASCII case ignored)
    /// and of each query name (exact), non-template regex paths only, in order; the
    /// parameters of each template path.
    #[test]
    fn rule_regexes_take_the_first_condition_of_each_name() {
        let rule: HttpRouteRule = serde_json::from_value(serde_json::json!({
            "matches": [
                {
                    "path": {"type": "RegularExpression", "value": "/a.*b"},
                    "headers": [
                        {"name": "X", "type": "RegularExpression", "value": "a+"},
                        {"name": "x", "type": "RegularExpression", "value": "b+"},
                        {"name": "Y", "value": "c"},
                        {"name": "Z", "type": "RegularExpression", "value": "z+"}
                    ],
                    "queryParams": [
                        {"name": "q", "type": "RegularExpression", "value": "d+"},
                        {"name": "q", "type": "RegularExpression", "value": "e+"},
                        {"name": "Q", "type": "RegularExpression", "value": "f+"}
                    ]
                },
                {"path": {"type": "RegularExpression", "value": "/t/[^/]+"}},
                {"path": {"type": "RegularExpression", "value": "/u/(?P<id>[^/]+)"}}
            ]
        }))
        .expect("a rule");
        let mut plans = vec![None; 5];
        let got: Vec<(String, &str)> = http_rule_regexes(2, &rule, &mut plans)
            .into_iter()
            .map(|(f, v)| (f.to_string(), v))
            .collect();
        let p = "spec.rules[2].matches[0]";
        assert_eq!(
            got,
            vec![
                (format!("{p}.path.value"), "/a.*b"),
                (format!("{p}.headers[0].value"), "a+"),
                (format!("{p}.headers[3].value"), "z+"),
                (format!("{p}.queryParams[0].value"), "d+"),
                (format!("{p}.queryParams[2].value"), "f+"),
            ]
        );
        // Template paths need no regex; their parameters are kept for their matches.
        use template::ParamPlan;
        assert_eq!(plans.len(), 3);
        assert!(plans[0].is_none());
        assert!(matches!(plans[1], Some(ParamPlan::None)));
        match &plans[2] {
            Some(ParamPlan::Segments(names)) => assert_eq!(&names[..], &[(1, "id".into())]),
            other => panic!("{other:?}"),
        }
    }

    /// Issue #20, item 4: each distinct backend target is resolved once per compile (it was
    /// once per backendRef: 90 here), and every backendRef still gets its own index, weight
    /// and resolution.
    #[test]
    fn each_distinct_target_is_resolved_once() {
        let mut text = String::from(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c}\n\
             spec: {controllerName: example.com/c}\n---\n\
             apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
             metadata: {name: gw, namespace: default}\nspec:\n  gatewayClassName: c\n  \
             listeners: [{name: http, port: 80, protocol: HTTP}]\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n\
             spec: {ports: [{port: 80}]}\n",
        );
        for i in 0..30 {
            text.push_str(&format!(
                "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
                 metadata: {{name: r{i}, namespace: default}}\nspec:\n  parentRefs: [{{name: gw}}]\n  \
                 rules: [{{matches: [{{path: {{value: /r{i}}}}}], backendRefs: [\
                 {{name: web, port: 80, weight: {i}}}, {{name: nope, port: 80}}, \
                 {{name: web, port: 80, weight: 7}}]}}]\n"
            ));
        }
        let config = Config::from_str(&text);
        assert!(config.errors().is_empty(), "{:#?}", config.errors());
        let attachment = attach::attach(&config, None);
        let before = RESOLVED.with(|n| n.get());
        let out = compile(&config, &attachment.gateways[0], &Options::default());
        assert_eq!(RESOLVED.with(|n| n.get()) - before, 2);
        assert_eq!(out.rules.len(), 30);
        for rule in out.rules.iter() {
            let i = rule.route;
            let b = &rule.split.backends;
            assert_eq!(b.len(), 3);
            assert_eq!((b[0].index(), b[1].index(), b[2].index()), (0, 1, 2));
            let name = &out.routes[i as usize].name;
            assert_eq!(b[2].weight(), 7);
            assert_eq!(format!("r{}", b[0].weight()), **name);
            assert_eq!((b[0].name(), b[0].problem()), ("web", None));
            assert_eq!(b[1].name(), "nope");
            assert_eq!(b[1].problem().map(|p| p.0), Some("BackendNotFound"));
            // One shared target per distinct reference, across rules (issue #20, item 3).
            assert!(std::sync::Arc::ptr_eq(&b[0].target, &b[2].target));
            let first = &out.rules[0].split.backends;
            assert!(std::sync::Arc::ptr_eq(&b[1].target, &first[1].target));
        }
    }
}
