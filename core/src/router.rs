//! [`Router`], [`Outcome`] and [`RouteMatch`]: the immutable compiled table and its lookup.

use crate::attach::{self, Report};
use crate::compile::backend::{Backend, Target};
use crate::compile::chunked::Rope;
use crate::compile::conds::{self, QueryScan};
use crate::compile::dfa::{Captures, Slots, MAX_SLOTS};
use crate::compile::host::{host_hash, prehash_authority, Unchecked};
use crate::compile::template::ParamPlan;
use crate::compile::{self, Compiled, Frontend, MatchInfo, PathKind, VHost};
use crate::config::Config;
use crate::error::Error;
use crate::model::RouteKind;
use crate::options::Options;
use crate::request::{normalize_host, normalize_host_lazy, normalizes_to_itself, RequestView};
use std::sync::Arc;

/// An immutable routing table for one Gateway, compiled from a [`Config`].
///
/// `Router` is `Send + Sync` and cloning it is cheap (an `Arc`), so one instance serves every
/// thread of a proxy; build a new one and swap it in (for example with `arc-swap`) when the
/// configuration changes.
///
/// One Router serves one Gateway: every listener of that Gateway (grouped by port), including
/// ListenerSet listeners. A request names the listener it arrived on by its port
/// ([`RequestView::port`]) and, for HTTPS, its SNI.
#[derive(Debug, Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    compiled: Compiled,
    report: ReportCell,
    /// With `Options::counters`.
    counters: Option<crate::counters::RouterCounters>,
}

/// A Router's report: whole, or (after a live update) in parts that share the route statuses
/// with the previous version, assembled on the first [`Router::report`].
#[derive(Debug)]
enum ReportCell {
    Ready(Report),
    Parts(Box<ReportParts>),
}

/// A report in parts (see [`ReportCell`]).
#[derive(Debug)]
struct ReportParts {
    /// Everything but `routes`.
    base: Report,
    routes: Rope<crate::attach::report::RouteStatus>,
    done: std::sync::OnceLock<Report>,
}

impl ReportCell {
    fn get(&self) -> &Report {
        match self {
            ReportCell::Ready(r) => r,
            ReportCell::Parts(p) => p.done.get_or_init(|| Report {
                routes: p.routes.to_vec(),
                ..p.base.clone()
            }),
        }
    }
}

impl Inner {
    fn new(compiled: Compiled, report: ReportCell) -> Inner {
        let counters = compiled
            .options
            .counters
            .then(|| crate::counters::RouterCounters::new(&compiled));
        Inner {
            compiled,
            report,
            counters,
        }
    }
}

/// A full build with what incremental updates start from ([`Router::new_recorded`]).
#[derive(Debug)]
pub(crate) struct Recorded {
    pub router: Router,
    /// The Router's tables (shared with it).
    pub compiled: Compiled,
    /// The Router's report without route statuses, and the statuses.
    pub base: Report,
    pub routes: Rope<crate::attach::report::RouteStatus>,
    pub state: compile::CompileState,
    /// The attachment (its `report` taken), with its records.
    pub attachment: attach::Attachment,
}

/// The result of a lookup.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Outcome<'r> {
    /// A rule matched. Its filters and backends decide what happens next
    /// ([`RouteMatch::pick`]).
    Matched(RouteMatch<'r>),
    /// No route matches: 404 (gRPC `UNIMPLEMENTED`).
    NotFound,
    /// The TLS SNI selected another listener than the Host header: 421 (see
    /// docs/semantics.md, "Listener selection").
    Misdirected,
}

impl<'r> Outcome<'r> {
    /// The match, if any.
    pub fn matched(&self) -> Option<&RouteMatch<'r>> {
        match self {
            Outcome::Matched(m) => Some(m),
            _ => None,
        }
    }

    /// The HTTP status the client gets for a given random draw, assuming backends answer 200:
    /// 200 forwarded, 404, 421, or 500 for an invalid or missing backend.
    pub fn status(&self, random: u64) -> u16 {
        match self {
            Outcome::Matched(m) => match m.pick(random) {
                Target::Backend(_) => 200,
                Target::Status(s) => s,
            },
            Outcome::NotFound => 404,
            Outcome::Misdirected => 421,
        }
    }
}

/// Identifies a route: kind, namespace and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RouteRef<'r> {
    /// `HTTPRoute`, `GRPCRoute`, …
    pub kind: RouteKind,
    /// Namespace.
    pub namespace: &'r str,
    /// Name.
    pub name: &'r str,
}

impl std::fmt::Display for RouteRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// A winning rule: borrowed from the [`Router`], no allocation.
#[derive(Debug, Clone, Copy)]
pub struct RouteMatch<'r> {
    compiled: &'r Compiled,
    info: &'r MatchInfo,
    /// Indices of the listener and hostname (read by their accessors), port and TLS.
    id: MatchId,
}

