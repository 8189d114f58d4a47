#!/usr/bin/env python3
"""Checks that the top-level modules of core/src depend on each other one way only.

Usage (from the repository root):

    python3 scripts/module-graph.py [--graph] [--allow FILE]

Every `.rs` file under core/src belongs to a top-level module: `core/src/NAME.rs` and
everything under `core/src/NAME/` belong to `NAME` (lib.rs is the crate root and is skipped).
A module depends on another when its code names it by a `crate::OTHER` path (in a `use`
line, `use crate::{a::X, b::Y}` groups included, or inline). Test-only code is left out:
files declared with `#[cfg(test)] mod NAME;` and inline `#[cfg(test)] mod NAME { ... }`
blocks (tests may use anything; the pipeline is about the code that ships).

Every strongly connected component with more than one module is a cycle; each is printed
with the edges that close it (file:line of one reference per edge). The exit status is 1
when a cycle is not in the allowlist (default: scripts/module-graph.allow, one cycle per
line, its modules separated by spaces, `#` comments), 0 otherwise. An allowlisted cycle
that no longer exists is reported so the line can go. `--graph` prints every edge.
"""

import os
import re
import sys
from collections import defaultdict

ROOT = "core/src"
DEFAULT_ALLOW = "scripts/module-graph.allow"


def strip_comments(text):
    """Removes `//` line comments (doc comments included) and `/* */` block comments, keeping
    line numbers. String literals are not parsed: a `crate::` inside one would count."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def test_only_files():
    """Files declared with `#[cfg(test)] mod NAME;`, as paths relative to ROOT."""
    out = set()
    for dirpath, _, files in os.walk(ROOT):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(dirpath, f)
            text = strip_comments(open(path, encoding="utf-8").read())
            for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", text):
                name = m.group(1)
                if f in ("lib.rs", "mod.rs"):
                    base = dirpath
                else:
                    base = os.path.join(dirpath, f[:-3])
                for cand in (os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")):
                    out.add(os.path.normpath(cand))
    return out


def drop_test_blocks(text):
    """Blanks inline `#[cfg(test)] mod NAME { ... }` blocks (brace matching), keeping lines."""
    out = text
    for m in reversed(list(re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text))):
        depth, i = 0, m.end() - 1
        while i < len(text):
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        block = out[m.start():i + 1]
        out = out[:m.start()] + "\n" * block.count("\n") + out[i + 1:]
    return out


def references(text):
    """Yields (line, module) for every `crate::MODULE` path in `text`."""
    for m in re.finditer(r"\bcrate::\{", text):
        depth, i, start = 1, m.end(), m.end()
        while i < len(text) and depth:
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
            i += 1
        inner, depth, item = text[start:i - 1], 0, ""
        for c in inner + ",":
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            if depth == 0 and c == ",":
                name = re.match(r"\s*(\w+)", item)
                if name:
                    yield text.count("\n", 0, m.start()) + 1, name.group(1)
                item = ""
            elif depth == 0:
                item += c
    for m in re.finditer(r"\bcrate::(\w+)", text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1)


def module_of(rel):
    first = rel.split(os.sep)[0]
    return first[:-3] if first.endswith(".rs") else first


def graph():
    modules = set()
    for entry in os.listdir(ROOT):
        if entry.endswith(".rs") and entry != "lib.rs":
            modules.add(entry[:-3])
        elif os.path.isdir(os.path.join(ROOT, entry)):
            modules.add(entry)
    skip = test_only_files()
    edges = defaultdict(dict)  # from -> to -> "file:line"
    for dirpath, _, files in os.walk(ROOT):
        for f in sorted(files):
            path = os.path.normpath(os.path.join(dirpath, f))
            rel = os.path.relpath(path, ROOT)
            if not f.endswith(".rs") or rel == "lib.rs" or path in skip:
                continue
            src = module_of(rel)
            text = drop_test_blocks(strip_comments(open(path, encoding="utf-8").read()))
            for line, dst in references(text):
                if dst in modules and dst != src:
                    edges[src].setdefault(dst, f"{path}:{line}")
    return modules, edges


def cycles(modules, edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return out


def main(argv):
    allow_path = DEFAULT_ALLOW
    if "--allow" in argv:
        allow_path = argv[argv.index("--allow") + 1]
    allowed = []
    if os.path.exists(allow_path):
        for line in open(allow_path, encoding="utf-8"):
            line = line.split("#")[0].split()
            if line:
                allowed.append(sorted(line))
    modules, edges = graph()
    if "--graph" in argv:
        for src in sorted(edges):
            for dst in sorted(edges[src]):
                print(f"{src} -> {dst}  ({edges[src][dst]})")
    found = cycles(modules, edges)
    bad = 0
    for comp in found:
        tag = "allowed" if comp in allowed else "CYCLE"
        bad += comp not in allowed
        print(f"{tag}: {' <-> '.join(comp)}")
        for src in comp:
            for dst in sorted(edges[src]):
                if dst in comp:
                    print(f"  {src} -> {dst}  ({edges[src][dst]})")
    for comp in allowed:
        if comp not in found:
            print(f"stale allowlist entry (no longer a cycle): {' '.join(comp)}")
    n = sum(len(v) for v in edges.values())
    print(f"module graph: {len(modules)} modules, {n} edges, {len(found)} cycles, {bad} not allowed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
