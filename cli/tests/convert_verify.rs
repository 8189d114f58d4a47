//! `trieway convert --verify`: the differing requests grouped by cause, the verdict, the exit
//! status.

use std::path::PathBuf;
use std::process::{Command, Output};

fn trieway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(args)
        .output()
        .expect("the trieway binary runs")
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("convert-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn verify_on_the_example_explains_every_difference() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/ingress.yaml");
    let o = trieway(&["convert", "--verify", example.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.starts_with("wildcard-depth (docs/ingress.md: 1. wildcards): 3 request(s)\n"),
        "{out}"
    );
    assert!(out.contains("x.y.tenants.example.com/app/x"), "{out}");
    let verdict = out.lines().last().unwrap();
    assert!(verdict.starts_with("verify: OK: "), "{verdict}");
    assert!(
        verdict.ends_with(" 3 differ by documented causes, 0 unexplained"),
        "{verdict}"
    );
    // No resources are printed with --verify.
    assert!(!out.contains("apiVersion"), "{out}");
}

#[test]
fn verify_exits_1_when_a_path_could_not_be_converted() {
    let f = temp_file(
        "regex.yaml",
        r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: re, namespace: a}
spec:
  ingressClassName: c
  rules:
  - host: h.com
    http:
      paths:
      - {path: "/api(/|$)(.*)", pathType: ImplementationSpecific, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
"#,
    );
    let o = trieway(&["convert", "--verify", f.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("cannot be expressed"), "{err}");
    assert!(
        out.contains("not-converted (docs/ingress.md: an error of the conversion)"),
        "{out}"
    );
}

/// The README's `convert --verify --from nginx` run is the command's real output.
#[test]
fn the_readme_nginx_run_is_the_real_output() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = Command::new(env!("CARGO_BIN_EXE_trieway"))
        .current_dir(&root)
        .args([
            "convert",
            "--verify",
            "--from",
            "nginx",
            "examples/ingress-nginx.yaml",
        ])
        .output()
        .expect("the trieway binary runs");
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let shown = format!(
        "$ trieway convert --verify --from nginx examples/ingress-nginx.yaml 2>/dev/null\n{out}$ echo $?\n0\n"
    );
    assert!(readme.contains(&shown), "README.md should show:\n{shown}");
}
