//! Runs the built `trieway` binary: `convert` on the Ingress example (YAML and JSON), the
//! output checked by `trieway check`, errors and usage.

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

fn example() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/ingress.yaml")
        .display()
        .to_string()
}

/// A fresh file under the test target's temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "convert-{}-{}",
        std::process::id(),
        name.replace('.', "-")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const GATEWAY_CLASS: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: trieway}
spec: {controllerName: example.com/gateway-under-test}
";

#[test]
fn converts_the_example_to_yaml_that_check_accepts() {
    let o = trieway(&["convert", &example()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = stdout(&o);
    assert!(
        yaml.starts_with("apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"),
        "{yaml}"
    );
    assert_eq!(yaml.matches("\n---\n").count(), 4, "{yaml}");
    assert!(yaml.contains("name: storefront-default-backend"), "{yaml}");
    assert!(yaml.contains("- \"*.tenants.example.com\""), "{yaml}");
    // The wildcard gap goes to stderr as a warning naming the Ingress.
    let err = stderr(&o);
    assert!(err.starts_with("warning: Ingress shop/api ("), "{err}");
    assert!(
        err.contains("wildcard host \"*.tenants.example.com\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // The output, the GatewayClass and the example's Services and Secrets check clean.
    let converted = temp_file("converted.yaml", &yaml);
    let class = temp_file("class.yaml", GATEWAY_CLASS);
    let o = trieway(&[
        "check",
        converted.to_str().unwrap(),
        class.to_str().unwrap(),
        &example(),
    ]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    assert!(text.contains("4/4 route parentRefs accepted"), "{text}");
}

#[test]
fn json_output_is_a_list() {
    let o = trieway(&["convert", "--output", "json", &example()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Gateway",
            "HTTPRoute",
            "HTTPRoute",
            "HTTPRoute",
            "HTTPRoute"
        ]
    );
    // Same objects as the YAML form.
    let yaml = trieway(&["convert", "-o", "yaml", &example()]);
    assert_eq!(stdout(&yaml).matches("kind: ").count(), 5);
}

#[test]
fn implementation_specific_mode() {
    let o = trieway(&["convert", "--implementation-specific", "exact", &example()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("type: Exact\n        value: /static"),
        "{text}"
    );
    let o = trieway(&["convert", "--implementation-specific", "regex", &example()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown --implementation-specific mode 'regex'"));
}

#[test]
fn unresolvable_named_port_exits_1_with_the_error() {
    let file = temp_file(
        "broken.yaml",
        "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: edge
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
",
    );
    let o = trieway(&["convert", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("error: Ingress shop/web (")
            && err.contains(
                "spec.rules[0].http.paths[0].backend.service.port.name: Service shop/web not found"
            ),
        "{err}"
    );
    // The rest is still written.
    assert!(stdout(&o).contains("name: web-shop-example-com"));
}

#[test]
fn usage() {
    let o = trieway(&["convert"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no FILE or DIR given"),
        "{}",
        stderr(&o)
    );
    let o = trieway(&["convert", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("Usage: trieway convert"));
    let o = trieway(&["--help"]);
    let help = stdout(&o);
    assert!(
        help.contains("  convert  Convert Ingress objects"),
        "{help}"
    );
    assert!(!help.contains("Coming later: explain, convert"), "{help}");
    let o = trieway(&["convert", "/nonexistent/ingress.yaml"]);
    assert_eq!(o.status.code(), Some(2));
}
