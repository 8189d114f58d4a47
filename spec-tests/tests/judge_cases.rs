//! Unit tests of the Rust judge on real cases of `spec-tests/cases/`, with decisions written by
//! hand: a correct decision must pass, wrong ones must fail with the expected key.

mod support;

use serde_json::{json, Value};
use support::{load, oracle_decisions, request, requests};
use trieway_spec_tests::judge::{
    category, collect_case_files, format_failure, judge_case, judge_request, load_case, table,
    CaseResult, Verdict,
};
use trieway_spec_tests::{cases_dir, judge_engine_error};

const V1: &str = "gateway-conformance-infra/infra-backend-v1";
const V2: &str = "gateway-conformance-infra/infra-backend-v2";
const V3: &str = "gateway-conformance-infra/infra-backend-v3";

/// Judges one decision for the named request; returns the failure keys.
fn keys(case: &Value, name: &str, dec: Value) -> Vec<String> {
    let mut dec = dec;
    dec["name"] = json!(name);
    judge_request(case, request(case, name), &dec)
        .into_iter()
        .map(|f| f.key)
        .collect()
}

/// Judges one decision for the named request; returns the `FAIL` line (or "" when it passes).
fn line(file: &str, name: &str, dec: Value) -> String {
    let case = load(file);
    let mut decisions = oracle_decisions(&case);
    let i = requests(&case)
        .iter()
        .position(|r| r["name"] == name)
        .unwrap();
    decisions[i] = dec;
    decisions[i]["name"] = json!(name);
    let res = judge_case(&case, &decisions);
    let r = &res.requests[i];
    if r.result == Verdict::Fail {
        format_failure(file, r)
    } else {
        String::new()
    }
}

fn forward(backend: &str, path: &str) -> Value {
    json!({"status": 200, "backend": backend, "upstream": {"scheme": "http", "host": null, "path": path, "headers": []},
           "split": [{"backend": backend, "weight": 1}]})
}

#[test]
fn oracle_decisions_pass_every_case() {
    let mut results: Vec<CaseResult> = Vec::new();
    for path in collect_case_files(&cases_dir()).unwrap() {
        let case = load_case(&path).unwrap();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        results.push(judge_case(&case, &oracle_decisions(&case)).with_file(file));
    }
    let failing: Vec<String> = results
        .iter()
        .flat_map(|c| {
            let file = c.file.clone().unwrap();
            c.requests
                .iter()
                .filter(|r| r.result != Verdict::Pass)
                .map(move |r| format_failure(&file, r))
        })
        .collect();
    assert!(
        failing.is_empty(),
        "oracle decisions fail:\n{}",
        failing.join("\n")
    );
    let t = table(&results);
    assert!(t.trim_end().ends_with(" passed, 0 failed"), "{t}");
}

#[test]
fn matching_backend() {
    let case = load("httproute_matching.json");
    let name = "0 GET / -> gateway-conformance-infra/infra-backend-v1";
    assert!(keys(&case, name, forward(V1, "/")).is_empty());
    assert_eq!(keys(&case, name, forward(V2, "/")), ["backend"]);
    assert_eq!(
        line("httproute_matching.json", name, forward(V2, "/")),
        format!("FAIL httproute_matching | {name} | backend: expected \"{V1}\", got \"{V2}\"")
    );
    // No route: 404 without a backend.
    assert_eq!(keys(&case, name, json!({"status": 404})), ["status"]);
    // The upstream request must be the original one.
    assert_eq!(keys(&case, name, forward(V1, "/x")), ["upstream.path"]);
    let mut no_upstream = forward(V1, "/");
    no_upstream["upstream"] = Value::Null;
    assert_eq!(keys(&case, name, no_upstream), ["upstream"]);
    // A split that sends some requests elsewhere fails.
    let mut split = forward(V1, "/");
    split["split"] = json!([{"backend": V1, "weight": 9}, {"status": 500, "weight": 1}]);
    assert_eq!(keys(&case, name, split), ["split"]);
    // Header matching: the request header must arrive unchanged.
    let name2 = "2 GET / -> gateway-conformance-infra/infra-backend-v1";
    let mut with_header = forward(V1, "/");
    with_header["upstream"]["headers"] = json!([["version", "one"]]);
    assert!(keys(&case, name2, with_header).is_empty());
    assert_eq!(
        keys(&case, name2, forward(V1, "/")),
        ["upstream.headers.Version"]
    );
}

