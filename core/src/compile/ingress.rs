//! Native Ingress v1 routing (SPEC §9.2): host-first selection (exact host > single-label
//! wildcard > host-less rules), then the longest path string, Exact before Prefix at equal
//! length, then the older Ingress and `namespace/name`; `defaultBackend` only when nothing in
//! the selected host matches.
//!
//! Ingress compiles into the same tables as Gateway API routes: one frontend (every port, no
//! listeners) whose host index has Ingress host semantics ([`HostIndex::for_ingress`]), and
//! one vhost per Ingress host whose candidates are laid out by [`super::lay_out`] in the
//! Ingress order above; the default backend is the last candidate of every vhost (a `/`
//! prefix, so it matches whatever the host's paths did not), with a catch-all vhost holding
//! only it when no Ingress rule is host-less. `Router::route` has one path for both.

use super::backend::{Backend, Split};
use super::conds::{HeaderCond, ValueMatch};
use super::filter::{Filter, NginxFilter};
use super::host::HostIndex;
use super::{Compiled, Frontend, MatchInfo, PathKind, RouteInfo, RuleInfo, VHost};
use crate::attach::{self, BackendProblem, ResolvedBackend};
use crate::config::Config;
use crate::model::{
    BackendObjectReference, IngressBackend, IngressPathType, IngressSpec, Object, RouteKind,
};
use rustc_hash::FxHashMap;
use std::cmp::Reverse;

fn backend(
    config: &Config,
    resolver: &attach::Resolver<'_>,
    ns: &str,
    b: &IngressBackend,
) -> Backend {
    if let Some(r) = &b.resource {
        let resolved = ResolvedBackend {
            group: r.api_group.clone().unwrap_or_default(),
            kind: r.kind.clone(),
            namespace: ns.to_string(),
            name: r.name.clone(),
            port: None,
            app_protocol: None,
        };
        return Backend::new(0, 1, Ok(resolved), ("", "", "", "", None));
    }
    let Some(svc) = &b.service else {
        let p = BackendProblem {
            reason: "BackendNotFound",
            message: "backend names no Service".into(),
        };
        return Backend::new(0, 1, Err(p), ("", "Service", ns, "", None));
    };
    // A named port resolves through the Service (SPEC §9.3).
    let port = svc.port.number.or_else(|| {
        let name = svc.port.name.as_deref()?;
        let s = config
            .services
            .iter()
            .find(|s| s.meta.namespace == ns && s.meta.name == svc.name)?;
        s.spec.ports.iter().find(|p| p.name == name).map(|p| p.port)
    });
    let target = BackendObjectReference {
        name: svc.name.clone(),
        port,
        ..BackendObjectReference::default()
    };
    let resolved = match port {
        Some(_) => resolver.resolve(RouteKind::Ingress, ns, &target),
        None => Err(BackendProblem {
            reason: "BackendNotFound",
            message: format!("Service {ns}/{} has no port {:?}", svc.name, svc.port.name),
        }),
    };
    Backend::new(
        0,
        1,
        resolved,
        (
            "",
            "Service",
            ns,
            &svc.name,
            port.and_then(|p| u16::try_from(p).ok()),
        ),
    )
}

/// The rule of one Ingress path (or default backend): one backend, the flavor's filters.
fn rule_info(route: u32, index: usize, split: Split, filters: Box<[Filter]>) -> RuleInfo {
    RuleInfo::new(
        route,
        index as u32,
        split,
        super::RuleExtra {
            filters,
            ..Default::default()
        },
    )
}

/// The match of one Ingress path: a path condition (its value's index in
/// [`Compiled::paths`]), and a canary's header condition.
fn path_match(
    rule: u32,
    index: usize,
    kind: PathKind,
    path: u32,
    headers: Box<[HeaderCond]>,
) -> MatchInfo {
    MatchInfo::new(
        rule,
        index as u32,
        kind,
        path,
        super::MatchConds {
            headers,
            ..Default::default()
        },
    )
}

