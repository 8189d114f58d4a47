//! Python bindings for trieway: the native module `trieway._trieway`, re-exported by the
//! `trieway` package (see `python/trieway/__init__.py` and the typed stub `_trieway.pyi`).
//!
//! Every entry point runs inside [`guard`], so a Rust panic reaches Python as
//! `trieway.InternalError` (a `RuntimeError`), never as an abort.
//!
//! The GIL: `route()` and `route_asgi()` keep it. A lookup costs tens of nanoseconds and
//! releasing and re-taking the GIL costs more than that, so threads gain nothing from it.
//! Loading and compiling a configuration (`from_yaml`, `from_json`, `from_path`, `check`)
//! release it: they take milliseconds on large configurations.

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod request;
mod types;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::OnceLock;
use trieway::model::RouteKind;
use trieway::{Config, Options, Outcome, UnknownFields};
use types::Match;

pyo3::create_exception!(
    trieway,
    ConfigError,
    PyValueError,
    "The configuration is invalid, a file cannot be read, or the Gateway cannot be chosen.\n\n\
     `str(e)` is the same message the Rust library gives; `e.problems` lists every problem \
     (one string per invalid object or field)."
);
pyo3::create_exception!(
    trieway,
    InternalError,
    PyRuntimeError,
    "A bug in trieway: a Rust panic, caught and turned into an exception."
);

/// Runs `f`, turning a Rust panic into `trieway.InternalError`.
pub(crate) fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(InternalError::new_err(format!(
                "internal error in trieway (please report it): {msg}"
            )))
        }
    }
}

fn config_error(py: Python<'_>, e: &trieway::Error) -> PyErr {
    let problems: Vec<String> = match e {
        trieway::Error::Invalid(list) => list.iter().map(|p| p.to_string()).collect(),
        other => vec![other.to_string()],
    };
    let err = ConfigError::new_err(e.to_string());
    if let Err(set) = err.value(py).setattr("problems", problems) {
        return set;
    }
    err
}

