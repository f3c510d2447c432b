import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import { SecretCipher } from '@careid/identity';
import { TransactionHost } from '@careid/shared';
import { SigningKeysRepository, StoredSigningKey } from '../infrastructure/signing-keys.repository';

/** A private JWK as oidc-provider's `jwks` configuration takes it. */
export type PrivateJwk = Record<string, unknown> & { kid: string; alg: string };

const generate = promisify(generateKeyPair);
/** RS256 is every relying party's default; ES256 for those that ask for it. */
const ALGORITHMS = ['RS256', 'ES256'] as const;
/** A retired key stays published this long: longer than any ID token it signed lives (ttl.IdToken). */
export const RETIRED_KEY_PUBLISHED_MS = 24 * 3600_000;
/** Keys are rotated at start-up once the current ones are this old. */
const KEY_ROTATION_MS = 90 * 24 * 3600_000;

const sealContext = (kid: string) => `oidc_signing_keys.private_jwk:${kid}`;

async function newKey(alg: (typeof ALGORITHMS)[number]): Promise<{ kid: string; jwk: PrivateJwk }> {
  const { privateKey } = alg === 'RS256' ? await generate('rsa', { modulusLength: 2048 }) : await generate('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(12).toString('base64url');
  return { kid, jwk: { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg, use: 'sig' } };
}

function publicPart(jwk: PrivateJwk): Record<string, unknown> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

/**
 * The provider's signing keys: generated at first start, sealed at rest with
 * DATA_ENCRYPTION_KEY, rotated when old. A rotated key signs nothing more but
 * stays in the JWKS for RETIRED_KEY_PUBLISHED_MS, so that tokens it signed
 * still verify.
 */
@Injectable()
export class SigningKeys {
  constructor(
    private readonly tx: TransactionHost,
    private readonly keys: SigningKeysRepository,
    private readonly cipher: SecretCipher,
  ) {}

  /** The JWKS to sign with: current keys first (they sign), then the retired ones still published (verify only). */
  async load(now = Date.now()): Promise<PrivateJwk[]> {
    const stored = await this.tx.run(async () => {
      await this.keys.lockKeys();
      const all = await this.keys.all();
      const current = all.filter((key) => key.retiredAt === null);
      if (current.length && now - Math.min(...current.map((key) => key.created)) < KEY_ROTATION_MS) return all;
      await this.replaceCurrent(now);
      return this.keys.all();
    });
    return stored.filter((key) => key.retiredAt === null || now - key.retiredAt < RETIRED_KEY_PUBLISHED_MS).map((key) => this.open(key));
  }

  /** New current keys now; the old ones retire (still published). Instances sign with them once they reload. */
  async rotate(now = Date.now()): Promise<void> {
    await this.tx.run(async () => {
      await this.keys.lockKeys();
      await this.replaceCurrent(now);
    });
  }

  private async replaceCurrent(now: number): Promise<void> {
    const generated = await Promise.all(ALGORITHMS.map(newKey));
    for (const { kid, jwk } of generated) {
      const key: StoredSigningKey = {
        kid,
        alg: jwk.alg,
        sealedPrivateJwk: this.cipher.seal(JSON.stringify(jwk), sealContext(kid)),
        created: now,
        retiredAt: null,
      };
      await this.keys.insert(key, publicPart(jwk));
    }
    await this.keys.retireAllBut(
      generated.map(({ kid }) => kid),
      now,
      now - RETIRED_KEY_PUBLISHED_MS,
    );
  }

  private open(key: StoredSigningKey): PrivateJwk {
    const jwk = JSON.parse(this.cipher.open(key.sealedPrivateJwk, sealContext(key.kid))) as PrivateJwk;
    if (key.retiredAt === null) return jwk;
    // Verify only: oidc-provider never picks it to sign, and still publishes it.
    const { use: _use, ...rest } = jwk;
    return { ...rest, key_ops: ['verify'] } as PrivateJwk;
  }
}
