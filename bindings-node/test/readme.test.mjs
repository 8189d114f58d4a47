// Every ```js block of bindings-node/README.md runs as written: from the repository root
// (where its paths point), with `require('trieway')` resolving to this folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PKG = path.join(HERE, '..');
const ROOT = path.join(PKG, '..');
const blocks = [...fs.readFileSync(path.join(PKG, 'README.md'), 'utf8').matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);

test('the README has js blocks', () => {
  assert.ok(blocks.length >= 3, `${blocks.length} blocks`);
});

const modules = fs.mkdtempSync(path.join(os.tmpdir(), 'trieway-readme-'));
fs.mkdirSync(path.join(modules, 'node_modules'));
fs.symlinkSync(PKG, path.join(modules, 'node_modules', 'trieway'), 'dir');
process.on('exit', () => fs.rmSync(modules, { recursive: true, force: true }));

blocks.forEach((code, i) => {
  test(`README js block ${i} runs`, () => {
    const r = spawnSync(process.execPath, ['-e', code], {
      cwd: ROOT,
      env: { ...process.env, NODE_PATH: path.join(modules, 'node_modules') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `block ${i} failed:\n${code}\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /Error/, r.stderr);
  });
});
