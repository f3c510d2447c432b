import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PERSISTENCE } from './persistence';

describe('the data source contents', () => {
  it('lists every checked-in migration file (a generated migration must be added to its context)', () => {
    const libs = join(__dirname, '../../../libs');
    const files = readdirSync(libs).flatMap((lib) => {
      const folder = join(libs, lib, 'src/infrastructure/migrations');
      return existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.ts')) : [];
    });
    const listed = PERSISTENCE.flatMap((part) => part.migrations.map((migration) => migration.name));
    for (const file of files) {
      const [timestamp, name] = file.replace(/\.ts$/, '').split('-');
      expect(listed).toContain(`${name}${timestamp}`);
    }
    expect(new Set(listed).size).toBe(listed.length);
  });
});
