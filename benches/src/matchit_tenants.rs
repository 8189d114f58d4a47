//! A matchit-based multi-tenant engine: what an embedder would build from `matchit` to route
//! the multi-tenant sets with Gateway API semantics. It is the comparison trieway's lookup is
//! measured against (issue #20), and it is cross-checked against [`crate::linear::Linear`].
//!
//! - Hosts: one [`matchit::Router`] per route hostname. Exact hostnames sit in a hash map;
//!   wildcard hostnames `*.s` in a second map keyed by `.s`, looked up label suffix by label
//!   suffix, longest (most specific) first; routes without hostnames in one last tree. The
//!   request's authority is normalized first as trieway does (port and one trailing dot
//!   dropped, ASCII lowercase, into a stack buffer when it has upper case). A tree whose
//!   candidates all fail falls through to the next, less specific, hostname (Gateway API: the
//!   host is the first precedence key, and a rule of a less specific host may still match).
//! - Paths: `Exact` is a static matchit route; `PathPrefix` `/p` is `/p`, `/p/` and
//!   `/p/{*rest}`; a `RegularExpression` of template shape (literal and `[^/]+` segments) is a
//!   route with one `{sN}` parameter per `[^/]+` segment. Any other regular expression (and a
//!   route matchit refuses to insert) is a fallback candidate, tested by its regex.
//! - Per matchit route, a short precedence list of candidates in Gateway API order (path kind
//!   Exact > RegularExpression > PathPrefix, longer first, method, headers, query, route age,
//!   rule, match): a lookup walks it and the first candidate whose conditions hold wins. matchit
//!   returns one route for a path although several may match it (`/users/v1/item3` matches
//!   `/users/v1/{*rest}` and `/users/{s2}/item3`; matchit prefers the static segment, the Gateway
//!   API the regular expression), so each list also holds every candidate of the host whose
//!   path *may* match a path that reaches that route, with a path check; for a static route the
//!   question is decided when building, for the others a check is skipped only where the route
//!   implies the candidate's path. Exact candidates never need a place in another route's list:
//!   matchit always answers an exact path with its static route.
//!
//! Requests come prepared ([`Prepared`]: path and query split, as a proxy has them), the same
//! inputs trieway's lookups get in the benchmarks. The engine's own code does not allocate in a
//! lookup; matchit 0.8 does in two cases (tests/matchit_tenants.rs counts them): a parameter
//! list past 3 parameters, and its backtracking stack when a path walks past a static child
//! that overlaps a parameter (about 8% of the requests of a tenant mix at N = 1,000).

use crate::linear::{header_ok, query_value};
use crate::spec::{PathSpec, Req, RouteSet, Winner};
use regex::Regex;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Host maps hash with FxHash, as trieway's host index does.
type FxMap<V> = rustc_hash::FxHashMap<Box<str>, V>;

/// A request with its target split, built once outside the measured loops.
#[derive(Debug, Clone, Copy)]
pub struct Prepared<'a> {
    /// Method.
    pub method: &'a str,
    /// Authority as received (may carry a port or upper case).
    pub host: &'a str,
    /// Path (before `?`).
    pub path: &'a str,
    /// Query (after the first `?`).
    pub query: Option<&'a str>,
    /// Header lines in order.
    pub headers: &'a [(&'static str, &'static str)],
}

impl<'a> Prepared<'a> {
    /// Borrows a generated request.
    pub fn of(req: &'a Req) -> Self {
        Prepared {
            method: req.method,
            host: &req.host,
            path: req.path(),
            query: req.query(),
            headers: &req.headers,
        }
    }
}

/// One path segment of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Lit(String),
    /// `[^/]+`: one or more bytes other than `/`.
    Param,
}

/// A candidate's path condition, as the engine classifies it.
#[derive(Debug, Clone)]
enum Shape {
    Exact(String),
    /// Without one trailing `/` (`""` for `/`).
    Prefix(String),
    /// Segments after the leading `/`.
    Template(Vec<Seg>),
    /// Any other regular expression, with the literal text every match starts with.
    Other(Regex, String),
}

