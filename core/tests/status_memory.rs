//! Heap bytes of route statuses (issue #20, item 3): the Router keeps the attachment report,
//! and its route statuses were the largest non-trie item (176 bytes per rule, about 530 per
//! route, at 10,000 rules). The routes of one parent with the same statuses share one list of
//! parent statuses, whose conditions borrow their fixed texts.

mod common;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::retained;
use std::sync::Arc;
use trieway::model::RouteKind;
use trieway::{Config, Report};

const CONTROLLER: Option<&str> = Some("example.com/gateway-under-test");

/// `n` HTTPRoutes (1-3 rules each, backendRefs to existing Services) of Gateway `infra/gw`
/// in four namespaces, as in a multi-tenant set; every 50th names a missing Service.
fn config(n: usize) -> Config {
    let mut text = format!("{}{}", common::BASE, common::services());
    for i in 0..n {
        let ns = ["default", "a", "a-b", "b"][i % 4];
        let mut rules = String::from("  rules:\n");
        for r in 0..1 + i % 3 {
            let svc = if i % 50 == 49 { "gone" } else { "svc-a" };
            rules.push_str(&format!(
                "  - matches: [{{path: {{type: PathPrefix, value: /r{i}/{r}}}}}]\n    \
                 backendRefs: [{{name: {svc}, port: 80}}]\n"
            ));
        }
        text.push_str(&common::route(ns, &format!("route-{i}"), &rules));
    }
    let config = Config::from_str(&text);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    config
}

/// The route statuses hold at most 128 heap bytes per route: the status itself (72 bytes in
/// the report's list) and its namespace and name; the shared lists of parent statuses are a
/// few for all routes. They held about 530 bytes per route when every route had its own
/// parent status and conditions with four `String`s each.
#[test]
fn route_statuses_hold_at_most_128_bytes_per_route() {
    const N: usize = 1000;
    let config = config(N);
    let (routes, bytes) = retained(|| Report::attach(&config, CONTROLLER).routes);
    assert_eq!(routes.len(), N);
    let per_route = bytes / N as isize;
    assert!(
        per_route <= 128,
        "route statuses: {bytes} heap bytes for {N} routes, {per_route} per route"
    );
}

/// Routes with the same statuses share one list; a route with other conditions has its own,
/// and the shared list is serialized as before.
#[test]
fn equal_parent_statuses_are_shared() {
    let config = config(100);
    let report = Report::attach(&config, CONTROLLER);
    let route = |i: usize| {
        let ns = ["default", "a", "a-b", "b"][i % 4];
        report
            .route(RouteKind::Http, ns, &format!("route-{i}"))
            .unwrap()
    };
    let (a, b, missing) = (route(0), route(1), route(49));
    assert!(Arc::ptr_eq(&a.parents, &b.parents));
    assert!(!Arc::ptr_eq(&a.parents, &missing.parents));
    let resolved = |r: &trieway::RouteStatus| {
        trieway::Condition::find(&r.parents[0].conditions, "ResolvedRefs")
            .unwrap()
            .clone()
    };
    assert!(resolved(a).is_true());
    assert!(!resolved(missing).is_true());
    assert_eq!(
        serde_json::to_string(&a.parents[..]).unwrap(),
        "[{\"parent_kind\":\"Gateway\",\"parent\":\"infra/gw\",\"section_name\":null,\
         \"port\":null,\"conditions\":[{\"type\":\"Accepted\",\"status\":\"True\",\
         \"reason\":\"Accepted\",\"message\":\"route is accepted\"},{\"type\":\"ResolvedRefs\",\
         \"status\":\"True\",\"reason\":\"ResolvedRefs\",\"message\":\"all references \
         resolved\"}]}]"
    );
}
