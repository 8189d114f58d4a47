//! XBackendTrafficPolicy attachment (experimental; docs/semantics.md, "Backend traffic"):
//! which policy applies to each Service, with its retry constraint (defaults applied) and
//! session persistence, and its status per ancestor Gateway.
//!
//! A targetRef names a core Service in the policy's namespace (other kinds match nothing).
//! Policies naming the same Service conflict: the oldest wins, then the first by
//! `namespace/name` (the policy-attachment rule of GEP-713, as for BackendTLSPolicy); the
//! others report `Accepted=False/Conflicted`.

use super::backend::NsMap;
use super::{ns_name, Condition};
use crate::config::Config;
use crate::model::{SessionPersistence, XBackendTrafficPolicySpec};
use crate::policy::parse_duration;
use rustc_hash::FxHashMap;
use std::sync::Arc;
use std::time::Duration;

/// What a proxy needs for traffic to a Service an XBackendTrafficPolicy covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BackendTraffic {
    /// The policy, `namespace/name`.
    pub policy: Box<str>,
    /// `(percent, interval)` of `retryConstraint.budget` (defaults 20, 10s).
    pub retry_budget: Option<(u32, Duration)>,
    /// `(count, interval)` of `retryConstraint.minRetryRate` (defaults 10, 1s).
    pub min_retry_rate: Option<(u32, Duration)>,
    /// `sessionPersistence`, as written.
    pub session_persistence: Option<SessionPersistence>,
}

/// The XBackendTrafficPolicies of a configuration: per policy its `Accepted` condition, and
/// per Service the policy in effect.
#[derive(Debug, Default)]
pub(crate) struct TrafficAnalysis<'a> {
    accepted: Vec<Condition>,
    effective: NsMap<'a, Arc<BackendTraffic>>,
}

impl TrafficAnalysis<'_> {
    /// The policy in effect on Service `ns/name`.
    pub(crate) fn lookup(&self, ns: &str, name: &str) -> Option<&Arc<BackendTraffic>> {
        self.effective.get(ns, name)
    }

    /// The conditions of policy `i` (in `Config::backend_traffic_policies` order).
    pub(crate) fn conditions(&self, i: usize) -> Vec<Condition> {
        self.accepted.get(i).cloned().into_iter().collect()
    }
}

/// The core Services a policy targets.
pub(crate) fn service_targets(spec: &XBackendTrafficPolicySpec) -> Vec<&str> {
    spec.target_refs
        .iter()
        .filter(|t| t.group.as_deref().unwrap_or("").is_empty() && t.kind == "Service")
        .map(|t| t.name.as_str())
        .collect()
}

/// Analyses every XBackendTrafficPolicy of `config`.
pub(crate) fn analyze(config: &Config) -> TrafficAnalysis<'_> {
    let policies = &config.backend_traffic_policies;
    let mut order: Vec<usize> = (0..policies.len()).collect();
    order.sort_by_cached_key(|&i| {
        let p = &policies[i];
        (p.created, ns_name(&p.meta.namespace, &p.meta.name))
    });
    let mut by_service: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
    for &i in &order {
        let p = &policies[i];
        for s in service_targets(&p.spec) {
            let list = by_service.entry((&p.meta.namespace, s)).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }
    let mut accepted: Vec<Condition> = policies
        .iter()
        .map(|_| Condition::new("Accepted", true, "Accepted", "Policy is accepted"))
        .collect();
    let mut built: Vec<Option<Arc<BackendTraffic>>> = vec![None; policies.len()];
    let mut effective = NsMap::default();
    let mut keys: Vec<_> = by_service.into_iter().collect();
    keys.sort();
    for ((ns, service), list) in keys {
        let w = list[0];
        let winner = &policies[w];
        for &loser in &list[1..] {
            if accepted[loser].is_true() {
                accepted[loser] = Condition::new(
                    "Accepted",
                    false,
                    "Conflicted",
                    format!(
                        "XBackendTrafficPolicy {}/{} targets Service {ns}/{service} too and \
                         takes precedence (older, or as old and first by namespace/name)",
                        winner.meta.namespace, winner.meta.name
                    ),
                );
            }
        }
        let t = built[w]
            .get_or_insert_with(|| {
                Arc::new(traffic(
                    &ns_name(&winner.meta.namespace, &winner.meta.name),
                    &winner.spec,
                ))
            })
            .clone();
        effective.insert_first(ns, service, t);
    }
    TrafficAnalysis {
        accepted,
        effective,
    }
}

/// The dial data of a policy, with the CRD's defaults applied.
fn traffic(key: &str, spec: &XBackendTrafficPolicySpec) -> BackendTraffic {
    let dur = |s: Option<&String>, default: u64| {
        s.and_then(|s| parse_duration(s))
            .unwrap_or(Duration::from_secs(default))
    };
    let count =
        |n: Option<i64>, default: u32| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(default);
    let rc = spec.retry_constraint.as_ref();
    BackendTraffic {
        policy: key.into(),
        retry_budget: rc.map(|rc| {
            let b = rc.budget.clone().unwrap_or_default();
            (count(b.percent, 20), dur(b.interval.as_ref(), 10))
        }),
        min_retry_rate: rc.map(|rc| {
            let m = rc.min_retry_rate.clone().unwrap_or_default();
            (count(m.count, 10), dur(m.interval.as_ref(), 1))
        }),
        session_persistence: spec.session_persistence.clone(),
    }
}
