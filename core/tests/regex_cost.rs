//! The regex cost model (issue #15, findings 1, 2 and 8; SECURITY.md "Regular expressions"):
//! pathological patterns are refused at validation, accepted ones run as DFAs within the
//! budgets of `Options`, lookups keep no per-thread cache, and validation and routing read
//! every pattern the same way. Bounds are on bytes (a per-thread peak-heap counter) and on
//! allocations, never on time.

mod common;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{allocations, peak};
use trieway::model::RouteKind;
use trieway::{Condition, Config, Headers, Options, Outcome, Request, Router};

const MIB: usize = 1 << 20;

fn config(routes: &str) -> Config {
    Config::from_str(&format!(
        "{}{}\n---\n{routes}",
        common::BASE,
        common::services()
    ))
}

fn accepted(router: &Router, name: &str) -> trieway::Condition {
    let status = router
        .report()
        .route(RouteKind::Http, "default", name)
        .unwrap();
    Condition::find(&status.parents[0].conditions, "Accepted")
        .unwrap()
        .clone()
}

/// Finding 1: the pattern that cost 0.8-2.6 s per 16 KB request (PikeVM after the lazy DFA
/// gave up) needs a DFA of more than 1 MiB: refused at validation, on the field, as a path and
/// as a header regex.
#[test]
fn finding1_pathological_patterns_are_refused_at_validation() {
    let pattern = "(?:(?:a?){100}){100}.*b";
    for (m, field) in [
        (
            format!("{{path: {{type: RegularExpression, value: '/{pattern}'}}}}"),
            "spec.rules[0].matches[0].path.value",
        ),
        (
            format!("{{headers: [{{name: x, type: RegularExpression, value: '{pattern}'}}]}}"),
            "spec.rules[0].matches[0].headers[0].value",
        ),
    ] {
        let c = config(&common::route(
            "default",
            "r",
            &format!("  rules:\n  - matches: [{m}]\n    backendRefs: [{{name: svc-a, port: 80}}]"),
        ));
        assert_eq!(c.errors().len(), 1, "{:#?}", c.errors());
        let e = &c.errors()[0];
        assert_eq!(e.field, field);
        assert!(
            e.message
                .contains("needs a DFA of more than 1048576 bytes (limit 1048576)"),
            "{e}"
        );
    }
}

/// Accepted near-pathological patterns answer correctly on 16 KB paths and 100 KB headers
/// without allocating (the work bound itself, one transition per byte, is tested on the DFA in
/// `compile::dfa`).
#[test]
fn accepted_hard_patterns_route_long_inputs_without_allocating() {
    // The 100 KB header value is over the default `max_header_value_len` (16 KiB, which alone
    // would make it miss unread): raise the limit so the regex itself reads every byte.
    let router = common::router_with(
        &common::route(
            "default",
            "r",
            r"  rules:
  - matches: [{path: {type: RegularExpression, value: '/(?:(?:a?){10}){10}.*b'}, headers: [{name: x, type: RegularExpression, value: '(?:a|aa)*(?:a*)*c'}]}]
    backendRefs: [{name: svc-a, port: 80}]",
        ),
        Options {
            max_header_value_len: 128 * 1024,
            ..Options::default()
        },
    );
    // 16 KiB with the final byte (`Options::max_path_len`).
    let miss = format!("/{}", "a".repeat(16 * 1024 - 2));
    let hit = format!("{miss}b");
    let long = "a".repeat(100_000);
    let header_hit = format!("{long}c");
    for (path, value, want) in [
        (&miss, &header_hit, false),
        (&hit, &long, false),
        (&hit, &header_hit, true),
    ] {
        let headers = [("x", value.as_str())];
        let req = Request::new("GET", "h", path).headers(Headers::Pairs(&headers));
        let (got, n) = allocations(|| matches!(router.route(&req), Outcome::Matched(_)));
        assert_eq!(got, want);
        assert_eq!(n, 0);
    }
}

