//! An obviously linear matcher: one flat list of every `(route, rule, match)` candidate in
//! configuration order; a lookup tests every candidate and keeps the fully matching one with
//! the smallest precedence key (SPEC §4.1, computed on the spot). It is the baseline the
//! benchmarks compare with, and it is cross-checked against trieway's Router in the tests.
//!
//! It covers the subset the generators produce: one listener without hostname, exact and
//! wildcard route hostnames (or none), Exact / PathPrefix / RegularExpression paths, exact
//! headers (repeated lines joined with `,`), exact query parameters (first occurrence), method.
//! Requests are already normalized (lowercase host without port). Default options:
//! RegularExpression ranks between Exact and PathPrefix, no host isolation.

use crate::spec::{PathSpec, Req, RouteSet, Winner};
use regex::Regex;
use std::cmp::Reverse;

/// A route hostname.
#[derive(Debug, Clone)]
enum Host {
    Any,
    Exact(String),
    /// `*.suffix`: the stored string is `.suffix`.
    Wildcard(String),
}

#[derive(Debug, Clone)]
enum Path {
    Exact(String),
    /// The prefix without one trailing `/`.
    Prefix(String),
    Regex(Regex),
}

#[derive(Debug, Clone)]
struct Candidate {
    hosts: Vec<Host>,
    path: Path,
    /// K3 (0 Exact, 1 Regex, 2 Prefix) and K4 (length).
    kind: u8,
    path_len: usize,
    method: Option<&'static str>,
    headers: Vec<(&'static str, &'static str)>,
    query: Vec<(&'static str, &'static str)>,
    /// K8 + K9 as one rank (route order by creation time, then "ns/name" bytes).
    route_rank: u32,
    route: u32,
    rule: u32,
    matched: u32,
}

/// The linear matcher.
#[derive(Debug, Clone)]
pub struct Linear {
    candidates: Vec<Candidate>,
    /// `(namespace, name)` per route.
    names: Vec<(String, String)>,
}

/// The full precedence key; smaller wins.
type Key = (
    Reverse<(usize, usize)>,
    u8,
    Reverse<usize>,
    bool,
    Reverse<usize>,
    Reverse<usize>,
    u32,
    u32,
    u32,
);

