//! The host index: an exact-host hash map, a hash map of wildcard suffixes probed once per
//! label of the host (longest suffix first), and the catch-all `*`, visited most specific
//! first (SPEC §4.1 K1/K2).
//!
//! Exact hostnames live in a [`HostMap`] whose hash ([`host_hash`]) reads a name's first and
//! last words (overlapping, as wyhash and rapidhash do) and multiplies 16 bytes at a time, so
//! that a lookup can test a request's authority for a port and hash it in a few dozen
//! instructions ([`prehash_authority`]) and probe with that hash before it validates
//! anything: an exact hit proves the host valid, since only valid lowercase hostnames are
//! keys.

use crate::util::equal_bytes;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// The constants XORed into the words of [`host_hash`]: each the sign extension of 32 bits
/// of pi (as in Blowfish), one instruction each on x86-64, with bytes at or above 0x80 (so
/// a word of ASCII bytes XORed with one is never zero).
const S0: u64 = 0x85a3_08d3_u32 as i32 as u64;
const S1: u64 = 0xec4e_6c89_u32 as i32 as u64;
/// The length's multiplier: the state starts as `len * LEN`, whose high bits (bit 7 of each
/// byte) differ for every two lengths up to 32, so that no two names of ASCII bytes (whose
/// high bits are all 0) that differ in length can cancel the difference out by their bytes
/// before the first multiply (64 bits of pi).
const LEN: u64 = 0xc0ac_29b7_c97c_50dd;
/// XORed into the last word of [`host_hash`], the final multiplier: 64 bits of pi, with no
/// pattern (the final product is only as mixed as its factors: `:` in every byte, which the
/// port test has at hand, collided names of 1 to 3 bytes).
const S2: u64 = 0x082e_fa98_ec4e_6c89;
/// `:` in every byte (the port test of [`prehash_authority`]).
const COLONS: u64 = 0x3a3a_3a3a_3a3a_3a3a;

