//! [`Chunked`]: the persistent vector behind a [`crate::compile::Compiled`]'s tables (routes,
//! rules, matches, vhosts, regexes), so that the next version of a Router shares every table
//! chunk an incremental update did not touch (issue #18).
//!
//! Elements live in chunks of [`CHUNK`] behind `Arc`s. Cloning a `Chunked` clones the chunk
//! pointers only; [`Chunked::push`], [`Chunked::get_mut`] and `IndexMut` copy the one chunk
//! they write when another version shares it (copy on write), so a version is never changed
//! under a reader.
//!
//! A chunk is one allocation, `Arc<[T]>`: its counts and its elements together, so reading
//! element `i` costs one load more than a flat vector (the chunk pointer, with its length
//! beside it) and touches one allocation, not an `Arc` and a vector buffer apart, each on its
//! own page (issue #20, item 3). Every chunk holds `CHUNK` elements but the last. Elements
//! are pushed onto a growable tail, `Arc<Vec<T>>`, moved into a chunk when it is full;
//! [`Chunked::seal`] moves a partly filled tail into a last, shorter chunk, so that a finished
//! table's reads never take the tail's extra step (a compiled Router seals its tables).

use std::sync::Arc;

/// Elements per chunk (a power of two).
pub(crate) const CHUNK: usize = 64;
const SHIFT: u32 = CHUNK.trailing_zeros();
const MASK: usize = CHUNK - 1;

/// A vector of `T` in shared, copy-on-write chunks.
///
/// Invariant: every chunk but the last holds `CHUNK` elements; when the last holds fewer,
/// the tail is empty. Element `i` is in chunk `i / CHUNK`, or in the tail when there is no
/// such chunk.
#[derive(Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Arc<[T]>>,
    /// Fewer than `CHUNK` elements after the chunks.
    tail: Arc<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            tail: Arc::new(Vec::new()),
            len: 0,
        }
    }
}

impl<T> Clone for Chunked<T> {
    /// Shares every chunk (no element is cloned).
    fn clone(&self) -> Self {
        Chunked {
            chunks: self.chunks.clone(),
            tail: Arc::clone(&self.tail),
            len: self.len,
        }
    }
}

impl<T> Chunked<T> {
    /// An empty vector.
    pub(crate) fn new() -> Self {
        Chunked::default()
    }

    /// Number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Element `i`, if any.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        match self.chunks.get(i >> SHIFT) {
            Some(chunk) => chunk.get(i & MASK),
            None => self.tail_get(i),
        }
    }

    /// [`Chunked::get`] past the chunks: out of line, since a sealed table's lookups never
    /// come here but for an index out of range.
    #[cold]
    #[inline(never)]
    fn tail_get(&self, i: usize) -> Option<&T> {
        if i >> SHIFT == self.chunks.len() {
            self.tail.get(i & MASK)
        } else {
            None
        }
    }

    /// Every element in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.iter())
            .chain(self.tail.iter())
    }

    /// Whether `self` and `other` share chunk `k` (tests of sharing; the tail counts as
    /// the chunk after the others).
    #[cfg(test)]
    pub(crate) fn shares_chunk(&self, other: &Chunked<T>, k: usize) -> bool {
        match (self.chunks.get(k), other.chunks.get(k)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) if k == self.chunks.len() && k == other.chunks.len() => {
                Arc::ptr_eq(&self.tail, &other.tail)
            }
            _ => false,
        }
    }

    /// Whether the elements all lie in chunks (the tail is empty).
    #[cfg(test)]
    pub(crate) fn is_sealed(&self) -> bool {
        self.tail.is_empty()
    }
}

impl<T: Clone> Chunked<T> {
    /// Appends `value`; copies the tail (or a sealed last chunk) first if another version
    /// shares it.
    pub(crate) fn push(&mut self, value: T) {
        if self.tail.is_empty() && self.chunks.last().is_some_and(|c| c.len() < CHUNK) {
            // Sealed: the short last chunk becomes the tail again.
            if let Some(last) = self.chunks.pop() {
                self.tail = Arc::new(last.to_vec());
            }
        }
        let tail = Arc::make_mut(&mut self.tail);
        if tail.capacity() < CHUNK {
            tail.reserve_exact(CHUNK - tail.len());
        }
        tail.push(value);
        self.len += 1;
        if tail.len() == CHUNK {
            self.chunks.push(Arc::from(std::mem::take(tail)));
        }
    }

