#!/usr/bin/env node
'use strict';
// Packs the npm packages of a release into a folder (default ../target/npm-dist):
//   - trieway-<platform>-<version>.tgz: npm/<platform>/ with the addon this folder's build
//     wrote (trieway.<platform>.node), for this machine's platform;
//   - trieway-<version>.tgz: the main package (JS, types, loader), whose package.json gets an
//     optionalDependencies entry for every prebuilt platform (lib/platform.js PREBUILT), so
//     that npm installs the one package that fits (`os`, `cpu`, `libc` of each).
// A release pipeline (.github/workflows/bindings.yml) runs this on each platform's runner
// and publishes the platform packages before the main one.
//
//   node scripts/pack.js [out-dir]
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { addonName, platformArch, PREBUILT } = require('../lib/platform.js');

const root = path.join(__dirname, '..');
const out = path.resolve(process.argv[2] || path.join(root, '..', 'target', 'npm-dist'));
fs.mkdirSync(out, { recursive: true });
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function pack(dir) {
  const json = execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
    cwd: dir,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(json);
  console.log(`${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${info.entryCount} files`);
  return path.join(out, info.filename);
}

// The platform package, with the addon built here.
const platform = platformArch();
const addon = path.join(root, addonName());
if (!fs.existsSync(addon)) throw new Error(`${addon} missing: run npm run build first`);
const platformDir = path.join(root, 'npm', platform);
const platformPkg = JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8'));
if (platformPkg.version !== pkg.version) {
  throw new Error(`npm/${platform}/package.json has version ${platformPkg.version}, package.json ${pkg.version}`);
}
fs.copyFileSync(addon, path.join(platformDir, addonName()));
const platformTgz = pack(platformDir);
fs.rmSync(path.join(platformDir, addonName()));

// The main package, staged with its optionalDependencies.
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'trieway-pack-'));
for (const f of [...pkg.files, 'README.md', 'package.json']) {
  fs.cpSync(path.join(root, f), path.join(stage, f), { recursive: true });
}
const staged = { ...pkg, optionalDependencies: Object.fromEntries(PREBUILT.map((p) => [`trieway-${p}`, pkg.version])) };
delete staged.devDependencies;
delete staged.scripts;
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(staged, null, 2) + '\n');
const mainTgz = pack(stage);
fs.rmSync(stage, { recursive: true, force: true });
console.log(JSON.stringify({ main: mainTgz, platform: platformTgz }));