/// Finding 2: 100 rules `/[a-z]{14000}N` held 72 MB. Such a pattern now needs more than the
/// per-regex limit to build and is refused at validation, with little heap.
#[test]
fn finding2_large_patterns_are_refused_at_validation() {
    let routes = rules_routes("/[a-z]{14000}N", 100);
    let (c, bytes) = peak(|| config(&routes));
    assert!(bytes < 16 * MIB, "peak {bytes}");
    assert_eq!(c.errors().len(), 100);
    for e in c.errors() {
        assert_eq!(e.field, "spec.rules[0].matches[0].path.value");
        assert!(
            e.message.contains("needs a DFA of more than 1048576 bytes"),
            "{e}"
        );
    }
}

/// `count` HTTPRoutes `r{i}` with one rule whose path regex is `pattern` followed by `i`.
fn rules_routes(pattern: &str, count: usize) -> String {
    (0..count)
        .map(|i| {
            common::route(
                "default",
                &format!("r{i}"),
                &format!(
                    "  rules:\n  - matches: [{{path: {{type: RegularExpression, value: '{pattern}{i}'}}}}]\n    backendRefs: [{{name: svc-a, port: 80}}]"
                ),
            )
        })
        .collect()
}

/// The Router's budget: every DFA is kept (sparse when large) within it; with a smaller
/// budget the rules that do not fit are dropped and reported, and the Router's peak heap
/// while compiling stays near what it keeps.
#[test]
fn router_budget_bounds_the_regex_memory() {
    let c = config(&rules_routes("/[a-z]{2000}N", 100));
    assert!(c.errors().is_empty(), "{:#?}", c.errors());
    let (router, bytes) = peak(|| Router::new(&c, Options::default()).unwrap());
    let budget = Options::default().regex_router_budget;
    assert!(router.regex_memory() <= budget, "{}", router.regex_memory());
    // What the Router keeps plus one build in flight (NFA + scratch + dense DFA, ≤ 3 MiB).
    assert!(bytes <= router.regex_memory() + 4 * MIB, "peak {bytes}");
    let path = format!("/{}N7", "q".repeat(2000));
    assert!(
        matches!(router.route(&Request::new("GET", "h", &path)), Outcome::Matched(m) if m.route().name == "r7")
    );

    let limit = router.regex_memory() / 3;
    let small = Options {
        regex_router_budget: limit,
        ..Options::default()
    };
    let router = Router::new(&c, small).unwrap();
    assert!(router.regex_memory() <= limit);
    let dropped: Vec<_> = (0..100)
        .map(|i| accepted(&router, &format!("r{i}")))
        .filter(|a| !a.is_true())
        .collect();
    assert!(
        dropped.len() >= 60 && dropped.len() < 100,
        "{}",
        dropped.len()
    );
    for a in &dropped {
        assert_eq!(a.reason, "UnsupportedValue");
        assert!(
            a.message.contains("spec.rules[0].matches[0].path.value")
                && a.message
                    .contains(&format!("Options::regex_router_budget = {limit} bytes")),
            "{a:?}"
        );
    }
}

/// Finding 2: one HTTPRoute with 128 matches × 16 header regexes peaked at 1.33 GB and 16 s of
/// CPU. Validation now stops at the route's budget of DFA bytes: the route is not served, the
/// error names the field, and validation's peak heap stays small.
#[test]
fn finding2_route_with_2048_header_regexes_is_bounded_at_validation() {
    let mut rules = String::from("  rules:\n");
    for r in 0..8 {
        rules.push_str("  - backendRefs: [{name: svc-a, port: 80}]\n    matches:\n");
        for m in 0..16 {
            rules.push_str("    - headers: [");
            for h in 0..16 {
                let i = (r * 16 + m) * 16 + h;
                rules.push_str(&format!(
                    "{{name: x{h}, type: RegularExpression, value: '[a-z]{{1000}}K{i}'}}, "
                ));
            }
            rules.push_str("]\n");
        }
    }
    let text = common::route("default", "big", &rules);
    let (c, bytes) = peak(|| config(&text));
    assert!(bytes < 64 * MIB, "peak {bytes}");
    let e: Vec<_> = c
        .errors()
        .iter()
        .filter(|e| {
            e.message
                .contains("does not fit in the route's regex budget")
        })
        .collect();
    assert_eq!(e.len(), 1, "{:#?}", c.errors());
    assert!(e[0].field.starts_with("spec.rules["), "{}", e[0].field);
    assert!(e[0].field.ends_with("].value"), "{}", e[0].field);
    assert!(e[0]
        .message
        .contains("more than 16777216 bytes together to compile"));
    assert!(e[0]
        .message
        .ends_with("(route not served: UnsupportedValue)"));
}