thread_local! {
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// A uniform `u64` from a per-thread xorshift64* generator seeded from `RandomState`.
pub(crate) fn next_random() -> u64 {
    RNG.with(|c| {
        let mut x = c.get();
        if x == 0 {
            use std::hash::BuildHasher;
            x = std::collections::hash_map::RandomState::new().hash_one(0x7472_6965u64) | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        c.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// A serde value as Python objects (through `json.loads`: reports are small).
pub(crate) fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| InternalError::new_err(format!("cannot serialize: {e}")))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// A keyword argument's value as JSON for `Options`'s deserializer: `None` (dropped by the
/// caller), `bool`, `int`, `float`, `str`, or a list or tuple of those.
fn option_value(key: &str, v: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    use serde_json::Value;
    if v.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = v.cast::<pyo3::types::PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if v.is_instance_of::<pyo3::types::PyInt>() {
        if let Ok(n) = v.extract::<u64>() {
            Ok(Value::from(n))
        } else if let Ok(n) = v.extract::<i64>() {
            Ok(Value::from(n))
        } else {
            Err(PyValueError::new_err(format!(
                "option `{key}`: out of range: {v}"
            )))
        }
    } else if let Ok(f) = v.cast::<pyo3::types::PyFloat>() {
        Ok(Value::from(f.value()))
    } else if let Ok(s) = v.cast::<PyString>() {
        Ok(Value::String(s.to_cow()?.into_owned()))
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<pyo3::types::PyTuple>() {
        v.try_iter()?
            .map(|item| option_value(key, &item?))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array)
    } else {
        Err(PyTypeError::new_err(format!(
            "option `{key}`: invalid type: {}",
            request::type_name(v)
        )))
    }
}

/// The keyword options of the constructors as `Options`: collected into one map and
/// deserialized by the core (`Options`'s `Deserialize`, snake_case names as in Rust). `None`
/// means the default. An unknown option or a value of the wrong type raises `TypeError`, a
/// bad value `ValueError`; both name the option.
fn parse_options(gateway: Option<String>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Options> {
    let mut map = serde_json::Map::new();
    if let Some(g) = gateway {
        map.insert("gateway".into(), serde_json::Value::String(g));
    }
    for (k, v) in kwargs.into_iter().flat_map(|d| d.iter()) {
        let key: String = k.extract()?;
        if !v.is_none() {
            let value = option_value(&key, &v)?;
            map.insert(key, value);
        }
    }
    serde_json::from_value::<Options>(serde_json::Value::Object(map)).map_err(|e| {
        let message = e.to_string();
        if message.starts_with("unknown option") || message.contains(": invalid type: ") {
            PyTypeError::new_err(message)
        } else {
            PyValueError::new_err(message)
        }
    })
}

/// Text of a configuration: `str`, or UTF-8 `bytes`.
fn config_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        Ok(s.to_cow()?.into_owned())
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        String::from_utf8(b.as_bytes().to_vec())
            .map_err(|e| PyValueError::new_err(format!("configuration is not UTF-8: {e}")))
    } else {
        Err(PyTypeError::new_err(format!(
            "configuration text must be str or bytes, not {}",
            request::type_name(obj)
        )))
    }
}

/// An immutable routing table for one Gateway.
///
/// Build one with `Router.from_yaml`, `Router.from_json` or `Router.from_path`, then call
/// `route()` or `route_asgi()` from any number of threads: the Router never changes. To load
/// a new configuration, build a new Router and swap the reference.
#[pyclass(frozen, module = "trieway")]
pub struct Router {
    router: trieway::Router,
    config: Config,
    /// `(kind, namespace, name)` → index into the config's route list, built on first use.
    index: OnceLock<HashMap<(RouteKind, String, String), usize>>,
}

impl Router {
    fn build(
        py: Python<'_>,
        config: Result<Config, trieway::Error>,
        options: Options,
    ) -> PyResult<Self> {
        let result = py.detach(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let config = config?;
                let router = trieway::Router::new(&config, options)?;
                Ok::<_, trieway::Error>((router, config))
            }))
        });
        match result {
            Ok(Ok((router, config))) => Ok(Router {
                router,
                config,
                index: OnceLock::new(),
            }),
            Ok(Err(e)) => Err(config_error(py, &e)),
            Err(_) => Err(InternalError::new_err(
                "internal error in trieway (please report it): panic while compiling",
            )),
        }
    }

    /// The configured filters of a rule, as serde values.
    pub(crate) fn rule_filters(
        &self,
        kind: RouteKind,
        namespace: &str,
        name: &str,
        rule: usize,
    ) -> serde_json::Value {
        let index = self.index.get_or_init(|| {
            let mut map = HashMap::new();
            for (i, r) in self.config.http_routes().iter().enumerate() {
                map.insert(
                    (
                        RouteKind::Http,
                        r.meta.namespace.clone(),
                        r.meta.name.clone(),
                    ),
                    i,
                );
            }
            for (i, r) in self.config.grpc_routes().iter().enumerate() {
                map.insert(
                    (
                        RouteKind::Grpc,
                        r.meta.namespace.clone(),
                        r.meta.name.clone(),
                    ),
                    i,
                );
            }
            map
        });
        let Some(&i) = index.get(&(kind, namespace.to_string(), name.to_string())) else {
            return serde_json::Value::Array(Vec::new());
        };
        let value = match kind {
            RouteKind::Http => self.config.http_routes()[i]
                .spec
                .rules
                .as_ref()
                .and_then(|r| r.get(rule))
                .map(|r| serde_json::to_value(&r.filters)),
            RouteKind::Grpc => self.config.grpc_routes()[i]
                .spec
                .rules
                .get(rule)
                .map(|r| serde_json::to_value(&r.filters)),
            _ => None,
        };
        match value {
            Some(Ok(v)) => v,
            _ => serde_json::Value::Array(Vec::new()),
        }
    }
}

/// Routes `req` with the Router object `slf` and turns the outcome into the Python result;
/// `stored` (the request to keep for `Match.apply`) is called for a match only.
fn lookup(
    slf: &Bound<'_, Router>,
    req: &trieway::Request<'_>,
    stored: impl FnOnce() -> request::Stored,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    match slf.get().router.route(req) {
        Outcome::Matched(m) => {
            let matched = Match::new(slf.clone().unbind(), m.id(), stored());
            Ok(Py::new(py, matched)?.into_any())
        }
        Outcome::Misdirected => Ok(types::misdirected(py)?.into_any()),
        _ => Ok(py.None()),
    }
}

