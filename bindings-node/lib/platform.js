'use strict';
// The platform name of this process as napi-rs spells it (`linux-x64-gnu`, `darwin-arm64`,
// `win32-x64-msvc`, ...): the suffix of the addon file and of the prebuilt package.

function abi() {
  if (process.platform === 'win32') return '-msvc';
  if (process.platform !== 'linux') return '';
  const report = process.report && process.report.getReport ? process.report.getReport() : null;
  const header = report && (typeof report === 'string' ? JSON.parse(report) : report).header;
  return header && header.glibcVersionRuntime ? '-gnu' : '-musl';
}

/** `linux-x64-gnu`, `darwin-arm64`, ... */
exports.platformArch = () => `${process.platform}-${process.arch}${abi()}`;

/** The file name of the addon: `trieway.linux-x64-gnu.node`. */
exports.addonName = () => `trieway.${exports.platformArch()}.node`;

/** The platforms a release publishes a prebuilt package for (npm/<platform>/). */
exports.PREBUILT = ['linux-x64-gnu', 'linux-arm64-gnu', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'];
