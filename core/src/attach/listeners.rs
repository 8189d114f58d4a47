//! Listeners of served Gateways: ListenerSet merging, supported kinds, certificate refs,
//! conflicts and listener conditions (SPEC §1.3, §2.1 a–b, §2.3, §2.5, §7.2).

use super::report::{Condition, ListenerStatus};
use super::{AttachedListener, Ctx, ListenerSource};
use crate::model::{
    AllowedListeners, FromNamespaces, GatewaySpec, Listener, ListenerSetSpec, Object, ProtocolType,
    RouteKind, RouteNamespaces, TlsMode, GATEWAY_GROUP,
};
use rustc_hash::FxHashMap;

/// The experimental group of `XListenerSet`.
pub(crate) const X_GATEWAY_GROUP: &str = "gateway.networking.x-k8s.io";

/// One listener of a served Gateway, with what attachment needs to know about it.
#[derive(Debug)]
pub(crate) struct ListenerInfo<'a> {
    /// Index of the Gateway in `Attachment::gateways`.
    pub gateway: usize,
    /// The listener as declared.
    pub spec: &'a Listener,
    /// Namespace of the Gateway or ListenerSet that declared it (`Same` means this one).
    pub owner_ns: &'a str,
    /// Route kinds that may attach (allowed ∩ supported by the protocol).
    pub kinds: Vec<RouteKind>,
    /// What the compiler consumes.
    pub attached: AttachedListener,
    /// What the report shows.
    pub status: ListenerStatus,
    not_accepted: Option<(&'static str, String)>,
    ref_problems: Vec<(&'static str, String)>,
    no_certificate: bool,
    conflict: Option<&'static str>,
}

/// The route kinds a listener protocol can carry (SPEC §2.1 a).
pub(crate) fn protocol_kinds(p: &ProtocolType) -> &'static [RouteKind] {
    match p {
        ProtocolType::Http | ProtocolType::Https => &[RouteKind::Http, RouteKind::Grpc],
        ProtocolType::Tls => &[RouteKind::Tls],
        ProtocolType::Tcp => &[RouteKind::Tcp],
        ProtocolType::Udp => &[RouteKind::Udp],
        _ => &[],
    }
}

/// Whether namespace `ns` is admitted by `namespaces` for an owner in `owner_ns`, `default`
/// being the meaning of an absent `from`.
pub(crate) fn admits_namespace(
    ctx: &Ctx<'_>,
    namespaces: Option<&RouteNamespaces>,
    default: FromNamespaces,
    owner_ns: &str,
    ns: &str,
) -> bool {
    let from = namespaces.and_then(|n| n.from.clone()).unwrap_or(default);
    match from {
        FromNamespaces::Same => ns == owner_ns,
        FromNamespaces::All => true,
        FromNamespaces::Selector => namespaces
            .and_then(|n| n.selector.as_ref())
            .is_some_and(|sel| ctx.namespace_matches(sel, ns)),
        _ => false,
    }
}

/// Whether a ListenerSet in `ns` may add listeners to a Gateway in `gw_ns` (default: none).
fn allows_listener_set(
    ctx: &Ctx<'_>,
    allowed: Option<&AllowedListeners>,
    gw_ns: &str,
    ns: &str,
) -> bool {
    allowed.is_some_and(|a| {
        admits_namespace(ctx, a.namespaces.as_ref(), FromNamespaces::None, gw_ns, ns)
    })
}

/// Whether ListenerSet `ls` names the Gateway `gw_ns/gw_name` as its parent.
pub(crate) fn targets_gateway(ls: &Object<ListenerSetSpec>, gw_ns: &str, gw_name: &str) -> bool {
    let p = &ls.spec.parent_ref;
    let group = p.group.as_deref().unwrap_or(GATEWAY_GROUP);
    (group == GATEWAY_GROUP || group == X_GATEWAY_GROUP)
        && p.kind.as_deref().unwrap_or("Gateway") == "Gateway"
        && p.namespace.as_deref().unwrap_or(&ls.meta.namespace) == gw_ns
        && p.name == gw_name
}

