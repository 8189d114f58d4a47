//! User regular expressions as fully determinized DFAs (issue #15, findings 1, 2 and 8).
//!
//! Every RegularExpression the engine runs (HTTPRoute path, header and query-parameter values,
//! GRPCRoute service, method and header values) goes through [`build`], at validation and at
//! compile time alike, so the two cannot disagree:
//!
//! 1. the pattern is parsed once with `regex-syntax` (RE2 syntax, Unicode on, only valid
//!    UTF-8 matched: the language the `regex` crate accepts);
//! 2. the full-match form `\A(?:pattern)\z` is built from the syntax tree, never by string
//!    concatenation, so flags such as `(?x)` (whose `# comment` would swallow a textual `)$`),
//!    `(?i)`, `(?s)` and `(?m)` stay inside the pattern;
//! 3. a Thompson NFA and then a dense DFA are built up front, anchored at the start only, each
//!    step under the byte limit given by the caller (NFA heap, determinization scratch and the
//!    DFA itself are each capped, so building costs bounded memory and time).
//!
//! A lookup is then one table transition per input byte plus one end-of-input transition
//! ([`Dfa::is_match`]): no search cache, no per-thread state, no fallback to an NFA
//! simulation, no allocation. The only construct a DFA cannot run is a Unicode word boundary
//! (`\b`, `\B` with Unicode on); such patterns are refused with a message suggesting the
//! ASCII form `(?-u:\b)`.
//!
//! Path parameters (issue #16, item 4): a pattern with named groups also gets a one-pass DFA
//! with captures ([`Captures`], `regex-automata`'s `dfa::onepass`), built under the same
//! limit and counted with the DFA in the regex budgets. It runs only when a caller asks a
//! match for its parameters: one table transition per path byte, writing capture offsets into
//! a stack array, with one per-thread scratch list of 32 offsets (256 bytes) allocated once per
//! thread. A pattern that is not one-pass (for example `(?P<a>.*)/(?P<b>.*)`, where a `/`
//! could end either group) or has more than 16 groups gets no capture engine: its matches have
//! no parameters.

use regex_automata::dfa::{dense, onepass, sparse, Automaton, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::Input;
use regex_automata::{Anchored, MatchKind};
use regex_syntax::hir::{Hir, HirKind, Look};
use std::cell::RefCell;
use std::sync::OnceLock;

/// Dense DFAs up to this size are kept dense (one table load per byte); larger ones are
/// converted to the sparse representation, typically 10-15 times smaller for Unicode classes
/// (`\w`: 168 KB dense, 11 KB sparse) at the price of a scan of the state's byte ranges per
/// byte (at most 256 comparisons, usually a handful).
const DENSE_MAX: usize = 16 << 10;

/// The determinization's scratch space may take `limit / SCRATCH_SHARE` bytes. Its size is
/// what makes a build slow (about 25 ns per byte: a pattern like `(?:a?){1000}a*b` has few DFA
/// states, each a set of ~1,000 NFA states), so it gets an eighth of the limit: 128 KiB by
/// default, enough for Unicode classes (`/users/\w+` needs < 64 KiB).
pub(crate) const SCRATCH_SHARE: usize = 8;

/// A compiled, anchored (full-match) regular expression.
#[derive(Debug, Clone)]
pub(crate) struct Dfa {
    engine: Engine,
    /// Heap bytes of the NFA and the dense DFA as built (before a conversion to sparse).
    built: usize,
    /// The start state for a haystack's beginning (anchored).
    start: StateID,
    /// Named groups: the capture engine, when the pattern is one-pass.
    captures: Option<Box<Captures>>,
    /// What every match starts with.
    lead: Lead,
}

/// A necessary condition of a match read without the DFA (issue #20, item 3): the bytes
/// every match of the pattern starts with (its leading literal, `/orders/files/` for
/// `/orders/files/.*\.png`), as its length and its first and last eight bytes. A haystack
/// shorter than the literal, or whose words differ, cannot match: a lookup rejects it with
/// integer comparisons on the path it already holds, without touching the DFA's tables.
/// Exact for literals up to sixteen bytes; for longer ones the bytes between are left to
/// the DFA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lead {
    /// The literal's length in bytes (0: no leading literal, everything passes).
    len: u32,
    /// Its first `min(8, len)` bytes, little-endian, zero above.
    head: u64,
    /// Its last eight bytes when it is longer than eight, else 0.
    tail: u64,
}

