//! HTTPRoute, GRPCRoute, TLSRoute, TCPRoute and UDPRoute (SPEC §1.4–§1.7, §8, §11).

use super::filters::{filter_list, FilterCtx};
use super::gateway::count;
use super::scalars::{self, q};
use super::{count_at, FieldPath, Report};
use crate::model::*;
use std::fmt::Display;

const UNSUPPORTED: &str = "UnsupportedValue";

/// `spec.parentRefs` (§1.4): ≤32, formats, and the same-parent-twice rule.
fn parent_refs(refs: &[ParentReference], route_ns: &str, r: &mut Report) {
    count(r, "spec.parentRefs", refs.len(), 0, 32, "parentRef");
    let list = FieldPath::Root("spec.parentRefs");
    for (i, p) in refs.iter().enumerate() {
        let pp = list.index(i);
        if let Some(g) = &p.group {
            r.check(|| format!("{pp}.group"), scalars::group(g));
        }
        if let Some(k) = &p.kind {
            r.check(|| format!("{pp}.kind"), scalars::kind(k));
        }
        if let Some(ns) = &p.namespace {
            r.check(|| format!("{pp}.namespace"), scalars::namespace(ns));
        }
        r.check(|| format!("{pp}.name"), scalars::object_name(&p.name));
        if let Some(s) = &p.section_name {
            r.check(|| format!("{pp}.sectionName"), scalars::section_name(s));
        }
        if let Some(port) = p.port {
            r.check(|| format!("{pp}.port"), scalars::port(port));
        }
        let same = |o: &ParentReference| {
            o.group() == p.group()
                && o.kind() == p.kind()
                && o.namespace(route_ns) == p.namespace(route_ns)
                && o.name == p.name
        };
        let Some(other) = refs.iter().enumerate().position(|(j, o)| j != i && same(o)) else {
            continue;
        };
        match p.section_name.as_deref() {
            None | Some("") => r.err(
                format!("{pp}.sectionName"),
                format!(
                    "must be set when the same parent is referenced more than once (see \
                     spec.parentRefs[{other}])"
                ),
            ),
            Some(s) => {
                if let Some(j) = refs[..i]
                    .iter()
                    .position(|o| same(o) && o.section_name.as_deref() == Some(s))
                {
                    r.err(
                        format!("{pp}.sectionName"),
                        format!(
                            "must be unique among references to the same parent (same as \
                             spec.parentRefs[{j}])"
                        ),
                    );
                }
            }
        }
    }
}

/// `spec.hostnames`.
fn hostnames(list: &[String], min: usize, max: usize, r: &mut Report) {
    count(r, "spec.hostnames", list.len(), min, max, "hostname");
    for (i, h) in list.iter().enumerate() {
        r.check(
            || format!("spec.hostnames[{i}]"),
            scalars::hostname(h, true),
        );
    }
}

/// Rule names: SectionName, unique per route.
fn rule_names<'a>(names: impl Iterator<Item = Option<&'a String>>, r: &mut Report) {
    let names: Vec<_> = names.collect();
    for (i, n) in names.iter().enumerate() {
        let Some(n) = n else { continue };
        r.check(|| format!("spec.rules[{i}].name"), scalars::section_name(n));
        if names[..i].contains(&Some(n)) {
            r.err(
                format!("spec.rules[{i}].name"),
                format!("duplicate rule name {}", q(n)),
            );
        }
    }
}

/// A backend reference (backendRef or mirror target). `port` is required for core Services.
pub(super) fn backend_target(b: &BackendObjectReference, p: &dyn Display, r: &mut Report) {
    if let Some(g) = &b.group {
        r.check(|| format!("{p}.group"), scalars::group(g));
    }
    if let Some(k) = &b.kind {
        r.check(|| format!("{p}.kind"), scalars::kind(k));
    }
    r.check(|| format!("{p}.name"), scalars::object_name(&b.name));
    if let Some(ns) = &b.namespace {
        r.check(|| format!("{p}.namespace"), scalars::namespace(ns));
    }
    match b.port {
        Some(port) => r.check(|| format!("{p}.port"), scalars::port(port)),
        None if b.group() == "" && b.kind() == "Service" => {
            r.err(format!("{p}.port"), "must be set for a Service reference")
        }
        None => {}
    }
}

