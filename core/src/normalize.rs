//! Opt-in request-path normalization for embedders (the Gateway API leaves it to them).
//!
//! The [`Router`](crate::Router) matches the **raw** path bytes: `/admin`, `/%61dmin`,
//! `/public/../admin` and `/admin//x` are four different paths to it. A backend, however,
//! usually decodes and resolves the path before it acts on it, so a request that the router
//! sends to a permissive route (`/public`) may reach a protected resource (`/admin`) on the
//! backend. Normalize the path **once**, before routing, and forward the normalized path, so
//! that the router and the backend see the same thing.
//!
//! [`NormalizeOptions::normalize_path`] applies, in one pass and without allocating (when
//! `out` already has `path.len()` bytes of capacity):
//!
//! 1. percent-encoding normalization (RFC 3986 §6.2.2.1–2): escapes of unreserved characters
//!    (`A-Z a-z 0-9 - . _ ~`) are decoded when [`NormalizeOptions::decode_unreserved`] is
//!    set; every other escape keeps its encoding with uppercase hex digits (`%2f` → `%2F`);
//!    a `%` not followed by two hex digits is an error;
//! 2. the [`SlashPolicy`] for an encoded slash `%2F` and for backslashes (`\` and `%5C`),
//!    which some servers treat as path separators: reject the request or keep the bytes;
//! 3. merging of repeated slashes (`/a//b` → `/a/b`) when
//!    [`NormalizeOptions::merge_slashes`] is set;
//! 4. dot-segment removal (RFC 3986 §5.2.4): `.` and `..` segments are resolved and `..`
//!    never climbs above the root. A segment that *decodes* to `.` or `..` (`%2e`, `.%2E`, …)
//!    is a dot segment whatever `decode_unreserved` says, since a backend would decode it.
//!
//! The result always starts with `/`, is never longer than the input, and normalizing it
//! again changes nothing (idempotence is fuzzed by the `host_path` target).
//!
//! # Recommended setting for proxies
//!
//! [`NormalizeOptions::default()`] is the recommended setting for a proxy in front of
//! backends it does not control (Envoy's `normalize_path` + `merge_slashes` +
//! `path_with_escaped_slashes_action: REJECT_REQUEST`):
//!
//! | option | default | why |
//! |---|---|---|
//! | `merge_slashes` | `true` | `/admin//x` must not dodge an `/admin` rule |
//! | `decode_unreserved` | `true` | `/%61dmin` is `/admin` to every backend |
//! | `encoded_slash` | [`SlashPolicy::Reject`] | backends disagree on whether `%2F` separates segments |
//! | `backslash` | [`SlashPolicy::Reject`] | some servers (IIS, some frameworks) treat `\` as `/` |
//!
//! Answer `400 Bad Request` when [`NormalizeOptions::normalize_path`] fails, route the
//! normalized path, and forward the normalized path to the backend (not the original one). Use
//! [`SlashPolicy::Keep`] only when every backend treats `%2F` and `\` as ordinary bytes (for
//! example object stores whose keys contain slashes).
//!
//! What this helper does **not** do: decode reserved characters or non-ASCII bytes, touch the
//! query string, strip `;` path parameters (`/admin;x=1` stays one segment; Tomcat-style
//! backends strip them), or fold case. See `SECURITY.md` in the repository.
//!
//! ```
//! use trieway::normalize::NormalizeOptions;
//!
//! let mut out = String::with_capacity(64);
//! let opts = NormalizeOptions::default();
//! opts.normalize_path("/public/../%61dmin//x/./", &mut out).unwrap();
//! assert_eq!(out, "/admin/x/");
//! assert!(opts.normalize_path("/public/..%2Fadmin", &mut out).is_err());
//! ```

use std::fmt;

/// What to do with an encoded slash (`%2F`) or with a backslash (`\`, `%5C`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SlashPolicy {
    /// Fail with [`NormalizeError`] (answer 400). The recommended setting.
    #[default]
    Reject,
    /// Keep the bytes as they are (escapes with uppercase hex): they do not separate
    /// segments.
    Keep,
}

