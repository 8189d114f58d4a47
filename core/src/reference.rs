//! The reference matcher: a linear scan written to be obviously right, not fast.
//!
//! It reads the same inputs as the compiler (the configuration and one attached Gateway) and
//! applies SPEC §2.5, §3 and §4 literally: collect every fully matching candidate, compute its
//! whole precedence key, take the maximum. The property tests assert that the compiled
//! [`Router`](crate::Router) gives the same answer for random configurations and requests.

use crate::attach::{AttachedGateway, AttachedListener};
use crate::compile::ingress::{
    ingress_class, nginx_canary, nginx_flag, nginx_regex_hosts, nginx_settings, nginx_tls_hosts,
};
use crate::config::Config;
use crate::model::{
    GrpcRouteMatch, GrpcRouteRule, GrpcRouteSpec, HttpIngressPath, HttpRouteMatch, HttpRouteRule,
    HttpRouteSpec, IngressPathType, IngressSpec, MatchType, Object, PathMatchType, ProtocolType,
    Route, RouteKind,
};
use crate::options::{Options, RegexRank, RepeatedHeaders};
use crate::request::RequestView;
use std::cmp::Reverse;
use std::ops::ControlFlow;

/// What the reference matcher decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefOutcome {
    /// `(namespace, name, rule index, match index, effective hostname, listener)`.
    Matched {
        namespace: String,
        name: String,
        rule: usize,
        matched: usize,
        hostname: String,
        listener: String,
    },
    NotFound,
    Misdirected,
}

/// Is `a` a valid `host[:port]`: a hostname of dot-separated labels of 1–63 letters, digits,
/// `-` or `_`, at most 253 bytes without one trailing dot, or a bracketed IPv6 literal; then
/// an optional `:` and at most five digits?
fn valid_authority(a: &str) -> bool {
    let re = regex::Regex::new(
        r"^(?:(?P<name>(?:[A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63})\.?|\[(?P<ip6>[0-9A-Fa-f:.]{2,45})\])(?::[0-9]{0,5})?$",
    )
    .expect("valid pattern");
    match re.captures(a) {
        Some(c) => match (c.name("name"), c.name("ip6")) {
            (Some(n), _) => n.as_str().len() <= 253,
            (_, Some(ip)) => ip.as_str().contains(':'),
            _ => false,
        },
        None => false,
    }
}

/// The host the request is matched with; `""` (only `*` matches it) when the authority is
/// absent or not a valid `host[:port]`.
fn normalize(authority: Option<&str>) -> String {
    let a = authority.unwrap_or("");
    if !valid_authority(a) {
        return String::new();
    }
    let host = if a.starts_with('[') {
        match a.find(']') {
            Some(i) => &a[..=i],
            None => a,
        }
    } else {
        a.rsplit_once(':').map_or(a, |(h, _)| h)
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    host.to_ascii_lowercase()
}

/// Does hostname pattern `p` (`*`, `*.s` or precise) match `host`? SPEC §2.2, §3.2.
fn host_ok(p: &str, host: &str) -> bool {
    if p == "*" {
        return true;
    }
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    match p.strip_prefix("*.") {
        Some(s) => {
            let dotted = format!(".{s}");
            host.ends_with(&dotted) && host.len() > dotted.len()
        }
        None => p == host,
    }
}

/// K1/K2 of an effective hostname.
fn host_key(h: &str) -> (usize, usize) {
    if h == "*" {
        (0, 0)
    } else if h.starts_with("*.") {
        (0, h.len())
    } else {
        (h.len(), h.len())
    }
}

/// Whether the whole of `hay` matches `pattern` (RE2 syntax): the `regex` crate's own engine
/// (`meta`, NFA-based) on `\A(?:pattern)\z` built from the syntax tree, so that flags and
/// `(?x)` comments stay inside the pattern. `None` when the pattern does not parse.
fn full_match(pattern: &str, hay: &[u8]) -> Option<bool> {
    use regex_syntax::hir::{Hir, Look};
    let hir = regex_syntax::parse(pattern).ok()?;
    let hir = Hir::concat(vec![Hir::look(Look::Start), hir, Hir::look(Look::End)]);
    let re = regex_automata::meta::Builder::new()
        .build_from_hir(&hir)
        .ok()?;
    Some(re.is_match(hay))
}

/// The path parameters of a RegularExpression path `pattern` for `path` (a path it matches),
/// as `RouteMatch::params` documents them: the named groups that took part in the full match
/// found by the `regex` crate's own engine (`meta`), in pattern order, when the pattern is
/// one-pass (`regex-automata`'s `onepass` builder accepts it, at most 16 groups); none
/// otherwise.
pub(crate) fn params(pattern: &str, path: &str) -> Vec<(String, String)> {
    use regex_automata::dfa::onepass;
    use regex_automata::nfa::thompson;
    use regex_syntax::hir::{Hir, Look};
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return Vec::new();
    };
    let hir = Hir::concat(vec![Hir::look(Look::Start), hir, Hir::look(Look::End)]);
    let one_pass = thompson::Compiler::new()
        .build_from_hir(&hir)
        .is_ok_and(|nfa| onepass::Builder::new().build_from_nfa(nfa).is_ok());
    let Ok(re) = regex_automata::meta::Builder::new().build_from_hir(&hir) else {
        return Vec::new();
    };
    let mut caps = re.create_captures();
    re.captures(path, &mut caps);
    if !one_pass || !caps.is_match() {
        return Vec::new();
    }
    let names = re
        .group_info()
        .pattern_names(regex_automata::PatternID::ZERO);
    names
        .enumerate()
        .filter_map(|(i, name)| {
            let span = caps.get_group(i)?;
            Some((name?.to_string(), path[span.range()].to_string()))
        })
        .collect()
}

