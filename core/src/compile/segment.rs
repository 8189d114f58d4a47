//! Path segments for the tries: the next segment of a path and its 8-byte key in one word
//! scan, and literal children found by that key without a call to `memcmp`.

use crate::util::{equal_bytes, find_byte};
use std::borrow::Cow;

/// Literal children of a trie node while it is built, in insertion order, borrowed from the
/// path values where they can be. Up to [`SCAN`] are found by a scan; from then on a hash
/// map from literal to child is kept too, so that a node with many children is built in
/// linear time (a sorted `Vec` made 400,000 children under one node quadratic: issue #15,
/// finding 3). Most nodes have a few children: they allocate no map and no copies of their
/// literals (issue #20, item 4).
#[derive(Debug, Default)]
pub(crate) struct LitsBuilder<'a> {
    items: Vec<(u64, Cow<'a, str>, u32)>,
    index: rustc_hash::FxHashMap<Cow<'a, str>, u32>,
}

/// Literals of a [`LitsBuilder`] found by a scan, without a hash map.
const SCAN: usize = 8;

impl<'a> LitsBuilder<'a> {
    /// The child for `seg`.
    pub(crate) fn find(&self, seg: &str) -> Option<u32> {
        if self.items.len() <= SCAN {
            let k = key(seg.as_bytes());
            return self
                .items
                .iter()
                .find(|(key, l, _)| *key == k && **l == *seg)
                .map(|&(_, _, child)| child);
        }
        self.index.get(seg).copied()
    }

    /// Adds literal `lit` with child `child` (the caller checked it is absent).
    pub(crate) fn insert(&mut self, lit: Cow<'a, str>, child: u32) {
        self.items.push((key(lit.as_bytes()), lit.clone(), child));
        match self.items.len() {
            n if n <= SCAN => {}
            n if n == SCAN + 1 => {
                self.index.reserve(2 * n);
                for (_, l, c) in &self.items {
                    self.index.insert(l.clone(), *c);
                }
            }
            _ => {
                self.index.insert(lit, child);
            }
        }
    }

    /// Number of literals.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Appends the frozen literals to `out`: [`LIT_WORDS`] words per literal (its child
    /// mapped by `child`); the bytes after the first eight of literals longer than sixteen go
    /// to `tails`. Their hash table, if any, is appended apart ([`Self::table_into`]).
    pub(crate) fn freeze_into(
        &self,
        out: &mut Vec<u32>,
        tails: &mut Vec<u8>,
        child: impl Fn(u32) -> Option<u32>,
    ) {
        for (k, l, c) in &self.items {
            let l = l.as_bytes();
            let last = if l.len() > 16 {
                let at = tails.len() as u64;
                tails.extend_from_slice(&l[8..]);
                at
            } else {
                last_word(l)
            };
            out.extend_from_slice(&[
                *k as u32,
                (*k >> 32) as u32,
                l.len() as u32,
                child(*c).unwrap_or(u32::MAX),
                last as u32,
                (last >> 32) as u32,
            ]);
        }
    }

    /// Appends the hash table of the literals for more than eight ([`table_len`] words, none
    /// for fewer): slot value `i + 1` for the `i`th literal, 0 when empty.
    pub(crate) fn table_into(&self, out: &mut Vec<u32>) {
        let size = table_len(self.items.len());
        if size > 0 {
            let table = out.len();
            out.resize(table + size, 0);
            for (i, (k, bytes, _)) in self.items.iter().enumerate() {
                let b = bytes.as_bytes();
                let mut at = slot(*k, last_word(b), b.len(), size);
                while out[table + at] != 0 {
                    at = (at + 1) & (size - 1);
                }
                out[table + at] = i as u32 + 1;
            }
        }
    }
}

/// Hash-table slots of a node with `n` literal children: none up to eight (a scan is faster),
/// else a power of two at least twice `n` (linear probing stays short).
#[inline]
pub(crate) fn table_len(n: usize) -> usize {
    if n <= 8 {
        0
    } else {
        (2 * n).next_power_of_two()
    }
}

/// The home slot of a literal in a table of `size` slots, from the words a lookup has at hand.
#[inline]
fn slot(key: u64, last: u64, len: usize, size: usize) -> usize {
    let h = (key ^ last.rotate_left(29) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 32) as usize & (size - 1)
}

/// Words of a frozen literal child (24 bytes): the word of its first eight bytes (two
/// words), its length, its child, and either the word of its last eight bytes (9 to 16 bytes
/// long) or where its bytes after the first eight are in the tail buffer (longer literals)
/// (two words).
pub(crate) const LIT_WORDS: usize = 6;

