//! Listeners of served Gateways: ListenerSet merging, supported kinds, certificate refs,
//! conflicts and listener conditions (SPEC §1.3, §2.1 a–b, §2.3, §2.5, §7.2).

use super::report::{Condition, ListenerStatus};
use super::{AttachedListener, Ctx, ListenerSource};
use crate::model::FrontendValidationModeType;
use crate::model::{
    AllowedListeners, FromNamespaces, GatewaySpec, Listener, ListenerSetSpec, Object, ProtocolType,
    RouteKind, RouteNamespaces, SecretObjectReference, TlsConfig, TlsMode, GATEWAY_GROUP,
};
use crate::tls::{Certificate, FrontendValidation};
use rustc_hash::FxHashMap;
use std::ops::Range;

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
    certificates: Vec<Certificate>,
    /// Conflict reason and message (naming the other party).
    conflict: Option<(&'static str, String)>,
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

/// The Gateway (`namespace`, `name`) that ListenerSet `ls` names as its parent, if its
/// parentRef names a Gateway at all.
pub(crate) fn target(ls: &Object<ListenerSetSpec>) -> Option<(&str, &str)> {
    let p = &ls.spec.parent_ref;
    let group = p.group.as_deref().unwrap_or(GATEWAY_GROUP);
    ((group == GATEWAY_GROUP || group == X_GATEWAY_GROUP)
        && p.kind.as_deref().unwrap_or("Gateway") == "Gateway")
        .then(|| {
            (
                p.namespace.as_deref().unwrap_or(&ls.meta.namespace),
                p.name.as_str(),
            )
        })
}

/// The listeners of a served Gateway in merge order, and what became of each ListenerSet that
/// targets it.
#[derive(Debug)]
pub(crate) struct Built<'a> {
    /// Own listeners first, then those of the admitted ListenerSets in merge order.
    pub infos: Vec<ListenerInfo<'a>>,
    /// Number of the Gateway's own listeners (the first `own` of `infos`).
    pub own: usize,
    /// Every ListenerSet that targets the Gateway, in merge order, with the range of `infos`
    /// holding its listeners, or `None` when `allowedListeners` refuses it.
    pub sets: Vec<(&'a Object<ListenerSetSpec>, Option<Range<usize>>)>,
    /// Client-certificate validation per port with HTTPS listeners, ascending.
    pub frontend: Vec<FrontendValidation>,
    /// The Gateway condition `InsecureFrontendValidationMode=True`, when a validation
    /// configuration allows insecure fallback.
    pub insecure_fallback: Option<Condition>,
}

/// The listeners of Gateway `gw` in merge order: its own, then those of `sets` (the
/// ListenerSets that target it, already sorted oldest first, then `ns/name`) that it allows.
pub(crate) fn build<'a>(
    ctx: &Ctx<'a>,
    gateway: usize,
    gw: &'a Object<GatewaySpec>,
    sets: &[&'a Object<ListenerSetSpec>],
) -> Built<'a> {
    let gw_key = gw.key();
    let total =
        gw.spec.listeners.len() + sets.iter().map(|s| s.spec.listeners.len()).sum::<usize>();
    let mut infos = Vec::with_capacity(total);
    for l in &gw.spec.listeners {
        infos.push(listener(
            ctx,
            gateway,
            &gw_key,
            l,
            &gw.meta.namespace,
            "Gateway",
            ListenerSource::Gateway,
        ));
    }
    let own = infos.len();
    let mut groups: Vec<Range<usize>> = Vec::with_capacity(sets.len() + 1);
    groups.push(0..own);
    let mut merged = Vec::with_capacity(sets.len());
    for ls in sets {
        let ok = allows_listener_set(
            ctx,
            gw.spec.allowed_listeners.as_ref(),
            &gw.meta.namespace,
            &ls.meta.namespace,
        );
        if !ok {
            merged.push((*ls, None));
            continue;
        }
        let start = infos.len();
        let source = ListenerSource::ListenerSet(ls.meta.namespace.clone(), ls.meta.name.clone());
        for l in &ls.spec.listeners {
            infos.push(listener(
                ctx,
                gateway,
                &gw_key,
                l,
                &ls.meta.namespace,
                "ListenerSet",
                source.clone(),
            ));
        }
        groups.push(start..infos.len());
        merged.push((*ls, Some(start..infos.len())));
    }
    detect_conflicts(&mut infos, &groups);
    let frontend = frontend_validation(ctx, gw, &mut infos);
    for info in &mut infos {
        info.finish();
    }
    Built {
        infos,
        own,
        sets: merged,
        frontend,
        insecure_fallback: insecure_fallback(gw),
    }
}

