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
#![deny(unsafe_op_in_unsafe_fn)]

mod request;
mod types;

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::OnceLock;
use trieway::model::RouteKind;
use trieway::{Config, Options, Outcome, RegexRank, RepeatedHeaders, UnknownFields};
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

/// Keyword options shared by the constructors (see `Options` in the Rust crate).
#[allow(clippy::too_many_arguments)]
fn options(
    gateway: Option<String>,
    controller_name: Option<String>,
    host_isolation: Option<bool>,
    listener_isolation: Option<bool>,
    regex_rank: Option<&str>,
    repeated_headers: Option<&str>,
    all_weights_zero_status: Option<u16>,
    regex_size_limit: Option<usize>,
    max_path_len: Option<usize>,
    max_query_len: Option<usize>,
    max_header_value_len: Option<usize>,
    regex_route_budget: Option<usize>,
    regex_router_budget: Option<usize>,
) -> PyResult<Options> {
    let mut o = Options {
        gateway,
        controller_name,
        ..Options::default()
    };
    if let Some(v) = host_isolation {
        o.host_isolation = v;
    }
    if let Some(v) = listener_isolation {
        o.listener_isolation = v;
    }
    if let Some(v) = regex_rank {
        o.regex_rank = match v {
            "between_exact_and_prefix" => RegexRank::BetweenExactAndPrefix,
            "below_prefix" => RegexRank::BelowPrefix,
            other => {
                return Err(PyValueError::new_err(format!(
                    "regex_rank must be 'between_exact_and_prefix' or 'below_prefix', not {other:?}"
                )))
            }
        };
    }
    if let Some(v) = repeated_headers {
        o.repeated_headers = match v {
            "join" => RepeatedHeaders::Join,
            "first" => RepeatedHeaders::First,
            "any" => RepeatedHeaders::Any,
            other => {
                return Err(PyValueError::new_err(format!(
                    "repeated_headers must be 'join', 'first' or 'any', not {other:?}"
                )))
            }
        };
    }
    if let Some(v) = all_weights_zero_status {
        if !(100..=599).contains(&v) {
            return Err(PyValueError::new_err(format!(
                "all_weights_zero_status must be an HTTP status (100-599), not {v}"
            )));
        }
        o.all_weights_zero_status = v;
    }
    if let Some(v) = regex_size_limit {
        o.regex_size_limit = v;
    }
    if let Some(v) = max_path_len {
        o.max_path_len = v;
    }
    if let Some(v) = max_query_len {
        o.max_query_len = v;
    }
    if let Some(v) = max_header_value_len {
        o.max_header_value_len = v;
    }
    if let Some(v) = regex_route_budget {
        o.regex_route_budget = v;
    }
    if let Some(v) = regex_router_budget {
        o.regex_router_budget = v;
    }
    Ok(o)
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
            for (i, r) in self.config.http_routes.iter().enumerate() {
                map.insert(
                    (
                        RouteKind::Http,
                        r.meta.namespace.clone(),
                        r.meta.name.clone(),
                    ),
                    i,
                );
            }
            for (i, r) in self.config.grpc_routes.iter().enumerate() {
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
            RouteKind::Http => self.config.http_routes[i]
                .spec
                .rules
                .as_ref()
                .and_then(|r| r.get(rule))
                .map(|r| serde_json::to_value(&r.filters)),
            RouteKind::Grpc => self.config.grpc_routes[i]
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
            // SAFETY: `m` borrows from `slf.get()`, the data of the object passed along.
            let matched = unsafe { Match::new(slf.clone().unbind(), m, stored()) };
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
    #[pyo3(signature = (text, gateway=None, *, strict=true, controller_name=None,
        host_isolation=None, listener_isolation=None, regex_rank=None, repeated_headers=None,
        all_weights_zero_status=None, regex_size_limit=None, max_path_len=None,
        max_query_len=None, max_header_value_len=None, regex_route_budget=None,
        regex_router_budget=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_yaml(
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        gateway: Option<String>,
        strict: bool,
        controller_name: Option<String>,
        host_isolation: Option<bool>,
        listener_isolation: Option<bool>,
        regex_rank: Option<String>,
        repeated_headers: Option<String>,
        all_weights_zero_status: Option<u16>,
        regex_size_limit: Option<usize>,
        max_path_len: Option<usize>,
        max_query_len: Option<usize>,
        max_header_value_len: Option<usize>,
        regex_route_budget: Option<usize>,
        regex_router_budget: Option<usize>,
    ) -> PyResult<Self> {
        guard(|| {
            let opts = options(
                gateway,
                controller_name,
                host_isolation,
                listener_isolation,
                regex_rank.as_deref(),
                repeated_headers.as_deref(),
                all_weights_zero_status,
                regex_size_limit,
                max_path_len,
                max_query_len,
                max_header_value_len,
                regex_route_budget,
                regex_router_budget,
            )?;
            let text = config_text(text)?;
            let config = py.detach(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    let mut c = Config::new().with_unknown_fields(unknown_fields(strict));
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
    #[pyo3(signature = (data, gateway=None, *, strict=true, controller_name=None,
        host_isolation=None, listener_isolation=None, regex_rank=None, repeated_headers=None,
        all_weights_zero_status=None, regex_size_limit=None, max_path_len=None,
        max_query_len=None, max_header_value_len=None, regex_route_budget=None,
        regex_router_budget=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_json(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        gateway: Option<String>,
        strict: bool,
        controller_name: Option<String>,
        host_isolation: Option<bool>,
        listener_isolation: Option<bool>,
        regex_rank: Option<String>,
        repeated_headers: Option<String>,
        all_weights_zero_status: Option<u16>,
        regex_size_limit: Option<usize>,
        max_path_len: Option<usize>,
        max_query_len: Option<usize>,
        max_header_value_len: Option<usize>,
        regex_route_budget: Option<usize>,
        regex_router_budget: Option<usize>,
    ) -> PyResult<Self> {
        let text = if data.is_instance_of::<PyString>() || data.is_instance_of::<PyBytes>() {
            data.clone()
        } else {
            py.import("json")?.call_method1("dumps", (data,))?
        };
        Router::from_yaml(
            py,
            &text,
            gateway,
            strict,
            controller_name,
            host_isolation,
            listener_isolation,
            regex_rank,
            repeated_headers,
            all_weights_zero_status,
            regex_size_limit,
            max_path_len,
            max_query_len,
            max_header_value_len,
            regex_route_budget,
            regex_router_budget,
        )
    }

    /// Loads a file, or a directory (every `.yaml`, `.yml` and `.json` file below it, in
    /// sorted order), and compiles it like `from_yaml`. A file that cannot be read raises
    /// `ConfigError`.
    #[staticmethod]
    #[pyo3(signature = (path, gateway=None, *, strict=true, controller_name=None,
        host_isolation=None, listener_isolation=None, regex_rank=None, repeated_headers=None,
        all_weights_zero_status=None, regex_size_limit=None, max_path_len=None,
        max_query_len=None, max_header_value_len=None, regex_route_budget=None,
        regex_router_budget=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_path(
        py: Python<'_>,
        path: PathBuf,
        gateway: Option<String>,
        strict: bool,
        controller_name: Option<String>,
        host_isolation: Option<bool>,
        listener_isolation: Option<bool>,
        regex_rank: Option<String>,
        repeated_headers: Option<String>,
        all_weights_zero_status: Option<u16>,
        regex_size_limit: Option<usize>,
        max_path_len: Option<usize>,
        max_query_len: Option<usize>,
        max_header_value_len: Option<usize>,
        regex_route_budget: Option<usize>,
        regex_router_budget: Option<usize>,
    ) -> PyResult<Self> {
        guard(|| {
            let opts = options(
                gateway,
                controller_name,
                host_isolation,
                listener_isolation,
                regex_rank.as_deref(),
                repeated_headers.as_deref(),
                all_weights_zero_status,
                regex_size_limit,
                max_path_len,
                max_query_len,
                max_header_value_len,
                regex_route_budget,
                regex_router_budget,
            )?;
            let config = py.detach(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    let mut c = Config::new().with_unknown_fields(unknown_fields(strict));
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
        d.set_item("errors", PyList::new(py, messages(&self.config.errors))?)?;
        d.set_item(
            "warnings",
            PyList::new(py, messages(&self.config.warnings))?,
        )?;
        Ok(d.into_any())
    }

    fn __repr__(&self) -> String {
        format!("<trieway.Router gateway={}>", self.router.gateway())
    }
}

/// The unknown-field policy of `strict`: unknown fields raise with it, else are warnings.
fn unknown_fields(strict: bool) -> UnknownFields {
    if strict {
        UnknownFields::Error
    } else {
        UnknownFields::Warn
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
        gateway_classes: Vec<trieway::attach::GatewayClassStatus>,
        gateways: Vec<trieway::attach::GatewayStatus>,
        listener_sets: Vec<trieway::attach::ListenerSetStatus>,
        routes: Vec<trieway::attach::RouteStatus>,
        listeners: Vec<trieway::attach::ListenerStatus>,
    }
    guard(|| {
        let text = config_text(text)?;
        let checked = py.detach(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let mut config = Config::new().with_unknown_fields(UnknownFields::Error);
                config.add_str(&text, "<string>");
                let config = config.finish();
                let attachment = trieway::attach::attach(&config, controller_name.as_deref());
                let messages =
                    |l: &[trieway::ConfigError]| l.iter().map(|e| e.to_string()).collect();
                Checked {
                    errors: messages(&config.errors),
                    warnings: messages(&config.warnings)
                        .into_iter()
                        .chain(attachment.report.warnings)
                        .collect(),
                    gateway_classes: attachment.report.gateway_classes,
                    gateways: attachment.report.gateways,
                    listener_sets: attachment.report.listener_sets,
                    routes: attachment.report.routes,
                    listeners: attachment.report.listeners,
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