/// The listeners of Gateway `gw` in merge order: its own, then those of the ListenerSets in
/// `sets` (already sorted oldest first, then `ns/name`) that target it and that it allows.
/// Also returns, for each ListenerSet of `sets` that targets it, whether it was merged.
pub(crate) fn build<'a>(
    ctx: &Ctx<'a>,
    gateway: usize,
    gw: &'a Object<GatewaySpec>,
    sets: &[&'a Object<ListenerSetSpec>],
) -> (
    Vec<ListenerInfo<'a>>,
    Vec<(&'a Object<ListenerSetSpec>, bool)>,
) {
    let gw_key = gw.key();
    let mut out = Vec::new();
    for l in &gw.spec.listeners {
        out.push(listener(
            ctx,
            gateway,
            &gw_key,
            l,
            &gw.meta.namespace,
            "Gateway",
            ListenerSource::Gateway,
        ));
    }
    let mut merged = Vec::new();
    for ls in sets {
        if !targets_gateway(ls, &gw.meta.namespace, &gw.meta.name) {
            continue;
        }
        let ok = allows_listener_set(
            ctx,
            gw.spec.allowed_listeners.as_ref(),
            &gw.meta.namespace,
            &ls.meta.namespace,
        );
        merged.push((*ls, ok));
        if !ok {
            continue;
        }
        let source = ListenerSource::ListenerSet(ls.meta.namespace.clone(), ls.meta.name.clone());
        for l in &ls.spec.listeners {
            out.push(listener(
                ctx,
                gateway,
                &gw_key,
                l,
                &ls.meta.namespace,
                "ListenerSet",
                source.clone(),
            ));
        }
    }
    detect_conflicts(&mut out);
    for info in &mut out {
        info.finish();
    }
    (out, merged)
}

fn listener<'a>(
    ctx: &Ctx<'a>,
    gateway: usize,
    gw_key: &str,
    l: &'a Listener,
    owner_ns: &'a str,
    owner_kind: &str,
    source: ListenerSource,
) -> ListenerInfo<'a> {
    let mut not_accepted = None;
    let mut ref_problems = Vec::new();
    let supported = protocol_kinds(&l.protocol);
    if supported.is_empty() {
        not_accepted = Some((
            "UnsupportedProtocol",
            format!("protocol {:?} is not supported", l.protocol.as_str()),
        ));
    }
    // Effective kinds: allowedRoutes.kinds ∩ supported, or the protocol's defaults.
    let listed = l.allowed_routes.as_ref().map(|a| a.kinds.as_slice());
    let mut kinds: Vec<RouteKind> = Vec::new();
    match listed {
        Some(listed) if !listed.is_empty() => {
            let mut invalid = Vec::new();
            for k in listed {
                let group = k.group.as_deref().unwrap_or(GATEWAY_GROUP);
                let found = supported
                    .iter()
                    .find(|s| group == GATEWAY_GROUP && s.as_str() == k.kind);
                match found {
                    Some(s) if !kinds.contains(s) => kinds.push(*s),
                    Some(_) => {}
                    None if group == GATEWAY_GROUP => invalid.push(k.kind.clone()),
                    None => invalid.push(format!("{}.{group}", k.kind)),
                }
            }
            if !invalid.is_empty() {
                ref_problems.push((
                    "InvalidRouteKinds",
                    format!(
                        "route kinds not supported on protocol {}: {}",
                        l.protocol.as_str(),
                        invalid.join(", ")
                    ),
                ));
            }
        }
        _ => kinds.extend_from_slice(supported),
    }
    let port = u16::try_from(l.port).ok().filter(|p| *p != 0);
    if port.is_none() && not_accepted.is_none() {
        not_accepted = Some((
            "UnsupportedValue",
            format!("port {} is out of range", l.port),
        ));
    }
    let tls_mode = match l.protocol {
        ProtocolType::Https | ProtocolType::Tls => Some(
            l.tls
                .as_ref()
                .and_then(|t| t.mode.clone())
                .unwrap_or(TlsMode::Terminate),
        ),
        _ => None,
    };
    match (&l.protocol, &tls_mode) {
        (ProtocolType::Https, Some(TlsMode::Passthrough)) => {
            not_accepted.get_or_insert((
                "UnsupportedValue",
                "HTTPS listeners must use TLS mode Terminate".to_string(),
            ));
        }
        (_, Some(TlsMode::Other(m))) => {
            not_accepted.get_or_insert((
                "UnsupportedValue",
                format!("TLS mode {m:?} is not supported"),
            ));
        }
        _ => {}
    }
    // Certificates (Terminate only): at least one valid reference (or TLS options) is needed.
    let mut no_certificate = false;
    if tls_mode == Some(TlsMode::Terminate) {
        let refs = l
            .tls
            .as_ref()
            .map(|t| t.certificate_refs.as_slice())
            .unwrap_or(&[]);
        let has_options = l.tls.as_ref().is_some_and(|t| !t.options.is_empty());
        let mut valid = 0;
        for r in refs {
            let group = r.group.as_deref().unwrap_or("");
            let kind = r.kind.as_deref().unwrap_or("Secret");
            let ns = r.namespace.as_deref().unwrap_or(owner_ns);
            let what = format!("certificateRef {ns}/{}", r.name);
            if !(group.is_empty() && kind == "Secret") {
                ref_problems.push((
                    "InvalidCertificateRef",
                    format!("{what}: kind {kind} in group {group:?} is not supported"),
                ));
            } else if ns != owner_ns
                && !ctx.resolver.permits(
                    (GATEWAY_GROUP, owner_kind, owner_ns),
                    ns,
                    ("", "Secret", &r.name),
                )
            {
                ref_problems.push((
                    "RefNotPermitted",
                    format!("{what}: no ReferenceGrant in namespace {ns} allows it"),
                ));
            } else if !ctx.resolver.secret_exists(ns, &r.name) {
                ref_problems.push(("InvalidCertificateRef", format!("{what}: Secret not found")));
            } else {
                valid += 1;
            }
        }
        if refs.is_empty() && !has_options {
            ref_problems.push((
                "InvalidCertificateRef",
                "TLS mode Terminate needs a certificateRef".to_string(),
            ));
        }
        no_certificate = valid == 0 && !(refs.is_empty() && has_options);
    }
    let listener_set = match &source {
        ListenerSource::ListenerSet(ns, name) => Some(format!("{ns}/{name}")),
        ListenerSource::Gateway => None,
    };
    ListenerInfo {
        gateway,
        spec: l,
        owner_ns,
        attached: AttachedListener {
            name: l.name.clone(),
            port: port.unwrap_or(0),
            protocol: l.protocol.clone(),
            hostname: l.hostname.as_ref().map(|h| h.to_ascii_lowercase()),
            tls_mode,
            source,
            usable: false,
            routes: Vec::new(),
        },
        status: ListenerStatus {
            gateway: gw_key.to_string(),
            name: l.name.clone(),
            listener_set,
            attached_routes: 0,
            supported_kinds: kinds.iter().map(|k| k.as_str().to_string()).collect(),
            conditions: Vec::new(),
        },
        kinds,
        not_accepted,
        ref_problems,
        no_certificate,
        conflict: None,
    }
}

