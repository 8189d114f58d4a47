//! Ingress → Gateway API conversion (SPEC §9.3): the mapping rules one by one, the warnings
//! for the semantic gaps, and a round trip of `examples/ingress.yaml` through attachment and
//! routing.

use serde_json::{json, Value};

/// The controller the test configurations name.
const DEFAULT_CONTROLLER_NAME: Option<&str> = Some("example.com/gateway-under-test");
use trieway::convert::{
    ingress_class, ingress_to_gateway, slug, to_yaml, Conversion, ConvertOptions,
    ImplementationSpecific,
};
use trieway::{Config, Options, Outcome, Request, Router, Target};

const EXAMPLE: &str = include_str!("../examples/ingress.yaml");

const GATEWAY_CLASS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
"#;

/// Loads `yaml` (which must be valid) and converts it with `options`.
fn convert_with(yaml: &str, options: &ConvertOptions) -> Conversion {
    let config = Config::from_str(yaml);
    assert!(
        config.errors().is_empty(),
        "input errors: {:?}",
        config.errors()
    );
    ingress_to_gateway(&config, options)
}

fn convert(yaml: &str) -> Conversion {
    convert_with(yaml, &ConvertOptions::default())
}

/// The one object of `kind` named `name`.
fn obj<'a>(c: &'a Conversion, kind: &str, name: &str) -> &'a Value {
    let found: Vec<&Value> = c
        .objects
        .iter()
        .filter(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "{kind} {name} in {}", names(c).join(", "));
    found[0]
}

/// `Kind/namespace/name` of every object, in order.
fn names(c: &Conversion) -> Vec<String> {
    c.objects
        .iter()
        .map(|o| {
            format!(
                "{}/{}/{}",
                o["kind"].as_str().unwrap(),
                o["metadata"]["namespace"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// Listener names of a Gateway.
fn listener_names(gw: &Value) -> Vec<&str> {
    gw["spec"]["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect()
}

fn listener<'a>(gw: &'a Value, name: &str) -> &'a Value {
    gw["spec"]["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no listener {name} in {:?}", listener_names(gw)))
}

fn warnings(c: &Conversion) -> Vec<String> {
    c.warnings.iter().map(|w| w.to_string()).collect()
}

fn errors(c: &Conversion) -> Vec<String> {
    c.errors.iter().map(|w| w.to_string()).collect()
}

/// The warnings containing every one of `parts`.
fn warned<'a>(c: &'a Conversion, parts: &[&str]) -> Vec<&'a trieway::ConfigError> {
    c.warnings
        .iter()
        .filter(|w| {
            let s = w.to_string();
            parts.iter().all(|p| s.contains(p))
        })
        .collect()
}

/// An Ingress `ns/name` of class `edge` with the given spec body (YAML, indented 2).
fn ingress(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: \"{name}\", namespace: {ns}}}\nspec:\n  ingressClassName: edge\n{spec}\n"
    )
}

/// One rule for `host` ("" = none) with `(pathType, path, service, port)` paths.
fn rule(host: &str, paths: &[(&str, &str, &str, u16)]) -> String {
    let mut s = String::new();
    if host.is_empty() {
        s.push_str("  - http:\n      paths:\n");
    } else {
        s.push_str(&format!("  - host: \"{host}\"\n    http:\n      paths:\n"));
    }
    for (t, p, svc, port) in paths {
        s.push_str(&format!(
            "      - {{path: \"{p}\", pathType: {t}, backend: {{service: {{name: {svc}, port: {{number: {port}}}}}}}}}\n"
        ));
    }
    s
}

fn rules(rules: &[String]) -> String {
    format!("  rules:\n{}", rules.concat())
}

