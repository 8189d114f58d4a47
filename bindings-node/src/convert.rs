//! Rust values → JSON for the JS wrapper (options in, matches, actions and reports out).
//!
//! Matches are converted once per distinct match and cached on the JS side, so JSON is only
//! on cold paths and on `apply`.

use crate::js::{js_error, type_error};
use serde_json::{json, Map, Value};
use trieway::{
    Action, ActionKind, Backend, ConfigError, EditOp, Error, HeaderEdit, Options, PathKind,
    Policies, RouteMatch,
};

/// Load options that are not engine [`Options`].
pub struct LoadOptions {
    /// Refuse a configuration with any invalid object or unknown field (default), or serve
    /// the valid rest (unknown fields are then warnings).
    pub strict: bool,
}

fn bad_value(message: String) -> napi::Error {
    js_error("TypeError", "ERR_INVALID_ARG_VALUE", message)
}

/// Parses the options object (JSON text from the wrapper): `strict` is read here, every other
/// key is deserialized by the core into [`Options`] (camelCase names; see `Options`'s
/// `Deserialize` implementation). Its errors name the option; they become a `TypeError`
/// (`ERR_INVALID_ARG_TYPE`) for a value of the wrong type, a `RangeError`
/// (`ERR_OUT_OF_RANGE`) for a number out of range and a `TypeError`
/// (`ERR_INVALID_ARG_VALUE`) for an unknown option or value.
pub fn options(text: Option<&str>) -> napi::Result<(Options, LoadOptions)> {
    let mut load = LoadOptions { strict: true };
    let Some(text) = text else {
        return Ok((Options::default(), load));
    };
    let v: Value = serde_json::from_str(text).map_err(|e| type_error(e.to_string()))?;
    let mut map = match v {
        Value::Null => return Ok((Options::default(), load)),
        Value::Object(m) => m,
        _ => return Err(type_error("options must be an object")),
    };
    if let Some(v) = map.remove("strict") {
        load.strict = v
            .as_bool()
            .ok_or_else(|| type_error("option `strict`: invalid type: expected a boolean"))?;
    }
    let o = serde_json::from_value::<Options>(Value::Object(map)).map_err(|e| {
        let message = e.to_string();
        if message.contains(": invalid type: ") {
            type_error(message)
        } else if message.contains(": out of range: ") {
            js_error("RangeError", "ERR_OUT_OF_RANGE", message)
        } else {
            bad_value(message)
        }
    })?;
    Ok((o, load))
}

/// One problem as a JS object.
pub fn issue(e: &ConfigError) -> Value {
    json!({
        "kind": e.kind,
        "object": e.object,
        "origin": e.origin.as_ref().map(|o| json!({"file": &*o.file, "index": o.index})),
        "field": e.field,
        "message": e.message,
        "text": e.to_string(),
    })
}

/// A load or compile failure as the JSON the wrapper turns into a `ConfigError`.
pub fn config_error(e: &Error) -> napi::Error {
    let (code, issues): (&str, Vec<Value>) = match e {
        Error::Invalid(list) => (
            "ERR_TRIEWAY_INVALID_CONFIG",
            list.iter().map(issue).collect(),
        ),
        Error::Gateway(_) => ("ERR_TRIEWAY_GATEWAY", Vec::new()),
        Error::Limit(_) => ("ERR_TRIEWAY_LIMIT", Vec::new()),
        Error::Io { .. } => ("ERR_TRIEWAY_IO", Vec::new()),
        _ => ("ERR_TRIEWAY_CONFIG", Vec::new()),
    };
    let body = json!({
        "trieway": "ConfigError",
        "code": code,
        "message": e.to_string(),
        "issues": issues,
    });
    napi::Error::new(napi::Status::GenericFailure, body.to_string())
}

fn duration(d: Option<(&str, std::time::Duration)>) -> Value {
    match d {
        Some((text, value)) => json!({"text": text, "ms": value.as_millis() as f64}),
        None => Value::Null,
    }
}

/// Timeouts, retry and session persistence of a rule.
pub fn policies(p: &Policies) -> Value {
    json!({
        "timeouts": p.has_timeouts().then(|| json!({
            "request": duration(p.request_timeout()),
            "backendRequest": duration(p.backend_request_timeout()),
        })),
        "retry": p.has_retry().then(|| json!({
            "attempts": p.retry_attempts(),
            "codes": p.retry_codes(),
            "backoff": duration(p.retry_backoff()),
        })),
        "session": p.session_kind().map(|kind| json!({
            "type": kind,
            "name": p.session_name(),
            "absoluteTimeout": duration(p.session_absolute_timeout()),
            "idleTimeout": duration(p.session_idle_timeout()),
            "permanent": p.session_permanent(),
        })),
    })
}