/// Fills the routes, rules, matches, vhosts and the one frontend of `out` with the Ingresses
/// of `class` (every Ingress when `None`).
pub(crate) fn compile(config: &Config, class: Option<&str>, out: &mut Compiled) {
    let Compiled {
        routes,
        rules,
        matches,
        paths,
        ..
    } = out;
    let mut path_ids = super::PathIds::default();
    let resolver = attach::resolver(config);
    let served = served(config, class, out.options.ingress_nginx);
    let mut flavor = Flavor::new(config, class, &served, &out.options);
    let (regexes, regex_bytes) = (&mut out.regexes, &mut out.regex_bytes);
    // Candidates per host key ("" = host-less), with their sort keys.
    let mut per_host: FxHashMap<String, Vec<(Key, u32)>> = FxHashMap::default();
    let mut defaults: Vec<((i64, String), u32)> = Vec::new();
    for ing in served {
        let ns = ing.meta.namespace.as_str();
        let key = format!("{}/{}", ns, ing.meta.name);
        let route = routes.len() as u32;
        routes.push(RouteInfo {
            kind: RouteKind::Ingress,
            namespace: ns.into(),
            name: ing.meta.name.as_str().into(),
            created: ing.created,
            dead: false,
        });
        let settings = flavor.nginx.then(|| nginx_settings(ing));
        // One rule and match: `targets` are `(backend, its namespace, weight)`.
        let mut add = |rule_index: usize,
                       match_index: usize,
                       targets: &[(&IngressBackend, &str, u32)],
                       (kind, value): (PathKind, &str),
                       headers: Box<[HeaderCond]>,
                       filters: Box<[Filter]>|
         -> u32 {
            let rule = rules.len() as u32;
            let split: Vec<Backend> = targets
                .iter()
                .enumerate()
                .map(|(i, (b, bns, w))| {
                    let mut t = backend(config, &resolver, bns, b);
                    (t.index, t.weight) = (i as u32, *w);
                    t
                })
                .collect();
            rules.push(rule_info(route, rule_index, Split::new(split), filters));
            let m = matches.len() as u32;
            let path = path_ids.id(paths, value);
            matches.push(path_match(rule, match_index, kind, path, headers));
            m
        };
        for (ri, r) in ing.spec.rules.iter().enumerate() {
            let host = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
            for (pi, p) in r.http.iter().flat_map(|h| h.paths.iter()).enumerate() {
                let Some((kind, value, rank)) = flavor.path(p, &host, regexes, regex_bytes) else {
                    // An invalid regex matches nothing; its host still exists.
                    per_host.entry(host.clone()).or_default();
                    continue;
                };
                let filters = settings.as_ref().map_or_else(Box::default, |s| {
                    flavor.filters(s, &host, &value_of(p), regex_bytes)
                });
                let k = |sub: u8| -> Key {
                    (
                        rank.0,
                        Reverse(value_len(p)),
                        rank.1,
                        ing.created,
                        key.clone(),
                        ri,
                        pi,
                        sub,
                    )
                };
                let main = (&p.backend, ns, 1);
                let canary_key = (host.clone(), p.path_type.to_string(), value_of(p));
                let Some(c) = flavor.canaries.get(&canary_key) else {
                    let m = add(ri, pi, &[main], (kind, &value), Box::default(), filters);
                    per_host
                        .entry(host.clone())
                        .or_default()
                        .push((k(u8::MAX), m));
                    continue;
                };
                let canary = (c.backend, c.namespace.as_str(), 1);
                // ingress-nginx's canary order: the header, then the cookie, then the weight.
                let mut decided: Vec<(HeaderCond, bool)> = Vec::new();
                if let Some((name, value)) = &c.header {
                    let exact = |v: &str| ValueMatch::Exact(v.as_bytes().into());
                    let cond = |v: &str| HeaderCond {
                        name: name.as_str().into(),
                        value: exact(v),
                    };
                    match value {
                        Some(v) => decided.push((cond(v), true)),
                        None => {
                            decided.push((cond("always"), true));
                            decided.push((cond("never"), false));
                        }
                    }
                }
                if let Some(cookie) = &c.cookie {
                    for (v, to_canary) in [("always", true), ("never", false)] {
                        let Some(id) = regex_id(
                            flavor.limit,
                            &cookie_pattern(cookie, v),
                            &mut flavor.regex_ids,
                            regexes,
                            regex_bytes,
                        ) else {
                            continue;
                        };
                        let cond = HeaderCond {
                            name: "cookie".into(),
                            value: ValueMatch::Regex(id),
                        };
                        decided.push((cond, to_canary));
                    }
                }
                for (sub, (cond, to_canary)) in decided.into_iter().enumerate() {
                    let target = if to_canary { canary } else { main };
                    let h: Box<[HeaderCond]> = Box::new([cond]);
                    let m = add(ri, pi, &[target], (kind, &value), h, filters.clone());
                    per_host
                        .entry(host.clone())
                        .or_default()
                        .push((k(sub as u8), m));
                }
                // The weighted split: main `total - w`, canary `w` (only main without weight).
                let split = [
                    (main.0, main.1, c.total - c.weight),
                    (canary.0, canary.1, c.weight),
                ];
                let split = if c.weight == 0 {
                    &split[..1]
                } else {
                    &split[..]
                };
                let m = add(ri, pi, split, (kind, &value), Box::default(), filters);
                per_host
                    .entry(host.clone())
                    .or_default()
                    .push((k(u8::MAX), m));
            }
        }
        if let Some(d) = &ing.spec.default_backend {
            let m = add(
                ing.spec.rules.len(),
                0,
                &[(d, ns, 1)],
                (PathKind::Prefix, "/"),
                Box::default(),
                Box::default(),
            );
            defaults.push(((ing.created, key.clone()), m));
        }
        // app-root: a request for `/` of the host is redirected, whatever the paths.
        let app_root = settings.as_ref().and_then(|s| s.app_root.as_deref());
        for (ri, r) in ing
            .spec
            .rules
            .iter()
            .enumerate()
            .filter(|_| app_root.is_some())
        {
            let host = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
            let (Some(root), Some(p)) = (app_root, r.http.iter().flat_map(|h| &h.paths).next())
            else {
                continue;
            };
            let n = r.http.as_ref().map_or(0, |h| h.paths.len());
            let f: Box<[Filter]> =
                Box::new([Filter::Nginx(Box::new(NginxFilter::AppRoot(root.into())))]);
            let m = add(
                ri,
                n,
                &[(&p.backend, ns, 1)],
                (PathKind::Exact, "/"),
                Box::default(),
                f,
            );
            let k: Key = (
                0,
                Reverse(usize::MAX),
                0,
                ing.created,
                key.clone(),
                ri,
                n,
                0,
            );
            per_host.entry(host).or_default().push((k, m));
        }
    }
    let default = first_default(defaults);
    let hosts = fill_hosts(out, per_host, default, &flavor.regex_ids);
    out.frontends.push(Frontend {
        port: 0,
        tls: false,
        listeners: Vec::new(),
        listener_index: super::listener_index::ListenerIndex::new(std::iter::empty()),
        host_blind: false,
        fixed_listener: u32::MAX,
        blind_vhost: [u32::MAX; 2],
        merged: hosts,
        merged_grpc: HostIndex::new(),
    });
    out.refresh_host_blind();
}

