// The npm tarballs as users install them (bindings-node/ci.sh packs them first, with
// scripts/pack.js, into $TRIEWAY_NPM_DIST): the main package `trieway` and this platform's
// prebuilt `trieway-<platform>` are installed into a fresh project with cargo and rustc
// removed from PATH, and route a request there. Without the main tarball's platform package
// the loader must say how to get one. Without TRIEWAY_NPM_DIST these tests are skipped,
// unless TRIEWAY_REQUIRE_E2E=1 (CI), where they fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { platformArch } = require('../lib/platform.js');
const pkg = require('../package.json');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEMO = path.join(HERE, '..', '..', 'examples', 'demo.yaml');
const dist = process.env.TRIEWAY_NPM_DIST;
const required = process.env.TRIEWAY_REQUIRE_E2E === '1';
const skip = !dist && !required && 'TRIEWAY_NPM_DIST not set: run bindings-node/ci.sh';

/** PATH without the directories that hold cargo or rustc: a machine without Rust. */
function withoutRust() {
  const dirs = (process.env.PATH || '')
    .split(path.delimiter)
    .filter((d) => d && !['cargo', 'rustc'].some((t) => fs.existsSync(path.join(d, t))));
  // Nor an addon path from the environment: the installed packages must provide it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(CARGO|RUSTUP)/.test(k) && k !== 'TRIEWAY_NATIVE_PATH'),
  );
  env.PATH = dirs.join(path.delimiter);
  const which = spawnSync('sh', ['-c', 'command -v cargo || command -v rustc'], { env });
  assert.notEqual(which.status, 0, `cargo still on PATH: ${which.stdout}`);
  return env;
}

function tarballs() {
  assert.ok(dist, 'TRIEWAY_NPM_DIST is not set (bindings-node/ci.sh sets it)');
  const main = path.join(dist, `trieway-${pkg.version}.tgz`);
  const platform = path.join(dist, `trieway-${platformArch()}-${pkg.version}.tgz`);
  for (const f of [main, platform]) assert.ok(fs.existsSync(f), `${f} missing`);
  return { main, platform };
}

/** A fresh project with `tarballs` installed; `--offline`: the prebuilt packages of other
 * platforms (optional dependencies) are not on any registry yet, and need not be. */
function project(files, env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trieway-consumer-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--engine-strict', ...files], { cwd: dir, env, stdio: 'pipe' });
  return dir;
}

const SCRIPT = `
const { Router } = require('trieway');
const router = Router.fromPath(process.argv[1]);
const req = { method: 'GET', host: 'store.example.com', path: '/api/orders', headers: ['x-api-version', 'v2'], port: 443 };
const m = router.route(req);
console.log(require.resolve('trieway'));
console.log('routed', m.route.namespace + '/' + m.route.name, m.ruleName, m.apply(req, { random: 0.25 }).backend.name);
`;

test('the tarballs install into a fresh project and route without Rust', { skip }, () => {
  const { main, platform } = tarballs();
  const env = withoutRust();
  const dir = project([main, platform], env);
  try {
    const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'trieway', 'package.json'), 'utf8'));
    assert.equal(installed.optionalDependencies[`trieway-${platformArch()}`], pkg.version);
    assert.equal(installed.scripts, undefined, 'the published package runs no install scripts');
    const out = execFileSync(process.execPath, ['-e', SCRIPT, DEMO], { cwd: dir, env, encoding: 'utf8' });
    assert.match(out, new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/node_modules/trieway/index\\.js$`, 'm'));
    assert.match(out, /^routed tenant-a\/store api-v2 store-api-v2$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without a prebuilt package the loader says how to get one', { skip }, () => {
  const { main } = tarballs();
  const env = withoutRust();
  const dir = project([main], env);
  try {
    const r = spawnSync(process.execPath, ['-e', "require('trieway')"], { cwd: dir, env, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /trieway: native addon not found for /);
    assert.match(r.stderr, new RegExp(`trieway-${platformArch()}`));
    assert.match(r.stderr, /npm ci` in its bindings-node\/ folder/);
    assert.match(r.stderr, /TRIEWAY_NATIVE_PATH=/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('TRIEWAY_NATIVE_PATH names the addon to load', () => {
  const index = path.join(HERE, '..', 'index.js');
  const script = `console.log(require(${JSON.stringify(index)}).Router.fromPath(process.argv[1]).gateway)`;
  const addon = path.join(HERE, '..', require('../lib/platform.js').addonName());
  const ok = spawnSync(process.execPath, ['-e', script, DEMO], { env: { ...process.env, TRIEWAY_NATIVE_PATH: addon }, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), 'infra/edge');
  const bad = spawnSync(process.execPath, ['-e', script, DEMO], { env: { ...process.env, TRIEWAY_NATIVE_PATH: '/nonexistent/trieway.node' }, encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /trieway: TRIEWAY_NATIVE_PATH=\/nonexistent\/trieway\.node cannot be loaded/);
});
