//! BackendTLSPolicy: validation of every CRD rule, attachment to Services and ports, conflict
//! order, CA references to ConfigMaps (certificates generated here with `rcgen`), status per
//! ancestor Gateway, and the dial data on resolved backends.
//!
//! The `conformance_*` tests carry facts from the upstream conformance tests
//! (kubernetes-sigs/gateway-api `conformance/tests/backendtlspolicy*.yaml`, commit 4564255):
//! the manifests are transcribed (shortened) and the expected conditions and responses are
//! theirs. Requests the upstream suite checks at the TLS level (a certificate or SAN mismatch
//! makes the backend handshake fail) are out of the engine's reach: for those the facts are
//! the policy's conditions and the dial data the proxy gets.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use trieway::{Condition, Config, Options, Outcome, Report, Request, Router, Target};

const NS: &str = "gateway-conformance-infra";

/// Gateway `gateway-conformance-infra/same-namespace` (HTTP :80).
fn gateway() -> String {
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {{name: trieway}}
spec: {{controllerName: example.com/gateway-under-test}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: same-namespace, namespace: {NS}}}
spec:
  gatewayClassName: trieway
  listeners: [{{name: http, port: 80, protocol: HTTP}}]
"#
    )
}

/// A self-signed CA certificate, PEM.
fn ca_pem(name: &str) -> String {
    rcgen::generate_simple_self_signed(vec![name.to_string()])
        .expect("rcgen")
        .cert
        .pem()
}

/// A ConfigMap in the conformance namespace with `data` (YAML flow mapping body).
fn config_map(name: &str, data: &[(&str, &str)]) -> String {
    let data: Vec<String> = data
        .iter()
        .map(|(k, v)| format!("{k}: {}", serde_json::to_string(v).unwrap()))
        .collect();
    format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {NS}}}\n\
         data: {{{}}}\n",
        data.join(", ")
    )
}

/// The conformance suite's shared CA ConfigMap `tls-checks-ca-certificate`.
fn shared_ca() -> String {
    config_map("tls-checks-ca-certificate", &[("ca.crt", &ca_pem("ca"))])
}

fn load(text: &str) -> Config {
    Config::from_str(text)
}

fn report(config: &Config) -> Report {
    Report::attach(config, Some("example.com/gateway-under-test"))
}

/// `(type, status, reason)` of policy `name`'s conditions for the conformance Gateway.
fn conditions(report: &Report, name: &str) -> Vec<(String, String, String)> {
    let st = report
        .backend_tls_policy(NS, name, &format!("{NS}/same-namespace"))
        .unwrap_or_else(|| panic!("no status for {name}: {:?}", report.backend_tls_policies));
    st.conditions
        .iter()
        .map(|c| {
            (
                c.kind.to_string(),
                c.status.to_string(),
                c.reason.to_string(),
            )
        })
        .collect()
}

fn cond(kind: &str, status: bool, reason: &str) -> (String, String, String) {
    let status = if status { "True" } else { "False" };
    (kind.into(), status.into(), reason.into())
}

fn accepted() -> (String, String, String) {
    cond("Accepted", true, "Accepted")
}

fn resolved() -> (String, String, String) {
    cond("ResolvedRefs", true, "ResolvedRefs")
}

fn message(report: &Report, name: &str, kind: &str) -> String {
    let st = report
        .backend_tls_policy(NS, name, &format!("{NS}/same-namespace"))
        .expect("status");
    Condition::find(&st.conditions, kind)
        .expect("condition")
        .message
        .to_string()
}

fn router(text: &str) -> Router {
    let options = Options {
        controller_name: Some("example.com/gateway-under-test".into()),
        ..Options::default()
    };
    Router::new(&load(text), options).expect("router")
}

/// What a request to `path` (host abc.example.com) is drawn to: a backend's dial data
/// `(service, sni, ca bundle, system roots, SANs)` or a status.
#[derive(Debug, PartialEq)]
enum Drawn {
    Backend {
        service: String,
        sni: Option<String>,
        ca: Option<String>,
        system: bool,
        sans: Vec<String>,
    },
    Status(u16),
}

fn draw(router: &Router, path: &str) -> Drawn {
    let req = Request::new("GET", "abc.example.com", path);
    let Outcome::Matched(m) = router.route(&req) else {
        panic!("{path}: no route");
    };
    match m.pick(0) {
        Target::Backend(b) => Drawn::Backend {
            service: b.name().to_string(),
            sni: b.tls_hostname().map(str::to_string),
            ca: b.tls_ca_bundle().map(str::to_string),
            system: b.tls_system_roots(),
            sans: b
                .tls_subject_alt_names()
                .iter()
                .map(|s| format!("{}={}", s.kind, s.value()))
                .collect(),
        },
        Target::Status(s) => Drawn::Status(s),
        _ => unreachable!(),
    }
}

