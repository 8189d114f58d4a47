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
//!
//! Storage (issue #20, item 3): the frozen index is one array of 32-bit words, each node's
//! record (header, literal children, candidates, hash table) contiguous, a parent before its
//! children; nodes refer to each other by word offset. A lookup reads one allocation, and a
//! node with its literals usually shares a cache line or two: cache-cold lookups touch fewer
//! lines and pages than with separate arrays of nodes, literals and candidates. The same
//! array holds the hostname's other regex candidates (before the root) and the method and
//! header conditions of its candidates (after the records, [`Check::Inline`]), so checking a
//! candidate's conditions reads no match record and no per-condition allocation.

use super::dfa::{Lead, LEAD_WORDS};
use super::segment::{
    key_at, next_segment, probe_lits, scan_lits, segment_at, table_len, LitsBuilder, PathSeg,
    LIT_WORDS,
};
use super::template::Seg;
use crate::cost;

/// The prefix a `PathPrefix` value stands for: the value without one trailing `/`.
pub(crate) fn prefix_of(value: &str) -> &str {
    value.strip_suffix('/').unwrap_or(value)
}

const NONE: u32 = u32::MAX;

/// Words of a candidate matched outside the trie: its regex, match id and position, then
/// its regex's [`Lead`] ([`REGEX_LEAD`]).
pub(crate) const REGEX_WORDS: usize = 3 + LEAD_WORDS;

/// Where a regex candidate's [`Lead`] starts in its words ([`Lead::admits`] reads them).
pub(crate) const REGEX_LEAD: usize = 3;

/// A candidate while the index is built: its position, its match id, and flags.
#[derive(Debug, Clone, Copy)]
struct Term {
    pos: u32,
    id: u32,
    /// No method, header or query condition: it matches without asking the caller.
    free: bool,
    /// An open PathPrefix (any continuation), rather than a template's `(/.*)?`.
    prefix: bool,
    /// Its conditions laid out inline ([`Check::Inline`]): where they start in
    /// [`PathIndexBuilder::inline`] and how many words (`NONE`, 0: none).
    inline: (u32, u32),
}

/// How a lookup checks a candidate's conditions other than its path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Check<'x> {
    /// It has none: it matches without asking.
    Free,
    /// Ask the caller's check with the match id alone.
    Ask,
    /// Ask the caller's check with these words too (conditions laid out by the caller, e.g.
    /// `conds::encode_inline`), stored in the index next to the trie.
    Inline(&'x [u32]),
}

/// Words of a frozen candidate: position, match id, flags ([`FREE`], [`PREFIX`], [`INLINE`]
/// and the inline conditions' offset).
const TERM_WORDS: usize = 3;
/// Flag of a frozen candidate: [`Term::free`].
const FREE: u32 = 1;
/// Flag of a frozen candidate: [`Term::prefix`].
const PREFIX: u32 = 2;
/// Flag of a frozen candidate: its conditions are laid out inline, at the word offset in the
/// flags' bits from [`INLINE_SHIFT`] up.
const INLINE: u32 = 4;
/// Where the offset of a candidate's inline conditions starts in its flags word.
const INLINE_SHIFT: u32 = 3;
/// Inline conditions must start below this word offset (else they are asked by match id).
const INLINE_END: usize = 1 << (32 - INLINE_SHIFT);

/// A node while the index is built (its candidates are in [`PathIndexBuilder::terms`]).
#[derive(Debug)]
struct BuildNode<'a> {
    lits: LitsBuilder<'a>,
    param: u32,
    /// How many candidates end here, and how many are open here.
    end_len: u32,
    open_len: u32,
    min_pos: u32,
    parent: u32,
}

impl Default for BuildNode<'_> {
    fn default() -> Self {
        BuildNode {
            lits: LitsBuilder::default(),
            param: NONE,
            end_len: 0,
            open_len: 0,
            min_pos: NONE,
            parent: NONE,
        }
    }
}

/// Words of a frozen node's header.
///
/// A node's record in [`PathIndex::words`] is its header (36 bytes: the words below), then
/// its `lit_len` literal children ([`LIT_WORDS`] each), then, for more than eight literals,
/// their hash table ([`table_len`] words), then its `end_len` ending candidates and
/// `open_len` open ones ([`TERM_WORDS`] each, each part by position).
const HEAD: usize = 9;
/// Header word: number of literal children.
const H_LITS: usize = 0;
/// Header word: candidates ending here.
const H_END: usize = 1;
/// Header word: candidates open here.
const H_OPEN: usize = 2;
/// Header word: the `[^/]+` child (word offset), or `NONE`.
const H_PARAM: usize = 3;
/// Header word: smallest position in this subtree, for pruning.
const H_MIN_POS: usize = 4;
/// Header word: where a search resumes after this node's subtree: the nearest ancestor
/// that may have something left to try (open candidates, or a `[^/]+` child when this node
/// is in its literal subtree, then [`VIA_LIT`] is set), or `NONE`. The search backtracks
/// through these links: no stack, no recursion.
const H_UP: usize = 5;
/// Header word: number of segments from the root.
const H_DEPTH: usize = 6;
/// Header word: fewest (low 16 bits) and most (high 16 bits) segments of a path that a
/// candidate of this subtree matches (most: `u16::MAX` when one is open): a request with a
/// segment count outside them cannot match below, whatever its bytes. Counts of `u16::MAX`
/// or more are stored as `u16::MAX`, which only prunes less (fewest: at least that many;
/// most: no bound).
const H_SEGS: usize = 7;
/// Header word: where the node's candidates start, from the record's first word.
const H_TERMS: usize = 8;

/// A frozen node: its record's first word and its header.
#[derive(Debug, Clone, Copy)]
struct Node<'a> {
    at: usize,
    h: &'a [u32; HEAD],
}

