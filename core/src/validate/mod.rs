//! CRD rules → `ConfigError`s (SPEC §1, re-checked because input may bypass the API server).
//!
//! Validation works on two levels:
//!
//! * **Object level**: what the CRD OpenAPI schema or its CEL rules would reject at admission
//!   (limits, patterns, Listener and parentRef rules, filter shapes, durations, Ingress
//!   validation). Such an object is removed from its list in [`Config`](crate::Config) and
//!   every violation found in it becomes one [`ConfigError`] (problems that would only drop
//!   a rule are reported too, since the object is gone anyway).
//! * **Rule level**: what a controller reports through route status rather than rejecting
//!   (unknown enum values, SPEC §1.5; filter combinations, §6.1/§6.2; filters a GRPCRoute does
//!   not support; invalid regular expressions, §11). The route stays; the rule gets an
//!   [`InvalidRule`] entry and each problem one [`ConfigError`] whose message ends with
//!   `(rule N dropped: Reason)`.
//!
//! Decisions where SPEC leaves room:
//!
//! * `Route::invalid_rules` holds at most one entry per rule, sorted by index; its reason and
//!   message are those of the rule's first problem (every problem still gets a `ConfigError`).
//! * An invalid or oversized regular expression makes the whole route unserved (§11): every
//!   rule of the route is marked invalid with reason `UnsupportedValue`, so `attach` reports
//!   `Accepted=False`. One `ConfigError` is pushed per bad expression (ending with
//!   `(route not served: UnsupportedValue)`), not one per rule.
//! * Duplicate filters of a single-instance type, RequestRedirect with URLRewrite, and a
//!   rule-level RequestRedirect with backendRefs give `IncompatibleFilters`; everything else at
//!   rule level (unknown values, misplaced `ReplacePrefixMatch`, two actions on one header,
//!   filters a GRPCRoute cannot carry, bad regexes) gives `UnsupportedValue`.
//! * Unknown values of enums that only configure the Gateway side (listener TLS `mode`,
//!   `allowedRoutes.namespaces.from`, selector operators, Ingress `pathType`, redirect
//!   `scheme`) are object-level errors, as the CRD enums reject them; an unknown listener
//!   protocol that matches the protocol pattern is accepted here (attach reports it).
//! * "The same parent twice" (§1.4) compares parentRefs after defaults (group, kind, and the
//!   route's namespace), which is slightly stricter than the upstream CEL rule.
//! * `metadata.namespace` must be an RFC 1123 label and `metadata.name` an RFC 1123 subdomain
//!   (a label for Namespaces), as the Kubernetes API server requires.
//! * Unknown fields are found by the loader, before these checks (`unknown.rs`, with the
//!   tree of known fields generated from the CRDs in `known_fields.rs`).
//! * Errors are appended grouped by kind (in the order of `Config`'s fields), in input order
//!   within a kind.

mod filters;
mod gateway;
mod ingress;
#[rustfmt::skip]
mod known_fields;
mod policy;
mod routes;
mod scalars;
pub(crate) mod unknown;

/// The GEP-2257 duration parser, for the stages that expose timeouts (SPEC §8).
#[allow(unused_imports)]
pub(crate) use scalars::{hostname, parse_duration, path_value};

use crate::error::ConfigError;
use crate::model::*;
use scalars::Check;

/// Validation of the objects one by one, as the loader parses them, while each one is still in
/// the processor's caches (issue #20, item 4: validating the whole configuration afterwards
/// read every object again from memory, which took about twice as long as validating it
/// when parsed, in a heap fragmented by earlier builds). Validation of an object reads
/// nothing else, so the outcome is the same; the errors are held back and appended by
/// [`Checks::finish`] in the order a validation of the whole configuration gives them:
/// grouped by kind (in the order of the fields of [`Config`](crate::Config)), in input order
/// within a kind.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    /// Outcomes of the regex builds done so far (all routes; see [`RegexCache`]).
    regex_cache: RegexCache,
    /// The errors found, in the order found, each with its kind's list (grouped by list in
    /// [`Checks::finish`]).
    pub(crate) errors: Vec<(List, ConfigError)>,
    /// Only in tests: objects are kept as loaded (see `ConfigBuilder::unvalidated`).
    #[cfg(test)]
    pub(crate) off: bool,
}