/// The folded 128-bit product of `a` and `b`: every bit of both reaches the low bits the
/// [`HostMap`] indexes with and the top 32 it tags with.
#[inline(always)]
fn mix(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The little-endian word at `b[i..i + 8]` (0 past the end: callers read within `b`).
#[inline(always)]
fn word(b: &[u8], i: usize) -> u64 {
    b.get(i..i.wrapping_add(8))
        .and_then(|w| w.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// The hash of a hostname for [`HostMap`], in the manner of wyhash and rapidhash: the state
/// starts as `len * LEN`; a name of more than 16 bytes mixes its 16-byte chunks from the
/// start (one multiply each, `mix(w0 ^ S0, w1 ^ state)`) while more than 16 bytes remain, and
/// then its last 16 bytes (overlapping the chunks); a shorter one reads its first and last 8
/// bytes (4 bytes below 8, three single bytes below 4, overlapping). The last step is
/// `mix(a ^ S1 ^ state, b ^ S2)` over those two words: one multiply for up to 16 bytes, two
/// for 17 to 32 (wyhash and rapidhash spend one more, for a finer avalanche than a table of
/// hostnames needs: `hash_quality` and `hash_avalanche` below measure this one). The
/// overlapping reads see a byte twice; the length in the state tells names that differ only
/// in length (or by a zero byte) apart. Not keyed: the keys come from the configuration
/// (semi-trusted, as with the Fx hash used before), and requests only probe.
#[inline]
pub(crate) fn host_hash(b: &[u8]) -> u64 {
    hash_inline(b)
}

/// [`host_hash`], always inline.
#[inline(always)]
fn hash_inline(b: &[u8]) -> u64 {
    let n = b.len();
    if n > 32 {
        hash_long(b)
    } else if n >= 8 {
        hash_8_to_32(b)
    } else {
        let (a, c) = short_words(b);
        mix(a ^ S1 ^ (n as u64).wrapping_mul(LEN), c ^ S2)
    }
}

/// [`host_hash`] for a name of 8 to 32 bytes: one branch, two multiplies above 16 bytes.
#[inline(always)]
fn hash_8_to_32(b: &[u8]) -> u64 {
    let n = b.len();
    let mut h = (n as u64).wrapping_mul(LEN);
    let mut a = word(b, 0);
    if n > 16 {
        h = first_chunk(b, h);
        a = word(b, n - 16);
    }
    mix(a ^ S1 ^ h, word(b, n - 8) ^ S2)
}

/// The state after the first 16 bytes of `b` (at least 16), from state `h`.
#[inline(always)]
fn first_chunk(b: &[u8], h: u64) -> u64 {
    mix(word(b, 0) ^ S0, word(b, 8) ^ h)
}

/// [`host_hash`] for a name of more than 32 bytes.
#[inline(never)]
fn hash_long(b: &[u8]) -> u64 {
    let n = b.len();
    let mut h = first_chunk(b, (n as u64).wrapping_mul(LEN));
    let mut i = 16;
    while n - i > 16 {
        h = mix(word(b, i) ^ S0, word(b, i + 8) ^ h);
        i += 16;
    }
    mix(word(b, n - 16) ^ S1 ^ h, word(b, n - 8) ^ S2)
}

/// The two words of [`host_hash`] for a name of fewer than 8 bytes: its first and last four
/// bytes (overlapping), or for 1 to 3 bytes the first, middle and last byte.
#[inline]
fn short_words(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    let half = |i: usize| {
        b.get(i..i.wrapping_add(4))
            .and_then(|w| w.try_into().ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    if n >= 4 {
        (half(0), half(n - 4))
    } else {
        let byte = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
        match n {
            0 => (0, 0),
            _ => (byte(0) << 56 | byte(n / 2) << 32 | byte(n - 1), 0),
        }
    }
}

/// One in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bits of the last six bytes of a word (where an authority's port, a `:` and at
/// most five digits, lies in its last word).
const PORT_BYTES: u64 = 0x8080_8080_8080_0000;

/// The name of an authority and its [`host_hash`], when the authority is the name, or the
/// name, a `:` and at most five digits (the first `:` among the last six bytes); `None` for
/// authorities shorter than 8 or longer than 260 bytes, for other shapes, and (a word trick
/// giving up) for some with a `:` right before the last six bytes (the lookup then
/// normalizes as usual). The common shape, 8 to 32 bytes and no port, costs one word test
/// for a `:` among the last six bytes (a byte above 0x7f passes too: [`prehash_rare`] then
/// tests exactly) and the hash itself, for a 20-byte authority four loads and two
/// multiplies; with a port, or longer, the name is hashed after the port is found.
///
/// The name is unchecked: it may have uppercase letters, a trailing dot, a `:` or bytes no
/// hostname has. A caller may trust it only once it equals a key of some [`HostMap`] (every
/// key is a valid lowercase hostname, so the authority normalizes to the name itself), or
/// after checking it normalizes to itself.
#[inline]
pub(crate) fn prehash_authority(authority: &str) -> Option<(&str, u64)> {
    let b = authority.as_bytes();
    let n = b.len();
    if !(8..=32).contains(&n) {
        return prehash_rare(authority);
    }
    // A byte of `x` is 0 for a `:`, and subtracting one sets its high bit (also for bytes
    // above 0x80, and a borrow may set the next one's: rare, and looked at again).
    let x = word(b, n - 8) ^ COLONS;
    if x.wrapping_sub(ONES) & PORT_BYTES != 0 {
        return prehash_rare(authority);
    }
    Some((authority, hash_8_to_32(b)))
}

/// [`prehash_authority`] for an authority of more than 32 bytes, or whose last six bytes
/// may hold a `:` (the first one there must be followed by digits only). Word tricks on the
/// last word, as on the common path: a port costs a few instructions more than no port.
#[cold]
#[inline(never)]
fn prehash_rare(authority: &str) -> Option<(&str, u64)> {
    let b = authority.as_bytes();
    let n = b.len();
    if !(8..=260).contains(&n) {
        return None;
    }
    let last = word(b, n - 8);
    let x = last ^ COLONS;
    // Exact for the lowest `:` among the last six bytes, unless one of the two bytes below
    // them is a `:` too (then a false one may follow it: the check below gives up, and the
    // lookup normalizes).
    let colons = x.wrapping_sub(ONES) & !x & PORT_BYTES;
    if colons == 0 {
        return Some((authority, hash_inline(b)));
    }
    let k = (colons.trailing_zeros() / 8) as usize;
    let colon = n - 8 + k;
    if b.get(colon) != Some(&b':') {
        return None;
    }
    // The `7 - k` bytes above the `:` (at most five), each `0` to `9`: XORed with `0`, below
    // 10 (the sum stays below 0x80 and no byte carries into the next).
    let digits = (last >> (8 * k) >> 8) ^ DIGIT_ZEROS;
    let not_digit = (((digits & !PORT_HIGHS) + DIGIT_TENS) | digits) & PORT_HIGHS;
    let port = (1u64 << (8 * (7 - k))) - 1;
    if not_digit & port != 0 {
        return None;
    }
    let name = authority.get(..colon)?;
    Some((name, hash_inline(name.as_bytes())))
}

/// `0` in every byte.
const DIGIT_ZEROS: u64 = 0x3030_3030_3030_3030;
/// Added to a byte below 0x80, sets its high bit when it is 10 or more.
const DIGIT_TENS: u64 = 0x7676_7676_7676_7676;
/// The high bit of every byte.
const PORT_HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether two byte strings are equal: eight bytes at a time and inline (hostnames are short,
/// and a `memcmp` call costs more than the comparison).
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or_default());
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if word(p) != word(q) {
            return false;
        }
    }
    if x.remainder().is_empty() {
        return true;
    }
    // The last 1-7 bytes: the last eight bytes (overlapping the words compared), or byte by
    // byte for strings shorter than a word.
    let n = a.len();
    match (a.get(n.wrapping_sub(8)..), b.get(n.wrapping_sub(8)..)) {
        (Some(p), Some(q)) if n >= 8 => word(p) == word(q),
        _ => x.remainder() == y.remainder(),
    }
}

/// Exact hostnames to ids, hashed with [`host_hash`] so that a probe can bring its own hash
/// ([`HostMap::get_hashed`]). Open addressing with linear probing over 16-byte slots that
/// hold the id and where the key lies in one byte arena: a hit reads one slot and the key's
/// bytes (two cache lines from two arrays, for a cache-cold lookup), a probe costs a few
/// instructions per slot plus one word comparison per 8 bytes of a candidate key.
#[derive(Default, Clone)]
pub(crate) struct HostMap {
    /// Empty, or a power of two at least twice the number of keys.
    slots: Box<[Slot]>,
    /// The keys' bytes, back to back (removed keys stay until they are more than half).
    arena: Vec<u8>,
    /// The number of keys.
    len: usize,
    /// Bytes of `arena` no key uses.
    garbage: usize,
}

/// One slot of a [`HostMap`]: empty when `len1` is 0.
#[derive(Default, Clone, Copy, Debug)]
struct Slot {
    /// The top 32 bits of the key's hash, compared before the key.
    tag: u32,
    id: u32,
    /// The key is `arena[start..start + len1 - 1]`.
    start: u32,
    len1: u32,
}

impl std::fmt::Debug for HostMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl HostMap {
    /// The id of `key`.
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<u32> {
        self.get_hashed(key, host_hash(key.as_bytes()))
    }

    /// The id of `key`, whose [`host_hash`] is `hash`.
    #[inline(always)]
    pub(crate) fn get_hashed(&self, key: &str, hash: u64) -> Option<u32> {
        let i = self.find(key, hash)?;
        self.slots.get(i).map(|s| s.id)
    }

    /// The key of a full slot.
    #[inline(always)]
    fn key_of(&self, s: &Slot) -> &[u8] {
        let start = s.start as usize;
        let end = start + (s.len1 as usize).wrapping_sub(1);
        self.arena.get(start..end).unwrap_or_default()
    }

    /// The slot of `key` (hash `hash`).
    #[inline(always)]
    fn find(&self, key: &str, hash: u64) -> Option<usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let (tag, len1) = ((hash >> 32) as u32, key.len() as u64 + 1);
        let mut i = hash as usize & mask;
        // At most every slot once (a table is never full, so an empty slot ends the loop
        // first; the bound only keeps the loop finite on its own).
        for _ in 0..self.slots.len() {
            let s = self.slots.get(i)?;
            if s.len1 == 0 {
                return None;
            }
            if s.tag == tag
                && u64::from(s.len1) == len1
                && same_bytes(self.key_of(s), key.as_bytes())
            {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Sets `key`'s id to `id`; returns the previous one. Keys longer than `u32::MAX - 1`
    /// bytes (never a hostname) are not stored.
    pub(crate) fn insert(&mut self, key: &str, id: u32) -> Option<u32> {
        let hash = host_hash(key.as_bytes());
        if let Some(i) = self.find(key, hash) {
            return self
                .slots
                .get_mut(i)
                .map(|s| std::mem::replace(&mut s.id, id));
        }
        let (Ok(start), Ok(len1)) = (
            u32::try_from(self.arena.len()),
            u32::try_from(key.len() + 1),
        ) else {
            return None;
        };
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.arena.extend_from_slice(key.as_bytes());
        self.len += 1;
        self.place(
            Slot {
                tag: (hash >> 32) as u32,
                id,
                start,
                len1,
            },
            hash,
        );
        None
    }

    /// Puts `slot` into the first empty slot from `hash`'s home.
    fn place(&mut self, slot: Slot, hash: u64) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i].len1 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }

    /// Doubles the slots (at least 8) and places every key again.
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(8);
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); n].into_boxed_slice());
        for s in old.iter().filter(|s| s.len1 != 0) {
            let hash = host_hash(self.key_of(s));
            self.place(*s, hash);
        }
    }

    /// Sets `key`'s id to `id` unless it has one; returns the id it has now.
    pub(crate) fn get_or_insert(&mut self, key: &str, id: u32) -> u32 {
        match self.get(key) {
            Some(v) => v,
            None => {
                self.insert(key, id);
                id
            }
        }
    }

    /// Removes `key`; returns its id.
    pub(crate) fn remove(&mut self, key: &str) -> Option<u32> {
        let slot = self.find(key, host_hash(key.as_bytes()))?;
        let mask = self.slots.len() - 1;
        let removed = std::mem::take(&mut self.slots[slot]);
        // Backward-shift deletion: each later slot of the run moves into the hole when its
        // home is not between the hole and itself.
        let mut hole = slot;
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let s = self.slots[j];
            if s.len1 == 0 {
                break;
            }
            let home = host_hash(self.key_of(&s)) as usize & mask;
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = s;
                self.slots[j] = Slot::default();
                hole = j;
            }
        }
        self.len -= 1;
        self.garbage += removed.len1 as usize - 1;
        if self.garbage * 2 > self.arena.len() {
            self.compact();
        }
        Some(removed.id)
    }

    /// Copies the keys in use into a new arena.
    fn compact(&mut self) {
        let mut arena = Vec::with_capacity(self.arena.len() - self.garbage);
        for i in 0..self.slots.len() {
            let s = self.slots[i];
            if s.len1 != 0 {
                let start = arena.len() as u32;
                arena.extend_from_slice(self.key_of(&s));
                self.slots[i].start = start;
            }
        }
        self.arena = arena;
        self.garbage = 0;
    }

    /// Whether there is no key.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every key and id, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.len1 != 0)
            // Keys are inserted as `&str`: always UTF-8.
            .map(|s| {
                (
                    std::str::from_utf8(self.key_of(s)).unwrap_or_default(),
                    s.id,
                )
            })
    }
}

