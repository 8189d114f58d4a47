//! [`Router::explain`]: why a request goes where it goes.
//!
//! An explanation is computed beside the lookup, never inside it: it replays the lookup's
//! steps (port, Host and SNI to a listener, hostnames most specific first) over the compiled
//! tables, then scans *every* candidate of each hostname in precedence order (the order the
//! compiler sorted them in, SPEC §4.1) and evaluates each of its conditions one by one. The
//! first candidate whose conditions all hold wins; every later one that also holds is shadowed,
//! and the precedence step that decided is the first component of the precedence key where the
//! two differ. `route()` itself is untouched: [`Explanation::outcome`] is what it returned,
//! and the property tests check that the explanation's winner is the same match.

use crate::attach::{AttachedGateway, AttachedListener, AttachedRoute};
use crate::compile::conds::{self, ValueMatch};
use crate::compile::{self, grpc, Compiled, Frontend, MatchInfo, PathKind};
use crate::config::Config;
use crate::model::ProtocolType;
use crate::model::RouteKind;
use crate::options::Options;
use crate::options::RegexRank;
use crate::request::{normalize_host, RequestView};
use crate::router::{Outcome, Router};
use serde::Serialize;
use std::fmt;
use std::ops::ControlFlow;

/// Why a request goes where it goes: [`Router::explain`]. Plain data (serializable to JSON);
/// `Display` prints it for a person, the outcome first.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// `namespace/name` of the Gateway the Router serves.
    pub gateway: String,
    /// How the port, Host and SNI selected a listener, or why none.
    pub listener: ListenerChoice,
    /// The effective hostnames whose routes could apply, most specific first.
    pub hostnames: Vec<HostnameTried>,
    /// Every candidate (route, rule, match) of those hostnames, in precedence order within
    /// each hostname, with its verdict; then full matches on other listeners of the port.
    pub candidates: Vec<Candidate>,
    /// Routes whose parentRef to this Gateway (or its ListenerSets) was not accepted, with the
    /// condition from the [`Report`](crate::Report). The Router does not compile them, so their
    /// rules are not evaluated.
    pub not_attached: Vec<NotAttached>,
    /// Remarks on the request (an invalid Host, an over-long path).
    pub notes: Vec<String>,
    /// What [`Router::route`] (or [`Router::route_grpc`]) returns for the request.
    pub outcome: ExplainedOutcome,
}

/// Listener selection (SPEC §2.5).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ListenerChoice {
    /// The port whose listeners were considered; `None` when no listener serves the request's
    /// port.
    pub port: Option<u16>,
    /// The listener the Host selected; `None` when none did, or with
    /// [`Options::listener_isolation`](crate::Options::listener_isolation) off (every listener
    /// of the port takes part).
    pub listener: Option<String>,
    /// The host the request is matched with (lowercase, without port); `None` when the request
    /// has no valid host (only catch-all hostnames match) or the port's routes ignore it.
    pub host: Option<String>,
    /// With TLS and an SNI: the listener the SNI selects (421 when it is another one).
    pub sni_listener: Option<String>,
    /// Whether routes were looked up: a listener was selected (or listener isolation is off).
    pub selected: bool,
    /// The decision in one sentence.
    pub reason: String,
}

/// An effective hostname whose routes could apply to the request.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct HostnameTried {
    /// The hostname (`*` for any host).
    pub hostname: String,
    /// Whether the lookup looked at it: it stops at the first hostname with a matching rule
    /// (at the first hostname with routes under
    /// [`Options::host_isolation`](crate::Options::host_isolation)).
    pub tried: bool,
    /// Its number of candidates (route, rule, match).
    pub candidates: usize,
}

/// A rule's match: route (kind, namespace, name), rule index and match index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MatchRef {
    /// The route's kind: `HTTPRoute`, `GRPCRoute`, …
    pub kind: RouteKind,
    /// The route's namespace.
    pub namespace: String,
    /// The route's name.
    pub name: String,
    /// Index of the rule in `spec.rules`.
    pub rule: usize,
    /// The rule's `name`, if set.
    pub rule_name: Option<String>,
    /// Index of the match in the rule's `matches`.
    pub match_index: usize,
}

impl fmt::Display for MatchRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{} rule {}",
            self.kind, self.namespace, self.name, self.rule
        )?;
        if let Some(n) = &self.rule_name {
            write!(f, " ({n})")?;
        }
        write!(f, " match {}", self.match_index)
    }
}

/// One candidate (route, rule, match) of a hostname and what became of it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Candidate {
    /// Which match.
    #[serde(flatten)]
    pub id: MatchRef,
    /// The effective hostname it was considered under.
    pub hostname: String,
    /// The listener it is attached to (`""` with listener isolation off).
    pub listener: String,
    /// Its path condition as configured (`PathPrefix /api`), or its gRPC method condition.
    pub path: String,
    /// Matched, failed, shadowed, … (in JSON: the fields `verdict`, and `condition` or `by`
    /// and `step`).
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// What became of a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// It is the match the lookup returns.
    Matched,
    /// A condition does not hold: the first one, in the order path (or gRPC method), method,
    /// headers, query parameters.
    Failed {
        /// The condition.
        condition: FailedCondition,
    },
    /// Every condition holds, but a candidate earlier in precedence order wins.
    Shadowed {
        /// The winner.
        by: MatchRef,
        /// The first precedence step where the winner ranks higher.
        step: PrecedenceStep,
    },
    /// Every condition holds, but its hostname is not tried: host isolation stops at the most
    /// specific hostname with routes, which has no matching rule.
    HostIsolated,
    /// Every condition holds, but the route is attached to another listener of the port than
    /// the one the Host selected.
    OtherListener,
}