#[pymethods]
impl Router {
    /// Loads YAML (one or more `---`-separated documents) or JSON text and compiles the
    /// Gateway `gateway` (`"namespace/name"`; `None`: the only Gateway served).
    ///
    /// With `strict=True` (the default) any invalid object or rule, and any unknown field
    /// (`spec.rules[0].backendRef: unknown field, did you mean backendRefs?`), raises
    /// `ConfigError` listing every problem; with `strict=False` invalid objects are dropped
    /// (as a controller would), unknown fields are warnings, and both are reported by
    /// `problems()`.
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
            let opts = parse_options(gateway, options)?;
            let policy = unknown_fields(strict, &opts);
            let text = config_text(text)?;
            let config = py.detach(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    let mut c = Config::builder().with_unknown_fields(policy);
                    c.add_str(&text, "<string>");
                    let c = c.finish();
                    if strict {
                        c.strict()
                    } else {
                        Ok(c)
                    }
                }))
            });
            let config = config.map_err(|_| {
                InternalError::new_err(
                    "internal error in trieway (please report it): panic while loading",
                )
            })?;
            Router::build(py, config, opts)
        })
    }

    /// Like `from_yaml`, for JSON: a `str`/`bytes` document, or Python objects (a dict or a
    /// list of Kubernetes objects) that are serialized with `json.dumps` first.
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
        Router::from_yaml(py, &text, gateway, strict, options)
    }

    /// Loads a file, or a directory (every `.yaml`, `.yml` and `.json` file below it, in
    /// sorted order), and compiles it like `from_yaml`. A file that cannot be read raises
    /// `ConfigError`.
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
            let opts = parse_options(gateway, options)?;
            let policy = unknown_fields(strict, &opts);
            let config = py.detach(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    let mut c = Config::builder().with_unknown_fields(policy);
                    c.add_path(&path)?;
                    let c = c.finish();
                    if strict {
                        c.strict()
                    } else {
                        Ok(c)
                    }
                }))
            });
            let config = config.map_err(|_| {
                InternalError::new_err(
                    "internal error in trieway (please report it): panic while loading",
                )
            })?;
            Router::build(py, config, opts)
        })
    }

    /// `namespace/name` of the Gateway this Router serves.
    #[getter]
    fn gateway(&self) -> &str {
        self.router.gateway()
    }

    /// Routes a request. `path` is the request-target (`/a/b?x=1`: the query is split at the
    /// first `?`) unless `query` is given. `headers` is a mapping or an iterable of
    /// `(name, value)` pairs (`str` or `bytes`; repeat a name for several lines). `port` names
    /// the listener port (default: the Gateway's lowest); `sni` is the TLS server name for
    /// HTTPS listeners; `scheme` is `http` or `https` as the client sees it.
    ///
    /// Returns a `Match`, `None` when nothing matches (404), or `trieway.MISDIRECTED` (falsy,
    /// `.status == 421`) when `sni` selects another listener than `host`. Keeps the GIL: see
    /// the module documentation.
    #[pyo3(signature = (method, host, path, headers=None, *, query=None, port=None, sni=None,
        scheme=None))]
    #[allow(clippy::too_many_arguments)]
    fn route(
        slf: &Bound<'_, Self>,
        method: &Bound<'_, PyAny>,
        host: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        query: Option<&Bound<'_, PyAny>>,
        port: Option<u16>,
        sni: Option<&Bound<'_, PyAny>>,
        scheme: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let collected =
                request::collect_args(method, host, path, headers, query, port, sni, scheme)?;
            collected.with_request(|req| {
                lookup(slf, req, || {
                    request::Stored::Args(request::ArgRequest {
                        method: method.clone().unbind(),
                        host: host.clone().unbind(),
                        path: path.clone().unbind(),
                        headers: headers.map(|h| h.clone().unbind()),
                        query: query.map(|q| q.clone().unbind()),
                        port,
                        sni: sni.map(|s| s.clone().unbind()),
                        scheme: scheme.map(|s| s.clone().unbind()),
                    })
                })
            })
        })
    }

    /// Routes an ASGI `http` (or `websocket`) connection scope: `method`, `raw_path` (falling
    /// back to `path`), `query_string`, `headers` (bytes pairs, used without copying; the
    /// first `host` line is the authority), `scheme`, and the port of `server` unless `port`
    /// is given (the Gateway's listener port is usually not the port the ASGI server binds).
    /// Returns what `route()` returns.
    #[pyo3(signature = (scope, *, port=None, sni=None))]
    fn route_asgi(
        slf: &Bound<'_, Self>,
        scope: &Bound<'_, PyAny>,
        port: Option<u16>,
        sni: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let collected = request::collect_asgi(scope, port, sni)?;
            collected.with_request(|req| {
                lookup(slf, req, || request::Stored::Asgi {
                    scope: scope.clone().unbind(),
                    port,
                    sni: sni.map(|s| s.clone().unbind()),
                })
            })
        })
    }

    /// The status a controller would write: a dict `{"routes": [...], "listeners": [...],
    /// "warnings": [...], "gateway_classes": [...], "gateways": [...], "listener_sets": [...]}`
    /// with Kubernetes-style `conditions` (`type`, `status`, `reason`, `message`).
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| to_python(py, self.router.report()))
    }

    /// Configuration problems that were dropped (only with `strict=False`) and warnings
    /// (unknown kinds, ignored documents), as messages: `{"errors": [...], "warnings": [...]}`.
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let messages = |l: &[trieway::ConfigError]| -> Vec<String> {
            l.iter().map(|e| e.to_string()).collect()
        };
        let d = pyo3::types::PyDict::new(py);
        d.set_item("errors", PyList::new(py, messages(self.config.errors()))?)?;
        d.set_item(
            "warnings",
            PyList::new(py, messages(self.config.warnings()))?,
        )?;
        Ok(d.into_any())
    }

    fn __repr__(&self) -> String {
        format!("<trieway.Router gateway={}>", self.router.gateway())
    }
}