impl Node<'_> {
    #[inline(always)]
    fn lit_len(self) -> u32 {
        self.h[H_LITS]
    }

    #[inline(always)]
    fn end_len(self) -> u32 {
        self.h[H_END]
    }

    #[inline(always)]
    fn open_len(self) -> u32 {
        self.h[H_OPEN]
    }

    #[inline(always)]
    fn param(self) -> u32 {
        self.h[H_PARAM]
    }

    #[inline(always)]
    fn min_pos(self) -> u32 {
        self.h[H_MIN_POS]
    }

    #[inline(always)]
    fn up(self) -> u32 {
        self.h[H_UP]
    }

    #[inline(always)]
    fn depth(self) -> u32 {
        self.h[H_DEPTH]
    }

    /// Where the node's literal children start (right after the header: a walk reads
    /// them at every node).
    #[inline(always)]
    fn lits_at(self) -> usize {
        self.at + HEAD
    }

    /// Where the node's literal hash table starts (more than eight literals).
    #[inline(always)]
    fn table_at(self) -> usize {
        self.at + HEAD + LIT_WORDS * self.lit_len() as usize
    }

    /// Where the node's candidates start.
    #[inline(always)]
    fn terms_at(self) -> usize {
        self.at + self.h[H_TERMS] as usize
    }

    /// Whether a request of `segs` segments can match in this node's subtree.
    #[inline]
    fn fits(self, segs: u32) -> bool {
        let (lo, hi) = (self.h[H_SEGS] & 0xffff, self.h[H_SEGS] >> 16);
        lo <= segs && (segs <= hi || hi == 0xffff)
    }
}

/// What [`PathIndexBuilder::build`] computes of a node before writing its record.
#[derive(Debug, Clone, Copy)]
struct Frozen {
    /// The record's first word.
    at: u32,
    up: u32,
    depth: u32,
    /// Fewest and most segments, before they are saturated to 16 bits.
    segs: (u32, u32),
}

/// Flag of a node's `up` link: the node is in the literal subtree of its `up` node.
const VIA_LIT: u32 = 1 << 31;

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

/// Builds a [`PathIndex`] (its literals borrowed from the candidates' path values, `'a`).
#[derive(Debug)]
pub(crate) struct PathIndexBuilder<'a> {
    nodes: Vec<BuildNode<'a>>,
    /// Every candidate in insertion order: its node, whether it is open there, the candidate
    /// (one list for all nodes rather than two per node: fewer allocations).
    terms: Vec<(u32, bool, Term)>,
    /// The inline conditions of every candidate that has them, one after the other.
    inline: Vec<u32>,
    /// `(regex, match id, position, lead)` of the candidates matched outside the trie.
    regex: Vec<[u32; REGEX_WORDS]>,
}

impl Default for PathIndexBuilder<'_> {
    fn default() -> Self {
        PathIndexBuilder::with_capacity(0)
    }
}

/// The Exact, PathPrefix and template candidates of one hostname, frozen: every node's
/// record in one array of words (see [`HEAD`]), linked by word offsets: first the
/// `(regex, match id, position, lead)` entries of the hostname's other regexes
/// ([`REGEX_WORDS`] each), then the root's
/// record and the others, then the candidates' inline conditions ([`Check::Inline`]). One
/// allocation holds everything a lookup of the hostname reads, but for literals over sixteen
/// bytes, and what it reads first (the regexes, the root) is together.
///
/// An index holds fewer than 2³¹ words (8 GiB; a link's top bit is [`VIA_LIT`]): far more
/// than the configurations `Router::new` accepts can fill.
///
/// In declaration order (`repr(C)`): `words` and `root`, which every lookup reads, in the
/// first 20 bytes ([`VHost`](super::VHost) puts the index first).
#[derive(Debug, Clone)]
#[repr(C)]
pub(crate) struct PathIndex {
    words: Box<[u32]>,
    /// Where the root's record starts: after the regex entries at the start of `words`.
    root: u32,
    /// Where the node records end in `words` (the inline conditions follow).
    #[cfg(test)]
    records: u32,
    /// Bytes after the first eight of literals over sixteen bytes.
    tails: Box<[u8]>,
}

impl Default for PathIndex {
    fn default() -> Self {
        PathIndexBuilder::default().build()
    }
}

/// [`literal_segments_into`] into a new vector.
#[cfg(test)]
pub(crate) fn literal_segments(value: &str, kind: Tail) -> Vec<Seg<'_>> {
    let mut segs = Vec::new();
    literal_segments_into(value, kind, &mut segs);
    segs
}

/// The segments of an Exact value or a PathPrefix value (`/a/b` → `a`, `b`; `/` → none for a
/// prefix, one empty segment for an exact path), borrowed from `value`, into `segs` (cleared
/// first; a buffer reused across values).
pub(crate) fn literal_segments_into<'a>(value: &'a str, kind: Tail, segs: &mut Vec<Seg<'a>>) {
    segs.clear();
    let v = if kind == Tail::Prefix {
        prefix_of(value)
    } else {
        value
    };
    match v.strip_prefix('/') {
        _ if v.is_empty() => {}
        Some(rest) => segs.extend(rest.split('/').map(|s| Seg::Lit(s.into()))),
        // Validation requires a leading `/`; anything else is kept whole as one segment.
        None => segs.push(Seg::Lit(v.into())),
    }
}

impl<'a> PathIndexBuilder<'a> {
    /// A builder with room for `n` candidates, and for as many nodes (plus the root) before
    /// its node list grows.
    pub(crate) fn with_capacity(n: usize) -> Self {
        let mut nodes = Vec::with_capacity(n + 1);
        nodes.push(BuildNode::default());
        PathIndexBuilder {
            nodes,
            terms: Vec::with_capacity(n),
            inline: Vec::new(),
            regex: Vec::new(),
        }
    }

    /// Adds a candidate matched outside the trie: regular expression `regex` (the caller's
    /// number), its match id, its position (unique among the index's candidates) and the
    /// regex's leading literal, which a lookup checks before it runs the regex. Added in
    /// position order.
    pub(crate) fn insert_regex(&mut self, regex: u32, id: u32, pos: u32, lead: Lead) {
        debug_assert!(self.regex.last().is_none_or(|r| r[2] < pos));
        let [a, b, c, d, e] = lead.to_words();
        self.regex.push([regex, id, pos, a, b, c, d, e]);
    }

