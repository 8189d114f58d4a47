//! `trieway route`: route one request and show the outcome and the action its filters produce.

use crate::args::{Arg, Parser, UsageError};
use crate::{demo, out, Failure, Status};
use trieway::{
    Action, Config, Headers, Options, Outcome, Request, Router, Target, TlsOutcome, UnknownFields,
};
use trieway_cli::decision::decision;

/// `trieway route --help`.
pub const HELP: &str = "\
Usage: trieway route [OPTIONS] METHOD URL

Route one request through the compiled router and print the outcome: the matching route and
rule, the backend drawn, and what the filters do (upstream request, header edits, redirect,
mirrors, timeouts and retry). Without --config, the built-in demo configuration is used.

Arguments:
  METHOD  HTTP method, e.g. GET (optional for grpc, tls, tcp and udp targets)
  URL     http://host[:port]/path?query (https selects HTTPS listeners),
          grpc://host[:port]/pkg.Service/Method (GRPCRoutes),
          tls://sni[:port] (TLSRoutes; JSON output), tcp://:port, udp://:port

Options:
  -c, --config FILE      Configuration file or directory (repeatable) [default: the demo]
  -H, --header 'N: V'    Request header (repeatable)
  -p, --port N           Listener port [default: the URL's port, else 80/443 by scheme]
      --sni NAME         TLS server name [default: none]
      --gateway NS/NAME  Gateway to route on [default: the only served Gateway]
      --controller NAME  Serve only Gateways whose GatewayClass names this controllerName
                         [default: every Gateway in the configuration]
      --ingress-class NAME
                         Route the configuration's Ingress objects of this IngressClass with
                         Ingress semantics [default: Ingress semantics, every class, when
                         the configuration holds Ingresses and no Gateway]
      --unknown-fields POLICY
                         A field the schema of its kind and version does not list: error
                         (default: the object is not loaded), warn or ignore
      --random N         Random number for the weighted backend draw [default: 0]
  -o, --output FORMAT    text (default) or json
  -h, --help             Print help

A gRPC call that no GRPCRoute matches is answered as a gRPC server would: status 12
UNIMPLEMENTED.

Exit status: 0 when a route matched, 1 for 404/421/500 answers (and gRPC UNIMPLEMENTED), 2 for
usage errors.
";

pub(crate) struct Args {
    pub(crate) configs: Vec<std::ffi::OsString>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) port: Option<u16>,
    pub(crate) sni: Option<String>,
    pub(crate) gateway: Option<String>,
    pub(crate) controller: Option<String>,
    pub(crate) ingress_class: Option<String>,
    pub(crate) unknown_fields: UnknownFields,
    pub(crate) random: u64,
    pub(crate) json: bool,
    pub(crate) positional: Vec<String>,
}

pub(crate) fn parse(mut p: Parser) -> Result<Option<Args>, UsageError> {
    let mut a = Args {
        configs: vec![],
        headers: vec![],
        port: None,
        sni: None,
        gateway: None,
        controller: None,
        ingress_class: None,
        unknown_fields: UnknownFields::Error,
        random: 0,
        json: false,
        positional: vec![],
    };
    while let Some(arg) = p.next_arg()? {
        // Short options are aliases of long ones.
        let long = match &arg {
            Arg::Value(v) => {
                a.positional.push(v.to_string_lossy().into_owned());
                continue;
            }
            Arg::Short('h') => "help",
            Arg::Short('c') => "config",
            Arg::Short('H') => "header",
            Arg::Short('p') => "port",
            Arg::Short('o') => "output",
            Arg::Short(_) => return Err(arg.unexpected()),
            Arg::Long(n) => n.as_str(),
        };
        match long {
            "help" => return Ok(None),
            "config" => a.configs.push(p.value(&arg)?),
            "header" => {
                let h = p.string(&arg)?;
                let (n, v) = h
                    .split_once(':')
                    .ok_or_else(|| UsageError(format!("header {h:?} is not 'Name: value'")))?;
                a.headers.push((n.trim().to_string(), v.trim().to_string()));
            }
            "port" => {
                let v = p.string(&arg)?;
                a.port = Some(v.parse().map_err(|_| {
                    UsageError(format!("port {v:?} is not a number from 1 to 65535"))
                })?);
            }
            "sni" => a.sni = Some(p.string(&arg)?),
            "gateway" => a.gateway = Some(p.string(&arg)?),
            "controller" => a.controller = Some(p.controller(&arg)?),
            "ingress-class" => a.ingress_class = Some(p.string(&arg)?),
            "unknown-fields" => a.unknown_fields = p.unknown_fields(&arg)?,
            "random" => {
                let v = p.string(&arg)?;
                a.random = v.parse().map_err(|_| {
                    UsageError(format!("--random {v:?} is not an unsigned 64-bit number"))
                })?;
            }
            "output" => {
                a.json = match p.string(&arg)?.as_str() {
                    "json" => true,
                    "text" => false,
                    other => {
                        return Err(UsageError(format!(
                            "unknown output format {other:?} (text or json)"
                        )))
                    }
                }
            }
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(a))
}

/// Splits `scheme://host[:port]/path?query` into (scheme, authority, target).
pub(crate) fn split_url(url: &str) -> Result<(&str, &str, &str), UsageError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| UsageError(format!("URL {url:?} has no scheme (http:// or https://)")))?;
    if !matches!(scheme, "http" | "https" | "grpc" | "tls" | "tcp" | "udp") {
        return Err(UsageError(format!(
            "URL scheme {scheme:?} is not http, https, grpc, tls, tcp or udp"
        )));
    }
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => match rest.find('?') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        },
    };
    Ok((scheme, authority, target))
}