/// `MatchId::listener` of a match found on every listener of the port together
/// (`listener_isolation` off, or an Ingress Router, which has no listeners).
const NONE: u32 = u32::MAX;

/// A plain-data identity of a [`RouteMatch`]: indices into its [`Router`]'s tables (the
/// compiled match, the port, the listener and the hostname it matched on). Two lookups that
/// return the same match (same rule match, listener, effective hostname and port) have equal
/// ids, so an id can key a cache; [`Router::match_by_id`] turns it back into the
/// `RouteMatch` without allocating.
///
/// Store an id instead of a `RouteMatch` where a borrow cannot be kept (a binding's object
/// that owns a clone of the `Router`, a cache across requests). An id is meaningful only for
/// the Router that returned it and its clones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MatchId {
    matched: u32,
    frontend: u32,
    listener: u32,
    vhost: u32,
    port: u16,
    tls: bool,
}

impl<'r> RouteMatch<'r> {
    /// This match's identity in its Router ([`Router::match_by_id`] gives the match back).
    pub fn id(&self) -> MatchId {
        self.id
    }
    /// Index of the rule in the compiled rule table (the counters' slot).
    pub(crate) fn rule_id(&self) -> u32 {
        self.info.rule
    }
    /// The compiled match.
    pub(crate) fn info(&self) -> &'r MatchInfo {
        self.info
    }
    /// `namespace/name` of the Gateway of the Router that returned the match.
    pub(crate) fn gateway(&self) -> &'r str {
        &self.compiled.gateway
    }
    /// The route.
    pub fn route(&self) -> RouteRef<'r> {
        let r = &self.compiled.routes[self.compiled.rules[self.info.rule as usize].route as usize];
        RouteRef {
            kind: r.kind,
            namespace: &r.namespace,
            name: &r.name,
        }
    }
    /// Index of the rule in the route's `spec.rules`.
    pub fn rule_index(&self) -> usize {
        self.compiled.rules[self.info.rule as usize].index as usize
    }
    /// The rule's `name`, if set.
    pub fn rule_name(&self) -> Option<&'r str> {
        self.compiled.rules[self.info.rule as usize].name()
    }
    /// Index of the match within the rule (diagnostics only: same rule, same action).
    pub fn match_index(&self) -> usize {
        self.info.index as usize
    }
    /// The path condition that matched: kind and value as configured.
    pub fn path_match(&self) -> (PathKind, &'r str) {
        (self.info.path_kind, self.compiled.path_value(self.info))
    }
    /// The path parameters of this match for `path`, the request path given to the lookup
    /// that returned it: `(name, value)` pairs, values borrowed from `path`. No allocation.
    ///
    /// Only a RegularExpression path has parameters, its named groups (`(?P<name>...)` or
    /// `(?<name>...)`); unnamed groups are not parameters, and a group that took no part in
    /// the match is absent. Exact and PathPrefix paths, GRPCRoute and Ingress matches have
    /// none.
    /// - A template (`/users/(?P<id>[^/]+)/repos(/.*)?`, matched by the path trie) yields
    ///   its named segments, found by one scan of `path` for `/`.
    /// - Any other regex yields its groups in pattern order through a one-pass capture DFA
    ///   built with the regex: one transition per byte of `path`. A regex that is not
    ///   one-pass (such as `(?P<a>.*)/(?P<b>.*)`, where a `/` could end either group) or has
    ///   more than 16 groups has no parameters.
    ///
    /// Nothing is computed until this is called. For another `path` than the lookup's the
    /// result is unspecified (but never a panic).
    ///
    /// ```
    /// use trieway::{Options, Request, Router};
    /// let yaml = r#"
    /// apiVersion: gateway.networking.k8s.io/v1
    /// kind: Gateway
    /// metadata: {name: gw, namespace: default}
    /// spec:
    ///   gatewayClassName: c
    ///   listeners: [{name: http, port: 80, protocol: HTTP}]
    /// ---
    /// apiVersion: gateway.networking.k8s.io/v1
    /// kind: HTTPRoute
    /// metadata: {name: users, namespace: default}
    /// spec:
    ///   parentRefs: [{name: gw}]
    ///   rules:
    ///   - matches: [{path: {type: RegularExpression, value: "/users/(?P<id>[0-9]+)"}}]
    ///     backendRefs: [{name: users, port: 8080}]
    /// "#;
    /// let router = Router::from_yaml(yaml, Options::default()).unwrap();
    /// let path = "/users/42";
    /// let outcome = router.route(&Request::new("GET", "example.com", path));
    /// let m = outcome.matched().unwrap();
    /// assert_eq!(m.params(path).collect::<Vec<_>>(), [("id", "42")]);
    /// assert_eq!(m.params(path).find(|(n, _)| *n == "id").map(|(_, v)| v), Some("42"));
    /// ```
    pub fn params<'p>(&self, path: &'p str) -> Params<'r, 'p> {
        let inner = self.params_inner(path);
        Params { inner }
    }

    /// Whether [`RouteMatch::params`] can yield anything: the path is a RegularExpression
    /// with named groups (a template, or a one-pass regex). Bindings use it to skip the call.
    pub fn has_params(&self) -> bool {
        !matches!(self.info.params(), ParamPlan::None)
    }

    fn params_inner<'p>(&self, path: &'p str) -> ParamsInner<'r, 'p> {
        match self.info.params() {
            ParamPlan::None => ParamsInner::Empty,
            ParamPlan::Segments(names) => match path.strip_prefix('/') {
                Some(_) => ParamsInner::Segments {
                    names,
                    path,
                    seg: 0,
                    off: 1,
                },
                None => ParamsInner::Empty,
            },
            ParamPlan::Regex(id) => match self
                .compiled
                .regexes
                .get(*id as usize)
                .and_then(|d| d.captures())
            {
                Some(caps) => {
                    let mut slots: Slots = [None; MAX_SLOTS];
                    if caps.search(path.as_bytes(), &mut slots) {
                        ParamsInner::Regex {
                            caps,
                            path,
                            slots,
                            group: 1,
                        }
                    } else {
                        ParamsInner::Empty
                    }
                }
                None => ParamsInner::Empty,
            },
        }
    }
    /// The effective hostname the request matched (`*` for any host).
    pub fn hostname(&self) -> &'r str {
        match self.compiled.vhosts.get(self.id.vhost as usize) {
            Some(vh) => &vh.hostname,
            None => "",
        }
    }
    /// Name of the listener the request was routed on.
    pub fn listener(&self) -> &'r str {
        let fe = self.compiled.frontends.get(self.id.frontend as usize);
        match fe.and_then(|fe| fe.listeners.get(self.id.listener as usize)) {
            Some(l) => &l.name,
            None => "", // every listener of the port (no isolation), or an Ingress Router
        }
    }
    /// Port of that listener.
    pub fn port(&self) -> u16 {
        self.id.port
    }
    /// Every backendRef of the rule (valid and invalid), with its weight.
    pub fn backends(&self) -> &'r [Backend] {
        &self.compiled.rules[self.info.rule as usize].split.backends
    }
    /// Sum of the rule's weights.
    pub fn total_weight(&self) -> u64 {
        self.compiled.rules[self.info.rule as usize].split.total()
    }
    /// Timeouts, retry and session persistence configured on the rule.
    pub fn policies(&self) -> &'r crate::policy::Policies {
        static NONE: crate::policy::Policies = crate::policy::Policies::EMPTY;
        self.compiled.rules[self.info.rule as usize]
            .policies()
            .unwrap_or(&NONE)
    }
    pub(crate) fn rule_filters(&self) -> &'r [crate::compile::filter::Filter] {
        self.compiled.rules[self.info.rule as usize].filters()
    }
    pub(crate) fn backend_filters(&self, b: &'r Backend) -> &'r [crate::compile::filter::Filter] {
        b.filters()
    }
    /// Whether the listener port terminates TLS (HTTPS).
    pub fn is_tls(&self) -> bool {
        self.id.tls
    }
    /// Draws a backend with a caller-supplied uniform random number, by the cumulative
    /// weights (weight 0 never receives traffic): a backend to
    /// forward to, or the status the engine answers (500 for an invalid backend's share, no
    /// backendRefs, or all weights zero).
    pub fn pick(&self, random: u64) -> Target<'r> {
        self.compiled.rules[self.info.rule as usize]
            .split
            .pick(random, self.compiled.options.all_weights_zero_status)
    }
}

