//! Small byte helpers shared by the compiler and the request side (one copy, no dependency
//! between the two).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `w` equal to `b`, as high bits: exact for the lowest one (false positives
/// only lie above a true match).
#[inline]
pub(crate) fn equal_bytes(w: u64, b: u8) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