/// The sort key of an Ingress path among the candidates of its host: a flavor rank (Nginx:
/// Exact first), the longer path, then (Spec) Exact before Prefix, then the older Ingress,
/// then `namespace/name`, rule and path, then a canary's header and cookie conditions before
/// the path itself. ingress-nginx's app-root comes first (rank 0, longest).
type Key = (u8, Reverse<usize>, u8, i64, String, usize, usize, u8);

/// The Ingresses of `class` (every one when `None`), without the canaries for ingress-nginx
/// (`nginx`), where a canary Ingress takes traffic only through canary rules.
fn served<'c>(
    config: &'c Config,
    class: Option<&str>,
    nginx: bool,
) -> Vec<&'c Object<IngressSpec>> {
    config
        .ingresses
        .iter()
        .filter(|i| class.is_none_or(|c| ingress_class(config, i).is_ok_and(|k| k == c)))
        .filter(|i| !(nginx && nginx_flag(i, "canary")))
        .collect()
}

/// What the flavor (`Options::ingress_nginx`) decides about paths, and the regexes built.
struct Flavor<'c> {
    nginx: bool,
    /// Hosts whose paths are all regular expressions (ingress-nginx).
    regex_hosts: rustc_hash::FxHashSet<String>,
    /// Weighted canaries by `(host, pathType, path)` (ingress-nginx).
    canaries: FxHashMap<(String, String, String), Canary<'c>>,
    /// The DFA id of each pattern built.
    regex_ids: FxHashMap<String, u32>,
    /// `Options::regex_size_limit` and `Options::regex_router_budget`.
    limit: (usize, usize),
    /// Hosts with a certificate (ingress-nginx): named in a `tls` entry with a secret.
    tls_hosts: rustc_hash::FxHashSet<String>,
}

