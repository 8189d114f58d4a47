//! Envoy's route-table speed test shape (`test/common/router/config_impl_speed_test.cc`,
//! `BM_RouteTableSize`): one virtual host, N routes of one path kind, and a single request that
//! only the last route matches. Envoy's own benchmark uses the regex
//! `^/shelves/[^\\/]+/books/book_id_{i}$` and the path `/shelves/shelf_id_1/books/book_id_{N-1}`;
//! here the same table exists as PathPrefix, Exact and RegularExpression rules.

use crate::spec::{created, MatchSpec, PathSpec, Req, RouteSet, RouteSpec, RuleSpec};

/// The host of every route and the request.
pub const HOST: &str = "www.google.com";

/// Which path kind the N routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `PathPrefix /shelves/shelf_id_1/books/book_id_{i}`.
    Prefix,
    /// `Exact /shelves/shelf_id_1/books/book_id_{i}`.
    Exact,
    /// `RegularExpression /shelves/[^/]+/books/book_id_{i}`.
    Regex,
}

impl Kind {
    /// All kinds, in the order Envoy's newer speed test lists them.
    pub const ALL: [Kind; 3] = [Kind::Prefix, Kind::Exact, Kind::Regex];

    /// Lowercase name for benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Prefix => "prefix",
            Kind::Exact => "exact",
            Kind::Regex => "regex",
        }
    }
}

/// N routes of one kind on one host, 16 rules per HTTPRoute, in order.
pub fn route_set(kind: Kind, n: usize) -> RouteSet {
    let rules: Vec<RuleSpec> = (0..n)
        .map(|i| {
            let path = match kind {
                Kind::Prefix => PathSpec::Prefix(format!("/shelves/shelf_id_1/books/book_id_{i}")),
                Kind::Exact => PathSpec::Exact(format!("/shelves/shelf_id_1/books/book_id_{i}")),
                Kind::Regex => PathSpec::Regex(format!("/shelves/[^/]+/books/book_id_{i}")),
            };
            RuleSpec {
                matches: vec![MatchSpec::path(path)],
                backends: vec![("shelf".into(), 1)],
            }
        })
        .collect();
    let routes = rules
        .chunks(16)
        .enumerate()
        .map(|(k, chunk)| RouteSpec {
            namespace: "envoy".into(),
            name: format!("shelves-{k:05}"),
            created: created(0),
            hostnames: vec![HOST.into()],
            rules: chunk.to_vec(),
        })
        .collect();
    RouteSet {
        routes,
        services: vec![("envoy".into(), "shelf".into())],
    }
}

/// The request only the last of `n` routes matches.
pub fn request(n: usize) -> Req {
    Req {
        method: "GET",
        host: HOST.into(),
        target: format!("/shelves/shelf_id_1/books/book_id_{}", n - 1),
        headers: vec![("x-forwarded-proto", "http")],
    }
}
