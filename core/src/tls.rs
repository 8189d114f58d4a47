//! Frontend TLS: the certificates each TLS-terminating listener serves, SNI → certificate
//! selection, and the Gateway's client-certificate validation (`spec.tls.frontend`) as a
//! decision the proxy asks for after its handshake.
//!
//! trieway does no handshake. It resolves and checks what the proxy needs:
//!
//! - **Listener certificates.** For every usable HTTPS or TLS-Terminate listener, the valid
//!   `certificateRefs` in order, each a Secret's `tls.crt` (the chain, PEM) and `tls.key`
//!   (PEM; never shown by `Debug`). Always checked: the Secret's type (`kubernetes.io/tls`
//!   when set), `data` in base64, both keys present, `tls.crt` holding only `CERTIFICATE`
//!   blocks and `tls.key` exactly one private key block, every block base64 of one DER
//!   SEQUENCE. With the cargo feature `tls-check`, also: every certificate parses as X.509
//!   and is inside its validity period, and the key belongs to the first certificate. A
//!   problem makes the reference invalid (`ResolvedRefs=False/InvalidCertificateRef`, the
//!   message names the Secret and the problem); a listener left with no valid reference
//!   carries no traffic. A Secret with neither `data` nor `stringData` is taken as one whose
//!   key material was withheld from trieway (its existence and type are checked, its
//!   [`Certificate::has_material`] is false).
//! - **SNI selection** ([`Router::certificate_for`](crate::Router::certificate_for)): among the listeners of the port, the
//!   one whose hostname equals the SNI, then the longest matching wildcard, then the one
//!   without hostname, as for request routing (SPEC §2.5). No allocation.
//! - **Client certificates** ([`Router::client_certificate_decision`](crate::Router::client_certificate_decision)): the HTTPS listeners of a
//!   port follow `frontend.perPort` for that port, else `frontend.default`. A configuration
//!   whose `caCertificateRefs` are all invalid makes those listeners `Accepted=False/
//!   NoValidCACertificate` (they carry no traffic); an invalid reference among valid ones is
//!   reported as `ResolvedRefs=False` (`InvalidCACertificateRef`, `InvalidCACertificateKind`,
//!   `RefNotPermitted`) and skipped. Any `AllowInsecureFallback` sets the Gateway condition
//!   `InsecureFrontendValidationMode=True/ConfigurationChanged`.

use crate::model::FrontendValidationModeType;

/// One certificate a listener serves: a Secret's `tls.crt` chain and its `tls.key`.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `namespace/name` of the Secret.
    pub secret: String,
    /// `tls.crt`: the certificate chain, PEM, leaf first (empty when the material was
    /// withheld, see [`Certificate::has_material`]).
    pub chain_pem: String,
    key_pem: String,
}

impl Certificate {
    /// A certificate read from Secret `secret` (`namespace/name`).
    pub(crate) fn new(secret: String, chain_pem: String, key_pem: String) -> Certificate {
        Certificate {
            secret,
            chain_pem,
            key_pem,
        }
    }

    /// `tls.key`: the private key, PEM (empty when the material was withheld).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// Whether the Secret carried key material (a Secret with neither `data` nor
    /// `stringData` is taken as withheld, and only its existence and type were checked).
    pub fn has_material(&self) -> bool {
        !self.chain_pem.is_empty()
    }
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("secret", &self.secret)
            .field("chain_pem", &format_args!("{} bytes", self.chain_pem.len()))
            .field("key_pem", &format_args!("<redacted>"))
            .finish()
    }
}

/// The certificates of one usable TLS-terminating listener (HTTPS, or TLS with mode
/// `Terminate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerCertificates {
    /// Listener name.
    pub listener: String,
    /// Port.
    pub port: u16,
    /// Listener hostname (lowercase); `None` serves every SNI the port's other listeners do
    /// not.
    pub hostname: Option<String>,
    /// The valid `certificateRefs`, in order (empty for a listener configured by TLS options
    /// only).
    pub certificates: Vec<Certificate>,
}

/// What the TLS handshake found about the client's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientCertificate {
    /// The client presented none.
    Absent,
    /// The client presented one that verifies against the port's CA bundle
    /// ([`FrontendValidation::ca_bundle_pem`]).
    Valid,
    /// The client presented one that does not verify.
    Invalid,
}

/// What to do with a connection after client-certificate verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientDecision {
    /// Serve the connection: no validation is configured, or the certificate is valid.
    Accept,
    /// Close the connection (`AllowValidOnly` without a valid certificate, or a port whose
    /// validation configuration has no valid CA certificate).
    Reject,
    /// Serve it as unauthenticated (`AllowInsecureFallback` without a valid certificate):
    /// authorization is left to the backends.
    InsecureFallback,
}