/// Whether every regular expression `m` uses (its path, the first condition of each header and
/// query-parameter name) compiles. A rule with one that does not is dropped whole, and the
/// Router reports it.
fn regexes_compile(m: &HttpRouteMatch) -> bool {
    let ok = |p: &str| regex_syntax::parse(p).is_ok();
    let is_re = |k: Option<&MatchType>| matches!(k, Some(MatchType::RegularExpression));
    let path = match &m.path {
        Some(p) if matches!(p.kind, Some(PathMatchType::RegularExpression)) => {
            ok(p.value.as_deref().unwrap_or("/"))
        }
        _ => true,
    };
    let mut names: Vec<String> = Vec::new();
    let headers = m.headers.iter().all(|h| {
        let name = h.name.to_ascii_lowercase();
        let first = !names.contains(&name);
        names.push(name);
        !first || !is_re(h.kind.as_ref()) || ok(&h.value)
    });
    let mut names: Vec<&str> = Vec::new();
    let query = m.query_params.iter().all(|q| {
        let first = !names.contains(&q.name.as_str());
        names.push(&q.name);
        !first || !is_re(q.kind.as_ref()) || ok(&q.value)
    });
    path && headers && query
}

fn path_ok(kind: &PathMatchType, value: &str, path: &str) -> Option<bool> {
    Some(match kind {
        PathMatchType::Exact => path == value,
        PathMatchType::PathPrefix => {
            let p = value.strip_suffix('/').unwrap_or(value);
            path.starts_with(p) && (path.len() == p.len() || path.as_bytes()[p.len()] == b'/')
        }
        PathMatchType::RegularExpression => full_match(value, path.as_bytes())?,
        PathMatchType::Other(_) => return None,
    })
}

fn value_ok(kind: Option<&MatchType>, expected: &str, got: &[u8]) -> Option<bool> {
    Some(match kind.unwrap_or(&MatchType::Exact) {
        MatchType::Exact => expected.as_bytes() == got,
        MatchType::RegularExpression => full_match(expected, got)?,
        MatchType::Other(_) => return None,
    })
}

fn header_lines<R: RequestView + ?Sized>(req: &R, name: &str) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    req.for_each_header(name, &mut |v| {
        lines.push(v.to_vec());
        ControlFlow::Continue(())
    });
    lines
}

/// `Some(true)` when every condition of `m` holds; `None` when the match cannot be compiled.
fn match_ok<R: RequestView + ?Sized>(m: &HttpRouteMatch, req: &R, opts: &Options) -> Option<bool> {
    let (kind, value) = match &m.path {
        None => (PathMatchType::PathPrefix, "/".to_string()),
        Some(p) => (
            p.kind.clone().unwrap_or(PathMatchType::PathPrefix),
            p.value.clone().unwrap_or_else(|| "/".into()),
        ),
    };
    let mut ok = path_ok(&kind, &value, req.path())?;
    if let Some(method) = &m.method {
        ok &= req.method() == method;
    }
    // Values longer than `max_header_value_len` never match.
    let fits = |v: &[u8]| v.len() <= opts.max_header_value_len;
    let mut seen: Vec<String> = Vec::new();
    for h in &m.headers {
        let name = h.name.to_ascii_lowercase();
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        let lines = header_lines(req, &name);
        let any = opts.repeated_headers == RepeatedHeaders::Any
            || (opts.repeated_headers == RepeatedHeaders::Join && name == "set-cookie");
        let hit = if lines.is_empty() {
            // Still validate the regex.
            value_ok(h.kind.as_ref(), &h.value, b"")?;
            false
        } else if any {
            let mut hit = false;
            for l in &lines {
                hit |= value_ok(h.kind.as_ref(), &h.value, l)? && fits(l);
            }
            hit
        } else if opts.repeated_headers == RepeatedHeaders::First {
            value_ok(h.kind.as_ref(), &h.value, &lines[0])? && fits(&lines[0])
        } else {
            let joined = lines.join(&b","[..]);
            value_ok(h.kind.as_ref(), &h.value, &joined)? && fits(&joined)
        };
        ok &= hit;
    }
    let mut seen_q: Vec<&str> = Vec::new();
    for q in &m.query_params {
        if seen_q.contains(&q.name.as_str()) {
            continue;
        }
        seen_q.push(&q.name);
        // A query longer than `max_query_len` counts as absent.
        let query = req.query().filter(|q| q.len() <= opts.max_query_len);
        let first = query.and_then(|query| {
            query
                .split('&')
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .find(|(n, _)| *n == q.name)
                .map(|(_, v)| v)
        });
        let hit = match first {
            Some(v) => value_ok(q.kind.as_ref(), &q.value, v.as_bytes())?,
            None => {
                value_ok(q.kind.as_ref(), &q.value, b"")?;
                false
            }
        };
        ok &= hit;
    }
    Some(ok)
}

fn distinct_headers(m: &HttpRouteMatch) -> usize {
    let mut names: Vec<String> = m
        .headers
        .iter()
        .map(|h| h.name.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names.len()
}

fn distinct_query(m: &HttpRouteMatch) -> usize {
    let mut names: Vec<&str> = m.query_params.iter().map(|q| q.name.as_str()).collect();
    names.sort();
    names.dedup();
    names.len()
}

fn listener_rank(l: &AttachedListener) -> (u8, Reverse<usize>) {
    match &l.hostname {
        Some(h) if h.starts_with("*.") => (1, Reverse(h.len())),
        Some(h) => (0, Reverse(h.len())),
        None => (2, Reverse(0)),
    }
}

fn select<'a>(ls: &[&'a AttachedListener], host: &str) -> Option<&'a AttachedListener> {
    ls.iter()
        .copied()
        .filter(|l| l.hostname.as_deref().is_none_or(|p| host_ok(p, host)))
        .min_by_key(|l| listener_rank(l))
}

