//! Filters of HTTPRoute and GRPCRoute rules and backendRefs (SPEC §6).

use super::gateway::count;
use super::routes::backend_target;
use super::scalars::{self, q};
use super::{count_at, Report};
use crate::model::*;

const UNSUPPORTED: &str = "UnsupportedValue";
const INCOMPATIBLE: &str = "IncompatibleFilters";

/// Where a filter list sits.
#[derive(Debug, Clone, Copy)]
pub(super) struct FilterCtx {
    /// Index of the rule.
    pub rule: usize,
    /// A GRPCRoute (only header modifiers, mirrors and ExtensionRef are supported).
    pub grpc: bool,
    /// The rule has exactly one match and it is `PathPrefix` (after defaults), as
    /// `ReplacePrefixMatch` requires.
    pub single_prefix: bool,
}

/// The filter types a list may hold at most once.
const SINGLE: &[FilterType] = &[
    FilterType::RequestHeaderModifier,
    FilterType::ResponseHeaderModifier,
    FilterType::RequestRedirect,
    FilterType::UrlRewrite,
    FilterType::Cors,
];

/// The filter types a GRPCRoute supports.
const GRPC: &[FilterType] = &[
    FilterType::RequestHeaderModifier,
    FilterType::ResponseHeaderModifier,
    FilterType::RequestMirror,
    FilterType::ExtensionRef,
];

/// A filter list (rule- or backendRef-level) at path `p`: ≤16, combinations (§6.1), each
/// filter.
pub(super) fn filter_list(
    list: &[HttpRouteFilter],
    p: &dyn std::fmt::Display,
    ctx: FilterCtx,
    r: &mut Report,
) {
    count_at(r, p, list.len(), 0, 16, "filter");
    for (k, f) in list.iter().enumerate() {
        let fp = format!("{p}[{k}]");
        filter(f, &fp, ctx, r);
        if SINGLE.contains(&f.kind) && list[..k].iter().any(|o| o.kind == f.kind) {
            r.rule(
                ctx.rule,
                INCOMPATIBLE,
                format!("{fp}.type"),
                format!("at most one {} filter is allowed per list", f.kind),
            );
        }
    }
    let redirect = list
        .iter()
        .position(|f| f.kind == FilterType::RequestRedirect);
    let rewrite = list.iter().position(|f| f.kind == FilterType::UrlRewrite);
    if let (Some(a), Some(b)) = (redirect, rewrite) {
        r.rule(
            ctx.rule,
            INCOMPATIBLE,
            format!("{p}[{}]", a.max(b)),
            "RequestRedirect and URLRewrite filters cannot be used together",
        );
    }
}

/// One filter: `type` names the single populated config field, and that config is valid.
fn filter(f: &HttpRouteFilter, p: &str, ctx: FilterCtx, r: &mut Report) {
    use FilterType as T;
    if let T::Other(t) = &f.kind {
        r.rule(
            ctx.rule,
            UNSUPPORTED,
            format!("{p}.type"),
            format!("unsupported filter type {}", q(t)),
        );
        return;
    }
    if ctx.grpc && !GRPC.contains(&f.kind) {
        r.rule(
            ctx.rule,
            UNSUPPORTED,
            format!("{p}.type"),
            format!(
                "filter type {} is not supported on a GRPCRoute (supported: \
                 RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, ExtensionRef)",
                f.kind
            ),
        );
        return;
    }
    one_config_field(f, p, r);
    filter_config(f, p, ctx, r);
}

/// `type` names the config field that must be set; every other config field must be unset.
fn one_config_field(f: &HttpRouteFilter, p: &str, r: &mut Report) {
    use FilterType as T;
    let fields = [
        (
            T::RequestHeaderModifier,
            "requestHeaderModifier",
            f.request_header_modifier.is_some(),
        ),
        (
            T::ResponseHeaderModifier,
            "responseHeaderModifier",
            f.response_header_modifier.is_some(),
        ),
        (
            T::RequestRedirect,
            "requestRedirect",
            f.request_redirect.is_some(),
        ),
        (T::UrlRewrite, "urlRewrite", f.url_rewrite.is_some()),
        (
            T::RequestMirror,
            "requestMirror",
            f.request_mirror.is_some(),
        ),
        (T::Cors, "cors", f.cors.is_some()),
        (T::ExtensionRef, "extensionRef", f.extension_ref.is_some()),
        (T::ExternalAuth, "externalAuth", f.external_auth.is_some()),
    ];
    for (kind, field, set) in fields {
        if kind == f.kind && !set {
            r.err(
                format!("{p}.{field}"),
                format!("must be set when type is {}", f.kind),
            );
        } else if kind != f.kind && set {
            r.err(
                format!("{p}.{field}"),
                format!("must not be set when type is {}", f.kind),
            );
        }
    }
}

