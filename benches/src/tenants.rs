//! Multi-tenant gateway route sets of N rules: one shared Gateway, one namespace and hostname
//! per tenant (about 20 rules each), exact and wildcard hosts, Exact / PathPrefix /
//! RegularExpression paths, about 20% header matches, 10% methods, 5% query parameters and
//! weighted backends. Paths of one tenant overlap on purpose (a shared pool of resource
//! names), so precedence decides between candidates.

use crate::rng::SplitMix64;
use crate::spec::{created, MatchSpec, PathSpec, Req, RouteSet, RouteSpec, RuleSpec};

/// Average rules per tenant (one hostname each).
pub const RULES_PER_TENANT: usize = 20;
/// Backend Services per tenant namespace.
const SERVICES: usize = 4;
/// Header values the generator uses.
const VERSIONS: &[&str] = &["v1", "v2", "v3", "v4"];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE"];
const ENVS: &[&str] = &["canary", "beta"];
const WORDS: &[&str] = &[
    "users", "orders", "cart", "items", "search", "login", "static", "assets", "billing",
    "reports", "admin", "health",
];

/// A generated multi-tenant set.
#[derive(Debug, Clone)]
pub struct Tenants {
    /// The routes.
    pub set: RouteSet,
    /// The host a request uses to reach each tenant (for a wildcard tenant, a name below it).
    pub hosts: Vec<String>,
}

fn namespace(t: usize) -> String {
    format!("tenant-{t}")
}

/// Generates a set of exactly `n` rules (one match each) with a seed.
pub fn generate(n: usize, seed: u64) -> Tenants {
    let mut rng = SplitMix64::new(seed);
    let tenants = n.div_ceil(RULES_PER_TENANT).max(1);
    let mut set = RouteSet::default();
    let mut hosts = Vec::with_capacity(tenants);
    let mut left = n;
    for t in 0..tenants {
        let ns = namespace(t);
        for s in 0..SERVICES {
            set.services.push((ns.clone(), format!("svc-{s}")));
        }
        // 70% exact hosts, 30% wildcard hosts; a few tenants also get a second exact name.
        let (hostnames, host) = if rng.percent(70) {
            let h = format!("t{t}.example.com");
            let mut names = vec![h.clone()];
            if rng.percent(10) {
                names.push(format!("www.t{t}.example.com"));
            }
            (names, h)
        } else {
            (
                vec![format!("*.t{t}.example.net")],
                format!("app.t{t}.example.net"),
            )
        };
        hosts.push(host);
        let mut rules_here = (n / tenants).min(left);
        if t == tenants - 1 {
            rules_here = left;
        }
        left -= rules_here;
        let mut r = 0;
        let mut route_no = 0;
        while r < rules_here {
            let k = (1 + rng.below(5)).min(rules_here - r);
            let rules = (0..k).map(|_| rule(&mut rng)).collect();
            set.routes.push(RouteSpec {
                namespace: ns.clone(),
                name: format!("route-{route_no}"),
                created: created(rng.below(48) as i64),
                hostnames: hostnames.clone(),
                rules,
            });
            route_no += 1;
            r += k;
        }
    }
    debug_assert_eq!(set.rule_count(), n);
    Tenants { set, hosts }
}

fn rule(rng: &mut SplitMix64) -> RuleSpec {
    let word = *rng.pick(WORDS);
    let id = rng.below(8);
    let roll = rng.below(100);
    let path = if roll < 35 {
        PathSpec::Exact(format!("/api/{word}/{id}"))
    } else if roll < 85 {
        if rng.percent(20) {
            PathSpec::Prefix(format!("/{word}/"))
        } else {
            PathSpec::Prefix(format!("/{word}/v{id}"))
        }
    } else if rng.percent(70) {
        // The common template shape: literal and `[^/]+` segments.
        PathSpec::Regex(format!("/{word}/[^/]+/item{id}"))
    } else {
        PathSpec::Regex(format!("/{word}/files/.*\\.(png|jpg)"))
    };
    let mut m = MatchSpec::path(path);
    if rng.percent(20) {
        m.headers.push(("x-version", *rng.pick(VERSIONS)));
        if rng.percent(30) {
            m.headers.push(("x-canary", "true"));
        }
    }
    if rng.percent(10) {
        m.method = Some(*rng.pick(METHODS));
    }
    if rng.percent(5) {
        m.query.push(("env", *rng.pick(ENVS)));
    }
    let backends = (0..1 + rng.below(3))
        .map(|b| (format!("svc-{b}"), 1 + rng.below(100) as u32))
        .collect();
    RuleSpec {
        matches: vec![m],
        backends,
    }
}

/// A request that satisfies match `m` on `host` (it may still be won by a more specific rule).
pub fn request_for(host: &str, m: &MatchSpec, rng: &mut SplitMix64) -> Req {
    let mut path = match &m.path {
        PathSpec::Exact(v) => v.clone(),
        PathSpec::Prefix(v) => {
            if rng.percent(50) {
                format!("{}/more", v.trim_end_matches('/'))
            } else {
                v.clone()
            }
        }
        PathSpec::Regex(v) => v
            .replace("[^/]+", "x42")
            .replace(".*\\.(png|jpg)", "a/b.png"),
    };
    if let Some((name, value)) = m.query.first() {
        path = format!("{path}?page=2&{name}={value}");
    }
    let mut req = Req::get(host, &path);
    if let Some(method) = m.method {
        req.method = method;
    }
    req.headers.extend(m.headers.iter().copied());
    req
}