/// The outcome for rule `rule`, match `matched` of a route, as the router reports it.
fn matched(
    meta: &crate::model::ObjectMeta,
    rule: usize,
    matched: usize,
    hostname: &str,
    l: &AttachedListener,
    opts: &Options,
) -> RefOutcome {
    RefOutcome::Matched {
        namespace: meta.namespace.clone(),
        name: meta.name.clone(),
        rule,
        matched,
        hostname: hostname.to_string(),
        listener: if opts.listener_isolation {
            l.name.clone()
        } else {
            String::new()
        },
    }
}

/// SPEC §2.5: the HTTP/HTTPS listeners whose routes a request may use (the one its Host
/// selects, or every listener on the port without isolation) and the normalized host; or the
/// answer when there is none (404) or the SNI chose another listener (421).
fn listeners<'g, R: RequestView + ?Sized>(
    gateway: &'g AttachedGateway,
    opts: &Options,
    req: &R,
) -> Result<(Vec<&'g AttachedListener>, String), RefOutcome> {
    let http = |l: &&AttachedListener| {
        l.usable && matches!(l.protocol, ProtocolType::Http | ProtocolType::Https)
    };
    let port = match req.port() {
        Some(p) => p,
        None => match gateway.listeners.iter().filter(http).map(|l| l.port).min() {
            Some(p) => p,
            None => return Err(RefOutcome::NotFound),
        },
    };
    let on_port: Vec<&AttachedListener> = gateway
        .listeners
        .iter()
        .filter(http)
        .filter(|l| l.port == port)
        .collect();
    if on_port.is_empty() || req.path().len() > opts.max_path_len {
        return Err(RefOutcome::NotFound);
    }
    let host = normalize(req.authority());
    if !opts.listener_isolation {
        return Ok((on_port, host));
    }
    let Some(l) = select(&on_port, &host) else {
        return Err(RefOutcome::NotFound);
    };
    let tls = on_port.iter().any(|l| l.protocol == ProtocolType::Https);
    if let (true, Some(sni)) = (tls, req.sni()) {
        let by_sni = select(&on_port, &normalize(Some(sni)));
        if !by_sni.is_some_and(|s| std::ptr::eq(s, l)) {
            return Err(RefOutcome::Misdirected);
        }
    }
    Ok((vec![l], host))
}

/// The most specific of an attached route's effective `hostnames` that matches `host`, with
/// its host key (the last of equally specific ones, as `max_by_key` takes it).
fn best_hostname<'h>(hostnames: &'h [String], host: &str) -> Option<(&'h str, (usize, usize))> {
    hostnames
        .iter()
        .filter(|h| host_ok(&h.to_ascii_lowercase(), host))
        .max_by_key(|h| host_key(h))
        .map(|h| (h.as_str(), host_key(h)))
}

/// The route's `"namespace/name"` as bytes, the tie-breaker after the creation time.
fn route_key(meta: &crate::model::ObjectMeta) -> Vec<u8> {
    format!("{}/{}", meta.namespace, meta.name).into_bytes()
}

/// The path part of an HTTP match's precedence key: Exact (3) > RegularExpression (2 or 0,
/// per `regex_rank`) > PathPrefix (1), then the length of the value (a prefix without its
/// trailing `/`). An absent path is `PathPrefix /`.
fn path_rank(m: &HttpRouteMatch, opts: &Options) -> (u8, usize) {
    let (kind, value) = match &m.path {
        None => (PathMatchType::PathPrefix, "/".to_string()),
        Some(p) => (
            p.kind.clone().unwrap_or(PathMatchType::PathPrefix),
            p.value.clone().unwrap_or_else(|| "/".into()),
        ),
    };
    match kind {
        PathMatchType::Exact => (3, value.len()),
        PathMatchType::RegularExpression if opts.regex_rank == RegexRank::BetweenExactAndPrefix => {
            (2, value.len())
        }
        PathMatchType::RegularExpression => (0, value.len()),
        _ => (1, value.strip_suffix('/').unwrap_or(&value).len()),
    }
}

/// The whole precedence key of an HTTP candidate, compared as a tuple (greater wins): host
/// key, path kind, path length, method condition, header and query condition counts, older
/// route, smaller `namespace/name`, lower rule index, lower match index.
type HttpKey = (
    (usize, usize),
    u8,
    usize,
    bool,
    usize,
    usize,
    Reverse<i64>,
    Reverse<Vec<u8>>,
    Reverse<usize>,
    Reverse<usize>,
);

/// Where an attached route is considered: its listener, the effective hostname that matched
/// the request and that hostname's key.
struct Seen<'a> {
    listener: &'a AttachedListener,
    hostname: &'a str,
    host_key: (usize, usize),
}