#[test]
fn status_mismatch_and_gateway_answers() {
    let case = load("httproute_no_backend_refs.json");
    let name = &requests(&case)[1]["name"].as_str().unwrap().to_string();
    assert!(keys(&case, name, json!({"status": 500})).is_empty());
    assert_eq!(keys(&case, name, json!({"status": 404})), ["status"]);
    assert_eq!(
        keys(&case, name, json!({"status": 503, "backend": V1})),
        ["backend"]
    );
    assert_eq!(
        keys(&case, name, forward(V1, "/omitted-no-forward")),
        ["status"]
    );
    assert_eq!(keys(&case, name, json!({"status": "500"})), ["format"]);
    assert_eq!(keys(&case, name, json!({})), ["status"]);
}

#[test]
fn redirect_port() {
    let file = "httproute_redirect_port.json";
    let case = load(file);
    let name = "0 GET /port -> 302";
    let ok = |loc: &str| json!({"status": 302, "redirect": {"location": loc, "status": 302}});
    assert!(keys(&case, name, ok("http://192.0.2.10:8083/port")).is_empty());
    assert!(keys(&case, name, ok("http://192.0.2.10:8083/port?q=ignored")).is_empty());
    // The README's example line.
    assert_eq!(
        line(file, name, ok("http://192.0.2.10/port")),
        "FAIL httproute_redirect_port | 0 GET /port -> 302 | redirect.port: expected 8083, got 80 (Location http://192.0.2.10/port)"
    );
    assert_eq!(
        keys(&case, name, ok("https://192.0.2.10:8083/port")),
        ["redirect.scheme"]
    );
    assert_eq!(
        keys(&case, name, ok("http://192.0.2.10:8083/other")),
        ["redirect.path"]
    );
    assert_eq!(keys(&case, name, json!({"status": 302})), ["redirect"]);
    assert_eq!(
        keys(
            &case,
            name,
            json!({"status": 301, "redirect": {"location": "http://x:8083/port"}})
        ),
        ["status"]
    );
    let mismatch =
        json!({"status": 302, "redirect": {"location": "http://x:8083/port", "status": 301}});
    assert_eq!(keys(&case, name, mismatch), ["redirect.status"]);
    // Host is checked when expected, case-insensitively.
    let name1 = "1 GET /port-and-host -> 302";
    assert!(keys(&case, name1, ok("http://Example.ORG:8083/port-and-host")).is_empty());
    assert_eq!(
        keys(&case, name1, ok("http://example.com:8083/port-and-host")),
        ["redirect.host"]
    );
}

#[test]
fn redirect_without_port_expectation_accepts_default_port_only() {
    let case = load("httproute_redirect_scheme.json");
    let req = &requests(&case)[0];
    let name = req["name"].as_str().unwrap();
    let path = req["expect"]["redirect"]["path"].as_str().unwrap();
    let loc = |l: String| json!({"status": 302, "redirect": {"location": l}});
    assert!(keys(&case, name, loc(format!("https://example.org{path}"))).is_empty());
    assert!(keys(&case, name, loc(format!("https://example.org:443{path}"))).is_empty());
    assert_eq!(
        keys(&case, name, loc(format!("https://example.org:8443{path}"))),
        ["redirect.port"]
    );
}

#[test]
fn request_header_modifier() {
    let case = load("httproute_request_header_modifier.json");
    let name = "1 GET /set -> gateway-conformance-infra/infra-backend-v1";
    let mut dec = forward(V1, "/set");
    dec["upstream"]["headers"] = json!([
        ["Some-Other-Header", "val"],
        ["x-header-set", "set-overwrites-values"]
    ]);
    assert!(keys(&case, name, dec.clone()).is_empty());
    let mut missing = dec.clone();
    missing["upstream"]["headers"] = json!([["Some-Other-Header", "val"]]);
    assert_eq!(
        keys(&case, name, missing),
        ["request_headers_present.X-Header-Set"]
    );
    let mut appended = dec.clone();
    appended["upstream"]["headers"]
        .as_array_mut()
        .unwrap()
        .insert(1, json!(["X-Header-Set", "some-other-value"]));
    assert_eq!(
        keys(&case, name, appended),
        ["request_headers_present.X-Header-Set"]
    );
    let mut rewritten = dec;
    rewritten["upstream"]["path"] = json!("/other");
    assert_eq!(keys(&case, name, rewritten), ["rewritten.path"]);
}

