//! Applies filters to arbitrary requests.
//!
//! The input drives the structured configuration generator (every filter kind: header
//! modifiers, redirects, rewrites with both path modifiers, mirrors, CORS, extension refs,
//! backend-level filters) or, when its first byte is odd, picks the fixed rich configuration;
//! then up to four arbitrary requests are routed and their winners' filters applied into one
//! reused `Action`. `ReplacePrefixMatch` is also checked against SPEC §6.5 on arbitrary
//! prefixes, replacements and paths, through a route built in code.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use trieway::{Action, Outcome, Request, RouteSet, Rule};
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

/// SPEC §6.5 on arbitrary strings, through the public API: a route `PathPrefix p` with the
/// rewrite `ReplacePrefixMatch r`, built in code, routes `path`; no panic, and when it matches
/// (the path starts with the prefix element-wise), the rewritten path is `r + rest` or `/`.
fn prefix(u: &mut Unstructured) {
    let (Ok(path), Ok(p), Ok(r)) = (
        u.arbitrary::<&str>(),
        u.arbitrary::<&str>(),
        u.arbitrary::<&str>(),
    ) else {
        return;
    };
    if path.contains(['?', '#']) {
        return; // the request path only, no query to carry over
    }
    let rule = Rule::prefix(p).to("svc:80").rewrite_prefix(r);
    let Ok(router) = RouteSet::new().any_host().route(rule).build() else {
        return;
    };
    let req = Request::new("GET", "example.com", path);
    let Outcome::Matched(m) = router.route(&req) else {
        return;
    };
    let mut action = Action::new();
    m.apply(&req, 0, &mut action);
    let out = &action.path_and_query;
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
            assert_eq!(*out, expected);
        }
    }
}
