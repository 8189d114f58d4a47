//! Template regexes (the shape REST route sets use): literal segments, `[^/]+` segments and
//! an optional trailing `(/.*)?`. Such a regex matches exactly the paths the path trie accepts
//! for its segments (see [`super::path`]), so a lookup needs no regex execution; other
//! regexes are run outside the trie.

use std::borrow::Cow;

/// How a match's path parameters are found ([`crate::RouteMatch::params`]).
#[derive(Debug, Clone, Default)]
pub(crate) enum ParamPlan {
    /// No parameters: not a regex, or a regex without named groups or capture engine.
    #[default]
    None,
    /// A template with named `[^/]+` segments: `(segment index, name)`, by index.
    Segments(Box<[(u32, Box<str>)]>),
    /// A regex with named groups and a capture engine: its id in `Compiled::regexes`.
    Regex(u32),
}

/// One segment of a template, borrowed from the pattern (owned only for a literal with an
/// escape, `\.` or `\-`, whose text differs from the pattern's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg<'a> {
    /// A literal segment.
    Lit(Cow<'a, str>),
    /// `[^/]+`: any non-empty segment.
    Param,
}

/// [`parse_into`] into a new vector: the segments and whether `(/.*)?` ends the template.
#[cfg(test)]
pub(crate) fn parse(pattern: &str) -> Option<(Vec<Seg<'_>>, bool)> {
    let mut segs = Vec::new();
    let rest = parse_into(pattern, &mut segs)?;
    Some((segs, rest))
}

/// Parses `pattern` as a template: `/`-separated segments, each a literal (letters, digits,
/// `-`, `_`, `~`, `%`, `:`, `@`, `!`, `,`, `;`, `=`, `'` and escaped `\.` `\-`; possibly
/// empty, as in `/a/`) or `[^/]+`, optionally followed by `(/.*)?`, into `segs` (cleared
/// first; a buffer reused across patterns): whether `(/.*)?` ends the template, or `None`
/// (with `segs` in an unspecified state) for anything else.
pub(crate) fn parse_into<'a>(pattern: &'a str, segs: &mut Vec<Seg<'a>>) -> Option<bool> {
    segs.clear();
    scan(pattern, |s| segs.push(s), &mut Vec::new())
}

/// Whether [`parse_into`] accepts `pattern` (without building its segments).
pub(crate) fn is_template(pattern: &str) -> bool {
    scan(pattern, |_| {}, &mut Vec::new()).is_some()
}

/// Path parameters of a template: `(segment index, name)` of each named `[^/]+` segment.
pub(crate) type Names = Vec<(u32, Box<str>)>;

/// [`names`] with the segments (as [`parse_into`] gives them) and whether `(/.*)?` ends it.
#[cfg(test)]
pub(crate) fn parse_named(pattern: &str) -> Option<(Vec<Seg<'_>>, bool, Names)> {
    let mut segs = Vec::new();
    let mut names = Vec::new();
    let rest = scan(pattern, |s| segs.push(s), &mut names)?;
    Some((segs, rest, boxed(names)))
}

/// The named segments of template `pattern`, where a `[^/]+` segment may also be a named
/// group, `(?P<name>[^/]+)` or `(?<name>[^/]+)` (`name`: an ASCII letter or `_`, then
/// letters, digits and `_`; no name twice): `(segment index, name)` of each, in order; `None`
/// when `pattern` is not such a template ([`parse_into`] otherwise).
pub(crate) fn names(pattern: &str) -> Option<Names> {
    let mut names = Vec::new();
    scan(pattern, |_| {}, &mut names)?;
    Some(boxed(names))
}

fn boxed(names: Vec<(u32, &str)>) -> Names {
    names.into_iter().map(|(at, n)| (at, n.into())).collect()
}