/// The path parameters of a match, `(name, value)` in pattern order: see
/// [`RouteMatch::params`].
#[derive(Debug, Clone)]
pub struct Params<'r, 'p> {
    inner: ParamsInner<'r, 'p>,
}

// The capture offsets (272 bytes) stay inline: boxing them would allocate per call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum ParamsInner<'r, 'p> {
    Empty,
    /// Named template segments; segment `seg` of `path` starts at `off`.
    Segments {
        names: &'r [(u32, Box<str>)],
        path: &'p str,
        seg: u32,
        off: usize,
    },
    /// The offsets of a capture search; `group` is the next group to report.
    Regex {
        caps: &'r Captures,
        path: &'p str,
        slots: Slots,
        group: usize,
    },
}

impl<'r, 'p> Iterator for Params<'r, 'p> {
    type Item = (&'r str, &'p str);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            ParamsInner::Empty => None,
            ParamsInner::Segments {
                names,
                path,
                seg,
                off,
            } => {
                let ((want, name), rest) = names.split_first()?;
                *names = rest;
                let bytes = path.as_bytes();
                while *seg < *want {
                    let next = memchr::memchr(b'/', bytes.get(*off..)?)?;
                    *off += next + 1;
                    *seg += 1;
                }
                let r = bytes.get(*off..)?;
                let end = *off + memchr::memchr(b'/', r).unwrap_or(r.len());
                Some((&**name, path.get(*off..end)?))
            }
            ParamsInner::Regex {
                caps,
                path,
                slots,
                group,
            } => {
                while *group < caps.group_len() {
                    let g = *group;
                    *group += 1;
                    let (Some(name), Some(Some(s)), Some(Some(e))) =
                        (caps.name(g), slots.get(2 * g), slots.get(2 * g + 1))
                    else {
                        continue;
                    };
                    if let Some(v) = path.get(s.get()..e.get()) {
                        return Some((name, v));
                    }
                }
                None
            }
        }
    }
}

