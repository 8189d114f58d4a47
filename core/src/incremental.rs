//! Incremental updates of a [`crate::Live`] (issue #18): the next Router after a change set
//! of HTTPRoutes and GRPCRoutes (and of Services, ReferenceGrants to Services and Namespaces,
//! through the routes they affect), computed from the previous one in time proportional to the
//! change (the changed routes, the vhosts of their hostnames, the listener statuses), not to
//! the configuration.
//!
//! What a full build records ([`Router::new_recorded`]) is kept here: per route, where
//! attachment put it ([`RouteRecord`]) and its compiled id; the previous tables and report.
//! An update
//! 1. follows the change set's steps over the per-route records (an upsert of an existing
//!    route replaces it in place, a new one is appended, a delete removes it, as the
//!    configuration lists them), taking the replaced routes' statuses out of the report; a
//!    changed Service, ReferenceGrant or Namespace replaces the routes that reference that
//!    Service, reference a backend across namespaces into the grant's namespace, or live in
//!    that Namespace by themselves;
//! 2. attaches the new versions alone ([`attach::attach_some`]) against the listeners of every
//!    served Gateway (validation and attachment are per route; only the SPEC §2.4 conflicts
//!    between HTTPRoutes and GRPCRoutes on one listener look across routes, so a changed route
//!    whose hostnames on a listener may overlap those of a route of the other kind there,
//!    before or after the change, takes a full build);
//! 3. compiles them and lays out again the vhosts whose candidates changed
//!    ([`compile::incremental::update`]);
//! 4. puts the new statuses in the report (same order as a full build: kind, then
//!    configuration order), with their compile-time dropped rules, and moves the listeners'
//!    `attachedRoutes`.
//!
//! Anything else takes a full build, which also records afresh: another kind in the change
//! set; BackendTLSPolicies or XBackendTrafficPolicies in the configuration (their status
//! depends on every route); a TLS, TCP or UDP route affected by a changed Service, grant or
//! Namespace; a changed Namespace with ListenerSets in the configuration; the first Service
//! coming or the last one leaving; a rule dropped for the Router's regex budget (which depends
//! on compile order); more replaced routes' rules kept in the tables than
//! `max(1024, routes / 2)`. The proptests in `tests/live.rs` check that both paths give the
//! same Router (answers and report).

use crate::attach::report::{Report, RouteStatus};
use crate::attach::{self, RouteRecord};
use crate::compile::chunked::Rope;
use crate::compile::incremental::{self, Added, NeedsFullBuild};
use crate::compile::{self, CompileState, Compiled, DroppedParents, DroppedRule};
use crate::config::Config;
use crate::model::RouteKind;
use crate::options::Options;
use crate::router::{Recorded, Router};
use rustc_hash::FxHashMap;

/// One step of a change set on the configuration's list of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The route at this position was replaced.
    Replaced(usize),
    /// The route at this position was removed.
    Removed(usize),
    /// A route was appended.
    Pushed,
}

/// What one applied change was, as an incremental update sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Changed {
    /// An HTTPRoute or GRPCRoute: its step on its list.
    Route(RouteKind, Step),
    /// A Service (`namespace`, `name`): its step on the Services' list.
    Service(String, String, Step),
    /// A ReferenceGrant, in this namespace, whose old and new versions grant Services only.
    ServiceGrant(String),
    /// A Namespace (its name).
    Namespace(String),
    /// Anything else.
    Other,
}

/// A route's record: where attachment put it and its compiled id.
#[derive(Debug, Clone, Default)]
struct Rec {
    record: RouteRecord,
    /// Compiled route id (attached to a usable HTTP listener of the compiled Gateway).
    rid: Option<u32>,
    /// A new version not attached yet (during an update).
    pending: bool,
    sig: Sig,
}

/// What a route's namespace and backends are, in a few words, to find the routes a changed
/// Service, grant or Namespace may affect without reading every route: a hash of its
/// namespace, and one bit per backend (namespace and name) and per backend namespace (Bloom
/// filters of 128 bits: a clear bit is certain, a set one is checked).
#[derive(Debug, Clone, Copy, Default)]
struct Sig {
    namespace: u64,
    backends: u128,
    namespaces: u128,
}

impl Sig {
    /// The signature of route `index` of `kind` in `config`.
    fn of(config: &Config, kind: RouteKind, index: usize) -> Sig {
        let mut sig = Sig::default();
        let ns = attach::route_targets(config, kind, index, |_, ns, name| {
            sig.backends |= bit(&[ns, name]);
            sig.namespaces |= bit(ns);
        });
        sig.namespace = ns.map_or(0, hash);
        sig
    }
}

