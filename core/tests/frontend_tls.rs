//! Frontend TLS: the certificates of TLS-terminating listeners (Secrets checked, SNI →
//! certificate selection) and Gateway `spec.tls.frontend` client-certificate validation
//! (status conditions and the accept / reject / insecure-fallback decision). Certificates are
//! generated here with `rcgen`.
//!
//! The `conformance_*` tests carry facts from the upstream conformance tests
//! (kubernetes-sigs/gateway-api `conformance/tests/gateway-with-clientcertificate-validation*`,
//! `gateway-with-invalid-clientcertificate-validation.*` and
//! `gateway-invalid-default-frontend-client-certificate-validation.*`): the listener and
//! Gateway conditions they expect.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use trieway::tls::{ClientCertificate, ClientDecision};
use trieway::{Condition, Config, Options, Report, Router};

const NS: &str = "infra";

/// A key and a self-signed certificate for `names`, valid until `until` (year), as PEM.
fn self_signed(names: &[&str], until: i32) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(until, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A CA (certificate PEM, params, key) and a client certificate it signed (PEM).
fn ca_and_client(cn: &str) -> (String, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, format!("{cn} CA"));
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut client = rcgen::CertificateParams::new(vec![format!("{cn}.client")]).unwrap();
    client
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("{cn} client"));
    let client_cert = client.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), client_cert.pem())
}

fn b64(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in s.as_bytes().chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A `kubernetes.io/tls` Secret with `data` (base64).
fn secret(ns: &str, name: &str, crt: &str, key: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {ns}}}\n\
         type: kubernetes.io/tls\ndata: {{tls.crt: {}, tls.key: {}}}\n",
        b64(crt),
        b64(key)
    )
}

fn config_map(ns: &str, name: &str, ca: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {ns}}}\n\
         data: {{ca.crt: {}}}\n",
        serde_json::to_string(ca).unwrap()
    )
}

/// GatewayClass, Namespaces and Gateway `infra/gw` with `listeners` (YAML flow list items)
/// and `tls` (a YAML flow mapping for `spec.tls`, or empty).
fn gateway(listeners: &[&str], tls: &str) -> String {
    let tls = if tls.is_empty() {
        String::new()
    } else {
        format!("  tls: {tls}\n")
    };
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {{name: c}}\n\
         spec: {{controllerName: example.com/gw}}\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata: {{name: {NS}}}\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata: {{name: other}}\n---\n\
         apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
         metadata: {{name: gw, namespace: {NS}}}\nspec:\n  gatewayClassName: c\n{tls}\
         \x20 listeners:\n{}",
        listeners
            .iter()
            .map(|l| format!("  - {l}\n"))
            .collect::<String>()
    )
}

fn https(name: &str, port: u16, hostname: Option<&str>, secrets: &[&str]) -> String {
    let host = hostname.map_or(String::new(), |h| format!(", hostname: {h:?}"));
    let refs: Vec<String> = secrets
        .iter()
        .map(|s| match s.split_once('/') {
            Some((ns, n)) => format!("{{name: {n}, namespace: {ns}}}"),
            None => format!("{{name: {s}}}"),
        })
        .collect();
    format!(
        "{{name: {name}, port: {port}, protocol: HTTPS{host}, tls: {{certificateRefs: [{}]}}}}",
        refs.join(", ")
    )
}

fn load(text: &str) -> Config {
    let c = Config::from_str(text);
    assert!(c.errors().is_empty(), "{:?}", c.errors());
    c
}

fn router(text: &str) -> Router {
    let options = Options {
        controller_name: Some("example.com/gw".into()),
        ..Options::default()
    };
    Router::new(&load(text), options).expect("router")
}

fn report(text: &str) -> Report {
    Report::attach(&load(text), Some("example.com/gw"))
}

/// (type, status, reason, message) of listener `name`'s condition `kind`.
fn listener_cond(r: &Report, name: &str, kind: &str) -> (String, String, String) {
    let l = r
        .listeners
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no listener {name}"));
    let c = Condition::find(&l.conditions, kind).expect("condition");
    (
        c.status.to_string(),
        c.reason.to_string(),
        c.message.to_string(),
    )
}