/// The first condition of a candidate that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FailedCondition {
    /// Which kind of condition.
    pub kind: ConditionKind,
    /// The header or query parameter name (`None` for path, method, gRPC method).
    pub name: Option<String>,
    /// What the condition wants: a value, or `~pattern` for a regular expression.
    pub expected: String,
    /// What the request has (`None`: the header or parameter is absent).
    pub actual: Option<String>,
}

impl fmt::Display for FailedCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match (&self.kind, &self.name) {
            (ConditionKind::Path, _) => "path".to_string(),
            (ConditionKind::Method, _) => "method".to_string(),
            (ConditionKind::GrpcMethod, _) => "gRPC method".to_string(),
            (ConditionKind::Header, Some(n)) => format!("header {n}"),
            (ConditionKind::QueryParam, Some(n)) => format!("query parameter {n}"),
            (k, None) => format!("{k:?}"),
        };
        match &self.actual {
            Some(a) => write!(f, "{what} {a:?} is not {}", self.expected),
            None => write!(f, "{what} absent (wants {})", self.expected),
        }
    }
}

/// The kinds of match conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConditionKind {
    /// The path (Exact, PathPrefix, RegularExpression).
    Path,
    /// The HTTP method.
    Method,
    /// A header.
    Header,
    /// A query parameter.
    QueryParam,
    /// A GRPCRoute's service and method.
    GrpcMethod,
}

/// The precedence steps (SPEC §4.1 for HTTPRoute, §4.3 for GRPCRoute), in the order they are
/// applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PrecedenceStep {
    /// A more specific hostname (exact, longer wildcard) is tried first.
    Hostname,
    /// Exact > RegularExpression > PathPrefix (see `Options::regex_rank`).
    PathKind,
    /// Longer path value.
    PathLength,
    /// A method condition.
    Method,
    /// gRPC: a longer Exact service.
    ServiceLength,
    /// gRPC: a longer Exact method.
    MethodLength,
    /// More header conditions.
    HeaderCount,
    /// More query-parameter conditions.
    QueryCount,
    /// The older route (creationTimestamp).
    Age,
    /// The smaller `namespace/name`.
    NamespaceName,
    /// The lower rule index in the same route.
    RuleOrder,
    /// The lower match index in the same rule.
    MatchOrder,
}

impl fmt::Display for PrecedenceStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrecedenceStep::Hostname => "more specific hostname",
            PrecedenceStep::PathKind => "path kind",
            PrecedenceStep::PathLength => "longer path",
            PrecedenceStep::Method => "method condition",
            PrecedenceStep::ServiceLength => "longer service",
            PrecedenceStep::MethodLength => "longer method",
            PrecedenceStep::HeaderCount => "more header conditions",
            PrecedenceStep::QueryCount => "more query conditions",
            PrecedenceStep::Age => "older route",
            PrecedenceStep::NamespaceName => "smaller namespace/name",
            PrecedenceStep::RuleOrder => "earlier rule",
            PrecedenceStep::MatchOrder => "earlier match",
        })
    }
}

/// A route whose parentRef to this Gateway was refused.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct NotAttached {
    /// The route's kind.
    pub kind: RouteKind,
    /// The route's namespace.
    pub namespace: String,
    /// The route's name.
    pub name: String,
    /// `namespace/name` of the parent (the Gateway or a ListenerSet of it).
    pub parent: String,
    /// The parentRef's `sectionName`, if any.
    pub section_name: Option<String>,
    /// The reason of its `Accepted=False` condition (`NotAllowedByListeners`,
    /// `NoMatchingListenerHostname`, …).
    pub reason: String,
    /// The condition's message.
    pub message: String,
    /// With [`Router::explain_with`]: the indexes of the route's rules whose conditions the
    /// request satisfies (what-if: were the route attached to a listener of the request's port
    /// without hostname, with its own hostnames); empty when none would match. `None`: not
    /// evaluated ([`Router::explain`] has no configuration to read them from).
    pub matching_rules: Option<Vec<usize>>,
}

/// What the lookup returned (in JSON: `result`, `matched`, `hostname`, `listener`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExplainedOutcome {
    /// A rule matched.
    Matched {
        /// The match.
        matched: MatchRef,
        /// Its effective hostname.
        hostname: String,
        /// Its listener (`""` with listener isolation off, and for Ingress).
        listener: String,
    },
    /// 404 (gRPC UNIMPLEMENTED).
    NotFound,
    /// 421.
    Misdirected,
}

impl ExplainedOutcome {
    /// The match, if any.
    pub fn matched(&self) -> Option<&MatchRef> {
        match self {
            ExplainedOutcome::Matched { matched, .. } => Some(matched),
            _ => None,
        }
    }
}

impl Explanation {
    /// The candidate whose verdict is [`Verdict::Matched`], if any: the same match as
    /// [`Explanation::outcome`].
    pub fn winner(&self) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.verdict == Verdict::Matched)
    }
}

impl Router {
    /// Explains how [`Router::route`] decides for `req`: the listener the port, Host and SNI
    /// select (or why none, or why 421), the hostnames tried in order, and for every rule
    /// match of those hostnames whether it matched, which condition failed first, or which
    /// higher-precedence rule shadows it and at which precedence step; rules that match on
    /// another listener of the port; routes not attached to this Gateway with their status
    /// condition; and the outcome `route()` returns.
    ///
    /// Allocates and scans every candidate of the hostnames involved: meant for diagnosis
    /// (a CLI, an admin endpoint), not for every request. Routers built from Ingress objects
    /// explain the outcome only.
    ///
    /// ```
    /// # let yaml = include_str!("../examples/demo.yaml");
    /// use trieway::{Request, Router, Options};
    /// let router = Router::from_yaml(yaml, Options::default()).unwrap();
    /// let e = router.explain(&Request::new("GET", "nowhere.example", "/"));
    /// println!("{e}"); // or serde_json::to_string(&e)
    /// assert_eq!(e.winner().map(|w| &w.id), e.outcome.matched());
    /// ```
    pub fn explain<R: RequestView + ?Sized>(&self, req: &R) -> Explanation {
        Explain::new(self, false).run(req)
    }

