import { createPublicKey, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
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

/**
 * A small OpenID provider on a loopback port, as real as Careid needs: a
 * discovery document and a JWKS served over HTTP, and ID tokens signed with
 * jose by the keys it publishes (RS256 or ES256). It rotates keys, counts
 * JWKS fetches, and can answer with another issuer or not at all.
 */
export class TestIdentityProvider {
  issuer = '';
  clientId = `careid-${randomUUID().slice(0, 8)}`;
  /** Every GET of the JWKS, with its time (epoch ms). */
  readonly jwksFetches: number[] = [];
  /** Changes the discovery document's fields (e.g. another `issuer`). */
  discoveryOverrides: Record<string, unknown> = {};
  private server: Server | undefined;
  private keys: SigningKey[] = [];

  async start(alg: SigningAlgorithm = 'RS256'): Promise<this> {
    await this.rotate(alg);
    this.server = createServer((request, response) => {
      const send = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/.well-known/openid-configuration') return send(200, this.discovery());
      if (request.url === '/jwks') {
        this.jwksFetches.push(Date.now());
        return send(200, { keys: this.keys.map((key) => key.publicJwk) });
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

  private discovery(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      ...this.discoveryOverrides,
    };
  }
}