#[test]
fn weights_within_five_points() {
    let case = load("httproute_weight.json");
    let name = requests(&case)[0]["name"].as_str().unwrap().to_string();
    let dec = |split: Value| json!({"status": 200, "backend": V1, "upstream": {"path": "/", "headers": []}, "split": split});
    let ok = dec(
        json!([{"backend": V1, "weight": 70}, {"backend": V2, "weight": 30}, {"backend": V3, "weight": 0}]),
    );
    assert!(keys(&case, &name, ok).is_empty());
    let close = dec(json!([{"backend": V1, "weight": 74}, {"backend": V2, "weight": 26}]));
    assert!(keys(&case, &name, close).is_empty());
    let wrong = dec(json!([{"backend": V1, "weight": 50}, {"backend": V2, "weight": 50}]));
    assert_eq!(keys(&case, &name, wrong), ["weights", "weights"]);
    let zero = dec(
        json!([{"backend": V1, "weight": 70}, {"backend": V2, "weight": 25}, {"backend": V3, "weight": 5}]),
    );
    assert_eq!(keys(&case, &name, zero), ["weights"]);
    let invalid = dec(
        json!([{"backend": V1, "weight": 70}, {"backend": V2, "weight": 30}, {"status": 500, "weight": 1}]),
    );
    assert_eq!(keys(&case, &name, invalid), ["weights"]);
    let chosen_absent = json!({"status": 200, "backend": V3, "upstream": {"path": "/"},
        "split": [{"backend": V1, "weight": 70}, {"backend": V2, "weight": 30}]});
    assert_eq!(keys(&case, &name, chosen_absent), ["split"]);
}

#[test]
fn mirrors() {
    let case = load("httproute_request_mirror.json");
    let name = "0 GET /mirror -> gateway-conformance-infra/infra-backend-v1";
    let mut dec = forward(V1, "/mirror");
    dec["mirrors"] = json!([{"backend": V2}]);
    assert!(keys(&case, name, dec.clone()).is_empty());
    dec["mirrors"] = json!([{"backend": V3, "percent": 100}]);
    assert_eq!(keys(&case, name, dec.clone()), ["mirrored_to"]);
    dec["mirrors"] = json!([{"backend": V2, "percent": 0}]);
    assert_eq!(keys(&case, name, dec), ["mirrored_to"]);

    let case = load("httproute_request_percentage_mirror.json");
    let name = "0 GET /percent-mirror -> gateway-conformance-infra/infra-backend-v1";
    let mut dec = forward(V1, "/percent-mirror");
    dec["mirrors"] = json!([{"backend": V2, "percent": 20.5}]);
    assert!(keys(&case, name, dec.clone()).is_empty());
    dec["mirrors"] = json!([{"backend": V2, "percent": 25}]);
    assert_eq!(keys(&case, name, dec), ["mirror_percent"]);
}

#[test]
fn retries_are_simulated() {
    let case = load("httproute_retry.json");
    let reqs = requests(&case);
    let name0 = reqs[0]["name"].as_str().unwrap(); // first 2 tries return 500, expect 200
    let path0 = reqs[0]["request"]["path"].as_str().unwrap();
    let mut dec = forward(V3, path0);
    dec["retry"] = json!({"attempts": 3, "codes": [500]});
    assert!(keys(&case, name0, dec.clone()).is_empty());
    dec["retry"] = json!({"attempts": 1, "codes": [500]});
    let res = line("httproute_retry.json", name0, dec.clone());
    assert!(
        res.contains(
            "status: expected 200, got 500 (simulated: try 1: 500 at 0s; try 2: 500 at 0s)"
        ),
        "{res}"
    );
    dec["retry"] = Value::Null;
    assert_eq!(keys(&case, name0, dec), ["status"]);
    // An engine that answers 500 itself would name no backend and is judged as is.
    let name1 = reqs[1]["name"].as_str().unwrap(); // expect 500
    assert!(keys(&case, name1, json!({"status": 500})).is_empty());
}