/// A hash of `s`.
fn hash<T: std::hash::Hash + ?Sized>(s: &T) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(s)
}

/// The Bloom bit of `s`.
fn bit<T: std::hash::Hash + ?Sized>(s: &T) -> u128 {
    1 << (hash(s) >> 57)
}

/// What incremental updates start from: the last Router's parts and per-route records.
#[derive(Debug)]
pub(crate) struct Incremental {
    compiled: Compiled,
    base: Report,
    routes: Rope<RouteStatus>,
    state: CompileState,
    /// Per HTTPRoute, then per GRPCRoute, in configuration order.
    http: Vec<Rec>,
    grpc: Vec<Rec>,
    /// Per listener (flat ids, as in `Report::listeners`): its Gateway and position there.
    positions: Vec<(u32, u32)>,
    /// The compiled Gateway's index.
    chosen: u32,
    /// Per listener: the effective hostnames of its HTTPRoute and GRPCRoute candidates, each
    /// with how many routes have it.
    hosts: Vec<[FxHashMap<String, u32>; 2]>,
    parents: DroppedParents,
    /// Routes replaced or deleted since the full build (their rules stay in the tables).
    dead: usize,
    /// The Services' positions, followed through Service changes.
    services: attach::ServicePositions,
    /// Whether the configuration holds a Service (backendRefs are checked against them).
    had_services: bool,
}

/// What a change of Services, ReferenceGrants or Namespaces affects: the routes that
/// reference such a Service, reference a backend across namespaces into such a grant's
/// namespace, or live in such a Namespace.
#[derive(Debug, Default)]
struct Touched {
    services: Vec<(String, String)>,
    grants: Vec<String>,
    namespaces: Vec<String>,
}

impl Touched {
    fn is_empty(&self) -> bool {
        self.services.is_empty() && self.grants.is_empty() && self.namespaces.is_empty()
    }
}

/// Most replaced routes kept in the tables: past it (and past half the compiled routes), an
/// update builds in full, which drops them.
const DEAD_FLOOR: usize = 1024;

const CONFLICT: &str = "a changed route may share a hostname with a route of the other kind \
     on a listener (SPEC §2.4 conflicts)";

fn slot(kind: RouteKind) -> usize {
    usize::from(kind == RouteKind::Grpc)
}

impl Incremental {
    /// The state after full build `r` of `config`.
    pub(crate) fn new(config: &Config, r: Recorded) -> Incremental {
        let Recorded {
            router: _,
            compiled,
            base,
            routes,
            mut state,
            attachment,
        } = r;
        let n_http = config.http_routes.len();
        let mut hosts: Vec<[FxHashMap<String, u32>; 2]> =
            vec![Default::default(); attachment.positions.len()];
        let route_ids = std::mem::take(&mut state.route_ids);
        let mut http = Vec::with_capacity(n_http);
        let mut grpc = Vec::with_capacity(config.grpc_routes.len());
        for (i, record) in attachment.records.into_iter().enumerate() {
            let (kind, index) = if i < n_http {
                (RouteKind::Http, i)
            } else {
                (RouteKind::Grpc, i - n_http)
            };
            for (id, hs) in &record.candidates {
                if let Some(l) = hosts.get_mut(*id as usize) {
                    count(&mut l[slot(kind)], hs, true);
                }
            }
            let rec = Rec {
                record,
                rid: route_ids.get(&(kind, index)).copied(),
                pending: false,
                sig: Sig::of(config, kind, index),
            };
            if kind == RouteKind::Http {
                http.push(rec);
            } else {
                grpc.push(rec);
            }
        }
        let parents = attachment
            .gateways
            .get(attachment.chosen)
            .map(compile::dropped_parents)
            .unwrap_or_default();
        Incremental {
            compiled,
            base,
            routes,
            state,
            http,
            grpc,
            positions: attachment.positions,
            chosen: attachment.chosen as u32,
            hosts,
            parents,
            dead: 0,
            services: attach::ServicePositions::new(config),
            had_services: !config.services.is_empty(),
        }
    }

    fn recs(&mut self, kind: RouteKind) -> &mut Vec<Rec> {
        if kind == RouteKind::Grpc {
            &mut self.grpc
        } else {
            &mut self.http
        }
    }

    /// The report position of the status of route `i` of `kind` (statuses of routes before
    /// it: every HTTPRoute's before a GRPCRoute's).
    fn position(&self, kind: RouteKind, i: usize) -> usize {
        let count = |recs: &[Rec]| recs.iter().filter(|r| r.record.has_status).count();
        match kind {
            RouteKind::Grpc => count(&self.http) + count(&self.grpc[..i.min(self.grpc.len())]),
            _ => count(&self.http[..i.min(self.http.len())]),
        }
    }

