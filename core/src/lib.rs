//! trieway
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

pub mod attach;
mod compile;
mod error;
mod load;
pub mod model;
mod options;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod reference;
mod request;
mod router;
mod validate;

pub use compile::backend::{Backend, Target};
pub use compile::PathKind;
pub use error::{ConfigError, Error};
pub use load::{Config, LoadLimits};
pub use options::{Options, RegexRank, RepeatedHeaders};
pub use request::{Headers, Request, RequestView};
pub use router::{Outcome, RouteMatch, RouteRef, Router};