fn cert_problem(crt: &str, key: &str) -> (String, String, String) {
    let text = gateway(&[&https("https", 443, None, &["s"])], "") + &secret(NS, "s", crt, key);
    listener_cond(&report(&text), "https", "ResolvedRefs")
}

#[test]
fn valid_certificate_is_served_with_its_key() {
    let (crt, key) = self_signed(&["example.com"], 4000);
    let text = gateway(&[&https("https", 443, None, &["s"])], "") + &secret(NS, "s", &crt, &key);
    let r = router(&text);
    let got = r
        .certificate_for(443, Some("example.com"))
        .expect("listener");
    assert_eq!(got.listener, "https");
    assert_eq!(got.certificates.len(), 1);
    let c = &got.certificates[0];
    assert_eq!(c.secret, "infra/s");
    assert_eq!(c.chain_pem, crt);
    assert_eq!(c.key_pem(), key);
    assert!(c.has_material());
    // The key never shows in Debug output.
    let debug = format!("{got:?} {:?}", load(&text));
    let key_body = key.lines().nth(1).unwrap();
    assert!(!debug.contains(key_body), "{debug}");
    assert!(debug.contains("<redacted>"));
    assert_eq!(listener_cond(r.report(), "https", "ResolvedRefs").0, "True");
}

#[test]
fn string_data_is_read_too() {
    let (crt, key) = self_signed(&["example.com"], 4000);
    let text = gateway(&[&https("https", 443, None, &["s"])], "")
        + &format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: {NS}}}\n\
             type: kubernetes.io/tls\nstringData: {{tls.crt: {}, tls.key: {}}}\n",
            serde_json::to_string(&crt).unwrap(),
            serde_json::to_string(&key).unwrap()
        );
    let r = router(&text);
    assert_eq!(r.listener_certificates()[0].certificates[0].chain_pem, crt);
}

#[test]
fn withheld_material_keeps_the_listener() {
    // A Secret without data: only its existence and type are known (the demo's case).
    let text = gateway(&[&https("https", 443, None, &["s"])], "")
        + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: infra}\n\
           type: kubernetes.io/tls\n";
    let r = router(&text);
    let l = r.certificate_for(443, Some("a.example")).expect("listener");
    assert!(!l.certificates[0].has_material());
}

#[test]
fn structural_problems_are_invalid_certificate_refs() {
    let (crt, key) = self_signed(&["example.com"], 4000);
    let cases = [
        ("not pem", "hello", key.as_str(), "tls.crt is not PEM"),
        ("no key", crt.as_str(), "hello", "tls.key is not PEM"),
        (
            "key in crt",
            key.as_str(),
            key.as_str(),
            "tls.crt holds a PRIVATE KEY block",
        ),
        (
            "bad base64",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            key.as_str(),
            "is not base64",
        ),
    ];
    for (what, c, k, want) in cases {
        let (status, reason, msg) = cert_problem(c, k);
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("False", "InvalidCertificateRef"),
            "{what}"
        );
        assert!(
            msg.contains("Secret infra/s") && msg.contains(want),
            "{what}: {msg}"
        );
    }
    // Missing key and wrong type.
    let text = gateway(&[&https("https", 443, None, &["s", "t"])], "")
        + &format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: {NS}}}\n\
             type: kubernetes.io/tls\ndata: {{tls.crt: {}}}\n",
            b64(&crt)
        )
        + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: t, namespace: infra}\n\
           type: Opaque\n";
    let rep = report(&text);
    let (status, _, msg) = listener_cond(&rep, "https", "ResolvedRefs");
    assert_eq!(status, "False");
    assert!(msg.contains("Secret infra/s: has no key tls.key"), "{msg}");
    assert!(
        msg.contains("Secret infra/t: type \"Opaque\" is not kubernetes.io/tls"),
        "{msg}"
    );
    // No valid reference left: the listener carries no traffic.
    assert_eq!(listener_cond(&rep, "https", "Programmed").0, "False");
    let r = router(&text);
    assert!(r.certificate_for(443, Some("example.com")).is_none());
}

