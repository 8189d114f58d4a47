//! Documents → model objects.
//!
//! Accepts multi-document YAML (`---`), JSON objects and arrays, and `kind: List` with
//! `items`, from a string, bytes, a file or a directory (read recursively in sorted order).
//! Nothing is lost: a document that cannot be parsed, or an object whose fields have the wrong
//! type, is reported as a [`ConfigError`] and the rest still loads. Unknown kinds are skipped
//! with a warning.
//!
//! Large inputs are parsed and validated on scoped threads, then added in input order (see
//! [`ConfigBuilder::with_threads`]): the outcome does not depend on the number of threads.

use crate::config::{Config, UnknownFields};
use crate::error::{ConfigError, Error};
use crate::model::*;
use crate::validate::unknown::UnknownField;
use crate::validate::Checks;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

/// Largest input accepted by default, in bytes (see [`ConfigBuilder::with_max_bytes`]).
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;
/// Largest number of objects accepted by default (see [`ConfigBuilder::with_max_objects`]).
pub const DEFAULT_MAX_OBJECTS: usize = 200_000;

/// Limits applied while loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LoadLimits {
    /// Total bytes of input.
    pub max_bytes: usize,
    /// Total objects.
    pub max_objects: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_objects: DEFAULT_MAX_OBJECTS,
        }
    }
}

/// Collects documents for a [`Config`]: every `add_*` call parses and loads objects (problems
/// go to the configuration's errors and warnings); [`ConfigBuilder::finish`] validates what was
/// collected and returns the [`Config`], which is the only way to obtain one with objects.
///
/// ```
/// use trieway::{Config, UnknownFields};
/// let mut builder = Config::builder().with_unknown_fields(UnknownFields::Error);
/// builder.add_str(r#"
/// apiVersion: gateway.networking.k8s.io/v1
/// kind: HTTPRoute
/// metadata: {name: web, namespace: default}
/// spec:
///   parentRefs: [{name: gw}]
///   rules: [{backendRefs: [{name: web, port: 80}]}]
/// "#, "route.yaml");
/// let config = builder.finish();
/// assert_eq!(config.http_routes().len(), 1);
/// ```
#[derive(Debug, Default)]
pub struct ConfigBuilder {
    /// What was loaded so far, not validated yet.
    config: Config,
    limits: LoadLimits,
    unknown_fields: UnknownFields,
    bytes: usize,
    objects: usize,
    /// First origin of every `(kind, key)` loaded, to refuse duplicates in O(1).
    seen: Seen,
    /// The `name` of the last [`ConfigBuilder::add_value`], shared by the origins it gave.
    last_name: Option<Arc<str>>,
    /// Validation, object by object as they are loaded, and its errors until `finish`.
    checks: Checks,
    /// Objects from [`ConfigBuilder::add_value`] not loaded yet (see [`ConfigBuilder::flush`]).
    pending: Vec<(Value, Origin)>,
    /// Loading threads for large inputs; `0`: the machine's available parallelism.
    threads: usize,
    /// Only in tests: [`PARALLEL_MIN_OBJECTS`] and [`BLOCK`] replaced.
    #[cfg(test)]
    split: Option<(usize, usize)>,
}

/// The kinds the loader knows, keyed by `(group, kind)`, with the API versions served.
const KINDS: &[(&str, &str, &[&str])] = &[
    (
        "gateway.networking.k8s.io",
        "GatewayClass",
        &["v1", "v1beta1"],
    ),
    ("gateway.networking.k8s.io", "Gateway", &["v1", "v1beta1"]),
    (
        "gateway.networking.k8s.io",
        "ListenerSet",
        &["v1", "v1alpha1"],
    ),
    ("gateway.networking.x-k8s.io", "XListenerSet", &["v1alpha1"]),
    ("gateway.networking.k8s.io", "HTTPRoute", &["v1", "v1beta1"]),
    (
        "gateway.networking.k8s.io",
        "GRPCRoute",
        &["v1", "v1alpha2"],
    ),
    (
        "gateway.networking.k8s.io",
        "TLSRoute",
        &["v1", "v1alpha3", "v1alpha2"],
    ),
    ("gateway.networking.k8s.io", "TCPRoute", &["v1", "v1alpha2"]),
    ("gateway.networking.k8s.io", "UDPRoute", &["v1", "v1alpha2"]),
    (
        "gateway.networking.k8s.io",
        "ReferenceGrant",
        &["v1", "v1beta1", "v1alpha2"],
    ),
    (
        "gateway.networking.k8s.io",
        "BackendTLSPolicy",
        &["v1", "v1alpha3"],
    ),
    (
        "gateway.networking.x-k8s.io",
        "XBackendTrafficPolicy",
        &["v1alpha1"],
    ),
    ("", "Namespace", &["v1"]),
    ("", "Service", &["v1"]),
    ("", "Secret", &["v1"]),
    ("", "ConfigMap", &["v1"]),
    ("discovery.k8s.io", "EndpointSlice", &["v1"]),
    ("networking.k8s.io", "Ingress", &["v1"]),
    ("networking.k8s.io", "IngressClass", &["v1"]),
];

const CLUSTER_SCOPED: &[&str] = &["GatewayClass", "Namespace", "IngressClass"];

impl Config {
    /// A builder that collects documents; its [`ConfigBuilder::finish`] validates them and
    /// returns the configuration.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Loads YAML (one or more `---`-separated documents) or JSON text and validates it.
    ///
    /// ```
    /// let config = trieway::Config::from_str(r#"
    /// apiVersion: gateway.networking.k8s.io/v1
    /// kind: HTTPRoute
    /// metadata: {name: web, namespace: default}
    /// spec:
    ///   parentRefs: [{name: gw}]
    ///   rules: [{backendRefs: [{name: web, port: 80}]}]
    /// "#);
    /// assert_eq!(config.http_routes().len(), 1);
    /// assert!(config.errors().is_empty());
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Config {
        let mut b = Config::builder();
        b.add_str(text, "<string>");
        b.finish()
    }

    /// Loads a file or a directory (every `.yaml`, `.yml` and `.json` file below it, recursively,
    /// in sorted order) and validates it.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, Error> {
        let mut b = Config::builder();
        b.add_path(path.as_ref())?;
        Ok(b.finish())
    }
}

