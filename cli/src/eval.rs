//! `trieway eval CASE.json`: routes every request of a conformance case and prints one
//! decision per request (JSON Lines), in the format `spec-tests/README.md` describes.
//!
//! It uses only the public API a user has: load the case's objects into a [`Config`], compile
//! a [`Router`] per Gateway, route each request, apply the filters. No code here knows about
//! particular cases. Mutations between phases are applied to the object list, and objects
//! they add are stamped newer than everything before them.

use crate::decision::decision;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use trieway::tls::{ClientCertificate, ClientDecision};
use trieway::{Action, ActionKind, Config, Headers, Options, Outcome, Request, Router, TlsOutcome};

/// The controller the conformance harness addresses (the cases' README: the engine acts as the
/// controller named `example.com/gateway-under-test` and serves that class only).
const CONFORMANCE_CONTROLLER: &str = "example.com/gateway-under-test";

/// Address used as Host when a case request names none (the suite sends the Gateway's IP).
const GATEWAY_ADDRESS: &str = "192.0.2.10";

/// Why client-certificate handshakes cannot be simulated in this build (reported as
/// `skipped`), or `None` when they can.
#[cfg(not(feature = "tls-check"))]
const NO_TLS_CHECK: Option<&str> = Some(
    "frontend client-certificate validation: simulating the handshake needs X.509 signature \
     verification of the client's certificate against the port's CA bundle, and the \
     certificates the suite generates at run time; this trieway was built without the \
     tls-check feature that provides both",
);
#[cfg(feature = "tls-check")]
const NO_TLS_CHECK: Option<&str> = None;

/// The key material the conformance suite generates at run time and the case omits: per CA
/// ConfigMap named by a request's `client_certificate.signed_by_ca_configmap`, a CA; per
/// client Secret, a certificate that CA signed. The CA certificates are written into their
/// ConfigMaps' `data["ca.crt"]` when the case gives none.
#[derive(Default)]
struct ClientCerts {
    /// Client Secret `ns/name` → certificate PEM.
    clients: HashMap<String, String>,
}

#[cfg(feature = "tls-check")]
impl ClientCerts {
    fn generate(case: &Value, objects: &mut [Value]) -> ClientCerts {
        let mut cas: HashMap<String, CaEntry> = HashMap::new();
        let mut out = ClientCerts::default();
        let requests = case.get("requests").and_then(Value::as_array);
        for r in requests.into_iter().flatten() {
            let Some(c) = r.pointer("/request/client_certificate") else {
                continue;
            };
            let secret = c.get("secret").and_then(Value::as_str).unwrap_or("");
            let ca_name = c
                .get("signed_by_ca_configmap")
                .and_then(Value::as_str)
                .unwrap_or("");
            if out.clients.contains_key(secret) {
                continue;
            }
            let Some((_, issuer)) = cas
                .entry(ca_name.to_string())
                .or_insert_with(|| Self::ca(ca_name))
                .clone_ref()
            else {
                continue;
            };
            let client = (|| {
                let key = rcgen::KeyPair::generate().ok()?;
                let mut params =
                    rcgen::CertificateParams::new(vec![secret.replace('/', ".")]).ok()?;
                params
                    .distinguished_name
                    .push(rcgen::DnType::CommonName, secret);
                Some(params.signed_by(&key, issuer).ok()?.pem())
            })();
            if let Some(pem) = client {
                out.clients.insert(secret.to_string(), pem);
            }
        }
        for o in objects.iter_mut() {
            let (_, kind, ns, name) = object_id(o);
            let Some((pem, _)) = cas
                .get(&format!("{ns}/{name}"))
                .and_then(CaEntry::clone_ref)
            else {
                continue;
            };
            if kind != "ConfigMap" || o.pointer("/data/ca.crt").is_some() {
                continue;
            }
            if let Some(obj) = o.as_object_mut() {
                let data = obj.entry("data").or_insert_with(|| json!({}));
                if let Some(d) = data.as_object_mut() {
                    d.insert("ca.crt".into(), json!(pem));
                }
            }
        }
        out
    }

