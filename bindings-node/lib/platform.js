'use strict';
// The file name `napi build --platform` gives the addon on this machine.

function abi() {
  if (process.platform === 'win32') return '-msvc';
  if (process.platform !== 'linux') return '';
  const report = process.report && process.report.getReport ? process.report.getReport() : null;
  const header = report && (typeof report === 'string' ? JSON.parse(report) : report).header;
  return header && header.glibcVersionRuntime ? '-gnu' : '-musl';
}

exports.addonName = () => `trieway.${process.platform}-${process.arch}${abi()}.node`;
