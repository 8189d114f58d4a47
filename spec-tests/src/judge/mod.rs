//! A Rust port of `judge.py`, the conformance judge (see `spec-tests/README.md`).
//!
//! The judge compares the *decisions* an engine prints for a case file (one JSON object per
//! request) with the expectations of the case. The rules are those of `judge.py` and of the
//! "Judging rules" section of the shared README; this module follows `judge.py` function by
//! function so that both give the same verdicts and the same failure wording
//! (`key: expected X, got Y (note)`).
//!
//! * [`judge_case`] judges all decisions of one case, [`judge_engine_error`] fails a case whose
//!   engine run did not produce decisions.
//! * [`category`] tags a case with its README category.
//! * [`table`] and [`report`] render results like `judge.py` does.
//!
//! One known difference: `serde_json` maps iterate in key order while Python dicts keep file
//! order. When several failures come from one map (e.g. two wrong headers) their order may
//! differ, and so may the key order inside a shown object. Verdicts and failure keys agree.

mod checks;
mod http;
mod report;
mod simulate;
mod url;
mod validate;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

pub use http::{grpc_code_from_http, judge_request};
pub use report::{counts_by_case, format_failure, report, summarize, table, Counts, Summary};
pub use simulate::{parse_duration, simulate_backend};
pub use validate::validate_decision;

/// The categories in report order (README "Categories").
pub const CATEGORIES: [&str; 8] = [
    "http-core",
    "http-filters",
    "http-policy",
    "grpc",
    "tls",
    "l4",
    "listener-set",
    "gateway",
];

/// Timeout, retry and backend-protocol features (category `http-policy`).
const POLICY_FEATURES: [&str; 7] = [
    "HTTPRouteRequestTimeout",
    "HTTPRouteBackendTimeout",
    "HTTPRouteRetry",
    "HTTPRouteRetryBackendTimeout",
    "HTTPRouteRetryConnectionError",
    "HTTPRouteBackendProtocolH2C",
    "HTTPRouteBackendProtocolWebSocket",
];

/// Filter features (category `http-filters`).
const FILTER_FEATURES: [&str; 16] = [
    "HTTPRouteResponseHeaderModification",
    "HTTPRouteBackendRequestHeaderModification",
    "HTTPRouteRequestMirror",
    "HTTPRouteRequestMultipleMirrors",
    "HTTPRouteRequestPercentageMirror",
    "HTTPRoutePathRedirect",
    "HTTPRoutePortRedirect",
    "HTTPRouteSchemeRedirect",
    "HTTPRoute303RedirectStatusCode",
    "HTTPRoute307RedirectStatusCode",
    "HTTPRoute308RedirectStatusCode",
    "HTTPRouteHostRewrite",
    "HTTPRoutePathRewrite",
    "HTTPRouteBackendURLRewrite",
    "HTTPRouteBackendRequestRedirect",
    "HTTPRouteCORS",
];

/// Gateway-level features (category `gateway`).
const GATEWAY_FEATURES: [&str; 2] = [
    "GatewayHTTPListenerIsolation",
    "GatewayHTTPSListenerDetectMisdirectedRequests",
];

/// Expectation keys that make a core-only case an `http-filters` case.
const FILTER_EXPECT_KEYS: [&str; 8] = [
    "redirect",
    "rewritten",
    "request_headers_present",
    "request_headers_absent",
    "response_headers_present",
    "response_headers_absent",
    "response_headers_one_of",
    "mirrored_to",
];

/// Characters of a value shown in a failure line.
const MAX_SHOW: usize = 160;

/// One failed check of a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// What was checked, e.g. `backend`, `redirect.port`, `request_headers_present.X-Foo`.
    pub key: String,
    /// The expected value (as `judge.py` reports it).
    pub expected: Value,
    /// The value found in the decision.
    pub actual: Value,
    /// Extra explanation, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Failure {
    /// The failure in `judge.py`'s wording: `key: expected X, got Y (note)`.
    pub fn message(&self) -> String {
        if self.key == "engine" {
            return format!("engine: {}", self.note.as_deref().unwrap_or("None"));
        }
        let mut text = format!(
            "{}: expected {}, got {}",
            self.key,
            show(&self.expected),
            show(&self.actual)
        );
        if let Some(note) = self.note.as_deref().filter(|n| !n.is_empty()) {
            text.push_str(&format!(" ({note})"));
        }
        text
    }
}

/// The verdict for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check passed.
    Pass,
    /// At least one check failed (see [`RequestResult::failures`]).
    Fail,
    /// The engine reported the request as `"skipped"`.
    Skip,
}

