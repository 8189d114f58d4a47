//! The precedence key of SPEC §4.1, computed once per candidate at compile time.
//!
//! K1/K2 (hostname) are not part of this key: the host index visits hostnames most specific
//! first, so candidates are only ever compared within one effective hostname. What remains is
//! a total order on `(path kind, path length, method, header count, query count, age, name,
//! rule index, match index)`, encoded so that *smaller sorts first* (= wins).

use std::cmp::Reverse;

/// K3, the path-kind bucket, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Bucket {
    /// Exact paths.
    Exact,
    /// Regular expressions by default (`RegexRank::BetweenExactAndPrefix`), else PathPrefix.
    Middle,
    /// PathPrefix by default, else regular expressions (`RegexRank::BelowPrefix`).
    Last,
}

/// A candidate's precedence within one hostname: smaller wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    /// K4: path length, longer first.
    pub path_len: Reverse<usize>,
    /// K5: method present first.
    pub method: Reverse<bool>,
    /// K6: more distinct header matches first.
    pub headers: Reverse<usize>,
    /// K7: more distinct query matches first.
    pub query: Reverse<usize>,
    /// K8 + K9: the route's rank by `(creationTimestamp, "namespace/name")`.
    pub route_rank: u32,
    /// K10: rule index.
    pub rule: u32,
    /// K11: match index (diagnostics; same rule ⇒ same action).
    pub matched: u32,
}

/// Orders routes by K8 (older first) then K9 (`"namespace/name"` as one byte string) and
/// returns each route's rank. Each route is `(created, namespace, name)`; the names are
/// compared as the joined string without building it.
pub(crate) fn route_ranks(routes: &[(i64, &str, &str)]) -> Vec<u32> {
    fn joined<'a>(&(_, ns, name): &(i64, &'a str, &'a str)) -> impl Iterator<Item = u8> + 'a {
        ns.bytes().chain(std::iter::once(b'/')).chain(name.bytes())
    }
    let mut order: Vec<usize> = (0..routes.len()).collect();
    order.sort_by(|&a, &b| {
        routes[a]
            .0
            .cmp(&routes[b].0)
            .then_with(|| joined(&routes[a]).cmp(joined(&routes[b])))
    });
    let mut rank = vec![0u32; routes.len()];
    for (r, i) in order.into_iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K9 compares "namespace/name" as one string: `a-b/x` sorts before `a/x` since `-` < `/`.
    #[test]
    fn namespace_name_is_one_string() {
        let r = route_ranks(&[(0, "a", "x"), (0, "a-b", "x")]);
        assert_eq!(r, vec![1, 0]);
        // The joined string decides, not the namespace alone: "a/b" < "ab/a" ('/' < 'b').
        let r = route_ranks(&[(0, "ab", "a"), (0, "a", "b")]);
        assert_eq!(r, vec![1, 0]);
    }

    /// K8: an older route wins over a smaller name.
    #[test]
    fn older_first() {
        let r = route_ranks(&[(5, "a", "a"), (1, "z", "z")]);
        assert_eq!(r, vec![1, 0]);
    }

    /// Method (K5) dominates header count (K6), which dominates query count (K7).
    #[test]
    fn key_field_order() {
        let base = Key {
            path_len: Reverse(1),
            method: Reverse(false),
            headers: Reverse(0),
            query: Reverse(0),
            route_rank: 0,
            rule: 0,
            matched: 0,
        };
        let with_method = Key {
            method: Reverse(true),
            route_rank: 9,
            ..base
        };
        let with_headers = Key {
            headers: Reverse(3),
            ..base
        };
        let with_query = Key {
            query: Reverse(5),
            ..base
        };
        assert!(with_method < with_headers);
        assert!(with_headers < with_query);
        assert!(with_query < base);
        assert!(
            Key {
                path_len: Reverse(2),
                ..base
            } < with_method
        );
    }
}
