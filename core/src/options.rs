//! [`Options`]: every choice the Gateway API leaves to the implementation, with trieway's defaults.

use crate::config::UnknownFields;
use serde::de::{self, Deserialize, Deserializer, Error as _};
use std::fmt;

/// Where RegularExpression paths rank among path kinds (the precedence criterion after the
/// hostname).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RegexRank {
    /// Exact > RegularExpression > PathPrefix (the default).
    #[default]
    BetweenExactAndPrefix,
    /// Exact > PathPrefix > RegularExpression.
    BelowPrefix,
}

/// How a header that appears on several field lines is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RepeatedHeaders {
    /// Join all lines with `,` in order and compare the result (RFC 7230 §3.2.2); `set-cookie`
    /// matches if any single line does. The default.
    #[default]
    Join,
    /// Compare the first line only.
    First,
    /// Match if any single line matches.
    Any,
}

/// Compile- and lookup-time options. `Options::default()` is the behaviour the repository's
/// `docs/semantics.md` describes.
///
/// ```
/// let opts = trieway::Options { host_isolation: true, ..Default::default() };
/// assert_eq!(opts.controller_name, None); // serve every Gateway in the input
/// let only_ours = trieway::Options {
///     controller_name: Some("example.net/gateway-controller".into()),
///     ..Default::default()
/// };
/// # let _ = only_ours;
/// ```
/// Build it with struct-update syntax (`..Default::default()`) so that new fields do not break
/// your code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The controller trieway acts as. `None` (the default): every Gateway of the input is
    /// served, whatever controller its GatewayClass names, and a Gateway whose GatewayClass is
    /// not in the input too (the report carries a warning naming the class), which is what a
    /// user pasting a getting-started example or `kubectl get -o yaml` output expects.
    /// `Some(name)`: only Gateways whose GatewayClass is in the input and names this
    /// `controllerName` are served, as a controller in a cluster does.
    pub controller_name: Option<String>,
    /// Which Gateway (`namespace/name`) the Router serves. `None`: the only served Gateway.
    pub gateway: Option<String>,
    /// `true`: once a request's host selects the most specific hostname that has routes, only
    /// those routes are considered (Envoy-style virtual hosts). `false` (the default):
    /// fall back to less specific hostnames when no rule of the more specific one matches.
    pub host_isolation: bool,
    /// `true` (the default): only routes of the listener selected by the Host are
    /// considered. `false`: routes of every listener on the port compete by precedence.
    pub listener_isolation: bool,
    /// Rank of RegularExpression paths.
    pub regex_rank: RegexRank,
    /// Repeated-header policy.
    pub repeated_headers: RepeatedHeaders,
    /// Status when every backendRef of a non-empty list has weight 0 (default 500).
    pub all_weights_zero_status: u16,
    /// Bytes one regular expression may need to compile into its DFA (each of: the NFA, the
    /// determinization's scratch space, the DFA). Validation refuses patterns above 1 MiB
    /// whatever this says; a smaller value drops every rule with a regex that needs more, and
    /// the route reports it (`PartiallyInvalid=True`, or `Accepted=False` when no rule is
    /// left, reason `UnsupportedValue`).
    pub regex_size_limit: usize,
    /// ExtensionRef filter kinds the embedder implements, as `group/kind`. A request reaching
    /// an ExtensionRef of any other kind is answered with 500 (never silently ignored); known ones are handed over in `Action::extensions`.
    pub extension_kinds: Vec<String>,
    /// Paths longer than this never match (and cost no work beyond the length check).
    pub max_path_len: usize,
    /// How [`crate::Router::from_yaml`] treats fields its input's schemas do not list
    /// (default [`UnknownFields::Warn`]: reported as warnings, which `from_yaml` discards;
    /// [`UnknownFields::Error`] refuses the input). When you load a [`crate::Config`]
    /// yourself, set the policy there with [`crate::ConfigBuilder::with_unknown_fields`].
    pub unknown_fields: UnknownFields,
    /// A query longer than this (in bytes, after the `?`) is not read at lookup: it counts as
    /// absent, so every queryParams condition fails and only matches without query conditions
    /// can win. Gateway API has no negative conditions, so this reaches nothing a client
    /// could not reach by sending no query at all; the query is still forwarded unchanged.
    /// Default 16 KiB.
    pub max_query_len: usize,
    /// A header field line longer than this (in bytes) never satisfies a header condition,
    /// and neither does a repeated header whose lines joined with `,` are longer
    /// ([`RepeatedHeaders::Join`]); such values are not read beyond their length. Default
    /// 16 KiB.
    pub max_header_value_len: usize,
    /// Heap bytes the DFAs of one route's regular expressions may take together in this
    /// Router. Rules are compiled in order; a rule whose regexes would exceed the budget is
    /// dropped (reported like `regex_size_limit`), later smaller rules may still fit.
    pub regex_route_budget: usize,
    /// Heap bytes the DFAs of all regular expressions may take together in this Router
    /// (routes in compile order: by listener, oldest route first). A rule that would exceed
    /// it is dropped and reported like `regex_size_limit`.
    pub regex_router_budget: usize,
    /// Count lookups: per rule, the requests it won; per listener, the 404 and 421 answers
    /// ([`Router::stats`](crate::Router::stats),
    /// [`metrics::prometheus_text`](crate::metrics::prometheus_text)). The counters are
    /// sharded per thread (no allocation, no shared cache line between threads that count);
    /// a 404 or 421 costs one more listener selection to find its listener. Default off:
    /// without it a lookup does nothing more than a test of this flag.
    pub counters: bool,
    /// How [`Router::from_ingress`](crate::Router::from_ingress) routes Ingresses: `false`
    /// (the default) as the Ingress specification says (docs/ingress.md, "Semantic differences");
    /// `true` as ingress-nginx does (docs/ingress.md, "The ingress-nginx flavor"): Exact paths
    /// first, ImplementationSpecific as a string prefix, every path of a host with `use-regex`
    /// or `rewrite-target` a case-insensitive regular expression prefix, wildcard hosts
    /// covering one or more labels, canary Ingresses only through their `canary-weight`.
    /// Gateway API routing ignores it.
    pub ingress_nginx: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            controller_name: None,
            gateway: None,
            host_isolation: false,
            listener_isolation: true,
            regex_rank: RegexRank::default(),
            repeated_headers: RepeatedHeaders::default(),
            all_weights_zero_status: 500,
            regex_size_limit: 1 << 20,
            max_path_len: 16 * 1024,
            extension_kinds: Vec::new(),
            unknown_fields: UnknownFields::default(),
            max_query_len: 16 * 1024,
            max_header_value_len: 16 * 1024,
            regex_route_budget: 2 << 20,
            regex_router_budget: 64 << 20,
            counters: false,
            ingress_nginx: false,
        }
    }
}

