//! BackendTLSPolicy attachment (docs/semantics.md, "Backend TLS"): which policy applies to
//! each Service port, the CA material it names, and its status per ancestor Gateway.
//!
//! Decisions where the Gateway API leaves room:
//!
//! - **Targets.** A targetRef names a core Service in the policy's namespace; without
//!   `sectionName` it covers every port of the Service, with it the port of that name. Other
//!   kinds are not supported and match nothing.
//! - **Conflicts** (the CRD's `targetRefs` documentation, GEP-713): among the policies that
//!   name the same Service and the same `sectionName` (or both none), the oldest
//!   (`creationTimestamp`) wins, then the first by `namespace/name`; every other one reports
//!   `Accepted=False/Conflicted`. A policy with `sectionName` is more specific than a
//!   whole-Service one and never conflicts with it: on its port it applies, on the other
//!   ports the whole-Service policy does. A policy that loses on one target still applies
//!   where it wins (upstream advises a single targetRef).
//! - **CA certificates.** A `caCertificateRefs` entry must be a core ConfigMap (else
//!   `InvalidKind`) in the policy's namespace that exists and holds a PEM bundle of at least
//!   one certificate under `ca.crt` (else `InvalidCACertificateRef`). Any invalid entry gives
//!   `ResolvedRefs=False` (the reason of the first); when none is valid, also
//!   `Accepted=False/NoValidCACertificate`. The valid bundles are concatenated in order.
//!   `wellKnownCACertificates: System` means the system roots; any other set is not
//!   supported: `Accepted=False/Invalid`.
//! - **Fail closed.** When the winning policy of a port has no usable CA material (no valid
//!   reference, or an unsupported well-known set), requests drawn to that backend answer 500
//!   rather than connecting without the verification the policy asks for.
//! - **Ancestors.** Status is reported per served Gateway that has an attached route whose
//!   backendRefs name a Service the policy targets.

use super::backend::NsMap;
use super::{ns_name, AttachedGateway, Condition, ObjectStatus};
use crate::config::Config;
use crate::model::{BackendTlsPolicySpec, Object, RouteKind, SubjectAltName};
use crate::tls::pem_certificates;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// What a proxy needs to dial a backend a BackendTLSPolicy covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackendTls {
    /// The policy, `namespace/name`.
    pub policy: Box<str>,
    /// SNI, and the name to verify when `subject_alt_names` is empty.
    pub hostname: Box<str>,
    /// The PEM CA bundle (the valid ConfigMaps' `ca.crt`, concatenated).
    pub ca_bundle: Option<Box<str>>,
    /// `wellKnownCACertificates: System`.
    pub system_roots: bool,
    /// Names the backend certificate must match one of.
    pub subject_alt_names: Box<[SubjectAltName]>,
    /// Whether there is CA material to verify with (else requests answer 500).
    pub usable: bool,
}

/// The BackendTLSPolicies of a configuration: per policy its conditions (independent of
/// ancestors), and per Service the policy in effect on each port.
#[derive(Debug, Default)]
pub(crate) struct Analysis<'a> {
    /// `Accepted` and `ResolvedRefs` of each policy, in `Config::backend_tls_policies` order.
    verdicts: Vec<[Condition; 2]>,
    /// `(namespace, Service)` → `(port, policy)`; port 0 stands for every port.
    effective: NsMap<'a, Vec<(u16, Arc<BackendTls>)>>,
}

impl Analysis<'_> {
    /// The policy in effect on port `port` of Service `ns/name`: the one naming the port,
    /// else the whole-Service one.
    pub(crate) fn lookup(&self, ns: &str, name: &str, port: u16) -> Option<&Arc<BackendTls>> {
        let list = self.effective.get(ns, name)?;
        let on = |p: u16| list.iter().find(|(q, _)| *q == p).map(|(_, t)| t);
        on(port).or_else(|| on(0))
    }
}