impl Linear {
    /// Builds the candidate list of a route set.
    pub fn new(set: &RouteSet) -> Linear {
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
        let mut candidates = Vec::new();
        for (ri, route) in set.routes.iter().enumerate() {
            let hosts: Vec<Host> = if route.hostnames.is_empty() {
                vec![Host::Any]
            } else {
                route
                    .hostnames
                    .iter()
                    .map(|h| match h.strip_prefix('*') {
                        Some(suffix) => Host::Wildcard(suffix.to_string()),
                        None => Host::Exact(h.clone()),
                    })
                    .collect()
            };
            for (rule_i, rule) in route.rules.iter().enumerate() {
                for (mi, m) in rule.matches.iter().enumerate() {
                    let (path, kind, path_len) = match &m.path {
                        PathSpec::Exact(v) => (Path::Exact(v.clone()), 0, v.len()),
                        PathSpec::Regex(v) => (
                            Path::Regex(Regex::new(&format!("^(?:{v})$")).expect("regex")),
                            1,
                            v.len(),
                        ),
                        PathSpec::Prefix(v) => {
                            let p = v.strip_suffix('/').unwrap_or(v).to_string();
                            let len = p.len();
                            (Path::Prefix(p), 2, len)
                        }
                    };
                    candidates.push(Candidate {
                        hosts: hosts.clone(),
                        path,
                        kind,
                        path_len,
                        method: m.method,
                        headers: m.headers.clone(),
                        query: m.query.clone(),
                        route_rank: rank[ri],
                        route: ri as u32,
                        rule: rule_i as u32,
                        matched: mi as u32,
                    });
                }
            }
        }
        Linear {
            candidates,
            names: set
                .routes
                .iter()
                .map(|r| (r.namespace.clone(), r.name.clone()))
                .collect(),
        }
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// Whether there is no candidate.
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The winning candidate's `(route index, rule index, match index)`, without allocating.
    #[inline]
    pub fn route(&self, req: &Req) -> Option<(u32, u32, u32)> {
        let path = req.path();
        let query = req.query();
        let mut best: Option<(Key, &Candidate)> = None;
        for c in &self.candidates {
            let Some(host_rank) = c.hosts.iter().filter_map(|h| host_rank(h, &req.host)).max()
            else {
                continue;
            };
            if !path_ok(&c.path, path)
                || c.method.is_some_and(|m| m != req.method)
                || !c
                    .headers
                    .iter()
                    .all(|&(n, v)| header_ok(&req.headers, n, v))
                || !c
                    .query
                    .iter()
                    .all(|&(n, v)| query_value(query, n) == Some(v))
            {
                continue;
            }
            let key: Key = (
                Reverse(host_rank),
                c.kind,
                Reverse(c.path_len),
                c.method.is_none(),
                Reverse(c.headers.len()),
                Reverse(c.query.len()),
                c.route_rank,
                c.rule,
                c.matched,
            );
            if best.as_ref().is_none_or(|(k, _)| key < *k) {
                best = Some((key, c));
            }
        }
        best.map(|(_, c)| (c.route, c.rule, c.matched))
    }

    /// The winner in the form the tests compare.
    pub fn winner(&self, req: &Req) -> Winner {
        self.route(req).map(|(route, rule, m)| {
            let (ns, name) = &self.names[route as usize];
            (ns.clone(), name.clone(), rule as usize, m as usize)
        })
    }
}

/// `(K1, K2)` of a route hostname that matches `host`, or `None`.
fn host_rank(h: &Host, host: &str) -> Option<(usize, usize)> {
    match h {
        Host::Any => Some((0, 0)),
        Host::Exact(e) => (e == host).then_some((e.len(), e.len())),
        // `*.s` needs at least one label in front of `.s`.
        Host::Wildcard(dot_suffix) => (host.len() > dot_suffix.len()
            && host.ends_with(dot_suffix.as_str()))
        .then_some((0, dot_suffix.len() + 1)),
    }
}

fn path_ok(p: &Path, path: &str) -> bool {
    match p {
        Path::Exact(e) => e == path,
        Path::Prefix(p) => {
            path.starts_with(p.as_str())
                && (path.len() == p.len() || path.as_bytes()[p.len()] == b'/')
        }
        Path::Regex(re) => re.is_match(path),
    }
}

/// Exact header match against all lines of `name` joined with `,` (also the matchit-based
/// engine's).
#[inline]
pub(crate) fn header_ok(headers: &[(&str, &str)], name: &str, value: &str) -> bool {
    let (mut pos, mut lines) = (0, 0);
    let value = value.as_bytes();
    for (n, v) in headers {
        if !n.eq_ignore_ascii_case(name) {
            continue;
        }
        if lines > 0 {
            if value.get(pos) != Some(&b',') {
                return false;
            }
            pos += 1;
        }
        if value.get(pos..pos + v.len()) != Some(v.as_bytes()) {
            return false;
        }
        pos += v.len();
        lines += 1;
    }
    lines > 0 && pos == value.len()
}

/// First occurrence of a query parameter (`a` without `=` has value `""`).
#[inline]
pub(crate) fn query_value<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?.split('&').find_map(|pair| {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        (n == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_segment_wise() {
        let p = Path::Prefix("/abc".into());
        assert!(path_ok(&p, "/abc"));
        assert!(path_ok(&p, "/abc/"));
        assert!(path_ok(&p, "/abc/d"));
        assert!(!path_ok(&p, "/abcd"));
        let root = Path::Prefix(String::new());
        assert!(path_ok(&root, "/x"));
        assert!(!path_ok(&root, "x"));
    }

    #[test]
    fn wildcard_needs_a_label() {
        let w = Host::Wildcard(".example.com".into());
        assert_eq!(host_rank(&w, "a.example.com"), Some((0, 13)));
        assert_eq!(host_rank(&w, "example.com"), None);
        assert_eq!(host_rank(&w, ".example.com"), None);
    }

    #[test]
    fn joined_headers() {
        let h = [("X-A", "1"), ("x-a", "2")];
        assert!(header_ok(&h, "x-a", "1,2"));
        assert!(!header_ok(&h, "x-a", "1"));
        assert!(!header_ok(&h, "x-b", "1"));
    }
}
