#!/usr/bin/env node
'use strict';
// Builds the native addon from source with cargo and writes trieway.<platform>.node into this
// folder (run by `npm ci` / `npm install` here through `prepare`, or `npm run build`).
//
// Release builds are stripped (`-C strip=symbols`, passed to the addon's final link only, so
// no dependency is rebuilt): the workspace's release profile keeps line tables for profiling
// the Rust benches, which would make the addon 37 MB instead of about 2 MB.
// `--debug` builds unoptimized and unstripped.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { addonName } = require('../lib/platform.js');

const root = path.join(__dirname, '..');
const release = !process.argv.includes('--debug');

const args = ['rustc', '--lib', '--message-format=json-render-diagnostics', '--manifest-path', path.join(root, 'Cargo.toml')];
if (release) args.push('--release', '--', '-C', 'strip=symbols');
const r = spawnSync('cargo', args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
if (r.error) {
  if (r.error.code === 'ENOENT') {
    console.error('trieway: building the native addon needs Rust: cargo is not on PATH (https://rustup.rs)');
    process.exit(1);
  }
  throw r.error;
}
if (r.status !== 0) process.exit(r.status || 1);
let lib = null;
for (const line of r.stdout.toString().split('\n')) {
  if (!line.startsWith('{')) continue;
  const m = JSON.parse(line);
  if (m.reason === 'compiler-artifact' && m.target && m.target.name === 'trieway_node') {
    lib = m.filenames.find((f) => /\.(so|dylib|dll)$/.test(f)) || lib;
  }
}
if (!lib) {
  console.error('trieway: cargo built no library for trieway_node');
  process.exit(1);
}
fs.copyFileSync(lib, path.join(root, addonName()));
console.log(`trieway: wrote ${addonName()} (${fs.statSync(path.join(root, addonName())).size} bytes)`);