/// A condition reason and message, before it becomes a [`Condition`].
type Problem = (&'static str, String);

/// The CA material of one policy: the bundle, the system roots, and the problems.
struct Material {
    bundle: String,
    valid_refs: usize,
    system_roots: bool,
    ref_problems: Vec<Problem>,
    /// `Accepted=False` for a reason other than a conflict.
    rejected: Option<Problem>,
}

/// Analyses every BackendTLSPolicy of `config` (cost linear in policies, refs and ports).
pub(crate) fn analyze(config: &Config) -> Analysis<'_> {
    let policies = &config.backend_tls_policies;
    if policies.is_empty() {
        // Nothing to index (a live update of 100,000 rules would spend most of its time
        // indexing the Services here).
        return Analysis {
            verdicts: Vec::new(),
            effective: NsMap::default(),
        };
    }
    let mut config_maps: NsMap<'_, &crate::model::ConfigMapSpec> = NsMap::default();
    for c in &config.config_maps {
        config_maps.insert_first(&c.meta.namespace, &c.meta.name, &c.spec);
    }
    let mut services: NsMap<'_, &crate::model::ServiceSpec> = NsMap::default();
    for s in &config.services {
        services.insert_first(&s.meta.namespace, &s.meta.name, &s.spec);
    }
    let materials: Vec<Material> = policies.iter().map(|p| material(p, &config_maps)).collect();
    let mut conflicted: Vec<Option<Problem>> = vec![None; policies.len()];
    let mut target_found = vec![false; policies.len()];
    let mut tls: Vec<Option<Arc<BackendTls>>> = vec![None; policies.len()];
    let mut effective: NsMap<'_, Vec<(u16, Arc<BackendTls>)>> = NsMap::default();
    for ((ns, service, section), list) in by_target(policies) {
        let winner = list[0];
        let w = &policies[winner];
        for &loser in &list[1..] {
            conflicted[loser].get_or_insert_with(|| {
                (
                    "Conflicted",
                    format!(
                        "BackendTLSPolicy {}/{} targets Service {ns}/{service}{} too and takes \
                         precedence (older, or as old and first by namespace/name)",
                        w.meta.namespace,
                        w.meta.name,
                        section_text(section)
                    ),
                )
            });
        }
        let port = if section.is_empty() {
            // Every port; the Service need not be in the configuration.
            Some(0)
        } else {
            services.get(ns, service).and_then(|s| {
                s.ports
                    .iter()
                    .find(|p| p.name == section)
                    .and_then(|p| u16::try_from(p.port).ok())
                    .filter(|&p| p != 0)
            })
        };
        let Some(port) = port else { continue };
        target_found[winner] = true;
        let t = tls[winner]
            .get_or_insert_with(|| Arc::new(backend_tls(w, &materials[winner])))
            .clone();
        effective.get_or_default(ns, service).push((port, t));
    }
    // A policy whose every target lost a conflict counts as found: Conflicted says more.
    for (i, c) in conflicted.iter().enumerate() {
        target_found[i] |= c.is_some();
    }
    let verdicts = policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            verdict(
                p,
                &materials[i],
                conflicted[i].take(),
                target_found[i],
                &services,
            )
        })
        .collect();
    Analysis {
        verdicts,
        effective,
    }
}

/// `(namespace, Service, sectionName or "")` → the policies targeting it, oldest first (then
/// by `namespace/name`), sorted by key so that the result does not depend on hashing.
type Targets<'c> = Vec<((&'c str, &'c str, &'c str), Vec<usize>)>;

