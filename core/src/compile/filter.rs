//! Filters compiled once per rule and backend (the `filters` of HTTPRoute and GRPCRoute rules
//! and backendRefs): header modifiers, redirects, rewrites, mirrors, CORS and ExtensionRefs.
//! Applying them to a matched request is `crate::apply`'s job; this module only builds the
//! tables it reads.

use crate::compile::backend::Backend;
use crate::model::{
    Cors as CorsSpec, HeaderModifier, HttpPathModifier, HttpRouteFilter, LocalObjectReference,
    PathModifierType,
};

/// Kind of a header edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EditOp {
    /// Replace every line of the header with one value (create it if absent).
    Set,
    /// Append a value (create it if absent).
    Add,
    /// Remove every line.
    Remove,
}

type Edit = (EditOp, Box<str>, Box<str>);

#[derive(Debug, Clone)]
pub(crate) struct CompiledHeaders {
    /// `(op, name, value)` in application order.
    pub(crate) edits: Box<[Edit]>,
}

impl CompiledHeaders {
    fn new(m: &HeaderModifier) -> Self {
        let mut edits = Vec::new();
        edits.extend(
            m.set
                .iter()
                .map(|h| (EditOp::Set, h.name.as_str().into(), h.value.as_str().into())),
        );
        edits.extend(
            m.add
                .iter()
                .map(|h| (EditOp::Add, h.name.as_str().into(), h.value.as_str().into())),
        );
        edits.extend(
            m.remove
                .iter()
                .map(|n| (EditOp::Remove, n.as_str().into(), "".into())),
        );
        CompiledHeaders {
            edits: edits.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum PathMod {
    Full(Box<str>),
    Prefix(Box<str>),
}

impl PathMod {
    fn new(m: &Option<HttpPathModifier>) -> Option<Self> {
        let m = m.as_ref()?;
        match m.kind {
            PathModifierType::ReplaceFullPath => {
                Some(PathMod::Full(m.replace_full_path.as_deref()?.into()))
            }
            PathModifierType::ReplacePrefixMatch => Some(PathMod::Prefix(
                m.replace_prefix_match.as_deref().unwrap_or("").into(),
            )),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Redirect {
    pub(crate) scheme: Option<Box<str>>,
    pub(crate) hostname: Option<Box<str>>,
    pub(crate) port: Option<u16>,
    pub(crate) path: Option<PathMod>,
    pub(crate) status: u16,
}

#[derive(Debug, Clone)]
pub(crate) struct Rewrite {
    pub(crate) hostname: Option<Box<str>>,
    pub(crate) path: Option<PathMod>,
}

/// A request mirror target.
#[derive(Debug, Clone)]
pub(crate) struct MirrorSpec {
    pub(crate) backend: Backend,
    pub(crate) percent: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Cors {
    pub(crate) origins: Box<[Box<str>]>,
    pub(crate) credentials: bool,
    pub(crate) methods: Box<[Box<str>]>,
    pub(crate) headers: Box<[Box<str>]>,
    pub(crate) expose: Box<str>,
    pub(crate) max_age: Box<str>,
}

/// A compiled filter.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    RequestHeaders(CompiledHeaders),
    ResponseHeaders(CompiledHeaders),
    Redirect(Redirect),
    Rewrite(Rewrite),
    Mirror(MirrorSpec),
    Cors(Cors),
    /// An ExtensionRef and whether the embedder resolves its group/kind
    /// (`Options::extension_kinds`).
    Extension(LocalObjectReference, bool),
    /// What ingress-nginx does for an annotation (the Ingress flavor `Options::ingress_nginx`).
    Nginx(Box<NginxFilter>),
}

/// ingress-nginx's redirects and rewrite (docs/ingress.md, "The ingress-nginx flavor").
#[derive(Debug, Clone)]
pub(crate) enum NginxFilter {
    /// `permanent-redirect` / `temporal-redirect`: nginx's `return code url;`, the URL
    /// verbatim as the Location.
    Return { status: u16, url: Box<str> },
    /// `app-root`: a request for `/` answers 302 `scheme://host[:port]<root>`.
    AppRoot(Box<str>),
    /// `ssl-redirect` / `force-ssl-redirect`: a plain-HTTP request answers `status` with
    /// `https://host` and the request's path and query, without one trailing `/` unless
    /// `preserve_trailing_slash`.
    Https {
        status: u16,
        preserve_trailing_slash: bool,
    },
    /// `rewrite-target`: nginx's `rewrite "(?i)<path>" <target> break;`: when the
    /// case-insensitive `re` is found in the path, the path becomes `target` with `$0`–`$9`
    /// replaced by the groups of that match (a group that did not take part: empty).
    Rewrite {
        re: regex_automata::meta::Regex,
        target: Box<str>,
    },
}

/// Compiles a filter list. `mirror` resolves a mirror target (invalid targets are omitted,
/// SPEC §6.6).
pub(crate) fn compile_filters(
    list: &[HttpRouteFilter],
    extension_kinds: &[String],
    mut mirror: impl FnMut(&crate::model::RequestMirror) -> Option<Backend>,
) -> Box<[Filter]> {
    list.iter()
        .filter_map(|f| {
            if let Some(m) = &f.request_header_modifier {
                return Some(Filter::RequestHeaders(CompiledHeaders::new(m)));
            }
            if let Some(m) = &f.response_header_modifier {
                return Some(Filter::ResponseHeaders(CompiledHeaders::new(m)));
            }
            if let Some(r) = &f.request_redirect {
                return Some(Filter::Redirect(Redirect {
                    scheme: r.scheme.as_deref().map(Into::into),
                    hostname: r.hostname.as_deref().map(Into::into),
                    port: r.port.and_then(|p| u16::try_from(p).ok()),
                    path: PathMod::new(&r.path),
                    status: r
                        .status_code
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or(302),
                }));
            }
            if let Some(r) = &f.url_rewrite {
                return Some(Filter::Rewrite(Rewrite {
                    hostname: r.hostname.as_deref().map(Into::into),
                    path: PathMod::new(&r.path),
                }));
            }
            if let Some(m) = &f.request_mirror {
                let percent = match (m.percent, &m.fraction) {
                    (Some(p), _) => p as f64,
                    (None, Some(fr)) => {
                        let den = fr.denominator.unwrap_or(100).max(1) as f64;
                        fr.numerator as f64 * 100.0 / den
                    }
                    (None, None) => 100.0,
                };
                return mirror(m).map(|backend| Filter::Mirror(MirrorSpec { backend, percent }));
            }
            if let Some(c) = &f.cors {
                return Some(Filter::Cors(Cors::new(c)));
            }
            f.extension_ref.clone().map(|e| {
                let known = extension_kinds
                    .iter()
                    .any(|k| *k == format!("{}/{}", e.group, e.kind));
                Filter::Extension(e, known)
            })
        })
        .collect()
}

impl Cors {
    fn new(c: &CorsSpec) -> Self {
        Cors {
            origins: c
                .allow_origins
                .iter()
                .map(|o| o.to_ascii_lowercase().into())
                .collect(),
            credentials: c.allow_credentials == Some(true),
            methods: c.allow_methods.iter().map(|m| m.as_str().into()).collect(),
            headers: c.allow_headers.iter().map(|h| h.as_str().into()).collect(),
            expose: c.expose_headers.join(", ").into(),
            max_age: c.max_age.unwrap_or(5).to_string().into(),
        }
    }

    /// Origin match: scheme, host and port (default ports filled in); `*` in the host covers
    /// any number of labels; a lone `*` allows every origin (SPEC §6.7).
    pub(crate) fn allows(&self, origin: &str) -> bool {
        let origin = origin.trim();
        self.origins
            .iter()
            .any(|o| &**o == "*" || origin_matches(o, origin))
    }

    pub(crate) fn wildcard_origin(&self) -> bool {
        self.origins.iter().any(|o| &**o == "*")
    }
}

fn split_origin(o: &str) -> Option<(&str, &str, u16)> {
    let (scheme, rest) = o.split_once("://")?;
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => 0,
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h, p.parse().ok()?)
        }
        _ => (rest, default),
    };
    Some((scheme, host, port))
}

fn origin_matches(pattern: &str, origin: &str) -> bool {
    let (Some((ps, ph, pp)), Some((os, oh, op))) = (split_origin(pattern), split_origin(origin))
    else {
        return false;
    };
    if !ps.eq_ignore_ascii_case(os) || pp != op {
        return false;
    }
    let oh = oh.to_ascii_lowercase();
    match ph.strip_prefix('*') {
        Some(suffix) => oh.len() > suffix.len() && oh.ends_with(suffix),
        None => ph == oh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Origins compare scheme, host and port (default ports filled in); `*.` covers any number
    /// of labels (SPEC §6.7).
    #[test]
    fn origin_matching() {
        assert!(origin_matches(
            "https://*.bar.com",
            "https://xpto.www.bar.com"
        ));
        assert!(!origin_matches("https://*.bar.com", "https://bar.com"));
        assert!(origin_matches("https://foo.com", "https://foo.com:443"));
        assert!(!origin_matches("https://foo.com", "http://foo.com"));
        assert!(!origin_matches("http://foo.com:8080", "http://foo.com"));
    }
}