/// The 64-bit word of two 32-bit halves, low first.
#[inline(always)]
fn wide(lo: u32, hi: u32) -> u64 {
    u64::from(lo) | u64::from(hi) << 32
}

/// The last eight bytes of `s` (at least nine long) as a word; 0 for shorter ones.
#[inline]
fn last_word(s: &[u8]) -> u64 {
    match s.len().checked_sub(8) {
        Some(at) if at > 0 => u64::from_le_bytes(s[at..].try_into().unwrap_or([0; 8])),
        _ => 0,
    }
}

/// One segment of a request path, `p[off..off + len]`, with its [`key`]: its bytes are only
/// sliced out for the rare literal longer than eight bytes, so that a lookup builds no slice
/// (and pays no bounds check) per segment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PathSeg<'a> {
    /// The whole path.
    pub(crate) p: &'a [u8],
    /// Where the segment starts in `p`.
    pub(crate) off: usize,
    /// Its length.
    pub(crate) len: usize,
    /// Its first eight bytes as a word.
    pub(crate) key: u64,
}

impl PathSeg<'_> {
    /// Its last eight bytes as a word when it has more than eight, else 0 (like
    /// `last_word`).
    #[inline]
    fn last(&self) -> u64 {
        if self.len > 8 {
            word_at(self.p, self.off + self.len - 8)
        } else {
            0
        }
    }
}

/// The child among `lits` (one node's frozen literals, [`LIT_WORDS`] each, at most eight:
/// no hash table) for segment `seg`. Integer comparisons only, bytes compared just for
/// literals over sixteen bytes.
#[inline]
pub(crate) fn scan_lits(lits: &[u32], tails: &[u8], seg: PathSeg<'_>) -> Option<u32> {
    lits.as_chunks::<LIT_WORDS>()
        .0
        .iter()
        .find(|l| {
            wide(l[0], l[1]) == seg.key && l[2] as usize == seg.len && same_lit(l, tails, seg)
        })
        .map(|l| l[3])
}

/// The child for segment `seg` of a node with more than eight literals: its `len` frozen
/// literals start at word `at` of `words`, their hash table at word `table`. Slots are read
/// one at a time, each bounds-checked, so that no slice of the table is built per lookup.
#[inline]
pub(crate) fn probe_lits(
    words: &[u32],
    at: usize,
    len: usize,
    table: usize,
    tails: &[u8],
    seg: PathSeg<'_>,
) -> Option<u32> {
    let mask = table_len(len) - 1;
    let lits = words
        .get(at..at + LIT_WORDS * len)?
        .as_chunks::<LIT_WORDS>()
        .0;
    let mut i = slot(seg.key, seg.last(), seg.len, mask + 1);
    loop {
        // Slot 0 is empty; literal `n` is the node's `n - 1`th.
        let n = (*words.get(table + i)? as usize).checked_sub(1)?;
        let l = lits.get(n)?;
        if wide(l[0], l[1]) == seg.key && l[2] as usize == seg.len && same_lit(l, tails, seg) {
            return Some(l[3]);
        }
        i = (i + 1) & mask;
    }
}

/// The child among the `n` frozen literals at the start of `words` (their table right
/// after them for more than eight) for segment `seg` whose [`key`] is `key`.
#[cfg(test)]
pub(crate) fn find_lit(words: &[u32], n: usize, tails: &[u8], seg: &[u8], key: u64) -> Option<u32> {
    let seg = PathSeg {
        p: seg,
        off: 0,
        len: seg.len(),
        key,
    };
    if n <= 8 {
        return scan_lits(words.get(..LIT_WORDS * n)?, tails, seg);
    }
    probe_lits(words, 0, n, LIT_WORDS * n, tails, seg)
}

/// Whether `l` (same key, same length) equals `seg`.
#[inline(always)]
fn same_lit(l: &[u32; LIT_WORDS], tails: &[u8], seg: PathSeg<'_>) -> bool {
    let n = seg.len;
    if n <= 8 {
        return true;
    }
    let last = wide(l[4], l[5]);
    if n <= 16 {
        return last == seg.last();
    }
    same_long_lit(last, tails, seg.p, seg.off, n)
}

/// [`same_lit`] for a literal over sixteen bytes: its bytes after the first eight, in the
/// tail buffer, against those of the segment `p[off..off + len]`. Out of line, so that the
/// slices it needs are not built (speculatively) on the common path; the segment comes as
/// scalars, so that no [`PathSeg`] is stored to memory for the call.
#[inline(never)]
fn same_long_lit(last: u64, tails: &[u8], p: &[u8], off: usize, len: usize) -> bool {
    let Ok(at) = usize::try_from(last) else {
        return false;
    };
    let seg = p.get(off..off.saturating_add(len)).unwrap_or_default();
    match (
        at.checked_add(len.saturating_sub(8))
            .and_then(|e| tails.get(at..e)),
        seg.get(8..),
    ) {
        (Some(t), Some(s)) => t.len() == s.len() && same_bytes(t, s),
        _ => false,
    }
}