/// The unknown-field policy of `strict`: unknown fields raise with it, else are warnings.
/// The loader's unknown-field policy: refused under `strict`, else as the `unknown_fields`
/// option says (default: warnings).
fn unknown_fields(strict: bool, options: &Options) -> UnknownFields {
    if strict {
        UnknownFields::Error
    } else {
        options.unknown_fields
    }
}

/// The `trieway check --output json` report for `text` (without its `ok` and `failures`):
/// every configuration problem and the status conditions of every GatewayClass, Gateway,
/// ListenerSet, route parentRef and listener, without raising for an invalid configuration:
/// `{"errors": [...], "warnings": [...], "gateway_classes": [...], "gateways": [...],
/// "listener_sets": [...], "routes": [...], "listeners": [...]}`. Unknown fields are errors, as with
/// `trieway check`.
#[pyfunction]
#[pyo3(signature = (text, *, controller_name=None))]
fn check<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    controller_name: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    #[derive(serde::Serialize)]
    struct Checked {
        errors: Vec<String>,
        warnings: Vec<String>,
        gateway_classes: Vec<trieway::ObjectStatus>,
        gateways: Vec<trieway::ObjectStatus>,
        listener_sets: Vec<trieway::ObjectStatus>,
        routes: Vec<trieway::RouteStatus>,
        listeners: Vec<trieway::ListenerStatus>,
    }
    guard(|| {
        let text = config_text(text)?;
        let checked = py.detach(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let mut config = Config::builder().with_unknown_fields(UnknownFields::Error);
                config.add_str(&text, "<string>");
                let config = config.finish();
                let report = trieway::Report::attach(&config, controller_name.as_deref());
                let messages =
                    |l: &[trieway::ConfigError]| l.iter().map(|e| e.to_string()).collect();
                Checked {
                    errors: messages(config.errors()),
                    warnings: messages(config.warnings())
                        .into_iter()
                        .chain(report.warnings)
                        .collect(),
                    gateway_classes: report.gateway_classes,
                    gateways: report.gateways,
                    listener_sets: report.listener_sets,
                    routes: report.routes,
                    listeners: report.listeners,
                }
            }))
        });
        match checked {
            Ok(c) => to_python(py, &c),
            Err(_) => Err(InternalError::new_err(
                "internal error in trieway (please report it): panic while checking",
            )),
        }
    })
}

/// Panics inside the same guard as every entry point (tests prove a panic becomes
/// `InternalError`).
#[pyfunction]
fn _panic_for_tests() -> PyResult<()> {
    guard(|| panic!("deliberate panic for tests"))
}

/// The native module. Import `trieway`, not this.
#[pymodule]
fn _trieway(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Router>()?;
    m.add_class::<Match>()?;
    m.add_class::<types::Misdirected>()?;
    m.add_class::<types::Action>()?;
    m.add_class::<types::Backend>()?;
    m.add_class::<types::Policies>()?;
    m.add_class::<types::Timeouts>()?;
    m.add_class::<types::Retry>()?;
    m.add_class::<types::SessionPolicy>()?;
    m.add("MISDIRECTED", types::misdirected(py)?)?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
