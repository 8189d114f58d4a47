//! ingress-nginx annotations (`nginx.ingress.kubernetes.io/*`) in the conversion, mapped as
//! ingress2gateway's ingress-nginx provider maps them (docs/ingress.md, "ingress-nginx
//! annotations"). Everything here reads annotations; convert.rs calls it per Ingress, per rule
//! and per host.

use super::{issue, Ingress, Out, PathGroup};
use crate::model::{
    GrpcRouteRule, HttpRouteFilter, HttpRouteMatch, HttpRouteRule, HttpRouteTimeouts,
};
use serde_json::{json, Value};

/// The prefix of every ingress-nginx annotation.
pub(super) const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// The annotations converted (or deliberately folded into others), without the prefix.
const HANDLED: &[&str] = &[
    "ssl-redirect",
    "force-ssl-redirect",
    "rewrite-target",
    "use-regex",
    "app-root",
    "permanent-redirect",
    "permanent-redirect-code",
    "temporal-redirect",
    "temporal-redirect-code",
    "backend-protocol",
    "canary",
    "canary-weight",
    "canary-weight-total",
    "canary-by-header",
    "canary-by-header-value",
    "canary-by-cookie",
    "enable-cors",
    "cors-allow-origin",
    "cors-allow-methods",
    "cors-allow-headers",
    "cors-allow-credentials",
    "cors-expose-headers",
    "cors-max-age",
    "upstream-vhost",
    "x-forwarded-prefix",
    "proxy-connect-timeout",
    "proxy-send-timeout",
    "proxy-read-timeout",
    "ssl-passthrough",
    "proxy-ssl-verify",
    "proxy-ssl-secret",
    "proxy-ssl-name",
    "proxy-ssl-server-name",
    "from-to-www-redirect",
    "preserve-trailing-slash",
];

/// Annotations that inject raw nginx configuration: never carried over.
const SNIPPETS: &[&str] = &[
    "configuration-snippet",
    "server-snippet",
    "auth-snippet",
    "stream-snippet",
    "modsecurity-snippet",
];

/// The value of the ingress-nginx annotation `name` (without prefix) of `ing`.
pub(super) fn get<'a>(ing: &'a Ingress, name: &str) -> Option<&'a str> {
    ing.meta
        .annotations
        .get(&format!("{PREFIX}{name}"))
        .map(|s| s.trim())
}

/// Whether annotation `name` is `"true"` (ingress-nginx parses booleans leniently).
pub(super) fn flag(ing: &Ingress, name: &str) -> bool {
    get(ing, name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "t"))
}

fn field(name: &str) -> String {
    format!("metadata.annotations[\"{PREFIX}{name}\"]")
}

/// Reports every ingress-nginx annotation of `ing` that is not converted (a warning), and the
/// snippets (an error: raw nginx configuration cannot be carried over).
pub(super) fn unconverted(ing: &Ingress, out: &mut Out) {
    for (k, v) in &ing.meta.annotations {
        let Some(name) = k.strip_prefix(PREFIX) else {
            continue;
        };
        if SNIPPETS.contains(&name) {
            out.error(
                ing,
                field(name),
                format!(
                    "annotation {k} injects raw nginx configuration ({} bytes), which cannot \
                     be carried over to Gateway API: rewrite it by hand (filters, policies)",
                    v.len()
                ),
            );
        } else if !HANDLED.contains(&name) {
            out.warn(
                ing,
                field(name),
                format!("annotation {k} is not converted: the converted routes ignore it"),
            );
        }
    }
    if let Some(p) = get(ing, "backend-protocol") {
        let p = p.to_ascii_uppercase();
        let hint = match p.as_str() {
            "HTTP" | "GRPC" | "HTTPS" | "GRPCS" => return,
            _ => "not expressible in Gateway API",
        };
        out.warn(
            ing,
            field("backend-protocol"),
            format!("backend-protocol {p}: the converted HTTPRoute speaks HTTP/1 to the backend; {hint}"),
        );
    }
}

/// Whether `ing` has an ingress-nginx annotation that the conversion applies.
pub(super) fn converted_annotations(ing: &Ingress) -> bool {
    ing.meta
        .annotations
        .keys()
        .any(|k| k.strip_prefix(PREFIX).is_some_and(|n| HANDLED.contains(&n)))
}

/// Whether `ing` is a canary Ingress (`canary: "true"`).
pub(super) fn is_canary(ing: &Ingress) -> bool {
    flag(ing, "canary")
}

