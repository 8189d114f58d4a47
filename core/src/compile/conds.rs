//! The non-path conditions of a match (method, headers, query parameters) and their
//! allocation-free evaluation (SPEC §3.4–§3.6).

use super::dfa::Dfa as Regex;
use super::Chunked;
use crate::options::RepeatedHeaders;
use crate::request::RequestView;
use std::cell::RefCell;
use std::ops::ControlFlow;

/// How a header or query value is compared.
#[derive(Debug, Clone)]
pub(crate) enum ValueMatch {
    /// Byte equality.
    Exact(Box<[u8]>),
    /// Anchored regular expression (index into the router's regex table).
    Regex(u32),
}

/// A header condition; `name` is lowercase.
#[derive(Debug, Clone)]
pub(crate) struct HeaderCond {
    pub name: Box<str>,
    pub value: ValueMatch,
}

/// A query-parameter condition; `name` compares exactly.
#[derive(Debug, Clone)]
pub(crate) struct QueryCond {
    pub name: Box<str>,
    /// Number of `name` among every name a query condition of the router uses
    /// ([`QueryNames`]): where [`QueryScan`] records its first value.
    pub slot: u32,
    pub value: ValueMatch,
}

/// Every parameter name some query condition uses, numbered at compile time.
#[derive(Debug, Default, Clone)]
pub(crate) struct QueryNames {
    ids: rustc_hash::FxHashMap<Box<str>, u32>,
}

impl QueryNames {
    /// The slot of `name`, numbered on first use.
    pub(crate) fn slot(&mut self, name: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(name.into()).or_insert(next)
    }
}

/// The header names of the conditions laid out inline ([`encode_inline`]), numbered: shared
/// by the whole router, so that a cache-cold lookup finds them in a few hot lines rather than
/// in one allocation per condition.
#[derive(Debug, Default, Clone)]
pub(crate) struct HeaderNames {
    names: Chunked<Box<str>>,
    /// Shared with earlier versions of the router until an update adds a name.
    ids: std::sync::Arc<rustc_hash::FxHashMap<Box<str>, u32>>,
}

impl HeaderNames {
    /// The number of `name`, numbered on first use.
    pub(crate) fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        std::sync::Arc::make_mut(&mut self.ids).insert(name.into(), id);
        id
    }

    /// Seals the table ([`Chunked::seal`]).
    pub(crate) fn seal(&mut self) {
        self.names.seal();
    }

    /// Whether the table is sealed (tests).
    #[cfg(test)]
    pub(crate) fn is_sealed(&self) -> bool {
        self.names.is_sealed()
    }

    /// Name number `id`.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(|n| &**n)
    }
}

/// Where a scan records the first value of each named parameter: `(scan, start, end)`, valid
/// when `scan` is the number of the scan that wrote it (no clearing between lookups).
type Slot = (u64, u32, u32);

thread_local! {
    /// Slots of the last query scanned on this thread and that scan's number. The slot list
    /// grows to the largest router's name count seen on this thread and is then reused.
    static SCAN: RefCell<(u64, Vec<Slot>)> = const { RefCell::new((0, Vec::new())) };
}

/// The query of one lookup, read at most once: the first time a candidate with query
/// conditions is checked, one pass over the query records the first value of every parameter
/// that some condition names (a hash probe per parameter); each condition then reads its
/// slot. Work per lookup: O(query length + conditions checked), whatever the number of
/// conditions.
#[derive(Debug)]
pub(crate) struct QueryScan<'q> {
    /// The query, `None` when absent or longer than `Options::max_query_len`.
    query: Option<&'q str>,
    /// Number of this lookup's scan, once done.
    scan: Option<u64>,
}

impl<'q> QueryScan<'q> {
    /// A lookup's query, not yet read; `None` (absent or over the limit) fails every condition.
    #[inline]
    pub(crate) fn new(query: Option<&'q str>) -> Self {
        // Slots hold u32 offsets.
        let query = query.filter(|q| u32::try_from(q.len()).is_ok());
        QueryScan { query, scan: None }
    }