/// Which listeners may share a port (SPEC §2.5): HTTP alone; HTTPS and TLS together (both
/// select by SNI, mixed Terminate/Passthrough allowed); TCP alone; UDP is another transport.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Family {
    Http,
    Tls,
    Tcp,
    Udp,
}

fn family(p: &ProtocolType) -> Option<Family> {
    match p {
        ProtocolType::Http => Some(Family::Http),
        ProtocolType::Https | ProtocolType::Tls => Some(Family::Tls),
        ProtocolType::Tcp => Some(Family::Tcp),
        ProtocolType::Udp => Some(Family::Udp),
        _ => None,
    }
}

/// Marks conflicted listeners (every party of a conflict is refused; no winner is picked).
fn detect_conflicts(listeners: &mut [ListenerInfo<'_>]) {
    let mut by_port: FxHashMap<u16, Vec<usize>> = FxHashMap::default();
    for (i, l) in listeners.iter().enumerate() {
        if l.not_accepted.is_none() {
            by_port.entry(l.attached.port).or_default().push(i);
        }
    }
    let mut ports: Vec<_> = by_port.into_iter().collect();
    ports.sort_by_key(|(p, _)| *p);
    let hostnames: Vec<Option<String>> = listeners
        .iter()
        .map(|l| l.attached.hostname.clone())
        .collect();
    let fams: Vec<Option<Family>> = listeners.iter().map(|l| family(&l.spec.protocol)).collect();
    let fam = |i: usize| fams[i];
    for (_, idx) in ports {
        // Stream families (everything but UDP) cannot share a port with each other.
        let stream: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| fam(i) != Some(Family::Udp))
            .collect();
        let mixed = stream.iter().any(|&i| fam(i) != fam(stream[0]));
        if mixed {
            for &i in &stream {
                listeners[i].conflict = Some("ProtocolConflict");
            }
        }
        // Same family on one port: distinct hostnames (HTTP, HTTPS/TLS) or nothing (TCP, UDP).
        for (a_pos, &a) in idx.iter().enumerate() {
            for &b in &idx[a_pos + 1..] {
                if fam(a) != fam(b) {
                    continue;
                }
                let clash = match fam(a) {
                    Some(Family::Tcp | Family::Udp) => true,
                    _ => hostnames[a] == hostnames[b],
                };
                if clash {
                    for i in [a, b] {
                        listeners[i].conflict.get_or_insert("HostnameConflict");
                    }
                }
            }
        }
    }
}