/// What a list entry still has to check of the path.
#[derive(Debug, Clone)]
enum Check {
    /// The matchit route implies the path condition.
    None,
    Prefix(Box<str>),
    Template(Box<[Seg]>),
    Regex(Regex),
}

/// One entry of a precedence list.
#[derive(Debug, Clone)]
struct Entry {
    check: Check,
    method: Option<&'static str>,
    headers: Box<[(&'static str, &'static str)]>,
    query: Box<[(&'static str, &'static str)]>,
    /// `(route, rule, match)`.
    id: (u32, u32, u32),
}

/// Precedence within one host tree (the host keys are equal there); smaller wins.
type Key = (
    u8,
    Reverse<usize>,
    bool,
    Reverse<usize>,
    Reverse<usize>,
    u32,
    u32,
    u32,
);

#[derive(Debug, Clone)]
struct Candidate {
    shape: Shape,
    key: Key,
    method: Option<&'static str>,
    headers: Vec<(&'static str, &'static str)>,
    query: Vec<(&'static str, &'static str)>,
    id: (u32, u32, u32),
}

/// A matchit route and which paths reach it.
#[derive(Debug, Clone)]
enum RouteKind {
    Static(String),
    /// `p/{*rest}`: `p/` followed by at least one byte.
    CatchAll(String),
    Template(Vec<Seg>),
}

/// The routes of one hostname.
#[derive(Debug)]
struct Tree {
    paths: matchit::Router<u32>,
    /// Precedence list per matchit route value.
    lists: Vec<Box<[Entry]>>,
    /// Fallback candidates, tested when matchit finds no route.
    miss: Box<[Entry]>,
}

/// The matchit-based engine over a [`RouteSet`].
#[derive(Debug)]
pub struct MatchitTenants {
    exact: FxMap<Tree>,
    /// Keyed by `.suffix` of `*.suffix`.
    wildcard: FxMap<Tree>,
    any: Option<Tree>,
    names: Vec<(String, String)>,
    stats: Stats,
}

/// Build statistics: how much of the set matchit routes directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Candidates placed (one per match and hostname).
    pub candidates: usize,
    /// Candidates matchit cannot route (non-template regexes, refused insertions).
    pub fallback: usize,
    /// matchit routes over all trees.
    pub routes: usize,
    /// Entries over all precedence lists.
    pub entries: usize,
}

/// Splits a path after its leading `/` into segments (`/` gives one empty segment).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// The template of a regular expression made of `/`-separated literal and `[^/]+` segments
/// (literal characters possibly escaped with `\`), or `None`.
fn template(re: &str) -> Option<Vec<Seg>> {
    let mut rest = re.strip_prefix('/')?;
    let mut segs = Vec::new();
    loop {
        // One segment: exactly `[^/]+`, or literal characters up to the next `/`.
        if let Some(after) = rest.strip_prefix("[^/]+") {
            if !(after.is_empty() || after.starts_with('/')) {
                return None;
            }
            segs.push(Seg::Param);
            rest = after;
        } else {
            let mut lit = String::new();
            let mut chars = rest.char_indices();
            let mut end = rest.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '/' => {
                        end = i;
                        break;
                    }
                    '\\' => {
                        let (_, e) = chars.next()?;
                        if !e.is_ascii_punctuation() {
                            return None;
                        }
                        lit.push(e);
                    }
                    '.' | '^' | '$' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => {
                        return None
                    }
                    c => lit.push(c),
                }
            }
            segs.push(Seg::Lit(lit));
            rest = &rest[end..];
        }
        match rest.strip_prefix('/') {
            Some(r) => rest = r,
            None => return Some(segs),
        }
    }
}

/// The literal text every match of an anchored regex must start with (conservative).
fn literal_prefix(re: &str) -> String {
    let mut out = String::new();
    let mut chars = re.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(e),
                _ => break,
            },
            '.' | '^' | '$' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' => break,
            c => {
                // A quantifier after this character makes it optional.
                if matches!(chars.peek(), Some('*' | '?' | '{')) {
                    break;
                }
                out.push(c);
            }
        }
    }
    out
}