/// The object lists of [`Config`](crate::Config), in the order of its fields: validation
/// errors are grouped by list in this order (`lists_follow_the_fields_of_config` checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum List {
    /// `gateway_classes`.
    GatewayClasses,
    /// `gateways`.
    Gateways,
    /// `listener_sets`.
    ListenerSets,
    /// `http_routes`.
    HttpRoutes,
    /// `grpc_routes`.
    GrpcRoutes,
    /// `tls_routes`.
    TlsRoutes,
    /// `tcp_routes`.
    TcpRoutes,
    /// `udp_routes`.
    UdpRoutes,
    /// `reference_grants`.
    ReferenceGrants,
    /// `namespaces`.
    Namespaces,
    /// `services`.
    Services,
    /// `endpoint_slices`.
    EndpointSlices,
    /// `secrets`.
    Secrets,
    /// `config_maps`.
    ConfigMaps,
    /// `ingresses`.
    Ingresses,
    /// `ingress_classes`.
    IngressClasses,
    /// `backend_tls_policies`.
    BackendTlsPolicies,
    /// `backend_traffic_policies`.
    BackendTrafficPolicies,
}

impl List {
    /// Every list, in order.
    #[cfg(test)]
    const ALL: [List; 18] = [
        List::GatewayClasses,
        List::Gateways,
        List::ListenerSets,
        List::HttpRoutes,
        List::GrpcRoutes,
        List::TlsRoutes,
        List::TcpRoutes,
        List::UdpRoutes,
        List::ReferenceGrants,
        List::Namespaces,
        List::Services,
        List::EndpointSlices,
        List::Secrets,
        List::ConfigMaps,
        List::Ingresses,
        List::IngressClasses,
        List::BackendTlsPolicies,
        List::BackendTrafficPolicies,
    ];

    /// The name of its field in [`Config`](crate::Config).
    #[cfg(test)]
    fn field(self) -> &'static str {
        match self {
            List::GatewayClasses => "gateway_classes",
            List::Gateways => "gateways",
            List::ListenerSets => "listener_sets",
            List::HttpRoutes => "http_routes",
            List::GrpcRoutes => "grpc_routes",
            List::TlsRoutes => "tls_routes",
            List::TcpRoutes => "tcp_routes",
            List::UdpRoutes => "udp_routes",
            List::ReferenceGrants => "reference_grants",
            List::Namespaces => "namespaces",
            List::Services => "services",
            List::EndpointSlices => "endpoint_slices",
            List::Secrets => "secrets",
            List::ConfigMaps => "config_maps",
            List::Ingresses => "ingresses",
            List::IngressClasses => "ingress_classes",
            List::BackendTlsPolicies => "backend_tls_policies",
            List::BackendTrafficPolicies => "backend_traffic_policies",
        }
    }
}

impl Checks {
    /// Checks for another loading thread: the same settings, nothing found yet (a regex cache
    /// of its own: the builds are deterministic, so every thread reaches the same outcome).
    pub(crate) fn worker(&self) -> Checks {
        Checks {
            #[cfg(test)]
            off: self.off,
            ..Checks::default()
        }
    }

    /// Appends the errors found, grouped by kind (in the order of the fields of
    /// [`Config`](crate::Config)), in the order found within a kind, to `errors`.
    pub(crate) fn finish(mut self, errors: &mut Vec<ConfigError>) {
        // Stable: the order found is kept within a kind.
        self.errors.sort_by_key(|(slot, _)| *slot);
        errors.extend(self.errors.into_iter().map(|(_, e)| e));
    }

