//! `trieway.Live`: the current Router of a changing configuration, with change sets applied
//! off the event loop (the GIL released while the next Router is built).

use crate::{config_error, config_text, guard, prepare, to_python, InternalError, Router, Source};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use trieway::{ApplyResult, Change, Config, ObjectKey, Options};

/// A version published by `apply` and not yet wrapped in a Python `Router` object.
type Pending = (u64, trieway::Router, Config);

/// The current Router of a changing configuration, shared between threads.
///
/// Build one like a `Router` (`Live.from_yaml`, `from_json`, `from_path`, `from_ingress`),
/// route on the current version with `route()` / `route_asgi()` / `route_grpc()` (or take
/// `live.router`, the current `Router`, and keep it for a whole request), and change the
/// configuration with `apply(changes)` (or `await apply_async(changes)`): only what the
/// change can affect is recompiled, and lookups are never blocked.
#[pyclass(frozen, module = "trieway")]
pub struct Live {
    live: Arc<trieway::Live>,
    /// The newest version published by `apply` or a watcher, waiting to be wrapped (see
    /// `router_obj`).
    pending: Arc<Mutex<Option<Pending>>>,
    /// The Router object of the current version, and that version.
    current: Mutex<(u64, Py<Router>)>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The data of these mutexes is replaced whole: a panic cannot leave it half-written.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Live {
    /// Starts from a loaded configuration: `ingress` as in `Router::build`.
    fn start(
        py: Python<'_>,
        config: Result<Config, trieway::Error>,
        options: Options,
        ingress: Option<Option<String>>,
    ) -> PyResult<Self> {
        let built = py.detach(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let config = config?;
                let live = match ingress {
                    None => trieway::Live::new(config.clone(), options)?,
                    Some(class) => {
                        trieway::Live::from_ingress(config.clone(), class.as_deref(), options)
                    }
                };
                let router = live.router();
                Ok::<_, trieway::Error>((live, router, config))
            }))
        });
        match built {
            Ok(Ok((live, router, config))) => {
                let version = live.version();
                let obj = Py::new(py, Router::from_parts(router, config))?;
                Ok(Live {
                    live: Arc::new(live),
                    pending: Arc::new(Mutex::new(None)),
                    current: Mutex::new((version, obj)),
                })
            }
            Ok(Err(e)) => Err(config_error(py, &e)),
            Err(_) => Err(InternalError::new_err(
                "internal error in trieway (please report it): panic while compiling",
            )),
        }
    }

    /// The Router object of the newest version (wrapping a version `apply` published first).
    /// No lock is held while Python objects are created.
    fn router_obj(&self, py: Python<'_>) -> PyResult<Py<Router>> {
        let pending = lock(&self.pending).take();
        if let Some((version, router, config)) = pending {
            let obj = Py::new(py, Router::from_parts(router, config))?;
            let mut current = lock(&self.current);
            if current.0 < version {
                *current = (version, obj);
            }
        }
        Ok(lock(&self.current).1.clone_ref(py))
    }
}

/// Records the version `live` serves now, paired with its objects, for `router_obj` to wrap.
/// The objects are read between two loads of the snapshot that agree, so they are that
/// version's; a pending version is only ever replaced by a newer one.
fn publish(live: &trieway::Live, pending: &Mutex<Option<Pending>>) {
    let (snapshot, config) = loop {
        let before = live.snapshot();
        let config = live.config();
        let after = live.snapshot();
        if before.version() == after.version() {
            break (after, config);
        }
    };
    let mut p = lock(pending);
    if p.as_ref().is_none_or(|(v, _, _)| *v < snapshot.version()) {
        *p = Some((snapshot.version(), snapshot.router().clone(), config));
    }
}

/// A `(kind, namespace, name)` of a change set as a Python-ready JSON object.
fn key_json(k: &ObjectKey) -> serde_json::Value {
    serde_json::json!({"kind": k.kind, "namespace": k.namespace, "name": k.name})
}

