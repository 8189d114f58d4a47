//! Ingress v1 → Gateway API conversion (the mapping of the generic provider of
//! `ingress2gateway`; the repository's `docs/ingress.md` lists it with every difference).
//!
//! [`ingress_to_gateway`] turns the Ingresses of a [`Config`] into Gateways and HTTPRoutes,
//! built as the typed structs of [`crate::model`] and returned as JSON objects ready to be
//! written out (see [`to_yaml`]) or loaded into another [`Config`] with
//! [`crate::ConfigBuilder::add_value`]:
//!
//! * one **Gateway** per `(namespace, class)`, named after the class, with
//!   `gatewayClassName` = class. Per Ingress host a listener `<slug>-http` (port 80, HTTP,
//!   `hostname` = host) plus `<slug>-https` (443, HTTPS, `certificateRefs` = the distinct TLS
//!   `secretName`s) if an Ingress with a rule for the host has TLS for it; rules without a host
//!   get `http` / `https` without a hostname (an `http` listener is also added for a
//!   `defaultBackend` when no rule lacks a host, so that the default backend is reachable for
//!   every host, as in Ingress);
//! * one **HTTPRoute** per `(namespace, class, host)`, named `<first Ingress>-<slug>`, with
//!   `parentRefs: [{name: <class>}]` and `hostnames: [host]` (none for host-less rules). The
//!   paths are grouped by `(pathType, path)` in first-seen order; each group is one rule with
//!   one match and one backendRef per path (duplicates across Ingresses become an equal-weight
//!   split);
//! * one HTTPRoute `<ingress>-default-backend` per `defaultBackend`: no hostnames, one rule
//!   without matches (so `PathPrefix /`).
//!
//! No GatewayClass is emitted: the Gateways reference the Ingress class names, and the
//! GatewayClasses of those names belong to the controller that serves them.
//!
//! The semantic gaps between Ingress and the converted configuration (single-label wildcards,
//! path precedence, host-first selection, default backend only on a miss, duplicate paths)
//! are reported as warnings naming the Ingress and field; see `docs/ingress.md`.
//!
//! ```
//! use trieway::convert::{ingress_to_gateway, ConvertOptions};
//! let config = trieway::Config::from_str(r#"
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata: {name: web, namespace: shop}
//! spec:
//!   ingressClassName: edge
//!   rules:
//!   - host: shop.example.com
//!     http:
//!       paths:
//!       - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
//! "#);
//! let out = ingress_to_gateway(&config, &ConvertOptions::default());
//! assert!(out.errors.is_empty());
//! assert_eq!(out.objects[0]["kind"], "Gateway");
//! assert_eq!(out.objects[0]["spec"]["listeners"][0]["name"], "shop-example-com-http");
//! assert_eq!(out.objects[1]["metadata"]["name"], "web-shop-example-com");
//! ```

use crate::attach::hostname_matches;
use crate::config::Config;
use crate::error::ConfigError;
use crate::model::{
    BackendObjectReference, GatewaySpec, HttpBackendRef, HttpIngressRuleValue, HttpPathMatch,
    HttpRouteMatch, HttpRouteRule, HttpRouteSpec, IngressBackend, IngressPathType, IngressSpec,
    IngressTls, Listener, ListenerTls, Object, ObjectMeta, ParentReference, PathMatchType,
    ProtocolType, SecretObjectReference, GATEWAY_GROUP,
};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

mod nginx;
mod verify;
pub use verify::{verify, verify_converted, Difference, Verification};

// The class lookup is shared with native Ingress routing (compile/ingress.rs), which needs no
// feature.
pub use crate::compile::ingress::{ingress_class, CLASS_ANNOTATION, DEFAULT_CLASS_ANNOTATION};

/// The Gateway API limits the conversion must respect.
const MAX_RULES: usize = 16;
const MAX_BACKEND_REFS: usize = 16;
const MAX_LISTENERS: usize = 64;
const MAX_CERTIFICATE_REFS: usize = 64;

/// How `ImplementationSpecific` Ingress paths become Gateway API path matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImplementationSpecific {
    /// `PathPrefix` (the default); an empty path is `/`.
    #[default]
    Prefix,
    /// `Exact`; an empty path is `/`.
    Exact,
    /// GCE style: `/x/*` is `PathPrefix /x` (`/*` is `PathPrefix /`), anything else `Exact`.
    Gce,
}

/// Conversion options. `ConvertOptions::default()` follows ingress2gateway's generic provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertOptions {
    /// How `ImplementationSpecific` paths are converted.
    pub implementation_specific: ImplementationSpecific,
    /// Copy the oldest contributing Ingress's `creationTimestamp` to each HTTPRoute, so that
    /// ties between routes (the age criterion of precedence) are broken by the age of the
    /// Ingresses, as Ingress conflicts are. The API server ignores the field on create.
    pub creation_timestamps: bool,
    /// Apply ingress-nginx's implicit defaults as well as its explicit annotations: HTTP
    /// requests for a host with TLS are redirected to HTTPS unless `ssl-redirect: "false"`
    /// (`trieway convert --from nginx`). The annotations themselves are converted either way.
    pub nginx: bool,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            implementation_specific: ImplementationSpecific::Prefix,
            creation_timestamps: true,
            nginx: false,
        }
    }
}

/// The result of [`ingress_to_gateway`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversion {
    /// Gateways and HTTPRoutes (`apiVersion`, `kind`, `metadata`, `spec`), in a deterministic
    /// order: per `(namespace, class)` sorted, the Gateway, then its host routes sorted by host
    /// (host-less first), then its default-backend routes.
    pub objects: Vec<Value>,
    /// Semantic differences between the Ingresses and the output, and things skipped (an
    /// Ingress without class, a renamed listener…). Each names the Ingress and field.
    pub warnings: Vec<ConfigError>,
    /// What could not be converted (a named port without a matching Service port, a path the
    /// Gateway API cannot express, a limit exceeded). The affected backendRef or rule is left
    /// out of `objects`.
    pub errors: Vec<ConfigError>,
}

impl Conversion {
    /// Whether nothing failed to convert (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The objects as multi-document YAML (see [`to_yaml`]).
    pub fn to_yaml(&self) -> String {
        to_yaml(&self.objects)
    }
}