impl ConfigBuilder {
    /// Sets the most bytes of input accepted, counted over every `add_*` call (default 64 MiB).
    /// The input that crosses it is refused whole, with the error `input exceeds the limit of
    /// N bytes; not loaded`.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.limits.max_bytes = max_bytes;
        self
    }

    /// Sets the most objects accepted, counted over every `add_*` call (default 200,000).
    /// One error names the limit; the objects after it are not loaded.
    pub fn with_max_objects(mut self, max_objects: usize) -> Self {
        self.flush();
        self.limits.max_objects = max_objects;
        self
    }

    /// Sets how objects added from now on treat unknown fields (default:
    /// [`UnknownFields::Warn`]).
    ///
    /// ```
    /// use trieway::{Config, UnknownFields};
    /// let mut builder = Config::builder().with_unknown_fields(UnknownFields::Error);
    /// builder.add_str(r#"
    /// apiVersion: gateway.networking.k8s.io/v1
    /// kind: HTTPRoute
    /// metadata: {name: web, namespace: default}
    /// spec:
    ///   parentRefs: [{name: gw}]
    ///   rules: [{backendRef: [{name: web, port: 80}]}]
    /// "#, "route.yaml");
    /// let config = builder.finish();
    /// assert!(config.http_routes().is_empty());
    /// assert_eq!(
    ///     config.errors()[0].to_string(),
    ///     "HTTPRoute default/web (route.yaml#0): spec.rules[0].backendRef: unknown field, \
    ///      did you mean backendRefs?"
    /// );
    /// ```
    pub fn with_unknown_fields(mut self, policy: UnknownFields) -> Self {
        self.flush();
        self.unknown_fields = policy;
        self
    }

    /// Sets how many threads load a large input (default `0`: the machine's available
    /// parallelism, at most 8; `1` loads on the calling thread only).
    ///
    /// An input of at least 1,024 documents or objects (one
    /// [`ConfigBuilder::add_str`], or the objects of [`ConfigBuilder::add_value`] calls, which
    /// are loaded together when the builder is finished) is parsed and validated on that many
    /// scoped threads, which end before the call returns; the objects are then added in input
    /// order, so the [`Config`] (its lists, errors and warnings) is the same whatever the
    /// number of threads. Where no thread can be started, the calling thread loads everything.
    ///
    /// ```
    /// let mut builder = trieway::Config::builder().with_threads(1);
    /// builder.add_str("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", "ns.yaml");
    /// assert_eq!(builder.finish().namespaces().len(), 1);
    /// ```
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Validates what was added (objects and rules that break the Gateway API's rules are
    /// dropped and reported in [`Config::errors`]) and returns the configuration.
    ///
    /// The work is done as objects are added (each is validated right after it is parsed);
    /// the validation errors come out here, after the loader's own, grouped by kind.
    pub fn finish(mut self) -> Config {
        self.flush();
        // Each object was validated as it was loaded (`convert`).
        let mut config = self.config;
        self.checks.finish(&mut config.errors);
        config
    }

    /// A builder that does not validate, for [`ConfigBuilder::unvalidated`]. Only in tests.
    #[cfg(test)]
    pub(crate) fn without_validation(mut self) -> Self {
        self.checks.off = true;
        self
    }

    /// What was loaded, without validation: for the crate's own tests of attachment and
    /// compilation on input that validation would refuse (input that bypasses the API server
    /// must still be handled without panicking). Only in tests, and only from a builder made
    /// [`ConfigBuilder::without_validation`] (objects are validated as they are loaded): a
    /// `Config` is validated.
    #[cfg(test)]
    pub(crate) fn unvalidated(mut self) -> Config {
        assert!(self.checks.off, "unvalidated() needs without_validation()");
        self.flush();
        self.config
    }

    /// Adds a file or directory. Directories are walked recursively in sorted order and only
    /// `.yaml`, `.yml` and `.json` files are read.
    pub fn add_path(&mut self, path: &Path) -> Result<(), Error> {
        let io = |source| Error::Io {
            path: path.display().to_string(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for p in entries {
                let is_config = p
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
                if p.is_dir() || is_config {
                    self.add_path(&p)?;
                }
            }
            Ok(())
        } else {
            let bytes = std::fs::read(path).map_err(io)?;
            self.add_bytes(&bytes, &path.display().to_string());
            Ok(())
        }
    }

    /// Adds bytes, which must be UTF-8 YAML or JSON; `name` is used in messages.
    pub fn add_bytes(&mut self, bytes: &[u8], name: &str) {
        self.flush();
        match std::str::from_utf8(bytes) {
            Ok(text) => self.add_str(text, name),
            Err(e) => self
                .config
                .errors
                .push(ConfigError::document(origin(name, 0)).message(format!(
                    "input is not UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ))),
        }
    }

    /// Adds YAML or JSON text; `name` is used in messages.
    pub fn add_str(&mut self, text: &str, name: &str) {
        // What add_value collected comes first.
        self.flush();
        self.bytes = self.bytes.saturating_add(text.len());
        if self.bytes > self.limits.max_bytes {
            self.config
                .errors
                .push(ConfigError::document(origin(name, 0)).message(format!(
                    "input exceeds the limit of {} bytes; not loaded",
                    self.limits.max_bytes
                )));
            return;
        }
        let file: Arc<str> = Arc::from(name);
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            match serde_json::from_str::<Value>(trimmed) {
                Ok(Value::Array(items)) => {
                    let items = items.into_iter().enumerate().map(|(index, v)| {
                        let at = Origin {
                            file: file.clone(),
                            index,
                        };
                        (v, at)
                    });
                    self.pending.extend(items);
                    self.flush();
                }
                Ok(v) => {
                    self.pending.push((v, Origin { file, index: 0 }));
                    self.flush();
                }
                // YAML flow collections (`{kind: Namespace, ...}`) start like JSON: when the
                // text is not JSON, read it as YAML before giving up.
                Err(e) => {
                    if looks_like_json(trimmed) || !self.add_yaml(text, &file, true) {
                        self.config.errors.push(
                            ConfigError::document(Origin { file, index: 0 })
                                .message(format!("invalid JSON: {e}")),
                        )
                    }
                }
            }
            return;
        }
        self.add_yaml(text, &file, false);
    }

    /// Adds the documents of YAML `text`. With `fallback`, returns `false` and adds nothing
    /// when the text is a single document that is not valid YAML (the caller reports its own
    /// error).
    fn add_yaml(&mut self, text: &str, file: &Arc<str>, fallback: bool) -> bool {
        let docs = split_yaml_documents(text);
        let single = fallback && docs.len() == 1;
        let docs: Vec<(&str, Origin)> = docs
            .into_iter()
            .enumerate()
            .map(|(index, doc)| {
                let at = Origin {
                    file: file.clone(),
                    index,
                };
                (doc, at)
            })
            .filter(|(doc, _)| {
                !doc.lines().all(|l| {
                    let l = l.trim();
                    l.is_empty()
                        || l.starts_with('#')
                        || l == "---"
                        || l == "..."
                        || l.starts_with('%')
                })
            })
            .collect();
        let invalid = |at: Origin, e: serde_saphyr::Error| {
            ConfigError::document(at)
                .message(format!("invalid YAML: {}", yaml_message(&e.to_string())))
        };
        if docs.len() >= self.parallel_min().max(2) {
            // Many documents: each is parsed where it is loaded (on a loading thread unless
            // `with_threads(1)`), and freed there.
            self.load_all(docs, |(doc, at), policy, checks, out| {
                match parse_yaml(doc) {
                    Ok(Value::Null) => {}
                    Ok(v) => convert(&v, at, policy, checks, out),
                    Err(e) => out.push(Converted::document_error(invalid(at, e))),
                }
                None
            });
            return true;
        }
        // A few documents (a `kind: List` of many objects, as `kubectl get -o yaml` gives):
        // parsed here, their objects loaded together (see `flush`).
        for (doc, at) in docs {
            match parse_yaml(doc) {
                Ok(Value::Null) => {}
                Ok(v) => self.pending.push((v, at)),
                Err(_) if single => return false,
                Err(e) => {
                    self.flush();
                    self.config.errors.push(invalid(at, e));
                }
            }
        }
        self.flush();
        true
    }

    /// Adds one already-parsed object (or `kind: List`), as if it were document `index` of `name`.
    ///
    /// Objects added this way are loaded together when the builder is finished (or another
    /// `add_*` or `with_*` call comes), in the order added: from 1,024 of them, on several
    /// threads (see [`ConfigBuilder::with_threads`]).
    pub fn add_value(&mut self, value: Value, name: &str, index: usize) {
        // Objects added one by one usually share their `name`: one copy of it for all.
        let file = match &self.last_name {
            Some(f) if **f == *name => f.clone(),
            _ => {
                let f: Arc<str> = Arc::from(name);
                self.last_name = Some(f.clone());
                f
            }
        };
        self.pending.push((value, Origin { file, index }));
    }

    /// Loads the objects [`ConfigBuilder::add_value`] collected, in the order added.
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let pending = expand_lists(std::mem::take(&mut self.pending));
            self.load_all(pending, |(value, at), policy, checks, out| {
                convert(&value, at, policy, checks, out);
                // Freed by the thread that called the builder (see `convert_parallel`).
                Some(value)
            });
        }
    }

    /// [`PARALLEL_MIN_OBJECTS`] (in tests, as set).
    fn parallel_min(&self) -> usize {
        #[cfg(test)]
        if let Some((min, _)) = self.split {
            return min;
        }
        PARALLEL_MIN_OBJECTS
    }

    /// How many loading threads `len` inputs get: one (this thread) below
    /// [`PARALLEL_MIN_OBJECTS`], else [`ConfigBuilder::with_threads`] or the machine's
    /// available parallelism (at most 8).
    fn threads_for(&self, len: usize) -> usize {
        if len < self.parallel_min().max(2) {
            return 1;
        }
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
            n => n,
        }
    }

    /// Loads `items` in order: `one` converts an item (parsing, unknown fields, metadata, the
    /// object's own parse and validation: nothing that depends on what else was loaded), then
    /// each result is applied here, in input order (limits, duplicates, the lists). `one`
    /// may hand back a value for this thread to free.
    fn load_all<T, F>(&mut self, items: Vec<T>, one: F)
    where
        T: Send,
        F: Fn(T, UnknownFields, &mut Checks, &mut Vec<Converted>) -> Option<Value> + Sync,
    {
        let policy = self.unknown_fields;
        let threads = self.threads_for(items.len());
        let items = if threads > 1 {
            #[cfg(test)]
            let block = self.split.map_or(BLOCK, |(_, block)| block);
            #[cfg(not(test))]
            let block = BLOCK;
            match convert_parallel(items, threads, block, policy, &self.checks, &one) {
                Ok(converted) => {
                    for c in converted {
                        self.apply(c);
                    }
                    return;
                }
                // No thread could be started: loaded here.
                Err(items) => items,
            }
        } else {
            items
        };
        let mut out = Vec::new();
        for item in items {
            drop(one(item, policy, &mut self.checks, &mut out));
            for c in out.drain(..) {
                self.apply(c);
            }
        }
    }

    /// Applies one converted value: counts it against the object limit, records its messages,
    /// refuses a second copy of an object, and adds the object to its list.
    fn apply(&mut self, c: Converted) {
        if let Some(kind) = &c.count {
            if !self.count_object(kind, &c.at) {
                return;
            }
        }
        self.config.errors.extend(c.errors);
        self.config.warnings.extend(c.warnings);
        let Some(ready) = c.ready else {
            return;
        };
        let meta = match &ready.parsed {
            Ok(object) => object.meta(),
            Err(unparsed) => &unparsed.0,
        };
        if !self.first_copy(ready.kind, meta, &c.at) {
            return;
        }
        match ready.parsed {
            Err(unparsed) => self.config.errors.push(unparsed.1),
            Ok(object) => {
                self.checks.errors.extend(ready.checks);
                if ready.valid {
                    object.push_to(&mut self.config);
                }
            }
        }
    }

    /// Counts one more object; `false` (with an error for the first one) past the limit.
    fn count_object(&mut self, kind: &str, at: &Origin) -> bool {
        self.objects += 1;
        if self.objects <= self.limits.max_objects {
            return true;
        }
        if self.objects == self.limits.max_objects + 1 {
            self.config.errors.push(
                ConfigError::document(at.clone())
                    .kind(kind)
                    .message(format!(
                        "more than {} objects; this and later objects are not loaded",
                        self.limits.max_objects
                    )),
            );
        }
        false
    }

    /// Records the object as seen; `false`, with an error, when an object of the same kind
    /// and key was already loaded (`XListenerSet` counts as `ListenerSet`).
    fn first_copy(&mut self, kind: &str, meta: &ObjectMeta, at: &Origin) -> bool {
        let kind_name = match kind {
            "XListenerSet" => "ListenerSet",
            // The loader's own spelling (a static string): only kinds of `KINDS` get here.
            _ => KINDS
                .iter()
                .find(|(_, k, _)| *k == kind)
                .map_or("", |(_, k, _)| *k),
        };
        let Some(first) = self.seen.insert(kind_name, meta, at) else {
            return true;
        };
        let key = meta_key_of(meta);
        let message = format!(
            "duplicate object: {kind} {key} is already defined at {first}; this copy is ignored"
        );
        self.config.errors.push(
            ConfigError::of(kind, key)
                .origin(at.clone())
                .field("metadata.name")
                .message(message),
        );
        false
    }
}