    /// Adds a candidate: its segments, how it ends, its position (unique among the index's
    /// candidates) and match id, and how its other conditions are checked.
    pub(crate) fn insert(
        &mut self,
        segs: &[Seg<'a>],
        tail: Tail,
        pos: u32,
        id: u32,
        check: Check<'_>,
    ) {
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
                    self.nodes.push(BuildNode {
                        parent: node as u32,
                        ..BuildNode::default()
                    });
                    match seg {
                        Seg::Param => self.nodes[node].param = n as u32,
                        Seg::Lit(l) => self.nodes[node].lits.insert(l.clone(), n as u32),
                    }
                    n
                }
            };
            self.nodes[node].min_pos = self.nodes[node].min_pos.min(pos);
        }
        let n = &mut self.nodes[node];
        let open = tail != Tail::End;
        if open {
            n.open_len += 1;
        } else {
            n.end_len += 1;
        }
        let inline = match check {
            Check::Inline(w) if !w.is_empty() && self.inline.len() + w.len() < INLINE_END => {
                let at = self.inline.len() as u32;
                self.inline.extend_from_slice(w);
                (at, w.len() as u32)
            }
            _ => (NONE, 0),
        };
        let term = Term {
            pos,
            id,
            free: matches!(check, Check::Free),
            prefix: tail == Tail::Prefix,
            inline,
        };
        self.terms.push((node as u32, open, term));
    }

    /// Freezes the index.
    pub(crate) fn build(mut self) -> PathIndex {
        let count = self.nodes.len();
        // Per node, in one list: its record's first word (parents come before their
        // children), its `up` link and depth, and its fewest and most segments, in full
        // before they are stored in 16 bits.
        let mut info: Vec<Frozen> = Vec::with_capacity(count);
        // The regex entries come first, the root's record right after them.
        let mut total = REGEX_WORDS * self.regex.len();
        for (i, n) in self.nodes.iter().enumerate() {
            let at = total as u32;
            let lits = n.lits.len();
            total += HEAD
                + TERM_WORDS * (n.end_len + n.open_len) as usize
                + LIT_WORDS * lits
                + table_len(lits);
            let (up, depth) = match self.nodes.get(n.parent as usize) {
                None => (NONE, 0),
                Some(parent) => {
                    let p = &info[n.parent as usize];
                    let up = if parent.open_len > 0 {
                        let lit = if parent.param == i as u32 { 0 } else { VIA_LIT };
                        p.at | lit
                    } else if parent.param != NONE && parent.param != i as u32 {
                        p.at | VIA_LIT
                    } else {
                        p.up
                    };
                    (up, p.depth + 1)
                }
            };
            let lo = if n.end_len > 0 || n.open_len > 0 {
                depth
            } else {
                u32::MAX
            };
            let hi = if n.open_len == 0 {
                depth * u32::from(n.end_len > 0)
            } else {
                u32::MAX
            };
            info.push(Frozen {
                at,
                up,
                depth,
                segs: (lo, hi),
            });
        }
        debug_assert!(total < VIA_LIT as usize);
        // Children come after their parents: fold the segment-count ranges upwards.
        for i in (1..count).rev() {
            let parent = self.nodes[i].parent as usize;
            let (lo, hi) = info[i].segs;
            if let Some(p) = info.get_mut(parent) {
                p.segs.0 = p.segs.0.min(lo);
                p.segs.1 = p.segs.1.max(hi);
            }
        }
        // Each node's candidates, ending ones first, each part by position: placed in
        // insertion order, then sorted once here (sorting on insert would be quadratic for
        // many candidates per node). Positions differ, so the order is total and an
        // unstable sort (which allocates nothing) gives what a stable one would.
        self.terms
            .sort_unstable_by_key(|&(node, open, t)| (node, open, t.pos));
        let mut words: Vec<u32> = Vec::with_capacity(total + self.inline.len());
        words.extend(self.regex.iter().flatten());
        let mut tails = Vec::new();
        let mut terms = self.terms.iter();
        // Where the next candidate's inline conditions go, after the records.
        let mut cond_at = total;
        let inline_at = |t: &Term, cond_at: usize| {
            (t.inline.0 != NONE && cond_at + (t.inline.1 as usize) < INLINE_END).then_some(cond_at)
        };
        for (n, f) in self.nodes.iter().zip(&info) {
            let lo = f.segs.0.min(u32::from(u16::MAX));
            let hi = f.segs.1.min(u32::from(u16::MAX));
            let param = info.get(n.param as usize).map_or(NONE, |p| p.at);
            words.extend_from_slice(&[
                n.lits.len() as u32,
                n.end_len,
                n.open_len,
                param,
                n.min_pos,
                f.up,
                f.depth,
                lo | hi << 16,
                0,
            ]);
            n.lits.freeze_into(&mut words, &mut tails, |c| {
                info.get(c as usize).map(|c| c.at)
            });
            n.lits.table_into(&mut words);
            words[f.at as usize + H_TERMS] = (words.len() - f.at as usize) as u32;
            for &(_, _, t) in terms.by_ref().take((n.end_len + n.open_len) as usize) {
                let mut flags = if t.free { FREE } else { 0 } | if t.prefix { PREFIX } else { 0 };
                if let Some(at) = inline_at(&t, cond_at) {
                    flags |= INLINE | (at as u32) << INLINE_SHIFT;
                    cond_at += t.inline.1 as usize;
                }
                words.extend_from_slice(&[t.pos, t.id, flags]);
            }
        }
        debug_assert_eq!(words.len(), total);
        // The inline conditions, in the order their offsets were given above.
        let mut cond_at = total;
        for (_, _, t) in &self.terms {
            if inline_at(t, cond_at).is_some() {
                let (a, n) = (t.inline.0 as usize, t.inline.1 as usize);
                words.extend_from_slice(self.inline.get(a..a + n).unwrap_or_default());
                cond_at += n;
            }
        }
        debug_assert_eq!(words.len(), cond_at);
        PathIndex {
            root: (REGEX_WORDS * self.regex.len()) as u32,
            #[cfg(test)]
            records: total as u32,
            words: words.into_boxed_slice(),
            tails: tails.into_boxed_slice(),
        }
    }
}

