//! Ingress v1 validation (SPEC §9.1), as the Kubernetes API server performs it.

use super::scalars::{self, q, Check};
use super::Report;
use crate::model::*;
use std::net::IpAddr;

/// `Ingress.spec`.
pub(super) fn ingress(s: &IngressSpec, r: &mut Report) {
    if s.rules.is_empty() && s.default_backend.is_none() {
        r.err("spec", "either defaultBackend or rules must be specified");
    }
    if let Some(c) = &s.ingress_class_name {
        r.check(|| "spec.ingressClassName".into(), scalars::dns_subdomain(c));
    }
    if let Some(b) = &s.default_backend {
        backend(b, "spec.defaultBackend", r);
    }
    for (i, t) in s.tls.iter().enumerate() {
        for (k, h) in t.hosts.iter().enumerate() {
            r.check(|| format!("spec.tls[{i}].hosts[{k}]"), host(h));
        }
    }
    for (i, rule) in s.rules.iter().enumerate() {
        let p = format!("spec.rules[{i}]");
        if let Some(h) = rule.host.as_deref().filter(|h| !h.is_empty()) {
            r.check(|| format!("{p}.host"), host(h));
        }
        let Some(http) = &rule.http else { continue };
        if http.paths.is_empty() {
            r.err(format!("{p}.http.paths"), "must have at least 1 path");
        }
        for (k, path) in http.paths.iter().enumerate() {
            let pp = format!("{p}.http.paths[{k}]");
            let value = path.path.as_deref().unwrap_or("");
            match &path.path_type {
                IngressPathType::Exact | IngressPathType::Prefix => {
                    r.check(|| format!("{pp}.path"), prefix_path(value))
                }
                IngressPathType::ImplementationSpecific => {
                    if !value.is_empty() && !value.starts_with('/') {
                        r.err(format!("{pp}.path"), "must be an absolute path");
                    }
                }
                IngressPathType::Other(t) => r.err(
                    format!("{pp}.pathType"),
                    format!(
                        "unsupported value {} (supported: Exact, ImplementationSpecific, Prefix)",
                        q(t)
                    ),
                ),
            }
            backend(&path.backend, &format!("{pp}.backend"), r);
        }
    }
}

/// A rule or TLS host: a DNS-1123 subdomain, or `*.` + subdomain; never an IP, a port or `*`.
fn host(h: &str) -> Check {
    if h.parse::<IpAddr>().is_ok() {
        return Err(format!("{}: must be a DNS name, not an IP address", q(h)));
    }
    let body = h.strip_prefix("*.").unwrap_or(h);
    scalars::dns_subdomain(body).map_err(|_| {
        format!(
            "{} is not a valid host (a lowercase RFC 1123 subdomain, optionally after '*.'; \
             no port)",
            q(h)
        )
    })
}

/// An `Exact` or `Prefix` path.
fn prefix_path(p: &str) -> Check {
    if !p.starts_with('/') {
        return Err("must be an absolute path".into());
    }
    for bad in ["//", "/./", "/../", "%2f", "%2F"] {
        if p.contains(bad) {
            return Err(format!("must not contain '{bad}'"));
        }
    }
    for bad in ["/..", "/."] {
        if p.ends_with(bad) {
            return Err(format!("must not end with '{bad}'"));
        }
    }
    Ok(())
}

/// An IANA service (port) name: 1–15 of `[a-z0-9-]`, at least one letter, no leading,
/// trailing or doubled `-`.
fn port_name(n: &str) -> Check {
    let ok = !n.is_empty()
        && n.len() <= 15
        && n.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        && n.bytes().any(|c| c.is_ascii_lowercase())
        && !n.starts_with('-')
        && !n.ends_with('-')
        && !n.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!("{} is not a valid port name", q(n)))
    }
}

/// A backend: `service` xor `resource`.
fn backend(b: &IngressBackend, p: &str, r: &mut Report) {
    match (&b.service, &b.resource) {
        (Some(_), Some(_)) => r.err(p, "service and resource must not both be set"),
        (None, None) => r.err(p, "one of service or resource must be set"),
        _ => {}
    }
    if let Some(s) = &b.service {
        let sp = format!("{p}.service");
        r.check(|| format!("{sp}.name"), scalars::dns_label(&s.name));
        match (&s.port.name, s.port.number) {
            (Some(_), Some(_)) => {
                r.err(format!("{sp}.port"), "name and number must not both be set")
            }
            (None, None) => r.err(format!("{sp}.port"), "one of name or number must be set"),
            (Some(n), None) => r.check(|| format!("{sp}.port.name"), port_name(n)),
            (None, Some(n)) => r.check(|| format!("{sp}.port.number"), scalars::port(n)),
        }
    }
    if let Some(res) = &b.resource {
        let rp = format!("{p}.resource");
        if let Some(g) = res.api_group.as_deref().filter(|g| !g.is_empty()) {
            r.check(|| format!("{rp}.apiGroup"), scalars::dns_subdomain(g));
        }
        r.check(|| format!("{rp}.kind"), scalars::length(&res.kind, 1, 253));
        r.check(|| format!("{rp}.name"), scalars::length(&res.name, 1, 253));
    }
}