fn sni(router: &Router, path: &str) -> Option<String> {
    match draw(router, path) {
        Drawn::Backend { sni, .. } => sni,
        Drawn::Status(s) => panic!("{path}: status {s}"),
    }
}

/// An HTTPRoute `name` with one Exact rule per `(path, service, port)`.
fn route(name: &str, rules: &[(&str, &str, u16)]) -> String {
    let mut s = format!(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, \
         namespace: {NS}}}\nspec:\n  parentRefs: [{{name: same-namespace}}]\n  hostnames: \
         [abc.example.com]\n  rules:\n"
    );
    for (path, svc, port) in rules {
        s += &format!(
            "  - matches: [{{path: {{type: Exact, value: {path}}}}}]\n    backendRefs: [{{group: \
             \"\", kind: Service, name: {svc}, port: {port}}}]\n"
        );
    }
    s
}

/// A Service with named ports.
fn service(name: &str, ports: &[(&str, u16)]) -> String {
    let ports: Vec<String> = ports
        .iter()
        .map(|(n, p)| format!("{{name: {n}, port: {p}}}"))
        .collect();
    format!(
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {NS}}}\nspec: \
         {{ports: [{}]}}\n",
        ports.join(", ")
    )
}

/// A BackendTLSPolicy targeting `service` (and `section`), with `validation` (a YAML flow
/// mapping body) and an optional creation timestamp.
fn policy(
    name: &str,
    service: &str,
    section: Option<&str>,
    validation: &str,
    created: Option<&str>,
) -> String {
    let section = section.map_or(String::new(), |s| format!(", sectionName: {s}"));
    let created = created.map_or(String::new(), |c| format!(", creationTimestamp: \"{c}\""));
    format!(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: \
         {{name: {name}, namespace: {NS}{created}}}\nspec:\n  targetRefs: [{{group: \"\", kind: \
         Service, name: {service}{section}}}]\n  validation: {{{validation}}}\n"
    )
}

const SHARED: &str =
    r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: tls-checks-ca-certificate}]"#;

fn shared(hostname: &str) -> String {
    format!("{SHARED}, hostname: {hostname}")
}

/// backendtlspolicy-conflict-resolution: two policies on one Service (both without
/// sectionName, or both with the same one) conflict, the first by name wins when they are
/// as old; a sectionName policy and a whole-Service one on the same Service both apply.
#[test]
fn conformance_conflict_resolution() {
    let text = gateway()
        + &shared_ca()
        + &route(
            "backendtlspolicy-conflict-resolution",
            &[
                ("/without", "conflicted-without", 443),
                ("/with", "conflicted-with", 443),
                ("/not-with", "not-conflicted", 443),
                ("/not-without", "not-conflicted", 8443),
            ],
        )
        + &service("conflicted-without", &[("https", 443)])
        + &service("conflicted-with", &[("https-1", 443), ("https-2", 8443)])
        + &service("not-conflicted", &[("https-1", 443), ("https-2", 8443)])
        + &policy(
            "conflicted-without-section-name-1",
            "conflicted-without",
            None,
            &shared("other.example.com"),
            None,
        )
        + &policy(
            "conflicted-without-section-name-2",
            "conflicted-without",
            None,
            &shared("abc.example.com"),
            None,
        )
        + &policy(
            "conflicted-with-section-name-1",
            "conflicted-with",
            Some("https-1"),
            &shared("other.example.com"),
            None,
        )
        + &policy(
            "conflicted-with-section-name-2",
            "conflicted-with",
            Some("https-1"),
            &shared("abc.example.com"),
            None,
        )
        + &policy(
            "not-conflicted-with-section-name",
            "not-conflicted",
            Some("https-1"),
            &shared("other.example.com"),
            None,
        )
        + &policy(
            "not-conflicted-without-section-name",
            "not-conflicted",
            None,
            &shared("abc.example.com"),
            None,
        );
    let config = load(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let r = report(&config);
    let conflicted = cond("Accepted", false, "Conflicted");
    assert_eq!(
        conditions(&r, "conflicted-without-section-name-1")[0],
        accepted()
    );
    assert_eq!(
        conditions(&r, "conflicted-without-section-name-2")[0],
        conflicted
    );
    assert_eq!(
        conditions(&r, "conflicted-with-section-name-1")[0],
        accepted()
    );
    assert_eq!(
        conditions(&r, "conflicted-with-section-name-2")[0],
        conflicted
    );
    assert!(
        message(&r, "conflicted-with-section-name-2", "Accepted")
            .contains("conflicted-with-section-name-1"),
        "the message names the policy that takes precedence"
    );
    assert_eq!(
        conditions(&r, "not-conflicted-with-section-name")[0],
        accepted()
    );
    assert_eq!(
        conditions(&r, "not-conflicted-without-section-name")[0],
        accepted()
    );
    let router = router(&text);
    // The winners' hostnames are the SNI upstream expects.
    assert_eq!(
        sni(&router, "/without").as_deref(),
        Some("other.example.com")
    );
    assert_eq!(sni(&router, "/with").as_deref(), Some("other.example.com"));
    assert_eq!(
        sni(&router, "/not-with").as_deref(),
        Some("other.example.com")
    );
    assert_eq!(
        sni(&router, "/not-without").as_deref(),
        Some("abc.example.com")
    );
}

/// backendtlspolicy-invalid-ca-certificate-ref: a missing ConfigMap, and one without
/// `ca.crt`, give Accepted=False/NoValidCACertificate and
/// ResolvedRefs=False/InvalidCACertificateRef; requests answer 5xx.
#[test]
fn conformance_invalid_ca_certificate_ref() {
    let text = gateway()
        + &route(
            "backendtlspolicy-invalid-ca-certificate-ref",
            &[
                ("/nonexistent", "nonexistent-test", 443),
                ("/malformed", "malformed-test", 443),
            ],
        )
        + &service("nonexistent-test", &[("https", 443)])
        + &service("malformed-test", &[("https", 443)])
        + &policy(
            "nonexistent-ca-certificate-ref",
            "nonexistent-test",
            None,
            r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: nonexistent-ca-certificate}], hostname: abc.example.com"#,
            None,
        )
        + &policy(
            "malformed-ca-certificate-ref",
            "malformed-test",
            None,
            r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: malformed-ca-certificate}], hostname: abc.example.com"#,
            None,
        )
        + &config_map("malformed-ca-certificate", &[]);
    let config = load(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let r = report(&config);
    for name in [
        "nonexistent-ca-certificate-ref",
        "malformed-ca-certificate-ref",
    ] {
        assert_eq!(
            conditions(&r, name),
            [
                cond("Accepted", false, "NoValidCACertificate"),
                cond("ResolvedRefs", false, "InvalidCACertificateRef"),
            ],
            "{name}"
        );
    }
    assert!(message(&r, "nonexistent-ca-certificate-ref", "ResolvedRefs").contains("not found"));
    assert!(message(&r, "malformed-ca-certificate-ref", "ResolvedRefs").contains("no key ca.crt"));
    let router = router(&text);
    assert_eq!(draw(&router, "/nonexistent"), Drawn::Status(500));
    assert_eq!(draw(&router, "/malformed"), Drawn::Status(500));
}