/// The `(type, value)` of every rule's single match, in order.
fn matches(route: &Value) -> Vec<(String, String)> {
    route["spec"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let m = r["matches"].as_array().unwrap();
            assert_eq!(m.len(), 1, "one match per rule");
            (
                m[0]["path"]["type"].as_str().unwrap().to_string(),
                m[0]["path"]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(t: &str, v: &str) -> (String, String) {
    (t.to_string(), v.to_string())
}

// ---------------------------------------------------------------------------------------
// Names

#[test]
fn slugs() {
    for (host, want) in [
        ("foo.example.com", "foo-example-com"),
        ("*.example.com", "example-com"),
        ("", "all-hosts"),
        ("*", "all-hosts"),
        ("a--b..c", "a-b-c"),
        ("xn--bcher-kva.example", "xn-bcher-kva-example"),
        ("_dmarc.example.com", "dmarc-example-com"),
        ("foo.", "foo-"),
        ("api-v2.example.com", "api-v2-example-com"),
        ("Foo.Example", "Foo-Example"),
    ] {
        assert_eq!(slug(host), want, "slug({host:?})");
    }
}

#[test]
fn one_gateway_per_namespace_and_class_named_after_the_class() {
    let yaml = [
        ingress(
            "a",
            "one",
            &rules(&[rule("a.com", &[("Prefix", "/", "s", 80)])]),
        ),
        ingress(
            "a",
            "two",
            &rules(&[rule("b.com", &[("Prefix", "/", "s", 80)])]),
        ),
        ingress(
            "b",
            "three",
            &rules(&[rule("a.com", &[("Prefix", "/", "s", 80)])]),
        )
        .replace("ingressClassName: edge", "ingressClassName: internal"),
    ]
    .concat();
    let c = convert(&yaml);
    assert!(c.errors.is_empty(), "{:?}", errors(&c));
    assert_eq!(
        names(&c),
        [
            "Gateway/a/edge",
            "HTTPRoute/a/one-a-com",
            "HTTPRoute/a/two-b-com",
            "Gateway/b/internal",
            "HTTPRoute/b/three-a-com",
        ]
    );
    let gw = obj(&c, "Gateway", "edge");
    assert_eq!(gw["apiVersion"], "gateway.networking.k8s.io/v1");
    assert_eq!(gw["metadata"], json!({"name": "edge", "namespace": "a"}));
    assert_eq!(gw["spec"]["gatewayClassName"], "edge");
    assert_eq!(listener_names(gw), ["a-com-http", "b-com-http"]);
    assert_eq!(
        obj(&c, "Gateway", "internal")["spec"]["gatewayClassName"],
        "internal"
    );
    // No GatewayClass and no ReferenceGrant are emitted.
    assert!(c
        .objects
        .iter()
        .all(|o| o["kind"] == "Gateway" || o["kind"] == "HTTPRoute"));
}

#[test]
fn listeners_per_host_and_host_less() {
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[
            rule("foo.example.com", &[("Prefix", "/", "s", 80)]),
            rule("", &[("Prefix", "/", "s", 80)]),
            rule("*.example.com", &[("Prefix", "/", "s", 80)]),
        ]),
    ));
    let gw = obj(&c, "Gateway", "edge");
    // Sorted by host: host-less first, `*` sorts before letters.
    assert_eq!(
        listener_names(gw),
        ["http", "example-com-http", "foo-example-com-http"]
    );
    assert_eq!(
        listener(gw, "http"),
        &json!({"name": "http", "port": 80, "protocol": "HTTP"})
    );
    assert_eq!(
        listener(gw, "foo-example-com-http"),
        &json!({"name": "foo-example-com-http", "hostname": "foo.example.com", "port": 80, "protocol": "HTTP"})
    );
    assert_eq!(
        listener(gw, "example-com-http")["hostname"],
        "*.example.com"
    );
    // Routes: one per host, named <ingress>-<slug>; hostnames only when the host is set.
    let r = obj(&c, "HTTPRoute", "web-all-hosts");
    assert_eq!(r["spec"]["parentRefs"], json!([{"name": "edge"}]));
    assert!(r["spec"].get("hostnames").is_none());
    let r = obj(&c, "HTTPRoute", "web-foo-example-com");
    assert_eq!(r["spec"]["hostnames"], json!(["foo.example.com"]));
    assert_eq!(r["spec"]["parentRefs"], json!([{"name": "edge"}]));
    let r = obj(&c, "HTTPRoute", "web-example-com");
    assert_eq!(r["spec"]["hostnames"], json!(["*.example.com"]));
}

#[test]
fn tls_listeners_and_certificate_refs() {
    let tls_a = "  tls:\n  - {hosts: [a.com], secretName: a-1}\n  - {hosts: [a.com, c.com], secretName: a-2}\n  - {hosts: [a.com], secretName: a-1}\n";
    let tls_b =
        "  tls:\n  - {hosts: [a.com], secretName: b-1}\n  - {hosts: [a.com], secretName: a-2}\n";
    let yaml = [
        ingress(
            "ns",
            "one",
            &format!(
                "{tls_a}{}",
                rules(&[
                    rule("a.com", &[("Prefix", "/", "s", 80)]),
                    rule("b.com", &[("Prefix", "/", "s", 80)]),
                ])
            ),
        ),
        ingress(
            "ns",
            "two",
            &format!(
                "{tls_b}{}",
                rules(&[rule("a.com", &[("Prefix", "/x", "s", 80)])])
            ),
        ),
    ]
    .concat();
    let c = convert(&yaml);
    let gw = obj(&c, "Gateway", "edge");
    // b.com has no TLS entry: HTTP only. c.com has TLS but no rule: no listener.
    assert_eq!(
        listener_names(gw),
        ["a-com-http", "a-com-https", "b-com-http"]
    );
    assert_eq!(
        listener(gw, "a-com-https"),
        &json!({
            "name": "a-com-https", "hostname": "a.com", "port": 443, "protocol": "HTTPS",
            "tls": {"certificateRefs": [{"name": "a-1"}, {"name": "a-2"}, {"name": "b-1"}]},
        })
    );
    assert!(c.warnings.is_empty(), "{:?}", warnings(&c));
}

#[test]
fn tls_without_hosts_covers_every_host_and_wildcards_cover_one_label() {
    let yaml = ingress(
        "ns",
        "web",
        &format!(
            "  tls:\n  - {{secretName: everything}}\n  - {{hosts: [\"*.b.com\"], secretName: wild}}\n{}",
            rules(&[
                rule("", &[("Prefix", "/", "s", 80)]),
                rule("a.com", &[("Prefix", "/", "s", 80)]),
                rule("x.b.com", &[("Prefix", "/", "s", 80)]),
                rule("x.y.b.com", &[("Prefix", "/", "s", 80)]),
            ])
        ),
    );
    let c = convert(&yaml);
    let gw = obj(&c, "Gateway", "edge");
    let refs = |name: &str| listener(gw, name)["tls"]["certificateRefs"].clone();
    assert_eq!(listener(gw, "https")["port"], 443);
    assert!(listener(gw, "https").get("hostname").is_none());
    assert_eq!(refs("https"), json!([{"name": "everything"}]));
    assert_eq!(refs("a-com-https"), json!([{"name": "everything"}]));
    assert_eq!(
        refs("x-b-com-https"),
        json!([{"name": "everything"}, {"name": "wild"}])
    );
    // `*.b.com` covers exactly one label in Ingress.
    assert_eq!(refs("x-y-b-com-https"), json!([{"name": "everything"}]));
}

#[test]
fn tls_without_secret_name_makes_no_https_listener() {
    let c = convert(&ingress(
        "ns",
        "web",
        &format!(
            "  tls:\n  - hosts: [a.com]\n{}",
            rules(&[rule("a.com", &[("Prefix", "/", "s", 80)])])
        ),
    ));
    assert_eq!(listener_names(obj(&c, "Gateway", "edge")), ["a-com-http"]);
    let w = warned(&c, &["no secretName", "no HTTPS listener"]);
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert_eq!(w[0].object, "ns/web");
    assert_eq!(w[0].field, "spec.tls");
}