/// The route budget of `Options`: rules are compiled in order; those that do not fit are
/// dropped with `PartiallyInvalid`, the others route.
#[test]
fn route_budget_drops_later_rules_with_a_condition() {
    let mut rules = String::from("  rules:\n");
    for i in 0..16 {
        rules.push_str(&format!(
            "  - matches: [{{path: {{type: RegularExpression, value: '/[a-z]{{1000}}N{i}'}}}}]\n    backendRefs: [{{name: svc-a, port: 80}}]\n"
        ));
    }
    let c = config(&common::route("default", "r", &rules));
    assert!(c.errors().is_empty(), "{:#?}", c.errors());
    let full = Router::new(&c, Options::default()).unwrap();
    let per_rule = full.regex_memory() / 16;
    let options = Options {
        regex_route_budget: per_rule * 4 + per_rule / 2,
        ..Options::default()
    };
    let router = Router::new(&c, options.clone()).unwrap();
    assert!(router.regex_memory() <= options.regex_route_budget);
    let status = router
        .report()
        .route(RouteKind::Http, "default", "r")
        .unwrap();
    let partial = Condition::find(&status.parents[0].conditions, "PartiallyInvalid")
        .unwrap_or_else(|| panic!("{per_rule} {} {status:#?}", router.regex_memory()));
    assert!(partial.is_true());
    assert_eq!(partial.reason, "UnsupportedValue");
    assert!(
        partial
            .message
            .starts_with("Dropped Rule 4: spec.rules[4].matches[0].path.value: regular expression"),
        "{}",
        partial.message
    );
    assert!(partial.message.contains("Options::regex_route_budget"));
    assert!(partial.message.contains("Dropped Rule 15:"));
    assert!(accepted(&router, "r").is_true());
    let path = |i: usize| format!("/{}N{i}", "q".repeat(1000));
    assert!(matches!(
        router.route(&Request::new("GET", "h", &path(3))),
        Outcome::Matched(_)
    ));
    assert!(matches!(
        router.route(&Request::new("GET", "h", &path(4))),
        Outcome::NotFound
    ));
}

/// Routes with the same statuses share one list of parent statuses (issue #20, item 3): the
/// condition a compile-time drop adds to one route's status leaves the others' as they were.
#[test]
fn a_dropped_rule_marks_its_route_only() {
    let mut rules = String::from("  rules:\n");
    for i in 0..8 {
        rules.push_str(&format!(
            "  - matches: [{{path: {{type: RegularExpression, value: '/[a-z]{{1000}}N{i}'}}}}]\n    backendRefs: [{{name: svc-a, port: 80}}]\n"
        ));
    }
    let plain = "  rules:\n  - matches: [{path: {type: PathPrefix, value: /p}}]\n    \
                 backendRefs: [{name: svc-a, port: 80}]";
    let routes = [
        common::route("default", "before", plain),
        common::route("default", "r", &rules),
        common::route("default", "after", plain),
    ]
    .concat();
    let c = config(&routes);
    assert!(c.errors().is_empty(), "{:#?}", c.errors());
    let full = Router::new(&c, Options::default()).unwrap();
    let report = full.report();
    let status = |report: &trieway::Report, name: &str| {
        report
            .route(RouteKind::Http, "default", name)
            .unwrap()
            .clone()
    };
    // Without drops the three statuses are one shared list.
    let shared = status(report, "before").parents;
    assert!(std::sync::Arc::ptr_eq(
        &shared,
        &status(report, "r").parents
    ));
    assert!(std::sync::Arc::ptr_eq(
        &shared,
        &status(report, "after").parents
    ));
    let per_rule = full.regex_memory() / 8;
    let options = Options {
        regex_route_budget: per_rule * 4 + per_rule / 2,
        ..Options::default()
    };
    let router = Router::new(&c, options).unwrap();
    let report = router.report();
    let r = status(report, "r");
    assert!(Condition::find(&r.parents[0].conditions, "PartiallyInvalid").is_some());
    for name in ["before", "after"] {
        let other = status(report, name);
        assert_eq!(other.parents[0].conditions.len(), 2, "{other:#?}");
        assert!(Condition::find(&other.parents[0].conditions, "PartiallyInvalid").is_none());
    }
}

