//! Host normalization and path handling.
//!
//! * `normalize_path` under all 16 option combinations against a slow, obviously-correct
//!   reference (escape rewriting, then slash merging, then RFC 3986 §5.2.4 `remove_dot_segments`
//!   run literally); plus: the output starts with `/`, is never longer than the input, is a
//!   fixed point, and no buffer growth happens when `out` has `path.len()` capacity.
//! * `normalize_host` against the SPEC §3.1 rules and host validity, and routing invariance: the same request
//!   with an upper-cased host, or with a port added, routes the same way.
//! * Raw and normalized paths are routed through the fixed configuration.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trieway::normalize::{NormalizeError, NormalizeOptions, SlashPolicy};
use trieway::{Outcome, Request, Router};
use trieway_fuzz::fixed_routers;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    // Host up to the first NUL byte, path after it.
    let (host, path) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&b""[..], rest),
    };
    let host = String::from_utf8_lossy(host);
    let path = String::from_utf8_lossy(path);
    paths(&path);
    hosts(&host, flags);
    let routers = fixed_routers();
    let router = &routers[flags as usize % routers.len()];
    let mut out = String::new();
    let _ = router.route(&Request::new("GET", &host, &path));
    if NormalizeOptions::default()
        .normalize_path(&path, &mut out)
        .is_ok()
    {
        let _ = router.route(&Request::new("GET", &host, &out));
    }
});