/// `values` with the items of every `kind: List` (or `*List`) in place of the list, each
/// with its place in `items` as its index (as `convert` would load them, but spread over
/// the loading threads); a list whose `items` is not a list stays, for `convert` to report.
fn expand_lists(values: Vec<(Value, Origin)>) -> Vec<(Value, Origin)> {
    let splits = |map: &serde_json::Map<String, Value>| {
        is_list(map) && matches!(map.get("items"), Some(Value::Array(_)))
    };
    if !values
        .iter()
        .any(|(v, _)| v.as_object().is_some_and(splits))
    {
        return values;
    }
    let mut out = Vec::with_capacity(values.len());
    for (value, at) in values {
        match value {
            Value::Object(mut map) if splits(&map) => {
                if let Some(Value::Array(items)) = map.remove("items") {
                    out.extend(with_item_origins(items, &at));
                }
            }
            value => out.push((value, at)),
        }
    }
    out
}

/// The items of a list loaded from `at`, each with its place in `items` as its index (as
/// documented on [`Origin`]).
fn with_item_origins(items: Vec<Value>, at: &Origin) -> impl Iterator<Item = (Value, Origin)> + '_ {
    items.into_iter().enumerate().map(|(index, item)| {
        let at = Origin {
            file: at.file.clone(),
            index,
        };
        (item, at)
    })
}

/// Whether `map` is a `kind: List` (or a `*List` with `items`), loaded item by item.
fn is_list(map: &serde_json::Map<String, Value>) -> bool {
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    kind == "List" || kind.ends_with("List") && map.contains_key("items")
}

/// Inputs of one loading call from which it is split across threads (see
/// [`ConfigBuilder::with_threads`]): below it, starting threads costs more than they save.
pub(crate) const PARALLEL_MIN_OBJECTS: usize = 1024;

/// Inputs a loading thread takes at a time (`convert_parallel`).
const BLOCK: usize = 128;

/// Converts `items` on up to `threads` new threads, `block` at a time, while this
/// thread frees the values they hand back; the results in input order. `Err(items)` when no
/// thread could be started.
///
/// The loading threads only read the values given to [`ConfigBuilder::add_value`]: this
/// thread allocated them and frees them (with glibc's allocator, freeing them on other threads
/// contended for this thread's arena and was slower than loading on one thread; issue #20,
/// item 4). What the loading threads build is theirs.
fn convert_parallel<T, F>(
    items: Vec<T>,
    threads: usize,
    block: usize,
    policy: UnknownFields,
    checks: &Checks,
    one: &F,
) -> Result<Vec<Converted>, Vec<T>>
where
    T: Send,
    F: Fn(T, UnknownFields, &mut Checks, &mut Vec<Converted>) -> Option<Value> + Sync,
{
    type Done = (usize, Vec<Converted>, Vec<Value>);
    let block = block.max(1);
    let mut blocks = Vec::with_capacity(items.len().div_ceil(block));
    let mut rest = items.into_iter();
    loop {
        let taken: Vec<T> = rest.by_ref().take(block).collect();
        if taken.is_empty() {
            break;
        }
        blocks.push((blocks.len(), taken));
    }
    let count = blocks.len();
    let queue = std::sync::Mutex::new(blocks.into_iter());
    let work = |tx: std::sync::mpsc::Sender<Done>, mut checks: Checks| loop {
        // A poisoned lock only means another loading thread panicked (re-raised below).
        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
        let Some((index, block)) = next else {
            return;
        };
        let mut out = Vec::with_capacity(block.len());
        let mut back = Vec::new();
        for item in block {
            back.extend(one(item, policy, &mut checks, &mut out));
        }
        if tx.send((index, out, back)).is_err() {
            return;
        }
    };
    let mut results: Vec<Vec<Converted>> = (0..count).map(|_| Vec::new()).collect();
    let started = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel::<Done>();
        let mut started = 0;
        for _ in 0..threads.min(count) {
            let (tx, checks, work) = (tx.clone(), checks.worker(), &work);
            // The stack of a main thread (8 MiB), which loading ran on before it had threads;
            // input nesting is bounded (YAML depth 64, JSON 128) and tests load it on 2 MiB.
            let spawned = std::thread::Builder::new()
                .name("trieway-load".into())
                .stack_size(8 << 20)
                .spawn_scoped(s, move || work(tx, checks));
            started += usize::from(spawned.is_ok());
        }
        drop(tx);
        if started > 0 {
            for (index, out, back) in rx {
                results[index] = out;
                drop(back);
            }
        }
        started
    });
    if started == 0 {
        let blocks: Vec<(usize, Vec<T>)> = queue
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .collect();
        return Err(blocks.into_iter().flat_map(|(_, b)| b).collect());
    }
    Ok(results.into_iter().flatten().collect())
}