/// `backendRefs` of an HTTPRoute or GRPCRoute rule, with their filters.
fn http_backend_refs(refs: &[HttpBackendRef], rule: usize, ctx: FilterCtx, r: &mut Report) {
    let rules = FieldPath::Root("spec.rules");
    let rp = rules.index(rule);
    let p = rp.field("backendRefs");
    count_at(r, &p, refs.len(), 0, 16, "backendRef");
    for (j, b) in refs.iter().enumerate() {
        let bp = p.index(j);
        backend_target(&b.target, &bp, r);
        if let Some(w) = b.weight {
            r.check(|| format!("{bp}.weight"), scalars::weight(w));
        }
        filter_list(&b.filters, &bp.field("filters"), ctx, r);
    }
}

/// Header or query-parameter matches. `max_value` is 4096 for headers, 1024 for queries.
fn value_matches(
    list: &[HttpHeaderMatch],
    p: &FieldPath,
    rule: usize,
    max_value: usize,
    r: &mut Report,
) {
    count_at(r, p, list.len(), 0, 16, "entry");
    for (k, m) in list.iter().enumerate() {
        let mp = p.index(k);
        r.check(|| format!("{mp}.name"), scalars::header_name(&m.name));
        r.check(
            || format!("{mp}.value"),
            scalars::length(&m.value, 1, max_value),
        );
        match &m.kind {
            None | Some(MatchType::Exact) => {}
            Some(MatchType::RegularExpression) => {
                r.regex(rule, || format!("{mp}.value"), &m.value);
            }
            Some(MatchType::Other(t)) => r.rule(
                rule,
                UNSUPPORTED,
                format!("{mp}.type"),
                format!(
                    "unsupported match type {} (supported: Exact, RegularExpression)",
                    q(t)
                ),
            ),
        }
    }
}

/// `HTTPRoute` (§1.5, §6, §8).
pub(super) fn http_route(o: &Object<HttpRouteSpec>, r: &mut Report) {
    let s = &o.spec;
    parent_refs(&s.parent_refs, &o.meta.namespace, r);
    hostnames(&s.hostnames, 0, 16, r);
    let Some(rules) = &s.rules else { return };
    count(r, "spec.rules", rules.len(), 1, 16, "rule");
    rule_names(rules.iter().map(|x| x.name.as_ref()), r);
    let total: usize = rules.iter().map(|x| x.matches.len()).sum();
    if total > 128 {
        r.err(
            "spec.rules",
            format!("must have at most 128 matches in total (found {total})"),
        );
    }
    for (i, rule) in rules.iter().enumerate() {
        http_rule(rule, i, r);
    }
}

fn http_rule(rule: &HttpRouteRule, i: usize, r: &mut Report) {
    let rules = FieldPath::Root("spec.rules");
    let p = rules.index(i);
    let matches = p.field("matches");
    count_at(r, &matches, rule.matches.len(), 0, 64, "match");
    for (k, m) in rule.matches.iter().enumerate() {
        http_match(m, i, &matches.index(k), r);
    }
    // Absent or empty matches mean one `PathPrefix /` match; an absent path type is PathPrefix.
    let single_prefix = match rule.matches.as_slice() {
        [] => true,
        [m] => matches!(
            m.path.as_ref().and_then(|p| p.kind.as_ref()),
            None | Some(PathMatchType::PathPrefix)
        ),
        _ => false,
    };
    let ctx = FilterCtx {
        rule: i,
        grpc: false,
        single_prefix,
    };
    filter_list(&rule.filters, &p.field("filters"), ctx, r);
    if !rule.backend_refs.is_empty() {
        for (k, f) in rule.filters.iter().enumerate() {
            if f.kind == FilterType::RequestRedirect {
                r.rule(
                    i,
                    "IncompatibleFilters",
                    format!("{p}.filters[{k}]"),
                    "RequestRedirect must not be used together with backendRefs",
                );
            }
        }
    }
    http_backend_refs(&rule.backend_refs, i, ctx, r);
    if let Some(t) = &rule.timeouts {
        timeouts(t, &p, r);
    }
    if let Some(retry) = &rule.retry {
        retry_policy(retry, &p, r);
    }
    if let Some(sp) = &rule.session_persistence {
        session_persistence(sp, i, &format!("{p}.sessionPersistence"), r);
    }
}