/// A backend reference.
pub fn backend(b: &Backend) -> Value {
    json!({
        "group": b.group(),
        "kind": b.kind(),
        "namespace": b.namespace(),
        "name": b.name(),
        "port": b.port(),
        "weight": b.weight(),
        "appProtocol": b.app_protocol(),
        "valid": b.is_valid(),
        "problem": b.problem().map(|(reason, message)| json!({"reason": reason, "message": message})),
        "index": b.index(),
        "tls": b.tls_policy().map(|policy| json!({
            "policy": policy,
            "hostname": b.tls_hostname(),
            "caBundle": b.tls_ca_bundle(),
            "systemRoots": b.tls_system_roots(),
            "subjectAltNames": b
                .tls_subject_alt_names()
                .iter()
                .map(|s| json!({"type": s.kind, "value": s.value()}))
                .collect::<Vec<_>>(),
        })),
        "traffic": b.traffic_policy().map(|policy| {
            let rate = |r: Option<(u32, std::time::Duration)>, n: &str| {
                r.map(|(k, d)| json!({n: k, "intervalMs": d.as_millis() as f64}))
            };
            json!({
                "policy": policy,
                "retryBudget": rate(b.retry_budget(), "percent"),
                "minRetryRate": rate(b.min_retry_rate(), "count"),
                "sessionPersistence": b.session_persistence(),
            })
        }),
    })
}

/// The certificates of one TLS-terminating listener (the key included: the JS wrapper
/// hides it from inspection).
pub fn listener_certificates(l: &trieway::tls::ListenerCertificates) -> Value {
    json!({
        "listener": l.listener,
        "port": l.port,
        "hostname": l.hostname,
        "certificates": l.certificates.iter().map(|c| json!({
            "secret": c.secret,
            "chainPem": c.chain_pem,
            "keyPem": c.key_pem(),
        })).collect::<Vec<_>>(),
    })
}

fn path_kind(k: PathKind) -> &'static str {
    match k {
        PathKind::Exact => "Exact",
        PathKind::Prefix => "PathPrefix",
        _ => "RegularExpression",
    }
}

/// Everything about a match that does not depend on the request.
pub fn route_match(m: &RouteMatch<'_>) -> Value {
    let r = m.route();
    let (kind, value) = m.path_match();
    json!({
        "route": {"kind": r.kind.as_str(), "namespace": r.namespace, "name": r.name},
        "ruleIndex": m.rule_index(),
        "ruleName": m.rule_name(),
        "matchIndex": m.match_index(),
        "pathMatch": {"type": path_kind(kind), "value": value},
        "hasParams": m.has_params(),
        "hostname": m.hostname(),
        "listener": m.listener(),
        "port": m.port(),
        "tls": m.is_tls(),
        "backends": m.backends().iter().map(backend).collect::<Vec<_>>(),
        "totalWeight": m.total_weight() as f64,
        "policies": policies(m.policies()),
        "httpRoute": m.http_route(),
        "attributes": attributes(m),
    })
}

/// The OpenTelemetry attributes of a match (`RouteMatch::attributes`), as an object.
fn attributes(m: &RouteMatch<'_>) -> Value {
    use trieway::metrics::AttributeValue;
    let mut map = serde_json::Map::new();
    for (k, v) in m.attributes() {
        let v = match v {
            AttributeValue::Str(s) => Value::from(s),
            AttributeValue::Int(i) => Value::from(i),
            #[allow(unreachable_patterns)]
            _ => continue,
        };
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

/// A TLS, TCP or UDP connection's route.
pub fn l4_match(m: &trieway::L4Match<'_>) -> Value {
    let r = m.route();
    json!({
        "route": {"kind": r.kind.as_str(), "namespace": r.namespace, "name": r.name},
        "listener": m.listener(),
        "hostname": m.hostname(),
        "passthrough": m.passthrough(),
        "backends": m.backends().iter().map(backend).collect::<Vec<_>>(),
    })
}

fn edits(list: &[HeaderEdit<'_>]) -> Value {
    Value::Array(
        list.iter()
            .map(|e| {
                let op = match e.op {
                    EditOp::Set => "set",
                    EditOp::Add => "add",
                    _ => "remove",
                };
                json!({"op": op, "name": &*e.name, "value": &*e.value})
            })
            .collect(),
    )
}

/// An [`Action`]. `backend` is the index into the match's `backends` (the wrapper substitutes
/// its cached object).
pub fn action(a: &Action<'_>) -> String {
    let kind = match a.kind {
        ActionKind::Forward => "forward",
        ActionKind::Redirect => "redirect",
        _ => "respond",
    };
    let mut m = Map::new();
    m.insert("kind".into(), kind.into());
    m.insert("status".into(), a.status.into());
    m.insert(
        "backend".into(),
        a.backend.map_or(Value::Null, |b| b.index().into()),
    );
    m.insert("scheme".into(), a.scheme.into());
    m.insert("authority".into(), a.authority.as_str().into());
    m.insert("pathAndQuery".into(), a.path_and_query.as_str().into());
    m.insert("requestHeaders".into(), edits(&a.request_headers));
    m.insert("responseHeaders".into(), edits(&a.response_headers));
    m.insert(
        "location".into(),
        if a.kind == ActionKind::Redirect {
            a.location.as_str().into()
        } else {
            Value::Null
        },
    );
    m.insert(
        "mirrors".into(),
        a.mirrors
            .iter()
            .map(|&(b, percent)| json!({"backend": backend(b), "percent": percent}))
            .collect(),
    );
    m.insert(
        "extensions".into(),
        a.extensions
            .iter()
            .map(|e| json!({"group": e.group, "kind": e.kind, "name": e.name}))
            .collect(),
    );
    Value::Object(m).to_string()
}