/// Options of [`NormalizeOptions::normalize_path`], which applies them. `Default` is the
/// recommended proxy setting (see the [module documentation](self)).
///
/// ```
/// use trieway::normalize::{NormalizeOptions, SlashPolicy};
/// let opts = NormalizeOptions { encoded_slash: SlashPolicy::Keep, ..Default::default() };
/// assert!(opts.merge_slashes && opts.decode_unreserved);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// Merge runs of `/` into one (`/a//b` → `/a/b`). Default `true`.
    pub merge_slashes: bool,
    /// Decode escapes of unreserved characters (`%61` → `a`, `%7E` → `~`). Default `true`.
    pub decode_unreserved: bool,
    /// Policy for `%2F`. Default [`SlashPolicy::Reject`].
    pub encoded_slash: SlashPolicy,
    /// Policy for `\` and `%5C`. Default [`SlashPolicy::Reject`].
    pub backslash: SlashPolicy,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            merge_slashes: true,
            decode_unreserved: true,
            encoded_slash: SlashPolicy::Reject,
            backslash: SlashPolicy::Reject,
        }
    }
}

impl NormalizeOptions {
    /// The host as the router compares it: the authority without its port (a
    /// bracketed IPv6 literal is kept whole), ASCII-lowercased, without one trailing dot. Written
    /// into `buf` when it has to be lowercased (else borrowed from `authority`).
    ///
    /// `None` when `authority` is not a valid `host[:port]`: a hostname of 1–253 bytes (one
    /// trailing dot allowed) of dot-separated labels of 1–63 ASCII letters, digits, `-` or `_`, or
    /// a bracketed IPv6 literal, then optionally `:` and at most five digits. The router treats
    /// such a request as having no host (only listeners without hostname and routes without
    /// hostnames match it); an embedder that prefers to answer 400 tests this first.
    ///
    /// Useful to log or key caches by the same host the router used.
    ///
    /// ```
    /// use trieway::normalize::NormalizeOptions;
    /// let mut buf = [0u8; 256];
    /// assert_eq!(NormalizeOptions::normalize_host("Shop.Example.COM.:8443", &mut buf), Some("shop.example.com"));
    /// assert_eq!(NormalizeOptions::normalize_host("evil.com/.example.com", &mut buf), None);
    /// assert_eq!(NormalizeOptions::normalize_host("a.example\r\nX: 1", &mut buf), None);
    /// assert_eq!(NormalizeOptions::normalize_host(":80", &mut buf), None);
    /// ```
    pub fn normalize_host<'a>(authority: &'a str, buf: &'a mut [u8; 256]) -> Option<&'a str> {
        crate::request::normalize_host(authority, buf)
    }

    /// Normalizes `path` (the request-target up to `?`, as [`RequestView::path`] returns it) into
    /// `out`, replacing its contents. See the [module documentation](self) for the steps.
    ///
    /// `out` never grows beyond `path.len()` bytes, so a buffer created with
    /// `String::with_capacity(max_path_len)` and reused for every request makes this
    /// allocation-free. On error the contents of `out` are unspecified.
    ///
    /// [`RequestView::path`]: crate::RequestView::path
    ///
    /// ```
    /// use trieway::normalize::{NormalizeError, NormalizeOptions, SlashPolicy};
    ///
    /// let mut out = String::new();
    /// let opts = NormalizeOptions::default();
    /// let keep = NormalizeOptions { encoded_slash: SlashPolicy::Keep, ..opts };
    /// keep.normalize_path("/a/%7e%2f/../b", &mut out).unwrap();
    /// assert_eq!(out, "/a/b");
    /// assert_eq!(opts.normalize_path("/a%zz", &mut out), Err(NormalizeError::InvalidEscape { at: 2 }));
    /// ```
    pub fn normalize_path(&self, path: &str, out: &mut String) -> Result<(), NormalizeError> {
        let opts = self;
        out.clear();
        let Some(rest) = path.strip_prefix('/') else {
            return Err(NormalizeError::NotAbsolute);
        };
        // Byte offset (in `path`) of the current segment's first byte.
        let mut offset = 1;
        let mut segments = rest.split('/').peekable();
        while let Some(seg) = segments.next() {
            let last = segments.peek().is_none();
            let start = out.len();
            out.push('/');
            copy_segment(seg, offset, opts, out)?;
            offset += seg.len() + 1;
            debug_assert!(offset <= path.len() + 1);
            resolve_segment(out, start, last, opts);
        }
        Ok(())
    }
}