/// `timeouts`: valid durations, `backendRequest` not above a non-zero `request`.
fn timeouts(t: &HttpRouteTimeouts, p: &dyn Display, r: &mut Report) {
    let request = t.request.as_deref().map(|d| (d, scalars::duration(d)));
    let backend = t
        .backend_request
        .as_deref()
        .map(|d| (d, scalars::duration(d)));
    if let Some((_, Err(e))) = &request {
        r.err(format!("{p}.timeouts.request"), e.clone());
    }
    if let Some((_, Err(e))) = &backend {
        r.err(format!("{p}.timeouts.backendRequest"), e.clone());
    }
    if let (Some((rs, Ok(rd))), Some((bs, Ok(bd)))) = (&request, &backend) {
        if !rd.is_zero() && bd > rd {
            r.err(
                format!("{p}.timeouts.backendRequest"),
                format!("{bs} must not be greater than timeouts.request ({rs})"),
            );
        }
    }
}

/// `retry`: status codes 400–599, at least one attempt, a valid backoff.
fn retry_policy(retry: &HttpRouteRetry, p: &dyn Display, r: &mut Report) {
    for (k, c) in retry.codes.iter().enumerate() {
        if !(400..=599).contains(c) {
            r.err(
                format!("{p}.retry.codes[{k}]"),
                format!("status code {c} is out of range (400-599)"),
            );
        }
    }
    if let Some(a) = retry.attempts {
        if a < 1 {
            r.err(
                format!("{p}.retry.attempts"),
                format!("must be at least 1 (found {a})"),
            );
        }
    }
    if let Some(b) = &retry.backoff {
        if let Err(e) = scalars::duration(b) {
            r.err(format!("{p}.retry.backoff"), e);
        }
    }
}

fn http_match(m: &HttpRouteMatch, rule: usize, p: &FieldPath, r: &mut Report) {
    if let Some(path) = &m.path {
        let value = path.value.as_deref().unwrap_or("/");
        let vp = || format!("{p}.path.value");
        match &path.kind {
            None | Some(PathMatchType::PathPrefix | PathMatchType::Exact) => {
                r.check(vp, scalars::path_value(value))
            }
            Some(PathMatchType::RegularExpression) => {
                r.check(vp, scalars::length(value, 0, 1024));
                r.regex(rule, vp, value);
            }
            Some(PathMatchType::Other(t)) => r.rule(
                rule,
                UNSUPPORTED,
                format!("{p}.path.type"),
                format!(
                    "unsupported path match type {} (supported: Exact, PathPrefix, \
                     RegularExpression)",
                    q(t)
                ),
            ),
        }
    }
    value_matches(&m.headers, &p.field("headers"), rule, 4096, r);
    value_matches(&m.query_params, &p.field("queryParams"), rule, 1024, r);
    if let Some(method) = &m.method {
        if !scalars::METHODS.contains(&method.as_str()) {
            r.rule(
                rule,
                UNSUPPORTED,
                format!("{p}.method"),
                format!("unsupported method {}", q(method)),
            );
        }
    }
}