    /// Validates a plain object (of list `slot`); `false`, with its
    /// errors, when it has any problem and is dropped.
    fn object<S>(
        &mut self,
        slot: List,
        kind: &str,
        o: &Object<S>,
        check: impl FnOnce(&Object<S>, &mut Report),
    ) -> bool {
        #[cfg(test)]
        if self.off {
            return true;
        }
        let mut r = Report::default();
        r.metadata(kind, o);
        check(o, &mut r);
        for p in &r.problems {
            let e = error(kind, o, p.field.clone(), p.message.clone());
            self.errors.push((slot, e));
        }
        r.problems.is_empty()
    }

    /// A GatewayClass.
    pub(crate) fn gateway_class(&mut self, o: &Object<GatewayClassSpec>) -> bool {
        self.object(List::GatewayClasses, "GatewayClass", o, |o, r| {
            gateway::gateway_class(&o.spec, r)
        })
    }

    /// A Gateway.
    pub(crate) fn gateway(&mut self, o: &Object<GatewaySpec>) -> bool {
        self.object(List::Gateways, "Gateway", o, |o, r| {
            gateway::gateway(&o.spec, r)
        })
    }

    /// A ListenerSet (or XListenerSet).
    pub(crate) fn listener_set(&mut self, o: &Object<ListenerSetSpec>) -> bool {
        self.object(List::ListenerSets, "ListenerSet", o, |o, r| {
            gateway::listener_set(&o.spec, r)
        })
    }

    /// An HTTPRoute.
    pub(crate) fn http_route(&mut self, route: &mut Route<HttpRouteSpec>) -> bool {
        self.route(List::HttpRoutes, "HTTPRoute", route, |o, r| {
            routes::http_route(o, r);
            o.spec.rules.as_ref().map_or(1, Vec::len)
        })
    }

    /// A GRPCRoute.
    pub(crate) fn grpc_route(&mut self, route: &mut Route<GrpcRouteSpec>) -> bool {
        self.route(List::GrpcRoutes, "GRPCRoute", route, |o, r| {
            routes::grpc_route(o, r);
            o.spec.rules.len()
        })
    }

    /// A TLSRoute.
    pub(crate) fn tls_route(&mut self, route: &mut Route<TlsRouteSpec>) -> bool {
        self.route(List::TlsRoutes, "TLSRoute", route, |o, r| {
            routes::tls_route(o, r);
            o.spec.rules.len()
        })
    }

    /// A TCPRoute.
    pub(crate) fn tcp_route(&mut self, route: &mut Route<L4RouteSpec>) -> bool {
        self.route(List::TcpRoutes, "TCPRoute", route, |o, r| {
            routes::l4_route("TCPRoute", o, r);
            o.spec.rules.len()
        })
    }

    /// A UDPRoute.
    pub(crate) fn udp_route(&mut self, route: &mut Route<L4RouteSpec>) -> bool {
        self.route(List::UdpRoutes, "UDPRoute", route, |o, r| {
            routes::l4_route("UDPRoute", o, r);
            o.spec.rules.len()
        })
    }

    /// A ReferenceGrant.
    pub(crate) fn reference_grant(&mut self, o: &Object<ReferenceGrantSpec>) -> bool {
        self.object(List::ReferenceGrants, "ReferenceGrant", o, |o, r| {
            gateway::reference_grant(&o.spec, r)
        })
    }

    /// A Namespace.
    pub(crate) fn namespace(&mut self, o: &Object<NamespaceSpec>) -> bool {
        self.object(List::Namespaces, "Namespace", o, |_, _| {})
    }

    /// A Service.
    pub(crate) fn service(&mut self, o: &Object<ServiceSpec>) -> bool {
        self.object(List::Services, "Service", o, |o, r| {
            for (i, p) in o.spec.ports.iter().enumerate() {
                r.check(|| format!("spec.ports[{i}].port"), scalars::port(p.port));
            }
        })
    }

    /// An EndpointSlice.
    pub(crate) fn endpoint_slice(&mut self, o: &Object<EndpointSliceSpec>) -> bool {
        self.object(List::EndpointSlices, "EndpointSlice", o, |_, _| {})
    }