/// An `ApplyResult` as plain data.
fn result_json(r: &ApplyResult) -> serde_json::Value {
    serde_json::json!({
        "version": r.version,
        "published": r.published,
        "applied": r.applied.iter().map(key_json).collect::<Vec<_>>(),
        "unchanged": r.unchanged.iter().map(key_json).collect::<Vec<_>>(),
        "rejected": r.rejected.iter().map(|(k, errors)| serde_json::json!({
            "object": key_json(k),
            "errors": errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "warnings": r.warnings.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        "failed": r.failed,
        "incremental": r.incremental,
        "full_build": r.full_build,
    })
}

/// YAML or JSON text as upserts; a document that does not parse raises `ConfigError`.
fn parse_text(py: Python<'_>, obj: &Bound<'_, PyAny>, out: &mut Vec<Change>) -> PyResult<()> {
    let text = config_text(obj)?;
    match Change::parse(&text, "<change>") {
        Ok(changes) => {
            out.extend(changes);
            Ok(())
        }
        Err(e) => Err(config_error(py, &e)),
    }
}

/// A `str` item of a delete (`namespace` may be `None`).
fn delete_part(obj: Option<Bound<'_, PyAny>>, what: &str) -> PyResult<String> {
    match obj {
        Some(o) if o.is_none() && what == "namespace" => Ok(String::new()),
        Some(o) => o.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!(
                "delete: {what} must be str, not {}",
                crate::request::type_name(&o)
            ))
        }),
        None if what == "namespace" => Ok(String::new()),
        None => Err(PyValueError::new_err(format!("delete: missing {what}"))),
    }
}

/// One item of a change list.
fn change_item(py: Python<'_>, item: &Bound<'_, PyAny>, out: &mut Vec<Change>) -> PyResult<()> {
    if item.is_instance_of::<PyString>() || item.is_instance_of::<PyBytes>() {
        return parse_text(py, item, out);
    }
    if let Ok(t) = item.cast::<PyTuple>() {
        let op: Option<String> = t.get_item(0).ok().and_then(|o| o.extract().ok());
        if op.as_deref() != Some("delete") || t.len() != 4 {
            return Err(PyValueError::new_err(
                "a tuple change must be (\"delete\", kind, namespace, name)",
            ));
        }
        let kind = delete_part(t.get_item(1).ok(), "kind")?;
        let namespace = delete_part(t.get_item(2).ok(), "namespace")?;
        let name = delete_part(t.get_item(3).ok(), "name")?;
        out.push(Change::delete(&kind, &namespace, &name));
        return Ok(());
    }
    if let Ok(d) = item.cast::<PyDict>() {
        if let Some(del) = d.get_item("delete")? {
            let del = del.cast::<PyDict>().map_err(|_| {
                PyTypeError::new_err(
                    "a delete must be {\"delete\": {\"kind\": ..., \"namespace\": ..., \"name\": ...}}",
                )
            })?;
            let kind = delete_part(del.get_item("kind")?, "kind")?;
            let namespace = delete_part(del.get_item("namespace")?, "namespace")?;
            let name = delete_part(del.get_item("name")?, "name")?;
            out.push(Change::delete(&kind, &namespace, &name));
            return Ok(());
        }
        let text: String = py.import("json")?.call_method1("dumps", (d,))?.extract()?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| PyValueError::new_err(format!("change is not a JSON object: {e}")))?;
        out.push(Change::upsert(value));
        return Ok(());
    }
    Err(PyTypeError::new_err(format!(
        "a change must be YAML/JSON text, a dict (a Kubernetes object, or {{\"delete\": {{...}}}}) \
         or (\"delete\", kind, namespace, name), not {}",
        crate::request::type_name(item)
    )))
}