/// backendtlspolicy-invalid-kind: a caCertificateRef of an unsupported kind gives
/// Accepted=False/NoValidCACertificate and ResolvedRefs=False/InvalidKind; requests 5xx.
#[test]
fn conformance_invalid_kind() {
    let text = gateway()
        + &route("backendtlspolicy-invalid-kind-test", &[("/kind", "invalid-kind-test", 443)])
        + &service("invalid-kind-test", &[("https", 443)])
        + &policy(
            "invalid-kind",
            "invalid-kind-test",
            None,
            "caCertificateRefs: [{group: invalid.io, kind: InvalidKind, name: invalid-kind}], hostname: abc.example.com",
            None,
        );
    let r = report(&load(&text));
    assert_eq!(
        conditions(&r, "invalid-kind"),
        [
            cond("Accepted", false, "NoValidCACertificate"),
            cond("ResolvedRefs", false, "InvalidKind"),
        ]
    );
    assert!(message(&r, "invalid-kind", "ResolvedRefs").contains("InvalidKind.invalid.io"));
    assert_eq!(draw(&router(&text), "/kind"), Drawn::Status(500));
}

/// backendtlspolicy (normative): a valid policy on the port named `btls` is Accepted with
/// ResolvedRefs, and the backend is dialed with SNI abc.example.com and the ConfigMap's CA;
/// host- and certificate-mismatch policies are Accepted and ResolvedRefs too (the failure is
/// the handshake's: the proxy gets the mismatching hostname / CA to verify with).
#[test]
fn conformance_normative() {
    let ca = ca_pem("ca");
    let mismatch = ca_pem("other-ca");
    let text = gateway()
        + &config_map("tls-checks-ca-certificate", &[("ca.crt", &ca)])
        + &config_map("mismatch-ca-certificate", &[("ca.crt", &mismatch)])
        + &route(
            "backendtlspolicy",
            &[
                ("/backendtlspolicy", "backendtlspolicy-test", 443),
                ("/host-mismatch", "host-mismatch-test", 443),
                ("/cert-mismatch", "cert-mismatch-test", 443),
            ],
        )
        + &service("backendtlspolicy-test", &[("btls", 443)])
        + &service("host-mismatch-test", &[("btls", 443)])
        + &service("cert-mismatch-test", &[("btls", 443)])
        + &policy(
            "normative-test",
            "backendtlspolicy-test",
            Some("btls"),
            &shared("abc.example.com"),
            None,
        )
        + &policy(
            "host-mismatch",
            "host-mismatch-test",
            Some("btls"),
            &shared("mismatch.example.com"),
            None,
        )
        + &policy(
            "cert-mismatch",
            "cert-mismatch-test",
            Some("btls"),
            r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: mismatch-ca-certificate}], hostname: abc.example.com"#,
            None,
        );
    let r = report(&load(&text));
    for name in ["normative-test", "host-mismatch", "cert-mismatch"] {
        assert_eq!(conditions(&r, name), [accepted(), resolved()], "{name}");
    }
    let router = router(&text);
    assert_eq!(
        draw(&router, "/backendtlspolicy"),
        Drawn::Backend {
            service: "backendtlspolicy-test".into(),
            sni: Some("abc.example.com".into()),
            ca: Some(ca.clone()),
            system: false,
            sans: vec![],
        }
    );
    assert_eq!(
        sni(&router, "/host-mismatch").as_deref(),
        Some("mismatch.example.com")
    );
    let Drawn::Backend { ca: got, .. } = draw(&router, "/cert-mismatch") else {
        panic!("status")
    };
    assert_eq!(got, Some(mismatch));
}

