//! Routes defined in code: [`RouteSet`] and [`Rule`] build the same model objects a YAML file
//! would hold, and load them through the same path ([`crate::ConfigBuilder::add_value`], then
//! [`crate::ConfigBuilder::finish`]), so validation, attachment, precedence and routing are those of YAML.

use crate::config::Config;
use crate::error::Error;
use crate::model::*;
use crate::options::Options;
use crate::router::Router;
use serde::Serialize;
use serde_json::{json, Value};

/// The origin (file name) of the objects a [`RouteSet`] produces, as error messages show it.
const ORIGIN: &str = "RouteSet";
/// The `controllerName` of the generated GatewayClass unless [`Options::controller_name`] says
/// otherwise.
const CONTROLLER: &str = "trieway.dev/route-set";
/// Gateway API limits per HTTPRoute: a host's rules are split over as many routes as needed.
const MAX_RULES: usize = 16;
const MAX_MATCHES: usize = 128;

/// A set of HTTP routes defined in code, for embedders who do not keep Kubernetes YAML.
///
/// It produces the objects a YAML file would hold: a GatewayClass, a Gateway `gateway` with one
/// HTTP listener `http` (port 80 unless [`RouteSet::port`] says otherwise), one HTTPRoute per
/// host group with rules (`route-0`, `route-1`, …: the group of every host first, then the
/// others in the order they were opened; zero-padded when there are ten or more), and a
/// ReferenceGrant in every other namespace a backend lives in. Everything lives in namespace
/// `default` unless [`RouteSet::namespace`] says otherwise. No Service objects are produced,
/// so backend references are taken as written.
///
/// **Precedence is Gateway API's, not the order of the calls.** Among the rules that match a
/// request, the most specific hostname wins, then Exact > RegularExpression > PathPrefix, the
/// longer path, a method condition, more header conditions, more query conditions (see the
/// crate documentation). The order of calls only breaks ties between equally specific rules:
/// the rule given first wins. A host with more than 16 rules (or 128 matches) is split over
/// several HTTPRoutes (`route-0-00`, `route-0-01`, …) whose names keep that order.
///
/// Invalid input is not checked here a second time: [`RouteSet::build`] fails with the
/// [`Error::Invalid`] list of [`ConfigError`](crate::ConfigError)s YAML would give, naming
/// the generated object and the field (`HTTPRoute default/route-1 (RouteSet#3):
/// spec.rules[0].matches[0].headers[0].name: …`); [`RouteSet::config`] returns the validated
/// configuration with its errors.
///
/// ```
/// use trieway::{Outcome, Request, RouteSet, Rule, Target};
///
/// let router = RouteSet::new()
///     .host("api.example.com")
///     .prefix("/users", "users:8080")
///     .exact("/health", "health:8080")
///     .regex("/items/[0-9]+", "items:80")
///     .route(
///         Rule::prefix("/v2")
///             .header("x-canary", "1")
///             .backend("v2:80", 10)
///             .backend("v1:80", 90)
///             .set_request_header("x-via", "trieway"),
///     )
///     .host("old.example.com")
///     .route(Rule::any().redirect_https())
///     .build()?;
///
/// let req = Request::new("GET", "api.example.com", "/users/7");
/// let Outcome::Matched(m) = router.route(&req) else { panic!("no route") };
/// assert!(matches!(m.pick(0), Target::Backend(b) if b.name() == "users" && b.port() == Some(8080)));
/// // The export loads back as ordinary Kubernetes YAML.
/// let yaml = RouteSet::new().prefix("/", "web:80").to_yaml();
/// assert!(yaml.contains("kind: HTTPRoute"));
/// # Ok::<(), trieway::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct RouteSet {
    namespace: String,
    port: u16,
    groups: Vec<Group>,
    current: usize,
}

/// The rules of one HTTPRoute (before splitting): the hostnames and the route name.
#[derive(Debug, Clone, Default)]
struct Group {
    name: Option<String>,
    hostnames: Vec<String>,
    rules: Vec<HttpRouteRule>,
}

impl Default for RouteSet {
    fn default() -> Self {
        RouteSet::new()
    }
}

impl RouteSet {
    /// An empty set: routes added before any [`RouteSet::host`] match every host.
    pub fn new() -> Self {
        RouteSet {
            namespace: "default".to_string(),
            port: 80,
            groups: vec![Group::default()],
            current: 0,
        }
    }