    /// A Secret.
    pub(crate) fn secret(&mut self, o: &Object<SecretSpec>) -> bool {
        self.object(List::Secrets, "Secret", o, |_, _| {})
    }

    /// A ConfigMap.
    pub(crate) fn config_map(&mut self, o: &Object<ConfigMapSpec>) -> bool {
        self.object(List::ConfigMaps, "ConfigMap", o, |_, _| {})
    }

    /// An Ingress.
    pub(crate) fn ingress(&mut self, o: &Object<IngressSpec>) -> bool {
        self.object(List::Ingresses, "Ingress", o, |o, r| {
            ingress::ingress(&o.spec, r)
        })
    }

    /// An IngressClass.
    pub(crate) fn ingress_class(&mut self, o: &Object<IngressClassSpec>) -> bool {
        self.object(List::IngressClasses, "IngressClass", o, |_, _| {})
    }

    /// A BackendTLSPolicy.
    pub(crate) fn backend_tls_policy(&mut self, o: &Object<BackendTlsPolicySpec>) -> bool {
        self.object(List::BackendTlsPolicies, "BackendTLSPolicy", o, |o, r| {
            policy::backend_tls_policy(&o.spec, r)
        })
    }

    /// An XBackendTrafficPolicy.
    pub(crate) fn backend_traffic_policy(&mut self, o: &Object<XBackendTrafficPolicySpec>) -> bool {
        self.object(
            List::BackendTrafficPolicies,
            "XBackendTrafficPolicy",
            o,
            |o, r| policy::backend_traffic_policy(&o.spec, r),
        )
    }
}

/// A field path rendered only when a problem names it: a fixed start, then `[index]` and
/// `.name` steps (issue #20, item 4: formatting every path up front cost about 2,400
/// instructions per backendRef of a valid route). Displays exactly as the string it stands for.
#[derive(Debug, Clone, Copy)]
pub(super) enum FieldPath<'a> {
    /// A fixed path such as `spec.rules`.
    Root(&'a str),
    /// `parent[index]`.
    Index(&'a FieldPath<'a>, usize),
    /// `parent.name`.
    Field(&'a FieldPath<'a>, &'a str),
}

impl<'a> FieldPath<'a> {
    /// `self[index]`.
    pub(super) fn index(&'a self, index: usize) -> FieldPath<'a> {
        FieldPath::Index(self, index)
    }

    /// `self.name`.
    pub(super) fn field(&'a self, name: &'a str) -> FieldPath<'a> {
        FieldPath::Field(self, name)
    }
}

impl std::fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldPath::Root(s) => f.write_str(s),
            FieldPath::Index(p, i) => write!(f, "{p}[{i}]"),
            FieldPath::Field(p, n) => write!(f, "{p}.{n}"),
        }
    }
}