    /// Applies one step of a change set to the records: the old version (if any, and not
    /// itself new in this change set) goes to `old`, its status leaves the report, and the
    /// compile-time dropped rules follow the configuration's indexes.
    fn take_out(
        &mut self,
        kind: RouteKind,
        step: Step,
        dropped: &mut Vec<DroppedRule>,
        old: &mut Vec<(RouteKind, Rec)>,
    ) -> Result<(), NeedsFullBuild> {
        let (at, leaving) = match step {
            Step::Pushed => {
                self.recs(kind).push(Rec {
                    pending: true,
                    ..Rec::default()
                });
                return Ok(());
            }
            Step::Replaced(i) => (i, false),
            Step::Removed(i) => (i, true),
        };
        if at >= self.recs(kind).len() {
            return Err(NeedsFullBuild("records out of step with the configuration"));
        }
        if !leaving && self.recs(kind)[at].pending {
            // Already replaced by this change set.
            return Ok(());
        }
        let pos = self.position(kind, at);
        let rec = if leaving {
            self.recs(kind).remove(at)
        } else {
            std::mem::replace(
                &mut self.recs(kind)[at],
                Rec {
                    pending: true,
                    ..Rec::default()
                },
            )
        };
        if rec.record.has_status {
            self.routes.remove(pos);
        }
        dropped.retain(|d| !(d.kind == kind && d.route == at));
        if leaving {
            for d in dropped
                .iter_mut()
                .filter(|d| d.kind == kind && d.route > at)
            {
                d.route -= 1;
            }
        }
        if !rec.pending {
            old.push((kind, rec));
        }
        Ok(())
    }

    /// The HTTPRoutes and GRPCRoutes (kind, final index) that a changed Service, grant or
    /// Namespace affects: the routes that reference the Service, reference a backend across
    /// namespaces into the grant's namespace, or live in the Namespace. The records' signatures
    /// pick the candidates without reading the routes; each candidate is then checked.
    /// `Err` when a TLS, TCP or UDP route is affected.
    fn affected(
        &self,
        config: &Config,
        touched: &Touched,
    ) -> Result<Vec<(RouteKind, usize)>, NeedsFullBuild> {
        let in_ns = |ns: &str| touched.namespaces.iter().any(|n| n == ns);
        let target = |from: &str, ns: &str, name: &str| {
            touched.services.iter().any(|(n, m)| n == ns && m == name)
                || (from != ns && touched.grants.iter().any(|g| g == ns))
        };
        if !attach::l4_routes_touching(config, in_ns, target).is_empty() {
            return Err(NeedsFullBuild(
                "a TLS, TCP or UDP route depends on a changed object",
            ));
        }
        let own: Vec<u64> = touched
            .namespaces
            .iter()
            .map(|n| hash(n.as_str()))
            .collect();
        let backends = touched.services.iter().fold(0u128, |m, (ns, name)| {
            m | bit(&[ns.as_str(), name.as_str()])
        });
        let spaces = touched
            .grants
            .iter()
            .fold(0u128, |m, ns| m | bit(ns.as_str()));
        let mut out = Vec::new();
        for (kind, recs) in [(RouteKind::Http, &self.http), (RouteKind::Grpc, &self.grpc)] {
            for (i, r) in recs.iter().enumerate() {
                let sig = &r.sig;
                let maybe = own.contains(&sig.namespace)
                    || sig.backends & backends != 0
                    || sig.namespaces & spaces != 0;
                if r.pending || !maybe {
                    continue;
                }
                let mut hit = false;
                let ns = attach::route_targets(config, kind, i, |from, ns, name| {
                    hit = hit || target(from, ns, name);
                });
                if hit || ns.is_some_and(in_ns) {
                    out.push((kind, i));
                }
            }
        }
        Ok(out)
    }

    /// Whether a route of `kind` attached as `record` may be in a SPEC §2.4 conflict: some
    /// hostname of it on a listener may overlap a hostname of a route of the other kind there.
    fn may_conflict(&self, kind: RouteKind, record: &RouteRecord) -> bool {
        record.candidates.iter().any(|(id, hs)| {
            self.hosts.get(*id as usize).is_some_and(|l| {
                let other = &l[1 - slot(kind)];
                !other.is_empty() && hs.iter().any(|h| other.keys().any(|o| may_overlap(h, o)))
            })
        })
    }

