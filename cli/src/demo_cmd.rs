//! `trieway demo`: the main job on the built-in demo configuration: check it, compile it, and
//! route a set of sample requests, showing each outcome and what the filters do.

use crate::args::{Arg, Parser};
use crate::{demo, out, Failure, Status};
use std::fmt::Write as _;
use trieway::{
    Action, ActionKind, Config, Headers, Options, Outcome, Request, Router, UnknownFields,
};

/// `trieway demo --help`.
pub const HELP: &str = "\
Usage: trieway demo [--controller NAME] [--unknown-fields POLICY]

Load the built-in demo configuration (examples/demo.yaml: a shared Gateway with HTTP and HTTPS
listeners and two tenants' routes), report its status, compile it, and route sample requests
that show exact and wildcard hosts, Exact, PathPrefix and RegularExpression paths, header,
method and query conditions, a weighted canary split, header edits and a redirect.

Options:
      --controller NAME  Serve only Gateways whose GatewayClass names this controllerName
                         [default: every Gateway in the configuration]
      --unknown-fields POLICY
                         A field the schema of its kind and version does not list: error
                         (default: the object is not loaded), warn or ignore
  -h, --help             Print help
";

/// `(method, scheme, host, target, headers, random)`.
type Sample = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    u64,
);

const SAMPLES: &[Sample] = &[
    ("GET", "http", "store.example.com", "/cart", &[], 0),
    ("GET", "https", "store.example.com", "/", &[], 0),
    ("GET", "https", "store.example.com", "/", &[], u64::MAX),
    ("GET", "https", "store.example.com", "/healthz", &[], 0),
    (
        "GET",
        "https",
        "store.example.com",
        "/api/items",
        &[("X-Debug", "1")],
        0,
    ),
    (
        "GET",
        "https",
        "store.example.com",
        "/api/items",
        &[("X-Api-Version", "v2")],
        0,
    ),
    (
        "POST",
        "https",
        "store.example.com",
        "/cart/checkout",
        &[],
        0,
    ),
    (
        "GET",
        "https",
        "store.example.com",
        "/cart/checkout",
        &[],
        0,
    ),
    (
        "GET",
        "https",
        "store.example.com",
        "/products?preview=true",
        &[],
        0,
    ),
    ("GET", "https", "blog.example.com", "/posts/42", &[], 0),
    ("GET", "https", "blog.example.com", "/posts/latest", &[], 0),
    ("GET", "https", "docs.pages.example.com", "/guide", &[], 0),
    ("GET", "https", "unknown.example.com", "/", &[], 0),
];

/// The route (`namespace/name #rule`) and the result column of one sample request.
fn sample_result(router: &Router, req: &Request<'_>, random: u64) -> (String, String) {
    let outcome = router.route(req);
    match &outcome {
        Outcome::Matched(m) => {
            let mut a = Action::new();
            m.apply(req, random, &mut a);
            let rule = m
                .rule_name()
                .map_or_else(|| m.rule_index().to_string(), str::to_string);
            let route = format!("{}/{} #{rule}", m.route().namespace, m.route().name);
            let result = match a.kind {
                ActionKind::Redirect => format!("{} → {}", a.status, a.location),
                ActionKind::Forward => {
                    let b = a
                        .backend
                        .map(|b| format!("{}:{}", b.name(), b.port().unwrap_or(0)))
                        .unwrap_or_default();
                    let edits: Vec<String> = a
                        .request_headers
                        .iter()
                        .map(|e| format!("{:?} {}", e.op, e.name))
                        .collect();
                    let mut r = format!("→ {b} {}", a.path_and_query);
                    if m.backends().len() > 1 {
                        let _ = write!(
                            r,
                            " (split {} of {})",
                            a.backend.map_or(0, |b| b.weight()),
                            m.total_weight()
                        );
                    }
                    if !edits.is_empty() {
                        let _ = write!(r, " headers: {}", edits.join(", "));
                    }
                    r
                }
                _ => format!("{} (engine answer)", a.status),
            };
            (route, result)
        }
        Outcome::Misdirected => ("-".into(), "421 misdirected".into()),
        _ => ("-".into(), "404 no route".into()),
    }
}

/// Runs `trieway demo`.
pub fn run(mut p: Parser) -> Result<Status, Failure> {
    let mut options = Options::default();
    let mut unknown_fields = UnknownFields::Error;
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
            Arg::Long(n) if n == "controller" => {
                options.controller_name = Some(p.controller(&arg)?);
            }
            Arg::Long(n) if n == "unknown-fields" => unknown_fields = p.unknown_fields(&arg)?,
            _ => return Err(arg.unexpected().into()),
        }
    }
    let mut config = Config::builder().with_unknown_fields(unknown_fields);
    config.add_str(demo::YAML, demo::NAME);
    let config = config.finish();
    let router = Router::new(&config, options).map_err(|e| Failure::Other(e.to_string()))?;
    let report = router.report();
    let accepted = report
        .routes
        .iter()
        .flat_map(|r| r.parents.iter())
        .filter(|p| {
            p.conditions
                .iter()
                .any(|c| c.kind == "Accepted" && c.status == "True")
        })
        .count();
    let parents: usize = report.routes.iter().map(|r| r.parents.len()).sum();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Gateway {}: {} objects invalid, {accepted}/{parents} route parentRefs Accepted, {} listeners\n",
        router.gateway(),
        config.errors().len(),
        report.listeners.len()
    );
    let _ = writeln!(
        s,
        "{:<6} {:<56} {:<34} result",
        "method", "url", "route/rule"
    );
    for &(method, scheme, host, target, headers, random) in SAMPLES {
        let port = if scheme == "https" { 443 } else { 80 };
        let req = Request::new(method, host, target)
            .headers(Headers::Pairs(headers))
            .port(port)
            .scheme(scheme)
            .sni(host);
        let url = format!("{scheme}://{host}{target}");
        let url = if headers.is_empty() {
            url
        } else {
            format!("{url} [{}: {}]", headers[0].0, headers[0].1)
        };
        let (route, result) = sample_result(&router, &req, random);
        let _ = writeln!(s, "{method:<6} {url:<56} {route:<34} {result}");
    }
    let _ = writeln!(s, "\nTry: trieway route GET https://store.example.com/api/x -H 'X-Api-Version: v2'   (see trieway --help)");
    out(&s);
    Ok(if config.errors().is_empty() && accepted == parents {
        Status::Ok
    } else {
        Status::Problems
    })
}
