//! GatewayClass, Gateway, ListenerSet (SPEC §1.2, §1.3) and ReferenceGrant (§1.8).

use super::scalars::{self, q};
use super::Report;
use crate::model::*;

/// Reports a count `n` of `what`s outside `min..=max` at `field`.
pub(super) fn count(r: &mut Report, field: &str, n: usize, min: usize, max: usize, what: &str) {
    let plural = |k: usize| match (k, what.strip_suffix('y')) {
        (1, _) => what.to_string(),
        (_, Some(stem)) => format!("{stem}ies"),
        _ if what.ends_with("ch") => format!("{what}es"),
        _ => format!("{what}s"),
    };
    if (n < min || n > max) && min == max {
        r.err(
            field,
            format!("must have exactly {min} {} (found {n})", plural(min)),
        );
    } else if n < min {
        r.err(
            field,
            format!("must have at least {min} {} (found {n})", plural(min)),
        );
    } else if n > max {
        r.err(
            field,
            format!("must have at most {max} {} (found {n})", plural(max)),
        );
    }
}

/// `GatewayClass.spec`.
pub(super) fn gateway_class(s: &GatewayClassSpec, r: &mut Report) {
    r.check(
        || "spec.controllerName".into(),
        scalars::controller_name(&s.controller_name),
    );
    if let Some(d) = &s.description {
        let n = d.chars().count();
        if n > 64 {
            r.err(
                "spec.description",
                format!("must be at most 64 characters (found {n})"),
            );
        }
    }
}

/// `Gateway.spec`.
pub(super) fn gateway(s: &GatewaySpec, r: &mut Report) {
    r.check(
        || "spec.gatewayClassName".into(),
        scalars::object_name(&s.gateway_class_name),
    );
    listeners(&s.listeners, "spec.listeners", r);
    if let Some(ns) = s
        .allowed_listeners
        .as_ref()
        .and_then(|a| a.namespaces.as_ref())
    {
        route_namespaces(ns, "spec.allowedListeners.namespaces", true, r);
    }
}

/// `ListenerSet.spec`.
pub(super) fn listener_set(s: &ListenerSetSpec, r: &mut Report) {
    let p = &s.parent_ref;
    r.check(
        || "spec.parentRef.name".into(),
        scalars::object_name(&p.name),
    );
    if let Some(g) = &p.group {
        r.check(|| "spec.parentRef.group".into(), scalars::group(g));
    }
    if let Some(k) = &p.kind {
        r.check(|| "spec.parentRef.kind".into(), scalars::kind(k));
    }
    if let Some(ns) = &p.namespace {
        r.check(|| "spec.parentRef.namespace".into(), scalars::namespace(ns));
    }
    listeners(&s.listeners, "spec.listeners", r);
}

/// A list of listeners: 1–64, unique names, unique (port, protocol, hostname), each valid.
fn listeners(list: &[Listener], base: &str, r: &mut Report) {
    count(r, base, list.len(), 1, 64, "listener");
    for (i, l) in list.iter().enumerate() {
        let p = format!("{base}[{i}]");
        listener(l, &p, r);
        if list[..i].iter().any(|o| o.name == l.name) && !l.name.is_empty() {
            r.err(
                format!("{p}.name"),
                format!("duplicate listener name {}", q(&l.name)),
            );
        }
        if let Some(j) = list[..i]
            .iter()
            .position(|o| o.port == l.port && o.protocol == l.protocol && o.hostname == l.hostname)
        {
            r.err(
                p,
                format!(
                    "the combination of port, protocol and hostname must be unique (same as \
                     {base}[{j}])"
                ),
            );
        }
    }
}

/// One listener, including the Listener CEL rules of SPEC §1.3.
fn listener(l: &Listener, p: &str, r: &mut Report) {
    use ProtocolType as P;
    r.check(|| format!("{p}.name"), scalars::section_name(&l.name));
    r.check(|| format!("{p}.port"), scalars::port(l.port));
    r.check(
        || format!("{p}.protocol"),
        scalars::protocol(l.protocol.as_str()),
    );
    if let Some(h) = &l.hostname {
        r.check(|| format!("{p}.hostname"), scalars::hostname(h, true));
        if matches!(l.protocol, P::Tcp | P::Udp) {
            r.err(
                format!("{p}.hostname"),
                format!("must not be set for protocol {}", l.protocol),
            );
        }
    }
    match (&l.protocol, &l.tls) {
        (P::Http | P::Tcp | P::Udp, Some(_)) => r.err(
            format!("{p}.tls"),
            format!("must not be set for protocol {}", l.protocol),
        ),
        (P::Tls, None) | (P::Tls, Some(ListenerTls { mode: None, .. })) => r.err(
            format!("{p}.tls.mode"),
            "must be set for protocol TLS (Terminate or Passthrough)",
        ),
        (
            P::Https,
            Some(ListenerTls {
                mode: Some(m @ (TlsMode::Passthrough | TlsMode::Other(_))),
                ..
            }),
        ) => r.err(
            format!("{p}.tls.mode"),
            format!(
                "must be Terminate for protocol HTTPS (found {})",
                q(m.as_str())
            ),
        ),
        _ => {}
    }
    if let Some(tls) = &l.tls {
        listener_tls(tls, &format!("{p}.tls"), !matches!(l.protocol, P::Https), r);
    }
    if let Some(a) = &l.allowed_routes {
        if let Some(ns) = &a.namespaces {
            route_namespaces(ns, &format!("{p}.allowedRoutes.namespaces"), false, r);
        }
        let kp = format!("{p}.allowedRoutes.kinds");
        count(r, &kp, a.kinds.len(), 0, 8, "kind");
        for (i, k) in a.kinds.iter().enumerate() {
            if let Some(g) = &k.group {
                r.check(|| format!("{kp}[{i}].group"), scalars::group(g));
            }
            r.check(|| format!("{kp}[{i}].kind"), scalars::kind(&k.kind));
        }
    }
}

