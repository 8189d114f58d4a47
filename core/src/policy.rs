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
pub(crate) struct ConfiguredDuration {
    /// As written, e.g. `1m30s`.
    text: Box<str>,
    /// Parsed value (`0s` means disabled / no limit).
    value: Duration,
}

impl ConfiguredDuration {
    /// `(text as written, value)`.
    fn pair(&self) -> (&str, Duration) {
        (&self.text, self.value)
    }

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
pub(crate) struct Timeouts {
    /// Whole-transaction deadline.
    request: Option<ConfiguredDuration>,
    /// One gateway→backend attempt.
    backend_request: Option<ConfiguredDuration>,
}

/// `retry` of an HTTPRoute rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Retry {
    /// Retries after the first try (absent: implementation default, reported as `None`).
    attempts: Option<u32>,
    /// Retryable statuses (500, 502, 503, 504 must be retryable when listed or defaulted).
    codes: Box<[u16]>,
    /// Minimum wait between tries.
    backoff: Option<ConfiguredDuration>,
}

/// Session persistence, both the current and the v1.6.1 field shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionPolicy {
    /// `Cookie` (default) or `Header`.
    kind: Box<str>,
    /// Cookie or header name (`None`: generate one).
    name: Option<Box<str>>,
    /// Absolute timeout.
    absolute_timeout: Option<ConfiguredDuration>,
    /// Idle timeout.
    idle_timeout: Option<ConfiguredDuration>,
    /// `Permanent` cookies carry Expires/Max-Age; `Session` (default) do not.
    permanent: bool,
}

/// Everything a rule asks of the proxy besides routing: timeouts, retry and session
/// persistence, which the engine reports and does not enforce. Durations are given as
/// `(text as written, value)`, e.g. `("1m30s", 90 s)`; a value of zero means no limit.
///
/// ```
/// use std::time::Duration;
/// use trieway::{Outcome, Request, RouteSet, Rule};
///
/// let router = RouteSet::new().any_host().route(Rule::prefix("/").to("web:80")).build()?;
/// let Outcome::Matched(m) = router.route(&Request::new("GET", "h", "/")) else { panic!() };
/// let p = m.policies();
/// assert!(p.is_empty() && !p.has_timeouts() && p.request_timeout().is_none());
/// # let _ = Duration::ZERO;
/// # Ok::<(), trieway::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policies {
    /// Timeouts, if configured.
    pub(crate) timeouts: Option<Timeouts>,
    /// Retry, if configured.
    pub(crate) retry: Option<Retry>,
    /// Session persistence, if configured.
    pub(crate) session: Option<SessionPolicy>,
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

    /// Whether the rule has a `timeouts` block (possibly with neither timeout set).
    pub fn has_timeouts(&self) -> bool {
        self.timeouts.is_some()
    }

    /// `timeouts.request`, the whole-transaction deadline.
    pub fn request_timeout(&self) -> Option<(&str, Duration)> {
        self.timeouts.as_ref()?.request.as_ref().map(|d| d.pair())
    }

    /// `timeouts.backendRequest`, the deadline of one gateway→backend attempt.
    pub fn backend_request_timeout(&self) -> Option<(&str, Duration)> {
        self.timeouts
            .as_ref()?
            .backend_request
            .as_ref()
            .map(|d| d.pair())
    }

    /// Whether the rule has a `retry` block.
    pub fn has_retry(&self) -> bool {
        self.retry.is_some()
    }

    /// `retry.attempts`: retries after the first try (`None`: absent, or no `retry` block).
    pub fn retry_attempts(&self) -> Option<u32> {
        self.retry.as_ref()?.attempts
    }

    /// `retry.codes`: the retryable statuses (empty without a `retry` block).
    pub fn retry_codes(&self) -> &[u16] {
        self.retry.as_ref().map_or(&[], |r| &r.codes)
    }

    /// `retry.backoff`: the minimum wait between tries.
    pub fn retry_backoff(&self) -> Option<(&str, Duration)> {
        self.retry.as_ref()?.backoff.as_ref().map(|d| d.pair())
    }

    /// Session persistence, if configured: its type, `Cookie` (default) or `Header`.
    pub fn session_kind(&self) -> Option<&str> {
        self.session.as_ref().map(|s| &*s.kind)
    }

    /// The session cookie or header name (`None`: generate one, or no session persistence).
    pub fn session_name(&self) -> Option<&str> {
        self.session.as_ref()?.name.as_deref()
    }

    /// The session's absolute timeout.
    pub fn session_absolute_timeout(&self) -> Option<(&str, Duration)> {
        self.session
            .as_ref()?
            .absolute_timeout
            .as_ref()
            .map(|d| d.pair())
    }

    /// The session's idle timeout.
    pub fn session_idle_timeout(&self) -> Option<(&str, Duration)> {
        self.session
            .as_ref()?
            .idle_timeout
            .as_ref()
            .map(|d| d.pair())
    }

    /// Whether session cookies are `Permanent` (carry Expires/Max-Age; default `Session`).
    pub fn session_permanent(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.permanent)
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