    /// Moves a partly filled tail into a last chunk of its own: reads of every element then
    /// take the chunk path. Pushing again afterwards is allowed (it copies that chunk back).
    pub(crate) fn seal(&mut self) {
        if !self.tail.is_empty() {
            let tail = std::mem::replace(&mut self.tail, Arc::new(Vec::new()));
            self.chunks.push(Arc::from(Arc::unwrap_or_clone(tail)));
        }
    }

    /// Element `i`, writable; copies its chunk first if another version shares it.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let n = self.chunks.len();
        match self.chunks.get_mut(i >> SHIFT) {
            Some(chunk) => Arc::make_mut(chunk).get_mut(i & MASK),
            None if i >> SHIFT == n => Arc::make_mut(&mut self.tail).get_mut(i & MASK),
            None => None,
        }
    }
}

impl<T> std::ops::Index<usize> for Chunked<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        match self.get(i) {
            Some(v) => v,
            None => panic!("index {i} out of range for a table of {}", self.len()),
        }
    }
}

impl<T: Clone> std::ops::IndexMut<usize> for Chunked<T> {
    /// Copies the element's chunk first if another version shares it.
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut T {
        let len = self.len();
        match self.get_mut(i) {
            Some(v) => v,
            None => panic!("index {i} out of range for a table of {len}"),
        }
    }
}

impl<T: Clone> FromIterator<T> for Chunked<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut out = Chunked::new();
        for v in iter {
            out.push(v);
        }
        out
    }
}

impl<T: Clone> From<Vec<T>> for Chunked<T> {
    fn from(v: Vec<T>) -> Self {
        v.into_iter().collect()
    }
}