/// Every (rule, match) of HTTPRoute `route` that fully matches `req`, with its key.
fn http_candidates<R: RequestView + ?Sized>(
    route: &Route<HttpRouteSpec>,
    seen: &Seen<'_>,
    req: &R,
    opts: &Options,
    cands: &mut Vec<(HttpKey, RefOutcome)>,
) {
    let default_rules = [HttpRouteRule::default()];
    let rules: &[HttpRouteRule] = route.spec.rules.as_deref().unwrap_or(&default_rules);
    for (ri, rule) in rules.iter().enumerate() {
        if route.invalid_rules.iter().any(|r| r.index == ri)
            || !rule.matches.iter().all(regexes_compile)
        {
            continue;
        }
        let default_matches = [HttpRouteMatch::default()];
        let matches: &[HttpRouteMatch] = if rule.matches.is_empty() {
            &default_matches
        } else {
            &rule.matches
        };
        for (mi, m) in matches.iter().enumerate() {
            if match_ok(m, req, opts) != Some(true) {
                continue;
            }
            let (kind, len) = path_rank(m, opts);
            let key: HttpKey = (
                seen.host_key,
                kind,
                len,
                m.method.is_some(),
                distinct_headers(m),
                distinct_query(m),
                Reverse(route.created),
                Reverse(route_key(&route.meta)),
                Reverse(ri),
                Reverse(mi),
            );
            let out = matched(&route.meta, ri, mi, seen.hostname, seen.listener, opts);
            cands.push((key, out));
        }
    }
}

/// Routes `req` on `gateway` by linear scan.
pub(crate) fn route<R: RequestView + ?Sized>(
    config: &Config,
    gateway: &AttachedGateway,
    opts: &Options,
    req: &R,
) -> RefOutcome {
    let (considered, host) = match listeners(gateway, opts, req) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let mut best_host: Option<(usize, usize)> = None;
    let mut cands: Vec<(HttpKey, RefOutcome)> = Vec::new();
    for l in considered {
        for ar in l.routes.iter().filter(|r| r.kind == RouteKind::Http) {
            let Some(route) = config.http_routes.get(ar.index) else {
                continue;
            };
            let Some((hostname, host_key)) = best_hostname(&ar.hostnames, &host) else {
                continue;
            };
            best_host = best_host.max(Some(host_key));
            let seen = Seen {
                listener: l,
                hostname,
                host_key,
            };
            http_candidates(route, &seen, req, opts, &mut cands);
        }
    }
    let mut best: Option<(HttpKey, RefOutcome)> = None;
    for (key, out) in cands {
        // Host isolation: only the most specific hostname that has routes takes part.
        if opts.host_isolation && Some(key.0) != best_host {
            continue;
        }
        // Strictly greater: the first of equal keys wins.
        if best.as_ref().is_none_or(|(b, _)| key > *b) {
            best = Some((key, out));
        }
    }
    best.map_or(RefOutcome::NotFound, |(_, o)| o)
}

fn grpc_component_ok(kind: &MatchType, expected: Option<&String>, got: &str) -> Option<bool> {
    match expected {
        None => Some(true),
        Some(e) => value_ok(Some(kind), e, got.as_bytes()),
    }
}

/// A gRPC match's header conditions as a path-less HTTP match (so the HTTP evaluation and
/// counting apply to them).
fn grpc_headers(m: &GrpcRouteMatch) -> HttpRouteMatch {
    HttpRouteMatch {
        headers: m.headers.clone(),
        ..HttpRouteMatch::default()
    }
}

/// Whether every regex of a GRPCRoute rule (method service and method, headers) compiles.
fn grpc_regexes_compile(rule: &GrpcRouteRule) -> bool {
    rule.matches.iter().all(|m| {
        let method = m.method.as_ref().is_none_or(|mm| {
            !matches!(mm.kind, Some(MatchType::RegularExpression))
                || [&mm.service, &mm.method]
                    .into_iter()
                    .flatten()
                    .all(|v| regex_syntax::parse(v).is_ok())
        });
        method && regexes_compile(&grpc_headers(m))
    })
}

/// A gRPC match's method condition: its match type (Exact by default), service and method.
fn grpc_method(m: &GrpcRouteMatch) -> (MatchType, Option<&String>, Option<&String>) {
    match &m.method {
        Some(mm) => (
            mm.kind.clone().unwrap_or(MatchType::Exact),
            mm.service.as_ref(),
            mm.method.as_ref(),
        ),
        None => (MatchType::Exact, None, None),
    }
}

/// The precedence key of a gRPC candidate (greater wins): host key, Exact service length,
/// Exact method length, header condition count, older route, smaller `namespace/name`, lower
/// rule index, lower match index.
type GrpcKey = (
    (usize, usize),
    usize,
    usize,
    usize,
    Reverse<i64>,
    Reverse<Vec<u8>>,
    Reverse<usize>,
    Reverse<usize>,
);

/// Every (rule, match) of GRPCRoute `route` that fully matches `req`, with its key. `parts`
/// is the request's `(service, method)`, `None` when the path has not that shape.
fn grpc_candidates<R: RequestView + ?Sized>(
    route: &Route<GrpcRouteSpec>,
    seen: &Seen<'_>,
    parts: Option<(&str, &str)>,
    req: &R,
    opts: &Options,
    cands: &mut Vec<(GrpcKey, RefOutcome)>,
) {
    for (ri, rule) in route.spec.rules.iter().enumerate() {
        if route.invalid_rules.iter().any(|r| r.index == ri) || !grpc_regexes_compile(rule) {
            continue;
        }
        let default = [GrpcRouteMatch::default()];
        let matches: &[GrpcRouteMatch] = if rule.matches.is_empty() {
            &default
        } else {
            &rule.matches
        };
        for (mi, m) in matches.iter().enumerate() {
            let (kind, svc, meth) = grpc_method(m);
            let method_ok = match parts {
                Some((s, me)) => {
                    grpc_component_ok(&kind, svc, s) == Some(true)
                        && grpc_component_ok(&kind, meth, me) == Some(true)
                }
                None => svc.is_none() && meth.is_none(),
            };
            // Headers: reuse the HTTP evaluation on a path-less match.
            let hm = grpc_headers(m);
            let headers_ok = match_ok(&hm, &PathOverride { inner: req }, opts) == Some(true);
            if !(method_ok && headers_ok) {
                continue;
            }
            let exact = kind == MatchType::Exact;
            let len = |v: Option<&String>| if exact { v.map_or(0, |v| v.len()) } else { 0 };
            let key: GrpcKey = (
                seen.host_key,
                len(svc),
                len(meth),
                distinct_headers(&hm),
                Reverse(route.created),
                Reverse(route_key(&route.meta)),
                Reverse(ri),
                Reverse(mi),
            );
            let out = matched(&route.meta, ri, mi, seen.hostname, seen.listener, opts);
            cands.push((key, out));
        }
    }
}

