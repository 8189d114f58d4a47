#!/usr/bin/env bash
# Node binding CI: install (builds the native addon through `prepare`), type-check, test.
# Called by the project's .ci/run; works on a fresh clone with Rust and Node >= 20.
# Prints node:test's summary lines (`# pass N`, `# fail N`); exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

echo "== bindings-node: npm ci (builds the addon with napi build --release)"
npm ci --no-audit --no-fund

echo "== bindings-node: tsc --noEmit"
npx tsc --noEmit -p tsconfig.json

echo "== bindings-node: benchmark smoke run"
BENCH_MS=30 BENCH_ROUNDS=1 node bench/bench.mjs

echo "== bindings-node: npm test"
npm test