    /// Whether every condition of `conds` holds.
    pub(crate) fn all_ok(
        &mut self,
        conds: &[QueryCond],
        names: &QueryNames,
        regexes: &Chunked<Regex>,
    ) -> bool {
        if conds.is_empty() {
            return true;
        }
        let Some(q) = self.query else {
            return false;
        };
        let scanned = SCAN.try_with(|cell| {
            // Busy only if a RequestView re-entered the router from a callback: scan directly.
            let mut state = cell.try_borrow_mut().ok()?;
            let (counter, slots) = &mut *state;
            // Another lookup on this thread may have scanned since (a re-entrant lookup).
            if self.scan != Some(*counter) {
                *counter += 1;
                let n = *counter;
                if slots.len() < names.ids.len() {
                    slots.resize(names.ids.len(), (0, 0, 0));
                }
                let mut start = 0usize;
                for pair in q.split('&') {
                    let name = pair.split_once('=').map_or(pair, |(n, _)| n);
                    if let Some(slot) = names.ids.get(name).and_then(|&i| slots.get_mut(i as usize))
                    {
                        if slot.0 != n {
                            let from = start + (name.len() + 1).min(pair.len());
                            // `q.len()` fits u32 (checked in `new`).
                            *slot = (n, from as u32, (start + pair.len()) as u32);
                        }
                    }
                    start += pair.len() + 1;
                }
                self.scan = Some(n);
            }
            let n = *counter;
            Some(conds.iter().all(|c| {
                let value = slots
                    .get(c.slot as usize)
                    .filter(|s| s.0 == n)
                    .and_then(|s| q.get(s.1 as usize..s.2 as usize));
                value.is_some_and(|v| value_ok(&c.value, regexes, v.as_bytes()))
            }))
        });
        match scanned {
            Ok(Some(ok)) => ok,
            _ => conds.iter().all(|c| query_ok(c, regexes, Some(q))),
        }
    }
}

thread_local! {
    /// Scratch space to join repeated header lines for a regex comparison. It grows to the
    /// largest joined header seen on this thread and is then reused (no allocation).
    static JOIN: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn value_ok(v: &ValueMatch, regexes: &Chunked<Regex>, got: &[u8]) -> bool {
    value_holds(v.as_value(), regexes, got)
}

/// How a header value is compared, borrowed: from a [`ValueMatch`] or from a condition laid
/// out inline in a path index ([`encode_inline`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    /// Byte equality.
    Exact(&'a [u8]),
    /// Anchored regular expression (index into the router's regex table).
    Regex(u32),
}

impl ValueMatch {
    /// The comparison, borrowed.
    #[inline]
    pub(crate) fn as_value(&self) -> Value<'_> {
        match self {
            ValueMatch::Exact(e) => Value::Exact(e),
            ValueMatch::Regex(i) => Value::Regex(*i),
        }
    }
}

#[inline]
fn value_holds(v: Value<'_>, regexes: &Chunked<Regex>, got: &[u8]) -> bool {
    match v {
        Value::Exact(e) => *e == *got,
        Value::Regex(i) => regexes.get(i as usize).is_some_and(|r| r.is_match(got)),
    }
}

/// Evaluates a header condition against every field line of the header. A line longer than
/// `max_len`, or lines joined longer than `max_len`, never match (`Options::max_header_value_len`).
pub(crate) fn header_ok<R: RequestView + ?Sized>(
    c: &HeaderCond,
    regexes: &Chunked<Regex>,
    policy: RepeatedHeaders,
    max_len: usize,
    req: &R,
) -> bool {
    header_holds(&c.name, c.value.as_value(), regexes, policy, max_len, req)
}

