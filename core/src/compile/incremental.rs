//! Incremental compilation (issue #18): the next [`Compiled`] after some HTTPRoutes and
//! GRPCRoutes changed, sharing every table chunk the change does not touch with the previous
//! one.
//!
//! A full build gives every route an id, its matches ids, and every effective hostname of a
//! host index a vhost. An update compiles only the new versions of the changed routes (new ids,
//! appended), marks the replaced ones dead, and lays out again only the vhosts whose candidate
//! set changed: the old candidates minus the removed routes' matches plus the added routes',
//! sorted by the same precedence key as a full build (route ranks local to the vhost, which
//! order the routes as the global ranks do). A hostname no live route adds candidates to any
//! more leaves its host index, as it would be absent from a full build; a new one is added.
//!
//! Everything else (listeners, ports, L4 tables, TLS) is cloned as is: the caller only takes
//! this path when the change set holds routes alone.

use super::{Builder, CompileState, Compiled, DroppedRule, HostSlot, VHost};
use crate::config::Config;
use crate::model::RouteKind;
use crate::options::Options;
use rustc_hash::{FxHashMap, FxHashSet};

/// A new route version to compile: its kind, its index in `config`, and where attachment
/// accepted it: `(frontend, listener entry)` of the compiled Gateway's usable HTTP listeners
/// with the route's effective hostnames there.
#[derive(Debug)]
pub(crate) struct Added {
    pub kind: RouteKind,
    pub index: usize,
    pub slots: Vec<(Slot, Hosts)>,
}

/// `(frontend, listener entry)` of a usable HTTP listener of the compiled Gateway.
pub(crate) type Slot = (u32, u32);

/// A route's effective hostnames on a listener (shared, as attachment made them).
pub(crate) type Hosts = std::sync::Arc<[String]>;

const BUDGET: &str = "a rule was dropped for the Router's regex budget";

/// Why an update cannot be incremental (the caller builds in full instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NeedsFullBuild(pub &'static str);

/// The next [`Compiled`] after `removed` (route ids of `prev`) left and `added` came, with
/// `dropped` (the previous rules dropped at compile time, already without the removed routes'
/// and with indexes of `config`). Returns the new route id of each added route that was
/// compiled. `state` is updated; after an `Err` it is unusable (the caller builds in full).
#[allow(clippy::too_many_arguments)]
pub(crate) fn update<'c>(
    prev: &Compiled,
    state: &mut CompileState,
    config: &'c Config,
    resolver: crate::attach::Resolver<'c>,
    options: &Options,
    removed: &[u32],
    added: &[Added],
    dropped: Vec<DroppedRule>,
) -> Result<(Compiled, Vec<Option<u32>>), NeedsFullBuild> {
    if state.router_budget_hit {
        // The full build dropped a rule for the Router's regex budget: which one depends on
        // every route compiled before it, so a change may let it in again.
        return Err(NeedsFullBuild(BUDGET));
    }
    let mut next = prev.clone();
    next.dropped = dropped;
    let mut b = Builder::with_resolver(config, options, next, resolver);
    b.regex_ids = std::mem::take(&mut state.regex_ids);
    b.path_ids = std::mem::take(&mut state.path_ids);
    b.route_matches = std::mem::take(&mut state.route_matches);
    b.route_vhosts = std::mem::take(&mut state.route_vhosts);
    b.vhost_slots = std::mem::take(&mut state.vhost_slots);
    let mut vhost_routes = std::mem::take(&mut state.vhost_routes);

    // The removed routes: their matches leave their vhosts.
    let mut gone: FxHashSet<u32> = FxHashSet::default();
    let mut touched: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for &rid in removed {
        if let Some(r) = b.out.routes.get_mut(rid as usize) {
            r.dead = true;
        }
        if let Some(ms) = b.route_matches.get_mut(rid as usize) {
            gone.extend(std::mem::take(ms));
        }
        for v in b
            .route_vhosts
            .get_mut(rid as usize)
            .map(std::mem::take)
            .unwrap_or_default()
        {
            touched.entry(v).or_default();
            if let Some(n) = vhost_routes.get_mut(v as usize) {
                *n = n.saturating_sub(1);
            }
        }
    }

    // The added routes: compiled, then their matches join their vhosts.
    let mut ids = Vec::with_capacity(added.len());
    for a in added {
        if a.slots.is_empty() {
            ids.push(None);
            continue;
        }
        match a.kind {
            RouteKind::Http => b.add_http_route(a.index),
            RouteKind::Grpc => b.add_grpc_route(a.index),
            _ => {}
        }
        let Some(&rid) = b.route_ids.get(&(a.kind, a.index)) else {
            ids.push(None);
            continue;
        };
        ids.push(Some(rid));
        let grpc = a.kind == RouteKind::Grpc;
        for ((f, e), hosts) in &a.slots {
            let mut slots = vec![HostSlot {
                frontend: *f,
                entry: Some(*e),
                grpc,
            }];
            if !options.listener_isolation {
                slots.push(HostSlot {
                    frontend: *f,
                    entry: None,
                    grpc,
                });
            }
            for slot in slots {
                for h in hosts.iter() {
                    let h = h.to_ascii_lowercase();
                    let v = vhost_of(&mut b, &mut vhost_routes, slot, &h);
                    let vs = &mut b.route_vhosts[rid as usize];
                    if !vs.contains(&v) {
                        vs.push(v);
                        vhost_routes[v as usize] += 1;
                    }
                    let ms = &b.route_matches[rid as usize];
                    touched.entry(v).or_default().extend_from_slice(ms);
                }
            }
        }
    }
    if b.router_budget_hit {
        return Err(NeedsFullBuild(
            "a rule was dropped for the Router's regex budget",
        ));
    }

    // Lay out the touched vhosts again; drop the hostnames no live route uses.
    let mut touched: Vec<(u32, Vec<u32>)> = touched.into_iter().collect();
    touched.sort_unstable_by_key(|t| t.0);
    for (v, mut plus) in touched {
        let vi = v as usize;
        if vhost_routes.get(vi).copied().unwrap_or(0) == 0 {
            let slot = b.vhost_slots[vi];
            let hostname = std::mem::take(&mut b.out.vhosts[vi].hostname);
            if let Some(index) = b.out.host_index_mut(slot) {
                index.remove(&hostname);
            }
            b.out.vhosts[vi] = VHost::default();
            continue;
        }
        let vh = &b.out.vhosts[vi];
        let old: &[u32] = if vh.grpc.is_empty() {
            &vh.order
        } else {
            &vh.grpc
        };
        plus.extend(old.iter().copied().filter(|m| !gone.contains(m)));
        let rank = local_ranks(&b.out, &plus);
        b.build_vhost(vi, plus, &|r| rank.get(&r).copied().unwrap_or(u32::MAX));
    }
    b.out.refresh_host_blind();

    state.regex_ids = std::mem::take(&mut b.regex_ids);
    state.path_ids = std::mem::take(&mut b.path_ids);
    state.route_matches = std::mem::take(&mut b.route_matches);
    state.route_vhosts = std::mem::take(&mut b.route_vhosts);
    state.vhost_slots = std::mem::take(&mut b.vhost_slots);
    state.vhost_routes = vhost_routes;
    b.out.seal();
    Ok((b.out, ids))
}

