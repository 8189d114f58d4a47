//! `verify`: route generated requests through the Ingresses (native Ingress routing) and
//! through their conversion (Gateway API routing) and list every request answered differently,
//! each with the documented difference (docs/ingress.md) that explains it, if one does.

use super::{ingress_class, ingress_to_gateway, ConvertOptions, ImplementationSpecific};
use crate::config::Config;
use crate::model::{IngressPathType, IngressSpec, Object};
use crate::{Action, ActionKind, Options, Outcome, Request, Router};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// At most this many requests are generated per ingress class (hosts × paths).
const MAX_REQUESTS: usize = 100_000;

/// One request that the Ingresses and their conversion answer differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The ingress class whose Ingresses and Gateways were compared.
    pub class: String,
    /// The request, `host/path` (a `GET` on port 80), `https://host/path` on port 443 (hosts
    /// with TLS), with ` [Name: value]` when it carries a canary's header or cookie.
    pub request: String,
    /// What Ingress routing answers: `namespace/service:port`, a split `a:80 (80) | b:80 (20)`
    /// (with weights),
    /// `status N`, `redirect N location`, with ` path=…` when the upstream path differs.
    pub ingress: String,
    /// What the converted Gateway API configuration answers, in the same form.
    pub gateway: String,
    /// The documented difference that explains it (a heading of docs/ingress.md:
    /// `wildcard-depth`, `path-precedence`, `host-fallback`, `default-backend`,
    /// `implementation-specific`, `duplicate-path`, `namespaces`, `not-converted`,
    /// `nginx-annotations`, `ssl-redirect`, `trailing-slash`, `redirect-url`, `regex-case`, `ssl-passthrough`, `rewrite-target`), or `None`
    /// when none does.
    pub cause: Option<&'static str>,
}

/// The result of [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// How many requests were routed through both.
    pub requests: usize,
    /// Every request answered differently, in generation order.
    pub differences: Vec<Difference>,
}

impl Verification {
    /// Whether every difference is explained by a documented cause.
    pub fn is_ok(&self) -> bool {
        self.differences.iter().all(|d| d.cause.is_some())
    }

    /// The differences grouped by cause (unexplained first), then a one-line verdict.
    pub fn report(&self) -> String {
        let mut groups: BTreeMap<&str, Vec<&Difference>> = BTreeMap::new();
        for d in &self.differences {
            groups
                .entry(d.cause.unwrap_or(" unexplained"))
                .or_default()
                .push(d);
        }
        let mut out = String::new();
        for (cause, ds) in &groups {
            let title = match cause.trim() {
                "unexplained" => "UNEXPLAINED".to_string(),
                c => format!("{c} (docs/ingress.md: {})", section(c)),
            };
            let _ = writeln!(out, "{title}: {} request(s)", ds.len());
            let w1 = ds.iter().map(|d| d.request.len()).max().unwrap_or(0).max(7);
            let w2 = ds.iter().map(|d| d.ingress.len()).max().unwrap_or(0).max(7);
            let _ = writeln!(out, "  {:<w1$}  {:<w2$}  gateway", "request", "ingress");
            for d in ds {
                let _ = writeln!(
                    out,
                    "  {:<w1$}  {:<w2$}  {}",
                    d.request, d.ingress, d.gateway
                );
            }
        }
        let unexplained = self
            .differences
            .iter()
            .filter(|d| d.cause.is_none())
            .count();
        let explained = self.differences.len() - unexplained;
        let verdict = if unexplained == 0 { "OK" } else { "FAILED" };
        let _ = writeln!(
            out,
            "verify: {verdict}: {} requests, {} same, {explained} differ by documented \
             causes, {unexplained} unexplained",
            self.requests,
            self.requests - self.differences.len()
        );
        out
    }
}

