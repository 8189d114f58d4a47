//! The checks of `judge.py` that `judge_request` delegates to: weights, redirect, the
//! forwarded request, response headers and mirrors.

use serde_json::{json, Map, Value};

use super::http::{default_port, strs, Fails, Target};
use super::url::{urljoin, urlsplit};
use super::{as_int, get, has, header_values, obj_or_empty, py_eq, truthy};

/// Hop-by-hop headers (RFC 9110 7.6.1); rule 4 ignores them.
const HOP_BY_HOP: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The URL the request was sent to, for resolving a relative `Location` (`_request_url`).
fn request_url(req: &Value) -> String {
    let rq = obj_or_empty(req, "request");
    let scheme = rq
        .get("scheme")
        .filter(|s| truthy(s))
        .and_then(Value::as_str)
        .unwrap_or("http");
    let host = match rq.get("host").filter(|h| truthy(h)) {
        Some(h) => h
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| h.to_string()),
        None => {
            let mut host = String::from("gateway.invalid");
            if let Some(port) = as_int(req.get("listener_port")) {
                if Some(port) != default_port(scheme) {
                    host.push_str(&format!(":{port}"));
                }
            }
            host
        }
    };
    let path = rq
        .get("path")
        .filter(|p| truthy(p))
        .and_then(Value::as_str)
        .unwrap_or("/");
    format!("{scheme}://{host}{path}")
}

/// `dec.get(key) or []`.
pub(super) fn obj_or_list(v: &Value, key: &str) -> Value {
    match v.get(key) {
        Some(x) if truthy(x) => x.clone(),
        _ => Value::Array(vec![]),
    }
}

/// Python's `round(x, 2)`.
fn round2(x: f64) -> f64 {
    format!("{x:.2}").parse().unwrap_or(x)
}

pub(super) fn check_weights(expw: &Value, split: &[(Target, f64)], f: &mut Fails) {
    let empty = Map::new();
    let expw_map = expw.as_object().unwrap_or(&empty);
    let active: Vec<&(Target, f64)> = split.iter().filter(|(_, w)| *w > 0.0).collect();
    let total: f64 = active.iter().fold(0.0, |acc, (_, w)| acc + w);
    if total <= 0.0 {
        f.fail(
            "weights",
            expw.clone(),
            json!([]),
            Some("the split carries no traffic".into()),
        );
        return;
    }
    let fval = |v: &Value| v.as_f64().unwrap_or(0.0);
    let exp_total: f64 = expw_map.values().map(fval).fold(0.0, |acc, w| acc + w);
    for (b, want) in expw_map {
        let got: f64 = active
            .iter()
            .filter(|(t, _)| t.is_backend(b))
            .fold(0.0, |acc, (_, w)| acc + w);
        let share = 100.0 * got / total;
        if fval(want) == 0.0 {
            if share > 0.0 {
                let note = "a zero-weight backend must get nothing";
                f.fail(
                    "weights",
                    json!({ b: 0 }),
                    json!({ b: round2(share) }),
                    Some(note.into()),
                );
            }
        } else {
            let want_pct = if exp_total != 0.0 {
                100.0 * fval(want) / exp_total
            } else {
                0.0
            };
            if (share - want_pct).abs() > 5.0 {
                let note = "share within +/-5 points";
                let (w, s) = (round2(want_pct), round2(share));
                f.fail(
                    "weights",
                    json!({ b: w }),
                    json!({ b: s }),
                    Some(note.into()),
                );
            }
        }
    }
    let mut unexpected: Vec<String> = active
        .iter()
        .filter(|(t, _)| !matches!(t, Target::Backend(b) if expw_map.contains_key(b)))
        .map(|(t, _)| t.show())
        .collect();
    unexpected.sort();
    unexpected.dedup();
    if !unexpected.is_empty() {
        let mut want: Vec<String> = expw_map
            .iter()
            .filter(|(_, v)| fval(v) > 0.0)
            .map(|(k, _)| k.clone())
            .collect();
        want.sort();
        let note = "only backends with an expected weight > 0 may receive traffic";
        f.fail("weights", strs(want), strs(unexpected), Some(note.into()));
    }
}

