//! [`Live`]: the current [`Router`] shared between a proxy's threads, replaced atomically by
//! change sets ([`Change`], [`Live::apply`]).
//!
//! Readers take the published [`Snapshot`] with one atomic load (arc-swap: no lock, no
//! allocation); a lookup keeps its snapshot, and so the tables it borrows, until it is done,
//! whatever is published meanwhile. Writers are serialized by a mutex around the writer state:
//! the validated objects currently serving (a [`Config`]), from which each change set builds
//! the next Router.
//!
//! An update validates only the objects it changes (each alone, exactly as the loader
//! validates it in a whole file; validation of an object reads nothing else) and replaces them
//! in the stored configuration. An object that fails validation is rejected with its errors
//! and its previous version keeps serving; the valid rest of the change set applies. A build
//! that fails (no Gateway left, for example) or panics restores the previous objects and leaves
//! the current Router serving.
//!
//! The next Router is built incrementally when the change set holds HTTPRoutes, GRPCRoutes,
//! Services, ReferenceGrants to Services and Namespaces only (see `crate::incremental`): the
//! changed routes and the routes those objects affect are attached and compiled again, the
//! vhosts of their hostnames laid out again, and every other table is shared with the previous
//! Router ([`ApplyResult::incremental`]). Anything else is a full build
//! ([`ApplyResult::full_build`] says why).
//!
//! The result always equals a full build from the same objects in the same order
//! ([`Live::config`] is that order), which the proptests in `tests/live.rs` check on random
//! change sequences.

use crate::config::Config;
use crate::error::{ConfigError, Error};
use crate::incremental::{Changed, Incremental, Step};
use crate::load::{key_of, object_key, parse_documents};
use crate::model::{Object, ObjectMeta, Origin, Route, RouteKind};
use crate::options::Options;
use crate::router::Router;
use arc_swap::ArcSwap;
use serde_json::Value;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};

/// The kinds a change set can name, as `kind` values (`XListenerSet` counts as
/// `ListenerSet`).
pub(crate) const KINDS: &[&str] = &[
    "GatewayClass",
    "Gateway",
    "ListenerSet",
    "HTTPRoute",
    "GRPCRoute",
    "TLSRoute",
    "TCPRoute",
    "UDPRoute",
    "ReferenceGrant",
    "Namespace",
    "Service",
    "EndpointSlice",
    "Secret",
    "ConfigMap",
    "Ingress",
    "IngressClass",
    "BackendTLSPolicy",
    "XBackendTrafficPolicy",
];

/// Identifies an object of a change set: kind, namespace (empty for cluster-scoped kinds)
/// and name. Its `Display` form is `Kind namespace/name` (or `Kind name`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// `HTTPRoute`, `Gateway`, … (`XListenerSet` is `ListenerSet`).
    pub kind: String,
    /// Namespace; empty for GatewayClass, Namespace and IngressClass.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectKey {
    /// The key of an object of `kind` as the loader keys it: a cluster-scoped kind has no
    /// namespace, a namespaced kind without one is in `default`.
    pub fn new(kind: &str, namespace: &str, name: &str) -> ObjectKey {
        let (kind, namespace, name) = key_of(kind, namespace, name);
        ObjectKey {
            kind,
            namespace,
            name,
        }
    }

    /// `namespace/name`, or `name` for a cluster-scoped kind (as [`ConfigError::object`]).
    pub fn object(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.object())
    }
}

/// One change of a change set ([`Live::apply`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// Creates or replaces the object (a Kubernetes object with `apiVersion`, `kind` and
    /// `metadata`, as in a YAML file), keyed by kind, namespace and name.
    Upsert {
        /// The object.
        object: Value,
        /// Where it came from, as error messages show it.
        origin: Origin,
    },
    /// Deletes the object of that kind, namespace and name (nothing when there is none).
    Delete(ObjectKey),
}

impl Change {
    /// Creates or replaces `object` (origin `<change>#0`).
    pub fn upsert(object: Value) -> Change {
        Change::Upsert {
            object,
            origin: Origin {
                file: Arc::from("<change>"),
                index: 0,
            },
        }
    }

    /// Deletes the object of `kind` named `namespace/name` (`namespace` is ignored for
    /// cluster-scoped kinds and defaults to `default` when empty).
    pub fn delete(kind: &str, namespace: &str, name: &str) -> Change {
        Change::Delete(ObjectKey::new(kind, namespace, name))
    }

