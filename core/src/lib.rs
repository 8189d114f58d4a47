//! trieway
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

pub mod attach;
mod compile;
mod error;
mod filter;
mod load;
pub mod model;
mod options;
mod policy;
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
pub use filter::{replace_prefix, Action, ActionKind, EditOp, HeaderEdit, Mirror};
pub use load::{Config, LoadLimits};
pub use options::{Options, RegexRank, RepeatedHeaders};
pub use policy::{parse_duration, ConfiguredDuration, Policies, Retry, SessionPolicy, Timeouts};
pub use request::{Headers, Request, RequestView};
pub use router::{Outcome, RouteMatch, RouteRef, Router};