    /// The next Router after `steps` (kind and step of each applied change, in order) turned
    /// the configuration into `config`. `Err` when the change needs a full build; `self` is
    /// then unusable.
    pub(crate) fn update(
        &mut self,
        config: &Config,
        options: &Options,
        changes: &[Changed],
    ) -> Result<Router, NeedsFullBuild> {
        if changes.contains(&Changed::Other) {
            return Err(NeedsFullBuild(
                "not a change set of routes, Services, ReferenceGrants to Services and \
                 Namespaces alone",
            ));
        }
        if !config.backend_tls_policies.is_empty() || !config.backend_traffic_policies.is_empty() {
            return Err(NeedsFullBuild("policies' status depends on every route"));
        }
        // The Services, grants and Namespaces changed; the Services' positions follow.
        let mut touched = Touched::default();
        let mut steps: Vec<(RouteKind, Step)> = Vec::new();
        for c in changes {
            match c {
                Changed::Route(kind, step) => steps.push((*kind, *step)),
                Changed::Service(ns, name, step) => {
                    match step {
                        Step::Pushed => self.services.pushed(ns, name),
                        Step::Removed(at) => self.services.removed(ns, name, *at),
                        Step::Replaced(_) => {}
                    }
                    touched.services.push((ns.clone(), name.clone()));
                }
                Changed::ServiceGrant(ns) => touched.grants.push(ns.clone()),
                Changed::Namespace(name) => touched.namespaces.push(name.clone()),
                Changed::Other => {}
            }
        }
        if self.services.len() != config.services.len() {
            return Err(NeedsFullBuild("two Services share a namespace and name"));
        }
        if self.had_services == config.services.is_empty() {
            return Err(NeedsFullBuild(
                "the configuration's first Service came or its last one left",
            ));
        }
        if !touched.namespaces.is_empty() && !config.listener_sets.is_empty() {
            return Err(NeedsFullBuild(
                "a Namespace changed and ListenerSets may depend on its labels",
            ));
        }
        if self.dead + steps.len() > DEAD_FLOOR.max(self.compiled.routes.len() / 2) {
            return Err(NeedsFullBuild(
                "replaced routes' rules to drop from the tables",
            ));
        }
        // 1. Follow the steps; take the old versions out. Then the routes a changed Service,
        // grant or Namespace affects are replaced by themselves, at their final positions.
        let mut dropped = self.compiled.dropped.clone();
        let mut old: Vec<(RouteKind, Rec)> = Vec::new();
        for &(kind, step) in &steps {
            self.take_out(kind, step, &mut dropped, &mut old)?;
        }
        if !touched.is_empty() {
            for (kind, i) in self.affected(config, &touched)? {
                self.take_out(kind, Step::Replaced(i), &mut dropped, &mut old)?;
            }
        }
        // SPEC §2.4: a changed route whose hostnames on a listener may overlap those of a
        // route of the other kind there (before or after the change) takes a full build.
        for (kind, rec) in &old {
            if self.may_conflict(*kind, &rec.record) {
                return Err(NeedsFullBuild(CONFLICT));
            }
        }
        for (kind, rec) in &old {
            for (id, hs) in &rec.record.candidates {
                let l = self
                    .hosts
                    .get_mut(*id as usize)
                    .ok_or(NeedsFullBuild("records out of step with the listeners"))?;
                count(&mut l[slot(*kind)], hs, false);
            }
            for (id, _) in &rec.record.accepted {
                if let Some(l) = self.base.listeners.get_mut(*id as usize) {
                    l.attached_routes = l.attached_routes.saturating_sub(1);
                }
            }
        }

        // 2. Attach the new versions.
        let mut fresh: Vec<(RouteKind, usize)> = Vec::new();
        for (kind, recs) in [(RouteKind::Http, &self.http), (RouteKind::Grpc, &self.grpc)] {
            fresh.extend(
                recs.iter()
                    .enumerate()
                    .filter(|(_, r)| r.pending)
                    .map(|(i, _)| (kind, i)),
            );
        }
        let ctx = attach::Ctx::with_resolver(config, attach::resolver_at(config, &self.services));
        let attached =
            attach::attach_some(&ctx, config, options.controller_name.as_deref(), &fresh);
        for (&(kind, _), (_, record)) in fresh.iter().zip(&attached) {
            for (id, hs) in &record.candidates {
                let l = self
                    .hosts
                    .get_mut(*id as usize)
                    .ok_or(NeedsFullBuild("records out of step with the listeners"))?;
                count(&mut l[slot(kind)], hs, true);
            }
        }
        for (&(kind, _), (_, record)) in fresh.iter().zip(&attached) {
            if self.may_conflict(kind, record) {
                return Err(NeedsFullBuild(CONFLICT));
            }
        }

        // 3. Compile.
        let removed: Vec<u32> = old.iter().filter_map(|(_, r)| r.rid).collect();
        let added: Vec<Added> = fresh
            .iter()
            .zip(&attached)
            .map(|(&(kind, index), (_, record))| Added {
                kind,
                index,
                slots: record
                    .accepted
                    .iter()
                    .filter_map(|(id, hosts)| {
                        let &(g, at) = self.positions.get(*id as usize)?;
                        if g != self.chosen {
                            return None;
                        }
                        let s = (*self.compiled.listener_slots.get(at as usize)?)?;
                        Some((s, hosts.clone()))
                    })
                    .collect(),
            })
            .collect();
        let dropped_before = dropped.len();
        let (compiled, ids) = incremental::update(
            &self.compiled,
            &mut self.state,
            config,
            ctx.resolver,
            options,
            &removed,
            &added,
            dropped,
        )?;
        let new_dropped: Vec<DroppedRule> = compiled.dropped[dropped_before..].to_vec();
        self.compiled = compiled;
        self.dead += old.len();

        // 4. Statuses, in report order; listener counts; the no-Service warning.
        for ((&(kind, i), (status, record)), rid) in fresh.iter().zip(attached).zip(ids) {
            for (id, _) in &record.accepted {
                if let Some(l) = self.base.listeners.get_mut(*id as usize) {
                    l.attached_routes = l.attached_routes.saturating_add(1);
                }
            }
            let has_status = status.is_some();
            if let Some(status) = status {
                let mut one = Report {
                    routes: vec![status],
                    ..Report::default()
                };
                let mine: Vec<DroppedRule> = new_dropped
                    .iter()
                    .filter(|d| d.kind == kind && d.route == i)
                    .cloned()
                    .collect();
                if !mine.is_empty() {
                    compile::report_dropped(&mut one, config, &self.parents, &mine);
                }
                let pos = self.position(kind, i);
                if let Some(status) = one.routes.pop() {
                    self.routes.insert(pos, status);
                }
            }
            self.recs(kind)[i] = Rec {
                record: RouteRecord {
                    has_status,
                    ..record
                },
                rid,
                pending: false,
                sig: Sig::of(config, kind, i),
            };
        }
        if config.services.is_empty() {
            let warned =
                self.base.warnings.last().map(String::as_str) == Some(attach::NO_SERVICE_WARNING);
            match (warned, self.routes.len() > 0) {
                (true, false) => {
                    self.base.warnings.pop();
                }
                (false, true) => self
                    .base
                    .warnings
                    .push(attach::NO_SERVICE_WARNING.to_string()),
                _ => {}
            }
        }
        Ok(Router::from_parts(
            self.compiled.clone(),
            self.base.clone(),
            self.routes.clone(),
        ))
    }
}