/// Loads the configuration `a` names (the demo without --config), prints its errors and
/// unknown-field warnings to stderr, and compiles the Router (Ingress semantics when asked
/// for, or when Ingresses are all there is to route); returns both.
pub(crate) fn load_router(a: &Args) -> Result<(Config, Router), Failure> {
    let config = if a.configs.is_empty() {
        let mut c = Config::builder().with_unknown_fields(a.unknown_fields);
        c.add_str(demo::YAML, demo::NAME);
        c.finish()
    } else {
        let mut c = Config::builder().with_unknown_fields(a.unknown_fields);
        for f in &a.configs {
            c.add_path(std::path::Path::new(f))
                .map_err(|e| Failure::Other(e.to_string()))?;
        }
        c.finish()
    };
    for e in config.errors() {
        eprintln!("trieway: warning: {e}");
    }
    // Other warnings (skipped kinds) stay quiet here; unknown fields under `warn` are shown.
    for w in config
        .warnings()
        .iter()
        .filter(|w| w.message.starts_with("unknown field"))
    {
        eprintln!("trieway: warning: {w}");
    }
    let options = Options {
        gateway: a.gateway.clone(),
        controller_name: a.controller.clone(),
        ..Options::default()
    };
    // Ingress semantics when asked for, or when Ingresses are all there is to route.
    let ingress = a.ingress_class.is_some()
        || (config.gateways().is_empty() && !config.ingresses().is_empty());
    let router = if ingress {
        Router::from_ingress(&config, a.ingress_class.as_deref(), options)
    } else {
        Router::new(&config, options).map_err(|e| Failure::Other(e.to_string()))?
    };
    Ok((config, router))
}

/// Runs `trieway route`.
pub fn run(p: Parser) -> Result<Status, Failure> {
    let Some(a) = parse(p)? else {
        out(HELP);
        return Ok(Status::Ok);
    };
    let (method, url) = match a.positional.as_slice() {
        [method, url] => (method.as_str(), url.as_str()),
        // gRPC calls are POSTs; layer-4 targets have no method.
        [url] if url.contains("://") && !url.starts_with("http") => ("POST", url.as_str()),
        _ => return Err(UsageError("expected METHOD and URL".into()).into()),
    };
    let (scheme, authority, target) = split_url(url)?;
    let url_port = authority
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok());
    let port = a
        .port
        .or(url_port)
        .unwrap_or(if matches!(scheme, "https" | "tls") {
            443
        } else {
            80
        });
    let (_, router) = load_router(&a)?;
    let pairs: Vec<(&str, &str)> = a
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut req = Request::new(method, authority, target)
        .headers(Headers::Pairs(&pairs))
        .port(port)
        .scheme(scheme);
    req.sni = a.sni.as_deref();
    if matches!(scheme, "tls" | "tcp" | "udp") {
        let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
        let sni = a.sni.as_deref().or(Some(host).filter(|h| !h.is_empty()));
        let m = match scheme {
            "tls" => match router.route_tls(port, sni) {
                TlsOutcome::Forward(m) => Some(m),
                TlsOutcome::Http => {
                    out("the SNI selects an HTTPS listener: route its requests with https://\n");
                    return Ok(Status::Ok);
                }
                _ => None,
            },
            "tcp" => router.route_tcp(port),
            _ => router.route_udp(port),
        };
        let d = trieway_cli::decision::l4(m, sni, false);
        out(&format!("{}\n", serde_json::Value::Object(d)));
        return Ok(if m.is_some() {
            Status::Ok
        } else {
            Status::Problems
        });
    }
    let outcome = if scheme == "grpc" {
        router.route_grpc(&req)
    } else {
        router.route(&req)
    };
    let mut action = Action::new();
    if let Some(m) = outcome.matched() {
        m.apply(&req, a.random, &mut action);
    }
    let mut d = decision(&outcome, &action, &a.headers, &[]);
    let grpc = scheme == "grpc";
    if grpc && matches!(outcome, Outcome::NotFound) {
        // A gRPC server answers an unknown method with HTTP 200 and grpc-status 12.
        d.insert("status".into(), 200.into());
        d.insert("grpc_status".into(), GRPC_UNIMPLEMENTED.into());
    }
    if a.json {
        out(&format!("{}\n", serde_json::Value::Object(d)));
    } else {
        out(&text(&outcome, &action, &d, grpc));
    }
    Ok(match outcome {
        Outcome::Matched(m)
            if !matches!(m.pick(a.random), Target::Status(_)) || action.status < 400 =>
        {
            Status::Ok
        }
        _ => Status::Problems,
    })
}

