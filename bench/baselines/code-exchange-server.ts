/**
 * Baseline for the OpenID provider's code exchange (`POST /oidc/token`,
 * grant_type=authorization_code): a bare node:http server that does the work
 * such an exchange cannot do without, and nothing else: parse the form, consume
 * the stored code row (one statement), check client, redirect URI and PKCE,
 * read the user for the ID token's claims, insert the access and refresh token
 * rows, sign an RS256 ID token with jose (a 2048-bit RSA key, as the app's),
 * and answer the tokens. Same table (`oidc_payloads`), a `pg` pool of the
 * app's size, statements prepared once per connection. No framework, no
 * client or grant lookup, no session check, no logging.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT } from 'jose';
import { Pool } from 'pg';
import { toUser, USER_BY_ID } from './statements';

const env = process.env;
const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.DB_POOL_SIZE ?? 10), application_name: 'careid-bench-code' });
const ISSUER = env.ISSUER!;
const CLIENT_ID = env.CLIENT_ID!;
const REDIRECT_URI = env.REDIRECT_URI!;
const ACCESS_TOKEN_SECONDS = 900;
const REFRESH_TOKEN_SECONDS = 1800;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();

const CONSUME_CODE = {
  name: 'bench.consume-code',
  text: `UPDATE oidc_payloads SET consumed_at = $2 WHERE kind = 'AuthorizationCode' AND id = $1 AND consumed_at IS NULL
         AND (expires_at IS NULL OR expires_at > $2) RETURNING payload`,
};
const INSERT_TOKEN = {
  name: 'bench.insert-token',
  text: `INSERT INTO oidc_payloads (kind, id, payload, grant_id, expires_at) VALUES ($1, $2, $3, $4, $5)`,
};

function run(statement: { name: string; text: string }, values: unknown[]) {
  return pool.query({ name: statement.name, text: statement.text, values });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const tokenValue = () => randomBytes(32).toString('base64url');

async function exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = await readForm(req);
  const now = Date.now();
  const { rows } = await run(CONSUME_CODE, [form.get('code') ?? '', now]);
  const code = rows[0]?.payload;
  const verifier = form.get('code_verifier') ?? '';
  if (
    !code ||
    form.get('grant_type') !== 'authorization_code' ||
    form.get('client_id') !== CLIENT_ID ||
    code.clientId !== CLIENT_ID ||
    form.get('redirect_uri') !== REDIRECT_URI ||
    createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge
  )
    return send(res, 400, { error: 'invalid_grant' });
  const users = await run(USER_BY_ID, [code.accountId]);
  if (!users.rows.length) return send(res, 400, { error: 'invalid_grant' });
  const user = toUser(users.rows[0]);
  const iat = Math.floor(now / 1000);
  const common = {
    iat,
    accountId: code.accountId,
    clientId: CLIENT_ID,
    grantId: code.grantId,
    scope: code.scope,
    sessionUid: code.sessionUid,
  };
  const accessToken = tokenValue();
  const refreshToken = tokenValue();
  await run(INSERT_TOKEN, [
    'AccessToken',
    accessToken,
    { ...common, jti: accessToken, kind: 'AccessToken', exp: iat + ACCESS_TOKEN_SECONDS, gty: 'authorization_code' },
    code.grantId,
    now + ACCESS_TOKEN_SECONDS * 1000,
  ]);
  await run(INSERT_TOKEN, [
    'RefreshToken',
    refreshToken,
    { ...common, jti: refreshToken, kind: 'RefreshToken', exp: iat + REFRESH_TOKEN_SECONDS, nonce: code.nonce, authTime: code.authTime },
    code.grantId,
    now + REFRESH_TOKEN_SECONDS * 1000,
  ]);
  const atHash = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
  const idToken = await new SignJWT({
    sub: user.id,
    name: user.name ?? user.login,
    preferred_username: user.login,
    ...(user.email ? { email: user.email } : {}),
    ...(user.patientId ? { patient: user.patientId } : {}),
    ...(user.healthcarePartyId ? { practitioner: user.healthcarePartyId } : {}),
    nonce: code.nonce,
    at_hash: atHash,
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(ISSUER)
    .setAudience(CLIENT_ID)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(privateKey);
  send(res, 200, {
    access_token: accessToken,
    expires_in: ACCESS_TOKEN_SECONDS,
    id_token: idToken,
    refresh_token: refreshToken,
    scope: code.scope,
    token_type: 'Bearer',
  });
}

const server = createServer((req, res) => {
  if (req.url === '/ready') return send(res, 200, { status: 'ok' });
  if (req.method !== 'POST' || req.url !== '/token') return send(res, 404, { status: 404 });
  exchange(req, res).catch(() => send(res, 503, { status: 503 }));
});
server.keepAliveTimeout = 72_000;
server.listen(Number(env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
  server.closeAllConnections();
});