#[test]
fn colliding_listener_and_route_names_get_a_suffix() {
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[
            rule("foo.com", &[("Prefix", "/", "s", 80)]),
            rule("*.foo.com", &[("Prefix", "/", "s", 80)]),
        ]),
    ));
    assert!(c.errors.is_empty(), "{:?}", errors(&c));
    let gw = obj(&c, "Gateway", "edge");
    assert_eq!(listener_names(gw), ["foo-com-http", "foo-com-2-http"]);
    assert_eq!(listener(gw, "foo-com-http")["hostname"], "*.foo.com");
    assert_eq!(listener(gw, "foo-com-2-http")["hostname"], "foo.com");
    assert_eq!(
        obj(&c, "HTTPRoute", "web-foo-com")["spec"]["hostnames"],
        json!(["*.foo.com"])
    );
    assert_eq!(
        obj(&c, "HTTPRoute", "web-foo-com-2")["spec"]["hostnames"],
        json!(["foo.com"])
    );
    assert_eq!(warned(&c, &["listener name", "foo-com-2-http"]).len(), 1);
    assert_eq!(warned(&c, &["HTTPRoute name", "web-foo-com-2"]).len(), 1);
}

// ---------------------------------------------------------------------------------------
// Rules and backends

#[test]
fn paths_grouped_by_type_and_path_in_first_seen_order() {
    let yaml = [
        ingress(
            "ns",
            "a",
            &rules(&[
                rule(
                    "h.com",
                    &[
                        ("Prefix", "/a", "s1", 80),
                        ("Exact", "/b", "s2", 80),
                        ("Exact", "/a", "s3", 80),
                    ],
                ),
                // The same host again in the same Ingress, and a path repeated in it.
                rule(
                    "h.com",
                    &[("Prefix", "/c", "s4", 80), ("Prefix", "/a", "s5", 81)],
                ),
            ]),
        ),
        ingress(
            "ns",
            "b",
            &rules(&[rule(
                "h.com",
                &[
                    ("Exact", "/b", "s6", 80),
                    ("ImplementationSpecific", "/a", "s7", 80),
                ],
            )]),
        ),
    ]
    .concat();
    let c = convert(&yaml);
    let r = obj(&c, "HTTPRoute", "a-h-com");
    assert_eq!(
        matches(r),
        [
            pair("PathPrefix", "/a"),
            pair("Exact", "/b"),
            pair("Exact", "/a"),
            pair("PathPrefix", "/c"),
            // ImplementationSpecific /a is its own group: (pathType, path) differs.
            pair("PathPrefix", "/a"),
        ]
    );
    let refs = |i: usize| r["spec"]["rules"][i]["backendRefs"].clone();
    assert_eq!(
        refs(0),
        json!([{"name": "s1", "port": 80}, {"name": "s5", "port": 81}])
    );
    assert_eq!(
        refs(1),
        json!([{"name": "s2", "port": 80}, {"name": "s6", "port": 80}])
    );
    assert_eq!(refs(2), json!([{"name": "s3", "port": 80}]));
    assert_eq!(refs(4), json!([{"name": "s7", "port": 80}]));
    // One route for the host, named after the first Ingress (by namespace/name).
    assert_eq!(names(&c), ["Gateway/ns/edge", "HTTPRoute/ns/a-h-com"]);
    assert_eq!(listener_names(obj(&c, "Gateway", "edge")), ["h-com-http"]);
}

#[test]
fn cross_ingress_duplicates_become_an_equal_split_with_a_warning() {
    let yaml = [
        ingress(
            "ns",
            "old",
            &rules(&[rule("h.com", &[("Prefix", "/api", "v1", 80)])]),
        ),
        ingress(
            "ns",
            "new",
            &rules(&[rule("h.com", &[("Prefix", "/api", "v2", 80)])]),
        ),
    ]
    .concat();
    let c = convert(&yaml);
    // "new" sorts first: it names the route.
    let r = obj(&c, "HTTPRoute", "new-h-com");
    assert_eq!(
        r["spec"]["rules"],
        json!([{
            "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
            "backendRefs": [{"name": "v2", "port": 80}, {"name": "v1", "port": 80}],
        }])
    );
    // No weights: each is 1, an equal split.
    assert!(r["spec"]["rules"][0]["backendRefs"][0]
        .get("weight")
        .is_none());
    let w = warned(
        &c,
        &["also defined by Ingress ns/new", "splits them equally"],
    );
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert_eq!(w[0].object, "ns/old");
    assert_eq!(w[0].field, "spec.rules[0].http.paths[0].path");
}

#[test]
fn duplicates_within_one_ingress_are_not_flagged() {
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[rule(
            "h.com",
            &[("Prefix", "/", "a", 80), ("Prefix", "/", "b", 80)],
        )]),
    ));
    assert_eq!(
        obj(&c, "HTTPRoute", "web-h-com")["spec"]["rules"][0]["backendRefs"],
        json!([{"name": "a", "port": 80}, {"name": "b", "port": 80}])
    );
    assert!(c.warnings.is_empty(), "{:?}", warnings(&c));
}

const NAMED_PORT: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns}
spec:
  ports:
  - {name: http, port: 8080}
  - {name: admin, port: 9000}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec:
  ports:
  - {name: grpc, port: 7000}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ns}
spec:
  ingressClassName: edge
  defaultBackend: {service: {name: missing, port: {name: http}}}
  rules:
  - host: h.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: admin}}}}
      - {path: /g, pathType: Prefix, backend: {service: {name: web, port: {name: grpc}}}}
      - {path: /n, pathType: Prefix, backend: {service: {name: web, port: {number: 1234}}}}
