//! HTTPRoute (SPEC §1.5, §3–§6) and the filter types GRPCRoute shares.

use super::meta::{
    reading_flat_refs, string_enum, BackendObjectReference, LocalObjectReference, ParentReference,
    RefVisitor,
};
use serde::{Deserialize, Serialize};

/// `HTTPRoute.spec`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRouteSpec {
    /// Parents the route wants to attach to (≤32).
    pub parent_refs: Vec<ParentReference>,
    /// Hostnames (≤16); empty means every hostname the listener allows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    /// Rules (1–16). `None` means the field was absent: one default rule `PathPrefix /`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<HttpRouteRule>>,
}

/// One rule of an HTTPRoute.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRouteRule {
    /// Optional rule name (unique in the route).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Matches (OR); absent or empty means one `PathPrefix /` match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<HttpRouteMatch>,
    /// Filters applied to every request of the rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<HttpRouteFilter>,
    /// Weighted backends.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backend_refs: Vec<HttpBackendRef>,
    /// Timeouts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<HttpRouteTimeouts>,
    /// Retry policy (experimental).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<HttpRouteRetry>,
    /// Session persistence (experimental).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_persistence: Option<SessionPersistence>,
}

/// One match of a rule: every present condition must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRouteMatch {
    /// Path condition; absent means `PathPrefix /`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPathMatch>,
    /// Header conditions (≤16).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HttpHeaderMatch>,
    /// Query-parameter conditions (≤16).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<HttpQueryParamMatch>,
    /// Method condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

string_enum! {
    /// Path match type.
    PathMatchType { Exact = "Exact", PathPrefix = "PathPrefix", RegularExpression = "RegularExpression" }
}

string_enum! {
    /// Header / query-parameter / gRPC method match type.
    MatchType { Exact = "Exact", RegularExpression = "RegularExpression" }
}

/// `matches[].path`. Each field has its own default (`PathPrefix`, `/`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpPathMatch {
    /// Type; absent means `PathPrefix`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PathMatchType>,
    /// Value; absent means `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `matches[].headers[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpHeaderMatch {
    /// Type; absent means `Exact`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MatchType>,
    /// Header name (case-insensitive).
    pub name: String,
    /// Value.
    pub value: String,
}

/// `matches[].queryParams[]`.
pub type HttpQueryParamMatch = HttpHeaderMatch;

/// `{name, value}` pair of a header modifier.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

string_enum! {
    /// Filter type.
    FilterType {
        RequestHeaderModifier = "RequestHeaderModifier",
        ResponseHeaderModifier = "ResponseHeaderModifier",
        RequestRedirect = "RequestRedirect",
        UrlRewrite = "URLRewrite",
        RequestMirror = "RequestMirror",
        Cors = "CORS",
        ExtensionRef = "ExtensionRef",
        ExternalAuth = "ExternalAuth",
    }
}

/// A rule-level or backendRef-level filter. Exactly the field named by `type` must be set.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteFilter {
    /// Which filter this is.
    #[serde(rename = "type")]
    pub kind: FilterType,
    /// `RequestHeaderModifier` config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_header_modifier: Option<HeaderModifier>,
    /// `ResponseHeaderModifier` config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_header_modifier: Option<HeaderModifier>,
    /// `RequestRedirect` config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_redirect: Option<RequestRedirect>,
    /// `URLRewrite` config.
    #[serde(
        default,
        rename = "urlRewrite",
        skip_serializing_if = "Option::is_none"
    )]
    pub url_rewrite: Option<UrlRewrite>,
    /// `RequestMirror` config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_mirror: Option<RequestMirror>,
    /// `CORS` config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// `ExtensionRef` config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_ref: Option<LocalObjectReference>,
    /// `ExternalAuth` config (experimental), kept as raw JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_auth: Option<serde_json::Value>,
}

/// `set` / `add` / `remove` header edits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderModifier {
    /// Replace all lines of these headers with one value.
    pub set: Vec<HttpHeader>,
    /// Append a value.
    pub add: Vec<HttpHeader>,
    /// Remove every line of these headers.
    pub remove: Vec<String>,
}