/// The client-certificate validation of the HTTPS listeners of one port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendValidation {
    /// The port.
    pub port: u16,
    /// `AllowValidOnly` or `AllowInsecureFallback`.
    pub mode: FrontendValidationModeType,
    /// The trusted CA certificates (the valid ConfigMaps' `ca.crt`, concatenated).
    pub ca_bundle_pem: String,
    /// `namespace/name` of the ConfigMaps that make up the bundle.
    pub ca_config_maps: Vec<String>,
    /// `spec.tls.frontend.default` or `spec.tls.frontend.perPort[i]`: where it was declared.
    pub source: String,
}

impl FrontendValidation {
    /// Whether at least one CA certificate reference is valid (else every connection on the
    /// port is rejected).
    pub fn usable(&self) -> bool {
        !self.ca_bundle_pem.is_empty()
    }

    /// The decision for a handshake whose client certificate is `client`.
    pub fn decide(&self, client: ClientCertificate) -> ClientDecision {
        if !self.usable() {
            return ClientDecision::Reject;
        }
        match (client, &self.mode) {
            (ClientCertificate::Valid, _) => ClientDecision::Accept,
            (_, FrontendValidationModeType::AllowInsecureFallback) => {
                ClientDecision::InsecureFallback
            }
            _ => ClientDecision::Reject,
        }
    }
}

/// Reads the key material of a TLS Secret: `Ok(None)` when it has neither `data` nor
/// `stringData` (withheld), `Ok(Some((chain, key)))` when it is valid, else why not (a text
/// that follows "Secret ns/name: ").
pub(crate) fn secret_material(
    s: &crate::model::SecretSpec,
) -> Result<Option<(String, String)>, String> {
    if let Some(t) = s.kind.as_deref() {
        if t != "kubernetes.io/tls" {
            return Err(format!("type {t:?} is not kubernetes.io/tls"));
        }
    }
    if s.data.is_empty() && s.string_data.is_empty() {
        return Ok(None);
    }
    let value = |key: &str| -> Result<String, String> {
        if let Some(v) = s.string_data.get(key) {
            return Ok(v.clone());
        }
        let Some(b64) = s.data.get(key) else {
            return Err(format!("has no key {key}"));
        };
        let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let bytes = if compact.is_empty() {
            Some(Vec::new())
        } else {
            base64_decode(&compact)
        };
        bytes
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| format!("data[{key:?}] is not base64 of text"))
    };
    let chain = value("tls.crt")?;
    let key = value("tls.key")?;
    check_pair(&chain, &key)?;
    Ok(Some((chain, key)))
}

/// The private key block labels `tls.key` may hold.
const KEY_LABELS: &[&str] = &["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

/// Checks a certificate chain and its key (see the module documentation).
pub(crate) fn check_pair(chain: &str, key: &str) -> Result<(), String> {
    let certs = pem_blocks(chain).map_err(|e| format!("tls.crt {e}"))?;
    if let Some((label, _)) = certs.iter().find(|(l, _)| l != "CERTIFICATE") {
        return Err(format!(
            "tls.crt holds a {label} block (only CERTIFICATE blocks belong there)"
        ));
    }
    if certs.is_empty() {
        return Err("tls.crt is not PEM: no CERTIFICATE block".into());
    }
    let keys = pem_blocks(key).map_err(|e| format!("tls.key {e}"))?;
    let mut key_blocks = keys
        .iter()
        .filter(|(l, _)| KEY_LABELS.contains(&l.as_str()));
    let Some((label, der)) = key_blocks.next() else {
        return Err("tls.key is not PEM: no private key block".into());
    };
    if key_blocks.next().is_some() {
        return Err("tls.key holds more than one private key".into());
    }
    #[cfg(feature = "tls-check")]
    x509::check(&certs, label, der)?;
    #[cfg(not(feature = "tls-check"))]
    let _ = (label, der);
    Ok(())
}

/// The PEM blocks of `text` (label, DER): each block's base64 body must decode to one DER
/// SEQUENCE of the declared length. Text between blocks is ignored. The error reads after the
/// name of the text ("is not PEM: …").
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    const BEGIN: &str = "-----BEGIN ";
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix(BEGIN)
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let n = out.len() + 1;
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l == end {
                closed = true;
                break;
            }
            body.push_str(l);
        }
        if !closed {
            return Err(format!("is not PEM: block {n} ({label}) has no END line"));
        }
        let der = base64_decode(&body)
            .ok_or_else(|| format!("is not PEM: block {n} ({label}) is not base64"))?;
        if !is_der_sequence(&der) {
            return Err(format!("is not PEM: block {n} ({label}) is not DER"));
        }
        out.push((label.to_string(), der));
    }
    Ok(out)
}