/// [`header_ok`] for header `name` (lowercase) compared by `value`.
pub(crate) fn header_holds<R: RequestView + ?Sized>(
    name: &str,
    value: Value<'_>,
    regexes: &Chunked<Regex>,
    policy: RepeatedHeaders,
    max_len: usize,
    req: &R,
) -> bool {
    let any_line =
        policy == RepeatedHeaders::Any || (policy == RepeatedHeaders::Join && name == "set-cookie");
    if any_line || policy == RepeatedHeaders::First {
        let mut ok = false;
        req.for_each_header(name, &mut |line| {
            ok = line.len() <= max_len && value_holds(value, regexes, line);
            if ok || !any_line {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        return ok;
    }
    match value {
        Value::Exact(expected) => joined_equals(name, expected, max_len, req),
        Value::Regex(i) => regexes
            .get(i as usize)
            .is_some_and(|re| joined_matches(name, re, max_len, req)),
    }
}

/// Longest method or exact header value a condition laid out inline may have
/// ([`encode_inline`]); longer ones are checked through the match record.
pub(crate) const INLINE_STR: usize = 64;

/// Top bit of an inline condition's first word: it has a method condition. Top bit of an
/// inline header value's first word: a regex (its index in the low bits), else the length
/// of the exact value that follows.
const INLINE_FLAG: u32 = 1 << 31;

/// Lays out the method and header conditions of a match as words, next to its candidate in a
/// path index (issue #20, item 3: a cache-cold lookup then reads no match record, condition
/// box or string allocation to check them), appended to `out`: `false`, and nothing written,
/// when the match has other conditions (query, gRPC) or a string over [`INLINE_STR`] bytes,
/// which the lookup checks through the match record.
///
/// Layout: the header count (with [`INLINE_FLAG`] when a method follows), then the method as
/// a string, then per header its name's number in `names` and its value: a regex as its index
/// with [`INLINE_FLAG`], an exact value as a string. A string is its length, then its bytes
/// four to a word, little-endian.
pub(crate) fn encode_inline(
    method: Option<&str>,
    headers: &[HeaderCond],
    query: &[QueryCond],
    grpc: bool,
    names: &mut HeaderNames,
    out: &mut Vec<u32>,
) -> bool {
    let fits = |s: &[u8]| s.len() <= INLINE_STR;
    let ok = query.is_empty()
        && !grpc
        && u32::try_from(headers.len()).is_ok_and(|n| n < INLINE_FLAG)
        && method.is_none_or(|m| fits(m.as_bytes()))
        && headers.iter().all(|h| match &h.value {
            ValueMatch::Exact(e) => fits(e),
            ValueMatch::Regex(i) => *i < INLINE_FLAG,
        });
    if !ok {
        return false;
    }
    out.push(headers.len() as u32 | if method.is_some() { INLINE_FLAG } else { 0 });
    if let Some(m) = method {
        push_str(m.as_bytes(), out);
    }
    for h in headers {
        out.push(names.id(&h.name));
        match &h.value {
            ValueMatch::Exact(e) => push_str(e, out),
            ValueMatch::Regex(i) => out.push(*i | INLINE_FLAG),
        }
    }
    true
}

/// A string of at most [`INLINE_STR`] bytes as words: its length, then its bytes.
fn push_str(s: &[u8], out: &mut Vec<u32>) {
    out.push(s.len() as u32);
    out.extend(s.chunks(4).map(pack));
}

/// Up to four bytes (a chunk of a string) as a little-endian word, zero-padded.
#[inline]
fn pack(c: &[u8]) -> u32 {
    let n = c.len().min(4);
    let mut w = [0u8; 4];
    w[..n].copy_from_slice(&c[..n]);
    u32::from_le_bytes(w)
}

/// Reads a string laid out by [`push_str`] at `*at` of `words` into `buf`, moving `at` past
/// it; `None` when the words are not such a string.
#[inline]
fn read_str<'b>(
    words: &[u32],
    at: &mut usize,
    buf: &'b mut [[u8; 4]; INLINE_STR / 4],
) -> Option<&'b [u8]> {
    let len = *words.get(*at)? as usize;
    let src = words.get(*at + 1..*at + 1 + len.div_ceil(4))?;
    for (d, w) in buf.iter_mut().zip(src) {
        *d = w.to_le_bytes();
    }
    *at += 1 + src.len();
    buf.as_flattened().get(..len)
}

/// Whether the string laid out by [`push_str`] at `*at` of `words` is `s`, compared a word at
/// a time, moving `at` past it.
#[inline]
fn same_str(words: &[u32], at: &mut usize, s: &[u8]) -> bool {
    let n = s.len().div_ceil(4);
    let (Some(&len), Some(packed)) = (words.get(*at), words.get(*at + 1..*at + 1 + n)) else {
        return false;
    };
    *at += 1 + n;
    len as usize == s.len() && s.chunks(4).zip(packed).all(|(c, &w)| pack(c) == w)
}

/// Whether the conditions laid out by [`encode_inline`] at the start of `words` hold for
/// `req`: what [`header_ok`] and a method comparison give for the match's own conditions.
/// Words that are not such a layout hold for no request.
pub(crate) fn inline_hold<R: RequestView + ?Sized>(
    words: &[u32],
    names: &HeaderNames,
    regexes: &Chunked<Regex>,
    policy: RepeatedHeaders,
    max_len: usize,
    req: &R,
) -> bool {
    let Some(&first) = words.first() else {
        return false;
    };
    let mut at = 1;
    if first & INLINE_FLAG != 0 && !same_str(words, &mut at, req.method().as_bytes()) {
        return false;
    }
    let mut buf = [[0u8; 4]; INLINE_STR / 4];
    for _ in 0..first & !INLINE_FLAG {
        let (Some(name), Some(&tag)) = (
            words.get(at).and_then(|&id| names.get(id)),
            words.get(at + 1),
        ) else {
            return false;
        };
        at += 1;
        let value = if tag & INLINE_FLAG != 0 {
            at += 1;
            Value::Regex(tag & !INLINE_FLAG)
        } else {
            match read_str(words, &mut at, &mut buf) {
                Some(v) => Value::Exact(v),
                None => return false,
            }
        };
        if !header_holds(name, value, regexes, policy, max_len, req) {
            return false;
        }
    }
    true
}

/// Whether the lines of header `name` joined by `,` equal `expected` (and are no longer than
/// `max_len`), compared line by line without building the joined value.
fn joined_equals<R: RequestView + ?Sized>(
    name: &str,
    expected: &[u8],
    max_len: usize,
    req: &R,
) -> bool {
    let (mut pos, mut lines, mut ok) = (0usize, 0usize, true);
    req.for_each_header(name, &mut |line| {
        if lines > 0 {
            if expected.get(pos) != Some(&b',') {
                ok = false;
                return ControlFlow::Break(());
            }
            pos += 1;
        }
        if expected.get(pos..pos + line.len()) != Some(line) {
            ok = false;
            return ControlFlow::Break(());
        }
        pos += line.len();
        lines += 1;
        ControlFlow::Continue(())
    });
    ok && lines > 0 && pos == expected.len() && pos <= max_len
}

/// Whether the lines of header `name` joined by `,` match `re`; never when they are longer
/// than `max_len`. The common case, one line, needs no joining; several are joined in a
/// reused thread-local buffer.
fn joined_matches<R: RequestView + ?Sized>(
    name: &str,
    re: &Regex,
    max_len: usize,
    req: &R,
) -> bool {
    let (mut first, mut lines, mut joined): (Option<bool>, usize, usize) = (None, 0, 0);
    req.for_each_header(name, &mut |line| {
        lines += 1;
        joined += line.len() + usize::from(lines > 1);
        // Every line is visited for the joined length, but only while within the limit.
        if joined > max_len {
            return ControlFlow::Break(());
        }
        if lines == 1 {
            first = Some(re.is_match(line));
        }
        ControlFlow::Continue(())
    });
    match lines {
        0 => false,
        _ if joined > max_len => false,
        1 => first.unwrap_or(false),
        _ => JOIN.with(|buf| {
            let mut buf = buf.borrow_mut();
            buf.clear();
            let mut n = 0;
            req.for_each_header(name, &mut |line| {
                if n > 0 {
                    buf.push(b',');
                }
                n += 1;
                buf.extend_from_slice(line);
                ControlFlow::Continue(())
            });
            re.is_match(&buf)
        }),
    }
}

/// The value of the first occurrence of `name` in a raw query string (`a` without `=` has
/// value `""`). No decoding.
pub(crate) fn query_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        (n == name).then_some(v)
    })
}