    /// The namespace of every generated object (default `default`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The port of the HTTP listener (default 80). Requests name it with
    /// [`Request::port`](crate::Request::port); without a port they reach it too.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Routes added from now on serve `hostname` (exact, or a wildcard `*.example.com`).
    /// Naming a host again continues its group.
    pub fn host(self, hostname: impl Into<String>) -> Self {
        self.hosts([hostname])
    }

    /// Routes added from now on serve all of `hostnames` (one HTTPRoute with these hostnames).
    pub fn hosts<S: Into<String>>(mut self, hostnames: impl IntoIterator<Item = S>) -> Self {
        let hostnames: Vec<String> = hostnames.into_iter().map(Into::into).collect();
        self.current = match self.groups.iter().position(|g| g.hostnames == hostnames) {
            Some(i) => i,
            None => {
                self.groups.push(Group {
                    hostnames,
                    ..Group::default()
                });
                self.groups.len() - 1
            }
        };
        self
    }

    /// Routes added from now on match every host (the group routes start in).
    pub fn any_host(self) -> Self {
        self.hosts(std::iter::empty::<String>())
    }

    /// Names the HTTPRoute of the current host group (default `route-N`), as
    /// [`RouteMatch::route`](crate::RouteMatch::route) reports it.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.groups[self.current].name = Some(name.into());
        self
    }

    /// Requests whose path starts with the segments of `path` go to `backend`.
    pub fn prefix(self, path: &str, backend: impl Into<BackendObjectReference>) -> Self {
        self.route(Rule::prefix(path).to(backend))
    }

    /// Requests for exactly `path` go to `backend`.
    pub fn exact(self, path: &str, backend: impl Into<BackendObjectReference>) -> Self {
        self.route(Rule::exact(path).to(backend))
    }

    /// Requests whose whole path matches the regular expression `pattern` go to `backend`.
    pub fn regex(self, pattern: &str, backend: impl Into<BackendObjectReference>) -> Self {
        self.route(Rule::regex(pattern).to(backend))
    }

    /// Adds a rule to the current host group.
    pub fn route(mut self, rule: impl Into<Rule>) -> Self {
        self.groups[self.current].rules.push(rule.into().0);
        self
    }

    /// Loads the generated objects and validates them, exactly as [`Config::from_str`] loads
    /// YAML: invalid objects and rules are left out and reported in [`Config::errors`].
    pub fn config(&self) -> Config {
        self.config_for(CONTROLLER)
    }

    /// [`RouteSet::build_with`] and default options.
    pub fn build(&self) -> Result<Router, Error> {
        self.build_with(Options::default())
    }

    /// Compiles the routes as [`Router::from_yaml`] compiles YAML: `Err(Error::Invalid)` with
    /// every problem when any object or rule is invalid. When `options.controller_name` is set,
    /// the generated GatewayClass names that controller.
    pub fn build_with(&self, options: Options) -> Result<Router, Error> {
        let controller = options.controller_name.as_deref().unwrap_or(CONTROLLER);
        Router::new(&self.config_for(controller).strict()?, options)
    }

    /// The generated objects as multi-document Kubernetes YAML, ready for `kubectl apply` or
    /// [`Config::from_str`] (which routes them exactly as this set does).
    pub fn to_yaml(&self) -> String {
        let objects = self.objects(CONTROLLER);
        // Serializing a JSON value cannot fail; JSON text is YAML should it ever do.
        serde_saphyr::to_string_multiple(&objects).unwrap_or_else(|_| {
            objects
                .iter()
                .map(|o| format!("---\n{o}\n"))
                .collect::<String>()
        })
    }

    fn config_for(&self, controller: &str) -> Config {
        let mut config = Config::builder();
        for (i, object) in self.objects(controller).into_iter().enumerate() {
            config.add_value(object, ORIGIN, i);
        }
        config.finish()
    }

    /// GatewayClass, Gateway, the HTTPRoutes and the ReferenceGrants, as Kubernetes objects.
    fn objects(&self, controller: &str) -> Vec<Value> {
        let ns = self.namespace.as_str();
        let class = GatewayClassSpec {
            controller_name: controller.to_string(),
            ..Default::default()
        };
        let gateway = GatewaySpec {
            gateway_class_name: "trieway".to_string(),
            listeners: vec![Listener {
                name: "http".to_string(),
                port: i64::from(self.port),
                protocol: ProtocolType::Http,
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut out = vec![
            object("GatewayClass", "trieway", "", &class),
            object("Gateway", "gateway", ns, &gateway),
        ];
        let groups: Vec<&Group> = self.groups.iter().filter(|g| !g.rules.is_empty()).collect();
        let width = digits(groups.len().saturating_sub(1));
        let mut other_namespaces = Vec::new();
        for (i, group) in groups.into_iter().enumerate() {
            let base = match &group.name {
                Some(name) => name.clone(),
                None => format!("route-{i:0width$}"),
            };
            let chunks = split(&group.rules);
            let chunk_width = digits(chunks.len().saturating_sub(1)).max(2);
            for (k, rules) in chunks.iter().enumerate() {
                for b in rules.iter().flat_map(backend_targets) {
                    if let Some(other) = b.namespace.as_deref().filter(|&o| o != ns) {
                        if !other_namespaces.iter().any(|n: &String| n == other) {
                            other_namespaces.push(other.to_string());
                        }
                    }
                }
                let name = match chunks.len() {
                    1 => base.clone(),
                    _ => format!("{base}-{k:0chunk_width$}"),
                };
                let spec = HttpRouteSpec {
                    parent_refs: vec![ParentReference {
                        name: "gateway".to_string(),
                        ..Default::default()
                    }],
                    hostnames: group.hostnames.clone(),
                    rules: Some(rules.to_vec()),
                };
                out.push(object("HTTPRoute", &name, ns, &spec));
            }
        }
        for other in other_namespaces {
            let grant = ReferenceGrantSpec {
                from: vec![ReferenceGrantFrom {
                    group: GATEWAY_GROUP.to_string(),
                    kind: "HTTPRoute".to_string(),
                    namespace: ns.to_string(),
                }],
                to: vec![ReferenceGrantTo {
                    group: String::new(),
                    kind: "Service".to_string(),
                    name: None,
                }],
            };
            out.push(object(
                "ReferenceGrant",
                &format!("from-{ns}"),
                &other,
                &grant,
            ));
        }
        out
    }
}

/// Consecutive runs of `rules` that fit in one HTTPRoute (none when `rules` is empty).
fn split(rules: &[HttpRouteRule]) -> Vec<&[HttpRouteRule]> {
    let mut chunks = Vec::new();
    let (mut start, mut matches) = (0, 0);
    for (i, rule) in rules.iter().enumerate() {
        let n = rule.matches.len();
        if i > start && (i - start == MAX_RULES || matches + n > MAX_MATCHES) {
            chunks.push(&rules[start..i]);
            (start, matches) = (i, 0);
        }
        matches += n;
    }
    if start < rules.len() {
        chunks.push(&rules[start..]);
    }
    chunks
}

/// Every backend a rule refers to: its backendRefs and its mirrors.
fn backend_targets(rule: &HttpRouteRule) -> impl Iterator<Item = &BackendObjectReference> {
    let mirrors = rule
        .filters
        .iter()
        .filter_map(|f| f.request_mirror.as_ref().map(|m| &m.backend_ref));
    rule.backend_refs.iter().map(|b| &b.target).chain(mirrors)
}

fn digits(n: usize) -> usize {
    n.to_string().len()
}

/// A Kubernetes object of `kind` with `spec`, without empty lists and maps (absent and empty
/// mean the same for every field that is left out; `rules` is kept, as there they differ).
fn object<S: Serialize>(kind: &str, name: &str, namespace: &str, spec: &S) -> Value {
    let api_version = "gateway.networking.k8s.io/v1";
    let mut metadata = json!({ "name": name });
    if !namespace.is_empty() {
        metadata["namespace"] = Value::from(namespace);
    }
    // Serializing the model's structs (string keys only) into a JSON value cannot fail.
    let mut spec = serde_json::to_value(spec).unwrap_or(Value::Null);
    prune(&mut spec);
    json!({ "apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec })
}

fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, v| {
                k == "rules"
                    || !matches!(v, Value::Array(a) if a.is_empty())
                        && !matches!(v, Value::Object(o) if o.is_empty())
            });
            map.values_mut().for_each(prune);
        }
        Value::Array(list) => list.iter_mut().for_each(prune),
        _ => {}
    }
}