/// The Gateway condition `InsecureFrontendValidationMode=True/ConfigurationChanged` when
/// `spec.tls.frontend` allows insecure fallback anywhere (upstream
/// `GatewayConditionInsecureFrontendValidationMode`).
fn insecure_fallback(gw: &Object<GatewaySpec>) -> Option<Condition> {
    let f = gw.spec.tls.as_ref()?.frontend.as_ref()?;
    let insecure = |c: &TlsConfig| {
        c.validation
            .as_ref()
            .is_some_and(|v| v.mode == Some(FrontendValidationModeType::AllowInsecureFallback))
    };
    let mut where_: Vec<String> = Vec::new();
    if insecure(&f.default) {
        where_.push("default".into());
    }
    for p in f.per_port.iter().filter(|p| insecure(&p.tls)) {
        where_.push(format!("port {}", p.port));
    }
    (!where_.is_empty()).then(|| {
        Condition::new(
            "InsecureFrontendValidationMode",
            true,
            "ConfigurationChanged",
            format!(
                "client-certificate validation mode AllowInsecureFallback ({}): clients \
                 without a valid certificate are served",
                where_.join(", ")
            ),
        )
    })
}

/// A resolved `spec.tls.frontend` validation configuration: what the proxy needs, and the
/// problems of its references.
struct ResolvedValidation {
    validation: FrontendValidation,
    problems: Vec<Problem>,
    /// Every `caCertificateRefs` entry is invalid.
    none_valid: bool,
}

/// Resolves the validation configuration `c` declared at `at` (a field path) for `port`.
fn resolve_validation(
    ctx: &Ctx<'_>,
    gw: &Object<GatewaySpec>,
    c: &TlsConfig,
    at: &str,
    port: u16,
) -> Option<ResolvedValidation> {
    let v = c.validation.as_ref()?;
    let gw_ns = gw.meta.namespace.as_str();
    let mut bundle = String::new();
    let mut maps = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in v.ca_certificate_refs.iter().enumerate() {
        let at = format!("{at}.validation.caCertificateRefs[{i}]");
        let ns = r.namespace.as_deref().unwrap_or(gw_ns);
        let name = r.name.as_str();
        if !(r.group.is_empty() && r.kind == "ConfigMap") {
            let what = if r.group.is_empty() {
                r.kind.clone()
            } else {
                format!("{}.{}", r.kind, r.group)
            };
            problems.push((
                "InvalidCACertificateKind",
                format!("{at}: kind {what} is not supported (ConfigMap only)"),
            ));
            continue;
        }
        if ns != gw_ns
            && !ctx.resolver.permits(
                (GATEWAY_GROUP, "Gateway", gw_ns),
                ns,
                ("", "ConfigMap", name),
            )
        {
            problems.push((
                "RefNotPermitted",
                format!(
                    "{at}: ConfigMap {ns}/{name}: no ReferenceGrant in namespace {ns} allows it"
                ),
            ));
            continue;
        }
        let Some(cm) = ctx.resolver.config_map(ns, name) else {
            problems.push((
                "InvalidCACertificateRef",
                format!("{at}: ConfigMap {ns}/{name} not found"),
            ));
            continue;
        };
        let Some(pem) = cm.data.get("ca.crt") else {
            problems.push((
                "InvalidCACertificateRef",
                format!("{at}: ConfigMap {ns}/{name} has no key ca.crt"),
            ));
            continue;
        };
        if let Err(why) = crate::tls::pem_certificates(pem) {
            problems.push((
                "InvalidCACertificateRef",
                format!("{at}: ConfigMap {ns}/{name}: ca.crt {why}"),
            ));
            continue;
        }
        if !bundle.is_empty() && !bundle.ends_with('\n') {
            bundle.push('\n');
        }
        bundle.push_str(pem);
        maps.push(format!("{ns}/{name}"));
    }
    Some(ResolvedValidation {
        none_valid: maps.is_empty(),
        validation: FrontendValidation {
            port,
            mode: v
                .mode
                .clone()
                .unwrap_or(FrontendValidationModeType::AllowValidOnly),
            ca_bundle_pem: bundle,
            ca_config_maps: maps,
            source: at.to_string(),
        },
        problems,
    })
}

