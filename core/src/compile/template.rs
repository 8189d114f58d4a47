//! Template regexes compiled into a segment trie (the shape REST route sets use): literal
//! segments, `[^/]+` segments and an optional trailing `(/.*)?`. Such a regex matches exactly
//! the paths the trie walk accepts, so a lookup needs no regex execution; other regexes stay
//! in the linear list. Both report a *position* (the candidate's rank among the vhost's regex
//! candidates), and the smallest position wins: SPEC precedence is preserved.

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A literal segment.
    Lit(String),
    /// `[^/]+`: any non-empty segment.
    Param,
}

/// Parses `pattern` as a template: `/`-separated segments, each a literal (letters, digits,
/// `-`, `_`, `~`, `%`, `:`, `@`, `!`, `,`, `;`, `=`, `'` and escaped `\.` `\-`) or `[^/]+`,
/// optionally followed by `(/.*)?`. `None` for anything else.
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
        if lit.is_empty() {
            return None;
        }
        segs.push(Seg::Lit(lit));
    }
    Some((segs, rest))
}

#[derive(Debug, Default)]
struct Node {
    /// `(literal, child)` sorted by literal.
    lits: Vec<(Box<str>, u32)>,
    param: Option<u32>,
    /// `(position, candidate)` of templates ending here, sorted by position.
    end: Vec<(u32, u32)>,
    /// Same for templates ending here with `(/.*)?`.
    rest: Vec<(u32, u32)>,
    /// Smallest position in this subtree (for pruning).
    min_pos: u32,
}

/// The template regexes of one vhost.
#[derive(Debug)]
pub(crate) struct TemplateTrie {
    nodes: Vec<Node>,
}

impl Default for TemplateTrie {
    fn default() -> Self {
        TemplateTrie {
            nodes: vec![Node {
                min_pos: u32::MAX,
                ..Node::default()
            }],
        }
    }
}

