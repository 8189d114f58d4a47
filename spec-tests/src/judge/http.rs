//! Judging one request (`judge_request` of `judge.py` and its helpers).

use serde_json::{json, Value};

use super::checks::{
    check_mirrors, check_redirect, check_response_headers, check_upstream, check_weights,
    obj_or_list,
};
use super::simulate::simulate_backend;
use super::validate::validate_decision;
use super::{
    as_int, get, has, namespace_of, obj_or_empty, py_eq, py_in, py_repr, py_str, truthy, Failure,
};

const L4_PROTOCOLS: [&str; 3] = ["tcp", "udp", "tls"];

const GRPC_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALIDARGUMENT",
    "DEADLINEEXCEEDED",
    "NOTFOUND",
    "ALREADYEXISTS",
    "PERMISSIONDENIED",
    "RESOURCEEXHAUSTED",
    "FAILEDPRECONDITION",
    "ABORTED",
    "OUTOFRANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATALOSS",
    "UNAUTHENTICATED",
];

/// Default port of a URL scheme.
pub(crate) fn default_port(scheme: &str) -> Option<i64> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// An expected gRPC code (`"Unimplemented"`, `"NOT_FOUND"` or a number) as a number.
fn grpc_code_of(expected: &Value) -> Option<i64> {
    if let Some(n) = expected.as_i64() {
        return Some(n);
    }
    let name = expected.as_str()?.replace(['_', ' '], "").to_uppercase();
    GRPC_NAMES.iter().position(|n| *n == name).map(|i| i as i64)
}

/// gRPC's HTTP to gRPC status mapping (doc/http-grpc-status-mapping.md).
pub fn grpc_code_from_http(status: i64) -> i64 {
    match status {
        200 => 0,
        400 => 13,
        401 => 16,
        403 => 7,
        404 => 12,
        429 | 502 | 503 | 504 => 14,
        _ => 2,
    }
}

/// Collects failures (`fail` of `judge.py`).
#[derive(Default)]
pub(super) struct Fails(pub(super) Vec<Failure>);

impl Fails {
    pub(super) fn fail(
        &mut self,
        key: impl Into<String>,
        expected: Value,
        actual: Value,
        note: Option<String>,
    ) {
        self.0.push(Failure {
            key: key.into(),
            expected,
            actual,
            note: note.filter(|n| !n.is_empty()),
        });
    }
}

/// A split target: a backend name or an invalid-backend status.
#[derive(Clone, PartialEq)]
pub(super) enum Target {
    Backend(String),
    Status(i64),
}

impl Target {
    pub(super) fn show(&self) -> String {
        match self {
            Target::Backend(b) => b.clone(),
            Target::Status(s) => format!("status {s}"),
        }
    }

    pub(super) fn is_backend(&self, name: &str) -> bool {
        matches!(self, Target::Backend(b) if b == name)
    }
}

/// `[(target, weight)]` and whether the split was explicit (`_norm_split`).
fn norm_split(dec: &Value) -> (Vec<(Target, f64)>, bool) {
    let Some(sp) = get(dec, "split") else {
        let out = match get(dec, "backend").and_then(Value::as_str) {
            Some(b) => vec![(Target::Backend(b.to_string()), 1.0)],
            None => vec![],
        };
        return (out, false);
    };
    let out = sp
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let w = e.get("weight").and_then(Value::as_f64).unwrap_or(1.0);
            match e.get("backend").and_then(Value::as_str) {
                Some(b) => (Target::Backend(b.to_string()), w),
                None => (
                    Target::Status(as_int(e.get("status")).unwrap_or_default()),
                    w,
                ),
            }
        })
        .collect();
    (out, true)
}

