//! Durations and the timeout/retry simulation (README "Timeout and retry simulation").

use std::collections::BTreeSet;

use serde_json::Value;

use super::{as_int, get, py_in, py_repr, truthy};

/// Seconds per duration unit.
fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit {
        "h" => 3600.0,
        "m" => 60.0,
        "s" => 1.0,
        "ms" => 1e-3,
        "us" | "\u{b5}s" => 1e-6,
        "ns" => 1e-9,
        _ => return None,
    })
}

/// Parses a duration string: one or more `<number><unit>` tokens, where the number is
/// `\d+(\.\d+)?` and the unit one of h, m, s, ms, us, µs, ns.
fn parse_duration_str(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total = 0.0;
    while i < s.len() {
        let start = i;
        while i < s.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        if i < s.len() && bytes[i] == b'.' {
            let frac = i + 1;
            let mut j = frac;
            while j < s.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j > frac {
                i = j;
            }
        }
        let number: f64 = s[start..i].parse().ok()?;
        let unit_start = i;
        while i < s.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        total += number * unit_seconds(&s[unit_start..i])?;
    }
    Some(total)
}

/// A Gateway API duration string (`"1h"`, `"2m30s"`, `"500ms"`, `"0s"`) in seconds.
///
/// The error text is `judge.py`'s: `not a Gateway API duration: '<value>'`.
pub fn parse_duration(value: &Value) -> Result<f64, String> {
    value
        .as_str()
        .and_then(parse_duration_str)
        .ok_or_else(|| format!("not a Gateway API duration: {}", py_repr(value)))
}

/// A configured timeout in nanoseconds; absent or `"0s"` (disabled) is `None` (no limit).
fn timeout_ns(value: Option<&Value>) -> Result<Option<i64>, String> {
    match value {
        None => Ok(None),
        Some(v) => {
            let secs = parse_duration(v)?;
            Ok((secs != 0.0).then(|| ns(secs)))
        }
    }
}

/// Seconds to integer nanoseconds (Python's `round`, ties to even).
fn ns(seconds: f64) -> i64 {
    (seconds * 1e9).round_ties_even() as i64
}

/// Python's `int(value)` for the simulation parameters.
fn py_int(value: &Value) -> Result<i64, String> {
    match value {
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => n
                .as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
                .ok_or_else(|| format!("cannot convert {n} to integer")),
        },
        Value::String(s) => s
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| format!("invalid literal for int() with base 10: {}", py_repr(value))),
        Value::Null => Err(
            "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"
                .into(),
        ),
        Value::Array(_) => Err(
            "int() argument must be a string, a bytes-like object or a real number, not 'list'"
                .into(),
        ),
        Value::Object(_) => Err(
            "int() argument must be a string, a bytes-like object or a real number, not 'dict'"
                .into(),
        ),
    }
}

/// Python's `f"{x:g}"`.
pub(crate) fn fmt_g(x: f64) -> String {
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", strip(mantissa), sign, exp.abs())
    } else {
        let decimals = usize::try_from(5 - exp).unwrap_or(0);
        strip(&format!("{x:.decimals$}"))
    }
}

/// How one attempt ends.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Ok,
    Reset,
    BackendTimeout,
    Status(i64),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Ok => f.write_str("ok"),
            Outcome::Reset => f.write_str("reset"),
            Outcome::BackendTimeout => f.write_str("backend-timeout"),
            Outcome::Status(s) => write!(f, "{s}"),
        }
    }
}

