//! The GitHub REST API route set (130 templates, the set `matchit`'s benchmarks use), in
//! Gateway API terms: a template without parameters is an `Exact` path, a template with
//! `{pN}` segments is a `RegularExpression` path where each parameter is `[^/]+`. The routes
//! have no hostnames (path-only, like matchit). Requests are the templates with the braces
//! removed (`/users/{p1}` → `/users/p1`).

use crate::spec::{created, MatchSpec, PathSpec, Req, RouteSet, RouteSpec, RuleSpec};

/// The template file, one template per line (`#` comments).
pub const ROUTES_TXT: &str = include_str!("../data/github_routes.txt");

/// Rules per HTTPRoute (the CRD allows 16).
const RULES_PER_ROUTE: usize = 16;

/// The templates in file order.
pub fn templates() -> Vec<&'static str> {
    ROUTES_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The request path for a template: braces removed.
pub fn request_path(template: &str) -> String {
    template.replace(['{', '}'], "")
}

/// The Gateway API path condition for a template.
pub fn path_spec(template: &str) -> PathSpec {
    if !template.contains('{') {
        return PathSpec::Exact(template.to_string());
    }
    let mut re = String::new();
    for seg in template.split('/').skip(1) {
        re.push('/');
        if seg.starts_with('{') && seg.ends_with('}') {
            re.push_str("[^/]+");
        } else {
            re.push_str(&regex::escape(seg));
        }
    }
    PathSpec::Regex(re)
}

/// The route set: HTTPRoutes `github/api-K` with up to 16 rules each, one template per rule,
/// in file order, all created at the same time.
pub fn route_set() -> RouteSet {
    let ts = templates();
    let routes = ts
        .chunks(RULES_PER_ROUTE)
        .enumerate()
        .map(|(k, chunk)| RouteSpec {
            namespace: "github".into(),
            name: format!("api-{k:02}"),
            created: created(0),
            hostnames: Vec::new(),
            rules: chunk
                .iter()
                .map(|t| RuleSpec {
                    matches: vec![MatchSpec::path(path_spec(t))],
                    backends: vec![("api".into(), 1)],
                })
                .collect(),
        })
        .collect();
    RouteSet {
        routes,
        services: vec![("github".into(), "api".into())],
    }
}

/// Where template `i` lives in [`route_set`]: `(route name, rule index)`.
pub fn rule_of(i: usize) -> (String, usize) {
    (
        format!("api-{:02}", i / RULES_PER_ROUTE),
        i % RULES_PER_ROUTE,
    )
}

/// One request per template, in file order (host `api.github.com`, no extra headers:
/// path-only like matchit).
pub fn requests() -> Vec<Req> {
    templates()
        .iter()
        .map(|t| Req {
            method: "GET",
            host: "api.github.com".into(),
            target: request_path(t),
            headers: Vec::new(),
        })
        .collect()
}

/// A matchit router over the same templates (value: template index).
pub fn matchit_router() -> matchit::Router<usize> {
    let mut r = matchit::Router::new();
    for (i, t) in templates().iter().enumerate() {
        r.insert(*t, i).expect("matchit insert");
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        assert_eq!(templates().len(), 130);
        assert_eq!(
            path_spec("/repos/{p1}/{p2}/git/refs"),
            PathSpec::Regex("/repos/[^/]+/[^/]+/git/refs".into())
        );
        assert_eq!(path_spec("/events"), PathSpec::Exact("/events".into()));
        assert_eq!(request_path("/users/{p1}/gists"), "/users/p1/gists");
    }
}