/// Writes JSON objects as multi-document YAML, `---` between documents, keys in the order
/// Kubernetes manifests are usually written (`apiVersion`, `kind`, `metadata`, `spec`; `name`
/// first…), block style, strings quoted where YAML would read them as something else.
pub fn to_yaml(objects: &[Value]) -> String {
    let mut out = String::new();
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        match o {
            Value::Object(m) if !m.is_empty() => yaml_map(m, 0, false, &mut out),
            other => {
                yaml_scalar(other, &mut out);
                out.push('\n');
            }
        }
    }
    out
}

/// Keys written first, in this order; others follow alphabetically.
const KEY_ORDER: &[&str] = &[
    "apiVersion",
    "group",
    "kind",
    "metadata",
    "name",
    "namespace",
    "creationTimestamp",
    "hostname",
    "port",
    "protocol",
    "tls",
    "spec",
    "gatewayClassName",
    "listeners",
    "parentRefs",
    "hostnames",
    "rules",
    "matches",
    "path",
    "type",
    "value",
    "backendRefs",
    "weight",
];

/// A block mapping at `indent`; with `inline`, the first key continues the current line
/// (a list item's `- `).
fn yaml_map(m: &Map<String, Value>, indent: usize, inline: bool, out: &mut String) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_by_key(|k| {
        KEY_ORDER
            .iter()
            .position(|o| o == k)
            .unwrap_or(KEY_ORDER.len())
    });
    for (i, k) in keys.into_iter().enumerate() {
        if !(inline && i == 0) {
            out.push_str(&" ".repeat(indent));
        }
        yaml_string(k, out);
        out.push(':');
        match &m[k] {
            Value::Object(v) if !v.is_empty() => {
                out.push('\n');
                yaml_map(v, indent + 2, false, out);
            }
            Value::Array(v) if !v.is_empty() => {
                out.push('\n');
                yaml_list(v, indent, out);
            }
            v => {
                out.push(' ');
                yaml_scalar(v, out);
                out.push('\n');
            }
        }
    }
}

/// A block sequence whose `- ` sits at `indent`.
fn yaml_list(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => yaml_map(m, indent + 2, true, out),
            Value::Array(v) if !v.is_empty() => {
                out.push('\n');
                yaml_list(v, indent + 2, out);
            }
            v => {
                yaml_scalar(v, out);
                out.push('\n');
            }
        }
    }
}

/// A scalar, or an empty collection in flow style.
fn yaml_scalar(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => yaml_string(s, out),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        other => out.push_str(&other.to_string()),
    }
}

/// A string: plain when it is unambiguous, else double-quoted (JSON escapes are valid YAML).
fn yaml_string(s: &str, out: &mut String) {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._/-".contains(&c))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        out.push_str(s);
    } else {
        out.push_str(&Value::String(s.to_string()).to_string());
    }
}

/// The slug used in listener and route names: every run of characters other
/// than ASCII letters and digits becomes `-`, leading ones are dropped; `""` and `*` (and
/// anything without a letter or digit) give `all-hosts`.
///
/// ```
/// use trieway::convert::slug;
/// assert_eq!(slug("foo.example.com"), "foo-example-com");
/// assert_eq!(slug("*.example.com"), "example-com");
/// assert_eq!(slug(""), "all-hosts");
/// ```
pub fn slug(host: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in host.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    if out.is_empty() {
        return "all-hosts".to_string();
    }
    if gap {
        out.push('-');
    }
    out
}

type Ingress = Object<IngressSpec>;

/// One Ingress path contributing to a rule.
struct PathEntry<'a> {
    ingress: &'a Ingress,
    field: String,
    backend: &'a IngressBackend,
}

/// The paths of one `(pathType, path)` within a host.
struct PathGroup<'a> {
    path_type: IngressPathType,
    path: String,
    entries: Vec<PathEntry<'a>>,
}

/// Everything one `(namespace, class, host)` collects.
struct HostGroup<'a> {
    first: &'a Ingress,
    /// Field of the first rule with this host in `first` (for messages).
    first_field: String,
    oldest: &'a Ingress,
    paths: Vec<PathGroup<'a>>,
    /// Some contributing Ingress has a `tls` entry for the host.
    tls: bool,
    secrets: Vec<String>,
}

/// Everything one `(namespace, class)` collects.
#[derive(Default)]
struct GatewayGroup<'a> {
    hosts: BTreeMap<String, HostGroup<'a>>,
    defaults: Vec<(&'a Ingress, &'a IngressBackend)>,
}

/// Whether a `tls[]` entry covers a rule host: it lists the host, lists a wildcard covering
/// it (one label, Ingress semantics), or lists no host at all (then it applies to every host
/// of the Ingress).
fn tls_covers(t: &IngressTls, host: &str) -> bool {
    t.hosts.is_empty()
        || t.hosts.iter().any(|h| {
            h == host
                || h.strip_prefix("*.").is_some_and(|suffix| {
                    host.strip_suffix(suffix)
                        .and_then(|label| label.strip_suffix('.'))
                        .is_some_and(|label| !label.is_empty() && !label.contains('.'))
                })
        })
}

