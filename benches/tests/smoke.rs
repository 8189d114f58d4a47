//! The CI smoke test: generators build, small routers compile, trieway's Router agrees with
//! the linear matcher on a few thousand generated requests, and the GitHub set agrees with
//! matchit on which template wins.

use trieway_benches::linear::Linear;
use trieway_benches::spec::{trieway_winner, Req, RouteSet};
use trieway_benches::{envoy, github, tenants};

fn cross_check(set: &RouteSet, requests: &[Req]) -> (usize, usize) {
    let router = set.router();
    let linear = Linear::new(set);
    assert_eq!(linear.len(), set.match_count());
    let mut hits = 0;
    for req in requests {
        let t = trieway_winner(&router, req);
        let l = linear.winner(req);
        assert_eq!(t, l, "Router and linear matcher disagree on {req:?}");
        hits += usize::from(t.is_some());
    }
    (hits, requests.len())
}

#[test]
fn tenants_router_equals_linear() {
    for (n, count) in [(10, 500), (100, 1000), (1_000, 2000)] {
        let t = tenants::generate(n, 42 + n as u64);
        let (hits, total) = cross_check(&t.set, &t.random_requests(count, n as u64));
        // The perturbations leave a healthy mix of hits and misses.
        assert!(
            hits * 10 > total * 3 && hits < total,
            "n={n}: {hits}/{total} hits"
        );
    }
}

#[test]
fn tenants_scenarios() {
    let t = tenants::generate(1_000, 1);
    let router = t.set.router();
    let linear = Linear::new(&t.set);
    let s = t.scenarios();
    for (name, req, hit) in [
        ("first", &s.first, true),
        ("last", &s.last, true),
        ("miss_host", &s.miss_host, false),
        ("miss_path", &s.miss_path, false),
        ("header", &s.header, true),
        ("query", &s.query, true),
    ] {
        let w = trieway_winner(&router, req);
        assert_eq!(w, linear.winner(req), "{name}");
        assert_eq!(w.is_some(), hit, "{name}: {req:?}");
    }
}

#[test]
fn github_router_equals_linear_and_matchit() {
    let set = github::route_set();
    let router = set.router();
    let linear = Linear::new(&set);
    let mm = github::matchit_router();
    for (i, req) in github::requests().iter().enumerate() {
        let w = trieway_winner(&router, req);
        assert_eq!(w, linear.winner(req));
        let (name, rule) = github::rule_of(i);
        assert_eq!(w, Some(("github".into(), name, rule, 0)), "{}", req.target);
        assert_eq!(*mm.at(req.path()).expect("matchit").value, i);
    }
}

#[test]
fn envoy_shape_hits_last() {
    for kind in envoy::Kind::ALL {
        let n = 64;
        let set = envoy::route_set(kind, n);
        let router = set.router();
        let req = envoy::request(n);
        let w = trieway_winner(&router, &req);
        assert_eq!(w, Some(("envoy".into(), "shelves-00003".into(), 15, 0)));
        assert_eq!(w, Linear::new(&set).winner(&req));
    }
}