#[cfg(feature = "tls-check")]
#[test]
fn expired_and_mismatched_certificates_are_refused() {
    let (old, old_key) = self_signed(&["example.com"], 2001);
    let (_, msg) = {
        let (s, r, m) = cert_problem(&old, &old_key);
        assert_eq!((s.as_str(), r.as_str()), ("False", "InvalidCertificateRef"));
        (r, m)
    };
    assert!(
        msg.contains("Secret infra/s: tls.crt: certificate 1") && msg.contains("expired"),
        "{msg}"
    );
    let (crt, _) = self_signed(&["example.com"], 4000);
    let (_, other_key) = self_signed(&["example.com"], 4000);
    let (s, _, msg) = cert_problem(&crt, &other_key);
    assert_eq!(s, "False");
    assert!(
        msg.contains("tls.key does not match the certificate"),
        "{msg}"
    );
}

#[cfg(not(feature = "tls-check"))]
#[test]
fn without_tls_check_expiry_is_not_read() {
    // The structural checks pass; expiry and key match need the `tls-check` feature.
    let (old, old_key) = self_signed(&["example.com"], 2001);
    assert_eq!(cert_problem(&old, &old_key).0, "True");
}

#[test]
fn cross_namespace_certificates_need_a_grant() {
    let (crt, key) = self_signed(&["example.com"], 4000);
    let base = gateway(&[&https("https", 443, None, &["other/s"])], "")
        + &secret("other", "s", &crt, &key);
    let (status, reason, _) = listener_cond(&report(&base), "https", "ResolvedRefs");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "RefNotPermitted")
    );
    assert!(router(&base).certificate_for(443, Some("x.y")).is_none());
    let granted = base
        + "---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n\
           metadata: {name: g, namespace: other}\nspec:\n  from: [{group: gateway.networking.k8s.io, \
           kind: Gateway, namespace: infra}]\n  to: [{group: \"\", kind: Secret}]\n";
    assert_eq!(
        listener_cond(&report(&granted), "https", "ResolvedRefs").0,
        "True"
    );
    let r = router(&granted);
    assert_eq!(
        r.certificate_for(443, Some("x.y")).unwrap().certificates[0].secret,
        "other/s"
    );
}

#[test]
fn sni_selects_exact_then_wildcard_then_no_hostname() {
    let mut text = gateway(
        &[
            &https("any", 443, None, &["s-any"]),
            &https("wild", 443, Some("*.example.com"), &["s-wild"]),
            &https("deep", 443, Some("*.a.example.com"), &["s-deep"]),
            &https("exact", 443, Some("www.example.com"), &["s-exact"]),
            &https("other-port", 8443, Some("www.example.com"), &["s-any"]),
        ],
        "",
    );
    for s in ["s-any", "s-wild", "s-deep", "s-exact"] {
        let (crt, key) = self_signed(&["example.com"], 4000);
        text += &secret(NS, s, &crt, &key);
    }
    let r = router(&text);
    let pick =
        |port: u16, sni: Option<&str>| r.certificate_for(port, sni).map(|l| l.listener.as_str());
    assert_eq!(pick(443, Some("www.example.com")), Some("exact"));
    assert_eq!(pick(443, Some("WWW.Example.COM.")), Some("exact"));
    assert_eq!(pick(443, Some("x.a.example.com")), Some("deep"));
    assert_eq!(pick(443, Some("api.example.com")), Some("wild"));
    assert_eq!(pick(443, Some("example.com")), Some("any"));
    assert_eq!(pick(443, None), Some("any"));
    assert_eq!(pick(8443, Some("api.example.com")), None);
    assert_eq!(pick(8443, Some("www.example.com")), Some("other-port"));
    assert_eq!(pick(9443, Some("www.example.com")), None);
    // Allocation-free.
    let (_, allocs) = counting_alloc::allocations(|| {
        for _ in 0..10 {
            std::hint::black_box(r.certificate_for(443, Some("x.a.example.com")));
            std::hint::black_box(r.client_certificate_decision(443, ClientCertificate::Absent));
        }
    });
    assert_eq!(allocs, 0);
}

fn validation(mode: &str, cm: &str) -> String {
    let mode = if mode.is_empty() {
        String::new()
    } else {
        format!("mode: {mode}, ")
    };
    format!("{{validation: {{{mode}caCertificateRefs: [{{group: \"\", kind: ConfigMap, name: {cm}}}]}}}}")
}

