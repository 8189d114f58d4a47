//! One routing decision as JSON: the outcome of a lookup plus the [`Action`] its filters
//! produced, in the conformance decision format (`spec-tests/README.md`).

use serde_json::{json, Map, Value};
use trieway::{Action, ActionKind, Backend, L4Match, Outcome, Policies, Target};

/// `namespace/name` of a backend.
pub fn backend_key(b: &Backend) -> String {
    format!("{}/{}", b.namespace(), b.name())
}

/// The rule's whole traffic split: valid backends by name, invalid ones as `{status: 500}`.
pub fn split(backends: &[Backend]) -> Value {
    Value::Array(
        backends
            .iter()
            .map(|b| {
                if b.is_valid() && b.has_no_ready_endpoints() {
                    json!({"status": 503, "weight": b.weight(), "backend_not_ready": backend_key(b)})
                } else if b.is_valid() {
                    json!({"backend": backend_key(b), "weight": b.weight()})
                } else {
                    json!({"status": 500, "weight": b.weight(), "reason": b.problem().map(|p| p.0)})
                }
            })
            .collect(),
    )
}

/// Timeouts and retry of a rule, as the decision format spells them.
pub fn policies(p: &Policies, out: &mut Map<String, Value>) {
    fn text(d: Option<(&str, std::time::Duration)>) -> Option<&str> {
        d.map(|(t, _)| t)
    }
    if p.has_timeouts() {
        let mut m = Map::new();
        if let Some(r) = text(p.request_timeout()) {
            m.insert("request".into(), json!(r));
        }
        if let Some(b) = text(p.backend_request_timeout()) {
            m.insert("backend_request".into(), json!(b));
        }
        out.insert("timeouts".into(), Value::Object(m));
    }
    if p.has_retry() {
        let mut m = Map::new();
        if let Some(a) = p.retry_attempts() {
            m.insert("attempts".into(), json!(a));
        }
        m.insert("codes".into(), json!(p.retry_codes()));
        if let Some(b) = text(p.retry_backoff()) {
            m.insert("backoff".into(), json!(b));
        }
        out.insert("retry".into(), Value::Object(m));
    }
    if let Some(kind) = p.session_kind() {
        out.insert(
            "session_persistence".into(),
            json!({"type": kind, "name": p.session_name(), "permanent": p.session_permanent()}),
        );
    }
}

/// Builds the decision for `outcome` after `m.apply(..)` filled `action`.
///
/// `request_headers` are the request's header lines (what the backend would see without
/// filters); `backend_response_headers` are the lines the backend answers with, to which the
/// response filters apply.
pub fn decision(
    outcome: &Outcome<'_>,
    action: &Action<'_>,
    request_headers: &[(String, String)],
    backend_response_headers: &[(String, String)],
) -> Map<String, Value> {
    let mut d = Map::new();
    let m = match outcome {
        Outcome::Matched(m) => m,
        Outcome::Misdirected => {
            d.insert("status".into(), json!(421));
            d.insert("backend".into(), Value::Null);
            return d;
        }
        _ => {
            d.insert("status".into(), json!(404));
            d.insert("backend".into(), Value::Null);
            return d;
        }
    };
    let r = m.route();
    d.insert(
        "route".into(),
        json!(format!("{}/{}/{}", r.kind, r.namespace, r.name)),
    );
    d.insert("rule".into(), json!(m.rule_index()));
    if let Some(name) = m.rule_name() {
        d.insert("rule_name".into(), json!(name));
    }
    d.insert("listener".into(), json!(m.listener()));
    d.insert("hostname".into(), json!(m.hostname()));
    d.insert("status".into(), json!(action.status));
    d.insert("split".into(), split(m.backends()));
    policies(m.policies(), &mut d);
    let response = Action::edit_headers(&action.response_headers, backend_response_headers);
    if !response.is_empty() {
        d.insert("response_headers".into(), json!(response));
    }
    if !action.mirrors.is_empty() {
        let mirrors: Vec<Value> = action
            .mirrors
            .iter()
            .map(|&(backend, percent)| json!({"backend": backend_key(backend), "percent": percent}))
            .collect();
        d.insert("mirrors".into(), Value::Array(mirrors));
    }
    if !action.extensions.is_empty() {
        let ext: Vec<Value> = action
            .extensions
            .iter()
            .map(|e| json!({"group": e.group, "kind": e.kind, "name": e.name}))
            .collect();
        d.insert("extensions".into(), Value::Array(ext));
    }
    match action.kind {
        ActionKind::Redirect => {
            d.insert("backend".into(), Value::Null);
            d.insert(
                "redirect".into(),
                json!({"location": action.location, "status": action.status}),
            );
        }
        ActionKind::Forward => {
            let b = action.backend.map(backend_key);
            d.insert("backend".into(), json!(b));
            if let Some(b) = action.backend {
                if let Some(p) = b.app_protocol() {
                    d.insert("backend_protocol".into(), json!(p));
                }
            }
            let headers = Action::edit_headers(&action.request_headers, request_headers);
            d.insert(
                "upstream".into(),
                json!({
                    "scheme": action.scheme,
                    "host": action.authority,
                    "path": action.path_and_query,
                    "headers": headers,
                }),
            );
        }
        _ => {
            d.insert("backend".into(), Value::Null);
        }
    }
    d
}

/// The decision for a TLS, TCP or UDP connection (`None`: rejected). `http` marks an HTTPS
/// request tunnelled through a TLS listener, which answers with a status.
pub fn l4(m: Option<L4Match<'_>>, sni: Option<&str>, http: bool) -> Map<String, Value> {
    let mut d = Map::new();
    let backend = m.and_then(|m| match m.pick(0) {
        Target::Backend(b) => Some(b),
        _ => None,
    });
    match (m, backend) {
        (Some(m), Some(b)) => {
            let r = m.route();
            d.insert(
                "route".into(),
                json!(format!("{}/{}/{}", r.kind, r.namespace, r.name)),
            );
            d.insert("backend".into(), json!(backend_key(b)));
            d.insert("split".into(), split(m.backends()));
            if http {
                d.insert("status".into(), json!(200));
            }
            let backend_sni = if m.passthrough() { sni } else { None };
            d.insert(
                "tls".into(),
                json!({"rejected": false, "passthrough": m.passthrough(), "backend_sni": backend_sni}),
            );
        }
        _ => {
            d.insert("backend".into(), Value::Null);
            d.insert("tls".into(), json!({"rejected": true}));
        }
    }
    d
}