impl<'c> Flavor<'c> {
    fn new(
        config: &'c Config,
        class: Option<&str>,
        served: &[&Object<IngressSpec>],
        options: &crate::Options,
    ) -> Self {
        let nginx = options.ingress_nginx;
        Flavor {
            nginx,
            regex_hosts: if nginx {
                nginx_regex_hosts(served)
            } else {
                Default::default()
            },
            canaries: if nginx {
                nginx_canaries(config, class)
            } else {
                FxHashMap::default()
            },
            regex_ids: FxHashMap::default(),
            limit: (options.regex_size_limit, options.regex_router_budget),
            tls_hosts: if nginx {
                nginx_tls_hosts(served)
            } else {
                Default::default()
            },
        }
    }

    /// The filters of a path `value` of `host` of an Ingress with `settings`: its
    /// permanent-/temporal-redirect, else its HTTPS redirect (force-ssl-redirect, or
    /// ssl-redirect on a host with a certificate) and its rewrite-target.
    fn filters(
        &self,
        settings: &NginxSettings,
        host: &str,
        value: &str,
        regex_bytes: &mut usize,
    ) -> Box<[Filter]> {
        let nginx = |f: NginxFilter| Filter::Nginx(Box::new(f));
        if let Some((status, url)) = &settings.redirect {
            return Box::new([nginx(NginxFilter::Return {
                status: *status,
                url: url.as_str().into(),
            })]);
        }
        let mut out = Vec::new();
        if settings.force_ssl_redirect || settings.ssl_redirect && self.tls_hosts.contains(host) {
            out.push(nginx(NginxFilter::Https {
                status: 308,
                preserve_trailing_slash: settings.preserve_trailing_slash,
            }));
        }
        if let Some(target) = settings.rewrite_target.as_deref() {
            if target != value {
                let re = regex_automata::meta::Builder::new()
                    .configure(
                        regex_automata::meta::Config::new()
                            .nfa_size_limit(Some(self.limit.0))
                            .hybrid_cache_capacity(1 << 16),
                    )
                    .syntax(regex_automata::util::syntax::Config::new().case_insensitive(true))
                    .build(value);
                // A path that is not a regular expression matches nothing (`Flavor::path`);
                // the rewrite's regex counts in `Options::regex_router_budget` (over it, the
                // path is forwarded unchanged).
                let re = re.ok().filter(|re| {
                    let fits = regex_bytes.saturating_add(re.memory_usage()) <= self.limit.1;
                    if fits {
                        *regex_bytes += re.memory_usage();
                    }
                    fits
                });
                if let Some(re) = re {
                    out.push(nginx(NginxFilter::Rewrite {
                        re,
                        target: target.into(),
                    }));
                }
            }
        }
        out.into_boxed_slice()
    }