impl PathIndex {
    /// The node whose record starts at word `at`.
    #[inline(always)]
    fn node(&self, at: usize) -> Option<Node<'_>> {
        let h = self.words.get(at..at + HEAD)?.try_into().ok()?;
        Some(Node { at, h })
    }

    /// The candidates ending at `n`.
    #[inline]
    fn end(&self, n: Node<'_>) -> &[u32] {
        let at = n.terms_at();
        self.words
            .get(at..at + TERM_WORDS * n.end_len() as usize)
            .unwrap_or_default()
    }

    /// The open candidates of `n`.
    #[inline]
    fn open(&self, n: Node<'_>) -> &[u32] {
        let at = n.terms_at() + TERM_WORDS * n.end_len() as usize;
        self.words
            .get(at..at + TERM_WORDS * n.open_len() as usize)
            .unwrap_or_default()
    }

    /// The smallest-position candidate below `bound` whose path matches `path` and for which
    /// `ok` holds (asked only of candidates with conditions, with their match id and their
    /// inline conditions, [`Check::Inline`]): `(position, match id)`.
    #[inline]
    pub(crate) fn best<F: FnMut(u32, Option<&[u32]>) -> bool>(
        &self,
        path: &str,
        bound: u32,
        ok: &mut F,
    ) -> Option<(u32, u32)> {
        let mut s = Search {
            limit: bound,
            best: NONE,
            ok,
            words: &self.words,
        };
        let p = path.as_bytes();
        cost::walk();
        match p.first() {
            // Unbounded, the walk needs no pruning until its last node (below).
            Some(b'/') if bound == NONE => self.walk(p, &mut s),
            Some(b'/') => self.search(p, self.root(), 1, &mut s),
            // Only PathPrefix `/` (open at the root) matches the empty path.
            None => {
                if let Some(root) = self.node(self.root()) {
                    s.consider(self.open(root), || false);
                }
            }
            Some(_) => {}
        }
        (s.best != NONE).then_some((s.limit, s.best))
    }

    /// The common case: follows the one branch the path allows while no node offers a
    /// choice. Node `node`'s remaining path starts at `off` in `p` (just after the `/` that
    /// ends its segment); `off == p.len() + 1` means the path ended exactly at the node. At the
    /// first node with open candidates, or whose segment both a literal and `[^/]+` accept, the
    /// rest of the search goes to [`Self::search`].
    ///
    /// Only for an unbounded search (`s.limit == NONE`): the limit cannot change before the
    /// walk's last node, so no node is pruned by position on the way (every node but an
    /// empty index's root has a candidate below it).
    #[inline]
    fn walk<F: FnMut(u32, Option<&[u32]>) -> bool>(&self, p: &[u8], s: &mut Search<'_, F>) {
        let (mut node, mut off) = (self.root(), 1usize);
        cost::node();
        loop {
            let Some(n) = self.node(node) else {
                return;
            };
            if off > p.len() {
                return self.ended(n, s);
            }
            if n.open_len() > 0 {
                return self.search(p, node, off, s);
            }
            let (len, key) = segment_at(p, off);
            cost::bytes(len);
            let lit = self.lit(n, PathSeg { p, off, len, key });
            let param = if len > 0 { n.param() } else { NONE };
            match (lit, param) {
                (Some(c), NONE) => node = c as usize,
                (None, NONE) => return,
                (None, p) => node = p as usize,
                (Some(_), _) => return self.search(p, node, off, s),
            }
            off += len + 1;
            cost::node();
        }
    }

    /// The path ended exactly at `n`: its ending candidates, then (when it has any) its open
    /// ones.
    #[inline]
    fn ended<F: FnMut(u32, Option<&[u32]>) -> bool>(&self, n: Node<'_>, s: &mut Search<'_, F>) {
        s.consider_end(self.end(n));
        if n.open_len() > 0 {
            s.consider(self.open(n), || false);
        }
    }

    /// The literal child of `n` for segment `seg`.
    #[inline]
    fn lit(&self, n: Node<'_>, seg: PathSeg<'_>) -> Option<u32> {
        let len = n.lit_len() as usize;
        if len == 0 {
            // `[^/]+` alone (a template's parameter), or a leaf.
            return None;
        }
        let at = n.lits_at();
        if len <= 8 {
            let lits = self.words.get(at..at + LIT_WORDS * len).unwrap_or_default();
            return scan_lits(lits, &self.tails, seg);
        }
        probe_lits(&self.words, at, len, n.table_at(), &self.tails, seg)
    }

    /// Depth-first search of the subtree of `top` (remaining path at `off`): literal child,
    /// then `[^/]+` child, then the node's open candidates (weighed after the deeper, better
    /// placed ones), pruning subtrees whose smallest position cannot beat the best so far.
    ///
    /// Iterative, in constant space: it backtracks through [`Node::up`] links, so no
    /// configuration can overflow a stack. All nodes at one depth share their offset in the
    /// path, so the offsets of the first [`MEMO`] depths below `top` are remembered: each of
    /// those segments is scanned once per lookup however many nodes share it; deeper ones are
    /// scanned forward per node entered and backward per jump up. The last newline is looked
    /// for once. Each node is entered at most once (the trie is a tree and a depth fixes the
    /// segment).
    ///
    /// Kept as one function (about 100 lines): it is a single state machine whose descent and
    /// backtracking share `node`, `off` and the offset memo and jump into each other
    /// (`continue 'down`); split into helpers, that state would be threaded through calls on
    /// the hottest path of a lookup.
    #[inline(never)]
    fn search<F: FnMut(u32, Option<&[u32]>) -> bool>(
        &self,
        p: &[u8],
        top: usize,
        off: usize,
        s: &mut Search<'_, F>,
    ) {
        let Some(base) = self.node(top).map(|n| n.depth() as usize) else {
            return;
        };
        // offs[d]: offset of the nodes at depth `base + d` (valid up to `known`).
        let mut offs = [0u32; MEMO];
        let mut known = 0usize;
        offs[0] = off as u32;
        // The last newline in `p`, looked for on first need.
        let mut newline = None;
        // Segments of the request: a node at depth `d` has `segs - d` left to match.
        cost::bytes(p.len());
        let segs = u32::try_from(memchr::memchr_iter(b'/', p).count()).unwrap_or(u32::MAX);
        let (mut node, mut off) = (top, off);
        'down: loop {
            let Some(n) = self.node(node) else {
                return;
            };
            if n.min_pos() < s.limit && n.fits(segs) {
                match p.get(off..) {
                    None => {
                        s.consider_end(self.end(n));
                        s.consider(self.open(n), || false);
                    }
                    Some(r) => {
                        let depth = n.depth() as usize - base;
                        let (len, k) = if depth < known {
                            let len = offs[depth + 1] as usize - off - 1;
                            (len, key_at(r, len))
                        } else {
                            let (len, k) = next_segment(r);
                            cost::bytes(len);
                            if depth == known && depth + 1 < MEMO && off + len < u32::MAX as usize {
                                offs[depth + 1] = (off + len + 1) as u32;
                                known = depth + 1;
                            }
                            (len, k)
                        };
                        let seg = PathSeg {
                            p,
                            off,
                            len,
                            key: k,
                        };
                        if let Some(c) = self.lit(n, seg) {
                            (node, off) = (c as usize, off + len + 1);
                            cost::node();
                            continue 'down;
                        }
                        if len > 0 && n.param() != NONE {
                            (node, off) = (n.param() as usize, off + len + 1);
                            cost::node();
                            continue 'down;
                        }
                        s.consider(self.open(n), || has_newline(p, off, &mut newline));
                    }
                }
            }
            // Jump up until a node has something left to try.
            loop {
                if node == top {
                    return;
                }
                cost::up();
                let Some(x) = self.node(node) else {
                    return;
                };
                let (a, via_lit) = (x.up() & !VIA_LIT, x.up() & VIA_LIT != 0);
                let Some(n) = self.node(a as usize).filter(|n| n.depth() as usize >= base) else {
                    return;
                };
                let (from, to) = (x.depth() as usize - base, n.depth() as usize - base);
                // Offsets of the ancestor's depth and of the next one.
                let (at, next) = if to < known {
                    (offs[to] as usize, offs[to + 1] as usize)
                } else {
                    let next = back(p, off, from - to - 1);
                    (back(p, next, 1), next)
                };
                (node, off) = (a as usize, at);
                // (It fitted `segs` on the way down.)
                if n.min_pos() >= s.limit {
                    continue;
                }
                // Came from the literal child: the `[^/]+` child is next (non-empty segment).
                if via_lit && n.param() != NONE && next > at + 1 {
                    (node, off) = (n.param() as usize, next);
                    cost::node();
                    continue 'down;
                }
                s.consider(self.open(n), || has_newline(p, at, &mut newline));
            }
        }
    }

    /// `(regex, match id, position, lead)` of the candidates matched outside the trie, by
    /// position ([`REGEX_WORDS`] each; the lead from [`REGEX_LEAD`] on)
    /// ([`PathIndexBuilder::insert_regex`]).
    #[inline]
    pub(crate) fn regex(&self) -> &[[u32; REGEX_WORDS]] {
        self.words
            .get(..self.root as usize)
            .unwrap_or_default()
            .as_chunks::<REGEX_WORDS>()
            .0
    }

    /// Whether the hostname has candidates matched outside the trie ([`PathIndex::regex`]).
    #[inline(always)]
    pub(crate) fn has_regex(&self) -> bool {
        self.root != 0
    }

    /// Where the root's record starts: after the regex entries.
    #[inline(always)]
    fn root(&self) -> usize {
        self.root as usize
    }

    /// Number of nodes (for tests): records walked from the first.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let (mut at, mut n) = (self.root(), 0);
        while let Some(node) = self.node(at).filter(|_| at < self.records as usize) {
            at = node.terms_at() + TERM_WORDS * (node.end_len() + node.open_len()) as usize;
            n += 1;
        }
        n
    }
}

