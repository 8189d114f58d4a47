//! Path-confusion bypasses through a real Router with `/admin` and `/public` PathPrefix routes:
//! which route each request reaches with the raw path (what the Router does by itself, SPEC
//! §3.1), with `NormalizeOptions::normalize_path` and the recommended `NormalizeOptions::default()`, and with a
//! lenient setting that keeps encoded slashes and backslashes.

mod common;

use trieway::normalize::{NormalizeError, NormalizeOptions, SlashPolicy};
use trieway::Router;

const ROUTES: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: admin, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{matches: [{path: {type: PathPrefix, value: /admin}}], backendRefs: [{name: svc-a, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: public, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{matches: [{path: {type: PathPrefix, value: /public}}], backendRefs: [{name: svc-b, port: 80}]}]
"#;

const LENIENT: NormalizeOptions = NormalizeOptions {
    merge_slashes: true,
    decode_unreserved: true,
    encoded_slash: SlashPolicy::Keep,
    backslash: SlashPolicy::Keep,
};

/// `admin`, `public`, `404`, or `400` when normalization refuses the path.
fn reach(router: &Router, path: &str, opts: Option<&NormalizeOptions>) -> String {
    let mut buf = String::new();
    let path = match opts {
        None => path,
        Some(o) => match o.normalize_path(path, &mut buf) {
            Ok(()) => &buf,
            Err(_) => return "400".into(),
        },
    };
    match common::hit(router, "GET", "h", path, &[]).as_str() {
        "default/admin#0" => "admin".into(),
        "default/public#0" => "public".into(),
        other => other.into(),
    }
}

#[test]
fn path_confusion_table() {
    let router = common::router(ROUTES);
    // (path, raw, recommended default, lenient, normalized path under the default)
    #[rustfmt::skip]
    let table: &[(&str, &str, &str, &str, Option<&str>)] = &[
        // Plain paths are unchanged.
        ("/admin",                   "admin",  "admin",  "admin",  Some("/admin")),
        ("/public/x",                "public", "public", "public", Some("/public/x")),
        // Dot segments: the raw router sees `/public`, a backend resolves to `/admin`.
        ("/public/../admin",         "public", "admin",  "admin",  Some("/admin")),
        ("/public/./../admin/",      "public", "admin",  "admin",  Some("/admin/")),
        ("/admin/./",                "admin",  "admin",  "admin",  Some("/admin/")),
        ("/../admin",                "404",    "admin",  "admin",  Some("/admin")),
        // Encoded dots are dot segments too.
        ("/public/%2e%2e/admin",     "public", "admin",  "admin",  Some("/admin")),
        ("/public/%2E./admin",       "public", "admin",  "admin",  Some("/admin")),
        // Repeated slashes.
        ("/admin//x",                "admin",  "admin",  "admin",  Some("/admin/x")),
        ("//admin",                  "404",    "admin",  "admin",  Some("/admin")),
        ("/public//../admin",        "public", "admin",  "admin",  Some("/admin")),
        // Encoded unreserved characters.
        ("/%61dmin",                 "404",    "admin",  "admin",  Some("/admin")),
        ("/%61%64%6D%69%6E/x",       "404",    "admin",  "admin",  Some("/admin/x")),
        // Encoded slash: a segment separator for some backends, not for others.
        ("/public/..%2Fadmin",       "public", "400",    "public", None),
        ("/public/..%2fadmin",       "public", "400",    "public", None),
        ("/public%2F..%2Fadmin",     "404",    "400",    "404",    None),
        ("/admin%2Fx",               "404",    "400",    "404",    None),
        // Double encoding is not decoded (a backend that decodes once sees `%2F`).
        ("/public/..%252Fadmin",     "public", "public", "public", Some("/public/..%252Fadmin")),
        // Backslashes, literal and encoded.
        ("/public/..\\admin",        "public", "400",    "public", None),
        ("/public\\..\\admin",       "404",    "400",    "404",    None),
        ("/public/..%5Cadmin",       "public", "400",    "public", None),
        ("/public/..%5cadmin",       "public", "400",    "public", None),
        // Invalid escapes are refused rather than guessed.
        ("/admin%",                  "404",    "400",    "400",    None),
        ("/admin%zz",                "404",    "400",    "400",    None),
        // Out of scope (documented): case and `;` parameters.
        ("/ADMIN",                   "404",    "404",    "404",    Some("/ADMIN")),
        ("/public/..;/admin",        "public", "public", "public", Some("/public/..;/admin")),
    ];
    let mut failures = Vec::new();
    for &(path, raw, default, lenient, normalized) in table {
        let got = (
            reach(&router, path, None),
            reach(&router, path, Some(&NormalizeOptions::default())),
            reach(&router, path, Some(&LENIENT)),
        );
        if got != (raw.into(), default.into(), lenient.into()) {
            failures.push(format!(
                "{path}: got {got:?}, want ({raw}, {default}, {lenient})"
            ));
        }
        let mut out = String::new();
        let n = NormalizeOptions::default()
            .normalize_path(path, &mut out)
            .map(|()| out);
        if n.as_deref().ok() != normalized {
            failures.push(format!("{path}: normalized to {n:?}, want {normalized:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lenient_keeps_escapes_uppercased() {
    let mut out = String::new();
    LENIENT
        .normalize_path("/public/..%2fadmin%5c", &mut out)
        .unwrap();
    assert_eq!(out, "/public/..%2Fadmin%5C");
    LENIENT.normalize_path("/a\\b", &mut out).unwrap();
    assert_eq!(out, "/a\\b");
}

#[test]
fn errors_name_the_offending_byte() {
    let d = NormalizeOptions::default();
    let mut out = String::new();
    let cases: &[(&str, NormalizeError)] = &[
        ("", NormalizeError::NotAbsolute),
        ("admin", NormalizeError::NotAbsolute),
        ("*", NormalizeError::NotAbsolute),
        ("/x/%2F", NormalizeError::EncodedSlash { at: 3 }),
        ("/x\\", NormalizeError::Backslash { at: 2 }),
        ("/x/%5c", NormalizeError::Backslash { at: 3 }),
        ("/x%g0", NormalizeError::InvalidEscape { at: 2 }),
        ("/é%", NormalizeError::InvalidEscape { at: 3 }),
    ];
    for (path, want) in cases {
        assert_eq!(d.normalize_path(path, &mut out), Err(*want), "{path}");
    }
    assert_eq!(
        NormalizeError::EncodedSlash { at: 3 }.to_string(),
        "encoded slash (%2F) at byte 3 is not allowed"
    );
}

#[test]
fn options_switch_each_step_off() {
    let mut out = String::new();
    let no_merge = NormalizeOptions {
        merge_slashes: false,
        ..Default::default()
    };
    no_merge.normalize_path("/a//b/", &mut out).unwrap();
    assert_eq!(out, "/a//b/");
    let no_decode = NormalizeOptions {
        decode_unreserved: false,
        ..Default::default()
    };
    no_decode.normalize_path("/%61dmin/%7e", &mut out).unwrap();
    assert_eq!(out, "/%61dmin/%7E");
    // Encoded dot segments are resolved even without decoding.
    no_decode
        .normalize_path("/public/%2E%2E/admin", &mut out)
        .unwrap();
    assert_eq!(out, "/admin");
    // Non-ASCII text and reserved escapes pass through (hex uppercased).
    NormalizeOptions::default()
        .normalize_path("/caf%c3%a9/é/%3f%23", &mut out)
        .unwrap();
    assert_eq!(out, "/caf%C3%A9/é/%3F%23");
}

#[test]
fn normalized_output_is_a_fixed_point() {
    let mut a = String::new();
    let mut b = String::new();
    for path in [
        "/a/./b/../../c//d/%2e/",
        "/%41%2e%2E/x/..",
        "////",
        "/.../..../.",
    ] {
        NormalizeOptions::default()
            .normalize_path(path, &mut a)
            .unwrap();
        NormalizeOptions::default()
            .normalize_path(&a, &mut b)
            .unwrap();
        assert_eq!(a, b, "{path}");
        assert!(a.len() <= path.len());
    }
}
