//! Layer-4 tables: TLSRoute by (port, SNI) and TCPRoute/UDPRoute by port (SPEC §7.2, §7.3).

use super::host::HostIndex;
use super::{listener_specificity, Builder};
use crate::attach::{AttachedGateway, AttachedListener};
use crate::model::{BackendRef, HttpBackendRef, ProtocolType, RouteKind, TlsMode};
use crate::policy::Policies;

/// What a listener on a TLS port does with a connection.
#[derive(Debug, Clone)]
pub(crate) enum TlsKind {
    /// An HTTPS listener: terminate and route HTTP.
    Https,
    /// A TLS listener; `passthrough` when the backend receives the client's TLS stream.
    Tls { passthrough: bool },
}

/// One listener on a TLS port.
#[derive(Debug, Clone)]
pub(crate) struct TlsListener {
    pub name: Box<str>,
    pub hostname: Option<Box<str>>,
    pub kind: TlsKind,
    /// Effective hostname → slot in `slots`.
    pub hosts: HostIndex,
    /// `(effective hostname, best rule id)` per slot: routes ranked K1/K2 by the host index,
    /// then oldest, then `ns/name`.
    pub slots: Vec<(Box<str>, u32)>,
}

/// TLS and TCP/UDP tables of one Gateway.
#[derive(Debug, Default, Clone)]
pub(crate) struct L4Tables {
    /// `(port, listeners most specific first)` for ports with TLS listeners.
    pub tls: Vec<(u16, Vec<TlsListener>)>,
    /// `(port, listener name, rule id)` of the route carrying TCP traffic.
    pub tcp: Vec<(u16, Box<str>, u32)>,
    /// Same for UDP.
    pub udp: Vec<(u16, Box<str>, u32)>,
}

impl Builder<'_> {
    /// Compiles the single rule of a TLS/TCP/UDP route into a rule id (once per route).
    fn l4_rule(&mut self, kind: RouteKind, index: usize) -> Option<u32> {
        if let Some(&id) = self.l4_rules.get(&(kind, index)) {
            return Some(id);
        }
        let config = self.config;
        let (route, rules) = match kind {
            RouteKind::Tls => {
                let r = config.tls_routes.get(index)?;
                (&r.object.meta, (r.created, &r.spec.rules, &r.invalid_rules))
            }
            RouteKind::Tcp => {
                let r = config.tcp_routes.get(index)?;
                (&r.object.meta, (r.created, &r.spec.rules, &r.invalid_rules))
            }
            RouteKind::Udp => {
                let r = config.udp_routes.get(index)?;
                (&r.object.meta, (r.created, &r.spec.rules, &r.invalid_rules))
            }
            _ => return None,
        };
        let (created, rules, invalid) = rules;
        let (ri, rule) = rules
            .iter()
            .enumerate()
            .find(|(i, _)| !invalid.iter().any(|r| r.index == *i))?;
        let route_id = self.register_route(kind, index, route, created);
        self.route_matches.push(Vec::new());
        let refs: Vec<HttpBackendRef> = rule.backend_refs.iter().map(http_ref).collect();
        let id = self.add_rule(
            route_id,
            kind,
            &route.namespace,
            ri,
            rule.name.as_deref(),
            &refs,
            &[],
            Policies::default(),
        );
        self.l4_rules.insert((kind, index), id);
        Some(id)
    }

    /// Ranks rules by their route's age, then `ns/name` (SPEC §2.4, §7.2).
    fn by_age(&self, rules: &mut [u32]) {
        rules.sort_by(|&a, &b| {
            let ra = &self.out.routes[self.out.rules[a as usize].route as usize];
            let rb = &self.out.routes[self.out.rules[b as usize].route as usize];
            let ka = (ra.created, format!("{}/{}", ra.namespace, ra.name));
            let kb = (rb.created, format!("{}/{}", rb.namespace, rb.name));
            ka.0.cmp(&kb.0)
                .then_with(|| ka.1.as_bytes().cmp(kb.1.as_bytes()))
        });
    }

    fn tls_listener(&mut self, l: &AttachedListener) -> TlsListener {
        let mut per_host: Vec<(String, Vec<u32>)> = Vec::new();
        if l.protocol == ProtocolType::Tls {
            for ar in l.routes.iter().filter(|r| r.kind == RouteKind::Tls) {
                let Some(rule) = self.l4_rule(RouteKind::Tls, ar.index) else {
                    continue;
                };
                for h in ar.hostnames.iter() {
                    let h = h.to_ascii_lowercase();
                    match per_host.iter_mut().find(|(x, _)| *x == h) {
                        Some((_, v)) => v.push(rule),
                        None => per_host.push((h, vec![rule])),
                    }
                }
            }
        }
        let mut hosts = HostIndex::new();
        let mut slots = Vec::new();
        for (h, mut rules) in per_host {
            self.by_age(&mut rules);
            hosts.insert(&h, slots.len() as u32);
            slots.push((h.into_boxed_str(), rules[0]));
        }
        TlsListener {
            name: l.name.as_str().into(),
            hostname: l.hostname.as_deref().map(|h| h.to_ascii_lowercase().into()),
            kind: match l.protocol {
                ProtocolType::Https => TlsKind::Https,
                _ => TlsKind::Tls {
                    passthrough: l.tls_mode == Some(TlsMode::Passthrough),
                },
            },
            hosts,
            slots,
        }
    }

    pub(crate) fn add_l4(&mut self, gateway: &AttachedGateway) {
        let mut tls_ports: Vec<u16> = gateway
            .listeners
            .iter()
            .filter(|l| l.usable && matches!(l.protocol, ProtocolType::Tls | ProtocolType::Https))
            .map(|l| l.port)
            .collect();
        tls_ports.sort_unstable();
        tls_ports.dedup();
        for port in tls_ports {
            let mut ls: Vec<&AttachedListener> = gateway
                .listeners
                .iter()
                .filter(|l| {
                    l.usable
                        && l.port == port
                        && matches!(l.protocol, ProtocolType::Tls | ProtocolType::Https)
                })
                .collect();
            ls.sort_by_key(|l| listener_specificity(l.hostname.as_deref()));
            let listeners = ls.into_iter().map(|l| self.tls_listener(l)).collect();
            self.out.l4.tls.push((port, listeners));
        }
        for (proto, kind) in [
            (ProtocolType::Tcp, RouteKind::Tcp),
            (ProtocolType::Udp, RouteKind::Udp),
        ] {
            for l in gateway
                .listeners
                .iter()
                .filter(|l| l.usable && l.protocol == proto)
            {
                let mut rules: Vec<u32> = l
                    .routes
                    .iter()
                    .filter(|r| r.kind == kind)
                    .filter_map(|r| self.l4_rule(kind, r.index))
                    .collect();
                self.by_age(&mut rules);
                if let Some(&best) = rules.first() {
                    let entry = (l.port, l.name.as_str().into(), best);
                    if kind == RouteKind::Tcp {
                        self.out.l4.tcp.push(entry);
                    } else {
                        self.out.l4.udp.push(entry);
                    }
                }
            }
        }
    }
}

fn http_ref(b: &BackendRef) -> HttpBackendRef {
    HttpBackendRef {
        target: b.target.clone(),
        weight: b.weight,
        filters: Vec::new(),
    }
}
