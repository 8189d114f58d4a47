//! `NativeLive`: the current Router of a changing configuration (`trieway::Live`), with
//! change sets applied on the calling thread (`apply`) or the libuv thread pool
//! (`applyAsync`). The wrapper (`index.js`, class `Live`) keeps a `Router` of the current
//! version and replaces it after each apply.

use crate::{convert, guard, js, load_config, NativeRouter, Source};
use napi_derive::napi;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, MutexGuard};
use trieway::{ApplyResult, Change, Config, ObjectKey, Router};

/// The live handle and the newest published version paired with its objects.
struct Shared {
    live: Arc<trieway::Live>,
    /// Serializes applies; holds the newest version, its Router and its objects.
    latest: Mutex<(u64, Router, Config)>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Replaced whole under the lock: a panic cannot leave it half-written.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A changing configuration. Create it with `compile` or `load`.
#[napi]
pub struct NativeLive {
    shared: Arc<Shared>,
    problems: String,
}

fn key_json(k: &ObjectKey) -> Value {
    json!({"kind": k.kind, "namespace": k.namespace, "name": k.name})
}

/// An `ApplyResult` as JSON text.
fn result_json(r: &ApplyResult) -> String {
    json!({
        "version": r.version,
        "published": r.published,
        "applied": r.applied.iter().map(key_json).collect::<Vec<_>>(),
        "unchanged": r.unchanged.iter().map(key_json).collect::<Vec<_>>(),
        "rejected": r.rejected.iter().map(|(k, errors)| json!({
            "object": key_json(k),
            "errors": errors.iter().map(convert::issue).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "warnings": r.warnings.iter().map(convert::issue).collect::<Vec<_>>(),
        "failed": r.failed,
        "incremental": r.incremental,
        "full_build": r.full_build,
    })
    .to_string()
}

fn bad_change(message: impl Into<String>) -> napi::Error {
    js::js_error("TypeError", "ERR_INVALID_ARG_VALUE", message.into())
}

/// The changes of the wrapper's JSON: `[{"text": yaml} | {"upsert": object} |
/// {"delete": {kind, namespace, name}}, ...]`. Text that does not parse is a ConfigError.
fn parse_changes(text: &str) -> napi::Result<Vec<Change>> {
    let items: Vec<Value> = serde_json::from_str(text).map_err(|e| bad_change(e.to_string()))?;
    let mut out = Vec::new();
    for item in items {
        let Value::Object(mut map) = item else {
            return Err(bad_change("a change must be an object"));
        };
        if let Some(Value::String(t)) = map.remove("text") {
            out.extend(Change::parse(&t, "<change>").map_err(|e| convert::config_error(&e))?);
        } else if let Some(object) = map.remove("upsert") {
            out.push(Change::upsert(object));
        } else if let Some(Value::Object(d)) = map.remove("delete") {
            let part = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let (kind, name) = (part("kind"), part("name"));
            if kind.is_empty() || name.is_empty() {
                return Err(bad_change(
                    "a delete needs a kind and a name: { delete: { kind, namespace, name } }",
                ));
            }
            out.push(Change::delete(&kind, &part("namespace"), &name));
        } else {
            return Err(bad_change("unknown change"));
        }
    }
    Ok(out)
}

impl Shared {
    fn apply(&self, changes: Vec<Change>) -> String {
        let result = self.live.apply(changes);
        if result.published {
            self.publish();
        }
        result_json(&result)
    }

    /// Records the version `live` serves now with its objects (read between two loads of the
    /// snapshot that agree, so they are that version's); never replaces a newer version.
    fn publish(&self) {
        let (snapshot, config) = loop {
            let before = self.live.snapshot();
            let config = self.live.config();
            let after = self.live.snapshot();
            if before.version() == after.version() {
                break (after, config);
            }
        };
        let mut latest = lock(&self.latest);
        if latest.0 < snapshot.version() {
            *latest = (snapshot.version(), snapshot.router().clone(), config);
        }
    }
}

/// A running `Live.watch` (`stop()` ends it).
#[napi]
pub struct NativeWatcher {
    watcher: Mutex<Option<trieway::Watcher>>,
}

#[napi]
impl NativeWatcher {
    /// Stops watching and waits for a reload in progress (its callback is queued to the
    /// event loop, never awaited, so this cannot wait for JavaScript). Idempotent.
    #[napi]
    pub fn stop(&self) -> napi::Result<()> {
        guard(|| {
            if let Some(w) = lock(&self.watcher).take() {
                w.stop();
            }
            Ok(())
        })
    }
}

/// An apply on the libuv thread pool (`applyAsync`).
pub struct ApplyTask {
    shared: Arc<Shared>,
    changes: Option<Vec<Change>>,
}

impl napi::Task for ApplyTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        let changes = self.changes.take().unwrap_or_default();
        guard(|| Ok(self.shared.apply(changes)))
    }

    fn resolve(&mut self, _env: napi::Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

impl NativeLive {
    fn start(
        source: Source,
        options: Option<&str>,
        ingress: Option<Option<String>>,
    ) -> napi::Result<NativeLive> {
        let (opts, config, problems) = load_config(source, options)?;
        let live = match ingress {
            None => {
                trieway::Live::new(config.clone(), opts).map_err(|e| convert::config_error(&e))?
            }
            Some(class) => trieway::Live::from_ingress(config.clone(), class.as_deref(), opts),
        };
        let snapshot = live.snapshot();
        let latest = (snapshot.version(), snapshot.router().clone(), config);
        Ok(NativeLive {
            shared: Arc::new(Shared {
                live: Arc::new(live),
                latest: Mutex::new(latest),
            }),
            problems,
        })
    }
}

#[napi]
impl NativeLive {
    /// Loads YAML or JSON text (as `NativeRouter.compile`) and starts with its Router.
    #[napi(factory)]
    pub fn compile(
        text: String,
        json: bool,
        options: Option<String>,
        ingress: bool,
        ingress_class: Option<String>,
    ) -> napi::Result<Self> {
        guard(|| {
            let ingress = ingress.then_some(ingress_class);
            NativeLive::start(Source::Text { text, json }, options.as_deref(), ingress)
        })
    }

    /// Loads a file or a directory (as `NativeRouter.load`) and starts with its Router.
    #[napi(factory)]
    pub fn load(path: String, options: Option<String>) -> napi::Result<Self> {
        guard(|| NativeLive::start(Source::Path(path), options.as_deref(), None))
    }

    /// The newest version published.
    #[napi]
    pub fn version(&self) -> f64 {
        lock(&self.shared.latest).0 as f64
    }

    /// A `NativeRouter` of the newest version.
    #[napi]
    pub fn router(&self) -> napi::Result<NativeRouter> {
        guard(|| {
            let (router, config) = {
                let latest = lock(&self.shared.latest);
                (latest.1.clone(), latest.2.clone())
            };
            Ok(NativeRouter::wrap(
                router,
                self.problems.clone(),
                Some(config),
            ))
        })
    }

    /// Applies a change set (JSON from the wrapper) on this thread; the result as JSON.
    #[napi]
    pub fn apply(&self, changes: String) -> napi::Result<String> {
        guard(|| {
            let changes = parse_changes(&changes)?;
            Ok(self.shared.apply(changes))
        })
    }

    /// Watches `paths` (files, or directories recursively) and applies what changes in them;
    /// each reload is queued to `callback` as JSON (`{files, unreadable, result}`), the first
    /// (every file) during this call. `debounce_ms`: quiet time before a reload.
    #[napi]
    pub fn watch(
        &self,
        paths: Vec<String>,
        callback: napi::bindgen_prelude::Function<'_, String, ()>,
        debounce_ms: f64,
    ) -> napi::Result<NativeWatcher> {
        guard(|| {
            if !(0.0..=3_600_000.0).contains(&debounce_ms) {
                return Err(js::js_error(
                    "RangeError",
                    "ERR_OUT_OF_RANGE",
                    format!("debounceMs must be from 0 to 3600000, got {debounce_ms}"),
                ));
            }
            let tsfn = callback
                .build_threadsafe_function::<String>()
                .callee_handled::<false>()
                .build()?;
            let shared = self.shared.clone();
            let on_reload = move |reload: trieway::Reload| {
                if reload.result.published {
                    shared.publish();
                }
                let files: Vec<String> = reload
                    .files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect();
                let text = json!({
                    "files": files,
                    "unreadable": reload.unreadable.iter().map(convert::issue).collect::<Vec<_>>(),
                    "result": serde_json::from_str::<Value>(&result_json(&reload.result))
                        .unwrap_or(Value::Null),
                })
                .to_string();
                let _ = tsfn.call(
                    text,
                    napi::threadsafe_function::ThreadsafeFunctionCallMode::NonBlocking,
                );
            };
            let paths: Vec<std::path::PathBuf> = paths.into_iter().map(Into::into).collect();
            let options = trieway::WatchOptions::default()
                .debounce(std::time::Duration::from_secs_f64(debounce_ms / 1000.0));
            let watcher = self
                .shared
                .live
                .watch(&paths, options, on_reload)
                .map_err(|e| convert::config_error(&e))?;
            Ok(NativeWatcher {
                watcher: Mutex::new(Some(watcher)),
            })
        })
    }

    /// `apply` on the libuv thread pool: a Promise of the result JSON. The changes are parsed
    /// here, so bad input rejects before any work is queued.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn apply_async(
        &self,
        changes: String,
    ) -> napi::Result<napi::bindgen_prelude::AsyncTask<ApplyTask>> {
        guard(|| {
            let changes = parse_changes(&changes)?;
            Ok(napi::bindgen_prelude::AsyncTask::new(ApplyTask {
                shared: self.shared.clone(),
                changes: Some(changes),
            }))
        })
    }
}