    /// One upsert per object of YAML or JSON `text` (documents, JSON arrays, `kind: List`
    /// items), each with its origin in file `name`. `Err(Error::Invalid)` lists the documents
    /// that do not parse (nothing is returned then: a half-read file is not a change set).
    ///
    /// ```
    /// let changes = trieway::Change::parse(r#"
    /// apiVersion: v1
    /// kind: Service
    /// metadata: {name: api, namespace: shop}
    /// spec: {ports: [{port: 8080}]}
    /// "#, "service.yaml").unwrap();
    /// assert_eq!(changes.len(), 1);
    /// assert_eq!(changes[0].key().to_string(), "Service shop/api");
    /// ```
    pub fn parse(text: &str, name: &str) -> Result<Vec<Change>, Error> {
        let (values, errors) = parse_documents(text, name);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        Ok(values
            .into_iter()
            .map(|(object, origin)| Change::Upsert { object, origin })
            .collect())
    }

    /// The object the change names (fields the object lacks are empty).
    pub fn key(&self) -> ObjectKey {
        match self {
            Change::Upsert { object, .. } => {
                let (kind, namespace, name) = object_key(object);
                ObjectKey {
                    kind,
                    namespace,
                    name,
                }
            }
            Change::Delete(key) => key.clone(),
        }
    }
}

/// What [`Live::apply`] did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ApplyResult {
    /// The version serving after the call ([`Snapshot::version`]); unchanged when nothing
    /// was published.
    pub version: u64,
    /// Whether a new Router was published.
    pub published: bool,
    /// The changes that took effect, in order: upserts of valid objects, deletes of existing
    /// ones.
    pub applied: Vec<ObjectKey>,
    /// Upserts of objects stored exactly so already (same fields and origin): nothing to
    /// rebuild for them.
    pub unchanged: Vec<ObjectKey>,
    /// Upserts refused, each with why: the object is invalid (every error names the object,
    /// its origin and the field, as [`Config::errors`] does) or of a kind trieway does not
    /// load. The previous version of the object, if any, keeps serving.
    pub rejected: Vec<(ObjectKey, Vec<ConfigError>)>,
    /// Problems of applied objects that do not reject them (invalid rules, which the route
    /// status reports, and unknown fields under [`crate::UnknownFields::Warn`]), and deletes
    /// of objects that did not exist.
    pub warnings: Vec<ConfigError>,
    /// Why the new Router could not be built (no Gateway left, a panic): nothing of the
    /// change set was applied and the previous Router keeps serving.
    pub failed: Option<String>,
    /// Whether the published Router was built incrementally from the previous one (a
    /// change set of HTTPRoutes and GRPCRoutes: see [`Live::apply`]) rather than in full.
    pub incremental: bool,
    /// When a Router was published but not incrementally: why it was built in full (for
    /// example "not a change set of HTTPRoutes and GRPCRoutes alone").
    pub full_build: Option<String>,
}

impl ApplyResult {
    /// Whether every change applied (nothing rejected, the build did not fail).
    pub fn is_clean(&self) -> bool {
        self.rejected.is_empty() && self.failed.is_none()
    }
}

impl fmt::Display for ApplyResult {
    /// One line (`version 3: 2 applied, 0 unchanged, 1 rejected, 0 warning(s); built
    /// incrementally`), then one line per problem.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "version {}: {} applied, {} unchanged, {} rejected, {} warning(s)",
            self.version,
            self.applied.len(),
            self.unchanged.len(),
            self.rejected.len(),
            self.warnings.len()
        )?;
        if let Some(why) = &self.failed {
            write!(f, "; not published: {why}")?;
        }
        if self.incremental {
            write!(f, "; built incrementally")?;
        } else if let Some(why) = &self.full_build {
            write!(f, "; full build: {why}")?;
        }
        for (_, errors) in &self.rejected {
            for e in errors {
                write!(f, "\n  rejected: {e}")?;
            }
        }
        for w in &self.warnings {
            write!(f, "\n  warning: {w}")?;
        }
        Ok(())
    }
}

/// One published version: the Router and its version number (1 for the first, one more for
/// each publication; 0 for the Router of an empty [`Live`], [`Live::empty`], which routes
/// nothing).
#[derive(Debug)]
pub struct Snapshot {
    router: Router,
    version: u64,
}

impl Snapshot {
    /// The Router of this version.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The version number.
    pub fn version(&self) -> u64 {
        self.version
    }
}

impl std::ops::Deref for Snapshot {
    type Target = Router;
    fn deref(&self) -> &Router {
        &self.router
    }
}

/// What a [`Live`] compiles.
#[derive(Debug, Clone)]
enum Target {
    /// The Gateway of the options, as [`Router::new`].
    Gateway,
    /// Ingresses of an IngressClass (or all), as [`Router::from_ingress`].
    Ingress(Option<String>),
}

/// The writer state: the objects serving and how to build a Router from them.
#[derive(Debug)]
struct Writer {
    config: Config,
    options: Options,
    target: Target,
    version: u64,
    /// What the next update can start from (after a full build of a Gateway), when it
    /// changes only routes (see `crate::incremental`).
    incremental: Option<Incremental>,
    /// Tests: the next build panics.
    #[cfg(test)]
    panic_next: bool,
}