    /// A CA certificate (PEM) and its issuer, named after ConfigMap `ns/name`.
    fn ca(name: &str) -> CaEntry {
        let made = (|| {
            let key = rcgen::KeyPair::generate().ok()?;
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).ok()?;
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, format!("CA {name}"));
            let cert = params.self_signed(&key).ok()?;
            Some((cert.pem(), rcgen::Issuer::new(params, key)))
        })();
        CaEntry(made)
    }

    /// The handshake's verdict on the client certificate of request `r` for `port`.
    fn outcome(&self, router: &Router, port: u16, r: &Value) -> ClientCertificate {
        let Some(secret) = r
            .pointer("/client_certificate/secret")
            .and_then(Value::as_str)
        else {
            return ClientCertificate::Absent;
        };
        let (Some(pem), Some(v)) = (self.clients.get(secret), router.frontend_validation(port))
        else {
            return ClientCertificate::Invalid;
        };
        match trieway::tls::verify_client_certificate(pem, &v.ca_bundle_pem) {
            Ok(()) => ClientCertificate::Valid,
            Err(_) => ClientCertificate::Invalid,
        }
    }
}

/// A generated CA: certificate PEM and issuer (`None` if generation failed).
#[cfg(feature = "tls-check")]
struct CaEntry(Option<(String, rcgen::Issuer<'static, rcgen::KeyPair>)>);

#[cfg(feature = "tls-check")]
impl CaEntry {
    fn clone_ref(&self) -> Option<(&String, &rcgen::Issuer<'static, rcgen::KeyPair>)> {
        self.0.as_ref().map(|(p, i)| (p, i))
    }
}

#[cfg(not(feature = "tls-check"))]
impl ClientCerts {
    fn generate(_case: &Value, _objects: &mut [Value]) -> ClientCerts {
        ClientCerts::default()
    }

    fn outcome(&self, _router: &Router, _port: u16, r: &Value) -> ClientCertificate {
        let _ = &self.clients;
        if r.get("client_certificate").is_some() {
            ClientCertificate::Invalid
        } else {
            ClientCertificate::Absent
        }
    }
}

fn object_id(v: &Value) -> (String, String, String, String) {
    // Objects carry `metadata`; delete entries name `namespace` and `name` at the top level.
    let s = |a: &str, b: &str| {
        v.pointer(a)
            .or_else(|| v.pointer(b))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let api = s("/apiVersion", "/apiVersion");
    let group = api
        .rsplit_once('/')
        .map_or(String::new(), |(g, _)| g.to_string());
    (
        group,
        s("/kind", "/kind"),
        s("/metadata/namespace", "/namespace"),
        s("/metadata/name", "/name"),
    )
}

struct Phase {
    objects: Vec<Value>,
    stamp: u32,
}

impl Phase {
    /// Applies the mutations that come after phase `from` and up to phase `to`.
    fn advance(&mut self, mutations: &[&Value], from: u64, to: u64) {
        for m in mutations {
            let before = m.get("before_phase").and_then(Value::as_u64).unwrap_or(0);
            if before > from && before <= to {
                self.apply(m);
            }
        }
    }

    fn apply(&mut self, mutation: &Value) {
        for d in mutation
            .get("delete")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (g, k, ns, n) = object_id(d);
            self.objects.retain(|o| {
                let (og, ok, ons, on) = object_id(o);
                !(og == g && ok == k && on == n && (ons == ns || ns.is_empty()))
            });
        }
        for a in mutation
            .get("apply")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut a = a.clone();
            self.stamp += 1;
            if a.pointer("/metadata/creationTimestamp").is_none() {
                if let Some(meta) = a.get_mut("metadata").and_then(Value::as_object_mut) {
                    let t = format!(
                        "2100-01-01T{:02}:{:02}:00Z",
                        self.stamp / 60,
                        self.stamp % 60
                    );
                    meta.insert("creationTimestamp".into(), json!(t));
                }
            }
            let id = object_id(&a);
            match self.objects.iter_mut().find(|o| object_id(o) == id) {
                // An update keeps the original creation time.
                Some(existing) => {
                    let created = existing.pointer("/metadata/creationTimestamp").cloned();
                    *existing = a;
                    if let (Some(c), Some(meta)) = (
                        created,
                        existing.get_mut("metadata").and_then(Value::as_object_mut),
                    ) {
                        meta.insert("creationTimestamp".into(), c);
                    }
                }
                None => self.objects.push(a),
            }
        }
    }

    /// Whether Gateway `ns/name` configures frontend client-certificate validation
    /// (`spec.tls.frontend`): its HTTPS requests go through a simulated handshake.
    fn validates_client_certificates(&self, gateway: &str) -> bool {
        self.objects.iter().any(|o| {
            let (_, kind, ns, name) = object_id(o);
            kind == "Gateway"
                && format!("{ns}/{name}") == gateway
                && o.pointer("/spec/tls/frontend").is_some()
        })
    }

    fn config(&self) -> Config {
        let mut c = Config::builder();
        for (i, o) in self.objects.iter().enumerate() {
            c.add_value(o.clone(), "case", i);
        }
        c.finish()
    }
}

fn header_lines(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The array at `key` of `v`, if any.
fn array<'v>(v: &'v Value, key: &str) -> Option<&'v Vec<Value>> {
    v.get(key).and_then(Value::as_array)
}