/// The docs/ingress.md section of a cause.
fn section(cause: &str) -> &'static str {
    match cause {
        "wildcard-depth" => "1. wildcards",
        "path-precedence" => "2. path precedence",
        "host-fallback" => "3. host-first selection",
        "default-backend" => "4. default backend",
        "duplicate-path" => "6. the same path in several Ingresses",
        "implementation-specific" => "5. ImplementationSpecific paths",
        "namespaces" => "7. one Gateway per namespace",
        "nginx-annotations" => "ingress-nginx annotations (Ingress routing ignores them)",
        "ssl-redirect" => "ingress-nginx's HTTP to HTTPS redirect (Ingress routing answers)",
        "trailing-slash" => "ingress-nginx's HTTPS redirect drops a trailing slash",
        "redirect-url" => "redirect URLs and codes Gateway API cannot express",
        "regex-case" => "rewrite-target capture groups as a case-sensitive PathPrefix",
        "ssl-passthrough" => "ssl-passthrough becomes a TLSRoute; its HTTP rules are dropped",
        "rewrite-target" => "a rewrite-target with capture groups that does not convert",
        _ => "an error of the conversion",
    }
}

/// Converts the Ingresses of `config` with `options`, routes generated requests through both
/// the Ingresses (as [`Router::from_ingress`] routes them; with [`ConvertOptions::nginx`], as
/// ingress-nginx does, [`Options::ingress_nginx`]) and the converted Gateways and HTTPRoutes,
/// and returns every request answered differently with its documented cause.
///
/// For each ingress class, the requests are every Ingress host (a wildcard `*.s` as `x.s`,
/// `x.y.s` and `s`) and an unknown host, each with every Ingress path at, below
/// (`p/x`), beside (`px`) and above (its parent) its boundary, with and without a trailing
/// `/`, plus `/` — at most 100 000 per class.
///
/// ```
/// let config = trieway::Config::from_str(r#"
/// apiVersion: networking.k8s.io/v1
/// kind: Ingress
/// metadata: {name: web, namespace: shop}
/// spec:
///   ingressClassName: edge
///   rules:
///   - host: "*.example.com"
///     http:
///       paths:
///       - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
/// "#);
/// let v = trieway::convert::verify(&config, &Default::default());
/// assert!(v.is_ok());
/// // a.b.example.com: Ingress wildcards cover one label, Gateway API wildcards several.
/// assert_eq!(v.differences[0].cause, Some("wildcard-depth"));
/// ```
pub fn verify(config: &Config, options: &ConvertOptions) -> Verification {
    let conversion = ingress_to_gateway(config, options);
    verify_converted(config, options, &conversion)
}

