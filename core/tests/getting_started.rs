//! First contact: the YAML users bring is served with `Options::default()`.

use trieway::{Config, Options, Outcome, Request, Router, Target};

const GETTING_STARTED: &str = include_str!("../examples/getting-started.yaml");

#[test]
fn getting_started_example_routes_with_default_options() {
    let config = Config::from_str(GETTING_STARTED);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let router = Router::new(&config, Options::default()).expect("the Gateway is served");
    let report = router.report();
    assert_eq!(report.routes.len(), 1);
    for c in &report.routes[0].parents[0].conditions {
        assert!(c.is_true(), "{c:?}");
    }
    // No Service objects were given: the report says backendRefs are taken as written.
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("holds no Service")),
        "{:?}",
        report.warnings
    );
    let Outcome::Matched(m) = router.route(&Request::new("GET", "example.com", "/app/x")) else {
        panic!("GET /app/x must match");
    };
    assert_eq!(m.route().name, "my-route");
    match m.pick(0) {
        Target::Backend(b) => assert_eq!((b.name(), b.port()), ("app-service", Some(80))),
        other => panic!("expected app-service:80, got {other:?}"),
    }
    assert!(matches!(
        router.route(&Request::new("GET", "example.com", "/application")),
        Outcome::NotFound
    ));
}

#[test]
fn a_named_controller_serves_only_its_classes() {
    let config = Config::from_str(GETTING_STARTED);
    let other = Options {
        controller_name: Some("example.com/gateway-under-test".into()),
        ..Options::default()
    };
    let err = Router::new(&config, other).unwrap_err().to_string();
    assert!(
        err.contains("no Gateway is served by controller example.com/gateway-under-test"),
        "{err}"
    );
    let ours = Options {
        controller_name: Some("example.net/gateway-controller".into()),
        ..Options::default()
    };
    assert!(Router::new(&config, ours).is_ok());
}

#[test]
fn a_gateway_whose_class_is_installed_elsewhere_is_served_with_a_warning() {
    // `kubectl get gateway -o yaml` output: the GatewayClass lives in the cluster, not here.
    let yaml = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: eg
  namespace: default
  resourceVersion: "1234"
  uid: 1a2b3c4d-0000-4000-8000-000000000000
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, port: 80, protocol: HTTP}
status: {}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: backend, namespace: default}
spec:
  parentRefs: [{name: eg}]
  hostnames: [www.example.com]
  rules: [{backendRefs: [{name: backend, port: 3000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: default}
spec: {ports: [{port: 3000}]}
"#;
    let config = Config::from_str(yaml);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let router = Router::new(&config, Options::default()).expect("served");
    let warnings = &router.report().warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("Gateway default/eg: GatewayClass eg is not in the configuration"),
        "{warnings:?}"
    );
    assert!(matches!(
        router.route(&Request::new("GET", "www.example.com", "/")),
        Outcome::Matched(_)
    ));
    // Services were given: a missing one is BackendNotFound again.
    let missing = yaml.replace("name: backend, port: 3000", "name: gone, port: 3000");
    let router = Router::new(&Config::from_str(&missing), Options::default()).unwrap();
    let resolved = router.report().routes[0].parents[0]
        .conditions
        .iter()
        .find(|c| c.kind == "ResolvedRefs")
        .unwrap();
    assert_eq!(
        (&*resolved.status, &*resolved.reason),
        ("False", "BackendNotFound")
    );
}
