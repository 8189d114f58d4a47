//! Template regexes (the shape REST route sets use): literal segments, `[^/]+` segments and
//! an optional trailing `(/.*)?`. Such a regex matches exactly the paths the path trie accepts
//! for its segments (see [`super::path`]), so a lookup needs no regex execution; other
//! regexes are run outside the trie.

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
    let body = body.replace("[^/]+", "\u{1}");
    let mut segs = Vec::new();
    for raw in body.split('/') {
        if raw == "\u{1}" {
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
    Some((segs, rest))
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
        for no in ["/a.*", "/a/[^/]*", "a/b", "/", "/[0-9]+", "/a|b", "(/.*)?"] {
            assert_eq!(parse(no), None, "{no}");
        }
    }
}