/// Checks that `text` is a PEM bundle of at least one certificate: `CERTIFICATE` blocks
/// whose base64 body decodes to one DER SEQUENCE of the declared length. Text between blocks
/// is ignored (bundles often carry comments); a block of another type is an error. Returns
/// the number of certificates.
pub(crate) fn pem_certificates(text: &str) -> Result<usize, String> {
    const BEGIN: &str = "-----BEGIN ";
    let mut count = 0;
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix(BEGIN)
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        if label != "CERTIFICATE" {
            return Err(format!(
                "holds a {label} block (only CERTIFICATE blocks belong in a CA bundle)"
            ));
        }
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l == end {
                closed = true;
                break;
            }
            body.push_str(l);
        }
        if !closed {
            return Err(format!(
                "is not PEM: certificate {} has no END line",
                count + 1
            ));
        }
        let der = base64_decode(&body)
            .ok_or_else(|| format!("is not PEM: certificate {} is not base64", count + 1))?;
        if !is_der_sequence(&der) {
            return Err(format!(
                "is not PEM: certificate {} is not a DER certificate",
                count + 1
            ));
        }
        count += 1;
    }
    if count == 0 {
        return Err("is not PEM: no CERTIFICATE block".into());
    }
    Ok(count)
}

/// Standard base64 with padding; `None` on any other character or a bad length.
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let b = s.as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (i, chunk) in b.chunks(4).enumerate() {
        let last = i == b.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Splits one DER TLV off `der`: (tag, whole TLV, rest).
fn der_tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let [tag, first, rest @ ..] = der else {
        return None;
    };
    let (len, hdr) = if *first < 0x80 {
        (usize::from(*first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + n)
    };
    let total = hdr.checked_add(len)?;
    (der.len() >= total).then(|| (*tag, &der[..total], &der[total..]))
}

/// Whether `der` is exactly one DER SEQUENCE (tag 0x30, definite length covering the rest).
pub(crate) fn is_der_sequence(der: &[u8]) -> bool {
    matches!(der_tlv(der), Some((0x30, whole, []))  if whole.len() > 2)
}

/// Verifies that the first certificate of `cert_pem` (a client's chain, leaf first, maybe
/// with intermediates) was issued, directly or through the intermediates it carries, by a
/// certificate of `ca_bundle_pem`, with valid signatures and every certificate on the path
/// inside its validity period (feature `tls-check`). This is what a proxy's handshake checks
/// before it calls [`Router::client_certificate_decision`](crate::Router::client_certificate_decision) with
/// [`ClientCertificate::Valid`]; `trieway eval` uses it to simulate that handshake.
#[cfg(feature = "tls-check")]
pub fn verify_client_certificate(cert_pem: &str, ca_bundle_pem: &str) -> Result<(), String> {
    x509::verify_chain(cert_pem, ca_bundle_pem)
}

#[cfg(feature = "tls-check")]
mod x509 {
    //! The checks that need X.509 parsing and signatures (feature `tls-check`).
    use super::{der_tlv, pem_blocks};
    use ring::signature::{self, KeyPair};
    use x509_parser::prelude::{FromDer, X509Certificate};

    /// Parses `der` as one certificate.
    fn parse(der: &[u8], n: usize) -> Result<X509Certificate<'_>, String> {
        match X509Certificate::from_der(der) {
            Ok(([], c)) => Ok(c),
            Ok(_) => Err(format!("certificate {n} has trailing bytes")),
            Err(e) => Err(format!("certificate {n} is not X.509: {e}")),
        }
    }

    /// Whether `c` is valid now; else why not.
    fn in_validity(c: &X509Certificate<'_>, n: usize) -> Result<(), String> {
        let now = x509_parser::time::ASN1Time::now();
        let v = c.validity();
        if now > v.not_after {
            return Err(format!(
                "certificate {n} ({}) expired at {}",
                c.subject(),
                v.not_after
            ));
        }
        if now < v.not_before {
            return Err(format!(
                "certificate {n} ({}) is not valid before {}",
                c.subject(),
                v.not_before
            ));
        }
        Ok(())
    }

    /// Every certificate parses and is valid now; the key belongs to the first.
    pub(super) fn check(
        certs: &[(String, Vec<u8>)],
        key_label: &str,
        key_der: &[u8],
    ) -> Result<(), String> {
        let mut leaf = None;
        for (i, (_, der)) in certs.iter().enumerate() {
            let c = parse(der, i + 1).map_err(|e| format!("tls.crt: {e}"))?;
            in_validity(&c, i + 1).map_err(|e| format!("tls.crt: {e}"))?;
            if i == 0 {
                leaf = Some(c);
            }
        }
        let Some(leaf) = leaf else {
            return Ok(());
        };
        let spki = leaf.public_key();
        let cert_key = spki.subject_public_key.data.as_ref();
        match public_key_of(key_label, key_der, spki.raw) {
            Some(k) if k != cert_key => Err(format!(
                "tls.key does not match the certificate of tls.crt ({})",
                leaf.subject()
            )),
            // A key type ring cannot load (e.g. P-521) is not compared.
            _ => Ok(()),
        }
    }

    /// The public key (as in a SubjectPublicKeyInfo's BIT STRING) of a private key block,
    /// when ring can load it. `spki` is the certificate's, whose algorithm identifier turns
    /// a SEC1 EC key into PKCS#8.
    fn public_key_of(label: &str, der: &[u8], spki: &[u8]) -> Option<Vec<u8>> {
        match label {
            "RSA PRIVATE KEY" => signature::RsaKeyPair::from_der(der)
                .ok()
                .map(|k| k.public_key().as_ref().to_vec()),
            "EC PRIVATE KEY" => {
                // PKCS#8 v1: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING sec1 }.
                let (_, alg, _) = der_tlv(content(spki)?)?;
                let mut inner = vec![0x02, 0x01, 0x00];
                inner.extend_from_slice(alg);
                inner.extend(tlv(0x04, der));
                pkcs8_public_key(&tlv(0x30, &inner))
            }
            _ => pkcs8_public_key(der),
        }
    }

    /// The content bytes of one TLV.
    fn content(tlv: &[u8]) -> Option<&[u8]> {
        let (_, whole, _) = der_tlv(tlv)?;
        let len_bytes = if whole[1] < 0x80 {
            0
        } else {
            usize::from(whole[1] & 0x7f)
        };
        whole.get(2 + len_bytes..)
    }

    /// Encodes one TLV.
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = body.len();
        if n < 0x80 {
            out.push(n as u8);
        } else {
            let bytes = n.to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(body);
        out
    }

    fn pkcs8_public_key(der: &[u8]) -> Option<Vec<u8>> {
        let rng = ring::rand::SystemRandom::new();
        for alg in [
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        ] {
            if let Ok(k) = signature::EcdsaKeyPair::from_pkcs8(alg, der, &rng) {
                return Some(k.public_key().as_ref().to_vec());
            }
        }
        if let Ok(k) = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            return Some(k.public_key().as_ref().to_vec());
        }
        signature::RsaKeyPair::from_pkcs8(der)
            .ok()
            .map(|k| k.public_key().as_ref().to_vec())
    }

    /// Maximum number of certificates on a client's path to a trusted CA.
    const MAX_DEPTH: usize = 8;

    pub(super) fn verify_chain(cert_pem: &str, ca_pem: &str) -> Result<(), String> {
        let chain_blocks = pem_blocks(cert_pem).map_err(|e| format!("client certificate {e}"))?;
        let chain: Vec<X509Certificate<'_>> = chain_blocks
            .iter()
            .filter(|(l, _)| l == "CERTIFICATE")
            .enumerate()
            .map(|(i, (_, d))| parse(d, i + 1))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("client {e}"))?;
        let ca_blocks = pem_blocks(ca_pem).map_err(|e| format!("CA bundle {e}"))?;
        let cas: Vec<X509Certificate<'_>> = ca_blocks
            .iter()
            .filter(|(l, _)| l == "CERTIFICATE")
            .enumerate()
            .map(|(i, (_, d))| parse(d, i + 1))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("CA bundle: {e}"))?;
        let Some(mut current) = chain.first() else {
            return Err("the client presented no certificate".into());
        };
        for depth in 0..MAX_DEPTH {
            in_validity(current, depth + 1).map_err(|e| format!("client {e}"))?;
            let issued_by = |issuer: &&X509Certificate<'_>| {
                issuer.subject() == current.issuer()
                    && current.verify_signature(Some(issuer.public_key())).is_ok()
            };
            if let Some(ca) = cas.iter().find(issued_by) {
                return in_validity(ca, 1).map_err(|e| format!("CA {e}"));
            }
            match chain[1..].iter().find(issued_by) {
                Some(next) if !std::ptr::eq(next, current) => current = next,
                _ => {
                    return Err(format!(
                        "certificate {} is not signed by a CA of the bundle",
                        current.subject()
                    ))
                }
            }
        }
        Err(format!(
            "no trusted CA within {MAX_DEPTH} certificates of the client's chain"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_tlv_rejects_truncation() {
        assert!(is_der_sequence(&[0x30, 0x01, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x02, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x00]));
        assert!(!is_der_sequence(&[0x31, 0x01, 0x00]));
        assert!(!is_der_sequence(&[0x30, 0x81]));
    }

    proptest::proptest! {
        #[test]
        fn pem_blocks_never_panic(s in ".{0,200}", body in "[A-Za-z0-9+/=]{0,64}") {
            let _ = pem_blocks(&s);
            let _ = check_pair(&s, &s);
            let wrapped = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
            let _ = check_pair(&wrapped, &wrapped);
        }
    }
}