/// Why [`NormalizeOptions::normalize_path`] refused a path. `at` is a byte offset into the
/// input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NormalizeError {
    /// The path does not start with `/` (empty, `*`, or a relative reference).
    NotAbsolute,
    /// A `%` not followed by two hexadecimal digits.
    InvalidEscape {
        /// Offset of the `%`.
        at: usize,
    },
    /// `%2F` under [`SlashPolicy::Reject`].
    EncodedSlash {
        /// Offset of the `%`.
        at: usize,
    },
    /// `\` or `%5C` under [`SlashPolicy::Reject`].
    Backslash {
        /// Offset of the `\` or `%`.
        at: usize,
    },
}

impl fmt::Display for NormalizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NormalizeError::NotAbsolute => write!(f, "path does not start with '/'"),
            NormalizeError::InvalidEscape { at } => {
                write!(f, "invalid percent-encoding at byte {at}")
            }
            NormalizeError::EncodedSlash { at } => {
                write!(f, "encoded slash (%2F) at byte {at} is not allowed")
            }
            NormalizeError::Backslash { at } => {
                write!(f, "backslash at byte {at} is not allowed")
            }
        }
    }
}

impl std::error::Error for NormalizeError {}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Whether a normalized segment is `.` (1) or `..` (2) once `%2E` is read as `.`; else 0.
fn dots(seg: &str) -> usize {
    let b = seg.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        if b[i] == b'.' {
            i += 1;
        } else if b[i] == b'%' && b.get(i + 1) == Some(&b'2') && b.get(i + 2) == Some(&b'E') {
            // Escapes are already uppercased when this runs.
            i += 3;
        } else {
            return 0;
        }
        n += 1;
        if n > 2 {
            return 0;
        }
    }
    n
}

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends segment `seg` (which starts at byte `offset` of the path) to `out`, rewriting
/// escapes (step 1) and applying the [`SlashPolicy`]s (step 2). Runs between special bytes are
/// copied whole (they start and end at ASCII bytes, so at char boundaries).
fn copy_segment(
    seg: &str,
    offset: usize,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    let sb = seg.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < sb.len() {
        match sb[i] {
            b'%' => {
                out.push_str(&seg[run..i]);
                push_escape(sb, i, offset + i, opts, out)?;
                i += 3;
                run = i;
            }
            b'\\' if opts.backslash == SlashPolicy::Reject => {
                return Err(NormalizeError::Backslash { at: offset + i });
            }
            _ => i += 1,
        }
    }
    out.push_str(&seg[run..]);
    Ok(())
}

/// Appends the escape at `sb[i..i + 3]` (byte `at` of the path) to `out`: decoded when it is an
/// unreserved character and `decode_unreserved` is set, else with uppercase hex digits.
fn push_escape(
    sb: &[u8],
    i: usize,
    at: usize,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    let (Some(h), Some(l)) = (
        sb.get(i + 1).copied().and_then(hex),
        sb.get(i + 2).copied().and_then(hex),
    ) else {
        return Err(NormalizeError::InvalidEscape { at });
    };
    let b = h << 4 | l;
    if b == b'/' && opts.encoded_slash == SlashPolicy::Reject {
        return Err(NormalizeError::EncodedSlash { at });
    }
    if b == b'\\' && opts.backslash == SlashPolicy::Reject {
        return Err(NormalizeError::Backslash { at });
    }
    if opts.decode_unreserved && is_unreserved(b) {
        out.push(char::from(b));
    } else {
        out.push('%');
        out.push(char::from(UPPER_HEX[usize::from(h)]));
        out.push(char::from(UPPER_HEX[usize::from(l)]));
    }
    Ok(())
}

