//! The path index of one effective hostname: a single segment trie holding every Exact path,
//! every PathPrefix and every template-shaped regex (`/a/[^/]+/b(/.*)?`) of the hostname.
//!
//! Each candidate carries its *position*: its rank among all the hostname's candidates under
//! SPEC §4.1 K3..K11 (with [`RegexRank`](crate::options::RegexRank) deciding where regexes
//! go). A lookup walks the request path once, literal child before `[^/]+` child, and keeps
//! the smallest position whose path matches and whose other conditions hold; a subtree whose
//! smallest position cannot beat the best so far is skipped. Regexes of other shapes are
//! matched outside the trie and compete by the same positions.
//!
//! Path semantics, byte for byte:
//! - Exact `/a/b` ends at node `a/b`; `/a/` at node `a/""` (an empty last segment).
//! - PathPrefix `/a` (or `/a/`) is *open* at node `a`: it matches when the path ends there or
//!   continues with `/` (SPEC §3.3: never `/ab`); PathPrefix `/` is open at the root and also
//!   matches the empty path.
//! - A template's literal matches its bytes, `[^/]+` any non-empty segment, and a trailing
//!   `(/.*)?` is open like a prefix except that `.` does not match a newline.

use super::segment::{find_byte, find_lit, next_segment, table_len, Lit, LitsBuilder};
use super::template::Seg;

/// The prefix a `PathPrefix` value stands for: the value without one trailing `/`.
pub(crate) fn prefix_of(value: &str) -> &str {
    value.strip_suffix('/').unwrap_or(value)
}

const NONE: u32 = u32::MAX;

/// A candidate at a node: its position, its match id, and flags.
#[derive(Debug, Clone, Copy)]
struct Term {
    pos: u32,
    id: u32,
    /// No method, header or query condition: it matches without asking the caller.
    free: bool,
    /// An open PathPrefix (any continuation), rather than a template's `(/.*)?`.
    prefix: bool,
}

/// A node while the index is built.
#[derive(Debug)]
struct BuildNode {
    lits: LitsBuilder,
    param: u32,
    end: Vec<Term>,
    open: Vec<Term>,
    min_pos: u32,
}

impl Default for BuildNode {
    fn default() -> Self {
        BuildNode {
            lits: LitsBuilder::default(),
            param: NONE,
            end: Vec::new(),
            open: Vec::new(),
            min_pos: NONE,
        }
    }
}

/// A frozen node.
#[derive(Debug)]
struct Node {
    lits: Box<[Lit]>,
    /// Where the node's hash table of literals starts in the index's `slots` (it has
    /// `table_len(lits.len())` slots, none for up to eight literals).
    table: u32,
    /// `end_len` candidates ending here, then the open ones, each by position.
    terms: Box<[Term]>,
    end_len: u32,
    /// The `[^/]+` child, or `NONE`.
    param: u32,
    /// Smallest position in this subtree, for pruning.
    min_pos: u32,
}

/// How a candidate's path ends at its node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    /// The path ends here (Exact, template without `(/.*)?`).
    End,
    /// PathPrefix: the path ends here or continues with `/`.
    Prefix,
    /// Template `(/.*)?`: the path ends here or continues with `/` and no newline.
    Rest,
}

/// Builds a [`PathIndex`].
#[derive(Debug)]
pub(crate) struct PathIndexBuilder {
    nodes: Vec<BuildNode>,
}

impl Default for PathIndexBuilder {
    fn default() -> Self {
        PathIndexBuilder {
            nodes: vec![BuildNode::default()],
        }
    }
}

/// The Exact, PathPrefix and template candidates of one hostname, frozen.
#[derive(Debug)]
pub(crate) struct PathIndex {
    nodes: Box<[Node]>,
    /// Middle bytes of literals over sixteen bytes.
    tails: Box<[u8]>,
    /// Hash tables of nodes with many literals.
    slots: Box<[u32]>,
}

impl Default for PathIndex {
    fn default() -> Self {
        PathIndexBuilder::default().build()
    }
}

/// The segments of an Exact value or a PathPrefix value (`/a/b` → `a`, `b`; `/` → none for a
/// prefix, one empty segment for an exact path).
pub(crate) fn literal_segments(value: &str, kind: Tail) -> Vec<Seg> {
    let v = if kind == Tail::Prefix {
        prefix_of(value)
    } else {
        value
    };
    match v.strip_prefix('/') {
        _ if v.is_empty() => Vec::new(),
        Some(rest) => rest.split('/').map(|s| Seg::Lit(s.to_string())).collect(),
        // Validation requires a leading `/`; anything else is kept whole as one segment.
        None => vec![Seg::Lit(v.to_string())],
    }
}