/// The current [`Router`] of a changing configuration, shared between threads.
///
/// ```
/// use trieway::{Change, Live, Options, Outcome, Request};
///
/// let live = Live::from_yaml(include_str!("../examples/demo.yaml"), Options::default())?;
/// let before = live.version();
/// // Readers: one atomic load per request, no lock, no allocation.
/// let snapshot = live.load();
/// let _ = snapshot.route(&Request::new("GET", "shop.example.com", "/"));
///
/// // A writer replaces a route; readers see the new Router from their next load on.
/// let result = live.apply(Change::parse(r#"
/// apiVersion: gateway.networking.k8s.io/v1
/// kind: HTTPRoute
/// metadata: {name: added, namespace: default}
/// spec:
///   parentRefs: [{name: edge, namespace: infra}]
///   hostnames: [added.example.com]
///   rules: [{backendRefs: [{name: added, port: 80}]}]
/// "#, "added.yaml")?);
/// assert!(result.is_clean(), "{result}");
/// assert_eq!(live.version(), before + 1);
/// let now = live.load();
/// assert!(matches!(now.route(&Request::new("GET", "added.example.com", "/")), Outcome::Matched(_)));
/// # Ok::<(), trieway::Error>(())
/// ```
#[derive(Debug)]
pub struct Live {
    current: ArcSwap<Snapshot>,
    writer: Mutex<Writer>,
}

impl Live {
    /// Builds the first Router from `config` (as [`Router::new`]) and keeps `config` as the
    /// objects that change sets change.
    pub fn new(config: Config, options: Options) -> Result<Live, Error> {
        Live::start(config, options, Target::Gateway)
    }

    /// Like [`Live::new`] for a Router of the Ingress objects of `class` (as
    /// [`Router::from_ingress`]).
    pub fn from_ingress(config: Config, class: Option<&str>, options: Options) -> Live {
        let target = Target::Ingress(class.map(str::to_string));
        let router = build(&config, &options, &target)
            .map(|(router, _)| router)
            .unwrap_or_else(|_| {
                // Ingress builds cannot fail; an empty table is the fallback.
                Router::from_ingress(&Config::default(), None, options.clone())
            });
        Live::with_router(config, options, target, router, 1)
    }

    /// A Live router with no objects yet, for a configuration that arrives later in change
    /// sets (from a cluster: `trieway::kube::Follower`, feature `kube`). Until the first change set builds
    /// a Router, the snapshot is version 0 and its Router routes nothing: every request is
    /// answered 404 (`Outcome::NotFound`), its report is empty. The first Router published
    /// (of the Gateway `options` select, as [`Live::new`]) is version 1.
    pub fn empty(options: Options) -> Live {
        let router = Router::from_ingress(&Config::default(), None, options.clone());
        Live::with_router(Config::default(), options, Target::Gateway, router, 0)
    }

    /// Loads YAML or JSON text (unknown fields as [`Options::unknown_fields`] says), refuses
    /// it if any object is invalid, and starts with the Router of its Gateway.
    pub fn from_yaml(text: &str, options: Options) -> Result<Live, Error> {
        let mut config = Config::builder().with_unknown_fields(options.unknown_fields);
        config.add_str(text, "<string>");
        Live::new(config.finish().strict()?, options)
    }

    fn start(config: Config, options: Options, target: Target) -> Result<Live, Error> {
        let (router, incremental) = build(&config, &options, &target)?;
        let live = Live::with_router(config, options, target, router, 1);
        live.lock().incremental = incremental;
        Ok(live)
    }

    fn with_router(
        config: Config,
        options: Options,
        target: Target,
        router: Router,
        version: u64,
    ) -> Live {
        let mut config = config;
        // Problems of the initial load were the caller's to see; the stored configuration
        // holds objects only.
        config.errors.clear();
        config.warnings.clear();
        Live {
            current: ArcSwap::from_pointee(Snapshot { router, version }),
            writer: Mutex::new(Writer {
                config,
                options,
                target,
                version,
                incremental: None,
                #[cfg(test)]
                panic_next: false,
            }),
        }
    }

