#!/usr/bin/env node
'use strict';
// Builds the native addon from source (run by `npm install` / `npm ci` through `prepare`).
//
// With @napi-rs/cli installed (npm ci in this folder) this is `napi build --platform
// --release`. When this folder is installed from another project, npm does not install its
// devDependencies; then cargo is called directly and the library copied to the same name.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { addonName } = require('../lib/platform.js');

const root = path.join(__dirname, '..');
const release = !process.argv.includes('--debug');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status || 1);
  return r;
}

let napi = null;
try {
  napi = require.resolve('@napi-rs/cli/package.json', { paths: [root] });
} catch {}

if (napi) {
  const pkg = JSON.parse(fs.readFileSync(napi, 'utf8'));
  const bin = path.join(path.dirname(napi), typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.napi);
  const args = [bin, 'build', '--platform', '--no-js', '--dts', 'native.d.ts'];
  if (release) args.push('--release');
  run(process.execPath, args, { shell: false });
} else {
  console.log('trieway: @napi-rs/cli not installed, building with cargo directly');
  const args = ['build', '--lib', '--message-format=json-render-diagnostics', '--manifest-path', path.join(root, 'Cargo.toml')];
  if (release) args.push('--release');
  const r = spawnSync('cargo', args, { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
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
  console.log(`trieway: wrote ${addonName()}`);
}