pub(super) fn check_redirect(er: &Value, dec: &Value, req: &Value, status: i64, f: &mut Fails) {
    let Some(rd) = dec.get("redirect").filter(|r| truthy(r)) else {
        f.fail(
            "redirect",
            er.clone(),
            Value::Null,
            Some("no redirect in the decision".into()),
        );
        return;
    };
    if let Some(rs) = get(rd, "status") {
        if rs.as_i64() != Some(status) {
            let note = "redirect.status disagrees with status";
            f.fail(
                "redirect.status",
                json!(status),
                rs.clone(),
                Some(note.into()),
            );
        }
    }
    let location = rd["location"].as_str().unwrap_or_default();
    let u = urlsplit(&urljoin(&request_url(req), location), "");
    let scheme = u.scheme.to_lowercase();
    let Ok(port) = u.port() else {
        let note = "unparsable port in Location";
        f.fail("redirect", er.clone(), json!(location), Some(note.into()));
        return;
    };
    let host = u.hostname().unwrap_or_default().to_lowercase();
    let eff_port = port.or(default_port(&scheme));
    let note = || Some(format!("Location {location}"));
    let lower = |v: &Value| v.as_str().unwrap_or_default().to_lowercase();
    if let Some(s) = er.get("scheme") {
        if lower(s) != scheme {
            f.fail("redirect.scheme", s.clone(), json!(scheme), note());
        }
    }
    if let Some(h) = er.get("host") {
        if lower(h) != host {
            f.fail("redirect.host", h.clone(), json!(host), note());
        }
    }
    match get(er, "port") {
        Some(p) => {
            let want = p
                .as_i64()
                .or_else(|| p.as_str().and_then(|s| s.trim().parse().ok()));
            if eff_port.is_none() || eff_port != want {
                f.fail("redirect.port", p.clone(), json!(eff_port), note());
            }
        }
        None => {
            if let Some(p) = port {
                if Some(p) != default_port(&scheme) {
                    let want = format!("none or the default port of {scheme}");
                    f.fail("redirect.port", json!(want), json!(p), note());
                }
            }
        }
    }
    if let Some(p) = er.get("path") {
        let got = if u.path.is_empty() {
            "/"
        } else {
            u.path.as_str()
        };
        if p.as_str() != Some(got) {
            f.fail("redirect.path", p.clone(), json!(got), note());
        }
    }
}

pub(super) fn check_upstream(
    req: &Value,
    eff: &Value,
    per_backend: &Value,
    dec: &Value,
    kind: &str,
    f: &mut Fails,
) {
    let rq = obj_or_empty(req, "request");
    let tls = obj_or_empty(dec, "tls");
    let Some(up) = get(dec, "upstream") else {
        if tls.get("passthrough") == Some(&Value::Bool(true)) {
            return; // TLS passthrough: the bytes reach the backend unchanged
        }
        let note = "a forwarding decision needs 'upstream'";
        f.fail(
            "upstream",
            json!("the request as forwarded"),
            Value::Null,
            Some(note.into()),
        );
        return;
    };
    let headers = obj_or_list(up, "headers");
    let header_keys = ["request_headers_present", "request_headers_absent"];
    let has_header_exp = header_keys.iter().any(|k| has(eff, k))
        || per_backend
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .any(|v| header_keys.iter().any(|k| has(v, k)));
    let up_path = up.get("path").cloned().unwrap_or(Value::Null);
    let up_host = up.get("host").cloned().unwrap_or(Value::Null);
    let up_host_lower = up_host.as_str().unwrap_or_default().to_lowercase();
    if has(eff, "rewritten") || has_header_exp {
        let rw = obj_or_empty(eff, "rewritten");
        if let Some(p) = rw.get("path") {
            if !py_eq(&up_path, p) {
                f.fail("rewritten.path", p.clone(), up_path.clone(), None);
            }
        }
        if let Some(h) = rw.get("host") {
            if up_host_lower != h.as_str().unwrap_or_default().to_lowercase() {
                f.fail("rewritten.host", h.clone(), up_host.clone(), None);
            }
        }
        let present = obj_or_empty(eff, "request_headers_present");
        for (name, want) in present.as_object().into_iter().flatten() {
            let vals = header_values(&headers, name);
            let key = format!("request_headers_present.{name}");
            if vals.is_empty() {
                f.fail(key, want.clone(), Value::Null, None);
            } else if !py_eq(&json!(vals.join(",")), want) {
                f.fail(key, want.clone(), json!(vals.join(",")), None);
            }
        }
        let absent = obj_or_list(eff, "request_headers_absent");
        for name in absent.as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            let vals = header_values(&headers, name);
            if !vals.is_empty() {
                let key = format!("request_headers_absent.{name}");
                f.fail(key, Value::Null, json!(vals.join(",")), None);
            }
        }
        return;
    }
    // Rule 4: the backend sees the original request.
    let rule4 = || Some("unchanged request expected (rule 4)".to_string());
    let want_path = rq.get("path").cloned().unwrap_or(Value::Null);
    if !py_eq(&up_path, &want_path) {
        f.fail("upstream.path", want_path, up_path, rule4());
    }
    if kind == "grpc" {
        return; // gRPC: only the method path is compared
    }
    if let Some(h) = rq.get("host").filter(|h| truthy(h)) {
        if up_host_lower != h.as_str().unwrap_or_default().to_lowercase() {
            f.fail("upstream.host", h.clone(), up_host, rule4());
        }
    }
    let req_headers = obj_or_empty(&rq, "headers");
    for (name, want) in req_headers.as_object().into_iter().flatten() {
        if HOP_BY_HOP.contains(&name.to_lowercase().as_str()) {
            continue;
        }
        let vals = header_values(&headers, name);
        let got = if vals.is_empty() {
            Value::Null
        } else {
            json!(vals.join(","))
        };
        if !py_eq(&got, want) {
            f.fail(
                format!("upstream.headers.{name}"),
                want.clone(),
                got,
                rule4(),
            );
        }
    }
}

