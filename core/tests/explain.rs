//! `Router::explain`: the listener, the hostnames tried, each candidate's verdict (the first
//! failed condition, or the winner that shadows it and the precedence step), routes not
//! attached, and the outcome `route()` returns.

mod common;

use trieway::explain::{ConditionKind, ExplainedOutcome, PrecedenceStep, Verdict};
use trieway::{Explanation, Headers, Request};

fn explain(router: &trieway::Router, host: &str, target: &str, h: &[(&str, &str)]) -> Explanation {
    let req = Request::new("GET", host, target).headers(Headers::Pairs(h));
    let e = router.explain(&req);
    // The explanation's own winner is what route() returns.
    assert_eq!(e.winner().map(|w| &w.id), e.outcome.matched(), "{e:#?}");
    e
}

/// The verdict of rule `rule` of route `name` (its first candidate).
fn verdict<'e>(e: &'e Explanation, name: &str, rule: usize) -> &'e Verdict {
    &e.candidates
        .iter()
        .find(|c| c.id.name == name && c.id.rule == rule)
        .unwrap_or_else(|| panic!("no candidate {name}#{rule} in {e:#?}"))
        .verdict
}

fn step(v: &Verdict) -> PrecedenceStep {
    match v {
        Verdict::Shadowed { step, .. } => *step,
        other => panic!("not shadowed: {other:?}"),
    }
}