    /// [`Router::explain`] for a gRPC call ([`Router::route_grpc`]).
    pub fn explain_grpc<R: RequestView + ?Sized>(&self, req: &R) -> Explanation {
        Explain::new(self, true).run(req)
    }

    /// [`Router::explain`], and for each route not attached, whether it would have matched:
    /// `config` (the configuration this Router was compiled from) gives their rules, which are
    /// compiled on the side for the explanation ([`NotAttached::matching_rules`]).
    pub fn explain_with<R: RequestView + ?Sized>(&self, config: &Config, req: &R) -> Explanation {
        let mut e = Explain::new(self, false).run(req);
        self.what_if(config, req, false, &mut e);
        e
    }

    /// [`Router::explain_with`] for a gRPC call.
    pub fn explain_grpc_with<R: RequestView + ?Sized>(
        &self,
        config: &Config,
        req: &R,
    ) -> Explanation {
        let mut e = Explain::new(self, true).run(req);
        self.what_if(config, req, true, &mut e);
        e
    }

    /// Fills [`NotAttached::matching_rules`]: the refused routes, attached to one listener
    /// without hostname on the request's port (each with its own hostnames), compiled and
    /// explained on the side; the rules whose conditions hold there would match.
    fn what_if<R: RequestView + ?Sized>(
        &self,
        config: &Config,
        req: &R,
        grpc: bool,
        e: &mut Explanation,
    ) {
        let kind = if grpc {
            RouteKind::Grpc
        } else {
            RouteKind::Http
        };
        let hostnames = |hs: &[String]| -> Vec<String> {
            if hs.is_empty() {
                vec!["*".to_string()]
            } else {
                hs.iter().map(|h| h.to_ascii_lowercase()).collect()
            }
        };
        let mut routes = Vec::new();
        for n in &e.not_attached {
            let found = match kind {
                RouteKind::Grpc => config
                    .grpc_routes
                    .iter()
                    .position(|r| r.meta.namespace == n.namespace && r.meta.name == n.name)
                    .map(|i| (i, hostnames(&config.grpc_routes[i].spec.hostnames))),
                _ => config
                    .http_routes
                    .iter()
                    .position(|r| r.meta.namespace == n.namespace && r.meta.name == n.name)
                    .map(|i| (i, hostnames(&config.http_routes[i].spec.hostnames))),
            };
            if let Some((index, hostnames)) = found {
                if !routes.iter().any(|r: &AttachedRoute| r.index == index) {
                    routes.push(AttachedRoute {
                        kind,
                        index,
                        hostnames: hostnames.into(),
                    });
                }
            }
        }
        if routes.is_empty() {
            return;
        }
        let gateway = AttachedGateway {
            namespace: String::new(),
            name: "(what if)".into(),
            listeners: vec![AttachedListener {
                name: "(not attached)".into(),
                port: req.port().unwrap_or(80),
                protocol: ProtocolType::Http,
                usable: true,
                routes,
                ..AttachedListener::default()
            }],
            frontend: Vec::new(),
        };
        let options = Options {
            counters: false,
            ..self.options().clone()
        };
        let side = Router::from_attached(config, &gateway, options);
        let seen = Explain::new(&side, grpc).run(req);
        for n in &mut e.not_attached {
            let mut rules: Vec<usize> = seen
                .candidates
                .iter()
                .filter(|c| c.id.namespace == n.namespace && c.id.name == n.name)
                .filter(|c| !matches!(c.verdict, Verdict::Failed { .. }))
                .map(|c| c.id.rule)
                .collect();
            rules.sort_unstable();
            rules.dedup();
            n.matching_rules = Some(rules);
        }
    }
}

/// One explanation being built.
struct Explain<'r> {
    router: &'r Router,
    c: &'r Compiled,
    grpc: bool,
    /// Compiled RegularExpression paths, by pattern (`None`: does not compile).
    regexes: rustc_hash::FxHashMap<&'r str, Option<regex_automata::meta::Regex>>,
    out: Explanation,
}

impl<'r> Explain<'r> {
    fn new(router: &'r Router, grpc: bool) -> Self {
        Explain {
            router,
            c: router.compiled(),
            grpc,
            regexes: Default::default(),
            out: Explanation {
                gateway: router.gateway().to_string(),
                listener: ListenerChoice {
                    port: None,
                    listener: None,
                    host: None,
                    sni_listener: None,
                    selected: false,
                    reason: String::new(),
                },
                hostnames: Vec::new(),
                candidates: Vec::new(),
                not_attached: Vec::new(),
                notes: Vec::new(),
                outcome: ExplainedOutcome::NotFound,
            },
        }
    }

    fn run<R: RequestView + ?Sized>(mut self, req: &R) -> Explanation {
        // The lookup itself, not counted (Options::counters counts traffic, not explanations).
        let outcome = self.router.route_uncounted(req, self.grpc);
        self.out.outcome = self.outcome(&outcome);
        self.not_attached();
        if self.c.ingress {
            self.out.listener.reason =
                "Ingress router: no listeners; the explanation covers the outcome only".into();
            return self.out;
        }
        self.listeners(req);
        self.out
    }

