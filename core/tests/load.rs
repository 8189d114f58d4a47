//! Loader: every document shape, unknown kinds, malformed input. Never a panic, always a
//! clear error naming the document.

use proptest::prelude::*;
use trieway::{Config, Error};

const GW: &str = "gateway.networking.k8s.io/v1";

fn errors(c: &Config) -> Vec<String> {
    c.errors().iter().map(ToString::to_string).collect()
}

fn warnings(c: &Config) -> Vec<String> {
    c.warnings().iter().map(ToString::to_string).collect()
}

fn route(name: &str) -> String {
    format!(
        "apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: {name}}}\n\
         spec: {{parentRefs: [{{name: gw}}]}}\n"
    )
}

fn route_json(name: &str) -> String {
    format!(
        r#"{{"apiVersion": "{GW}", "kind": "HTTPRoute", "metadata": {{"name": "{name}"}}, "spec": {{}}}}"#
    )
}

fn origins(c: &Config) -> Vec<String> {
    c.http_routes()
        .iter()
        .map(|r| format!("{} {}", r.key(), r.origin))
        .collect()
}

#[test]
fn multi_document_yaml() {
    let text = format!(
        "# leading comment\n---\n{}---\n# only a comment\n---\n{}...\n---\n{}",
        route("a"),
        route("b"),
        route("c")
    );
    let c = Config::from_str(&text);
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(
        origins(&c),
        [
            "default/a <string>#1",
            "default/b <string>#3",
            "default/c <string>#4"
        ]
    );
}

#[test]
fn json_object_and_array() {
    let c = Config::from_str(&route_json("a"));
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(origins(&c), ["default/a <string>#0"]);

    let c = Config::from_str(&format!("[{}, {}]", route_json("a"), route_json("b")));
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(
        origins(&c),
        ["default/a <string>#0", "default/b <string>#1"]
    );

    // A byte-order mark and leading whitespace do not hide JSON.
    let c = Config::from_str(&format!("\u{feff}\n  {}", route_json("a")));
    assert_eq!(c.http_routes().len(), 1, "{:?}", errors(&c));
}

#[test]
fn yaml_flow_mapping_is_not_mistaken_for_json() {
    let c = Config::from_str("{apiVersion: v1, kind: Namespace, metadata: {name: a}}");
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(c.namespaces().len(), 1);
    let c = Config::from_str(
        "{apiVersion: v1, kind: Namespace, metadata: {name: a}}\n---\n\
         {apiVersion: v1, kind: Namespace, metadata: {name: b}}\n",
    );
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(c.namespaces().len(), 2);
}

#[test]
fn kind_list_with_items() {
    let text = format!(
        "apiVersion: v1\nkind: List\nitems:\n- {}\n- {}\n",
        route_json("a"),
        route_json("b")
    );
    let c = Config::from_str(&text);
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(
        origins(&c),
        ["default/a <string>#0", "default/b <string>#1"]
    );

    let c = Config::from_str(&format!(
        r#"{{"apiVersion": "{GW}", "kind": "HTTPRouteList", "items": [{}]}}"#,
        route_json("a")
    ));
    assert_eq!(origins(&c), ["default/a <string>#0"]);

    let c = Config::from_str("apiVersion: v1\nkind: List\nitems: null\n");
    assert!(c.errors().is_empty() && c.warnings().is_empty());

    let c = Config::from_str("apiVersion: v1\nkind: List\nitems: 5\n");
    assert_eq!(
        errors(&c),
        ["List (<string>#0): items: expected a list, found a number"]
    );
}

