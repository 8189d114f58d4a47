//! Status write-back (feature `kube`, opt-in): the route status a [`Live`] router reports,
//! written to the routes of the cluster by the one replica holding a `coordination.k8s.io`
//! Lease per controller name. Re-exported from [`crate::kube`].
//!
//! * Routes: `status.parents`, only the entries whose `controllerName` is this controller's
//!   (the entries of other controllers are kept as they are).
//! * Gateways whose GatewayClass names this controller (`spec.controllerName`, read from the
//!   cluster): `status.conditions` (`Accepted`, `Programmed`), `status.listeners` (per own
//!   listener: `supportedKinds`, `attachedRoutes`, conditions), `status.attachedListenerSets`
//!   and, when [`StatusOptions::gateway_addresses`] names some, `status.addresses`.
//! * ListenerSets whose parent is such a Gateway: `status.conditions` and
//!   `status.listeners`, likewise.
//! * GatewayClasses naming this controller: `status.conditions` (`Accepted`,
//!   `SupportedVersion`).
//!
//! Every condition carries the object's `observedGeneration`. Writes are server-side applies
//! with a field manager, made only when what would be written differs from the cluster's
//! (`lastTransitionTime` is kept for a condition whose status did not change): a resync
//! writes nothing.

use crate::live::Live;
use crate::model::RouteKind;
use ::kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use ::kube::discovery::ApiResource;
use ::kube::Client;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Who writes status, and under which Lease.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StatusOptions {
    /// The `controllerName` of the entries written (and of the GatewayClasses served, as
    /// [`crate::Options::controller_name`]).
    pub controller_name: String,
    /// The field manager of the server-side applies (default `trieway`).
    pub field_manager: String,
    /// This replica's identity in the Lease (e.g. the pod name).
    pub identity: String,
    /// Namespace of the Lease (default `default`); its name is derived from the controller
    /// name ([`StatusWriter::lease_name`]).
    pub lease_namespace: String,
    /// How long a Lease holds without renewal (default 15 s).
    pub lease_seconds: i32,
    /// Addresses written to `status.addresses` of every Gateway of this controller (type
    /// `IPAddress` for an IP address, `Hostname` otherwise), e.g. the proxy Service's
    /// address. Empty (the default): `status.addresses` is not written.
    pub gateway_addresses: Vec<String>,
    /// At most this many status writes per second, across every kind (default 20; `0` or
    /// less: no limit). A write waits for its turn, so a burst of changes (a resync after the
    /// Lease moved, a Gateway shared by thousands of routes) reaches the API server paced.
    pub max_writes_per_second: f64,
}

impl StatusOptions {
    /// Options for `controller_name` written by replica `identity`, with the defaults.
    pub fn new(controller_name: &str, identity: &str) -> StatusOptions {
        StatusOptions {
            controller_name: controller_name.to_string(),
            field_manager: "trieway".to_string(),
            identity: identity.to_string(),
            lease_namespace: "default".to_string(),
            lease_seconds: 15,
            gateway_addresses: Vec::new(),
            max_writes_per_second: 20.0,
        }
    }
}

/// When each status write may go: writes spaced `1 / rate` seconds apart, the first at once.
#[derive(Debug)]
struct Pacer {
    /// When the next write may start.
    next: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Pacer {
    /// How long a write asked for at `now` waits, at `rate` writes per second; books its slot.
    fn delay(&self, now: std::time::Instant, rate: f64) -> std::time::Duration {
        if rate.is_nan() || rate <= 0.0 || rate.is_infinite() {
            return std::time::Duration::ZERO;
        }
        let gap = std::time::Duration::from_secs_f64(1.0 / rate);
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + gap);
        at - now
    }
}

/// What one [`StatusWriter::write`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusSummary {
    /// Whether this replica holds the Lease (nothing is written otherwise).
    pub leader: bool,
    /// Objects (routes, GatewayClasses, Gateways, ListenerSets) whose status was written, as
    /// `Kind namespace/name`.
    pub written: Vec<String>,
    /// Objects whose status was already as reported.
    pub unchanged: usize,
    /// Objects that could not be read or written, as `Kind namespace/name`, with the error.
    pub failed: Vec<(String, String)>,
}

/// Writes the route status of a [`Live`] router back to the cluster (see the module docs).
/// Call [`StatusWriter::write`] after each publication (or on a timer): it renews or takes
/// the Lease, then writes what changed.
pub struct StatusWriter {
    client: Client,
    live: Arc<Live>,
    options: StatusOptions,
    pacer: Pacer,
}

