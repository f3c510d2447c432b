'use strict';
/**
 * `-r` hook for the app processes tests spawn: ts-node in transpile-only mode, as
 * `node -r ts-node/register/transpile-only`, with each file's output kept on disk by a
 * hash of its source (ts-jest caches the same way in the Jest process). Transpiling the
 * app's ~140 files costs seconds of CPU at every start; from the cache it costs nothing.
 * The code that runs is the same: a changed source, ts-node, TypeScript or tsconfig.json
 * gives a new key.
 */
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '../..');
const dir = join(root, 'node_modules/.cache/careid-ts-node');
const salt = [
  require('ts-node/package.json').version,
  require('typescript/package.json').version,
  readFileSync(join(root, 'tsconfig.json'), 'utf8'),
].join('\n');

require('ts-node').register({ transpileOnly: true });
const transpile = require.extensions['.ts'];
// ts-node maps stack traces through the outputs it made itself; give it those read from the cache too.
const fromCache = new Map();
require('@cspotcode/source-map-support').install({ environment: 'node', retrieveFile: (path) => fromCache.get(path) });

require.extensions['.ts'] = function (module, filename) {
  const source = readFileSync(filename, 'utf8');
  const file = join(dir, `${createHash('sha256').update(salt).update(filename).update('\0').update(source).digest('hex')}.js`);
  let cached;
  try {
    cached = readFileSync(file, 'utf8');
  } catch {
    // not cached yet
  }
  if (cached !== undefined) {
    fromCache.set(filename, cached);
    return module._compile(cached, filename);
  }
  // ts-node wraps module._compile to hand it the transpiled code: keep that code on its way in.
  const compile = module._compile;
  module._compile = function (code, name) {
    module._compile = compile;
    try {
      mkdirSync(dir, { recursive: true });
      const partial = `${file}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, file); // atomic: a process starting beside this one reads a whole file or none
    } catch {
      // a cache that cannot be written only costs time
    }
    return compile.call(this, code, name);
  };
  return transpile(module, filename);
};