    /// The kind, value and `(rank, rank at equal length)` of path `p` of `host`; `None` for
    /// a regular expression that does not build (it matches nothing).
    fn path(
        &mut self,
        p: &crate::model::HttpIngressPath,
        host: &str,
        regexes: &mut super::Chunked<super::dfa::Dfa>,
        regex_bytes: &mut usize,
    ) -> Option<(PathKind, String, (u8, u8))> {
        let value = value_of(p);
        if !self.nginx {
            let exact = p.path_type == IngressPathType::Exact;
            let kind = if exact {
                PathKind::Exact
            } else {
                PathKind::Prefix
            };
            return Some((kind, value, (0, u8::from(!exact))));
        }
        let (kind, value, rank) = nginx_path(&p.path_type, &value, self.regex_hosts.contains(host));
        if kind == PathKind::Regex {
            regex_id(
                self.limit,
                &value,
                &mut self.regex_ids,
                regexes,
                regex_bytes,
            )?;
        }
        Some((kind, value, rank))
    }
}

/// A canary Ingress path with `canary-weight` (ingress-nginx), folded into the split of the
/// main Ingress's path of the same host, type and value.
struct Canary<'c> {
    weight: u32,
    total: u32,
    namespace: String,
    backend: &'c IngressBackend,
    /// `canary-by-header` (lowercased) and `canary-by-header-value`.
    header: Option<(String, Option<String>)>,
    /// `canary-by-cookie`.
    cookie: Option<String>,
}

/// The value of an Ingress path (`/` when absent or empty).
fn value_of(p: &crate::model::HttpIngressPath) -> String {
    p.path
        .as_deref()
        .filter(|v| !v.is_empty())
        .unwrap_or("/")
        .to_string()
}

/// The canaries of the Ingresses of `class`, by `(host, pathType, path)`: the oldest canary
/// Ingress (then `namespace/name`) with the path wins ([`nginx_canary`]).
fn nginx_canaries<'c>(
    config: &'c Config,
    class: Option<&str>,
) -> FxHashMap<(String, String, String), Canary<'c>> {
    let mut canaries: Vec<&Object<IngressSpec>> = config
        .ingresses
        .iter()
        .filter(|i| class.is_none_or(|c| ingress_class(config, i).is_ok_and(|k| k == c)))
        .filter(|i| nginx_flag(i, "canary"))
        .collect();
    canaries.sort_by_key(|a| (a.created, a.key()));
    let mut out = FxHashMap::default();
    for ing in canaries {
        let c = nginx_canary(ing);
        for r in &ing.spec.rules {
            let host = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
            for p in r.http.iter().flat_map(|h| h.paths.iter()) {
                let key = (host.clone(), p.path_type.to_string(), value_of(p));
                out.entry(key).or_insert(Canary {
                    weight: c.weight,
                    total: c.total,
                    namespace: ing.meta.namespace.clone(),
                    backend: &p.backend,
                    header: c.header.clone(),
                    cookie: c.cookie.clone(),
                });
            }
        }
    }
    out
}

/// How a canary Ingress decides (ingress-nginx's balancer.lua): `canary-by-header` (with
/// `canary-by-header-value`, else `always`/`never`), then `canary-by-cookie`
/// (`always`/`never`), then `canary-weight` of `canary-weight-total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NginxCanary {
    /// `canary-weight`: 0 when absent or not a number, at most `total`.
    pub weight: u32,
    /// `canary-weight-total`: 100 unless a number above 100 (balancer.lua ignores less).
    pub total: u32,
    /// `canary-by-header`, lowercased, and `canary-by-header-value`.
    pub header: Option<(String, Option<String>)>,
    /// `canary-by-cookie`.
    pub cookie: Option<String>,
}

