//! `trieway explain` end to end, through the built binary.

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

fn getting_started() -> String {
    format!(
        "{}/../examples/getting-started.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A 404 says which listener and hostname were used and why the only rule failed.
#[test]
fn not_found_is_explained() {
    let file = getting_started();
    let (code, out, err) = trieway(&["explain", "-c", &file, "GET", "http://example.com/ap"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("GET http://example.com/ap\n404 Not Found"),
        "{out}"
    );
    assert!(out.contains("listener http"), "{out}");
    assert!(
        out.contains("HTTPRoute default/my-route rule 0 match 0 [*] PathPrefix /app: path \"/ap\" is not PathPrefix \"/app\""),
        "{out}"
    );
}

/// The winner comes first, then the near misses, each with its one reason.
#[test]
fn winner_then_near_misses() {
    let (code, out, err) = trieway(&[
        "explain",
        "GET",
        "https://store.example.com/api/x",
        "-H",
        "x-api-version: v2",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[1], "matched: HTTPRoute tenant-a/store rule 3 (api-v2) match 0",
        "{out}"
    );
    let near = out.split("near misses:").nth(1).expect(&out);
    assert!(
        near.contains("rule 2 (api) match 0 [store.example.com] PathPrefix /api: shadowed by HTTPRoute tenant-a/store rule 3 (api-v2) match 0 (more header conditions)"),
        "{out}"
    );
    assert!(
        near.contains("rule 5 (preview) match 0 [store.example.com] PathPrefix /: query parameter preview absent"),
        "{out}"
    );
}

/// `-o json` is the whole explanation as data.
#[test]
fn json_output() {
    let (code, out, err) = trieway(&[
        "explain",
        "GET",
        "https://store.example.com/api/x",
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let e: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(e["outcome"]["result"], "matched");
    assert_eq!(e["outcome"]["matched"]["rule_name"], "api");
    assert_eq!(e["listener"]["listener"], "https");
    let cands = e["candidates"].as_array().unwrap();
    let v2 = cands
        .iter()
        .find(|c| c["rule_name"] == "api-v2")
        .expect("api-v2 listed");
    assert_eq!(v2["verdict"], "failed");
    assert_eq!(v2["condition"]["kind"], "header");
    assert_eq!(v2["condition"]["name"], "x-api-version");
    // Every candidate is listed, including the ones whose path fails.
    assert!(cands
        .iter()
        .any(|c| c["verdict"] == "failed" && c["condition"]["kind"] == "path"));
}

/// An SNI that selects another listener than the Host: 421, with both listeners named.
#[test]
fn misdirected() {
    let (code, out, _) = trieway(&[
        "explain",
        "GET",
        "https://store.example.com/",
        "--sni",
        "other.org",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("421 Misdirected Request"), "{out}");
    assert!(
        out.contains("SNI \"other.org\" selects no listener"),
        "{out}"
    );
}

#[test]
fn help_and_usage() {
    let (code, out, _) = trieway(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("explain"), "{out}");
    assert!(!out.contains("Coming later"), "{out}");
    let (code, out, _) = trieway(&["explain", "--help"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Usage: trieway explain"), "{out}");
    let (code, _, err) = trieway(&["explain", "tcp://:9000"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = trieway(&["explain", "tcp://x:9000", "x"]);
    assert_eq!(code, 2, "{err}");
}

/// `trieway check` warns about a rule that duplicates an earlier one (and still exits 0).
#[test]
fn check_warns_about_shadowed_rules() {
    let dir = std::env::temp_dir().join(format!("trieway-shadow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("routes.yaml");
    let base = std::fs::read_to_string(getting_started()).unwrap();
    let dup = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: copy\n  creationTimestamp: '2030-01-01T00:00:00Z'\nspec:\n  parentRefs:\n  - name: my-gateway\n  rules:\n  - matches:\n    - path:\n        type: PathPrefix\n        value: /app/\n    backendRefs:\n    - name: app-service\n      port: 80\n";
    std::fs::write(&file, format!("{base}{dup}")).unwrap();
    let (code, out, err) = trieway(&["check", file.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Gateway default/my-gateway: HTTPRoute default/copy rule 0 can never match: its match 0 has the same path, method, headers and query parameters as HTTPRoute default/my-route rule 0 match 0, which wins (older route)"),
        "{out}"
    );
}

/// The README's 404 example is the command's real output.
#[test]
fn readme_example_is_real() {
    let readme = std::fs::read_to_string(format!("{}/../README.md", env!("CARGO_MANIFEST_DIR")))
        .expect("README.md");
    let cmd = "$ trieway explain -c examples/getting-started.yaml GET http://example.com/ap\n";
    let start = readme.find(cmd).expect("the example is in the README") + cmd.len();
    let shown = &readme[start..start + readme[start..].find("```").expect("block end")];
    let (_, out, _) = trieway(&[
        "explain",
        "-c",
        &getting_started(),
        "GET",
        "http://example.com/ap",
    ]);
    assert_eq!(shown, out);
}

/// A route the Gateway refused is listed with its reason and whether it would have matched.
#[test]
fn refused_route_would_match() {
    let dir = std::env::temp_dir().join(format!("trieway-refused-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("routes.yaml");
    let base = std::fs::read_to_string(getting_started()).unwrap();
    let refused = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ap\nspec:\n  parentRefs:\n  - name: my-gateway\n    sectionName: https\n  rules:\n  - matches:\n    - path:\n        type: PathPrefix\n        value: /ap\n    backendRefs:\n    - name: ap-service\n      port: 80\n";
    std::fs::write(&file, format!("{base}{refused}")).unwrap();
    let (code, out, err) = trieway(&[
        "explain",
        "-c",
        file.to_str().unwrap(),
        "GET",
        "http://example.com/ap",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1, "{out}{err}");
    let section = out
        .split("not attached to this Gateway:\n")
        .nth(1)
        .expect(&out);
    assert!(
        section.starts_with(
            "  HTTPRoute default/ap -> default/my-gateway section https: NoMatchingParent:"
        ),
        "{out}"
    );
    assert!(section.contains("; WOULD MATCH (rule 0)"), "{out}");
}