fn by_target(policies: &[Object<BackendTlsPolicySpec>]) -> Targets<'_> {
    let mut by_target: FxHashMap<(&str, &str, &str), Vec<usize>> = FxHashMap::default();
    let mut order: Vec<usize> = (0..policies.len()).collect();
    order.sort_by_cached_key(|&i| {
        let p = &policies[i];
        (p.created, ns_name(&p.meta.namespace, &p.meta.name))
    });
    for &i in &order {
        let p = &policies[i];
        let mut seen = FxHashSet::default();
        for t in service_targets(&p.spec) {
            let key = (p.meta.namespace.as_str(), t.0, t.1);
            if seen.insert(key) {
                by_target.entry(key).or_default().push(i);
            }
        }
    }
    let mut keys: Targets<'_> = by_target.into_iter().collect();
    keys.sort();
    keys
}

/// `(Service name, sectionName or "")` of each targetRef to a core Service.
fn service_targets(spec: &BackendTlsPolicySpec) -> impl Iterator<Item = (&str, &str)> {
    spec.target_refs
        .iter()
        .filter(|t| t.group.as_deref().unwrap_or("").is_empty() && t.kind == "Service")
        .map(|t| (t.name.as_str(), t.section_name.as_deref().unwrap_or("")))
}

fn section_text(section: &str) -> String {
    if section.is_empty() {
        String::new()
    } else {
        format!(" (sectionName {section})")
    }
}

/// Resolves the CA material of policy `p`.
fn material(
    p: &Object<BackendTlsPolicySpec>,
    config_maps: &NsMap<'_, &crate::model::ConfigMapSpec>,
) -> Material {
    let mut m = Material {
        bundle: String::new(),
        valid_refs: 0,
        system_roots: false,
        ref_problems: Vec::new(),
        rejected: None,
    };
    let Some(v) = &p.spec.validation else {
        m.rejected = Some(("Invalid", "spec.validation is missing".into()));
        return m;
    };
    match v.well_known_ca_certificates.as_deref() {
        Some("System") => m.system_roots = true,
        Some(other) if !other.is_empty() => {
            m.rejected = Some((
                "Invalid",
                format!("wellKnownCACertificates {other:?} is not supported (supported: System)"),
            ));
        }
        _ => {}
    }
    let ns = p.meta.namespace.as_str();
    for (i, r) in v.ca_certificate_refs.iter().enumerate() {
        let at = format!("caCertificateRefs[{i}]");
        if !(r.group.is_empty() && r.kind == "ConfigMap") {
            let what = if r.group.is_empty() {
                r.kind.clone()
            } else {
                format!("{}.{}", r.kind, r.group)
            };
            m.ref_problems.push((
                "InvalidKind",
                format!("{at}: kind {what} is not supported (ConfigMap only)"),
            ));
            continue;
        }
        let name = r.name.as_str();
        let Some(cm) = config_maps.get(ns, name) else {
            m.ref_problems.push((
                "InvalidCACertificateRef",
                format!("{at}: ConfigMap {ns}/{name} not found"),
            ));
            continue;
        };
        let Some(pem) = cm.data.get("ca.crt") else {
            m.ref_problems.push((
                "InvalidCACertificateRef",
                format!("{at}: ConfigMap {ns}/{name} has no key ca.crt"),
            ));
            continue;
        };
        if let Err(why) = pem_certificates(pem) {
            m.ref_problems.push((
                "InvalidCACertificateRef",
                format!("{at}: ConfigMap {ns}/{name}: ca.crt {why}"),
            ));
            continue;
        }
        if !m.bundle.is_empty() && !m.bundle.ends_with('\n') {
            m.bundle.push('\n');
        }
        m.bundle.push_str(pem);
        m.valid_refs += 1;
    }
    if m.rejected.is_none() && !v.ca_certificate_refs.is_empty() && m.valid_refs == 0 {
        m.rejected = Some((
            "NoValidCACertificate",
            "no caCertificateRefs entry is valid (see ResolvedRefs)".into(),
        ));
    }
    m
}

