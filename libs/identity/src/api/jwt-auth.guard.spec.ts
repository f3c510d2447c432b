import { createSecretKey } from 'node:crypto';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DomainError } from '@careid/shared';
import type { PrincipalCache } from '../application/principal-cache';
import type { Principal } from '../domain/principal';
import { JwtAuthGuard } from './jwt-auth.guard';

const secret = createSecretKey(Buffer.from('unit-test-secret-0123456789abcdef0123', 'utf8')) as unknown as Buffer;
const jwt = new JwtService({ secret });
const USER = '8c0f3a8e-1d9b-4c55-9b7e-2f3a7c1d0e11';
const principal = { userId: USER, login: 'someone', roles: [], isAdmin: false, sessionVersion: 3 } as unknown as Principal;

function guardWith(load: (userId: string) => Promise<Principal | null>): JwtAuthGuard {
  const reflector = { getAllAndOverride: () => false } as unknown as Reflector;
  return new JwtAuthGuard(reflector, jwt, { get: load } as unknown as PrincipalCache);
}

function contextFor(authorization?: string) {
  const request: { headers: Record<string, unknown>; user?: Principal } = { headers: authorization ? { authorization } : {} };
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

const token = (claims: object, options: object = {}) =>
  jwt.sign(claims, {
    issuer: 'careid',
    audience: 'careid-api',
    algorithm: 'HS256',
    ...('exp' in claims ? {} : { expiresIn: 60 }),
    ...options,
  });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code;
  }
}

describe('JwtAuthGuard', () => {
  const guard = guardWith(async () => principal);

  it('lets a valid bearer token through, the scheme in any case, and puts the principal on the request', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const { context, request } = contextFor(`${scheme} ${token({ sub: USER, sv: 3, sid: 's' })}`);
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.user).toBe(principal);
    }
  });

  it('answers UNAUTHENTICATED without a bearer token, with another scheme, a bad signature or another audience', async () => {
    const valid = token({ sub: USER, sv: 3, sid: 's' });
    const otherKey = new JwtService({ secret: 'another-secret-0123456789abcdef0123456789' }).sign(
      { sub: USER, sv: 3 },
      { issuer: 'careid', audience: 'careid-api' },
    );
    for (const header of [
      undefined,
      '',
      valid,
      `Basic ${valid}`,
      'Bearer',
      `Bearer ${otherKey}`,
      `Bearer ${token({ sub: USER, sv: 3 }, { audience: 'x' })}`,
    ]) {
      expect(await codeOf(guard.canActivate(contextFor(header).context))).toBe('UNAUTHENTICATED');
    }
  });

  it('tells an expired token apart', async () => {
    const expired = token({ sub: USER, sv: 3, exp: Math.floor(Date.now() / 1000) - 10 });
    expect(await codeOf(guard.canActivate(contextFor(`Bearer ${expired}`).context))).toBe('ACCESS_TOKEN_EXPIRED');
  });

  it('refuses claims of the wrong shape, and ended sessions', async () => {
    expect(await codeOf(guard.canActivate(contextFor(`Bearer ${token({ sub: USER })}`).context))).toBe('INVALID_ACCESS_TOKEN');
    expect(await codeOf(guard.canActivate(contextFor(`Bearer ${token({ sub: USER, sv: 2 })}`).context))).toBe('SESSION_REVOKED');
    const gone = guardWith(async () => null);
    expect(await codeOf(gone.canActivate(contextFor(`Bearer ${token({ sub: USER, sv: 3 })}`).context))).toBe('SESSION_REVOKED');
  });

  it('answers UNAUTHENTICATED when the user cannot be loaded', async () => {
    const failing = guardWith(async () => {
      throw new Error('connection refused');
    });
    expect(await codeOf(failing.canActivate(contextFor(`Bearer ${token({ sub: USER, sv: 3 })}`).context))).toBe('UNAUTHENTICATED');
  });
});