impl std::fmt::Debug for StatusWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusWriter")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl StatusWriter {
    /// A writer of `live`'s route status to the cluster of `client`.
    pub fn new(client: Client, live: Arc<Live>, options: StatusOptions) -> StatusWriter {
        StatusWriter {
            client,
            live,
            options,
            pacer: Pacer {
                next: std::sync::Mutex::new(None),
            },
        }
    }

    /// Waits for this write's turn under [`StatusOptions::max_writes_per_second`].
    async fn pace(&self) {
        let wait = self.pacer.delay(
            std::time::Instant::now(),
            self.options.max_writes_per_second,
        );
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// The Lease's name: `trieway-` and the controller name with every character that is
    /// not a lowercase letter, digit or `-` replaced by `-` (at most 63 characters).
    pub fn lease_name(&self) -> String {
        let mut name: String = format!("trieway-{}", self.options.controller_name)
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(63)
            .collect();
        while name.ends_with('-') {
            name.pop();
        }
        name
    }

    /// Takes the Lease if it is free or expired, renews it if this replica holds it.
    /// `Ok(true)` when this replica holds it now. A concurrent writer loses on the
    /// resourceVersion (409 Conflict): `Ok(false)`.
    pub async fn acquire(&self) -> Result<bool, ::kube::Error> {
        let api: Api<Lease> = Api::namespaced(self.client.clone(), &self.options.lease_namespace);
        let name = self.lease_name();
        let now = Timestamp::now();
        let mine = LeaseSpec {
            holder_identity: Some(self.options.identity.clone()),
            lease_duration_seconds: Some(self.options.lease_seconds),
            acquire_time: Some(MicroTime(now)),
            renew_time: Some(MicroTime(now)),
            ..LeaseSpec::default()
        };
        let Some(mut lease) = api.get_opt(&name).await? else {
            let lease = Lease {
                metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                    name: Some(name.clone()),
                    ..Default::default()
                },
                spec: Some(mine),
            };
            return lost_on_conflict(api.create(&PostParams::default(), &lease).await);
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        let holder = spec.holder_identity.as_deref().unwrap_or("");
        if holder == self.options.identity {
            spec.renew_time = Some(MicroTime(now));
            spec.lease_duration_seconds = Some(self.options.lease_seconds);
        } else {
            let seconds = i64::from(spec.lease_duration_seconds.unwrap_or(0));
            let expired = match &spec.renew_time {
                Some(MicroTime(renewed)) => {
                    now.duration_since(*renewed) > SignedDuration::from_secs(seconds)
                }
                None => true,
            };
            if !holder.is_empty() && !expired {
                return Ok(false);
            }
            let transitions = spec.lease_transitions.unwrap_or(0) + 1;
            *spec = LeaseSpec {
                lease_transitions: Some(transitions),
                ..mine
            };
        }
        // The replace carries the resourceVersion read: of two writers, one gets 409.
        lost_on_conflict(api.replace(&name, &PostParams::default(), &lease).await)
    }

    /// Acquires or renews the Lease; when held, writes the status of the routes, Gateways
    /// and ListenerSets (and this controller's GatewayClasses) that differs from the
    /// cluster's.
    pub async fn write(&self) -> Result<StatusSummary, ::kube::Error> {
        let mut summary = StatusSummary {
            leader: self.acquire().await?,
            ..StatusSummary::default()
        };
        if !summary.leader {
            return Ok(summary);
        }
        let snapshot = self.live.snapshot();
        for route in &snapshot.router().report().routes {
            let Some(resource) = route_resource(route.kind) else {
                continue;
            };
            let key = format!("{} {}/{}", resource.kind, route.namespace, route.name);
            let api: Api<DynamicObject> =
                Api::namespaced_with(self.client.clone(), &route.namespace, &resource);
            let Some(current) = fetch(&api, &route.name, &key, &mut summary).await else {
                continue;
            };
            let generation = current.metadata.generation.unwrap_or(0);
            let existing: Vec<Value> = current
                .data
                .pointer("/status/parents")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let parents = merge_parents(
                &existing,
                &route.parents,
                &self.options.controller_name,
                generation,
                &Timestamp::now().to_string(),
            );
            if same_entries(&existing, &parents) {
                summary.unchanged += 1;
                continue;
            }
            let patch = json!({
                "apiVersion": resource.api_version,
                "kind": resource.kind,
                "metadata": {"name": route.name, "namespace": route.namespace},
                "status": {"parents": parents},
            });
            let params = PatchParams::apply(&self.options.field_manager).force();
            self.pace().await;
            match api
                .patch_status(&route.name, &params, &Patch::Apply(&patch))
                .await
            {
                Ok(_) => summary.written.push(key),
                Err(e) => summary.failed.push((key, e.to_string())),
            }
        }
        self.write_gateways(snapshot.router().report(), &mut summary)
            .await;
        Ok(summary)
    }

    /// Writes the status of this controller's GatewayClasses and Gateways and of their
    /// ListenerSets.
    async fn write_gateways(&self, report: &crate::Report, summary: &mut StatusSummary) {
        let gateways = gateway_api("Gateway", "gateways");
        let classes = gateway_api("GatewayClass", "gatewayclasses");
        let class_api: Api<DynamicObject> = Api::all_with(self.client.clone(), &classes);
        // GatewayClass name -> whether it names this controller.
        let mut ours: HashMap<String, bool> = HashMap::new();
        // `namespace/name` of the Gateways written (or already as reported).
        let mut served: HashSet<String> = HashSet::new();
        for g in &report.gateways {
            let key = format!("Gateway {}/{}", g.namespace, g.name);
            let api: Api<DynamicObject> =
                Api::namespaced_with(self.client.clone(), &g.namespace, &gateways);
            let Some(current) = fetch(&api, &g.name, &key, summary).await else {
                continue;
            };
            let class = current
                .data
                .pointer("/spec/gatewayClassName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mine = match ours.get(&class) {
                Some(mine) => *mine,
                None => {
                    let mine = match class_api.get_opt(&class).await {
                        Ok(c) => c.is_some_and(|c| {
                            c.data
                                .pointer("/spec/controllerName")
                                .and_then(Value::as_str)
                                == Some(self.options.controller_name.as_str())
                        }),
                        Err(e) => {
                            summary
                                .failed
                                .push((format!("GatewayClass {class}"), e.to_string()));
                            continue;
                        }
                    };
                    ours.insert(class, mine);
                    mine
                }
            };
            if !mine {
                continue;
            }
            let gateway = format!("{}/{}", g.namespace, g.name);
            served.insert(gateway.clone());
            let now = Timestamp::now().to_string();
            let generation = current.metadata.generation.unwrap_or(0);
            let existing = current.data.get("status").cloned().unwrap_or(Value::Null);
            let mut status = json!({
                "conditions": conditions(&existing["conditions"], &g.conditions, generation, &now),
                "listeners": listeners(&existing, report, &gateway, None, generation, &now),
                "attachedListenerSets": report.listener_sets.iter().filter(|s| {
                    s.gateway.as_deref() == Some(gateway.as_str())
                        && crate::Condition::find(&s.conditions, "Accepted")
                            .is_some_and(crate::Condition::is_true)
                }).count(),
            });
            if !self.options.gateway_addresses.is_empty() {
                status["addresses"] = self
                    .options
                    .gateway_addresses
                    .iter()
                    .map(|a| {
                        let kind = if a.parse::<std::net::IpAddr>().is_ok() {
                            "IPAddress"
                        } else {
                            "Hostname"
                        };
                        json!({"type": kind, "value": a})
                    })
                    .collect();
            }
            self.apply_status(&api, &gateways, &current, &existing, status, key, summary)
                .await;
        }
        for c in &report.gateway_classes {
            if !ours.contains_key(&c.name) {
                // A class no served Gateway uses: find out whether it is this controller's.
                match class_api.get_opt(&c.name).await {
                    Ok(found) => {
                        let mine = found.is_some_and(|found| {
                            found
                                .data
                                .pointer("/spec/controllerName")
                                .and_then(Value::as_str)
                                == Some(self.options.controller_name.as_str())
                        });
                        ours.insert(c.name.clone(), mine);
                    }
                    Err(e) => {
                        let key = format!("GatewayClass {}", c.name);
                        summary.failed.push((key, e.to_string()));
                        continue;
                    }
                }
            }
            if ours.get(&c.name) != Some(&true) {
                continue;
            }
            let key = format!("GatewayClass {}", c.name);
            let Some(current) = fetch(&class_api, &c.name, &key, summary).await else {
                continue;
            };
            let now = Timestamp::now().to_string();
            let generation = current.metadata.generation.unwrap_or(0);
            let existing = current.data.get("status").cloned().unwrap_or(Value::Null);
            let status = json!({
                "conditions": conditions(&existing["conditions"], &c.conditions, generation, &now),
            });
            self.apply_status(
                &class_api, &classes, &current, &existing, status, key, summary,
            )
            .await;
        }
        let sets = gateway_api("ListenerSet", "listenersets");
        for l in &report.listener_sets {
            if !l.gateway.as_ref().is_some_and(|g| served.contains(g)) {
                continue;
            }
            let key = format!("ListenerSet {}/{}", l.namespace, l.name);
            let api: Api<DynamicObject> =
                Api::namespaced_with(self.client.clone(), &l.namespace, &sets);
            let Some(current) = fetch(&api, &l.name, &key, summary).await else {
                continue;
            };
            let now = Timestamp::now().to_string();
            let generation = current.metadata.generation.unwrap_or(0);
            let existing = current.data.get("status").cloned().unwrap_or(Value::Null);
            let set = format!("{}/{}", l.namespace, l.name);
            let gateway = l.gateway.clone().unwrap_or_default();
            let status = json!({
                "conditions": conditions(&existing["conditions"], &l.conditions, generation, &now),
                "listeners": listeners(&existing, report, &gateway, Some(&set), generation, &now),
            });
            self.apply_status(&api, &sets, &current, &existing, status, key, summary)
                .await;
        }
    }

    /// Applies `status` to `current` unless `existing` (its status) already holds it.
    #[allow(clippy::too_many_arguments)]
    async fn apply_status(
        &self,
        api: &Api<DynamicObject>,
        resource: &ApiResource,
        current: &DynamicObject,
        existing: &Value,
        status: Value,
        key: String,
        summary: &mut StatusSummary,
    ) {
        if same_status(existing, &status) {
            summary.unchanged += 1;
            return;
        }
        let name = current.metadata.name.clone().unwrap_or_default();
        let mut patch = json!({
            "apiVersion": resource.api_version,
            "kind": resource.kind,
            "metadata": {"name": name},
            "status": status,
        });
        if let Some(namespace) = &current.metadata.namespace {
            patch["metadata"]["namespace"] = json!(namespace);
        }
        let params = PatchParams::apply(&self.options.field_manager).force();
        self.pace().await;
        match api
            .patch_status(&name, &params, &Patch::Apply(&patch))
            .await
        {
            Ok(_) => summary.written.push(key),
            Err(e) => summary.failed.push((key, e.to_string())),
        }
    }
}