/// Every option's name, as the Rust field is spelled (snake_case); the camelCase spelling is
/// derived from it ([`camel`]).
const NAMES: &[&str] = &[
    "controller_name",
    "gateway",
    "host_isolation",
    "listener_isolation",
    "regex_rank",
    "repeated_headers",
    "all_weights_zero_status",
    "regex_size_limit",
    "extension_kinds",
    "max_path_len",
    "unknown_fields",
    "max_query_len",
    "max_header_value_len",
    "regex_route_budget",
    "regex_router_budget",
    "counters",
    "ingress_nginx",
];

/// `snake_case` of a `camelCase` name (names already in snake_case are unchanged).
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `camelCase` of a `snake_case` name.
fn camel(name: &str) -> String {
    let mut parts = name.split('_');
    let mut out: String = parts.next().unwrap_or_default().to_string();
    for p in parts {
        let mut cs = p.chars();
        if let Some(c) = cs.next() {
            out.push(c.to_ascii_uppercase());
            out.push_str(cs.as_str());
        }
    }
    out
}

/// Formats `names` as `'a', 'b' or 'c'`, in camelCase when `camel_case`.
fn one_of(names: &[&str], camel_case: bool) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|n| format!("'{}'", if camel_case { camel(n) } else { n.to_string() }))
        .collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// A whole number from `lo` to `hi`: integers, and floats without a fraction (JavaScript