/// Finding 2: search caches grew with traffic (134 MB after one request, 253 MB after a second
/// thread routed once). A DFA has no cache: routing on fresh threads allocates nothing.
#[test]
fn lookups_on_new_threads_allocate_nothing() {
    let routes: String = (0..20)
        .map(|i| {
            common::route(
                "default",
                &format!("r{i}"),
                &format!(
                    "  rules:\n  - matches: [{{path: {{type: RegularExpression, value: '/(?:a?){{100}}a*b{i}'}}}}]\n    backendRefs: [{{name: svc-a, port: 80}}]"
                ),
            )
        })
        .collect();
    let router = common::router(&routes);
    let path = format!("/{}b19", "a".repeat(4000));
    for _ in 0..2 {
        let router = router.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let req = Request::new("GET", "h", &path);
            let (hit, n) = allocations(
                || matches!(router.route(&req), Outcome::Matched(m) if m.route().name == "r19"),
            );
            assert!(hit);
            assert_eq!(n, 0);
        })
        .join()
        .unwrap();
    }
}

/// Finding 8: `check` and routing read a pattern the same way, flags and `(?x)` comments
/// included (a textual `^(?:...)$` put `)$` inside the comment: the router dropped the match
/// and `/admin/users` fell through to the catch-all).
#[test]
fn flags_and_comments_behave_the_same_in_check_and_routing() {
    let c = config(&common::route(
        "default",
        "r",
        r#"  rules:
  - matches:
    - path: {type: RegularExpression, value: "(?x) /admin/ .*   # everything under /admin"}
    - path: {type: RegularExpression, value: "(?i)/LOGIN"}
    - headers: [{name: x-multi, type: RegularExpression, value: "(?s)a.b"}]
    - headers: [{name: x-lines, type: RegularExpression, value: "(?m)^a$"}]
    backendRefs: [{name: svc-a, port: 80}]
  - backendRefs: [{name: svc-b, port: 80}]"#,
    ));
    assert!(c.errors().is_empty(), "{:#?}", c.errors());
    let router = Router::new(&c, Options::default()).unwrap();
    assert!(router.report().routes[0].parents[0]
        .conditions
        .iter()
        .all(|c| c.kind != "PartiallyInvalid"));
    let rule = |path: &str, headers: &[(&str, &str)]| match router
        .route(&Request::new("GET", "h", path).headers(Headers::Pairs(headers)))
    {
        Outcome::Matched(m) => m.rule_index(),
        _ => usize::MAX,
    };
    assert_eq!(rule("/admin/users", &[]), 0);
    assert_eq!(rule("/Login", &[]), 0);
    assert_eq!(rule("/x", &[("x-multi", "a\nb")]), 0);
    assert_eq!(rule("/x", &[("x-multi", "a\nc")]), 1);
    // `(?m)` anchors at line ends inside the value, and the value still matches whole.
    assert_eq!(rule("/x", &[("x-lines", "a")]), 0);
    assert_eq!(rule("/x", &[("x-lines", "b\na")]), 1);
    assert_eq!(rule("/public", &[]), 1);
}
