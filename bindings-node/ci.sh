#!/usr/bin/env bash
# Node binding CI: install (builds the native addon from source through `prepare`), type-check,
# pack the release tarballs, test. Called by the project's .ci/run; works on a fresh clone with
# Rust and Node >= 20.
#
# `npm ci --engine-strict` fails if any dev dependency does not support this Node version.
# scripts/pack.js packs the main package and this platform's prebuilt package into
# target/npm-dist (reusing the addon the install built); test/install.test.mjs installs those
# tarballs into a fresh project with cargo off PATH. Prints node:test's summary lines
# (`# pass N`, `# fail N`); exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
dist=$(cd .. && pwd)/target/npm-dist

echo "== bindings-node: npm ci --engine-strict (builds the addon: cargo rustc --release, stripped)"
npm ci --no-audit --no-fund --engine-strict

echo "== bindings-node: tsc --noEmit"
npx tsc --noEmit -p tsconfig.json

echo "== bindings-node: npm pack (main package + $(node -p "require('./lib/platform.js').platformArch()"))"
rm -rf "$dist"
node scripts/pack.js "$dist"

echo "== bindings-node: benchmark smoke run"
BENCH_MS=30 BENCH_ROUNDS=1 node bench/bench.mjs

echo "== bindings-node: npm test"
TRIEWAY_NPM_DIST="$dist" TRIEWAY_REQUIRE_E2E=1 npm test