    fn match_ref(&self, m: &MatchInfo) -> MatchRef {
        let rule = &self.c.rules[m.rule as usize];
        let route = &self.c.routes[rule.route as usize];
        MatchRef {
            kind: route.kind,
            namespace: route.namespace.to_string(),
            name: route.name.to_string(),
            rule: rule.index as usize,
            rule_name: rule.name().map(str::to_string),
            match_index: m.index as usize,
        }
    }

    fn outcome(&self, o: &Outcome<'_>) -> ExplainedOutcome {
        match o {
            Outcome::Matched(m) => {
                let r = m.route();
                ExplainedOutcome::Matched {
                    matched: MatchRef {
                        kind: r.kind,
                        namespace: r.namespace.to_string(),
                        name: r.name.to_string(),
                        rule: m.rule_index(),
                        rule_name: m.rule_name().map(str::to_string),
                        match_index: m.match_index(),
                    },
                    hostname: m.hostname().to_string(),
                    listener: m.listener().to_string(),
                }
            }
            Outcome::Misdirected => ExplainedOutcome::Misdirected,
            _ => ExplainedOutcome::NotFound,
        }
    }

    /// Routes of the lookup's kind whose parentRef to this Gateway or one of its ListenerSets
    /// is not accepted.
    fn not_attached(&mut self) {
        let kind = if self.grpc {
            RouteKind::Grpc
        } else {
            RouteKind::Http
        };
        let gateway = self.router.gateway();
        let sets: Vec<&str> = self
            .router
            .report()
            .listeners
            .iter()
            .filter(|l| l.gateway == gateway)
            .filter_map(|l| l.listener_set.as_deref())
            .collect();
        for r in self
            .router
            .report()
            .routes
            .iter()
            .filter(|r| r.kind == kind)
        {
            for p in r.parents.iter() {
                let ours = (p.parent_kind == "Gateway" && p.parent == gateway)
                    || (p.parent_kind.ends_with("ListenerSet") && sets.contains(&&*p.parent));
                let Some(accepted) = crate::Condition::find(&p.conditions, "Accepted") else {
                    continue;
                };
                if !ours || accepted.is_true() {
                    continue;
                }
                self.out.not_attached.push(NotAttached {
                    kind: r.kind,
                    namespace: r.namespace.clone(),
                    name: r.name.clone(),
                    parent: p.parent.clone(),
                    section_name: p.section_name.clone(),
                    reason: accepted.reason.to_string(),
                    message: accepted.message.to_string(),
                    matching_rules: None,
                });
            }
        }
    }

    /// Port → listener → hostnames → candidates, as `Router::route_as` does.
    fn listeners<R: RequestView + ?Sized>(&mut self, req: &R) {
        let c = self.c;
        let index = match req.port() {
            Some(p) => c.frontends.binary_search_by_key(&p, |f| f.port).ok(),
            None => (!c.frontends.is_empty()).then_some(0),
        };
        let Some(fe) = index.and_then(|i| c.frontends.get(i)) else {
            self.out.listener.reason = match req.port() {
                Some(p) => format!("no HTTP or HTTPS listener of the Gateway serves port {p}"),
                None => "the Gateway has no HTTP or HTTPS listener".into(),
            };
            return;
        };
        self.out.listener.port = Some(fe.port);
        let path = req.path();
        if path.len() > c.options.max_path_len {
            self.out.notes.push(format!(
                "the path is {} bytes, longer than Options::max_path_len ({}): no route matches",
                path.len(),
                c.options.max_path_len
            ));
            self.out.listener.reason = "the path is too long to route".into();
            return;
        }
        let mut buf = [0u8; 256];
        let host = match req.authority() {
            _ if fe.host_blind => None,
            Some(a) => {
                let h = normalize_host(a, &mut buf);
                if h.is_none() {
                    self.out.notes.push(format!(
                        "Host {a:?} is not a valid host[:port]: only catch-all hostnames match"
                    ));
                }
                h
            }
            None => {
                self.out
                    .notes
                    .push("the request has no Host: only catch-all hostnames match".into());
                None
            }
        };
        if fe.host_blind {
            self.out.notes.push(format!(
                "port {}: no listener has a hostname and every route hostname is *: the Host is \
                 not read",
                fe.port
            ));
        }
        self.out.listener.host = host.map(str::to_string);
        if !c.options.listener_isolation {
            self.out.listener.reason = format!(
                "listener isolation is off: the routes of every listener of port {} take part",
                fe.port
            );
            let hosts = if self.grpc {
                &fe.merged_grpc
            } else {
                &fe.merged
            };
            self.hostnames(hosts, host, req, "");
            return;
        }
        let Some(li) = self.select(fe, host, req) else {
            return;
        };
        let Some(l) = fe.listeners.get(li) else {
            return;
        };
        let hosts = if self.grpc { &l.grpc_hosts } else { &l.hosts };
        self.hostnames(hosts, host, req, &l.name);
        // Rules that match on the other listeners of the port.
        for (_, other) in fe.listeners.iter().enumerate().filter(|(i, _)| *i != li) {
            let hosts = if self.grpc {
                &other.grpc_hosts
            } else {
                &other.hosts
            };
            self.other_listener(hosts, host, req, &other.name);
        }
    }

