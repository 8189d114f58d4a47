//! Rust values → JSON for the JS wrapper (options in, matches, actions and reports out).
//!
//! Matches are converted once per distinct match and cached on the JS side, so JSON is only
//! on cold paths and on `apply`.

use crate::js::{js_error, type_error};
use serde_json::{json, Map, Value};
use trieway::{
    Action, ActionKind, Backend, ConfigError, ConfiguredDuration, EditOp, Error, HeaderEdit,
    Options, PathKind, Policies, RegexRank, RepeatedHeaders, RouteMatch,
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

/// Parses the options object (JSON text from the wrapper).
pub fn options(text: Option<&str>) -> napi::Result<(Options, LoadOptions)> {
    let mut o = Options::default();
    let mut load = LoadOptions { strict: true };
    let Some(text) = text else {
        return Ok((o, load));
    };
    let v: Value = serde_json::from_str(text).map_err(|e| type_error(e.to_string()))?;
    let map = match v {
        Value::Null => return Ok((o, load)),
        Value::Object(m) => m,
        _ => return Err(type_error("options must be an object")),
    };
    let boolean = |k: &str, v: &Value| {
        v.as_bool()
            .ok_or_else(|| type_error(format!("options.{k} must be a boolean")))
    };
    let string = |k: &str, v: &Value| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| type_error(format!("options.{k} must be a string")))
    };
    let int = |k: &str, v: &Value, lo: u64, hi: u64| {
        let n = v
            .as_u64()
            .ok_or_else(|| type_error(format!("options.{k} must be a non-negative integer")))?;
        if n < lo || n > hi {
            return Err(js_error(
                "RangeError",
                "ERR_OUT_OF_RANGE",
                format!("options.{k} must be from {lo} to {hi}, got {n}"),
            ));
        }
        Ok(n)
    };
    for (k, v) in &map {
        match k.as_str() {
            "gateway" => {
                o.gateway = if v.is_null() {
                    None
                } else {
                    Some(string(k, v)?)
                }
            }
            "controllerName" => {
                o.controller_name = if v.is_null() {
                    None
                } else {
                    Some(string(k, v)?)
                }
            }
            "hostIsolation" => o.host_isolation = boolean(k, v)?,
            "listenerIsolation" => o.listener_isolation = boolean(k, v)?,
            "strict" => load.strict = boolean(k, v)?,
            "regexRank" => {
                o.regex_rank = match string(k, v)?.as_str() {
                    "betweenExactAndPrefix" => RegexRank::BetweenExactAndPrefix,
                    "belowPrefix" => RegexRank::BelowPrefix,
                    other => {
                        return Err(bad_value(format!(
                            "options.regexRank must be 'betweenExactAndPrefix' or 'belowPrefix', got {other:?}"
                        )))
                    }
                }
            }
            "repeatedHeaders" => {
                o.repeated_headers = match string(k, v)?.as_str() {
                    "join" => RepeatedHeaders::Join,
                    "first" => RepeatedHeaders::First,
                    "any" => RepeatedHeaders::Any,
                    other => {
                        return Err(bad_value(format!(
                            "options.repeatedHeaders must be 'join', 'first' or 'any', got {other:?}"
                        )))
                    }
                }
            }
            "allWeightsZeroStatus" => o.all_weights_zero_status = int(k, v, 100, 599)? as u16,
            "regexSizeLimit" => o.regex_size_limit = int(k, v, 1, u32::MAX as u64)? as usize,
            "maxPathLen" => o.max_path_len = int(k, v, 1, 1 << 30)? as usize,
            "maxQueryLen" => o.max_query_len = int(k, v, 0, 1 << 30)? as usize,
            "maxHeaderValueLen" => o.max_header_value_len = int(k, v, 0, 1 << 30)? as usize,
            "regexRouteBudget" => o.regex_route_budget = int(k, v, 0, u32::MAX as u64)? as usize,
            "regexRouterBudget" => {
                o.regex_router_budget = int(k, v, 0, u32::MAX as u64)? as usize
            }
            other => return Err(bad_value(format!("unknown option {other:?}"))),
        }
    }
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

fn duration(d: &Option<ConfiguredDuration>) -> Value {
    match d {
        Some(d) => json!({"text": &*d.text, "ms": d.value.as_millis() as f64}),
        None => Value::Null,
    }
}

/// Timeouts, retry and session persistence of a rule.
pub fn policies(p: &Policies) -> Value {
    json!({
        "timeouts": p.timeouts.as_ref().map(|t| json!({
            "request": duration(&t.request),
            "backendRequest": duration(&t.backend_request),
        })),
        "retry": p.retry.as_ref().map(|r| json!({
            "attempts": r.attempts,
            "codes": &*r.codes,
            "backoff": duration(&r.backoff),
        })),
        "session": p.session.as_ref().map(|s| json!({
            "type": &*s.kind,
            "name": s.name.as_deref(),
            "absoluteTimeout": duration(&s.absolute_timeout),
            "idleTimeout": duration(&s.idle_timeout),
            "permanent": s.permanent,
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
        "hostname": m.hostname(),
        "listener": m.listener(),
        "port": m.port(),
        "tls": m.is_tls(),
        "backends": m.backends().iter().map(backend).collect::<Vec<_>>(),
        "totalWeight": m.total_weight() as f64,
        "policies": policies(m.policies()),
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
            .map(|mi| json!({"backend": backend(mi.backend), "percent": mi.percent}))
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