/// `"name:port"`: a Service in the route's namespace. Without a numeric `:port` suffix the
/// whole text is the name and no port is set (validation then names the field).
impl From<&str> for BackendObjectReference {
    fn from(s: &str) -> Self {
        let (name, port) = match s.rsplit_once(':') {
            Some((name, port)) => match port.parse::<i64>() {
                Ok(port) => (name, Some(port)),
                Err(_) => (s, None),
            },
            None => (s, None),
        };
        BackendObjectReference {
            name: name.to_string(),
            port,
            ..Default::default()
        }
    }
}

/// `"name:port"`, as for `&str`.
impl From<String> for BackendObjectReference {
    fn from(s: String) -> Self {
        s.as_str().into()
    }
}

/// `"name:port"`, as for `&str`.
impl From<&String> for BackendObjectReference {
    fn from(s: &String) -> Self {
        s.as_str().into()
    }
}

/// `(name, port)`: a Service in the route's namespace.
impl From<(&str, u16)> for BackendObjectReference {
    fn from((name, port): (&str, u16)) -> Self {
        BackendObjectReference {
            name: name.to_string(),
            port: Some(i64::from(port)),
            ..Default::default()
        }
    }
}

/// `(name, port, namespace)`: a Service in another namespace ([`RouteSet`] adds the
/// ReferenceGrant that allows it).
impl From<(&str, u16, &str)> for BackendObjectReference {
    fn from((name, port, namespace): (&str, u16, &str)) -> Self {
        BackendObjectReference {
            namespace: Some(namespace.to_string()),
            ..(name, port).into()
        }
    }
}

