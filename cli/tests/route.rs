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