/// Words of a [`Lead`] stored in a path index ([`Lead::to_words`]).
pub(crate) const LEAD_WORDS: usize = 5;

/// The little-endian word of `b`'s first `min(8, b.len())` bytes, zero above.
#[inline(always)]
fn head_word(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = b.len().min(8);
    w[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(w)
}

impl Lead {
    /// The lead of literal `lit`.
    pub(crate) fn of(lit: &[u8]) -> Lead {
        let Ok(len) = u32::try_from(lit.len()) else {
            return Lead::default();
        };
        let tail = match lit.len().checked_sub(8) {
            Some(at) if at > 0 => head_word(&lit[at..]),
            _ => 0,
        };
        Lead {
            len,
            head: head_word(lit),
            tail,
        }
    }

    /// Stored as words: length, head (low, high), tail (low, high).
    pub(crate) fn to_words(self) -> [u32; LEAD_WORDS] {
        [
            self.len,
            self.head as u32,
            (self.head >> 32) as u32,
            self.tail as u32,
            (self.tail >> 32) as u32,
        ]
    }

    /// Whether `hay` may match a pattern whose lead is stored as `w` ([`Lead::to_words`]):
    /// `false` proves the pattern's DFA would answer no. A few integer operations; reads
    /// only `hay`'s first and last eight bytes of the literal's span.
    #[inline(always)]
    pub(crate) fn admits(w: &[u32; LEAD_WORDS], hay: &[u8]) -> bool {
        let len = w[0] as usize;
        if hay.len() < len {
            return false;
        }
        let wide = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
        // The haystack's first eight bytes (fewer for a shorter one) as one load, masked
        // to the literal's length.
        let first = match hay.first_chunk::<8>() {
            Some(b) => u64::from_le_bytes(*b),
            None => head_word(hay),
        };
        let mask = if len >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * len)) - 1
        };
        if first & mask != wide(w[1], w[2]) {
            return false;
        }
        if len <= 8 {
            return true;
        }
        hay.get(len - 8..len)
            .and_then(|b| b.first_chunk::<8>())
            .is_some_and(|b| u64::from_le_bytes(*b) == wide(w[3], w[4]))
    }
}

/// The bytes every match of `hir` starts with, appended to `out`; whether all of `hir` was
/// literal (so that what follows it in a concatenation continues the literal). Zero-width
/// assertions consume nothing and are passed over; any other construct ends the literal
/// (a case-insensitive letter is a class, not a literal). Recursion is bounded by the
/// parser's nesting limit.
fn leading_literal(hir: &Hir, out: &mut Vec<u8>) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => {
            out.extend_from_slice(&l.0);
            true
        }
        HirKind::Capture(c) => leading_literal(&c.sub, out),
        HirKind::Concat(parts) => parts.iter().all(|p| leading_literal(p, out)),
        _ => false,
    }
}

/// Most slots a capture search writes: the whole match's two and the one-pass DFA's limit of
/// 32 explicit slots (16 groups).
pub(crate) const MAX_SLOTS: usize = 2 + 32;

/// Capture offsets of one search: `2 * g` and `2 * g + 1` are group `g`'s start and end.
pub(crate) type Slots = [Option<NonMaxUsize>; MAX_SLOTS];

/// A one-pass DFA with the pattern's capture groups.
#[derive(Debug, Clone)]
pub(crate) struct Captures {
    dfa: onepass::DFA,
    /// Heap bytes of its NFA and its table.
    bytes: usize,
}

/// The widest one-pass DFA (16 groups, the limit): per-thread scratch is sized for it, once.
/// Built when the first capture engine is built, so never during a lookup.
fn widest() -> Option<&'static onepass::DFA> {
    static WIDEST: OnceLock<Option<onepass::DFA>> = OnceLock::new();
    WIDEST
        .get_or_init(|| onepass::DFA::new(&"()".repeat(16)).ok())
        .as_ref()
}

thread_local! {
    /// Scratch of the one-pass capture search: created on a thread's first capture search,
    /// sized for the widest engine (32 offsets, 256 bytes), then reused: one
    /// allocation per thread.
    static CACHE: RefCell<Option<onepass::Cache>> = const { RefCell::new(None) };
}

