//! Listener certificates: the `kubernetes.io/tls` Secrets that the served Gateway's listeners
//! name in `tls.certificateRefs`, and their selection by SNI.
//!
//! The engine keeps no key material (its `Secret` model holds the type only), so this module
//! reads the Secrets' `data` (`tls.crt`, `tls.key`, base64) or `stringData` from the
//! configuration files itself, with the library's own YAML/JSON parser (`Change::parse`).
//! It is the one place to change when the library gains an API for listener certificates.

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use trieway::model::Listener;
use trieway::Change;

/// One listener's certificate.
#[derive(Debug, Clone)]
pub struct ListenerCert {
    /// The listener's hostname (`None`: any), possibly a wildcard `*.example.com`.
    pub hostname: Option<String>,
    /// Listener name, for messages.
    pub listener: String,
    /// The chain and key.
    pub key: Arc<CertifiedKey>,
}

/// The certificates of every TLS port of the served Gateway.
#[derive(Debug, Default)]
pub struct CertTable {
    by_port: HashMap<u16, Vec<ListenerCert>>,
}

fn decode(value: &serde_json::Value, base64: bool) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let s = value.as_str()?;
    if base64 {
        let compact: String = s.split_whitespace().collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .ok()
    } else {
        Some(s.as_bytes().to_vec())
    }
}

/// `namespace/name` -> (certificate PEM, key PEM) of every Secret in the files.
fn read_secrets(files: &[PathBuf]) -> HashMap<String, (Vec<u8>, Vec<u8>)> {
    let mut out = HashMap::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(changes) = Change::parse(&text, &f.display().to_string()) else {
            continue;
        };
        for c in changes {
            let Change::Upsert { object, .. } = c else {
                continue;
            };
            if object.get("kind").and_then(|k| k.as_str()) != Some("Secret") {
                continue;
            }
            let ns = object
                .pointer("/metadata/namespace")
                .and_then(|v| v.as_str())
                .unwrap_or("default");
            let Some(name) = object.pointer("/metadata/name").and_then(|v| v.as_str()) else {
                continue;
            };
            let pick = |key: &str| {
                object
                    .pointer(&format!("/stringData/{}", key.replace('/', "~1")))
                    .and_then(|v| decode(v, false))
                    .or_else(|| object.get("data")?.get(key).and_then(|v| decode(v, true)))
            };
            if let (Some(crt), Some(key)) = (pick("tls.crt"), pick("tls.key")) {
                out.insert(format!("{ns}/{name}"), (crt, key));
            }
        }
    }
    out
}

/// A certificate chain and key from PEM.
pub fn certified_key(cert_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("tls.crt: {e}"))?;
    if certs.is_empty() {
        return Err("tls.crt: no certificate".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("tls.key: {e}"))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| format!("tls.key: {e}"))?;
    Ok(CertifiedKey::new(certs, signing))
}

impl CertTable {
    /// The certificates of `listeners` (`crate::server::served_listeners`: the served
    /// Gateway's and its ListenerSets', with the namespace of the object declaring each), read
    /// from `files`, and a message for each reference that cannot be used.
    pub fn load(
        listeners: &[(String, Listener)],
        gateway: &str,
        files: &[PathBuf],
    ) -> (CertTable, Vec<String>) {
        let secrets = read_secrets(files);
        let mut table = CertTable::default();
        let mut problems = Vec::new();
        for (owner_ns, l) in listeners {
            let (Some(tls), Ok(port)) = (&l.tls, u16::try_from(l.port)) else {
                continue;
            };
            for r in &tls.certificate_refs {
                let ns = r.namespace.as_deref().unwrap_or(owner_ns);
                let key = format!("{ns}/{}", r.name);
                let Some((crt, k)) = secrets.get(&key) else {
                    problems.push(format!(
                        "Gateway {gateway} listener {}: certificateRefs Secret {key}: no tls.crt/tls.key found in the configuration files",
                        l.name
                    ));
                    continue;
                };
                match certified_key(crt, k) {
                    Ok(ck) => table.by_port.entry(port).or_default().push(ListenerCert {
                        hostname: l.hostname.clone(),
                        listener: l.name.clone(),
                        key: Arc::new(ck),
                    }),
                    Err(e) => problems.push(format!(
                        "Gateway {gateway} listener {}: Secret {key}: {e}",
                        l.name
                    )),
                }
            }
        }
        (table, problems)
    }

