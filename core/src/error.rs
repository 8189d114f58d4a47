//! Errors and warnings. Every message names the resource, its origin and the field path.

use crate::model::Origin;
use std::fmt;

/// One problem found in the configuration: a malformed document, an object that fails
/// validation, or (as a warning) something skipped.
///
/// Its `Display` form is the message users see:
/// `HTTPRoute default/web (routes.yaml#2): spec.rules[2].matches[0].path.value: must start with '/'`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ConfigError {
    /// Kind of the object (`HTTPRoute`), or empty when the document has none.
    pub kind: String,
    /// `namespace/name` (or `name` for cluster-scoped kinds), or empty.
    pub object: String,
    /// Where the object came from.
    pub origin: Option<Origin>,
    /// Field path such as `spec.rules[2].matches[0].path.value`, or empty for the whole object.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    /// A problem with `field` of an object, every part given by position (inside the crate,
    /// the named starts `ConfigError::of` and `ConfigError::document` say which part is which).
    ///
    /// ```
    /// use trieway::ConfigError;
    /// let e = ConfigError::new("HTTPRoute", "default/web", None, "spec.hostnames[0]", "invalid");
    /// assert_eq!(e.to_string(), "HTTPRoute default/web: spec.hostnames[0]: invalid");
    /// ```
    pub fn new(
        kind: impl Into<String>,
        object: impl Into<String>,
        origin: Option<Origin>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConfigError {
            kind: kind.into(),
            object: object.into(),
            origin,
            field: field.into(),
            message: message.into(),
        }
    }

    /// Starts a problem with the object of `kind` named `object` (`namespace/name`, or `name`
    /// for cluster-scoped kinds); add its origin and field, then finish with the message
    /// (tested in `tests::named_starts`).
    pub(crate) fn of(kind: impl Into<String>, object: impl Into<String>) -> ConfigErrorBuilder {
        ConfigErrorBuilder(ConfigError {
            kind: kind.into(),
            object: object.into(),
            ..ConfigError::default()
        })
    }

    /// Starts a problem with the input document at `origin`, before its kind or name is known
    /// (not UTF-8, invalid YAML, too large…); add a [`kind`](ConfigErrorBuilder::kind) or
    /// field if known, then finish with the message.
    pub(crate) fn document(origin: Origin) -> ConfigErrorBuilder {
        ConfigErrorBuilder(ConfigError {
            origin: Some(origin),
            ..ConfigError::default()
        })
    }
}

/// A [`ConfigError`] being put together: started by [`ConfigError::of`] or
/// [`ConfigError::document`], finished by [`message`](ConfigErrorBuilder::message).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "finish the error with .message(..)"]
pub(crate) struct ConfigErrorBuilder(ConfigError);

impl ConfigErrorBuilder {
    /// The kind of the object (`HTTPRoute`).
    pub(crate) fn kind(mut self, kind: impl Into<String>) -> Self {
        self.0.kind = kind.into();
        self
    }

    /// Where the object came from.
    pub(crate) fn origin(mut self, origin: Origin) -> Self {
        self.0.origin = Some(origin);
        self
    }

    /// The field path (`spec.rules[2].matches[0].path.value`); none means the whole object.
    pub(crate) fn field(mut self, field: impl Into<String>) -> Self {
        self.0.field = field.into();
        self
    }

    /// Finishes the error with what is wrong.
    pub(crate) fn message(mut self, message: impl Into<String>) -> ConfigError {
        self.0.message = message.into();
        self.0
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut head = String::new();
        if !self.kind.is_empty() {
            head.push_str(&self.kind);
        }
        if !self.object.is_empty() {
            if !head.is_empty() {
                head.push(' ');
            }
            head.push_str(&self.object);
        }
        if let Some(o) = &self.origin {
            if head.is_empty() {
                head = o.to_string();
            } else {
                head = format!("{head} ({o})");
            }
        }
        if !head.is_empty() {
            write!(f, "{head}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A failure that stops loading or compiling as a whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input exceeds a configured limit (`Options`).
    #[error("{0}")]
    Limit(String),
    /// The configuration has invalid objects and strict handling was requested. The list holds
    /// every problem, in input order.
    #[error("{}", join_errors(.0))]
    Invalid(Vec<ConfigError>),
    /// The requested Gateway is not in the configuration or not served by this controller.
    #[error("{0}")]
    Gateway(String),
}

fn join_errors(errors: &[ConfigError]) -> String {
    let mut s = format!("{} invalid object(s) or field(s):", errors.len());
    for e in errors {
        s.push_str("\n  ");
        s.push_str(&e.to_string());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_starts() {
        let e = ConfigError::of("HTTPRoute", "default/web")
            .field("spec.rules[2].matches[0].path.value")
            .message("must start with '/'");
        assert_eq!(
            e.to_string(),
            "HTTPRoute default/web: spec.rules[2].matches[0].path.value: must start with '/'"
        );
        let positional = ConfigError::new(
            "HTTPRoute",
            "default/web",
            None,
            "spec.rules[2].matches[0].path.value",
            "must start with '/'",
        );
        assert_eq!(e, positional);
    }

    fn at() -> Origin {
        Origin {
            file: "routes.yaml".into(),
            index: 2,
        }
    }

    #[test]
    fn builder_sets_each_part_where_new_takes_it_by_position() {
        let built = ConfigError::of("HTTPRoute", "default/web")
            .origin(at())
            .field("spec.rules[0]")
            .message("bad");
        let positional = ConfigError::new(
            "HTTPRoute",
            "default/web",
            Some(at()),
            "spec.rules[0]",
            "bad",
        );
        assert_eq!(built, positional);
        assert_eq!(
            built.to_string(),
            "HTTPRoute default/web (routes.yaml#2): spec.rules[0]: bad"
        );
    }

    #[test]
    fn document_errors_name_the_origin_and_what_is_known() {
        let e = ConfigError::document(at()).message("invalid YAML: x");
        assert_eq!(
            e,
            ConfigError::new("", "", Some(at()), "", "invalid YAML: x")
        );
        assert_eq!(e.to_string(), "routes.yaml#2: invalid YAML: x");
        let e = ConfigError::document(at())
            .kind("Gateway")
            .field("metadata.name")
            .message("required field is missing");
        assert_eq!(
            e.to_string(),
            "Gateway (routes.yaml#2): metadata.name: required field is missing"
        );
    }
}