/// Whether ingress-nginx turns the paths of every Ingress of a host into case-insensitive
/// regular expressions because of `ing` (`use-regex: "true"`, or `rewrite-target`).
pub(super) fn wants_regex(ing: &Ingress) -> bool {
    !is_canary(ing) && (flag(ing, "use-regex") || get(ing, "rewrite-target").is_some())
}

/// The RegularExpression value ingress-nginx's location `~* ^<path>` amounts to, anchored to
/// the whole path as Gateway API regular expressions are.
pub(super) fn regex_path(path: &str) -> Result<String, String> {
    let p = if path.is_empty() { "/" } else { path };
    let value = format!("(?i:{p}).*");
    match regex_syntax::Parser::new().parse(&value) {
        Ok(_) => Ok(value),
        Err(e) => Err(format!(
            "path {path:?} is not a valid regular expression (ingress-nginx reads every path of \
             this host as one, because of use-regex or rewrite-target): {}",
            e.to_string().lines().last().unwrap_or("").trim()
        )),
    }
}

/// Builds a filter from its JSON form (the model's types have no other constructor).
fn filter(v: Value) -> Option<HttpRouteFilter> {
    serde_json::from_value(v).ok()
}

/// `ing`'s rule-level annotations applied to `rule`: redirects (the backends dropped),
/// rewrite-target, upstream-vhost, x-forwarded-prefix, CORS and timeouts. `regex` says
/// whether the host's paths are regular expressions.
pub(super) fn apply_rule(
    ing: &Ingress,
    rule: &mut HttpRouteRule,
    group: &PathGroup,
    regex: bool,
    out: &mut Out,
) {
    if let Some(f) = redirect(ing, out) {
        rule.filters.push(f);
        rule.backend_refs.clear();
        return;
    }
    rewrite(ing, rule, group, regex, out);
    let vhost = get(ing, "upstream-vhost").filter(|v| !v.is_empty());
    let vhost = vhost.filter(|v| match crate::validate::hostname(v, false) {
        Ok(()) => true,
        Err(e) => {
            out.warn(
                ing,
                field("upstream-vhost"),
                format!("{v:?} cannot be a rewritten hostname ({e}); not converted"),
            );
            false
        }
    });
    if let Some(vhost) = vhost {
        let existing = rule.filters.iter_mut().find_map(|f| f.url_rewrite.as_mut());
        match existing {
            Some(r) => r.hostname = Some(vhost.to_string()),
            None => rule.filters.extend(filter(
                json!({"type": "URLRewrite", "urlRewrite": {"hostname": vhost}}),
            )),
        }
    }
    let mut set = Vec::new();
    if let Some(prefix) = get(ing, "x-forwarded-prefix")
        .filter(|v| !v.is_empty() && !v.bytes().any(|b| b.is_ascii_control()))
    {
        set.push(json!({"name": "X-Forwarded-Prefix", "value": prefix}));
    }
    if !set.is_empty() {
        rule.filters.extend(filter(
            json!({"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": set}}),
        ));
    }
    if flag(ing, "enable-cors") {
        rule.filters.extend(filter(cors(ing)));
    }
    timeouts(ing, rule, out);
}

/// permanent-redirect / temporal-redirect (+ `-code`) as a RequestRedirect filter.
fn redirect(ing: &Ingress, out: &mut Out) -> Option<HttpRouteFilter> {
    let (name, url, default, allowed): (&str, &str, i64, &[i64]) = match (
        get(ing, "temporal-redirect"),
        get(ing, "permanent-redirect"),
    ) {
        (Some(t), _) => ("temporal-redirect", t, 302, &[301, 302, 303, 307]),
        (None, Some(p)) => ("permanent-redirect", p, 301, &[301, 302, 303, 307, 308]),
        (None, None) => return None,
    };
    let code = match get(ing, &format!("{name}-code")) {
        None => default,
        Some(c) => match c.parse::<i64>() {
            Ok(c) if allowed.contains(&c) => c,
            _ => {
                out.warn(
                    ing,
                    field(&format!("{name}-code")),
                    format!("status {c:?} is not a Gateway API redirect code ({allowed:?}); using {default}"),
                );
                default
            }
        },
    };
    match redirect_target(url, code) {
        Ok(r) => filter(json!({"type": "RequestRedirect", "requestRedirect": r})),
        Err(why) => {
            out.error(
                ing,
                field(name),
                format!("{name} {url:?} {why}; no redirect is made"),
            );
            None
        }
    }
}

