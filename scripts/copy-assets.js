// Copies the non-TypeScript files the app reads at run time (message templates, web pages)
// next to the compiled code, keeping the source layout: libs/x/src/templates → dist/apps/api/libs/x/src/templates
// (or under the folder given as argument: the bench's build, dist/bench).
const { cpSync, existsSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = process.argv[2] ? join(root, process.argv[2]) : join(root, 'dist', 'apps', 'api');
for (const lib of readdirSync(join(root, 'libs'))) {
  for (const folder of ['templates', 'web']) {
    const source = join(root, 'libs', lib, 'src', folder);
    if (existsSync(source)) cpSync(source, join(out, 'libs', lib, 'src', folder), { recursive: true });
  }
}