/// The changes of `apply`'s argument.
fn changes(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Vec<Change>> {
    let mut out = Vec::new();
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyTuple>()
    {
        change_item(py, obj, &mut out)?;
    } else if obj.is_instance_of::<PyList>() {
        for item in obj.try_iter()? {
            change_item(py, &item?, &mut out)?;
        }
    } else {
        return Err(PyTypeError::new_err(format!(
            "changes must be YAML/JSON text, a dict, a delete tuple, or a list of those, not {}",
            crate::request::type_name(obj)
        )));
    }
    Ok(out)
}

#[pymethods]
impl Live {
    /// Loads YAML or JSON text and starts with the Router of its Gateway: the same arguments
    /// and options as `Router.from_yaml` (`counters=True` counts per version: each published
    /// Router starts from zero).
    #[staticmethod]
    #[pyo3(signature = (text, gateway=None, *, strict=true, **options))]
    fn from_yaml(
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        gateway: Option<String>,
        strict: bool,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        guard(|| {
            let source = Source::Text(config_text(text)?);
            let (mut opts, policy, config) = prepare(py, source, gateway, strict, options)?;
            // Change sets follow the same policy: with `strict`, unknown fields reject.
            opts.unknown_fields = policy;
            Live::start(py, config, opts, None)
        })
    }

    /// Like `from_yaml`, for JSON text or Python objects (as `Router.from_json`).
    #[staticmethod]
    #[pyo3(signature = (data, gateway=None, *, strict=true, **options))]
    fn from_json(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        gateway: Option<String>,
        strict: bool,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let text = if data.is_instance_of::<PyString>() || data.is_instance_of::<PyBytes>() {
            data.clone()
        } else {
            py.import("json")?.call_method1("dumps", (data,))?
        };
        Live::from_yaml(py, &text, gateway, strict, options)
    }

    /// A file or a directory, as `Router.from_path`.
    #[staticmethod]
    #[pyo3(signature = (path, gateway=None, *, strict=true, **options))]
    fn from_path(
        py: Python<'_>,
        path: PathBuf,
        gateway: Option<String>,
        strict: bool,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        guard(|| {
            let (mut opts, policy, config) =
                prepare(py, Source::Path(path), gateway, strict, options)?;
            // Change sets follow the same policy: with `strict`, unknown fields reject.
            opts.unknown_fields = policy;
            Live::start(py, config, opts, None)
        })
    }

    /// The Ingress objects of `ingress_class` (`None`: all), as `Router.from_ingress`.
    #[staticmethod]
    #[pyo3(signature = (text, ingress_class=None, *, strict=true, **options))]
    fn from_ingress(
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        ingress_class: Option<String>,
        strict: bool,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        guard(|| {
            let source = Source::Text(config_text(text)?);
            let (mut opts, policy, config) = prepare(py, source, None, strict, options)?;
            opts.unknown_fields = policy;
            Live::start(py, config, opts, Some(ingress_class))
        })
    }

    /// The `Router` of the current version. Keep it for the duration of a request to route,
    /// explain and apply against one version; matches keep their Router alive.
    #[getter]
    fn router(&self, py: Python<'_>) -> PyResult<Py<Router>> {
        self.router_obj(py)
    }

    /// The current version: 1 for the first Router, one more for each published change set.
    #[getter]
    fn version(&self, py: Python<'_>) -> PyResult<u64> {
        self.router_obj(py)?;
        Ok(lock(&self.current).0)
    }

    /// `route()` on the current version (see `Router.route`).
    #[pyo3(signature = (method, host, path, headers=None, *, query=None, port=None, sni=None,
        scheme=None))]
    #[allow(clippy::too_many_arguments)]
    fn route(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        host: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        query: Option<&Bound<'_, PyAny>>,
        port: Option<&Bound<'_, PyAny>>,
        sni: Option<&Bound<'_, PyAny>>,
        scheme: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let router = self.router_obj(py)?;
        Router::route(
            router.bind(py),
            method,
            host,
            path,
            headers,
            query,
            port,
            sni,
            scheme,
        )
    }

    /// `route_asgi()` on the current version (see `Router.route_asgi`).
    #[pyo3(signature = (scope, *, port=None, sni=None))]
    fn route_asgi(
        &self,
        py: Python<'_>,
        scope: &Bound<'_, PyAny>,
        port: Option<&Bound<'_, PyAny>>,
        sni: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let router = self.router_obj(py)?;
        Router::route_asgi(router.bind(py), scope, port, sni)
    }

    /// `route_grpc()` on the current version (see `Router.route_grpc`).
    #[pyo3(signature = (host, path, headers=None, *, port=None, sni=None, scheme=None))]
    #[allow(clippy::too_many_arguments)]
    fn route_grpc(
        &self,
        py: Python<'_>,
        host: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        port: Option<&Bound<'_, PyAny>>,
        sni: Option<&Bound<'_, PyAny>>,
        scheme: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let router = self.router_obj(py)?;
        Router::route_grpc(router.bind(py), host, path, headers, port, sni, scheme)
    }

    /// Applies a change set and publishes the next Router; returns what happened as a dict:
    /// `{"version", "published", "applied": [{"kind", "namespace", "name"}, ...],
    /// "unchanged": [...], "rejected": [{"object": {...}, "errors": [str, ...]}, ...],
    /// "warnings": [str, ...], "failed": str | None}`.
    ///
    /// `changes` is YAML or JSON text (every object in it is upserted), a dict (one Kubernetes
    /// object to create or replace), a delete — `("delete", kind, namespace, name)` or
    /// `{"delete": {"kind": ..., "namespace": ..., "name": ...}}` — or a list of those. An
    /// invalid object is rejected with its field paths and its previous version keeps
    /// serving; the valid rest applies. Text that does not parse raises `ConfigError` and
    /// applies nothing. The rebuild runs with the GIL released; applies are serialized.
    fn apply<'py>(
        &self,
        py: Python<'py>,
        changes: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let changes = self::changes(py, changes)?;
            let done = py.detach(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    let result = self.live.apply(changes);
                    if result.published {
                        publish(&self.live, &self.pending);
                    }
                    result
                }))
            });
            let result = done.map_err(|_| {
                InternalError::new_err(
                    "internal error in trieway (please report it): panic while applying",
                )
            })?;
            self.router_obj(py)?;
            to_python(py, &result_json(&result))
        })
    }

    /// Watches `paths` (files, or directories read recursively, as `from_path` reads them) and
    /// applies what changes in them, reporting every reload to `callback` as a dict
    /// `{"files": [str], "unreadable": [str], "result": <the dict apply returns>}`. The first
    /// reload (every file) is reported before `watch` returns; later ones come from the
    /// watcher's thread (the callback takes the GIL; an exception it raises is reported as
    /// unraisable). File events are debounced (`debounce` seconds of quiet, default 0.2).
    /// Returns a `Watcher`: `stop()` it (or drop it) to stop watching.
    #[pyo3(signature = (paths, callback, *, debounce=0.2))]
    fn watch(
        &self,
        py: Python<'_>,
        paths: &Bound<'_, PyAny>,
        callback: Bound<'_, PyAny>,
        debounce: f64,
    ) -> PyResult<Watcher> {
        guard(|| {
            let paths: Vec<PathBuf> = match paths.extract::<PathBuf>() {
                Ok(p) => vec![p],
                Err(_) => paths
                    .extract::<Vec<PathBuf>>()
                    .map_err(|_| PyTypeError::new_err("paths must be a path or a list of paths"))?,
            };
            if !callback.is_callable() {
                return Err(PyTypeError::new_err("callback must be callable"));
            }
            if !(0.0..=3600.0).contains(&debounce) {
                return Err(PyValueError::new_err(format!(
                    "debounce must be a number of seconds from 0 to 3600, got {debounce}"
                )));
            }
            let options = trieway::WatchOptions::default()
                .debounce(std::time::Duration::from_secs_f64(debounce));
            let callback: Py<PyAny> = callback.unbind();
            let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let (live, pending, flag) = (self.live.clone(), self.pending.clone(), stopped.clone());
            let on_reload = move |reload: trieway::Reload| {
                if reload.result.published {
                    publish(&live, &pending);
                }
                if flag.load(std::sync::atomic::Ordering::Acquire) {
                    return;
                }
                Python::attach(|py| {
                    let value = serde_json::json!({
                        "files": reload.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                        "unreadable": reload.unreadable.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                        "result": result_json(&reload.result),
                    });
                    let called = to_python(py, &value).and_then(|d| callback.call1(py, (d,)));
                    if let Err(e) = called {
                        e.write_unraisable(py, None);
                    }
                });
            };
            let watched = py.detach(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    self.live.watch(&paths, options, on_reload)
                }))
            });
            let watcher = match watched {
                Ok(Ok(w)) => w,
                Ok(Err(e)) => return Err(config_error(py, &e)),
                Err(_) => {
                    return Err(InternalError::new_err(
                        "internal error in trieway (please report it): panic while watching",
                    ))
                }
            };
            self.router_obj(py)?;
            Ok(Watcher {
                watcher: Mutex::new(Some(watcher)),
                stopped,
            })
        })
    }

    /// `apply` in a worker thread (`asyncio.to_thread`): awaitable, so the event loop keeps
    /// serving while the next Router is built.
    fn apply_async<'py>(
        slf: &Bound<'py, Self>,
        changes: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let f = slf.getattr("apply")?;
        py.import("asyncio")?
            .getattr("to_thread")?
            .call1((f, changes))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let router = self.router_obj(py)?;
        let version = lock(&self.current).0;
        Ok(format!(
            "<trieway.Live gateway={} version={version}>",
            router.get().gateway_name()
        ))
    }
}

/// A running `Live.watch`. `stop()` ends it (and waits for a reload in progress); dropping
/// it stops it too.
#[pyclass(frozen, module = "trieway")]
pub struct Watcher {
    watcher: Mutex<Option<trieway::Watcher>>,
    stopped: Arc<std::sync::atomic::AtomicBool>,
}

#[pymethods]
impl Watcher {
    /// Stops watching: no callback runs after this returns. Idempotent.
    fn stop(&self, py: Python<'_>) {
        self.stopped
            .store(true, std::sync::atomic::Ordering::Release);
        let w = lock(&self.watcher).take();
        if let Some(w) = w {
            // The watcher's thread may be waiting for the GIL to call the callback.
            py.detach(move || w.stop());
        }
    }

    /// Whether `stop()` was called.
    #[getter]
    fn stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Acquire)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stopped
            .store(true, std::sync::atomic::Ordering::Release);
        if let Some(w) = lock(&self.watcher).take() {
            // Dropped with the GIL held: joining the watcher's thread here could wait for a
            // callback waiting for the GIL, so another thread stops it.
            let _ = std::thread::Builder::new()
                .name("trieway-watch-stop".into())
                .spawn(move || w.stop());
        }
    }
}
