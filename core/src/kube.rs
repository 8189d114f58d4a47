//! Routes from a live Kubernetes API server (feature `kube`): a [`Follower`] lists and
//! watches the objects trieway loads and applies each event to a [`Live`] router as a change
//! set.
//!
//! Every object is read as a kube-rs `DynamicObject` of the version the API server prefers
//! (discovery), turned into JSON and loaded exactly as the same object in a file would be
//! ([`Change`]): the same validation, the same errors (their origin is `kube:Kind ns/name`).
//! No Gateway API struct is duplicated here.
//!
//! * Readiness ([`Ready`]): nothing is applied until the initial list of every followed kind
//!   has arrived; the objects of all kinds then apply as one change set, and only after that
//!   (and once a Router is published: a [`Live::empty`] router has none before) is the
//!   follower ready. A proxy that serves only when ready never serves a half-loaded
//!   table.
//! * Watches (kube-runtime's `watcher`) resume from the last resourceVersion, relist when it
//!   expired (410 Gone) and back off on errors. A relist applies as one change set: the
//!   listed objects, and deletes of the objects of that kind that are no longer listed.
//! * Order: one task reads every kind's stream, and the events of one object come from one
//!   stream in order, so no update of an object is lost or reordered. When a change set cannot
//!   be published (the next Router does not build, e.g. its last Gateway is deleted), its
//!   changes stay pending, merged per object with the next events, and are applied again with
//!   them; the current Router keeps serving meanwhile.
//! * Memory: the follower keeps the key of every object it applied (for relists) and at most
//!   one pending change per object.
//!
//! Status write-back (opt-in): [`StatusWriter`] writes the route status of the [`Live`]
//! router to the cluster, from the one replica holding the controller's Lease.
//!
//! Secrets: only those of type `kubernetes.io/tls` are followed (the type listener
//! `certificateRefs` name), not every Secret of the cluster. Objects the [`Live`] held before
//! following are kept unless the cluster has one with the same kind, namespace and name.

pub use crate::kube_status::{StatusOptions, StatusSummary, StatusWriter};

use crate::live::{ApplyResult, Change, Live, ObjectKey};
use crate::model::Origin;
use ::kube::api::{Api, DynamicObject};
use ::kube::discovery::{self, ApiResource};
use ::kube::runtime::watcher::{self, watcher};
use ::kube::runtime::WatchStreamExt;
use ::kube::Client;
use futures::stream::{self, BoxStream, StreamExt};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The kinds a [`Follower`] follows by default, as `(API group, kind)`: the Gateway API
/// kinds trieway routes with, the core kinds they refer to (ConfigMaps hold the CA bundles of
/// BackendTLSPolicies and of frontend client-certificate validation), and the experimental
/// XBackendTrafficPolicy (skipped when its CRD is not installed).
pub const KINDS: &[(&str, &str)] = &[
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("gateway.networking.k8s.io", "Gateway"),
    ("gateway.networking.k8s.io", "ListenerSet"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
    ("gateway.networking.k8s.io", "GRPCRoute"),
    ("gateway.networking.k8s.io", "TLSRoute"),
    ("gateway.networking.k8s.io", "TCPRoute"),
    ("gateway.networking.k8s.io", "UDPRoute"),
    ("gateway.networking.k8s.io", "ReferenceGrant"),
    ("gateway.networking.k8s.io", "BackendTLSPolicy"),
    ("", "Namespace"),
    ("", "Service"),
    ("discovery.k8s.io", "EndpointSlice"),
    ("", "Secret"),
    ("", "ConfigMap"),
    ("gateway.networking.x-k8s.io", "XBackendTrafficPolicy"),
];

/// What a [`Follower`] follows.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FollowOptions {
    /// The kinds to list and watch, as `(API group, kind)` (default [`KINDS`]). A kind the
    /// API server does not serve (its CRD is not installed) is skipped with a
    /// [`Event::Skipped`] and does not hold up readiness.
    pub kinds: Vec<(String, String)>,
    /// The field selector of the Secret watch (default `type=kubernetes.io/tls`); `None`
    /// follows every Secret.
    pub secret_field_selector: Option<String>,
}

impl Default for FollowOptions {
    fn default() -> FollowOptions {
        FollowOptions {
            kinds: KINDS
                .iter()
                .map(|(g, k)| (g.to_string(), k.to_string()))
                .collect(),
            secret_field_selector: Some("type=kubernetes.io/tls".to_string()),
        }
    }
}

