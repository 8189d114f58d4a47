//! An embeddable routing engine for the Kubernetes Gateway API.
//!
//! trieway loads Gateway API resources (GatewayClass, Gateway, ListenerSet, HTTPRoute,
//! ReferenceGrant, Services, …) from YAML or JSON, validates them as the API server would,
//! attaches routes to listeners as a conformant controller would, and compiles one Gateway
//! into an immutable [`Router`]. A lookup answers which rule of which route a request goes to,
//! which backend it is drawn to, and (with [`RouteMatch::apply`]) what the rule's filters do —
//! with the full Gateway API matching semantics and **no heap allocation per lookup**.
//!
//! # The pipeline
//!
//! ```text
//! YAML / JSON ─ load (ConfigBuilder) ─ validate (Config) ─ attach (Report) ─ compile ─ Router
//!                                                              route(&request) → Outcome
//!                                                              apply(filters)  → Action
//! ```
//!
//! * [`Config`] holds the loaded and validated objects; the only way to one is through
//!   validation ([`Config::from_str`], [`Config::from_path`], or [`ConfigBuilder::finish`]
//!   after [`Config::builder`] and `add_*`). Invalid documents, objects and rules are dropped
//!   and reported in [`Config::errors`], each message naming kind, `namespace/name`, origin
//!   and field path; the valid remainder keeps serving, as a controller would.
//! * Attachment computes, per route parentRef and per listener, the conditions a controller
//!   writes (`Accepted`, `ResolvedRefs`, …), available as [`Router::report`] (one Gateway)
//!   and [`Report::attach`] (every Gateway of a configuration, for tools).
//! * [`Router`] serves one Gateway (all of its listeners, grouped by port). It is `Send +
//!   Sync` and cheap to clone.
//!
//! # Example
//!
//! ```
//! use trieway::{Action, ActionKind, Headers, Options, Outcome, Request, Router, Target};
//!
//! let router = Router::from_yaml(r#"
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: GatewayClass
//! metadata: {name: trieway}
//! spec: {controllerName: example.com/gateway-under-test}
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: Gateway
//! metadata: {name: edge, namespace: infra}
//! spec:
//!   gatewayClassName: trieway
//!   listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata: {name: api, namespace: shop}
//! spec: {ports: [{port: 8080}]}
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata: {name: store, namespace: shop}
//! spec:
//!   parentRefs: [{name: edge, namespace: infra}]
//!   hostnames: ["*.example.com"]
//!   rules:
//!   - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-version, value: "2"}]}]
//!     filters:
//!     - type: URLRewrite
//!       urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
//!     backendRefs: [{name: api, port: 8080}]
//! "#, Options::default())?;
//!
//! let headers = [("X-Version", "2")];
//! let req = Request::new("GET", "shop.example.com", "/api/items?page=2").headers(Headers::Pairs(&headers));
//! let Outcome::Matched(m) = router.route(&req) else { panic!("no route") };
//! assert_eq!(m.route().name, "store");
//! assert!(matches!(m.pick(0), Target::Backend(b) if b.name() == "api"));
//!
//! let mut action = Action::new();
//! m.apply(&req, 0, &mut action);
//! assert_eq!(action.kind, ActionKind::Forward);
//! assert_eq!(action.path_and_query, "/v2/items?page=2");
//!
//! // Without the header no rule matches: 404.
//! assert!(matches!(router.route(&Request::new("GET", "shop.example.com", "/api")), Outcome::NotFound));
//! # Ok::<(), trieway::Error>(())
//! ```
//!
//! # Precedence
//!
//! Among every *fully* matching `(route, rule, match)` on the listener the Host selects, the
//! winner is the first by these criteria: exact hostname > longer wildcard > shorter
//! wildcard > any host; then Exact > RegularExpression > PathPrefix (configurable with
//! [`Options::regex_rank`]); longer path; a method condition; more header conditions; more
//! query conditions; the older route; the smaller `"namespace/name"` as one string; the lower
//! rule index. A deeper path whose header condition fails never hides a shallower one, and a
//! more specific hostname without a matching rule falls back to less specific ones unless
//! [`Options::host_isolation`] is set. The whole of it, with examples, is in the repository's
//! `docs/semantics.md` ("How trieway picks a route").
//!
//! # Performance contract
//!
//! Compilation decides everything it can: header names are lowercased, regexes compiled
//! (linear-time, size-limited), candidates sorted by the precedence key, weights accumulated.
//! A lookup then costs one hash probe for the exact host (a reversed-label trie walk for
//! wildcards), one hash probe for Exact paths, one segment walk of the path trie, and checks of
//! the candidates' remaining conditions in precedence order — independent of the number of
//! unrelated routes. [`Router::route`] and [`RouteMatch::pick`] never allocate (tested with a
//! counting global allocator); [`RouteMatch::apply`] reuses the [`Action`]'s buffers.
//!
//! # Cargo features
//!
//! * `convert` (off): the module `convert`, Ingress v1
//!   to Gateway API conversion (the mapping behind `trieway convert`). Routing Ingress objects
//!   natively ([`Router::from_ingress`]) needs no feature.
//! * `watch` (off): `Live::watch`, reloading changed configuration files into a [`Live`]
//!   router (the `notify` crate).
//! * `kube` (off): `kube`, routes from a live Kubernetes API server: a `kube::Follower`
//!   lists and watches the cluster's objects into a [`Live`] router (kube-rs, tokio).
//! * `cost-counters` (off): `cost`, per-thread work counters of path lookups, for budget tests
//!   and fuzzing.
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod apply;
mod attach;
mod builder;
mod compile;
mod config;
#[cfg(feature = "convert")]
pub mod convert;
#[cfg(feature = "cost-counters")]
pub mod cost;
#[cfg(not(feature = "cost-counters"))]
#[allow(dead_code)] // without the feature only the empty counting calls are used
mod cost;
mod counters;
mod error;
pub mod explain;
mod incremental;
#[cfg(feature = "kube")]
pub mod kube;
#[cfg(feature = "kube")]
mod kube_status;
mod l4;
mod live;
mod load;
pub mod metrics;
pub mod model;
pub mod normalize;
mod options;
mod policy;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod reference;
mod request;
mod router;
mod router_tls;
pub mod tls;
mod util;
mod validate;
#[cfg(feature = "watch")]
mod watch;