impl TemplateTrie {
    /// Whether no template was inserted.
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.len() == 1 && self.nodes[0].end.is_empty() && self.nodes[0].rest.is_empty()
    }

    /// Adds a parsed template with its position and candidate.
    pub(crate) fn insert(&mut self, segs: &[Seg], rest: bool, pos: u32, cand: u32) {
        let mut node = 0usize;
        self.nodes[0].min_pos = self.nodes[0].min_pos.min(pos);
        for seg in segs {
            let next = match seg {
                Seg::Param => self.nodes[node].param,
                Seg::Lit(l) => {
                    let lits = &self.nodes[node].lits;
                    lits.binary_search_by(|(s, _)| (**s).cmp(l.as_str()))
                        .ok()
                        .map(|i| lits[i].1)
                }
            };
            let next = match next {
                Some(n) => n as usize,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(Node {
                        min_pos: u32::MAX,
                        ..Node::default()
                    });
                    match seg {
                        Seg::Param => self.nodes[node].param = Some(n as u32),
                        Seg::Lit(l) => {
                            let lits = &mut self.nodes[node].lits;
                            let at = lits.partition_point(|(s, _)| **s < *l.as_str());
                            lits.insert(at, (l.as_str().into(), n as u32));
                        }
                    }
                    n
                }
            };
            node = next;
            self.nodes[node].min_pos = self.nodes[node].min_pos.min(pos);
        }
        let list = if rest {
            &mut self.nodes[node].rest
        } else {
            &mut self.nodes[node].end
        };
        let at = list.partition_point(|&(p, _)| p < pos);
        list.insert(at, (pos, cand));
    }

    /// The smallest-position candidate whose template matches `path` and for which `ok`
    /// holds, if its position is below `bound`. Recursion depth is bounded by the deepest
    /// template (configuration), not by the request.
    pub(crate) fn best(
        &self,
        path: &str,
        bound: u32,
        ok: &mut dyn FnMut(u32) -> bool,
    ) -> Option<(u32, u32)> {
        let rest = path.strip_prefix('/')?;
        let mut best = None;
        self.walk(0, Some(rest), bound, ok, &mut best);
        best
    }

    /// `rest` is the path after the consumed segments and their leading `/`; `None` when the
    /// path ended exactly at this node.
    fn walk(
        &self,
        node: usize,
        rest: Option<&str>,
        bound: u32,
        ok: &mut dyn FnMut(u32) -> bool,
        best: &mut Option<(u32, u32)>,
    ) {
        let n = &self.nodes[node];
        let limit = best.map_or(bound, |(p, _)| p.min(bound));
        if n.min_pos >= limit {
            return;
        }
        let mut consider = |list: &[(u32, u32)], best: &mut Option<(u32, u32)>| {
            let limit = best.map_or(bound, |(p, _)| p.min(bound));
            if let Some(&(p, c)) = list
                .iter()
                .take_while(|(p, _)| *p < limit)
                .find(|&&(_, c)| ok(c))
            {
                *best = Some((p, c));
            }
        };
        match rest {
            None => {
                consider(&n.end, best);
                consider(&n.rest, best);
            }
            Some(r) => {
                // `(/.*)?` matches `/` and anything after it except a newline (`.`).
                if !n.rest.is_empty() && !r.contains('\n') {
                    consider(&n.rest, best);
                }
                // Segments are short: a plain byte scan beats a general substring search.
                let (seg, after) = match r.bytes().position(|b| b == b'/') {
                    Some(i) => (&r[..i], Some(&r[i + 1..])),
                    None => (r, None),
                };
                // Few children: compare lengths first, bytes only on a length hit.
                let child = if n.lits.len() <= 8 {
                    n.lits
                        .iter()
                        .find(|(s, _)| s.len() == seg.len() && **s == *seg)
                        .map(|c| c.1)
                } else {
                    n.lits
                        .binary_search_by(|(s, _)| (**s).cmp(seg))
                        .ok()
                        .map(|i| n.lits[i].1)
                };
                if let Some(c) = child {
                    self.walk(c as usize, after, bound, ok, best);
                }
                if let (Some(p), false) = (n.param, seg.is_empty()) {
                    self.walk(p as usize, after, bound, ok, best);
                }
            }
        }
    }
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
            parse(r"/v1\.0/x"),
            Some((vec![Seg::Lit("v1.0".into()), Seg::Lit("x".into())], false))
        );
        for no in [
            "/a.*", "/a/[^/]*", "a/b", "/", "/a//b", "/[0-9]+", "/a|b", "(/.*)?",
        ] {
            assert_eq!(parse(no), None, "{no}");
        }
    }

    fn trie(patterns: &[&str]) -> TemplateTrie {
        let mut t = TemplateTrie::default();
        for (i, p) in patterns.iter().enumerate() {
            let (segs, rest) = parse(p).unwrap();
            t.insert(&segs, rest, i as u32, i as u32);
        }
        t
    }

    /// The trie accepts exactly what the anchored regex accepts, and the smallest position wins.
    #[test]
    fn agrees_with_regex() {
        let pats = [
            "/repos/[^/]+/[^/]+",
            "/repos/[^/]+/issues",
            "/repos/[^/]+(/.*)?",
            "/users/[^/]+/repos",
            "/x/y",
        ];
        let t = trie(&pats);
        for path in [
            "/repos/a/b",
            "/repos/a/issues",
            "/repos/a",
            "/repos/a/",
            "/repos//b",
            "/repos/a/b/c",
            "/users/u/repos",
            "/x/y",
            "/x/y/",
            "",
            "repos/a",
            "/repos/a/\n",
        ] {
            let want = pats.iter().position(|p| {
                regex::Regex::new(&format!("^(?:{p})$"))
                    .unwrap()
                    .is_match(path)
            });
            let got = t
                .best(path, u32::MAX, &mut |_| true)
                .map(|(p, _)| p as usize);
            assert_eq!(got, want, "{path:?}");
        }
        // A failing condition falls through to the next position.
        assert_eq!(
            t.best("/repos/a/issues", u32::MAX, &mut |c| c != 0)
                .map(|x| x.0),
            Some(1)
        );
        assert_eq!(
            t.best("/repos/a/issues", 1, &mut |_| true).map(|x| x.0),
            Some(0)
        );
        assert_eq!(t.best("/repos/a/issues", 0, &mut |_| true), None);
    }
}
