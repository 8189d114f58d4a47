//! Template regexes (the shape REST route sets use): literal segments, `[^/]+` segments and
//! an optional trailing `(/.*)?`. Such a regex matches exactly the paths the path trie accepts
//! for its segments (see [`super::path`]), so a lookup needs no regex execution; other
//! regexes are run outside the trie.

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

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    /// A literal segment.
    Lit(String),
    /// `[^/]+`: any non-empty segment.
    Param,
}

/// Parses `pattern` as a template: `/`-separated segments, each a literal (letters, digits,
/// `-`, `_`, `~`, `%`, `:`, `@`, `!`, `,`, `;`, `=`, `'` and escaped `\.` `\-`; possibly
/// empty, as in `/a/`) or `[^/]+`, optionally followed by `(/.*)?`. `None` for anything else.
pub(crate) fn parse(pattern: &str) -> Option<(Vec<Seg>, bool)> {
    parse_named(pattern).map(|(segs, rest, _)| (segs, rest))
}

/// Path parameters of a template: `(segment index, name)` of each named `[^/]+` segment.
pub(crate) type Names = Vec<(u32, Box<str>)>;

/// [`parse`], where a `[^/]+` segment may also be a named group, `(?P<name>[^/]+)` or
/// `(?<name>[^/]+)` (`name`: an ASCII letter or `_`, then letters, digits and `_`; no name
/// twice): the segments, whether `(/.*)?` ends it, and the named segments in order.
pub(crate) fn parse_named(pattern: &str) -> Option<(Vec<Seg>, bool, Names)> {
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
            segs.push(Seg::Param);
            continue;
        }
        if raw == "\u{2}" {
            named.push((segs.len() as u32, names.next()?));
            segs.push(Seg::Param);
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
        segs.push(Seg::Lit(lit));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