/// A Gateway with HTTPS listeners on 443 and 8443 and `frontend` (flow mapping).
fn mtls(frontend: &str, extra: &str) -> String {
    let (crt, key) = self_signed(&["example.com"], 4000);
    let (ca, _) = ca_and_client("default");
    let (ca2, _) = ca_and_client("per-port");
    gateway(
        &[
            &https("https", 443, None, &["s"]),
            &https("https-8443", 8443, Some("second.example"), &["s"]),
            "{name: http, port: 80, protocol: HTTP}",
        ],
        &format!("{{frontend: {frontend}}}"),
    ) + &secret(NS, "s", &crt, &key)
        + &config_map(NS, "ca", &ca)
        + &config_map(NS, "ca2", &ca2)
        + extra
}

#[test]
fn frontend_validation_decisions_per_mode_and_outcome() {
    use ClientCertificate::*;
    use ClientDecision::*;
    let text = mtls(
        &format!(
            "{{default: {}, perPort: [{{port: 8443, tls: {}}}]}}",
            validation("", "ca"),
            validation("AllowInsecureFallback", "ca2")
        ),
        "",
    );
    let r = router(&text);
    let v = r.frontend_validation(443).expect("443 validates");
    assert_eq!(v.ca_config_maps, ["infra/ca"]);
    assert_eq!(v.source, "spec.tls.frontend.default");
    assert!(v.ca_bundle_pem.contains("BEGIN CERTIFICATE"));
    let v = r.frontend_validation(8443).expect("8443 validates");
    assert_eq!(v.ca_config_maps, ["infra/ca2"]);
    assert_eq!(v.source, "spec.tls.frontend.perPort[0].tls");
    // Plain HTTP is not validated.
    assert!(r.frontend_validation(80).is_none());
    let table = [
        (443, Valid, Accept),
        (443, Invalid, Reject),
        (443, Absent, Reject),
        (8443, Valid, Accept),
        (8443, Invalid, InsecureFallback),
        (8443, Absent, InsecureFallback),
        (80, Absent, Accept),
        (9999, Invalid, Accept),
    ];
    for (port, client, want) in table {
        assert_eq!(
            r.client_certificate_decision(port, client),
            want,
            "{port} {client:?}"
        );
    }
    // The Gateway says insecure fallback is on (upstream: InsecureFrontendValidationMode).
    let gw = &r.report().gateways[0];
    let c = Condition::find(&gw.conditions, "InsecureFrontendValidationMode").expect("cond");
    assert_eq!((&*c.status, &*c.reason), ("True", "ConfigurationChanged"));
    assert!(c.message.contains("port 8443"), "{}", c.message);
    // Without fallback, no such condition.
    let strict = router(&mtls(
        &format!("{{default: {}}}", validation("AllowValidOnly", "ca")),
        "",
    ));
    assert!(Condition::find(
        &strict.report().gateways[0].conditions,
        "InsecureFrontendValidationMode"
    )
    .is_none());
    assert_eq!(strict.client_certificate_decision(8443, Absent), Reject);
}