/// The `requestRedirect` of an absolute `http(s)://host[:port][/path]` URL (query and
/// fragment dropped, as ingress2gateway does), or why it cannot be one.
fn redirect_target(url: &str, code: i64) -> Result<Value, String> {
    let (scheme, rest) = url.split_once("://").ok_or("is not an absolute URL")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "has scheme {scheme:?}; a redirect takes http or https"
        ));
    }
    let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(n) if n > 0 => (h, Some(i64::from(n))),
            _ => return Err(format!("has port {p:?}")),
        },
        None => (authority, None),
    };
    let host = host.to_ascii_lowercase();
    crate::validate::hostname(&host, false).map_err(|e| format!("has host {host:?}: {e}"))?;
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = if path.is_empty() { "/" } else { path };
    crate::validate::path_value(path).map_err(|e| format!("has path {path:?}: {e}"))?;
    let mut r = json!({"scheme": scheme, "hostname": host, "statusCode": code,
        "path": {"type": "ReplaceFullPath", "replaceFullPath": path}});
    if let Some(p) = port {
        r["port"] = json!(p);
    }
    Ok(r)
}

/// rewrite-target as a URLRewrite: without capture references, the whole path is replaced;
/// with them, only `<prefix>(/|$)(.*)` rewritten to `<target>/$2` is expressible (a prefix
/// rewrite, the rule's match becoming `PathPrefix <prefix>`); anything else is warned about.
fn rewrite(ing: &Ingress, rule: &mut HttpRouteRule, group: &PathGroup, regex: bool, out: &mut Out) {
    let Some(target) = get(ing, "rewrite-target").filter(|t| !t.is_empty()) else {
        return;
    };
    let path = if !target.contains('$') {
        json!({"type": "ReplaceFullPath", "replaceFullPath": target})
    } else if let Some((prefix, replacement)) = capture_prefix(&group.path, target) {
        rule.matches = vec![prefix_match(prefix, rule.matches.first())];
        json!({"type": "ReplacePrefixMatch", "replacePrefixMatch": replacement})
    } else {
        let why = if regex {
            ""
        } else {
            " (and use-regex is not set)"
        };
        out.warn(
            ing,
            field("rewrite-target"),
            format!(
                "rewrite-target {target:?} refers to capture groups of path {:?}{why}: Gateway \
                 API rewrites cannot; only '<prefix>(/|$)(.*)' with '<target>/$2' converts. \
                 The rule forwards the path unchanged",
                group.path
            ),
        );
        return;
    };
    rule.filters.extend(filter(
        json!({"type": "URLRewrite", "urlRewrite": {"path": path}}),
    ));
}

/// For `<prefix>(/|$)(.*)` and `<target>/$2` (or `<target>$2` with target ending in `/`):
/// `(prefix, target)`. The prefix must be a literal path.
fn capture_prefix<'a>(path: &'a str, target: &'a str) -> Option<(&'a str, &'a str)> {
    let prefix = path.strip_suffix("(/|$)(.*)")?;
    let literal = prefix.starts_with('/')
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.~".contains(&b));
    let replacement = target.strip_suffix("$2")?;
    let replacement = replacement.strip_suffix('/').unwrap_or(replacement);
    (literal && !replacement.contains('$')).then_some((
        prefix,
        if replacement.is_empty() {
            "/"
        } else {
            replacement
        },
    ))
}

/// A PathPrefix match keeping the header conditions of `like`.
fn prefix_match(prefix: &str, like: Option<&HttpRouteMatch>) -> HttpRouteMatch {
    let mut m = like.cloned().unwrap_or_default();
    m.path = serde_json::from_value(json!({"type": "PathPrefix", "value": prefix})).ok();
    m
}