/// Maps effective hostnames to virtual-host ids.
#[derive(Debug, Default, Clone)]
pub(crate) struct HostIndex {
    /// Shared between the versions of a live Router until an update changes it.
    exact: Arc<HostMap>,
    /// `*.s` by its suffix `s`.
    wild: Arc<FxHashMap<Box<str>, u32>>,
    /// Bit `n` set when some wildcard suffix has `n` bytes (`n` < 256): a host's suffix of any
    /// other length is never probed.
    wild_lens: [u64; 4],
    any: Option<u32>,
    /// Ingress host semantics: a wildcard `*.s` covers exactly one label before `.s`, and only
    /// the most specific hostname is tried (no fallback), whatever `isolation` says.
    ingress: bool,
    /// With `ingress`: a wildcard covers one or more labels (ingress-nginx).
    multi_label: bool,
}

impl HostIndex {
    pub(crate) fn new() -> Self {
        HostIndex::default()
    }

    /// An index with Ingress host semantics (see [`HostIndex::ingress`]).
    pub(crate) fn for_ingress() -> Self {
        HostIndex {
            ingress: true,
            ..HostIndex::new()
        }
    }

    /// An index with ingress-nginx host semantics: Ingress, but a wildcard covers one or more
    /// labels.
    pub(crate) fn for_ingress_nginx() -> Self {
        HostIndex {
            ingress: true,
            multi_label: true,
            ..HostIndex::new()
        }
    }

    /// Whether the index holds only (at most) the catch-all hostname.
    pub(crate) fn any_only(&self) -> bool {
        self.exact.is_empty() && self.wild.is_empty()
    }

    /// The vhost of exactly this hostname (`*`, `*.s` or a name).
    pub(crate) fn get(&self, hostname: &str) -> Option<u32> {
        if hostname == "*" {
            self.any
        } else if let Some(suffix) = hostname.strip_prefix("*.") {
            self.wild.get(suffix).copied()
        } else {
            self.exact.get(hostname)
        }
    }

