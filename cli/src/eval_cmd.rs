//! `trieway eval CASE.json`: one decision per request, JSON Lines on stdout.

use crate::args::{Arg, Parser, UsageError};
use crate::{out, Failure, Status};

/// `trieway eval --help`.
pub const HELP: &str = "\
Usage: trieway eval CASE.json

Evaluate a conformance case (format: spec-tests/README.md): load its resources, apply its
mutations between phases, route every request through the Router of its Gateway and listener,
apply the filters, and print one decision per request as JSON Lines. Requests of kinds the
engine does not support yet are printed as {\"name\": ..., \"skipped\": \"<reason>\"}.

Options:
  -h, --help  Print help
";

/// Runs `trieway eval`.
pub fn run(mut p: Parser) -> Result<Status, Failure> {
    let mut file = None;
    while let Some(arg) = p.next_arg()? {
        match &arg {
            Arg::Short('h') => {
                out(HELP);
                return Ok(Status::Ok);
            }
            Arg::Long(n) if n == "help" => {
                out(HELP);
                return Ok(Status::Ok);
            }
            Arg::Value(v) if file.is_none() => file = Some(v.clone()),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let file = file.ok_or_else(|| UsageError("expected CASE.json".into()))?;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| Failure::Other(format!("{}: {e}", file.to_string_lossy())))?;
    let case: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Other(format!("{}: invalid JSON: {e}", file.to_string_lossy())))?;
    let mut s = String::new();
    for d in trieway_cli::eval::evaluate(&case) {
        s.push_str(&d.to_string());
        s.push('\n');
    }
    out(&s);
    Ok(Status::Ok)
}