impl PathIndexBuilder {
    /// Adds a candidate: its segments, how it ends, its position and match id, and whether
    /// it has no other condition than its path.
    pub(crate) fn insert(&mut self, segs: &[Seg], tail: Tail, pos: u32, id: u32, free: bool) {
        let mut node = 0usize;
        self.nodes[0].min_pos = self.nodes[0].min_pos.min(pos);
        for seg in segs {
            let next = match seg {
                Seg::Param => Some(self.nodes[node].param).filter(|&p| p != NONE),
                Seg::Lit(l) => self.nodes[node].lits.find(l),
            };
            node = match next {
                Some(n) => n as usize,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(BuildNode::default());
                    match seg {
                        Seg::Param => self.nodes[node].param = n as u32,
                        Seg::Lit(l) => self.nodes[node].lits.insert(l, n as u32),
                    }
                    n
                }
            };
            self.nodes[node].min_pos = self.nodes[node].min_pos.min(pos);
        }
        let n = &mut self.nodes[node];
        let list = if tail == Tail::End {
            &mut n.end
        } else {
            &mut n.open
        };
        let at = list.partition_point(|t| t.pos < pos);
        list.insert(
            at,
            Term {
                pos,
                id,
                free,
                prefix: tail == Tail::Prefix,
            },
        );
    }

    /// Freezes the index.
    pub(crate) fn build(self) -> PathIndex {
        let mut nodes = Vec::with_capacity(self.nodes.len());
        let (mut tails, mut slots) = (Vec::new(), Vec::new());
        for n in &self.nodes {
            let mut lits = Vec::new();
            let table = slots.len() as u32;
            n.lits.freeze_into(&mut lits, &mut tails, &mut slots);
            let mut terms = n.end.clone();
            terms.extend_from_slice(&n.open);
            nodes.push(Node {
                lits: lits.into_boxed_slice(),
                table,
                terms: terms.into_boxed_slice(),
                end_len: n.end.len() as u32,
                param: n.param,
                min_pos: n.min_pos,
            });
        }
        PathIndex {
            nodes: nodes.into_boxed_slice(),
            tails: tails.into_boxed_slice(),
            slots: slots.into_boxed_slice(),
        }
    }
}

impl PathIndex {
    #[inline]
    fn end(n: &Node) -> &[Term] {
        &n.terms[..n.end_len as usize]
    }

    #[inline]
    fn open(n: &Node) -> &[Term] {
        &n.terms[n.end_len as usize..]
    }

    /// The smallest-position candidate below `bound` whose path matches `path` and for which
    /// `ok` holds (asked only of candidates with conditions): `(position, match id)`.
    #[inline]
    pub(crate) fn best<F: FnMut(u32) -> bool>(
        &self,
        path: &str,
        bound: u32,
        ok: &mut F,
    ) -> Option<(u32, u32)> {
        let mut limit = bound;
        let mut best = NONE;
        match path.strip_prefix('/') {
            Some(rest) => self.walk(0, Some(rest.as_bytes()), &mut limit, &mut best, ok),
            // Only PathPrefix `/` (open at the root) matches the empty path.
            None if path.is_empty() => {
                consider(Self::open(&self.nodes[0]), None, &mut limit, &mut best, ok)
            }
            None => {}
        }
        (best != NONE).then_some((limit, best))
    }

    /// `rest` is the path after the consumed segments and their leading `/`; `None` when the
    /// path ended exactly at this node. A match lowers `limit` to its position and sets `best`.
    /// A node with open candidates recurses so that they are weighed after the deeper (better
    /// placed) ones; otherwise one branch continues in the loop and only a segment that both a
    /// literal and `[^/]+` accept recurses (literal first). Depth is bounded by the deepest
    /// candidate (configuration), not by the request.
    fn walk<F: FnMut(u32) -> bool>(
        &self,
        mut node: usize,
        mut rest: Option<&[u8]>,
        limit: &mut u32,
        best: &mut u32,
        ok: &mut F,
    ) {
        loop {
            let n = &self.nodes[node];
            if n.min_pos >= *limit {
                return;
            }
            let Some(r) = rest else {
                consider(Self::end(n), None, limit, best, ok);
                consider(Self::open(n), None, limit, best, ok);
                return;
            };
            let (len, key) = next_segment(r);
            let after = r.get(len + 1..);
            let at = n.table as usize;
            let table = self
                .slots
                .get(at..at + table_len(n.lits.len()))
                .unwrap_or_default();
            let lit = find_lit(&n.lits, table, &self.tails, &r[..len], key);
            let param = if len > 0 { n.param } else { NONE };
            if n.terms.len() > n.end_len as usize {
                if let Some(c) = lit {
                    self.walk(c as usize, after, limit, best, ok);
                }
                if param != NONE {
                    self.walk(param as usize, after, limit, best, ok);
                }
                consider(Self::open(n), Some(r), limit, best, ok);
                return;
            }
            match (lit, param) {
                (Some(c), NONE) => node = c as usize,
                (None, NONE) => return,
                (None, p) => node = p as usize,
                (Some(c), p) => {
                    self.walk(c as usize, after, limit, best, ok);
                    node = p as usize;
                }
            }
            rest = after;
        }
    }

    /// Number of nodes (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }
}