/// Internals the project's benchmarks measure in isolation: not part of the API, hidden from
/// the documentation, and free to change in any release.
#[doc(hidden)]
pub mod __bench {
    /// The lookup's first step on a request's authority (its name before a short port,
    /// unchecked, and that name's host-index hash), out of line so that callgrind can count
    /// it alone (`report --callgrind host-plain20:1000 N`, toggle `*__bench*`).
    #[inline(never)]
    pub fn prehash_authority(authority: &str) -> Option<(&str, u64)> {
        crate::compile::host::prehash_authority(authority)
    }
}

// The public API, grouped by what an embedder does with it. Everything else is crate-private,
// except the modules `model` (the serde types of the Gateway API objects), `normalize` (opt-in
// path and host normalization for proxies), `convert` (feature `convert`) and `cost` (feature
// `cost-counters`). `scripts/public-api.py` counts the public items.

// Loading and validating a configuration.
pub use config::{Config, UnknownFields};
pub use error::{ConfigError, Error};
pub use load::ConfigBuilder;
// Routes defined in code.
pub use builder::{RouteSet, Rule};
// Compiling and routing.
pub use compile::backend::{Backend, Target};
pub use compile::PathKind;
pub use l4::{L4Match, TlsOutcome};
// Serving a changing configuration.
pub use live::{ApplyResult, Change, Live, ObjectKey, Snapshot};
pub use options::{Options, RegexRank, RepeatedHeaders};
pub use policy::Policies;
pub use request::{Headers, Request, RequestView};
pub use router::{MatchId, Outcome, Params, RouteMatch, RouteRef, Router};
#[cfg(feature = "watch")]
pub use watch::{Reload, WatchOptions, Watcher};
// Explaining a decision (the parts of an Explanation are in `trieway::explain`).
pub use explain::Explanation;
// Applying a match's filters.
pub use apply::{Action, ActionKind, HeaderEdit, HeaderLine};
pub use compile::filter::EditOp;
// The status a controller would write ([`Router::report`], [`Report::attach`]).
pub use attach::report::{
    Condition, ListenerStatus, ObjectStatus, Report, RouteParentStatus, RouteStatus,
};

// Which README examples run as doctests, and where. Everything a doctest reads must be inside
// core/, or the published crate's own tests fail (`cargo package` copies only core/):
// - core/README.md, the crate's README (its crates.io page), is included here, so its examples
//   run with the crate's tests, in the repository and in the unpacked package alike;
// - the repository's README.md is outside the crate: its examples run as doctests of the
//   workspace-only crate `trieway-spec-tests` (spec-tests/src/lib.rs), which is never
//   published, so `cargo test --workspace` (CI) still runs every one of them as written;
// - the rustdoc examples that load the demo configuration read core/examples/demo.yaml, a
//   copy of examples/demo.yaml that core/tests/example_copies.rs keeps identical.
/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
