//! Session persistence (HTTPRoute `sessionPersistence`, `Policies::session_*`): a client
//! that carries the session cookie (or header) of a backend keeps going to that backend; a
//! request without one is drawn by weight as usual and the answer carries the session.
//!
//! The session value names the backend (a hash of `namespace/name:port`), so sessions survive
//! reloads and proxy restarts, and a session whose backend left the rule (or has weight 0,
//! or is invalid) is drawn again and replaced. To send a request to a given backend the proxy
//! hands `RouteMatch::apply` the draw that lands on it (`draw_for`) and checks the result, so
//! that the backend's filters apply exactly as for a random draw. Not enforced:
//! `idleTimeout` (it needs per-session state); `absoluteTimeout` is the cookie's `Max-Age`
//! when the cookie is `Permanent`.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use trieway::{Backend, Policies, RouteMatch};

/// Where the session travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// A cookie (`Set-Cookie` on the answer, `Cookie` on the next requests).
    Cookie,
    /// A header, the same name both ways.
    Header,
}

/// A rule's session persistence.
#[derive(Debug, Clone)]
pub struct Session<'r> {
    /// Cookie or header.
    pub carrier: Carrier,
    /// Its name.
    pub name: &'r str,
    /// `Max-Age` of a permanent cookie, in seconds.
    pub max_age: Option<u64>,
}

/// The name used when the rule names none.
pub const DEFAULT_NAME: &str = "trieway-session";

impl<'r> Session<'r> {
    /// The rule's session persistence, if any.
    pub fn of(p: &'r Policies) -> Option<Session<'r>> {
        let carrier = match p.session_kind()? {
            k if k.eq_ignore_ascii_case("header") => Carrier::Header,
            _ => Carrier::Cookie,
        };
        let max_age = p
            .session_permanent()
            .then(|| p.session_absolute_timeout().map(|(_, d)| d.as_secs()))
            .flatten();
        Some(Session {
            carrier,
            name: p.session_name().unwrap_or(DEFAULT_NAME),
            max_age,
        })
    }

    /// The session value the request carries, if any.
    pub fn requested<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        match self.carrier {
            Carrier::Header => headers.get(self.name)?.to_str().ok(),
            Carrier::Cookie => headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == self.name)
                .map(|(_, v)| v),
        }
    }

    /// Adds the session for backend `token` to an answer.
    pub fn set(&self, token: &str, headers: &mut HeaderMap) {
        match self.carrier {
            Carrier::Header => {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(self.name.as_bytes()),
                    HeaderValue::from_str(token),
                ) {
                    headers.insert(n, v);
                }
            }
            Carrier::Cookie => {
                let mut c = format!("{}={token}; Path=/; HttpOnly", self.name);
                if let Some(age) = self.max_age {
                    c.push_str(&format!("; Max-Age={age}"));
                }
                if let Ok(v) = HeaderValue::from_str(&c) {
                    headers.append(header::SET_COOKIE, v);
                }
            }
        }
    }
}

/// The session value of a backend: FNV-1a of `namespace/name:port`, in hex.
pub fn token(b: &Backend) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let port = b.port().map(|p| p.to_string()).unwrap_or_default();
    for part in [b.namespace(), "/", b.name(), ":", &port] {
        for byte in part.bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The backend of the rule that `token` names, if it can take traffic.
pub fn backend_index(m: &RouteMatch<'_>, token_value: &str) -> Option<usize> {
    m.backends()
        .iter()
        .position(|b| b.weight() > 0 && b.is_valid() && token(b) == token_value)
}

/// A draw for `RouteMatch::pick` / `apply` that lands on backend `index`: the draw maps
/// `random * total / 2^64` onto the cumulative weights, so the first draw of the backend's
/// share is `ceil(before * 2^64 / total)`. The caller checks the backend it got.
pub fn draw_for(m: &RouteMatch<'_>, index: usize) -> Option<u64> {
    let total = u128::from(m.total_weight());
    let before: u128 = m
        .backends()
        .iter()
        .take(index)
        .map(|b| u128::from(b.weight()))
        .sum();
    if total == 0 || before >= total {
        return None;
    }
    u64::try_from((before << 64).div_ceil(total)).ok()
}