/// Removes all whitespace (Python's `re.sub(r"\s+", "", s)`).
fn strip_ws(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{1c}'..='\u{1f}'))
        .collect()
}

pub(super) fn check_response_headers(eff: &Value, pairs: &Value, f: &mut Fails) {
    let ignore_ws = eff
        .get("response_header_compare_ignores_whitespace")
        .is_some_and(truthy);
    let norm = |s: &str| {
        if ignore_ws {
            strip_ws(s)
        } else {
            s.to_string()
        }
    };
    let joined = |name: &str| {
        let vals = header_values(pairs, name);
        (!vals.is_empty()).then(|| vals.join(","))
    };
    let present = obj_or_empty(eff, "response_headers_present");
    for (name, want) in present.as_object().into_iter().flatten() {
        let got = joined(name);
        let ok = got
            .as_deref()
            .is_some_and(|g| Some(norm(g)) == want.as_str().map(norm));
        if !ok {
            f.fail(
                format!("response_headers_present.{name}"),
                want.clone(),
                json!(got),
                None,
            );
        }
    }
    let one_of = obj_or_empty(eff, "response_headers_one_of");
    for (name, options) in one_of.as_object().into_iter().flatten() {
        let got = joined(name);
        let opts: Vec<String> = options
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(norm)
            .collect();
        if !got.as_deref().is_some_and(|g| opts.contains(&norm(g))) {
            f.fail(
                format!("response_headers_one_of.{name}"),
                options.clone(),
                json!(got),
                None,
            );
        }
    }
    let absent = obj_or_list(eff, "response_headers_absent");
    for name in absent.as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if let Some(got) = joined(name) {
            f.fail(
                format!("response_headers_absent.{name}"),
                Value::Null,
                json!(got),
                None,
            );
        }
    }
}

pub(super) fn check_mirrors(eff: &Value, dec: &Value, f: &mut Fails) {
    let mirrors = obj_or_list(dec, "mirrors");
    let mut pct: Vec<(String, f64)> = Vec::new();
    for m in mirrors.as_array().into_iter().flatten() {
        let p = get(m, "percent").and_then(Value::as_f64).unwrap_or(100.0);
        let b = m.get("backend").and_then(Value::as_str).unwrap_or_default();
        match pct.iter_mut().find(|(n, _)| n == b) {
            Some((_, sum)) => *sum += p,
            None => pct.push((b.to_string(), p)),
        }
    }
    let pct_of = |b: &str| pct.iter().find(|(n, _)| n == b).map_or(0.0, |(_, p)| *p);
    for mb in obj_or_list(eff, "mirrored_to")
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = mb.as_str().unwrap_or_default();
        if pct_of(name) <= 0.0 {
            let mut got: Vec<String> = pct
                .iter()
                .filter(|(_, p)| *p > 0.0)
                .map(|(b, _)| b.clone())
                .collect();
            got.sort();
            f.fail("mirrored_to", mb.clone(), strs(got), None);
        }
    }
    let percents = obj_or_empty(eff, "mirror_percent");
    for (mb, want) in percents.as_object().into_iter().flatten() {
        let got = pct_of(mb);
        if (got - want.as_f64().unwrap_or(0.0)).abs() > 1.0 {
            let note = "percent within +/-1";
            f.fail(
                "mirror_percent",
                json!({ mb: want }),
                json!({ mb: got }),
                Some(note.into()),
            );
        }
    }
}