/// `per_backend` expectations merged into the request's (`_merge_expect`).
fn merge_expect(exp: &Value, extra: &Value) -> Value {
    let mut out = exp.as_object().cloned().unwrap_or_default();
    for (k, v) in extra.as_object().into_iter().flatten() {
        let merged = match (out.get(k), v) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                let mut m = old.clone();
                m.extend(new.clone());
                Value::Object(m)
            }
            (Some(Value::Array(old)), Value::Array(new)) => {
                Value::Array(old.iter().chain(new).cloned().collect())
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Value::Object(out)
}

pub(super) fn strs(items: impl IntoIterator<Item = String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// All failures of one decision (`judge_request`): `case` is the whole case, `req` one of its
/// requests and `dec` the engine's decision for it.
pub fn judge_request(_case: &Value, req: &Value, dec: &Value) -> Vec<Failure> {
    let mut f = Fails::default();
    let exp = obj_or_empty(req, "expect");
    let rq = obj_or_empty(req, "request");
    let proto = get(&rq, "protocol").and_then(Value::as_str);
    let kind = match proto {
        Some(p) if L4_PROTOCOLS.contains(&p) => "l4",
        Some("grpc") => "grpc",
        _ => "http",
    };

    let errs = validate_decision(dec);
    if !errs.is_empty() {
        for e in errs {
            f.fail("format", json!("a valid decision"), Value::Null, Some(e));
        }
        return f.0;
    }

    let tls = obj_or_empty(dec, "tls");
    let backend = get(dec, "backend");
    let backend_v = backend.cloned().unwrap_or(Value::Null);
    let status = get(dec, "status");
    let rejected = tls.get("rejected") == Some(&Value::Bool(true));

    // --- TLS / connection-level rejection
    if exp.get("rejected").is_some_and(truthy) {
        if !rejected {
            let got = tls.get("rejected").cloned().unwrap_or(Value::Null);
            f.fail(
                "rejected",
                json!(true),
                got,
                Some("the connection must be refused (tls.rejected)".into()),
            );
        } else if backend.is_some() {
            f.fail(
                "backend",
                Value::Null,
                backend_v,
                Some("a rejected connection reaches no backend".into()),
            );
        }
        return f.0;
    }
    if rejected {
        f.fail(
            "rejected",
            json!(false),
            json!(true),
            Some("the connection must not be refused".into()),
        );
        return f.0;
    }

    // --- status / success
    if kind == "l4" {
        if let Some(es) = exp.get("status") {
            let allowed = es.as_array().cloned().unwrap_or_else(|| vec![es.clone()]);
            let st = status.cloned().unwrap_or(Value::Null);
            if !py_in(&st, &allowed) {
                f.fail("status", es.clone(), st, None);
                return f.0;
            }
        }
        let success = backend.is_some();
        let wants_forward = exp.get("backend").is_none_or(|b| !b.is_null())
            && [
                "backend",
                "backend_one_of",
                "backend_namespace",
                "weights",
                "answered",
                "backend_tls",
            ]
            .iter()
            .any(|k| has(&exp, k));
        if !success {
            if wants_forward {
                let key = if exp.get("answered").is_some_and(truthy) && !has(&exp, "backend") {
                    "answered"
                } else {
                    "backend"
                };
                let want = exp.get("backend").cloned().unwrap_or(json!("a backend"));
                f.fail(
                    key,
                    want,
                    Value::Null,
                    Some("the connection is not forwarded".into()),
                );
            }
            return f.0;
        }
    } else {
        let Some(status) = status.and_then(Value::as_i64) else {
            let want = exp.get("status").cloned().unwrap_or(json!(200));
            let got = status.cloned().unwrap_or(Value::Null);
            f.fail("status", want, got, Some("missing status".into()));
            return f.0;
        };
        let ok_range = |s: i64| (200..300).contains(&s);
        if !(ok_range(status) || status == 101) && backend.is_some() {
            let note = format!("a decision with status {status} must not name a backend");
            f.fail("backend", Value::Null, backend_v, Some(note));
            return f.0;
        }
        let expected = exp.get("status").cloned().unwrap_or(json!(200));
        let allowed = expected
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![expected.clone()]);
        let mut st = status;
        if proto == Some("websocket") && st == 200 {
            st = 101; // forwarded upgrade: the backend's 101 reaches the client
        }
        let mut sim_note = None;
        if let Some(sim) = req.get("simulated_backend").filter(|s| truthy(s)) {
            if backend.is_some() && (ok_range(st) || st == 101) {
                match simulate_backend(sim, dec, &allowed) {
                    Ok((s, note)) => {
                        st = s;
                        sim_note = Some(note);
                    }
                    Err(e) => {
                        f.fail(
                            "simulation",
                            json!("a simulable decision"),
                            Value::Null,
                            Some(e),
                        );
                        return f.0;
                    }
                }
            }
        }
        let success;
        if kind == "grpc" && has(&exp, "grpc_code") {
            let want_v = &exp["grpc_code"];
            let want = grpc_code_of(want_v);
            let grpc_status = get(dec, "grpc_status").and_then(Value::as_i64);
            let got = match grpc_status {
                None => grpc_code_from_http(st),
                Some(0) if !ok_range(st) => {
                    let note = format!("grpc_status 0 contradicts HTTP status {st}");
                    f.fail("grpc_code", want_v.clone(), Value::Null, Some(note));
                    return f.0;
                }
                Some(g) => g,
            };
            if Some(got) != want {
                let shown = usize::try_from(got)
                    .ok()
                    .and_then(|i| GRPC_NAMES.get(i))
                    .map_or(json!(got), |n| json!(n));
                let mut note = format!("HTTP status {st}");
                if let Some(g) = grpc_status {
                    note.push_str(&format!(", grpc_status {g}"));
                }
                f.fail("grpc_code", want_v.clone(), shown, Some(note));
                return f.0;
            }
            success = got == 0 && ok_range(st);
        } else {
            if !py_in(&json!(st), &allowed) {
                f.fail(
                    "status",
                    expected,
                    json!(st),
                    sim_note.map(|n| format!("simulated: {n}")),
                );
                return f.0;
            }
            success = ok_range(st) || (st == 101 && proto == Some("websocket"));
            if (300..400).contains(&st) && has(&exp, "redirect") {
                check_redirect(&exp["redirect"], dec, req, st, &mut f);
            }
        }
        if !success {
            return f.0;
        }
    }

    // --- backend identity / traffic split
    let (split, explicit) = norm_split(dec);
    let active: Vec<&Target> = split
        .iter()
        .filter(|(_, w)| *w > 0.0)
        .map(|(t, _)| t)
        .collect();
    let n_before = f.0.len();
    let backend_str = backend.and_then(Value::as_str);

    if let Some(eb) = exp.get("backend") {
        match eb.as_str() {
            None if eb.is_null() => {
                if backend.is_some() {
                    let note = "the gateway must answer itself (no backend sees the request)";
                    f.fail("backend", Value::Null, backend_v, Some(note.into()));
                    return f.0;
                }
            }
            _ => {
                if !py_eq(&backend_v, eb) {
                    f.fail("backend", eb.clone(), backend_v.clone(), None);
                } else if !has(&exp, "weights") {
                    let ebs = eb.as_str().unwrap_or_default();
                    let others: Vec<String> = active
                        .iter()
                        .filter(|t| !t.is_backend(ebs))
                        .map(|t| t.show())
                        .collect();
                    if !others.is_empty() {
                        let note = "every such request must reach the expected backend";
                        f.fail(
                            "split",
                            json!(format!("only {ebs}")),
                            strs(others),
                            Some(note.into()),
                        );
                    }
                }
            }
        }
    }
    if let Some(one_of_v) = exp.get("backend_one_of") {
        let one_of: Vec<Value> = one_of_v.as_array().cloned().unwrap_or_default();
        if !py_in(&backend_v, &one_of) {
            f.fail(
                "backend_one_of",
                Value::Array(one_of.clone()),
                backend_v.clone(),
                None,
            );
        }
        let in_list = |t: &Target| match t {
            Target::Backend(b) => one_of.iter().any(|o| o.as_str() == Some(b)),
            Target::Status(_) => false,
        };
        let others: Vec<String> = active
            .iter()
            .filter(|t| !in_list(t))
            .map(|t| t.show())
            .collect();
        if !others.is_empty() {
            let expected = format!("only {}", py_repr(&Value::Array(one_of)));
            let note = "every such request must reach one of the expected backends";
            f.fail("split", json!(expected), strs(others), Some(note.into()));
        }
    }
    if let Some(ns_v) = exp.get("backend_namespace") {
        let ns_match = |x: Option<&str>| match ns_v {
            Value::Null => x.is_none(),
            Value::String(s) => x == Some(s.as_str()),
            _ => false,
        };
        if !ns_match(namespace_of(backend)) {
            f.fail("backend_namespace", ns_v.clone(), backend_v.clone(), None);
        } else if !has(&exp, "weights") {
            let in_ns = |t: &Target| match t {
                Target::Backend(b) => ns_match(b.split_once('/').map(|(n, _)| n)),
                Target::Status(_) => false,
            };
            let others: Vec<String> = active
                .iter()
                .filter(|t| !in_ns(t))
                .map(|t| t.show())
                .collect();
            if !others.is_empty() {
                let expected = format!("only backends in {}", py_str(ns_v));
                let note = "every such request must reach that namespace";
                f.fail("split", json!(expected), strs(others), Some(note.into()));
            }
        }
    }
    if let Some(w) = exp.get("weights") {
        check_weights(w, &split, &mut f);
    }
    if f.0.len() == n_before && explicit {
        if let Some(b) = backend_str {
            if !active.iter().any(|t| t.is_backend(b)) {
                let note = "the chosen backend must be part of the split";
                let targets = strs(active.iter().map(|t| t.show()));
                f.fail(
                    "split",
                    json!(format!("{b} with weight > 0")),
                    targets,
                    Some(note.into()),
                );
            }
        }
    }

    // --- per-backend expectations
    let per_backend = obj_or_empty(&exp, "per_backend");
    let eff = match backend_str.and_then(|b| per_backend.get(b)) {
        Some(extra) => merge_expect(&exp, extra),
        None => exp.clone(),
    };

    // --- the forwarded request (upstream)
    if kind != "l4" && backend.is_some() {
        check_upstream(req, &eff, &per_backend, dec, kind, &mut f);
    }

    // --- response headers
    if [
        "response_headers_present",
        "response_headers_absent",
        "response_headers_one_of",
    ]
    .iter()
    .any(|k| has(&eff, k))
    {
        let pairs = obj_or_list(dec, "response_headers");
        check_response_headers(&eff, &pairs, &mut f);
    }

    // --- mirrors
    if has(&eff, "mirrored_to") || has(&eff, "mirror_percent") {
        check_mirrors(&eff, dec, &mut f);
    }

    // --- TLS towards the backend
    if has(&eff, "backend_tls") {
        let bt = obj_or_empty(&eff, "backend_tls");
        let passthrough = tls.get("passthrough").cloned().unwrap_or(Value::Null);
        if let Some(want) = bt.get("receives_tls") {
            if &passthrough != want {
                let note = "compared with tls.passthrough";
                f.fail(
                    "backend_tls.receives_tls",
                    want.clone(),
                    passthrough,
                    Some(note.into()),
                );
            }
        }
        if let Some(want) = bt.get("sni") {
            let got = tls.get("backend_sni").cloned().unwrap_or(Value::Null);
            if !py_eq(&got, want) {
                let note = "compared with tls.backend_sni";
                f.fail("backend_tls.sni", want.clone(), got, Some(note.into()));
            }
        }
    }
    f.0
}