/// Whether a [`Follower`] has applied the initial list of every kind and a Router is
/// published. Cheap to clone; every clone sees the same state.
#[derive(Debug, Clone)]
pub struct Ready(tokio::sync::watch::Receiver<bool>);

impl Ready {
    /// Whether the initial lists have been applied.
    pub fn is_ready(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until the initial lists have been applied. Returns at once when they have;
    /// returns `false` if the follower stopped before.
    pub async fn wait(&mut self) -> bool {
        self.0.wait_for(|ready| *ready).await.is_ok()
    }
}

/// What a [`Follower`] reports while it runs ([`Follower::run`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A change set was applied to the [`Live`] router (see [`ApplyResult`]: what applied,
    /// what was rejected and why, whether the build failed).
    Applied(&'a ApplyResult),
    /// The initial lists of every kind have been applied and a Router is published (for a
    /// [`Live::empty`] router: the first Router built from the cluster's objects, which
    /// needs the Gateway the options select): [`Ready::is_ready`] is now true.
    Ready,
    /// A complete list of one kind arrived: the initial list, or a relist (after the watch's
    /// resourceVersion expired, 410 Gone). A watch that resumes from its resourceVersion
    /// after a disconnection lists nothing.
    Listed {
        /// The kind.
        kind: String,
        /// How many objects it listed.
        objects: usize,
    },
    /// A kind is not followed: the API server does not serve it.
    Skipped {
        /// `group/kind`.
        kind: String,
    },
    /// A watch failed; it is retried with backoff (kube-runtime's default).
    WatchError {
        /// The kind whose watch failed.
        kind: String,
        /// The error.
        error: String,
    },
}

/// Why a [`Follower`] could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// API discovery of a group failed.
    #[error("discovery of API group {group:?} failed: {source}")]
    Discovery {
        /// The API group (empty for the core group).
        group: String,
        /// The client's error.
        source: ::kube::Error,
    },
    /// A list of one kind failed ([`list`]).
    #[error("listing {kind} failed: {source}")]
    List {
        /// The kind.
        kind: String,
        /// The client's error.
        source: ::kube::Error,
    },
}

/// Follows the objects of a cluster into a [`Live`] router. [`Follower::run`] does the work.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// let client = kube::Client::try_default().await?;
/// // Nothing routes (404) until the cluster's objects build a Router.
/// let live = Arc::new(trieway::Live::empty(trieway::Options::default()));
/// let follower = trieway::kube::Follower::new(client, live.clone(), Default::default());
/// let mut ready = follower.ready();
/// tokio::spawn(follower.run(|event| eprintln!("{event:?}")));
/// ready.wait().await;
/// // serve requests from live.load()
/// # Ok(()) }
/// ```
pub struct Follower {
    client: Client,
    live: Arc<Live>,
    options: FollowOptions,
    ready: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("options", &self.options)
            .field("ready", &*self.ready.borrow())
            .finish_non_exhaustive()
    }
}

/// One followed kind.
struct Kind {
    resource: ApiResource,
    /// Objects listed since the last `Init` (a list in progress).
    listing: Option<Vec<Change>>,
    /// Keys of the objects of this kind applied and not deleted since.
    known: HashSet<ObjectKey>,
    listed_once: bool,
}

impl Follower {
    /// A follower of `options.kinds` in the cluster of `client`, applying to `live`.
    pub fn new(client: Client, live: Arc<Live>, options: FollowOptions) -> Follower {
        let (ready, _) = tokio::sync::watch::channel(false);
        Follower {
            client,
            live,
            options,
            ready,
        }
    }

    /// A handle telling whether the initial lists have been applied.
    pub fn ready(&self) -> Ready {
        Ready(self.ready.subscribe())
    }

