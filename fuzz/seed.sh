#!/usr/bin/env bash
# Builds the fuzz corpora in fuzz/corpus/<target>/ (not committed) from:
#   * fuzz/seeds/<target>/        small hand-written seeds (committed)
#   * examples/*.yaml             -> load_compile
#   * spec-tests/cases/*.json     -> load_compile (each case's `resources` as one JSON array
#                                    and as YAML documents), route/apply/host_path (request
#                                    lines: "\x00" + method/host/path bytes)
# Usage: fuzz/seed.sh            (idempotent; needs python3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
for t in load_compile route apply host_path; do
  mkdir -p "$here/corpus/$t"
  cp -f "$here/seeds/$t/"* "$here/corpus/$t/" 2>/dev/null || true
done
cp -f "$root"/examples/*.yaml "$here/corpus/load_compile/"
python3 - "$root/spec-tests/cases" "$here/corpus" <<'PY'
import json, pathlib, sys
cases, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for f in sorted(cases.glob("*.json")):
    if f.name == "INDEX.json":
        continue
    case = json.loads(f.read_text())
    res = case.get("resources", [])
    (corpus / "load_compile" / f"{f.stem}.json").write_text(json.dumps(res))
    # The same objects as YAML documents (JSON flow mappings are YAML).
    (corpus / "load_compile" / f"{f.stem}.yaml").write_text(
        "".join("---\n" + json.dumps(o) + "\n" for o in res))
    for i, r in enumerate(case.get("requests", [])[:8]):
        q = r.get("request", {})
        host = q.get("host", "")
        path = q.get("path", "/")
        line = f"{q.get('method', 'GET')} {host} {path}".encode()
        for t in ("route", "apply"):
            (corpus / t / f"{f.stem}-{i}").write_bytes(bytes([i]) + line)
        (corpus / "host_path" / f"{f.stem}-{i}").write_bytes(b"\x01" + host.encode() + b"\x00" + path.encode())
        n += 1
print(f"seeded from {n} spec-test requests")
PY
for t in load_compile route apply host_path; do
  echo "$t: $(ls "$here/corpus/$t" | wc -l) files"
done