/// gRPC status code UNIMPLEMENTED: what a gRPC server answers for a method it does not serve.
const GRPC_UNIMPLEMENTED: u8 = 12;

/// The answer line of a request without a match: 421, gRPC UNIMPLEMENTED or 404.
fn miss_text(outcome: &Outcome<'_>, grpc: bool) -> String {
    if matches!(outcome, Outcome::Misdirected) {
        "421 Misdirected Request".to_string()
    } else if grpc && matches!(outcome, Outcome::NotFound) {
        format!(
            "gRPC status {GRPC_UNIMPLEMENTED} UNIMPLEMENTED: no GRPCRoute matches \
             (HTTP 200 with grpc-status: {GRPC_UNIMPLEMENTED})"
        )
    } else {
        "404 Not Found: no route matches".to_string()
    }
}

/// The rule's backends with their weights (invalid ones with their reason).
fn split_text(backends: &[trieway::Backend]) -> String {
    let split: Vec<String> = backends
        .iter()
        .map(|b| {
            if b.is_valid() {
                format!("{}/{} w{}", b.namespace(), b.name(), b.weight())
            } else {
                format!(
                    "invalid {}/{} w{} ({})",
                    b.namespace(),
                    b.name(),
                    b.weight(),
                    b.problem().map(|p| p.0).unwrap_or("")
                )
            }
        })
        .collect();
    if split.is_empty() {
        "(no backendRefs)".to_string()
    } else {
        split.join(", ")
    }
}

/// The lines of what applying the filters produced: redirect, forward (backend and upstream
/// URL) or engine answer, header edits and mirrors.
fn action_lines(action: &Action<'_>, s: &mut String) {
    use std::fmt::Write as _;
    match action.kind {
        trieway::ActionKind::Redirect => {
            let _ = writeln!(s, "redirect:  {} {}", action.status, action.location);
        }
        trieway::ActionKind::Forward => {
            let b = action
                .backend
                .map(|b| {
                    format!(
                        "{}/{}:{}",
                        b.namespace(),
                        b.name(),
                        b.port().map_or("-".into(), |p| p.to_string())
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(s, "forward:   {b}");
            let _ = writeln!(
                s,
                "upstream:  {}://{}{}",
                action.scheme, action.authority, action.path_and_query
            );
        }
        _ => {
            let _ = writeln!(s, "respond:   {}", action.status);
        }
    }
    for e in &action.request_headers {
        let _ = writeln!(s, "request header:  {:?} {}: {}", e.op, e.name, e.value);
    }
    for e in &action.response_headers {
        let _ = writeln!(s, "response header: {:?} {}: {}", e.op, e.name, e.value);
    }
    for (backend, percent) in &action.mirrors {
        let _ = writeln!(
            s,
            "mirror:    {}/{} {}%",
            backend.namespace(),
            backend.name(),
            percent
        );
    }
}

fn text(
    outcome: &Outcome<'_>,
    action: &Action<'_>,
    d: &serde_json::Map<String, serde_json::Value>,
    grpc: bool,
) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let Some(m) = outcome.matched() else {
        let _ = writeln!(s, "{}", miss_text(outcome, grpc));
        return s;
    };
    let r = m.route();
    let _ = writeln!(
        s,
        "route:     {}/{}/{} rule {}{} (match {})",
        r.kind,
        r.namespace,
        r.name,
        m.rule_index(),
        m.rule_name().map(|n| format!(" ({n})")).unwrap_or_default(),
        m.match_index()
    );
    if !m.listener().is_empty() {
        // Ingress matches have no listener.
        let _ = writeln!(
            s,
            "listener:  {} port {} hostname {}",
            m.listener(),
            m.port(),
            m.hostname()
        );
    }
    if r.kind != trieway::model::RouteKind::Grpc {
        let (kind, value) = m.path_match();
        let _ = writeln!(s, "path:      {kind:?} {value}");
    }
    let _ = writeln!(s, "split:     {}", split_text(m.backends()));
    action_lines(action, &mut s);
    for key in ["timeouts", "retry", "session_persistence"] {
        if let Some(v) = d.get(key) {
            let _ = writeln!(s, "{key}: {v}");
        }
    }
    s
}