/// backendtlspolicy (reconcile): pointing the policy at a ConfigMap that does not exist, or
/// whose `ca.crt` is empty, gives NoValidCACertificate / InvalidCACertificateRef; with the
/// original CA it is Accepted again.
#[test]
fn conformance_reconcile() {
    let ca = ca_pem("ca");
    let base = gateway()
        + &route("backendtlspolicy", &[("/reconcile", "reconcile-test", 443)])
        + &service("reconcile-test", &[("btls", 443)])
        + &policy(
            "reconcile-test",
            "reconcile-test",
            Some("btls"),
            r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: reconcile-cm}], hostname: abc.example.com"#,
            None,
        );
    let invalid = [
        cond("Accepted", false, "NoValidCACertificate"),
        cond("ResolvedRefs", false, "InvalidCACertificateRef"),
    ];
    for (cm, want) in [
        (String::new(), invalid.to_vec()),
        (
            config_map("reconcile-cm", &[("ca.crt", &ca)]),
            vec![accepted(), resolved()],
        ),
        (
            config_map("reconcile-cm", &[("ca.crt", "")]),
            invalid.to_vec(),
        ),
    ] {
        let r = report(&load(&(base.clone() + &cm)));
        assert_eq!(conditions(&r, "reconcile-test"), want, "{cm}");
    }
}

