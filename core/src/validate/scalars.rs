//! Validators for the scalar types of SPEC §1.1 (and the Kubernetes name formats the loader's
//! objects use). Each returns `Err(message)` with a message that reads well after a field
//! path: `spec.hostnames[0]: "Foo.com" is not a valid hostname: ...`.

use std::net::Ipv4Addr;
use std::time::Duration;

/// Result of a scalar check: `Err` holds the message.
pub(super) type Check = Result<(), String>;

/// Bytes one regular expression may need to compile into its DFA (each of: NFA,
/// determinization scratch, DFA); SPEC §11: oversized regexes are invalid.
pub(super) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Bytes the regular expressions of one route may touch together while validation builds them
/// (each: its NFA, its dense DFA and its scratch cap, 128 KiB). Building costs time in
/// proportion to the memory it touches, so this bounds the work of validating one route (128
/// matches × 16 header regexes would otherwise cost 2,048 builds near the limit): at most 128
/// builds, fewer when they are large.
pub(super) const ROUTE_REGEX_BUDGET: usize = 16 << 20;

/// Quotes a value for a message, shortening long ones.
pub(super) fn q(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let short: String = s.chars().take(MAX).collect();
        format!("{:?}... ({} bytes)", short, s.len())
    }
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, without a length limit.
fn is_lower_label(l: &str) -> bool {
    let b = l.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(&f), Some(&e)) => edge(f) && edge(e) && b.iter().all(|&c| edge(c) || c == b'-'),
        _ => false,
    }
}

/// Labels `[a-z0-9]([-a-z0-9]*[a-z0-9])?` joined by `.` (the Gateway API pattern: no per-label
/// length limit).
///
/// One pass over the bytes (issue #20, item 4: splitting into labels cost about 20
/// instructions per byte); `subdomain_by_labels` in the tests is the definition it equals.
fn is_lower_subdomain(s: &str) -> bool {
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if !edge(first) || !edge(last) {
        return false;
    }
    let mut prev = first;
    for &c in &b[1..] {
        let ok = match c {
            // A label ends here: it must end alphanumeric (and so is not empty).
            b'.' => edge(prev),
            // A label must not start with '-'.
            b'-' => prev != b'.',
            c => edge(c),
        };
        if !ok {
            return false;
        }
        prev = c;
    }
    true
}

/// A Kubernetes DNS-1123 subdomain: ≤253 characters, lowercase labels joined by `.`. Like the
/// API server's `IsDNS1123Subdomain` (and SPEC §1.1 for `metadata.name`) there is no
/// per-label length limit.
pub(super) fn dns_subdomain(s: &str) -> Check {
    length(s, 1, 253)?;
    if !is_lower_subdomain(s) {
        return Err(format!(
            "{} is not a lowercase RFC 1123 subdomain (labels of [a-z0-9-], starting and \
             ending alphanumeric, joined by '.')",
            q(s)
        ));
    }
    Ok(())
}

/// A Kubernetes DNS-1123 label (≤63).
pub(super) fn dns_label(s: &str) -> Check {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > 63 || !is_lower_label(s) {
        return Err(format!(
            "{} is not a lowercase RFC 1123 label (at most 63 characters of [a-z0-9-], \
             starting and ending alphanumeric)",
            q(s)
        ));
    }
    Ok(())
}

/// `Hostname` (SPEC §1.1): 1–253 characters, lowercase labels, optional leading `*.`, no IP
/// literal. With `wildcard == false` this is `PreciseHostname`.
pub(crate) fn hostname(s: &str, wildcard: bool) -> Check {
    length(s, 1, 253)?;
    let body = match s.strip_prefix("*.") {
        Some(rest) if wildcard => rest,
        Some(_) => return Err(format!("{}: a wildcard is not allowed here", q(s))),
        None => s,
    };
    if !is_lower_subdomain(body) {
        let shape = if wildcard {
            "lowercase RFC 1123 labels joined by '.', optionally after a leading '*.'"
        } else {
            "lowercase RFC 1123 labels joined by '.'"
        };
        return Err(format!("{} is not a valid hostname ({shape})", q(s)));
    }
    if s.parse::<Ipv4Addr>().is_ok() {
        return Err(format!("{}: an IP address is not a valid hostname", q(s)));
    }
    Ok(())
}

/// RFC 7230 token characters.
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// `HeaderName` (also query-parameter names): 1–256 RFC 7230 token characters.
pub(super) fn header_name(s: &str) -> Check {
    length(s, 1, 256)?;
    if !s.bytes().all(is_tchar) {
        return Err(format!(
            "{} is not a valid header name (RFC 7230 token characters only)",
            q(s)
        ));
    }
    Ok(())
}