/// The canary settings of `ing` (see [`NginxCanary`]).
pub(crate) fn nginx_canary(ing: &Object<IngressSpec>) -> NginxCanary {
    let total = match nginx_annotation(ing, "canary-weight-total").map(str::parse::<u32>) {
        Some(Ok(t)) if t > 100 => t,
        _ => 100,
    };
    let weight = nginx_annotation(ing, "canary-weight")
        .and_then(|w| w.parse::<u32>().ok())
        .unwrap_or(0)
        .min(total);
    let token = |h: &str| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    let header = nginx_annotation(ing, "canary-by-header")
        .filter(|h| token(h))
        .map(|h| {
            let value = nginx_annotation(ing, "canary-by-header-value")
                .filter(|v| !v.is_empty())
                .map(str::to_string);
            (h.to_ascii_lowercase(), value)
        });
    let cookie = nginx_annotation(ing, "canary-by-cookie")
        .filter(|c| token(c) && !c.contains(['$', '|', '*', '+', '.', '^', '\\']))
        .map(str::to_string);
    NginxCanary {
        weight,
        total,
        header,
        cookie,
    }
}

/// The Cookie header pattern of a canary cookie `name` with `value`: one of the `;`-separated
/// pairs (blanks around it ignored) is `name=value`.
pub(crate) fn cookie_pattern(name: &str, value: &str) -> String {
    format!("(?s:(?:.*;)?[ \\t]*{name}={value}[ \\t]*(?:;.*)?)")
}

/// The trimmed value of the ingress-nginx annotation `name` of `ing`.
pub(crate) fn nginx_annotation<'a>(ing: &'a Object<IngressSpec>, name: &str) -> Option<&'a str> {
    ing.meta
        .annotations
        .get(&format!("nginx.ingress.kubernetes.io/{name}"))
        .map(|v| v.trim())
}

/// ingress-nginx's boolean annotation (Go's `strconv.ParseBool`); `None` when absent or not a
/// boolean.
pub(crate) fn nginx_bool(ing: &Object<IngressSpec>, name: &str) -> Option<bool> {
    match nginx_annotation(ing, name)? {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// What ingress-nginx does with the redirect and rewrite annotations of one Ingress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NginxSettings {
    /// `temporal-redirect` (code `temporal-redirect-code`, 300–307, else 302) or, without
    /// it, `permanent-redirect` (code `permanent-redirect-code`, 300–308, else 301).
    pub redirect: Option<(u16, String)>,
    /// `ssl-redirect` (default true): redirect plain HTTP on hosts with a certificate.
    pub ssl_redirect: bool,
    /// `force-ssl-redirect`: redirect plain HTTP on every host.
    pub force_ssl_redirect: bool,
    /// `preserve-trailing-slash`.
    pub preserve_trailing_slash: bool,
    /// `rewrite-target`.
    pub rewrite_target: Option<String>,
    /// `app-root`: a path (starting with `/`).
    pub app_root: Option<String>,
}

/// The redirect and rewrite settings of `ing` (see [`NginxSettings`]).
pub(crate) fn nginx_settings(ing: &Object<IngressSpec>) -> NginxSettings {
    let code = |name: &str, range: std::ops::RangeInclusive<u16>, default: u16| {
        nginx_annotation(ing, name)
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|c| range.contains(c))
            .unwrap_or(default)
    };
    let temporal = nginx_annotation(ing, "temporal-redirect")
        .filter(|u| !u.is_empty())
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let redirect = match temporal {
        Some(u) => Some((
            code("temporal-redirect-code", 300..=307, 302),
            u.to_string(),
        )),
        None => nginx_annotation(ing, "permanent-redirect")
            .filter(|u| !u.is_empty())
            .map(|u| {
                (
                    code("permanent-redirect-code", 300..=308, 301),
                    u.to_string(),
                )
            }),
    };
    let app_root = nginx_annotation(ing, "app-root")
        .filter(|r| r.starts_with('/') && !r.starts_with("//"))
        .filter(|r| !r.bytes().any(|b| b.is_ascii_control() || b == b' '))
        .map(str::to_string);
    NginxSettings {
        redirect,
        ssl_redirect: nginx_bool(ing, "ssl-redirect").unwrap_or(true),
        force_ssl_redirect: nginx_bool(ing, "force-ssl-redirect").unwrap_or(false),
        preserve_trailing_slash: nginx_bool(ing, "preserve-trailing-slash").unwrap_or(false),
        rewrite_target: nginx_annotation(ing, "rewrite-target")
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        app_root,
    }
}