/// The object of `v` (empty when `v` is not one).
fn json_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The Router for Gateway `gateway` (`namespace/name`) as a conformance run builds it: the
/// conformance suite's controller name; `None` when the Gateway is not served.
fn conformance_router(config: &trieway::Config, gateway: &str) -> Option<Router> {
    let options = Options {
        controller_name: Some(CONFORMANCE_CONTROLLER.to_string()),
        gateway: Some(gateway.to_string()),
        ..Options::default()
    };
    Router::new(config, options).ok()
}

/// The host of a case request: its `host`, else the Gateway's address (with the port when
/// it is not the scheme's default).
fn request_host(r: &Value, scheme: &str, port: Option<u16>) -> String {
    let default_port = if scheme == "https" { 443 } else { 80 };
    let fallback_host = match port {
        Some(p) if p != default_port => format!("{GATEWAY_ADDRESS}:{p}"),
        _ => GATEWAY_ADDRESS.to_string(),
    };
    r.get("host")
        .and_then(Value::as_str)
        .map_or(fallback_host, str::to_string)
}

/// The decision of `router` for one case request `r` (built into `request`), by protocol:
/// TLS, TCP, UDP, gRPC or HTTP.
fn decide(
    router: &Router,
    r: &Value,
    request: &Request<'_>,
    headers: &[(String, String)],
    response_headers: &[(String, String)],
) -> Map<String, Value> {
    let scheme = request.scheme.unwrap_or("http");
    let port = request.port;
    let protocol = r.get("protocol").and_then(Value::as_str).unwrap_or("");
    let sni = request.sni.or(r.get("host").and_then(Value::as_str));
    let tls = match (protocol, scheme, port) {
        ("tls", _, Some(p)) | (_, "https", Some(p)) => Some(router.route_tls(p, sni)),
        _ => None,
    };
    match (protocol, tls) {
        (_, Some(TlsOutcome::Forward(m))) => crate::decision::l4(Some(m), sni, protocol != "tls"),
        ("tls", _) => crate::decision::l4(None, sni, false),
        ("tcp", _) => crate::decision::l4(port.and_then(|p| router.route_tcp(p)), None, false),
        ("udp", _) => crate::decision::l4(port.and_then(|p| router.route_udp(p)), None, false),
        ("grpc", _) => {
            let outcome = router.route_grpc(request);
            let mut action = Action::new();
            if let Some(m) = outcome.matched() {
                m.apply(request, 0, &mut action);
            }
            let mut d = decision(&outcome, &action, headers, response_headers);
            // The engine answers gRPC itself with a status in the trailers.
            let code = match (&outcome, action.kind) {
                (Outcome::Matched(_), ActionKind::Forward) => None,
                (Outcome::Matched(_), _) => Some(14),
                _ => Some(12),
            };
            if let Some(code) = code {
                d.insert("grpc_status".into(), json!(code));
            }
            d
        }
        _ => {
            let outcome = router.route(request);
            let mut action = Action::new();
            if let Some(m) = outcome.matched() {
                m.apply(request, 0, &mut action);
            }
            decision(&outcome, &action, headers, response_headers)
        }
    }
}

