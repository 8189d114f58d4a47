//! trieway
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod error;
mod load;
pub mod model;
mod validate;
pub mod attach;

pub use error::{ConfigError, Error};
pub use load::{Config, LoadLimits};