/// The hosts (lowercased) with a certificate in ingress-nginx: named in a `tls` entry with a
/// `secretName` of one of `served`.
pub(crate) fn nginx_tls_hosts(served: &[&Object<IngressSpec>]) -> rustc_hash::FxHashSet<String> {
    served
        .iter()
        .flat_map(|i| i.spec.tls.iter())
        .filter(|t| t.secret_name.as_deref().is_some_and(|s| !s.is_empty()))
        .flat_map(|t| t.hosts.iter())
        .map(|h| h.to_ascii_lowercase())
        .collect()
}

/// The length of an Ingress path's value (`/` when absent or empty).
fn value_len(p: &crate::model::HttpIngressPath) -> usize {
    p.path
        .as_deref()
        .filter(|v| !v.is_empty())
        .map_or(1, str::len)
}

/// Whether the ingress-nginx annotation `name` of `ing` is `"true"`.
pub(crate) fn nginx_flag(ing: &Object<IngressSpec>, name: &str) -> bool {
    ing.meta
        .annotations
        .get(&format!("nginx.ingress.kubernetes.io/{name}"))
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The hosts (lowercased, `""` for host-less rules) where ingress-nginx makes every path a
/// case-insensitive regular expression: some Ingress with a rule for the host has
/// `use-regex: "true"` or a `rewrite-target`.
pub(crate) fn nginx_regex_hosts(served: &[&Object<IngressSpec>]) -> rustc_hash::FxHashSet<String> {
    served
        .iter()
        .filter(|i| {
            nginx_bool(i, "use-regex") == Some(true)
                || i.meta
                    .annotations
                    .contains_key("nginx.ingress.kubernetes.io/rewrite-target")
        })
        .flat_map(|i| i.spec.rules.iter())
        .map(|r| r.host.as_deref().unwrap_or("").to_ascii_lowercase())
        .collect()
}

/// How ingress-nginx matches a path of type `kind` and value `value` (docs/ingress.md, "The
/// ingress-nginx flavor"): `(kind, value, (rank, 0))`. On a regex host every path is the
/// regular expression `~* ^value` (rank 0: by length only); else Exact is nginx's `= value`
/// (rank 0, before every prefix), Prefix element-wise (rank 1) and ImplementationSpecific
/// nginx's string prefix `location value` (rank 1).
pub(crate) fn nginx_path(
    kind: &IngressPathType,
    value: &str,
    regex_host: bool,
) -> (PathKind, String, (u8, u8)) {
    if regex_host {
        return (PathKind::Regex, format!("(?i:{value})(?s:.*)"), (0, 0));
    }
    match kind {
        IngressPathType::Exact => (PathKind::Exact, value.to_string(), (0, 0)),
        IngressPathType::Prefix => (PathKind::Prefix, value.to_string(), (1, 0)),
        _ => (
            PathKind::Regex,
            format!("{}(?s:.*)", regex_syntax::escape(value)),
            (1, 0),
        ),
    }
}

/// The id of the DFA of `pattern`, built on first use; `None` when it does not build within
/// `limit` (`Options::regex_size_limit`) or would take the Router's DFAs over `budget` bytes
/// (`Options::regex_router_budget`): such a path matches nothing.
fn regex_id(
    (limit, budget): (usize, usize),
    pattern: &str,
    ids: &mut FxHashMap<String, u32>,
    regexes: &mut super::Chunked<super::dfa::Dfa>,
    bytes: &mut usize,
) -> Option<u32> {
    if let Some(&id) = ids.get(pattern) {
        return Some(id);
    }
    let d = super::dfa::build(pattern, limit).ok()?;
    if bytes.saturating_add(d.memory_usage()) > budget {
        return None;
    }
    let id = regexes.len() as u32;
    *bytes += d.memory_usage();
    regexes.push(d);
    ids.insert(pattern.to_string(), id);
    Some(id)
}

/// One vhost per host key of `per_host` (`""`: host-less, the catch-all `*`), its candidates
/// in `Key` order and then `default`; a catch-all vhost with only `default` when no rule is
/// host-less. Returns the host index over them.
fn fill_hosts(
    out: &mut Compiled,
    per_host: FxHashMap<String, Vec<(Key, u32)>>,
    default: Option<u32>,
    regex_ids: &FxHashMap<String, u32>,
) -> HostIndex {
    let mut hosts: Vec<(String, Vec<(Key, u32)>)> = per_host.into_iter().collect();
    if default.is_some() && !hosts.iter().any(|h| h.0.is_empty()) {
        hosts.push((String::new(), Vec::new()));
    }
    hosts.sort_by(|a, b| a.0.cmp(&b.0));
    let mut index = if out.options.ingress_nginx {
        HostIndex::for_ingress_nginx()
    } else {
        HostIndex::for_ingress()
    };
    for (host, mut ms) in hosts {
        ms.sort_by(|a, b| a.0.cmp(&b.0));
        let cands: Vec<u32> = ms.into_iter().map(|(_, m)| m).chain(default).collect();
        // Spec Ingress paths are literal; the Nginx flavor's regexes were built above.
        let paths = super::lay_out(
            &out.matches,
            &out.paths,
            &mut out.header_names,
            &out.regexes,
            &cands,
            |p| regex_ids.get(p).copied().unwrap_or(u32::MAX),
        );
        let hostname = if host.is_empty() { "*" } else { host.as_str() };
        let v = out.vhosts.len() as u32;
        out.vhosts.push(VHost {
            hostname: hostname.into(),
            paths,
            grpc: Vec::new(),
            order: cands.into_boxed_slice(),
        });
        index.insert(hostname, v);
    }
    index
}

/// The match of the default backend that wins: the oldest Ingress's, then the smallest
/// `namespace/name`.
fn first_default(mut defaults: Vec<((i64, String), u32)>) -> Option<u32> {
    defaults.sort_by(|a, b| {
        a.0 .0
            .cmp(&b.0 .0)
            .then_with(|| a.0 .1.as_bytes().cmp(b.0 .1.as_bytes()))
    });
    defaults.first().map(|d| d.1)
}

/// The annotation naming an Ingress's class, read when `spec.ingressClassName` is absent.
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// The IngressClass annotation marking the cluster's default class (value `"true"`).
pub const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";

/// The class of an Ingress: `spec.ingressClassName`, else the `kubernetes.io/ingress.class`
/// annotation, else the one IngressClass annotated `ingressclass.kubernetes.io/is-default-class:
/// "true"`. `Err` explains why there is none (no default class, or several).
pub fn ingress_class(config: &Config, ingress: &Object<IngressSpec>) -> Result<String, String> {
    if let Some(c) = ingress.spec.ingress_class_name.as_deref() {
        if !c.is_empty() {
            return Ok(c.to_string());
        }
    }
    if let Some(c) = ingress.meta.annotations.get(CLASS_ANNOTATION) {
        if !c.is_empty() {
            return Ok(c.clone());
        }
    }
    let mut defaults: Vec<&str> = config
        .ingress_classes
        .iter()
        .filter(|c| {
            c.meta
                .annotations
                .get(DEFAULT_CLASS_ANNOTATION)
                .is_some_and(|v| v == "true")
        })
        .map(|c| c.meta.name.as_str())
        .collect();
    defaults.sort_unstable();
    defaults.dedup();
    match defaults.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(format!(
            "no ingress class: spec.ingressClassName and the {CLASS_ANNOTATION} annotation are \
             absent and no IngressClass is marked {DEFAULT_CLASS_ANNOTATION}: \"true\"; skipped"
        )),
        many => Err(format!(
            "no ingress class: spec.ingressClassName and the {CLASS_ANNOTATION} annotation are \
             absent and {} IngressClasses are marked default ({}); skipped",
            many.len(),
            many.join(", ")
        )),
    }
}