fn paths(path: &str) {
    let mut out = String::with_capacity(path.len());
    let mut again = String::new();
    for bits in 0u8..16 {
        let opts = NormalizeOptions {
            merge_slashes: bits & 1 != 0,
            decode_unreserved: bits & 2 != 0,
            encoded_slash: if bits & 4 != 0 {
                SlashPolicy::Keep
            } else {
                SlashPolicy::Reject
            },
            backslash: if bits & 8 != 0 {
                SlashPolicy::Keep
            } else {
                SlashPolicy::Reject
            },
        };
        let cap = out.capacity();
        let got = opts.normalize_path(path, &mut out);
        assert_eq!(out.capacity(), cap, "normalize_path grew its buffer");
        let want = reference(path, &opts);
        match (&got, &want) {
            (Ok(()), Ok(w)) => assert_eq!(&out, w, "{path:?} {opts:?}"),
            (Err(g), Err(w)) => assert_eq!(g, w, "{path:?} {opts:?}"),
            _ => panic!("{path:?} {opts:?}: got {got:?} / {out:?}, reference {want:?}"),
        }
        if got.is_ok() {
            assert!(out.starts_with('/'));
            assert!(out.len() <= path.len());
            assert!(!out.split('/').any(|s| s == "." || s == ".."), "{out:?}");
            if opts.merge_slashes {
                assert!(!out.contains("//"), "{out:?}");
            }
            opts.normalize_path(&out, &mut again)
                .expect("normalized output is accepted");
            assert_eq!(out, again, "not idempotent: {path:?} {opts:?}");
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The slow reference: rewrite escapes, merge slashes, then RFC 3986 §5.2.4 literally.
fn reference(path: &str, o: &NormalizeOptions) -> Result<String, NormalizeError> {
    if !path.starts_with('/') {
        return Err(NormalizeError::NotAbsolute);
    }
    let b = path.as_bytes();
    let mut s: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let (Some(h), Some(l)) = (
                    b.get(i + 1).copied().and_then(hex),
                    b.get(i + 2).copied().and_then(hex),
                ) else {
                    return Err(NormalizeError::InvalidEscape { at: i });
                };
                let c = h * 16 + l;
                if c == b'/' && o.encoded_slash == SlashPolicy::Reject {
                    return Err(NormalizeError::EncodedSlash { at: i });
                }
                if c == b'\\' && o.backslash == SlashPolicy::Reject {
                    return Err(NormalizeError::Backslash { at: i });
                }
                if o.decode_unreserved && (c.is_ascii_alphanumeric() || b"-._~".contains(&c)) {
                    s.push(c);
                } else {
                    s.extend(format!("%{c:02X}").bytes());
                }
                i += 3;
            }
            b'\\' if o.backslash == SlashPolicy::Reject => {
                return Err(NormalizeError::Backslash { at: i })
            }
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    let mut s = String::from_utf8(s).expect("UTF-8 kept");
    if o.merge_slashes {
        while s.contains("//") {
            s = s.replace("//", "/");
        }
    }
    // Segments that decode to `.` / `..` are dot segments.
    let s = s
        .split('/')
        .map(|seg| match seg.replace("%2E", ".").as_str() {
            "." => ".",
            ".." => "..",
            _ => seg,
        })
        .collect::<Vec<_>>()
        .join("/");
    Ok(remove_dot_segments(&s))
}

fn remove_dot_segments(path: &str) -> String {
    let mut input = path.to_string();
    let mut output = String::new();
    while !input.is_empty() {
        if input.starts_with("../") {
            input.drain(..3);
        } else if input.starts_with("./") {
            input.drain(..2);
        } else if input.starts_with("/./") {
            input.replace_range(..3, "/");
        } else if input == "/." {
            input = "/".into();
        } else if input.starts_with("/../") || input == "/.." {
            let n = if input == "/.." { 3 } else { 4 };
            input.replace_range(..n, "/");
            let cut = output.rfind('/').unwrap_or(0);
            output.truncate(cut);
        } else if input == "." || input == ".." {
            input.clear();
        } else {
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |e| e + start);
            output.push_str(&input[..end]);
            input.drain(..end);
        }
    }
    output
}

fn hosts(host: &str, flags: u8) {
    let mut buf = [0u8; 256];
    let got = NormalizeOptions::normalize_host(host, &mut buf).map(str::to_string);
    // SPEC §3.1 written out independently.
    let bare = if host.starts_with('[') {
        host.find(']').map_or(host, |e| &host[..=e])
    } else {
        host.rfind(':').map_or(host, |c| &host[..c])
    };
    let bare = bare.strip_suffix('.').unwrap_or(bare);
    // Only a valid `host[:port]` has a normalized host (SECURITY.md, request hygiene).
    let want = valid_authority(host).then(|| bare.to_ascii_lowercase());
    assert_eq!(got, want, "{host:?}");

    // Case and an added port do not change the outcome.
    let routers = fixed_routers();
    let router = &routers[(flags as usize / 16) % routers.len()];
    let base = describe(router, host, "/");
    assert_eq!(
        base,
        describe(router, &host.to_ascii_uppercase(), "/"),
        "{host:?}"
    );
    if !host.contains(':') && !host.is_empty() {
        assert_eq!(
            base,
            describe(router, &format!("{host}:8080"), "/"),
            "{host:?}"
        );
    }
}

/// A valid `host[:port]`, written out from SECURITY.md: a hostname (one trailing dot allowed)
/// of at most 253 bytes in labels of 1–63 ASCII letters, digits, `-` or `_`, or a bracketed
/// IPv6 literal of 2–45 hex digits, `:` and `.` with a `:`; then nothing or `:` and at most
/// five digits.
fn valid_authority(a: &str) -> bool {
    let port_ok = |p: &str| {
        p.is_empty()
            || p.strip_prefix(':')
                .is_some_and(|d| d.len() <= 5 && d.chars().all(|c| c.is_ascii_digit()))
    };
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split_once(']').is_some_and(|(ip, after)| {
            (2..=45).contains(&ip.len())
                && ip.contains(':')
                && ip.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
                && port_ok(after)
        });
    }
    let (name, after) = a.find(':').map_or((a, ""), |i| a.split_at(i));
    let name = name.strip_suffix('.').unwrap_or(name);
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    !name.is_empty() && name.len() <= 253 && name.split('.').all(label) && port_ok(after)
}

fn describe(router: &Router, host: &str, path: &str) -> String {
    match router.route(&Request::new("GET", host, path)) {
        Outcome::Matched(m) => format!("{}#{}", m.route(), m.rule_index()),
        Outcome::NotFound => "404".into(),
        Outcome::Misdirected => "421".into(),
        _ => "other".into(),
    }
}