/// Routes a gRPC call on `gateway` by linear scan (SPEC §7.1, §4.3).
pub(crate) fn route_grpc<R: RequestView + ?Sized>(
    config: &Config,
    gateway: &AttachedGateway,
    opts: &Options,
    req: &R,
) -> RefOutcome {
    let (considered, host) = match listeners(gateway, opts, req) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let parts = req
        .path()
        .strip_prefix('/')
        .and_then(|r| r.rsplit_once('/'))
        .filter(|(s, m)| !s.is_empty() && !m.is_empty());
    let mut cands: Vec<(GrpcKey, RefOutcome)> = Vec::new();
    let mut best_host = None;
    for l in considered {
        for ar in l.routes.iter().filter(|r| r.kind == RouteKind::Grpc) {
            let Some(route) = config.grpc_routes.get(ar.index) else {
                continue;
            };
            let Some((hostname, host_key)) = best_hostname(&ar.hostnames, &host) else {
                continue;
            };
            best_host = best_host.max(Some(host_key));
            let seen = Seen {
                listener: l,
                hostname,
                host_key,
            };
            grpc_candidates(route, &seen, parts, req, opts, &mut cands);
        }
    }
    // `max_by`: the last of equal keys wins.
    cands
        .into_iter()
        .filter(|(k, _)| !opts.host_isolation || Some(k.0) == best_host)
        .max_by(|a, b| a.0.cmp(&b.0))
        .map_or(RefOutcome::NotFound, |(_, o)| o)
}

/// A request seen with path `/`, so that a path-less HTTP match tests only its headers.
struct PathOverride<'a, R: ?Sized> {
    inner: &'a R,
}

impl<R: RequestView + ?Sized> RequestView for PathOverride<'_, R> {
    fn method(&self) -> &str {
        self.inner.method()
    }
    fn authority(&self) -> Option<&str> {
        self.inner.authority()
    }
    fn path(&self) -> &str {
        "/"
    }
    fn for_each_header(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        self.inner.for_each_header(name, f)
    }
}

/// Routes a TLS connection by SNI on `gateway` by linear scan (SPEC §7.2): `Some((namespace,
/// name, passthrough))`, `None` for reject; `Err(())` when an HTTPS listener takes it.
#[allow(clippy::result_unit_err)]
pub(crate) fn route_tls(
    config: &Config,
    gateway: &AttachedGateway,
    port: u16,
    sni: Option<&str>,
) -> Result<Option<(String, String, bool)>, ()> {
    let Some(sni) = sni
        .map(|s| normalize(Some(&format!("{s}:0"))))
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let ls: Vec<&AttachedListener> = gateway
        .listeners
        .iter()
        .filter(|l| {
            l.usable
                && l.port == port
                && matches!(l.protocol, ProtocolType::Tls | ProtocolType::Https)
        })
        .collect();
    let Some(l) = select(&ls, &sni) else {
        return Ok(None);
    };
    if l.protocol == ProtocolType::Https {
        return Err(());
    }
    type Best<'a> = (
        (usize, usize),
        Reverse<i64>,
        Reverse<Vec<u8>>,
        &'a crate::model::Route<crate::model::TlsRouteSpec>,
    );
    let mut best: Option<Best<'_>> = None;
    for ar in l.routes.iter().filter(|r| r.kind == RouteKind::Tls) {
        let Some(route) = config.tls_routes.get(ar.index) else {
            continue;
        };
        if !route
            .spec
            .rules
            .iter()
            .enumerate()
            .any(|(i, _)| !route.invalid_rules.iter().any(|r| r.index == i))
        {
            continue;
        }
        let Some(hk) = ar
            .hostnames
            .iter()
            .filter(|h| host_ok(&h.to_ascii_lowercase(), &sni))
            .map(|h| host_key(h))
            .max()
        else {
            continue;
        };
        let key = (
            hk,
            Reverse(route.created),
            Reverse(format!("{}/{}", route.meta.namespace, route.meta.name).into_bytes()),
            route,
        );
        if best
            .as_ref()
            .is_none_or(|b| (key.0, &key.1, &key.2) > (b.0, &b.1, &b.2))
        {
            best = Some(key);
        }
    }
    Ok(best.map(|(_, _, _, r)| {
        (
            r.meta.namespace.clone(),
            r.meta.name.clone(),
            l.tls_mode == Some(crate::model::TlsMode::Passthrough),
        )
    }))
}

/// One Ingress path: (host key, Ingress, rule index, path index, path).
type IngressPath<'c> = (
    String,
    &'c Object<IngressSpec>,
    usize,
    usize,
    &'c HttpIngressPath,
);