    /// The listener of `fe` the host selects, recording why (`None`: 404 or 421).
    fn select<R: RequestView + ?Sized>(
        &mut self,
        fe: &'r Frontend,
        host: Option<&str>,
        req: &R,
    ) -> Option<usize> {
        let name = |li: usize| fe.listeners.get(li).map(|l| l.name.to_string());
        let describe = |li: usize| match fe.listeners.get(li) {
            Some(l) => format!(
                "{} (hostname {})",
                l.name,
                l.hostname.as_deref().unwrap_or("any")
            ),
            None => String::new(),
        };
        let li = if fe.host_blind {
            Some(0)
        } else {
            fe.listener_index.select(host)
        };
        let Some(li) = li else {
            let all: Vec<String> = (0..fe.listeners.len()).map(describe).collect();
            self.out.listener.reason = format!(
                "no listener of port {} matches host {}: listeners {}",
                fe.port,
                host.unwrap_or("(none)"),
                all.join(", ")
            );
            return None;
        };
        self.out.listener.listener = name(li);
        self.out.listener.reason = if fe.host_blind {
            format!(
                "listener {} on port {}: no listener of the port has a hostname",
                describe(li),
                fe.port
            )
        } else {
            format!(
                "the Host selects listener {} on port {}, the most specific whose hostname \
                 matches",
                describe(li),
                fe.port
            )
        };
        if fe.tls && !fe.host_blind {
            if let Some(sni) = req.sni() {
                let mut sbuf = [0u8; 256];
                let by_sni = fe.listener_index.select(normalize_host(sni, &mut sbuf));
                self.out.listener.sni_listener = by_sni.and_then(name);
                if by_sni != Some(li) {
                    self.out.listener.reason = format!(
                        "421: the SNI {sni:?} selects {} but the Host selects listener {}",
                        by_sni.map_or("no listener".to_string(), |s| format!(
                            "listener {}",
                            describe(s)
                        )),
                        describe(li)
                    );
                    return None;
                }
            }
        }
        Some(li)
    }

    /// The candidates of every hostname of `hosts` matching `host`, most specific first.
    fn hostnames<R: RequestView + ?Sized>(
        &mut self,
        hosts: &compile::host::HostIndex,
        host: Option<&str>,
        req: &R,
        listener: &str,
    ) {
        let c = self.c;
        self.out.listener.selected = true;
        let mut vhosts = Vec::new();
        hosts.find::<()>(host, false, |v, _| {
            vhosts.push(v);
            None
        });
        if vhosts.is_empty() {
            let mut names: Vec<&str> = hosts
                .vhosts()
                .filter_map(|v| c.vhosts.get(v as usize))
                .filter(|vh| {
                    !(if self.grpc {
                        &vh.grpc[..]
                    } else {
                        &vh.order[..]
                    })
                    .is_empty()
                })
                .map(|vh| &*vh.hostname)
                .collect();
            names.sort_unstable();
            const SHOWN: usize = 20;
            let more = names.len().saturating_sub(SHOWN);
            names.truncate(SHOWN);
            let list = if names.is_empty() {
                "none: no route is attached".to_string()
            } else if more > 0 {
                format!("{} and {more} more", names.join(", "))
            } else {
                names.join(", ")
            };
            self.out.notes.push(format!(
                "no route hostname matches host {}; the route hostnames here: {list}",
                host.unwrap_or("(none)")
            ));
        }
        let isolation = c.options.host_isolation;
        let mut winner: Option<(u32, u32)> = None; // (vhost, match id)
        for (n, &v) in vhosts.iter().enumerate() {
            let vh = &c.vhosts[v as usize];
            let order: &[u32] = if self.grpc { &vh.grpc } else { &vh.order };
            // The lookup looks at a hostname when no earlier one had a winner (with isolation:
            // only the first).
            let tried = winner.is_none() && (!isolation || n == 0);
            self.out.hostnames.push(HostnameTried {
                hostname: vh.hostname.to_string(),
                tried,
                candidates: order.len(),
            });
            for &m in order {
                let info = &c.matches[m as usize];
                let verdict = match self.failed(info, req) {
                    Some(condition) => Verdict::Failed { condition },
                    None => match winner {
                        Some((wv, w)) => Verdict::Shadowed {
                            by: self.match_ref(&c.matches[w as usize]),
                            step: self.step((wv, w), (v, m)),
                        },
                        None if tried => {
                            winner = Some((v, m));
                            Verdict::Matched
                        }
                        None => Verdict::HostIsolated,
                    },
                };
                self.push(info, &vh.hostname, listener, verdict);
            }
        }
    }

    /// Full matches on a listener the Host did not select.
    fn other_listener<R: RequestView + ?Sized>(
        &mut self,
        hosts: &compile::host::HostIndex,
        host: Option<&str>,
        req: &R,
        listener: &str,
    ) {
        let c = self.c;
        let mut vhosts = Vec::new();
        hosts.find::<()>(host, false, |v, _| {
            vhosts.push(v);
            None
        });
        for v in vhosts {
            let vh = &c.vhosts[v as usize];
            let order: &[u32] = if self.grpc { &vh.grpc } else { &vh.order };
            for &m in order {
                let info = &c.matches[m as usize];
                if self.failed(info, req).is_none() {
                    self.push(info, &vh.hostname, listener, Verdict::OtherListener);
                }
            }
        }
    }

    fn push(&mut self, info: &MatchInfo, hostname: &str, listener: &str, verdict: Verdict) {
        let path = match info.grpc() {
            Some(g) => format!("gRPC {}", self.grpc_cond(g)),
            None => format!(
                "{} {}",
                path_kind_name(info.path_kind),
                self.c.path_value(info)
            ),
        };
        self.out.candidates.push(Candidate {
            id: self.match_ref(info),
            hostname: hostname.to_string(),
            listener: listener.to_string(),
            path,
            verdict,
        });
    }

    fn describe(&self, v: &ValueMatch) -> String {
        match v {
            ValueMatch::Exact(e) => format!("{:?}", String::from_utf8_lossy(e)),
            ValueMatch::Regex(i) => match self.c.regex_patterns.get(*i as usize) {
                Some(p) => format!("~{p:?}"),
                None => "a regular expression".into(),
            },
        }
    }