/// backendtlspolicy-san: SANs of both types are Accepted and handed to the proxy in order
/// (a mismatch is the handshake's to find).
#[test]
fn conformance_subject_alt_names() {
    let text = gateway()
        + &shared_ca()
        + &route(
            "backendtlspolicy-san-test",
            &[
                ("/dns", "san-dns-test", 443),
                ("/multi", "multiple-sans-test", 443),
            ],
        )
        + &service("san-dns-test", &[("btls", 443)])
        + &service("multiple-sans-test", &[("btls", 443)])
        + &policy(
            "san-dns",
            "san-dns-test",
            Some("btls"),
            &(shared("abc.example.com")
                + ", subjectAltNames: [{type: Hostname, hostname: abc.example.com}]"),
            None,
        )
        + &policy(
            "multiple-sans",
            "multiple-sans-test",
            Some("btls"),
            &(shared("abc.example.com")
                + r#", subjectAltNames: [{type: URI, uri: "spiffe://abc.example.com/test-identity"}, {type: Hostname, hostname: abc.example.com}]"#),
            None,
        );
    let r = report(&load(&text));
    assert_eq!(conditions(&r, "san-dns")[0], accepted());
    assert_eq!(conditions(&r, "multiple-sans")[0], accepted());
    let router = router(&text);
    let Drawn::Backend { sans, .. } = draw(&router, "/multi") else {
        panic!("status")
    };
    assert_eq!(
        sans,
        [
            "URI=spiffe://abc.example.com/test-identity",
            "Hostname=abc.example.com"
        ]
    );
    let Drawn::Backend { sans, .. } = draw(&router, "/dns") else {
        panic!("status")
    };
    assert_eq!(sans, ["Hostname=abc.example.com"]);
}

/// Conflicts: the older policy wins whatever the names; on a tie, `namespace/name`.
#[test]
fn older_policy_wins_then_name() {
    let base = gateway()
        + &shared_ca()
        + &route("r", &[("/a", "svc", 443)])
        + &service("svc", &[("https", 443)]);
    let text = base.clone()
        + &policy(
            "a-newer",
            "svc",
            None,
            &shared("newer.example.com"),
            Some("2026-01-02T00:00:00Z"),
        )
        + &policy(
            "z-older",
            "svc",
            None,
            &shared("older.example.com"),
            Some("2026-01-01T00:00:00Z"),
        );
    let r = report(&load(&text));
    assert_eq!(conditions(&r, "z-older")[0], accepted());
    assert_eq!(
        conditions(&r, "a-newer")[0],
        cond("Accepted", false, "Conflicted")
    );
    assert_eq!(
        sni(&router(&text), "/a").as_deref(),
        Some("older.example.com")
    );
    // Same age: the first by name wins, whatever the input order.
    let text = base
        + &policy("b", "svc", None, &shared("b.example.com"), None)
        + &policy("a", "svc", None, &shared("a.example.com"), None);
    let r = report(&load(&text));
    assert_eq!(conditions(&r, "a")[0], accepted());
    assert_eq!(
        conditions(&r, "b")[0],
        cond("Accepted", false, "Conflicted")
    );
    assert_eq!(sni(&router(&text), "/a").as_deref(), Some("a.example.com"));
}

/// Status reasons not covered by the conformance facts: an unsupported well-known set
/// (Invalid, requests 500), System roots (Accepted, no bundle), a sectionName that names no
/// port (TargetNotFound), a ConfigMap whose ca.crt is not PEM, and one valid reference among
/// invalid ones (Accepted, ResolvedRefs=False, only the valid bundle is used).
#[test]
fn other_status_reasons() {
    let ca = ca_pem("ca");
    let text = gateway()
        + &config_map("good", &[("ca.crt", &ca)])
        + &config_map("not-pem", &[("ca.crt", "hello")])
        + &route(
            "r",
            &[
                ("/vendor", "vendor", 443),
                ("/system", "system", 443),
                ("/nosection", "nosection", 443),
                ("/notpem", "notpem", 443),
                ("/partial", "partial", 443),
            ],
        )
        + &service("vendor", &[("https", 443)])
        + &service("system", &[("https", 443)])
        + &service("nosection", &[("https", 443)])
        + &service("notpem", &[("https", 443)])
        + &service("partial", &[("https", 443)])
        + &policy(
            "vendor",
            "vendor",
            None,
            "wellKnownCACertificates: example.com/my-cas, hostname: a.example.com",
            None,
        )
        + &policy(
            "system",
            "system",
            None,
            "wellKnownCACertificates: System, hostname: a.example.com",
            None,
        )
        + &policy(
            "nosection",
            "nosection",
            Some("other"),
            "wellKnownCACertificates: System, hostname: a.example.com",
            None,
        )
        + &policy(
            "notpem",
            "notpem",
            None,
            r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: not-pem}], hostname: a.example.com"#,
            None,
        )
        + &policy(
            "partial",
            "partial",
            None,
            r#"caCertificateRefs: [{group: "", kind: Secret, name: x}, {group: "", kind: ConfigMap, name: good}], hostname: a.example.com"#,
            None,
        );
    let config = load(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    let r = report(&config);
    assert_eq!(
        conditions(&r, "vendor"),
        [cond("Accepted", false, "Invalid"), resolved()]
    );
    assert_eq!(conditions(&r, "system"), [accepted(), resolved()]);
    assert_eq!(
        conditions(&r, "nosection"),
        [cond("Accepted", false, "TargetNotFound"), resolved()]
    );
    assert!(message(&r, "nosection", "Accepted").contains("has no port named other"));
    assert_eq!(
        conditions(&r, "notpem"),
        [
            cond("Accepted", false, "NoValidCACertificate"),
            cond("ResolvedRefs", false, "InvalidCACertificateRef"),
        ]
    );
    assert!(message(&r, "notpem", "ResolvedRefs").contains("is not PEM"));
    assert_eq!(
        conditions(&r, "partial"),
        [accepted(), cond("ResolvedRefs", false, "InvalidKind")]
    );
    let router = router(&text);
    assert_eq!(draw(&router, "/vendor"), Drawn::Status(500));
    assert_eq!(draw(&router, "/notpem"), Drawn::Status(500));
    let Drawn::Backend {
        system, ca: none, ..
    } = draw(&router, "/system")
    else {
        panic!("status")
    };
    assert!(system && none.is_none());
    // No policy applies to the port: plain backend.
    assert_eq!(sni(&router, "/nosection"), None);
    let Drawn::Backend { ca: got, .. } = draw(&router, "/partial") else {
        panic!("status")
    };
    assert_eq!(got, Some(ca));
}

