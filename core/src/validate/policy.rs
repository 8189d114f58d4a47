//! BackendTLSPolicy: every rule of the CRD schema (lengths, patterns, enums, item counts) and
//! its CEL rules (sectionName on repeated targets, SubjectAltName type and field, exactly one
//! of `caCertificateRefs` and `wellKnownCACertificates`). XBackendTrafficPolicy: targetRefs
//! (unique by group, kind and name), the retry constraint's ranges and duration bounds, and the
//! session persistence schema and CEL rules.

use super::scalars::{self, q};
use super::Report;
use crate::model::{
    BackendTlsPolicySpec, BackendTlsValidation, PolicyTargetReference, RetryConstraint,
    SessionPersistence, SubjectAltName, XBackendTrafficPolicySpec,
};
use std::time::Duration;

/// Validates `BackendTLSPolicy.spec`.
pub(super) fn backend_tls_policy(spec: &BackendTlsPolicySpec, r: &mut Report) {
    target_refs(&spec.target_refs, r);
    match &spec.validation {
        None => r.err("spec.validation", "required field is missing"),
        Some(v) => validation(v, r),
    }
    if spec.options.len() > 16 {
        r.err(
            "spec.options",
            format!(
                "must have at most 16 entries (found {})",
                spec.options.len()
            ),
        );
    }
    for (k, v) in &spec.options {
        r.check(
            || format!("spec.options[{k:?}]"),
            scalars::length(v, 0, 4096),
        );
    }
}

/// `spec.targetRefs`: 1–16 references, and the two CEL rules on repeated targets.
fn target_refs(refs: &[PolicyTargetReference], r: &mut Report) {
    if refs.is_empty() {
        r.err("spec.targetRefs", "required: at least 1 item");
    }
    if refs.len() > 16 {
        r.err(
            "spec.targetRefs",
            format!("must have at most 16 items (found {})", refs.len()),
        );
    }
    for (i, t) in refs.iter().enumerate() {
        let at = |f: &str| format!("spec.targetRefs[{i}].{f}");
        match &t.group {
            None => r.err(at("group"), "required field is missing"),
            Some(g) => r.check(|| at("group"), scalars::group(g)),
        }
        r.check(|| at("kind"), scalars::kind(&t.kind));
        r.check(|| at("name"), scalars::object_name(&t.name));
        if let Some(s) = &t.section_name {
            r.check(|| at("sectionName"), scalars::section_name(s));
        }
    }
    let same = |a: &PolicyTargetReference, b: &PolicyTargetReference| {
        a.group.as_deref().unwrap_or("") == b.group.as_deref().unwrap_or("")
            && a.kind == b.kind
            && a.name == b.name
    };
    fn section(t: &PolicyTargetReference) -> &str {
        t.section_name.as_deref().unwrap_or("")
    }
    let mut mixed = false;
    let mut repeated = false;
    for (i, a) in refs.iter().enumerate() {
        for b in &refs[i + 1..] {
            if same(a, b) {
                mixed |= section(a).is_empty() != section(b).is_empty();
                repeated |= section(a) == section(b);
            }
        }
    }
    if mixed {
        r.err(
            "spec.targetRefs",
            "sectionName must be specified when targetRefs includes 2 or more references to \
             the same target",
        );
    }
    if repeated {
        r.err(
            "spec.targetRefs",
            "sectionName must be unique when targetRefs includes 2 or more references to the \
             same target",
        );
    }
}

/// `spec.validation`.
fn validation(v: &BackendTlsValidation, r: &mut Report) {
    if v.hostname.is_empty() {
        r.err("spec.validation.hostname", "required field is missing");
    } else {
        r.check(
            || "spec.validation.hostname".into(),
            scalars::dns_subdomain(&v.hostname),
        );
    }
    if v.ca_certificate_refs.len() > 8 {
        r.err(
            "spec.validation.caCertificateRefs",
            format!(
                "must have at most 8 items (found {})",
                v.ca_certificate_refs.len()
            ),
        );
    }
    for (i, c) in v.ca_certificate_refs.iter().enumerate() {
        let at = |f: &str| format!("spec.validation.caCertificateRefs[{i}].{f}");
        r.check(|| at("group"), scalars::group(&c.group));
        r.check(|| at("kind"), scalars::kind(&c.kind));
        r.check(|| at("name"), scalars::object_name(&c.name));
    }
    let well_known = v.well_known_ca_certificates.as_deref().unwrap_or("");
    if let Some(w) = &v.well_known_ca_certificates {
        r.check(
            || "spec.validation.wellKnownCACertificates".into(),
            well_known_name(w),
        );
    }
    match (v.ca_certificate_refs.is_empty(), well_known.is_empty()) {
        (false, false) => r.err(
            "spec.validation",
            "must not contain both CACertificateRefs and WellKnownCACertificates",
        ),
        (true, true) => r.err(
            "spec.validation",
            "must specify either CACertificateRefs or WellKnownCACertificates",
        ),
        _ => {}
    }
    if v.subject_alt_names.len() > 5 {
        r.err(
            "spec.validation.subjectAltNames",
            format!(
                "must have at most 5 items (found {})",
                v.subject_alt_names.len()
            ),
        );
    }
    subject_alt_names(&v.subject_alt_names, r);
}

