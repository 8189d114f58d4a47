//! `trieway demo`, `trieway route` and `trieway eval` end to end, through the built binary.

use std::process::Command;

fn trieway(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(args)
        .output()
        .expect("run trieway");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_routes_sample_requests() {
    let (code, out, err) = trieway(&["demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("4/4 route parentRefs Accepted"), "{out}");
    assert!(
        out.contains("301 → https://store.example.com/cart"),
        "{out}"
    );
    assert!(out.contains("tenant-b/blog #numbered-posts"), "{out}");
    assert!(out.contains("404 no route"), "{out}");
}

#[test]
fn route_json_on_demo() {
    let (code, out, err) = trieway(&[
        "route",
        "GET",
        "https://store.example.com/api/items?x=1",
        "-H",
        "X-Debug: 1",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(d["route"], "HTTPRoute/tenant-a/store");
    assert_eq!(d["backend"], "tenant-a/store-api");
    assert_eq!(d["upstream"]["path"], "/api/items?x=1");
    let headers = d["upstream"]["headers"].as_array().unwrap();
    assert!(
        headers
            .iter()
            .any(|h| h[0] == "x-tenant" && h[1] == "tenant-a"),
        "{headers:?}"
    );
    assert!(
        !headers
            .iter()
            .any(|h| h[0].as_str().unwrap().eq_ignore_ascii_case("x-debug")),
        "{headers:?}"
    );
}

#[test]
fn route_text_redirect_and_miss() {
    let (code, out, _) = trieway(&["route", "GET", "http://store.example.com/x"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("redirect:  301 https://store.example.com/x"),
        "{out}"
    );
    let (code, out, _) = trieway(&["route", "GET", "https://nothing.example.com/"]);
    assert_eq!(code, 1);
    assert!(out.contains("404"), "{out}");
    let (code, _, err) = trieway(&["route", "GET"]);
    assert_eq!(code, 2);
    assert!(err.contains("METHOD and URL"), "{err}");
}

#[test]
fn eval_prints_one_decision_per_request() {
    let case = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec-tests/cases/httproute_matching.json"
    );
    let (code, out, err) = trieway(&["eval", case]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(case).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let n = v["requests"].as_array().unwrap().len();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), n);
    for (d, r) in lines.iter().zip(v["requests"].as_array().unwrap()) {
        assert_eq!(d["name"], r["name"]);
    }
    let (code, _, err) = trieway(&["eval", "/nonexistent.json"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn route_grpc_and_layer4_targets() {
    let dir = std::env::temp_dir().join(format!("trieway-route-l4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("l4.yaml");
    std::fs::write(
        &file,
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/gateway-under-test}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: c
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}}
  - {name: tcp, port: 9000, protocol: TCP}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  rules: [{matches: [{method: {service: pkg.Echo}}], backendRefs: [{name: s, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: t, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: tls}]
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: s, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: tcp, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: tcp}]
  rules: [{backendRefs: [{name: s, port: 80}]}]
"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (code, out, err) = trieway(&["route", "-c", f, "grpc://x/pkg.Echo/Ping", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("GRPCRoute/default/g"), "{out}");
    // No GRPCRoute matches: gRPC status 12 UNIMPLEMENTED (HTTP 200), not 404.
    let (code, out, _) = trieway(&["route", "-c", f, "grpc://x/other.Svc/Ping", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        (v["status"].as_u64(), v["grpc_status"].as_u64()),
        (Some(200), Some(12)),
        "{out}"
    );
    let (code, out, _) = trieway(&["route", "-c", f, "grpc://x/other.Svc/Ping"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("gRPC status 12 UNIMPLEMENTED"), "{out}");
    assert!(!out.contains("404"), "{out}");
    let (code, out, _) = trieway(&["route", "-c", f, "tls://a.example.com"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\"passthrough\":true") && out.contains("TLSRoute/default/t"),
        "{out}"
    );
    let (code, out, _) = trieway(&["route", "-c", f, "tls://b.example.com"]);
    assert_eq!(
        (code, out.contains("\"rejected\":true")),
        (1, true),
        "{out}"
    );
    let (code, out, _) = trieway(&["route", "-c", f, "tcp://:9000"]);
    assert_eq!(
        (code, out.contains("TCPRoute/default/tcp")),
        (0, true),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn route_on_ingress_only_configuration_uses_ingress_semantics() {
    let f = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/ingress.yaml");
    let (code, out, err) = trieway(&[
        "route",
        "-c",
        f,
        "GET",
        "http://shop.example.com/products/1",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("route:     Ingress/shop/storefront rule 0"),
        "{out}"
    );
    assert!(out.contains("forward:   shop/web:8080"), "{out}");
    // The defaultBackend answers on a miss, as Ingress semantics say.
    let (code, out, err) = trieway(&["route", "-c", f, "GET", "http://other.example.com/x"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Ingress/shop/storefront"), "{out}");
    // A class no Ingress has: nothing routes.
    let (code, out, _) = trieway(&[
        "route",
        "-c",
        f,
        "--ingress-class",
        "nginx",
        "GET",
        "http://shop.example.com/products/1",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("404"), "{out}");
    let (code, out, err) = trieway(&[
        "route",
        "-c",
        f,
        "--ingress-class",
        "trieway",
        "GET",
        "http://api.shop.example.com/v1/x",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Ingress/shop/api"), "{out}");
}
