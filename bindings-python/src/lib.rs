//! Python bindings for trieway: the native module `trieway._trieway`, re-exported by the
//! `trieway` package (see `python/trieway/__init__.py` and the typed stub `_trieway.pyi`).
//!
//! Every entry point runs inside [`guard`], so a Rust panic reaches Python as
//! `trieway.InternalError` (a `RuntimeError`), never as an abort.
//!
//! The GIL: `route()` and `route_asgi()` keep it. A lookup costs tens of nanoseconds and
//! releasing and re-taking the GIL costs more than that, so threads gain nothing from it.
//! Loading and compiling a configuration (`from_yaml`, `from_json`, `from_path`,
//! `from_ingress`, `check`) release it: they take milliseconds to a second on large
//! configurations. The `*_async` constructors run them in a worker thread
//! (`asyncio.to_thread`), so an event loop keeps running while a configuration compiles.

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod live;
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

/// The random draw of `pick`/`status`/`apply`: a number in `[0, 1)` (as `random.random()`),
/// mapped onto the core's `u64` draw (`random * 2**64`); `None` draws one from the per-thread
/// generator. The same meaning as the Node binding's `random`.
pub(crate) fn draw(random: Option<f64>) -> PyResult<u64> {
    match random {
        None => Ok(next_random()),
        Some(r) if (0.0..1.0).contains(&r) => Ok((r * 18_446_744_073_709_551_616.0) as u64),
        Some(r) => Err(PyValueError::new_err(format!(
            "random must be a number in [0, 1) (as random.random() gives), got {r}"
        ))),
    }
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

/// Where a configuration comes from.
pub(crate) enum Source {
    Text(String),
    Path(PathBuf),
}

/// Loads `source` with the GIL released: under `strict` any invalid object or unknown field
/// is an error, else they are dropped and reported (`policy` for unknown fields).
fn load_config(
    py: Python<'_>,
    source: Source,
    strict: bool,
    policy: UnknownFields,
) -> PyResult<Result<Config, trieway::Error>> {
    let loaded = py.detach(|| {
        catch_unwind(AssertUnwindSafe(|| {
            let mut c = Config::builder().with_unknown_fields(policy);
            match &source {
                Source::Text(text) => c.add_str(text, "<string>"),
                Source::Path(path) => c.add_path(path)?,
            }
            let c = c.finish();
            if strict {
                c.strict()
            } else {
                Ok(c)
            }
        }))
    });
    loaded.map_err(|_| {
        InternalError::new_err("internal error in trieway (please report it): panic while loading")
    })
}

/// What every constructor of `Router` and `Live` starts with: the options (with `gateway`),
/// the unknown-field policy `strict` implies, and the configuration loaded from `source`.
pub(crate) fn prepare(
    py: Python<'_>,
    source: Source,
    gateway: Option<String>,
    strict: bool,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Options, UnknownFields, Result<Config, trieway::Error>)> {
    let opts = parse_options(gateway, options)?;
    let policy = unknown_fields(strict, &opts);
    let config = load_config(py, source, strict, policy)?;
    Ok((opts, policy, config))
}

impl Router {
    /// A Router object for a compiled Router and the configuration it was compiled from.
    pub(crate) fn from_parts(router: trieway::Router, config: Config) -> Self {
        Router {
            router,
            config,
            index: OnceLock::new(),
        }
    }

    /// `namespace/name` of the Gateway.
    pub(crate) fn gateway_name(&self) -> &str {
        self.router.gateway()
    }

    /// Compiles a loaded configuration with the GIL released: the Gateway `options.gateway`
    /// names, or with `ingress = Some(class)` the Ingresses of that IngressClass (`None`:
    /// every Ingress).
    fn build(
        py: Python<'_>,
        config: Result<Config, trieway::Error>,
        options: Options,
        ingress: Option<Option<String>>,
    ) -> PyResult<Self> {
        let result = py.detach(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let config = config?;
                let router = match ingress {
                    None => trieway::Router::new(&config, options)?,
                    Some(class) => {
                        trieway::Router::from_ingress(&config, class.as_deref(), options)
                    }
                };
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

    /// `asyncio.to_thread(Router.<name>, *args, strict=strict, **options)`: the coroutine of
    /// an `*_async` constructor.
    fn in_thread<'py>(
        py: Python<'py>,
        name: &str,
        args: (Bound<'py, PyAny>, Option<Bound<'py, PyAny>>),
        strict: bool,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = py.get_type::<Router>().getattr(name)?;
        let kwargs = match options {
            Some(d) => d.copy()?,
            None => PyDict::new(py),
        };
        kwargs.set_item("strict", strict)?;
        py.import("asyncio")?
            .getattr("to_thread")?
            .call((f, args.0, args.1), Some(&kwargs))
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
    grpc: bool,
    stored: impl FnOnce() -> request::Stored,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let router = &slf.get().router;
    let outcome = if grpc {
        router.route_grpc(req)
    } else {
        router.route(req)
    };
    match outcome {
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
            let source = Source::Text(config_text(text)?);
            let (opts, _, config) = prepare(py, source, gateway, strict, options)?;
            Router::build(py, config, opts, None)
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
            let (opts, _, config) = prepare(py, Source::Path(path), gateway, strict, options)?;
            Router::build(py, config, opts, None)
        })
    }

    /// Loads YAML or JSON text like `from_yaml` and compiles its Ingress objects
    /// (networking.k8s.io/v1) with native Ingress semantics instead of a Gateway: the
    /// Ingresses of IngressClass `ingress_class` (from `ingressClassName`, the legacy
    /// `kubernetes.io/ingress.class` annotation, or the default IngressClass), or every
    /// Ingress when it is `None`. A match's `route` is the Ingress, `rule` its `spec.rules`
    /// index (the default backend is one past the last rule).
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
            let (opts, _, config) = prepare(py, source, None, strict, options)?;
            Router::build(py, config, opts, Some(ingress_class))
        })
    }

    /// `from_yaml` in a worker thread (`asyncio.to_thread`): awaitable, so the event loop
    /// keeps running while a large configuration compiles (the compile releases the GIL).
    #[staticmethod]
    #[pyo3(signature = (text, gateway=None, *, strict=true, **options))]
    fn from_yaml_async<'py>(
        py: Python<'py>,
        text: Bound<'py, PyAny>,
        gateway: Option<Bound<'py, PyAny>>,
        strict: bool,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Router::in_thread(py, "from_yaml", (text, gateway), strict, options)
    }

    /// `from_json` in a worker thread, as `from_yaml_async`.
    #[staticmethod]
    #[pyo3(signature = (data, gateway=None, *, strict=true, **options))]
    fn from_json_async<'py>(
        py: Python<'py>,
        data: Bound<'py, PyAny>,
        gateway: Option<Bound<'py, PyAny>>,
        strict: bool,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Router::in_thread(py, "from_json", (data, gateway), strict, options)
    }

    /// `from_path` in a worker thread, as `from_yaml_async`.
    #[staticmethod]
    #[pyo3(signature = (path, gateway=None, *, strict=true, **options))]
    fn from_path_async<'py>(
        py: Python<'py>,
        path: Bound<'py, PyAny>,
        gateway: Option<Bound<'py, PyAny>>,
        strict: bool,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Router::in_thread(py, "from_path", (path, gateway), strict, options)
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
        port: Option<&Bound<'_, PyAny>>,
        sni: Option<&Bound<'_, PyAny>>,
        scheme: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let port = request::port_arg(port, "port")?;
            if headers.is_none() && query.is_none() && sni.is_none() && scheme.is_none() {
                // The common case: the request borrows the argument strings as they are.
                let req = request::simple_request(method, host, path, port)?;
                return lookup(slf, &req, false, || {
                    request::Stored::Args(request::ArgRequest {
                        method: method.clone().unbind(),
                        host: host.clone().unbind(),
                        path: path.clone().unbind(),
                        headers: None,
                        query: None,
                        port,
                        sni: None,
                        scheme: None,
                    })
                });
            }
            let collected =
                request::collect_args(method, host, path, headers, query, port, sni, scheme)?;
            collected.with_request(|req| {
                lookup(slf, req, false, || {
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
    /// back to `path`; either taken relative to `root_path`, the prefix the app is mounted
    /// under), `query_string`, `headers` (bytes pairs, used without copying; the
    /// first `host` line is the authority), `scheme`, and the port of `server` unless `port`
    /// is given (the Gateway's listener port is usually not the port the ASGI server binds).
    /// Returns what `route()` returns.
    #[pyo3(signature = (scope, *, port=None, sni=None))]
    fn route_asgi(
        slf: &Bound<'_, Self>,
        scope: &Bound<'_, PyAny>,
        port: Option<&Bound<'_, PyAny>>,
        sni: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let port = request::port_arg(port, "port")?;
            let collected = request::collect_asgi(scope, port, sni)?;
            collected.with_request(|req| {
                lookup(slf, req, false, || request::Stored::Asgi {
                    scope: scope.clone().unbind(),
                    port,
                    sni: sni.map(|s| s.clone().unbind()),
                })
            })
        })
    }

    /// Routes a gRPC call over the GRPCRoutes of the listener: `path` is the call's `:path`
    /// (`/package.Service/Method`); the other arguments as for `route()`. Returns a `Match`,
    /// `None` (gRPC status UNIMPLEMENTED) or `MISDIRECTED`. Calls to hosts that HTTPRoutes
    /// serve go through `route()` like any HTTP/2 request.
    #[pyo3(signature = (host, path, headers=None, *, port=None, sni=None, scheme=None))]
    #[allow(clippy::too_many_arguments)]
    fn route_grpc(
        slf: &Bound<'_, Self>,
        host: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        port: Option<&Bound<'_, PyAny>>,
        sni: Option<&Bound<'_, PyAny>>,
        scheme: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let py = slf.py();
            let port = request::port_arg(port, "port")?;
            let method = pyo3::intern!(py, "POST").clone().into_any();
            let collected =
                request::collect_args(&method, host, path, headers, None, port, sni, scheme)?;
            collected.with_request(|req| {
                lookup(slf, req, true, || {
                    request::Stored::Args(request::ArgRequest {
                        method: method.clone().unbind(),
                        host: host.clone().unbind(),
                        path: path.clone().unbind(),
                        headers: headers.map(|h| h.clone().unbind()),
                        query: None,
                        port,
                        sni: sni.map(|s| s.clone().unbind()),
                        scheme: scheme.map(|s| s.clone().unbind()),
                    })
                })
            })
        })
    }

    /// Routes a TLS connection arriving on listener port `port` with server name `sni`: an
    /// `L4Match` (a TLSRoute forwards it), `trieway.TERMINATE` (the SNI selects an HTTPS
    /// listener: terminate TLS and route its requests with `route()`), or `None` (no
    /// listener or route serves it, or no SNI: close the connection).
    #[pyo3(signature = (port, sni))]
    fn route_tls(
        slf: &Bound<'_, Self>,
        port: &Bound<'_, PyAny>,
        sni: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        guard(|| {
            let py = slf.py();
            let port = l4_port(port)?;
            match slf.get().router.route_tls(port, sni.as_deref()) {
                trieway::TlsOutcome::Forward(_) => {
                    let m =
                        types::L4Match::new(slf.clone().unbind(), types::L4Kind::Tls, port, sni);
                    Ok(Py::new(py, m)?.into_any())
                }
                trieway::TlsOutcome::Http => Ok(types::terminate(py)?.into_any()),
                _ => Ok(py.None()),
            }
        })
    }

    /// The certificates a TLS handshake on `port` with server name `sni` presents: the
    /// listener whose hostname is the SNI, else the longest matching wildcard, else the one
    /// without hostname (`None`: no usable TLS-terminating listener serves it).
    #[pyo3(signature = (port, sni=None))]
    fn certificate_for(
        &self,
        port: &Bound<'_, PyAny>,
        sni: Option<String>,
    ) -> PyResult<Option<types::ListenerCertificates>> {
        guard(|| {
            let port = l4_port(port)?;
            Ok(self
                .router
                .certificate_for(port, sni.as_deref())
                .map(types::ListenerCertificates::from))
        })
    }

    /// The certificates of every usable TLS-terminating listener, by port, each port's in
    /// SNI selection order.
    fn listener_certificates(&self) -> Vec<types::ListenerCertificates> {
        self.router
            .listener_certificates()
            .iter()
            .map(types::ListenerCertificates::from)
            .collect()
    }

    /// The Gateway's client-certificate validation (`spec.tls.frontend`) for `port`, as a
    /// dict (`port`, `mode`, `ca_bundle_pem`, `ca_config_maps`, `source`, `usable`), or
    /// `None` when the port validates no client certificate.
    fn frontend_validation<'py>(
        &self,
        py: Python<'py>,
        port: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(|| {
            let port = l4_port(port)?;
            self.router
                .frontend_validation(port)
                .map(|v| {
                    to_python(
                        py,
                        &serde_json::json!({
                            "port": v.port,
                            "mode": v.mode.as_str(),
                            "ca_bundle_pem": v.ca_bundle_pem,
                            "ca_config_maps": v.ca_config_maps,
                            "source": v.source,
                            "usable": v.usable(),
                        }),
                    )
                })
                .transpose()
        })
    }

    /// What to do with a connection on `port` after client-certificate verification;
    /// `client` is `"absent"`, `"valid"` or `"invalid"` (what the handshake found). Returns
    /// `"accept"`, `"reject"` or `"insecure_fallback"` (serve as unauthenticated).
    fn client_certificate_decision(
        &self,
        port: &Bound<'_, PyAny>,
        client: &str,
    ) -> PyResult<&'static str> {
        guard(|| {
            let port = l4_port(port)?;
            let client = match client {
                "absent" => trieway::tls::ClientCertificate::Absent,
                "valid" => trieway::tls::ClientCertificate::Valid,
                "invalid" => trieway::tls::ClientCertificate::Invalid,
                other => {
                    return Err(pyo3::exceptions::PyValueError::new_err(format!(
                        "client must be \"absent\", \"valid\" or \"invalid\", not {other:?}"
                    )))
                }
            };
            Ok(
                match self.router.client_certificate_decision(port, client) {
                    trieway::tls::ClientDecision::Accept => "accept",
                    trieway::tls::ClientDecision::Reject => "reject",
                    trieway::tls::ClientDecision::InsecureFallback => "insecure_fallback",
                },
            )
        })
    }

    /// Routes a TCP connection arriving on listener port `port`: an `L4Match` (the oldest
    /// TCPRoute of the listener carries it), or `None` (reject).
    fn route_tcp(slf: &Bound<'_, Self>, port: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        route_l4(slf, port, types::L4Kind::Tcp)
    }

    /// Routes a UDP flow arriving on listener port `port`, as `route_tcp`: `None` means drop.
    fn route_udp(slf: &Bound<'_, Self>, port: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        route_l4(slf, port, types::L4Kind::Udp)
    }

    /// Why `route()` decides as it does for this request (the same arguments as `route()`):
    /// the Explanation as plain data (the JSON of `trieway explain -o json`): `gateway`,
    /// `listener` (how the port, Host and SNI selected a listener, or why none), `hostnames`
    /// (tried in order), `candidates` (every rule match of those hostnames with its `verdict`:
    /// matched, the first condition that failed, or the rule that shadows it and the
    /// precedence step), `not_attached` (routes whose parentRef was refused, with their
    /// condition and the rules that would have matched), `notes` and `outcome` (`{"result":
    /// "matched" | "not_found" | "misdirected", ...}`: what `route()` returns). Allocates and
    /// scans every candidate: meant for diagnosis, not for every request.
    #[pyo3(signature = (method, host, path, headers=None, *, query=None, port=None, sni=None,
        scheme=None))]
    #[allow(clippy::too_many_arguments)]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        host: &Bound<'py, PyAny>,
        path: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        query: Option<&Bound<'py, PyAny>>,
        port: Option<&Bound<'py, PyAny>>,
        sni: Option<&Bound<'py, PyAny>>,
        scheme: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let port = request::port_arg(port, "port")?;
            let collected =
                request::collect_args(method, host, path, headers, query, port, sni, scheme)?;
            let e = collected.with_request(|req| self.router.explain_with(&self.config, req));
            to_python(py, &e)
        })
    }

    /// `explain()` for a gRPC call, as `route_grpc()` routes it (the same arguments).
    #[pyo3(signature = (host, path, headers=None, *, port=None, sni=None, scheme=None))]
    #[allow(clippy::too_many_arguments)]
    fn explain_grpc<'py>(
        &self,
        py: Python<'py>,
        host: &Bound<'py, PyAny>,
        path: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        port: Option<&Bound<'py, PyAny>>,
        sni: Option<&Bound<'py, PyAny>>,
        scheme: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let port = request::port_arg(port, "port")?;
            let method = pyo3::intern!(py, "POST").clone().into_any();
            let collected =
                request::collect_args(&method, host, path, headers, None, port, sni, scheme)?;
            let e = collected.with_request(|req| self.router.explain_grpc_with(&self.config, req));
            to_python(py, &e)
        })
    }

    /// The lookup counters (built with `counters=True`), or `None` without them: `{"gateway":
    /// "ns/name", "rules": [{"kind", "namespace", "name", "rule_index", "rule_name",
    /// "matches"}, ...], "listeners": [{"port", "listener", "not_found", "misdirected"}, ...]}`.
    /// Counts `route()`, `route_asgi()` and `route_grpc()`; each counter is read once, without
    /// stopping lookups.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| match self.router.stats() {
            Some(s) => to_python(py, &s),
            None => Ok(py.None().into_bound(py)),
        })
    }

    /// The counters in the Prometheus text format (0.0.4), for a `/metrics` endpoint
    /// (`text/plain; version=0.0.4`): `trieway_rule_matches_total{gateway, kind, namespace,
    /// route, rule}` and `trieway_listener_misses_total{gateway, port, listener, status}`.
    /// `None` unless the Router was built with `counters=True`.
    fn prometheus_text(&self) -> Option<String> {
        self.router
            .stats()
            .map(|s| trieway::metrics::prometheus_text(&s))
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

/// The required `port` of a layer-4 lookup (an int from 1 to 65535).
fn l4_port(port: &Bound<'_, PyAny>) -> PyResult<u16> {
    match request::port_arg(Some(port), "port")? {
        Some(p) => Ok(p),
        None => Err(PyTypeError::new_err(
            "port must be an int from 1 to 65535, not None",
        )),
    }
}

/// `route_tcp` / `route_udp`.
fn route_l4(
    slf: &Bound<'_, Router>,
    port: &Bound<'_, PyAny>,
    kind: types::L4Kind,
) -> PyResult<Py<PyAny>> {
    guard(|| {
        let py = slf.py();
        let port = l4_port(port)?;
        let router = &slf.get().router;
        let found = match kind {
            types::L4Kind::Udp => router.route_udp(port).is_some(),
            _ => router.route_tcp(port).is_some(),
        };
        if found {
            let m = types::L4Match::new(slf.clone().unbind(), kind, port, None);
            Ok(Py::new(py, m)?.into_any())
        } else {
            Ok(py.None())
        }
    })
}

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
/// `InternalError`). Not part of the API: the module has it only when the environment
/// variable `TRIEWAY_PANIC_TEST=1` is set at import.
#[pyfunction]
fn _panic_for_tests() -> PyResult<()> {
    guard(|| panic!("deliberate panic for tests"))
}

/// The native module. Import `trieway`, not this.
#[pymodule]
fn _trieway(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Router>()?;
    m.add_class::<live::Live>()?;
    m.add_class::<live::Watcher>()?;
    m.add_class::<Match>()?;
    m.add_class::<types::Misdirected>()?;
    m.add_class::<types::Action>()?;
    m.add_class::<types::Backend>()?;
    m.add_class::<types::Certificate>()?;
    m.add_class::<types::ListenerCertificates>()?;
    m.add_class::<types::Policies>()?;
    m.add_class::<types::Timeouts>()?;
    m.add_class::<types::Retry>()?;
    m.add_class::<types::SessionPolicy>()?;
    m.add("MISDIRECTED", types::misdirected(py)?)?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_class::<types::L4Match>()?;
    m.add_class::<types::Terminate>()?;
    m.add("TERMINATE", types::terminate(py)?)?;
    if std::env::var_os("TRIEWAY_PANIC_TEST").is_some_and(|v| v == "1") {
        m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    }
    Ok(())
}