/// The config of the filter's type, checked by the function for that type.
fn filter_config(f: &HttpRouteFilter, p: &str, ctx: FilterCtx, r: &mut Report) {
    use FilterType as T;
    match &f.kind {
        T::RequestHeaderModifier => {
            if let Some(m) = &f.request_header_modifier {
                header_modifier(m, &format!("{p}.requestHeaderModifier"), ctx, r);
            }
        }
        T::ResponseHeaderModifier => {
            if let Some(m) = &f.response_header_modifier {
                header_modifier(m, &format!("{p}.responseHeaderModifier"), ctx, r);
            }
        }
        T::RequestRedirect => {
            if let Some(rr) = &f.request_redirect {
                redirect(rr, &format!("{p}.requestRedirect"), ctx, r);
            }
        }
        T::UrlRewrite => {
            if let Some(u) = &f.url_rewrite {
                let up = format!("{p}.urlRewrite");
                if let Some(h) = &u.hostname {
                    r.check(|| format!("{up}.hostname"), scalars::hostname(h, false));
                }
                if let Some(pm) = &u.path {
                    path_modifier(pm, &format!("{up}.path"), ctx, r);
                }
            }
        }
        T::RequestMirror => {
            if let Some(m) = &f.request_mirror {
                mirror(m, &format!("{p}.requestMirror"), r);
            }
        }
        T::Cors => {
            if let Some(c) = &f.cors {
                cors(c, &format!("{p}.cors"), r);
            }
        }
        T::ExtensionRef => {
            if let Some(e) = &f.extension_ref {
                let ep = format!("{p}.extensionRef");
                r.check(|| format!("{ep}.group"), scalars::group(&e.group));
                r.check(|| format!("{ep}.kind"), scalars::kind(&e.kind));
                r.check(|| format!("{ep}.name"), scalars::object_name(&e.name));
            }
        }
        T::ExternalAuth | T::Other(_) => {}
    }
}

/// `set` / `add` / `remove` (§6.2): ≤16 each, valid names and values, one action per name.
fn header_modifier(m: &HeaderModifier, p: &str, ctx: FilterCtx, r: &mut Report) {
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut name = |r: &mut Report, n: &str, at: String| {
        r.check(|| format!("{p}.{at}.name"), scalars::header_name(n));
        if let Some((_, first)) = seen.iter().find(|(s, _)| s.eq_ignore_ascii_case(n)) {
            r.rule(
                ctx.rule,
                UNSUPPORTED,
                format!("{p}.{at}"),
                format!(
                    "header {} is already modified by {first} (one action per header name)",
                    q(n)
                ),
            );
        } else {
            seen.push((n.to_string(), at));
        }
    };
    for (list, field) in [(&m.set, "set"), (&m.add, "add")] {
        count(r, &format!("{p}.{field}"), list.len(), 0, 16, "entry");
        for (k, h) in list.iter().enumerate() {
            name(r, &h.name, format!("{field}[{k}]"));
            r.check(
                || format!("{p}.{field}[{k}].value"),
                scalars::length(&h.value, 1, 4096),
            );
        }
    }
    count(r, &format!("{p}.remove"), m.remove.len(), 0, 16, "entry");
    for (k, n) in m.remove.iter().enumerate() {
        name(r, n, format!("remove[{k}]"));
    }
}

/// `ReplaceFullPath` / `ReplacePrefixMatch` (§6.5).
fn path_modifier(pm: &HttpPathModifier, p: &str, ctx: FilterCtx, r: &mut Report) {
    let (want, other) = match &pm.kind {
        PathModifierType::ReplaceFullPath => ("replaceFullPath", "replacePrefixMatch"),
        PathModifierType::ReplacePrefixMatch => ("replacePrefixMatch", "replaceFullPath"),
        PathModifierType::Other(t) => {
            r.rule(
                ctx.rule,
                UNSUPPORTED,
                format!("{p}.type"),
                format!(
                    "unsupported path modifier type {} (supported: ReplaceFullPath, \
                     ReplacePrefixMatch)",
                    q(t)
                ),
            );
            return;
        }
    };
    let (wanted, unwanted) = if want == "replaceFullPath" {
        (&pm.replace_full_path, &pm.replace_prefix_match)
    } else {
        (&pm.replace_prefix_match, &pm.replace_full_path)
    };
    match wanted {
        None => r.err(
            format!("{p}.{want}"),
            format!("must be set when type is {}", pm.kind),
        ),
        Some(v) => r.check(|| format!("{p}.{want}"), scalars::length(v, 0, 1024)),
    }
    if unwanted.is_some() {
        r.err(
            format!("{p}.{other}"),
            format!("must not be set when type is {}", pm.kind),
        );
    }
    if pm.kind == PathModifierType::ReplacePrefixMatch && !ctx.single_prefix {
        r.rule(
            ctx.rule,
            UNSUPPORTED,
            format!("{p}.type"),
            "ReplacePrefixMatch requires the rule to have exactly one match, of type PathPrefix",
        );
    }
}