/// The value of an Ingress path (`/` when absent or empty).
fn ingress_value(p: &HttpIngressPath) -> &str {
    p.path.as_deref().filter(|v| !v.is_empty()).unwrap_or("/")
}

/// Does Ingress path `p` match `path`? Exact: the same string. Prefix and
/// ImplementationSpecific: element-wise, so `/a` and `/a/` both match `/a`, `/a/` and `/a/x`,
/// not `/ab`.
fn ingress_path_ok(p: &HttpIngressPath, path: &str) -> bool {
    let value = ingress_value(p);
    match p.path_type {
        IngressPathType::Exact => path == value,
        _ => {
            let prefix = value.strip_suffix('/').unwrap_or(value);
            path == prefix || path.starts_with(&format!("{prefix}/"))
        }
    }
}

/// ingress-nginx (`Options::ingress_nginx`): does path `p` of a host (`regex_host`: a host
/// with `use-regex` or `rewrite-target`) match `path`, and its rank (lower first)? On a
/// regex host, the case-insensitive regular expression `^value` at the start of the path
/// (nginx `location ~* ^value`), rank 0; else Exact: the same string (nginx `location =`),
/// rank 0; Prefix: element-wise, rank 1; ImplementationSpecific: a string prefix (nginx
/// `location value`), rank 1. An invalid regular expression matches nothing.
fn nginx_path_ok(p: &HttpIngressPath, regex_host: bool, path: &str) -> Option<u8> {
    let value = ingress_value(p);
    if regex_host {
        let re = regex::Regex::new(&format!("^(?i:{value})")).ok()?;
        return re.is_match(path).then_some(0);
    }
    match p.path_type {
        IngressPathType::Exact => (path == value).then_some(0),
        IngressPathType::Prefix => ingress_path_ok(p, path).then_some(1),
        _ => path.starts_with(value).then_some(1),
    }
}

/// ingress-nginx's host selection among `keys`: the exact host, else the longest wildcard
/// `*.s` with the host ending in `.s` (one or more labels in front, nginx `server_name`),
/// else `""` (host-less rules, nginx's default server).
fn nginx_host(host: &str, keys: &[&str]) -> Option<String> {
    if !host.is_empty() && keys.contains(&host) {
        return Some(host.to_string());
    }
    let wildcard = keys
        .iter()
        .filter_map(|k| k.strip_prefix('*'))
        .filter(|suffix| {
            host.strip_suffix(suffix)
                .is_some_and(|front| !front.is_empty())
        })
        .max_by_key(|suffix| suffix.len());
    match wildcard {
        Some(suffix) => Some(format!("*{suffix}")),
        None => keys.contains(&"").then(String::new),
    }
}

/// The host key the request's (normalized) host selects among `keys`: the exact host, else
/// `*.` + the host without its first label, else `""` (host-less rules).
fn ingress_host(host: &str, keys: &[&str]) -> Option<String> {
    let wildcard = host
        .split_once('.')
        .filter(|(first, _)| !first.is_empty())
        .map(|(_, rest)| format!("*.{rest}"));
    if !host.is_empty() && keys.contains(&host) {
        Some(host.to_string())
    } else if let Some(w) = wildcard.filter(|w| keys.contains(&w.as_str())) {
        Some(w)
    } else {
        keys.contains(&"").then(String::new)
    }
}

