//! A [`RequestView`] over JavaScript values, read without allocating per call.
//!
//! Method, host, path and SNI are copied into buffers the router keeps between calls.
//! Headers are read lazily: only when a rule's header condition (or a filter such as CORS)
//! asks for them, so a request routed by host and path alone never touches its headers.

use crate::js::{type_error, Raw, Text};
use std::cell::{Cell, RefCell};
use std::ops::ControlFlow;
use trieway::RequestView;

/// Buffers reused by every call on one router (a router lives on one JS thread).
#[derive(Default)]
pub struct Scratch {
    pub method: Text,
    pub host: Text,
    pub path: Text,
    pub sni: Text,
    pub scheme: Text,
    pub name: Text,
    pub headers: HeaderCache,
}

/// Header lines as byte ranges into one buffer.
#[derive(Default)]
pub struct HeaderCache {
    bytes: Vec<u8>,
    /// `(name start, name end, value start, value end)`.
    spans: Vec<[u32; 4]>,
}

impl HeaderCache {
    fn clear(&mut self) {
        self.bytes.clear();
        self.spans.clear();
    }

    fn push(&mut self, name: Raw, value: Raw, label: &dyn Fn() -> String) -> napi::Result<()> {
        let n = name
            .append_str(&mut self.bytes, usize::MAX, &|| format!("{} name", label()))?
            .unwrap_or_default();
        let v = value
            .append_str(&mut self.bytes, usize::MAX, label)?
            .unwrap_or_default();
        if self.bytes.len() > u32::MAX as usize {
            return Err(type_error("headers are larger than 4 GiB"));
        }
        self.spans
            .push([n.0 as u32, n.1 as u32, v.0 as u32, v.1 as u32]);
        Ok(())
    }

    fn for_each(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        for s in &self.spans {
            let n = &self.bytes[s[0] as usize..s[1] as usize];
            if n.eq_ignore_ascii_case(name.as_bytes())
                && f(&self.bytes[s[2] as usize..s[3] as usize]).is_break()
            {
                return;
            }
        }
    }

    /// Reads a headers object `{name: value | value[]}` eagerly, checking every value's type.
    pub fn load_object(&mut self, obj: Raw) -> napi::Result<()> {
        self.clear();
        let keys = obj.own_keys("headers")?;
        for i in 0..keys.array_len() {
            let key = keys.element(i, "a header name")?;
            let value = obj.property(key.value, "a header value")?;
            let label = || {
                let mut b = Vec::new();
                let _ = key.read_str(&mut b, 256, &String::new);
                format!("headers[{:?}]", String::from_utf8_lossy(&b))
            };
            if value.is_array() {
                for j in 0..value.array_len() {
                    let item = value.element(j, "a header value")?;
                    self.push(key, item, &|| format!("{}[{j}]", label()))?;
                }
            } else {
                self.push(key, value, &label)?;
            }
        }
        Ok(())
    }

    /// Reads a flat `[name, value, name, value, …]` array (Node's `rawHeaders`).
    fn load_flat(&mut self, arr: Raw) -> napi::Result<()> {
        self.clear();
        let n = arr.array_len();
        if !n.is_multiple_of(2) {
            return Err(type_error(
                "a flat headers array must have an even length ([name, value, ...])",
            ));
        }
        for i in (0..n).step_by(2) {
            let name = arr.element(i, "a header name")?;
            let value = arr.element(i + 1, "a header value")?;
            self.push(name, value, &|| format!("headers[{}]", i + 1))?;
        }
        Ok(())
    }
}

/// Where headers come from.
pub enum Source {
    /// No headers.
    None,
    /// Already in the cache (an object read eagerly).
    Loaded,
    /// A flat array, read on first use.
    Flat(Raw),
}

/// Headers read on first use.
pub struct LazyHeaders<'a> {
    source: Source,
    cache: RefCell<&'a mut HeaderCache>,
    loaded: Cell<bool>,
    error: RefCell<Option<napi::Error>>,
}