fn gateway_api(kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: "gateway.networking.k8s.io".into(),
        version: "v1".into(),
        api_version: "gateway.networking.k8s.io/v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// `conditions` as written: each with `observedGeneration` and the `lastTransitionTime` of
/// the condition of the same type in `old` (a `conditions` list, or null) when its status
/// did not change, `now` otherwise.
fn conditions(
    old: &Value,
    conditions: &[crate::Condition],
    generation: i64,
    now: &str,
) -> Vec<Value> {
    conditions
        .iter()
        .map(|c| {
            let before = old
                .as_array()
                .and_then(|cs| cs.iter().find(|o| o["type"] == *c.kind));
            let since = match before {
                Some(o) if o["status"] == *c.status => {
                    o["lastTransitionTime"].as_str().unwrap_or(now).to_string()
                }
                _ => now.to_string(),
            };
            json!({
                "type": c.kind,
                "status": c.status,
                "reason": c.reason,
                "message": c.message,
                "observedGeneration": generation,
                "lastTransitionTime": since,
            })
        })
        .collect()
}

/// `status.listeners` of Gateway `gateway` (its own listeners, `set` `None`) or of
/// ListenerSet `set`, from the report; `existing` is the object's current status.
fn listeners(
    existing: &Value,
    report: &crate::Report,
    gateway: &str,
    set: Option<&str>,
    generation: i64,
    now: &str,
) -> Vec<Value> {
    report
        .listeners
        .iter()
        .filter(|l| l.gateway == gateway && l.listener_set.as_deref() == set)
        .map(|l| {
            let old = existing["listeners"]
                .as_array()
                .and_then(|ls| ls.iter().find(|o| o["name"] == l.name.as_str()))
                .map(|o| &o["conditions"])
                .unwrap_or(&Value::Null);
            json!({
                "name": l.name,
                "supportedKinds": l.supported_kinds.iter().map(|k| json!({
                    "group": "gateway.networking.k8s.io", "kind": k,
                })).collect::<Vec<_>>(),
                "attachedRoutes": l.attached_routes,
                "conditions": conditions(old, &l.conditions, generation, now),
            })
        })
        .collect()
}

/// Whether `existing` (an object's status) already holds every field of `status` (lists
/// compared as sets of entries).
fn same_status(existing: &Value, status: &Value) -> bool {
    let Some(fields) = status.as_object() else {
        return false;
    };
    fields.iter().all(|(field, want)| {
        let have = &existing[field.as_str()];
        match (have.as_array(), want.as_array()) {
            (Some(have), Some(want)) => same_entries(have, want),
            // An empty list written is absent when read back.
            (None, Some(want)) => want.is_empty() && have.is_null(),
            _ => have == want,
        }
    })
}

fn lost_on_conflict<T>(result: Result<T, ::kube::Error>) -> Result<bool, ::kube::Error> {
    match result {
        Ok(_) => Ok(true),
        Err(::kube::Error::Api(e)) if e.code == 409 => Ok(false),
        Err(e) => Err(e),
    }
}

fn route_resource(kind: RouteKind) -> Option<ApiResource> {
    let (kind, plural) = match kind {
        RouteKind::Http => ("HTTPRoute", "httproutes"),
        RouteKind::Grpc => ("GRPCRoute", "grpcroutes"),
        RouteKind::Tls => ("TLSRoute", "tlsroutes"),
        RouteKind::Tcp => ("TCPRoute", "tcproutes"),
        RouteKind::Udp => ("UDPRoute", "udproutes"),
        RouteKind::Ingress => return None,
    };
    Some(ApiResource {
        group: "gateway.networking.k8s.io".into(),
        version: "v1".into(),
        api_version: "gateway.networking.k8s.io/v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    })
}

/// The `status.parents` to write: the entries of other controllers as they are, then this
/// controller's entries from `reported`, each condition with `observedGeneration` and the
/// `lastTransitionTime` of the existing condition when its status did not change (`now`
/// otherwise).
fn merge_parents(
    existing: &[Value],
    reported: &[crate::RouteParentStatus],
    controller: &str,
    generation: i64,
    now: &str,
) -> Vec<Value> {
    let mut out: Vec<Value> = existing
        .iter()
        .filter(|e| e["controllerName"].as_str() != Some(controller))
        .cloned()
        .collect();
    for p in reported {
        let (namespace, name) = p.parent.split_once('/').unwrap_or(("", &p.parent));
        let mut parent_ref = json!({
            "group": "gateway.networking.k8s.io",
            "kind": p.parent_kind,
            "namespace": namespace,
            "name": name,
        });
        if let Some(section) = &p.section_name {
            parent_ref["sectionName"] = json!(section);
        }
        if let Some(port) = p.port {
            parent_ref["port"] = json!(port);
        }
        let before = existing.iter().find(|e| {
            e["controllerName"].as_str() == Some(controller) && e["parentRef"] == parent_ref
        });
        let old = before.map(|b| &b["conditions"]).unwrap_or(&Value::Null);
        let conditions = conditions(old, &p.conditions, generation, now);
        out.push(json!({
            "parentRef": parent_ref,
            "controllerName": controller,
            "conditions": conditions,
        }));
    }
    out
}

/// Whether two `status.parents` lists hold the same entries (in any order).
fn same_entries(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// The object `name` as the cluster has it now; `None` when it was deleted meanwhile (nothing
/// to write) or could not be read (recorded under `key` in `summary.failed`).
async fn fetch(
    api: &Api<DynamicObject>,
    name: &str,
    key: &str,
    summary: &mut StatusSummary,
) -> Option<DynamicObject> {
    match api.get_opt(name).await {
        Ok(current) => current,
        Err(e) => {
            summary.failed.push((key.to_string(), e.to_string()));
            None
        }
    }
}

#[cfg(test)]
mod tests {

    /// Writes are spaced `1 / rate` apart from the first, which goes at once; no limit
    /// without a positive rate.
    #[test]
    fn pacer_spaces_writes() {
        use std::time::{Duration, Instant};
        let p = super::Pacer {
            next: std::sync::Mutex::new(None),
        };
        let t0 = Instant::now();
        let waits: Vec<Duration> = (0..4).map(|_| p.delay(t0, 10.0)).collect();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(waits, vec![ms(0), ms(100), ms(200), ms(300)]);
        // Later, past every booked slot: at once again.
        assert_eq!(p.delay(t0 + ms(1000), 10.0), Duration::ZERO);
        assert_eq!(p.delay(t0 + ms(1000), 0.0), Duration::ZERO);
        assert_eq!(p.delay(t0 + ms(1000), f64::NAN), Duration::ZERO);
    }

    use super::*;
    use crate::Condition;

    fn reported(accepted: bool) -> crate::RouteParentStatus {
        crate::RouteParentStatus {
            parent_kind: "Gateway".into(),
            parent: "ns/edge".into(),
            section_name: None,
            port: None,
            conditions: vec![Condition::new("Accepted", accepted, "Accepted", "ok")],
        }
    }

    #[test]
    fn other_controllers_entries_are_kept_and_unchanged_times_too() {
        let other = json!({"parentRef": {"name": "x"}, "controllerName": "other.io/c",
                           "conditions": []});
        let first = merge_parents(
            std::slice::from_ref(&other),
            &[reported(true)],
            "me.io/c",
            1,
            "T1",
        );
        assert_eq!(first.len(), 2);
        assert_eq!(first[0], other);
        assert_eq!(first[1]["conditions"][0]["lastTransitionTime"], "T1");
        assert_eq!(first[1]["parentRef"]["namespace"], "ns");
        // Same status later: nothing changes, so nothing would be written.
        let again = merge_parents(&first, &[reported(true)], "me.io/c", 1, "T2");
        assert!(same_entries(&first, &again));
        // A new generation or a changed status is a change; the time moves only with the status.
        let newer = merge_parents(&first, &[reported(true)], "me.io/c", 2, "T3");
        assert!(!same_entries(&first, &newer));
        assert_eq!(newer[1]["conditions"][0]["lastTransitionTime"], "T1");
        let flipped = merge_parents(&first, &[reported(false)], "me.io/c", 1, "T4");
        assert_eq!(flipped[1]["conditions"][0]["lastTransitionTime"], "T4");
        assert_eq!(flipped[0], other);
    }

    fn listener(
        gateway: &str,
        set: Option<&str>,
        name: &str,
        routes: u32,
    ) -> crate::ListenerStatus {
        crate::ListenerStatus {
            gateway: gateway.into(),
            name: name.into(),
            listener_set: set.map(str::to_string),
            attached_routes: routes,
            supported_kinds: vec!["HTTPRoute".into()],
            conditions: vec![Condition::new("Programmed", true, "Programmed", "ok")],
            protocol: Default::default(),
            port: 80,
            hostname: None,
        }
    }

    #[test]
    fn listeners_are_those_of_the_object_and_a_resync_is_the_same_status() {
        let report = crate::Report {
            listeners: vec![
                listener("ns/gw", None, "http", 2),
                listener("ns/gw", Some("ns/set"), "alt", 0),
                listener("ns/other", None, "http", 1),
            ],
            ..Default::default()
        };
        let own = listeners(&Value::Null, &report, "ns/gw", None, 3, "T1");
        assert_eq!(own.len(), 1);
        assert_eq!(own[0]["name"], "http");
        assert_eq!(own[0]["attachedRoutes"], 2);
        assert_eq!(
            own[0]["supportedKinds"],
            json!([{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}])
        );
        assert_eq!(own[0]["conditions"][0]["observedGeneration"], 3);
        let set = listeners(&Value::Null, &report, "ns/gw", Some("ns/set"), 1, "T1");
        assert_eq!(set.len(), 1);
        assert_eq!(set[0]["name"], "alt");

        let status = json!({"conditions": [], "listeners": own, "attachedListenerSets": 0});
        // As read back: an empty list is absent, and other fields may be there.
        let stored = json!({"listeners": own, "attachedListenerSets": 0, "addresses": []});
        assert!(same_status(&stored, &status));
        // Later: the times of unchanged conditions are kept, so nothing changes.
        let later = listeners(&stored, &report, "ns/gw", None, 3, "T2");
        assert_eq!(later, own);
        // A new generation, an attached route more, or a listener gone is a change.
        let newer = json!({"listeners": listeners(&stored, &report, "ns/gw", None, 4, "T2")});
        assert!(!same_status(&stored, &newer));
        let mut more = report.clone();
        more.listeners[0].attached_routes = 3;
        let more = json!({"listeners": listeners(&stored, &more, "ns/gw", None, 3, "T2")});
        assert!(!same_status(&stored, &more));
        assert!(!same_status(&stored, &json!({"listeners": []})));
        assert!(!same_status(&stored, &json!({"attachedListenerSets": 1})));
    }
}
