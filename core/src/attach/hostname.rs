//! Hostname matching and listener/route hostname intersection (SPEC §2.2).
//!
//! A hostname is either precise (`foo.example.com`), a wildcard `*.s` that covers every name
//! ending in `.s` with **one or more** labels in front, or the special match-all value `*`
//! that stands for an absent hostname. Comparisons ignore ASCII case; results are lowercase.

use rustc_hash::FxHashMap;

/// Whether `host` is covered by `pattern`.
///
/// `pattern` may be `*` (matches everything), a wildcard `*.s` (matches names that end with
/// `.s` and have at least one label in front) or a precise name (ASCII-case-insensitive
/// equality). `host` is a precise name.
/// `*.example.com` covers `a.b.example.com` but not `example.com` (tests: `wildcard_matching`).
#[cfg_attr(not(feature = "convert"), allow(dead_code))] // used by convert and the tests
pub(crate) fn hostname_matches(pattern: &str, host: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => has_wildcard_suffix(host, suffix),
        None => pattern.eq_ignore_ascii_case(host),
    }
}

/// Whether `host` ends with `.suffix` and has a non-empty label part in front of it.
fn has_wildcard_suffix(host: &str, suffix: &str) -> bool {
    let (h, s) = (host.as_bytes(), suffix.as_bytes());
    // At least one character, then '.', then the suffix.
    h.len() > s.len() + 1
        && h[h.len() - s.len() - 1] == b'.'
        && h[h.len() - s.len()..].eq_ignore_ascii_case(s)
        && h[0] != b'.'
}

/// The effective hostname of one route hostname on a listener (the more specific of the two
/// when they intersect; docs/semantics.md, "Hostnames"), or `None`
/// when they do not intersect.
///
/// `listener` is the listener's hostname (`None` or `Some("*")` when absent); `route` is one
/// route hostname, `*` standing for an absent `hostnames` list. The result is lowercase; `*`
/// means every host.
/// `very.specific.com` on `*.specific.com` gives `very.specific.com`; `*.com` on
/// `*.example.com` gives `*.example.com` (tests: `row_*`).
pub(crate) fn intersect(listener: Option<&str>, route: &str) -> Option<String> {
    let l = match listener {
        None | Some("*") => return Some(route.to_ascii_lowercase()),
        Some(l) => l,
    };
    if route == "*" {
        return Some(l.to_ascii_lowercase());
    }
    match (l.strip_prefix("*."), route.strip_prefix("*.")) {
        // Precise ∩ precise: equal names only.
        (None, None) => l
            .eq_ignore_ascii_case(route)
            .then(|| route.to_ascii_lowercase()),
        // Wildcard listener, precise route: the route name when the wildcard covers it.
        (Some(s), None) => has_wildcard_suffix(route, s).then(|| route.to_ascii_lowercase()),
        // Precise listener, wildcard route: the listener name when the wildcard covers it.
        (None, Some(t)) => has_wildcard_suffix(l, t).then(|| l.to_ascii_lowercase()),
        // Wildcard ∩ wildcard: the longer one when one suffix equals or ends with `.`+other.
        (Some(s), Some(t)) => {
            if s.eq_ignore_ascii_case(t) || has_wildcard_suffix(s, t) {
                Some(l.to_ascii_lowercase())
            } else if has_wildcard_suffix(t, s) {
                Some(route.to_ascii_lowercase())
            } else {
                None
            }
        }
    }
}