/// `spec.validation.subjectAltNames[]`: type, hostname and URI formats, and the four CEL rules
/// tying the type to its field.
fn subject_alt_names(sans: &[SubjectAltName], r: &mut Report) {
    for (i, s) in sans.iter().enumerate() {
        let at = |f: &str| format!("spec.validation.subjectAltNames[{i}]{f}");
        let hostname = s.hostname.as_deref().unwrap_or("");
        let uri = s.uri.as_deref().unwrap_or("");
        match s.kind.as_str() {
            "Hostname" | "URI" => {}
            "" => r.err(at(".type"), "required field is missing"),
            other => r.err(
                at(".type"),
                format!(
                    "{} is not a supported value (supported: Hostname, URI)",
                    q(other)
                ),
            ),
        }
        if let Some(h) = &s.hostname {
            r.check(|| at(".hostname"), san_hostname(h));
        }
        if let Some(u) = &s.uri {
            r.check(|| at(".uri"), san_uri(u));
        }
        let is = |t: &str| s.kind == t;
        if is("Hostname") && hostname.is_empty() {
            r.err(
                at(""),
                "SubjectAltName element must contain Hostname, if Type is set to Hostname",
            );
        }
        if !is("Hostname") && !hostname.is_empty() {
            r.err(
                at(""),
                "SubjectAltName element must not contain Hostname, if Type is not set to \
                 Hostname",
            );
        }
        if is("URI") && uri.is_empty() {
            r.err(
                at(""),
                "SubjectAltName element must contain URI, if Type is set to URI",
            );
        }
        if !is("URI") && !uri.is_empty() {
            r.err(
                at(""),
                "SubjectAltName element must not contain URI, if Type is not set to URI",
            );
        }
    }
}

/// `wellKnownCACertificates`: `System`, or `<lowercase subdomain>/<name>` where the name is
/// 1–63 characters of `[-A-Za-z0-9_.]`, starting and ending alphanumeric (1–253 in all).
fn well_known_name(s: &str) -> scalars::Check {
    scalars::length(s, 1, 253)?;
    if s == "System" {
        return Ok(());
    }
    let ok = s.split_once('/').is_some_and(|(domain, name)| {
        let b = name.as_bytes();
        scalars::dns_subdomain(domain).is_ok()
            && (1..=63).contains(&b.len())
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not \"System\" or a prefixed name such as example.com/my-cas",
            q(s)
        ))
    }
}

/// A SubjectAltName hostname: 1–253, lowercase RFC 1123 labels, optionally after `*.`.
fn san_hostname(s: &str) -> scalars::Check {
    scalars::length(s, 1, 253)?;
    let body = s.strip_prefix("*.").unwrap_or(s);
    scalars::dns_subdomain(body).map_err(|_| {
        format!(
            "{} is not a valid hostname (lowercase RFC 1123 labels joined by '.', optionally \
             after a leading '*.')",
            q(s)
        )
    })
}

/// A SubjectAltName URI: 1–253 characters, a scheme (`[^:/?#]+:`) then `//` and an
/// authority, as the CRD's pattern requires.
fn san_uri(s: &str) -> scalars::Check {
    scalars::length(s, 1, 253)?;
    let ok = s.split_once(':').is_some_and(|(scheme, rest)| {
        !scheme.is_empty() && !scheme.contains(['/', '?', '#']) && rest.starts_with("//")
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not a URI with a scheme and an authority (scheme://authority/path)",
            q(s)
        ))
    }
}

/// Validates `XBackendTrafficPolicy.spec`.
pub(super) fn backend_traffic_policy(spec: &XBackendTrafficPolicySpec, r: &mut Report) {
    let refs = &spec.target_refs;
    if refs.is_empty() {
        r.err("spec.targetRefs", "required: at least 1 item");
    }
    if refs.len() > 16 {
        r.err(
            "spec.targetRefs",
            format!("must have at most 16 items (found {})", refs.len()),
        );
    }
    for (i, t) in refs.iter().enumerate() {
        let at = |f: &str| format!("spec.targetRefs[{i}].{f}");
        match &t.group {
            None => r.err(at("group"), "required field is missing"),
            Some(g) => r.check(|| at("group"), scalars::group(g)),
        }
        r.check(|| at("kind"), scalars::kind(&t.kind));
        r.check(|| at("name"), scalars::object_name(&t.name));
        let first = refs[..i].iter().position(|o| {
            o.group.as_deref().unwrap_or("") == t.group.as_deref().unwrap_or("")
                && o.kind == t.kind
                && o.name == t.name
        });
        if let Some(j) = first {
            r.err(
                format!("spec.targetRefs[{i}]"),
                format!("duplicate entry: same group, kind and name as targetRefs[{j}]"),
            );
        }
    }
    if let Some(rc) = &spec.retry_constraint {
        retry_constraint(rc, r);
    }
    if let Some(sp) = &spec.session_persistence {
        session_persistence(sp, "spec.sessionPersistence", r);
    }
}

