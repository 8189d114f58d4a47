//! Zero allocation per lookup is a tested property: a counting global allocator (per thread)
//! sees no allocation while routing hits of every kind and misses.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use trieway::{Headers, Outcome, Request, Target};

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the only addition is a
// thread-local counter that never allocates (const-initialized `Cell`).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCS.with(Cell::get);
    let out = f();
    (out, ALLOCS.with(Cell::get) - before)
}

const ROUTES: &str = r#"
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [exact.example.com, '*.wild.example.com']
  rules:
  - matches: [{path: {type: Exact, value: /exact}}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /prefix}}]
    backendRefs: [{name: svc-a, port: 80, weight: 3}, {name: svc-b, port: 80, weight: 1}]
  - matches: [{path: {type: RegularExpression, value: '/re/[0-9]+'}}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /hdr}, headers: [{name: x-exact, value: 'yes'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /hdr}, headers: [{name: x-re, type: RegularExpression, value: 'v[0-9]'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /q}, queryParams: [{name: a, value: '1'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /q}, queryParams: [{name: b, type: RegularExpression, value: '[0-9]+'}]}]
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {value: /m}, method: POST}]
    backendRefs: [{name: missing, port: 80}]
"#;

#[test]
fn lookups_do_not_allocate() {
    let router = common::router(ROUTES);
    type Case<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, &'a str)], bool);
    let cases: &[Case<'_>] = &[
        ("GET", "exact.example.com", "/exact", &[], true),
        ("GET", "EXACT.example.com:80", "/prefix/a/b", &[], true),
        ("GET", "a.b.wild.example.com", "/re/123", &[], true),
        (
            "GET",
            "exact.example.com",
            "/hdr",
            &[("X-Exact", "yes")],
            true,
        ),
        ("GET", "exact.example.com", "/hdr", &[("x-re", "v1")], true),
        (
            "GET",
            "exact.example.com",
            "/hdr",
            &[("x-re", "v"), ("x-re", "1")],
            false,
        ),
        ("GET", "exact.example.com", "/q?a=1", &[], true),
        ("GET", "exact.example.com", "/q?c=2&b=42", &[], true),
        ("POST", "exact.example.com", "/m", &[], true),
        ("GET", "exact.example.com", "/nothing", &[], false),
        ("GET", "other.org", "/exact", &[], false),
        ("GET", "", "/", &[], false),
    ];
    let run = || {
        let mut hits = 0;
        for &(method, host, target, headers, _) in cases {
            let req = Request::new(method, host, target).headers(Headers::Pairs(headers));
            if let Outcome::Matched(m) = router.route(&req) {
                hits += 1;
                // Weighted picks, valid and invalid, allocate nothing either.
                for r in [0u64, u64::MAX / 2, u64::MAX] {
                    match m.pick(r) {
                        Target::Backend(b) => assert!(!b.name().is_empty()),
                        Target::Status(s) => assert_eq!(s, 500),
                        _ => unreachable!(),
                    }
                }
            }
        }
        hits
    };
    // Warm up: the regex engine's per-thread cache and the header-join scratch buffer are
    // created on first use and reused afterwards.
    let expected_hits = cases.iter().filter(|c| c.4).count();
    assert_eq!(run(), expected_hits);
    let (hits, n) = allocations(run);
    assert_eq!(hits, expected_hits);
    assert_eq!(n, 0, "lookups allocated {n} times");
}

/// Positive control: the counter does see allocations.
#[test]
fn counter_sees_allocations() {
    let (_v, n) = allocations(|| vec![1u8; 64]);
    assert!(n >= 1);
}

const FILTERS: &str = r#"
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: f, namespace: default}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /rewrite}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: x-set, value: s}]
        add: [{name: x-add, value: a}]
        remove: [x-remove]
    - type: ResponseHeaderModifier
      responseHeaderModifier: {add: [{name: x-resp, value: r}]}
    - type: URLRewrite
      urlRewrite: {hostname: upstream.internal, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
    - type: RequestMirror
      requestMirror: {backendRef: {name: svc-b, port: 80}, percent: 10}
    backendRefs: [{name: svc-a, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /redirect}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, path: {type: ReplaceFullPath, replaceFullPath: /moved}}
"#;

/// Applying filters into a used `Action` allocates nothing for header edits, path rewrites and
/// redirects that fit its capacity (SPEC §6; issue: reusable Action).
#[test]
fn apply_reuses_action_buffers() {
    let router = common::router(FILTERS);
    let reqs = [
        Request::new("GET", "h.example.com", "/rewrite/a/b?x=1"),
        Request::new("GET", "h.example.com", "/redirect/x?y=2"),
    ];
    fn run<'r>(
        router: &'r trieway::Router,
        reqs: &[Request<'_>],
        action: &mut trieway::Action<'r>,
    ) -> usize {
        let mut seen = 0;
        for req in reqs {
            if let Outcome::Matched(m) = router.route(req) {
                m.apply(req, 7, action);
                seen += action.request_headers.len()
                    + action.location.len()
                    + action.path_and_query.len();
            }
        }
        seen
    }
    let mut action = trieway::Action::new();
    let warm = run(&router, &reqs, &mut action);
    assert!(warm > 0);
    let (again, n) = allocations(|| run(&router, &reqs, &mut action));
    assert_eq!(again, warm);
    assert_eq!(n, 0, "apply allocated {n} times");
}
