//! The [`RequestView`] trait: what the router reads from a request, over borrowed bytes.
//!
//! Implementations exist for [`http::Request`], [`http::request::Parts`] and the plain
//! [`Request`] struct that bindings fill from their own buffers. Nothing here copies or
//! allocates.

use std::ops::ControlFlow;

/// A request as the router sees it (docs/semantics.md, "The request").
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
        let (path, query) = match crate::util::find_byte(target.as_bytes(), b'?') {
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

/// The host of a valid authority, without its port and as sent (case and one
/// trailing dot kept); `None` when `authority` is not `host[:port]`.
///
/// A valid host is a hostname of 1–253 bytes (without one optional trailing dot) made of
/// dot-separated labels of 1–63 ASCII letters, digits, `-` or `_` (IPv4 literals are such
/// hostnames), or a bracketed IPv6 literal (`[` 2–45 hex digits, `:` and `.` with at least one
/// `:` `]`). The port, if any, is `:` and at most five ASCII digits. Everything else, among
/// them an empty host, whitespace, control bytes, `/`, `?`, `#`, `@`, `%`, `\` and non-ASCII
/// bytes, is refused: such a host matches only catch-all hostnames and is never copied into
/// a header value the engine builds.
pub(crate) fn authority_host(authority: &str) -> Option<&str> {
    parse_authority(authority).map(|(host, _)| host)
}

/// Byte classes of an authority's host name: 0 refused, 1 lowercase letter, digit, `-` or `_`,
/// 2 uppercase letter, 3 `.`, 4 `:` (where the port begins).
const HOST_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match c as u8 {
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => 1,
            b'A'..=b'Z' => 2,
            b'.' => 3,
            b':' => 4,
            _ => 0,
        };
        c += 1;
    }
    t
};

/// [`authority_host`], and whether that host has an uppercase ASCII letter (this runs on every
/// lookup): [`common_authority`] answers the common shape eight bytes at a time, the byte loop
/// below everything else.
#[inline(always)]
fn parse_authority(authority: &str) -> Option<(&str, bool)> {
    match common_authority::<false>(authority.as_bytes()) {
        Some((end, _)) => Some((authority.get(..end)?, false)),
        None => parse_authority_rare(authority),
    }
}

/// [`parse_authority`] for what the lowercase word scan does not answer: the same scan with
/// uppercase letters allowed, then the byte loop.
#[cold]
#[inline(never)]
fn parse_authority_rare(authority: &str) -> Option<(&str, bool)> {
    match common_authority::<true>(authority.as_bytes()) {
        Some((end, upper)) => Some((authority.get(..end)?, upper)),
        None => parse_authority_bytewise(authority),
    }
}