fn backend_tls(p: &Object<BackendTlsPolicySpec>, m: &Material) -> BackendTls {
    let v = p.spec.validation.as_ref();
    BackendTls {
        policy: ns_name(&p.meta.namespace, &p.meta.name).into(),
        hostname: v.map_or("", |v| v.hostname.as_str()).into(),
        ca_bundle: (!m.bundle.is_empty()).then(|| m.bundle.as_str().into()),
        system_roots: m.system_roots,
        subject_alt_names: v.map_or(&[][..], |v| &v.subject_alt_names).into(),
        usable: m.rejected.is_none() && (m.system_roots || m.valid_refs > 0),
    }
}

/// The `Accepted` and `ResolvedRefs` conditions of a policy.
fn verdict(
    p: &Object<BackendTlsPolicySpec>,
    m: &Material,
    conflicted: Option<Problem>,
    target_found: bool,
    services: &NsMap<'_, &crate::model::ServiceSpec>,
) -> [Condition; 2] {
    let not_found = || {
        let ns = &p.meta.namespace;
        let what: Vec<String> = service_targets(&p.spec)
            .map(|(s, section)| match services.get(ns, s) {
                None => format!("Service {ns}/{s} not found"),
                Some(_) => format!("Service {ns}/{s} has no port named {section}"),
            })
            .collect();
        let message = if what.is_empty() {
            "no targetRef names a Service (the only kind supported)".to_string()
        } else {
            what.join("; ")
        };
        ("TargetNotFound", message)
    };
    let accepted = match conflicted
        .or_else(|| m.rejected.clone())
        .or_else(|| (!target_found).then(not_found))
    {
        Some((reason, message)) => Condition::new("Accepted", false, reason, message),
        None => Condition::new("Accepted", true, "Accepted", "Policy is accepted"),
    };
    let resolved = match m.ref_problems.first() {
        Some((reason, _)) => {
            let all: Vec<&str> = m.ref_problems.iter().map(|(_, s)| s.as_str()).collect();
            Condition::new("ResolvedRefs", false, *reason, all.join("; "))
        }
        None => Condition::new(
            "ResolvedRefs",
            true,
            "ResolvedRefs",
            "Resolved all the object references",
        ),
    };
    [accepted, resolved]
}

/// The Services each served Gateway's attached routes name in backendRefs, per Gateway
/// (`namespace/name`), in served order: who is an ancestor of a policy targeting a Service.
pub(crate) fn ancestors<'c>(
    config: &'c Config,
    gateways: &[AttachedGateway],
) -> Vec<(String, FxHashSet<(&'c str, &'c str)>)> {
    gateways
        .iter()
        .map(|g| (ns_name(&g.namespace, &g.name), services_used(config, g)))
        .collect()
}

/// One status per policy of `policies` and ancestor in `ancestors` whose Services include one
/// that `targets` names (in the policy's namespace); policies in input order, then Gateways.
pub(crate) fn per_ancestor<'p, S: 'p>(
    policies: &'p [Object<S>],
    ancestors: &[(String, FxHashSet<(&str, &str)>)],
    targets: impl Fn(&'p S) -> Vec<&'p str>,
    conditions: impl Fn(usize) -> Vec<Condition>,
) -> Vec<ObjectStatus> {
    let mut out = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        let ns = p.meta.namespace.as_str();
        let names = targets(&p.spec);
        for (gateway, used) in ancestors {
            if names.iter().any(|s| used.contains(&(ns, *s))) {
                out.push(ObjectStatus {
                    namespace: p.meta.namespace.clone(),
                    name: p.meta.name.clone(),
                    gateway: Some(gateway.clone()),
                    conditions: conditions(i),
                });
            }
        }
    }
    out
}

/// The status of every BackendTLSPolicy per ancestor: each served Gateway with an attached
/// route whose backendRefs name a Service the policy targets.
pub(crate) fn statuses(
    config: &Config,
    analysis: &Analysis<'_>,
    ancestors: &[(String, FxHashSet<(&str, &str)>)],
) -> Vec<ObjectStatus> {
    per_ancestor(
        &config.backend_tls_policies,
        ancestors,
        |spec| service_targets(spec).map(|(s, _)| s).collect(),
        |i| analysis.verdicts.get(i).map_or(Vec::new(), |v| v.to_vec()),
    )
}