/// `sessionPersistence` [X], both shapes.
fn session_persistence(sp: &SessionPersistence, rule: usize, p: &str, r: &mut Report) {
    if let Some(t) = &sp.kind {
        if t != "Cookie" && t != "Header" {
            r.rule(
                rule,
                UNSUPPORTED,
                format!("{p}.type"),
                format!(
                    "unsupported session persistence type {} (supported: Cookie, Header)",
                    q(t)
                ),
            );
        }
    }
    for (field, value) in [
        ("absoluteTimeout", &sp.absolute_timeout),
        ("idleTimeout", &sp.idle_timeout),
    ] {
        if let Some(Err(e)) = value.as_deref().map(scalars::duration) {
            r.err(format!("{p}.{field}"), e);
        }
    }
    if let Some(n) = &sp.session_name {
        r.check(|| format!("{p}.sessionName"), scalars::length(n, 0, 128));
    }
    let permanent = [&sp.cookie, &sp.cookie_config].into_iter().any(|c| {
        c.as_ref()
            .and_then(|c| c.get("lifetimeType"))
            .and_then(|v| v.as_str())
            == Some("Permanent")
    });
    if permanent && sp.absolute_timeout.is_none() {
        r.err(
            format!("{p}.absoluteTimeout"),
            "must be set when the cookie lifetimeType is Permanent",
        );
    }
}

/// `^\.?[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$`
fn is_grpc_service(s: &str) -> bool {
    s.strip_prefix('.')
        .unwrap_or(s)
        .split('.')
        .all(is_grpc_method)
}

/// `^[A-Za-z_][A-Za-z_0-9]*$`
fn is_grpc_method(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

/// `GRPCRoute` (§1.6).
pub(super) fn grpc_route(o: &Object<GrpcRouteSpec>, r: &mut Report) {
    let s = &o.spec;
    parent_refs(&s.parent_refs, &o.meta.namespace, r);
    hostnames(&s.hostnames, 0, 16, r);
    count(r, "spec.rules", s.rules.len(), 0, 16, "rule");
    rule_names(s.rules.iter().map(|x| x.name.as_ref()), r);
    let total: usize = s.rules.iter().map(|x| x.matches.len()).sum();
    if total > 128 {
        r.err(
            "spec.rules",
            format!("must have at most 128 matches in total (found {total})"),
        );
    }
    for (i, rule) in s.rules.iter().enumerate() {
        let p = format!("spec.rules[{i}]");
        count(
            r,
            &format!("{p}.matches"),
            rule.matches.len(),
            0,
            64,
            "match",
        );
        for (k, m) in rule.matches.iter().enumerate() {
            let mp = format!("{p}.matches[{k}]");
            if let Some(mm) = &m.method {
                grpc_method(mm, i, &format!("{mp}.method"), r);
            }
            let headers = format!("{mp}.headers");
            value_matches(&m.headers, &FieldPath::Root(&headers), i, 4096, r);
        }
        let ctx = FilterCtx {
            rule: i,
            grpc: true,
            single_prefix: false,
        };
        filter_list(&rule.filters, &format!("{p}.filters"), ctx, r);
        http_backend_refs(&rule.backend_refs, i, ctx, r);
        if let Some(sp) = &rule.session_persistence {
            session_persistence(sp, i, &format!("{p}.sessionPersistence"), r);
        }
    }
}

fn grpc_method(mm: &GrpcMethodMatch, rule: usize, p: &str, r: &mut Report) {
    if mm.service.is_none() && mm.method.is_none() {
        r.err(p, "one or both of service and method must be set");
    }
    let parts = [("service", &mm.service), ("method", &mm.method)];
    for (field, value) in parts {
        let Some(v) = value else { continue };
        let fp = format!("{p}.{field}");
        r.check(|| fp.clone(), scalars::length(v, 0, 1024));
        match &mm.kind {
            None | Some(MatchType::Exact) => {
                let ok = if field == "service" {
                    is_grpc_service(v)
                } else {
                    is_grpc_method(v)
                };
                if !ok {
                    r.err(fp, format!("{} is not a valid gRPC {field} name", q(v)));
                }
            }
            Some(MatchType::RegularExpression) => {
                r.regex(rule, || fp, v);
            }
            Some(MatchType::Other(_)) => {}
        }
    }
    if let Some(MatchType::Other(t)) = &mm.kind {
        r.rule(
            rule,
            UNSUPPORTED,
            format!("{p}.type"),
            format!(
                "unsupported match type {} (supported: Exact, RegularExpression)",
                q(t)
            ),
        );
    }
}

/// The version part of an `apiVersion` (`gateway.networking.k8s.io/v1alpha2` → `v1alpha2`).
fn version_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or(api_version, |(_, v)| v)
}

