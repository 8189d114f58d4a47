//! Lookups allocate nothing: a counting global allocator (per thread, so parallel tests do
//! not disturb the count) sees zero allocations while routing every benchmark scenario, the
//! GitHub set, the Envoy shapes and a batch of random requests, plus the weighted pick.

#[path = "../../core/tests/common/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::allocations;
use std::hint::black_box;
use trieway_benches::spec::Req;
use trieway_benches::{envoy, github, tenants};

/// Routes every request (and picks a backend) twice: once to warm up the regex engines' lazy
/// caches, then counted.
fn assert_no_alloc(router: &trieway::Router, requests: &[Req], what: &str) {
    let run = || {
        for (i, req) in requests.iter().enumerate() {
            let view = req.view();
            let out = router.route(&view);
            if let Some(m) = out.matched() {
                black_box(m.pick(i as u64 * 0x9E37_79B9));
            }
            black_box(out);
        }
    };
    run();
    assert_eq!(allocations(run).1, 0, "{what}: lookups allocated");
}

#[test]
fn positive_control() {
    assert!(allocations(|| drop(black_box(vec![1u8; 16]))).1 >= 1);
}

#[test]
fn tenant_lookups_do_not_allocate() {
    let t = tenants::generate(1_000, 5);
    let router = t.set.router();
    let s = t.scenarios();
    let named = [s.first, s.last, s.miss_host, s.miss_path, s.header, s.query];
    assert_no_alloc(&router, &named, "scenarios");
    assert_no_alloc(&router, &t.random_requests(1_000, 9), "random requests");
}

#[test]
fn github_lookups_do_not_allocate() {
    let router = github::route_set().router();
    assert_no_alloc(&router, &github::requests(), "github");
}

#[test]
fn envoy_lookups_do_not_allocate() {
    for kind in envoy::Kind::ALL {
        let router = envoy::route_set(kind, 100).router();
        assert_no_alloc(&router, &[envoy::request(100)], kind.name());
    }
}
