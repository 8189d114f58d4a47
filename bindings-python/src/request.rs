//! Reading a request from Python arguments or an ASGI scope, without copying header bytes.
//!
//! A lookup happens in two phases. [`Collected`] holds owned references to the Python `str`
//! and `bytes` objects of the request (a `str` is read in place as UTF-8, a `bytes` as it is:
//! nothing is encoded or copied), then
//! [`Collected::with_request`] borrows slices from them into a [`trieway::Request`] on the
//! stack. Up to 24 header lines need no heap allocation on the Rust side.
//!
//! A [`Match`](crate::types::Match) keeps a [`Stored`] request (references to the caller's
//! objects, not copies) so that `Match.apply()` can read the same request again.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use smallvec::SmallVec;
use std::borrow::Cow;
use trieway::{Headers, Request};

/// Header lines kept inline before spilling to the heap.
const INLINE_HEADERS: usize = 24;

/// A request field read from Python: a `str`, read in place as UTF-8 (CPython keeps a
/// string's UTF-8 form; checked once when collected), or a `bytes` object (possibly not
/// UTF-8). Neither is copied.
#[derive(Clone)]
pub(crate) enum Field<'py> {
    Str(Bound<'py, PyString>),
    Bytes(Bound<'py, PyBytes>),
}

impl<'py> Field<'py> {
    /// A `bytes` object with a copy of `b` (for the slices an ASGI scope is cut into).
    fn new(py: Python<'py>, b: &[u8]) -> Self {
        Field::Bytes(PyBytes::new(py, b))
    }

    /// The field's bytes (a `str`'s UTF-8 form).
    fn as_bytes(&self) -> &[u8] {
        match self {
            // `to_str` succeeded when the field was collected; CPython caches the result.
            Field::Str(s) => s.to_str().map(str::as_bytes).unwrap_or_default(),
            Field::Bytes(b) => b.as_bytes(),
        }
    }

    /// The field as text: a `str` as it is, `bytes` through [`text`].
    fn text(&self) -> Cow<'_, str> {
        match self {
            Field::Str(s) => Cow::Borrowed(s.to_str().unwrap_or_default()),
            Field::Bytes(b) => text(b.as_bytes()),
        }
    }
}

/// A `str` field, checked to have a UTF-8 form (a `str` with lone surrogates raises
/// `UnicodeEncodeError`, a `ValueError`, as `encode("utf-8")` would).
fn str_field<'py>(s: &Bound<'py, PyString>) -> PyResult<Field<'py>> {
    s.to_str()?;
    Ok(Field::Str(s.clone()))
}
type HeaderList<'py> = SmallVec<[(Field<'py>, Field<'py>); INLINE_HEADERS]>;

/// `str` → its UTF-8 encoding (a new `bytes`), `bytes` → itself. Anything else is a
/// `TypeError` naming `what`.
fn to_bytes<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Field<'py>> {
    if let Ok(s) = obj.cast::<PyString>() {
        str_field(s)
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        Ok(Field::Bytes(b.clone()))
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} must be str or bytes, not {}",
            type_name(obj)
        )))
    }
}

/// Like [`to_bytes`] but only `str` is accepted.
fn str_bytes<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Field<'py>> {
    match obj.cast::<PyString>() {
        Ok(s) => str_field(s),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be str, not {}",
            type_name(obj)
        ))),
    }
}

/// The UTF-8 text of a `str` argument, borrowed from the string object: CPython keeps the
/// UTF-8 form of a string (for an ASCII string, its own storage), so nothing is copied or
/// allocated. Anything else is a `TypeError` naming `what`; a `str` with lone surrogates
/// raises `UnicodeEncodeError` (a `ValueError`), as `encode("utf-8")` would.
#[inline]
pub(crate) fn str_arg<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<&'a str> {
    match obj.cast::<PyString>() {
        Ok(s) => s.to_str(),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be str, not {}",
            type_name(obj)
        ))),
    }
}

/// `Router.route`'s common case, `route(method, host, path)` (and `port=`) with no headers,
/// query, SNI or scheme: the request borrows the argument strings directly (see
/// [`str_arg`]), without the owned [`Collected`] step.
pub(crate) fn simple_request<'a>(
    method: &'a Bound<'_, PyAny>,
    host: &'a Bound<'_, PyAny>,
    path: &'a Bound<'_, PyAny>,
    port: Option<u16>,
) -> PyResult<Request<'a>> {
    let method = str_arg(method, "method")?;
    let host = if host.is_none() {
        ""
    } else {
        str_arg(host, "host")?
    };
    let mut req = Request::new(method, host, str_arg(path, "path")?);
    req.port = port;
    Ok(req)
}

