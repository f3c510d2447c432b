import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * main.ts calls process.loadEnvFile (Node 20.12), and the OpenID provider is loaded with require(esm), unflagged
 * since Node 20.19: the declared engines must not admit older releases.
 */
describe('engines', () => {
  const root = resolve(__dirname, '../../..');
  const read = (file: string) => JSON.parse(readFileSync(resolve(root, file), 'utf8'));
  const pkg = read('package.json');

  it('requires at least Node 20.19', () => {
    const [, major, minor] = /^>=(\d+)\.(\d+)/.exec(pkg.engines.node) ?? [];
    expect(Number(major) * 100 + Number(minor)).toBeGreaterThanOrEqual(2019);
  });

  it('agrees with the lockfile', () => {
    expect(read('package-lock.json').packages[''].engines).toEqual(pkg.engines);
  });
});