/// numbers); anything else is out of range or of the wrong type.
struct Whole {
    lo: u64,
    hi: u64,
}

impl<'de> de::DeserializeSeed<'de> for Whole {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_u64(self)
    }
}

impl de::Visitor<'_> for Whole {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer from {} to {}", self.lo, self.hi)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        if (self.lo..=self.hi).contains(&v) {
            Ok(v)
        } else {
            Err(E::custom(format!(
                "out of range: {v}, expected an integer from {} to {}",
                self.lo, self.hi
            )))
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!(
                "out of range: {v}, expected an integer from {} to {}",
                self.lo, self.hi
            ))),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        // Exactly representable whole numbers only: `v as u64` saturates, so check the range
        // on the float first.
        if v.fract() == 0.0 && v >= 0.0 && v <= self.hi as f64 {
            self.visit_u64(v as u64)
        } else {
            Err(E::custom(format!(
                "out of range: {v:?}, expected an integer from {} to {}",
                self.lo, self.hi
            )))
        }
    }
}

/// Deserializes [`Options`] from a map (a JSON object, a YAML mapping, a Python dict
/// converted by a binding, …). Every key is optional (missing ones keep
/// [`Options::default`]'s value) and may be spelled as the Rust field (`max_path_len`,
/// Python's keywords) or in camelCase (`maxPathLen`, the Node binding's); enum values likewise
/// (`between_exact_and_prefix` or `betweenExactAndPrefix`). Errors name the option as the
/// input spelled it and start with what went wrong, so that bindings can map them to their
/// error classes:
///
/// * ``unknown option `x`; the options are …``
/// * ``option `x`: invalid type: …`` (a string where a number belongs, …)
/// * ``option `x`: out of range: …`` (integers: `all_weights_zero_status` 100–599,
///   `regex_size_limit` ≥ 1, `max_path_len` 1–2³⁰, `max_query_len` and
///   `max_header_value_len` ≤ 2³⁰, budgets ≤ 2³²−1)
/// * ``option `x`: invalid value …`` (an unknown enum value, listing the valid ones)
///
/// ```
/// let o: trieway::Options =
///     serde_json::from_str(r#"{"maxPathLen": 4096, "repeated_headers": "any"}"#).unwrap();
/// assert_eq!((o.max_path_len, o.repeated_headers), (4096, trieway::RepeatedHeaders::Any));
/// let e = serde_json::from_str::<trieway::Options>(r#"{"maxPathLen": 0}"#).unwrap_err();
/// assert!(e.to_string().starts_with("option `maxPathLen`: out of range: 0"));
/// ```
impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(OptionsVisitor)
    }
}

struct OptionsVisitor;