/// What loading one object gives before the builder's state is consulted (the object limit,
/// duplicates): see [`convert`] and [`ConfigBuilder::apply`].
struct Converted {
    /// Where the value came from.
    at: Origin,
    /// The kind to count against the object limit; `None` for a problem of the document
    /// itself (not counted).
    count: Option<Cow<'static, str>>,
    /// Errors found before the duplicate check, in order.
    errors: Vec<ConfigError>,
    /// Warnings found before the duplicate check, in order.
    warnings: Vec<ConfigError>,
    /// The object parsed and validated, when it got that far.
    ready: Option<Ready>,
}

impl Converted {
    /// A problem of a document (it does not parse, or is not an object).
    fn document_error(error: ConfigError) -> Converted {
        Converted {
            at: error.origin.clone().unwrap_or_default(),
            count: None,
            errors: vec![error],
            warnings: Vec::new(),
            ready: None,
        }
    }
}

/// An object that got as far as parsing its body.
struct Ready {
    /// Its kind, as written (a kind of [`KINDS`]).
    kind: &'static str,
    /// The object; or, when its body does not parse, its metadata (for the duplicate check)
    /// and the error.
    parsed: Result<Typed, Unparsed>,
    /// What validation found, each with its kind's list (see `Checks::errors`).
    checks: Vec<(crate::validate::List, ConfigError)>,
    /// Validation keeps the object.
    valid: bool,
}

/// The metadata of an object whose body does not parse, and the error.
type Unparsed = Box<(ObjectMeta, ConfigError)>;

/// Declares [`Typed`], one variant per list of [`Config`].
macro_rules! typed {
    (
        objects { $($o:ident($os:ty) => $of:ident),* $(,)? }
        routes { $($r:ident($rs:ty) => $rf:ident),* $(,)? }
    ) => {
        /// A parsed object of any kind.
        enum Typed {
            $($o(Object<$os>),)*
            $($r(Route<$rs>),)*
        }

        impl Typed {
            /// Its metadata.
            fn meta(&self) -> &ObjectMeta {
                match self {
                    $(Typed::$o(o) => &o.meta,)*
                    $(Typed::$r(r) => &r.object.meta,)*
                }
            }

            /// Adds it to its list in `config`.
            fn push_to(self, config: &mut Config) {
                match self {
                    $(Typed::$o(o) => config.$of.push(o),)*
                    $(Typed::$r(r) => config.$rf.push(r),)*
                }
            }
        }
    };
}

typed! {
    objects {
        GatewayClass(GatewayClassSpec) => gateway_classes,
        Gateway(GatewaySpec) => gateways,
        ListenerSet(ListenerSetSpec) => listener_sets,
        ReferenceGrant(ReferenceGrantSpec) => reference_grants,
        BackendTlsPolicy(BackendTlsPolicySpec) => backend_tls_policies,
        BackendTrafficPolicy(XBackendTrafficPolicySpec) => backend_traffic_policies,
        Namespace(NamespaceSpec) => namespaces,
        Service(ServiceSpec) => services,
        Secret(SecretSpec) => secrets,
        ConfigMap(ConfigMapSpec) => config_maps,
        EndpointSlice(EndpointSliceSpec) => endpoint_slices,
        Ingress(IngressSpec) => ingresses,
        IngressClass(IngressClassSpec) => ingress_classes,
    }
    routes {
        HttpRoute(HttpRouteSpec) => http_routes,
        GrpcRoute(GrpcRouteSpec) => grpc_routes,
        TlsRoute(TlsRouteSpec) => tls_routes,
        TcpRoute(L4RouteSpec) => tcp_routes,
        UdpRoute(L4RouteSpec) => udp_routes,
    }
}

/// Loads one value (the items of a `kind: List` one by one) as far as it can without the
/// builder's state: kind and version, unknown fields, metadata, the body parsed and
/// validated. Reads `value` only.
fn convert(
    value: &Value,
    at: Origin,
    policy: UnknownFields,
    checks: &mut Checks,
    out: &mut Vec<Converted>,
) {
    let Value::Object(map) = value else {
        out.push(Converted::document_error(
            ConfigError::document(at).message(format!(
                "expected an object with apiVersion and kind, found {}",
                type_name(value)
            )),
        ));
        return;
    };
    let kind = kind_of(map);
    if is_list(map) {
        match map.get("items") {
            Some(Value::Array(items)) => {
                // As documented on `Origin`, an item's index is its place in `items`.
                for (index, item) in items.iter().enumerate() {
                    let at = Origin {
                        file: at.file.clone(),
                        index,
                    };
                    convert(item, at, policy, checks, out);
                }
            }
            Some(Value::Null) | None => {}
            Some(other) => out.push(Converted::document_error(
                ConfigError::document(at)
                    .kind(&*kind)
                    .field("items")
                    .message(format!("expected a list, found {}", type_name(other))),
            )),
        }
        return;
    }
    let mut c = Converted {
        at,
        count: Some(kind.clone()),
        errors: Vec::new(),
        warnings: Vec::new(),
        ready: None,
    };
    c.ready = ready(map, value, &kind, policy, checks, &mut c);
    out.push(c);
}

