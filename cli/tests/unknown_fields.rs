//! `--unknown-fields=error|warn|ignore` on check, route and demo (issue #14 item 3).

use std::path::PathBuf;
use std::process::{Command, Output};

fn trieway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(args)
        .output()
        .expect("the trieway binary runs")
}

fn both(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A valid configuration whose route has one typo (`backendRef` for `backendRefs`) next to a
/// valid `backendRefs`, so that it attaches and routes when the typo is only a warning.
const TYPO: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: c
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: infra}]
  rules:
  - backendRefs: [{name: api, port: 8080}]
    backendRef: [{name: api, port: 8080}]
";

const MESSAGE: &str = "HTTPRoute shop/web";
const FIELD: &str = "spec.rules[0].backendRef: unknown field, did you mean backendRefs?";

/// The file, one per test (`test`): tests run in parallel and a shared file could be read while
/// another test rewrites it.
fn typo_file(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("unknown-fields-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{test}.yaml"));
    std::fs::write(&path, TYPO).unwrap();
    path
}

#[test]
fn check_refuses_unknown_fields_by_default() {
    let path = typo_file("check_refuses_unknown_fields_by_default");
    let path = path.to_str().unwrap();
    for args in [
        &["check", path][..],
        &["check", "--unknown-fields=error", path],
    ] {
        let o = trieway(args);
        let text = both(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {text}");
        assert!(text.contains(MESSAGE) && text.contains(FIELD), "{text}");
    }
}

#[test]
fn check_warn_and_ignore() {
    let path = typo_file("check_warn_and_ignore");
    let path = path.to_str().unwrap();
    let o = trieway(&["check", "--unknown-fields", "warn", path]);
    let text = both(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.contains(FIELD), "{text}");
    let o = trieway(&["check", "--unknown-fields=ignore", "-o", "json", path]);
    let text = both(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(!text.contains("unknown field"), "{text}");
}

#[test]
fn route_follows_the_policy() {
    let path = typo_file("route_follows_the_policy");
    let path = path.to_str().unwrap();
    // error (default): the route is not loaded, so nothing matches (exit 1).
    let o = trieway(&["route", "-c", path, "GET", "http://a.example/"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(both(&o).contains(FIELD), "{}", both(&o));
    let o = trieway(&[
        "route",
        "--unknown-fields=warn",
        "-c",
        path,
        "GET",
        "http://a.example/",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(both(&o).contains(FIELD), "{}", both(&o));
}

#[test]
fn bad_policy_is_a_usage_error_everywhere() {
    for cmd in ["check", "route", "demo"] {
        let o = trieway(&[cmd, "--unknown-fields=strict"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", both(&o));
        assert!(
            both(&o).contains("expected error, warn or ignore"),
            "{}",
            both(&o)
        );
    }
    let o = trieway(&["demo", "--unknown-fields=error"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
}