/// The CORS filter of `enable-cors` and `cors-*` (ingress-nginx's defaults where unset).
fn cors(ing: &Ingress) -> Value {
    let list = |name: &str, default: &str| -> Vec<String> {
        get(ing, name)
            .filter(|v| !v.is_empty())
            .unwrap_or(default)
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut c = json!({
        "allowOrigins": list("cors-allow-origin", "*"),
        "allowMethods": list("cors-allow-methods", "GET, PUT, POST, DELETE, PATCH, OPTIONS"),
        "allowHeaders": list("cors-allow-headers", "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization"),
        "allowCredentials": get(ing, "cors-allow-credentials").is_none_or(|v| v.eq_ignore_ascii_case("true")),
        "maxAge": get(ing, "cors-max-age").and_then(|v| v.parse::<i64>().ok()).unwrap_or(1728000),
    });
    let expose = list("cors-expose-headers", "");
    if !expose.is_empty() {
        c["exposeHeaders"] = json!(expose);
    }
    json!({"type": "CORS", "cors": c})
}

/// proxy-*-timeout: ingress-nginx's are per connect/read/send, Gateway API's per request.
/// The longest of them becomes `timeouts.backendRequest` when read is set (a request taking
/// longer than a read timeout would be cut by ingress-nginx only if idle), and the
/// difference is warned about.
fn timeouts(ing: &Ingress, rule: &mut HttpRouteRule, out: &mut Out) {
    let names = [
        "proxy-connect-timeout",
        "proxy-send-timeout",
        "proxy-read-timeout",
    ];
    let mut set = Vec::new();
    for name in names {
        let Some(v) = get(ing, name) else { continue };
        match v.trim_end_matches('s').parse::<u64>() {
            Ok(secs) if secs > 0 => set.push((name, secs)),
            _ => out.warn(
                ing,
                field(name),
                format!("{name} {v:?} is not a positive number of seconds; ignored"),
            ),
        }
    }
    let Some(&(_, longest)) = set.iter().max_by_key(|s| s.1) else {
        return;
    };
    rule.timeouts = Some(HttpRouteTimeouts {
        request: None,
        backend_request: Some(format!("{longest}s")),
    });
    out.warn(
        ing,
        field(set[0].0),
        format!(
            "{} are timeouts per connect / send / read operation in ingress-nginx; Gateway API \
             has one per backend request: timeouts.backendRequest is set to the longest, {longest}s",
            set.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
        ),
    );
}

/// The canary of a path group: `(weight, total)` of `canary-weight`, and the header match
/// rules of `canary-by-header(-value)` and `canary-by-cookie`, for a canary Ingress.
pub(super) struct Canary {
    /// `canary-weight` and `canary-weight-total` (default 100), when weighted.
    pub weight: Option<(i64, i64)>,
    /// Header matches that decide: `(name, type, value, to the canary)` (`false`: to the
    /// main backends, skipping the weighted split).
    pub headers: Vec<(String, &'static str, String, bool)>,
}

/// The canary settings of `ing` (warning about values that cannot be read).
pub(super) fn canary(ing: &Ingress, out: &mut Out) -> Canary {
    let total = match get(ing, "canary-weight-total").map(|v| v.parse::<i64>()) {
        Some(Ok(t)) if t > 0 => t,
        None => 100,
        Some(_) => {
            out.warn(
                ing,
                field("canary-weight-total"),
                "not a positive integer; using 100",
            );
            100
        }
    };
    let weight = match get(ing, "canary-weight").map(|v| v.parse::<i64>()) {
        Some(Ok(w)) if w >= 0 => Some((w.min(total), total)),
        None => None,
        Some(_) => {
            out.warn(
                ing,
                field("canary-weight"),
                "not a non-negative integer; using 0",
            );
            Some((0, total))
        }
    };
    let mut headers = Vec::new();
    let token = |h: &&str| {
        h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if let Some(h) = get(ing, "canary-by-header").filter(|h| !h.is_empty()) {
        if !token(&h) {
            out.warn(
                ing,
                field("canary-by-header"),
                format!("{h:?} is not a header name; the header canary is not converted"),
            );
        }
    }
    let value_ok = |v: &str| !v.bytes().any(|b| b.is_ascii_control());
    if let Some(h) = get(ing, "canary-by-header").filter(|h| !h.is_empty() && token(h)) {
        match get(ing, "canary-by-header-value").filter(|v| !v.is_empty()) {
            Some(v) if value_ok(v) => headers.push((h.to_string(), "Exact", v.to_string(), true)),
            Some(v) => out.warn(
                ing,
                field("canary-by-header-value"),
                format!("{v:?} has control characters; the header canary is not converted"),
            ),
            None => {
                headers.push((h.to_string(), "Exact", "always".to_string(), true));
                headers.push((h.to_string(), "Exact", "never".to_string(), false));
            }
        }
    }
    if let Some(c) = get(ing, "canary-by-cookie").filter(|c| !c.is_empty()) {
        let name: String = c
            .chars()
            .filter(|ch| ch.is_ascii_alphanumeric() || "-_".contains(*ch))
            .collect();
        let cookie = |v: &str| format!("(?:.*;\\s*)?{name}={v}(?:;.*)?");
        headers.push(("Cookie".into(), "RegularExpression", cookie("always"), true));
        headers.push(("Cookie".into(), "RegularExpression", cookie("never"), false));
        out.warn(
            ing,
            field("canary-by-cookie"),
            format!(
                "canary-by-cookie {c:?} converts to RegularExpression matches of the Cookie \
                 header for {c}=always and {c}=never (Gateway API implementations need not \
                 support regular expressions on headers)"
            ),
        );
    }
    Canary { weight, headers }
}

/// The warning for a canary Ingress whose path has no main (non-canary) Ingress.
pub(super) fn lone_canary(ing: &Ingress, field: &str) -> crate::error::ConfigError {
    issue(
        ing,
        field,
        "canary Ingress without a main Ingress for the same host and path: ingress-nginx \
         ignores it; not converted",
    )
}

/// Whether the rules of `host` redirect HTTP to HTTPS: some rule's Ingress has
/// `force-ssl-redirect: "true"` or `ssl-redirect: "true"` (or, with
/// [`ConvertOptions::nginx`](super::ConvertOptions::nginx), no `ssl-redirect: "false"`, as
/// ingress-nginx redirects by default) and the host has an HTTPS listener. Warns when a
/// redirect is asked for a host without one.
pub(super) fn ssl_redirect(
    options: &super::ConvertOptions,
    rules: &[super::Rule],
    host: &str,
    g: &super::HostGroup,
    out: &mut Out,
) -> bool {
    let wanted = rules.iter().any(|r| wants_ssl_redirect(options, r.ingress));
    let https = g.tls && !g.secrets.is_empty();
    if wanted && !https {
        if let Some(r) = rules.iter().find(|r| flag(r.ingress, "force-ssl-redirect")) {
            out.warn(
                r.ingress,
                field("force-ssl-redirect"),
                format!(
                    "host {:?} has no TLS in the Ingresses, hence no HTTPS listener: its \
                     force-ssl-redirect rules redirect plain HTTP to https as ingress-nginx \
                     does, and HTTPS must be served elsewhere",
                    if host.is_empty() { "*" } else { host }
                ),
            );
        }
    }
    wanted && https
}

/// The rules of a host without TLS when some of its Ingresses have `force-ssl-redirect`
/// (ingress-nginx redirects plain HTTP regardless of a certificate): those rules answer 308
/// to `https`, the others (and rules that redirect already) are kept. `None` when no rule
/// forces.
pub(super) fn forced_rules(rules: &[super::Rule]) -> Option<Vec<HttpRouteRule>> {
    if !rules.iter().any(|r| flag(r.ingress, "force-ssl-redirect")) {
        return None;
    }
    Some(
        rules
            .iter()
            .map(|r| {
                let redirects = r.rule.filters.iter().any(|f| f.request_redirect.is_some());
                if !flag(r.ingress, "force-ssl-redirect") || redirects {
                    return r.rule.clone();
                }
                HttpRouteRule {
                    matches: r.rule.matches.clone(),
                    filters: filter(json!({"type": "RequestRedirect",
                        "requestRedirect": {"scheme": "https", "statusCode": 308}}))
                    .into_iter()
                    .collect(),
                    ..HttpRouteRule::default()
                }
            })
            .collect(),
    )
}

/// Whether `ing` asks for HTTP → HTTPS redirects.
fn wants_ssl_redirect(options: &super::ConvertOptions, ing: &Ingress) -> bool {
    flag(ing, "force-ssl-redirect")
        || match get(ing, "ssl-redirect") {
            Some(v) => v.eq_ignore_ascii_case("true"),
            None => options.nginx,
        }
}

/// The rules of the HTTP side of a host with ssl-redirect: each rule whose Ingress redirects
/// answers 308 to `https` (ingress-nginx's code), the others, and the rules that redirect
/// already (app-root, permanent-/temporal-redirect, which nginx answers first), are kept. The options that
/// decide were applied by [`ssl_redirect`]; an Ingress of the host with `ssl-redirect:
/// "false"` keeps its rules on HTTP.
pub(super) fn redirect_rules(rules: &[super::Rule]) -> Vec<HttpRouteRule> {
    rules
        .iter()
        .map(|r| {
            if get(r.ingress, "ssl-redirect").is_some_and(|v| v.eq_ignore_ascii_case("false"))
                && !flag(r.ingress, "force-ssl-redirect")
            {
                return r.rule.clone();
            }
            // app-root and permanent-/temporal-redirect answer first: nginx's `return` runs
            // before the HTTPS redirect of lua_ingress.lua.
            if r.rule.filters.iter().any(|f| f.request_redirect.is_some()) {
                return r.rule.clone();
            }
            HttpRouteRule {
                matches: r.rule.matches.clone(),
                filters: filter(json!({"type": "RequestRedirect",
                    "requestRedirect": {"scheme": "https", "statusCode": 308}}))
                .into_iter()
                .collect(),
                ..HttpRouteRule::default()
            }
        })
        .collect()
}

/// app-root: requests for `/` of the host are redirected (302) to the app root. The first
/// Ingress of the host with the annotation decides; an `Exact /` rule gets the redirect, else
/// a rule `Exact /` is added.
pub(super) fn app_root<'a>(
    rules: &mut Vec<super::Rule<'a>>,
    g: &'a super::HostGroup<'a>,
    out: &mut Out,
) {
    let Some((ing, root)) = rules.iter().find_map(|r| {
        get(r.ingress, "app-root")
            .filter(|v| !v.is_empty())
            .map(|v| (r.ingress, v))
    }) else {
        return;
    };
    if !root.starts_with('/') {
        out.warn(
            ing,
            field("app-root"),
            format!("app-root {root:?} is not a path; ignored"),
        );
        return;
    }
    let redirect = filter(json!({"type": "RequestRedirect", "requestRedirect": {
        "statusCode": 302, "path": {"type": "ReplaceFullPath", "replaceFullPath": root}}}));
    let exact_root = |r: &super::Rule| r.path.0 == "Exact" && r.path.1 == "/";
    if let Some(r) = rules.iter_mut().find(|r| exact_root(r)) {
        r.rule.filters.extend(redirect);
        r.rule.backend_refs.clear();
        return;
    }
    let Some(group) = g.paths.first() else { return };
    rules.push(super::Rule {
        path: ("Exact", "/".to_string()),
        group,
        ingress: ing,
        rule: HttpRouteRule {
            matches: vec![
                serde_json::from_value(json!({"path": {"type": "Exact", "value": "/"}}))
                    .unwrap_or_default(),
            ],
            filters: redirect.into_iter().collect(),
            ..HttpRouteRule::default()
        },
    });
}

/// Whether `ing` asks for gRPC backends (`backend-protocol: GRPC` or `GRPCS`).
pub(super) fn grpc(ing: &Ingress) -> bool {
    get(ing, "backend-protocol")
        .is_some_and(|p| p.eq_ignore_ascii_case("GRPC") || p.eq_ignore_ascii_case("GRPCS"))
}

/// The GRPCRoute rules of a host whose rules come from an Ingress with `backend-protocol:
/// GRPC`/`GRPCS` (as ingress2gateway: path `/` matches every method, `/svc` or `/svc/` a
/// service, `/svc/Method` one method; header matches are kept). Other paths, filters and a
/// host mixing gRPC and HTTP Ingresses are warned about; `None` when the host is not gRPC.
pub(super) fn grpc_rules(rules: &[super::Rule], out: &mut Out) -> Option<Vec<GrpcRouteRule>> {
    let first = rules.iter().find(|r| grpc(r.ingress))?;
    if let Some(http) = rules.iter().find(|r| !grpc(r.ingress)) {
        out.warn(
            http.ingress,
            "metadata.annotations",
            format!(
                "Ingress {} makes the host's rules a GRPCRoute (backend-protocol); this \
                 Ingress's HTTP paths of the same host are converted as gRPC too",
                first.ingress.key()
            ),
        );
    }
    let mut out_rules = Vec::new();
    for r in rules {
        let path = r.group.path.trim_end_matches('/');
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        let method = match parts.as_slice() {
            [] => None,
            [svc] => Some(json!({"service": svc})),
            [svc, m] => Some(json!({"service": svc, "method": m})),
            _ => {
                out.warn(
                    r.ingress,
                    "spec.rules",
                    format!(
                        "gRPC path {:?} is not /service or /service/method; not converted",
                        r.group.path
                    ),
                );
                continue;
            }
        };
        if !r.rule.filters.is_empty() {
            out.warn(
                r.ingress,
                "metadata.annotations",
                "filters of a gRPC path are not converted",
            );
        }
        let headers: Vec<Value> = r
            .rule
            .matches
            .iter()
            .flat_map(|m| &m.headers)
            .map(|h| serde_json::to_value(h).unwrap_or(Value::Null))
            .collect();
        let mut m = json!({});
        if let Some(method) = method {
            m["method"] = method;
        }
        if !headers.is_empty() {
            m["headers"] = json!(headers);
        }
        let matches = if m.as_object().is_some_and(|o| o.is_empty()) {
            Vec::new()
        } else {
            serde_json::from_value(json!([m])).unwrap_or_default()
        };
        out_rules.push(GrpcRouteRule {
            matches,
            backend_refs: r.rule.backend_refs.clone(),
            ..GrpcRouteRule::default()
        });
    }
    Some(out_rules)
}

/// Whether `ing` has `ssl-passthrough: "true"` (Go's `strconv.ParseBool`).
pub(super) fn passthrough(ing: &Ingress) -> bool {
    matches!(
        get(ing, "ssl-passthrough"),
        Some("1" | "t" | "T" | "TRUE" | "true" | "True")
    )
}

/// Whether some Ingress of the host has ssl-passthrough: the host gets a TLS passthrough
/// listener instead of an HTTPS one.
pub(super) fn passthrough_host(g: &super::HostGroup) -> bool {
    g.paths
        .iter()
        .flat_map(|p| &p.entries)
        .any(|e| !is_canary(e.ingress) && passthrough(e.ingress))
}

/// The rules of a host with ssl-passthrough, split as ingress2gateway does: those of the
/// passthrough Ingresses (for the TLSRoute; their paths, filters and HTTP routing are
/// dropped, with a warning) and the others (kept on HTTP).
pub(super) fn split_passthrough<'a>(
    rules: Vec<super::Rule<'a>>,
    host: &str,
    out: &mut Out,
) -> (Vec<super::Rule<'a>>, Vec<super::Rule<'a>>) {
    let (tls, http): (Vec<_>, Vec<_>) = rules.into_iter().partition(|r| passthrough(r.ingress));
    let mut warned = std::collections::BTreeSet::new();
    for r in &tls {
        if !warned.insert(r.ingress.key()) {
            continue;
        }
        let why = if host.is_empty() {
            "rules without a host cannot be a TLSRoute (SNI needs a hostname): not converted"
        } else {
            "TLS connections to the host go to the backend undecrypted (a TLSRoute on a TLS \
             passthrough listener); the paths, the HTTP routing and the other annotations of \
             this Ingress are not converted"
        };
        out.warn(r.ingress, field("ssl-passthrough"), why);
    }
    (tls, http)
}

/// The BackendTLSPolicies of backend-protocol `HTTPS`/`GRPCS` (as ingress2gateway): one per
/// Service, `<service>-backend-tls`, validating the backend's certificate with the CA of
/// `proxy-ssl-secret` (as a ConfigMap of the same name, which must be created) for the
/// hostname `proxy-ssl-name`. ingress-nginx does not verify backends by default: without
/// `proxy-ssl-verify: "on"`, `proxy-ssl-server-name: "on"`, `proxy-ssl-name` and
/// `proxy-ssl-secret` (in the Ingress's namespace) nothing is emitted and an error says why.
pub(super) fn backend_tls_policies(ingresses: &[&Ingress], out: &mut Out) {
    let mut emitted: Vec<(String, String, Value)> = Vec::new();
    for ing in ingresses.iter().filter(|i| !is_canary(i)) {
        let protocol = get(ing, "backend-protocol").map(str::to_ascii_uppercase);
        if !matches!(protocol.as_deref(), Some("HTTPS" | "GRPCS")) {
            continue;
        }
        let ns = ing.meta.namespace.as_str();
        let mut problems = Vec::new();
        if get(ing, "proxy-ssl-verify") != Some("on") {
            problems.push("proxy-ssl-verify must be \"on\"");
        }
        if get(ing, "proxy-ssl-server-name") != Some("on") {
            problems.push("proxy-ssl-server-name must be \"on\" (Gateway API always sends SNI)");
        }
        let name = get(ing, "proxy-ssl-name").filter(|n| !n.is_empty());
        let name = name.filter(|n| crate::validate::hostname(n, false).is_ok());
        if name.is_none() {
            problems.push("proxy-ssl-name must be the backend certificate's hostname");
        }
        let secret = get(ing, "proxy-ssl-secret").filter(|s| !s.is_empty());
        let ca = match secret.map(|s| s.split_once('/').unwrap_or((ns, s))) {
            None => {
                problems.push("proxy-ssl-secret must name the CA to trust");
                None
            }
            Some((sns, _)) if sns != ns => {
                problems.push("proxy-ssl-secret must be in the Ingress's namespace");
                None
            }
            Some((_, n)) => Some(n),
        };
        let (Some(host), Some(ca), true) = (name, ca, problems.is_empty()) else {
            out.error(
                ing,
                field("backend-protocol"),
                format!(
                    "backend-protocol {}: no BackendTLSPolicy is made, so the converted \
                     route speaks plain HTTP to the backend: {}",
                    protocol.unwrap_or_default(),
                    problems.join("; ")
                ),
            );
            continue;
        };
        let mut services: Vec<&str> = ing
            .spec
            .rules
            .iter()
            .flat_map(|r| r.http.iter().flat_map(|h| &h.paths))
            .map(|p| &p.backend)
            .chain(ing.spec.default_backend.as_ref())
            .filter_map(|b| b.service.as_ref().map(|s| s.name.as_str()))
            .collect();
        services.sort_unstable();
        services.dedup();
        for svc in services {
            let policy = format!("{svc}-backend-tls");
            let validation = json!({"hostname": host,
                "caCertificateRefs": [{"group": "", "kind": "ConfigMap", "name": ca}]});
            if let Some(e) = emitted.iter().find(|e| e.0 == ns && e.1 == policy) {
                if e.2 != validation {
                    out.warn(
                        ing,
                        field("proxy-ssl-name"),
                        format!("BackendTLSPolicy {ns}/{policy} was made from another Ingress with other settings; the first is kept"),
                    );
                }
                continue;
            }
            out.warn(
                ing,
                field("proxy-ssl-secret"),
                format!(
                    "BackendTLSPolicy {ns}/{policy} trusts the CA in ConfigMap {ns}/{ca} (key \
                     ca.crt): create it from Secret {ca}; a client certificate in that Secret \
                     (mutual TLS) is not carried over"
                ),
            );
            emitted.push((ns.to_string(), policy, validation));
        }
    }
    for (ns, name, validation) in emitted {
        let svc = name.trim_end_matches("-backend-tls");
        out.conv.objects.push(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "BackendTLSPolicy",
            "metadata": {"name": name, "namespace": ns},
            "spec": {
                "targetRefs": [{"group": "", "kind": "Service", "name": svc}],
                "validation": validation,
            },
        }));
    }
}