    /// The certificate for a connection on `port` with server name `sni`: the listener with
    /// the most specific matching hostname (exact, then the longest wildcard, then none).
    pub fn select(&self, port: u16, sni: Option<&str>) -> Option<Arc<CertifiedKey>> {
        let list = self.by_port.get(&port)?;
        let sni = sni.map(|s| s.trim_end_matches('.').to_ascii_lowercase());
        let score = |c: &ListenerCert| -> Option<usize> {
            match (&c.hostname, &sni) {
                (None, _) => Some(0),
                (Some(h), Some(s)) => {
                    let h = h.to_ascii_lowercase();
                    if &h == s {
                        Some(usize::MAX)
                    } else if let Some(suffix) = h.strip_prefix('*') {
                        (s.ends_with(suffix) && s.len() > suffix.len()).then_some(suffix.len())
                    } else {
                        None
                    }
                }
                (Some(_), None) => None,
            }
        };
        list.iter()
            .filter_map(|c| Some((score(c)?, c)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, c)| Arc::clone(&c.key))
            .or_else(|| {
                sni.is_none()
                    .then(|| list.first().map(|c| Arc::clone(&c.key)))?
            })
    }

    /// Whether any certificate is known for `port`.
    pub fn has_port(&self, port: u16) -> bool {
        self.by_port.contains_key(&port)
    }
}

/// rustls's certificate choice for one port, over the current table.
#[derive(Debug)]
pub struct PortResolver {
    /// The Gateway listener port.
    pub port: u16,
    /// The current table (replaced on reload).
    pub table: Arc<arc_swap::ArcSwap<CertTable>>,
}

impl ResolvesServerCert for PortResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.table.load().select(self.port, hello.server_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_read_and_selected_by_sni() {
        use base64::Engine as _;
        let mk = |name: &str| {
            let c = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
            (c.cert.pem(), c.signing_key.serialize_pem())
        };
        let (c1, k1) = mk("a.example.com");
        let (c2, k2) = mk("wild.example.com");
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let yaml = format!(
            r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: default}}
spec:
  gatewayClassName: c
  listeners:
    - {{name: a, port: 443, protocol: HTTPS, hostname: a.example.com, tls: {{certificateRefs: [{{name: a}}]}}}}
    - {{name: w, port: 443, protocol: HTTPS, hostname: "*.example.com", tls: {{certificateRefs: [{{name: w}}]}}}}
    - {{name: m, port: 443, protocol: HTTPS, hostname: m.example.com, tls: {{certificateRefs: [{{name: missing}}]}}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: a, namespace: default}}
type: kubernetes.io/tls
data: {{tls.crt: {}, tls.key: {}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: w, namespace: default}}
type: kubernetes.io/tls
stringData:
  tls.crt: {:?}
  tls.key: {:?}
"#,
            b64(&c1),
            b64(&k1),
            c2,
            k2
        );
        let dir = std::env::temp_dir().join(format!("trieway-proxy-certs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("gw.yaml");
        std::fs::write(&file, &yaml).unwrap();
        let config = trieway::Config::from_str(&yaml);
        let router = trieway::Router::new(&config, trieway::Options::default()).unwrap();
        let listeners = crate::server::served_listeners(&router, &config);
        assert_eq!(listeners.len(), 3);
        let (table, problems) = CertTable::load(&listeners, "default/gw", &[file]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("default/missing"), "{problems:?}");
        let a = table.select(443, Some("a.example.com")).unwrap();
        let w = table.select(443, Some("b.example.com")).unwrap();
        assert!(!Arc::ptr_eq(&a, &w));
        assert_eq!(
            a.cert[0].as_ref(),
            table.by_port[&443][0].key.cert[0].as_ref()
        );
        assert!(table.select(443, Some("other.org")).is_none());
        assert!(table.select(80, Some("a.example.com")).is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