/// Ingress v1 routing (docs/ingress.md), written out without the compiled tables: the
/// Ingresses of `class` (every one when `None`); the request's host selects one host key among
/// the rules that have paths ([`ingress_host`]); among that host's paths the longest value
/// wins, Exact before Prefix at equal length, then the older Ingress, `namespace/name`, rule
/// and path index; when none matches, the default backend of the oldest Ingress (then
/// `namespace/name`), as rule `rules.len()`, for a path that starts with `/` (or is empty): an
/// asterisk-form `*` has no route. Any port; no listeners.
pub(crate) fn route_ingress<R: RequestView + ?Sized>(
    config: &Config,
    class: Option<&str>,
    opts: &Options,
    req: &R,
) -> RefOutcome {
    let path = req.path();
    if path.len() > opts.max_path_len {
        return RefOutcome::NotFound;
    }
    let nginx = opts.ingress_nginx;
    let served: Vec<&Object<IngressSpec>> = config
        .ingresses
        .iter()
        .filter(|i| class.is_none_or(|c| ingress_class(config, i).as_deref() == Ok(c)))
        .filter(|i| !(nginx && nginx_flag(i, "canary")))
        .collect();
    let regex_hosts = nginx_regex_hosts(&served);
    let mut paths: Vec<IngressPath<'_>> = Vec::new();
    for ing in &served {
        for (ri, r) in ing.spec.rules.iter().enumerate() {
            let key = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
            for (pi, p) in r.http.iter().flat_map(|h| h.paths.iter()).enumerate() {
                paths.push((key.clone(), *ing, ri, pi, p));
            }
        }
    }
    let keys: Vec<&str> = paths.iter().map(|p| p.0.as_str()).collect();
    let selected = if nginx {
        nginx_host(&normalize(req.authority()), &keys)
    } else {
        ingress_host(&normalize(req.authority()), &keys)
    };
    let hostname = match selected.as_deref() {
        None | Some("") => "*".to_string(),
        Some(h) => h.to_string(),
    };
    let matched = |ing: &Object<IngressSpec>, rule, index| RefOutcome::Matched {
        namespace: ing.meta.namespace.clone(),
        name: ing.meta.name.clone(),
        rule,
        matched: index,
        hostname: hostname.clone(),
        listener: String::new(),
    };
    // ingress-nginx's app-root: `/` of the host is redirected by the oldest Ingress with a
    // rule (with paths) for the host and app-root; its match is one past the rule's paths.
    if nginx && path == "/" {
        let app_root = served
            .iter()
            .filter(|i| nginx_settings(i).app_root.is_some())
            .flat_map(|i| {
                i.spec
                    .rules
                    .iter()
                    .enumerate()
                    .map(move |(ri, r)| (*i, ri, r))
            })
            .filter(|(_, _, r)| {
                Some(r.host.as_deref().unwrap_or("").to_ascii_lowercase()) == selected
            })
            .filter_map(|(i, ri, r)| {
                let n = r.http.as_ref().map_or(0, |h| h.paths.len());
                (n > 0).then_some((i, ri, n))
            })
            .min_by_key(|(i, ri, _)| {
                let name = format!("{}/{}", i.meta.namespace, i.meta.name);
                (i.created, name.into_bytes(), *ri)
            });
        if let Some((ing, ri, n)) = app_root {
            return matched(ing, ri, n);
        }
    }
    // Spec: rank 0 for all, Exact first at equal length; Nginx: the rank of nginx_path_ok.
    let rank = |(host, _, _, _, p): &IngressPath<'_>| -> Option<(u8, bool)> {
        if nginx {
            let r = nginx_path_ok(p, regex_hosts.contains(host), path)?;
            Some((r, false))
        } else {
            ingress_path_ok(p, path).then_some((0, p.path_type != IngressPathType::Exact))
        }
    };
    let best = paths
        .iter()
        .filter(|p| Some(&p.0) == selected.as_ref())
        .filter_map(|p| rank(p).map(|r| (r, p)))
        .min_by_key(|((r, exact_later), (_, ing, ri, pi, p))| {
            (
                *r,
                Reverse(ingress_value(p).len()),
                *exact_later,
                ing.created,
                format!("{}/{}", ing.meta.namespace, ing.meta.name).into_bytes(),
                *ri,
                *pi,
            )
        })
        .map(|(_, p)| p);
    if let Some((_, ing, ri, pi, _)) = best {
        return matched(ing, *ri, *pi);
    }
    if !(path.is_empty() || path.starts_with('/')) {
        return RefOutcome::NotFound;
    }
    served
        .iter()
        .filter(|i| i.spec.default_backend.is_some())
        .min_by_key(|i| {
            let name = format!("{}/{}", i.meta.namespace, i.meta.name);
            (i.created, name.into_bytes())
        })
        .map_or(RefOutcome::NotFound, |ing| {
            matched(ing, ing.spec.rules.len(), 0)
        })
}

/// The value of header `name` as a header condition sees it under `opts.repeated_headers`
/// (SPEC §3.4): every line (`Any`), the first, or the lines joined by `,`; lines (or a join)
/// longer than `max_header_value_len` are left out. Does `check` hold for one of them?
fn header_holds<R: RequestView + ?Sized>(
    req: &R,
    opts: &Options,
    name: &str,
    check: impl Fn(&[u8]) -> bool,
) -> bool {
    let lines = header_lines(req, name);
    let fits = |v: &[u8]| v.len() <= opts.max_header_value_len;
    let any = opts.repeated_headers == RepeatedHeaders::Any
        || (opts.repeated_headers == RepeatedHeaders::Join && name == "set-cookie");
    if lines.is_empty() {
        false
    } else if any {
        lines.iter().any(|l| fits(l) && check(l))
    } else if opts.repeated_headers == RepeatedHeaders::First {
        fits(&lines[0]) && check(&lines[0])
    } else {
        let joined = lines.join(&b","[..]);
        fits(&joined) && check(&joined)
    }
}

