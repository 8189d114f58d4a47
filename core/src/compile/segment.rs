//! Path segments for the tries: the next segment of a path and its 8-byte key in one word
//! scan, and literal children found by that key without a call to `memcmp`.

/// Literal children of a trie node, found by a word made of their first eight bytes (an
/// integer comparison) and confirmed by length and bytes.
#[derive(Debug, Default)]
pub(crate) struct Lits {
    /// `(key, literal, child)` sorted by key, then literal.
    items: Vec<(u64, Box<str>, u32)>,
}

impl Lits {
    /// The child for segment `seg` whose [`key`] is `key`.
    #[inline]
    pub(crate) fn get(&self, seg: &[u8], key: u64) -> Option<u32> {
        let items = &self.items[..];
        let start = if items.len() <= 8 {
            0
        } else {
            items.partition_point(|i| i.0 < key)
        };
        let run = &items[start..];
        for (seen, (k, lit, child)) in run.iter().enumerate() {
            if *k < key {
                continue;
            }
            if *k > key {
                break;
            }
            if seen == 8 {
                // Many literals share these first eight bytes: binary-search them by bytes.
                return run
                    .binary_search_by(|(k, lit, _)| {
                        k.cmp(&key).then_with(|| lit.as_bytes().cmp(seg))
                    })
                    .ok()
                    .map(|i| run[i].2);
            }
            let lit = lit.as_bytes();
            if lit.len() == seg.len() && (seg.len() <= 8 || same_bytes(lit, seg)) {
                return Some(*child);
            }
        }
        None
    }

    /// The child for segment `seg` (compile time).
    pub(crate) fn find(&self, seg: &[u8]) -> Option<u32> {
        self.get(seg, key(seg))
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

/// The first eight bytes of `s` as a little-endian word, zero-padded.
pub(crate) fn key(s: &[u8]) -> u64 {
    s.iter()
        .take(8)
        .enumerate()
        .fold(0, |k, (i, &b)| k | u64::from(b) << (8 * i))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `w` equal to `b`, as high bits: exact for the lowest one (false positives
/// only lie above a true match).
#[inline]
fn equal_bytes(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The first `b` in `h`: eight bytes at a time for the short strings of a request line
/// (`memchr` pays a dispatch that only long haystacks win back).
#[inline]
pub(crate) fn find_byte(h: &[u8], b: u8) -> Option<usize> {
    if h.len() > 64 {
        return memchr::memchr(b, h);
    }
    let mut i = 0;
    while let Some(w) = h.get(i..i + 8) {
        let t = equal_bytes(u64::from_le_bytes(w.try_into().unwrap_or([0; 8])), b);
        if t != 0 {
            return Some(i + (t.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    h[i..].iter().position(|&x| x == b).map(|j| i + j)
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
    }

    #[test]
    fn finds_bytes() {
        for len in 0..80 {
            // `>` and `@` differ from `?` in one bit: the cases a word trick can get wrong.
            let mut h: Vec<u8> = (0..len).map(|i| [b'>', b'@', b'a'][i % 3]).collect();
            assert_eq!(find_byte(&h, b'?'), None);
            for at in (0..len).rev() {
                h[at] = b'?';
                assert_eq!(find_byte(&h, b'?'), Some(at), "{len} {at}");
            }
        }
    }

    #[test]
    fn lits() {
        let mut l = Lits::default();
        let words = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefghj",
            "repos",
            "users",
            "x",
            "y",
            "z",
        ];
        for (i, w) in words.iter().enumerate() {
            l.insert(w, i as u32);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(l.find(w.as_bytes()), Some(i as u32), "{w}");
        }
        for w in ["b", "abc", "abcdefghk", "abcdefg", "repo", "\0"] {
            assert_eq!(l.find(w.as_bytes()), None, "{w}");
        }
        // Many literals sharing their first eight bytes.
        let mut l = Lits::default();
        for i in 0..100 {
            l.insert(&format!("book_id_{i}"), i);
        }
        for i in 0..100 {
            assert_eq!(l.find(format!("book_id_{i}").as_bytes()), Some(i));
        }
        assert_eq!(l.find(b"book_id_100"), None);
        assert_eq!(l.find(b"book_id_"), None);
    }
}
