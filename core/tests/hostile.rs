//! Hostile inputs: every limit gives a clear error (configuration) or a bounded answer
//! (request), never a panic, a stack overflow or unbounded work. See SECURITY.md.

mod common;

use std::time::{Duration, Instant};
use trieway::{Config, Headers, Options, Outcome, Request};

const GATEWAY: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: trieway
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc-a, namespace: default}
spec: {ports: [{port: 80}]}
"#;

fn route_with_rule(rule: &str) -> String {
    format!(
        "{GATEWAY}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
         metadata: {{name: r, namespace: default}}\nspec:\n  parentRefs: [{{name: gw, namespace: infra}}]\n  rules:\n  - {rule}\n"
    )
}

fn messages(c: &Config) -> Vec<String> {
    c.errors().iter().map(|e| e.to_string()).collect()
}

fn one_error(c: &Config) -> &trieway::ConfigError {
    assert_eq!(c.errors().len(), 1, "{:#?}", messages(c));
    &c.errors()[0]
}

// --- load limits ----------------------------------------------------------------------------

#[test]
fn max_bytes_is_a_clear_error_and_counts_every_input() {
    let mut c = Config::builder().with_max_bytes(800);
    assert!(
        GATEWAY.len() > 400 && GATEWAY.len() <= 800,
        "{}",
        GATEWAY.len()
    );
    c.add_str(GATEWAY, "a.yaml");
    // The limit is on the total: a second input that crosses it is refused whole.
    c.add_str(GATEWAY, "b.yaml");
    let c = c.finish();
    let e = c
        .errors()
        .iter()
        .find(|e| e.message.contains("limit"))
        .expect("limit error");
    assert_eq!(
        e.message,
        "input exceeds the limit of 800 bytes; not loaded"
    );
    assert!(e.to_string().contains("b.yaml"), "{e}");
    // The first input, under the limit, loaded whole.
    assert_eq!(c.errors().len(), 1, "{:?}", c.errors());
    assert_eq!(c.gateways().len(), 1);
}

#[test]
fn max_bytes_applies_to_bytes_and_json_too() {
    let mut c = Config::builder().with_max_bytes(10);
    c.add_bytes(br#"[{"apiVersion": "v1", "kind": "Service"}]"#, "big.json");
    let c = c.finish();
    assert!(one_error(&c)
        .message
        .contains("exceeds the limit of 10 bytes"));
    assert!(c.services().is_empty());
}

#[test]
fn max_objects_is_one_clear_error_and_keeps_the_first_objects() {
    let mut text = String::new();
    for i in 0..10 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec: {{ports: [{{port: 80}}]}}\n"
        ));
    }
    let mut c = Config::builder().with_max_objects(3);
    c.add_str(&text, "many.yaml");
    let c = c.finish();
    assert_eq!(c.services().len(), 3);
    let e = one_error(&c);
    assert_eq!(
        e.message,
        "more than 3 objects; this and later objects are not loaded"
    );
    // Items of a `kind: List` count one by one.
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}",
        (0..5)
            .map(|i| format!("- {{apiVersion: v1, kind: Service, metadata: {{name: l{i}}}}}\n"))
            .collect::<String>()
    );
    let mut c = Config::builder().with_max_objects(2);
    c.add_str(&list, "list.yaml");
    let c = c.finish();
    assert_eq!(c.services().len(), 2);
    assert!(one_error(&c).message.starts_with("more than 2 objects"));
}

#[test]
fn default_limits() {
    let o = Options::default();
    assert_eq!(o.regex_size_limit, 1 << 20);
    assert_eq!(o.max_path_len, 16 * 1024);
}

// --- Parser nesting and expansion budgets ---------------------------------------------------

fn loads_fast(text: &str) -> Config {
    let t = Instant::now();
    let c = Config::from_str(text);
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "took {:?}",
        t.elapsed()
    );
    c
}