impl<'a> LazyHeaders<'a> {
    pub fn new(source: Source, cache: &'a mut HeaderCache) -> Self {
        let loaded = !matches!(source, Source::Flat(_));
        if matches!(source, Source::None) {
            cache.clear();
        }
        LazyHeaders {
            source,
            cache: RefCell::new(cache),
            loaded: Cell::new(loaded),
            error: RefCell::new(None),
        }
    }

    /// A type error met while reading headers during a lookup.
    pub fn take_error(&self) -> Option<napi::Error> {
        self.error.borrow_mut().take()
    }
}

/// A request whose fields borrow the router's scratch buffers.
pub struct JsRequest<'a> {
    pub method: &'a str,
    pub authority: Option<&'a str>,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub port: Option<u16>,
    pub sni: Option<&'a str>,
    pub scheme: Option<&'a str>,
    pub headers: LazyHeaders<'a>,
}

impl RequestView for JsRequest<'_> {
    fn method(&self) -> &str {
        self.method
    }
    fn authority(&self) -> Option<&str> {
        self.authority
    }
    fn path(&self) -> &str {
        self.path
    }
    fn query(&self) -> Option<&str> {
        self.query
    }
    fn for_each_header(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        let h = &self.headers;
        if !h.loaded.get() {
            h.loaded.set(true);
            if let Source::Flat(arr) = h.source {
                let mut cache = h.cache.borrow_mut();
                if let Err(e) = cache.load_flat(arr) {
                    cache.clear();
                    *h.error.borrow_mut() = Some(e);
                }
            }
        }
        h.cache.borrow().for_each(name, f);
    }
    fn port(&self) -> Option<u16> {
        self.port
    }
    fn sni(&self) -> Option<&str> {
        self.sni
    }
    fn scheme(&self) -> Option<&str> {
        self.scheme
    }
}

/// Reads an optional listener port: `undefined`/`null` or an integer 1–65535.
pub fn read_port(v: Raw) -> napi::Result<Option<u16>> {
    if v.is_nullish() {
        return Ok(None);
    }
    let n = v.number("port")?;
    if n.fract() != 0.0 || !(1.0..=65535.0).contains(&n) {
        return Err(crate::js::js_error(
            "RangeError",
            "ERR_OUT_OF_RANGE",
            format!("port must be an integer from 1 to 65535, got {n}"),
        ));
    }
    Ok(Some(n as u16))
}

/// What `route` needs besides the path: host, method, headers, port, SNI, scheme.
pub struct Inputs {
    pub method: Raw,
    pub host: Option<Raw>,
    pub target: Raw,
    pub headers: Raw,
    pub port: Raw,
    pub sni: Option<Raw>,
    pub scheme: Option<Raw>,
    /// `true`: `headers` is a flat `rawHeaders` array and the host comes from it.
    pub raw: bool,
}

/// The outcome of reading the inputs (returned on the stack, once per call: no boxing).
#[allow(clippy::large_enum_variant)]
pub enum Read<'a> {
    Request(JsRequest<'a>),
    /// The path is longer than the router accepts: nothing can match.
    TooLong,
}