/// Escapes `{` and `}` for a matchit route.
fn escape(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

fn template_route(segs: &[Seg]) -> String {
    let mut r = String::new();
    for (i, s) in segs.iter().enumerate() {
        r.push('/');
        match s {
            Seg::Lit(l) => r.push_str(&escape(l)),
            Seg::Param => {
                r.push_str(&format!("{{s{i}}}"));
            }
        }
    }
    r
}

#[inline]
fn prefix_ok(prefix: &str, path: &str) -> bool {
    path.len() >= prefix.len()
        && path.as_bytes()[..prefix.len()] == *prefix.as_bytes()
        && (path.len() == prefix.len() || path.as_bytes()[prefix.len()] == b'/')
}

#[inline]
fn template_ok(segs: &[Seg], path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let mut parts = rest.split('/');
    for s in segs {
        let Some(p) = parts.next() else {
            return false;
        };
        let ok = match s {
            Seg::Lit(l) => l == p,
            Seg::Param => !p.is_empty(),
        };
        if !ok {
            return false;
        }
    }
    parts.next().is_none()
}

impl Shape {
    fn matches(&self, path: &str) -> bool {
        match self {
            Shape::Exact(e) => e == path,
            Shape::Prefix(p) => prefix_ok(p, path),
            Shape::Template(t) => template_ok(t, path),
            Shape::Other(re, _) => re.is_match(path),
        }
    }

    fn check(&self) -> Check {
        match self {
            Shape::Exact(_) => unreachable!("exact candidates are never checked"),
            Shape::Prefix(p) => Check::Prefix(p.as_str().into()),
            Shape::Template(t) => Check::Template(t.clone().into()),
            Shape::Other(re, _) => Check::Regex(re.clone()),
        }
    }
}

/// Segment view of a non-static route or candidate: literal-or-parameter segments and whether
/// more segments may follow.
fn seg_view(segs: &[Seg], open: bool) -> (Vec<Option<&str>>, bool) {
    (
        segs.iter()
            .map(|s| match s {
                Seg::Lit(l) => Some(l.as_str()),
                Seg::Param => None,
            })
            .collect(),
        open,
    )
}

fn lit_segs(p: &str) -> Vec<Seg> {
    if p.is_empty() {
        return Vec::new();
    }
    segments(p).map(|s| Seg::Lit(s.to_string())).collect()
}

/// Whether some path may satisfy both segment views (conservative: may say yes wrongly).
fn compatible(a: &(Vec<Option<&str>>, bool), b: &(Vec<Option<&str>>, bool)) -> bool {
    let agree =
        a.0.iter()
            .zip(&b.0)
            .all(|(x, y)| !matches!((x, y), (Some(x), Some(y)) if x != y));
    let lengths = match (a.1, b.1) {
        (true, true) => true,
        (true, false) => b.0.len() >= a.0.len(),
        (false, true) => a.0.len() >= b.0.len(),
        (false, false) => a.0.len() == b.0.len(),
    };
    agree && lengths
}

/// The literal text every path of a route starts with.
fn route_literal(kind: &RouteKind) -> String {
    match kind {
        RouteKind::Static(s) => s.clone(),
        RouteKind::CatchAll(p) => format!("{p}/"),
        RouteKind::Template(t) => {
            let mut out = String::new();
            for s in t {
                out.push('/');
                match s {
                    Seg::Lit(l) => out.push_str(l),
                    Seg::Param => break,
                }
            }
            out
        }
    }
}

/// Whether candidate `c` must be in the list of non-static route `kind`, and if so whether
/// its path still needs a check (`Some(true)`).
fn placement(c: &Candidate, kind: &RouteKind) -> Option<bool> {
    let (route_segs, route_open) = match kind {
        RouteKind::Static(s) => return c.shape.matches(s).then_some(false),
        RouteKind::CatchAll(p) => (lit_segs(p), true),
        RouteKind::Template(t) => (t.clone(), false),
    };
    let rv = seg_view(&route_segs, route_open);
    match &c.shape {
        // matchit answers an exact path with its static route.
        Shape::Exact(_) => None,
        Shape::Prefix(q) => {
            let qs = lit_segs(q);
            let cv = seg_view(&qs, true);
            if !compatible(&cv, &rv) {
                return None;
            }
            // Implied when the route's first segments are the prefix's literals (a catch-all
            // route has at least one more segment; a template exactly its own).
            let implied =
                qs.len() <= route_segs.len() && qs.iter().zip(&route_segs).all(|(a, b)| a == b);
            Some(!implied)
        }
        Shape::Template(t) => {
            let cv = seg_view(t, false);
            if !compatible(&cv, &rv) {
                return None;
            }
            let implied = !route_open
                && t.len() == route_segs.len()
                && t.iter().zip(&route_segs).all(|(a, b)| match (a, b) {
                    (Seg::Param, Seg::Param) => true,
                    (Seg::Param, Seg::Lit(l)) => !l.is_empty(),
                    (Seg::Lit(x), Seg::Lit(y)) => x == y,
                    (Seg::Lit(_), Seg::Param) => false,
                });
            Some(!implied)
        }
        Shape::Other(_, lit) => {
            let r = route_literal(kind);
            (r.starts_with(lit.as_str()) || lit.starts_with(r.as_str())).then_some(true)
        }
    }
}

fn entry(c: &Candidate, check: bool) -> Entry {
    Entry {
        check: if check { c.shape.check() } else { Check::None },
        method: c.method,
        headers: c.headers.clone().into(),
        query: c.query.clone().into(),
        id: c.id,
    }
}

impl Tree {
    fn build(mut cands: Vec<Candidate>, stats: &mut Stats) -> Tree {
        cands.sort_by_key(|c| c.key);
        let mut paths = matchit::Router::new();
        let mut kinds: Vec<RouteKind> = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        // Candidates matchit cannot route: tested on a miss and wherever they may overlap.
        let mut fallback = vec![false; cands.len()];
        for (ci, c) in cands.iter().enumerate() {
            let routes: Vec<(String, RouteKind)> = match &c.shape {
                Shape::Exact(e) => vec![(escape(e), RouteKind::Static(e.clone()))],
                Shape::Prefix(p) => vec![
                    (
                        escape(if p.is_empty() { "/" } else { p }),
                        RouteKind::Static(if p.is_empty() { "/".into() } else { p.clone() }),
                    ),
                    (escape(&format!("{p}/")), RouteKind::Static(format!("{p}/"))),
                    (
                        format!("{}/{{*rest}}", escape(p)),
                        RouteKind::CatchAll(p.clone()),
                    ),
                ],
                Shape::Template(t) => vec![(template_route(t), RouteKind::Template(t.clone()))],
                Shape::Other(..) => {
                    fallback[ci] = true;
                    continue;
                }
            };
            for (route, kind) in routes {
                if seen.contains_key(&route) {
                    continue;
                }
                if paths.insert(route.clone(), kinds.len() as u32).is_err() {
                    fallback[ci] = true;
                    continue;
                }
                seen.insert(route, ());
                kinds.push(kind);
            }
        }
        let lists: Vec<Box<[Entry]>> = kinds
            .iter()
            .map(|kind| {
                cands
                    .iter()
                    .filter_map(|c| placement(c, kind).map(|check| entry(c, check)))
                    .collect()
            })
            .collect();
        let miss: Box<[Entry]> = cands
            .iter()
            .zip(&fallback)
            .filter(|(_, f)| **f)
            .map(|(c, _)| entry(c, true))
            .collect();
        stats.candidates += cands.len();
        stats.fallback += miss.len();
        stats.routes += kinds.len();
        stats.entries += lists.iter().map(|l| l.len()).sum::<usize>() + miss.len();
        Tree { paths, lists, miss }
    }

    #[inline]
    fn route(&self, req: &Prepared<'_>) -> Option<(u32, u32, u32)> {
        let list: &[Entry] = match self.paths.at(req.path) {
            Ok(m) => &self.lists[*m.value as usize],
            Err(_) => &self.miss,
        };
        list.iter().find(|e| e.matches(req)).map(|e| e.id)
    }
}

impl Entry {
    #[inline]
    fn matches(&self, req: &Prepared<'_>) -> bool {
        (match &self.check {
            Check::None => true,
            Check::Prefix(p) => prefix_ok(p, req.path),
            Check::Template(t) => template_ok(t, req.path),
            Check::Regex(re) => re.is_match(req.path),
        }) && self.method.is_none_or(|m| m == req.method)
            && self
                .headers
                .iter()
                .all(|&(n, v)| header_ok(req.headers, n, v))
            && self
                .query
                .iter()
                .all(|&(n, v)| query_value(req.query, n) == Some(v))
    }
}

/// Splits an authority as trieway does: the host without port and one trailing dot, and
/// whether it has upper case (then it needs [`lowercase`]).
#[inline]
fn split_host(authority: &str) -> (&str, bool) {
    let bytes = authority.as_bytes();
    let mut end = bytes.len();
    let mut upper = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':' {
            end = i;
            break;
        }
        upper |= b.is_ascii_uppercase();
    }
    let host = &authority[..end];
    (host.strip_suffix('.').unwrap_or(host), upper)
}

