import { isDeepStrictEqual } from 'node:util';

/** A read to make on the app and on the bare server, each with its own path and the same headers. */
export interface ParityCheck {
  what: string;
  app: string;
  bare: string;
  headers: Record<string, string>;
}

async function json(url: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/**
 * Fails the run when the bare server's JSON differs from the app's: the bare
 * server runs the bench's copy of the app's statements (baselines/statements.ts),
 * and a copy that drifted would compare the app with other work.
 */
export async function checkParity(appUrl: string, bareUrl: string, checks: ParityCheck[]): Promise<void> {
  for (const check of checks) {
    const [fromApp, fromBare] = await Promise.all([
      json(`${appUrl}${check.app}`, check.headers),
      json(`${bareUrl}${check.bare}`, check.headers),
    ]);
    if (!isDeepStrictEqual(fromApp, fromBare)) {
      throw new Error(
        `the bare server's ${check.what} differs from the app's: update bench/baselines/statements.ts\napp:  ${JSON.stringify(fromApp)}\nbare: ${JSON.stringify(fromBare)}`,
      );
    }
  }
}

/** A token answer's fields, its ID token's header algorithm and claim names: what must match between app and bare server. */
function tokenShape(answer: Record<string, unknown>): Record<string, unknown> {
  const [header, payload] = String(answer.id_token)
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  return { fields: Object.keys(answer).sort(), alg: header.alg, claims: Object.keys(payload).sort() };
}

/**
 * Fails the run when the bare server's token answer has another shape than the app's (other fields, an ID token
 * with another algorithm or other claims): it would then sign other tokens than the app's.
 */
export function checkTokenParity(what: string, fromApp: Record<string, unknown>, fromBare: Record<string, unknown>): void {
  const [app, bare] = [tokenShape(fromApp), tokenShape(fromBare)];
  if (!isDeepStrictEqual(app, bare))
    throw new Error(
      `the bare server's ${what} differs from the app's: update bench/baselines/code-exchange-server.ts\napp:  ${JSON.stringify(app)}\nbare: ${JSON.stringify(bare)}`,
    );
}