/// The vhost of `hostname` in the host index of `slot`, created (and counted) if needed.
fn vhost_of(b: &mut Builder<'_>, counts: &mut Vec<u32>, slot: HostSlot, hostname: &str) -> u32 {
    // `Builder::vhost` takes the index apart from the tables: moved out for the call (its
    // maps are shared `Arc`s) and back.
    let mut index = b
        .out
        .host_index_mut(slot)
        .map(std::mem::take)
        .unwrap_or_default();
    let v = b.vhost(&mut index, slot, hostname);
    if let Some(ix) = b.out.host_index_mut(slot) {
        *ix = index;
    }
    if v as usize >= counts.len() {
        counts.push(0);
    }
    v
}

/// A rank for each route of candidates `cands`, in `(creationTimestamp, "namespace/name")`
/// order (SPEC §4.1 K8/K9), as the global ranks of a full build order them.
fn local_ranks(c: &Compiled, cands: &[u32]) -> FxHashMap<u32, u32> {
    let mut routes: Vec<u32> = cands
        .iter()
        .filter_map(|&m| Some(c.rules.get(c.matches.get(m as usize)?.rule as usize)?.route))
        .collect();
    routes.sort_unstable();
    routes.dedup();
    let key = |r: u32| {
        c.routes
            .get(r as usize)
            .map(|ri| (ri.created, &*ri.namespace, &*ri.name))
    };
    routes.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        match (ka, kb) {
            (Some(a), Some(b)) => a.0.cmp(&b.0).then_with(|| {
                let sa = a.1.bytes().chain(std::iter::once(b'/')).chain(a.2.bytes());
                let sb = b.1.bytes().chain(std::iter::once(b'/')).chain(b.2.bytes());
                sa.cmp(sb)
            }),
            _ => ka.is_some().cmp(&kb.is_some()).reverse(),
        }
    });
    routes
        .into_iter()
        .enumerate()
        .map(|(i, r)| (r, i as u32))
        .collect()
}
