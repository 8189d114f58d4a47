//! The path trie: one node per path segment, holding the PathPrefix candidates whose prefix
//! ends there. A lookup walks the request path once and then visits terminals from the deepest
//! node upward, which is longest prefix first (SPEC §3.3, §4.1 K4).

/// A segment trie over `/`-separated paths.
#[derive(Debug)]
pub(crate) struct PathTrie {
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    /// `(segment, child)` sorted by segment.
    children: Vec<(Box<str>, u32)>,
    /// Candidates `[start, end)` of prefixes that end here.
    terminal: (u32, u32),
    parent: u32,
}

impl Default for PathTrie {
    fn default() -> Self {
        PathTrie {
            nodes: vec![Node::default()],
        }
    }
}

/// The prefix a `PathPrefix` value stands for: the value without one trailing `/`.
pub(crate) fn prefix_of(value: &str) -> &str {
    value.strip_suffix('/').unwrap_or(value)
}

impl PathTrie {
    /// The node for a PathPrefix `value`, created if needed.
    pub(crate) fn node_for(&mut self, value: &str) -> u32 {
        let p = prefix_of(value);
        let mut node = 0u32;
        if p.is_empty() {
            return 0;
        }
        // Prefix values start with '/'; anything else is kept whole as one segment path.
        let rest = p.strip_prefix('/').unwrap_or(p);
        for seg in rest.split('/') {
            let children = &self.nodes[node as usize].children;
            node = match children.binary_search_by(|(s, _)| (**s).cmp(seg)) {
                Ok(i) => children[i].1,
                Err(at) => {
                    let new = self.nodes.len() as u32;
                    self.nodes.push(Node {
                        parent: node,
                        ..Node::default()
                    });
                    self.nodes[node as usize]
                        .children
                        .insert(at, (seg.into(), new));
                    new
                }
            };
        }
        node
    }

    /// Sets the candidate range of a node.
    pub(crate) fn set_terminal(&mut self, node: u32, range: (u32, u32)) {
        self.nodes[node as usize].terminal = range;
    }

    /// Calls `f` with each non-empty terminal range that matches `path`, deepest first, until
    /// `f` returns `Some`.
    #[inline]
    pub(crate) fn find<T>(
        &self,
        path: &str,
        mut f: impl FnMut((u32, u32)) -> Option<T>,
    ) -> Option<T> {
        let mut node = 0u32;
        if !path.is_empty() {
            // Byte semantics: prefix `p` matches `x` iff `x` starts with `p` and is followed by
            // `/` or the end; no prefix matches a path that does not start with `/`.
            let rest = path.strip_prefix('/')?;
            for seg in rest.split('/') {
                let children = &self.nodes[node as usize].children;
                let next = if children.len() <= 8 {
                    children.iter().find(|(s, _)| **s == *seg).map(|c| c.1)
                } else {
                    children
                        .binary_search_by(|(s, _)| (**s).cmp(seg))
                        .ok()
                        .map(|i| children[i].1)
                };
                match next {
                    Some(c) => node = c,
                    None => break,
                }
            }
        }
        loop {
            let n = &self.nodes[node as usize];
            if n.terminal.0 < n.terminal.1 {
                if let Some(r) = f(n.terminal) {
                    return Some(r);
                }
            }
            if node == 0 {
                return None;
            }
            node = n.parent;
        }
    }

    /// Number of nodes (for memory accounting in tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(prefixes: &[&str], path: &str) -> Vec<usize> {
        let mut t = PathTrie::default();
        for (i, p) in prefixes.iter().enumerate() {
            let n = t.node_for(p);
            t.set_terminal(n, (i as u32, i as u32 + 1));
        }
        let mut out = Vec::new();
        t.find::<()>(path, |(s, _)| {
            out.push(s as usize);
            None
        });
        out
    }

    /// `/abc` and `/abc/` both match `/abc`, `/abc/`, `/abc/def`, never `/abcd` (SPEC §3.3).
    #[test]
    fn prefix_is_segment_wise() {
        for p in ["/abc", "/abc/"] {
            for (path, hit) in [
                ("/abc", true),
                ("/abc/", true),
                ("/abc/def", true),
                ("/abcd", false),
            ] {
                assert_eq!(matches(&[p], path) == vec![0], hit, "{p} vs {path}");
            }
        }
    }

    /// Terminals are visited deepest (longest prefix) first, and `/` matches everything.
    #[test]
    fn deepest_first() {
        let ps = ["/", "/match/", "/match/prefix/", "/match/prefix/one"];
        assert_eq!(matches(&ps, "/match/prefix/one/x"), vec![3, 2, 1, 0]);
        assert_eq!(matches(&ps, "/match/prefix/x"), vec![2, 1, 0]);
        assert_eq!(matches(&ps, "/match/x"), vec![1, 0]);
        assert_eq!(matches(&ps, "/other"), vec![0]);
        assert_eq!(matches(&ps, ""), vec![0]);
        assert_eq!(matches(&ps, "*"), Vec::<usize>::new());
        let mut t = PathTrie::default();
        t.node_for("/a/b");
        assert_eq!(t.len(), 3);
    }
}
