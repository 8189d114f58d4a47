//! Test support: loading the bundled cases, building a decision that satisfies a request's
//! expectations ("oracle" decision) and mutating decisions into wrong ones.
#![allow(dead_code)] // each test crate uses a different part

pub mod synthetic;

use serde_json::{json, Map, Value};
use trieway_spec_tests::cases_dir;

/// Loads `spec-tests/cases/<file>`.
pub fn load(file: &str) -> Value {
    let path = cases_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The requests of a case.
pub fn requests(case: &Value) -> &[Value] {
    case["requests"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The request named `name` (panics if absent).
pub fn request<'a>(case: &'a Value, name: &str) -> &'a Value {
    requests(case)
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no request {name:?}"))
}

fn obj(v: &Value, key: &str) -> Map<String, Value> {
    v.get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn allowed_statuses(exp: &Map<String, Value>) -> Vec<i64> {
    match exp.get("status") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_i64).collect(),
        Some(v) => v.as_i64().into_iter().collect(),
        None => vec![200],
    }
}

/// The backend an oracle decision picks for the expectations, if any.
fn pick_backend(exp: &Map<String, Value>) -> Option<String> {
    if let Some(b) = exp.get("backend") {
        return b.as_str().map(String::from);
    }
    if let Some(b) = exp
        .get("backend_one_of")
        .and_then(|a| a.get(0))
        .and_then(Value::as_str)
    {
        return Some(b.into());
    }
    if let Some(w) = exp.get("weights").and_then(Value::as_object) {
        let best = w.iter().max_by(|a, b| {
            let (x, y) = (a.1.as_f64().unwrap_or(0.0), b.1.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        });
        return best.map(|(k, _)| k.clone());
    }
    if let Some(ns) = exp.get("backend_namespace").and_then(Value::as_str) {
        return Some(format!("{ns}/infra-backend-v1"));
    }
    if exp.contains_key("answered") || exp.contains_key("backend_tls") {
        return Some("gateway-conformance-infra/some-backend".into());
    }
    None
}

/// The default port of a scheme.
fn default_port(scheme: &str) -> i64 {
    if scheme == "https" {
        443
    } else {
        80
    }
}

/// A `Location` for the request's `redirect` expectation; `port` overrides the expected port.
pub fn location(req: &Value, port: Option<i64>) -> String {
    let exp = obj(req, "expect");
    let rq = obj(req, "request");
    if port.is_none() {
        if let Some(loc) = exp.get("redirect_location").and_then(Value::as_str) {
            return loc.to_string();
        }
    }
    let er = obj(&Value::Object(exp), "redirect");
    let s = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(String::from);
    let scheme = s(&er, "scheme")
        .or_else(|| s(&rq, "scheme"))
        .unwrap_or_else(|| "http".into());
    let host = s(&er, "host")
        .or_else(|| s(&rq, "host"))
        .unwrap_or_else(|| "gateway.invalid".into());
    let path = s(&er, "path")
        .or_else(|| s(&rq, "path"))
        .unwrap_or_else(|| "/".into());
    let port = port.or_else(|| er.get("port").and_then(Value::as_i64));
    let port = match port {
        Some(p) if p != default_port(&scheme) => format!(":{p}"),
        _ => String::new(),
    };
    format!("{scheme}://{host}{port}{path}")
}

/// Headers as the backend receives them: the request's, with the expected modifications.
fn upstream_headers(rq: &Map<String, Value>, eff: &Map<String, Value>) -> Vec<Value> {
    let mut headers: Vec<(String, String)> = obj(&Value::Object(rq.clone()), "headers")
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
        .collect();
    for (name, want) in eff
        .get("request_headers_present")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), want.as_str().unwrap_or_default().to_string()));
    }
    for name in eff
        .get("request_headers_absent")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = name.as_str().unwrap_or_default();
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
    headers.into_iter().map(|(n, v)| json!([n, v])).collect()
}