/// Simulates the TLS handshake of an HTTPS request `r` on `port` of a Gateway that validates
/// client certificates: a listener must serve the SNI, and the client certificate (verified
/// against the port's CA bundle) must be accepted. `Err`: why the handshake fails.
fn handshake(
    router: &Router,
    certs: &ClientCerts,
    port: Option<u16>,
    r: &Value,
) -> Result<(), String> {
    let port = port.ok_or("no listener port")?;
    let sni = r
        .get("sni")
        .or_else(|| r.get("host"))
        .and_then(Value::as_str);
    if router.certificate_for(port, sni).is_none() {
        return Err(format!(
            "no usable TLS listener on port {port} serves SNI {sni:?}: handshake fails"
        ));
    }
    let client = certs.outcome(router, port, r);
    match router.client_certificate_decision(port, client) {
        ClientDecision::Reject => Err(format!(
            "client certificate {client:?}: port {port} accepts only valid client \
             certificates, handshake fails"
        )),
        ClientDecision::Accept | ClientDecision::InsecureFallback => Ok(()),
    }
}

/// Evaluates every request of a case, returning one decision per request in order.
pub fn evaluate(case: &Value) -> Vec<Value> {
    let mut objects = array(case, "resources").cloned().unwrap_or_default();
    let client_certs = ClientCerts::generate(case, &mut objects);
    let mut phase = Phase { objects, stamp: 0 };
    let mutations: Vec<&Value> = case
        .get("mutations")
        .and_then(Value::as_array)
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    let mut current = 0u64;
    let mut config = phase.config();
    let mut routers: HashMap<String, Option<Router>> = HashMap::new();
    let mut out = Vec::new();
    for req in case
        .get("requests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = req.get("name").cloned().unwrap_or(Value::Null);
        let want_phase = req.get("phase").and_then(Value::as_u64).unwrap_or(0);
        if want_phase > current {
            phase.advance(&mutations, current, want_phase);
            current = want_phase;
            config = phase.config();
            routers.clear();
        }
        let r = req.get("request").cloned().unwrap_or(Value::Null);
        let gateway = req
            .get("gateway")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let https = r.get("scheme").and_then(Value::as_str) == Some("https");
        let mtls = https && phase.validates_client_certificates(&gateway);
        if let (true, Some(reason)) = (mtls, NO_TLS_CHECK) {
            out.push(json!({"name": name, "skipped": reason}));
            continue;
        }
        let router = routers
            .entry(gateway.clone())
            .or_insert_with(|| conformance_router(&config, &gateway));
        let port = req
            .get("listener_port")
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok());
        let scheme = r.get("scheme").and_then(Value::as_str).unwrap_or("http");
        let host = request_host(&r, scheme, port);
        let method = r.get("method").and_then(Value::as_str).unwrap_or("GET");
        let target = r.get("path").and_then(Value::as_str).unwrap_or("/");
        let headers = header_lines(r.get("headers"));
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut request = Request::new(method, &host, target)
            .headers(Headers::Pairs(&pairs))
            .scheme(scheme);
        request.port = port;
        request.sni = r.get("sni").and_then(Value::as_str);
        let response_headers = header_lines(req.get("backend_response_headers"));
        let mut d = match router {
            None => json_map(json!({
                "status": 404,
                "backend": null,
                "note": format!("Gateway {gateway} is not served"),
            })),
            Some(router) => match mtls.then(|| handshake(router, &client_certs, port, &r)) {
                Some(Err(note)) => json_map(json!({
                    "backend": null,
                    "tls": {"rejected": true},
                    "handshake": "rejected",
                    "note": note,
                })),
                Some(Ok(())) => {
                    let mut d = decide(router, &r, &request, &headers, &response_headers);
                    d.insert("handshake".into(), json!("accepted"));
                    d
                }
                None => decide(router, &r, &request, &headers, &response_headers),
            },
        };
        d.insert("name".into(), name);
        out.push(Value::Object(d));
    }
    out
}
