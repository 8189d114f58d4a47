//! Runs the built `trieway` binary: `check` on the demo, on broken and missing files, and the
//! JSON output.

use std::path::PathBuf;
use std::process::{Command, Output};

fn trieway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(args)
        .output()
        .expect("the trieway binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh file under the test target's temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "check-{}-{}",
        std::process::id(),
        name.replace('.', "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// An HTTPRoute whose path value has the wrong type: rejected while loading, whatever
/// validation and attachment do.
const BROKEN: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: broken
  namespace: shop
spec:
  parentRefs: [{name: edge}]
  rules:
    - matches:
        - path: {type: PathPrefix, value: [not, a, string]}
";

fn demo_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/demo.yaml")
}

#[test]
fn demo_is_clean() {
    let o = trieway(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Gateway infra/edge"), "{text}");
    assert!(text.contains("OK: "), "{text}");
    assert!(!text.contains('✗'), "{text}");
}

#[test]
fn demo_file_matches_the_embedded_demo() {
    let path = demo_path();
    let o = trieway(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&trieway(args).stdout).expect("JSON output")
    };
    assert_eq!(
        json(&["check", "--output=json"]),
        json(&["check", "-o", "json", path.to_str().unwrap()])
    );
}

#[test]
fn broken_file_names_object_and_field() {
    let path = temp_file("broken.yaml", BROKEN);
    let o = trieway(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("HTTPRoute shop/broken"), "{text}");
    assert!(
        text.contains("spec.rules[0].matches[0].path.value"),
        "{text}"
    );
    assert!(text.contains("broken.yaml#0"), "{text}");
    assert!(text.contains('✗'), "{text}");
    assert!(text.contains("FAILED"), "{text}");
}

#[test]
fn broken_file_among_good_ones_still_fails() {
    let path = temp_file("also-broken.yaml", BROKEN);
    let demo = demo_path();
    let o = trieway(&["check", demo.to_str().unwrap(), path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("Gateway infra/edge"));
}

#[test]
fn missing_file_is_a_usage_error() {
    let o = trieway(&["check", "/nonexistent/trieway/routes.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("/nonexistent/trieway/routes.yaml"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        &["check", "--output", "yaml"][..],
        &["check", "--output"],
        &["check", "--frobnicate"],
        &["frobnicate"],
        &["route"],
        &[],
    ] {
        let o = trieway(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn help_lists_check() {
    for args in [&["--help"][..], &["-h"], &["help"]] {
        let o = trieway(args);
        assert_eq!(o.status.code(), Some(0));
        let text = stdout(&o);
        assert!(text.contains("check"), "{text}");
        assert!(text.contains("explain"), "{text}");
        assert!(!text.contains("Coming later"), "{text}");
    }
    let o = trieway(&["check", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--controller"));
    assert_eq!(trieway(&["help", "check"]).stdout, o.stdout);
}

#[test]
fn json_output_has_the_report_keys() {
    let o = trieway(&["check", "--output", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let obj = v.as_object().expect("a JSON object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "backend_tls_policies",
            "backend_traffic_policies",
            "errors",
            "failures",
            "gateway_classes",
            "gateways",
            "listener_sets",
            "listeners",
            "ok",
            "routes",
            "warnings"
        ]
    );
    for k in keys.iter().filter(|k| **k != "ok") {
        assert!(obj[*k].is_array(), "{k} is an array");
    }
    assert_eq!(obj["ok"], true);
    assert!(obj["errors"].as_array().unwrap().is_empty());
    assert_eq!(obj["gateways"][0]["name"], "edge");
    assert_eq!(obj["gateways"][0]["conditions"][1]["type"], "Programmed");
    assert_eq!(
        obj["gateway_classes"][0]["conditions"][1]["type"],
        "SupportedVersion"
    );
}

#[test]
fn json_errors_are_messages() {
    let path = temp_file("broken-json.yaml", BROKEN);
    let o = trieway(&["check", "-o", "json", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let msg = errors[0].as_str().unwrap();
    assert!(msg.starts_with("HTTPRoute shop/broken ("), "{msg}");
    assert!(
        msg.contains("spec.rules[0].matches[0].path.value: "),
        "{msg}"
    );
}

#[test]
fn foreign_controller_serves_nothing() {
    // Nothing was checked, so nothing is OK (issue #14 item 2; this used to exit 0).
    let o = trieway(&["check", "--controller", "example.net/other"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("not served"), "{text}");
    assert!(
        text.lines().any(|l| l
            == "FAILED: no Gateway is served (none has a GatewayClass of controller example.net/other)"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l == "FAILED: 4 routes given but none is attached to a served Gateway"),
        "{text}"
    );
}

/// Exit 1 with a FAILED line for each thing that is not well; exit 0 only when something was
/// served and all of it is Accepted and Programmed.
#[test]
fn exit_status_follows_the_status() {
    let gw = |extra: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {{name: c}}\n\
             spec: {{controllerName: example.com/x}}\n---\n\
             apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {{name: gw, namespace: infra}}\n\
             spec:\n  gatewayClassName: c\n{extra}"
        )
    };
    let listeners = "  listeners:\n  - {name: http, port: 80, protocol: HTTP}\n";
    let cases: &[(&str, String, i32, &str)] = &[
        ("plain", gw(listeners), 0, "OK: "),
        ("empty", String::new(), 1, "FAILED: no Gateway is served (the configuration has no Gateway)"),
        (
            "address",
            gw(&format!("  addresses: [{{value: 10.0.0.1}}]\n{listeners}")),
            1,
            "FAILED: Gateway infra/gw is not Programmed (AddressNotAssigned: ",
        ),
        (
            "no-cert",
            gw("  listeners:\n  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: missing}]}}\n"),
            1,
            "FAILED: listener https of Gateway infra/gw is not Programmed (Invalid: ",
        ),
        (
            "conflict",
            gw("  listeners:\n  - {name: a, port: 80, protocol: HTTP}\n  - {name: b, port: 80, protocol: TCP}\n"),
            1,
            "FAILED: Gateway infra/gw is not Accepted (ListenersNotValid: ",
        ),
        (
            "listener-set",
            format!(
                "{}---\napiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n\
                 metadata: {{name: ls, namespace: infra}}\nspec:\n  parentRef: {{name: gw}}\n  \
                 listeners: [{{name: x, port: 80, protocol: HTTP, hostname: x.example.com}}]\n",
                gw(listeners)
            ),
            1,
            "FAILED: ListenerSet infra/ls is not Accepted (NotAllowed: ",
        ),
    ];
    for (name, yaml, code, line) in cases {
        let path = temp_file(&format!("{name}.yaml"), yaml);
        let o = trieway(&["check", path.to_str().unwrap()]);
        let text = stdout(&o);
        assert_eq!(o.status.code(), Some(*code), "{name}: {text}{}", stderr(&o));
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "{name}: {line:?} in\n{text}"
        );
        let j = trieway(&["check", "-o", "json", path.to_str().unwrap()]);
        assert_eq!(j.status.code(), Some(*code), "{name}");
        let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("valid JSON");
        assert_eq!(v["ok"], *code == 0, "{name}: {v:#}");
        let failures = v["failures"].as_array().unwrap();
        assert_eq!(failures.is_empty(), *code == 0, "{name}: {failures:?}");
        if *code != 0 {
            let want = line.trim_start_matches("FAILED: ");
            assert!(
                failures
                    .iter()
                    .any(|f| f.as_str().unwrap().starts_with(want)),
                "{name}: {failures:?}"
            );
        }
    }
}

#[test]

fn every_demo_route_is_accepted() {
    let o = trieway(&["check", "--output", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let routes = v["routes"].as_array().unwrap();
    // The demo has four HTTPRoutes, each with one parentRef.
    assert_eq!(routes.len(), 4, "{routes:#?}");
    for r in routes {
        let parents = r["parents"].as_array().unwrap();
        assert_eq!(parents.len(), 1, "{r:#}");
        for p in parents {
            let accepted = p["conditions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["type"] == "Accepted")
                .unwrap_or_else(|| panic!("no Accepted condition: {r:#}"));
            assert_eq!(accepted["status"], "True", "{r:#}");
            let resolved = p["conditions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["type"] == "ResolvedRefs");
            if let Some(resolved) = resolved {
                assert_eq!(resolved["status"], "True", "{r:#}");
            }
        }
    }
    let listeners = v["listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 2, "{listeners:#?}");
    let attached: u64 = listeners
        .iter()
        .map(|l| {
            let n = l.get("attached_routes").or_else(|| l.get("attachedRoutes"));
            n.and_then(|n| n.as_u64())
                .unwrap_or_else(|| panic!("attached routes: {l:#}"))
        })
        .sum();
    assert_eq!(attached, 4, "{listeners:#?}");
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&trieway(&["check"]));
    assert!(!text.contains('✗'), "{text}");
}

/// BackendTLSPolicy and XBackendTrafficPolicy status per ancestor is in the text and JSON
/// output, and a policy that is not Accepted fails the check.
#[test]
fn backend_tls_policy_status_is_reported() {
    let dir = std::env::temp_dir().join(format!("trieway-check-btls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policy.yaml");
    std::fs::write(
        &file,
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/c}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: c
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: app}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: api, port: 443}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: app}
spec: {ports: [{name: https, port: 443}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: api-tls, namespace: app}
spec:
  targetRefs: [{group: "", kind: Service, name: api}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: missing}]
    hostname: api.example.com
---
apiVersion: gateway.networking.x-k8s.io/v1alpha1
kind: XBackendTrafficPolicy
metadata: {name: api-retries, namespace: app}
spec:
  targetRefs: [{group: "", kind: Service, name: api}]
  retryConstraint: {budget: {percent: 10}}
"#,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let o = trieway(&["check", path]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    for want in [
        "BackendTLSPolicy app/api-tls\n  ancestor Gateway app/gw\n",
        "✗ Accepted=False (NoValidCACertificate)",
        "✗ ResolvedRefs=False (InvalidCACertificateRef): caCertificateRefs[0]: ConfigMap \
         app/missing not found",
        "FAILED: BackendTLSPolicy app/api-tls is not Accepted (NoValidCACertificate",
        "XBackendTrafficPolicy app/api-retries\n  ancestor Gateway app/gw\n    ✓ \
         Accepted=True (Accepted)",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    let o = trieway(&["check", "--output", "json", path]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let p = &v["backend_tls_policies"][0];
    assert_eq!(p["name"], "api-tls");
    assert_eq!(p["gateway"], "app/gw");
    assert_eq!(p["conditions"][0]["reason"], "NoValidCACertificate");
    assert_eq!(p["conditions"][1]["reason"], "InvalidCACertificateRef");
    assert_eq!(v["backend_traffic_policies"][0]["name"], "api-retries");
    std::fs::remove_dir_all(&dir).ok();
}

/// A listener whose Secret holds no PEM: `check` names the Secret and the problem, and fails.
#[test]
fn check_shows_certificate_problems() {
    let yaml = "\
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/gw}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: c
  listeners:
  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: s}]}}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: infra}
type: kubernetes.io/tls
stringData: {tls.crt: hello, tls.key: world}
";
    let path = temp_file("bad-cert.yaml", yaml);
    let out = trieway(&["check", path.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("ResolvedRefs=False (InvalidCertificateRef)")
            && text.contains("Secret infra/s: tls.crt is not PEM: no CERTIFICATE block"),
        "{text}"
    );
}