/// The end of the name of an authority of the common shape, or `None` to ask the byte loop:
/// a name of at most 63 bytes of `a-z`, `0-9`, `-` and `.` that neither starts with `.` nor
/// has two dots in a row (so every label has 1-63 bytes and the name 1-253, one trailing dot
/// allowed), followed by nothing or by `:` and at most five digits. Such a name is valid and
/// lowercase as it is; the byte loop decides everything else (uppercase, `_`, IPv6, long
/// names, errors). With `UPPER`, the name may also have uppercase letters, and the answer
/// says whether it has one (without `UPPER`, always `false`).
///
/// Eight bytes at a time, with no per-byte work (about 45 instructions per word on x86-64,
/// `report --callgrind host-plain20:1000`):
/// each byte's class lands in its bit 7 (`x + 0x80 - c` has bit 7 set exactly when the ASCII
/// byte `x` is at least `c`, without a carry into the next byte), so a word's "stop" bytes
/// (outside `a-z 0-9 - .`, the end of the input included) and its dots are two masks.
#[inline(always)]
fn common_authority<const UPPER: bool>(b: &[u8]) -> Option<(usize, bool)> {
    let n = b.len();
    // Shorter than a word: the byte loop is as cheap. Longer than 63 + `:` + 5 digits: never.
    if !(8..=69).contains(&n) {
        return None;
    }
    // The input's last word; the last partial word is read from it, shifted down.
    let last = u64::from_le_bytes(b.get(n - 8..)?.try_into().ok()?);
    // A dot before the first byte: a leading dot counts as two dots in a row.
    let (mut at, mut prev_dot, mut two_dots, mut upper) = (0usize, 0x80u64, 0u64, 0u64);
    let mut stop = 0;
    // Full words first, then (when no stop byte came) the last partial word: its zero bytes
    // above the input are stop bytes, so the input's end is the first stop byte when no
    // other one comes before it (`n - at` is 0 to 7 there).
    for w in b.chunks_exact(8) {
        let w = u64::from_le_bytes(w.try_into().ok()?);
        stop = scan_word::<UPPER>(w, &mut prev_dot, &mut two_dots, &mut upper);
        if stop != 0 {
            break;
        }
        at += 8;
    }
    if stop == 0 {
        let w = last.checked_shr(8 * (8 - (n - at) as u32)).unwrap_or(0);
        stop = scan_word::<UPPER>(w, &mut prev_dot, &mut two_dots, &mut upper);
    }
    let name = at + (stop.trailing_zeros() / 8) as usize;
    if two_dots != 0 || name > 63 {
        return None;
    }
    if name == n {
        return Some((name, upper != 0));
    }
    // The first stop byte must be the port's `:`, followed by at most five digits: the port
    // is the top `digits` bytes of the last word.
    let digits = n - name - 1;
    let ok = name != 0
        && b[name] == b':'
        && digits <= 5
        && not_digits(last)
            .checked_shr(8 * (8 - digits as u32))
            .unwrap_or(0)
            == 0;
    ok.then_some((name, upper != 0))
}

