//! Routes arbitrary requests (method, host, path, query, header bytes, port, SNI, scheme)
//! against a fixed rich configuration — `examples/demo.yaml` plus `src/extra.yaml` — compiled
//! once under several option sets (host and listener isolation, regex rank, repeated-header
//! policies, a tiny `max_path_len`). The same request is also routed as an `http::Request`
//! when the `http` crate accepts its parts. Each request's path-trie work stays within the
//! budget SECURITY.md states ("Path-trie walk"): at most one step up per node entered, and
//! at most 4 bytes scanned per path byte per hostname tried (the fixed configuration has no
//! choices deeper than 64 levels).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use trieway::Action;
use trieway_fuzz::{exercise, fixed_routers, Req};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let routers = fixed_routers();
    let Ok(pick) = u.arbitrary::<u8>() else {
        return;
    };
    let router = &routers[pick as usize % routers.len()];
    let mut action = Action::new();
    for _ in 0..4 {
        let Ok(r) = Req::arbitrary(&mut u) else { break };
        exercise(router, &r, &mut action);
        within_budget(router, &r);
        as_http(router, &r);
    }
});

fn within_budget(router: &trieway::Router, r: &Req) {
    let req = trieway::Request::new(&r.method, &r.host, &r.target);
    trieway::cost::take();
    let _ = router.route(&req);
    let c = trieway::cost::take();
    assert!(c.ups <= c.nodes, "{c:?}");
    let budget = 4 * r.target.len() as u64 * c.walks;
    assert!(c.bytes <= budget, "{c:?} > {budget} for {:?}", r.target);
}

fn as_http(router: &trieway::Router, r: &Req) {
    let mut b = http::Request::builder()
        .method(r.method.as_str())
        .uri(r.target.as_str());
    if !r.host.is_empty() {
        b = b.header(http::header::HOST, r.host.as_bytes());
    }
    for (n, v) in &r.headers {
        b = b.header(n.as_slice(), v.as_slice());
    }
    if let Ok(req) = b.body(()) {
        let _ = router.route(&req).status(r.random);
        let (parts, ()) = req.into_parts();
        let _ = router.route(&parts).status(r.random);
    }
}