/// The named lookups the benchmarks time, each with the rule it is built for.
#[derive(Debug, Clone)]
pub struct Scenarios {
    /// Built for the first rule of the first route.
    pub first: Req,
    /// Built for the last rule of the last route.
    pub last: Req,
    /// A host no route names: 404 after the host lookup.
    pub miss_host: Req,
    /// The last tenant's host with a path none of its rules match: 404 after the path lookup.
    pub miss_path: Req,
    /// Built for the last rule with a header condition.
    pub header: Req,
    /// Built for the last rule with a query condition (falls back to `last` if none).
    pub query: Req,
}

impl Tenants {
    fn host_of(&self, route: usize) -> &str {
        let t: usize = self.set.routes[route].namespace["tenant-".len()..]
            .parse()
            .expect("tenant namespace");
        &self.hosts[t]
    }

    fn request_for_last(&self, pred: impl Fn(&MatchSpec) -> bool) -> Option<Req> {
        let mut rng = SplitMix64::new(7);
        self.set.routes.iter().enumerate().rev().find_map(|(i, r)| {
            r.rules
                .iter()
                .rev()
                .flat_map(|rule| &rule.matches)
                .find(|m| pred(m))
                .map(|m| request_for(self.host_of(i), m, &mut rng))
        })
    }

    /// The named lookups.
    pub fn scenarios(&self) -> Scenarios {
        let mut rng = SplitMix64::new(7);
        let first = request_for(
            self.host_of(0),
            &self.set.routes[0].rules[0].matches[0],
            &mut rng,
        );
        let last = self.request_for_last(|_| true).expect("a rule");
        let header = self
            .request_for_last(|m| !m.headers.is_empty())
            .unwrap_or_else(|| last.clone());
        let query = self
            .request_for_last(|m| !m.query.is_empty())
            .unwrap_or_else(|| last.clone());
        Scenarios {
            first,
            last,
            miss_host: Req::get("unknown.example.org", "/users/v1"),
            miss_path: Req::get(
                self.host_of(self.set.routes.len() - 1),
                "/nothing/here/at/all",
            ),
            header,
            query,
        }
    }

    /// `count` requests for the cross-check: built for a random rule and then perturbed (other
    /// tenant's host, a sibling name below a wildcard, a changed method, a lost header or
    /// query parameter, a longer or shorter path), plus plain misses.
    pub fn random_requests(&self, count: usize, seed: u64) -> Vec<Req> {
        let mut rng = SplitMix64::new(seed);
        (0..count)
            .map(|_| {
                let ri = rng.below(self.set.routes.len());
                let route = &self.set.routes[ri];
                let rule = rng.pick(&route.rules);
                let mut req = request_for(self.host_of(ri), &rule.matches[0], &mut rng);
                match rng.below(12) {
                    0 => req.host = self.hosts[rng.below(self.hosts.len())].clone(),
                    1 => req.host = format!("deep.{}", req.host),
                    2 => req.method = *rng.pick(METHODS),
                    3 => {
                        req.headers.truncate(crate::spec::COMMON_HEADERS.len());
                    }
                    4 => req.target = req.target.replace("env=", "ENV="),
                    5 => req.target.push_str("/x"),
                    6 => {
                        req.target.pop();
                    }
                    7 => req.target = format!("/{}/zz", rng.pick(WORDS)),
                    8 => req.headers.push(("x-version", *rng.pick(VERSIONS))),
                    9 => req.host = "nope.example.com".into(),
                    _ => {}
                }
                req
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_rule_count_and_mix() {
        for n in [1, 10, 99, 1000] {
            let t = generate(n, 1);
            assert_eq!(t.set.rule_count(), n);
            assert!(t.set.routes.iter().all(|r| r.rules.len() <= 16));
        }
        let t = generate(10_000, 1);
        let ms: Vec<&MatchSpec> = t
            .set
            .routes
            .iter()
            .flat_map(|r| &r.rules)
            .flat_map(|r| &r.matches)
            .collect();
        let share =
            |f: &dyn Fn(&MatchSpec) -> bool| ms.iter().filter(|m| f(m)).count() * 100 / ms.len();
        assert!((17..=23).contains(&share(&|m| !m.headers.is_empty())));
        assert!((8..=12).contains(&share(&|m| m.method.is_some())));
        assert!((3..=7).contains(&share(&|m| !m.query.is_empty())));
        assert!((12..=18).contains(&share(&|m| matches!(m.path, PathSpec::Regex(_)))));
    }

    #[test]
    fn deterministic() {
        assert_eq!(generate(500, 3).set.routes, generate(500, 3).set.routes);
        assert_ne!(generate(500, 3).set.routes, generate(500, 4).set.routes);
    }
}