/// A decision that meets every expectation of `req`.
pub fn oracle_decision(req: &Value) -> Value {
    let exp = obj(req, "expect");
    let rq = obj(req, "request");
    let name = req["name"].clone();
    if exp.get("rejected").and_then(Value::as_bool) == Some(true) {
        return json!({"name": name, "status": null, "backend": null, "tls": {"rejected": true}});
    }
    let proto = rq.get("protocol").and_then(Value::as_str).unwrap_or("");
    let l4 = matches!(proto, "tcp" | "udp" | "tls");
    let mut backend = pick_backend(&exp);
    let mut d = Map::new();
    d.insert("name".into(), name);
    let mut forwarded = backend.is_some();
    if !l4 {
        let allowed = allowed_statuses(&exp);
        let mut status = allowed.first().copied().unwrap_or(200);
        if let Some(sim) = req.get("simulated_backend").and_then(Value::as_object) {
            // The engine forwards; the judge's simulation produces the outcome.
            let fails = sim
                .get("fail_first_attempts")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let backend_name = backend
                .clone()
                .unwrap_or("gateway-conformance-infra/infra-backend-v3".into());
            backend = Some(backend_name);
            if allowed.iter().any(|s| (200..300).contains(s)) {
                if fails > 0 {
                    let codes: Vec<Value> =
                        sim.get("failure_status").into_iter().cloned().collect();
                    d.insert("retry".into(), json!({"attempts": fails, "codes": codes}));
                }
            } else if allowed.contains(&504) {
                d.insert("timeouts".into(), json!({"request": "1ns"}));
            }
            status = 200;
        }
        forwarded = (200..300).contains(&status) || status == 101;
        d.insert("status".into(), json!(status));
        if (300..400).contains(&status) && exp.contains_key("redirect") {
            d.insert(
                "redirect".into(),
                json!({"location": location(req, None), "status": status}),
            );
        }
        if !forwarded {
            backend = None;
        }
    }
    d.insert("backend".into(), json!(backend));
    if let Some(w) = exp.get("weights").and_then(Value::as_object) {
        let split: Vec<Value> = w
            .iter()
            .map(|(b, w)| json!({"backend": b, "weight": w}))
            .collect();
        d.insert("split".into(), Value::Array(split));
    } else if let Some(b) = &backend {
        d.insert("split".into(), json!([{"backend": b, "weight": 1}]));
    }
    if let Some(bt) = exp.get("backend_tls").and_then(Value::as_object) {
        let mut tls = json!({"rejected": false, "passthrough": bt.get("receives_tls").cloned().unwrap_or(json!(false))});
        if let Some(sni) = bt.get("sni") {
            tls["backend_sni"] = sni.clone();
        }
        d.insert("tls".into(), tls);
    }
    if l4 || !forwarded || backend.is_none() {
        return Value::Object(d);
    }
    // The forwarded request, with per-backend expectations of the chosen backend.
    let mut eff = exp.clone();
    if let Some(extra) = exp
        .get("per_backend")
        .and_then(|p| p.get(backend.as_deref().unwrap_or_default()))
    {
        for (k, v) in extra.as_object().into_iter().flatten() {
            eff.insert(k.clone(), v.clone());
        }
    }
    let rw = obj(&Value::Object(eff.clone()), "rewritten");
    let path = rw
        .get("path")
        .or(rq.get("path"))
        .cloned()
        .unwrap_or(json!("/"));
    let host = rw
        .get("host")
        .or(rq.get("host"))
        .cloned()
        .unwrap_or(json!("gateway.invalid"));
    d.insert(
        "upstream".into(),
        json!({"scheme": "http", "host": host, "path": path, "headers": upstream_headers(&rq, &eff)}),
    );
    let mut resp: Vec<Value> = Vec::new();
    for (n, v) in eff
        .get("response_headers_present")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        resp.push(json!([n, v]));
    }
    for (n, v) in eff
        .get("response_headers_one_of")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        resp.push(json!([n, v[0]]));
    }
    d.insert("response_headers".into(), Value::Array(resp));
    let percents = obj(&Value::Object(eff.clone()), "mirror_percent");
    let mirrors: Vec<Value> = eff
        .get("mirrored_to")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|m| {
            let p = percents
                .get(m.as_str().unwrap_or_default())
                .cloned()
                .unwrap_or(json!(100.0));
            json!({"backend": m, "percent": p})
        })
        .collect();
    if !mirrors.is_empty() {
        d.insert("mirrors".into(), Value::Array(mirrors));
    }
    Value::Object(d)
}

