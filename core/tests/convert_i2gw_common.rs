//! ingress2gateway's provider-neutral conversion (`pkg/i2gw/providers/common/converter_test.go`),
//! transcribed as facts: each case's Ingress and the Gateway listeners and HTTPRoutes it expects,
//! compared with trieway's conversion (`ConvertOptions::default()`). Where trieway differs by a
//! documented choice (docs/ingress.md), the test asserts trieway's side and says why. `verify`
//! runs on every case.

use serde_json::Value;
use trieway::convert::{ingress_to_gateway, verify, ConvertOptions};
use trieway::Config;

fn convert(yaml: &str) -> (Vec<Value>, Vec<String>) {
    let config = Config::from_str(yaml);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    let options = ConvertOptions::default();
    let c = ingress_to_gateway(&config, &options);
    let v = verify(&config, &options);
    assert!(v.is_ok(), "{}", v.report());
    (c.objects, c.errors.iter().map(|e| e.to_string()).collect())
}

/// `(name, port, protocol, hostname, certificate names)` of the listeners of Gateway `ns/name`.
fn listeners(
    objects: &[Value],
    ns: &str,
    name: &str,
) -> Vec<(String, i64, String, String, Vec<String>)> {
    let gw = objects
        .iter()
        .find(|o| {
            o["kind"] == "Gateway"
                && o["metadata"]["name"] == name
                && o["metadata"]["namespace"] == ns
        })
        .unwrap_or_else(|| panic!("no Gateway {ns}/{name}"));
    assert_eq!(gw["spec"]["gatewayClassName"], name);
    gw["spec"]["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let certs = l["tls"]["certificateRefs"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .map(|r| r["name"].as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            (
                l["name"].as_str().unwrap_or("").to_string(),
                l["port"].as_i64().unwrap_or(0),
                l["protocol"].as_str().unwrap_or("").to_string(),
                l["hostname"].as_str().unwrap_or("").to_string(),
                certs,
            )
        })
        .collect()
}

fn route<'a>(objects: &'a [Value], ns: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| {
            o["kind"] == "HTTPRoute"
                && o["metadata"]["name"] == name
                && o["metadata"]["namespace"] == ns
        })
        .unwrap_or_else(|| panic!("no HTTPRoute {ns}/{name}"))
}

fn l(
    name: &str,
    port: i64,
    protocol: &str,
    host: &str,
    certs: &[&str],
) -> (String, i64, String, String, Vec<String>) {
    (
        name.into(),
        port,
        protocol.into(),
        host.into(),
        certs.iter().map(|c| c.to_string()).collect(),
    )
}

#[test]
fn empty() {
    let (objects, errors) = convert("");
    assert!(objects.is_empty() && errors.is_empty());
}

#[test]
fn simple_ingress() {
    let (o, errors) = convert(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: simple, namespace: test}
spec:
  ingressClassName: simple
  rules:
  - host: example.com
    http:
      paths:
      - {path: /foo, pathType: Prefix, backend: {service: {name: example, port: {number: 3000}}}}
"#,
    );
    assert!(errors.is_empty());
    assert_eq!(
        listeners(&o, "test", "simple"),
        vec![l("example-com-http", 80, "HTTP", "example.com", &[])]
    );
    let r = route(&o, "test", "simple-example-com");
    assert_eq!(r["spec"]["parentRefs"][0]["name"], "simple");
    assert_eq!(r["spec"]["hostnames"][0], "example.com");
    assert_eq!(
        r["spec"]["rules"][0]["matches"][0]["path"],
        serde_json::json!({"type": "PathPrefix", "value": "/foo"})
    );
    assert_eq!(
        r["spec"]["rules"][0]["backendRefs"][0],
        serde_json::json!({"name": "example", "port": 3000})
    );
}

#[test]
fn ingress_with_tls() {
    let (o, _) = convert(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: with-tls, namespace: test}
spec:
  ingressClassName: with-tls
  tls: [{hosts: [example.com], secretName: example-cert}]
  rules:
  - host: example.com
    http:
      paths:
      - {path: /foo, pathType: Prefix, backend: {service: {name: example, port: {number: 3000}}}}
"#,
    );
    assert_eq!(
        listeners(&o, "test", "with-tls"),
        vec![
            l("example-com-http", 80, "HTTP", "example.com", &[]),
            l(
                "example-com-https",
                443,
                "HTTPS",
                "example.com",
                &["example-cert"]
            ),
        ]
    );
    route(&o, "test", "with-tls-example-com");
}

#[test]
fn duplicate_tls_secret_names_are_deduplicated() {
    let (o, _) = convert(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: dup-tls, namespace: test}
spec:
  ingressClassName: dup-tls
  tls:
  - {hosts: [foo.example.com], secretName: shared-cert}
  - {hosts: [bar.example.com], secretName: shared-cert}
  rules:
  - host: foo.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: foo-svc, port: {number: 80}}}}
"#,
    );
    assert_eq!(
        listeners(&o, "test", "dup-tls"),
        vec![
            l("foo-example-com-http", 80, "HTTP", "foo.example.com", &[]),
            l(
                "foo-example-com-https",
                443,
                "HTTPS",
                "foo.example.com",
                &["shared-cert"]
            ),
        ]
    );
    route(&o, "test", "dup-tls-foo-example-com");
}

