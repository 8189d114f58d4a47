//! GRPCRoute matches (SPEC §7.1) and their precedence key (SPEC §4.3).
//!
//! A gRPC call's `:path` is `/{service}/{method}`, split at the last `/`. An Exact match with
//! service and method compares both; with only one, that one; RegularExpression matches apply
//! anchored regexes to each present component. A malformed path satisfies only matches without
//! a method matcher.

use super::conds::ValueMatch;
use super::dfa::Dfa as Regex;
use super::Chunked;
use std::cmp::Reverse;

/// The service/method condition of a GRPCRoute match.
#[derive(Debug, Clone, Default)]
pub(crate) struct GrpcCond {
    /// `None`: any service.
    pub service: Option<ValueMatch>,
    /// `None`: any method.
    pub method: Option<ValueMatch>,
    /// Characters an Exact service contributes to precedence (0 for regex or absent).
    pub service_len: usize,
    /// Characters an Exact method contributes to precedence (0 for regex or absent).
    pub method_len: usize,
    /// `/{service}/{method}` as configured (a regex as its pattern, an absent part as `*`):
    /// the match's low-cardinality `http.route`.
    pub template: Box<str>,
}

/// `(service, method)` of a gRPC `:path`, or `None` when it is not `/{service}/{method}`.
pub(crate) fn split_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix('/')?;
    let (service, method) = rest.rsplit_once('/')?;
    (!service.is_empty() && !method.is_empty()).then_some((service, method))
}

fn ok(v: &Option<ValueMatch>, regexes: &Chunked<Regex>, got: &str) -> bool {
    match v {
        None => true,
        Some(ValueMatch::Exact(e)) => **e == *got.as_bytes(),
        Some(ValueMatch::Regex(i)) => regexes[*i as usize].is_match(got.as_bytes()),
    }
}

/// Whether the service/method condition holds for `path`.
pub(crate) fn matches(c: &GrpcCond, regexes: &Chunked<Regex>, path: &str) -> bool {
    match split_path(path) {
        Some((service, method)) => {
            ok(&c.service, regexes, service) && ok(&c.method, regexes, method)
        }
        None => c.service.is_none() && c.method.is_none(),
    }
}

/// SPEC §4.3 after the hostname: longer Exact service, longer Exact method, more headers,
/// then the route's rank (age, `ns/name`), rule index, match index. Smaller wins.
pub(crate) type GrpcKey = (
    Reverse<usize>,
    Reverse<usize>,
    Reverse<usize>,
    u32,
    u32,
    u32,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(s: &str) -> Option<ValueMatch> {
        Some(ValueMatch::Exact(s.as_bytes().into()))
    }

    /// Service+method compare both; service only matches any method; method only any service;
    /// malformed paths match only conditions without service and method (SPEC §7.1).
    #[test]
    fn service_and_method() {
        let both = GrpcCond {
            service: exact("foo.Echo"),
            method: exact("Ping"),
            ..GrpcCond::default()
        };
        let svc = GrpcCond {
            service: exact("foo.Echo"),
            ..GrpcCond::default()
        };
        let meth = GrpcCond {
            method: exact("Ping"),
            ..GrpcCond::default()
        };
        let any = GrpcCond::default();
        assert!(matches(&both, &Chunked::new(), "/foo.Echo/Ping"));
        assert!(!matches(&both, &Chunked::new(), "/foo.Echo/Pong"));
        assert!(matches(&svc, &Chunked::new(), "/foo.Echo/Pong"));
        assert!(!matches(&svc, &Chunked::new(), "/foo.Echo2/Pong"));
        assert!(matches(&meth, &Chunked::new(), "/bar.Other/Ping"));
        assert!(!matches(&meth, &Chunked::new(), "/malformed"));
        assert!(matches(&any, &Chunked::new(), "/malformed"));
        assert_eq!(split_path("/a.b.C/M"), Some(("a.b.C", "M")));
        assert_eq!(split_path("/a/b/M"), Some(("a/b", "M")));
        assert_eq!(split_path("/M"), None);
    }
}