/// Length of a string value between `min` and `max` bytes.
pub(super) fn length(s: &str, min: usize, max: usize) -> Check {
    if s.len() < min {
        if min == 1 {
            return Err("must not be empty".into());
        }
        return Err(format!("must be at least {min} characters"));
    }
    if s.len() > max {
        return Err(format!(
            "must be at most {max} characters (found {})",
            s.len()
        ));
    }
    Ok(())
}

/// The sequences a path value must not contain or end with, in the order they are reported.
fn path_sequences(s: &str) -> Check {
    for bad in ["//", "/./", "/../", "%2f", "%2F", "#"] {
        if s.contains(bad) {
            return Err(format!("must not contain '{bad}'"));
        }
    }
    for bad in ["/..", "/."] {
        if s.ends_with(bad) {
            return Err(format!("must not end with '{bad}'"));
        }
    }
    Ok(())
}

/// An `Exact` or `PathPrefix` path value (SPEC §1.1).
pub(crate) fn path_value(s: &str) -> Check {
    length(s, 1, 1024)?;
    if !s.starts_with('/') {
        return Err("must start with '/'".into());
    }
    // Every sequence refused below contains '#', '%' or a '/' followed by '/' or '.': one
    // scan finds whether any may be present, so the usual path skips eight substring
    // searches (issue #20, item 4). The checks themselves, and their order, are unchanged.
    let b = s.as_bytes();
    let suspect = b.iter().enumerate().any(|(i, &c)| {
        c == b'#' || c == b'%' || c == b'/' && matches!(b.get(i + 1), Some(b'/' | b'.'))
    });
    if suspect {
        path_sequences(s)?;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return Err(format!(
                    "'%' at byte {i} must be followed by two hexadecimal digits"
                ));
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&c)) {
            let ch = s[i..].chars().next().unwrap_or('?');
            return Err(format!(
                "invalid character {ch:?} at byte {i} (allowed: unreserved, sub-delims, ':', '@', \
                 '/' and %-escapes)"
            ));
        }
        i += 1;
    }
    Ok(())
}

/// `Group`: `""` or a lowercase DNS subdomain ≤253.
pub(super) fn group(s: &str) -> Check {
    if s.is_empty() {
        return Ok(());
    }
    length(s, 0, 253)?;
    if !is_lower_subdomain(s) {
        return Err(format!("{} is not a valid API group", q(s)));
    }
    Ok(())
}

/// `Kind`: 1–63, starts with a letter, `[-a-zA-Z0-9]`, ends alphanumeric.
pub(super) fn kind(s: &str) -> Check {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err("must not be empty".into());
    }
    let ok = b.len() <= 63
        && b[0].is_ascii_alphabetic()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-');
    if !ok {
        return Err(format!(
            "{} is not a valid kind (1-63 characters of [-a-zA-Z0-9], starting with a letter, \
             ending alphanumeric)",
            q(s)
        ));
    }
    Ok(())
}

/// `ObjectName`: 1–253 characters.
pub(super) fn object_name(s: &str) -> Check {
    length(s, 1, 253)
}

/// `Namespace`: an RFC 1123 label, 1–63.
pub(super) fn namespace(s: &str) -> Check {
    dns_label(s)
}

/// `SectionName`: a lowercase DNS subdomain, 1–253.
pub(super) fn section_name(s: &str) -> Check {
    length(s, 1, 253)?;
    if !is_lower_subdomain(s) {
        return Err(format!(
            "{} is not a valid section name (lowercase RFC 1123 labels joined by '.')",
            q(s)
        ));
    }
    Ok(())
}

/// `PortNumber`: 1–65535.
pub(super) fn port(n: i64) -> Check {
    if (1..=65535).contains(&n) {
        Ok(())
    } else {
        Err(format!("port {n} is out of range (1-65535)"))
    }
}

/// `Weight`: 0–1,000,000.
pub(super) fn weight(n: i64) -> Check {
    if (0..=1_000_000).contains(&n) {
        Ok(())
    } else {
        Err(format!("weight {n} is out of range (0-1000000)"))
    }
}

/// `GatewayController`: `domain/path`, ≤253.
pub(super) fn controller_name(s: &str) -> Check {
    if s.is_empty() {
        return Err("required field is missing".into());
    }
    length(s, 0, 253)?;
    let ok = match s.split_once('/') {
        Some((domain, path)) => {
            is_lower_subdomain(domain)
                && !path.is_empty()
                && path
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:".contains(&c))
        }
        None => false,
    };
    if !ok {
        return Err(format!(
            "{} is not a valid controller name (expected domain/path, e.g. \
             example.net/gateway-controller)",
            q(s)
        ));
    }
    Ok(())
}