    /// Every vhost of the index.
    pub(crate) fn vhosts(&self) -> impl Iterator<Item = u32> + '_ {
        self.exact
            .iter()
            .map(|(_, v)| v)
            .chain(self.wild.values().copied())
            .chain(self.any)
    }

    /// Adds `hostname` (`*`, `*.s` or a name) with vhost `id`.
    pub(crate) fn insert(&mut self, hostname: &str, id: u32) {
        if hostname == "*" {
            self.any = Some(id);
        } else if let Some(suffix) = hostname.strip_prefix("*.") {
            if let Some(word) = self.wild_lens.get_mut(suffix.len() / 64) {
                *word |= 1 << (suffix.len() % 64);
            }
            Arc::make_mut(&mut self.wild).insert(suffix.into(), id);
        } else {
            Arc::make_mut(&mut self.exact).insert(hostname, id);
        }
    }

    /// Removes `hostname` (as given to [`HostIndex::insert`]).
    pub(crate) fn remove(&mut self, hostname: &str) {
        if hostname == "*" {
            self.any = None;
        } else if let Some(suffix) = hostname.strip_prefix("*.") {
            Arc::make_mut(&mut self.wild).remove(suffix);
            let n = suffix.len();
            if !self.wild.keys().any(|k| k.len() == n) {
                if let Some(word) = self.wild_lens.get_mut(n / 64) {
                    *word &= !(1 << (n % 64));
                }
            }
        } else {
            Arc::make_mut(&mut self.exact).remove(hostname);
        }
    }

    /// Whether some wildcard suffix has `n` bytes (suffixes of 256 bytes or more: always
    /// probed; hostnames are at most 253).
    #[inline]
    fn wild_len(&self, n: usize) -> bool {
        self.wild_lens
            .get(n / 64)
            .is_none_or(|w| w & (1 << (n % 64)) != 0)
    }

    /// Calls `f` with every vhost whose hostname matches `host` (already normalized), most
    /// specific first: the exact host, wildcards from the longest suffix down, then `*`.
    /// Stops at the first `Some` that `f` returns. With `isolation` (always for an Ingress
    /// index), only the most specific vhost is tried.
    ///
    /// Work: one hash probe for the host, then one per dot of the host whose suffix has the
    /// length of a configured wildcard suffix (at most 127 for a 253-byte name), each hashing
    /// that suffix; the dots are found by one byte check per configured suffix length shorter
    /// than the host (at most 253), or for Ingress one-label wildcards eight bytes at a time.
    #[inline(always)]
    pub(crate) fn find<T>(
        &self,
        host: Option<&str>,
        isolation: bool,
        mut f: impl FnMut(u32, HostKind) -> Option<T>,
    ) -> Option<T> {
        // The common shapes inline: no host, or only a catch-all hostname.
        match host {
            Some(h) if !h.is_empty() && !self.any_only() => {
                self.find_named(h, host_hash(h.as_bytes()), isolation, f)
            }
            _ => self.any.and_then(|v| f(v, HostKind::Any)),
        }
    }

    /// [`HostIndex::find`] for a host that may be unchecked (from [`prehash_authority`]),
    /// with its [`host_hash`]. When the answer depends on more than an exact hit (a miss, a
    /// wildcard, the catch-all after a miss) and the host is not `checked`, calls `check`
    /// once: `false` (the host does not normalize to itself) is `Err(Unchecked)`, and nothing
    /// else was called. An exact hit proves the host valid ([`HostMap`]).
    #[inline(always)]
    pub(crate) fn find_hashed<T>(
        &self,
        host: Option<(&str, u64)>,
        checked: bool,
        check: impl FnOnce() -> bool,
        isolation: bool,
        mut f: impl FnMut(u32, HostKind) -> Option<T>,
    ) -> Result<Option<T>, Unchecked> {
        match host {
            // The catch-all alone answers the same for every host, valid or not.
            Some((h, hash)) if !h.is_empty() && !self.any_only() => {
                let isolation = isolation || self.ingress;
                if let Some(v) = self.exact.get_hashed(h, hash) {
                    let r = f(v, HostKind::Exact);
                    if r.is_some() || isolation {
                        return Ok(r);
                    }
                } else if !checked && !check() {
                    return Err(Unchecked);
                }
                Ok(self.find_wild(h, isolation, f))
            }
            _ => Ok(self.any.and_then(|v| f(v, HostKind::Any))),
        }
    }

    /// [`HostIndex::find`] for a non-empty host when the index has named hostnames.
    #[inline(never)]
    fn find_named<T>(
        &self,
        host: &str,
        hash: u64,
        isolation: bool,
        mut f: impl FnMut(u32, HostKind) -> Option<T>,
    ) -> Option<T> {
        let isolation = isolation || self.ingress;
        if let Some(v) = self.exact.get_hashed(host, hash) {
            let r = f(v, HostKind::Exact);
            if r.is_some() || isolation {
                return r;
            }
        }
        self.find_wild(host, isolation, f)
    }

    /// The rest of [`HostIndex::find_named`] after the exact host: the wildcards covering
    /// `host` (valid), most specific first, then `*`.
    #[inline]
    fn find_wild<T>(
        &self,
        host: &str,
        isolation: bool,
        mut f: impl FnMut(u32, HostKind) -> Option<T>,
    ) -> Option<T> {
        if !self.wild.is_empty() {
            // `*.s` covers `host` when `host` ends with `.s` and something precedes that dot
            // (SPEC §2.2: one or more labels; exactly one for Ingress): each dot after the
            // first byte, left to right, is the next less specific wildcard.
            let one_label = self.ingress && !self.multi_label;
            let b = host.as_bytes();
            let n = b.len();
            if !one_label && n < 256 {
                return self.find_wild_by_length(host, isolation, f);
            }
            // The dots eight bytes at a time (the last partial word read from the end and
            // shifted down); only a dot whose suffix has the length of a wildcard suffix
            // costs a hash probe.
            let mut at = 0usize;
            while at < n {
                let w = match b.get(at..at + 8) {
                    Some(w) => u64::from_le_bytes(w.try_into().unwrap_or_default()),
                    None => tail_word(b, at),
                };
                // Exact for the lowest dot; a false one above a dot is checked below.
                let mut dots = equal_bytes(w, b'.');
                while dots != 0 {
                    let dot = at + (dots.trailing_zeros() / 8) as usize;
                    dots &= dots - 1;
                    if dot == 0 || b.get(dot) != Some(&b'.') {
                        continue;
                    }
                    let suffix = host.get(dot + 1..).unwrap_or_default();
                    if self.wild_len(suffix.len()) {
                        if let Some(&v) = self.wild.get(suffix) {
                            let r = f(v, HostKind::Wildcard);
                            if r.is_some() || isolation {
                                return r;
                            }
                        }
                    }
                    if one_label {
                        return self.any.and_then(|v| f(v, HostKind::Any));
                    }
                }
                at += 8;
            }
        }
        self.any.and_then(|v| f(v, HostKind::Any))
    }
}

