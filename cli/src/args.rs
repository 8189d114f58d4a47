//! A small command-line argument parser, in the manner of `lexopt`: the caller loops over
//! [`Arg`]s and asks for an option's value when the option takes one.
//!
//! Supported forms: `--name`, `--name value`, `--name=value`, `-n`, `-n value`, `-nvalue`,
//! positional values, `-` (a positional value) and `--` (everything after it is positional).

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use trieway::UnknownFields;

/// One parsed command-line item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// `-x`.
    Short(char),
    /// `--name` (without the dashes).
    Long(String),
    /// A positional value.
    Value(OsString),
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Short(c) => write!(f, "-{c}"),
            Arg::Long(name) => write!(f, "--{name}"),
            Arg::Value(v) => write!(f, "{}", v.to_string_lossy()),
        }
    }
}

/// A usage error: the message is shown with a hint to `--help`, and the process exits 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Arg {
    /// The error for an option or value the command does not accept.
    pub fn unexpected(&self) -> UsageError {
        match self {
            Arg::Value(v) => UsageError(format!("unexpected argument '{}'", v.to_string_lossy())),
            opt => UsageError(format!("unknown option '{opt}'")),
        }
    }
}

/// Iterates over the arguments of one command.
#[derive(Debug)]
pub struct Parser {
    rest: VecDeque<OsString>,
    /// The value attached to the last option (`--name=value`, `-nvalue`), not yet taken.
    attached: Option<(String, OsString)>,
    positional_only: bool,
}

impl Parser {
    /// A parser over `args` (without the program name or the command name).
    pub fn new(args: impl IntoIterator<Item = OsString>) -> Self {
        Parser {
            rest: args.into_iter().collect(),
            attached: None,
            positional_only: false,
        }
    }

    /// The next item, or `None` at the end.
    pub fn next_arg(&mut self) -> Result<Option<Arg>, UsageError> {
        if let Some((opt, _)) = self.attached.take() {
            return Err(UsageError(format!("option '{opt}' does not take a value")));
        }
        let Some(raw) = self.rest.pop_front() else {
            return Ok(None);
        };
        if self.positional_only {
            return Ok(Some(Arg::Value(raw)));
        }
        let Some(text) = raw.to_str() else {
            // Not UTF-8: cannot be an option we know, so it is a value (e.g. a file name).
            return Ok(Some(Arg::Value(raw)));
        };
        if text == "--" {
            self.positional_only = true;
            return self.next_arg();
        }
        if let Some(long) = text.strip_prefix("--") {
            return Ok(Some(match long.split_once('=') {
                Some((name, value)) => {
                    self.attached = Some((format!("--{name}"), OsString::from(value)));
                    Arg::Long(name.to_string())
                }
                None => Arg::Long(long.to_string()),
            }));
        }
        if let Some(short) = text.strip_prefix('-') {
            let mut chars = short.chars();
            if let Some(c) = chars.next() {
                let tail = chars.as_str();
                if !tail.is_empty() {
                    self.attached = Some((format!("-{c}"), OsString::from(tail)));
                }
                return Ok(Some(Arg::Short(c)));
            }
        }
        Ok(Some(Arg::Value(raw)))
    }

    /// The value of the option just returned by [`Parser::next_arg`]: the attached one
    /// (`--name=value`) or the next argument.
    pub fn value(&mut self, option: &Arg) -> Result<OsString, UsageError> {
        if let Some((_, v)) = self.attached.take() {
            return Ok(v);
        }
        match self.rest.pop_front() {
            Some(v) if self.positional_only || v.to_str().is_none_or(|s| !s.starts_with('-')) => {
                Ok(v)
            }
            Some(v) => {
                self.rest.push_front(v);
                Err(UsageError(format!("option '{option}' needs a value")))
            }
            None => Err(UsageError(format!("option '{option}' needs a value"))),
        }
    }

    /// Like [`Parser::value`], for options whose value must be UTF-8 text.
    pub fn string(&mut self, option: &Arg) -> Result<String, UsageError> {
        self.value(option)?.into_string().map_err(|v| {
            UsageError(format!(
                "the value of '{option}' is not valid UTF-8: {}",
                v.to_string_lossy()
            ))
        })
    }

    /// The value of `--unknown-fields`: `error`, `warn` or `ignore`.
    pub fn unknown_fields(&mut self, option: &Arg) -> Result<UnknownFields, UsageError> {
        match self.string(option)?.as_str() {
            "error" => Ok(UnknownFields::Error),
            "warn" => Ok(UnknownFields::Warn),
            "ignore" => Ok(UnknownFields::Ignore),
            other => Err(UsageError(format!(
                "unknown value '{other}' for '{option}' (expected error, warn or ignore)"
            ))),
        }
    }

    /// The value of `--controller`: a non-empty controller name.
    pub fn controller(&mut self, option: &Arg) -> Result<String, UsageError> {
        let name = self.string(option)?;
        if name.is_empty() {
            return Err(UsageError(format!("'{option}' needs a non-empty NAME")));
        }
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Vec<Arg>, UsageError> {
        let mut p = Parser::new(args.iter().map(OsString::from));
        let mut out = Vec::new();
        while let Some(arg) = p.next_arg()? {
            let takes_value =
                matches!(&arg, Arg::Long(n) if n == "output") || matches!(&arg, Arg::Short('o'));
            if takes_value {
                let v = p.string(&arg)?;
                out.push(arg);
                out.push(Arg::Value(v.into()));
            } else {
                out.push(arg);
            }
        }
        Ok(out)
    }

    fn v(s: &str) -> Arg {
        Arg::Value(s.into())
    }

    #[test]
    fn forms_of_options_and_values() {
        let long = || Arg::Long("output".into());
        assert_eq!(parse(&["--output", "json"]).unwrap(), [long(), v("json")]);
        assert_eq!(parse(&["--output=json"]).unwrap(), [long(), v("json")]);
        assert_eq!(parse(&["--output="]).unwrap(), [long(), v("")]);
        assert_eq!(
            parse(&["-ojson", "a"]).unwrap(),
            [Arg::Short('o'), v("json"), v("a")]
        );
        assert_eq!(
            parse(&["-o", "json", "-"]).unwrap(),
            [Arg::Short('o'), v("json"), v("-")]
        );
        assert_eq!(
            parse(&["a", "--", "--output", "-h"]).unwrap(),
            [v("a"), v("--output"), v("-h")]
        );
    }

    #[test]
    fn errors() {
        assert!(parse(&["--output"])
            .unwrap_err()
            .0
            .contains("needs a value"));
        assert!(parse(&["--output", "--help"])
            .unwrap_err()
            .0
            .contains("needs a value"));
        assert!(parse(&["--help=yes"])
            .unwrap_err()
            .0
            .contains("does not take a value"));
        assert!(parse(&["-hx"])
            .unwrap_err()
            .0
            .contains("does not take a value"));
    }
}