/// [`gateway::count`] at a lazily rendered `field`: the path is formatted only when the count
/// is out of range.
pub(super) fn count_at(
    r: &mut Report,
    field: &dyn std::fmt::Display,
    n: usize,
    min: usize,
    max: usize,
    what: &str,
) {
    if n < min || n > max {
        gateway::count(r, &field.to_string(), n, min, max, what);
    }
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The API server would reject the object.
    Object,
    /// The rule with this index is invalid, with this condition reason.
    Rule(usize, &'static str),
    /// The whole route is not served (invalid regex); found in this rule.
    Route(usize),
}

/// One problem with its field path.
#[derive(Debug, Clone)]
struct Problem {
    level: Level,
    field: String,
    message: String,
}

/// The problems found in one object.
#[derive(Debug, Default)]
pub(super) struct Report {
    problems: Vec<Problem>,
    /// Bytes the object's regex builds touched so far (`scalars::ROUTE_REGEX_BUDGET`).
    regex_bytes: usize,
    /// A regex already failed: the route is not served, later ones are only parsed.
    regex_failed: bool,
    /// Patterns already built for this object.
    regex_seen: rustc_hash::FxHashSet<String>,
    /// Outcomes of the regex builds done so far by this validation run (all objects).
    regex_cache: RegexCache,
}

/// What `compile::dfa::build(pattern, limit)` returned, by pattern and limit: the build is
/// deterministic, so a pattern many routes share (issue #20, item 4: 4,500 of 100,000 rules
/// built the same few expressions) is built once per limit instead of once per route, with
/// the same outcome and the same budget accounting. Holds at most one entry per distinct
/// pattern and limit of the input.
/// It also remembers which patterns are path templates, which need no build (parsing one
/// again cost about 3,000 instructions per rule).
type RegexCache = rustc_hash::FxHashMap<String, CachedRegex>;

/// What [`RegexCache`] knows of one pattern.
#[derive(Debug, Default)]
struct CachedRegex {
    /// `compile::template::parse` accepts it: valid by construction, never built.
    template: bool,
    /// Build outcomes by limit.
    builds: Vec<(usize, RegexOutcome)>,
}

#[cfg(test)]
thread_local! {
    /// Regex builds validation ran on this thread (tests bound the work with it).
    static REGEX_BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The built bytes of a successful regex build, or why it failed.
type RegexOutcome = Result<usize, crate::compile::dfa::BuildError>;

impl Report {
    /// An object-level violation.
    pub(super) fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            level: Level::Object,
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records an object-level violation when `check` failed (the path is built lazily).
    pub(super) fn check(&mut self, field: impl FnOnce() -> String, check: Check) {
        if let Err(m) = check {
            self.err(field(), m);
        }
    }

    /// A problem that drops rule `index` with the given condition reason.
    pub(super) fn rule(
        &mut self,
        index: usize,
        reason: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem {
            level: Level::Rule(index, reason),
            field: field.into(),
            message: message.into(),
        });
    }

    /// A problem (found in rule `index`) that stops the whole route from being served.
    pub(super) fn route(&mut self, index: usize, field: impl Into<String>, message: String) {
        self.problems.push(Problem {
            level: Level::Route(index),
            field: field.into(),
            message,
        });
    }

    /// Checks a user regular expression of rule `rule` at `field` with the compiler's own
    /// builder (`compile::dfa::build`, so validation and routing cannot disagree): syntax,
    /// then a DFA within `scalars::REGEX_SIZE_LIMIT` and what is left of the route's
    /// `scalars::ROUTE_REGEX_BUDGET`. A failure stops the whole route from being served.
    /// The field path is built only then.
    pub(super) fn regex(&mut self, rule: usize, field: impl FnOnce() -> String, pattern: &str) {
        use crate::compile::dfa::{build, BuildError};
        use scalars::{q, REGEX_SIZE_LIMIT, ROUTE_REGEX_BUDGET};
        // Template paths (`/a/[^/]+(/.*)?`) are valid by construction and never compiled by
        // the router.
        if self.regex_seen.contains(pattern) {
            return;
        }
        let template = match self.regex_cache.get(pattern) {
            Some(cached) => cached.template,
            None => {
                let template = crate::compile::template::is_template(pattern);
                let cached = CachedRegex {
                    template,
                    builds: Vec::new(),
                };
                self.regex_cache.insert(pattern.to_string(), cached);
                template
            }
        };
        if template {
            return;
        }
        let left = ROUTE_REGEX_BUDGET.saturating_sub(self.regex_bytes);
        let limit = REGEX_SIZE_LIMIT.min(left);
        let cache = &mut self.regex_cache;
        let mut built_bytes = |limit: usize| -> RegexOutcome {
            // A hit is one lookup by the borrowed pattern; the key is allocated on a miss only.
            if let Some(seen) = cache.get(pattern) {
                if let Some((_, r)) = seen.builds.iter().find(|(l, _)| *l == limit) {
                    return r.clone();
                }
            }
            #[cfg(test)]
            REGEX_BUILDS.with(|n| n.set(n.get() + 1));
            let r = build(pattern, limit).map(|d| d.built_bytes());
            cache
                .entry(pattern.to_string())
                .or_default()
                .builds
                .push((limit, r.clone()));
            r
        };
        let built = if self.regex_failed {
            // The route is not served anyway: only the syntax is checked (cheap).
            built_bytes(0).map(|_| ()).or_else(|e| match e {
                BuildError::TooBig(_) => Ok(()),
                e => Err(e),
            })
        } else {
            built_bytes(limit).map(|b| {
                self.regex_bytes += b + limit / crate::compile::dfa::SCRATCH_SHARE;
                self.regex_seen.insert(pattern.to_string());
            })
        };
        let message = match built {
            Ok(()) => return,
            Err(BuildError::Invalid(why)) => {
                format!("invalid regular expression {}: {why}", q(pattern))
            }
            Err(BuildError::TooBig(_)) if limit == REGEX_SIZE_LIMIT => format!(
                "regular expression {} needs a DFA of more than {REGEX_SIZE_LIMIT} bytes \
                 (limit {REGEX_SIZE_LIMIT})",
                q(pattern)
            ),
            Err(BuildError::TooBig(_)) => format!(
                "regular expression {} does not fit in the route's regex budget: the route's \
                 regular expressions need more than {ROUTE_REGEX_BUDGET} bytes together to \
                 compile (each counts its NFA, its DFA and its scratch space; {} bytes before \
                 this one)",
                q(pattern),
                self.regex_bytes
            ),
        };
        self.regex_failed = true;
        self.route(rule, field(), message);
    }

    fn has_object_errors(&self) -> bool {
        self.problems.iter().any(|p| p.level == Level::Object)
    }

    /// Checks `metadata` (namespace label, name subdomain).
    fn metadata<S>(&mut self, kind: &str, o: &Object<S>) {
        if !o.meta.namespace.is_empty() {
            self.check(
                || "metadata.namespace".into(),
                scalars::dns_label(&o.meta.namespace),
            );
        }
        let name = if kind == "Namespace" {
            scalars::dns_label(&o.meta.name)
        } else {
            scalars::dns_subdomain(&o.meta.name)
        };
        self.check(|| "metadata.name".into(), name);
    }
}

fn error<S>(kind: &str, o: &Object<S>, field: String, message: String) -> ConfigError {
    ConfigError::of(kind, o.key())
        .origin(o.origin.clone())
        .field(field)
        .message(message)
}

impl Checks {
    /// Validates a route (of list `slot`): `false`, with its
    /// errors, when it has object-level problems and is dropped; else its invalid rules are
    /// marked. `check` returns the number of rules the route has (after defaults).
    fn route<S>(
        &mut self,
        slot: List,
        kind: &str,
        route: &mut Route<S>,
        check: impl FnOnce(&Object<S>, &mut Report) -> usize,
    ) -> bool {
        #[cfg(test)]
        if self.off {
            return true;
        }
        let o = &route.object;
        let mut r = Report {
            regex_cache: std::mem::take(&mut self.regex_cache),
            ..Report::default()
        };
        r.metadata(kind, o);
        let rule_count = check(o, &mut r);
        self.regex_cache = std::mem::take(&mut r.regex_cache);
        let errors = &mut self.errors;
        if r.has_object_errors() {
            for p in r.problems {
                errors.push((slot, error(kind, o, p.field, p.message)));
            }
            return false;
        }
        let mut invalid: Vec<InvalidRule> = Vec::new();
        let mut add = |index: usize, reason: &'static str, message: String| {
            if !invalid.iter().any(|i| i.index == index) {
                invalid.push(InvalidRule {
                    index,
                    reason,
                    message,
                });
            }
        };
        // Regex problems first: they decide the reason of every rule.
        for p in &r.problems {
            if let Level::Route(index) = p.level {
                add(
                    index,
                    "UnsupportedValue",
                    format!("{}: {}", p.field, p.message),
                );
            }
        }
        if let Some(first) = r
            .problems
            .iter()
            .find(|p| matches!(p.level, Level::Route(_)))
        {
            for index in 0..rule_count {
                add(
                    index,
                    "UnsupportedValue",
                    format!(
                        "{}: {} (the route is not served)",
                        first.field, first.message
                    ),
                );
            }
        }
        for p in &r.problems {
            if let Level::Rule(index, reason) = p.level {
                add(index, reason, format!("{}: {}", p.field, p.message));
            }
        }
        for p in r.problems {
            let message = match p.level {
                Level::Rule(index, reason) => {
                    format!("{} (rule {index} dropped: {reason})", p.message)
                }
                Level::Route(_) => format!("{} (route not served: UnsupportedValue)", p.message),
                Level::Object => p.message,
            };
            errors.push((slot, error(kind, o, p.field, message)));
        }
        invalid.sort_by_key(|i| i.index);
        route.invalid_rules = invalid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    /// `List`'s order is the order of `Config`'s fields (errors are grouped in that order).
    #[test]
    fn lists_follow_the_fields_of_config() {
        let debug = format!("{:?}", Config::default());
        let mut at = 0;
        for list in List::ALL {
            let field = format!(" {}: ", list.field());
            let found = debug[at..].find(&field);
            assert!(
                found.is_some(),
                "{list:?} ({field}) out of order in {debug}"
            );
            at += found.unwrap_or(0) + field.len();
        }
        assert!(List::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    fn routes(n: usize, path: &str, header: &str) -> Config {
        let docs: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
                     metadata: {{name: r{i}, namespace: default}}\nspec:\n  rules:\n  \
                     - matches: [{{path: {{type: RegularExpression, value: '{path}'}}, \
                     headers: [{{name: x, type: RegularExpression, value: '{header}'}}]}}]\n"
                )
            })
            .collect();
        Config::from_str(&docs.join("---\n"))
    }

    /// Issue #20, item 4: a pattern shared by many routes is built once per validation, not
    /// once per route (it was 2 builds per route here), with the same outcome for each route.
    #[test]
    fn shared_regexes_are_built_once_per_validation() {
        let before = REGEX_BUILDS.with(|n| n.get());
        let c = routes(50, "/a/files/.*\\.(png|jpg)", "v[0-9]+");
        assert_eq!(REGEX_BUILDS.with(|n| n.get()) - before, 2);
        assert!(c.errors().is_empty(), "{:#?}", c.errors());
        assert_eq!(c.http_routes.len(), 50);
        assert!(c.http_routes.iter().all(|r| r.invalid_rules.is_empty()));

        // A failing pattern fails for every route that uses it, with the same error.
        let before = REGEX_BUILDS.with(|n| n.get());
        let c = routes(5, "/a/(", "v[0-9]+");
        assert!(REGEX_BUILDS.with(|n| n.get()) - before <= 3);
        assert_eq!(c.errors().len(), 5, "{:#?}", c.errors());
        for (i, e) in c.errors().iter().enumerate() {
            assert_eq!(e.object, format!("default/r{i}"));
            assert_eq!(e.field, "spec.rules[0].matches[0].path.value");
            assert_eq!(e.message, c.errors()[0].message);
            assert!(
                e.message.starts_with("invalid regular expression"),
                "{}",
                e.message
            );
        }
        assert!(c.http_routes.iter().all(|r| r.invalid_rules.len() == 1));
    }

    #[test]
    fn field_paths_render_as_the_strings_they_stand_for() {
        let rules = FieldPath::Root("spec.rules");
        let rule = rules.index(3);
        let refs = rule.field("backendRefs");
        assert_eq!(refs.to_string(), "spec.rules[3].backendRefs");
        assert_eq!(
            refs.index(0).field("filters").index(12).to_string(),
            "spec.rules[3].backendRefs[0].filters[12]"
        );
        assert_eq!(
            format!("{}.weight", refs.index(15)),
            "spec.rules[3].backendRefs[15].weight"
        );
    }
}