fn opt_str_bytes<'py>(obj: Option<&Bound<'py, PyAny>>, what: &str) -> PyResult<Option<Field<'py>>> {
    match obj {
        Some(o) if !o.is_none() => str_bytes(o, what).map(Some),
        _ => Ok(None),
    }
}

/// A port argument: `None`, or an `int` from 1 to 65535. Anything else raises an error that
/// names the argument (`what`): `TypeError` for another type, `ValueError` out of range.
pub(crate) fn port_arg(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<u16>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    // The common case first: an int in range.
    if let Ok(p) = o.extract::<u16>() {
        if p != 0 && !o.is_instance_of::<pyo3::types::PyBool>() {
            return Ok(Some(p));
        }
    }
    if !o.is_instance_of::<pyo3::types::PyInt>() || o.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an int from 1 to 65535, not {}",
            type_name(o)
        )));
    }
    match o.extract::<i64>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(Some(p as u16)),
        _ => Err(PyValueError::new_err(format!(
            "{what} must be an int from 1 to 65535, got {o}"
        ))),
    }
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// One `(name, value)` pair from a 2-tuple, a 2-list or any 2-item iterable.
fn pair<'py>(item: &Bound<'py, PyAny>) -> PyResult<(Field<'py>, Field<'py>)> {
    let bad = || {
        PyTypeError::new_err(format!(
            "each header must be a (name, value) pair, not {}",
            type_name(item)
        ))
    };
    if let Ok(t) = item.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(bad());
        }
        return Ok((
            to_bytes(&t.get_item(0)?, "a header name")?,
            to_bytes(&t.get_item(1)?, "a header value")?,
        ));
    }
    if let Ok(l) = item.cast::<PyList>() {
        if l.len() != 2 {
            return Err(bad());
        }
        return Ok((
            to_bytes(&l.get_item(0)?, "a header name")?,
            to_bytes(&l.get_item(1)?, "a header value")?,
        ));
    }
    if item.is_instance_of::<PyString>() || item.is_instance_of::<PyBytes>() {
        return Err(bad());
    }
    let mut it = item.try_iter().map_err(|_| bad())?;
    let (Some(n), Some(v), None) = (it.next(), it.next(), it.next()) else {
        return Err(bad());
    };
    Ok((
        to_bytes(&n?, "a header name")?,
        to_bytes(&v?, "a header value")?,
    ))
}

/// Reads headers given as a mapping (`dict`, or anything with `items()`) or an iterable of
/// `(name, value)` pairs; names and values may be `str` or `bytes`.
fn collect_headers<'py>(headers: &Bound<'py, PyAny>, out: &mut HeaderList<'py>) -> PyResult<()> {
    if headers.is_none() {
        return Ok(());
    }
    if let Ok(d) = headers.cast::<PyDict>() {
        for (k, v) in d.iter() {
            out.push((
                to_bytes(&k, "a header name")?,
                to_bytes(&v, "a header value")?,
            ));
        }
        return Ok(());
    }
    // Lists (ASGI servers, most callers) and tuples first: `hasattr` on them would raise and
    // clear an AttributeError, which costs more than the whole lookup.
    if let Ok(l) = headers.cast::<PyList>() {
        for item in l.iter() {
            out.push(pair(&item)?);
        }
        return Ok(());
    }
    if let Ok(t) = headers.cast::<PyTuple>() {
        for item in t.iter() {
            out.push(pair(&item)?);
        }
        return Ok(());
    }
    if headers.is_instance_of::<PyString>() || headers.is_instance_of::<PyBytes>() {
        return Err(headers_type_error(headers));
    }
    let py = headers.py();
    let iter = if headers.hasattr(intern!(py, "items"))? {
        headers.call_method0(intern!(py, "items"))?.try_iter()?
    } else {
        headers
            .try_iter()
            .map_err(|_| headers_type_error(headers))?
    };
    for item in iter {
        out.push(pair(&item?)?);
    }
    Ok(())
}

fn headers_type_error(obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "headers must be a mapping or an iterable of (name, value) pairs, not {}",
        type_name(obj)
    ))
}

/// Owned references to everything a lookup reads.
pub(crate) struct Collected<'py> {
    method: Field<'py>,
    host: Option<Field<'py>>,
    path: Field<'py>,
    /// `Some` when the query is separate from `path` (a `query=` argument or an ASGI scope).
    query: Option<Field<'py>>,
    query_given: bool,
    headers: HeaderList<'py>,
    port: Option<u16>,
    sni: Option<Field<'py>>,
    scheme: Option<Field<'py>>,
}