/// One rule of a [`RouteSet`]: matches (OR) of path, method, header and query conditions,
/// filters, and weighted backends; an `HTTPRoute` rule, which [`Rule::into_model`] returns.
///
/// Conditions ([`Rule::method`], [`Rule::header`], [`Rule::query`], …) apply to the latest
/// match; [`Rule::or_prefix`] and its siblings start another match. Filters of one type are
/// merged into one filter, as Gateway API allows each type once per rule.
///
/// ```
/// use trieway::Rule;
/// let rule = Rule::prefix("/api").method("POST").or_exact("/submit")
///     .backend("api:80", 3).backend(("api-next", 80), 1)
///     .set_request_header("x-env", "prod").remove_response_header("server")
///     .rewrite_prefix("/v1");
/// assert_eq!(rule.into_model().matches.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Rule(HttpRouteRule);

impl From<HttpRouteRule> for Rule {
    fn from(rule: HttpRouteRule) -> Self {
        Rule(rule)
    }
}

impl Rule {
    /// A rule for every path (no path condition: `PathPrefix /`).
    pub fn any() -> Self {
        Rule::default()
    }

    /// A rule for exactly `path`.
    pub fn exact(path: &str) -> Self {
        Rule::any().or_exact(path)
    }

    /// A rule for `path` and the paths below it (segment-wise: `/users` matches `/users/7`,
    /// not `/usersx`).
    pub fn prefix(path: &str) -> Self {
        Rule::any().or_prefix(path)
    }

    /// A rule for paths the regular expression `pattern` matches in full.
    pub fn regex(pattern: &str) -> Self {
        Rule::any().or_regex(pattern)
    }

    /// Also matches exactly `path` (a new match: later conditions apply to it).
    pub fn or_exact(self, path: &str) -> Self {
        self.or_path(PathMatchType::Exact, path)
    }

    /// Also matches `path` and below (a new match).
    pub fn or_prefix(self, path: &str) -> Self {
        self.or_path(PathMatchType::PathPrefix, path)
    }

    /// Also matches paths the regular expression matches (a new match).
    pub fn or_regex(self, pattern: &str) -> Self {
        self.or_path(PathMatchType::RegularExpression, pattern)
    }

    fn or_path(mut self, kind: PathMatchType, value: &str) -> Self {
        self.0.matches.push(HttpRouteMatch {
            path: Some(HttpPathMatch {
                kind: Some(kind),
                value: Some(value.to_string()),
            }),
            ..Default::default()
        });
        self
    }

