//! [`Options`]: every choice the Gateway API leaves to the implementation, with trieway's defaults.

use crate::load::UnknownFields;

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
    /// yourself, set the policy there with [`crate::Config::with_unknown_fields`].
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
        }
    }
}