/// UTF-8 text of `b`: borrowed when valid (always for encoded `str`, whose check takes the
/// fast ASCII path), else with U+FFFD replacements (raw bytes from an ASGI scope).
fn text(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

impl<'py> Collected<'py> {
    /// Builds the borrowed [`Request`] and calls `f` with it.
    pub(crate) fn with_request<T>(&self, f: impl FnOnce(&Request<'_>) -> T) -> T {
        let pairs: SmallVec<[(&[u8], &[u8]); INLINE_HEADERS]> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect();
        let method = self.method.text();
        let host = self.host.as_ref().map(Field::text);
        let path = self.path.text();
        let query = self.query.as_ref().map(Field::text);
        let sni = self.sni.as_ref().map(Field::text);
        let scheme = self.scheme.as_ref().map(Field::text);
        let mut req = Request::new(&method, host.as_deref().unwrap_or(""), &path);
        if self.query_given {
            req.path = &path;
            req.query = query.as_deref();
        }
        if !pairs.is_empty() {
            req = req.headers(Headers::Bytes(&pairs));
        }
        req.port = self.port;
        req.sni = sni.as_deref();
        req.scheme = scheme.as_deref();
        f(&req)
    }
}

/// The request a [`Match`](crate::types::Match) was routed for: references to the caller's
/// objects, read again by `apply()`.
pub(crate) enum Stored {
    Args(ArgRequest),
    Asgi {
        scope: Py<PyAny>,
        port: Option<u16>,
        sni: Option<Py<PyAny>>,
    },
}

/// The arguments of `Router.route`.
pub(crate) struct ArgRequest {
    pub method: Py<PyAny>,
    pub host: Py<PyAny>,
    pub path: Py<PyAny>,
    pub headers: Option<Py<PyAny>>,
    pub query: Option<Py<PyAny>>,
    pub port: Option<u16>,
    pub sni: Option<Py<PyAny>>,
    pub scheme: Option<Py<PyAny>>,
}

impl Stored {
    pub(crate) fn collect<'py>(&self, py: Python<'py>) -> PyResult<Collected<'py>> {
        match self {
            Stored::Args(a) => collect_args(
                a.method.bind(py),
                a.host.bind(py),
                a.path.bind(py),
                a.headers.as_ref().map(|h| h.bind(py)),
                a.query.as_ref().map(|q| q.bind(py)),
                a.port,
                a.sni.as_ref().map(|s| s.bind(py)),
                a.scheme.as_ref().map(|s| s.bind(py)),
            ),
            Stored::Asgi { scope, port, sni } => {
                collect_asgi(scope.bind(py), *port, sni.as_ref().map(|s| s.bind(py)))
            }
        }
    }
}

/// Reads `Router.route`'s arguments.
#[allow(clippy::too_many_arguments)]
pub(crate) fn collect_args<'py>(
    method: &Bound<'py, PyAny>,
    host: &Bound<'py, PyAny>,
    path: &Bound<'py, PyAny>,
    headers: Option<&Bound<'py, PyAny>>,
    query: Option<&Bound<'py, PyAny>>,
    port: Option<u16>,
    sni: Option<&Bound<'py, PyAny>>,
    scheme: Option<&Bound<'py, PyAny>>,
) -> PyResult<Collected<'py>> {
    let mut list = HeaderList::new();
    if let Some(h) = headers {
        collect_headers(h, &mut list)?;
    }
    let query = opt_str_bytes(query, "query")?;
    Ok(Collected {
        method: str_bytes(method, "method")?,
        host: if host.is_none() {
            None
        } else {
            Some(str_bytes(host, "host")?)
        },
        path: str_bytes(path, "path")?,
        query_given: query.is_some(),
        query,
        headers: list,
        port,
        sni: opt_str_bytes(sni, "sni")?,
        scheme: opt_str_bytes(scheme, "scheme")?,
    })
}

/// `scope[key]`, `None` when missing or `None`. Keys are interned Python strings (see
/// `pyo3::intern!`), so a lookup neither allocates nor hashes.
fn scope_get<'py>(
    scope: &Bound<'py, PyAny>,
    key: &Bound<'py, PyString>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let v = if let Ok(d) = scope.cast::<PyDict>() {
        d.get_item(key)?
    } else {
        match scope.get_item(key) {
            Ok(v) => Some(v),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(scope.py()) => None,
            Err(e) => return Err(e),
        }
    };
    Ok(v.filter(|v| !v.is_none()))
}