#[test]
fn timeouts_are_simulated() {
    let case = load("httproute_timeout_backend_request.json");
    let reqs = requests(&case);
    let (name, path) = (
        reqs[1]["name"].as_str().unwrap(),
        reqs[1]["request"]["path"].as_str().unwrap(),
    );
    let mut dec = forward(V1, path);
    dec["timeouts"] = json!({"backend_request": "500ms"});
    assert!(keys(&case, name, dec.clone()).is_empty());
    dec["timeouts"] = json!({"backend_request": "0s"});
    assert_eq!(keys(&case, name, dec.clone()), ["status"]);
    dec["timeouts"] = json!({"backend_request": "half a second"});
    assert_eq!(keys(&case, name, dec), ["format"]);
}

#[test]
fn grpc_codes() {
    let case = load("grpc_exact_method_matching.json");
    let reqs = requests(&case);
    let (ok_name, ok_path) = (
        reqs[0]["name"].as_str().unwrap(),
        reqs[0]["request"]["path"].as_str().unwrap(),
    );
    let dec = json!({"status": 200, "backend": "gateway-conformance-infra/grpc-infra-backend-v1", "upstream": {"path": ok_path}});
    assert!(keys(&case, ok_name, dec).is_empty());
    let missing = reqs[2]["name"].as_str().unwrap(); // Unimplemented
    assert!(keys(&case, missing, json!({"status": 404})).is_empty());
    assert!(keys(&case, missing, json!({"status": 200, "grpc_status": 12})).is_empty());
    assert_eq!(keys(&case, missing, json!({"status": 503})), ["grpc_code"]);
    assert_eq!(
        keys(&case, missing, json!({"status": 404, "grpc_status": 0})),
        ["grpc_code"]
    );
}

#[test]
fn tls_rules() {
    let case = load("tlsroute_simple_same_namespace.json");
    let name = requests(&case)[0]["name"].as_str().unwrap();
    let b = "gateway-conformance-infra/tcp-backend";
    let ok = json!({"backend": b, "tls": {"passthrough": true, "backend_sni": "abc.example.com"}});
    assert!(keys(&case, name, ok).is_empty());
    let terminated =
        json!({"backend": b, "tls": {"passthrough": false, "backend_sni": "abc.example.com"}});
    assert_eq!(keys(&case, name, terminated), ["backend_tls.receives_tls"]);
    assert_eq!(
        keys(&case, name, json!({"tls": {"passthrough": true}})),
        ["backend"]
    );
    assert_eq!(
        keys(
            &case,
            name,
            json!({"backend": b, "tls": {"rejected": true}})
        ),
        ["rejected"]
    );

    let case = load("gateway_frontend_client_certificate_validation.json");
    let rejected = requests(&case)[1]["name"].as_str().unwrap();
    assert!(keys(&case, rejected, json!({"tls": {"rejected": true}})).is_empty());
    assert_eq!(keys(&case, rejected, forward(V1, "/")), ["rejected"]);
}

#[test]
fn layer4_weights_and_answers() {
    let case = load("udproute_simple.json");
    let name = requests(&case)[0]["name"].as_str().unwrap();
    assert!(keys(
        &case,
        name,
        json!({"backend": "gateway-conformance-infra/coredns"})
    )
    .is_empty());
    assert_eq!(keys(&case, name, json!({"backend": null})), ["answered"]);

    let case = load("tcproute_weighted_routing.json");
    let name = requests(&case)[0]["name"].as_str().unwrap();
    let t = |n: u32| format!("gateway-conformance-infra/tcp-backend-v{n}");
    let split = json!([{"backend": t(1), "weight": 7}, {"backend": t(2), "weight": 3}]);
    assert!(keys(&case, name, json!({"backend": t(1), "split": split})).is_empty());
    let bad = json!([{"backend": t(1), "weight": 1}, {"backend": t(2), "weight": 1}]);
    assert_eq!(
        keys(&case, name, json!({"backend": t(1), "split": bad})),
        ["weights", "weights"]
    );
    assert_eq!(keys(&case, name, json!({"backend": null})), ["backend"]);
}