/// `RequestRedirect` (§6.3).
fn redirect(rr: &RequestRedirect, p: &str, ctx: FilterCtx, r: &mut Report) {
    if let Some(s) = &rr.scheme {
        if s != "http" && s != "https" {
            r.err(
                format!("{p}.scheme"),
                format!("unsupported value {} (supported: http, https)", q(s)),
            );
        }
    }
    if let Some(h) = &rr.hostname {
        r.check(|| format!("{p}.hostname"), scalars::hostname(h, false));
    }
    if let Some(pm) = &rr.path {
        path_modifier(pm, &format!("{p}.path"), ctx, r);
    }
    if let Some(port) = rr.port {
        r.check(|| format!("{p}.port"), scalars::port(port));
    }
    if let Some(c) = rr.status_code {
        if ![301, 302, 303, 307, 308].contains(&c) {
            r.err(
                format!("{p}.statusCode"),
                format!("unsupported value {c} (supported: 301, 302, 303, 307, 308)"),
            );
        }
    }
}

/// `RequestMirror` (§6.6).
fn mirror(m: &RequestMirror, p: &str, r: &mut Report) {
    backend_target(&m.backend_ref, &format!("{p}.backendRef"), r);
    if let Some(pc) = m.percent {
        if !(0..=100).contains(&pc) {
            r.err(
                format!("{p}.percent"),
                format!("{pc} is out of range (0-100)"),
            );
        }
    }
    if let Some(f) = &m.fraction {
        let d = f.denominator.unwrap_or(100);
        if f.numerator < 0 {
            r.err(
                format!("{p}.fraction.numerator"),
                format!("must be at least 0 (found {})", f.numerator),
            );
        }
        if d < 1 {
            r.err(
                format!("{p}.fraction.denominator"),
                format!("must be at least 1 (found {d})"),
            );
        }
        if f.numerator > d {
            r.err(
                format!("{p}.fraction"),
                format!(
                    "numerator ({}) must not be greater than denominator ({d})",
                    f.numerator
                ),
            );
        }
        if m.percent.is_some() {
            r.err(p, "percent and fraction must not both be set");
        }
    }
}

/// A CORS origin: `*`, or `http(s)://host[:port]` where host is `*`, or word labels with an
/// optional leading `*.` (the upstream `CORSOrigin` pattern).
fn cors_origin(o: &str) -> bool {
    if o == "*" {
        return true;
    }
    let Some(rest) = o
        .strip_prefix("http://")
        .or_else(|| o.strip_prefix("https://"))
    else {
        return false;
    };
    let host = match rest.rsplit_once(':') {
        Some((h, port)) => {
            if port.is_empty() || port.len() > 5 || !port.bytes().all(|c| c.is_ascii_digit()) {
                return false;
            }
            h
        }
        None => rest,
    };
    if host == "*" {
        return true;
    }
    let host = host.strip_prefix("*.").unwrap_or(host);
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    !host.is_empty()
        && !host.ends_with('.')
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(word))
}

/// `CORS` (§6.7).
fn cors(c: &Cors, p: &str, r: &mut Report) {
    let lone_star = |r: &mut Report, list: &[String], field: &str| {
        if list.len() > 1 && list.iter().any(|v| v == "*") {
            r.err(
                format!("{p}.{field}"),
                "'*' must be the only entry when present",
            );
        }
    };
    let op = format!("{p}.allowOrigins");
    count(r, &op, c.allow_origins.len(), 0, 64, "origin");
    lone_star(r, &c.allow_origins, "allowOrigins");
    for (k, o) in c.allow_origins.iter().enumerate() {
        if !cors_origin(o) {
            r.err(
                format!("{op}[{k}]"),
                format!(
                    "{} is not a valid origin ('*' or http(s)://host[:port], host may start \
                     with '*.')",
                    q(o)
                ),
            );
        }
    }
    let mp = format!("{p}.allowMethods");
    count(r, &mp, c.allow_methods.len(), 0, 9, "method");
    lone_star(r, &c.allow_methods, "allowMethods");
    for (k, m) in c.allow_methods.iter().enumerate() {
        if m != "*" && !scalars::METHODS.contains(&m.as_str()) {
            r.err(format!("{mp}[{k}]"), format!("unsupported method {}", q(m)));
        }
    }
    for (list, field) in [
        (&c.allow_headers, "allowHeaders"),
        (&c.expose_headers, "exposeHeaders"),
    ] {
        let hp = format!("{p}.{field}");
        count(r, &hp, list.len(), 0, 64, "header");
        for (k, h) in list.iter().enumerate() {
            r.check(|| format!("{hp}[{k}]"), scalars::header_name(h));
        }
    }
    if let Some(age) = c.max_age {
        if age < 1 {
            r.err(
                format!("{p}.maxAge"),
                format!("must be at least 1 (found {age})"),
            );
        }
    }
}