/// Adds (`add`) or removes one count of each of `hosts` in `counts`.
fn count(counts: &mut FxHashMap<String, u32>, hosts: &[String], add: bool) {
    for h in hosts {
        if add {
            // The key is copied only the first time (most hostnames are counted many times).
            match counts.get_mut(h.as_str()) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(h.clone(), 1);
                }
            }
        } else if let Some(n) = counts.get_mut(h.as_str()) {
            *n -= 1;
            if *n == 0 {
                counts.remove(h.as_str());
            }
        }
    }
}

/// Whether effective hostnames `a` and `b` may cover a common host: equal, `*`, or one's
/// wildcard suffix ends the other (a superset of the overlaps SPEC §2.4 finds, so that a
/// `false` is certain).
fn may_overlap(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    if a == b || a == "*" || b == "*" {
        return true;
    }
    let suffix = |h: &str| h.strip_prefix('*').map(str::to_string);
    match (suffix(&a), suffix(&b)) {
        (Some(x), Some(y)) => x.ends_with(&y) || y.ends_with(&x),
        (Some(x), None) => b.ends_with(&x),
        (None, Some(y)) => a.ends_with(&y),
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::may_overlap;

    #[test]
    fn overlap_is_conservative() {
        for (a, b, want) in [
            ("a.example.com", "a.example.com", true),
            ("A.example.com", "a.example.com", true),
            ("*", "x.org", true),
            ("*.example.com", "a.example.com", true),
            ("a.b.example.com", "*.example.com", true),
            ("*.example.com", "*.b.example.com", true),
            ("*.example.com", "example.com", false),
            ("a.example.com", "b.example.com", false),
            ("*.example.com", "*.example.org", false),
        ] {
            assert_eq!(may_overlap(a, b), want, "{a} {b}");
            assert_eq!(may_overlap(b, a), want, "{b} {a}");
        }
    }
}