/// [`verify`] of a given conversion of `config`'s Ingresses (as [`ingress_to_gateway`]
/// returned it with `options`, possibly edited since): every request the Ingresses and those
/// objects answer differently. A conversion edited to route otherwise shows up as
/// unexplained differences.
pub fn verify_converted(
    config: &Config,
    options: &ConvertOptions,
    conversion: &super::Conversion,
) -> Verification {
    let converted = converted_config(config, &conversion.objects);
    let not_converted: BTreeSet<String> = conversion
        .errors
        .iter()
        .filter(|e| e.field.starts_with("spec"))
        .map(|e| e.object.clone())
        .collect();
    let sources = route_sources(&conversion.objects);
    let rules: BTreeMap<String, usize> = config
        .ingresses
        .iter()
        .map(|i| (i.key(), i.spec.rules.len()))
        .collect();
    let mut classes: BTreeMap<String, Vec<&Object<IngressSpec>>> = BTreeMap::new();
    for ing in &config.ingresses {
        if let Ok(c) = ingress_class(config, ing) {
            classes.entry(c).or_default().push(ing);
        }
    }
    let mut implementation_specific = BTreeSet::new();
    // ingress-nginx reads ImplementationSpecific as a string prefix, the conversion as
    // PathPrefix.
    // On a use-regex host the Nginx flavor and the conversion both read it as a regex.
    let all: Vec<&Object<IngressSpec>> = config
        .ingresses
        .iter()
        .filter(|i| !super::nginx::is_canary(i))
        .collect();
    let regex_hosts = if options.nginx {
        crate::compile::ingress::nginx_regex_hosts(&all)
    } else {
        Default::default()
    };
    if options.implementation_specific != ImplementationSpecific::Prefix || options.nginx {
        for ing in &config.ingresses {
            for (ri, r) in ing.spec.rules.iter().enumerate() {
                let host = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
                if regex_hosts.contains(&host) {
                    continue;
                }
                for (pi, p) in r.http.iter().flat_map(|h| &h.paths).enumerate() {
                    if p.path_type == IngressPathType::ImplementationSpecific {
                        implementation_specific.insert((ing.key(), ri, pi));
                    }
                }
            }
        }
    }
    // Spec routing ignores every annotation the conversion applies; the Nginx flavor models
    // them but for backend-protocol gRPC (the host becomes a GRPCRoute).
    let annotated: BTreeSet<String> = config
        .ingresses
        .iter()
        .filter(|i| {
            if options.nginx {
                super::nginx::grpc(i)
            } else {
                super::nginx::converted_annotations(i)
            }
        })
        .flat_map(|i| {
            i.spec
                .rules
                .iter()
                .map(|r| r.host.clone().unwrap_or_default())
        })
        .collect();
    // Ingresses whose permanent-/temporal-redirect Gateway API cannot express exactly (a
    // query or fragment in the URL, or a code other than 301, 302, 303, 307 and 308).
    let redirects: BTreeSet<String> = config
        .ingresses
        .iter()
        .filter(|i| {
            let s = crate::compile::ingress::nginx_settings(i);
            s.redirect.is_some_and(|(code, url)| {
                url.contains(['?', '#']) || ![301, 302, 303, 307, 308].contains(&code)
            })
        })
        .map(|i| i.key())
        .collect();
    // Hosts (`""`: without host) where several non-canary Ingresses define the same path: the
    // conversion splits it over their backends (a warning), Ingress routing takes one.
    let mut seen: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for ing in config
        .ingresses
        .iter()
        .filter(|i| !super::nginx::is_canary(i))
    {
        for r in &ing.spec.rules {
            let host = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
            for p in r.http.iter().flat_map(|h| &h.paths) {
                let key = (
                    host.clone(),
                    p.path_type.to_string(),
                    p.path.clone().unwrap_or_default(),
                );
                seen.entry(key).or_default().insert(ing.key());
            }
        }
    }
    let duplicated: BTreeSet<String> = seen
        .into_iter()
        .filter(|(_, ings)| ings.len() > 1)
        .map(|((host, _, _), _)| host)
        .collect();
    // Ingresses whose rewrite-target the conversion could not express (it warned: the path is
    // forwarded unchanged).
    let unrewritten: BTreeSet<String> = conversion
        .warnings
        .iter()
        .filter(|w| w.field.contains("rewrite-target") && w.message.contains("unchanged"))
        .map(|w| w.object.clone())
        .collect();
    // ssl-passthrough Ingresses: their hosts' TLS goes undecrypted to the backend (a TLSRoute),
    // and their HTTP rules are not converted.
    let passthrough: BTreeSet<String> = config
        .ingresses
        .iter()
        .filter(|i| super::nginx::passthrough(i))
        .map(|i| i.key())
        .collect();
    let mut result = Verification::default();
    for (class, ingresses) in &classes {
        let flavor = Options {
            ingress_nginx: options.nginx,
            ..Options::default()
        };
        let legacy = Router::from_ingress(config, Some(class), flavor);
        let gateways: Vec<(String, Router)> = conversion
            .objects
            .iter()
            .filter(|o| o["kind"] == "Gateway" && o["metadata"]["name"] == class.as_str())
            .filter_map(|o| {
                let ns = o["metadata"]["namespace"].as_str()?.to_string();
                let opts = Options {
                    gateway: Some(format!("{ns}/{class}")),
                    ..Options::default()
                };
                Some((ns, Router::new(&converted, opts).ok()?))
            })
            .collect();
        let ctx = Ctx {
            class,
            legacy: &legacy,
            gateways: &gateways,
            sources: &sources,
            not_converted: &not_converted,
            rules: &rules,
            implementation_specific: &implementation_specific,
            annotated: &annotated,
            nginx: options.nginx,
            redirects: &redirects,
            regex_hosts: &regex_hosts,
            passthrough: &passthrough,
            unrewritten: &unrewritten,
            duplicated: &duplicated,
        };
        for (host, path, header, https) in requests(ingresses) {
            result.requests += 1;
            if let Some(d) = ctx.compare(&host, &path, header.as_ref(), https) {
                result.differences.push(d);
            }
        }
    }
    result
}