/// Oracle decisions for every request of a case.
pub fn oracle_decisions(case: &Value) -> Vec<Value> {
    requests(case).iter().map(oracle_decision).collect()
}

/// A mutation of one decision (`req` is the request it answers).
pub type Mutation = fn(&Value, &mut Value);

fn split_backends(d: &mut Value, f: impl Fn(&mut Value)) {
    if let Some(sp) = d.get_mut("split").and_then(Value::as_array_mut) {
        sp.iter_mut().for_each(f);
    }
}

/// Named mutations that turn a (usually correct) decision into a different one.
pub fn mutations() -> Vec<(&'static str, Mutation)> {
    vec![
        ("oracle", |_, _| {}),
        ("status-404", |_, d| {
            d["status"] = json!(404);
            for k in ["backend", "upstream", "split", "redirect", "mirrors"] {
                d[k] = Value::Null;
            }
        }),
        ("forward-200", |req, d| {
            d["status"] = json!(200);
            if d["backend"].is_null() {
                d["backend"] = json!("gateway-conformance-infra/infra-backend-v1");
            }
            let rq = &req["request"];
            let path = rq.get("path").cloned().unwrap_or(json!("/"));
            d["upstream"] = json!({"host": rq.get("host").cloned().unwrap_or(Value::Null), "path": path, "headers": []});
            d["redirect"] = Value::Null;
        }),
        ("wrong-backend", |_, d| {
            if let Some(b) = d["backend"].as_str().map(String::from) {
                d["backend"] = json!("gateway-conformance-infra/wrong-backend");
                split_backends(d, |e| {
                    if e["backend"] == b.as_str() {
                        e["backend"] = json!("gateway-conformance-infra/wrong-backend");
                    }
                });
            }
        }),
        ("other-namespace", |_, d| {
            if d["backend"].is_string() {
                d["backend"] = json!("elsewhere/infra-backend-v1");
                d["split"] = Value::Null;
            }
        }),
        ("no-upstream", |_, d| d["upstream"] = Value::Null),
        ("upstream-path", |_, d| {
            if let Some(p) = d["upstream"]
                .get("path")
                .and_then(Value::as_str)
                .map(String::from)
            {
                d["upstream"]["path"] = json!(format!("{p}/x"));
            }
        }),
        ("upstream-host", |_, d| {
            if d["upstream"].is_object() {
                d["upstream"]["host"] = json!("Other.Example");
            }
        }),
        ("drop-first-header", |_, d| {
            if let Some(h) = d["upstream"]
                .get_mut("headers")
                .and_then(Value::as_array_mut)
            {
                if !h.is_empty() {
                    h.remove(0);
                }
            }
        }),
        ("change-header-values", |_, d| {
            if let Some(h) = d["upstream"]
                .get_mut("headers")
                .and_then(Value::as_array_mut)
            {
                h.iter_mut().for_each(|p| p[1] = json!("changed"));
            }
        }),
        ("extra-header", |_, d| {
            if let Some(h) = d["upstream"]
                .get_mut("headers")
                .and_then(Value::as_array_mut)
            {
                h.push(json!(["X-Header-Remove", "still-here"]));
                h.push(json!(["x-extra", "1"]));
            }
        }),
        ("extra-split-500", |_, d| {
            if let Some(b) = d["backend"].as_str().map(String::from) {
                if !d["split"].is_array() {
                    d["split"] = json!([{"backend": b}]);
                }
                d["split"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"status": 500, "weight": 1}));
            }
        }),
        ("split-without-backend", |_, d| {
            if d["backend"].is_string() {
                d["split"] =
                    json!([{"backend": "gateway-conformance-infra/infra-backend-v2", "weight": 3}]);
            }
        }),
        ("reverse-weights", |_, d| {
            if let Some(sp) = d["split"].as_array_mut() {
                let ws: Vec<Value> = sp
                    .iter()
                    .map(|e| e.get("weight").cloned().unwrap_or(json!(1)))
                    .collect();
                for (e, w) in sp.iter_mut().zip(ws.into_iter().rev()) {
                    e["weight"] = w;
                }
                sp.push(json!({"backend": "gateway-conformance-infra/extra", "weight": 0}));
            }
        }),
        ("redirect-port", |req, d| {
            if d["redirect"].is_object() {
                d["redirect"]["location"] = json!(location(req, Some(1234)));
            }
        }),
        ("redirect-relative", |req, d| {
            if d["redirect"].is_object() {
                let path = req["expect"]["redirect"]
                    .get("path")
                    .cloned()
                    .unwrap_or(json!("/"));
                d["redirect"]["location"] = path;
            }
        }),
        ("redirect-https", |_, d| {
            if let Some(l) = d["redirect"].get("location").and_then(Value::as_str) {
                let l = l.replacen("http://", "https://", 1);
                d["redirect"]["location"] = json!(l);
            }
        }),
        ("redirect-status", |_, d| {
            if d["redirect"].is_object() {
                d["redirect"]["status"] = json!(if d["status"] == 301 { 302 } else { 301 });
            }
        }),
        ("redirect-missing", |_, d| d["redirect"] = Value::Null),
        ("rejected", |_, d| d["tls"] = json!({"rejected": true})),
        ("not-rejected", |_, d| {
            if d["tls"]["rejected"] == true {
                d["tls"] = json!({"rejected": false});
                d["status"] = json!(200);
            }
        }),
        (
            "skipped",
            |req, d| *d = json!({"name": req["name"], "skipped": "not supported yet"}),
        ),
        ("wrong-name", |req, d| {
            d["name"] = json!(format!("{} (other)", req["name"].as_str().unwrap_or("")))
        }),
        ("bad-format", |_, d| d["status"] = json!("200")),
        ("bad-duration", |_, d| {
            d["timeouts"] = json!({"request": "10 seconds"})
        }),
        ("no-policy", |_, d| {
            d["retry"] = Value::Null;
            d["timeouts"] = Value::Null;
        }),
        ("retry-everything", |_, d| {
            d["retry"] = json!({"attempts": 10, "codes": [500, 502, 503], "backoff": "1ms"});
            d["timeouts"] = json!({"backend_request": "250ms", "request": "2s"});
        }),
        ("drop-mirrors", |_, d| d["mirrors"] = Value::Null),
        ("mirror-percent-off", |_, d| {
            if let Some(m) = d["mirrors"].as_array_mut() {
                for e in m {
                    e["percent"] = json!(e["percent"].as_f64().unwrap_or(100.0) - 10.0);
                }
            }
        }),
        ("grpc-status-0", |_, d| d["grpc_status"] = json!(0)),
        ("grpc-status-12", |_, d| d["grpc_status"] = json!(12)),
        ("response-headers", |_, d| {
            d["response_headers"] = json!([
                ["X-Header-Set", "set-overwrites-values"],
                ["x-header-add", "a"],
                ["X-Header-Add", "b"]
            ]);
        }),
        ("passthrough-flip", |_, d| {
            let p = d["tls"]["passthrough"].as_bool().unwrap_or(false);
            d["tls"] = json!({"passthrough": !p, "backend_sni": "wrong.example.com"});
        }),
        ("status-101", |_, d| {
            if d["status"] == 200 {
                d["status"] = json!(101);
            }
        }),
        ("status-503-with-backend", |_, d| {
            if d["backend"].is_string() {
                d["status"] = json!(503);
            }
        }),
        ("l4-status", |_, d| d["status"] = json!(200)),
    ]
}