    /// The current snapshot, for one request: one atomic load, no lock, no allocation. The
    /// guard keeps its version alive while held; meant for the duration of a request (hold
    /// an `Arc<Snapshot>` from [`Live::snapshot`] for longer).
    #[inline]
    pub fn load(&self) -> impl std::ops::Deref<Target = Arc<Snapshot>> + fmt::Debug + '_ {
        self.current.load()
    }

    /// The current snapshot as an owned handle (a reference count increment), for holding
    /// across requests or threads.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// A clone of the current Router.
    pub fn router(&self) -> Router {
        self.current.load().router.clone()
    }

    /// The version currently published.
    pub fn version(&self) -> u64 {
        self.current.load().version
    }

    /// A copy of the objects serving, in the order a full build reads them: a Router built
    /// from it with the same options ([`Router::new`]) equals the current one.
    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
        // A panic while the lock was held happened before any change to the state or was
        // undone (builds run under `catch_unwind`): the state is consistent.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies a change set and publishes the next Router. Updates are serialized: a
    /// concurrent call waits. Readers are never blocked and keep the snapshot they loaded.
    ///
    /// Each upsert is validated on its own, exactly as the loader validates it in a file
    /// (with [`Options::unknown_fields`]); an invalid object is reported in
    /// [`ApplyResult::rejected`] with its field paths and its previous version keeps
    /// serving; the valid rest of the change set applies. Changes apply in order (a later
    /// change to the same object wins). When the next Router cannot be built (an error such
    /// as no Gateway left, or a panic), nothing of the change set is kept and the current
    /// Router keeps serving ([`ApplyResult::failed`]).
    pub fn apply(&self, changes: impl IntoIterator<Item = Change>) -> ApplyResult {
        let mut w = self.lock();
        let mut result = ApplyResult {
            version: w.version,
            ..ApplyResult::default()
        };
        let mut undo: Vec<(String, Config, Undo)> = Vec::new();
        let mut changed_objects: Vec<Changed> = Vec::new();
        for change in changes {
            let (key, mut one) = match change {
                Change::Upsert { object, origin } => {
                    let (kind, namespace, name) = object_key(&object);
                    let key = ObjectKey {
                        kind,
                        namespace,
                        name,
                    };
                    // Validation never panics on any input; should it, the object is
                    // rejected and nothing of the state has changed for it.
                    let loaded = catch_unwind(AssertUnwindSafe(|| {
                        load_one(object, origin, &w.options, &key)
                    }))
                    .unwrap_or_else(|panic| {
                        Err(vec![ConfigError::new(
                            key.kind.clone(),
                            key.object(),
                            None,
                            "",
                            format!("validation panicked: {}", panic_message(&*panic)),
                        )])
                    });
                    match loaded {
                        Ok((one, warnings)) => {
                            result.warnings.extend(warnings);
                            (key, one)
                        }
                        Err(errors) => {
                            result.rejected.push((key, errors));
                            continue;
                        }
                    }
                }
                Change::Delete(key) => {
                    let key = ObjectKey::new(&key.kind, &key.namespace, &key.name);
                    (key, Config::default())
                }
            };
            let deleting = !holds_object(&one, &key.kind);
            match exchange(&mut w.config, &mut one, &key) {
                Some(Undo::Nothing) | None => {
                    let message = if !KINDS.contains(&key.kind.as_str()) {
                        "not a kind a change set can hold; nothing changed"
                    } else if deleting {
                        "delete of an object that does not exist; nothing changed"
                    } else {
                        "nothing changed"
                    };
                    result.warnings.push(ConfigError::new(
                        key.kind.clone(),
                        key.object(),
                        None,
                        "",
                        message,
                    ));
                }
                Some(Undo::Unchanged) => result.unchanged.push(key),
                Some(Undo::Pushed) if object_count(&w.config) > MAX_OBJECTS => {
                    restore(&mut w.config, &mut one, &key.kind, Undo::Pushed);
                    let e = ConfigError::new(
                        key.kind.clone(),
                        key.object(),
                        None,
                        "",
                        format!(
                            "more than {MAX_OBJECTS} objects (LoadLimits::max_objects); \
                             this object is not added"
                        ),
                    );
                    result.rejected.push((key, vec![e]));
                }
                Some(step) => {
                    changed_objects.push(changed(&w.config, &one, &key, step));
                    result.applied.push(key.clone());
                    undo.push((key.kind, one, step));
                }
            }
        }
        if result.applied.is_empty() {
            return result;
        }
        match self.build_locked(&mut w, &changed_objects) {
            Ok((router, full)) => {
                result.incremental = full.is_none();
                result.full_build = full;
                w.version += 1;
                result.version = w.version;
                result.published = true;
                let old = self.current.swap(Arc::new(Snapshot {
                    router,
                    version: w.version,
                }));
                // Readers see the new version from here on. The old one is freed here, after
                // the lock is released, when no reader holds it any more (else by the last
                // reader to let go). Freeing it on another thread was measured slower: with
                // the system allocator both threads then contend for the same arena.
                drop(w);
                drop(old);
            }
            Err(why) => {
                for (kind, mut one, step) in undo.into_iter().rev() {
                    restore(&mut w.config, &mut one, &kind, step);
                }
                result.failed = Some(why);
                result.applied.clear();
            }
        }
        result
    }

    /// Builds the next Router from the writer state, catching panics: incrementally from the
    /// previous one when `steps` allow it, else in full (and why).
    fn build_locked(
        &self,
        w: &mut Writer,
        changes: &[Changed],
    ) -> Result<(Router, Option<String>), String> {
        #[cfg(test)]
        let panic_next = std::mem::take(&mut w.panic_next);
        let mut why = "the previous build left nothing to update from".to_string();
        if let Some(mut inc) = w.incremental.take() {
            let (config, options) = (&w.config, &w.options);
            let next = catch_unwind(AssertUnwindSafe(|| {
                #[cfg(test)]
                if panic_next {
                    panic!("injected build panic");
                }
                inc.update(config, options, changes)
            }));
            match next {
                Ok(Ok(router)) => {
                    w.incremental = Some(inc);
                    return Ok((router, None));
                }
                // The state is spent; a full build records it afresh.
                Ok(Err(e)) => why = e.0.to_string(),
                Err(panic) => {
                    return Err(format!("the build panicked: {}", panic_message(&*panic)));
                }
            }
        }
        let (config, options, target) = (&w.config, &w.options, &w.target);
        let built = catch_unwind(AssertUnwindSafe(|| {
            #[cfg(test)]
            if panic_next {
                panic!("injected build panic");
            }
            build(config, options, target)
        }));
        match built {
            Ok(Ok((router, incremental))) => {
                w.incremental = incremental;
                Ok((router, Some(why)))
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(panic) => Err(format!("the build panicked: {}", panic_message(&*panic))),
        }
    }

    /// Tests: makes the next build panic.
    #[cfg(test)]
    pub(crate) fn panic_next_build(&self) {
        self.lock().panic_next = true;
    }
}