/// A converted path match: `(type, value)`.
type PathMatch = (&'static str, String);

/// Converts one Ingress path to a Gateway API path match.
fn path_match(
    kind: &IngressPathType,
    path: &str,
    opts: &ConvertOptions,
) -> Result<PathMatch, String> {
    let m = match kind {
        IngressPathType::Exact => ("Exact", path.to_string()),
        IngressPathType::Prefix => ("PathPrefix", path.to_string()),
        IngressPathType::ImplementationSpecific => {
            let p = if path.is_empty() { "/" } else { path };
            match opts.implementation_specific {
                ImplementationSpecific::Prefix => ("PathPrefix", p.to_string()),
                ImplementationSpecific::Exact => ("Exact", p.to_string()),
                ImplementationSpecific::Gce => match p.strip_suffix("/*") {
                    Some("") => ("PathPrefix", "/".to_string()),
                    Some(base) => ("PathPrefix", base.to_string()),
                    None => ("Exact", p.to_string()),
                },
            }
        }
        other => return Err(format!("unsupported pathType {other}")),
    };
    crate::validate::path_value(&m.1).map_err(|e| {
        format!(
            "path {:?} ({kind}) cannot be expressed as a Gateway API {} path: {e}",
            path, m.0
        )
    })?;
    Ok(m)
}

/// State while emitting.
struct Out {
    conv: Conversion,
    /// Route names used per namespace.
    route_names: BTreeMap<String, BTreeSet<String>>,
    /// The HTTP listener name and the HTTPS one (if any) per `(namespace, class, host)`.
    listeners: BTreeMap<(String, String, String), (String, Option<String>)>,
    /// `(class, host)` whose paths ingress-nginx reads as regular expressions: some Ingress
    /// of the class, in any namespace, with a rule for the host wants it
    /// ([`nginx::wants_regex`]).
    regex_hosts: BTreeSet<(String, String)>,
}

fn issue(ing: &Ingress, field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::of("Ingress", ing.key())
        .origin(ing.origin.clone())
        .field(field)
        .message(message)
}

impl Out {
    fn warn(&mut self, ing: &Ingress, field: impl Into<String>, message: impl Into<String>) {
        let w = issue(ing, field, message);
        // An annotation applied to several rules is reported once.
        if !self.conv.warnings.contains(&w) {
            self.conv.warnings.push(w);
        }
    }

    fn error(&mut self, ing: &Ingress, field: impl Into<String>, message: impl Into<String>) {
        self.conv.errors.push(issue(ing, field, message));
    }

    /// A route name not yet used in `ns`: `base`, else `base-2`, `base-3`…
    fn route_name(&mut self, ns: &str, base: &str, ing: &Ingress, field: &str) -> String {
        let used = self.route_names.entry(ns.to_string()).or_default();
        let name = unique(used, base, |n| n.to_string());
        used.insert(name.clone());
        if name != base {
            self.warn(
                ing,
                field,
                format!(
                    "HTTPRoute name {base:?} is already taken in namespace {ns}; using {name:?}"
                ),
            );
        }
        name
    }

    /// Appends a converted object.
    fn push<S: Serialize>(&mut self, manifest: Manifest<S>) {
        // The model's structs have string keys only: serializing them to a JSON value cannot
        // fail (`Null` would stand out in the output should it ever do).
        let value = serde_json::to_value(manifest).unwrap_or(Value::Null);
        self.conv.objects.push(value);
    }
}

/// A Gateway API object as written out: the model's spec with `apiVersion`, `kind` and
/// `metadata` (`Object` keeps loading details, such as the origin, that are not written).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<S> {
    api_version: String,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: S,
}

impl<S> Manifest<S> {
    fn new(kind: &'static str, metadata: ObjectMeta, spec: S) -> Self {
        Manifest {
            api_version: format!("{GATEWAY_GROUP}/v1"),
            kind,
            metadata,
            spec,
        }
    }
}