/// Evaluates a query-parameter condition (first occurrence wins, raw comparison).
pub(crate) fn query_ok(c: &QueryCond, regexes: &Chunked<Regex>, query: Option<&str>) -> bool {
    match query.and_then(|q| query_value(q, &c.name)) {
        Some(v) => value_ok(&c.value, regexes, v.as_bytes()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Headers, Request};

    fn exact(name: &str, v: &str) -> HeaderCond {
        HeaderCond {
            name: name.into(),
            value: ValueMatch::Exact(v.as_bytes().into()),
        }
    }

    /// Repeated headers compare as their lines joined with ',' (SPEC §3.4 [ENGINE]).
    #[test]
    fn repeated_headers_join() {
        let h = [("X-A", "1"), ("x-a", "2")];
        let req = Request::new("GET", "h", "/").headers(Headers::Pairs(&h));
        assert!(header_ok(
            &exact("x-a", "1,2"),
            &Chunked::new(),
            RepeatedHeaders::Join,
            usize::MAX,
            &req
        ));
        assert!(!header_ok(
            &exact("x-a", "1"),
            &Chunked::new(),
            RepeatedHeaders::Join,
            usize::MAX,
            &req
        ));
        assert!(!header_ok(
            &exact("x-a", "1,2,"),
            &Chunked::new(),
            RepeatedHeaders::Join,
            usize::MAX,
            &req
        ));
        assert!(header_ok(
            &exact("x-a", "1"),
            &Chunked::new(),
            RepeatedHeaders::First,
            usize::MAX,
            &req
        ));
        assert!(header_ok(
            &exact("x-a", "2"),
            &Chunked::new(),
            RepeatedHeaders::Any,
            usize::MAX,
            &req
        ));
        assert!(!header_ok(
            &exact("x-b", "1"),
            &Chunked::new(),
            RepeatedHeaders::Join,
            usize::MAX,
            &req
        ));
        let re: Chunked<Regex> = vec![Regex::new("^(?:1,[0-9])$").unwrap()].into();
        let c = HeaderCond {
            name: "x-a".into(),
            value: ValueMatch::Regex(0),
        };
        assert!(header_ok(&c, &re, RepeatedHeaders::Join, usize::MAX, &req));
    }

    /// `set-cookie` matches when any single line matches.
    #[test]
    fn set_cookie_any_line() {
        let h = [("Set-Cookie", "a=1"), ("set-cookie", "b=2")];
        let req = Request::new("GET", "h", "/").headers(Headers::Pairs(&h));
        assert!(header_ok(
            &exact("set-cookie", "b=2"),
            &Chunked::new(),
            RepeatedHeaders::Join,
            usize::MAX,
            &req
        ));
    }

    /// Query parameters: first occurrence, exact case-sensitive names, raw values.
    #[test]
    fn query_first_occurrence() {
        assert_eq!(query_value("a=1&a=2", "a"), Some("1"));
        assert_eq!(query_value("A=1&a=2", "a"), Some("2"));
        assert_eq!(query_value("flag&x=%20", "flag"), Some(""));
        assert_eq!(query_value("flag&x=%20", "x"), Some("%20"));
        assert_eq!(query_value("", "x"), None);
        let c = QueryCond {
            name: "a".into(),
            slot: 0,
            value: ValueMatch::Exact(b"2".to_vec().into()),
        };
        assert!(!query_ok(&c, &Chunked::new(), Some("a=1&a=2")));
    }

    /// Values longer than the limit never match, joined or not, whatever the policy.
    #[test]
    fn header_value_limit() {
        let h = [("X-A", "1234"), ("x-a", "5")];
        let req = Request::new("GET", "h", "/").headers(Headers::Pairs(&h));
        let re: Chunked<Regex> = vec![Regex::new("^(?:[0-9,]*)$").unwrap()].into();
        let rc = HeaderCond {
            name: "x-a".into(),
            value: ValueMatch::Regex(0),
        };
        for (cond, policy, fits) in [
            (exact("x-a", "1234,5"), RepeatedHeaders::Join, 6),
            (rc.clone(), RepeatedHeaders::Join, 6),
            (exact("x-a", "1234"), RepeatedHeaders::First, 4),
            (rc.clone(), RepeatedHeaders::First, 4),
            (exact("x-a", "1234"), RepeatedHeaders::Any, 4),
        ] {
            assert!(header_ok(&cond, &re, policy, fits, &req), "{policy:?}");
            assert!(!header_ok(&cond, &re, policy, fits - 1, &req), "{policy:?}");
        }
        // Any: a short line still matches when another line is too long.
        assert!(header_ok(
            &exact("x-a", "5"),
            &re,
            RepeatedHeaders::Any,
            1,
            &req
        ));
    }

    /// Conditions laid out inline hold exactly when the match's own conditions do (method
    /// compared exactly, then every header by `header_ok`), under every repeated-header
    /// policy and value limit; those that cannot be laid out say so.
    #[test]
    fn inline_conditions_agree_with_the_record() {
        let re: Chunked<Regex> = vec![Regex::new("^(?:v[0-9]+)$").unwrap()].into();
        let rx = |name: &str| HeaderCond {
            name: name.into(),
            value: ValueMatch::Regex(0),
        };
        let long = "z".repeat(INLINE_STR);
        let conds: Vec<(Option<&str>, Vec<HeaderCond>)> = vec![
            (Some("GET"), vec![]),
            (Some("DELETE"), vec![exact("x-version", "v1")]),
            (
                None,
                vec![exact("x-version", "v1"), exact("x-canary", "true")],
            ),
            (None, vec![rx("x-version")]),
            (None, vec![exact("x-a", ""), rx("x-version")]),
            (Some("PROPFIND"), vec![exact("set-cookie", "a=1,b=2")]),
            (None, vec![exact("x-long", &long)]),
        ];
        let reqs: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("GET", vec![]),
            ("GET", vec![("X-Version", "v1")]),
            ("DELETE", vec![("x-version", "v1"), ("x-canary", "true")]),
            ("DELETE", vec![("x-version", "v1"), ("x-version", "v2")]),
            (
                "PROPFIND",
                vec![("Set-Cookie", "a=1"), ("set-cookie", "b=2")],
            ),
            ("POST", vec![("x-a", ""), ("x-version", "v22")]),
            ("GET", vec![("x-long", &long)]),
            ("GE", vec![("x-version", "v1,v2")]),
        ];
        let mut names = HeaderNames::default();
        let mut checked = 0;
        for (method, headers) in &conds {
            let mut words = Vec::new();
            assert!(encode_inline(
                *method,
                headers,
                &[],
                false,
                &mut names,
                &mut words
            ));
            for policy in [
                RepeatedHeaders::Join,
                RepeatedHeaders::First,
                RepeatedHeaders::Any,
            ] {
                for max in [3, 4096] {
                    for (m, h) in &reqs {
                        let req = Request::new(m, "h", "/").headers(Headers::Pairs(h));
                        let want = method.is_none_or(|x| x == *m)
                            && headers.iter().all(|c| header_ok(c, &re, policy, max, &req));
                        let got = inline_hold(&words, &names, &re, policy, max, &req);
                        assert_eq!(got, want, "{method:?} {headers:?} {m} {h:?} {policy:?}");
                        checked += usize::from(want);
                    }
                }
            }
        }
        // Some of them hold (the comparison is not vacuous).
        assert!(checked > 10, "{checked}");
        // Two names, numbered once each.
        assert_eq!(names.get(0), Some("x-version"));
        assert!(names.get(5).is_none());
        // Not laid out: a query condition, a gRPC match, a value over the limit; nothing
        // is written for them.
        let mut words = Vec::new();
        let q = QueryCond {
            name: "a".into(),
            slot: 0,
            value: ValueMatch::Exact(b"1".to_vec().into()),
        };
        assert!(!encode_inline(
            None,
            &[],
            &[q],
            false,
            &mut names,
            &mut words
        ));
        assert!(!encode_inline(
            Some("GET"),
            &[],
            &[],
            true,
            &mut names,
            &mut words
        ));
        let over = "z".repeat(INLINE_STR + 1);
        assert!(!encode_inline(
            None,
            &[exact("x", &over)],
            &[],
            false,
            &mut names,
            &mut words
        ));
        assert!(words.is_empty());
        // Words that are not a layout hold for nothing.
        let req = Request::new("GET", "h", "/");
        for bad in [&[][..], &[1], &[INLINE_FLAG, 99], &[1, 77, 1]] {
            assert!(
                !inline_hold(bad, &names, &re, RepeatedHeaders::Join, 99, &req),
                "{bad:?}"
            );
        }
    }

    /// One scan answers every condition: first occurrence, raw values, absent names, names
    /// without `=`; the same as `query_ok` for each condition alone.
    #[test]
    fn query_scan_matches_per_condition_scan() {
        let mut names = QueryNames::default();
        let re: Chunked<Regex> = vec![Regex::new("^(?:[0-9]+)$").unwrap()].into();
        let cond = |names: &mut QueryNames, n: &str, v: Option<&str>| QueryCond {
            name: n.into(),
            slot: names.slot(n),
            value: match v {
                Some(v) => ValueMatch::Exact(v.as_bytes().into()),
                None => ValueMatch::Regex(0),
            },
        };
        let conds = [
            cond(&mut names, "a", Some("1")),
            cond(&mut names, "b", None),
            cond(&mut names, "flag", Some("")),
            cond(&mut names, "x", Some("%20")),
            cond(&mut names, "a", Some("2")),
            cond(&mut names, "missing", Some("")),
            cond(&mut names, "", Some("v")),
        ];
        for q in [
            "a=1&b=22&flag&x=%20",
            "a=2&a=1",
            "b=x&b=1",
            "flag=&x=%20&a=1",
            "=v&a",
            "",
            "&&&",
            "a=1=2",
        ] {
            for c in &conds {
                let mut scan = QueryScan::new(Some(q));
                let one = std::slice::from_ref(c);
                assert_eq!(
                    scan.all_ok(one, &names, &re),
                    query_ok(c, &re, Some(q)),
                    "{q:?} {}",
                    c.name
                );
            }
            // Several conditions against one scan.
            let mut scan = QueryScan::new(Some(q));
            for pair in conds.windows(2) {
                let want = pair.iter().all(|c| query_ok(c, &re, Some(q)));
                assert_eq!(scan.all_ok(pair, &names, &re), want, "{q:?}");
            }
        }
        // An absent (or over-long) query fails every condition, and no condition holds.
        assert!(!QueryScan::new(None).all_ok(&conds[..1], &names, &re));
        assert!(QueryScan::new(None).all_ok(&[], &names, &re));
    }
}