/// The result for one request of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestResult {
    /// Position of the request in the case.
    pub index: usize,
    /// The request's name.
    pub name: String,
    /// Pass, fail or skip.
    pub result: Verdict,
    /// The failed checks (empty unless `result` is [`Verdict::Fail`]).
    pub failures: Vec<Failure>,
    /// The engine's reason for skipping (only for [`Verdict::Skip`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
}

/// The result for one case file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    /// The case file name (e.g. `httproute_matching.json`), when the caller knows it.
    pub file: Option<String>,
    /// The case's `name`.
    pub name: Option<String>,
    /// The case's category (see [`category`]).
    pub category: &'static str,
    /// The case's required features.
    pub features: Vec<String>,
    /// Set when the whole case failed (engine error, wrong number of decisions).
    pub error: Option<String>,
    /// One result per request, in the case's order.
    pub requests: Vec<RequestResult>,
}

impl CaseResult {
    /// Sets [`CaseResult::file`].
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Number of requests with the given verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.requests.iter().filter(|r| r.result == verdict).count()
    }
}

// --------------------------------------------------------------------------- helpers

/// `dict.get(key)` with `None` for a missing key, a JSON `null` or a non-object.
pub(crate) fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// `key in dict`.
pub(crate) fn has(v: &Value, key: &str) -> bool {
    v.as_object().is_some_and(|m| m.contains_key(key))
}

/// `x.get(key) or {}`: the value when truthy, else an empty object.
pub(crate) fn obj_or_empty(v: &Value, key: &str) -> Value {
    match v.get(key) {
        Some(x) if truthy(x) => x.clone(),
        _ => Value::Object(Default::default()),
    }
}

/// Python truthiness of a JSON value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python's `isinstance(v, int) and not isinstance(v, bool)`, as an `i64`.
pub(crate) fn as_int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64)
}

/// Python's `is_num`: an int or finite float, not a bool.
pub(crate) fn is_num(v: &Value) -> bool {
    v.as_f64().is_some_and(f64::is_finite)
}

/// Python `==` between JSON values (numbers compare by value, `True == 1`).
pub(crate) fn py_eq(a: &Value, b: &Value) -> bool {
    fn num(v: &Value) -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Bool(_), Value::Number(_)) | (Value::Number(_), Value::Bool(_)) => num(a) == num(b),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Python's `value in list`.
pub(crate) fn py_in(value: &Value, list: &[Value]) -> bool {
    list.iter().any(|x| py_eq(value, x))
}

/// Python's `repr` of a JSON value (approximate for containers).
pub(crate) fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => py_repr_str(s),
        Value::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{}: {}", py_repr_str(k), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Number(_) => v.to_string(),
    }
}

