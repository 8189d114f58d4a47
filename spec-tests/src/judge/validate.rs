//! Type checks of the known decision keys (`validate_decision` of `judge.py`).

use serde_json::Value;

use super::{get, is_num, show};
use crate::judge::simulate::parse_duration;

fn is_pairs(v: &Value) -> bool {
    v.as_array().is_some_and(|a| {
        a.iter().all(|p| {
            p.as_array()
                .is_some_and(|p| p.len() == 2 && p[0].is_string() && p[1].is_string())
        })
    })
}

fn is_int(v: &Value) -> bool {
    v.is_i64() || v.is_u64()
}

/// Returns one error text per malformed known key of a decision (empty when it is valid).
/// Unknown keys are ignored; `null` counts as absent.
pub fn validate_decision(d: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let mut opt = |key: &str, ok: &dyn Fn(&Value) -> bool, what: &str| {
        if let Some(v) = get(d, key) {
            if !ok(v) {
                errs.push(format!("'{key}' must be {what}, got {}", show(v)));
            }
        }
    };
    opt("status", &is_int, "an integer");
    opt(
        "backend",
        &|v| v.as_str().is_some_and(|s| s.contains('/')),
        "a \"namespace/name\" string",
    );
    opt("route", &Value::is_string, "a string");
    opt("rule", &|v| is_int(v) || v.is_string(), "an integer");
    opt("grpc_status", &is_int, "an integer");
    opt(
        "response_headers",
        &is_pairs,
        "a list of [\"name\", \"value\"] pairs",
    );

    if let Some(up) = get(d, "upstream") {
        if !up.is_object() {
            errs.push(format!("'upstream' must be an object, got {}", show(up)));
        } else {
            for k in ["scheme", "host", "path"] {
                if let Some(v) = get(up, k) {
                    if !v.is_string() {
                        errs.push(format!("'upstream.{k}' must be a string, got {}", show(v)));
                    }
                }
            }
            if let Some(h) = get(up, "headers") {
                if !is_pairs(h) {
                    errs.push(format!(
                        "'upstream.headers' must be a list of [\"name\", \"value\"] pairs, got {}",
                        show(h)
                    ));
                }
            }
        }
    }

    if let Some(rd) = get(d, "redirect") {
        if !rd.get("location").is_some_and(Value::is_string) {
            errs.push(format!(
                "'redirect' must be an object with a string 'location', got {}",
                show(rd)
            ));
        } else if let Some(s) = get(rd, "status") {
            if !is_int(s) {
                errs.push(format!(
                    "'redirect.status' must be an integer, got {}",
                    show(s)
                ));
            }
        }
    }

    if let Some(mi) = get(d, "mirrors") {
        let ok = mi.as_array().is_some_and(|a| {
            a.iter().all(|m| {
                m.is_object()
                    && m.get("backend").is_some_and(Value::is_string)
                    && get(m, "percent").is_none_or(is_num)
            })
        });
        if !ok {
            errs.push(format!(
                "'mirrors' must be a list of {{\"backend\": str, \"percent\": number}}, got {}",
                show(mi)
            ));
        }
    }

    if let Some(sp) = get(d, "split") {
        let ok = sp.as_array().is_some_and(|a| {
            a.iter().all(|e| {
                if !e.is_object() {
                    return false;
                }
                let has_b = e.get("backend").is_some_and(Value::is_string);
                let has_s = e.get("status").is_some_and(is_int);
                let w_ok = match e.get("weight") {
                    None => true,
                    Some(w) => is_num(w) && w.as_f64().is_some_and(|w| w >= 0.0),
                };
                has_b != has_s && w_ok
            })
        });
        if !ok {
            errs.push(format!(
                "'split' must be a list of {{\"backend\": str, \"weight\": n}} or {{\"status\": int, \"weight\": n}} (weight >= 0), got {}",
                show(sp)
            ));
        }
    }

    if let Some(to) = get(d, "timeouts") {
        if !to.is_object() {
            errs.push(format!("'timeouts' must be an object, got {}", show(to)));
        } else {
            for k in ["request", "backend_request"] {
                if let Some(v) = get(to, k) {
                    if let Err(e) = parse_duration(v) {
                        errs.push(format!("'timeouts.{k}': {e}"));
                    }
                }
            }
        }
    }

    if let Some(rt) = get(d, "retry") {
        if !rt.is_object() {
            errs.push(format!("'retry' must be an object, got {}", show(rt)));
        } else {
            if let Some(a) = get(rt, "attempts") {
                if a.as_i64().is_none_or(|a| a < 0) {
                    errs.push(format!(
                        "'retry.attempts' must be an integer >= 0, got {}",
                        show(a)
                    ));
                }
            }
            if let Some(c) = get(rt, "codes") {
                if !c.as_array().is_some_and(|a| a.iter().all(is_int)) {
                    errs.push(format!(
                        "'retry.codes' must be a list of integers, got {}",
                        show(c)
                    ));
                }
            }
            if let Some(b) = get(rt, "backoff") {
                if let Err(e) = parse_duration(b) {
                    errs.push(format!("'retry.backoff': {e}"));
                }
            }
        }
    }

    if let Some(tl) = get(d, "tls") {
        if !tl.is_object() {
            errs.push(format!("'tls' must be an object, got {}", show(tl)));
        } else {
            for k in ["rejected", "passthrough"] {
                if let Some(v) = get(tl, k) {
                    if !v.is_boolean() {
                        errs.push(format!("'tls.{k}' must be a boolean, got {}", show(v)));
                    }
                }
            }
            if let Some(v) = get(tl, "backend_sni") {
                if !v.is_string() {
                    errs.push(format!(
                        "'tls.backend_sni' must be a string, got {}",
                        show(v)
                    ));
                }
            }
        }
    }
    errs
}
