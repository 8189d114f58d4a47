//! The [`RequestView`] trait: what the router reads from a request, over borrowed bytes.
//!
//! Implementations exist for [`http::Request`], [`http::request::Parts`] and the plain
//! [`Request`] struct that bindings fill from their own buffers. Nothing here copies or
//! allocates.

use std::ops::ControlFlow;

/// A request as the router sees it (SPEC §3.1).
///
/// Only [`method`](RequestView::method), [`authority`](RequestView::authority),
/// [`path`](RequestView::path) and [`for_each_header`](RequestView::for_each_header) are
/// required; the listener port, SNI, scheme and query have defaults.
pub trait RequestView {
    /// The method token, e.g. `GET` (compared case-sensitively).
    fn method(&self) -> &str;
    /// `:authority` (HTTP/2+) or the `Host` header, exactly as sent (a port is allowed and
    /// ignored). `None` when the request has neither.
    fn authority(&self) -> Option<&str>;
    /// The raw path: the request-target up to `?`, not decoded or normalized.
    fn path(&self) -> &str;
    /// The raw query: everything after the first `?`, if any.
    fn query(&self) -> Option<&str> {
        None
    }
    /// Calls `f` with each field line of the header `name` in order, until `f` breaks.
    /// `name` is given in lowercase; implementations compare names case-insensitively.
    fn for_each_header(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>);
    /// The port of the listener the request arrived on. `None` selects the Gateway's lowest
    /// HTTP/HTTPS listener port.
    fn port(&self) -> Option<u16> {
        None
    }
    /// The TLS server name (SNI) of the connection, for HTTPS listeners.
    fn sni(&self) -> Option<&str> {
        None
    }
    /// `http` or `https` as seen by the client; `None` derives it from the listener protocol.
    fn scheme(&self) -> Option<&str> {
        None
    }
}

/// Header storage of a [`Request`]: several shapes, so that bindings can pass what they have
/// without building a new structure per call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Headers<'a> {
    /// No headers.
    None,
    /// `(name, value)` pairs.
    Pairs(&'a [(&'a str, &'a str)]),
    /// `(name, value)` byte pairs (values need not be UTF-8).
    Bytes(&'a [(&'a [u8], &'a [u8])]),
    /// A flat `[name, value, name, value, …]` list, like Node's `rawHeaders`.
    Flat(&'a [&'a str]),
}

impl Headers<'_> {
    fn for_each(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        let hit = |n: &[u8]| n.eq_ignore_ascii_case(name.as_bytes());
        match *self {
            Headers::None => {}
            Headers::Pairs(list) => {
                for (n, v) in list {
                    if hit(n.as_bytes()) && f(v.as_bytes()).is_break() {
                        return;
                    }
                }
            }
            Headers::Bytes(list) => {
                for (n, v) in list {
                    if hit(n) && f(v).is_break() {
                        return;
                    }
                }
            }
            Headers::Flat(list) => {
                for pair in list.chunks_exact(2) {
                    if hit(pair[0].as_bytes()) && f(pair[1].as_bytes()).is_break() {
                        return;
                    }
                }
            }
        }
    }
}

/// A plain borrowed request, for embedders that do not use the `http` crate.
///
/// ```
/// use trieway::{Headers, Request};
/// let headers = [("x-version", "2")];
/// let req = Request::new("GET", "example.com", "/api/users?page=2").headers(Headers::Pairs(&headers));
/// assert_eq!(trieway::RequestView::path(&req), "/api/users");
/// assert_eq!(trieway::RequestView::query(&req), Some("page=2"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Method.
    pub method: &'a str,
    /// Host / `:authority`, possibly with a port.
    pub authority: Option<&'a str>,
    /// Raw path (without the query).
    pub path: &'a str,
    /// Raw query (after `?`).
    pub query: Option<&'a str>,
    /// Headers.
    pub headers: Headers<'a>,
    /// Listener port.
    pub port: Option<u16>,
    /// TLS SNI.
    pub sni: Option<&'a str>,
    /// `http` / `https`.
    pub scheme: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A request with a method, a host and a request-target (`/path?query`).
    pub fn new(method: &'a str, host: &'a str, target: &'a str) -> Self {
        let (path, query) = match crate::compile::segment::find_byte(target.as_bytes(), b'?') {
            // `?` is ASCII: both halves stay valid UTF-8.
            Some(i) => (&target[..i], Some(&target[i + 1..])),
            None => (target, None),
        };
        Request {
            method,
            authority: if host.is_empty() { None } else { Some(host) },
            path,
            query,
            headers: Headers::None,
            port: None,
            sni: None,
            scheme: None,
        }
    }
    /// Sets the headers.
    pub fn headers(mut self, headers: Headers<'a>) -> Self {
        self.headers = headers;
        self
    }
    /// Sets the listener port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }
    /// Sets the TLS server name.
    pub fn sni(mut self, sni: &'a str) -> Self {
        self.sni = Some(sni);
        self
    }
    /// Sets the scheme.
    pub fn scheme(mut self, scheme: &'a str) -> Self {
        self.scheme = Some(scheme);
        self
    }
}