impl Captures {
    /// Builds the capture engine of `anchored` (the full-match syntax tree) under `limit`:
    /// `None` without named groups, for a pattern that is not one-pass, or over the limit.
    fn build(anchored: &Hir, limit: usize) -> Option<Captures> {
        if anchored.properties().explicit_captures_len() == 0 {
            return None;
        }
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(limit))
                    .which_captures(thompson::WhichCaptures::All),
            )
            .build_from_hir(anchored)
            .ok()?;
        let gi = nfa.group_info();
        let named = (1..gi.group_len(regex_automata::PatternID::ZERO))
            .any(|i| gi.to_name(regex_automata::PatternID::ZERO, i).is_some());
        if !named || gi.slot_len() > MAX_SLOTS {
            return None;
        }
        let nfa_bytes = nfa.memory_usage();
        let dfa = onepass::Builder::new()
            .configure(onepass::Config::new().size_limit(Some(limit)))
            .build_from_nfa(nfa)
            .ok()?;
        widest()?;
        let bytes = nfa_bytes + dfa.memory_usage();
        Some(Captures { dfa, bytes })
    }

    /// Number of groups, the whole match (group 0) included.
    pub(crate) fn group_len(&self) -> usize {
        self.dfa
            .get_nfa()
            .group_info()
            .group_len(regex_automata::PatternID::ZERO)
    }

    /// The name of group `i`, `None` for an unnamed one.
    pub(crate) fn name(&self, i: usize) -> Option<&str> {
        self.dfa
            .get_nfa()
            .group_info()
            .to_name(regex_automata::PatternID::ZERO, i)
    }

    /// Runs the one-pass search over the whole of `hay` (anchored at both ends): whether it
    /// matched, with the groups' offsets in `slots`. At most `hay.len() + 1` transitions; no
    /// allocation once this thread's scratch exists (its first call creates it).
    pub(crate) fn search(&self, hay: &[u8], slots: &mut Slots) -> bool {
        let n = self.dfa.get_nfa().group_info().slot_len().min(MAX_SLOTS);
        let input = Input::new(hay).anchored(Anchored::Yes);
        CACHE.with(|c| {
            let Ok(mut c) = c.try_borrow_mut() else {
                return false;
            };
            let cache = match &mut *c {
                Some(cache) => cache,
                None => match widest() {
                    Some(w) => c.insert(onepass::Cache::new(w)),
                    None => return false,
                },
            };
            matches!(
                self.dfa.try_search_slots(cache, &input, &mut slots[..n]),
                Ok(Some(_))
            )
        })
    }
}

#[derive(Debug, Clone)]
enum Engine {
    Dense(dense::DFA<Vec<u32>>),
    Sparse(sparse::DFA<Vec<u8>>),
}

/// Why a pattern could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BuildError {
    /// The pattern is not valid (syntax, invalid UTF-8, unsupported construct): one line.
    Invalid(String),
    /// The NFA, the determinization or the DFA needs more than the given number of bytes.
    TooBig(usize),
}

/// Parses `pattern`, anchors it at both ends from its syntax tree, and builds its DFA within
/// `limit` bytes (the NFA, the DFA) and `limit / 8` bytes of determinization scratch.
pub(crate) fn build(pattern: &str, limit: usize) -> Result<Dfa, BuildError> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| BuildError::Invalid(one_line(&e.to_string())))?;
    if hir.properties().look_set().contains_word_unicode() {
        return Err(BuildError::Invalid(
            "Unicode word boundaries (\\b, \\B) are not supported; use the ASCII form \
             (?-u:\\b) or (?-u:\\B)"
                .to_string(),
        ));
    }
    let mut lit = Vec::new();
    leading_literal(&hir, &mut lit);
    let lead = Lead::of(&lit);
    let anchored = Hir::concat(vec![Hir::look(Look::Start), hir, Hir::look(Look::End)]);
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(limit))
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_from_hir(&anchored)
        .map_err(|e| match e.size_limit() {
            Some(_) => BuildError::TooBig(limit),
            None => BuildError::Invalid(one_line(&e.to_string())),
        })?;
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .match_kind(MatchKind::All)
                .dfa_size_limit(Some(limit))
                .determinize_size_limit(Some(limit / SCRATCH_SHARE)),
        )
        .build_from_nfa(&nfa)
        .map_err(|e| {
            if e.is_size_limit_exceeded() {
                BuildError::TooBig(limit)
            } else {
                BuildError::Invalid(one_line(&e.to_string()))
            }
        })?;
    let captures = Captures::build(&anchored, limit).map(Box::new);
    let at_start = start::Config::new().anchored(Anchored::Yes);
    let invalid = |e: &dyn std::fmt::Display| BuildError::Invalid(one_line(&e.to_string()));
    let cap_bytes = captures.as_ref().map_or(0, |c| c.bytes);
    let built = nfa.memory_usage() + dfa.memory_usage() + cap_bytes;
    if dfa.memory_usage() <= DENSE_MAX {
        let start = dfa.start_state(&at_start).map_err(|e| invalid(&e))?;
        return Ok(Dfa {
            engine: Engine::Dense(dfa),
            built,
            start,
            captures,
            lead,
        });
    }
    let dfa = dfa.to_sparse().map_err(|e| invalid(&e))?;
    let start = dfa.start_state(&at_start).map_err(|e| invalid(&e))?;
    Ok(Dfa {
        engine: Engine::Sparse(dfa),
        built,
        start,
        captures,
        lead,
    })
}