/// A listener `protocol`: one of the known values, an alphanumeric token, or a domain-prefixed
/// custom value (`vendor.com/proto`); ≤255.
pub(super) fn protocol(s: &str) -> Check {
    if s.is_empty() {
        return Err("required field is missing".into());
    }
    let token = |t: &str| {
        let b = t.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
    };
    let ok = s.len() <= 255
        && match s.split_once('/') {
            None => token(s),
            Some((domain, p)) => {
                is_lower_subdomain(domain)
                    && !p.is_empty()
                    && p.bytes().all(|c| c.is_ascii_alphanumeric())
            }
        };
    if !ok {
        return Err(format!(
            "{} is not a valid protocol (HTTP, HTTPS, TLS, TCP, UDP or domain-prefixed like \
             example.com/proto)",
            q(s)
        ));
    }
    Ok(())
}

pub(crate) use crate::policy::parse_duration;

/// A GEP-2257 duration field.
pub(super) fn duration(s: &str) -> Result<Duration, String> {
    parse_duration(s).ok_or_else(|| {
        format!(
            "{} is not a valid duration (1-4 components of 1-5 digits and a unit h, m, s or ms, \
             e.g. 1h30m or 500ms)",
            q(s)
        )
    })
}

/// The HTTP methods an HTTPRoute match (and CORS `allowMethods`) may name.
pub(super) const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn subdomain_by_labels(s: &str) -> bool {
        s.split('.').all(is_lower_label)
    }

    /// The one-pass check equals the label-by-label definition on every string of up to 5
    /// characters over an alphabet with each kind of character.
    #[test]
    fn lower_subdomain_is_its_label_definition() {
        let alphabet = ["a", "0", "-", ".", "A", "_", "é"];
        let mut words = vec![String::new()];
        let mut all = words.clone();
        for _ in 0..5 {
            words = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            all.extend(words.iter().cloned());
        }
        let mut accepted = 0;
        for w in &all {
            assert_eq!(is_lower_subdomain(w), subdomain_by_labels(w), "{w:?}");
            accepted += usize::from(is_lower_subdomain(w));
        }
        assert!(accepted > 100, "{accepted}");
    }

    /// The one-scan shortcut of `path_value` (issue #20, item 4) keeps every message and the
    /// order in which the sequences are checked.
    #[test]
    fn path_values_report_the_first_refused_sequence() {
        for ok in [
            "/",
            "/a/b",
            "/a.b/.c/..d",
            "/%41b",
            "/a/b/",
            "/.well-known/x",
        ] {
            assert_eq!(path_value(ok), Ok(()), "{ok}");
        }
        for (bad, message) in [
            ("/a//b", "must not contain '//'"),
            ("/a/./b", "must not contain '/./'"),
            ("/a/../b", "must not contain '/../'"),
            ("/a%2fb", "must not contain '%2f'"),
            ("/a%2Fb", "must not contain '%2F'"),
            ("/a#b", "must not contain '#'"),
            ("/a#b//c", "must not contain '//'"),
            ("/a#/./", "must not contain '/./'"),
            ("/a/..", "must not end with '/..'"),
            ("/a/.", "must not end with '/.'"),
            (
                "/a%zz",
                "'%' at byte 2 must be followed by two hexadecimal digits",
            ),
            ("a/b", "must start with '/'"),
        ] {
            assert_eq!(path_value(bad), Err(message.to_string()), "{bad}");
        }
        assert!(path_value("/a b")
            .unwrap_err()
            .starts_with("invalid character ' ' at byte 2"));
    }

    #[test]
    fn hostnames() {
        for ok in [
            "example.com",
            "a",
            "*.example.com",
            "*.com",
            "a-b.c0",
            "0.example",
        ] {
            assert_eq!(hostname(ok, true), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "Example.com",
            "example.com.",
            "example.com:80",
            "*",
            "*.",
            "a.*.com",
            "-a.com",
            "a-.com",
            "a..b",
            "1.2.3.4",
            "::1",
            "[::1]",
            "a_b.com",
        ] {
            assert!(hostname(bad, true).is_err(), "{bad}");
        }
        assert!(hostname(&"a".repeat(254), true).is_err());
        assert!(hostname(&"a".repeat(253), true).is_ok());
        assert!(hostname("*.example.com", false).is_err());
        assert!(hostname("example.com", false).is_ok());
        assert!(hostname("1.2.3.4", false)
            .unwrap_err()
            .contains("IP address"));
    }

    #[test]
    fn header_names() {
        assert!(header_name("X-Foo_bar!~").is_ok());
        assert!(header_name(":authority").is_err());
        assert!(header_name("a b").is_err());
        assert!(header_name("").is_err());
        assert!(header_name(&"a".repeat(256)).is_ok());
        assert!(header_name(&"a".repeat(257)).is_err());
        assert!(header_name("é").is_err());
    }

    #[test]
    fn path_values() {
        for ok in [
            "/",
            "/foo",
            "/foo/",
            "/a%20b",
            "/a:b@c",
            "/~user/.x",
            "/a..b",
            "/.well-known",
        ] {
            assert_eq!(path_value(ok), Ok(()), "{ok}");
        }
        let cases = [
            ("", "must not be empty"),
            ("foo", "must start with '/'"),
            ("/a//b", "must not contain '//'"),
            ("/a/./b", "must not contain '/./'"),
            ("/a/../b", "must not contain '/../'"),
            ("/a%2fb", "must not contain '%2f'"),
            ("/a%2Fb", "must not contain '%2F'"),
            ("/a#b", "must not contain '#'"),
            ("/a/..", "must not end with '/..'"),
            ("/a/.", "must not end with '/.'"),
            (
                "/a%zz",
                "'%' at byte 2 must be followed by two hexadecimal digits",
            ),
            (
                "/a%2",
                "'%' at byte 2 must be followed by two hexadecimal digits",
            ),
        ];
        for (path, msg) in cases {
            assert_eq!(path_value(path), Err(msg.to_string()), "{path}");
        }
        assert!(path_value("/a b")
            .unwrap_err()
            .starts_with("invalid character ' '"));
        assert!(path_value("/é")
            .unwrap_err()
            .starts_with("invalid character 'é'"));
        assert!(path_value("/a?b").is_err());
        assert!(path_value(&format!("/{}", "a".repeat(1023))).is_ok());
        assert!(path_value(&format!("/{}", "a".repeat(1024))).is_err());
    }

    #[test]
    fn names() {
        assert!(group("").is_ok());
        assert!(group("gateway.networking.k8s.io").is_ok());
        assert!(group("Gateway.io").is_err());
        assert!(kind("HTTPRoute").is_ok());
        assert!(kind("a-B1").is_ok());
        assert!(kind("1abc").is_err());
        assert!(kind("abc-").is_err());
        assert!(kind(&"a".repeat(64)).is_err());
        assert!(object_name("Anything_goes").is_ok());
        assert!(object_name("").is_err());
        assert!(namespace("default").is_ok());
        assert!(namespace("a.b").is_err());
        assert!(namespace(&"a".repeat(64)).is_err());
        assert!(section_name("http.v1").is_ok());
        assert!(section_name("HTTP").is_err());
        // No per-label limit (issue #14): a 253-character name is one valid label.
        assert!(dns_subdomain(&format!("{}.b", "a".repeat(64))).is_ok());
        assert!(dns_subdomain(&"a".repeat(253)).is_ok());
        assert!(dns_subdomain(&"a".repeat(254)).is_err());
        assert!(dns_subdomain("a..b").is_err());
        assert!(dns_subdomain("a.b-c").is_ok());
    }

    #[test]
    fn numbers() {
        assert!(port(1).is_ok() && port(65535).is_ok());
        assert!(port(0).is_err() && port(65536).is_err() && port(-1).is_err());
        assert!(weight(0).is_ok() && weight(1_000_000).is_ok());
        assert!(weight(-1).is_err() && weight(1_000_001).is_err());
    }

    #[test]
    fn controllers_and_protocols() {
        assert!(controller_name("example.net/gateway-controller").is_ok());
        assert!(controller_name("example.net/a/b~c").is_ok());
        assert!(controller_name("example.net").is_err());
        assert!(controller_name("example.net/").is_err());
        assert!(controller_name("Example.net/x").is_err());
        assert!(controller_name("").is_err());
        for ok in [
            "HTTP",
            "HTTPS",
            "TLS",
            "TCP",
            "UDP",
            "HTTP3",
            "example.com/quic",
        ] {
            assert!(protocol(ok).is_ok(), "{ok}");
        }
        for bad in ["", "http/", "Example.com/x", "a_b", "example.com/a-b", "-x"] {
            assert!(protocol(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        let d = |s| parse_duration(s);
        assert_eq!(d("0s"), Some(Duration::ZERO));
        assert_eq!(d("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(d("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(d("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(d("1m1ms"), Some(Duration::from_millis(60_001)));
        assert_eq!(d("1s1s1s1s"), Some(Duration::from_secs(4)));
        assert_eq!(d("00010s"), Some(Duration::from_secs(10)));
        assert_eq!(d("99999h"), Some(Duration::from_secs(99_999 * 3600)));
        for bad in [
            "",
            "0",
            "1",
            "1s1s1s1s1s",
            "123456s",
            "1.5s",
            "-1s",
            "1d",
            "1us",
            "1µs",
            "s",
            "1H",
            " 1s",
            "1s ",
            "1ms1",
            "1hm",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
        assert!(duration("0").is_err());
    }

    #[test]
    fn quoting() {
        assert_eq!(q("a"), "\"a\"");
        assert!(q(&"x".repeat(100)).ends_with("... (100 bytes)"));
    }
}