/// A GEP-2257 duration within `[min, max]`.
fn bounded_duration(s: &str, min: Duration, max: Duration, bounds: &str) -> scalars::Check {
    let d = scalars::duration(s)?;
    if d < min || d > max {
        return Err(format!("{} must be {bounds}", q(s)));
    }
    Ok(())
}

/// `spec.retryConstraint`.
fn retry_constraint(rc: &RetryConstraint, r: &mut Report) {
    let p = "spec.retryConstraint";
    if let Some(b) = &rc.budget {
        if let Some(n) = b.percent {
            if !(0..=100).contains(&n) {
                r.err(
                    format!("{p}.budget.percent"),
                    format!("{n} is out of range (0-100)"),
                );
            }
        }
        if let Some(i) = &b.interval {
            r.check(
                || format!("{p}.budget.interval"),
                bounded_duration(
                    i,
                    Duration::from_secs(1),
                    Duration::from_secs(3600),
                    "between 1s and 1h (interval cannot be greater than one hour or less than \
                     one second)",
                ),
            );
        }
    }
    if let Some(m) = &rc.min_retry_rate {
        if let Some(n) = m.count {
            if !(1..=1_000_000).contains(&n) {
                r.err(
                    format!("{p}.minRetryRate.count"),
                    format!("{n} is out of range (1-1000000)"),
                );
            }
        }
        if let Some(i) = &m.interval {
            r.check(
                || format!("{p}.minRetryRate.interval"),
                bounded_duration(
                    i,
                    Duration::from_millis(1),
                    Duration::from_secs(3600),
                    "above 0 and at most 1h (interval cannot be greater than one hour)",
                ),
            );
        }
    }
}

/// A header or cookie name: 1–256 RFC 7230 token characters.
fn token_name(v: Option<&serde_json::Value>) -> Option<scalars::Check> {
    let v = v?;
    Some(match v.as_str() {
        Some(s) => scalars::header_name(s),
        None => Err("must be a string".into()),
    })
}

/// `sessionPersistence` of an XBackendTrafficPolicy: the schema (type, absoluteTimeout,
/// cookie name, path and lifetimeType, header name) and the five CEL rules.
fn session_persistence(sp: &SessionPersistence, p: &str, r: &mut Report) {
    let kind = sp.kind.as_deref().unwrap_or("Cookie");
    if kind != "Cookie" && kind != "Header" {
        r.err(
            format!("{p}.type"),
            format!(
                "{} is not a supported value (supported: Cookie, Header)",
                q(kind)
            ),
        );
    }
    if let Some(t) = &sp.absolute_timeout {
        r.check(
            || format!("{p}.absoluteTimeout"),
            scalars::duration(t).map(|_| ()),
        );
    }
    let cookie = sp.cookie.as_ref();
    if let Some(c) = cookie {
        if let Some(check) = token_name(c.get("name")) {
            r.check(|| format!("{p}.cookie.name"), check);
        }
        match c.get("path") {
            None => {}
            Some(serde_json::Value::String(s)) => {
                r.check(|| format!("{p}.cookie.path"), scalars::length(s, 0, 1024))
            }
            Some(_) => r.err(format!("{p}.cookie.path"), "must be a string"),
        }
        match c.get("lifetimeType").map(|v| v.as_str()) {
            None | Some(Some("Session" | "Permanent")) => {}
            Some(other) => r.err(
                format!("{p}.cookie.lifetimeType"),
                format!(
                    "{} is not a supported value (supported: Permanent, Session)",
                    q(other.unwrap_or("(not a string)"))
                ),
            ),
        }
        let permanent = c.get("lifetimeType").and_then(|v| v.as_str()) == Some("Permanent");
        if permanent && sp.absolute_timeout.is_none() {
            r.err(
                p,
                "AbsoluteTimeout must be specified when cookie lifetimeType is Permanent",
            );
        }
    }
    if let Some(h) = &sp.header {
        match token_name(h.get("name")) {
            None => r.err(format!("{p}.header.name"), "required field is missing"),
            Some(check) => r.check(|| format!("{p}.header.name"), check),
        }
    }
    if cookie.is_some() && kind != "Cookie" {
        r.err(p, "cookie must be nil if type is not Cookie");
    }
    if kind == "Cookie" && cookie.is_none() {
        r.err(p, "cookie must be specified for Cookie type");
    }
    if sp.header.is_some() && kind != "Header" {
        r.err(p, "header must be nil if type is not Header");
    }
    if kind == "Header" && sp.header.is_none() {
        r.err(p, "header must be specified for Header type");
    }
}