/// Runs `dfa` from `start` over `hay`: whether it matches and the transitions taken.
#[inline]
fn run<A: Automaton>(dfa: &A, start: StateID, hay: &[u8]) -> (bool, usize) {
    let mut sid = start;
    for (i, &b) in hay.iter().enumerate() {
        sid = dfa.next_state(sid, b);
        // Built without quit bytes, a DFA never enters a quit state; dead means no match.
        if dfa.is_special_state(sid) && (dfa.is_dead_state(sid) || dfa.is_quit_state(sid)) {
            return (false, i + 1);
        }
    }
    let end = dfa.next_eoi_state(sid);
    (dfa.is_match_state(end), hay.len() + 1)
}

/// The first line of a `regex-syntax` message that says what is wrong.
fn one_line(text: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or("syntax error"))
        .to_string()
}

impl Dfa {
    /// Whether the whole of `hay` matches: `hay.len() + 1` transitions at most, no allocation.
    #[inline]
    pub(crate) fn is_match(&self, hay: &[u8]) -> bool {
        self.run(hay).0
    }

    /// [`Dfa::is_match`] and the number of transitions it took (tests bound the work).
    #[inline]
    pub(crate) fn run(&self, hay: &[u8]) -> (bool, usize) {
        match &self.engine {
            Engine::Dense(d) => run(d, self.start, hay),
            Engine::Sparse(d) => run(d, self.start, hay),
        }
    }

    /// Heap bytes of the DFA and its capture engine as kept (what the budgets of
    /// [`crate::Options`] count).
    pub(crate) fn memory_usage(&self) -> usize {
        let caps = self.captures.as_ref().map_or(0, |c| c.bytes);
        caps + match &self.engine {
            Engine::Dense(d) => d.memory_usage(),
            Engine::Sparse(d) => d.memory_usage(),
        }
    }

    /// What every match starts with ([`Lead`]).
    pub(crate) fn lead(&self) -> Lead {
        self.lead
    }

    /// The capture engine: the pattern has named groups and is one-pass.
    pub(crate) fn captures(&self) -> Option<&Captures> {
        self.captures.as_deref()
    }

    /// Heap bytes of the NFA and the dense DFA as built. With the scratch cap
    /// (`limit / SCRATCH_SHARE`) this bounds the memory a build touched, and so its work:
    /// validation's per-route budget counts it.
    pub(crate) fn built_bytes(&self) -> usize {
        self.built
    }

