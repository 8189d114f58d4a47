'use strict';
// Loads the native addon built by `npm run build` (`trieway.<platform>-<arch>[-abi].node`).
const path = require('node:path');
const fs = require('node:fs');
const { addonName } = require('./platform.js');

const root = path.join(__dirname, '..');
const candidates = [addonName(), 'trieway.node'];
const found = candidates.map((f) => path.join(root, f)).find((f) => fs.existsSync(f));
if (!found) {
  throw new Error(
    `trieway: native addon not found (looked for ${candidates.join(', ')} in ${root}). ` +
      'Build it with `npm run build` in that folder (needs Rust and cargo).',
  );
}
module.exports = require(found);