impl HostIndex {
    /// The wildcard part of [`HostIndex::find_named`] (then `*`) for a host of fewer than 256
    /// bytes when a wildcard covers one or more labels: instead of visiting every dot of the
    /// host, visits the suffix lengths some wildcard has, longest first, and probes the suffix
    /// of that length when a dot after the first byte precedes it. Same order (a longer
    /// suffix is a dot further left), and one byte check per configured length shorter than
    /// the host: the few lengths of a typical configuration cost a few instructions each.
    #[inline]
    fn find_wild_by_length<T>(
        &self,
        host: &str,
        isolation: bool,
        mut f: impl FnMut(u32, HostKind) -> Option<T>,
    ) -> Option<T> {
        let b = host.as_bytes();
        let n = b.len();
        for (i, &word) in self.wild_lens.iter().enumerate().rev() {
            // Suffix lengths `base..base + 64`; the dot before a suffix of length `len` is at
            // `n - 1 - len`, after the first byte when `len <= n - 2`.
            let base = i * 64;
            let Some(max) = n.checked_sub(base + 2) else {
                continue;
            };
            let mut lens = if max >= 63 {
                word
            } else {
                word & ((2u64 << max) - 1)
            };
            while lens != 0 {
                let top = 63 - lens.leading_zeros() as usize;
                lens &= !(1u64 << top);
                let dot = n - 1 - (base + top);
                if b.get(dot) == Some(&b'.') {
                    if let Some(&v) = host.get(dot + 1..).and_then(|s| self.wild.get(s)) {
                        let r = f(v, HostKind::Wildcard);
                        if r.is_some() || isolation {
                            return r;
                        }
                    }
                }
            }
        }
        self.any.and_then(|v| f(v, HostKind::Any))
    }
}

/// The bytes of `b` from `at` (fewer than eight left) as a little-endian word, zeros above.
#[inline]
fn tail_word(b: &[u8], at: usize) -> u64 {
    let n = b.len();
    match b.get(n.wrapping_sub(8)..) {
        // Read from the end and shifted down: `n - at` is 1 to 7 bytes.
        Some(last) if n >= 8 => {
            let w = u64::from_le_bytes(last.try_into().unwrap_or_default());
            w.checked_shr(8 * (8 - (n - at) as u32)).unwrap_or(0)
        }
        _ => b
            .get(at..)
            .unwrap_or_default()
            .iter()
            .rev()
            .fold(0, |w, &c| w << 8 | u64::from(c)),
    }
}

/// A host from [`prehash_authority`] that did not prove valid: the lookup normalizes the
/// authority and starts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unchecked;