#[test]
fn decision_lines_must_match_requests() {
    let case = load("httproute_matching.json");
    let n = requests(&case).len();
    let mut decisions = oracle_decisions(&case);
    decisions.pop();
    let res = judge_case(&case, &decisions);
    assert_eq!(
        res.error.as_deref(),
        Some(format!("engine printed {} decision(s) for {n} request(s)", n - 1).as_str())
    );
    assert!(res
        .requests
        .iter()
        .all(|r| r.result == Verdict::Fail && r.failures[0].key == "engine"));

    let mut decisions = oracle_decisions(&case);
    decisions.push(json!({"name": "extra"}));
    assert_eq!(judge_case(&case, &decisions).count(Verdict::Fail), n);

    let mut decisions = oracle_decisions(&case);
    decisions[3] = json!(["not", "an", "object"]);
    assert_eq!(judge_case(&case, &decisions).count(Verdict::Fail), n);

    let mut decisions = oracle_decisions(&case);
    decisions.swap(0, 1);
    let res = judge_case(&case, &decisions);
    assert_eq!(res.requests[0].failures[0].key, "name");
    assert_eq!(res.count(Verdict::Fail), 2);

    let crashed = judge_engine_error(&case, "engine exited with status 101");
    assert_eq!(
        format_failure("httproute_matching.json", &crashed.requests[0]),
        format!(
            "FAIL httproute_matching | {} | engine: engine exited with status 101",
            requests(&case)[0]["name"].as_str().unwrap()
        )
    );
}

#[test]
fn skip_lines_are_counted_as_skipped() {
    let case = load("httproute_matching.json");
    let mut decisions = oracle_decisions(&case);
    let name = decisions[0]["name"].clone();
    decisions[0] = json!({"name": name, "skipped": "not implemented yet"});
    let res = judge_case(&case, &decisions).with_file("httproute_matching.json");
    assert_eq!(res.requests[0].result, Verdict::Skip);
    assert_eq!(
        res.requests[0].skip_reason.as_deref(),
        Some("not implemented yet")
    );
    let n = requests(&case).len();
    let t = table(&[res]);
    assert!(
        t.ends_with(&format!("{} passed, 0 failed, 1 skipped\n", n - 1)),
        "{t}"
    );
    assert!(t.contains("http-core"), "{t}");
}

#[test]
fn categories() {
    let expect = [
        ("httproute_matching.json", "http-core"),
        ("httproute_request_header_modifier.json", "http-filters"),
        ("httproute_redirect_port.json", "http-filters"),
        ("httproute_retry.json", "http-policy"),
        ("httproute_backend_protocol_websocket.json", "http-policy"),
        ("grpc_exact_method_matching.json", "grpc"),
        ("tlsroute_simple_same_namespace.json", "tls"),
        ("gateway_frontend_client_certificate_validation.json", "tls"),
        ("tcproute_weighted_routing.json", "l4"),
        ("udproute_simple.json", "l4"),
        ("listener_set_http_routing.json", "listener-set"),
        (
            "httproute_https_listener_detect_misdirected_requests.json",
            "gateway",
        ),
    ];
    for (file, cat) in expect {
        assert_eq!(category(&load(file)), cat, "{file}");
    }
    assert_eq!(
        category(&json!({"features": ["Gateway", "HTTPRoute", "HTTPRouteCORS"]})),
        "http-filters"
    );
    assert_eq!(category(&json!({})), "http-core");
}

#[test]
fn table_layout() {
    let case = load("httproute_no_backend_refs.json");
    let mut decisions = oracle_decisions(&case);
    decisions[1]["status"] = json!(404);
    let res = judge_case(&case, &decisions);
    let expected = "\
category        passed  failed  skipped  total
----------------------------------------------
http-core            2       1        0      3
----------------------------------------------
all                  2       1        0      3
2 passed, 1 failed
";
    assert_eq!(table(&[res]), expected);
}