    fn grpc_cond(&self, g: &grpc::GrpcCond) -> String {
        let part = |v: &Option<ValueMatch>| match v {
            Some(v) => self.describe(v),
            None => "*".into(),
        };
        format!("{}/{}", part(&g.service), part(&g.method))
    }

    /// The first condition of `m` that does not hold for `req`, `None` when all hold.
    fn failed<R: RequestView + ?Sized>(
        &mut self,
        m: &'r MatchInfo,
        req: &R,
    ) -> Option<FailedCondition> {
        let c = self.c;
        let path = req.path();
        let fail = |kind, name: Option<&str>, expected: String, actual: Option<String>| {
            Some(FailedCondition {
                kind,
                name: name.map(str::to_string),
                expected,
                actual,
            })
        };
        match m.grpc() {
            Some(g) => {
                if !grpc::matches(g, &c.regexes, path) {
                    return fail(
                        ConditionKind::GrpcMethod,
                        None,
                        self.grpc_cond(g),
                        Some(path.to_string()),
                    );
                }
            }
            None => {
                if !self.path_ok(m, path) {
                    let expected = format!("{} {:?}", path_kind_name(m.path_kind), c.path_value(m));
                    return fail(ConditionKind::Path, None, expected, Some(path.to_string()));
                }
            }
        }
        if let Some(method) = m.method() {
            if req.method() != method {
                return fail(
                    ConditionKind::Method,
                    None,
                    format!("{method:?}"),
                    Some(req.method().to_string()),
                );
            }
        }
        let o = &c.options;
        for h in m.headers() {
            if !conds::header_ok(
                h,
                &c.regexes,
                o.repeated_headers,
                o.max_header_value_len,
                req,
            ) {
                let mut lines: Vec<String> = Vec::new();
                req.for_each_header(&h.name, &mut |v| {
                    lines.push(String::from_utf8_lossy(v).into_owned());
                    ControlFlow::Continue(())
                });
                let actual = (!lines.is_empty()).then(|| lines.join(","));
                return fail(
                    ConditionKind::Header,
                    Some(&h.name),
                    self.describe(&h.value),
                    actual,
                );
            }
        }
        let query = req.query().filter(|q| q.len() <= o.max_query_len);
        for q in m.query() {
            if !conds::query_ok(q, &c.regexes, query) {
                let actual = query
                    .and_then(|qs| conds::query_value(qs, &q.name))
                    .map(str::to_string);
                return fail(
                    ConditionKind::QueryParam,
                    Some(&q.name),
                    self.describe(&q.value),
                    actual,
                );
            }
        }
        None
    }

    /// Whether the path condition of `m` holds (SPEC §3.3), evaluated from its configured
    /// value: Exact compares, PathPrefix compares whole segments, RegularExpression matches
    /// the whole path.
    fn path_ok(&mut self, m: &'r MatchInfo, path: &str) -> bool {
        let value = self.c.path_value(m);
        match m.path_kind {
            PathKind::Exact => path == value,
            PathKind::Prefix => {
                let p = compile::path::prefix_of(value);
                path.starts_with(p)
                    && (path.len() == p.len() || path.as_bytes().get(p.len()) == Some(&b'/'))
            }
            PathKind::Regex => self
                .regexes
                .entry(value)
                .or_insert_with(|| anchored(value))
                .as_ref()
                .is_some_and(|re| re.is_match(path)),
        }
    }

    /// The first step of the precedence order at which `w` (the winner, on vhost `w.0`) ranks
    /// higher than `s`.
    fn step(&self, w: (u32, u32), s: (u32, u32)) -> PrecedenceStep {
        if w.0 != s.0 {
            return PrecedenceStep::Hostname;
        }
        let c = self.c;
        let (a, b) = (&c.matches[w.1 as usize], &c.matches[s.1 as usize]);
        let (ra, rb) = (&c.rules[a.rule as usize], &c.rules[b.rule as usize]);
        let (ta, tb) = (&c.routes[ra.route as usize], &c.routes[rb.route as usize]);
        let mut steps: Vec<(PrecedenceStep, bool)> = Vec::new();
        match (a.grpc(), b.grpc()) {
            (Some(ga), Some(gb)) => {
                steps.push((
                    PrecedenceStep::ServiceLength,
                    ga.service_len != gb.service_len,
                ));
                steps.push((PrecedenceStep::MethodLength, ga.method_len != gb.method_len));
            }
            _ => {
                let below = c.options.regex_rank == RegexRank::BelowPrefix;
                steps.push((
                    PrecedenceStep::PathKind,
                    kind_rank(a.path_kind, below) != kind_rank(b.path_kind, below),
                ));
                steps.push((PrecedenceStep::PathLength, path_len(c, a) != path_len(c, b)));
                steps.push((
                    PrecedenceStep::Method,
                    a.method().is_some() != b.method().is_some(),
                ));
            }
        }
        steps.extend([
            (
                PrecedenceStep::HeaderCount,
                a.headers().len() != b.headers().len(),
            ),
            (
                PrecedenceStep::QueryCount,
                a.query().len() != b.query().len(),
            ),
            (PrecedenceStep::Age, ta.created != tb.created),
            (
                PrecedenceStep::NamespaceName,
                (&ta.namespace, &ta.name) != (&tb.namespace, &tb.name),
            ),
            (PrecedenceStep::RuleOrder, ra.index != rb.index),
        ]);
        steps
            .into_iter()
            .find(|(_, differs)| *differs)
            .map_or(PrecedenceStep::MatchOrder, |(s, _)| s)
    }
}