    /// The latest match, created (without path condition) if there is none yet.
    fn last_match(&mut self) -> &mut HttpRouteMatch {
        if self.0.matches.is_empty() {
            self.0.matches.push(HttpRouteMatch::default());
        }
        let last = self.0.matches.len() - 1;
        &mut self.0.matches[last]
    }

    /// The latest match also requires this method (`GET`, `POST`, …).
    pub fn method(mut self, method: &str) -> Self {
        self.last_match().method = Some(method.to_string());
        self
    }

    /// The latest match also requires header `name` (any case) to equal `value`.
    pub fn header(self, name: &str, value: &str) -> Self {
        self.condition(true, MatchType::Exact, name, value)
    }

    /// The latest match also requires header `name` to match the regular expression `pattern`.
    pub fn header_regex(self, name: &str, pattern: &str) -> Self {
        self.condition(true, MatchType::RegularExpression, name, pattern)
    }

    /// The latest match also requires query parameter `name` (case-sensitive) to equal `value`.
    pub fn query(self, name: &str, value: &str) -> Self {
        self.condition(false, MatchType::Exact, name, value)
    }

    /// The latest match also requires query parameter `name` to match `pattern`.
    pub fn query_regex(self, name: &str, pattern: &str) -> Self {
        self.condition(false, MatchType::RegularExpression, name, pattern)
    }

    fn condition(mut self, header: bool, kind: MatchType, name: &str, value: &str) -> Self {
        let condition = HttpHeaderMatch {
            kind: Some(kind),
            name: name.to_string(),
            value: value.to_string(),
        };
        let m = self.last_match();
        match header {
            true => m.headers.push(condition),
            false => m.query_params.push(condition),
        }
        self
    }

    /// Names the rule, as [`RouteMatch::rule_name`](crate::RouteMatch::rule_name) reports it.
    pub fn name(mut self, name: &str) -> Self {
        self.0.name = Some(name.to_string());
        self
    }

    /// Sends requests to `backend` (`"name:port"`, `(name, port)` or `(name, port,
    /// namespace)`) with weight 1.
    pub fn to(mut self, backend: impl Into<BackendObjectReference>) -> Self {
        self.0.backend_refs.push(HttpBackendRef {
            target: backend.into(),
            ..Default::default()
        });
        self
    }

    /// Sends a share `weight / total weight` of the requests to `backend`.
    pub fn backend(mut self, backend: impl Into<BackendObjectReference>, weight: u32) -> Self {
        self.0.backend_refs.push(HttpBackendRef {
            target: backend.into(),
            weight: Some(i64::from(weight)),
            filters: Vec::new(),
        });
        self
    }

    /// Adds a filter as the model spells it (for what the other methods do not cover).
    pub fn filter(mut self, filter: HttpRouteFilter) -> Self {
        self.0.filters.push(filter);
        self
    }

    /// The filter of type `kind`, created if the rule has none.
    fn filter_of(&mut self, kind: FilterType) -> &mut HttpRouteFilter {
        let i = match self.0.filters.iter().position(|f| f.kind == kind) {
            Some(i) => i,
            None => {
                self.0.filters.push(empty_filter(kind));
                self.0.filters.len() - 1
            }
        };
        &mut self.0.filters[i]
    }

    fn edit(mut self, request: bool, f: impl FnOnce(&mut HeaderModifier)) -> Self {
        let filter = match request {
            true => self.filter_of(FilterType::RequestHeaderModifier),
            false => self.filter_of(FilterType::ResponseHeaderModifier),
        };
        let modifier = match request {
            true => &mut filter.request_header_modifier,
            false => &mut filter.response_header_modifier,
        };
        f(modifier.get_or_insert_with(HeaderModifier::default));
        self
    }

    /// Sets request header `name` to `value` (replacing every line of it) before forwarding.
    pub fn set_request_header(self, name: &str, value: &str) -> Self {
        self.edit(true, |m| m.set.push(header(name, value)))
    }

    /// Appends a line `name: value` to the request before forwarding.
    pub fn add_request_header(self, name: &str, value: &str) -> Self {
        self.edit(true, |m| m.add.push(header(name, value)))
    }