/// Applies `spec.tls.frontend` to the HTTPS listeners of `infos`: per port, `perPort`'s entry
/// or `default`. Reference problems go to `ResolvedRefs`; with no valid CA certificate the
/// listener is `Accepted=False/NoValidCACertificate`. Returns the validation per port.
fn frontend_validation(
    ctx: &Ctx<'_>,
    gw: &Object<GatewaySpec>,
    infos: &mut [ListenerInfo<'_>],
) -> Vec<FrontendValidation> {
    let Some(f) = gw.spec.tls.as_ref().and_then(|t| t.frontend.as_ref()) else {
        return Vec::new();
    };
    let mut ports: Vec<u16> = infos
        .iter()
        .filter(|i| i.spec.protocol == ProtocolType::Https && i.attached.port != 0)
        .map(|i| i.attached.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    let mut out = Vec::new();
    for port in ports {
        let resolved = match f.per_port.iter().position(|p| p.port == i64::from(port)) {
            Some(j) => resolve_validation(
                ctx,
                gw,
                &f.per_port[j].tls,
                &format!("spec.tls.frontend.perPort[{j}].tls"),
                port,
            ),
            None => resolve_validation(ctx, gw, &f.default, "spec.tls.frontend.default", port),
        };
        let Some(r) = resolved else { continue };
        for info in infos
            .iter_mut()
            .filter(|i| i.spec.protocol == ProtocolType::Https && i.attached.port == port)
        {
            info.ref_problems.extend(r.problems.iter().cloned());
            if r.none_valid {
                info.not_accepted.get_or_insert((
                    "NoValidCACertificate",
                    format!(
                        "{}: no caCertificateRefs entry is valid (see ResolvedRefs)",
                        r.validation.source
                    ),
                ));
            }
        }
        out.push(r.validation);
    }
    out
}

/// A condition reason and its message.
type Problem = (&'static str, String);

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
    let kinds = route_kinds(l, supported, &mut ref_problems);
    let port = u16::try_from(l.port).ok().filter(|p| *p != 0);
    if port.is_none() && not_accepted.is_none() {
        not_accepted = Some((
            "UnsupportedValue",
            format!("port {} is out of range", l.port),
        ));
    }
    let tls_mode = tls_mode(l);
    if let Some(problem) = tls_mode_problem(&l.protocol, &tls_mode) {
        not_accepted.get_or_insert(problem);
    }
    // Certificates (Terminate only): at least one valid reference (or TLS options) is needed.
    let mut certs = Vec::new();
    let no_certificate = tls_mode == Some(TlsMode::Terminate)
        && !certificates(ctx, l, owner_ns, owner_kind, &mut ref_problems, &mut certs);
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
            certificates: Vec::new(),
        },
        status: ListenerStatus {
            gateway: gw_key.to_string(),
            name: l.name.clone(),
            listener_set,
            attached_routes: 0,
            supported_kinds: kinds.iter().map(|k| k.as_str().to_string()).collect(),
            conditions: Vec::new(),
            protocol: l.protocol.clone(),
            port: port.unwrap_or(0),
            hostname: l.hostname.as_ref().map(|h| h.to_ascii_lowercase()),
        },
        kinds,
        not_accepted,
        ref_problems,
        no_certificate,
        certificates: certs,
        conflict: None,
    }
}