/// Path-kind rank: smaller wins.
fn kind_rank(k: PathKind, regex_below_prefix: bool) -> u8 {
    match k {
        PathKind::Exact => 0,
        PathKind::Regex if regex_below_prefix => 2,
        PathKind::Regex => 1,
        PathKind::Prefix if regex_below_prefix => 1,
        PathKind::Prefix => 2,
    }
}

/// The length that ranks a path: a prefix without its trailing `/`.
fn path_len(c: &Compiled, m: &MatchInfo) -> usize {
    let value = c.path_value(m);
    match m.path_kind {
        PathKind::Prefix => compile::path::prefix_of(value).len(),
        _ => value.len(),
    }
}

fn path_kind_name(k: PathKind) -> &'static str {
    match k {
        PathKind::Exact => "Exact",
        PathKind::Prefix => "PathPrefix",
        PathKind::Regex => "RegularExpression",
    }
}

/// `pattern` as a regex that must match the whole haystack (`\A(?:pattern)\z`, built from the
/// syntax tree so flags and comments stay inside); `None` when it does not compile.
fn anchored(pattern: &str) -> Option<regex_automata::meta::Regex> {
    use regex_syntax::hir::{Hir, Look};
    let hir = regex_syntax::parse(pattern).ok()?;
    let hir = Hir::concat(vec![Hir::look(Look::Start), hir, Hir::look(Look::End)]);
    regex_automata::meta::Builder::new()
        .build_from_hir(&hir)
        .ok()
}

/// For a person: the outcome and the winner first, then the listener and hostnames, then the
/// near misses (shadowed rules, rules whose path matched but another condition failed, rules
/// matching on another listener), each with its one reason, and the routes not attached.
/// Rules whose path does not match are counted, not listed (the JSON form lists them).
impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            ExplainedOutcome::Matched { matched: m, .. } => {
                writeln!(f, "matched: {m}")?;
                if let Some(w) = self.winner() {
                    let listener = if w.listener.is_empty() {
                        String::new()
                    } else {
                        format!(" on listener {}", w.listener)
                    };
                    writeln!(f, "  hostname {}{listener}, {}", w.hostname, w.path)?;
                }
            }
            ExplainedOutcome::Misdirected => writeln!(f, "421 Misdirected Request")?,
            _ => writeln!(f, "404 Not Found: no rule matches")?,
        }
        writeln!(f, "gateway:  {}", self.gateway)?;
        writeln!(f, "listener: {}", self.listener.reason)?;
        for n in &self.notes {
            writeln!(f, "note:     {n}")?;
        }
        if !self.hostnames.is_empty() {
            let hs: Vec<String> = self
                .hostnames
                .iter()
                .map(|h| {
                    let tried = if h.tried { "" } else { ", not tried" };
                    format!("{} ({} candidates{tried})", h.hostname, h.candidates)
                })
                .collect();
            writeln!(f, "hostnames: {}", hs.join(", "))?;
        }
        // Rules whose path fails are listed only when nothing came closer, and then at most
        // `SHOWN` of them.
        const SHOWN: usize = 10;
        let path_miss = |c: &&Candidate| matches!(&c.verdict, Verdict::Failed { condition } if condition.kind == ConditionKind::Path);
        let mut path_misses = self.candidates.iter().filter(path_miss).count();
        let list_paths = self.candidates.iter().all(|c| path_miss(&c));
        let mut near = Vec::new();
        for c in &self.candidates {
            let reason = match &c.verdict {
                Verdict::Matched => continue,
                Verdict::Failed { condition } if condition.kind == ConditionKind::Path => {
                    if !list_paths || near.len() >= SHOWN {
                        continue;
                    }
                    path_misses -= 1;
                    condition.to_string()
                }
                Verdict::Failed { condition } => condition.to_string(),
                Verdict::Shadowed { by, step } => format!("shadowed by {by} ({step})"),
                Verdict::HostIsolated => {
                    "matches, but host isolation tries only the most specific hostname".into()
                }
                Verdict::OtherListener => format!(
                    "matches, but is attached to listener {}, not the one the Host selects",
                    c.listener
                ),
            };
            near.push(format!("  {} [{}] {}: {reason}", c.id, c.hostname, c.path));
        }
        // At most `MAX_LISTED` lines per section: the JSON form has everything.
        const MAX_LISTED: usize = 50;
        if !near.is_empty() {
            writeln!(f, "near misses:")?;
            for n in near.iter().take(MAX_LISTED) {
                writeln!(f, "{n}")?;
            }
            if near.len() > MAX_LISTED {
                let more = near.len() - MAX_LISTED;
                writeln!(f, "  and {more} more (-o json lists them)")?;
            }
        }
        if path_misses > 0 {
            writeln!(
                f,
                "{path_misses} more candidate(s) did not match the path (-o json lists them)"
            )?;
        }
        if !self.not_attached.is_empty() {
            let evaluated = self.not_attached.iter().any(|n| n.matching_rules.is_some());
            writeln!(
                f,
                "not attached to this Gateway{}:",
                if evaluated {
                    ""
                } else {
                    " (rules not evaluated)"
                }
            )?;
            for n in self.not_attached.iter().take(MAX_LISTED) {
                let section = n
                    .section_name
                    .as_deref()
                    .map(|s| format!(" section {s}"))
                    .unwrap_or_default();
                let would = match n.matching_rules.as_deref() {
                    None => String::new(),
                    Some([]) => "; would not match either".to_string(),
                    Some(rules) => {
                        let list: Vec<String> = rules.iter().map(usize::to_string).collect();
                        format!("; WOULD MATCH (rule {})", list.join(", "))
                    }
                };
                writeln!(
                    f,
                    "  {} {}/{} -> {}{section}: {}: {}{would}",
                    n.kind, n.namespace, n.name, n.parent, n.reason, n.message
                )?;
            }
            if self.not_attached.len() > MAX_LISTED {
                let more = self.not_attached.len() - MAX_LISTED;
                writeln!(f, "  and {more} more (-o json lists them)")?;
            }
        }
        Ok(())
    }
}