/// Which kind of hostname matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    Exact,
    Wildcard,
    Any,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(ix: &HostIndex, host: &str) -> Vec<u32> {
        let mut seen = Vec::new();
        ix.find::<()>(Some(host), false, |v, _| {
            seen.push(v);
            None
        });
        seen
    }

    /// The hash as its doc describes it, written plainly: a loop over 16-byte chunks for
    /// every length above 16, the short reads below.
    fn hash_as_documented(b: &[u8]) -> u64 {
        let n = b.len();
        let w = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap());
        let half = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().unwrap()));
        let mut h = (n as u64).wrapping_mul(LEN);
        let (a, c) = match n {
            17.. => {
                let mut i = 0;
                while n - i > 16 {
                    h = mix(w(i) ^ S0, w(i + 8) ^ h);
                    i += 16;
                }
                (w(n - 16), w(n - 8))
            }
            8..=16 => (w(0), w(n - 8)),
            4..=7 => (half(0), half(n - 4)),
            1..=3 => {
                let byte = |i: usize| u64::from(b[i]);
                (byte(0) << 56 | byte(n / 2) << 32 | byte(n - 1), 0)
            }
            0 => (0, 0),
        };
        mix(a ^ S1 ^ h, c ^ S2)
    }

    /// [`prehash_authority`] as its doc describes it: the first `:` among the last six bytes
    /// ends the name when only digits follow it (else no answer), and without one the
    /// authority is the name.
    fn prehash_as_documented(a: &str) -> Option<(&str, u64)> {
        if !(8..=260).contains(&a.len()) {
            return None;
        }
        let tail = a.len() - 6;
        let end = match a.as_bytes()[tail..].iter().position(|&c| c == b':') {
            Some(i) if a.as_bytes()[tail + i + 1..].iter().all(u8::is_ascii_digit) => tail + i,
            Some(_) => return None,
            None => a.len(),
        };
        Some((&a[..end], host_hash(&a.as_bytes()[..end])))
    }

    /// `prehash_authority(a)` is as documented, or `None` when a `:` lies right before the
    /// last six bytes (the word trick may give up).
    fn assert_prehash(a: &str) {
        let got = prehash_authority(a);
        let n = a.len();
        let gives_up = got.is_none() && n >= 8 && a.as_bytes()[n - 8..n - 6].contains(&b':');
        if !gives_up {
            assert_eq!(got, prehash_as_documented(a), "{a:?}");
        }
    }

    /// `host_hash` is the documented hash at every length up to 300 (each length class and
    /// chunk count), and `prehash_authority` finds the name and hashes it the same way for
    /// authorities of every length up to 300, with every kind of tail, and with a `:` (or a
    /// byte above 0x7f, or `;` after a `:`, which the port test's word trick may take for a
    /// `:`) at every position.
    #[test]
    fn prehash_finds_the_name_and_its_hash() {
        let alphabet = b"abcdefghijklmnopqrstuvwxyz.ABC-0123456789_";
        let tails = [
            "", ":", ":8", ":80", ":65535", ":123456", ":8o", "::", ":80:", ":0x1", ":1:80",
        ];
        for len in 0..=300usize {
            let name: String = (0..len)
                .map(|i| char::from(alphabet[(i * 7 + len) % alphabet.len()]))
                .collect();
            assert_eq!(
                host_hash(name.as_bytes()),
                hash_as_documented(name.as_bytes()),
                "{len}"
            );
            for tail in tails {
                let a = format!("{name}{tail}");
                assert_prehash(&a);
                // A name without `:` and a short port (or none): always this answer.
                let short_port = tail.is_empty()
                    || (tail.len() <= 6 && tail[1..].bytes().all(|b| b.is_ascii_digit()));
                if short_port && (8..=260).contains(&a.len()) {
                    assert_eq!(
                        prehash_authority(&a),
                        Some((name.as_str(), host_hash(name.as_bytes())))
                    );
                }
            }
            for at in 0..len {
                for (put, after) in [(":", ""), (":", ";"), ("é", ""), (":", "é"), ("\0", "")] {
                    let mut a = name.clone();
                    a.replace_range(at..at + 1, put);
                    if at + 1 < len {
                        a.replace_range(at + put.len()..at + put.len() + 1, after);
                    }
                    let got = prehash_authority(&a);
                    assert_prehash(&a);
                    // Whatever the shape: a prefix of the authority, hashed, and what follows
                    // it is nothing or a short port.
                    if let Some((n, h)) = got {
                        let rest = &a.as_bytes()[n.len()..];
                        assert!(a.starts_with(n) && h == host_hash(n.as_bytes()));
                        assert!(
                            rest.is_empty()
                                || (rest[0] == b':'
                                    && rest.len() <= 6
                                    && rest[1..].iter().all(u8::is_ascii_digit)),
                            "{a:?}"
                        );
                    }
                }
            }
        }
        assert_eq!(prehash_authority(&"x".repeat(261)), None);
        assert_eq!(prehash_authority("a.b.c:1"), None);
        assert_eq!(
            prehash_authority("é.example.com:80"),
            Some(("é.example.com", host_hash("é.example.com".as_bytes())))
        );
    }

    /// The constants do what their docs say: XORed into a word of ASCII bytes, never zero;
    /// the length's multiples up to 32 have distinct high bits, also XORed with `S1`.
    #[test]
    fn hash_constants() {
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        for s in [S0, S1, S2] {
            assert_ne!(s & HIGHS, 0);
        }
        let mut seen = std::collections::HashSet::new();
        for n in 0..=32u64 {
            let h = n.wrapping_mul(LEN);
            assert!(seen.insert(h & HIGHS), "{n}");
            assert_ne!((h ^ S1) & HIGHS, 0, "{n}");
            if n >= 17 {
                assert_ne!(h & HIGHS, 0, "{n}");
            }
        }
    }

    /// The hash keeps apart what hostnames differ by: 200,000 generated names (tenant
    /// patterns that differ in a digit or two, and random labels of every length up to 80)
    /// have no two equal hashes, few equal tags, and spread evenly over the low 16 bits the
    /// table indexes with; flipping any one bit of a name changes both its low and its high
    /// 32 bits, and a name hashes apart from its extensions by zero bytes and its prefixes.
    #[test]
    fn hash_quality() {
        let mut names = Vec::new();
        for i in 0..50_000 {
            names.push(format!("api.t{i:04}.example.io"));
            names.push(format!("h{}.tenant-{}.svc.cluster.local", i % 100, i / 100));
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as usize
        };
        let mut seen: std::collections::HashSet<String> = names.iter().cloned().collect();
        while names.len() < 200_000 {
            let len = 1 + next() % 80;
            let name: String = (0..len)
                .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789-."[next() % 38]))
                .collect();
            if seen.insert(name.clone()) {
                names.push(name);
            }
        }
        let hashes: Vec<u64> = names.iter().map(|n| host_hash(n.as_bytes())).collect();
        let mut sorted = hashes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "full 64-bit collisions");
        // About n^2 / 2^33 = 4.6 equal tags are expected.
        let mut tags: Vec<u32> = hashes.iter().map(|h| (h >> 32) as u32).collect();
        tags.sort_unstable();
        tags.dedup();
        assert!(
            names.len() - tags.len() <= 20,
            "{} equal tags",
            names.len() - tags.len()
        );
        // Chi-square over 65,536 buckets: 65,535 expected, standard deviation 362.
        let mut buckets = vec![0u32; 1 << 16];
        for h in &hashes {
            buckets[(h & 0xffff) as usize] += 1;
        }
        let e = hashes.len() as f64 / 65_536.0;
        let chi: f64 = buckets
            .iter()
            .map(|&c| (f64::from(c) - e).powi(2) / e)
            .sum();
        assert!((63_000.0..68_000.0).contains(&chi), "chi-square {chi}");
        // One bit flipped anywhere, at every length up to 100.
        for len in 1..=100usize {
            let name: Vec<u8> = names[len * 997].bytes().cycle().take(len).collect();
            let h = host_hash(&name);
            for at in 0..len {
                for bit in 0..8 {
                    let mut m = name.clone();
                    m[at] ^= 1 << bit;
                    let g = host_hash(&m);
                    assert!(
                        g as u32 != h as u32 && g >> 32 != h >> 32,
                        "{len} {at} {bit}"
                    );
                }
            }
            let mut longer = name.clone();
            for _ in 0..20 {
                longer.push(0);
                assert_ne!(host_hash(&longer), h, "{len} + zeros");
            }
            assert_ne!(host_hash(&name[..len - 1]), h, "{len} prefix");
        }
    }

    /// Each output bit flips for about half of the one-bit changes of a 20-byte name (the
    /// issue's shape), the low bits the table indexes with and the top ones it tags with
    /// alike, from every input bit.
    #[test]
    fn hash_avalanche() {
        let mut flips = [[0u32; 64]; 160];
        let samples = 2_000;
        for s in 0..samples {
            let name = format!("api.t{:04}.example.io", s * 7 % 10_000);
            let b = name.as_bytes();
            let h = host_hash(b);
            for (bit, row) in flips.iter_mut().enumerate() {
                let mut m = b.to_vec();
                m[bit / 8] ^= 1 << (bit % 8);
                let d = host_hash(&m) ^ h;
                for (o, count) in row.iter_mut().enumerate() {
                    *count += (d >> o & 1) as u32;
                }
            }
        }
        for (bit, row) in flips.iter().enumerate() {
            for (o, &count) in row.iter().enumerate() {
                let p = f64::from(count) / f64::from(samples);
                assert!(
                    (0.4..0.6).contains(&p),
                    "input bit {bit} output bit {o}: {p}"
                );
            }
        }
    }

    /// The lookup's shortcut answers what the normalized host answers: for authorities of
    /// every shape, `find_hashed` with `prehash_authority`'s unchecked name (checked by
    /// `normalizes_to_itself` when it must be) visits what `find` visits with the
    /// normalized host, or says `Unchecked` when the name is not the normalized host.
    #[test]
    fn prehashed_lookup_agrees_with_normalized() {
        use crate::request::{normalize_host, normalizes_to_itself};
        let mut ix = HostIndex::new();
        for (i, h) in [
            "a.example.com",
            "api.t0042.example.io",
            "x.y.example.com",
            "*.example.com",
            "*.y.example.com",
            "*",
        ]
        .into_iter()
        .enumerate()
        {
            ix.insert(h, i as u32);
        }
        let mut authorities = Vec::new();
        for host in [
            "a.example.com",
            "A.example.com",
            "a.example.com.",
            "api.t0042.example.io",
            "x.y.example.com",
            "b.y.example.com",
            "other.org",
            "[::1]",
            "a..example.com",
            "é.example.com",
        ] {
            for tail in ["", ":", ":80", ":65535", ":123456", ":8o", ":1:80", "::80"] {
                let a = format!("{host}{tail}");
                for at in 0..a.len() {
                    if a.is_char_boundary(at) && a.is_char_boundary(at + 1) {
                        let mut c = a.clone();
                        c.replace_range(at..at + 1, ":");
                        authorities.push(c);
                    }
                }
                authorities.push(a);
            }
        }
        let mut buf = [0; 256];
        for a in &authorities {
            let Some(pre) = prehash_authority(a) else {
                continue;
            };
            let mut seen = Vec::new();
            let got = ix.find_hashed(
                Some(pre),
                false,
                || normalizes_to_itself(a, pre.0),
                false,
                |v, _| {
                    seen.push(v);
                    None::<()>
                },
            );
            let normalized = normalize_host(a, &mut buf);
            match got {
                Ok(_) => {
                    let mut want = Vec::new();
                    ix.find::<()>(normalized, false, |v, _| {
                        want.push(v);
                        None
                    });
                    assert_eq!(seen, want, "{a:?}");
                    assert_eq!(normalized, Some(pre.0), "{a:?}");
                }
                Err(Unchecked) => assert!(seen.is_empty() && normalized != Some(pre.0), "{a:?}"),
            }
        }
    }

    /// A `HostMap` finds each key by its own hash and nothing else, through inserts,
    /// replacements and removals.
    #[test]
    fn host_map_behaves_as_a_map() {
        let mut m = HostMap::default();
        let keys: Vec<String> = (0..2000)
            .map(|i| format!("h{i}.t{}.example.com", i % 7))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.insert(k, i as u32), None);
        }
        assert_eq!(m.insert(&keys[5], 99), Some(5));
        assert_eq!(m.get_or_insert(&keys[5], 7), 99);
        for (i, k) in keys.iter().enumerate().skip(6) {
            assert_eq!(m.get(k), Some(i as u32));
            assert_eq!(m.get_hashed(k, host_hash(k.as_bytes())), Some(i as u32));
            // A prefix or an extension is another key.
            assert_eq!(m.get(&k[..k.len() - 1]), None);
            assert_eq!(m.get(&format!("{k}x")), None);
        }
        for k in keys.iter().step_by(2) {
            assert!(m.remove(k).is_some());
            assert_eq!(m.get(k), None);
        }
        assert_eq!(m.remove(&keys[0]), None);
        assert_eq!(m.iter().count(), 1000);
        assert_eq!(m.get(&keys[1]), Some(1));
        // Interleaved inserts and removals against std's map, with keys sharing a few
        // tags and homes in a small table (runs wrap around the end).
        let mut m = HostMap::default();
        let mut want = std::collections::HashMap::new();
        let mut x = 7u64;
        for step in 0..20_000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = format!("k{}.example", (x >> 33) % 40);
            if (x >> 20).is_multiple_of(3) {
                assert_eq!(m.remove(&k), want.remove(&k), "{step} remove {k}");
            } else {
                assert_eq!(
                    m.insert(&k, step),
                    want.insert(k.clone(), step),
                    "{step} {k}"
                );
            }
            if step % 97 == 0 {
                for i in 0..40 {
                    let k = format!("k{i}.example");
                    assert_eq!(m.get(&k), want.get(&k).copied(), "{step} get {k}");
                }
                assert_eq!(m.iter().count(), want.len());
            }
        }
    }

    /// Removing a hostname leaves the index as if it had never been inserted.
    #[test]
    fn remove_undoes_insert() {
        let mut ix = HostIndex::new();
        for (h, v) in [
            ("a.example.com", 1),
            ("*.example.com", 2),
            ("*.other.com", 3),
            ("*", 4),
        ] {
            ix.insert(h, v);
        }
        ix.remove("*.example.com");
        assert_eq!(all(&ix, "a.example.com"), vec![1, 4]);
        assert_eq!(all(&ix, "b.example.com"), vec![4]);
        // The other wildcard keeps its length bit.
        assert_eq!(all(&ix, "x.other.com"), vec![3, 4]);
        ix.remove("*.other.com");
        assert_eq!(ix.wild_lens, [0; 4]);
        ix.remove("a.example.com");
        ix.remove("*");
        assert_eq!(all(&ix, "a.example.com"), Vec::<u32>::new());
        assert!(ix.get("*").is_none());
    }

    /// Wildcards cover one or more labels and are visited longest suffix first, after the
    /// exact host and before the catch-all.
    #[test]
    fn visit_order() {
        let mut ix = HostIndex::new();
        ix.insert("a.b.example.com", 1);
        ix.insert("*.b.example.com", 2);
        ix.insert("*.example.com", 3);
        ix.insert("*.com", 4);
        ix.insert("*", 5);
        assert_eq!(all(&ix, "a.b.example.com"), vec![1, 2, 3, 4, 5]);
        assert_eq!(all(&ix, "x.y.b.example.com"), vec![2, 3, 4, 5]);
        assert_eq!(all(&ix, "b.example.com"), vec![3, 4, 5]);
        assert_eq!(all(&ix, "example.com"), vec![4, 5]);
        assert_eq!(all(&ix, "com"), vec![5]);
        assert_eq!(all(&ix, "example.org"), vec![5]);
        assert_eq!(ix.get("*.example.com"), Some(3));
        assert_eq!(ix.get("*.org"), None);
    }

    /// The dot scan (eight bytes at a time) visits what a scan of every dot visits, for
    /// hosts of every length around the word size and dots at every position.
    #[test]
    fn wildcards_at_every_dot_position() {
        let mut ix = HostIndex::new();
        let mut wilds = Vec::new();
        for (i, s) in [
            "c",
            "bc",
            "b.c",
            "aaaaaaa.c",
            "example.com",
            "x.example.com",
        ]
        .iter()
        .enumerate()
        {
            ix.insert(&format!("*.{s}"), i as u32);
            wilds.push((*s, i as u32));
        }
        // Suffix lengths in the second and fourth words of the length bitmap.
        let long = format!("{}.{}", "l".repeat(30), "m".repeat(40));
        let longest = format!("{}.{}", "n".repeat(63), long.repeat(2));
        for (i, s) in [&long, &longest].into_iter().enumerate() {
            ix.insert(&format!("*.{s}"), 50 + i as u32);
            wilds.push((s.as_str(), 50 + i as u32));
        }
        ix.insert("q.b.c", 100);
        ix.insert("*", 200);
        let labels = [
            "q",
            "b",
            "c",
            "bc",
            "aaaaaaa",
            "example",
            "com",
            "x",
            "zzzzzzzzz",
        ];
        let mut hosts = Vec::new();
        for a in labels {
            hosts.push(a.to_string());
            for b in labels {
                hosts.push(format!("{a}.{b}"));
                for c in labels {
                    hosts.push(format!("{a}.{b}.{c}"));
                    hosts.push(format!("{a}{b}.{c}.{a}.{b}.c"));
                }
            }
        }
        for s in [&long, &longest] {
            for prefix in ["", "q.", "a.b.", "x.c."] {
                hosts.push(format!("{prefix}{s}"));
            }
        }
        for host in &hosts {
            let mut want = Vec::new();
            if host == "q.b.c" {
                want.push(100);
            }
            for (dot, _) in host.match_indices('.').filter(|&(d, _)| d > 0) {
                let suffix = &host[dot + 1..];
                want.extend(wilds.iter().filter(|(s, _)| *s == suffix).map(|&(_, v)| v));
            }
            want.push(200);
            assert_eq!(all(&ix, host), want, "{host}");
        }
    }

    /// With isolation only the most specific matching hostname is tried.
    #[test]
    fn isolation_stops_at_first() {
        let mut ix = HostIndex::new();
        ix.insert("*.example.com", 3);
        ix.insert("*", 5);
        let mut seen = Vec::new();
        ix.find::<()>(Some("a.example.com"), true, |v, _| {
            seen.push(v);
            None
        });
        assert_eq!(seen, vec![3]);
    }

    /// Issue #15, finding 3: 200,000 wildcard hostnames under one label build in linear time
    /// (sorted inserts took 9-12 s) and each is found, most specific first.
    #[test]
    fn many_wildcards_under_one_label() {
        const N: u32 = 200_000;
        let mut ix = HostIndex::new();
        ix.insert("*.example.com", N);
        for i in 0..N {
            ix.insert(&format!("*.t{i}.example.com"), i);
        }
        for i in (0..N).step_by(1009).chain([N - 1]) {
            assert_eq!(ix.get(&format!("*.t{i}.example.com")), Some(i));
            assert_eq!(all(&ix, &format!("a.t{i}.example.com")), vec![i, N]);
        }
        assert_eq!(all(&ix, "a.tx.example.com"), vec![N]);
    }
}