    /// Discovers the kinds, then lists and watches them, applying every event to the
    /// [`Live`] router and telling `report` what happened. Runs until the task is dropped
    /// (watch errors are retried); returns early only when discovery fails.
    pub async fn run(self, mut report: impl FnMut(Event<'_>)) -> Result<(), FollowError> {
        let mut kinds: Vec<Kind> = discover(&self.client, &self.options, &mut report)
            .await?
            .into_iter()
            .map(|resource| Kind {
                resource,
                listing: None,
                known: HashSet::new(),
                listed_once: false,
            })
            .collect();
        let mut streams: Vec<BoxStream<'static, (usize, WatchItem)>> = Vec::new();
        for (i, kind) in kinds.iter().enumerate() {
            let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &kind.resource);
            let mut config = watcher::Config::default();
            if kind.resource.kind == "Secret" {
                if let Some(selector) = &self.options.secret_field_selector {
                    config = config.fields(selector);
                }
            }
            let s = watcher(api, config)
                .default_backoff()
                .map(move |event| (i, event.map_err(|e| e.to_string())));
            streams.push(s.boxed());
        }
        let mut events = stream::select_all(streams);
        let mut pending: Vec<Change> = Vec::new();
        let mut ready = kinds.is_empty();
        if ready {
            self.ready.send_replace(true);
            report(Event::Ready);
        }
        while let Some((i, event)) = events.next().await {
            let kind = &mut kinds[i];
            let changes = match event {
                Err(error) => {
                    report(Event::WatchError {
                        kind: kind.resource.kind.clone(),
                        error,
                    });
                    continue;
                }
                Ok(watcher::Event::Init) => {
                    kind.listing = Some(Vec::new());
                    continue;
                }
                Ok(watcher::Event::InitApply(object)) => {
                    let change = upsert(&kind.resource, object);
                    kind.listing.get_or_insert_with(Vec::new).push(change);
                    continue;
                }
                Ok(watcher::Event::InitDone) => {
                    let listed = kind.listing.take().unwrap_or_default();
                    kind.listed_once = true;
                    report(Event::Listed {
                        kind: kind.resource.kind.clone(),
                        objects: listed.len(),
                    });
                    let keys: HashSet<ObjectKey> = listed.iter().map(Change::key).collect();
                    let mut changes = listed;
                    let mut gone: Vec<&ObjectKey> =
                        kind.known.iter().filter(|k| !keys.contains(k)).collect();
                    gone.sort();
                    changes.extend(
                        gone.into_iter()
                            .map(|k| Change::delete(&k.kind, &k.namespace, &k.name)),
                    );
                    changes
                }
                Ok(watcher::Event::Apply(object)) => vec![upsert(&kind.resource, object)],
                Ok(watcher::Event::Delete(object)) => vec![delete(&kind.resource, &object)],
            };
            for change in &changes {
                match change {
                    Change::Upsert { .. } => kind.known.insert(change.key()),
                    Change::Delete(key) => kind.known.remove(key),
                };
            }
            merge(&mut pending, changes);
            if !ready {
                // Nothing applies before every kind has been listed once.
                if !kinds.iter().all(|k| k.listed_once) {
                    continue;
                }
            }
            let result = self.live.apply(pending.iter().cloned());
            if result.failed.is_none() {
                pending.clear();
            }
            report(Event::Applied(&result));
            // An empty Live (version 0) is ready only once a Router is built: until then
            // it routes nothing, and the pending changes are applied again with the next
            // events.
            if !ready && self.live.version() > 0 {
                ready = true;
                self.ready.send_replace(true);
                report(Event::Ready);
            }
        }
        Ok(())
    }
}

/// The served resources of `options.kinds`, in order; the kinds not served are reported as
/// [`Event::Skipped`].
async fn discover(
    client: &Client,
    options: &FollowOptions,
    report: &mut impl FnMut(Event<'_>),
) -> Result<Vec<ApiResource>, FollowError> {
    let mut resources = Vec::new();
    let mut groups: HashMap<String, discovery::ApiGroup> = HashMap::new();
    for (group, kind) in &options.kinds {
        if !groups.contains_key(group) {
            match discovery::group(client, group).await {
                Ok(g) => {
                    groups.insert(group.clone(), g);
                }
                // A group that is not served at all (no Gateway API CRDs): its kinds are
                // skipped below.
                Err(::kube::Error::Discovery(_)) => {}
                Err(source) => {
                    return Err(FollowError::Discovery {
                        group: group.clone(),
                        source,
                    })
                }
            }
        }
        let found = groups.get(group).and_then(|g| {
            g.resources_by_stability()
                .into_iter()
                .find(|(r, _)| r.kind == *kind)
        });
        match found {
            Some((resource, _)) => resources.push(resource),
            None => report(Event::Skipped {
                kind: format!("{group}/{kind}"),
            }),
        }
    }
    Ok(resources)
}

/// The objects of a cluster, listed once ([`list`]).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Listing {
    /// One upsert per object (origin `kube:Kind namespace/name`), the kinds in the order of
    /// [`FollowOptions::kinds`].
    pub changes: Vec<Change>,
    /// The kinds the API server does not serve, as `group/kind`.
    pub skipped: Vec<String>,
}