/// The message of a caught panic.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".to_string())
}

/// What an applied change was, for an incremental update: `store` holds the objects after
/// it, `one` what it moved out.
fn changed(store: &Config, one: &Config, key: &ObjectKey, step: Undo) -> Changed {
    let step = match step {
        Undo::Replaced(i) => Step::Replaced(i),
        Undo::Removed(i) => Step::Removed(i),
        _ => Step::Pushed,
    };
    let (ns, name) = (key.namespace.clone(), key.name.clone());
    match key.kind.as_str() {
        "HTTPRoute" => Changed::Route(RouteKind::Http, step),
        "GRPCRoute" => Changed::Route(RouteKind::Grpc, step),
        "Service" => Changed::Service(ns, name, step),
        "ReferenceGrant" => {
            let services_only = |g: &Object<crate::model::ReferenceGrantSpec>| {
                g.spec
                    .to
                    .iter()
                    .all(|t| t.group.is_empty() && t.kind == "Service")
            };
            let now = store
                .reference_grants
                .iter()
                .filter(|g| g.meta.namespace == ns && g.meta.name == name)
                .all(services_only);
            if now && one.reference_grants.iter().all(services_only) {
                Changed::ServiceGrant(ns)
            } else {
                Changed::Other
            }
        }
        "Namespace" => Changed::Namespace(name),
        _ => Changed::Other,
    }
}

/// A full build of `config`, with the state incremental updates start from (Gateways only).
fn build(
    config: &Config,
    options: &Options,
    target: &Target,
) -> Result<(Router, Option<Incremental>), Error> {
    match target {
        Target::Gateway => {
            let recorded = Router::new_recorded(config, options.clone())?;
            let router = recorded.router.clone();
            Ok((router, Some(Incremental::new(config, recorded))))
        }
        Target::Ingress(class) => Ok((
            Router::from_ingress(config, class.as_deref(), options.clone()),
            None,
        )),
    }
}

/// Loads and validates one object on its own: `Ok` with a configuration holding exactly that
/// object (and the warnings to report), or `Err` with why it is refused.
fn load_one(
    object: Value,
    origin: Origin,
    options: &Options,
    key: &ObjectKey,
) -> Result<(Config, Vec<ConfigError>), Vec<ConfigError>> {
    let mut b = Config::builder().with_unknown_fields(options.unknown_fields);
    b.add_value_with_origin(object, origin.clone());
    let mut one = b.finish();
    let errors = std::mem::take(&mut one.errors);
    let warnings = std::mem::take(&mut one.warnings);
    if KINDS.contains(&key.kind.as_str()) && holds_object(&one, &key.kind) {
        let mut all = errors;
        all.extend(warnings);
        return Ok((one, all));
    }
    let mut why = errors;
    if why.is_empty() {
        // Skipped with a warning (an unknown kind, a version not served): not loaded.
        why = warnings;
    }
    if why.is_empty() {
        why.push(ConfigError::new(
            key.kind.clone(),
            key.object(),
            Some(origin),
            "kind",
            format!("not a kind a change set can hold ({})", KINDS.join(", ")),
        ));
    }
    Err(why)
}

/// How to undo one [`exchange`].
#[derive(Debug, Clone, Copy)]
enum Undo {
    /// Nothing was there and nothing came.
    Nothing,
    /// The object was already stored as it came (same fields and origin).
    Unchanged,
    /// The object at this position was replaced.
    Replaced(usize),
    /// The object at this position was removed.
    Removed(usize),
    /// An object was appended.
    Pushed,
}