#[test]
fn directory_loading() {
    let dir = std::env::temp_dir().join(format!("trieway-load-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("b.yaml"), route("b")).unwrap();
    std::fs::write(dir.join("a.json"), route_json("a")).unwrap();
    std::fs::write(dir.join("sub").join("c.yml"), route("c")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not: [yaml").unwrap();
    std::fs::write(dir.join("z.yaml"), "not: [yaml").unwrap();

    let result = Config::from_path(&dir);
    let c = result.expect("directory loads");
    let keys: Vec<String> = c.http_routes().iter().map(|r| r.key()).collect();
    assert_eq!(keys, ["default/a", "default/b", "default/c"]);
    let a = &c.http_routes()[0].origin;
    assert!(a.file.ends_with("a.json"), "{a}");
    let errs = errors(&c);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("z.yaml#0: invalid YAML: "), "{errs:?}");

    // A single file works too.
    let one = Config::from_path(dir.join("b.yaml")).unwrap();
    assert_eq!(one.http_routes().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();

    match Config::from_path(dir.join("missing")) {
        Err(Error::Io { path, .. }) => assert!(path.ends_with("missing")),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn unknown_kinds_are_warnings() {
    let c = Config::from_str(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: x}\n---\n\
         apiVersion: v1\nkind: Foo\n",
    );
    assert!(c.errors().is_empty());
    assert_eq!(
        warnings(&c),
        [
            "Deployment x/d (<string>#0): kind apps/v1/Deployment is not used by trieway; skipped",
            "Foo (<string>#1): kind v1/Foo is not used by trieway; skipped",
        ]
    );
    assert!(c.is_valid());
}

/// Each row: input and the exact errors it produces.
#[test]
fn malformed_input_is_reported() {
    let rows: &[(String, &[&str])] = &[
        (
            format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: [a\n---\n{}", route("ok")),
            &["<string>#0: invalid YAML: line 3 column 18: unclosed bracket '['"],
        ),
        (
            "apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: a\n".into(),
            &["<string>#0: invalid YAML: line 4 column 2: tabs disallowed within this context (block indentation)"],
        ),
        (
            "apiVersion: v1\nkind: Namespace\nkind: Namespace\nmetadata: {name: a}\n".into(),
            &["<string>#0: invalid YAML: line 3 column 1: duplicate mapping key: kind"],
        ),
        (
            r#"{"apiVersion": "v1", "kind": }"#.into(),
            &["<string>#0: invalid JSON: expected value at line 1 column 30"],
        ),
        ("hello\n".into(), &["<string>#0: expected an object with apiVersion and kind, found a string"]),
        ("[1, 2]".into(), &[
            "<string>#0: expected an object with apiVersion and kind, found a number",
            "<string>#1: expected an object with apiVersion and kind, found a number",
        ]),
        (
            format!("apiVersion: {GW}\nkind: Gateway\nmetadata: {{name: gw}}\nspec:\n  gatewayClassName: gc\n  listeners:\n  - {{name: a, port: \"abc\", protocol: HTTP}}\n"),
            &["Gateway default/gw (<string>#0): spec.listeners[0].port: invalid type: string \"abc\", expected i64"],
        ),
        (
            format!("apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: r}}\nspec: {{rules: [{{filters: [{{requestHeaderModifier: {{}}}}]}}]}}\n"),
            &["HTTPRoute default/r (<string>#0): spec.rules[0].filters[0]: missing field `type`"],
        ),
        (
            format!("apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: r}}\nspec: 5\n"),
            &["HTTPRoute default/r (<string>#0): spec: invalid type: integer `5`, expected struct HttpRouteSpec"],
        ),
        (
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {rules: [{http: {paths: [{path: /, backend: {}}]}}]}\n".into(),
            &["Ingress default/i (<string>#0): spec.rules[0].http.paths[0]: missing field `pathType`"],
        ),
        ("metadata: {name: a}\n".into(), &["<string>#0: kind: required field is missing"]),
        ("kind: Namespace\nmetadata: {name: a}\n".into(), &["Namespace (<string>#0): apiVersion: required field is missing"]),
        (
            format!("apiVersion: {GW}\nkind: HTTPRoute\nspec: {{}}\n"),
            &["HTTPRoute (<string>#0): metadata.name: required field is missing"],
        ),
        (
            format!("apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{namespace: x}}\n"),
            &["HTTPRoute (<string>#0): metadata.name: required field is missing"],
        ),
        (
            format!("apiVersion: {GW}\nkind: HTTPRoute\nmetadata: [1]\n"),
            &["HTTPRoute (<string>#0): metadata[0]: invalid type: integer `1`, expected a string"],
        ),
        (
            "apiVersion: gateway.networking.k8s.io/v9\nkind: HTTPRoute\nmetadata: {name: r}\n".into(),
            &["HTTPRoute r (<string>#0): apiVersion: gateway.networking.k8s.io/v9 is not a served version of HTTPRoute (served: gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1beta1)"],
        ),
        (
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, creationTimestamp: \"2024-01-02T03:04:05+0é00\"}\n".into(),
            &["Namespace a (<string>#0): metadata.creationTimestamp: \"2024-01-02T03:04:05+0é00\" is not an RFC 3339 timestamp"],
        ),
        (
            format!("{}---\n{}", route("a"), route("a")),
            &["HTTPRoute default/a (<string>#1): metadata.name: duplicate object: HTTPRoute default/a is already defined at <string>#0; this copy is ignored"],
        ),
        ("a: &a [*a]\n".into(), &["<string>#0: invalid YAML: line 1 column 8: recursive references require weak recursion types"]),
    ];
    for (text, expected) in rows {
        let c = Config::from_str(text);
        assert_eq!(errors(&c), *expected, "{text}");
    }
    // The valid document after the broken one still loads.
    assert_eq!(Config::from_str(&rows[0].0).http_routes().len(), 1);
}

#[test]
fn non_utf8_bytes() {
    let mut c = Config::builder();
    c.add_bytes(
        b"apiVersion: v1\nkind: Namespace\nmetadata: {name: \xff}\n",
        "bad.yaml",
    );
    c.add_bytes(route("ok").as_bytes(), "good.yaml");
    let c = c.finish();
    assert_eq!(
        errors(&c),
        ["bad.yaml#0: input is not UTF-8 (invalid byte at offset 48)"]
    );
    assert_eq!(c.http_routes().len(), 1);
}

#[test]
fn empty_inputs() {
    for text in [
        "",
        "\n",
        "---\n",
        "# nothing\n",
        "---\n---\n",
        "null\n",
        "~\n",
    ] {
        let c = Config::from_str(text);
        assert!(c.errors().is_empty(), "{text:?}: {:?}", errors(&c));
        assert!(c.warnings().is_empty());
    }
}

#[test]
fn namespaces_are_defaulted_and_cleared() {
    let c = Config::from_str(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: ignored}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n",
    );
    assert_eq!(errors(&c), Vec::<String>::new());
    assert_eq!(c.namespaces()[0].key(), "a");
    assert_eq!(c.services()[0].key(), "default/s");
}

#[test]
fn limits() {
    let mut c = Config::builder()
        .with_max_bytes(1 << 20)
        .with_max_objects(1);
    c.add_str(
        &format!("{}---\n{}---\n{}", route("a"), route("b"), route("c")),
        "x",
    );
    let c = c.finish();
    assert_eq!(c.http_routes().len(), 1);
    assert_eq!(
        errors(&c),
        ["HTTPRoute (x#1): more than 1 objects; this and later objects are not loaded"]
    );

    let mut c = Config::builder().with_max_bytes(10).with_max_objects(10);
    c.add_str(&route("a"), "big.yaml");
    assert_eq!(
        errors(&c.finish()),
        ["big.yaml#0: input exceeds the limit of 10 bytes; not loaded"]
    );
}

#[test]
fn strict_reports_every_problem() {
    let c = Config::from_str(&format!("hello\n---\n{}", route("a")));
    match c.strict() {
        Err(Error::Invalid(list)) => assert_eq!(list.len(), 1),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(Config::from_str(&route("a")).strict().is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary text never panics the loader or the validator.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = Config::from_str(&text);
    }

    /// Arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut c = Config::builder();
        c.add_bytes(&bytes, "fuzz");
        let _ = c.finish();
    }

    /// Arbitrary scalars in every string field of a route never panic validation.
    #[test]
    fn arbitrary_field_values_never_panic(v in "\\PC{0,40}", n in any::<i64>()) {
        let v = serde_json::to_string(&v).unwrap();
        let text = format!(
            r#"{{"apiVersion": "{GW}", "kind": "HTTPRoute", "metadata": {{"name": "r"}},
            "spec": {{"hostnames": [{v}], "parentRefs": [{{"name": {v}, "port": {n}}}],
            "rules": [{{"matches": [{{"path": {{"type": "RegularExpression", "value": {v}}},
            "queryParams": [{{"name": {v}, "value": {v}}}]}}],
            "timeouts": {{"request": {v}, "backendRequest": {v}}},
            "filters": [{{"type": "RequestRedirect", "requestRedirect": {{"statusCode": {n},
            "path": {{"type": "ReplacePrefixMatch", "replacePrefixMatch": {v}}}}}}}],
            "backendRefs": [{{"name": {v}, "port": {n}, "weight": {n}}}]}}]}}}}"#
        );
        let c = Config::from_str(&text);
        prop_assert!(c.http_routes().len() + c.errors().len() > 0);
    }
}

/// Issue #20, item 4: backendRefs are read field by field when they are valid, and through
/// serde's `flatten` again when they are not, so the errors keep the wording and field path
/// `flatten` gives (no field name for a problem inside the reference; weight and filters
/// first).
#[test]
fn backend_ref_errors_keep_their_wording() {
    let rows: &[(&str, &str, &str)] = &[
        (
            "HTTPRoute",
            "{name: a, port: \"80\"}",
            "HTTPRoute default/r (<string>#0): spec.rules[0].backendRefs[0]: invalid type: string \"80\", expected i64",
        ),
        (
            "HTTPRoute",
            "{name: a, port: \"80\", weight: x}",
            "HTTPRoute default/r (<string>#0): spec.rules[0].backendRefs[0].weight: invalid type: string \"x\", expected i64",
        ),
        (
            "HTTPRoute",
            "{name: [a], filters: [{}]}",
            "HTTPRoute default/r (<string>#0): spec.rules[0].backendRefs[0].filters[0]: missing field `type`",
        ),
        (
            "HTTPRoute",
            "[a, b]",
            "HTTPRoute default/r (<string>#0): spec.rules[0].backendRefs[0]: invalid type: sequence, expected struct HttpBackendRef",
        ),
        (
            "TLSRoute",
            "{name: a, port: 1.5, filters: 3}",
            "TLSRoute default/r (<string>#0): spec.rules[0].backendRefs[0]: invalid type: floating point `1.5`, expected i64",
        ),
        (
            "GRPCRoute",
            "{name: 7, weight: 1}",
            "GRPCRoute default/r (<string>#0): spec.rules[0].backendRefs[0]: invalid type: integer `7`, expected a string",
        ),
        (
            "TLSRoute",
            "[a]",
            "TLSRoute default/r (<string>#0): spec.rules[0].backendRefs[0]: invalid type: sequence, expected struct BackendRef",
        ),
    ];
    check_rows(rows);
    // Enum-like strings (match types here) are read without allocating; their errors are
    // those of a string.
    let text = format!(
        "apiVersion: {GW}\nkind: HTTPRoute\nmetadata: {{name: r}}\n\
         spec: {{rules: [{{matches: [{{path: {{type: 5}}}}]}}]}}\n"
    );
    assert_eq!(
        errors(&Config::from_str(&text)),
        ["HTTPRoute default/r (<string>#0): spec.rules[0].matches[0].path.type: invalid type: integer `5`, expected a string"]
    );
}

fn check_rows(rows: &[(&str, &str, &str)]) {
    for (kind, backend_ref, expected) in rows {
        let text = format!(
            "apiVersion: {GW}\nkind: {kind}\nmetadata: {{name: r}}\n\
             spec: {{rules: [{{backendRefs: [{backend_ref}]}}]}}\n"
        );
        let c = Config::from_str(&text);
        assert_eq!(errors(&c), [*expected], "{text}");
    }
}

/// The key a spec error names is the object's, namespace defaulted (namespaced kinds) or
/// left out (cluster-scoped kinds).
#[test]
fn spec_errors_name_the_object_key() {
    let rows = [
        (
            format!("apiVersion: {GW}\nkind: GatewayClass\nmetadata: {{name: gc, namespace: x}}\nspec: {{controllerName: 5}}\n"),
            "GatewayClass gc (<string>#0): spec.controllerName: invalid type: integer `5`, expected a string",
        ),
        (
            format!("apiVersion: {GW}\nkind: Gateway\nmetadata: {{name: gw}}\nspec: {{gatewayClassName: [x]}}\n"),
            "Gateway default/gw (<string>#0): spec.gatewayClassName: invalid type: sequence, expected a string",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ns1}\ntype: 5\n".into(),
            "Secret ns1/s (<string>#0): type: invalid type: integer `5`, expected a string",
        ),
    ];
    for (text, expected) in rows {
        assert_eq!(errors(&Config::from_str(&text)), [expected], "{text}");
    }
}

/// A `kind: List` as `kubectl get -A -o yaml` prints it for a large cluster: one document of
/// more nodes than the YAML parser's default budget (250,000) loads whole, its items in
/// order, each with its place in `items` as origin, on whatever number of threads.
#[test]
fn a_large_kubectl_list_loads_whole_in_order() {
    let items: String = (0..30_000)
        .map(|i| format!("- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: ns-{i}\n    labels: {{team: t{}}}\n", i % 7))
        .collect();
    let text =
        format!("apiVersion: v1\nkind: List\nitems:\n{items}metadata:\n  resourceVersion: \"\"\n");
    for threads in [1, 2] {
        let mut b = Config::builder().with_threads(threads);
        b.add_str(&text, "cluster.yaml");
        let c = b.finish();
        assert_eq!(errors(&c), Vec::<String>::new());
        let ns = c.namespaces();
        assert_eq!(ns.len(), 30_000);
        for i in [0, 1, 12_345, 29_999] {
            assert_eq!(ns[i].meta.name, format!("ns-{i}"));
            assert_eq!(ns[i].origin.to_string(), format!("cluster.yaml#{i}"));
        }
    }
}