/// `(namespace, name)` of every Service the routes attached to `g` name in backendRefs.
fn services_used<'c>(config: &'c Config, g: &AttachedGateway) -> FxHashSet<(&'c str, &'c str)> {
    let mut out = FxHashSet::default();
    let mut add = |ns: &'c str, t: &'c crate::model::BackendObjectReference| {
        if t.group().is_empty() && t.kind() == "Service" {
            out.insert((t.namespace(ns), t.name.as_str()));
        }
    };
    for ar in g.listeners.iter().flat_map(|l| &l.routes) {
        match ar.kind {
            RouteKind::Http => {
                if let Some(r) = config.http_routes.get(ar.index) {
                    for rule in r.spec.rules.iter().flatten() {
                        for b in &rule.backend_refs {
                            add(&r.meta.namespace, &b.target);
                        }
                    }
                }
            }
            RouteKind::Grpc => {
                if let Some(r) = config.grpc_routes.get(ar.index) {
                    for rule in &r.spec.rules {
                        for b in &rule.backend_refs {
                            add(&r.meta.namespace, &b.target);
                        }
                    }
                }
            }
            RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => {
                let r = match ar.kind {
                    RouteKind::Tls => config
                        .tls_routes
                        .get(ar.index)
                        .map(|r| (&r.meta.namespace, &r.spec.rules)),
                    RouteKind::Tcp => config
                        .tcp_routes
                        .get(ar.index)
                        .map(|r| (&r.meta.namespace, &r.spec.rules)),
                    _ => config
                        .udp_routes
                        .get(ar.index)
                        .map(|r| (&r.meta.namespace, &r.spec.rules)),
                };
                if let Some((ns, rules)) = r {
                    for b in rules.iter().flat_map(|rule| &rule.backend_refs) {
                        add(ns, &b.target);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::{base64_decode, is_der_sequence};
    use proptest::prelude::*;

    /// A real certificate passes; every corruption of its PEM text is refused or still a
    /// certificate, and nothing panics.
    #[test]
    fn generated_certificate_is_pem() {
        let pem = rcgen::generate_simple_self_signed(vec!["ca".to_string()])
            .unwrap()
            .cert
            .pem();
        assert_eq!(pem_certificates(&pem), Ok(1));
        assert_eq!(pem_certificates(&format!("{pem}\n# next\n{pem}")), Ok(2));
        for cut in 0..pem.len() {
            let _ = pem_certificates(&pem[..cut]);
        }
    }

    #[test]
    fn base64_and_der_edges() {
        assert_eq!(base64_decode("TWFu").as_deref(), Some(&b"Man"[..]));
        assert_eq!(base64_decode("TWE=").as_deref(), Some(&b"Ma"[..]));
        assert_eq!(base64_decode("TQ==").as_deref(), Some(&b"M"[..]));
        assert_eq!(base64_decode("T==="), None);
        assert_eq!(base64_decode("TQ==TWFu"), None);
        assert_eq!(base64_decode("TWF"), None);
        assert!(is_der_sequence(&[0x30, 0x01, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x02, 0x00]));
        assert!(is_der_sequence(&[0x30, 0x81, 0x01, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x85, 1, 1, 1, 1, 1]));
        assert!(!is_der_sequence(&[0x31, 0x01, 0x00]));
    }

    proptest! {
        /// Arbitrary text never panics the PEM check.
        #[test]
        fn pem_check_never_panics(s in ".{0,200}", body in "[A-Za-z0-9+/=]{0,64}") {
            let _ = pem_certificates(&s);
            let _ = pem_certificates(&format!(
                "-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
            ));
        }
    }
}
