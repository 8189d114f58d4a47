//! Listener selection by hostname index (SPEC §2.5): the listeners of one port, found by one
//! hash probe for the precise hostname and one per label suffix of the host for wildcards,
//! instead of a scan over every listener of the port.

use super::host::{host_hash, HostMap, Unchecked};
use rustc_hash::FxHashMap;

/// Which listener of a port a host selects. Listeners are numbered in selection order (most
/// specific first, SPEC §2.5): the answer is the smallest number among the listeners whose
/// hostname matches, exactly what a scan in that order would find first.
#[derive(Debug, Default, Clone)]
pub(crate) struct ListenerIndex {
    /// Precise hostname → first listener with it.
    exact: HostMap,
    /// Suffix `s` of a wildcard hostname `*.s` → first listener with it.
    wildcard: FxHashMap<Box<str>, u32>,
    /// Bit `n` set when some wildcard suffix is `n` bytes long (`n` < 256): suffixes of other
    /// lengths are not probed.
    wildcard_lens: [u64; 4],
    /// First listener without a hostname (or with `*`): it matches every host.
    any: Option<u32>,
}

impl ListenerIndex {
    /// Indexes listener hostnames (lowercase) given in selection order.
    pub(crate) fn new<'a>(hostnames: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        let mut index = ListenerIndex::default();
        for (i, h) in hostnames.into_iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match h {
                None | Some("*") => {
                    index.any.get_or_insert(i);
                }
                Some(h) => match h.strip_prefix("*.") {
                    Some(suffix) => {
                        index.wildcard.entry(suffix.into()).or_insert(i);
                        if let Some(word) = index.wildcard_lens.get_mut(suffix.len() / 64) {
                            *word |= 1 << (suffix.len() % 64);
                        }
                    }
                    None => {
                        index.exact.get_or_insert(h, i);
                    }
                },
            }
        }
        index
    }

    /// The first listener (in selection order) whose hostname matches `host`, a normalized
    /// valid host; `None` (no valid host) matches only listeners without a hostname.
    ///
    /// Work: one hash probe of `host`, then one probe per `.` of `host` whose suffix length
    /// some wildcard has (a valid host has at most 127 dots and 253 bytes).
    pub(crate) fn select(&self, host: Option<&str>) -> Option<usize> {
        self.select_counting(host.map(|h| (h, host_hash(h.as_bytes()))), &mut 0)
    }

    /// [`select`](Self::select) for a host that may be unchecked (from
    /// [`prehash_authority`](super::host::prehash_authority)), with its
    /// [`host_hash`]. An exact hit proves the host valid and sets `checked`; when the answer
    /// depends on more (a miss among hostnames, a wildcard) and the host is not `checked`,
    /// calls `check` once: `false` is `Err(Unchecked)`, `true` sets `checked`. Without
    /// listener hostnames the answer is the same for every host and `check` is not called.
    #[inline]
    pub(crate) fn select_hashed(
        &self,
        host: Option<(&str, u64)>,
        checked: &mut bool,
        check: impl FnOnce() -> bool,
    ) -> Result<Option<usize>, Unchecked> {
        let mut best = self.any.unwrap_or(u32::MAX);
        if let Some((h, hash)) = host {
            let named = !self.exact.is_empty() || !self.wildcard.is_empty();
            let exact = if self.exact.is_empty() {
                None
            } else {
                self.exact.get_hashed(h, hash)
            };
            if let Some(i) = exact {
                *checked = true;
                best = best.min(i);
            } else if named && !*checked {
                if !check() {
                    return Err(Unchecked);
                }
                *checked = true;
            }
            if !self.wildcard.is_empty() {
                self.wildcard_best(h, &mut best, &mut 0);
            }
        }
        Ok((best != u32::MAX).then_some(best as usize))
    }

    /// [`select`](Self::select), adding the number of hash probes to `probes`.
    fn select_counting(&self, host: Option<(&str, u64)>, probes: &mut u32) -> Option<usize> {
        let mut best = self.any.unwrap_or(u32::MAX);
        if let Some((h, hash)) = host {
            if !self.exact.is_empty() {
                *probes += 1;
                if let Some(i) = self.exact.get_hashed(h, hash) {
                    best = best.min(i);
                }
            }
            self.wildcard_best(h, &mut best, probes);
        }
        (best != u32::MAX).then_some(best as usize)
    }

    /// Lowers `best` to the first listener whose wildcard hostname matches `h` (valid),
    /// adding the number of hash probes to `probes`.
    #[inline]
    fn wildcard_best(&self, h: &str, best: &mut u32, probes: &mut u32) {
        if self.wildcard.is_empty() {
            return;
        }
        // `*.s` matches `h` when `h` ends with `.s` and something precedes that dot.
        for (dot, _) in h.bytes().enumerate().filter(|&(i, b)| b == b'.' && i > 0) {
            let suffix = &h[dot + 1..];
            let n = suffix.len();
            let probe = self
                .wildcard_lens
                .get(n / 64)
                .is_some_and(|w| w & (1 << (n % 64)) != 0);
            if probe {
                *probes += 1;
                if let Some(&i) = self.wildcard.get(suffix) {
                    *best = (*best).min(i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::hostname_matches;

    /// The index answers what a scan in selection order answers, for every host.
    #[test]
    fn index_equals_scan() {
        let listeners: &[Option<&str>] = &[
            Some("a.example.com"),
            Some("b.example.com"),
            Some("a.example.com"),
            Some("*.x.example.com"),
            Some("*.example.com"),
            Some("*.com"),
            Some("*.example.com"),
            None,
            None,
        ];
        let index = ListenerIndex::new(listeners.iter().copied());
        let scan = |host: Option<&str>| {
            listeners.iter().position(|l| match (l, host) {
                (None, _) => true,
                (Some(p), Some(h)) => hostname_matches(p, h),
                (Some(_), None) => false,
            })
        };
        for host in [
            None,
            Some("a.example.com"),
            Some("b.example.com"),
            Some("c.example.com"),
            Some("y.x.example.com"),
            Some("x.example.com"),
            Some("example.com"),
            Some("com"),
            Some("a.b.c.org"),
            Some(".example.com"),
            Some("q.com"),
        ] {
            assert_eq!(index.select(host), scan(host), "{host:?}");
        }
        let none = ListenerIndex::new([Some("a.example.com"), Some("*.b.example.com")]);
        assert_eq!(none.select(None), None);
        assert_eq!(none.select(Some("b.example.com")), None);
        assert_eq!(none.select(Some("x.b.example.com")), Some(1));
    }

    /// 64,000 listeners (1,000 ListenerSets × 64) on one port: a selection costs at most one
    /// probe plus one per `.` of the host, whatever the number of listeners (the former scan
    /// compared up to 64,000 hostnames).
    #[test]
    fn selection_work_does_not_grow_with_listeners() {
        let mut names: Vec<String> = Vec::new();
        for s in 0..1_000 {
            for l in 0..64 {
                names.push(if l % 2 == 0 {
                    format!("l{l}.s{s}.example.com")
                } else {
                    format!("*.w{l}.s{s}.example.com")
                });
            }
        }
        let mut hostnames: Vec<Option<&str>> = names.iter().map(|n| Some(n.as_str())).collect();
        hostnames.sort_by_key(|h| crate::compile::listener_specificity(*h));
        hostnames.push(None);
        let index = ListenerIndex::new(hostnames.iter().copied());
        for (host, want) in [
            ("unknown.example.org", Some(hostnames.len() - 1)),
            (
                "l0.s999.example.com",
                hostnames
                    .iter()
                    .position(|h| *h == Some("l0.s999.example.com")),
            ),
            (
                "a.b.w63.s999.example.com",
                hostnames
                    .iter()
                    .position(|h| *h == Some("*.w63.s999.example.com")),
            ),
        ] {
            let mut probes = 0;
            assert_eq!(
                index.select_counting(Some((host, host_hash(host.as_bytes()))), &mut probes),
                want,
                "{host}"
            );
            let dots = host.bytes().filter(|&b| b == b'.').count() as u32;
            assert!(probes <= 1 + dots, "{host}: {probes} probes");
        }
    }
}