/// Several valid ConfigMaps: their bundles are concatenated in order; a bundle of two
/// certificates in one ConfigMap is valid.
#[test]
fn ca_bundles_concatenate() {
    let (a, b) = (ca_pem("a"), ca_pem("b"));
    let two = format!("# two CAs\n{a}{b}");
    let text = gateway()
        + &config_map("a", &[("ca.crt", &a)])
        + &config_map("two", &[("ca.crt", &two)])
        + &route("r", &[("/x", "svc", 443)])
        + &service("svc", &[("https", 443)])
        + &policy(
            "p",
            "svc",
            None,
            r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: a}, {group: "", kind: ConfigMap, name: two}], hostname: svc.example.com"#,
            None,
        );
    assert_eq!(
        conditions(&report(&load(&text)), "p"),
        [accepted(), resolved()]
    );
    let Drawn::Backend { ca, .. } = draw(&router(&text), "/x") else {
        panic!("status")
    };
    assert_eq!(ca, Some(format!("{a}{two}")));
}

/// PEM checks with generated material: a private key, a truncated certificate, a body that
/// is not base64, and a block without END are each InvalidCACertificateRef.
#[test]
fn pem_checks() {
    let generated = rcgen::generate_simple_self_signed(vec!["ca".to_string()]).unwrap();
    let cert = generated.cert.pem();
    let key = generated.signing_key.serialize_pem();
    let lines: Vec<&str> = cert.lines().collect();
    // Drop one body line: still base64, but the DER length no longer matches.
    let mut truncated: Vec<&str> = lines.clone();
    truncated.remove(2);
    let truncated = truncated.join("\n");
    let not_base64 = cert.replacen(lines[1], &lines[1].replace('A', "!"), 1);
    let unterminated = lines[..lines.len() - 1].join("\n");
    let cases = [
        ("key", key.as_str(), "holds a PRIVATE KEY block"),
        ("truncated", truncated.as_str(), "not a DER certificate"),
        ("notb64", not_base64.as_str(), "not base64"),
        ("unterminated", unterminated.as_str(), "no END line"),
        ("empty", "", "no CERTIFICATE block"),
    ];
    for (name, pem, want) in cases {
        let text = gateway()
            + &config_map(name, &[("ca.crt", pem)])
            + &route("r", &[("/x", "svc", 443)])
            + &service("svc", &[("https", 443)])
            + &policy(
                "p",
                "svc",
                None,
                &format!(
                    r#"caCertificateRefs: [{{group: "", kind: ConfigMap, name: {name}}}], hostname: a.example.com"#
                ),
                None,
            );
        let r = report(&load(&text));
        assert_eq!(
            conditions(&r, "p")[1],
            cond("ResolvedRefs", false, "InvalidCACertificateRef"),
            "{name}"
        );
        let m = message(&r, "p", "ResolvedRefs");
        assert!(m.contains(want), "{name}: {m}");
    }
}

/// Ancestors: one status per served Gateway whose attached routes name a targeted Service;
/// none for a policy no route uses.
#[test]
fn status_per_ancestor() {
    let text = gateway()
        + &format!(
            r#"---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: second, namespace: {NS}}}
spec:
  gatewayClassName: trieway
  listeners: [{{name: http, port: 80, protocol: HTTP}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: on-second, namespace: {NS}}}
spec:
  parentRefs: [{{name: second}}]
  rules: [{{backendRefs: [{{name: svc, port: 443}}]}}]
"#
        )
        + &route("r", &[("/x", "svc", 443)])
        + &service("svc", &[("https", 443)])
        + &service("unused", &[("https", 443)])
        + &policy(
            "p",
            "svc",
            None,
            "wellKnownCACertificates: System, hostname: a.b",
            None,
        )
        + &policy(
            "q",
            "unused",
            None,
            "wellKnownCACertificates: System, hostname: a.b",
            None,
        );
    let r = report(&load(&text));
    let ancestors: Vec<(&str, &str)> = r
        .backend_tls_policies
        .iter()
        .map(|s| (s.name.as_str(), s.gateway.as_deref().unwrap()))
        .collect();
    assert_eq!(
        ancestors,
        [
            ("p", "gateway-conformance-infra/same-namespace"),
            ("p", "gateway-conformance-infra/second")
        ]
    );
}