/// The effective route kinds of `l`: `allowedRoutes.kinds` ∩ `supported`, or the protocol's
/// defaults (`supported`) when none are listed. Listed kinds the protocol does not support
/// are reported as `InvalidRouteKinds`.
fn route_kinds(
    l: &Listener,
    supported: &[RouteKind],
    problems: &mut Vec<Problem>,
) -> Vec<RouteKind> {
    let listed = l.allowed_routes.as_ref().map(|a| a.kinds.as_slice());
    let listed = match listed {
        Some(listed) if !listed.is_empty() => listed,
        _ => return supported.to_vec(),
    };
    let mut kinds: Vec<RouteKind> = Vec::new();
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
        problems.push((
            "InvalidRouteKinds",
            format!(
                "route kinds not supported on protocol {}: {}",
                l.protocol.as_str(),
                invalid.join(", ")
            ),
        ));
    }
    kinds
}

/// The TLS mode of an HTTPS or TLS listener (`Terminate` by default); `None` for the others.
fn tls_mode(l: &Listener) -> Option<TlsMode> {
    match l.protocol {
        ProtocolType::Https | ProtocolType::Tls => Some(
            l.tls
                .as_ref()
                .and_then(|t| t.mode.clone())
                .unwrap_or(TlsMode::Terminate),
        ),
        _ => None,
    }
}

/// Why `protocol` cannot use `tls_mode` (HTTPS with Passthrough, an unknown mode), if so.
fn tls_mode_problem(protocol: &ProtocolType, tls_mode: &Option<TlsMode>) -> Option<Problem> {
    match (protocol, tls_mode) {
        (ProtocolType::Https, Some(TlsMode::Passthrough)) => Some((
            "UnsupportedValue",
            "HTTPS listeners must use TLS mode Terminate".to_string(),
        )),
        (_, Some(TlsMode::Other(m))) => Some((
            "UnsupportedValue",
            format!("TLS mode {m:?} is not supported"),
        )),
        _ => None,
    }
}

/// Checks the certificates of a Terminate listener, adding a problem per invalid reference
/// (and one when there is neither a reference nor TLS options) and each valid one to `out`;
/// whether the listener has a certificate: a valid reference, or TLS options without
/// references.
fn certificates(
    ctx: &Ctx,
    l: &Listener,
    owner_ns: &str,
    owner_kind: &str,
    problems: &mut Vec<Problem>,
    out: &mut Vec<Certificate>,
) -> bool {
    let refs = l
        .tls
        .as_ref()
        .map(|t| t.certificate_refs.as_slice())
        .unwrap_or(&[]);
    let has_options = l.tls.as_ref().is_some_and(|t| !t.options.is_empty());
    let mut valid = 0;
    for r in refs {
        match certificate_ref(ctx, r, owner_ns, owner_kind) {
            Err(problem) => problems.push(problem),
            Ok(c) => {
                out.push(c);
                valid += 1;
            }
        }
    }
    if refs.is_empty() && !has_options {
        problems.push((
            "InvalidCertificateRef",
            "TLS mode Terminate needs a certificateRef".to_string(),
        ));
    }
    valid > 0 || (refs.is_empty() && has_options)
}

