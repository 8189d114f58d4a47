//! Layer-4 lookups: TLSRoute by SNI, TCPRoute and UDPRoute by port (SPEC §7.2, §7.3). Like
//! HTTP lookups they allocate nothing.

use crate::compile::backend::{Backend, Target};
use crate::compile::l4::{TlsKind, TlsListener};
use crate::compile::{hostname_matches, Compiled, RuleInfo};
use crate::request::normalize_host;
use crate::router::{RouteRef, Router};

/// A TLS, TCP or UDP connection's route.
#[derive(Debug, Clone, Copy)]
pub struct L4Match<'r> {
    compiled: &'r Compiled,
    rule: &'r RuleInfo,
    listener: &'r str,
    hostname: &'r str,
    passthrough: bool,
}

impl<'r> L4Match<'r> {
    /// The route.
    pub fn route(&self) -> RouteRef<'r> {
        let r = &self.compiled.routes[self.rule.route as usize];
        RouteRef {
            kind: r.kind,
            namespace: &r.namespace,
            name: &r.name,
        }
    }
    /// The listener the connection arrived on.
    pub fn listener(&self) -> &'r str {
        self.listener
    }
    /// The effective hostname the SNI matched (`*` for TCP/UDP).
    pub fn hostname(&self) -> &'r str {
        self.hostname
    }
    /// `true` when the backend receives the client's TLS stream (TLS Passthrough); `false`
    /// when the gateway terminates TLS (and for TCP/UDP).
    pub fn passthrough(&self) -> bool {
        self.passthrough
    }
    /// Every backendRef of the route's rule.
    pub fn backends(&self) -> &'r [Backend] {
        &self.rule.split.backends
    }
    /// Draws a backend per connection (TCP, TLS) or flow (UDP). `Target::Status` means the
    /// connection must be rejected (invalid backend share, no backends).
    pub fn pick(&self, random: u64) -> Target<'r> {
        self.rule
            .split
            .pick(random, self.compiled.options.all_weights_zero_status)
    }
}

/// What to do with a TLS connection, chosen by its SNI.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum TlsOutcome<'r> {
    /// A TLSRoute serves the SNI: forward the connection.
    Forward(L4Match<'r>),
    /// The SNI selects an HTTPS listener: terminate TLS and route the requests with
    /// [`Router::route`].
    Http,
    /// No listener or route serves the SNI (or there is none): close the connection.
    Reject,
}

fn select<'l>(listeners: &'l [TlsListener], sni: &str) -> Option<&'l TlsListener> {
    listeners.iter().find(|l| {
        l.hostname
            .as_deref()
            .is_none_or(|p| hostname_matches(p, sni))
    })
}

impl Router {
    /// Routes a TLS connection arriving on `port` with server name `sni` (compared
    /// case-insensitively, trailing dot ignored). Without SNI the connection is rejected.
    pub fn route_tls(&self, port: u16, sni: Option<&str>) -> TlsOutcome<'_> {
        let c = self.compiled();
        let Some((_, listeners)) = c.l4.tls.iter().find(|(p, _)| *p == port) else {
            return TlsOutcome::Reject;
        };
        let mut buf = [0u8; 256];
        let Some(sni) = sni
            .and_then(|s| normalize_host(s, &mut buf))
            .filter(|s| !s.is_empty())
        else {
            return TlsOutcome::Reject;
        };
        let Some(l) = select(listeners, sni) else {
            return TlsOutcome::Reject;
        };
        let passthrough = match l.kind {
            TlsKind::Https => return TlsOutcome::Http,
            TlsKind::Tls { passthrough } => passthrough,
        };
        let found = l
            .hosts
            .find(Some(sni), false, |slot, _| l.slots.get(slot as usize));
        match found {
            Some((hostname, rule)) => TlsOutcome::Forward(L4Match {
                compiled: c,
                rule: &c.rules[*rule as usize],
                listener: &l.name,
                hostname,
                passthrough,
            }),
            None => TlsOutcome::Reject,
        }
    }

    /// Routes a TCP connection arriving on `port`: the oldest TCPRoute of the listener carries
    /// it (then the smaller `namespace/name`). `None`: reject.
    pub fn route_tcp(&self, port: u16) -> Option<L4Match<'_>> {
        self.l4(port, false)
    }

    /// Routes a UDP flow arriving on `port` (as [`Router::route_tcp`]). `None`: drop.
    pub fn route_udp(&self, port: u16) -> Option<L4Match<'_>> {
        self.l4(port, true)
    }

    fn l4(&self, port: u16, udp: bool) -> Option<L4Match<'_>> {
        let c = self.compiled();
        let table = if udp { &c.l4.udp } else { &c.l4.tcp };
        let (_, listener, rule) = table.iter().find(|(p, _, _)| *p == port)?;
        Some(L4Match {
            compiled: c,
            rule: &c.rules[*rule as usize],
            listener,
            hostname: "*",
            passthrough: false,
        })
    }
}
