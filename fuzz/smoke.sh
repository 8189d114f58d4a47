#!/usr/bin/env bash
# Deterministic fuzz smoke test for CI: every target runs FUZZ_SMOKE_RUNS inputs (default
# 2000) from seed 1, starting from the committed seeds in fuzz/seeds/<target>/.
#
# Exits non-zero when a target crashes (panic, failed invariant, timeout, OOM); the input is
# saved under fuzz/artifacts/<target>/. When `cargo fuzz` is missing and cannot be installed
# (`cargo install cargo-fuzz --locked`), prints a note and exits 0.
#
# Environment: FUZZ_SMOKE_RUNS (inputs per target), FUZZ_SMOKE_INSTALL=0 (do not try to
# install cargo-fuzz), FUZZ_SMOKE_TARGETS (space-separated subset).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
  if [ "${FUZZ_SMOKE_INSTALL:-1}" != 0 ] && cargo install cargo-fuzz --locked >/dev/null 2>&1 \
     && cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz smoke: installed $(cargo fuzz --version)"
  else
    echo "fuzz smoke: note: cargo-fuzz is not installed and could not be installed; skipped"
    exit 0
  fi
fi

runs="${FUZZ_SMOKE_RUNS:-2000}"
targets="${FUZZ_SMOKE_TARGETS:-load_compile route apply host_path}"
export RUSTC_BOOTSTRAP=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

start=$(date +%s)
cargo fuzz build --sanitizer none
echo "fuzz smoke: built in $(( $(date +%s) - start ))s"

failed=0
for t in $targets; do
  mkdir -p "$work/$t"
  t0=$(date +%s)
  # New inputs go to the temporary first directory; the committed seeds stay untouched.
  if cargo fuzz run --sanitizer none "$t" "$work/$t" "seeds/$t" -- \
      -seed=1 -runs="$runs" -timeout=30 -rss_limit_mb=2048 >"$work/$t.log" 2>&1; then
    echo "fuzz smoke: $t ok ($runs runs, $(( $(date +%s) - t0 ))s)"
  else
    failed=1
    echo "fuzz smoke: $t FAILED; last lines of the log:"
    tail -n 40 "$work/$t.log"
    echo "fuzz smoke: reproduce with: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $t artifacts/$t/<crash-file>)"
  fi
done
echo "fuzz smoke: total $(( $(date +%s) - start ))s"
exit "$failed"
