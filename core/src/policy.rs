//! Policies the engine exposes to the proxy without enforcing them (SPEC §8): timeouts, retry,
//! session persistence. Durations follow GEP-2257.

use crate::model::{HttpRouteRetry, HttpRouteTimeouts, SessionPersistence};
use std::time::Duration;

/// Parses a Gateway API duration (GEP-2257): one to four `<1–5 digits><h|m|s|ms>` components,
/// summed. `0` alone is invalid, `0s` is valid.
/// `1h30m` is 90 minutes, `500ms` half a second (tested in `tests::durations`).
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let b = s.as_bytes();
    let (mut i, mut total, mut parts) = (0usize, Duration::ZERO, 0);
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || digits > 5 {
            return None;
        }
        let n: u64 = s[start..i].parse().ok()?;
        let unit = if s[i..].starts_with("ms") {
            i += 2;
            Duration::from_millis(n)
        } else {
            let d = match b.get(i)? {
                b'h' => Duration::from_secs(n * 3600),
                b'm' => Duration::from_secs(n * 60),
                b's' => Duration::from_secs(n),
                _ => return None,
            };
            i += 1;
            d
        };
        total += unit;
        parts += 1;
        if parts > 4 {
            return None;
        }
    }
    (parts > 0).then_some(total)
}

/// A configured duration: the text as written and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfiguredDuration {
    /// As written, e.g. `1m30s`.
    pub text: Box<str>,
    /// Parsed value (`0s` means disabled / no limit).
    pub value: Duration,
}

impl ConfiguredDuration {
    fn parse(text: &Option<String>) -> Option<Self> {
        let t = text.as_deref()?;
        Some(ConfiguredDuration {
            text: t.into(),
            value: parse_duration(t)?,
        })
    }
}

/// `timeouts` of an HTTPRoute rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Timeouts {
    /// Whole-transaction deadline.
    pub request: Option<ConfiguredDuration>,
    /// One gateway→backend attempt.
    pub backend_request: Option<ConfiguredDuration>,
}

/// `retry` of an HTTPRoute rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Retry {
    /// Retries after the first try (absent: implementation default, reported as `None`).
    pub attempts: Option<u32>,
    /// Retryable statuses (500, 502, 503, 504 must be retryable when listed or defaulted).
    pub codes: Box<[u16]>,
    /// Minimum wait between tries.
    pub backoff: Option<ConfiguredDuration>,
}

/// Session persistence, both the current and the v1.6.1 field shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionPolicy {
    /// `Cookie` (default) or `Header`.
    pub kind: Box<str>,
    /// Cookie or header name (`None`: generate one).
    pub name: Option<Box<str>>,
    /// Absolute timeout.
    pub absolute_timeout: Option<ConfiguredDuration>,
    /// Idle timeout.
    pub idle_timeout: Option<ConfiguredDuration>,
    /// `Permanent` cookies carry Expires/Max-Age; `Session` (default) do not.
    pub permanent: bool,
}

/// Everything a rule asks of the proxy besides routing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Policies {
    /// Timeouts, if configured.
    pub timeouts: Option<Timeouts>,
    /// Retry, if configured.
    pub retry: Option<Retry>,
    /// Session persistence, if configured.
    pub session: Option<SessionPolicy>,
}

impl Policies {
    /// No policy configured.
    pub const EMPTY: Policies = Policies {
        timeouts: None,
        retry: None,
        session: None,
    };

    pub(crate) fn new(
        t: Option<&HttpRouteTimeouts>,
        r: Option<&HttpRouteRetry>,
        s: Option<&SessionPersistence>,
    ) -> Self {
        Policies {
            timeouts: t.map(|t| Timeouts {
                request: ConfiguredDuration::parse(&t.request),
                backend_request: ConfiguredDuration::parse(&t.backend_request),
            }),
            retry: r.map(|r| Retry {
                attempts: r.attempts.and_then(|a| u32::try_from(a).ok()),
                codes: r
                    .codes
                    .iter()
                    .filter_map(|&c| u16::try_from(c).ok())
                    .collect(),
                backoff: ConfiguredDuration::parse(&r.backoff),
            }),
            session: s.map(|s| {
                let str_field = |v: &Option<serde_json::Value>, k: &str| {
                    v.as_ref()
                        .and_then(|v| v.get(k))
                        .and_then(|v| v.as_str())
                        .map(Into::into)
                };
                let name = str_field(&s.cookie, "name")
                    .or_else(|| str_field(&s.header, "name"))
                    .or_else(|| s.session_name.as_deref().map(Into::into));
                let lifetime: Option<Box<str>> = str_field(&s.cookie, "lifetimeType")
                    .or_else(|| str_field(&s.cookie_config, "lifetimeType"));
                SessionPolicy {
                    kind: s.kind.as_deref().unwrap_or("Cookie").into(),
                    name,
                    absolute_timeout: ConfiguredDuration::parse(&s.absolute_timeout),
                    idle_timeout: ConfiguredDuration::parse(&s.idle_timeout),
                    permanent: lifetime.as_deref() == Some("Permanent"),
                }
            }),
        }
    }

    /// Whether nothing is configured.
    pub fn is_empty(&self) -> bool {
        self.timeouts.is_none() && self.retry.is_none() && self.session.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GEP-2257: components sum, `ms` before `m`, units may repeat, at most four parts.
    #[test]
    fn durations() {
        let ms = |v| Some(Duration::from_millis(v));
        assert_eq!(parse_duration("0s"), ms(0));
        assert_eq!(parse_duration("1h"), ms(3_600_000));
        assert_eq!(parse_duration("2m30s"), ms(150_000));
        assert_eq!(parse_duration("1m1ms"), ms(60_001));
        assert_eq!(parse_duration("1s1s"), ms(2000));
        assert_eq!(parse_duration("99999ms"), ms(99_999));
        assert_eq!(parse_duration("1h1m1s1ms"), ms(3_661_001));
        for bad in [
            "",
            "0",
            "1",
            "1d",
            "-1s",
            "1.5s",
            "100000s",
            "1h1m1s1ms1h",
            "1us",
            "s",
            "1 s",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