/// The rules of a TLS/TCP/UDP route, each with 1–16 backendRefs. v1 and v1alpha3 require
/// exactly one rule; v1alpha2's schema allows 1–16 with unique names: the object is accepted
/// as the API server would, and every rule after the first is dropped (`UnsupportedValue`),
/// since the engine routes one rule per route (SPEC §1.7).
fn l4_rules(kind: &str, api_version: &str, rules: &[L4RouteRule], r: &mut Report) {
    let version = version_of(api_version);
    if version == "v1alpha2" {
        if rules.is_empty() || rules.len() > 16 {
            r.err(
                "spec.rules",
                format!(
                    "must have between 1 and 16 rules in {kind} {version} (found {})",
                    rules.len()
                ),
            );
        }
        for i in 1..rules.len().min(16) {
            r.rule(
                i,
                UNSUPPORTED,
                format!("spec.rules[{i}]"),
                format!(
                    "{kind} {version} allows up to 16 rules, but only the first is served \
                     (v1 allows exactly 1)"
                ),
            );
        }
    } else if rules.len() != 1 {
        r.err(
            "spec.rules",
            format!(
                "must have exactly 1 rule in {kind} {version} (found {})",
                rules.len()
            ),
        );
    }
    rule_names(rules.iter().map(|x| x.name.as_ref()), r);
    for (i, rule) in rules.iter().enumerate() {
        let p = format!("spec.rules[{i}].backendRefs");
        count(r, &p, rule.backend_refs.len(), 1, 16, "backendRef");
        for (j, b) in rule.backend_refs.iter().enumerate() {
            backend_target(&b.target, &format!("{p}[{j}]"), r);
            if let Some(w) = b.weight {
                r.check(|| format!("{p}[{j}].weight"), scalars::weight(w));
            }
        }
    }
}

/// `TLSRoute` (§1.7). Each served version keeps its own schema: `hostnames` is required
/// (1–1024) in v1 and v1alpha3 and optional (0–1024) in v1alpha2.
pub(super) fn tls_route(o: &Object<TlsRouteSpec>, r: &mut Report) {
    parent_refs(&o.spec.parent_refs, &o.meta.namespace, r);
    let version = version_of(&o.api_version);
    if o.spec.hostnames.is_empty() && version != "v1alpha2" {
        r.err(
            "spec.hostnames",
            format!(
                "required in TLSRoute {version}: must have at least 1 hostname (found 0; only \
                 v1alpha2 allows a TLSRoute without hostnames)"
            ),
        );
    }
    hostnames(&o.spec.hostnames, 0, 1024, r);
    l4_rules("TLSRoute", &o.api_version, &o.spec.rules, r);
}

/// `TCPRoute` / `UDPRoute` (§1.7).
pub(super) fn l4_route(kind: &str, o: &Object<L4RouteSpec>, r: &mut Report) {
    parent_refs(&o.spec.parent_refs, &o.meta.namespace, r);
    l4_rules(kind, &o.api_version, &o.spec.rules, r);
}