/// What ingress-nginx answers (the Nginx flavor, docs/ingress.md), written out from the
/// annotations without the compiled filters: `redirect CODE LOCATION`, `status 400`, or the
/// backends (`ns/name:port`, or `a:80 (w) | b:80 (w)` for a weighted canary split) and
/// ` path=` the upstream path (without the query). `None` when nothing matched. The order:
///
/// 1. app-root: a request for `/` of a host with an Ingress with `app-root` (the oldest)
///    answers 302 `scheme://authority<root>`;
/// 2. the matched path's Ingress's `temporal-redirect`/`permanent-redirect`: `CODE URL`;
/// 3. plain HTTP (`scheme` not `https`) with `force-ssl-redirect`, or `ssl-redirect`
///    (default true) on a host named in a `tls` entry with a secret: 308 to `https://host`
///    and the request URI, its one trailing `/` dropped unless `preserve-trailing-slash`;
/// 4. the backend: the canary Ingress of the same host, pathType and path (the oldest)
///    when its `canary-by-header` is `always` (or equals `canary-by-header-value`), the main
///    one on `never`; else the same with the `canary-by-cookie` cookie; else the weighted split;
/// 5. the upstream path: with `rewrite-target` (not equal to the path), the target with `$n`
///    replaced by the groups of the case-insensitive path regex found in the request path.
pub(crate) fn route_ingress_nginx_action<R: RequestView + ?Sized>(
    config: &Config,
    class: Option<&str>,
    opts: &Options,
    req: &R,
) -> Option<String> {
    let RefOutcome::Matched {
        namespace,
        name,
        rule,
        matched,
        hostname,
        ..
    } = route_ingress(config, class, opts, req)
    else {
        return None;
    };
    let of_class = |i: &&Object<IngressSpec>| {
        class.is_none_or(|c| ingress_class(config, i).as_deref() == Ok(c))
    };
    let served: Vec<&Object<IngressSpec>> = config
        .ingresses
        .iter()
        .filter(of_class)
        .filter(|i| !nginx_flag(i, "canary"))
        .collect();
    let ing = served
        .iter()
        .find(|i| i.meta.namespace == namespace && i.meta.name == name)?;
    let host_key = if hostname == "*" { "" } else { &hostname };
    let scheme = match req.scheme() {
        Some(s) if s.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    let authority = req.authority().filter(|a| valid_authority(a));
    let Some(r) = ing.spec.rules.get(rule) else {
        // The default backend.
        let d = ing.spec.default_backend.as_ref()?;
        return Some(format!(
            "{} path={}",
            ref_backend(&ing.meta.namespace, d),
            req.path()
        ));
    };
    let paths: Vec<&HttpIngressPath> = r.http.iter().flat_map(|h| &h.paths).collect();
    let settings = nginx_settings(ing);
    let Some(p) = paths.get(matched) else {
        // app-root (its match is one past the rule's paths).
        let root = settings.app_root?;
        return Some(match authority {
            Some(a) => format!("redirect 302 {scheme}://{a}{root}"),
            None => "status 400".into(),
        });
    };
    if let Some((code, url)) = &settings.redirect {
        return Some(format!("redirect {code} {url}"));
    }
    let tls = nginx_tls_hosts(&served).contains(host_key);
    if scheme == "http" && (settings.force_ssl_redirect || settings.ssl_redirect && tls) {
        // The host without its `:port` (a bracketed IPv6 literal keeps its brackets).
        let host = authority.map(|a| match a.rsplit_once(':') {
            Some((h, port)) if !a.ends_with(']') && port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => a,
        });
        let Some(host) = host else {
            return Some("status 400".into());
        };
        // The Location's authority always ends at a `/`.
        let mut uri = match req.path() {
            p if p.starts_with('/') => p.to_string(),
            p => format!("/{p}"),
        };
        if let Some(q) = req.query() {
            uri = format!("{uri}?{q}");
        }
        if !settings.preserve_trailing_slash && uri.len() > 1 && uri.ends_with('/') {
            uri.pop();
        }
        return Some(format!("redirect 308 https://{host}{uri}"));
    }
    let value = ingress_value(p);
    let main = ref_backend(&ing.meta.namespace, &p.backend);
    let canary = config
        .ingresses
        .iter()
        .filter(of_class)
        .filter(|i| nginx_flag(i, "canary"))
        .filter_map(|i| {
            let same = i
                .spec
                .rules
                .iter()
                .filter(|r| r.host.as_deref().unwrap_or("").to_ascii_lowercase() == host_key)
                .flat_map(|r| r.http.iter().flat_map(|h| &h.paths))
                .find(|c| c.path_type == p.path_type && ingress_value(c) == value)?;
            Some((i, same))
        })
        .min_by_key(|(i, _)| (i.created, format!("{}/{}", i.meta.namespace, i.meta.name)));
    let backends = match canary {
        None => main,
        Some((ci, cp)) => {
            let c = nginx_canary(ci);
            let other = ref_backend(&ci.meta.namespace, &cp.backend);
            let mut decided = None;
            if let Some((h, v)) = &c.header {
                let is = |want: &str| header_holds(req, opts, h, |got| got == want.as_bytes());
                decided = match v {
                    Some(v) => is(v).then_some(true),
                    None if is("always") => Some(true),
                    None if is("never") => Some(false),
                    None => None,
                };
            }
            if let (None, Some(name)) = (decided, &c.cookie) {
                let is = |want: &str| {
                    let pair = format!("{name}={want}");
                    header_holds(req, opts, "cookie", |got| {
                        String::from_utf8_lossy(got)
                            .split(';')
                            .any(|kv| kv.trim_matches([' ', '\t']) == pair)
                    })
                };
                decided = if is("always") {
                    Some(true)
                } else if is("never") {
                    Some(false)
                } else {
                    None
                };
            }
            match decided {
                Some(true) => other,
                Some(false) => main,
                None if c.weight == 0 => main,
                None => format!("{main} ({}) | {other} ({})", c.total - c.weight, c.weight),
            }
        }
    };
    let mut path = req.path().to_string();
    if let Some(target) = settings.rewrite_target.as_deref().filter(|t| *t != value) {
        let re = regex::RegexBuilder::new(value)
            .case_insensitive(true)
            .build()
            .ok();
        if let Some(c) = re.as_ref().and_then(|re| re.captures(req.path())) {
            let mut out = String::new();
            let mut chars = target.chars().peekable();
            while let Some(ch) = chars.next() {
                match (ch, chars.peek().and_then(|d| d.to_digit(10))) {
                    ('$', Some(g)) => {
                        chars.next();
                        out.push_str(c.get(g as usize).map_or("", |m| m.as_str()));
                    }
                    _ => out.push(ch),
                }
            }
            path = out;
        }
    }
    Some(format!("{backends} path={path}"))
}

/// An Ingress backend as `namespace/name:port` (the port number, or its name).
fn ref_backend(ns: &str, b: &crate::model::IngressBackend) -> String {
    match &b.service {
        Some(s) => match (s.port.number, &s.port.name) {
            (Some(n), _) => format!("{ns}/{}:{n}", s.name),
            (None, Some(n)) => format!("{ns}/{}:{n}", s.name),
            _ => format!("{ns}/{}", s.name),
        },
        None => format!("{ns}/-"),
    }
}