/// Python's `repr` of a string.
pub(crate) fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str(value)` (strings unquoted).
pub(crate) fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// A value as shown in a failure line: compact JSON with non-ASCII escaped, at most 160
/// characters (`judge.py`'s `show`).
pub fn show(value: &Value) -> String {
    let raw = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let mut text = String::with_capacity(raw.len());
    for c in raw.chars() {
        let code = c as u32;
        if code < 0x7f {
            text.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                text.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    if text.chars().count() > MAX_SHOW {
        let mut cut: String = text.chars().take(MAX_SHOW - 3).collect();
        cut.push_str("...");
        return cut;
    }
    text
}

/// The `namespace` of a `"namespace/name"` string.
pub(crate) fn namespace_of(backend: Option<&Value>) -> Option<&str> {
    let s = backend?.as_str()?;
    s.split_once('/').map(|(ns, _)| ns)
}

/// Case-insensitive values of one header in a list of `[name, value]` pairs.
pub(crate) fn header_values<'a>(pairs: &'a Value, name: &str) -> Vec<&'a str> {
    let lname = name.to_lowercase();
    pairs
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    let n = p.get(0)?.as_str()?;
                    let v = p.get(1)?.as_str()?;
                    (n.to_lowercase() == lname).then_some(v)
                })
                .collect()
        })
        .unwrap_or_default()
}

// --------------------------------------------------------------------------- categories

/// The category of every request of a case (README "Categories"; `case_category`).
pub fn category(case: &Value) -> &'static str {
    let features: Vec<&str> = case
        .get("features")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let any = |set: &[&str]| features.iter().any(|f| set.contains(f));
    if any(&["TCPRoute", "UDPRoute"]) {
        return "l4";
    }
    if features.contains(&"TLSRoute")
        || features
            .iter()
            .any(|f| f.starts_with("GatewayFrontendClientCertificateValidation"))
    {
        return "tls";
    }
    if features.contains(&"ListenerSet") {
        return "listener-set";
    }
    if features.contains(&"GRPCRoute") {
        return "grpc";
    }
    if any(&GATEWAY_FEATURES) {
        return "gateway";
    }
    if any(&POLICY_FEATURES) {
        return "http-policy";
    }
    if any(&FILTER_FEATURES) {
        return "http-filters";
    }
    let requests = case.get("requests").and_then(Value::as_array);
    for r in requests.into_iter().flatten() {
        if let Some(exp) = r.get("expect").and_then(Value::as_object) {
            if FILTER_EXPECT_KEYS.iter().any(|k| exp.contains_key(*k)) {
                return "http-filters";
            }
        }
    }
    "http-core"
}

// --------------------------------------------------------------------------- judging a case

fn case_shell(case: &Value, error: Option<String>) -> CaseResult {
    CaseResult {
        file: None,
        name: case.get("name").and_then(Value::as_str).map(String::from),
        category: category(case),
        features: case
            .get("features")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        error,
        requests: Vec::new(),
    }
}

fn requests_of(case: &Value) -> &[Value] {
    case.get("requests")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn request_name(req: &Value) -> String {
    req.get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Fails every request of a case because the engine run produced no usable decisions
/// (crash, timeout, unparsable output). `error` is the reason shown as `engine: <error>`.
pub fn judge_engine_error(case: &Value, error: &str) -> CaseResult {
    let mut res = case_shell(case, Some(error.to_string()));
    res.requests = requests_of(case)
        .iter()
        .enumerate()
        .map(|(index, req)| RequestResult {
            index,
            name: request_name(req),
            result: Verdict::Fail,
            failures: vec![Failure {
                key: "engine".into(),
                expected: "a decision".into(),
                actual: Value::Null,
                note: Some(error.to_string()),
            }],
            skip_reason: None,
        })
        .collect();
    res
}

/// Judges the decisions an engine printed for one case (`judge_case` of `judge.py` after the
/// engine ran). Decision *i* belongs to request *i*; a different number of decisions or a
/// decision that is not a JSON object fails the whole case.
pub fn judge_case(case: &Value, decisions: &[Value]) -> CaseResult {
    let requests = requests_of(case);
    if let Some((i, d)) = decisions.iter().enumerate().find(|(_, d)| !d.is_object()) {
        let error = format!("decision {} is not a JSON object: {}", i + 1, show(d));
        return judge_engine_error(case, &error);
    }
    if decisions.len() != requests.len() {
        let error = format!(
            "engine printed {} decision(s) for {} request(s)",
            decisions.len(),
            requests.len()
        );
        return judge_engine_error(case, &error);
    }
    let mut res = case_shell(case, None);
    for (index, (req, dec)) in requests.iter().zip(decisions).enumerate() {
        let name = request_name(req);
        let mut r = RequestResult {
            index,
            name: name.clone(),
            result: Verdict::Pass,
            failures: Vec::new(),
            skip_reason: None,
        };
        let dec_name = dec.get("name").cloned().unwrap_or(Value::Null);
        if dec_name != Value::String(name.clone()) {
            r.result = Verdict::Fail;
            r.failures.push(Failure {
                key: "name".into(),
                expected: Value::String(name),
                actual: dec_name,
                note: Some(format!(
                    "decision {} does not belong to request {}",
                    index + 1,
                    index + 1
                )),
            });
        } else if let Some(reason) = dec.get("skipped").filter(|s| truthy(s)) {
            r.result = Verdict::Skip;
            r.skip_reason = Some(py_str(reason));
        } else {
            let failures = judge_request(case, req, dec);
            if !failures.is_empty() {
                r.result = Verdict::Fail;
                r.failures = failures;
            }
        }
        res.requests.push(r);
    }
    res
}

// --------------------------------------------------------------------------- case files

/// Reads and checks a case file (`load_case`): a JSON object whose `requests` is a list of
/// objects with a string `name`.
pub fn load_case(path: &Path) -> Result<Value, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{shown}: cannot read case file: {e}"))?;
    let case: Value =
        serde_json::from_str(&text).map_err(|e| format!("{shown}: cannot read case file: {e}"))?;
    let Some(requests) = case.get("requests").and_then(Value::as_array) else {
        return Err(format!("{shown}: not a case file (no 'requests' list)"));
    };
    for (i, r) in requests.iter().enumerate() {
        if r.get("name").and_then(Value::as_str).is_none() {
            return Err(format!("{shown}: request {i} has no name"));
        }
    }
    Ok(case)
}

/// Every case file of a directory (`*.json` except `INDEX.json`), sorted by name.
pub fn collect_case_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json") && name != "INDEX.json"
        })
        .collect();
    out.sort();
    Ok(out)
}