/// One certificateRef of a listener owned by `owner_kind` in `owner_ns`, or what is wrong
/// with it: not a core Secret, in another namespace without a ReferenceGrant, not found, or
/// its key material is invalid ([`crate::tls::secret_material`]).
fn certificate_ref(
    ctx: &Ctx,
    r: &SecretObjectReference,
    owner_ns: &str,
    owner_kind: &str,
) -> Result<Certificate, Problem> {
    let group = r.group.as_deref().unwrap_or("");
    let kind = r.kind.as_deref().unwrap_or("Secret");
    let ns = r.namespace.as_deref().unwrap_or(owner_ns);
    let what = format!("certificateRef {ns}/{}", r.name);
    if !(group.is_empty() && kind == "Secret") {
        return Err((
            "InvalidCertificateRef",
            format!("{what}: kind {kind} in group {group:?} is not supported"),
        ));
    }
    if ns != owner_ns
        && !ctx.resolver.permits(
            (GATEWAY_GROUP, owner_kind, owner_ns),
            ns,
            ("", "Secret", &r.name),
        )
    {
        return Err((
            "RefNotPermitted",
            format!("{what}: no ReferenceGrant in namespace {ns} allows it"),
        ));
    }
    let Some(secret) = ctx.resolver.secret(ns, &r.name) else {
        return Err(("InvalidCertificateRef", format!("{what}: Secret not found")));
    };
    match crate::tls::secret_material(secret) {
        Ok(m) => {
            let (chain, key) = m.unwrap_or_default();
            Ok(Certificate::new(format!("{ns}/{}", r.name), chain, key))
        }
        Err(why) => Err((
            "InvalidCertificateRef",
            format!("{what}: Secret {ns}/{}: {why}", r.name),
        )),
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

/// Bit of a stream family (everything but UDP) in a per-port mask.
fn stream_bit(f: Family) -> u8 {
    match f {
        Family::Http => 1,
        Family::Tls => 2,
        Family::Tcp => 4,
        Family::Udp => 0,
    }
}

/// Index of a stream family in `[HTTP, HTTPS/TLS, TCP]`; UDP is no stream family.
fn stream_slot(f: Family) -> Option<usize> {
    match f {
        Family::Http => Some(0),
        Family::Tls => Some(1),
        Family::Tcp => Some(2),
        Family::Udp => None,
    }
}

/// What makes two listeners of one family on one port indistinct: the hostname for HTTP and
/// HTTPS/TLS, nothing for TCP and UDP.
type DistinctKey<'l> = (u16, Family, Option<&'l str>);

fn distinct_key<'l>(l: &'l ListenerInfo<'_>, f: Family) -> DistinctKey<'l> {
    let host = match f {
        Family::Http | Family::Tls => l.attached.hostname.as_deref(),
        Family::Tcp | Family::Udp => None,
    };
    (l.attached.port, f, host)
}

/// Who declared listener `l`, for messages.
fn owner(l: &ListenerInfo<'_>) -> String {
    match &l.attached.source {
        ListenerSource::Gateway => {
            format!("listener {} of Gateway {}", l.spec.name, l.status.gateway)
        }
        ListenerSource::ListenerSet(ns, name) => {
            format!("listener {} of ListenerSet {ns}/{name}", l.spec.name)
        }
    }
}

/// Marks conflicted listeners (SPEC §2.5). `groups` are the ranges of `listeners` declared
/// together (the Gateway's own list, then each admitted ListenerSet's), in merge order.
/// Inside a group every party of a conflict is refused (no winner is picked); a listener that
/// conflicts with one of an earlier group is refused and the earlier one is kept, so a
/// ListenerSet can never disable the Gateway's listeners or an older ListenerSet's.
///
/// Hash maps keyed by port and by (port, family, hostname): linear in the number of
/// listeners, whatever their distribution over ports and groups.
fn detect_conflicts(listeners: &mut [ListenerInfo<'_>], groups: &[Range<usize>]) {
    let fams: Vec<Option<Family>> = listeners
        .iter()
        .map(|l| family(&l.spec.protocol).filter(|_| l.not_accepted.is_none()))
        .collect();
    let mut found: Vec<Option<(&'static str, String)>> = vec![None; listeners.len()];
    {
        let ls: &[ListenerInfo<'_>] = listeners;
        // Earlier groups: per port, the first listener of each stream family; per distinct
        // key, the first listener.
        let mut earlier_port: FxHashMap<u16, [Option<usize>; 3]> = FxHashMap::default();
        let mut earlier_key: FxHashMap<DistinctKey<'_>, usize> = FxHashMap::default();
        for g in groups {
            let mut mask: FxHashMap<u16, u8> = FxHashMap::default();
            let mut count: FxHashMap<DistinctKey<'_>, u32> = FxHashMap::default();
            for i in g.clone() {
                if let Some(f) = fams[i] {
                    *mask.entry(ls[i].attached.port).or_default() |= stream_bit(f);
                    *count.entry(distinct_key(&ls[i], f)).or_default() += 1;
                }
            }
            for i in g.clone() {
                let Some(f) = fams[i] else { continue };
                let port = ls[i].attached.port;
                let bit = stream_bit(f);
                let other = |m: u8| bit != 0 && m & !bit != 0;
                let before_other = match (stream_slot(f), earlier_port.get(&port)) {
                    (Some(slot), Some(firsts)) => {
                        (0..3).filter(|&k| k != slot).find_map(|k| firsts[k])
                    }
                    _ => None,
                };
                let key = distinct_key(&ls[i], f);
                found[i] = if let Some(j) = before_other {
                    Some((
                        "ProtocolConflict",
                        format!(
                            "port {port} is already used with another protocol by {}, \
                             earlier in merge order",
                            owner(&ls[j])
                        ),
                    ))
                } else if other(mask.get(&port).copied().unwrap_or(0)) {
                    Some((
                        "ProtocolConflict",
                        format!("another listener on port {port} uses an incompatible protocol"),
                    ))
                } else if let Some(&j) = earlier_key.get(&key) {
                    Some((
                        "HostnameConflict",
                        format!(
                            "{} uses the same port and hostname, earlier in merge order",
                            owner(&ls[j])
                        ),
                    ))
                } else if count.get(&key).copied().unwrap_or(0) > 1 {
                    Some((
                        "HostnameConflict",
                        format!("another listener on port {port} uses the same hostname"),
                    ))
                } else {
                    None
                };
            }
            for i in g.clone() {
                let Some(f) = fams[i] else { continue };
                if let Some(slot) = stream_slot(f) {
                    let firsts = earlier_port.entry(ls[i].attached.port).or_default();
                    firsts[slot].get_or_insert(i);
                }
                earlier_key.entry(distinct_key(&ls[i], f)).or_insert(i);
            }
        }
    }
    for (l, c) in listeners.iter_mut().zip(found) {
        l.conflict = c;
    }
}

impl ListenerInfo<'_> {
    /// Whether the listener is accepted (valid and not conflicted).
    pub(crate) fn accepted(&self) -> bool {
        self.not_accepted.is_none() && self.conflict.is_none()
    }

    /// The Gateway is not accepted: the listener carries no traffic.
    pub(crate) fn parent_not_accepted(&mut self, gateway: &str) {
        self.attached.usable = false;
        let programmed = Condition::new(
            "Programmed",
            false,
            "Invalid",
            format!("Gateway {gateway} is not accepted"),
        );
        match self
            .status
            .conditions
            .iter_mut()
            .find(|c| c.kind == "Programmed")
        {
            Some(c) => *c = programmed,
            None => self.status.conditions.push(programmed),
        }
    }

    /// Computes `usable` and the listener conditions.
    fn finish(&mut self) {
        let c = &mut self.status.conditions;
        let usable = match (&self.not_accepted, &self.conflict) {
            (Some((reason, msg)), _) => {
                c.push(Condition::new("Accepted", false, *reason, msg.clone()));
                false
            }
            (None, Some((reason, msg))) => {
                c.push(Condition::new("Accepted", false, *reason, msg.clone()));
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
        c.push(match &self.conflict {
            Some((reason, msg)) => Condition::new("Conflicted", true, *reason, msg.clone()),
            None => Condition::new("Conflicted", false, "NoConflicts", "no conflicts"),
        });
        c.push(match self.ref_problems.first() {
            Some((reason, _)) => Condition::new(
                "ResolvedRefs",
                false,
                *reason,
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
        self.attached.certificates = std::mem::take(&mut self.certificates);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn listeners(yaml: &str) -> Vec<(String, bool, Option<&'static str>)> {
        // Unvalidated on purpose: duplicate (port, protocol, hostname) triples are rejected by
        // validation, but input that bypasses the API server must still be handled.
        let mut config = Config::builder().without_validation();
        config.add_str(yaml, "test");
        let config = config.unvalidated();
        let ctx = Ctx::new(&config);
        build(&ctx, 0, &config.gateways[0], &[])
            .infos
            .into_iter()
            .map(|l| {
                (
                    l.spec.name.clone(),
                    l.attached.usable,
                    l.conflict.map(|c| c.0),
                )
            })
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
