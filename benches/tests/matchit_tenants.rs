//! The matchit-based multi-tenant engine gives the linear reference's answer on every request
//! of the multi-tenant sets (and of the GitHub set, path only), and matchit routes nearly all
//! of it (the engine is not a linear scan in disguise).

#[path = "../../core/tests/common/counting_alloc.rs"]
mod counting_alloc;

use std::hint::black_box;
use trieway_benches::linear::Linear;
use trieway_benches::matchit_tenants::{MatchitTenants, Prepared};
use trieway_benches::spec::{Req, RouteSet};
use trieway_benches::{github, tenants};

/// Compares on every request; returns the number of hits.
fn cross_check(set: &RouteSet, requests: &[Req]) -> usize {
    let engine = MatchitTenants::new(set);
    let linear = Linear::new(set);
    let mut hits = 0;
    for req in requests {
        let l = linear.winner(req);
        assert_eq!(
            engine.winner(req),
            l,
            "matchit engine and linear disagree on {req:?}"
        );
        hits += usize::from(l.is_some());
    }
    hits
}

/// Every request the generator builds for each rule, plus the named scenarios.
fn per_rule_requests(t: &tenants::Tenants) -> Vec<Req> {
    let mut rng = trieway_benches::rng::SplitMix64::new(5);
    let s = t.scenarios();
    let mut out = vec![s.first, s.last, s.miss_host, s.miss_path, s.header, s.query];
    for route in &t.set.routes {
        let tenant: usize = route.namespace["tenant-".len()..].parse().expect("tenant");
        for rule in &route.rules {
            for m in &rule.matches {
                out.push(tenants::request_for(&t.hosts[tenant], m, &mut rng));
            }
        }
    }
    out
}

#[test]
fn equals_linear_on_multi_tenant_sets() {
    for (n, seed, count) in [(10, 1, 2_000), (1_000, 1, 5_000), (1_000, 1_042, 5_000)] {
        let t = tenants::generate(n, seed);
        let mut reqs = t.random_requests(count, n as u64 + seed);
        // The benchmarks' mixes (report: seed 11; criterion: seed n).
        reqs.extend(t.random_requests(1024, 11));
        reqs.extend(per_rule_requests(&t));
        let hits = cross_check(&t.set, &reqs);
        assert!(
            hits * 10 > reqs.len() * 3 && hits < reqs.len(),
            "n={n}: {hits}/{}",
            reqs.len()
        );
    }
}

#[test]
fn host_normalized_as_trieway_does() {
    let t = tenants::generate(1_000, 1);
    let engine = MatchitTenants::new(&t.set);
    let linear = Linear::new(&t.set);
    let last = t.scenarios().last;
    let mut loud = last.clone();
    loud.host = format!("{}:8443", last.host.to_ascii_uppercase());
    assert!(linear.winner(&last).is_some());
    assert_eq!(engine.winner(&loud), linear.winner(&last));
}

#[test]
fn matchit_routes_nearly_everything() {
    let t = tenants::generate(10_000, 1);
    let engine = MatchitTenants::new(&t.set);
    let s = engine.stats();
    // Only the non-template regexes (about 4.5% of matches) are fallback candidates.
    assert!(s.fallback * 100 < s.candidates * 7, "{s:?}");
    // Precedence lists stay short: a few entries per matchit route on average.
    assert!(s.entries < s.routes * 4, "{s:?}");
}

#[test]
fn github_set_equals_linear() {
    let set = github::route_set();
    let mut reqs = github::requests();
    // Near misses: a segment more, one less, an empty parameter.
    let extra: Vec<Req> = reqs
        .iter()
        .flat_map(|r| {
            let mut longer = r.clone();
            longer.target.push_str("/x");
            let mut shorter = r.clone();
            if let Some(i) = shorter.target.rfind('/') {
                shorter.target.truncate(i.max(1));
            }
            let mut empty = r.clone();
            empty.target = r.target.replacen("p1", "", 1);
            [longer, shorter, empty]
        })
        .collect();
    reqs.extend(extra);
    let engine = MatchitTenants::new(&set);
    assert_eq!(
        engine.stats().fallback,
        0,
        "every GitHub template is a matchit route"
    );
    let hits = cross_check(&set, &reqs);
    assert!(hits >= github::templates().len(), "{hits}");
}