impl RequestView for Request<'_> {
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
        self.headers.for_each(name, f)
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

fn parts_authority<'a>(uri: &'a http::Uri, headers: &'a http::HeaderMap) -> Option<&'a str> {
    match uri.authority() {
        Some(a) => Some(a.as_str()),
        None => headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok()),
    }
}

fn each_header(headers: &http::HeaderMap, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
    for v in headers.get_all(name) {
        if f(v.as_bytes()).is_break() {
            return;
        }
    }
}

impl RequestView for http::request::Parts {
    fn method(&self) -> &str {
        self.method.as_str()
    }
    fn authority(&self) -> Option<&str> {
        parts_authority(&self.uri, &self.headers)
    }
    fn path(&self) -> &str {
        self.uri.path()
    }
    fn query(&self) -> Option<&str> {
        self.uri.query()
    }
    fn for_each_header(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        each_header(&self.headers, name, f)
    }
    fn scheme(&self) -> Option<&str> {
        self.uri.scheme_str()
    }
}

impl<B> RequestView for http::Request<B> {
    fn method(&self) -> &str {
        self.method().as_str()
    }
    fn authority(&self) -> Option<&str> {
        parts_authority(self.uri(), self.headers())
    }
    fn path(&self) -> &str {
        self.uri().path()
    }
    fn query(&self) -> Option<&str> {
        self.uri().query()
    }
    fn for_each_header(&self, name: &str, f: &mut dyn FnMut(&[u8]) -> ControlFlow<()>) {
        each_header(self.headers(), name, f)
    }
    fn scheme(&self) -> Option<&str> {
        self.uri().scheme_str()
    }
}

/// Normalizes an authority for host matching (SPEC §3.1) into `buf`: drops the port (keeping
/// a bracketed IPv6 literal whole), ASCII-lowercases, strips one trailing dot. Returns `None`
/// when the host is longer than `buf` (no configured hostname can be that long).
pub(crate) fn normalize_host<'a>(authority: &'a str, buf: &'a mut [u8; 256]) -> Option<&'a str> {
    let bytes = authority.as_bytes();
    // One pass finds the port separator (the last `:`) and any uppercase letter.
    let mut colon = None;
    let mut upper = false;
    for (i, &b) in bytes.iter().enumerate() {
        colon = if b == b':' { Some(i) } else { colon };
        upper |= b.is_ascii_uppercase();
    }
    let host = if bytes.first() == Some(&b'[') {
        match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        }
    } else {
        match colon {
            Some(i) => &authority[..i],
            None => authority,
        }
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    let n = host.len();
    if n > buf.len() {
        return None;
    }
    // The common case, an already lowercase host, needs no copy.
    if !upper {
        return Some(host);
    }
    buf[..n].copy_from_slice(host.as_bytes());
    buf[..n].make_ascii_lowercase();
    // Lowercasing ASCII bytes keeps UTF-8 valid.
    std::str::from_utf8(&buf[..n]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_normalization() {
        let mut b = [0u8; 256];
        assert_eq!(
            normalize_host("Example.COM:8080", &mut b),
            Some("example.com")
        );
        assert_eq!(normalize_host("example.com.", &mut b), Some("example.com"));
        assert_eq!(normalize_host("[::1]:80", &mut b), Some("[::1]"));
        assert_eq!(normalize_host("", &mut b), Some(""));
        assert_eq!(normalize_host(&"a".repeat(300), &mut b), None);
    }

    #[test]
    fn http_request_view() {
        let req = http::Request::builder()
            .uri("/a/b?x=1")
            .header("Host", "Foo.example.com")
            .header("X-A", "1")
            .header("x-a", "2")
            .body(())
            .unwrap();
        assert_eq!(RequestView::authority(&req), Some("Foo.example.com"));
        assert_eq!(RequestView::path(&req), "/a/b");
        assert_eq!(RequestView::query(&req), Some("x=1"));
        let mut seen = Vec::new();
        req.for_each_header("x-a", &mut |v| {
            seen.push(v.to_vec());
            ControlFlow::Continue(())
        });
        assert_eq!(seen, vec![b"1".to_vec(), b"2".to_vec()]);
    }
}
