import { ensureReader, identityOf, startApp, startBaseline } from '../lib/api';
import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import {
  authorizationCode,
  BENCH_REDIRECT_URI,
  BenchCode,
  codeExchanges,
  copyAuthorizationCode,
  registerBenchApplication,
} from '../lib/oidc';
import { checkTokenParity } from '../lib/parity';
import type { Alone, Extra, Scenario } from '../lib/scenario';
import { ADMIN, log, READER, ROUNDS, SECONDS } from '../lib/settings';

const TOKEN = { method: 'POST' as const, path: '/oidc/token', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
/** Codes per window: more than either side exchanges in it (a spent pool would show as non-2xx answers). */
const CODES_PER_WINDOW = 3000 * SECONDS + 2000;

let pools = 0;

/** One exchange of a fresh copy of the code, answered as JSON. */
async function exchangeOnce(url: string, path: string, code: BenchCode, copy: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: TOKEN.headers,
    body: codeExchanges(code, [copy])().body(),
  });
  if (response.status !== 200) throw new Error(`${url}${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * The app's token endpoint and the bare baseline (baselines/code-exchange-server.ts), round by round, each window
 * exchanging its own pool of codes: SQL copies of one code got through the real flow (bench/lib/oidc.ts).
 */
async function measureCodeExchanges({ mainUrl, children }: Alone): Promise<Extra | undefined> {
  const app = await startApp('app-oidc', mainUrl);
  children.push(app);
  await ensureReader(app);
  const admin = await identityOf(app, ADMIN.login, ADMIN.password);
  const reader = await identityOf(app, READER.login, READER.password);
  const clientId = await registerBenchApplication(app, admin);
  const code = await authorizationCode(app, clientId, reader);
  const bare = await startBaseline('baseline-code-exchange', 'code-exchange-server.ts', {
    DATABASE_URL: mainUrl,
    ISSUER: app.url,
    CLIENT_ID: clientId,
    REDIRECT_URI: BENCH_REDIRECT_URI,
  });
  children.push(bare);
  const [forApp, forBare] = await copyAuthorizationCode(mainUrl, code.code, 'bench-parity-', 2);
  checkTokenParity(
    'token answer',
    await exchangeOnce(app.url, '/oidc/token', code, forApp),
    await exchangeOnce(bare.url, '/token', code, forBare),
  );
  const target = (label: string, url: string, path: string, server: typeof app) =>
    measure(label, {
      url,
      server,
      request: { ...TOKEN, path },
      connections: 32,
      perConnection: async () =>
        codeExchanges(
          code,
          await copyAuthorizationCode(mainUrl, code.code, `bench-${label.replace('/', '-')}-${pools++}-`, CODES_PER_WINDOW),
        ),
    });
  for (let r = 0; r < ROUNDS; r++) {
    log(`oidc-token: round ${r + 1}/${ROUNDS}`);
    await alternate(r, [
      () => target('oidc-token/app', app.url, '/oidc/token', app),
      () => target('oidc-token/bare', bare.url, '/token', bare),
    ]);
  }
  await Promise.all([app.stop(), bare.stop()]);
  return undefined;
}

/** The code exchange of the OpenID provider against a bare server doing its indispensable work. */
export const oidcToken: Scenario = {
  id: 'oidc-token',
  alone: measureCodeExchanges,
  evaluate() {
    const app = summary('oidc-token/app');
    const bare = summary('oidc-token/bare');
    return scenario({
      id: 'oidc-token',
      title: 'POST /oidc/token (authorization code with PKCE → access, refresh and RS256 ID token), 32 connections',
      target: '≥ 0.3 × the bare code exchange',
      app,
      baseline: bare,
      baselineName: 'bare node:http + pg: consume the code row, read the user, insert 2 token rows, sign the ID token (jose)',
      checks: [check('requests/s ratio', ratio(app, bare), 0.3, '>=')],
      measured: !!(app && bare),
      cleanRuns: clean(app, bare),
    });
  },
};
