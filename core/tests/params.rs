//! Path parameters (issue #16, item 4): `RouteMatch::params` gives the named groups of a
//! RegularExpression path, from the template trie's segments or a one-pass capture search.

mod common;

use trieway::{Options, Outcome, Request, Router};

fn route(rules: &str) -> String {
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: p, namespace: default}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  rules:
{rules}
"#
    )
}

fn rule(kind: &str, value: &str) -> String {
    format!(
        "  - matches: [{{path: {{type: {kind}, value: '{value}'}}}}]\n    backendRefs: [{{name: svc-a, port: 80}}]\n"
    )
}

/// The params of the lookup of `path`, `None` when nothing matches.
fn params(router: &Router, path: &str) -> Option<Vec<(String, String)>> {
    match router.route(&Request::new("GET", "h", path)) {
        Outcome::Matched(m) => Some(
            m.params(path)
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        ),
        _ => None,
    }
}

fn pairs(p: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
    Some(
        p.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    )
}

#[test]
fn regex_named_groups() {
    let r = common::router(&route(&format!(
        "{}{}{}",
        rule("RegularExpression", "/users/(?P<id>[0-9]+)"),
        rule(
            "RegularExpression",
            "/u/(?<user>[a-z]+)(?:-(?P<tab>[a-z]+))?/([0-9]+)"
        ),
        rule("RegularExpression", "/files/(?P<path>.*)"),
    )));
    assert_eq!(params(&r, "/users/42"), pairs(&[("id", "42")]));
    let Outcome::Matched(m) = r.route(&Request::new("GET", "h", "/users/42")) else {
        panic!("no match");
    };
    assert!(m.has_params());
    // The unnamed group is not a parameter; a named group outside the match is absent.
    assert_eq!(
        params(&r, "/u/ann-posts/7"),
        pairs(&[("user", "ann"), ("tab", "posts")])
    );
    assert_eq!(params(&r, "/u/ann/7"), pairs(&[("user", "ann")]));
    assert_eq!(
        params(&r, "/files/a/b/c.txt"),
        pairs(&[("path", "a/b/c.txt")])
    );
    assert_eq!(params(&r, "/files/"), pairs(&[("path", "")]));
    assert_eq!(params(&r, "/users/x"), None);
}

#[test]
fn template_segments() {
    let r = common::router(&route(&format!(
        "{}{}",
        rule(
            "RegularExpression",
            "/repos/(?P<owner>[^/]+)/[^/]+/issues/(?<num>[^/]+)(/.*)?"
        ),
        rule("RegularExpression", "/orgs/(?P<org>[^/]+)/"),
    )));
    assert_eq!(
        params(&r, "/repos/acme/widget/issues/12"),
        pairs(&[("owner", "acme"), ("num", "12")])
    );
    assert_eq!(
        params(&r, "/repos/acme/widget/issues/12/comments/3"),
        pairs(&[("owner", "acme"), ("num", "12")])
    );
    assert_eq!(params(&r, "/orgs/a%20b/"), pairs(&[("org", "a%20b")]));
    assert_eq!(params(&r, "/orgs/a%20b"), None);
}

#[test]
fn no_params_without_named_regex_groups() {
    let r = common::router(&route(&format!(
        "{}{}{}{}{}",
        rule("Exact", "/exact"),
        rule("PathPrefix", "/prefix"),
        rule("RegularExpression", "/plain/[0-9]+"),
        rule("RegularExpression", "/unnamed/([0-9]+)/[^/]+"),
        // Not one-pass: a `/` could end either group. Documented: no parameters.
        rule("RegularExpression", "/np/(?P<a>.*)/(?P<b>.*)"),
    )));
    for path in [
        "/exact",
        "/prefix/x",
        "/plain/1",
        "/unnamed/1/x",
        "/np/a/b/c",
    ] {
        let Outcome::Matched(m) = r.route(&Request::new("GET", "h", path)) else {
            panic!("{path}: no match");
        };
        assert!(!m.has_params(), "{path}");
    }
    for path in [
        "/exact",
        "/prefix/x",
        "/plain/1",
        "/unnamed/1/x",
        "/np/a/b/c",
    ] {
        assert_eq!(params(&r, path), Some(vec![]), "{path}");
    }
}

/// Values are slices of the path as given, on character boundaries, for non-ASCII paths too.
#[test]
fn offsets_are_the_paths_own() {
    let r = common::router(&route(&format!(
        "{}{}",
        rule("RegularExpression", "/n/(?P<name>.)(?P<rest>.*)"),
        rule("RegularExpression", "/t/(?P<seg>[^/]+)/x"),
    )));
    let path = "/n/éé€";
    let Outcome::Matched(m) = r.route(&Request::new("GET", "h", path)) else {
        panic!("no match");
    };
    let got: Vec<_> = m.params(path).collect();
    assert_eq!(got, [("name", "é"), ("rest", "é€")]);
    for (_, v) in &got {
        let start = v.as_ptr() as usize - path.as_ptr() as usize;
        assert!(start < path.len() && path.is_char_boundary(start));
    }
    assert_eq!(params(&r, "/t/日本/x"), pairs(&[("seg", "日本")]));
    // Another path than the lookup's: unspecified, but no panic.
    let Outcome::Matched(m) = r.route(&Request::new("GET", "h", "/t/a/x")) else {
        panic!("no match");
    };
    for other in ["", "x", "/", "/t", "/t/", "/é/é", "/t/a/x/y"] {
        let _ = m.params(other).count();
    }
}

/// A hostile long path: the capture search is one pass over it (the lookup's DFA already
/// made one), and the result is right.
#[test]
fn long_paths() {
    let options = Options::default();
    let r = common::router(&route(&rule(
        "RegularExpression",
        "/l/(?P<a>(?:a|b)*)(?P<b>c*)",
    )));
    let n = options.max_path_len - 8;
    let path = format!("/l/{}{}", "ab".repeat(n / 4), "c".repeat(n / 2));
    let got = params(&r, &path).expect("matches");
    assert_eq!(got[0].1.len(), n / 4 * 2);
    assert_eq!(got[1].1.len(), n / 2);
    // No match for a path with a bad last byte.
    assert_eq!(params(&r, &format!("{path}a")), None);
}

/// The capture engine counts in the regex budget.
#[test]
fn capture_engine_is_counted() {
    let plain = common::router(&route(&rule("RegularExpression", "/a/([0-9]+)/([a-z]+)")));
    let named = common::router(&route(&rule(
        "RegularExpression",
        "/a/(?P<n>[0-9]+)/(?P<w>[a-z]+)",
    )));
    assert!(named.regex_memory() > plain.regex_memory());
}