/// The converted objects loaded into a Config, with the Services, EndpointSlices, Secrets,
/// Namespaces and ReferenceGrants of the input and one GatewayClass per Gateway class.
fn converted_config(config: &Config, objects: &[Value]) -> Config {
    let mut b = Config::builder();
    let classes: BTreeSet<&str> = objects
        .iter()
        .filter(|o| o["kind"] == "Gateway")
        .filter_map(|o| o["spec"]["gatewayClassName"].as_str())
        .collect();
    for (i, class) in classes.into_iter().enumerate() {
        b.add_value(
            serde_json::json!({
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                "metadata": {"name": class},
                "spec": {"controllerName": "trieway.dev/verify"}
            }),
            "verify",
            i,
        );
    }
    for (i, o) in objects.iter().enumerate() {
        b.add_value(o.clone(), "converted", i);
    }
    // The TLS Secrets the Ingresses name exist in the cluster even when the input lacks them:
    // stand-ins, so that HTTPS listeners are ready and routing is what gets compared.
    let known: BTreeSet<(&str, &str)> = config
        .secrets
        .iter()
        .map(|s| (s.meta.namespace.as_str(), s.meta.name.as_str()))
        .collect();
    let mut stand_ins = BTreeSet::new();
    for gw in objects.iter().filter(|o| o["kind"] == "Gateway") {
        let ns = gw["metadata"]["namespace"].as_str().unwrap_or("");
        for l in gw["spec"]["listeners"].as_array().into_iter().flatten() {
            for r in l["tls"]["certificateRefs"].as_array().into_iter().flatten() {
                let name = r["name"].as_str().unwrap_or("");
                if !known.contains(&(ns, name)) {
                    stand_ins.insert((ns.to_string(), name.to_string()));
                }
            }
        }
    }
    for (i, (ns, name)) in stand_ins.into_iter().enumerate() {
        b.add_value(
            serde_json::json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": name, "namespace": ns}, "type": "kubernetes.io/tls"}),
            "verify",
            i,
        );
    }
    // Likewise the CA ConfigMaps of converted BackendTLSPolicies (the conversion warns that
    // they must be created from the Secret named by proxy-ssl-secret): a stand-in bundle of
    // one (empty) DER sequence, so that the policy is accepted and routing is compared.
    let known: BTreeSet<(&str, &str)> = config
        .config_maps
        .iter()
        .map(|c| (c.meta.namespace.as_str(), c.meta.name.as_str()))
        .collect();
    let mut cas = BTreeSet::new();
    for p in objects.iter().filter(|o| o["kind"] == "BackendTLSPolicy") {
        let ns = p["metadata"]["namespace"].as_str().unwrap_or("");
        let refs = p["spec"]["validation"]["caCertificateRefs"].as_array();
        for r in refs
            .into_iter()
            .flatten()
            .filter(|r| r["kind"] == "ConfigMap")
        {
            let name = r["name"].as_str().unwrap_or("");
            if !known.contains(&(ns, name)) {
                cas.insert((ns.to_string(), name.to_string()));
            }
        }
    }
    for (i, (ns, name)) in cas.into_iter().enumerate() {
        b.add_value(
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": ns},
                "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMAIFAA==\n-----END CERTIFICATE-----\n"}}),
            "verify",
            i,
        );
    }
    let mut c = b.finish();
    c.services = config.services.clone();
    c.config_maps.extend(config.config_maps.iter().cloned());
    c.endpoint_slices = config.endpoint_slices.clone();
    c.secrets.extend(config.secrets.iter().cloned());
    c.namespaces = config.namespaces.clone();
    c.reference_grants = config.reference_grants.clone();
    c
}

