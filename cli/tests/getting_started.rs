//! The first YAML a new user brings (examples/getting-started.yaml: a GatewayClass of another
//! controller, no namespaces, no Services) checks clean and routes with no option given.

use std::process::{Command, Output};

fn trieway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(args)
        .output()
        .expect("the trieway binary runs")
}

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/getting-started.yaml"
);

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn getting_started_checks_clean() {
    let o = trieway(&["check", FILE]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("1/1 route parentRefs accepted"), "{t}");
    assert!(!t.contains('✗'), "{t}");
    assert!(
        t.contains("Gateway default/my-gateway (class my-gateway-class)"),
        "{t}"
    );
}

#[test]
fn getting_started_routes_app_to_app_service() {
    let o = trieway(&["route", "-c", FILE, "GET", "http://example.com/app/x"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("HTTPRoute/default/my-route rule 0"), "{t}");
    assert!(t.contains("forward:   default/app-service:80"), "{t}");
    // Outside the prefix: 404.
    let o = trieway(&["route", "-c", FILE, "GET", "http://example.com/other"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn naming_a_controller_filters_as_a_cluster_controller_would() {
    // The class names example.net/gateway-controller: another controller serves nothing.
    let o = trieway(&[
        "route",
        "-c",
        FILE,
        "--controller",
        "example.com/other",
        "GET",
        "http://example.com/app/x",
    ]);
    let t = text(&o);
    assert_ne!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("no Gateway is served by controller example.com/other"),
        "{t}"
    );
    let o = trieway(&[
        "route",
        "-c",
        FILE,
        "--controller",
        "example.net/gateway-controller",
        "GET",
        "http://example.com/app/x",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // demo takes the option too: the demo's class names another controller.
    let o = trieway(&["demo", "--controller", "example.com/other"]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(trieway(&["demo", "--controller="]).status.code(), Some(2));
}