/// The metadata of stored objects and routes alike.
trait Meta {
    fn meta(&self) -> &ObjectMeta;
}

impl<S> Meta for Object<S> {
    fn meta(&self) -> &ObjectMeta {
        &self.meta
    }
}

impl<S> Meta for Route<S> {
    fn meta(&self) -> &ObjectMeta {
        &self.object.meta
    }
}

/// Runs `$body` with `$store` and `$one` bound to the lists of `$kind` in two configurations;
/// `None` for a kind that is not a list of `Config`.
macro_rules! with_lists {
    ($kind:expr, $a:expr, $b:expr, |$store:ident, $one:ident| $body:expr) => {
        match $kind {
            "GatewayClass" => with_lists!(@ $a, $b, gateway_classes, $store, $one, $body),
            "Gateway" => with_lists!(@ $a, $b, gateways, $store, $one, $body),
            "ListenerSet" => with_lists!(@ $a, $b, listener_sets, $store, $one, $body),
            "HTTPRoute" => with_lists!(@ $a, $b, http_routes, $store, $one, $body),
            "GRPCRoute" => with_lists!(@ $a, $b, grpc_routes, $store, $one, $body),
            "TLSRoute" => with_lists!(@ $a, $b, tls_routes, $store, $one, $body),
            "TCPRoute" => with_lists!(@ $a, $b, tcp_routes, $store, $one, $body),
            "UDPRoute" => with_lists!(@ $a, $b, udp_routes, $store, $one, $body),
            "ReferenceGrant" => with_lists!(@ $a, $b, reference_grants, $store, $one, $body),
            "Namespace" => with_lists!(@ $a, $b, namespaces, $store, $one, $body),
            "Service" => with_lists!(@ $a, $b, services, $store, $one, $body),
            "EndpointSlice" => with_lists!(@ $a, $b, endpoint_slices, $store, $one, $body),
            "Secret" => with_lists!(@ $a, $b, secrets, $store, $one, $body),
            "ConfigMap" => with_lists!(@ $a, $b, config_maps, $store, $one, $body),
            "Ingress" => with_lists!(@ $a, $b, ingresses, $store, $one, $body),
            "IngressClass" => with_lists!(@ $a, $b, ingress_classes, $store, $one, $body),
            "BackendTLSPolicy" => {
                with_lists!(@ $a, $b, backend_tls_policies, $store, $one, $body)
            }
            "XBackendTrafficPolicy" => {
                with_lists!(@ $a, $b, backend_traffic_policies, $store, $one, $body)
            }
            _ => None,
        }
    };
    (@ $a:expr, $b:expr, $field:ident, $store:ident, $one:ident, $body:expr) => {{
        let $store = &mut $a.$field;
        let $one = &mut $b.$field;
        Some($body)
    }};
}

/// The most objects a Live holds, as the loader's default [`crate::LoadLimits`]: an upsert
/// of a new object past it is rejected.
const MAX_OBJECTS: usize = crate::load::DEFAULT_MAX_OBJECTS;

/// The number of objects of `c`.
fn object_count(c: &Config) -> usize {
    c.gateway_classes.len()
        + c.gateways.len()
        + c.listener_sets.len()
        + c.http_routes.len()
        + c.grpc_routes.len()
        + c.tls_routes.len()
        + c.tcp_routes.len()
        + c.udp_routes.len()
        + c.reference_grants.len()
        + c.namespaces.len()
        + c.services.len()
        + c.endpoint_slices.len()
        + c.secrets.len()
        + c.config_maps.len()
        + c.ingresses.len()
        + c.ingress_classes.len()
        + c.backend_tls_policies.len()
        + c.backend_traffic_policies.len()
}

/// Whether `one` holds an object of `kind` (it holds at most one object).
fn holds_object(one: &Config, kind: &str) -> bool {
    object_count(one) > 0 && KINDS.contains(&kind)
}

/// Puts the object of `one` (of kind `key.kind`, or none for a delete) in `store` in place of
/// the stored object with `key`'s namespace and name; the replaced object moves to `one`.
fn exchange(store: &mut Config, one: &mut Config, key: &ObjectKey) -> Option<Undo> {
    let (ns, name) = (key.namespace.as_str(), key.name.as_str());
    with_lists!(key.kind.as_str(), store, one, |store, one| {
        let at = store
            .iter()
            .position(|o| o.meta().name == name && o.meta().namespace == ns);
        match (at, one.pop()) {
            (Some(i), Some(new)) if store[i] == new => Undo::Unchanged,
            (Some(i), Some(new)) => {
                one.push(std::mem::replace(&mut store[i], new));
                Undo::Replaced(i)
            }
            (Some(i), None) => {
                one.push(store.remove(i));
                Undo::Removed(i)
            }
            (None, Some(new)) => {
                store.push(new);
                Undo::Pushed
            }
            (None, None) => Undo::Nothing,
        }
    })
}