/// The object of `map` parsed and validated; `None` when a problem stops it first (in `c`).
fn ready(
    map: &serde_json::Map<String, Value>,
    value: &Value,
    kind: &str,
    policy: UnknownFields,
    checks: &mut Checks,
    c: &mut Converted,
) -> Option<Ready> {
    let api_version = map_str(map, "apiVersion");
    let (kind, group, version) = served_version(kind, &api_version, map, c)?;
    let unknown = match policy {
        UnknownFields::Ignore => Vec::new(),
        UnknownFields::Error | UnknownFields::Warn => {
            crate::validate::unknown::unknown_fields(group, kind, version, map)
        }
    };
    let (meta, created) = metadata(kind, map.get("metadata"), c)?;
    if !report_unknown(unknown, policy, kind, &meta, c) {
        return None;
    }
    let empty = Value::Object(Default::default());
    let (body, field) = match kind {
        // These kinds keep their fields at the top level (their models have no field named
        // like `apiVersion`, `kind` or `metadata`).
        "EndpointSlice" | "Secret" | "ConfigMap" | "Namespace" => (value, ""),
        _ => (map.get("spec").unwrap_or(&empty), "spec"),
    };
    let ctx = Ctx {
        api_version,
        meta,
        created,
        at: c.at.clone(),
        kind,
        field,
    };
    let start = checks.errors.len();
    let (parsed, valid) = match kind {
        "GatewayClass" => ctx.object(body, Typed::GatewayClass, |o| checks.gateway_class(o)),
        "Gateway" => ctx.object(body, Typed::Gateway, |o| checks.gateway(o)),
        "ListenerSet" | "XListenerSet" => {
            ctx.object(body, Typed::ListenerSet, |o| checks.listener_set(o))
        }
        "HTTPRoute" => ctx.route(body, Typed::HttpRoute, |r| checks.http_route(r)),
        "GRPCRoute" => ctx.route(body, Typed::GrpcRoute, |r| checks.grpc_route(r)),
        "TLSRoute" => ctx.route(body, Typed::TlsRoute, |r| checks.tls_route(r)),
        "TCPRoute" => ctx.route(body, Typed::TcpRoute, |r| checks.tcp_route(r)),
        "UDPRoute" => ctx.route(body, Typed::UdpRoute, |r| checks.udp_route(r)),
        "ReferenceGrant" => ctx.object(body, Typed::ReferenceGrant, |o| checks.reference_grant(o)),
        "BackendTLSPolicy" => ctx.object(body, Typed::BackendTlsPolicy, |o| {
            checks.backend_tls_policy(o)
        }),
        "XBackendTrafficPolicy" => ctx.object(body, Typed::BackendTrafficPolicy, |o| {
            checks.backend_traffic_policy(o)
        }),
        "Namespace" => ctx.object(body, Typed::Namespace, |o| checks.namespace(o)),
        "Service" => ctx.object(body, Typed::Service, |o| checks.service(o)),
        "Secret" => ctx.object(body, Typed::Secret, |o| checks.secret(o)),
        "ConfigMap" => ctx.object(body, Typed::ConfigMap, |o| checks.config_map(o)),
        "EndpointSlice" => ctx.object(body, Typed::EndpointSlice, |o| checks.endpoint_slice(o)),
        "Ingress" => ctx.object(body, Typed::Ingress, |o| checks.ingress(o)),
        "IngressClass" => ctx.object(body, Typed::IngressClass, |o| checks.ingress_class(o)),
        _ => unreachable!("every kind of KINDS is dispatched"),
    };
    Some(Ready {
        kind,
        parsed,
        checks: checks.errors.split_off(start),
        valid,
    })
}

/// The kind (as spelled in [`KINDS`]) and the `(group, version)` of `api_version` when
/// `kind` is a kind trieway reads in a served version; else `None`, with an error (missing
/// kind or apiVersion, version not served) or a warning (a kind trieway does not use) in `c`.
fn served_version<'v>(
    kind: &str,
    api_version: &'v str,
    map: &serde_json::Map<String, Value>,
    c: &mut Converted,
) -> Option<(&'static str, &'v str, &'v str)> {
    if kind.is_empty() || api_version.is_empty() {
        let missing = if kind.is_empty() {
            "kind"
        } else {
            "apiVersion"
        };
        c.errors.push(
            ConfigError::document(c.at.clone())
                .kind(kind)
                .field(missing)
                .message("required field is missing"),
        );
        return None;
    }
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let Some((_, kind, versions)) = KINDS.iter().find(|(g, k, _)| *g == group && *k == kind) else {
        c.warnings.push(
            ConfigError::of(kind, meta_key(map))
                .origin(c.at.clone())
                .message(format!(
                    "kind {api_version}/{kind} is not used by trieway; skipped"
                )),
        );
        return None;
    };
    if !versions.contains(&version) {
        c.errors.push(
            ConfigError::of(*kind, meta_key(map))
                .origin(c.at.clone())
                .field("apiVersion")
                .message(format!(
                    "{api_version} is not a served version of {kind} (served: {})",
                    versions
                        .iter()
                        .map(|v| format!("{group}/{v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
        );
        return None;
    }
    Some((kind, group, version))
}

/// The object's `metadata` (namespace defaulted or cleared by scope) and its creation time;
/// `None`, with an error in `c`, when the metadata does not parse, has no name or an invalid
/// timestamp.
fn metadata(
    kind: &str,
    meta_value: Option<&Value>,
    c: &mut Converted,
) -> Option<(ObjectMeta, i64)> {
    let empty = Value::Object(Default::default());
    let meta_value = match meta_value {
        None | Some(Value::Null) => &empty,
        Some(v) => v,
    };
    let mut meta: ObjectMeta = match parse_at(meta_value, "metadata") {
        Ok(m) => m,
        Err((field, message)) => {
            let e = ConfigError::document(c.at.clone()).kind(kind).field(field);
            c.errors.push(e.message(message));
            return None;
        }
    };
    let cluster_scoped = CLUSTER_SCOPED.contains(&kind);
    if cluster_scoped {
        meta.namespace.clear();
    } else if meta.namespace.is_empty() {
        meta.namespace = "default".to_string();
    }
    if meta.name.is_empty() {
        c.errors.push(
            ConfigError::document(c.at.clone())
                .kind(kind)
                .field("metadata.name")
                .message("required field is missing"),
        );
        return None;
    }
    let created = match meta.creation_timestamp.as_deref() {
        None => 0,
        Some(ts) => match parse_rfc3339(ts) {
            Some(t) => t,
            None => {
                c.errors.push(
                    ConfigError::of(kind, meta_key_of(&meta))
                        .origin(c.at.clone())
                        .field("metadata.creationTimestamp")
                        .message(format!("{ts:?} is not an RFC 3339 timestamp")),
                );
                return None;
            }
        },
    };
    Some((meta, created))
}

/// Reports unknown fields as errors or warnings (per `policy`) in `c`; `false` when they are
/// errors, so the object is not loaded.
fn report_unknown(
    unknown: Vec<UnknownField>,
    policy: UnknownFields,
    kind: &str,
    meta: &ObjectMeta,
    c: &mut Converted,
) -> bool {
    if unknown.is_empty() {
        return true;
    }
    let key = meta_key_of(meta);
    let key = key.as_str();
    let at = &c.at;
    let list = unknown.into_iter().map(|u| {
        ConfigError::of(kind, key)
            .origin(at.clone())
            .field(u.field)
            .message(u.message)
    });
    if policy == UnknownFields::Error {
        c.errors.extend(list);
        return false;
    }
    c.warnings.extend(list);
    true
}

/// The `(kind, key)` of every object loaded with its first origin (the key is
/// `namespace/name`, or `name` for cluster-scoped kinds), to refuse duplicates in O(1).
///
/// The keys are written one after another in one string rather than each in its own (a map
/// keyed by `(kind, String)` allocated, and later freed, one string per object: issue #20,
/// item 4); a map from their hash gives the first entry with that hash, the others follow
/// through `next`.
#[derive(Debug, Default)]
struct Seen {
    /// The first entry of each hash of `(kind, key)`.
    first: rustc_hash::FxHashMap<u64, usize>,
    /// The objects seen, in the order they were loaded.
    entries: Vec<SeenEntry>,
    /// The keys of `entries`, one after another.
    keys: String,
}

/// One object in [`Seen`].
#[derive(Debug)]
struct SeenEntry {
    kind: &'static str,
    /// Where its key is in [`Seen::keys`].
    key: std::ops::Range<usize>,
    /// Where it was loaded.
    origin: Origin,
    /// The next entry with the same hash (`usize::MAX`: none).
    next: usize,
}

impl Seen {
    /// Records `kind` and the key of `meta` from `at`: `None` when new, else the origin of the
    /// first object with the same kind and key (nothing is recorded then).
    fn insert(&mut self, kind: &'static str, meta: &ObjectMeta, at: &Origin) -> Option<&Origin> {
        use std::hash::BuildHasher;
        let start = self.keys.len();
        if !meta.namespace.is_empty() {
            self.keys.push_str(&meta.namespace);
            self.keys.push('/');
        }
        self.keys.push_str(&meta.name);
        let key = &self.keys[start..];
        let hash = rustc_hash::FxBuildHasher.hash_one((kind, key));
        let new = self.entries.len();
        let mut at_hash = match self.first.entry(hash) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(new);
                usize::MAX
            }
            std::collections::hash_map::Entry::Occupied(o) => *o.get(),
        };
        let mut last = usize::MAX;
        while let Some(e) = self.entries.get(at_hash) {
            if e.kind == kind && self.keys[e.key.clone()] == *key {
                self.keys.truncate(start);
                return Some(&self.entries[at_hash].origin);
            }
            last = at_hash;
            at_hash = e.next;
        }
        if let Some(e) = self.entries.get_mut(last) {
            e.next = new;
        }
        self.entries.push(SeenEntry {
            kind,
            key: start..self.keys.len(),
            origin: at.clone(),
            next: usize::MAX,
        });
        None
    }
}

/// `namespace/name`, or `name` when the namespace is empty (cluster-scoped kinds), as
/// [`Object::key`].
fn meta_key_of(meta: &ObjectMeta) -> String {
    if meta.namespace.is_empty() {
        meta.name.clone()
    } else {
        format!("{}/{}", meta.namespace, meta.name)
    }
}

struct Ctx<'a> {
    api_version: String,
    meta: ObjectMeta,
    created: i64,
    at: Origin,
    kind: &'a str,
    field: &'static str,
}

impl Ctx<'_> {
    /// Parses `body` into the object; on failure, the metadata and the error.
    fn parse<S: DeserializeOwned>(self, body: &Value) -> Result<Object<S>, Unparsed> {
        match parse_at::<S>(body, self.field) {
            Ok(spec) => Ok(Object {
                api_version: self.api_version,
                meta: self.meta,
                created: self.created,
                origin: self.at,
                spec,
            }),
            Err((field, msg)) => {
                // The object's key, as `metadata` built it (namespace defaulted or cleared).
                let key = meta_key_of(&self.meta);
                let error = ConfigError::of(self.kind, key)
                    .origin(self.at)
                    .field(field)
                    .message(msg);
                Err(Box::new((self.meta, error)))
            }
        }
    }

    /// Parses `body` and validates the object: the object (or the metadata and the parse
    /// error), and whether validation keeps it.
    fn object<S: DeserializeOwned>(
        self,
        body: &Value,
        wrap: fn(Object<S>) -> Typed,
        valid: impl FnOnce(&Object<S>) -> bool,
    ) -> (Result<Typed, Unparsed>, bool) {
        match self.parse(body) {
            Ok(o) => {
                let keep = valid(&o);
                (Ok(wrap(o)), keep)
            }
            Err(e) => (Err(e), false),
        }
    }

    /// [`Ctx::object`] for a route (validation marks its invalid rules).
    fn route<S: DeserializeOwned>(
        self,
        body: &Value,
        wrap: fn(Route<S>) -> Typed,
        valid: impl FnOnce(&mut Route<S>) -> bool,
    ) -> (Result<Typed, Unparsed>, bool) {
        match self.parse(body) {
            Ok(object) => {
                let mut route = Route {
                    object,
                    invalid_rules: Vec::new(),
                };
                let keep = valid(&mut route);
                (Ok(wrap(route)), keep)
            }
            Err(e) => (Err(e), false),
        }
    }
}