/// Depths below the first branching node whose path offsets a search remembers.
const MEMO: usize = 64;

/// The offset `steps` segments above offset `off` of `p` (each segment starts after the `/`
/// before it; the path starts with `/`).
#[inline]
fn back(p: &[u8], off: usize, steps: usize) -> usize {
    if steps == 0 {
        return off;
    }
    // A plain loop: segments are short, and a `memrchr` call per segment costs more.
    let (mut end, mut left) = (off.saturating_sub(1), steps);
    while end > 0 {
        end -= 1;
        if p.get(end) == Some(&b'/') {
            left -= 1;
            if left == 0 {
                break;
            }
        }
    }
    cost::bytes(off - end);
    end + 1
}

/// Whether `p[off..]` holds a newline, given the memo `last` of the last newline's index
/// (`None`: not looked for yet).
#[inline]
fn has_newline(p: &[u8], off: usize, last: &mut Option<Option<usize>>) -> bool {
    let last = *last.get_or_insert_with(|| {
        cost::bytes(p.len());
        memchr::memrchr(b'\n', p)
    });
    last.is_some_and(|i| i >= off)
}

/// The state of one lookup: the best position so far (`limit`), its match id, and the
/// caller's condition check.
struct Search<'a, F> {
    limit: u32,
    best: u32,
    ok: &'a mut F,
    /// The index's words, where inline conditions are.
    words: &'a [u32],
}