/// ASCII-lowercases `host` into `buf`; `None` when it does not fit.
fn lowercase<'a>(host: &str, buf: &'a mut [u8; 256]) -> Option<&'a str> {
    let out = buf.get_mut(..host.len())?;
    out.copy_from_slice(host.as_bytes());
    out.make_ascii_lowercase();
    std::str::from_utf8(out).ok()
}

impl MatchitTenants {
    /// Builds the engine over a route set (the subset [`crate::linear`] covers).
    pub fn new(set: &RouteSet) -> MatchitTenants {
        let mut order: Vec<usize> = (0..set.routes.len()).collect();
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&set.routes[a], &set.routes[b]);
            ra.created.cmp(&rb.created).then_with(|| {
                format!("{}/{}", ra.namespace, ra.name)
                    .as_bytes()
                    .cmp(format!("{}/{}", rb.namespace, rb.name).as_bytes())
            })
        });
        let mut rank = vec![0u32; set.routes.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32;
        }
        let mut exact: HashMap<String, Vec<Candidate>> = HashMap::new();
        let mut wildcard: HashMap<String, Vec<Candidate>> = HashMap::new();
        let mut any: Vec<Candidate> = Vec::new();
        for (ri, route) in set.routes.iter().enumerate() {
            for (rule_i, rule) in route.rules.iter().enumerate() {
                for (mi, m) in rule.matches.iter().enumerate() {
                    let (shape, kind, len) = match &m.path {
                        PathSpec::Exact(v) => (Shape::Exact(v.clone()), 0, v.len()),
                        PathSpec::Regex(v) => {
                            let shape = match template(v) {
                                Some(t) => Shape::Template(t),
                                None => Shape::Other(
                                    Regex::new(&format!("^(?:{v})$")).expect("regex"),
                                    literal_prefix(v),
                                ),
                            };
                            (shape, 1, v.len())
                        }
                        PathSpec::Prefix(v) => {
                            let p = v.strip_suffix('/').unwrap_or(v).to_string();
                            let len = p.len();
                            (Shape::Prefix(p), 2, len)
                        }
                    };
                    let c = Candidate {
                        shape,
                        key: (
                            kind,
                            Reverse(len),
                            m.method.is_none(),
                            Reverse(m.headers.len()),
                            Reverse(m.query.len()),
                            rank[ri],
                            rule_i as u32,
                            mi as u32,
                        ),
                        method: m.method,
                        headers: m.headers.clone(),
                        query: m.query.clone(),
                        id: (ri as u32, rule_i as u32, mi as u32),
                    };
                    if route.hostnames.is_empty() {
                        any.push(c.clone());
                    }
                    for h in &route.hostnames {
                        match h.strip_prefix('*') {
                            Some(suffix) => wildcard.entry(suffix.to_string()),
                            None => exact.entry(h.clone()),
                        }
                        .or_default()
                        .push(c.clone());
                    }
                }
            }
        }
        let mut stats = Stats::default();
        let mut build = |m: HashMap<String, Vec<Candidate>>| -> FxMap<Tree> {
            m.into_iter()
                .map(|(h, c)| (h.into_boxed_str(), Tree::build(c, &mut stats)))
                .collect()
        };
        let exact = build(exact);
        let wildcard = build(wildcard);
        let any = (!any.is_empty()).then(|| Tree::build(any, &mut stats));
        MatchitTenants {
            exact,
            wildcard,
            any,
            names: set
                .routes
                .iter()
                .map(|r| (r.namespace.clone(), r.name.clone()))
                .collect(),
            stats,
        }
    }

    /// Build statistics.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The winning candidate's `(route index, rule index, match index)` (see the module
    /// documentation for matchit's allocations).
    #[inline]
    pub fn route(&self, req: &Prepared<'_>) -> Option<(u32, u32, u32)> {
        let (host, upper) = split_host(req.host);
        if upper {
            // The uncommon case pays for the copy (and the buffer's initialization).
            let mut buf = [0u8; 256];
            self.route_host(lowercase(host, &mut buf), req)
        } else {
            self.route_host(Some(host), req)
        }
    }

    #[inline]
    fn route_host(&self, host: Option<&str>, req: &Prepared<'_>) -> Option<(u32, u32, u32)> {
        if let Some(host) = host {
            if let Some(t) = self.exact.get(host) {
                if let Some(w) = t.route(req) {
                    return Some(w);
                }
            }
            if !self.wildcard.is_empty() {
                // `*.s` needs at least one label in front of `.s`: suffixes start at a dot
                // after the first byte, longest first.
                for (i, b) in host.bytes().enumerate().skip(1) {
                    if b != b'.' {
                        continue;
                    }
                    if let Some(t) = self.wildcard.get(&host[i..]) {
                        if let Some(w) = t.route(req) {
                            return Some(w);
                        }
                    }
                }
            }
        }
        self.any.as_ref().and_then(|t| t.route(req))
    }

    /// The winner in the form the tests compare.
    pub fn winner(&self, req: &Req) -> Winner {
        self.route(&Prepared::of(req)).map(|(route, rule, m)| {
            let (ns, name) = &self.names[route as usize];
            (ns.clone(), name.clone(), rule as usize, m as usize)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_literal_prefixes() {
        assert_eq!(
            template("/users/[^/]+/item3"),
            Some(vec![
                Seg::Lit("users".into()),
                Seg::Param,
                Seg::Lit("item3".into())
            ])
        );
        assert_eq!(
            template(r"/a\.b/[^/]+"),
            Some(vec![Seg::Lit("a.b".into()), Seg::Param])
        );
        assert_eq!(template("/users/files/.*\\.(png|jpg)"), None);
        assert_eq!(template("/a|/b"), None);
        assert_eq!(
            literal_prefix("/users/files/.*\\.(png|jpg)"),
            "/users/files/"
        );
        assert_eq!(literal_prefix("/ab?c"), "/a");
    }

    #[test]
    fn host_normalization() {
        let mut buf = [0u8; 256];
        assert_eq!(split_host("A.Example.COM:8080"), ("A.Example.COM", true));
        assert_eq!(split_host("a.example.com."), ("a.example.com", false));
        assert_eq!(lowercase("A.Example.COM", &mut buf), Some("a.example.com"));
        assert_eq!(lowercase(&"A".repeat(300), &mut buf), None);
    }

    #[test]
    fn checks() {
        assert!(prefix_ok("/a", "/a/b"));
        assert!(!prefix_ok("/a", "/ab"));
        assert!(prefix_ok("", "/"));
        let t = template("/u/[^/]+/x").expect("template");
        assert!(template_ok(&t, "/u/1/x"));
        assert!(!template_ok(&t, "/u//x"));
        assert!(!template_ok(&t, "/u/1/x/"));
    }
}