"#;

#[test]
fn named_ports_resolve_through_the_service_of_the_namespace() {
    let c = convert(NAMED_PORT);
    let r = obj(&c, "HTTPRoute", "web-h-com");
    assert_eq!(
        r["spec"]["rules"][0]["backendRefs"],
        json!([{"name": "web", "port": 9000}])
    );
    // Numbers pass through unchecked.
    assert_eq!(
        r["spec"]["rules"][2]["backendRefs"],
        json!([{"name": "web", "port": 1234}])
    );
}

#[test]
fn unresolvable_named_ports_are_errors_naming_ingress_and_field() {
    let c = convert(NAMED_PORT);
    let e = errors(&c);
    assert_eq!(c.errors.len(), 2, "{e:?}");
    // `grpc` exists only on the Service of another namespace.
    let bad = &c.errors[0];
    assert_eq!(bad.kind, "Ingress");
    assert_eq!(bad.object, "ns/web");
    assert_eq!(
        bad.field,
        "spec.rules[0].http.paths[1].backend.service.port.name"
    );
    assert!(
        bad.message
            .contains("Service ns/web has no port named \"grpc\""),
        "{e:?}"
    );
    assert!(bad.message.contains("http = 8080, admin = 9000"), "{e:?}");
    let missing = &c.errors[1];
    assert_eq!(missing.field, "spec.defaultBackend.service.port.name");
    assert!(
        missing.message.contains("Service ns/missing not found"),
        "{e:?}"
    );
    // The rule keeps its match and loses the backendRef (the Gateway answers 500 for it).
    let r = obj(&c, "HTTPRoute", "web-h-com");
    assert_eq!(
        r["spec"]["rules"][1],
        json!({"matches": [{"path": {"type": "PathPrefix", "value": "/g"}}]})
    );
    let d = obj(&c, "HTTPRoute", "web-default-backend");
    assert_eq!(d["spec"]["rules"], json!([{}]));
    assert!(!c.is_ok());
}

#[test]
fn resource_backends() {
    let c = convert(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: ns}
spec:
  ingressClassName: edge
  defaultBackend: {resource: {kind: ConfigMap, name: fallback}}
  rules:
  - host: h.com
    http:
      paths:
      - path: /static
        pathType: Prefix
        backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}}
"#,
    );
    assert!(c.errors.is_empty(), "{:?}", errors(&c));
    assert_eq!(
        obj(&c, "HTTPRoute", "web-h-com")["spec"]["rules"][0]["backendRefs"],
        json!([{"group": "k8s.example.com", "kind": "StorageBucket", "name": "static-assets"}])
    );
    assert_eq!(
        obj(&c, "HTTPRoute", "web-default-backend")["spec"]["rules"][0]["backendRefs"],
        json!([{"group": "", "kind": "ConfigMap", "name": "fallback"}])
    );
}

#[test]
fn default_backend_route_and_its_listener() {
    let c = convert(&ingress(
        "ns",
        "web",
        &format!(
            "  defaultBackend: {{service: {{name: fallback, port: {{number: 8080}}}}}}\n{}",
            rules(&[rule("h.com", &[("Prefix", "/app", "s", 80)])])
        ),
    ));
    assert_eq!(
        names(&c),
        [
            "Gateway/ns/edge",
            "HTTPRoute/ns/web-h-com",
            "HTTPRoute/ns/web-default-backend"
        ]
    );
    let d = obj(&c, "HTTPRoute", "web-default-backend");
    assert_eq!(
        d["spec"],
        json!({
            "parentRefs": [{"name": "edge"}],
            "rules": [{"backendRefs": [{"name": "fallback", "port": 8080}]}],
        })
    );
    // A host-less `http` listener makes the default backend reachable for any host.
    assert_eq!(
        listener_names(obj(&c, "Gateway", "edge")),
        ["http", "h-com-http"]
    );
    assert!(c.warnings.is_empty(), "{:?}", warnings(&c));
}

#[test]
fn default_backend_only_ingress() {
    let c = convert(&ingress(
        "ns",
        "fallback",
        "  defaultBackend: {service: {name: s, port: {number: 80}}}",
    ));
    assert_eq!(
        names(&c),
        ["Gateway/ns/edge", "HTTPRoute/ns/fallback-default-backend"]
    );
    assert_eq!(listener_names(obj(&c, "Gateway", "edge")), ["http"]);
}

#[test]
fn implementation_specific_paths() {
    let yaml = ingress(
        "ns",
        "web",
        &rules(&[rule(
            "h.com",
            &[
                ("ImplementationSpecific", "", "s", 80),
                ("ImplementationSpecific", "/x", "s", 80),
                ("ImplementationSpecific", "/y/*", "s", 80),
                ("ImplementationSpecific", "/*", "s", 80),
            ],
        )]),
    );
    let run = |mode| {
        let c = convert_with(
            &yaml,
            &ConvertOptions {
                implementation_specific: mode,
                ..Default::default()
            },
        );
        assert!(c.errors.is_empty(), "{:?}", errors(&c));
        matches(obj(&c, "HTTPRoute", "web-h-com"))
    };
    assert_eq!(
        run(ImplementationSpecific::Prefix),
        [
            pair("PathPrefix", "/"),
            pair("PathPrefix", "/x"),
            pair("PathPrefix", "/y/*"),
            pair("PathPrefix", "/*"),
        ]
    );
    assert_eq!(
        run(ImplementationSpecific::Exact),
        [
            pair("Exact", "/"),
            pair("Exact", "/x"),
            pair("Exact", "/y/*"),
            pair("Exact", "/*"),
        ]
    );
    assert_eq!(
        run(ImplementationSpecific::Gce),
        [
            pair("Exact", "/"),
            pair("Exact", "/x"),
            pair("PathPrefix", "/y"),
            pair("PathPrefix", "/"),
        ]
    );
    assert_eq!(
        ConvertOptions::default().implementation_specific,
        ImplementationSpecific::Prefix
    );
}

