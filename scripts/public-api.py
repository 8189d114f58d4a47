#!/usr/bin/env python3
"""Counts the public items of the `trieway` crate from rustdoc's JSON output.

Usage (from the repository root):

    RUSTC_BOOTSTRAP=1 cargo rustdoc -p trieway --lib [--features convert] \
        -- -Z unstable-options --output-format json
    python3 scripts/public-api.py [target/doc/trieway.json] [--list]

An item is public when a path from the crate root reaches it: through public modules and
public `use` re-exports (globs included). Counted kinds: structs, enums, unions, functions,
traits, constants, statics, type aliases and macros (modules, fields, variants and methods are
not counted). Items are counted once, wherever they are re-exported. The totals are given
for the root (items re-exported at `trieway::`), for each public module, for everything
outside `trieway::model` (the number issue #16 bounds: under 40) and for `model`.
`--list` prints every item with its shortest path.
"""

import json
import sys
from collections import defaultdict

COUNTED = {
    "struct", "enum", "union", "function", "trait", "constant", "static",
    "type_alias", "typedef", "macro", "trait_alias",
}


def kind_of(item):
    inner = item.get("inner")
    if isinstance(inner, dict) and len(inner) == 1:
        return next(iter(inner))
    return item.get("kind", "?")


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    listing = "--list" in argv
    path = args[0] if args else "target/doc/trieway.json"
    with open(path) as f:
        doc = json.load(f)
    index = doc["index"]

    def get(i):
        return index.get(str(i))

    # id -> shortest path (list of names) by which it is reachable
    reach = {}  # keys as in the JSON file's `items` lists
    seen_modules = set()

    def visit(mod_id, prefix):
        if mod_id in seen_modules:
            return
        seen_modules.add(mod_id)
        module = get(mod_id)
        for child_id in module["inner"]["module"]["items"]:
            child = get(child_id)
            if child is None or child.get("visibility") != "public":
                continue
            k = kind_of(child)
            if k == "use":
                use = child["inner"]["use"]
                target_id = use.get("id")
                target = get(target_id) if target_id is not None else None
                if target is None:
                    continue  # a re-export of another crate's item
                if use.get("is_glob"):
                    if kind_of(target) == "module":
                        visit(target_id, prefix)
                    continue
                add(target_id, target, prefix + [use["name"]])
            else:
                add(child_id, child, prefix + [child["name"]])

    def add(item_id, item, path):
        k = kind_of(item)
        if k == "module":
            visit(item_id, path)
            return
        if k not in COUNTED:
            return
        old = reach.get(item_id)
        if old is None or len(path) < len(old) or (len(path) == len(old) and path < old):
            reach[item_id] = path

    root = doc["root"]
    visit(root, [])

    by_module = defaultdict(lambda: defaultdict(int))
    for item_id, p in reach.items():
        module = "::".join(["trieway"] + p[:-1])
        by_module[module][kind_of(get(item_id))] += 1

    def total(pred):
        return sum(1 for p in reach.values() if pred(p))

    def is_model(p):
        return len(p) > 1 and p[0] == "model"

    print(f"{'module':<32} {'items':>5}  kinds")
    for module in sorted(by_module, key=lambda m: (m != "trieway", m)):
        kinds = by_module[module]
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        print(f"{module:<32} {sum(kinds.values()):>5}  {detail}")
    print(f"public items outside model: {total(lambda p: not is_model(p))}")
    print(f"public items in model:      {total(is_model)}")
    print(f"all public items:           {len(reach)}")

    # Public items rustdoc kept that no path reaches (a type named in a public signature but
    # declared in a private module would be one): part of the API too, so they are listed.
    members = set()
    for item in index.values():
        inner = item.get("inner") or {}
        for k in ("impl", "trait"):
            if isinstance(inner.get(k), dict):
                members.update(str(i) for i in inner[k].get("items", []))
    unreached = [
        (kind_of(item), item.get("name"))
        for item_id, item in index.items()
        if item.get("crate_id") == 0
        and item.get("visibility") == "public"
        and kind_of(item) in COUNTED
        and item_id not in members
        and int(item_id) not in reach
        and item_id not in reach
    ]
    print(f"public but unreachable:     {len(unreached)}")
    for kind, name in sorted(unreached, key=str):
        print(f"  {kind:<10} {name}")

    if listing:
        for item_id, p in sorted(reach.items(), key=lambda kv: kv[1]):
            if not is_model(p):
                print(f"  {kind_of(get(item_id)):<10} trieway::{'::'.join(p)}")


if __name__ == "__main__":
    main(sys.argv[1:])