/// from-to-www-redirect: the other name of `host` (`www.` added or removed) when an Ingress
/// of the host has the annotation; `None` for wildcard and host-less rules.
pub(super) fn www_alias(host: &str, g: &super::HostGroup) -> Option<String> {
    let wanted = g
        .paths
        .iter()
        .flat_map(|p| &p.entries)
        .any(|e| !is_canary(e.ingress) && flag(e.ingress, "from-to-www-redirect"));
    if !wanted || host.is_empty() || host.starts_with('*') {
        return None;
    }
    Some(match host.strip_prefix("www.") {
        Some(bare) if bare.contains('.') => bare.to_string(),
        Some(_) => return None,
        None => format!("www.{host}"),
    })
}

/// The rule of the other name's route: every request redirected (308, ingress-nginx's
/// `http-redirect-code`) to the same scheme, path and query on `host`.
pub(super) fn www_rule(host: &str) -> HttpRouteRule {
    HttpRouteRule {
        filters: filter(json!({"type": "RequestRedirect",
            "requestRedirect": {"hostname": host, "statusCode": 308}}))
        .into_iter()
        .collect(),
        ..HttpRouteRule::default()
    }
}

/// Warns that from-to-www-redirect is left out because the other name has its own rules (as
/// ingress-nginx does).
pub(super) fn www_taken(g: &super::HostGroup, alias: &str, out: &mut Out) {
    out.warn(
        g.first,
        field("from-to-www-redirect"),
        format!("host {alias:?} has its own rules: no redirect is made to it (as ingress-nginx)"),
    );
}
