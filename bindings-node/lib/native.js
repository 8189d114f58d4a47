'use strict';
// Loads the native addon, first found of:
//   1. $TRIEWAY_NATIVE_PATH: an addon file built from source elsewhere;
//   2. trieway.<platform>.node in this package's folder: a source build (`npm ci` or
//      `npm run build` in a checkout's bindings-node/);
//   3. the prebuilt package trieway-<platform> (an optional dependency of the published
//      package, installed by npm on the platform it is built for).
// Otherwise throws an error that says which platforms have prebuilt packages and how to
// build from source.
const path = require('node:path');
const fs = require('node:fs');
const { addonName, platformArch, PREBUILT } = require('./platform.js');

const root = path.join(__dirname, '..');

function load() {
  const explicit = process.env.TRIEWAY_NATIVE_PATH;
  if (explicit) {
    try {
      return require(path.resolve(explicit));
    } catch (e) {
      const err = new Error(`trieway: TRIEWAY_NATIVE_PATH=${explicit} cannot be loaded: ${e.message}`);
      err.code = 'ERR_TRIEWAY_NO_ADDON';
      throw err;
    }
  }
  const local = path.join(root, addonName());
  if (fs.existsSync(local)) return require(local);
  const pkg = `trieway-${platformArch()}`;
  try {
    return require(pkg);
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(pkg)) throw e;
  }
  const prebuilt = PREBUILT.includes(platformArch())
    ? `The prebuilt package for this platform, ${pkg}, is an optional dependency of trieway: ` +
      'reinstall without --omit=optional / --no-optional (and without --ignore-optional).'
    : `No prebuilt package exists for ${platformArch()} (prebuilt: ${PREBUILT.join(', ')}).`;
  const err = new Error(
    `trieway: native addon not found for ${platformArch()} (Node ${process.version}). ${prebuilt} ` +
      'To build it from source (needs Rust and cargo): clone the trieway repository, run ' +
      `\`npm ci\` in its bindings-node/ folder, which writes ${addonName()} there, then either ` +
      'install that folder (`npm install /path/to/trieway/bindings-node`) or set ' +
      `TRIEWAY_NATIVE_PATH=/path/to/trieway/bindings-node/${addonName()}. ` +
      `Looked for: ${local}, package ${pkg}.`,
  );
  err.code = 'ERR_TRIEWAY_NO_ADDON';
  throw err;
}

module.exports = load();