/// Where a converted HTTPRoute comes from: the Ingress host of its rules (`""`: rules without
/// host), or `None` for a default-backend route. Keyed by `namespace/name`.
fn route_sources(objects: &[Value]) -> BTreeMap<String, Option<String>> {
    objects
        .iter()
        .filter(|o| o["kind"] == "HTTPRoute")
        .map(|o| {
            let key = format!(
                "{}/{}",
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("")
            );
            let rules = o["spec"]["rules"].as_array();
            let default = rules.is_some_and(|r| r.len() == 1 && r[0].get("matches").is_none());
            let host = o["spec"]["hostnames"][0].as_str().unwrap_or("").to_string();
            (key, (!default).then_some(host))
        })
        .collect()
}

/// A generated request: host, path, one header (a canary's) and whether it is HTTPS (port
/// 443) rather than HTTP (port 80).
type GenRequest = (String, String, Option<(String, String)>, bool);

/// The requests exercising the rules of `ingresses`: every host with every path (see
/// [`verify`]), then, per canary Ingress, its hosts and paths with its header and cookie set
/// to `always`/`never` (or the `canary-by-header-value`).
fn requests(ingresses: &[&Object<IngressSpec>]) -> Vec<GenRequest> {
    let mut hosts: BTreeSet<String> = BTreeSet::new();
    let mut paths: BTreeSet<String> = BTreeSet::from(["/".to_string()]);
    for ing in ingresses {
        for r in &ing.spec.rules {
            let host = r.host.as_deref().unwrap_or("").to_ascii_lowercase();
            match host.strip_prefix("*.") {
                Some(suffix) => {
                    hosts.insert(format!("x.{suffix}"));
                    hosts.insert(format!("x.y.{suffix}"));
                    hosts.insert(suffix.to_string());
                }
                None if !host.is_empty() => {
                    hosts.insert(host);
                }
                None => {}
            }
            for p in r.http.iter().flat_map(|h| &h.paths) {
                let v = p.path.as_deref().unwrap_or("/");
                if !v.starts_with('/')
                    || p.path_type == IngressPathType::ImplementationSpecific
                        && v.contains(['(', '[', '*', '$', '|', '\\'])
                {
                    paths.insert(v.to_string());
                    regex_variants(v, &mut paths);
                    continue;
                }
                path_variants(v, &mut paths);
            }
        }
    }
    hosts.insert("unknown.invalid".to_string());
    let mut out = Vec::new();
    for h in &hosts {
        for p in &paths {
            if out.len() >= MAX_REQUESTS {
                return out;
            }
            out.push((h.clone(), p.clone(), None, false));
        }
    }
    // HTTPS for the hosts with TLS (and an HTTPS listener once converted).
    for ing in ingresses {
        for t in &ing.spec.tls {
            for h in &t.hosts {
                let host = h.to_ascii_lowercase().replace('*', "x");
                for p in &paths {
                    if out.len() >= MAX_REQUESTS {
                        return out;
                    }
                    out.push((host.clone(), p.clone(), None, true));
                }
            }
        }
    }
    let tls_hosts: BTreeSet<String> = ingresses
        .iter()
        .flat_map(|i| &i.spec.tls)
        .flat_map(|t| &t.hosts)
        .map(|h| h.to_ascii_lowercase().replace('*', "x"))
        .collect();
    for ing in ingresses {
        for header in canary_headers(ing) {
            for r in &ing.spec.rules {
                let host = r.host.as_deref().unwrap_or("h.invalid").replace('*', "x");
                let mut own = BTreeSet::new();
                for p in r.http.iter().flat_map(|h| &h.paths) {
                    path_variants(p.path.as_deref().unwrap_or("/"), &mut own);
                }
                // Over HTTPS too where the host has TLS (plain HTTP may be redirected).
                let https = tls_hosts.contains(&host.to_ascii_lowercase());
                for p in own {
                    for secure in [false, true] {
                        if out.len() >= MAX_REQUESTS {
                            return out;
                        }
                        if !secure || https {
                            out.push((host.clone(), p.clone(), Some(header.clone()), secure));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The header lines that decide for the canary Ingress `ing` (none when it is not one).
fn canary_headers(ing: &Object<IngressSpec>) -> Vec<(String, String)> {
    let get = |n: &str| {
        ing.meta
            .annotations
            .get(&format!("{}{n}", super::nginx::PREFIX))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if !super::nginx::is_canary(ing) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(h) = get("canary-by-header") {
        match get("canary-by-header-value") {
            Some(v) => out.push((h, v)),
            None => {
                out.push((h.clone(), "always".into()));
                out.push((h, "never".into()));
            }
        }
    }
    if let Some(c) = get("canary-by-cookie") {
        out.push(("Cookie".into(), format!("{c}=always")));
        out.push(("Cookie".into(), format!("{c}=never")));
    }
    out
}

/// For a path that is a regular expression (ingress-nginx's use-regex): the variants of its
/// literal start (up to the first metacharacter), and that start with `/x/y` and in capitals.
fn regex_variants(p: &str, out: &mut BTreeSet<String>) {
    let end = p
        .find(['(', '[', '*', '$', '|', '\\', '.', '+', '?', '{', '^'])
        .unwrap_or(p.len());
    let literal = &p[..end];
    if !literal.starts_with('/') {
        return;
    }
    path_variants(literal, out);
    let base = literal.strip_suffix('/').unwrap_or(literal);
    out.insert(format!("{base}/x/y"));
    out.insert(format!("{}/x", base.to_ascii_uppercase()));
}

/// `p`, `p/`, `p/x`, `px` and the parent of `p`.
fn path_variants(p: &str, out: &mut BTreeSet<String>) {
    let base = p.strip_suffix('/').unwrap_or(p);
    out.insert(p.to_string());
    out.insert(format!("{base}/"));
    out.insert(format!("{base}/x"));
    if !base.is_empty() {
        out.insert(base.to_string());
        out.insert(format!("{base}x"));
        let parent = &base[..base.rfind('/').unwrap_or(0)];
        out.insert(if parent.is_empty() {
            "/".into()
        } else {
            parent.to_string()
        });
    }
}

/// One routing answer in comparable form, and where it came from.
struct Answer {
    text: String,
    /// `namespace/name` of the route or Ingress that matched.
    route: Option<String>,
    /// The Ingress host selected, or the converted route's source (see [`route_sources`]).
    host: Option<Option<String>>,
    /// Distinct backends of the matched rule.
    backends: usize,
    /// The Ingress answer came from its default backend.
    default: bool,
    /// `(route, rule index, match index)` of the match.
    at: Option<(String, usize, usize)>,
}

struct Ctx<'a> {
    class: &'a str,
    legacy: &'a Router,
    gateways: &'a [(String, Router)],
    sources: &'a BTreeMap<String, Option<String>>,
    not_converted: &'a BTreeSet<String>,
    /// Number of `spec.rules` per Ingress `namespace/name`.
    rules: &'a BTreeMap<String, usize>,
    /// The `(rule, path)` indexes of the ImplementationSpecific paths per Ingress, when the
    /// conversion reads them other than as trieway's Ingress routing (Prefix) does.
    implementation_specific: &'a BTreeSet<(String, usize, usize)>,
    /// The hosts (`""`: rules without host) with an Ingress whose ingress-nginx annotations
    /// the conversion applies and Ingress routing ignores (the Spec flavor: all of them; the
    /// Nginx flavor: backend-protocol gRPC).
    annotated: &'a BTreeSet<String>,
    /// Ingress routing is ingress-nginx's ([`ConvertOptions::nginx`]).
    nginx: bool,
    /// Ingresses (`namespace/name`) whose redirect URL or code Gateway API cannot express.
    redirects: &'a BTreeSet<String>,
    /// Hosts whose paths ingress-nginx reads as case-insensitive regexes (Nginx flavor).
    regex_hosts: &'a rustc_hash::FxHashSet<String>,
    /// Ingresses (`namespace/name`) with ssl-passthrough.
    passthrough: &'a BTreeSet<String>,
    /// Ingresses (`namespace/name`) whose rewrite-target did not convert (warned).
    unrewritten: &'a BTreeSet<String>,
    /// Hosts (`""`: without host) with a path defined by several non-canary Ingresses.
    duplicated: &'a BTreeSet<String>,
}

impl Ctx<'_> {
    fn compare(
        &self,
        host: &str,
        path: &str,
        header: Option<&(String, String)>,
        https: bool,
    ) -> Option<Difference> {
        let pairs: Vec<(&str, &str)> = header
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let req = Request::new("GET", host, path)
            .port(if https { 443 } else { 80 })
            .scheme(if https { "https" } else { "http" })
            .headers(crate::Headers::Pairs(&pairs));
        let ingress = answer(&self.legacy.route(&req), (&req, path), None, self.rules);
        // The Gateway of the namespace whose Ingress answered, else the first that matches.
        let ns = ingress.route.as_deref().and_then(|r| r.split('/').next());
        let mut gateway = None;
        for (gns, r) in self.gateways {
            let a = answer(&r.route(&req), (&req, path), Some(self.sources), self.rules);
            if a.route.is_some() && (gateway.is_none() || Some(gns.as_str()) == ns) {
                gateway = Some(a);
            }
        }
        let gateway =
            gateway.unwrap_or_else(|| answer(&Outcome::NotFound, (&req, path), None, self.rules));
        if ingress.text == gateway.text {
            return None;
        }
        let cause = self.cause(host, path, &ingress, &gateway);
        Some(Difference {
            class: self.class.to_string(),
            request: match (header, https) {
                (Some((k, v)), true) => format!("https://{host}{path} [{k}: {v}]"),
                (Some((k, v)), false) => format!("{host}{path} [{k}: {v}]"),
                (None, true) => format!("https://{host}{path}"),
                (None, false) => format!("{host}{path}"),
            },
            ingress: ingress.text,
            gateway: gateway.text,
            cause,
        })
    }

    /// The documented difference explaining why `i` (Ingress) and `g` (Gateway API) differ.
    fn cause(&self, host: &str, path: &str, i: &Answer, g: &Answer) -> Option<&'static str> {
        if i.route
            .as_ref()
            .is_some_and(|r| self.not_converted.contains(r))
        {
            return Some("not-converted");
        }
        if i.route
            .as_ref()
            .is_some_and(|r| self.passthrough.contains(r))
        {
            return Some("ssl-passthrough");
        }
        // A rewrite-target the conversion warned it cannot express: the same backend, the
        // path forwarded unchanged.
        let backends = |a: &Answer| a.text.split(" path=").next().unwrap_or("").to_string();
        if i.route
            .as_ref()
            .is_some_and(|r| self.unrewritten.contains(r))
            && backends(i) == backends(g)
        {
            return Some("rewrite-target");
        }
        // ingress-nginx's HTTP → HTTPS redirect, which Spec routing does not model; the
        // Nginx flavor does, and drops one trailing `/` of the request URI, which Gateway API
        // redirects keep.
        let https = "redirect 308 https://";
        if !self.nginx && g.text.starts_with(https) && !i.text.starts_with("redirect") {
            return Some("ssl-redirect");
        }
        if self.nginx
            && i.text.starts_with(https)
            && g.text.strip_suffix('/') == Some(i.text.as_str())
        {
            return Some("trailing-slash");
        }
        // A case-insensitive regex location converted to a (case-sensitive) PathPrefix, for
        // a rewrite-target with capture groups.
        let selected = i
            .host
            .clone()
            .flatten()
            .map(|h| if h == "*" { String::new() } else { h });
        if selected.is_some_and(|h| self.regex_hosts.contains(&h))
            && path.bytes().any(|b| b.is_ascii_uppercase())
        {
            return Some("regex-case");
        }
        if i.text.starts_with("redirect")
            && g.text.starts_with("redirect")
            && i.route.as_ref().is_some_and(|r| self.redirects.contains(r))
        {
            return Some("redirect-url");
        }
        let ingress_host = i
            .host
            .clone()
            .flatten()
            .map(|h| if h == "*" { String::new() } else { h });
        let gateway_host = g.host.clone().flatten();
        if [ingress_host, gateway_host]
            .iter()
            .flatten()
            .any(|h| self.annotated.contains(h))
        {
            return Some("nginx-annotations");
        }
        if i.at
            .as_ref()
            .is_some_and(|a| self.implementation_specific.contains(a))
        {
            return Some("implementation-specific");
        }
        let Some(Some(gh)) = &g.host else {
            // The Gateway API answer is a default-backend route (or none at all).
            return match (&g.host, i.default) {
                (Some(None), false) => Some("default-backend"),
                _ => None,
            };
        };
        if let Some(suffix) = gh.strip_prefix('*') {
            let deep = host
                .strip_suffix(suffix)
                .is_some_and(|front| front.contains('.'));
            if deep && (i.default || i.route.is_none()) {
                return Some("wildcard-depth");
            }
        }
        let ih = match i.host.clone().flatten() {
            Some(h) if h == "*" => String::new(),
            Some(h) => h,
            None => return None,
        };
        if *gh != ih {
            return Some("host-fallback");
        }
        if i.route != g.route && self.gateways.len() > 1 {
            return Some("namespaces");
        }
        // With the Nginx flavor a split may be a canary's, compared for real: only a single
        // Ingress backend against a split on a host with a duplicated path is attributed.
        if g.backends > 1 && (!self.nginx || i.backends == 1 && self.duplicated.contains(&ih)) {
            return Some("duplicate-path");
        }
        // ingress-nginx's path order is the flavor's: a difference on the same host is a
        // conversion error.
        (!self.nginx).then_some("path-precedence")
    }
}

/// The comparable answer of `outcome`.
fn answer(
    outcome: &Outcome<'_>,
    (req, path): (&Request, &str),
    sources: Option<&BTreeMap<String, Option<String>>>,
    rules: &BTreeMap<String, usize>,
) -> Answer {
    let Outcome::Matched(m) = outcome else {
        let text = match outcome {
            Outcome::Misdirected => "status 421",
            _ => "status 404",
        };
        return Answer {
            text: text.into(),
            route: None,
            host: None,
            backends: 0,
            default: false,
            at: None,
        };
    };
    let r = m.route();
    let key = format!("{}/{}", r.namespace, r.name);
    let mut action = Action::new();
    m.apply(req, 0, &mut action);
    let mut text = match action.kind {
        ActionKind::Redirect => format!("redirect {} {}", action.status, action.location),
        ActionKind::Forward if action.backend.is_some() => {
            let names: BTreeSet<String> = m
                .backends()
                .iter()
                .map(|b| match (b.is_valid(), b.port()) {
                    (true, Some(p)) => format!("{}/{}:{p}", b.namespace(), b.name()),
                    (true, None) => format!("{}/{}", b.namespace(), b.name()),
                    (false, _) => "status 500".to_string(),
                })
                .zip(m.backends().iter().map(|b| b.weight()))
                .map(|(n, w)| {
                    if m.backends().len() > 1 {
                        format!("{n} ({w})")
                    } else {
                        n
                    }
                })
                .collect();
            names.into_iter().collect::<Vec<_>>().join(" | ")
        }
        _ => format!("status {}", action.status),
    };
    if action.kind == ActionKind::Forward && action.path_and_query != path {
        let _ = write!(text, " path={}", action.path_and_query);
    }
    let (host, default) = match sources {
        Some(s) => (s.get(&key).cloned(), false),
        // An Ingress's default backend is the rule one past its last.
        None => (
            Some(Some(m.hostname().to_string())),
            rules.get(&key) == Some(&m.rule_index()),
        ),
    };
    Answer {
        text,
        at: Some((key.clone(), m.rule_index(), m.match_index())),
        route: Some(key),
        host,
        backends: m.backends().len(),
        default,
    }
}