/// The objects of YAML or JSON `text` as parsed values with their origins, as
/// [`ConfigBuilder::add_str`] reads them (documents, JSON arrays, the items of a `kind: List`),
/// without loading them; documents that do not parse are errors. For `Live` change sets, which
/// load each object on its own.
pub(crate) fn parse_documents(text: &str, name: &str) -> (Vec<(Value, Origin)>, Vec<ConfigError>) {
    let file: Arc<str> = Arc::from(name);
    let mut values = Vec::new();
    let mut errors = Vec::new();
    let at = |index| Origin {
        file: file.clone(),
        index,
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut yaml = true;
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Array(items)) => {
                yaml = false;
                values.extend(items.into_iter().enumerate().map(|(i, v)| (v, at(i))));
            }
            Ok(v) => {
                yaml = false;
                values.push((v, at(0)));
            }
            Err(e) if looks_like_json(trimmed) => {
                yaml = false;
                errors.push(ConfigError::document(at(0)).message(format!("invalid JSON: {e}")));
            }
            Err(_) => {}
        }
    }
    if yaml {
        for (index, doc) in split_yaml_documents(text).into_iter().enumerate() {
            if doc.lines().all(|l| {
                let l = l.trim();
                l.is_empty() || l.starts_with('#') || l == "---" || l == "..." || l.starts_with('%')
            }) {
                continue;
            }
            match parse_yaml(doc) {
                Ok(Value::Null) => {}
                Ok(v) => values.push((v, at(index))),
                Err(e) => errors.push(
                    ConfigError::document(at(index))
                        .message(format!("invalid YAML: {}", yaml_message(&e.to_string()))),
                ),
            }
        }
    }
    // The items of lists, each with its index in `items`.
    let mut out = Vec::with_capacity(values.len());
    for (v, at) in values {
        match v {
            Value::Object(mut map) if is_list(&map) => match map.remove("items") {
                Some(Value::Array(items)) => out.extend(with_item_origins(items, &at)),
                Some(Value::Null) | None => {}
                Some(other) => errors.push(
                    ConfigError::document(at)
                        .kind(map_str(&map, "kind"))
                        .field("items")
                        .message(format!("expected a list, found {}", type_name(&other))),
                ),
            },
            v => out.push((v, at)),
        }
    }
    (out, errors)
}

/// The `(kind, namespace, name)` an object value names, as the loader keys it: `XListenerSet`
/// counts as `ListenerSet`, a cluster-scoped kind has no namespace and a namespaced one
/// defaults to `default`. Empty strings for what the value lacks.
pub(crate) fn object_key(value: &Value) -> (String, String, String) {
    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let kind = s(value.get("kind"));
    let meta = value.get("metadata");
    let name = s(meta.and_then(|m| m.get("name")));
    let namespace = s(meta.and_then(|m| m.get("namespace")));
    key_of(&kind, &namespace, &name)
}

/// `(kind, namespace, name)` as the loader keys objects (see [`object_key`]).
pub(crate) fn key_of(kind: &str, namespace: &str, name: &str) -> (String, String, String) {
    let kind = if kind == "XListenerSet" {
        "ListenerSet"
    } else {
        kind
    };
    let namespace = if CLUSTER_SCOPED.contains(&kind) {
        ""
    } else if namespace.is_empty() {
        "default"
    } else {
        namespace
    };
    (kind.to_string(), namespace.to_string(), name.to_string())
}

impl ConfigBuilder {
    /// Adds one already-parsed object with its origin (`Live` change sets keep the origin
    /// their text was parsed with).
    pub(crate) fn add_value_with_origin(&mut self, value: Value, at: Origin) {
        self.pending.push((value, at));
    }
}

fn origin(name: &str, index: usize) -> Origin {
    Origin {
        file: Arc::from(name),
        index,
    }
}