/// A 404 names the first condition that failed, with what the request had.
#[test]
fn not_found_names_the_failed_condition() {
    let r = common::router(&common::route(
        "default",
        "api",
        "  rules:\n  - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: X-Version, value: '2'}], queryParams: [{name: v, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: Exact, value: /other}}]\n    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let e = explain(&r, "example.com", "/api/items", &[]);
    assert_eq!(e.outcome, ExplainedOutcome::NotFound);
    let Verdict::Failed { condition } = verdict(&e, "api", 0) else {
        panic!("{e:#?}")
    };
    assert_eq!(condition.kind, ConditionKind::Header);
    assert_eq!(condition.name.as_deref(), Some("x-version"));
    assert_eq!(condition.actual, None);
    assert_eq!(condition.expected, "\"2\"");
    // With the header, the query parameter fails next, and says what it got.
    let e = explain(&r, "example.com", "/api?v=3", &[("x-version", "2")]);
    let Verdict::Failed { condition } = verdict(&e, "api", 0) else {
        panic!("{e:#?}")
    };
    assert_eq!(condition.kind, ConditionKind::QueryParam);
    assert_eq!(condition.actual.as_deref(), Some("3"));
    let Verdict::Failed { condition } = verdict(&e, "api", 1) else {
        panic!("{e:#?}")
    };
    assert_eq!(condition.kind, ConditionKind::Path);
    // And with both, it matches.
    let e = explain(&r, "example.com", "/api?v=1", &[("x-version", "2")]);
    assert_eq!(verdict(&e, "api", 0), &Verdict::Matched);
    assert!(matches!(e.outcome, ExplainedOutcome::Matched { .. }));
    let text = e.to_string();
    assert!(
        text.starts_with("matched: HTTPRoute default/api rule 0 match 0"),
        "{text}"
    );
}

/// Each precedence step is named: path kind, path length, method, header count, age,
/// namespace/name, rule order.
#[test]
fn shadowed_rules_name_the_precedence_step() {
    let routes = [
        common::route(
            "default",
            "winner",
            "  rules:\n  - matches: [{path: {type: Exact, value: /a/b}, method: GET, headers: [{name: x, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: Exact, value: /a/b}, method: GET, headers: [{name: x, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: Exact, value: /a/b}, method: GET}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: Exact, value: /a/b}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: PathPrefix, value: /a/b}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: PathPrefix, value: /a}}]\n    backendRefs: [{name: svc-a, port: 80}]",
        ),
        // Same key as rule 0 of `winner`, smaller name: loses only on age (created later).
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: aaa-young, namespace: default, creationTimestamp: '2030-01-01T00:00:00Z'}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  rules:\n  - matches: [{path: {type: Exact, value: /a/b}, method: GET, headers: [{name: x, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n".to_string(),
        // Same key and age as `winner`, larger name.
        common::route(
            "default",
            "zzz",
            "  rules:\n  - matches: [{path: {type: Exact, value: /a/b}, method: GET, headers: [{name: x, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]",
        ),
    ];
    let r = common::router(&routes.concat());
    let e = explain(&r, "example.com", "/a/b", &[("x", "1")]);
    assert_eq!(verdict(&e, "winner", 0), &Verdict::Matched);
    assert_eq!(step(verdict(&e, "winner", 1)), PrecedenceStep::RuleOrder);
    assert_eq!(step(verdict(&e, "winner", 2)), PrecedenceStep::HeaderCount);
    assert_eq!(step(verdict(&e, "winner", 3)), PrecedenceStep::Method);
    assert_eq!(step(verdict(&e, "winner", 4)), PrecedenceStep::PathKind);
    assert_eq!(step(verdict(&e, "winner", 5)), PrecedenceStep::PathKind);
    assert_eq!(step(verdict(&e, "aaa-young", 0)), PrecedenceStep::Age);
    assert_eq!(step(verdict(&e, "zzz", 0)), PrecedenceStep::NamespaceName);
    // Below the Exact paths, the longer prefix wins.
    let deeper = explain(&r, "example.com", "/a/b/c", &[("x", "1")]);
    assert_eq!(verdict(&deeper, "winner", 4), &Verdict::Matched);
    assert_eq!(
        step(verdict(&deeper, "winner", 5)),
        PrecedenceStep::PathLength
    );
    // JSON: plain data, verdicts tagged.
    let json = serde_json::to_value(&e).unwrap();
    let zzz = json["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "zzz")
        .unwrap();
    assert_eq!(zzz["verdict"], "shadowed");
    assert_eq!(zzz["step"], "namespace_name");
    assert_eq!(zzz["by"]["name"], "winner");
}

/// Hostnames are tried most specific first; a more specific hostname without a matching rule
/// falls back, and a match on a less specific one after the winner is shadowed by hostname.
#[test]
fn hostnames_in_order() {
    let routes = [
        common::route(
            "default",
            "exact",
            "  hostnames: [foo.example.com]\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /x}}]\n    backendRefs: [{name: svc-a, port: 80}]",
        ),
        common::route(
            "default",
            "wild",
            "  hostnames: ['*.example.com']\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /}}]\n    backendRefs: [{name: svc-a, port: 80}]",
        ),
        common::route(
            "default",
            "any",
            "  rules:\n  - matches: [{path: {type: PathPrefix, value: /}}]\n    backendRefs: [{name: svc-a, port: 80}]",
        ),
    ];
    let r = common::router(&routes.concat());
    let e = explain(&r, "FOO.example.com:80", "/y", &[]);
    let names: Vec<(&str, bool)> = e
        .hostnames
        .iter()
        .map(|h| (h.hostname.as_str(), h.tried))
        .collect();
    assert_eq!(
        names,
        [
            ("foo.example.com", true),
            ("*.example.com", true),
            ("*", false)
        ]
    );
    assert_eq!(e.listener.host.as_deref(), Some("foo.example.com"));
    assert_eq!(e.listener.listener.as_deref(), Some("http"));
    assert!(matches!(verdict(&e, "exact", 0), Verdict::Failed { .. }));
    assert_eq!(verdict(&e, "wild", 0), &Verdict::Matched);
    assert_eq!(step(verdict(&e, "any", 0)), PrecedenceStep::Hostname);
}

/// A route refused by the Gateway is listed with its condition; a request on a port without
/// listener says so.
#[test]
fn not_attached_and_no_listener() {
    let text = format!(
        "{}{}\n---\n{}",
        common::BASE,
        common::services(),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: lost, namespace: default}\nspec:\n  parentRefs: [{name: gw, namespace: infra, sectionName: nope}]\n  hostnames: [example.com]\n  rules:\n  - matches: [{path: {type: Exact, value: /only}}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - backendRefs: [{name: svc-a, port: 80}]\n"
    );
    let config = trieway::Config::from_str(&text);
    let r = trieway::Router::new(&config, trieway::Options::default()).unwrap();
    let e = explain(&r, "example.com", "/", &[]);
    assert_eq!(e.outcome, ExplainedOutcome::NotFound);
    let lost = e
        .not_attached
        .iter()
        .find(|n| n.name == "lost")
        .expect("lost is listed");
    let status = r
        .report()
        .route(trieway::model::RouteKind::Http, "default", "lost")
        .unwrap();
    let accepted = trieway::Condition::find(&status.parents[0].conditions, "Accepted").unwrap();
    assert_eq!(lost.reason, accepted.reason);
    assert_eq!(lost.parent, "infra/gw");
    assert_eq!(lost.section_name.as_deref(), Some("nope"));
    assert!(e.to_string().contains("not attached"), "{e}");
    assert_eq!(lost.matching_rules, None);
    // With the configuration, the refused route's rules are evaluated: which would match.
    let with = |host: &str, path: &str| {
        let e = r.explain_with(&config, &Request::new("GET", host, path));
        let lost = e.not_attached.iter().find(|n| n.name == "lost").unwrap();
        lost.matching_rules.clone()
    };
    assert_eq!(with("example.com", "/"), Some(vec![1]));
    assert_eq!(with("example.com", "/only"), Some(vec![0, 1]));
    assert_eq!(with("other.org", "/only"), Some(vec![]));
    let e = r.explain_with(&config, &Request::new("GET", "example.com", "/only"));
    assert!(e.to_string().contains("WOULD MATCH (rule 0, 1)"), "{e}");

    let req = Request::new("GET", "example.com", "/").port(8080);
    let e = r.explain(&req);
    assert_eq!(e.listener.port, None);
    assert!(
        e.listener.reason.contains("port 8080"),
        "{}",
        e.listener.reason
    );
}

/// `shadowed_rules`: exact duplicates of an earlier rule on the same hostname are found,
/// whatever the trailing `/` of a prefix or the order of header conditions; a rule that still
/// wins somewhere (another hostname, another match, one more condition) is not reported.
#[test]
fn shadowed_rules_are_exact_duplicates() {
    let routes = [
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: old, namespace: default, creationTimestamp: '2020-01-01T00:00:00Z'}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /a}, headers: [{name: xa, value: '1'}, {name: xb, value: '2'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: PathPrefix, value: /a}, headers: [{name: xa, value: '1'}, {name: xb, value: '2'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n".to_string(),
        common::route(
            "default",
            "young",
            "  rules:\n  - matches: [{path: {type: PathPrefix, value: /a/}, headers: [{name: XB, value: '2'}, {name: xa, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: PathPrefix, value: /a}, headers: [{name: xa, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n  - matches: [{path: {type: PathPrefix, value: /a}, headers: [{name: xa, value: '1'}, {name: xb, value: '2'}]}, {path: {type: Exact, value: /b}}]\n    backendRefs: [{name: svc-a, port: 80}]",
        )
        .replace(
            "{name: young, namespace: default}",
            "{name: young, namespace: default, creationTimestamp: '2030-01-01T00:00:00Z'}",
        ),
        common::route(
            "default",
            "elsewhere",
            "  hostnames: [x.example.com]\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /a}, headers: [{name: xa, value: '1'}, {name: xb, value: '2'}]}]\n    backendRefs: [{name: svc-a, port: 80}]",
        ),
    ];
    let r = common::router(&routes.concat());
    let found: Vec<(String, usize, String, usize, PrecedenceStep)> = r
        .shadowed_rules()
        .into_iter()
        .map(|s| {
            (
                s.rule.name.clone(),
                s.rule.rule,
                s.by.name.clone(),
                s.by.rule,
                s.step,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "old".to_string(),
                1,
                "old".to_string(),
                0,
                PrecedenceStep::RuleOrder
            ),
            (
                "young".to_string(),
                0,
                "old".to_string(),
                0,
                PrecedenceStep::Age
            ),
        ]
    );
    let text = r.shadowed_rules()[1].to_string();
    assert!(
        text.starts_with("HTTPRoute default/young rule 0 can never match: its match 0 has the same path, method, headers and query parameters as HTTPRoute default/old rule 0 match 0, which wins (older route) (hostname *, listener http)"),
        "{text}"
    );
}

/// The text lists at most 50 near misses and says how many more the JSON has.
#[test]
fn text_caps_long_lists() {
    let rule = "  - matches: [{path: {type: PathPrefix, value: /a}, headers: [{name: xa, value: '1'}]}]\n    backendRefs: [{name: svc-a, port: 80}]\n";
    let routes: String = (0..4)
        .map(|i| {
            common::route(
                "default",
                &format!("r{i}"),
                &format!("  rules:\n{}", rule.repeat(16)),
            )
        })
        .collect();
    let r = common::router(&routes);
    let e = explain(&r, "h", "/a", &[]);
    assert_eq!(e.candidates.len(), 64);
    let text = e.to_string();
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("header xa absent"))
            .count(),
        50,
        "{text}"
    );
    assert!(
        text.contains("  and 14 more (-o json lists them)"),
        "{text}"
    );
}
