//! The non-path conditions of a match (method, headers, query parameters) and their
//! allocation-free evaluation (SPEC §3.4–§3.6).

use super::dfa::Dfa as Regex;
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
    pub value: ValueMatch,
}

thread_local! {
    /// Scratch space to join repeated header lines for a regex comparison. It grows to the
    /// largest joined header seen on this thread and is then reused (no allocation).
    static JOIN: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn value_ok(v: &ValueMatch, regexes: &[Regex], got: &[u8]) -> bool {
    match v {
        ValueMatch::Exact(e) => **e == *got,
        ValueMatch::Regex(i) => regexes[*i as usize].is_match(got),
    }
}

/// Evaluates a header condition against every field line of the header.
pub(crate) fn header_ok<R: RequestView + ?Sized>(
    c: &HeaderCond,
    regexes: &[Regex],
    policy: RepeatedHeaders,
    req: &R,
) -> bool {
    let any_line = policy == RepeatedHeaders::Any
        || (policy == RepeatedHeaders::Join && &*c.name == "set-cookie");
    if any_line || policy == RepeatedHeaders::First {
        let mut ok = false;
        req.for_each_header(&c.name, &mut |line| {
            ok = value_ok(&c.value, regexes, line);
            if ok || !any_line {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        return ok;
    }
    match &c.value {
        ValueMatch::Exact(expected) => {
            // Compare with the lines joined by ',' without building the joined value.
            let (mut pos, mut lines, mut ok) = (0usize, 0usize, true);
            req.for_each_header(&c.name, &mut |line| {
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
            ok && lines > 0 && pos == expected.len()
        }
        ValueMatch::Regex(i) => {
            let re = &regexes[*i as usize];
            // The common case, one line, needs no joining.
            let (mut first, mut lines): (Option<bool>, usize) = (None, 0);
            req.for_each_header(&c.name, &mut |line| {
                lines += 1;
                if lines == 1 {
                    first = Some(re.is_match(line));
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            });
            match lines {
                0 => false,
                1 => first.unwrap_or(false),
                _ => JOIN.with(|buf| {
                    let mut buf = buf.borrow_mut();
                    buf.clear();
                    let mut n = 0;
                    req.for_each_header(&c.name, &mut |line| {
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
pub(crate) fn query_ok(c: &QueryCond, regexes: &[Regex], query: Option<&str>) -> bool {
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
            &[],
            RepeatedHeaders::Join,
            &req
        ));
        assert!(!header_ok(
            &exact("x-a", "1"),
            &[],
            RepeatedHeaders::Join,
            &req
        ));
        assert!(!header_ok(
            &exact("x-a", "1,2,"),
            &[],
            RepeatedHeaders::Join,
            &req
        ));
        assert!(header_ok(
            &exact("x-a", "1"),
            &[],
            RepeatedHeaders::First,
            &req
        ));
        assert!(header_ok(
            &exact("x-a", "2"),
            &[],
            RepeatedHeaders::Any,
            &req
        ));
        assert!(!header_ok(
            &exact("x-b", "1"),
            &[],
            RepeatedHeaders::Join,
            &req
        ));
        let re = [Regex::new("^(?:1,[0-9])$").unwrap()];
        let c = HeaderCond {
            name: "x-a".into(),
            value: ValueMatch::Regex(0),
        };
        assert!(header_ok(&c, &re, RepeatedHeaders::Join, &req));
    }

    /// `set-cookie` matches when any single line matches.
    #[test]
    fn set_cookie_any_line() {
        let h = [("Set-Cookie", "a=1"), ("set-cookie", "b=2")];
        let req = Request::new("GET", "h", "/").headers(Headers::Pairs(&h));
        assert!(header_ok(
            &exact("set-cookie", "b=2"),
            &[],
            RepeatedHeaders::Join,
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
            value: ValueMatch::Exact(b"2".to_vec().into()),
        };
        assert!(!query_ok(&c, &[], Some("a=1&a=2")));
    }
}
