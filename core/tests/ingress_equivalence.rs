//! Routing `examples/ingress.yaml` natively (`Router::from_ingress`, Ingress semantics) and
//! routing its Gateway API conversion (`trieway::convert`, SPEC §9.3) give the same backend for
//! every generated request, except where the semantics truly differ (docs/ingress.md). The one
//! difference this example exercises: an Ingress wildcard host covers exactly one label, a
//! Gateway API wildcard one or more.

use trieway::convert::{ingress_to_gateway, ConvertOptions};
use trieway::{Config, Options, Outcome, Request, Router, Target};

const EXAMPLE: &str = include_str!("../examples/ingress.yaml");

fn backend(r: &Router, host: &str, path: &str) -> String {
    match r.route(&Request::new("GET", host, path).port(80)) {
        Outcome::Matched(m) => match m.pick(0) {
            Target::Backend(b) => {
                format!("{}/{}:{}", b.namespace(), b.name(), b.port().unwrap_or(0))
            }
            Target::Status(s) => s.to_string(),
            _ => "?".into(),
        },
        _ => "404".into(),
    }
}

/// Requests whose answer differs by design: a host two or more labels deep under the Ingress
/// wildcard `*.tenants.example.com`.
fn differs_by_design(host: &str) -> bool {
    host.strip_suffix(".tenants.example.com")
        .is_some_and(|front| front.contains('.'))
}

#[test]
fn converted_config_routes_like_the_ingress() {
    let config = Config::from_str(EXAMPLE);
    assert!(config.errors().is_empty(), "{:#?}", config.errors());
    let native = Router::from_ingress(&config, None, Options::default());

    let conversion = ingress_to_gateway(&config, &ConvertOptions::default());
    assert!(conversion.errors.is_empty(), "{:#?}", conversion.errors);
    let mut converted = Config::builder();
    converted.add_str(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: trieway}\nspec: {controllerName: example.com/gateway-under-test}\n",
        "class",
    );
    // The Services (and Secrets) of the example, then the converted resources.
    for (i, v) in config_objects(EXAMPLE).into_iter().enumerate() {
        converted.add_value(v, "example", i);
    }
    for (i, v) in conversion.objects.iter().enumerate() {
        converted.add_value(v.clone(), "converted", i);
    }
    let converted = converted.finish();
    assert!(converted.errors().is_empty(), "{:#?}", converted.errors());
    let gateway = Router::new(&converted, Options::default()).expect("one converted Gateway");

    let hosts = [
        "shop.example.com",
        "SHOP.example.com:80",
        "api.shop.example.com",
        "a.tenants.example.com",
        "a.b.tenants.example.com",
        "tenants.example.com",
        "unknown.org",
    ];
    let paths = [
        "/",
        "/products",
        "/products/1",
        "/productsx",
        "/healthz",
        "/healthz/",
        "/static",
        "/static/x.css",
        "/staticx",
        "/v1",
        "/v1/",
        "/v1/status",
        "/v1/status/x",
        "/v1x",
        "/app",
        "/app/1",
        "/other",
    ];
    let (mut same, mut different) = (0, 0);
    for host in hosts {
        for path in paths {
            let (a, b) = (backend(&native, host, path), backend(&gateway, host, path));
            if differs_by_design(host) {
                different += usize::from(a != b);
                continue;
            }
            assert_eq!(a, b, "{host}{path}: Ingress vs converted Gateway API");
            same += 1;
        }
    }
    assert!(same > 90, "{same}");
    assert!(
        different > 0,
        "the documented wildcard-depth difference should show"
    );
}

/// The non-Ingress objects of a YAML stream (Services, Secrets) as JSON values.
fn config_objects(yaml: &str) -> Vec<serde_json::Value> {
    let c = Config::from_str(yaml);
    let mut out = Vec::new();
    for s in c.services() {
        out.push(serde_json::json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": s.meta.name, "namespace": s.meta.namespace}, "spec": s.spec}));
    }
    for s in c.secrets() {
        out.push(serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": s.meta.name, "namespace": s.meta.namespace}, "type": s.spec.kind}));
    }
    out
}
