//! Applies filters to arbitrary requests.
//!
//! The input drives the structured configuration generator (every filter kind: header
//! modifiers, redirects, rewrites with both path modifiers, mirrors, CORS, extension refs,
//! backend-level filters) or, when its first byte is odd, picks the fixed rich configuration;
//! then up to four arbitrary requests are routed and their winners' filters applied into one
//! reused `Action`. `replace_prefix` is also checked directly against SPEC §6.5.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use trieway::{replace_prefix, Action};
use trieway_fuzz::{exercise, fixed_routers, load, objects, render, routers, Req};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(first) = u.arbitrary::<u8>() else {
        return;
    };
    prefix(&mut u);
    let owned;
    let list: &[trieway::Router] = if first & 1 == 1 {
        fixed_routers()
    } else {
        let Ok(docs) = objects(&mut u) else { return };
        let config = load(&render(&docs, first & 2 == 0));
        owned = routers(&config, first >> 2);
        &owned
    };
    for router in list.iter().take(2) {
        let mut action = Action::new();
        for _ in 0..4 {
            let Ok(r) = Req::arbitrary(&mut u) else { break };
            exercise(router, &r, &mut action);
        }
    }
});

/// SPEC §6.5 on arbitrary strings: no panic; and when the path really starts with the prefix
/// (element-wise), the result is `r + rest` or `/`.
fn prefix(u: &mut Unstructured) {
    let (Ok(path), Ok(p), Ok(r)) = (
        u.arbitrary::<&str>(),
        u.arbitrary::<&str>(),
        u.arbitrary::<&str>(),
    ) else {
        return;
    };
    let mut out = String::new();
    replace_prefix(path, p, r, &mut out);
    assert!(!out.is_empty());
    let p0 = p.strip_suffix('/').unwrap_or(p);
    let r0 = r.strip_suffix('/').unwrap_or(r);
    if let Some(rest) = path.strip_prefix(p0) {
        if rest.is_empty() || rest.starts_with('/') {
            let expected = format!("{r0}{rest}");
            let expected = if expected.is_empty() {
                "/".to_string()
            } else {
                expected
            };
            assert_eq!(out, expected);
        }
    }
}