/// v1alpha3 is served with the same schema as v1.
#[test]
fn v1alpha3_loads() {
    let text = policy(
        "p",
        "svc",
        None,
        "wellKnownCACertificates: System, hostname: a.b",
        None,
    )
    .replace(
        "gateway.networking.k8s.io/v1\n",
        "gateway.networking.k8s.io/v1alpha3\n",
    );
    assert!(text.contains("v1alpha3"));
    let config = load(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
    assert_eq!(config.backend_tls_policies().len(), 1);
    assert_eq!(
        config.backend_tls_policies()[0].api_version,
        "gateway.networking.k8s.io/v1alpha3"
    );
}

/// Every schema and CEL rule of the CRD refuses the policy with an error naming the field.
#[test]
fn validation_rules() {
    let long = "a".repeat(254);
    let refs17: Vec<String> = (0..17)
        .map(|i| format!(r#"{{group: "", kind: Service, name: s{i}}}"#))
        .collect();
    let ca9: Vec<String> = (0..9)
        .map(|i| format!(r#"{{group: "", kind: ConfigMap, name: c{i}}}"#))
        .collect();
    let san6 = ["{type: Hostname, hostname: a.b}"; 6].join(", ");
    let opts17: Vec<String> = (0..17).map(|i| format!("example.com/k{i}: v")).collect();
    let ok_validation = "{wellKnownCACertificates: System, hostname: a.example.com}";
    let ok_target = r#"[{group: "", kind: Service, name: svc}]"#;
    let cases: Vec<(String, String, &str, &str)> = vec![
        // (targetRefs, validation, field, message fragment)
        ("[]".into(), ok_validation.into(), "spec.targetRefs", "at least 1"),
        (format!("[{}]", refs17.join(", ")), ok_validation.into(), "spec.targetRefs", "at most 16"),
        ("[{kind: Service, name: svc}]".into(), ok_validation.into(), "spec.targetRefs[0].group", "required"),
        (r#"[{group: "Bad_Group", kind: Service, name: svc}]"#.into(), ok_validation.into(), "spec.targetRefs[0].group", "not a valid API group"),
        (r#"[{group: "", kind: "1Service", name: svc}]"#.into(), ok_validation.into(), "spec.targetRefs[0].kind", "not a valid kind"),
        (r#"[{group: "", kind: Service, name: ""}]"#.into(), ok_validation.into(), "spec.targetRefs[0].name", "must not be empty"),
        (format!(r#"[{{group: "", kind: Service, name: {long}}}]"#), ok_validation.into(), "spec.targetRefs[0].name", "at most 253"),
        (r#"[{group: "", kind: Service, name: svc, sectionName: Https}]"#.into(), ok_validation.into(), "spec.targetRefs[0].sectionName", "not a valid section name"),
        (r#"[{group: "", kind: Service, name: svc}, {group: "", kind: Service, name: svc, sectionName: a}]"#.into(), ok_validation.into(), "spec.targetRefs", "sectionName must be specified"),
        (r#"[{group: "", kind: Service, name: svc, sectionName: a}, {group: "", kind: Service, name: svc, sectionName: a}]"#.into(), ok_validation.into(), "spec.targetRefs", "sectionName must be unique"),
        (r#"[{group: "", kind: Service, name: svc}, {group: "", kind: Service, name: svc}]"#.into(), ok_validation.into(), "spec.targetRefs", "sectionName must be unique"),
        (ok_target.into(), "{wellKnownCACertificates: System}".into(), "spec.validation.hostname", "required"),
        (ok_target.into(), "{wellKnownCACertificates: System, hostname: A.example.com}".into(), "spec.validation.hostname", "RFC 1123"),
        (ok_target.into(), "{hostname: a.b}".into(), "spec.validation", "must specify either CACertificateRefs or WellKnownCACertificates"),
        (ok_target.into(), r#"{hostname: a.b, wellKnownCACertificates: System, caCertificateRefs: [{group: "", kind: ConfigMap, name: c}]}"#.into(), "spec.validation", "must not contain both"),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: system}".into(), "spec.validation.wellKnownCACertificates", "is not \"System\""),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: example.com/-bad}".into(), "spec.validation.wellKnownCACertificates", "is not \"System\""),
        (ok_target.into(), format!("{{hostname: a.b, caCertificateRefs: [{}]}}", ca9.join(", ")), "spec.validation.caCertificateRefs", "at most 8"),
        (ok_target.into(), r#"{hostname: a.b, caCertificateRefs: [{group: "", kind: "Config Map", name: c}]}"#.into(), "spec.validation.caCertificateRefs[0].kind", "not a valid kind"),
        (ok_target.into(), r#"{hostname: a.b, caCertificateRefs: [{group: "", kind: ConfigMap, name: ""}]}"#.into(), "spec.validation.caCertificateRefs[0].name", "must not be empty"),
        (ok_target.into(), format!("{{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{san6}]}}"), "spec.validation.subjectAltNames", "at most 5"),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{hostname: a.b}]}".into(), "spec.validation.subjectAltNames[0].type", "required"),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{type: DNS, hostname: a.b}]}".into(), "spec.validation.subjectAltNames[0].type", "not a supported value"),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{type: Hostname}]}".into(), "spec.validation.subjectAltNames[0]", "must contain Hostname, if Type is set to Hostname"),
        (ok_target.into(), r#"{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{type: URI, uri: "spiffe://a/b", hostname: a.b}]}"#.into(), "spec.validation.subjectAltNames[0]", "must not contain Hostname, if Type is not set to Hostname"),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{type: URI}]}".into(), "spec.validation.subjectAltNames[0]", "must contain URI, if Type is set to URI"),
        (ok_target.into(), r#"{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{type: Hostname, hostname: a.b, uri: "spiffe://a/b"}]}"#.into(), "spec.validation.subjectAltNames[0]", "must not contain URI, if Type is not set to URI"),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{type: Hostname, hostname: '*.A.b'}]}".into(), "spec.validation.subjectAltNames[0].hostname", "not a valid hostname"),
        (ok_target.into(), "{hostname: a.b, wellKnownCACertificates: System, subjectAltNames: [{type: URI, uri: 'spiffe:a/b'}]}".into(), "spec.validation.subjectAltNames[0].uri", "scheme and an authority"),
    ];
    for (targets, validation, field, want) in &cases {
        let text = format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: {{name: \
             p, namespace: {NS}}}\nspec:\n  targetRefs: {targets}\n  validation: {validation}\n"
        );
        let config = load(&text);
        assert!(
            config.backend_tls_policies().is_empty(),
            "{field}: {want}: loaded"
        );
        let found = config.errors().iter().any(|e| {
            let m = e.to_string();
            m.starts_with(&format!("BackendTLSPolicy {NS}/p ("))
                && m.contains(&format!("): {field}: "))
                && m.contains(want)
        });
        assert!(found, "{field}: {want}: {:?}", config.errors());
    }
    // Missing validation, and too many options (with a value over 4096 bytes).
    let text = format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: {{name: p, \
         namespace: {NS}}}\nspec:\n  targetRefs: {ok_target}\n  options: {{{}, example.com/long: {}}}\n",
        opts17.join(", "),
        "x".repeat(4097)
    );
    let errors: Vec<String> = load(&text).errors().iter().map(|e| e.to_string()).collect();
    for want in [
        "spec.validation: required field is missing",
        "spec.options: must have at most 16 entries",
        "spec.options[\"example.com/long\"]: must be at most 4096 characters",
    ] {
        assert!(
            errors.iter().any(|e| e.contains(want)),
            "{want}: {errors:?}"
        );
    }
    // Every limit at its bound is valid.
    let text = format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: {{name: p, \
         namespace: {NS}}}\nspec:\n  targetRefs: [{}]\n  validation: {{hostname: a.b, \
         caCertificateRefs: [{}], subjectAltNames: [{}]}}\n  options: {{{}}}\n",
        refs17[..16].join(", "),
        ca9[..8].join(", "),
        [r#"{type: URI, uri: "spiffe://a.b/c"}"#; 5].join(", "),
        opts17[..16].join(", ")
    );
    let config = load(&text);
    assert!(config.errors().is_empty(), "{:?}", config.errors());
}

/// An unknown field of a BackendTLSPolicy is found like any other kind's.
#[test]
fn unknown_fields_are_reported() {
    let text = policy(
        "p",
        "svc",
        None,
        "wellKnownCACertificate: System, hostname: a.b",
        None,
    );
    let mut b = Config::builder().with_unknown_fields(trieway::UnknownFields::Error);
    b.add_str(&text, "p.yaml");
    let config = b.finish();
    let errors: Vec<String> = config.errors().iter().map(|e| e.to_string()).collect();
    assert!(
        errors.iter().any(|e| e.contains(
            "spec.validation.wellKnownCACertificate: unknown field, did you mean wellKnownCACertificates?"
        )),
        "{errors:?}"
    );
}

/// Routing to a backend with a BackendTLSPolicy allocates nothing (the dial data is shared).
#[test]
fn lookups_with_tls_do_not_allocate() {
    let text = gateway()
        + &shared_ca()
        + &route("r", &[("/x", "svc", 443), ("/bad", "bad", 443)])
        + &service("svc", &[("https", 443)])
        + &service("bad", &[("https", 443)])
        + &policy("p", "svc", None, &shared("svc.example.com"), None)
        + &policy(
            "q",
            "bad",
            None,
            r#"caCertificateRefs: [{group: "", kind: ConfigMap, name: missing}], hostname: a.b"#,
            None,
        );
    let router = router(&text);
    let ok = Request::new("GET", "abc.example.com", "/x");
    let bad = Request::new("GET", "abc.example.com", "/bad");
    let (found, allocs) = counting_alloc::allocations(|| {
        let mut found = 0usize;
        for _ in 0..100 {
            if let Outcome::Matched(m) = router.route(&ok) {
                if let Target::Backend(b) = m.pick(7) {
                    found += b.tls_hostname().map_or(0, str::len)
                        + b.tls_ca_bundle().map_or(0, str::len);
                }
            }
            if let Outcome::Matched(m) = router.route(&bad) {
                if let Target::Status(500) = m.pick(7) {
                    found += 1;
                }
            }
        }
        found
    });
    assert_eq!(allocs, 0);
    assert!(found > 100 * "svc.example.com".len());
}