/// A rule that can never match ([`Router::shadowed_rules`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ShadowedRule {
    /// The rule (`match_index`: its first shadowed match).
    pub rule: MatchRef,
    /// A rule that takes every request it would match, and the match that does.
    pub by: MatchRef,
    /// The precedence step by which `by` wins (the conditions being identical: age,
    /// namespace/name, rule order or match order).
    pub step: PrecedenceStep,
    /// An effective hostname where this happens.
    pub hostname: String,
    /// The listener (`""` with listener isolation off).
    pub listener: String,
}

impl fmt::Display for ShadowedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rule {}{} can never match: its match {} has the same path, method, headers and \
             query parameters as {}, which wins ({}) (hostname {}",
            format_args!(
                "{} {}/{}",
                self.rule.kind, self.rule.namespace, self.rule.name
            ),
            self.rule.rule,
            self.rule
                .rule_name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            self.rule.match_index,
            self.by,
            self.step,
            self.hostname,
        )?;
        if !self.listener.is_empty() {
            write!(f, ", listener {}", self.listener)?;
        }
        f.write_str(")")
    }
}

impl Router {
    /// Rules that can never match because, on every hostname and listener where they are
    /// candidates, each of their matches is an exact duplicate (same path kind and value, a
    /// PathPrefix compared without its trailing `/`; same method; same header and query
    /// conditions) of a match of another rule that comes first in precedence order (an older
    /// route, a smaller `namespace/name`, an earlier rule). For GRPCRoutes: the same service,
    /// method and header conditions.
    ///
    /// How far this goes: only exact duplicates are found. A rule covered by a *different*
    /// rule set (a PathPrefix `/a` shadowed by `/a` Exact plus `/a/` prefix, a regex covered by
    /// a prefix, header conditions implied by others) is not reported.
    pub fn shadowed_rules(&self) -> Vec<ShadowedRule> {
        let c = self.compiled();
        let mut indexes: Vec<(&compile::host::HostIndex, &str)> = Vec::new();
        for fe in &c.frontends {
            if c.options.listener_isolation {
                for l in &fe.listeners {
                    indexes.push((&l.hosts, &l.name));
                    indexes.push((&l.grpc_hosts, &l.name));
                }
            } else {
                indexes.push((&fe.merged, ""));
                indexes.push((&fe.merged_grpc, ""));
            }
        }
        // Per rule id: `None` once some appearance of one of its matches is reachable,
        // else the first (match, covering match, hostname, listener) seen.
        type Cover<'a> = Option<(u32, u32, &'a str, &'a str)>;
        let mut state: rustc_hash::FxHashMap<u32, Cover<'_>> = Default::default();
        for (hosts, listener) in indexes {
            for v in hosts.vhosts() {
                let Some(vh) = c.vhosts.get(v as usize) else {
                    continue;
                };
                let order: &[u32] = if vh.grpc.is_empty() {
                    &vh.order
                } else {
                    &vh.grpc
                };
                let mut first: rustc_hash::FxHashMap<String, u32> = Default::default();
                for &m in order {
                    let info = &c.matches[m as usize];
                    let key = condition_key(c, info);
                    let cover = *first.entry(key).or_insert(m);
                    let rule = info.rule;
                    let covered_by_other = cover != m && c.matches[cover as usize].rule != rule;
                    let same_rule = cover != m && !covered_by_other;
                    if same_rule {
                        // The earlier match of the same rule decides for it.
                        continue;
                    }
                    let entry =
                        state
                            .entry(rule)
                            .or_insert(Some((m, cover, &*vh.hostname, listener)));
                    if !covered_by_other {
                        *entry = None;
                    }
                }
            }
        }
        let mut out: Vec<ShadowedRule> = state
            .into_values()
            .flatten()
            .map(|(m, by, hostname, listener)| {
                let e = Explain::new(self, false);
                let (mi, bi) = (&c.matches[m as usize], &c.matches[by as usize]);
                ShadowedRule {
                    rule: e.match_ref(mi),
                    by: e.match_ref(bi),
                    // Same conditions: the step is one of the tie-breakers.
                    step: e.step((0, by), (0, m)),
                    hostname: hostname.to_string(),
                    listener: listener.to_string(),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            let key =
                |s: &ShadowedRule| (s.rule.namespace.clone(), s.rule.name.clone(), s.rule.rule);
            key(a).cmp(&key(b))
        });
        out
    }
}

/// The conditions of a match as one comparable string: path kind and value (a PathPrefix
/// without its trailing `/`), method, headers and query conditions (sorted), gRPC
/// service/method. Equal strings: every request one matches, the other matches.
fn condition_key(c: &Compiled, m: &MatchInfo) -> String {
    let mut headers: Vec<String> = m
        .headers()
        .iter()
        .map(|h| format!("{}={:?}", h.name, h.value))
        .collect();
    headers.sort();
    let mut query: Vec<String> = m
        .query()
        .iter()
        .map(|q| format!("{}={:?}", q.name, q.value))
        .collect();
    query.sort();
    let value = c.path_value(m);
    let path = match m.path_kind {
        PathKind::Prefix => compile::path::prefix_of(value),
        _ => value,
    };
    let grpc = m.grpc().map(|g| (&g.service, &g.method));
    format!(
        "{:?}|{path:?}|{:?}|{headers:?}|{query:?}|{grpc:?}",
        m.path_kind,
        m.method()
    )
}
