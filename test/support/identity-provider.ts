import { createHash, createPublicKey, generateKeyPairSync, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, JWK, SignJWT } from 'jose';

export type SigningAlgorithm = 'RS256' | 'ES256';

interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export interface IdTokenClaims {
  sub?: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  aud?: string | string[];
  iss?: string;
  azp?: string;
  /** Seconds since the epoch; default: now + 5 minutes. */
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

function newKey(alg: SigningAlgorithm): Omit<SigningKey, 'publicJwk'> {
  const { privateKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid: randomUUID(), alg, privateKey };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A code the authorize endpoint gave, and what its exchange must match. */
interface IssuedCode {
  redirectUri: string;
  nonce: string | null;
  challenge: string | null;
  claims: IdTokenClaims;
}

/** How Careid authenticated at the token endpoint, for the tests to check. */
export interface TokenRequest {
  clientAuth: 'basic' | 'post' | 'none';
  status: number;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A small OpenID provider on a loopback port, as real as Careid needs: a
 * discovery document and a JWKS served over HTTP, and ID tokens signed with
 * jose by the keys it publishes (RS256 or ES256). It rotates keys, counts
 * JWKS fetches, and can answer with another issuer or not at all. For the
 * authorization code flow it has a minimal authorize endpoint (no page: it
 * signs in `signInAs` at once, or answers `authorizeError`, by redirect) and
 * a token endpoint that checks the code, the redirect URI, the PKCE verifier
 * and the client's credentials (`clientSecret`: Basic or in the form).
 */
export class TestIdentityProvider {
  issuer = '';
  clientId = `careid-${randomUUID().slice(0, 8)}`;
  /** Every GET of the JWKS, with its time (epoch ms). */
  readonly jwksFetches: number[] = [];
  /** Changes the discovery document's fields (e.g. another `issuer`). */
  discoveryOverrides: Record<string, unknown> = {};
  /** The client secret the token endpoint requires (none: a public client, `client_id` in the form). */
  clientSecret: string | undefined;
  /** Whom the authorize endpoint signs in: the claims of the ID token it then issues. */
  signInAs: IdTokenClaims = {};
  /** When set, the authorize endpoint refuses with this error (e.g. `access_denied`). */
  authorizeError: string | undefined;
  readonly tokenRequests: TokenRequest[] = [];
  private server: Server | undefined;
  private keys: SigningKey[] = [];
  private readonly codes = new Map<string, IssuedCode>();

  async start(alg: SigningAlgorithm = 'RS256'): Promise<this> {
    await this.rotate(alg);
    this.server = createServer((request, response) => {
      const send = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const url = new URL(request.url ?? '/', 'http://idp');
      if (request.url === '/.well-known/openid-configuration') return send(200, this.discovery());
      if (request.url === '/jwks') {
        this.jwksFetches.push(Date.now());
        return send(200, { keys: this.keys.map((key) => key.publicJwk) });
      }
      if (url.pathname === '/authorize' && request.method === 'GET') return this.authorize(url.searchParams, response);
      if (url.pathname === '/token' && request.method === 'POST') {
        void readBody(request).then((body) => this.token(request, new URLSearchParams(body), response));
        return;
      }
      send(404, { error: 'not_found' });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Publishes a new key (a new `kid`) and signs with it from now on; `keepOld`: the previous keys stay published. */
  async rotate(alg: SigningAlgorithm = 'RS256', { keepOld = true } = {}): Promise<string> {
    const key = newKey(alg);
    const publicJwk = { ...(await exportJWK(createPublicKey(key.privateKey))), kid: key.kid, alg, use: 'sig' };
    this.keys = [...(keepOld ? this.keys : []), { ...key, publicJwk }];
    return key.kid;
  }

  /** The key tokens are signed with (the newest). */
  get currentKey(): SigningKey {
    return this.keys[this.keys.length - 1];
  }

  /** An ID token for Careid's client: `iss`, `aud`, `iat` and `exp` filled in unless given. */
  async idToken(claims: IdTokenClaims, signing: { key?: KeyObject | Uint8Array; kid?: string; alg?: string } = {}): Promise<string> {
    const key = this.currentKey;
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: this.issuer, aud: this.clientId, iat: now, exp: now + 300, sub: randomUUID(), ...claims };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: signing.alg ?? key.alg, kid: signing.kid ?? key.kid, typ: 'JWT' })
      .sign(signing.key ?? key.privateKey);
  }

  /** An unsigned token (`alg: none`) with these claims. */
  unsignedToken(claims: IdTokenClaims): string {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: this.issuer, aud: this.clientId, iat: now, exp: now + 300, ...claims };
    return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
  }

  /** The provider's public key in PEM, as an attacker would use it for an HMAC secret. */
  publicKeyPem(): string {
    return createPublicKey(this.currentKey.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Auto-approves: a redirect back with a code for `signInAs`, or with `authorizeError`. */
  private authorize(params: URLSearchParams, response: ServerResponse): void {
    const redirectUri = params.get('redirect_uri');
    if (params.get('client_id') !== this.clientId || !redirectUri || params.get('response_type') !== 'code')
      return void response.writeHead(400, { 'content-type': 'text/plain' }).end('bad authorization request');
    const back = new URL(redirectUri);
    if (params.get('state') !== null) back.searchParams.set('state', params.get('state')!);
    if (this.authorizeError) back.searchParams.set('error', this.authorizeError);
    else {
      const code = randomBytes(16).toString('base64url');
      const challenge = params.get('code_challenge_method') === 'S256' ? params.get('code_challenge') : null;
      this.codes.set(code, { redirectUri, nonce: params.get('nonce'), challenge, claims: { ...this.signInAs } });
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.toString() }).end();
  }

  private async token(request: IncomingMessage, form: URLSearchParams, response: ServerResponse): Promise<void> {
    const answer = (status: number, body: unknown, clientAuth: TokenRequest['clientAuth']) => {
      this.tokenRequests.push({ clientAuth, status });
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
    const [id, secret] = basic
      ? Buffer.from(basic[1], 'base64').toString('utf8').split(':').map(decodeURIComponent)
      : [form.get('client_id'), form.get('client_secret') ?? undefined];
    const clientAuth = basic ? 'basic' : form.has('client_secret') ? 'post' : 'none';
    if (id !== this.clientId || secret !== this.clientSecret) return answer(401, { error: 'invalid_client' }, clientAuth);
    const code = form.get('code') ?? '';
    const issued = this.codes.get(code);
    this.codes.delete(code);
    const verifier = form.get('code_verifier');
    const pkceHolds = !issued?.challenge || (verifier && createHash('sha256').update(verifier).digest('base64url') === issued.challenge);
    if (form.get('grant_type') !== 'authorization_code' || !issued || issued.redirectUri !== form.get('redirect_uri') || !pkceHolds)
      return answer(400, { error: 'invalid_grant' }, clientAuth);
    const idToken = await this.idToken({ ...issued.claims, ...(issued.nonce !== null ? { nonce: issued.nonce } : {}) });
    answer(200, { access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, id_token: idToken }, clientAuth);
  }

  private discovery(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      jwks_uri: `${this.issuer}/jwks`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      ...this.discoveryOverrides,
    };
  }
}