/// One word of [`common_authority`]: its stop bytes, with its dots and uppercase letters
/// accounted for.
#[inline(always)]
fn scan_word<const UPPER: bool>(
    w: u64,
    prev_dot: &mut u64,
    two_dots: &mut u64,
    upper: &mut u64,
) -> u64 {
    let (stop, dots, up) = classify::<UPPER>(w);
    // Uppercase letters after the first stop byte may be counted: then the port is not digits
    // and there is no answer.
    *upper |= up;
    // Two dots in a row, inside this word or across from the previous one. Dots after the
    // first stop byte may be counted: then the port is not digits anyway.
    *two_dots |= dots & ((dots << 8) | *prev_dot);
    *prev_dot = dots >> 56;
    stop
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = ONES << 7;

/// Bit 7 of each byte of `x` that is at least `c`, for bytes below 0x80 (`x + 0x80 - c` never
/// carries into the next byte). A byte of 0x80 or more may carry into the bytes above it.
#[inline(always)]
fn ge(x: u64, c: u8) -> u64 {
    x.wrapping_add(ONES * u64::from(0x80 - c))
}

/// The stop bytes of the word `w` (outside `a-z 0-9 - .`, and `A-Z` with `UPPER`), its dots
/// and (with `UPPER`) its uppercase letters, as bit 7 of each byte. A byte >= 0x80 may carry
/// into the bytes above it, but it is a stop byte itself (`| w`) and nothing above the first
/// stop byte is used, except the dots and uppercase letters, where a wrong "two dots" only
/// sends the authority to the byte loop and a wrong uppercase letter is never used (there is
/// no answer when a byte after the first stop byte is not a digit).
#[inline(always)]
fn classify<const UPPER: bool>(w: u64) -> (u64, u64, u64) {
    let slash = ge(w, b'/');
    let dots = (ge(w, b'.') ^ slash) & HIGHS;
    // `-` to `.`, `0-9` and `a-z`: the bytes at or above an odd number of the six ascending
    // bounds `-` `/` `0` `:` `a` `{`, so one XOR of the six masks (`A-Z`: two more bounds).
    let mut good =
        ge(w, b'-') ^ slash ^ ge(w, b'0') ^ ge(w, b'9' + 1) ^ ge(w, b'a') ^ ge(w, b'z' + 1);
    let mut upper = 0;
    if UPPER {
        upper = (ge(w, b'A') ^ ge(w, b'Z' + 1)) & HIGHS;
        good ^= upper;
    }
    (((good ^ HIGHS) | w) & HIGHS, dots, upper)
}

/// The bytes of `w` that are not ASCII digits, as bit 7 of each byte (exact up to the first
/// byte >= 0x80, which is flagged).
#[inline(always)]
fn not_digits(w: u64) -> u64 {
    (!(ge(w, b'0') ^ ge(w, b'9' + 1)) | w) & HIGHS
}

/// [`parse_authority`] one byte at a time, for every shape.
#[cold]
#[inline(never)]
fn parse_authority_bytewise(authority: &str) -> Option<(&str, bool)> {
    let b = authority.as_bytes();
    let (end, upper) = if b.first() == Some(&b'[') {
        let end = authority.find(']')? + 1;
        let inner = &b[1..end - 1];
        let ok = (2..=45).contains(&inner.len())
            && inner.contains(&b':')
            && inner
                .iter()
                .all(|&c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
        if !ok {
            return None;
        }
        (end, inner.iter().any(u8::is_ascii_uppercase))
    } else {
        // Labels of 1-63 bytes separated by single dots, one trailing dot allowed; the name
        // (without that dot) 1-253 bytes; it ends at the first `:`.
        let mut end = b.len();
        let mut label = 0usize;
        let mut upper = false;
        for (i, &c) in b.iter().enumerate() {
            match HOST_CLASS[usize::from(c)] {
                1 => label += 1,
                2 => {
                    label += 1;
                    upper = true;
                }
                3 if (1..=63).contains(&label) => label = 0,
                4 => {
                    end = i;
                    break;
                }
                _ => return None,
            }
        }
        if label > 63 {
            return None;
        }
        let name_len = if label == 0 { end.checked_sub(1)? } else { end };
        if name_len == 0 || name_len > 253 {
            return None;
        }
        (end, upper)
    };
    let port = &b[end..];
    let port_ok = port.is_empty()
        || (port[0] == b':' && port.len() <= 6 && port[1..].iter().all(u8::is_ascii_digit));
    port_ok.then(|| (&authority[..end], upper))
}

/// Whether `s` is a non-empty HTTP token (RFC 9110 §5.6.2): a method or a header name.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Normalizes an authority for host matching into `buf`: drops the port,
/// ASCII-lowercases, strips one trailing dot. Returns `None` when the authority is not a valid
/// `host[:port]` ([`authority_host`]): such a request matches only catch-all hostnames.
pub(crate) fn normalize_host<'a>(authority: &'a str, buf: &'a mut [u8; 256]) -> Option<&'a str> {
    match host_of(authority)? {
        (host, false) => Some(host),
        (host, true) => lowercase_into(host, buf),
    }
}

/// [`normalize_host`] for lookups: the buffer is only filled (and zeroed first) when the host
/// has an uppercase letter, so the common lowercase host costs no 256-byte write. Not inlined:
/// inlined, its registers cost [`Router::route`](crate::Router::route) a few instructions on
/// every lookup, also when it does not read the host.
#[inline(never)]
pub(crate) fn normalize_host_lazy<'a>(
    authority: &'a str,
    buf: &'a mut Option<[u8; 256]>,
) -> Option<&'a str> {
    match host_of(authority)? {
        (host, false) => Some(host),
        (host, true) => lowercase_into(host, buf.insert([0; 256])),
    }
}

/// Whether `authority` normalizes to `name` itself ([`normalize_host`] answers `name`
/// without lowercasing): `name` is the authority's bytes before its first `:`, as
/// [`prehash_authority`](crate::compile::host::prehash_authority) finds them.
#[inline(never)]
pub(crate) fn normalizes_to_itself(authority: &str, name: &str) -> bool {
    // The common lowercase shape: the lowercase word scan alone decides.
    // (`end` counts a trailing dot, which normalization drops.)
    if let Some((end, _)) = common_authority::<false>(authority.as_bytes()) {
        let host = authority.get(..end).unwrap_or("");
        return host.strip_suffix('.').unwrap_or(host).len() == name.len();
    }
    // A name with an uppercase letter is lowercased: never itself (without the rest of the
    // checks, which the lookup then runs on the authority anyway).
    !name.bytes().any(|c| c.is_ascii_uppercase())
        && matches!(host_of(authority), Some((h, false)) if h.len() == name.len())
}

