//! Shared helpers for the integration tests: a Gateway with one HTTP listener on port 80 that
//! admits routes from every namespace, a few Services, and a terse way to ask who wins.

#![allow(dead_code)]

use trieway::{Headers, Options, Outcome, Request, Router};

macro_rules! class {
    () => {
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
"#
    };
}

/// GatewayClass, Gateway `infra/gw` (HTTP :80, allowedRoutes All) and Services `svc-a`..`svc-d`
/// (port 80) in namespaces `default`, `a`, `a-b` and `b`.
pub const BASE: &str = concat!(
    class!(),
    r#"
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: trieway
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
"#
);

/// The GatewayClass `trieway`, served by the default controller name.
pub const CLASS: &str = class!();

pub fn services() -> String {
    let mut s = String::new();
    for ns in ["default", "a", "a-b", "b"] {
        for name in ["svc-a", "svc-b", "svc-c", "svc-d"] {
            s.push_str(&format!(
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{ports: [{{port: 80}}]}}\n"
            ));
        }
    }
    s
}

/// A router over `BASE`, the Services and `routes` (YAML documents). Panics on invalid input:
/// these tests are about routing, not validation.
pub fn router_with(routes: &str, options: Options) -> Router {
    let text = format!("{BASE}{}\n---\n{routes}", services());
    let config = trieway::Config::from_str(&text);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    Router::new(&config, options).expect("router")
}

/// [`router_with`] and default options.
pub fn router(routes: &str) -> Router {
    router_with(routes, Options::default())
}

/// Who answers: `ns/name#rule`, `404` or `421`.
pub fn hit(
    router: &Router,
    method: &str,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> String {
    let req = Request::new(method, host, target).headers(Headers::Pairs(headers));
    describe(router.route(&req))
}

/// Formats an outcome as [`hit`] does.
pub fn describe(o: Outcome<'_>) -> String {
    match o {
        Outcome::Matched(m) => format!(
            "{}/{}#{}",
            m.route().namespace,
            m.route().name,
            m.rule_index()
        ),
        Outcome::NotFound => "404".into(),
        Outcome::Misdirected => "421".into(),
        _ => "other".into(),
    }
}

/// An HTTPRoute document in namespace `ns` named `name` attached to `infra/gw`.
pub fn route(ns: &str, name: &str, spec_rest: &str) -> String {
    format!(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  parentRefs: [{{name: gw, namespace: infra}}]\n{spec_rest}\n"
    )
}