string_enum! {
    /// Path modifier type.
    PathModifierType { ReplaceFullPath = "ReplaceFullPath", ReplacePrefixMatch = "ReplacePrefixMatch" }
}

/// Path modifier of a redirect or rewrite.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpPathModifier {
    /// Which modifier.
    #[serde(rename = "type")]
    pub kind: PathModifierType,
    /// For `ReplaceFullPath`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_full_path: Option<String>,
    /// For `ReplacePrefixMatch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_prefix_match: Option<String>,
}

/// `RequestRedirect` config.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestRedirect {
    /// `http` or `https`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Precise hostname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Path modifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPathModifier>,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// 301, 302 (default), 303, 307 or 308.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<i64>,
}

/// `URLRewrite` config.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UrlRewrite {
    /// Precise hostname for the forwarded Host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Path modifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPathModifier>,
}

/// `RequestMirror` config.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestMirror {
    /// Mirror target.
    pub backend_ref: BackendObjectReference,
    /// Percent 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<i64>,
    /// Fraction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fraction: Option<Fraction>,
}

/// `{numerator, denominator}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Fraction {
    /// Numerator (≥ 0).
    pub numerator: i64,
    /// Denominator (≥ 1, default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denominator: Option<i64>,
}

/// `CORS` config.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Cors {
    /// Allowed origins.
    pub allow_origins: Vec<String>,
    /// Allow credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<bool>,
    /// Allowed methods.
    pub allow_methods: Vec<String>,
    /// Allowed headers.
    pub allow_headers: Vec<String>,
    /// Exposed headers.
    pub expose_headers: Vec<String>,
    /// Max age in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
}

/// A backendRef of an HTTPRoute or GRPCRoute rule.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpBackendRef {
    /// The referenced object.
    #[serde(flatten)]
    pub target: BackendObjectReference,
    /// Weight; absent means 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    /// Filters applied when this backend is drawn.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<HttpRouteFilter>,
}

/// [`HttpBackendRef`] as serde's `flatten` reads it (the slow path, see `meta::flat_refs`).
/// In a module of its own so that it can bear the public type's name, which serde's error
/// messages show ("expected struct HttpBackendRef").
mod nested {
    use super::{BackendObjectReference, HttpRouteFilter};
    use serde::Deserialize;

    #[derive(Default, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub(super) struct HttpBackendRef {
        #[serde(flatten)]
        pub(super) target: BackendObjectReference,
        pub(super) weight: Option<i64>,
        pub(super) filters: Vec<HttpRouteFilter>,
    }
}

impl<'de> Deserialize<'de> for HttpBackendRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if reading_flat_refs() {
            let visitor = RefVisitor::<Vec<HttpRouteFilter>>(true, std::marker::PhantomData);
            let (target, weight, filters) = d.deserialize_map(visitor)?;
            return Ok(HttpBackendRef {
                target,
                weight,
                filters,
            });
        }
        let n = nested::HttpBackendRef::deserialize(d)?;
        Ok(HttpBackendRef {
            target: n.target,
            weight: n.weight,
            filters: n.filters,
        })
    }
}

impl HttpBackendRef {
    /// The weight with its default (1) applied.
    pub fn weight(&self) -> i64 {
        self.weight.unwrap_or(1)
    }
}

/// `timeouts`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRouteTimeouts {
    /// Whole-transaction deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// One gateway→backend attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend_request: Option<String>,
}

/// `retry` (experimental).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRouteRetry {
    /// Retryable status codes.
    pub codes: Vec<i64>,
    /// Retries after the first try.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<i64>,
    /// Minimum wait between tries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff: Option<String>,
}

/// `sessionPersistence` (experimental), both the current and the v1.6.1 shapes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionPersistence {
    /// `Cookie` (default) or `Header`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Absolute timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absolute_timeout: Option<String>,
    /// Idle timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<String>,
    /// Cookie settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie: Option<serde_json::Value>,
    /// Header settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<serde_json::Value>,
    /// v1.6.1 shape: session name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// v1.6.1 shape: cookie config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookie_config: Option<serde_json::Value>,
}