/// Plays out the echo backend described by a request's `simulated_backend` under the
/// decision's `timeouts` and `retry` (`simulate_backend` of `judge.py`).
///
/// `expected_statuses` are the statuses the case accepts (they decide whether a connection
/// reset shows as 503 or 502). Returns the status the client gets and a trace of the attempts,
/// or an error text when the decision or simulation parameters cannot be simulated.
pub fn simulate_backend(
    sim: &Value,
    dec: &Value,
    expected_statuses: &[Value],
) -> Result<(i64, String), String> {
    let fmt = |t: i64| format!("{}s", fmt_g(t as f64 / 1e9));
    let empty = Value::Object(Default::default());
    let to = match dec.get("timeouts") {
        Some(v) if truthy(v) => v,
        _ => &empty,
    };
    let request_to = timeout_ns(get(to, "request"))?;
    let backend_to = timeout_ns(get(to, "backend_request"))?;
    let retry = get(dec, "retry");
    let (attempts, codes, backoff) = match retry {
        Some(r) => {
            let attempts = match r.get("attempts") {
                Some(a) if truthy(a) => py_int(a)?,
                _ => 0,
            };
            let codes: BTreeSet<i64> = r
                .get("codes")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default();
            let backoff = match get(r, "backoff") {
                Some(b) => ns(parse_duration(b)?),
                None => 0,
            };
            (attempts, codes, backoff)
        }
        None => (0, BTreeSet::new(), 0),
    };

    let fails = match sim.get("fail_first_attempts") {
        Some(v) if truthy(v) => py_int(v)?,
        _ => 0,
    };
    let failure = match get(sim, "failure_status") {
        Some(v) => Outcome::Status(py_int(v)?),
        None => Outcome::Reset,
    };
    let delay_of = |key: &str| -> Result<i64, String> {
        match sim.get(key) {
            Some(v) if truthy(v) => Ok(ns(parse_duration(v)?)),
            _ => Ok(0),
        }
    };
    let fail_delay = delay_of("failure_delay")?;
    let ok_delay = delay_of("response_delay")?;
    let ok_status = as_int(dec.get("status")).unwrap_or(200);
    let reset_status = if py_in(&Value::from(503), expected_statuses)
        || !py_in(&Value::from(502), expected_statuses)
    {
        503
    } else {
        502
    };

    let past = |t: i64, limit: Option<i64>| limit.is_some_and(|l| t >= l);
    let mut t: i64 = 0;
    let mut trace: Vec<String> = Vec::new();
    let mut i: i64 = 0;
    loop {
        let failing = i < fails;
        let delay = if failing { fail_delay } else { ok_delay };
        let (end, outcome) = match backend_to {
            Some(b) if delay >= b => (t + b, Outcome::BackendTimeout),
            _ => (t + delay, if failing { failure } else { Outcome::Ok }),
        };
        if past(end, request_to) {
            let r = request_to.unwrap_or_default();
            trace.push(format!("try {}: request timeout at {}", i + 1, fmt(r)));
            return Ok((504, trace.join("; ")));
        }
        t = end;
        trace.push(format!("try {}: {} at {}", i + 1, outcome, fmt(t)));
        if outcome == Outcome::Ok {
            return Ok((ok_status, trace.join("; ")));
        }
        let retryable = retry.is_some()
            && match outcome {
                Outcome::Reset | Outcome::BackendTimeout => true,
                Outcome::Status(s) => codes.contains(&s),
                Outcome::Ok => false,
            };
        if retryable && i < attempts {
            t += backoff;
            if past(t, request_to) {
                let r = request_to.unwrap_or_default();
                trace.push(format!("request timeout during backoff at {}", fmt(r)));
                return Ok((504, trace.join("; ")));
            }
            i += 1;
            continue;
        }
        let status = match outcome {
            Outcome::BackendTimeout => 504,
            Outcome::Reset => reset_status,
            Outcome::Status(s) => s,
            Outcome::Ok => ok_status,
        };
        return Ok((status, trace.join("; ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations() {
        assert_eq!(parse_duration(&json!("1h")), Ok(3600.0));
        assert_eq!(parse_duration(&json!("2m30s")), Ok(150.0));
        assert_eq!(parse_duration(&json!("500ms")), Ok(0.5));
        assert_eq!(parse_duration(&json!("1.5s")), Ok(1.5));
        assert_eq!(parse_duration(&json!("0s")), Ok(0.0));
        assert!(parse_duration(&json!("10")).is_err());
        assert!(parse_duration(&json!("1x")).is_err());
        assert!(parse_duration(&json!("1.s")).is_err());
        assert!(parse_duration(&json!("")).is_err());
        assert_eq!(
            parse_duration(&json!(5)),
            Err("not a Gateway API duration: 5".into())
        );
        assert_eq!(
            parse_duration(&json!("soon")),
            Err("not a Gateway API duration: 'soon'".into())
        );
    }

    #[test]
    fn g_format() {
        assert_eq!(fmt_g(0.0), "0");
        assert_eq!(fmt_g(0.3), "0.3");
        assert_eq!(fmt_g(1.0), "1");
        assert_eq!(fmt_g(0.0001), "0.0001");
        assert_eq!(fmt_g(0.00001), "1e-05");
        assert_eq!(fmt_g(1234567.0), "1.23457e+06");
        assert_eq!(fmt_g(123456.0), "123456");
    }

    fn sim(s: Value, d: Value, expected: Value) -> i64 {
        let exp = expected
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![expected]);
        simulate_backend(&s, &d, &exp).unwrap().0
    }

    #[test]
    fn readme_examples() {
        let retry3 = json!({"status": 200, "retry": {"codes": [500], "attempts": 3}});
        assert_eq!(
            sim(
                json!({"fail_first_attempts": 2, "failure_status": 500}),
                retry3.clone(),
                json!(200)
            ),
            200
        );
        assert_eq!(
            sim(
                json!({"fail_first_attempts": 4, "failure_status": 500}),
                retry3.clone(),
                json!(500)
            ),
            500
        );
        assert_eq!(
            sim(
                json!({"fail_first_attempts": 2, "failure_status": 503}),
                retry3,
                json!(503)
            ),
            503
        );
        let reset = json!({"status": 200, "retry": {"attempts": 3}});
        assert_eq!(
            sim(
                json!({"fail_first_attempts": 4, "failure": "connection-reset"}),
                reset.clone(),
                json!([500, 503])
            ),
            503
        );
        assert_eq!(
            sim(json!({"fail_first_attempts": 4}), reset, json!([500, 502])),
            502
        );
        let bt = json!({"status": 200, "retry": {"attempts": 2}, "timeouts": {"backend_request": "200ms"}});
        assert_eq!(
            sim(
                json!({"fail_first_attempts": 2, "failure_status": 500, "failure_delay": "300ms"}),
                bt,
                json!(200)
            ),
            200
        );
        let rt = json!({"status": 200, "retry": {"codes": [500], "attempts": 5},
                        "timeouts": {"backend_request": "200ms", "request": "400ms"}});
        assert_eq!(
            sim(
                json!({"fail_first_attempts": 4, "failure_status": 500, "failure_delay": "100ms"}),
                rt,
                json!([504, 408])
            ),
            504
        );
        let b500 = json!({"status": 200, "timeouts": {"backend_request": "500ms"}});
        assert_eq!(
            sim(json!({"response_delay": "1s"}), b500, json!([504, 408])),
            504
        );
        let b0 = json!({"status": 200, "timeouts": {"backend_request": "0s"}});
        assert_eq!(sim(json!({"response_delay": "1s"}), b0, json!(200)), 200);
    }

    #[test]
    fn deadline_is_exclusive_and_trace_is_readable() {
        let d = json!({"status": 200, "timeouts": {"request": "1s"}});
        let (status, trace) =
            simulate_backend(&json!({"response_delay": "1s"}), &d, &[json!(200)]).unwrap();
        assert_eq!(status, 504);
        assert_eq!(trace, "try 1: request timeout at 1s");
        let d = json!({"status": 200, "retry": {"attempts": 1, "codes": [500], "backoff": "1s"}, "timeouts": {"request": "1s"}});
        let s = json!({"fail_first_attempts": 1, "failure_status": 500, "failure_delay": "300ms"});
        let (status, trace) = simulate_backend(&s, &d, &[json!(200)]).unwrap();
        assert_eq!(status, 504);
        assert_eq!(
            trace,
            "try 1: 500 at 0.3s; request timeout during backoff at 1s"
        );
    }
}