/// Deserializes `value` into `T`, reporting the failing field path under `prefix`.
///
/// Field-path tracking costs about a third of loading (issue #20, item 4), and is only needed
/// to name the field of an error: the value is first deserialized without it, by reference
/// (the same `serde_json` value deserializer, so it accepts exactly what the tracked one
/// does), and only a value that fails is deserialized again with tracking, which gives the
/// same error as before with its path. The first pass also reads backendRefs without serde's
/// `flatten` (`model::flat_refs`: same input accepted, same value).
fn parse_at<T: DeserializeOwned>(value: &Value, prefix: &str) -> Result<T, (String, String)> {
    // By reference: the strings are copied, next to the rest of the object's model, rather
    // than moved out of the parsed value. Moving them (a deserializer taking them from a
    // `&mut Value`) saved 9 % of the loader's instructions, yet load + validate of 100,000
    // rules took about 30 % longer (the model's strings then stay where the parser put them,
    // among the freed nodes of the parsed values) and `Router::new` was no faster.
    if let Ok(t) = crate::model::flat_refs(|| T::deserialize(value)) {
        return Ok(t);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (prefix.is_empty(), inner == ".") {
            (_, true) => prefix.to_string(),
            (true, false) => inner,
            (false, false) => format!("{prefix}.{inner}"),
        };
        (path.replace(".[", "["), e.into_inner().to_string())
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The `kind` of `map` (`""` when absent or not a string), borrowed from [`KINDS`] when it
/// is one of them: no allocation for the kinds trieway reads.
fn kind_of(map: &serde_json::Map<String, Value>) -> Cow<'static, str> {
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    match KINDS.iter().find(|(_, k, _)| *k == kind) {
        Some((_, k, _)) => Cow::Borrowed(k),
        None if kind.is_empty() => Cow::Borrowed(""),
        None => Cow::Owned(kind.to_string()),
    }
}

/// The string at `key` of `map`, or `""`.
fn map_str(map: &serde_json::Map<String, Value>, key: &str) -> String {
    map.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn meta_key(map: &serde_json::Map<String, Value>) -> String {
    let m = map.get("metadata");
    let name = m
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    match m.and_then(|m| m.get("namespace")).and_then(Value::as_str) {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// `doc` parsed as YAML with serde-saphyr's default budget (aliases, depth, anchors...)
/// except the counts of nodes, events and scalar bytes, which grow with the document: a
/// `kind: List` of 20,000 objects (`kubectl get -A -o yaml`) has more than the default
/// 250,000 nodes. Without aliases, which keep their own limits, a node takes at least a byte
/// of input, so the input limit ([`ConfigBuilder::with_max_bytes`]) bounds them, as it bounds
/// JSON input.
fn parse_yaml(doc: &str) -> Result<Value, serde_saphyr::Error> {
    let mut options = serde_saphyr::Options::default();
    if let Some(budget) = options.budget.as_mut() {
        budget.max_nodes = budget.max_nodes.max(doc.len());
        budget.max_events = budget.max_events.max(doc.len().saturating_mul(2));
        budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(doc.len());
    }
    serde_saphyr::from_str_with_options(doc, options)
}

/// The first line of a YAML parser message, without its `error: ` prefix and without advice
/// about parser options the user cannot set.
fn yaml_message(s: &str) -> &str {
    let line = s.lines().next().unwrap_or(s);
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.find(", set DuplicateKeyPolicy") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Whether text that starts with `{` or `[` is meant as JSON (a quoted key or string first, or
/// an empty collection) rather than as a YAML flow collection.
fn looks_like_json(t: &str) -> bool {
    let inner = t.get(1..).unwrap_or("").trim_start();
    inner.starts_with('"')
        || inner.starts_with('}')
        || inner.starts_with(']')
        || (t.starts_with('[')
            && inner.starts_with('{')
            && inner.get(1..).unwrap_or("").trim_start().starts_with('"'))
}

/// Splits YAML text into documents at `---` lines (a document marker at column 0 always ends
/// the previous document, whatever it contained).
fn split_yaml_documents(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t");
        if is_marker && offset > start {
            docs.push(&text[start..offset]);
            start = offset;
        } else if is_marker {
            start = offset;
        }
        if is_marker {
            // Keep inline content after the marker (`--- {a: 1}`) in the next document.
            start = offset + 3;
        }
        offset += line.len();
    }
    if start < text.len() {
        docs.push(&text[start..]);
    }
    docs
}

/// Parses an RFC 3339 timestamp (`2024-01-02T03:04:05Z`, optional fraction and offset) to
/// seconds since the Unix epoch.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':' =>
        {
            let oh = num(s.len() - 5..s.len() - 3)?;
            let om = num(s.len() - 2..s.len())?;
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// One document of many shapes, valid or not, named from a small pool (duplicates).
    fn doc(shape: u8, n: u8) -> Value {
        let name = format!("o{}", n % 7);
        let ns = if n.is_multiple_of(3) { "a" } else { "b" };
        let meta = json!({"name": name, "namespace": ns});
        let route = |rules: Value| {
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                   "metadata": meta, "spec": {"parentRefs": [{"name": "gw"}], "rules": rules}})
        };
        match shape % 22 {
            0 => route(
                json!([{"matches": [{"path": {"type": "PathPrefix", "value": format!("/p{n}")}}]}]),
            ),
            1 => route(
                json!([{"matches": [{"path": {"type": "RegularExpression", "value": "/(a"}}]}]),
            ),
            2 => route(json!([{"matches": [{"path": {"type": "Exact", "value": "no-slash"}}]}])),
            3 => route(json!([{"backendRef": [{"name": "x"}]}])),
            4 => route(json!("not a list")),
            5 => json!({"apiVersion": "v1", "kind": "Service", "metadata": meta,
                        "spec": {"ports": [{"port": 80}]}}),
            6 => json!({"apiVersion": "v1", "kind": "Service", "metadata": meta,
                        "spec": {"ports": [{"port": 0}]}}),
            7 => json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                        "metadata": meta, "spec": {"gatewayClassName": "c", "listeners": [
                            {"name": "http", "port": 80, "protocol": "HTTP"}]}}),
            8 => {
                json!({"apiVersion": "gateway.networking.x-k8s.io/v1alpha1", "kind": "XListenerSet",
                        "metadata": meta, "spec": {"parentRef": {"name": "gw"}, "listeners": [
                            {"name": "l", "port": 8080, "protocol": "HTTP"}]}})
            }
            9 => json!(format!("just a string {n}")),
            10 => json!({"apiVersion": "v1", "metadata": meta}),
            11 => json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": meta}),
            12 => {
                json!({"apiVersion": "gateway.networking.k8s.io/v9", "kind": "HTTPRoute", "metadata": meta})
            }
            13 => json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": ns}}),
            14 => {
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": 3}})
            }
            15 => json!({"apiVersion": "v1", "kind": "Service",
                         "metadata": {"name": name, "creationTimestamp": "yesterday"}}),
            16 => json!({"apiVersion": "v1", "kind": "List", "items": [
                         {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                         {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "data": {"k": "dg=="}},
                         7]}),
            17 => json!({"apiVersion": "v1", "kind": "ServiceList", "items": "nope"}),
            18 => {
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"},
                         "extra": 1})
            }
            19 => json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
                         "metadata": {"name": name}, "spec": {"controllerName": "example.com/x"}}),
            20 => json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GRPCRoute",
                         "metadata": meta, "spec": {"rules": [{"matches": [{"method": {"service": "s"}}]}]}}),
            _ => json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta,
                        "spec": {"rules": [{"host": "a.example", "http": {"paths": [
                            {"path": "/", "pathType": "Prefix",
                             "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}}]}}),
        }
    }

    /// A builder on `threads` threads that splits from `min` inputs in blocks of `block`.
    fn builder(
        threads: usize,
        split: Option<(usize, usize)>,
        policy: u8,
        max: usize,
    ) -> ConfigBuilder {
        let policy = match policy % 3 {
            0 => UnknownFields::Warn,
            1 => UnknownFields::Error,
            _ => UnknownFields::Ignore,
        };
        let mut b = Config::builder()
            .with_threads(threads)
            .with_unknown_fields(policy);
        if max > 0 {
            b = b.with_max_objects(max);
        }
        b.split = split;
        b
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        /// Loading on several threads gives exactly the configuration one thread gives (lists,
        /// errors and warnings, in order), through each way in: objects, YAML, a JSON array.
        #[test]
        fn threads_load_what_one_thread_loads(
            docs in prop::collection::vec((any::<u8>(), any::<u8>()), 0..90),
            threads in 2usize..5,
            block in 1usize..9,
            policy in any::<u8>(),
            max in prop_oneof![Just(0usize), 1usize..60],
            broken_yaml in any::<bool>(),
        ) {
            let values: Vec<Value> = docs.iter().map(|&(s, n)| doc(s, n)).collect();
            let load = |threads: usize, split| {
                let mut by_value = builder(threads, split, policy, max);
                for (i, v) in values.iter().enumerate() {
                    by_value.add_value(v.clone(), "objects", i);
                }
                let mut yaml: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                if broken_yaml {
                    yaml.insert(yaml.len() / 2, "key: [unclosed".to_string());
                }
                let mut by_yaml = builder(threads, split, policy, max);
                by_yaml.add_str(&yaml.join("\n---\n"), "docs.yaml");
                let mut by_json = builder(threads, split, policy, max);
                by_json.add_str(&Value::Array(values.clone()).to_string(), "docs.json");
                // One document, a list of them all (`kubectl get -o yaml`).
                let list = json!({"apiVersion": "v1", "kind": "List", "items": values});
                let mut by_list = builder(threads, split, policy, max);
                by_list.add_str(&format!("# kubectl get\n---\n{list}"), "list.yaml");
                [by_value.finish(), by_yaml.finish(), by_json.finish(), by_list.finish()]
                    .map(|c| format!("{c:?}"))
            };
            let one = load(1, None);
            let many = load(threads, Some((0, block)));
            for (one, many) in one.iter().zip(&many) {
                prop_assert_eq!(one, many);
            }
            // The shapes do exercise the loader: something is loaded, something refused.
            prop_assert!(docs.len() < 30 || one[0].contains("errors: [ConfigError"));
        }
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2024-01-02T03:04:05Z"), Some(1_704_164_645));
        assert_eq!(
            parse_rfc3339("2024-01-02T04:04:05+01:00"),
            Some(1_704_164_645)
        );
        assert_eq!(
            parse_rfc3339("2024-01-02T03:04:05.123Z"),
            Some(1_704_164_645)
        );
        assert_eq!(parse_rfc3339("2024-13-02T03:04:05Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2024-01-02T03:04:05"), None);
        // A multi-byte character where the offset's ':' should be must not panic.
        assert_eq!(parse_rfc3339("2024-01-02T03:04:05+0é00"), None);
        assert_eq!(parse_rfc3339("2024-01-02T03:04:05+é:00"), None);
        assert_eq!(parse_rfc3339("2024-01-02T03:04:05.é"), None);
        assert_eq!(parse_rfc3339("2024-01-02T03:04:éé"), None);
    }

    #[test]
    fn splits_documents() {
        let docs = split_yaml_documents("a: 1\n---\nb: 2\n--- \nc: 3\n");
        assert_eq!(docs.len(), 3);
        assert!(docs[0].contains("a: 1"));
        assert!(docs[2].contains("c: 3"));
        assert_eq!(split_yaml_documents("---\na: 1\n").len(), 1);
    }
}

#[cfg(test)]
mod flat_ref_tests {
    use crate::model::*;
    use proptest::prelude::*;
    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};

    /// `T` read the loader's fast way (`flat_refs`) and the usual way: both must accept the
    /// same input and give the same value.
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(v: &Value) -> bool {
        let fast = crate::model::flat_refs(|| T::deserialize(v));
        let slow = T::deserialize(v);
        assert!(!crate::model::meta_reading_flat_refs_for_tests());
        match (&fast, &slow) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{v}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{v}: fast {fast:?}, slow {slow:?}"),
        }
        slow.is_ok()
    }

    fn check(r: &Value) -> bool {
        let http = same::<HttpBackendRef>(r);
        let plain = same::<BackendRef>(r);
        same::<HttpRouteSpec>(&json!({"rules": [{"backendRefs": [r]}]}));
        same::<GrpcRouteSpec>(&json!({"rules": [{"backendRefs": [r, r]}]}));
        same::<TlsRouteSpec>(&json!({"rules": [{"backendRefs": [r]}]}));
        http || plain
    }

    #[test]
    fn backend_refs_read_the_same_both_ways() {
        let ok = [
            json!({}),
            json!({"name": "a", "port": 80}),
            json!({"name": "a", "port": 80, "weight": 0, "namespace": "b", "group": "", "kind": "Service"}),
            json!({"name": "a", "port": null, "weight": null, "group": null}),
            json!({"name": "a", "extra": [1, {"x": 2}], "filters": []}),
            json!({"name": "a", "filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x", "value": "y"}]}}]}),
            json!({"port": 18446744073709551615u64 / 2}),
        ];
        for v in &ok {
            assert!(check(v), "{v}");
        }
        let bad = [
            json!([]),
            json!(["g", "k", "n"]),
            json!("a"),
            json!(null),
            json!({"name": 5}),
            json!({"name": null}),
            json!({"port": "80"}),
            json!({"port": 80.5}),
            json!({"port": 18446744073709551615u64}),
            json!({"weight": "1"}),
            json!({"weight": "1", "port": "2"}),
            json!({"filters": null}),
            json!({"filters": [{"type": 5}]}),
            json!({"group": ["x"]}),
        ];
        for v in &bad {
            assert!(!same::<HttpBackendRef>(v), "{v}");
        }
        // `filters` is a field of HTTP backendRefs only; a TLSRoute's ignores it.
        assert!(same::<BackendRef>(&json!({"name": "a", "filters": 5})));
    }

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z]{0,3}".prop_map(Value::from),
            Just(json!([])),
            Just(json!({})),
            Just(json!([{"type": "RequestMirror"}])),
            Just(json!([{"type": "X", "extensionRef": {"group": "", "kind": "k", "name": "n"}}])),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// Random backendRef maps: the fast reading accepts exactly what `flatten` accepts.
        #[test]
        fn random_backend_refs_read_the_same_both_ways(
            fields in proptest::collection::vec(
                (prop_oneof![
                    Just("group"), Just("kind"), Just("name"), Just("namespace"),
                    Just("port"), Just("weight"), Just("filters"), Just("other"),
                ], scalar()),
                0..6,
            )
        ) {
            let map: serde_json::Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            check(&Value::Object(map));
        }
    }
}