/// Reads `inputs` into `scratch` and builds the request view.
pub fn read<'a>(
    scratch: &'a mut Scratch,
    inputs: &Inputs,
    max_path_len: usize,
) -> napi::Result<Read<'a>> {
    let Scratch {
        method,
        host,
        path,
        sni,
        scheme,
        name,
        headers,
    } = scratch;
    if !read_target(path, inputs.target, max_path_len)? {
        return Ok(Read::TooLong);
    }
    if !method.read_opt(inputs.method, "method")? {
        method.set("GET");
    }
    // Usually absent: checked for `undefined` first (one N-API call instead of two).
    let optional = |v: Option<Raw>, text: &mut Text, what: &str| match v {
        Some(v) if !v.is_nullish() => text.read(v, usize::MAX, &|| what.to_string()),
        _ => Ok(false),
    };
    let has_sni = optional(inputs.sni, sni, "sni")?;
    let has_scheme = optional(inputs.scheme, scheme, "scheme")?;
    let port = read_port(inputs.port)?;
    let source;
    let mut has_host = false;
    if inputs.raw {
        // Host from rawHeaders: the first `:authority` or `host` line.
        let arr = inputs.headers;
        if !arr.is_array() {
            return Err(type_error("rawHeaders must be an array of strings"));
        }
        let n = arr.array_len();
        host.set("");
        for i in (0..n.saturating_sub(1)).step_by(2) {
            let nv = arr.element(i, "a header name")?;
            if !name.read(nv, 16, &|| format!("rawHeaders[{i}]"))? {
                continue;
            }
            let name = name.as_bytes();
            if name.eq_ignore_ascii_case(b"host") || name == b":authority" {
                host.read(arr.element(i + 1, "a header value")?, usize::MAX, &|| {
                    format!("rawHeaders[{}]", i + 1)
                })?;
                has_host = true;
                break;
            }
        }
        source = Source::Flat(arr);
    } else {
        if let Some(h) = inputs.host {
            has_host = host.read_opt(h, "host")?;
        }
        let hv = inputs.headers;
        source =
            match hv.kind() {
                crate::js::Kind::Undefined | crate::js::Kind::Null => Source::None,
                crate::js::Kind::Object if hv.is_array() => Source::Flat(hv),
                crate::js::Kind::Object => {
                    headers.load_object(hv)?;
                    Source::Loaded
                }
                _ => return Err(type_error(
                    "headers must be an object {name: value} or a flat array [name, value, ...]",
                )),
            };
        if let Source::Flat(arr) = source {
            if !arr.array_len().is_multiple_of(2) {
                return Err(type_error(
                    "a flat headers array must have an even length ([name, value, ...])",
                ));
            }
        }
    }
    Ok(Read::Request(request(
        method,
        has_host.then_some(&*host),
        path,
        port,
        has_sni.then_some(&*sni),
        has_scheme.then_some(&*scheme),
        LazyHeaders::new(source, headers),
    )))
}

/// Reads the request-target (`/path?query`) into `path`. Anything longer than the path limit
/// plus a generous query cannot match, and is not copied: `Ok(false)`.
fn read_target(path: &mut Text, target: Raw, max_path_len: usize) -> napi::Result<bool> {
    let limit = max_path_len.saturating_mul(2).saturating_add(64 * 1024);
    path.read(target, limit, &|| "path".to_string())
}

/// The request view over texts already read (an empty host is no host).
fn request<'a>(
    method: &'a Text,
    host: Option<&'a Text>,
    target: &'a Text,
    port: Option<u16>,
    sni: Option<&'a Text>,
    scheme: Option<&'a Text>,
    headers: LazyHeaders<'a>,
) -> JsRequest<'a> {
    let (path, query) = match target.as_str().split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target.as_str(), None),
    };
    JsRequest {
        method: method.as_str(),
        authority: host.map(Text::as_str).filter(|h| !h.is_empty()),
        path,
        query,
        port,
        sni: sni.map(Text::as_str),
        scheme: scheme.map(Text::as_str),
        headers,
    }
}

/// Reads `route(method, host, path)` without headers, port or SNI (the JS wrapper calls the
/// function that does this when the request has none of them): three strings, no other
/// argument to inspect.
pub fn read_simple<'a>(
    scratch: &'a mut Scratch,
    method: Raw,
    host: Raw,
    target: Raw,
    max_path_len: usize,
) -> napi::Result<Read<'a>> {
    let Scratch {
        method: m,
        host: h,
        path,
        headers,
        ..
    } = scratch;
    if !read_target(path, target, max_path_len)? {
        return Ok(Read::TooLong);
    }
    if !m.read_opt(method, "method")? {
        m.set("GET");
    }
    let has_host = h.read_opt(host, "host")?;
    Ok(Read::Request(request(
        m,
        has_host.then_some(&*h),
        path,
        None,
        None,
        None,
        LazyHeaders::new(Source::None, headers),
    )))
}