#[test]
fn deeply_nested_yaml_is_an_error_not_a_stack_overflow() {
    for depth in [1_000, 100_000] {
        let flow = format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec: {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let c = loads_fast(&flow);
        assert!(c.services().is_empty());
        let e = one_error(&c);
        assert!(e.message.starts_with("invalid YAML"), "{e}");

        let mut block = String::from("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n");
        for level in 0..depth.min(5_000) {
            block.push_str(&" ".repeat(level + 1));
            block.push_str("a:\n");
        }
        let c = loads_fast(&block);
        let e = one_error(&c);
        assert!(e.message.starts_with("invalid YAML"), "{e}");
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    for depth in [1_000, 100_000] {
        let json = format!(
            r#"{{"apiVersion": "v1", "kind": "Service", "spec": {}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let c = loads_fast(&json);
        let e = one_error(&c);
        assert!(e.message.contains("recursion limit exceeded"), "{e}");
    }
}

#[test]
fn nesting_at_the_parsers_limits_on_loading_threads() {
    // Enough documents to load on several threads, nested about as deep as the parsers allow
    // (YAML: every other one past it): the same configuration as on one thread, no overflow.
    let route = |i: usize, depth: usize| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
             metadata: {{name: r{i}, namespace: default}}\nspec:\n  parentRefs: [{{name: gw}}]\n  \
             rules: [{{sessionPersistence: {{type: Cookie, cookieConfig: {}1{}}}}}]\n",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let yaml: Vec<String> = (0..2_000).map(|i| route(i, [50, 70][i % 2])).collect();
    let yaml = yaml.join("---\n");
    let json_route = |i: usize, depth: usize| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "c{i}"}}, "data": {{}}, "x": {}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    // One JSON document (an array) is parsed whole: nested just below the limit (128).
    let json: Vec<String> = (0..1_000).map(|i| json_route(i, 120)).collect();
    let json = format!("[{}]", json.join(","));
    for text in [&yaml, &json] {
        let load = |threads| {
            let mut b = Config::builder().with_threads(threads);
            b.add_str(text, "deep");
            b.finish()
        };
        let (one, two) = (load(1), load(2));
        assert_eq!(format!("{one:?}"), format!("{two:?}"));
        assert_eq!(
            one.http_routes().len() + one.config_maps().len(),
            1_000,
            "{:?}",
            messages(&one).first()
        );
    }
}

#[test]
fn moderate_nesting_inside_free_form_fields_still_loads() {
    // Free-form fields (here a session-persistence cookie config) may nest a little.
    let c = Config::from_str(&route_with_rule(
        "{backendRefs: [{name: svc-a, port: 80}], sessionPersistence: {type: Cookie, cookieConfig: [[[[[[[[1]]]]]]]]}}",
    ));
    assert_eq!(c.http_routes().len(), 1);
}

#[test]
fn alias_expansion_bombs_are_refused() {
    // "Billion laughs": 9 levels of 10 aliases each would expand to 10^9 nodes.
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\na0: &a0 [lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let c = loads_fast(&text);
    let e = one_error(&c);
    assert!(e.message.starts_with("invalid YAML"), "{e}");
    assert!(c.config_maps().is_empty());
}

#[test]
fn many_documents_and_non_utf8_are_clear_errors() {
    let mut c = Config::builder();
    c.add_bytes(b"kind: Service\n\xff\xfe", "bin.yaml");
    let c = c.finish();
    assert_eq!(
        one_error(&c).message,
        "input is not UTF-8 (invalid byte at offset 14)"
    );
    // Thousands of empty documents cost nothing and report nothing.
    let c = loads_fast(&"---\n".repeat(100_000));
    assert!(c.errors().is_empty() && c.warnings().is_empty());
}

// --- Regular expressions -------------------------------------------------------------------

#[test]
fn oversized_regex_is_a_clear_validation_error() {
    let c = Config::from_str(&route_with_rule(
        r"{matches: [{path: {type: RegularExpression, value: '/(\w{100}){100}'}}], backendRefs: [{name: svc-a, port: 80}]}",
    ));
    let e = one_error(&c);
    assert_eq!(e.field, "spec.rules[0].matches[0].path.value");
    assert!(
        e.message
            .contains("needs a DFA of more than 1048576 bytes (limit 1048576)"),
        "{e}"
    );
    // The rule is dropped; the route (with no rule left) does not serve it.
    let c = Config::from_str(&route_with_rule(
        r"{matches: [{headers: [{name: x, type: RegularExpression, value: '(\w{100}){100}'}]}], backendRefs: [{name: svc-a, port: 80}]}",
    ));
    let e = one_error(&c);
    assert_eq!(e.field, "spec.rules[0].matches[0].headers[0].value");
    assert!(e.message.contains("needs a DFA of more than"), "{e}");
}

#[test]
fn regex_size_limit_option_below_validation_limit_drops_the_rule_with_a_condition() {
    // A regex that passes validation (≤ 1 MiB) but exceeds a smaller `Options::regex_size_limit`
    // is not compiled: its rule is dropped and the route says so (SECURITY.md).
    let text = route_with_rule(
        "{matches: [{path: {type: RegularExpression, value: '/r/[a-z]{1,500}'}}], backendRefs: [{name: svc-a, port: 80}]}",
    );
    let config = Config::from_str(&text).strict().expect("valid");
    let req = Request::new("GET", "h", "/r/abc");
    let normal = trieway::Router::new(&config, Options::default()).unwrap();
    assert!(matches!(normal.route(&req), Outcome::Matched(_)));
    let tiny = trieway::Router::new(
        &config,
        Options {
            regex_size_limit: 1000,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(matches!(tiny.route(&req), Outcome::NotFound));
    let status = tiny
        .report()
        .route(trieway::model::RouteKind::Http, "default", "r")
        .unwrap();
    let accepted = trieway::Condition::find(&status.parents[0].conditions, "Accepted").unwrap();
    assert!(!accepted.is_true(), "{accepted:?}");
    assert_eq!(accepted.reason, "UnsupportedValue");
    assert!(
        accepted.message.contains(
            "spec.rules[0].matches[0].path.value: regular expression \"/r/[a-z]{1,500}\" needs \
             more than 1000 bytes to compile to a DFA (Options::regex_size_limit)"
        ),
        "{accepted:?}"
    );
}

#[test]
fn regex_matching_is_linear_on_pathological_patterns() {
    // `(a|a)*b` / `(a*)*b` backtrack exponentially in PCRE; the regex crate is linear.
    let router = common::router(&common::route(
        "default",
        "r",
        r"  rules:
  - matches: [{path: {type: RegularExpression, value: '/(a|aa)*b'}, headers: [{name: x, type: RegularExpression, value: '(a*)*b'}]}]
    backendRefs: [{name: svc-a, port: 80}]",
    ));
    let path = format!("/{}", "a".repeat(10_000));
    let value = "a".repeat(100_000);
    let headers = [("x", value.as_str())];
    let t = Instant::now();
    for _ in 0..10 {
        let req = Request::new("GET", "h", &path).headers(Headers::Pairs(&headers));
        assert!(matches!(router.route(&req), Outcome::NotFound));
    }
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

// --- Per-rule and per-route counts ----------------------------------------------------------

#[test]
fn more_than_16_backend_refs_is_a_clear_error() {
    let refs = vec!["{name: svc-a, port: 80}"; 17].join(", ");
    let c = Config::from_str(&route_with_rule(&format!("{{backendRefs: [{refs}]}}")));
    let e = one_error(&c);
    assert_eq!(e.field, "spec.rules[0].backendRefs");
    assert_eq!(e.message, "must have at most 16 backendRefs (found 17)");
    let refs = vec!["{name: svc-a, port: 80}"; 16].join(", ");
    let c = Config::from_str(&route_with_rule(&format!("{{backendRefs: [{refs}]}}")));
    assert!(c.errors().is_empty(), "{:#?}", messages(&c));
}

// --- Lookup-time limits --------------------------------------------------------------------

const CATCH_ALL: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
    metadata: {name: r, namespace: default}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  \
    rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n  \
    - matches: [{path: {type: RegularExpression, value: '/.*'}}]\n    backendRefs: [{name: svc-b, port: 80}]\n";

#[test]
fn paths_longer_than_max_path_len_never_match() {
    let router = common::router_with(
        CATCH_ALL,
        Options {
            max_path_len: 64,
            ..Options::default()
        },
    );
    let at_limit = format!("/{}", "x".repeat(63));
    let over = format!("/{}", "x".repeat(64));
    assert!(matches!(
        router.route(&Request::new("GET", "h", &at_limit)),
        Outcome::Matched(_)
    ));
    assert!(matches!(
        router.route(&Request::new("GET", "h", &over)),
        Outcome::NotFound
    ));
    // The query does not count.
    let with_query = format!("{at_limit}?{}", "q".repeat(1000));
    assert!(matches!(
        router.route(&Request::new("GET", "h", &with_query)),
        Outcome::Matched(_)
    ));
    // The default limit is 16 KiB.
    let router = common::router(CATCH_ALL);
    let huge = format!("/{}", "x".repeat(16 * 1024));
    assert!(matches!(
        router.route(&Request::new("GET", "h", &huge)),
        Outcome::NotFound
    ));
}

#[test]
fn oversized_hosts_match_only_catch_all_hostnames() {
    let router = common::router(CATCH_ALL);
    let long_host = format!("{}.example.com", "a".repeat(100_000));
    assert!(matches!(
        router.route(&Request::new("GET", &long_host, "/")),
        Outcome::Matched(_)
    ));
    let router = common::router(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\n\
         spec:\n  parentRefs: [{name: gw, namespace: infra}]\n  hostnames: ['*.example.com']\n  \
         rules: [{backendRefs: [{name: svc-a, port: 80}]}]\n",
    );
    assert!(matches!(
        router.route(&Request::new("GET", &long_host, "/")),
        Outcome::NotFound
    ));
    let labels = "a.".repeat(50_000) + "example.com";
    assert!(matches!(
        router.route(&Request::new("GET", &labels, "/")),
        Outcome::NotFound
    ));
}

#[test]
fn header_values_up_to_max_header_value_len_cost_linear_work() {
    // With `max_header_value_len` raised to 2 MiB, long values and many repeated lines still
    // answer correctly (the default, 16 KiB, is tested in `tests/hygiene.rs`).
    let routes = common::route(
        "default",
        "r",
        r"  rules:
  - matches: [{headers: [{name: x-re, type: RegularExpression, value: '[a-z,]+z'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{headers: [{name: x-exact, value: 'abc'}]}]
    backendRefs: [{name: svc-b, port: 80}]",
    );
    let router = common::router_with(
        &routes,
        Options {
            max_header_value_len: 2 << 20,
            ..Options::default()
        },
    );
    let big = "a".repeat(1 << 20);
    let big_z = format!("{big}z");
    let line = "b".repeat(1000);
    let mut many: Vec<(&str, &str)> = vec![("x-re", line.as_str()); 1000];
    many.push(("x-re", "z"));
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("x-re", big.as_str())], "404"),
        (vec![("x-re", big_z.as_str())], "default/r#0"),
        (many, "default/r#0"),
        (vec![("x-exact", big.as_str())], "404"),
        (vec![("x-exact", "ab"), ("x-exact", "c")], "404"),
        (vec![("x-exact", "abc")], "default/r#1"),
    ];
    for (headers, want) in cases {
        let got = common::hit(&router, "GET", "h", "/", &headers);
        assert_eq!(got, want);
    }
}

#[test]
fn hostile_request_bytes_do_not_panic() {
    let router = common::router(CATCH_ALL);
    let headers: [(&[u8], &[u8]); 3] =
        [(b"\xff\xfe", b"\x00\x01"), (b"", b""), (b"X-\xc3", b"\xc3")];
    for host in [
        "",
        ":",
        "[",
        "[::1",
        "]",
        "a:b:c",
        "..",
        ".",
        "é.example.com:é",
        "\0",
    ] {
        for target in ["", "?", "*", "//", "/%", "\\", "/\0", "/é?é=é", "?a=b"] {
            let req = Request::new("é", host, target)
                .headers(Headers::Bytes(&headers))
                .port(80)
                .sni(host)
                .scheme("ftp");
            let out = router.route(&req);
            if let Outcome::Matched(m) = out {
                let mut action = trieway::Action::new();
                m.apply(&req, u64::MAX, &mut action);
            }
        }
    }
}