impl Router {
    /// Compiles the Gateway chosen by `options.gateway` (or the only Gateway served, see
    /// [`Options::controller_name`]) from a loaded configuration. Invalid objects and rules of
    /// `config` were already dropped and are reported in `config.errors` and in
    /// [`Router::report`].
    pub fn new(config: &Config, options: Options) -> Result<Router, Error> {
        let attachment = attach::attach(config, options.controller_name.as_deref());
        let (compiled, report, ..) = Router::compile_attached(config, attachment, &options, false)?;
        Ok(Router {
            inner: Arc::new(Inner::new(compiled, ReportCell::Ready(report))),
        })
    }

    /// [`Router::new`], also returning what incremental updates start from (for
    /// [`crate::Live`]).
    pub(crate) fn new_recorded(config: &Config, options: Options) -> Result<Recorded, Error> {
        let attachment = attach::attach_recorded(config, options.controller_name.as_deref());
        let (compiled, mut report, state, attachment) =
            Router::compile_attached(config, attachment, &options, true)?;
        let routes = Rope::from_vec(std::mem::take(&mut report.routes));
        Ok(Recorded {
            router: Router::from_parts(compiled.clone(), report.clone(), routes.clone()),
            compiled,
            base: report,
            routes,
            state,
            attachment,
        })
    }

    /// A Router of `compiled` whose report is `base` with the route statuses `routes`.
    pub(crate) fn from_parts(
        compiled: Compiled,
        base: Report,
        routes: Rope<crate::attach::report::RouteStatus>,
    ) -> Router {
        Router {
            inner: Arc::new(Inner::new(
                compiled,
                ReportCell::Parts(Box::new(ReportParts {
                    base,
                    routes,
                    done: std::sync::OnceLock::new(),
                })),
            )),
        }
    }

