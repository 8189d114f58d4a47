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

/// The rule of one Ingress path (or default backend): one backend, no filters.
fn rule_info(route: u32, index: usize, target: Backend) -> RuleInfo {
    RuleInfo {
        route,
        index: index as u32,
        name: None,
        split: Split::new(vec![target]),
        filters: Box::default(),
        policies: None,
    }
}

/// The match of one Ingress path: a path condition only.
fn path_match(rule: u32, index: usize, kind: PathKind, value: &str) -> MatchInfo {
    MatchInfo {
        rule,
        index: index as u32,
        path_kind: kind,
        path_value: value.into(),
        method: None,
        headers: Box::default(),
        query: Box::default(),
        grpc: None,
        params: Default::default(),
    }
}

/// Fills the routes, rules, matches, vhosts and the one frontend of `out` with the Ingresses
/// of `class` (every Ingress when `None`).
pub(crate) fn compile(config: &Config, class: Option<&str>, out: &mut Compiled) {
    let Compiled {
        routes,
        rules,
        matches,
        ..
    } = out;
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
        });
        let mut add = |rule_index: usize,
                       match_index: usize,
                       b: &IngressBackend,
                       kind: PathKind,
                       value: &str,
                       canary: Option<&Canary>|
         -> u32 {
            let rule = rules.len() as u32;
            let target = backend(config, &resolver, ns, b);
            let mut info = rule_info(route, rule_index, target);
            if let Some(c) = canary {
                // ingress-nginx's canary-weight split: main `total - w`, canary `w`.
                let mut main = backend(config, &resolver, ns, b);
                main.weight = c.total - c.weight;
                let mut other = backend(config, &resolver, &c.namespace, c.backend);
                (other.index, other.weight) = (1, c.weight);
                info.split = Split::new(vec![main, other]);
            }
            rules.push(info);
            let m = matches.len() as u32;
            matches.push(path_match(rule, match_index, kind, value));
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
                let canary =
                    flavor
                        .canaries
                        .get(&(host.clone(), p.path_type.to_string(), value_of(p)));
                let m = add(ri, pi, &p.backend, kind, &value, canary);
                let k: Key = (
                    rank.0,
                    Reverse(value_len(p)),
                    rank.1,
                    ing.created,
                    key.clone(),
                    ri,
                    pi,
                );
                per_host.entry(host.clone()).or_default().push((k, m));
            }
        }
        if let Some(d) = &ing.spec.default_backend {
            let m = add(ing.spec.rules.len(), 0, d, PathKind::Prefix, "/", None);
            defaults.push(((ing.created, key.clone()), m));
        }
    }
    let default = first_default(defaults);
    let hosts = fill_hosts(out, per_host, default, &flavor.regex_ids);
    out.frontends.push(Frontend {
        port: 0,
        tls: false,
        listeners: Vec::new(),
        listener_index: super::listener_index::ListenerIndex::new(std::iter::empty()),
        host_blind: hosts.any_only(),
        merged: hosts,
        merged_grpc: HostIndex::new(),
    });
}

/// The sort key of an Ingress path among the candidates of its host: a flavor rank (Nginx:
/// Exact first), the longer path, then (Spec) Exact before Prefix, then the older Ingress,
/// then `namespace/name`, rule and path.
type Key = (u8, Reverse<usize>, u8, i64, String, usize, usize);

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
        }
    }

    /// The kind, value and `(rank, rank at equal length)` of path `p` of `host`; `None` for
    /// a regular expression that does not build (it matches nothing).
    fn path(
        &mut self,
        p: &crate::model::HttpIngressPath,
        host: &str,
        regexes: &mut Vec<super::dfa::Dfa>,
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
}

/// The value of an Ingress path (`/` when absent or empty).
fn value_of(p: &crate::model::HttpIngressPath) -> String {
    p.path
        .as_deref()
        .filter(|v| !v.is_empty())
        .unwrap_or("/")
        .to_string()
}

/// The weighted canaries of the Ingresses of `class`, by `(host, pathType, path)`: the oldest
/// canary Ingress (then `namespace/name`) with a valid `canary-weight` (0 to
/// `canary-weight-total`, default 100) wins.
fn nginx_canaries<'c>(
    config: &'c Config,
    class: Option<&str>,
) -> FxHashMap<(String, String, String), Canary<'c>> {
    let annotation = |i: &Object<IngressSpec>, n: &str| {
        i.meta
            .annotations
            .get(&format!("nginx.ingress.kubernetes.io/{n}"))
            .map(|v| v.trim().parse::<u32>())
    };
    let mut canaries: Vec<&Object<IngressSpec>> = config
        .ingresses
        .iter()
        .filter(|i| class.is_none_or(|c| ingress_class(config, i).is_ok_and(|k| k == c)))
        .filter(|i| nginx_flag(i, "canary"))
        .collect();
    canaries.sort_by_key(|a| (a.created, a.key()));
    let mut out = FxHashMap::default();
    for ing in canaries {
        let total = match annotation(ing, "canary-weight-total") {
            None => 100,
            Some(Ok(t)) if t > 0 => t,
            Some(_) => continue,
        };
        let weight = match annotation(ing, "canary-weight") {
            Some(Ok(w)) if w <= total => w,
            _ => continue,
        };
        for r in &ing.spec.rules {
            let host = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
            for p in r.http.iter().flat_map(|h| h.paths.iter()) {
                let key = (host.clone(), p.path_type.to_string(), value_of(p));
                out.entry(key).or_insert(Canary {
                    weight,
                    total,
                    namespace: ing.meta.namespace.clone(),
                    backend: &p.backend,
                });
            }
        }
    }
    out
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
            nginx_flag(i, "use-regex")
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
    regexes: &mut Vec<super::dfa::Dfa>,
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
        let (paths, regex) = super::lay_out(&out.matches, &cands, |p| {
            regex_ids.get(p).copied().unwrap_or(u32::MAX)
        });
        let hostname = if host.is_empty() { "*" } else { host.as_str() };
        let v = out.vhosts.len() as u32;
        out.vhosts.push(VHost {
            hostname: hostname.into(),
            paths,
            regex,
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
