//! trieway
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

pub mod attach;
mod error;
mod load;
pub mod model;
mod validate;

pub use error::{ConfigError, Error};
pub use load::{Config, LoadLimits};