/// Undoes an [`exchange`] of an object of `kind`: `one` holds what it moved out.
fn restore(store: &mut Config, one: &mut Config, kind: &str, step: Undo) {
    with_lists!(kind, store, one, |store, one| match step {
        Undo::Nothing | Undo::Unchanged => {}
        Undo::Replaced(i) => {
            if let (Some(slot), Some(old)) = (store.get_mut(i), one.pop()) {
                *slot = old;
            }
        }
        Undo::Removed(i) => {
            if let Some(old) = one.pop() {
                store.insert(i.min(store.len()), old);
            }
        }
        Undo::Pushed => {
            store.pop();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Request;
    use crate::router::Outcome;

    const BASE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/c}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: c
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
"#;

    fn route_yaml(name: &str, host: &str, path: &str) -> String {
        format!(
            r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: {name}, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
  hostnames: [{host}]
  rules: [{{matches: [{{path: {{type: PathPrefix, value: {path}}}}}], backendRefs: [{{name: {name}, port: 80}}]}}]
"#
        )
    }

    fn hit(live: &Live, host: &str, path: &str) -> Option<String> {
        let s = live.load();
        match s.route(&Request::new("GET", host, path)) {
            Outcome::Matched(m) => Some(m.route().name.to_string()),
            _ => None,
        }
    }

    #[test]
    fn upsert_and_delete_publish_new_versions() {
        let live = Live::from_yaml(BASE, Options::default()).unwrap();
        assert_eq!(live.version(), 1);
        let old = live.snapshot();
        let r =
            live.apply(Change::parse(&route_yaml("api", "api.example.com", "/v1"), "a").unwrap());
        assert!(r.is_clean() && r.published, "{r}");
        assert!(r.incremental && r.full_build.is_none(), "{r}");
        assert!(r.to_string().ends_with("; built incrementally"), "{r}");
        // Both builds leave every table sealed (lookups never read a table's tail).
        assert!(old.router().compiled().is_sealed());
        assert!(live.router().compiled().is_sealed());
        assert_eq!((r.version, live.version()), (2, 2));
        assert_eq!(
            hit(&live, "api.example.com", "/v1/x").as_deref(),
            Some("api")
        );
        // The old snapshot still answers as before.
        assert!(matches!(
            old.route(&Request::new("GET", "api.example.com", "/v1/x")),
            Outcome::NotFound
        ));
        let r = live.apply([Change::delete("HTTPRoute", "", "api")]);
        assert_eq!(r.applied, [ObjectKey::new("HTTPRoute", "default", "api")]);
        assert_eq!(hit(&live, "api.example.com", "/v1/x"), None);
        assert_eq!(live.version(), 3);
        // A Gateway change is a full build, which says why.
        let gw = BASE
            .split("---")
            .nth(1)
            .expect("the Gateway")
            .replace("port: 80", "port: 81");
        let r = live.apply(Change::parse(&gw, "gw").unwrap());
        assert!(r.published && !r.incremental, "{r}");
        let why = r.full_build.as_deref().unwrap_or_default();
        assert!(why.contains("not a change set of routes"), "{r}");
        assert!(
            r.to_string().contains("; full build: not a change set"),
            "{r}"
        );
        // Deleting again changes nothing and publishes nothing.
        let r = live.apply([Change::delete("HTTPRoute", "default", "api")]);
        assert!(
            !r.published && r.applied.is_empty() && r.warnings.len() == 1,
            "{r}"
        );
        assert_eq!(live.version(), 4);
    }

    #[test]
    fn invalid_object_keeps_previous_version_and_valid_rest_applies() {
        let live = Live::from_yaml(BASE, Options::default()).unwrap();
        let bad = route_yaml("web", "web.example.com", "no-slash");
        let good = route_yaml("api", "api.example.com", "/");
        let mut changes = Change::parse(&bad, "bad.yaml").unwrap();
        changes.extend(Change::parse(&good, "good.yaml").unwrap());
        let r = live.apply(changes);
        assert_eq!(r.rejected.len(), 1, "{r}");
        assert_eq!(
            r.rejected[0].0,
            ObjectKey::new("HTTPRoute", "default", "web")
        );
        let e = r.rejected[0].1[0].to_string();
        assert!(
            e.starts_with("HTTPRoute default/web (bad.yaml#0): spec.rules[0].matches[0].path"),
            "{e}"
        );
        assert_eq!(r.applied, [ObjectKey::new("HTTPRoute", "default", "api")]);
        // The previous `web` still serves `/`, the new `api` serves too.
        assert_eq!(hit(&live, "web.example.com", "/").as_deref(), Some("web"));
        assert_eq!(hit(&live, "api.example.com", "/").as_deref(), Some("api"));
    }

    #[test]
    fn failed_or_panicking_build_keeps_current_router_and_objects() {
        let live = Live::from_yaml(BASE, Options::default()).unwrap();
        // Deleting the only Gateway: the build fails, nothing changes.
        let r = live.apply([
            Change::delete("HTTPRoute", "default", "web"),
            Change::delete("Gateway", "default", "gw"),
        ]);
        assert!(!r.published && r.applied.is_empty(), "{r}");
        assert!(r.failed.as_deref().unwrap().contains("no Gateway"), "{r}");
        assert_eq!(live.version(), 1);
        assert_eq!(hit(&live, "web.example.com", "/").as_deref(), Some("web"));
        let config = live.config();
        assert_eq!((config.gateways.len(), config.http_routes.len()), (1, 1));
        // A panicking build: same.
        live.panic_next_build();
        let r = live.apply(Change::parse(&route_yaml("api", "api.example.com", "/"), "a").unwrap());
        assert!(
            r.failed
                .as_deref()
                .unwrap()
                .contains("injected build panic"),
            "{r}"
        );
        assert_eq!(live.version(), 1);
        assert_eq!(hit(&live, "api.example.com", "/"), None);
        assert_eq!(live.config().http_routes.len(), 1);
        // And the next change set works.
        let r = live.apply(Change::parse(&route_yaml("api", "api.example.com", "/"), "a").unwrap());
        assert!(r.is_clean() && r.published, "{r}");
        assert_eq!(hit(&live, "api.example.com", "/").as_deref(), Some("api"));
    }

    #[test]
    fn unknown_kinds_and_unparsable_text_are_reported() {
        let live = Live::from_yaml(BASE, Options::default()).unwrap();
        let r = live.apply(
            Change::parse(
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
                "pod.yaml",
            )
            .unwrap(),
        );
        assert_eq!(r.rejected.len(), 1, "{r}");
        assert!(!r.published);
        let Err(Error::Invalid(errors)) = Change::parse("a: [", "broken.yaml") else {
            panic!("parsed")
        };
        assert!(
            errors[0].to_string().contains("broken.yaml#0"),
            "{errors:?}"
        );
    }

    #[test]
    fn identical_upserts_change_nothing() {
        let live = Live::from_yaml(BASE, Options::default()).unwrap();
        let text = route_yaml("api", "api.example.com", "/");
        let r = live.apply(Change::parse(&text, "a.yaml").unwrap());
        assert!(r.published && r.applied.len() == 1, "{r}");
        // The same object from the same place again: nothing to rebuild.
        let r = live.apply(Change::parse(&text, "a.yaml").unwrap());
        assert!(!r.published && r.applied.is_empty(), "{r}");
        assert_eq!(r.unchanged, [ObjectKey::new("HTTPRoute", "default", "api")]);
        assert_eq!(live.version(), 2);
    }

    #[test]
    fn ingress_live_routes_ingresses() {
        let ingress = |path: &str| {
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: ing, namespace: default}}\nspec:\n  rules:\n  - http: {{paths: [{{path: '{path}', pathType: Prefix, backend: {{service: {{name: web, port: {{number: 80}}}}}}}}]}}\n"
            )
        };
        let live = Live::from_ingress(Config::from_str(&ingress("/a")), None, Options::default());
        assert_eq!(hit(&live, "x.example.com", "/a/b").as_deref(), Some("ing"));
        let r = live.apply(Change::parse(&ingress("/b"), "ing.yaml").unwrap());
        assert!(r.is_clean() && r.published, "{r}");
        assert_eq!(hit(&live, "x.example.com", "/a/b"), None);
        assert_eq!(hit(&live, "x.example.com", "/b").as_deref(), Some("ing"));
        let r = live.apply([Change::delete("Ingress", "default", "ing")]);
        assert!(r.published, "{r}");
        assert_eq!(hit(&live, "x.example.com", "/b"), None);
        // A kind no change set holds: reported, nothing published.
        let r = live.apply([Change::delete("Pod", "default", "p")]);
        assert!(!r.published, "{r}");
        assert!(r.warnings[0].message.starts_with("not a kind"), "{r}");
    }

    #[test]
    fn undo_restores_order() {
        let mut config = Config::from_str(&format!(
            "{}---{}---{}",
            route_yaml("a", "a", "/"),
            route_yaml("b", "b", "/"),
            route_yaml("c", "c", "/")
        ));
        let names = |c: &Config| {
            c.http_routes
                .iter()
                .map(|r| r.meta.name.clone())
                .collect::<Vec<_>>()
        };
        let before = names(&config);
        let key = ObjectKey::new("HTTPRoute", "default", "a");
        let mut one = Config::default();
        let step = exchange(&mut config, &mut one, &key).unwrap();
        assert_eq!(names(&config), ["b", "c"]);
        restore(&mut config, &mut one, "HTTPRoute", step);
        assert_eq!(names(&config), before);
    }
}