/// The first eight bytes of `s` as a little-endian word, zero-padded.
pub(crate) fn key(s: &[u8]) -> u64 {
    s.iter()
        .take(8)
        .enumerate()
        .fold(0, |k, (i, &b)| k | u64::from(b) << (8 * i))
}

/// The [`key`] of the first `len` bytes of `r` (`len <= r.len()`), with one load when `r`
/// has eight bytes.
#[inline]
pub(crate) fn key_at(r: &[u8], len: usize) -> u64 {
    match r.get(..8) {
        Some(w) => {
            let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
            if len >= 8 {
                w
            } else {
                w & ((1u64 << (8 * len)) - 1)
            }
        }
        None => key(r.get(..len).unwrap_or_default()),
    }
}

/// The eight bytes of `p` at `at` as a little-endian word (`at + 8 <= p.len()`; zero
/// otherwise, which the callers never ask for).
#[inline(always)]
fn word_at(p: &[u8], at: usize) -> u64 {
    match p.get(at..at + 8) {
        Some(w) => u64::from_le_bytes(w.try_into().unwrap_or([0; 8])),
        None => 0,
    }
}

/// [`next_segment`] of `p[off..]` (`off <= p.len()`): eight bytes read at `off` when the
/// path has them (the common case, tested first); when fewer than eight bytes remain, the
/// word is read from the end of `p` and shifted (the shifted-in zero bytes are never `/`),
/// so short last segments need no byte loop.
#[inline]
pub(crate) fn segment_at(p: &[u8], off: usize) -> (usize, u64) {
    let n = p.len();
    if let Some(w) = p.get(off..).and_then(|r| r.get(..8)) {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        let t = equal_bytes(w, b'/');
        if t != 0 {
            let i = (t.trailing_zeros() / 8) as usize;
            return (i, w & ((1u64 << (8 * i)) - 1));
        }
        let rest = p.get(off + 8..).unwrap_or_default();
        return (8 + find_byte(rest, b'/').unwrap_or(rest.len()), w);
    }
    let left = n.wrapping_sub(off);
    if left > 0 && n >= 8 {
        let w = word_at(p, n - 8) >> (8 * (8 - left));
        let t = equal_bytes(w, b'/');
        if t != 0 {
            let i = (t.trailing_zeros() / 8) as usize;
            return (i, w & ((1u64 << (8 * i)) - 1));
        }
        return (left, w);
    }
    next_segment(p.get(off..).unwrap_or_default())
}