/// Takes the first candidate of `list` below `limit` that matches and holds. `rest` is what
/// follows the node's segment after a `/` (`None` when the path ends at the node): a
/// template's `(/.*)?` refuses a newline there.
#[inline(always)]
fn consider<F: FnMut(u32) -> bool>(
    list: &[Term],
    rest: Option<&[u8]>,
    limit: &mut u32,
    best: &mut u32,
    ok: &mut F,
) {
    let mut newline = None;
    for t in list {
        if t.pos >= *limit {
            return;
        }
        if !t.prefix {
            if let Some(r) = rest {
                if *newline.get_or_insert_with(|| find_byte(r, b'\n').is_some()) {
                    continue;
                }
            }
        }
        if t.free || ok(t.id) {
            *limit = t.pos;
            *best = t.id;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::template;

    /// Builds an index from `(kind, value)` candidates, positions in list order.
    fn index(cands: &[(&str, &str)]) -> PathIndex {
        let mut t = PathIndexBuilder::default();
        for (i, (kind, v)) in cands.iter().enumerate() {
            let (segs, tail) = match *kind {
                "exact" => (literal_segments(v, Tail::End), Tail::End),
                "prefix" => (literal_segments(v, Tail::Prefix), Tail::Prefix),
                _ => {
                    let (segs, rest) = template::parse(v).unwrap();
                    (segs, if rest { Tail::Rest } else { Tail::End })
                }
            };
            t.insert(&segs, tail, i as u32, i as u32, false);
        }
        t.build()
    }

    /// Every candidate that matches `path`, best first (by asking `ok` to refuse each).
    fn all(t: &PathIndex, path: &str) -> Vec<u32> {
        let mut out = Vec::new();
        while let Some((_, id)) = t.best(path, u32::MAX, &mut |id| !out.contains(&id)) {
            out.push(id);
        }
        out.sort();
        out
    }

    /// `/abc` and `/abc/` both match `/abc`, `/abc/`, `/abc/def`, never `/abcd` (SPEC §3.3).
    #[test]
    fn prefix_is_segment_wise() {
        for p in ["/abc", "/abc/"] {
            let t = index(&[("prefix", p)]);
            for (path, hit) in [
                ("/abc", true),
                ("/abc/", true),
                ("/abc/def", true),
                ("/abcd", false),
                ("/ab", false),
            ] {
                assert_eq!(all(&t, path) == vec![0], hit, "{p} vs {path}");
            }
        }
    }

    /// Prefix `/` matches every path that starts with `/` and the empty path; nothing matches
    /// `*`.
    #[test]
    fn root_prefix() {
        let t = index(&[("prefix", "/"), ("exact", "/")]);
        assert_eq!(all(&t, "/"), vec![0, 1]);
        assert_eq!(all(&t, "/x/y"), vec![0]);
        assert_eq!(all(&t, ""), vec![0]);
        assert_eq!(all(&t, "*"), Vec::<u32>::new());
    }

    /// Exact paths match byte for byte, trailing and doubled slashes included.
    #[test]
    fn exact_paths() {
        let t = index(&[("exact", "/a/b"), ("exact", "/a/b/"), ("exact", "/a//b")]);
        assert_eq!(all(&t, "/a/b"), vec![0]);
        assert_eq!(all(&t, "/a/b/"), vec![1]);
        assert_eq!(all(&t, "/a//b"), vec![2]);
        assert_eq!(all(&t, "/a/b/c"), Vec::<u32>::new());
        assert_eq!(all(&t, "/a"), Vec::<u32>::new());
    }

    /// The smallest position wins whatever the depth; a refused candidate falls through to
    /// the next one, and `bound` excludes positions at or above it.
    #[test]
    fn positions_decide() {
        let t = index(&[
            ("prefix", "/"),
            ("prefix", "/a/b"),
            ("exact", "/a/b/c"),
            ("template", "/a/[^/]+/c"),
        ]);
        assert_eq!(t.best("/a/b/c", u32::MAX, &mut |_| true), Some((0, 0)));
        assert_eq!(t.best("/a/b/c", u32::MAX, &mut |id| id != 0), Some((1, 1)));
        assert_eq!(t.best("/a/b/c", u32::MAX, &mut |id| id > 1), Some((2, 2)));
        assert_eq!(t.best("/a/x/c", u32::MAX, &mut |id| id > 0), Some((3, 3)));
        assert_eq!(t.best("/a/b/c", 0, &mut |_| true), None);
        assert_eq!(all(&t, "/a/b/c"), vec![0, 1, 2, 3]);
    }

    /// Templates accept exactly what the anchored regex accepts.
    #[test]
    fn templates_agree_with_regex() {
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
        let cands: Vec<(&str, &str)> = pats.iter().map(|p| ("template", *p)).collect();
        let t = index(&cands);
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
            let want: Vec<u32> = (0..pats.len() as u32)
                .filter(|&i| {
                    regex::Regex::new(&format!("^(?:{})$", pats[i as usize]))
                        .unwrap()
                        .is_match(path)
                })
                .collect();
            assert_eq!(all(&t, path), want, "{path:?}");
        }
    }

    #[test]
    fn shares_nodes() {
        let t = index(&[("prefix", "/a/b"), ("exact", "/a/b"), ("exact", "/a/c")]);
        assert_eq!(t.len(), 4);
    }
}
