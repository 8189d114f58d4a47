//! trieway-proxy: the reference Gateway API data plane built on the `trieway` routing engine.
//!
//! The proxy's main loop, per request ([`http`]): take the current routing snapshot from the
//! [`trieway::Live`] handle, **route** the request (`Router::route`, `route_grpc`), **apply**
//! the match (`RouteMatch::apply`: the weighted backend draw, header edits, redirects,
//! rewrites, mirrors, policies), **forward** it to an endpoint of the drawn backend
//! ([`backends`]) under the rule's timeouts and retry policy, and answer. Connections arrive
//! on one tokio listener per Gateway listener port ([`server`]); TLS ports are terminated with
//! rustls or passed through by SNI ([`tls`], [`certs`]); TCP and UDP ports are forwarded
//! ([`l4`]). The admin port ([`admin`]) serves `/metrics`, `/ready` and `/config`.
//!
//! [`Proxy::start`] runs it inside a tokio runtime; the binary `trieway-proxy` is a thin
//! command line over it.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod admin;
pub mod backends;
pub mod certs;
pub mod h2pool;
pub mod http;
pub mod l4;
pub mod metrics;
pub mod server;
pub mod session;
pub mod tls;
pub mod upstream_tls;

pub use server::{Proxy, ProxyOptions, RunningProxy};
