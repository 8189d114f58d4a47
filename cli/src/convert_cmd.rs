//! `trieway convert`: convert Ingress objects to Gateway API resources (SPEC §9.3).

use crate::args::{Arg, Parser, UsageError};
use crate::{out, Failure, Status};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use trieway::convert::{ingress_to_gateway, verify, ConvertOptions, ImplementationSpecific};
use trieway::Config;

/// `trieway convert --help`.
pub const HELP: &str = "\
Usage: trieway convert [OPTIONS] FILE|DIR...

Convert the Ingresses (networking.k8s.io/v1) of every FILE (YAML or JSON; for a DIR, every
.yaml, .yml and .json file below it) to Gateway API resources, the way ingress2gateway's
generic provider does: one Gateway per namespace and ingress class (named after the class),
one HTTPRoute per namespace, class and host, one HTTPRoute per defaultBackend. Named Service
ports are resolved through the Services found in the input. No GatewayClass is written: the
Gateways reference the class names.

The resources go to standard output as multi-document YAML (or a JSON list) that 'trieway
check' accepts. Semantic differences between the Ingresses and the result (single-label
wildcard hosts, path precedence, host fallback, the default backend) and anything skipped go
to standard error as warnings; see docs/ingress.md.

Options:
  -o, --output FORMAT            yaml (default) or json
      --implementation-specific  How ImplementationSpecific paths convert: prefix (default),
        MODE                     exact, or gce ('/x/*' = prefix '/x', anything else exact)
      --no-creation-timestamps   Do not copy the Ingresses' creationTimestamp to the routes
      --from spec|nginx          The controller the Ingresses were written for. spec
                                 (default): the Ingress specification; nginx: also apply
                                 ingress-nginx's implicit defaults (HTTP to HTTPS redirects
                                 for hosts with TLS) and, with --verify, route the
                                 Ingresses as ingress-nginx does. ingress-nginx annotations
                                 (nginx.ingress.kubernetes.io/*) are converted either way;
                                 those that are not are named in warnings, snippets in errors
      --verify                   Instead of printing the resources, route generated requests
                                 (every host and wildcard, every path at, below, beside and
                                 above its boundary, the default backend) through the Ingresses
                                 and through the converted resources, and print the requests
                                 answered differently, grouped by their documented cause
                                 (docs/ingress.md), then a one-line verdict
  -h, --help                     Print help

Exit status:
  0  every Ingress converted (warnings allowed); with --verify: every difference is explained
  1  some Ingress or field could not be converted, or an input object is invalid; with
     --verify: also when a difference has no documented cause
  2  usage error, or a FILE could not be read
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
}

#[derive(Debug)]
struct Options {
    files: Vec<OsString>,
    format: Format,
    convert: ConvertOptions,
    verify: bool,
}

fn parse(mut p: Parser) -> Result<Option<Options>, UsageError> {
    let mut opts = Options {
        files: Vec::new(),
        format: Format::Yaml,
        convert: ConvertOptions::default(),
        verify: false,
    };
    while let Some(arg) = p.next_arg()? {
        match &arg {
            Arg::Short('h') => return Ok(None),
            Arg::Long(n) if n == "help" => return Ok(None),
            Arg::Short('o') => opts.format = format(&p.string(&arg)?)?,
            Arg::Long(n) if n == "output" => opts.format = format(&p.string(&arg)?)?,
            Arg::Long(n) if n == "implementation-specific" => {
                opts.convert.implementation_specific = match p.string(&arg)?.as_str() {
                    "prefix" => ImplementationSpecific::Prefix,
                    "exact" => ImplementationSpecific::Exact,
                    "gce" => ImplementationSpecific::Gce,
                    other => {
                        return Err(UsageError(format!(
                            "unknown --implementation-specific mode '{other}' (expected \
                             prefix, exact or gce)"
                        )))
                    }
                }
            }
            Arg::Long(n) if n == "no-creation-timestamps" => {
                opts.convert.creation_timestamps = false
            }
            Arg::Long(n) if n == "verify" => opts.verify = true,
            Arg::Long(n) if n == "from" => {
                opts.convert.nginx = match p.string(&arg)?.as_str() {
                    "nginx" => true,
                    "spec" => false,
                    other => {
                        return Err(UsageError(format!(
                            "unknown --from '{other}' (expected spec or nginx)"
                        )))
                    }
                }
            }
            Arg::Value(v) => opts.files.push(v.clone()),
            _ => return Err(arg.unexpected()),
        }
    }
    if opts.files.is_empty() {
        return Err(UsageError("no FILE or DIR given".into()));
    }
    Ok(Some(opts))
}

fn format(value: &str) -> Result<Format, UsageError> {
    match value {
        "yaml" => Ok(Format::Yaml),
        "json" => Ok(Format::Json),
        other => Err(UsageError(format!(
            "unknown output format '{other}' (expected yaml or json)"
        ))),
    }
}

/// Runs `trieway convert`.
pub fn run(p: Parser) -> Result<Status, Failure> {
    let Some(opts) = parse(p)? else {
        out(HELP);
        return Ok(Status::Ok);
    };
    let mut config = Config::builder();
    for f in &opts.files {
        config
            .add_path(Path::new(f))
            .map_err(|e| Failure::Other(e.to_string()))?;
    }
    let config = config.finish();
    let conversion = ingress_to_gateway(&config, &opts.convert);
    let verified = opts.verify.then(|| verify(&config, &opts.convert));

    let text = match (&verified, opts.format) {
        (Some(v), _) => v.report(),
        (None, Format::Yaml) => conversion.to_yaml(),
        (None, Format::Json) => {
            let mut t = serde_json::to_string_pretty(&conversion.objects)
                .map_err(|e| Failure::Other(format!("cannot serialize the output: {e}")))?;
            t.push('\n');
            t
        }
    };
    out(&text);

    let mut messages = String::new();
    for e in config.errors().iter().chain(&conversion.errors) {
        let _ = writeln!(messages, "error: {e}");
    }
    for w in config.warnings().iter().chain(&conversion.warnings) {
        let _ = writeln!(messages, "warning: {w}");
    }
    if config.ingresses().is_empty() {
        let _ = writeln!(messages, "warning: no valid Ingress in the input");
    }
    let _ = std::io::stderr().write_all(messages.as_bytes());

    let verified_ok = verified.as_ref().is_none_or(|v| v.is_ok());
    Ok(
        if config.errors().is_empty() && conversion.is_ok() && verified_ok {
            Status::Ok
        } else {
            Status::Problems
        },
    )
}