impl<F: FnMut(u32, Option<&[u32]>) -> bool> Search<'_, F> {
    /// [`Search::consider`] for candidates that end at their node (no `(/.*)?`, so no
    /// newline to ask about). `list`: frozen candidates, [`TERM_WORDS`] each.
    #[inline(always)]
    fn consider_end(&mut self, list: &[u32]) {
        for &[pos, id, flags] in list.as_chunks::<TERM_WORDS>().0 {
            if pos >= self.limit {
                return;
            }
            cost::term();
            if flags & FREE != 0 || self.holds(id, flags) {
                self.limit = pos;
                self.best = id;
                return;
            }
        }
    }

    /// Asks the caller's check about candidate `id` with flags `flags` (with its inline
    /// conditions, if any).
    #[inline(always)]
    fn holds(&mut self, id: u32, flags: u32) -> bool {
        let inline = if flags & INLINE != 0 {
            self.words.get((flags >> INLINE_SHIFT) as usize..)
        } else {
            None
        };
        (self.ok)(id, inline)
    }

    /// Takes the first candidate of `list` below `limit` that matches and holds. `newline`
    /// tells whether what follows the node's segment holds a newline, which a template's
    /// `(/.*)?` refuses (asked at most once, only for such a template).
    #[inline(always)]
    fn consider(&mut self, list: &[u32], mut newline: impl FnMut() -> bool) {
        let mut nl = None;
        for &[pos, id, flags] in list.as_chunks::<TERM_WORDS>().0 {
            if pos >= self.limit {
                return;
            }
            cost::term();
            if flags & PREFIX == 0 && *nl.get_or_insert_with(&mut newline) {
                continue;
            }
            if flags & FREE != 0 || self.holds(id, flags) {
                self.limit = pos;
                self.best = id;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::template;
    use proptest::prelude::*;

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
            t.insert(&segs, tail, i as u32, i as u32, Check::Ask);
        }
        t.build()
    }

    /// Every candidate that matches `path`, best first (by asking `ok` to refuse each).
    fn all(t: &PathIndex, path: &str) -> Vec<u32> {
        let mut out = Vec::new();
        while let Some((_, id)) = t.best(path, u32::MAX, &mut |id, _| !out.contains(&id)) {
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

    /// The frozen layout, word by word: a node's header is 36 bytes (issue #20, item 3: 44
    /// as a struct with its array offsets), a literal 24, a candidate 12, and a node's
    /// record holds its literals, then its candidates.
    #[test]
    fn record_layout() {
        let t = index(&[
            ("exact", "/a"),
            ("prefix", "/b"),
            ("exact", "/a"),
            ("exact", "/a/c"),
        ]);
        // Root: header and two literals; `a`: header, one literal, two candidates; `b` and
        // `a/c`: header and one candidate.
        let root = HEAD + 2 * LIT_WORDS;
        let a = HEAD + LIT_WORDS + 2 * TERM_WORDS;
        let b = HEAD + TERM_WORDS;
        assert_eq!((HEAD, root, a, b), (9, 21, 21, 12));
        assert_eq!(t.words.len(), root + a + 2 * b);
        let r = t.node(0).unwrap();
        assert_eq!((r.lit_len(), r.end_len(), r.open_len()), (2, 0, 0));
        assert_eq!(r.terms_at(), root);
        let n = t.node(root).unwrap();
        assert_eq!(
            (n.lit_len(), n.end_len(), n.open_len(), n.depth()),
            (1, 2, 0, 1)
        );
        assert_eq!(n.terms_at(), root + HEAD + LIT_WORDS);
        // Candidates by position: (position, match id, flags).
        assert_eq!(t.end(n), &[0, 0, 0, 2, 2, 0]);
        let n = t.node(root + a).unwrap();
        assert_eq!(t.open(n), &[1, 1, PREFIX]);
        let c = t.node(root + a + b).unwrap();
        assert_eq!((t.end(c), c.depth()), (&[3, 3, 0][..], 2));
        assert_eq!(t.len(), 4);
    }

    /// Inline conditions reach the check with the candidate, at the offset its flags give,
    /// after the records; the regex entries come first and the root after them.
    #[test]
    fn inline_conditions_and_regexes_in_the_words() {
        let mut b = PathIndexBuilder::default();
        b.insert_regex(7, 70, 0, Lead::default());
        b.insert_regex(8, 80, 3, Lead::of(b"/x/"));
        let segs = literal_segments("/a", Tail::End);
        b.insert(&segs, Tail::End, 1, 10, Check::Inline(&[5, 6]));
        b.insert(&segs, Tail::End, 2, 20, Check::Ask);
        b.insert(&segs, Tail::End, 4, 40, Check::Inline(&[9]));
        let segs = literal_segments("/b", Tail::Prefix);
        b.insert(&segs, Tail::Prefix, 5, 50, Check::Free);
        let t = b.build();
        let slash_x = u32::from_le_bytes(*b"/x/\0");
        assert_eq!(
            t.regex(),
            &[[7, 70, 0, 0, 0, 0, 0, 0], [8, 80, 3, 3, slash_x, 0, 0, 0]]
        );
        assert_eq!(t.root(), 2 * REGEX_WORDS);
        assert_eq!(t.len(), 3);
        // Each check sees its own words first.
        let mut seen = Vec::new();
        let got = t.best("/a", u32::MAX, &mut |id, w| {
            seen.push((id, w.map(|w| w[..2.min(w.len())].to_vec())));
            false
        });
        assert_eq!(got, None);
        assert_eq!(
            seen,
            [(10, Some(vec![5, 6])), (20, None), (40, Some(vec![9]))]
        );
        assert_eq!(t.words.len(), t.records as usize + 3);
        assert_eq!(t.best("/b/c", u32::MAX, &mut |_, _| false), Some((5, 50)));
        assert_eq!(t.best("/a", u32::MAX, &mut |id, _| id == 40), Some((4, 40)));
    }

    /// Segment counts beyond 16 bits are stored saturated: candidates deeper than 65,535
    /// segments are still found, and nothing shallower is pruned wrongly.
    #[test]
    fn deep_candidates_beyond_sixteen_bit_counts() {
        let deep = "/a".repeat(70_000);
        let deeper = format!("{deep}/b");
        let t = index(&[("exact", &deep), ("prefix", &deeper), ("exact", "/a/a")]);
        assert_eq!(all(&t, &deep), vec![0]);
        assert_eq!(all(&t, &format!("{deeper}/c")), vec![1]);
        assert_eq!(all(&t, "/a/a"), vec![2]);
        assert_eq!(all(&t, &"/a".repeat(65_540)), Vec::<u32>::new());
        assert_eq!(all(&t, &"/a".repeat(69_999)), Vec::<u32>::new());
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
        assert_eq!(t.best("/a/b/c", u32::MAX, &mut |_, _| true), Some((0, 0)));
        assert_eq!(
            t.best("/a/b/c", u32::MAX, &mut |id, _| id != 0),
            Some((1, 1))
        );
        assert_eq!(
            t.best("/a/b/c", u32::MAX, &mut |id, _| id > 1),
            Some((2, 2))
        );
        assert_eq!(
            t.best("/a/x/c", u32::MAX, &mut |id, _| id > 0),
            Some((3, 3))
        );
        assert_eq!(t.best("/a/b/c", 0, &mut |_, _| true), None);
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

    /// A candidate for the brute-force checks: segments, tail, position, conditions-free.
    type Cand = (Vec<Seg<'static>>, Tail, u32, bool);

    /// Whether candidate `c` matches `path`, straight from the semantics in the module docs.
    fn brute_match(c: &Cand, path: &str) -> bool {
        let (segs, tail) = (&c.0, c.1);
        let Some(rest) = path.strip_prefix('/') else {
            // The empty path: only what is open at the root (`/` prefix, `(/.*)?`).
            return path.is_empty() && segs.is_empty() && tail != Tail::End;
        };
        let req: Vec<&str> = rest.split('/').collect();
        let head_ok = segs.len() <= req.len()
            && segs.iter().zip(&req).all(|(s, r)| match s {
                Seg::Lit(l) => l == r,
                Seg::Param => !r.is_empty(),
            });
        match tail {
            Tail::End => head_ok && segs.len() == req.len(),
            Tail::Prefix => head_ok,
            Tail::Rest => {
                head_ok && (segs.len() == req.len() || !req[segs.len()..].join("/").contains('\n'))
            }
        }
    }

    /// Trie nodes consistent with `path`: distinct segment prefixes of the candidates that the
    /// path's first segments match (the walk may enter each at most once).
    fn consistent_nodes(cands: &[Cand], path: &str) -> usize {
        let Some(rest) = path.strip_prefix('/') else {
            return usize::from(path.is_empty());
        };
        let req: Vec<&str> = rest.split('/').collect();
        let mut seen = std::collections::HashSet::new();
        for (segs, ..) in cands {
            for d in 0..=segs.len().min(req.len()) {
                let ok = segs[..d].iter().zip(&req).all(|(s, r)| match s {
                    Seg::Lit(l) => l == r,
                    Seg::Param => !r.is_empty(),
                });
                if !ok {
                    break;
                }
                seen.insert(segs[..d].to_vec());
            }
        }
        seen.len().max(1)
    }

    fn build(cands: &[Cand]) -> PathIndex {
        let mut b = PathIndexBuilder::default();
        for (id, (segs, tail, pos, free)) in cands.iter().enumerate() {
            b.insert(
                segs,
                *tail,
                *pos,
                id as u32,
                if *free { Check::Free } else { Check::Ask },
            );
        }
        b.build()
    }

    fn arb_seg() -> impl Strategy<Value = Seg<'static>> {
        prop_oneof![
            3 => Just(Seg::Param),
            6 => prop::sample::select(vec![
                "a", "b", "", "x\n", "abcdefghij", "abcdefghijklmnopqrstu", "abcdefghijklmnopqrstv",
                "l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9",
            ])
            .prop_map(|l| Seg::Lit(l.into())),
        ]
    }

    fn arb_cands() -> impl Strategy<Value = Vec<Cand>> {
        prop::collection::vec(
            (
                prop::collection::vec(arb_seg(), 0..6),
                prop::sample::select(vec![Tail::End, Tail::Prefix, Tail::Rest]),
                any::<bool>(),
            ),
            1..40,
        )
        .prop_flat_map(|v| {
            let n = v.len();
            (
                Just(v),
                Just((0..n as u32).collect::<Vec<_>>()).prop_shuffle(),
            )
        })
        .prop_map(|(v, pos)| {
            v.into_iter()
                .zip(pos)
                .map(|((segs, tail, free), p)| (segs, tail, p, free))
                .collect()
        })
    }

    fn arb_path() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => Just(String::new()),
            1 => Just("a/b".to_string()),
            12 => prop::collection::vec(
                prop::sample::select(vec![
                    "a", "b", "", "x\n", "zz", "abcdefghij", "abcdefghijklmnopqrstu",
                    "abcdefghijklmnopqrstw", "l3", "l9", "l10",
                ]),
                1..8,
            )
            .prop_map(|segs| format!("/{}", segs.join("/"))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Random configurations and requests: the walk finds the best accepted candidate of a
        /// brute-force match, and stays within its work budget (SECURITY.md, "Path-trie
        /// walk"): nodes entered <= trie nodes consistent with the path, one step up per node
        /// entered, each candidate looked at once, path bytes scanned <= 4 x path length.
        #[test]
        fn walk_is_right_and_within_budget(
            cands in arb_cands(),
            path in arb_path(),
            refused in prop::collection::vec(any::<bool>(), 40),
        ) {
            let ix = build(&cands);
            let ok = |id: u32| !refused[id as usize];
            let want = cands
                .iter()
                .enumerate()
                .filter(|(id, c)| brute_match(c, &path) && (c.3 || ok(*id as u32)))
                .map(|(id, c)| (c.2, id as u32))
                .min();
            cost::take();
            let got = ix.best(&path, u32::MAX, &mut |id, _| ok(id));
            let c = cost::take();
            prop_assert_eq!(got, want);
            let budget = consistent_nodes(&cands, &path) as u64;
            prop_assert!(c.nodes <= budget, "{c:?} > {budget} nodes");
            prop_assert!(c.ups <= c.nodes, "{c:?}");
            prop_assert!(c.terms <= cands.len() as u64, "{c:?}");
            prop_assert!(c.bytes <= 4 * path.len() as u64, "{c:?} for {} bytes", path.len());
        }
    }

    fn arb_deep_cands() -> impl Strategy<Value = Vec<Cand>> {
        let seg = prop_oneof![
            1 => Just(Seg::Param),
            4 => Just(Seg::Lit("a".into())),
            1 => Just(Seg::Lit("b".into())),
        ];
        prop::collection::vec(
            (
                prop::collection::vec(seg, 60..90),
                prop::sample::select(vec![Tail::End, Tail::Prefix, Tail::Rest]),
                any::<bool>(),
            ),
            1..12,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (segs, tail, free))| (segs, tail, (i as u32 * 7919) % 101, free))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Tries deeper than the remembered offsets (64 levels): same answers as brute force,
        /// nodes entered <= consistent nodes, one step up per node entered.
        #[test]
        fn deep_walk_is_right(
            cands in arb_deep_cands(),
            segs in prop::collection::vec(prop::sample::select(vec!["a", "b", "", "ab"]), 55..95),
            refused in prop::collection::vec(any::<bool>(), 12),
        ) {
            // Mostly `a`, so that paths follow the candidates deep into the trie.
            let path: String = segs
                .iter()
                .enumerate()
                .map(|(i, s)| if i % 7 == 3 { format!("/{s}") } else { "/a".to_string() })
                .collect();
            let ix = build(&cands);
            let ok = |id: u32| !refused[id as usize];
            let want = cands
                .iter()
                .enumerate()
                .filter(|(id, c)| brute_match(c, &path) && (c.3 || ok(*id as u32)))
                .map(|(id, c)| (c.2, id as u32))
                .min();
            cost::take();
            let got = ix.best(&path, u32::MAX, &mut |id, _| ok(id));
            let c = cost::take();
            prop_assert_eq!(got, want);
            prop_assert!(c.nodes <= consistent_nodes(&cands, &path) as u64, "{c:?}");
            prop_assert!(c.ups <= c.nodes, "{c:?}");
        }
    }

    /// A trie as deep as the longest allowed path, every level a choice (open candidates and
    /// a `[^/]+` sibling): the walk goes to the bottom and back on a 64 KiB stack. The
    /// recursive walk overflowed it (issue #15, finding 7: an abort, not a panic).
    #[test]
    fn deep_walk_on_small_stack() {
        const DEPTH: usize = 4000;
        let mut cands: Vec<Cand> = Vec::new();
        for d in 0..=DEPTH {
            let lits = vec![Seg::Lit("a".into()); d];
            cands.push((lits.clone(), Tail::Prefix, (DEPTH - d) as u32, false));
            if d > 0 {
                let mut p = lits.clone();
                p[d - 1] = Seg::Param;
                cands.push((p, Tail::End, (2 * DEPTH + d) as u32, false));
            }
        }
        let ix = build(&cands);
        let path = "/a".repeat(DEPTH);
        // Only the root prefix (the worst position) is accepted: every level is visited.
        let root = cands.iter().position(|c| c.0.is_empty()).unwrap() as u32;
        let got = std::thread::scope(|sc| {
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn_scoped(sc, || {
                    cost::take();
                    let r = ix.best(&path, u32::MAX, &mut |id, _| id == root);
                    (r, cost::take())
                })
                .unwrap()
                .join()
                .unwrap()
        });
        assert_eq!(got.0, Some((DEPTH as u32, root)));
        let c = got.1;
        // The `a` chain and the `[^/]+` leaf beside each link.
        assert_eq!(c.nodes, 2 * DEPTH as u64 + 1, "{c:?}");
        // Below the remembered depths, each node entered scans its segment (here `a` and its
        // `/`) forward and each jump up scans back over the segments it climbs.
        let budget = 4 * path.len() as u64 + 2 * (c.nodes + c.ups) * 2;
        assert!(c.bytes <= budget, "{c:?} > {budget}");
        assert!(c.ups <= c.nodes, "{c:?}");
    }

    /// Issue #15, finding 6: 2^14 templates over {literal, `[^/]+`}^14 with a long last
    /// segment. Each of the 2^15 - 1 consistent nodes is entered once, and the long segment is
    /// scanned once, not once per node.
    #[test]
    fn binary_templates_bounded() {
        const D: usize = 14;
        let mut cands: Vec<Cand> = Vec::new();
        for mask in 0..1u32 << D {
            let segs = (0..D)
                .map(|i| {
                    if mask >> i & 1 == 1 {
                        Seg::Param
                    } else {
                        Seg::Lit("a".into())
                    }
                })
                .collect();
            cands.push((segs, Tail::Rest, mask, false));
        }
        let ix = build(&cands);
        let long = "b".repeat(8000);
        for path in [
            format!("{}/{long}", "/a".repeat(D - 1)),
            format!("{}/{long}/x", "/a".repeat(D - 1)),
        ] {
            cost::take();
            // Every template matches the first path; none is accepted.
            assert_eq!(ix.best(&path, u32::MAX, &mut |_, _| false), None);
            let c = cost::take();
            assert!(c.nodes < 1 << (D + 1), "{c:?}");
            assert!(c.terms <= 1 << D, "{c:?}");
            assert!(c.bytes <= 4 * path.len() as u64, "{c:?}");
        }
    }

    /// The same templates without `(/.*)?`: a path with one segment too many cannot match
    /// any, and the search stops at the first choice (remaining-segment ranges).
    #[test]
    fn segment_count_prunes() {
        const D: usize = 14;
        let cands: Vec<Cand> = (0..1u32 << D)
            .map(|mask| {
                let segs = (0..D)
                    .map(|i| match mask >> i & 1 {
                        1 => Seg::Param,
                        _ => Seg::Lit("a".into()),
                    })
                    .collect();
                (segs, Tail::End, mask, false)
            })
            .collect();
        let ix = build(&cands);
        let path = format!("{}/x", "/a".repeat(D));
        cost::take();
        assert_eq!(ix.best(&path, u32::MAX, &mut |_, _| true), None);
        let c = cost::take();
        assert_eq!((c.nodes, c.terms), (1, 0), "{c:?}");
        // One segment fewer: every template matches; the first accepted one wins.
        let path = "/a".repeat(D);
        assert_eq!(
            ix.best(&path, u32::MAX, &mut |id, _| id == 77),
            Some((77, 77))
        );
    }

    /// Issue #15, finding 3: 400,000 Exact paths under one node build in linear time (sorted
    /// inserts took 111 s in release) and are all found.
    #[test]
    fn many_children_under_one_node() {
        const N: usize = 400_000;
        let paths: Vec<String> = (0..N).map(|i| format!("/api/item-{i}")).collect();
        let mut b = PathIndexBuilder::default();
        for (i, path) in paths.iter().enumerate() {
            let segs = literal_segments(path, Tail::End);
            b.insert(&segs, Tail::End, i as u32, i as u32, Check::Free);
        }
        let ix = b.build();
        assert_eq!(ix.len(), N + 2);
        for i in (0..N).step_by(997).chain([N - 1]) {
            let p = format!("/api/item-{i}");
            assert_eq!(
                ix.best(&p, u32::MAX, &mut |_, _| true),
                Some((i as u32, i as u32))
            );
        }
        assert_eq!(ix.best("/api/item-x", u32::MAX, &mut |_, _| true), None);
    }
}