#[test]
fn paths_the_gateway_api_cannot_express_are_errors() {
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[rule(
            "h.com",
            &[
                ("ImplementationSpecific", "/api(/|$)(.*)", "s", 80),
                ("Prefix", "/ok", "s", 80),
            ],
        )]),
    ));
    assert_eq!(c.errors.len(), 1, "{:?}", errors(&c));
    assert_eq!(c.errors[0].field, "spec.rules[0].http.paths[0].path");
    assert!(
        c.errors[0].message.contains("invalid character '|'"),
        "{:?}",
        errors(&c)
    );
    assert_eq!(
        matches(obj(&c, "HTTPRoute", "web-h-com")),
        [pair("PathPrefix", "/ok")]
    );
}

#[test]
fn more_than_sixteen_paths_are_split_over_routes() {
    let paths: Vec<String> = (0..20).map(|i| format!("/p{i:02}")).collect();
    let list: Vec<(&str, &str, &str, u16)> = paths
        .iter()
        .map(|p| ("Prefix", p.as_str(), "s", 80))
        .collect();
    let c = convert(&ingress("ns", "web", &rules(&[rule("h.com", &list)])));
    let first = matches(obj(&c, "HTTPRoute", "web-h-com"));
    let second = matches(obj(&c, "HTTPRoute", "web-h-com-2"));
    assert_eq!(first.len(), 16);
    assert_eq!(second.len(), 4);
    assert_eq!(second[0], pair("PathPrefix", "/p16"));
    assert_eq!(warned(&c, &["20 distinct paths", "2 HTTPRoutes"]).len(), 1);
    assert!(c.errors.is_empty());
}

#[test]
fn creation_timestamps_come_from_the_oldest_ingress() {
    let yaml = [
        ingress(
            "ns",
            "a",
            &rules(&[rule("h.com", &[("Prefix", "/a", "s", 80)])]),
        )
        .replace(
            "namespace: ns}",
            "namespace: ns, creationTimestamp: \"2024-05-01T00:00:00Z\"}",
        ),
        ingress(
            "ns",
            "b",
            &rules(&[rule("h.com", &[("Prefix", "/b", "s", 80)])]),
        )
        .replace(
            "namespace: ns}",
            "namespace: ns, creationTimestamp: \"2023-01-01T00:00:00Z\"}",
        ),
    ]
    .concat();
    let c = convert(&yaml);
    let r = obj(&c, "HTTPRoute", "a-h-com");
    assert_eq!(r["metadata"]["creationTimestamp"], "2023-01-01T00:00:00Z");
    let c = convert_with(
        &yaml,
        &ConvertOptions {
            creation_timestamps: false,
            ..Default::default()
        },
    );
    assert!(obj(&c, "HTTPRoute", "a-h-com")["metadata"]
        .get("creationTimestamp")
        .is_none());
}

#[test]
fn output_order_is_independent_of_input_order() {
    let docs = [
        ingress(
            "b",
            "z",
            &rules(&[rule("z.com", &[("Prefix", "/", "s", 80)])]),
        ),
        ingress(
            "a",
            "y",
            &rules(&[rule("y.com", &[("Prefix", "/", "s", 80)])]),
        ),
        ingress(
            "a",
            "x",
            &format!(
                "  defaultBackend: {{service: {{name: s, port: {{number: 80}}}}}}\n{}",
                rules(&[rule("y.com", &[("Prefix", "/x", "t", 80)])])
            ),
        ),
    ];
    let forward = convert(&docs.concat());
    let mut reversed = docs.clone();
    reversed.reverse();
    let backward = convert(&reversed.concat());
    assert_eq!(forward.objects, backward.objects);
    assert_eq!(
        names(&forward),
        [
            "Gateway/a/edge",
            "HTTPRoute/a/x-y-com",
            "HTTPRoute/a/x-default-backend",
            "Gateway/b/edge",
            "HTTPRoute/b/z-z-com",
        ]
    );
    assert_eq!(
        matches(obj(&forward, "HTTPRoute", "x-y-com")),
        [pair("PathPrefix", "/x"), pair("PathPrefix", "/")]
    );
}

// ---------------------------------------------------------------------------------------
// Class resolution

const CLASSES: &str = r#"
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: fallback
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: example.com/ingress}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: other
  annotations: {ingressclass.kubernetes.io/is-default-class: "false"}
spec: {controller: example.com/ingress}
"#;

fn classed(name: &str, class_name: Option<&str>, annotation: Option<&str>) -> String {
    let mut s = format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: ns\n"
    );
    if let Some(a) = annotation {
        s.push_str(&format!(
            "  annotations: {{kubernetes.io/ingress.class: {a}}}\n"
        ));
    }
    s.push_str("spec:\n");
    if let Some(c) = class_name {
        s.push_str(&format!("  ingressClassName: {c}\n"));
    }
    s.push_str(&rules(&[rule("h.com", &[("Prefix", "/", "s", 80)])]));
    s
}

#[test]
fn class_resolution_order() {
    let yaml = [
        CLASSES.to_string(),
        classed("both", Some("named"), Some("annotated")),
        classed("annotation", None, Some("annotated")),
        classed("neither", None, None),
    ]
    .concat();
    let config = Config::from_str(&yaml);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let class_of = |name: &str| {
        let ing = config
            .ingresses()
            .iter()
            .find(|i| i.meta.name == name)
            .unwrap();
        ingress_class(&config, ing)
    };
    assert_eq!(class_of("both"), Ok("named".to_string()));
    assert_eq!(class_of("annotation"), Ok("annotated".to_string()));
    assert_eq!(class_of("neither"), Ok("fallback".to_string()));

    let c = ingress_to_gateway(&config, &ConvertOptions::default());
    let gateways: Vec<&str> = c
        .objects
        .iter()
        .filter(|o| o["kind"] == "Gateway")
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(gateways, ["annotated", "fallback", "named"]);
    assert_eq!(
        obj(&c, "HTTPRoute", "neither-h-com")["spec"]["parentRefs"],
        json!([{"name": "fallback"}])
    );
}

