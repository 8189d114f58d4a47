//! End-to-end: client-certificate validation (`spec.tls.frontend`) with an rcgen CA: valid,
//! invalid (signed by another CA) and absent client certificates, under `AllowValidOnly`
//! (port 443, the default) and `AllowInsecureFallback` (port 8443, per port).

use crate::support::*;
use base64::Engine as _;

/// A CA (certificate PEM) and a client certificate it signed (certificate PEM, key PEM).
fn ca_and_client(cn: &str) -> (String, (String, String)) {
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
    client.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), (client_cert.pem(), key.serialize_pem()))
}

fn config(crt: &str, key: &str, ca: &str) -> String {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: infra}}
spec:
  gatewayClassName: trieway
  listeners:
    - {{name: strict, port: 443, protocol: HTTPS, tls: {{certificateRefs: [{{name: site}}]}}, allowedRoutes: {{namespaces: {{from: All}}}}}}
    - {{name: lax, port: 8443, protocol: HTTPS, tls: {{certificateRefs: [{{name: site}}]}}, allowedRoutes: {{namespaces: {{from: All}}}}}}
    - {{name: open, port: 9443, protocol: HTTPS, tls: {{certificateRefs: [{{name: site}}]}}, allowedRoutes: {{namespaces: {{from: All}}}}}}
  tls:
    frontend:
      default: {{validation: {{caCertificateRefs: [{{group: "", kind: ConfigMap, name: ca}}]}}}}
      perPort:
        - port: 8443
          tls: {{validation: {{mode: AllowInsecureFallback, caCertificateRefs: [{{group: "", kind: ConfigMap, name: ca}}]}}}}
        - port: 9443
          tls: {{validation: {{caCertificateRefs: [{{group: "", kind: ConfigMap, name: ca}}]}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: site, namespace: infra}}
type: kubernetes.io/tls
data:
  tls.crt: {crt}
  tls.key: {key}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: ca, namespace: infra}}
data:
  ca.crt: {ca:?}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: default}}
spec:
  parentRefs: [{{name: gw, namespace: infra}}]
  hostnames: [app.example.com]
  rules: [{{backendRefs: [{{name: a, port: 80}}]}}]
"#,
        crt = b64(crt),
        key = b64(key),
    )
}

#[tokio::test]
async fn client_certificates_valid_invalid_absent_per_mode() {
    let (crt, key, root) = cert(&["app.example.com"]);
    let (ca, good) = ca_and_client("trusted");
    let (_, bad) = ca_and_client("stranger");
    let a = upstream("a").await;
    let (proxy, _dir) = proxy(&config(&crt, &key, &ca), &[("default/a", a.addr)], false).await;
    let roots = [root];
    let ask = |port: u16, client: Option<&(String, String)>, h2: bool| {
        let addr = proxy.addr(port).unwrap();
        let roots = roots.clone();
        let client = client.cloned();
        async move {
            tls_request_as(
                addr,
                "app.example.com",
                "app.example.com",
                "/m",
                &roots,
                h2,
                client.as_ref().map(|(c, k)| (c.as_str(), k.as_str())),
            )
            .await
        }
    };
    // What the backend is told about a validated certificate: its SHA-256; the client's
    // forged header never passes.
    let good_hash = {
        use rustls_pki_types::pem::PemObject;
        let der = rustls_pki_types::CertificateDer::from_pem_slice(good.0.as_bytes()).unwrap();
        let digest = ring::digest::digest(&ring::digest::SHA256, &der);
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("Hash={hex}")
    };
    let xfcc = |r: &Answer| r.json()["headers"]["x-forwarded-client-cert"].clone();
    // AllowValidOnly (the default, port 443): only the valid certificate is served.
    for h2 in [false, true] {
        let (r, _) = ask(443, Some(&good), h2).await.unwrap();
        assert_eq!((r.status, r.upstream().as_str()), (200, "a"), "{}", r.body);
        assert_eq!(xfcc(&r), good_hash.as_str(), "{}", r.body);
    }
    let served = a.hits();
    assert!(ask(443, Some(&bad), false).await.is_err(), "invalid served");
    assert!(ask(443, None, false).await.is_err(), "absent served");
    assert!(ask(443, None, true).await.is_err(), "absent served (h2)");
    assert_eq!(
        a.hits(),
        served,
        "a rejected connection reached the upstream"
    );
    // AllowInsecureFallback (port 8443): every one is served.
    // Only the valid certificate is vouched for; the others are served unauthenticated.
    for (client, expected) in [
        (Some(&good), Some(good_hash.as_str())),
        (Some(&bad), None),
        (None, None),
    ] {
        let (r, _) = ask(8443, client, false).await.unwrap();
        assert_eq!((r.status, r.upstream().as_str()), (200, "a"), "{}", r.body);
        assert_eq!(xfcc(&r).as_str(), expected, "{}", r.body);
        assert_ne!(xfcc(&r), FORGED_XFCC);
    }
    // A second AllowValidOnly port by perPort.
    assert!(ask(9443, Some(&bad), false).await.is_err());
    assert_eq!(ask(9443, Some(&good), false).await.unwrap().0.status, 200);
    assert_eq!(a.hits(), served + 4);
    proxy.shutdown().await;
}
