/**
 * `npm run migration:generate -- libs/<context>/src/infrastructure/migrations/<Name>`,
 * `npm run migration:run`, `npm run migration:revert`.
 * Uses DATABASE_URL, or the embedded development database when it is unset.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildConfiguration, startEmbeddedPostgres } from '@careid/shared';

async function main(): Promise<number> {
  const [command, name] = process.argv.slice(2);
  if (!['generate', 'run', 'revert'].includes(command) || (command === 'generate' && !name)) {
    console.error('usage: migration generate <libs/<context>/src/infrastructure/migrations/Name> | run | revert');
    return 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const configuration = buildConfiguration(process.env);
  const embedded = configuration.database.url ? undefined : await startEmbeddedPostgres({ dataDir: configuration.database.embeddedDir });
  try {
    if (embedded) await embedded.ensureDatabase('careid');
    const env = { ...process.env, DATABASE_URL: configuration.database.url ?? embedded!.urlFor('careid') };
    const args = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', require.resolve('typeorm/cli.js')];
    args.push(`migration:${command}`, ...(command === 'generate' ? [name, '--pretty'] : []), '-d', 'apps/api/src/data-source.ts');
    const result = spawnSync(process.execPath, args, { stdio: 'inherit', env });
    if (command === 'generate' && result.status === 0) {
      console.log("Now add the new migration class to its context's persistence list (a unit test checks that none is missing).");
    }
    return result.status ?? 1;
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
