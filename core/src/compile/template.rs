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

/// A template ending at a node: its position (rank), candidate, and whether the candidate has
/// no method, header or query condition (then it matches without a callback).
#[derive(Debug, Clone, Copy)]
struct Term {
    pos: u32,
    cand: u32,
    free: bool,
}

const NONE: u32 = u32::MAX;

#[derive(Debug)]
struct Node {
    /// Literal children.
    lits: Lits,
    /// The `[^/]+` child, or `NONE`.
    param: u32,
    /// Templates ending here, sorted by position.
    end: Vec<Term>,
    /// Same for templates ending here with `(/.*)?`.
    rest: Vec<Term>,
    /// Smallest position in this subtree (for pruning).
    min_pos: u32,
}

impl Default for Node {
    fn default() -> Self {
        Node {
            lits: Lits::default(),
            param: NONE,
            end: Vec::new(),
            rest: Vec::new(),
            min_pos: NONE,
        }
    }
}

/// The template regexes of one vhost.
#[derive(Debug)]
pub(crate) struct TemplateTrie {
    nodes: Vec<Node>,
}

impl Default for TemplateTrie {
    fn default() -> Self {
        TemplateTrie {
            nodes: vec![Node::default()],
        }
    }
}

impl TemplateTrie {
    /// Whether no template was inserted.
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.len() == 1 && self.nodes[0].end.is_empty() && self.nodes[0].rest.is_empty()
    }

    /// Adds a parsed template with its position and candidate; `free` when the candidate has
    /// no other condition than its path.
    pub(crate) fn insert(&mut self, segs: &[Seg], rest: bool, pos: u32, cand: u32, free: bool) {
        let mut node = 0usize;
        self.nodes[0].min_pos = self.nodes[0].min_pos.min(pos);
        for seg in segs {
            let next = match seg {
                Seg::Param => Some(self.nodes[node].param).filter(|&p| p != NONE),
                Seg::Lit(l) => self.nodes[node].lits.get(l.as_bytes()),
            };
            let next = match next {
                Some(n) => n as usize,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(Node::default());
                    match seg {
                        Seg::Param => self.nodes[node].param = n as u32,
                        Seg::Lit(l) => self.nodes[node].lits.insert(l, n as u32),
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
        let at = list.partition_point(|t| t.pos < pos);
        list.insert(at, Term { pos, cand, free });
    }

    /// The smallest-position candidate whose template matches `path` and for which `ok`
    /// holds (asked only of candidates with conditions), if its position is below `bound`:
    /// `(position, candidate)`. Recursion depth is bounded by the deepest template
    /// (configuration), not by the request.
    #[inline]
    pub(crate) fn best<F: FnMut(u32) -> bool>(
        &self,
        path: &str,
        bound: u32,
        ok: &mut F,
    ) -> Option<(u32, u32)> {
        let rest = path.strip_prefix('/')?;
        let mut limit = bound;
        let mut best = NONE;
        self.walk(0, Some(rest.as_bytes()), &mut limit, &mut best, ok);
        (best != NONE).then_some((limit, best))
    }

    /// `rest` is the path after the consumed segments and their leading `/`; `None` when the
    /// path ended exactly at this node. A match lowers `limit` to its position and sets `best`.
    fn walk<F: FnMut(u32) -> bool>(
        &self,
        node: usize,
        rest: Option<&[u8]>,
        limit: &mut u32,
        best: &mut u32,
        ok: &mut F,
    ) {
        let n = &self.nodes[node];
        if n.min_pos >= *limit {
            return;
        }
        match rest {
            None => {
                consider(&n.end, limit, best, ok);
                consider(&n.rest, limit, best, ok);
            }
            Some(r) => {
                // `(/.*)?` matches `/` and anything after it except a newline (`.`).
                if !n.rest.is_empty() && !r.contains(&b'\n') {
                    consider(&n.rest, limit, best, ok);
                }
                // Segments are short: a plain byte scan beats a general substring search.
                let (seg, after) = match r.iter().position(|&b| b == b'/') {
                    Some(i) => (&r[..i], Some(&r[i + 1..])),
                    None => (r, None),
                };
                if let Some(c) = n.lits.get(seg) {
                    self.walk(c as usize, after, limit, best, ok);
                }
                if n.param != NONE && !seg.is_empty() {
                    self.walk(n.param as usize, after, limit, best, ok);
                }
            }
        }
    }
}

/// Takes the first candidate of `list` below `limit` that holds.
#[inline]
fn consider<F: FnMut(u32) -> bool>(list: &[Term], limit: &mut u32, best: &mut u32, ok: &mut F) {
    for t in list {
        if t.pos >= *limit {
            return;
        }
        if t.free || ok(t.cand) {
            *limit = t.pos;
            *best = t.cand;
            return;
        }
    }
}

/// Literal children of a node, found by a word made of their first eight bytes (an integer
/// comparison) and confirmed by length and bytes: no `memcmp` call on the lookup path.
#[derive(Debug, Default)]
pub(crate) struct Lits {
    /// `(key, literal, child)` sorted by key, then literal.
    items: Vec<(u64, Box<str>, u32)>,
}

impl Lits {
    /// The child for literal `seg`.
    #[inline]
    pub(crate) fn get(&self, seg: &[u8]) -> Option<u32> {
        let items = &self.items[..];
        if items.is_empty() {
            return None;
        }
        let k = key(seg);
        let start = if items.len() <= 8 {
            0
        } else {
            items.partition_point(|i| i.0 < k)
        };
        for (ik, lit, child) in &items[start..] {
            if *ik == k {
                let lit = lit.as_bytes();
                if lit.len() == seg.len() && same_bytes(lit, seg) {
                    return Some(*child);
                }
            } else if *ik > k {
                break;
            }
        }
        None
    }

    /// Adds literal `lit` with child `child` (the caller checked it is absent).
    pub(crate) fn insert(&mut self, lit: &str, child: u32) {
        let k = key(lit.as_bytes());
        let at = self
            .items
            .partition_point(|(ik, l, _)| (*ik, &**l) < (k, lit));
        self.items.insert(at, (k, lit.into(), child));
    }
}

/// The first eight bytes of `s`, big-endian, zero-padded: ordering keys orders prefixes.
#[inline]
fn key(s: &[u8]) -> u64 {
    if s.len() >= 8 {
        u64::from_be_bytes(s[..8].try_into().unwrap_or([0; 8]))
    } else {
        let mut b = [0u8; 8];
        b[..s.len()].copy_from_slice(s);
        u64::from_be_bytes(b)
    }
}

/// Equality of two byte strings of the same length, inline: whole words (the last one
/// overlapping) instead of a call to `memcmp` for the short strings path segments are.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len();
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap_or([0; 8]));
    let half = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap_or([0; 4]));
    if n >= 8 {
        let mut i = 0;
        while i + 8 < n {
            if word(a, i) != word(b, i) {
                return false;
            }
            i += 8;
        }
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
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

    fn trie(patterns: &[&str]) -> TemplateTrie {
        let mut t = TemplateTrie::default();
        for (i, p) in patterns.iter().enumerate() {
            let (segs, rest) = parse(p).unwrap();
            t.insert(&segs, rest, i as u32, i as u32, false);
        }
        t
    }

    #[test]
    fn byte_equality() {
        let s = b"abcdefghijklmnopqrstuvwxyz";
        for n in 0..s.len() {
            for i in 0..n {
                let mut t = s[..n].to_vec();
                assert!(same_bytes(&s[..n], &t));
                t[i] = b'!';
                assert!(!same_bytes(&s[..n], &t), "{n} {i}");
            }
        }
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
            "/repos/[^/]+/[^/]+/milestones/",
            "/a//b",
            "/abcdefghij/[^/]+",
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
            "/repos/a/b/milestones/",
            "/repos/a/b/milestones",
            "/a//b",
            "/a/b",
            "/abcdefghij/x",
            "/abcdefghik/x",
            "/abcdefghi/x",
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