impl<'de> de::Visitor<'de> for OptionsVisitor {
    type Value = Options;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of trieway options")
    }

    // Long (about 95 lines) for a reason: one arm per option, so the list of accepted names,
    // the exhaustive destructuring below and the arms stay side by side.
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Options, A::Error> {
        let mut o = Options::default();
        // Adding a field to `Options` breaks this pattern until the field is read below
        // (and listed in `NAMES`).
        let Options {
            controller_name: _,
            gateway: _,
            host_isolation: _,
            listener_isolation: _,
            regex_rank: _,
            repeated_headers: _,
            all_weights_zero_status: _,
            regex_size_limit: _,
            extension_kinds: _,
            max_path_len: _,
            unknown_fields: _,
            max_query_len: _,
            max_header_value_len: _,
            regex_route_budget: _,
            regex_router_budget: _,
            counters: _,
            ingress_nginx: _,
        } = &o;
        while let Some(key) = map.next_key::<String>()? {
            let camel_case = key.bytes().any(|b| b.is_ascii_uppercase());
            let name = snake(&key);
            let named = |e: A::Error| A::Error::custom(format!("option `{key}`: {e}"));
            let whole = |lo: u64, hi: u64| Whole { lo, hi };
            macro_rules! value {
                ($t:ty) => {
                    map.next_value::<$t>().map_err(named)?
                };
            }
            macro_rules! int {
                ($lo:expr, $hi:expr) => {
                    map.next_value_seed(whole($lo, $hi)).map_err(named)?
                };
            }
            macro_rules! choice {
                ($($name:literal => $v:expr),+ $(,)?) => {{
                    let got: String = value!(String);
                    match snake(&got).as_str() {
                        $($name => $v,)+
                        _ => {
                            return Err(named(A::Error::custom(format!(
                                "invalid value {got:?}, expected {}",
                                one_of(&[$($name),+], camel_case)
                            ))))
                        }
                    }
                }};
            }
            const GIB: u64 = 1 << 30;
            const U32: u64 = u32::MAX as u64;
            match name.as_str() {
                "controller_name" => o.controller_name = value!(Option<String>),
                "gateway" => o.gateway = value!(Option<String>),
                "host_isolation" => o.host_isolation = value!(bool),
                "ingress_nginx" => o.ingress_nginx = value!(bool),
                "listener_isolation" => o.listener_isolation = value!(bool),
                "regex_rank" => {
                    o.regex_rank = choice! {
                        "between_exact_and_prefix" => RegexRank::BetweenExactAndPrefix,
                        "below_prefix" => RegexRank::BelowPrefix,
                    }
                }
                "repeated_headers" => {
                    o.repeated_headers = choice! {
                        "join" => RepeatedHeaders::Join,
                        "first" => RepeatedHeaders::First,
                        "any" => RepeatedHeaders::Any,
                    }
                }
                "all_weights_zero_status" => o.all_weights_zero_status = int!(100, 599) as u16,
                "regex_size_limit" => o.regex_size_limit = int!(1, U32) as usize,
                "extension_kinds" => o.extension_kinds = value!(Vec<String>),
                "max_path_len" => o.max_path_len = int!(1, GIB) as usize,
                "unknown_fields" => {
                    o.unknown_fields = choice! {
                        "error" => UnknownFields::Error,
                        "warn" => UnknownFields::Warn,
                        "ignore" => UnknownFields::Ignore,
                    }
                }
                "max_query_len" => o.max_query_len = int!(0, GIB) as usize,
                "max_header_value_len" => o.max_header_value_len = int!(0, GIB) as usize,
                "regex_route_budget" => o.regex_route_budget = int!(0, U32) as usize,
                "regex_router_budget" => o.regex_router_budget = int!(0, U32) as usize,
                "counters" => o.counters = value!(bool),
                _ => {
                    return Err(A::Error::custom(format!(
                        "unknown option `{key}`; the options are {}",
                        one_of(NAMES, camel_case)
                    )))
                }
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Options, String> {
        serde_json::from_str::<Options>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_map_is_the_default_and_both_spellings_work() {
        assert_eq!(parse("{}").unwrap(), Options::default());
        let snake = parse(
            r#"{"controller_name": "c", "gateway": "ns/gw", "host_isolation": true,
                "listener_isolation": false, "regex_rank": "below_prefix",
                "repeated_headers": "first", "all_weights_zero_status": 503,
                "regex_size_limit": 1000, "extension_kinds": ["g/K"], "max_path_len": 10,
                "unknown_fields": "ignore", "max_query_len": 0, "max_header_value_len": 7,
                "regex_route_budget": 5, "regex_router_budget": 6, "counters": true,
                "ingress_nginx": true}"#,
        )
        .unwrap();
        let camel = parse(
            r#"{"controllerName": "c", "gateway": "ns/gw", "hostIsolation": true,
                "listenerIsolation": false, "regexRank": "belowPrefix",
                "repeatedHeaders": "first", "allWeightsZeroStatus": 503.0,
                "regexSizeLimit": 1000, "extensionKinds": ["g/K"], "maxPathLen": 10,
                "unknownFields": "ignore", "maxQueryLen": 0, "maxHeaderValueLen": 7,
                "regexRouteBudget": 5, "regexRouterBudget": 6, "counters": true,
                "ingressNginx": true}"#,
        )
        .unwrap();
        let expected = Options {
            controller_name: Some("c".into()),
            gateway: Some("ns/gw".into()),
            host_isolation: true,
            listener_isolation: false,
            regex_rank: RegexRank::BelowPrefix,
            repeated_headers: RepeatedHeaders::First,
            all_weights_zero_status: 503,
            regex_size_limit: 1000,
            extension_kinds: vec!["g/K".into()],
            max_path_len: 10,
            unknown_fields: UnknownFields::Ignore,
            max_query_len: 0,
            max_header_value_len: 7,
            regex_route_budget: 5,
            regex_router_budget: 6,
            counters: true,
            ingress_nginx: true,
        };
        assert_eq!(snake, expected);
        assert_eq!(camel, expected);
        assert_eq!(parse(r#"{"gateway": null}"#).unwrap(), Options::default());
    }

    #[test]
    fn errors_name_the_option_as_spelled() {
        let e = parse(r#"{"hostIsolaton": true}"#).unwrap_err();
        assert!(e.starts_with("unknown option `hostIsolaton`; the options are 'controllerName', 'gateway', 'hostIsolation'"), "{e}");
        let e = parse(r#"{"no_such": 1}"#).unwrap_err();
        assert!(
            e.contains("'host_isolation'") && e.contains("'counters' or 'ingress_nginx'"),
            "{e}"
        );
        let e = parse(r#"{"hostIsolation": "yes"}"#).unwrap_err();
        assert!(
            e.starts_with(
                "option `hostIsolation`: invalid type: string \"yes\", expected a boolean"
            ),
            "{e}"
        );
        let e = parse(r#"{"regexRank": "first"}"#).unwrap_err();
        assert!(e.starts_with("option `regexRank`: invalid value \"first\", expected 'betweenExactAndPrefix' or 'belowPrefix'"), "{e}");
        let e = parse(r#"{"regex_rank": "first"}"#).unwrap_err();
        assert!(e.starts_with("option `regex_rank`: invalid value \"first\", expected 'between_exact_and_prefix' or 'below_prefix'"), "{e}");
        let e = parse(r#"{"repeated_headers": "all"}"#).unwrap_err();
        assert!(e.starts_with("option `repeated_headers`: invalid value \"all\", expected 'join', 'first' or 'any'"), "{e}");
        for (json, msg) in [
            (r#"{"all_weights_zero_status": 42}"#, "option `all_weights_zero_status`: out of range: 42, expected an integer from 100 to 599"),
            (r#"{"allWeightsZeroStatus": 600}"#, "option `allWeightsZeroStatus`: out of range: 600,"),
            (r#"{"maxPathLen": 0}"#, "option `maxPathLen`: out of range: 0, expected an integer from 1 to 1073741824"),
            (r#"{"max_query_len": -1}"#, "option `max_query_len`: out of range: -1,"),
            (r#"{"maxQueryLen": 80.5}"#, "option `maxQueryLen`: out of range: 80.5,"),
            (r#"{"regexRouterBudget": 1e300}"#, "option `regexRouterBudget`: out of range: 1e300,"),
            (r#"{"regexSizeLimit": "1"}"#, "option `regexSizeLimit`: invalid type: string \"1\", expected an integer from 1 to 4294967295"),
            (r#"{"extensionKinds": "g/K"}"#, "option `extensionKinds`: invalid type: string \"g/K\", expected a sequence"),
        ] {
            let e = parse(json).unwrap_err();
            assert!(e.starts_with(msg), "{json}: {e}");
        }
        assert!(parse("[1]")
            .unwrap_err()
            .contains("expected a map of trieway options"));
    }

    #[test]
    fn names_cover_every_option() {
        // Each name in `NAMES` is accepted, in both spellings, and none is repeated.
        let mut seen = std::collections::HashSet::new();
        for n in NAMES {
            assert!(seen.insert(*n), "{n} twice");
            let value = match *n {
                "controller_name" | "gateway" => "null",
                "host_isolation" | "listener_isolation" | "counters" | "ingress_nginx" => "true",
                "regex_rank" => r#""below_prefix""#,
                "repeated_headers" => r#""any""#,
                "unknown_fields" => r#""warn""#,
                "extension_kinds" => "[]",
                "all_weights_zero_status" => "500",
                _ => "1",
            };
            for key in [n.to_string(), camel(n)] {
                parse(&format!(r#"{{"{key}": {value}}}"#)).unwrap();
            }
        }
    }
}