/// `listeners[].tls`. `check_mode` is false for HTTPS, whose mode is reported by the CEL rule.
fn listener_tls(tls: &ListenerTls, p: &str, check_mode: bool, r: &mut Report) {
    if let (true, Some(TlsMode::Other(m))) = (check_mode, &tls.mode) {
        r.err(
            format!("{p}.mode"),
            format!(
                "unsupported value {} (supported: Terminate, Passthrough)",
                q(m)
            ),
        );
    }
    let terminate = matches!(tls.mode, None | Some(TlsMode::Terminate));
    if terminate && tls.certificate_refs.is_empty() && tls.options.is_empty() {
        r.err(
            p,
            "certificateRefs or options must be specified when mode is Terminate",
        );
    }
    let cp = format!("{p}.certificateRefs");
    count(r, &cp, tls.certificate_refs.len(), 0, 64, "certificateRef");
    for (i, c) in tls.certificate_refs.iter().enumerate() {
        if let Some(g) = &c.group {
            r.check(|| format!("{cp}[{i}].group"), scalars::group(g));
        }
        if let Some(k) = &c.kind {
            r.check(|| format!("{cp}[{i}].kind"), scalars::kind(k));
        }
        r.check(|| format!("{cp}[{i}].name"), scalars::object_name(&c.name));
        if let Some(ns) = &c.namespace {
            r.check(|| format!("{cp}[{i}].namespace"), scalars::namespace(ns));
        }
    }
    count(
        r,
        &format!("{p}.options"),
        tls.options.len(),
        0,
        16,
        "option",
    );
    for (k, v) in &tls.options {
        r.check(|| format!("{p}.options[{k}]"), scalars::length(k, 1, 253));
        r.check(|| format!("{p}.options[{k}]"), scalars::length(v, 0, 4096));
    }
}

/// `allowedRoutes.namespaces` / `allowedListeners.namespaces`.
fn route_namespaces(ns: &RouteNamespaces, p: &str, allow_none: bool, r: &mut Report) {
    match &ns.from {
        Some(FromNamespaces::Other(v)) => r.err(
            format!("{p}.from"),
            format!(
                "unsupported value {} (supported: All, Same, Selector{})",
                q(v),
                if allow_none { ", None" } else { "" }
            ),
        ),
        Some(FromNamespaces::None) if !allow_none => r.err(
            format!("{p}.from"),
            "unsupported value \"None\" (supported: All, Same, Selector)",
        ),
        _ => {}
    }
    if let Some(sel) = &ns.selector {
        label_selector(sel, &format!("{p}.selector"), r);
    }
}

/// A label selector's `matchExpressions`.
fn label_selector(sel: &LabelSelector, p: &str, r: &mut Report) {
    for (i, e) in sel.match_expressions.iter().enumerate() {
        let ep = format!("{p}.matchExpressions[{i}]");
        match &e.operator {
            SelectorOperator::In | SelectorOperator::NotIn if e.values.is_empty() => r.err(
                format!("{ep}.values"),
                format!("must be non-empty for operator {}", e.operator),
            ),
            SelectorOperator::Exists | SelectorOperator::DoesNotExist if !e.values.is_empty() => r
                .err(
                    format!("{ep}.values"),
                    format!("must be empty for operator {}", e.operator),
                ),
            SelectorOperator::Other(v) => r.err(
                format!("{ep}.operator"),
                format!(
                    "unsupported value {} (supported: In, NotIn, Exists, DoesNotExist)",
                    q(v)
                ),
            ),
            _ => {}
        }
    }
}

/// `ReferenceGrant.spec`.
pub(super) fn reference_grant(s: &ReferenceGrantSpec, r: &mut Report) {
    count(r, "spec.from", s.from.len(), 1, 16, "entry");
    for (i, f) in s.from.iter().enumerate() {
        r.check(|| format!("spec.from[{i}].group"), scalars::group(&f.group));
        r.check(|| format!("spec.from[{i}].kind"), scalars::kind(&f.kind));
        r.check(
            || format!("spec.from[{i}].namespace"),
            scalars::namespace(&f.namespace),
        );
    }
    count(r, "spec.to", s.to.len(), 1, 16, "entry");
    for (i, t) in s.to.iter().enumerate() {
        r.check(|| format!("spec.to[{i}].group"), scalars::group(&t.group));
        r.check(|| format!("spec.to[{i}].kind"), scalars::kind(&t.kind));
        if let Some(n) = &t.name {
            r.check(|| format!("spec.to[{i}].name"), scalars::object_name(n));
        }
    }
}