    /// Chooses the Gateway of `attachment` and compiles it: the compiled tables, the report,
    /// and (with `record`) the compile state and the attachment (its records).
    fn compile_attached(
        config: &Config,
        attachment: attach::Attachment,
        options: &Options,
        record: bool,
    ) -> Result<(Compiled, Report, compile::CompileState, attach::Attachment), Error> {
        let served_by = match &options.controller_name {
            Some(c) => format!("served by controller {c}"),
            None => "in the configuration".to_string(),
        };
        let gateway = match &options.gateway {
            Some(key) => attachment
                .gateways
                .iter()
                .find(|g| format!("{}/{}", g.namespace, g.name) == *key)
                .ok_or_else(|| Error::Gateway(format!("Gateway {key} is not {served_by}")))?,
            None => match attachment.gateways.as_slice() {
                [only] => only,
                [] => return Err(Error::Gateway(format!("no Gateway is {served_by}"))),
                many => {
                    return Err(Error::Gateway(format!(
                        "{} Gateways are served ({}); choose one with Options::gateway",
                        many.len(),
                        many.iter()
                            .map(|g| format!("{}/{}", g.namespace, g.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            },
        };
        let (compiled, state) = if record {
            compile::compile_recorded(config, gateway, options)
        } else {
            (
                compile::compile(config, gateway, options),
                Default::default(),
            )
        };
        let gateway_index = attachment
            .gateways
            .iter()
            .position(|g| std::ptr::eq(g, gateway))
            .unwrap_or(0);
        let parents = compile::dropped_parents(gateway);
        let mut attachment = attachment;
        let mut report = std::mem::take(&mut attachment.report);
        compile::report_dropped(&mut report, config, &parents, &compiled.dropped);
        attachment.chosen = gateway_index;
        Ok((compiled, report, state, attachment))
    }

    /// Compiles an already attached Gateway (tests compare this with the reference matcher;
    /// explanations compile the routes a Gateway refused this way, to evaluate them).
    pub(crate) fn from_attached(
        config: &Config,
        gateway: &attach::AttachedGateway,
        options: Options,
    ) -> Router {
        let compiled = compile::compile(config, gateway, &options);
        Router {
            inner: Arc::new(Inner::new(compiled, ReportCell::Ready(Report::default()))),
        }
    }

    /// Compiles the Ingress objects of `config` with native Ingress v1 semantics (see
    /// docs/ingress.md):
    /// the Ingresses of IngressClass `class` (resolved from `ingressClassName`, the legacy
    /// `kubernetes.io/ingress.class` annotation, or the default IngressClass), or every Ingress
    /// when `class` is `None`. Lookups work as for Gateway API routes; a match's
    /// [`RouteMatch::route`] is the Ingress, `rule_index` its `spec.rules` index (the default
    /// backend counts as one past the last rule), `match_index` the path's index and
    /// [`RouteMatch::hostname`] the Ingress host that was selected (`*` for host-less rules and
    /// for the default backend when no host was). Every port is served; there are no
    /// listeners. The default backend serves the paths that start with `/`.
    /// [`Options::ingress_nginx`] routes as ingress-nginx does instead (docs/ingress.md).
    pub fn from_ingress(config: &Config, class: Option<&str>, options: Options) -> Router {
        let compiled = compile::compile_ingress(config, class, &options);
        Router {
            inner: Arc::new(Inner::new(compiled, ReportCell::Ready(Report::default()))),
        }
    }

    /// Loads YAML or JSON text, refuses it if any object or rule is invalid (every problem is
    /// listed in the error), and compiles the only served Gateway. Unknown fields are handled
    /// as [`Options::unknown_fields`] says.
    ///
    /// ```
    /// # let yaml = include_str!("../examples/demo.yaml");
    /// let router = trieway::Router::from_yaml(yaml, trieway::Options::default()).unwrap();
    /// # let _ = router;
    /// ```
    pub fn from_yaml(text: &str, options: Options) -> Result<Router, Error> {
        let mut config = Config::builder().with_unknown_fields(options.unknown_fields);
        config.add_str(text, "<string>");
        Router::new(&config.finish().strict()?, options)
    }

    pub(crate) fn compiled(&self) -> &Compiled {
        &self.inner.compiled
    }

    pub(crate) fn counters(&self) -> Option<&crate::counters::RouterCounters> {
        self.inner.counters.as_ref()
    }

    /// Counts the outcome of one lookup for `req` in `counters` (this Router's).
    #[inline]
    fn count<R: RequestView + ?Sized>(
        &self,
        counters: &crate::counters::RouterCounters,
        outcome: &Outcome<'_>,
        req: &R,
    ) {
        match outcome {
            Outcome::Matched(m) => counters.matched(m.rule_id()),
            Outcome::Misdirected => counters.miss(self.compiled(), req, 1),
            _ => counters.miss(self.compiled(), req, 0),
        }
    }

    /// `namespace/name` of the Gateway this Router serves.
    pub fn gateway(&self) -> &str {
        &self.inner.compiled.gateway
    }

    /// The attachment status of every route and listener of the configuration.
    pub fn report(&self) -> &Report {
        self.inner.report.get()
    }

    /// Heap bytes the DFAs of this Router's regular expressions take, at most
    /// [`Options::regex_router_budget`].
    pub fn regex_memory(&self) -> usize {
        self.inner.compiled.regex_bytes
    }

    /// The options this Router was compiled with.
    pub fn options(&self) -> &Options {
        &self.inner.compiled.options
    }

    /// Routes a request: zero heap allocations, no sorting or lowercasing beyond the host's
    /// bytes on the stack.
    ///
    /// Request hygiene: a host that is not a valid `host[:port]`
    /// ([`NormalizeOptions::normalize_host`](crate::normalize::NormalizeOptions::normalize_host)
    /// returns `None`) counts as no host
    /// and matches only catch-all hostnames, on a listener without hostname; a path longer than
    /// [`Options::max_path_len`] never matches; a query longer than [`Options::max_query_len`]
    /// counts as absent; header values longer than [`Options::max_header_value_len`] never
    /// satisfy a header condition. The listener is found by a hostname index (one hash probe
    /// per label suffix of the host), and the query is read at most once per lookup.
    ///
    /// With [`Options::counters`] the outcome is counted ([`Router::stats`]).
    pub fn route<R: RequestView + ?Sized>(&self, req: &R) -> Outcome<'_> {
        let outcome = self.route_as(req, false);
        if let Some(c) = &self.inner.counters {
            self.count(c, &outcome, req);
        }
        outcome
    }

    /// Routes a gRPC call over the GRPCRoutes of the listener: the request's path
    /// is the call's `:path`, `/{service}/{method}`. [`Outcome::NotFound`] means gRPC status
    /// `UNIMPLEMENTED` (12); an invalid backend's share means `UNAVAILABLE` (14). gRPC calls to
    /// hosts served by HTTPRoutes go through [`Router::route`] like any HTTP/2 request.
    /// Allocates nothing.
    pub fn route_grpc<R: RequestView + ?Sized>(&self, req: &R) -> Outcome<'_> {
        let outcome = self.route_as(req, true);
        if let Some(c) = &self.inner.counters {
            self.count(c, &outcome, req);
        }
        outcome
    }

    /// [`Router::route`] (`grpc`: [`Router::route_grpc`]) without counting: for explanations.
    pub(crate) fn route_uncounted<R: RequestView + ?Sized>(
        &self,
        req: &R,
        grpc: bool,
    ) -> Outcome<'_> {
        self.route_as(req, grpc)
    }

    /// The lookup behind [`Router::route`] and [`Router::route_grpc`]: the port's frontend,
    /// then its listener (with listener isolation) or merged host index, then the path.
    fn route_as<R: RequestView + ?Sized>(&self, req: &R, grpc: bool) -> Outcome<'_> {
        let c = &self.inner.compiled;
        let Some((fe_index, fe)) = self.frontend(req) else {
            return Outcome::NotFound;
        };
        let path = req.path();
        if path.len() > c.options.max_path_len {
            return Outcome::NotFound;
        }
        if fe.host_blind {
            return self.route_blind(fe_index, fe, path, req, grpc);
        }
        let authority = req.authority();
        // First with the authority's name unchecked, hashed while its port is found: an exact
        // hostname hit proves it valid, and only an answer that depends on more (a miss, a
        // wildcard) checks it. A name that does not normalize to itself (uppercase, a
        // trailing dot, not a hostname) and the rare shapes start over normalized.
        let Some(a) = authority else {
            return self
                .route_host(fe_index, fe, None, true, || true, path, req, grpc)
                .unwrap_or(Outcome::NotFound);
        };
        let Some(pre) = prehash_authority(a) else {
            return self.route_normalized(fe_index, fe, a, path, req, grpc);
        };
        let check = || normalizes_to_itself(a, pre.0);
        match self.route_host(fe_index, fe, Some(pre), false, check, path, req, grpc) {
            Ok(outcome) => outcome,
            Err(Unchecked) => self.route_normalized(fe_index, fe, a, path, req, grpc),
        }
    }

    /// [`Router::route_as`] for a host-blind frontend: every request gets the same listener
    /// and vhost (`Frontend::fixed_listener`, `Frontend::blind_vhost`), so no host index is
    /// consulted.
    #[inline(always)]
    fn route_blind<'s, R: RequestView + ?Sized>(
        &'s self,
        fe_index: usize,
        fe: &'s Frontend,
        path: &str,
        req: &R,
        grpc: bool,
    ) -> Outcome<'s> {
        let c = &self.inner.compiled;
        let vhost = fe.blind_vhost[usize::from(grpc)];
        let Some(vh) = c.vhosts.get(vhost as usize) else {
            return Outcome::NotFound;
        };
        let mut query = None;
        let found = if grpc {
            self.in_grpc_vhost(vh, path, req, &mut query)
        } else {
            self.in_vhost(vh, path, req, &mut query)
        };
        match found {
            Some((info, matched)) => {
                self.matched(fe_index, fe, info, matched, fe.fixed_listener, vhost, req)
            }
            None => Outcome::NotFound,
        }
    }