/// Lists the objects of `options.kinds` once (in pages of 500), as the upserts a
/// [`Follower`] would apply first: for a one-time check of a cluster's objects.
pub async fn list(client: &Client, options: &FollowOptions) -> Result<Listing, FollowError> {
    let mut listing = Listing::default();
    let mut skipped = Vec::new();
    let resources = discover(client, options, &mut |event| {
        if let Event::Skipped { kind } = event {
            skipped.push(kind);
        }
    })
    .await?;
    listing.skipped = skipped;
    for resource in resources {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
        let mut params = ::kube::api::ListParams::default().limit(500);
        if resource.kind == "Secret" {
            if let Some(selector) = &options.secret_field_selector {
                params = params.fields(selector);
            }
        }
        loop {
            let page = api
                .list(&params)
                .await
                .map_err(|source| FollowError::List {
                    kind: resource.kind.clone(),
                    source,
                })?;
            let next = page.metadata.continue_.clone().filter(|c| !c.is_empty());
            listing
                .changes
                .extend(page.items.into_iter().map(|o| upsert(&resource, o)));
            match next {
                Some(token) => params = params.continue_token(&token),
                None => break,
            }
        }
    }
    Ok(listing)
}

type WatchItem = Result<watcher::Event<DynamicObject>, String>;

/// Adds `changes` after `pending`, keeping one change per object: the last (an object's
/// newer change replaces its older one, which is dropped from its place).
fn merge(pending: &mut Vec<Change>, changes: Vec<Change>) {
    if pending.is_empty() {
        *pending = changes;
        return;
    }
    let newer: HashSet<ObjectKey> = changes.iter().map(Change::key).collect();
    pending.retain(|c| !newer.contains(&c.key()));
    pending.extend(changes);
}

/// The upsert of a listed or watched object: its JSON with `apiVersion` and `kind` (list
/// items may lack them) and without `metadata.managedFields` (bookkeeping of the API server,
/// never read by trieway).
fn upsert(resource: &ApiResource, object: DynamicObject) -> Change {
    let key = key(resource, &object);
    let mut value = serde_json::to_value(&object).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(
            "apiVersion".into(),
            Value::String(resource.api_version.clone()),
        );
        map.insert("kind".into(), Value::String(resource.kind.clone()));
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            meta.remove("managedFields");
        }
    }
    Change::Upsert {
        object: value,
        origin: Origin {
            file: Arc::from(format!("kube:{key}")),
            index: 0,
        },
    }
}

fn delete(resource: &ApiResource, object: &DynamicObject) -> Change {
    Change::Delete(key(resource, object))
}

fn key(resource: &ApiResource, object: &DynamicObject) -> ObjectKey {
    // ObjectKey::new drops the namespace of cluster-scoped kinds.
    ObjectKey::new(
        &resource.kind,
        object.metadata.namespace.as_deref().unwrap_or(""),
        object.metadata.name.as_deref().unwrap_or(""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, port: u16) -> Change {
        Change::upsert(serde_json::json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"ports": [{"port": port}]},
        }))
    }

    #[test]
    fn merge_keeps_the_last_change_per_object_in_order() {
        let mut pending = vec![up("a", 1), up("b", 1)];
        merge(
            &mut pending,
            vec![Change::delete("Service", "default", "a"), up("c", 1)],
        );
        let keys: Vec<String> = pending.iter().map(|c| c.key().to_string()).collect();
        assert_eq!(
            keys,
            [
                "Service default/b",
                "Service default/a",
                "Service default/c"
            ]
        );
        assert!(matches!(pending[1], Change::Delete(_)));
        merge(&mut pending, vec![up("b", 2)]);
        assert_eq!(pending.len(), 3);
        assert_eq!(pending[2], up("b", 2));
    }

    #[test]
    fn upsert_sets_type_and_drops_managed_fields() {
        let resource = ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "Service".into(),
            plural: "services".into(),
        };
        let object: DynamicObject = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "api", "namespace": "shop", "managedFields": [{"manager": "x"}]},
            "spec": {"ports": [{"port": 80}]},
        }))
        .unwrap();
        let change = upsert(&resource, object);
        assert_eq!(change.key().to_string(), "Service shop/api");
        let Change::Upsert { object, origin } = change else {
            panic!("not an upsert")
        };
        assert_eq!(object["kind"], "Service");
        assert_eq!(object["apiVersion"], "v1");
        assert!(object["metadata"].get("managedFields").is_none());
        assert_eq!(&*origin.file, "kube:Service shop/api");
    }
}