#[test]
fn custom_and_default_backend() {
    let (o, _) = convert(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: net, namespace: different}
spec:
  ingressClassName: example-proxy
  defaultBackend: {service: {name: default, port: {number: 8080}}}
  rules:
  - host: example.net
    http:
      paths:
      - {path: /bar, pathType: Exact, backend: {resource: {apiGroup: vendor.example.com, kind: custom, name: custom}}}
"#,
    );
    // Differs by choice (docs/ingress.md, "Listeners", last row): trieway adds a listener
    // without hostname so that the default backend is reachable for every host, as in
    // Ingress; ingress2gateway has only example-net-http.
    assert_eq!(
        listeners(&o, "different", "example-proxy"),
        vec![
            l("http", 80, "HTTP", "", &[]),
            l("example-net-http", 80, "HTTP", "example.net", &[]),
        ]
    );
    let r = route(&o, "different", "net-example-net");
    assert_eq!(
        r["spec"]["rules"][0]["matches"][0]["path"],
        serde_json::json!({"type": "Exact", "value": "/bar"})
    );
    // ingress2gateway's expected backendRef has name and group (its kind is left out of the
    // expectation); trieway keeps the kind too.
    assert_eq!(
        r["spec"]["rules"][0]["backendRefs"][0],
        serde_json::json!({"group": "vendor.example.com", "kind": "custom", "name": "custom"})
    );
    let d = route(&o, "different", "net-default-backend");
    assert!(d["spec"]
        .get("hostnames")
        .is_none_or(|h| h.as_array().is_some_and(|a| a.is_empty())));
    assert!(d["spec"]["rules"][0].get("matches").is_none());
    assert_eq!(
        d["spec"]["rules"][0]["backendRefs"][0],
        serde_json::json!({"name": "default", "port": 8080})
    );
}

#[test]
fn named_ports_resolve_and_missing_ones_are_errors() {
    let ingress = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: named-ports, namespace: test}
spec:
  ingressClassName: named-ports
  rules:
  - host: example.com
    http:
      paths:
      - {path: /foo, pathType: Prefix, backend: {service: {name: example, port: {name: http}}}}
"#;
    let service = |name: &str, port: u16| {
        format!("---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: test}}\nspec: {{ports: [{{name: http, port: {port}}}]}}\n")
    };
    let (o, errors) = convert(&format!(
        "{ingress}{}{}",
        service("example", 3000),
        service("example2", 8080)
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let r = route(&o, "test", "named-ports-example-com");
    assert_eq!(
        r["spec"]["rules"][0]["backendRefs"][0],
        serde_json::json!({"name": "example", "port": 3000})
    );
    // "missing named ports": only example2 exists, so the port cannot be resolved.
    let config = Config::from_str(&format!("{ingress}{}", service("example2", 8080)));
    let c = ingress_to_gateway(&config, &ConvertOptions::default());
    assert_eq!(c.errors.len(), 1, "{:#?}", c.errors);
    assert!(
        c.errors[0].field.ends_with("backend.service.port.name"),
        "{:#?}",
        c.errors
    );
}

/// The GRPCRoute `ns/name` of `objects`.
fn grpc_route<'a>(objects: &'a [Value], ns: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| {
            o["kind"] == "GRPCRoute"
                && o["metadata"]["name"] == name
                && o["metadata"]["namespace"] == ns
        })
        .unwrap_or_else(|| panic!("no GRPCRoute {ns}/{name}"))
}

/// ingress2gateway's gRPC Ingresses are those its ingress-nginx provider marks with
/// `backend-protocol: GRPC`; trieway reads the same annotation.
#[test]
fn grpc_ingresses_become_grpc_routes() {
    let (o, errors) = convert(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: grpc
  namespace: test
  annotations: {nginx.ingress.kubernetes.io/backend-protocol: GRPC}
spec:
  ingressClassName: grpc-class
  rules:
  - host: grpc.example.com
    http:
      paths:
      - {path: /grpc.service/Method, pathType: Prefix, backend: {service: {name: grpc-service, port: {number: 50051}}}}
"#,
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        listeners(&o, "test", "grpc-class"),
        vec![l(
            "grpc-example-com-http",
            80,
            "HTTP",
            "grpc.example.com",
            &[]
        )]
    );
    let r = grpc_route(&o, "test", "grpc-grpc-example-com");
    assert_eq!(r["spec"]["hostnames"][0], "grpc.example.com");
    assert_eq!(
        r["spec"]["rules"][0]["matches"][0]["method"],
        serde_json::json!({"service": "grpc.service", "method": "Method"})
    );
    assert_eq!(
        r["spec"]["rules"][0]["backendRefs"][0],
        serde_json::json!({"name": "grpc-service", "port": 50051})
    );
    assert!(!o.iter().any(|o| o["kind"] == "HTTPRoute"));

    // "grpc ingress with service path": `/hello.HelloService/` matches the service.
    let (o, _) = convert(
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: grpcbin
  namespace: default
  annotations: {nginx.ingress.kubernetes.io/backend-protocol: GRPC}
spec:
  ingressClassName: nginx
  rules:
  - host: grpcbin.local
    http:
      paths:
      - {path: /hello.HelloService/, pathType: Prefix, backend: {service: {name: grpcbin, port: {number: 9000}}}}
"#,
    );
    let r = grpc_route(&o, "default", "grpcbin-grpcbin-local");
    assert_eq!(
        r["spec"]["rules"][0]["matches"][0]["method"],
        serde_json::json!({"service": "hello.HelloService"})
    );
}