/// Resolves the segment just appended at `out[start..]` (a `/` and its bytes): a `.` segment
/// is dropped, a `..` segment drops the previous one too (never above the root), and an empty
/// segment in the middle is a repeated slash, merged when `merge_slashes` is set (steps 3 and
/// 4). A dot segment at the end leaves the trailing `/`.
fn resolve_segment(out: &mut String, start: usize, last: bool, opts: &NormalizeOptions) {
    match dots(&out[start + 1..]) {
        1 => {
            out.truncate(start);
            if last {
                out.push('/');
            }
        }
        2 => {
            out.truncate(start);
            // Drop the previous segment (never above the root).
            let prev = out.rfind('/').unwrap_or(0);
            out.truncate(prev);
            if last {
                out.push('/');
            }
        }
        _ if start + 1 == out.len() && opts.merge_slashes && !last => {
            // An empty segment in the middle: a repeated slash.
            out.truncate(start);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(p: &str) -> Result<String, NormalizeError> {
        let mut out = String::new();
        NormalizeOptions::default()
            .normalize_path(p, &mut out)
            .map(|()| out)
    }

    #[test]
    fn rfc3986_dot_segments() {
        // RFC 3986 §5.2.4 examples and friends.
        for (input, want) in [
            ("/a/b/c/./../../g", "/a/g"),
            ("/mid/content=5/../6", "/mid/6"),
            ("/", "/"),
            ("/.", "/"),
            ("/..", "/"),
            ("/../../a", "/a"),
            ("/a/.", "/a/"),
            ("/a/..", "/"),
            ("/a/b/..", "/a/"),
            ("/a/./b", "/a/b"),
            ("/a/.../b", "/a/.../b"),
            ("/a/..b/c", "/a/..b/c"),
            ("/a/%2e%2E/b", "/b"),
            ("/a/.%2e", "/"),
        ] {
            assert_eq!(norm(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn slashes_and_escapes() {
        assert_eq!(norm("//a//b//").as_deref(), Ok("/a/b/"));
        assert_eq!(norm("/%41%7e%2d").as_deref(), Ok("/A~-"));
        assert_eq!(norm("/%c3%a9").as_deref(), Ok("/%C3%A9"));
        assert_eq!(norm("/é").as_deref(), Ok("/é"));
        assert_eq!(norm(""), Err(NormalizeError::NotAbsolute));
        assert_eq!(norm("*"), Err(NormalizeError::NotAbsolute));
        assert_eq!(norm("/%"), Err(NormalizeError::InvalidEscape { at: 1 }));
        assert_eq!(norm("/a%4"), Err(NormalizeError::InvalidEscape { at: 2 }));
        assert_eq!(norm("/a%2f"), Err(NormalizeError::EncodedSlash { at: 2 }));
        assert_eq!(norm("/a\\b"), Err(NormalizeError::Backslash { at: 2 }));
        assert_eq!(norm("/a%5c"), Err(NormalizeError::Backslash { at: 2 }));
        let keep = NormalizeOptions {
            merge_slashes: false,
            decode_unreserved: false,
            encoded_slash: SlashPolicy::Keep,
            backslash: SlashPolicy::Keep,
        };
        let mut out = String::new();
        keep.normalize_path("/a//%2f\\%5c/%61/./%2E", &mut out)
            .unwrap();
        assert_eq!(out, "/a//%2F\\%5C/%61/");
    }
}
