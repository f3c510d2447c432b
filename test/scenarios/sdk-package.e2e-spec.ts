import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const SDK = join(ROOT, 'libs/sdk');

/** The same few calls, written once for each module system. */
const SCRIPT = (load: string) => `${load}
const api = new CareidApi({ baseUrl: process.env.BASE_URL, login: process.env.LOGIN, password: process.env.PASSWORD });
const user = await api.userApi.getLogged();
const pair = await new AnonymousCareidApi({ baseUrl: process.env.BASE_URL }).cryptoApi.RSA.generateKeyPairHex();
let code;
try { await api.userApi.get('00000000-0000-4000-8000-000000000000'); } catch (error) { code = error instanceof CareidApiError && error.code; }
const subject = new ICureRegistrationEmail({ lastName: 'Purgon' }, 'https://app.example/login', 'Molière').get({ login: '{{login}}' }, '{{token}}').subject;
console.log(JSON.stringify({ login: user.login, publicKey: pair.publicKey.slice(0, 8), code, model: new User({ login: 'x' }).constructor.name, subject }));`;

function files(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

/** `npm run sdk:build`, then the package as an app would install it: by name, through its `exports`. */
describe('@careid/sdk as a package (ESM and CommonJS builds)', () => {
  let t: TestApp;
  let consumer: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'warn' } });
    await run('npm', ['run', 'sdk:build'], { cwd: ROOT });
    consumer = mkdtempSync(join(tmpdir(), 'careid-sdk-consumer-'));
    mkdirSync(join(consumer, 'node_modules/@careid'), { recursive: true });
    symlinkSync(SDK, join(consumer, 'node_modules/@careid/sdk'), 'dir');
  }, 120_000);
  afterAll(async () => {
    rmSync(consumer, { recursive: true, force: true });
    await t.close();
  });

  const env = () => ({ ...process.env, BASE_URL: t.baseUrl, LOGIN: TEST_ADMIN.login, PASSWORD: TEST_ADMIN.password });
  const expected = {
    login: TEST_ADMIN.login,
    publicKey: '30820122',
    code: 'USER_NOT_FOUND',
    model: 'User',
    subject: 'You have been invited to use {{solutionName}}',
  };

  it('works from native ESM (import)', async () => {
    writeFileSync(
      join(consumer, 'app.mjs'),
      SCRIPT("import { AnonymousCareidApi, CareidApi, CareidApiError, ICureRegistrationEmail, User } from '@careid/sdk';"),
    );
    const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: consumer, env: env() });
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('works from CommonJS (require)', async () => {
    const load =
      "const { AnonymousCareidApi, CareidApi, CareidApiError, ICureRegistrationEmail, User } = require('@careid/sdk');\n(async () => {";
    writeFileSync(join(consumer, 'app.cjs'), `${SCRIPT(load)}\n})();`);
    const { stdout } = await run(process.execPath, ['app.cjs'], { cwd: consumer, env: env() });
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('type-checks in a browser project (DOM typings, no @types/node) from its declarations', async () => {
    writeFileSync(
      join(consumer, 'browser.ts'),
      `import { CareidApi, ContactPointTelecomTypeEnum, Patient, type PatientDto } from '@careid/sdk';
const api = new CareidApi({ baseUrl: location.origin, login: 'doctor', password: 'secret' });
export async function create(): Promise<PatientDto> {
  return api.patientApi.createOrModify(new Patient({ firstName: 'Argan', addresses: [{ telecoms: [{ system: ContactPointTelecomTypeEnum.EMAIL, value: 'a@b.c' }] }] }));
}
// @ts-expect-error the generated types know a patient has no "nickname"
new Patient({ nickname: 'Argan' });
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM'],
          types: [],
          strict: true,
          noEmit: true,
        },
        files: ['browser.ts'],
      }),
    );
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', consumer], { cwd: consumer });
  });

  it('uses no Node-only module', () => {
    const emitted = files(join(SDK, 'dist')).filter((file) => file.endsWith('.js'));
    expect(emitted.length).toBeGreaterThan(10);
    const nodeOnly = emitted.filter((file) =>
      /(from ['"]|require\(['"])(node:|fs|path|crypto|http|https|os|stream|buffer|url|util)['"/]/.test(readFileSync(file, 'utf8')),
    );
    expect(nodeOnly).toEqual([]);
  });
});