/// Upstream `gateway-with-invalid-clientcertificate-validation`: each invalid per-port
/// configuration affects only the listeners of its port.
#[test]
fn conformance_invalid_client_certificate_validation() {
    let (crt, key) = self_signed(&["example.com"], 4000);
    let (ca, _) = ca_and_client("default");
    let text = gateway(
        &[
            &https("https", 443, None, &["s"]),
            &https("https-unresolved", 7443, Some("first-example.org"), &["s"]),
            &https("https-invalid-kind", 8443, Some("second-example.org"), &["s"]),
            &https("https-grant-missing", 6443, Some("fourth-example.org"), &["s"]),
        ],
        &format!(
            "{{frontend: {{default: {}, perPort: [\
             {{port: 7443, tls: {}}}, \
             {{port: 8443, tls: {{validation: {{caCertificateRefs: [{{group: \"\", kind: Service, name: svc}}]}}}}}}, \
             {{port: 6443, tls: {{validation: {{caCertificateRefs: [{{group: \"\", kind: ConfigMap, name: cm, namespace: other}}]}}}}}}]}}}}",
            validation("", "ca"),
            validation("", "non-existing-cm"),
        ),
    ) + &secret(NS, "s", &crt, &key)
        + &config_map(NS, "ca", &ca)
        + &config_map("other", "cm", &ca);
    let r = report(&text);
    let want = [
        ("https", ("True", ""), ("True", "")),
        (
            "https-unresolved",
            ("False", "InvalidCACertificateRef"),
            ("False", "NoValidCACertificate"),
        ),
        (
            "https-invalid-kind",
            ("False", "InvalidCACertificateKind"),
            ("False", "NoValidCACertificate"),
        ),
        (
            "https-grant-missing",
            ("False", "RefNotPermitted"),
            ("False", "NoValidCACertificate"),
        ),
    ];
    for (name, resolved, accepted) in want {
        let (s, reason, msg) = listener_cond(&r, name, "ResolvedRefs");
        assert_eq!(s, resolved.0, "{name}");
        if !resolved.1.is_empty() {
            assert_eq!(reason, resolved.1, "{name}");
            assert!(msg.contains("spec.tls.frontend.perPort["), "{name}: {msg}");
        }
        let (s, reason, _) = listener_cond(&r, name, "Accepted");
        assert_eq!(s, accepted.0, "{name}");
        if !accepted.1.is_empty() {
            assert_eq!(reason, accepted.1, "{name}");
        }
        let programmed = listener_cond(&r, name, "Programmed").0;
        assert_eq!(programmed, resolved.0, "{name}");
    }
    // A ReferenceGrant for the ConfigMap fixes the 6443 listener.
    let granted = text
        + "---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n\
           metadata: {name: g, namespace: other}\nspec:\n  from: [{group: gateway.networking.k8s.io, \
           kind: Gateway, namespace: infra}]\n  to: [{group: \"\", kind: ConfigMap, name: cm}]\n";
    let r = report(&granted);
    assert_eq!(
        listener_cond(&r, "https-grant-missing", "Accepted").0,
        "True"
    );
    assert_eq!(
        listener_cond(&r, "https-grant-missing", "ResolvedRefs").0,
        "True"
    );
}

/// Upstream `gateway-invalid-default-frontend-client-certificate-validation`: a default
/// configuration naming a missing ConfigMap breaks the HTTPS listener only.
#[test]
fn conformance_invalid_default_validation() {
    let text = mtls(
        &format!(
            "{{default: {}, perPort: [{{port: 80, tls: {}}}]}}",
            validation("", "does-not-exist"),
            validation("", "ca2")
        ),
        "",
    );
    let r = report(&text);
    assert_eq!(
        listener_cond(&r, "https", "ResolvedRefs").1,
        "InvalidCACertificateRef"
    );
    assert_eq!(
        listener_cond(&r, "https", "Accepted").1,
        "NoValidCACertificate"
    );
    assert_eq!(listener_cond(&r, "https", "Programmed").0, "False");
    for kind in ["ResolvedRefs", "Accepted", "Programmed"] {
        assert_eq!(listener_cond(&r, "http", kind).0, "True", "{kind}");
    }
    let router = router(&text);
    assert!(router.certificate_for(443, Some("example.org")).is_none());
    assert_eq!(
        router.client_certificate_decision(443, ClientCertificate::Valid),
        ClientDecision::Reject
    );
}

#[test]
fn frontend_validation_errors_name_the_field() {
    let text = mtls(
        "{default: {validation: {mode: Sometimes, caCertificateRefs: []}}, perPort: [{port: 443, tls: {}}, {port: 443, tls: {}}, {port: 0, tls: {}}]}",
        "",
    );
    let c = Config::from_str(&text);
    let all = format!("{:?}", c.errors());
    for want in [
        "spec.tls.frontend.default.validation.caCertificateRefs",
        "spec.tls.frontend.default.validation.mode",
        "unsupported value \\\"Sometimes\\\"",
        "spec.tls.frontend.perPort[1].port",
        "spec.tls.frontend.perPort[2].port",
    ] {
        assert!(all.contains(want), "{want} not in {all}");
    }
}