/// The first of `base`, `base-2`, `base-3`… for which no name made by `names` is in `used`.
fn unique(used: &BTreeSet<String>, base: &str, names: impl Fn(&str) -> String) -> String {
    let mut candidate = base.to_string();
    let mut n = 2;
    while used.contains(&names(&candidate)) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

/// A backendRef to `name` with only the given parts set.
fn backend(
    group: Option<String>,
    kind: Option<String>,
    name: &str,
    port: Option<i64>,
) -> HttpBackendRef {
    HttpBackendRef {
        target: BackendObjectReference {
            group,
            kind,
            name: name.to_string(),
            namespace: None,
            port,
        },
        ..HttpBackendRef::default()
    }
}

/// The backendRef of an Ingress backend: a Service port (a named port resolved through the
/// Service) or a resource `{group, kind, name}`.
fn backend_ref(
    config: &Config,
    ing: &Ingress,
    backend_of: &IngressBackend,
    field: &str,
) -> Result<HttpBackendRef, ConfigError> {
    if let Some(s) = &backend_of.service {
        if let Some(n) = s.port.number {
            return Ok(backend(None, None, &s.name, Some(n)));
        }
        return named_port(config, ing, &s.name, s.port.name.as_deref().unwrap_or(""))
            .map(|port| backend(None, None, &s.name, Some(port)))
            .map_err(|message| issue(ing, format!("{field}.service.port.name"), message));
    }
    if let Some(r) = &backend_of.resource {
        let group = r.api_group.clone().unwrap_or_default();
        return Ok(backend(Some(group), Some(r.kind.clone()), &r.name, None));
    }
    Err(issue(ing, field, "neither service nor resource is set"))
}

/// The number of the port named `port_name` of Service `name` in the Ingress's namespace.
fn named_port(config: &Config, ing: &Ingress, name: &str, port_name: &str) -> Result<i64, String> {
    let ns = &ing.meta.namespace;
    let service = config
        .services
        .iter()
        .find(|svc| svc.meta.namespace == *ns && svc.meta.name == name);
    let Some(svc) = service else {
        return Err(format!(
            "Service {ns}/{name} not found: cannot resolve port name {port_name:?} to a number"
        ));
    };
    if let Some(p) = svc.spec.ports.iter().find(|p| p.name == port_name) {
        return Ok(p.port);
    }
    Err(format!(
        "Service {ns}/{name} has no port named {port_name:?} (ports: {})",
        svc.spec
            .ports
            .iter()
            .map(|p| if p.name.is_empty() {
                p.port.to_string()
            } else {
                format!("{} = {}", p.name, p.port)
            })
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Converts the Ingresses of `config` to Gateway API resources.
pub fn ingress_to_gateway(config: &Config, options: &ConvertOptions) -> Conversion {
    let mut out = Out {
        conv: Conversion::default(),
        route_names: BTreeMap::new(),
        listeners: BTreeMap::new(),
        regex_hosts: BTreeSet::new(),
    };
    // The order an API server lists them in: by namespace, then name.
    let mut ingresses: Vec<&Ingress> = config.ingresses.iter().collect();
    ingresses
        .sort_by(|a, b| (&a.meta.namespace, &a.meta.name).cmp(&(&b.meta.namespace, &b.meta.name)));

    let mut gateways: BTreeMap<(String, String), GatewayGroup> = BTreeMap::new();
    for &ing in &ingresses {
        let class = match ingress_class(config, ing) {
            Ok(c) => c,
            Err(why) => {
                out.warn(ing, "", why);
                continue;
            }
        };
        nginx::unconverted(ing, &mut out);
        if nginx::wants_regex(ing) {
            for r in &ing.spec.rules {
                let host = r.host.clone().unwrap_or_default().to_ascii_lowercase();
                out.regex_hosts.insert((class.clone(), host));
            }
        }
        let gw = gateways
            .entry((ing.meta.namespace.clone(), class))
            .or_default();
        collect_ingress(ing, gw, &mut out);
    }

    class_namespaces_warning(&gateways, &mut out);
    for ((ns, class), gw) in &gateways {
        emit_gateway(config, options, ns, class, gw, &mut out);
    }
    let classed: Vec<&Ingress> = ingresses
        .iter()
        .copied()
        .filter(|i| ingress_class(config, i).is_ok())
        .collect();
    nginx::backend_tls_policies(&classed, &mut out);
    out.conv
}

/// Adds the rules and default backend of `ing` to the group of its namespace and class.
fn collect_ingress<'a>(ing: &'a Ingress, gw: &mut GatewayGroup<'a>, out: &mut Out) {
    let mut wildcards_flagged = BTreeSet::new();
    for (i, rule) in ing.spec.rules.iter().enumerate() {
        let host = rule.host.clone().unwrap_or_default();
        let rule_field = format!("spec.rules[{i}]");
        let Some(http) = &rule.http else {
            out.warn(
                ing,
                &rule_field,
                "rule without http paths: nothing to convert; skipped",
            );
            continue;
        };
        if host.starts_with("*.") && wildcards_flagged.insert(host.clone()) {
            let suffix = &host[1..];
            out.warn(
                ing,
                format!("{rule_field}.host"),
                format!(
                    "wildcard host {host:?} matches exactly one label in Ingress \
                     (a{suffix}, not a.b{suffix}) but one or more in Gateway API: the \
                     converted HTTPRoute also serves a.b{suffix}"
                ),
            );
        }
        let group = gw.hosts.entry(host.clone()).or_insert_with(|| HostGroup {
            first: ing,
            first_field: rule_field.clone(),
            oldest: ing,
            paths: Vec::new(),
            tls: false,
            secrets: Vec::new(),
        });
        if ing.created < group.oldest.created {
            group.oldest = ing;
        }
        // Routes are named after the first main Ingress, not after a canary.
        if nginx::is_canary(group.first) && !nginx::is_canary(ing) {
            group.first = ing;
            group.first_field = rule_field.clone();
        }
        collect_tls(ing, &host, group);
        collect_paths(ing, http, &rule_field, group);
    }
    if let Some(b) = &ing.spec.default_backend {
        gw.defaults.push((ing, b));
    }
}

/// Records the TLS entries of `ing` that cover `host` (and their distinct secrets).
fn collect_tls(ing: &Ingress, host: &str, group: &mut HostGroup) {
    for t in ing.spec.tls.iter().filter(|t| tls_covers(t, host)) {
        group.tls = true;
        if let Some(s) = t.secret_name.as_deref().filter(|s| !s.is_empty()) {
            if !group.secrets.iter().any(|x| x == s) {
                group.secrets.push(s.to_string());
            }
        }
    }
}

/// Adds the paths of one Ingress rule to their `(pathType, path)` groups.
fn collect_paths<'a>(
    ing: &'a Ingress,
    http: &'a HttpIngressRuleValue,
    rule_field: &str,
    group: &mut HostGroup<'a>,
) {
    for (k, p) in http.paths.iter().enumerate() {
        let path = p.path.clone().unwrap_or_default();
        let entry = PathEntry {
            ingress: ing,
            field: format!("{rule_field}.http.paths[{k}]"),
            backend: &p.backend,
        };
        match group
            .paths
            .iter_mut()
            .find(|g| g.path_type == p.path_type && g.path == path)
        {
            Some(g) => g.entries.push(entry),
            None => group.paths.push(PathGroup {
                path_type: p.path_type.clone(),
                path,
                entries: vec![entry],
            }),
        }
    }
}

/// Warns about a class whose Ingresses span namespaces: one Gateway (address) per namespace.
fn class_namespaces_warning(gateways: &BTreeMap<(String, String), GatewayGroup>, out: &mut Out) {
    let mut by_class: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (ns, class) in gateways.keys() {
        by_class.entry(class).or_default().push(ns);
    }
    for (class, namespaces) in by_class {
        if namespaces.len() > 1 {
            out.conv
                .warnings
                .push(ConfigError::of("IngressClass", class).message(format!(
                "Ingresses of this class are in {} namespaces ({}): Ingress serves them \
                 together, the conversion makes one Gateway per namespace ({}), each with \
                 its own listeners and address",
                namespaces.len(),
                namespaces.join(", "),
                namespaces
                    .iter()
                    .map(|ns| format!("{ns}/{class}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
}

/// One converted rule of a host route.
struct Rule<'a> {
    path: PathMatch,
    group: &'a PathGroup<'a>,
    /// The Ingress whose annotations the rule follows.
    ingress: &'a Ingress,
    rule: HttpRouteRule,
}

/// A host route with a `PathPrefix /` rule: its name, its first Ingress and the Ingress whose
/// age it carries.
type SlashRoute<'a> = (String, &'a Ingress, &'a Ingress);

/// Emits the Gateway of `(ns, class)`, its host routes and its default-backend routes.
fn emit_gateway(
    config: &Config,
    options: &ConvertOptions,
    ns: &str,
    class: &str,
    gw: &GatewayGroup,
    out: &mut Out,
) {
    let listeners = gateway_listeners(ns, class, gw, out);
    let spec = GatewaySpec {
        gateway_class_name: class.to_string(),
        listeners,
        ..GatewaySpec::default()
    };
    out.push(Manifest::new("Gateway", metadata(class, ns, None), spec));
    let slash_routes = emit_host_routes(config, options, ns, class, gw, out);
    emit_default_routes(config, options, ns, class, gw, &slash_routes, out);
}

/// `metadata` with a name, a namespace and an optional creation timestamp.
fn metadata(name: &str, ns: &str, created: Option<String>) -> ObjectMeta {
    ObjectMeta {
        name: name.to_string(),
        namespace: ns.to_string(),
        creation_timestamp: created,
        ..ObjectMeta::default()
    }
}

/// A listener of the converted Gateway.
fn listener(name: String, hostname: &str, port: i64, protocol: ProtocolType) -> Listener {
    Listener {
        name,
        hostname: (!hostname.is_empty()).then(|| hostname.to_string()),
        port,
        protocol,
        ..Listener::default()
    }
}

/// The listeners of the Gateway of `(ns, class)`: `http` (and `https` with TLS) per host.
fn gateway_listeners(ns: &str, class: &str, gw: &GatewayGroup, out: &mut Out) -> Vec<Listener> {
    let mut listeners = Vec::new();
    let mut listener_names = BTreeSet::new();
    if !gw.hosts.contains_key("") && !gw.defaults.is_empty() {
        listeners.push(listener("http".into(), "", 80, ProtocolType::Http));
        listener_names.insert("http".to_string());
    }
    for (host, g) in &gw.hosts {
        let (http, https) = listener_names_for(host, g, ns, class, &listener_names, out);
        listeners.push(listener(http.clone(), host, 80, ProtocolType::Http));
        listener_names.insert(http.clone());
        let mut secure = None;
        if nginx::passthrough_host(g) && !host.is_empty() {
            // ssl-passthrough: TLS on 443 goes to the backend undecrypted, by SNI.
            let name = format!("{}-tls-passthrough", slug(host));
            let mut l = listener(name.clone(), host, 443, ProtocolType::Tls);
            l.tls = Some(ListenerTls {
                mode: Some(crate::model::TlsMode::Passthrough),
                ..ListenerTls::default()
            });
            listeners.push(l);
            listener_names.insert(name);
        } else if let Some(tls) = listener_tls(host, g, out) {
            let mut l = listener(https.clone(), host, 443, ProtocolType::Https);
            l.tls = Some(tls);
            listeners.push(l);
            listener_names.insert(https.clone());
            secure = Some(https);
        }
        out.listeners.insert(
            (ns.to_string(), class.to_string(), host.clone()),
            (http, secure),
        );
    }
    // from-to-www-redirect: an HTTP listener for the other name, whose route redirects.
    for (host, g) in &gw.hosts {
        let Some(alias) = nginx::www_alias(host, g) else {
            continue;
        };
        let key = (ns.to_string(), class.to_string(), alias.clone());
        if gw.hosts.contains_key(&alias) || out.listeners.contains_key(&key) {
            continue;
        }
        let name = format!(
            "{}-http",
            unique(&listener_names, &slug(&alias), |s| format!("{s}-http"))
        );
        listeners.push(listener(name.clone(), &alias, 80, ProtocolType::Http));
        listener_names.insert(name.clone());
        out.listeners.insert(key, (name, None));
    }
    if listeners.len() > MAX_LISTENERS {
        let first = gw
            .hosts
            .values()
            .map(|g| g.first)
            .next()
            .or(gw.defaults.first().map(|d| d.0));
        if let Some(ing) = first {
            out.error(
                ing,
                "",
                format!(
                    "Gateway {ns}/{class} needs {} listeners; the Gateway API allows \
                     {MAX_LISTENERS}",
                    listeners.len()
                ),
            );
        }
    }
    listeners
}

/// The names of the HTTP and HTTPS listeners of `host`: `http`/`https` without a host, else
/// `<slug>-http`/`<slug>-https`, made unique among `taken` (with a warning when renamed).
fn listener_names_for(
    host: &str,
    g: &HostGroup,
    ns: &str,
    class: &str,
    taken: &BTreeSet<String>,
    out: &mut Out,
) -> (String, String) {
    if host.is_empty() {
        return ("http".to_string(), "https".to_string());
    }
    let base = unique(taken, &slug(host), |s| format!("{s}-http"));
    if base != slug(host) {
        out.warn(
            g.first,
            format!("{}.host", g.first_field),
            format!(
                "listener name {:?} of Gateway {ns}/{class} is taken by another host; \
                 host {host:?} gets {:?}",
                format!("{}-http", slug(host)),
                format!("{base}-http")
            ),
        );
    }
    (format!("{base}-http"), format!("{base}-https"))
}

/// The TLS settings of the HTTPS listener of `host`, or `None` when it gets none (no TLS, or
/// TLS without a secret, which is warned about).
fn listener_tls(host: &str, g: &HostGroup, out: &mut Out) -> Option<ListenerTls> {
    if !g.tls {
        return None;
    }
    if g.secrets.is_empty() {
        out.warn(
            g.first,
            "spec.tls",
            format!(
                "TLS for host {:?} names no secretName: no HTTPS listener is made",
                if host.is_empty() { "*" } else { host }
            ),
        );
        return None;
    }
    if g.secrets.len() > MAX_CERTIFICATE_REFS {
        out.error(
            g.first,
            "spec.tls",
            format!(
                "host {host:?} has {} TLS secrets; a listener takes at most \
                 {MAX_CERTIFICATE_REFS} certificateRefs",
                g.secrets.len()
            ),
        );
    }
    let certificate_refs = g
        .secrets
        .iter()
        .take(MAX_CERTIFICATE_REFS)
        .map(|s| SecretObjectReference {
            name: s.clone(),
            ..SecretObjectReference::default()
        })
        .collect();
    Some(ListenerTls {
        certificate_refs,
        ..ListenerTls::default()
    })
}

/// An HTTPRoute spec attached to the Gateway `class`.
fn route_spec(class: &str, host: &str, rules: Vec<HttpRouteRule>) -> HttpRouteSpec {
    HttpRouteSpec {
        parent_refs: vec![ParentReference {
            name: class.to_string(),
            ..ParentReference::default()
        }],
        hostnames: if host.is_empty() {
            Vec::new()
        } else {
            vec![host.to_string()]
        },
        rules: Some(rules),
    }
}

/// Emits the host routes of the Gateway of `(ns, class)`, at most [`MAX_RULES`] rules each;
/// returns those with a `PathPrefix /` rule.
fn emit_host_routes<'a>(
    config: &Config,
    options: &ConvertOptions,
    ns: &str,
    class: &str,
    gw: &'a GatewayGroup<'a>,
    out: &mut Out,
) -> Vec<SlashRoute<'a>> {
    let mut slash_routes = Vec::new();
    let mut host_routes: BTreeMap<&str, String> = BTreeMap::new();
    for (host, g) in &gw.hosts {
        let regex = out
            .regex_hosts
            .contains(&(class.to_string(), host.to_ascii_lowercase()));
        let rules = convert_rules(config, options, (g, regex), out);
        if rules.is_empty() {
            continue;
        }
        let rules = if nginx::passthrough_host(g) {
            let (tls, http) = nginx::split_passthrough(rules, host, out);
            if !host.is_empty() {
                emit_tls_route(options, (ns, class, host), g, &tls, out);
            }
            if http.is_empty() {
                continue;
            }
            http
        } else {
            rules
        };
        precedence_warnings(&rules, host, out);
        if let Some(grpc) = nginx::grpc_rules(&rules, out) {
            emit_grpc_route(options, (ns, class, host), g, grpc, out);
            continue;
        }
        let ssl = nginx::ssl_redirect(options, &rules, host, g, out);
        let mut rules = rules;
        nginx::app_root(&mut rules, g, out);
        let base = format!("{}-{}", g.first.meta.name, slug(host));
        let chunks: Vec<&[Rule]> = rules.chunks(MAX_RULES).collect();
        if chunks.len() > 1 {
            out.warn(
                g.first,
                format!("{}.host", g.first_field),
                format!(
                    "host {:?} has {} distinct paths; an HTTPRoute holds at most {MAX_RULES} \
                     rules, so they are split over {} HTTPRoutes",
                    if host.is_empty() { "*" } else { host },
                    rules.len(),
                    chunks.len()
                ),
            );
        }
        for (c, chunk) in chunks.into_iter().enumerate() {
            let wanted = if c == 0 {
                base.clone()
            } else {
                format!("{base}-{}", c + 1)
            };
            let name = out.route_name(ns, &wanted, g.first, &format!("{}.host", g.first_field));
            if c == 0 {
                host_routes.insert(host, name.clone());
            }
            if chunk
                .iter()
                .any(|r| r.path == ("PathPrefix", "/".to_string()))
            {
                slash_routes.push((name.clone(), g.first, g.oldest));
            }
            let forced = if ssl {
                None
            } else {
                nginx::forced_rules(chunk)
            };
            let rules: Vec<HttpRouteRule> =
                forced.unwrap_or_else(|| chunk.iter().map(|r| r.rule.clone()).collect());
            let meta = route_metadata(&name, ns, g.oldest, options);
            let mut spec = route_spec(class, host, rules);
            let listeners = out
                .listeners
                .get(&(ns.to_string(), class.to_string(), host.clone()));
            if let (Some((http, Some(https))), true) = (listeners.cloned(), ssl) {
                // The routes on HTTP answer with redirects to HTTPS (ssl-redirect).
                let mut plain = route_spec(class, host, nginx::redirect_rules(chunk));
                plain.parent_refs[0].section_name = Some(http);
                spec.parent_refs[0].section_name = Some(https);
                let plain_name = out.route_name(ns, &format!("{name}-http"), g.first, "");
                let meta_plain = route_metadata(&plain_name, ns, g.oldest, options);
                out.push(Manifest::new("HTTPRoute", meta, spec));
                out.push(Manifest::new("HTTPRoute", meta_plain, plain));
                continue;
            }
            out.push(Manifest::new("HTTPRoute", meta, spec));
        }
    }
    for (host, g) in &gw.hosts {
        let Some(alias) = nginx::www_alias(host, g) else {
            continue;
        };
        if gw.hosts.contains_key(&alias) {
            nginx::www_taken(g, &alias, out);
            continue;
        }
        let key = (ns.to_string(), class.to_string(), alias.clone());
        let Some((listener, _)) = out.listeners.get(&key).cloned() else {
            continue;
        };
        let mut spec = route_spec(class, &alias, vec![nginx::www_rule(host)]);
        spec.parent_refs[0].section_name = Some(listener);
        let base = format!("{}-{}", g.first.meta.name, slug(&alias));
        let name = out.route_name(ns, &base, g.first, &format!("{}.host", g.first_field));
        let meta = route_metadata(&name, ns, g.oldest, options);
        out.push(Manifest::new("HTTPRoute", meta, spec));
    }
    host_fallback_warnings(gw, &host_routes, out);
    slash_routes
}

/// Emits the GRPCRoute of a host whose Ingresses have `backend-protocol: GRPC`/`GRPCS`.
fn emit_grpc_route(
    options: &ConvertOptions,
    (ns, class, host): (&str, &str, &str),
    g: &HostGroup,
    rules: Vec<crate::model::GrpcRouteRule>,
    out: &mut Out,
) {
    let base = format!("{}-{}", g.first.meta.name, slug(host));
    let name = out.route_name(ns, &base, g.first, &format!("{}.host", g.first_field));
    let meta = route_metadata(&name, ns, g.oldest, options);
    let http = route_spec(class, host, Vec::new());
    let spec = crate::model::GrpcRouteSpec {
        parent_refs: http.parent_refs,
        hostnames: http.hostnames,
        rules,
    };
    out.push(Manifest::new("GRPCRoute", meta, spec));
}

/// Emits the TLSRoute of a host with ssl-passthrough (as ingress2gateway): named
/// `<route>-tls-passthrough`, on the `<slug>-tls-passthrough` listener, one rule with the
/// distinct backends of the passthrough Ingresses' paths.
fn emit_tls_route(
    options: &ConvertOptions,
    (ns, class, host): (&str, &str, &str),
    g: &HostGroup,
    rules: &[Rule],
    out: &mut Out,
) {
    let mut refs: Vec<Value> = Vec::new();
    for r in rules {
        for b in &r.rule.backend_refs {
            let v = serde_json::to_value(&b.target).unwrap_or(Value::Null);
            if !refs.contains(&v) {
                refs.push(v);
            }
        }
    }
    let base = format!("{}-{}-tls-passthrough", g.first.meta.name, slug(host));
    let name = out.route_name(ns, &base, g.first, &format!("{}.host", g.first_field));
    let meta = route_metadata(&name, ns, g.oldest, options);
    let mut route = json!({
        "apiVersion": format!("{GATEWAY_GROUP}/v1"),
        "kind": "TLSRoute",
        "metadata": meta,
        "spec": {
            "parentRefs": [{"name": class, "sectionName": format!("{}-tls-passthrough", slug(host))}],
            "hostnames": [host],
            "rules": [{"backendRefs": refs}],
        },
    });
    if refs.is_empty() {
        route["spec"]["rules"] = json!([]);
    }
    out.conv.objects.push(route);
}

/// The metadata of a converted route, with the creation timestamp of `age_of` if asked for.
fn route_metadata(name: &str, ns: &str, age_of: &Ingress, options: &ConvertOptions) -> ObjectMeta {
    let created = if options.creation_timestamps {
        age_of.meta.creation_timestamp.clone()
    } else {
        None
    };
    metadata(name, ns, created)
}

/// Emits one route per default backend of the Gateway of `(ns, class)`, warning where it ties
/// with a host route's `PathPrefix /` rule or with another default backend.
fn emit_default_routes(
    config: &Config,
    options: &ConvertOptions,
    ns: &str,
    class: &str,
    gw: &GatewayGroup,
    slash_routes: &[SlashRoute],
    out: &mut Out,
) {
    for (i, &(ing, backend_of)) in gw.defaults.iter().enumerate() {
        let field = "spec.defaultBackend";
        let name = out.route_name(
            ns,
            &format!("{}-default-backend", ing.meta.name),
            ing,
            field,
        );
        let rule = match backend_ref(config, ing, backend_of, field) {
            Ok(r) => HttpRouteRule {
                backend_refs: vec![r],
                ..HttpRouteRule::default()
            },
            Err(e) => {
                out.conv.errors.push(e);
                HttpRouteRule::default()
            }
        };
        for slash in slash_routes {
            default_tie_warning(options, ns, &name, ing, slash, out);
        }
        if i > 0 {
            out.warn(
                ing,
                field,
                format!(
                    "Ingress {} of the same class and namespace also has a defaultBackend: \
                     their converted HTTPRoutes tie on every request and the older one wins",
                    gw.defaults[0].0.key()
                ),
            );
        }
        let meta = route_metadata(&name, ns, ing, options);
        out.push(Manifest::new(
            "HTTPRoute",
            meta,
            route_spec(class, "", vec![rule]),
        ));
    }
}

/// Warns that the default-backend route `name` of `ing` ties with the `PathPrefix /` rule of
/// a host route, and which of the two wins.
fn default_tie_warning(
    options: &ConvertOptions,
    ns: &str,
    name: &str,
    ing: &Ingress,
    (route, other, aged): &SlashRoute,
    out: &mut Out,
) {
    // SPEC §4.1 K8/K9: the older route, then the smaller "namespace/name".
    let age = |i: &Ingress| {
        if options.creation_timestamps && i.meta.creation_timestamp.is_some() {
            i.created
        } else {
            0
        }
    };
    let default_wins = (age(ing), format!("{ns}/{name}")) < (age(aged), format!("{ns}/{route}"));
    let winner = if default_wins {
        "the default backend takes the requests of that / rule that no longer path matches"
            .to_string()
    } else {
        format!("HTTPRoute {ns}/{route} (as in Ingress, but only by age or name)")
    };
    out.warn(
        ing,
        "spec.defaultBackend",
        format!(
            "defaultBackend serves only requests no rule matches, but the converted \
             HTTPRoute {ns}/{name} (no hostnames, PathPrefix /) ties with the \
             PathPrefix / rule of HTTPRoute {ns}/{route} (from Ingress {}) on every \
             host that route serves; the older route, then the smaller \
             namespace/name, wins: here {winner}",
            other.key()
        ),
    );
}

/// The rules of one host: one per `(pathType, path)` group that converts (plus one per
/// canary header match, before it), with the ingress-nginx annotations of the group's first
/// (non-canary) Ingress applied.
fn convert_rules<'a>(
    config: &Config,
    options: &ConvertOptions,
    (g, regex): (&'a HostGroup<'a>, bool),
    out: &mut Out,
) -> Vec<Rule<'a>> {
    // ingress-nginx: use-regex (or rewrite-target) on one Ingress of the class, in any
    // namespace, makes every path of the host a case-insensitive regular expression (`regex`).
    let mut rules = Vec::new();
    for group in &g.paths {
        let (main, canaries): (Vec<&PathEntry>, Vec<&PathEntry>) = group
            .entries
            .iter()
            .partition(|e| !nginx::is_canary(e.ingress));
        let Some(first) = main.first().copied() else {
            for c in &canaries {
                let e = nginx::lone_canary(c.ingress, &format!("{}.path", c.field));
                out.conv.warnings.push(e);
            }
            continue;
        };
        // (Exact paths too: ingress2gateway's e2e "Exact becomes regex which are prefix".)
        let converted = if regex {
            nginx::regex_path(&group.path).map(|v| ("RegularExpression", v))
        } else {
            path_match(&group.path_type, &group.path, options)
        };
        let path = match converted {
            Ok(p) => p,
            Err(e) => {
                out.error(first.ingress, format!("{}.path", first.field), e);
                continue;
            }
        };
        let mut refs = entry_refs(config, &main, out);
        duplicate_path_warning(group, refs.len(), out);
        limit_refs(group, first, &mut refs, out);
        let path_only = HttpRouteMatch {
            path: Some(HttpPathMatch {
                kind: Some(PathMatchType::from(path.0)),
                value: Some(path.1.clone()),
            }),
            ..HttpRouteMatch::default()
        };
        for c in canaries {
            canary_rules(
                config,
                c,
                &path_only,
                &mut refs,
                &mut rules,
                (&path, group),
                out,
            );
        }
        let mut rule = HttpRouteRule {
            matches: vec![path_only],
            backend_refs: refs,
            ..HttpRouteRule::default()
        };
        nginx::apply_rule(first.ingress, &mut rule, group, regex, out);
        rules.push(Rule {
            path,
            group,
            ingress: first.ingress,
            rule,
        });
    }
    // Header-matched canary rules first, so that earlier-rule ties favour them.
    rules.sort_by_key(|r| r.rule.matches.iter().all(|m| m.headers.is_empty()));
    rules
}

/// The backendRefs of `entries` (the errors of those that do not convert recorded).
fn entry_refs(config: &Config, entries: &[&PathEntry], out: &mut Out) -> Vec<HttpBackendRef> {
    let mut refs = Vec::new();
    for e in entries {
        match backend_ref(
            config,
            e.ingress,
            e.backend,
            &format!("{}.backend", e.field),
        ) {
            Ok(r) => refs.push(r),
            Err(err) => out.conv.errors.push(err),
        }
    }
    refs
}

/// Reports and cuts backendRefs beyond [`MAX_BACKEND_REFS`].
fn limit_refs(group: &PathGroup, first: &PathEntry, refs: &mut Vec<HttpBackendRef>, out: &mut Out) {
    if refs.len() > MAX_BACKEND_REFS {
        out.error(
            first.ingress,
            format!("{}.path", first.field),
            format!(
                "path {:?} has {} backends; a rule takes at most {MAX_BACKEND_REFS} \
                 backendRefs",
                group.path,
                refs.len()
            ),
        );
        refs.truncate(MAX_BACKEND_REFS);
    }
}

/// The canary Ingress path `c` of a group whose main backendRefs are `refs`: its
/// `canary-weight` becomes weights (main `total - w` each, canary `w`), its header and cookie
/// matches rules of their own sending everything to the canary.
fn canary_rules<'a>(
    config: &Config,
    c: &PathEntry<'a>,
    path_only: &HttpRouteMatch,
    refs: &mut Vec<HttpBackendRef>,
    rules: &mut Vec<Rule<'a>>,
    (path, group): (&PathMatch, &'a PathGroup<'a>),
    out: &mut Out,
) {
    let canary = nginx::canary(c.ingress, out);
    let main_refs = refs.clone();
    let Ok(canary_ref) = backend_ref(
        config,
        c.ingress,
        c.backend,
        &format!("{}.backend", c.field),
    ) else {
        return;
    };
    for (name, kind, value, to_canary) in &canary.headers {
        let mut m = path_only.clone();
        m.headers = vec![crate::model::HttpHeaderMatch {
            kind: Some(crate::model::MatchType::from(*kind)),
            name: name.clone(),
            value: value.clone(),
        }];
        let mut rule = HttpRouteRule {
            matches: vec![m],
            backend_refs: if *to_canary {
                vec![canary_ref.clone()]
            } else {
                main_refs.clone()
            },
            ..HttpRouteRule::default()
        };
        nginx::apply_rule(c.ingress, &mut rule, group, false, out);
        rules.push(Rule {
            path: path.clone(),
            group,
            ingress: c.ingress,
            rule,
        });
    }
    if let Some((w, total)) = canary.weight {
        for r in refs.iter_mut() {
            r.weight = Some(total - w);
        }
        let mut weighted = canary_ref;
        weighted.weight = Some(w);
        refs.push(weighted);
    }
}

/// Warns when the paths of `group` come from several Ingresses: the converted rule splits
/// the requests over their `backends` backendRefs.
fn duplicate_path_warning(group: &PathGroup, backends: usize, out: &mut Out) {
    let first = &group.entries[0];
    let owners: BTreeSet<String> = group
        .entries
        .iter()
        .filter(|e| !nginx::is_canary(e.ingress))
        .map(|e| e.ingress.key())
        .collect();
    if owners.len() <= 1 {
        return;
    }
    let last = group.entries.last().map_or(first, |e| e);
    out.warn(
        last.ingress,
        format!("{}.path", last.field),
        format!(
            "{} path {:?} is also defined by Ingress {}: Ingress sends such requests \
             to one of them (trieway: the oldest Ingress), the converted rule splits \
             them equally over {backends} backendRefs",
            group.path_type,
            group.path,
            owners
                .iter()
                .filter(|o| **o != last.ingress.key())
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
}

/// Warns where Ingress path precedence (longest path string first, then Exact) and the
/// Gateway API's (Exact first; `/a` and `/a/` prefixes tie, the earlier rule wins) disagree.
fn precedence_warnings(rules: &[Rule], host: &str, out: &mut Out) {
    let host = if host.is_empty() { "any host" } else { host };
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            let (first, second) = (a, b);
            let trimmed = |p: &str| p.strip_suffix('/').unwrap_or(p).to_string();
            let message = match (first.path.0, second.path.0) {
                ("Exact", "PathPrefix") | ("PathPrefix", "Exact") => {
                    let (exact, prefix) = if first.path.0 == "Exact" {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    if prefix.path.1 != format!("{}/", exact.path.1) {
                        continue;
                    }
                    format!(
                        "for request {host}{e}, Ingress prefers the longer {pt} path {p:?} \
                         over Exact {e:?}, Gateway API prefers Exact {e:?}",
                        e = exact.path.1,
                        p = prefix.group.path,
                        pt = prefix.group.path_type,
                    )
                }
                ("PathPrefix", "PathPrefix")
                    if first.path.1.len() < second.path.1.len()
                        && trimmed(&first.path.1) == trimmed(&second.path.1) =>
                {
                    format!(
                        "for request {host}{s}, Ingress prefers the longer path {l:?} over \
                         {s:?}, Gateway API ranks the two prefixes equal and takes the \
                         earlier rule, {s:?}",
                        s = first.path.1,
                        l = second.group.path,
                    )
                }
                _ => continue,
            };
            let e = &second.group.entries[0];
            out.warn(e.ingress, format!("{}.path", e.field), message);
        }
    }
}

/// Warns where Gateway API lets the rules of a less specific host compete with a host's own
/// rules (host fallback), while Ingress selects the host first.
fn host_fallback_warnings(gw: &GatewayGroup, routes: &BTreeMap<&str, String>, out: &mut Out) {
    for (host, g) in &gw.hosts {
        if host.is_empty() || !routes.contains_key(host.as_str()) {
            continue;
        }
        let mut others = Vec::new();
        for (other, og) in &gw.hosts {
            if other == host {
                continue;
            }
            let covers = other.is_empty()
                || (other.starts_with("*.")
                    && !host.starts_with("*.")
                    && hostname_matches(other, host))
                || (other.starts_with("*.")
                    && host.starts_with("*.")
                    && host.len() > other.len()
                    && host.ends_with(&other[1..]));
            if let (true, Some(route)) = (covers, routes.get(other.as_str())) {
                let shown = if other.is_empty() {
                    "the rules without host".to_string()
                } else {
                    format!("the rules of host {other:?}")
                };
                others.push(format!(
                    "{shown} (HTTPRoute {}/{route}, Ingress {})",
                    og.first.meta.namespace,
                    og.first.key()
                ));
            }
        }
        if others.is_empty() {
            continue;
        }
        out.warn(
            g.first,
            format!("{}.host", g.first_field),
            format!(
                "Ingress routes requests for {host:?} by that host's rules only (then the \
                 defaultBackend, else 404); in Gateway API {} also apply to {host:?}: they \
                 compete with its rules by path precedence and serve its requests that none \
                 of its rules matches",
                others.join(" and ")
            ),
        );
    }
}