    /// Builds `pattern` with the default per-regex limit (tests).
    #[cfg(test)]
    pub(crate) fn new(pattern: &str) -> Result<Dfa, BuildError> {
        build(pattern, crate::Options::default().regex_size_limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    fn m(p: &str, hay: &str) -> bool {
        build(p, MIB).unwrap().is_match(hay.as_bytes())
    }

    #[test]
    fn full_match_semantics() {
        assert!(m("/foo/[0-9]+", "/foo/12"));
        assert!(!m("/foo/[0-9]+", "/foo/12/"));
        assert!(!m("/foo/[0-9]+", "x/foo/12"));
        assert!(m("a|ab", "ab"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("(?i)/ADMIN", "/admin"));
        assert!(m("(?s)a.b", "a\nb"));
        assert!(!m("a.b", "a\nb"));
        assert!(m("(?m)a$\n^b", "a\nb"));
        assert!(m("é.", "éé"));
        assert!(m(r"(?-u:\b)ab(?-u:\b)", "ab"));
    }

    #[test]
    fn extended_mode_comments_stay_inside_the_pattern() {
        // A textual `^(?:...)$` would put `)$` inside the comment.
        let p = "(?x) /admin/ .* # everything under admin";
        assert!(m(p, "/admin/users"));
        assert!(!m(p, "/public"));
        assert!(m("(?x)/a # c\n|/b # d", "/b"));
    }

    #[test]
    fn errors_are_one_line() {
        assert!(matches!(build("(", MIB), Err(BuildError::Invalid(e)) if !e.contains('\n')));
        assert!(matches!(
            build(r"\p{Foo}", MIB),
            Err(BuildError::Invalid(_))
        ));
        assert!(
            matches!(build(r"\bx", MIB), Err(BuildError::Invalid(e)) if e.contains("(?-u:\\b)"))
        );
        assert!(matches!(
            build(r"(?-u:\xFF)", MIB),
            Err(BuildError::Invalid(_))
        ));
        assert_eq!(
            build("a{100}{100}{100}", MIB).unwrap_err(),
            BuildError::TooBig(MIB)
        );
        assert_eq!(
            build("(?:(?:a?){100}){100}.*b", MIB).unwrap_err(),
            BuildError::TooBig(MIB)
        );
    }

    #[test]
    fn work_is_one_transition_per_byte() {
        let d = build("/(?:a|aa)*b", MIB).unwrap();
        let hay = format!("/{}", "a".repeat(16 * 1024));
        assert_eq!(d.run(hay.as_bytes()), (false, hay.len() + 1));
        // Finding 1's shapes that fit the limit: still one transition per byte.
        for p in [
            "/(?:(?:a?){10}){10}.*b",
            "(?:a|aa)*(?:a*)*c",
            "/(?:a?){100}a*b",
        ] {
            let d = build(p, MIB).unwrap();
            let slash = if p.starts_with('/') { "/" } else { "" };
            let hay = format!("{slash}{}", "a".repeat(100_000));
            assert_eq!(d.run(hay.as_bytes()), (false, hay.len() + 1), "{p}");
        }
        let d = build("/x.*", MIB).unwrap();
        assert_eq!(d.run(b"/y/aaaa"), (false, 2));
        // Sparse (Unicode classes) too.
        let d = build(r"/users/\w+", MIB).unwrap();
        assert!(matches!(d.engine, Engine::Sparse(_)));
        assert_eq!(d.run("/users/Zoë".as_bytes()), (true, 12));
        assert_eq!(d.run(b"/users/a/b"), (false, 9));
    }

    /// Capture engines: only for named groups in one-pass patterns of at most 16 groups,
    /// counted in the memory, and right on the whole match.
    #[test]
    fn capture_engines() {
        let caps = |p: &str| build(p, MIB).unwrap().captures.is_some();
        assert!(caps("/u/(?P<id>[0-9]+)"));
        assert!(caps("/u/(?<id>[0-9]+)(/.*)?"));
        assert!(!caps("/u/([0-9]+)"), "no named group");
        assert!(!caps("/u/[0-9]+"));
        assert!(!caps("/(?P<a>.*)/(?P<b>.*)"), "not one-pass");
        let many: String = (0..17).map(|i| format!("/(?P<g{i}>x)")).collect();
        assert!(!caps(&many), "over 16 groups");
        let sixteen: String = (0..16).map(|i| format!("/(?P<g{i}>x)")).collect();
        assert!(caps(&sixteen));
        let plain = build("/u/([0-9]+)", MIB).unwrap();
        let named = build("/u/(?P<id>[0-9]+)", MIB).unwrap();
        assert!(named.memory_usage() > plain.memory_usage());
        assert!(named.built_bytes() >= named.memory_usage());
        let c = named.captures().unwrap();
        assert_eq!((c.group_len(), c.name(0), c.name(1)), (2, None, Some("id")));
        let mut slots: Slots = [None; MAX_SLOTS];
        assert!(c.search(b"/u/123", &mut slots));
        let at = |i: usize| slots[i].map(|s| s.get());
        assert_eq!((at(2), at(3)), (Some(3), Some(6)));
        // Full match only: a prefix match or trailing bytes are no match.
        assert!(!c.search(b"/u/123/", &mut slots));
        assert!(!c.search(b"x/u/1", &mut slots));
        // The capture engine's NFA and table are each built under the limit too.
        for limit in [256 << 10, MIB] {
            let d = build(r"/(?P<w>\w+)/(?P<n>[0-9]+)", limit).unwrap();
            assert!(d.memory_usage() <= 3 * limit, "{limit}");
        }
    }

    #[test]
    fn the_dfa_respects_its_limit() {
        for limit in [4 << 10, 64 << 10, MIB] {
            match build("/[a-z]{14000}N", limit) {
                Ok(d) => assert!(d.memory_usage() <= limit),
                Err(e) => assert_eq!(e, BuildError::TooBig(limit)),
            }
        }
    }

    /// The leading literal of a pattern: its literal bytes up to the first other construct,
    /// through groups and over zero-width assertions; none for a case-insensitive start.
    #[test]
    fn leading_literals() {
        let lead = |p: &str| {
            let hir = regex_syntax::ParserBuilder::new().build().parse(p).unwrap();
            let mut out = Vec::new();
            leading_literal(&hir, &mut out);
            String::from_utf8(out).unwrap()
        };
        for (pattern, want) in [
            (r"/orders/files/.*\.(png|jpg)", "/orders/files/"),
            (r"/api/v[0-9]+/x", "/api/v"),
            (r"/a(b)(?:cd)e*f", "/abcd"),
            (r"^/a\b/b", "/a/b"),
            (r"/caf\x{e9}/[a-z]+", "/caf\u{e9}/"),
            (r"(?i)/abc", "/"),
            (r"/ab?c", "/a"),
            (r"/a|/b", ""),
            (r".*", ""),
            (r"", ""),
        ] {
            assert_eq!(lead(pattern), want, "{pattern}");
        }
    }

    /// A lead never rejects a haystack its DFA accepts, and rejects haystacks that differ
    /// from the literal in its first or last eight bytes (exactly up to sixteen bytes) or
    /// are shorter than it.
    #[test]
    fn a_lead_rejects_only_what_the_dfa_rejects() {
        let patterns = [
            r"/orders/files/.*\.(png|jpg)",
            r"/a/[^/]+",
            r"/abcdefgh",
            r"/abcdefg[0-9]",
            r"/abcdefghijklmnop",
            r"/abcdefghijklmnopqrstuvwxyz.*",
            r"/x(?:yz)?",
            r"(?i)/Mixed",
            r"/caf\x{e9}/.*",
            r"[a-z]*",
        ];
        let mut hays: Vec<Vec<u8>> = vec![Vec::new()];
        for base in [
            "/orders/files/a/b.png",
            "/a/x",
            "/abcdefgh",
            "/abcdefg7",
            "/abcdefghijklmnop",
            "/abcdefghijklmnopqrstuvwxyz/more",
            "/x",
            "/xyz",
            "/MIXED",
            "/caf\u{e9}/menu",
            "abc",
        ] {
            let b = base.as_bytes();
            for cut in 0..=b.len() {
                hays.push(b[..cut].to_vec());
            }
            for i in 0..b.len() {
                let mut m = b.to_vec();
                m[i] ^= 0x20;
                hays.push(m);
            }
        }
        let mut rejected = 0;
        for p in patterns {
            let d = build(p, MIB).unwrap();
            let w = d.lead().to_words();
            for h in &hays {
                let admitted = Lead::admits(&w, h);
                assert!(
                    admitted || !d.is_match(h),
                    "{p} rejected {h:?}, which matches"
                );
                rejected += usize::from(!admitted);
                // Up to sixteen bytes the lead is exact: it admits what starts with it.
                let lit = &h[..h.len().min(w[0] as usize)];
                if lit.len() < w[0] as usize {
                    assert!(!admitted, "{p} admitted {h:?}, shorter than its literal");
                } else if w[0] <= 16 {
                    let again = Lead::of(lit).to_words();
                    assert_eq!(admitted, again == w, "{p} {h:?}");
                }
            }
        }
        assert!(rejected > hays.len(), "{rejected}");
        // Long literals: the first and last eight bytes decide; a difference between them
        // is left to the DFA.
        let w = Lead::of(b"/abcdefghijklmnopqrstuvwxyz").to_words();
        assert!(Lead::admits(&w, b"/abcdefghijklmnopqrstuvwxyz/x"));
        assert!(!Lead::admits(&w, b"/abcdXfghijklmnopqrstuvwxyz/x"));
        assert!(!Lead::admits(&w, b"/abcdefghijklmnopqrsXuvwxyz/x"));
        assert!(Lead::admits(&w, b"/abcdefghijkXmnopqrstuvwxyz/x"));
        assert!(!Lead::admits(&w, b"/abcdefghijklmnopqrstuvwxy"));
        // No literal: everything passes.
        let none = Lead::default().to_words();
        assert!(Lead::admits(&none, b"") && Lead::admits(&none, b"anything"));
    }
}