/// The path relative to the scope's `root_path` (the prefix the application is mounted
/// under, which ASGI servers and Starlette's `Mount` keep in `path` and `raw_path`): `path`
/// without it when `path` starts with it at a segment boundary (`/api` + `/v1` -> `/v1`, and
/// `/api` alone -> `/`), else `path` unchanged (as Starlette's `get_route_path`).
fn strip_root_path<'py>(scope: &Bound<'py, PyAny>, path: Field<'py>) -> PyResult<Field<'py>> {
    let py = scope.py();
    let Some(root) = scope_get(scope, intern!(py, "root_path"))? else {
        return Ok(path);
    };
    // Most scopes say `"root_path": ""`: nothing to encode.
    if !root.is_truthy()? {
        return Ok(path);
    }
    let root = to_bytes(&root, "scope['root_path']")?;
    let (r, p) = (root.as_bytes(), path.as_bytes());
    let r = r.strip_suffix(b"/").unwrap_or(r);
    if r.is_empty() || !p.starts_with(r) {
        return Ok(path);
    }
    Ok(match &p[r.len()..] {
        [] => Field::new(py, b"/"),
        rest @ [b'/', ..] => Field::new(py, rest),
        _ => path,
    })
}

/// Reads an ASGI `http` or `websocket` connection scope: `method`, `raw_path` (or `path`),
/// `query_string`, `headers` (the first `host` line is the authority), `scheme` and the port
/// of `server` unless `port` is given. The path is taken relative to `root_path`
/// ([`strip_root_path`]).
pub(crate) fn collect_asgi<'py>(
    scope: &Bound<'py, PyAny>,
    port: Option<u16>,
    sni: Option<&Bound<'py, PyAny>>,
) -> PyResult<Collected<'py>> {
    let py = scope.py();
    if !scope.is_instance_of::<PyDict>() && !scope.hasattr(intern!(py, "__getitem__"))? {
        return Err(PyTypeError::new_err(format!(
            "scope must be an ASGI scope mapping, not {}",
            type_name(scope)
        )));
    }
    let websocket = match scope_get(scope, intern!(py, "type"))? {
        Some(k) if k.eq(intern!(py, "http"))? => false,
        Some(k) if k.eq(intern!(py, "websocket"))? => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "route_asgi reads an ASGI 'http' or 'websocket' scope, not type {}",
                match other {
                    Some(k) => k.repr()?.to_string(),
                    None => "(missing)".into(),
                }
            )))
        }
    };
    let method = match scope_get(scope, intern!(py, "method"))? {
        Some(m) => str_bytes(&m, "scope['method']")?,
        None if websocket => Field::new(py, b"GET"),
        None => return Err(PyValueError::new_err("ASGI scope has no 'method'")),
    };
    let raw = match scope_get(scope, intern!(py, "raw_path"))? {
        Some(r) => Some(to_bytes(&r, "scope['raw_path']")?),
        None => None,
    };
    let (path, query_in_path) = match raw {
        Some(r) => {
            // Some servers leave the query in raw_path; the router wants it apart.
            match r.as_bytes().iter().position(|&b| b == b'?') {
                Some(i) => {
                    let bytes = r.as_bytes();
                    (
                        Field::new(py, &bytes[..i]),
                        Some(Field::new(py, &bytes[i + 1..])),
                    )
                }
                None => (r, None),
            }
        }
        None => match scope_get(scope, intern!(py, "path"))? {
            Some(p) => (str_bytes(&p, "scope['path']")?, None),
            None => return Err(PyValueError::new_err("ASGI scope has no 'path'")),
        },
    };
    let path = strip_root_path(scope, path)?;
    let query = match scope_get(scope, intern!(py, "query_string"))? {
        Some(q) => {
            let q = to_bytes(&q, "scope['query_string']")?;
            if q.as_bytes().is_empty() {
                query_in_path
            } else {
                Some(q)
            }
        }
        None => query_in_path,
    };
    let mut headers = HeaderList::new();
    if let Some(h) = scope_get(scope, intern!(py, "headers"))? {
        collect_headers(&h, &mut headers)?;
    }
    let host = headers
        .iter()
        .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(b"host"))
        .map(|(_, v)| v.clone());
    let port = match port {
        Some(p) => Some(p),
        None => match scope_get(scope, intern!(py, "server"))? {
            Some(server) => port_arg(Some(&server.get_item(1)?), "scope['server'][1]")?,
            None => None,
        },
    };
    Ok(Collected {
        method,
        host,
        path,
        query_given: true,
        query,
        headers,
        port,
        sni: opt_str_bytes(sni, "sni")?,
        scheme: match scope_get(scope, intern!(py, "scheme"))? {
            Some(s) => {
                let s = str_bytes(&s, "scope['scheme']")?;
                // WebSocket scopes say ws/wss; the router knows http/https.
                Some(match s.as_bytes() {
                    b"wss" => Field::new(py, b"https"),
                    b"ws" => Field::new(py, b"http"),
                    _ => s,
                })
            }
            None => None,
        },
    })
}