#[cfg(test)]
mod seen_tests {
    use super::Seen;
    use crate::model::{ObjectMeta, Origin};

    fn meta(namespace: &str, name: &str) -> ObjectMeta {
        ObjectMeta {
            namespace: namespace.into(),
            name: name.into(),
            ..ObjectMeta::default()
        }
    }

    #[test]
    fn first_origin_by_kind_and_key() {
        let at = |index| Origin {
            file: "f".into(),
            index,
        };
        let mut seen = Seen::default();
        for i in 0..1000 {
            assert_eq!(
                seen.insert("Service", &meta("ns", &format!("s{i}")), &at(i)),
                None
            );
        }
        assert_eq!(seen.insert("HTTPRoute", &meta("ns", "s1"), &at(1000)), None);
        assert_eq!(
            seen.insert("Namespace", &meta("", "ns/s1"), &at(1001)),
            None
        );
        assert_eq!(
            seen.insert("Service", &meta("ns", "s7"), &at(1002)),
            Some(&at(7))
        );
        assert_eq!(seen.insert("Service", &meta("n", "s/s7"), &at(1003)), None);
        assert_eq!(
            seen.insert("HTTPRoute", &meta("ns", "s1"), &at(1004)),
            Some(&at(1000))
        );
        assert_eq!(
            seen.insert("Namespace", &meta("", "ns/s1"), &at(9)),
            Some(&at(1001))
        );
        // A refused copy leaves nothing behind.
        assert_eq!(seen.entries.len(), 1003);
        let keys: usize = seen.entries.iter().map(|e| e.key.len()).sum();
        assert_eq!(seen.keys.len(), keys);
    }
}

#[cfg(test)]
mod limit_tests {
    #[test]
    fn default_limits() {
        let d = super::LoadLimits::default();
        assert_eq!(d.max_bytes, 64 << 20);
        assert_eq!(d.max_objects, 200_000);
        let b = crate::Config::builder()
            .with_max_bytes(5)
            .with_max_objects(7);
        assert_eq!((b.limits.max_bytes, b.limits.max_objects), (5, 7));
    }
}