#[test]
fn ingress_without_class_is_skipped_with_a_warning() {
    let c = convert(&classed("lost", None, None));
    assert!(c.objects.is_empty());
    assert!(c.errors.is_empty());
    assert_eq!(c.warnings.len(), 1);
    let w = &c.warnings[0];
    assert_eq!((w.kind.as_str(), w.object.as_str()), ("Ingress", "ns/lost"));
    assert!(w.message.contains("no ingress class"), "{w}");
    assert!(w.message.contains("skipped"), "{w}");
}

#[test]
fn two_default_classes_are_ambiguous() {
    let yaml = format!(
        "{CLASSES}---\n{}{}",
        CLASSES
            .split("---")
            .next()
            .unwrap()
            .replace("name: fallback", "name: second"),
        classed("lost", None, None)
    );
    let c = convert(&yaml);
    assert!(c.objects.is_empty());
    assert_eq!(
        warned(
            &c,
            &["2 IngressClasses are marked default (fallback, second)"]
        )
        .len(),
        1
    );
}

// ---------------------------------------------------------------------------------------
// Warnings for the semantic gaps

#[test]
fn single_label_wildcards_are_flagged_once_per_ingress_and_host() {
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[
            rule("*.foo.com", &[("Prefix", "/", "s", 80)]),
            rule("*.foo.com", &[("Prefix", "/x", "s", 80)]),
            rule("foo.com", &[("Prefix", "/", "s", 80)]),
        ]),
    ));
    let w = warned(&c, &["wildcard host \"*.foo.com\""]);
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert_eq!(w[0].object, "ns/web");
    assert_eq!(w[0].field, "spec.rules[0].host");
    assert!(w[0].message.contains("also serves a.b.foo.com"), "{}", w[0]);
}

#[test]
fn path_precedence_gaps() {
    // Exact /a with Prefix /a/: for /a Ingress picks the longer Prefix, Gateway API the Exact.
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[rule(
            "h.com",
            &[("Exact", "/a", "s", 80), ("Prefix", "/a/", "t", 80)],
        )]),
    ));
    let w = warned(
        &c,
        &[
            "for request h.com/a,",
            "Prefix path \"/a/\"",
            "Exact \"/a\"",
        ],
    );
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert_eq!(w[0].field, "spec.rules[0].http.paths[1].path");

    // Prefix /b then Prefix /b/: Gateway API ties them and takes the earlier rule.
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[rule(
            "",
            &[
                ("Prefix", "/b", "s", 80),
                ("ImplementationSpecific", "/b/", "t", 80),
            ],
        )]),
    ));
    assert_eq!(
        warned(&c, &["for request any host/b,", "longer path \"/b/\""]).len(),
        1,
        "{:?}",
        warnings(&c)
    );

    // The longer prefix first: both prefer it, no warning. Unrelated paths: no warning.
    let c = convert(&ingress(
        "ns",
        "web",
        &rules(&[rule(
            "h.com",
            &[
                ("Prefix", "/b/", "t", 80),
                ("Prefix", "/b", "s", 80),
                ("Exact", "/c", "s", 80),
                ("Prefix", "/c/d", "s", 80),
                ("Exact", "/e/", "s", 80),
                ("Prefix", "/e", "s", 80),
            ],
        )]),
    ));
    assert!(c.warnings.is_empty(), "{:?}", warnings(&c));
}

#[test]
fn host_fallback_gaps() {
    let yaml = [
        ingress(
            "ns",
            "hosts",
            &rules(&[
                rule("a.foo.com", &[("Prefix", "/a", "s", 80)]),
                rule("*.foo.com", &[("Prefix", "/w", "s", 80)]),
                rule("bar.com", &[("Prefix", "/b", "s", 80)]),
            ]),
        ),
        ingress(
            "ns",
            "rest",
            &rules(&[rule("", &[("Prefix", "/any", "s", 80)])]),
        ),
    ]
    .concat();
    let c = convert(&yaml);
    let w = warned(&c, &["requests for \"a.foo.com\""]);
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert_eq!(w[0].object, "ns/hosts");
    assert_eq!(w[0].field, "spec.rules[0].host");
    assert!(
        w[0].message.contains(
            "the rules of host \"*.foo.com\" (HTTPRoute ns/hosts-foo-com, Ingress ns/hosts)"
        ),
        "{}",
        w[0]
    );
    assert!(
        w[0].message
            .contains("the rules without host (HTTPRoute ns/rest-all-hosts, Ingress ns/rest)"),
        "{}",
        w[0]
    );
    let w = warned(&c, &["requests for \"bar.com\""]);
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert!(!w[0].message.contains("*.foo.com"), "{}", w[0]);
    assert_eq!(warned(&c, &["requests for \"*.foo.com\""]).len(), 1);

    // Without host-less rules or covering wildcards: no such warning.
    let c = convert(&ingress(
        "ns",
        "hosts",
        &rules(&[
            rule("a.com", &[("Prefix", "/", "s", 80)]),
            rule("*.b.com", &[("Prefix", "/", "s", 80)]),
        ]),
    ));
    assert!(
        warned(&c, &["requests for"]).is_empty(),
        "{:?}",
        warnings(&c)
    );
}