#[cfg(feature = "tls-check")]
#[test]
fn client_certificates_verify_against_their_ca_only() {
    let (ca, client) = ca_and_client("a");
    let (other_ca, other_client) = ca_and_client("b");
    assert_eq!(
        trieway::tls::verify_client_certificate(&client, &ca),
        Ok(())
    );
    let err = trieway::tls::verify_client_certificate(&other_client, &ca).unwrap_err();
    assert!(err.contains("is not signed by a CA of the bundle"), "{err}");
    // A bundle of both CAs accepts both.
    let both = format!("{ca}{other_ca}");
    assert!(trieway::tls::verify_client_certificate(&other_client, &both).is_ok());
    assert!(trieway::tls::verify_client_certificate("nope", &ca).is_err());
}

/// A ListenerSet's HTTPS listener: its Secret is resolved from the ListenerSet's namespace (a
/// Secret elsewhere needs a ReferenceGrant from the ListenerSet), and the Gateway's frontend
/// validation covers it.
#[test]
fn listener_set_certificates_and_validation() {
    let (crt, key) = self_signed(&["example.com"], 4000);
    let (ca, _) = ca_and_client("default");
    let base = gateway(
        &[&https("https", 443, Some("gw.example"), &["s"])],
        &format!("{{frontend: {{default: {}}}}}", validation("", "ca")),
    )
    .replace(
        "  gatewayClassName: c\n",
        "  gatewayClassName: c\n  allowedListeners: {namespaces: {from: All}}\n",
    ) + &secret(NS, "s", &crt, &key)
        + &secret("other", "own", &crt, &key)
        + &config_map(NS, "ca", &ca)
        + "---\napiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n\
           metadata: {name: ls, namespace: other}\nspec:\n  parentRef: {name: gw, namespace: infra}\n  listeners:\n\
           \x20 - {name: own, port: 443, protocol: HTTPS, hostname: own.example, tls: {certificateRefs: [{name: own}]}}\n\
           \x20 - {name: borrowed, port: 443, protocol: HTTPS, hostname: borrowed.example, tls: {certificateRefs: [{name: s, namespace: infra}]}}\n";
    let r = router(&base);
    let own = r.certificate_for(443, Some("own.example")).expect("own");
    assert_eq!(
        (own.listener.as_str(), own.certificates[0].secret.as_str()),
        ("own", "other/own")
    );
    assert!(r.certificate_for(443, Some("borrowed.example")).is_none());
    let rep = r.report();
    let borrowed = rep.listeners.iter().find(|l| l.name == "borrowed").unwrap();
    let c = Condition::find(&borrowed.conditions, "ResolvedRefs").unwrap();
    assert_eq!(c.reason, "RefNotPermitted");
    // The Gateway's default validation applies to the ListenerSet's port-443 listeners too.
    assert_eq!(
        r.client_certificate_decision(443, ClientCertificate::Absent),
        ClientDecision::Reject
    );
    let granted = base
        + "---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n\
           metadata: {name: g, namespace: infra}\nspec:\n  from: [{group: gateway.networking.k8s.io, \
           kind: ListenerSet, namespace: other}]\n  to: [{group: \"\", kind: Secret, name: s}]\n";
    let r = router(&granted);
    let b = r
        .certificate_for(443, Some("borrowed.example"))
        .expect("granted");
    assert_eq!(b.certificates[0].secret, "infra/s");
}

/// Upstream `gateway-invalid-tls-configuration` (`gateway-certificate-malformed-secret`): a
/// `kubernetes.io/tls` Secret whose `tls.crt` and `tls.key` are base64 of "Hello world" makes
/// the listener `ResolvedRefs=False/InvalidCertificateRef`.
#[test]
fn conformance_malformed_secret() {
    let text = gateway(
        &[&https("https", 443, None, &["malformed-certificate"])],
        "",
    ) + "---\napiVersion: v1\nkind: Secret\n\
           metadata: {name: malformed-certificate, namespace: infra}\n\
           data: {tls.crt: SGVsbG8gd29ybGQK, tls.key: SGVsbG8gd29ybGQK}\ntype: kubernetes.io/tls\n";
    let (status, reason, msg) = listener_cond(&report(&text), "https", "ResolvedRefs");
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "InvalidCertificateRef")
    );
    assert!(
        msg.contains("Secret infra/malformed-certificate: tls.crt is not PEM"),
        "{msg}"
    );
}