/// The length of the first segment of `r` (up to the first `/` or the end) and its [`key`],
/// reading eight bytes at a time.
#[inline]
pub(crate) fn next_segment(r: &[u8]) -> (usize, u64) {
    if let Some(w) = r.get(..8) {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        let t = equal_bytes(w, b'/');
        if t != 0 {
            let i = (t.trailing_zeros() / 8) as usize;
            return (i, w & ((1u64 << (8 * i)) - 1));
        }
        let tail = find_byte(&r[8..], b'/');
        return (8 + tail.unwrap_or(r.len() - 8), w);
    }
    let len = r.iter().position(|&b| b == b'/').unwrap_or(r.len());
    (len, key(&r[..len]))
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
    fn segment_at_equals_next_segment() {
        let paths = [
            "/",
            "/a",
            "/abcdefg",
            "/abcdefgh",
            "/abcdefghijklmnopqrstuvwxyz/b",
            "/users/p1/received_events/public",
            "/a//b/",
            "/0123456/01234567/012345678/x",
            "/repos/rust-lang/rust/issues/12345/comments",
        ];
        for p in paths {
            let b = p.as_bytes();
            for off in 0..=b.len() {
                assert_eq!(
                    segment_at(b, off),
                    next_segment(&b[off..]),
                    "{p:?} at {off}"
                );
            }
        }
    }

    /// A frozen literal is 24 bytes (issue #20, item 3; it was 32), its fields where the
    /// lookup reads them.
    #[test]
    fn lit_layout() {
        let mut l = LitsBuilder::default();
        l.insert("abcdefghij".into(), 7);
        let (mut words, mut tails) = (Vec::new(), Vec::new());
        l.freeze_into(&mut words, &mut tails, |c| Some(c * 10));
        assert_eq!(words.len() * 4, 24);
        assert_eq!(wide(words[0], words[1]), key(b"abcdefgh"));
        assert_eq!(&words[2..4], &[10, 70]);
        assert_eq!(wide(words[4], words[5]), last_word(b"abcdefghij"));
        assert!(tails.is_empty());
    }

    /// The builder finds its literals by a scan up to [`SCAN`] and through its map beyond,
    /// across the switch; literals sharing their first eight bytes are told apart.
    #[test]
    fn builder_finds_across_the_switch() {
        let words: Vec<String> = (0..40).map(|i| format!("segment_{i}")).collect();
        let mut l = LitsBuilder::default();
        for (n, w) in words.iter().enumerate() {
            assert_eq!(l.find(w), None, "{w} before its insertion");
            l.insert(Cow::Borrowed(w.as_str()), n as u32 * 3);
            assert_eq!(l.index.is_empty(), n < SCAN, "{n}");
            for (i, w) in words[..=n].iter().enumerate() {
                assert_eq!(l.find(w), Some(i as u32 * 3), "{w} after {n} insertions");
            }
            assert_eq!(l.find("segment_"), None);
            assert_eq!(l.find("segment_1x"), None);
        }
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

    /// The word scan agrees with a byte scan for every position of the first `/`, including
    /// bytes that are one more than `/` (`0`), which trip naive zero-byte tricks.
    #[test]
    fn segments() {
        let base: Vec<u8> = b"0a0b0c0d0e0f0g0h0i0j".to_vec();
        for len in 0..base.len() {
            for slash in 0..=len {
                let mut r = base[..len].to_vec();
                if slash < len {
                    r[slash] = b'/';
                }
                let want = r.iter().position(|&b| b == b'/').unwrap_or(r.len());
                assert_eq!(next_segment(&r), (want, key(&r[..want])), "{r:?}");
            }
        }
        assert_eq!(next_segment(b"\x2e/\x2f"), (1, 0x2e));
        for len in 0..base.len() {
            for cut in 0..=len {
                assert_eq!(key_at(&base[..len], cut), key(&base[..cut]), "{len} {cut}");
            }
        }
    }

    fn frozen(words: &[String]) -> (Vec<u32>, Vec<u8>, usize) {
        let mut l = LitsBuilder::default();
        for (i, w) in words.iter().enumerate() {
            l.insert(Cow::Borrowed(w), i as u32);
        }
        let (mut out, mut tails) = (Vec::new(), Vec::new());
        l.freeze_into(&mut out, &mut tails, Some);
        l.table_into(&mut out);
        assert_eq!(out.len(), LIT_WORDS * words.len() + table_len(words.len()));
        (out, tails, words.len())
    }

    fn get(f: &(Vec<u32>, Vec<u8>, usize), w: &str) -> Option<u32> {
        find_lit(&f.0, f.2, &f.1, w.as_bytes(), key(w.as_bytes()))
    }

    #[test]
    fn lits() {
        let words: Vec<String> = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefghj",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopqrstuvwxyz",
            "abcdefghijklm-opqrstuvwxyz",
            "repos",
            "users",
            "x",
            "y",
            "z",
        ]
        .map(String::from)
        .to_vec();
        let f = frozen(&words);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(get(&f, w), Some(i as u32), "{w}");
        }
        for w in [
            "b",
            "abc",
            "abcdefghk",
            "abcdefg",
            "repo",
            "\0",
            "a\0",
            "abcdefghijklmnoq",
            "abcdefghijklmnopr",
            "abcdefghijk-mnopqrstuvwxyz",
            "abcdefghijklmnopqrstuvwxy",
        ] {
            assert_eq!(get(&f, w), None, "{w}");
        }
        // Up to eight literals are scanned, without a table.
        let few: Vec<String> = words[..8].to_vec();
        let f = frozen(&few);
        assert_eq!(f.0.len(), LIT_WORDS * few.len());
        for (i, w) in few.iter().enumerate() {
            assert_eq!(get(&f, w), Some(i as u32), "{w}");
        }
        assert_eq!(get(&f, "repos"), None);
        assert_eq!(get(&f, "abcdefghk"), None);
        // Many literals sharing their first eight bytes.
        let mut words: Vec<String> = (0..100).map(|i| format!("book_id_{i}")).collect();
        words.extend((0..20).map(|i| format!("book_id_{i}_and_more_text_{i}")));
        let f = frozen(&words);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(get(&f, w), Some(i as u32), "{w}");
        }
        for w in [
            "book_id_100",
            "book_id_",
            "book_id",
            "book_id_1x",
            "book_id_1_and_more_text_2",
        ] {
            assert_eq!(get(&f, w), None, "{w}");
        }
    }
}