    /// Removes every line of request header `name` before forwarding.
    pub fn remove_request_header(self, name: &str) -> Self {
        self.edit(true, |m| m.remove.push(name.to_string()))
    }

    /// Sets response header `name` to `value`.
    pub fn set_response_header(self, name: &str, value: &str) -> Self {
        self.edit(false, |m| m.set.push(header(name, value)))
    }

    /// Appends a line `name: value` to the response.
    pub fn add_response_header(self, name: &str, value: &str) -> Self {
        self.edit(false, |m| m.add.push(header(name, value)))
    }

    /// Removes every line of response header `name`.
    pub fn remove_response_header(self, name: &str) -> Self {
        self.edit(false, |m| m.remove.push(name.to_string()))
    }

    fn redirect_with(mut self, f: impl FnOnce(&mut RequestRedirect)) -> Self {
        let filter = self.filter_of(FilterType::RequestRedirect);
        f(filter.request_redirect.get_or_insert_with(Default::default));
        self
    }

    /// Answers with a redirect to the same URL over `https` (status 302 unless
    /// [`Rule::redirect_status`] says otherwise; the port becomes 443).
    pub fn redirect_https(self) -> Self {
        self.redirect_with(|r| r.scheme = Some("https".to_string()))
    }

    /// Answers with a redirect to `hostname` (other parts of the URL kept).
    pub fn redirect_host(self, hostname: &str) -> Self {
        self.redirect_with(|r| r.hostname = Some(hostname.to_string()))
    }

    /// The status of the rule's redirect: 301, 302, 303, 307 or 308.
    pub fn redirect_status(self, status: u16) -> Self {
        self.redirect_with(|r| r.status_code = Some(i64::from(status)))
    }

    /// Answers with the redirect the model describes (replacing the rule's redirect).
    pub fn redirect(self, redirect: RequestRedirect) -> Self {
        self.redirect_with(|r| *r = redirect)
    }

    fn rewrite_with(mut self, f: impl FnOnce(&mut UrlRewrite)) -> Self {
        let filter = self.filter_of(FilterType::UrlRewrite);
        f(filter.url_rewrite.get_or_insert_with(Default::default));
        self
    }

    /// Forwards with the matched path prefix replaced by `prefix` (needs one PathPrefix match).
    pub fn rewrite_prefix(self, prefix: &str) -> Self {
        self.rewrite_with(|r| r.path = Some(path_modifier(false, prefix)))
    }

    /// Forwards with the whole path replaced by `path` (the query is kept).
    pub fn rewrite_path(self, path: &str) -> Self {
        self.rewrite_with(|r| r.path = Some(path_modifier(true, path)))
    }

    /// Forwards with the Host replaced by `hostname`.
    pub fn rewrite_host(self, hostname: &str) -> Self {
        self.rewrite_with(|r| r.hostname = Some(hostname.to_string()))
    }

    /// Also sends a copy of every request to `backend` (responses are ignored).
    /// (Gateway API allows several mirrors per rule: each call adds one.)
    pub fn mirror(mut self, backend: impl Into<BackendObjectReference>) -> Self {
        self.0.filters.push(HttpRouteFilter {
            request_mirror: Some(RequestMirror {
                backend_ref: backend.into(),
                ..Default::default()
            }),
            ..empty_filter(FilterType::RequestMirror)
        });
        self
    }

    /// The HTTPRoute rule built.
    pub fn into_model(self) -> HttpRouteRule {
        self.0
    }
}

fn header(name: &str, value: &str) -> HttpHeader {
    HttpHeader {
        name: name.to_string(),
        value: value.to_string(),
    }
}

fn path_modifier(full: bool, value: &str) -> HttpPathModifier {
    HttpPathModifier {
        kind: match full {
            true => PathModifierType::ReplaceFullPath,
            false => PathModifierType::ReplacePrefixMatch,
        },
        replace_full_path: full.then(|| value.to_string()),
        replace_prefix_match: (!full).then(|| value.to_string()),
    }
}

fn empty_filter(kind: FilterType) -> HttpRouteFilter {
    HttpRouteFilter {
        kind,
        request_header_modifier: None,
        response_header_modifier: None,
        request_redirect: None,
        url_rewrite: None,
        request_mirror: None,
        cors: None,
        extension_ref: None,
        external_auth: None,
    }
}
