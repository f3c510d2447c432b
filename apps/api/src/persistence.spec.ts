import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PERSISTENCE } from './persistence';

/** Every checked-in migration must run: a file missing from its context's persistence list would silently never apply. */
describe('persistence', () => {
  const libs = resolve(__dirname, '../../../libs');
  const files = readdirSync(libs).flatMap((context) => {
    const folder = join(libs, context, 'src/infrastructure/migrations');
    try {
      return readdirSync(folder).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));
    } catch {
      return [];
    }
  });
  const listed = PERSISTENCE.flatMap((part) => part.migrations.map((migration) => migration.name));

  it('lists every migration file of every context', () => {
    const expected = files.map((file) => {
      const [, timestamp, name] = /^(\d+)-(.+)\.ts$/.exec(file) ?? [];
      return `${name}${timestamp}`;
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.filter((name) => !listed.includes(name))).toEqual([]);
  });

  it('lists each migration once', () => {
    expect(new Set(listed).size).toBe(listed.length);
  });
});
