//! `trieway explain`: why a request goes where it goes (or gets 404 or 421).

use crate::args::{Parser, UsageError};
use crate::route_cmd::{load_router, parse, split_url};
use crate::{out, Failure, Status};
use trieway::explain::ExplainedOutcome;
use trieway::{Headers, Request};

/// `trieway explain --help`.
pub const HELP: &str = "\
Usage: trieway explain [OPTIONS] METHOD URL

Explain how the compiled router decides for one request: the listener the port, Host and SNI
select (or why none, or why 421), the route hostnames tried, most specific first, and the
outcome with the winning rule first; then the near misses, each with its one reason: a rule
whose path matched but another condition failed (the first one: method, header, query
parameter), a rule that matched but is shadowed by a higher-precedence rule (and the
precedence step that decided: path kind, path length, method, header count, query count, age,
namespace/name, rule order), a rule that matches on another listener; and the routes that the
Gateway did not accept, with the reason from their status and whether they would have matched
(WOULD MATCH: their rules evaluated as if attached to a listener of the port). Without
--config, the built-in demo configuration is used.

Arguments:
  METHOD  HTTP method, e.g. GET (optional for grpc)
  URL     http://host[:port]/path?query (https selects HTTPS listeners),
          grpc://host[:port]/pkg.Service/Method (GRPCRoutes)

Options:
  -c, --config FILE      Configuration file or directory (repeatable) [default: the demo]
  -H, --header 'N: V'    Request header (repeatable)
  -p, --port N           Listener port [default: the URL's port, else 80/443 by scheme]
      --sni NAME         TLS server name [default: none]
      --gateway NS/NAME  Gateway to route on [default: the only served Gateway]
      --controller NAME  Serve only Gateways whose GatewayClass names this controllerName
                         [default: every Gateway in the configuration]
      --unknown-fields POLICY
                         A field the schema of its kind and version does not list: error
                         (default: the object is not loaded), warn or ignore
  -o, --output FORMAT    text (default) or json (every candidate, including the rules whose
                         path did not match)
  -h, --help             Print help

Exit status: 0 when a route matched, 1 for 404 and 421, 2 for usage errors.
";

/// Runs `trieway explain`.
pub fn run(p: Parser) -> Result<Status, Failure> {
    let Some(a) = parse(p)? else {
        out(HELP);
        return Ok(Status::Ok);
    };
    let (method, url) = match a.positional.as_slice() {
        [method, url] => (method.as_str(), url.as_str()),
        [url] if url.starts_with("grpc://") => ("POST", url.as_str()),
        _ => return Err(UsageError("expected METHOD and URL".into()).into()),
    };
    let (scheme, authority, target) = split_url(url)?;
    if !matches!(scheme, "http" | "https" | "grpc") {
        return Err(UsageError(format!(
            "explain covers http, https and grpc URLs, not {scheme}://"
        ))
        .into());
    }
    let url_port = authority
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok());
    let port = a
        .port
        .or(url_port)
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    let (config, router) = load_router(&a)?;
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
    let e = if scheme == "grpc" {
        router.explain_grpc_with(&config, &req)
    } else {
        router.explain_with(&config, &req)
    };
    if a.json {
        let text = serde_json::to_string_pretty(&e)
            .map_err(|err| Failure::Other(format!("cannot serialize the explanation: {err}")))?;
        out(&format!("{text}\n"));
    } else {
        out(&format!("{method} {url}\n{e}"));
    }
    Ok(match e.outcome {
        ExplainedOutcome::Matched { .. } => Status::Ok,
        _ => Status::Problems,
    })
}