    /// The outcome of a lookup that found match `matched` (`info`) in `vhost`, through
    /// `listener` (`NONE`: a merged index) of frontend `fe` (number `fe_index`).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn matched<'s, R: RequestView + ?Sized>(
        &'s self,
        fe_index: usize,
        fe: &Frontend,
        info: &'s MatchInfo,
        matched: u32,
        listener: u32,
        vhost: u32,
        req: &R,
    ) -> Outcome<'s> {
        let c = &self.inner.compiled;
        Outcome::Matched(RouteMatch {
            compiled: c,
            info,
            id: MatchId {
                matched,
                frontend: fe_index as u32,
                listener,
                vhost,
                // An Ingress Router serves every port.
                port: if c.ingress {
                    req.port().unwrap_or(80)
                } else {
                    fe.port
                },
                tls: fe.tls,
            },
        })
    }

    /// [`Router::route_as`] with the authority `a` normalized first.
    #[cold]
    #[inline(never)]
    fn route_normalized<'s, R: RequestView + ?Sized>(
        &'s self,
        fe_index: usize,
        fe: &'s Frontend,
        a: &str,
        path: &str,
        req: &R,
        grpc: bool,
    ) -> Outcome<'s> {
        // `None`: no valid host (empty, over-long or malformed): matches only `*`. Written
        // (and zeroed) only for a host with uppercase letters.
        let mut buf = None;
        let host = normalize_host_lazy(a, &mut buf).map(|h| (h, host_hash(h.as_bytes())));
        self.route_host(fe_index, fe, host, true, || true, path, req, grpc)
            .unwrap_or(Outcome::NotFound)
    }

    /// [`Router::route_as`] with the request's host (and its [`host_hash`]): `checked` when it
    /// is normalized, else `check` says whether it normalizes to itself, and
    /// `Err(Unchecked)` when it does not (never when `checked`).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn route_host<'s, 'q, R: RequestView + ?Sized>(
        &'s self,
        fe_index: usize,
        fe: &'s Frontend,
        host: Option<(&str, u64)>,
        mut checked: bool,
        check: impl Fn() -> bool,
        path: &str,
        req: &'q R,
        grpc: bool,
    ) -> Result<Outcome<'s>, Unchecked> {
        let c = &self.inner.compiled;
        // Read on the first candidate with query conditions (most lookups never need it).
        let mut query: Option<QueryScan<'q>> = None;
        // A frontend without listeners (an Ingress Router's) routes by its merged index.
        let found = if c.options.listener_isolation && !fe.listeners.is_empty() {
            let li = if fe.fixed_listener != NONE {
                fe.fixed_listener as usize
            } else {
                match select_listener(fe, host, &mut checked, &check, req)? {
                    Ok(li) => li,
                    Err(outcome) => return Ok(outcome),
                }
            };
            let Some(listener) = fe.listeners.get(li) else {
                return Ok(Outcome::NotFound);
            };
            let hosts = if grpc {
                &listener.grpc_hosts
            } else {
                &listener.hosts
            };
            self.lookup(hosts, host, checked, &check, path, req, grpc, &mut query)?
                .map(|r| (r, li as u32))
        } else {
            let hosts = if grpc { &fe.merged_grpc } else { &fe.merged };
            self.lookup(hosts, host, checked, &check, path, req, grpc, &mut query)?
                .map(|r| (r, NONE))
        };
        Ok(match found {
            Some(((info, matched, vhost), listener)) => {
                self.matched(fe_index, fe, info, matched, listener, vhost, req)
            }
            None => Outcome::NotFound,
        })
    }

    /// The frontend of the request's port (the first one when the request names no port),
    /// with its index; `None` when no listener serves the port.
    fn frontend<R: RequestView + ?Sized>(&self, req: &R) -> Option<(usize, &Frontend)> {
        let frontends = &self.inner.compiled.frontends;
        let index = match req.port() {
            // Ports are ascending; an Ingress Router has one frontend for every port.
            Some(p) if !self.inner.compiled.ingress => {
                frontends.binary_search_by_key(&p, |f| f.port).ok()?
            }
            _ => 0,
        };
        Some((index, frontends.get(index)?))
    }

    /// The match `id` names ([`RouteMatch::id`]), as a lookup returned it; `None` for an id
    /// that does not come from this Router or a clone of it. Allocates nothing.
    pub fn match_by_id(&self, id: MatchId) -> Option<RouteMatch<'_>> {
        let c = &self.inner.compiled;
        let info = c.matches.get(id.matched as usize)?;
        let valid = c.frontends.get(id.frontend as usize).is_some_and(|fe| {
            (id.listener == NONE || (id.listener as usize) < fe.listeners.len())
                && (c.ingress || id.port == fe.port)
                && id.tls == fe.tls
        }) && (id.vhost as usize) < c.vhosts.len();
        valid.then_some(RouteMatch {
            compiled: c,
            info,
            id,
        })
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn lookup<'r, 'q, R: RequestView + ?Sized>(
        &'r self,
        hosts: &'r compile::host::HostIndex,
        host: Option<(&str, u64)>,
        checked: bool,
        check: impl FnOnce() -> bool,
        path: &str,
        req: &'q R,
        grpc: bool,
        query: &mut Option<QueryScan<'q>>,
    ) -> Result<Option<(&'r MatchInfo, u32, u32)>, Unchecked> {
        let c = &self.inner.compiled;
        // `None` (no valid host) matches only `*`.
        hosts.find_hashed(
            host,
            checked,
            check,
            c.options.host_isolation,
            // Inlined at each call site: an outlined closure spills its captures to the stack
            // on every lookup (callgrind, whole lookup of a named host: 712 -> 686).
            #[inline(always)]
            |v, _| {
                let vh = &c.vhosts[v as usize];
                let m = if grpc {
                    self.in_grpc_vhost(vh, path, req, query)
                } else {
                    self.in_vhost(vh, path, req, query)
                };
                m.map(|(m, i)| (m, i, v))
            },
        )
    }

    /// The first GRPCRoute candidate of one hostname that matches (and its index in the match
    /// table).
    #[inline]
    fn in_grpc_vhost<'r, 'q, R: RequestView + ?Sized>(
        &'r self,
        vh: &'r VHost,
        path: &str,
        req: &'q R,
        query: &mut Option<QueryScan<'q>>,
    ) -> Option<(&'r MatchInfo, u32)> {
        let c = &self.inner.compiled;
        vh.grpc.iter().find_map(|&i| {
            let m = &c.matches[i as usize];
            (m.grpc()
                .is_some_and(|g| compile::grpc::matches(g, &c.regexes, path))
                && self.conditions_hold(m, req, query))
            .then_some((m, i))
        })
    }

    /// The best candidate of one hostname (and its index in the match table): the path
    /// trie's, then a non-template regex with a smaller position.
    #[inline]
    fn in_vhost<'r, 'q, R: RequestView + ?Sized>(
        &'r self,
        vh: &'r VHost,
        path: &str,
        req: &'q R,
        query: &mut Option<QueryScan<'q>>,
    ) -> Option<(&'r MatchInfo, u32)> {
        let c = &self.inner.compiled;
        let hold = &mut |m: u32, inline: Option<&[u32]>| match inline {
            // Laid out next to the trie: no match record read (issue #20, item 3).
            Some(words) => conds::inline_hold(
                words,
                &c.header_names,
                &c.regexes,
                c.options.repeated_headers,
                c.options.max_header_value_len,
                req,
            ),
            None => self.conditions_hold(&c.matches[m as usize], req, query),
        };
        let (limit, mut best) = vh
            .paths
            .best(path, u32::MAX, hold)
            .unwrap_or((u32::MAX, u32::MAX));
        // Most hostnames have none: one test instead of building an empty slice.
        if vh.paths.has_regex() {
            for e in vh.paths.regex() {
                let [re, m, pos, ..] = *e;
                if pos >= limit {
                    break;
                }
                // The regex's leading literal first: most paths fail it without a read of
                // the DFA (issue #20, item 3); the rest out of line.
                let lead = e[compile::path::REGEX_LEAD..].first_chunk();
                if lead.is_some_and(|w| compile::dfa::Lead::admits(w, path.as_bytes()))
                    && self.regex_holds(re, m, path, hold)
                {
                    best = m;
                    break;
                }
            }
        }
        c.matches.get(best as usize).map(|m| (m, best))
    }

    /// Whether regex `re` matches `path` and candidate `m`'s conditions `hold`. Out of
    /// line: reached only by a path that starts with the regex's leading literal.
    #[inline(never)]
    fn regex_holds<F: FnMut(u32, Option<&[u32]>) -> bool>(
        &self,
        re: u32,
        m: u32,
        path: &str,
        hold: &mut F,
    ) -> bool {
        let c = &self.inner.compiled;
        c.regexes
            .get(re as usize)
            .is_some_and(|r| r.is_match(path.as_bytes()))
            && hold(m, None)
    }

    #[inline]
    fn conditions_hold<'q, R: RequestView + ?Sized>(
        &self,
        m: &MatchInfo,
        req: &'q R,
        query: &mut Option<QueryScan<'q>>,
    ) -> bool {
        let c = &self.inner.compiled;
        let Some(k) = m.conds() else {
            return true;
        };
        if let Some(method) = &k.method {
            if req.method() != &**method {
                return false;
            }
        }
        let (policy, max) = (c.options.repeated_headers, c.options.max_header_value_len);
        k.headers
            .iter()
            .all(|h| conds::header_ok(h, &c.regexes, policy, max, req))
            && (k.query.is_empty() || self.query_holds(&k.query, req, query))
    }

    /// Whether the query conditions `conds` hold; reads the request's query on first need.
    /// Out of line: few candidates have query conditions.
    #[inline(never)]
    fn query_holds<'q, R: RequestView + ?Sized>(
        &self,
        conds: &[conds::QueryCond],
        req: &'q R,
        query: &mut Option<QueryScan<'q>>,
    ) -> bool {
        let c = &self.inner.compiled;
        query
            .get_or_insert_with(|| query_scan(req, &c.options))
            .all_ok(conds, &c.query_names, &c.regexes)
    }
}