impl ListenerInfo<'_> {
    /// Computes `usable` and the listener conditions.
    fn finish(&mut self) {
        let c = &mut self.status.conditions;
        let usable = match (&self.not_accepted, self.conflict) {
            (Some((reason, msg)), _) => {
                c.push(Condition::new("Accepted", false, reason, msg.clone()));
                false
            }
            (None, Some(reason)) => {
                c.push(Condition::new(
                    "Accepted",
                    false,
                    reason,
                    "listener conflicts with another listener on the same port",
                ));
                false
            }
            (None, None) => {
                c.push(Condition::new(
                    "Accepted",
                    true,
                    "Accepted",
                    "listener is accepted",
                ));
                !self.no_certificate
            }
        };
        c.push(match self.conflict {
            Some(reason) => Condition::new(
                "Conflicted",
                true,
                reason,
                match reason {
                    "ProtocolConflict" => {
                        "another listener on this port uses an incompatible protocol"
                    }
                    _ => "another listener on this port uses the same hostname",
                },
            ),
            None => Condition::new("Conflicted", false, "NoConflicts", "no conflicts"),
        });
        c.push(match self.ref_problems.first() {
            Some((reason, _)) => Condition::new(
                "ResolvedRefs",
                false,
                reason,
                self.ref_problems
                    .iter()
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            None => Condition::new("ResolvedRefs", true, "ResolvedRefs", "references resolved"),
        });
        c.push(if usable {
            Condition::new("Programmed", true, "Programmed", "listener is programmed")
        } else {
            Condition::new(
                "Programmed",
                false,
                "Invalid",
                "listener carries no traffic",
            )
        });
        self.attached.usable = usable;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Config;

    fn listeners(yaml: &str) -> Vec<(String, bool, Option<&'static str>)> {
        // Unvalidated on purpose: duplicate (port, protocol, hostname) triples are rejected by
        // validation, but input that bypasses the API server must still be handled.
        let mut config = Config::new();
        config.add_str(yaml, "test");
        let ctx = Ctx::new(&config);
        let (infos, _) = build(&ctx, 0, &config.gateways[0], &[]);
        infos
            .into_iter()
            .map(|l| (l.spec.name.clone(), l.attached.usable, l.conflict))
            .collect()
    }

    #[test]
    fn protocol_defaults() {
        assert_eq!(
            protocol_kinds(&ProtocolType::Https),
            &[RouteKind::Http, RouteKind::Grpc]
        );
        assert_eq!(protocol_kinds(&ProtocolType::Tls), &[RouteKind::Tls]);
        assert!(protocol_kinds(&ProtocolType::Other("example.com/x".into())).is_empty());
    }

    #[test]
    fn conflicts() {
        let got = listeners(
            r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  listeners:
  - {name: a, port: 80, protocol: HTTP, hostname: a.com}
  - {name: b, port: 80, protocol: HTTP, hostname: b.com}
  - {name: c, port: 81, protocol: HTTP}
  - {name: d, port: 81, protocol: HTTP}
  - {name: e, port: 82, protocol: UDP}
  - {name: f, port: 82, protocol: TCP}
  - {name: g, port: 83, protocol: HTTP}
  - {name: h, port: 83, protocol: TLS, tls: {mode: Passthrough}}
  - {name: i, port: 70000, protocol: HTTP}
"#,
        );
        let want = [
            ("a", true, None),
            ("b", true, None),
            ("c", false, Some("HostnameConflict")),
            ("d", false, Some("HostnameConflict")),
            ("e", true, None),
            ("f", true, None),
            ("g", false, Some("ProtocolConflict")),
            ("h", false, Some("ProtocolConflict")),
            ("i", false, None),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(n, u, c)| (n.to_string(), *u, *c))
            .collect();
        assert_eq!(got, want);
    }
}