/// The host of a valid authority without its port and one trailing dot, and whether it has an
/// uppercase letter.
#[inline(always)]
fn host_of(authority: &str) -> Option<(&str, bool)> {
    let (host, upper) = parse_authority(authority)?;
    Some((host.strip_suffix('.').unwrap_or(host), upper))
}

/// `host` ASCII-lowercased into `buf` (a valid host has at most 254 bytes).
#[cold]
fn lowercase_into<'a>(host: &str, buf: &'a mut [u8; 256]) -> Option<&'a str> {
    let out = buf.get_mut(..host.len())?;
    out.copy_from_slice(host.as_bytes());
    out.make_ascii_lowercase();
    // Lowercasing ASCII bytes keeps UTF-8 valid.
    std::str::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    /// The rule of [`authority_host`] for names, written the obvious way.
    fn name_rule(authority: &str) -> Option<&str> {
        let (host, rest) = match authority.find(':') {
            Some(i) => authority.split_at(i),
            None => (authority, ""),
        };
        let name = host.strip_suffix('.').unwrap_or(host);
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
            return None;
        }
        let port_ok = rest.is_empty()
            || rest
                .strip_prefix(':')
                .is_some_and(|p| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
        port_ok.then_some(host)
    }

    /// Both word scans ([`common_authority`] without and with uppercase letters), when they
    /// answer, answer as the byte loop does; and each answers exactly for its shape (names of
    /// `a-z 0-9 - .`, and `A-Z` with uppercase, of at most 63 bytes, with an optional port).
    fn word_scans_agree(s: &str) -> Result<(), TestCaseError> {
        let bytewise = parse_authority_bytewise(s);
        for upper in [false, true] {
            let fast = if upper {
                common_authority::<true>(s.as_bytes())
            } else {
                common_authority::<false>(s.as_bytes())
            };
            if let Some((end, up)) = fast {
                prop_assert_eq!(bytewise, Some((&s[..end], up)), "{:?} {}", s, upper);
            }
            let shape = s.len() >= 8
                && bytewise.is_some_and(|(h, up)| {
                    (upper || !up)
                        && h.len() <= 63
                        && h.bytes().all(|c| {
                            c.is_ascii_lowercase()
                                || c.is_ascii_digit()
                                || c == b'-'
                                || c == b'.'
                                || (upper && c.is_ascii_uppercase())
                        })
                });
            prop_assert_eq!(fast.is_some(), shape, "{:?} {}", s, upper);
        }
        Ok(())
    }

    proptest! {
        /// [`word_scans_agree`] on common shapes.
        #[test]
        fn common_authority_agrees_with_the_byte_loop(
            s in "[a.:_1A\\-é/ ]{0,24}|[a-zA-Z0-9.-]{1,70}(:[0-9]{0,7})?|([a-zA-Z0-9-]{1,12}\\.){1,6}[a-zA-Z]{0,12}\\.?(:[0-9]{1,5})?"
        ) {
            word_scans_agree(&s)?;
        }

        /// [`word_scans_agree`] over every byte class boundary of the word tricks (`,` `-` `.`
        /// `/` `0` `9` `:` `;` `@` `A` `Z` `[` `_` `` ` `` `a` `z` `{`, DEL, NUL, and non-ASCII
        /// bytes among them `\u{1b71}`, whose three bytes the additions alone take for valid
        /// ones), alone or after a valid prefix, at every length around the word size, with
        /// dots often in a row or in the port.
        #[test]
        fn common_authority_agrees_at_class_boundaries(
            s in "[,\\-./09:;@AZ\\[_`az{\u{7f}\u{0}\u{e9}\u{80}\u{1100}\u{1b71}\u{ffff}\u{10ffff}]{0,72}|[a-zA-Z0-9-]{1,40}[,\\-./09:;@AZ\\[_`az{\u{7f}\u{0}\u{e9}\u{80}\u{1100}\u{1b71}\u{ffff}\u{10ffff}][a-zA-Z0-9.:-]{0,20}|[a-z0-9.]{1,66}(:[0-9.a]{0,6})?|[a.]{7,17}|[a-zA-Z]{7,16}\\.{0,2}(:[0-9A]{0,6})?"
        ) {
            word_scans_agree(&s)?;
        }

        /// `normalizes_to_itself` says whether a prefix of the authority (the name before
        /// its first `:`, before a later `:`, or any other: `prehash_authority` may end the
        /// name at the first `:` among the last six bytes) is what `normalize_host` answers.
        #[test]
        fn normalizes_to_itself_agrees(
            s in "[a.:_1A\\-\u{e9}/ ]{0,24}|([a-zA-Z0-9_-]{1,12}\\.){1,6}[a-zA-Z]{0,12}\\.?(:[0-9a]{0,6}){0,2}|\\[::1\\](:80)?"
        ) {
            let mut b = [0u8; 256];
            let normalized = normalize_host(&s, &mut b).map(str::to_owned);
            for end in (0..=s.len()).filter(|&i| s.is_char_boundary(i)) {
                let name = &s[..end];
                let want = normalized.as_deref() == Some(name);
                prop_assert_eq!(normalizes_to_itself(&s, name), want, "{:?} {:?}", s, name);
            }
        }

        /// The lookup's normalization (buffer written only for uppercase hosts) answers as
        /// `normalize_host`, and leaves the buffer unwritten for a lowercase host.
        #[test]
        fn lazy_normalization_agrees(
            s in "[a.:_1A\\-\u{e9}/ ]{0,24}|([a-zA-Z0-9-]{1,12}\\.){1,6}[a-zA-Z]{0,12}\\.?(:[0-9]{0,6})?"
        ) {
            let mut b = [0u8; 256];
            let mut lazy = None;
            let want = normalize_host(&s, &mut b).map(str::to_owned);
            prop_assert_eq!(normalize_host_lazy(&s, &mut lazy).map(str::to_owned), want.clone(), "{:?}", s);
            let upper = s.split(':').next().is_some_and(|h| h.bytes().any(|c| c.is_ascii_uppercase()));
            prop_assert_eq!(lazy.is_some(), want.is_some() && upper, "{:?}", s);
        }

        /// The one-pass scanner accepts exactly the names the obvious rule accepts.
        #[test]
        fn authority_host_equals_the_obvious_rule(
            s in "[a.:_1A\\-é/ ]{0,12}|[a.]{60,70}(:[0-9]{0,6})?|([a-z]{1,63}\\.){3,5}[a-z]{0,63}\\.?"
        ) {
            prop_assert_eq!(authority_host(&s), name_rule(&s), "{:?}", s);
        }
    }

    #[test]
    fn host_normalization() {
        let mut b = [0u8; 256];
        assert_eq!(
            normalize_host("Example.COM:8080", &mut b),
            Some("example.com")
        );
        assert_eq!(normalize_host("example.com.", &mut b), Some("example.com"));
        assert_eq!(normalize_host("[::1]:80", &mut b), Some("[::1]"));
        assert_eq!(normalize_host("[::1]", &mut b), Some("[::1]"));
        assert_eq!(normalize_host("10.0.0.1:8080", &mut b), Some("10.0.0.1"));
        assert_eq!(
            normalize_host("a_b.example.com:", &mut b),
            Some("a_b.example.com")
        );
        assert_eq!(normalize_host(&"a".repeat(300), &mut b), None);
        // Not hosts: each would match only catch-all hostnames.
        for bad in [
            "",
            ":80",
            ".",
            "a..b",
            "evil.com/.pages.example.com",
            "a.example\r\nSet-Cookie: x=1",
            "a.example com",
            "user@a.example",
            "a.example?x",
            "a.example#x",
            "a.example%2f",
            "a.example:80:80",
            "a.example:123456",
            "a.example:8o",
            "[::1",
            "[]",
            "[::1]x",
            "[::1%25eth0]",
            "ex\u{e4}mple.com",
            "a\0b",
            &format!("{}.com", "a".repeat(64)),
        ] {
            assert_eq!(normalize_host(bad, &mut b), None, "{bad:?}");
        }
    }

    #[test]
    fn tokens() {
        assert!(is_token("GET"));
        assert!(is_token("x-custom_h"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a\r\nb"));
        assert!(!is_token("a,b"));
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