/// The effective hostnames of a route on a listener: the union over the route's hostnames
/// (an empty list behaves as `*`), deduplicated, in route order.
pub(crate) fn intersect_all(listener: Option<&str>, route: &[String]) -> Vec<String> {
    if route.is_empty() {
        return intersect(listener, "*").into_iter().collect();
    }
    let mut out: Vec<String> = Vec::new();
    for h in route {
        if let Some(e) = intersect(listener, h) {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}

/// Whether two effective hostnames (each precise, `*.s` or `*`) can match a common host.
#[cfg(test)] // the reference `HostIndex` is tested against
pub(crate) fn overlaps(a: &str, b: &str) -> bool {
    intersect(Some(a), b).is_some()
}

/// A set of effective hostnames (precise, `*.s` or `*`) that answers "does any member overlap
/// this hostname?" in time linear in the hostname's label count, each member carrying an id.
#[derive(Debug, Default)]
pub(crate) struct HostIndex {
    first: Option<usize>,
    any: Option<usize>,
    exact: FxHashMap<String, usize>,
    /// Proper suffixes (after a `.`) of precise members.
    exact_suffixes: FxHashMap<String, usize>,
    /// Wildcard members, keyed by `s` of `*.s`.
    wild: FxHashMap<String, usize>,
    /// Proper suffixes (after a `.`) of the `s` of wildcard members.
    wild_suffixes: FxHashMap<String, usize>,
}

/// The suffixes of `h` that follow a `.`, longest first.
fn dot_suffixes(h: &str) -> impl Iterator<Item = &str> {
    h.char_indices()
        .filter(|&(_, c)| c == '.')
        .map(move |(i, _)| &h[i + 1..])
}

impl HostIndex {
    /// Adds `host` (lowercase) with `id`; the first id stays for repeated names.
    pub(crate) fn insert(&mut self, host: &str, id: usize) {
        fn add(map: &mut FxHashMap<String, usize>, key: &str, id: usize) {
            if !map.contains_key(key) {
                map.insert(key.to_string(), id);
            }
        }
        self.first.get_or_insert(id);
        if host == "*" {
            self.any.get_or_insert(id);
        } else if let Some(s) = host.strip_prefix("*.") {
            add(&mut self.wild, s, id);
            for t in dot_suffixes(s) {
                add(&mut self.wild_suffixes, t, id);
            }
        } else {
            add(&mut self.exact, host, id);
            for t in dot_suffixes(host) {
                add(&mut self.exact_suffixes, t, id);
            }
        }
    }

    /// The id of a member that overlaps `host` (lowercase), if any.
    pub(crate) fn find(&self, host: &str) -> Option<usize> {
        if self.any.is_some() {
            return self.any;
        }
        if host == "*" {
            return self.first;
        }
        if let Some(s) = host.strip_prefix("*.") {
            // A precise member under `*.s`, the same wildcard, a wider `*.t` (s ends with .t),
            // or a narrower wildcard (t ends with .s).
            return self
                .exact_suffixes
                .get(s)
                .or_else(|| self.wild.get(s))
                .or_else(|| dot_suffixes(s).find_map(|t| self.wild.get(t)))
                .or_else(|| self.wild_suffixes.get(s))
                .copied();
        }
        self.exact
            .get(host)
            .or_else(|| dot_suffixes(host).find_map(|t| self.wild.get(t)))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row "absent | absent": the effective hostname is `*`, which matches anything.
    #[test]
    fn row_absent_absent() {
        assert_eq!(intersect(None, "*").as_deref(), Some("*"));
        assert_eq!(intersect_all(None, &[]), vec!["*".to_string()]);
    }

    /// Row "absent | h": an absent listener hostname yields the route hostname `h`.
    #[test]
    fn row_absent_route_host() {
        assert_eq!(intersect(None, "foo.com").as_deref(), Some("foo.com"));
        assert_eq!(intersect(None, "*.foo.com").as_deref(), Some("*.foo.com"));
    }

    /// Row "l | absent": a route without hostnames yields the listener hostname `l`.
    #[test]
    fn row_listener_absent_route() {
        assert_eq!(intersect(Some("foo.com"), "*").as_deref(), Some("foo.com"));
        assert_eq!(
            intersect_all(Some("*.foo.com"), &[]),
            vec!["*.foo.com".to_string()]
        );
    }

    /// Row "precise l | precise h": `h` iff `h == l` (ASCII-case-insensitive).
    #[test]
    fn row_precise_precise() {
        assert_eq!(intersect(Some("a.com"), "a.com").as_deref(), Some("a.com"));
        assert_eq!(intersect(Some("a.com"), "A.COM").as_deref(), Some("a.com"));
        assert_eq!(intersect(Some("a.com"), "b.com"), None);
    }

    /// Row "`*.s` | precise h": `h` iff `h` matches `*.s` (one or more extra labels).
    #[test]
    fn row_wildcard_listener_precise_route() {
        let l = Some("*.example.com");
        assert_eq!(
            intersect(l, "a.example.com").as_deref(),
            Some("a.example.com")
        );
        assert_eq!(
            intersect(l, "a.b.example.com").as_deref(),
            Some("a.b.example.com")
        );
        assert_eq!(intersect(l, "example.com"), None);
        assert_eq!(intersect(l, "aexample.com"), None);
        assert_eq!(
            intersect(Some("*.com"), "example.com").as_deref(),
            Some("example.com")
        );
    }

    /// Row "precise l | `*.s`": `l` iff `l` matches `*.s`.
    #[test]
    fn row_precise_listener_wildcard_route() {
        assert_eq!(
            intersect(Some("very.specific.com"), "*.specific.com").as_deref(),
            Some("very.specific.com")
        );
        assert_eq!(intersect(Some("specific.com"), "*.specific.com"), None);
        assert_eq!(intersect(Some("other.com"), "*.specific.com"), None);
    }

    /// Row "`*.s` | `*.t`": the longer wildcard iff one suffix equals or ends with `.`+other.
    #[test]
    fn row_wildcard_wildcard() {
        assert_eq!(
            intersect(Some("*.com"), "*.example.com").as_deref(),
            Some("*.example.com")
        );
        assert_eq!(
            intersect(Some("*.example.com"), "*.com").as_deref(),
            Some("*.example.com")
        );
        assert_eq!(
            intersect(Some("*.example.com"), "*.example.com").as_deref(),
            Some("*.example.com")
        );
        assert_eq!(intersect(Some("*.example.com"), "*.example.net"), None);
        assert_eq!(intersect(Some("*.ample.com"), "*.example.com"), None);
    }

    /// The effective set is a union; non-intersecting entries are ignored for the listener.
    #[test]
    fn union_ignores_non_intersecting() {
        let r = vec![
            "test.example.com".to_string(),
            "test.example.net".to_string(),
        ];
        assert_eq!(
            intersect_all(Some("*.example.com"), &r),
            vec!["test.example.com".to_string()]
        );
        assert!(intersect_all(Some("foo.org"), &r).is_empty());
    }

    /// Wildcards cover one or more labels, never the bare suffix.
    #[test]
    fn wildcard_matching() {
        assert!(hostname_matches("*.example.com", "a.example.com"));
        assert!(hostname_matches("*.example.com", "A.B.Example.com"));
        assert!(!hostname_matches("*.example.com", "example.com"));
        assert!(!hostname_matches("*.example.com", ".example.com"));
        assert!(hostname_matches("foo.com", "FOO.com"));
        assert!(!hostname_matches("foo.com", "bar.com"));
        assert!(hostname_matches("*", ""));
        // Malformed input never panics.
        assert!(!hostname_matches("*.", "a"));
        assert!(!hostname_matches("*.", ""));
        assert_eq!(intersect(Some("*."), "*."), Some("*.".to_string()));
        assert!(intersect(Some(""), "*.x").is_none());
    }

    /// Overlap is symmetric and treats `*` as everything.
    #[test]
    fn overlap() {
        assert!(overlaps("*", "a.com"));
        assert!(overlaps("a.com", "*"));
        assert!(overlaps("*.com", "a.com"));
        assert!(overlaps("a.com", "*.com"));
        assert!(!overlaps("a.com", "b.com"));
        assert!(overlaps("*.a.com", "*.com"));
    }

    /// The index agrees with pairwise `overlaps` on every pair of a small hostname universe.
    #[test]
    fn host_index_agrees_with_overlaps() {
        let names = [
            "*",
            "a.com",
            "b.a.com",
            "*.a.com",
            "*.com",
            "*.b.a.com",
            "com",
            "x.org",
            "*.org",
            "a.org",
        ];
        for (i, member) in names.iter().enumerate() {
            let mut idx = HostIndex::default();
            idx.insert(member, i);
            for q in names {
                assert_eq!(
                    idx.find(q).is_some(),
                    overlaps(member, q),
                    "member {member} query {q}"
                );
            }
        }
    }
}