/// A sequence of `T` in shared, copy-on-write chunks of varying length (at most
/// `2 * CHUNK`), with insertion and removal at any position: what a Router's report keeps of
/// its route statuses, so that a live update copies only the chunks of the routes it changes.
#[derive(Debug)]
pub(crate) struct Rope<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for Rope<T> {
    fn default() -> Self {
        Rope {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Clone for Rope<T> {
    /// Shares every chunk (no element is cloned).
    fn clone(&self) -> Self {
        Rope {
            chunks: self.chunks.clone(),
            len: self.len,
        }
    }
}

impl<T> Rope<T> {
    /// The elements of `v`, in chunks of [`CHUNK`].
    pub(crate) fn from_vec(v: Vec<T>) -> Rope<T> {
        let len = v.len();
        let mut chunks = Vec::with_capacity(len.div_ceil(CHUNK));
        let mut it = v.into_iter().peekable();
        while it.peek().is_some() {
            chunks.push(Arc::new(it.by_ref().take(CHUNK).collect()));
        }
        Rope { chunks, len }
    }

    /// Number of elements.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The chunk and offset of position `pos` (`pos == len`: the end of the last chunk).
    fn locate(&self, mut pos: usize) -> Option<(usize, usize)> {
        for (k, c) in self.chunks.iter().enumerate() {
            if pos < c.len() || (pos == c.len() && k + 1 == self.chunks.len()) {
                return Some((k, pos));
            }
            pos -= c.len();
        }
        None
    }
}

impl<T: Clone> Rope<T> {
    /// Inserts `value` at `pos` (at the end when `pos >= len`); copies one chunk when another
    /// version shares it.
    pub(crate) fn insert(&mut self, pos: usize, value: T) {
        let Some((k, at)) = self.locate(pos.min(self.len)) else {
            self.chunks.push(Arc::new(vec![value]));
            self.len += 1;
            return;
        };
        let chunk = Arc::make_mut(&mut self.chunks[k]);
        chunk.insert(at, value);
        if chunk.len() > 2 * CHUNK {
            let tail = chunk.split_off(CHUNK);
            self.chunks.insert(k + 1, Arc::new(tail));
        }
        self.len += 1;
    }

    /// Removes the element at `pos`, if any; copies one chunk when another version shares it.
    pub(crate) fn remove(&mut self, pos: usize) -> Option<T> {
        if pos >= self.len {
            return None;
        }
        let (k, at) = self.locate(pos)?;
        let chunk = Arc::make_mut(&mut self.chunks[k]);
        let out = chunk.remove(at);
        if chunk.is_empty() {
            self.chunks.remove(k);
        }
        self.len -= 1;
        Some(out)
    }

    /// The elements, cloned into one vector.
    pub(crate) fn to_vec(&self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        for c in &self.chunks {
            out.extend(c.iter().cloned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_index_and_iterate_across_chunks() {
        let v: Chunked<usize> = (0..3 * CHUNK + 5).collect();
        assert_eq!(v.len(), 3 * CHUNK + 5);
        for i in 0..v.len() {
            assert_eq!(v[i], i);
            assert_eq!(v.get(i), Some(&i));
        }
        assert_eq!(v.get(v.len()), None);
        assert_eq!(
            v.iter().copied().collect::<Vec<_>>(),
            (0..v.len()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn writes_copy_only_the_chunk_they_touch() {
        let a: Chunked<String> = (0..3 * CHUNK).map(|i| i.to_string()).collect();
        let mut b = a.clone();
        b[CHUNK + 1] = "x".to_string();
        b.push("tail".to_string());
        // `a` is unchanged; `b` shares chunks 0 and 2 with it and owns a copy of chunk 1.
        assert_eq!(a[CHUNK + 1], (CHUNK + 1).to_string());
        assert_eq!(a.len(), 3 * CHUNK);
        assert_eq!(b[CHUNK + 1], "x");
        assert_eq!(b[3 * CHUNK], "tail");
        assert!(a.shares_chunk(&b, 0) && a.shares_chunk(&b, 2));
        assert!(!a.shares_chunk(&b, 1));
        // A push into a partly filled shared chunk copies it.
        let c: Chunked<u8> = (0..10).collect();
        let mut d = c.clone();
        d.push(10);
        assert_eq!((c.len(), d.len()), (10, 11));
        assert!(!c.shares_chunk(&d, 0));
    }

    #[test]
    fn sealed_tables_read_write_and_grow_like_unsealed_ones() {
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let mut v: Chunked<String> = (0..n).map(|i| i.to_string()).collect();
            v.seal();
            assert!(v.is_sealed());
            assert_eq!(v.len(), n);
            for i in 0..n {
                assert_eq!(v.get(i).map(String::as_str), Some(i.to_string().as_str()));
            }
            assert_eq!(v.get(n), None);
            assert_eq!(v.get(n + CHUNK), None);
            // Sealing twice changes nothing.
            let before = v.clone();
            v.seal();
            assert_eq!(
                v.iter().collect::<Vec<_>>(),
                before.iter().collect::<Vec<_>>()
            );
            // Growing a sealed table: the earlier version keeps its elements and shares the
            // full chunks.
            for i in n..n + CHUNK + 3 {
                v.push(i.to_string());
            }
            if n > 0 {
                v[n - 1] = "changed".to_string();
            }
            assert_eq!(v.len(), n + CHUNK + 3);
            for i in 0..v.len() {
                let want = if i + 1 == n {
                    "changed".to_string()
                } else {
                    i.to_string()
                };
                assert_eq!(v[i], want);
            }
            assert_eq!(
                before.iter().cloned().collect::<Vec<_>>(),
                (0..n).map(|i| i.to_string()).collect::<Vec<_>>()
            );
            for k in 0..n / CHUNK {
                // Chunk k holds element n - 1 when n is a multiple of CHUNK and k is the last.
                assert_eq!(v.shares_chunk(&before, k), (k + 1) * CHUNK < n);
            }
            v.seal();
            assert_eq!(v.iter().count(), n + CHUNK + 3);
            assert!(v.is_sealed());
        }
    }

    #[test]
    fn rope_inserts_and_removes_anywhere_like_a_vec() {
        let mut model: Vec<u32> = (0..300).collect();
        let mut rope = Rope::from_vec(model.clone());
        let before = rope.clone();
        let mut x = 7u32;
        for step in 0..2_000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let pos = (x >> 8) as usize % (model.len() + 1);
            if step % 3 == 2 && !model.is_empty() {
                let pos = pos.min(model.len() - 1);
                assert_eq!(rope.remove(pos), Some(model.remove(pos)));
            } else {
                rope.insert(pos, step + 1_000);
                model.insert(pos, step + 1_000);
            }
            assert_eq!(rope.len(), model.len());
        }
        assert_eq!(rope.to_vec(), model);
        assert!(rope
            .chunks
            .iter()
            .all(|c| !c.is_empty() && c.len() <= 2 * CHUNK));
        assert_eq!(rope.remove(rope.len()), None);
        // The first version is untouched.
        assert_eq!(before.to_vec(), (0..300).collect::<Vec<_>>());
    }
}