#[test]
fn default_backend_ties_with_slash_rules() {
    let yaml = [
        ingress(
            "ns",
            "site",
            &format!(
                "  defaultBackend: {{service: {{name: fallback, port: {{number: 80}}}}}}\n{}",
                rules(&[rule("h.com", &[("Prefix", "/", "s", 80)])])
            ),
        ),
        ingress(
            "ns",
            "spare",
            "  defaultBackend: {service: {name: other, port: {number: 80}}}",
        ),
    ]
    .concat();
    let c = convert(&yaml);
    let w = warned(&c, &["defaultBackend serves only requests no rule matches"]);
    assert_eq!(w.len(), 2, "{:?}", warnings(&c));
    assert_eq!(w[0].object, "ns/site");
    assert_eq!(w[0].field, "spec.defaultBackend");
    assert!(
        w[0].message.contains("HTTPRoute ns/site-default-backend"),
        "{}",
        w[0]
    );
    assert!(
        w[0].message
            .contains("rule of HTTPRoute ns/site-h-com (from Ingress ns/site)"),
        "{}",
        w[0]
    );
    let w = warned(
        &c,
        &["Ingress ns/site of the same class and namespace also has a defaultBackend"],
    );
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert_eq!(w[0].object, "ns/spare");

    // Equal ages: "ns/site-default-backend" < "ns/site-h-com", the default backend wins.
    let site = warned(&c, &["HTTPRoute ns/site-default-backend (no hostnames"]);
    assert!(
        site[0].message.contains("here the default backend takes"),
        "{}",
        site[0]
    );
    // A rule route older than the default-backend route keeps its requests.
    let yaml = [
        ingress(
            "ns",
            "site",
            &rules(&[rule("h.com", &[("Prefix", "/", "s", 80)])]),
        )
        .replace(
            "namespace: ns}",
            "namespace: ns, creationTimestamp: \"2020-01-01T00:00:00Z\"}",
        ),
        ingress(
            "ns",
            "catch",
            "  defaultBackend: {service: {name: other, port: {number: 80}}}",
        )
        .replace(
            "namespace: ns}",
            "namespace: ns, creationTimestamp: \"2021-01-01T00:00:00Z\"}",
        ),
    ]
    .concat();
    let c = convert(&yaml);
    let w = warned(&c, &["defaultBackend serves only requests no rule matches"]);
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert!(
        w[0].message
            .contains("here HTTPRoute ns/site-h-com (as in Ingress, but only by age or name)"),
        "{}",
        w[0]
    );
}

#[test]
fn class_spanning_namespaces_is_flagged() {
    let yaml = [
        ingress(
            "a",
            "x",
            &rules(&[rule("h.com", &[("Prefix", "/", "s", 80)])]),
        ),
        ingress(
            "b",
            "y",
            &rules(&[rule("h.com", &[("Prefix", "/", "s", 80)])]),
        ),
    ]
    .concat();
    let c = convert(&yaml);
    let w = warned(&c, &["2 namespaces (a, b)", "a/edge, b/edge"]);
    assert_eq!(w.len(), 1, "{:?}", warnings(&c));
    assert_eq!(
        (w[0].kind.as_str(), w[0].object.as_str()),
        ("IngressClass", "edge")
    );
}

#[test]
fn rules_without_http_are_skipped_with_a_warning() {
    let c = convert(&ingress(
        "ns",
        "web",
        "  rules:\n  - host: a.com\n  - host: b.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}",
    ));
    assert_eq!(listener_names(obj(&c, "Gateway", "edge")), ["b-com-http"]);
    let w = warned(&c, &["rule without http paths"]);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].field, "spec.rules[0]");
}

// ---------------------------------------------------------------------------------------
// YAML output and the round trip

#[test]
fn yaml_output_reads_back_as_the_same_objects() {
    let tricky = json!({
        "apiVersion": "v1",
        "kind": "Tricky",
        "metadata": {"name": "x"},
        "spec": {
            "strings": ["", "true", "No", "null", "~", "123", "1e3", "0x1F", ".5", "-", "- a",
                "a: b", "a #b", "#c", "*.foo.com", "&anchor", "!tag", "@at", "`tick", "'q'",
                "\"dq\"", "line\nbreak", "tab\there", "ünï", "/path/with:colon", "{x}", "[y]",
                "%p", "a,b", "?q", "|", ">", "trailing ", " leading"],
            "numbers": [0, -1, 2.5, 65535],
            "bools": [true, false],
            "null": null,
            "empty_map": {},
            "empty_list": [],
            "nested": [[1, 2], [], [{"a": {"b": [{"c": 1, "d": "e"}]}}]],
        },
    });
    let objects = vec![
        tricky.clone(),
        json!({"kind": "Second", "apiVersion": "v1"}),
    ];
    let text = to_yaml(&objects);
    let docs: Vec<&str> = text.split("---\n").collect();
    assert_eq!(docs.len(), 2, "{text}");
    for (doc, want) in docs.iter().zip(&objects) {
        let back: Value = serde_saphyr::from_str(doc).unwrap_or_else(|e| panic!("{e}\n{doc}"));
        assert_eq!(&back, want, "{doc}");
    }
    assert!(
        text.starts_with("apiVersion: v1\nkind: Tricky\nmetadata:\n  name: x\nspec:\n"),
        "{text}"
    );
}

/// The example converted, plus the GatewayClass and the example's Services and Secrets.
fn converted_example() -> (Conversion, Config) {
    let source = Config::from_str(EXAMPLE);
    assert!(source.errors().is_empty(), "{:?}", source.errors());
    assert!(source.warnings().is_empty(), "{:?}", source.warnings());
    assert_eq!(source.ingresses().len(), 2);
    let conversion = ingress_to_gateway(&source, &ConvertOptions::default());

    let mut config = Config::builder();
    config.add_str(&conversion.to_yaml(), "converted.yaml");
    config.add_str(GATEWAY_CLASS, "class.yaml");
    // The example's Services and Secrets (its Ingresses and IngressClass stay out).
    for (i, doc) in EXAMPLE.split("\n---\n").enumerate() {
        if doc.contains("kind: Service") || doc.contains("kind: Secret") {
            config.add_str(doc, &format!("examples/ingress.yaml#{i}"));
        }
    }
    (conversion, config.finish())
}