/// The parser: calls `seg` with each segment in order and pushes `(segment index, name)` of
/// named segments to `names`; whether `(/.*)?` ends the template, `None` if it is not one
/// (segments may have been passed by then). Allocates only for a literal with an escape and
/// for names.
fn scan<'a>(
    pattern: &'a str,
    mut seg: impl FnMut(Seg<'a>),
    names: &mut Vec<(u32, &'a str)>,
) -> Option<bool> {
    let (body, rest) = match pattern.strip_suffix("(/.*)?") {
        Some(b) => (b, true),
        None => (pattern, false),
    };
    let mut body = body.strip_prefix('/')?;
    if body.is_empty() {
        // `/` alone, or `(/.*)?` alone: not worth a trie.
        return None;
    }
    let mut index = 0u32;
    loop {
        // One segment, then `/` and the next one, or the end.
        let after = if let Some(after) = body.strip_prefix("[^/]+") {
            seg(Seg::Param);
            after
        } else if body.starts_with("(?") {
            let (name, after) = named_group(body)?;
            if names.iter().any(|&(_, n)| n == name) {
                return None;
            }
            names.push((index, name));
            seg(Seg::Param);
            after
        } else {
            let end = body.find('/').unwrap_or(body.len());
            seg(Seg::Lit(literal(&body[..end])?));
            &body[end..]
        };
        index += 1;
        match after.strip_prefix('/') {
            Some(next) => body = next,
            None if after.is_empty() => return Some(rest),
            // `[^/]+` or a group followed by anything but `/` in its segment.
            None => return None,
        }
    }
}

/// `(?P<name>[^/]+)` or `(?<name>[^/]+)` at the start of `g`: the name and what follows.
fn named_group(g: &str) -> Option<(&str, &str)> {
    let t = g.strip_prefix("(?P<").or_else(|| g.strip_prefix("(?<"))?;
    let end = t.find('>')?;
    let name = &t[..end];
    let first = name.chars().next()?;
    let ok = (first.is_ascii_alphabetic() || first == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let tail = t[end + 1..].strip_prefix("[^/]+)")?;
    ok.then_some((name, tail))
}

/// The text of literal segment `raw` (no `/`): its characters, `\.` and `\-` unescaped;
/// `None` for any other character.
fn literal(raw: &str) -> Option<Cow<'_, str>> {
    let plain = |c: u8| c.is_ascii_alphanumeric() || b"-_~%:@!,;='".contains(&c);
    if raw.bytes().all(plain) {
        return Some(Cow::Borrowed(raw));
    }
    let mut lit = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next()? {
                e @ ('.' | '-') => lit.push(e),
                _ => return None,
            },
            c if c.is_ascii() && plain(c as u8) => lit.push(c),
            _ => return None,
        }
    }
    Some(Cow::Owned(lit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The parser before segments were borrowed (issue #20, item 4), as the reference.
    mod old {
        /// One segment of a template.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub(super) enum OldSeg {
            /// A literal segment.
            Lit(String),
            /// `[^/]+`: any non-empty segment.
            Param,
        }

        /// Path parameters of a template: `(segment index, name)` of each named `[^/]+` segment.
        type Names = Vec<(u32, Box<str>)>;

        /// [`parse`], where a `[^/]+` segment may also be a named group, `(?P<name>[^/]+)` or
        /// `(?<name>[^/]+)` (`name`: an ASCII letter or `_`, then letters, digits and `_`; no name
        /// twice): the segments, whether `(/.*)?` ends it, and the named segments in order.
        pub(super) fn parse_named(pattern: &str) -> Option<(Vec<OldSeg>, bool, Names)> {
            let (body, rest) = match pattern.strip_suffix("(/.*)?") {
                Some(b) => (b, true),
                None => (pattern, false),
            };
            let body = body.strip_prefix('/')?;
            if body.is_empty() {
                // `/` alone, or `(/.*)?` alone: not worth a trie.
                return None;
            }
            // `[^/]+` contains a `/`: swap it for a marker before splitting into segments.
            if body.contains('\u{1}') {
                return None;
            }
            let (body, mut names) = named_groups(body)?;
            let body = body.replace("[^/]+", "\u{1}");
            let mut segs = Vec::new();
            let mut named = Vec::new();
            for raw in body.split('/') {
                if raw == "\u{1}" {
                    segs.push(OldSeg::Param);
                    continue;
                }
                if raw == "\u{2}" {
                    named.push((segs.len() as u32, names.next()?));
                    segs.push(OldSeg::Param);
                    continue;
                }
                let mut lit = String::new();
                let mut chars = raw.chars();
                while let Some(ch) = chars.next() {
                    match ch {
                        '\\' => match chars.next()? {
                            e @ ('.' | '-') => lit.push(e),
                            _ => return None,
                        },
                        c if c.is_ascii_alphanumeric() || "-_~%:@!,;='".contains(c) => lit.push(c),
                        _ => return None,
                    }
                }
                // An empty literal (`/a/`, `/a//b`) matches an empty segment, as the regex does.
                segs.push(OldSeg::Lit(lit));
            }
            Some((segs, rest, named))
        }

        /// `body` with each `(?P<name>[^/]+)` or `(?<name>[^/]+)` replaced by `\u{2}`, and the names
        /// in order; `None` for a name given twice or a `\u{2}` in the pattern.
        fn named_groups(body: &str) -> Option<(String, std::vec::IntoIter<Box<str>>)> {
            if body.contains('\u{2}') {
                return None;
            }
            let (mut out, mut names) = (String::new(), Vec::<Box<str>>::new());
            let mut r = body;
            while let Some(at) = r.find("(?") {
                out.push_str(&r[..at]);
                let g = &r[at..];
                let after = g
                    .strip_prefix("(?P<")
                    .or_else(|| g.strip_prefix("(?<"))
                    .and_then(|t| {
                        let end = t.find('>')?;
                        let name = &t[..end];
                        let first = name.chars().next()?;
                        let ok = (first.is_ascii_alphabetic() || first == '_')
                            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                        let tail = t[end + 1..].strip_prefix("[^/]+)")?;
                        ok.then_some((name, tail))
                    });
                match after {
                    Some((name, tail)) if !names.iter().any(|n| **n == *name) => {
                        names.push(name.into());
                        out.push('\u{2}');
                        r = tail;
                    }
                    // Any other group: not a template (the literal check refuses the `(`).
                    _ => return None,
                }
            }
            out.push_str(r);
            Some((out, names.into_iter()))
        }
    }

    #[test]
    fn parses_templates() {
        assert_eq!(
            parse("/repos/[^/]+/issues"),
            Some((
                vec![
                    Seg::Lit("repos".into()),
                    Seg::Param,
                    Seg::Lit("issues".into())
                ],
                false
            ))
        );
        assert_eq!(
            parse("/a/[^/]+(/.*)?"),
            Some((vec![Seg::Lit("a".into()), Seg::Param], true))
        );
        assert_eq!(
            parse("/a/[^/]+/"),
            Some((
                vec![Seg::Lit("a".into()), Seg::Param, Seg::Lit("".into())],
                false
            ))
        );
        assert_eq!(
            parse("/a//b"),
            Some((
                vec![
                    Seg::Lit("a".into()),
                    Seg::Lit("".into()),
                    Seg::Lit("b".into())
                ],
                false
            ))
        );
        assert_eq!(
            parse(r"/v1\.0/x"),
            Some((vec![Seg::Lit("v1.0".into()), Seg::Lit("x".into())], false))
        );
        assert_eq!(
            parse_named("/u/(?P<id>[^/]+)/x/[^/]+/(?<b_2>[^/]+)(/.*)?"),
            Some((
                vec![
                    Seg::Lit("u".into()),
                    Seg::Param,
                    Seg::Lit("x".into()),
                    Seg::Param,
                    Seg::Param
                ],
                true,
                vec![(1, "id".into()), (4, "b_2".into())]
            ))
        );
        for no in [
            "/(?P<a>[^/]+)/(?P<a>[^/]+)",
            "/(?P<1a>[^/]+)",
            "/(?P<a>[^/]*)",
            "/(?P<a>[^/]+)x",
            "/x(?P<a>[^/]+)",
            "/([^/]+)",
            "/(?i)a",
            "/\u{2}",
        ] {
            assert_eq!(parse_named(no), None, "{no}");
        }
        for no in ["/a.*", "/a/[^/]*", "a/b", "/", "/[0-9]+", "/a|b", "(/.*)?"] {
            assert_eq!(parse(no), None, "{no}");
        }
    }

    /// A pattern from pieces of templates and of what is not one.
    fn pattern() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "/",
            "/",
            "/",
            "a",
            "b1",
            "-",
            "~%:@!,;='",
            "[^/]+",
            "[^/]+",
            "(?P<id>[^/]+)",
            "(?<n_2>[^/]+)",
            "(?P<id>",
            "[^/]+)",
            "(?P<1x>[^/]+)",
            "(?i)",
            "(",
            ")",
            "?",
            "<",
            ">",
            "[^/]",
            "[^/]*",
            "\\.",
            "\\-",
            "\\",
            "\\x",
            ".",
            "*",
            "(/.*)?",
            "\u{1}",
            "\u{2}",
            "é",
            " ",
        ]);
        proptest::collection::vec(piece, 0..8).prop_map(|p| p.concat())
    }

    fn same_as_old(p: &str) {
        let new = parse_named(p).map(|(segs, rest, names)| {
            let segs: Vec<old::OldSeg> = segs
                .into_iter()
                .map(|s| match s {
                    Seg::Lit(l) => old::OldSeg::Lit(l.into_owned()),
                    Seg::Param => old::OldSeg::Param,
                })
                .collect();
            (segs, rest, names)
        });
        assert_eq!(new, old::parse_named(p), "{p:?}");
        let plain = parse(p);
        assert_eq!(plain.is_some(), new.is_some(), "{p:?}");
        assert_eq!(is_template(p), new.is_some(), "{p:?}");
        assert_eq!(names(p), new.as_ref().map(|n| n.2.clone()), "{p:?}");
        let mut buf = vec![Seg::Param];
        assert_eq!(parse_into(p, &mut buf), new.as_ref().map(|n| n.1), "{p:?}");
        if let Some((segs, _)) = plain {
            assert_eq!(buf, segs, "{p:?}");
        }
    }

    #[test]
    fn parses_as_before() {
        for p in [
            "/repos/[^/]+/issues",
            "/a/[^/]+(/.*)?",
            r"/v1\.0/x\-y",
            "/u/(?P<id>[^/]+)/x/[^/]+/(?<b_2>[^/]+)(/.*)?",
            "/(?P<a>[^/]+)/(?P<a>[^/]+)",
            "/[^/][^/]+",
            "/a[^/]+",
            r"/a\/b",
            "/a//b/",
            "/\u{1}",
            "/(?P<a/b>[^/]+)",
        ] {
            same_as_old(p);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]

        /// The borrowing parser accepts and splits exactly as the one before it.
        #[test]
        fn random_patterns_parse_as_before(p in pattern()) {
            same_as_old(&p);
        }
    }
}