/// The query of a request as the conditions read it: absent when longer than
/// `Options::max_query_len`.
fn query_scan<'q, R: RequestView + ?Sized>(req: &'q R, options: &Options) -> QueryScan<'q> {
    QueryScan::new(req.query().filter(|q| q.len() <= options.max_query_len))
}

/// The listener of `fe` that serves `host` under listener isolation: the most specific usable
/// listener whose hostname matches the host (SPEC §2.5), found by the port's hostname index;
/// no valid host selects only a listener without hostname, and without hostnames every host
/// (and SNI) selects the first listener. On TLS, an SNI that selects another listener is
/// [`Outcome::Misdirected`]; no listener is [`Outcome::NotFound`].
fn select_listener<'a, R: RequestView + ?Sized>(
    fe: &Frontend,
    host: Option<(&str, u64)>,
    checked: &mut bool,
    check: impl FnOnce() -> bool,
    req: &R,
) -> Result<Result<usize, Outcome<'a>>, Unchecked> {
    let Some(li) = fe.listener_index.select_hashed(host, checked, check)? else {
        return Ok(Err(Outcome::NotFound));
    };
    if fe.tls {
        if let Some(sni) = req.sni() {
            let mut sbuf = [0u8; 256];
            if fe.listener_index.select(normalize_host(sni, &mut sbuf)) != Some(li) {
                return Ok(Err(Outcome::Misdirected));
            }
        }
    }
    Ok(Ok(li))
}