/// Random small sets over a tiny vocabulary, so that paths overlap across kinds (a template
/// over a prefix, a prefix under another, a regex over everything) and hosts across levels
/// (an exact name under a wildcard, nested wildcards, routes without hostnames): the cases
/// the generated multi-tenant sets never produce.
#[test]
fn equals_linear_on_overlapping_sets() {
    use trieway_benches::rng::SplitMix64;
    use trieway_benches::spec::{created, MatchSpec, PathSpec, RouteSpec, RuleSpec};
    const SEGS: &[&str] = &["a", "b", "ab"];
    const HOSTNAMES: &[&str] = &["x.ex.com", "b.ex.com", "*.ex.com", "*.b.ex.com"];
    const HOSTS: &[&str] = &[
        "x.ex.com",
        "b.ex.com",
        "y.b.ex.com",
        "z.ex.com",
        "ex.com",
        "q.org",
    ];
    const OTHER: &[&str] = &["/a/.*", "/(a|b)/b", "/a/b.*", "/ab?/a"];
    let path = |rng: &mut SplitMix64, max: usize| -> String {
        let n = 1 + rng.below(max);
        (0..n).map(|_| format!("/{}", rng.pick(SEGS))).collect()
    };
    let mut compared = 0;
    let mut hits = 0;
    for seed in 0..300u64 {
        let mut rng = SplitMix64::new(seed);
        let mut set = RouteSet::default();
        for r in 0..1 + rng.below(4) {
            let hostnames = (0..rng.below(3))
                .map(|_| rng.pick(HOSTNAMES).to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let rules = (0..1 + rng.below(4))
                .map(|_| {
                    let p = match rng.below(10) {
                        0..=2 => PathSpec::Exact(path(&mut rng, 3)),
                        3..=5 => {
                            let p = if rng.percent(15) {
                                String::new()
                            } else {
                                path(&mut rng, 2)
                            };
                            PathSpec::Prefix(if rng.percent(30) || p.is_empty() {
                                format!("{p}/")
                            } else {
                                p
                            })
                        }
                        6..=8 => {
                            let segs = 1 + rng.below(3);
                            PathSpec::Regex(
                                (0..segs)
                                    .map(|_| {
                                        if rng.percent(50) {
                                            "/[^/]+".to_string()
                                        } else {
                                            format!("/{}", rng.pick(SEGS))
                                        }
                                    })
                                    .collect(),
                            )
                        }
                        _ => PathSpec::Regex(rng.pick(OTHER).to_string()),
                    };
                    let mut m = MatchSpec::path(p);
                    if rng.percent(25) {
                        m.method = Some(*rng.pick(&["GET", "POST"]));
                    }
                    if rng.percent(25) {
                        m.headers.push(("x-v", *rng.pick(&["1", "2"])));
                    }
                    if rng.percent(15) {
                        m.query.push(("env", "a"));
                    }
                    RuleSpec {
                        matches: vec![m],
                        backends: vec![("svc".into(), 1)],
                    }
                })
                .collect();
            set.routes.push(RouteSpec {
                namespace: "ns".into(),
                name: format!("r{r}"),
                created: created(rng.below(3) as i64),
                hostnames,
                rules,
            });
        }
        let reqs: Vec<Req> = (0..200)
            .map(|_| {
                let mut target = if rng.percent(5) {
                    "/".to_string()
                } else {
                    path(&mut rng, 4)
                };
                if rng.percent(15) {
                    target.push('/');
                }
                if rng.percent(20) {
                    target.push_str("?env=a");
                }
                let mut req = Req::get(rng.pick::<&str>(HOSTS), &target);
                if rng.percent(30) {
                    req.method = "POST";
                }
                if rng.percent(40) {
                    req.headers.push(("x-v", *rng.pick(&["1", "2"])));
                }
                req
            })
            .collect();
        hits += cross_check(&set, &reqs);
        compared += reqs.len();
    }
    assert!(
        hits * 6 > compared && hits * 4 < compared * 3,
        "{hits}/{compared} hits"
    );
}

/// A host that an exact hostname, a wildcard and a route without hostnames all cover: a rule
/// of the less specific host wins when the more specific host's rules do not match.
#[test]
fn hosts_fall_through_to_less_specific_names() {
    use trieway_benches::spec::{created, MatchSpec, PathSpec, RouteSpec, RuleSpec};
    let route = |name: &str, hostnames: &[&str], path: PathSpec| RouteSpec {
        namespace: "ns".into(),
        name: name.into(),
        created: created(0),
        hostnames: hostnames.iter().map(|h| h.to_string()).collect(),
        rules: vec![RuleSpec {
            matches: vec![MatchSpec::path(path)],
            backends: vec![("svc".into(), 1)],
        }],
    };
    let set = RouteSet {
        routes: vec![
            route("exact", &["a.example.com"], PathSpec::Exact("/x".into())),
            route("wild", &["*.example.com"], PathSpec::Prefix("/y".into())),
            route("any", &[], PathSpec::Prefix("/".into())),
        ],
        services: Vec::new(),
    };
    let engine = MatchitTenants::new(&set);
    for (host, path, want) in [
        ("a.example.com", "/x", Some("exact")),
        ("a.example.com", "/y/1", Some("wild")),
        ("a.example.com", "/z", Some("any")),
        ("b.c.example.com", "/y", Some("wild")),
        ("example.com", "/y", Some("any")),
    ] {
        let req = Req::get(host, path);
        let got = engine.winner(&req);
        assert_eq!(got.as_ref().map(|w| w.1.as_str()), want, "{host}{path}");
        assert_eq!(got, Linear::new(&set).winner(&req));
    }
}

/// The engine adds no allocation to a lookup; matchit 0.8 itself allocates in two cases: its
/// parameter list spills to a `Vec` past 3 parameters (one GitHub template has 4), and its
/// backtracking stack (`Node::at`'s `skipped: Vec`) is allocated when a path walks past a
/// static child that overlaps a parameter (some requests of the tenant mix), at most once per
/// tree a lookup visits. (Counted per thread, after a warm-up pass for the regex engines' lazy
/// caches.)
#[test]
fn lookups_allocate_only_in_matchit_backtracking() {
    let positive = counting_alloc::allocations(|| drop(black_box(vec![1u8; 16]))).1;
    assert!(positive >= 1, "the counter sees allocations");
    let count = |set: &RouteSet, reqs: &[Req]| {
        let engine = MatchitTenants::new(set);
        let prepared: Vec<Prepared<'_>> = reqs.iter().map(Prepared::of).collect();
        let run = || {
            for p in &prepared {
                black_box(engine.route(black_box(p)));
            }
        };
        run();
        counting_alloc::allocations(run).1
    };
    let mut github_reqs = github::requests();
    for r in github::requests() {
        let mut loud = r.clone();
        loud.host = "API.Example.COM:443".into();
        github_reqs.push(loud);
    }
    // Each request of a template with more than 3 parameters, sent twice (plain and loud).
    let spills = 2 * github::templates()
        .iter()
        .filter(|t| t.matches('{').count() > 3)
        .count() as u64;
    assert_eq!(spills, 2, "the GitHub set has one 4-parameter template");
    assert_eq!(count(&github::route_set(), &github_reqs), spills, "github");
    let t = tenants::generate(1_000, 5);
    let reqs = t.random_requests(1_000, 9);
    let allocations = count(&t.set, &reqs);
    // Hosts here are exact or one wildcard level: at most two trees per lookup.
    assert!(
        allocations <= 2 * reqs.len() as u64,
        "tenants: {allocations}"
    );
}