#[test]
fn example_converts_with_only_the_wildcard_warning() {
    let (c, _) = converted_example();
    assert!(c.errors.is_empty(), "{:?}", errors(&c));
    assert_eq!(c.warnings.len(), 1, "{:?}", warnings(&c));
    assert!(c.warnings[0]
        .to_string()
        .contains("Ingress shop/api (<string>#2): spec.rules[1].host: wildcard host \"*.tenants.example.com\""));
    assert_eq!(
        names(&c),
        [
            "Gateway/shop/trieway",
            "HTTPRoute/shop/api-tenants-example-com",
            "HTTPRoute/shop/api-api-shop-example-com",
            "HTTPRoute/shop/storefront-shop-example-com",
            "HTTPRoute/shop/storefront-default-backend",
        ]
    );
    let gw = obj(&c, "Gateway", "trieway");
    assert_eq!(
        listener_names(gw),
        [
            "http",
            "tenants-example-com-http",
            "tenants-example-com-https",
            "api-shop-example-com-http",
            "api-shop-example-com-https",
            "shop-example-com-http",
            "shop-example-com-https",
        ]
    );
    // The storefront's named port `web` resolved to 8080, in its rules and default backend.
    let front = obj(&c, "HTTPRoute", "storefront-shop-example-com");
    assert_eq!(
        front["spec"]["rules"][0]["backendRefs"],
        json!([{"name": "web", "port": 8080}])
    );
    assert_eq!(
        matches(front),
        [
            pair("PathPrefix", "/products"),
            pair("Exact", "/healthz"),
            pair("PathPrefix", "/static"),
        ]
    );
}

#[test]
fn example_round_trip_is_valid_and_every_route_is_accepted() {
    let (_, config) = converted_example();
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
    assert_eq!(config.gateways().len(), 1);
    assert_eq!(config.http_routes().len(), 4);
    let report = trieway::Report::attach(&config, DEFAULT_CONTROLLER_NAME);
    let routes = &report.routes;
    assert_eq!(routes.len(), 4);
    for route in routes {
        assert!(!route.parents.is_empty(), "{route:?}");
        for parent in route.parents.iter() {
            let accepted = parent
                .conditions
                .iter()
                .find(|c| c.kind == "Accepted")
                .unwrap_or_else(|| panic!("no Accepted condition: {route:?}"));
            assert_eq!(
                accepted.status, "True",
                "{}/{}: {accepted:?}",
                route.namespace, route.name
            );
            let resolved = parent.conditions.iter().find(|c| c.kind == "ResolvedRefs");
            assert!(resolved.is_some_and(|c| c.status == "True"), "{route:?}");
        }
    }
    for l in &report.listeners {
        for c in &l.conditions {
            let good = match &*c.kind {
                "Conflicted" => c.status == "False",
                _ => c.status == "True",
            };
            assert!(good, "listener {}: {c:?}", l.name);
        }
    }
}

#[test]
fn example_round_trip_routes_like_the_ingresses() {
    let (_, config) = converted_example();
    let router = Router::new(&config, Options::default()).unwrap();
    let route = |scheme: &str, host: &str, path: &str| -> String {
        let mut req = Request::new("GET", host, path);
        if scheme == "https" {
            req = req.port(443).sni(host).scheme("https");
        }
        match router.route(&req) {
            Outcome::Matched(m) => {
                let Target::Backend(b) = m.pick(0) else {
                    panic!("{host}{path}: no backend")
                };
                format!("{} {}:{}", m.route().name, b.name(), b.port().unwrap_or(0))
            }
            other => format!("{other:?}"),
        }
    };
    for (scheme, host, path, want) in [
        (
            "http",
            "shop.example.com",
            "/products/42",
            "storefront-shop-example-com web:8080",
        ),
        (
            "https",
            "shop.example.com",
            "/products",
            "storefront-shop-example-com web:8080",
        ),
        (
            "http",
            "shop.example.com",
            "/healthz",
            "storefront-shop-example-com web:8081",
        ),
        // A miss on a known host: the default backend, as in Ingress.
        (
            "http",
            "shop.example.com",
            "/healthz/x",
            "storefront-default-backend web:8080",
        ),
        (
            "http",
            "shop.example.com",
            "/",
            "storefront-default-backend web:8080",
        ),
        (
            "http",
            "shop.example.com",
            "/static/app.js",
            "storefront-shop-example-com assets:80",
        ),
        (
            "http",
            "api.shop.example.com",
            "/v1/orders",
            "api-api-shop-example-com api:8000",
        ),
        (
            "https",
            "api.shop.example.com",
            "/v1/status",
            "api-api-shop-example-com api:9090",
        ),
        (
            "http",
            "acme.tenants.example.com",
            "/app/home",
            "api-tenants-example-com tenant-portal:80",
        ),
        (
            "https",
            "acme.tenants.example.com",
            "/app",
            "api-tenants-example-com tenant-portal:80",
        ),
        // An unknown host: the default backend, as in Ingress.
        (
            "http",
            "www.example.org",
            "/",
            "storefront-default-backend web:8080",
        ),
        // The documented gap: two labels match the wildcard in Gateway API (Ingress: default).
        (
            "http",
            "a.b.tenants.example.com",
            "/app",
            "api-tenants-example-com tenant-portal:80",
        ),
    ] {
        assert_eq!(route(scheme, host, path), want, "{scheme}://{host}{path}");
    }
}
